"""What a no-op pass keeps of each image format: augment-dir's identity recipe beside a plain Pillow re-save.

Run from the repository root::

    .venv/bin/python benchmarks/bench_image_formats.py [--size WxH]

For each case (JPEG 4:4:4 / 4:2:0 at several qualities, progressive; lossless
and lossy WebP; 16-bit RGB, RGBA and grey+alpha PNG; an index-coded mask; LZW
TIFF) it writes a source file, passes it through an identity recipe (an
``ImageDataGenerator`` op with Keras' defaults: no transform) and through the
peer, what a tool built on Pillow's defaults does (0.1.0 did this: decode with
Pillow, JPEG at quality 95, WebP at 90, palettes re-quantised, 16 bits read
as 8), and prints, side by side: PSNR against the source (inf: identical),
the output's size against the source's, and what the output keeps (JPEG
sampling and progression, WebP lossless, mode and bit depth, distinct mask
values, TIFF compression). Then the time to write one 16-bit RGB PNG:
augment-dir's encoder, OpenCV's, and Pillow's (which writes 8 bits). A
report, not a test.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def photo(width: int, height: int, seed: int = 0) -> np.ndarray:
    """A photo-like RGB image: smooth light, coloured shapes with soft and hard edges, sensor noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    light = 90 + 60 * np.sin(xx / width * 3) * np.cos(yy / height * 2)
    rgb = np.stack([light + 40 * np.sin(xx / 37), light * 0.9 + 30 * np.cos(yy / 23), light * 0.7 + 50], axis=-1)
    for _ in range(12):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(10, width / 5)
        disc = (xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2
        rgb[disc] = rng.uniform(20, 235, 3)
    rgb += rng.normal(0, 3, rgb.shape)
    return np.clip(rgb, 0, 255)


def psnr(a: np.ndarray, b: np.ndarray, peak: float) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(peak ** 2 / mse)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="640x480", help="WxH of the test images (default 640x480)")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    import cv2
    from PIL import Image, JpegImagePlugin

    from augment.backends.image import ImageAugmenter
    from augment.backends.image.deep import Image16, encode_png
    from augment.backends.image.formats import webp_encoding

    identity = ImageAugmenter(ops=[{"op": "ImageDataGenerator"}])
    rgb8 = photo(width, height).round().astype(np.uint8)
    rgb16 = np.clip(photo(width, height) * 257 + np.random.default_rng(1).normal(0, 40, (height, width, 3)),
                    0, 65535).astype(np.uint16)
    alpha16 = (np.linspace(3000, 65535, width)[None, :].repeat(height, 0)).astype(np.uint16)
    mask = np.zeros((height, width), np.uint8)
    mask[height // 5: height // 2, width // 6: width // 2] = 1
    mask[height // 3: 4 * height // 5, width // 3: 5 * width // 6] = 2
    mask[:, : width // 40] = 255
    voc = [0, 0, 0, 128, 0, 0, 0, 128, 0] + [0, 0, 0] * 252 + [224, 224, 192]

    def pixels(path: Path) -> np.ndarray:
        data = identity.read(path)
        return data.pixels if isinstance(data, Image16) else np.asarray(data)

    def kept(path: Path) -> str:
        with Image.open(path) as image:
            if image.format == "JPEG":
                sampling = {0: "4:4:4", 1: "4:2:2", 2: "4:2:0"}.get(JpegImagePlugin.get_sampling(image), "?")
                return f"{sampling}{' progressive' if image.info.get('progressive') else ''}"
            if image.format == "WEBP":
                with open(path, "rb") as handle:
                    lossless, quality = webp_encoding(handle) or (None, None)
                return "lossless" if lossless else f"lossy (reads as q{quality})"
            if image.format == "TIFF":
                return f"{image.mode} {image.info.get('compression')}"
            data = identity.read(path)
            mode = data.mode if isinstance(data, Image16) else image.mode
            if image.mode == "P":
                return f"P, {len(np.unique(np.asarray(image)))} values"
            return mode

    def peer(src: Path, out: Path) -> None:
        """0.1.0's pass: Pillow decodes, the augmented pixels are a new image, saved with its choices."""
        with Image.open(src) as image:
            image.load()
            fmt = image.format
            options = {"JPEG": {"quality": 95}, "WEBP": {"quality": 90}}.get(fmt, {})
            if image.mode == "P":  # 0.1.0 augmented palettes in RGB and re-quantised them
                fresh = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
            else:  # a new image: only the ICC profile, dpi and EXIF were carried over
                fresh = Image.frombytes(image.mode, image.size, image.tobytes())
            fresh.save(out, format=fmt, **options)

    cases: list[tuple[str, str, object, dict]] = [
        ("JPEG 4:4:4 q90 progressive", "jpg", Image.fromarray(rgb8),
         dict(quality=90, subsampling=0, progressive=True)),
        ("JPEG 4:4:4 q75", "jpg", Image.fromarray(rgb8), dict(quality=75, subsampling=0)),
        ("JPEG 4:2:0 q75", "jpg", Image.fromarray(rgb8), dict(quality=75)),
        ("JPEG 4:2:0 q50", "jpg", Image.fromarray(rgb8), dict(quality=50)),
        ("WebP lossless", "webp", Image.fromarray(rgb8), dict(lossless=True)),
        ("WebP lossy q75", "webp", Image.fromarray(rgb8), dict(quality=75)),
        ("PNG 16-bit RGB", "png", rgb16, {}),
        ("PNG 16-bit RGBA", "png", np.dstack([rgb16, alpha16]), {}),
        ("PNG 16-bit LA", "png", np.dstack([rgb16[..., :1], alpha16]), {}),
        ("PNG index mask (VOC)", "png", "mask", {}),
        ("TIFF LZW RGB", "tif", Image.fromarray(rgb8), dict(compression="tiff_lzw")),
    ]
    print(f"{width}x{height} images; PSNR against the source (inf: identical), size against the source's\n")
    header = (f"{'case':<28} | {'augment-dir: PSNR':>17} {'size':>6}  {'keeps':<22} | "
              f"{'0.1.0 (Pillow re-save): PSNR':>20} {'size':>6}  keeps")
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for index, (name, ext, source, options) in enumerate(cases):
            src = folder / f"{index}.{ext}"
            if isinstance(source, np.ndarray):
                src.write_bytes(encode_png(source))
            elif source == "mask":
                image = Image.frombytes("P", (width, height), mask.tobytes())
                image.putpalette(voc)
                image.save(src)
            else:
                source.save(src, **options)  # type: ignore[union-attr]
            ours, theirs = folder / f"{index}-ours.{ext}", folder / f"{index}-peer.{ext}"
            identity.augment_file(src, ours, seed=0)
            peer(src, theirs)
            reference = pixels(src)
            peak = 65535.0 if reference.dtype == np.uint16 else 255.0
            row = [f"{name:<28}"]
            for out in (ours, theirs):
                got = pixels(out)
                if got.dtype != reference.dtype:  # the peer's 8 bits, on the 16-bit scale
                    got = got.astype(np.float64) * 257
                    if got.shape != reference.shape:  # LA read as RGBA by Pillow
                        got = got[..., [0, 3]]
                if "mask" in name:  # the share of pixels whose index (class) is the source's
                    with Image.open(out) as written:
                        value = 100.0 * float(np.mean(np.asarray(written) == mask))
                else:
                    value = psnr(reference, got, peak)
                unit = "% kept" if "mask" in name else "dB"
                size = out.stat().st_size / src.stat().st_size
                row.append(f"{value:>14.1f} {unit:<2} {size:>5.2f}x  {kept(out):<22}")
            print(" | ".join(row))

        print("\nWriting one 3000x2000 16-bit PNG (best of 3)")
        big = np.clip(photo(3000, 2000) * 257, 0, 65535).astype(np.uint16)
        grey_alpha = np.ascontiguousarray(big[..., [0, 2]])
        timings = {}
        for label, write in (
            ("RGB, augment-dir (OpenCV's encoder + metadata chunks)", lambda: encode_png(big)),
            ("RGB, OpenCV imencode alone", lambda: cv2.imencode(".png", big[..., ::-1])[1].tobytes()),
            ("RGB, Pillow (8 bits: all it can write)", lambda: _pillow_png(Image, big)),
            ("LA, augment-dir (NumPy filters + zlib 6; OpenCV cannot)", lambda: encode_png(grey_alpha)),
        ):
            best, size = float("inf"), 0
            for _ in range(3):
                started = time.perf_counter()
                data = write()
                best = min(best, time.perf_counter() - started)
                size = len(data)
            timings[label] = (best, size)
            print(f"  {label:<55} {best:6.2f} s  {size / 1e6:6.1f} MB")


def _pillow_png(Image, big: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((big // 257).astype(np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
