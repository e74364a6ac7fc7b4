"""Stream a folder into an augmented mirror: walk -> plan -> execute -> manifest -> commit.

The pipeline knows nothing about any backend library: it plans one
:class:`~augment.run.task.Task` per output, hands the tasks to an executor,
records each result in the manifest and only then commits the output.

Promises kept here (see DESIGN.md): exactly N outputs per source named after
it; seeds derived from (seed, relative path, copy) so any ``workers`` gives the
same bytes; nothing half-written; a rerun resumes; one lock per OUTPUT.
"""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment.core.registry import augmenter_class, backend, install_hint, missing_modules
from augment.run.execute import executor_for
from augment.run.manifest import MANIFEST_NAME, ManifestWriter, compact
from augment.run.options import RunArguments, RunOptions, SetupError, resolve
from augment.run.plan import Planner
from augment.run.recipe import RECIPE_NAME, Recipe, RecipeError, RecipeWarning
from augment.run.storage import LocalStorage
from augment.run.summary import RunSummary
from augment.run.task import FileResult, Task
from augment.run.walk import walk_files

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

__all__ = ["LOCK_NAME", "AugmentRun", "FileResult", "RunSummary", "SetupError", "augment_dir", "iter_augment"]

LOCK_NAME = ".augment-dir.lock"
# Files of the run itself, which no original may be copied over.
_RUN_FILES = (MANIFEST_NAME, RECIPE_NAME)


class AugmentRun(Iterator[FileResult]):
    """One checked run over INPUT -> OUTPUT; iterate it to run it.

    Everything is checked (and INPUT pre-scanned) when it is built, so a
    :class:`SetupError` comes before any file is written. The lock on OUTPUT
    is taken when iteration starts and released when it ends.

    Attributes:
        input: The INPUT folder (real path).
        output: The OUTPUT folder (real path).
        options: The resolved options.
        planned: How many results iterating yields.
    """

    def __init__(self, input: str | os.PathLike[str], output: str | os.PathLike[str], options: RunOptions) -> None:
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
        self.storage = LocalStorage(self.output)
        self.recipe = options.recipe
        self.fingerprint = self.recipe.fingerprint
        self.planner = Planner(options)
        self._configs: dict[tuple[str, int | None], dict[str, Any]] = {}
        self._check_output_recipe(output)
        self.planned = self._preflight()
        self._results: Generator[FileResult, None, None] = self._run()

    def __next__(self) -> FileResult:
        return next(self._results)

    def close(self) -> None:
        """Stop the run early (the lock is released, staged files are removed)."""
        self._results.close()

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

    def _preflight(self) -> int:
        """Count results and sources by modality; check each needed backend can run.

        A stat-only walk: it costs little next to augmenting, and it is what
        lets a missing extra stop the run before anything is written.
        """
        planned = 0
        present: Counter[str] = Counter()
        rule_hits: Counter[int | None] = Counter()
        for entry in walk_files(self.input, exclude=self.exclude):
            plan = self.planner.outputs_for(entry)
            present[plan.modality or "other"] += 1
            rule_hits[plan.rule] += 1
            planned += plan.results
        for index, rule in enumerate(self.recipe.rules, start=1):
            if not rule_hits[index]:
                warnings.warn(RecipeWarning(
                    f"{self.recipe.source}: [[rules]] #{index} match = {rule['match']!r} takes no file "
                    f"under INPUT (nothing matches it, or an earlier rule takes every file it matches)"
                ), stacklevel=2)
        for modality in self.options.only:
            if present[modality]:
                self._check_backend(modality, present[modality])
        return planned

    def _check_backend(self, modality: str, files: int) -> None:
        missing = missing_modules(modality)
        if missing:
            raise SetupError(
                f"INPUT holds {files} {modality} file(s) but the {modality} backend is not "
                f"installed (missing {', '.join(missing)}): run  {install_hint(modality)}  "
                f"or leave them out with --only"
            )
        try:
            self.recipe.check([modality])
        except RecipeError as exc:
            raise SetupError(str(exc)) from None
        if self.options.dry_run:
            return
        # Data the backend needs at run time (WordNet): found here, once, before any file.
        rules = [None, *(i for i, rule in enumerate(self.recipe.rules, start=1) if modality in rule)]
        for rule in rules:
            try:
                augmenter_class(modality).prepare(self._config(modality, rule))
            except LookupError as exc:
                raise SetupError(str(exc)) from exc

    def _plan(self) -> Iterator[Task | FileResult]:
        o = self.options
        for entry in walk_files(self.input, exclude=self.exclude):
            plan = self.planner.outputs_for(entry)
            modality = plan.modality
            for out in plan.outputs:
                decided = FileResult(entry.rel, out.rel_output, modality, out.copy, out.seed, "planned")
                if entry.problem:
                    yield replace(decided, status="error", error=entry.problem)
                elif out.copy == 0 and out.rel_output in _RUN_FILES:
                    yield replace(decided, status="error",
                                  error=f"an original cannot be copied over the run's {out.rel_output}")
                elif self.storage.exists(out.rel_output) and not o.overwrite:
                    yield replace(decided, status="skipped")
                elif o.dry_run:
                    yield decided
                else:
                    config = self._config(modality, plan.rule) if out.copy and modality else {}
                    target = backend(modality).target if out.copy and modality else None
                    yield Task(entry.path, self.storage.stage(out.rel_output), entry.rel, out.rel_output,
                               modality, target, out.copy, out.seed, config)
            if plan.status is not None:
                yield FileResult(entry.rel, None, modality, None, None, plan.status)

    def _run(self) -> Generator[FileResult, None, None]:
        if self.options.dry_run:
            # Nothing is written, so no lock: the plan's results are the answer.
            for item in self._plan():
                if isinstance(item, FileResult):  # always: a dry run stages no task
                    yield item
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
            self.storage.clean_temporaries(skip=str(self.input))
            compact(self.output / MANIFEST_NAME, self.output)
            # The dataset documents itself: rerunning with this file rebuilds the same bytes.
            self.storage.write_text(RECIPE_NAME, self.recipe.to_toml())
            with ManifestWriter(self.output / MANIFEST_NAME) as manifest:
                for result in executor_for(self.options.workers).run(self._plan()):
                    if result.status in ("ok", "error"):
                        # The line goes first: an output that exists always has one.
                        manifest.write(self._record(result))
                    if result.temp is not None and result.output is not None:
                        self.storage.commit(result.temp, result.output)
                        result = result.committed()
                    yield result
            compact(self.output / MANIFEST_NAME, self.output)
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


def iter_augment(
    input: str | os.PathLike[str], output: str | os.PathLike[str], **arguments: Unpack[RunArguments]
) -> AugmentRun:
    """Augment a folder, yielding a :class:`FileResult` per output as it completes.

    Arguments are checked (and the folder pre-scanned) when this is called, so
    a :class:`SetupError` comes before any iteration; the lock on OUTPUT is
    taken when iteration starts and released when it ends (or when the run is
    closed).

    Args:
        input: The folder to read; never modified.
        output: The folder to write the mirror into (created if needed). The
            effective recipe (with this run's seed and copies) is saved as
            OUTPUT/recipe.toml, and an OUTPUT made with a different recipe is
            refused unless ``overwrite``.
        **arguments: The run's options, as on the command line: ``copies``,
            ``seed``, ``workers``, ``only``, ``include_originals``,
            ``overwrite``, ``dry_run``, ``recipe``, ``text_unit`` (see
            :class:`~augment.run.options.RunArguments`).
    """
    return AugmentRun(input, output, resolve(**arguments))


def augment_dir(
    input: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    progress: bool = False,
    on_result: Callable[[FileResult], None] | None = None,
    **arguments: Unpack[RunArguments],
) -> RunSummary:
    """Augment a folder into a mirror of it and return a :class:`RunSummary`.

    Takes the arguments of :func:`iter_augment`, plus ``progress`` (a tqdm bar
    on stderr) and ``on_result`` (called with every result).
    """
    started = time.monotonic()
    run = iter_augment(input, output, **arguments)
    summary = RunSummary(str(input), str(output), dry_run=run.options.dry_run)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=run.planned, unit="file", dynamic_ncols=True, smoothing=0.1)
    try:
        for result in run:
            summary.add(result)
            if on_result is not None:
                on_result(result)
            if bar is not None:
                bar.update()
    finally:
        run.close()
        if bar is not None:
            bar.close()
        summary.elapsed = time.monotonic() - started
    return summary
