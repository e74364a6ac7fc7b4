"""Recipes for common kinds of data, shipped with the package: ``augment-dir --preset NAME``.

Each preset is a recipe TOML file in this package (``digits.toml``, ...) whose
first comment lines say what data it is for, and whose comments say why each
parameter is what it is. A preset sets only the tables of its own kind of data
(an image preset leaves text and audio to the default recipe), pins
``version`` (so its meaning survives later recipe formats) and never sets
``seed`` or ``copies`` (``--seed`` and ``-n`` do).

In Python: ``augment.presets.recipe("digits")`` is a :class:`~augment.run.recipe.Recipe`
to pass to ``augment_dir(..., recipe=...)``; :func:`names` lists the presets.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from augment.core.checks import did_you_mean

if TYPE_CHECKING:
    from augment.run.recipe import Recipe

__all__ = ["ALIASES", "PresetError", "canonical", "describe", "names", "path", "recipe", "text"]

#: Other names a preset answers to (alias -> preset).
ALIASES: dict[str, str] = {"grayscale": "medical"}
_SUFFIX = ".toml"


class PresetError(ValueError):
    """An unknown preset name; the message lists the presets and suggests the closest."""


def names() -> tuple[str, ...]:
    """The presets' names, sorted (aliases not included)."""
    folder = resources.files(__name__)
    return tuple(sorted(entry.name[: -len(_SUFFIX)] for entry in folder.iterdir()
                        if entry.name.endswith(_SUFFIX) and entry.is_file()))


def canonical(name: str) -> str:
    """The preset ``name`` refers to (case-insensitive; an alias gives its preset).

    Raises:
        PresetError: No preset or alias of that name.
    """
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    known = names()
    if key not in known:
        choices = (*known, *ALIASES)
        raise PresetError(f"unknown preset {name!r}{did_you_mean(name.strip().lower(), choices)}; "
                          f"presets: {', '.join(known)} (alias: "
                          f"{', '.join(f'{a} = {p}' for a, p in ALIASES.items())})")
    return key


def text(name: str) -> str:
    """The TOML text of preset ``name``, comments included."""
    key = canonical(name)
    return resources.files(__name__).joinpath(key + _SUFFIX).read_text(encoding="utf-8")


def path(name: str) -> str:
    """Where the installed package keeps preset ``name``'s TOML file (to read its comments)."""
    return str(resources.files(__name__).joinpath(canonical(name) + _SUFFIX))


def describe(name: str) -> str:
    """The preset's own description: its leading comment lines, joined, without the ``#``."""
    lines = []
    for line in text(name).splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    return " ".join(lines)


def recipe(name: str, *, check: bool = False) -> Recipe:
    """Preset ``name`` as a :class:`~augment.run.recipe.Recipe` (its source: ``preset 'name'``).

    Its shape is checked here; its augmenters are built (checked) by the run, for
    the modalities INPUT holds, as with the default recipe (the tests build every
    preset's). ``check=True`` builds them now.

    Raises:
        PresetError: No preset of that name.
        RecipeError: With ``check``, the preset does not build here.
    """
    from augment.run.recipe import Recipe

    key = canonical(name)
    return Recipe.loads(text(key), source=f"preset {key!r}", check=check)
