"""AudioClip, and the checks samples and sample rates pass before and after every op.

In memory, audio is what audiomentations takes: float32 NumPy samples, either
mono 1-D ``(frames,)`` or channels-first ``(channels, frames)``. Arrays of
another floating dtype (float64 from ``soundfile.read``'s default, float16) are
converted to float32, as audiomentations itself would (it warns; we do it
quietly and say so here). Integer, complex and non-finite samples are rejected,
and so is a 2-D array that is plainly ``(frames, channels)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from augment.core.result import BadInputError

__all__ = ["AudioClip", "check_layout", "check_output", "check_sample_rate", "check_samples", "describe_layout"]

# audiomentations refuses a 2-D array whose first axis is more than this many
# times longer than its second (it takes it for (frames, channels)).
_CHANNELS_LAST_FACTOR = 8


def check_sample_rate(value: Any) -> int:
    """``value`` as an int if it is a positive whole number; ValueError naming sample_rate otherwise."""
    integer = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not integer or value <= 0:
        raise ValueError(f"sample_rate must be a positive integer (Hz); got {value!r}")
    return int(value)


def check_samples(samples: Any, *, in_clip: bool) -> np.ndarray:
    """``samples`` as a float32 array audiomentations accepts; BadInputError otherwise.

    Args:
        samples: The samples to check.
        in_clip: Whether they come from an :class:`AudioClip` (whose samples are
            channels-first by construction, so a tall array has too few frames
            rather than the wrong orientation).
    """
    if not isinstance(samples, np.ndarray):
        raise BadInputError(
            None,
            "audio samples must be a NumPy float32 array or an AudioClip; "
            f"got {type(samples).__name__}",
        )
    if not np.issubdtype(samples.dtype, np.floating):
        raise BadInputError(
            None,
            f"audio samples must be floating point in [-1, 1] (float32); got dtype {samples.dtype}",
        )
    if samples.ndim not in (1, 2):
        raise BadInputError(
            None,
            "audio samples must be 1-D (mono) or 2-D (channels, frames); "
            f"got {samples.ndim}-D, shape {samples.shape}",
        )
    if samples.ndim == 2 and samples.shape[0] == 0:
        raise BadInputError(None, f"audio samples have no channels; shape {samples.shape}")
    if samples.shape[-1] == 0:
        raise BadInputError(None, f"no audio frames; shape {samples.shape}")
    if samples.ndim == 2 and samples.shape[0] > samples.shape[1] * _CHANNELS_LAST_FACTOR:
        channels, frames = samples.shape
        if in_clip:
            raise BadInputError(
                None,
                f"{channels} channels but only {frames} frames; audiomentations needs at least "
                f"one frame per {_CHANNELS_LAST_FACTOR} channels",
            )
        raise BadInputError(
            None,
            f"2-D audio samples must be (channels, frames); shape {samples.shape} looks like "
            "(frames, channels): pass samples.T",
        )
    samples = samples.astype(np.float32, copy=False)
    if not np.isfinite(samples).all():
        raise BadInputError(None, "audio samples contain NaN or infinity")
    return samples


def describe_layout(samples: np.ndarray) -> str:
    """How messages name the channel layout of ``samples``, e.g. ``2 channels (2-D)``."""
    if samples.ndim == 1:
        return "mono (1-D)"
    if samples.ndim == 2:
        return f"{samples.shape[0]} channel{'' if samples.shape[0] == 1 else 's'} (2-D)"
    return f"shape {samples.shape}"


def check_layout(transform: Any, samples: np.ndarray, where: str) -> None:
    """BadInputError if the transform cannot take this channel layout (mono-only, multichannel-only)."""
    if samples.ndim == 2 and not transform.supports_multichannel:
        raise BadInputError(None, f"{where} takes mono (1-D) audio only; got {describe_layout(samples)}")
    if samples.ndim == 1 and not transform.supports_mono:
        raise BadInputError(
            None, f"{where} takes multichannel (2-D) audio only; got {describe_layout(samples)}"
        )


def check_output(result: Any, before: np.ndarray, where: str) -> np.ndarray:
    """One op's output as float32, or a clear per-file error. The length may change."""
    if not isinstance(result, np.ndarray) or not np.issubdtype(result.dtype, np.floating):
        kind = getattr(result, "dtype", type(result).__name__)
        raise RuntimeError(f"{where} returned {kind} instead of floating-point samples")
    if result.ndim != before.ndim or result.shape[:-1] != before.shape[:-1]:
        raise BadInputError(
            None,
            f"{where} changed the channel layout from {describe_layout(before)} to {describe_layout(result)}; "
            "the number of channels must not change",
        )
    if result.shape[-1] == 0:
        raise BadInputError(None, f"{where} left no audio frames")
    # float64 from one op would make the next one warn (audiomentations converts it anyway).
    result = result.astype(np.float32, copy=False)
    if not np.isfinite(result).all():
        raise BadInputError(None, f"{where} produced NaN or infinite samples")
    return result


@dataclass(frozen=True, eq=False, repr=False)
class AudioClip:
    """Audio samples with what is needed to write them back as they came.

    Clips compare equal when their metadata, dtype and samples are equal; they
    are not hashable (the samples are a mutable array).

    Attributes:
        samples: float32 samples, 1-D ``(frames,)`` for mono or channels-first
            ``(channels, frames)``.
        sample_rate: Frames per second.
        format: soundfile's container format, e.g. ``"WAV"``, ``"FLAC"``,
            ``"OGG"``, ``"AIFF"``.
        subtype: soundfile's sample encoding, e.g. ``"PCM_16"``, ``"PCM_24"``,
            ``"FLOAT"``, ``"VORBIS"``.
        endian: soundfile's byte order, ``"FILE"`` for the format's default.
    """

    samples: np.ndarray
    sample_rate: int
    format: str = "WAV"
    subtype: str = "PCM_16"
    endian: str = "FILE"

    def __post_init__(self) -> None:
        check_sample_rate(self.sample_rate)
        for name in ("format", "subtype", "endian"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a non-empty string; got {value!r}")

    @property
    def channels(self) -> int:
        """Number of channels (1 for 1-D samples)."""
        return 1 if self.samples.ndim == 1 else int(self.samples.shape[0])

    @property
    def frames(self) -> int:
        """Number of frames (samples per channel)."""
        return int(self.samples.shape[-1])

    # Defining __eq__ (and no __hash__) leaves __hash__ None: the samples are a mutable array.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AudioClip):
            return NotImplemented
        return (
            (self.sample_rate, self.format, self.subtype, self.endian)
            == (other.sample_rate, other.format, other.subtype, other.endian)
            and self.samples.dtype == other.samples.dtype
            and np.array_equal(self.samples, other.samples)
        )

    def __repr__(self) -> str:
        # The samples themselves would fill a screen; their shape says enough.
        samples = getattr(self.samples, "shape", type(self.samples).__name__)
        return (
            f"AudioClip(samples=<{samples} {getattr(self.samples, 'dtype', '')}>, "
            f"sample_rate={self.sample_rate}, format={self.format!r}, "
            f"subtype={self.subtype!r}, endian={self.endian!r})"
        )
