"""A folder's augmented copies in memory, one :class:`Sample` at a time: :func:`stream`.

``stream(INPUT)`` is ``augment_dir(INPUT, OUTPUT)`` without OUTPUT: the same
walk (:mod:`augment.run.walk`), the same options, resolved by the same
:func:`~augment.run.options.resolve` (the recipe's copies and seed when not
given), the same plan and seeds (:class:`~augment.run.plan.Planner`), and the
same recipe table for each file (its rule's). So each sample's data is what
``augment_dir`` writes for that copy, before encoding, and its params are the
manifest's. Nothing is written.

Samples come in the walk's order (folders depth first, names sorted; a
source's copies in order), whatever the number of worker processes. Worker
processes are spawned, as a run's are, one source per task, at most two tasks
per worker in flight; without ``workers`` a small folder starts fewer (as a
run does), and a script that calls :func:`stream` at its top level without
the ``__main__`` guard streams in its own process.
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from augment.core.registry import augmenter_class, backend, install_hint, missing_modules
from augment.run.execute import in_worker_start_up, unguarded_script_call
from augment.run.options import RunOptions, SetupError, resolve
from augment.run.pipeline import OUTPUTS_PER_WORKER, UnguardedScriptWarning
from augment.run.plan import Planner, SourcePlan
from augment.run.recipe import Recipe, RecipeError
from augment.run.remote import is_url
from augment.run.task import augmenter_for, failure_reason, worker_init
from augment.run.walk import walk_files

__all__ = ["Sample", "SampleStream", "SkippedFileWarning", "stream"]


@dataclass(frozen=True)
class Sample:
    """One augmented copy of one source file, in memory.

    Attributes:
        source: The source's path relative to INPUT, POSIX style ("cat/001.png").
        label: The first folder below INPUT ("cat"), as Keras' directory
            loaders name classes; None for a file directly in INPUT.
        copy: The copy number, 1..N (the ``_aug<copy>`` ``augment_dir`` would write).
        data: The augmented sample, as the backend's ``augment`` returns it
            (a PIL image or Image16, a str, an AudioClip).
        params: What was applied (the manifest's ``params`` for that output).
        seed: The seed it ran under (the manifest's ``seed``).
    """

    source: str
    label: str | None
    copy: int
    data: Any
    params: dict[str, Any]
    seed: int


class SkippedFileWarning(UserWarning):
    """A source file that could not be augmented (unreadable, bad input); the stream goes on without it."""


# One source's task: (path, rel, backend target, config, [(copy, seed), ...]).
_Job = tuple[str, str, str, dict[str, Any], list[tuple[int, int]]]
# Its result: [(copy, seed, data, params), ...], or the reason it failed.
_Done = tuple[list[tuple[int, int, Any, dict[str, Any]]] | None, str | None]

def _augment_source(job: _Job) -> _Done:
    """Every planned copy of one source, in memory, as a run's task makes each before writing it.

    Never raises for a bad file: one bad file must not stop the stream.
    """
    path, _, target, config, outputs = job
    try:
        augmenter = augmenter_for(target, config)
        data = augmenter.read(path)
        done: list[tuple[int, int, Any, dict[str, Any]]] = []
        for copy, seed in outputs:
            if not augmenter.reads_are_shareable and done:
                data = augmenter.read(path)  # the backend may change what it is given
            result = augmenter.augment(data, seed=seed)
            done.append((copy, seed, result.data, result.params))
    except Exception as exc:
        return None, failure_reason(exc)
    return done, None


class SampleStream(Iterator[Sample]):
    """The samples of :func:`stream`; checked when built, augmented as it is iterated.

    Attributes:
        input: The INPUT folder (real path).
        options: The resolved options (copies, seed, workers, only, recipe).
        planned: How many samples it yields at most (fewer when files are skipped).
        workers: How many worker processes augment (1: the calling process).
    """

    def __init__(self, input: str | os.PathLike[str], options: RunOptions) -> None:
        if is_url(input):
            raise SetupError(f"INPUT {input}: stream() reads a local folder; for a store, run augment_dir into a "
                             "local OUTPUT, or mount the store")
        root = Path(os.path.realpath(input))
        if not root.exists():
            raise SetupError(f"INPUT {input} does not exist")
        if not root.is_dir():
            raise SetupError(f"INPUT {input} is not a folder")
        self.input = root
        self.options = options
        self._planner = Planner(options)
        self.planned = self._preflight()
        self.workers = options.workers if options.workers_given else \
            min(options.workers, max(1, self.planned // OUTPUTS_PER_WORKER))
        self._samples: Generator[Sample, None, None] = self._run()

    def __next__(self) -> Sample:
        return next(self._samples)

    def close(self) -> None:
        """Stop early (worker processes are shut down)."""
        self._samples.close()

    def _preflight(self) -> int:
        """Count the samples and check, as a run does, that every needed backend and its data are there."""
        planned = 0
        present: dict[str, int] = {}
        rules: dict[str, set[int | None]] = {}
        for entry in walk_files(self.input):
            plan = self._planner.outputs_for(entry)
            if plan.outputs and plan.modality is not None:
                planned += len(plan.outputs)
                present[plan.modality] = present.get(plan.modality, 0) + 1
                rules.setdefault(plan.modality, set()).add(plan.rule)
        recipe = self.options.recipe
        for modality, files in present.items():
            missing = missing_modules(modality)
            if missing:
                raise SetupError(f"INPUT holds {files} {modality} file(s) but the {modality} backend is not "
                                 f"installed (missing {', '.join(missing)}): run  {install_hint(modality)}  or "
                                 f"leave them out with only=")
            try:
                recipe.check([modality])
            except RecipeError as exc:
                raise SetupError(str(exc)) from None
            for rule in sorted(rules[modality], key=lambda r: -1 if r is None else r):
                try:
                    augmenter_class(modality).prepare(recipe.config_for(modality, rule))
                except LookupError as exc:
                    raise SetupError(str(exc)) from exc
        return planned

    def _jobs(self) -> Iterator[tuple[_Job, SourcePlan]]:
        recipe = self.options.recipe
        for entry in walk_files(self.input):
            plan = self._planner.outputs_for(entry)
            if not plan.outputs or plan.modality is None:
                continue  # unsupported, or left out (only, a rule's copies = 0): nothing to yield
            if entry.problem:
                _skip(entry.rel, entry.problem)
                continue
            outputs = [(out.copy, out.seed) for out in plan.outputs if out.seed is not None]
            job = (entry.path, entry.rel, backend(plan.modality).target, recipe.config_for(plan.modality, plan.rule),
                   outputs)
            yield job, plan

    def _run(self) -> Generator[Sample, None, None]:
        if self.workers <= 1:
            for job, _ in self._jobs():
                yield from _samples(job, _augment_source(job))
            return
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=worker_init)
        in_flight: deque[tuple[_Job, Future[_Done]]] = deque()

        def first_done() -> Iterator[Sample]:
            head, future = in_flight.popleft()
            try:
                done = future.result()
            except BrokenProcessPool as exc:
                raise RuntimeError(f"stream's {self.workers} worker processes stopped ({exc}); if stream() is "
                                   "called at the top level of a script, put the call under `if __name__ == "
                                   "\"__main__\":`, or pass workers=1") from None
            yield from _samples(head, done)

        try:
            for job, _ in self._jobs():
                in_flight.append((job, pool.submit(_augment_source, job)))
                # Yield in the walk's order; at most two sources per worker in flight.
                while len(in_flight) >= 2 * self.workers:
                    yield from first_done()
            while in_flight:
                yield from first_done()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _skip(rel: str, reason: str) -> None:
    warnings.warn(SkippedFileWarning(f"{rel}: {reason}; skipped"), stacklevel=5)


def _samples(job: _Job, done: _Done) -> Iterator[Sample]:
    rel = job[1]
    outputs, error = done
    if outputs is None:
        _skip(rel, error or "failed")
        return
    label = rel.split("/", 1)[0] if "/" in rel else None
    for copy, seed, data, params in outputs:
        yield Sample(rel, label, copy, data, params, seed)


def stream(
    input: str | os.PathLike[str],
    *,
    recipe: Recipe | str | os.PathLike[str] | None = None,
    copies: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    only: Iterable[str] | str | None = None,
) -> SampleStream:
    """The augmented copies ``augment_dir(input, ...)`` would write, in memory, as :class:`Sample` objects.

    Arguments are resolved exactly as :func:`~augment.run.pipeline.augment_dir`
    resolves them, and checked (with INPUT, its backends and their data) when
    this is called: :class:`~augment.run.options.SetupError` comes before any
    sample. A source that cannot be read or augmented is skipped with a
    :class:`SkippedFileWarning` naming it and the reason. The same arguments
    give the same samples; for a new draw each epoch, give each epoch its own
    seed.

    Args:
        input: The folder to read (local); never modified.
        recipe: A :class:`~augment.run.recipe.Recipe` or a recipe file (default:
            the default recipe).
        copies: Copies per source (default: the recipe's, else 1); a rule's own
            ``copies`` still applies to the files it takes.
        seed: The seed (default: the recipe's, else 0).
        workers: Worker processes (default: the CPUs available, fewer for a
            small folder); 1 augments in the calling process.
        only: Modalities to augment (default: all).
    """
    if in_worker_start_up():
        # A spawned worker importing a script that streams at its top level: leave
        # quietly (the stream that started it runs in its own process, see below).
        raise SystemExit(2)
    options = resolve(copies=copies, seed=seed, workers=workers, only=only, recipe=recipe)
    samples = SampleStream(input, options)
    if samples.workers > 1 and unguarded_script_call():
        warnings.warn(UnguardedScriptWarning(
            "this script calls stream() at its top level, outside `if __name__ == \"__main__\":`, and each worker "
            "process would import it and start again; streaming in this process instead (same samples). Put the "
            "call under the guard to use worker processes."), stacklevel=2)
        samples.workers = 1  # read when iteration starts
    return samples
