"""Tests for augment.core.checks: did-you-mean, numbers, integer arguments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from augment.core.checks import check_int, did_you_mean, is_finite_number


def test_did_you_mean_finds_close_and_case_insensitive_matches():
    assert did_you_mean("rotaton_range", ["rotation_range", "zoom_range"]) == " (did you mean 'rotation_range'?)"
    assert did_you_mean("GAIN", ["Gain"]) == " (did you mean 'Gain'?)"
    assert did_you_mean("zzz", ["Gain"]) == ""


@pytest.mark.parametrize("value, ok", [(1, True), (0.5, True), (np.float32(2), True), (np.int64(3), True),
                                       (True, False), (math.nan, False), (math.inf, False), ("1", False)])
def test_is_finite_number(value, ok):
    assert is_finite_number(value) is ok


def test_check_int_names_the_argument():
    assert check_int("copies", 3, 1) == 3 and check_int("copies", np.int64(2), 1) == 2
    for bad in (0, -1, 1.0, True, "2", None):
        with pytest.raises(ValueError, match=r"^copies must be an integer >= 1; got "):
            check_int("copies", bad, 1)


def test_check_int_takes_a_maximum():
    assert check_int("copies", 10_000, 1, 10_000) == 10_000
    with pytest.raises(ValueError, match=r"^copies must be at most 10000; got 10001$"):
        check_int("copies", 10_001, 1, 10_000)
