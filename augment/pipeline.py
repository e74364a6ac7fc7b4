"""Stream a folder into an augmented mirror: walk -> plan -> run -> manifest.

The pipeline knows nothing about any backend library: it plans one
:class:`~augment.task.Task` per output, runs the tasks (in this process or in
spawned worker processes, with a bounded number in flight), records each result
in the manifest and only then renames the output into place.

Promises kept here (see DESIGN.md): exactly N outputs per source named after
it; seeds derived from (seed, relative path, copy) so any ``workers`` gives the
same bytes; nothing half-written; a rerun resumes; one lock per OUTPUT.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from augment.base import SEED_MAX, TEMP_MARKER, atomic_path, derive_seed
from augment.manifest import MANIFEST_NAME, ManifestWriter, compact
from augment.recipe import RECIPE_NAME, Recipe, RecipeError, RecipeWarning
from augment.registry import EXTRAS, MODALITIES, augmenter_class, install_hint, modality_for
from augment.task import FileResult, Task, commit, discard, run_task, worker_init
from augment.walk import walk_files

__all__ = [
    "SetupError",
    "RunSummary",
    "FileResult",
    "augment_dir",
    "iter_augment",
    "output_name",
    "LOCK_NAME",
]

LOCK_NAME = ".augment-dir.lock"
# How many failed sources a summary lists by name; the manifest has them all.
SUMMARY_FAILURES = 10


class SetupError(Exception):
    """The run cannot start (bad arguments, missing extra, OUTPUT locked...).

    Raised before anything is written.
    """


def output_name(rel_source: str, copy: int) -> str:
    """The relative output path of copy ``copy`` of ``rel_source``.

    ``cat/001.jpg`` -> ``cat/001_aug1.jpg``; copy 0 is the original's own path.
    """
    if copy == 0:
        return rel_source
    path = PurePosixPath(rel_source)
    return str(path.with_name(f"{path.stem}_aug{copy}{path.suffix}"))


def default_workers() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass
class RunSummary:
    """Counts and failures of a finished run.

    ``counts[modality][status]`` counts outputs ("ok", "error", "skipped",
    "planned") and, for sources no output was planned for, sources
    ("unsupported", "excluded"). Unsupported files are under modality "other".
    """

    input: str
    output: str
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    dry_run: bool = False

    def add(self, result: FileResult) -> None:
        """Count one result."""
        self.counts.setdefault(result.modality or "other", Counter())[result.status] += 1
        # Name the first few failed sources; the manifest has every failed output.
        if (result.status == "error" and result.source not in self.failures
                and len(self.failures) < SUMMARY_FAILURES):
            self.failures[result.source] = result.error or "unknown error"

    def total(self, status: str) -> int:
        """Outputs (or sources, for unsupported/excluded) with ``status``."""
        return sum(c[status] for c in self.counts.values())

    @property
    def written(self) -> int:
        return self.total("ok")

    @property
    def failed(self) -> int:
        return self.total("error")

    @property
    def skipped(self) -> int:
        return self.total("skipped")

    @property
    def unsupported(self) -> int:
        return self.total("unsupported")

    @property
    def exit_code(self) -> int:
        """0 when every output was made (or already there), 1 when some failed."""
        return 1 if self.failed else 0

    @property
    def files_per_second(self) -> float:
        done = self.written + self.failed
        return done / self.elapsed if self.elapsed > 0 else 0.0

    def describe(self) -> str:
        """A human summary: totals, per-modality counts, failures."""
        manifest = Path(self.output, MANIFEST_NAME)
        verb = "would write" if self.dry_run else "written"
        head = (
            f"{self.total('planned') if self.dry_run else self.written} {verb}, "
            f"{self.skipped} skipped (already done), {self.failed} failed, "
            f"{self.unsupported} unsupported"
        )
        if self.total("excluded"):
            head += f", {self.total('excluded')} excluded (by --only, or a rule with copies = 0)"
        lines = [f"{head} in {self.elapsed:.1f} s ({self.files_per_second:.1f} files/s)"]
        names = {"ok": "written", "planned": "would write", "error": "failed",
                 "skipped": "skipped", "unsupported": "unsupported", "excluded": "excluded"}
        for modality in (*MODALITIES, "other"):
            counts = self.counts.get(modality)
            if counts:
                parts = ", ".join(f"{n} {names.get(s, s)}" for s, n in sorted(counts.items()))
                lines.append(f"  {modality}: {parts}")
        if self.failures:
            lines.append("failed files:")
            lines.extend(f"  {source}: {reason}" for source, reason in self.failures.items())
            listed = len(self.failures)
            if self.failed > listed:
                lines.append(f"  ({self.failed} failed outputs in all: every one is in {manifest} "
                             "with \"status\": \"error\")")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Options:
    copies: int
    seed: int
    workers: int
    only: tuple[str, ...]
    include_originals: bool
    overwrite: bool
    dry_run: bool
    recipe: Recipe  # the effective recipe: its seed and copies are the two above


class _Run:
    """One validated run over INPUT -> OUTPUT."""

    def __init__(self, input: str | os.PathLike[str], output: str | os.PathLike[str], options: _Options) -> None:
        self.input = Path(os.path.realpath(input))
        self.output = Path(os.path.realpath(output))
        self.options = options
        if not self.input.exists():
            raise SetupError(f"INPUT {input} does not exist")
        if not self.input.is_dir():
            raise SetupError(f"INPUT {input} is not a folder")
        if self.output == self.input:
            raise SetupError(f"OUTPUT {output} is INPUT itself; choose another folder (inputs are never modified)")
        if self.input.is_relative_to(self.output):
            raise SetupError(f"OUTPUT {output} contains INPUT {input}; choose an OUTPUT outside INPUT")
        if self.output.exists() and not self.output.is_dir():
            raise SetupError(f"OUTPUT {output} exists and is not a folder")
        self.exclude = self.output if self.output.is_relative_to(self.input) else None
        self.manifest = self.output / MANIFEST_NAME
        self.recipe = options.recipe
        self.fingerprint = self.recipe.fingerprint
        self._configs: dict[tuple[str, int | None], dict[str, Any]] = {}
        self._check_output_recipe(output)
        self.planned = 0
        self.present = self._preflight()

    def _check_output_recipe(self, output: str | os.PathLike[str]) -> None:
        """Refuse to add to an OUTPUT made with another recipe (unless overwriting)."""
        saved = self.output / RECIPE_NAME
        if self.options.overwrite or not saved.exists():
            return
        try:
            previous = Recipe.from_toml(saved, check=False).fingerprint
        except RecipeError as exc:
            raise SetupError(f"OUTPUT holds a recipe.toml that cannot be read ({exc}); "
                             "use --overwrite to redo OUTPUT with this run's recipe") from None
        if previous != self.fingerprint:
            raise SetupError(
                f"OUTPUT {output} was made with a different recipe ({saved}); this run's recipe "
                f"(from {self.recipe.source}) would mix two recipes in one dataset. Continue it with "
                f"--config {saved}, redo it with --overwrite, or choose another OUTPUT"
            )

    def _config(self, modality: str, rule: int | None) -> dict[str, Any]:
        key = (modality, rule)
        if key not in self._configs:
            self._configs[key] = self.recipe.config_for(modality, rule)
        return self._configs[key]

    def _augmented_copies(self, rel: str, modality: str | None) -> tuple[int | None, int]:
        """(the rule that takes ``rel``, how many augmented copies of it to make)."""
        rule = self.recipe.rule_for(rel) if self.recipe.has_rules else None
        if modality not in self.options.only:
            return rule, 0
        copies = self.recipe.copies_for(rule)
        return rule, self.options.copies if copies is None else copies

    def _preflight(self) -> Counter[str]:
        """Count sources by modality and check each needed backend can run.

        A stat-only walk: it costs little next to augmenting, and it is what
        lets a missing extra stop the run before anything is written.
        """
        o = self.options
        present: Counter[str] = Counter()
        rule_hits: Counter[int | None] = Counter()
        for entry in walk_files(self.input, exclude=self.exclude):
            modality = modality_for(entry.rel)
            present[modality or "other"] += 1
            rule, augmented = self._augmented_copies(entry.rel, modality)
            rule_hits[rule] += 1
            # One result per output, plus one for a source no augmented copy is planned for.
            self.planned += augmented + (1 if o.include_originals else 0) + (0 if augmented else 1)
        for index, rule in enumerate(self.recipe.rules, start=1):
            if not rule_hits[index]:
                warnings.warn(RecipeWarning(
                    f"{self.recipe.source}: [[rules]] #{index} match = {rule['match']!r} takes no file "
                    f"under INPUT (nothing matches it, or an earlier rule takes every file it matches)"
                ), stacklevel=2)
        for modality in self.options.only:
            if not present[modality]:
                continue
            missing = [m for m in EXTRAS[modality] if importlib.util.find_spec(m) is None]
            if missing:
                raise SetupError(
                    f"INPUT holds {present[modality]} {modality} file(s) but the {modality} backend is not "
                    f"installed (missing {', '.join(missing)}): run  {install_hint(modality)}  "
                    f"or leave them out with --only"
                )
            try:
                self.recipe.check([modality])
            except RecipeError as exc:
                raise SetupError(str(exc)) from None
            if not self.options.dry_run:
                # Data the backend needs at run time (WordNet): found here, once, before any file.
                rules = [None, *(i for i, rule in enumerate(self.recipe.rules, start=1) if modality in rule)]
                for rule in rules:
                    try:
                        augmenter_class(modality).prepare(self._config(modality, rule))
                    except LookupError as exc:
                        raise SetupError(str(exc)) from exc
        return present

    @property
    def planned_total(self) -> int:
        """How many results the run will yield that take work or a decision."""
        return self.planned

    def _plan(self) -> Iterator[Task | FileResult]:
        o = self.options
        for entry in walk_files(self.input, exclude=self.exclude):
            modality = modality_for(entry.rel)
            rule, augmented = self._augmented_copies(entry.rel, modality)
            copies = range(0 if o.include_originals else 1, augmented + 1)
            for copy in copies:
                rel_output = output_name(entry.rel, copy)
                seed = derive_seed(o.seed, entry.rel, copy) if copy else None
                if entry.problem or (copy == 0 and rel_output in (MANIFEST_NAME, RECIPE_NAME)):
                    reason = entry.problem or f"an original cannot be copied over the run's {rel_output}"
                    yield FileResult(entry.rel, rel_output, modality, copy, seed, "error", error=reason)
                    continue
                output = self.output / rel_output
                if o.dry_run:
                    status = "skipped" if output.exists() and not o.overwrite else "planned"
                    yield FileResult(entry.rel, rel_output, modality, copy, seed, status)
                elif output.exists() and not o.overwrite:
                    yield FileResult(entry.rel, rel_output, modality, copy, seed, "skipped")
                else:
                    config = self._config(modality, rule) if copy and modality else {}
                    yield Task(entry.path, str(output), entry.rel, rel_output, modality, copy, seed, config)
            if not augmented:
                status = "unsupported" if modality is None else "excluded"
                yield FileResult(entry.rel, None, modality, None, None, status)

    def _clean_leftovers(self) -> int:
        """Remove temporary files a killed run left behind; return how many."""
        removed = 0
        for folder, dirs, files in os.walk(self.output):
            if Path(folder) == self.input:
                dirs[:] = []
                continue
            for name in files:
                if name.startswith(".") and TEMP_MARKER in name:
                    discard(os.path.join(folder, name))
                    removed += 1
        return removed

    def results(self) -> Iterator[FileResult]:
        """Run, yielding one result per output (and per unsupported source)."""
        if self.options.dry_run:
            for item in self._plan():
                yield item if isinstance(item, FileResult) else FileResult(
                    item.rel_source, item.rel_output, item.modality, item.copy, item.seed, "planned")
            return
        from filelock import FileLock, Timeout

        self.output.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.output / LOCK_NAME, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise SetupError(
                f"another augment-dir run is writing to {self.output} (it holds {self.output / LOCK_NAME}); "
                "wait for it to finish"
            ) from None
        try:
            self._clean_leftovers()
            compact(self.manifest, self.output)
            # The dataset documents itself: rerunning with this file rebuilds the same bytes.
            with atomic_path(self.output / RECIPE_NAME) as tmp:
                tmp.write_text(self.recipe.to_toml(), encoding="utf-8")
            with ManifestWriter(self.manifest) as manifest:
                for result in _execute(self._plan(), self.options.workers):
                    if result.status in ("ok", "error"):
                        # The line goes first: an output that exists always has one.
                        manifest.write(self._record(result))
                    if result.temp is not None:
                        commit(result, self.output)
                        result = _without_temp(result)
                    yield result
            compact(self.manifest, self.output)
        finally:
            lock.release()

    def _record(self, result: FileResult) -> dict[str, Any]:
        """The manifest line of ``result``: its fields, with the recipe's fingerprint after the seed."""
        record: dict[str, Any] = {}
        for key, value in result.manifest_record().items():
            record[key] = value
            if key == "seed":
                record["recipe"] = self.fingerprint
        return record


def _without_temp(result: FileResult) -> FileResult:
    return FileResult(result.source, result.output, result.modality, result.copy, result.seed,
                      result.status, result.params, result.error)


def _execute(plan: Iterable[Task | FileResult], workers: int) -> Iterator[FileResult]:
    """Run the tasks of ``plan``; pass its ready-made results straight through."""
    if workers <= 1:
        for item in plan:
            yield run_task(item) if isinstance(item, Task) else item
        return
    yield from _execute_in_processes(plan, workers)


def _execute_in_processes(plan: Iterable[Task | FileResult], workers: int) -> Iterator[FileResult]:
    # spawn, not fork: TensorFlow is not fork-safe, and spawned workers start
    # clean, importing only the backends their tasks need.
    context = multiprocessing.get_context("spawn")
    max_in_flight = 2 * workers  # enough to keep workers busy; memory stays flat
    pool = _new_pool(workers, context)
    in_flight: dict[Future[FileResult], Task] = {}

    def finished(future: Future[FileResult]) -> FileResult:
        task = in_flight.pop(future)
        try:
            return future.result()
        except BrokenProcessPool:
            return FileResult(task.rel_source, task.rel_output, task.modality, task.copy, task.seed, "error",
                              error="a worker process died while this file was in flight; rerun to retry it")

    try:
        for item in plan:
            if isinstance(item, FileResult):
                yield item
                continue
            while len(in_flight) >= max_in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    yield finished(future)
            try:
                in_flight[pool.submit(run_task, item)] = item
            except BrokenProcessPool:
                pool = _replace_pool(pool, workers, context)
                in_flight[pool.submit(run_task, item)] = item
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                yield finished(future)
    finally:
        # Stopped early (error, interrupt, consumer gone): written temporaries
        # of results nobody will commit are removed.
        pool.shutdown(wait=True, cancel_futures=True)
        for future in in_flight:
            if future.done() and not future.cancelled() and future.exception() is None:
                discard(future.result().temp)


def _new_pool(workers: int, context: Any) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=worker_init)


def _replace_pool(pool: ProcessPoolExecutor, workers: int, context: Any) -> ProcessPoolExecutor:
    pool.shutdown(wait=False, cancel_futures=True)
    return _new_pool(workers, context)


def _options(copies: int | None, seed: int | None, workers: int | None, only: Iterable[str] | None,
             include_originals: bool, overwrite: bool, dry_run: bool,
             recipe: Recipe | str | os.PathLike[str] | None) -> _Options:
    if recipe is None:
        recipe = Recipe.default()
    elif not isinstance(recipe, Recipe):
        try:
            recipe = Recipe.from_toml(recipe)
        except RecipeError as exc:
            raise SetupError(str(exc)) from None
    if copies is None:
        copies = recipe.copies if recipe.copies is not None else 1
    if isinstance(copies, bool) or not isinstance(copies, int) or copies < 1:
        raise SetupError(f"copies must be an integer >= 1; got {copies!r}")
    if seed is None:
        seed = recipe.seed if recipe.seed is not None else 0
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= SEED_MAX:
        raise SetupError(f"seed must be an integer in [0, {SEED_MAX}]; got {seed!r}")
    if workers is None:
        workers = default_workers()
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise SetupError(f"workers must be an integer >= 1; got {workers!r}")
    only_t = tuple(MODALITIES) if only is None else tuple(dict.fromkeys(only))
    unknown = [m for m in only_t if m not in MODALITIES]
    if unknown or not only_t:
        raise SetupError(f"only must name some of {', '.join(MODALITIES)}; got {', '.join(only_t) or 'nothing'}")
    recipe = recipe.replace(seed=seed, copies=copies)
    return _Options(copies, seed, workers, only_t, include_originals, overwrite, dry_run, recipe)


def iter_augment(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    copies: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    only: Iterable[str] | None = None,
    include_originals: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    recipe: Recipe | str | os.PathLike[str] | None = None,
) -> Iterator[FileResult]:
    """Augment a folder, yielding a :class:`FileResult` per output as it completes.

    Arguments are checked (and the folder pre-scanned) when this is called, so
    a :class:`SetupError` comes before any iteration; the lock on OUTPUT is
    taken when iteration starts and released when it ends.

    Args:
        input: The folder to read; never modified.
        output: The folder to write the mirror into (created if needed).
        copies: Augmented copies per source file (default: the recipe's, else 1);
            a recipe rule's own ``copies`` still applies to the files it takes.
        seed: The run's seed (default: the recipe's, else 0); each output's
            seed derives from it, the source's relative path and the copy number.
        workers: Worker processes (default: CPUs available); 1 runs in-process.
        only: Modalities to augment (default: all three).
        include_originals: Also copy every source byte-for-byte to its mirrored path.
        overwrite: Redo outputs that already exist (else they are skipped).
        dry_run: Plan only; write nothing (results have status "planned").
        recipe: A :class:`~augment.recipe.Recipe`, or the path of a recipe
            TOML file (default: the default recipe). The effective recipe
            (with this run's seed and copies) is saved as OUTPUT/recipe.toml,
            and an OUTPUT made with a different recipe is refused unless
            ``overwrite``.
    """
    run = _Run(input, output, _options(copies, seed, workers, only, include_originals, overwrite, dry_run, recipe))
    return run.results()


def augment_dir(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    copies: int | None = None,
    seed: int | None = None,
    workers: int | None = None,
    only: Iterable[str] | None = None,
    include_originals: bool = False,
    overwrite: bool = False,
    dry_run: bool = False,
    recipe: Recipe | str | os.PathLike[str] | None = None,
    progress: bool = False,
    on_result: Callable[[FileResult], None] | None = None,
) -> RunSummary:
    """Augment a folder into a mirror of it and return a :class:`RunSummary`.

    Takes the arguments of :func:`iter_augment`, plus ``progress`` (a tqdm bar
    on stderr) and ``on_result`` (called with every result).
    """
    started = time.monotonic()
    run = _Run(input, output, _options(copies, seed, workers, only, include_originals, overwrite, dry_run, recipe))
    summary = RunSummary(str(input), str(output), dry_run=dry_run)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=run.planned_total, unit="file", dynamic_ncols=True, smoothing=0.1)
    try:
        for result in run.results():
            summary.add(result)
            if on_result is not None:
                on_result(result)
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
        summary.elapsed = time.monotonic() - started
    return summary
