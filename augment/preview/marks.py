r"""Text copies for a preview: the original with the changed words marked and their replacements beside them.

The manifest says what changed: each text op's ``changes`` give the line, the
token index (nlpaug's ``\W`` split, within the file or the line the op
received), the original words and their replacement. For a chain of one op
(the default, and every text preset but one) those are positions in the
original itself, and the marks come straight from them. After the first op
of a longer chain the positions are in text no file holds, so the marks come
from a word-level comparison of the original with the copy instead (exact
for what the copy says, whatever the ops). Either way the result is a list
of segments: ``("same", text)``, ``("old", words)`` struck out and
``("new", words)`` put in.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from augment.backends.text.layout import LINE_BREAK, token_spans

__all__ = ["Segment", "change_list", "decode_start", "segments"]

#: ("same" | "old" | "new", text)
Segment = tuple[str, str]
_BOM = "\ufeff"
# Words and the runs of other characters between them, for the comparison.
_PIECES = re.compile(r"\w+|\W")


def decode_start(data: bytes) -> str:
    """The text at the start of a file (UTF-8; a multi-byte character cut at the end is dropped; no BOM)."""
    text = data.decode("utf-8", errors="replace")
    if text.endswith("\ufffd"):
        # A read that stops inside a character: drop its bytes, not the whole text.
        for cut in range(1, 4):
            try:
                text = data[:-cut].decode("utf-8")
                break
            except UnicodeDecodeError:
                continue
    return text.removeprefix(_BOM)


def _line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in LINE_BREAK.finditer(text))]


def _from_params(original: str, params: dict[str, Any]) -> list[tuple[int, int, str]] | None:
    """(start, end, replacement) in ``original`` for a one-op chain's changes; None when they do not fit."""
    ops = params.get("ops")
    if not isinstance(ops, list) or len(ops) != 1 or not isinstance(ops[0], dict):
        return None
    changes = ops[0].get("changes")
    if not isinstance(changes, list):
        return None
    unit = params.get("unit", "file")
    starts = _line_starts(original)
    lines = LINE_BREAK.split(original)
    whole = token_spans(original) if unit == "file" else None
    spans = []
    for change in changes:
        try:
            index, old, new = int(change["index"]), str(change["original"]), str(change["replacement"])
            line = int(change.get("line", 1))
        except (KeyError, TypeError, ValueError):
            return None
        if unit == "file":
            tokens, offset, sample = whole, 0, original
        elif 1 <= line <= len(lines):
            tokens, offset, sample = token_spans(lines[line - 1]), starts[line - 1], lines[line - 1]
        else:
            continue  # a line beyond the part of the file read
        assert tokens is not None
        if index < len(tokens):
            at = tokens[index][0]
        elif index == len(tokens):
            at = len(sample)  # an insertion at the end
        else:
            continue  # beyond the part of the file read
        # The change starts at or before its token (nlpaug's ops change whole tokens, mostly).
        found = sample.rfind(old, 0, at + len(old)) if old else at
        if found < 0:
            return None
        spans.append((offset + found, offset + found + len(old), new))
    spans.sort()
    if any(a[1] > b[0] for a, b in zip(spans, spans[1:], strict=False)):
        return None  # overlapping: the record and the text disagree
    return spans


def _from_diff(original: str, copy: str) -> list[tuple[int, int, str]]:
    """(start, end, replacement) in ``original`` from a word-level comparison with ``copy``."""
    a, b = _PIECES.findall(original), _PIECES.findall(copy)
    offsets = [0]
    for piece in a:
        offsets.append(offsets[-1] + len(piece))
    spans = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            spans.append((offsets[i1], offsets[i2], "".join(b[j1:j2])))
    return spans


def segments(original: str, copy: str | None, params: dict[str, Any], limit: int | None = None) -> list[Segment]:
    """The original with each change marked: ``("same", ...)``, ``("old", ...)``, ``("new", ...)``.

    Args:
        original: The start of the original (decoded).
        copy: The start of the copy, for chains of more than one op (None: not read).
        params: The copy's manifest params.
        limit: Show about this many characters of the original (the segments stop after it).
    """
    spans = _from_params(original, params)
    if spans is None and copy is not None:
        spans = _from_diff(original, copy)
    out: list[Segment] = []
    position = 0
    for start, end, new in spans or []:
        if limit is not None and start > limit:
            break
        if start > position:
            out.append(("same", original[position:start]))
        if end > start:
            out.append(("old", original[start:end]))
        if new:
            out.append(("new", new))
        position = end
    stop = len(original) if limit is None else max(position, min(len(original), limit))
    if stop > position:
        out.append(("same", original[position:stop]))
    return _merged(out)


def _merged(parts: Sequence[Segment]) -> list[Segment]:
    merged: list[Segment] = []
    for kind, text in parts:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def change_list(params: dict[str, Any], most: int = 6) -> str:
    """The copy's changes as ``"funny -> comic, film -> movie (+3 more)"``, op by op."""
    pieces: list[str] = []
    total = 0
    for op in params.get("ops") or []:
        if not isinstance(op, dict):
            continue
        for change in op.get("changes") or []:
            total += 1
            if len(pieces) < most and isinstance(change, dict):
                old, new = change.get("original") or "", change.get("replacement") or ""
                pieces.append(f"{old} -> {new}" if old and new else f"+{new}" if new else f"-{old}")
    if not total:
        return "no change"
    more = f" (+{total - len(pieces)} more)" if total > len(pieces) else ""
    return ", ".join(pieces) + more
