"""Tests for augment.image: Keras' ImageDataGenerator on real Pillow images and files."""

from __future__ import annotations

import io
import json
import pickle
import random
import struct
import subprocess
import sys
import warnings
import zlib

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageFile

from augment.base import BadInputError
from augment.image import ImageAugmenter
from augment.registry import EXTENSIONS

W, H = 32, 24
# Only photometric changes: every pixel stays where it is.
STILL = dict(rotation_range=0, width_shift_range=0, height_shift_range=0, horizontal_flip=False)


def rgb_array(seed: int = 0) -> np.ndarray:
    """A smooth gradient with a coloured block: interpolation and flips both show."""
    yy, xx = np.mgrid[0:H, 0:W]
    base = (xx * 255 // (W - 1) + yy * 3 + seed * 37) % 256
    rgb = np.stack([base, np.roll(base, 7, axis=1), 255 - base], axis=-1).astype(np.uint8)
    rgb[H // 4: H // 2, W // 4: W // 2] = (200, 30, 90)
    return rgb


def rgb_image(mode: str = "RGB") -> Image.Image:
    image = Image.fromarray(rgb_array())
    if mode == "I;16":
        values = np.asarray(image.convert("L")).astype(np.uint16) * 257
        return Image.frombytes("I;16", (W, H), values.astype("<u2").tobytes())
    if mode == "P":
        return image.quantize(colors=16)
    image = image if mode == "RGB" else image.convert(mode)
    if mode in ("LA", "RGBA"):
        # Real transparency: encoders (WebP) drop an alpha channel that is all opaque.
        alpha = np.tile(np.linspace(40, 255, W).astype(np.uint8), (H, 1))
        image.putalpha(Image.fromarray(alpha))
    return image


def transparent_square() -> Image.Image:
    """Fully transparent except an opaque red square."""
    rgba = np.zeros((H, W, 4), np.uint8)
    rgba[4:12, 6:16] = (255, 0, 0, 255)
    return Image.fromarray(rgba)


def save(image: Image.Image, path, **options):
    image.save(path, **options)
    return path


def tf_free_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


# -- construction -------------------------------------------------------------


def test_defaults_match_the_design():
    aug = ImageAugmenter()
    assert aug.config() == {
        "rotation_range": 30,
        "width_shift_range": 0.2,
        "height_shift_range": 0.2,
        "brightness_range": None,
        "shear_range": 0.0,
        "zoom_range": 0.0,
        "channel_shift_range": 0.0,
        "fill_mode": "nearest",
        "cval": 0.0,
        "horizontal_flip": True,
        "vertical_flip": False,
        "interpolation_order": 1,
        "jpeg_quality": 95,
        "webp_quality": 90,
    }
    assert aug.modality == "image" and aug.extensions == EXTENSIONS["image"]


@pytest.mark.parametrize(
    "name, value",
    [
        ("rotation_range", -5),
        ("rotation_range", float("nan")),
        ("rotation_range", "30"),
        ("width_shift_range", -0.1),
        ("width_shift_range", []),
        ("width_shift_range", [0.1, "x"]),
        ("height_shift_range", True),
        ("height_shift_range", float("inf")),
        ("brightness_range", 0.5),
        ("brightness_range", [1.5, 0.5]),
        ("brightness_range", [0, 1]),
        ("brightness_range", [0.5, 1.0, 1.5]),
        ("shear_range", -1),
        ("zoom_range", 1.0),
        ("zoom_range", -0.2),
        ("zoom_range", [1.2, 0.8]),
        ("zoom_range", [0, 1]),
        ("channel_shift_range", -3),
        ("fill_mode", "mirror"),
        ("cval", None),
        ("cval", float("nan")),
        ("horizontal_flip", 1),
        ("vertical_flip", "yes"),
        ("interpolation_order", 6),
        ("interpolation_order", 1.0),
        ("interpolation_order", True),
        ("jpeg_quality", 0),
        ("jpeg_quality", 101),
        ("webp_quality", 50.5),
    ],
)
def test_invalid_arguments_name_argument_and_value(name, value):
    with pytest.raises(ValueError, match=name) as info:
        ImageAugmenter(**{name: value})
    assert repr(value) in str(info.value)


def test_keras_style_arguments_are_kept_as_plain_lists():
    aug = ImageAugmenter(
        width_shift_range=(2, 4, 8),
        height_shift_range=np.array([0.1, 0.2]),
        zoom_range=(0.8, 1.25),
        brightness_range=(0.7, 1.3),
        rotation_range=np.float64(12.5),
        interpolation_order=np.int64(0),
    )
    config = aug.config()
    assert config["width_shift_range"] == [2, 4, 8]
    assert config["height_shift_range"] == [0.1, 0.2]
    assert config["zoom_range"] == [0.8, 1.25] and config["brightness_range"] == [0.7, 1.3]
    assert type(config["rotation_range"]) is float and type(config["interpolation_order"]) is int
    assert json.loads(json.dumps(config)) == config
    assert ImageAugmenter(**config) == aug
    out = aug.augment(rgb_array(), seed=3)
    assert out.params["ops"][0]["ty"] in (-8, -4, -2, 2, 4, 8)


def test_constructing_and_reading_import_neither_tensorflow_nor_keras(tmp_path):
    path = save(rgb_image(), tmp_path / "a.png")
    out = tf_free_python(
        "import sys\n"
        "from augment.image import ImageAugmenter\n"
        "print('PIL' in sys.modules)\n"
        "aug = ImageAugmenter(rotation_range=10, zoom_range=[0.9, 1.1])\n"
        "aug.config(); repr(aug)\n"
        "try:\n"
        "    ImageAugmenter(rotation_range=-1)\n"
        "except ValueError:\n"
        "    pass\n"
        f"aug.read({str(path)!r})\n"
        "print([m for m in ('tensorflow', 'keras') if m in sys.modules])\n"
    )
    assert out.splitlines() == ["False", "[]"]


# -- seeding and parameters ---------------------------------------------------


def test_same_seed_same_output_different_seeds_differ():
    aug = ImageAugmenter(brightness_range=[0.6, 1.4], channel_shift_range=20, zoom_range=0.1)
    a = aug.augment(rgb_array(), seed=7)
    b = ImageAugmenter(**aug.config()).augment(rgb_array(), seed=7)
    assert np.array_equal(a.data, b.data) and a.params == b.params
    outputs = {aug.augment(rgb_array(), seed=s).data.tobytes() for s in range(5)}
    assert len(outputs) == 5
    pil = [aug.augment(rgb_image(), seed=7).data for _ in range(2)]
    assert pil[0].tobytes() == pil[1].tobytes() == Image.fromarray(a.data).tobytes()


def test_global_random_states_are_untouched():
    aug = ImageAugmenter()
    random.seed(99)
    np.random.seed(99)
    py_state, np_state = random.getstate(), np.random.get_state()
    aug.augment(rgb_array(), seed=1)
    aug.augment(rgb_image("RGBA"))
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]


def test_params_are_json_safe_and_hold_what_keras_draws():
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    options = dict(rotation_range=20, width_shift_range=0.1, height_shift_range=3, shear_range=10,
                   zoom_range=0.2, channel_shift_range=15, brightness_range=[0.8, 1.2],
                   horizontal_flip=True, vertical_flip=True)
    params = ImageAugmenter(**options).augment(rgb_array(), seed=21).params
    assert json.loads(json.dumps(params)) == params
    assert params["mode"] == "array" and params["size"] == [W, H]
    np.random.seed(21)
    expected = ImageDataGenerator(**options).get_random_transform((H, W, 3))
    assert params["ops"][0]["op"] == "ImageDataGenerator" and len(params["ops"]) == 1
    assert set(params["ops"][0]) - {"op"} == set(expected)
    for key, value in expected.items():
        assert params["ops"][0][key] == pytest.approx(value), key
    assert isinstance(params["ops"][0]["flip_horizontal"], bool)


def test_geometry_is_exactly_keras_apply_transform():
    from tensorflow.keras.preprocessing.image import ImageDataGenerator

    options = dict(rotation_range=25, shear_range=8, zoom_range=0.15, vertical_flip=True)
    result = ImageAugmenter(**options).augment(rgb_array(), seed=5)
    keras = ImageDataGenerator(**options, horizontal_flip=True, width_shift_range=0.2,
                               height_shift_range=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        expected = keras.apply_transform(rgb_array().astype(np.float32), result.params["ops"][0])
    assert np.array_equal(result.data, np.clip(np.rint(expected), 0, 255).astype(np.uint8))
    assert not np.array_equal(result.data, rgb_array())


# -- arrays ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, dtype",
    [((H, W), np.uint8), ((H, W, 1), np.uint8), ((H, W, 2), np.uint8), ((H, W, 3), np.uint16),
     ((H, W, 4), np.uint8), ((H, W), np.uint16)],
)
def test_arrays_keep_shape_and_dtype(shape, dtype):
    top = np.iinfo(dtype).max
    data = (np.random.default_rng(1).random(shape) * top).astype(dtype)
    out = ImageAugmenter(brightness_range=[1.5, 1.5]).augment(data, seed=2).data
    assert out.shape == shape and out.dtype == dtype
    assert not np.array_equal(out, data)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.zeros((H, W, 3), np.float64), "dtype"),
        (np.zeros((H, W), np.int32), "dtype"),
        (np.zeros((H, W, 5), np.uint8), "shape"),
        (np.zeros((2, H, W, 3), np.uint8), "shape"),
        (np.zeros((H,), np.uint8), "shape"),
        (np.zeros((0, W, 3), np.uint8), "empty"),
        ([[0, 1], [2, 3]], "list"),
    ],
)
def test_unsupported_arrays_raise_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        ImageAugmenter().augment(data, seed=0)


def test_sixteen_bit_values_are_kept_brightness_scales_and_clips_without_wrapping():
    values = (np.arange(H * W).reshape(H, W) * 80 + 500).astype(np.uint16)  # 500..61,820
    aug = ImageAugmenter(**{**STILL, "rotation_range": 10})
    moved = aug.augment(values, seed=3).data
    assert moved.dtype == np.uint16 and moved.max() > 30000 and not np.array_equal(moved, values)
    half = ImageAugmenter(brightness_range=[0.5, 0.5], **STILL).augment(values, seed=3).data
    assert np.array_equal(half, np.rint(values / 2).astype(np.uint16))
    double = ImageAugmenter(brightness_range=[2.0, 2.0], **STILL).augment(values, seed=3).data
    assert np.array_equal(double, np.minimum(values.astype(np.int64) * 2, 65535).astype(np.uint16))


def test_channel_shift_is_on_the_eight_bit_scale_for_sixteen_bit_images():
    gray8 = np.asarray(rgb_image("L"))
    aug = ImageAugmenter(channel_shift_range=40, **STILL)
    out8 = aug.augment(gray8, seed=8)
    out16 = aug.augment(gray8.astype(np.uint16) * 257, seed=8)
    assert out8.params == out16.params and out8.params["ops"][0]["channel_shift_intensity"]
    assert not np.array_equal(out8.data, gray8)
    assert np.abs(out16.data.astype(np.int64) - out8.data.astype(np.int64) * 257).max() <= 129


# -- PIL modes ------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"])
def test_pil_modes_and_sizes_survive(mode):
    image = rgb_image(mode)
    aug = ImageAugmenter(channel_shift_range=10, brightness_range=[0.8, 1.2])
    result = aug.augment(image, seed=4)
    out = result.data
    assert isinstance(out, Image.Image) and out.mode == mode and out.size == (W, H)
    assert out.tobytes() != image.tobytes()
    assert result.params["mode"] == mode and result.params["size"] == [W, H]


def test_bilevel_stays_black_and_white():
    out = ImageAugmenter().augment(rgb_image("1"), seed=2)
    assert out.params["via"] == "L"
    assert set(np.unique(np.asarray(out.data.convert("L")))) <= {0, 255}


def test_alpha_moves_with_the_colour():
    image = transparent_square()
    aug = ImageAugmenter(rotation_range=40, zoom_range=0.2, vertical_flip=True)
    for seed in range(3):
        out = np.asarray(aug.augment(image, seed=seed).data)
        red_only = np.asarray(aug.augment(image.convert("RGB"), seed=seed).data)[..., 0]
        assert np.array_equal(out[..., 3], red_only)
        assert not np.array_equal(out[..., 3], np.asarray(image)[..., 3])


@pytest.mark.parametrize("mode", ["RGBA", "LA"])
def test_colour_operations_leave_alpha_alone(mode):
    image = rgb_image(mode)
    alpha = np.asarray(image)[..., -1].copy()
    assert len(np.unique(alpha)) > 10
    aug = ImageAugmenter(brightness_range=[0.5, 0.5], channel_shift_range=30, **STILL)
    out = np.asarray(aug.augment(image, seed=1).data)
    assert np.array_equal(out[..., -1], alpha)
    assert not np.array_equal(out[..., :-1], np.asarray(image)[..., :-1])


def test_palette_with_transparency_stays_palette_and_transparent():
    source = transparent_square().convert("RGBA")
    indices = (np.asarray(source)[..., 3] > 0).astype(np.uint8)
    palette = Image.frombytes("P", (W, H), indices.tobytes())
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.info["transparency"] = 0
    result = ImageAugmenter(rotation_range=0, horizontal_flip=False, width_shift_range=[4],
                            height_shift_range=0).augment(palette, seed=6)
    out = result.data
    assert out.mode == "P" and result.params["via"] == "RGBA"
    rgba = np.asarray(out.convert("RGBA"))
    opaque = rgba[..., 3] > 0
    assert opaque.sum() == (np.asarray(source)[..., 3] > 0).sum()  # a whole-pixel shift
    assert np.all(rgba[opaque][:, :3] == (255, 0, 0))
    assert not np.array_equal(opaque, np.asarray(source)[..., 3] > 0)


def test_cmyk_brightness_brightens():
    image = rgb_image("CMYK")
    out = ImageAugmenter(brightness_range=[1.5, 1.5], **STILL).augment(image, seed=0).data
    assert out.mode == "CMYK"
    before = np.asarray(image.convert("RGB"), dtype=float).mean()
    assert np.asarray(out.convert("RGB"), dtype=float).mean() > before + 10


def test_unsupported_pil_mode_raises_value_error():
    with pytest.raises(ValueError, match="YCbCr"):
        ImageAugmenter().augment(rgb_image().convert("YCbCr"), seed=0)


# -- files ------------------------------------------------------------------------


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


@pytest.mark.parametrize("ext", ["png", "jpg", "tiff", "webp"])
def test_icc_profile_is_kept(tmp_path, ext):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    src = save(rgb_image(), tmp_path / f"in.{ext}", icc_profile=icc)
    ImageAugmenter().augment_file(src, tmp_path / f"out.{ext}", seed=3)
    with Image.open(tmp_path / f"out.{ext}") as out:
        assert out.info.get("icc_profile") == icc


def test_output_quality_options_are_used(tmp_path):
    src = save(rgb_image(), tmp_path / "in.png")
    for ext in ("jpg", "webp"):
        low = ImageAugmenter(jpeg_quality=5, webp_quality=5)
        high = ImageAugmenter(jpeg_quality=100, webp_quality=100)
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
    with pytest.raises(ValueError, match="16-bit"):
        aug.write(np.zeros((H, W, 3), np.uint16), tmp_path / "f.png")


def test_pickles_without_its_generator():
    aug = ImageAugmenter(zoom_range=[0.9, 1.1])
    first = aug.augment(rgb_array(), seed=4).data  # builds the Keras generator
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and np.array_equal(clone.augment(rgb_array(), seed=4).data, first)


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


@pytest.mark.parametrize(
    "name, make, reason",
    [
        ("empty.png", lambda p: p.write_bytes(b""), "empty file"),
        ("cut.jpg", lambda p: p.write_bytes(_half("JPEG")), "truncated"),
        ("cut.png", lambda p: p.write_bytes(_half("PNG")), "cannot decode"),
        ("text.png", lambda p: p.write_text("this is not a picture\n"), "not an image"),
        ("junk.jpg", lambda p: p.write_bytes(np.random.default_rng(3).bytes(2048)), "not an image"),
        ("header.png", lambda p: p.write_bytes(_encoded("PNG")[:40]), "damaged header"),
        ("cut.tif", lambda p: p.write_bytes(_encoded("TIFF")[:30]), "not an image"),
        ("cut.webp", lambda p: p.write_bytes(_half("WEBP")), "cannot decode"),
        ("anim.gif", _two_frame_gif, "2 frames"),
    ],
)
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


@pytest.mark.parametrize("limit", [100, 500])  # above 2x the limit Pillow errors, above 1x it warns
def test_decompression_bombs_are_refused(tmp_path, monkeypatch, limit):
    src = save(rgb_image(), tmp_path / "bomb.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(BadInputError, match="decompression") as info:
            ImageAugmenter().read(src)
    assert caught == []
    assert f"{W * H} pixels" in info.value.reason
    assert f"limit of {limit} pixels" in info.value.reason


def test_crafted_header_bomb_is_refused_at_the_default_limit(tmp_path):
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    side = 20_000  # 400 million pixels declared, in a 45-byte file
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    src = tmp_path / "bomb.png"
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b""))
    with pytest.raises(BadInputError, match=f"{side * side} pixels") as info:
        ImageAugmenter().read(src)
    assert str(Image.MAX_IMAGE_PIXELS) in info.value.reason


def test_missing_file_is_a_bad_input(tmp_path):
    with pytest.raises(BadInputError, match="cannot read"):
        ImageAugmenter().read(tmp_path / "nope.png")


def test_tensorflow_import_notes_are_dropped_but_nothing_else(tmp_path):
    # TensorFlow's C++ code writes INFO notes to fd 2 at import, before its log
    # level applies; only those lines are dropped, warnings and errors are kept.
    code = (
        "import os\n"
        "from augment.image import _native_info_dropped\n"
        "with _native_info_dropped():\n"
        "    os.write(2, b'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n')\n"
        "    os.write(2, b'I0000 00:00:1795923297.451857   11242 cudart_stub.cc:31] Could not find cuda drivers\\n')\n"
        "    os.write(2, b'E0000 00:00:1795923297.451857   11242 x.cc:9] a real error\\n')\n"
        "    os.write(2, b'plain text on stderr\\n')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stderr == "E0000 00:00:1795923297.451857   11242 x.cc:9] a real error\nplain text on stderr\n"
