"""The unit of work: one source file -> one staged output file.

:func:`run_task` is a pure function of its :class:`Task` (source, staging
path, backend, config, seed): it runs the same in the parent, in a worker
process or on a distributed engine. It writes the output to the task's
staging path and returns a small :class:`FileResult`; the caller records the
result in the manifest and then *commits* it (renames it into place), which is
what makes a killed run leave nothing half-done.

When INPUT or OUTPUT is in a store, the task talks to the store itself: it
downloads its source to a local temporary file, makes the output in another,
and uploads that to the output's name in one put (so the object appears
whole), then removes both. The run's own process never relays file bytes.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import threading
import warnings
from dataclasses import dataclass, field, fields
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from augment.core.augmenter import Augmenter
from augment.core.files import discard
from augment.core.notices import RunNotice
from augment.core.parallel import set_worker_process
from augment.core.read_ahead import PendingRead
from augment.core.registry import load_class
from augment.core.result import AugmentResult, BadInputError
from augment.run.remote import Store, scrub

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

__all__ = ["FileResult", "Task", "augmenter_for", "drop_read_ahead", "failure_reason", "read_ahead", "run_task",
           "start_task", "worker_init"]

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
        source_store: The store ``source`` is in (a store path then), or None for a local file.
        output_store: The store the output goes to, or None for a local file (``temp``).
        destination: The output's store path (with ``output_store``).
        link: For an original (copy 0): hard-link it to the source where the
            file system allows, else copy it.
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
    source_store: Store | None = None
    output_store: Store | None = None
    destination: str | None = None
    link: bool = False


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
        # Not dataclasses.asdict: it deep-copies the params, which are written out at once and never changed.
        return {name: getattr(self, name) for name in _RECORDED}

    def committed(self) -> FileResult:
        """This result once its file is in place (no temporary any more)."""
        return FileResult(self.source, self.output, self.modality, self.copy, self.seed,
                          self.status, self.params, self.error)


#: The fields of a FileResult its manifest line has (all but the temporary), in order.
_RECORDED = tuple(f.name for f in fields(FileResult) if f.name != "temp")


def augmenter_for(backend: str, config: dict[str, Any]) -> Augmenter:
    """This process's augmenter of ``backend`` ("module:Class") built with ``config`` (built once, then reused)."""
    key = (backend, json.dumps(config, sort_keys=True))
    augmenter = _AUGMENTERS.get(key)
    if augmenter is None:
        augmenter = _AUGMENTERS[key] = load_class(backend)(**config)
    return augmenter


def failure_reason(exc: BaseException) -> str:
    """What a file's failure says: a bad input's own reason, an OS error's message, else the exception."""
    if isinstance(exc, BadInputError):
        return exc.reason
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({type(exc).__name__})"
    return f"{type(exc).__name__}: {exc}"


def run_task(task: Task) -> FileResult:
    """Make ``task``'s output at its staging path; never raises for bad input.

    Returns:
        A FileResult with status "ok" and ``temp`` set to the written file, or
        status "error" with the reason (and no file left behind). With an
        output store the output is uploaded already and ``temp`` is None.
    """
    if task.source_store is not None or task.output_store is not None:
        return _run_with_store(task)
    try:
        params = _make(task, task.source, task.temp)
    except Exception as exc:  # one bad file must never stop the run
        return _failed(task, exc)
    return _made(task, params)


def start_task(task: Task, writer: Executor) -> FileResult | Future[FileResult]:
    """:func:`run_task`, with the output written on ``writer`` where the backend says it pays.

    The source is read and augmented here; encoding and writing the result
    (native code that releases the GIL) then run on ``writer`` while the
    caller goes on with the next task. The result, or the Future of it, is
    exactly :func:`run_task`'s.
    """
    if (task.copy == 0 or task.backend is None or task.source_store is not None
            or task.output_store is not None):
        return run_task(task)
    try:
        augmenter, result = _augmented(task, task.source)
        if not augmenter.writes_behind(result.data):
            augmenter.write(result.data, task.temp, suffix=PurePosixPath(task.rel_output).suffix)
            return _made(task, result.params)
    except Exception as exc:  # one bad file must never stop the run
        return _failed(task, exc)

    def write() -> FileResult:
        try:
            augmenter.write(result.data, task.temp, suffix=PurePosixPath(task.rel_output).suffix)
        except Exception as exc:
            return _failed(task, exc)
        return _made(task, result.params)

    return writer.submit(write)


def _made(task: Task, params: dict[str, Any] | None) -> FileResult:
    """The result of ``task`` written to its staging path."""
    return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "ok",
                      params=params, temp=task.temp)


def _failed(task: Task, exc: Exception) -> FileResult:
    """The result of ``task`` failed with ``exc``; its staging file is removed."""
    discard(task.temp)
    return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "error",
                      error=failure_reason(exc))


# The last source read in this process, kept for its next copy: [(key, data)].
_LAST_READ: list[tuple[tuple[Any, ...], Any]] = []
# Reads started ahead, oldest first, by key: the current task's (started while the previous one
# ran, until it takes it) and the next one's (started while the current one runs).
_READ_AHEAD: dict[tuple[Any, ...], PendingRead] = {}


def _read_key(augmenter: Augmenter, source: str) -> tuple[Any, ...]:
    """Which read of which file: the same key means the same data (the file unchanged since)."""
    stat = os.stat(source)
    return (id(augmenter), source, stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)


def _read(augmenter: Augmenter, source: str) -> Any:
    """``augmenter.read(source)``, once for consecutive copies of an unchanged source when the backend allows.

    A 12-megapixel JPEG takes about 90 ms to decode: its three copies decode it
    once. A read started ahead (:func:`read_ahead`) is taken here when it is of
    this file, unchanged since.
    """
    if not augmenter.reads_are_shareable and not _READ_AHEAD:
        return augmenter.read(source)
    key = _read_key(augmenter, source)
    if _LAST_READ and _LAST_READ[0][0] == key:
        return _LAST_READ[0][1]
    _LAST_READ.clear()  # the previous source goes before the next one is decoded
    ahead = _READ_AHEAD.pop(key, None)
    data = ahead.result() if ahead is not None else augmenter.read(source)
    if augmenter.reads_are_shareable:
        _LAST_READ.append((key, data))
    return data


def read_ahead(task: Task, background: Executor) -> None:
    """Start reading ``task``'s source on ``background`` for when it runs (the next task of this process).

    Only for a backend whose reads decode in the background, a local source,
    and not for another copy of the source just read (that one is kept).
    Whatever goes wrong here is left for the task itself to meet and report.
    """
    if task.copy == 0 or task.backend is None or task.source_store is not None:
        return
    try:
        augmenter = augmenter_for(task.backend, task.config)
        if not augmenter.reads_ahead:
            return
        key = _read_key(augmenter, task.source)
    except Exception:
        return
    if key in _READ_AHEAD or (_LAST_READ and _LAST_READ[0][0] == key):
        return
    while len(_READ_AHEAD) > 1:  # one no task took (its task failed before reading): at most two are held
        _READ_AHEAD.pop(next(iter(_READ_AHEAD))).close()
    _READ_AHEAD[key] = augmenter.read_ahead(task.source, background)


def drop_read_ahead() -> None:
    """Drop the reads started ahead that no task took (the run stopped)."""
    while _READ_AHEAD:
        _READ_AHEAD.popitem()[1].close()


def _make(task: Task, source: str, temp: str) -> dict[str, Any] | None:
    """Write ``task``'s output for the local ``source`` to the local ``temp``; return its params."""
    if task.copy == 0:
        if task.link and _hard_link(source, temp):
            return {"original": True, "linked": True}
        shutil.copyfile(source, temp)
        return {"original": True}
    augmenter, result = _augmented(task, source)
    augmenter.write(result.data, temp, suffix=PurePosixPath(task.rel_output).suffix)
    return result.params


def _augmented(task: Task, source: str) -> tuple[Augmenter, AugmentResult]:
    """``task``'s augmenter and its augmented copy of the local ``source`` (not written yet)."""
    if task.backend is None:
        raise ValueError("no backend handles this file")
    augmenter = augmenter_for(task.backend, task.config)
    return augmenter, augmenter.augment(_read(augmenter, source), seed=task.seed)


# Why a hard link may be refused where a copy is fine: another device, a file system without links
# (FAT, some network shares), the link count at its limit, protected_hardlinks (a file of another user).
_NO_LINK = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EACCES}


def _hard_link(source: str, temp: str) -> bool:
    """Make ``temp`` a hard link to ``source`` (the file a symlink names); False if it cannot be one here."""
    try:
        os.link(source, temp, follow_symlinks=True)
    except OSError as exc:
        if exc.errno in _NO_LINK:
            return False
        raise
    return True


def _run_with_store(task: Task) -> FileResult:
    """:func:`run_task` when the source or the output is in a store: download, make locally, upload whole."""
    from augment.run.storage import upload

    suffix = PurePosixPath(task.rel_output).suffix
    try:
        with tempfile.TemporaryDirectory(prefix="augment-dir-task-") as work:
            source = task.source
            out_store = task.output_store
            if (task.copy == 0 and out_store is not None and task.source_store == out_store
                    and out_store.atomic_put and task.destination is not None):
                out_store.filesystem().copy(task.source, task.destination)  # in the store: no bytes travel here
                params: dict[str, Any] | None = {"original": True}
            elif task.copy == 0 and task.source_store is None and out_store is not None and task.destination:
                upload(out_store.filesystem(), task.source, task.destination, out_store.atomic_put)
                params = {"original": True}
            else:
                if task.source_store is not None:
                    # The source's own name (its suffix) for backends that look at it.
                    source = os.path.join(work, "source" + PurePosixPath(task.rel_source).suffix)
                    task.source_store.filesystem().get_file(task.source, source)
                # The output's suffix, so the store can tell its content type from the local name.
                temp = task.temp if out_store is None else os.path.join(work, "output" + suffix)
                params = _make(task, source, temp)
                if out_store is not None and task.destination is not None:
                    upload(out_store.filesystem(), temp, task.destination, out_store.atomic_put)
    except Exception as exc:  # one bad file (or one failed transfer) must never stop the run
        if task.output_store is None:
            discard(task.temp)
        secrets = [*(task.source_store.secrets() if task.source_store else ()),
                   *(task.output_store.secrets() if task.output_store else ())]
        return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "error",
                          error=scrub(failure_reason(exc), secrets))
    return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "ok",
                      params=params, temp=task.temp if task.output_store is None else None)


def _exit_with_parent(sentinel: int) -> None:
    import multiprocessing.connection

    multiprocessing.connection.wait([sentinel])
    os._exit(1)  # the process that started us is gone (even by SIGKILL): nobody will take our results


def worker_init() -> None:
    """Set up a worker process.

    Notices the run already gave once are not repeated per worker, and the
    worker exits as soon as the process that started it is gone, however it
    died, instead of lingering with a backend's memory.
    """
    import multiprocessing

    warnings.simplefilter("ignore", RunNotice)
    set_worker_process()  # backends keep native libraries to one thread here
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,), daemon=True,
                         name="augment-dir-exit-with-parent").start()
