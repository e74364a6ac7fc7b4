"""Tests for augment.backends.image.opencv_engine: the native engine, replayed through Keras.

Every output of the native engine is replayed through Keras'
``ImageDataGenerator.apply_transform`` (the Keras engine, which is that call
plus the colour steps every engine shares) with the transform the output
recorded, for every fill mode, both interpolation orders, every pixel mode, on
photo-like and hard-edge images. The tolerance is the README's: at order 1, at
most one level apart on 99.9 % of values and at most eight anywhere (on the
pixels' own scale: x257 for 16-bit); at order 0, values differ only where the
source coordinate sits on a rounding tie.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from augment.backends.image import ImageAugmenter
from augment.backends.image.affine import inverse_map
from augment.backends.image.engine import Engine
from augment.backends.image.keras_engine import KerasEngine
from augment.backends.image.opencv_engine import OpenCVEngine
from augment.backends.image.pixels import PixelLayout, array_pixels, image_pixels
from augment.core.seeding import global_rng

H, W = 53, 71  # odd sizes: the centre is between pixels on neither axis
FILL_MODES = ["nearest", "reflect", "wrap", "constant"]
GEOMETRY = dict(rotation_range=35, width_shift_range=0.2, height_shift_range=0.2, shear_range=15,
                zoom_range=0.25, horizontal_flip=True, vertical_flip=True, cval=77)
COLOUR = dict(GEOMETRY, channel_shift_range=25, brightness_range=[0.7, 1.3])
SEEDS = range(6)


def _photo(channels: int) -> np.ndarray:
    """Smooth, like a photograph: a gradient and soft blobs."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    planes = []
    for c in range(channels):
        blob = sum(np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r)) * a
                   for cx, cy, r, a in ((15 + 9 * c, 12, 9, 150), (50, 35 - 5 * c, 14, 120), (35, 45, 6, -90)))
        planes.append(np.clip(40 + 2 * xx + yy + blob, 0, 255))
    return np.stack(planes, axis=-1)


def _text(channels: int) -> np.ndarray:
    """Black text on white: hard edges everywhere."""
    image = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for row in range(0, H, 12):
        draw.text((2 - row // 3, row), "Keras WwMm 0123", fill=0, font=font)
    return np.repeat(np.asarray(image, np.float64)[..., None], channels, axis=-1)


def _stripes(channels: int) -> np.ndarray:
    """One- and two-pixel stripes in both directions."""
    yy, xx = np.mgrid[0:H, 0:W]
    planes = [((xx // (c + 1) + yy // 2) % 2) * 255.0 for c in range(channels)]
    return np.stack(planes, axis=-1)


def _noise(channels: int) -> np.ndarray:
    return np.random.default_rng(channels).integers(0, 256, (H, W, channels)).astype(np.float64)


KINDS = {"photo": _photo, "text": _text, "stripes": _stripes, "noise": _noise}


def _image(kind: str, mode: str):
    """(data for ImageAugmenter.augment, its pixels, their layout, the value scale of one level)."""
    channels = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "RGB16": 3, "I;16": 1, "F": 1, "CMYK": 4}[mode]
    values = KINDS[kind](channels)
    if mode in ("RGB16", "I;16"):
        array = (values * 257).astype(np.uint16)
        if mode == "I;16":
            image = Image.frombytes("I;16", (W, H), array[..., 0].astype("<u2").tobytes())
            pixels, layout, _ = image_pixels(image)
            return image, pixels, layout, 257
        pixels, layout = array_pixels(array)
        return array, pixels, layout, 257
    if mode == "F":
        image = Image.frombytes("F", (W, H), (values[..., 0] + 0.25).astype(np.float32).tobytes())
        pixels, layout, _ = image_pixels(image)
        return image, pixels, layout, 1
    array = values.astype(np.uint8)
    if mode == "CMYK":
        image = Image.frombytes("CMYK", (W, H), array.tobytes())
        pixels, layout, _ = image_pixels(image)
        return image, pixels, layout, 1
    pixels, layout = array_pixels(array)
    return array, pixels, layout, 1


def _on_a_tie(transform: dict, shape: tuple[int, ...]) -> np.ndarray:
    """Output pixels whose source coordinate (on either axis) is within 1/256 of a rounding tie."""
    height, width = shape[:2]
    matrix = inverse_map(transform, height, width)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    if transform["flip_vertical"]:
        rows = rows[::-1]
    if transform["flip_horizontal"]:
        cols = cols[:, ::-1]
    tie = np.zeros((height, width), bool)
    for axis in (0, 1):
        coords = rows * matrix[axis, 0] + cols * matrix[axis, 1] + matrix[axis, 2]
        tie |= np.abs(coords - np.floor(coords) - 0.5) < 1 / 256
    return tie


def _replay(mode: str, kind: str, fill_mode: str, order: int, params: dict) -> tuple[float, float]:
    """Augment with the native engine, replay through Keras; (fraction of values > 1 level off, max levels off)."""
    data, pixels, layout, level = _image(kind, mode)
    op = {"op": "ImageDataGenerator", **params, "fill_mode": fill_mode, "interpolation_order": order}
    aug = ImageAugmenter(ops=[{**op, "engine": "opencv"}])
    keras = KerasEngine({k: v for k, v in op.items() if k != "op"})
    over = total = 0
    worst = 0.0
    for seed in SEEDS:
        result = aug.augment(data, seed=seed)
        recorded = {k: v for k, v in result.params["ops"][0].items() if k not in ("op", "engine")}
        ours = np.asarray(result.data, dtype=np.float64).reshape(pixels.shape)
        expected = keras.apply(pixels, recorded, layout).astype(np.float64)
        diff = np.abs(ours - expected) / level
        if order == 0:
            # A sample on a rounding tie may take its neighbour: OpenCV rounds ties its own way.
            diff[np.broadcast_to(_on_a_tie(recorded, pixels.shape)[..., None], diff.shape)] = 0
        over += int((diff > 1).sum())
        total += diff.size
        worst = max(worst, float(diff.max()))
    return over / total, worst


def _assert_within_tolerance(fraction: float, worst: float, order: int) -> None:
    if order == 1:
        assert fraction <= 0.001 and worst <= 8, (fraction, worst)
    else:
        assert worst <= 1, (fraction, worst)


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("kind", list(KINDS))
def test_rgb_outputs_replay_through_keras_within_tolerance(kind, fill_mode, order):
    for params in (GEOMETRY, COLOUR):
        _assert_within_tolerance(*_replay("RGB", kind, fill_mode, order, params), order)


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "RGB16", "I;16", "F", "CMYK"])
def test_every_pixel_mode_replays_through_keras_within_tolerance(mode, fill_mode, order):
    for kind in ("photo", "text"):
        for params in (GEOMETRY, COLOUR):
            _assert_within_tolerance(*_replay(mode, kind, fill_mode, order, params), order)


def test_the_native_engine_draws_exactly_what_keras_draws():
    params = dict(COLOUR, zoom_range=[0.8, 1.1], width_shift_range=4)
    for seed in range(20):
        with global_rng(seed):
            ours = OpenCVEngine(params).sample((H, W, 3))
        with global_rng(seed):
            keras = KerasEngine(params).sample((H, W, 3))
        assert ours == keras


def test_outputs_of_the_two_engines_record_the_same_transform_and_their_engine():
    native = ImageAugmenter(**COLOUR).augment(_photo(3).astype(np.uint8), seed=3).params["ops"][0]
    keras = ImageAugmenter(**COLOUR, engine="keras").augment(_photo(3).astype(np.uint8), seed=3).params["ops"][0]
    assert native.pop("engine") == "opencv" and keras.pop("engine") == "keras"
    assert native == keras


def test_a_transform_that_only_flips_is_an_exact_flip():
    array = _noise(3).astype(np.uint8)
    aug = ImageAugmenter(ops=[{"op": "ImageDataGenerator", "horizontal_flip": True, "vertical_flip": True}])
    seen = set()
    for seed in range(12):
        result = aug.augment(array, seed=seed)
        entry = result.params["ops"][0]
        flip_h, flip_v = entry["flip_horizontal"], entry["flip_vertical"]
        seen.add((flip_h, flip_v))
        expected = array[::-1 if flip_v else 1, ::-1 if flip_h else 1]
        assert np.array_equal(result.data, expected) and result.data.flags.c_contiguous
    assert len(seen) == 4


def test_integer_shifts_with_nearest_neighbours_move_pixels_exactly():
    array = _noise(3).astype(np.uint8)
    for fill_mode in FILL_MODES:
        aug = ImageAugmenter(ops=[{"op": "ImageDataGenerator", "width_shift_range": 6, "height_shift_range": 4,
                                   "fill_mode": fill_mode, "interpolation_order": 0}])
        keras = KerasEngine({"width_shift_range": 6, "height_shift_range": 4, "fill_mode": fill_mode,
                             "interpolation_order": 0})
        for seed in range(8):
            result = aug.augment(array, seed=seed)
            recorded = {k: v for k, v in result.params["ops"][0].items() if k not in ("op", "engine")}
            expected = keras.apply(array, recorded, PixelLayout(False, 1, False))
            assert np.array_equal(result.data, expected), (fill_mode, seed)


def test_constant_fill_is_cval_on_every_scale_and_alpha_is_filled_too():
    transform = {"theta": 45.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0,
                 "flip_horizontal": False, "flip_vertical": False, "channel_shift_intensity": None,
                 "brightness": None}
    engine = OpenCVEngine({"fill_mode": "constant", "cval": 100})
    eight = engine.apply(np.full((H, W, 2), 7, np.uint8), transform, PixelLayout(True, 1, False))
    sixteen = engine.apply(np.full((H, W, 1), 7, np.uint16), transform, PixelLayout(False, 257, False))
    # CMYK works on inverted ink: cval 100 is 255 - 100 in the file's own values.
    ink = engine.apply(np.full((H, W, 4), 7, np.uint8), transform, PixelLayout(False, 1, True))
    assert list(eight[0, 0]) == [100, 100] and sixteen[0, 0, 0] == 25700 and list(ink[0, 0]) == [155] * 4
    assert list(eight[H // 2, W // 2]) == [7, 7]
    # Out-of-range fills are clipped to the type, as the floating-point path rounds and clips.
    clipped = OpenCVEngine({"fill_mode": "constant", "cval": 300}).apply(
        np.zeros((H, W, 1), np.uint8), transform, PixelLayout(False, 1, False))
    assert clipped[0, 0, 0] == 255


def test_orders_above_one_name_the_keras_engine():
    message = 'interpolation_order=3 needs engine = "keras": the opencv engine applies orders 0'
    with pytest.raises(ValueError, match=message):
        OpenCVEngine({"interpolation_order": 3})
    with pytest.raises(ValueError, match=r"^ops\[1\] \(ImageDataGenerator\): " + message):
        ImageAugmenter(ops=[{"op": "ImageDataGenerator", "interpolation_order": 3}])
    with pytest.raises(ValueError, match="^" + message.replace("3", "2")):
        ImageAugmenter(interpolation_order=2)
    keras = ImageAugmenter(interpolation_order=3, engine="keras")
    assert keras.config()["ops"][0]["engine"] == "keras"


def test_the_engine_is_an_engine_and_checks_its_name():
    engine = OpenCVEngine({"rotation_range": 10, "engine": "opencv"})
    assert isinstance(engine, Engine) and engine.name == "opencv" and "engine" not in engine.params
    with pytest.raises(ValueError, match=r"^ops\[1\] \(ImageDataGenerator\): engine must be one of 'opencv', "
                                         r"'keras'; got 'open-cv' \(did you mean 'opencv'\?\)"):
        ImageAugmenter(ops=[{"op": "ImageDataGenerator", "engine": "open-cv"}])


def test_large_images_are_remapped_in_bands_with_the_same_result():
    # Taller than one band of rows: the banded remap must join seamlessly.
    tall = np.random.default_rng(5).integers(0, 256, (700, 40, 3)).astype(np.uint8)
    params = {"rotation_range": 20, "zoom_range": 0.2, "fill_mode": "wrap", "vertical_flip": True}
    result = ImageAugmenter(ops=[{"op": "ImageDataGenerator", **params}]).augment(tall, seed=2)
    recorded = {k: v for k, v in result.params["ops"][0].items() if k not in ("op", "engine")}
    expected = KerasEngine(params).apply(tall, recorded, PixelLayout(False, 1, False))
    diff = np.abs(result.data.astype(int) - expected.astype(int))
    assert (diff > 1).mean() <= 0.001 and diff.max() <= 8
