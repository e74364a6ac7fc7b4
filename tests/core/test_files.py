"""Tests for augment.core.files: atomic writes, temporaries, the empty-file check."""

from __future__ import annotations

import pytest

from augment.core.files import (
    TEMP_SUFFIX,
    atomic_path,
    discard,
    is_temporary,
    nonempty_file_size,
    temp_path_for,
    writer_format,
)
from augment.core.result import BadInputError


def test_atomic_path_renames_on_success(tmp_path):
    dst = tmp_path / "out.png"
    with atomic_path(dst) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == TEMP_SUFFIX and is_temporary(tmp.name)
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


def test_temp_names_are_hidden_short_and_without_a_data_extension(tmp_path):
    long = "x" * 250 + "_aug1.JPG"
    tmp = temp_path_for(tmp_path / long)
    assert tmp.parent == tmp_path and len(tmp.name) == len(".0123456789abcdef.augtmp")
    assert tmp.name.startswith(".") and tmp.suffix == ".augtmp" and is_temporary(tmp.name)
    assert temp_path_for(tmp_path / long) != tmp


@pytest.mark.parametrize("name, ours", [
    (".0123456789abcdef.augtmp", True),
    (".cat 001_aug1.augtmp-0123456789ab.JPG", True),  # augment-dir 0.1.0's shape
    (".0123456789abcdef.augtmp.png", False),
    (".0123456789ABCDEF.augtmp", False),
    (".notes.augtmp", False),
    ("0123456789abcdef.augtmp", False),
    ("cat 001_aug1.JPG", False),
    (".hidden.png", False),
])
def test_only_our_exact_shapes_are_temporaries(name, ours):
    assert is_temporary(name) is ours


def test_writer_format_uses_the_given_suffix_case_insensitively(tmp_path):
    formats = {".png": "PNG", ".jpg": "JPEG"}
    assert writer_format(tmp_path / ".0123456789abcdef.augtmp", ".JPG", formats, "images") == "JPEG"
    assert writer_format(tmp_path / "a.PNG", None, formats, "images") == "PNG"
    message = r"a\.gif: cannot write images with extension '\.gif'; supported: \.jpg, \.png"
    with pytest.raises(ValueError, match=message):
        writer_format(tmp_path / "a.gif", None, formats, "images")


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
