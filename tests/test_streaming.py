"""Tests for augment.streaming: stream() yields in memory what augment_dir writes, resolved the same way."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from PIL import Image

import augment
from augment import Recipe, SetupError
from augment.run.plan import output_name
from augment.streaming import Sample, SampleStream, SkippedFileWarning, stream

import fake_backend
from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text

# Text ops that need no WordNet: the test stays fast; the default recipe's SynonymAug goes through the same path.
TEXT = {"ops": [{"op": "RandomWordAug", "action": "swap"}, {"op": "KeyboardAug"}]}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Lossless sources of every modality in class folders, and one file at the top."""
    root = tmp_path_factory.mktemp("stream") / "in"
    write_image(root / "cat" / "a.png")
    write_image(root / "cat" / "b.png", size=(20, 30), mode="RGBA", seed=2)
    write_image(root / "dog" / "c.png", mode="L", seed=3)
    write_audio(root / "yes" / "d.wav", subtype="FLOAT", channels=2)
    write_text(root / "pos" / "e.txt", " ".join(SENTENCES) + "\n")
    write_text(root / "top.txt", SENTENCES[0])
    (root / "notes.md").write_text("not a dataset file")
    return root


def _outputs(out: Path) -> dict[str, dict]:
    with open(out / "manifest.jsonl", encoding="utf-8") as fh:
        return {record["output"]: record for record in map(json.loads, fh)}


def _written(path: Path):
    """What augment_dir wrote, decoded losslessly into what stream() yields before encoding."""
    if path.suffix == ".png":
        return np.asarray(Image.open(path))
    if path.suffix == ".wav":
        return sf.read(path, dtype="float32", always_2d=True)[0].T
    return path.read_bytes().decode("utf-8")


def _data(sample: Sample):
    if isinstance(sample.data, Image.Image):
        return np.asarray(sample.data)
    if isinstance(sample.data, augment.AudioClip):
        samples = sample.data.samples
        return samples if samples.ndim == 2 else samples[None]
    return sample.data


def test_stream_yields_what_augment_dir_writes_before_encoding(folder, tmp_path):
    recipe = Recipe.from_dict({"text": TEXT})
    before = tree_digest(folder)
    samples = list(stream(folder, recipe=recipe, copies=2, seed=7, workers=1))
    assert tree_digest(folder) == before and not list(tmp_path.iterdir())  # nothing written anywhere
    summary = augment.augment_dir(folder, tmp_path / "out", recipe=recipe, copies=2, seed=7, workers=1)
    records = _outputs(tmp_path / "out")
    assert summary.exit_code == 0 and len(samples) == len(records) == 12
    for sample in samples:
        record = records[output_name(sample.source, sample.copy)]
        assert (sample.seed, sample.params) == (record["seed"], record["params"])
        written = _written(tmp_path / "out" / record["output"])
        data = _data(sample)
        assert np.array_equal(data, written) if isinstance(written, np.ndarray) else data == written
    # The walk's order, each source's copies in order; the label is the first folder below INPUT.
    sources = [("cat/a.png", "cat"), ("cat/b.png", "cat"), ("dog/c.png", "dog"), ("pos/e.txt", "pos"),
               ("top.txt", None), ("yes/d.wav", "yes")]
    assert [(s.source, s.copy, s.label) for s in samples] == [(src, copy, label) for src, label in sources
                                                             for copy in (1, 2)]


def test_worker_processes_give_the_same_samples_in_the_same_order(folder):
    # Together with the test above: what worker processes yield is what augment_dir writes.
    recipe = Recipe.from_dict({"text": TEXT})
    one = stream(folder, recipe=recipe, seed=3, workers=1)
    two = stream(folder, recipe=recipe, seed=3, workers=2)
    assert (one.workers, two.workers) == (1, 2)
    for a, b in zip(one, two, strict=True):
        assert (a.source, a.copy, a.seed, a.params) == (b.source, b.copy, b.seed, b.params)
        assert np.array_equal(_data(a), _data(b)) if not isinstance(a.data, str) else a.data == b.data


def test_arguments_resolve_as_augment_dirs_do(folder, tmp_path):
    recipe_file = tmp_path / "recipe.toml"
    recipe_file.write_text('seed = 42\ncopies = 3\n[text]\n[[text.ops]]\nop = "RandomCharAug"\n'
                           '[[rules]]\nmatch = "cat/**"\ncopies = 1\n[rules.image]\n[[rules.image.ops]]\n'
                           'op = "ImageDataGenerator"\nvertical_flip = true\n')
    samples = stream(folder, recipe=recipe_file, only="image,text")
    assert samples.options.seed == 42 and samples.options.copies == 3 and samples.workers == 1  # a small folder
    got = list(samples)
    copies = {s.source: max(x.copy for x in got if x.source == s.source) for s in got}
    assert copies == {"cat/a.png": 1, "cat/b.png": 1, "dog/c.png": 3, "pos/e.txt": 3, "top.txt": 3}
    assert samples.planned == len(got) == 11
    cat = next(s for s in got if s.source == "cat/a.png")
    dog = next(s for s in got if s.source == "dog/c.png")
    assert cat.params["ops"][0]["theta"] == 0.0 and dog.params["ops"][0]["theta"] != 0.0  # the rule's op
    augment.augment_dir(folder, tmp_path / "out", recipe=recipe_file, only="image,text", workers=1)
    records = _outputs(tmp_path / "out")
    assert {(s.source, s.copy): (s.seed, s.params) for s in got} == \
           {(r["source"], r["copy"]): (r["seed"], r["params"]) for r in records.values()}
    overridden = list(stream(folder, recipe=recipe_file, copies=1, seed=5, only=["text"]))
    assert [(s.source, s.copy) for s in overridden] == [("pos/e.txt", 1), ("top.txt", 1)]
    assert overridden[0].seed != got[-6].seed


def test_a_bad_file_is_skipped_with_a_warning_and_the_stream_goes_on(tmp_path):
    root = tmp_path / "in"
    write_image(root / "a" / "good.png")
    (root / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (root / "a" / "link.png").symlink_to(root / "a" / "gone.png")
    with pytest.warns(SkippedFileWarning) as caught:
        samples = list(stream(root, copies=2, seed=1, workers=1))
    assert [(s.source, s.copy) for s in samples] == [("a/good.png", 1), ("a/good.png", 2)]
    messages = sorted(str(w.message) for w in caught)
    assert messages[0].startswith("a/broken.png: ") and messages[0].endswith("; skipped")
    assert messages[1].startswith("a/link.png: broken symlink")


@pytest.mark.parametrize("make, kwargs, message", [
    (lambda p: p / "missing", {}, "does not exist"),
    (lambda p: write_text(p / "file.txt", "x"), {}, "is not a folder"),
    (lambda p: "s3://bucket/data", {}, "stream\\(\\) reads a local folder"),
    (lambda p: p, {"copies": 0}, "copies must be an integer >= 1"),
    (lambda p: p, {"only": "video"}, "only must name some of"),
    (lambda p: p, {"recipe": "no-such-recipe.toml"}, "cannot read the recipe"),
    (lambda p: p, {"workers": 0}, "workers must be an integer >= 1"),
])
def test_bad_arguments_are_a_setup_error_before_any_sample(tmp_path, make, kwargs, message):
    with pytest.raises(SetupError, match=message):
        stream(make(tmp_path), **kwargs)


def test_a_recipe_the_backend_rejects_is_a_setup_error_naming_the_place(folder):
    recipe = Recipe.from_dict({"image": {"ops": [{"op": "ImageDataGenerator", "rotation_rnage": 3}]}}, check=False)
    with pytest.raises(SetupError, match=r"\[\[image.ops\]\] #1 \(ImageDataGenerator\): unknown parameter"):
        stream(folder, recipe=recipe)


def test_close_stops_early_and_the_exports_are_public(folder):
    samples = augment.stream(folder, workers=2, only="image")
    assert isinstance(samples, SampleStream) and isinstance(next(samples), augment.Sample)
    samples.close()
    with pytest.raises(StopIteration):
        next(samples)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(stream(folder / "cat", seed=0, copies=1, workers=1))[0].label is None  # files at the top


@pytest.fixture
def fake(tmp_path):
    fake_backend.install()
    yield
    fake_backend.remove()


def test_fake_backend_files_stream_as_a_run_writes_them(tmp_path, fake):
    root = tmp_path / "in"
    for name in ("a/1.fake", "a/2.fake", "b/3.fake"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(bytes(range(16)) + name.encode())
    samples = list(stream(root, copies=3, seed=9, workers=1))
    augment.augment_dir(root, tmp_path / "out", copies=3, seed=9, workers=1)
    records = _outputs(tmp_path / "out")
    assert len(samples) == len(records) == 9
    for sample in samples:
        record = records[output_name(sample.source, sample.copy)]
        assert sample.data == (tmp_path / "out" / record["output"]).read_bytes()
        assert (sample.seed, sample.params, sample.label) == (record["seed"], record["params"], sample.source[0])


def test_workers_that_die_stop_the_stream_with_what_to_do(tmp_path, fake, monkeypatch):
    root = tmp_path / "in"
    (root / "a").mkdir(parents=True)
    (root / "a" / "1.fake").write_bytes(b"data")
    monkeypatch.setenv("FAKE_BACKEND_DIE_IN_WORKERS", "1")
    samples = stream(root, workers=2)
    with pytest.raises(RuntimeError, match="worker processes stopped .* or pass workers=1"):
        list(samples)


def test_a_script_streaming_at_its_top_level_streams_in_its_own_process(tmp_path):
    write_image(tmp_path / "in" / "cat" / "a.png")
    script = tmp_path / "unguarded.py"
    script.write_text(textwrap.dedent(f"""
        import augment
        samples = augment.stream({str(tmp_path / "in")!r}, copies=2, workers=2)
        print(samples.workers, [s.copy for s in samples])
    """))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "1 [1, 2]"
    assert "UnguardedScriptWarning" in out.stderr and "streaming in this process instead" in out.stderr
