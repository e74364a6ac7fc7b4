"""Tests for augment.core.augmenter: the base class's seeding, files, and what it derives from config()."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from augment.core.augmenter import Augmenter
from augment.core.result import BadInputError


class _Upper(Augmenter):
    """A minimal augmenter to test the base class's own behaviour."""

    modality = "text"
    extensions = frozenset({".txt"})
    default_table = {"ops": [{"op": "Upper"}]}

    def __init__(self, ops=None, shout=False):
        self.ops = list(ops or self.default_table["ops"])
        self.shout = shout

    def config(self):
        return {"shout": self.shout, "ops": self.ops}

    def _augment(self, data, sample_rate):
        flip = random.random() < 0.5
        return (data.upper() if flip else data.lower()), {"upper": flip, "noise": np.float64(np.random.random())}

    def read(self, path):
        with open(path, encoding="utf-8") as fh:
            return fh.read()

    def write(self, data, path, *, suffix=None):
        if data == "FAIL":
            raise BadInputError(path, "refused")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(data)


def test_augment_file_round_trip_and_refuses_own_source(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Hello")
    result = _Upper().augment_file(src, tmp_path / "b.txt", seed=3)
    assert result.data is None and result.seed == 3
    assert isinstance(result.params["noise"], float)
    assert (tmp_path / "b.txt").read_text() in ("HELLO", "hello")
    with pytest.raises(ValueError, match="own source"):
        _Upper().augment_file(src, src, seed=1)
    assert src.read_text() == "Hello"


def test_augment_file_failure_leaves_no_output(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("fail")
    aug = _Upper()
    seed = next(s for s in range(100) if aug.augment("fail", seed=s).data == "FAIL")
    with pytest.raises(BadInputError):
        aug.augment_file(src, tmp_path / "b.txt", seed=seed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_handles_is_case_insensitive():
    assert _Upper().handles("X.TXT") and not _Upper().handles("x.png")


def test_augment_is_deterministic_and_restores_global_state():
    aug = _Upper()
    random.seed(5)
    expected = random.random()
    random.seed(5)
    first = aug.augment("Hello", seed=11)
    assert random.random() == expected
    assert aug.augment("Hello", seed=11) == first


def test_augment_records_a_drawn_seed_and_rejects_bad_ones():
    result = _Upper().augment("x")
    assert 0 <= result.seed <= 2**32 - 1
    assert _Upper().augment("x", seed=result.seed).params == result.params
    with pytest.raises(ValueError, match="seed must be an integer"):
        _Upper().augment("x", seed=-1)


def test_sample_rate_is_refused_where_it_means_nothing():
    with pytest.raises(TypeError, match="takes no sample_rate"):
        _Upper().augment("x", seed=1, sample_rate=16000)


def test_equality_hash_repr_and_pickle_follow_config():
    a, b = _Upper(shout=True), _Upper(shout=True)
    assert a == b and hash(a) == hash(b) and a != _Upper() and a != "Upper"
    assert repr(a) == "_Upper(shout=True, ops=[{'op': 'Upper'}])"
    copy = pickle.loads(pickle.dumps(a))
    assert type(copy) is _Upper and copy == a


def test_equal_numbers_spelled_differently_hash_alike():
    assert _Upper(ops=[{"op": "Upper", "p": 1}]) == _Upper(ops=[{"op": "Upper", "p": 1.0}])
    assert hash(_Upper(ops=[{"op": "Upper", "p": 1}])) == hash(_Upper(ops=[{"op": "Upper", "p": 1.0}]))
