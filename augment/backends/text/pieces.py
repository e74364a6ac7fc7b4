r"""Big texts in pieces: where a text of :data:`PIECES_FROM` bytes or more is cut, keeping every byte.

nlpaug's ops and the quality filter take a whole sample at once, in time and
memory that grow faster than its length (a 4 MB one-line file took 41 s and
1.4 GB in one piece). A text of at least :data:`PIECES_FROM` bytes (UTF-8) is
therefore augmented in pieces of at most :data:`PIECE_SIZE` characters, each
a sample of its own under its own seed; below that size nothing changes, so
nlpaug's exact mode stays exact.

:func:`cut` puts each cut, by preference, after a paragraph break (a blank
line), a line break, the end of a sentence, a space, or any other character
that is not part of a word, looking first in the second half of the piece
(so pieces are at least half as long as they may be) and then in the whole
of it; only a run of :data:`PIECE_SIZE` word characters is cut inside itself.
A ``\r\n`` is never split. The pieces are consecutive slices of the text:
joined, they are the text, byte for byte, and each keeps the whitespace at
its ends (the text backend leaves a sample's outer whitespace as it is).
"""

from __future__ import annotations

import re

__all__ = ["PIECES_FROM", "PIECE_SIZE", "cut", "in_pieces"]

#: A text of this many bytes (UTF-8) or more is augmented in pieces: 1 MiB.
PIECES_FROM = 1 << 20
#: The most characters a piece holds: 16 KiB. nlpaug picks aug_min..aug_max
#: words (aug_p of them) in each piece, as it does in each line with unit = "line".
PIECE_SIZE = 1 << 14

# Where a cut may go, best first: right after each match.
_BOUNDARIES = (
    re.compile(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)"),  # a blank line: a new paragraph
    re.compile(r"\r\n|\r|\n"),  # a line break
    re.compile(r"[.!?][\"')\]\u2019\u201d]*\s"),  # the end of a sentence, and the space after it
    re.compile(r"\s"),  # a space: between two words
    re.compile(r"\W"),  # a character of its own to nlpaug's tokenizer
)


def in_pieces(text: str, threshold: int | None = None) -> bool:
    """Whether ``text`` is long enough to be augmented in pieces (at least ``threshold`` bytes in UTF-8).

    ``threshold`` defaults to :data:`PIECES_FROM` as it is when called.
    """
    limit = PIECES_FROM if threshold is None else threshold
    if len(text) >= limit:
        return True
    if 4 * len(text) < limit:  # a character is at most 4 bytes
        return False
    return len(text.encode("utf-8", "surrogatepass")) >= limit


def _cut_at(text: str, start: int, end: int) -> int | None:
    """The best cut in ``text[start:end]`` (the end of the last match of the best boundary), if any."""
    for boundary in _BOUNDARIES:
        found = None
        for found in boundary.finditer(text, start, end):  # noqa: B007 - the last one is wanted
            pass
        if found is not None:
            return found.end()
    return None


def cut(text: str, size: int | None = None) -> list[tuple[int, int]]:
    r"""The pieces of ``text``, as ``(start, end)`` offsets: consecutive, covering it, each at most ``size`` long.

    ``size`` defaults to :data:`PIECE_SIZE` as it is when called. An empty text is one empty piece.

    Raises:
        ValueError: ``size`` is below 2 (a ``\r\n`` must fit in a piece).
    """
    size = PIECE_SIZE if size is None else size
    if size < 2:
        raise ValueError(f"a piece must hold at least 2 characters; got size={size!r}")
    pieces = []
    start = 0
    while len(text) - start > size:
        end = start + size
        if text[end - 1: end + 1] == "\r\n":
            end -= 1  # "\r\n" is one line break: the piece stops before it, never inside it
        at = _cut_at(text, start + size // 2, end) or _cut_at(text, start, end) or end
        pieces.append((start, at))
        start = at
    pieces.append((start, len(text)))
    return pieces
