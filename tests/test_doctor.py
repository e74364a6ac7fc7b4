"""Tests for augment.doctor: ``augment-dir doctor`` in a subprocess, with real installs and real import failures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from augment import doctor

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))


def run_doctor(*args, env=None, cwd=None):
    return subprocess.run([SCRIPT, "doctor", *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=300)


def shim(folder: Path, *modules: str) -> dict[str, str]:
    """An environment whose first sys.path entry holds packages named ``modules`` that fail to import."""
    for module in modules:
        package = folder / module
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f'raise ImportError("No module named {module!r} (not installed)")\n')
    return {**os.environ, "PYTHONPATH": str(folder)}


def line(output: str, name: str) -> str:
    (found,) = [row for row in output.splitlines() if row.startswith(f"{name}:")]
    return found


def test_every_backend_works_exit_0(tmp_path):
    proc = run_doctor(cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert out.startswith("augment-dir ") and out.rstrip().endswith("every backend works")
    image = line(out, "image")
    assert "ok: " in image and "pillow " in image and "opencv-python-headless " in image
    assert "on the opencv engine" in image and "keras engine: tensorflow " in image
    text = line(out, "text")
    assert "ok: " in text and "nlpaug " in text and "WordNet: " in text and "tagger: " in text
    assert "a run would use: SynonymAug (quality filter on)" in text
    audio = line(out, "audio")
    assert "ok: " in audio and "audiomentations " in audio and "libsndfile " in audio
    assert f"{len(os.sched_getaffinity(0))} available" in line(out, "CPUs")
    assert os.environ["AUGMENT_DIR_CACHE"] in line(out, "cache")
    assert not list(tmp_path.iterdir())  # its trial files went to a temporary folder, now gone


def test_an_image_only_install_fails_and_says_what_to_install(tmp_path):
    env = shim(tmp_path / "shim", "nlpaug", "audiomentations")
    proc = run_doctor(env=env)
    assert proc.returncode == 1
    out = proc.stdout
    assert "ok: " in line(out, "image")
    assert line(out, "text").startswith("text:  FAILED") and line(out, "audio").startswith("audio: FAILED")
    problems = out[out.index("\nproblems"):]
    assert "text: the text extra is missing: cannot import nlpaug (ImportError: No module named 'nlpaug'" in problems
    assert 'fix: pip install "augment-dir[text]"' in problems
    assert 'fix: pip install "augment-dir[audio]"' in problems
    assert "every backend works" not in out


def test_only_the_modalities_asked_for(tmp_path):
    env = shim(tmp_path / "shim", "audiomentations")
    proc = run_doctor("--only", "image,text", env=env)
    assert proc.returncode == 0, proc.stdout
    assert "audio:" not in proc.stdout and line(proc.stdout, "text")


def test_a_preset_shows_its_ops():
    proc = run_doctor("--preset", "speech", "--only", "audio")
    assert proc.returncode == 0, proc.stdout
    assert "a run would use: AddGaussianSNR, Gain, TimeStretch, PitchShift, Shift" in line(proc.stdout, "audio")


def test_a_recipe_whose_op_needs_a_missing_package(tmp_path):
    recipe = tmp_path / "recipe.toml"
    recipe.write_text('[[audio.ops]]\nop = "RoomSimulator"\np = 1.0\n')
    proc = run_doctor("--config", recipe, "--only", "audio")
    assert proc.returncode == 1
    assert "pyroomacoustics" in proc.stdout and "FAILED" in line(proc.stdout, "audio")


@pytest.mark.parametrize(("args", "message"), [
    (["--only", "video"], "--only must name some of image, text, audio"),
    (["--preset", "digit"], "did you mean 'digits'?"),
    (["--config", "missing.toml"], "cannot read the recipe"),
])
def test_bad_arguments_exit_2(tmp_path, args, message):
    proc = run_doctor(*args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr


def test_missing_wordnet_is_a_problem_with_every_fix(monkeypatch, tmp_path):
    import nltk

    from augment.backends.text import wordnet

    for name in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    (finding,) = [f for f in doctor.diagnose(["text"]) if f.name == "text"]
    assert not finding.works
    (what, fix), = finding.problems
    assert what.startswith("WordNet was not found")
    assert "python -m augment.backends.text.setup setup --allow-download" in fix
    assert "sudo apt-get install wordnet-base wordnet-sense-index" in fix
    text, code = doctor.report([finding])
    assert code == 1 and "    fix: any one of:" in text


def test_a_cache_folder_that_cannot_be_written(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("AUGMENT_DIR_CACHE", str(blocker / "cache"))
    (cache,) = [f for f in doctor.diagnose(["image"]) if f.name == "cache"]
    assert not cache.works
    assert "cannot be written" in cache.problems[0][0] and "AUGMENT_DIR_CACHE" in cache.problems[0][1]


def test_the_text_setup_status_is_the_doctors_text_line():
    proc = subprocess.run([sys.executable, "-m", "augment.backends.text.setup", "status"], capture_output=True,
                          text=True, timeout=300)
    doctor_text = line(run_doctor("--only", "text").stdout, "text")
    assert proc.returncode == 0
    status = line(proc.stdout, "text")
    # The same WordNet, tagger and index, from the same check.
    assert status.split("; ")[0].split("ok: ")[1] in doctor_text
    assert "(augment-dir doctor checks every backend)" in proc.stdout
