"""Tests for augment.backends.text.augmenter.TextAugmenter: chains of nlpaug ops over the real WordNet.

WordNet is the system database (Debian's wordnet-base + wordnet-sense-index,
installed here and in CI) or NLTK's own data; nothing is ever downloaded.
Every check of an output goes through ``replay`` (tests/backends/text/helpers.py),
which rebuilds the output from the input and the recorded changes alone, op by op.
"""

from __future__ import annotations

import json
import os
import pickle
import random
import re
import subprocess
import sys
from collections import Counter

import nltk
import numpy as np
import pytest

from augment.backends.text import MissingNLTKDataError, TextAugmenter, pieces, taggers, wordnet
from augment.backends.text.quality import REASONS
from augment.core.registry import backend
from augment.core.result import BadInputError
from augment.core.seeding import derive_seed
from backends.text.helpers import (
    CRLF_TEXT,
    EVERY_OP,
    LINE_END,
    LONG,
    apply_changes,
    assert_same_layout,
    op_id,
    replay,
    token_spans,
)

from conftest import SENTENCES, write_text

# ------------------------------------------------------------------ construction


def test_defaults_and_modality():
    aug = TextAugmenter()
    assert aug.modality == "text" and aug.extensions == backend("text").extensions
    assert aug.config() == {"unit": "file", "ops": [{"op": "SynonymAug", "aug_p": 0.3}]}
    assert TextAugmenter(ops=[{"op": "SynonymAug", "aug_p": 0.3}]) == aug
    assert aug.handles("review.TXT") and not aug.handles("review.md")
    # The default recipe's table is what an augmenter built with no arguments holds.
    assert TextAugmenter.options == ("unit",)
    assert dict(TextAugmenter.default_table) == aug.config()
    assert TextAugmenter(**TextAugmenter.default_table) == aug


def test_shorthand_builds_one_synonym_op():
    aug = TextAugmenter(aug_p=0.5, aug_min=2, lang="eng")
    assert aug.config() == {"unit": "file", "ops": [{"op": "SynonymAug", "aug_p": 0.5, "aug_min": 2}]}
    assert aug == TextAugmenter(ops=[{"op": "SynonymAug", "aug_p": 0.5, "aug_min": 2}])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"aug_src": "ppdb"}, "aug_src"),
        ({"aug_p": 1.5}, "aug_p"),
        ({"aug_p": -0.1}, "aug_p"),
        ({"aug_p": "0.3"}, "aug_p"),
        ({"aug_p": True}, "aug_p"),
        ({"aug_min": -1}, "aug_min"),
        ({"aug_min": 1.5}, "aug_min"),
        ({"aug_max": 0}, "aug_max"),
        ({"aug_max": "5"}, "aug_max"),
        ({"aug_min": 4, "aug_max": 3}, "aug_max"),
        ({"lang": ""}, "lang"),
        ({"stopwords": "the"}, "stopwords"),
        ({"stopwords": ["the", 3]}, "stopwords"),
        ({"stopwords_regex": "(unclosed"}, "stopwords_regex"),
        ({"stopwords_regex": 5}, "stopwords_regex"),
        ({"unit": "page"}, "unit"),
    ],
)
def test_invalid_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name) as info:
        TextAugmenter(**kwargs)
    assert repr(kwargs[name]) in str(info.value)


def test_ops_shape_and_shorthand_arguments_together():
    with pytest.raises(ValueError, match=r"^ops must be a list"):
        TextAugmenter(ops={"op": "SynonymAug"})
    with pytest.raises(ValueError, match=r"^ops is empty"):
        TextAugmenter(ops=[])
    with pytest.raises(ValueError, match=r"^ops\[2\]: an op must be a table"):
        TextAugmenter(ops=[{"op": "SplitAug"}, "SplitAug"])
    with pytest.raises(ValueError, match=r"aug_p=0\.5 .*put it inside the op.*'aug_p': 0\.5"):
        TextAugmenter(aug_p=0.5, ops=[{"op": "SplitAug"}])


def test_config_rebuilds_equal_and_pickles_after_use():
    aug = TextAugmenter(aug_p=0.5, aug_min=2, aug_max=None, stopwords=["dog"],
                        stopwords_regex=r"^qu", unit="line")
    config = aug.config()
    assert config == {"unit": "line", "ops": [{
        "op": "SynonymAug", "aug_p": 0.5, "aug_min": 2, "aug_max": 1_000_000_000,
        "stopwords": ["dog"], "stopwords_regex": "^qu"}]}
    assert json.loads(json.dumps(config)) == config
    assert TextAugmenter(**config) == aug and hash(TextAugmenter(**config)) == hash(aug)
    first = aug.augment(LONG, seed=2)
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and clone.augment(LONG, seed=2) == first
    assert clone._built is not None and pickle.loads(pickle.dumps(aug))._built is None  # ops rebuilt lazily


def test_config_with_ops_round_trips_and_pickles():
    ops = [{"op": "SynonymAug", "aug_max": None, "stopwords": ("dog",), "stopwords_regex": None},
           {"op": "ReservedAug", "reserved_tokens": (("FWD", "FW"),)},
           {"op": "RandomCharAug", "action": "swap", "aug_word_max": None}]
    aug = TextAugmenter(unit="line", ops=ops)
    config = aug.config()
    # As given, minus None defaults; no-limit caps and tuples in TOML-safe shapes.
    assert config == {"unit": "line", "ops": [
        {"op": "SynonymAug", "aug_max": 1_000_000_000, "stopwords": ["dog"]},
        {"op": "ReservedAug", "reserved_tokens": [["FWD", "FW"]]},
        {"op": "RandomCharAug", "action": "swap", "aug_word_max": 1_000_000_000}]}
    assert json.loads(json.dumps(config)) == config
    assert not any(v is None for op in config["ops"] for v in op.values())
    rebuilt = TextAugmenter(**config)
    assert rebuilt == aug and hash(rebuilt) == hash(aug) and rebuilt.config() == config
    config["ops"][0]["aug_p"] = 0.9  # a copy: changing it changes nothing
    assert aug.config()["ops"][0] == {"op": "SynonymAug", "aug_max": 1_000_000_000, "stopwords": ["dog"]}
    first = aug.augment(CRLF_TEXT, seed=3)
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and clone.augment(CRLF_TEXT, seed=3) == first
    assert TextAugmenter(ops=ops) != aug  # unit differs


# ------------------------------------------------------------------ every op, on a real file


@pytest.mark.parametrize("unit", ["file", "line"])
@pytest.mark.parametrize("op", EVERY_OP, ids=op_id)
def test_every_op_runs_on_a_crlf_file_and_keeps_its_layout(tmp_path, op, unit):
    src = write_text(tmp_path / "in" / "note.txt", CRLF_TEXT)
    aug = TextAugmenter(unit=unit, ops=[op])
    first = aug.augment_file(src, tmp_path / "a.txt", seed=21)
    again = TextAugmenter(unit=unit, ops=[op]).augment_file(src, tmp_path / "b.txt", seed=21)
    out = (tmp_path / "a.txt").read_bytes()
    assert src.read_bytes() == CRLF_TEXT.encode("utf-8")
    assert out == (tmp_path / "b.txt").read_bytes() and first.params == again.params
    text = out.decode("utf-8")
    assert text != CRLF_TEXT and "nnnnn" not in text
    assert_same_layout(CRLF_TEXT, text)
    params = first.params
    assert json.loads(json.dumps(params)) == params
    assert params["unit"] == unit and len(params["ops"]) == 1
    record = params["ops"][0]
    assert record["op"] == op["op"] and record.get("action") == op.get("action")
    assert record["changes"] and all(
        set(c) - {"relation"} == {"line", "index", "original", "replacement"} and c["original"] != c["replacement"]
        for c in record["changes"])
    uses_wordnet = op["op"] in ("SynonymAug", "AntonymAug")
    assert (params["tagger"] is not None) == uses_wordnet and (params["wordnet"] is not None) == uses_wordnet
    assert replay(CRLF_TEXT, params) == text


def test_a_chain_applies_in_order():
    ops = [{"op": "SynonymAug", "aug_p": 0.5}, {"op": "SplitAug", "aug_p": 0.5},
           {"op": "RandomCharAug", "action": "swap", "aug_word_p": 0.5}]
    result = TextAugmenter(ops=ops).augment(CRLF_TEXT, seed=4)
    assert [op["op"] for op in result.params["ops"]] == ["SynonymAug", "SplitAug", "RandomCharAug"]
    assert all(op["changes"] for op in result.params["ops"])
    assert replay(CRLF_TEXT, result.params) == result.data
    # Each op saw the previous op's output: replaying them in another order fails.
    swapped = dict(result.params, ops=result.params["ops"][::-1])
    with pytest.raises(AssertionError):
        assert replay(CRLF_TEXT, swapped) == result.data
    assert_same_layout(CRLF_TEXT, result.data)
    line = TextAugmenter(unit="line", ops=ops).augment(CRLF_TEXT, seed=4)
    assert replay(CRLF_TEXT, line.params) == line.data and line.data != result.data


def test_zero_counts_mean_nothing_changes():
    for op in [{"op": "RandomWordAug", "aug_p": 0, "aug_min": 0},
               {"op": "SplitAug", "aug_min": 0, "aug_max": 0},
               {"op": "KeyboardAug", "aug_word_min": 0, "aug_word_max": 0},
               {"op": "RandomCharAug", "aug_char_min": 0, "aug_char_max": 0}]:
        result = TextAugmenter(ops=[op]).augment(CRLF_TEXT, seed=1)
        assert result.data == CRLF_TEXT and result.params["ops"][0]["changes"] == [], op
    one = TextAugmenter(ops=[{"op": "RandomWordAug", "aug_p": 0}]).augment(LONG, seed=1)
    assert len(one.params["ops"][0]["changes"]) == 1  # aug_p=0 leaves aug_min=1 (nlpaug reads 0 as 0.3)


# ------------------------------------------------------------------ seeding


def test_same_seed_same_output_and_different_seeds_differ():
    aug = TextAugmenter()
    a, b = aug.augment(LONG, seed=11), TextAugmenter().augment(LONG, seed=11)
    assert a.data == b.data and a.params == b.params
    outputs = {aug.augment(LONG, seed=s).data for s in range(6)}
    assert len(outputs) >= 5 and LONG not in outputs
    chain = TextAugmenter(ops=EVERY_OP[2:])
    assert len({chain.augment(CRLF_TEXT, seed=s).data for s in range(4)}) == 4


def test_first_sample_of_a_fresh_process_is_reproducible(tmp_path):
    # Importing nlpaug draws from the global RNG, and SpellingAug's candidates come
    # in hash order: a worker's first file, under any hash seed, must not differ.
    ops = [{"op": "SpellingAug", "aug_p": 0.6}, {"op": "RandomWordAug", "action": "swap"}]
    code = ("import json, sys; from augment.backends.text import TextAugmenter; "
            "r = TextAugmenter().augment(sys.argv[1], seed=11); "
            f"s = TextAugmenter(ops={ops!r}).augment(sys.argv[1], seed=11); "
            "print(json.dumps([r.data, r.params, s.data, s.params]))")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", code, LONG],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    here = TextAugmenter().augment(LONG, seed=11)
    spelled = TextAugmenter(ops=ops).augment(LONG, seed=11)
    assert json.loads(proc.stdout) == [here.data, here.params, spelled.data, spelled.params]


def test_global_rng_state_restored():
    random.seed(99)
    np.random.seed(99)
    py_state, np_state = random.getstate(), np.random.get_state()
    TextAugmenter().augment(LONG, seed=1)
    TextAugmenter(ops=EVERY_OP).augment(CRLF_TEXT, seed=1)  # SplitAug draws from numpy
    assert random.getstate() == py_state
    assert np.array_equal(np.random.get_state()[1], np_state[1])


# ------------------------------------------------------------------ params


def test_params_are_json_safe_and_match_the_real_diff():
    result = TextAugmenter().augment(LONG, seed=5)
    params = result.params
    assert json.loads(json.dumps(params)) == params
    assert set(params) == {"unit", "tagger", "wordnet", "ops"} and params["unit"] == "file"
    assert params["tagger"] in ("averaged_perceptron_tagger_eng", "wordnet-fallback-2")
    assert params["wordnet"] in ("nltk", "system")
    records = params["ops"][0]["changes"]
    assert params["ops"][0]["op"] == "SynonymAug" and set(params["ops"][0]) == {"op", "quality", "changes", "skipped"}
    assert params["ops"][0]["quality"] is True
    skipped = params["ops"][0]["skipped"]
    assert skipped and set(skipped) <= set(REASONS) and all(isinstance(n, int) and n > 0 for n in skipped.values())
    assert list(skipped) == [r for r in REASONS if r in skipped]  # in REASONS' order
    assert records and all(set(r) - {"relation"} == {"line", "index", "original", "replacement"} for r in records)
    assert all(r["line"] == 1 and r["original"] != r["replacement"] for r in records)
    # Substitutions: each change is exactly one original token.
    words = [LONG[s:e] for s, e in token_spans(LONG)]
    assert all(words[r["index"]] == r["original"] for r in records)
    # aug_p=0.3 of the tokens, capped at aug_max=10
    assert len(records) <= 10
    assert replay(LONG, params) == result.data
    assert TextAugmenter(ops=[{"op": "SplitAug"}]).augment(LONG, seed=5).params["tagger"] is None


def test_unit_line_augments_each_line_and_keeps_blank_lines():
    lines = [SENTENCES[0], "", SENTENCES[1], "   ", SENTENCES[2], SENTENCES[3]]
    text = "\n".join(lines) + "\n"
    result = TextAugmenter(unit="line").augment(text, seed=3)
    out_lines = result.data.split("\n")
    assert len(out_lines) == len(lines) + 1 and out_lines[-1] == ""
    assert out_lines[1] == "" and out_lines[3] == "   "
    assert all(out_lines[i] != lines[i] for i in (0, 2, 4, 5))
    assert {r["line"] for r in result.params["ops"][0]["changes"]} == {1, 3, 5, 6}
    assert result.params["unit"] == "line"
    assert replay(text, result.params) == result.data


def test_aug_max_and_stopwords_are_honoured():
    def changes(aug, text):
        return aug.augment(text, seed=1).params["ops"][0]["changes"]

    capped = changes(TextAugmenter(aug_p=1.0, aug_max=2), LONG)
    assert 1 <= len(capped) <= 2
    words = sorted(set(re.findall(r"\w+", SENTENCES[0])))
    kept = TextAugmenter(aug_p=1.0, stopwords=words).augment(SENTENCES[0], seed=1)
    assert kept.data == SENTENCES[0] and kept.params["ops"][0]["changes"] == []
    skipped = TextAugmenter(aug_p=1.0, aug_max=None, stopwords_regex=r"^[a-z]")
    assert all(not r["original"][0].islower() for r in changes(skipped, SENTENCES[0]))
    unlimited = TextAugmenter(ops=[{"op": "RandomCharAug", "aug_word_p": 1.0, "aug_word_max": None}])
    assert len(changes(unlimited, LONG)) > 10


def test_nothing_replaceable_returns_text_unchanged():
    aug = TextAugmenter(ops=[{"op": "SynonymAug"}, {"op": "SplitAug"}, {"op": "KeyboardAug"}])
    for text in ["", "   \n\n", "... !!! ???\n", "Xq a pl, zz.\n"]:
        result = aug.augment(text, seed=1)
        assert result.data == text
        assert [op["changes"] for op in result.params["ops"]] == [[], [], []]
    zero = TextAugmenter(aug_p=0.0, aug_min=0).augment(LONG, seed=1)
    assert zero.data == LONG and zero.params["ops"][0]["changes"] == []


# ------------------------------------------------------------------ files and in-memory data


def test_augment_file_round_trip(tmp_path):
    src = write_text(tmp_path / "in" / "review.txt",
                     "\ufeff" + SENTENCES[0] + "\r\n\r\n" + SENTENCES[1] + "\r\n")
    original = src.read_bytes()
    dst = tmp_path / "out" / "review_aug1.txt"
    dst.parent.mkdir()
    aug = TextAugmenter(unit="line")
    result = aug.augment_file(src, dst, seed=8)
    assert src.read_bytes() == original
    assert result.data is None and result.seed == 8 and result.params["ops"][0]["changes"]
    written = dst.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and written.endswith(b".\r\n")
    assert written.count(b"\r\n") == 3 and written.count(b"\n") == 3
    assert written.decode("utf-8") == aug.augment(aug.read(src), seed=8).data
    assert aug.read(dst) == written.decode("utf-8")


def test_read_keeps_newlines_and_bom(tmp_path):
    path = write_text(tmp_path / "a.txt", "\ufeffone\r\ntwo\rthree\n")
    assert TextAugmenter().read(path) == "\ufeffone\r\ntwo\rthree\n"


def test_non_utf8_input_is_a_bad_input_error(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("naïve café\n".encode("latin-1"))
    with pytest.raises(BadInputError, match="offset 2") as info:
        TextAugmenter().read(path)
    assert info.value.path == str(path) and "UTF-8" in info.value.reason


@pytest.mark.parametrize("encoding, bom", [("utf-16", True), ("utf-16-le", False), ("utf-16-be", True),
                                           ("utf-16-be", False), ("utf-32", True), ("utf-32-be", False)])
def test_utf16_and_utf32_text_are_named_as_such(tmp_path, encoding, bom):
    """With or without a byte-order mark (the full matrix is in test_encoding.py), through the reader."""
    path = tmp_path / "wide.txt"
    text = "The quick brown fox.\r\n"
    data = text.encode(encoding)  # "utf-16" and "utf-32" write a mark (little-endian here)
    if bom and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        data = ("\ufeff" + text).encode(encoding)
    name = "UTF-32" if "32" in encoding else "UTF-16"
    with pytest.raises(BadInputError, match=f"^{re.escape(str(path))}: {name} is not supported \\(save it as "
                                            f"UTF-8\\): this is {name} .*-endian text, {'with' if bom else 'without'} "
                                            "a byte-order mark$") as info:
        TextAugmenter().read(path.write_bytes(data) and path)
    assert info.value.path == str(path)


def test_an_unreadable_path_is_a_bad_input_error(tmp_path):
    with pytest.raises(BadInputError, match="cannot read the file: Is a directory"):
        TextAugmenter().read(tmp_path)
    with pytest.raises(BadInputError, match="cannot read the file: No such file"):
        TextAugmenter().read(tmp_path / "gone.txt")


def test_binary_junk_is_a_bad_input_error(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00\x08\x00binary")
    with pytest.raises(BadInputError, match="NUL byte at offset 4"):
        TextAugmenter().read(path)


def test_empty_file(tmp_path):
    src = write_text(tmp_path / "empty.txt", "")
    result = TextAugmenter().augment_file(src, tmp_path / "empty_aug1.txt", seed=1)
    assert (tmp_path / "empty_aug1.txt").read_bytes() == b""
    assert result.params["ops"] == [{"op": "SynonymAug", "quality": True, "changes": [], "skipped": {}}]


def test_in_memory_data_must_be_text():
    with pytest.raises(BadInputError, match="str"):
        TextAugmenter().augment(b"bytes", seed=1)
    with pytest.raises(TypeError, match="sample_rate"):
        TextAugmenter().augment(SENTENCES[0], seed=1, sample_rate=16000)


def test_write_refuses_non_text(tmp_path):
    with pytest.raises(TypeError, match="str"):
        TextAugmenter().write(b"bytes", tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists()


# ------------------------------------------------------------------ WordNet and the tagger


@pytest.fixture
def no_wordnet(tmp_path, monkeypatch):
    """No WordNet anywhere, and nltk.download forbidden (NLTK's search path restored after)."""
    def forbidden(*args, **kwargs):
        raise AssertionError("nltk.download must never be called implicitly")

    saved = list(nltk.data.path)
    for name in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setattr(nltk, "download", forbidden)
    monkeypatch.setenv("AUGMENT_DIR_CACHE", str(tmp_path / "cache"))
    nltk.data.path[:] = [str(tmp_path)]
    yield
    nltk.data.path[:] = saved


def test_missing_wordnet_is_a_clear_error_and_never_downloads(no_wordnet):
    with pytest.raises(MissingNLTKDataError, match="apt-get install wordnet-base"):
        TextAugmenter().augment(SENTENCES[0], seed=1)
    with pytest.raises(MissingNLTKDataError, match="apt-get install wordnet-base"):
        TextAugmenter(ops=[{"op": "SplitAug"}, {"op": "AntonymAug"}]).augment(SENTENCES[0], seed=1)
    # Ops without WordNet do not need it.
    assert TextAugmenter(ops=[{"op": "SplitAug"}]).augment(SENTENCES[0], seed=1).data != SENTENCES[0]


def test_prepare_checks_wordnet_only_when_an_op_needs_it(no_wordnet):
    TextAugmenter.prepare({"unit": "file", "ops": [{"op": "SplitAug"}, {"op": "KeyboardAug"}]})
    with pytest.raises(MissingNLTKDataError, match="WordNet was not found"):
        TextAugmenter.prepare(TextAugmenter.default_table)
    with pytest.raises(MissingNLTKDataError):
        TextAugmenter.prepare({"ops": [{"op": "SplitAug"}, {"op": "AntonymAug"}]})


def test_prepare_says_once_that_the_fallback_tagger_is_used(tmp_path, monkeypatch):
    saved = list(nltk.data.path)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    monkeypatch.setattr(taggers, "_fallback_warned", False)
    nltk.data.path[:] = [str(tmp_path)]  # WordNet comes back through ensure_wordnet; no tagger does
    try:
        with pytest.warns(taggers.FallbackTaggerWarning, match="python -m augment.backends.text.setup"):
            TextAugmenter.prepare(TextAugmenter().config())
    finally:
        nltk.data.path[:] = saved


def test_other_languages_need_the_multilingual_wordnet(tmp_path, monkeypatch):
    saved = list(nltk.data.path)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    nltk.data.path[:] = [str(tmp_path)]  # WordNet comes back through ensure_wordnet; OMW does not
    try:
        with pytest.raises(MissingNLTKDataError, match="omw"):
            TextAugmenter(lang="fra", quality=False).augment(SENTENCES[0], seed=1)
    finally:
        nltk.data.path[:] = saved


@pytest.mark.parametrize("op", EVERY_OP, ids=op_id)
def test_ops_written_out_explicitly_augment_the_same(op, real_wordnet):
    """A saved recipe writes every default out (explicit_ops); that must not change a single output."""
    explicit = TextAugmenter.explicit_ops([op])
    assert op.items() <= explicit[0].items() and len(explicit[0]) >= len(op)
    given, written = TextAugmenter(ops=[op]), TextAugmenter(ops=explicit)
    for seed in range(4):
        assert written.augment(LONG, seed=seed) == given.augment(LONG, seed=seed)


# ------------------------------------------------------------------ the quality filter's setting


def test_quality_is_a_setting_of_the_wordnet_ops():
    assert TextAugmenter(quality=False).config() == {
        "unit": "file", "ops": [{"op": "SynonymAug", "aug_p": 0.3, "quality": False}]}
    assert TextAugmenter(quality=True) == TextAugmenter()
    explicit = TextAugmenter.explicit_ops([{"op": "SynonymAug"}, {"op": "AntonymAug"}, {"op": "SplitAug"}])
    assert explicit[0]["quality"] is True and explicit[1]["quality"] is True and "quality" not in explicit[2]
    with pytest.raises(ValueError, match=r"quality must be true, false or a profile's name .*; got 'no'"):
        TextAugmenter(quality="no")
    with pytest.raises(ValueError, match=r"quality=True works for English only; pass quality=False for lang='fra'"):
        TextAugmenter(lang="fra")
    with pytest.raises(ValueError, match=r"ops\[1\] \(SplitAug\): unknown parameter 'quality'"):
        TextAugmenter(ops=[{"op": "SplitAug", "quality": True}])


def test_recipes_before_format_2_meant_nlpaugs_own_wordnet_ops():
    ops = [{"op": "SynonymAug"}, {"op": "AntonymAug", "quality": True}, {"op": "SplitAug"}]
    table = {"unit": "line", "ops": ops}
    assert TextAugmenter.table_as_of(table, 1) == {
        "unit": "line", "ops": [{"op": "SynonymAug", "quality": False}, {"op": "AntonymAug", "quality": True},
                                {"op": "SplitAug"}]}
    assert TextAugmenter.table_as_of(table, 2) == table
    assert TextAugmenter.table_as_of({"unit": "file"}, 1) == {"unit": "file"}  # a rule's table without ops
    assert ops[0] == {"op": "SynonymAug"}  # not changed in place


def test_quality_false_records_no_skips():
    params = TextAugmenter(quality=False).augment(LONG, seed=2).params
    assert params["ops"][0]["quality"] is False and "skipped" not in params["ops"][0]
    assert params["ops"][0]["changes"]


def test_skips_add_up_over_the_lines():
    lines = SENTENCES + ["John said he can't find the keys he lost in Paris."]
    text = "\n".join(lines) + "\n"
    whole = TextAugmenter(unit="line").augment(text, seed=3).params["ops"][0]["skipped"]
    each = Counter()
    for line in lines:
        each.update(TextAugmenter().augment(line, seed=3).params["ops"][0]["skipped"])
    assert whole == dict(each) and whole["proper noun"] == 2


def test_a_run_imports_no_nltk_and_nlpaugs_own_wordnet_still_works(tmp_path, real_wordnet_index):
    # Importing NLTK costs 1-2 s per process; the index makes it needless. A user's own
    # nlpaug WordNet in the same process must still find NLTK, on first use.
    code = ("import sys, warnings; warnings.simplefilter('ignore'); "
            "from augment.backends.text import TextAugmenter; "
            f"r = TextAugmenter().augment({LONG!r}, seed=1); assert r.params['ops'][0]['changes']; "
            "assert not [m for m in sys.modules if m.startswith('nltk')], 'NLTK imported'; "
            "import nlpaug.model.word_dict as nmw; "
            "from augment.backends.text import wordnet; wordnet.ensure_wordnet(); "
            "print(nmw.WordNet(lang='eng', is_synonym=True).predict('car', pos='n')[:3])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['car', 'auto', 'automobile']"


# -- batches --------------------------------------------------------------------


def test_a_batch_of_texts_is_each_text_augmented_under_its_item_seed():
    aug = TextAugmenter(ops=[{"op": "RandomWordAug", "action": "swap"}, {"op": "KeyboardAug"}])
    result = aug.augment_batch(SENTENCES, seed=4)
    assert isinstance(result.data, list) and len(result.data) == len(SENTENCES)
    for text, item in zip(SENTENCES, result, strict=True):
        alone = aug.augment(text, seed=item.seed)
        assert item.data == alone.data and item.params == alone.params
    assert result.data != SENTENCES
    assert isinstance(aug.augment_batch(tuple(SENTENCES), seed=4).data, tuple)


@pytest.mark.parametrize("batch, error, message", [
    ("one text", TypeError, "a batch is a list .* of str; got str"),
    (["fine", b"bytes"], BadInputError, "batch item 1: text must be a str; got bytes"),
    (["fine", None], BadInputError, "batch item 1: text must be a str; got NoneType"),
])
def test_a_text_batch_is_a_list_of_str(batch, error, message):
    with pytest.raises(error, match=message):
        TextAugmenter(ops=[{"op": "RandomWordAug"}]).augment_batch(batch, seed=1)


# ------------------------------------------------------------------ big texts, in pieces

# The settings made small, so that a text of a few kilobytes is "big": the threshold
# (bytes) and the size of a piece (characters), read by the backend when it augments.
SMALL_FROM, SMALL_SIZE = 2000, 300


@pytest.fixture
def small_pieces(monkeypatch):
    monkeypatch.setattr(pieces, "PIECES_FROM", SMALL_FROM)
    monkeypatch.setattr(pieces, "PIECE_SIZE", SMALL_SIZE)


# BOM, CRLF and CR and LF, blank lines with spaces, indents, tabs, a line longer than a
# piece, non-ASCII letters (two and four bytes): a few kilobytes.
BIG_TEXT = "\ufeff" + "".join(
    f"  {SENTENCES[i % 4]} Café n\u00b0{i} \U0001f600.{' FWD: Best regards.' * (i % 5 == 0)}"
    f"{[chr(13) + chr(10), chr(10), chr(13)][i % 3]}"
    + ("\t \r\n" if i % 4 == 3 else "")
    for i in range(30)
) + " ".join(SENTENCES * 3) + "\n"


def piece_texts(body: str, unit: str) -> list[str]:
    """The pieces the backend augments ``body`` in (unit "line": each line cut on its own)."""
    if unit == "file":
        return [body[a:b] for a, b in pieces.cut(body)]
    return [line[a:b] for line in LINE_END.split(body) for a, b in pieces.cut(line)]


def replay_pieces(text: str, params: dict) -> str:
    """The output rebuilt from ``text`` and the recorded changes, piece by piece and op by op."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    texts = piece_texts(body, params["unit"])
    assert params["pieces"] == len(texts)
    for op in params["ops"]:
        assert {c["piece"] for c in op["changes"]} <= set(range(1, len(texts) + 1))
    outs = []
    for k, piece in enumerate(texts, start=1):
        for op in params["ops"]:
            piece = apply_changes(piece, [c for c in op["changes"] if c["piece"] == k])
        outs.append(piece)
    if params["unit"] == "file":
        return bom + "".join(outs)
    ends = iter(LINE_END.findall(body) + [""])
    lines = [line for line in LINE_END.split(body)]
    out, k = [], 0
    for line in lines:
        n = len(pieces.cut(line))
        out.append("".join(outs[k: k + n]) + next(ends))
        k += n
    return bom + "".join(out)


def test_a_text_below_the_threshold_is_augmented_whole_as_before(small_pieces):
    text = BIG_TEXT[: 1000]
    assert len(text[1:].encode("utf-8")) < SMALL_FROM
    result = TextAugmenter().augment(text, seed=4)
    assert "pieces" not in result.params and replay(text, result.params) == result.data
    assert all("piece" not in c for c in result.params["ops"][0]["changes"])


@pytest.mark.parametrize("unit", ["file", "line"])
@pytest.mark.parametrize("quality", [True, False])
def test_a_big_text_is_augmented_in_pieces_keeping_every_byte_of_its_layout(small_pieces, unit, quality):
    body = BIG_TEXT[1:]
    assert len(body.encode("utf-8")) >= SMALL_FROM
    aug = TextAugmenter(unit=unit, quality=quality)
    result = aug.augment(BIG_TEXT, seed=7)
    params = result.params
    count = len(piece_texts(body, unit))
    assert params["pieces"] == count and count > (10 if unit == "file" else 30)
    assert list(params) == ["unit", "pieces", "tagger", "wordnet", "ops"]
    assert json.loads(json.dumps(params)) == params
    assert result.data != BIG_TEXT
    assert_same_layout(BIG_TEXT, result.data)
    assert replay_pieces(BIG_TEXT, params) == result.data
    changes = params["ops"][0]["changes"]
    # Changes in many pieces, each piece with at most aug_max (10) of them.
    per_piece = Counter(c["piece"] for c in changes)
    assert len(per_piece) > count // 2 and max(per_piece.values()) <= 10
    # Each change's line is the line of the whole text it is on.
    body_lines = LINE_END.split(body)
    for change in changes:
        assert change["original"] in body_lines[change["line"] - 1], change
    # Same seed, same output; another seed, another one.
    again = TextAugmenter(unit=unit, quality=quality).augment(BIG_TEXT, seed=7)
    assert again.data == result.data and again.params == params
    assert aug.augment(BIG_TEXT, seed=8).data != result.data


def test_each_piece_is_augmented_as_that_piece_alone_under_its_derived_seed(small_pieces):
    aug = TextAugmenter()
    seed = 12
    result = aug.augment(BIG_TEXT, seed=seed)
    random.seed(seed)
    base = random.getrandbits(32)  # the first draw of the seeded global RNG
    texts = piece_texts(BIG_TEXT[1:], "file")
    alone = [aug.augment(piece, seed=derive_seed(base, k)).data for k, piece in enumerate(texts, start=1)]
    assert "\ufeff" + "".join(alone) == result.data


def test_every_op_keeps_the_layout_of_a_big_text(small_pieces):
    result = TextAugmenter(ops=EVERY_OP).augment(BIG_TEXT, seed=3)
    assert result.params["pieces"] > 10
    assert_same_layout(BIG_TEXT, result.data)
    assert replay_pieces(BIG_TEXT, result.params) == result.data
    assert all(op["changes"] for op in result.params["ops"])


def test_a_big_file_round_trips_in_pieces(small_pieces, tmp_path):
    src = write_text(tmp_path / "big.txt", BIG_TEXT)
    aug = TextAugmenter()
    result = aug.augment_file(src, tmp_path / "big_aug1.txt", seed=2)
    out = (tmp_path / "big_aug1.txt").read_bytes().decode("utf-8")
    assert result.params["pieces"] > 10 and replay_pieces(BIG_TEXT, result.params) == out
    assert src.read_bytes() == BIG_TEXT.encode("utf-8")
