"""Tests for augment.registry: extension lookup, lazy backends, install hints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from augment.registry import EXTENSIONS, augmenter_class, augmenter_for, install_hint, modality_for


@pytest.mark.parametrize(
    "name, modality",
    [("a.jpg", "image"), ("A.JPEG", "image"), ("x/y.PnG", "image"), ("t.TXT", "text"),
     ("s.Wav", "audio"), ("s.flac", "audio"), ("notes.md", None), ("noext", None), (".hidden", None)],
)
def test_modality_for(name, modality):
    assert modality_for(name) == modality


def test_extensions_do_not_overlap():
    seen = [s for suffixes in EXTENSIONS.values() for s in suffixes]
    assert len(seen) == len(set(seen))
    assert all(s.startswith(".") and s == s.lower() for s in seen)


def test_augmenter_for_picks_backend_case_insensitively():
    assert augmenter_for("clip.WAV").modality == "audio"
    assert type(augmenter_for("a.TxT")).__name__ == "TextAugmenter"


def test_augmenter_for_unknown_extension():
    with pytest.raises(ValueError, match=r"notes\.md.*'\.md'"):
        augmenter_for("notes.md")


def test_augmenter_class_unknown_modality():
    with pytest.raises(ValueError, match="video"):
        augmenter_class("video")


def test_install_hint_names_the_extra():
    assert install_hint("audio") == 'pip install "augment-dir[audio]"'


def test_backend_classes_agree_with_registry():
    for modality in EXTENSIONS:
        cls = augmenter_class(modality)
        assert cls.modality == modality
        assert cls.extensions == EXTENSIONS[modality]


def test_import_augment_imports_no_backend():
    code = (
        "import sys, augment\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'nlpaug', 'nltk', 'audiomentations', 'soundfile', 'PIL', 'numpy')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_text_and_audio_never_import_tensorflow(tmp_path):
    code = (
        "import sys, numpy as np, augment\n"
        "aug = augment.AudioAugmenter()\n"
        "aug.augment(np.zeros(800, dtype=np.float32), sample_rate=8000, seed=1)\n"
        "t = augment.TextAugmenter()\n"
        "t.augment('The quick brown fox jumps over the lazy dog.', seed=1)\n"
        "augment.augmenter_for('x.png')\n"  # building (not using) an image augmenter is cheap too
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    env_code = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True, text=True)
    assert env_code.returncode == 0, env_code.stderr
    assert env_code.stdout.split() == ["False", "False"]
