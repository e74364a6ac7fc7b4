"""Image files through Pillow: reading safely, writing in the format an extension names, as the source was.

:func:`read_image` applies the EXIF orientation, keeps Pillow's safety limits
on (truncated files are errors, the decompression-bomb limit stays) and turns
every decoding failure into a :class:`~augment.core.result.BadInputError`.
Animated or multi-page files (GIF, TIFF, PNG, WebP with more than one frame)
are refused rather than silently reduced to their first frame. 16-bit colour
PNG and TIFF files, which Pillow would reduce to 8 bits, are read at full
depth into an :class:`~augment.backends.image.deep.Image16`.

:func:`write_image` keeps the ICC profile, the resolution, the EXIF (without
its orientation tag), PNG text and a GIF comment where the format can hold
them, and the source's encoder settings (JPEG tables, subsampling and
progression, lossless WebP, TIFF compression:
:mod:`~augment.backends.image.formats`) unless a quality is set; it converts
a mode the format cannot store. Pillow is imported on first use.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import threading
import warnings
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from augment.backends.image.deep import DEEP_MODES, Image16, deep_channels, eight_bit, read_deep, write_deep
from augment.backends.image.formats import (
    FORMAT_KEY,
    KEEP,
    SourceFormat,
    check_quality,
    save_options,
    settings_of,
    source_format,
    webp_encoding,
    xmp_without_orientation,
)
from augment.backends.image.op import MAX_PIXELS
from augment.backends.image.pixels import MODES, array_to_image, pil, writable
from augment.core.files import nonempty_file_size, writer_format
from augment.core.read_ahead import PendingRead
from augment.core.result import BadInputError

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

    from PIL import Image as PILImage

__all__ = ["FORMATS", "KEEP", "READ_AHEAD_PIXELS", "OpenedImage", "check_quality", "copy_metadata", "read_image",
           "read_image_ahead", "stripped_exif", "write_image"]

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
_DPI_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "BMP"})
# PNG keeps XMP as the text chunk it is (formats.SourceFormat.png_text).
_XMP_FORMATS = frozenset({"JPEG", "WEBP"})
# Formats that hold 16-bit colour (written by augment.backends.image.deep).
_DEEP_FORMATS = frozenset({"PNG", "TIFF"})
_ORIENTATION = 0x0112
_X_RESOLUTION = 282
# Image metadata carried from the source to the augmented image (with the encoder settings).
_KEPT_INFO = ("icc_profile", "dpi", "exif", "xmp", FORMAT_KEY)


def stripped_exif(image: PILImage.Image) -> bytes | None:
    """The image's EXIF without its orientation tag (the pixels are already upright)."""
    if "exif" not in image.info:
        return None
    exif = image.getexif()
    exif.pop(_ORIENTATION, None)
    return exif.tobytes() if len(exif) else None


def copy_metadata(source: PILImage.Image, result: PILImage.Image) -> None:
    """Give ``result`` (an augmented ``source``) the source's ICC profile, dpi, EXIF, encoder settings and format.

    A palette image keeps its transparency: its indices (and so its
    transparent index) are the source's.
    """
    for key in _KEPT_INFO:
        if key in source.info:
            result.info[key] = source.info[key]
    if "transparency" in source.info:
        result.info["transparency"] = source.info["transparency"]
    if FORMAT_KEY not in result.info and source.format:
        result.info[FORMAT_KEY] = source_format(source)
    exif = stripped_exif(source)
    if exif is None:
        result.info.pop("exif", None)
    else:
        result.info["exif"] = exif
    result.format = source.format


def read_image(path: str | os.PathLike[str], max_pixels: int = MAX_PIXELS) -> PILImage.Image | Image16:
    """Open and decode an image, upright (EXIF orientation applied), if it has at most ``max_pixels`` pixels.

    The size is read from the header first: a bigger image is refused before
    any of its pixels is decoded, as is one above Pillow's own
    decompression-bomb limit (``PIL.Image.MAX_IMAGE_PIXELS``, raised to
    ``max_pixels`` for this read when that is higher).

    Returns:
        A loaded ``PIL.Image.Image`` with its ``format`` and ``info`` (ICC
        profile, EXIF without the orientation tag..., and the encoder settings
        under :data:`~augment.backends.image.formats.FORMAT_KEY`); for a
        16-bit RGB, RGBA or grey+alpha PNG or TIFF, an
        :class:`~augment.backends.image.deep.Image16` with the same.

    Raises:
        BadInputError: The file is empty, truncated, not an image, has more
            than ``max_pixels`` pixels (or more than Pillow's decompression-bomb
            limit), is animated/multi-page, or in an unsupported mode.
    """
    return OpenedImage(path, max_pixels).finish()


#: The largest image (pixels) decoded ahead: a bigger one would hold hundreds of megabytes while the
#: one before it is augmented (its own decoding is a small part of its time anyway).
READ_AHEAD_PIXELS = 25_000_000


def read_image_ahead(path: str | os.PathLike[str], max_pixels: int, background: Executor) -> PendingRead:
    """:func:`read_image` with the pixels decoded on ``background`` (the header read now, the rest in ``result()``).

    Images above :data:`READ_AHEAD_PIXELS` are decoded in ``result()``.

    Only Pillow's decoder runs on ``background``: it releases the GIL, and it
    touches no process-wide state. Everything else (the warnings filters that
    turn Pillow's warnings into errors, its pixel limit) stays in the calling
    thread. Whatever goes wrong ahead is left for ``result()``, which then
    reads the file again as :func:`read_image` does, so its data or its error
    is exactly :func:`read_image`'s.
    """
    try:
        opened = OpenedImage(path, max_pixels)
    except Exception:
        return PendingRead(functools.partial(read_image, path, max_pixels))  # the error is for result() to give
    if opened.image.width * opened.image.height <= READ_AHEAD_PIXELS:
        opened.decode_on(background)
    return PendingRead(opened.finish, opened.close)


class OpenedImage:
    """An image file whose header is read and checked; :meth:`finish` decodes it (see :func:`read_image`).

    Raises:
        BadInputError: As :func:`read_image`, for what the header shows.
    """

    def __init__(self, path: str | os.PathLike[str], max_pixels: int) -> None:
        self.path = os.fspath(path)
        self.max_pixels = max_pixels
        self._decoding: Future[None] | None = None
        nonempty_file_size(self.path)
        handle = None
        try:
            with _decoding(self.path, max_pixels):
                # Our own file handle: Pillow then never leaves one open on error.
                handle = open(self.path, "rb")
                # Not closed as a context manager would: the handle is ours, and a closed image cannot be used.
                self.image = pil().open(handle)  # the header only
                width, height = self.image.size
                if width * height > max_pixels:
                    raise BadInputError(self.path, _too_big(width * height, max_pixels, (width, height)))
                frames = getattr(self.image, "n_frames", 1)  # a GIF's frames are decoded to count them
                if frames > 1:
                    raise BadInputError(
                        self.path,
                        f"animated or multi-page {self.image.format} image with {frames} frames; "
                        "only single-frame images are augmented",
                    )
                self.deep = deep_channels(self.image)
                if self.deep is None:
                    _decode_into_one_block(self.image)
        except BaseException:
            if handle is not None:
                handle.close()
            raise
        self._handle = handle

    def decode_on(self, background: Executor) -> None:
        """Start decoding the pixels on ``background`` (not a 16-bit image: that is read again at full depth)."""
        if self.deep is None:
            self._decoding = background.submit(self.image.load)

    def close(self) -> None:
        """Drop the image unread: wait for a decoding under way, then close the file."""
        if self._decoding is not None and not self._decoding.cancel():
            with contextlib.suppress(Exception):
                self._decoding.result()
        self._handle.close()

    def finish(self) -> PILImage.Image | Image16:
        """Decode (or take the pixels decoded ahead), turn upright and check: what :func:`read_image` returns."""
        if self._decoding is not None:
            try:
                self._decoding.result()
            except Exception:
                # Decoded again here, under this read's warnings filters and limits: the same data or error.
                self._handle.close()
                return read_image(self.path, self.max_pixels)
            except BaseException:  # interrupted while it waited: the file is not left open
                self.close()
                raise
        image = self.image
        try:
            with _decoding(self.path, self.max_pixels):
                # Decoded by Pillow even when 16-bit (then to 8 bits, and dropped): that
                # checks the whole file (truncation) and reads the text chunks after the pixels.
                image.load()
                if image.format == "TIFF" and _X_RESOLUTION not in image.tag_v2:
                    # Pillow reports 1 dpi for a TIFF without a resolution: writing it would add one.
                    image.info.pop("dpi", None)
                    image.info.pop("resolution", None)
                webp = webp_encoding(self._handle) if image.format == "WEBP" else None
                image.info[FORMAT_KEY] = source_format(image, webp=webp)
                if self.deep is not None:
                    image = _deep_image(self.path, image, self.deep)
                else:
                    # In place: a photo's pixels are not copied when it is already upright.
                    from PIL import ImageOps

                    ImageOps.exif_transpose(image, in_place=True)
        finally:
            self._handle.close()
        if image.mode not in MODES and not isinstance(image, Image16):
            raise BadInputError(
                self.path, f"unsupported image mode {image.mode!r}; supported: {', '.join(MODES)}"
            )
        if "exif" in image.info:
            exif = _without_orientation(image.info["exif"])
            if exif is None:
                del image.info["exif"]
            else:
                image.info["exif"] = exif
        return image


def _decode_into_one_block(image: PILImage.Image) -> None:
    """Have Pillow decode a large RGB ``image`` into one block of memory, not into pieces.

    Pillow allocates an image above its block size (16 MB: a 4-megapixel RGB
    image) in several blocks, which no array can view; in one block, the
    native engine warps the pixels where they are (:func:`~augment.backends.image.rgbx.rgbx_view`)
    instead of copying them out and back (about 100 ms for a 12-megapixel
    photo). The decoder fills the image memory it finds in place.
    """
    core = pil().core
    new_block = getattr(core, "new_block", None)
    if image.mode != "RGB" or new_block is None or 4 * image.width * image.height <= core.get_block_size():
        return
    image.im = new_block(image.mode, image.size)


@contextlib.contextmanager
def _decoding(path: str, max_pixels: int) -> Iterator[None]:
    """Pillow's warnings and failures while it reads ``path`` as BadInputErrors; its limit at least ``max_pixels``."""
    Image = pil()
    try:
        with warnings.catch_warnings(), _pillow_allows(Image, max_pixels):
            # Above MAX_IMAGE_PIXELS Pillow only warns; we refuse (up to 2x
            # the limit such an image would still be decoded into memory).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Pillow warns about damaged metadata (e.g. "Corrupt EXIF data")
            # and decodes on; a per-file run has nowhere to show a warning,
            # and a file that really cannot be decoded still raises below.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
            yield
    except BadInputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadInputError(path, _bomb_reason(Image, exc, max_pixels)) from exc
    except Image.UnidentifiedImageError as exc:
        raise BadInputError(path, "not an image Pillow can identify (unknown format or damaged header)") from exc
    except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError...
        detail = str(exc) or type(exc).__name__
        raise BadInputError(path, f"cannot decode the image: {detail}") from exc


def _deep_image(path: str, image: PILImage.Image, channels: int) -> Image16:
    """The 16-bit colour image Pillow opened (and decoded to 8 bits, as a check) as ``image``."""
    deep = read_deep(path, image, channels)
    image.close()  # its 8-bit pixels are not needed
    if isinstance(deep.info.get("xmp"), (bytes, str)):  # as Pillow does when it turns an image upright
        deep.info["xmp"] = xmp_without_orientation(deep.info["xmp"])
    return deep


def _without_orientation(exif: Any) -> bytes | None:
    """EXIF (bytes, or a ``PIL.Image.Exif``) without its orientation tag; None if nothing is left."""
    Image = pil()
    parsed = Image.Exif()
    parsed.load(exif.tobytes() if isinstance(exif, Image.Exif) else exif)
    parsed.pop(_ORIENTATION, None)
    return parsed.tobytes() if len(parsed) else None


def write_image(data: Any, path: str | os.PathLike[str], *, suffix: str | None = None,
                jpeg_quality: int | str = KEEP, webp_quality: int | str = KEEP) -> None:
    """Save an image (PIL image, :class:`~augment.backends.image.deep.Image16` or array) as ``suffix`` names.

    ``suffix`` defaults to the path's extension. The source's encoder
    settings the image carries are kept for an output of the source's format
    (see :func:`~augment.backends.image.formats.save_options`): JPEG tables
    (unless ``jpeg_quality`` is set), subsampling and progression, lossless
    WebP (unless ``webp_quality`` is set), TIFF compression, PNG text. The ICC
    profile, dpi and EXIF (without an orientation tag) are kept where the
    format can hold them. 16-bit colour is written at 16 bits to PNG and
    TIFF; a mode the format cannot store is converted (alpha is dropped for
    JPEG, 16-bit becomes 8-bit...).
    """
    Image = pil()
    fmt = writer_format(path, suffix, FORMATS, "images")
    if isinstance(data, np.ndarray):
        if data.dtype == np.uint16 and data.ndim == 3 and data.shape[2] in DEEP_MODES:
            data = Image16(data)
        else:
            data = array_to_image(data)
    if isinstance(data, Image16):
        if fmt in _DEEP_FORMATS:
            settings = settings_of(data.info)
            options = _metadata_options(data.info, fmt, settings)
            write_deep(data, path, fmt, settings, options)
            return
        data = eight_bit(data)
    if not isinstance(data, Image.Image):
        raise ValueError(
            f"can only write a PIL.Image.Image, an Image16 or a NumPy array; got {type(data).__name__}"
        )
    settings = source_format(data) if data.format or FORMAT_KEY in data.info else None
    image = writable(data, _SAVE_MODES[fmt])
    options = save_options(fmt, settings, image.mode, jpeg_quality=jpeg_quality, webp_quality=webp_quality)
    options.update(_metadata_options(image.info, fmt, None))
    image.save(path, format=fmt, **options)


def _metadata_options(info: Mapping[Any, Any], fmt: str, settings: SourceFormat | None) -> dict[str, Any]:
    """The writer's options for the metadata in ``info`` that ``fmt`` can hold (and, given ``settings``, PNG text)."""
    options: dict[str, Any] = {}
    icc = info.get("icc_profile")
    if icc and fmt in _ICC_FORMATS:
        options["icc_profile"] = icc
    exif = _without_orientation(info["exif"]) if info.get("exif") else None
    if exif is not None and fmt in _EXIF_FORMATS:
        options["exif"] = exif
    if fmt in _DPI_FORMATS and "dpi" in info:
        options["dpi"] = info["dpi"]
    if fmt in _XMP_FORMATS and info.get("xmp"):
        # Pillow took any orientation out of it when it turned the pixels upright.
        options["xmp"] = info["xmp"]
    if settings is not None and fmt == "PNG":
        options.update(save_options(fmt, settings, "", jpeg_quality=KEEP, webp_quality=KEEP))
    return options


def _too_big(pixels: int, limit: int, size: tuple[int, int] | None = None, *, pillow: bool = False) -> str:
    """Why an image of ``pixels`` pixels (``size``: width, height) is refused, and how to allow it."""
    what = f"{size[0]}x{size[1]} image ({pixels} pixels)" if size else f"image of {pixels} pixels"
    if pillow:  # Pillow's own limit, set lower than max_pixels in this process
        return (f"{what} is above Pillow's decompression-bomb limit of {limit} pixels "
                "(PIL.Image.MAX_IMAGE_PIXELS); refused before decoding it")
    return (f"{what} is above the limit of {limit} pixels (max_pixels in the recipe's [image] table "
            "raises it); refused before decoding it")


def _bomb_reason(Image: Any, exc: BaseException, max_pixels: int) -> str:
    """The reason for Pillow's DecompressionBombError or -Warning: the same as for max_pixels where that applies."""
    match = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = int(match.group(1)) if match else None
    if pixels is None:
        return (f"image above Pillow's decompression-bomb limit of {Image.MAX_IMAGE_PIXELS} pixels "
                "(PIL.Image.MAX_IMAGE_PIXELS); refused before decoding it")
    if pixels > max_pixels:
        return _too_big(pixels, max_pixels)
    return _too_big(pixels, Image.MAX_IMAGE_PIXELS, pillow=True)


# Pillow's own limit (PIL.Image.MAX_IMAGE_PIXELS) is one number for the process: a read
# that raises it to its max_pixels holds this lock, so that two never restore it wrongly.
_PILLOW_LIMIT = threading.Lock()
# Pillow's default limit (about 89.5 megapixels).
_PILLOW_DEFAULT = 1024 * 1024 * 1024 // 4 // 3


@contextlib.contextmanager
def _pillow_allows(Image: Any, max_pixels: int) -> Iterator[None]:
    """Pillow's decompression-bomb limit at least ``max_pixels`` for the block (as it was, after).

    max_pixels is the limit that applies; Pillow's own (which it also checks
    while it reads GIF frames) is raised to it when lower, and left alone
    when None (switched off). Every read whose max_pixels is above Pillow's
    default takes the lock, whatever the limit is when it starts.
    """
    current = Image.MAX_IMAGE_PIXELS
    if current is None or max_pixels <= min(current, _PILLOW_DEFAULT):
        yield
        return
    with _PILLOW_LIMIT:
        saved = Image.MAX_IMAGE_PIXELS
        if saved is not None and saved < max_pixels:
            Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            yield
        finally:
            Image.MAX_IMAGE_PIXELS = saved
