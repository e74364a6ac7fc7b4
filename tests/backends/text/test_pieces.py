"""Tests for augment.backends.text.pieces: where a big text is cut, keeping every byte."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augment.backends.text import pieces
from augment.backends.text.pieces import cut, in_pieces

from conftest import SENTENCES


def texts_of(text: str, spans: list[tuple[int, int]]) -> list[str]:
    return [text[start:end] for start, end in spans]


def assert_pieces(text: str, spans: list[tuple[int, int]], size: int) -> None:
    """Consecutive, covering ``text``, none empty (unless the text is), none longer than ``size``, no CRLF split."""
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))
    assert all(0 < end - start <= size for start, end in spans) or text == ""
    assert "".join(texts_of(text, spans)) == text
    assert not any(text[end - 1: end + 1] == "\r\n" for _, end in spans[:-1])


def test_the_settings_are_documented_sizes():
    assert pieces.PIECES_FROM == 1 << 20 and pieces.PIECE_SIZE == 1 << 14


def test_a_short_text_is_one_piece():
    assert cut("one line\n", 100) == [(0, 9)]
    assert cut("", 100) == [(0, 0)]
    assert cut("x" * 100, 100) == [(0, 100)]


def test_paragraphs_come_first():
    paragraphs = ["\n".join(SENTENCES[:2]), "\n".join(SENTENCES[2:]), SENTENCES[0]]
    text = "\n\n".join(paragraphs) + "\n"
    spans = cut(text, 200)
    assert_pieces(text, spans, 200)
    assert texts_of(text, spans)[0] == paragraphs[0] + "\n\n"
    # A blank line holding spaces ends a paragraph too, and stays whole.
    text = "a b c d e f g h.\n \t\nnext one here\nand more words"
    assert texts_of(text, cut(text, 30))[0] == "a b c d e f g h.\n \t\n"


def test_then_lines_then_sentences_then_spaces():
    lines = "\n".join(SENTENCES)  # no blank line: cut after a line break
    first = texts_of(lines, cut(lines, 160))[0]
    assert first.endswith("\n") and first.count("\n") == 2
    one_line = " ".join(SENTENCES)  # no line break: after the end of a sentence
    first = texts_of(one_line, cut(one_line, 160))[0]
    assert first == SENTENCES[0] + " " + SENTENCES[1] + " "
    words = "alpha beta gamma delta " * 10  # no sentence: after a space
    spans = cut(words, 50)
    assert_pieces(words, spans, 50)
    assert all(piece.endswith(" ") for piece in texts_of(words, spans))


def test_pieces_are_at_least_half_as_long_as_they_may_be():
    text = ("word " * 2000).strip()
    spans = cut(text, 100)
    assert_pieces(text, spans, 100)
    assert all(end - start >= 50 for start, end in spans[:-1])
    # A boundary in the first half only is used when the second half has none.
    text = "a\n\n" + "b" * 200
    assert texts_of(text, cut(text, 100))[0] == "a\n\n"


def test_other_non_word_characters_then_a_hard_cut():
    text = "x" * 60 + "," + "y" * 60
    assert texts_of(text, cut(text, 100))[0] == "x" * 60 + ","
    text = "z" * 250  # one word longer than a piece: cut inside it
    assert cut(text, 100) == [(0, 100), (100, 200), (200, 250)]


def test_crlf_is_never_split():
    # The hard cut at 100 would fall between "\r" and "\n".
    text = "a" * 99 + "\r\n" + "b" * 50
    spans = cut(text, 100)
    assert_pieces(text, spans, 100)
    assert texts_of(text, spans)[0] == "a" * 99  # the line break goes with the next piece
    text = "a b\r\n" + "c" * 200  # a line break as the boundary: "\r\n" whole
    assert texts_of(text, cut(text, 100))[0] == "a b\r\n"


def test_a_piece_must_hold_a_line_break():
    with pytest.raises(ValueError, match="at least 2 characters; got size=1"):
        cut("abc", 1)


def test_the_size_threshold_counts_utf8_bytes():
    assert not in_pieces("a" * 99, 100) and in_pieces("a" * 100, 100)
    assert in_pieces("é" * 50, 100) and not in_pieces("é" * 49, 100)  # two bytes each
    assert in_pieces("\U0001f600" * 25, 100)  # four bytes each
    assert not in_pieces("", 1)


def test_the_threshold_defaults_to_the_setting_as_it_is(monkeypatch):
    assert not in_pieces("a" * 1000)
    monkeypatch.setattr(pieces, "PIECES_FROM", 1000)
    assert in_pieces("a" * 1000)
    monkeypatch.setattr(pieces, "PIECE_SIZE", 10)
    assert len(cut("word " * 20)) == 10


_ALPHABET = st.sampled_from(list("ab \n\r\t.,!?'-\u00e9\u4e2d\U0001f600"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ALPHABET, max_size=400).map("".join), st.integers(2, 60))
def test_any_text_is_cut_into_consecutive_pieces_that_join_into_it(text, size):
    spans = cut(text, size)
    assert_pieces(text, spans, size)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=30),
       st.lists(st.sampled_from([" ", "\n", "\r\n", "\n\n", "  \n\n  "]), min_size=30, max_size=30))
def test_prose_is_cut_only_between_words(sentences, seps):
    text = "".join(s + sep for s, sep in zip(sentences, seps, strict=False))
    spans = cut(text, 120)
    assert_pieces(text, spans, 120)
    for start, _ in spans[1:]:
        assert re.match(r"\s", text[start - 1])  # a piece ends in white space, so no word is cut
