"""Bad folders and failing disks, end to end: the command in a subprocess, with the fake backend.

Each case runs ``augment-dir``'s own ``main`` in a fresh process (so file
permissions, a file-size limit and exit codes are real). As root, file
permissions do not bind: the process drops the two capabilities that bypass
them (``setpriv --bounding-set``) and so obeys them like any user, instead of
these tests being skipped.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tree_digest

TESTS = Path(__file__).resolve().parents[1]
# The command, with the fake backend registered; arguments follow.
_MAIN = ("import sys, fake_backend; fake_backend.install(); from augment.cli import main; "
         "sys.exit(main(sys.argv[1:]))")


def _unprivileged() -> list[str]:
    """A command prefix under which file permissions apply, also to root."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]


def augment_dir(*args, drop=False, limit=None, check_code=None):
    """Run the command (``drop``: obeying permissions; ``limit``: largest file it may write, in bytes)."""
    def limit_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    command = [*(_unprivileged() if drop else []), sys.executable, "-c", _MAIN, *map(str, args),
               "--only", "fake", "-j", "1"]
    proc = subprocess.run(command, capture_output=True, text=True, env=env,
                          preexec_fn=limit_files if limit is not None else None)
    assert "Traceback" not in proc.stderr, proc.stderr
    if check_code is not None:
        assert proc.returncode == check_code, proc.stderr
    return proc


def _tree(root: Path, count=6) -> Path:
    for i in range(count):
        folder = root / ("a" if i % 2 else "b")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"f{i:02d}.fake").write_bytes(bytes(range(i, i + 200)))
    return root


def _lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]


def test_what_the_walk_cannot_read_is_a_line_and_a_failure_each(tmp_path):
    src = _tree(tmp_path / "in")
    locked = src / "locked"
    locked.mkdir()
    (locked / "hidden.fake").write_bytes(b"x" * 40)
    (src / "a" / "secret.fake").write_bytes(b"y" * 40)
    os.mkfifo(src / "a" / "pipe.fake")
    os.mkfifo(src / "pipe")
    os.symlink("loop2.fake", src / "b" / "loop1.fake")
    os.symlink("loop1.fake", src / "b" / "loop2.fake")
    os.symlink(os.devnull, src / "b" / "null.fake")
    locked.chmod(0)
    (src / "a" / "secret.fake").chmod(0)
    try:
        proc = augment_dir(src, tmp_path / "out", drop=True, check_code=1)
    finally:
        locked.chmod(0o755)
        (src / "a" / "secret.fake").chmod(0o644)
    reasons = {r["source"]: r["error"] for r in _lines(tmp_path / "out") if r["status"] == "error"}
    assert reasons == {
        "a/pipe.fake": "a FIFO (named pipe), not a regular file: left alone",
        "a/secret.fake": "Permission denied (PermissionError)",
        "b/loop1.fake": "symbolic link loop (it never reaches a file)",
        "b/loop2.fake": "symbolic link loop (it never reaches a file)",
        "b/null.fake": "a character device, not a regular file: left alone",
        "locked": "cannot list folder: Permission denied",
        "pipe": "a FIFO (named pipe), not a regular file: left alone",
    }
    for source in reasons:
        assert f"  {source}: " in proc.stderr  # the summary names each
    assert "6 written" in proc.stderr and "7 failed" in proc.stderr and "0 unsupported" in proc.stderr
    # Once readable and without the odd files, a rerun finishes the job and forgets the old reports.
    for odd in ("a/pipe.fake", "pipe", "b/loop1.fake", "b/loop2.fake", "b/null.fake"):
        os.unlink(src / odd)
    augment_dir(src, tmp_path / "out", drop=True, check_code=0)
    lines = _lines(tmp_path / "out")
    assert {r["source"] for r in lines if r["status"] == "ok"} >= {"locked/hidden.fake", "a/secret.fake"}
    assert not [r for r in lines if r["output"] is None]


def test_an_input_that_cannot_be_read_is_exit_2(tmp_path):
    src = _tree(tmp_path / "in")
    src.chmod(0)
    try:
        proc = augment_dir(src, tmp_path / "out", drop=True, check_code=2)
    finally:
        src.chmod(0o755)
    assert proc.stderr.strip().splitlines() == [
        f"augment-dir: error: INPUT {src} cannot be read (Permission denied); check its permissions "
        "(the run needs to list and read it)"]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["parent read-only", "output read-only", "parent is a file"])
def test_an_output_that_cannot_be_written_is_exit_2_with_one_line(tmp_path, case):
    src = _tree(tmp_path / "in")
    if case == "parent read-only":
        (tmp_path / "ro").mkdir(mode=0o555)
        out, expected = tmp_path / "ro" / "out", f"its parent {tmp_path / 'ro'} is not writable by this user"
    elif case == "output read-only":
        out, expected = tmp_path / "out", "OUTPUT is not writable by this user"
        out.mkdir(mode=0o555)
    else:
        (tmp_path / "file").write_text("a file")
        out, expected = tmp_path / "file" / "out", f"{tmp_path / 'file'} is a file, not a folder"
    proc = augment_dir(src, out, drop=True, check_code=2)
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"augment-dir: error: OUTPUT {out} cannot be ") and expected in line
    assert "choose another OUTPUT" in line
    assert not out.exists() or not any(out.iterdir())


def test_output_full_at_the_start_is_exit_2_and_nothing_is_augmented(tmp_path):
    src = _tree(tmp_path / "in")
    proc = augment_dir(src, tmp_path / "out", limit=16, check_code=2)
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"augment-dir: error: OUTPUT {tmp_path / 'out'} cannot be written (File too large")
    assert "nothing was augmented" in line
    assert not list((tmp_path / "out").rglob("*.fake"))


def test_output_full_mid_manifest_stops_cleanly_and_the_rerun_finishes(tmp_path):
    """A write that fails in the middle of the run (here: a file-size limit, EFBIG; ENOSPC and EIO alike)."""
    src = _tree(tmp_path / "in", count=40)
    clean = tmp_path / "clean"
    augment_dir(src, clean, check_code=0)
    largest_other = max(p.stat().st_size for p in clean.rglob("*") if p.is_file() and p.name != "manifest.jsonl")
    limit = largest_other + 64
    assert (clean / "manifest.jsonl").stat().st_size > 3 * limit  # the manifest is what hits the limit
    out = tmp_path / "out"
    proc = augment_dir(src, out, limit=limit, check_code=2)
    [line] = proc.stderr.strip().splitlines()
    assert f"OUTPUT {out}: writing manifest.jsonl failed (File too large" in line
    assert "nothing half-written" in line and "rerun the same command to resume" in line
    text = (out / "manifest.jsonl").read_text()
    assert text.endswith("\n") and len(text.encode()) <= limit
    lines = _lines(out)  # every line whole
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.fake"))
    assert written == sorted(r["output"] for r in lines) and 0 < len(written) < 40  # no output without its line
    assert not [p for p in out.rglob(".*") if p.is_file() and p.name != ".augment-dir.lock"]  # no temporaries
    assert json.loads((out / "run.json").read_text())["state"] in ("failed", "running")
    augment_dir(src, out, check_code=0)
    assert tree_digest(out) == tree_digest(clean)
    assert sorted(map(json.dumps, _lines(out))) == sorted(map(json.dumps, _lines(clean)))


@pytest.mark.parametrize("overwrite", [False, True])
def test_a_manifest_another_tool_wrote_is_refused_and_left_as_it_was(tmp_path, overwrite):
    src = _tree(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    theirs = '{"audio_filepath": "a.wav", "duration": 1.5, "text": "hello"}\n'
    (out / "manifest.jsonl").write_text(theirs)
    proc = augment_dir(src, out, *(["--overwrite"] if overwrite else []), check_code=2)
    assert (f"OUTPUT {out} holds a manifest.jsonl that augment-dir did not write ({out / 'manifest.jsonl'}: "
            "its first record has no source, output, status (it has 'audio_filepath', 'duration', 'text'))"
            in proc.stderr)
    assert (out / "manifest.jsonl").read_text() == theirs and sorted(os.listdir(out)) == ["manifest.jsonl"]


def test_a_damaged_line_in_the_middle_of_the_manifest_remakes_what_it_recorded(tmp_path):
    src = _tree(tmp_path / "in")
    out = tmp_path / "out"
    augment_dir(src, out, check_code=0)
    before = tree_digest(out)
    lines = (out / "manifest.jsonl").read_text().splitlines(keepends=True)
    lost = json.loads(lines[0])["output"]
    (out / lost).write_bytes(b"not what the run wrote")  # so the remake shows
    lines[0] = "\x00\x00 a damaged block \x00\n"  # the first line too: our manifest still, not another tool's
    (out / "manifest.jsonl").write_text("".join(lines))
    proc = augment_dir(src, out, check_code=0)
    assert "1 damaged line(s) (1) dropped; the outputs they recorded are made again" in proc.stderr
    assert "1 written, 5 skipped" in proc.stderr
    assert tree_digest(out) == before and len(_lines(out)) == 6


def test_a_read_only_output_file_system_is_exit_2(tmp_path):
    """A real read-only mount (a bind mount remounted read-only), as root; the permission cases cover others."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.fail("this test needs root and mount(8); CI runs as root")
    src = _tree(tmp_path / "in")
    target = tmp_path / "ro"
    target.mkdir()
    subprocess.run(["mount", "--bind", str(target), str(target)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(target)], check=True)
        proc = augment_dir(src, target / "out", check_code=2)
    finally:
        subprocess.run(["umount", str(target)], check=True)
    assert f"OUTPUT {target / 'out'} cannot be written: its parent {target} is on a read-only file system" in \
        proc.stderr


def test_special_files_are_never_opened(tmp_path):
    """Reading a FIFO would block forever: the run reports it without opening it."""
    src = _tree(tmp_path / "in", count=2)
    os.mkfifo(src / "b" / "waiting.fake")
    assert stat.S_ISFIFO(os.stat(src / "b" / "waiting.fake").st_mode)
    proc = subprocess.run([sys.executable, "-c", _MAIN, str(src), str(tmp_path / "out"), "--only", "fake"],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(TESTS)})
    assert proc.returncode == 1 and "b/waiting.fake: a FIFO (named pipe)" in proc.stderr
