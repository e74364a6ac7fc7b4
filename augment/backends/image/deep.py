"""16-bit colour images: read, held and written at full depth, which Pillow cannot.

Pillow has no 16-bit colour modes: it decodes a 16-bit RGB, RGBA or
grey+alpha PNG or TIFF to 8 bits. Such files are still opened and checked by
Pillow (decompression-bomb limit, truncation, metadata), and their pixels are
then decoded at full depth by OpenCV (PNG) or tifffile (TIFF) into an
:class:`Image16`: the pixels as a HxWxC ``uint16`` array in RGB order, with
the source's format and Pillow-style ``info`` (ICC profile, dpi, EXIF, PNG
text, compression). 16-bit grey is Pillow's ``I;16`` and needs none of this.

Writing: PNG through :func:`encode_png` (OpenCV for RGB(A); grey+alpha, which
OpenCV cannot write, filtered and compressed here; with the metadata chunks
Pillow writes for the same ``info``); TIFF
through tifffile (its compression, predictor, ICC profile, resolution and
descriptive tags kept). Formats without 16-bit colour (JPEG, WebP, BMP, GIF)
get the image rounded to 8 bits (:func:`eight_bit`).
"""

from __future__ import annotations

import io
import os
import struct
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from augment.backends.image.formats import SourceFormat
from augment.backends.image.pixels import SIXTEEN_BIT_SCALE, pil
from augment.core.registry import install_hint
from augment.core.result import BadInputError

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "DEEP_MODES",
    "Image16",
    "deep_channels",
    "eight_bit",
    "encode_png",
    "orient",
    "read_deep",
    "write_deep",
]

#: Channels -> the name of the mode an :class:`Image16` is in (Pillow has no such modes).
DEEP_MODES: dict[int, str] = {2: "LA;16", 3: "RGB;16", 4: "RGBA;16"}

# Pillow's raw modes for 16-bit colour PNG data, by channel count.
_PNG_RAWMODES = {"LA;16B": 2, "RGB;16B": 3, "RGBA;16B": 4}
_PNG_COLOUR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Rows filtered at once: bounds the five filtered copies' memory for images of any size.
_PNG_BAND = 64
# IDAT chunks of at most this many bytes (what libpng and most encoders write).
_IDAT_SIZE = 1 << 20
_ORIENTATION = 0x0112
# TIFF compressions tifffile writes (by tag value); other 16-bit sources are written with Deflate.
_TIFF_WRITABLE = frozenset({1, 5, 8, 32773, 32946, 34925, 50000})
_ADOBE_DEFLATE = 8


@dataclass(eq=False)
class Image16:
    """A 16-bit colour image: what :meth:`ImageAugmenter.read` returns for files Pillow would reduce to 8 bits.

    Attributes:
        pixels: HxWxC ``uint16``, in RGB order: C is 2 (grey and alpha), 3
            (RGB) or 4 (RGBA); alpha is not premultiplied.
        format: The source's format ("PNG", "TIFF"), or None.
        info: Pillow-style metadata: ``icc_profile``, ``dpi``, ``exif``
            (without the orientation tag: the pixels are upright), and the
            source's encoder settings under
            :data:`~augment.backends.image.formats.FORMAT_KEY`.
    """

    pixels: np.ndarray
    format: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        pixels = self.pixels
        if not isinstance(pixels, np.ndarray) or pixels.dtype != np.uint16 or pixels.ndim != 3 \
                or pixels.shape[2] not in DEEP_MODES or 0 in pixels.shape:
            shape = getattr(pixels, "shape", None)
            dtype = getattr(pixels, "dtype", type(pixels).__name__)
            raise ValueError(f"Image16 pixels must be a non-empty HxWxC uint16 array with C in 2..4; "
                             f"got {dtype} of shape {shape}")

    @property
    def mode(self) -> str:
        """``"LA;16"``, ``"RGB;16"`` or ``"RGBA;16"``."""
        return DEEP_MODES[self.pixels.shape[2]]

    @property
    def size(self) -> tuple[int, int]:
        """(width, height), as Pillow gives it."""
        return self.pixels.shape[1], self.pixels.shape[0]


def deep_channels(image: PILImage.Image) -> int | None:
    """The channel count of a 16-bit colour PNG or TIFF that Pillow opened (not yet loaded); None otherwise."""
    tile = getattr(image, "tile", None)  # an ImageFile's: what its decoder will be given
    if not tile:
        return None
    if image.format == "PNG":
        return _PNG_RAWMODES.get(tile[0].args) if isinstance(tile[0].args, str) else None
    if image.format == "TIFF" and image.mode in ("RGB", "RGBA"):
        bits = getattr(image, "tag_v2", {}).get(258)
        if isinstance(bits, tuple) and len(bits) in (3, 4) and set(bits) == {16}:
            return len(bits)
    return None


def orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """``pixels`` (HxW...) turned upright for an EXIF orientation, as Pillow's ``exif_transpose`` turns them."""
    if orientation == 2:
        return pixels[:, ::-1]
    if orientation == 3:
        return pixels[::-1, ::-1]
    if orientation == 4:
        return pixels[::-1]
    if orientation == 5:
        return pixels.swapaxes(0, 1)
    if orientation == 6:
        return np.rot90(pixels, -1)
    if orientation == 7:
        return pixels[::-1, ::-1].swapaxes(0, 1)
    if orientation == 8:
        return np.rot90(pixels, 1)
    return pixels


def read_deep(path: str, image: PILImage.Image, channels: int) -> Image16:
    """The full-depth pixels of ``path``, which Pillow opened as ``image`` (and checked), as an :class:`Image16`.

    Raises:
        BadInputError: The decoder cannot decode the file, or finds other pixels than Pillow did.
    """
    width, height = image.size
    if image.format == "PNG":
        pixels = _decode_png(path, channels)
    else:
        pixels = _decode_tiff(path)
    if pixels is None or pixels.dtype != np.uint16 or pixels.shape[:2] != (height, width) \
            or pixels.shape[2] < channels:
        raise BadInputError(path, f"cannot decode the 16-bit {image.format} image at full depth")
    orientation = image.getexif().get(_ORIENTATION, 1)
    upright = np.ascontiguousarray(orient(pixels[..., :channels], orientation))
    info: dict[str, Any] = {str(k): v for k, v in image.info.items()}
    return Image16(upright, image.format, info)


def _decode_png(path: str, channels: int) -> np.ndarray | None:
    from augment.backends.image.opencv_engine import cv2_module

    cv2 = cv2_module()
    # UNCHANGED: 16 bits, alpha, and no EXIF rotation (applied here, as for every image).
    decoded: np.ndarray | None = cv2.imdecode(np.fromfile(path, np.uint8), cv2.IMREAD_UNCHANGED)
    if decoded is None or decoded.ndim != 3:
        return None
    if channels == 2:  # OpenCV expands grey+alpha to BGRA
        return decoded[..., [0, 3]] if decoded.shape[2] == 4 else None
    return decoded[..., [2, 1, 0, 3][: decoded.shape[2]]]  # BGR(A) -> RGB(A)


def _decode_tiff(path: str) -> np.ndarray | None:
    tifffile = _tifffile()
    with tifffile.TiffFile(path) as tiff:
        page = tiff.pages[0]
        pixels: np.ndarray = page.asarray()
        if page.planarconfig == 2 and pixels.ndim == 3:  # one plane per sample
            pixels = np.moveaxis(pixels, 0, -1)
    return pixels.astype(np.uint16, copy=False) if pixels.ndim == 3 else None


def _tifffile() -> Any:
    try:
        import tifffile
    except ImportError as exc:
        raise ImportError(
            f"16-bit colour TIFF files need tifffile ({exc}); install it with: {install_hint('image')}"
        ) from exc
    return tifffile


def eight_bit(image: Image16) -> PILImage.Image:
    """``image`` rounded to 8 bits per channel, as a PIL image (LA, RGB or RGBA) with the same ``info``."""
    Image = pil()
    values = np.rint(image.pixels / SIXTEEN_BIT_SCALE).astype(np.uint8)
    out = Image.frombytes(image.mode.split(";")[0], image.size, values.tobytes())
    out.info.update(image.info)
    out.format = image.format
    return out


def write_deep(image: Image16, path: str | os.PathLike[str], fmt: str, settings: SourceFormat | None,
               options: Mapping[str, Any]) -> None:
    """Write ``image`` at 16 bits as ``fmt`` ("PNG" or "TIFF") to ``path``.

    Args:
        image: The image.
        path: Where to write.
        fmt: "PNG" or "TIFF".
        settings: The source's encoder settings (used when its format is ``fmt``).
        options: The metadata Pillow would be given (``icc_profile``, ``exif``, ``dpi``, ``pnginfo``).
    """
    if fmt == "PNG":
        data = encode_png(image.pixels, _metadata_chunks(options))
        with open(path, "wb") as handle:
            handle.write(data)
        return
    _write_tiff(image, path, settings if settings is not None and settings.format == "TIFF" else None, options)


def _write_tiff(image: Image16, path: str | os.PathLike[str], settings: SourceFormat | None,
                options: Mapping[str, Any]) -> None:
    tifffile = _tifffile()
    channels = image.pixels.shape[2]
    compression = settings.tiff_compression if settings is not None else None
    if compression is not None and compression not in _TIFF_WRITABLE:
        compression = _ADOBE_DEFLATE  # lossless, and written everywhere
    predictor = settings.tiff_predictor if settings is not None else None
    text = dict(settings.tiff_text) if settings is not None else {}
    args: dict[str, Any] = {
        "photometric": "rgb" if channels >= 3 else "minisblack",
        "extrasamples": ("unassalpha",) if channels in (2, 4) else None,
        "compression": compression if compression not in (None, 1) else None,
        "predictor": predictor if predictor not in (None, 1) and compression not in (None, 1) else None,
        "iccprofile": options.get("icc_profile") or None,
        "metadata": None,  # no JSON description of tifffile's own
        "description": text.pop(270, None),
        "software": text.pop(305, False),  # False: no "tifffile.py"
        "datetime": text.pop(306, None),
        "extratags": [(tag, "s", 0, value, True) for tag, value in text.items()],
    }
    if "dpi" in options:
        args.update(resolution=tuple(float(v) for v in options["dpi"]), resolutionunit=2)  # inch
    tifffile.imwrite(path, image.pixels, **args)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    offset = len(_PNG_SIGNATURE)
    while offset + 8 <= len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        yield kind, png[offset + 8:offset + 8 + length]
        offset += 12 + length


def _metadata_chunks(options: Mapping[str, Any]) -> list[tuple[bytes, bytes]]:
    """The ancillary chunks Pillow writes for ``options`` (ICC profile, dpi, EXIF, text), in its order.

    Taken from a 1x1 image Pillow encodes with the same options: the chunks
    hold the metadata only, so they are the same for any image.
    """
    Image = pil()
    buffer = io.BytesIO()
    wanted = {k: options[k] for k in ("icc_profile", "exif", "dpi", "pnginfo") if options.get(k)}
    Image.new("RGB", (1, 1)).save(buffer, format="PNG", **wanted)
    return [(kind, data) for kind, data in _chunks(buffer.getvalue()) if kind not in (b"IHDR", b"IDAT", b"IEND")]


def encode_png(pixels: np.ndarray, chunks: list[tuple[bytes, bytes]] | None = None, level: int = 6) -> bytes:
    """A PNG file of HxWxC ``pixels`` (uint8 or uint16, C in 1..4: grey, grey+alpha, RGB, RGBA).

    RGB and RGBA are encoded by OpenCV (libpng: four times as fast as
    filtering in NumPy, for the same size). Grey+alpha, which OpenCV cannot
    write, and grey are encoded here: each row takes the filter (none, sub,
    up, average, Paeth) whose output has the smallest sum of absolute values
    (libpng's heuristic), compressed by zlib at ``level``. ``chunks``
    (ancillary ``(type, data)`` pairs) go between the header and the pixels.
    """
    channels = pixels.shape[2]
    if channels in (3, 4):
        encoded = _opencv_png(pixels)
    else:
        encoded = b"".join([_PNG_SIGNATURE, *(_chunk(kind, body) for kind, body in _numpy_png(pixels, level))])
    # The signature and IHDR come first and have a fixed length: the metadata goes right after them.
    header_end = len(_PNG_SIGNATURE) + 12 + 13
    return encoded[:header_end] + b"".join(_chunk(kind, body) for kind, body in chunks or []) + encoded[header_end:]


def _opencv_png(pixels: np.ndarray) -> bytes:
    """RGB(A) pixels as a PNG file encoded by OpenCV (signature, IHDR, IDAT..., IEND)."""
    from augment.backends.image.opencv_engine import cv2_module

    cv2 = cv2_module()
    # OpenCV writes BGR(A).
    code = cv2.COLOR_RGB2BGR if pixels.shape[2] == 3 else cv2.COLOR_RGBA2BGRA
    bgr = cv2.cvtColor(np.ascontiguousarray(pixels), code)
    ok, encoded = cv2.imencode(".png", bgr)
    if not ok:  # pragma: no cover - OpenCV encodes every 8- and 16-bit RGB(A) array
        raise ValueError(f"OpenCV could not encode a {pixels.dtype} array of shape {pixels.shape} as PNG")
    data: bytes = encoded.tobytes()
    return data


def _numpy_png(pixels: np.ndarray, level: int) -> list[tuple[bytes, bytes]]:
    """Grey or grey+alpha pixels as PNG chunks (IHDR, IDAT..., IEND), filtered here and compressed by zlib."""
    height, width, channels = pixels.shape
    depth = pixels.dtype.itemsize * 8
    rows = np.ascontiguousarray(pixels, dtype=">u2" if depth == 16 else np.uint8).view(np.uint8)
    rows = rows.reshape(height, width * channels * depth // 8)
    step = channels * depth // 8  # bytes per pixel: what sub and Paeth look back by
    compressor = zlib.compressobj(level)
    stream = []
    previous = np.zeros(rows.shape[1], np.uint8)
    for start in range(0, height, _PNG_BAND):
        band = rows[start:start + _PNG_BAND]
        above = np.concatenate([previous[None], band[:-1]])
        stream.append(compressor.compress(_filtered(band, above, step).tobytes()))
        previous = band[-1]
    stream.append(compressor.flush())
    data = b"".join(stream)
    header = struct.pack(">IIBBBBB", width, height, depth, _PNG_COLOUR_TYPES[channels], 0, 0, 0)
    idat = [(b"IDAT", data[i:i + _IDAT_SIZE]) for i in range(0, max(len(data), 1), _IDAT_SIZE)]
    return [(b"IHDR", header), *idat, (b"IEND", b"")]


def _filtered(rows: np.ndarray, above: np.ndarray, step: int) -> np.ndarray:
    """``rows`` (bytes) each filtered by its best filter, with the filter-type byte in front."""
    x = rows.astype(np.int16)
    up = above.astype(np.int16)
    left = np.zeros_like(x)
    left[:, step:] = x[:, :-step]
    up_left = np.zeros_like(up)
    up_left[:, step:] = up[:, :-step]
    # Paeth's predictor: whichever neighbour is nearest left + up - up_left (ties: left, then up).
    estimate = left + up - up_left
    far_left, far_up, far_corner = np.abs(estimate - left), np.abs(estimate - up), np.abs(estimate - up_left)
    paeth = np.where((far_left <= far_up) & (far_left <= far_corner), left,
                     np.where(far_up <= far_corner, up, up_left))
    candidates = np.stack([x, x - left, x - up, x - (left + up) // 2, x - paeth]).astype(np.uint8)
    signed = candidates.view(np.int8).astype(np.int16)
    choice = np.abs(signed).sum(axis=2, dtype=np.int64).argmin(axis=0)
    best = candidates[choice, np.arange(len(rows))]
    return np.concatenate([choice.astype(np.uint8)[:, None], best], axis=1)

