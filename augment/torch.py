"""On-the-fly augmentation for PyTorch: :class:`Transform`, for torchvision-style pipelines and ``Dataset.__getitem__``.

This module never imports PyTorch itself: a tensor can only come from a
program that already has (and so do ``DataLoader`` workers), and PIL images
and NumPy arrays need no PyTorch at all.

Each call draws under a seed of its own, from a stream: call ``k`` of a
stream with seed ``s`` runs under ``derive_seed(s, k)`` (its image as item 0
of a batch under that seed). In the main process the stream's seed is the
Transform's. In a ``DataLoader`` worker it is made from the Transform's seed
and the seed PyTorch gives that worker (``torch.utils.data.get_worker_info().seed``):
each worker draws its own stream, new every epoch, and the same again when
the ``DataLoader`` is seeded the same (``generator=torch.Generator().manual_seed(...)``
or ``torch.manual_seed``), as PyTorch's documentation asks for any
randomness in workers. Elsewhere a process that gets a copy of a Transform
(pickled, or forked) starts its stream afresh: give the Transforms of
processes that must not draw alike seeds of their own.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

import numpy as np

from augment.core.augmenter import Augmenter
from augment.core.batch import item_seeds
from augment.core.seeding import check_seed, derive_seed, draw_seed
from augment.run.recipe import Recipe

__all__ = ["Transform"]

# An axis of this length may hold the channels (grey, grey + alpha, RGB, RGBA).
_CHANNELS = (1, 2, 3, 4)


def _worker_info() -> Any:
    """PyTorch's ``get_worker_info()`` when PyTorch is loaded (None outside a DataLoader worker)."""
    data = sys.modules.get("torch.utils.data")
    return None if data is None else data.get_worker_info()


def _tensor_class() -> Any:
    torch = sys.modules.get("torch")
    return None if torch is None else torch.Tensor


class Transform:
    """Augment one sample per call, as a torchvision transform does: ``Transform(recipe)(image)``.

    Args:
        augmenter_or_recipe: An :class:`~augment.core.augmenter.Augmenter`, or a
            :class:`~augment.run.recipe.Recipe` (its ``modality`` table).
        seed: The seed of the stream of draws; None: the recipe's seed, else one
            drawn when the Transform is made. See the module's notes for
            ``DataLoader`` workers.
        modality: With a recipe, the table to use (default "image").
        value_range: ``(lo, hi)`` of float images (required for them), e.g.
            ``(0, 1)`` after torchvision's ``ToTensor``.
        sample_rate: Audio: the sample rate of arrays and tensors.
        return_params: Return ``(sample, params)`` instead of the sample.

    Images: a ``PIL.Image.Image`` comes back as one (mode and size kept); a
    NumPy array or a tensor, H×W, H×W×C or C×H×W (C in 1..4), uint8, uint16
    or float32, comes back with the same shape, dtype and (for a tensor)
    device. A 3-D array is H×W×C unless only its first axis can be the
    channels (C×H×W); for a tensor it is the other way round (C×H×W unless
    only its last axis can be). Text: a ``str``. Audio: a 1-D or (channels,
    frames) array or tensor.

    Raises:
        TypeError: Not an augmenter or recipe.
        ValueError: An unknown modality, a bad seed, or a ``modality`` that
            contradicts the augmenter's.
    """

    def __init__(
        self,
        augmenter_or_recipe: Augmenter | Recipe,
        *,
        seed: int | None = None,
        modality: str | None = None,
        value_range: tuple[float, float] | None = None,
        sample_rate: int | None = None,
        return_params: bool = False,
    ) -> None:
        source = augmenter_or_recipe
        if isinstance(source, Recipe):
            self.augmenter = source.augmenter(modality or "image")
            if seed is None:
                seed = source.seed
        elif isinstance(source, Augmenter):
            if modality is not None and modality != source.modality:
                raise ValueError(f"modality={modality!r} but the augmenter is a {source.modality} augmenter")
            self.augmenter = source
        else:
            raise TypeError(f"Transform takes an Augmenter or a Recipe; got {type(source).__name__}")
        #: The seed the Transform was given, or the recipe's (None: one was drawn).
        self.seed = None if seed is None else check_seed(seed)
        self._drawn = draw_seed() if self.seed is None else self.seed
        self.value_range = value_range
        self.sample_rate = sample_rate
        self.return_params = return_params
        self._key: tuple[int, int | None] | None = None
        self._stream = 0
        self._calls = 0
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        del state["_lock"]  # a lock cannot be pickled (spawned DataLoader workers get a copy)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Transform({self.augmenter!r}, seed={self.seed!r})"

    def next_seed(self) -> int:
        """The seed of the next call (and moves the stream on): ``derive_seed(stream seed, call number)``."""
        worker = _worker_info()
        key = (os.getpid(), None if worker is None else int(worker.seed))
        with self._lock:
            if key != self._key:  # a new process, or a worker of a new epoch: a new stream
                self._key, self._calls = key, 0
                if worker is None:
                    self._stream = self._drawn
                elif self.seed is None:
                    self._stream = derive_seed(int(worker.seed), "worker")
                else:
                    self._stream = derive_seed(self.seed, "worker", int(worker.seed))
            seed = derive_seed(self._stream, self._calls)
            self._calls += 1
        return seed

    def __call__(self, sample: Any) -> Any:
        """Augment ``sample`` under the stream's next seed; the same kind of sample back (and params)."""
        seed = self.next_seed()
        tensor = _tensor_class()
        if tensor is not None and isinstance(sample, tensor):
            array = sample.detach().cpu().numpy()
            out, params = self._augment(array, seed, channels_first=True)
            result: Any = sys.modules["torch"].from_numpy(np.ascontiguousarray(out)).to(sample.device)
        else:
            result, params = self._augment(sample, seed, channels_first=False)
        return (result, params) if self.return_params else result

    def _augment(self, sample: Any, seed: int, *, channels_first: bool) -> tuple[Any, dict[str, Any]]:
        if self.augmenter.modality == "image" and isinstance(sample, np.ndarray):
            return self._image_array(sample, seed, channels_first)
        # One sample: item 0 of a batch under ``seed``, as for arrays.
        (item_seed,) = item_seeds(seed, 1)
        rate = self.sample_rate if self.augmenter.takes_sample_rate and not _has_rate(sample) else None
        result = self.augmenter.augment(sample, seed=item_seed, sample_rate=rate)
        return result.data, result.params

    def _image_array(self, array: np.ndarray, seed: int, channels_first: bool) -> tuple[np.ndarray, dict[str, Any]]:
        if array.ndim not in (2, 3):
            raise ValueError(f"Transform takes one image, H×W, H×W×C or C×H×W; got shape {array.shape} "
                             "(augment a batch with augmenter.augment_batch)")
        chw = False
        if array.ndim == 3:
            first, last = array.shape[0] in _CHANNELS, array.shape[2] in _CHANNELS
            chw = first and (channels_first or not last)
        image = array.transpose(1, 2, 0) if chw else array
        # The range is the float images'; integer ones have their dtype's.
        value_range = self.value_range if image.dtype == np.float32 else None
        result = self.augmenter.augment_batch(np.ascontiguousarray(image)[None], seed=seed, value_range=value_range)
        out = result.data[0]
        return (out.transpose(2, 0, 1) if chw else out), result.params[0]


def _has_rate(sample: Any) -> bool:
    """Whether an audio sample carries its own sample rate (an AudioClip)."""
    return hasattr(sample, "sample_rate")
