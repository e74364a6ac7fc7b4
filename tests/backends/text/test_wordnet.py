"""Tests for augment.backends.text.wordnet: finding WordNet offline, and the copy of a system database.

Tiny WordNet databases are written in the real WordNet format (byte offsets and
all) and read with NLTK's real WordNetCorpusReader. Each test that changes
NLTK's search path gets it back afterwards, and tiny databases are only ever
read through fresh readers, never through the global ``nltk.corpus.wordnet``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nltk
import pytest

from augment.backends.text import wordnet
from augment.backends.text.wordnet import FIX_HINT, MissingNLTKDataError, WordNetSource, ensure_wordnet

SYSTEM_WORDNET = Path("/usr/share/wordnet")

# pos -> [(lexicographer file number, lemmas, gloss)]
TINY_SYNSETS = {
    "noun": [(6, ["car", "auto", "automobile", "motorcar"], "a motor vehicle with four wheels"),
             (5, ["dog", "domestic_dog"], "a member of the genus Canis")],
    "verb": [(38, ["run"], "move fast by using one's feet")],
    "adj": [(0, ["quick", "speedy"], "moving quickly")],
    "adv": [(2, ["quickly", "rapidly"], "with rapid movements")],
}
POS_LETTER = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
POS_NUMBER = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}
HEADER = "  1 A tiny WordNet database for tests.  \n  2 WordNet 3.0 Copyright 2006 by Princeton University.  \n"


def write_tiny_wordnet(folder: Path, *, lexnames: bool = False, sense_index: bool = True) -> Path:
    """A WordNet-format database of a few synsets, with correct byte offsets."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)  # NLTK refuses folders others could write to
    index_lines: dict[str, list[str]] = {}
    sense_lines, count_lines = [], []
    for pos, synsets in TINY_SYNSETS.items():
        letter = POS_LETTER[pos]
        data = HEADER
        lemma_offsets: dict[str, list[int]] = {}
        for lexnum, lemmas, gloss in synsets:
            offset = len(data.encode("ascii"))
            words = " ".join(f"{lemma} 0" for lemma in lemmas)
            frames = " 01 + 02 00" if pos == "verb" else ""
            data += f"{offset:08d} {lexnum:02d} {letter} {len(lemmas):02x} {words} 000{frames} | {gloss}  \n"
            for number, lemma in enumerate(lemmas):
                lemma_offsets.setdefault(lemma.lower(), []).append(offset)
                key = f"{lemma.lower()}%{POS_NUMBER[pos]}:{lexnum:02d}:00::"
                sense_lines.append(f"{key} {offset:08d} 1 {10 - number}\n")
                count_lines.append(f"{key} 1 {10 - number}\n")
        (folder / f"data.{pos}").write_text(data, encoding="ascii")
        index_lines[pos] = [
            f"{lemma} {letter} {len(offs)} 0 {len(offs)} 0 {' '.join(f'{o:08d}' for o in offs)}  \n"
            for lemma, offs in sorted(lemma_offsets.items())
        ]
        (folder / f"index.{pos}").write_text(HEADER + "".join(index_lines[pos]), encoding="ascii")
        (folder / f"{pos}.exc").write_text("", encoding="ascii")
    (folder / "verb.exc").write_text("ran run\n", encoding="ascii")
    if sense_index:
        (folder / "index.sense").write_text("".join(sorted(sense_lines)), encoding="ascii")
    (folder / "cntlist.rev").write_text("".join(sorted(count_lines)), encoding="ascii")
    if lexnames:
        (folder / "lexnames").write_text(wordnet._lexnames_text(), encoding="ascii")
    for path in folder.iterdir():
        os.chmod(path, 0o644)
    return folder


def read_wordnet(root: str | Path):
    """A fresh NLTK WordNetCorpusReader over ``root`` (never the global loader)."""
    from nltk.corpus.reader import CorpusReader, WordNetCorpusReader
    from nltk.corpus.util import LazyCorpusLoader
    from nltk.data import FileSystemPathPointer

    omw = LazyCorpusLoader("omw-2.0", CorpusReader, r".*/wn-data-.*\.tab", encoding="utf8")
    return WordNetCorpusReader(FileSystemPathPointer(str(root)), omw)


def close_reader(reader) -> None:
    # The reader keeps its data files open; close them so no ResourceWarning fires later.
    for handle in [*reader._data_file_map.values(), reader._key_count_file, reader._key_synset_file]:
        if handle is not None:
            handle.close()


@pytest.mark.parametrize("how", ["nltk.data.path", "NLTK_DATA"])
def test_wordnet_found_on_nltk_search_path(tmp_path, nltk_path, private_cache, monkeypatch, how):
    data_dir = tmp_path / "nltk_data"
    (data_dir / "corpora").mkdir(parents=True)
    os.chmod(data_dir, 0o755)
    os.chmod(data_dir / "corpora", 0o755)
    corpus = write_tiny_wordnet(data_dir / "corpora" / "wordnet", lexnames=True)
    if how == "NLTK_DATA":  # set after NLTK was imported: still honoured
        monkeypatch.setenv("NLTK_DATA", str(data_dir))
    else:
        nltk_path.insert(0, str(data_dir))

    source = ensure_wordnet()

    assert source == WordNetSource(kind="nltk", path=str(corpus), nltk_root=str(corpus))
    assert str(data_dir) in nltk.data.path
    assert not private_cache.exists()  # NLTK's own data is used as is
    reader = read_wordnet(nltk.data.find("corpora/wordnet"))
    try:
        assert {lemma.name() for s in reader.synsets("car") for lemma in s.lemmas()} >= {"automobile", "auto"}
    finally:
        close_reader(reader)


def test_system_wordnet_via_wnhome_is_mirrored_for_nltk(tmp_path, nltk_path, private_cache, monkeypatch):
    database = write_tiny_wordnet(tmp_path / "WordNet-3.0" / "dict")  # no lexnames, like Debian's
    monkeypatch.setenv("WNHOME", str(tmp_path / "WordNet-3.0"))
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())

    source = ensure_wordnet()

    mirror = private_cache / "nltk_data" / "corpora" / "wordnet"
    assert source == WordNetSource(kind="system", path=str(database), nltk_root=str(mirror))
    assert str(private_cache / "nltk_data") in nltk.data.path
    assert wordnet.is_mirror(private_cache / "nltk_data") and not wordnet.is_mirror(nltk_path[0])
    for name in wordnet._REQUIRED_FILES + ("cntlist.rev",):
        copy = mirror / name
        # plain single-link files: NLTK refuses symlinks and hard links
        assert copy.is_file() and not copy.is_symlink() and copy.stat().st_nlink == 1, name
        assert copy.read_bytes() == (database / name).read_bytes(), name
    lexnames = (mirror / "lexnames").read_text().splitlines()
    assert len(lexnames) == 45
    assert lexnames[0] == "00\tadj.all\t3" and lexnames[5] == "05\tnoun.animal\t1"
    assert lexnames[38] == "38\tverb.motion\t2" and lexnames[-1] == "44\tadj.ppl\t3"

    reader = read_wordnet(source.nltk_root)
    try:
        car = reader.synsets("car")
        assert [s.lexname() for s in car] == ["noun.artifact"]
        assert car[0].lemma_names() == ["car", "auto", "automobile", "motorcar"]
        assert reader.synsets("ran", "v")[0].lexname() == "verb.motion"
        assert car[0].lemmas()[0].count() == 10  # cntlist.rev was copied too
    finally:
        close_reader(reader)

    # A second call reuses the mirror; a changed database is mirrored again.
    before = (mirror / "data.noun").stat().st_ino
    assert ensure_wordnet() == source
    assert (mirror / "data.noun").stat().st_ino == before
    with open(database / "noun.exc", "a", encoding="ascii") as exc_file:
        exc_file.write("autos auto\n")
    assert ensure_wordnet() == source
    assert (mirror / "noun.exc").read_text() == "autos auto\n"
    assert sorted(p.name for p in mirror.parent.iterdir()) == ["wordnet"]  # no build leftovers


def test_mirror_is_not_taken_for_nltks_own_wordnet(tmp_path, nltk_path, private_cache, monkeypatch):
    # Once a system database is copied and the copy is on NLTK's path, a later
    # search must still report the system database (and refresh the copy).
    database = write_tiny_wordnet(tmp_path / "wn" / "dict")
    monkeypatch.setenv("WNHOME", str(tmp_path / "wn"))
    first = ensure_wordnet()
    assert str(private_cache / "nltk_data") in nltk.data.path
    assert ensure_wordnet() == first and first.kind == "system" and first.path == str(database)


def test_mirror_creation_is_safe_under_concurrency(tmp_path, nltk_path, private_cache, monkeypatch):
    # Threads race on the file system exactly as worker processes would, at a
    # fraction of the start-up cost (importing NLTK takes over a second).
    database = write_tiny_wordnet(tmp_path / "wn" / "dict")
    monkeypatch.setenv("WNHOME", str(tmp_path / "wn"))
    barrier = threading.Barrier(8)

    def racer(_: int) -> WordNetSource:
        barrier.wait()
        return ensure_wordnet()

    with ThreadPoolExecutor(8) as pool:
        sources = list(pool.map(racer, range(8)))
    mirror = private_cache / "nltk_data" / "corpora" / "wordnet"
    assert set(sources) == {WordNetSource(kind="system", path=str(database), nltk_root=str(mirror))}
    expected = sorted([*wordnet._REQUIRED_FILES, *wordnet._OPTIONAL_FILES, wordnet._STAMP])
    assert sorted(os.listdir(mirror)) == expected
    assert os.listdir(mirror.parent) == ["wordnet"]  # no build folders left behind
    assert (mirror / "data.noun").read_bytes() == (database / "data.noun").read_bytes()


def test_real_system_wordnet_in_usr_share(nltk_path, monkeypatch):
    # Debian's wordnet-base + wordnet-sense-index, installed here and in CI.
    assert (SYSTEM_WORDNET / "data.noun").is_file(), "install wordnet-base wordnet-sense-index"
    source = ensure_wordnet()
    assert source.kind == "system" and source.path == str(SYSTEM_WORDNET)
    assert Path(source.nltk_root) == wordnet.cache_dir() / "nltk_data" / "corpora" / "wordnet"
    reader = read_wordnet(source.nltk_root)
    try:
        car = reader.synset("car.n.01")
        assert "automobile" in car.lemma_names() and car.lexname() == "noun.artifact"
        assert car in reader.synsets("car")
        assert reader.synset("dog.n.01").lemmas()[0].count() > 0  # sense counts: cntlist.rev
    finally:
        close_reader(reader)


def test_wordnet_30_is_not_mapped_onto_itself(nltk_path):
    # ensure_wordnet() skips NLTK's WordNet 3.0 -> WordNet 3.0 map (3-4 s per process);
    # it must be the identity that NLTK's own map would have computed.
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    source = ensure_wordnet()
    reader = read_wordnet(source.nltk_root)
    try:
        assert reader.get_version() == "3.0" and reader.map30 is None
        assert getattr(WordNetCorpusReader.map_wn, "_augment_dir_identity", False)
        nltk_map = reader.map_to_one("wordnet")  # what NLTK would have built
        assert len(nltk_map) > 100_000
        moved = {k: v for k, v in nltk_map.items() if k != v}
        # NLTK adds an "-a" alias for each adjective satellite "-s"; every synset maps to itself.
        assert moved and all(k.endswith("-a") and v == k[:-1] + "s" for k, v in moved.items())
    finally:
        close_reader(reader)


def test_missing_wordnet_error_names_every_fix(nltk_path, private_cache, monkeypatch):
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    with pytest.raises(MissingNLTKDataError) as info:
        ensure_wordnet()
    message = str(info.value)
    for fix in (
        "python -m augment.backends.text.setup setup --allow-download",
        "apt-get install wordnet-base wordnet-sense-index",
        "brew install wordnet",
        "NLTK_DATA",
        "WNHOME",
        'nltk.download("wordnet")',
        'nltk.download("averaged_perceptron_tagger_eng")',
    ):
        assert fix in message, fix
    assert "augment.resources" not in FIX_HINT
    assert isinstance(info.value, LookupError) and info.value.detail in message
    assert not private_cache.exists()


def test_incomplete_system_database_is_explained(tmp_path, nltk_path, private_cache, monkeypatch):
    write_tiny_wordnet(tmp_path / "wn" / "dict", sense_index=False)
    monkeypatch.setenv("WNHOME", str(tmp_path / "wn"))
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    with pytest.raises(MissingNLTKDataError, match="lacks index.sense") as info:
        ensure_wordnet()
    assert "wordnet-sense-index" in str(info.value) and str(tmp_path / "wn" / "dict") in str(info.value)


def test_stamp_is_json_and_names_the_source(tmp_path, nltk_path, private_cache, monkeypatch):
    database = write_tiny_wordnet(tmp_path / "db")
    monkeypatch.setenv("WNSEARCHDIR", str(database))
    source = ensure_wordnet()
    stamp = json.loads((Path(source.nltk_root) / "augment-dir-source.json").read_text())
    assert stamp["source"] == str(database.resolve()) and "index.sense" in stamp["files"]


# --------------------------------------------------------------------------- without importing NLTK


def test_quick_source_picks_what_ensure_wordnet_picks(tmp_path, nltk_path, private_cache, monkeypatch):
    data = tmp_path / "data"
    (data / "corpora").mkdir(parents=True)
    os.chmod(data, 0o755)
    os.chmod(data / "corpora", 0o755)
    write_tiny_wordnet(data / "corpora" / "wordnet", lexnames=True)
    nltk_path.append(str(data))
    quick = wordnet.quick_source()
    assert quick is not None and quick.kind == "nltk"
    assert quick.same_as(ensure_wordnet())
    stamp = quick.stamp()
    assert stamp["kind"] == "nltk" and "data.noun" in stamp["files"] and json.loads(json.dumps(stamp)) == stamp
    # Without NLTK's own WordNet, the system database is the one, as for ensure_wordnet.
    nltk_path.remove(str(data))
    monkeypatch.setenv("WNSEARCHDIR", str(write_tiny_wordnet(tmp_path / "dict")))
    system = wordnet.quick_source()
    assert system is not None and system.kind == "system" and system.same_as(ensure_wordnet())
    assert not system.same_as(wordnet.WordNetSource("nltk", str(data), str(data)))


def test_nltk_search_path_without_nltk_is_nltks_own(tmp_path):
    code = ("import json, sys; from augment.backends.text import wordnet; before = wordnet.nltk_search_path(); "
            "assert 'nltk' not in sys.modules; import nltk; "
            "print(json.dumps([before, [p for p in nltk.data.path if not wordnet.is_mirror(p)]]))")
    env = {**os.environ, "NLTK_DATA": str(tmp_path / "extra")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, after = json.loads(proc.stdout)
    assert before == after and before[0] == str(tmp_path / "extra")
