"""The Augmenter interface every backend implements.

Three promises live here so that no backend can forget them:

* seeding: every call runs under a known seed, and the global ``random`` and
  ``numpy.random`` states (which Keras, nlpaug and audiomentations all draw
  from) are seeded for the call and restored afterwards;
* provenance: the parameters a backend applied come back as JSON-safe data;
* one description: an augmenter *is* its :meth:`~Augmenter.config`; equality,
  hashing, pickling and ``repr`` all derive from it, once, here;
* batches: :meth:`~Augmenter.augment_batch` augments item ``i`` exactly as
  :meth:`~Augmenter.augment` would under ``derive_seed(seed, i)``
  (:mod:`augment.core.batch`).
"""

from __future__ import annotations

import functools
import json
import os
import random
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from augment.core.batch import BatchResult, as_items, item_error, item_seeds, rng_lock
from augment.core.files import atomic_path
from augment.core.read_ahead import PendingRead
from augment.core.result import AugmentResult, to_jsonable
from augment.core.seeding import check_seed, draw_seed, global_rng, saved_rng

if TYPE_CHECKING:
    from concurrent.futures import Executor

__all__ = ["Augmenter"]


def _hash_key(value: Any) -> Any:
    """``value`` with every number as a float: configs equal under ``==`` (1 == 1.0) hash alike."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): _hash_key(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_hash_key(v) for v in value]
    return repr(value)


def _rebuild(cls: type[Augmenter], config: dict[str, Any]) -> Augmenter:
    return cls(**config)


class Augmenter(ABC):
    """One modality's augmentation: read a file, augment a sample, write a file.

    Every backend is built the same way: ``ops=[{"op": <library class>,
    **its parameters}]`` plus a few table-level options, exactly the shape of
    its recipe table; ``type(a)(**a.config())`` rebuilds an equal augmenter.
    Subclasses validate every argument in ``__init__`` (raising ValueError that
    names the argument and the value) and import their backend library lazily.
    """

    #: "image", "text" or "audio" (the registry's name for it).
    modality: ClassVar[str]
    #: Lower-case extensions (with the dot) this augmenter reads and writes.
    extensions: ClassVar[frozenset[str]]
    #: Keys of the recipe table besides ``ops`` (output options such as jpeg_quality).
    options: ClassVar[tuple[str, ...]] = ()
    #: This modality's table in the default recipe: its options and its ``ops``.
    default_table: ClassVar[Mapping[str, Any]]
    #: Whether :meth:`augment` takes a ``sample_rate`` (audio).
    takes_sample_rate: ClassVar[bool] = False
    #: Whether :meth:`augment_batch` takes a ``value_range`` (images: float pixels).
    takes_value_range: ClassVar[bool] = False

    #: Whether :meth:`augment` leaves the data it is given unchanged, so that a run
    #: may read a source once for all its copies (one process, consecutive copies).
    reads_are_shareable: ClassVar[bool] = False
    #: Whether :meth:`read_ahead` decodes in the background, so that a run in
    #: one process starts the next file's read while it augments the current one.
    reads_ahead: ClassVar[bool] = False

    @classmethod
    def explicit_ops(cls, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``ops`` with every parameter the backend knows a default for written out.

        A recipe is saved explicit, so that it means the same under a later
        version whose defaults differ. Parameters whose default is None (TOML
        has no null) stay left out, and so does anything of an op the backend
        does not know (the checks report it). The default knows no defaults.
        """
        return [dict(op) for op in ops]

    @classmethod
    def table_as_of(cls, table: dict[str, Any], version: int) -> dict[str, Any]:
        """A recipe table (options and/or ``ops``) of format ``version``, meaning what it meant then.

        When a later format changes what a left-out option or op parameter
        means, a backend writes the older meaning in here (e.g. the image
        backend's engine before format 2), so an OUTPUT made then continues
        unchanged. ``table`` may be a rule's, with only some keys. The
        default: nothing changed.
        """
        return table

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON- and TOML-safe: ``type(self)(**self.config())`` rebuilds it."""

    @classmethod  # noqa: B027 - an optional hook: empty unless a backend needs outside data
    def prepare(cls, config: Mapping[str, Any]) -> None:
        """Check, before a run touches any file, what an augmenter built from ``config`` will need.

        For data that lives outside the package (e.g. WordNet). Cheap: it
        builds nothing. Raises ``LookupError`` whose message says how to get
        what is missing; the default has nothing to check.
        """

    @abstractmethod
    def _augment(self, data: Any, sample_rate: int | None) -> tuple[Any, dict[str, Any]]:
        """Augment ``data`` under the already-seeded global RNGs; return (data, params)."""

    @abstractmethod
    def read(self, path: str | os.PathLike[str]) -> Any:
        """Read a file into this backend's in-memory form; BadInputError if unusable."""

    def read_ahead(self, path: str | os.PathLike[str], background: Executor) -> PendingRead:
        """Start reading ``path`` for later; the result's ``result()`` gives what :meth:`read` gives.

        A backend that sets :attr:`reads_ahead` runs the part of its read that
        releases the GIL (decoding) on ``background`` and keeps whatever
        touches process-wide state (warnings filters, a library's limits) for
        the calling thread, in ``result()``. The default reads in ``result()``.
        """
        return PendingRead(functools.partial(self.read, path))

    def writes_behind(self, data: Any) -> bool:
        """Whether a run in one process may write ``data`` on another thread while it augments the next file.

        For a backend whose :meth:`write` is native code that releases the
        GIL and touches no process-wide state, and data small enough that
        holding one more in memory costs little. The default: no.
        """
        return False

    @abstractmethod
    def write(self, data: Any, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
        """Write ``data`` to ``path`` in the format ``suffix`` names (default: ``path``'s own extension).

        The run writes to a temporary name without a data extension, so it
        always passes the destination's suffix.
        """

    def augment(self, data: Any, *, seed: int | None = None, sample_rate: int | None = None) -> AugmentResult:
        """Augment one in-memory sample.

        Args:
            data: The sample, in the backend's in-memory form.
            seed: The seed to run under; drawn (and recorded) when None.
            sample_rate: Audio only: the sample rate of an array of samples.

        Returns:
            The augmented data, the seed used, and the parameters applied.
        """
        seed = draw_seed() if seed is None else check_seed(seed)
        if sample_rate is not None and not self.takes_sample_rate:
            raise TypeError(f"{type(self).__name__}.augment() takes no sample_rate (it is for audio)")
        with rng_lock(), global_rng(seed):
            out, params = self._augment(data, sample_rate)
        return AugmentResult(data=out, seed=seed, params=to_jsonable(params))

    def augment_batch(
        self,
        batch: Any,
        *,
        seed: int | None = None,
        sample_rate: int | None = None,
        value_range: tuple[float, float] | None = None,
    ) -> BatchResult:
        """Augment a batch of in-memory samples, each under its own seed.

        Item ``i`` is augmented exactly as ``augment(item, seed=derive_seed(seed, i))``
        would augment it, so the same seed gives the same batch and any item
        can be replayed alone. Every backend takes a list (or tuple) of the
        samples :meth:`augment` takes; each also takes its batch arrays
        (images (N,H,W[,C]), audio (N, frames) or (N, channels, frames)).

        Args:
            batch: The samples.
            seed: The batch's seed; drawn (and recorded) when None.
            sample_rate: Audio only: the sample rate of every item.
            value_range: Images only: ``(lo, hi)``, the range of float32 pixels.

        Returns:
            ``.data`` of the same type, shape and dtype as ``batch``, ``.seeds``
            and ``.params`` per item.

        Raises:
            TypeError: ``batch`` is not a batch this backend takes, or an
                argument is for another modality.
            ValueError: An item (named by its index) or an argument is invalid;
                :class:`~augment.core.result.BadInputError` for an item that
                cannot be augmented.
        """
        seed = draw_seed() if seed is None else check_seed(seed)
        name = type(self).__name__
        if sample_rate is not None and not self.takes_sample_rate:
            raise TypeError(f"{name}.augment_batch() takes no sample_rate (it is for audio)")
        if value_range is not None and not self.takes_value_range:
            raise TypeError(f"{name}.augment_batch() takes no value_range (it is for float images)")
        with rng_lock():
            return self._augment_batch(batch, seed, sample_rate, value_range)

    def _augment_batch(self, batch: Any, seed: int, sample_rate: int | None,
                       value_range: tuple[float, float] | None) -> BatchResult:
        """A list or tuple of samples, each as :meth:`augment` would under its item seed.

        Backends override this for their batch arrays (and call it for lists).
        """
        items = as_items(batch, f"{self.modality} samples")
        seeds = item_seeds(seed, len(items))
        out: list[Any] = []
        params: list[dict[str, Any]] = []
        # One save and restore of the global states for the whole batch; each
        # item starts from the states augment() would give it.
        with saved_rng():
            for index, (item, item_seed) in enumerate(zip(items, seeds, strict=True)):
                random.seed(item_seed)
                np.random.seed(item_seed)
                try:
                    data, applied = self._augment(item, sample_rate)
                except (ValueError, TypeError) as exc:
                    located = item_error(index, exc)
                    if located is exc:
                        raise
                    raise located from exc
                out.append(data)
                params.append(to_jsonable(applied))
        return BatchResult(data=tuple(out) if isinstance(batch, tuple) else out, seed=seed, seeds=seeds,
                           params=params)

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
            self.write(result.data, tmp, suffix=Path(dst).suffix)
        if keep_data:
            return result
        return AugmentResult(data=None, seed=result.seed, params=result.params)

    def handles(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path``'s extension (case-insensitive) is one this augmenter handles."""
        return Path(path).suffix.lower() in self.extensions

    # An augmenter is its config: these four follow from it, for every backend.

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash((type(self).__qualname__, json.dumps(_hash_key(self.config()), sort_keys=True)))

    def __reduce__(self) -> tuple[Any, ...]:
        # A copy (e.g. in a worker process) is rebuilt from the config, so it
        # loads its library objects (TensorFlow, WordNet) itself, lazily.
        return (_rebuild, (type(self), self.config()))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"
