"""Tests for augment.run.execute: in-process and process-pool executors give the same results."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
from PIL import Image

from augment.core.registry import backend
from augment.run import execute
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


# -- the pipelined in-process run: read ahead, write behind -------------------------------------------

IMAGE = backend("image").target


def _image_sources(folder: Path) -> list[Path]:
    """Photos of a few sizes and formats, a broken one, and one too big for its rule's max_pixels."""
    folder.mkdir()
    rng = np.random.default_rng(7)
    paths = []
    for i, (width, height, ext) in enumerate([(64, 48, "jpg"), (40, 30, "png"), (64, 48, "jpg"), (33, 21, "webp"),
                                              (48, 64, "jpg"), (2100, 2000, "jpg")]):
        path = folder / f"p{i}.{ext}"
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(path)
        paths.append(path)
    (folder / "broken.jpg").write_bytes(paths[0].read_bytes()[:200])
    paths.insert(3, folder / "broken.jpg")
    return paths


def _image_plan(sources: list[Path], staging: Path) -> list[Task | FileResult]:
    staging.mkdir()
    items: list[Task | FileResult] = []
    for i, source in enumerate(sources):
        config = {"max_pixels": 1000} if i == 2 else {}
        for copy in (0, 1, 2):
            items.append(Task(str(source), str(staging / f".{i:04x}{copy}.augtmp"), source.name,
                              f"{source.stem}_{copy}{source.suffix}", "image", IMAGE, copy,
                              None if copy == 0 else 1000 * i + copy, config))
        items.append(FileResult(f"n{i}.md", None, None, None, None, "unsupported"))
    return items


def _outcome(results: list[FileResult]) -> list[tuple]:
    return [(r.source, r.output, r.status, r.params, r.error, r.temp and Path(r.temp).name,
             r.temp and Path(r.temp).read_bytes()) for r in results]


def test_the_pipelined_run_gives_the_plain_runs_results_bytes_and_order(tmp_path):
    sources = _image_sources(tmp_path / "in")
    plain = list(InProcessExecutor(pipelined=False).run(_image_plan(sources, tmp_path / "plain")))
    threads: set[str] = set()
    pipelined = []
    for result in InProcessExecutor(pipelined=True).run(_image_plan(sources, tmp_path / "piped")):
        threads |= {thread.name.rsplit("_", 1)[0] for thread in threading.enumerate()}
        pipelined.append(result)
    assert {"augment-dir-read", "augment-dir-write"} <= threads  # it really ran pipelined
    assert _outcome(pipelined) == _outcome(plain)
    statuses = [r.status for r in plain]
    assert statuses.count("ok") == 17 and statuses.count("error") == 4  # two copies each: broken, too big
    assert any("above the limit of 1000 pixels" in (r.error or "") for r in plain)
    assert any("Truncated File Read" in (r.error or "") for r in plain)


def test_a_source_changed_after_its_read_ahead_is_read_again(tmp_path, monkeypatch):
    sources = _image_sources(tmp_path / "in")
    replacement = Image.fromarray(np.full((30, 50, 3), 90, np.uint8))
    started = []
    real_read_ahead = execute.read_ahead

    def read_ahead_then_change(task, background):
        real_read_ahead(task, background)
        started.append(task.source)
        if task.source == str(sources[1]):
            replacement.save(sources[1])  # read ahead (header at least) by now, not yet augmented

    with monkeypatch.context() as patch:
        patch.setattr(execute, "read_ahead", read_ahead_then_change)
        first = list(InProcessExecutor(pipelined=True).run(_image_plan(sources, tmp_path / "a")))
    assert str(sources[1]) in started
    again = list(InProcessExecutor(pipelined=False).run(_image_plan(sources, tmp_path / "b")))
    assert _outcome(first) == _outcome(again)
    changed = [r for r in first if r.source == sources[1].name and r.copy]
    assert len(changed) == 2
    for result in changed:
        with Image.open(result.temp) as out:
            assert out.size == (50, 30)  # the new picture's, not the one read ahead


def test_stopping_a_pipelined_run_early_leaves_only_the_files_of_results_taken(tmp_path):
    sources = _image_sources(tmp_path / "in")
    results = InProcessExecutor(pipelined=True).run(_image_plan(sources, tmp_path / "staged"))
    taken = [next(results) for _ in range(3)]  # p0's original and two copies; p1's are made or under way
    results.close()
    assert [r.status for r in taken] == ["ok", "ok", "ok"]
    assert sorted(p.name for p in (tmp_path / "staged").iterdir()) == sorted(Path(r.temp).name for r in taken)
    assert not [t for t in threading.enumerate() if t.name.startswith("augment-dir-")]


def test_a_one_file_run_starts_no_thread(tmp_path):
    sources = _image_sources(tmp_path / "in")[:1]
    plan = [item for item in _image_plan(sources, tmp_path / "staged") if isinstance(item, Task) and item.copy == 1]
    before = set(threading.enumerate())
    results = InProcessExecutor(pipelined=True).run(plan)
    result = next(results)
    assert set(threading.enumerate()) == before
    assert result.status == "ok" and Path(result.temp).stat().st_size > 0
    assert list(results) == []
