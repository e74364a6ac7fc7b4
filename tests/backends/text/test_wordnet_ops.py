"""Tests for augment.backends.text.wordnet_ops: nlpaug's SynonymAug and AntonymAug with the index and the filter.

``quality = false`` is checked token for token against ``naw.SynonymAug`` and
``naw.AntonymAug`` themselves (NLTK's WordNet, nlpaug's own code, the same
tagger and seed); ``quality = true`` against nlpaug's procedure replayed by
hand: how many words, which, and which replacement, all drawn from Python's
``random`` as nlpaug draws them.
"""

from __future__ import annotations

import math
import random
import string

import nlpaug.augmenter.word as naw
import numpy as np
import pytest
from nlpaug.util.text.tokenizer import Tokenizer

from augment.backends.text import TextAugmenter
from augment.backends.text.taggers import LexiconTagger
from augment.core.seeding import global_rng

from conftest import SENTENCES

TEXTS = [
    *SENTENCES,
    "John said he can't find the keys he lost in Paris last week.",
    "The children ran quickly across the wet field and called their mother.",
    "We were waiting for hours at the airport in Denver because the flight was late.",
    "The CEO of the company announced that profits rose by 20 percent.",
]


@pytest.fixture(scope="module")
def tagger(real_wordnet_index):
    return LexiconTagger(real_wordnet_index)


def _nlpaug(cls, tagger, **kwargs):
    aug = cls(**kwargs)
    aug.model.pos_tag = tagger  # the same tagger as the backend's (NLTK's is not installed here)
    return aug


@pytest.mark.parametrize(("name", "cls"), [("SynonymAug", naw.SynonymAug), ("AntonymAug", naw.AntonymAug)])
@pytest.mark.parametrize("kwargs", [{}, {"aug_p": 0.8, "aug_max": None}, {"aug_min": 3, "stopwords": ["the"]}])
def test_quality_false_is_token_identical_to_nlpaug(name, cls, kwargs, tagger, real_wordnet_index):
    ours = TextAugmenter(ops=[{"op": name, "quality": False, **kwargs}])
    theirs = _nlpaug(cls, tagger, **kwargs)
    assert real_wordnet_index.exact  # so the backend answers from the index, not from NLTK
    changed = 0
    for seed in range(4):
        for text in TEXTS:
            with global_rng(seed):
                expected = theirs.augment(text)[0]
            got = ours.augment(text, seed=seed)
            assert Tokenizer.tokenizer(got.data) == Tokenizer.tokenizer(expected), (seed, text)
            changed += got.data != text
    assert changed  # the comparison compared changes, not only untouched texts
    assert type(ours._built[0].aug.model).__name__ == "IndexWordNet"


def _replay_synonyms(aug, text: str, seed: int) -> list[tuple[int, str]]:
    """nlpaug's SynonymAug procedure by hand, over the filter's eligible words: (token index, replacement)."""
    tokens = Tokenizer.tokenizer(text)
    tagged = aug.model.pos_tag(tokens)
    plan = aug.quality_filter.plan(text, tokens, tagged)
    considered = [i for i, t in enumerate(tokens) if t not in string.punctuation]
    eligible = [i for i in considered if i in plan.candidates]
    count = min(max(math.ceil(aug.aug_p * len(tokens)), aug.aug_min), aug.aug_max or 10**9, len(eligible))
    with global_rng(seed):
        chosen = random.sample(eligible, count)
        return [(i, random.sample(list(plan.candidates[i]), 1)[0]) for i in chosen]


def test_quality_keeps_nlpaugs_procedure_and_draws(real_wordnet_index):
    augmenter = TextAugmenter(ops=[{"op": "SynonymAug", "aug_p": 0.4}])
    for seed in range(3):
        for text in TEXTS:
            result = augmenter.augment(text, seed=seed)
            aug = augmenter._built[0].aug
            expected = _replay_synonyms(aug, text, seed)
            changes = result.params["ops"][0]["changes"]
            assert sorted((c["index"], c["replacement"]) for c in changes) == sorted(expected), (seed, text)


def test_ineligible_words_are_never_picked_so_the_count_holds(real_wordnet_index):
    text = " ".join(TEXTS)  # 80 tokens: nlpaug's count is aug_max
    for seed in range(3):
        result = TextAugmenter(ops=[{"op": "SynonymAug", "aug_p": 0.3, "aug_max": 10}]).augment(text, seed=seed)
        op = result.params["ops"][0]
        assert len(op["changes"]) == 10  # plenty of eligible words: every pick is a change
        assert sum(op["skipped"].values()) > 10


def test_skipped_counts_every_word_nlpaug_could_pick_once(real_wordnet_index):
    text = TEXTS[4]
    augmenter = TextAugmenter(ops=[{"op": "SynonymAug", "stopwords": ["keys", "week"]}])
    result = augmenter.augment(text, seed=1)
    op = result.params["ops"][0]
    words = [t for t in Tokenizer.tokenizer(text) if t not in string.punctuation]
    aug = augmenter._built[0].aug
    eligible = [i for i in aug._plan.candidates if Tokenizer.tokenizer(text)[i] not in ("keys", "week")]
    # Every word nlpaug could pick (not punctuation, not a stopword) is eligible or skipped for one reason.
    assert sum(op["skipped"].values()) + len(eligible) == len(words) - 2
    assert op["skipped"]["proper noun"] == 2 and op["skipped"]["contraction"] == 2
    assert not any(c["original"] in ("keys", "week") for c in op["changes"])


def test_antonyms_keep_nlpaugs_draws(real_wordnet_index):
    text = "The movie was good, the car was fast, it ran quickly and the ending was bad."
    augmenter = TextAugmenter(ops=[{"op": "AntonymAug", "aug_p": 0.5}])
    for seed in range(4):
        result = augmenter.augment(text, seed=seed)
        aug = augmenter._built[0].aug
        tokens = Tokenizer.tokenizer(text)
        plan = aug.quality_filter.plan(text, tokens, aug.model.pos_tag(tokens))
        eligible = [i for i in plan.candidates if tokens[i] not in string.punctuation]
        with global_rng(seed):
            pairs = [(i, random.sample(list(plan.candidates[i]), 1)[0]) for i in eligible]
            chosen = random.sample(pairs, min(math.ceil(0.5 * len(tokens)), len(pairs)))
            final = {i: random.sample(list(plan.candidates[i]), 1)[0] for i in sorted(i for i, _ in chosen)}
        changes = {c["index"]: c["replacement"] for c in result.params["ops"][0]["changes"]}
        assert changes == final
        assert set(changes.values()) <= {"bad", "slow", "slowly", "good"}


def test_quality_needs_its_filter():
    with pytest.raises(ValueError, match="quality filter"):
        from augment.backends.text.wordnet_ops import QualitySynonymAug

        QualitySynonymAug(quality=True)


def test_global_numpy_state_untouched(real_wordnet_index):
    # nlpaug's WordNet ops draw from Python's random only; the quality mode must not add numpy draws.
    np.random.seed(5)
    before = np.random.get_state()[1].copy()
    with global_rng(3):
        state = np.random.get_state()[1].copy()
        TextAugmenter()._backend()[0].aug.augment(TEXTS[0])
        assert np.array_equal(np.random.get_state()[1], state)
    assert np.array_equal(np.random.get_state()[1], before)
