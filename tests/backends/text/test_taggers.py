"""Tests for augment.backends.text.taggers: NLTK's tagger found offline, and the WordNet-built fallback."""

from __future__ import annotations

import warnings

import nltk
import pytest

from augment.backends.text import TextAugmenter, taggers
from augment.backends.text.taggers import FallbackTaggerWarning, fallback_pos_tag
from augment.backends.text.wordnet import MissingNLTKDataError
from augment.core.notices import RunNotice


def test_find_tagger_looks_on_the_nltk_path(tmp_path, nltk_path):
    assert taggers.find_tagger() is None
    tagger_dir = tmp_path / "data" / "taggers" / "averaged_perceptron_tagger_eng"
    tagger_dir.mkdir(parents=True)
    nltk_path.append(str(tmp_path / "data"))
    assert taggers.find_tagger() == "averaged_perceptron_tagger_eng"


def test_fallback_tagger_tags_sensibly(real_wordnet):
    tokens = "The dog runs quickly to the big houses , and she sang 3 songs !".split()
    tagged = fallback_pos_tag(tokens)
    assert [t for t, _ in tagged] == tokens and all(isinstance(tag, str) for _, tag in tagged)
    tags = dict(tagged)
    assert tags["The"] == tags["the"] == "DT"
    assert tags["dog"] == "NN" and tags["houses"] == "NNS" and tags["songs"] == "NNS"
    assert tags["quickly"] == "RB"
    assert tags["runs"] in ("VBZ", "NNS")
    assert tags["big"] == "JJ"
    assert tags["to"] == "TO" and tags["and"] == "CC" and tags["she"] == "PRP"
    assert tags["sang"] == "VBD" and tags["3"] == "CD"
    assert tags[","] == "," and tags["!"] == "."
    assert fallback_pos_tag(["xyzzyqwv"]) == [("xyzzyqwv", "NN")]
    assert fallback_pos_tag([]) == []


def test_fallback_tagger_warns_once(real_wordnet, monkeypatch):
    monkeypatch.setattr(taggers, "_fallback_warned", False)
    with pytest.warns(FallbackTaggerWarning, match="python -m augment.backends.text.setup setup --allow-download"):
        fallback_pos_tag(["dog"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fallback_pos_tag(["cat"]) == [("cat", "NN")]


def test_fallback_warning_is_a_run_notice():
    # A run's workers ignore RunNotice without knowing about text.
    assert issubclass(FallbackTaggerWarning, RunNotice) and issubclass(FallbackTaggerWarning, UserWarning)


def test_text_params_record_the_fallback_tagger(real_wordnet, nltk_path):
    assert taggers.find_tagger() is None  # the search path holds no tagger
    params = TextAugmenter().augment("The dog runs quickly.", seed=1).params
    assert params["tagger"] == taggers.FALLBACK_TAGGER == "wordnet-fallback"
    assert params["wordnet"] in ("system", "nltk")


def test_nltk_pos_tag_never_downloads(nltk_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("nltk.download must never be called implicitly")

    monkeypatch.setattr(nltk, "download", forbidden)
    if taggers.find_tagger() is None:
        with pytest.raises(MissingNLTKDataError, match="averaged_perceptron_tagger_eng"):
            taggers.nltk_pos_tag(["dog"])
