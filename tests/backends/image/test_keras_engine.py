"""Tests for augment.backends.image.keras_engine: Keras itself draws and applies the op."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

from augment.backends.image import ImageAugmenter
from augment.backends.image.engine import Engine
from augment.backends.image.keras_engine import KerasEngine, image_data_generator_class
from augment.backends.image.pixels import PixelLayout
from backends.image.helpers import KERAS, STILL, H, W, rgb_array, rgb_image, transparent_square


def keras(**options):
    return image_data_generator_class()(**options)


def test_the_one_import_is_keras_image_data_generator_and_cached():
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    assert image_data_generator_class() is ImageDataGenerator is image_data_generator_class()


def test_a_missing_tensorflow_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow.keras.preprocessing.image", None)
    with pytest.raises(ImportError, match=r'the Keras engine needs TensorFlow .*pip install "augment-dir\[keras\]", '
                                          r'or use engine = "opencv"'):
        image_data_generator_class.__wrapped__()


def test_the_engine_is_an_engine_and_builds_keras_only_when_it_first_draws():
    engine = KerasEngine({"rotation_range": 10})
    assert isinstance(engine, Engine) and engine.name == "keras" and engine._generators == {}
    assert engine.params == {**KERAS, "rotation_range": 10}
    np.random.seed(0)
    engine.sample((H, W, 3))
    assert list(engine._generators) == [1]


def test_draws_are_what_keras_draws_as_plain_json_data():
    options = dict(rotation_range=20, width_shift_range=0.1, height_shift_range=3, shear_range=10,
                   zoom_range=0.2, channel_shift_range=15, brightness_range=[0.8, 1.2],
                   horizontal_flip=True, vertical_flip=True)
    np.random.seed(21)
    drawn = KerasEngine(options).sample((H, W, 3))
    np.random.seed(21)
    expected = keras(**options).get_random_transform((H, W, 3))
    assert list(drawn) == list(expected)
    for key, value in expected.items():
        assert drawn[key] == pytest.approx(value), key
        assert type(drawn[key]) is (bool if key.startswith("flip_") else float)
    params = ImageAugmenter(**options, engine="keras").augment(rgb_array(), seed=21).params
    assert params["ops"] == [{"op": "ImageDataGenerator", "engine": "keras", **drawn}]


def test_draws_do_not_depend_on_cval_or_the_value_scale():
    options = dict(rotation_range=30, zoom_range=0.3, fill_mode="constant", cval=9, channel_shift_range=4)
    for seed in range(3):
        np.random.seed(seed)
        drawn = KerasEngine(options).sample((H, W, 1))
        np.random.seed(seed)
        assert drawn == pytest.approx(keras(**{**options, "cval": 9 * 257}).get_random_transform((H, W, 1)))
    eight, sixteen = (ImageAugmenter(**options, engine="keras").augment(a, seed=5).params
                      for a in (rgb_array(), rgb_array().astype(np.uint16) * 257))
    assert eight["ops"] == sixteen["ops"]


def test_geometry_is_exactly_keras_apply_transform():
    options = dict(rotation_range=25, shear_range=8, zoom_range=0.15, vertical_flip=True)
    result = ImageAugmenter(**options, engine="keras").augment(rgb_array(), seed=5)
    generator = keras(**options, horizontal_flip=True, width_shift_range=0.2, height_shift_range=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = generator.apply_transform(rgb_array().astype(np.float32), result.params["ops"][0])
    assert np.array_equal(result.data, np.clip(np.rint(expected), 0, 255).astype(np.uint8))
    assert not np.array_equal(result.data, rgb_array())


def test_constant_fill_is_on_the_eight_bit_scale_for_sixteen_bit_pixels():
    engine = KerasEngine({"rotation_range": 45, "fill_mode": "constant", "cval": 100})
    transform = {"theta": 45.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0,
                 "flip_horizontal": False, "flip_vertical": False, "channel_shift_intensity": None,
                 "brightness": None}
    eight = engine.apply(np.full((H, W, 1), 7, np.uint8), transform, PixelLayout(False, 1, False))
    sixteen = engine.apply(np.full((H, W, 1), 7, np.uint16), transform, PixelLayout(False, 257, False))
    assert eight[0, 0, 0] == 100 and sixteen[0, 0, 0] == 25700 and eight[H // 2, W // 2, 0] == 7


def test_channel_shift_is_on_the_eight_bit_scale_for_sixteen_bit_images():
    gray8 = np.asarray(rgb_image("L"))
    aug = ImageAugmenter(channel_shift_range=40, **STILL, engine="keras")
    out8 = aug.augment(gray8, seed=8)
    out16 = aug.augment(gray8.astype(np.uint16) * 257, seed=8)
    assert out8.params == out16.params and out8.params["ops"][0]["channel_shift_intensity"]
    assert not np.array_equal(out8.data, gray8)
    assert np.abs(out16.data.astype(np.int64) - out8.data.astype(np.int64) * 257).max() <= 129


def test_alpha_moves_with_the_colour():
    image = transparent_square()
    aug = ImageAugmenter(rotation_range=40, zoom_range=0.2, vertical_flip=True, engine="keras")
    for seed in range(3):
        out = np.asarray(aug.augment(image, seed=seed).data)
        red_only = np.asarray(aug.augment(image.convert("RGB"), seed=seed).data)[..., 0]
        assert np.array_equal(out[..., 3], red_only)
        assert not np.array_equal(out[..., 3], np.asarray(image)[..., 3])


def test_tensorflow_import_notes_are_dropped_but_nothing_else():
    # TensorFlow's C++ code writes INFO notes to fd 2 at import, before its log
    # level applies; only those lines are dropped, warnings and errors are kept.
    absl = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
    code = (
        "import os\n"
        "from augment.backends.image.keras_engine import _native_info_dropped\n"
        "with _native_info_dropped():\n"
        f"    os.write(2, b'{absl}\\n')\n"
        "    os.write(2, b'I0000 00:00:1795923297.451857   11242 cudart_stub.cc:31] Could not find cuda drivers\\n')\n"
        "    os.write(2, b'E0000 00:00:1795923297.451857   11242 x.cc:9] a real error\\n')\n"
        "    os.write(2, b'plain text on stderr\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr == "E0000 00:00:1795923297.451857   11242 x.cc:9] a real error\nplain text on stderr\n"
