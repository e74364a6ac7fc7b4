"""Shared by the text backend's tests: sample texts, every op, and replaying recorded changes.

Every check of an output goes through :func:`replay`, which rebuilds the output
from the input and the recorded changes alone, op by op.
"""

from __future__ import annotations

import re

from conftest import SENTENCES

LONG = " ".join(SENTENCES)
WORD = re.compile(r"(\W)")
LINE_END = re.compile(r"\r\n|\r|\n")

# A real little file: BOM, CRLF, a blank line, indentation, a trailing newline.
CRLF_TEXT = (
    "\ufeffThe quick brown fox jumps over the lazy dog near the quiet river bank.\r\n"
    "\r\n"
    "  A happy child reads a good book about brave sailors and distant islands.\r\n"
    "FWD: Best regards from the whole team, and best regards again.\r\n"
)
RESERVED = [["FWD", "FW"], ["Best regards", "Cheers", "Sincerely"]]

# Every supported op, as a recipe would write it.
EVERY_OP = [
    {"op": "SynonymAug", "aug_p": 0.3},
    {"op": "AntonymAug", "aug_p": 0.5},
    {"op": "RandomWordAug", "action": "swap"},
    {"op": "RandomWordAug", "action": "delete"},
    {"op": "RandomWordAug", "action": "crop", "aug_max": 4},
    {"op": "RandomWordAug", "action": "substitute", "target_words": ["_", "UNK"]},
    {"op": "SpellingAug"},
    {"op": "SplitAug"},
    {"op": "ReservedAug", "reserved_tokens": RESERVED, "aug_p": 1.0},
    {"op": "KeyboardAug"},
    {"op": "OcrAug"},
    {"op": "RandomCharAug", "action": "insert"},
    {"op": "RandomCharAug", "action": "substitute"},
    {"op": "RandomCharAug", "action": "swap"},
    {"op": "RandomCharAug", "action": "delete"},
]


def op_id(op: dict) -> str:
    return op["op"] + (f"-{op['action']}" if "action" in op else "")


def token_spans(text: str) -> list[tuple[int, int]]:
    """nlpaug's default tokens (non-blank pieces of re.split(r'(\\W)')), as spans."""
    spans, pos = [], 0
    for piece in WORD.split(text):
        if piece.strip():
            spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def apply_changes(sample: str, changes: list[dict]) -> str:
    """One op's changes on one sample, located by token index alone."""
    spans = token_spans(sample)
    edits = []
    for change in changes:
        original = change["original"]
        indent = len(original) - len(original.lstrip())
        anchor = spans[change["index"]][0] if change["index"] < len(spans) else spans[-1][1]
        start = anchor - indent
        assert sample[start: start + len(original)] == original, (change, sample)
        edits.append((start, start + len(original), change["replacement"]))
    for start, end, new in sorted(edits, reverse=True):
        sample = sample[:start] + new + sample[end:]
    return sample


def replay(text: str, params: dict) -> str:
    """Rebuild the expected output from the input and the recorded changes only."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    if params["unit"] == "file":
        for op in params["ops"]:
            body = apply_changes(body, op["changes"])
        return bom + body
    lines = LINE_END.split(body)
    ends = LINE_END.findall(body) + [""]
    for op in params["ops"]:
        for number in sorted({c["line"] for c in op["changes"]}):
            mine = [c for c in op["changes"] if c["line"] == number]
            lines[number - 1] = apply_changes(lines[number - 1], mine)
    return bom + "".join(line + end for line, end in zip(lines, ends, strict=True))


def assert_same_layout(src: str, out: str) -> None:
    """Same BOM, same line endings in the same order, blank lines blank, indents kept."""
    assert out.startswith("\ufeff") == src.startswith("\ufeff")
    assert LINE_END.findall(out) == LINE_END.findall(src)
    for before, after in zip(LINE_END.split(src), LINE_END.split(out), strict=True):
        if not before.strip():
            assert after == before
        else:
            assert re.match(r"[\s\ufeff]*", after).group() == re.match(r"[\s\ufeff]*", before).group()
