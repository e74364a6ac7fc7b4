"""Tests for augment.backends.image.engine: what every engine shares when it applies a transform."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from augment.backends.image import ImageAugmenter
from augment.backends.image.engine import Engine
from augment.backends.image.pixels import PixelLayout
from backends.image.helpers import STILL, H, W, rgb_image

NOTHING = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0, "flip_horizontal": False,
           "flip_vertical": False, "channel_shift_intensity": None, "brightness": None}
PLAIN = PixelLayout(alpha=False, value_scale=1, ink=False)


class StubEngine(Engine):
    """Moves nothing but flips; records what the shared code hands it."""

    name = "stub"

    def __init__(self, params=None):
        super().__init__(params or {})
        self.seen: list = []

    def sample(self, shape):
        return dict(NOTHING)

    def warp(self, work, transform, value_scale):
        self.seen.append(("warp", work.dtype, work.copy(), value_scale))
        return work[:, ::-1] if transform["flip_horizontal"] else work

    def shift_channels(self, colour, intensity):
        self.seen.append(("shift", colour.shape, intensity))
        return np.clip(colour + intensity, colour.min(), colour.max())


def test_the_engine_takes_keras_defaults_for_what_the_op_leaves_out():
    engine = StubEngine({"rotation_range": 5})
    assert engine.params["rotation_range"] == 5 and engine.params["horizontal_flip"] is False
    assert len(engine.params) == 12


@pytest.mark.parametrize("dtype, work", [(np.uint8, np.float32), (np.uint16, np.float32), (np.int32, np.float64),
                                         (np.float32, np.float32)])
def test_nothing_to_do_gives_the_pixels_back_exactly_at_a_precision_that_holds_them(dtype, work):
    values = np.arange(H * W * 3).reshape(H, W, 3)
    pixels = (values * (2**31 // values.max() - 1) if dtype == np.int32 else values % 250 + 0.25).astype(dtype)
    engine = StubEngine()
    out = engine.apply(pixels, NOTHING, PLAIN)
    assert out.dtype == dtype and np.array_equal(out, pixels)
    assert engine.seen[0][1] == work


def test_brightness_multiplies_colour_rounds_and_clips_without_wrapping_and_leaves_alpha():
    pixels = np.array([[[1, 3, 5, 77], [100, 101, 200, 77]],
                       [[0, 254, 255, 77], [7, 9, 11, 77]]], np.uint8)
    out = StubEngine().apply(pixels, {**NOTHING, "brightness": 1.5}, PixelLayout(True, 1, False))
    assert out[..., :3].tolist() == [[[2, 4, 8], [150, 152, 255]], [[0, 255, 255], [10, 14, 16]]]
    assert np.array_equal(out[..., 3], pixels[..., 3])


def test_the_channel_shift_is_scaled_to_the_pixels_and_skips_alpha():
    pixels = np.full((4, 5, 2), 1000, np.uint16)
    pixels[0, 0, 0] = 60000
    engine = StubEngine()
    out = engine.apply(pixels, {**NOTHING, "channel_shift_intensity": 10.0}, PixelLayout(True, 257, False))
    assert ("shift", (4, 5, 1), 2570.0) in engine.seen
    assert engine.seen[0][3] == 257  # the geometry's value scale (cval)
    assert out[1, 1, 0] == 3570 and out[0, 0, 0] == 60000 and np.all(out[..., 1] == 1000)


def test_geometry_moves_alpha_with_the_colour():
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    out = StubEngine().apply(pixels, {**NOTHING, "flip_horizontal": True}, PixelLayout(True, 1, False))
    assert np.array_equal(out, pixels[:, ::-1])


def test_cmyk_works_on_inverted_ink():
    cmyk = np.array([[[10, 20, 30, 40]]], np.uint8)
    engine = StubEngine()
    out = engine.apply(cmyk, NOTHING, PixelLayout(False, 1, True))
    assert np.array_equal(engine.seen[0][2], 255 - cmyk.astype(np.float32)) and np.array_equal(out, cmyk)
    darker = engine.apply(cmyk, {**NOTHING, "brightness": 0.5}, PixelLayout(False, 1, True))
    before = np.asarray(Image.fromarray(cmyk, "CMYK").convert("RGB"), float)
    after = np.asarray(Image.fromarray(darker, "CMYK").convert("RGB"), float)
    assert np.abs(after - before * 0.5).max() <= 1.5


# -- through the augmenter (the Keras engine) ---------------------------------------


def test_sixteen_bit_values_are_kept_brightness_scales_and_clips_without_wrapping():
    values = (np.arange(H * W).reshape(H, W) * 80 + 500).astype(np.uint16)  # 500..61,820
    aug = ImageAugmenter(**{**STILL, "rotation_range": 10})
    moved = aug.augment(values, seed=3).data
    assert moved.dtype == np.uint16 and moved.max() > 30000 and not np.array_equal(moved, values)
    half = ImageAugmenter(brightness_range=[0.5, 0.5], **STILL).augment(values, seed=3).data
    assert np.array_equal(half, np.rint(values / 2).astype(np.uint16))
    double = ImageAugmenter(brightness_range=[2.0, 2.0], **STILL).augment(values, seed=3).data
    assert np.array_equal(double, np.minimum(values.astype(np.int64) * 2, 65535).astype(np.uint16))


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_colour_operations_leave_alpha_alone(mode):
    image = rgb_image(mode)
    alpha = np.asarray(image)[..., -1].copy()
    assert len(np.unique(alpha)) > 10
    aug = ImageAugmenter(brightness_range=[0.5, 0.5], channel_shift_range=30, **STILL)
    out = np.asarray(aug.augment(image, seed=1).data)
    assert np.array_equal(out[..., -1], alpha)
    assert not np.array_equal(out[..., :-1], np.asarray(image)[..., :-1])


def test_cmyk_brightness_brightens():
    image = rgb_image("CMYK")
    out = ImageAugmenter(brightness_range=[1.5, 1.5], **STILL).augment(image, seed=0).data
    assert out.mode == "CMYK"
    before = np.asarray(image.convert("RGB"), dtype=float).mean()
    assert np.asarray(out.convert("RGB"), dtype=float).mean() > before + 10
