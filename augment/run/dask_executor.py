"""Run a plan's tasks on a Dask cluster: a scheduler address, ``"local"``, or a ``distributed.Client``.

Tasks travel in batches (a million files are not a million Dask tasks), a
bounded number in flight, and results come back as batches complete; the
run's own process keeps the kill-safe order (manifest line, then rename).
The backends draw from process-global random state, and a Dask worker's own
threads draw from it too (``dask.sizeof`` samples with ``random.sample`` while
a task runs). So a worker does not augment itself: it hands each batch to one
augmenting process of its own, one batch at a time, whatever ``--nthreads`` it
was started with. Outputs are the bytes ``-j 1`` gives. A worker lost mid-run
is Dask's to handle: its batches run again on another worker, which writes the
same staged files.

INPUT and OUTPUT must be paths every worker sees (a shared file system), or
fsspec URLs every worker can reach (each worker talks to the store itself,
with the run's storage options); the run checks that before it starts. A Dask scheduler runs whatever its clients
send it: keep it on loopback or a private network, or use TLS (Dask's own
``distributed.comm`` settings).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

from augment.core.files import discard
from augment.run.execute import Executor
from augment.run.options import SetupError
from augment.run.remote import Location, iter_folder, scrub
from augment.run.task import FileResult, Task, run_task, worker_init

if TYPE_CHECKING:
    from distributed import Client

__all__ = ["DaskExecutor", "run_batch", "stop_augmenting"]

#: Files per Dask task.
BATCH_SIZE = 16
#: Batches in flight per worker process.
BATCHES_PER_WORKER = 2

# One batch at a time per Dask worker process (a lock, not a Dask resource, so it
# holds whatever the cluster), run in that worker's own augmenting process.
_ONE_AT_A_TIME = threading.Lock()
_augmenting: ProcessPoolExecutor | None = None


def _run_tasks(tasks: list[Task]) -> list[FileResult]:
    return [run_task(task) for task in tasks]


def _start_augmenting_process() -> ProcessPoolExecutor:
    """A one-process pool beside this Dask worker; it builds each backend once and keeps it."""
    process = multiprocessing.current_process()
    # Dask worker processes are daemonic, and multiprocessing refuses children to
    # those. Ours exits with its worker however the worker ends (worker_init
    # watches its parent), so lifting the flag for this start leaves no orphan.
    daemon = process._config.get("daemon")  # type: ignore[attr-defined]
    process._config["daemon"] = False  # type: ignore[attr-defined]
    try:
        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=worker_init)
        pool.submit(os.getpid).result()  # started now, while children are allowed
    finally:
        process._config["daemon"] = daemon  # type: ignore[attr-defined]
    return pool


def stop_augmenting() -> None:
    """Stop this worker's augmenting process (before a cluster the run made is closed)."""
    global _augmenting
    with _ONE_AT_A_TIME:
        if _augmenting is not None:
            _augmenting.shutdown(wait=True, cancel_futures=True)
            _augmenting = None


def run_batch(tasks: list[Task]) -> list[FileResult]:
    """Run a batch of tasks for a Dask worker, in its augmenting process, one batch at a time."""
    global _augmenting
    with _ONE_AT_A_TIME:
        if _augmenting is None:
            _augmenting = _start_augmenting_process()
        try:
            return _augmenting.submit(_run_tasks, tasks).result()
        except BrokenProcessPool:
            _augmenting = None  # the next batch starts a new one; Dask retries this one
            raise


def _refuse_if_any_worker_fails(client: Client, probe: Any, places: Any, verb: str, joiner: str, why: str) -> None:
    """Run ``probe(places)`` on every worker; SetupError naming the first worker it failed for (and how many)."""
    failing = {worker: failed for worker, failed in client.run(probe, places).items() if failed}
    if failing:
        worker, failed = next(iter(failing.items()))
        raise SetupError(f"Dask worker {worker} {verb} {joiner.join(failed)} ({len(failing)} worker(s) in all): "
                         f"{why}")


def _sees(paths: list[str]) -> list[str]:
    """The paths among ``paths`` that are not folders here (runs on each worker)."""
    return [path for path in paths if not os.path.isdir(path)]


def _reaches(stores: list[Location]) -> list[str]:
    """Why this worker cannot list each of ``stores`` (runs on each worker); empty when it can."""
    failures = []
    for where in stores:
        assert where.store is not None
        try:
            next(iter(iter_folder(where.store.filesystem(), where.path)), None)
        except FileNotFoundError:
            pass  # an OUTPUT not made yet
        except Exception as exc:
            failures.append(f"{where.text} ({scrub(f'{type(exc).__name__}: {exc}', where.store.secrets())})")
    return failures


def _batches(plan: Iterable[Task | FileResult], size: int) -> Iterator[list[Task] | FileResult]:
    """Consecutive tasks of ``plan`` grouped ``size`` at a time; ready-made results pass through."""
    batch: list[Task] = []
    for item in plan:
        if isinstance(item, FileResult):
            yield item
            continue
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _InFlightBound:
    """How many batches may be in flight: two per worker, following workers that join or leave.

    Asking the scheduler is a round trip, so the count is refreshed every few seconds.
    """

    def __init__(self, client: Client, every: float = 2.0) -> None:
        self.client, self.every = client, every
        self.checked, self.value = -every, 0

    def __call__(self) -> int:
        now = time.monotonic()
        if now - self.checked >= self.every:
            self.checked = now
            self.value = BATCHES_PER_WORKER * max(1, len(self.client.scheduler_info()["workers"]))
        return self.value


class DaskExecutor(Executor):
    """Runs tasks on a Dask cluster.

    Args:
        dask: A scheduler address (``"tcp://10.0.0.5:8786"``), ``"local"`` (a
            ``LocalCluster`` of ``workers`` single-threaded processes, made for
            the run and closed after it), or a ``distributed.Client``.
        workers: The size of a ``"local"`` cluster.
        shared: Local folders every worker must see (INPUT and OUTPUT).
        stores: Folders in stores every worker must reach (INPUT and OUTPUT as URLs).
    """

    def __init__(self, dask: str | Client, workers: int, shared: Iterable[str] = (),
                 stores: Iterable[Location] = ()) -> None:
        self.dask = dask
        self.workers = workers
        self.shared = list(shared)
        self.stores = list(stores)

    def _connect(self) -> tuple[Client, Any]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise SetupError(f'--dask needs Dask\'s distributed ({exc}): pip install "augment-dir[dask]"') from None
        if not isinstance(self.dask, str):
            return self.dask, None
        if self.dask == "local":
            cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster), cluster
        try:
            return Client(self.dask, timeout="5s"), None
        except (OSError, TimeoutError) as exc:
            raise SetupError(f"cannot reach the Dask scheduler at {self.dask}: {exc}") from None

    def _check_workers(self, client: Client, made: bool) -> None:
        # A cluster the run made has all its workers before the first batch; an
        # existing one needs at least one (others may join as the run goes).
        client.wait_for_workers(self.workers if made else 1, timeout=60)
        _refuse_if_any_worker_fails(
            client, _sees, self.shared, "cannot see", ", ",
            "with --dask, INPUT and OUTPUT must be on storage every worker sees (a shared file system)")
        if self.stores:
            _refuse_if_any_worker_fails(
                client, _reaches, self.stores, "cannot reach", "; ",
                "each worker reads and writes the store itself, so it needs the package with the store's "
                "filesystem (e.g. s3fs) and credentials for it (its environment, a profile or --storage-options)")

    def run(self, plan: Iterable[Task | FileResult]) -> Iterator[FileResult]:
        """Yield results as batches complete; at most two batches per worker in flight."""
        from distributed import as_completed

        client, cluster = self._connect()
        in_flight: dict[Any, list[Task]] = {}
        try:
            self._check_workers(client, made=cluster is not None)
            bound = _InFlightBound(client)
            completed = as_completed()
            items = _batches(plan, BATCH_SIZE)
            counter = itertools.count()
            for item in items:
                if isinstance(item, FileResult):
                    yield item
                    continue
                # A lost worker's batch is rerun by Dask elsewhere; a batch that keeps
                # killing workers fails after distributed's allowed-failures.
                future = client.submit(run_batch, item, pure=False, retries=2,
                                       key=f"augment-dir-batch-{next(counter)}")
                in_flight[future] = item
                completed.add(future)
                while len(in_flight) >= bound():
                    yield from self._finished(next(completed), in_flight)
            for future in completed:
                yield from self._finished(future, in_flight)
        finally:
            # Stopped early: batches not yet run are cancelled; their staged files
            # (and those of batches whose results were never taken) are removed.
            for future, tasks in in_flight.items():
                future.cancel()
                for task in tasks:
                    discard(task.temp)
            if cluster is not None:
                try:
                    client.run(stop_augmenting)
                finally:
                    client.close()
                    cluster.close()

    @staticmethod
    def _finished(future: Any, in_flight: dict[Any, list[Task]]) -> Iterator[FileResult]:
        tasks = in_flight.pop(future)
        try:
            results: list[FileResult] = future.result()
        except Exception as exc:  # the batch failed on every worker it was tried on
            for task in tasks:
                discard(task.temp)
            reason = f"the Dask cluster could not run this file's batch ({type(exc).__name__}: {exc}); rerun to retry"
            results = [FileResult(t.rel_source, t.rel_output, t.modality, t.copy, t.seed, "error", error=reason)
                       for t in tasks]
        yield from results
