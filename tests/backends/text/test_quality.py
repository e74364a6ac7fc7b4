"""Tests for augment.backends.text.quality: what the filter keeps as it is (and why), and what it may put instead.

Over the real WordNet index and the offline tagger, on sentences written for these tests.
"""

from __future__ import annotations

import pytest

from augment.backends.text.layout import token_spans
from augment.backends.text.quality import REASONS, Plan, QualityFilter
from augment.backends.text.taggers import LexiconTagger


@pytest.fixture(scope="module")
def judge(real_wordnet_index):
    tagger = LexiconTagger(real_wordnet_index)
    filters = {False: QualityFilter(real_wordnet_index), True: QualityFilter(real_wordnet_index, antonyms=True)}

    def plan(text: str, *, antonyms: bool = False) -> tuple[list[str], Plan]:
        tokens = [text[s:e] for s, e in token_spans(text)]
        quality = filters[antonyms]
        return tokens, quality.plan(text, tokens, tagger(quality.tagging_tokens(tokens)))

    return plan


def verdicts(judge, text, **kwargs):
    """token -> candidates (a tuple) or reason (a str), for the first occurrence of each token."""
    tokens, plan = judge(text, **kwargs)
    out: dict[str, tuple[str, ...] | str] = {}
    for i, token in enumerate(tokens):
        if token not in out and (i in plan.candidates or i in plan.reasons):
            out[token] = plan.candidates.get(i) or plan.reasons[i]
    return out


def test_names_function_words_and_contractions_stay(judge):
    found = verdicts(judge, "John said he can't find the keys he lost in Paris last week.")
    assert found["John"] == "proper noun"  # capitalised first word WordNet knows as a name
    assert found["Paris"] == "proper noun"
    assert found["he"] == "pronoun" and found["the"] == "determiner" and found["in"] == "preposition"
    assert found["can"] == found["t"] == "contraction"
    assert found["last"] == "function word"
    assert "stated" in found["said"]  # past tense kept


def test_every_token_gets_a_verdict_and_punctuation_none(judge):
    text = "Mary bought a new laptop from Apple, and she loves the bright screen!"
    tokens, plan = judge(text)
    assert set(plan.candidates).isdisjoint(plan.reasons)
    for i, token in enumerate(tokens):
        if any(ch.isalnum() for ch in token):
            assert i in plan.candidates or i in plan.reasons, token
        else:
            assert i not in plan.candidates and i not in plan.reasons, token
    assert set(plan.reasons.values()) <= set(REASONS)
    assert all(isinstance(c, tuple) and c for c in plan.candidates.values())


def test_acronyms_stay_unless_the_text_is_in_capitals(judge):
    found = verdicts(judge, "The NASA report was GREAT.")
    assert found["NASA"] == found["GREAT"] == "acronym"
    shouted = verdicts(judge, "THIS MOVIE WAS GREAT AND THE ACTORS WERE AMAZING")
    assert shouted["MOVIE"] == ("FILM",)  # tagged in lower case, put back in capitals
    assert shouted["WAS"] == "auxiliary" and shouted["THE"] == "determiner"
    assert all(c.isupper() for c in shouted["AMAZING"])


def test_capitalised_words_inside_a_sentence_are_names(judge):
    found = verdicts(judge, "We drove to Denver and met Tom at the Apple store.")
    assert found["Denver"] == found["Tom"] == found["Apple"] == "proper noun"
    # A capitalised word the text also capitalises inside a sentence is a name at its start too.
    again = verdicts(judge, "Cars are cheap there. We bought two Cars magazines.")
    assert again["Cars"] == "proper noun"


def test_a_capitalised_first_word_keeps_its_capital(judge):
    found = verdicts(judge, "Cars are expensive in this city.")
    assert found["Cars"] and all(c[0].isupper() and c[1:].islower() for c in found["Cars"])
    assert "Automobiles" in found["Cars"]


def test_compounds_numbers_and_expressions_stay(judge):
    found = verdicts(judge, "A well-known author met 3 soldiers and twenty students from the U.S. army.")
    assert found["well"] == found["known"] == "compound"
    assert found["U"] == found["S"] == "compound"
    assert found["3"] == found["twenty"] == "number"
    expression = verdicts(judge, "We ate ice cream and then they called up their friends.")
    assert expression["ice"] == expression["cream"] == "multi-word expression"
    assert expression["called"] == "multi-word expression" and expression["up"] == "preposition"


def test_light_verbs_and_verbs_with_an_object_pronoun_stay(judge):
    found = verdicts(judge, "She kept the money and told them everything.")
    assert found["kept"] == "function word"
    assert found["told"] == "no candidate"


def test_replacements_take_the_original_form(judge):
    found = verdicts(judge, "The children ran quickly to their cars, and the teachers seemed happier.")
    assert "kids" in found["children"] and all(c.endswith("s") for c in found["children"])
    assert found["quickly"] == ("rapidly",)
    assert all(c.endswith("s") for c in found["cars"]) and "automobiles" in found["cars"]
    assert all(c.endswith(("ed", "t")) for c in found["seemed"]) and "appeared" in found["seemed"]


def test_replacements_are_single_common_words_of_the_main_senses(judge):
    found = verdicts(judge, "The doctor bought a phone and a dog for the baby.")
    assert "physician" in found["doctor"] and "telephone" in found["phone"]
    assert found["bought"] == ("purchased",)  # not "bribed" (a rare sense of "buy")
    assert found["dog"] == "no candidate"  # "domestic dog" (two words), "frump" (another sense)
    for candidates in (c for c in found.values() if isinstance(c, tuple)):
        assert all(c.isalpha() for c in candidates)


def test_an_article_keeps_agreeing(judge):
    for text in ("He drove a big car to an old house.", "It was an awful day and a difficult week."):
        tokens, plan = judge(text)
        for i, candidates in plan.candidates.items():
            if tokens[i - 1] in ("a", "an"):
                vowel = tokens[i][0].lower() in "aeiou"
                assert all((c[0].lower() in "aeiou") == vowel for c in candidates), (tokens[i], candidates)


def test_antonyms_of_verbs_adjectives_and_adverbs_only(judge):
    found = verdicts(judge, "The movie was good, the car was fast and it ran quickly.", antonyms=True)
    assert found["good"] == ("bad",) and found["quickly"] == ("slowly",) and found["fast"] == ("slow",)
    assert found["movie"] == found["car"] == "no candidate"  # nlpaug's AntonymAug changes no nouns
    assert found["The"] == "determiner"


def test_the_tokens_to_tag(judge):
    assert QualityFilter.tagging_tokens(["THE", "MOVIE", "WAS", "GREAT"]) == ["the", "movie", "was", "great"]
    assert QualityFilter.tagging_tokens(["The", "NASA", "report"]) == ["The", "NASA", "report"]


def test_tokens_that_are_not_the_texts_own_are_judged_without_spacing(real_wordnet_index):
    quality = QualityFilter(real_wordnet_index)
    tokens = ["The", "doctor", "bought", "a", "phone"]
    tagged = [("The", "DT"), ("doctor", "NN"), ("bought", "VBD"), ("a", "DT"), ("phone", "NN")]
    plan = quality.plan("something else entirely", tokens, tagged)
    assert "physician" in plan.candidates[1] and plan.reasons[0] == "determiner"
