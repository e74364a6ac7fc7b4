"""Tests for augment.walk: lazy, sorted, hidden-skipping, symlink-safe."""

from __future__ import annotations

import os
import types

from augment.run.walk import walk_files


def _tree(root, files):
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rel)


def test_sorted_depth_first_and_hidden_skipped(tmp_path):
    _tree(tmp_path, ["b.txt", "a/2.txt", "a/1.txt", "a/z/deep.txt", ".hidden.txt", ".git/x.txt", "c d/é.txt"])
    rels = [e.rel for e in walk_files(tmp_path)]
    assert rels == ["a/1.txt", "a/2.txt", "a/z/deep.txt", "b.txt", "c d/é.txt"]


def test_walk_is_a_generator(tmp_path):
    _tree(tmp_path, ["a.txt"])
    assert isinstance(walk_files(tmp_path), types.GeneratorType)


def test_symlinked_folders_are_not_entered(tmp_path):
    _tree(tmp_path, ["real/a.txt"])
    os.symlink(tmp_path / "real", tmp_path / "loop")
    os.symlink(tmp_path, tmp_path / "real" / "up")  # a loop back to the root
    assert [e.rel for e in walk_files(tmp_path)] == ["real/a.txt"]


def test_symlinked_file_followed_and_broken_one_reported(tmp_path):
    _tree(tmp_path, ["a.txt"])
    os.symlink(tmp_path / "a.txt", tmp_path / "b.txt")
    os.symlink(tmp_path / "missing.txt", tmp_path / "c.txt")
    entries = {e.rel: e for e in walk_files(tmp_path)}
    assert entries["a.txt"].problem is None and entries["b.txt"].problem is None
    assert "broken symlink" in entries["c.txt"].problem


def test_exclude_leaves_out_a_folder(tmp_path):
    _tree(tmp_path, ["a.txt", "out/a_aug1.txt", "outer/b.txt"])
    rels = [e.rel for e in walk_files(tmp_path, exclude=tmp_path / "out")]
    assert rels == ["a.txt", "outer/b.txt"]


def test_a_store_walk_lists_each_folder_skips_hidden_names_and_leaves_output_out(s3):
    from augment.run.remote import Store, locate
    from augment.run.walk import StoreTree, walk_store

    bucket = s3.bucket()
    for key in ("in/b.txt", "in/a/2.txt", "in/a/1.txt", "in/.hidden.txt", "in/.git/x.txt", "in/c d/é.txt",
                "in/aug/a_aug1.txt", "in/augmented.txt", "in/empty//x.txt"):
        s3.client.put_object(Bucket=bucket, Key=key, Body=b"x")
    fs = Store.of("s3").filesystem()
    entries = list(walk_store(fs, f"{bucket}/in", exclude=f"{bucket}/in/aug"))
    assert [e.rel for e in entries if e.problem is None] == ["a/1.txt", "a/2.txt", "augmented.txt", "b.txt",
                                                             "c d/é.txt"]
    assert entries[0].path == f"{bucket}/in/a/1.txt"
    [broken] = [e for e in entries if e.problem]
    assert broken.rel == "empty" and "empty folder name" in broken.problem
    tree = StoreTree(locate(f"s3://{bucket}/in", "INPUT"), locate(f"s3://{bucket}/in/aug", "OUTPUT"), folders=1)
    assert tree.is_file("a/1.txt") and not tree.is_file("a/3.txt") and tree.is_file("b.txt")
    assert not tree.is_file("aug/a_aug1.txt") and not tree.is_file("nowhere/x.txt")


def test_a_local_tree_answers_like_the_walk(tmp_path):
    from augment.run.walk import LocalTree

    _tree(tmp_path, ["a.txt", "out/a_aug1.txt"])
    tree = LocalTree(tmp_path, tmp_path / "out")
    assert [e.rel for e in tree.walk()] == ["a.txt"] and tree.path("a.txt") == str(tmp_path / "a.txt")
    assert tree.is_file("a.txt") and not tree.is_file("out/a_aug1.txt") and not tree.is_file("b.txt")
