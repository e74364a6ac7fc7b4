"""Tests for augment.core.seeding: the seed range, derived seeds, the global random state."""

from __future__ import annotations

import os
import random
import subprocess
import sys

import numpy as np
import pytest

from augment.core.seeding import SEED_MAX, check_seed, derive_seed, draw_seed, global_rng, saved_rng


def test_derive_seed_is_stable_across_processes():
    here = derive_seed(7, "cat/001.jpg", 3)
    code = "from augment.core.seeding import derive_seed; print(derive_seed(7, 'cat/001.jpg', 3))"
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


@pytest.mark.parametrize("bad", [-1, SEED_MAX + 1, 1.5, "3", True, None])
def test_check_seed_rejects(bad):
    with pytest.raises(ValueError, match=r"^run_seed must be an integer in \[0, 4294967295\]"):
        check_seed(bad, "run_seed")


def test_check_seed_accepts_numpy_integers():
    assert check_seed(np.uint32(SEED_MAX)) == SEED_MAX and type(check_seed(np.int64(3))) is int


def test_draw_seed_is_in_range_and_leaves_global_state():
    state = np.random.get_state()[1].copy()
    py_state = random.getstate()
    drawn = {draw_seed() for _ in range(5)}
    assert all(0 <= s <= SEED_MAX for s in drawn) and len(drawn) > 1
    assert np.array_equal(np.random.get_state()[1], state) and random.getstate() == py_state


def test_saved_rng_restores_without_seeding():
    random.seed(1)
    expected = random.random()
    random.seed(1)
    with saved_rng():
        random.random()
        np.random.random()
    assert random.random() == expected
