"""Stream a folder into an augmented mirror: walk -> plan -> execute -> manifest -> commit.

The pipeline knows nothing about any backend library: it plans one
:class:`~augment.run.task.Task` per output, hands the tasks to an executor,
records each result in the manifest and only then commits the output.

Promises kept here (see DESIGN.md): exactly N outputs per source named after
it; seeds derived from (seed, relative path, copy) so any ``workers`` gives the
same bytes; nothing half-written; a rerun resumes; one lock per OUTPUT.

INPUT and OUTPUT may also be fsspec URLs (:mod:`augment.run.remote`): INPUT is
then walked by listings, OUTPUT is a :class:`~augment.run.storage.RemoteStorage`
held by a lease (:mod:`augment.run.lease`) with a checkpointed manifest
(:class:`~augment.run.manifest.CheckpointedManifest`). Local paths take the
same path as before, untouched.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from augment import __version__
from augment.core.files import discard
from augment.core.notices import RunNotice
from augment.core.registry import augmenter_class, backend, install_hint, missing_modules
from augment.run.execute import Executor, executor_for, in_worker_start_up, unguarded_script_call
from augment.run.lease import lease_seconds
from augment.run.manifest import (
    MANIFEST_NAME,
    CheckpointedManifest,
    LocalManifest,
    checkpoint_seconds,
    first_lines,
    foreign,
    has_records,
    remote_first_lines,
    remote_has_records,
)
from augment.run.options import RunArguments, RunOptions, SetupError, resolve
from augment.run.plan import PlannedOutput, Planner
from augment.run.recipe import RECIPE_NAME, Recipe, RecipeError, RecipeWarning, differences
from augment.run.remote import (
    IN_PROCESS_STORES,
    Location,
    StoreError,
    is_folder,
    is_object,
    locate,
    redact,
    scrub,
)
from augment.run.state import RUN_STATE_NAME, RunState, read_run_state
from augment.run.storage import LocalStorage, RemoteStorage, Storage
from augment.run.summary import RunSummary
from augment.run.task import FileResult, Task
from augment.run.walk import Entry, LocalTree, StoreTree, Tree

if TYPE_CHECKING:
    from typing_extensions import Unpack  # typing.Unpack from Python 3.11

__all__ = ["LOCK_NAME", "AugmentRun", "FileResult", "OutputUnwritable", "RunSummary", "SetupError",
           "UnguardedScriptWarning", "augment_dir", "iter_augment"]

LOCK_NAME = ".augment-dir.lock"
# Files of the run itself, which no original may be copied over.
_RUN_FILES = (MANIFEST_NAME, RECIPE_NAME, RUN_STATE_NAME)
# An output's stem: "<source stem>_aug<k>".
_COPY_NAME = re.compile(r"(.+)_aug([1-9][0-9]*)")
# How many differences a refusal lists.
_DIFFERENCES_SHOWN = 8
# Outputs per worker process below which another process costs more than it saves:
# starting one takes 0.3 s or more (3 s with TensorFlow), an output 10-50 ms.
OUTPUTS_PER_WORKER = 16


class OutputUnwritable(SetupError):
    """OUTPUT on disk could not be written (full, read-only, failing): the run stopped cleanly."""


class UnguardedScriptWarning(UserWarning):
    """A script calls a run at its top level without the ``__main__`` guard; it runs in-process."""


class AugmentRun(Iterator[FileResult]):
    """One checked run over INPUT -> OUTPUT; iterate it to run it.

    Everything is checked (and INPUT pre-scanned) when it is built, so a
    :class:`SetupError` comes before any file is written. The lock on OUTPUT
    is taken when iteration starts and released when it ends; OUTPUT/run.json
    says ``running`` meanwhile and how the run ended afterwards.

    Attributes:
        input: The INPUT folder (real path), or its URL when it is in a store.
        output: The OUTPUT folder (real path), or its URL when it is in a store.
        options: The resolved options.
        planned: How many results iterating yields.
        summary: The results so far, counted.
        notices: What the backends said once for this run (e.g. a fallback tagger).
    """

    def __init__(self, input: str | os.PathLike[str], output: str | os.PathLike[str], options: RunOptions) -> None:
        self.options = options
        source = locate(input, "INPUT", options.storage_options)
        target = locate(output, "OUTPUT", options.storage_options)
        self.source, self.target = source, target
        self._secrets = [*(source.store.secrets() if source.store else ()),
                         *(target.store.secrets() if target.store else ())]
        if source.store is None and target.store is None:
            self._local_folders(input, output)
        else:
            self._store_folders(source, target)
        self.recipe = options.recipe
        self.fingerprint = self.recipe.fingerprint
        self.planner = Planner(options)
        self._configs: dict[tuple[str, int | None], dict[str, Any]] = {}
        self.summary = RunSummary(str(self.input), str(self.output), dry_run=options.dry_run)
        self.notices: list[str] = []
        self._renamed: dict[str, str] = {}
        self._case_twins: dict[str, dict[str, str]] = {}
        self._check_output_recipe(output)
        self.planned = self._preflight()
        self._results: Generator[FileResult, None, None] = self._run()

    def __next__(self) -> FileResult:
        return next(self._results)

    def _local_folders(self, input: str | os.PathLike[str], output: str | os.PathLike[str]) -> None:
        """Check INPUT and OUTPUT on the local file system (the fast path)."""
        src, out = Path(os.path.realpath(input)), Path(os.path.realpath(output))
        if not src.exists():
            raise SetupError(f"INPUT {input} does not exist")
        if not src.is_dir():
            raise SetupError(f"INPUT {input} is not a folder")
        if out == src:
            raise SetupError(f"OUTPUT {output} is INPUT itself; choose another folder (inputs are never modified)")
        if src.is_relative_to(out):
            raise SetupError(f"OUTPUT {output} contains INPUT {input}; choose an OUTPUT outside INPUT")
        if out.exists() and not out.is_dir():
            raise SetupError(f"OUTPUT {output} exists and is not a folder")
        try:
            with os.scandir(src):
                pass
        except OSError as exc:
            raise SetupError(f"INPUT {input} cannot be read ({exc.strerror or exc}); check its permissions "
                             f"(the run needs to list and read it)") from None
        _refuse_unwritable_output(out, output)
        _refuse_linked_run_files(out, output)
        self.input: Path | str = src
        self.output: Path | str = out
        self.exclude = out if out.is_relative_to(src) else None
        self.tree: Tree = LocalTree(src, self.exclude)
        self.storage: Storage = LocalStorage(out)

    def _store_folders(self, source: Location, target: Location) -> None:
        """Check INPUT and OUTPUT when either is in a store (a listing or two; nothing is written)."""
        self.input = Path(source.path) if source.store is None else source.text
        self.output = Path(target.path) if target.store is None else target.text
        self.exclude = None  # OUTPUT inside INPUT is the store walk's to leave out
        o = self.options
        if source.store is not None and target.store is not None and source.store.protocol != \
                target.store.protocol and o.storage_options:
            raise SetupError(
                f"storage options apply to INPUT and OUTPUT alike, and these are in different stores "
                f"({source.store.protocol}, {target.store.protocol}); give each store its own by its standard "
                f"means (its environment or profile, or fsspec's configuration: FSSPEC_<PROTOCOL>_<OPTION> "
                f"variables or ~/.config/fsspec/)"
            )
        for where in (source, target):
            if where.store is not None and where.store.protocol in IN_PROCESS_STORES and (o.workers > 1 or o.dask):
                if o.workers_given or o.dask:
                    raise SetupError(f"{where.text} lives in this process's memory, which worker processes cannot "
                                     f"see; run it with workers=1 (-j 1) and no Dask")
                self.options = o = replace(o, workers=1)
        if target.contains(source):
            if source.path == target.path:
                raise SetupError(f"OUTPUT {target.text} is INPUT itself; choose another folder "
                                 f"(inputs are never modified)")
            raise SetupError(f"OUTPUT {target.text} contains INPUT {source.text}; choose an OUTPUT outside INPUT")
        inside = source.contains(target)
        if source.store is None:
            if not os.path.exists(source.path):
                raise SetupError(f"INPUT {source.text} does not exist")
            if not os.path.isdir(source.path):
                raise SetupError(f"INPUT {source.text} is not a folder")
            self.tree = LocalTree(Path(source.path))
        else:
            self._check_store_input(source)
            self.tree = StoreTree(source, target if inside else None)
        if target.store is None:
            if os.path.exists(target.path) and not os.path.isdir(target.path):
                raise SetupError(f"OUTPUT {target.text} exists and is not a folder")
            _refuse_linked_run_files(Path(target.path), target.text)
            self.storage = LocalStorage(target.path)
        else:
            try:
                is_file = is_object(target.store.filesystem(), target.path)
            except Exception as exc:
                raise SetupError(self._unreachable("OUTPUT", target, exc)) from None
            if is_file:
                raise SetupError(f"OUTPUT {target.text} exists and is not a folder (an object has that name)")
            checkpoint_seconds(), lease_seconds()  # their settings are checked now, before anything is written
            self.storage = RemoteStorage(target)

    def _unreachable(self, what: str, where: Location, exc: BaseException) -> str:
        reason = scrub(f"{type(exc).__name__}: {exc}", self._secrets)
        return (f"cannot reach {what} {where.text} ({reason}); check the credentials and endpoint (for S3: the "
                f"AWS environment or profile, AWS_ENDPOINT_URL) or --storage-options")

    def _check_store_input(self, source: Location) -> None:
        assert source.store is not None
        fs = source.store.filesystem()
        try:
            if is_folder(fs, source.path):
                return
            is_file = fs.isfile(source.path)
        except Exception as exc:
            raise SetupError(self._unreachable("INPUT", source, exc)) from None
        if is_file:
            raise SetupError(f"INPUT {source.text} is not a folder")
        raise SetupError(f"INPUT {source.text} does not exist (nothing is stored under it)")

    def close(self) -> None:
        """Stop the run early (the lock is released, staged files are removed)."""
        self._results.close()

    def _saved_recipe(self) -> Recipe | None:
        """The recipe OUTPUT was made with, or None when it has none.

        Raises:
            RecipeError: It cannot be read.
            SetupError: OUTPUT's store cannot be reached.
        """
        if isinstance(self.storage, LocalStorage):
            saved = self.storage.path(RECIPE_NAME)
            return Recipe.from_toml(saved, check=False) if saved.exists() else None
        assert isinstance(self.storage, RemoteStorage)
        url = self.storage.url(RECIPE_NAME)
        try:
            data = self.storage.read_bytes(RECIPE_NAME)
        except StoreError as exc:
            raise SetupError(f"{exc}; check the credentials and endpoint, or --storage-options") from None
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RecipeError(f"{url}: not UTF-8 text (byte offset {exc.start}); TOML files are UTF-8") from None
        return Recipe.loads(text, url, check=False)

    def _has_records(self) -> bool:
        if isinstance(self.storage, LocalStorage):
            return has_records(self.storage.path(MANIFEST_NAME))
        assert isinstance(self.storage, RemoteStorage)
        try:
            return remote_has_records(self.storage)
        except StoreError as exc:
            raise SetupError(str(exc)) from None

    def _refuse_foreign_manifest(self, output: str | os.PathLike[str]) -> None:
        """Refuse an OUTPUT whose manifest.jsonl another tool wrote (even with --overwrite: it is not ours)."""
        if isinstance(self.storage, RemoteStorage):
            try:
                first = remote_first_lines(self.storage)
            except StoreError as exc:
                raise SetupError(str(exc)) from None
            shown = self.storage.url(MANIFEST_NAME)
        else:
            shown = str(Path(self.output, MANIFEST_NAME))
            first = first_lines(shown)
        reason = foreign(first)
        if reason is not None:
            raise SetupError(
                f"OUTPUT {output} holds a {MANIFEST_NAME} that augment-dir did not write ({shown}: {reason}); "
                f"a run keeps its own {MANIFEST_NAME} there and would replace it: move that file, or choose "
                f"another OUTPUT")

    def _check_output_recipe(self, output: str | os.PathLike[str]) -> None:
        """Refuse to add to an OUTPUT made with another recipe (unless overwriting), saying what differs."""
        self._refuse_foreign_manifest(output)
        if self.options.overwrite:
            return
        if isinstance(self.storage, RemoteStorage):
            output, saved = self.target.text, self.storage.url(RECIPE_NAME)
        else:
            saved = str(Path(self.output, RECIPE_NAME))
        try:
            previous = self._saved_recipe()
        except RecipeError as exc:
            raise SetupError(f"OUTPUT holds a recipe.toml that cannot be read ({exc}); "
                             "use --overwrite to redo OUTPUT with this run's recipe") from None
        if previous is None:
            if self._has_records():
                raise SetupError(
                    f"OUTPUT {output} holds outputs (a manifest) but no {RECIPE_NAME}, so nothing says which "
                    f"recipe made them; redo it with --overwrite, or choose another OUTPUT"
                )
            return
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
        # On a file system that ignores case, outputs named alike but for case are one file: found here,
        # where every output is planned once, so that each of them fails (none silently wins).
        names: dict[str, dict[str, str]] | None = {} if self.storage.case_insensitive else None
        for entry in self.tree.walk():
            plan = self.planner.outputs_for(entry)
            present[plan.modality or "other"] += 1
            rule_hits[plan.rule] += 1
            planned += plan.results
            if names is not None:
                for out in plan.outputs:
                    names.setdefault(out.rel_output.casefold(), {}).setdefault(out.rel_output, entry.rel)
        if names:
            self._case_twins = {key: twins for key, twins in names.items() if len(twins) > 1}
        del names
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
        previous = read_run_state(self.storage if isinstance(self.storage, RemoteStorage) else self.output) or {}
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
        source_store, output_store = self.source.store, self.target.store
        for entry in self.tree.walk():
            plan = self.planner.outputs_for(entry)
            modality = plan.modality
            for out in plan.outputs:
                decided = FileResult(entry.rel, out.rel_output, modality, out.copy, out.seed, "planned")
                if entry.problem:
                    yield replace(decided, status="error", error=entry.problem)
                elif out.copy == 0 and out.rel_output in _RUN_FILES:
                    yield replace(decided, status="error",
                                  error=f"an original cannot be copied over the run's {out.rel_output}")
                elif (too_long := self.storage.too_long(out.rel_output)) is not None:
                    yield replace(decided, status="error", error=too_long)
                elif (linked := self.storage.through_link(out.rel_output)) is not None:
                    yield replace(decided, status="error", error=linked)
                elif (twin := self._case_twin(out.rel_output)) is not None:
                    yield replace(decided, status="error", error=twin)
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
                               modality, target, out.copy, out.seed, config, source_store, output_store,
                               self.target.join(out.rel_output) if output_store is not None else None,
                               link=o.link_originals and out.copy == 0)
            if plan.status is not None:
                yield FileResult(entry.rel, None, modality, None, None, plan.status,
                                 error=entry.problem if plan.status == "error" else None)

    def _case_twin(self, rel_output: str) -> str | None:
        """Why ``rel_output`` cannot be written: another output is the same name but for case, here; or None."""
        twins = self._case_twins.get(rel_output.casefold()) if self._case_twins else None
        if twins is None:
            return None
        others = ", ".join(f"{name} (from {source})" for name, source in twins.items() if name != rel_output)
        return (f"OUTPUT's file system ignores case, so this output and {others} would be one file; "
                f"rename one of the sources")

    def _collision(self, rel_source: str, out: PlannedOutput) -> str | None:
        """Why ``out`` cannot be written when originals are copied too, or None.

        ``x_aug1.png`` in INPUT is copied to ``x_aug1.png``, which is also where
        copy 1 of ``x.png`` goes: neither may silently win, so both fail.
        """
        if out.copy:
            if self.tree.is_file(out.rel_output):
                return (f"collides with INPUT's own {out.rel_output}, whose original copy goes to the same "
                        f"place; rename one of them")
            return None
        path = PurePosixPath(rel_source)
        found = _COPY_NAME.fullmatch(path.stem)
        if found is None:
            return None
        other = str(path.with_name(found.group(1) + path.suffix))
        if not self.tree.is_file(other):
            return None
        copies = [o.copy for o in self.planner.outputs_for(Entry(self.tree.path(other), other)).outputs]
        if int(found.group(2)) not in copies:
            return None
        return f"collides with copy {found.group(2)} of {other}, which goes to the same place; rename one of them"

    def _run(self) -> Generator[FileResult, None, None]:
        if self.options.dry_run:
            # Nothing is written, so no lock: the plan's results are the answer.
            read = self._manifest_for_dry_run()
            try:
                for item in self._plan():
                    if isinstance(item, FileResult):  # always: a dry run stages no task
                        self.summary.add(item)
                        yield item
            finally:
                if read is not None:
                    read.close()
            return
        manifest: LocalManifest | CheckpointedManifest
        if isinstance(self.storage, RemoteStorage):
            manifest = CheckpointedManifest(self.storage)
        else:
            manifest = LocalManifest(self.output)
        try:
            release = self._hold_output()
        except BaseException:
            manifest.close()  # nothing of OUTPUT's was touched; only the local working copy goes
            raise
        state = RunState(self.storage, self._state_record(), notices=self.notices)
        ending, error = "interrupted", None
        in_hand: FileResult | None = None  # a result taken from the executor, its file not yet in place
        try:
            with self._writing_output("prepare"):
                state.start()
                self.storage.clean_temporaries(skip=str(self.input))
                manifest.prepare(self._renamed, self._not_planned if self.options.overwrite else None)
                if isinstance(manifest, LocalManifest) and isinstance(self.storage, LocalStorage):
                    self.storage.recorded = manifest.recorded
                # The dataset documents itself: rerunning with this file rebuilds the same bytes.
                self.storage.write_text(RECIPE_NAME, self.recipe.to_toml())
            with manifest.writer() as writer:
                for result in self._executor().run(self._plan()):
                    in_hand = result
                    self.storage.check()  # in a store: stop at once if another run took OUTPUT over
                    if result.status in ("ok", "error"):
                        # The line goes first: an output that exists always has one.
                        try:
                            with self._writing_output("record"):
                                writer.write(self._record(result))
                        except OutputUnwritable:
                            if result.temp is not None:
                                discard(result.temp)  # no line, so never in place
                            raise
                    if result.temp is not None and result.output is not None:
                        self.storage.commit(result.temp, result.output)
                        result = result.committed()
                    in_hand = None
                    self.summary.add(result)
                    yield result
            manifest.finish()
            ending = "finished"
        except (KeyboardInterrupt, GeneratorExit):
            if in_hand is not None:
                self.storage.discard(in_hand.temp)  # stopped before its rename: made again next time
            raise  # "interrupted": rerunning resumes
        except BaseException as exc:
            ending, error = "failed", f"{type(exc).__name__}: {exc}"
            if self.source.remote or self.target.remote:
                error = scrub(error, self._secrets)
            raise
        finally:
            try:
                manifest.close()
                counts = {m: dict(sorted(c.items())) for m, c in sorted(self.summary.counts.items())}
                if self.storage.owned:  # a run that lost OUTPUT to another says nothing there any more
                    try:
                        with self._writing_output("finish"):
                            state.finish(ending, counts, self.summary.exit_code if ending == "finished" else None,
                                         error)
                    except (StoreError, OutputUnwritable):
                        # The store or disk is failing: run.json still says "running", which no reader trusts.
                        # A run that ended otherwise says why already; a finished one says this.
                        if ending == "finished":
                            raise
            finally:
                release()

    @contextmanager
    def _writing_output(self, step: str) -> Iterator[None]:
        """Turn a local OUTPUT that cannot be written (full, read-only, failing) into one clear error."""
        try:
            yield
        except OSError as exc:
            # A store's failure says so itself; filelock's Timeout (an OSError) is another run's lock.
            if isinstance(exc, (StoreError, TimeoutError)) or not isinstance(self.output, Path):
                raise
            reason = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
            if step == "prepare":
                raise OutputUnwritable(f"OUTPUT {self.output} cannot be written ({reason}); nothing was "
                                       f"augmented: free space or fix the folder, then run again") from None
            if step == "finish":
                raise OutputUnwritable(f"OUTPUT {self.output}: every output is written, but {RUN_STATE_NAME} "
                                       f"cannot be ({reason}): free space, then rerun the same command to "
                                       f"mark the run finished") from None
            raise OutputUnwritable(
                f"OUTPUT {self.output}: writing {MANIFEST_NAME} failed ({reason}); the run stopped with every "
                f"finished output recorded and nothing half-written: free space or fix the folder, then rerun "
                f"the same command to resume") from None

    def _manifest_for_dry_run(self) -> CheckpointedManifest | None:
        """In a store, which outputs are done is the manifest's to say: read it (and list OUTPUT once)."""
        if not isinstance(self.storage, RemoteStorage):
            return None
        manifest = CheckpointedManifest(self.storage)
        try:
            self.storage.done = manifest.done()
        except BaseException:
            manifest.close()
            raise
        finally:
            self.storage.forget_listing()
        return manifest

    def _hold_output(self) -> Callable[[], None]:
        """Take OUTPUT for this run (a lock file, or a lease in a store); return what gives it back.

        Raises:
            SetupError: Another run holds OUTPUT, or the store refuses the lock.
        """
        if isinstance(self.storage, RemoteStorage):
            from augment.run.lease import LeaseHeld

            try:
                self.storage.acquire()
            except (LeaseHeld, StoreError) as exc:
                raise SetupError(str(exc)) from None
            return self.storage.release
        from filelock import FileLock, Timeout

        assert isinstance(self.output, Path)
        lock = FileLock(self.output / LOCK_NAME, timeout=0)
        try:
            with self._writing_output("prepare"):
                self.output.mkdir(parents=True, exist_ok=True)
                lock.acquire()
        except Timeout:
            raise SetupError(
                f"another augment-dir run is writing to {self.output} (it holds {self.output / LOCK_NAME}); "
                "wait for it to finish"
            ) from None
        return lock.release

    @property
    def worker_processes(self) -> int:
        """How many processes augment (1: this one). Without -j a small run starts none it cannot keep busy."""
        workers = self.options.workers
        if self.options.workers_given:
            return workers
        return min(workers, max(1, self.planned // OUTPUTS_PER_WORKER))

    def _executor(self) -> Executor:
        if self.options.dask is None:
            return executor_for(self.worker_processes)
        from augment.run.dask_executor import DaskExecutor

        return DaskExecutor(self.options.dask, self.options.workers,
                            shared=[where.path for where in (self.source, self.target) if where.store is None],
                            stores=[where for where in (self.source, self.target) if where.store is not None])

    def _state_record(self) -> dict[str, Any]:
        """What run.json says of this run besides its state."""
        o = self.options
        record: dict[str, Any] = {
            "augment_dir": __version__,
            "input": str(self.input),
            "output": str(self.output),
            "seed": o.seed,
            "copies": o.copies,
            "recipe": self.fingerprint,
            "recipe_source": self.recipe.source,
            "arguments": {"copies": o.copies, "seed": o.seed, "workers": o.workers, "only": list(o.only),
                          "include_originals": o.include_originals, "link_originals": o.link_originals,
                          "overwrite": o.overwrite,
                          "dask": o.dask if o.dask is None or isinstance(o.dask, str) else "a distributed.Client"},
        }
        if o.storage_options is not None:
            record["arguments"]["storage_options"] = redact(o.storage_options)
        return record

    def _not_planned(self, record: dict[str, Any]) -> bool:
        """Whether a manifest line names an output this run would not make (``--overwrite`` removes it).

        Outputs of modalities the run leaves out (``only``) stay, whatever they are.
        """
        modality, source = record.get("modality"), record.get("source")
        if modality is not None and modality not in self.options.only:
            return False
        if not isinstance(source, str):
            return True
        if not self.tree.is_file(source):
            return True  # the source is gone from INPUT
        planned = {out.copy: out.rel_output
                   for out in self.planner.outputs_for(Entry(self.tree.path(source), source)).outputs}
        copy = record.get("copy")
        return not isinstance(copy, int) or planned.get(copy) != record["output"]

    def _record(self, result: FileResult) -> dict[str, Any]:
        """The manifest line of ``result``: its fields, with the recipe's fingerprint after the seed."""
        record: dict[str, Any] = {}
        for key, value in result.manifest_record().items():
            record[key] = value
            if key == "seed":
                record["recipe"] = self.fingerprint
        if record.get("error") and (self.source.remote or self.target.remote):
            record["error"] = scrub(record["error"], self._secrets)
        return record


def _refuse_unwritable_output(out: Path, shown: str | os.PathLike[str]) -> None:
    """SetupError if the local OUTPUT ``out`` cannot be created or written, naming the folder in the way.

    Asked before anything is written (the run would otherwise fail at its
    first file); what only writing can tell (a full disk) is caught where the
    run writes its first files (:meth:`AugmentRun._run`).
    """
    existing = out
    while not existing.exists() and existing != existing.parent:
        if existing.is_symlink():
            raise SetupError(f"OUTPUT {shown} cannot be created: {existing} is a broken symbolic link")
        existing = existing.parent
    if not existing.is_dir():
        raise SetupError(f"OUTPUT {shown} cannot be created: {existing} is a file, not a folder; "
                         f"choose another OUTPUT")
    what = "OUTPUT" if existing == out else f"its parent {existing}"
    try:
        read_only = bool(os.statvfs(existing).f_flag & os.ST_RDONLY)
    except OSError:
        read_only = False
    if read_only:
        raise SetupError(f"OUTPUT {shown} cannot be written: {what} is on a read-only file system; "
                         f"choose another OUTPUT")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise SetupError(f"OUTPUT {shown} cannot be written: {what} is not writable by this user "
                         f"(Permission denied); choose another OUTPUT or change its permissions")


def _refuse_linked_run_files(out: Path, shown: str | os.PathLike[str]) -> None:
    """SetupError if a run file in the local OUTPUT ``out`` is a symbolic link (a run never writes through one)."""
    for name in (*_RUN_FILES, LOCK_NAME):
        if (out / name).is_symlink():
            raise SetupError(
                f"OUTPUT {shown}: {name} is a symbolic link (to {os.readlink(out / name)}); a run writes its "
                f"own {name} in OUTPUT, never through a link: remove the link, or choose another OUTPUT")


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
