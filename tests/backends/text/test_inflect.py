"""Tests for augment.backends.text.inflect: a replacement in the original's form (lemminflect) and case."""

from __future__ import annotations

import pytest

from augment.backends.text.inflect import WordForm, apply_case, case_pattern, inflect, word_form


@pytest.mark.parametrize(("word", "pattern"), [
    ("dog", "lower"), ("Dog", "capitalised"), ("DOG", "upper"), ("MD", "upper"), ("iPhone", "mixed"),
    ("McDonald", "mixed"), ("A", "capitalised"), ("a", "lower"), ("42", "lower"), ("", "lower"),
])
def test_case_pattern(word, pattern):
    assert case_pattern(word) == pattern


def test_apply_case():
    assert apply_case("fast", "capitalised") == "Fast"
    assert apply_case("fast", "upper") == "FAST"
    assert apply_case("fast", "lower") == apply_case("fast", "mixed") == "fast"


def test_word_form_reads_the_original_form(real_wordnet_index):
    index = real_wordnet_index
    assert word_form(index, "ran", "v", "VBD") == WordForm("run", "v", ("VBD",))
    # A regular past is also the participle: a replacement must fit both.
    assert word_form(index, "called", "v", "VBD") == WordForm("call", "v", ("VBD", "VBN"))
    assert word_form(index, "keys", "n", "NNS") == WordForm("key", "n", ("NNS",))
    assert word_form(index, "children", "n", "NNS") == WordForm("child", "n", ("NNS",))
    assert word_form(index, "happier", "a", "JJR") == WordForm("happy", "a", ("JJR",))
    assert word_form(index, "runs", "v", "VBZ") == WordForm("run", "v", ("VBZ",))
    # "run" as a base verb: base form and present, not the participle the dictionary also lists.
    assert word_form(index, "run", "v", "VBP") == WordForm("run", "v", ("VB", "VBP"))
    # The tagger's reading is not one the dictionary knows for the word: unsure, so no form.
    assert word_form(index, "keys", "n", "NN") is None
    # Unknown to the dictionary: only a base form WordNet has as a lemma.
    assert word_form(index, "qzxv", "n", "NN") is None


def test_inflect_puts_a_lemma_in_the_form(real_wordnet_index):
    index = real_wordnet_index
    assert inflect(index, "sprint", WordForm("run", "v", ("VBD",))) == "sprinted"
    assert inflect(index, "phone", WordForm("call", "v", ("VBD", "VBN"))) == "phoned"
    # "sang" and "sung" differ: no one spelling fits both readings.
    assert inflect(index, "sing", WordForm("call", "v", ("VBD", "VBN"))) is None
    assert inflect(index, "kid", WordForm("child", "n", ("NNS",))) == "kids"
    assert inflect(index, "large", WordForm("big", "a", ("JJR",))) == "larger"
    assert inflect(index, "qzxv", WordForm("car", "n", ("NNS",))) is None  # not in the dictionary
