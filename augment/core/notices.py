"""Notices: warnings a backend gives once per run, not once per worker or per file."""

from __future__ import annotations

__all__ = ["RunNotice"]


class RunNotice(UserWarning):
    """Something a run should say once (e.g. a fallback tagger is in use).

    Backends issue these from :meth:`Augmenter.prepare`, which the run calls in
    its own process before any file; worker processes ignore the category so
    that the notice is not repeated by each of them.
    """
