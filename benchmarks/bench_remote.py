"""Benchmark planning and resuming over a large listing: a local tree and the same tree in S3 (a moto server).

Run from the repository root::

    .venv/bin/python benchmarks/bench_remote.py [--sizes 20000,200000] [--per-folder 1000]
                                                [--where local,s3] [--json PATH] [--keep DIR]

For each size N it makes INPUT, N image sources in folders of ``--per-folder``
(empty files: neither planning nor a resume opens a source), and a finished
OUTPUT of the same N: the N outputs, and the manifest, recipe.toml and
run.json a real run writes (the manifest's lines are a real run's line for a
real image, repeated with each output's own source, name and seed). Then it
measures, each in a fresh process of its own (the run's own process: the
figures are its own, and no worker is started):

(a) planning: ``iter_augment(INPUT, a fresh OUTPUT, dry_run=True)`` consumed
    to the end (the count before the run, the walk, and the plan of every output);
(b) resume: ``augment_dir(INPUT, the finished OUTPUT)``, which must skip all N.

Each is timed (wall and CPU seconds of the process) and its peak RSS taken
(``VmHWM``). The targets: planning memory flat (within 10 %) from the
smallest size to the largest, and a resume of a finished OUTPUT in S3 making
one listing per prefix and no request per file.

S3 is a moto server in a process of its own, on loopback. Its objects are
made through moto's own S3 backend in that process before it serves (putting
400,000 objects through HTTP one by one would take an hour of the server's
time, and measures nothing of augment-dir); everything the run does goes
through the S3 API over HTTP, via s3fs. The server logs every request, and the
report counts them per kind and per prefix for each measured run. A listing
in moto scans the whole bucket for every page, so the wall time of S3 runs is
mostly the server's; the CPU time is the run's own.

It is a report, not a test: the exit status is 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

TARGET_MEMORY_TOLERANCE = 0.10
SEED = 0
IN_BUCKET, OUT_BUCKET = "bench-in", "bench-out"
RUN_FILES = ("manifest.jsonl", "recipe.toml", "run.json")
# moto's request log: '127.0.0.1 - - [date] "GET /bucket?list-type=2&prefix=... HTTP/1.1" 200 -'
_REQUEST = re.compile(r'"(GET|PUT|HEAD|POST|DELETE) (/[^ ]*) HTTP/1\.1" (\d+)')
# werkzeug colours some log lines (by status) with ANSI escapes.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


# ----------------------------------------------------------------------------- the corpus


def _rels(n: int, per_folder: int) -> list[str]:
    return [f"d{i // per_folder:04d}/f{i:07d}.png" for i in range(n)]


def _finished_run(n: int, per_folder: int, work: Path) -> dict[str, Any]:
    """What a finished run over the N sources writes: output names, manifest bytes, recipe.toml, run.json.

    The manifest line is a real run's, for a real image; each output's line
    carries its own source, name and seed.
    """
    import augment
    from augment.run.plan import output_name
    from augment.run.recipe import Recipe

    sample = work / "sample"
    if not (sample / "out" / "manifest.jsonl").exists():
        from PIL import Image

        (sample / "in").mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (64, 48), (90, 140, 200)).save(sample / "in" / "x.png")
        augment.augment_dir(sample / "in", sample / "out", copies=1, seed=SEED, workers=1, only=["image"])
    template = json.loads((sample / "out" / "manifest.jsonl").read_text().splitlines()[0])
    state = json.loads((sample / "out" / "run.json").read_text())
    lines = []
    outputs = []
    for rel in _rels(n, per_folder):
        out = output_name(rel, 1)
        outputs.append(out)
        record = {**template, "source": rel, "output": out, "seed": augment.derive_seed(SEED, rel, 1)}
        lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    state["counts"] = {"image": {"ok": n}}
    recipe = Recipe.default().replace(seed=SEED, copies=1)
    return {"outputs": outputs, "manifest": "".join(lines), "recipe": recipe.to_toml(),
            "run": json.dumps(state, indent=2) + "\n"}


def _local_tree(root: Path, n: int, per_folder: int, finished: dict[str, Any]) -> None:
    for rel in _rels(n, per_folder):
        path = root / "in" / rel
        if path.parent.name != getattr(_local_tree, "_made", None):
            path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    for rel in finished["outputs"]:
        path = root / "out" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    (root / "out" / "manifest.jsonl").write_text(finished["manifest"], encoding="utf-8")
    (root / "out" / "recipe.toml").write_text(finished["recipe"], encoding="utf-8")
    (root / "out" / "run.json").write_text(finished["run"], encoding="utf-8")


# ----------------------------------------------------------------------------- the S3 server


def _serve(port: int, spec_path: str) -> None:
    """Fill moto's S3 backend in this process (INPUT, a finished OUTPUT), then serve it on loopback."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import main

    spec = json.loads(Path(spec_path).read_text())
    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for bucket in (IN_BUCKET, OUT_BUCKET):
        backend.create_bucket(bucket, "us-east-1")
    for rel in _rels(spec["n"], spec["per_folder"]):
        backend.put_object(IN_BUCKET, f"train/{rel}", b"")
    for rel in spec["outputs"]:
        backend.put_object(OUT_BUCKET, f"aug/{rel}", b"")
    for name, text in (("manifest.jsonl", spec["manifest"]), ("recipe.toml", spec["recipe"]),
                       ("run.json", spec["run"])):
        backend.put_object(OUT_BUCKET, f"aug/{name}", text.encode("utf-8"))
    del spec
    print("ready", flush=True)
    main(["-H", "127.0.0.1", "-p", str(port)])


class Server:
    """A populated moto server in its own process, with its request log."""

    def __init__(self, work: Path, n: int, per_folder: int, finished: dict[str, Any]) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        spec = work / "spec.json"
        spec.write_text(json.dumps({"n": n, "per_folder": per_folder, **finished}))
        self.log = work / f"moto-{n}.log"
        started = time.monotonic()
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(self.port), str(spec)],
                                     stdout=subprocess.PIPE, stderr=open(self.log, "wb"), text=True)
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the moto server did not start: {self.log.read_text()[-2000:]}")
        self._marker("up")
        self.populate_seconds = time.monotonic() - started
        spec.unlink()

    def _marker(self, name: str) -> None:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{self.endpoint}/bench-marker-{name}", timeout=5)
            except urllib.error.HTTPError:
                return  # 404: the server answered, and logged the marker
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
            else:
                return

    def requests_during(self, name: str, run: Any) -> tuple[Any, list[tuple[str, str, str]]]:
        """Run ``run()`` between two markers; return its result and the requests logged between them."""
        self._marker(f"{name}-start")
        result = run()
        self._marker(f"{name}-end")
        deadline = time.monotonic() + 30
        while f"bench-marker-{name}-end" not in (text := self.log.read_text(errors="replace")):
            if time.monotonic() > deadline:
                raise RuntimeError("the server's log never showed the end marker")
            time.sleep(0.1)
        section = text.split(f"bench-marker-{name}-start", 1)[1].split(f"bench-marker-{name}-end", 1)[0]
        return result, _REQUEST.findall(_ANSI.sub("", section))

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _env(server: Server | None) -> dict[str, str]:
    env = {**os.environ, "AUGMENT_DIR_CACHE": os.environ.get("AUGMENT_DIR_CACHE", ""),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    if not env["AUGMENT_DIR_CACHE"]:
        del env["AUGMENT_DIR_CACHE"]
    if server is not None:
        env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret", AWS_DEFAULT_REGION="us-east-1",
                   AWS_ENDPOINT_URL=server.endpoint, AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    return env


# ----------------------------------------------------------------------------- the measured run


def _child(kind: str, source: str, target: str) -> None:
    """One measured run, in this process; prints its figures as JSON."""
    import warnings

    warnings.simplefilter("ignore")
    started, cpu = time.monotonic(), time.process_time()
    import augment

    counts: Counter[str] = Counter()
    if kind == "plan":
        for result in augment.iter_augment(source, target, copies=1, seed=SEED, workers=1, only=["image"],
                                           dry_run=True):
            counts[result.status] += 1
    else:
        summary = augment.augment_dir(source, target, copies=1, seed=SEED, workers=1, only=["image"])
        counts.update({status: summary.total(status) for status in ("ok", "skipped", "error")})
    print(json.dumps({"seconds": time.monotonic() - started, "cpu": time.process_time() - cpu,
                      "peak_rss_mb": _peak_rss_mb(), "counts": dict(counts)}))


def _peak_rss_mb() -> float:
    """This process's peak RSS since it started its program.

    Not ``ru_maxrss``: Linux carries that across ``exec`` from the process that
    forked us (the parent's size), whereas ``VmHWM`` belongs to this program's own memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(kind: str, source: str, target: str, env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, __file__, "--child", kind, source, target], env=env,
                          capture_output=True, text=True, timeout=7200)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {source} -> {target} failed:\n{proc.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def _classify(requests: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Requests by kind, and listings per (bucket, prefix)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    kinds: Counter[str] = Counter()
    listings: Counter[str] = Counter()
    per_object: Counter[str] = Counter()
    for method, target, _status in requests:
        parts = urlsplit(target)
        bucket, _, key = unquote(parts.path).lstrip("/").partition("/")
        query = parse_qs(parts.query, keep_blank_values=True)
        if method == "GET" and "list-type" in query:
            kinds["ListObjectsV2"] += 1
            listings[f"{bucket}/{query.get('prefix', [''])[0]}"] += 1
        else:
            kinds[f"{method} object"] += 1
            # Not the run's own files, nor OUTPUT's own name (one HEAD says no object has it).
            if key and "/" in key and key.rsplit("/", 1)[-1] not in RUN_FILES and ".augment-dir" not in key:
                per_object[f"{method} {bucket}/{key}"] += 1
    return {"kinds": dict(kinds), "listings": dict(listings), "per_object": dict(per_object)}


# ----------------------------------------------------------------------------- the report


def _report(results: dict[str, Any], sizes: list[int]) -> None:
    print("\nTimes are the run's own process (wall / CPU); memory is its peak RSS.\n")
    header = f"{'':34}" + "".join(f"{n:>24,}" for n in sizes) + f"{'ratio':>10}"
    for kind in ("plan", "resume"):
        print(f"{'planning (dry run, fresh OUTPUT)' if kind == 'plan' else 'resume of a finished OUTPUT'}")
        print(header)
        for where in ("local", "s3"):
            rows = [results.get(f"{where}-{kind}-{n}") for n in sizes]
            if not all(rows):
                continue
            cells = "".join(f"{r['seconds']:>9.1f} s /{r['cpu']:>6.1f} s cpu" for r in rows)
            print(f"  {where:8} time{'':21}{cells}")
            mems = [r["peak_rss_mb"] for r in rows]
            ratio = mems[-1] / mems[0]
            verdict = ""
            if kind == "plan":
                verdict = "  PASS" if abs(ratio - 1) <= TARGET_MEMORY_TOLERANCE else "  MISS"
            print(f"  {where:8} peak RSS{'':17}" + "".join(f"{m:>21.1f} MB" for m in mems)
                  + f"{ratio:>9.2f}x{verdict}")
            counts = "".join(f"{json.dumps(r['counts'], sort_keys=True):>24}" for r in rows)
            print(f"  {where:8} results{'':18}{counts}")
        print()
    for n in sizes:
        for kind in ("plan", "resume"):
            row = results.get(f"s3-{kind}-{n}")
            if not row:
                continue
            req = row["requests"]
            listings = req["listings"]
            out_prefix = f"{OUT_BUCKET}/aug/" if kind == "resume" else f"{OUT_BUCKET}/fresh/"
            input_lists = {k: v for k, v in listings.items() if k.startswith(f"{IN_BUCKET}/")}
            walks = Counter(input_lists.values())
            print(f"S3 requests, {kind} of {n:,}: {json.dumps(req['kinds'], sort_keys=True)}")
            keys = n + len(RUN_FILES) if kind == "resume" else 0
            print(f"  OUTPUT {out_prefix}: {listings.get(out_prefix, 0)} ListObjectsV2 request(s) for {keys:,} keys "
                  f"(one listing, in pages of 1,000 keys: {max(1, -(-keys // 1000))})")
            print(f"  INPUT: {len(input_lists)} prefixes listed; {{times listed: prefixes}} "
                  f"{dict(sorted(walks.items()))} (twice each: the count before the run, then the run's walk; "
                  f"INPUT's own prefix once more, for one key that says it is a folder)")
            print(f"  requests for single outputs or sources (HEAD/GET/PUT of one file): "
                  f"{sum(req['per_object'].values())}")
    print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000")
    parser.add_argument("--per-folder", type=int, default=1000)
    parser.add_argument("--where", default="local,s3")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    parser.add_argument("--keep", default=None, help="build in this folder and keep it")
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    where = args.where.split(",")
    work = Path(args.keep or tempfile.mkdtemp(prefix="augment-bench-remote-"))
    work.mkdir(parents=True, exist_ok=True)
    # One cache for every measured process: the image backend prepares nothing heavy, but keep it private.
    os.environ.setdefault("AUGMENT_DIR_CACHE", str(work / "cache"))
    results: dict[str, Any] = {}
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; sources in folders of {args.per_folder:,}")
    try:
        for n in sizes:
            finished = _finished_run(n, args.per_folder, work)
            if "local" in where:
                root = work / f"local-{n}"
                t = time.monotonic()
                _local_tree(root, n, args.per_folder, finished)
                print(f"local tree of {n:,} sources and a finished OUTPUT made in {time.monotonic() - t:.1f} s")
                results[f"local-plan-{n}"] = _measure("plan", str(root / "in"), str(root / "fresh"), _env(None))
                results[f"local-resume-{n}"] = _measure("resume", str(root / "in"), str(root / "out"), _env(None))
                if not args.keep:
                    shutil.rmtree(root)
            if "s3" in where:
                server = Server(work, n, args.per_folder, finished)
                print(f"moto server with {n:,} sources and a finished OUTPUT of {n:,} ready in "
                      f"{server.populate_seconds:.1f} s")
                try:
                    env = _env(server)
                    for kind, target in (("plan", "fresh"), ("resume", "aug")):
                        figures, requests = server.requests_during(
                            f"{kind}-{n}", lambda k=kind, t=target, e=env: _measure(
                                k, f"s3://{IN_BUCKET}/train", f"s3://{OUT_BUCKET}/{t}", e))
                        figures["requests"] = _classify(requests)
                        results[f"s3-{kind}-{n}"] = figures
                finally:
                    server.stop()
            del finished
            for key, value in results.items():
                if key.endswith(f"-{n}"):
                    print(f"  {key}: {value['seconds']:.1f} s, {value['peak_rss_mb']:.1f} MB, {value['counts']}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    _report(results, sizes)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        _serve(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit(main())
