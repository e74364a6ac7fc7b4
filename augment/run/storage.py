"""Where a run's outputs live: how it checks, stages, commits and removes files.

The run talks to OUTPUT only through a :class:`Storage`, so another kind of
store (fsspec URLs) plugs in behind the same few calls. Every output is
*staged* (written under a temporary name beside its destination) and
*committed* (renamed into place) only after its manifest line is written.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from augment.core.files import atomic_path, discard, is_temporary, temp_path_for

__all__ = ["LocalStorage", "Storage"]


class Storage(ABC):
    """The output side of a run (paths are relative, POSIX style)."""

    @abstractmethod
    def exists(self, rel: str) -> bool:
        """Whether a finished file is at ``rel``."""

    @abstractmethod
    def stage(self, rel: str) -> str:
        """A temporary path to write the output ``rel`` to (its folder is made)."""

    @abstractmethod
    def commit(self, temp: str, rel: str) -> None:
        """Put a staged file in place at ``rel``, whole."""

    @abstractmethod
    def discard(self, temp: str | None) -> None:
        """Remove a staged file that will not be committed (no error if it is gone)."""

    @abstractmethod
    def write_text(self, rel: str, text: str) -> None:
        """Write a whole UTF-8 file at ``rel`` atomically."""

    @abstractmethod
    def clean_temporaries(self, skip: str | None = None) -> int:
        """Remove staged files a killed run left behind (not under ``skip``); return how many."""


class LocalStorage(Storage):
    """OUTPUT on a local file system.

    Args:
        root: The output folder (absolute).
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, rel: str) -> Path:
        """The absolute path of ``rel``."""
        return self.root / rel

    def exists(self, rel: str) -> bool:
        """Whether a finished file is at ``rel``."""
        return self.path(rel).exists()

    def stage(self, rel: str) -> str:
        """A hidden temporary path beside ``rel``'s destination (its folder is made)."""
        destination = self.path(rel)
        destination.parent.mkdir(parents=True, exist_ok=True)
        return str(temp_path_for(destination))

    def commit(self, temp: str, rel: str) -> None:
        """Rename the staged file into place."""
        os.replace(temp, self.path(rel))

    def discard(self, temp: str | None) -> None:
        """Remove a staged file, if it is still there."""
        discard(temp)

    def write_text(self, rel: str, text: str) -> None:
        """Write a UTF-8 file at ``rel`` under a temporary name, then rename it into place."""
        with atomic_path(self.path(rel)) as tmp:
            tmp.write_text(text, encoding="utf-8")

    def clean_temporaries(self, skip: str | None = None) -> int:
        """Remove hidden temporaries of this package's shape (not under ``skip``); return how many."""
        removed = 0
        for folder, dirs, files in os.walk(self.root):
            if skip is not None and os.path.realpath(folder) == skip:
                dirs[:] = []
                continue
            for name in files:
                if is_temporary(name):
                    discard(os.path.join(folder, name))
                    removed += 1
        return removed
