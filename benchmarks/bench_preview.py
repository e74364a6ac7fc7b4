"""How long ``augment-dir preview`` takes on a finished mixed OUTPUT, and on one with a huge manifest.

Run from the repository root::

    .venv/bin/python benchmarks/bench_preview.py [--lines N] [--keep DIR]

(a) A mixed INPUT (60 JPEG photos of 640x480, 60 text files of a few
    sentences, 20 one-second WAV clips, in class folders) is augmented for real
    (``-n 3``); then ``augment-dir preview OUTPUT`` (PNG) and ``-o sheet.html``
    are timed as whole commands, best of 3, and the sheet's size and sections
    reported. Acceptance (issue 14): a PNG of at least 800x400 with all three
    modalities, in under 10 s.
(b) The same OUTPUT with its manifest grown to N lines (default 1,000,000; each
    added line names another source whose copy is one of the real copies), as
    a huge OUTPUT's manifest would be: the preview streams it (or, above 128 MB,
    reads seeded blocks of it) and decodes only what it shows.

It is a report, not a test: exit status 0 whatever the figures (2: bad arguments).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))
SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the quiet river bank.",
    "A happy child reads a good book about brave sailors and distant islands.",
    "This movie was wonderful, the actors were great and the story moved me.",
    "I found the service slow and the food cold, a truly disappointing evening.",
]
TARGET_SECONDS = 10.0
MIN_SIZE = (800, 400)


def make_input(root: Path) -> None:
    import soundfile
    from PIL import Image

    rng = np.random.default_rng(0)
    for i in range(60):
        folder = root / "images" / ("cat" if i % 2 else "dog")
        folder.mkdir(parents=True, exist_ok=True)
        yy, xx = np.mgrid[0:480, 0:640]
        base = ((xx + yy * 2 + i * 40) % 256).astype(np.uint8)
        rgb = np.stack([base, np.roll(base, 50, axis=1), 255 - base], axis=-1)
        rgb[100:300, 200:400] = rng.integers(0, 255, 3, dtype=np.uint8)
        Image.fromarray(rgb).save(folder / f"img_{i:03d}.jpg", quality=90)
    for i in range(60):
        folder = root / "text" / ("pos" if i % 2 else "neg")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc_{i:03d}.txt").write_text(" ".join(SENTENCES[(i + k) % 4] for k in range(3)) + "\n")
    for i in range(20):
        folder = root / "audio" / ("yes" if i % 2 else "no")
        folder.mkdir(parents=True, exist_ok=True)
        t = np.arange(16000) / 16000
        soundfile.write(folder / f"clip_{i:03d}.wav", (0.4 * np.sin(2 * np.pi * (200 + 20 * i) * t)), 16000)


def timed(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    best, proc = float("inf"), None
    for _ in range(3):
        started = time.perf_counter()
        proc = subprocess.run([SCRIPT, *args], capture_output=True, text=True, cwd=cwd)
        best = min(best, time.perf_counter() - started)
        if proc.returncode != 0:
            break
    assert proc is not None
    return best, proc


def report(label: str, seconds: float, proc: subprocess.CompletedProcess[str], sheet: Path) -> None:
    from PIL import Image

    if proc.returncode != 0:
        print(f"{label}: FAILED (exit {proc.returncode}): {proc.stderr.strip()}")
        return
    if sheet.suffix == ".png":
        with Image.open(sheet) as picture:
            size = picture.size
        big = size[0] >= MIN_SIZE[0] and size[1] >= MIN_SIZE[1]
        shape = f"{size[0]}x{size[1]} px ({'>=' if big else '<'} 800x400)"
    else:
        shape = f"{sheet.stat().st_size / 1e6:.1f} MB"
        big = True
    fast = seconds < TARGET_SECONDS
    text = sheet.read_bytes() if sheet.suffix == ".html" else b""
    sections = [m for m in ("image", "text", "audio") if not text or f"<h2>{m}:".encode() in text]
    verdict = "PASS" if fast and big and len(sections) == 3 else "MISS"
    print(f"{label}: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s), {shape}; {verdict}")
    for line in proc.stderr.splitlines():
        print(f"    {line}")


def grow_manifest(output: Path, lines: int) -> None:
    """Append lines naming other sources (their copies: the real copy files), up to ``lines`` in all."""
    path = output / "manifest.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    copies = [r for r in records if r["copy"] >= 1]
    with open(path, "a", encoding="utf-8") as fh:
        for i in range(lines - len(records)):
            record = dict(copies[i % len(copies)])
            folder, name = record["source"].rsplit("/", 1)
            record["source"] = f"{folder}/x{i:07d}_{name}"
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="manifest lines for (b) (default 1,000,000)")
    parser.add_argument("--keep", type=Path, default=None, help="keep INPUT, OUTPUT and the sheets here")
    args = parser.parse_args(argv)
    if args.lines < 1000:
        parser.error("--lines must be at least 1000")
    work = Path(tempfile.mkdtemp(prefix="bench-preview-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        make_input(work / "in")
        started = time.perf_counter()
        subprocess.run([SCRIPT, str(work / "in"), str(work / "out"), "-n", "3", "-q"], check=True)
        print(f"# bench_preview: {os.cpu_count()} CPUs; mixed OUTPUT made in {time.perf_counter() - started:.1f} s "
              f"(60 photos 640x480, 60 texts, 20 clips; -n 3)")
        lines = sum(1 for _ in open(work / "out" / "manifest.jsonl", "rb"))
        seconds, proc = timed("preview", str(work / "out"), "-o", str(work / "sheet.png"), cwd=work)
        report(f"(a) preview PNG, {lines} manifest lines", seconds, proc, work / "sheet.png")
        seconds, proc = timed("preview", str(work / "out"), "-o", str(work / "sheet.html"), cwd=work)
        report(f"(a) preview HTML, {lines} manifest lines", seconds, proc, work / "sheet.html")
        grow_manifest(work / "out", args.lines)
        size = (work / "out" / "manifest.jsonl").stat().st_size
        seconds, proc = timed("preview", str(work / "out"), "-o", str(work / "huge.png"), cwd=work)
        report(f"(b) preview PNG, {args.lines:,} manifest lines ({size / 1e6:.0f} MB)", seconds, proc,
               work / "huge.png")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
