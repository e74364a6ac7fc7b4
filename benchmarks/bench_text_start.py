"""Start-up of a text run: ``augment-dir IN OUT --only text`` over one small file, whole process, beside nlpaug.

The target: a one-file text run with default options in at most 1.0 s. Each
command runs in a fresh process, as a user runs it (the synonym index is built
by a first, untimed run, as the first run on a machine does once); best and
median of ``--repeat`` runs are printed, with:

* ``augment-dir IN OUT --only text`` (default options: quality filter, the
  workers the machine has), with ``-j 1``, and with ``quality = false``;
* the peer: nlpaug's own SynonymAug in a fresh process (import nlpaug, load
  WordNet through NLTK, augment the same text, write it), the way a script
  using nlpaug directly starts; NLTK's tagger is replaced by a trivial one,
  since nlpaug would download it (its tagging costs little next to the loading).

Usage: .venv/bin/python benchmarks/bench_text_start.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEXT = "The quick brown fox jumps over the lazy dog near the quiet river bank.\n" \
       "John said he can't find the keys he lost in Paris last week.\n"
BIN = Path(sys.executable).parent
PEER = """
import sys
from augment.backends.text import wordnet
wordnet.ensure_wordnet()  # NLTK's data, or the copy of the system WordNet, as nlpaug would need it
import nlpaug.augmenter.word as naw
aug = naw.SynonymAug()
aug.model.pos_tag = lambda tokens: [(t, "NN") for t in tokens]
text = open(sys.argv[1], encoding="utf-8").read()
open(sys.argv[2], "w", encoding="utf-8").write(aug.augment(text)[0])
"""


def timed(command: list[str], repeat: int, before: object = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if callable(before):
            before()
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-text-start-"))
    try:
        source = work / "in"
        source.mkdir()
        (source / "review.txt").write_text(TEXT, encoding="utf-8")
        out = work / "out"
        exact = work / "exact.toml"
        exact.write_text('[text]\nunit = "file"\n\n[[text.ops]]\nop = "SynonymAug"\nquality = false\n',
                         encoding="utf-8")

        def clean() -> None:
            shutil.rmtree(out, ignore_errors=True)

        command = [str(BIN / "augment-dir"), str(source), str(out), "--only", "text", "-q"]
        timed(command, 1, clean)  # builds the synonym index if this machine has none yet
        rows = {
            "augment-dir IN OUT --only text": timed(command, args.repeat, clean),
            "augment-dir ... -j 1": timed([*command, "-j", "1"], args.repeat, clean),
            "augment-dir ... (quality = false)": timed([*command, "--config", str(exact)], args.repeat, clean),
            "peer: nlpaug SynonymAug script": timed(
                [sys.executable, "-c", PEER, str(source / "review.txt"), str(work / "peer.txt")], args.repeat),
        }
        print(f"one text file ({len(TEXT)} bytes), whole process, {args.repeat} runs each, "
              f"{os.cpu_count()} CPUs")
        print(f"{'':40}{'best':>8}{'median':>9}")
        for label, times in rows.items():
            print(f"{label:40}{min(times):>7.2f}s{statistics.median(times):>8.2f}s")
        default = statistics.median(rows["augment-dir IN OUT --only text"])
        print(f"target: <= 1.00 s (median, default options): {'met' if default <= 1.0 else 'MISSED'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
