"""Tests of the quality filter's profiles: the default reproduces recipe format 2's outputs, "wide" adds relations.

``data/quality_format2_outputs.json`` holds outputs of ``quality = true`` written
before the profiles existed (recipe format 2, the offline tagger): the default,
"strict", and a format-2 recipe must reproduce them byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from augment.backends.text import TextAugmenter
from augment.backends.text.layout import token_spans
from augment.backends.text.quality import DEFAULT_PROFILE, PROFILES, RELATIONS, QualityFilter, profile_name
from augment.backends.text.taggers import LexiconTagger
from augment.run.recipe import Recipe

FIXTURE = json.loads((Path(__file__).parent / "data" / "quality_format2_outputs.json").read_text(encoding="utf-8"))


def _chains() -> list[list[dict]]:
    chains: list[list[dict]] = []
    for case in FIXTURE["cases"]:
        if case["ops"] not in chains:
            chains.append(case["ops"])
    return chains


@pytest.mark.usefixtures("real_wordnet_index")
@pytest.mark.parametrize("ops", _chains(), ids=lambda ops: json.dumps(ops))
@pytest.mark.parametrize("how", ["default", "strict", "format-2 recipe"])
def test_the_default_reproduces_format_2_outputs_byte_for_byte(ops, how):
    if how == "default":
        aug = TextAugmenter(ops=ops)
    elif how == "strict":
        aug = TextAugmenter(ops=[{**op, "quality": "strict"} for op in ops])
    else:
        aug = Recipe.from_dict({"version": 2, "text": {"ops": ops}}).augmenter("text")
    cases = [c for c in FIXTURE["cases"] if c["ops"] == ops]
    assert sum(c["output"] != c["text"] for c in cases) >= len(cases) // 2  # the fixture changes things
    for case in cases:
        result = aug.augment(case["text"], seed=case["seed"])
        assert result.params["tagger"] == case["tagger"], "the fixture was written with the offline tagger"
        assert result.data.encode("utf-8") == case["output"].encode("utf-8"), (case["text"], case["seed"])
        assert result.params["ops"][0]["quality"] == (True if how != "strict" else "strict")


def test_profile_names():
    assert DEFAULT_PROFILE == "strict" and profile_name(True) == "strict"
    assert profile_name(False) is None and profile_name("wide") == "wide"
    with pytest.raises(ValueError, match="quality"):
        profile_name("loose")
    with pytest.raises(ValueError, match="'strict'"):
        TextAugmenter(ops=[{"op": "SynonymAug", "quality": "loose"}])
    with pytest.raises(ValueError, match="quality"):
        TextAugmenter(quality="loose")
    assert TextAugmenter(quality="wide").config()["ops"][0]["quality"] == "wide"
    assert set(PROFILES["wide"].relations) < set(RELATIONS)


@pytest.fixture(scope="module")
def plans(real_wordnet_index):
    tagger = LexiconTagger(real_wordnet_index)
    filters = {name: QualityFilter(real_wordnet_index, profile=name) for name in PROFILES}

    def plan(text: str, name: str) -> dict[str, tuple[tuple[str, str], ...]]:
        tokens = [text[s:e] for s, e in token_spans(text)]
        found = filters[name].plan(text, tokens, tagger(tokens))
        return {tokens[i]: tuple(zip(c, found.relations[i], strict=True)) for i, c in found.candidates.items()}

    return plan


def test_wide_follows_wordnet_relations_strict_does_not(plans):
    text = "The huge dog was exhausted, and the new house looked very big."
    strict, wide = plans(text, "strict"), plans(text, "wide")
    assert all(r == "synonym" for found in strict.values() for _, r in found)
    assert ("tired", "similar") in wide["exhausted"]  # a satellite's head
    assert ("large", "similar") in wide["huge"]
    assert ("enormous", "similar") in wide["big"] or ("huge", "similar") in wide["big"]  # a head's satellites
    for word, found in strict.items():
        assert set(found) <= set(wide[word])  # wide only adds


def test_wide_adverbs_through_their_adjectives(plans):
    wide = plans("She really liked it.", "wide")
    assert ("actually", "pertainym") in wide["really"]


def test_params_say_which_relation_each_swap_came_from(real_wordnet_index):
    text = "The huge dog was exhausted after the long walk, and the children seemed happy."
    for quality, allowed in ((True, {"synonym"}), ("wide", set(RELATIONS))):
        aug = TextAugmenter(quality=quality, aug_p=1.0)
        relations = set()
        for seed in range(5):
            op = aug.augment(text, seed=seed).params["ops"][0]
            assert op["quality"] == quality and op["changes"]
            relations.update(change["relation"] for change in op["changes"])
        assert relations <= allowed
        if quality == "wide":
            assert "similar" in relations
