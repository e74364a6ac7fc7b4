"""Tests for augment.manifest: flushed appends and repair after kills."""

from __future__ import annotations

import json

import pytest

from augment.run.manifest import (
    PARTS_FOLDER,
    CheckpointedManifest,
    ManifestWriter,
    compact,
    ok_outputs,
    prune,
    remote_has_records,
)


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


def test_compact_and_prune_ask_a_store_instead_of_the_disk(tmp_path):
    path = tmp_path / "manifest.jsonl"
    path.write_text(_line("a_aug1.txt") + _line("gone_aug1.txt") + _line("b_aug1.txt") + _line("c_aug1.txt", "error"))
    there = {"a_aug1.txt", "b_aug1.txt"}
    assert compact(path, None, exists=there.__contains__) is True
    assert _outputs(path) == [("a_aug1.txt", "ok"), ("b_aug1.txt", "ok"), ("c_aug1.txt", "error")]
    removed = []
    assert prune(path, None, lambda r: r["output"] != "a_aug1.txt", exists=there.__contains__,
                 remove=removed.extend) == ["b_aug1.txt", "c_aug1.txt"]
    assert removed == ["b_aug1.txt"] and _outputs(path) == [("a_aug1.txt", "ok")]
    path.write_text(_line("x", seed=1) + _line("x", "error", seed=2))
    compact(path, None)  # neither: the lines are true, only the last per output stays
    assert _outputs(path) == [("x", "error")] and ok_outputs(path) == set()


@pytest.fixture
def store_output():
    from augment.run.remote import locate
    from augment.run.storage import RemoteStorage

    storage = RemoteStorage(locate("memory://manifest-test/out", "OUTPUT"))
    yield storage
    storage.fs.rm("/manifest-test", recursive=True)


def test_a_store_manifest_checkpoints_parts_and_merges_them(store_output):
    storage = store_output
    storage.write_text("a_aug1.txt", "x")
    storage.write_text("manifest.jsonl", _line("a_aug1.txt") + _line("lost_aug1.txt"))
    manifest = CheckpointedManifest(storage, every=3600)
    manifest.prepare({}, None)
    assert storage.done == {"a_aug1.txt"}  # a line whose object is missing is not done
    assert _store_lines(storage) == [("a_aug1.txt", "ok")]  # repaired in the store at once
    with manifest.writer() as writer:
        writer.write({"source": "s", "output": "b_aug1.txt", "status": "ok"})
        manifest.checkpoint()
        writer.write({"source": "s", "output": "c_aug1.txt", "status": "error"})
        manifest.checkpoint()
        manifest.checkpoint()  # nothing new: no part
    parts = sorted(rel for rel in storage.listing() if rel.startswith(PARTS_FOLDER))
    storage.forget_listing()
    assert len(parts) == 2 and storage.read_text(parts[1]) == _line("c_aug1.txt", "error")
    manifest.finish()
    manifest.close()
    assert _store_lines(storage) == [("a_aug1.txt", "ok"), ("b_aug1.txt", "ok"), ("c_aug1.txt", "error")]
    assert not [rel for rel in storage.listing() if rel.startswith(".augment-dir")]


def test_a_killed_runs_parts_are_merged_by_the_next_run(store_output):
    storage = store_output
    for rel in ("a_aug1.txt", "b_aug1.txt"):
        storage.write_text(rel, "x")
    storage.write_text("manifest.jsonl", _line("a_aug1.txt", "error"))
    storage.write_text(f"{PARTS_FOLDER}/20260101T000000Z-aaaa-000000.jsonl", _line("a_aug1.txt"))
    storage.write_text(f"{PARTS_FOLDER}/20260101T000000Z-aaaa-000001.jsonl", _line("b_aug1.txt") + '{"torn')
    assert remote_has_records(storage)
    manifest = CheckpointedManifest(storage)
    assert manifest.done() == {"a_aug1.txt", "b_aug1.txt"} and storage.read_text("manifest.jsonl").count("\n") == 1
    manifest.close()
    manifest = CheckpointedManifest(storage)
    manifest.prepare({}, None)
    manifest.close()
    assert _store_lines(storage) == [("a_aug1.txt", "ok"), ("b_aug1.txt", "ok")]
    assert not [rel for rel in storage.listing() if rel.startswith(PARTS_FOLDER)]


def _store_lines(storage):
    return [(json.loads(line)["output"], json.loads(line)["status"])
            for line in storage.read_text("manifest.jsonl").splitlines()]
