"""Tests for augment.presets: every preset builds, and runs once over small generated data of its kind."""

from __future__ import annotations

import json
import sys
import warnings

import numpy as np
import pytest

from augment import presets
from augment.run.pipeline import augment_dir
from augment.run.recipe import Recipe

from conftest import SENTENCES, write_audio, write_image, write_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Each preset and the modality it is for.
KINDS = {"photos": "image", "digits": "image", "handwriting": "image", "documents": "image", "medical": "image",
         "speech": "audio", "music": "audio", "text-classification": "text"}


def test_the_presets_and_their_alias():
    assert presets.names() == tuple(sorted(KINDS))
    assert presets.canonical("grayscale") == "medical" and presets.canonical(" Digits ") == "digits"
    assert presets.recipe("grayscale") == presets.recipe("medical")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_preset_builds_and_sets_only_its_own_kind(name):
    recipe = presets.recipe(name, check=True)  # builds every augmenter it describes
    assert recipe.source == f"preset {name!r}"
    data = tomllib.loads(presets.text(name))
    assert data["version"] == 2 and "seed" not in data and "copies" not in data
    assert set(data) - {"version"} == {KINDS[name]}
    default = Recipe.default()
    for modality in ("image", "text", "audio"):
        same = recipe.table_for(modality) == default.table_for(modality)
        assert same == (modality != KINDS[name]), modality
    description = presets.describe(name)
    assert description.startswith(f"{name}") and len(description) > 60
    # Every op says why it is there (image ops say it per parameter).
    lines = presets.text(name).splitlines()
    assert all("#" in line for line in lines if line.startswith("op = ") and KINDS[name] != "image")
    if KINDS[name] == "image":
        ranges = [line for line in lines if line.split(" ")[0].endswith("_range")]
        assert ranges and all("#" in line for line in ranges if not line.startswith("height_shift_range"))


def test_an_unknown_name_suggests_the_closest():
    with pytest.raises(presets.PresetError, match=r"unknown preset 'photo' \(did you mean 'photos'\?\); presets: "):
        presets.recipe("photo")
    with pytest.raises(presets.PresetError, match="alias: grayscale = medical"):
        presets.recipe("xray")


def make_data(root, kind):
    """A few small files of one kind, in two class folders."""
    if kind == "image":
        from PIL import Image

        write_image(root / "a" / "x.png", size=(40, 40), seed=1)
        write_image(root / "b" / "y.jpg", size=(48, 32), seed=2)
        write_image(root / "b" / "z.png", size=(32, 32), seed=3, mode="L")
        Image.fromarray((np.arange(32 * 32).reshape(32, 32) * 60).astype(np.uint16)).save(root / "a" / "w.png")
    elif kind == "audio":
        write_audio(root / "a" / "x.wav", seconds=0.5, sample_rate=16000)
        write_audio(root / "b" / "y.flac", seconds=0.5, sample_rate=22050, channels=2, freq=220.0)
    else:
        write_text(root / "pos" / "x.txt", "\n".join(SENTENCES) + "\n")
        write_text(root / "neg" / "y.txt", SENTENCES[3] + " It was not good at all.\n")


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_preset_runs_over_data_of_its_kind(tmp_path, name):
    make_data(tmp_path / "in", KINDS[name])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the fallback tagger's notice
        summary = augment_dir(tmp_path / "in", tmp_path / "out", recipe=presets.recipe(name), copies=2, workers=1,
                              seed=1)
    assert summary.exit_code == 0, summary.failures
    records = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    sources = {p.relative_to(tmp_path / "in").as_posix() for p in (tmp_path / "in").rglob("*") if p.is_file()}
    assert len(records) == 2 * len(sources) and all(r["status"] == "ok" for r in records)
    assert all((tmp_path / "out" / r["output"]).stat().st_size > 0 for r in records)
    state = json.loads((tmp_path / "out" / "run.json").read_text())
    assert state["recipe_source"] == f"preset {name!r}" and state["state"] == "finished"
    assert Recipe.from_toml(tmp_path / "out" / "recipe.toml") == presets.recipe(name).replace(seed=1, copies=2)
    for record in records:
        ops = record["params"]["ops"]
        if name in ("digits", "handwriting", "documents", "medical"):
            assert not ops[0]["flip_horizontal"] and not ops[0]["flip_vertical"]  # never flipped
        if name == "digits":
            assert abs(ops[0]["theta"]) <= 12
        if KINDS[name] == "audio":
            assert ops[0]["op"] == "AddGaussianSNR" and ops[0]["should_apply"]  # every copy differs


def test_digits_fill_with_the_background_and_never_smear():
    from augment.backends.image import ImageAugmenter

    recipe = presets.recipe("digits")
    augmenter = ImageAugmenter(**recipe.table_for("image"))
    digit = np.zeros((32, 32), dtype=np.uint8)
    digit[6:26, 14:18] = 255  # a "1"
    digit[0, :] = digit[:, 0] = 255  # and strokes along two edges, which "nearest" smears inwards (up to 1.8x)
    for seed in range(20):
        out = augmenter.augment(digit, seed=seed).data
        # Constant fill with cval 0: what comes from outside the image is background, never a streak of ink.
        assert (out >= 128).sum() <= (digit == 255).sum() * 1.1


def test_the_presets_are_package_data():
    """A fresh ``pip install .`` carries the TOML files (setuptools installs only .py files unless told)."""
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert "*.toml" in pyproject["tool"]["setuptools"]["package-data"]["augment.presets"]
