"""Recipes: one TOML file that says what happens to every modality.

A recipe names, per modality, the library ops to apply in order (with the
libraries' own class and parameter names) and a few output options, plus
optional per-folder ``[[rules]]``::

    seed = 0                  # optional; --seed overrides
    copies = 1                # optional; -n overrides
    [image]
    jpeg_quality = 95
    [[image.ops]]
    op = "ImageDataGenerator"
    rotation_range = 30
    [text]
    unit = "file"
    [[text.ops]]
    op = "SynonymAug"
    aug_p = 0.3
    [audio]
    [[audio.ops]]
    op = "AddGaussianNoise"
    p = 1.0
    [[rules]]                 # first match wins; paths relative to INPUT
    match = "train/cat/**"
    copies = 5
    [rules.image]             # merged over [image]; its ops, if given, replace [image]'s
    jpeg_quality = 90

A modality table left out is the default one (DESIGN.md's parameters), and a
table without ``ops`` keeps the default ops; an op's parameters left out take
its *library's* defaults (an ``ImageDataGenerator`` op with only
``rotation_range`` does not also flip). Everything is checked when the recipe
is loaded, before any file is touched, and every message says which file,
table or op, and key is wrong.
"""

from __future__ import annotations

import copy as _copy
import hashlib
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment import __version__
from augment.core.checks import check_int, did_you_mean
from augment.core.registry import augmenter_class, missing_modules
from augment.core.registry import modalities as all_modalities
from augment.core.seeding import check_seed

if TYPE_CHECKING:
    from augment.core.augmenter import Augmenter

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["COPIES_MAX", "RECIPE_NAME", "RECIPE_VERSION", "Recipe", "RecipeError", "RecipeWarning", "default_tables",
           "differences"]

#: Where a run writes its effective recipe.
RECIPE_NAME = "recipe.toml"
#: The recipe format this version writes. 2: an image op without ``engine`` means the
#: native engine (format 1, and 0.1.0's recipes, meant Keras).
RECIPE_VERSION = 2
#: The first line of every recipe a run saves. A saved recipe without ``version``
#: was saved by augment-dir 0.1.0, and means what format 1 means; any other recipe
#: without ``version`` (written by hand, or a dict) is in the current format.
_SAVED_HEADER = "# augment-dir recipe: each modality's ops apply in order, with their library's own"
#: Augmented copies per file at most: more is almost surely a typo (10^21 once ran for a while).
COPIES_MAX = 10_000

def default_tables() -> dict[str, dict[str, Any]]:
    """Each registered modality's table in the default recipe (its backend's ``default_table``)."""
    return {m: _copy.deepcopy(dict(augmenter_class(m).default_table)) for m in all_modalities()}


def _options(modality: str) -> tuple[str, ...]:
    """Table-level keys of ``modality`` (output options); everything else belongs to an op."""
    return augmenter_class(modality).options


def _limits(modality: str) -> tuple[str, ...]:
    """Table-level keys of ``modality`` that only refuse inputs (left out of the fingerprint)."""
    return tuple(getattr(augmenter_class(modality), "limits", ()))


class RecipeError(ValueError):
    """A recipe that cannot be used; the message names the file, table or op, and key."""


class RecipeWarning(UserWarning):
    """Something in a recipe that is probably a mistake, e.g. a rule that matches nothing."""


def _rule_label(index: int) -> str:
    return f"[[rules]] #{index}"


class Recipe:
    """A validated recipe. Build it with :meth:`default`, :meth:`from_toml` or :meth:`from_dict`.

    Attributes:
        source: Where it came from (a path, or a description), used in messages.
    """

    def __init__(self, data: Mapping[str, Any], source: str = "recipe", *, check: bool = True,
                 saved_by_0_1_0: bool = False) -> None:
        self.source = source
        given = _normalise(data, source)
        #: Whether the recipe says its format version (augment-dir 0.1.0's recipes do not).
        self.versioned = isinstance(data, Mapping) and "version" in data
        #: The format the recipe was written in (its meaning is that format's).
        self.format_version: int = data["version"] if self.versioned else (1 if saved_by_0_1_0 else RECIPE_VERSION)
        # Older formats fingerprinted the tables as written (saved recipes are explicit);
        # kept to recognise the manifests they made.
        self._older_fingerprint = _fingerprint(given)
        self._data = _explicit(_as_of(given, self.format_version))
        self._matchers: list[Any] | None = None
        # Modalities whose augmenters are known to build: checking imports the
        # backend libraries, which a run's parent process need not pay twice.
        self._checked: set[str] = set()
        if check:
            self.check()

    # ------------------------------------------------------------------ building

    @classmethod
    def default(cls) -> Recipe:
        """The default recipe (DESIGN.md's parameters)."""
        # Known to build (a test builds it), so not built here: that would import every backend.
        recipe = cls({}, source="the default recipe", check=False)
        recipe._checked.update(all_modalities())
        return recipe

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "recipe", *, check: bool = True) -> Recipe:
        """A recipe from the same shape TOML gives (tables as dicts, arrays of tables as lists)."""
        return cls(data, source, check=check)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str], *, check: bool = True) -> Recipe:
        """Read and check a recipe file.

        With ``check=False`` only its shape is checked, and no augmenter is
        built (enough to compare it with another recipe).

        Raises:
            RecipeError: The file cannot be read, is not valid TOML (the message
                gives the line), or describes an unusable recipe.
        """
        source = os.fspath(path)
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise RecipeError(f"{source}: cannot read the recipe: {exc.strerror or exc}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecipeError(f"{source}: not UTF-8 text (byte offset {exc.start}); TOML files are UTF-8") from None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RecipeError(f"{source}: invalid TOML: {exc}") from None
        return cls(_resolve_paths(data, Path(path).resolve().parent), source, check=check,
                   saved_by_0_1_0=text.startswith(_SAVED_HEADER))

    @classmethod
    def loads(cls, text: str, source: str = "recipe", *, check: bool = True) -> Recipe:
        """A recipe from TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise RecipeError(f"{source}: invalid TOML: {exc}") from None
        return cls(data, source, check=check, saved_by_0_1_0=text.startswith(_SAVED_HEADER))

    def replace(self, *, seed: int | None = None, copies: int | None = None,
                options: Mapping[str, Mapping[str, Any]] | None = None) -> Recipe:
        """A copy with the top-level seed or copies, or base-table options, replaced.

        Args:
            seed: The new top-level seed (None keeps it).
            copies: The new top-level copies (None keeps it).
            options: ``{modality: {option: value}}`` set in the base tables,
                e.g. ``{"text": {"unit": "line"}}``.
        """
        data = self.to_dict()
        if seed is not None:
            data["seed"] = seed
        if copies is not None:
            data["copies"] = copies
        changed = {m for m, values in (options or {}).items() if values}
        for modality in changed:
            data[modality].update(options[modality])  # type: ignore[index]
        # A new option can make a table invalid: those tables are checked again.
        recipe = Recipe(data, self.source, check=False)
        recipe._checked = self._checked - changed
        return recipe

    # ------------------------------------------------------------------ reading

    def to_dict(self) -> dict[str, Any]:
        """The recipe as plain data (a deep copy), in the shape of its TOML."""
        return _copy.deepcopy(self._data)

    def to_toml(self) -> str:
        """The recipe as TOML text that :meth:`loads` reads back into an equal recipe.

        Every op is written as its own ``[[<modality>.ops]]`` table, in order.
        """
        import tomli_w

        def value_text(value: Any) -> str:
            if isinstance(value, list):  # on one line (tomli_w puts each item on its own)
                return "[" + ", ".join(value_text(item) for item in value) + "]"
            return tomli_w.dumps({"v": value})[len("v = "):].rstrip("\n")

        def pairs(table: Mapping[str, Any]) -> list[str]:
            return [tomli_w.dumps({key: 0})[: -len(" = 0\n")] + " = " + value_text(value)
                    for key, value in table.items()]

        def modality_table(prefix: str, table: Mapping[str, Any]) -> list[str]:
            lines = [f"[{prefix}]", *pairs({k: v for k, v in table.items() if k != "ops"})]
            for op in table.get("ops", []):
                lines += ["", f"[[{prefix}.ops]]", *pairs(op)]
            return lines

        lines = [
            "# augment-dir recipe: each modality's ops apply in order, with their library's own",
            "# class and parameter names; see the README's \"Recipes\" section.",
        ]
        top = pairs({k: self._data[k] for k in ("version", "seed", "copies") if k in self._data})
        if top:
            lines += ["", *top]
        for modality in all_modalities():
            lines += ["", *modality_table(modality, self._data[modality])]
        for rule in self._data["rules"]:
            lines += ["", "[[rules]]", *pairs({k: rule[k] for k in ("match", "copies") if k in rule})]
            for modality in all_modalities():
                if modality in rule:
                    lines += ["", *modality_table(f"rules.{modality}", rule[modality])]
        return "\n".join(lines) + "\n"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Recipe) and other._data == self._data

    def __hash__(self) -> int:
        return hash(self.fingerprint)

    def __repr__(self) -> str:
        return f"Recipe({self._data!r})"

    @property
    def seed(self) -> int | None:
        """The top-level seed, if the recipe sets one."""
        return self._data.get("seed")

    @property
    def copies(self) -> int | None:
        """The top-level copy count, if the recipe sets one."""
        return self._data.get("copies")

    @property
    def rules(self) -> list[dict[str, Any]]:
        """The ``[[rules]]``, in order (a copy)."""
        return _copy.deepcopy(self._data["rules"])

    @property
    def fingerprint(self) -> str:
        """A hash of everything that decides an output's bytes (seed, tables, rules' matches).

        Copy counts are left out: asking for more copies later adds outputs
        without changing the ones already made.
        """
        return _fingerprint(self._data)

    @property
    def older_fingerprint(self) -> str | None:
        """The fingerprint the older version that wrote this recipe gave it (None: the current format)."""
        return self._older_fingerprint if self.format_version < RECIPE_VERSION else None

    def rule_for(self, rel_path: str) -> int | None:
        """The 1-based index of the first rule whose ``match`` takes ``rel_path`` (POSIX), or None."""
        if self._matchers is None:
            from wcmatch import glob

            flags = glob.GLOBSTAR | glob.DOTGLOB
            # A pattern also takes everything under a folder it matches ("train/cat").
            self._matchers = [
                glob.compile([rule["match"], rule["match"].rstrip("/") + "/**"], flags=flags)
                for rule in self._data["rules"]
            ]
        for index, matcher in enumerate(self._matchers, start=1):
            if matcher.match(rel_path):
                return index
        return None

    @property
    def has_rules(self) -> bool:
        """Whether the recipe has any ``[[rules]]``."""
        return bool(self._data["rules"])

    def copies_for(self, rule: int | None) -> int | None:
        """The copy count a rule sets (None: the run's)."""
        if rule is None:
            return None
        return self._data["rules"][rule - 1].get("copies")

    def table_for(self, modality: str, rule: int | None = None) -> dict[str, Any]:
        """The modality table that applies under ``rule`` (None: the base table)."""
        table = _copy.deepcopy(self._data[modality])
        if rule is not None:
            override = self._data["rules"][rule - 1].get(modality)
            if override:
                table.update(_copy.deepcopy(override))
        return table

    def config_for(self, modality: str, rule: int | None = None) -> dict[str, Any]:
        """Constructor arguments of the modality's augmenter under ``rule``: the table itself."""
        return self.table_for(modality, rule)

    def augmenter(self, modality: str, rule: int | str | None = None) -> Augmenter:
        """The augmenter this recipe describes for ``modality``: what a run applies to those files.

        Args:
            modality: "image", "text" or "audio" (any registered modality).
            rule: None for the base table; or a ``[[rules]]`` entry, by its
                ``match`` pattern as written or its 1-based index: the table as
                that rule changes it.

        Raises:
            ValueError: An unknown modality or rule (the message lists the choices).
            RecipeError: The table is one the backend rejects (a recipe built
                with ``check=False``).
        """
        modalities = all_modalities()
        if modality not in modalities:
            raise ValueError(f"{self.source}: no modality {modality!r}{did_you_mean(str(modality), modalities)}; "
                             f"a recipe has: {', '.join(modalities)}")
        index = self._rule_index(rule)
        config = self.config_for(modality, index)
        if modality not in self._checked:
            where = f"[{modality}]" if index is None else f"{_rule_label(index)} [rules.{modality}]"
            _check_table(modality, config, self.source, where)
        return augmenter_class(modality)(**config)

    def _rule_index(self, rule: int | str | None) -> int | None:
        """The 1-based index of ``rule`` (an index or a match pattern); ValueError naming the rules if none."""
        if rule is None:
            return None
        rules = self._data["rules"]
        matches = [r["match"] for r in rules]
        listed = ", ".join(f"#{i} {m!r}" for i, m in enumerate(matches, start=1)) or "none"
        if isinstance(rule, str):
            if rule in matches:
                return matches.index(rule) + 1
            raise ValueError(f"{self.source}: no [[rules]] entry has match = {rule!r}"
                             f"{did_you_mean(rule, matches)}; its rules: {listed}")
        if isinstance(rule, bool) or not isinstance(rule, int) or not 1 <= rule <= len(rules):
            span = f" or its index (1 to {len(rules)})" if rules else ""
            raise ValueError(f"{self.source}: rule must be a rule's match pattern{span}; got {rule!r}; "
                             f"its rules: {listed}")
        return rule

    # ------------------------------------------------------------------ checking

    def check(self, modalities: Iterable[str] | None = None) -> None:
        """Build every augmenter the recipe describes, to find what the libraries reject.

        Modalities whose backend is not installed are skipped unless named in
        ``modalities`` (the pipeline names those present in INPUT, and reports
        a missing backend itself).
        """
        wanted = all_modalities() if modalities is None else tuple(modalities)
        for modality in wanted:
            if modality in self._checked or (modalities is None and missing_modules(modality)):
                continue
            _check_table(modality, self._data[modality], self.source, f"[{modality}]")
            for index, rule in enumerate(self._data["rules"], start=1):
                if modality in rule:
                    _check_table(modality, self.table_for(modality, index), self.source,
                                 f"{_rule_label(index)} [rules.{modality}]")
            self._checked.add(modality)


def _resolve_paths(data: Any, base: Path) -> Any:
    """Make relative ``*_path`` op parameters (noise folders, dictionaries) relative to ``base``.

    A recipe names files next to itself; the saved OUTPUT/recipe.toml then
    holds absolute paths, so it works from anywhere.
    """
    if isinstance(data, list):
        return [_resolve_paths(item, base) for item in data]
    if not isinstance(data, dict):
        return data
    out = {}
    for key, value in data.items():
        if isinstance(key, str) and key.endswith("_path") and isinstance(value, str) and value \
                and not os.path.isabs(os.path.expanduser(value)):
            value = str(base / value)
        out[key] = _resolve_paths(value, base)
    return out


# ---------------------------------------------------------------------- normalising


def _fail(source: str, where: str, message: str) -> RecipeError:
    return RecipeError(f"{source}: {where}: {message}" if where else f"{source}: {message}")


def _check_keys(data: Mapping[str, Any], allowed: Iterable[str], source: str, where: str,
                what: str) -> None:
    allowed = tuple(allowed)
    for key in data:
        if key in allowed:
            continue
        raise _fail(source, where, f"unknown {what} {key!r}{did_you_mean(str(key), allowed)}; "
                                   f"allowed: {', '.join(allowed) or 'none'}")


def _fingerprint(data: Mapping[str, Any]) -> str:
    """blake2b of the recipe's data without its copy counts."""
    hashed = _copy.deepcopy(dict(data))
    hashed.pop("copies", None)
    hashed.pop("version", None)
    for rule in hashed["rules"]:
        rule.pop("copies", None)
    # Limits ([image] max_pixels) decide which files are augmented, never an output's bytes: an
    # OUTPUT continued with a raised limit (to take files an earlier run refused) is the same recipe's.
    for modality in all_modalities():
        limits = _limits(modality)
        for key in limits:
            hashed[modality].pop(key, None)
        for rule in hashed["rules"]:
            if modality in rule and set(rule[modality]) & set(limits):
                rule[modality] = {k: v for k, v in rule[modality].items() if k not in limits}
                if not rule[modality]:  # the rule changed nothing else of that table
                    del rule[modality]
    canonical = json.dumps(hashed, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=8).hexdigest()


def _explicit(data: Mapping[str, Any]) -> dict[str, Any]:
    """The recipe with its format version and every op parameter its backend knows written out."""
    out = {"version": RECIPE_VERSION, **_copy.deepcopy(dict(data))}
    for modality in all_modalities():
        explicit_ops = augmenter_class(modality).explicit_ops
        out[modality]["ops"] = explicit_ops(out[modality]["ops"])
        for rule in out["rules"]:
            if "ops" in rule.get(modality, {}):
                rule[modality]["ops"] = explicit_ops(rule[modality]["ops"])
    return out


def _as_of(data: dict[str, Any], version: int) -> dict[str, Any]:
    """The recipe's tables with the meaning format ``version`` gave what they leave out written in."""
    if version >= RECIPE_VERSION:
        return data
    out = _copy.deepcopy(data)
    for modality in all_modalities():
        as_of = augmenter_class(modality).table_as_of
        out[modality] = as_of(out[modality], version)
        for rule in out["rules"]:
            if modality in rule:
                rule[modality] = as_of(rule[modality], version)
    return out


def _upgrade(version: Any, source: str) -> None:
    """Check the format version; a recipe from an older version is read with that version's meaning.

    A saved recipe without a version (augment-dir 0.1.0's) means what version 1
    means: 0.1.0's defaults are version 1's. A later version that changes a
    default fills the old value in for recipes that predate it, through each
    backend's ``table_as_of`` (:func:`_as_of`).
    """
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _fail(source, "", f"version must be a whole number >= 1 (the recipe format); got {version!r}")
    if version > RECIPE_VERSION:
        raise _fail(source, "", f"recipe format version {version} is newer than this augment-dir "
                                f"({__version__}) reads (up to {RECIPE_VERSION}): upgrade augment-dir")


def _normalise(data: Any, source: str) -> dict[str, Any]:
    """Check the recipe's shape and fill left-out modality tables with the defaults."""
    if not isinstance(data, Mapping):
        raise _fail(source, "", f"a recipe is a table of tables; got {type(data).__name__}")
    _check_keys(data, ("version", "seed", "copies", *all_modalities(), "rules"), source, "",
                "top-level key or table")
    if "version" in data:
        _upgrade(data["version"], source)
    out: dict[str, Any] = {}
    try:
        if "seed" in data:
            out["seed"] = check_seed(data["seed"])
        if "copies" in data:
            out["copies"] = check_int("copies", data["copies"], 1, COPIES_MAX)
    except ValueError as exc:
        raise _fail(source, "", str(exc)) from None
    defaults = default_tables()
    for modality in all_modalities():
        table = data.get(modality, {})
        where = f"[{modality}]"
        _check_table_shape(modality, table, source, where)
        filled = {**defaults[modality], **_copy.deepcopy(dict(table))}
        out[modality] = {key: filled[key] for key in (*_options(modality), "ops") if key in filled}
    rules = data.get("rules", [])
    if not isinstance(rules, list):
        raise _fail(source, "rules", "must be an array of tables: write each rule as [[rules]]")
    out["rules"] = [_normalise_rule(rule, index, source) for index, rule in enumerate(rules, start=1)]
    return out


def _check_table_shape(modality: str, table: Any, source: str, where: str) -> None:
    if not isinstance(table, Mapping):
        raise _fail(source, where, f"must be a table; got {table!r}")
    allowed = (*_options(modality), "ops")
    for key in table:
        if key not in allowed:
            raise _fail(source, where, f"unknown key {key!r}{did_you_mean(str(key), allowed)}; "
                                       f"allowed: {', '.join(allowed)} (an op and its parameters go "
                                       f"in a [[{modality}.ops]] table, with op = \"...\")")
    _check_no_none(table, source, where)
    if "ops" in table:
        ops = table["ops"]
        if not isinstance(ops, list) or not all(isinstance(op, Mapping) for op in ops):
            raise _fail(source, where, f"ops must be an array of tables: write each op as "
                                       f"[[{modality}.ops]] with op = \"...\"")
        if not ops:
            raise _fail(source, where, "ops is empty; give at least one op, or leave "
                                       f"{modality} files out with --only")
        for index, op in enumerate(ops, start=1):
            if not isinstance(op.get("op"), str):
                raise _fail(source, f"[[{modality}.ops]] #{index}",
                            f"every op needs op = \"<class name>\"; got {op.get('op')!r}")


def _check_no_none(value: Any, source: str, where: str, key: str = "") -> None:
    """TOML has no null: a recipe made in Python must leave such keys out."""
    if value is None:
        raise _fail(source, where, f"{key} is None, which TOML cannot hold; leave it out "
                                   "to get its default")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_no_none(v, source, where, str(k))
    elif isinstance(value, list):
        for item in value:
            _check_no_none(item, source, where, key)


def _normalise_rule(rule: Any, index: int, source: str) -> dict[str, Any]:
    where = _rule_label(index)
    if not isinstance(rule, Mapping):
        raise _fail(source, where, f"must be a table; got {rule!r}")
    _check_keys(rule, ("match", "copies", *all_modalities()), source, where, "key")
    match = rule.get("match")
    if not isinstance(match, str) or not match.strip():
        raise _fail(source, where, f"match must be a glob pattern relative to INPUT, e.g. "
                                   f"\"train/cat/**\"; got {match!r}")
    if match.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", match):
        raise _fail(source, where, f"match is relative to INPUT, so it cannot start with a root; "
                                   f"got {match!r}")
    out: dict[str, Any] = {"match": match}
    if "copies" in rule:
        try:
            out["copies"] = check_int("copies", rule["copies"], 0, COPIES_MAX)
        except ValueError as exc:
            raise _fail(source, where, f"{exc} (0: no augmented copies of the files it matches)") from None
    for modality in all_modalities():
        if modality in rule:
            _check_table_shape(modality, rule[modality], source, f"{where} [rules.{modality}]")
            out[modality] = _copy.deepcopy(dict(rule[modality]))
    return out


# ---------------------------------------------------------------------- augmenters


_OP_MESSAGE = re.compile(r"^ops\[(\d+)\]( \([^)]*\))?: ")


def _check_table(modality: str, table: Mapping[str, Any], source: str, where: str) -> None:
    """Build the augmenter for ``table``; turn what it rejects into a located RecipeError."""
    cls = augmenter_class(modality)
    try:
        cls(**table)
    except ImportError:
        raise
    except (ValueError, TypeError) as exc:
        message = str(exc)
        found = _OP_MESSAGE.match(message)
        if found:
            op_where = f"{_ops_where(where, modality)} #{found.group(1)}{found.group(2) or ''}"
            raise _fail(source, op_where, message[found.end():]) from None
        raise _fail(source, where, message.removeprefix("ops: ")) from None


def _ops_where(where: str, modality: str) -> str:
    """``[text]`` -> ``[[text.ops]]``; inside a rule, ``[[rules.text.ops]]``."""
    if where.startswith("[[rules]]"):
        return f"{where.split(' [rules.')[0]} [[rules.{modality}.ops]]"
    return f"[[{modality}.ops]]"


def _value_text(value: Any) -> str:
    return "(left out)" if value is _MISSING else json.dumps(value, ensure_ascii=False)


_MISSING = object()


def _table_differences(where: str, old: Mapping[str, Any], new: Mapping[str, Any], modality: str) -> list[str]:
    lines = []
    for key in sorted({*old, *new} - {"ops", *_limits(modality)}):
        if old.get(key, _MISSING) != new.get(key, _MISSING):
            lines.append(f"{where} {key}: {_value_text(old.get(key, _MISSING))} -> "
                         f"{_value_text(new.get(key, _MISSING))}")
    old_ops, new_ops = old.get("ops", []), new.get("ops", [])
    ops_where = _ops_where(where, modality)
    if [op["op"] for op in old_ops] != [op["op"] for op in new_ops]:
        names = (", ".join(op["op"] for op in ops) or "(none)" for ops in (old_ops, new_ops))
        lines.append(f"{ops_where}: {' -> '.join(names)}")
        return lines
    for index, (before, after) in enumerate(zip(old_ops, new_ops, strict=True), start=1):
        for key in sorted({*before, *after} - {"op"}):
            if before.get(key, _MISSING) != after.get(key, _MISSING):
                lines.append(f"{ops_where} #{index} ({before['op']}) {key}: "
                             f"{_value_text(before.get(key, _MISSING))} -> {_value_text(after.get(key, _MISSING))}")
    return lines


def differences(old: Recipe, new: Recipe) -> list[str]:
    """What differs between two recipes in what decides the bytes (copy counts aside), a line each.

    E.g. ``seed: 0 -> 1`` or ``[[image.ops]] #1 (ImageDataGenerator) rotation_range: 30 -> 15``.
    """
    a, b = old.to_dict(), new.to_dict()
    lines = []
    if a.get("seed") != b.get("seed"):
        lines.append(f"seed: {_value_text(a.get('seed', _MISSING))} -> {_value_text(b.get('seed', _MISSING))}")
    for modality in all_modalities():
        lines += _table_differences(f"[{modality}]", a.get(modality, {}), b.get(modality, {}), modality)
    rules_a = [{k: v for k, v in rule.items() if k != "copies"} for rule in a["rules"]]
    rules_b = [{k: v for k, v in rule.items() if k != "copies"} for rule in b["rules"]]
    if rules_a != rules_b:
        lines.append(f"[[rules]]: {len(rules_a)} rule(s) ({', '.join(r['match'] for r in rules_a) or 'none'}) -> "
                     f"{len(rules_b)} ({', '.join(r['match'] for r in rules_b) or 'none'}), or their tables")
    return lines
