"""``python -m augment.backends.text.setup status|setup|download``: get the NLTK data the text backend needs.

``status`` says which WordNet and tagger a run would use (preparing the copy of
a system WordNet if needed), and whether the synonym index built from it is
current: it is the text line of ``augment-dir doctor`` (which checks every
backend), kept as an alias, from the same :func:`health`. ``setup`` makes
WordNet usable by the means it is allowed: NLTK's download (``--allow-download``) and, as root on Debian/Ubuntu,
``apt-get install wordnet-base wordnet-sense-index`` (``--allow-apt``); then it
builds the synonym index (:mod:`augment.backends.text.synonym_index`), which a
run would otherwise build on its first use.
``download`` is NLTK's download of WordNet and the tagger. This command is the
only code in augment-dir that ever calls ``nltk.download``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from augment.backends.text import synonym_index
from augment.backends.text.taggers import FALLBACK_TAGGER, TAGGER, find_tagger
from augment.backends.text.wordnet import MissingNLTKDataError, adopt_env_paths, ensure_wordnet, is_mirror

__all__ = ["TextHealth", "health", "main"]

#: The command that gets NLTK's tagger and builds the synonym index.
SETUP_COMMAND = "python -m augment.backends.text.setup setup"


@dataclass(frozen=True)
class TextHealth:
    """What a text run would use, and what stands in its way.

    Attributes:
        wordnet: Where WordNet comes from ("system database /usr/share/wordnet",
            "NLTK data at ..."), or None when none was found.
        tagger: The part-of-speech tagger a run would use (NLTK's, or the offline one).
        index: The synonym index's path if it is current, else None (a run builds it first).
        problems: (what is wrong, the fix) pairs: a run would fail.
        notes: (what is less than the best, how to get the best) pairs: a run works.
    """

    wordnet: str | None
    tagger: str
    index: str | None
    problems: tuple[tuple[str, str], ...] = ()
    notes: tuple[tuple[str, str], ...] = ()

    @property
    def works(self) -> bool:
        """Whether a text run would work."""
        return not self.problems

    def summary(self) -> str:
        """One line: WordNet, tagger and synonym index."""
        tagger = f"{self.tagger} (NLTK)" if self.tagger == TAGGER else f"{self.tagger} (offline)"
        return (f"WordNet: {self.wordnet or 'not found'}; tagger: {tagger}; "
                f"synonym index: {'current' if self.index else 'not built yet'}")


def health() -> TextHealth:
    """Check what a text run would use, preparing the copy of a system WordNet if needed (never downloading).

    Needs the text extra's modules to be importable (NLTK); the doctor checks that first.
    """
    tagger = TAGGER if find_tagger() else FALLBACK_TAGGER
    notes = []
    if tagger != TAGGER:
        notes.append((f"NLTK's {TAGGER} tagger was not found, so a run tags parts of speech with "
                      f"augment-dir's offline tagger ({FALLBACK_TAGGER})",
                      f"{SETUP_COMMAND} --allow-download"))
    try:
        source = ensure_wordnet()
    except MissingNLTKDataError as exc:
        hint = str(exc)[len(exc.detail):].strip("\n").removeprefix("Fix it with ")
        return TextHealth(None, tagger, None, notes=tuple(notes),
                          problems=((" ".join(exc.detail.splitlines()), hint or SETUP_COMMAND),))
    if source.kind == "nltk":
        where = f"NLTK data at {source.path}"
    else:
        where = f"system database {source.path}"
    index = synonym_index.current_index()
    if index is None:
        notes.append((f"the synonym index is not built yet for this WordNet ({synonym_index.index_path()}): "
                      "a run builds it first (15-30 s, once)", SETUP_COMMAND))
    return TextHealth(where, tagger, str(synonym_index.index_path()) if index is not None else None,
                      notes=tuple(notes))


def _print_health(text_health: TextHealth) -> int:
    """Print ``text_health`` as ``augment-dir doctor`` prints its text line; return the exit status."""
    out = sys.stdout if text_health.works else sys.stderr
    print(f"text: {'ok' if text_health.works else 'FAILED'}: {text_health.summary()}", file=out)
    for what, fix in text_health.problems:
        print(f"  problem: {what}\n" + textwrap.indent(f"fix: {fix}", "    "), file=out)
    for what, fix in text_health.notes:
        print(f"  note: {what}\n    for the best: {fix}", file=out)
    print("(augment-dir doctor checks every backend)", file=out)
    return 0 if text_health.works else 1

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
                     "python -m augment.backends.text.setup setup --allow-download)")
    if synonym_index.current_index() is not None:
        lines.append(f"Synonym index: {synonym_index.index_path()} (current)")
    else:
        lines.append(f"Synonym index: not built yet for this WordNet ({synonym_index.index_path()}); a run "
                     "builds it first (15-30 s, once), or now: python -m augment.backends.text.setup setup")
    return True, lines


def _build_index() -> None:
    if synonym_index.current_index() is None:
        print(f"building the synonym index in {synonym_index.index_path()} (15-30 s, once) ...", flush=True)
        synonym_index.ensure_index()


def _download_dir() -> Path:
    """The first existing, writable folder on NLTK's search path, else ~/nltk_data."""
    import nltk

    for entry in nltk.data.path:
        if isinstance(entry, str) and os.path.isdir(entry) and os.access(entry, os.W_OK) \
                and not is_mirror(entry):
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
    adopt_env_paths()
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
        _build_index()
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
        _build_index()
        usable, lines = _status_lines()
        print("\n".join(lines))
        return 0
    print("\n".join(lines), file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m augment.backends.text.setup {status,setup,download}``; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m augment.backends.text.setup",
        description="Find, adopt or fetch the NLTK data (WordNet, tagger) the text backend needs.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser(
        "status", help="say which WordNet and tagger are used, preparing the copy of a system "
                       "WordNet if needed (exit 1 if there is none); the text line of "
                       "`augment-dir doctor`, which checks every backend")
    setup = commands.add_parser("setup", help="make WordNet usable, by the means you allow")
    setup.add_argument("--allow-download", action="store_true",
                       help='try nltk.download("wordnet", "averaged_perceptron_tagger_eng")')
    setup.add_argument("--allow-apt", action="store_true",
                       help="as root on Debian/Ubuntu: apt-get install wordnet-base wordnet-sense-index")
    commands.add_parser("download", help='nltk.download("wordnet", "averaged_perceptron_tagger_eng")')
    args = parser.parse_args(argv)

    if args.command == "status":
        return _print_health(health())
    if args.command == "setup":
        return _setup(args.allow_download, args.allow_apt)
    _nltk_download(["wordnet", TAGGER])
    usable, lines = _status_lines()
    print("\n".join(lines), file=sys.stdout if usable else sys.stderr)
    return 0 if usable else 1


if __name__ == "__main__":
    raise SystemExit(main())
