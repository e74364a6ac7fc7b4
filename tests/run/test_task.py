"""Tests for augment.run.task: one task -> one staged file or a per-file error, never an exception."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from augment.core.notices import RunNotice
from augment.run.task import FileResult, Task, run_task, worker_init

import fake_backend


def _task(tmp_path, data, copy=1, backend=fake_backend.TARGET):
    source = tmp_path / "in.fake"
    source.write_bytes(data)
    return Task(str(source), str(tmp_path / ".000000000000000a.augtmp"), "in.fake",
                "in_aug1.fake", "fake", backend, copy, 5 if copy else None, {"ops": [{"op": "Xor"}]})


def test_an_augmented_copy_is_staged_with_its_params(tmp_path):
    task = _task(tmp_path, b"hello")
    result = run_task(task)
    assert result.status == "ok" and result.temp == task.temp and result.seed == 5
    assert result.params["ops"][0]["op"] == "Xor"
    staged = Path(task.temp).read_bytes()
    assert len(staged) == 5 and staged != b"hello"
    assert run_task(task).params == result.params and Path(task.temp).read_bytes() == staged


def test_an_original_is_copied_byte_for_byte(tmp_path):
    task = _task(tmp_path, b"BAD but copied", copy=0, backend=None)
    result = run_task(task)
    assert result.status == "ok" and result.params == {"original": True} and result.seed is None
    assert Path(task.temp).read_bytes() == b"BAD but copied"


def test_bad_input_is_an_error_result_and_leaves_no_file(tmp_path):
    task = _task(tmp_path, b"BAD input")
    result = run_task(task)
    assert result.status == "error" and result.error == "a fake file that says it is bad"
    assert result.temp is None and not os.path.exists(task.temp)


def test_manifest_record_and_committed_drop_the_temporary():
    result = FileResult("a.fake", "a_aug1.fake", "fake", 1, 3, "ok", {"ops": []}, temp="/tmp/.t")
    assert "temp" not in result.manifest_record()
    assert result.committed().temp is None and result.committed().params == {"ops": []}


def test_workers_ignore_run_notices():
    with warnings.catch_warnings():
        worker_init()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("ignore", RunNotice)  # what worker_init set, kept inside this block
            warnings.warn(RunNotice("said once by the run"), stacklevel=1)
        assert seen == []
