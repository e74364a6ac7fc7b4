"""The Augmenter interface every backend implements, and the helpers they share.

Three promises live here so that no backend can forget them:

* seeding: every call runs under a known seed, and the global ``random`` and
  ``numpy.random`` states (which Keras, nlpaug and audiomentations all draw
  from) are seeded for the call and restored afterwards;
* provenance: the parameters a backend applied come back as JSON-safe data;
* atomic output: a file is written under a temporary name in its destination
  folder and renamed into place, so nobody ever sees half of it.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import secrets
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

__all__ = [
    "Augmenter",
    "AugmentResult",
    "BadInputError",
    "SEED_MAX",
    "TEMP_MARKER",
    "atomic_path",
    "derive_seed",
    "draw_seed",
    "global_rng",
    "to_jsonable",
]

# numpy.random.seed accepts 0 <= seed < 2**32, so every seed we hand out fits.
SEED_MAX = 2**32 - 1

# Temporary outputs are hidden files whose names contain this marker, so a walk
# never picks them up and a later run can find and remove leftovers.
TEMP_MARKER = ".augtmp-"


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


def draw_seed() -> int:
    """A fresh random seed that does not disturb any global random state."""
    return secrets.randbelow(SEED_MAX + 1)


def check_seed(seed: int | None) -> int:
    """Return ``seed`` if valid, a drawn seed if None; raise ValueError otherwise."""
    if seed is None:
        return draw_seed()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer in [0, {SEED_MAX}] or None; got {seed!r}")
    if not 0 <= int(seed) <= SEED_MAX:
        raise ValueError(f"seed must be an integer in [0, {SEED_MAX}] or None; got {seed!r}")
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
def global_rng(seed: int) -> Iterator[None]:
    """Seed ``random`` and ``numpy.random`` for the block, then restore both."""
    py_state = random.getstate()
    np_state = np.random.get_state()
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays, tuples and paths into plain JSON types."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
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


def temp_path_for(dst: str | os.PathLike[str]) -> Path:
    """A hidden temporary name beside ``dst`` that keeps its suffix.

    The suffix is kept because Pillow and soundfile choose the file format from
    the extension of the path they write.
    """
    dst = Path(dst)
    return dst.with_name(f".{dst.stem}{TEMP_MARKER}{secrets.token_hex(6)}{dst.suffix}")


@contextmanager
def atomic_path(dst: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``dst`` if the block succeeds.

    On any error the temporary file is removed and ``dst`` is left untouched.
    """
    dst = Path(dst)
    tmp = temp_path_for(dst)
    try:
        yield tmp
        os.replace(tmp, dst)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise


def is_finite_number(value: Any) -> bool:
    """A real, finite number (NumPy scalars too), and not a bool."""
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and math.isfinite(value)
    )


def nonempty_file_size(path: str | os.PathLike[str]) -> int:
    """The size of the file at ``path``; a BadInputError if it cannot be read or is empty."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise BadInputError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise BadInputError(path, "empty file (0 bytes)")
    return size


class Augmenter(ABC):
    """One modality's augmentation: read a file, augment a sample, write a file.

    Subclasses validate every argument in ``__init__`` (raising ValueError that
    names the argument and the value) and import their backend library lazily.
    """

    #: "image", "text" or "audio".
    modality: ClassVar[str]
    #: Lower-case extensions (with the dot) this augmenter reads and writes.
    extensions: ClassVar[frozenset[str]]

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-safe: ``type(self)(**self.config())`` rebuilds it."""

    @classmethod
    def prepare(cls, config: Mapping[str, Any]) -> None:
        """Check, before a run touches any file, what an augmenter built from ``config`` will need.

        For data that lives outside the package (e.g. WordNet). Cheap: it
        builds nothing. Raises ``LookupError`` whose message says how to get
        what is missing; the default has nothing to check.
        """

    @abstractmethod
    def _augment(self, data: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Augment ``data`` under the already-seeded global RNGs; return (data, params)."""

    @abstractmethod
    def read(self, path: str | os.PathLike[str]) -> Any:
        """Read a file into this backend's in-memory form; BadInputError if unusable."""

    @abstractmethod
    def write(self, data: Any, path: str | os.PathLike[str]) -> None:
        """Write ``data`` to ``path`` in the format its extension names."""

    def augment(self, data: Any, *, seed: int | None = None, **kwargs: Any) -> AugmentResult:
        """Augment one in-memory sample.

        Args:
            data: The sample, in the backend's in-memory form.
            seed: The seed to run under; drawn (and recorded) when None.

        Returns:
            The augmented data, the seed used, and the parameters applied.
        """
        seed = check_seed(seed)
        with global_rng(seed):
            out, params = self._augment(data, **kwargs)
        return AugmentResult(data=out, seed=seed, params=to_jsonable(params))

    def augment_file(
        self,
        src: str | os.PathLike[str],
        dst: str | os.PathLike[str],
        *,
        seed: int | None = None,
        keep_data: bool = False,
    ) -> AugmentResult:
        """Read ``src``, augment it and write ``dst`` atomically.

        Args:
            src: The input file; it is never modified.
            dst: The output file; its extension picks the format. Written under a
                temporary name and renamed, so it is either complete or absent.
            seed: As for :meth:`augment`.
            keep_data: Keep the augmented sample on the result (off by default so
                a pipeline does not hold every image in memory).
        """
        if Path(src).resolve() == Path(dst).resolve():
            raise ValueError(f"{src}: refusing to write an augmented copy over its own source")
        data = self.read(src)
        result = self.augment(data, seed=seed)
        with atomic_path(dst) as tmp:
            self.write(result.data, tmp)
        if keep_data:
            return result
        return AugmentResult(data=None, seed=result.seed, params=result.params)

    def handles(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path``'s extension (case-insensitive) is one this augmenter handles."""
        return Path(path).suffix.lower() in self.extensions

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"
