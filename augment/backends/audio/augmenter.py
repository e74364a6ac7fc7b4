"""AudioAugmenter: a chain of audiomentations waveform transforms, applied in order, on clips and files.

Each op is checked and built by :mod:`augment.backends.audio.catalogue`; the
samples are checked by :mod:`augment.backends.audio.clip` and files go through
:mod:`augment.backends.audio.io`. Here the ops run one after another, as
audiomentations' ``Compose(transforms, p=1.0, shuffle=False)`` would run them,
and each call records what every op drew.
"""

from __future__ import annotations

import copy
import dataclasses
import os
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from augment.backends.audio.catalogue import applied_params, build_ops, input_errors
from augment.backends.audio.clip import AudioClip, check_layout, check_output, check_sample_rate, check_samples
from augment.backends.audio.io import read_clip, write_clip
from augment.core.augmenter import Augmenter
from augment.core.batch import BatchResult
from augment.core.checks import is_finite_number
from augment.core.ops import check_ops_list, op_label, refuse_shorthand
from augment.core.registry import backend
from augment.core.result import BadInputError

__all__ = ["AudioAugmenter"]

# The shorthand's arguments and their defaults (DESIGN.md: p=1.0, not the library's 0.5).
_SHORTHAND_DEFAULTS: dict[str, float] = {"min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}
_DEFAULT_OP: dict[str, Any] = {"op": "AddGaussianNoise", **_SHORTHAND_DEFAULTS}


def _shorthand_op(min_amplitude: Any, max_amplitude: Any, p: Any) -> dict[str, Any]:
    """The single AddGaussianNoise op the shorthand describes, checked with messages that start with the names."""
    for name, value in (("min_amplitude", min_amplitude), ("max_amplitude", max_amplitude)):
        if not is_finite_number(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    if max_amplitude < min_amplitude:
        raise ValueError(
            f"max_amplitude must be >= min_amplitude ({min_amplitude!r}); got {max_amplitude!r}"
        )
    if not is_finite_number(p) or not 0 <= p <= 1:
        raise ValueError(f"p must be a number in [0, 1]; got {p!r}")
    return {"op": "AddGaussianNoise", "min_amplitude": float(min_amplitude),
            "max_amplitude": float(max_amplitude), "p": float(p)}


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


class AudioAugmenter(Augmenter):
    """Run a chain of audiomentations waveform transforms, in order.

    Each call applies every op in turn, as audiomentations'
    ``Compose(transforms, p=1.0, shuffle=False)`` would: each transform draws
    its own ``should_apply`` (``random.random() < p``) and its parameters from
    ``random``, and its noise (if any) from ``numpy.random``, all global states
    that :meth:`augment` seeds and restores.

    In memory, :meth:`augment` takes float32 samples (1-D mono or
    ``(channels, frames)``) with ``sample_rate=...``, or an
    :class:`~augment.backends.audio.clip.AudioClip` (whose own rate is used; a
    ``sample_rate`` given with it must match). It returns an array, or a clip
    with the same metadata; the length may change, the channel count never
    does. The params are ``{"sample_rate", "channels", "ops": [{"op",
    "should_apply", ...what that op drew in this call}, ...]}``.

    :meth:`augment_batch` takes a batch array with ``sample_rate=...``:
    ``(N, frames)`` is N mono clips, ``(N, channels, frames)`` N clips of that
    many channels (floating point; the dtype is kept). It returns an array of
    the same shape, unless an op changed some item's length (``TimeStretch``
    with ``leave_length_unchanged=False``, ``Trim``...): then ``.data`` is a
    list of the N arrays, each as long as it came out. A list (or tuple) of
    anything :meth:`augment` takes gives a list (or tuple).

    ``min_amplitude``, ``max_amplitude`` and ``p`` are a shorthand for the
    single op ``{"op": "AddGaussianNoise", "min_amplitude": ...,
    "max_amplitude": ..., "p": ...}``, the default: ``config()`` gives that op,
    and both forms augment alike, byte for byte. The shorthand builds its
    transform on first use, so ``AudioAugmenter()`` imports no audio library.

    Args:
        min_amplitude: Shorthand: the smallest noise standard deviation of the
            AddGaussianNoise op, > 0.
        max_amplitude: Shorthand: its largest, >= ``min_amplitude``.
        p: Shorthand: its probability, in [0, 1]. 1.0 by default (not
            audiomentations' 0.5) so that every copy written is augmented.
        ops: The transforms, each ``{"op": <audiomentations class name>,
            **that class's keyword arguments}`` (an op that leaves out a
            parameter gets the library's default, e.g. ``p=0.5``). Not together
            with a non-default ``min_amplitude``, ``max_amplitude`` or ``p``.
            Checked and built at once (importing audiomentations), so a bad
            recipe fails before any file is read.

    Raises:
        ValueError: An argument or op is invalid. Op errors start with
            ``ops[i] (Name): `` (i counts from 1) and name the parameter.
        ImportError: ``ops`` were given and audiomentations is not installed.
    """

    modality: ClassVar[str] = "audio"
    extensions: ClassVar[frozenset[str]] = backend("audio").extensions
    options: ClassVar[tuple[str, ...]] = ()
    default_table: ClassVar[Mapping[str, Any]] = {"ops": [_DEFAULT_OP]}
    takes_sample_rate: ClassVar[bool] = True

    def __init__(
        self,
        min_amplitude: float = 0.01,
        max_amplitude: float = 0.05,
        p: float = 1.0,
        *,
        ops: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        self._transforms: list[Any] | None = None
        if ops is None:
            # Built on first use, by the same build_ops as any ops list.
            self._ops = [_shorthand_op(min_amplitude, max_amplitude, p)]
            return
        given = {"min_amplitude": min_amplitude, "max_amplitude": max_amplitude, "p": p}
        refuse_shorthand({k: v for k, v in given.items()
                          if not (is_finite_number(v) and v == _SHORTHAND_DEFAULTS[k])}, "AddGaussianNoise")
        ops = check_ops_list(ops, "{'op': 'Gain', 'p': 1.0}")
        self._ops, self._transforms = build_ops(ops)

    @property
    def ops(self) -> list[dict[str, Any]]:
        """The ops, as plain data (a copy)."""
        return copy.deepcopy(self._ops)

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON- and TOML-safe: ``{"ops": [...]}``."""
        return {"ops": self.ops}

    def _backend(self) -> list[Any]:
        if self._transforms is None:
            self._transforms = build_ops(self._ops)[1]
        return self._transforms

    # -- in memory -------------------------------------------------------------

    def _augment(self, data: Any, sample_rate: int | None) -> tuple[Any, dict[str, Any]]:
        """Run the ops on one array of samples or one clip.

        Raises:
            TypeError: An array came without a sample rate.
            ValueError: The sample rate is not a positive integer, or differs
                from the clip's.
            BadInputError: The samples are unusable, or an op cannot process
                them (a mono-only op on several channels, an op that fails on
                this audio, changes its channel count, leaves no frames or
                produces NaN/infinity).
            RuntimeError: An op failed in some other way (named in the message).
        """
        # Every check comes before any random draw.
        if isinstance(data, AudioClip):
            if sample_rate is not None and check_sample_rate(sample_rate) != data.sample_rate:
                raise ValueError(
                    f"sample_rate ({sample_rate!r}) differs from the clip's ({data.sample_rate})"
                )
            sample_rate = data.sample_rate
        elif sample_rate is None:
            raise TypeError(
                "AudioAugmenter.augment() needs sample_rate=... for an array of samples"
            )
        sample_rate = check_sample_rate(sample_rate)
        clip = data if isinstance(data, AudioClip) else None
        samples = check_samples(clip.samples if clip else data, in_clip=clip is not None)
        channels = 1 if samples.ndim == 1 else int(samples.shape[0])
        transforms = self._backend()
        # Refuse before any draw, so a file fails the same way whatever the seed
        # (audiomentations only checks when the op happens to apply).
        for index, transform in enumerate(transforms, 1):
            check_layout(transform, samples, op_label(index, self._ops[index - 1]["op"]))
        # Our own copy: the caller's array is never handed back, nor changed in place.
        out = np.array(samples, dtype=np.float32, copy=True)
        records = []
        # What Compose(transforms, p=1.0, shuffle=False) does, minus its own
        # random.random() draw (which would shift every op's draws, so the same
        # seed would no longer give the same output as before ops existed), and
        # with the checks and the per-call parameters Compose does not give.
        for index, transform in enumerate(transforms, 1):
            name = self._ops[index - 1]["op"]
            where = op_label(index, name)
            # Transforms keep the last call's parameters (an "amplitude" would
            # survive a call that did not apply); start each call clean.
            transform.parameters = {"should_apply": None}
            try:
                result = transform(out, sample_rate)
            except input_errors() as exc:
                reason = f"{where} cannot process this audio: {_reason(exc)}"
                raise BadInputError(None, reason) from exc
            except Exception as exc:
                raise RuntimeError(f"{where} failed: {type(exc).__name__}: {_reason(exc)}") from exc
            out = check_output(result, out, where)
            records.append(applied_params(name, transform.parameters))
        out = np.ascontiguousarray(out)  # e.g. Reverse returns a reversed view
        params: dict[str, Any] = {"sample_rate": sample_rate, "channels": channels, "ops": records}
        if clip is not None:
            return dataclasses.replace(clip, samples=out), params
        return out, params

    def _augment_batch(self, batch: Any, seed: int, sample_rate: int | None,
                       value_range: tuple[float, float] | None) -> BatchResult:
        if not isinstance(batch, np.ndarray):
            return super()._augment_batch(batch, seed, sample_rate, value_range)
        if batch.ndim not in (2, 3):
            raise ValueError("an audio batch array is (N, frames) of mono clips or (N, channels, frames); "
                             f"got shape {batch.shape}")
        if sample_rate is None:
            raise TypeError("AudioAugmenter.augment_batch() needs sample_rate=... for an array of samples")
        result = super()._augment_batch(list(batch), seed, sample_rate, value_range)
        outs = [np.asarray(out).astype(batch.dtype, copy=False) for out in result.data]
        if all(out.shape == batch.shape[1:] for out in outs):
            data: Any = np.stack(outs) if outs else batch.copy()
        else:
            data = outs  # some op changed a length: the items no longer stack
        return dataclasses.replace(result, data=data)

    # -- files -----------------------------------------------------------------

    def read(self, path: str | os.PathLike[str]) -> AudioClip:
        """Decode an audio file into an :class:`AudioClip` (float32, channels first).

        Raises:
            BadInputError: The file is missing or empty, not audio libsndfile can
                open (unknown format, damaged header), fails to decode, holds no
                frames, or holds NaN/infinite samples.
        """
        return read_clip(path)

    def write(self, data: AudioClip, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
        """Write a clip in the format ``suffix`` (default: the path's extension) names, keeping what it can.

        The clip's format, subtype and byte order are kept when the extension's
        format supports them (``.wav`` keeps WAV, WAVEX or RF64), otherwise that
        format's defaults are used. Samples go through clipping to [-1, 1]
        before any non-float subtype, so they saturate rather than wrap. Ogg
        files get a fixed stream serial number (libsndfile draws one from the
        clock) and float WAV/AIFF files no PEAK chunk (it holds the time of
        writing), so the same clip always gives the same bytes.
        """
        if not isinstance(data, AudioClip):
            raise TypeError(
                f"AudioAugmenter.write() needs an AudioClip (it carries the sample rate); "
                f"got {type(data).__name__}"
            )
        write_clip(data, path, suffix=suffix)
