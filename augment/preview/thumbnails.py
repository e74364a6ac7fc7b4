"""Image thumbnails for a preview: any file the image backend writes, as an 8-bit RGB picture.

The file is shown as the image backend sees it: EXIF orientation applied
(the backend applies it on reading, so a copy and its original line up),
the first frame of an animation, 16-bit and float values brought to 8 bits
by their type's range (not stretched per image, so an original and its copy
keep their relative brightness), alpha over a checkerboard. A large JPEG is
decoded at reduced size (Pillow's ``draft``), so a 50-megapixel photo costs a
fraction of a full decode. Small images (a 32x32 digit) are enlarged with
whole-pixel steps, so their pixels stay visible.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["thumbnail"]

_CHECKER = 8


def _to_rgb(image: PILImage.Image) -> PILImage.Image:
    from PIL import Image

    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N"):
        values = np.asarray(image, dtype=np.float64) / 257.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 1.0 if image.mode == "F" and np.nanmax(values, initial=0.0) <= 1.0 else (
            255.0 if image.mode == "F" or np.nanmax(values, initial=0.0) <= 255 else 65535.0)
        scaled = np.nan_to_num(values / top * 255.0)
        return Image.fromarray(np.clip(np.rint(scaled), 0, 255).astype(np.uint8)).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        ys, xs = np.mgrid[0: rgba.height, 0: rgba.width]
        checker = np.where(((ys // _CHECKER) + (xs // _CHECKER)) % 2 == 0, 235, 200).astype(np.uint8)
        background = Image.fromarray(np.stack([checker] * 3, axis=-1)).convert("RGBA")
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _open(data: bytes | BinaryIO, box: int) -> PILImage.Image:
    from PIL import Image, ImageOps

    stream = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        opened = Image.open(stream)
        opened.draft("RGB", (box, box))  # JPEG only: decode at 1/2, 1/4 or 1/8 scale when that is enough
        image = ImageOps.exif_transpose(opened)
        image.load()
        return image
    except Image.DecompressionBombError:
        raise
    except Exception as first:
        # 16-bit colour TIFFs, which Pillow cannot hold (the backend writes them with tifffile).
        try:
            import tifffile
        except ImportError:
            raise first from None
        try:
            stream.seek(0)
            array = np.asarray(tifffile.imread(stream))
        except Exception:
            raise first from None
        if array.dtype == np.uint16:
            array = np.rint(array / 257.0).astype(np.uint8)
        if array.ndim == 3 and array.shape[-1] > 3:
            array = array[..., :3]
        return Image.fromarray(np.ascontiguousarray(array.astype(np.uint8)))


def thumbnail(data: bytes | BinaryIO, box: int) -> PILImage.Image:
    """The image in ``data`` (a file's bytes, or the file opened) as an RGB picture fitting a ``box`` square.

    Raises:
        Exception: Whatever Pillow (or tifffile) raises for data it cannot decode;
            the caller shows the reason in place of the picture.
    """
    from PIL import Image

    image = _to_rgb(_open(data, box))
    width, height = image.size
    scale = box / max(width, height)
    if scale >= 2:
        step = int(scale)  # whole-pixel enlargement: a small image's pixels stay sharp
        return image.resize((width * step, height * step), Image.Resampling.NEAREST)
    if scale < 1:
        image.thumbnail((box, box), Image.Resampling.LANCZOS)
    return image
