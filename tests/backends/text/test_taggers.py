"""Tests for augment.backends.text.taggers: NLTK's tagger found offline, and the WordNet-built fallback."""

from __future__ import annotations

import warnings
from pathlib import Path

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
    assert params["tagger"] == taggers.FALLBACK_TAGGER == "wordnet-fallback-2"
    assert params["wordnet"] in ("system", "nltk")


def test_nltk_pos_tag_never_downloads(nltk_path, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("nltk.download must never be called implicitly")

    monkeypatch.setattr(nltk, "download", forbidden)
    if taggers.find_tagger() is None:
        with pytest.raises(MissingNLTKDataError, match="averaged_perceptron_tagger_eng"):
            taggers.nltk_pos_tag(["dog"])


DATA = Path(__file__).parent / "data"


def _tagged_sentences(name: str) -> list[list[tuple[str, str]]]:
    lines = (DATA / f"tagged_{name}.txt").read_text(encoding="utf-8").splitlines()
    return [[tuple(t.rsplit("/", 1)) for t in line.split()] for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("name", ["dev", "test"])
def test_lexicon_tagger_accuracy_on_the_hand_tagged_sentences(name, real_wordnet_index):
    # benchmarks/bench_text_start.py prints the figures; this guards against a regression.
    tagger = taggers.LexiconTagger(real_wordnet_index)
    right = total = 0
    for sentence in _tagged_sentences(name):
        words = [w for w, _ in sentence]
        assert [w for w, _ in tagger(words)] == words
        right += sum(gold == tag for (_, gold), (_, tag) in zip(sentence, tagger(words), strict=True))
        total += len(sentence)
    assert total > 200 and right / total >= 0.95


@pytest.mark.parametrize(("sentence", "word", "tag"), [
    ("He drove to work early", "drove", "VBD"),
    ("A drove of cattle passed", "drove", "NN"),
    ("I can help you", "help", "VB"),
    ("They help us", "help", "VBP"),
    ("We asked for the help of friends", "help", "NN"),
    ("They have finished the report", "finished", "VBN"),
    ("The movie was boring", "boring", "JJ"),
    ("He worked hard", "hard", "RB"),
    ("The soup feels cold", "cold", "JJ"),
    ("Please turn off the lights", "off", "RP"),
    ("She took her book", "her", "PRP$"),
    ("We saw her yesterday", "her", "PRP"),
    ("I met Sarah in Paris", "Paris", "NNP"),
    ("John lives here", "John", "NNP"),
    ("There is a problem", "There", "EX"),
])
def test_lexicon_tagger_reads_the_context(sentence, word, tag, real_wordnet_index):
    tagged = dict(taggers.LexiconTagger(real_wordnet_index)(sentence.split()))
    assert tagged[word] == tag


def test_lexicon_tagger_tags_the_pieces_of_contractions(real_wordnet_index):
    tagged = taggers.LexiconTagger(real_wordnet_index)("I don ' t think John ' s car is new".split())
    assert [t for _, t in tagged] == ["PRP", "VBP", "''", "RB", "VB", "NNP", "POS", "POS", "NN", "VBZ", "JJ"]
