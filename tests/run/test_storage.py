"""Tests for augment.run.storage: staging, committing, discarding and sweeping on local disk."""

from __future__ import annotations

import os

from augment.core.files import is_temporary
from augment.run.storage import LocalStorage


def test_stage_commit_and_exists(tmp_path):
    storage = LocalStorage(tmp_path)
    temp = storage.stage("a/b/c_aug1.png")
    assert os.path.dirname(temp) == str(tmp_path / "a" / "b") and is_temporary(os.path.basename(temp))
    assert not storage.exists("a/b/c_aug1.png")
    with open(temp, "wb") as fh:
        fh.write(b"png")
    storage.commit(temp, "a/b/c_aug1.png")
    assert storage.exists("a/b/c_aug1.png") and not os.path.exists(temp)
    assert (tmp_path / "a" / "b" / "c_aug1.png").read_bytes() == b"png"


def test_discard_and_write_text(tmp_path):
    storage = LocalStorage(tmp_path)
    temp = storage.stage("x.txt")
    with open(temp, "w") as fh:
        fh.write("half")
    storage.discard(temp)
    storage.discard(temp)
    storage.write_text("recipe.toml", "seed = 1\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recipe.toml"]


def test_clean_temporaries_removes_only_its_own_shape(tmp_path):
    storage = LocalStorage(tmp_path)
    leftovers = [storage.stage("a.png"), storage.stage("deep/er/b.wav")]
    for path in leftovers:
        open(path, "w").close()
    keep = [tmp_path / ".hidden.png", tmp_path / "a.png", tmp_path / "deep" / "notes.augtmp",
            tmp_path / ".notes.augtmp", tmp_path / "deep" / ".0123456789abcdef.augtmp.png"]
    for path in keep:
        path.write_text("user data")
    assert storage.clean_temporaries() == 2
    assert all(path.exists() for path in keep) and not any(os.path.exists(p) for p in leftovers)


def test_store_output_files_appear_whole_and_read_back(tmp_path):
    from augment.run.remote import locate
    from augment.run.storage import RemoteStorage

    storage = RemoteStorage(locate("memory://storage-test/out", "OUTPUT"))
    try:
        assert storage.stage("a/b_aug1.png") == "" and storage.read_text("recipe.toml") is None
        storage.write_text("recipe.toml", "seed = 1\n")
        assert storage.read_text("recipe.toml") == "seed = 1\n" and storage.read_bytes("none") is None
        local = tmp_path / "m.jsonl"
        local.write_text("{}\n")
        storage.put_file(local, "manifest.jsonl")
        assert storage.listing() == {"recipe.toml", "manifest.jsonl"}
        storage.remove(["recipe.toml"])
        assert storage.listing() == {"recipe.toml", "manifest.jsonl"}  # one listing per run, kept
        storage.forget_listing()
        assert storage.listing() == {"manifest.jsonl"} and storage.clean_temporaries() == 0
        assert storage.too_long("a/" + "x" * 1000 + ".png") is None
        assert "key would be 1030 bytes" in storage.too_long("a/" + "x" * 1020 + ".png")  # out/a/x...x.png
    finally:
        storage.fs.rm("/storage-test", recursive=True)


def test_a_store_without_atomic_uploads_goes_through_a_temporary_and_sweeps_leftovers(tmp_path):
    from augment.run.remote import locate
    from augment.run.storage import RemoteStorage

    storage = RemoteStorage(locate(f"local://{tmp_path}/out", "OUTPUT"))
    assert not storage.store.atomic_put
    storage.write_text("deep/er/run.json", "{}\n")
    assert (tmp_path / "out" / "deep" / "er" / "run.json").read_text() == "{}\n"
    assert [p.name for p in (tmp_path / "out" / "deep" / "er").iterdir()] == ["run.json"]
    leftover = tmp_path / "out" / "deep" / ".0123456789abcdef.augtmp"
    leftover.write_text("half")
    (tmp_path / "out" / ".notes.augtmp").write_text("user data")
    assert storage.clean_temporaries() == 1 and not leftover.exists()
    assert (tmp_path / "out" / ".notes.augtmp").exists()
