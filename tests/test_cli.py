"""End-to-end tests: the installed ``augment-dir`` console script in a subprocess."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import augment
from augment.run.pipeline import LOCK_NAME

from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))


def run(*args, check_code=None, **kwargs):
    proc = subprocess.run([SCRIPT, *map(str, args)], capture_output=True, text=True, **kwargs)
    if check_code is not None:
        assert proc.returncode == check_code, proc.stderr
    return proc


def _dataset(root):
    """Nested class folders, unicode and spaces, an unsupported file, every modality."""
    write_image(root / "train" / "cat" / "cat 001.jpg", seed=1)
    write_image(root / "train" / "cat" / "kätzchen.png", seed=2, mode="RGBA")
    write_image(root / "train" / "dog" / "dog.JPG", seed=3)
    # Several sentences each: the synonym filter changes few words of a short text, and a
    # test below needs every output to differ under another seed.
    write_text(root / "reviews" / "pos" / "r1.txt", "\n".join(SENTENCES) + "\n")
    write_text(root / "reviews" / "neg" / "r 2.txt", SENTENCES[2] + " " + SENTENCES[3] + "\r\n")
    write_audio(root / "speech" / "yes" / "y1.wav")
    write_audio(root / "speech" / "no" / "n1.flac", subtype="PCM_16", channels=2)
    write_text(root / "notes.csv", "a,b\n")
    return root


def _manifest(out):
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def _comparable(records):
    return sorted(json.dumps(r, sort_keys=True) for r in records)


def test_version_and_help():
    assert run("--version", check_code=0).stdout.strip() == f"augment-dir {augment.__version__}"
    help_text = run("--help", check_code=0).stdout
    for option in ("--copies", "--seed", "--workers", "--only", "--include-originals", "--overwrite",
                   "--dry-run", "--quiet", "exit status"):
        assert option in help_text


@pytest.mark.parametrize("args", [["-n", "0"], ["--seed", "x"], ["--only", "video"], ["-j", "-1"], []])
def test_usage_errors_exit_2(tmp_path, args):
    src = _dataset(tmp_path / "in")
    positional = [] if not args else [src, tmp_path / "out"]
    proc = run(*positional, *args)
    assert proc.returncode == 2 and "augment-dir" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_mixed_tree_end_to_end(tmp_path):
    src = _dataset(tmp_path / "in")
    before = tree_digest(src)
    proc = run(src, tmp_path / "out", "-n", "2", "-j", "1", "--seed", "3", check_code=0)
    out_files = tree_digest(tmp_path / "out")
    expected = {f"{rel.rsplit('.', 1)[0]}_aug{k}.{rel.rsplit('.', 1)[1]}"
                for rel in before if not rel.endswith(".csv") for k in (1, 2)}
    assert set(out_files) == expected and (tmp_path / "out" / "recipe.toml").is_file()
    assert "14 written" in proc.stderr and "1 unsupported" in proc.stderr
    assert "image: 6 written" in proc.stderr
    assert "I0000" not in proc.stderr and "cuda" not in proc.stderr  # TensorFlow's start-up notes
    assert tree_digest(src) == before
    assert len(_manifest(tmp_path / "out")) == 14


def test_workers_give_byte_identical_outputs(tmp_path):
    src = _dataset(tmp_path / "in")
    run(src, tmp_path / "one", "-n", "2", "-j", "1", check_code=0)
    run(src, tmp_path / "two", "-n", "2", "-j", "2", check_code=0)
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert one == two and len(one) == 14
    assert _comparable(_manifest(tmp_path / "one")) == _comparable(_manifest(tmp_path / "two"))
    # A different seed changes the bytes.
    run(src, tmp_path / "other", "-n", "2", "-j", "1", "--seed", "1", check_code=0)
    other = tree_digest(tmp_path / "other")
    assert all(other[rel] != one[rel] for rel in one)


def test_sigkill_mid_run_then_resume_equals_clean_run(tmp_path):
    src = tmp_path / "in"
    for i in range(40):
        # Float WAV too: its bytes must not depend on when it was written.
        write_audio(src / "a" / f"clip{i:02d}.wav", seconds=0.5, freq=200 + 10 * i,
                    subtype="FLOAT" if i % 2 else "PCM_16")
        write_text(src / "t" / f"doc{i:02d}.txt", SENTENCES[i % 4] + "\n")
    killed = tmp_path / "killed"
    proc = subprocess.Popen([SCRIPT, src, killed, "-n", "3", "-j", "2", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    manifest = killed / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if manifest.exists() and manifest.read_text().count("\n") >= 20:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # the parent only, as an OOM killer would
    proc.wait()
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL) if _group_alive(proc.pid) else None
    partial = tree_digest(killed)
    assert 0 < len(partial) < 240, "the kill should land mid-run"
    assert json.loads((killed / "run.json").read_text())["state"] == "running"
    for path in killed.rglob("*"):  # nothing a loader could take for data but finished outputs
        if path.is_file() and path.name.startswith("."):
            assert path.name == LOCK_NAME or re.fullmatch(r"\.[0-9a-f]{16}\.augtmp", path.name), path
    time.sleep(1.1)  # a write-time stamp would now differ
    resumed = run(src, killed, "-n", "3", "-j", "2", check_code=0)
    assert "skipped (already done)" in resumed.stderr
    run(src, tmp_path / "clean", "-n", "3", "-j", "1", "-q", check_code=0)
    assert tree_digest(killed) == tree_digest(tmp_path / "clean")
    assert _comparable(_manifest(killed)) == _comparable(_manifest(tmp_path / "clean"))
    assert not [p for p in killed.rglob(".*augtmp*")]
    assert json.loads((killed / "run.json").read_text())["state"] == "finished"
    for rel, digest in partial.items():  # what the killed run finished is what the clean run made
        assert tree_digest(tmp_path / "clean")[rel] == digest


def test_sigterm_ends_like_ctrl_c_with_no_process_left(tmp_path):
    psutil = pytest.importorskip("psutil")
    src = tmp_path / "in"
    for i in range(30):
        write_text(src / "t" / f"doc{i:02d}.txt", SENTENCES[i % 4] + "\n")
        write_audio(src / "a" / f"clip{i:02d}.wav", seconds=0.5, freq=300 + 7 * i)
    out = tmp_path / "out"
    proc = subprocess.Popen([SCRIPT, src, out, "-n", "4", "-j", "2", "-q"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 10):
        time.sleep(0.01)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "the run should have worker processes"
    proc.send_signal(signal.SIGTERM)  # to the parent only, as `timeout` and `docker stop` do
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143, stderr
    assert "interrupted; rerun the same command to resume" in stderr
    gone, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    state = json.loads((out / "run.json").read_text())
    assert state["state"] == "interrupted" and state["exit_code"] is None
    run(src, out, "-n", "4", "-j", "2", "-q", check_code=0)
    run(src, tmp_path / "clean", "-n", "4", "-j", "1", "-q", check_code=0)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_pipelined_image_run_stopped_mid_run_resumes_to_a_clean_runs_bytes(tmp_path, sig):
    # -j 1 on this machine's cores: the next image decodes and the last one is written on helper threads.
    assert len(os.sched_getaffinity(0)) > 1, "the pipelined run needs a second core to be used"
    src = tmp_path / "in"
    for i in range(150):
        write_image(src / ("cats" if i % 2 else "dogs") / f"img{i:03d}.jpg", size=(160, 120), seed=i)
    out = tmp_path / "out"
    proc = subprocess.Popen([SCRIPT, src, out, "-n", "3", "-j", "1", "-q"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 30):
        time.sleep(0.005)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == (143 if sig == signal.SIGTERM else -signal.SIGKILL), stderr
    lines = [json.loads(line) for line in manifest.read_text().splitlines()]
    assert 30 <= len(lines) < 450, "the signal should land mid-run"
    # Every recorded output is in place, whole; but the last, whose line goes first: stopped before its
    # rename, it is not there (and is made again by the next run).
    for record in lines[:-1]:
        assert (out / record["output"]).stat().st_size > 0
    staged = [p.name for p in out.rglob(".*augtmp*")]
    if sig == signal.SIGTERM:  # stopped cleanly: the files under way were removed, none half-written is left
        assert staged == []
        assert json.loads((out / "run.json").read_text())["state"] == "interrupted"
    run(src, out, "-n", "3", "-j", "1", "-q", check_code=0)
    run(src, tmp_path / "clean", "-n", "3", "-j", "1", "-q", check_code=0)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")
    assert _comparable(_manifest(out)) == _comparable(_manifest(tmp_path / "clean"))
    assert not [p for p in out.rglob(".*augtmp*")]


def test_dry_run_into_a_closed_pipe_stops_quietly(tmp_path):
    src = _dataset(tmp_path / "in")
    proc = subprocess.run(f"'{SCRIPT}' '{src}' '{tmp_path / 'out'}' --dry-run -n 3000 | head -1", shell=True,
                          capture_output=True, text=True, executable="/bin/bash")
    assert len(proc.stdout.splitlines()) == 1 and proc.stderr == "", proc.stderr
    assert not (tmp_path / "out").exists()


def test_sighup_ends_like_ctrl_c(tmp_path):
    src = tmp_path / "in"
    for i in range(40):
        write_text(src / f"doc{i:02d}.txt", SENTENCES[i % 4] + "\n")
    out = tmp_path / "out"
    proc = subprocess.Popen([SCRIPT, src, out, "-n", "3", "-j", "1", "-q"], stderr=subprocess.PIPE, text=True)
    manifest = out / "manifest.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not manifest.exists() or manifest.read_text().count("\n") < 5):
        time.sleep(0.01)
    proc.send_signal(signal.SIGHUP)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 129 and "interrupted" in stderr
    assert json.loads((out / "run.json").read_text())["state"] == "interrupted"
    run(src, out, "-n", "3", "-j", "1", "-q", check_code=0)
    run(src, tmp_path / "clean", "-n", "3", "-j", "1", "-q", check_code=0)
    assert tree_digest(out) == tree_digest(tmp_path / "clean")


def test_quiet_prints_only_errors(tmp_path):
    src = tmp_path / "in"
    write_text(src / "a.txt", SENTENCES[0] + "\n")
    (src / "b.txt").write_bytes(b"caf\xe9\n")
    config = tmp_path / "r.toml"
    config.write_text('[[rules]]\nmatch = "nothing/**"\ncopies = 2\n')  # a rule that takes no file: a warning
    loud = run(src, tmp_path / "loud", "--config", config, "-j", "1", check_code=1)
    assert "warning" in loud.stderr and "written" in loud.stderr
    quiet = run(src, tmp_path / "quiet", "--config", config, "-j", "1", "-q", check_code=1)
    assert quiet.stderr.splitlines() == ["augment-dir: some files failed:",
                                         "  b.txt: " + quiet.stderr.splitlines()[1].split(": ", 1)[1]]


def _group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_bad_inputs_tree(tmp_path):
    src = tmp_path / "in"
    write_text(src / "ok" / "good.txt", SENTENCES[2] + "\n")
    write_image(src / "ok" / "good.png")
    good_jpg = write_image(tmp_path / "whole.jpg", size=(64, 48))
    (src / "bad").mkdir(parents=True)
    (src / "bad" / "truncated.jpg").write_bytes(good_jpg.read_bytes()[:300])
    (src / "bad" / "empty.png").write_bytes(b"")
    (src / "bad" / "text.png").write_text("just words\n")
    (src / "bad" / "latin1.txt").write_bytes("naïve café\n".encode("latin-1"))
    (src / "bad" / "junk.wav").write_bytes(os.urandom(256))
    os.symlink(src / "missing.txt", src / "bad" / "broken.txt")
    before = tree_digest(src)
    proc = run(src, tmp_path / "out", "-j", "2")
    assert proc.returncode == 1, proc.stderr
    bad = {"bad/truncated.jpg", "bad/empty.png", "bad/text.png", "bad/latin1.txt", "bad/junk.wav", "bad/broken.txt"}
    for name in bad:
        assert name in proc.stderr
    records = _manifest(tmp_path / "out")
    assert {r["source"] for r in records if r["status"] == "error"} == bad
    assert {r["source"] for r in records if r["status"] == "ok"} == {"ok/good.txt", "ok/good.png"}
    assert set(tree_digest(tmp_path / "out")) == {"ok/good_aug1.txt", "ok/good_aug1.png"}
    assert not list((tmp_path / "out").rglob(".*augtmp*"))
    assert tree_digest(src) == before


def test_output_equal_to_input_is_refused(tmp_path):
    src = _dataset(tmp_path / "in")
    before = sorted(p.name for p in src.rglob("*"))
    proc = run(src, src, check_code=2)
    assert "INPUT itself" in proc.stderr
    assert sorted(p.name for p in src.rglob("*")) == before


def test_output_inside_input(tmp_path):
    src = tmp_path / "in"
    write_text(src / "a.txt", SENTENCES[0] + "\n")
    run(src, src / "out", "-j", "1", check_code=0)
    run(src, src / "out", "-j", "1", check_code=0)
    assert sorted(p.name for p in (src / "out").iterdir() if p.name != LOCK_NAME) == [
        "a_aug1.txt", "manifest.jsonl", "recipe.toml", "run.json"]


def test_concurrent_run_is_refused(tmp_path):
    src = tmp_path / "in"
    for i in range(30):
        write_audio(src / f"clip{i:02d}.wav", seconds=1.0)
    out = tmp_path / "out"
    first = subprocess.Popen([SCRIPT, src, out, "-n", "4", "-j", "1", "-q"], stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out / "manifest.jsonl").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    second = run(src, out, "-j", "1")
    first_err = first.communicate()[1]
    assert first.returncode == 0, first_err
    assert second.returncode == 2 and "another augment-dir run" in second.stderr
    assert len(_manifest(out)) == 120


def test_missing_extra_is_a_setup_error_with_the_install_hint(tmp_path):
    src = _dataset(tmp_path / "in")
    code = (
        "import sys; sys.modules['audiomentations'] = None\n"
        "from augment.cli import main\n"
        f"sys.exit(main([{str(src)!r}, {str(tmp_path / 'out')!r}]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 2
    assert 'pip install "augment-dir[audio]"' in proc.stderr and "--only" in proc.stderr
    assert not (tmp_path / "out").exists()
    # Leaving the modality out is the other way through.
    code = code.replace("]))", ", '--only', 'text', '-j', '1']))")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0


def test_dry_run_lists_outputs_and_writes_nothing(tmp_path):
    src = _dataset(tmp_path / "in")
    proc = run(src, tmp_path / "out", "-n", "2", "--dry-run", check_code=0)
    listed = proc.stdout.split("\n")[:-1]
    assert len(listed) == 14 and "train/cat/cat 001_aug2.jpg" in listed
    assert "would write" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_include_originals_makes_a_complete_set(tmp_path):
    src = _dataset(tmp_path / "in")
    run(src, tmp_path / "out", "--include-originals", "-j", "1", "-q", check_code=0)
    out = tree_digest(tmp_path / "out")
    for rel, digest in tree_digest(src).items():
        assert out[rel] == digest
    assert len(out) == 2 * 7 + 1


def test_every_option_is_a_library_keyword_and_back():
    from augment.cli import build_parser
    from augment.run.options import RunArguments

    # --preset NAME is recipe=augment.presets.recipe(NAME) in the library.
    cli_only = {"input", "output", "print_recipe", "quiet", "help", "version", "preset"}
    renamed = {"config": "recipe"}
    options = {renamed.get(action.dest, action.dest) for action in build_parser()._actions} - cli_only
    assert options == set(RunArguments.__annotations__)


def test_names_that_are_not_utf8_are_planned_written_recorded_and_resumed(tmp_path):
    src = tmp_path / "in"
    write_text(src / "ok.txt", SENTENCES[0] + "\n")
    write_text(tmp_path / "made" / "a.txt", SENTENCES[1] + "\n")
    write_audio(tmp_path / "made" / "a.wav")
    write_image(tmp_path / "made" / "a.png")
    for suffix in ("txt", "wav", "png"):  # named in Latin-1 bytes: not UTF-8
        os.rename(tmp_path / "made" / f"a.{suffix}", os.fsencode(src) + b"/caf\xe9." + suffix.encode())
    listing = subprocess.run([SCRIPT, src, tmp_path / "out", "--dry-run"], capture_output=True)
    assert listing.returncode == 0 and b"caf\xe9_aug1.wav\n" in listing.stdout, listing.stderr
    proc = run(src, tmp_path / "out", "-j", "1", check_code=0)
    assert "4 written" in proc.stderr
    names = set(os.listdir(os.fsencode(tmp_path / "out")))
    assert {b"caf\xe9_aug1.txt", b"caf\xe9_aug1.wav", b"caf\xe9_aug1.png", b"ok_aug1.txt"} <= names
    raw_manifest = (tmp_path / "out" / "manifest.jsonl").read_bytes()
    raw_manifest.decode("utf-8")  # still a UTF-8 file
    records = _manifest(tmp_path / "out")
    assert {os.fsencode(r["source"]) for r in records} == {b"ok.txt", b"caf\xe9.txt", b"caf\xe9.wav", b"caf\xe9.png"}
    again = run(src, tmp_path / "out", "-j", "2", check_code=0)
    assert "0 written, 4 skipped" in again.stderr


def test_an_output_name_too_long_fails_that_file_only(tmp_path):
    src = tmp_path / "in"
    long = "n" * 250 + ".txt"  # 254 bytes: its copy would be 259
    write_text(src / long, SENTENCES[0] + "\n")
    write_text(src / "short.txt", SENTENCES[1] + "\n")
    dry = run(src, tmp_path / "out", "--dry-run", check_code=1)  # what the run would say
    assert dry.stdout.split() == ["short_aug1.txt"]
    proc = run(src, tmp_path / "out", "-j", "1", "--include-originals", check_code=1)
    assert "name too long: the output's name would be 259 bytes" in proc.stderr
    assert (tmp_path / "out" / long).exists() and (tmp_path / "out" / "short_aug1.txt").exists()
    assert json.loads((tmp_path / "out" / "run.json").read_text())["state"] == "finished"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_original_that_collides_with_a_copy_fails_both_and_loses_nothing(tmp_path, workers):
    src = tmp_path / "in"
    write_text(src / "x.txt", SENTENCES[0] + "\n")
    write_text(src / "x_aug1.txt", "an original that happens to look like a copy\n")
    write_text(src / "y.txt", SENTENCES[1] + "\n")
    proc = run(src, tmp_path / "out", "-n", "2", "--include-originals", "-j", workers, "-q", check_code=1)
    assert "collides with INPUT's own x_aug1.txt" in proc.stderr
    assert "collides with copy 1 of x.txt" in proc.stderr
    out = tmp_path / "out"
    assert not (out / "x_aug1.txt").exists()  # neither silently wins
    assert (out / "x_aug2.txt").exists() and (out / "x_aug1_aug1.txt").exists() and (out / "y.txt").exists()
    # One line per output: the surviving one names both sources.
    [error] = [r for r in _manifest(out) if r["status"] == "error"]
    assert error["output"] == "x_aug1.txt" and {error["source"], "x.txt", "x_aug1.txt"} <= set(
        [error["source"], *error["error"].replace(",", " ").split()])
    dry = run(src, tmp_path / "dry", "-n", "2", "--include-originals", "--dry-run", check_code=1)
    assert "x_aug1.txt" not in dry.stdout.split()


def test_storage_options_that_are_not_json_exit_2_without_repeating_them(tmp_path):
    src = _dataset(tmp_path / "in")
    proc = run(src, "s3://bucket/out", "--storage-options", '{"secret": "do-not-print-me", }')
    assert proc.returncode == 2 and "storage_options (--storage-options) must be a JSON object" in proc.stderr
    assert "do-not-print-me" not in proc.stderr
    assert "--storage-options" in run("--help", check_code=0).stdout



# ---------------------------------------------------------------------- presets, subcommands (issue 14)


def test_a_preset_runs_and_is_recorded(tmp_path):
    src = tmp_path / "in"
    write_image(src / "7" / "a.png", size=(32, 32), mode="L")
    proc = run(src, tmp_path / "out", "--preset", "digits", "-n", "2", "-j", "1", check_code=0)
    assert "2 written" in proc.stderr
    state = json.loads((tmp_path / "out" / "run.json").read_text())
    assert state["recipe_source"] == "preset 'digits'"
    assert all(not r["params"]["ops"][0]["flip_horizontal"] and abs(r["params"]["ops"][0]["theta"]) <= 12
               for r in _manifest(tmp_path / "out"))


def test_print_recipe_of_a_preset_reads_back_as_the_preset(tmp_path):
    from augment import presets
    from augment.run.recipe import Recipe

    proc = run("--print-recipe", "--preset", "Digits", "-n", "3", check_code=0)
    assert proc.stdout.startswith("# preset digits: handwritten digits")
    lines = proc.stdout.splitlines()
    header = lines.index("# augment-dir recipe: each modality's ops apply in order, with their library's own")
    assert lines[header - 1].startswith("# Its reasons, parameter by parameter: ")
    assert Path(lines[header - 1].split(": ", 1)[1]).read_text().startswith("# digits: ")  # the shipped file
    (tmp_path / "recipe.toml").write_text(proc.stdout)
    assert Recipe.from_toml(tmp_path / "recipe.toml") == presets.recipe("digits").replace(seed=0, copies=3)


@pytest.mark.parametrize(("args", "message"), [
    (["--preset", "digit"], "--preset: unknown preset 'digit' (did you mean 'digits'?)"),
    (["--preset", "digits", "--config", "recipe.toml"], "--config and --preset both name a recipe; give one"),
    (["--print-recipe", "--preset", "speach"], "did you mean 'speech'?"),
])
def test_preset_errors_exit_2_and_write_nothing(tmp_path, args, message):
    src = _dataset(tmp_path / "in")
    positional = [] if "--print-recipe" in args else [src, tmp_path / "out"]
    proc = run(*positional, *args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    assert not (tmp_path / "out").exists()


def test_subcommands_and_folders_named_like_them(tmp_path):
    help_text = run("--help", check_code=0).stdout
    assert "augment-dir preview OUTPUT" in help_text and "augment-dir doctor" in help_text
    assert "./preview" in help_text and "--preset NAME" in help_text
    assert run("doctor", "--only", "image", check_code=0).stdout.rstrip().endswith("every backend works")
    write_image(tmp_path / "doctor" / "a.png")
    proc = run("./doctor", tmp_path / "out", "-j", "1", cwd=tmp_path, check_code=0)
    assert "1 written" in proc.stderr and (tmp_path / "out" / "a_aug1.png").is_file()


# ---------------------------------------------------------------------- the README's "Training on OUTPUT"

#: Where the "Training on OUTPUT" section is read from.
TRAINING_GUIDE = Path(__file__).resolve().parents[1] / "README.md"


def _training_section() -> str:
    text = TRAINING_GUIDE.read_text(encoding="utf-8")
    start = text.index("\n## Training on OUTPUT\n")
    end = text.find("\n## ", start + 1)
    return text[start: end if end >= 0 else len(text)]


def _block(section: str, language: str, marker: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", section, flags=re.S)
    (found,) = [block for block in blocks if marker in block]
    return found


def test_the_readmes_training_guide_runs_split_first_then_keras(tmp_path):
    """The guide's shell lines make the split OUTPUT; its Keras snippet trains on it as it stands."""
    section = _training_section()
    for split, count in (("train", 3), ("val", 2)):
        for label, seed in (("cat", 0), ("dog", 50)):
            for i in range(count):
                write_image(tmp_path / "data" / split / label / f"{label}{i}.jpg", size=(40, 32), seed=seed + i)
    env = {**os.environ, "PATH": f"{Path(SCRIPT).parent}{os.pathsep}{os.environ['PATH']}",
           "TF_CPP_MIN_LOG_LEVEL": "3"}
    shell = subprocess.run(["bash", "-euc", _block(section, "sh", "[[rules]]")], cwd=tmp_path, env=env,
                           capture_output=True, text=True)
    assert shell.returncode == 0, shell.stderr
    out = tmp_path / "data-aug"
    assert sorted(p.name for p in (out / "val" / "cat").iterdir()) == ["cat0.jpg", "cat1.jpg"]  # no copies
    assert len(list((out / "train" / "dog").iterdir())) == 3 * 5  # originals and 4 copies each
    keras_snippet = _block(section, "python", "image_dataset_from_directory")
    checks = """
assert train.class_names == val.class_names == ["cat", "dog"]
assert len(train.file_paths) == 2 * 3 * 5 and len(val.file_paths) == 2 * 2
assert not any("_aug" in p for p in val.file_paths)
print("TRAINED", len(model.history.history["loss"]))
"""
    proc = subprocess.run([sys.executable, "-c", keras_snippet + checks], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "TRAINED 10" in proc.stdout
    # And it refuses an OUTPUT that is not finished.
    state = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps({**state, "state": "interrupted"}))
    proc = subprocess.run([sys.executable, "-c", keras_snippet], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 1 and "is not finished (run.json: interrupted)" in proc.stderr
