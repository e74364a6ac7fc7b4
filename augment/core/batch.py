"""Batches: what ``Augmenter.augment_batch`` returns, and how the items of a batch are seeded.

A batch runs under one seed; item ``i`` runs under
``derive_seed(seed, i)`` (:func:`item_seeds`), exactly as if it had been
augmented alone with :meth:`~augment.core.augmenter.Augmenter.augment` under
that seed: the same seed gives the same batch, and any item can be replayed
on its own.

The backends draw from the process-global ``random`` and ``numpy.random``
states, which threads share. Every seeded section (one ``augment`` call, one
batch) holds :func:`rng_lock`, so augmentations in several threads of one
process (``tf.data`` calls Python from its own threads) wait for each other
instead of drawing from each other's seeds.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from augment.core.result import AugmentResult, BadInputError
from augment.core.seeding import derive_seed

__all__ = ["BatchResult", "as_items", "item_error", "item_seeds", "rng_lock"]

_LOCK = threading.RLock()


def rng_lock() -> threading.RLock:
    """The lock every section that seeds the global random states holds (re-entrant)."""
    return _LOCK


def _fresh_lock() -> None:
    # A child forked while another thread held the lock would wait for it forever.
    global _LOCK
    _LOCK = threading.RLock()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_fresh_lock)


def item_seeds(seed: int, count: int) -> tuple[int, ...]:
    """The seeds of the ``count`` items of a batch augmented under ``seed``: ``derive_seed(seed, i)``."""
    return tuple(derive_seed(seed, index) for index in range(count))


def item_error(index: int, exc: BaseException) -> BaseException:
    """``exc`` as raised for item ``index`` of a batch: the same kind of error, its message saying which item."""
    if isinstance(exc, BadInputError):
        return BadInputError(exc.path, f"batch item {index}: {exc.reason}")
    if type(exc) in (ValueError, TypeError):
        return type(exc)(f"batch item {index}: {exc}")
    return exc


@dataclass(frozen=True)
class BatchResult:
    """What one batch augmentation produced.

    Attributes:
        data: The augmented batch, of the same type, shape and dtype as the
            input (a list of arrays for an audio batch whose ops changed some
            item's length; see :meth:`AudioAugmenter.augment_batch
            <augment.backends.audio.augmenter.AudioAugmenter>`).
        seed: The batch's seed (drawn at random when none was given).
        seeds: Each item's seed, ``derive_seed(seed, i)``.
        params: Each item's JSON-safe record of what was applied.

    ``result[i]`` is item ``i`` as an :class:`~augment.core.result.AugmentResult`,
    equal to what ``augment(item, seed=result.seeds[i])`` returns.
    """

    data: Any
    seed: int
    seeds: tuple[int, ...]
    params: list[dict[str, Any]]

    def __len__(self) -> int:
        return len(self.seeds)

    def __getitem__(self, index: int) -> AugmentResult:
        data = self.data[index]
        return AugmentResult(data=data, seed=self.seeds[index], params=self.params[index])

    def __iter__(self) -> Iterator[AugmentResult]:
        return (self[index] for index in range(len(self)))


def as_items(batch: Any, what: str) -> Sequence[Any]:
    """A batch given as a list or tuple of items; TypeError naming ``what`` it should hold otherwise."""
    if isinstance(batch, (str, bytes)) or not isinstance(batch, (list, tuple)):
        raise TypeError(f"a batch is a list (or tuple) of {what}; got {type(batch).__name__}")
    return batch
