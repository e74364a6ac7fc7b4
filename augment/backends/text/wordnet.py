"""Finding WordNet for the text backend: NLTK's data or a system database, never a download by surprise.

WordNet is looked for, in order, on NLTK's own search path (``NLTK_DATA``
included, zipped or not), then in a system WordNet 3.0 database (Debian/Ubuntu
``wordnet-base`` + ``wordnet-sense-index``, ``$WNSEARCHDIR``, ``$WNHOME/dict``,
Homebrew, ``/usr/local/WordNet-3.0/dict``). A system database is exposed to NLTK
as an NLTK-shaped folder ``<cache>/nltk_data/corpora/wordnet`` (plus the
``lexnames`` file NLTK needs and Debian does not ship), and ``<cache>/nltk_data``
is appended to ``nltk.data.path``. ``<cache>`` is ``$AUGMENT_DIR_CACHE`` or the
user cache folder of ``augment-dir``.

The database files are *copied* into that folder (about 35 MB, once, and again
only when the system database changes), not linked: NLTK 3.9.3+ opens corpus
files with ``O_NOFOLLOW``, refuses files whose real path leaves the corpus root,
and refuses hard links (``st_nlink > 1``), so neither kind of link can be read.

The part-of-speech taggers are in :mod:`augment.backends.text.taggers`.
Nothing here ever downloads: ``python -m augment.backends.text.setup setup
--allow-download`` (or ``download``, see :mod:`augment.backends.text.setup`)
is the only code path that calls ``nltk.download``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "FIX_HINT",
    "SYSTEM_WORDNET_DIRS",
    "MissingNLTKDataError",
    "QuickSource",
    "WordNetSource",
    "adopt_env_paths",
    "cache_dir",
    "ensure_wordnet",
    "is_mirror",
    "nltk_search_path",
    "quick_source",
    "system_wordnet_dirs",
]

#: Where system WordNet 3.0 databases live, after ``$WNSEARCHDIR`` and ``$WNHOME/dict``.
SYSTEM_WORDNET_DIRS: tuple[str, ...] = (
    "/usr/share/wordnet",  # Debian/Ubuntu: wordnet-base + wordnet-sense-index
    "/opt/homebrew/opt/wordnet/dict",  # Homebrew, Apple silicon
    "/usr/local/opt/wordnet/dict",  # Homebrew, Intel
    "/usr/local/WordNet-3.0/dict",  # upstream `make install`
    "/usr/local/share/wordnet",
)

FIX_HINT = """\
Fix it with any one of:
  - python -m augment.backends.text.setup setup --allow-download
      (NLTK's download of "wordnet" and "averaged_perceptron_tagger_eng", where its server is reachable)
  - sudo apt-get install wordnet-base wordnet-sense-index
      (Debian/Ubuntu: a system WordNet 3.0 database, found in /usr/share/wordnet)
  - brew install wordnet
      (macOS/Homebrew)
  - set NLTK_DATA to a folder holding corpora/wordnet (or corpora/wordnet.zip),
    or WNHOME to a WordNet 3.0 installation (the folder holding dict/)
  - in Python: import nltk; nltk.download("wordnet"); nltk.download("averaged_perceptron_tagger_eng")"""

# NLTK's WordNetCorpusReader opens all of these; lexnames and cntlist.rev are
# optional in a system database because we can supply them.
_REQUIRED_FILES: tuple[str, ...] = (
    *(f"{kind}.{pos}" for kind in ("data", "index") for pos in ("noun", "verb", "adj", "adv")),
    *(f"{pos}.exc" for pos in ("noun", "verb", "adj", "adv")),
    "index.sense",
)
_OPTIONAL_FILES: tuple[str, ...] = ("cntlist.rev", "lexnames")

# WordNet 3.0's lexicographer files, in lexnames order (number = position).
_LEXNAMES: tuple[str, ...] = (
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal",
    "noun.artifact", "noun.attribute", "noun.body", "noun.cognition",
    "noun.communication", "noun.event", "noun.feeling", "noun.food", "noun.group",
    "noun.location", "noun.motive", "noun.object", "noun.person",
    "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state",
    "noun.substance", "noun.time", "verb.body", "verb.change", "verb.cognition",
    "verb.communication", "verb.competition", "verb.consumption", "verb.contact",
    "verb.creation", "verb.emotion", "verb.motion", "verb.perception",
    "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl",
)
_SYNTACTIC_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}

_STAMP = "augment-dir-source.json"
_STAMP_FORMAT = 1


class MissingNLTKDataError(LookupError):
    """WordNet (or another NLTK resource) is not available; the message says how to get it."""

    def __init__(self, detail: str, hint: str = FIX_HINT) -> None:
        self.detail = detail
        super().__init__(f"{detail}\n{hint}" if hint else detail)


@dataclass(frozen=True)
class WordNetSource:
    """Where the WordNet that NLTK will read comes from.

    Attributes:
        kind: "nltk" (NLTK's own data) or "system" (a system WordNet 3.0 database).
        path: The NLTK corpus folder or zip, or the system database folder.
        nltk_root: The folder NLTK reads: ``path`` for "nltk", the prepared
            ``<cache>/nltk_data/corpora/wordnet`` for "system".
    """

    kind: str
    path: str
    nltk_root: str


# --------------------------------------------------------------------------- locations


def cache_dir() -> Path:
    """``$AUGMENT_DIR_CACHE`` if set, else the user cache folder of augment-dir."""
    override = os.environ.get("AUGMENT_DIR_CACHE")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("augment-dir"))


def _mirror_data_dir() -> Path:
    return cache_dir() / "nltk_data"


def system_wordnet_dirs() -> list[Path]:
    """Candidate system WordNet database folders, in search order."""
    candidates: list[Path] = []
    if os.environ.get("WNSEARCHDIR"):
        candidates.append(Path(os.environ["WNSEARCHDIR"]).expanduser())
    if os.environ.get("WNHOME"):
        candidates.append(Path(os.environ["WNHOME"]).expanduser() / "dict")
    candidates.extend(Path(p) for p in SYSTEM_WORDNET_DIRS)
    unique: list[Path] = []
    for candidate in candidates:
        if candidate not in unique:
            unique.append(candidate)
    return unique


def _same_dir(a: object, b: Path) -> bool:
    try:
        return Path(str(a)).expanduser().resolve() == b.resolve()
    except (OSError, ValueError, RuntimeError):
        return False


def is_mirror(entry: object) -> bool:
    """Whether ``entry`` (an ``nltk.data.path`` entry) is the folder holding our copy of a system WordNet."""
    return _same_dir(entry, _mirror_data_dir())


def adopt_env_paths() -> None:
    """Put ``NLTK_DATA`` entries on ``nltk.data.path``.

    NLTK reads ``NLTK_DATA`` once, at import; honour a value set afterwards too.
    """
    import nltk

    for entry in os.environ.get("NLTK_DATA", "").split(os.pathsep):
        if entry and entry not in nltk.data.path:
            nltk.data.path.append(entry)


def _pointer_text(pointer: Any) -> str:
    zip_file = getattr(pointer, "zipfile", None)
    if zip_file is not None:
        return f"{zip_file.filename}/{getattr(pointer, 'entry', '')}".rstrip("/")
    return str(getattr(pointer, "path", pointer))


def _find_nltk_wordnet() -> str | None:
    """NLTK's own WordNet on its search path (not our mirror of a system database)."""
    import nltk

    adopt_env_paths()
    paths = [p for p in nltk.data.path if not is_mirror(p)]
    try:
        return _pointer_text(nltk.data.find("corpora/wordnet", paths=paths))
    except LookupError:
        return None


def _database_problem(folder: Path) -> str | None:
    """Why ``folder`` is not a usable WordNet database, or None if it is."""
    if not folder.is_dir():
        return "not found"
    missing = [name for name in _REQUIRED_FILES if not (folder / name).is_file()]
    if not missing:
        return None
    if missing == ["index.sense"]:
        return "lacks index.sense (Debian/Ubuntu: apt-get install wordnet-sense-index)"
    return f"lacks {', '.join(missing)}"


# --------------------------------------------------------------------------- without importing NLTK


def nltk_search_path() -> list[str] | None:
    """NLTK's data search path (our mirror left out), without importing NLTK if it is not imported yet.

    Importing NLTK takes 1-2 s; a process that only checks whether the synonym
    index is current should not pay it. Until NLTK is imported its path is
    ``nltk/data.py``'s own list, rebuilt here; None where that list cannot be
    rebuilt (Windows), meaning "ask NLTK".
    """
    if "nltk" in sys.modules:
        import nltk

        adopt_env_paths()
        return [str(p) for p in nltk.data.path if isinstance(p, str) and not is_mirror(p)]
    if os.name == "nt":
        return None
    paths = [os.path.expanduser(p) for p in os.environ.get("NLTK_DATA", "").split(os.pathsep) if p]
    if "APPENGINE_RUNTIME" not in os.environ and os.path.expanduser("~/") != "~/":
        paths.append(os.path.expanduser("~/nltk_data"))
    paths += [os.path.join(sys.prefix, "nltk_data"), os.path.join(sys.prefix, "share", "nltk_data"),
              os.path.join(sys.prefix, "lib", "nltk_data"), "/usr/share/nltk_data", "/usr/local/share/nltk_data",
              "/usr/lib/nltk_data", "/usr/local/lib/nltk_data"]
    return [p for p in paths if not is_mirror(p)]


def _real(path: str) -> str:
    head, sep, _ = path.partition(".zip/")
    return os.path.realpath(head + ".zip" if sep else path)


@dataclass(frozen=True)
class QuickSource:
    """The WordNet a process would use, found by file checks alone (no NLTK import).

    Attributes:
        kind: "nltk" or "system", as in :class:`WordNetSource`.
        path: NLTK's corpus folder, ``<zip>/wordnet`` for a zipped corpus, or the system database folder.
    """

    kind: str
    path: str

    @classmethod
    def of(cls, source: WordNetSource) -> QuickSource:
        """The quick form of a source NLTK found."""
        return cls(source.kind, source.path)

    def same_as(self, source: WordNetSource) -> bool:
        """Whether NLTK's choice (``ensure_wordnet()``) is this same WordNet."""
        return self.kind == source.kind and _real(self.path) == _real(source.path)

    def stamp(self) -> dict[str, Any]:
        """What identifies this WordNet's contents: its kind, path, and its files' sizes and times."""
        real = Path(_real(self.path))
        names = (*_REQUIRED_FILES, *_OPTIONAL_FILES) if real.is_dir() else ("",)
        files = {}
        for name in names:
            path = real / name if name else real
            if path.is_file():
                st = path.stat()
                files[name or real.name] = [st.st_size, st.st_mtime_ns]
        return {"kind": self.kind, "path": str(real), "files": files}


def quick_source() -> QuickSource | None:
    """Which WordNet :func:`ensure_wordnet` would pick, by the same search order, without importing NLTK.

    Returns None when that cannot be told without NLTK, or no WordNet is found.
    """
    paths = nltk_search_path()
    if paths is None:
        return None
    for entry in paths:
        folder = Path(entry) / "corpora" / "wordnet"
        if folder.exists():
            return QuickSource("nltk", str(folder))
        if (Path(entry) / "corpora" / "wordnet.zip").is_file():
            return QuickSource("nltk", str(Path(entry) / "corpora" / "wordnet.zip") + "/wordnet")
    for folder in system_wordnet_dirs():
        if _database_problem(folder) is None:
            return QuickSource("system", str(folder))
    return None


# --------------------------------------------------------------------------- mirror


def _expected_stamp(database: Path) -> dict[str, Any]:
    files = {}
    for name in (*_REQUIRED_FILES, *_OPTIONAL_FILES):
        path = database / name
        if path.is_file():
            st = path.stat()
            files[name] = [st.st_size, st.st_mtime_ns]
    return {"format": _STAMP_FORMAT, "source": str(database.resolve()), "files": files}


def _mirror_is_current(folder: Path, expected: dict[str, Any]) -> bool:
    try:
        stamp = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if stamp != expected:
        return False
    for name, (size, _mtime) in expected["files"].items():
        if name == "lexnames":
            continue
        try:
            if (folder / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return all((folder / name).is_file() for name in (*_REQUIRED_FILES, *_OPTIONAL_FILES))


def _private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and keep it writable by its owner only.

    NLTK refuses to read data from a folder another account could write to.
    """
    path.mkdir(mode=0o755, parents=True, exist_ok=True)
    st = path.stat()
    if st.st_mode & 0o022 and hasattr(os, "geteuid") and st.st_uid == os.geteuid():
        os.chmod(path, st.st_mode & ~0o022 & 0o7777)
    return path


def _lexnames_text() -> str:
    return "".join(
        f"{number:02d}\t{name}\t{_SYNTACTIC_CATEGORY[name.split('.')[0]]}\n"
        for number, name in enumerate(_LEXNAMES)
    )


def _build_mirror(database: Path, expected: dict[str, Any], parent: Path) -> Path:
    build = Path(tempfile.mkdtemp(prefix=".wordnet-build-", dir=parent))
    os.chmod(build, 0o755)
    for name in _REQUIRED_FILES:
        shutil.copyfile(database / name, build / name)
    for name in _OPTIONAL_FILES:
        if (database / name).is_file():
            shutil.copyfile(database / name, build / name)
    if not (build / "lexnames").exists():
        (build / "lexnames").write_text(_lexnames_text(), encoding="utf-8")
    if not (build / "cntlist.rev").exists():
        # Without sense counts lemma.count() is 0 everywhere; NLTK still needs the file.
        (build / "cntlist.rev").write_bytes(b"")
    (build / _STAMP).write_text(json.dumps(expected, sort_keys=True), encoding="utf-8")
    for entry in build.iterdir():
        os.chmod(entry, 0o644)
    return build


def _install_mirror(build: Path, final: Path, expected: dict[str, Any]) -> None:
    """Rename the built folder into place, tolerating other processes doing the same."""
    for _attempt in range(3):
        try:
            os.rename(build, final)
            return
        except OSError:
            if not (final.exists() or final.is_symlink()):
                raise
        if _mirror_is_current(final, expected):
            return  # another process installed the same database first
        stale = final.with_name(f".wordnet-stale-{os.getpid()}-{os.urandom(4).hex()}")
        try:
            os.rename(final, stale)
        except FileNotFoundError:
            continue
        shutil.rmtree(stale, ignore_errors=True)
    raise OSError(f"could not install {build} as {final}")


def _prepare_mirror(database: Path) -> Path:
    """The NLTK-shaped folder for ``database``, built if missing or out of date."""
    corpora = _private_dir(_mirror_data_dir() / "corpora")
    _private_dir(_mirror_data_dir())
    final = corpora / "wordnet"
    expected = _expected_stamp(database)
    if _mirror_is_current(final, expected):
        return final
    build = _build_mirror(database, expected, corpora)
    try:
        _install_mirror(build, final, expected)
    finally:
        if build.exists():
            shutil.rmtree(build, ignore_errors=True)
    return final


def ensure_wordnet() -> WordNetSource:
    """Make WordNet loadable by ``nltk.corpus.wordnet``, without downloading anything.

    Returns:
        Where the WordNet comes from.

    Raises:
        MissingNLTKDataError: Neither NLTK's WordNet nor a usable system database
            was found (or the cache folder for the latter cannot be written); the
            message names every way to fix it.
    """
    import nltk

    _skip_identity_wordnet_map()
    found = _find_nltk_wordnet()
    if found is not None:
        return WordNetSource(kind="nltk", path=found, nltk_root=found)

    problems = []
    for folder in system_wordnet_dirs():
        problem = _database_problem(folder)
        if problem is not None:
            if problem != "not found":
                problems.append(f"  {folder}: {problem}")
            continue
        try:
            mirror = _prepare_mirror(folder)
        except OSError as exc:
            raise MissingNLTKDataError(
                f"A system WordNet database was found in {folder}, but the folder NLTK reads it "
                f"from could not be prepared in {cache_dir()}: {exc}. Set AUGMENT_DIR_CACHE to a "
                f"writable folder, or:"
            ) from exc
        if not any(is_mirror(p) for p in nltk.data.path):
            nltk.data.path.append(str(_mirror_data_dir()))
        return WordNetSource(kind="system", path=str(folder), nltk_root=str(mirror))

    searched = ", ".join(str(p) for p in nltk.data.path) or "(empty)"
    systems = ", ".join(str(p) for p in system_wordnet_dirs()) or "(none)"
    detail = (
        "WordNet was not found, and augment-dir never downloads it behind your back.\n"
        f"Looked for NLTK's corpora/wordnet in nltk.data.path ({searched}; NLTK_DATA="
        f"{os.environ.get('NLTK_DATA', '')!r}) and for a system WordNet 3.0 database in {systems}."
    )
    if problems:
        detail += "\nIncomplete databases:\n" + "\n".join(problems)
    raise MissingNLTKDataError(detail)


def _skip_identity_wordnet_map() -> None:
    """Stop NLTK from mapping WordNet 3.0 onto itself each time WordNet loads.

    ``WordNetCorpusReader.__init__`` builds ``map30`` (WordNet 3.0 synsets ->
    the loaded WordNet, used only for the Open Multilingual Wordnet) by calling
    ``map_wn("wordnet")``, which compares the loaded version ("3.0") with the
    corpus *name* ("wordnet"), never finds them equal, and reads index.sense
    twice: 3-4 s in every process that loads WordNet. When the loaded WordNet
    is 3.0 that map is the identity, which NLTK spells ``None`` (``if
    self.map30:``); any other version still gets NLTK's own map.
    """
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    original = WordNetCorpusReader.map_wn
    if getattr(original, "_augment_dir_identity", False):
        return

    def map_wn(self: Any, version: str = "wordnet") -> Any:
        if version == "wordnet" and self.get_version() == "3.0":
            return None
        return original(self, version)

    map_wn._augment_dir_identity = True  # type: ignore[attr-defined]
    WordNetCorpusReader.map_wn = map_wn
