"""Fixtures of the text backend's tests: NLTK's search path and the WordNet cache, each test's own; the real index."""

from __future__ import annotations

import warnings

import nltk
import pytest

from augment.backends.text.synonym_index import WordNetIndex, ensure_index
from augment.backends.text.taggers import FallbackTaggerWarning
from augment.backends.text.wordnet import ensure_wordnet


@pytest.fixture
def nltk_path(monkeypatch, tmp_path):
    """NLTK's search path emptied for the test (restored after); no env-driven locations."""
    saved = list(nltk.data.path)
    for name in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR"):
        monkeypatch.delenv(name, raising=False)
    empty = tmp_path / "no_nltk_data"
    empty.mkdir()
    nltk.data.path[:] = [str(empty)]
    yield nltk.data.path
    nltk.data.path[:] = saved


@pytest.fixture
def private_cache(monkeypatch, tmp_path):
    """A fresh cache folder for the copy of a system WordNet."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("AUGMENT_DIR_CACHE", str(cache))
    return cache


@pytest.fixture
def real_wordnet():
    """The global nltk.corpus.wordnet usable (system or NLTK data), as the text backend uses it."""
    ensure_wordnet()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackTaggerWarning)
        yield


@pytest.fixture(scope="session")
def real_wordnet_index() -> WordNetIndex:
    """The synonym index of the real WordNet, built once per session in the session's cache folder."""
    ensure_wordnet()
    return ensure_index()
