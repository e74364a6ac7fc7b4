"""Tests for augment.core.files: atomic writes, temporaries, the empty-file check."""

from __future__ import annotations

import pytest

from augment.core.files import TEMP_MARKER, atomic_path, discard, is_temporary, nonempty_file_size, temp_path_for
from augment.core.result import BadInputError


def test_atomic_path_renames_on_success(tmp_path):
    dst = tmp_path / "out.png"
    with atomic_path(dst) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".png" and TEMP_MARKER in tmp.name
        tmp.write_bytes(b"data")
        assert not dst.exists()
    assert dst.read_bytes() == b"data"
    assert list(tmp_path.iterdir()) == [dst]


def test_atomic_path_leaves_nothing_on_error(tmp_path):
    dst = tmp_path / "out.txt"
    dst.write_text("old")
    with pytest.raises(OSError), atomic_path(dst) as tmp:
        tmp.write_text("half")
        raise OSError("disk full")
    assert dst.read_text() == "old"
    assert list(tmp_path.iterdir()) == [dst]


def test_temp_path_is_hidden_beside_its_destination_and_recognised(tmp_path):
    tmp = temp_path_for(tmp_path / "cat 001_aug1.JPG")
    assert tmp.parent == tmp_path and tmp.name.startswith(".") and tmp.suffix == ".JPG"
    assert is_temporary(tmp.name) and TEMP_MARKER in tmp.name
    assert not is_temporary("cat 001_aug1.JPG") and not is_temporary(".hidden.png")


def test_discard_tolerates_missing_files(tmp_path):
    target = tmp_path / "x"
    target.write_text("x")
    discard(target)
    discard(target)
    discard(None)
    assert not target.exists()


def test_nonempty_file_size(tmp_path):
    (tmp_path / "full").write_bytes(b"abc")
    (tmp_path / "empty").write_bytes(b"")
    assert nonempty_file_size(tmp_path / "full") == 3
    with pytest.raises(BadInputError, match="empty file"):
        nonempty_file_size(tmp_path / "empty")
    with pytest.raises(BadInputError, match="cannot read the file"):
        nonempty_file_size(tmp_path / "missing")
