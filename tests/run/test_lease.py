"""Tests for augment.run.lease: one run per OUTPUT in a store, through a lock object with a lease."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from augment.run.lease import Lease, LeaseHeld, LeaseLost, _machine
from augment.run.remote import Store


@pytest.fixture
def lock(s3):
    bucket = s3.bucket()
    return s3, bucket, "out/.augment-dir.lock"


def _lease(bucket, key, seconds=60.0):
    return Lease(Store.of("s3").filesystem(), f"{bucket}/{key}", f"s3://{bucket}/{key}", seconds)


def _body(s3, bucket, key):
    return json.loads(s3.read(bucket, key))


def _write(s3, bucket, key, **fields):
    record = {"run": "other", "host": "elsewhere", "pid": 4242, "started": "2026-01-01T00:00:00Z",
              "lease_seconds": 60, **fields}
    s3.client.put_object(Bucket=bucket, Key=key, Body=json.dumps(record).encode())


def test_a_held_lease_refuses_another_run_until_released(lock):
    s3, bucket, key = lock
    first = _lease(bucket, key)
    first.acquire()
    try:
        body = _body(s3, bucket, key)
        assert body["pid"] == os.getpid() and body["expires"] > time.time() + 50 and body["lease_seconds"] == 60
        with pytest.raises(LeaseHeld, match=r"held by process \d+ on .* whose lease runs until 20\d\d-.*Z; wait"):
            _lease(bucket, key).acquire()
        assert first.held
    finally:
        first.release()
    assert s3.keys(bucket, "out") == []  # released: the lock object is gone
    second = _lease(bucket, key)
    second.acquire()
    second.release()


def test_the_lease_is_renewed_while_the_run_lives(lock):
    s3, bucket, key = lock
    lease = _lease(bucket, key, seconds=1.2)
    lease.acquire()
    try:
        first = _body(s3, bucket, key)["expires"]
        time.sleep(1.0)  # a renewal every 0.3 s
        renewed = _body(s3, bucket, key)["expires"]
        assert renewed > first
        lease.check()  # still ours
    finally:
        lease.release()


def test_an_expired_lease_is_taken_over(lock):
    s3, bucket, key = lock
    _write(s3, bucket, key, expires=time.time() - 60)
    lease = _lease(bucket, key)
    lease.acquire()
    try:
        assert _body(s3, bucket, key)["pid"] == os.getpid()
    finally:
        lease.release()
    _write(s3, bucket, key, expires=time.time() + 2)  # within the clock-skew allowance: still valid
    with pytest.raises(LeaseHeld):
        _lease(bucket, key).acquire()


def test_a_dead_holder_on_this_machine_is_taken_over_at_once_a_live_one_is_not(lock):
    s3, bucket, key = lock
    here = _machine()
    if "boot" not in here or "pidns" not in here:
        pytest.skip("this system does not say its boot id and PID namespace")  # not Linux
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _write(s3, bucket, key, expires=time.time() + 3600, pid=gone.pid, **here)
    lease = _lease(bucket, key)
    lease.acquire()
    lease.release()
    _write(s3, bucket, key, expires=time.time() + 3600, pid=os.getpid(), **here)
    with pytest.raises(LeaseHeld, match=f"held by process {os.getpid()}"):
        _lease(bucket, key).acquire()


def test_two_runs_racing_for_one_lock_cannot_both_win(lock):
    s3, bucket, key = lock
    leases = [_lease(bucket, key) for _ in range(4)]
    won, lost = [], []
    start = threading.Barrier(len(leases))

    def take(lease):
        start.wait()
        try:
            lease.acquire()
            won.append(lease)
        except LeaseHeld:
            lost.append(lease)

    threads = [threading.Thread(target=take, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert len(won) == 1 and len(lost) == 3
    finally:
        for lease in won:
            lease.release()


def test_a_run_whose_lease_was_taken_over_learns_it_and_leaves_the_lock_alone(lock):
    s3, bucket, key = lock
    lease = _lease(bucket, key)
    lease.acquire()
    _write(s3, bucket, key, expires=time.time() + 3600, run="thief")
    lease.renew()
    assert not lease.held
    with pytest.raises(LeaseLost, match="another run took over .*; it stopped"):
        lease.check()
    lease.release()
    assert _body(s3, bucket, key)["run"] == "thief"  # not ours to remove


def test_a_store_without_conditional_writes_reads_the_lock_back():
    fs = Store.of("memory").filesystem()
    path = "/lease-test/out/.augment-dir.lock"
    first = Lease(fs, path, f"memory://{path}", 60)
    first.acquire()
    try:
        with pytest.raises(LeaseHeld):
            Lease(fs, path, f"memory://{path}", 60).acquire()
        first.renew()
        assert first.held
        fs.pipe_file(path, json.dumps({"run": "thief", "expires": time.time() + 60}).encode())
        first.renew()
        assert not first.held
    finally:
        first.release()
    assert json.loads(fs.cat_file(path))["run"] == "thief"
    fs.pipe_file(path, json.dumps({"run": "old", "expires": time.time() - 60}).encode())
    taker = Lease(fs, path, f"memory://{path}", 60)
    taker.acquire()
    taker.release()
    assert not fs.exists(path)


def test_on_a_store_that_writes_in_place_the_lock_is_written_by_rename(tmp_path):
    fs = Store.of("local").filesystem()
    path = f"{tmp_path}/.augment-dir.lock"
    lease = Lease(fs, path, f"local://{path}", 60, atomic_put=False)
    lease.acquire()
    try:
        lease.renew()
        assert lease.held and json.loads((tmp_path / ".augment-dir.lock").read_text())["pid"] == os.getpid()
        assert [p.name for p in tmp_path.iterdir()] == [".augment-dir.lock"]  # no temporary left
        with pytest.raises(LeaseHeld):
            Lease(fs, path, f"local://{path}", 60, atomic_put=False).acquire()
    finally:
        lease.release()
    assert list(tmp_path.iterdir()) == []
