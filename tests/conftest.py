"""Shared fixtures: small real files of every modality, made on the fly."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Keep the WordNet links the tests create out of the user's cache folder."""
    os.environ["AUGMENT_DIR_CACHE"] = str(tmp_path_factory.mktemp("augment-dir-cache"))
    # TensorFlow's start-up chatter would drown the output of failing CLI tests.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    yield


SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the quiet river bank.",
    "A happy child reads a good book about brave sailors and distant islands.",
    "This movie was wonderful, the actors were great and the story moved me.",
    "I found the service slow and the food cold, a truly disappointing evening.",
]


def write_image(path: Path, size=(48, 32), mode="RGB", seed=0, fmt=None) -> Path:
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = ((xx * 255 // max(w - 1, 1) + yy * 3 + seed * 37) % 256).astype(np.uint8)
    rgb = np.stack([base, np.roll(base, 7, axis=1), 255 - base], axis=-1)
    rgb[h // 4: h // 2, w // 4: w // 2] = rng.integers(0, 255, 3, dtype=np.uint8)
    image = Image.fromarray(rgb, "RGB")
    if mode != "RGB":
        image = image.convert(mode)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, format=fmt)
    return path


def write_audio(path: Path, seconds=0.1, sample_rate=8000, channels=1, subtype="PCM_16", freq=440.0) -> Path:
    import soundfile as sf

    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = 0.5 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    data = np.stack([tone * (1 - 0.3 * c) for c in range(channels)], axis=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, sample_rate, subtype=subtype)
    return path


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def tree_digest(root: Path, skip=("manifest.jsonl", "recipe.toml", "run.json")) -> dict[str, str]:
    """rel path -> sha256 of every visible file under root, but a run's manifest, recipe and run.json."""
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not any(part.startswith(".") for part in rel.split("/")) and rel not in skip:
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out
