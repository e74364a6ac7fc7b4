r"""TextAugmenter: a chain of nlpaug word and character ops, keeping the text's layout exactly.

nlpaug's default tokenizer splits on ``\W`` and its reverse tokenizer joins the
tokens with single spaces, which loses newlines, indentation and spacing. Here
every op gets the tokenizer of :mod:`augment.backends.text.layout`, which yields the very
same tokens and puts the op's output back into the original layout: line
endings, blank lines, indentation and a UTF-8 BOM survive byte for byte.

The ops a chain may name, their checks and the fixes for nlpaug's quirks are in
:mod:`augment.backends.text.ops`: ops are checked in ``__init__`` without
importing nlpaug. nlpaug is imported on first use, without NLTK. The WordNet
ops (SynonymAug, AntonymAug) read WordNet from the synonym index
(:mod:`augment.backends.text.synonym_index`, built once from WordNet into the
cache folder) and, with ``quality = true`` (the default), go through the quality
filter (:mod:`augment.backends.text.quality`); other languages, and nlpaug's
exact mode where the index cannot reproduce NLTK, load WordNet through NLTK,
made available by :func:`augment.backends.text.wordnet.ensure_wordnet` first so
that nlpaug's own fallback (``nltk.download``) is never reached. The tagger
comes from :mod:`augment.backends.text.taggers`.
"""

from __future__ import annotations

import bisect
import copy
import gc
import os
import random
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from augment.backends.text import synonym_index, taggers, wordnet
from augment.backends.text.encoding import decode_text
from augment.backends.text.layout import LINE_BREAK, LayoutTokenizer, token_spans
from augment.backends.text.ops import (
    NO_LIMIT,
    OPS,
    SPECS,
    SUPPORTED_OPS,
    check_text_op,
    crop_range,
    fix_spelling_model,
    import_nlpaug,
    reserved_preprocess,
)
from augment.backends.text.pieces import cut, in_pieces
from augment.backends.text.quality import PROFILES, REASONS, QualityFilter, profile_name
from augment.core.augmenter import Augmenter
from augment.core.batch import BatchResult, as_items
from augment.core.ops import build_op, check_ops_list, op_label, refuse_shorthand
from augment.core.registry import backend, install_hint
from augment.core.result import BadInputError
from augment.core.seeding import derive_seed, global_rng, saved_rng

__all__ = ["SUPPORTED_OPS", "TextAugmenter"]

_UNITS = ("file", "line")
_BOM = "\ufeff"
# nlpaug treats aug_p == 0 as "unset" (0.3); a tiny positive value keeps the
# count at aug_min, which is what aug_p=0 means.
_TINY_P = 1e-12
# The shorthand's SynonymAug arguments and their defaults (DESIGN.md: aug_p=0.3, WordNet).
_SHORTHAND_DEFAULTS: dict[str, Any] = {
    "aug_src": "wordnet", "aug_p": 0.3, "aug_min": 1, "aug_max": 10, "lang": "eng",
    "stopwords": None, "stopwords_regex": None, "quality": True,
}
# Recipes of formats before this one meant nlpaug's exact WordNet ops (no quality filter).
_QUALITY_SINCE_FORMAT = 2


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the block (as it was, after).

    Augmenting makes and drops some twenty small objects per word, and the
    collector, run on that schedule, walks the backend's long-lived tables each
    time: a third of the time of a big text. Those objects hold no reference
    cycles, so reference counting frees them all the same.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@dataclass
class _BuiltOp:
    name: str
    label: str
    aug: Any
    layout: LayoutTokenizer
    inactive: bool
    quality: bool = False
    skipped: Counter[str] | None = None

    def apply(self, text: str) -> tuple[str, list[tuple[int, str, str, str | None]]]:
        """Run the op on one sample, keeping its surrounding whitespace (nlpaug strips it)."""
        core = text.strip()
        if not core or self.inactive:
            return text, []
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(lead) + len(core):]
        self.layout.result = self.layout.rewritten = None
        if self.quality:
            self.aug.skipped.clear()
            self.aug.picked.clear()
        out = self.aug.augment(core)
        if self.quality and self.skipped is not None:
            self.skipped.update(self.aug.skipped)
        if isinstance(out, list):
            out = out[0] if out else core
        if not isinstance(out, str):
            raise RuntimeError(f"{self.label} returned {type(out).__name__}, not text")
        if out == core:
            return text, []
        if self.layout.result is None or self.layout.result[0] != out:
            raise RuntimeError(f"{self.label} changed the text without its reverse tokenizer")
        relations: dict[int, str] = {}
        if self.quality and self.aug.picked:
            # The picked tokens' relations, by where they start (the layout reports changes by position).
            spans = token_spans(core)
            relations = {spans[i][0]: relation for i, relation in self.aug.picked.items()}
        return lead + out + trail, [(start + len(lead), o, r, relations.get(start))
                                    for start, o, r in self.layout.result[1]]


class TextAugmenter(Augmenter):
    r"""Apply a chain of nlpaug word and character ops, keeping the text's layout.

    Args:
        aug_src, aug_p, aug_min, aug_max, lang, stopwords, stopwords_regex, quality:
            A shorthand for one SynonymAug op, used when ``ops`` is None:
            ``TextAugmenter(aug_p=0.5)`` is ``TextAugmenter(ops=[{"op":
            "SynonymAug", "aug_p": 0.5}])`` (the default: WordNet synonyms,
            ``aug_p=0.3``). With ``ops``, put them inside the op instead.
        unit: "file" runs the chain over the whole text as one sample; "line"
            runs it over every non-blank line on its own (blank lines are kept).
        ops: The chain, applied in order, each op to the previous one's output:
            ``{"op": <nlpaug class name>, **that class's keyword arguments}``.
            Supported (all offline): SynonymAug (WordNet), AntonymAug,
            RandomWordAug (swap, delete, crop, substitute with target_words),
            SpellingAug, SplitAug, ReservedAug, KeyboardAug, OcrAug,
            RandomCharAug. Ops that need a downloaded model are refused.
            SynonymAug and AntonymAug take ``quality`` too (augment-dir's; default
            true): the quality filter, which keeps names, function words and
            contractions as they are and puts in single, common words in the
            original's form and case; ``quality=False`` is nlpaug's exact behaviour.
            True is the "strict" profile; ``"wide"`` makes more swaps, more
            of them wrong; see :data:`augment.backends.text.quality.PROFILES`.
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
         "ops": [{"op": "SynonymAug", "quality": True, "changes": [
                     {"line": 1, "index": 3, "original": "quick", "replacement": "fast",
                      "relation": "synonym"}],
                  "skipped": {"proper noun": 2, "pronoun": 3, "no candidate": 4}},
                 {"op": "RandomWordAug", "action": "delete", "changes": [...]}]}

    with one entry per op, in order ("action" for RandomWordAug and RandomCharAug;
    "quality" for SynonymAug and AntonymAug (as the op gives it: true, false or a profile), and with
    it "skipped": how many of the words nlpaug could have picked the quality filter
    kept as they were, per reason, over the whole output; see
    :data:`augment.backends.text.quality.REASONS`; and in each change "relation": where
    the replacement came from, :data:`augment.backends.text.quality.RELATIONS`). A change
    says that ``original`` (text of that op's input) became ``replacement``;
    a deletion has an empty replacement, an insertion an empty original.
    ``line`` is 1-based; ``index`` is the token (nlpaug's ``\W`` split) the
    change starts at or before, counted within the sample (the file or the
    line) the op received. An op that changed nothing has empty changes.

    A text of 1 MiB or more (UTF-8 bytes; :data:`augment.backends.text.pieces.PIECES_FROM`)
    is augmented in pieces of at most 16,384 characters
    (:func:`augment.backends.text.pieces.cut`: at paragraph, line, sentence and
    word boundaries), each a sample of its own under its own seed, so that time
    and memory grow linearly; the layout is kept all the same. ``params`` then
    hold ``"pieces": N`` after ``"unit"``, and each change its ``"piece"``
    (1-based; ``index`` counts within it) besides its ``line`` in the whole text.

    :meth:`augment_batch` takes a list (or tuple) of ``str`` and returns one of
    the same type and length.
    """

    modality: ClassVar[str] = "text"
    extensions: ClassVar[frozenset[str]] = backend("text").extensions
    options: ClassVar[tuple[str, ...]] = ("unit",)
    # Decoded once per source for all its copies: augmenting never changes the data read.
    reads_are_shareable: ClassVar[bool] = True
    default_table: ClassVar[Mapping[str, Any]] = {"unit": "file", "ops": [{"op": "SynonymAug", "aug_p": 0.3}]}

    @classmethod
    def table_as_of(cls, table: dict[str, Any], version: int) -> dict[str, Any]:
        """Before recipe format 2, SynonymAug and AntonymAug were nlpaug's own: ``quality = false``."""
        if version >= _QUALITY_SINCE_FORMAT or "ops" not in table:
            return table
        ops = [{"quality": False, **op} if op.get("op") in ("SynonymAug", "AntonymAug") else dict(op)
               for op in table["ops"]]
        return {**table, "ops": ops}

    @classmethod
    def explicit_ops(cls, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each nlpaug op with its class's defaults written out for what it leaves out (None ones aside)."""
        explicit = []
        for op in ops:
            name = op.get("op")
            spec = SPECS.get(name) if isinstance(name, str) else None
            defaults = {k: v for k, v in spec.defaults().items() if v is not None} if spec else {}
            explicit.append({"op": op["op"], **defaults, **op} if spec else dict(op))
        return explicit

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
        quality: bool | str = True,
    ) -> None:
        shorthand: dict[str, Any] = {"aug_src": aug_src, "aug_p": aug_p, "aug_min": aug_min, "aug_max": aug_max,
                                     "lang": lang, "stopwords": stopwords, "stopwords_regex": stopwords_regex,
                                     "quality": quality}
        if unit not in _UNITS:
            raise ValueError(f"unit must be one of {', '.join(_UNITS)}; got {unit!r}")
        if ops is None:
            ops = [self._shorthand_op(**shorthand)]
        else:
            refuse_shorthand({k: v for k, v in shorthand.items() if v != _SHORTHAND_DEFAULTS[k]}, "SynonymAug")
            ops = check_ops_list(ops, "{'op': 'SynonymAug', 'aug_p': 0.3}")
        self.unit = unit
        self.ops: tuple[dict[str, Any], ...] = tuple(
            check_text_op(op, index) for index, op in enumerate(ops, start=1)
        )
        self._reset_backend()

    @staticmethod
    def _shorthand_op(aug_src: str, aug_p: float, aug_min: int, aug_max: int | None, lang: str,
                      stopwords: Sequence[str] | None, stopwords_regex: str | None,
                      quality: bool | str) -> dict[str, Any]:
        """The SynonymAug op the shorthand arguments mean, checked with their own names."""
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
        if not isinstance(quality, bool) and quality not in PROFILES:
            raise ValueError(f"quality must be true, false or a profile's name "
                             f"({', '.join(repr(p) for p in PROFILES)}); got {quality!r}")
        if quality and lang != "eng":
            raise ValueError(f"quality=True works for English only; pass quality=False for lang={lang!r}")
        op: dict[str, Any] = {"op": "SynonymAug", "aug_p": float(aug_p)}
        if aug_min != 1:
            op["aug_min"] = aug_min
        if aug_max != 10:
            op["aug_max"] = NO_LIMIT if aug_max is None else aug_max
        if lang != "eng":
            op["lang"] = lang
        if stopwords is not None:
            op["stopwords"] = list(stopwords)
        if stopwords_regex:
            op["stopwords_regex"] = stopwords_regex
        if quality is not True:
            op["quality"] = quality
        return op

    def _reset_backend(self) -> None:
        self._built: list[_BuiltOp] | None = None
        self._tagger: str | None = None
        self._wordnet: str | None = None

    @classmethod
    def prepare(cls, config: Mapping[str, Any]) -> None:
        """Make WordNet usable if an op of ``config`` needs it, and say once if the tagger is the fallback.

        Builds the synonym index if it is missing or stale (once, 15-30 s),
        so that the run's workers find it ready.

        Raises:
            MissingNLTKDataError: WordNet is needed and not found (the message
                names every way to get it).
        """
        ops = config.get("ops") or [{"op": "SynonymAug"}]
        wordnet_ops = [op for op in ops if op.get("op") in OPS and OPS[op["op"]].wordnet]
        if not wordnet_ops:
            return
        if any(op.get("lang", "eng") == "eng" for op in wordnet_ops):
            synonym_index.ensure_index()
        if any(op.get("lang", "eng") != "eng" for op in wordnet_ops):
            wordnet.ensure_wordnet()
        if taggers.find_tagger() is None:
            taggers.warn_fallback_tagger()

    def config(self) -> dict[str, Any]:
        """``{"unit": ..., "ops": [...]}``: JSON- and TOML-safe, rebuilds an equal augmenter."""
        return {"unit": self.unit, "ops": copy.deepcopy(list(self.ops))}

    # ------------------------------------------------------------------ backend

    def _build(self) -> list[_BuiltOp]:
        names = [op["op"] for op in self.ops]
        try:
            modules = {m: import_nlpaug(m) for m in sorted({OPS[n].module for n in names})}
            if any(OPS[n].wordnet for n in names):
                from augment.backends.text import wordnet_ops
        except ImportError as exc:
            raise ImportError(
                f"the text backend needs nlpaug and nltk ({exc}); run: {install_hint('text')}"
            ) from exc
        wordnet_langs = sorted({op.get("lang", "eng") for op in self.ops if OPS[op["op"]].wordnet})
        index = None
        tag: Callable[[list[str]], list[tuple[str, str]]] | None = None
        if wordnet_langs:
            index, tag = self._load_wordnet(wordnet_langs)

        built = []
        for number, op in enumerate(self.ops, start=1):
            name = op["op"]
            info = OPS[name]
            label = op_label(number, name)
            params = {k: v for k, v in op.items() if k != "op"}
            values = {**SPECS[name].defaults(), **params}
            if info.kind == "word":
                inactive = values["aug_max"] == 0 or (values["aug_p"] == 0 and values["aug_min"] == 0)
                if values["aug_p"] == 0:
                    params["aug_p"] = _TINY_P
            else:
                inactive = values["aug_word_max"] == 0 or values["aug_char_max"] == 0
            layout = LayoutTokenizer()
            wiring: dict[str, Any] = {"tokenizer": layout.tokenize, "reverse_tokenizer": layout.detokenize}
            cls = getattr(modules[info.module], name)
            profile = profile_name(values["quality"]) if info.wordnet else None
            quality = profile is not None
            if info.wordnet:
                cls = wordnet_ops.QualitySynonymAug if name == "SynonymAug" else wordnet_ops.QualityAntonymAug
                english = values["lang"] == "eng"
                if english and index is not None and (quality or index.exact):
                    wiring["wordnet_model"] = synonym_index.IndexWordNet(index, is_synonym=name == "SynonymAug")
                if profile is not None and index is not None:
                    wiring["quality_filter"] = QualityFilter(index, antonyms=name == "AntonymAug", profile=profile)
            aug = build_op(info.spec(cls), name, params, label, **wiring)
            if info.wordnet:
                # An instance attribute shadows nlpaug's classmethod, whose
                # LookupError branch downloads the pre-3.9 tagger name.
                aug.model.pos_tag = tag
            elif name == "RandomWordAug" and values["action"] == "crop":
                aug._get_aug_range_idxes = crop_range(aug)
            elif name == "SpellingAug":
                fix_spelling_model(aug)
            elif name == "ReservedAug":
                aug.preprocess = reserved_preprocess(aug, layout)
            built.append(_BuiltOp(name, label, aug, layout, inactive, quality=info.wordnet and quality))
        return built

    def _load_wordnet(self, langs: Sequence[str]) -> tuple[synonym_index.WordNetIndex | None,
                                                         Callable[[list[str]], list[tuple[str, str]]]]:
        """The synonym index (for English), NLTK's WordNet where it is still needed, and the tagger.

        NLTK's WordNet is loaded (never downloaded) for other languages, and for
        nlpaug's exact mode when the index does not reproduce NLTK exactly.
        """
        index = synonym_index.ensure_index() if "eng" in langs else None
        needs_nltk = [lang for lang in langs if lang != "eng"]
        if index is not None and not index.exact and any(
                op.get("quality", True) is False for op in self.ops if OPS[op["op"]].wordnet):
            needs_nltk.append("eng")
        self._wordnet = index.meta.get("wordnet") if index is not None else None
        if needs_nltk:
            self._wordnet = self._load_nltk_wordnet(needs_nltk)
        tagger = taggers.find_tagger()
        tag: Callable[[list[str]], list[tuple[str, str]]]
        if tagger:
            tag = taggers.nltk_pos_tag
        elif index is not None:
            taggers.warn_fallback_tagger(stacklevel=4)
            tag = taggers.LexiconTagger(index)
        else:
            tag = taggers.fallback_pos_tag
        # Load the tagger now (and warn about the fallback now), not mid-sample.
        tag(["warm", "up"])
        self._tagger = tagger or taggers.FALLBACK_TAGGER
        return index, tag

    @staticmethod
    def _load_nltk_wordnet(langs: Sequence[str]) -> str:
        """Make NLTK's WordNet loadable (never downloading) and check the languages; returns its kind."""
        source = wordnet.ensure_wordnet()
        # nlpaug's WordNet model probes nltk.corpus.wordnet and calls
        # nltk.download on LookupError; load it first so that never happens.
        from nltk.corpus import wordnet as nltk_wordnet

        try:
            nltk_wordnet.synsets("testing")
        except LookupError as exc:
            raise wordnet.MissingNLTKDataError(
                f"WordNet was found ({source.kind}: {source.path}) but NLTK cannot load it: {exc}"
            ) from exc
        for lang in langs:
            if lang == "eng":
                continue
            from nltk.corpus.reader.wordnet import WordNetError

            try:
                nltk_wordnet.synsets("dog", lang=lang)
            except LookupError as exc:
                raise wordnet.MissingNLTKDataError(
                    f"lang={lang!r} needs NLTK's Open Multilingual Wordnet, which was not found",
                    hint='Get it with: python -c \'import nltk; nltk.download("omw-2.0")\' '
                         '(older NLTK versions look for "omw-1.4")',
                ) from exc
            except WordNetError:
                raise ValueError(
                    f"lang must be one of WordNet's languages ({', '.join(sorted(nltk_wordnet.langs()))}); "
                    f"got {lang!r}"
                ) from None
        return source.kind

    def _backend(self) -> list[_BuiltOp]:
        if self._built is None:
            # Importing nlpaug (NLTK) draws from the global `random`; without
            # this the first sample a process augments would differ from later ones.
            with saved_rng():
                self._built = self._build()
        return self._built

    def _augment(self, data: Any, sample_rate: int | None) -> tuple[str, dict[str, Any]]:
        if not isinstance(data, str):
            raise BadInputError(None, f"text must be a str; got {type(data).__name__}")
        # Built even when nothing will change, so params name the same tagger and
        # WordNet for every input (and a missing WordNet fails every input alike).
        built = self._backend()
        bom = _BOM if data.startswith(_BOM) else ""
        body = data[len(bom):]
        changes: list[list[dict[str, Any]]] = [[] for _ in built]
        skipped: list[Counter[str]] = [Counter() for _ in built]
        for built_op, counts in zip(built, skipped, strict=True):
            built_op.skipped = counts

        def run(sample: str, line: int | None, first: int = 1, piece: int | None = None) -> str:
            # line: the sample's line (unit "line"); None: count the lines in it, from its first line ``first``.
            for op, found in zip(built, changes, strict=True):
                out, edits = op.apply(sample)
                if edits:
                    starts = [start for start, _ in token_spans(sample)]
                    breaks = [m.end() for m in LINE_BREAK.finditer(sample)] if line is None else []
                    for start, original, replacement, relation in edits:
                        found.append({
                            **({} if piece is None else {"piece": piece}),
                            "line": line if line is not None else first + bisect.bisect_right(breaks, start),
                            "index": bisect.bisect_left(starts, start),
                            "original": original,
                            "replacement": replacement,
                            **({} if relation is None else {"relation": relation}),
                        })
                sample = out
            return sample

        count = None
        with _collector_paused():
            if in_pieces(body):
                out, count = self._in_pieces(body, run)
            elif self.unit == "file":
                out = run(body, None)
            else:
                pieces = LINE_BREAK.split(body)
                seps = LINE_BREAK.findall(body) + [""]
                out = "".join(run(line, number) + sep
                              for number, (line, sep) in enumerate(zip(pieces, seps, strict=True), start=1))

        records = []
        for op, built_op, found, counts in zip(self.ops, built, changes, skipped, strict=True):
            record: dict[str, Any] = {"op": op["op"]}
            if len(OPS[op["op"]].choices.get("action", ())) > 1:
                record["action"] = op.get("action", SPECS[op["op"]].defaults()["action"])
            if OPS[op["op"]].wordnet:
                record["quality"] = op.get("quality", True)  # as the op says it: true, false or a profile
            record["changes"] = found
            if built_op.quality:
                record["skipped"] = {reason: counts[reason] for reason in REASONS if counts[reason]}
            records.append(record)
        params = {"unit": self.unit, **({} if count is None else {"pieces": count}),
                  "tagger": self._tagger, "wordnet": self._wordnet, "ops": records}
        return bom + out, params

    def _in_pieces(self, body: str, run: Callable[[str, int | None, int, int], str]) -> tuple[str, int]:
        """``body`` (of PIECES_FROM bytes or more) augmented in pieces, each under its own seed; and their count.

        unit "file": the pieces of :func:`~augment.backends.text.pieces.cut`; unit
        "line": the lines, a line longer than a piece cut as well. Piece k runs
        under ``derive_seed(base, k)``, ``base`` drawn from the seeded global
        ``random``: reproducible, and no piece's draws depend on another's.
        """
        base = random.getrandbits(32)
        samples: list[tuple[str, str, int | None, int]] = []  # (piece, what follows it, its line, its first line)
        if self.unit == "file":
            first = 1
            for start, end in cut(body):
                piece = body[start:end]
                samples.append((piece, "", None, first))
                first += sum(1 for _ in LINE_BREAK.finditer(piece))
        else:
            seps = LINE_BREAK.findall(body) + [""]
            for number, (line, sep) in enumerate(zip(LINE_BREAK.split(body), seps, strict=True), start=1):
                spans = cut(line)
                samples += [(line[start:end], sep if end == len(line) else "", number, number)
                            for start, end in spans]
        outs = []
        for k, (piece, after, line, first) in enumerate(samples, start=1):
            with global_rng(derive_seed(base, k)):
                outs.append(run(piece, line, first, k) + after)
        return "".join(outs), len(samples)

    def _augment_batch(self, batch: Any, seed: int, sample_rate: int | None,
                       value_range: tuple[float, float] | None) -> BatchResult:
        items = as_items(batch, "str")
        for index, item in enumerate(items):  # every item is checked before any is augmented
            if not isinstance(item, str):
                raise BadInputError(None, f"batch item {index}: text must be a str; got {type(item).__name__}")
        return super()._augment_batch(items, seed, sample_rate, value_range)

    # ------------------------------------------------------------------ files

    def read(self, path: str | os.PathLike[str]) -> str:
        """Read a UTF-8 text file exactly (no newline translation; a BOM is kept).

        Raises:
            BadInputError: The file cannot be read, is UTF-16 or UTF-32 (with or
                without a byte-order mark), holds NUL bytes (binary data) or is not UTF-8.
        """
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise BadInputError(path, f"cannot read the file: {exc.strerror or exc}") from exc
        return decode_text(raw, path)

    def write(self, data: str, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
        """Write ``data`` as UTF-8, byte for byte (no newline translation); text has one format."""
        if not isinstance(data, str):
            raise TypeError(f"text data must be a str; got {type(data).__name__}")
        Path(path).write_bytes(data.encode("utf-8"))
