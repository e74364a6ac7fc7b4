"""Checking an op (a library transform named by its class) before it is built.

Text and audio recipes name library classes ("RandomCharAug", "Gain") and pass
them keyword arguments. The libraries validate little, and mostly with
``assert`` (which ``python -O`` removes and whose message is often empty), so
every op is checked here first against its class's own signature: the
parameter exists (else a "did you mean"), the value has the type the
parameter's default or annotation implies, probabilities lie in [0, 1] and
``min_*``/``*_min`` never exceed their ``max_*``/``*_max`` partner. Whatever the
library still rejects when the op is built is re-raised by :func:`build_op` as a
``ValueError`` that says where and what, never as a bare ``AssertionError``.

Every message starts with ``where`` (e.g. ``ops[2] (RandomCharAug)``) so that a
recipe can prefix its own file and table to it.
"""

from __future__ import annotations

import ast
import inspect
import math
import traceback
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from augment.core.checks import did_you_mean

__all__ = ["OpSpec", "build_op", "check_op", "check_ops_list", "did_you_mean", "op_label", "refuse_shorthand",
           "split_op"]

# Never settable from a recipe: they are wired by the backend itself.
_ALWAYS_EXCLUDED = frozenset({"self", "name", "verbose", "device", "include_detail"})


def op_label(index: int, name: Any) -> str:
    """How messages name the ``index``-th op (1-based, as people count)."""
    return f"ops[{index}] ({name})" if isinstance(name, str) else f"ops[{index}]"


def check_ops_list(ops: Any, example: str) -> list[Any]:
    """``ops`` as a list, or a ValueError when it is not a non-empty list of ops."""
    if isinstance(ops, (str, bytes, Mapping)) or not isinstance(ops, Sequence):
        raise ValueError(f"ops must be a list of ops like [{example}]; got {ops!r}")
    if not ops:
        raise ValueError("ops is empty; give at least one op")
    return list(ops)


def refuse_shorthand(given: Mapping[str, Any], op: str) -> None:
    """Refuse shorthand keywords (``given``, those that differ from their defaults) passed with ``ops``.

    A backend's keyword form is a shorthand for one op; mixed with ``ops`` it
    would be ambiguous, so the message shows where the values belong.
    """
    if not given:
        return
    args = ", ".join(f"{k}={v!r}" for k, v in given.items())
    example = ", ".join(f"{k!r}: {v!r}" for k, v in given.items())
    raise ValueError(f"{args} given together with ops; put it inside the op, e.g. ops=[{{'op': '{op}', {example}}}]")


def split_op(op: Any, index: int) -> tuple[str, dict[str, Any]]:
    """``{"op": "Gain", "p": 0.5}`` -> ``("Gain", {"p": 0.5})``, checking the shape."""
    where = op_label(index, None)
    if not isinstance(op, Mapping):
        raise ValueError(f"{where}: an op must be a table with an 'op' key; got {op!r}")
    name = op.get("op")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{where}: the 'op' key must name the op (a string); got {name!r}")
    params = {k: v for k, v in op.items() if k != "op"}
    for key in params:
        if not isinstance(key, str):
            raise ValueError(f"{op_label(index, name)}: parameter names must be strings; got {key!r}")
    return name, params


class OpSpec:
    """What may be passed to one library class, and how to check it.

    Args:
        cls: The library class (its ``__init__`` signature is the reference).
        exclude: Parameters the backend sets itself (never from a recipe),
            with the reason shown when someone tries.
        choices: Parameters restricted to a set of values.
        checks: Extra checks ``f(params_with_defaults) -> message or None``.
    """

    def __init__(
        self,
        cls: type,
        *,
        exclude: Mapping[str, str] | None = None,
        choices: Mapping[str, Iterable[Any]] | None = None,
        checks: Iterable[Callable[[dict[str, Any]], str | None]] = (),
    ) -> None:
        self.cls = cls
        self.exclude = dict(exclude or {})
        self.choices = {k: tuple(v) for k, v in (choices or {}).items()}
        self.checks = tuple(checks)
        # getattr: mypy rejects ``cls.__init__`` on a ``type`` as unsound.
        init = getattr(cls, "__init__")  # noqa: B009
        signature = inspect.signature(init)
        self.parameters = {
            name: p
            for name, p in signature.parameters.items()
            if name not in _ALWAYS_EXCLUDED
            and name not in self.exclude
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        }
        try:
            self.hints = typing.get_type_hints(init)
        except Exception:  # unresolvable annotations: fall back to the defaults' types
            self.hints = {}

    def defaults(self) -> dict[str, Any]:
        """The parameters that have a default, with it."""
        return {n: p.default for n, p in self.parameters.items() if p.default is not p.empty}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _kind_of(hint: Any, default: Any) -> set[str]:
    """The plain kinds ("bool", "int", "float", "str", "list", "none", "any") a parameter takes."""
    kinds: set[str] = set()
    if hint is not None:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is typing.Union or (origin is not None and type(hint).__name__ == "UnionType"):
            for arg in args:
                kinds |= _kind_of(arg, inspect.Parameter.empty)
        elif origin is typing.Literal:
            kinds.add("any")
        elif hint is type(None):
            kinds.add("none")
        elif hint is bool:
            kinds.add("bool")
        elif hint is int:
            kinds.add("int")
        elif hint is float:
            kinds |= {"float", "int"}
        elif hint is str:
            kinds.add("str")
        elif origin in (list, tuple) or hint in (list, tuple):
            kinds.add("list")
        else:
            kinds.add("any")
        if kinds:
            return kinds
    if default is inspect.Parameter.empty or default is None:
        return {"any"}
    if isinstance(default, bool):
        return {"bool"}
    if isinstance(default, int):
        return {"int"}
    if isinstance(default, float):
        return {"float", "int"}
    if isinstance(default, str):
        return {"str"}
    if isinstance(default, (list, tuple)):
        return {"list"}
    return {"any"}


_KIND_WORDS = {"bool": "true or false", "int": "an integer", "float": "a number", "str": "a string",
               "list": "a list", "none": "none"}


def _type_problem(key: str, value: Any, kinds: set[str]) -> str | None:
    if "any" in kinds:
        return None
    ok = (
        ("bool" in kinds and isinstance(value, bool))
        or ("int" in kinds and isinstance(value, int) and not isinstance(value, bool))
        or ("float" in kinds and _is_number(value))
        or ("str" in kinds and isinstance(value, str))
        or ("list" in kinds and isinstance(value, (list, tuple)))
        or ("none" in kinds and value is None)
    )
    if ok:
        return None
    if "float" in kinds and isinstance(value, float):
        return f"{key} must be a finite number; got {value!r}"
    wanted = " or ".join(_KIND_WORDS[k] for k in ("bool", "float", "int", "str", "list", "none")
                         if k in kinds and not (k == "int" and "float" in kinds))
    return f"{key} must be {wanted}; got {value!r} ({type(value).__name__})"


def _pair_problems(values: Mapping[str, Any]) -> Iterable[str]:
    """``min_x <= max_x`` and ``x_min <= x_max`` wherever both are numbers."""
    for key, low in values.items():
        if key.startswith("min_"):
            high_key = "max_" + key[4:]
        elif key.endswith("_min"):
            high_key = key[:-4] + "_max"
        else:
            continue
        high = values.get(high_key)
        if _is_number(low) and _is_number(high) and low > high:
            yield f"{key} ({low!r}) must not exceed {high_key} ({high!r})"


def _range_problems(values: Mapping[str, Any], given: Mapping[str, Any]) -> Iterable[str]:
    for key, value in given.items():
        if (key == "p" or key.endswith("_p")) and _is_number(value) and not 0 <= value <= 1:
            yield f"{key} is a probability and must be in [0, 1]; got {value!r}"
        if (key.startswith("aug_") and (key.endswith("_min") or key.endswith("_max"))
                and _is_number(value) and value < 0):
            yield f"{key} must be >= 0; got {value!r}"
    yield from _pair_problems(values)


def check_op(spec: OpSpec, name: str, params: Mapping[str, Any], where: str) -> None:
    """Raise ``ValueError`` (starting with ``where``) unless ``params`` suit ``spec``."""
    for key, value in params.items():
        if key in spec.exclude:
            raise ValueError(f"{where}: {key} cannot be set here: {spec.exclude[key]}")
        parameter = spec.parameters.get(key)
        if parameter is None:
            allowed = ", ".join(sorted(spec.parameters)) or "none"
            raise ValueError(
                f"{where}: unknown parameter {key!r}{did_you_mean(key, spec.parameters)}; "
                f"{name} takes: {allowed}"
            )
        if key in spec.choices:
            if value not in spec.choices[key]:
                options = ", ".join(repr(c) for c in spec.choices[key])
                hint = did_you_mean(str(value), [str(c) for c in spec.choices[key]])
                raise ValueError(f"{where}: {key} must be one of {options}; got {value!r}{hint}")
            continue
        problem = _type_problem(key, value, _kind_of(spec.hints.get(key), parameter.default))
        if problem:
            raise ValueError(f"{where}: {problem}")
    missing = [n for n, p in spec.parameters.items() if p.default is p.empty and n not in params]
    if missing:
        raise ValueError(f"{where}: {name} needs {', '.join(missing)}")
    values = {**spec.defaults(), **params}
    for problem in _range_problems(values, params):
        raise ValueError(f"{where}: {problem}")
    for check in spec.checks:
        problem = check(values)
        if problem:
            raise ValueError(f"{where}: {problem}")


def _assert_text(exc: BaseException) -> str:
    """The source line of a failed ``assert`` (its message is often empty)."""
    frames = traceback.extract_tb(exc.__traceback__)
    line = (frames[-1].line or "").strip() if frames else ""
    if not line.startswith("assert "):
        return ""
    try:
        statement = ast.parse(line).body[0]
    except SyntaxError:  # an assert spread over several lines: its first one
        return "requires " + line[len("assert "):]
    return "requires " + ast.unparse(statement.test)  # type: ignore[attr-defined]


def build_op(spec: OpSpec, name: str, params: Mapping[str, Any], where: str, **wiring: Any) -> Any:
    """Check ``params``, then build ``spec.cls(**params, **wiring)``.

    Anything the library still rejects comes out as a ``ValueError`` naming
    ``where`` and the library's reason.
    """
    check_op(spec, name, params, where)
    try:
        return spec.cls(**params, **wiring)
    except (AssertionError, ValueError, TypeError) as exc:
        reason = str(exc).strip() or _assert_text(exc) or type(exc).__name__
        raise ValueError(f"{where}: {name} rejected {dict(params)!r}: {reason}") from None
