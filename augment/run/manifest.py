"""The run manifest: one JSON object per line for every output written or failed.

Ordering is what keeps it honest across kills: the pipeline appends (and
flushes) an output's "ok" line *before* renaming the output into place. So an
output file that exists always has its line; a line whose output is missing
(the run died between the two steps) is dropped by :func:`compact` at the start
of the next run, and that output is simply made again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from augment.core.files import atomic_path

__all__ = ["MANIFEST_NAME", "ManifestWriter", "compact", "has_records", "line_for", "prune"]

MANIFEST_NAME = "manifest.jsonl"


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


def _records(path: Path) -> Any:
    """Yield (offset, record) for each parseable line; torn or junk lines are skipped."""
    with open(path, "rb") as fh:
        offset = 0
        for raw in fh:
            start, offset = offset, offset + len(raw)
            if not raw.endswith(b"\n"):
                return  # a torn last line from a killed run
            try:
                record = json.loads(raw)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("output"), str):
                yield start, record, raw


def compact(path: str | os.PathLike[str], output_root: str | os.PathLike[str],
            renamed: Mapping[str, str] | None = None) -> bool:
    """Repair and deduplicate a manifest in place; return whether it changed.

    Keeps, for each output, only its last line, and only if that line is true
    of the folder now: an "ok" line whose file exists, or an "error" line whose
    file does not. Torn and unparseable lines are dropped. ``renamed`` maps old
    recipe fingerprints to new ones (the same recipe, as an older version
    fingerprinted it), so that one OUTPUT shows one fingerprint.

    Memory: one dict entry (relative path -> byte offset) per output listed.
    """
    path = Path(path)
    root = Path(output_root)
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
            exists = _is_file(root / record["output"])
            if (record.get("status") == "ok") == exists:
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


def prune(path: str | os.PathLike[str], output_root: str | os.PathLike[str],
          stale: Callable[[dict[str, Any]], bool]) -> list[str]:
    """Remove every output whose line ``stale`` picks, and then its line; return their paths.

    Only files the manifest lists are ever removed. The files go first and
    the lines after, so a run killed in between leaves "ok" lines without
    files, which :func:`compact` drops next time.
    """
    path = Path(path)
    root = Path(output_root)
    if not path.exists():
        return []
    removed = [record["output"] for _, record, _ in _records(path) if stale(record)]
    for rel in removed:
        if _is_file(root / rel):
            (root / rel).unlink()
    gone = set(removed)
    with atomic_path(path) as tmp, open(tmp, "wb") as out:
        for _, record, raw in _records(path):
            if record["output"] not in gone:
                out.write(raw)
    return removed
