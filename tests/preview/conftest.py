"""A finished mixed OUTPUT (images, text, audio) made once by a real run, shared by the preview tests."""

from __future__ import annotations

import json
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from augment.run.pipeline import augment_dir

from conftest import SENTENCES, write_audio, write_image, write_text


@dataclass(frozen=True)
class Made:
    """INPUT and the OUTPUT a finished run made of it."""

    input: Path
    output: Path


def make_input(root: Path) -> Path:
    """Two classes of each modality: RGB and RGBA images, a 16-bit grayscale one; text; mono and stereo audio."""
    from PIL import Image

    write_image(root / "images" / "cat" / "c1.png", size=(64, 48), seed=1)
    write_image(root / "images" / "cat" / "c2.png", size=(64, 48), seed=2, mode="RGBA")
    write_image(root / "images" / "dog" / "d1.jpg", size=(80, 60), seed=3)
    deep = (np.arange(40 * 30, dtype=np.uint16).reshape(30, 40) * 50).astype(np.uint16)
    (root / "images" / "dog").mkdir(parents=True, exist_ok=True)
    Image.fromarray(deep).save(root / "images" / "dog" / "d2.png")
    write_text(root / "text" / "pos" / "p1.txt", "\n".join(SENTENCES[:3]) + "\n")
    write_text(root / "text" / "neg" / "n1.txt", SENTENCES[3] + "\n")
    write_audio(root / "audio" / "yes" / "y1.wav", seconds=0.4, sample_rate=16000)
    write_audio(root / "audio" / "no" / "n1.flac", seconds=0.4, sample_rate=16000, channels=2, freq=330.0)
    return root


def run(input: Path, output: Path, **options) -> Made:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fallback tagger's notice
        summary = augment_dir(input, output, copies=2, workers=1, **options)
    assert summary.exit_code == 0, summary.failures
    return Made(input, output)


@pytest.fixture(scope="session")
def mixed(tmp_path_factory) -> Made:
    """A finished OUTPUT of every modality, 2 copies per file (originals not copied). Do not modify it."""
    root = tmp_path_factory.mktemp("preview-mixed")
    return run(make_input(root / "in"), root / "out")


@pytest.fixture
def mixed_copy(mixed, tmp_path) -> Made:
    """A copy of :func:`mixed` the test may change (INPUT and OUTPUT side by side)."""
    shutil.copytree(mixed.input, tmp_path / "in")
    shutil.copytree(mixed.output, tmp_path / "out")
    state_path = tmp_path / "out" / "run.json"
    state = json.loads(state_path.read_text(encoding="utf-8"))
    state["input"] = str(tmp_path / "in")  # as if the run had read this INPUT
    state_path.write_text(json.dumps(state), encoding="utf-8")
    return Made(tmp_path / "in", tmp_path / "out")
