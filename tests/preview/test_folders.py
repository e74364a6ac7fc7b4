"""Tests for augment.preview.folders: a local folder and a folder in a store, read the same way."""

from __future__ import annotations

import uuid

import fsspec
import pytest

from augment.preview.folders import Folder, FolderError
from augment.preview.sheet import build


@pytest.fixture(params=["local", "memory"])
def folder(request, tmp_path):
    files = {"a.txt": b"hello world", "sub/run.json": b'{"state": "finished"}', "sub/junk.json": b"[1]"}
    if request.param == "local":
        for rel, data in files.items():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_bytes(data)
        return Folder.at(tmp_path, "OUTPUT")
    root = f"/t-{uuid.uuid4().hex}"
    fs = fsspec.filesystem("memory")
    for rel, data in files.items():
        fs.pipe(f"{root}/{rel}", data)
    return Folder.at(f"memory://{root}", "OUTPUT")


def test_reading_files(folder):
    assert folder.exists()
    assert folder.is_file("a.txt") and not folder.is_file("sub") and not folder.is_file("nope.txt")
    assert folder.size("a.txt") == 11 and folder.size("nope.txt") is None
    assert folder.read_bytes("a.txt") == b"hello world" and folder.read_bytes("a.txt", 5) == b"hello"
    with folder.open("a.txt") as fh:
        fh.seek(6)
        assert fh.read() == b"world"
    assert folder.read_json("sub/run.json") == {"state": "finished"}
    assert folder.read_json("sub/junk.json") is None and folder.read_json("nope.json") is None


def test_a_file_that_cannot_be_read_is_named(folder):
    with pytest.raises(FolderError, match=r"cannot read .*nope\.txt"):
        folder.read_bytes("nope.txt")
    with pytest.raises(FolderError, match=r"cannot read .*nope\.txt"):
        folder.open("nope.txt")


def test_a_missing_folder(tmp_path):
    assert not Folder.at(tmp_path / "nothing", "OUTPUT").exists()
    assert not Folder.at(f"memory:///t-{uuid.uuid4().hex}", "OUTPUT").exists()


def test_a_preview_of_an_output_in_a_store(mixed):
    root = f"/t-{uuid.uuid4().hex}/out"
    fs = fsspec.filesystem("memory")
    for path in mixed.output.rglob("*"):
        rel = path.relative_to(mixed.output).as_posix()
        if path.is_file() and not rel.startswith("."):
            fs.pipe(f"{root}/{rel}", path.read_bytes())
    sheet = build(f"memory://{root}", sources=2)
    assert [s.modality for s in sheet.sections] == ["image", "text", "audio"] and not sheet.warnings
    assert all(c.note is None for s in sheet.sections for r in s.rows for c in r.cells)
