"""Pixel modes: turning PIL images and arrays into the HxWxC pixels an engine transforms, and back.

Mode and size survive an augmentation: ``1``, ``L``, ``LA``, ``P`` (its
indices are moved, by nearest neighbour, and its palette is kept: see
:func:`palette_of`), ``RGB``, ``RGBA``, ``CMYK``, 16-bit ``I;16``/``I;16B``,
32-bit ``I`` and float ``F``. Arrays are uint8 or uint16, HxW or HxWxC with C
in 1..4 (2 and 4 end with alpha).

For CMYK the colour operations work on inverted ink (255 - value) so that they
mean what they mean for RGB (see :func:`ink_brightness`); for 16-bit images
``cval`` and the channel shift, given on the 8-bit scale, are multiplied by
:data:`SIXTEEN_BIT_SCALE`. The same module converts whatever a format's writer
cannot store (:func:`writable`). Pillow is imported on first use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from augment.core.registry import install_hint

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "ALPHA_MODES",
    "MODES",
    "PILLOW_BLOCKS_KEPT",
    "SIXTEEN_BIT",
    "SIXTEEN_BIT_SCALE",
    "PixelLayout",
    "array_pixels",
    "array_to_image",
    "check_array",
    "has_palette_alpha",
    "image_pixels",
    "ink_brightness",
    "pil",
    "palette_of",
    "pixels_to_image",
    "with_palette",
    "writable",
]

SIXTEEN_BIT = ("I;16", "I;16L", "I;16B")
#: Every PIL mode an augmentation keeps.
MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I", "F", *SIXTEEN_BIT)
ALPHA_MODES = frozenset({"LA", "RGBA"})
#: 65535 / 255: cval and channel shifts are given on the 8-bit scale.
SIXTEEN_BIT_SCALE = 257


@dataclass(frozen=True)
class PixelLayout:
    """What an engine must know about the pixels it transforms, beyond their shape and dtype.

    Attributes:
        alpha: The last channel is alpha: it moves with the geometry, but no
            colour operation touches it.
        value_scale: The factor from the 8-bit scale (of cval and channel
            shifts) to the pixels' own (257 for 16-bit images, else 1).
        ink: CMYK pixels: colour operations work on the inverted values.
    """

    alpha: bool
    value_scale: int
    ink: bool


#: Freed image blocks Pillow keeps for the next image (unless PILLOW_BLOCKS_MAX says otherwise).
PILLOW_BLOCKS_KEPT = 4
_blocks_set = False


def pil() -> Any:
    """The ``PIL.Image`` module, imported on first use.

    On first use it also lets Pillow keep a few freed image blocks (at most
    :data:`PILLOW_BLOCKS_KEPT`, each at most Pillow's 16 MB block size) for
    the next image: a run makes images of one size over and over, and a fresh
    allocation each time costs its page faults again (a quarter of the CPU
    time spent outside the codec and the warp, measured on 512x384 JPEGs).
    A ``PILLOW_BLOCKS_MAX`` in the environment (Pillow's own setting) wins.
    """
    global _blocks_set
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError(
            f"the image backend needs Pillow ({exc}); install it with: {install_hint('image')}"
        ) from exc
    if not _blocks_set:
        _blocks_set = True
        if "PILLOW_BLOCKS_MAX" not in os.environ and Image.core.get_blocks_max() == 0:
            Image.core.set_blocks_max(PILLOW_BLOCKS_KEPT)
    return Image


def check_array(array: np.ndarray) -> None:
    """Raise ValueError unless ``array`` is an image array (dtype, shape, not empty)."""
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image arrays must have dtype uint8 or uint16; got dtype {array.dtype}")
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (1, 2, 3, 4))):
        raise ValueError(
            "image arrays must be HxW or HxWxC with C in 1..4 (2 and 4 end with alpha); "
            f"got shape {array.shape}"
        )
    if 0 in array.shape:
        raise ValueError(f"image arrays must not be empty; got shape {array.shape}")


def array_pixels(array: np.ndarray) -> tuple[np.ndarray, PixelLayout]:
    """An image array as HxWxC pixels (a view) and their layout; ValueError if it is not one."""
    check_array(array)
    pixels = array[..., None] if array.ndim == 2 else array
    scale = SIXTEEN_BIT_SCALE if array.dtype == np.uint16 else 1
    return pixels, PixelLayout(alpha=pixels.shape[2] in (2, 4), value_scale=scale, ink=False)


def has_palette_alpha(image: PILImage.Image) -> bool:
    """Whether a palette image has transparency (a transparent index or an RGBA palette)."""
    return "transparency" in image.info or (
        image.palette is not None and image.palette.mode == "RGBA"
    )


def image_pixels(image: PILImage.Image) -> tuple[np.ndarray, PixelLayout, str | None]:
    """A PIL image as HxWxC pixels, their layout, and the mode they are in if not the image's own.

    Palette images give their indices (HxWx1, ``"indices"``: no colour
    operation may touch them), bilevel ones are augmented in L.

    Raises:
        ValueError: The image's mode is not one of :data:`MODES`.
    """
    mode = image.mode
    if mode not in MODES:
        raise ValueError(f"unsupported image mode {mode!r}; supported modes: {', '.join(MODES)}")
    source = image
    via = None
    if mode == "P":
        via = "indices"
    elif mode == "1":
        source = image.convert("L")
        via = "L"
    pixels = np.asarray(source)
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    scale = SIXTEEN_BIT_SCALE if mode in SIXTEEN_BIT else 1
    layout = PixelLayout(alpha=source.mode in ALPHA_MODES, value_scale=scale, ink=mode == "CMYK")
    return pixels, layout, via


def palette_of(image: PILImage.Image) -> tuple[np.ndarray, str]:
    """A palette image's palette as an NxC uint8 array (C 3, or 4 for an RGBA palette) and its raw mode.

    N is the number of entries the image defines (a shorter palette is
    written with fewer bits per index: keeping N keeps that too).
    """
    rawmode = "RGBA" if image.palette is not None and image.palette.mode == "RGBA" else "RGB"
    values = np.array(image.getpalette(rawmode) or [0] * len(rawmode), dtype=np.uint8)
    return values.reshape(-1, len(rawmode))[:256], rawmode


def with_palette(indices: np.ndarray, palette: np.ndarray, rawmode: str) -> PILImage.Image:
    """A palette image of HxW uint8 ``indices`` and a palette from :func:`palette_of`."""
    Image = pil()
    height, width = indices.shape[:2]
    out = Image.frombytes("P", (width, height), np.ascontiguousarray(indices, dtype=np.uint8))
    out.putpalette(np.ascontiguousarray(palette).tobytes(), rawmode)
    return out


def pixels_to_image(pixels: np.ndarray, mode: str, size: tuple[int, int]) -> PILImage.Image:
    """Pixels from :func:`image_pixels` (transformed) back into a PIL image of ``mode`` and ``size``.

    Palette images are built by :func:`with_palette` instead (they need their palette).
    """
    Image = pil()
    if mode == "P":
        raise ValueError("palette images are built with with_palette(indices, palette, rawmode)")
    if mode == "1":
        # A plain threshold: dithering would sprinkle noise over the edges.
        gray = Image.frombytes("L", size, np.ascontiguousarray(pixels).tobytes())
        return gray.convert("1", dither=Image.Dither.NONE)
    # The array itself is the buffer Pillow decodes from: no bytes copy of the pixels.
    return Image.frombytes(mode, size, np.ascontiguousarray(pixels))


def ink_brightness(inverted: np.ndarray, factor: float, top: float) -> np.ndarray:
    """Scale the light of inverted CMYK pixels by ``factor``.

    Pillow renders CMYK as R = (255 - C) * (255 - K) / 255 (and so on), so
    multiplying the inverted K by the factor multiplies R, G and B by it. Where
    K runs out (inverted K reaches the top), the rest of the factor goes to the
    inverted C, M and Y, which is still exact until they saturate too.
    """
    out = inverted.copy()
    wanted = inverted[..., 3] * factor
    black = np.minimum(wanted, top)
    rest = np.divide(wanted, black, out=np.ones_like(wanted), where=black > 0)
    out[..., :3] *= rest[..., None]
    out[..., 3] = black
    return out


def array_to_image(array: np.ndarray) -> PILImage.Image:
    """The PIL image an in-memory array stands for (single-channel uint16 becomes ``I;16``)."""
    Image = pil()
    check_array(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    height, width = array.shape[:2]
    if array.dtype == np.uint16:
        if array.ndim != 2:
            raise ValueError(
                "only single-channel uint16 arrays can be written (Pillow has no 16-bit colour "
                f"modes); got shape {array.shape}"
            )
        return Image.frombytes("I;16", (width, height), array.astype("<u2").tobytes())
    mode = {2: "L", 3: {2: "LA", 3: "RGB", 4: "RGBA"}.get(array.shape[-1])}[array.ndim]
    return Image.frombytes(mode, (width, height), np.ascontiguousarray(array).tobytes())


def _to_eight_bit(image: PILImage.Image) -> PILImage.Image:
    Image = pil()
    values = np.asarray(image).astype(np.float64)
    if image.mode in SIXTEEN_BIT:
        values = values / SIXTEEN_BIT_SCALE
    values = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return Image.frombytes("L", image.size, values.tobytes())


def writable(image: PILImage.Image, allowed: frozenset[str]) -> PILImage.Image:
    """``image`` in one of the ``allowed`` modes (a format's writer's), unchanged when it already is.

    16-bit, 32-bit and float images become 8-bit grayscale; then alpha is
    kept if the format can hold it (LA, else RGBA), then grayness (L), else
    the image becomes RGB.
    """
    if image.mode in allowed:
        return image
    info = dict(image.info)
    if image.mode in (*SIXTEEN_BIT, "I", "F"):
        image = _to_eight_bit(image)
        if image.mode in allowed:
            image.info.update(info)
            return image
    alpha = image.mode in ("LA", "RGBA", "PA") or (image.mode == "P" and has_palette_alpha(image))
    gray = image.mode in ("1", "L", "LA")
    candidates = (["LA"] if alpha and gray else []) + (["RGBA"] if alpha else [])
    candidates += (["L"] if gray else []) + ["RGB"]
    target = next(mode for mode in candidates if mode in allowed)
    converted = image.convert(target)
    converted.info.update({k: v for k, v in info.items() if k != "transparency"})
    return converted
