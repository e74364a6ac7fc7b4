"""Tests for augment.core.registry: extension lookup, lazy backends, registration, install hints."""

from __future__ import annotations

import subprocess
import sys

import pytest

from augment.core.registry import (
    augmenter_class,
    augmenter_for,
    backend,
    install_hint,
    missing_modules,
    modalities,
    modality_for,
    register,
    unregister,
)


@pytest.mark.parametrize(
    "name, modality",
    [("a.jpg", "image"), ("A.JPEG", "image"), ("x/y.PnG", "image"), ("t.TXT", "text"),
     ("s.Wav", "audio"), ("s.flac", "audio"), ("notes.md", None), ("noext", None), (".hidden", None)],
)
def test_modality_for(name, modality):
    assert modality_for(name) == modality


def test_builtin_backends_in_order_without_overlap():
    assert modalities()[:3] == ("image", "text", "audio")
    seen = [s for m in modalities() for s in backend(m).extensions]
    assert len(seen) == len(set(seen))
    assert all(s.startswith(".") and s == s.lower() for s in seen)


def test_augmenter_for_picks_backend_case_insensitively():
    assert augmenter_for("clip.WAV").modality == "audio"
    assert type(augmenter_for("a.TxT")).__name__ == "TextAugmenter"


def test_augmenter_for_unknown_extension():
    with pytest.raises(ValueError, match=r"notes\.md.*'\.md'"):
        augmenter_for("notes.md")


def test_unknown_modality_names_the_choices():
    with pytest.raises(ValueError, match="modality must be one of image, text, audio.*'video'"):
        augmenter_class("video")


def test_install_hint_names_the_extra():
    assert install_hint("audio") == 'pip install "augment-dir[audio]"'


def test_missing_modules_of_an_installed_backend_is_empty():
    assert missing_modules("audio") == []


def test_register_and_unregister_a_backend():
    register("fake", "fake_backend:FakeAugmenter", {".FAKE"}, requires=("no_such_module_xyz",), extra="fake")
    try:
        assert "fake" in modalities() and modality_for("a.fake") == "fake"
        assert augmenter_class("fake").__name__ == "FakeAugmenter"
        assert missing_modules("fake") == ["no_such_module_xyz"]
        assert install_hint("fake") == 'pip install "augment-dir[fake]"'
    finally:
        unregister("fake")
    assert "fake" not in modalities() and modality_for("a.fake") is None


def test_backend_classes_agree_with_registry():
    for modality in ("image", "text", "audio"):
        cls = augmenter_class(modality)
        assert cls.modality == modality
        assert cls.extensions == backend(modality).extensions
        assert set(cls.default_table) == {*cls.options, "ops"}


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
