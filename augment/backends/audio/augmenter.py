"""AudioAugmenter: a chain of audiomentations waveform transforms on real audio files.

An augmenter holds *ops*, each an audiomentations waveform transform named by
its class with that class's own keyword arguments, e.g.
``{"op": "Gain", "min_gain_db": -6.0, "max_gain_db": 6.0, "p": 1.0}``. Every
transform exported at audiomentations' top level that works on waveforms
(``BaseWaveformTransform``) is available, found by introspection, except
``Lambda`` (its argument is a Python function, which a config cannot hold).
Ops are checked in ``__init__`` against the class's signature
(:mod:`augment.ops`), then built, so a bad recipe fails before any file is read.
With no ``ops``, ``min_amplitude``, ``max_amplitude`` and ``p`` describe a single
``AddGaussianNoise`` op, the default.

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

Neither audiomentations nor soundfile is imported with this module, and the
default ``AudioAugmenter()`` imports neither until it first augments; passing
``ops`` imports audiomentations (to check them) but never its optional extras.
Nothing here ever imports TensorFlow.
"""

from __future__ import annotations

import ast
import builtins
import copy
import dataclasses
import functools
import importlib.util
import inspect
import os
import re
import struct
import textwrap
import typing
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from augment.base import (
    Augmenter,
    AugmentResult,
    BadInputError,
    is_finite_number,
    nonempty_file_size,
    to_jsonable,
)
from augment.ops import OpSpec, build_op, check_op, check_ops_list, did_you_mean, op_label, split_op
from augment.registry import EXTENSIONS, install_hint

__all__ = ["AudioAugmenter", "AudioClip", "supported_ops"]

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

# The legacy arguments and their defaults (DESIGN.md: p=1.0, not the library's 0.5).
_LEGACY_DEFAULTS: dict[str, float] = {"min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}

# Names people may reach for that are not waveform transforms, and why.
_COMPOSITION = (
    "is a composition, not a transform: list the transforms as separate ops instead "
    "(they run one after another, in order)"
)
_SPECTROGRAM = "is a spectrogram transform; AudioAugmenter transforms waveforms"
_REFUSED: dict[str, str] = {
    "Compose": _COMPOSITION,
    "OneOf": _COMPOSITION,
    "SomeOf": _COMPOSITION,
    "SpecCompose": _SPECTROGRAM,
    "SpecChannelShuffle": _SPECTROGRAM,
    "SpecFrequencyMask": _SPECTROGRAM,
    "Lambda": "takes a Python function, which a config (JSON or TOML) cannot hold",
}

# Optional packages audiomentations imports only when a transform first runs:
# checked up front so a recipe fails at once, not on every file.
_EXTRAS: dict[str, tuple[str, str]] = {  # op -> (module, pip name)
    "Limiter": ("numpy_audio_limiter", "numpy-audio-limiter"),
    "LoudnessNormalization": ("loudness", "loudness"),
    "RoomSimulator": ("pyroomacoustics", "pyroomacoustics"),
}
_MP3_BACKENDS: dict[str, tuple[str, str]] = {
    "fast-mp3-augment": ("fast_mp3_augment", "fast-mp3-augment"),
    "lameenc": ("lameenc", "lameenc"),
    "pydub": ("pydub", "pydub"),
}

# Parameters that exist but must not come from a config, beyond function-valued ones.
_EXCLUDED: dict[str, dict[str, str]] = {
    "AddShortNoises": {
        "signal_gain_in_db_during_noise": "deprecated by audiomentations; "
        "use signal_gain_db_during_noise",
    },
}
_FUNCTION_PARAMETER = "it takes a Python function, which a config (JSON or TOML) cannot hold"


def _soundfile() -> Any:
    """The ``soundfile`` module, imported on first use."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: libsndfile itself is missing
        raise ImportError(
            f"the audio backend needs soundfile ({exc}); install it with: {install_hint('audio')}"
        ) from exc
    return soundfile


def _audiomentations() -> Any:
    """The ``audiomentations`` package, imported on first use."""
    try:
        import audiomentations
    except ImportError as exc:
        raise ImportError(
            f"the audio backend needs audiomentations ({exc}); "
            f"install it with: {install_hint('audio')}"
        ) from exc
    return audiomentations


@functools.cache
def _waveform_classes() -> dict[str, type]:
    """Every waveform transform audiomentations exports, by class name (Lambda excluded)."""
    module = _audiomentations()
    from audiomentations.core.transforms_interface import BaseWaveformTransform

    return {
        name: obj
        for name, obj in sorted(vars(module).items())
        if inspect.isclass(obj)
        and issubclass(obj, BaseWaveformTransform)
        and obj is not BaseWaveformTransform
        and name == obj.__name__
        and name not in _REFUSED
    }


def supported_ops() -> list[str]:
    """The audiomentations transform names an op may use, sorted (imports audiomentations)."""
    return list(_waveform_classes())


def _is_function_hint(hint: Any) -> bool:
    if hint is Callable or typing.get_origin(hint) is Callable:
        return True
    return any(_is_function_hint(arg) for arg in typing.get_args(hint) if arg is not type(None))


def _literal_choices(hint: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(hint) is typing.Literal:
        return typing.get_args(hint)
    return None


# What an assert replayed by _assert_checks may use besides the parameters.
_ASSERT_BUILTINS = {name: getattr(builtins, name) for name in ("abs", "bool", "float", "int", "len",
                                                                "max", "min", "str", "type")}
_ASSERT_NODES = (ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.Name, ast.Constant,
                 ast.Tuple, ast.List, ast.Call, ast.expr_context, ast.cmpop, ast.boolop,
                 ast.unaryop, ast.operator)


def _assert_checks(cls: type) -> tuple[Callable[[dict[str, Any]], str | None], ...]:
    """The ``assert``s at the top of ``cls.__init__`` that test only its parameters, as checks.

    audiomentations validates many arguments with ``assert``, which ``python -O``
    removes; replaying those expressions here keeps the checks (and gives a
    message that names the parameter and its value) in every mode.
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    except (OSError, TypeError, SyntaxError):
        return ()
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef):
        return ()
    parameters = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    checks = []
    for node in function.body:
        if not isinstance(node, ast.Assert):
            continue
        inner = list(ast.walk(node.test))
        names = {n.id for n in inner if isinstance(n, ast.Name)}
        calls_ok = all(
            isinstance(n.func, ast.Name) and n.func.id in _ASSERT_BUILTINS
            for n in inner if isinstance(n, ast.Call)
        )
        if (not all(isinstance(n, _ASSERT_NODES) for n in inner) or not calls_ok
                or not names & set(parameters) or not names <= {*parameters, *_ASSERT_BUILTINS}):
            continue
        keys = [n for n in parameters if n in names]
        msg = node.msg.value if isinstance(node.msg, ast.Constant) else None
        checks.append(_assert_check(
            compile(ast.Expression(node.test), f"<{cls.__name__}.__init__>", "eval"),
            ast.unparse(node.test), keys, msg if isinstance(msg, str) else None,
        ))
    return tuple(checks)


def _assert_check(
    code: Any, text: str, keys: list[str], msg: str | None
) -> Callable[[dict[str, Any]], str | None]:
    def check(values: dict[str, Any]) -> str | None:
        try:
            ok = eval(code, {"__builtins__": _ASSERT_BUILTINS}, {k: values.get(k) for k in keys})
        except Exception:  # e.g. None compared with a number: the library decides
            return None
        if ok:
            return None
        got = ", ".join(f"{k}={values.get(k)!r}" for k in keys)
        return f"{msg.replace('`', '') if msg else 'requires ' + text} (got {got})"

    return check


@functools.cache
def _op_spec(name: str) -> OpSpec:
    cls = _waveform_classes()[name]
    try:
        hints = typing.get_type_hints(cls.__init__)
    except Exception:  # unresolvable annotations: OpSpec falls back to the defaults' types
        hints = {}
    exclude = dict(_EXCLUDED.get(name, {}))
    choices: dict[str, tuple[Any, ...]] = {}
    for key, hint in hints.items():
        if _is_function_hint(hint):
            exclude[key] = _FUNCTION_PARAMETER
        elif (options := _literal_choices(hint)) is not None:
            choices[key] = options
    return OpSpec(cls, exclude=exclude, choices=choices, checks=_assert_checks(cls))


def _resolve(name: str, where: str) -> OpSpec:
    """The spec of the transform class ``name``; ValueError saying why when there is none."""
    classes = _waveform_classes()
    if name in classes:
        return _op_spec(name)
    reason = _REFUSED.get(name) or (_SPECTROGRAM if name.startswith("Spec") else None)
    if reason:
        raise ValueError(f"{where}: {name} {reason}; supported ops: {', '.join(classes)}")
    raise ValueError(
        f"{where}: unknown audio op {name!r}{did_you_mean(name, classes)}; "
        f"supported ops (audiomentations {_audiomentations().__version__}): {', '.join(classes)}"
    )


def _plain_params(spec: OpSpec, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    """``params`` as JSON/TOML data: numpy scalars, paths and tuples made plain, no None."""
    plain: dict[str, Any] = {}
    for key, value in params.items():
        parameter = spec.parameters.get(key)
        if value is None and parameter is not None:
            if parameter.default is None:
                continue  # the default anyway; a TOML recipe could not say None
            fix = ("it is required" if parameter.default is parameter.empty
                   else f"leave it out for the default ({parameter.default!r})")
            raise ValueError(f"{where}: {key} cannot be None (a config cannot hold it); {fix}")
        if parameter is None:  # unknown or excluded: check_op says so
            plain[key] = value
            continue
        try:
            plain[key] = to_jsonable(value)
        except TypeError:
            raise ValueError(
                f"{where}: {key} must be plain data (a number, string, boolean, list or table); "
                f"got {type(value).__name__}"
            ) from None
    return plain


def _check_extras(spec: OpSpec, name: str, params: Mapping[str, Any], where: str) -> None:
    """A transform whose optional package is missing would fail on every file: fail now."""
    need, what = _EXTRAS.get(name), name
    if name == "Mp3Compression":
        backend = params.get("backend", spec.defaults().get("backend"))
        need, what = _MP3_BACKENDS.get(backend), f"{name} with backend {backend!r}"
    if need and importlib.util.find_spec(need[0]) is None:
        module, package = need
        raise ValueError(
            f"{where}: {what} needs the optional package {package!r} (module {module}), "
            f"which is not installed; install it with: pip install {package}"
        )


def _check_paths(spec: OpSpec, params: Mapping[str, Any], where: str) -> None:
    """Every ``*_path`` must name audio files or folders holding some, before the walk."""
    from audiomentations.core.utils import SUPPORTED_EXTENSIONS, find_audio_files

    for key in spec.parameters:
        if not key.endswith("_path") or key not in params:
            continue
        value = params[key]
        paths = value if isinstance(value, list) else [value]
        if not paths or not all(isinstance(p, str) and p for p in paths):
            raise ValueError(
                f"{where}: {key} must be a path or a non-empty list of paths (strings); "
                f"got {value!r}"
            )
        for path in paths:
            if not os.path.exists(path):
                raise ValueError(f"{where}: {key}: {path!r} does not exist")
            if os.path.isdir(path):
                if not find_audio_files(path):
                    raise ValueError(
                        f"{where}: {key}: the folder {path!r} holds no audio files "
                        f"({' '.join(SUPPORTED_EXTENSIONS)})"
                    )
            elif not path.lower().endswith(SUPPORTED_EXTENSIONS):
                raise ValueError(
                    f"{where}: {key}: {path!r} is not an audio file audiomentations reads "
                    f"({' '.join(SUPPORTED_EXTENSIONS)})"
                )


def _prepare_op(op: Any, index: int) -> tuple[dict[str, Any], Any]:
    """Check one op; return its plain config and the built transform."""
    name, params = split_op(op, index)
    where = op_label(index, name)
    spec = _resolve(name, where)
    params = _plain_params(spec, params, where)
    check_op(spec, name, params, where)
    _check_extras(spec, name, params, where)
    _check_paths(spec, params, where)
    # The library gets its own copy: the config must never see what it does to it.
    transform = build_op(spec, name, copy.deepcopy(params), where)
    return {"op": name, **params}, transform


def _build(ops: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    configs, transforms = [], []
    for index, op in enumerate(ops, 1):
        config, transform = _prepare_op(op, index)
        configs.append(config)
        transforms.append(transform)
    return configs, transforms


def _applied_params(name: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """One op's record for the manifest: what it drew in this call, JSON-safe."""
    if not parameters.get("should_apply"):
        return {"op": name, "should_apply": False}
    record: dict[str, Any] = {"op": name, "should_apply": True}
    for key, value in parameters.items():
        if key == "should_apply":
            continue
        try:
            record[str(key)] = to_jsonable(value)
        except TypeError:  # an object the library keeps for itself: its repr says enough
            record[str(key)] = repr(value)
    return record


_is_number = is_finite_number


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


def _check_legacy(min_amplitude: Any, max_amplitude: Any, p: Any) -> dict[str, float]:
    """The legacy arguments, checked with messages that start with their names."""
    for name, value in (("min_amplitude", min_amplitude), ("max_amplitude", max_amplitude)):
        if not _is_number(value) or value <= 0:
            raise ValueError(f"{name} must be a finite number > 0; got {value!r}")
    if max_amplitude < min_amplitude:
        raise ValueError(
            f"max_amplitude must be >= min_amplitude ({min_amplitude!r}); got {max_amplitude!r}"
        )
    if not _is_number(p) or not 0 <= p <= 1:
        raise ValueError(f"p must be a number in [0, 1]; got {p!r}")
    return {"min_amplitude": float(min_amplitude), "max_amplitude": float(max_amplitude),
            "p": float(p)}


@functools.cache
def _input_errors() -> tuple[type[BaseException], ...]:
    """What a transform raises because of the audio it was given (too short, wrong
    layout...), as opposed to failing in itself."""
    from audiomentations.core import transforms_interface as ti

    return (
        ValueError, AssertionError, ArithmeticError, IndexError,
        ti.MultichannelAudioNotSupportedException, ti.MonoAudioNotSupportedException,
        ti.WrongMultichannelAudioShape,
    )


def _reason(exc: BaseException) -> str:
    return str(exc).strip() or type(exc).__name__


def _check_layout(transform: Any, samples: np.ndarray, where: str) -> None:
    if samples.ndim == 2 and not transform.supports_multichannel:
        raise BadInputError(None, f"{where} takes mono (1-D) audio only; got {_layout(samples)}")
    if samples.ndim == 1 and not transform.supports_mono:
        raise BadInputError(
            None, f"{where} takes multichannel (2-D) audio only; got {_layout(samples)}"
        )


def _check_output(result: Any, before: np.ndarray, where: str) -> np.ndarray:
    """One op's output as float32, or a clear per-file error. The length may change."""
    if not isinstance(result, np.ndarray) or not np.issubdtype(result.dtype, np.floating):
        kind = getattr(result, "dtype", type(result).__name__)
        raise RuntimeError(f"{where} returned {kind} instead of floating-point samples")
    if result.ndim != before.ndim or result.shape[:-1] != before.shape[:-1]:
        raise BadInputError(
            None,
            f"{where} changed the channel layout from {_layout(before)} to {_layout(result)}; "
            "the number of channels must not change",
        )
    if result.shape[-1] == 0:
        raise BadInputError(None, f"{where} left no audio frames")
    # float64 from one op would make the next one warn (audiomentations converts it anyway).
    result = result.astype(np.float32, copy=False)
    if not np.isfinite(result).all():
        raise BadInputError(None, f"{where} produced NaN or infinite samples")
    return result


def _layout(samples: np.ndarray) -> str:
    if samples.ndim == 1:
        return "mono (1-D)"
    if samples.ndim == 2:
        return f"{samples.shape[0]} channel{'' if samples.shape[0] == 1 else 's'} (2-D)"
    return f"shape {samples.shape}"


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
    """Run a chain of audiomentations waveform transforms, in order.

    Each call applies every op in turn, as audiomentations'
    ``Compose(transforms, p=1.0, shuffle=False)`` would: each transform draws
    its own ``should_apply`` (``random.random() < p``) and its parameters from
    ``random``, and its noise (if any) from ``numpy.random``, all global states
    that :meth:`augment` seeds and restores.

    Args:
        min_amplitude: Without ``ops``: the smallest noise standard deviation
            of the default ``AddGaussianNoise`` op, > 0.
        max_amplitude: Without ``ops``: its largest, >= ``min_amplitude``.
        p: Without ``ops``: its probability, in [0, 1]. 1.0 by default (not
            audiomentations' 0.5) so that every copy written is augmented.
        ops: The transforms, each ``{"op": <audiomentations class name>,
            **that class's keyword arguments}`` (an op that leaves out ``p``
            gets the library's default, 0.5). Not together with a non-default
            ``min_amplitude``, ``max_amplitude`` or ``p``.

    Raises:
        ValueError: An argument or op is invalid. Op errors start with
            ``ops[i] (Name): `` (i counts from 1) and name the parameter.
        ImportError: ``ops`` were given and audiomentations is not installed.
    """

    modality: ClassVar[str] = "audio"
    extensions: ClassVar[frozenset[str]] = EXTENSIONS["audio"]

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
            legacy_op = _check_legacy(min_amplitude, max_amplitude, p)
            self._ops = [{"op": "AddGaussianNoise", **legacy_op}]
            return  # built on first use: AudioAugmenter() imports no audio library
        given = {"min_amplitude": min_amplitude, "max_amplitude": max_amplitude, "p": p}
        legacy = [k for k, v in given.items() if not (_is_number(v) and v == _LEGACY_DEFAULTS[k])]
        if legacy:
            raise ValueError(
                f"pass either ops or {', '.join(legacy)}, not both; "
                f"with ops, set them in an AddGaussianNoise op (got {', '.join(legacy)}="
                f"{', '.join(repr(given[k]) for k in legacy)})"
            )
        ops = check_ops_list(ops, "{'op': 'Gain', 'p': 1.0}")
        self._ops, self._transforms = _build(ops)

    @property
    def ops(self) -> list[dict[str, Any]]:
        """The ops, as plain data (a copy)."""
        return copy.deepcopy(self._ops)

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON- and TOML-safe: ``{"ops": [...]}``."""
        return {"ops": self.ops}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AudioAugmenter) and other._ops == self._ops

    def __hash__(self) -> int:
        # Only the op names: equal numbers may be spelled 1 and 1.0, which repr tells apart.
        return hash(tuple(op["op"] for op in self._ops))

    def __getstate__(self) -> dict[str, Any]:
        # A copy (e.g. in a worker process) builds its own transforms lazily.
        state = self.__dict__.copy()
        state["_transforms"] = None
        return state

    def _backend(self) -> list[Any]:
        if self._transforms is None:
            self._transforms = _build(self._ops)[1]
        return self._transforms

    # -- in memory -------------------------------------------------------------

    def augment(  # type: ignore[override]
        self, data: Any, *, sample_rate: int | None = None, seed: int | None = None
    ) -> AugmentResult:
        """Run the ops on one sample.

        Args:
            data: float32 samples (1-D mono or ``(channels, frames)``) or an
                :class:`AudioClip`.
            sample_rate: Required for an array; for a clip it comes from the clip
                (and must match it if given).
            seed: The seed to run under; drawn (and recorded) when None.

        Returns:
            The augmented samples (an array, or an AudioClip with the same
            metadata when a clip was given; the length may change, the channel
            count never does), the seed, and the params ``{"sample_rate",
            "channels", "ops": [{"op", "should_apply", ...what that op drew
            in this call}, ...]}``.

        Raises:
            BadInputError: The samples are unusable, or an op cannot process
                them (a mono-only op on several channels, an op that fails on
                this audio, changes its channel count, leaves no frames or
                produces NaN/infinity).
            RuntimeError: An op failed in some other way (named in the message).
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
        channels = 1 if samples.ndim == 1 else int(samples.shape[0])
        transforms = self._backend()
        # Refuse before any draw, so a file fails the same way whatever the seed
        # (audiomentations only checks when the op happens to apply).
        for index, transform in enumerate(transforms, 1):
            _check_layout(transform, samples, op_label(index, self._ops[index - 1]["op"]))
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
            except _input_errors() as exc:
                reason = f"{where} cannot process this audio: {_reason(exc)}"
                raise BadInputError(None, reason) from exc
            except Exception as exc:
                raise RuntimeError(f"{where} failed: {type(exc).__name__}: {_reason(exc)}") from exc
            out = _check_output(result, out, where)
            records.append(_applied_params(name, transform.parameters))
        out = np.ascontiguousarray(out)  # e.g. Reverse returns a reversed view
        params: dict[str, Any] = {"sample_rate": sample_rate, "channels": channels, "ops": records}
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
        nonempty_file_size(path)
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
