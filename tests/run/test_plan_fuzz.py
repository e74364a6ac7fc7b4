"""Random names and recipe values through the planner and the whole run: never a traceback.

Hypothesis makes folders of files with arbitrary names (any bytes but "/" and
NUL, up to 255 bytes, case twins, names that look like copies) and recipes with
arbitrary values. Every run either stops before writing anything with a
:class:`SetupError`, or ends with exactly one manifest line per output it
planned: "ok" with its file, or "error" with a reason and no file.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import augment
from augment.run.options import SetupError

import fake_backend

# A name the file system takes: any bytes but "/" and NUL, not "." or "..", at most 255 bytes.
_BYTE = st.integers(1, 255).filter(lambda b: b != ord("/"))
_STEM = st.lists(_BYTE, min_size=1, max_size=250).map(bytes).filter(lambda b: b not in (b".", b".."))
_ODD_NAMES = st.sampled_from([
    b"x.fake", b"X.FAKE", b"x_aug1.fake", b"x_aug2.fake", b"caf\xe9.fake", b"\xff\xfe.fake", b"manifest.jsonl",
    b"run.json", b"recipe.toml", b"a" * 245 + b".fake", b"b" * 248 + b".fake"])
_NAME = st.one_of(
    _ODD_NAMES,  # collisions, copies' names, the run's own files, too long, not UTF-8
    _STEM.map(lambda stem: stem[:249] + b".fake"),  # handled by the fake backend
    _STEM,  # anything at all (unsupported, or not)
)
_FILE = st.tuples(st.sampled_from([b"", b"sub", b"Sub", b"\xe9t\xe9"]), _NAME, st.binary(max_size=64))


def _toml(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


_ODD = st.one_of(st.integers(-(2**70), 2**70), st.integers(-3, 12), st.floats(allow_nan=True), st.booleans(),
                 st.text(max_size=8))


def _mostly(good):
    """Mostly a value a run takes (so that most examples run), one time in six anything at all."""
    return st.tuples(st.integers(0, 5), good, _ODD).map(lambda t: t[2] if t[0] == 5 else t[1])


_COPIES, _SEED, _WIDTH = _mostly(st.integers(1, 3)), _mostly(st.integers(0, 2**32 - 1)), _mostly(st.integers(1, 8))


@pytest.fixture(scope="module")
def fake():
    fake_backend.install()
    yield
    fake_backend.remove()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(_FILE, max_size=10), copies=_COPIES, seed=_SEED, width=_WIDTH,
       include_originals=st.booleans(), dry_run=st.booleans())
def test_random_names_and_recipes_never_raise_anything_but_a_setup_error(fake, files, copies, seed, width,
                                                                           include_originals, dry_run):
    work = Path(tempfile.mkdtemp(prefix="augment-fuzz-"))
    try:
        src = os.fsencode(work / "in")
        os.makedirs(src)
        for folder, name, data in files:
            where = os.path.join(src, folder) if folder else src
            os.makedirs(where, exist_ok=True)
            with open(os.path.join(where, name), "wb") as fh:
                fh.write(data)
        recipe = work / "recipe.toml"
        recipe.write_text(f"copies = {_toml(copies)}\nseed = {_toml(seed)}\n\n[fake]\n"
                          f"ops = [{{ op = \"Xor\", width = {_toml(width)} }}]\n", encoding="utf-8")
        out = work / "out"
        try:
            summary = augment.augment_dir(os.fsdecode(src), out, recipe=recipe, workers=1, only=["fake"],
                                          include_originals=include_originals, dry_run=dry_run)
        except SetupError as exc:
            event(f"refused: {str(exc).split(': ')[1][:30]}")
            assert str(exc).strip()  # a message, and nothing written
            assert not out.exists() or not any(p.suffix == ".fake" for p in out.rglob("*"))
            return
        event(f"ran: {'dry' if dry_run else 'wet'}, {'some' if summary.failed else 'no'} failures")
        if dry_run:
            assert not out.exists()
            return
        lines = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len({(r["output"], r["source"]) for r in lines}) == len(lines)  # one line per output
        for record in lines:
            path = out / record["output"] if record["output"] is not None else None
            if record["status"] == "ok":
                assert path is not None and _is_file(path)
            else:
                assert record["status"] == "error" and record["error"]
                assert path is None or not _is_file(path) or _twin_kept(record, lines)
        assert summary.written == sum(r["status"] == "ok" for r in lines)
        assert summary.exit_code == (1 if summary.failed else 0)
    finally:
        shutil.rmtree(work)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long to exist
        return False


def _twin_kept(record, lines) -> bool:
    """An error line whose output file exists: another source's output with that name was written."""
    return any(r is not record and r["output"] == record["output"] and r["status"] == "ok" for r in lines)
