"""What an augmentation returns, and the error for input that cannot be augmented."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["AugmentResult", "BadInputError", "to_jsonable"]


class BadInputError(ValueError):
    """An input file (or in-memory sample) that cannot be augmented, and why."""

    def __init__(self, path: str | os.PathLike[str] | None, reason: str) -> None:
        self.path = None if path is None else os.fspath(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}" if self.path is not None else reason)


@dataclass(frozen=True)
class AugmentResult:
    """What one augmentation produced.

    Attributes:
        data: The augmented sample, of the same kind as the input (None when the
            result comes from ``augment_file`` and the data was not kept).
        seed: The seed the call ran under (drawn at random when none was given).
        params: JSON-safe record of what was actually applied.
    """

    data: Any
    seed: int
    params: dict[str, Any] = field(default_factory=dict)


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, tuples and paths into plain JSON types."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"cannot record a parameter of type {type(value).__name__}: {value!r}")
