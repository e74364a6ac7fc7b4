"""Files that appear whole or not at all.

Every output is written under a temporary name in its destination folder and
renamed into place, so nobody (a loader, a resumed run) ever sees half of it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from augment.core.result import BadInputError

__all__ = ["TEMP_MARKER", "atomic_path", "discard", "is_temporary", "nonempty_file_size", "temp_path_for"]

# Temporary outputs are hidden files whose names contain this marker, so a walk
# never picks them up and a later run can find and remove leftovers.
TEMP_MARKER = ".augtmp-"


def temp_path_for(dst: str | os.PathLike[str]) -> Path:
    """A hidden temporary name beside ``dst`` that keeps its suffix.

    The suffix is kept because Pillow and soundfile choose the file format from
    the extension of the path they write.
    """
    dst = Path(dst)
    return dst.with_name(f".{dst.stem}{TEMP_MARKER}{secrets.token_hex(6)}{dst.suffix}")


def is_temporary(name: str) -> bool:
    """Whether a file name is one :func:`temp_path_for` makes."""
    return name.startswith(".") and TEMP_MARKER in name


def discard(path: str | os.PathLike[str] | None) -> None:
    """Remove a (temporary) file if it exists."""
    if path:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass


@contextmanager
def atomic_path(dst: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to ``dst`` if the block succeeds.

    On any error the temporary file is removed and ``dst`` is left untouched.
    """
    dst = Path(dst)
    tmp = temp_path_for(dst)
    try:
        yield tmp
        os.replace(tmp, dst)
    except BaseException:
        discard(tmp)
        raise


def nonempty_file_size(path: str | os.PathLike[str]) -> int:
    """The size of the file at ``path``; a BadInputError if it cannot be read or is empty."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise BadInputError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if size == 0:
        raise BadInputError(path, "empty file (0 bytes)")
    return size
