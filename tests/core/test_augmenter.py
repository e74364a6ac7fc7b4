"""Tests for augment.core.augmenter: the base class's seeding, files, and what it derives from config()."""

from __future__ import annotations

import pickle
import random

import numpy as np
import pytest

from augment.core.augmenter import Augmenter
from augment.core.batch import item_seeds
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


# -- augment_batch: the base class's list path ---------------------------------------


def test_each_item_of_a_batch_is_augment_under_its_item_seed():
    aug = _Upper()
    words = ["alpha", "Beta", "gamma", "delta", "EPSILON", "zeta"]
    result = aug.augment_batch(words, seed=21)
    assert result.seed == 21 and result.seeds == item_seeds(21, len(words))
    assert isinstance(result.data, list) and len(result) == len(words)
    for word, item in zip(words, result, strict=True):
        alone = aug.augment(word, seed=item.seed)
        assert item.data == alone.data and item.params == alone.params
    assert len({item.params["noise"] for item in result}) == len(words)  # every item has its own draw
    assert aug.augment_batch(words, seed=21) == result
    assert aug.augment_batch(words, seed=22).params != result.params


def test_a_tuple_batch_comes_back_a_tuple_and_an_empty_batch_is_empty():
    result = _Upper().augment_batch(("a", "b"), seed=1)
    assert isinstance(result.data, tuple) and len(result.data) == 2
    empty = _Upper().augment_batch([], seed=1)
    assert empty.data == [] and empty.seeds == () and empty.params == []


def test_augment_batch_restores_the_global_states_and_records_a_drawn_seed():
    random.seed(5)
    np.random.seed(5)
    expected = (random.random(), np.random.random())
    random.seed(5)
    np.random.seed(5)
    result = _Upper().augment_batch(["x", "y", "z"])
    assert (random.random(), np.random.random()) == expected
    assert 0 <= result.seed <= 2**32 - 1
    assert _Upper().augment_batch(["x", "y", "z"], seed=result.seed) == result


def test_augment_batch_refuses_what_is_not_a_batch_and_names_a_bad_item():
    aug = _Upper()
    with pytest.raises(TypeError, match="a batch is a list .* of text samples; got str"):
        aug.augment_batch("abc", seed=1)
    with pytest.raises(ValueError, match="seed must be an integer"):
        aug.augment_batch(["a"], seed=2**32)
    with pytest.raises(TypeError, match="takes no sample_rate"):
        aug.augment_batch(["a"], seed=1, sample_rate=8000)
    with pytest.raises(TypeError, match="takes no value_range"):
        aug.augment_batch(["a"], seed=1, value_range=(0, 1))
    with pytest.raises(AttributeError):  # not a ValueError or TypeError: as the backend raised it
        aug.augment_batch(["a", 3], seed=1)


def test_a_bad_input_error_names_the_item():
    class Picky(_Upper):
        def _augment(self, data, sample_rate):
            if data == "bad":
                raise BadInputError(None, "cannot use it")
            return super()._augment(data, sample_rate)

    with pytest.raises(BadInputError, match=r"^batch item 2: cannot use it$"):
        Picky().augment_batch(["a", "b", "bad"], seed=1)
