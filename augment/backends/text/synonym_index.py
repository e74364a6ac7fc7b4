"""A compact synonym index built once from WordNet, so a text run need not load NLTK.

Loading WordNet through NLTK costs 1-2 s of imports (NLTK pulls in SciPy and
scikit-learn when they are installed) and 2-3 s of parsing in every process.
This module turns WordNet, once, into a SQLite file in the cache folder
(``<cache>/wordnet-index/index.sqlite``, about 30 MB) that any process opens in
milliseconds and reads on demand:

* NLTK's own lemma index, exception lists and each synset's lemmas (names,
  sense counts, antonyms), so :class:`IndexWordNet` answers nlpaug's
  ``WordNet.predict`` exactly as NLTK would: same synsets, same order (NLTK's
  ``_morphy`` is reproduced, and checked against NLTK's over a large sample of
  word forms when the index is built; where they differ, the index says so and
  nlpaug's exact mode loads NLTK instead);
* for the quality filter: each single word's frequency (``wordfreq``'s Zipf
  scale) and ``lemminflect``'s dictionary of word forms (lemma, Penn tag, form).

The index records the WordNet it came from (files, sizes, times) and the
versions of NLTK, wordfreq and lemminflect; it is rebuilt when any of them
changes. Whether it is current is decided without importing NLTK
(:func:`augment.backends.text.wordnet.quick_source`); building it needs NLTK,
wordfreq and lemminflect, and takes 20-40 s, once.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from augment.backends.text import wordnet

__all__ = [
    "INDEX_FORMAT",
    "POS_LIST",
    "IndexWordNet",
    "WordNetIndex",
    "build_index",
    "current_index",
    "ensure_index",
    "index_path",
]

#: Bumped whenever what the index holds, or how it is read, changes. 3: synsets' links (similar
#: adjectives, verb groups, hypernyms, pertainyms) for the quality filter's "balanced" profile.
INDEX_FORMAT = 3
#: NLTK's WordNet parts of speech, in its order (``POS_LIST``).
POS_LIST: tuple[str, ...] = ("n", "v", "a", "r")

# NLTK's WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS (3.9-3.10); "s" shares "a"'s.
_SUBSTITUTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"),
          ("shes", "sh"), ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
          ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}
_SUBSTITUTIONS["s"] = _SUBSTITUTIONS["a"]
_FILE_POS = {"n": "n", "v": "v", "a": "a", "s": "a", "r": "r"}
_PACKAGES = ("nltk", "wordfreq", "lemminflect")
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE lemma_index (form TEXT NOT NULL, pos TEXT NOT NULL, offsets TEXT NOT NULL,
                          PRIMARY KEY (form, pos)) WITHOUT ROWID;
CREATE TABLE exceptions (pos TEXT NOT NULL, form TEXT NOT NULL, bases TEXT NOT NULL,
                         PRIMARY KEY (pos, form)) WITHOUT ROWID;
CREATE TABLE synsets (pos TEXT NOT NULL, offset INTEGER NOT NULL, kind TEXT NOT NULL, lemmas TEXT NOT NULL,
                      links TEXT NOT NULL, PRIMARY KEY (pos, offset)) WITHOUT ROWID;
CREATE TABLE zipf (word TEXT PRIMARY KEY, value REAL NOT NULL) WITHOUT ROWID;
CREATE TABLE forms (lemma TEXT NOT NULL, tag TEXT NOT NULL, form TEXT NOT NULL, rank INTEGER NOT NULL);
"""
_INDEXES = """
CREATE INDEX forms_by_lemma ON forms (lemma);
CREATE INDEX forms_by_form ON forms (form);
"""


def index_path() -> Path:
    """Where the index lives: ``<cache>/wordnet-index/index.sqlite``."""
    return wordnet.cache_dir() / "wordnet-index" / "index.sqlite"


def _versions() -> dict[str, str | None]:
    from importlib import metadata  # here: importing it costs ~10 ms of every run's start, text or not

    found: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def _expected_meta(source: wordnet.QuickSource) -> dict[str, Any]:
    return {"format": INDEX_FORMAT, "source": source.stamp(), "packages": _versions()}


class WordNetIndex:
    """Read access to an index file: WordNet as NLTK sees it, plus word frequencies and forms.

    Lookups are cached per process; the file is opened read-only.

    Attributes:
        path: The index file.
        exact: Whether :meth:`synsets` is known to equal NLTK's ``wordnet.synsets``
            (NLTK's morphology was checked against this index's when it was built).
        source: ``"nltk"`` or ``"system"``: the WordNet the index was built from.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        # immutable: the file is only ever replaced whole (os.replace), never written in place.
        uri = f"{self.path.resolve().as_uri()}?mode=ro&immutable=1"
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        meta = dict(self._query("SELECT key, value FROM meta"))
        self.meta: dict[str, Any] = json.loads(meta["meta"])
        self.exact: bool = bool(self.meta.get("exact"))
        self.source: str = str(self.meta["source"]["kind"])
        # Bound per instance so every index has its own caches.
        self.offsets = functools.lru_cache(maxsize=65536)(self._offsets)
        self.lemmas = functools.lru_cache(maxsize=65536)(self._lemmas)
        self.morphy = functools.lru_cache(maxsize=65536)(self._morphy)
        self.has_lemma = functools.lru_cache(maxsize=65536)(self._has_lemma)
        self.zipf = functools.lru_cache(maxsize=65536)(self._zipf)
        self.inflections = functools.lru_cache(maxsize=65536)(self._inflections)
        self.analyses = functools.lru_cache(maxsize=65536)(self._analyses)
        self.frames = functools.lru_cache(maxsize=16384)(self._frames)
        self.links = functools.lru_cache(maxsize=16384)(self._links)
        self._exceptions: dict[tuple[str, str], tuple[str, ...] | None] = {}

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    # ------------------------------------------------------------------ WordNet, as NLTK reads it

    def _offsets(self, form: str, pos: str) -> tuple[int, ...] | None:
        """NLTK's ``_lemma_pos_offset_map[form][pos]``; None where ``pos`` is not a key at all."""
        rows = self._query("SELECT offsets FROM lemma_index WHERE form = ? AND pos = ?", (form, pos))
        if not rows:
            return None
        return tuple(int(x) for x in rows[0][0].split())

    def _has_lemma(self, form: str) -> bool:
        """Whether ``form`` is in WordNet's lemma index under any part of speech."""
        return bool(self._query("SELECT 1 FROM lemma_index WHERE form = ? LIMIT 1", (form,)))

    def _exception(self, pos: str, form: str) -> tuple[str, ...] | None:
        key = (_FILE_POS[pos], form)
        if key not in self._exceptions:
            rows = self._query("SELECT bases FROM exceptions WHERE pos = ? AND form = ?", key)
            self._exceptions[key] = tuple(rows[0][0].split()) if rows else None
        return self._exceptions[key]

    def _morphy(self, form: str, pos: str) -> tuple[str, ...]:
        """NLTK's ``WordNetCorpusReader._morphy(form, pos)`` (exceptions checked)."""
        return _morphy(form, pos, self._exception, lambda f, p: self.offsets(f, p) is not None)

    def synsets(self, word: str, pos: str | None = None) -> list[tuple[str, int]]:
        """``wordnet.synsets(word, pos)`` as ``(pos, offset)`` pairs, in NLTK's order (duplicates kept)."""
        lemma = word.lower()
        out: list[tuple[str, int]] = []
        for p in POS_LIST if pos is None else pos:
            for form in self.morphy(lemma, p):
                out.extend((p, offset) for offset in self.offsets(form, p) or ())
        return out

    def _lemmas(self, pos: str, offset: int) -> tuple[tuple[str, int, tuple[str, ...]], ...]:
        """A synset's lemmas as ``(name, sense count, antonym names)``, in WordNet's order."""
        rows = self._query("SELECT lemmas FROM synsets WHERE pos = ? AND offset = ?", (_FILE_POS[pos], offset))
        if not rows:
            return ()
        return tuple((name, count, tuple(antonyms)) for name, count, antonyms, _ in json.loads(rows[0][0]))

    def _frames(self, offset: int) -> dict[str, frozenset[int]]:
        """A verb synset's lemmas' sentence frames (WordNet's numbers: 8 is "Somebody ----s something")."""
        rows = self._query("SELECT lemmas FROM synsets WHERE pos = 'v' AND offset = ?", (offset,))
        if not rows:
            return {}
        return {name.lower(): frozenset(frames) for name, _, _, frames in json.loads(rows[0][0])}

    def _links(self, pos: str, offset: int) -> dict[str, Any]:
        """A synset's links the quality filter follows, by WordNet's pointer symbols.

        ``"similar"`` (WordNet's similar-to adjectives: a head adjective's satellites,
        a satellite's head), ``"group"`` (verb group) and ``"hypernyms"``: lists of
        ``(pos, offset)``; ``"pertainyms"`` (per lemma): lemma name -> list of
        ``(pos, offset, name)`` ("quickly" -> "quick"). Only the kinds the synset has.
        """
        rows = self._query("SELECT links FROM synsets WHERE pos = ? AND offset = ?", (_FILE_POS[pos], offset))
        if not rows or not rows[0][0]:
            return {}
        links: dict[str, Any] = json.loads(rows[0][0])
        return links

    def synset_kind(self, pos: str, offset: int) -> str:
        """The synset's own part of speech ("s" for an adjective satellite)."""
        rows = self._query("SELECT kind FROM synsets WHERE pos = ? AND offset = ?", (_FILE_POS[pos], offset))
        return str(rows[0][0]) if rows else pos

    def predict(self, word: str, pos: str | None = None, *, antonyms: bool = False) -> list[str]:
        """The answer of nlpaug's ``WordNet.predict``: every lemma (or antonym) name of every synset of ``word``."""
        results: list[str] = []
        for p, offset in self.synsets(word, pos):
            for name, _count, opposite in self.lemmas(p, offset):
                if antonyms:
                    results.extend(opposite)
                else:
                    results.append(name)
        return results

    # ------------------------------------------------------------------ frequencies and word forms

    def _zipf(self, word: str) -> float:
        """``wordfreq.zipf_frequency(word, "en")`` for WordNet's single words and lemminflect's forms; else 0."""
        rows = self._query("SELECT value FROM zipf WHERE word = ?", (word,))
        return float(rows[0][0]) if rows else 0.0

    def _inflections(self, lemma: str) -> dict[str, tuple[str, ...]]:
        """The forms of ``lemma`` in lemminflect's dictionary: Penn tag -> spellings (most usual first)."""
        forms: dict[str, list[str]] = {}
        for tag, form in self._query("SELECT tag, form FROM forms WHERE lemma = ? ORDER BY tag, rank", (lemma,)):
            forms.setdefault(tag, []).append(form)
        return {tag: tuple(spellings) for tag, spellings in forms.items()}

    def _analyses(self, form: str) -> tuple[tuple[str, str, int], ...]:
        """Every ``(Penn tag, lemma, rank)`` lemminflect's dictionary gives the lower-case word ``form``.

        ``rank`` 0: the usual spelling of that form ("trucks" for NNS); higher:
        an alternative one ("truck" as a plural).
        """
        rows = self._query("SELECT tag, lemma, MIN(rank) FROM forms WHERE form = ? GROUP BY tag, lemma "
                           "ORDER BY lemma, tag", (form,))
        return tuple((str(tag), str(lemma), int(rank)) for tag, lemma, rank in rows)


class IndexWordNet:
    """nlpaug's WordNet model (``nlpaug.model.word_dict.WordNet``), answered from the index.

    ``predict`` returns exactly what nlpaug's own model returns for English;
    ``pos_tag`` is set by the backend (the tagger it chose).
    """

    def __init__(self, index: WordNetIndex, is_synonym: bool = True) -> None:
        self.index = index
        self.lang = "eng"
        self.is_synonym = is_synonym

    def predict(self, word: str, pos: str | None = None) -> list[str]:
        """Lemma names (synonyms) or antonym names of every synset of ``word``, in NLTK's order."""
        return self.index.predict(word, pos, antonyms=not self.is_synonym)

    def pos_tag(self, tokens: Sequence[str]) -> list[tuple[str, str]]:  # replaced per instance by the backend
        """Not set: the backend gives every op its tagger."""
        raise RuntimeError("the text backend sets the tagger of every WordNet op")


_opened: dict[tuple[str, int], WordNetIndex] = {}
_opened_lock = threading.Lock()


def _open(path: Path) -> WordNetIndex:
    key = (str(path), os.getpid())
    with _opened_lock:
        if key not in _opened:
            _opened[key] = WordNetIndex(path)
        return _opened[key]


def _read_meta(path: Path) -> dict[str, Any] | None:
    try:
        index = _open(path)
    except (sqlite3.Error, OSError, KeyError, ValueError):
        return None
    return index.meta


def current_index() -> WordNetIndex | None:
    """The index, if it exists and was built from the WordNet and packages in use now; else None.

    Imports NLTK only where the WordNet in use cannot be told without it (when
    the quick search disagreed with NLTK's when the index was built).
    """
    path = index_path()
    if not path.is_file():
        return None
    meta = _read_meta(path)
    if meta is None:
        return None
    source = wordnet.quick_source() if meta.get("fast_source") else None
    if source is None:
        try:
            source = wordnet.QuickSource.of(wordnet.ensure_wordnet())
        except LookupError:
            return None
    expected = _expected_meta(source)
    if {k: meta.get(k) for k in expected} != expected:
        return None
    return _open(path)


def ensure_index() -> WordNetIndex:
    """The current index, built first if it is missing or stale.

    Raises:
        MissingNLTKDataError: WordNet is not available (the message says how to get it).
        ImportError: NLTK, wordfreq or lemminflect is missing (building needs them).
    """
    found = current_index()
    if found is not None:
        return found
    from filelock import FileLock

    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(path.parent / ".build.lock")):
        found = current_index()  # another process may have built it meanwhile
        if found is not None:
            return found
        build_index(path)
    with _opened_lock:
        _opened.pop((str(path), os.getpid()), None)
    built = current_index()
    if built is None:
        raise RuntimeError(f"the synonym index built in {path} is not current for the WordNet in use")
    return built


def _morphy(form: str, pos: str, exception: Callable[[str, str], Sequence[str] | None],
            known: Callable[[str, str], bool]) -> tuple[str, ...]:
    """NLTK's ``_morphy`` over any lookups: ``exception(pos, form)`` and ``known(form, pos)``."""
    bases = exception(pos, form)
    if bases is not None:
        forms = list(bases)
    else:
        forms = [form[: -len(old)] + new for old, new in _SUBSTITUTIONS[pos] if form.endswith(old)]
    result: list[str] = []
    for candidate in [form, *forms]:
        if candidate not in result and known(candidate, pos):
            result.append(candidate)
    return tuple(result)


# ---------------------------------------------------------------------- building


def _morphy_probe_forms(lemma_map: Any, exception_map: Any) -> Iterator[str]:
    """Word forms to check NLTK's morphology against the index's: lemmas, inflections, exceptions."""
    for number, form in enumerate(sorted(lemma_map)):
        if number % 3 == 0:
            yield form
        if number % 11 == 0:
            yield from (form + ending for ending in ("s", "es", "ed", "ing", "er", "est", "ies", "men"))
    for table in exception_map.values():
        yield from table


def _nltk_morphy_matches(wn: Any) -> bool:
    """Whether :func:`_morphy` equals NLTK's own ``_morphy`` on NLTK's data, over many word forms."""
    lemma_map, exception_map = wn._lemma_pos_offset_map, wn._exception_map

    def exception(pos: str, form: str) -> Sequence[str] | None:
        return exception_map[pos].get(form)

    def known(form: str, pos: str) -> bool:
        # ``in`` first: indexing NLTK's defaultdict would add the form.
        return form in lemma_map and pos in lemma_map[form]

    return all(_morphy(form, pos, exception, known) == tuple(wn._morphy(form, pos))
               for form in _morphy_probe_forms(lemma_map, exception_map) for pos in ("n", "v", "a", "s", "r"))


def _wordnet_rows(wn: Any) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]],
                                      list[tuple[str, int, str, str, str]]]:
    """NLTK's lemma index, exception lists and synsets, as rows for the index."""
    counts: dict[str, int] = {}
    try:
        with wn.open("cntlist.rev") as counted:
            for line in counted:
                key, _, rest = line.partition(" ")
                if rest:
                    counts[key] = int(rest.rsplit(" ", 1)[-1])
    except (OSError, ValueError):
        counts = {}  # no sense counts: WordNet's sense order still ranks the senses
    lemma_rows = [(form, pos, " ".join(str(o) for o in offsets))
                  for form, by_pos in wn._lemma_pos_offset_map.items() for pos, offsets in by_pos.items()]
    exception_rows = [(pos, form, " ".join(bases))
                      for pos, table in wn._exception_map.items() if pos != "s" for form, bases in table.items()]
    synset_rows = []
    for pos in POS_LIST:
        for synset in wn.all_synsets(pos):
            lemmas = [[lemma.name(), counts.get(lemma.key(), 0), [a.name() for a in lemma.antonyms()],
                       lemma.frame_ids() if pos == "v" else []] for lemma in synset.lemmas()]
            synset_rows.append((pos, synset.offset(), synset.pos(), json.dumps(lemmas, separators=(",", ":")),
                                _links(synset)))
    return lemma_rows, exception_rows, synset_rows


def _links(synset: Any) -> str:
    """The synset's similar adjectives, verb group, hypernyms and its lemmas' pertainyms, as JSON ('' if none)."""
    links: dict[str, Any] = {}
    for kind, found in (("similar", synset.similar_tos()), ("group", synset.verb_groups()),
                        ("hypernyms", synset.hypernyms())):
        if found:
            links[kind] = [[_FILE_POS[s.pos()], s.offset()] for s in found]
    pertainyms = {lemma.name(): [[_FILE_POS[p.synset().pos()], p.synset().offset(), p.name()]
                                 for p in lemma.pertainyms()] for lemma in synset.lemmas() if lemma.pertainyms()}
    if pertainyms:
        links["pertainyms"] = pertainyms
    return json.dumps(links, separators=(",", ":"), sort_keys=True) if links else ""


def _word_rows(lemma_rows: Iterable[tuple[str, str, str]]) -> tuple[list[tuple[str, float]],
                                                                    list[tuple[str, str, str, int]]]:
    """The Zipf frequencies (wordfreq) and the dictionary of forms (lemminflect), as rows for the index."""
    import wordfreq
    from lemminflect.core.Inflections import Inflections

    inflections = Inflections()
    form_rows: list[tuple[str, str, str, int]] = []
    for lemma in sorted(inflections._getInflDict()):
        if not lemma.isalpha() or not lemma.islower():
            continue
        forms = dict(inflections.getAllInflections(lemma))
        # lemminflect leaves out a past participle equal to the past ("finished"),
        # and a present equal to the base; its getInflection fills them in the same way.
        if "VBD" in forms and "VBN" not in forms:
            forms["VBN"] = forms["VBD"]
        if "VB" in forms and "VBP" not in forms:
            forms["VBP"] = forms["VB"]
        for tag, spellings in forms.items():
            form_rows.extend((lemma, tag, spelling, rank) for rank, spelling in enumerate(spellings)
                             if spelling.isalpha())
    words = {form for form, _pos, _offsets in lemma_rows if form.isalpha()}
    words.update(form for _lemma, _tag, form, _rank in form_rows)
    zipf_rows = [(word, value) for word in sorted(words)
                 if (value := wordfreq.zipf_frequency(word, "en")) > 0]
    return zipf_rows, form_rows


def _reader(source: wordnet.WordNetSource) -> Any:
    """A WordNet reader of its own over ``source`` (not NLTK's global one, which may hold another WordNet)."""
    import warnings

    import nltk
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    if source.kind == "system":
        root = nltk.data.FileSystemPathPointer(source.nltk_root)
    else:
        paths = [p for p in nltk.data.path if not wordnet.is_mirror(p)]
        root = nltk.data.find("corpora/wordnet", paths=paths)
    with warnings.catch_warnings():
        # "The multilingual functions are not available": the index is English only.
        warnings.simplefilter("ignore", UserWarning)
        reader = WordNetCorpusReader(root, None)
    reader.ensure_loaded()
    return reader


def _close_reader(reader: Any) -> None:
    """Close the database files NLTK's reader keeps open (it has no close(); else they wait for the collector)."""
    handles = [*getattr(reader, "_data_file_map", {}).values(),
               getattr(reader, "_key_count_file", None), getattr(reader, "_key_synset_file", None)]
    for handle in handles:
        if handle is not None:
            handle.close()


def build_index(path: str | os.PathLike[str]) -> Path:
    """Build the index from the WordNet NLTK loads, and put it at ``path`` (atomically).

    Returns:
        ``path``.

    Raises:
        MissingNLTKDataError: WordNet is not available.
        ImportError: NLTK, wordfreq or lemminflect is missing.
    """
    target = Path(path)
    try:
        import lemminflect  # noqa: F401
        import nltk  # noqa: F401
        import wordfreq  # noqa: F401
    except ImportError as exc:
        raise ImportError(f"building the synonym index needs nltk, wordfreq and lemminflect ({exc}); "
                          "run: pip install 'augment-dir[text]'") from exc
    source = wordnet.ensure_wordnet()
    wn = _reader(source)
    try:
        lemma_rows, exception_rows, synset_rows = _wordnet_rows(wn)
        exact = _nltk_morphy_matches(wn)
    finally:
        _close_reader(wn)
    zipf_rows, form_rows = _word_rows(lemma_rows)
    quick = wordnet.quick_source()
    fast = quick is not None and quick.same_as(source)

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=".index-", suffix=".sqlite", dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        db = sqlite3.connect(temp)
        try:
            db.executescript(_SCHEMA)
            db.executemany("INSERT INTO lemma_index VALUES (?, ?, ?)", lemma_rows)
            db.executemany("INSERT INTO exceptions VALUES (?, ?, ?)", exception_rows)
            db.executemany("INSERT INTO synsets VALUES (?, ?, ?, ?, ?)", synset_rows)
            db.executemany("INSERT INTO zipf VALUES (?, ?)", zipf_rows)
            db.executemany("INSERT INTO forms VALUES (?, ?, ?, ?)", form_rows)
            db.executescript(_INDEXES)
            db.commit()
        finally:
            db.close()
        meta = {**_expected_meta(wordnet.QuickSource.of(source)), "fast_source": fast, "exact": exact,
                "wordnet": source.kind}
        db = sqlite3.connect(temp)
        try:
            db.execute("INSERT INTO meta VALUES ('meta', ?)", (json.dumps(meta, sort_keys=True),))
            db.commit()
            db.execute("VACUUM")
        finally:
            db.close()
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target
