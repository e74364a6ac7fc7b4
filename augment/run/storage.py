"""Where a run's outputs live: how it checks, stages, commits and removes files.

The run talks to OUTPUT only through a :class:`Storage`. On a local file
system (:class:`LocalStorage`) every output is *staged* (written under a
temporary name beside its destination) and *committed* (renamed into place)
only after its manifest line is written. In a store (:class:`RemoteStorage`,
an fsspec URL) there is no rename: the worker that makes an output uploads it
to its name in one put, so it appears whole or not at all, and the run records
its line afterwards (see :mod:`augment.run.manifest` for how lines survive a kill).
"""

from __future__ import annotations

import os
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

from augment.core.files import atomic_path, discard, is_temporary, temp_path_for
from augment.run.remote import Location, StoreError, iter_files, scrub

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

    from augment.run.lease import Lease

__all__ = ["KEY_MAX", "LocalStorage", "RemoteStorage", "Storage", "case_insensitive_at", "upload"]

#: The longest object key (in UTF-8 bytes) S3, GCS and Azure all take.
KEY_MAX = 1024


def case_insensitive_at(path: Path) -> bool:
    """Whether the file system at ``path`` (or its nearest existing folder) ignores the case of names.

    The last name on the way that has letters is looked up in the other case:
    found and the same file means case does not matter there.
    """
    folder = path
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    while folder != folder.parent:
        swapped = folder.with_name(folder.name.swapcase())
        if swapped.name != folder.name:
            try:
                # lstat: a symbolic link spelt in the other case is another file, not the same name.
                one, other = os.lstat(folder), os.lstat(swapped)
            except OSError:
                return False  # not found in the other case: case matters
            return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)
        folder = folder.parent
    return False  # only "/" and names without letters: nothing to ask; assume case matters


class Storage(ABC):
    """The output side of a run (paths are relative, POSIX style)."""

    @abstractmethod
    def exists(self, rel: str) -> bool:
        """Whether a finished file is at ``rel``."""

    @abstractmethod
    def stage(self, rel: str) -> str:
        """A temporary path to write the output ``rel`` to (its folder is made)."""

    @abstractmethod
    def commit(self, temp: str, rel: str) -> None:
        """Put a staged file in place at ``rel``, whole."""

    @abstractmethod
    def discard(self, temp: str | None) -> None:
        """Remove a staged file that will not be committed (no error if it is gone)."""

    @abstractmethod
    def write_text(self, rel: str, text: str) -> None:
        """Write a whole UTF-8 file at ``rel`` atomically."""

    @abstractmethod
    def clean_temporaries(self, skip: str | None = None) -> int:
        """Remove staged files a killed run left behind (not under ``skip``); return how many."""

    @abstractmethod
    def read_text(self, rel: str) -> str | None:
        """The UTF-8 text of the file at ``rel``, or None when there is none (or it cannot be read)."""

    @abstractmethod
    def too_long(self, rel: str) -> str | None:
        """Why no file can be named ``rel`` here (a name or key too long), or None."""

    def through_link(self, rel: str) -> str | None:
        """Why ``rel`` would be written outside OUTPUT through a linked folder, or None (object stores have none)."""
        return None

    @property
    def case_insensitive(self) -> bool:
        """Whether names that differ only in case are one file here (object stores: never)."""
        return False

    def check(self) -> None:  # noqa: B027 - only a lease in a store can be lost; a lock file cannot
        """Raise if this run no longer holds OUTPUT."""

    @property
    def owned(self) -> bool:
        """Whether this run still holds OUTPUT, so it may write its run files."""
        return True


def _name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system under ``folder`` (or its nearest existing parent) takes."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):  # not known here: the common limit
        return 255


class LocalStorage(Storage):
    """OUTPUT on a local file system.

    Args:
        root: The output folder (absolute).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self._name_max: int | None = None
        # Output folder -> where it really is, when that is outside OUTPUT (else None); one lookup per folder.
        self._escapes: dict[Path, str | None] = {}
        #: The outputs the manifest records, when it had damaged lines (see LocalManifest.prepare); else None.
        self.recorded: set[str] | None = None
        self._case_insensitive: bool | None = None

    def path(self, rel: str) -> Path:
        """The absolute path of ``rel``."""
        return self.root / rel

    def exists(self, rel: str) -> bool:
        """Whether a finished file is at ``rel`` (and, if :attr:`recorded` is set, its manifest line)."""
        return self.path(rel).exists() and (self.recorded is None or rel in self.recorded)

    def stage(self, rel: str) -> str:
        """A hidden temporary path beside ``rel``'s destination (its folder is made)."""
        destination = self.path(rel)
        destination.parent.mkdir(parents=True, exist_ok=True)
        return str(temp_path_for(destination))

    def commit(self, temp: str, rel: str) -> None:
        """Rename the staged file into place."""
        os.replace(temp, self.path(rel))

    def discard(self, temp: str | None) -> None:
        """Remove a staged file, if it is still there."""
        discard(temp)

    def write_text(self, rel: str, text: str) -> None:
        """Write a UTF-8 file at ``rel`` under a temporary name, then rename it into place."""
        with atomic_path(self.path(rel)) as tmp:
            tmp.write_text(text, encoding="utf-8")

    def read_text(self, rel: str) -> str | None:
        """The text of ``rel``, or None."""
        try:
            return self.path(rel).read_text(encoding="utf-8")
        except (OSError, ValueError):
            return None

    def through_link(self, rel: str) -> str | None:
        """Why ``rel`` cannot be written: a folder on its way is a symbolic link out of OUTPUT (e.g. into INPUT).

        Writing through it would put outputs outside OUTPUT, even into INPUT
        (which a later run would then augment again).
        """
        folder = self.path(rel).parent
        if folder not in self._escapes:
            root = Path(os.path.realpath(self.root))
            real = Path(os.path.realpath(folder))
            self._escapes[folder] = None if real.is_relative_to(root) else str(real)
        escape = self._escapes[folder]
        if escape is None:
            return None
        return (f"its folder in OUTPUT is a symbolic link to {escape}, outside OUTPUT; nothing is written through "
                f"it (remove the link, or make it a real folder)")

    @property
    def case_insensitive(self) -> bool:
        """Whether OUTPUT's file system takes names that differ only in case for one (macOS, Windows, FAT).

        Asked once, without writing anything (a dry run writes nothing): the
        nearest existing folder of OUTPUT's path, spelt in the other case, is
        the same folder only where case does not matter.
        """
        if self._case_insensitive is None:
            self._case_insensitive = case_insensitive_at(self.root)
        return self._case_insensitive

    def too_long(self, rel: str) -> str | None:
        """Whether the name of ``rel`` is longer than the file system takes (NAME_MAX, found once)."""
        if self._name_max is None:
            self._name_max = _name_max(self.root)
        size = len(os.fsencode(PurePosixPath(rel).name))
        if size <= self._name_max:
            return None
        return (f"name too long: the output's name would be {size} bytes, and the file system allows "
                f"{self._name_max}; shorten the source's name")

    def clean_temporaries(self, skip: str | None = None) -> int:
        """Remove hidden temporaries of this package's shape (not under ``skip``); return how many."""
        removed = 0
        for folder, dirs, files in os.walk(self.root):
            if skip is not None and os.path.realpath(folder) == skip:
                dirs[:] = []
                continue
            for name in files:
                if is_temporary(name):
                    discard(os.path.join(folder, name))
                    removed += 1
        return removed


def upload(fs: AbstractFileSystem, local: str, destination: str, atomic_put: bool) -> None:
    """Put the local file ``local`` at ``destination`` so that it appears whole.

    On an object store that is one upload to the name. On any other store it
    is an upload under a hidden temporary name beside it, then a rename.
    """
    if atomic_put:
        fs.put_file(local, destination)
        return
    parent = destination.rsplit("/", 1)[0]
    fs.makedirs(parent, exist_ok=True)
    temp = str(temp_path_for(PurePosixPath(destination)))
    try:
        fs.put_file(local, temp)
        fs.mv(temp, destination)
    except BaseException:
        try:
            fs.rm_file(temp)
        except OSError:
            pass
        raise


class RemoteStorage(Storage):
    """OUTPUT in an fsspec store.

    Workers upload outputs straight to their names (:meth:`stage` gives no
    local path and :meth:`commit` has nothing to do). A finished output is one
    whose object exists *and* whose manifest line reached the store
    (:attr:`done`, set from the manifest when the run starts); an object
    without its line is made again, with the same bytes.

    Args:
        location: OUTPUT.
    """

    def __init__(self, location: Location) -> None:
        assert location.store is not None
        self.location = location
        self.store = location.store
        self.done: set[str] | None = None
        self._listing: set[str] | None = None
        self._lease: Lease | None = None

    @property
    def fs(self) -> AbstractFileSystem:
        """This process's filesystem for OUTPUT's store."""
        return self.store.filesystem()

    def path(self, rel: str) -> str:
        """The store path of ``rel``."""
        return self.location.join(rel)

    def url(self, rel: str) -> str:
        """The URL of ``rel`` (for messages)."""
        return self.location.url(rel)

    @contextmanager
    def errors(self, doing: str) -> Iterator[None]:
        """Turn a store's failure into a :class:`StoreError` saying what failed, with no secret in it."""
        from augment.run.lease import LeaseHeld, LeaseLost

        try:
            yield
        except (StoreError, LeaseHeld, LeaseLost):
            raise
        except Exception as exc:  # botocore's own errors (no credentials...) are no OSError
            reason = scrub(f"{type(exc).__name__}: {exc}", self.store.secrets())
            raise StoreError(f"{doing}: {reason}") from None

    # -- what is there

    def listing(self) -> set[str]:
        """Every object under OUTPUT (relative paths): one listing, made once per run."""
        if self._listing is None:
            with self.errors(f"cannot list OUTPUT {self.location.text}"):
                try:
                    self._listing = set(iter_files(self.fs, self.location.path))
                except FileNotFoundError:  # no bucket (yet): nothing is there
                    self._listing = set()
        return self._listing

    def forget_listing(self) -> None:
        """Drop the listing (its memory) once the run no longer needs it."""
        self._listing = None

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` is a finished output: its object is there and its manifest line too."""
        if self.done is None:
            raise RuntimeError("RemoteStorage.exists before the manifest told which outputs are done")
        return rel in self.done

    def too_long(self, rel: str) -> str | None:
        """Whether the object key of ``rel`` is longer than stores take."""
        bucket_and_key = self.path(rel).lstrip("/")
        key = bucket_and_key.split("/", 1)[1] if "/" in bucket_and_key else bucket_and_key
        size = len(key.encode("utf-8", "surrogateescape"))
        if size <= KEY_MAX:
            return None
        return (f"name too long: the output's key would be {size} bytes, and object stores allow {KEY_MAX}; "
                f"shorten the source's name or OUTPUT's prefix")

    # -- staging: the worker uploads, so there is nothing to stage, commit or discard here

    def stage(self, rel: str) -> str:
        """No local staging path: the worker that makes the output uploads it to its name."""
        return ""

    def commit(self, temp: str, rel: str) -> None:
        """Nothing to do: the output was uploaded whole by its worker."""

    def discard(self, temp: str | None) -> None:
        """Nothing to do: workers remove their own local files."""

    def clean_temporaries(self, skip: str | None = None) -> int:
        """Remove temporaries a killed run left (only stores that need them: uploads to others are whole)."""
        if self.store.atomic_put:
            return 0
        stale = [rel for rel in self.listing() if is_temporary(PurePosixPath(rel).name)]
        self.remove(stale)
        return len(stale)

    # -- whole files

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Put ``data`` at ``rel`` whole (one upload)."""
        with self.errors(f"cannot write {self.url(rel)}"):
            if self.store.atomic_put:
                self.fs.pipe_file(self.path(rel), data)
            else:
                self._via_local(rel, lambda fh: fh.write(data))

    def _via_local(self, rel: str, fill: Any) -> None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="augment-dir-") as work:
            local = os.path.join(work, PurePosixPath(rel).name)
            with open(local, "wb") as fh:
                fill(fh)
            upload(self.fs, local, self.path(rel), self.store.atomic_put)

    def put_file(self, local: str | os.PathLike[str], rel: str) -> None:
        """Upload the local file ``local`` to ``rel`` whole."""
        with self.errors(f"cannot write {self.url(rel)}"):
            upload(self.fs, os.fspath(local), self.path(rel), self.store.atomic_put)

    def write_text(self, rel: str, text: str) -> None:
        """Put a UTF-8 file at ``rel`` whole."""
        self.write_bytes(rel, text.encode("utf-8"))

    def read_bytes(self, rel: str) -> bytes | None:
        """The bytes of ``rel``, or None when it is not there."""
        with self.errors(f"cannot read {self.url(rel)}"):
            try:
                return bytes(self.fs.cat_file(self.path(rel)))
            except FileNotFoundError:
                return None

    def read_text(self, rel: str) -> str | None:
        """The text of ``rel``, or None when it is not there (or not UTF-8)."""
        data = self.read_bytes(rel)
        try:
            return None if data is None else data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def copy_into(self, rel: str, out: IO[bytes]) -> bool:
        """Append the bytes of ``rel`` to ``out``; False when it is not there.

        The object is streamed to a local file first, a small chunk at a time
        (reading it through a file object would hold a block of 50 MB, and a
        manifest of 200,000 lines is about 100 MB).
        """
        import tempfile

        from augment.run.remote import _is_s3

        with tempfile.TemporaryDirectory(prefix="augment-dir-") as work:
            local = os.path.join(work, "download")
            with self.errors(f"cannot read {self.url(rel)}"):
                try:
                    # One sequential download, not 50 MB parts side by side in memory.
                    options = {"max_concurrency": 1} if _is_s3(self.fs) else {}
                    self.fs.get_file(self.path(rel), local, **options)
                except FileNotFoundError:
                    return False
            with open(local, "rb") as fh:
                shutil.copyfileobj(fh, out, 1 << 20)
        return True

    def remove(self, rels: list[str]) -> None:
        """Remove the objects ``rels`` (in bulk where the store can)."""
        if rels:
            with self.errors(f"cannot remove files from OUTPUT {self.location.text}"):
                self.fs.rm([self.path(rel) for rel in rels])

    # -- one run per OUTPUT

    def acquire(self) -> None:
        """Take OUTPUT's lease (see :mod:`augment.run.lease`).

        Raises:
            LeaseHeld: Another run holds it.
            StoreError: The store refused the lock object.
        """
        from augment.run.lease import LEASE_NAME, Lease

        if not self.store.atomic_put:
            with self.errors(f"cannot make OUTPUT {self.location.text}"):
                self.fs.makedirs(self.location.path, exist_ok=True)
        self._lease = Lease(self.fs, self.path(LEASE_NAME), self.url(LEASE_NAME), atomic_put=self.store.atomic_put)
        with self.errors(f"cannot take the lock {self.url(LEASE_NAME)}"):
            try:
                self._lease.acquire()
            except BaseException:
                self._lease = None
                raise

    def check(self) -> None:
        """Raise :class:`~augment.run.lease.LeaseLost` if another run took OUTPUT over."""
        if self._lease is not None:
            self._lease.check()

    @property
    def owned(self) -> bool:
        """Whether this run still holds OUTPUT (so it may write its run files)."""
        return self._lease is not None and self._lease.held

    def release(self) -> None:
        """Give OUTPUT's lease back."""
        if self._lease is not None:
            self._lease.release()
            self._lease = None
