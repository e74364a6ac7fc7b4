"""On-the-fly augmentation in tf.data, side by side with Keras' own: images/s, and the epoch checks.

Run from the repository root::

    .venv/bin/python benchmarks/bench_on_the_fly.py [--images N] [--rounds R] [--json PATH]

Every contender augments the same ``--images`` (default 4096) 32x32x3 uint8
images, in batches of 64, with the default recipe's transforms (rotation 30,
width and height shift 0.2, horizontal flip, fill "nearest"), in this one
process, for two epochs per round; the figure is the best round's images/s
(rounds alternate the contenders' order; one untimed epoch first builds and
warms each):

* **augment_dataset (defaults)**: ``augment.tf.augment_dataset(ds.batch(64),
  Recipe.default(), seed=0)``, iterated as ``model.fit`` would;
* **augment_dataset over single images**: the same over the unbatched
  dataset (it augments them 64 at a time itself), then ``.batch(64)``;
* **ImageDataGenerator.flow**: Keras' legacy
  ``ImageDataGenerator(rotation_range=30, width_shift_range=0.2,
  height_shift_range=0.2, horizontal_flip=True).flow(x, batch_size=64)`` (the
  target: at least as fast);
* **Keras Random* layers in tf.data**: ``RandomRotation(30/360)``,
  ``RandomTranslation(0.2, 0.2)`` and ``RandomFlip("horizontal")``
  (fill "nearest") mapped over the batches (a further peer; not the same
  transform family: bilinear TensorFlow ops);
* **augment() per image via tf.numpy_function**: one Python call per image,
  what a user had to write before ``augment_dataset`` (for reference).

Then the checks: two epochs of ``augment_dataset`` differ, and a dataset
built again with the same seed gives both epochs again, byte for byte. It is
a report, not a test: the exit status is 0 whatever the figures are.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Iterable

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH = 64
DEFAULTS = dict(rotation_range=30, width_shift_range=0.2, height_shift_range=0.2, horizontal_flip=True)


def make_images(count: int) -> np.ndarray:
    """Smooth, photo-like 32x32 RGB images (gradients, a blob, a little noise), deterministic."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:32, 0:32].astype(np.float32)
    out = np.empty((count, 32, 32, 3), np.uint8)
    for i in range(count):
        cy, cx, r = rng.uniform(8, 24), rng.uniform(8, 24), rng.uniform(4, 10)
        blob = ((yy - cy) ** 2 + (xx - cx) ** 2 < r * r)[..., None] * rng.uniform(-80, 80, 3)
        slopes = rng.uniform(-3, 3, (2, 3))
        base = rng.uniform(40, 200, 3) + xx[..., None] * slopes[0] + yy[..., None] * slopes[1]
        noisy = base + blob + rng.normal(0, 4, (32, 32, 3))
        out[i] = np.clip(noisy, 0, 255).astype(np.uint8)
    return out


def epochs(run: Callable[[], Iterable[object]], count: int) -> float:
    """Seconds for ``count`` full passes of ``run()``."""
    start = time.perf_counter()
    for _ in range(count):
        for _ in run():
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", help="also write the figures as JSON to this path")
    args = parser.parse_args()

    import keras
    import tensorflow as tf
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    import augment
    from augment.tf import augment_dataset

    x = make_images(args.images)
    recipe = augment.Recipe.default()
    aug = recipe.augmenter("image")
    batches = tf.data.Dataset.from_tensor_slices(x).batch(BATCH)
    singles = tf.data.Dataset.from_tensor_slices(x)

    ours = augment_dataset(batches, recipe, seed=0)
    ours_single = augment_dataset(singles, recipe, seed=0).batch(BATCH)
    generator = ImageDataGenerator(**DEFAULTS)
    layers = keras.Sequential([
        keras.layers.RandomRotation(30 / 360, fill_mode="nearest", seed=0),
        keras.layers.RandomTranslation(0.2, 0.2, fill_mode="nearest", seed=0),
        keras.layers.RandomFlip("horizontal", seed=0),
    ])
    keras_layers = batches.map(lambda b: layers(tf.cast(b, tf.float32), training=True))

    def one_at_a_time(image: tf.Tensor) -> tf.Tensor:
        out = tf.numpy_function(lambda a: aug.augment(a).data, [image], tf.uint8)
        out.set_shape(image.shape)
        return out

    before = singles.map(one_at_a_time).batch(BATCH)

    def flow() -> Iterable[object]:
        iterator = generator.flow(x, batch_size=BATCH, shuffle=False, seed=0)
        return (next(iterator) for _ in range(len(iterator)))

    contenders: dict[str, Callable[[], Iterable[object]]] = {
        "augment_dataset (defaults)": lambda: ours,
        "augment_dataset over single images": lambda: ours_single,
        "ImageDataGenerator.flow": flow,
        "Keras Random* layers in tf.data": lambda: keras_layers,
        "augment() per image via tf.numpy_function": lambda: before,
    }
    for run in contenders.values():  # build, trace and warm each
        epochs(run, 1)
    best: dict[str, float] = {}
    names = list(contenders)
    for round_index in range(args.rounds):
        order = names if round_index % 2 == 0 else names[::-1]
        for name in order:
            seconds = epochs(contenders[name], 2)
            best[name] = max(best.get(name, 0.0), 2 * len(x) / seconds)

    # The checks: a new draw each epoch; the same seed gives the same epochs.
    checked = augment_dataset(batches, recipe, seed=0)
    epoch_1 = np.concatenate([b.numpy() for b in checked])
    epoch_2 = np.concatenate([b.numpy() for b in checked])
    again = augment_dataset(batches, recipe, seed=0)
    again_1 = np.concatenate([b.numpy() for b in again])
    again_2 = np.concatenate([b.numpy() for b in again])
    spec_kept = ours.element_spec == batches.element_spec
    differ = not np.array_equal(epoch_1, epoch_2)
    changed_share = float(np.mean(np.any(epoch_1 != epoch_2, axis=(1, 2, 3))))
    reproduced = np.array_equal(epoch_1, again_1) and np.array_equal(epoch_2, again_2)

    load = os.getloadavg()
    print(f"on-the-fly augmentation, {len(x)} images 32x32x3 uint8, batches of {BATCH}, 2 epochs per round, "
          f"best of {args.rounds} rounds")
    print(f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}, "
          f"augment-dir {augment.__version__}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f}")
    print()
    width = max(len(name) for name in names)
    peer = best["ImageDataGenerator.flow"]
    print(f"{'contender':<{width}}  {'images/s':>9}  {'of flow':>8}")
    for name in names:
        print(f"{name:<{width}}  {best[name]:>9,.0f}  {best[name] / peer:>7.2f}x")
    print()
    print(f"element_spec kept (uint8, (None, 32, 32, 3)): {spec_kept}")
    print(f"two epochs differ: {differ} ({changed_share:.1%} of images differ between epoch 1 and 2)")
    print(f"a second dataset built with the same seed reproduces both epochs: {reproduced}")
    ok = best["augment_dataset (defaults)"] >= peer
    print(f"target augment_dataset >= ImageDataGenerator.flow: {'met' if ok else 'MISSED'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"images_per_second": best, "epochs_differ": differ, "reproduced": reproduced,
                       "spec_kept": spec_kept, "load": load}, fh, indent=2)


if __name__ == "__main__":
    main()
