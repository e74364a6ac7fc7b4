"""The README's "In a training loop" section: every Python example in it runs, as a script, and says what it says."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_image

README = Path(__file__).resolve().parents[1] / "README.md"
SECTION = "## In a training loop"


def _blocks() -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION + "\n")
    end = text.find("\n## ", start + len(SECTION))
    section = text[start:end if end >= 0 else None]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


BLOCKS = _blocks()


def test_the_section_has_its_examples():
    joined = "\n".join(BLOCKS)
    assert len(BLOCKS) == 4
    for name in ("augment_batch", "augment_dataset", "Transform(", "augment.stream("):
        assert name in joined


@pytest.mark.parametrize("index", range(len(BLOCKS)), ids=["batch", "tf.data", "pytorch", "stream"][:len(BLOCKS)])
def test_each_example_runs_and_prints_what_its_comments_say(tmp_path, index):
    for number, label in enumerate(["cat", "cat", "dog"]):  # the folder the stream example reads
        write_image(tmp_path / "data" / "train" / label / f"{number:03d}.png", size=(32, 32), seed=number)
    script = tmp_path / "example.py"
    script.write_text(BLOCKS[index], encoding="utf-8")
    # A script of its own: DataLoader workers fork from it (and import it), as from a user's.
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    printed = out.stdout.strip().splitlines()[-1]
    expected = {
        0: "(64, 32, 32, 3) uint8 ",
        1: "<dtype: 'uint8'> (64, 32, 32, 3)",
        2: "torch.Size([64, 3, 32, 32]) torch.uint8",
        3: "dog/002.png 1 (32, 32) dog",
    }[index]
    assert printed.startswith(expected)
