"""Layout: nlpaug's tokens, and the text rebuilt around what an op changed.

Every op gets :class:`LayoutTokenizer` as its tokenizer and reverse tokenizer.
Ops that change the number of tokens (RandomWordAug delete and crop, SplitAug,
ReservedAug phrases) are put back by alignment: the tokenizer hands nlpaug
``str`` subclasses that carry their position, and nlpaug passes the tokens it
leaves alone straight through, so the kept tokens are exact anchors (linear
time; ``difflib`` is only the fallback, being quadratic on long files). Kept
tokens keep their separators, inserted tokens are joined with one space, and a
deleted run leaves the separator with the most line breaks among those around
it (all of its line breaks, if it spans several lines), so the line structure
survives.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

__all__ = ["LINE_BREAK", "LayoutTokenizer", "token_spans"]

# nlpaug's Tokenizer.tokenizer splits on this and drops whitespace-only pieces.
_SPLIT = re.compile(r"(\W)")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WORD_CHAR = re.compile(r"\w")


class _Token(str):
    """A token that knows its position: nlpaug passes the tokens it keeps through as they are.

    ``position``, not ``index``: that would shadow ``str.index``.
    """

    position: int


# The last text token_spans split, and its spans: the quality filter asks again for the
# text the layout tokenizer has just split (the very same str object).
_last: tuple[str, list[tuple[int, int]]] = ("", [])


def token_spans(text: str) -> list[tuple[int, int]]:
    r"""The spans of nlpaug's tokens: the non-blank pieces of ``re.split(r'(\W)', text)``."""
    global _last
    last = _last
    if last[0] is text:
        return list(last[1])
    spans = []
    pos = 0
    for piece in _SPLIT.split(text):
        if piece.strip():
            spans.append((pos, pos + len(piece)))
        pos += len(piece)
    _last = (text, spans)
    return list(spans)


def _breaks(text: str) -> int:
    return len(LINE_BREAK.findall(text))


def _glued(left: str | None, right: str | None) -> bool:
    return bool(left and right and _WORD_CHAR.match(left[-1]) and _WORD_CHAR.match(right[0]))


def _pick_separator(candidates: list[str], left: str | None, right: str | None) -> str:
    """What stays where a run of tokens was deleted: its line breaks, else the shortest.

    ``candidates`` are the separators before, inside and after the run. The one
    with the most line breaks stays; when the run spans more line breaks than
    that one holds, every separator with a line break contributes its line
    breaks (the last one whole, keeping the next line's indent), so the line
    count never changes. Without line breaks the outer separators (those that
    touch the kept text) come first, and the shortest of them: "the dog." ->
    "the." and "(dog cat)" -> "(cat)"; an empty one is refused where it would
    glue two words together.
    """
    broken = [c for c in candidates if _breaks(c)]
    if broken:
        if sum(_breaks(c) for c in broken) == max(_breaks(c) for c in broken):
            return max(broken, key=_breaks)
        ends = [c[: [m.end() for m in LINE_BREAK.finditer(c)][-1]] for c in broken[:-1]]
        return "".join(ends) + broken[-1]
    usable = [c for c in candidates if c or not _glued(left, right)]
    outer = [c for c in (candidates[0], candidates[-1]) if c in usable]
    pool = outer or usable
    return min(pool, key=len) if pool else " "


def _anchored_opcodes(n: int, new: Sequence[str], seen: Sequence[str]) -> list[tuple[str, int, int, int, int]] | None:
    """difflib-style opcodes from the tokens nlpaug passed through; None if they are out of order."""
    opcodes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for j_new, token in enumerate(new):
        i_old = getattr(token, "position", None) if isinstance(token, _Token) else None
        if i_old is None or not (i_old < n and seen[i_old] is token):
            continue
        if i_old < i:
            return None
        if i_old > i or j_new > j:
            tag = "replace" if i_old > i and j_new > j else ("delete" if i_old > i else "insert")
            opcodes.append((tag, i, i_old, j, j_new))
        if opcodes and opcodes[-1][0] == "equal" and opcodes[-1][2] == i_old and opcodes[-1][4] == j_new:
            last = opcodes[-1]
            opcodes[-1] = ("equal", last[1], i_old + 1, last[3], j_new + 1)
        else:
            opcodes.append(("equal", i_old, i_old + 1, j_new, j_new + 1))
        i, j = i_old + 1, j_new + 1
    if i < n or j < len(new):
        tag = "replace" if i < n and j < len(new) else ("delete" if i < n else "insert")
        opcodes.append((tag, i, n, j, len(new)))
    return opcodes


def _difflib_opcodes(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    n, m = len(old), len(new)
    head = 0
    while head < min(n, m) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(n, m) - head and old[n - 1 - tail] == new[m - 1 - tail]:
        tail += 1
    opcodes = [("equal", 0, head, 0, head)] if head else []
    matcher = difflib.SequenceMatcher(None, list(old[head:n - tail]), list(new[head:m - tail]), autojunk=False)
    opcodes += [(t, i1 + head, i2 + head, j1 + head, j2 + head) for t, i1, i2, j1, j2 in matcher.get_opcodes()]
    if tail:
        opcodes.append(("equal", n - tail, n, m - tail, m))
    return opcodes


def _rebuild(
    text: str, spans: Sequence[tuple[int, int]], seen: Sequence[str], new: Sequence[str]
) -> tuple[str, list[tuple[int, str, str]]]:
    """Put ``new`` tokens back into ``text``, whose tokens nlpaug saw as ``seen`` at ``spans``.

    Returns the text and the changes as ``(start, original, replacement)``:
    ``text[start:start + len(original)]`` became ``replacement``.
    """
    n = len(spans)
    if n == 0:
        return (text, []) if not new else (" ".join(new), [(0, text, " ".join(new))])
    seps = [text[: spans[0][0]]]
    seps += [text[spans[k - 1][1]: spans[k][0]] for k in range(1, n)]
    seps.append(text[spans[-1][1]:])

    if len(new) == n:  # substitutions and swaps: token k stays token k
        opcodes = [("equal" if seen[k] == new[k] else "replace", k, k + 1, k, k + 1) for k in range(n)]
    else:
        opcodes = _anchored_opcodes(n, new, seen) or _difflib_opcodes(seen, new)

    pieces: list[str] = []
    changes: list[tuple[int, str, str]] = []
    pending: str | None = None  # the separator before the next token, after a deletion
    trail = seps[n]

    def emit(sep: str, token: str) -> None:
        nonlocal pending
        pieces.extend((pending if pending is not None else sep, token))
        pending = None

    for tag, i1, i2, j1, j2 in opcodes:
        if i2 - i1 == j2 - j1:
            for k in range(i2 - i1):
                i, token = i1 + k, new[j1 + k]
                original = text[spans[i][0]: spans[i][1]]
                if tag == "equal" or token == seen[i]:
                    emit(seps[i], original)
                else:
                    emit(seps[i], token)
                    if token != original:
                        changes.append((spans[i][0], original, str(token)))
            continue
        # A run whose length changed: pair what can be paired, then insert or delete the rest.
        start = spans[i1 - 1][1] if i1 > 0 else 0
        end = spans[i2][0] if i2 < n else len(text)
        first = len(pieces)
        common = min(i2 - i1, j2 - j1)
        for k in range(common):
            emit(seps[i1 + k], str(new[j1 + k]))
        for j in range(j1 + common, j2):
            # Inserted tokens take one space; before the first token, the leading text.
            emit(" " if pieces else seps[0], str(new[j]))
        if i2 == i1 == 0 and j2 > j1:
            pending = " "  # token 0 now follows the inserted ones
        if i2 - i1 > common:
            left = pieces[-1] if pieces else None
            right = str(new[j2]) if j2 < len(new) else None
            chosen = _pick_separator(seps[i1 + common: i2 + 1], left, right)
            if i2 == n:
                trail = chosen
            else:
                pending = chosen
        after = trail if i2 == n else (pending if pending is not None else seps[i2])
        original, replacement = text[start:end], "".join(pieces[first:]) + after
        lead = 0
        while (lead < min(len(original), len(replacement)) and original[lead] == replacement[lead]
               and original[lead].isspace()):
            lead += 1
        back = 0
        while (back < min(len(original), len(replacement)) - lead
               and original[-1 - back] == replacement[-1 - back] and original[-1 - back].isspace()):
            back += 1
        changes.append((start + lead, original[lead: len(original) - back],
                        replacement[lead: len(replacement) - back]))
    return "".join(pieces) + (pending or "") + trail, changes


class LayoutTokenizer:
    """nlpaug's tokens, plus the means to put the changed ones back into the original text.

    ``tokenize`` and ``detokenize`` are handed to an op as its tokenizer and
    reverse_tokenizer (bound methods of a module-level class). Each call to
    ``tokenize`` starts afresh; ``detokenize`` leaves the rebuilt text and the
    changes in ``result`` so the caller can tell an op that changed nothing.
    """

    def __init__(self) -> None:
        self.text = ""
        self.spans: list[tuple[int, int]] = []
        self.seen: list[str] = []
        self.result: tuple[str, list[tuple[int, str, str]]] | None = None
        # ReservedAug rewrites each phrase as one token before tokenizing:
        # (rewritten text, rewritten position -> original position, original text).
        self.rewritten: tuple[str, list[int], str] | None = None

    def tokenize(self, text: str) -> list[str]:
        """The tokens nlpaug would make of ``text``, each knowing its position; kept for :meth:`detokenize`."""
        spans = token_spans(text)
        seen: list[str] = []
        for position, (start, end) in enumerate(spans):
            token = _Token(text[start:end])
            token.position = position
            seen.append(token)
        if self.rewritten is not None and text == self.rewritten[0]:
            _, where, original = self.rewritten
            self.text, self.spans = original, [(where[s], where[e]) for s, e in spans]
        else:
            self.text, self.spans = text, spans
        self.seen, self.result = seen, None
        return list(seen)

    def detokenize(self, tokens: Sequence[str]) -> str:
        """The text of the last :meth:`tokenize` with ``tokens`` put back in its layout (also in ``result``)."""
        out, changes = _rebuild(self.text, self.spans, self.seen, list(tokens))
        self.result = (out, changes)
        return out
