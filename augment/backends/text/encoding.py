"""The bytes of a text file as text: UTF-8 exactly, and a clear reason for anything else.

The text backend reads UTF-8 (with or without a BOM, which is kept). Text in
UTF-16 or UTF-32, which Windows tools write ("Unicode" in Notepad, PowerShell's
``>``), is named as such, with or without its byte-order mark, rather than
being called binary data for its NUL bytes; so is other text that is not UTF-8
(the first bad byte and its offset), and binary data (the first NUL byte).
"""

from __future__ import annotations

import codecs
import os

from augment.core.result import BadInputError

__all__ = ["decode_text", "wide_encoding"]

# Longest first: the UTF-32 little-endian mark starts with the UTF-16 one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32", "little-endian"),
    (codecs.BOM_UTF32_BE, "UTF-32", "big-endian"),
    (codecs.BOM_UTF16_LE, "UTF-16", "little-endian"),
    (codecs.BOM_UTF16_BE, "UTF-16", "big-endian"),
)
# How much of a file without a byte-order mark is looked at to recognise UTF-16 or UTF-32.
_SAMPLE = 4096
# Text that is not mostly letters and spaces (control characters, unassigned code points) is not taken for text.
_TEXT_SHARE = 0.95
_FEWEST = 4


def _texty(text: str) -> bool:
    """Whether ``text`` reads as text: printable characters and ordinary white space, nearly all of it.

    A few characters are too few to tell.
    """
    if len(text) < _FEWEST:
        return False
    good = sum(ch.isprintable() or ch in "\t\n\r\f" for ch in text)
    return good >= _TEXT_SHARE * len(text)


def _decodes(sample: bytes, codec: str, unit: int) -> str | None:
    """``sample`` decoded with ``codec``, dropping a code unit cut off at its end; None if it does not decode."""
    sample = sample[: len(sample) - len(sample) % unit]
    for trim in (0, unit):  # a surrogate pair cut in two at the end of the sample
        try:
            return sample[: len(sample) - trim].decode(codec)
        except UnicodeDecodeError:
            continue
    return None


def wide_encoding(raw: bytes) -> tuple[str, str, bool] | None:
    """``(encoding, byte order, has a byte-order mark)`` if ``raw`` is UTF-16 or UTF-32 text, else None.

    Without a byte-order mark, the first few kilobytes must decode and read as
    text (four characters at least), and their NUL bytes sit where the high
    bytes of Latin-script text in that encoding are (UTF-16 little-endian: at
    odd offsets, at least four times as many as at even ones; UTF-32: the two
    high bytes of nearly every code unit).
    Text in other scripts without a mark has no NUL bytes and is not told
    from other text that is not UTF-8.
    """
    for bom, name, order in _BOMS:
        if raw.startswith(bom):
            return name, order, True
    sample = raw[:_SAMPLE]
    if b"\x00" not in sample:
        return None
    for name, unit in (("UTF-32", 4), ("UTF-16", 2)):
        for order, codec in (("little-endian", f"{name.lower()}-le"), ("big-endian", f"{name.lower()}-be")):
            head = sample[: len(sample) - len(sample) % unit]
            # Where the NUL bytes of Latin-script text go: the high bytes of each code unit.
            if name == "UTF-16":
                high, low = (head[1::2], head[0::2]) if order == "little-endian" else (head[0::2], head[1::2])
                wide = high.count(0) >= max(0.3 * len(high), 4 * low.count(0))
            else:
                units = [head[i: i + 4] for i in range(0, len(head), 4)]
                top = [u[2:] if order == "little-endian" else u[:2] for u in units]
                wide = sum(t == b"\x00\x00" for t in top) >= 0.9 * len(top)
            if wide:
                text = _decodes(sample, codec, unit)
                if text is not None and _texty(text):
                    return name, order, False
    return None


def decode_text(raw: bytes, path: str | os.PathLike[str] | None = None) -> str:
    """``raw`` as UTF-8 text, exactly (no newline translation; a BOM is kept).

    Raises:
        BadInputError: The bytes are UTF-16 or UTF-32 text, binary data (a NUL
            byte) or not UTF-8; the reason says which, and where.
    """
    wide = wide_encoding(raw)
    if wide is not None:
        name, order, marked = wide
        mark = "with" if marked else "without"
        raise BadInputError(path, f"{name} is not supported (save it as UTF-8): this is {name} "
                                  f"{order} text, {mark} a byte-order mark")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise BadInputError(path, f"binary data, not text (NUL byte at offset {nul})")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = raw[exc.start: exc.start + 1]
        raise BadInputError(
            path,
            f"not UTF-8 text: byte 0x{bad.hex()} at offset {exc.start} ({exc.reason}); "
            "convert it to UTF-8 first",
        ) from None
