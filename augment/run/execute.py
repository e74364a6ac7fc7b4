"""Where tasks run: in this process, or in a pool of worker processes.

An :class:`Executor` takes the plan (tasks, and results already decided) and
yields one result per item, tasks as they complete. Every executor gives the
same bytes: the backends draw from process-global random state, so each
process runs one augmentation at a time, and each task seeds that state
itself. A Dask executor plugs in here.
"""

from __future__ import annotations

import ast
import itertools
import os
import sys
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

from augment.core.files import discard
from augment.run.task import FileResult, Task, drop_read_ahead, read_ahead, run_task, start_task, worker_init

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

__all__ = ["Executor", "InProcessExecutor", "ProcessPoolTaskExecutor", "WorkerStartError", "executor_for",
           "in_worker_start_up", "unguarded_script_call"]

UNGUARDED_HINT = (
    "if augment_dir or iter_augment is called at the top level of a script, put the call under "
    "`if __name__ == \"__main__\":` (each worker process imports the script it was started from), "
    "or pass workers=1"
)


class WorkerStartError(RuntimeError):
    """The worker processes stopped before any of them finished a file; nothing was written."""


def _is_main_guard(node: ast.stmt) -> bool:
    """``if __name__ == "__main__":`` (either way round)."""
    if not isinstance(node, ast.If) or not isinstance(node.test, ast.Compare) or len(node.test.ops) != 1:
        return False
    sides = [node.test.left, *node.test.comparators]
    names = [s for s in sides if isinstance(s, ast.Name) and s.id == "__name__"]
    mains = [s for s in sides if isinstance(s, ast.Constant) and s.value == "__main__"]
    return isinstance(node.test.ops[0], ast.Eq) and len(names) == 1 and len(mains) == 1


def unguarded_script_call() -> bool:
    """Whether the current call comes from a script's top level outside ``if __name__ == "__main__":``.

    Spawned worker processes import the script that started them, so such a
    call would start the run again in every worker. Found from the calling
    frames and the script's own syntax tree; when in doubt, False.
    """
    frame = sys._getframe(1)
    line = None
    while frame is not None:  # the outermost frame running the main script's top level
        if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__") == "__main__":
            line, filename = frame.f_lineno, frame.f_code.co_filename
        frame = frame.f_back  # type: ignore[assignment]
    if line is None:
        return False  # not called from a script (an interactive session, a test runner...)
    try:
        tree = ast.parse(Path(filename).read_bytes(), filename)
    except (OSError, SyntaxError, ValueError):
        return False
    guarded = [node for node in tree.body if _is_main_guard(node)]
    return not any(node.lineno <= line <= (node.end_lineno or node.lineno) for node in guarded)


def in_worker_start_up() -> bool:
    """Whether this process is a spawned worker still importing the script that started it.

    A script that runs a pool at its top level without an ``if __name__ ==
    "__main__":`` guard would otherwise start a run again inside every worker.
    """
    # A spawned worker imports multiprocessing before anything else; a process that has not is none.
    multiprocessing = sys.modules.get("multiprocessing")
    return multiprocessing is not None and bool(getattr(multiprocessing.current_process(), "_inheriting", False))


class Executor(ABC):
    """Runs a plan's tasks and passes its ready-made results through."""

    @abstractmethod
    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield one result per item of ``plan``.

        When the consumer stops early (error, interrupt), files staged for
        results it never received are removed.
        """


class InProcessExecutor(Executor):
    """Runs each task in the calling process, in plan order.

    With a spare core the work is pipelined over two helper threads: the next
    task's source is decoded while the current one is augmented
    (:func:`~augment.run.task.read_ahead`), and the previous one's output is
    encoded and written meanwhile (:func:`~augment.run.task.start_task`), where
    the backend allows. Decoders, transforms and encoders are native code that
    releases the GIL; the random draws stay in this thread, in plan order. The
    outputs are the same bytes either way, and results come in plan order.

    Args:
        pipelined: Whether to use the helper threads; None: when this process
            may use more than one CPU.
    """

    def __init__(self, pipelined: bool | None = None) -> None:
        self.pipelined = _spare_core() if pipelined is None else pipelined

    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield each task's result as soon as it is made (written), in plan order."""
        if not self.pipelined:
            for planned in plan:
                yield _done(_run_now(planned)) if isinstance(planned, Task) else planned
            return
        # Started at the first file that uses them: a one-file run starts no thread.
        reader: ThreadPoolExecutor | None = None
        writer: ThreadPoolExecutor | None = None
        # Results not yielded yet, in plan order; at most the last is a write under way.
        waiting: deque[FileResult | Future[FileResult]] = deque()
        # Planned items taken ahead, to find the next source to read (past originals, skipped outputs, copies).
        ahead: deque[Task | FileResult] = deque()
        items = iter(plan)
        started: Task | None = None  # the task whose source was last read ahead
        try:
            while True:
                ahead.extend(itertools.islice(items, _LOOKAHEAD - len(ahead)))
                if not ahead:
                    break
                item = ahead.popleft()
                upcoming = _next_source(item, ahead)
                if upcoming is not None and upcoming is not started:
                    reader = reader or ThreadPoolExecutor(1, thread_name_prefix="augment-dir-read")
                    read_ahead(upcoming, reader)
                    started = upcoming
                if isinstance(item, Task) and not ahead:  # the last: nothing to overlap its writing with
                    waiting.append(_run_now(item))
                elif isinstance(item, Task):
                    writer = writer or ThreadPoolExecutor(1, thread_name_prefix="augment-dir-write")
                    waiting.append(_run_now(item, writer))
                else:
                    waiting.append(item)
                while waiting and (len(waiting) > 1 or isinstance(waiting[0], FileResult)):
                    yield _taken(waiting)
            while waiting:
                yield _taken(waiting)
        finally:
            drop_read_ahead()
            for left in waiting:  # made, never taken (the consumer stopped): not to be left behind
                temp = _done(left).temp
                if temp:
                    discard(temp)
            for thread in (reader, writer):
                if thread is not None:
                    thread.shutdown()


#: How many planned items the pipelined run looks ahead for the next source to read.
_LOOKAHEAD = 32


def _next_source(item: Task | FileResult, ahead: Iterable[Task | FileResult]) -> Task | None:
    """The first task in ``ahead`` that augments another source than ``item``'s, if any."""
    current = item.source if isinstance(item, Task) else None
    return next((t for t in ahead if isinstance(t, Task) and t.copy and t.source != current), None)


def _done(item: FileResult | Future[FileResult]) -> FileResult:
    return item.result() if isinstance(item, Future) else item


def _taken(waiting: deque[FileResult | Future[FileResult]]) -> FileResult:
    """The first waiting result, once made; it leaves ``waiting`` only then (so a stop meanwhile removes its file)."""
    result = _done(waiting[0])
    waiting.popleft()
    return result


def _run_now(task: Task, writer: ThreadPoolExecutor | None = None) -> FileResult | Future[FileResult]:
    """``task`` run here (its writing on ``writer`` where it pays); stopped part-way, its staged file goes."""
    try:
        return run_task(task) if writer is None else start_task(task, writer)
    except BaseException:  # Ctrl-C or SIGTERM in the middle of writing it: no half-written file stays
        discard(task.temp)
        raise


def _spare_core() -> bool:
    """Whether this process may run on more than one CPU."""
    try:
        return len(os.sched_getaffinity(0)) > 1
    except AttributeError:  # not on Linux
        return (os.cpu_count() or 1) > 1


def _lost(task: Task) -> FileResult:
    return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "error",
                      error="a worker process died while this file was in flight; rerun to retry it")


class ProcessPoolTaskExecutor(Executor):
    """Runs tasks in spawned worker processes, a bounded number in flight.

    Args:
        workers: How many processes.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def _pool(self) -> ProcessPoolExecutor:
        # Imported here: multiprocessing costs a run in one process ~10 ms of start-up for nothing.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn, not fork: TensorFlow is not fork-safe, and spawned workers start
        # clean, importing only the backends their tasks need.
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=worker_init)

    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield results as tasks complete; at most two tasks per worker in flight (memory stays flat)."""
        from concurrent.futures.process import BrokenProcessPool

        max_in_flight = 2 * self.workers
        pool = self._pool()
        in_flight: dict[Future[FileResult], Task] = {}
        worked = False  # has any worker finished a task?

        def broken(exc: BrokenProcessPool) -> None:
            if not worked:  # workers that die before any file never will: stop, once, with the likely cause
                raise WorkerStartError(f"the {self.workers} worker processes stopped before finishing any "
                                       f"file ({exc}); {UNGUARDED_HINT}") from None

        def finished(future: Future[FileResult]) -> FileResult:
            nonlocal worked
            task = in_flight.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool as exc:
                discard(task.temp)
                broken(exc)
                return _lost(task)
            worked = True
            return result

        def completed() -> Iterator[FileResult]:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield finished(future)

        try:
            for item in plan:
                if isinstance(item, FileResult):
                    yield item
                    continue
                while len(in_flight) >= max_in_flight:
                    yield from completed()
                try:
                    in_flight[pool.submit(run_task, item)] = item
                except BrokenProcessPool as exc:
                    broken(exc)
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = self._pool()
                    in_flight[pool.submit(run_task, item)] = item
            while in_flight:
                yield from completed()
        finally:
            # Stopped early (error, interrupt, consumer gone): staged files of
            # results nobody will commit are removed.
            pool.shutdown(wait=True, cancel_futures=True)
            for task in in_flight.values():
                discard(task.temp)



def executor_for(workers: int) -> Executor:
    """The executor for ``workers`` processes (1: this process)."""
    return InProcessExecutor() if workers <= 1 else ProcessPoolTaskExecutor(workers)
