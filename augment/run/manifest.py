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
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment.core.files import atomic_path
from augment.run.remote import StoreError

if TYPE_CHECKING:
    from augment.run.storage import RemoteStorage

__all__ = ["CHECKPOINT_SECONDS", "MANIFEST_NAME", "PARTS_FOLDER", "CheckpointedManifest", "LocalManifest",
           "ManifestWarning", "ManifestWriter", "checkpoint_seconds", "compact", "first_lines", "foreign",
           "has_records", "is_source_error", "line_for", "ok_outputs", "parse_line", "prune", "remote_first_lines",
           "remote_has_records"]

MANIFEST_NAME = "manifest.jsonl"
#: Where checkpoints of a run in a store go (hidden, so no walk takes them for data).
PARTS_FOLDER = ".augment-dir/manifest"
#: Seconds between checkpoints (``AUGMENT_DIR_CHECKPOINT_SECONDS`` sets another).
CHECKPOINT_SECONDS = 10.0


class ManifestWarning(UserWarning):
    """The manifest had damaged lines; what they recorded is made again."""


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
    """Appends records to a manifest, one whole line each, handed to the OS at once.

    A line is either all there or not at all: if the disk fills (ENOSPC) or
    fails (EIO) part-way, the file is cut back to where the line began and the
    error is raised, so the next run finds no torn line in the middle.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def __enter__(self) -> ManifestWriter:
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def write(self, record: dict[str, Any]) -> None:
        """Append ``record`` as one line (a killed run keeps it); OSError leaves the file as it was."""
        if self._fd is None:
            raise RuntimeError("ManifestWriter used outside its 'with' block")
        data = memoryview(line_for(record).encode("utf-8"))
        start = os.fstat(self._fd).st_size
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError:
            try:
                os.ftruncate(self._fd, start)
            except OSError:
                pass  # the next run's compact() drops a torn last line
            raise


def parse_line(raw: bytes) -> dict[str, Any] | None:
    """The record of one line, or None for junk (not JSON, not an object, no output).

    A source the run could not read at all (a folder it cannot list, a FIFO,
    a link loop) has an "error" line with ``"output": null``.
    """
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("output"), str) or is_source_error(record):
        return record
    return None


def is_source_error(record: Mapping[str, Any]) -> bool:
    """Whether ``record`` is the line of a source that has no output (an unreadable folder, a FIFO...)."""
    return record.get("output") is None and record.get("status") == "error" and isinstance(record.get("source"), str)


def _key(record: Mapping[str, Any]) -> str:
    """What a line is about: its output, or (NUL never occurs in a path) the source that has none."""
    output = record["output"]
    return output if isinstance(output, str) else "\0" + record["source"]


def _records(path: Path, junk: list[int] | None = None) -> Any:
    """Yield (offset, record, raw) for each parseable line; torn or junk lines are skipped.

    ``junk`` collects the (1-based) numbers of whole lines that are not records.
    """
    with open(path, "rb") as fh:
        offset = 0
        for number, raw in enumerate(fh, start=1):
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                return  # a torn last line from a killed run
            record = parse_line(raw)
            if record is not None:
                yield start, record, raw
            elif junk is not None and raw.strip():
                junk.append(number)


def _exists_under(output_root: str | os.PathLike[str] | None,
                  exists: Callable[[str], bool] | None) -> Callable[[str], bool] | None:
    if exists is not None or output_root is None:
        return exists
    root = Path(output_root)
    return lambda rel: _is_file(root / rel)


def compact(path: str | os.PathLike[str], output_root: str | os.PathLike[str] | None,
            renamed: Mapping[str, str] | None = None, *, exists: Callable[[str], bool] | None = None,
            source_errors: bool = True, junk: list[int] | None = None) -> bool:
    """Repair and deduplicate a manifest in place; return whether it changed.

    Keeps, for each output, only its last line, and only if that line is true
    of the folder now: an "ok" line whose file exists, or an "error" line whose
    file does not. Torn and unparseable lines are dropped. ``renamed`` maps old
    recipe fingerprints to new ones (the same recipe, as an older version
    fingerprinted it), so that one OUTPUT shows one fingerprint.

    Whether a file exists is asked of ``exists`` (a relative path -> bool) if
    given, else of the file system under ``output_root``; with neither, every
    last line is kept (the lines are known to be true).

    ``source_errors=False`` drops the lines of sources without an output (an
    unreadable folder...): a run starting over reports them afresh, or not at
    all once they are fixed. ``junk`` collects the numbers of whole lines that
    were not records (a line damaged in the middle of the file).

    Memory: one dict entry (relative path -> byte offset) per output listed.
    """
    path = Path(path)
    is_there = _exists_under(output_root, exists)
    if not path.exists():
        return False
    last: dict[str, int] = {}
    lines = 0
    for offset, record, _ in _records(path, junk):
        last[_key(record)] = offset
        lines += 1
    size = path.stat().st_size
    kept = 0
    # Rewritten even when nothing changes: the same bytes under a new inode
    # cost one sequential write, and keep this function to one code path.
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for offset, record, raw in _records(path):
            if last.get(_key(record)) != offset:
                continue
            if is_source_error(record):
                keep = source_errors
            else:
                keep = is_there is None or (record.get("status") == "ok") == is_there(record["output"])
            if keep:
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
    removed = [record["output"] for _, record, _ in _records(path) if not is_source_error(record) and stale(record)]
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
            if is_source_error(record) or record["output"] not in gone:
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
        #: After :meth:`prepare` found damaged lines: the outputs that have a line (None: trust the files).
        self.recorded: set[str] | None = None

    def prepare(self, renamed: Mapping[str, str], stale: Callable[[dict[str, Any]], bool] | None) -> None:
        """Repair what a killed run left, and remove the outputs ``stale`` picks (``--overwrite``).

        A damaged line in the middle (not JSON: a disk error, a hand edit)
        lost some output's record. Which one cannot be known, so then every
        output counts as done only if it has a line (:attr:`recorded`): the
        unrecorded one is made again, its line with it.
        """
        junk: list[int] = []
        compact(self.path, self.root, renamed, source_errors=False, junk=junk)
        if stale is not None:
            prune(self.path, self.root, stale)
        if junk:
            shown = ", ".join(map(str, junk[:5])) + (" ..." if len(junk) > 5 else "")
            warnings.warn(ManifestWarning(
                f"{self.path}: {len(junk)} damaged line(s) ({shown}) dropped; the outputs they recorded are "
                f"made again"), stacklevel=2)
            self.recorded = ok_outputs(self.path, compacted=True)

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
        changed = compact(self.path, None, renamed, exists=listing.__contains__, source_errors=False)
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


#: The fields every line augment-dir writes has; a manifest whose first record lacks one is another tool's.
_OWN_FIELDS = ("source", "output", "status")
_LINE_LIMIT = 1 << 20
#: How many lines decide whose a manifest is (a damaged first line alone does not make it another tool's).
_LINES_LOOKED_AT = 3


def foreign(lines: list[bytes]) -> str | None:
    """Why a manifest starting with ``lines`` is not augment-dir's, or None if it is (or is empty).

    A manifest.jsonl from another tool (NeMo-style datasets use the name) is
    never emptied or appended to. The first JSON object decides; a line cut
    short at the end is a run killed while writing it (ours, repaired by
    :func:`compact`), and a damaged line before one of ours is ours too.
    """
    whole = [line for line in lines if line.endswith(b"\n") and line.strip()]
    for line in whole:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            return "its lines are not JSON objects"
        missing = [name for name in _OWN_FIELDS if name not in record]
        if missing:
            shown = ", ".join(repr(key) for key in list(record)[:4])
            return f"its first record has no {', '.join(missing)} (it has {shown or 'no fields'})"
        return None
    return "its first lines are not JSON" if whole else None


def first_lines(path: str | os.PathLike[str]) -> list[bytes]:
    """The first few lines of the local file at ``path`` (at most 1 MiB each); [] if there is none."""
    try:
        with open(path, "rb") as fh:
            return [fh.readline(_LINE_LIMIT) for _ in range(_LINES_LOOKED_AT)]
    except FileNotFoundError:
        return []


def remote_first_lines(storage: RemoteStorage) -> list[bytes]:
    """The first few lines of OUTPUT's manifest in a store; [] if there is none."""
    with storage.errors(f"cannot read {storage.url(MANIFEST_NAME)}"):
        try:
            with storage.fs.open(storage.path(MANIFEST_NAME), "rb", block_size=1 << 16) as fh:
                return [bytes(fh.readline()) for _ in range(_LINES_LOOKED_AT)]  # fsspec: no size limit
        except FileNotFoundError:
            return []


def remote_has_records(storage: RemoteStorage) -> bool:
    """Whether OUTPUT in a store has a manifest listing at least one output (or checkpoints of one).

    Reads only as far as the first record.
    """
    from augment.run.remote import iter_folder

    with storage.errors(f"cannot read {storage.url(MANIFEST_NAME)}"):
        try:
            # Small blocks: only the first lines are wanted, not the file's first 50 MB.
            with storage.fs.open(storage.path(MANIFEST_NAME), "rb", block_size=1 << 16) as fh:
                if any(parse_line(raw) is not None for raw in fh):
                    return True
        except FileNotFoundError:
            pass
        try:
            return any(not folder for _, folder in iter_folder(storage.fs, storage.path(PARTS_FOLDER)))
        except FileNotFoundError:
            return False
