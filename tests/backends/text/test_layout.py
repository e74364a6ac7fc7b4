"""Tests for augment.backends.text.layout: nlpaug's tokens, and the text rebuilt around what an op changed."""

from __future__ import annotations

import pytest
from nlpaug.util.text.tokenizer import Tokenizer

from augment.backends.text import TextAugmenter
from augment.backends.text.layout import LINE_BREAK, LayoutTokenizer, _anchored_opcodes, _difflib_opcodes, token_spans
from backends.text.helpers import CRLF_TEXT, LINE_END, LONG, replay


@pytest.mark.parametrize("text", [LONG, CRLF_TEXT, "", "  \r\n\t", "a--b  (c) d's e_f 3.5!", "naïve café\u00a0x"])
def test_token_spans_are_nlpaugs_tokens(text):
    assert [text[s:e] for s, e in token_spans(text)] == Tokenizer.tokenizer(text)


def test_line_break_is_any_newline():
    assert LINE_BREAK.findall("a\r\nb\rc\nd") == ["\r\n", "\r", "\n"]


def test_tokens_know_their_position_and_stay_strings():
    layout = LayoutTokenizer()
    tokens = layout.tokenize("The dog, the cat.")
    assert tokens == ["The", "dog", ",", "the", "cat", "."]
    assert [t.position for t in tokens] == list(range(6))
    assert tokens[1].index("o") == 1  # str.index is not shadowed


def test_detokenize_of_unchanged_tokens_is_the_text():
    text = "\tThe  quick\r\n\r\nbrown fox.  "
    layout = LayoutTokenizer()
    tokens = layout.tokenize(text)
    assert layout.detokenize(tokens) == text and layout.result == (text, [])


def test_substitution_and_deletion_keep_the_separators():
    text = "alpha beta\r\ngamma delta\r\n"
    layout = LayoutTokenizer()
    tokens = layout.tokenize(text)
    assert layout.detokenize([tokens[0], "BETA", *tokens[2:]]) == "alpha BETA\r\ngamma delta\r\n"
    assert layout.result[1] == [(6, "beta", "BETA")]
    # Deleting the last word of a line keeps the line break.
    assert layout.detokenize([tokens[0], *tokens[2:]]) == "alpha\r\ngamma delta\r\n"
    # Deleting across a line break keeps it.
    assert layout.detokenize([tokens[0], tokens[3]]) == "alpha\r\ndelta\r\n"


def test_anchored_opcodes_match_difflibs():
    layout = LayoutTokenizer()
    seen = layout.tokenize(LONG)
    kept = [t for k, t in enumerate(seen) if k % 3]  # nlpaug passes kept tokens through as they are
    new = kept[:5] + ["inserted"] + kept[5:]
    assert _anchored_opcodes(len(seen), new, seen) == _difflib_opcodes(seen, new)
    # Tokens out of order are not anchors: the caller falls back to difflib.
    assert _anchored_opcodes(len(seen), seen[::-1], seen) is None


def test_layout_is_preserved_exactly():
    text = ("\ufeff  The quick brown fox jumps over the lazy dog.\r\n"
            "\r\n"
            "\tA happy child reads a good book about brave sailors.   \r\n"
            "\n"
            "This movie was wonderful,  the actors were great.\r\n")
    for seed in range(4):
        result = TextAugmenter(aug_p=0.5).augment(text, seed=seed)
        out = result.data
        assert result.params["ops"][0]["changes"]
        assert replay(text, result.params) == out
        assert out.startswith("\ufeff  The ") and out.endswith(".\r\n")
        assert "\r\n\r\n\t" in out and "   \r\n\n" in out
        assert out.count("\r\n") == 4 and out.count("\n") == 5


def test_deletions_keep_the_lines():
    text = "alpha beta\r\ngamma delta\r\n\r\nepsilon zeta eta\r\n"
    aug = TextAugmenter(ops=[{"op": "RandomWordAug", "action": "delete", "aug_p": 0.5}])
    for seed in range(6):
        result = aug.augment(text, seed=seed)
        assert LINE_END.findall(result.data) == LINE_END.findall(text)
        assert "\r\n\r\n" in result.data and replay(text, result.params) == result.data
        assert "  " not in result.data
