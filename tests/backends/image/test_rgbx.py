"""Tests for augment.backends.image.rgbx: an RGB image's own memory, seen as HxWx4 without a copy."""

from __future__ import annotations

import gc

import numpy as np
import pytest
from PIL import Image

from augment.backends.image.augmenter import ImageAugmenter
from augment.backends.image.pixels import image_pixels, pixels_to_image
from augment.backends.image.rgbx import rgbx_view


def _photo(width=64, height=48, seed=0) -> Image.Image:
    values = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return Image.fromarray(values, "RGB")


def test_the_view_is_the_images_pixels_read_only_and_outlives_the_image():
    image = _photo()
    view = rgbx_view(image)
    assert view is not None and view.shape == (48, 64, 4) and view.dtype == np.uint8
    assert np.array_equal(view[..., :3], np.asarray(image)) and not view.flags.writeable
    expected = np.asarray(image).copy()
    del image
    gc.collect()
    [np.full((48, 64, 4), 7, np.uint8) for _ in range(50)]  # memory reused, were the export freed
    assert np.array_equal(view[..., :3], expected)


@pytest.mark.parametrize("image", [Image.new("RGBA", (8, 8)), Image.new("L", (8, 8)), Image.new("P", (8, 8)),
                                   Image.new("RGB", (3000, 2000))], ids=["RGBA", "L", "P", "several blocks"])
def test_no_view_where_there_is_none_to_take(image):
    assert rgbx_view(image) is None


@pytest.mark.parametrize("fill_mode", ["nearest", "reflect", "constant", "wrap"])
@pytest.mark.parametrize("colour", [False, True])
def test_an_rgb_image_augments_to_the_same_bytes_as_through_packed_pixels(fill_mode, colour):
    """The view path (geometry only) and the packed path agree byte for byte; colour ops take the packed one."""
    image = _photo(seed=3)
    op = {"op": "ImageDataGenerator", "rotation_range": 30, "width_shift_range": 0.2, "zoom_range": 0.2,
          "shear_range": 10, "horizontal_flip": True, "fill_mode": fill_mode, "cval": 40}
    if colour:
        op |= {"channel_shift_range": 30.0, "brightness_range": [0.7, 1.3]}
    augmenter = ImageAugmenter(ops=[op])
    for seed in range(6):
        result = augmenter.augment(image, seed=seed)
        transform = {k: v for k, v in result.params["ops"][0].items() if k not in ("op", "engine")}
        pixels, layout, _ = image_pixels(image)
        packed = pixels_to_image(augmenter._engine.apply(pixels, transform, layout), "RGB", image.size)
        assert result.data.tobytes() == packed.tobytes()
