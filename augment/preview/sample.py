"""Choose the sources a preview shows: K per modality, reproducibly, in one pass over the manifest.

Each source gets a key, ``blake2b(seed, source)``, and the K sources with the
smallest keys are kept (bottom-K sampling). The choice depends on the seed and
on which sources the manifest lists, never on the order of its lines (which
depends on ``-j``) nor on its size: one streaming pass, memory bounded by K
and the copies shown per source. A source is taken only for its "ok" copies
(copy >= 1); originals (copy 0) are found by their path when the sheet is made.

Most lines are never parsed as JSON: plain byte searches read the source (as
the manifest spells it: the key hashes those bytes), modality and copy number
at the start of each line (the manifest writes its keys in a fixed order), and
only lines whose key could still win are decoded in full. A line of another
shape is parsed in full; a torn or junk line is skipped, as the manifest's own
reader does. A manifest larger than :data:`READ_BUDGET` is read in seeded
blocks that add up to it (:func:`manifest_lines`), so a preview of a huge
OUTPUT takes seconds.
"""

from __future__ import annotations

import hashlib
import heapq
import io
import json
import random
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from augment.run.manifest import parse_line

__all__ = ["READ_BUDGET", "Chosen", "Sampled", "manifest_lines", "sample", "source_key"]

# The fixed start of a line as ManifestWriter writes it: {"source": ..., "output": ..., "modality": ..., "copy": ...
_SOURCE = b'{"source": "'
_OUTPUT = b'", "output": "'
_MODALITY = b'", "modality": "'
_COPY = b'", "copy": '
_OK = b'"status": "ok"'
#: Manifests up to this size are read whole; a larger one is read in seeded blocks adding up to it.
READ_BUDGET = 128 * 1024 * 1024
_BLOCK = 1024 * 1024


def source_key(seed: int, source: str | bytes) -> int:
    """The sampling key of a source under ``seed``: the smallest keys are shown.

    ``source`` is the source's JSON string as the manifest spells it (bytes,
    quotes included), or the source itself (a str), which is spelt as the
    manifest's writer spells it.
    """
    if isinstance(source, str):
        source = _spelling(source)
    digest = hashlib.blake2b(b"%d\0%s" % (seed, source), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _spelling(source: str) -> bytes:
    """``source`` as a JSON string, as :func:`augment.run.manifest.line_for` writes it."""
    text = json.dumps(source, ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable name bytes (surrogates): the writer escapes the whole line
        return json.dumps(source).encode("ascii")


def manifest_lines(fh: BinaryIO, size: int | None, seed: int,
                   budget: int = READ_BUDGET) -> tuple[Iterator[bytes], float]:
    """The lines of a manifest opened as ``fh``, and the fraction of it they cover.

    A manifest of at most ``budget`` bytes is read whole. A larger one is read
    in blocks of 1 MB at offsets drawn with ``seed``, adding up to ``budget``:
    the sources are then sampled from the lines in those blocks (reproducibly,
    and in seconds however large the manifest is).
    """
    if size is None or size <= budget:
        return iter(fh), 1.0
    blocks = size // _BLOCK
    wanted = max(1, budget // _BLOCK)
    offsets = sorted(random.Random(seed).sample(range(blocks), min(wanted, blocks)))

    def lines() -> Iterator[bytes]:
        for block in offsets:
            fh.seek(block * _BLOCK)
            data = fh.read(_BLOCK)
            data += fh.readline()  # to the end of the block's last line
            start = 0 if block == 0 else data.find(b"\n") + 1  # the first line began in the block before
            if block != 0 and start == 0:
                continue
            yield from io.BytesIO(data[start:])

    return lines(), len(offsets) * _BLOCK / size


@dataclass
class Chosen:
    """One source chosen for the sheet, with the copies to show beside it.

    Attributes:
        modality: The source's modality.
        source: Its path relative to INPUT (POSIX), as the manifest gives it.
        key: Its sampling key.
        copies: The manifest records of its "ok" copies, lowest copy numbers first.
        total: How many "ok" copies the manifest lists for it.
    """

    modality: str
    source: str
    key: int
    copies: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0

    def add(self, record: dict[str, Any], most: int) -> None:
        """Keep ``record`` if it is among the ``most`` lowest copy numbers (a copy listed twice counts once)."""
        if any(kept["copy"] == record["copy"] for kept in self.copies):
            # The manifest's last line for an output wins, as its reader says.
            self.copies = [record if kept["copy"] == record["copy"] else kept for kept in self.copies]
            return
        self.total += 1
        self.copies.append(record)
        self.copies.sort(key=lambda r: r["copy"])
        del self.copies[most:]


@dataclass
class Sampled:
    """What :func:`sample` found.

    Attributes:
        chosen: Modality -> the chosen sources, sorted by path.
        copies: Modality -> how many "ok" copies the manifest lists in all.
        failed: Modality -> how many copies failed ("error" lines).
        lines: Lines read.
    """

    chosen: dict[str, list[Chosen]]
    copies: Counter[str]
    failed: Counter[str]
    lines: int


def _fields(raw: bytes) -> tuple[bytes, str, int, bool] | None:
    """(source as spelt, modality, copy, ok) of one line, reading as little as possible; None for junk.

    A JSON string cannot hold an unescaped quote, so the first ``", "output": "``
    ends the source, and so on: plain searches, no parsing.
    """
    if raw.startswith(_SOURCE):
        end = raw.find(_OUTPUT, len(_SOURCE))
        modality = raw.find(_MODALITY, end) if end > 0 else -1
        copy = raw.find(_COPY, modality) if modality > 0 else -1
        if copy > 0:
            digits = raw[copy + len(_COPY): raw.find(b",", copy + len(_COPY))]
            if digits.isdigit():
                return (raw[len(_SOURCE) - 1: end + 1], raw[modality + len(_MODALITY): copy].decode("utf-8", "replace"),
                        int(digits), _OK in raw)
    record = _record(raw)
    if record is None:
        return None
    return _spelling(record["source"]), record["modality"], record["copy"], record.get("status") == "ok"


def _record(raw: bytes) -> dict[str, Any] | None:
    """The whole record of a line, or None if it is not one of an output the run made (with its modality)."""
    record = parse_line(raw)
    if record is None or not all(isinstance(record.get(key), str) for key in ("source", "output", "modality")):
        return None
    if not isinstance(record.get("copy"), int) or isinstance(record.get("copy"), bool):
        return None
    return record


def sample(lines: Iterable[bytes], k: int, seed: int, *, only: Collection[str] | None = None,
           copies: int = 5) -> Sampled:
    """Choose up to ``k`` sources per modality from manifest ``lines`` (bytes, as a file gives them).

    Args:
        lines: The manifest's lines, each ending in a newline (a last line without one is torn: skipped).
        k: Sources per modality.
        seed: The sampling seed: the same seed chooses the same sources.
        only: Modalities to sample (default: all the manifest lists).
        copies: Copies kept per source (the lowest copy numbers).
    """
    # Per modality: a max-heap of (-key, source) holding the k smallest keys, and the chosen sources.
    heaps: dict[str, list[tuple[int, bytes]]] = {}
    chosen: dict[str, dict[bytes, Chosen]] = {}
    total: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    count = 0
    last: tuple[bytes, int] = (b"", 0)  # the copies of a source are often on consecutive lines
    for raw in lines:
        count += 1
        if not raw.endswith(b"\n"):
            break  # a torn last line from a killed run
        fields = _fields(raw)
        if fields is None:
            continue
        source, modality, copy, ok = fields
        if copy < 1 or (only is not None and modality not in only):
            continue
        if not ok:
            failed[modality] += 1
            continue
        total[modality] += 1
        heap = heaps.setdefault(modality, [])
        picked = chosen.setdefault(modality, {})
        entry = picked.get(source)
        if entry is None:
            if last[0] != source:
                last = (source, source_key(seed, source))
            key = last[1]
            if len(heap) >= k and key >= -heap[0][0]:
                continue  # beyond the k smallest keys now, so beyond them for good
            record = _record(raw)
            if record is None:
                continue
            entry = picked[source] = Chosen(modality, record["source"], key)
            heapq.heappush(heap, (-key, source))
            if len(heap) > k:
                _, evicted = heapq.heappop(heap)
                del picked[evicted]
            entry.add(record, copies)
            continue
        record = _record(raw)
        if record is not None:
            entry.add(record, copies)
    out = {m: sorted((c for c in picked.values() if c.copies), key=lambda c: c.source)
           for m, picked in chosen.items()}
    return Sampled({m: c for m, c in out.items() if c}, total, failed, count)
