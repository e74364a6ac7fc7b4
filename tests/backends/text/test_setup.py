"""Tests for augment.backends.text.setup: ``python -m augment.backends.text.setup status|setup|download``.

``status`` is the text line of ``augment-dir doctor`` (tests/test_doctor.py checks the two agree).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from augment.backends.text import setup, wordnet
from augment.backends.text.wordnet import FIX_HINT

SYSTEM_WORDNET = Path("/usr/share/wordnet")


def test_cli_status_reports_the_system_wordnet(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NLTK_DATA", "WNHOME", "WNSEARCHDIR")}
    proc = subprocess.run([sys.executable, "-m", "augment.backends.text.setup", "status"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    # The text line of `augment-dir doctor` (status is its alias).
    first = proc.stdout.splitlines()[0]
    assert first.startswith("text: ok: WordNet: ") and "; tagger: " in first and "; synonym index: " in first
    assert proc.stdout.rstrip().endswith("(augment-dir doctor checks every backend)")
    assert not proc.stderr  # nothing else said (no runpy warning, no fallback notice)
    if wordnet._find_nltk_wordnet() is None:
        assert f"system database {SYSTEM_WORDNET}" in proc.stdout


def test_cli_setup_when_already_usable(nltk_path, capsys, real_wordnet_index):
    assert setup.main(["setup"]) == 0
    out = capsys.readouterr().out
    assert "already usable" in out and "WordNet: system database" in out
    assert "Tagger: wordnet-fallback-2" in out
    assert f"Synonym index: {real_wordnet_index.path} (current)" in out and "building" not in out
    assert "get it with: python -m augment.backends.text.setup setup --allow-download" in out


def test_cli_without_wordnet_fails_with_every_fix(nltk_path, private_cache, monkeypatch, capsys):
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    assert setup.main(["status"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("text: FAILED: WordNet: not found") and "problem: WordNet was not found" in err
    for fix in (line.strip() for line in FIX_HINT.splitlines()[1:]):
        assert fix in err  # every fix, each on its line
    assert setup.main(["setup"]) == 1
    err = capsys.readouterr().err
    assert FIX_HINT in err and "neither --allow-download nor --allow-apt" in err


def test_cli_requires_a_command(capsys):
    with pytest.raises(SystemExit) as info:
        setup.main([])
    assert info.value.code == 2
    assert "python -m augment.backends.text.setup" in capsys.readouterr().err


def test_cli_setup_builds_the_index(tmp_path, nltk_path, private_cache, monkeypatch, capsys):
    from backends.text.wordnet_db import write_wordnet

    folder = write_wordnet(tmp_path / "dict")
    os.chmod(folder, 0o755)
    monkeypatch.setattr(wordnet, "SYSTEM_WORDNET_DIRS", ())
    monkeypatch.setenv("WNSEARCHDIR", str(folder))
    assert setup.main(["status"]) == 0
    status = capsys.readouterr().out
    assert "synonym index: not built yet" in status
    assert "a run builds it first (15-30 s, once)" in status and "python -m augment.backends.text.setup setup" in status
    assert setup.main(["setup"]) == 0
    out = capsys.readouterr().out
    assert "building the synonym index" in out and "(current)" in out
