"""Tests for augment.text.TextAugmenter: nlpaug SynonymAug over the real WordNet, layout kept exactly.

WordNet is the system database (Debian's wordnet-base + wordnet-sense-index,
installed here and in CI) or NLTK's own data; nothing is ever downloaded.
"""

from __future__ import annotations

import json
import pickle
import random
import re
import subprocess
import sys

import nltk
import numpy as np
import pytest
from conftest import SENTENCES, write_text

from augment.base import BadInputError
from augment.registry import EXTENSIONS
from augment.resources import MissingNLTKDataError
from augment.text import TextAugmenter

LONG = " ".join(SENTENCES)
WORD = re.compile(r"(\W)")


def tokens_with_spans(text: str) -> list[tuple[int, int]]:
    """nlpaug's default tokens (non-blank pieces of re.split(r'(\\W)')), as spans."""
    spans, pos = [], 0
    for piece in WORD.split(text):
        if piece.strip():
            spans.append((pos, pos + len(piece)))
        pos += len(piece)
    return spans


def apply_replacements(text: str, params: dict) -> str:
    """Rebuild the expected output from the input and the recorded replacements only."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom):]
    if params["unit"] == "file":
        samples = [(0, body)]
    else:
        samples, pos = [], 0
        for line in re.split(r"(?<=\r\n)|(?<=\n)(?<!\r\n)|(?<=\r)(?!\n)", body):
            samples.append((pos, line))
            pos += len(line)
    edits = []
    for record in params["replacements"]:
        offset, sample = samples[0] if params["unit"] == "file" else samples[record["line"] - 1]
        start, end = tokens_with_spans(sample)[record["index"]]
        assert sample[start:end] == record["original"]
        edits.append((offset + start, offset + end, record["replacement"]))
    out = body
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    return bom + out


def test_defaults_and_modality():
    aug = TextAugmenter()
    assert aug.modality == "text" and aug.extensions == EXTENSIONS["text"]
    assert aug.config() == {
        "aug_src": "wordnet", "aug_p": 0.3, "aug_min": 1, "aug_max": 10, "lang": "eng",
        "stopwords": None, "stopwords_regex": None, "unit": "file",
    }
    assert aug.handles("review.TXT") and not aug.handles("review.md")


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


def test_config_rebuilds_equal_and_pickles_after_use():
    aug = TextAugmenter(aug_p=0.5, aug_min=2, aug_max=None, stopwords=["dog"],
                        stopwords_regex=r"^qu", unit="line")
    config = aug.config()
    assert json.loads(json.dumps(config)) == config
    assert TextAugmenter(**config) == aug and hash(TextAugmenter(**config)) == hash(aug)
    first = aug.augment(LONG, seed=2)
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and clone.augment(LONG, seed=2) == first


def test_same_seed_same_output_and_different_seeds_differ():
    aug = TextAugmenter()
    a, b = aug.augment(LONG, seed=11), TextAugmenter().augment(LONG, seed=11)
    assert a.data == b.data and a.params == b.params
    outputs = {aug.augment(LONG, seed=s).data for s in range(6)}
    assert len(outputs) >= 5 and LONG not in outputs


def test_first_sample_of_a_fresh_process_is_reproducible(tmp_path):
    # Importing nlpaug draws from the global RNG; a worker's first file must not differ.
    code = ("import json, sys; from augment.text import TextAugmenter; "
            "r = TextAugmenter().augment(sys.argv[1], seed=11); print(json.dumps([r.data, r.params]))")
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", code, LONG],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    here = TextAugmenter().augment(LONG, seed=11)
    assert json.loads(proc.stdout) == [here.data, here.params]


def test_global_rng_state_restored():
    random.seed(99)
    np.random.seed(99)
    py_state, np_state = random.getstate(), np.random.get_state()
    TextAugmenter().augment(LONG, seed=1)
    assert random.getstate() == py_state
    assert np.array_equal(np.random.get_state()[1], np_state[1])


def test_params_are_json_safe_and_match_the_real_diff():
    result = TextAugmenter().augment(LONG, seed=5)
    params = result.params
    assert json.loads(json.dumps(params)) == params
    assert params["unit"] == "file"
    assert params["tagger"] in ("averaged_perceptron_tagger_eng", "wordnet-fallback")
    assert params["wordnet"] in ("nltk", "system")
    records = params["replacements"]
    assert records and all(set(r) == {"line", "index", "original", "replacement"} for r in records)
    assert all(r["line"] == 1 and r["original"] != r["replacement"] for r in records)
    # aug_p=0.3 of the tokens, capped at aug_max=10
    assert len(records) <= 10
    assert apply_replacements(LONG, params) == result.data


def test_layout_is_preserved_exactly():
    text = ("\ufeff  The quick brown fox jumps over the lazy dog.\r\n"
            "\r\n"
            "\tA happy child reads a good book about brave sailors.   \r\n"
            "\n"
            "This movie was wonderful,  the actors were great.\r\n")
    for seed in range(4):
        result = TextAugmenter(aug_p=0.5).augment(text, seed=seed)
        out = result.data
        assert result.params["replacements"]
        assert apply_replacements(text, result.params) == out
        assert out.startswith("\ufeff  The ") and out.endswith(".\r\n")
        assert "\r\n\r\n\t" in out and "   \r\n\n" in out
        assert out.count("\r\n") == 4 and out.count("\n") == 5


def test_unit_line_augments_each_line_and_keeps_blank_lines():
    lines = [SENTENCES[0], "", SENTENCES[1], "   ", SENTENCES[2], SENTENCES[3]]
    text = "\n".join(lines) + "\n"
    result = TextAugmenter(unit="line").augment(text, seed=3)
    out_lines = result.data.split("\n")
    assert len(out_lines) == len(lines) + 1 and out_lines[-1] == ""
    assert out_lines[1] == "" and out_lines[3] == "   "
    assert all(out_lines[i] != lines[i] for i in (0, 2, 4, 5))
    assert {r["line"] for r in result.params["replacements"]} == {1, 3, 5, 6}
    assert result.params["unit"] == "line"
    assert apply_replacements(text, result.params) == result.data


def test_aug_max_and_stopwords_are_honoured():
    capped = TextAugmenter(aug_p=1.0, aug_max=2).augment(LONG, seed=1).params["replacements"]
    assert 1 <= len(capped) <= 2
    words = sorted(set(re.findall(r"\w+", SENTENCES[0])))
    kept = TextAugmenter(aug_p=1.0, stopwords=words).augment(SENTENCES[0], seed=1)
    assert kept.data == SENTENCES[0] and kept.params["replacements"] == []
    skipped = TextAugmenter(aug_p=1.0, aug_max=None, stopwords_regex=r"^[a-z]")
    replaced = skipped.augment(SENTENCES[0], seed=1).params["replacements"]
    assert all(not r["original"][0].islower() for r in replaced)


def test_nothing_replaceable_returns_text_unchanged():
    aug = TextAugmenter()
    for text in ["", "   \n\n", "... !!! ???\n", "Xyzzyq plughw frobnitz.\n"]:
        result = aug.augment(text, seed=1)
        assert result.data == text and result.params["replacements"] == []
    zero = TextAugmenter(aug_p=0.0, aug_min=0).augment(LONG, seed=1)
    assert zero.data == LONG and zero.params["replacements"] == []


def test_augment_file_round_trip(tmp_path):
    src = write_text(tmp_path / "in" / "review.txt",
                     "\ufeff" + SENTENCES[0] + "\r\n\r\n" + SENTENCES[1] + "\r\n")
    original = src.read_bytes()
    dst = tmp_path / "out" / "review_aug1.txt"
    dst.parent.mkdir()
    aug = TextAugmenter(unit="line")
    result = aug.augment_file(src, dst, seed=8)
    assert src.read_bytes() == original
    assert result.data is None and result.seed == 8 and result.params["replacements"]
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


def test_binary_junk_is_a_bad_input_error(tmp_path):
    path = tmp_path / "junk.txt"
    path.write_bytes(b"PK\x03\x04\x00\x00\x08\x00binary")
    with pytest.raises(BadInputError, match="NUL byte at offset 4"):
        TextAugmenter().read(path)


def test_empty_file(tmp_path):
    src = write_text(tmp_path / "empty.txt", "")
    result = TextAugmenter().augment_file(src, tmp_path / "empty_aug1.txt", seed=1)
    assert (tmp_path / "empty_aug1.txt").read_bytes() == b""
    assert result.params["replacements"] == []


def test_in_memory_data_must_be_text():
    with pytest.raises(BadInputError, match="str"):
        TextAugmenter().augment(b"bytes", seed=1)


def test_missing_wordnet_is_a_clear_error_and_never_downloads(tmp_path, monkeypatch):
    from augment import resources

    def forbidden(*args, **kwargs):
        raise AssertionError("nltk.download must never be called implicitly")

    saved = list(nltk.data.path)
    for name in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(resources, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setattr(nltk, "download", forbidden)
    monkeypatch.setenv("AUGMENT_DIR_CACHE", str(tmp_path / "cache"))
    nltk.data.path[:] = [str(tmp_path)]
    try:
        with pytest.raises(MissingNLTKDataError, match="apt-get install wordnet-base"):
            TextAugmenter().augment(SENTENCES[0], seed=1)
    finally:
        nltk.data.path[:] = saved


def test_other_languages_need_the_multilingual_wordnet(tmp_path, monkeypatch):
    saved = list(nltk.data.path)
    monkeypatch.delenv("NLTK_DATA", raising=False)
    nltk.data.path[:] = [str(tmp_path)]  # WordNet comes back through ensure_wordnet; OMW does not
    try:
        with pytest.raises(MissingNLTKDataError, match="omw"):
            TextAugmenter(lang="fra").augment(SENTENCES[0], seed=1)
    finally:
        nltk.data.path[:] = saved
