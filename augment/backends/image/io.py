"""Image files through Pillow: reading safely, writing in the format an extension names.

:func:`read_image` applies the EXIF orientation, keeps Pillow's safety limits
on (truncated files are errors, the decompression-bomb limit stays) and turns
every decoding failure into a :class:`~augment.core.result.BadInputError`.
Animated or multi-page files (GIF, TIFF, PNG, WebP with more than one frame)
are refused rather than silently reduced to their first frame.
:func:`write_image` keeps the ICC profile, the resolution and the EXIF (without
its orientation tag) where the format can hold them, and converts a mode the
format cannot store. Pillow is imported on first use.
"""

from __future__ import annotations

import os
import re
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from augment.backends.image.pixels import MODES, array_to_image, pil, writable
from augment.core.files import nonempty_file_size, writer_format
from augment.core.result import BadInputError

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["FORMATS", "check_quality", "copy_metadata", "read_image", "stripped_exif", "write_image"]

#: Extension -> the Pillow format written for it.
FORMATS: dict[str, str] = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}

# Modes each writer stores as they are; anything else is converted first.
_SAVE_MODES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({"1", "L", "RGB", "CMYK"}),
    "PNG": frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "P", "RGB", "RGBA"}),
    "BMP": frozenset({"1", "L", "P", "RGB", "RGBA"}),
    "GIF": frozenset({"1", "L", "P", "RGB", "RGBA"}),
    "TIFF": frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I;16B", "I", "F"}),
    "WEBP": frozenset({"RGB", "RGBA"}),
}
_ICC_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})
_EXIF_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})
_ORIENTATION = 0x0112
# Image metadata carried from the source to the augmented image.
_KEPT_INFO = ("icc_profile", "dpi", "exif")


def check_quality(name: str, value: Any) -> int:
    """``value`` as an int if it is a quality in [1, 100]; ValueError naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 100:
        raise ValueError(f"{name} must be an integer in [1, 100]; got {value!r}")
    return int(value)


def stripped_exif(image: PILImage.Image) -> bytes | None:
    """The image's EXIF without its orientation tag (the pixels are already upright)."""
    if "exif" not in image.info:
        return None
    exif = image.getexif()
    exif.pop(_ORIENTATION, None)
    return exif.tobytes() if len(exif) else None


def copy_metadata(source: PILImage.Image, result: PILImage.Image) -> None:
    """Give ``result`` (an augmented ``source``) the source's ICC profile, dpi, EXIF and format."""
    for key in _KEPT_INFO:
        if key in source.info:
            result.info[key] = source.info[key]
    if "transparency" in source.info and source.mode != "P":
        result.info["transparency"] = source.info["transparency"]
    exif = stripped_exif(source)
    if exif is None:
        result.info.pop("exif", None)
    else:
        result.info["exif"] = exif
    result.format = source.format


def read_image(path: str | os.PathLike[str]) -> PILImage.Image:
    """Open and decode an image, upright (EXIF orientation applied).

    Returns:
        A loaded ``PIL.Image.Image`` with its ``format`` and ``info``
        (ICC profile, EXIF without the orientation tag...).

    Raises:
        BadInputError: The file is empty, truncated, not an image, larger
            than Pillow's decompression-bomb limit, animated/multi-page,
            or in an unsupported mode.
    """
    Image = pil()
    from PIL import ImageOps

    path = os.fspath(path)
    nonempty_file_size(path)
    try:
        # Our own file handle: Pillow then never leaves one open on error.
        with open(path, "rb") as handle, warnings.catch_warnings():
            # Above MAX_IMAGE_PIXELS Pillow only warns; we refuse (up to 2x
            # the limit such an image would still be decoded into memory).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow warns about damaged metadata (e.g. "Corrupt EXIF data")
            # and decodes on; a per-file run has nowhere to show a warning,
            # and a file that really cannot be decoded still raises below.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            # Not closed as a context manager would: the handle is ours (closed
            # above), and a closed image cannot be used.
            image = Image.open(handle)
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                raise BadInputError(
                    path,
                    f"animated or multi-page {image.format} image with {frames} frames; "
                    "only single-frame images are augmented",
                )
            image.load()
            # In place: a photo's pixels are not copied when it is already upright.
            ImageOps.exif_transpose(image, in_place=True)
    except BadInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInputError(path, _bomb_reason(Image, exc)) from exc
    except Image.UnidentifiedImageError as exc:
        raise BadInputError(
            path, "not an image Pillow can identify (unknown format or damaged header)"
        ) from exc
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError...
        detail = str(exc) or type(exc).__name__
        raise BadInputError(path, f"cannot decode the image: {detail}") from exc
    if image.mode not in MODES:
        raise BadInputError(
            path, f"unsupported image mode {image.mode!r}; supported: {', '.join(MODES)}"
        )
    if "exif" in image.info:
        exif = stripped_exif(image)
        if exif is None:
            del image.info["exif"]
        else:
            image.info["exif"] = exif
    return image


def write_image(data: Any, path: str | os.PathLike[str], *, suffix: str | None = None, jpeg_quality: int,
                webp_quality: int) -> None:
    """Save an image (PIL image or array) in the format ``suffix`` (default: the path's extension) names.

    JPEG uses ``jpeg_quality`` and WebP ``webp_quality``; the ICC profile is
    kept where the format can hold it, EXIF is written without an
    orientation tag. A mode the format cannot store is converted (alpha is
    dropped for JPEG, 16-bit becomes 8-bit...).
    """
    Image = pil()
    fmt = writer_format(path, suffix, FORMATS, "images")
    if isinstance(data, np.ndarray):
        image = array_to_image(data)
    elif isinstance(data, Image.Image):
        image = data
    else:
        raise ValueError(
            f"can only write a PIL.Image.Image or a NumPy array; got {type(data).__name__}"
        )
    image = writable(image, _SAVE_MODES[fmt])
    options: dict[str, Any] = {}
    if fmt == "JPEG":
        options["quality"] = jpeg_quality
    elif fmt == "WEBP":
        options["quality"] = webp_quality
    icc = image.info.get("icc_profile")
    if icc and fmt in _ICC_FORMATS:
        options["icc_profile"] = icc
    exif = stripped_exif(image)
    if exif is not None and fmt in _EXIF_FORMATS:
        options["exif"] = exif
    if fmt in ("PNG", "TIFF", "JPEG") and "dpi" in image.info:
        options["dpi"] = image.info["dpi"]
    image.save(path, format=fmt, **options)


def _bomb_reason(Image: Any, exc: BaseException) -> str:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = match.group(1) if match else "?"
    return (
        f"image has {pixels} pixels, above Pillow's decompression-bomb limit of "
        f"{Image.MAX_IMAGE_PIXELS} pixels (PIL.Image.MAX_IMAGE_PIXELS); refusing to decode it"
    )
