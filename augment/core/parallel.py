"""Whether this process is one of a run's worker processes, so that backends size their thread pools.

A run with W worker processes already keeps W cores busy; a native library
that also starts a thread per core in each of them (OpenCV does) would make
them compete. The run marks its workers (:func:`set_worker_process`); a backend
asks :func:`is_worker_process` before it sets up such a library. A run in one
process (a small run, ``-j 1`` or the Python API) lets the libraries use every
core.
"""

from __future__ import annotations

__all__ = ["is_worker_process", "set_worker_process"]

_worker = False


def set_worker_process() -> None:
    """Mark this process as one of several that augment side by side (called once, as a worker starts)."""
    global _worker
    _worker = True


def is_worker_process() -> bool:
    """Whether :func:`set_worker_process` was called in this process."""
    return _worker
