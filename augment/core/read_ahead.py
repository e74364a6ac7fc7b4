"""Reads started ahead of their use: the next file decodes while the current one is augmented.

A run in one process augments its files one after another; decoding a JPEG
and warping the previous one are both native code that releases the GIL, so
on a machine with a spare core the two overlap. :meth:`Augmenter.read_ahead
<augment.core.augmenter.Augmenter.read_ahead>` starts a read and returns a
:class:`PendingRead`; whoever augments the file later takes its data with
:meth:`PendingRead.result`, which gives exactly what ``read(path)`` gives,
error included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["PendingRead"]


class PendingRead:
    """A read under way: :meth:`result` finishes it, :meth:`close` drops it.

    Args:
        finish: Finishes the read in the calling thread and returns the data
            (or raises the read's own error).
        close: Releases what the read holds (a file handle, a background
            job) when the data will not be taken; None when nothing is held.
    """

    def __init__(self, finish: Callable[[], Any], close: Callable[[], None] | None = None) -> None:
        self._finish: Callable[[], Any] | None = finish
        self._close = close

    def result(self) -> Any:
        """The data ``read(path)`` gives (or its error); once."""
        if self._finish is None:
            raise RuntimeError("this read's result was already taken or dropped")
        finish, self._finish, self._close = self._finish, None, None
        return finish()

    def close(self) -> None:
        """Drop the read (its data is not needed after all); safe to call more than once."""
        self._finish = None
        close, self._close = self._close, None
        if close is not None:
            close()
