"""Seeds: their range, how each output's seed is derived, and the global random state around a call.

Keras, nlpaug and audiomentations all draw from the process-global ``random``
and ``numpy.random`` states, so every augmentation seeds both and restores
them afterwards (:func:`global_rng`); a caller's own random stream is never
disturbed.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["SEED_MAX", "check_seed", "derive_seed", "draw_seed", "global_rng", "saved_rng"]

#: numpy.random.seed accepts 0 <= seed < 2**32, so every seed we hand out fits.
SEED_MAX = 2**32 - 1


def draw_seed() -> int:
    """A fresh random seed that does not disturb any global random state."""
    return secrets.randbelow(SEED_MAX + 1)


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as an int if it is a whole number in [0, SEED_MAX]; ValueError naming ``name`` otherwise."""
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) \
            or not 0 <= int(seed) <= SEED_MAX:
        raise ValueError(f"{name} must be an integer in [0, {SEED_MAX}]; got {seed!r}")
    return int(seed)


def derive_seed(base_seed: int, *parts: object) -> int:
    """A stable 32-bit seed from ``base_seed`` and any parts (path, copy index...).

    blake2b, not ``hash()``: Python salts string hashes per process, which would
    make every run (and every worker) produce different outputs.
    """
    digest = hashlib.blake2b(digest_size=8)
    digest.update(str(int(base_seed)).encode())
    for part in parts:
        digest.update(b"\x00")
        digest.update(str(part).encode("utf-8", "surrogateescape"))
    return int.from_bytes(digest.digest(), "big") & SEED_MAX


@contextmanager
def saved_rng() -> Iterator[None]:
    """Restore ``random`` and ``numpy.random`` to their state at entry when the block ends."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


@contextmanager
def global_rng(seed: int) -> Iterator[None]:
    """Seed ``random`` and ``numpy.random`` for the block, then restore both."""
    with saved_rng():
        random.seed(seed)
        np.random.seed(seed)
        yield
