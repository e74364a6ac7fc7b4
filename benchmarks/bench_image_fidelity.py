"""How close the native image engine is to Keras: every output replayed through ImageDataGenerator.

Run from the repository root::

    .venv/bin/python benchmarks/bench_image_fidelity.py [--seeds N] [--size WxH]

For every fill mode, both interpolation orders and three pixel types (8-bit
RGB, 16-bit RGB, float grey), it augments photo-like and hard-edge images
(text, stripes, noise) with the native engine over ``--seeds`` seeds (default
100) with every transform on (rotation, shifts, shear, zoom, flips, channel
shift, brightness), replays each output's recorded transform through Keras'
``ImageDataGenerator.apply_transform`` (the Keras engine), and prints how far
apart they are, in levels of the pixel type (one level of 16-bit data is 257
steps; of float data in 0-255, 1.0). At order 0 a sample exactly on a rounding
tie may take its neighbour: those values are counted apart. A report, not a
test (the tests assert the README's tolerance on fewer seeds).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

FILL_MODES = ("nearest", "reflect", "wrap", "constant")
PARAMS = dict(rotation_range=35, width_shift_range=0.2, height_shift_range=0.2, shear_range=15, zoom_range=0.25,
              horizontal_flip=True, vertical_flip=True, cval=77, channel_shift_range=25, brightness_range=[0.7, 1.3])


def images(width: int, height: int) -> dict[str, np.ndarray]:
    """Photo-like and hard-edge test images, HxWx3 float in 0..255."""
    from PIL import Image, ImageDraw, ImageFont

    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    photo = np.stack([np.clip(40 + xx + yy / 2 + 100 * np.exp(-((xx - width * (0.3 + 0.2 * c)) ** 2 + (yy - height / 2)
                                                                ** 2) / (2 * (width / 8) ** 2)), 0, 255)
                      for c in range(3)], axis=-1)
    canvas = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(canvas)
    for row in range(0, height, 12):
        draw.text((2 - row // 3, row), "Keras WwMm 0123 " * (width // 90 + 1), fill=0, font=ImageFont.load_default())
    text = np.repeat(np.asarray(canvas, np.float64)[..., None], 3, axis=-1)
    stripes = np.stack([((xx // (c + 1) + yy // 2) % 2) * 255.0 for c in range(3)], axis=-1)
    noise = np.random.default_rng(0).integers(0, 256, (height, width, 3)).astype(np.float64)
    return {"photo": photo, "text": text, "stripes": stripes, "noise": noise}


def ties(transform: dict, shape: tuple[int, ...]) -> np.ndarray:
    from augment.backends.image.affine import inverse_map

    height, width = shape[:2]
    matrix = inverse_map(transform, height, width)
    rows, cols = np.mgrid[0:height, 0:width].astype(np.float64)
    rows = rows[::-1] if transform["flip_vertical"] else rows
    cols = cols[:, ::-1] if transform["flip_horizontal"] else cols
    tie = np.zeros((height, width), bool)
    for axis in (0, 1):
        coords = rows * matrix[axis, 0] + cols * matrix[axis, 1] + matrix[axis, 2]
        tie |= np.abs(coords - np.floor(coords) - 0.5) < 1 / 256
    return tie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--size", default="96x72", help="image size WxH (default 96x72)")
    parser.add_argument("--geometry-only", action="store_true",
                        help="no channel shift or brightness: 8- and 16-bit pixels are warped in their own type")
    args = parser.parse_args()
    params = {k: v for k, v in PARAMS.items() if k not in ("channel_shift_range", "brightness_range")} \
        if args.geometry_only else PARAMS
    width, height = (int(v) for v in args.size.split("x"))

    from augment.backends.image import ImageAugmenter
    from augment.backends.image.keras_engine import KerasEngine
    from augment.backends.image.pixels import PixelLayout

    kinds = images(width, height)
    from PIL import Image

    def float_image(values: np.ndarray) -> Image.Image:  # arrays are 8- or 16-bit: float data is a PIL "F" image
        return Image.frombytes("F", (width, height), (values[..., 0] + 0.25).astype(np.float32).tobytes())

    types = {  # name -> (to the data augmented, layout, one level)
        "8-bit RGB": (lambda v: v.astype(np.uint8), PixelLayout(False, 1, False), 1.0),
        "16-bit RGB": (lambda v: (v * 257).astype(np.uint16), PixelLayout(False, 257, False), 257.0),
        "float grey": (float_image, PixelLayout(False, 1, False), 1.0),
    }
    print(f"# Native engine vs Keras: {args.seeds} seeds x {len(kinds)} images ({', '.join(kinds)}), {width}x{height}, "
          f"{'geometry only' if args.geometry_only else 'every transform on'}\n")
    print("| fill mode | order | pixels | values > 1 level off | largest difference (levels) | order-0 ties |")
    print("|---|---:|---|---:|---:|---:|")
    for fill_mode in FILL_MODES:
        for order in (0, 1):
            op = dict(params, fill_mode=fill_mode, interpolation_order=order)
            native = ImageAugmenter(ops=[{"op": "ImageDataGenerator", "engine": "opencv", **op}])
            keras = KerasEngine(op)
            for name, (convert, layout, level) in types.items():
                over = total = tie_values = 0
                worst = 0.0
                for values in kinds.values():
                    data = convert(values)
                    pixels = np.asarray(data).reshape(height, width, -1)
                    for seed in range(args.seeds):
                        result = native.augment(data, seed=seed)
                        recorded = {k: v for k, v in result.params["ops"][0].items() if k not in ("op", "engine")}
                        with warnings.catch_warnings():
                            warnings.simplefilter("ignore")
                            expected = keras.apply(pixels, recorded, layout).astype(np.float64)
                        ours = np.asarray(result.data, dtype=np.float64).reshape(pixels.shape)
                        diff = np.abs(ours - expected) / level
                        if order == 0:
                            on_tie = np.broadcast_to(ties(recorded, pixels.shape)[..., None], diff.shape)
                            tie_values += int((on_tie & (diff > 1)).sum())
                            diff = np.where(on_tie, 0.0, diff)
                        over += int((diff > 1).sum())
                        total += diff.size
                        worst = max(worst, float(diff.max()))
                print(f"| {fill_mode} | {order} | {name} | {over / total:.4%} | {worst:.2f} | "
                      f"{tie_values / total:.4%} |" if order == 0 else
                      f"| {fill_mode} | {order} | {name} | {over / total:.4%} | {worst:.2f} | - |")
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
