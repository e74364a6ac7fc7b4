"""Benchmark augment-dir against a naive loop over the same backends, and print a report.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pipeline.py [--scale S] [--keep DIR] [--json PATH]
                                                  [--modalities image,text,audio]

It builds a deterministic synthetic corpus in a temporary folder (at scale 1:
400 JPEG images 512x384 in two class folders, 400 text files of a few sentences,
100 WAV clips of 1 s at 16 kHz) and measures:

(a) a naive single-process loop, run and timed as a whole process like the
    command: one augmenter per modality built with ``augment.augmenter_for``
    when its first file comes up, then ``aug.augment_file(src, dst, seed=...)``
    per file (one copy, the seeds ``augment-dir --seed 0`` uses) into a mirror;
(b) ``augment-dir INPUT OUTPUT -n 1 -j 1 -q`` and (c) the same with ``-j 2``, each
    timed as a whole command, and their speed-ups over (a);
(d) ``augment-dir --help`` wall time (best of 5);
(e) the peak RSS of the ``augment-dir`` process itself (not its workers) over N
    tiny files and over 10*N, polled every 20 ms with psutil.

Each figure is printed with its target and PASS/MISS. It is a report, not a
test: the exit status is 0 whatever the figures are (2 only for bad arguments).
Needs psutil for (e) (``.venv/bin/pip install psutil``; the ``test`` extra has it).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# TensorFlow's start-up chatter would drown the report; set before anything imports
# it, and inherited by every augment-dir process we start.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

MODALITIES = ("image", "text", "audio")
BASE_COUNTS = {"image": 400, "text": 400, "audio": 100}
IMAGE_SIZE = (512, 384)
SAMPLE_RATE = 16_000
MEMORY_BASE_FILES = 200
HELP_REPEATS = 5
RSS_POLL_SECONDS = 0.02
STARTUP_FILES_PER_MODALITY = 4
# What a run writes beside its outputs.
RUN_FILES = ("manifest.jsonl", "recipe.toml", "run.json")

TARGET_J2_SPEEDUP = 1.8
TARGET_J1_SPEEDUP = 0.9
TARGET_HELP_SECONDS = 0.3
TARGET_RSS_TOLERANCE = 0.10

# Plain, common words so WordNet has synonyms for many of them.
ADJECTIVES = ["quick", "happy", "quiet", "large", "small", "bright", "old", "new", "strong", "gentle",
              "clever", "brave", "cold", "warm", "simple", "famous", "heavy", "calm", "dark", "fresh"]
NOUNS = ["dog", "child", "teacher", "city", "river", "house", "car", "garden", "book", "friend",
         "doctor", "film", "story", "road", "market", "village", "song", "window", "machine", "forest"]
VERBS = ["finds", "watches", "builds", "carries", "opens", "follows", "helps", "paints", "reads", "visits",
         "leaves", "enjoys", "cleans", "describes", "chooses", "moves", "changes", "holds", "meets", "starts"]
ADVERBS = ["slowly", "quickly", "happily", "carefully", "quietly", "often", "again", "early", "today", "gladly"]


# ----------------------------------------------------------------------------- corpus


def _image(index: int, size: tuple[int, int] = IMAGE_SIZE):
    """A photo-like picture: a smooth gradient, low-frequency waves, shapes and sensor-like noise."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng([20240521, index])
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    t = (x / w) * math.cos(angle) + (y / h) * math.sin(angle)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    c0, c1 = rng.uniform(0, 255, (2, 3)).astype(np.float32)
    pixels = c0 + (c1 - c0) * t[..., None]
    for _ in range(3):
        fx, fy = rng.uniform(0.002, 0.03, 2) * 2 * math.pi
        wave = np.sin(fx * x + fy * y + rng.uniform(0, 2 * math.pi))
        pixels += wave[..., None] * rng.uniform(-30, 30, 3).astype(np.float32)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(6, 14))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        x0, y0 = rng.uniform(-0.1, 0.9, 2) * (w, h)
        dx, dy = rng.uniform(0.05, 0.4, 2) * (w, h)
        kind = int(rng.integers(0, 3))
        if kind == 0:
            draw.ellipse((x0, y0, x0 + dx, y0 + dy), fill=colour)
        elif kind == 1:
            draw.rectangle((x0, y0, x0 + dx, y0 + dy), fill=colour)
        else:
            points = [tuple(p) for p in (rng.uniform(0, 1, (3, 2)) * (w, h))]
            draw.polygon(points, fill=colour)
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, 5, (h, w, 3)).astype(np.float32)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), "RGB")


def _sentence(rng: random.Random) -> str:
    a, n, v, a2, n2, adv = (rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(VERBS),
                            rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(ADVERBS))
    return f"The {a} {n} {v} the {a2} {n2} {adv}."


def _text(index: int, sentences: tuple[int, int] = (3, 5)) -> str:
    rng = random.Random(index)
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences))) + "\n"


def _clip(index: int, seconds: float = 1.0) -> np.ndarray:
    """A 16 kHz mono clip: two tones, a chirp and a little noise, float32."""
    rng = np.random.default_rng([16000, index])
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    f0, f1, f2 = rng.uniform(150, 1200, 3)
    signal = 0.4 * np.sin(2 * math.pi * f0 * t) + 0.2 * np.sin(2 * math.pi * f1 * t)
    signal += 0.2 * np.sin(2 * math.pi * (f2 * t + 300 * t * t))
    signal += rng.normal(0, 0.01, t.size)
    return (0.8 * signal / np.max(np.abs(signal))).astype(np.float32)


def _class_folders(root: Path, modality: str, count: int) -> Iterator[tuple[int, Path]]:
    """Spread ``count`` files over two class folders: yields (index, folder)."""
    classes = {"image": ("cat", "dog"), "text": ("pos", "neg"), "audio": ("yes", "no")}[modality]
    for index in range(count):
        folder = root / modality / classes[index % 2]
        folder.mkdir(parents=True, exist_ok=True)
        yield index, folder


def build_corpus(root: Path, counts: dict[str, int]) -> dict[str, Any]:
    """Write the benchmark corpus under ``root``; return counts and sizes by modality."""
    import soundfile as sf

    stats: dict[str, Any] = {}
    for modality, count in counts.items():
        total_bytes = 0
        for index, folder in _class_folders(root, modality, count):
            if modality == "image":
                path = folder / f"img_{index:05d}.jpg"
                _image(index).save(path, format="JPEG", quality=90)
            elif modality == "text":
                path = folder / f"doc_{index:05d}.txt"
                path.write_bytes(_text(index).encode("utf-8"))
            else:
                path = folder / f"clip_{index:05d}.wav"
                sf.write(path, _clip(index), SAMPLE_RATE, subtype="PCM_16")
            total_bytes += path.stat().st_size
        stats[modality] = {"files": count, "bytes": total_bytes}
    return stats


def build_tiny_corpus(root: Path, modality: str, count: int) -> None:
    """``count`` tiny files of one modality (for the memory figure, where only the count matters)."""
    import soundfile as sf

    for index, folder in _class_folders(root, modality, count):
        if modality == "text":
            (folder / f"t_{index:05d}.txt").write_bytes((_sentence(random.Random(index)) + "\n").encode())
        elif modality == "audio":
            sf.write(folder / f"a_{index:05d}.wav", _clip(index, seconds=0.05), SAMPLE_RATE, subtype="PCM_16")
        else:
            _image(index, size=(32, 24)).save(folder / f"i_{index:05d}.png")


# ----------------------------------------------------------------------------- measuring


def iter_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every visible file under ``root`` in a stable order: (path, POSIX path relative to root)."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                path = Path(folder, name)
                yield path, path.relative_to(root).as_posix()


def aug_name(rel: str, copy: int) -> str:
    """``cat/001.jpg`` -> ``cat/001_aug1.jpg`` (augment-dir's naming)."""
    head, _, name = rel.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    new = f"{stem}_aug{copy}.{suffix}" if dot else f"{name}_aug{copy}"
    return f"{head}/{new}" if head else new


def naive_loop(corpus: Path, out: Path) -> dict[str, Any]:
    """(a), run in its own process: the loop a user would write over the same backends.

    One augmenter per modality, built when its first file comes up, then
    ``augment_file`` per file in sorted order into a mirror folder. Its own
    timings split the whole into the first file of each modality (which loads
    the backend: TensorFlow, WordNet) and the rest.
    """
    import warnings

    import augment
    from augment.core.notices import RunNotice

    warnings.simplefilter("ignore", RunNotice)  # said once per run by augment-dir too
    augmenters: dict[str, Any] = {}
    per_modality: dict[str, list[float]] = {}
    first_file: dict[str, float] = {}
    errors: list[str] = []
    made_dirs: set[Path] = set()
    for path, rel in iter_files(corpus):
        modality = augment.modality_for(path)
        if modality is None:
            continue
        t0 = time.perf_counter()
        augmenter = augmenters.get(modality)
        if augmenter is None:
            augmenter = augmenters[modality] = augment.augmenter_for(path)
        dst = out / aug_name(rel, 1)
        if dst.parent not in made_dirs:
            dst.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(dst.parent)
        try:
            augmenter.augment_file(path, dst, seed=augment.derive_seed(0, rel, 1))
        except Exception as exc:  # a report: count the failure and go on, as the CLI does
            errors.append(f"{rel}: {type(exc).__name__}: {exc}")
        spent = time.perf_counter() - t0
        if modality not in first_file:
            first_file[modality] = spent
            continue
        counts = per_modality.setdefault(modality, [0, 0.0])
        counts[0] += 1
        counts[1] += spent
    return {
        "first_file_seconds": first_file,
        "by_modality": {m: {"files": n, "seconds": s, "files_per_s": n / s if s > 0 else 0.0}
                        for m, (n, s) in per_modality.items()},
        "errors": errors,
    }


def run_naive(corpus: Path, out: Path, expected: int) -> dict[str, Any]:
    """Time the naive loop as a whole process (interpreter, imports and all), like the CLI runs."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--naive-child", str(corpus), str(out)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"naive loop exit status {proc.returncode}: {_tail(proc.stderr)}")
    inner = json.loads(proc.stdout.strip().splitlines()[-1])
    steady_files = sum(m["files"] for m in inner["by_modality"].values())
    steady_seconds = sum(m["seconds"] for m in inner["by_modality"].values())
    return {**inner, "command": " ".join(cmd), "files": expected, "seconds": elapsed,
            "files_per_s": expected / elapsed if elapsed > 0 else 0.0,
            "steady_files_per_s": steady_files / steady_seconds if steady_seconds > 0 else 0.0}


def find_cli() -> str | None:
    """The installed ``augment-dir`` console script: beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "augment-dir"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("augment-dir")


def _tail(text: str, lines: int = 3) -> str:
    """The last few non-empty lines of a command's stderr, on one line."""
    kept = [line.strip() for line in text.splitlines() if line.strip()][-lines:]
    return " | ".join(kept) or "(no message)"


def count_outputs(out: Path) -> int:
    return sum(1 for _, rel in iter_files(out) if rel not in RUN_FILES)


def run_cli(cli: str, corpus: Path, out: Path, workers: int, expected: int) -> dict[str, Any]:
    """(b)/(c): time the whole ``augment-dir`` command, start-up and all."""
    cmd = [cli, str(corpus), str(out), "-n", "1", "-j", str(workers), "-q"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    written = count_outputs(out) if out.exists() else 0
    problem = None
    if proc.returncode != 0:
        problem = f"exit status {proc.returncode}: {_tail(proc.stderr)}"
    elif written != expected:
        problem = f"wrote {written} outputs, expected {expected}"
    return {"command": " ".join(cmd), "files": expected, "seconds": elapsed,
            "files_per_s": expected / elapsed if elapsed > 0 else 0.0,
            "exit_status": proc.returncode, "written": written, "problem": problem}


def help_time(cli: str) -> dict[str, Any]:
    """(d): wall time of ``augment-dir --help``, best of HELP_REPEATS."""
    times = []
    status = 0
    for _ in range(HELP_REPEATS):
        started = time.perf_counter()
        proc = subprocess.run([cli, "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        status = status or proc.returncode
    return {"best_seconds": min(times), "all_seconds": times, "exit_status": status}


def peak_rss(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd`` and poll its own RSS (children excluded) every RSS_POLL_SECONDS; return the max."""
    import psutil

    with open(log, "w") as stderr:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
        watched = psutil.Process(proc.pid)
        peak = samples = 0
        while proc.poll() is None:
            try:
                peak = max(peak, watched.memory_info().rss)
                samples += 1
            except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
                pass  # it just ended; poll() will say so
            time.sleep(RSS_POLL_SECONDS)
        elapsed = time.perf_counter() - started
    problem = None
    if proc.returncode != 0:
        problem = f"exit status {proc.returncode}: {_tail(log.read_text(errors='replace'))}"
    return {"peak_rss_bytes": peak, "samples": samples, "seconds": elapsed,
            "exit_status": proc.returncode, "problem": problem}


def tree_digest(root: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(path.read_bytes()).hexdigest()
            for path, rel in iter_files(root) if rel not in RUN_FILES}


# ----------------------------------------------------------------------------- report


@dataclass
class Figure:
    """One line of the report."""

    key: str
    label: str
    value: float | None
    unit: str
    target: str = "-"
    verdict: str = "info"  # PASS, MISS, info or ERROR
    includes: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def shown(self) -> str:
        if self.value is None:
            return "n/a"
        if self.unit == "MiB":
            return f"{self.value:.1f} MiB"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "s":
            return f"{self.value:.3f} s"
        if self.unit == "files/s":
            return f"{self.value:.1f} files/s"
        return f"{self.value:g} {self.unit}".strip()


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not available on this platform
        return "unknown"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def print_report(figures: list[Figure], header: list[str]) -> None:
    for line in header:
        print(line)
    print()
    rows = [("figure", "value", "target", "result")]
    rows += [(f.label, f.shown(), f.target, f.verdict) for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print()
    print("What each figure includes:")
    for f in figures:
        if f.includes:
            print(f"  {f.label}: {f.includes}")
    problems = [(f.label, f.detail["problem"]) for f in figures if f.detail.get("problem")]
    if problems:
        print()
        print("Problems:")
        for label, problem in problems:
            print(f"  {label}: {problem}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, metavar="S",
                        help="multiply every corpus size by S (default 1: 400 images, 400 texts, 100 clips; "
                             "memory figure over 200 vs 2000 files)")
    parser.add_argument("--keep", metavar="DIR", help="build everything in DIR (new or empty) and keep it")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    parser.add_argument("--modalities", default=",".join(MODALITIES), metavar="LIST",
                        help="modalities in the corpus (default: image,text,audio); the memory figure uses "
                             "the first of text, audio, image in it")
    args = parser.parse_args(argv)
    if not (args.scale > 0 and math.isfinite(args.scale)):
        parser.error(f"--scale must be a positive number; got {args.scale}")
    names = [m.strip() for m in args.modalities.split(",") if m.strip()]
    if not names or any(m not in MODALITIES for m in names):
        parser.error(f"--modalities must list some of {', '.join(MODALITIES)}; got {args.modalities!r}")
    args.modalities = [m for m in MODALITIES if m in names]
    if args.keep:
        keep = Path(args.keep)
        if keep.exists() and (not keep.is_dir() or any(keep.iterdir())):
            parser.error(f"--keep {args.keep}: must be a new or empty folder")
    return args


def _guard(figures: list[Figure], key: str, label: str, unit: str, target: str,
           measure: Callable[[], list[Figure]]) -> list[Figure]:
    """Run one measurement; on an exception, record an ERROR line instead of stopping the report."""
    try:
        new = measure()
    except Exception as exc:
        new = [Figure(key, label, None, unit, target, "ERROR", detail={"problem": f"{type(exc).__name__}: {exc}"})]
    figures.extend(new)
    return new


def run(args: argparse.Namespace, root: Path) -> tuple[list[Figure], list[str], dict[str, Any]]:
    counts = {m: max(1, round(BASE_COUNTS[m] * args.scale)) for m in args.modalities}
    if "image" in counts:
        counts["image"] = max(2, counts["image"])
    mem_modality = next(m for m in ("text", "audio", "image") if m in args.modalities)
    mem_n = max(20, round(MEMORY_BASE_FILES * args.scale))

    corpus = root / "corpus"
    t0 = time.perf_counter()
    corpus_stats = build_corpus(corpus, counts)
    build_seconds = time.perf_counter() - t0
    n_files = sum(counts.values())
    cli = find_cli()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    sizes = ", ".join(
        f"{s['files']} {m} ({s['bytes'] / s['files'] / 1024:.1f} KiB avg)" for m, s in corpus_stats.items())
    header = [
        "augment-dir pipeline benchmark",
        f"  corpus: {n_files} files: {sizes}; built in {build_seconds:.1f} s under {corpus}",
        f"  python {platform.python_version()} on {platform.platform()}, {cpus} CPUs available",
        f"  augment-dir command: {cli or 'NOT FOUND'}",
        f"  load average at start: {_load()} (other busy processes skew every timing below)",
    ]
    figures: list[Figure] = []
    meta: dict[str, Any] = {"corpus": corpus_stats, "scale": args.scale, "cpus": cpus, "cli": cli,
                            "python": platform.python_version(), "platform": platform.platform(),
                            "load_average_at_start": _load()}

    # (a) naive loop
    naive: dict[str, Any] = {}

    def measure_naive() -> list[Figure]:
        naive.update(run_naive(corpus, root / "out_naive", n_files))
        problem = f"{len(naive['errors'])} files failed, e.g. {naive['errors'][0]}" if naive["errors"] else None
        out = [Figure("a_naive_files_per_s", "(a) naive loop, 1 process", naive["files_per_s"], "files/s",
                      includes="a plain Python loop (augmenter_for + augment_file per file) run as a whole "
                               "process: interpreter start-up, imports, loading each backend, every file",
                      detail={**{k: v for k, v in naive.items() if k != "errors"}, "problem": problem,
                              "errors": naive["errors"][:20]})]
        first = naive["first_file_seconds"]
        out.append(Figure("a_naive_first_files_s", "    naive: first file of each modality", sum(first.values()),
                          "s", includes="the first file of each modality, which loads its backend ("
                          + ", ".join(f"{m} {s:.1f} s" for m, s in first.items()) + ")"))
        out.append(Figure("a_naive_steady_files_per_s", "    naive: files/s after each first file",
                          naive["steady_files_per_s"], "files/s",
                          includes="every file but the first of each modality, in the warm process"))
        for m, s in naive["by_modality"].items():
            out.append(Figure(f"a_naive_{m}_files_per_s", f"    naive loop, {m} files", s["files_per_s"], "files/s",
                              includes=f"the {m} files' share of the steady loop"))
        return out

    _guard(figures, "a_naive_files_per_s", "(a) naive loop, 1 process", "files/s", "-", measure_naive)

    # (b), (c) the command with -j 1 and -j 2
    startup_corpus = root / "startup_corpus"
    n_startup = 0
    for modality in counts:
        # The first few files of each modality, so every worker is likely to need every backend.
        for path, rel in list(iter_files(corpus / modality))[:STARTUP_FILES_PER_MODALITY]:
            dst = startup_corpus / modality / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dst)
            n_startup += 1
    cli_runs: dict[int, dict[str, Any]] = {}
    for workers, key in ((1, "b"), (2, "c")):
        label = f"({key}) augment-dir -n 1 -j {workers} -q"

        def measure_cli(workers: int = workers, key: str = key, label: str = label) -> list[Figure]:
            if cli is None:
                raise RuntimeError("augment-dir is not installed (no .venv/bin/augment-dir, none on PATH)")
            result = run_cli(cli, corpus, root / f"out_j{workers}", workers, n_files)
            cli_runs[workers] = result
            value = None if result["problem"] else result["files_per_s"]
            return [Figure(f"{key}_j{workers}_files_per_s", label, value, "files/s",
                           verdict="ERROR" if result["problem"] else "info",
                           includes="the whole command as a subprocess: interpreter start-up, imports, the "
                                    "pre-flight walk, building augmenters"
                                    + (", spawning 2 worker processes (each importing its backends)"
                                       if workers > 1 else "") + ", every file, the manifest",
                           detail=result)]

        _guard(figures, f"{key}_j{workers}_files_per_s", label, "files/s", "-", measure_cli)

        # Not a target: splits the command's time into a fixed start-up cost and
        # a per-file rate, which says where a missed speed-up comes from.
        def measure_startup(workers: int = workers, key: str = key) -> list[Figure]:
            if cli is None:
                raise RuntimeError("augment-dir is not installed")
            result = run_cli(cli, startup_corpus, root / f"out_startup_j{workers}", workers, n_startup)
            if result["problem"]:
                raise RuntimeError(result["problem"])
            out = [Figure(f"{key}_j{workers}_startup_s", f"    -j {workers} fixed cost ({n_startup} files)",
                          result["seconds"], "s",
                          includes=f"the whole command over {STARTUP_FILES_PER_MODALITY} files of each "
                                   "modality: start-up, imports, WordNet, workers, almost no work",
                          detail=result)]
            full = cli_runs.get(workers)
            if full and not full["problem"] and full["seconds"] > result["seconds"]:
                rate = (n_files - n_startup) / (full["seconds"] - result["seconds"])
                out.append(Figure(f"{key}_j{workers}_steady_files_per_s",
                                  f"    -j {workers} files/s after the fixed cost", rate, "files/s",
                                  includes=f"({n_files} - {n_startup}) files / (whole command - fixed cost)"))
            return out

        _guard(figures, f"{key}_j{workers}_startup_s", f"    -j {workers} fixed cost", "s", "-", measure_startup)

    for workers, target in ((2, TARGET_J2_SPEEDUP), (1, TARGET_J1_SPEEDUP)):
        run_ = cli_runs.get(workers)
        key = f"ratio_j{workers}_over_naive"
        label = f"speed-up -j {workers} / naive"
        if run_ is None or run_["problem"] or not naive.get("files_per_s"):
            figures.append(Figure(key, label, None, "x", f">= {target}", "ERROR",
                                  detail={"problem": "a run it depends on did not complete"}))
            continue
        ratio = run_["files_per_s"] / naive["files_per_s"]
        figures.append(Figure(key, label, ratio, "x", f">= {target}", _verdict(ratio >= target),
                              includes="files/s of the whole command / files/s of the whole naive process"))

    # Not a timing: the three ways of making the outputs must agree byte for byte.
    def measure_identical() -> list[Figure]:
        trees = {name: root / name for name in ("out_naive", "out_j1", "out_j2")}
        digests = {name: tree_digest(path) for name, path in trees.items() if path.exists()}
        if len(digests) < 2:
            raise RuntimeError("fewer than two output trees to compare")
        reference_name, reference = next(iter(digests.items()))
        differing = {name: sorted(set(reference.items()) ^ set(d.items()))[:5]
                     for name, d in digests.items() if d != reference}
        compared = ", ".join(digests)
        return [Figure("outputs_identical", "outputs identical (" + compared + ")",
                       None if differing else float(len(reference)), "files" if not differing else "",
                       "identical", _verdict(not differing),
                       includes=("sha256 of every output file except manifest.jsonl and recipe.toml, "
                                 f"vs {reference_name}"),
                       detail={"problem": f"differences: {differing}" if differing else None})]

    _guard(figures, "outputs_identical", "outputs identical", "", "identical", measure_identical)

    # (d) --help
    def measure_help() -> list[Figure]:
        if cli is None:
            raise RuntimeError("augment-dir is not installed")
        result = help_time(cli)
        problem = f"exit status {result['exit_status']}" if result["exit_status"] else None
        return [Figure("d_help_s", f"(d) augment-dir --help, best of {HELP_REPEATS}", result["best_seconds"], "s",
                       f"< {TARGET_HELP_SECONDS} s",
                       "ERROR" if problem else _verdict(result["best_seconds"] < TARGET_HELP_SECONDS),
                       includes="the whole command as a subprocess (interpreter start-up included)",
                       detail={**result, "problem": problem})]

    _guard(figures, "d_help_s", f"(d) augment-dir --help, best of {HELP_REPEATS}", "s",
           f"< {TARGET_HELP_SECONDS} s", measure_help)

    # (e) peak RSS of the parent over N vs 10*N files, for -j 1 and -j 2
    mem_small, mem_large = root / f"mem_{mem_n}", root / f"mem_{10 * mem_n}"
    try:
        build_tiny_corpus(mem_small, mem_modality, mem_n)
        build_tiny_corpus(mem_large, mem_modality, 10 * mem_n)
    except Exception as exc:
        figures.append(Figure("e_rss", "(e) peak RSS", None, "MiB", "", "ERROR",
                              detail={"problem": f"building the memory corpora: {type(exc).__name__}: {exc}"}))
        return figures, header, meta
    for workers in (1, 2):
        target = f"ratio {1 - TARGET_RSS_TOLERANCE:.2f}..{1 + TARGET_RSS_TOLERANCE:.2f}"
        label = f"(e) -j {workers}: peak RSS {10 * mem_n} / {mem_n} {mem_modality} files"

        def measure_rss(workers: int = workers, label: str = label, target: str = target) -> list[Figure]:
            if cli is None:
                raise RuntimeError("augment-dir is not installed")
            peaks = {}
            for name, corpus_dir in (("small", mem_small), ("large", mem_large)):
                out = root / f"out_{corpus_dir.name}_j{workers}"
                result = peak_rss([cli, str(corpus_dir), str(out), "-n", "1", "-j", str(workers), "-q"],
                                  root / f"{out.name}.log")
                if result["problem"]:
                    raise RuntimeError(f"{name} run: {result['problem']}")
                peaks[name] = result
            small, large = peaks["small"]["peak_rss_bytes"], peaks["large"]["peak_rss_bytes"]
            ratio = large / small if small else float("nan")
            ok = abs(ratio - 1) <= TARGET_RSS_TOLERANCE
            includes = ("RSS of the augment-dir process itself (its workers excluded), polled every "
                        f"{RSS_POLL_SECONDS * 1000:.0f} ms; the max over the run")
            return [
                Figure(f"e_j{workers}_rss_small_mib", f"(e) -j {workers}: peak RSS, {mem_n} files",
                       small / 2**20, "MiB", includes=includes, detail=peaks["small"]),
                Figure(f"e_j{workers}_rss_large_mib", f"(e) -j {workers}: peak RSS, {10 * mem_n} files",
                       large / 2**20, "MiB", detail=peaks["large"]),
                Figure(f"e_j{workers}_rss_ratio", label, ratio, "x", target, _verdict(ok),
                       includes="peak RSS over 10*N files / peak RSS over N files"),
            ]

        _guard(figures, f"e_j{workers}_rss_ratio", label, "x", target, measure_rss)
    return figures, header, meta


def main(argv: list[str] | None = None) -> int:
    """Build the corpus, measure, print the report (and write JSON); always 0."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--naive-child"]:  # (a) in its own process: print its figures as JSON
        print(json.dumps(naive_loop(Path(argv[1]), Path(argv[2]))))
        return 0
    args = parse_args(argv)
    if args.keep:
        root = Path(args.keep).resolve()
        root.mkdir(parents=True, exist_ok=True)
        temp = None
    else:
        temp = tempfile.TemporaryDirectory(prefix="augment-bench-")
        root = Path(temp.name)
    try:
        figures, header, meta = run(args, root)
    finally:
        if temp is not None:
            temp.cleanup()
    header.append(f"  load average at end: {_load()}")
    meta["load_average_at_end"] = _load()
    print_report(figures, header)
    judged = [f for f in figures if f.verdict in ("PASS", "MISS", "ERROR") and f.target != "-"]
    errors = [f for f in figures if f.verdict == "ERROR"]
    misses = [f for f in judged if f.verdict == "MISS"]
    passed = sum(f.verdict == "PASS" for f in judged)
    summary = f"SUMMARY: {passed}/{len(judged)} targets met"
    if misses:
        summary += "; MISS: " + ", ".join(f.label for f in misses)
    if errors:
        summary += "; ERROR: " + ", ".join(f.label for f in errors)
    if args.keep:
        summary += f"; corpus and outputs kept in {root}"
    print()
    print(summary)
    if args.json:
        payload = {"meta": meta, "figures": [asdict(f) for f in figures], "summary": summary}
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
