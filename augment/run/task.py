"""The unit of work: one source file -> one staged output file.

:func:`run_task` is a pure function of its :class:`Task` (source, staging
path, backend, config, seed): it runs the same in the parent, in a worker
process or on a distributed engine. It writes the output to the task's
staging path and returns a small :class:`FileResult`; the caller records the
result in the manifest and then *commits* it (renames it into place), which is
what makes a killed run leave nothing half-done.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import shutil
import threading
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from augment.core.augmenter import Augmenter
from augment.core.files import discard
from augment.core.notices import RunNotice
from augment.core.registry import load_class
from augment.core.result import BadInputError

__all__ = ["FileResult", "Task", "run_task", "worker_init"]

# One augmenter per (backend, config) per process: building one can import
# TensorFlow or load WordNet, so a worker builds each once and reuses it.
_AUGMENTERS: dict[tuple[str, str], Augmenter] = {}


@dataclass(frozen=True)
class Task:
    """Everything needed to make one output, and nothing else.

    Attributes:
        source: Absolute path of the input file.
        temp: Where to write the output (a staging path; the run commits it).
        rel_source: ``source`` relative to the input root (POSIX style).
        rel_output: The output's path relative to the output root (POSIX style).
        modality: The source's modality (None for an unsupported original).
        backend: ``"module:Class"`` of the Augmenter (the registry's, so a
            backend registered at run time works in worker processes too).
        copy: 1..N for augmented copies; 0 for a byte-for-byte original.
        seed: The seed for this output (None for originals).
        config: The augmenter's constructor arguments.
    """

    source: str
    temp: str
    rel_source: str
    rel_output: str
    modality: str | None
    backend: str | None
    copy: int
    seed: int | None
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FileResult:
    """What happened to one output.

    ``status`` is one of "ok" (written), "error" (failed: see ``error``),
    "skipped" (already present from an earlier run), "unsupported" (no
    augmenter handles the source's extension), "excluded" (left out by
    ``only`` or a rule with ``copies = 0``) or "planned" (a dry run).
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

    def committed(self) -> FileResult:
        """This result once its file is in place (no temporary any more)."""
        return FileResult(self.source, self.output, self.modality, self.copy, self.seed,
                          self.status, self.params, self.error)


def _augmenter(backend: str, config: dict[str, Any]) -> Augmenter:
    key = (backend, json.dumps(config, sort_keys=True))
    augmenter = _AUGMENTERS.get(key)
    if augmenter is None:
        augmenter = _AUGMENTERS[key] = load_class(backend)(**config)
    return augmenter


def _reason(exc: BaseException) -> str:
    if isinstance(exc, BadInputError):
        return exc.reason
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


def run_task(task: Task) -> FileResult:
    """Make ``task``'s output at its staging path; never raises for bad input.

    Returns:
        A FileResult with status "ok" and ``temp`` set to the written file, or
        status "error" with the reason (and no file left behind).
    """
    try:
        if task.copy == 0:
            shutil.copyfile(task.source, task.temp)
            params: dict[str, Any] | None = {"original": True}
        else:
            if task.backend is None:
                raise ValueError("no backend handles this file")
            augmenter = _augmenter(task.backend, task.config)
            data = augmenter.read(task.source)
            result = augmenter.augment(data, seed=task.seed)
            augmenter.write(result.data, task.temp, suffix=PurePosixPath(task.rel_output).suffix)
            params = result.params
    except Exception as exc:  # one bad file must never stop the run
        discard(task.temp)
        return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "error",
                          error=_reason(exc))
    return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "ok",
                      params=params, temp=task.temp)


def _exit_with_parent(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])
    os._exit(1)  # the process that started us is gone (even by SIGKILL): nobody will take our results


def worker_init() -> None:
    """Set up a worker process.

    Notices the run already gave once are not repeated per worker, and the
    worker exits as soon as the process that started it is gone, however it
    died, instead of lingering with a backend's memory.
    """
    warnings.simplefilter("ignore", RunNotice)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name="augment-dir-exit-with-parent").start()
