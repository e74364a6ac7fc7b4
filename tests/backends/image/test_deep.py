"""Tests for augment.backends.image.deep: 16-bit colour PNG and TIFF files at full depth, in both engines."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
import tifffile
from PIL import Image, ImageCms, ImageOps, PngImagePlugin

from augment.backends.image import ImageAugmenter
from augment.backends.image.deep import DEEP_MODES, Image16, eight_bit, encode_png, orient
from augment.backends.image.formats import FORMAT_KEY, settings_of
from augment.backends.image.io import read_image, write_image
from augment.core.result import BadInputError
from backends.image.helpers import H, W, rgb_image

OP = "ImageDataGenerator"
IDENTITY = ImageAugmenter(ops=[{"op": OP}])
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _deep(channels: int, seed: int = 0) -> np.ndarray:
    """16-bit values that 8 bits cannot hold (odd, not multiples of 257), with a real alpha."""
    yy, xx = np.mgrid[0:H, 0:W]
    ramp = (xx * 2011 + yy * 977 + seed * 31) % 65536
    pixels = np.stack([ramp, (ramp * 7 + 1) % 65536, 65535 - ramp, 20000 + yy * 1500 + xx * 3], axis=-1)
    pixels = pixels.astype(np.uint16) | 1
    return pixels[..., [0, 3]] if channels == 2 else pixels[..., :channels]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    out, offset = [], 8
    while offset < len(png):
        length, kind = struct.unpack(">I4s", png[offset:offset + 8])
        out.append((kind, png[offset + 8:offset + 8 + length]))
        offset += 12 + length
    return out


def _pillow_metadata(**options) -> bytes:
    """The ancillary chunks Pillow writes for ``options`` (made independently of the code under test)."""
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1)).save(buffer, "PNG", **options)
    return b"".join(_chunk(k, d) for k, d in _chunks(buffer.getvalue()) if k not in (b"IHDR", b"IDAT", b"IEND"))


def _opencv_png(pixels: np.ndarray, **metadata) -> bytes:
    """A 16-bit PNG encoded by OpenCV (libpng), with Pillow's metadata chunks spliced in after IHDR."""
    order = {3: [2, 1, 0], 4: [2, 1, 0, 3]}[pixels.shape[2]]
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(pixels[..., order]))
    assert ok
    png = encoded.tobytes()
    ihdr_end = 8 + 12 + 13
    return png[:ihdr_end] + (_pillow_metadata(**metadata) if metadata else b"") + png[ihdr_end:]


def _text() -> PngImagePlugin.PngInfo:
    text = PngImagePlugin.PngInfo()
    text.add_text("Title", "sixteen bits")
    text.add_itxt("Author", "Zoë", lang="fr")
    text.add(b"gAMA", struct.pack(">I", 45455))
    return text


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "augment-dir camera"
    if orientation is not None:
        exif[0x0112] = orientation
    return exif


# -- Image16 -------------------------------------------------------------------------


@pytest.mark.parametrize("channels", sorted(DEEP_MODES))
def test_image16_holds_two_to_four_channels_of_uint16(channels):
    image = Image16(_deep(channels), "PNG")
    assert image.mode == DEEP_MODES[channels] and image.size == (W, H) and image.info == {}


@pytest.mark.parametrize("pixels", [np.zeros((H, W, 3), np.uint8), np.zeros((H, W), np.uint16),
                                    np.zeros((H, W, 1), np.uint16), np.zeros((H, W, 5), np.uint16),
                                    np.zeros((0, W, 3), np.uint16), [[1, 2]]])
def test_image16_refuses_what_it_cannot_be(pixels):
    with pytest.raises(ValueError, match="Image16 pixels must be a non-empty HxWxC uint16 array with C in 2..4"):
        Image16(pixels)  # type: ignore[arg-type]


def test_eight_bit_rounds_and_keeps_the_info():
    pixels = np.full((H, W, 4), 257 * 200 + 128, np.uint16)
    out = eight_bit(Image16(pixels, "PNG", {"dpi": (72, 72)}))
    assert out.mode == "RGBA" and out.info["dpi"] == (72, 72) and np.asarray(out).max() == 200
    assert eight_bit(Image16(_deep(2))).mode == "LA"


@pytest.mark.parametrize("orientation", range(1, 9))
def test_orient_turns_pixels_as_pillow_does(orientation):
    image = rgb_image()
    image.getexif()[0x0112] = orientation
    expected = np.asarray(ImageOps.exif_transpose(image))
    assert np.array_equal(orient(np.asarray(rgb_image()), orientation), expected)


# -- the PNG encoder ----------------------------------------------------------------


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_encode_png_is_read_back_exactly(channels, dtype):
    rng = np.random.default_rng(channels)
    pixels = rng.integers(0, np.iinfo(dtype).max, (H, W, channels), dtype=dtype, endpoint=True)
    pixels[: H // 2] = pixels[0, 0]  # flat rows and noisy rows take different filters
    png = encode_png(pixels)
    decoded = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    decoded = decoded[..., None] if decoded.ndim == 2 else decoded
    expected = {1: [0], 2: [0, 3], 3: [2, 1, 0], 4: [2, 1, 0, 3]}[channels]
    assert decoded.dtype == dtype and np.array_equal(decoded[..., expected], pixels)
    filters = {zlib.decompress(b"".join(d for k, d in _chunks(png) if k == b"IDAT"))[row * (1 + W * channels *
               pixels.itemsize)] for row in range(H)}
    assert filters <= {0, 1, 2, 3, 4}
    if channels <= 2:  # encoded here (RGB(A) by OpenCV): each row takes its best filter
        assert len(filters) >= 2


def test_encode_png_splits_large_data_into_idat_chunks():
    pixels = np.random.default_rng(0).integers(0, 65536, (600, 600, 2), dtype=np.uint16)
    png = encode_png(pixels, level=1)
    idat = [d for k, d in _chunks(png) if k == b"IDAT"]
    assert len(idat) >= 2 and all(len(d) <= 1 << 20 for d in idat)
    decoded = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED)
    assert np.array_equal(decoded[..., [0, 3]], pixels)


# -- reading -------------------------------------------------------------------------


@pytest.mark.parametrize("channels", [3, 4])
def test_sixteen_bit_png_is_read_at_full_depth_with_its_metadata(tmp_path, channels):
    path = tmp_path / "deep.png"
    path.write_bytes(_opencv_png(_deep(channels), icc_profile=ICC, dpi=(300, 300), pnginfo=_text(),
                                 exif=_exif(orientation=6)))
    image = read_image(path)
    assert isinstance(image, Image16) and image.mode == DEEP_MODES[channels] and image.format == "PNG"
    assert np.array_equal(image.pixels, np.rot90(_deep(channels), -1))  # orientation 6, applied
    assert image.info["icc_profile"] == ICC and tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert image.info["gamma"] == 0.45455
    exif = Image.Exif()
    exif.load(image.info["exif"])
    assert 0x0112 not in exif and exif[0x010F] == "augment-dir camera"
    settings = settings_of(image.info)
    assert settings is not None and settings.png_text == {"Title": "sixteen bits", "Author": "Zoë"}


def test_sixteen_bit_grey_and_alpha_png_is_read_at_full_depth(tmp_path):
    path = tmp_path / "la.png"
    path.write_bytes(encode_png(_deep(2)))
    with Image.open(path) as pillow:
        assert pillow.mode == "RGBA"  # what Pillow alone makes of it: 8-bit colour
    image = read_image(path)
    assert isinstance(image, Image16) and image.mode == "LA;16" and np.array_equal(image.pixels, _deep(2))


def test_a_truncated_sixteen_bit_png_is_a_bad_input(tmp_path):
    data = _opencv_png(np.random.default_rng(0).integers(0, 65536, (H * 4, W * 4, 3), dtype=np.uint16))
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BadInputError, match="cannot decode"):
        read_image(path)


# -- identity and augmented copies ----------------------------------------------------------


def _tiff(path, pixels: np.ndarray, compression: str | None, **options) -> None:
    extra = ("unassalpha",) if pixels.shape[2] in (2, 4) else None
    tifffile.imwrite(path, pixels, photometric="rgb", compression=compression, extrasamples=extra, metadata=None,
                     **options)


def _png_sources(tmp_path) -> dict[str, object]:
    sources = {}
    for channels in (3, 4):
        path = tmp_path / f"rgb{channels}.png"
        path.write_bytes(_opencv_png(_deep(channels), icc_profile=ICC, dpi=(300, 300), pnginfo=_text(),
                                     exif=_exif()))
        sources[path.name] = path
    path = tmp_path / "la.png"
    path.write_bytes(encode_png(_deep(2)))
    sources[path.name] = path
    return sources


def _tiff_sources(tmp_path) -> dict[str, object]:
    sources = {}
    for name, channels, compression, predictor in (("lzw", 3, "lzw", 2), ("deflate", 4, "adobe_deflate", None),
                                                   ("packbits", 3, "packbits", None), ("raw", 4, None, None)):
        path = tmp_path / f"{name}.tif"
        _tiff(path, _deep(channels), compression, predictor=predictor, iccprofile=ICC, resolution=(150, 150),
              resolutionunit=2, description="a 16-bit TIFF", software="a program")
        sources[path.name] = path
    return sources


def _container(path) -> dict:
    with Image.open(path) as image:
        image.load()
        tags = getattr(image, "tag_v2", {})
        return {"format": image.format, "mode": image.mode,
                "text": dict(getattr(image, "text", {})), "icc": image.info.get("icc_profile"),
                "dpi": image.info.get("dpi"), "exif": image.info.get("exif"), "gamma": image.info.get("gamma"),
                "bits": tags.get(258), "compression": tags.get(259), "predictor": tags.get(317),
                "extra": tags.get(338), "description": tags.get(270), "software": tags.get(305)}


@pytest.mark.parametrize("engine", ["opencv", "keras"])
def test_sixteen_bit_files_stay_sixteen_bit_in_both_engines(tmp_path, engine):
    sources = {**_png_sources(tmp_path), **_tiff_sources(tmp_path)}
    identity = ImageAugmenter(ops=[{"op": OP, "engine": engine}])
    moved = ImageAugmenter(rotation_range=30, brightness_range=[0.7, 1.3], channel_shift_range=10, engine=engine)
    for name, src in sources.items():
        before = read_image(src)
        assert isinstance(before, Image16), name
        for label, aug in (("same", identity), ("moved", moved)):
            out = tmp_path / f"{label}-{engine}-{name}"
            result = aug.augment_file(src, out, seed=9)
            assert result.params["mode"] == before.mode
            after = read_image(out)
            assert isinstance(after, Image16) and after.mode == before.mode, (name, label)
            assert _container(out) == _container(src), (name, label)
            if label == "same":
                assert np.array_equal(after.pixels, before.pixels), name
            else:
                assert not np.array_equal(after.pixels, before.pixels)
                assert np.any(after.pixels % 257 != 0)  # values 8 bits cannot hold


def test_a_sixteen_bit_image_written_as_a_format_without_sixteen_bits_is_rounded(tmp_path):
    image = Image16(_deep(4), "PNG", {"icc_profile": ICC})
    write_image(image, tmp_path / "out.webp")
    write_image(image, tmp_path / "out.jpg")
    with Image.open(tmp_path / "out.webp") as webp, Image.open(tmp_path / "out.jpg") as jpeg:
        assert webp.mode == "RGBA" and jpeg.mode == "RGB"
        assert webp.info["icc_profile"] == jpeg.info["icc_profile"] == ICC


def test_sixteen_bit_png_written_from_a_tiff_keeps_its_metadata(tmp_path):
    src = _tiff_sources(tmp_path)["lzw.tif"]
    IDENTITY.augment_file(src, tmp_path / "out.png", seed=1)
    out = read_image(tmp_path / "out.png")
    assert isinstance(out, Image16) and np.array_equal(out.pixels, read_image(src).pixels)
    assert out.info["icc_profile"] == ICC and tuple(round(v) for v in out.info["dpi"]) == (150, 150)
    assert settings_of(out.info).format == "PNG" and FORMAT_KEY in out.info  # type: ignore[union-attr]
