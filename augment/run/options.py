"""A run's options, resolved once: CLI or API arguments merged with the recipe and checked.

Every value is checked here and nowhere else; the rest of the run reads a
:class:`RunOptions` and trusts it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from augment.core.checks import check_int
from augment.core.registry import modalities
from augment.core.seeding import check_seed
from augment.run.recipe import COPIES_MAX, Recipe, RecipeError

__all__ = ["RunArguments", "RunOptions", "SetupError", "default_workers", "resolve"]

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
        overwrite: Redo outputs that already exist (else they are skipped).
        dry_run: Plan only; write nothing (results have status "planned").
        recipe: A :class:`~augment.run.recipe.Recipe`, or the path of a recipe
            TOML file (default: the default recipe).
        text_unit: "file" or "line": the text table's ``unit`` for this run.
        dask: Run on a Dask cluster: a scheduler address (``"tcp://host:8786"``),
            ``"local"`` (a ``LocalCluster`` of ``workers`` processes), or a
            ``distributed.Client``. INPUT and OUTPUT must be on storage every
            worker sees.
    """

    copies: int | None
    seed: int | None
    workers: int | None
    only: Iterable[str] | str | None
    include_originals: bool
    overwrite: bool
    dry_run: bool
    recipe: Recipe | str | os.PathLike[str] | None
    text_unit: str | None
    dask: Any


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


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_recipe(recipe: Recipe | str | os.PathLike[str] | None) -> Recipe:
    """``recipe`` as a Recipe: itself, the file it names, or the default recipe."""
    if recipe is None:
        return Recipe.default()
    if isinstance(recipe, Recipe):
        return recipe
    try:
        return Recipe.from_toml(recipe)
    except RecipeError as exc:
        raise SetupError(str(exc)) from None


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
    overwrite: bool = False,
    dry_run: bool = False,
    recipe: Recipe | str | os.PathLike[str] | None = None,
    text_unit: str | None = None,
    dask: Any = None,
) -> RunOptions:
    """Merge the arguments (see :class:`RunArguments`) with the recipe (arguments win); check each value once.

    Raises:
        SetupError: A value is out of range, or the recipe cannot be used.
    """
    loaded = load_recipe(recipe)
    copies = _check(check_int, "copies", _first(copies, loaded.copies, 1), 1, COPIES_MAX)
    seed = _check(check_seed, _first(seed, loaded.seed, 0))
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
    return RunOptions(copies, seed, workers, names, bool(include_originals), bool(overwrite), bool(dry_run),
                      effective, dask or None)
