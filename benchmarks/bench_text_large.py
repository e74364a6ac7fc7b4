"""Big text files: time and peak memory of a whole ``augment-dir`` process per file, beside nlpaug.

The target (issue 9): a 4 MB one-line file within 20 s and 1 GB, with the
default options (the quality filter) and with ``quality = false`` (nlpaug's
exact SynonymAug). Text of 1 MiB or more is augmented in pieces
(:mod:`augment.backends.text.pieces`), so time and memory grow linearly.

For each size (1, 4 and 8 MB by default) and shape (one line; many lines in
paragraphs), one file is made from the sentences of
``benchmarks/data/text_quality_sentences.txt`` and ``augment-dir IN OUT -n 1
-j 1 -q --only text`` is run on it in a fresh process, once with each recipe;
its wall time and peak RSS (``wait4``'s ``ru_maxrss``; with ``-j 1`` the work is
in that process) are printed, with the pieces the manifest records. The peer:
nlpaug's own ``SynonymAug`` in a fresh process on the same file, in one piece
(import nlpaug, load WordNet through NLTK, augment, write), up to
``--peer-max-mb`` (it is slow) and ``--peer-timeout`` seconds; NLTK's tagger is
replaced by a trivial one, since nlpaug would download it.

Usage: .venv/bin/python benchmarks/bench_text_large.py [--sizes 1,4,8] [--peer-max-mb 1]
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

# The peer, a script running nlpaug's SynonymAug directly: one copy (Python puts a script's folder on sys.path).
from bench_text_start import PEER

BIN = Path(sys.executable).parent
SENTENCES = Path(__file__).with_name("data") / "text_quality_sentences.txt"
MB = 1_000_000
TARGET_SECONDS = 20.0
TARGET_RSS_MB = 1000.0
TARGET_SIZE_MB = 4
EXACT_RECIPE = '[text]\nunit = "file"\n\n[[text.ops]]\nop = "SynonymAug"\nquality = false\n'


def sentences() -> list[str]:
    """The benchmark sentences (comments and section headings left out)."""
    lines = SENTENCES.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def make_text(size: int, one_line: bool) -> str:
    """About ``size`` bytes of English: one line of sentences, or lines in paragraphs of five."""
    pool = sentences()
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        sentence = pool[i % len(pool)]
        sep = " " if one_line else ("\n\n" if i % 5 == 4 else "\n")
        parts.append(sentence + sep)
        total += len(sentence) + len(sep)
        i += 1
    return "".join(parts).rstrip() + "\n"


def run(command: list[str], timeout: float | None = None) -> tuple[float, float, int | None]:
    """Wall seconds, peak RSS (MB) and exit status of ``command`` (None: stopped at ``timeout``)."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return time.perf_counter() - start, usage.ru_maxrss / 1024, None
        time.sleep(0.05)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err}")
    return seconds, usage.ru_maxrss / 1024, proc.returncode


def pieces_of(out: Path) -> str:
    """The pieces the manifest's first output records ("-" for one piece)."""
    record = json.loads((out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[0])
    if record.get("status") != "ok":
        raise SystemExit(f"augment-dir failed on the file: {record.get('error')}")
    return str(record["params"].get("pieces", "-"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,8", help="file sizes in MB, comma-separated")
    parser.add_argument("--shapes", default="one-line,many-lines")
    parser.add_argument("--peer-max-mb", type=float, default=1.0, help="run nlpaug up to this size (0: never)")
    parser.add_argument("--peer-timeout", type=float, default=300.0)
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    shapes = args.shapes.split(",")
    work = Path(tempfile.mkdtemp(prefix="bench-text-large-"))
    try:
        exact = work / "exact.toml"
        exact.write_text(EXACT_RECIPE, encoding="utf-8")
        warm = work / "warm"
        warm.mkdir()
        (warm / "a.txt").write_text("A quick warm-up sentence.\n", encoding="utf-8")
        # Builds the synonym index if this machine has none yet (untimed, as a first run does once).
        run([str(BIN / "augment-dir"), str(warm), str(work / "warm-out"), "-q", "-j", "1"])
        print(f"augment-dir on one text file, whole process, -n 1 -j 1; {os.cpu_count()} CPUs; "
              f"peak RSS = wait4 ru_maxrss")
        print(f"{'file':24}{'run':30}{'seconds':>9}{'peak MB':>9}{'pieces':>8}")
        verdicts = []
        for shape in shapes:
            for size in sizes:
                source = work / f"in-{shape}-{size:g}"
                source.mkdir()
                text = make_text(int(size * MB), one_line=shape == "one-line")
                (source / "big.txt").write_text(text, encoding="utf-8")
                label = f"{size:g} MB {shape}"
                rows = [("augment-dir (quality, default)", []), ("augment-dir (quality = false)",
                                                                 ["--config", str(exact)])]
                for name, extra in rows:
                    out = work / "out"
                    shutil.rmtree(out, ignore_errors=True)
                    command = [str(BIN / "augment-dir"), str(source), str(out), "-n", "1", "-j", "1", "-q",
                               "--only", "text", *extra]
                    seconds, rss, _ = run(command)
                    print(f"{label:24}{name:30}{seconds:>9.1f}{rss:>9.0f}{pieces_of(out):>8}", flush=True)
                    if size == TARGET_SIZE_MB and shape == "one-line":
                        ok = seconds <= TARGET_SECONDS and rss <= TARGET_RSS_MB
                        verdicts.append(f"{label}, {name}: {seconds:.1f} s, {rss:.0f} MB -> "
                                        f"{'met' if ok else 'MISSED'}")
                if 0 < size <= args.peer_max_mb:
                    seconds, rss, status = run([sys.executable, "-c", PEER, str(source / "big.txt"),
                                                str(work / "peer.txt")], timeout=args.peer_timeout)
                    shown = f"{seconds:>9.1f}" if status is not None else f"{'>' + format(seconds, '.0f'):>9}"
                    print(f"{label:24}{'peer: nlpaug SynonymAug':30}{shown}{rss:>9.0f}{'1':>8}", flush=True)
                shutil.rmtree(source)
        print(f"target: a {TARGET_SIZE_MB} MB one-line file within {TARGET_SECONDS:.0f} s and "
              f"{TARGET_RSS_MB:.0f} MB")
        for line in verdicts:
            print(f"  {line}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
