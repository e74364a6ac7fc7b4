"""Tests for augment.backends.image.op: the one ImageDataGenerator op, its defaults and its checks."""

from __future__ import annotations

import inspect
import json
import re

import numpy as np
import pytest

from augment.backends.image.keras_engine import image_data_generator_class
from augment.backends.image.op import (
    IMAGE_OP,
    KERAS_DEFAULTS,
    NOT_RANDOM,
    OUTPUT_OPTIONS,
    SHORTHAND_DEFAULTS,
    check_image_ops,
    check_params,
)
from backends.image.helpers import KERAS, PROJECT

INVALID = [
    ("rotation_range", -5),
    ("rotation_range", float("nan")),
    ("rotation_range", "30"),
    ("width_shift_range", -0.1),
    ("width_shift_range", []),
    ("width_shift_range", [0.1, "x"]),
    ("height_shift_range", True),
    ("height_shift_range", float("inf")),
    ("brightness_range", 0.5),
    ("brightness_range", [1.5, 0.5]),
    ("brightness_range", [0, 1]),
    ("brightness_range", [0.5, 1.0, 1.5]),
    ("shear_range", -1),
    ("zoom_range", 1.0),
    ("zoom_range", -0.2),
    ("zoom_range", [1.2, 0.8]),
    ("zoom_range", [0, 1]),
    ("channel_shift_range", -3),
    ("fill_mode", "mirror"),
    ("cval", None),
    ("cval", float("nan")),
    ("horizontal_flip", 1),
    ("vertical_flip", "yes"),
    ("interpolation_order", 6),
    ("interpolation_order", 1.0),
    ("interpolation_order", True),
]


def test_keras_defaults_are_keras_own_and_every_argument_is_placed():
    parameters = inspect.signature(image_data_generator_class()).parameters
    assert KERAS_DEFAULTS == {name: parameters[name].default for name in KERAS_DEFAULTS} == KERAS
    # Every ImageDataGenerator argument is either a random transform we take or one we refuse.
    assert set(parameters) == set(KERAS_DEFAULTS) | set(NOT_RANDOM)
    assert SHORTHAND_DEFAULTS == PROJECT and list(SHORTHAND_DEFAULTS) == list(KERAS_DEFAULTS)
    assert IMAGE_OP == image_data_generator_class().__name__
    assert OUTPUT_OPTIONS == ("jpeg_quality", "webp_quality")


def test_check_params_keeps_the_given_keys_and_order_as_plain_data():
    params = {"zoom_range": (0.8, 1.25), "rotation_range": np.float64(12.5), "width_shift_range": (2, 4, 8),
              "height_shift_range": np.array([0.1, 0.2]), "brightness_range": (0.7, 1.3),
              "interpolation_order": np.int64(0), "horizontal_flip": np.bool_(True), "cval": np.int32(3)}
    checked = check_params(params)
    assert list(checked) == list(params)
    assert checked == {"zoom_range": [0.8, 1.25], "rotation_range": 12.5, "width_shift_range": [2, 4, 8],
                       "height_shift_range": [0.1, 0.2], "brightness_range": [0.7, 1.3],
                       "interpolation_order": 0, "horizontal_flip": True, "cval": 3}
    assert type(checked["rotation_range"]) is float and type(checked["interpolation_order"]) is int
    assert type(checked["cval"]) is int and type(checked["horizontal_flip"]) is bool
    assert json.loads(json.dumps(checked)) == checked
    assert check_params({}) == {}
    assert check_params(KERAS) == KERAS


@pytest.mark.parametrize("name, value", INVALID)
def test_invalid_values_name_the_parameter_and_the_value(name, value):
    with pytest.raises(ValueError, match=f"^{name} ") as info:
        check_params({name: value})
    assert repr(value) in str(info.value)


def test_the_op_takes_keras_defaults_for_what_it_leaves_out():
    assert check_image_ops([{"op": "ImageDataGenerator", "rotation_range": 15}]) == {"rotation_range": 15}
    assert check_image_ops([{"op": "ImageDataGenerator"}]) == {}
    assert check_image_ops(({"op": "ImageDataGenerator", **PROJECT},)) == PROJECT


WHERE = re.escape("ops[1] (ImageDataGenerator): ")


@pytest.mark.parametrize(
    "ops, pattern",
    [
        ([{"op": "ImageDataGenerator", "rotation_range": -5}],
         WHERE + re.escape("rotation_range must be a finite number >= 0 (degrees); got -5")),
        ([{"op": "ImageDataGenerator", "horizontal_flip": "yes"}],
         WHERE + re.escape("horizontal_flip must be True or False; got 'yes'")),
        ([{"op": "ImageDataGenerator", "rotaton_range": 5}],
         WHERE + re.escape("unknown parameter 'rotaton_range' (did you mean 'rotation_range'?); "
                           "ImageDataGenerator takes: engine, rotation_range, width_shift_range, height_shift_range, "
                           "brightness_range, shear_range, zoom_range, channel_shift_range, fill_mode, cval, "
                           "horizontal_flip, vertical_flip, interpolation_order") + "$"),
        ([{"op": "ImageDataGenerator", "jpeg_quality": 90}],
         WHERE + re.escape("jpeg_quality is an output option: put it in [image], not in the op") + "$"),
        ([{"op": "ImageDataGenerator", "webp_quality": 90}], WHERE + "webp_quality is an output option"),
        ([{"op": "ImageDataGenerator", "max_pixels": 10**9}],
         WHERE + re.escape("max_pixels is an option of the table: put it in [image], not in the op") + "$"),
        ([{"op": "ImageDataGenerator", "rescale": 0.5}],
         WHERE + re.escape("rescale cannot be used: it is not a random transform (augment-dir applies "
                           "ImageDataGenerator's random transforms; normalisation belongs in your model's "
                           "input pipeline)") + "$"),
        ([{"op": "ImageDataGenerator", "data_format": "channels_first"}],
         WHERE + re.escape("data_format cannot be used: images are read from files, always channels last") + "$"),
        ([{"op": "ImageDataGeneratr"}],
         "^" + re.escape("ops[1] (ImageDataGeneratr): unknown image op 'ImageDataGeneratr' (did you mean "
                         "'ImageDataGenerator'?); the image op is ImageDataGenerator") + "$"),
        ([{"op": "RandomRotation"}],
         "^" + re.escape("ops[1] (RandomRotation): unknown image op 'RandomRotation'; "
                         "the image op is ImageDataGenerator") + "$"),
        ([{"op": "ImageDataGenerator"}, {"op": "ImageDataGenerator"}],
         "^" + re.escape("ops: takes exactly one op, ImageDataGenerator (it already combines every image "
                         "transform); got 2") + "$"),
        ([], "^ops is empty"),
        ({"op": "ImageDataGenerator"}, "^ops must be a list of ops"),
        (["ImageDataGenerator"], "^" + re.escape("ops[1]: an op must be a table")),
        ([{"rotation_range": 5}], "^" + re.escape("ops[1]: the 'op' key must name the op")),
    ],
)
def test_op_errors_say_which_op_and_what(ops, pattern):
    with pytest.raises(ValueError, match=pattern):
        check_image_ops(ops)


@pytest.mark.parametrize("name", sorted(NOT_RANDOM))
def test_every_argument_that_is_not_a_random_transform_is_refused_with_its_reason(name):
    with pytest.raises(ValueError, match=WHERE + f"{name} cannot be used: {re.escape(NOT_RANDOM[name])}"):
        check_image_ops([{"op": "ImageDataGenerator", name: 1}])


@pytest.mark.parametrize("name, value", INVALID)
def test_invalid_values_in_the_op_carry_its_label(name, value):
    with pytest.raises(ValueError, match=WHERE + f"{name} ") as info:
        check_image_ops([{"op": "ImageDataGenerator", name: value}])
    assert repr(value) in str(info.value)
