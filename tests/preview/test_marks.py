"""Tests for augment.preview.marks: the changed words marked in the original, from params or by comparison."""

from __future__ import annotations

import warnings

import pytest

from augment.preview.marks import change_list, decode_start, segments


def one_op(changes, unit="file"):
    return {"unit": unit, "ops": [{"op": "SynonymAug", "changes": changes}]}


def change(index, old, new, line=1):
    return {"line": line, "index": index, "original": old, "replacement": new}


def rebuilt(parts):
    """The copy the marks describe: the original with the old words out and the new ones in."""
    return "".join(text for kind, text in parts if kind != "old")


def test_a_one_op_chain_is_marked_from_its_params():
    original = "The quick brown fox jumps over the lazy dog."
    params = one_op([change(1, "quick", "fast"), change(8, "dog", "hound")])
    parts = segments(original, None, params)
    assert parts == [("same", "The "), ("old", "quick"), ("new", "fast"), ("same", " brown fox jumps over the lazy "),
                     ("old", "dog"), ("new", "hound"), ("same", ".")]


def test_unit_line_counts_tokens_within_each_line():
    original = "A good film.\r\nA bad book.\n"
    params = one_op([change(1, "good", "fine", line=1), change(1, "bad", "poor", line=2)], unit="line")
    parts = segments(original, None, params)
    assert rebuilt(parts) == "A fine film.\r\nA poor book.\n"
    assert [text for kind, text in parts if kind == "old"] == ["good", "bad"]


def test_deletions_and_insertions():
    original = "one two three"
    params = one_op([change(1, "two", ""), change(3, "", "four")])
    parts = segments(original, None, params)
    assert ("old", "two") in parts and ("new", "four") in parts
    assert rebuilt(parts) == "one  threefour"


def test_params_that_do_not_fit_the_text_fall_back_to_comparing_with_the_copy():
    original = "the cat sat on the mat"
    copy = "the cat sat upon the rug"
    stale = one_op([change(1, "dog", "puppy")])  # the file changed since the manifest was written
    parts = segments(original, copy, stale)
    assert rebuilt(parts) == copy
    assert ("old", "on") in parts and ("new", "rug") in parts


def test_a_longer_chain_is_marked_by_comparison():
    original = "Stay calm and carry on."
    copy = "Stay clam and carry on ."
    params = {"unit": "file", "ops": [{"op": "SynonymAug", "changes": []},
                                      {"op": "RandomCharAug", "changes": [change(1, "calm", "clam")]}]}
    assert rebuilt(segments(original, copy, params)) == copy


def test_the_real_text_backend_params_mark_exactly_what_it_changed():
    from augment.backends.text import TextAugmenter

    original = "This movie was wonderful, the actors were great and the story moved me.\nI liked it a lot.\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for unit in ("file", "line"):
            result = TextAugmenter(unit=unit, aug_p=0.5).augment(original, seed=4)
            parts = segments(original, None, result.params)
            assert rebuilt(parts) == result.data
            assert any(kind == "old" for kind, _ in parts)


def test_limit_stops_after_about_that_many_characters():
    original = "word " * 400
    parts = segments(original, None, one_op([change(1, "word", "term"), change(300, "word", "term")]), limit=100)
    assert sum(len(t) for _, t in parts) < 120 and ("new", "term") in parts


def test_decode_start_drops_a_cut_character_and_the_bom():
    data = "\ufeffcafé ☕".encode()
    assert decode_start(data) == "café ☕"
    assert decode_start(data[:-1]) == "café "  # the cup cut in the middle of its bytes


@pytest.mark.parametrize(("changes", "expected"), [
    ([], "no change"),
    ([change(1, "a", "b"), change(2, "c", ""), change(3, "", "d")], "a -> b, -c, +d"),
    ([change(i, f"w{i}", "x") for i in range(8)], "w0 -> x, w1 -> x, w2 -> x, w3 -> x, w4 -> x, w5 -> x (+2 more)"),
])
def test_change_list(changes, expected):
    assert change_list(one_op(changes)) == expected
