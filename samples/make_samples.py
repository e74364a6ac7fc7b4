"""Make the small sample files in this folder: images, text and audio in class folders.

Run it from the repository root with the project's venv::

    .venv/bin/python samples/make_samples.py

It (re)writes, beside itself::

    images/cat/  cat_01.jpg  cat_02.png  cat_03.png (RGBA, transparent background)
    images/dog/  dog_01.jpg  dog_02.jpg  dog_03.png
    text/pos/    pos_01.txt  pos_02.txt  pos_03.txt (two lines)
    text/neg/    neg_01.txt  neg_02.txt  neg_03.txt
    audio/yes/   yes_01.wav  yes_02.wav  yes_03.flac  (rising chirps)
    audio/no/    no_01.wav   no_02.wav   no_03.flac   (falling chirps)

Everything is drawn or synthesised from fixed numbers (no clock, no unseeded
randomness), so running it again gives byte-identical files with the same
Pillow and libsndfile versions (a FLAC file records its encoder's version
string, and a new JPEG/PNG encoder may choose other bytes for the same pixels).
Needs Pillow, NumPy and soundfile (``pip install "augment-dir[image,audio]"``).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent

IMAGE_SIZE = (160, 120)
SAMPLE_RATE = 16_000
CLIP_SECONDS = 0.5

# name, background, fur, accent (inner ears / nose), eye colour, file format
CATS = [
    ("cat_01.jpg", (196, 224, 244), (235, 150, 60), (250, 190, 200), (90, 170, 60)),
    ("cat_02.png", (240, 235, 210), (90, 90, 100), (230, 160, 170), (230, 200, 40)),
    ("cat_03.png", None, (245, 245, 240), (240, 150, 170), (60, 120, 220)),  # RGBA, transparent
]
DOGS = [
    ("dog_01.jpg", (200, 235, 200), (160, 110, 60), (90, 60, 30), (40, 30, 20)),
    ("dog_02.jpg", (250, 220, 180), (230, 210, 170), (120, 80, 50), (50, 40, 30)),
    ("dog_03.png", (210, 210, 245), (60, 50, 45), (200, 160, 120), (120, 80, 30)),
]

TEXTS = {
    "pos": [
        "A warm, funny film with a cast that clearly loved making it. I smiled the whole way through.",
        "The headphones sound rich and clear, and the battery lasts all week.\n"
        "Setup took two minutes. Highly recommended.",
        "Friendly staff, fresh bread and the best soup I have had in years. We will be back soon.",
    ],
    "neg": [
        "The plot drags, the jokes fall flat and the ending makes no sense.",
        "My order arrived late and the box was crushed. The charger stopped working after three days, "
        "and support never answered my emails.",
        "Cold food, a dirty table and a long wait. Not worth the price.",
    ],
}

# name, start frequency (Hz), end frequency (Hz); "yes" rises, "no" falls.
CHIRPS = {
    "yes": [("yes_01.wav", 300.0, 900.0), ("yes_02.wav", 440.0, 1320.0), ("yes_03.flac", 250.0, 1000.0)],
    "no": [("no_01.wav", 900.0, 300.0), ("no_02.wav", 1320.0, 440.0), ("no_03.flac", 1000.0, 250.0)],
}


def _ellipse(draw, cx: float, cy: float, rx: float, ry: float, fill, outline=None, width: int = 1) -> None:
    draw.ellipse((cx - rx, cy - ry, cx + rx, cy + ry), fill=fill, outline=outline, width=width)


def _eyes(draw, cx: float, cy: float, spread: float, colour, pupil_w: float) -> None:
    for side in (-1, 1):
        x = cx + side * spread
        _ellipse(draw, x, cy, 9, 8, fill=(255, 255, 255), outline=(30, 30, 30))
        _ellipse(draw, x, cy, 6, 6, fill=colour)
        _ellipse(draw, x, cy, pupil_w, 5, fill=(15, 15, 15))
        _ellipse(draw, x + 2, cy - 2, 1.5, 1.5, fill=(255, 255, 255))


def draw_cat(background, fur, accent, eye):
    """A cat face: round head, pointed ears, slit pupils, pink nose, whiskers."""
    from PIL import Image, ImageDraw

    w, h = IMAGE_SIZE
    image = Image.new("RGBA" if background is None else "RGB", IMAGE_SIZE,
                      (0, 0, 0, 0) if background is None else background)
    draw = ImageDraw.Draw(image)
    cx, cy = w / 2, h / 2 + 10
    for side in (-1, 1):
        outer = [(cx + side * 48, cy - 10), (cx + side * 40, cy - 58), (cx + side * 12, cy - 38)]
        inner = [(cx + side * 41, cy - 18), (cx + side * 38, cy - 48), (cx + side * 20, cy - 34)]
        draw.polygon(outer, fill=fur, outline=(40, 40, 40))
        draw.polygon(inner, fill=accent)
    _ellipse(draw, cx, cy, 50, 42, fill=fur, outline=(40, 40, 40), width=2)
    _eyes(draw, cx, cy - 10, 20, eye, pupil_w=2)
    draw.polygon([(cx - 6, cy + 6), (cx + 6, cy + 6), (cx, cy + 13)], fill=accent, outline=(60, 30, 30))
    draw.arc((cx - 12, cy + 8, cx, cy + 22), 0, 180, fill=(40, 40, 40), width=2)
    draw.arc((cx, cy + 8, cx + 12, cy + 22), 0, 180, fill=(40, 40, 40), width=2)
    for side in (-1, 1):
        for dy in (-4, 2, 8):
            draw.line((cx + side * 14, cy + 10 + dy / 2, cx + side * 62, cy + 4 + dy * 2),
                      fill=(30, 30, 30), width=1)
    return image


def draw_dog(background, fur, accent, eye):
    """A dog face: long head, floppy ears, round eyes, big nose, tongue."""
    from PIL import Image, ImageDraw

    w, h = IMAGE_SIZE
    image = Image.new("RGB", IMAGE_SIZE, background)
    draw = ImageDraw.Draw(image)
    cx, cy = w / 2, h / 2 + 4
    for side in (-1, 1):
        _ellipse(draw, cx + side * 46, cy + 4, 16, 38, fill=accent, outline=(30, 20, 10), width=2)
    _ellipse(draw, cx, cy, 42, 48, fill=fur, outline=(30, 20, 10), width=2)
    _ellipse(draw, cx, cy + 24, 24, 18, fill=tuple(min(255, c + 40) for c in fur))
    _eyes(draw, cx, cy - 12, 17, eye, pupil_w=5)
    _ellipse(draw, cx, cy + 14, 10, 7, fill=(20, 20, 20))
    _ellipse(draw, cx - 3, cy + 12, 3, 2, fill=(120, 120, 120))
    draw.line((cx, cy + 21, cx, cy + 30), fill=(20, 20, 20), width=2)
    draw.arc((cx - 14, cy + 20, cx, cy + 36), 0, 180, fill=(20, 20, 20), width=2)
    draw.arc((cx, cy + 20, cx + 14, cy + 36), 0, 180, fill=(20, 20, 20), width=2)
    draw.rounded_rectangle((cx - 6, cy + 32, cx + 6, cy + 46), radius=6, fill=(230, 90, 110),
                           outline=(150, 40, 60))
    return image


def chirp(f0: float, f1: float, seconds: float = CLIP_SECONDS, rate: int = SAMPLE_RATE) -> np.ndarray:
    """A linear chirp from f0 to f1 Hz with a second harmonic and a smooth envelope, float32 in [-1, 1]."""
    t = np.arange(int(round(seconds * rate)), dtype=np.float64) / rate
    # The phase is the integral of the instantaneous frequency f0 + (f1 - f0) t / T.
    phase = 2 * math.pi * (f0 * t + (f1 - f0) * t * t / (2 * seconds))
    tone = 0.8 * np.sin(phase) + 0.2 * np.sin(2 * phase)
    # Raised-cosine fade in/out (30 ms) so the clip starts and ends in silence, no clicks.
    fade = int(0.03 * rate)
    envelope = np.ones_like(t)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, fade))
    envelope[:fade] = ramp
    envelope[-fade:] = ramp[::-1]
    return (0.6 * tone * envelope).astype(np.float32)


def _save_image(image, path: Path) -> None:
    if path.suffix == ".jpg":
        # Fixed quality and subsampling: the bytes must not depend on Pillow's defaults.
        image.save(path, format="JPEG", quality=90, subsampling=0)
    else:
        image.save(path, format="PNG")


def main() -> None:
    """Write every sample file beside this script."""
    import soundfile as sf

    written: list[Path] = []
    for cls, specs, painter in (("cat", CATS, draw_cat), ("dog", DOGS, draw_dog)):
        folder = HERE / "images" / cls
        folder.mkdir(parents=True, exist_ok=True)
        for name, *colours in specs:
            path = folder / name
            _save_image(painter(*colours), path)
            written.append(path)
    for cls, reviews in TEXTS.items():
        folder = HERE / "text" / cls
        folder.mkdir(parents=True, exist_ok=True)
        for i, review in enumerate(reviews, start=1):
            path = folder / f"{cls}_{i:02d}.txt"
            path.write_bytes((review + "\n").encode("utf-8"))
            written.append(path)
    for cls, chirps in CHIRPS.items():
        folder = HERE / "audio" / cls
        folder.mkdir(parents=True, exist_ok=True)
        for name, f0, f1 in chirps:
            path = folder / name
            fmt = "FLAC" if path.suffix == ".flac" else "WAV"
            sf.write(path, chirp(f0, f1), SAMPLE_RATE, format=fmt, subtype="PCM_16")
            written.append(path)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files under {HERE} ({total / 1024:.1f} KiB)")


if __name__ == "__main__":
    main()
