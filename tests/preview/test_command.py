"""Tests for augment.preview.command: ``augment-dir preview`` in a subprocess, as a user runs it."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))


def preview(*args, cwd):
    return subprocess.run([SCRIPT, "preview", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_a_png_sheet_of_every_modality(mixed, tmp_path):
    proc = preview(mixed.output, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = tmp_path / "out-preview.png"
    assert proc.stdout == "out-preview.png\n"  # where it is, for scripts (relative, as it was given)
    with Image.open(written) as sheet:
        assert sheet.format == "PNG" and sheet.width >= 800 and sheet.height >= 400
    assert "wrote out-preview.png (1280x" in proc.stderr and "warning" not in proc.stderr


def test_an_html_sheet_with_options(mixed, tmp_path):
    proc = preview(mixed.output, "-o", tmp_path / "sheet.html", "--sources", "1", "--only", "text,audio",
                   "--seed", "7", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "sheet.html").read_text(encoding="utf-8")
    assert "<h2>text: 1 of the sources" in page and "<h2>audio: 1 of the sources" in page and "<h2>image" not in page


def test_warnings_go_to_stderr_and_the_sheet_is_still_written(mixed_copy, tmp_path):
    shutil.rmtree(mixed_copy.input)
    state_path = mixed_copy.output / "run.json"
    state = json.loads(state_path.read_text())
    state["state"] = "running"
    state_path.write_text(json.dumps(state))
    proc = preview(mixed_copy.output, "-o", tmp_path / "s.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    warnings = [line for line in proc.stderr.splitlines() if "warning:" in line]
    assert len(warnings) == 2
    assert "is running" in warnings[0] and "is not there (moved or deleted?)" in warnings[1]
    assert (tmp_path / "s.png").is_file()


@pytest.mark.parametrize(("args", "message"), [
    (["{missing}"], "does not exist"),
    (["{empty}"], "has no manifest.jsonl"),
    (["{output}", "-o", "{output}/sheet.png"], "is inside OUTPUT"),
    (["{output}", "-o", "{input}/sheet.png"], "is inside INPUT"),
    (["{output}", "-o", "sheet.jpg"], "a .png or an .html file"),
    (["{output}", "-o", "{missing}/sheet.png"], "does not exist"),
    (["{output}", "--only", "video"], "--only must name some of image, text, audio"),
    (["{output}", "--sources", "0"], "must be between 1 and 100"),
])
def test_errors_are_one_line_and_exit_2(mixed, tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    names = {"missing": tmp_path / "missing", "empty": tmp_path / "empty", "output": mixed.output,
             "input": mixed.input}
    proc = preview(*[a.format(**names) for a in args], cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    lines = proc.stderr.strip().splitlines()
    # One line of error (argparse puts its usage before its own errors).
    assert lines[-1].startswith("augment-dir preview: error: ") and sum("error" in line for line in lines) == 1
    assert not (tmp_path / "out-preview.png").exists() and not (mixed.output / "sheet.png").exists()
    assert not (mixed.input / "sheet.png").exists()


def test_a_folder_named_preview_is_reached_as_dot_slash(mixed, tmp_path):
    shutil.copytree(mixed.input, tmp_path / "preview")
    proc = subprocess.run([SCRIPT, "./preview", "augmented", "--only", "image", "-j", "1"], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "augmented" / "manifest.jsonl").is_file()
    # And "preview" first is the command, whose OUTPUT may itself be named preview.
    shutil.move(tmp_path / "augmented", tmp_path / "doctor")
    proc = preview("./doctor", "-o", "s.png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr


def test_help_says_how_to_reach_a_folder_named_preview(tmp_path):
    proc = preview("--help", cwd=tmp_path)
    assert proc.returncode == 0 and "./preview" in proc.stdout and "-o" in proc.stdout
