"""OUTPUT and INPUT as a preview reads them: a local folder, or a folder in an fsspec store.

A preview reads the manifest (streamed), run.json, and the few files it
shows (or only the parts of them it needs); it never lists a folder, so its cost does
not grow with the folder's size.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any, BinaryIO, cast

from augment.run.remote import Location, locate, scrub

__all__ = ["Folder", "FolderError"]


class FolderError(OSError):
    """A file of a folder could not be read; the message names it (never a secret)."""


class Folder:
    """A folder to read from: ``Folder.at("out")`` or ``Folder.at("s3://bucket/out", {...})``.

    Args:
        location: Where the folder is.
    """

    def __init__(self, location: Location) -> None:
        self.location = location
        self._fs: Any = location.store.filesystem() if location.store is not None else None

    @classmethod
    def at(cls, text: str | os.PathLike[str], what: str, storage_options: Mapping[str, Any] | None = None) -> Folder:
        """The folder ``text`` names (``what``, "OUTPUT" or "INPUT", names it in errors).

        Raises:
            SetupError: A URL that cannot be used (credentials in it, unknown protocol...).
        """
        return cls(locate(text, what, storage_options))

    @property
    def text(self) -> str:
        """How messages name the folder."""
        return self.location.text

    def _path(self, rel: str) -> str:
        return os.path.join(self.location.path, *rel.split("/")) if self._fs is None else self.location.join(rel)

    def _failure(self, rel: str, exc: Exception) -> FolderError:
        secrets = self.location.store.secrets() if self.location.store is not None else []
        reason = getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}"
        return FolderError(scrub(f"cannot read {self.location.url(rel)}: {reason}", secrets))

    def exists(self) -> bool:
        """Whether the folder exists (and is a folder)."""
        if self._fs is None:
            return os.path.isdir(self.location.path)
        try:
            return bool(self._fs.isdir(self.location.path))
        except Exception:
            return False

    def is_file(self, rel: str) -> bool:
        """Whether ``rel`` is a file in the folder (False when that cannot be told)."""
        try:
            if self._fs is None:
                return os.path.isfile(self._path(rel))
            return bool(self._fs.isfile(self._path(rel)))
        except Exception:
            return False

    def size(self, rel: str) -> int | None:
        """The size of file ``rel`` in bytes, or None when unknown."""
        try:
            if self._fs is None:
                return os.path.getsize(self._path(rel))
            return int(self._fs.size(self._path(rel)))
        except Exception:
            return None

    def read_bytes(self, rel: str, limit: int | None = None) -> bytes:
        """The bytes of ``rel`` (only the first ``limit`` with a limit).

        Raises:
            FolderError: It cannot be read; the message names it.
        """
        try:
            if self._fs is None:
                with open(self._path(rel), "rb") as fh:
                    return fh.read() if limit is None else fh.read(limit)
            with self._fs.open(self._path(rel), "rb") as fh:
                return bytes(fh.read() if limit is None else fh.read(limit))
        except Exception as exc:
            raise self._failure(rel, exc) from None

    def open(self, rel: str) -> BinaryIO:
        """``rel`` opened for reading (seekable), to decode only the part of it that is needed.

        Raises:
            FolderError: It cannot be opened; the message names it.
        """
        try:
            if self._fs is None:
                return open(self._path(rel), "rb")
            return cast(BinaryIO, self._fs.open(self._path(rel), "rb"))
        except Exception as exc:
            raise self._failure(rel, exc) from None

    def read_json(self, rel: str) -> dict[str, Any] | None:
        """The JSON object in ``rel``, or None when there is none or it cannot be read."""
        try:
            data = json.loads(self.read_bytes(rel))
        except (FolderError, ValueError):
            return None
        return data if isinstance(data, dict) else None
