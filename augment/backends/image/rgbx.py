"""An RGB image's pixels as Pillow holds them (4 bytes a pixel, RGBX), without copying them.

Pillow keeps an RGB image as RGBX in memory. ``numpy.asarray(image)`` packs
that into a new HxWx3 array, which costs about as much as warping it; and
OpenCV warps four channels faster than three (SIMD paths for 4-byte pixels),
to the same bytes channel by channel. So the native engine's geometry reads
the image's own memory as HxWx4 through Pillow's Arrow export (Pillow >= 11.2,
the Arrow C data interface, read with ctypes: no pyarrow), warps four channels,
and the result is packed back to RGB as Pillow builds the output image.

Only a single-block image can be exported (Pillow allocates images above its
block size, 16 MB by default, in pieces): :func:`rgbx_view` then returns None
and the caller takes the packed path. The view is read-only and keeps the
export alive for as long as it lives.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["rgbx_view"]


class _ArrowSchema(ctypes.Structure):
    pass


_ArrowSchema._fields_ = [
    ("format", ctypes.c_char_p), ("name", ctypes.c_char_p), ("metadata", ctypes.c_char_p),
    ("flags", ctypes.c_int64), ("n_children", ctypes.c_int64),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowSchema))), ("dictionary", ctypes.POINTER(_ArrowSchema)),
    ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p),
]


class _ArrowArray(ctypes.Structure):
    pass


_ArrowArray._fields_ = [
    ("length", ctypes.c_int64), ("null_count", ctypes.c_int64), ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64), ("n_children", ctypes.c_int64), ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(_ArrowArray))), ("dictionary", ctypes.POINTER(_ArrowArray)),
    ("release", ctypes.c_void_p), ("private_data", ctypes.c_void_p),
]

_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.restype = ctypes.c_void_p
_capsule_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _Exported:
    """Holds Pillow's export (its capsules free it when they go) and shows numpy the memory."""

    def __init__(self, capsules: tuple[Any, Any], address: int, shape: tuple[int, int, int]) -> None:
        self._capsules = capsules
        self.__array_interface__ = {"data": (address, True), "shape": shape, "typestr": "|u1", "version": 3}


def rgbx_view(image: PILImage.Image) -> np.ndarray | None:
    """The HxWx4 RGBX pixels of the RGB ``image``, read-only and not copied; None if they cannot be shown so.

    None for another mode, an image in several blocks, a Pillow without Arrow
    export, or an export laid out otherwise than one 4-byte value per pixel.
    """
    if image.mode != "RGB" or not hasattr(image, "__arrow_c_array__"):
        return None
    try:
        capsules = image.__arrow_c_array__()
    except (ValueError, OSError):  # several blocks, or nothing loaded
        return None
    schema_capsule, array_capsule = capsules
    schema = ctypes.cast(_capsule_pointer(schema_capsule, b"arrow_schema"), ctypes.POINTER(_ArrowSchema)).contents
    array = ctypes.cast(_capsule_pointer(array_capsule, b"arrow_array"), ctypes.POINTER(_ArrowArray)).contents
    width, height = image.size
    # One fixed-size list of four uint8 per pixel, every value present, from the first.
    if schema.format != b"+w:4" or schema.n_children != 1 or schema.children[0].contents.format != b"C":
        return None
    if array.length != width * height or array.offset or array.null_count or array.n_children != 1:
        return None
    values = array.children[0].contents
    if values.offset or values.null_count or values.n_buffers != 2 or values.length != 4 * width * height:
        return None
    address = values.buffers[1]
    if not address:
        return None
    view: np.ndarray = np.asarray(_Exported(capsules, address, (height, width, 4)))
    return view
