"""Shared by the image backend's tests: small in-memory images of every mode, and a TensorFlow-free subprocess."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from PIL import Image

W, H = 32, 24
# Only photometric changes: every pixel stays where it is.
STILL = dict(rotation_range=0, width_shift_range=0, height_shift_range=0, horizontal_flip=False)
# Every parameter of the one op at Keras' defaults, and at this project's (the shorthand's).
KERAS = dict(rotation_range=0, width_shift_range=0.0, height_shift_range=0.0, brightness_range=None,
             shear_range=0.0, zoom_range=0.0, channel_shift_range=0.0, fill_mode="nearest", cval=0.0,
             horizontal_flip=False, vertical_flip=False, interpolation_order=1)
PROJECT = dict(KERAS, rotation_range=30, width_shift_range=0.2, height_shift_range=0.2, horizontal_flip=True)


def rgb_array(seed: int = 0) -> np.ndarray:
    """A smooth gradient with a coloured block: interpolation and flips both show."""
    yy, xx = np.mgrid[0:H, 0:W]
    base = (xx * 255 // (W - 1) + yy * 3 + seed * 37) % 256
    rgb = np.stack([base, np.roll(base, 7, axis=1), 255 - base], axis=-1).astype(np.uint8)
    rgb[H // 4: H // 2, W // 4: W // 2] = (200, 30, 90)
    return rgb


def rgb_image(mode: str = "RGB") -> Image.Image:
    """:func:`rgb_array` as a PIL image of ``mode`` (alpha modes get a real alpha gradient)."""
    image = Image.fromarray(rgb_array())
    if mode == "I;16":
        values = np.asarray(image.convert("L")).astype(np.uint16) * 257
        return Image.frombytes("I;16", (W, H), values.astype("<u2").tobytes())
    if mode == "P":
        return image.quantize(colors=16)
    image = image if mode == "RGB" else image.convert(mode)
    if mode in ("LA", "RGBA"):
        # Real transparency: encoders (WebP) drop an alpha channel that is all opaque.
        alpha = np.tile(np.linspace(40, 255, W).astype(np.uint8), (H, 1))
        image.putalpha(Image.fromarray(alpha))
    return image


def transparent_square() -> Image.Image:
    """Fully transparent except an opaque red square."""
    rgba = np.zeros((H, W, 4), np.uint8)
    rgba[4:12, 6:16] = (255, 0, 0, 255)
    return Image.fromarray(rgba)


def save(image: Image.Image, path, **options):
    """Save ``image`` to ``path`` and return the path."""
    image.save(path, **options)
    return path


def tf_free_python(code: str) -> str:
    """Run ``code`` in a fresh interpreter; its stdout, stripped."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()
