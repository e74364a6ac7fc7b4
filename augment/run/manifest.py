"""The run manifest: one JSON object per line for every output written or failed.

Ordering is what keeps it honest across kills. On a local OUTPUT the pipeline
appends (and flushes) an output's "ok" line *before* renaming the output into
place. So an output file that exists always has its line; a line whose output
is missing (the run died between the two steps) is dropped by :func:`compact`
at the start of the next run, and that output is simply made again.

In a store there is no append and no rename: a worker uploads each output
whole, then the run records its line. :class:`CheckpointedManifest` keeps the
lines in a local file and uploads the new ones as a hidden part every few
seconds (a *checkpoint*), and the whole compacted manifest at the end. After
a kill, the next run merges manifest.jsonl and the parts; an output whose line
never reached the store counts as not done and is made again (the same bytes,
uploaded over it), so the manifest ends with exactly one line per output.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from augment.core.files import atomic_path
from augment.run.remote import StoreError

if TYPE_CHECKING:
    from augment.run.storage import RemoteStorage

__all__ = ["CHECKPOINT_SECONDS", "MANIFEST_NAME", "PARTS_FOLDER", "CheckpointedManifest", "LocalManifest",
           "ManifestWriter", "checkpoint_seconds", "compact", "has_records", "line_for", "ok_outputs", "prune",
           "remote_has_records"]

MANIFEST_NAME = "manifest.jsonl"
#: Where checkpoints of a run in a store go (hidden, so no walk takes them for data).
PARTS_FOLDER = ".augment-dir/manifest"
#: Seconds between checkpoints (``AUGMENT_DIR_CHECKPOINT_SECONDS`` sets another).
CHECKPOINT_SECONDS = 10.0


def line_for(record: dict[str, Any]) -> str:
    r"""``record`` as one JSON line: UTF-8 as it is, and a name that is not UTF-8 kept losslessly.

    Python reads such a name with its undecodable bytes as lone surrogates
    (surrogateescape), which UTF-8 cannot hold; that line is written with
    ASCII escapes instead (``"\udce9"``): ``json.loads`` gives the same string
    back, and ``os.fsencode`` the file system's own bytes.
    """
    line = json.dumps(record, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(record)
    return line + "\n"


class ManifestWriter:
    """Appends records to a manifest, one flushed line each."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._file: IO[str] | None = None

    def __enter__(self) -> ManifestWriter:
        self._file = open(self.path, "a", encoding="utf-8", newline="\n")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def write(self, record: dict[str, Any]) -> None:
        """Append ``record`` and flush it to the OS, so a killed run keeps it."""
        if self._file is None:
            raise RuntimeError("ManifestWriter used outside its 'with' block")
        self._file.write(line_for(record))
        self._file.flush()


def _parse(raw: bytes) -> dict[str, Any] | None:
    """The record of one line, or None for junk (not JSON, not an object, no output)."""
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) and isinstance(record.get("output"), str) else None


def _records(path: Path) -> Any:
    """Yield (offset, record) for each parseable line; torn or junk lines are skipped."""
    with open(path, "rb") as fh:
        offset = 0
        for raw in fh:
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                return  # a torn last line from a killed run
            record = _parse(raw)
            if record is not None:
                yield start, record, raw


def _exists_under(output_root: str | os.PathLike[str] | None,
                  exists: Callable[[str], bool] | None) -> Callable[[str], bool] | None:
    if exists is not None or output_root is None:
        return exists
    root = Path(output_root)
    return lambda rel: _is_file(root / rel)


def compact(path: str | os.PathLike[str], output_root: str | os.PathLike[str] | None,
            renamed: Mapping[str, str] | None = None, *, exists: Callable[[str], bool] | None = None) -> bool:
    """Repair and deduplicate a manifest in place; return whether it changed.

    Keeps, for each output, only its last line, and only if that line is true
    of the folder now: an "ok" line whose file exists, or an "error" line whose
    file does not. Torn and unparseable lines are dropped. ``renamed`` maps old
    recipe fingerprints to new ones (the same recipe, as an older version
    fingerprinted it), so that one OUTPUT shows one fingerprint.

    Whether a file exists is asked of ``exists`` (a relative path -> bool) if
    given, else of the file system under ``output_root``; with neither, every
    last line is kept (the lines are known to be true).

    Memory: one dict entry (relative path -> byte offset) per output listed.
    """
    path = Path(path)
    is_there = _exists_under(output_root, exists)
    if not path.exists():
        return False
    last: dict[str, int] = {}
    lines = 0
    for offset, record, _ in _records(path):
        last[record["output"]] = offset
        lines += 1
    size = path.stat().st_size
    kept = 0
    # Rewritten even when nothing changes: the same bytes under a new inode
    # cost one sequential write, and keep this function to one code path.
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for offset, record, raw in _records(path):
            if last.get(record["output"]) != offset:
                continue
            if is_there is None or (record.get("status") == "ok") == is_there(record["output"]):
                if renamed and record.get("recipe") in renamed:
                    record["recipe"] = renamed[record["recipe"]]
                    raw = line_for(record).encode("utf-8")
                out.write(raw)
                kept += 1
        new_size = out.tell()
    return not (kept == lines and new_size == size)


def _is_file(path: Path) -> bool:
    """Whether a file is at ``path``; False for a name that cannot exist (too long, ...)."""
    try:
        return path.is_file()
    except OSError:
        return False


def has_records(path: str | os.PathLike[str]) -> bool:
    """Whether the manifest at ``path`` exists and lists at least one output."""
    path = Path(path)
    return path.exists() and next(_records(path), None) is not None


def prune(path: str | os.PathLike[str], output_root: str | os.PathLike[str] | None,
          stale: Callable[[dict[str, Any]], bool], *, exists: Callable[[str], bool] | None = None,
          remove: Callable[[list[str]], None] | None = None) -> list[str]:
    """Remove every output whose line ``stale`` picks, and then its line; return their paths.

    Only files the manifest lists are ever removed. The files go first and
    the lines after, so a run killed in between leaves "ok" lines without
    files, which :func:`compact` drops next time. In a store, ``exists`` and
    ``remove`` (a list of relative paths, removed in bulk) stand for the file system.
    """
    path = Path(path)
    if not path.exists():
        return []
    removed = [record["output"] for _, record, _ in _records(path) if stale(record)]
    if remove is None:
        root = Path(output_root or ".")
        for rel in removed:
            if _is_file(root / rel):
                (root / rel).unlink()
    else:
        is_there = _exists_under(output_root, exists)
        remove([rel for rel in removed if is_there is None or is_there(rel)])
    gone = set(removed)
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for _, record, raw in _records(path):
            if record["output"] not in gone:
                out.write(raw)
    return removed


def ok_outputs(path: str | os.PathLike[str], *, compacted: bool = False) -> set[str]:
    """The outputs whose last line in the manifest at ``path`` says "ok".

    ``compacted``: the manifest has one line per output already (no dict of every output's last status is needed).
    """
    if not Path(path).exists():
        return set()
    if compacted:
        return {record["output"] for _, record, _ in _records(Path(path)) if record.get("status") == "ok"}
    status: dict[str, bool] = {}
    for _, record, _ in _records(Path(path)):
        status[record["output"]] = record.get("status") == "ok"
    return {rel for rel, ok in status.items() if ok}


def checkpoint_seconds() -> float:
    """Seconds between checkpoints: ``AUGMENT_DIR_CHECKPOINT_SECONDS`` if set (above 0), else 10."""
    from augment.run.options import env_seconds

    return env_seconds("AUGMENT_DIR_CHECKPOINT_SECONDS", CHECKPOINT_SECONDS, at_least=0, or_equal=False)


class LocalManifest:
    """OUTPUT/manifest.jsonl on a local file system: lines appended and flushed as results come.

    Args:
        root: The output folder.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.path = self.root / MANIFEST_NAME

    def prepare(self, renamed: Mapping[str, str], stale: Callable[[dict[str, Any]], bool] | None) -> None:
        """Repair what a killed run left, and remove the outputs ``stale`` picks (``--overwrite``)."""
        compact(self.path, self.root, renamed)
        if stale is not None:
            prune(self.path, self.root, stale)

    def writer(self) -> ManifestWriter:
        """The writer of this run's lines."""
        return ManifestWriter(self.path)

    def finish(self) -> None:
        """Compact after a finished run: one line per output."""
        compact(self.path, self.root)

    def close(self) -> None:
        """Nothing to do: every line is on disk already."""


class _CheckpointingWriter(ManifestWriter):
    def __init__(self, owner: CheckpointedManifest) -> None:
        super().__init__(owner.path)
        self.owner = owner

    def write(self, record: dict[str, Any]) -> None:
        super().write(record)
        self.owner.maybe_checkpoint()


class CheckpointedManifest:
    """OUTPUT/manifest.jsonl in a store: lines kept locally, checkpointed as hidden parts, merged at the end.

    The store holds ``manifest.jsonl`` (whole, one line per output, as of the
    last run that ended) and ``.augment-dir/manifest/<run>-<n>.jsonl``, the
    lines each checkpoint of a run added since. At the start of a run they are
    merged (and compacted against one listing of OUTPUT); at its end, finished
    or interrupted, the merged manifest is uploaded whole and the parts removed.

    Args:
        storage: OUTPUT.
        every: Seconds between checkpoints (default: :func:`checkpoint_seconds`).
    """

    def __init__(self, storage: RemoteStorage, every: float | None = None) -> None:
        self.storage = storage
        self.every = checkpoint_seconds() if every is None else every
        self._work = tempfile.mkdtemp(prefix="augment-dir-manifest-")
        self.path = Path(self._work, MANIFEST_NAME)
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self._run = f"{stamp}-{secrets.token_hex(4)}"
        self._parts: list[str] = []
        self._sent = 0
        self._last = time.monotonic()
        self._merged = True  # nothing to upload until this run writes a line or finds parts

    def _gather(self, listing: set[str]) -> list[str]:
        """Put manifest.jsonl and then every part, in order, into the local working file; return the parts."""
        parts = sorted(rel for rel in listing if rel.startswith(PARTS_FOLDER + "/") and rel.endswith(".jsonl"))
        with open(self.path, "w+b") as out:
            for rel in ([MANIFEST_NAME] if MANIFEST_NAME in listing else []) + parts:
                start = out.tell()
                if self.storage.copy_into(rel, out) and out.tell() > start:
                    out.seek(-1, os.SEEK_END)
                    if out.read(1) != b"\n":
                        out.write(b"\n")  # a line cut short stays one junk line, never glued to the next
        return parts

    def done(self) -> set[str]:
        """Which outputs are finished, without changing OUTPUT (a dry run): ok lines whose objects exist."""
        listing = self.storage.listing()
        self._gather(listing)
        compact(self.path, None, exists=listing.__contains__)
        del listing
        self.storage.forget_listing()
        return ok_outputs(self.path, compacted=True)

    def prepare(self, renamed: Mapping[str, str], stale: Callable[[dict[str, Any]], bool] | None) -> None:
        """Merge what earlier runs left, repair it against one listing of OUTPUT, and say which outputs are done.

        ``stale`` picks lines whose outputs are removed (``--overwrite``).
        """
        listing = self.storage.listing()
        stale_parts = self._gather(listing)
        changed = compact(self.path, None, renamed, exists=listing.__contains__)
        if stale is not None:
            changed = bool(prune(self.path, None, stale, exists=listing.__contains__,
                                 remove=self.storage.remove)) or changed
        del listing
        self.storage.forget_listing()  # its memory goes before the done set is built
        if changed or stale_parts:
            self.storage.check()
            self.storage.put_file(self.path, MANIFEST_NAME)
            self.storage.remove(stale_parts)
        self.storage.done = ok_outputs(self.path, compacted=True)
        self._sent = self.path.stat().st_size

    def writer(self) -> ManifestWriter:
        """The writer of this run's lines (each may trigger a checkpoint)."""
        return _CheckpointingWriter(self)

    def maybe_checkpoint(self) -> None:
        """Checkpoint if the last one is older than :attr:`every`."""
        if time.monotonic() - self._last >= self.every:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Upload the lines written since the last checkpoint as one part (one put)."""
        self._last = time.monotonic()
        size = self.path.stat().st_size
        if size <= self._sent:
            return
        self.storage.check()
        with open(self.path, "rb") as fh:
            fh.seek(self._sent)
            data = fh.read(size - self._sent)
        rel = f"{PARTS_FOLDER}/{self._run}-{len(self._parts):06d}.jsonl"
        try:
            self.storage.write_bytes(rel, data)
        except StoreError:
            return  # the store failed for a moment: these lines go with the next checkpoint, or at the end
        self._parts.append(rel)
        self._sent = size
        self._merged = False

    def _merge(self) -> None:
        """Upload the whole manifest, one line per output, and remove this run's parts."""
        compact(self.path, None)
        self.storage.check()
        self.storage.put_file(self.path, MANIFEST_NAME)
        self.storage.remove(self._parts)
        self._parts = []
        self._merged = True

    def finish(self) -> None:
        """Upload the whole manifest after a finished run (if this run changed it)."""
        if not self._merged or self.path.stat().st_size > self._sent:
            self._merge()

    def close(self) -> None:
        """After an interrupted run: upload what it recorded, if it still holds OUTPUT; remove the local copy."""
        try:
            if self.storage.owned and (not self._merged or self.path.stat().st_size > self._sent):
                try:
                    self._merge()
                except Exception:
                    pass  # the parts stay in the store; the next run merges them
        finally:
            shutil.rmtree(self._work, ignore_errors=True)


def remote_has_records(storage: RemoteStorage) -> bool:
    """Whether OUTPUT in a store has a manifest listing at least one output (or checkpoints of one).

    Reads only as far as the first record.
    """
    from augment.run.remote import iter_folder

    with storage.errors(f"cannot read {storage.url(MANIFEST_NAME)}"):
        try:
            # Small blocks: only the first lines are wanted, not the file's first 50 MB.
            with storage.fs.open(storage.path(MANIFEST_NAME), "rb", block_size=1 << 16) as fh:
                if any(_parse(raw) is not None for raw in fh):
                    return True
        except FileNotFoundError:
            pass
        try:
            return any(not folder for _, folder in iter_folder(storage.fs, storage.path(PARTS_FOLDER)))
        except FileNotFoundError:
            return False
