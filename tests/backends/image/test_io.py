"""Tests for augment.backends.image.io: reading and writing image files with Pillow."""

from __future__ import annotations

import io
import re
import struct
import threading
import warnings
import zlib
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from augment.backends.image import ImageAugmenter
from augment.backends.image.deep import Image16
from augment.backends.image.io import FORMATS, KEEP, check_quality, read_image, read_image_ahead, write_image
from augment.core.registry import backend
from augment.core.result import BadInputError
from backends.image.helpers import H, W, rgb_array, rgb_image, save


def test_every_registered_extension_has_a_format():
    assert set(FORMATS) == set(backend("image").extensions)


@pytest.mark.parametrize("value", [1, 100, np.int64(50)])
def test_check_quality_takes_integers_in_range(value):
    assert check_quality("jpeg_quality", value) == int(value) and type(check_quality("q", value)) is int


@pytest.mark.parametrize("value", [None, "keep"])
def test_check_quality_takes_keep_and_none_as_keep(value):
    assert check_quality("jpeg_quality", value) == KEEP == "keep"


@pytest.mark.parametrize("value", [0, 101, 50.5, True, "90", "KEEP", b"keep"])
def test_check_quality_names_the_option_and_value(value):
    expected = (r'^webp_quality must be an integer in \[1, 100\] or "keep" \(the source\'s\); got '
                + re.escape(repr(value)) + "$")
    with pytest.raises(ValueError, match=expected):
        check_quality("webp_quality", value)


@pytest.mark.parametrize(
    "ext, mode",
    [("jpg", "RGB"), ("jpeg", "L"), ("jpg", "CMYK"), ("png", "RGBA"), ("png", "LA"), ("png", "P"),
     ("png", "I;16"), ("png", "1"), ("bmp", "RGB"), ("bmp", "P"), ("gif", "P"), ("tiff", "RGB"),
     ("tif", "I;16"), ("tiff", "CMYK"), ("webp", "RGB"), ("webp", "RGBA")],
)
def test_augment_file_keeps_format_mode_and_size(tmp_path, ext, mode):
    aug = ImageAugmenter()
    src = save(rgb_image(mode), tmp_path / f"in.{ext}")
    original = src.read_bytes()
    dst = tmp_path / f"out.{ext.upper()}"
    result = aug.augment_file(src, dst, seed=12)
    assert src.read_bytes() == original
    before, after = aug.read(src), aug.read(dst)
    assert (after.format, after.mode, after.size) == (before.format, before.mode, before.size)
    assert after.mode == mode and after.size == (W, H)
    assert after.tobytes() != before.tobytes()
    assert result.params["mode"] == mode
    aug.augment_file(src, tmp_path / f"again.{ext}", seed=12)
    assert (tmp_path / f"again.{ext}").read_bytes() == dst.read_bytes()
    if mode == "I;16":
        assert np.asarray(after).max() > 255


@pytest.mark.parametrize("out_ext", ["jpg", "png", "tiff", "webp"])
def test_exif_orientation_is_applied_and_not_written_again(tmp_path, out_ext):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    exif[0x010F] = "augment-dir test camera"
    src = save(rgb_image(), tmp_path / "rotated.jpg", exif=exif)
    aug = ImageAugmenter()
    image = aug.read(src)
    assert image.size == (H, W) and image.format == "JPEG"
    assert 0x0112 not in image.getexif()
    aug.augment_file(src, tmp_path / f"out.{out_ext}", seed=1)
    with Image.open(tmp_path / f"out.{out_ext}") as out:
        assert out.size == (H, W)
        assert 0x0112 not in out.getexif()
        assert out.getexif()[0x010F] == "augment-dir test camera"


def test_an_exif_holding_only_the_orientation_is_dropped(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 3
    image = read_image(save(rgb_image(), tmp_path / "upside-down.png", exif=exif))
    assert "exif" not in image.info
    assert np.array_equal(np.asarray(image), rgb_array()[::-1, ::-1])


@pytest.mark.parametrize("ext", ["png", "jpg", "tiff", "webp"])
def test_icc_profile_is_kept(tmp_path, ext):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    src = save(rgb_image(), tmp_path / f"in.{ext}", icc_profile=icc)
    ImageAugmenter().augment_file(src, tmp_path / f"out.{ext}", seed=3)
    with Image.open(tmp_path / f"out.{ext}") as out:
        assert out.info.get("icc_profile") == icc


@pytest.mark.parametrize("ext", ["png", "jpg", "tiff"])
def test_resolution_is_kept(tmp_path, ext):
    src = save(rgb_image(), tmp_path / f"in.{ext}", dpi=(300, 300))
    ImageAugmenter().augment_file(src, tmp_path / f"out.{ext}", seed=3)
    with Image.open(tmp_path / f"out.{ext}") as out:
        assert tuple(round(v) for v in out.info["dpi"]) == (300, 300)


def test_output_quality_options_are_used(tmp_path):
    src = save(rgb_image(), tmp_path / "in.png")
    for ext in ("jpg", "webp"):
        low = ImageAugmenter(jpeg_quality=5, webp_quality=5)
        high = ImageAugmenter(ops=[{"op": "ImageDataGenerator", "rotation_range": 30, "width_shift_range": 0.2,
                                    "height_shift_range": 0.2, "horizontal_flip": True}],
                              jpeg_quality=100, webp_quality=100)
        low.augment_file(src, tmp_path / f"low.{ext}", seed=1)
        high.augment_file(src, tmp_path / f"high.{ext}", seed=1)
        assert (tmp_path / f"low.{ext}").stat().st_size < (tmp_path / f"high.{ext}").stat().st_size


def test_write_arrays_and_convert_modes_a_format_cannot_hold(tmp_path):
    aug = ImageAugmenter()
    aug.write(rgb_array(), tmp_path / "a.png")
    with Image.open(tmp_path / "a.png") as image:
        assert image.mode == "RGB" and np.array_equal(np.asarray(image), rgb_array())
    sixteen = np.full((H, W), 51400, np.uint16)
    aug.write(sixteen, tmp_path / "b.png")
    with Image.open(tmp_path / "b.png") as image:
        assert image.mode == "I;16" and np.array_equal(np.asarray(image), sixteen)
    aug.write(Image.frombytes("I;16", (W, H), sixteen.tobytes()), tmp_path / "c.bmp")
    with Image.open(tmp_path / "c.bmp") as image:
        assert image.mode == "L" and np.asarray(image).max() == 200
    aug.write(rgb_image("RGBA"), tmp_path / "d.jpg")
    with Image.open(tmp_path / "d.jpg") as image:
        assert image.mode == "RGB"
    with pytest.raises(ValueError, match=r"\.xyz"):
        aug.write(rgb_array(), tmp_path / "e.xyz")
    deep = np.full((H, W, 3), 51400, np.uint16)
    aug.write(deep, tmp_path / "f.png")  # 16-bit colour: written at 16 bits
    assert np.array_equal(aug.read(tmp_path / "f.png").pixels, deep)
    aug.write(deep, tmp_path / "f.jpg")  # a format without 16-bit colour: 8 bits
    with Image.open(tmp_path / "f.jpg") as image:
        assert image.mode == "RGB" and abs(int(np.asarray(image).mean()) - 200) <= 1
    with pytest.raises(ValueError, match="can only write a PIL.Image.Image, an Image16 or a NumPy array; got str"):
        write_image("pixels", tmp_path / "g.png", jpeg_quality=95, webp_quality=90)


# -- bad input files --------------------------------------------------------------


def _encoded(fmt: str, **options) -> bytes:
    noise = np.random.default_rng(0).integers(0, 256, (H * 4, W * 4, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(noise).save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _half(fmt: str) -> bytes:
    data = _encoded(fmt)
    return data[: len(data) // 2]


def _two_frame_gif(path):
    flipped = rgb_image().transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    frames = [rgb_image().quantize(8), flipped.quantize(8)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100)


BAD_FILES = [
        ("empty.png", lambda p: p.write_bytes(b""), "empty file"),
        ("cut.jpg", lambda p: p.write_bytes(_half("JPEG")), "truncated"),
        ("cut.png", lambda p: p.write_bytes(_half("PNG")), "cannot decode"),
        ("text.png", lambda p: p.write_text("this is not a picture\n"), "not an image"),
        ("junk.jpg", lambda p: p.write_bytes(np.random.default_rng(3).bytes(2048)), "not an image"),
        ("header.png", lambda p: p.write_bytes(_encoded("PNG")[:40]), "damaged header"),
        ("cut.tif", lambda p: p.write_bytes(_encoded("TIFF")[:30]), "not an image"),
        ("cut.webp", lambda p: p.write_bytes(_half("WEBP")), "cannot decode"),
        ("anim.gif", _two_frame_gif, "animated or multi-page GIF image with 2 frames"),
        ("ycbcr.jpg", lambda p: save(rgb_image().convert("YCbCr"), p.with_suffix(".tif")).rename(p),
         "unsupported image mode 'YCbCr'"),
]


@pytest.mark.parametrize("name, make, reason", BAD_FILES)
def test_bad_files_raise_bad_input_error_and_leave_no_output(tmp_path, name, make, reason):
    src = tmp_path / name
    make(src)
    aug = ImageAugmenter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(BadInputError, match=reason) as info:
            aug.read(src)
    assert caught == []
    assert info.value.path == str(src)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(BadInputError):
        aug.augment_file(src, out_dir / name, seed=1)
    assert list(out_dir.iterdir()) == []
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def _png_header(width: int, height: int, bit_depth: int = 8, colour: int = 2, idat: bytes = b"") -> bytes:
    """A PNG file with this header and ``idat`` as its only pixel data (none: nothing to decode)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour, 0, 0, 0)
    data = chunk(b"IDAT", idat) if idat else b""
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + data + chunk(b"IEND", b"")


def _refused(width: int, height: int, limit: int) -> str:
    return re.escape(f"{width}x{height} image ({width * height} pixels) is above the limit of {limit} pixels "
                     "(max_pixels in the recipe's [image] table raises it); refused before decoding it") + "$"


def test_an_image_above_max_pixels_is_refused_and_one_at_it_is_read(tmp_path):
    src = save(rgb_image(), tmp_path / "a.png")
    with pytest.raises(BadInputError, match=_refused(W, H, W * H - 1)) as info:
        ImageAugmenter(max_pixels=W * H - 1).read(src)
    assert info.value.path == str(src)
    assert ImageAugmenter(max_pixels=W * H).read(src).size == (W, H)
    with pytest.raises(BadInputError, match=_refused(W, H, 100)):
        read_image(src, max_pixels=100)


def test_max_pixels_is_checked_from_the_header_before_any_pixel_is_decoded(tmp_path):
    # 9000x9000 declared, with pixel data that cannot be decoded: the size alone refuses it.
    src = tmp_path / "big.png"
    src.write_bytes(_png_header(9000, 9000, idat=b"not zlib data"))
    with pytest.raises(BadInputError, match=_refused(9000, 9000, 50_000_000)):
        ImageAugmenter().read(src)
    # Below the limit the same file is decoded, and fails as damaged.
    small = tmp_path / "small.png"
    small.write_bytes(_png_header(90, 90, idat=b"not zlib data"))
    with pytest.raises(BadInputError, match="cannot decode the image"):
        ImageAugmenter().read(small)


def test_a_gif_is_refused_before_its_frames_are_counted(tmp_path):
    frames = [Image.fromarray(rgb_array(seed)).convert("P") for seed in range(3)]
    src = tmp_path / "anim.gif"
    frames[0].save(src, save_all=True, append_images=frames[1:])
    with pytest.raises(BadInputError, match=_refused(W, H, 10)):
        read_image(src, max_pixels=10)
    with pytest.raises(BadInputError, match="animated or multi-page GIF image with 3 frames"):
        read_image(src)


@pytest.mark.parametrize("ext", ["png", "tif"])
def test_sixteen_bit_colour_is_refused_from_its_header_too(tmp_path, ext):
    deep = np.full((H, W, 3), 51400, np.uint16)
    src = tmp_path / f"deep.{ext}"
    ImageAugmenter().write(deep, src)
    assert np.array_equal(ImageAugmenter().read(src).pixels, deep)  # read at 16 bits when allowed
    with pytest.raises(BadInputError, match=_refused(W, H, W * H - 1)):
        ImageAugmenter(max_pixels=W * H - 1).read(src)


@pytest.mark.parametrize("side", [10_000, 20_000])  # Pillow warns above its limit, raises above twice it
def test_pillows_decompression_bomb_checks_give_the_same_error(tmp_path, side):
    src = tmp_path / "bomb.png"
    src.write_bytes(_png_header(side, side))  # side x side declared, in a 45-byte file
    assert side * side > Image.MAX_IMAGE_PIXELS  # Pillow's own check fires first, while opening
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(BadInputError) as info:
            ImageAugmenter().read(src)
    assert caught == []
    assert info.value.reason == (f"image of {side * side} pixels is above the limit of 50000000 pixels "
                                 "(max_pixels in the recipe's [image] table raises it); refused before decoding it")


def test_a_max_pixels_above_pillows_limit_raises_it_for_the_read_only(tmp_path, monkeypatch):
    src = save(rgb_image(), tmp_path / "a.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)  # Pillow alone would refuse W * H = 768 pixels
    assert read_image(src, max_pixels=W * H).size == (W, H)
    assert Image.MAX_IMAGE_PIXELS == 100
    # Pillow's check, at max_pixels, fires first (a warning up to twice it): the same reason, without the size.
    with pytest.raises(BadInputError, match=re.escape(f"image of {W * H} pixels is above the limit of 500 ")):
        read_image(src, max_pixels=500)
    assert Image.MAX_IMAGE_PIXELS == 100
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # switched off: max_pixels still applies
    with pytest.raises(BadInputError, match=_refused(W, H, 500)):
        read_image(src, max_pixels=500)
    assert Image.MAX_IMAGE_PIXELS is None


def test_missing_file_is_a_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="cannot read"):
        read_image(tmp_path / "nope.png")


def test_the_same_image_gives_the_same_bytes_whenever_it_is_written(tmp_path):
    """No format we write may carry the time of writing (or anything else that changes between runs)."""
    import time

    cases = [(suffix, mode) for suffix in sorted(FORMATS)
             for mode in ("RGB", "RGBA", "L", "P", "I;16") if not (mode == "I;16" and FORMATS[suffix] == "WEBP")]
    written: dict[tuple[str, str], bytes] = {}
    for round_ in (1, 2):
        for suffix, mode in cases:
            image = rgb_image("RGB").convert(mode) if mode != "I;16" else Image.fromarray(
                rgb_array()[..., 0].astype(np.uint16) * 257)
            image.info["dpi"] = (72, 72)
            path = tmp_path / f"{round_}-{mode.replace(';', '')}.augtmp"  # the suffix says the format
            write_image(image, path, suffix=suffix, jpeg_quality=90, webp_quality=80)
            data = path.read_bytes()
            assert written.setdefault((suffix, mode), data) == data, (suffix, mode)
        if round_ == 1:
            time.sleep(1.1)  # a clock of one-second resolution would show
    assert len(written) == len(cases) >= 35


# -- reading ahead: the pixels decoded on another thread, the same data and errors --------------------


@pytest.fixture(scope="module")
def background():
    with ThreadPoolExecutor(1, thread_name_prefix="test-read") as pool:
        yield pool


def _good_files(folder):
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x010F] = "augment-dir test camera"
    deep = np.random.default_rng(5).integers(0, 65536, (H, W, 3), dtype=np.uint16) | 1
    import cv2

    cv2.imwrite(str(folder / "deep.png"), deep)
    return [
        save(rgb_image(), folder / "rotated.jpg", exif=exif),
        save(rgb_image(), folder / "plain.jpg", quality=80, subsampling=2),
        save(rgb_image("RGBA"), folder / "alpha.png"),
        save(rgb_image("P"), folder / "palette.png"),
        save(rgb_image("L"), folder / "grey.webp", lossless=True),
        save(rgb_image(), folder / "lzw.tif", compression="tiff_lzw"),
        folder / "deep.png",
    ]


def _pixels(image):
    return image.pixels if isinstance(image, Image16) else np.asarray(image)


def test_a_read_ahead_gives_what_read_image_gives(tmp_path, background):
    decoded_on = []
    original_load = ImageFile.ImageFile.load

    def load(self):  # which thread decodes (the real decoder runs either way)
        decoded_on.append(threading.current_thread().name)
        return original_load(self)

    for path in _good_files(tmp_path):
        expected = read_image(path)
        ImageFile.ImageFile.load = load
        try:
            pending = read_image_ahead(path, 50_000_000, background)
            got = pending.result()
        finally:
            ImageFile.ImageFile.load = original_load
        assert type(got) is type(expected)
        assert (got.mode, got.size, got.format) == (expected.mode, expected.size, expected.format), path.name
        assert np.array_equal(_pixels(got), _pixels(expected)), path.name
        assert got.info == expected.info, path.name
    # Every 8-bit file decoded on the background thread; the 16-bit PNG is read at full depth here instead.
    assert sum(name.startswith("test-read") for name in decoded_on) == 6


@pytest.mark.parametrize("name, make, reason", BAD_FILES)
def test_a_read_ahead_of_a_bad_file_gives_read_images_error(tmp_path, background, name, make, reason):
    src = tmp_path / name
    make(src)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pending = read_image_ahead(src, 50_000_000, background)
        with pytest.raises(BadInputError, match=reason) as info:
            pending.result()
    assert caught == []
    assert info.value.path == str(src)


def test_a_read_ahead_above_max_pixels_is_refused_as_read_image_refuses_it(tmp_path, background):
    src = save(rgb_image(), tmp_path / "big.png")
    with pytest.raises(BadInputError) as plain:
        read_image(src, max_pixels=W * H - 1)
    with pytest.raises(BadInputError) as ahead:
        read_image_ahead(src, W * H - 1, background).result()
    assert str(ahead.value) == str(plain.value)


def test_a_dropped_read_ahead_closes_its_file_and_cannot_be_taken(tmp_path, background):
    src = save(rgb_image(), tmp_path / "dropped.jpg")
    pending = read_image_ahead(src, 50_000_000, background)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)  # an unclosed file would warn when collected
        pending.close()
        pending.close()
        del pending
    pending = read_image_ahead(src, 50_000_000, background)
    pending.result()
    with pytest.raises(RuntimeError, match="already taken"):
        pending.result()


def test_a_large_rgb_image_is_decoded_into_one_block_and_warped_where_it_is(tmp_path):
    from augment.backends.image.rgbx import rgbx_view

    width, height = 2100, 2000  # 16.8 MB as Pillow holds it: above its 16 MB block size
    assert 4 * width * height > Image.core.get_block_size()
    pixels = np.random.default_rng(11).integers(0, 256, (height, width, 3), dtype=np.uint8)
    src = save(Image.fromarray(pixels), tmp_path / "large.jpg", quality=90)
    with Image.open(src) as plain:
        plain.load()
        assert rgbx_view(plain) is None  # Pillow's own allocation: several blocks, no view
        expected = np.asarray(plain)
    image = read_image(src)
    view = rgbx_view(image)
    assert view is not None and view.shape == (height, width, 4)
    assert np.array_equal(view[..., :3], expected) and np.array_equal(np.asarray(image), expected)


def test_an_image_above_the_read_ahead_limit_is_decoded_when_taken(tmp_path, background, monkeypatch):
    from augment.backends.image import io as image_io

    src = save(rgb_image(), tmp_path / "large-enough.jpg")
    decoded_on = []
    original_load = ImageFile.ImageFile.load

    def load(self):
        decoded_on.append(threading.current_thread().name)
        return original_load(self)

    monkeypatch.setattr(image_io, "READ_AHEAD_PIXELS", W * H - 1)
    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    got = read_image_ahead(src, 50_000_000, background).result()
    assert decoded_on and not any(name.startswith("test-read") for name in decoded_on)
    assert np.array_equal(np.asarray(got), np.asarray(read_image(src)))
