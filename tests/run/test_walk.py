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
