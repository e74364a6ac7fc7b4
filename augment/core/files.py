"""Files that appear whole or not at all.

Every output is written under a temporary name in its destination folder and
renamed into place, so nobody (a loader, a resumed run) ever sees half of it.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from augment.core.result import BadInputError

__all__ = ["TEMP_SUFFIX", "atomic_path", "discard", "is_temporary", "nonempty_file_size", "temp_path_for",
           "writer_format"]

#: Temporary files end in this non-data suffix: no loader takes them for data.
TEMP_SUFFIX = ".augtmp"
# ".<16 hex>.augtmp": hidden, of a fixed short length whatever the destination's
# name, so a long source name never makes its temporary name too long. The
# start-up sweep removes only names of exactly this shape, and of the shape
# augment-dir 0.1.0 used (".<stem>.augtmp-<12 hex><suffix>").
_TEMPORARY = re.compile(r"\.[0-9a-f]{16}\.augtmp|\..*\.augtmp-[0-9a-f]{12}(\.[^./]*)?")

_Format = TypeVar("_Format")


def temp_path_for(dst: str | os.PathLike[str]) -> Path:
    """A hidden temporary name in ``dst``'s folder: ``.<16 hex>.augtmp``.

    Writers are told the destination's format explicitly (the temporary name
    has no data extension).
    """
    return Path(dst).with_name(f".{secrets.token_hex(8)}{TEMP_SUFFIX}")


def is_temporary(name: str) -> bool:
    """Whether a file name is one :func:`temp_path_for` makes (or augment-dir 0.1.0 made)."""
    return _TEMPORARY.fullmatch(name) is not None


def writer_format(path: str | os.PathLike[str], suffix: str | None, formats: Mapping[str, _Format],
                  what: str) -> _Format:
    """The format to write ``path`` in: that of ``suffix`` (default: ``path``'s own extension).

    Raises:
        ValueError: No format is known for the extension (the message names ``what`` is written).
    """
    ext = (Path(path).suffix if suffix is None else suffix).lower()
    try:
        return formats[ext]
    except KeyError:
        raise ValueError(f"{os.fspath(path)}: cannot write {what} with extension {ext!r}; "
                         f"supported: {', '.join(sorted(formats))}") from None


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
