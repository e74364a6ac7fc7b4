"""Walk an input folder lazily, in a stable order, without escaping it.

The walk is a generator over ``os.scandir``: it never holds more than one
folder's listing in memory, so a folder of a million files costs no more than
one of ten. Names are sorted per folder so every run (and every machine) sees
the files in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Entry", "walk_files"]


@dataclass(frozen=True)
class Entry:
    """One file found by the walk.

    Attributes:
        path: Absolute path of the file (possibly a symlink to a file).
        rel: Its path relative to the walk's root, POSIX style ("cat/001.jpg").
        problem: Why the file cannot be used (a broken symlink), else None.
    """

    path: str
    rel: str
    problem: str | None = None


def walk_files(root: str | os.PathLike[str], *, exclude: str | os.PathLike[str] | None = None) -> Iterator[Entry]:
    """Yield every visible file under ``root``, depth first, names sorted.

    Hidden files and folders (names starting with ".") are skipped. Symlinked
    folders are never entered: following them could loop or leave ``root``.
    Symlinks to files are followed; a broken one is yielded with a problem.

    Args:
        root: The folder to walk.
        exclude: A folder to leave out (the output folder, when it lies inside
            the input folder).
    """
    root = os.path.abspath(root)
    excluded = os.path.abspath(exclude) if exclude is not None else None
    yield from _walk(root, "", excluded)


def _walk(folder: str, rel_folder: str, excluded: str | None) -> Iterator[Entry]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield Entry(folder, rel_folder or ".", f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
        if entry.is_symlink():
            if entry.is_dir(follow_symlinks=True):
                continue  # never descend into symlinked folders
            if not os.path.exists(entry.path):
                yield Entry(entry.path, rel, f"broken symlink (points to {os.readlink(entry.path)!r})")
                continue
            if entry.is_file(follow_symlinks=True):
                yield Entry(entry.path, rel)
            continue
        if entry.is_dir(follow_symlinks=False):
            if excluded is not None and entry.path == excluded:
                continue
            yield from _walk(entry.path, rel, excluded)
        elif entry.is_file(follow_symlinks=False):
            yield Entry(entry.path, rel)
        # sockets, FIFOs and devices are not data files: leave them alone

