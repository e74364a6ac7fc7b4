"""TextAugmenter: a chain of nlpaug word and character ops, keeping the text's layout exactly.

nlpaug's default tokenizer splits on ``\\W`` and its reverse tokenizer joins the
tokens with single spaces, which loses newlines, indentation and spacing. Here
every op gets a tokenizer that yields the very same tokens while remembering
where each one sits in the text, and a reverse tokenizer that rebuilds the
original text with only the changed tokens swapped in. Line endings (``\\n``,
``\\r\\n``), blank lines, leading and trailing whitespace and a UTF-8 BOM all
survive byte for byte.

Ops that change the number of tokens (RandomWordAug delete and crop, SplitAug,
ReservedAug phrases) are put back by alignment: the tokenizer hands nlpaug
``str`` subclasses that carry their index, and nlpaug passes the tokens it
leaves alone straight through, so the kept tokens are exact anchors (linear
time; ``difflib`` is only the fallback, being quadratic on long files). Kept
tokens keep their separators, inserted tokens are joined with one space, and
a deleted run leaves the separator with the most line breaks among those
around it (all of its line breaks, if it spans several lines), so the line
structure survives.

Ops are checked in ``__init__`` against a static copy of their nlpaug
signatures (``tests/test_text.py`` compares it with nlpaug's): importing nlpaug
takes 1-2 s, pulls in NLTK, SciPy and pandas, and disturbs the global
``random`` state, none of which building an augmenter should do. nlpaug and
NLTK are imported on first use. WordNet is made available by
:func:`augment.resources.ensure_wordnet` *before* a WordNet op is built, so
nlpaug's own fallback (``nltk.download``) is never reached.
"""

from __future__ import annotations

import bisect
import copy
import difflib
import importlib
import importlib.util
import os
import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from augment.base import Augmenter, BadInputError
from augment.ops import OpSpec, build_op, check_op, check_ops_list, did_you_mean, op_label, split_op
from augment.registry import EXTENSIONS, install_hint

__all__ = ["SUPPORTED_OPS", "TextAugmenter"]

_UNITS = ("file", "line")
_BOM = "\ufeff"
# nlpaug's Tokenizer.tokenizer splits on this and drops whitespace-only pieces.
_SPLIT = re.compile(r"(\W)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD_CHAR = re.compile(r"\w")
# nlpaug treats aug_p == 0 as "unset" (0.3); a tiny positive value keeps the
# count at aug_min, which is what aug_p=0 means.
_TINY_P = 1e-12
# None for a *_max cap means "no limit" to nlpaug, but TOML has no null: the
# cap is stored as this number instead, which no text's token count reaches.
_NO_LIMIT = 1_000_000_000
# The legacy SynonymAug arguments and their defaults (DESIGN.md: aug_p=0.3, WordNet).
_LEGACY_DEFAULTS: dict[str, Any] = {
    "aug_src": "wordnet", "aug_p": 0.3, "aug_min": 1, "aug_max": 10, "lang": "eng",
    "stopwords": None, "stopwords_regex": None,
}


# ---------------------------------------------------------------------------
# nlpaug's signatures (nlpaug 1.1.11), with the types its docstrings promise.


class _SynonymAug:
    def __init__(self, aug_src: str = "wordnet", model_path: str | None = None, name: str = "Synonym_Aug",
                 aug_min: int = 1, aug_max: int | None = 10, aug_p: float = 0.3, lang: str = "eng",
                 stopwords: list[str] | None = None, tokenizer: Any = None, reverse_tokenizer: Any = None,
                 stopwords_regex: str | None = None, force_reload: bool = False, verbose: int = 0) -> None: ...


class _AntonymAug:
    def __init__(self, name: str = "Antonym_Aug", aug_min: int = 1, aug_max: int | None = 10,
                 aug_p: float = 0.3, lang: str = "eng", stopwords: list[str] | None = None,
                 tokenizer: Any = None, reverse_tokenizer: Any = None, stopwords_regex: str | None = None,
                 verbose: int = 0) -> None: ...


class _RandomWordAug:
    def __init__(self, action: str = "delete", name: str = "RandomWord_Aug", aug_min: int = 1,
                 aug_max: int | None = 10, aug_p: float = 0.3, stopwords: list[str] | None = None,
                 target_words: list[str] | None = None, tokenizer: Any = None, reverse_tokenizer: Any = None,
                 stopwords_regex: str | None = None, verbose: int = 0) -> None: ...


class _SpellingAug:
    def __init__(self, dict_path: str | None = None, name: str = "Spelling_Aug", aug_min: int = 1,
                 aug_max: int | None = 10, aug_p: float = 0.3, stopwords: list[str] | None = None,
                 tokenizer: Any = None, reverse_tokenizer: Any = None, include_reverse: bool = True,
                 stopwords_regex: str | None = None, verbose: int = 0) -> None: ...


class _SplitAug:
    def __init__(self, name: str = "Split_Aug", aug_min: int = 1, aug_max: int | None = 10,
                 aug_p: float = 0.3, min_char: int = 4, stopwords: list[str] | None = None,
                 tokenizer: Any = None, reverse_tokenizer: Any = None, stopwords_regex: str | None = None,
                 verbose: int = 0) -> None: ...


class _ReservedAug:
    def __init__(self, reserved_tokens: list[list[str]], action: str = "substitute",
                 case_sensitive: bool = True, name: str = "Reserved_Aug", aug_min: int = 1,
                 aug_max: int | None = 10, aug_p: float = 0.3, tokenizer: Any = None,
                 reverse_tokenizer: Any = None, verbose: int = 0,
                 generate_all_combinations: bool = False) -> None: ...


class _KeyboardAug:
    def __init__(self, name: str = "Keyboard_Aug", aug_char_min: int = 1, aug_char_max: int | None = 10,
                 aug_char_p: float = 0.3, aug_word_p: float = 0.3, aug_word_min: int = 1,
                 aug_word_max: int | None = 10, stopwords: list[str] | None = None, tokenizer: Any = None,
                 reverse_tokenizer: Any = None, include_special_char: bool = True,
                 include_numeric: bool = True, include_upper_case: bool = True, lang: str = "en",
                 verbose: int = 0, stopwords_regex: str | None = None, model_path: str | None = None,
                 min_char: int = 4) -> None: ...


class _OcrAug:
    def __init__(self, name: str = "OCR_Aug", aug_char_min: int = 2, aug_char_max: int | None = 10,
                 aug_char_p: float = 0.3, aug_word_p: float = 0.3, aug_word_min: int = 1,
                 aug_word_max: int | None = 10, stopwords: list[str] | None = None, tokenizer: Any = None,
                 reverse_tokenizer: Any = None, verbose: int = 0, stopwords_regex: str | None = None,
                 min_char: int = 1, dict_of_path: Any = None) -> None: ...


class _RandomCharAug:
    def __init__(self, action: str = "substitute", name: str = "RandomChar_Aug", aug_char_min: int = 1,
                 aug_char_max: int | None = 10, aug_char_p: float = 0.3, aug_word_p: float = 0.3,
                 aug_word_min: int = 1, aug_word_max: int | None = 10, include_upper_case: bool = True,
                 include_lower_case: bool = True, include_numeric: bool = True, min_char: int = 4,
                 swap_mode: str = "adjacent", spec_char: str = "!@#$%^&*()_+",
                 stopwords: list[str] | None = None, tokenizer: Any = None, reverse_tokenizer: Any = None,
                 verbose: int = 0, stopwords_regex: str | None = None,
                 candidates: list[str] | None = None) -> None: ...


# ---------------------------------------------------------------------------
# Checks nlpaug leaves to an assert, a crash mid-file, or nothing at all.

_Check = Callable[[dict[str, Any]], "str | None"]


def _strings(key: str, *, required: bool = False) -> _Check:
    def check(values: dict[str, Any]) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if not all(isinstance(v, str) and v for v in value) or (required and not value):
            return f"{key} must be a {'non-empty ' if required else ''}list of non-empty strings; got {value!r}"
        return None
    return check


def _regex(values: dict[str, Any]) -> str | None:
    pattern = values.get("stopwords_regex")
    if pattern is None:
        return None
    try:
        re.compile(pattern)
    except re.error as exc:
        return f"stopwords_regex is not a valid regular expression ({exc}); got {pattern!r}"
    return None


def _wordnet_source(values: dict[str, Any]) -> str | None:
    if values["aug_src"] != "wordnet":
        return (f"aug_src must be 'wordnet' ('ppdb' needs a downloaded PPDB model, which "
                f"augment-dir never fetches); got {values['aug_src']!r}")
    return None


def _wordnet_lang(values: dict[str, Any]) -> str | None:
    if not values["lang"]:
        return f"lang must be a WordNet language code such as 'eng'; got {values['lang']!r}"
    return None


def _min_char(least: int, why: str) -> _Check:
    def check(values: dict[str, Any]) -> str | None:
        if values["min_char"] < least:
            return f"min_char must be >= {least} ({why}); got {values['min_char']!r}"
        return None
    return check


def _file(key: str) -> _Check:
    def check(values: dict[str, Any]) -> str | None:
        path = values.get(key)
        if isinstance(path, str) and not Path(path).is_file():
            return f"{key} names no file: {path!r}"
        return None
    return check


def _target_words(values: dict[str, Any]) -> str | None:
    if values["action"] == "substitute" and not values.get("target_words"):
        return ("target_words is needed with action 'substitute': the words put in place of the "
                "chosen ones (nlpaug would silently use ['_'])")
    return None


def _char_source(values: dict[str, Any]) -> str | None:
    if values["action"] in ("insert", "substitute") and not (
        values.get("candidates") or values["spec_char"] or values["include_upper_case"]
        or values["include_lower_case"] or values["include_numeric"]
    ):
        return ("no characters to draw from: give candidates, spec_char or one of "
                "include_upper_case / include_lower_case / include_numeric")
    return None


def _swap_length(values: dict[str, Any]) -> str | None:
    if values["action"] == "swap" and values["min_char"] < 2:
        return f"min_char must be >= 2 with action 'swap' (nlpaug swaps within a word); got {values['min_char']!r}"
    return None


def _nlpaug_res(*parts: str) -> Path | None:
    """A folder of nlpaug's bundled resources, found without importing nlpaug."""
    spec = importlib.util.find_spec("nlpaug")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), "res", *parts)


def _keyboard_lang(values: dict[str, Any]) -> str | None:
    if values.get("model_path") is not None:
        return None  # a custom keyboard map; nlpaug then ignores lang
    folder = _nlpaug_res("char", "keyboard")
    if folder is None or not folder.is_dir():
        return None  # nlpaug is missing: the backend says what to install
    langs = sorted(p.stem for p in folder.glob("*.json"))
    if values["lang"] not in langs:
        return (f"lang must be one of {', '.join(repr(x) for x in langs)} (nlpaug's keyboard maps), "
                f"or give model_path; got {values['lang']!r}{did_you_mean(str(values['lang']), langs)}")
    return None


def _ocr_map(values: dict[str, Any]) -> str | None:
    mapping = values.get("dict_of_path")
    if mapping is None or isinstance(mapping, str):
        return _file("dict_of_path")(values)
    if isinstance(mapping, Mapping) and mapping and all(
        isinstance(k, str) and isinstance(v, (list, tuple)) and all(isinstance(c, str) for c in v)
        for k, v in mapping.items()
    ):
        return None
    return (f"dict_of_path must be a JSON file's path or a table of character -> list of "
            f"look-alikes; got {mapping!r}")


def _reserved(values: dict[str, Any]) -> str | None:
    groups = values["reserved_tokens"]
    shape = "a list of lists of interchangeable words, e.g. [['FWD', 'FW'], ['Sincerely', 'Cheers']]"
    if not groups or not all(isinstance(g, (list, tuple)) for g in groups):
        return f"reserved_tokens must be {shape}; got {groups!r}"
    for group in groups:
        if not all(isinstance(t, str) and t.strip() for t in group):
            return f"reserved_tokens must be {shape}; got the group {group!r}"
        distinct = {t if values["case_sensitive"] else t.lower() for t in group}
        if len(distinct) < 2:
            return (f"every reserved_tokens group needs two different entries (nlpaug picks "
                    f"another one of the group); got {group!r}")
        for phrase in group:
            if len(_tokens(phrase)) > 1:
                try:  # nlpaug finds phrases with the phrase itself as a regular expression
                    re.compile("(" + phrase + ")")
                except re.error as exc:
                    return (f"reserved_tokens phrase {phrase!r} is used by nlpaug as a regular "
                            f"expression and is not a valid one ({exc})")
    return None


# ---------------------------------------------------------------------------
# The supported ops.

_TOKENIZERS = {
    "tokenizer": "the text backend tokenizes itself, to keep the layout",
    "reverse_tokenizer": "the text backend rebuilds the text itself, to keep the layout",
}


@dataclass(frozen=True)
class _OpInfo:
    module: str
    stub: type
    kind: str  # "word" (aug_p/aug_min/aug_max) or "char" (aug_char_*/aug_word_*)
    wordnet: bool = False
    exclude: Mapping[str, str] = field(default_factory=dict)
    choices: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    checks: tuple[_Check, ...] = ()

    def spec(self, cls: type | None = None) -> OpSpec:
        return OpSpec(cls or self.stub, exclude={**_TOKENIZERS, **self.exclude},
                      choices=self.choices, checks=(_strings("stopwords"), _regex, *self.checks))


_WORD = "nlpaug.augmenter.word"
_CHAR = "nlpaug.augmenter.char"
_OPS: dict[str, _OpInfo] = {
    "SynonymAug": _OpInfo(
        _WORD, _SynonymAug, "word", wordnet=True,
        exclude={"model_path": "it is the PPDB model's path, and PPDB needs a downloaded model",
                 "force_reload": "it only reloads a PPDB model"},
        checks=(_wordnet_source, _wordnet_lang)),
    "AntonymAug": _OpInfo(_WORD, _AntonymAug, "word", wordnet=True, checks=(_wordnet_lang,)),
    "RandomWordAug": _OpInfo(
        _WORD, _RandomWordAug, "word", choices={"action": ("swap", "delete", "crop", "substitute")},
        checks=(_strings("target_words"), _target_words)),
    "SpellingAug": _OpInfo(_WORD, _SpellingAug, "word", checks=(_file("dict_path"),)),
    "SplitAug": _OpInfo(
        _WORD, _SplitAug, "word",
        checks=(_min_char(3, "nlpaug splits a word inside its first and last letters"),)),
    "ReservedAug": _OpInfo(
        _WORD, _ReservedAug, "word", choices={"action": ("substitute",)},
        exclude={"generate_all_combinations": "it returns every combination, not one augmented copy"},
        checks=(_reserved,)),
    "KeyboardAug": _OpInfo(
        _CHAR, _KeyboardAug, "char",
        checks=(_min_char(0, "a word length"), _file("model_path"), _keyboard_lang)),
    "OcrAug": _OpInfo(_CHAR, _OcrAug, "char", checks=(_min_char(0, "a word length"), _ocr_map)),
    "RandomCharAug": _OpInfo(
        _CHAR, _RandomCharAug, "char",
        choices={"action": ("insert", "substitute", "swap", "delete"),
                 "swap_mode": ("adjacent", "middle", "random")},
        checks=(_min_char(0, "a word length"), _strings("candidates"), _char_source, _swap_length)),
}
_SPECS = {name: info.spec() for name, info in _OPS.items()}

#: The nlpaug classes TextAugmenter runs (all offline).
SUPPORTED_OPS: tuple[str, ...] = tuple(_OPS)

_NEEDS_MODEL = "needs a downloaded model, and augment-dir never downloads at run time"
_REFUSED = {
    "WordEmbsAug": f"{_NEEDS_MODEL} (word2vec, GloVe or fastText vectors)",
    "ContextualWordEmbsAug": f"{_NEEDS_MODEL} (a BERT-like transformer, with PyTorch)",
    "ContextualWordEmbsForSentenceAug": f"{_NEEDS_MODEL} (GPT-2 or XLNet, with PyTorch)",
    "BackTranslationAug": f"{_NEEDS_MODEL} (two translation models, with PyTorch)",
    "AbstSummAug": f"{_NEEDS_MODEL} (a T5 or BART summarizer, with PyTorch)",
    "LambadaAug": f"{_NEEDS_MODEL} (fine-tuned classifier and generator models, with PyTorch)",
    "TfIdfAug": "needs a TF-IDF model trained beforehand on your corpus (model_path)",
    "RandomSentAug": "reorders whole sentences with its own sentence splitter, which cannot keep the layout",
    "Sequential": "write a chain as the list of ops itself",
    "Sometimes": "write a chain as the list of ops itself",
}
_NOT_TEXT = frozenset({
    "CropAug", "LoudnessAug", "MaskAug", "NoiseAug", "NormalizeAug", "PitchAug", "PolarityInverseAug",
    "ShiftAug", "SpeedAug", "VtlpAug", "FrequencyMaskingAug", "TimeMaskingAug", "TimeWarpingAug",
})


def _plain(value: Any) -> Any:
    """Tuples as lists, mappings as dicts, recursively: JSON- and TOML-shaped."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _check_op(op: Any, index: int) -> dict[str, Any]:
    """One op, checked; returned as stored (a plain dict, None values resolved)."""
    name, params = split_op(op, index)
    where = op_label(index, name)
    if name not in _OPS:
        if name in _REFUSED:
            reason = _REFUSED[name]
        elif name in _NOT_TEXT:
            reason = "is an nlpaug audio or spectrogram augmenter, not a text op"
        else:
            reason = f"unknown op {name!r}{did_you_mean(name, _OPS)}"
        if name in _REFUSED or name in _NOT_TEXT:
            reason = f"{name} is not supported: {reason}"
        raise ValueError(f"{where}: {reason}; supported ops: {', '.join(_OPS)}")
    spec = _SPECS[name]
    defaults = spec.defaults()
    stored: dict[str, Any] = {"op": name}
    for key, value in params.items():
        if value is None and key in defaults:
            if defaults[key] is None:
                continue  # None is the default
            if key.endswith("_max"):
                value = _NO_LIMIT  # nlpaug: None means no limit
        stored[key] = _plain(value)
    check_op(spec, name, {k: v for k, v in stored.items() if k != "op"}, where)
    return stored


# ---------------------------------------------------------------------------
# Layout: nlpaug's tokens, and the text rebuilt around what an op changed.


class _Token(str):
    """A token that knows its index: nlpaug passes the tokens it keeps through as they are."""

    index: int


def _tokens(text: str) -> list[tuple[int, int]]:
    """The spans of nlpaug's tokens: the non-blank pieces of ``re.split(r'(\\W)', text)``."""
    spans = []
    pos = 0
    for piece in _SPLIT.split(text):
        if piece.strip():
            spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def _breaks(text: str) -> int:
    return len(_LINE_BREAK.findall(text))


def _glued(left: str | None, right: str | None) -> bool:
    return bool(left and right and _WORD_CHAR.match(left[-1]) and _WORD_CHAR.match(right[0]))


def _pick_separator(candidates: list[str], left: str | None, right: str | None) -> str:
    """What stays where a run of tokens was deleted: its line breaks, else the shortest.

    ``candidates`` are the separators before, inside and after the run. The one
    with the most line breaks stays; when the run spans more line breaks than
    that one holds, every separator with a line break contributes its line
    breaks (the last one whole, keeping the next line's indent), so the line
    count never changes. Without line breaks the outer separators (those that
    touch the kept text) come first, and the shortest of them: "the dog." ->
    "the." and "(dog cat)" -> "(cat)"; an empty one is refused where it would
    glue two words together.
    """
    broken = [c for c in candidates if _breaks(c)]
    if broken:
        if sum(_breaks(c) for c in broken) == max(_breaks(c) for c in broken):
            return max(broken, key=_breaks)
        ends = [c[: [m.end() for m in _LINE_BREAK.finditer(c)][-1]] for c in broken[:-1]]
        return "".join(ends) + broken[-1]
    usable = [c for c in candidates if c or not _glued(left, right)]
    outer = [c for c in (candidates[0], candidates[-1]) if c in usable]
    pool = outer or usable
    return min(pool, key=len) if pool else " "


def _anchored_opcodes(n: int, new: Sequence[str], seen: Sequence[str]) -> list[tuple[str, int, int, int, int]] | None:
    """difflib-style opcodes from the tokens nlpaug passed through; None if they are out of order."""
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for position, token in enumerate(new):
        index = getattr(token, "index", None) if isinstance(token, _Token) else None
        if index is None or not (index < n and seen[index] is token):
            continue
        if index < i:
            return None
        if index > i or position > j:
            tag = "replace" if index > i and position > j else ("delete" if index > i else "insert")
            opcodes.append((tag, i, index, j, position))
        if opcodes and opcodes[-1][0] == "equal" and opcodes[-1][2] == index and opcodes[-1][4] == position:
            last = opcodes[-1]
            opcodes[-1] = ("equal", last[1], index + 1, last[3], position + 1)
        else:
            opcodes.append(("equal", index, index + 1, position, position + 1))
        i, j = index + 1, position + 1
    if i < n or j < len(new):
        tag = "replace" if i < n and j < len(new) else ("delete" if i < n else "insert")
        opcodes.append((tag, i, n, j, len(new)))
    return opcodes


def _difflib_opcodes(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    n, m = len(old), len(new)
    head = 0
    while head < min(n, m) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and old[n - 1 - tail] == new[m - 1 - tail]:
        tail += 1
    opcodes = [("equal", 0, head, 0, head)] if head else []
    matcher = difflib.SequenceMatcher(None, list(old[head:n - tail]), list(new[head:m - tail]), autojunk=False)
    opcodes += [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in matcher.get_opcodes()]
    if tail:
        opcodes.append(("equal", n - tail, n, m - tail, m))
    return opcodes


def _rebuild(
    text: str, spans: Sequence[tuple[int, int]], seen: Sequence[str], new: Sequence[str]
) -> tuple[str, list[tuple[int, str, str]]]:
    """Put ``new`` tokens back into ``text``, whose tokens nlpaug saw as ``seen`` at ``spans``.

    Returns the text and the changes as ``(start, original, replacement)``:
    ``text[start:start + len(original)]`` became ``replacement``.
    """
    n = len(spans)
    if n == 0:
        return (text, []) if not new else (" ".join(new), [(0, text, " ".join(new))])
    seps = [text[: spans[0][0]]]
    seps += [text[spans[k - 1][1]: spans[k][0]] for k in range(1, n)]
    seps.append(text[spans[-1][1]:])

    if len(new) == n:  # substitutions and swaps: token k stays token k
        opcodes = [("equal" if seen[k] == new[k] else "replace", k, k + 1, k, k + 1) for k in range(n)]
    else:
        opcodes = _anchored_opcodes(n, new, seen) or _difflib_opcodes(seen, new)

    pieces: list[str] = []
    changes: list[tuple[int, str, str]] = []
    pending: str | None = None  # the separator before the next token, after a deletion
    trail = seps[n]

    def emit(sep: str, token: str) -> None:
        nonlocal pending
        pieces.extend((pending if pending is not None else sep, token))
        pending = None

    for tag, i1, i2, j1, j2 in opcodes:
        if i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                i, token = i1 + k, new[j1 + k]
                original = text[spans[i][0]: spans[i][1]]
                if tag == "equal" or token == seen[i]:
                    emit(seps[i], original)
                else:
                    emit(seps[i], token)
                    if token != original:
                        changes.append((spans[i][0], original, str(token)))
            continue
        # A run whose length changed: pair what can be paired, then insert or delete the rest.
        start = spans[i1 - 1][1] if i1 > 0 else 0
        end = spans[i2][0] if i2 < n else len(text)
        first = len(pieces)
        common = min(i2 - i1, j2 - j1)
        for k in range(common):
            emit(seps[i1 + k], str(new[j1 + k]))
        for j in range(j1 + common, j2):
            # Inserted tokens take one space; before the first token, the leading text.
            emit(" " if pieces else seps[0], str(new[j]))
        if i2 == i1 == 0 and j2 > j1:
            pending = " "  # token 0 now follows the inserted ones
        if i2 - i1 > common:
            left = pieces[-1] if pieces else None
            right = str(new[j2]) if j2 < len(new) else None
            chosen = _pick_separator(seps[i1 + common: i2 + 1], left, right)
            if i2 == n:
                trail = chosen
            else:
                pending = chosen
        after = trail if i2 == n else (pending if pending is not None else seps[i2])
        original, replacement = text[start:end], "".join(pieces[first:]) + after
        lead = 0
        while (lead < min(len(original), len(replacement)) and original[lead] == replacement[lead]
               and original[lead].isspace()):
            lead += 1
        back = 0
        while (back < min(len(original), len(replacement)) - lead
               and original[-1 - back] == replacement[-1 - back] and original[-1 - back].isspace()):
            back += 1
        changes.append((start + lead, original[lead: len(original) - back],
                        replacement[lead: len(replacement) - back]))
    return "".join(pieces) + (pending or "") + trail, changes


class _LayoutTokenizer:
    """nlpaug's tokens, plus the means to put the changed ones back into the original text.

    ``tokenize`` and ``detokenize`` are handed to an op as its tokenizer and
    reverse_tokenizer (bound methods of a module-level class). Each call to
    ``tokenize`` starts afresh; ``detokenize`` leaves the rebuilt text and the
    changes in ``result`` so the caller can tell an op that changed nothing.
    """

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[int, int]] = []
        self.seen: list[str] = []
        self.result: tuple[str, list[tuple[int, str, str]]] | None = None
        # ReservedAug rewrites each phrase as one token before tokenizing:
        # (rewritten text, rewritten position -> original position, original text).
        self.rewritten: tuple[str, list[int], str] | None = None

    def tokenize(self, text: str) -> list[str]:
        spans = _tokens(text)
        seen = []
        for index, (start, end) in enumerate(spans):
            token = _Token(text[start:end])
            token.index = index
            seen.append(token)
        if self.rewritten is not None and text == self.rewritten[0]:
            _, where, original = self.rewritten
            self.text, self.spans = original, [(where[s], where[e]) for s, e in spans]
        else:
            self.text, self.spans = text, spans
        self.seen, self.result = seen, None
        return list(seen)

    def detokenize(self, tokens: Sequence[str]) -> str:
        out, changes = _rebuild(self.text, self.spans, self.seen, list(tokens))
        self.result = (out, changes)
        return out


def _reserved_preprocess(aug: Any, layout: _LayoutTokenizer) -> Callable[[str], str]:
    """ReservedAug.preprocess, also telling the layout where each phrase came from.

    nlpaug replaces every reserved phrase ("Best regards") by one token
    ("Bestnnnnnregards") and leaves that token in the output when it does not
    pick it; the layout puts the original phrase back instead.
    """

    def preprocess(data: str) -> str:
        # (text, original start, original end, is a phrase token)
        segments: list[tuple[str, int, int, bool]] = [(data, 0, len(data), False)]
        for joined, regex in zip(aug.reserved_phrase_concats, aug.reserved_phrase_regexs):
            out = []
            for piece, start, end, is_phrase in segments:
                if is_phrase:
                    out.append((piece, start, end, True))
                    continue
                last = 0
                for match in regex.finditer(piece):
                    if match.start() > last:
                        out.append((piece[last: match.start()], start + last, start + match.start(), False))
                    out.append((joined, start + match.start(), start + match.end(), True))
                    last = match.end()
                if last < len(piece):
                    out.append((piece[last:], start + last, end, False))
            segments = out
        where: list[int] = []
        for piece, start, end, is_phrase in segments:
            if is_phrase:  # inner positions map to the phrase's end
                where += [start] + [end] * (len(piece) - 1)
            else:
                where += range(start, end)
        where.append(len(data))
        rewritten = "".join(s[0] for s in segments)
        layout.rewritten = (rewritten, where, data)
        return rewritten

    return preprocess


def _crop_range(aug: Any) -> Callable[[Sequence[str]], list[int]]:
    """WordAugmenter._get_aug_range_idxes without its two bugs (nlpaug 1.1.11).

    It raises ValueError for a count of 1 half of the time (``tokens[:-1+1]`` is
    empty) and, cropping leftwards, wraps round to the end of the text
    (negative indexes). Same draws from the global RNG; a contiguous range.
    """

    def crop_range(tokens: Sequence[str]) -> list[int]:
        count = min(aug.generate_aug_cnt(len(tokens)), len(tokens))
        if count == 0:
            return []
        direction = aug.sample([-1, 1], 1)[0]
        starts = list(range(len(tokens) - count + 1))
        if direction > 0:
            first = aug.sample(starts, 1)[0]
            return [first + k for k in range(count)]
        last = aug.sample([s + count - 1 for s in starts], 1)[0]
        return [last - k for k in range(count)]

    return crop_range


def _fix_spelling_model(aug: Any) -> None:
    """Make SpellingAug's dictionary the one asked for, with candidates in a fixed order.

    nlpaug caches one spelling model per process whatever dict_path and
    include_reverse say, and builds each word's candidates with ``list(set(...))``,
    whose order changes with Python's per-process string hashing: the same seed
    would pick different misspellings in different processes.
    """
    model = aug.model
    if model.dict_path != aug.dict_path or model.include_reverse != aug.include_reverse:
        from nlpaug.model.word_dict import Spelling

        model = aug.model = Spelling(aug.dict_path, aug.include_reverse)
    if not getattr(model, "_augment_sorted", False):
        for candidates in model.dict.values():
            candidates.sort()
        model._augment_sorted = True


@dataclass
class _BuiltOp:
    name: str
    label: str
    aug: Any
    layout: _LayoutTokenizer
    inactive: bool

    def apply(self, text: str) -> tuple[str, list[tuple[int, str, str]]]:
        """Run the op on one sample, keeping its surrounding whitespace (nlpaug strips it)."""
        core = text.strip()
        if not core or self.inactive:
            return text, []
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(lead) + len(core):]
        self.layout.result = self.layout.rewritten = None
        out = self.aug.augment(core)
        if isinstance(out, list):
            out = out[0] if out else core
        if not isinstance(out, str):
            raise RuntimeError(f"{self.label} returned {type(out).__name__}, not text")
        if out == core:
            return text, []
        if self.layout.result is None or self.layout.result[0] != out:
            raise RuntimeError(f"{self.label} changed the text without its reverse tokenizer")
        return lead + out + trail, [(start + len(lead), o, r) for start, o, r in self.layout.result[1]]


class TextAugmenter(Augmenter):
    """Apply a chain of nlpaug word and character ops, keeping the text's layout.

    Args:
        aug_src, aug_p, aug_min, aug_max, lang, stopwords, stopwords_regex:
            SynonymAug's own arguments, used when ``ops`` is None: they mean
            ``ops=[{"op": "SynonymAug", ...}]`` (the default: WordNet synonyms,
            ``aug_p=0.3``). With ``ops``, put them inside the op instead.
        unit: "file" runs the chain over the whole text as one sample; "line"
            runs it over every non-blank line on its own (blank lines are kept).
        ops: The chain, applied in order, each op to the previous one's output:
            ``{"op": <nlpaug class name>, **that class's keyword arguments}``.
            Supported (all offline): SynonymAug (WordNet), AntonymAug,
            RandomWordAug (swap, delete, crop, substitute with target_words),
            SpellingAug, SplitAug, ReservedAug, KeyboardAug, OcrAug,
            RandomCharAug. Ops that need a downloaded model are refused.
            A ``*_max`` of None (no limit) is stored as 1000000000, which TOML
            can hold; other None values mean the default and are dropped.
            nlpaug's quirks are smoothed: ``aug_p=0`` means none (nlpaug reads
            0 as 0.3), ``aug_max=0`` (and ``aug_word_max``/``aug_char_max=0``)
            means the op changes nothing, and RandomWordAug's crop removes one
            contiguous run (nlpaug's can fail or wrap round).

    Raises:
        ValueError: In ``__init__``, for any op or argument that cannot work;
            op errors start with ``ops[i] (Name): `` and name the parameter.

    In memory the data is a ``str``. ``params`` are::

        {"unit": "file",
         "tagger": "averaged_perceptron_tagger_eng" | "wordnet-fallback" | None,
         "wordnet": "nltk" | "system" | None,      # both None without a WordNet op
         "ops": [{"op": "SynonymAug", "changes": [
                     {"line": 1, "index": 3, "original": "quick", "replacement": "speedy"}]},
                 {"op": "RandomWordAug", "action": "delete", "changes": [...]}]}

    with one entry per op, in order ("action" for RandomWordAug and RandomCharAug). A change
    says that ``original`` (text of that op's input) became ``replacement``;
    a deletion has an empty replacement, an insertion an empty original.
    ``line`` is 1-based; ``index`` is the token (nlpaug's ``\\W`` split) the
    change starts at or before, counted within the sample (the file or the
    line) the op received. An op that changed nothing has empty changes.
    """

    modality: ClassVar[str] = "text"
    extensions: ClassVar[frozenset[str]] = EXTENSIONS["text"]

    def __init__(
        self,
        aug_src: str = "wordnet",
        aug_p: float = 0.3,
        aug_min: int = 1,
        aug_max: int | None = 10,
        lang: str = "eng",
        stopwords: Sequence[str] | None = None,
        stopwords_regex: str | None = None,
        unit: str = "file",
        ops: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        legacy = {"aug_src": aug_src, "aug_p": aug_p, "aug_min": aug_min, "aug_max": aug_max,
                  "lang": lang, "stopwords": stopwords, "stopwords_regex": stopwords_regex}
        if unit not in _UNITS:
            raise ValueError(f"unit must be one of {', '.join(_UNITS)}; got {unit!r}")
        if ops is None:
            ops = [self._legacy_op(**legacy)]
        else:
            given = {k: v for k, v in legacy.items() if v != _LEGACY_DEFAULTS[k]}
            if given:
                args = ", ".join(f"{k}={v!r}" for k, v in given.items())
                example = ", ".join(f"{k!r}: {v!r}" for k, v in given.items())
                raise ValueError(
                    f"{args} given together with ops; put it inside the op, e.g. "
                    f"ops=[{{'op': 'SynonymAug', {example}}}]"
                )
            ops = check_ops_list(ops, "{'op': 'SynonymAug', 'aug_p': 0.3}")
        self.unit = unit
        self.ops: tuple[dict[str, Any], ...] = tuple(
            _check_op(op, index) for index, op in enumerate(ops, start=1)
        )
        self._reset_backend()

    @staticmethod
    def _legacy_op(aug_src: str, aug_p: float, aug_min: int, aug_max: int | None, lang: str,
                   stopwords: Sequence[str] | None, stopwords_regex: str | None) -> dict[str, Any]:
        """The SynonymAug op the legacy arguments mean, checked with their own names."""
        if aug_src != "wordnet":
            raise ValueError(
                f"aug_src must be 'wordnet' (PPDB needs a downloaded model); got {aug_src!r}"
            )
        if isinstance(aug_p, bool) or not isinstance(aug_p, (int, float)) or not 0 <= aug_p <= 1:
            raise ValueError(f"aug_p must be a number in [0, 1]; got {aug_p!r}")
        if isinstance(aug_min, bool) or not isinstance(aug_min, int) or aug_min < 0:
            raise ValueError(f"aug_min must be an integer >= 0; got {aug_min!r}")
        if aug_max is not None and (
            isinstance(aug_max, bool) or not isinstance(aug_max, int) or aug_max < aug_min
        ):
            raise ValueError(
                f"aug_max must be None or an integer >= aug_min ({aug_min}); got {aug_max!r}"
            )
        if not isinstance(lang, str) or not lang:
            raise ValueError(f"lang must be a non-empty language code such as 'eng'; got {lang!r}")
        if stopwords is not None and (
            isinstance(stopwords, str) or not all(isinstance(w, str) for w in stopwords)
        ):
            raise ValueError(f"stopwords must be a list of strings or None; got {stopwords!r}")
        if stopwords_regex is not None:
            if not isinstance(stopwords_regex, str):
                raise ValueError(
                    f"stopwords_regex must be a regular expression string or None; "
                    f"got {stopwords_regex!r}"
                )
            try:
                re.compile(stopwords_regex)
            except re.error as exc:
                raise ValueError(
                    f"stopwords_regex is not a valid regular expression ({exc}); "
                    f"got {stopwords_regex!r}"
                ) from None
        op: dict[str, Any] = {"op": "SynonymAug", "aug_p": float(aug_p)}
        if aug_min != 1:
            op["aug_min"] = aug_min
        if aug_max != 10:
            op["aug_max"] = _NO_LIMIT if aug_max is None else aug_max
        if lang != "eng":
            op["lang"] = lang
        if stopwords is not None:
            op["stopwords"] = list(stopwords)
        if stopwords_regex:
            op["stopwords_regex"] = stopwords_regex
        return op

    def _reset_backend(self) -> None:
        self._built: list[_BuiltOp] | None = None
        self._tagger: str | None = None
        self._wordnet: str | None = None

    @classmethod
    def prepare(cls, config: Mapping[str, Any]) -> None:
        """Make WordNet loadable if an op of ``config`` uses it, and say once if the tagger is the fallback.

        Raises:
            MissingNLTKDataError: WordNet is needed and not found (the message
                names every way to get it).
        """
        ops = config.get("ops") or [{"op": "SynonymAug"}]
        if not any(_OPS[op["op"]].wordnet for op in ops if op.get("op") in _OPS):
            return
        from augment import resources

        resources.ensure_wordnet()
        if resources.find_tagger() is None:
            resources.warn_fallback_tagger()

    def config(self) -> dict[str, Any]:
        """``{"unit": ..., "ops": [...]}``: JSON- and TOML-safe, rebuilds an equal augmenter."""
        return {"unit": self.unit, "ops": copy.deepcopy(list(self.ops))}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.config() == self.config()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(repr(sorted(self.config().items())))

    def __getstate__(self) -> dict[str, Any]:
        # The built ops hold NLTK's loaded WordNet; a copy rebuilds them lazily.
        state = self.__dict__.copy()
        state.update(_built=None, _tagger=None, _wordnet=None)
        return state

    # ------------------------------------------------------------------ backend

    def _build(self) -> list[_BuiltOp]:
        names = [op["op"] for op in self.ops]
        wordnet_langs = sorted({op.get("lang", "eng") for op in self.ops if _OPS[op["op"]].wordnet})
        try:
            if wordnet_langs:
                import nltk  # noqa: F401  (checked here so the hint names the extra)
            modules = {m: importlib.import_module(m) for m in sorted({_OPS[n].module for n in names})}
        except ImportError as exc:
            raise ImportError(
                f"the text backend needs nlpaug and nltk ({exc}); run: {install_hint('text')}"
            ) from exc
        tag = None
        if wordnet_langs:
            tag = self._load_wordnet(wordnet_langs)

        built = []
        for index, op in enumerate(self.ops, start=1):
            name = op["op"]
            info = _OPS[name]
            label = op_label(index, name)
            params = {k: v for k, v in op.items() if k != "op"}
            values = {**_SPECS[name].defaults(), **params}
            if info.kind == "word":
                inactive = values["aug_max"] == 0 or (values["aug_p"] == 0 and values["aug_min"] == 0)
                if values["aug_p"] == 0:
                    params["aug_p"] = _TINY_P
            else:
                inactive = values["aug_word_max"] == 0 or values["aug_char_max"] == 0
            layout = _LayoutTokenizer()
            aug = build_op(info.spec(getattr(modules[info.module], name)), name, params, label,
                           tokenizer=layout.tokenize, reverse_tokenizer=layout.detokenize)
            if info.wordnet:
                # An instance attribute shadows nlpaug's classmethod, whose
                # LookupError branch downloads the pre-3.9 tagger name.
                aug.model.pos_tag = tag
            elif name == "RandomWordAug" and values["action"] == "crop":
                aug._get_aug_range_idxes = _crop_range(aug)
            elif name == "SpellingAug":
                _fix_spelling_model(aug)
            elif name == "ReservedAug":
                aug.preprocess = _reserved_preprocess(aug, layout)
            built.append(_BuiltOp(name, label, aug, layout, inactive))
        return built

    def _load_wordnet(self, langs: Sequence[str]) -> Callable[[list[str]], list[tuple[str, str]]]:
        """Make WordNet loadable (never downloading), check the languages, pick the tagger."""
        from augment import resources

        source = resources.ensure_wordnet()
        # nlpaug's WordNet model probes nltk.corpus.wordnet and calls
        # nltk.download on LookupError; load it first so that never happens.
        from nltk.corpus import wordnet

        try:
            wordnet.synsets("testing")
        except LookupError as exc:
            raise resources.MissingNLTKDataError(
                f"WordNet was found ({source.kind}: {source.path}) but NLTK cannot load it: {exc}"
            ) from exc
        for lang in langs:
            if lang == "eng":
                continue
            from nltk.corpus.reader.wordnet import WordNetError

            try:
                wordnet.synsets("dog", lang=lang)
            except LookupError as exc:
                raise resources.MissingNLTKDataError(
                    f"lang={lang!r} needs NLTK's Open Multilingual Wordnet, which was not found",
                    hint='Get it with: python -c \'import nltk; nltk.download("omw-2.0")\' '
                         '(older NLTK versions look for "omw-1.4")',
                ) from exc
            except WordNetError:
                raise ValueError(
                    f"lang must be one of WordNet's languages ({', '.join(sorted(wordnet.langs()))}); "
                    f"got {lang!r}"
                ) from None
        tagger = resources.find_tagger()
        tag = resources.nltk_pos_tag if tagger else resources.fallback_pos_tag
        # Load the tagger now (and warn about the fallback now), not mid-sample.
        tag(["warm", "up"])
        self._tagger = tagger or resources.FALLBACK_TAGGER
        self._wordnet = source.kind
        return tag

    def _backend(self) -> list[_BuiltOp]:
        if self._built is None:
            # Importing nlpaug (NLTK) draws from the global `random`; without
            # this the first sample a process augments would differ from later ones.
            py_state, np_state = random.getstate(), np.random.get_state()
            try:
                self._built = self._build()
            finally:
                random.setstate(py_state)
                np.random.set_state(np_state)
        return self._built

    def _augment(self, data: Any, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        if kwargs:
            raise TypeError(f"TextAugmenter.augment() takes no options; got {', '.join(kwargs)}")
        if not isinstance(data, str):
            raise BadInputError(None, f"text must be a str; got {type(data).__name__}")
        # Built even when nothing will change, so params name the same tagger and
        # WordNet for every input (and a missing WordNet fails every input alike).
        built = self._backend()
        bom = _BOM if data.startswith(_BOM) else ""
        body = data[len(bom):]
        changes: list[list[dict[str, Any]]] = [[] for _ in built]

        def run(sample: str, line: int | None) -> str:
            for op, found in zip(built, changes):
                out, edits = op.apply(sample)
                if edits:
                    starts = [start for start, _ in _tokens(sample)]
                    breaks = [m.end() for m in _LINE_BREAK.finditer(sample)] if line is None else []
                    for start, original, replacement in edits:
                        found.append({
                            "line": line if line is not None else bisect.bisect_right(breaks, start) + 1,
                            "index": bisect.bisect_left(starts, start),
                            "original": original,
                            "replacement": replacement,
                        })
                sample = out
            return sample

        if self.unit == "file":
            out = run(body, None)
        else:
            pieces = _LINE_BREAK.split(body)
            seps = _LINE_BREAK.findall(body) + [""]
            out = "".join(run(line, number) + sep
                          for number, (line, sep) in enumerate(zip(pieces, seps), start=1))

        records = []
        for op, found in zip(self.ops, changes):
            record: dict[str, Any] = {"op": op["op"]}
            if len(_OPS[op["op"]].choices.get("action", ())) > 1:
                record["action"] = op.get("action", _SPECS[op["op"]].defaults()["action"])
            record["changes"] = found
            records.append(record)
        params = {"unit": self.unit, "tagger": self._tagger, "wordnet": self._wordnet, "ops": records}
        return bom + out, params

    # ------------------------------------------------------------------ files

    def read(self, path: str | os.PathLike[str]) -> str:
        """Read a UTF-8 text file exactly (no newline translation; a BOM is kept).

        Raises:
            BadInputError: The file holds NUL bytes (binary data) or is not UTF-8.
        """
        raw = Path(path).read_bytes()
        nul = raw.find(b"\x00")
        if nul >= 0:
            raise BadInputError(path, f"binary data, not text (NUL byte at offset {nul})")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start: exc.start + 1]
            raise BadInputError(
                path,
                f"not UTF-8 text: byte 0x{bad.hex()} at offset {exc.start} ({exc.reason}); "
                "convert it to UTF-8 first",
            ) from None

    def write(self, data: str, path: str | os.PathLike[str]) -> None:
        """Write ``data`` as UTF-8, byte for byte (no newline translation)."""
        if not isinstance(data, str):
            raise TypeError(f"text data must be a str; got {type(data).__name__}")
        Path(path).write_bytes(data.encode("utf-8"))
