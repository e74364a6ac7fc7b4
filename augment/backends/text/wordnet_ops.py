"""nlpaug's SynonymAug and AntonymAug, given the synonym index as their WordNet and the quality filter.

Imported only when an augmenter is built (it imports nlpaug). Both classes
take nlpaug's own arguments plus ``quality`` (augment-dir's; default true):

* ``quality=False`` is nlpaug's exact behaviour: nlpaug's own code runs, with
  :class:`~augment.backends.text.synonym_index.IndexWordNet` as its WordNet
  model when the index reproduces NLTK exactly (nlpaug's own model otherwise);
* ``quality=True`` keeps nlpaug's procedure, settings and random draws (how
  many words: ``aug_p``/``aug_min``/``aug_max``; which: ``random.sample`` of the
  eligible ones after nlpaug's punctuation and stopword skips; one
  ``random.sample`` per word for its replacement), but the eligible words and
  their replacements come from :class:`~augment.backends.text.quality.QualityFilter`:
  a word it turns down is never picked, so the next one is, and ``skipped``
  counts the words it turned down, per reason; ``picked`` says, per changed
  token, which WordNet relation its replacement came from.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from nlpaug.augmenter.word import AntonymAug, SynonymAug
from nlpaug.util import Action, Doc
from nlpaug.util.doc.change_log import ChangeLog
from nlpaug.util.doc.token import Token

from augment.backends.text.quality import Plan, QualityFilter

__all__ = ["QualityAntonymAug", "QualitySynonymAug"]


class _Doc(Doc):
    """nlpaug's ``Doc`` without the start positions of its tokens, which it finds in quadratic time.

    nlpaug reads them only to report changes with ``include_detail``, which
    the backend never asks for (the layout tokenizer knows where every token is).
    """

    def token2obj(self, tokens: list[str]) -> list[Any]:
        """As nlpaug's ``Doc.token2obj``, every start position unknown (-1, as nlpaug's for an added token)."""
        return [ChangeLog(orig_token=Token(token=token, start_pos=-1)) for token in tokens]


class _Quality:
    """What both ops share: the filter's plan for the sample being augmented, and the skip counts."""

    quality: bool | str
    quality_filter: QualityFilter | None
    skipped: Counter[str]
    picked: dict[int, str]
    model: Any  # nlpaug's WordNet model (set by nlpaug's __init__)
    _plan: Plan

    def _setup(self, quality: bool | str, wordnet_model: Any, quality_filter: QualityFilter | None) -> None:
        if quality and quality_filter is None:
            raise ValueError("quality=True needs the quality filter (the text backend gives it)")
        self.quality = quality
        self.quality_filter = quality_filter
        self.skipped = Counter()
        self.picked = {}
        self._plan = Plan()
        self._wordnet_model = wordnet_model

    def _make_plan(self, data: str, tokens: list[str], tagged: list[tuple[str, str]]) -> None:
        assert self.quality_filter is not None  # checked in _setup
        for_tagger = self.quality_filter.tagging_tokens(tokens)
        if for_tagger != tokens:
            tagged = self.model.pos_tag(for_tagger)  # text in capitals: tag it in lower case
        self._plan = self.quality_filter.plan(data, tokens, tagged)

    def _pick(self, index: int, candidates: list[str]) -> str:
        """One of ``candidates`` for token ``index``, drawn as nlpaug draws it; its relation goes into ``picked``."""
        candidate = str(self.sample(candidates, 1)[0])  # type: ignore[attr-defined]
        relations = self._plan.relations.get(index, ())
        position = self._plan.candidates.get(index, ()).index(candidate) if candidate in candidates else -1
        if 0 <= position < len(relations):
            self.picked[index] = relations[position]
        return candidate

    def _eligible(self, token_idxes: list[int]) -> list[int]:
        """The words the filter found replacements for; the others are counted by reason."""
        kept = []
        for index in token_idxes:
            if index in self._plan.candidates:
                kept.append(index)
            elif index in self._plan.reasons:
                self.skipped[self._plan.reasons[index]] += 1
        return kept


class QualitySynonymAug(_Quality, SynonymAug):
    """``nlpaug.augmenter.word.SynonymAug`` with ``quality`` (see the module docstring).

    ``wordnet_model`` and ``quality_filter`` are wired by the text backend.
    """

    def __init__(self, aug_src: str = "wordnet", model_path: str | None = None, name: str = "Synonym_Aug",
                 aug_min: int = 1, aug_max: int | None = 10, aug_p: float = 0.3, lang: str = "eng",
                 stopwords: list[str] | None = None, tokenizer: Any = None, reverse_tokenizer: Any = None,
                 stopwords_regex: str | None = None, force_reload: bool = False, verbose: int = 0,
                 quality: bool | str = True, *, wordnet_model: Any = None,
                 quality_filter: QualityFilter | None = None) -> None:
        self._setup(quality, wordnet_model, quality_filter)
        super().__init__(aug_src=aug_src, model_path=model_path, name=name, aug_min=aug_min, aug_max=aug_max,
                         aug_p=aug_p, lang=lang, stopwords=stopwords, tokenizer=tokenizer,
                         reverse_tokenizer=reverse_tokenizer, stopwords_regex=stopwords_regex,
                         force_reload=force_reload, verbose=verbose)

    def get_model(self, aug_src: str, lang: str, dict_path: str | None, force_reload: bool) -> Any:
        """The WordNet model the backend gave, else nlpaug's own."""
        if self._wordnet_model is not None:
            return self._wordnet_model
        return SynonymAug.get_model(aug_src, lang, dict_path, force_reload)

    def skip_aug(self, token_idxes: list[int], tokens: list[tuple[str, str]]) -> list[int]:
        """As nlpaug (determiners out), or with quality only the words the filter found replacements for."""
        if not self.quality:
            return list(super().skip_aug(token_idxes, tokens))
        return self._eligible(token_idxes)

    def substitute(self, data: str) -> str:
        """As nlpaug's ``SynonymAug.substitute``; with quality, each picked word gets a filtered replacement."""
        if not self.quality:
            return str(super().substitute(data))
        if not data or not data.strip():
            return data
        change_seq = 0
        doc = _Doc(data, self.tokenizer(data))
        original_tokens = doc.get_original_tokens()
        pos = self.model.pos_tag(original_tokens)
        self._make_plan(data, original_tokens, pos)
        aug_idxes = self._get_aug_idxes(pos)
        if not aug_idxes:
            return data
        for aug_idx in aug_idxes:
            candidate = self._pick(aug_idx, list(self._plan.candidates[aug_idx]))
            change_seq += 1
            doc.add_change_log(aug_idx, new_token=candidate, action=Action.SUBSTITUTE,
                               change_seq=self.parent_change_seq + change_seq)
        return str(self.reverse_tokenizer(doc.get_augmented_tokens()))


class QualityAntonymAug(_Quality, AntonymAug):
    """``nlpaug.augmenter.word.AntonymAug`` with ``quality`` (see the module docstring).

    ``wordnet_model`` and ``quality_filter`` are wired by the text backend.
    """

    def __init__(self, name: str = "Antonym_Aug", aug_min: int = 1, aug_max: int | None = 10,
                 aug_p: float = 0.3, lang: str = "eng", stopwords: list[str] | None = None,
                 tokenizer: Any = None, reverse_tokenizer: Any = None, stopwords_regex: str | None = None,
                 verbose: int = 0, quality: bool | str = True, *, wordnet_model: Any = None,
                 quality_filter: QualityFilter | None = None) -> None:
        self._setup(quality, wordnet_model, quality_filter)
        super().__init__(name=name, aug_min=aug_min, aug_max=aug_max, aug_p=aug_p, lang=lang, stopwords=stopwords,
                         tokenizer=tokenizer, reverse_tokenizer=reverse_tokenizer,
                         stopwords_regex=stopwords_regex, verbose=verbose)

    def get_model(self, aug_src: str, lang: str) -> Any:
        """The WordNet model the backend gave, else nlpaug's own."""
        if self._wordnet_model is not None:
            return self._wordnet_model
        return AntonymAug.get_model(aug_src, lang)

    def skip_aug(self, token_idxes: list[int], tokens: list[tuple[str, str]]) -> list[int]:
        """As nlpaug (verbs, adjectives and adverbs with antonyms), or the words the filter found antonyms for."""
        if not self.quality:
            return list(super().skip_aug(token_idxes, tokens))
        return self._eligible(token_idxes)

    def get_candidates(self, tokens: list[tuple[str, str]], token_idx: int) -> list[str]:
        """The candidates of nlpaug, or with quality the filtered antonyms, ready to put in."""
        if not self.quality:
            return list(super().get_candidates(tokens, token_idx))
        return list(self._plan.candidates.get(token_idx, ()))

    def _get_aug_idxes(self, tokens: list[tuple[str, str]]) -> Any:
        """As nlpaug's ``AntonymAug._get_aug_idxes``: one draw per eligible word, then the sample."""
        if not self.quality:
            return super()._get_aug_idxes(tokens)
        aug_cnt = self.generate_aug_cnt(len(tokens))
        word_idxes = self.skip_aug(self.pre_skip_aug(tokens, tuple_idx=0), tokens)
        if not word_idxes:
            return None
        aug_idexes = []
        for aug_idx in word_idxes:
            candidates = self.get_candidates(tokens, aug_idx)
            if candidates:
                aug_idexes.append((aug_idx, self.sample(candidates, 1)[0]))
        return self.sample(aug_idexes, min(aug_cnt, len(aug_idexes)))

    def substitute(self, data: str) -> str:
        """As nlpaug's ``AntonymAug.substitute``; with quality, the filtered antonyms as they are."""
        if not self.quality:
            return str(super().substitute(data))
        if not data or not data.strip():
            return data
        change_seq = 0
        doc = _Doc(data, self.tokenizer(data))
        original_tokens = doc.get_original_tokens()
        pos = self.model.pos_tag(original_tokens)
        self._make_plan(data, original_tokens, pos)
        aug_candidates = self._get_aug_idxes(pos)
        if not aug_candidates:
            return data
        aug_idxes = [aug_idx for aug_idx, _ in aug_candidates]
        for aug_idx in range(len(original_tokens)):
            if aug_idx not in aug_idxes:
                continue
            candidates = self.get_candidates(pos, aug_idx)
            if candidates:
                candidate = self._pick(aug_idx, candidates)
                change_seq += 1
                doc.add_change_log(aug_idx, new_token=candidate, action=Action.SUBSTITUTE,
                                   change_seq=self.parent_change_seq + change_seq)
        return str(self.reverse_tokenizer(doc.get_augmented_tokens()))
