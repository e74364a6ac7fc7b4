"""What a run did, counted by modality and status, and said in a few lines."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from augment.core.registry import modalities
from augment.run.manifest import MANIFEST_NAME
from augment.run.task import FileResult

__all__ = ["RunSummary"]

# How many failed sources a summary lists by name; the manifest has them all.
SUMMARY_FAILURES = 10

_STATUS_WORDS = {"ok": "written", "planned": "would write", "error": "failed",
                 "skipped": "skipped", "unsupported": "unsupported", "excluded": "excluded"}


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
        """Outputs written by this run."""
        return self.total("ok")

    @property
    def failed(self) -> int:
        """Outputs that failed."""
        return self.total("error")

    @property
    def skipped(self) -> int:
        """Outputs already there from an earlier run."""
        return self.total("skipped")

    @property
    def unsupported(self) -> int:
        """Sources no backend handles."""
        return self.total("unsupported")

    @property
    def exit_code(self) -> int:
        """0 when every output was made (or already there), 1 when some failed."""
        return 1 if self.failed else 0

    @property
    def files_per_second(self) -> float:
        """Outputs written or failed per second of the run."""
        done = self.written + self.failed
        return done / self.elapsed if self.elapsed > 0 else 0.0

    def describe(self) -> str:
        """A human summary: totals, per-modality counts, failures."""
        if "://" in self.output:  # a URL (s3://...), which a Path would mangle
            manifest = f"{self.output.rstrip('/')}/{MANIFEST_NAME}"
        else:
            manifest = str(Path(self.output, MANIFEST_NAME))
        verb = "would write" if self.dry_run else "written"
        head = (
            f"{self.total('planned') if self.dry_run else self.written} {verb}, "
            f"{self.skipped} skipped (already done), {self.failed} failed, "
            f"{self.unsupported} unsupported"
        )
        if self.total("excluded"):
            head += f", {self.total('excluded')} excluded (by --only, or a rule with copies = 0)"
        head += f" in {self.elapsed:.1f} s"
        if self.written + self.failed and self.elapsed >= 0.1:  # a rate over nothing (or no time) means nothing
            head += f" ({self.files_per_second:.1f} files/s)"
        where = "would go to" if self.dry_run else "in"
        lines = [head, f"output {where} {self.output}" + ("" if self.dry_run else
                                                         " (run.json says whether it finished)")]
        for modality in (*modalities(), "other"):
            counts = self.counts.get(modality)
            if counts:
                parts = ", ".join(f"{n} {_STATUS_WORDS.get(s, s)}" for s, n in sorted(counts.items()))
                lines.append(f"  {modality}: {parts}")
        if self.failures:
            lines.append("failed files:")
            lines.extend(f"  {source}: {reason}" for source, reason in self.failures.items())
            listed = len(self.failures)
            if self.failed > listed:
                lines.append(f"  ({self.failed} failed outputs in all: every one is in {manifest} "
                             "with \"status\": \"error\")")
        return "\n".join(lines)
