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


def test_a_source_is_read_once_for_its_consecutive_copies_when_its_backend_allows(tmp_path):
    fake_backend.SharedReadFakeAugmenter.reads = 0
    first = _task(tmp_path, b"hello", backend=fake_backend.SHARED_READ_TARGET)
    second = Task(**{**first.__dict__, "copy": 2, "seed": 6, "rel_output": "in_aug2.fake"})
    outputs = []
    for task in (first, second):
        assert run_task(task).status == "ok"
        outputs.append(Path(task.temp).read_bytes())
    assert fake_backend.SharedReadFakeAugmenter.reads == 1 and outputs[0] != outputs[1]
    # The same copies from a fresh read give the same bytes.
    unshared = [_task(tmp_path, b"hello"), Task(**{**_task(tmp_path, b"hello").__dict__, "copy": 2, "seed": 6})]
    assert [(run_task(t), Path(t.temp).read_bytes())[1] for t in unshared] == outputs
    # A changed source is read again.
    (tmp_path / "in.fake").write_bytes(b"hello, again")
    assert run_task(first).status == "ok" and fake_backend.SharedReadFakeAugmenter.reads == 2
    assert len(Path(first.temp).read_bytes()) == len(b"hello, again")
    # A backend that does not declare it reads every time.
    assert fake_backend.FakeAugmenter.reads_are_shareable is False


def test_workers_are_marked_so_backends_keep_native_libraries_to_one_thread():
    import augment.core.parallel as parallel

    try:
        with warnings.catch_warnings():
            worker_init()
        assert parallel.is_worker_process()
    finally:
        parallel._worker = False


def test_workers_ignore_run_notices():
    with warnings.catch_warnings():
        worker_init()
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("ignore", RunNotice)  # what worker_init set, kept inside this block
            warnings.warn(RunNotice("said once by the run"), stacklevel=1)
        assert seen == []


def test_a_task_with_stores_downloads_makes_and_uploads_its_output_whole(tmp_path):
    from augment.run.remote import Store

    store = Store.of("memory")
    fs = store.filesystem()
    fs.pipe_file("/task-test/in/in.fake", b"hello from a store")
    try:
        local = run_task(_task(tmp_path, b"hello from a store"))
        task = Task("/task-test/in/in.fake", "", "in.fake", "in_aug1.fake", "fake", fake_backend.TARGET, 1, 5,
                    {"ops": [{"op": "Xor"}]}, store, store, "/task-test/out/in_aug1.fake")
        result = run_task(task)
        assert result.status == "ok" and result.temp is None and result.params == local.params
        assert fs.cat_file("/task-test/out/in_aug1.fake") == Path(local.temp).read_bytes()
        # To a local file from a store: staged locally, for the run to commit.
        down = Task("/task-test/in/in.fake", str(tmp_path / ".000000000000000b.augtmp"), "in.fake", "in_aug1.fake",
                    "fake", fake_backend.TARGET, 1, 5, {"ops": [{"op": "Xor"}]}, store, None, None)
        assert run_task(down).temp == down.temp and Path(down.temp).read_bytes() == Path(local.temp).read_bytes()
        original = Task("/task-test/in/in.fake", "", "in.fake", "in.fake", "fake", None, 0, None, {}, store, store,
                        "/task-test/out/in.fake")
        assert run_task(original).params == {"original": True}
        assert fs.cat_file("/task-test/out/in.fake") == b"hello from a store"
    finally:
        fs.rm("/task-test", recursive=True)


def test_a_failed_transfer_is_a_per_file_error_without_secrets(tmp_path):
    from augment.run.remote import Store

    store = Store.of("memory", {"secret_token": "s3cr3t-v4lue"})
    task = Task("/task-test/missing.fake", "", "missing.fake", "missing_aug1.fake", "fake", fake_backend.TARGET, 1,
                5, {}, store, store, "/task-test/out/missing_aug1.fake")
    result = run_task(task)
    assert result.status == "error" and "FileNotFoundError" in result.error and result.temp is None
    assert "s3cr3t-v4lue" not in repr(task) and "s3cr3t-v4lue" not in result.error
