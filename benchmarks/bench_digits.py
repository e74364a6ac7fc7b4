"""Does the ``digits`` preset help a small CNN on handwritten digits, and does the default recipe?

Run from the repository root::

    .venv/bin/python benchmarks/bench_digits.py [--copies N] [--steps S] [--seeds 0,1,2] [--size 32]
                                                [--copies-only] [--keep DIR]

scikit-learn's ``load_digits`` (1,797 images of 8x8 pixels): 300 training
images (30 per digit, drawn with a fixed seed) upscaled to SIZE x SIZE and
saved as PNG files into a temporary INPUT with one folder per digit; the other
1,497 are held out. Each training set is made by running ``augment-dir`` for
real:

* no augmentation: the 300 originals;
* ``--preset digits -n N --include-originals`` (rotation 12, shifts and zoom 0.1,
  constant fill, no flips);
* the default recipe ``-n N --include-originals`` (rotation 30, shifts 0.2,
  horizontal flips, nearest fill);
* with ``--copies-only``, also the default recipe without the originals.

The same small CNN (two convolutions, one dense layer) is trained on each for
the same number of gradient steps (``--steps``, batch 32: the augmented sets
are not given more updates, only more varied ones) and evaluated on the
held-out images; each figure is the mean of the seeds. The acceptance figure
(issue 14): the digits preset + originals beats no augmentation by at least one
point of accuracy. It is a report, not a test: the exit status is 0 whatever
the figures (2 for bad arguments).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))
TRAIN_PER_DIGIT = 30
SPLIT_SEED = 0
BATCH = 32
TARGET_POINTS = 1.0


def make_input(root: Path, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Write the 300 training digits as PNG files under root/<digit>/; return the held-out images and labels."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    images, labels = digits.images, digits.target
    rng = np.random.default_rng(SPLIT_SEED)
    train = np.concatenate([rng.choice(np.flatnonzero(labels == d), TRAIN_PER_DIGIT, replace=False)
                            for d in range(10)])
    held_out = np.setdiff1d(np.arange(len(labels)), train)

    def upscaled(image: np.ndarray) -> np.ndarray:
        small = Image.fromarray(np.rint(image * 255 / 16).astype(np.uint8))
        return np.asarray(small.resize((size, size), Image.Resampling.BICUBIC))

    for index in train:
        folder = root / str(labels[index])
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(upscaled(images[index])).save(folder / f"{index:04d}.png")
    test_x = np.stack([upscaled(images[i]) for i in held_out]).astype(np.float32)[..., None] / 255.0
    return test_x, labels[held_out]


def read_set(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """Every PNG under root/<digit>/ as (images in [0, 1], labels)."""
    from PIL import Image

    paths = sorted(root.glob("[0-9]/*.png"))
    x = np.stack([np.asarray(Image.open(p).convert("L")) for p in paths]).astype(np.float32)[..., None] / 255.0
    y = np.array([int(p.parent.name) for p in paths])
    return x, y


def augment(input: Path, output: Path, *args: str) -> float:
    """Run augment-dir for real; return its wall time."""
    started = time.perf_counter()
    subprocess.run([SCRIPT, str(input), str(output), "-q", "-j", "1", *args], check=True)
    return time.perf_counter() - started


def train_and_score(train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray], seed: int,
                    steps: int) -> float:
    """Train the small CNN for ``steps`` batches; its accuracy on the held-out images."""
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    size = train[0].shape[1]
    model = keras.Sequential([
        keras.Input((size, size, 1)),
        keras.layers.Conv2D(16, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Flatten(),
        keras.layers.Dense(64, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    data = (tf.data.Dataset.from_tensor_slices(train).shuffle(len(train[1]), seed=seed, reshuffle_each_iteration=True)
            .repeat().batch(BATCH))
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False)  # the dataset shuffles
    _, accuracy = model.evaluate(test[0], test[1], batch_size=256, verbose=0)
    return float(accuracy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=5, help="augmented copies per training image (default 5)")
    parser.add_argument("--steps", type=int, default=1500, help="gradient steps of batch 32 per training (1500)")
    parser.add_argument("--seeds", default="0,1,2", help="training seeds, comma-separated (default 0,1,2)")
    parser.add_argument("--size", type=int, default=32, help="pixels per side after upscaling (default 32)")
    parser.add_argument("--copies-only", action="store_true", help="also the default recipe without originals")
    parser.add_argument("--keep", type=Path, default=None, help="keep INPUT and the OUTPUTs in this folder")
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds: whole numbers, comma-separated; got {args.seeds!r}")
    if not seeds or args.copies < 1 or args.steps < 1 or args.size < 8:
        parser.error("--copies, --steps >= 1, --size >= 8, at least one seed")

    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(2)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    work = Path(tempfile.mkdtemp(prefix="bench-digits-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    try:
        input = work / "train"
        test = make_input(input, args.size)
        n = str(args.copies)
        conditions: list[tuple[str, Path, list[str]]] = [
            ("no augmentation", input, []),
            (f"digits preset + originals (-n {n})", work / "digits", ["--preset", "digits", "-n", n,
                                                                       "--include-originals"]),
            (f"default recipe + originals (-n {n})", work / "default", ["-n", n, "--include-originals"]),
        ]
        if args.copies_only:
            conditions.append((f"default recipe, copies only (-n {n})", work / "default-copies", ["-n", n]))
        print(f"# bench_digits: scikit-learn load_digits, {10 * TRAIN_PER_DIGIT} training images upscaled to "
              f"{args.size}x{args.size}, {len(test[1])} held out; small CNN, {args.steps} steps of batch {BATCH}, "
              f"seeds {seeds}")
        print(f"# {platform.python_version()}, TensorFlow {tf.__version__}, {os.cpu_count()} CPUs, "
              f"{platform.machine()}")
        results = []
        for label, folder, options in conditions:
            made = ""
            if options:
                seconds = augment(input, folder, *options)
                made = f" (augment-dir {' '.join(options)}: {seconds:.1f} s)"
            train = read_set(folder)
            started = time.perf_counter()
            scores = [train_and_score(train, test, seed, args.steps) for seed in seeds]
            print(f"#   {label}: {len(train[1])} training images{made}; trained in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            results.append((label, len(train[1]), scores))
        base = float(np.mean(results[0][2]))
        print()
        print(f"{'training set':<44} {'images':>6} {'accuracy':>9} {'vs none':>8}  per seed")
        for label, count, scores in results:
            mean = float(np.mean(scores))
            print(f"{label:<44} {count:>6} {mean:>9.4f} {100 * (mean - base):>+7.2f}p  "
                  + " ".join(f"{s:.4f}" for s in scores))
        gain = 100 * (float(np.mean(results[1][2])) - base)
        verdict = "PASS" if gain >= TARGET_POINTS else "MISS"
        print(f"\ndigits preset + originals vs no augmentation: {gain:+.2f} points "
              f"(target >= +{TARGET_POINTS:.0f}): {verdict}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
