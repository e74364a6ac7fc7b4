"""Tests for augment.core.result: JSON-safe params and the bad-input error."""

from __future__ import annotations

import json

import numpy as np
import pytest

from augment.core.result import BadInputError, to_jsonable


def test_to_jsonable_converts_numpy_and_tuples():
    value = {"a": np.float32(0.5), "b": (np.int64(2), np.bool_(True)), "c": np.arange(3), 4: None}
    out = to_jsonable(value)
    assert out == {"a": 0.5, "b": [2, True], "c": [0, 1, 2], "4": None}
    json.dumps(out)
    with pytest.raises(TypeError, match="object"):
        to_jsonable(object())


def test_bad_input_error_names_file_and_reason():
    err = BadInputError("/data/x.png", "not an image")
    assert str(err) == "/data/x.png: not an image"
    assert err.reason == "not an image" and isinstance(err, ValueError)
