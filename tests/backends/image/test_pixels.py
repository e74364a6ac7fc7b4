"""Tests for augment.backends.image.pixels: pixel modes, arrays and PIL images, conversions for writers."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from augment.backends.image import ImageAugmenter
from augment.backends.image.pixels import (
    MODES,
    PixelLayout,
    array_pixels,
    array_to_image,
    check_array,
    image_pixels,
    ink_brightness,
    palette_of,
    pixels_to_image,
    with_palette,
    writable,
)
from backends.image.helpers import H, W, rgb_image, transparent_square


@pytest.mark.parametrize(
    "shape, dtype, layout",
    [((H, W), np.uint8, PixelLayout(False, 1, False)), ((H, W, 1), np.uint8, PixelLayout(False, 1, False)),
     ((H, W, 2), np.uint8, PixelLayout(True, 1, False)), ((H, W, 3), np.uint16, PixelLayout(False, 257, False)),
     ((H, W, 4), np.uint8, PixelLayout(True, 1, False)), ((H, W), np.uint16, PixelLayout(False, 257, False))],
)
def test_arrays_become_hwc_pixels_with_their_layout(shape, dtype, layout):
    array = np.ones(shape, dtype)
    pixels, got = array_pixels(array)
    assert got == layout and pixels.ndim == 3 and pixels.shape[:2] == (H, W)
    assert np.shares_memory(pixels, array)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.zeros((H, W, 3), np.float64), "dtype uint8 or uint16; got dtype float64"),
        (np.zeros((H, W), np.int32), "dtype"),
        (np.zeros((H, W, 5), np.uint8), "shape"),
        (np.zeros((2, H, W, 3), np.uint8), "shape"),
        (np.zeros((H,), np.uint8), "shape"),
        (np.zeros((0, W, 3), np.uint8), "must not be empty"),
    ],
)
def test_unsupported_arrays_raise_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        check_array(data)
    with pytest.raises(ValueError, match=message):
        ImageAugmenter().augment(data, seed=0)


@pytest.mark.parametrize(
    "mode, channels, layout, via",
    [("1", 1, PixelLayout(False, 1, False), "L"), ("L", 1, PixelLayout(False, 1, False), None),
     ("LA", 2, PixelLayout(True, 1, False), None), ("P", 1, PixelLayout(False, 1, False), "indices"),
     ("RGB", 3, PixelLayout(False, 1, False), None), ("RGBA", 4, PixelLayout(True, 1, False), None),
     ("CMYK", 4, PixelLayout(False, 1, True), None), ("I;16", 1, PixelLayout(False, 257, False), None),
     ("I", 1, PixelLayout(False, 1, False), None), ("F", 1, PixelLayout(False, 1, False), None)],
)
def test_pil_images_become_pixels_and_back_in_their_own_mode(mode, channels, layout, via):
    image = rgb_image(mode)
    pixels, got, got_via = image_pixels(image)
    assert pixels.shape == (H, W, channels) and got == layout and got_via == via
    if mode == "P":
        palette, rawmode = palette_of(image)
        back = with_palette(pixels[..., 0], palette, rawmode)
        with pytest.raises(ValueError, match="with_palette"):
            pixels_to_image(pixels, mode, image.size)
    else:
        back = pixels_to_image(pixels, mode, image.size)
    assert back.mode == mode and back.size == image.size
    assert back.tobytes() == image.tobytes()
    if mode == "P":
        assert back.getpalette() == image.getpalette()


@pytest.mark.parametrize("rawmode", ["RGB", "RGBA"])
def test_a_palette_comes_out_with_its_own_length_and_mode(rawmode):
    image = Image.frombytes("P", (W, H), (np.arange(H * W) % 3).astype(np.uint8).tobytes())
    entries = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120][: 3 * len(rawmode)]
    image.putpalette(entries, rawmode)
    palette, got = palette_of(image)
    assert got == rawmode and palette.shape == (3, len(rawmode)) and palette.dtype == np.uint8
    assert palette.ravel().tolist() == entries
    back = with_palette(np.asarray(image), palette, rawmode)
    assert back.palette.mode == rawmode and back.getpalette(rawmode) == entries


def test_unsupported_pil_mode_raises_value_error():
    assert "YCbCr" not in MODES
    with pytest.raises(ValueError, match="unsupported image mode 'YCbCr'; supported modes: 1, L,"):
        ImageAugmenter().augment(rgb_image().convert("YCbCr"), seed=0)


def test_bilevel_stays_black_and_white():
    out = ImageAugmenter().augment(rgb_image("1"), seed=2)
    assert out.params["via"] == "L"
    assert set(np.unique(np.asarray(out.data.convert("L")))) <= {0, 255}


def test_palette_with_transparency_stays_palette_and_transparent():
    source = transparent_square().convert("RGBA")
    indices = (np.asarray(source)[..., 3] > 0).astype(np.uint8)
    palette = Image.frombytes("P", (W, H), indices.tobytes())
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.info["transparency"] = 0
    result = ImageAugmenter(rotation_range=0, horizontal_flip=False, width_shift_range=[4],
                            height_shift_range=0).augment(palette, seed=6)
    out = result.data
    assert out.mode == "P" and result.params["via"] == "indices"
    assert out.info["transparency"] == 0 and out.getpalette()[:6] == [0, 0, 0, 255, 0, 0]
    rgba = np.asarray(out.convert("RGBA"))
    opaque = rgba[..., 3] > 0
    assert opaque.sum() == (np.asarray(source)[..., 3] > 0).sum()  # a whole-pixel shift
    assert np.all(rgba[opaque][:, :3] == (255, 0, 0))
    assert not np.array_equal(opaque, np.asarray(source)[..., 3] > 0)


def test_ink_brightness_scales_rgb_and_spills_into_cmy_when_black_runs_out():
    inverted = np.array([[[200.0, 150.0, 100.0, 100.0], [200.0, 150.0, 100.0, 200.0]]])
    out = ink_brightness(inverted, 2.0, 255.0)
    assert out[0, 0].tolist() == [200.0, 150.0, 100.0, 200.0]  # K alone takes the factor
    assert out[0, 1, 3] == 255.0
    assert out[0, 1, :3] == pytest.approx(np.array([200.0, 150.0, 100.0]) * 400 / 255)
    assert np.array_equal(inverted[0, 1], [200.0, 150.0, 100.0, 200.0])  # the input is untouched


def test_array_to_image_picks_the_mode_from_the_channels():
    assert [array_to_image(np.zeros(s, np.uint8)).mode for s in ((H, W), (H, W, 1), (H, W, 2), (H, W, 3),
                                                                  (H, W, 4))] == ["L", "L", "LA", "RGB", "RGBA"]
    sixteen = array_to_image(np.full((H, W), 51400, np.uint16))
    assert sixteen.mode == "I;16" and np.asarray(sixteen).max() == 51400
    with pytest.raises(ValueError, match="only single-channel uint16 arrays can be written"):
        array_to_image(np.zeros((H, W, 3), np.uint16))


@pytest.mark.parametrize(
    "mode, allowed, expected",
    [("RGBA", {"RGB", "L"}, "RGB"), ("LA", {"L", "RGB", "RGBA"}, "RGBA"), ("LA", {"L", "RGB"}, "L"),
     ("LA", {"LA", "RGBA"}, "LA"),
     ("I;16", {"L", "RGB"}, "L"), ("I", {"RGB"}, "RGB"), ("CMYK", {"RGB", "RGBA"}, "RGB"),
     ("P", {"RGB", "RGBA"}, "RGB"), ("1", {"RGB", "L"}, "L"), ("RGB", {"RGB"}, "RGB")],
)
def test_writable_converts_to_a_mode_the_writer_stores(mode, allowed, expected):
    image = rgb_image(mode) if mode != "I" else Image.fromarray(np.full((H, W), 300, np.int32))
    image.info["dpi"] = (72, 72)
    out = writable(image, frozenset(allowed))
    assert out.mode == expected and out.info["dpi"] == (72, 72)
    if mode == expected:
        assert out is image


def test_sixteen_bit_becomes_eight_bit_by_scale_and_wider_values_are_clipped():
    sixteen = Image.frombytes("I;16", (W, H), np.full((H, W), 51400, "<u2").tobytes())
    assert np.asarray(writable(sixteen, frozenset({"L"}))).max() == 200
    wide = Image.fromarray(np.full((H, W), 300, np.int32))
    assert np.asarray(writable(wide, frozenset({"L"}))).max() == 255
