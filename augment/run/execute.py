"""Where tasks run: in this process, or in a pool of worker processes.

An :class:`Executor` takes the plan (tasks, and results already decided) and
yields one result per item, tasks as they complete. Every executor gives the
same bytes: the backends draw from process-global random state, so each
process runs one augmentation at a time, and each task seeds that state
itself. A Dask executor plugs in here.
"""

from __future__ import annotations

import multiprocessing
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from augment.core.files import discard
from augment.run.task import FileResult, Task, run_task, worker_init

__all__ = ["Executor", "InProcessExecutor", "ProcessPoolTaskExecutor", "executor_for"]


class Executor(ABC):
    """Runs a plan's tasks and passes its ready-made results through."""

    @abstractmethod
    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield one result per item of ``plan``.

        When the consumer stops early (error, interrupt), files staged for
        results it never received are removed.
        """


class InProcessExecutor(Executor):
    """Runs each task in the calling process, in plan order."""

    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield each task's result as soon as it is made."""
        for item in plan:
            yield run_task(item) if isinstance(item, Task) else item


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
        # spawn, not fork: TensorFlow is not fork-safe, and spawned workers start
        # clean, importing only the backends their tasks need.
        self._context = multiprocessing.get_context("spawn")

    def _pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._context, initializer=worker_init)

    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield results as tasks complete; at most two tasks per worker in flight (memory stays flat)."""
        max_in_flight = 2 * self.workers
        pool = self._pool()
        in_flight: dict[Future[FileResult], Task] = {}

        def finished(future: Future[FileResult]) -> FileResult:
            task = in_flight.pop(future)
            try:
                return future.result()
            except BrokenProcessPool:
                discard(task.temp)
                return _lost(task)

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
                except BrokenProcessPool:
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
