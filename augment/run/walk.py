"""Walk an input folder lazily, in a stable order, without escaping it.

The walk is a generator over ``os.scandir``: it never holds more than one
folder's listing in memory, so a tree of a million files costs no more than
one of ten. Names are sorted per folder so every run (and every machine) sees
the files in the same order.

In a store (:func:`walk_store`) a folder is a prefix: each is listed once, by
one listing request per 1,000 names (S3 streams them page by page, in key
order), never a request per file.
"""

from __future__ import annotations

import errno
import os
import stat
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from augment.run.remote import Location, iter_folder

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

__all__ = ["Entry", "LocalTree", "StoreTree", "Tree", "walk_files", "walk_store"]


@dataclass(frozen=True)
class Entry:
    """One file found by the walk.

    Attributes:
        path: Absolute path of the file (possibly a symlink to a file).
        rel: Its path relative to the walk's root, POSIX style ("cat/001.jpg").
        problem: Why the file cannot be used (a broken symlink, a FIFO, an
            unreadable folder), else None.
        folder: The entry is a folder the walk could not list (no output is
            planned for it; the run reports it once).
    """

    path: str
    rel: str
    problem: str | None = None
    folder: bool = False


#: What the walk calls a file that is neither a regular file nor a folder (by ``stat.S_IFMT``).
_SPECIAL = {stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a character device",
            stat.S_IFBLK: "a block device"}


def _not_data(path: str, follow: bool) -> str | None:
    """Why the file at ``path`` is not data to read (a FIFO, a device, a socket), or None."""
    try:
        mode = os.stat(path, follow_symlinks=follow).st_mode
    except OSError:
        return None  # the reader will say why it cannot open it
    kind = _SPECIAL.get(stat.S_IFMT(mode))
    # Reading a FIFO blocks until a writer comes; a device may never end: neither is opened.
    return None if kind is None else f"{kind}, not a regular file: left alone"


def walk_files(root: str | os.PathLike[str], *, exclude: str | os.PathLike[str] | None = None) -> Iterator[Entry]:
    """Yield every visible file under ``root``, depth first, names sorted.

    Hidden files and folders (names starting with ".") are skipped. Symlinked
    folders are never entered: following them could loop or leave ``root``.
    Symlinks to files are followed. What cannot be used is yielded with its
    problem, so the run reports it instead of passing over it: a broken link,
    a link loop, a FIFO, socket or device, a folder that cannot be listed.

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
        yield Entry(folder, rel_folder or ".", f"cannot list folder: {exc.strerror or exc}", folder=True)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        rel = f"{rel_folder}/{entry.name}" if rel_folder else entry.name
        try:
            found = _entry(entry, rel, excluded)
        except OSError as exc:  # vanished or unreadable between the listing and now
            yield Entry(entry.path, rel, f"cannot read it: {exc.strerror or exc}")
            continue
        if isinstance(found, Entry):
            yield found
        elif found:
            yield from _walk(entry.path, rel, excluded)


def _entry(entry: os.DirEntry[str], rel: str, excluded: str | None) -> Entry | bool:
    """The walk's answer for one name: an Entry, True (a folder to enter) or False (nothing)."""
    if entry.is_symlink():
        try:
            if entry.is_dir(follow_symlinks=True):
                return False  # never descend into symlinked folders
            target = os.stat(entry.path)  # follows the link: ELOOP, ENOENT...
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return Entry(entry.path, rel, "symbolic link loop (it never reaches a file)")
            if exc.errno == errno.ENOENT:
                return Entry(entry.path, rel, f"broken symlink (points to {os.readlink(entry.path)!r})")
            return Entry(entry.path, rel, f"cannot follow the symbolic link: {exc.strerror or exc}")
        if stat.S_ISREG(target.st_mode):
            return Entry(entry.path, rel)
        return Entry(entry.path, rel, _not_data(entry.path, follow=True) or "not a regular file: left alone")
    if entry.is_dir(follow_symlinks=False):
        return not (excluded is not None and entry.path == excluded)
    if entry.is_file(follow_symlinks=False):
        return Entry(entry.path, rel)
    return Entry(entry.path, rel, _not_data(entry.path, follow=False) or "not a regular file: left alone")


def walk_store(fs: AbstractFileSystem, root: str, *, exclude: str | None = None) -> Iterator[Entry]:
    """Yield every visible object under the store path ``root``, depth first, one listing per folder.

    Hidden names (starting with ".") are skipped, as on disk. ``Entry.path``
    is the object's store path (``bucket/prefix/name``).

    Args:
        fs: The store's filesystem.
        root: The folder (``bucket/prefix``).
        exclude: A store path to leave out (OUTPUT, when it lies inside INPUT).
    """
    yield from _walk_store(fs, root.rstrip("/"), "", exclude)


def _walk_store(fs: AbstractFileSystem, folder: str, rel_folder: str, excluded: str | None) -> Iterator[Entry]:
    try:
        for name, is_folder in iter_folder(fs, folder):
            if name.startswith("."):
                continue
            rel = f"{rel_folder}/{name}" if rel_folder else name
            path = f"{folder}/{name}" if folder else name
            if not is_folder:
                yield Entry(path, rel)
            elif not name:
                yield Entry(path, rel_folder or ".", "a key with an empty folder name ('//') cannot be mirrored",
                            folder=True)
            elif path != excluded:
                yield from _walk_store(fs, path, rel, excluded)
    except OSError as exc:
        yield Entry(folder, rel_folder or ".", f"cannot list folder: {exc.strerror or exc}", folder=True)


class Tree(ABC):
    """INPUT as the run sees it: a walk, and a question about one file."""

    @abstractmethod
    def walk(self) -> Iterator[Entry]:
        """Every source file, depth first."""

    @abstractmethod
    def is_file(self, rel: str) -> bool:
        """Whether a source file is at ``rel`` (outside OUTPUT)."""

    @abstractmethod
    def path(self, rel: str) -> str:
        """How a task reaches the source ``rel`` (a local path or a store path)."""


class LocalTree(Tree):
    """INPUT on a local file system.

    Args:
        root: The folder (real path).
        exclude: A folder inside it to leave out (OUTPUT), or None.
    """

    def __init__(self, root: Path, exclude: Path | None = None) -> None:
        self.root, self.exclude = root, exclude

    def walk(self) -> Iterator[Entry]:
        """The walk of :func:`walk_files`."""
        return walk_files(self.root, exclude=self.exclude)

    def is_file(self, rel: str) -> bool:
        """Whether ``rel`` is a file of INPUT that is not under OUTPUT."""
        path = self.root / rel
        return path.is_file() and not (self.exclude is not None and path.is_relative_to(self.exclude))

    def path(self, rel: str) -> str:
        """The absolute path of ``rel``."""
        return str(self.root / rel)


class StoreTree(Tree):
    """INPUT in a store.

    Args:
        location: INPUT.
        exclude: OUTPUT when it lies inside INPUT (the same store), or None.
        folders: How many folders' names :meth:`is_file` keeps (it lists a folder when asked about it).
    """

    def __init__(self, location: Location, exclude: Location | None = None, folders: int = 16) -> None:
        assert location.store is not None
        self.location, self.exclude = location, exclude
        self._names: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._folders = folders

    @property
    def fs(self) -> AbstractFileSystem:
        """This process's filesystem for INPUT's store."""
        assert self.location.store is not None
        return self.location.store.filesystem()

    def walk(self) -> Iterator[Entry]:
        """The walk of :func:`walk_store`."""
        return walk_store(self.fs, self.location.path, exclude=self.exclude.path if self.exclude else None)

    def is_file(self, rel: str) -> bool:
        """Whether ``rel`` is an object of INPUT (its folder listed once, and its names kept a while)."""
        path = self.path(rel)
        if self.exclude is not None and path.startswith(self.exclude.path + "/"):
            return False
        folder, _, name = path.rpartition("/")
        names = self._names.get(folder)
        if names is None:
            try:
                names = frozenset(n for n, is_folder in iter_folder(self.fs, folder) if not is_folder)
            except FileNotFoundError:
                names = frozenset()
            self._names[folder] = names
            if len(self._names) > self._folders:
                self._names.popitem(last=False)
        else:
            self._names.move_to_end(folder)
        return name in names

    def path(self, rel: str) -> str:
        """The store path of ``rel``."""
        return self.location.join(rel)
