"""Tests for augment.base: seeds, global RNG restoration, JSON-safety, atomic writes."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from augment.base import (
    SEED_MAX,
    TEMP_MARKER,
    Augmenter,
    BadInputError,
    atomic_path,
    check_seed,
    derive_seed,
    global_rng,
    to_jsonable,
)


def test_derive_seed_is_stable_across_processes():
    here = derive_seed(7, "cat/001.jpg", 3)
    code = "from augment.base import derive_seed; print(derive_seed(7, 'cat/001.jpg', 3))"
    # A different PYTHONHASHSEED would change hash(); blake2b must not care.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert int(there.stdout) == here
    assert 0 <= here <= SEED_MAX


def test_derive_seed_depends_on_every_part():
    seeds = {
        derive_seed(0, "a.jpg", 1),
        derive_seed(1, "a.jpg", 1),
        derive_seed(0, "b.jpg", 1),
        derive_seed(0, "a.jpg", 2),
        derive_seed(0, "a.jpg1", ""),  # parts are separated, not concatenated
    }
    assert len(seeds) == 5


def test_global_rng_seeds_and_restores():
    random.seed(123)
    np.random.seed(456)
    before_py, before_np = random.random(), np.random.random()
    random.seed(123)
    np.random.seed(456)
    with global_rng(99):
        inside = (random.random(), np.random.random())
    with global_rng(99):
        again = (random.random(), np.random.random())
    assert inside == again
    assert (random.random(), np.random.random()) == (before_py, before_np)


def test_global_rng_restores_after_an_exception():
    np.random.seed(5)
    expected = np.random.get_state()[1].copy()
    np.random.seed(5)
    with pytest.raises(RuntimeError), global_rng(1):
        np.random.random()
        raise RuntimeError("boom")
    assert np.array_equal(np.random.get_state()[1], expected)


@pytest.mark.parametrize("bad", [-1, SEED_MAX + 1, 1.5, "3", True])
def test_check_seed_rejects(bad):
    with pytest.raises(ValueError, match="seed"):
        check_seed(bad)


def test_check_seed_draws_when_none():
    drawn = {check_seed(None) for _ in range(5)}
    assert all(0 <= s <= SEED_MAX for s in drawn)
    assert len(drawn) > 1


def test_to_jsonable_converts_numpy_and_tuples():
    value = {"a": np.float32(0.5), "b": (np.int64(2), np.bool_(True)), "c": np.arange(3), 4: None}
    out = to_jsonable(value)
    assert out == {"a": 0.5, "b": [2, True], "c": [0, 1, 2], "4": None}
    json.dumps(out)
    with pytest.raises(TypeError, match="object"):
        to_jsonable(object())


def test_atomic_path_renames_on_success(tmp_path):
    dst = tmp_path / "out.png"
    with atomic_path(dst) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and TEMP_MARKER in tmp.name
        tmp.write_bytes(b"data")
        assert not dst.exists()
    assert dst.read_bytes() == b"data"
    assert list(tmp_path.iterdir()) == [dst]


def test_atomic_path_leaves_nothing_on_error(tmp_path):
    dst = tmp_path / "out.txt"
    dst.write_text("old")
    with pytest.raises(OSError), atomic_path(dst) as tmp:
        tmp.write_text("half")
        raise OSError("disk full")
    assert dst.read_text() == "old"
    assert list(tmp_path.iterdir()) == [dst]


def test_bad_input_error_names_file_and_reason():
    err = BadInputError("/data/x.png", "not an image")
    assert str(err) == "/data/x.png: not an image"
    assert err.reason == "not an image" and isinstance(err, ValueError)


class _Upper(Augmenter):
    """A minimal augmenter to test the base class's own behaviour."""

    modality = "text"
    extensions = frozenset({".txt"})

    def config(self):
        return {}

    def _augment(self, data):
        flip = random.random() < 0.5
        return (data.upper() if flip else data.lower()), {"upper": flip, "noise": np.float64(np.random.random())}

    def read(self, path):
        with open(path, encoding="utf-8") as fh:
            return fh.read()

    def write(self, data, path):
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
