"""Tests for augment.preview.labels: what was applied to a copy, from its manifest params."""

from __future__ import annotations

import numpy as np

from augment.preview.labels import copy_label


def test_an_image_copy_shows_what_moved_it():
    params = {"ops": [{"op": "ImageDataGenerator", "engine": "opencv", "theta": -15.46, "tx": -2.17, "ty": 20.7,
                       "shear": 0.0, "zx": 1.0, "zy": 1.0, "flip_horizontal": True, "flip_vertical": False,
                       "channel_shift_intensity": None, "brightness": 1.1}]}
    assert copy_label("image", params) == "rot -15.5°, shift x+2 y-21 px, flip, bright 1.10"


def test_the_shift_label_says_where_the_content_moved():
    from augment.backends.image import ImageAugmenter

    # One bright pixel, shifted sideways only: the label's x is where it went.
    augmenter = ImageAugmenter(ops=[{"op": "ImageDataGenerator", "height_shift_range": [5],
                                     "fill_mode": "constant"}])
    image = np.zeros((20, 30, 1), dtype=np.uint8)
    image[10, 10] = 255
    for seed in range(4):
        result = augmenter.augment(image, seed=seed)
        row, column = np.argwhere(result.data[..., 0] > 100)[0]
        label = copy_label("image", result.params)
        assert f"x{column - 10:+d} y+0 px" in label or (column == 10 and "shift" not in label)
        assert row == 10


def test_an_identity_image_copy():
    params = {"ops": [{"op": "ImageDataGenerator", "theta": 0.0, "tx": 0.0, "ty": 0.0, "zx": 1.0, "zy": 1.0}]}
    assert copy_label("image", params) == "no change"


def test_audio_ops_that_applied_with_their_drawn_values():
    params = {"sample_rate": 16000, "ops": [
        {"op": "AddGaussianNoise", "should_apply": True, "amplitude": 0.013073858},
        {"op": "Gain", "should_apply": False},
        {"op": "Shift", "should_apply": True, "shift_amount": 0.069, "rollover": False}]}
    assert copy_label("audio", params) == "AddGaussianNoise amplitude 0.0131, Shift shift_amount 0.069"
    assert copy_label("audio", {"ops": [{"op": "Gain", "should_apply": False}]}) == "no op applied"


def test_text_and_junk():
    params = {"ops": [{"op": "SynonymAug", "changes": [{"line": 1, "index": 0, "original": "a", "replacement": "b"}]}]}
    assert copy_label("text", params) == "a -> b"
    assert copy_label("image", None) == ""
