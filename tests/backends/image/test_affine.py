"""Tests for augment.backends.image.affine: Keras' draws and matrix and SciPy's border rules, held to the originals."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.ndimage as ndimage

from augment.backends.image.affine import draw_transform, inverse_map, map_coordinates_like_scipy, moves
from augment.backends.image.keras_engine import image_data_generator_class
from augment.backends.image.op import KERAS_DEFAULTS
from backends.image.helpers import rgb_array

# Every kind of value get_random_transform treats differently.
DRAWS = [
    {},
    {"rotation_range": 30, "width_shift_range": 0.2, "height_shift_range": 0.2, "horizontal_flip": True},
    {"width_shift_range": 5, "height_shift_range": 3},  # ints: whole pixels 0..n-1 with a random sign
    {"width_shift_range": 3.0, "height_shift_range": 2.5},  # floats >= 1: pixels, uniform
    {"width_shift_range": [0.1, 0.3], "height_shift_range": [2, 4, 8]},  # lists to choose from
    {"shear_range": 12, "zoom_range": 0.25, "vertical_flip": True},
    {"zoom_range": [0.7, 1.2], "channel_shift_range": 30, "brightness_range": [0.5, 1.5]},
    {"zoom_range": [1, 1], "rotation_range": 0.5},  # a zoom of exactly 1 draws nothing
]


def keras_draw(params, shape, seed):
    np.random.seed(seed)
    drawn = image_data_generator_class()(**params).get_random_transform(shape)
    after = np.random.random()  # the next draw: both made the same number of draws
    return drawn, after


@pytest.mark.parametrize("params", DRAWS)
def test_draws_are_get_random_transforms_in_value_type_and_number(params):
    for seed in range(12):
        shape = (37 + seed, 53, 3)
        expected, expected_next = keras_draw(params, shape, seed)
        np.random.seed(seed)
        drawn = draw_transform({**KERAS_DEFAULTS, **params}, shape)
        assert np.random.random() == expected_next
        assert list(drawn) == list(expected)
        for key, value in expected.items():
            if key.startswith("flip_"):
                assert drawn[key] is bool(value)
            elif value is None:
                assert drawn[key] is None
            else:
                assert type(drawn[key]) is float and drawn[key] == float(value), key


def test_moves_is_whether_keras_would_call_scipy():
    still = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0, "flip_horizontal": True}
    assert not moves(still) and not moves({})
    for key, value in (("theta", 1.0), ("tx", -2.0), ("ty", 0.5), ("shear", 3.0), ("zx", 0.9), ("zy", 1.1)):
        assert moves({**still, key: value})


@pytest.mark.parametrize("mode", ["nearest", "reflect", "wrap", "constant"])
def test_the_matrix_is_the_one_keras_gives_scipy_to_the_last_bit(mode):
    image = rgb_array().astype(np.float64)
    height, width = image.shape[:2]
    generator = image_data_generator_class()(fill_mode=mode, cval=9.0)
    transforms = [
        {"theta": 17.3}, {"tx": 3.0, "ty": -2.5}, {"shear": 11.0}, {"zx": 0.8, "zy": 1.3},
        {"theta": -40.0, "tx": 1.7, "ty": 4.2, "shear": -6.0, "zx": 1.1, "zy": 0.9},
    ]
    for transform in transforms:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            expected = generator.apply_transform(image, transform)
        matrix = inverse_map(transform, height, width)
        ours = np.stack([ndimage.affine_transform(image[..., c], matrix[:, :2], matrix[:, 2], order=1, mode=mode,
                                                  cval=9.0) for c in range(3)], axis=-1)
        assert np.array_equal(ours, expected), transform


def test_no_transform_is_the_identity():
    assert np.array_equal(inverse_map({}, 10, 20), [[1, 0, 0], [0, 1, 0]])


@pytest.mark.parametrize("size", [2, 5, 64])
def test_wrap_folds_with_scipys_period_of_n_minus_one(size):
    line = np.random.default_rng(size).random(size) * 100
    coords = np.concatenate([np.linspace(-3 * size, 4 * size, 997), np.arange(-2 * size, 3 * size, 0.5),
                             [0.0, size - 1.0, -(size - 1.0), 2 * (size - 1.0)]])
    expected = ndimage.map_coordinates(line, [coords], order=1, mode="wrap")
    folded = map_coordinates_like_scipy(coords.copy(), size, "wrap")
    assert folded.min() >= 0 and folded.max() <= size - 1
    # Inside [0, n - 1] no border rule applies: plain interpolation at the folded place.
    assert np.allclose(ndimage.map_coordinates(line, [folded], order=1, mode="nearest"), expected, atol=1e-9)


def test_constant_marks_every_sample_outside_zero_to_n_minus_one():
    size = 9
    line = np.arange(size, dtype=np.float64) + 1
    coords = np.array([-1.5, -1e-9, 0.0, 0.3, 7.9, 8.0, 8.0 + 1e-9, 8.4, 20.0])
    expected = ndimage.map_coordinates(line, [coords], order=1, mode="constant", cval=-7.0)
    folded = map_coordinates_like_scipy(coords.copy(), size, "constant")
    outside = folded == -1.0
    assert np.array_equal(outside, expected == -7.0)
    assert np.allclose(np.interp(folded[~outside], np.arange(size), line), expected[~outside])


def test_a_single_pixel_axis_and_unknown_modes():
    assert np.array_equal(map_coordinates_like_scipy(np.array([-2.0, 0.0, 3.0]), 1, "wrap"), [0, 0, 0])
    with pytest.raises(ValueError, match="no folding rule for fill mode 'reflect'"):
        map_coordinates_like_scipy(np.zeros(2), 4, "reflect")
