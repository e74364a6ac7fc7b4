"""The nlpaug ops a text chain may name: their signatures, checks, and fixes for nlpaug's quirks.

Ops are checked against a static copy of their nlpaug signatures
(``tests/backends/text/test_ops.py`` compares it with nlpaug's own): importing nlpaug takes
1-2 s, pulls in NLTK, SciPy and pandas, and disturbs the global ``random``
state, none of which building an augmenter should do. SynonymAug and
AntonymAug take one parameter of augment-dir's own besides nlpaug's:
``quality`` (:data:`EXTRA_PARAMETERS`). The fixes at the end are applied to the
nlpaug objects once they are built; :func:`import_nlpaug` imports nlpaug
without NLTK, which the WordNet ops no longer need when the synonym index is used.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from augment.backends.text.layout import LayoutTokenizer, token_spans
from augment.backends.text.quality import DEFAULT_PROFILE, PROFILES
from augment.core.checks import did_you_mean
from augment.core.ops import OpSpec, check_op, op_label, split_op

__all__ = ["EXTRA_PARAMETERS", "NO_LIMIT", "OPS", "REFUSED", "SPECS", "SUPPORTED_OPS", "check_text_op",
           "crop_range", "fix_spelling_model", "import_nlpaug", "reserved_preprocess"]

# None for a *_max cap means "no limit" to nlpaug, but TOML has no null: the
# cap is stored as this number instead, which no text's token count reaches.
NO_LIMIT = 1_000_000_000

#: Parameters augment-dir adds to an nlpaug op (op -> parameter -> what it does).
_QUALITY = (f"the quality filter (augment.backends.text.quality): true (the default: the {DEFAULT_PROFILE!r} "
            f"profile), or a profile by name ({', '.join(repr(p) for p in PROFILES)}; 'wide' makes more swaps, "
            f"more of them wrong); false: nlpaug's exact behaviour")
EXTRA_PARAMETERS: dict[str, dict[str, str]] = {
    "SynonymAug": {"quality": _QUALITY},
    "AntonymAug": {"quality": _QUALITY},
}

# nlpaug's signatures (nlpaug 1.1.11), with the types its docstrings promise, and EXTRA_PARAMETERS last.


class _SynonymAug:
    def __init__(self, aug_src: str = "wordnet", model_path: str | None = None, name: str = "Synonym_Aug",
                 aug_min: int = 1, aug_max: int | None = 10, aug_p: float = 0.3, lang: str = "eng",
                 stopwords: list[str] | None = None, tokenizer: Any = None, reverse_tokenizer: Any = None,
                 stopwords_regex: str | None = None, force_reload: bool = False, verbose: int = 0,
                 quality: bool | str = True) -> None: ...


class _AntonymAug:
    def __init__(self, name: str = "Antonym_Aug", aug_min: int = 1, aug_max: int | None = 10,
                 aug_p: float = 0.3, lang: str = "eng", stopwords: list[str] | None = None,
                 tokenizer: Any = None, reverse_tokenizer: Any = None, stopwords_regex: str | None = None,
                 verbose: int = 0, quality: bool | str = True) -> None: ...


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
    if values["quality"] and values["lang"] != "eng":
        return (f"quality = true works for English only (its word lists, frequencies and word forms are "
                f"English); set quality = false for lang={values['lang']!r}")
    return None


def _quality(values: dict[str, Any]) -> str | None:
    quality = values["quality"]
    if isinstance(quality, bool) or quality in PROFILES:
        return None
    return (f"quality must be true, false or a profile's name ({', '.join(repr(p) for p in PROFILES)}); "
            f"got {quality!r}{did_you_mean(str(quality), PROFILES)}")


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
            if len(token_spans(phrase)) > 1:
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
_WIRING = {
    "wordnet_model": "the text backend gives the WordNet ops their model",
    "quality_filter": "the text backend gives the WordNet ops their quality filter",
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
        return OpSpec(cls or self.stub, exclude={**_TOKENIZERS, **(_WIRING if self.wordnet else {}), **self.exclude},
                      choices=self.choices, checks=(_strings("stopwords"), _regex, *self.checks))


_WORD = "nlpaug.augmenter.word"
_CHAR = "nlpaug.augmenter.char"
OPS: dict[str, _OpInfo] = {
    "SynonymAug": _OpInfo(
        _WORD, _SynonymAug, "word", wordnet=True,
        exclude={"model_path": "it is the PPDB model's path, and PPDB needs a downloaded model",
                 "force_reload": "it only reloads a PPDB model"},
        checks=(_quality, _wordnet_source, _wordnet_lang)),
    "AntonymAug": _OpInfo(_WORD, _AntonymAug, "word", wordnet=True, checks=(_quality, _wordnet_lang)),
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
SPECS = {name: info.spec() for name, info in OPS.items()}

#: The nlpaug classes TextAugmenter runs (all offline).
SUPPORTED_OPS: tuple[str, ...] = tuple(OPS)

_NEEDS_MODEL = "needs a downloaded model, and augment-dir never downloads at run time"
REFUSED = {
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
NOT_TEXT = frozenset({
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


def check_text_op(op: Any, index: int) -> dict[str, Any]:
    """One op, checked; returned as stored (a plain dict, None values resolved)."""
    name, params = split_op(op, index)
    where = op_label(index, name)
    if name not in OPS:
        if name in REFUSED:
            reason = REFUSED[name]
        elif name in NOT_TEXT:
            reason = "is an nlpaug audio or spectrogram augmenter, not a text op"
        else:
            reason = f"unknown op {name!r}{did_you_mean(name, OPS)}"
        if name in REFUSED or name in NOT_TEXT:
            reason = f"{name} is not supported: {reason}"
        raise ValueError(f"{where}: {reason}; supported ops: {', '.join(OPS)}")
    spec = SPECS[name]
    defaults = spec.defaults()
    stored: dict[str, Any] = {"op": name}
    for key, value in params.items():
        if value is None and key in defaults:
            if defaults[key] is None:
                continue  # None is the default
            if key.endswith("_max"):
                value = NO_LIMIT  # nlpaug: None means no limit
        stored[key] = _plain(value)
    check_op(spec, name, {k: v for k, v in stored.items() if k != "op"}, where)
    return stored


class _Deferred:
    """Stands in for an NLTK module or function in nlpaug's module globals until first used."""

    def __init__(self, module: str, attr: str | None = None) -> None:
        self._module, self._attr = module, attr

    def _target(self) -> Any:
        found = importlib.import_module(self._module)
        return getattr(found, self._attr) if self._attr else found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target(), name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._target()(*args, **kwargs)


# nlpaug's modules that import NLTK at import time (inside ``try: ... except ImportError``),
# and the names they expect from it.
_NLTK_NAMES: dict[str, dict[str, tuple[str, str | None]]] = {
    "nlpaug.model.word_dict.wordnet": {"nltk": ("nltk", None), "wordnet": ("nltk.corpus", "wordnet")},
    "nlpaug.model.word_dict.ppdb": {"nltk": ("nltk", None), "wordnet": ("nltk.corpus", "wordnet")},
    "nlpaug.model.word_rule.shuffle": {"sent_tokenize": ("nltk.tokenize", "sent_tokenize")},
}


def import_nlpaug(module: str) -> ModuleType:
    """Import an nlpaug module without importing NLTK, unless NLTK is imported already.

    nlpaug imports NLTK at import time in a ``try: ... except ImportError``,
    which costs 1-2 s (NLTK imports SciPy and scikit-learn when installed); the
    ops here need it only to load WordNet through NLTK, which the synonym index
    replaces. NLTK (and PyTorch) is hidden while nlpaug is imported (``sys.modules["nltk"] =
    None`` makes ``import nltk`` raise ImportError, which nlpaug catches), and
    the names nlpaug took from it are then put back as stand-ins that import
    NLTK on first use, so nlpaug's own WordNet model still works in this process.
    """
    if "nltk" in sys.modules:
        return importlib.import_module(module)
    # PyTorch too, when installed and not imported yet: nlpaug imports it (1-2 s) in a
    # ``try`` for its model-based ops only, which augment-dir refuses.
    hidden = [name for name in ("nltk", "torch") if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        found = importlib.import_module(module)
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    for name, names in _NLTK_NAMES.items():
        loaded = sys.modules.get(name)
        if loaded is None:
            continue
        for attr, (source, source_attr) in names.items():
            if not hasattr(loaded, attr):
                setattr(loaded, attr, _Deferred(source, source_attr))
    return found


def reserved_preprocess(aug: Any, layout: LayoutTokenizer) -> Callable[[str], str]:
    """ReservedAug.preprocess, also telling the layout where each phrase came from.

    nlpaug replaces every reserved phrase ("Best regards") by one token
    ("Bestnnnnnregards") and leaves that token in the output when it does not
    pick it; the layout puts the original phrase back instead.
    """

    def preprocess(data: str) -> str:
        # (text, original start, original end, is a phrase token)
        segments: list[tuple[str, int, int, bool]] = [(data, 0, len(data), False)]
        for joined, regex in zip(aug.reserved_phrase_concats, aug.reserved_phrase_regexs, strict=False):
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


def crop_range(aug: Any) -> Callable[[Sequence[str]], list[int]]:
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


def fix_spelling_model(aug: Any) -> None:
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
