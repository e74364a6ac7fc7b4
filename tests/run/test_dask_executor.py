"""Tests for augment.run.dask_executor: a real Dask LocalCluster with process workers, several threads each."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster

import augment
from augment.run.dask_executor import DaskExecutor, _batches
from augment.run.options import SetupError
from augment.run.remote import locate
from augment.run.task import FileResult, Task

import fake_backend
from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))


@pytest.fixture(scope="module")
def client():
    """One cluster for the module: two process workers with two threads each (as `dask worker` defaults)."""
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture
def fake():
    fake_backend.install()
    yield {"only": ["fake"]}
    fake_backend.remove()


def _manifest_lines(out):
    return sorted((out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())


def _fake_tree(root, count):
    for i in range(count):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:03d}.fake").write_bytes(bytes((i * 7 + k) % 256 for k in range(64)))
    return root


def test_batches_group_tasks_and_pass_results_through():
    task = Task("s", "t", "r", "o", "fake", fake_backend.TARGET, 1, 1)
    done = FileResult("x.md", None, None, None, None, "unsupported")
    items = list(_batches([task, task, done, task, task, task], size=2))
    assert [len(i) if isinstance(i, list) else i.status for i in items] == [2, "unsupported", 2, 1]


def test_multithreaded_workers_give_the_bytes_of_one_process(tmp_path, client, fake):
    src = _fake_tree(tmp_path / "in", 60)
    local = augment.augment_dir(src, tmp_path / "local", copies=2, workers=1, **fake)
    dask = augment.augment_dir(src, tmp_path / "dask", copies=2, dask=client, **fake)
    assert local.written == dask.written == 120 and dask.exit_code == 0
    assert tree_digest(tmp_path / "dask") == tree_digest(tmp_path / "local")
    assert _manifest_lines(tmp_path / "dask") == _manifest_lines(tmp_path / "local")
    state = json.loads((tmp_path / "dask" / "run.json").read_text())
    assert state["state"] == "finished" and state["arguments"]["dask"] == "a distributed.Client"


def test_real_backends_through_the_cluster_equal_two_local_workers(tmp_path, client):
    src = tmp_path / "in"
    for i in range(4):
        write_text(src / "t" / f"{i}.txt", SENTENCES[i] + "\n")
        write_image(src / "i" / f"{i}.png", seed=i)
        write_audio(src / "a" / f"{i}.wav", subtype="FLOAT", freq=300 + 50 * i)
    augment.augment_dir(src, tmp_path / "j2", copies=2, workers=2)
    summary = augment.augment_dir(src, tmp_path / "dask", copies=2, dask=client)
    assert summary.written == 24 and summary.failed == 0
    assert tree_digest(tmp_path / "dask") == tree_digest(tmp_path / "j2")
    assert _manifest_lines(tmp_path / "dask") == _manifest_lines(tmp_path / "j2")


def test_a_worker_killed_mid_run_is_replaced_and_the_run_finishes(tmp_path, client, fake):
    src = _fake_tree(tmp_path / "in", 80)
    slow = tmp_path / "slow.toml"
    slow.write_text("[fake]\ndelay = 0.02\n")
    augment.augment_dir(src, tmp_path / "local", copies=2, workers=1, recipe=slow, **fake)
    pids = client.run(os.getpid)
    victim = next(iter(pids.values()))
    manifest = tmp_path / "dask" / "manifest.jsonl"

    def kill_when_started():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 20):
            time.sleep(0.01)
        os.kill(victim, signal.SIGKILL)

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    summary = augment.augment_dir(src, tmp_path / "dask", copies=2, dask=client, recipe=slow, **fake)
    killer.join()
    assert summary.exit_code == 0 and summary.written == 160, summary.describe()
    assert tree_digest(tmp_path / "dask") == tree_digest(tmp_path / "local")
    assert _manifest_lines(tmp_path / "dask") == _manifest_lines(tmp_path / "local")
    assert victim not in client.run(os.getpid).values()
    client.wait_for_workers(2, timeout=60)


def test_an_s3_run_through_the_cluster_equals_the_local_run(tmp_path, client, fake, s3):
    src = _fake_tree(tmp_path / "in", 40)
    augment.augment_dir(src, tmp_path / "local", copies=2, workers=1, **fake)
    bucket = s3.bucket()
    s3.upload_tree(src, bucket, "in")
    # The workers were started before this test set the AWS environment: the storage options reach them.
    options = {"endpoint_url": s3.endpoint, "key": s3.access_key, "secret": s3.secret_key}
    summary = augment.augment_dir(f"s3://{bucket}/in", f"s3://{bucket}/out", copies=2, dask=client,
                                  storage_options=options, **fake)
    assert summary.written == 80 and summary.exit_code == 0
    assert s3.digest(bucket, "out") == tree_digest(tmp_path / "local")
    assert s3.manifest_lines(bucket, "out") == _manifest_lines(tmp_path / "local")
    # Nothing listens on port 9: no retries, so the refusal comes at once.
    unreachable = {**options, "endpoint_url": "http://127.0.0.1:9", "retries": 1,
                   "config_kwargs": {"retries": {"max_attempts": 1}}}
    executor = DaskExecutor(client, 2, stores=[locate(f"s3://{bucket}/out", "OUTPUT", unreachable)])
    with pytest.raises(SetupError, match=f"cannot reach s3://{bucket}/out .*credentials") as info:
        list(executor.run([]))
    assert s3.secret_key not in str(info.value)


def test_workers_that_cannot_see_input_are_a_setup_error(tmp_path, client):
    executor = DaskExecutor(client, 2, shared=[str(tmp_path), str(tmp_path / "not-on-the-workers")])
    with pytest.raises(SetupError, match="cannot see .*not-on-the-workers.*shared file system"):
        list(executor.run([]))


@pytest.mark.parametrize("value, message", [("tcp://", "scheduler address"), ("not an address", "scheduler address"),
                                            (42, "an address, \"local\" or a distributed.Client")])
def test_a_bad_dask_value_is_a_setup_error(tmp_path, value, message):
    write_text(tmp_path / "in" / "a.txt", SENTENCES[0] + "\n")
    with pytest.raises(SetupError, match=message):
        augment.augment_dir(tmp_path / "in", tmp_path / "out", dask=value)


def test_an_unreachable_scheduler_is_exit_2_with_the_address(tmp_path):
    write_text(tmp_path / "in" / "a.txt", SENTENCES[0] + "\n")
    proc = subprocess.run([SCRIPT, str(tmp_path / "in"), str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:9"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_dask_local_equals_one_process_and_leaves_no_process(tmp_path):
    psutil = pytest.importorskip("psutil")
    src = tmp_path / "in"
    for i in range(6):
        write_text(src / f"{i}.txt", SENTENCES[i % 4] + "\n")
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    proc = subprocess.run([SCRIPT, str(src), str(tmp_path / "dask"), "-n", "2", "--dask", "local", "-j", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr  # a cluster the run makes is closed quietly
    subprocess.run([SCRIPT, str(src), str(tmp_path / "one"), "-n", "2", "-j", "1", "-q"], check=True)
    assert tree_digest(tmp_path / "dask") == tree_digest(tmp_path / "one")
    time.sleep(1)
    assert {p.pid for p in psutil.Process().children(recursive=True)} - before == set()
