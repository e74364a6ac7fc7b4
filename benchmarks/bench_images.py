"""Images side by side: the codec floor, the Keras engine, the native engine and albumentations.

Run from the repository root::

    .venv/bin/python benchmarks/bench_images.py [--count N] [--photos N] [--skip-keras] [--json PATH]

It makes a deterministic folder of ``--count`` photo-like JPEGs of 512x384
(default 400) and one of ``--photos`` 12-megapixel JPEGs (default 3), then runs
each contender as a whole process (start-up, imports, decode, transform,
encode, writing files), one after another on the same folder:

* **codec floor**: Pillow decodes each JPEG and encodes it again with the
  source's own quantisation tables and subsampling (``quality="keep"``), as
  augment-dir writes by default: what any image path must at least spend;
* **albumentations**: ``Affine`` (rotate +-30 degrees, translate +-20 %,
  replicated border) and ``HorizontalFlip``: the same transforms as the
  default recipe, with the same codec (Pillow, the source's tables) around it;
* **augment-dir, native engine**: ``augment-dir IN OUT -j 1 --only image -q``
  (the default recipe: ``engine = "opencv"``), as it runs (one process: its
  OpenCV warps use every core, and with a spare core the next file is decoded
  and the previous one encoded on two helper threads while the current one is
  warped), with OpenCV held to one thread (``OPENCV_FOR_THREADS_NUM=1``), and
  held to one core as the floor runs (the process's CPU affinity set to one
  CPU: no helper threads, one OpenCV thread);
* **augment-dir, Keras engine**: the same with ``engine = "keras"``.

and, for start-up, ``augment-dir IN OUT`` with default options over one
512x384 image and over one 12-megapixel photo with ``-n 3``.

Every figure is the wall time of the whole process and the peak memory (RSS)
of its whole process tree, polled every 10 ms with psutil. Python writes
bytecode caches here as an installed package has them (each contender runs
once untimed first). It is a report, not a test: the exit status is 0 whatever
the figures are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

IMAGE_SIZE = (512, 384)
PHOTO_SIZE = (4000, 3000)
POLL_SECONDS = 0.01

TARGET_FLOOR_SHARE = 0.50
TARGET_ONE_IMAGE = (0.6, 200)  # seconds, MB
TARGET_PHOTO = (1.0, 300)

FLOOR = """
import sys
from pathlib import Path
from PIL import Image
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
for path in sorted(src.rglob("*.jpg")):
    out = dst / path.relative_to(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as image:
        image.load()
        image.save(out, quality="keep")
"""

ALBUMENTATIONS = """
import sys
from pathlib import Path
import numpy as np
import albumentations as A
import cv2
from PIL import Image, JpegImagePlugin
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
transform = A.Compose([
    A.Affine(rotate=(-30, 30), translate_percent=(-0.2, 0.2), border_mode=cv2.BORDER_REPLICATE, p=1.0),
    A.HorizontalFlip(p=0.5),
], seed=0)
for path in sorted(src.rglob("*.jpg")):
    out = dst / path.relative_to(src)
    out.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
        tables, sampling = image.quantization, JpegImagePlugin.get_sampling(image)
    Image.fromarray(transform(image=pixels)["image"]).save(out, qtables=tables, subsampling=sampling)
"""

KERAS_RECIPE = """
[image]
[[image.ops]]
op = "ImageDataGenerator"
engine = "keras"
rotation_range = 30
width_shift_range = 0.2
height_shift_range = 0.2
horizontal_flip = true
"""


@dataclass
class Figure:
    """One contender's run."""

    name: str
    seconds: float
    peak_mb: float
    files: int

    @property
    def per_second(self) -> float:
        return self.files / self.seconds


def make_images(folder: Path, count: int, size: tuple[int, int], seed: int) -> None:
    """Photo-like JPEGs: smooth colour fields with fine grain, as a camera gives."""
    import cv2
    from PIL import Image

    rng = np.random.default_rng(seed)
    width, height = size
    for index in range(count):
        coarse = rng.integers(0, 256, (max(2, height // 48), max(2, width // 48), 3)).astype(np.uint8)
        base = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC).astype(np.float32)
        grain = rng.normal(0, 6, (height, width, 3)).astype(np.float32)
        pixels = np.clip(base + grain, 0, 255).astype(np.uint8)
        target = folder / ("cats" if index % 2 else "dogs") / f"img{index:04d}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(target, quality=90)


#: In a contender's environment: run it on this process's first CPU only (read by ``measure``, not passed on).
ONE_CORE = "BENCH_IMAGES_ONE_CORE"


def measure(name: str, command: list[str], files: int, env: dict[str, str]) -> Figure:
    """Run ``command`` to the end; its wall time and the peak RSS of its process tree."""
    import psutil

    one_core = env.get(ONE_CORE) == "1"
    env = {k: v for k, v in env.items() if k != ONE_CORE}
    first_cpu = min(os.sched_getaffinity(0))
    start = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            preexec_fn=(lambda: os.sched_setaffinity(0, {first_cpu})) if one_core else None)
    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [watched, *watched.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{stderr}")
    return Figure(name, seconds, peak / 2**20, files)


def run(name: str, command: list[str], out: Path, files: int, env: dict[str, str], repeats: int) -> Figure:
    """The best of ``repeats`` timed runs, after one untimed run (bytecode caches, disk cache).

    ``command`` has "OUT" where the output folder goes.
    """
    best: Figure | None = None
    for attempt in range(repeats + 1):
        shutil.rmtree(out, ignore_errors=True)
        figure = measure(name, [str(out) if part == "OUT" else part for part in command], files, env)
        if attempt and (best is None or figure.seconds < best.seconds):
            best = figure
    assert best is not None
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=400, help="512x384 JPEGs (default 400)")
    parser.add_argument("--photos", type=int, default=3, help="12-megapixel JPEGs (default 3)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs per contender; the best counts")
    parser.add_argument("--skip-keras", action="store_true", help="leave out the Keras engine (TensorFlow)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    script = Path(sys.executable).with_name("augment-dir")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    work = Path(tempfile.mkdtemp(prefix="bench-images-"))
    try:
        images, photos, one, one_photo = work / "images", work / "photos", work / "one", work / "one_photo"
        make_images(images, args.count, IMAGE_SIZE, seed=1)
        make_images(photos, args.photos, PHOTO_SIZE, seed=2)
        make_images(one, 1, IMAGE_SIZE, seed=3)
        make_images(one_photo, 1, PHOTO_SIZE, seed=4)
        keras_recipe = work / "keras.toml"
        keras_recipe.write_text(KERAS_RECIPE)
        py = sys.executable

        rows: dict[str, list[Figure]] = {}
        for label, folder, count in (("512x384", images, args.count), ("12 MP", photos, args.photos)):
            native = [str(script), str(folder), "OUT", "-j", "1", "--only", "image", "-q"]
            contenders: list[tuple[str, list[str], dict[str, str]]] = [
                ("codec floor (Pillow decode + encode)", [py, "-c", FLOOR, str(folder), "OUT"], env),
                ("albumentations Affine + HorizontalFlip", [py, "-c", ALBUMENTATIONS, str(folder), "OUT"], env),
                ("augment-dir -j 1, native engine", native, env),
                ("augment-dir -j 1, native engine, OpenCV on one thread", native,
                 {**env, "OPENCV_FOR_THREADS_NUM": "1"}),
                ("augment-dir -j 1, native engine, on one core", native, {**env, ONE_CORE: "1"}),
            ]
            if not args.skip_keras:
                contenders.append(("augment-dir -j 1, Keras engine", [*native, "--config", str(keras_recipe)], env))
            figures = []
            for name, command, contender_env in contenders:
                figures.append(run(name, command, work / "out", count, contender_env, args.repeats))
                print(f"  {label}: {name}: {figures[-1].seconds:.2f} s", file=sys.stderr)
            rows[label] = figures

        startup = [
            run("one 512x384 image, default options", [str(script), str(one), "OUT", "-q"], work / "out", 1,
                env, args.repeats + 1),
            run("one 12 MP photo, -n 3", [str(script), str(one_photo), "OUT", "-n", "3", "-q"], work / "out", 3,
                env, args.repeats + 1),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"# Images side by side ({platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}); whole processes, best of {args.repeats}\n")
    for label, figures in rows.items():
        floor = figures[0]
        print(f"## {figures[0].files} JPEGs, {label}\n")
        print("| | wall s | files/s | of the floor | peak MB (tree) |")
        print("|---|---:|---:|---:|---:|")
        for figure in figures:
            share = figure.per_second / floor.per_second
            print(f"| {figure.name} | {figure.seconds:.2f} | {figure.per_second:.1f} | {share:.0%} | "
                  f"{figure.peak_mb:.0f} |")
        native_run = next(f for f in figures if f.name == "augment-dir -j 1, native engine")
        one_core = next(f for f in figures if f.name.endswith("on one core"))
        albu = next(f for f in figures if "albumentations" in f.name)
        share = native_run.per_second / floor.per_second
        verdict = "PASS" if share >= TARGET_FLOOR_SHARE and native_run.per_second > albu.per_second else "MISS"
        print(f"\nnative engine: {share:.0%} of the floor (target >= {TARGET_FLOOR_SHARE:.0%}), "
              f"{native_run.per_second / albu.per_second:.2f}x albumentations (target > 1): {verdict}; "
              f"held to one core: {one_core.per_second / floor.per_second:.0%} of the floor\n")
    if startup:
        print("## Start-up: `augment-dir IN OUT` (default options)\n")
        print("| | wall s | peak MB (tree) | target | |")
        print("|---|---:|---:|---|---|")
        for figure, (seconds, mb) in zip(startup, (TARGET_ONE_IMAGE, TARGET_PHOTO), strict=True):
            verdict = "PASS" if figure.seconds <= seconds and figure.peak_mb <= mb else "MISS"
            print(f"| {figure.name} | {figure.seconds:.2f} | {figure.peak_mb:.0f} | <= {seconds} s, <= {mb} MB | "
                  f"{verdict} |")
    if args.json:
        args.json.write_text(json.dumps({"rows": {k: [asdict(f) for f in v] for k, v in rows.items()},
                                         "startup": [asdict(f) for f in startup]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
