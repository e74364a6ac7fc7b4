"""The unit of work: one source file -> one output file.

:func:`run_task` is a pure function of its :class:`Task` (source, destination,
augmenter config, seed): it runs the same in the parent, in a worker process or
on a distributed engine. It writes the output under a temporary name beside the
destination and returns a small :class:`FileResult`; the caller records the
result in the manifest and then *commits* it (renames it into place), which is
what makes a killed run leave nothing half-done.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from augment.base import Augmenter, BadInputError, temp_path_for
from augment.registry import augmenter_class

__all__ = ["Task", "FileResult", "run_task", "commit", "discard"]

# One augmenter per (modality, config) per process: building one can import
# TensorFlow or load WordNet, so a worker builds each once and reuses it.
_AUGMENTERS: dict[tuple[str, str], Augmenter] = {}


@dataclass(frozen=True)
class Task:
    """Everything needed to make one output, and nothing else.

    Attributes:
        source: Absolute path of the input file.
        output: Absolute path of the output file.
        rel_source: ``source`` relative to the input root (POSIX style).
        rel_output: ``output`` relative to the output root (POSIX style).
        modality: "image", "text" or "audio".
        copy: 1..N for augmented copies; 0 for a byte-for-byte original.
        seed: The seed for this output (unused for originals).
        config: The augmenter's constructor arguments.
    """

    source: str
    output: str
    rel_source: str
    rel_output: str
    modality: str | None
    copy: int
    seed: int | None
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FileResult:
    """What happened to one output.

    ``status`` is one of "ok" (written), "error" (failed: see ``error``),
    "skipped" (already present from an earlier run), "unsupported" (no
    augmenter handles the source's extension) or "planned" (a dry run).
    ``temp`` is the written-but-uncommitted file while the result is in flight.
    """

    source: str
    output: str | None
    modality: str | None
    copy: int | None
    seed: int | None
    status: str
    params: dict[str, Any] | None = None
    error: str | None = None
    temp: str | None = None

    def manifest_record(self) -> dict[str, Any]:
        """The manifest line for this result (only "ok" and "error" are recorded)."""
        record = asdict(self)
        del record["temp"]
        return record


def _augmenter(modality: str, config: dict[str, Any]) -> Augmenter:
    key = (modality, json.dumps(config, sort_keys=True))
    augmenter = _AUGMENTERS.get(key)
    if augmenter is None:
        augmenter = _AUGMENTERS[key] = augmenter_class(modality)(**config)
    return augmenter


def _reason(exc: BaseException) -> str:
    if isinstance(exc, BadInputError):
        return exc.reason
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


def run_task(task: Task) -> FileResult:
    """Make ``task``'s output under a temporary name; never raises for bad input.

    Returns:
        A FileResult with status "ok" and ``temp`` set to the written file, or
        status "error" with the reason (and no file left behind).
    """
    base = dict(source=task.rel_source, output=task.rel_output, modality=task.modality,
                copy=task.copy, seed=task.seed if task.copy else None)
    tmp = temp_path_for(task.output)
    try:
        os.makedirs(os.path.dirname(task.output), exist_ok=True)
        if task.copy == 0:
            shutil.copyfile(task.source, tmp)
            params: dict[str, Any] | None = {"original": True}
        else:
            augmenter = _augmenter(str(task.modality), task.config)
            data = augmenter.read(task.source)
            result = augmenter.augment(data, seed=task.seed)
            augmenter.write(result.data, tmp)
            params = result.params
    except Exception as exc:  # one bad file must never stop the run
        discard(str(tmp))
        return FileResult(**base, status="error", error=_reason(exc))
    return FileResult(**base, status="ok", params=params, temp=str(tmp))


def worker_init() -> None:
    """Set up a worker process: notices the run already gave once are not repeated per worker."""
    from augment.resources import FallbackTaggerWarning

    warnings.simplefilter("ignore", FallbackTaggerWarning)


def commit(result: FileResult, output_root: str | os.PathLike[str]) -> None:
    """Rename a result's temporary file into place."""
    if result.temp is not None and result.output is not None:
        os.replace(result.temp, Path(output_root, result.output))


def discard(temp: str | None) -> None:
    """Remove a temporary file if it exists."""
    if temp:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
