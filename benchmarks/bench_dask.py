"""Benchmark ``augment-dir --dask local`` against ``-j`` with the same number of workers, and print a report.

Run from the repository root::

    .venv/bin/python benchmarks/bench_dask.py [--scale S] [--workers W] [--repeats R]

It builds the corpus of ``bench_pipeline.py`` (at scale 1: 400 JPEG images
512x384, 400 text files, 100 WAV clips) and times, as whole commands, start-up
included (the best of R runs each, alternating):

(a) ``augment-dir CORPUS OUT -n 1 -j W -q`` (a process pool);
(b) ``augment-dir CORPUS OUT -n 1 -j W --dask local -q`` (a Dask LocalCluster
    of W single-threaded worker processes, made and closed by the run);

prints both throughputs and the ratio (b)/(a), target >= 0.85, and checks that
the two outputs are byte-identical. A report, not a test: it exits 0 whatever
the figures are.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import BASE_COUNTS, build_corpus, count_outputs, find_cli, tree_digest  # noqa: E402

TARGET = 0.85


def timed(cmd: list[str], out: Path) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, count_outputs(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="corpus size relative to 900 files")
    parser.add_argument("--workers", type=int, default=2, help="worker processes for both (default 2)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each; the best counts (default 2)")
    args = parser.parse_args(argv)
    cli = find_cli()
    if cli is None:
        raise SystemExit("augment-dir is not installed in this environment (make install)")
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp:
        root = Path(tmp)
        counts = {m: max(1, round(n * args.scale)) for m, n in BASE_COUNTS.items()}
        build_corpus(root / "corpus", counts)
        files = sum(counts.values())
        base = [cli, str(root / "corpus")]
        pool, dask = [], []
        for _ in range(args.repeats):
            pool.append(timed(base + [str(root / "pool"), "-n", "1", "-j", str(args.workers), "-q"], root / "pool"))
            dask.append(timed(base + [str(root / "dask"), "-n", "1", "-j", str(args.workers), "--dask", "local",
                                      "-q"], root / "dask"))
        best_pool, best_dask = min(t for t, _ in pool), min(t for t, _ in dask)
        same = tree_digest(root / "pool") == tree_digest(root / "dask")
        ratio = best_pool / best_dask
        print(f"corpus: {files} files ({', '.join(f'{n} {m}' for m, n in counts.items())}), "
              f"{args.workers} workers, best of {args.repeats}")
        print(f"  -j {args.workers}:                 {best_pool:6.2f} s  {files / best_pool:6.1f} files/s")
        print(f"  -j {args.workers} --dask local:    {best_dask:6.2f} s  {files / best_dask:6.1f} files/s")
        print(f"  --dask local / -j {args.workers}:  {ratio:.2f}x  (target >= {TARGET}: "
              f"{'PASS' if ratio >= TARGET else 'MISS'})")
        print(f"  outputs byte-identical:  {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
