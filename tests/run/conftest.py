"""Fixtures for the run tests: a real S3 API (a moto server on loopback) reached through s3fs."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# Dummy credentials: the moto server takes any. A test that a secret never leaks looks for these.
ACCESS_KEY = "AKIAMOTOTESTKEY00001"
SECRET_KEY = "moto-test-secret-4f9c2b7e0d"
RUN_FILES = ("manifest.jsonl", "recipe.toml", "run.json")


@dataclass
class S3Server:
    """A moto server: its endpoint and a boto3 client for the tests' own reads and writes."""

    endpoint: str
    client: Any
    log: Path
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY

    def bucket(self) -> str:
        """A new empty bucket (a fresh name per test: tests never share one)."""
        name = f"t-{uuid.uuid4().hex[:16]}"
        self.client.create_bucket(Bucket=name)
        return name

    def upload_tree(self, root: Path, bucket: str, prefix: str) -> None:
        """Put every file under ``root`` at ``prefix/<relative path>``."""
        for path in sorted(root.rglob("*")):
            if path.is_file():
                self.client.put_object(Bucket=bucket, Key=f"{prefix}/{path.relative_to(root).as_posix()}",
                                       Body=path.read_bytes())

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every key under ``prefix/`` (relative to it), in key order."""
        start = f"{prefix}/" if prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=start)
        return [item["Key"][len(start):] for page in pages for item in page.get("Contents", ())]

    def read(self, bucket: str, key: str) -> bytes:
        """The bytes of one object."""
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def digest(self, bucket: str, prefix: str) -> dict[str, str]:
        """rel key -> sha256 of every visible object but a run's files (like conftest.tree_digest)."""
        out = {}
        for rel in self.keys(bucket, prefix):
            if not any(part.startswith(".") for part in rel.split("/")) and rel not in RUN_FILES:
                out[rel] = hashlib.sha256(self.read(bucket, f"{prefix}/{rel}")).hexdigest()
        return out

    def manifest_lines(self, bucket: str, prefix: str) -> list[str]:
        """The lines of OUTPUT's manifest.jsonl, sorted."""
        return sorted(self.read(bucket, f"{prefix}/manifest.jsonl").decode("utf-8").splitlines())

    def run_state(self, bucket: str, prefix: str) -> dict[str, Any]:
        """OUTPUT's run.json."""
        return json.loads(self.read(bucket, f"{prefix}/run.json"))


# The moto server, started so that it ends with the test session however the session ends.
_SERVER = """
import os, sys, threading, time
parent = os.getppid()
def watch():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(sys.argv[1:])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3(tmp_path_factory):
    """A moto S3 server on a free loopback port, for the session; the AWS environment points at it.

    The server is a process of its own (moto's ``moto.server``), so worker
    processes and CLI subprocesses reach it just as they would reach S3:
    through ``AWS_ENDPOINT_URL`` and the credentials set here. Nothing leaves
    the machine: the AWS config files are emptied and instance metadata is off.
    """
    import boto3

    port = _free_port()
    log = tmp_path_factory.mktemp("moto") / "requests.log"
    with open(log, "wb") as sink:
        server = subprocess.Popen([sys.executable, "-c", _SERVER, "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=sink)
    endpoint = f"http://127.0.0.1:{port}"
    env = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    saved = {name: os.environ.get(name) for name in (*env, "AWS_PROFILE", "AWS_SESSION_TOKEN")}
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(env)
    client = boto3.client("s3")
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                client.list_buckets()
                break
            except Exception:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the moto server did not start: {log.read_text(errors='replace')}") from None
                time.sleep(0.05)
        yield S3Server(endpoint, client, log)
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
