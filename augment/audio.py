"""AudioAugmenter: audiomentations' ``AddGaussianNoise`` on real audio files.

In memory, audio is what audiomentations takes: float32 NumPy samples, either
mono 1-D ``(frames,)`` or channels-first ``(channels, frames)``. Arrays of
another floating dtype (float64 from ``soundfile.read``'s default, float16) are
converted to float32, as audiomentations itself would (it warns; we do it
quietly and say so here). Integer, complex and non-finite samples are rejected,
and so is a 2-D array that is plainly ``(frames, channels)``.

Files go through soundfile (libsndfile). :meth:`AudioAugmenter.read` returns an
:class:`AudioClip` (float32 samples plus sample rate, container format, subtype
and endianness); :meth:`AudioAugmenter.write` keeps all of these when the
destination's extension allows them. Samples are clipped to [-1, 1] before any
non-float subtype (integer PCM, Vorbis, ADPCM...) is written, so loud noise
saturates instead of wrapping around.

Neither audiomentations nor soundfile is imported with this module;
constructing an AudioAugmenter imports neither, and nothing here ever imports
TensorFlow.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from augment.base import Augmenter, AugmentResult, BadInputError
from augment.registry import EXTENSIONS, install_hint

__all__ = ["AudioAugmenter", "AudioClip"]

# Extension -> the soundfile formats a file with that name may hold. The first
# is written when the clip's own format does not belong there. soundfile cannot
# guess a format from ".aif", so the mapping is spelled out for every suffix.
_FORMATS: dict[str, tuple[str, ...]] = {
    ".wav": ("WAV", "WAVEX", "RF64"),
    ".flac": ("FLAC",),
    ".ogg": ("OGG",),
    ".aif": ("AIFF",),
    ".aiff": ("AIFF",),
}

# The only subtypes that store samples as floats; everything else (integer PCM,
# Vorbis, Opus, ADPCM, A-law...) holds [-1, 1] at most.
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})

# libsndfile gives every Ogg stream a serial number from the clock, so two
# writes of the same samples differ in those bytes (and in the page checksums).
# We replace it with this fixed value to make outputs byte-for-byte reproducible.
_OGG_SERIAL = 0x61756764  # "augd"
# Ogg's CRC-32 is zlib's polynomial run most-significant-bit first; reversing
# the bits of every byte (and of the result) lets zlib compute it quickly.
_BIT_REVERSED = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))

# audiomentations refuses a 2-D array whose first axis is more than this many
# times longer than its second (it takes it for (frames, channels)).
_CHANNELS_LAST_FACTOR = 8


def _soundfile() -> Any:
    """The ``soundfile`` module, imported on first use."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: libsndfile itself is missing
        raise ImportError(
            f"the audio backend needs soundfile ({exc}); install it with: {install_hint('audio')}"
        ) from exc
    return soundfile


def _add_gaussian_noise_class() -> type:
    """audiomentations' AddGaussianNoise, imported on first use."""
    try:
        from audiomentations import AddGaussianNoise
    except ImportError as exc:
        raise ImportError(
            f"the audio backend needs audiomentations ({exc}); "
            f"install it with: {install_hint('audio')}"
        ) from exc
    return AddGaussianNoise


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and math.isfinite(value)
    )


def _libsndfile_reason(exc: BaseException) -> str:
    """libsndfile's own words, without soundfile's "Error opening 'path':" prefix."""
    detail = getattr(exc, "error_string", None) or str(exc) or type(exc).__name__
    return re.sub(r"^\s*Error\s*:\s*", "", detail).strip().rstrip(".")


def _ogg_crc(page: bytes) -> int:
    """The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, MSB first, no xor)."""
    lsb_first = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{lsb_first:032b}"[::-1], 2)


def _fix_ogg_serials(path: str | os.PathLike[str]) -> None:
    """Give every logical stream of the Ogg file at ``path`` a fixed serial number."""
    data = bytearray(Path(path).read_bytes())
    serials: dict[bytes, int] = {}
    pos = 0
    while pos < len(data):
        if data[pos: pos + 4] != b"OggS" or pos + 27 > len(data):
            raise RuntimeError(f"{os.fspath(path)}: unexpected Ogg page layout at byte {pos}")
        segments = data[pos + 26]
        length = 27 + segments + sum(data[pos + 27: pos + 27 + segments])
        old = bytes(data[pos + 14: pos + 18])
        serial = serials.setdefault(old, (_OGG_SERIAL + len(serials)) & 0xFFFFFFFF)
        data[pos + 14: pos + 18] = struct.pack("<I", serial)
        data[pos + 22: pos + 26] = bytes(4)
        data[pos + 22: pos + 26] = struct.pack("<I", _ogg_crc(bytes(data[pos: pos + length])))
        pos += length
    Path(path).write_bytes(data)


def _check_sample_rate(value: Any) -> int:
    integer = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if not integer or value <= 0:
        raise ValueError(f"sample_rate must be a positive integer (Hz); got {value!r}")
    return int(value)


def _check_samples(samples: Any, *, in_clip: bool) -> np.ndarray:
    """``samples`` as a float32 array audiomentations accepts; BadInputError otherwise."""
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


@dataclass(frozen=True, eq=False, repr=False)
class AudioClip:
    """Audio samples with what is needed to write them back as they came.

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
        _check_sample_rate(self.sample_rate)
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

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AudioClip):
            return NotImplemented
        return (
            (self.sample_rate, self.format, self.subtype, self.endian)
            == (other.sample_rate, other.format, other.subtype, other.endian)
            and self.samples.dtype == other.samples.dtype
            and np.array_equal(self.samples, other.samples)
        )

    __hash__ = None  # type: ignore[assignment]  # the samples are a mutable array

    def __repr__(self) -> str:
        # The samples themselves would fill a screen; their shape says enough.
        samples = getattr(self.samples, "shape", type(self.samples).__name__)
        return (
            f"AudioClip(samples=<{samples} {getattr(self.samples, 'dtype', '')}>, "
            f"sample_rate={self.sample_rate}, format={self.format!r}, "
            f"subtype={self.subtype!r}, endian={self.endian!r})"
        )


class AudioAugmenter(Augmenter):
    """Add Gaussian noise with audiomentations' ``AddGaussianNoise``.

    Each call draws ``should_apply`` (``random.random() < p``), then an
    amplitude uniformly from ``[min_amplitude, max_amplitude]`` (``random``),
    then the noise (``numpy.random.randn``), all from the global states that
    :meth:`augment` seeds.

    Args:
        min_amplitude: Smallest noise standard deviation, > 0.
        max_amplitude: Largest noise standard deviation, >= ``min_amplitude``.
        p: Probability of adding noise at all, in [0, 1]. 1.0 by default (not
            audiomentations' 0.5) so that every copy written is augmented.
    """

    modality: ClassVar[str] = "audio"
    extensions: ClassVar[frozenset[str]] = EXTENSIONS["audio"]

    def __init__(
        self, min_amplitude: float = 0.01, max_amplitude: float = 0.05, p: float = 1.0
    ) -> None:
        for name, value in (("min_amplitude", min_amplitude), ("max_amplitude", max_amplitude)):
            if not _is_number(value) or value <= 0:
                raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
        if max_amplitude < min_amplitude:
            raise ValueError(
                f"max_amplitude must be >= min_amplitude ({min_amplitude!r}); got {max_amplitude!r}"
            )
        if not _is_number(p) or not 0 <= p <= 1:
            raise ValueError(f"p must be a number in [0, 1]; got {p!r}")
        self.min_amplitude = float(min_amplitude)
        self.max_amplitude = float(max_amplitude)
        self.p = float(p)
        self._transform: Any = None

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON- and TOML-safe."""
        return {
            "min_amplitude": self.min_amplitude,
            "max_amplitude": self.max_amplitude,
            "p": self.p,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AudioAugmenter) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.config().items())))

    def __getstate__(self) -> dict[str, Any]:
        # A copy (e.g. in a worker process) builds its own transform lazily.
        state = self.__dict__.copy()
        state["_transform"] = None
        return state

    def _backend(self) -> Any:
        if self._transform is None:
            self._transform = _add_gaussian_noise_class()(
                min_amplitude=self.min_amplitude, max_amplitude=self.max_amplitude, p=self.p
            )
        return self._transform

    # -- in memory -------------------------------------------------------------

    def augment(  # type: ignore[override]
        self, data: Any, *, sample_rate: int | None = None, seed: int | None = None
    ) -> AugmentResult:
        """Add noise to one sample.

        Args:
            data: float32 samples (1-D mono or ``(channels, frames)``) or an
                :class:`AudioClip`.
            sample_rate: Required for an array; for a clip it comes from the clip
                (and must match it if given).
            seed: The seed to run under; drawn (and recorded) when None.

        Returns:
            The noisy samples (an array, or an AudioClip with the same metadata
            when a clip was given), the seed, and the params
            ``{"should_apply", "amplitude" (only when applied), "sample_rate",
            "channels"}``.
        """
        if isinstance(data, AudioClip):
            if sample_rate is not None and _check_sample_rate(sample_rate) != data.sample_rate:
                raise ValueError(
                    f"sample_rate ({sample_rate!r}) differs from the clip's ({data.sample_rate})"
                )
            sample_rate = data.sample_rate
        elif sample_rate is None:
            raise TypeError(
                "AudioAugmenter.augment() needs sample_rate=... for an array of samples"
            )
        return super().augment(data, seed=seed, sample_rate=_check_sample_rate(sample_rate))

    def _augment(self, data: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        sample_rate = _check_sample_rate(kwargs.pop("sample_rate", None))
        if kwargs:
            raise TypeError(f"AudioAugmenter.augment() got unexpected options: {', '.join(kwargs)}")
        clip = data if isinstance(data, AudioClip) else None
        samples = _check_samples(clip.samples if clip else data, in_clip=clip is not None)
        transform = self._backend()
        # The transform keeps the last call's parameters (an "amplitude" would
        # survive a call that did not apply); start each call clean.
        transform.parameters = {"should_apply": None}
        out = transform(samples, sample_rate)
        if out is (clip.samples if clip else data):
            out = out.copy()  # not applied: never hand back the caller's own array
        applied = bool(transform.parameters["should_apply"])
        params: dict[str, Any] = {"should_apply": applied}
        if applied:
            params["amplitude"] = float(transform.parameters["amplitude"])
        params["sample_rate"] = sample_rate
        params["channels"] = 1 if samples.ndim == 1 else int(samples.shape[0])
        out = out.astype(np.float32, copy=False)
        if clip is not None:
            return dataclasses.replace(clip, samples=out), params
        return out, params

    # -- files -----------------------------------------------------------------

    def read(self, path: str | os.PathLike[str]) -> AudioClip:
        """Decode an audio file into an :class:`AudioClip` (float32, channels first).

        Raises:
            BadInputError: The file is missing or empty, not audio libsndfile can
                open (unknown format, damaged header), fails to decode, holds no
                frames, or holds NaN/infinite samples.
        """
        sf = _soundfile()
        path = os.fspath(path)
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise BadInputError(path, f"cannot read the file: {exc.strerror or exc}") from exc
        if size == 0:
            raise BadInputError(path, "empty file (0 bytes)")
        try:
            handle = sf.SoundFile(path)
        except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
            raise BadInputError(
                path,
                f"not a readable audio file (libsndfile: {_libsndfile_reason(exc)}); "
                "the format is unknown or the header is damaged",
            ) from exc
        try:
            with handle:
                meta = (handle.samplerate, handle.format, handle.subtype, handle.endian)
                frames = handle.read(dtype="float32", always_2d=True)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise BadInputError(
                path, f"cannot decode the audio (libsndfile: {_libsndfile_reason(exc)})"
            ) from exc
        if frames.shape[0] == 0:
            raise BadInputError(path, "no audio frames (the header is valid but holds no samples)")
        if not np.isfinite(frames).all():
            raise BadInputError(path, "the audio holds NaN or infinite samples")
        sample_rate, fmt, subtype, endian = meta
        # soundfile gives (frames, channels); audiomentations wants channels first.
        samples = frames[:, 0].copy() if frames.shape[1] == 1 else np.ascontiguousarray(frames.T)
        return AudioClip(
            samples=samples,
            sample_rate=int(sample_rate),
            format=fmt,
            subtype=subtype,
            endian=endian,
        )

    def write(self, data: AudioClip, path: str | os.PathLike[str]) -> None:
        """Write a clip in the format its extension names, keeping what it can.

        The clip's format, subtype and byte order are kept when the extension's
        format supports them (``.wav`` keeps WAV, WAVEX or RF64), otherwise that
        format's defaults are used. Samples go through clipping to [-1, 1]
        before any non-float subtype, so they saturate rather than wrap. Ogg
        files get a fixed stream serial number (libsndfile draws one from the
        clock), so the same clip always gives the same bytes.
        """
        if not isinstance(data, AudioClip):
            raise TypeError(
                f"AudioAugmenter.write() needs an AudioClip (it carries the sample rate); "
                f"got {type(data).__name__}"
            )
        sf = _soundfile()
        suffix = Path(path).suffix.lower()
        formats = _FORMATS.get(suffix)
        if formats is None:
            raise ValueError(
                f"{os.fspath(path)}: cannot write audio with extension {suffix!r}; "
                f"supported: {', '.join(sorted(_FORMATS))}"
            )
        fmt = data.format if data.format in formats else formats[0]
        subtype = data.subtype if sf.check_format(fmt, data.subtype) else sf.default_subtype(fmt)
        endian = data.endian if sf.check_format(fmt, subtype, data.endian) else "FILE"
        samples = _check_samples(data.samples, in_clip=True)
        if subtype not in _FLOAT_SUBTYPES:
            samples = np.clip(samples, -1.0, 1.0)
        sf.write(
            os.fspath(path),
            samples if samples.ndim == 1 else samples.T,
            data.sample_rate,
            subtype=subtype,
            endian=endian,
            format=fmt,
        )
        if fmt == "OGG":
            _fix_ogg_serials(path)
