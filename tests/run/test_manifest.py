"""Tests for augment.manifest: flushed appends and repair after kills."""

from __future__ import annotations

import json

from augment.run.manifest import ManifestWriter, compact


def _line(output, status="ok", **extra):
    return json.dumps({"source": "s", "output": output, "status": status, **extra}) + "\n"


def _outputs(path):
    return [(json.loads(line)["output"], json.loads(line)["status"]) for line in path.read_text().splitlines()]


def test_writer_flushes_each_line(tmp_path):
    path = tmp_path / "manifest.jsonl"
    with ManifestWriter(path) as writer:
        writer.write({"output": "a_aug1.txt", "status": "ok", "source": "ä.txt"})
        # Readable by another process before the writer is closed.
        assert json.loads(path.read_text(encoding="utf-8"))["source"] == "ä.txt"


def test_compact_repairs_torn_line_and_keeps_true_lines(tmp_path):
    (tmp_path / "a_aug1.txt").write_text("x")
    (tmp_path / "b_aug1.txt").write_text("x")
    path = tmp_path / "manifest.jsonl"
    path.write_text(
        _line("a_aug1.txt")
        + _line("gone_aug1.txt")  # ok line, but the file never got renamed into place
        + _line("c_aug1.txt", "error", error="bad")  # still failed: kept
        + _line("b_aug1.txt", "error", error="bad")  # failed before, done since: superseded below
        + _line("b_aug1.txt")
        + "not json\n"
        + '{"source": "s", "output": "a_au'  # torn by a kill
    )
    assert compact(path, tmp_path) is True
    assert _outputs(path) == [("a_aug1.txt", "ok"), ("c_aug1.txt", "error"), ("b_aug1.txt", "ok")]
    assert compact(path, tmp_path) is False
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_compact_keeps_last_line_per_output(tmp_path):
    (tmp_path / "a_aug1.txt").write_text("x")
    path = tmp_path / "manifest.jsonl"
    path.write_text(_line("a_aug1.txt", seed=1) + _line("a_aug1.txt", seed=2))
    compact(path, tmp_path)
    lines = path.read_text().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["seed"] == 2


def test_compact_without_manifest(tmp_path):
    assert compact(tmp_path / "manifest.jsonl", tmp_path) is False
    assert not (tmp_path / "manifest.jsonl").exists()
