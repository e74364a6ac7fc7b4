"""Tests for augment.backends.text.encoding: UTF-8 exactly, and UTF-16/32, binary data and other text named."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from augment.backends.text.encoding import decode_text, wide_encoding
from augment.core.result import BadInputError

LATIN = "Caf\u00e9 au lait, s'il vous pla\u00eet.\r\nThe quick brown fox.\n"


def _message(name: str, order: str, marked: bool) -> str:
    return (f"{name} is not supported (save it as UTF-8): this is {name} {order}-endian text, "
            f"{'with' if marked else 'without'} a byte-order mark")


@pytest.mark.parametrize("codec, name, order", [
    ("utf-16-le", "UTF-16", "little"), ("utf-16-be", "UTF-16", "big"),
    ("utf-32-le", "UTF-32", "little"), ("utf-32-be", "UTF-32", "big"),
])
@pytest.mark.parametrize("marked", [True, False])
def test_utf16_and_utf32_are_named_with_or_without_a_mark(codec, name, order, marked):
    raw = (("\ufeff" if marked else "") + LATIN).encode(codec)
    assert wide_encoding(raw) == (name, f"{order}-endian", marked)
    with pytest.raises(BadInputError, match="^" + re.escape(f"wide.txt: {_message(name, order, marked)}") + "$"):
        decode_text(raw, "wide.txt")


def test_the_mark_alone_or_a_cut_surrogate_pair_is_still_named():
    assert wide_encoding(b"\xff\xfe") == ("UTF-16", "little-endian", True)
    assert wide_encoding(b"\xff\xfe\x00\x00") == ("UTF-32", "little-endian", True)  # not UTF-16 + a NUL
    cut = ("ab \U0001f600 cd " * 300).encode("utf-16-le")[:4095]  # a surrogate pair cut by the sample's end
    assert wide_encoding(cut) == ("UTF-16", "little-endian", False)


def test_binary_data_with_nul_bytes_is_binary_data():
    for raw in (b"PK\x03\x04\x00\x00\x08\x00binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                bytes(range(256)) * 4, b"a\x00\x00\x00\x00b"):
        assert wide_encoding(raw) is None
        with pytest.raises(BadInputError, match=r"^junk\.txt: binary data, not text \(NUL byte at offset \d+\)$"):
            decode_text(raw, "junk.txt")


def test_text_in_another_8_bit_encoding_is_not_utf8():
    with pytest.raises(BadInputError, match=r"not UTF-8 text: byte 0xe9 at offset 3 \(invalid continuation byte\); "
                                            "convert it to UTF-8 first$"):
        decode_text(LATIN.encode("latin-1"), "l.txt")
    # UTF-16 without a mark in a script of two-byte letters has no NUL byte: it is told only as not UTF-8.
    with pytest.raises(BadInputError, match="not UTF-8 text"):
        decode_text("\u4e2d\u6587\u6587\u672c".encode("utf-16-le"), "cjk.txt")


def test_utf8_is_read_exactly_with_its_bom_and_line_endings():
    text = "\ufeffone\r\ntwo\rthree\n\u00e9\U0001f600"
    assert decode_text(text.encode("utf-8")) == text
    assert decode_text(b"") == ""


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00")))
def test_any_utf8_text_without_nul_reads_back_exactly(text):
    assert decode_text(text.encode("utf-8")) == text


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=200),
       st.sampled_from(["utf-16", "utf-32"]))
def test_any_text_written_with_a_mark_is_named(text, codec):
    # (U+0000 first is left out: after UTF-16's mark it makes UTF-32's, FF FE 00 00.)
    raw = text.encode(codec)  # Python writes the mark
    with pytest.raises(BadInputError, match=f"^{codec.upper()} is not supported"):
        decode_text(raw)
