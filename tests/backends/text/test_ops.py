"""Tests for augment.backends.text.ops: the op table, its checks, and the fixes for nlpaug's quirks."""

from __future__ import annotations

import importlib
import inspect
import subprocess
import sys

import pytest

from augment.backends.text import SUPPORTED_OPS, TextAugmenter, ops
from augment.backends.text.ops import NO_LIMIT, check_text_op
from backends.text.helpers import EVERY_OP, RESERVED

from conftest import SENTENCES


@pytest.mark.parametrize(
    ("chain", "label", "needles"),
    [
        ([{"op": "SynonymAgu"}], "ops[1] (SynonymAgu): ", ["did you mean 'SynonymAug'?", "RandomCharAug"]),
        ([{"op": "SynonymAug"}, {"op": "Keyboard"}], "ops[2] (Keyboard): ", ["'KeyboardAug'"]),
        ([{"op": "WordEmbsAug"}], "ops[1] (WordEmbsAug): ", ["downloaded model", "SynonymAug"]),
        ([{"op": "ContextualWordEmbsAug"}], "ops[1] (ContextualWordEmbsAug): ", ["downloaded model"]),
        ([{"op": "BackTranslationAug"}], "ops[1] (BackTranslationAug): ", ["downloaded model"]),
        ([{"op": "TfIdfAug"}], "ops[1] (TfIdfAug): ", ["TF-IDF model"]),
        ([{"op": "SynonymAug", "aug_src": "ppdb"}], "ops[1] (SynonymAug): ", ["aug_src", "PPDB"]),
        ([{"op": "SynonymAug", "aug_pp": 0.3}], "ops[1] (SynonymAug): ", ["'aug_pp'", "did you mean 'aug_p'?"]),
        ([{"op": "SynonymAug", "aug_p": "0.3"}], "ops[1] (SynonymAug): ", ["aug_p", "'0.3'"]),
        ([{"op": "RandomCharAug", "min_char": 2.5}], "ops[1] (RandomCharAug): ", ["min_char", "2.5"]),
        ([{"op": "SynonymAug", "aug_p": 1.5}], "ops[1] (SynonymAug): ", ["aug_p", "1.5"]),
        ([{"op": "KeyboardAug", "aug_char_p": -0.5}], "ops[1] (KeyboardAug): ", ["aug_char_p", "-0.5"]),
        ([{"op": "SplitAug", "aug_min": 5, "aug_max": 2}], "ops[1] (SplitAug): ", ["aug_min (5)", "aug_max (2)"]),
        ([{"op": "RandomWordAug", "action": "insert"}], "ops[1] (RandomWordAug): ", ["action", "'insert'"]),
        ([{"op": "RandomCharAug", "action": "split"}], "ops[1] (RandomCharAug): ", ["action", "'split'"]),
        ([{"op": "RandomWordAug", "action": "substitute"}], "ops[1] (RandomWordAug): ", ["target_words"]),
        ([{"op": "SynonymAug", "tokenizer": "x"}], "ops[1] (SynonymAug): ", ["tokenizer"]),
        ([{"op": "ReservedAug"}], "ops[1] (ReservedAug): ", ["reserved_tokens"]),
        ([{"op": "ReservedAug", "reserved_tokens": [["FWD"]]}], "ops[1] (ReservedAug): ", ["reserved_tokens"]),
        ([{"op": "SplitAug", "min_char": 2}], "ops[1] (SplitAug): ", ["min_char"]),
        ([{"op": "RandomCharAug", "action": "swap", "min_char": 1}], "ops[1] (RandomCharAug): ", ["min_char"]),
        ([{"op": "KeyboardAug", "lang": "eng"}], "ops[1] (KeyboardAug): ", ["lang", "did you mean 'en'?"]),
        ([{"op": "SpellingAug", "dict_path": "/no/such.txt"}], "ops[1] (SpellingAug): ", ["dict_path"]),
        ([{"op": "AntonymAug", "stopwords": ["a", 1]}], "ops[1] (AntonymAug): ", ["stopwords"]),
        ([{"op": "SynonymAug", "stopwords_regex": "("}], "ops[1] (SynonymAug): ", ["stopwords_regex"]),
        ([{"op": "SynonymAug", "quality": "yes"}], "ops[1] (SynonymAug): ", ["quality", "'strict'", "'yes'"]),
        ([{"op": "AntonymAug", "quality": 1}], "ops[1] (AntonymAug): ", ["quality"]),
        ([{"op": "SynonymAug", "lang": "fra"}], "ops[1] (SynonymAug): ", ["quality = true", "English", "'fra'"]),
        ([{"op": "SynonymAug", "wordnet_model": None}], "ops[1] (SynonymAug): ", ["wordnet_model", "cannot be set"]),
        ([{"op": "AntonymAug", "quality_filter": 1}], "ops[1] (AntonymAug): ", ["quality_filter", "cannot be set"]),
    ],
)
def test_invalid_ops_name_the_op_and_the_key(chain, label, needles):
    with pytest.raises(ValueError) as info:
        TextAugmenter(ops=chain)
    message = str(info.value)
    assert message.startswith(label)
    assert all(needle in message for needle in needles), message


def test_ops_are_stored_in_toml_safe_shapes():
    stored = check_text_op({"op": "SynonymAug", "aug_max": None, "stopwords": ("dog",), "stopwords_regex": None}, 1)
    assert stored == {"op": "SynonymAug", "aug_max": NO_LIMIT, "stopwords": ["dog"]}
    assert check_text_op({"op": "ReservedAug", "reserved_tokens": (("FWD", "FW"),)}, 3) == {
        "op": "ReservedAug", "reserved_tokens": [["FWD", "FW"]]}
    with pytest.raises(ValueError, match=r"^ops\[3\] \(Gain\): unknown op 'Gain'"):
        check_text_op({"op": "Gain"}, 3)
    with pytest.raises(ValueError, match=r"^ops\[1\] \(PitchAug\): PitchAug is not supported: .*audio"):
        check_text_op({"op": "PitchAug"}, 1)


def test_nlpaug_is_not_imported_to_build_and_check():
    # Importing nlpaug costs seconds and draws from the global RNG; checking ops must not.
    code = ("import random, sys; random.seed(1); state = random.getstate(); "
            "from augment.backends.text import TextAugmenter; "
            f"TextAugmenter(ops={EVERY_OP!r}); "
            "assert not [m for m in sys.modules if m.startswith(('nlpaug', 'nltk'))], 'imported'; "
            "assert random.getstate() == state")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_static_signatures_match_nlpaug():
    for name, info in ops.OPS.items():
        real = getattr(importlib.import_module(info.module), name)
        expected = [(p.name, p.default) for p in inspect.signature(real.__init__).parameters.values()]
        extras = ops.EXTRA_PARAMETERS.get(name, {})
        stub = [(p.name, p.default) for p in inspect.signature(info.stub.__init__).parameters.values()]
        assert [pair for pair in stub if pair[0] not in extras] == expected, name
        assert [pair[0] for pair in stub[len(expected):]] == list(extras), name  # augment-dir's own come last


def test_the_wordnet_ops_take_what_their_stubs_say():
    from augment.backends.text import wordnet_ops

    for name, cls in (("SynonymAug", wordnet_ops.QualitySynonymAug), ("AntonymAug", wordnet_ops.QualityAntonymAug)):
        built, stub = ops.OPS[name].spec(cls), ops.SPECS[name]
        assert built.defaults() == stub.defaults() and set(built.parameters) == set(stub.parameters)
        assert stub.defaults()["quality"] is True
    modules = [importlib.import_module(m) for m in
               ("nlpaug.augmenter.word", "nlpaug.augmenter.sentence", "nlpaug.flow")]
    assert all(any(hasattr(m, name) for m in modules) for name in ops.REFUSED)


def test_supported_ops_are_listed():
    assert set(SUPPORTED_OPS) == {op["op"] for op in EVERY_OP}
    assert SUPPORTED_OPS == tuple(ops.OPS)


# ------------------------------------------------------------------ the fixes for nlpaug's quirks


def test_crop_removes_one_contiguous_run_and_never_fails():
    # nlpaug 1.1.11 raises for a one-word crop half of the time and wraps round leftwards.
    sentence = SENTENCES[0]
    words = sentence.split()
    for seed in range(12):
        for count in (1, 3):
            result = TextAugmenter(ops=[{"op": "RandomWordAug", "action": "crop", "aug_max": count}]).augment(
                sentence, seed=seed)
            changes = result.params["ops"][0]["changes"]
            assert len(changes) == 1 and changes[0]["replacement"] in ("", changes[0]["original"].split()[-1])
            assert len(result.data.split()) >= len(words) - count


def test_reserved_phrases_keep_their_original_text_when_not_picked():
    text = "FWD: thanks.\nBest Regards,\nBob\n"
    aug = TextAugmenter(ops=[{"op": "ReservedAug", "reserved_tokens": RESERVED, "case_sensitive": False,
                              "aug_max": 1, "aug_p": 0.0}])
    outputs = {aug.augment(text, seed=s).data for s in range(8)}
    assert "FW: thanks.\nBest Regards,\nBob\n" in outputs  # the phrase left as written
    assert any("\nCheers,\n" in o or "\nSincerely,\n" in o for o in outputs)
    assert all("nnnnn" not in o and o.endswith(",\nBob\n") for o in outputs)


def test_spelling_ops_get_the_dictionary_they_ask_for():
    # nlpaug keeps one spelling model per process, whatever include_reverse says.
    aug = TextAugmenter(ops=[{"op": "SpellingAug"}, {"op": "SpellingAug", "include_reverse": False}])
    aug.augment(SENTENCES[0], seed=1)
    both, forward = (op.aug.model for op in aug._built)
    assert both.include_reverse and not forward.include_reverse and len(forward.dict) < len(both.dict)
    # Candidates in a fixed order, whatever the process's string hashing.
    assert all(candidates == sorted(candidates) for candidates in both.dict.values())
