"""Random file contents through every backend's reader and augment path (hypothesis).

What a run does with one source (augment.run.task): ``read``, ``augment``,
``write``. Whatever the bytes (random ones, a real file cut short or with bytes
flipped, a file of another format under this extension, a header declaring a
huge size), each step either works or raises the backend's per-file error,
:class:`~augment.core.result.BadInputError`, naming the file and a reason a
person can act on; never another exception (which a run would show as a bare
"TypeError: ..."), never a hang or a huge allocation.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from augment import AudioAugmenter, ImageAugmenter, TextAugmenter
from augment.core.result import BadInputError

from conftest import SENTENCES

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ------------------------------------------------------------------ real files to damage


def _image_bytes(fmt: str) -> bytes:
    from PIL import Image

    rng = np.random.default_rng(0)
    image = Image.fromarray(rng.integers(0, 256, (12, 16, 3), dtype=np.uint8))
    if fmt == "GIF":
        image = image.convert("P")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _audio_bytes(fmt: str, subtype: str) -> bytes:
    import soundfile as sf

    t = np.arange(800) / 8000
    buffer = io.BytesIO()
    sf.write(buffer, (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 8000, format=fmt, subtype=subtype)
    return buffer.getvalue()


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IEND", b""))


def _image_headers(width: int, height: int) -> list[bytes]:
    """Headers of several formats declaring ``width`` x ``height``, with little or no pixel data after them."""
    w16, h16 = width & 0xFFFF, height & 0xFFFF
    gif = b"GIF89a" + struct.pack("<HHBBB", w16, h16, 0, 0, 0) + b"," + struct.pack(
        "<HHHHB", 0, 0, w16, h16, 0) + b"\x02\x02\x44\x01\x00;"
    signed = [(side + 2**31) % 2**32 - 2**31 for side in (width, height)]  # BMP's sides are signed
    bmp_info = struct.pack("<IiiHHIIiiII", 40, *signed, 1, 24, 0, 0, 2835, 2835, 0, 0)
    bmp = b"BM" + struct.pack("<IHHI", 54 + 16, 0, 0, 54) + bmp_info + bytes(16)
    jpeg = _image_bytes("JPEG")
    sof = jpeg.find(b"\xff\xc0")
    if sof >= 0:  # the frame header's height and width
        jpeg = jpeg[: sof + 5] + struct.pack(">HH", height & 0xFFFF, width & 0xFFFF) + jpeg[sof + 9:]
    return [_png_header(width, height), gif, bmp, jpeg]


def _wav_header(channels: int, rate: int, bits: int, frames: int) -> bytes:
    block = channels * bits // 8 & 0xFFFF
    data = bytes(min(frames * block, 64) if block else 0)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * block & 0xFFFFFFFF, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", frames * block
                                                                                          & 0xFFFFFFFF) + data
    return b"RIFF" + struct.pack("<I", len(body) & 0xFFFFFFFF) + body


IMAGE_EXTS = [".png", ".jpg", ".gif", ".bmp", ".tif", ".webp"]
AUDIO_EXTS = [".wav", ".flac", ".ogg", ".aif"]
REAL = {
    "image": [_image_bytes(f) for f in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")],
    "audio": [_audio_bytes("WAV", "PCM_16"), _audio_bytes("FLAC", "PCM_16"), _audio_bytes("OGG", "VORBIS"),
              _audio_bytes("AIFF", "PCM_24"), _audio_bytes("WAV", "FLOAT")],
    "text": [(" ".join(SENTENCES) + "\n").encode("utf-8"), "Café \u00e9t\u00e9 \U0001f600\r\n".encode("utf-8")],
}
REAL["any"] = [data for files in REAL.values() for data in files]


def real(pool: str) -> st.SearchStrategy[bytes]:
    """One of the real files of ``pool`` (a modality, or "any"), drawn by its index (a short repr)."""
    return st.integers(0, len(REAL[pool]) - 1).map(lambda i: REAL[pool][i])


@st.composite
def damaged(draw: st.DrawFn, pool: str) -> bytes:
    """A real file of ``pool`` cut short, with bytes flipped, or with random bytes in a stretch of it."""
    data = bytearray(draw(real(pool)))
    how = draw(st.sampled_from(["cut", "flip", "splice"]))
    if how == "cut":
        return bytes(data[: draw(st.integers(0, len(data)))])
    if how == "flip":
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] ^= draw(st.integers(1, 255))
        return bytes(data)
    at = draw(st.integers(0, len(data)))
    return bytes(data[:at]) + draw(st.binary(max_size=64)) + bytes(data[at + draw(st.integers(0, 64)):])


def contents(modality: str) -> st.SearchStrategy[bytes]:
    """Bytes a file of ``modality``'s extension might hold, bad ones mostly."""
    options = [st.binary(max_size=512), damaged(modality), real("any"), damaged("any")]
    if modality == "image":
        sides = st.sampled_from([0, 1, 9000, 65535, 1 << 20, (1 << 31) - 1, (1 << 32) - 1])
        options.append(st.builds(_image_headers, sides, sides).flatmap(st.sampled_from))
    elif modality == "audio":
        options.append(st.builds(_wav_header, st.sampled_from([0, 1, 2, 255, 65535]),
                                 st.sampled_from([0, 1, 8000, 2**31 - 1, 2**32 - 1]),
                                 st.sampled_from([0, 8, 16, 24, 32, 64, 7]),
                                 st.sampled_from([0, 1, 100, 2**31])))
    else:
        text = st.text(max_size=200)
        options += [text.map(lambda t: t.encode("utf-8")),
                    st.tuples(text, st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1",
                                                     "cp1252", "utf-32-be"]))
                    .map(lambda pair: pair[0].encode(pair[1], "replace"))]
    return st.one_of(options)


# ------------------------------------------------------------------ the property


AUGMENTERS = {"image": ImageAugmenter(), "text": TextAugmenter(), "audio": AudioAugmenter()}
EXTENSIONS = {"image": IMAGE_EXTS, "text": [".txt"], "audio": AUDIO_EXTS}


def _is_clear(error: BadInputError, path: Path | None) -> None:
    assert error.reason and error.reason.strip() == error.reason and "\n" not in error.reason
    assert "Traceback" not in error.reason and len(error.reason) < 600
    if path is not None:
        assert error.path == str(path)


def through_the_backend(modality: str, data: bytes, suffix: str) -> None:
    """What a run does with one file: read, augment, write; only a BadInputError may come out."""
    aug = AUGMENTERS[modality]
    with tempfile.TemporaryDirectory(prefix="bad-file-") as folder:
        src = Path(folder, "source" + suffix)
        src.write_bytes(data)
        try:
            sample = aug.read(src)
        except BadInputError as error:
            _is_clear(error, src)
            return
        try:
            result = aug.augment(sample, seed=1)
            out = Path(folder, "out" + suffix)
            aug.write(result.data, out, suffix=suffix)
        except BadInputError as error:
            _is_clear(error, None)
            return
        assert out.stat().st_size > 0 or modality == "text"
        assert src.read_bytes() == data  # never modified


@SETTINGS
@given(data=contents("image"), suffix=st.sampled_from(IMAGE_EXTS))
def test_any_bytes_under_an_image_extension(data, suffix):
    through_the_backend("image", data, suffix)


@SETTINGS
@given(data=contents("text"))
def test_any_bytes_under_a_text_extension(data):
    through_the_backend("text", data, ".txt")


@SETTINGS
@given(data=contents("audio"), suffix=st.sampled_from(AUDIO_EXTS))
def test_any_bytes_under_an_audio_extension(data, suffix):
    through_the_backend("audio", data, suffix)


@pytest.mark.parametrize("modality", sorted(AUGMENTERS))
def test_real_files_of_each_kind_go_through(modality):
    """The property's other side: the undamaged files are augmented."""
    ext = {"image": ".png", "text": ".txt", "audio": ".wav"}[modality]
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder, "a" + ext)
        src.write_bytes(REAL[modality][0])
        result = AUGMENTERS[modality].augment_file(src, Path(folder, "b" + ext), seed=2)
        assert result.params and os.path.getsize(Path(folder, "b" + ext)) > 0
