"""Tests for augment.core.batch: the batch result, item seeds, item errors and the lock around the global states."""

from __future__ import annotations

import random
import subprocess
import sys
import threading

import numpy as np
import pytest

from augment.core.augmenter import Augmenter
from augment.core.batch import BatchResult, as_items, item_error, item_seeds, rng_lock
from augment.core.result import AugmentResult, BadInputError
from augment.core.seeding import derive_seed


class _Draw(Augmenter):
    """Records a draw from each global state (as the backends draw), slowly enough for threads to interleave."""

    modality = "text"
    extensions = frozenset({".txt"})
    default_table = {"ops": [{"op": "Draw"}]}

    def config(self):
        return {"ops": [{"op": "Draw"}]}

    def _augment(self, data, sample_rate):
        first = np.random.randint(0, 2**31)
        for _ in range(20):  # yields the GIL (a real backend's native calls release it too)
            threading.Event().wait(0.0001)
        return f"{data}:{first}:{random.random()}", {"draw": int(first)}

    def read(self, path):
        raise NotImplementedError("not used")

    def write(self, data, path, *, suffix=None):
        raise NotImplementedError("not used")


def test_item_seeds_derive_from_the_seed_and_the_index():
    assert item_seeds(7, 3) == (derive_seed(7, 0), derive_seed(7, 1), derive_seed(7, 2))
    assert item_seeds(7, 0) == ()
    assert len(set(item_seeds(7, 100))) == 100
    assert item_seeds(8, 3) != item_seeds(7, 3)


def test_batch_result_indexes_and_iterates_as_augment_results():
    result = BatchResult(data=np.arange(6).reshape(3, 2), seed=5, seeds=(1, 2, 3), params=[{"a": 1}, {"a": 2}, {}])
    assert len(result) == 3
    second = result[1]
    assert isinstance(second, AugmentResult)
    assert second.seed == 2 and second.params == {"a": 2} and np.array_equal(second.data, [2, 3])
    assert [item.seed for item in result] == [1, 2, 3]


def test_item_error_keeps_the_kind_and_names_the_item():
    bad = item_error(4, BadInputError("x.txt", "not UTF-8"))
    assert isinstance(bad, BadInputError) and bad.path == "x.txt" and bad.reason == "batch item 4: not UTF-8"
    value = item_error(0, ValueError("shape (2,)"))
    assert type(value) is ValueError and str(value) == "batch item 0: shape (2,)"
    assert type(item_error(1, TypeError("no"))) is TypeError

    class Special(ValueError):
        pass

    special = Special("as it is")
    assert item_error(2, special) is special  # a class with its own constructor is left as it is


def test_as_items_takes_lists_and_tuples_only():
    assert as_items(["a"], "str") == ["a"]
    assert as_items(("a",), "str") == ("a",)
    for bad in ("abc", b"abc", np.zeros(3), {"a"}):
        with pytest.raises(TypeError, match="a batch is a list .* of str; got"):
            as_items(bad, "str")


def test_the_lock_is_reentrant():
    with rng_lock(), rng_lock():
        pass


def test_a_forked_child_gets_a_free_lock():
    # In a fresh interpreter: this one may run other threads, which fork() warns about.
    script = (
        "import os, threading\n"
        "from augment.core.batch import rng_lock\n"
        "held = threading.Event(); done = threading.Event()\n"
        "def hold():\n"
        "    with rng_lock():\n"
        "        held.set(); done.wait()\n"
        "threading.Thread(target=hold).start(); held.wait()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os._exit(0 if rng_lock().acquire(timeout=5) else 1)\n"
        "done.set()\n"
        "print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n"
    )
    out = subprocess.run([sys.executable, "-W", "ignore::DeprecationWarning", "-c", script], capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip() == "0", out.stderr


def test_threads_augmenting_at_once_draw_what_they_would_alone():
    aug = _Draw()
    alone = [aug.augment_batch(["x", "y"], seed=s).data for s in range(8)] + \
            [[aug.augment("z", seed=s).data] for s in range(8)]
    together: list = [None] * 16

    def work(index):
        seed = index % 8
        together[index] = aug.augment_batch(["x", "y"], seed=seed).data if index < 8 else \
            [aug.augment("z", seed=seed).data]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == alone
