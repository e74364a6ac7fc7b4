"""TextAugmenter: nlpaug's SynonymAug over WordNet, keeping the text's layout exactly.

nlpaug's default tokenizer splits on ``\\W`` and its reverse tokenizer joins the
tokens with single spaces, which loses newlines, indentation and spacing. Here
SynonymAug gets a tokenizer that yields the very same tokens while remembering
where each one sits in the text, and a reverse tokenizer that rebuilds the
original text with only the replaced words swapped in. Line endings (``\\n``,
``\\r\\n``), blank lines, leading and trailing whitespace and a UTF-8 BOM all
survive byte for byte.

nlpaug and NLTK are imported on first use. WordNet is made available by
:func:`augment.resources.ensure_wordnet` *before* SynonymAug is built, so
nlpaug's own fallback (``nltk.download``) is never reached.
"""

from __future__ import annotations

import bisect
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from augment.base import Augmenter, BadInputError
from augment.registry import EXTENSIONS, install_hint

__all__ = ["TextAugmenter"]

_UNITS = ("file", "line")
_BOM = "\ufeff"
# nlpaug's Tokenizer.tokenizer splits on this and drops whitespace-only pieces.
_SPLIT = re.compile(r"(\W)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# nlpaug treats aug_p == 0 as "unset" (0.3); a tiny positive value keeps the
# count at aug_min, which is what aug_p=0 means.
_TINY_P = 1e-12


class _LayoutTokenizer:
    """nlpaug's tokens, plus the means to put changed ones back into the original text.

    ``tokenize`` and ``detokenize`` are handed to SynonymAug as its tokenizer
    and reverse_tokenizer (bound methods of a module-level class, so they
    pickle). SynonymAug only substitutes, so the reverse tokenizer receives one
    token per original token; each call to ``tokenize`` starts afresh.
    """

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[int, int]] = []
        self.replacements: list[dict[str, Any]] = []

    def tokenize(self, text: str) -> list[str]:
        spans = []
        pos = 0
        for piece in _SPLIT.split(text):
            if piece.strip():
                spans.append((pos, pos + len(piece)))
            pos += len(piece)
        self.text, self.spans, self.replacements = text, spans, []
        return [text[start:end] for start, end in spans]

    def detokenize(self, tokens: Sequence[str]) -> str:
        if len(tokens) != len(self.spans):
            raise RuntimeError(
                f"SynonymAug returned {len(tokens)} tokens for {len(self.spans)}; "
                "only substitutions can be put back into the original layout"
            )
        parts = []
        last = 0
        replacements = []
        for index, ((start, end), token) in enumerate(zip(self.spans, tokens)):
            original = self.text[start:end]
            if token != original:
                parts += [self.text[last:start], token]
                last = end
                replacements.append(
                    {"index": index, "start": start, "original": original, "replacement": token}
                )
        parts.append(self.text[last:])
        self.replacements = replacements
        return "".join(parts)


class TextAugmenter(Augmenter):
    """Replace words by WordNet synonyms with nlpaug's ``SynonymAug``.

    Args:
        aug_src: Synonym source; only "wordnet" (PPDB needs a downloaded model).
        aug_p: Fraction of the words to replace, in [0, 1].
        aug_min: At least this many words are replaced (when there are candidates).
        aug_max: At most this many words are replaced; None for no limit.
        lang: WordNet language ("eng"; others need NLTK's Open Multilingual Wordnet).
        stopwords: Words never replaced (exact, case-sensitive matches).
        stopwords_regex: A regular expression; matching words are never replaced.
        unit: "file" augments the whole text as one sample; "line" augments
            every non-blank line on its own (blank lines are kept).

    In memory the data is a ``str``. ``params`` record the unit, the tagger
    ("averaged_perceptron_tagger_eng" or "wordnet-fallback"), the WordNet
    source kind ("nltk" or "system"), and every replacement as ``{"line",
    "index", "original", "replacement"}`` (line 1-based; index is the word's
    token index within its sample, i.e. the file or the line).
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
    ) -> None:
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
        if stopwords is not None:
            if isinstance(stopwords, str) or not all(isinstance(w, str) for w in stopwords):
                raise ValueError(f"stopwords must be a list of strings or None; got {stopwords!r}")
            stopwords = list(stopwords)
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
        if unit not in _UNITS:
            raise ValueError(f"unit must be one of {', '.join(_UNITS)}; got {unit!r}")

        self.aug_src = aug_src
        self.aug_p = float(aug_p)
        self.aug_min = aug_min
        self.aug_max = aug_max
        self.lang = lang
        self.stopwords = stopwords
        self.stopwords_regex = stopwords_regex or None
        self.unit = unit
        self._reset_backend()

    def _reset_backend(self) -> None:
        self._aug: Any = None
        self._layout: _LayoutTokenizer | None = None
        self._tagger: str | None = None
        self._wordnet: str | None = None

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON-safe."""
        return {
            "aug_src": self.aug_src,
            "aug_p": self.aug_p,
            "aug_min": self.aug_min,
            "aug_max": self.aug_max,
            "lang": self.lang,
            "stopwords": None if self.stopwords is None else list(self.stopwords),
            "stopwords_regex": self.stopwords_regex,
            "unit": self.unit,
        }

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.config() == self.config()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(repr(sorted(self.config().items())))

    def __getstate__(self) -> dict[str, Any]:
        # The built SynonymAug holds NLTK's loaded WordNet; a copy rebuilds it lazily.
        state = self.__dict__.copy()
        state.update(_aug=None, _layout=None, _tagger=None, _wordnet=None)
        return state

    # ------------------------------------------------------------------ backend

    def _backend(self) -> tuple[Any, _LayoutTokenizer]:
        if self._aug is not None and self._layout is not None:
            return self._aug, self._layout
        try:
            import nltk  # noqa: F401  (checked here so the hint names the extra)
            import nlpaug.augmenter.word as naw
        except ImportError as exc:
            raise ImportError(
                f"the text backend needs nlpaug and nltk ({exc}); run: {install_hint('text')}"
            ) from exc
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
        if self.lang != "eng":
            from nltk.corpus.reader.wordnet import WordNetError

            try:
                wordnet.synsets("dog", lang=self.lang)
            except LookupError as exc:
                raise resources.MissingNLTKDataError(
                    f"lang={self.lang!r} needs NLTK's Open Multilingual Wordnet, which was not found",
                    hint='Get it with: python -c \'import nltk; nltk.download("omw-2.0")\' '
                         '(older NLTK versions look for "omw-1.4")',
                ) from exc
            except WordNetError:
                raise ValueError(
                    f"lang must be one of WordNet's languages ({', '.join(sorted(wordnet.langs()))}); "
                    f"got {self.lang!r}"
                ) from None

        tagger = resources.find_tagger()
        layout = _LayoutTokenizer()
        aug = naw.SynonymAug(
            aug_src="wordnet",
            aug_p=self.aug_p if self.aug_p > 0 else _TINY_P,
            aug_min=self.aug_min,
            aug_max=self.aug_max,
            lang=self.lang,
            stopwords=self.stopwords,
            stopwords_regex=self.stopwords_regex,
            tokenizer=layout.tokenize,
            reverse_tokenizer=layout.detokenize,
        )
        # An instance attribute shadows nlpaug's classmethod, whose LookupError
        # branch downloads the pre-3.9 tagger name.
        aug.model.pos_tag = resources.nltk_pos_tag if tagger else resources.fallback_pos_tag
        # Load the tagger now (and warn about the fallback now), not mid-sample.
        aug.model.pos_tag(["warm", "up"])
        self._aug, self._layout = aug, layout
        self._tagger = tagger or resources.FALLBACK_TAGGER
        self._wordnet = source.kind
        return aug, layout

    def _augment_sample(self, text: str) -> tuple[str, list[dict[str, Any]]]:
        """Augment one sample, keeping its surrounding whitespace (nlpaug strips it)."""
        core = text.strip()
        if not core or self.aug_max == 0 or (self.aug_p == 0 and self.aug_min == 0):
            return text, []
        aug, layout = self._backend()
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(lead) + len(core):]
        out = aug.augment(core)
        out = out[0] if isinstance(out, list) else out
        if not isinstance(out, str):
            raise RuntimeError(f"SynonymAug returned {type(out).__name__}, not text")
        replacements = layout.replacements if out != core else []
        for record in replacements:
            record["start"] += len(lead)
        return lead + out + trail, replacements

    def _augment(self, data: Any, **kwargs: Any) -> tuple[str, dict[str, Any]]:
        if kwargs:
            raise TypeError(f"TextAugmenter.augment() takes no options; got {', '.join(kwargs)}")
        if not isinstance(data, str):
            raise BadInputError(None, f"text must be a str; got {type(data).__name__}")
        # Built even when nothing will change, so params name the same tagger and
        # WordNet for every input (and a missing WordNet fails every input alike).
        if self._aug is None:
            # Importing nlpaug draws from the global `random`; without this the
            # first sample a process augments would differ from later ones.
            py_state, np_state = random.getstate(), np.random.get_state()
            try:
                self._backend()
            finally:
                random.setstate(py_state)
                np.random.set_state(np_state)
        bom = _BOM if data.startswith(_BOM) else ""
        body = data[len(bom):]

        replacements: list[dict[str, Any]] = []
        if self.unit == "file":
            out, found = self._augment_sample(body)
            breaks = [m.end() for m in _LINE_BREAK.finditer(body)]
            for record in found:
                line = bisect.bisect_right(breaks, record.pop("start")) + 1
                replacements.append({"line": line, **record})
        else:
            pieces = _LINE_BREAK.split(body)
            seps = _LINE_BREAK.findall(body) + [""]
            parts = []
            for number, (line, sep) in enumerate(zip(pieces, seps), start=1):
                new, found = self._augment_sample(line)
                parts += [new, sep]
                for record in found:
                    record.pop("start")
                    replacements.append({"line": number, **record})
            out = "".join(parts)

        params = {
            "unit": self.unit,
            "tagger": self._tagger,
            "wordnet": self._wordnet,
            "replacements": replacements,
        }
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
