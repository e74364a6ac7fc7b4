"""NLTK data for the text backend: find it, adopt a system WordNet, never download by surprise.

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

When WordNet is present but NLTK's ``averaged_perceptron_tagger_eng`` is not, a
part-of-speech tagger built from WordNet itself stands in (see
:func:`fallback_pos_tag`); it warns once per process.

Nothing here ever downloads implicitly: ``python -m augment.resources setup
--allow-download`` (or ``download``) is the only code path that calls
``nltk.download``.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "FALLBACK_TAGGER",
    "FIX_HINT",
    "FallbackTaggerWarning",
    "MissingNLTKDataError",
    "SYSTEM_WORDNET_DIRS",
    "TAGGER",
    "WordNetSource",
    "cache_dir",
    "ensure_wordnet",
    "fallback_pos_tag",
    "find_tagger",
    "main",
    "nltk_pos_tag",
    "system_wordnet_dirs",
    "warn_fallback_tagger",
]

#: NLTK's perceptron tagger package (NLTK >= 3.9 name).
TAGGER = "averaged_perceptron_tagger_eng"
#: What params record when the WordNet-built tagger stands in for it.
FALLBACK_TAGGER = "wordnet-fallback"

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
  - python -m augment.resources setup --allow-download
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


class FallbackTaggerWarning(UserWarning):
    """NLTK's perceptron tagger is missing, so the WordNet-built tagger is in use."""


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


def _adopt_env_paths() -> None:
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

    _adopt_env_paths()
    mirror = _mirror_data_dir()
    paths = [p for p in nltk.data.path if not _same_dir(p, mirror)]
    try:
        return _pointer_text(nltk.data.find("corpora/wordnet", paths=paths))
    except LookupError:
        return None


def find_tagger() -> str | None:
    """``"averaged_perceptron_tagger_eng"`` if NLTK can load that tagger, else None."""
    import nltk

    _adopt_env_paths()
    try:
        nltk.data.find(f"taggers/{TAGGER}/")
    except LookupError:
        return None
    return TAGGER


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
        data_dir = str(_mirror_data_dir())
        if not any(_same_dir(p, Path(data_dir)) for p in nltk.data.path):
            nltk.data.path.append(data_dir)
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
    WordNetCorpusReader.map_wn = map_wn  # type: ignore[method-assign]


# --------------------------------------------------------------------------- taggers


def nltk_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """``nltk.pos_tag``, but a missing tagger is a MissingNLTKDataError, never a download."""
    import nltk

    try:
        return nltk.pos_tag(list(tokens))
    except LookupError as exc:
        raise MissingNLTKDataError(f"NLTK's {TAGGER} tagger could not be loaded: {exc}") from exc


_CLOSED_CLASS: dict[str, str] = {}
for _tag, _words in {
    "DT": "a an the this that these those another each every either neither all both some any no",
    "PDT": "such",
    "PRP": "i me you he him she her it we us they them myself yourself himself herself itself "
           "ourselves yourselves themselves mine yours hers ours theirs",
    "PRP$": "my your his its our their",
    "IN": "about above across after against along amid among around as at before behind below "
          "beneath beside besides between beyond by despite during except for from in inside into "
          "like near of off on onto out outside over past per since than through throughout till "
          "toward towards under underneath until unlike up upon via with within without although "
          "because if though unless whereas while whether",
    "CC": "and or but nor plus &",
    "MD": "can could may might must shall should will would ought cannot",
    "TO": "to",
    "WDT": "which whatever whichever",
    "WP": "who whom what whoever whomever",
    "WP$": "whose",
    "WRB": "how when where why whenever wherever",
    "EX": "there",
    "RB": "not never",
    "UH": "oh ah hey wow ouch oops",
    "VB": "be",
    "VBZ": "is has does",
    "VBP": "am are have do",
    "VBD": "was were had did",
    "VBN": "been",
    "VBG": "being having doing",
    "CD": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
          "eighty ninety hundred thousand million billion",
}.items():
    for _word in _words.split():
        _CLOSED_CLASS[_word] = _tag
del _tag, _words, _word

# Penn Treebank tags its punctuation by class; anything else is tagged as itself.
_PUNCT_TAGS = {"!": ".", "?": ".", ";": ":", "-": ":", "--": ":", "...": ":", '"': "''",
               "'": "''", "`": "``", "[": "(", "]": ")", "{": "(", "}": ")"}
_NUMBER = re.compile(r"[+-]?(\d+([.,:/]\d+)*|\d*\.\d+)(st|nd|rd|th|s)?")

_fallback_warned = False


@functools.lru_cache(maxsize=65536)
def _tag_word(word: str) -> str:
    """The Penn tag the WordNet-built tagger gives ``word`` (out of context)."""
    if word and not any(ch.isalnum() for ch in word):
        return _PUNCT_TAGS.get(word, word)
    lower = word.lower()
    if _NUMBER.fullmatch(lower):
        return "CD"
    if lower in _CLOSED_CLASS:
        return _CLOSED_CLASS[lower]

    from nltk.corpus import wordnet as wn

    best: tuple[int, int] | None = None
    best_pos = best_base = None
    for pos in ("n", "v", "a", "r"):
        synsets = wn.synsets(lower, pos)
        if not synsets:
            continue
        base = wn.morphy(lower, pos) or lower
        names = {lower, base}
        count = sum(
            lemma.count() for synset in synsets for lemma in synset.lemmas()
            if lemma.name().lower() in names
        )
        # Sense counts first (how often WordNet's tagged corpus saw the word
        # this way); the number of senses decides ties and unseen words.
        score = (count, len(synsets))
        if best is None or score > best:
            best, best_pos, best_base = score, pos, base
    if best_pos is None:
        return "NN"
    inflected = best_base != lower
    if best_pos == "n":
        return "NNS" if inflected else "NN"
    if best_pos == "v":
        if not inflected:
            return "VB"
        if lower.endswith("ing"):
            return "VBG"
        if lower.endswith("s"):
            return "VBZ"
        return "VBD"
    if best_pos == "a":
        if inflected and lower.endswith("est"):
            return "JJS"
        if inflected and lower.endswith("er"):
            return "JJR"
        return "JJ"
    return "RB"


def fallback_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """Tag tokens with a tagger built from WordNet, in ``nltk.pos_tag``'s format.

    Closed-class words (determiners, pronouns, prepositions, conjunctions,
    modals, wh-words, forms of be/have/do...) come from a fixed list, numbers are
    CD, punctuation is tagged as itself (Penn classes for ``! ? ;``), and any
    other word gets the part of speech with the highest WordNet sense count
    (ties and unseen words: the most synsets), as a Penn tag chosen by
    morphology; unknown words are NN. Needs WordNet loadable (see
    :func:`ensure_wordnet`). Warns once per process with FallbackTaggerWarning.

    Args:
        tokens: The tokens to tag.

    Returns:
        A list of ``(token, tag)`` pairs, one per token.
    """
    warn_fallback_tagger(stacklevel=3)
    return [(token, _tag_word(token)) for token in tokens]


def warn_fallback_tagger(stacklevel: int = 2) -> None:
    """Say, once per process, that the WordNet-built tagger stands in for NLTK's.

    A run says it once, from its own process; its worker processes ignore
    FallbackTaggerWarning (params record the tagger of every output anyway).
    """
    global _fallback_warned
    if not _fallback_warned:
        _fallback_warned = True
        warnings.warn(
            f"NLTK's {TAGGER} tagger was not found; tagging parts of speech with a tagger "
            "built from WordNet instead (closed-class words + each word's most frequent "
            "WordNet part of speech). Get the real tagger with: python -m augment.resources "
            f'setup --allow-download  (or nltk.download("{TAGGER}"))',
            FallbackTaggerWarning,
            stacklevel=stacklevel,
        )


# --------------------------------------------------------------------------- command line


def _status_lines() -> tuple[bool, list[str]]:
    lines = []
    try:
        source = ensure_wordnet()
    except MissingNLTKDataError as exc:
        return False, [str(exc)]
    if source.kind == "nltk":
        lines.append(f"WordNet: NLTK data at {source.path}")
    else:
        lines.append(f"WordNet: system database {source.path} "
                     f"(NLTK reads a copy in {source.nltk_root})")
    if find_tagger():
        lines.append(f"Tagger: {TAGGER} (NLTK)")
    else:
        lines.append(f"Tagger: {FALLBACK_TAGGER} ({TAGGER} not found; get it with: "
                     "python -m augment.resources setup --allow-download)")
    return True, lines


def _download_dir() -> Path:
    """The first existing, writable folder on NLTK's search path, else ~/nltk_data."""
    import nltk

    mirror = _mirror_data_dir()
    for entry in nltk.data.path:
        if isinstance(entry, str) and os.path.isdir(entry) and os.access(entry, os.W_OK) \
                and not _same_dir(entry, mirror):
            return Path(entry)
    return Path.home() / "nltk_data"


def _nltk_download(packages: Sequence[str]) -> bool:
    """Try ``nltk.download`` for each package; say what happened. True if all succeeded."""
    import socket

    import nltk

    target = _download_dir()
    ok = True
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(20)  # an unreachable server must fail, not hang
    try:
        for package in packages:
            print(f"downloading NLTK package {package!r} into {target} ...", flush=True)
            try:
                done = bool(nltk.download(package, download_dir=str(target), quiet=True,
                                          raise_on_error=False))
            except Exception as exc:  # offline, proxy, refused: report and go on
                print(f"  failed: {type(exc).__name__}: {exc}")
                done = False
            else:
                print("  done" if done else "  failed (NLTK's server is not reachable from here?)")
            ok = ok and done
    finally:
        socket.setdefaulttimeout(previous)
    _adopt_env_paths()
    if str(target) not in nltk.data.path:
        nltk.data.path.append(str(target))
    return ok


def _apt_install() -> bool:
    """Install Debian's WordNet packages with apt-get (root only). True on success."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        print("not running apt-get: it needs root (run: sudo apt-get install "
              "wordnet-base wordnet-sense-index)")
        return False
    if shutil.which("apt-get") is None:
        print("not running apt-get: this system has no apt-get")
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends",
               "wordnet-base", "wordnet-sense-index"]
    print("running:", " ".join(install), flush=True)
    if subprocess.run(install, env=env).returncode == 0:
        return True
    print("apt-get install failed; running: apt-get update, then trying again", flush=True)
    subprocess.run(["apt-get", "update"], env=env)
    return subprocess.run(install, env=env).returncode == 0


def _setup(allow_download: bool, allow_apt: bool) -> int:
    usable, lines = _status_lines()
    if usable:
        print("WordNet is already usable; not installing it.")
        if find_tagger() is None and allow_download:
            print(f"NLTK's {TAGGER} tagger is missing; trying NLTK's download for it.")
            _nltk_download([TAGGER])
            usable, lines = _status_lines()
        print("\n".join(lines))
        return 0
    if not (allow_download or allow_apt):
        print("\n".join(lines), file=sys.stderr)
        print("(setup was given neither --allow-download nor --allow-apt, so it changed nothing)",
              file=sys.stderr)
        return 1
    if allow_download:
        _nltk_download(["wordnet", TAGGER])
        usable, lines = _status_lines()
    if not usable and allow_apt:
        _apt_install()
        usable, lines = _status_lines()
    if usable:
        print("\n".join(lines))
        return 0
    print("\n".join(lines), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m augment.resources {status,setup,download}``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m augment.resources",
        description="Find, adopt or fetch the NLTK data (WordNet, tagger) the text backend needs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "status", help="say which WordNet and tagger are used, preparing the copy of a system "
                       "WordNet if needed (exit 1 if there is none)")
    setup = commands.add_parser("setup", help="make WordNet usable, by the means you allow")
    setup.add_argument("--allow-download", action="store_true",
                       help='try nltk.download("wordnet", "averaged_perceptron_tagger_eng")')
    setup.add_argument("--allow-apt", action="store_true",
                       help="as root on Debian/Ubuntu: apt-get install wordnet-base wordnet-sense-index")
    commands.add_parser("download", help='nltk.download("wordnet", "averaged_perceptron_tagger_eng")')
    args = parser.parse_args(argv)

    if args.command == "status":
        usable, lines = _status_lines()
        print("\n".join(lines), file=sys.stdout if usable else sys.stderr)
        return 0 if usable else 1
    if args.command == "setup":
        return _setup(args.allow_download, args.allow_apt)
    _nltk_download(["wordnet", TAGGER])
    usable, lines = _status_lines()
    print("\n".join(lines), file=sys.stdout if usable else sys.stderr)
    return 0 if usable else 1


if __name__ == "__main__":
    raise SystemExit(main())
