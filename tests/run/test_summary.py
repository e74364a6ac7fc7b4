"""Tests for augment.run.summary: counts, exit code and the human summary."""

from __future__ import annotations

from augment.run.summary import SUMMARY_FAILURES, RunSummary
from augment.run.task import FileResult


def _result(source, status, modality="image", error=None):
    return FileResult(source, source, modality, 1, 1, status, error=error)


def test_counts_exit_code_and_description():
    summary = RunSummary("in", "out", elapsed=2.0)
    for result in [_result("a.jpg", "ok"), _result("b.jpg", "ok"), _result("c.txt", "skipped", "text"),
                   _result("d.wav", "error", "audio", "broken header"), _result("e.md", "unsupported", None)]:
        summary.add(result)
    assert (summary.written, summary.skipped, summary.failed, summary.unsupported) == (2, 1, 1, 1)
    assert summary.exit_code == 1 and summary.files_per_second == 1.5
    text = summary.describe()
    assert text.splitlines()[0].startswith("2 written, 1 skipped (already done), 1 failed, 1 unsupported in 2.0 s")
    assert text.splitlines()[1] == "output in out (run.json says whether it finished)"
    assert "  image: 2 written" in text and "  other: 1 unsupported" in text and "  d.wav: broken header" in text


def test_only_the_first_failures_are_named():
    summary = RunSummary("in", "out")
    for i in range(SUMMARY_FAILURES + 5):
        summary.add(_result(f"{i}.jpg", "error", error="bad"))
    assert len(summary.failures) == SUMMARY_FAILURES
    assert f"({SUMMARY_FAILURES + 5} failed outputs in all" in summary.describe()


def test_no_rate_when_nothing_was_done():
    summary = RunSummary("in", "out", elapsed=3.0)
    summary.add(_result("a.jpg", "skipped"))
    assert summary.describe().splitlines()[0] == "0 written, 1 skipped (already done), 0 failed, 0 unsupported in 3.0 s"


def test_a_store_output_is_named_by_its_url():
    summary = RunSummary("s3://bucket/in", "s3://bucket/out", elapsed=1.0)
    for i in range(SUMMARY_FAILURES + 1):
        summary.add(_result(f"{i}.jpg", "error", error="bad"))
    assert "every one is in s3://bucket/out/manifest.jsonl" in summary.describe()
