"""What a source file becomes: its outputs' names, copy numbers and seeds.

:meth:`Planner.outputs_for` is the one place that decides this; the run's
pre-flight count and the run itself both use it, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from augment.core.registry import modality_for
from augment.core.seeding import derive_seed
from augment.run.options import RunOptions
from augment.run.walk import Entry

__all__ = ["PlannedOutput", "Planner", "SourcePlan", "output_name"]


def output_name(rel_source: str, copy: int) -> str:
    """The relative output path of copy ``copy`` of ``rel_source``.

    ``cat/001.jpg`` -> ``cat/001_aug1.jpg``; copy 0 is the original's own path.
    """
    if copy == 0:
        return rel_source
    path = PurePosixPath(rel_source)
    return str(path.with_name(f"{path.stem}_aug{copy}{path.suffix}"))


@dataclass(frozen=True)
class PlannedOutput:
    """One output of a source: copy 0 is the original copied as it is."""

    copy: int
    rel_output: str
    seed: int | None


@dataclass(frozen=True)
class SourcePlan:
    """What one source becomes.

    Attributes:
        entry: The source, as the walk found it.
        modality: The modality its extension names (None: unsupported).
        rule: The recipe rule that takes it (1-based), or None.
        outputs: Its outputs, originals first.
        status: "unsupported", "excluded" or "error" (a folder the walk could
            not list, a FIFO...) when no augmented copy is planned (the run
            reports the source itself once), else None.
    """

    entry: Entry
    modality: str | None
    rule: int | None
    outputs: tuple[PlannedOutput, ...]
    status: str | None

    @property
    def results(self) -> int:
        """How many results the run yields for this source."""
        return len(self.outputs) + (self.status is not None)


class Planner:
    """Decides every source's outputs from the run's options and recipe."""

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.recipe = options.recipe

    def outputs_for(self, entry: Entry) -> SourcePlan:
        """The plan of one source."""
        o = self.options
        modality = None if entry.folder else modality_for(entry.rel)
        if entry.problem and modality is None:
            # Reported once, not passed over: a folder it cannot list, a FIFO, a link loop no output names.
            return SourcePlan(entry, None, None, (), "error")
        rule = self.recipe.rule_for(entry.rel) if self.recipe.has_rules else None
        augmented = 0
        if modality in o.only:
            rule_copies = self.recipe.copies_for(rule)
            augmented = o.copies if rule_copies is None else rule_copies
        first = 0 if o.include_originals else 1
        outputs = tuple(
            PlannedOutput(copy, output_name(entry.rel, copy), derive_seed(o.seed, entry.rel, copy) if copy else None)
            for copy in range(first, augmented + 1)
        )
        status = None if augmented else ("unsupported" if modality is None else "excluded")
        return SourcePlan(entry, modality, rule, outputs, status)
