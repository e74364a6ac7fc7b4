"""Tests for augment.run.pipeline through its library API (augment_dir, iter_augment).

The first half drives the pipeline with the fake backend (tests/fake_backend.py):
resume, kill-safety, manifest and workers without any backend library. The
second half runs the real backends over a mixed tree.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

import augment
from augment.core.notices import RunNotice
from augment.run.execute import WorkerStartError
from augment.run.options import SetupError
from augment.run.pipeline import LOCK_NAME, AugmentRun
from augment.run.plan import output_name
from augment.run.recipe import Recipe

import fake_backend
from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text


def _mixed_tree(root):
    write_image(root / "images" / "cat" / "cat 001.jpg", seed=1)
    write_image(root / "images" / "dog" / "Hund-ä.PNG", seed=2, fmt="PNG")
    write_text(root / "text" / "pos" / "a.txt", SENTENCES[0] + "\n")
    write_text(root / "text" / "neg" / "b.TXT", SENTENCES[3] + "\n")
    write_audio(root / "audio" / "yes" / "y.wav")
    write_text(root / "README.md", "not data\n")
    write_text(root / ".hidden.txt", "hidden\n")
    return root


def _manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def fake():
    """The fake backend, registered for one test; only it is augmented."""
    fake_backend.install()
    yield {"only": ["fake"]}
    fake_backend.remove()


def _fake_tree(root, count=12):
    for i in range(count):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:02d}.fake").write_bytes(bytes(range(i, i + 32)))
    return root


def test_fake_backend_runs_the_whole_pipeline(tmp_path, fake):
    src = _fake_tree(tmp_path / "in")
    (src / "b" / "bad.fake").write_bytes(b"BAD file")
    (src / "notes.md").write_text("not data")
    summary = augment.augment_dir(src, tmp_path / "out", copies=2, seed=3, workers=1, **fake)
    assert summary.written == 24 and summary.failed == 2 and summary.unsupported == 1
    assert summary.exit_code == 1 and "bad.fake: a fake file that says it is bad" in summary.describe()
    records = {r["output"]: r for r in _manifest(tmp_path / "out")}
    assert len(records) == 26
    ok = records["a/f01_aug2.fake"]
    assert ok["seed"] == augment.derive_seed(3, "a/f01.fake", 2) and ok["params"]["ops"][0]["op"] == "Xor"
    assert ok["recipe"] == Recipe.default().replace(seed=3, copies=2).fingerprint
    assert records["b/bad_aug1.fake"]["status"] == "error"
    assert not (tmp_path / "out" / "b" / "bad_aug1.fake").exists()


def test_fake_backend_workers_give_the_same_bytes(tmp_path, fake):
    src = _fake_tree(tmp_path / "in")
    one = augment.augment_dir(src, tmp_path / "one", copies=3, workers=1, **fake)
    two = augment.augment_dir(src, tmp_path / "two", copies=3, workers=2, **fake)
    assert one.written == two.written == 36
    assert tree_digest(tmp_path / "one") == tree_digest(tmp_path / "two")
    assert sorted(map(json.dumps, _manifest(tmp_path / "one"))) == sorted(map(json.dumps, _manifest(tmp_path / "two")))


def test_fake_backend_resume_after_a_partial_run(tmp_path, fake):
    src = _fake_tree(tmp_path / "in")
    clean = augment.augment_dir(src, tmp_path / "clean", copies=2, workers=1, **fake)
    run = augment.iter_augment(src, tmp_path / "out", copies=2, workers=1, **fake)
    assert isinstance(run, AugmentRun) and run.planned == 24
    taken = [next(run) for _ in range(5)]
    run.close()  # the consumer stops early: the lock is released, nothing half-written stays
    assert all(r.status == "ok" and r.temp is None for r in taken)
    hidden = [p for p in (tmp_path / "out").rglob(".*") if p.name != LOCK_NAME]
    assert hidden == []
    rest = augment.augment_dir(src, tmp_path / "out", copies=2, workers=2, **fake)
    assert rest.skipped == 5 and rest.written == 19 and clean.written == 24
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert len(_manifest(tmp_path / "out")) == 24


def test_fake_backend_sigkill_then_resume_equals_a_clean_run(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=30)
    augment.augment_dir(src, tmp_path / "clean", copies=2, workers=1, **fake)
    recipe = tmp_path / "slow.toml"
    recipe.write_text("[fake]\ndelay = 0.05\n")
    # The fingerprint covers the delay, so the clean run and this one differ in it: compare bytes only.
    script = textwrap.dedent(f"""
        import sys, fake_backend, augment
        fake_backend.install()
        augment.augment_dir({str(src)!r}, {str(tmp_path / "out")!r}, copies=2, workers=2, only=["fake"],
                            recipe={str(recipe)!r})
    """)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.path.dirname(fake_backend.__file__), *sys.path])}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True)
    manifest = tmp_path / "out" / "manifest.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not manifest.exists() or len(manifest.read_bytes().splitlines()) < 10):
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = [p for p in (tmp_path / "out").rglob("*.fake") if not p.name.startswith(".")]
    assert 10 <= len(finished) < 60  # killed mid-run
    for path in finished:  # every finished output is whole and has its line
        rel = path.relative_to(tmp_path / "out").as_posix()
        assert path.read_bytes() == (tmp_path / "clean" / rel).read_bytes()
    rest = augment.augment_dir(src, tmp_path / "out", copies=2, workers=2, recipe=recipe, **fake)
    assert rest.failed == 0 and rest.written + rest.skipped == 60
    assert tree_digest(tmp_path / "out") == tree_digest(tmp_path / "clean")
    assert len(_manifest(tmp_path / "out")) == 60


def test_fake_backend_prepare_failure_is_a_setup_error(tmp_path, fake, monkeypatch):
    src = _fake_tree(tmp_path / "in", count=2)
    monkeypatch.setenv("FAKE_BACKEND_NEEDS", str(tmp_path / "model.bin"))
    with pytest.raises(SetupError, match="the fake backend needs .*model.bin"):
        augment.augment_dir(src, tmp_path / "out", workers=1, **fake)
    assert not (tmp_path / "out").exists()
    (tmp_path / "model.bin").write_bytes(b"x")
    assert augment.augment_dir(src, tmp_path / "out", workers=1, **fake).written == 2


def test_fake_backend_progress_total_matches_the_results(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=4)
    (src / "x.md").write_text("unsupported")
    recipe = Recipe.from_dict({"rules": [{"match": "a/**", "copies": 0}, {"match": "b/f00.fake", "copies": 3}]})
    for include in (False, True):
        run = augment.iter_augment(src, tmp_path / f"out{include}", copies=2, workers=1, recipe=recipe,
                                   include_originals=include, **fake)
        assert run.planned == len(list(run))


def test_mirror_names_counts_and_manifest(tmp_path):
    src = _mixed_tree(tmp_path / "in")
    before = tree_digest(src)
    summary = augment.augment_dir(src, tmp_path / "out", copies=2, seed=5, workers=1)
    out = tmp_path / "out"
    expected = {
        "images/cat/cat 001_aug1.jpg", "images/cat/cat 001_aug2.jpg",
        "images/dog/Hund-ä_aug1.PNG", "images/dog/Hund-ä_aug2.PNG",
        "text/pos/a_aug1.txt", "text/pos/a_aug2.txt", "text/neg/b_aug1.TXT", "text/neg/b_aug2.TXT",
        "audio/yes/y_aug1.wav", "audio/yes/y_aug2.wav",
    }
    assert set(tree_digest(out)) == expected
    assert summary.written == 10 and summary.failed == 0 and summary.unsupported == 1
    assert summary.counts["image"]["ok"] == 4 and summary.exit_code == 0
    records = _manifest(out)
    assert {r["output"] for r in records} == expected
    for r in records:
        assert r["status"] == "ok" and r["error"] is None
        assert r["output"] == output_name(r["source"], r["copy"])
        assert r["seed"] == augment.derive_seed(5, r["source"], r["copy"])
        assert isinstance(r["params"], dict)
    assert tree_digest(src) == before  # inputs untouched


def test_resume_skips_and_overwrite_redoes(tmp_path):
    src = _mixed_tree(tmp_path / "in")
    out = tmp_path / "out"
    augment.augment_dir(src, out, workers=1, only=["text", "audio"])
    first = tree_digest(out)
    again = augment.augment_dir(src, out, workers=1, only=["text", "audio"])
    assert again.written == 0 and again.skipped == 3
    redo = augment.augment_dir(src, out, workers=1, only=["text", "audio"], overwrite=True)
    assert redo.written == 3 and tree_digest(out) == first
    assert len(_manifest(out)) == 3  # one line per output, even after --overwrite


def test_only_and_include_originals(tmp_path):
    src = _mixed_tree(tmp_path / "in")
    out = tmp_path / "out"
    summary = augment.augment_dir(src, out, workers=1, only=["audio"], include_originals=True)
    files = tree_digest(out)
    originals = tree_digest(src)
    for rel, digest in originals.items():
        assert files[rel] == digest  # every source copied byte for byte
    assert set(files) - set(originals) == {"audio/yes/y_aug1.wav"}
    assert summary.total("excluded") == 4 and summary.unsupported == 1
    originals_in_manifest = [r for r in _manifest(out) if r["copy"] == 0]
    assert len(originals_in_manifest) == len(originals)


def test_dry_run_writes_nothing(tmp_path):
    src = _mixed_tree(tmp_path / "in")
    results = list(augment.iter_augment(src, tmp_path / "out", copies=3, dry_run=True))
    planned = [r.output for r in results if r.status == "planned"]
    assert len(planned) == 15 and "text/pos/a_aug3.txt" in planned
    assert not (tmp_path / "out").exists()


def test_iter_augment_is_lazy_and_yields_results(tmp_path):
    src = tmp_path / "in"
    for i in range(3):
        write_text(src / f"{i}.txt", SENTENCES[i] + "\n")
    it = augment.iter_augment(src, tmp_path / "out", workers=1)
    assert isinstance(it, AugmentRun)
    assert not (tmp_path / "out").exists()  # nothing happens until iteration
    results = list(it)
    assert [r.status for r in results] == ["ok"] * 3
    assert all(r.temp is None and r.params["ops"][0]["op"] == "SynonymAug" for r in results)


def test_output_inside_input_is_left_out_of_the_walk(tmp_path):
    src = tmp_path / "data"
    write_text(src / "a.txt", SENTENCES[1] + "\n")
    summary = augment.augment_dir(src, src / "augmented", workers=1)
    assert summary.written == 1
    again = augment.augment_dir(src, src / "augmented", workers=1)
    assert again.written == 0 and again.skipped == 1  # its own outputs are not inputs
    # The hidden lock file stays: deleting it on release would let two runs lock two inodes.
    assert sorted(p.name for p in (src / "augmented").iterdir()) == [
        ".augment-dir.lock", "a_aug1.txt", "manifest.jsonl", "recipe.toml", "run.json"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"copies": 0}, "copies"),
        ({"seed": -1}, "seed"),
        ({"workers": 0}, "workers"),
        ({"only": ["video"]}, "only"),
        ({"recipe": Recipe.default().replace(options={"text": {"unit": "page"}})}, r"\[text\]: unit"),
        ({"text_unit": "page"}, "text_unit must be one of file, line"),
        ({"recipe": "{tmp}/video.toml"}, "unknown top-level key or table 'video'"),
        ({"recipe": "{tmp}/missing.toml"}, "missing.toml: cannot read"),
    ],
)
def test_bad_arguments_raise_setup_error_and_write_nothing(tmp_path, kwargs, message):
    src = _mixed_tree(tmp_path / "in")
    (tmp_path / "video.toml").write_text("[video]\nfps = 3\n")
    if isinstance(kwargs.get("recipe"), str):
        kwargs = {"recipe": kwargs["recipe"].format(tmp=tmp_path)}
    with pytest.raises(SetupError, match=message):
        augment.augment_dir(src, tmp_path / "out", **{"workers": 1, **kwargs})
    assert not (tmp_path / "out").exists()


def test_setup_errors_for_folders(tmp_path):
    src = _mixed_tree(tmp_path / "in")
    with pytest.raises(SetupError, match="does not exist"):
        augment.augment_dir(tmp_path / "nope", tmp_path / "out")
    with pytest.raises(SetupError, match="INPUT itself"):
        augment.augment_dir(src, src)
    with pytest.raises(SetupError, match="contains INPUT"):
        augment.augment_dir(src, tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(SetupError, match="not a folder"):
        augment.augment_dir(src, tmp_path / "file")


def test_a_held_lock_refuses_a_second_run(tmp_path):
    from filelock import FileLock

    src = _mixed_tree(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(out / LOCK_NAME, timeout=0):
        with pytest.raises(SetupError, match="another augment-dir run"):
            augment.augment_dir(src, out, workers=1, only=["text"])
    assert [p.name for p in out.iterdir() if p.name != LOCK_NAME] == []
    assert augment.augment_dir(src, out, workers=1, only=["text"]).written == 2


def test_leftover_temporaries_are_cleaned_and_torn_manifest_repaired(tmp_path):
    src = tmp_path / "in"
    write_text(src / "sub" / "a.txt", SENTENCES[0] + "\n")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    leftover = out / "sub" / ".0123456789abcdef.augtmp"
    leftover.write_text("half a file")
    legacy = out / "sub" / ".a_aug1.augtmp-0123456789ab.txt"  # augment-dir 0.1.0's shape
    legacy.write_text("half a file")
    (out / "manifest.jsonl").write_text('{"source": "sub/a.txt", "output": "sub/a_au')
    summary = augment.augment_dir(src, out, workers=1)
    assert summary.written == 1 and not leftover.exists() and not legacy.exists()
    assert [r["output"] for r in _manifest(out)] == ["sub/a_aug1.txt"]


def test_bad_inputs_fail_per_file_and_the_run_goes_on(tmp_path):
    src = tmp_path / "in"
    write_text(src / "good.txt", SENTENCES[0] + "\n")
    (src / "bad.txt").write_bytes(b"caf\xe9 au lait\n")
    (src / "fake.png").write_text("I am text, not a PNG\n")
    (src / "empty.wav").write_bytes(b"")
    summary = augment.augment_dir(src, tmp_path / "out", copies=2, workers=1)
    assert summary.written == 2 and summary.failed == 6 and summary.exit_code == 1
    assert set(summary.failures) == {"bad.txt", "fake.png", "empty.wav"}
    text = summary.describe()
    for name in ("bad.txt", "fake.png", "empty.wav"):
        assert name in text
    errors = {r["output"]: r for r in _manifest(tmp_path / "out") if r["status"] == "error"}
    assert set(errors) == {"bad_aug1.txt", "bad_aug2.txt", "fake_aug1.png", "fake_aug2.png",
                           "empty_aug1.wav", "empty_aug2.wav"}
    assert all(r["error"] for r in errors.values())
    left = sorted(p.name for p in (tmp_path / "out").iterdir() if p.name != LOCK_NAME)
    assert left == ["good_aug1.txt", "good_aug2.txt", "manifest.jsonl", "recipe.toml", "run.json"]


@pytest.fixture
def no_wordnet(monkeypatch, tmp_path):
    """No WordNet anywhere: NLTK's path emptied, no system database, a fresh cache."""
    import nltk

    from augment.backends.text import wordnet

    for name in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path / "no_nltk_data")])
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setenv("AUGMENT_DIR_CACHE", str(tmp_path / "cache"))


def test_missing_wordnet_is_a_setup_error_only_when_an_op_needs_it(tmp_path, no_wordnet):
    src = tmp_path / "in"
    write_text(src / "a.txt", SENTENCES[0] + "\n")
    with pytest.raises(SetupError, match="WordNet was not found") as info:
        augment.augment_dir(src, tmp_path / "out", workers=1)
    assert "apt-get install wordnet-base wordnet-sense-index" in str(info.value)
    assert not (tmp_path / "out").exists()
    # A rule that brings in a WordNet op needs it too.
    rule = Recipe.from_dict({"text": {"ops": [{"op": "KeyboardAug"}]},
                             "rules": [{"match": "a.txt", "text": {"ops": [{"op": "AntonymAug"}]}}]})
    with pytest.raises(SetupError, match="WordNet was not found"):
        augment.augment_dir(src, tmp_path / "out", workers=1, recipe=rule)
    # Character-level ops need no WordNet at all.
    typos = Recipe.from_dict({"text": {"ops": [{"op": "KeyboardAug"}, {"op": "RandomCharAug"}]}})
    summary = augment.augment_dir(src, tmp_path / "out", workers=1, recipe=typos)
    assert summary.written == 1 and summary.failed == 0
    [line] = _manifest(tmp_path / "out")
    assert line["params"]["tagger"] is None and line["params"]["wordnet"] is None


# ----------------------------------------------------------------------------- output that is safe to consume


def _run_state(out):
    return json.loads((out / "run.json").read_text(encoding="utf-8"))


def test_run_json_says_finished_with_counts_and_the_run(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=4)
    (src / "a" / "bad.fake").write_bytes(b"BAD")
    augment.augment_dir(src, tmp_path / "out", copies=2, seed=4, workers=1, **fake)
    state = _run_state(tmp_path / "out")
    assert state["state"] == "finished" and state["exit_code"] == 1 and state["error"] is None
    assert state["counts"] == {"fake": {"error": 2, "ok": 8}}
    assert state["input"] == str((tmp_path / "in").resolve()) and state["seed"] == 4 and state["copies"] == 2
    assert state["recipe"] == _manifest(tmp_path / "out")[0]["recipe"]
    assert state["arguments"]["only"] == ["fake"] and state["augment_dir"] == augment.__version__
    assert state["started"] <= state["finished"]


def test_run_json_says_interrupted_when_the_consumer_stops(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=6)
    run = augment.iter_augment(src, tmp_path / "out", workers=1, **fake)
    next(run)
    assert _run_state(tmp_path / "out")["state"] == "running"
    run.close()
    state = _run_state(tmp_path / "out")
    assert state["state"] == "interrupted" and state["exit_code"] is None and state["counts"] == {"fake": {"ok": 1}}
    augment.augment_dir(src, tmp_path / "out", workers=1, **fake)
    assert _run_state(tmp_path / "out")["state"] == "finished"


def test_overwrite_makes_output_exactly_this_runs_result(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=4)
    (src / "a" / "gone.fake").write_bytes(b"soon deleted")
    out = tmp_path / "out"
    augment.augment_dir(src, out, copies=4, workers=1, include_originals=True, **fake)
    (out / "mine.txt").write_text("a file the manifest does not list")
    (src / "a" / "gone.fake").unlink()
    other = Recipe.from_dict({"fake": {"ops": [{"op": "Xor", "width": 3}]}})
    summary = augment.augment_dir(src, out, copies=2, workers=1, recipe=other, overwrite=True, **fake)
    assert summary.written == 8
    records = _manifest(out)
    assert len({r["recipe"] for r in records}) == 1 and len(records) == 8
    assert sorted(r["output"] for r in records) == sorted(
        f"{d}/f{i:02d}_aug{k}.fake" for i, d in enumerate("baba") for k in (1, 2))
    left = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    assert left == sorted([r["output"] for r in records] + ["manifest.jsonl", "recipe.toml", "run.json", "mine.txt"])


def test_overwrite_leaves_modalities_outside_only_alone(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=2)
    write_text(src / "t.txt", SENTENCES[0] + "\n")
    out = tmp_path / "out"
    augment.augment_dir(src, out, copies=2, workers=1, only=["fake", "text"],
                        recipe=Recipe.from_dict({"text": {"ops": [{"op": "RandomCharAug"}]}}))
    other = Recipe.from_dict({"text": {"ops": [{"op": "RandomCharAug"}]}, "fake": {"ops": [{"op": "Xor", "width": 2}]}})
    augment.augment_dir(src, out, copies=1, workers=1, only=["fake"], recipe=other, overwrite=True)
    assert (out / "t_aug1.txt").exists() and (out / "t_aug2.txt").exists()
    assert not (out / "a" / "f01_aug2.fake").exists() and (out / "a" / "f01_aug1.fake").exists()


def test_a_manifest_without_its_recipe_is_refused(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=2)
    augment.augment_dir(src, tmp_path / "out", workers=1, **fake)
    (tmp_path / "out" / "recipe.toml").unlink()
    with pytest.raises(SetupError, match="holds outputs .a manifest. but no recipe.toml"):
        augment.augment_dir(src, tmp_path / "out", workers=1, seed=5, **fake)
    assert augment.augment_dir(src, tmp_path / "out", workers=1, seed=5, overwrite=True, **fake).written == 2


def test_a_refusal_says_what_differs_and_what_to_run(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=2)
    out = tmp_path / "out"
    augment.augment_dir(src, out, workers=1, seed=0, copies=3, **fake)
    with pytest.raises(SetupError) as info:
        augment.augment_dir(src, out, workers=1, seed=1, copies=3, **fake)
    message = str(info.value)
    assert "seed: 0 -> 1" in message and "continue it with --seed 0" in message
    assert augment.augment_dir(src, out, workers=1, seed=0, copies=4, **fake).written == 2  # copies may grow
    other = Recipe.from_dict({"fake": {"ops": [{"op": "Xor", "width": 2}]}})
    with pytest.raises(SetupError) as info:
        augment.augment_dir(src, out, workers=1, recipe=other, **fake)
    message = str(info.value)
    assert "[[fake.ops]] #1 (Xor) width: 4 -> 2" in message or "width: (left out) -> 2" in message
    assert f"--config {out / 'recipe.toml'}" in message
    # Following the advice works.
    assert augment.augment_dir(src, out, workers=1, recipe=out / "recipe.toml", **fake).skipped == 8


def test_run_notices_are_said_once_per_output_and_kept_in_run_json(tmp_path, fake, monkeypatch):
    src = _fake_tree(tmp_path / "in", count=2)

    def notice(cls, config):
        warnings.warn(RunNotice("the fake backend uses its fallback"), stacklevel=1)

    monkeypatch.setattr(fake_backend.FakeAugmenter, "prepare", classmethod(notice))
    with warnings.catch_warnings(record=True) as first:
        warnings.simplefilter("always")
        augment.augment_dir(src, tmp_path / "out", workers=1, **fake)
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        augment.augment_dir(src, tmp_path / "out", workers=1, **fake)
    assert [str(w.message) for w in first] == ["the fake backend uses its fallback"]
    assert again == []
    assert _run_state(tmp_path / "out")["notices"] == ["the fake backend uses its fallback"]


def test_workers_that_die_before_any_file_stop_the_run_once(tmp_path, fake, monkeypatch):
    src = _fake_tree(tmp_path / "in", count=6)
    monkeypatch.setenv("FAKE_BACKEND_DIE_IN_WORKERS", "1")
    with pytest.raises(WorkerStartError, match="stopped before finishing any file.*__main__"):
        augment.augment_dir(src, tmp_path / "out", workers=2, **fake)
    state = _run_state(tmp_path / "out")
    assert state["state"] == "failed" and "WorkerStartError" in state["error"]
    assert not (tmp_path / "out" / "manifest.jsonl").exists() or _manifest(tmp_path / "out") == []
    assert [p for p in (tmp_path / "out").rglob(".*augtmp")] == []


@pytest.mark.parametrize("guarded", [False, True])
def test_the_readme_example_pasted_into_a_script_works(tmp_path, guarded):
    src = tmp_path / "in"
    for i in range(3):
        write_text(src / f"{i}.txt", SENTENCES[i] + "\n")
    call = f"summary = augment.augment_dir({str(src)!r}, {str(tmp_path / 'out')!r}, copies=2, workers=2)\n" \
           "print(summary.written, summary.exit_code)\n"
    body = "import augment\n\n" + (f"if __name__ == '__main__':\n{textwrap.indent(call, '    ')}" if guarded else call)
    script = tmp_path / "script.py"
    script.write_text(body)
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["6", "0"]
    assert ("running in this process instead" in proc.stderr) is (not guarded)
    assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) <= 4


def test_a_small_run_starts_no_worker_processes_unless_asked(tmp_path, fake, monkeypatch):
    import augment.run.options as options_module
    from augment.run.execute import InProcessExecutor, ProcessPoolTaskExecutor
    from augment.run.pipeline import OUTPUTS_PER_WORKER

    monkeypatch.setattr(options_module, "default_workers", lambda: 4)
    small = augment.iter_augment(_fake_tree(tmp_path / "small", count=6), tmp_path / "o1", copies=2, **fake)
    assert small.planned == 12 and small.worker_processes == 1
    assert isinstance(small._executor(), InProcessExecutor)
    big = augment.iter_augment(_fake_tree(tmp_path / "big", count=40), tmp_path / "o2", copies=2, **fake)
    assert big.worker_processes == min(4, 80 // OUTPUTS_PER_WORKER) == 4
    # Asked for, -j is what the run uses.
    asked = augment.iter_augment(tmp_path / "small", tmp_path / "o3", copies=2, workers=2, **fake)
    assert asked.worker_processes == 2 and isinstance(asked._executor(), ProcessPoolTaskExecutor)
    for run in (small, big, asked):
        run.close()
    assert augment.augment_dir(tmp_path / "small", tmp_path / "o1", copies=2, **fake).written == 12


@pytest.mark.parametrize("name", ["manifest.jsonl", "run.json", "recipe.toml", LOCK_NAME])
def test_a_run_file_that_is_a_link_is_refused_and_nothing_is_written_through_it(tmp_path, fake, name):
    src = _fake_tree(tmp_path / "in", count=2)
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere" / "theirs.txt"  # dangling: a run must not create it
    os.symlink(target, out / name)
    message = (rf"OUTPUT .*: {re.escape(name)} is a symbolic link \(to {re.escape(str(target))}\); "
               rf"a run writes its own {re.escape(name)} in OUTPUT, never through a link")
    with pytest.raises(SetupError, match=message):
        augment.augment_dir(src, out, workers=1, **fake)
    assert not target.exists() and not (tmp_path / "elsewhere").exists()
    assert sorted(p.name for p in out.iterdir()) == [name]


def test_a_folder_in_output_linked_out_of_it_fails_its_files_and_input_is_untouched(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=6)  # folders a/ and b/
    before = tree_digest(src)
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(src / "b", out / "b")  # OUTPUT/b leads into INPUT/b
    summary = augment.augment_dir(src, out, copies=1, workers=1, **fake)
    assert summary.written == 3 and summary.failed == 3 and summary.exit_code == 1
    assert tree_digest(src) == before  # nothing was written into INPUT
    records = {r["source"]: r for r in _manifest(out)}
    for rel in ("b/f00.fake", "b/f02.fake", "b/f04.fake"):
        assert records[rel]["status"] == "error"
        assert f"its folder in OUTPUT is a symbolic link to {src / 'b'}, outside OUTPUT" in records[rel]["error"]
    assert all(records[f"a/f0{i}.fake"]["status"] == "ok" for i in (1, 3, 5))
    # A link that stays inside OUTPUT is an ordinary folder.
    os.unlink(out / "b")
    (out / "real").mkdir()
    os.symlink(out / "real", out / "b")
    again = augment.augment_dir(src, out, copies=1, workers=1, **fake)
    assert again.written == 3 and again.failed == 0 and len(list((out / "real").iterdir())) == 3


def test_link_originals_hard_links_them_and_copies_across_devices(tmp_path, fake):
    import tempfile

    src = _fake_tree(tmp_path / "in", count=4)
    summary = augment.augment_dir(src, tmp_path / "out", link_originals=True, workers=1, **fake)
    assert summary.written == 8  # implies include_originals: 4 originals and 4 copies
    for rel in ("a/f01.fake", "b/f00.fake"):
        assert os.path.samefile(src / rel, tmp_path / "out" / rel)  # the same file: no space spent
    originals = [r for r in _manifest(tmp_path / "out") if r["copy"] == 0]
    assert len(originals) == 4 and all(r["params"] == {"original": True, "linked": True} for r in originals)
    run_json = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run_json["arguments"]["link_originals"] is True and run_json["arguments"]["include_originals"] is True
    # Another device (/dev/shm is a tmpfs): the link cannot be made, so the original is copied.
    if os.stat("/dev/shm").st_dev == os.stat(tmp_path).st_dev:
        pytest.fail("this test needs /dev/shm on another device than the temporary folder")
    with tempfile.TemporaryDirectory(dir="/dev/shm") as elsewhere:
        augment.augment_dir(src, elsewhere, link_originals=True, workers=1, **fake)
        copied = os.path.join(elsewhere, "a", "f01.fake")
        assert not os.path.samefile(src / "a" / "f01.fake", copied)
        assert Path(copied).read_bytes() == (src / "a" / "f01.fake").read_bytes()
        originals = [r for r in _manifest(Path(elsewhere)) if r["copy"] == 0]
        assert all(r["params"] == {"original": True} for r in originals)
    # A linked original's output is replaced by rename, never written into: INPUT stays as it was.
    before = tree_digest(src)
    augment.augment_dir(src, tmp_path / "out", link_originals=True, overwrite=True, workers=1, **fake)
    assert tree_digest(src) == before


def test_outputs_that_differ_only_in_case_fail_both_where_case_does_not_matter(tmp_path, fake):
    from augment.run.storage import case_insensitive_at

    src = tmp_path / "in"
    (src / "a").mkdir(parents=True)
    for name in ("Photo.fake", "photo.fake", "other.fake"):
        (src / "a" / name).write_bytes(name.encode() * 8)
    out = tmp_path / "out"
    out.mkdir()
    assert not case_insensitive_at(out) and not case_insensitive_at(out / "not" / "made")
    # This machine's file systems all respect case: OUTPUT is made to look up alike in both cases the way
    # a case-insensitive one does (OUT is out, bind-mounted: the same folder), which is what the probe asks.
    if os.geteuid() != 0:
        pytest.fail("this test bind-mounts a folder, which needs root; CI runs as root")
    (tmp_path / "OUT").mkdir()
    subprocess.run(["mount", "--bind", str(out), str(tmp_path / "OUT")], check=True)
    try:
        assert case_insensitive_at(out) and case_insensitive_at(out / "not" / "made")
        os.symlink(out, tmp_path / "Linked")
        assert not case_insensitive_at(tmp_path / "linked")  # a link spelt otherwise is not the same name
        summary = augment.augment_dir(src, out, copies=1, workers=1, **fake)
        dry = augment.augment_dir(src, out, copies=1, workers=1, dry_run=True, **fake)
    finally:
        subprocess.run(["umount", str(tmp_path / "OUT")], check=True)
    assert summary.written == 1 and summary.failed == 2 and summary.exit_code == 1
    assert sorted(p.name for p in (out / "a").iterdir()) == ["other_aug1.fake"]  # neither twin won
    errors = {r["output"]: r["error"] for r in _manifest(out) if r["status"] == "error"}
    assert errors == {
        "a/Photo_aug1.fake": "OUTPUT's file system ignores case, so this output and a/photo_aug1.fake (from "
                             "a/photo.fake) would be one file; rename one of the sources",
        "a/photo_aug1.fake": "OUTPUT's file system ignores case, so this output and a/Photo_aug1.fake (from "
                             "a/Photo.fake) would be one file; rename one of the sources",
    }
    assert dry.failed == 2  # a dry run says what the run would
