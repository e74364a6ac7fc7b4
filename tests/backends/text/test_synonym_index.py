"""Tests for augment.backends.text.synonym_index: the compact WordNet index, exact against NLTK, rebuilt when stale.

The real index (from the system WordNet, or NLTK's) is built once per test
session in the session's cache folder; the tests that build, rebuild or break
an index use the tiny database of wordnet_db.py in a cache folder of their own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import nltk
import pytest
from nlpaug.model.word_dict import WordNet

from augment.backends.text import synonym_index, wordnet
from augment.backends.text.synonym_index import IndexWordNet, WordNetIndex, current_index, ensure_index
from augment.backends.text.wordnet import MissingNLTKDataError
from backends.text.wordnet_db import SYNSETS, write_wordnet

# Word forms that exercise NLTK's morphology: exceptions, suffix rules, capitals, collocations, unknowns.
PROBES = ("dog dogs ran running runs keys children mice geese better best happier quickly fastest was were is "
          "has axes leaves called bought Paris paris apple Apple give_up car_pool xyzzy a the it I he can't "
          "wolves bodies boxes churches glasses women studies stopped making lying").split()


@pytest.fixture(scope="module")
def real_index(real_wordnet_index):
    return real_wordnet_index


@pytest.fixture
def tiny_wordnet(tmp_path, nltk_path, private_cache, monkeypatch):
    """The tiny WordNet as the only WordNet (a system database), and a fresh cache folder."""
    folder = write_wordnet(tmp_path / "wordnet-dict")
    os.chmod(folder, 0o755)
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setenv("WNSEARCHDIR", str(folder))
    return folder


def _close(reader) -> None:
    """Close the files NLTK's reader keeps open: else a later garbage collection warns (ResourceWarning)."""
    for handle in [*reader._data_file_map.values(), reader._key_count_file, reader._key_synset_file]:
        if handle is not None:
            handle.close()


def _reader(folder: Path):
    """NLTK's own reader of the database NLTK would load (our mirror of the tiny one)."""
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    source = wordnet.ensure_wordnet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return WordNetCorpusReader(nltk.data.FileSystemPathPointer(source.nltk_root), None)


def _nltk_predict(reader, word, pos, synonyms=True):
    """nlpaug's WordNet.predict, over any NLTK reader."""
    out = []
    for synset in reader.synsets(word, pos=pos):
        for lemma in synset.lemmas():
            out.extend([lemma.name()] if synonyms else [a.name() for a in lemma.antonyms()])
    return out


def test_the_real_index_answers_as_nlpaugs_wordnet(real_index):
    assert real_index.exact  # NLTK's morphology was checked against the index's when it was built
    nlpaug_syn, nlpaug_ant = WordNet(lang="eng", is_synonym=True), WordNet(lang="eng", is_synonym=False)
    ours_syn, ours_ant = IndexWordNet(real_index, True), IndexWordNet(real_index, False)
    for word in PROBES:
        for pos in (None, "n", "v", "a", "s", "r"):
            assert ours_syn.predict(word, pos) == nlpaug_syn.predict(word, pos), (word, pos)
            assert ours_ant.predict(word, pos) == nlpaug_ant.predict(word, pos), (word, pos)
    assert "automobile" in ours_syn.predict("cars", "n") and "slow" in ours_ant.predict("fast", "a")


def test_frequencies_and_word_forms(real_index):
    assert real_index.zipf("car") > 4.5 > real_index.zipf("chapiter")
    assert real_index.zipf("qzxv") == 0.0
    assert real_index.inflections("run")["VBD"] == ("ran",) and real_index.inflections("child")["NNS"] == ("children",)
    assert real_index.inflections("finish")["VBN"] == ("finished",)  # lemminflect leaves it out; the index fills it
    assert ("VBD", "drive", 0) in real_index.analyses("drove") and ("NN", "drove", 0) in real_index.analyses("drove")
    assert real_index.analyses("qzxv") == ()
    assert real_index.has_lemma("ice_cream") and not real_index.has_lemma("ice_creamery")


def test_checking_the_index_does_not_import_nltk(real_index, tmp_path):
    code = ("import sys; from augment.backends.text import synonym_index as s, taggers; "
            "found = s.current_index(); assert found is not None and found.exact; "
            "assert taggers.find_tagger() in (None, 'averaged_perceptron_tagger_eng'); "
            "assert not [m for m in sys.modules if m.startswith('nltk')], 'imported NLTK'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_build_from_a_tiny_wordnet_is_exact(tiny_wordnet, private_cache):
    assert current_index() is None
    index = ensure_index()
    assert index.path == private_cache / "wordnet-index" / "index.sqlite"
    assert index.exact and index.source == "system" and index.meta["wordnet"] == "system"
    assert index.meta["source"]["path"] == str(tiny_wordnet.resolve())
    reader = _reader(tiny_wordnet)
    try:
        names = {n.lower() for _, lemmas, _, _ in SYNSETS.values() for n, _ in lemmas}
        for word in sorted(names) + ["cars", "ran", "mice", "better", "runs", "quickest", "Paris", "nothing"]:
            for pos in (None, "n", "v", "a", "s", "r"):
                assert index.predict(word, pos) == _nltk_predict(reader, word, pos), (word, pos)
                assert index.predict(word, pos, antonyms=True) == _nltk_predict(reader, word, pos, False), (word, pos)
        # Sense counts come from cntlist.rev, as lemma.count() reads them.
        assert [(n, c) for n, c, _ in index.lemmas("n", index.offsets("car", "n")[1])] == \
            [(lemma.name(), lemma.count()) for lemma in reader.synsets("car", "n")[1].lemmas()]
    finally:
        _close(reader)
    assert index.synset_kind("a", index.offsets("great", "s")[0]) == "s"
    assert current_index() is not None  # the same process finds it current without building again


def test_a_changed_database_is_rebuilt(tiny_wordnet, private_cache):
    first = ensure_index()
    built = first.path.stat().st_mtime_ns
    write_wordnet(tiny_wordnet, extra_gloss="changed ")  # same synsets, other bytes: sizes change
    assert current_index() is None
    second = ensure_index()
    assert second.path.stat().st_mtime_ns != built
    assert second.meta["source"] != first.meta["source"] and second.predict("car") == first.predict("car")


def test_a_broken_index_file_is_rebuilt(tiny_wordnet, private_cache):
    path = synonym_index.index_path()
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all")
    assert current_index() is None
    index = ensure_index()
    assert index.predict("auto", "n") == ["car", "auto", "automobile", "motorcar"]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".index-")]  # no temporary left behind


def test_no_wordnet_is_a_clear_error(nltk_path, private_cache, monkeypatch):
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    assert wordnet.quick_source() is None and current_index() is None
    with pytest.raises(MissingNLTKDataError, match="WordNet was not found"):
        ensure_index()
    assert not synonym_index.index_path().exists()


def test_the_index_is_read_only(real_index):
    copy = WordNetIndex(real_index.path)
    try:
        with pytest.raises(Exception, match="readonly|read-only"):
            copy._db.execute("DELETE FROM zipf")
    finally:
        copy.close()


def test_where_the_quick_search_disagrees_nltk_decides(tiny_wordnet, private_cache, monkeypatch):
    # E.g. a zipped NLTK corpus the quick search sees and NLTK does not read: the
    # index then says so, and its currency is checked through NLTK, never by rebuilding.
    monkeypatch.setattr(wordnet, "quick_source", lambda: wordnet.QuickSource("nltk", "/elsewhere/wordnet"))
    index = ensure_index()
    assert index.meta["fast_source"] is False and index.meta["source"]["kind"] == "system"
    built = index.path.stat().st_mtime_ns
    assert current_index() is not None and ensure_index().path.stat().st_mtime_ns == built
    write_wordnet(tiny_wordnet, extra_gloss="changed ")
    assert current_index() is None
