"""A run's options, resolved once: CLI or API arguments merged with the recipe and checked.

Every value is checked here and nowhere else; the rest of the run reads a
:class:`RunOptions` and trusts it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

from augment.core.checks import check_int
from augment.core.registry import modalities
from augment.core.seeding import check_seed
from augment.run.recipe import COPIES_MAX, Recipe, RecipeError

__all__ = ["RunArguments", "RunOptions", "SetupError", "default_workers", "load_storage_options", "resolve"]

TEXT_UNITS = ("file", "line")
# A scheduler address: [protocol://]host:port (the protocols Dask speaks).
_DASK_ADDRESS = re.compile(r"((tcp|tls|ucx|ws|wss|inproc)://)?[^\s/:]+(:\d+)?")


class SetupError(Exception):
    """The run cannot start (bad arguments, missing extra, OUTPUT locked...).

    Raised before anything is written.
    """


class RunArguments(TypedDict, total=False):
    """The keywords of a run, the same for :func:`resolve`, ``iter_augment`` and ``augment_dir``.

    Each is also a command-line option (``copies`` is ``-n``, ``recipe`` is
    ``--config``); a test checks that the two lists agree.

    Attributes:
        copies: Augmented copies per source file (default: the recipe's, else 1);
            a recipe rule's own ``copies`` still applies to the files it takes.
        seed: The run's seed (default: the recipe's, else 0); each output's
            seed derives from it, the source's relative path and the copy number.
        workers: Worker processes (default: the CPUs available); 1 runs in the
            calling process.
        only: Modalities to augment (default: all); a list or "image,text".
        include_originals: Also copy every source byte-for-byte to its mirrored path.
        link_originals: Include the originals as hard links to INPUT's files
            instead of copies (no extra space); copied where a link cannot be
            made (another device, a store). Implies ``include_originals``.
        overwrite: Redo outputs that already exist (else they are skipped).
        dry_run: Plan only; write nothing (results have status "planned").
        recipe: A :class:`~augment.run.recipe.Recipe`, or the path of a recipe
            TOML file (default: the default recipe).
        text_unit: "file" or "line": the text table's ``unit`` for this run.
        dask: Run on a Dask cluster: a scheduler address (``"tcp://host:8786"``),
            ``"local"`` (a ``LocalCluster`` of ``workers`` processes), or a
            ``distributed.Client``. INPUT and OUTPUT must be on storage every
            worker sees.
        storage_options: Options of the fsspec filesystem(s) that INPUT and
            OUTPUT URLs (``s3://...``) are reached with, e.g. ``{"endpoint_url":
            ..., "anon": true}``; a dict, or the JSON text of one (``@file``: the
            file's). Credentials are better left to the store's standard means
            (environment, profiles); run.json records these only redacted.
    """

    copies: int | None
    seed: int | None
    workers: int | None
    only: Iterable[str] | str | None
    include_originals: bool
    link_originals: bool
    overwrite: bool
    dry_run: bool
    recipe: Recipe | str | os.PathLike[str] | None
    text_unit: str | None
    dask: Any
    storage_options: Mapping[str, Any] | str | None


@dataclass(frozen=True)
class RunOptions:
    """Everything a run needs to know besides INPUT and OUTPUT, checked.

    Attributes:
        copies: Augmented copies per source (a rule's own ``copies`` still wins).
        seed: The run's seed.
        workers: Worker processes (1: in the calling process).
        only: The modalities to augment.
        include_originals: Also copy every source byte for byte.
        overwrite: Redo outputs that exist.
        dry_run: Plan only.
        recipe: The effective recipe: its seed and copies are the two above.
        dask: The Dask cluster to run on (an address, "local" or a Client), or None.
        link_originals: Originals are hard links to INPUT's files where the file system allows.
        workers_given: Whether ``workers`` was asked for (else it is the CPU count,
            and a small run starts fewer processes).
        storage_options: The fsspec storage options for URLs, or None (left out of the
            ``repr``: they may hold secrets).
    """

    copies: int
    seed: int
    workers: int
    only: tuple[str, ...]
    include_originals: bool
    overwrite: bool
    dry_run: bool
    recipe: Recipe
    dask: Any = None
    link_originals: bool = False
    workers_given: bool = False
    storage_options: dict[str, Any] | None = field(default=None, repr=False)


def env_seconds(name: str, default: float, *, at_least: float, or_equal: bool) -> float:
    """A number of seconds from the environment variable ``name`` (``default`` when unset or empty).

    Raises:
        SetupError: Not a number, or below ``at_least`` (or equal to it, unless ``or_equal``).
    """
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= at_least if or_equal else value > at_least):
        raise SetupError(f"{name} must be a number of seconds {'>=' if or_equal else '>'} {at_least:g}; "
                         f"got {text!r}")
    return value


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_storage_options(options: Mapping[str, Any] | str | None) -> dict[str, Any] | None:
    """``options`` as a dict: itself, or the JSON object it holds (``@file.json``: the file's).

    Raises:
        SetupError: Not a JSON object (the message never repeats the text: it may hold secrets).
    """
    if options is None:
        return None
    if isinstance(options, str):
        text, where = options, "--storage-options"
        if options.startswith("@"):
            where = options[1:]
            try:
                with open(where, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or exc
                raise SetupError(f"storage_options: cannot read {where}: {reason}") from None
        try:
            options = json.loads(text)
        except ValueError as exc:
            raise SetupError(f"storage_options ({where}) must be a JSON object, e.g. "
                             f"'{{\"endpoint_url\": \"http://localhost:9000\"}}'; "
                             f"{getattr(exc, 'msg', 'not JSON')} at character {getattr(exc, 'pos', 0)}") from None
    if not isinstance(options, Mapping):
        raise SetupError(f"storage_options must be a JSON object (option names to values); "
                         f"got {type(options).__name__}")
    if not all(isinstance(key, str) for key in options):
        raise SetupError("storage_options: every option name must be a string")
    try:
        json.dumps(dict(options))
    except (TypeError, ValueError):
        raise SetupError("storage_options must hold only JSON values (strings, numbers, booleans, lists, "
                         "objects): they go to worker processes, and into run.json redacted") from None
    return dict(options)


def load_recipe(recipe: Recipe | str | os.PathLike[str] | None,
                storage_options: Mapping[str, Any] | None = None) -> Recipe:
    """``recipe`` as a Recipe: itself, the file (or fsspec URL) it names, or the default recipe."""
    if recipe is None:
        return Recipe.default()
    if isinstance(recipe, Recipe):
        return recipe
    from augment.run.remote import is_url

    try:
        if is_url(recipe):
            return _remote_recipe(str(recipe), storage_options)
        return Recipe.from_toml(recipe)
    except RecipeError as exc:
        raise SetupError(str(exc)) from None


def _remote_recipe(url: str, storage_options: Mapping[str, Any] | None) -> Recipe:
    """A recipe read from a store (relative ``*_path`` parameters in it stay as they are)."""
    from augment.run.remote import locate, scrub

    where = locate(url, "recipe", storage_options)
    if where.store is None:
        return Recipe.from_toml(where.path)
    try:
        data = bytes(where.store.filesystem().cat_file(where.path))
    except Exception as exc:
        reason = scrub(f"{type(exc).__name__}: {exc}", where.store.secrets())
        raise RecipeError(f"{where.text}: cannot read the recipe: {reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{where.text}: not UTF-8 text (byte offset {exc.start}); TOML files are UTF-8") from None
    return Recipe.loads(text, where.text)


def _check(check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except ValueError as exc:
        raise SetupError(str(exc)) from None


def _first(*values: Any) -> Any:
    """The first value that is not None: the argument, then the recipe's, then the default."""
    return next(value for value in values if value is not None)


def resolve(
    *,
    copies: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    only: Iterable[str] | str | None = None,
    include_originals: bool = False,
    link_originals: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    recipe: Recipe | str | os.PathLike[str] | None = None,
    text_unit: str | None = None,
    dask: Any = None,
    storage_options: Mapping[str, Any] | str | None = None,
) -> RunOptions:
    """Merge the arguments (see :class:`RunArguments`) with the recipe (arguments win); check each value once.

    Raises:
        SetupError: A value is out of range, or the recipe cannot be used.
    """
    stores = load_storage_options(storage_options)
    loaded = load_recipe(recipe, stores)
    copies = _check(check_int, "copies", _first(copies, loaded.copies, 1), 1, COPIES_MAX)
    seed = _check(check_seed, _first(seed, loaded.seed, 0))
    workers_given = workers is not None
    workers = _check(check_int, "workers", default_workers() if workers is None else workers, 1)
    if isinstance(only, str):
        only = only.split(",")
    names = tuple(modalities()) if only is None else tuple(dict.fromkeys(str(m).strip() for m in only))
    if not names or any(m not in modalities() for m in names):
        raise SetupError(f"only must name some of {', '.join(modalities())}; got {', '.join(names) or 'nothing'}")
    if text_unit is not None and text_unit not in TEXT_UNITS:
        raise SetupError(f"text_unit must be one of {', '.join(TEXT_UNITS)}; got {text_unit!r}")
    if isinstance(dask, str):
        dask = dask.strip()
        if dask != "local" and not _DASK_ADDRESS.fullmatch(dask):
            raise SetupError(f"dask must be a scheduler address such as tcp://10.0.0.5:8786 or host:8786, or "
                             f"\"local\"; got {dask!r}")
    elif dask is not None and not callable(getattr(dask, "submit", None)):
        raise SetupError(f"dask must be an address, \"local\" or a distributed.Client; got {type(dask).__name__}")
    options: Mapping[str, Mapping[str, Any]] = {"text": {"unit": text_unit}} if text_unit else {}
    effective = loaded.replace(seed=seed, copies=copies, options=options)
    return RunOptions(copies, seed, workers, names, bool(include_originals or link_originals), bool(overwrite),
                      bool(dry_run), effective, dask or None, bool(link_originals), workers_given,
                      storage_options=stores)
