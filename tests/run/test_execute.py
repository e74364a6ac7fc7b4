"""Tests for augment.run.execute: in-process and process-pool executors give the same results."""

from __future__ import annotations

import os
from pathlib import Path

from augment.run.execute import InProcessExecutor, ProcessPoolTaskExecutor, executor_for
from augment.run.task import FileResult, Task

import fake_backend


def _plan(tmp_path, count=6):
    items = []
    for i in range(count):
        source = tmp_path / f"s{i}.fake"
        source.write_bytes(bytes(range(i, i + 16)))
        items.append(Task(str(source), str(tmp_path / f".{i:016x}.augtmp"), f"s{i}.fake",
                          f"s{i}_aug1.fake", "fake", fake_backend.TARGET, 1, 100 + i, {}))
        items.append(FileResult(f"n{i}.md", None, None, None, None, "unsupported"))
    return items


def test_executor_for():
    assert isinstance(executor_for(1), InProcessExecutor)
    assert isinstance(executor_for(2), ProcessPoolTaskExecutor) and executor_for(2).workers == 2


def test_in_process_and_pool_give_the_same_results_and_bytes(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one = list(InProcessExecutor().run(_plan(tmp_path / "one")))
    staged_one = {os.path.basename(r.temp): Path(r.temp).read_bytes() for r in one if r.temp}
    two = list(ProcessPoolTaskExecutor(2).run(_plan(tmp_path / "two")))
    staged_two = {os.path.basename(r.temp): Path(r.temp).read_bytes() for r in two if r.temp}
    assert [r.status for r in one].count("ok") == 6 and len(one) == len(two) == 12
    assert staged_one == staged_two
    assert sorted((r.source, r.status, r.params and r.params["ops"]) for r in one) == \
        sorted((r.source, r.status, r.params and r.params["ops"]) for r in two)


def test_stopping_early_removes_staged_files_of_unreceived_results(tmp_path):
    plan = _plan(tmp_path, count=8)
    results = ProcessPoolTaskExecutor(2).run(plan)
    first = next(r for r in results if r.status == "ok")
    results.close()
    staged = [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert [p.name for p in staged] == [os.path.basename(first.temp)]
