"""Tests for augment.run.pipeline with INPUT and OUTPUT in a store: a real S3 API (moto on loopback) through s3fs.

Every run here is compared with the same run on local folders: the outputs
byte for byte, the manifests as sets of lines.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import augment
from augment.run.lease import LeaseLost
from augment.run.manifest import PARTS_FOLDER
from augment.run.options import SetupError
from augment.run.recipe import Recipe

import fake_backend
from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text


@pytest.fixture
def fake():
    fake_backend.install()
    yield {"only": ["fake"]}
    fake_backend.remove()


def _fake_tree(root, count=40):
    for i in range(count):
        folder = root / ("a" if i % 2 else "b/deep")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:02d}.fake").write_bytes(bytes((i * 7 + k) % 256 for k in range(48)))
    return root


def _local_lines(out):
    return sorted((out / "manifest.jsonl").read_text(encoding="utf-8").splitlines())


def _local_run(tmp_path, src, name="local", **options):
    augment.augment_dir(src, tmp_path / name, **options)
    return tree_digest(tmp_path / name), _local_lines(tmp_path / name)


def _requests(s3, since):
    """The request lines the moto server logged after byte ``since`` of its log (without werkzeug's colours)."""
    with open(s3.log, "rb") as fh:
        fh.seek(since)
        text = re.sub(r"\x1b\[[0-9;]*m", "", fh.read().decode("utf-8", "replace"))
    return [line for line in text.splitlines() if '"' in line]


def test_s3_to_s3_equals_the_local_run_and_resume_lists_each_prefix_once(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in")
    bucket = s3.bucket()
    s3.upload_tree(src, bucket, "train")
    inputs = {key: s3.client.head_object(Bucket=bucket, Key=f"train/{key}")["ETag"] for key in s3.keys(bucket, "train")}
    options = {"copies": 2, "seed": 7, "workers": 2, **fake}
    digest, lines = _local_run(tmp_path, src, **options)
    summary = augment.augment_dir(f"s3://{bucket}/train", f"s3://{bucket}/train-aug", **options)
    assert summary.written == 80 and summary.exit_code == 0
    assert s3.digest(bucket, "train-aug") == digest and len(digest) == 80
    assert s3.manifest_lines(bucket, "train-aug") == lines
    state = s3.run_state(bucket, "train-aug")
    assert state["state"] == "finished" and state["input"] == f"s3://{bucket}/train"
    assert state["output"] == f"s3://{bucket}/train-aug"
    # Nothing but outputs and the run's three files is left: no lock, no checkpoint, no temporary.
    assert sorted(set(s3.keys(bucket, "train-aug")) - set(digest)) == ["manifest.jsonl", "recipe.toml", "run.json"]
    assert {key: s3.client.head_object(Bucket=bucket, Key=f"train/{key}")["ETag"]
            for key in s3.keys(bucket, "train")} == inputs  # inputs untouched

    since = s3.log.stat().st_size
    again = augment.augment_dir(f"s3://{bucket}/train", f"s3://{bucket}/train-aug", **options)
    assert again.skipped == 80 and again.written == 0
    requests = _requests(s3, since)
    output_lists = [r for r in requests if "list-type=2" in r and "prefix=train-aug" in r]
    assert len(output_lists) == 1  # OUTPUT: one listing of its prefix (80 keys: one page)
    input_lists = [r for r in requests if "list-type=2" in r and "prefix=train/" in r]
    # INPUT: each of its four prefixes (train/, train/a/, train/b/, train/b/deep/) once per walk; two walks
    # (the count before the run, the run), plus one request for one key that says INPUT is a folder.
    assert len(input_lists) == 2 * 4 + 1
    per_object = [r for r in requests if ("HEAD" in r or "GET" in r) and "/train-aug/" in r]
    # No request for any output: only the run's own files are read.
    assert {r.split("/train-aug/")[1].split(" ")[0] for r in per_object} == {"recipe.toml", "run.json",
                                                                            "manifest.jsonl"}
    assert s3.manifest_lines(bucket, "train-aug") == lines


def test_local_to_s3_and_s3_to_local_equal_the_local_run(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=8)
    (src / "notes.md").write_text("not data")
    (src / "a" / "bad.fake").write_bytes(b"BAD input")
    options = {"copies": 2, "workers": 1, "include_originals": True, **fake}
    digest, lines = _local_run(tmp_path, src, **options)
    bucket = s3.bucket()
    up = augment.augment_dir(src, f"s3://{bucket}/up", **options)
    assert up.failed == 2 and up.written == 8 * 3 + 2
    assert s3.digest(bucket, "up") == digest and s3.manifest_lines(bucket, "up") == lines
    s3.upload_tree(src, bucket, "src")
    down = augment.augment_dir(f"s3://{bucket}/src", tmp_path / "down", **options)
    assert down.written == up.written
    assert tree_digest(tmp_path / "down") == digest and _local_lines(tmp_path / "down") == lines
    # s3 -> s3 with originals: each original is a copy inside the store.
    augment.augment_dir(f"s3://{bucket}/src", f"s3://{bucket}/both", **options)
    assert s3.digest(bucket, "both") == digest and s3.manifest_lines(bucket, "both") == lines


def test_the_command_writes_to_s3_the_bytes_it_writes_locally(tmp_path, s3):
    src = tmp_path / "in"
    write_audio(src / "yes" / "y1.wav")
    write_audio(src / "no" / "n1.flac", channels=2)
    bucket = s3.bucket()
    augment.augment_dir(src, tmp_path / "local", copies=2, workers=1, only=["audio"])
    script = os.path.join(os.path.dirname(sys.executable), "augment-dir")
    proc = subprocess.run([script, src, f"s3://{bucket}/out", "-n", "2", "-j", "1", "--only", "audio"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"output in s3://{bucket}/out (run.json says whether it finished)" in proc.stderr
    assert s3.digest(bucket, "out") == tree_digest(tmp_path / "local")
    assert s3.manifest_lines(bucket, "out") == _local_lines(tmp_path / "local")


def test_real_backends_through_s3_give_the_local_bytes(tmp_path, s3):
    src = tmp_path / "in"
    write_image(src / "img" / "cat 1.png", seed=3)
    write_image(src / "img" / "dog.jpg", seed=4)
    write_text(src / "txt" / "a.txt", SENTENCES[0] + "\n")
    write_audio(src / "wav" / "y.wav")
    # A character-level text op: no WordNet to load, and still nlpaug's own draws.
    recipe = Recipe.from_dict({"text": {"ops": [{"op": "RandomCharAug"}]}})
    options = {"copies": 2, "seed": 11, "workers": 1, "recipe": recipe}
    digest, lines = _local_run(tmp_path, src, **options)
    bucket = s3.bucket()
    s3.upload_tree(src, bucket, "in")
    augment.augment_dir(f"s3://{bucket}/in", f"s3://{bucket}/out", **options)
    assert s3.digest(bucket, "out") == digest and len(digest) == 8
    assert s3.manifest_lines(bucket, "out") == lines


def _slow_recipe(tmp_path, delay=0.03):
    recipe = tmp_path / "slow.toml"
    recipe.write_text(f"[fake]\ndelay = {delay}\n")
    return recipe


def _cli(args, env=None):
    """A real augment-dir process (the CLI's main), with the fake backend registered."""
    script = textwrap.dedent(f"""
        import sys, fake_backend
        from augment.cli import main
        fake_backend.install()
        sys.exit(main({[str(a) for a in args]!r}))
    """)
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([os.path.dirname(fake_backend.__file__), *sys.path])}
    return subprocess.Popen([sys.executable, "-c", script], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_killed_s3_run_resumes_to_the_local_bytes_with_one_line_per_output(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=30)
    recipe = _slow_recipe(tmp_path, delay=0.02)
    digest, lines = _local_run(tmp_path, src, copies=2, workers=1, recipe=recipe, **fake)
    bucket = s3.bucket()
    s3.upload_tree(src, bucket, "in")
    proc = _cli([f"s3://{bucket}/in", f"s3://{bucket}/out", "-n", "2", "-j", "2", "--only", "fake", "-q",
                 "--config", recipe], env={"AUGMENT_DIR_CHECKPOINT_SECONDS": "0.3"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        keys = s3.keys(bucket, "out")
        outputs = [k for k in keys if k.endswith(".fake")]
        checkpointed = sum(len(s3.read(bucket, f"out/{k}").splitlines()) for k in keys if k.startswith(PARTS_FOLDER))
        if checkpointed >= 10 and len(outputs) > checkpointed:  # some outputs are uploaded but not yet recorded
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    keys = s3.keys(bucket, "out")
    outputs = [k for k in keys if k.endswith(".fake")]
    assert 10 <= len(outputs) < 60 and ".augment-dir.lock" in keys and "manifest.jsonl" not in keys
    found = s3.digest(bucket, "out")
    assert all(found[rel] == digest[rel] for rel in outputs)  # every object there is whole: the local bytes
    assert s3.run_state(bucket, "out")["state"] == "running"
    # The rerun takes over the dead run's lease at once (same machine, its process is gone).
    rest = augment.augment_dir(f"s3://{bucket}/in", f"s3://{bucket}/out", copies=2, workers=1, recipe=recipe,
                               **fake)
    # Outputs whose lines were not checkpointed before the kill are made again (the same bytes).
    assert rest.failed == 0 and rest.written + rest.skipped == 60 and rest.written > 60 - len(outputs)
    assert s3.digest(bucket, "out") == digest
    assert s3.manifest_lines(bucket, "out") == lines  # exactly one line per output, the local run's
    assert sorted(set(s3.keys(bucket, "out")) - set(digest)) == ["manifest.jsonl", "recipe.toml", "run.json"]


def test_two_runs_on_one_output_one_waits_for_the_other(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=30)
    recipe = _slow_recipe(tmp_path, delay=0.05)
    bucket = s3.bucket()
    out = f"s3://{bucket}/out"
    proc = _cli([src, out, "-n", "1", "-j", "1", "--only", "fake", "-q", "--config", recipe])
    deadline = time.monotonic() + 60
    while ".augment-dir.lock" not in s3.keys(bucket, "out") and time.monotonic() < deadline:
        time.sleep(0.02)
    with pytest.raises(SetupError, match=r"another augment-dir run is writing to this OUTPUT: s3://.*/out/"
                                         r"\.augment-dir\.lock is held by process \d+"):
        augment.augment_dir(src, out, copies=1, workers=1, recipe=recipe, **fake)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    after = augment.augment_dir(src, out, copies=1, workers=1, recipe=recipe, **fake)
    assert after.skipped == 30 and after.written == 0
    assert len(s3.manifest_lines(bucket, "out")) == 30


def test_a_run_that_loses_its_lease_stops_and_writes_nothing_more(tmp_path, s3, fake, monkeypatch):
    src = _fake_tree(tmp_path / "in", count=20)
    bucket = s3.bucket()
    monkeypatch.setenv("AUGMENT_DIR_LEASE_SECONDS", "1")
    run = augment.iter_augment(src, f"s3://{bucket}/out", workers=1, **fake)
    next(run)
    thief = {"run": "thief", "host": "elsewhere", "pid": 1, "expires": time.time() + 3600}
    s3.client.put_object(Bucket=bucket, Key="out/.augment-dir.lock", Body=json.dumps(thief).encode())
    time.sleep(0.6)  # the next renewal finds the lock changed
    with pytest.raises(LeaseLost, match="another run took over"):
        for _ in run:
            pass
    assert json.loads(s3.read(bucket, "out/.augment-dir.lock"))["run"] == "thief"
    assert s3.run_state(bucket, "out")["state"] == "running"  # the run files are the new holder's now


def test_checkpoints_reach_the_store_while_the_run_goes_and_merge_at_its_end(tmp_path, s3, fake, monkeypatch):
    src = _fake_tree(tmp_path / "in", count=12)
    bucket = s3.bucket()
    monkeypatch.setenv("AUGMENT_DIR_CHECKPOINT_SECONDS", "0.01")
    run = augment.iter_augment(src, f"s3://{bucket}/out", workers=1, recipe=_slow_recipe(tmp_path, 0.02), **fake)
    for _ in range(6):
        next(run)
    parts = [k for k in s3.keys(bucket, "out") if k.startswith(PARTS_FOLDER + "/")]
    recorded = [json.loads(line)["output"] for k in parts for line in s3.read(bucket, f"out/{k}").splitlines()]
    assert len(parts) >= 2 and 4 <= len(recorded) <= 6 and len(set(recorded)) == len(recorded)
    list(run)
    assert not [k for k in s3.keys(bucket, "out") if k.startswith(".augment-dir")]
    assert len(s3.manifest_lines(bucket, "out")) == 12


def test_an_interrupted_s3_run_uploads_its_lines_and_says_so(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=10)
    bucket = s3.bucket()
    run = augment.iter_augment(src, f"s3://{bucket}/out", workers=1, **fake)
    taken = [next(run) for _ in range(4)]
    run.close()
    assert s3.run_state(bucket, "out")["state"] == "interrupted"
    assert [json.loads(line)["output"] for line in s3.manifest_lines(bucket, "out")] == sorted(
        r.output for r in taken)
    assert ".augment-dir.lock" not in s3.keys(bucket, "out")
    rest = augment.augment_dir(src, f"s3://{bucket}/out", workers=1, **fake)
    assert rest.skipped == 4 and rest.written == 6


def test_credentials_never_reach_the_manifest_run_json_recipe_or_messages(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=4)
    (src / "a" / "bad.fake").write_bytes(b"BAD input")
    bucket = s3.bucket()
    options = {"key": s3.access_key, "secret": s3.secret_key, "endpoint_url": s3.endpoint}
    summary = augment.augment_dir(src, f"s3://{bucket}/out", workers=1, storage_options=options, **fake)
    assert summary.failed == 1
    state = s3.run_state(bucket, "out")
    assert state["arguments"]["storage_options"] == {"key": "***", "secret": "***", "endpoint_url": s3.endpoint}
    proc = _cli([src, f"s3://{bucket}/out", "--only", "fake", "--storage-options", json.dumps(options)])
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "bad.fake" in err
    written = b"".join(s3.read(bucket, f"out/{key}") for key in s3.keys(bucket, "out"))
    for secret in (s3.access_key, s3.secret_key):
        assert secret.encode() not in written and secret not in out + err + summary.describe()
    # A store that refuses: the error names the URL and the reason, never the secret or the userinfo.
    bad = {"key": s3.access_key, "secret": s3.secret_key, "endpoint_url": "http://user:pw-1234@127.0.0.1:9",
           "retries": 1, "config_kwargs": {"retries": {"max_attempts": 1}}}
    with pytest.raises(SetupError) as info:
        augment.augment_dir(f"s3://{bucket}/in", f"s3://{bucket}/out2", workers=1, storage_options=bad, **fake)
    message = str(info.value)
    assert f"cannot reach INPUT s3://{bucket}/in" in message and "--storage-options" in message
    assert s3.secret_key not in message and "pw-1234" not in message


def test_output_inside_input_in_one_bucket_is_left_out_of_the_walk(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=4)
    bucket = s3.bucket()
    s3.upload_tree(src, bucket, "data")
    first = augment.augment_dir(f"s3://{bucket}/data", f"s3://{bucket}/data/aug", workers=1, **fake)
    again = augment.augment_dir(f"s3://{bucket}/data", f"s3://{bucket}/data/aug", workers=1, **fake)
    assert first.written == 4 and again.skipped == 4 and again.written == 0


def test_setup_errors_for_stores(tmp_path, s3, fake):
    bucket = s3.bucket()
    s3.client.put_object(Bucket=bucket, Key="file", Body=b"x")
    s3.client.put_object(Bucket=bucket, Key="in/a.fake", Body=b"x")
    cases = [
        (f"s3://{bucket}/nothing", f"s3://{bucket}/o", "does not exist"),
        (f"s3://{bucket}/file", f"s3://{bucket}/o", "is not a folder"),
        (f"s3://{bucket}/in", f"s3://{bucket}/in/", "is INPUT itself"),
        (f"s3://{bucket}/in", f"s3://{bucket}", "contains INPUT"),
        (f"s3://{bucket}/in", f"s3://{bucket}/file", "exists and is not a folder"),
        (f"s3://{bucket}/in", "s3://no-such-bucket-here/out", "cannot write the lock .*no-such-bucket-here"),
        (f"s3://{bucket}/in", "memory://x/out", "workers=1"),
    ]
    for source, target, message in cases:
        with pytest.raises(SetupError, match=message):
            augment.augment_dir(source, target, workers=2, **fake)
    with pytest.raises(SetupError, match=r"different stores \(s3, memory\); give each store its own"):
        augment.augment_dir(f"s3://{bucket}/in", "memory://x/out", workers=1, storage_options={"anon": True}, **fake)
    assert s3.keys(bucket) == ["file", "in/a.fake"]


def test_another_recipe_is_refused_and_the_advice_works_with_a_url(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=2)
    bucket = s3.bucket()
    out = f"s3://{bucket}/out"
    augment.augment_dir(src, out, workers=1, copies=2, **fake)
    other = Recipe.from_dict({"fake": {"ops": [{"op": "Xor", "width": 2}]}})
    with pytest.raises(SetupError) as info:
        augment.augment_dir(src, out, workers=1, recipe=other, **fake)
    assert f"--config {out}/recipe.toml" in str(info.value)
    assert augment.augment_dir(src, out, workers=1, recipe=f"{out}/recipe.toml", **fake).skipped == 4
    # --overwrite makes OUTPUT exactly the new run's, removing what the new recipe does not make.
    redo = augment.augment_dir(src, out, workers=1, copies=1, recipe=other, overwrite=True, **fake)
    assert redo.written == 2
    outputs = sorted(k for k in s3.keys(bucket, "out") if k.endswith(".fake"))
    assert outputs == ["a/f01_aug1.fake", "b/deep/f00_aug1.fake"]
    assert len(s3.manifest_lines(bucket, "out")) == 2


def test_a_dry_run_into_s3_reads_what_is_done_and_writes_nothing(tmp_path, s3, fake):
    src = _fake_tree(tmp_path / "in", count=6)
    bucket = s3.bucket()
    planned = [r for r in augment.iter_augment(src, f"s3://{bucket}/out", dry_run=True, **fake)]
    assert [r.status for r in planned] == ["planned"] * 6 and s3.keys(bucket) == []
    run = augment.iter_augment(src, f"s3://{bucket}/out", workers=1, **fake)
    next(run), next(run)
    run.close()
    statuses = sorted(r.status for r in augment.iter_augment(src, f"s3://{bucket}/out", dry_run=True, **fake))
    assert statuses == ["planned"] * 4 + ["skipped"] * 2


def test_a_key_too_long_for_the_store_fails_that_file_only(tmp_path, s3, fake):
    src = tmp_path / "in"
    deep = src / ("d" * 200) / ("e" * 200) / ("f" * 200) / ("g" * 200) / ("i" * 100)
    deep.mkdir(parents=True)
    (deep / ("h" * 200 + ".fake")).write_bytes(b"long")
    (src / "ok.fake").write_bytes(b"short")
    bucket = s3.bucket()
    summary = augment.augment_dir(src, f"s3://{bucket}/out", workers=1, **fake)
    assert summary.written == 1 and summary.failed == 1
    assert "name too long: the output's key would be 1119 bytes, and object stores allow 1024" in summary.describe()


def test_memory_and_non_object_stores_run_the_same(tmp_path, fake):
    src = _fake_tree(tmp_path / "in", count=20)
    digest, lines = _local_run(tmp_path, src, copies=2, workers=1, **fake)
    # memory:// is this process's own: with no workers asked for, the run stays in this process.
    assert augment.augment_dir(src, "memory://aug-test/out", copies=2, **fake).written == 40
    from augment.run.remote import Store

    fs = Store.of("memory").filesystem()
    try:
        assert sorted(fs.cat_file("/aug-test/out/manifest.jsonl").decode().splitlines()) == lines
    finally:
        fs.rm("/aug-test", recursive=True)
    # A store that is no object store (here fsspec's "local" protocol): uploads go to a hidden temporary name,
    # renamed into place; two worker processes upload themselves.
    summary = augment.augment_dir(src, f"local://{tmp_path}/viafs", copies=2, workers=2, **fake)
    assert summary.written == 40
    assert tree_digest(tmp_path / "viafs") == digest and _local_lines(tmp_path / "viafs") == lines
    assert not [p for p in (tmp_path / "viafs").rglob(".*") if p.name != ".augment-dir"]


def test_bad_lease_and_checkpoint_settings_are_setup_errors(tmp_path, fake, monkeypatch):
    from augment.run.remote import Store

    src = _fake_tree(tmp_path / "in", count=2)
    monkeypatch.setenv("AUGMENT_DIR_LEASE_SECONDS", "0.1")
    with pytest.raises(SetupError, match=r"AUGMENT_DIR_LEASE_SECONDS must be a number of seconds >= 1; got '0.1'"):
        augment.augment_dir(src, "memory://bad-settings/out", workers=1, **fake)
    monkeypatch.delenv("AUGMENT_DIR_LEASE_SECONDS")
    monkeypatch.setenv("AUGMENT_DIR_CHECKPOINT_SECONDS", "soon")
    with pytest.raises(SetupError, match=r"AUGMENT_DIR_CHECKPOINT_SECONDS must be a number of seconds > 0"):
        augment.augment_dir(src, "memory://bad-settings/out", workers=1, **fake)
    assert not Store.of("memory").filesystem().exists("/bad-settings")
