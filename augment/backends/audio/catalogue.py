"""The audiomentations transforms an op may name, and how one op is checked and built.

Every transform exported at audiomentations' top level that works on waveforms
(``BaseWaveformTransform``) is available, found by introspection. Compositions
(``Compose``, ``OneOf``, ``SomeOf``), spectrogram transforms and ``Lambda`` (its
argument is a Python function, which a config cannot hold) are refused with a
message that says why. Each op is checked against its class's signature
(:mod:`augment.core.ops`), against the ``assert``s its ``__init__`` starts with
(replayed here so that ``python -O`` does not remove them), for the optional
package it needs and for the files it reads, and only then built, so a bad
recipe fails before any file is read. audiomentations is imported on first
use, never with this module, and its optional extras never.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import importlib.util
import inspect
import os
import textwrap
import typing
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from augment.core.checks import did_you_mean
from augment.core.ops import OpSpec, build_op, check_op, op_label, split_op
from augment.core.registry import install_hint
from augment.core.result import to_jsonable

__all__ = [
    "MAX_SCANNED",
    "applied_params",
    "build_ops",
    "input_errors",
    "load_audiomentations",
    "prepare_op",
    "supported_ops",
    "waveform_classes",
]

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

#: The most files and folders the check of a ``*_path`` folder looks at (links followed).
MAX_SCANNED = 200_000


def load_audiomentations() -> Any:
    """The ``audiomentations`` package, imported on first use; ImportError saying what to install."""
    try:
        import audiomentations
    except ImportError as exc:
        raise ImportError(
            f"the audio backend needs audiomentations ({exc}); "
            f"install it with: {install_hint('audio')}"
        ) from exc
    return audiomentations


@functools.cache
def waveform_classes() -> dict[str, type]:
    """Every waveform transform audiomentations exports, by class name (the refused ones left out)."""
    module = load_audiomentations()
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
    return list(waveform_classes())


@functools.cache
def input_errors() -> tuple[type[BaseException], ...]:
    """What a transform raises because of the audio it was given (too short, wrong layout...).

    As opposed to failing in itself: these make a per-file BadInputError.
    """
    from audiomentations.core import transforms_interface as ti

    return (
        ValueError, AssertionError, ArithmeticError, IndexError,
        ti.MultichannelAudioNotSupportedException, ti.MonoAudioNotSupportedException,
        ti.WrongMultichannelAudioShape,
    )


def _init_of(cls: type) -> Any:
    # getattr: mypy rejects ``cls.__init__`` on a ``type`` as unsound.
    return getattr(cls, "__init__")  # noqa: B009


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
    init = _init_of(cls)
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)))
    except (OSError, TypeError, SyntaxError):
        return ()
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef):
        return ()
    parameters = [n for n in inspect.signature(init).parameters if n != "self"]
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
    cls = waveform_classes()[name]
    try:
        hints = typing.get_type_hints(_init_of(cls))
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
    classes = waveform_classes()
    if name in classes:
        return _op_spec(name)
    reason = _REFUSED.get(name) or (_SPECTROGRAM if name.startswith("Spec") else None)
    if reason:
        raise ValueError(f"{where}: {name} {reason}; supported ops: {', '.join(classes)}")
    raise ValueError(
        f"{where}: unknown audio op {name!r}{did_you_mean(name, classes)}; "
        f"supported ops (audiomentations {load_audiomentations().__version__}): {', '.join(classes)}"
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


def _walk_audio_files(folder: str, endings: tuple[str, ...], where: str) -> list[str]:
    """The audio files under ``folder``, as audiomentations' ``find_audio_files`` lists them.

    The same walk as ``os.walk(folder, followlinks=True)`` (folders in the order
    the file system lists them, depth first; names sorted within a folder;
    unreadable folders passed over), but a folder that is one of its own
    ancestors (a link loop) and a walk past :data:`MAX_SCANNED` entries are
    refused before the walk goes on: ValueError, its message starting with ``where``.
    """
    files: list[str] = []
    scanned = 0
    # Depth first, as os.walk: (folder, its (st_dev, st_ino), the item of its parent folder).
    Item = tuple[str, tuple[int, int], Any]
    try:
        top = os.stat(folder)
    except OSError:
        return files
    stack: list[Item] = [(folder, (top.st_dev, top.st_ino), None)]
    while stack:
        item = stack.pop()
        path, _, _ = item
        dirs: list[str] = []
        names: list[str] = []
        try:
            with os.scandir(path) as entries:
                for entry in entries:
                    scanned += 1
                    if scanned > MAX_SCANNED:
                        raise ValueError(
                            f"{where}{folder!r} holds more than {MAX_SCANNED} files and folders (counting where its "
                            f"links lead), more than a folder of noise files should: name the folder that holds "
                            f"them, or list several smaller ones"
                        )
                    try:
                        is_dir = entry.is_dir()
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else names).append(entry.name)
        except OSError:
            continue  # os.walk passes over a folder it cannot read, and so does audiomentations
        root = os.path.abspath(path)
        files += [str(Path(root, name)) for name in sorted(names) if name.lower().endswith(endings)]
        children: list[Item] = []
        for name in dirs:
            child = os.path.join(path, name)
            try:
                info = os.stat(child)
            except OSError:
                continue  # gone, or a link that cannot be followed: os.walk finds nothing in it either
            key = (info.st_dev, info.st_ino)
            ancestor: Item | None = item
            while ancestor is not None:
                if ancestor[1] == key:
                    raise ValueError(
                        f"{where}{child!r} leads back to {ancestor[0]!r}, which holds it (a link loop); "
                        f"audiomentations follows links and would never finish: remove the link, or name "
                        f"another folder"
                    )
                ancestor = ancestor[2]
            children.append((child, key, item))
        stack += reversed(children)
    return files


def _check_paths(spec: OpSpec, params: Mapping[str, Any], where: str) -> dict[str, list[str]]:
    """Every ``*_path`` must name audio files or folders holding some, before the walk.

    Returns:
        For each ``*_path`` parameter that names a folder, the audio files to give
        the transform instead: those audiomentations would find there, in its
        order, found by a walk that refuses link loops and trees of more than
        :data:`MAX_SCANNED` entries (audiomentations' own walk follows links
        without a bound, so it never ends in a loop, and takes minutes in ``/``).
    """
    from audiomentations.core.utils import SUPPORTED_EXTENSIONS

    found: dict[str, list[str]] = {}
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
        files: list[str] = []
        folders = False
        for path in paths:
            if not os.path.exists(path):
                raise ValueError(f"{where}: {key}: {path!r} does not exist")
            if path.lower().endswith(SUPPORTED_EXTENSIONS):
                files.append(str(Path(os.path.abspath(path))))  # audiomentations takes it as a file
            elif os.path.isdir(path):
                folders = True
                held = _walk_audio_files(path, SUPPORTED_EXTENSIONS, f"{where}: {key}: ")
                if not held:
                    raise ValueError(
                        f"{where}: {key}: the folder {path!r} holds no audio files "
                        f"({' '.join(SUPPORTED_EXTENSIONS)})"
                    )
                files += held
            else:
                raise ValueError(
                    f"{where}: {key}: {path!r} is not an audio file audiomentations reads "
                    f"({' '.join(SUPPORTED_EXTENSIONS)})"
                )
        if folders:
            found[key] = files
    return found


def prepare_op(op: Any, index: int) -> tuple[dict[str, Any], Any]:
    """Check the ``index``-th op (1-based); return its plain config and the built transform.

    Raises:
        ValueError: The op is invalid; the message starts with ``ops[index] (Name): ``.
    """
    name, params = split_op(op, index)
    where = op_label(index, name)
    spec = _resolve(name, where)
    params = _plain_params(spec, params, where)
    check_op(spec, name, params, where)
    _check_extras(spec, name, params, where)
    files = _check_paths(spec, params, where)
    # The library gets its own copy: the config must never see what it does to it. A
    # folder goes to it as the files found there, so that it does not walk the folder again.
    transform = build_op(spec, name, {**copy.deepcopy(params), **files}, where)
    return {"op": name, **params}, transform


def build_ops(ops: Sequence[Mapping[str, Any]]) -> tuple[list[dict[str, Any]], list[Any]]:
    """Check and build every op, in order: (their plain configs, the transforms)."""
    configs, transforms = [], []
    for index, op in enumerate(ops, 1):
        config, transform = prepare_op(op, index)
        configs.append(config)
        transforms.append(transform)
    return configs, transforms


def applied_params(name: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """One op's record for the manifest: what the transform drew in this call, JSON-safe."""
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
