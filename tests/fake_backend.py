"""A fake backend for tests: drives the whole pipeline without TensorFlow, nlpaug or audiomentations.

``.fake`` files hold bytes; an augmentation XORs them with a key drawn from the
global ``numpy.random`` and ``random`` states (as the real backends draw), so
seeds, workers and resumes are tested for real. A file starting with ``BAD`` is
bad input; ``delay`` slows each file down (for kill tests).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from augment.core.augmenter import Augmenter
from augment.core.registry import register, unregister
from augment.core.result import BadInputError

TARGET = "fake_backend:FakeAugmenter"


class FakeAugmenter(Augmenter):
    """XOR a file's bytes with a drawn key."""

    modality: ClassVar[str] = "fake"
    extensions: ClassVar[frozenset[str]] = frozenset({".fake"})
    options: ClassVar[tuple[str, ...]] = ("delay",)
    default_table: ClassVar[dict[str, Any]] = {"delay": 0.0, "ops": [{"op": "Xor", "width": 4}]}

    def __init__(self, delay: float = 0.0, ops: list[dict[str, Any]] | None = None) -> None:
        ops = [dict(op) for op in (ops if ops is not None else self.default_table["ops"])]
        for index, op in enumerate(ops, start=1):
            if op.get("op") != "Xor":
                raise ValueError(f"ops[{index}] ({op.get('op')}): unknown op; the fake op is Xor")
            unknown = sorted(set(op) - {"op", "width"})
            if unknown:
                raise ValueError(f"ops[{index}] (Xor): unknown parameter {unknown[0]!r}; Xor takes: width")
            width = op.get("width", 4)
            if not isinstance(width, int) or isinstance(width, bool) or width < 1:
                raise ValueError(f"ops[{index}] (Xor): width must be an integer >= 1; got {width!r}")
        if os.environ.get("FAKE_BACKEND_DIE_IN_WORKERS") and multiprocessing.parent_process() is not None:
            os._exit(3)  # a worker that dies before it can finish any file
        if not isinstance(delay, (int, float)) or delay < 0:
            raise ValueError(f"delay must be a number >= 0; got {delay!r}")
        self.delay = delay
        self.ops = ops

    def config(self) -> dict[str, Any]:
        return {"delay": self.delay, "ops": [dict(op) for op in self.ops]}

    @classmethod
    def prepare(cls, config: Any) -> None:
        needed = os.environ.get("FAKE_BACKEND_NEEDS")
        if needed and not Path(needed).exists():
            raise LookupError(f"the fake backend needs {needed}; create it")

    def _augment(self, data: Any, sample_rate: int | None) -> tuple[Any, dict[str, Any]]:
        if self.delay:
            time.sleep(self.delay)
        out = bytes(data)
        records = []
        for op in self.ops:
            key = np.random.randint(0, 256, op.get("width", 4)).tolist()
            shift = random.randrange(len(key))
            out = bytes(b ^ key[(i + shift) % len(key)] for i, b in enumerate(out))
            records.append({"op": "Xor", "key": key, "shift": shift})
        return out, {"ops": records}

    def read(self, path: str | os.PathLike[str]) -> bytes:
        data = Path(path).read_bytes()
        if data.startswith(b"BAD"):
            raise BadInputError(path, "a fake file that says it is bad")
        return data

    def write(self, data: bytes, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
        Path(path).write_bytes(data)


class SharedReadFakeAugmenter(FakeAugmenter):
    """The fake backend, declaring that a read may serve every copy; counts its reads."""

    reads_are_shareable: ClassVar[bool] = True
    reads: ClassVar[int] = 0

    def read(self, path: str | os.PathLike[str]) -> bytes:
        type(self).reads += 1
        return super().read(path)


SHARED_READ_TARGET = f"{__name__}:SharedReadFakeAugmenter"


def install() -> None:
    """Register the fake modality (tests call :func:`remove` afterwards)."""
    register("fake", TARGET, FakeAugmenter.extensions)


def remove() -> None:
    """Forget the fake modality."""
    unregister("fake")
