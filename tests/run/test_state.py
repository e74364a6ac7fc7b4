"""Tests for augment.run.state: run.json written whole at the start and end of a run, read back safely."""

from __future__ import annotations

import json

from augment.run.remote import locate
from augment.run.state import RunState, read_run_state
from augment.run.storage import LocalStorage, RemoteStorage


def test_run_json_is_written_at_start_and_end_and_read_back(tmp_path):
    state = RunState(LocalStorage(tmp_path), {"seed": 1}, notices=["a notice"])
    state.start()
    assert read_run_state(tmp_path)["state"] == "running"
    state.finish("finished", {"fake": {"ok": 2}}, 0)
    saved = read_run_state(tmp_path)
    assert saved["state"] == "finished" and saved["counts"] == {"fake": {"ok": 2}} and saved["notices"] == ["a notice"]
    assert list(saved)[:3] == ["seed", "format", "state"]
    (tmp_path / "run.json").write_text("not json")
    assert read_run_state(tmp_path) is None and read_run_state(tmp_path / "none") is None


def test_run_json_in_a_store():
    storage = RemoteStorage(locate("memory://state-test/out", "OUTPUT"))
    try:
        assert read_run_state(storage) is None
        RunState(storage, {"input": "s3://bucket/in"}).start()
        assert read_run_state(storage)["input"] == "s3://bucket/in"
        storage.write_text("run.json", json.dumps([1, 2]))
        assert read_run_state(storage) is None
    finally:
        storage.fs.rm("/state-test", recursive=True)
