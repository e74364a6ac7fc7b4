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
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from augment import __version__
from augment.core.notices import RunNotice
from augment.core.registry import augmenter_class, backend, install_hint, missing_modules
from augment.run.execute import Executor, executor_for, in_worker_start_up, unguarded_script_call
from augment.run.manifest import MANIFEST_NAME, ManifestWriter, compact, has_records, prune
from augment.run.options import RunArguments, RunOptions, SetupError, resolve
from augment.run.plan import PlannedOutput, Planner
from augment.run.recipe import RECIPE_NAME, Recipe, RecipeError, RecipeWarning, differences
from augment.run.state import RUN_STATE_NAME, RunState, read_run_state
from augment.run.storage import LocalStorage
from augment.run.summary import RunSummary
from augment.run.task import FileResult, Task
from augment.run.walk import Entry, walk_files

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

__all__ = ["LOCK_NAME", "AugmentRun", "FileResult", "RunSummary", "SetupError", "UnguardedScriptWarning",
           "augment_dir", "iter_augment"]

LOCK_NAME = ".augment-dir.lock"
# Files of the run itself, which no original may be copied over.
_RUN_FILES = (MANIFEST_NAME, RECIPE_NAME, RUN_STATE_NAME)
# An output's stem: "<source stem>_aug<k>".
_COPY_NAME = re.compile(r"(.+)_aug([1-9][0-9]*)")
# How many differences a refusal lists.
_DIFFERENCES_SHOWN = 8


class UnguardedScriptWarning(UserWarning):
    """A script calls a run at its top level without the ``__main__`` guard; it runs in-process."""


class AugmentRun(Iterator[FileResult]):
    """One checked run over INPUT -> OUTPUT; iterate it to run it.

    Everything is checked (and INPUT pre-scanned) when it is built, so a
    :class:`SetupError` comes before any file is written. The lock on OUTPUT
    is taken when iteration starts and released when it ends; OUTPUT/run.json
    says ``running`` meanwhile and how the run ended afterwards.

    Attributes:
        input: The INPUT folder (real path).
        output: The OUTPUT folder (real path).
        options: The resolved options.
        planned: How many results iterating yields.
        summary: The results so far, counted.
        notices: What the backends said once for this run (e.g. a fallback tagger).
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
        self.summary = RunSummary(str(self.input), str(self.output), dry_run=options.dry_run)
        self.notices: list[str] = []
        self._renamed: dict[str, str] = {}
        self._check_output_recipe(output)
        self.planned = self._preflight()
        self._results: Generator[FileResult, None, None] = self._run()

    def __next__(self) -> FileResult:
        return next(self._results)

    def close(self) -> None:
        """Stop the run early (the lock is released, staged files are removed)."""
        self._results.close()

    def _check_output_recipe(self, output: str | os.PathLike[str]) -> None:
        """Refuse to add to an OUTPUT made with another recipe (unless overwriting), saying what differs."""
        saved = self.output / RECIPE_NAME
        if self.options.overwrite:
            return
        if not saved.exists():
            if has_records(self.output / MANIFEST_NAME):
                raise SetupError(
                    f"OUTPUT {output} holds outputs (a manifest) but no {RECIPE_NAME}, so nothing says which "
                    f"recipe made them; redo it with --overwrite, or choose another OUTPUT"
                )
            return
        try:
            previous = Recipe.from_toml(saved, check=False)
        except RecipeError as exc:
            raise SetupError(f"OUTPUT holds a recipe.toml that cannot be read ({exc}); "
                             "use --overwrite to redo OUTPUT with this run's recipe") from None
        if previous.fingerprint == self.fingerprint:
            if previous.older_fingerprint is not None:  # an older format: same recipe, older fingerprint
                self._renamed[previous.older_fingerprint] = self.fingerprint
            return
        found = differences(previous, self.recipe)
        listed = "\n".join(f"  {line}" for line in found[:_DIFFERENCES_SHOWN])
        if len(found) > _DIFFERENCES_SHOWN:
            listed += f"\n  ... and {len(found) - _DIFFERENCES_SHOWN} more"
        if [line.split(":")[0] for line in found] == ["seed"]:
            advice = (f"continue it with --seed {previous.seed} (seed={previous.seed}), redo it with this seed "
                      f"with --overwrite, or choose another OUTPUT")
        else:
            advice = (f"continue it with --config {saved} (recipe=...) and no --seed or --text-unit that "
                      f"disagree with it, redo it with --overwrite, or choose another OUTPUT")
        raise SetupError(
            f"OUTPUT {output} was made with a different recipe ({saved}); one OUTPUT holds one recipe. "
            f"What differs (OUTPUT -> this run):\n{listed}\nTo "+advice
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
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always", RunNotice)
            for modality in self.options.only:
                if present[modality]:
                    self._check_backend(modality, present[modality])
        self._say_notices(said)
        return planned

    def _say_notices(self, said: list[warnings.WarningMessage]) -> None:
        """Keep the run notices for run.json and show each once per OUTPUT; pass other warnings on."""
        previous = read_run_state(self.output) or {}
        known = set(previous.get("notices") or ()) if not self.options.dry_run else set()
        for message in said:
            if not issubclass(message.category, RunNotice):
                warnings.warn_explicit(message.message, message.category, message.filename, message.lineno)
                continue
            text = str(message.message)
            if text not in self.notices:
                self.notices.append(text)
                if text not in known:
                    warnings.warn_explicit(message.message, message.category, message.filename, message.lineno)

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
        name_max = _name_max(self.output)
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
                elif len(os.fsencode(PurePosixPath(out.rel_output).name)) > name_max:
                    size = len(os.fsencode(PurePosixPath(out.rel_output).name))
                    yield replace(decided, status="error",
                                  error=f"name too long: the output's name would be {size} bytes, and the file "
                                        f"system allows {name_max}; shorten the source's name")
                elif o.include_originals and (other := self._collision(entry.rel, out)) is not None:
                    yield replace(decided, status="error", error=other)
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

    def _collision(self, rel_source: str, out: PlannedOutput) -> str | None:
        """Why ``out`` cannot be written when originals are copied too, or None.

        ``x_aug1.png`` in INPUT is copied to ``x_aug1.png``, which is also where
        copy 1 of ``x.png`` goes: neither may silently win, so both fail.
        """
        if out.copy:
            if (self.input / out.rel_output).is_file():
                return (f"collides with INPUT's own {out.rel_output}, whose original copy goes to the same "
                        f"place; rename one of them")
            return None
        path = PurePosixPath(rel_source)
        found = _COPY_NAME.fullmatch(path.stem)
        if found is None:
            return None
        other = str(path.with_name(found.group(1) + path.suffix))
        if not (self.input / other).is_file():
            return None
        copies = [o.copy for o in self.planner.outputs_for(Entry(str(self.input / other), other)).outputs]
        if int(found.group(2)) not in copies:
            return None
        return f"collides with copy {found.group(2)} of {other}, which goes to the same place; rename one of them"

    def _run(self) -> Generator[FileResult, None, None]:
        if self.options.dry_run:
            # Nothing is written, so no lock: the plan's results are the answer.
            for item in self._plan():
                if isinstance(item, FileResult):  # always: a dry run stages no task
                    self.summary.add(item)
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
        state = RunState(self.storage, self._state_record(), notices=self.notices)
        ending, error = "interrupted", None
        try:
            state.start()
            self.storage.clean_temporaries(skip=str(self.input))
            compact(self.output / MANIFEST_NAME, self.output, self._renamed)
            if self.options.overwrite:
                prune(self.output / MANIFEST_NAME, self.output, self._not_planned)
            # The dataset documents itself: rerunning with this file rebuilds the same bytes.
            self.storage.write_text(RECIPE_NAME, self.recipe.to_toml())
            with ManifestWriter(self.output / MANIFEST_NAME) as manifest:
                for result in self._executor().run(self._plan()):
                    if result.status in ("ok", "error"):
                        # The line goes first: an output that exists always has one.
                        manifest.write(self._record(result))
                    if result.temp is not None and result.output is not None:
                        self.storage.commit(result.temp, result.output)
                        result = result.committed()
                    self.summary.add(result)
                    yield result
            compact(self.output / MANIFEST_NAME, self.output)
            ending = "finished"
        except (KeyboardInterrupt, GeneratorExit):
            raise  # "interrupted": rerunning resumes
        except BaseException as exc:
            ending, error = "failed", f"{type(exc).__name__}: {exc}"
            raise
        finally:
            try:
                counts = {m: dict(sorted(c.items())) for m, c in sorted(self.summary.counts.items())}
                state.finish(ending, counts, self.summary.exit_code if ending == "finished" else None, error)
            finally:
                lock.release()

    def _executor(self) -> Executor:
        if self.options.dask is None:
            return executor_for(self.options.workers)
        from augment.run.dask_executor import DaskExecutor

        return DaskExecutor(self.options.dask, self.options.workers, shared=[str(self.input), str(self.output)])

    def _state_record(self) -> dict[str, Any]:
        """What run.json says of this run besides its state."""
        o = self.options
        return {
            "augment_dir": __version__,
            "input": str(self.input),
            "output": str(self.output),
            "seed": o.seed,
            "copies": o.copies,
            "recipe": self.fingerprint,
            "recipe_source": self.recipe.source,
            "arguments": {"copies": o.copies, "seed": o.seed, "workers": o.workers, "only": list(o.only),
                          "include_originals": o.include_originals, "overwrite": o.overwrite,
                          "dask": o.dask if o.dask is None or isinstance(o.dask, str) else "a distributed.Client"},
        }

    def _not_planned(self, record: dict[str, Any]) -> bool:
        """Whether a manifest line names an output this run would not make (``--overwrite`` removes it).

        Outputs of modalities the run leaves out (``only``) stay, whatever they are.
        """
        modality, source = record.get("modality"), record.get("source")
        if modality is not None and modality not in self.options.only:
            return False
        if not isinstance(source, str):
            return True
        path = self.input / source
        if not path.is_file() or (self.exclude is not None and path.is_relative_to(self.exclude)):
            return True  # the source is gone from INPUT
        planned = {out.copy: out.rel_output for out in self.planner.outputs_for(Entry(str(path), source)).outputs}
        copy = record.get("copy")
        return not isinstance(copy, int) or planned.get(copy) != record["output"]

    def _record(self, result: FileResult) -> dict[str, Any]:
        """The manifest line of ``result``: its fields, with the recipe's fingerprint after the seed."""
        record: dict[str, Any] = {}
        for key, value in result.manifest_record().items():
            record[key] = value
            if key == "seed":
                record["recipe"] = self.fingerprint
        return record


def _name_max(folder: Path) -> int:
    """The longest file name (in bytes) the file system under ``folder`` (or its nearest existing parent) takes."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):  # not known here: the common limit
        return 255


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
    if in_worker_start_up():
        # A worker process importing a script that calls us at its top level
        # (only when the guard check below could not tell): leave quietly; the
        # run that started it stops with one error that says what to do.
        raise SystemExit(2)
    options = resolve(**arguments)
    spawns = options.dask == "local" or (options.dask is None and options.workers > 1)
    if spawns and unguarded_script_call():
        warnings.warn(UnguardedScriptWarning(
            "this script calls augment-dir at its top level, outside `if __name__ == \"__main__\":`, and each "
            "worker process would import it and start the run again; running in this process instead "
            "(same bytes). Put the call under the guard to use worker processes."), stacklevel=2)
        options = replace(options, workers=1, dask=None)
    return AugmentRun(input, output, options)


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
    summary = run.summary
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=run.planned, unit="file", dynamic_ncols=True, smoothing=0.1)
    try:
        for result in run:
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
