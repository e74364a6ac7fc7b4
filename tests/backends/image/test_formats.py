"""Tests for augment.backends.image.formats: every output keeps its source's format settings.

Each case is a file the test makes. An identity recipe (an ImageDataGenerator
op with nothing else: Keras' defaults, no transform) must give identical
pixels for lossless formats and the source's own tables, subsampling and
progression for JPEG; an augmented copy must keep mode, bit depth, palette
and container settings.
"""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest
from PIL import Image, ImageCms, JpegImagePlugin, PngImagePlugin

import augment
from augment.backends.image import ImageAugmenter
from augment.backends.image.deep import Image16, encode_png
from augment.backends.image.formats import (
    FORMAT_KEY,
    KEEP,
    LOSSY_WEBP_QUALITY,
    PLAIN_JPEG_QUALITY,
    SourceFormat,
    save_options,
    settings_of,
    source_format,
    webp_encoding,
    webp_is_lossless,
)
from augment.backends.image.io import read_image, write_image
from backends.image.helpers import H, W, rgb_array, rgb_image, save

OP = "ImageDataGenerator"
IDENTITY = ImageAugmenter(ops=[{"op": OP}])
MOVED = ImageAugmenter(rotation_range=30, width_shift_range=0.2, brightness_range=[0.6, 1.4],
                       channel_shift_range=20)
# Geometry only: a palette keeps its colours too (colour operations change the palette's entries).
TURNED = ImageAugmenter(rotation_range=30, width_shift_range=0.2)
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _noise(seed: int = 0, channels: int = 3) -> np.ndarray:
    """Smooth colour with fine noise: JPEG settings show in the pixels."""
    noise = np.random.default_rng(seed).integers(0, 40, (H, W, channels))
    return np.clip(rgb_array(seed)[..., :1].repeat(channels, axis=2).astype(int) // 2 + noise, 0, 255).astype(np.uint8)


def _open(source):
    """A PIL image opened from a path or bytes, loaded and with its file closed."""
    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as image:
        image.load()
        return image


def _pixels(path) -> np.ndarray:
    data = read_image(path)
    return data.pixels if isinstance(data, Image16) else np.asarray(data)


def _mask() -> Image.Image:
    """A VOC-style index-coded mask: classes 0, 1, 2 and 255 (void), with the VOC colours."""
    indices = np.zeros((H, W), np.uint8)
    indices[4:14, 5:20] = 1
    indices[10:20, 14:28] = 2
    indices[:, :2] = 255
    mask = Image.frombytes("P", (W, H), indices.tobytes())
    mask.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0] + [0, 0, 0] * 252 + [224, 224, 192])
    return mask


XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="augment-dir"/></rdf:RDF>'
       b'</x:xmpmeta>')


def _png_colour() -> PngImagePlugin.PngInfo:
    """gAMA, cHRM and sRGB chunks (how viewers show the colours)."""
    chunks = PngImagePlugin.PngInfo()
    chunks.add(b"gAMA", struct.pack(">I", 45455))
    chunks.add(b"cHRM", struct.pack(">8I", 31270, 32900, 64000, 33000, 30000, 60000, 15000, 6000))
    chunks.add(b"sRGB", b"\x01")
    return chunks


def _png_text() -> PngImagePlugin.PngInfo:
    text = PngImagePlugin.PngInfo()
    text.add_text("Title", "a test")
    text.add_text("Comment", "compressed " * 20, zip=True)
    text.add_itxt("Description", "für alle", lang="de", tkey="Beschreibung")
    return text


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "augment-dir camera"
    return exif


# -- the source's settings ----------------------------------------------------------


def test_jpeg_settings_are_read_from_the_file(tmp_path):
    src = save(Image.fromarray(_noise()), tmp_path / "a.jpg", quality=63, subsampling=1, progressive=True)
    with Image.open(src) as image:
        expected = tuple(tuple(image.quantization[k]) for k in sorted(image.quantization))
    settings = settings_of(read_image(src).info)
    assert settings == source_format(_open(src))
    assert settings is not None and settings.format == "JPEG" and settings.jpeg_qtables == expected
    assert settings.jpeg_subsampling == 1 and settings.progressive is True
    gray = settings_of(read_image(save(Image.fromarray(_noise()).convert("L"), tmp_path / "g.jpg")).info)
    assert gray is not None and gray.jpeg_subsampling is None and len(gray.jpeg_qtables) == 1
    assert not gray.progressive


def test_webp_lossless_is_told_by_its_riff_chunk(tmp_path):
    image = rgb_image("RGBA")
    cases = {"lossless": (dict(lossless=True), True), "lossy": (dict(quality=50), False),
             "lossy-alpha": (dict(quality=50, icc_profile=ICC), False),  # VP8X, ICCP, ALPH, then VP8
             "lossless-icc": (dict(lossless=True, icc_profile=ICC), True)}
    for name, (options, lossless) in cases.items():
        buffer = io.BytesIO()
        image.save(buffer, "WEBP", **options)
        assert webp_is_lossless(io.BytesIO(buffer.getvalue())) is lossless, name
        path = tmp_path / f"{name}.webp"
        path.write_bytes(buffer.getvalue())
        assert settings_of(read_image(path).info).webp_lossless is lossless  # type: ignore[union-attr]
        with Image.open(path) as opened:  # opened elsewhere: read from its file
            assert source_format(opened).webp_lossless is lossless
    for data in (b"", b"RIFF\x00\x00\x00\x00WEBP", b"RIFF\x04\x00\x00\x00WEBPVP8X\xff\xff\xff\x7f", b"\x89PNG" * 8):
        assert webp_is_lossless(io.BytesIO(data)) is None and webp_encoding(io.BytesIO(data)) is None
    # A lossy frame too short to hold a header, or not a key frame: lossy, quality unknown.
    for frame in (b"\x00\x01\x02", b"\x01" + bytes(20)):
        data = b"RIFF\x00\x00\x00\x00WEBPVP8 " + struct.pack("<I", len(frame)) + frame
        assert webp_encoding(io.BytesIO(data)) == (False, None)


def test_tiff_png_and_gif_settings_are_read(tmp_path):
    tiff = save(rgb_image(), tmp_path / "a.tif", compression="tiff_lzw", tiffinfo={317: 2, 270: "a description",
                                                                                   305: "a program"})
    settings = settings_of(read_image(tiff).info)
    assert settings is not None and (settings.tiff_compression, settings.tiff_predictor) == (5, 2)
    assert settings.tiff_text == {270: "a description", 305: "a program"}
    png = settings_of(read_image(save(rgb_image(), tmp_path / "a.png", pnginfo=_png_text())).info)
    assert png is not None and png.png_text["Title"] == "a test" and png.png_text["Comment"] == "compressed " * 20
    assert png.png_text["Description"].lang == "de"  # type: ignore[attr-defined]
    gif = settings_of(read_image(save(rgb_image("P"), tmp_path / "a.gif", comment=b"made here")).info)
    assert gif is not None and gif.comment == b"made here"
    assert source_format(rgb_image()) == SourceFormat(format=None)


def test_save_options_keep_the_source_unless_a_quality_is_set():
    jpeg = SourceFormat("JPEG", jpeg_qtables=((1,) * 64, (2,) * 64), jpeg_subsampling=0, progressive=True)
    kept = save_options("JPEG", jpeg, "RGB", jpeg_quality=KEEP, webp_quality=KEEP)
    assert kept == {"subsampling": 0, "progressive": True, "qtables": [[1] * 64, [2] * 64]}
    assert save_options("JPEG", jpeg, "RGB", jpeg_quality=80, webp_quality=KEEP) == {
        "subsampling": 0, "progressive": True, "quality": 80}
    for other in (None, SourceFormat("PNG")):  # nothing to keep: the former default
        assert save_options("JPEG", other, "RGB", jpeg_quality=KEEP, webp_quality=KEEP) == {
            "quality": PLAIN_JPEG_QUALITY}
    lossless = SourceFormat("WEBP", webp_lossless=True)
    assert save_options("WEBP", lossless, "RGBA", jpeg_quality=KEEP, webp_quality=KEEP) == {
        "lossless": True, "exact": True}
    assert save_options("WEBP", lossless, "RGBA", jpeg_quality=KEEP, webp_quality=70) == {"quality": 70}
    assert save_options("WEBP", SourceFormat("WEBP", webp_lossless=False, webp_quality=77), "RGB",
                        jpeg_quality=KEEP, webp_quality=KEEP) == {"quality": 77}
    for unknown in (SourceFormat("WEBP", webp_lossless=False), SourceFormat("PNG"), None):
        assert save_options("WEBP", unknown, "RGB", jpeg_quality=KEEP, webp_quality=KEEP) == {
            "quality": LOSSY_WEBP_QUALITY}
    group4 = SourceFormat("TIFF", tiff_compression=4)
    assert save_options("TIFF", group4, "1", jpeg_quality=KEEP, webp_quality=KEEP) == {"compression": "group4"}
    assert save_options("TIFF", group4, "L", jpeg_quality=KEEP, webp_quality=KEEP) == {}  # bilevel only
    jpeg_tiff = SourceFormat("TIFF", tiff_compression=7, tiff_predictor=1)
    assert save_options("TIFF", jpeg_tiff, "RGB", jpeg_quality=KEEP, webp_quality=KEEP) == {
        "compression": "jpeg", "quality": PLAIN_JPEG_QUALITY}
    # Settings of another format than the output's are not used.
    assert save_options("TIFF", jpeg, "RGB", jpeg_quality=KEEP, webp_quality=KEEP) == {}


# -- identity and augmented copies, per case ----------------------------------------------


JPEG_CASES = [
    ("444-progressive", "RGB", dict(quality=83, subsampling=0, progressive=True)),
    ("422", "RGB", dict(quality=60, subsampling=1)),
    ("420-low", "RGB", dict(quality=30, subsampling=2)),
    ("gray", "L", dict(quality=70)),
    ("cmyk", "CMYK", dict(quality=88)),
]


@pytest.mark.parametrize("name, mode, options", JPEG_CASES, ids=[case[0] for case in JPEG_CASES])
def test_jpeg_keeps_its_tables_subsampling_and_progression(tmp_path, name, mode, options):
    src = save(Image.fromarray(_noise()).convert(mode), tmp_path / "in.jpg", **options, icc_profile=ICC,
               exif=_exif(), dpi=(300, 300))
    for aug, out in ((IDENTITY, tmp_path / "same.jpg"), (MOVED, tmp_path / "moved.jpg")):
        aug.augment_file(src, out, seed=3)
        with Image.open(src) as before, Image.open(out) as after:
            assert after.mode == before.mode == mode
            assert after.quantization == before.quantization
            assert JpegImagePlugin.get_sampling(after) == JpegImagePlugin.get_sampling(before)
            assert bool(after.info.get("progressive")) == bool(options.get("progressive"))
            assert after.info["icc_profile"] == ICC and after.getexif()[0x010F] == "augment-dir camera"
            assert tuple(round(v) for v in after.info["dpi"]) == (300, 300)
    # The same tables again: only the rounding of one more decode and encode.
    same = np.asarray(_open(tmp_path / "same.jpg"), dtype=int)
    assert np.abs(same - np.asarray(_open(src), dtype=int)).mean() < 1.5


def test_jpeg_quality_set_by_the_recipe_wins_and_keeps_subsampling(tmp_path):
    src = save(Image.fromarray(_noise()), tmp_path / "in.jpg", quality=90, subsampling=0, progressive=True)
    ImageAugmenter(ops=[{"op": OP}], jpeg_quality=40).augment_file(src, tmp_path / "out.jpg", seed=1)
    reference = io.BytesIO()
    _open(src).save(reference, "JPEG", quality=40)
    with Image.open(tmp_path / "out.jpg") as out, Image.open(src) as before:
        assert out.quantization == _open(reference.getvalue()).quantization != before.quantization
        assert JpegImagePlugin.get_sampling(out) == 0 and out.info.get("progressive")


def test_a_png_written_as_jpeg_gets_the_plain_quality(tmp_path):
    src = save(Image.fromarray(_noise()), tmp_path / "in.png")
    IDENTITY.augment_file(src, tmp_path / "out.jpg", seed=1)
    reference = io.BytesIO()
    _open(src).save(reference, "JPEG", quality=PLAIN_JPEG_QUALITY)
    assert _open(tmp_path / "out.jpg").quantization == _open(reference.getvalue()).quantization


def _lossless_cases():
    alpha = rgb_image("RGBA")
    alpha.putpixel((0, 0), (10, 20, 30, 0))  # colour under a transparent pixel stays (exact)
    return [
        ("png-rgb", rgb_image(), "png", {}),
        ("png-rgba", rgb_image("RGBA"), "png", {}),
        ("png-l", rgb_image("L"), "png", {}),
        ("png-la", rgb_image("LA"), "png", {}),
        ("png-i16", rgb_image("I;16"), "png", {}),
        ("png-1", rgb_image("1"), "png", {}),
        ("png-p", rgb_image("P"), "png", {}),
        ("png-mask", _mask(), "png", {}),
        ("png-text", rgb_image(), "png", dict(pnginfo=_png_text(), icc_profile=ICC, exif=_exif(), dpi=(150, 150))),
        ("png-colour", rgb_image("P"), "png", dict(pnginfo=_png_colour())),
        ("gif-p", rgb_image("P"), "gif", dict(transparency=3, comment=b"a comment")),
        ("bmp-p", _mask(), "bmp", {}),
        ("bmp-rgb", rgb_image(), "bmp", {}),
        ("tiff-lzw", rgb_image(), "tif", dict(compression="tiff_lzw", tiffinfo={317: 2, 270: "a description"})),
        ("tiff-deflate", rgb_image("RGBA"), "tiff", dict(compression="tiff_adobe_deflate")),
        ("tiff-packbits", rgb_image("L"), "tif", dict(compression="packbits")),
        ("tiff-raw", rgb_image("CMYK"), "tif", {}),
        ("tiff-group4", rgb_image("1"), "tif", dict(compression="group4")),
        ("tiff-i16-lzw", rgb_image("I;16"), "tif", dict(compression="tiff_lzw")),
        ("tiff-p", _mask(), "tif", dict(compression="tiff_lzw")),
        ("webp-lossless", rgb_image(), "webp", dict(lossless=True)),
        ("webp-lossless-rgba", alpha, "webp", dict(lossless=True, exact=True)),
    ]


LOSSLESS = _lossless_cases()


# TIFF tags saying where the (compressed) pixel data lies: they differ with the data.
_WHERE_DATA_IS = frozenset({273, 278, 279, 324, 325})


def _container(path) -> dict:
    """What an output must keep of its source: mode, palette, transparency, compression, text, metadata."""
    with open(path, "rb") as handle:
        lossless = webp_is_lossless(handle)
    with Image.open(path) as image:
        tags = getattr(image, "tag_v2", {})
        return {
            "format": image.format, "mode": image.mode,
            "palette": image.getpalette() if image.mode == "P" else None,
            "transparency": image.info.get("transparency"), "compression": image.info.get("compression"),
            "predictor": tags.get(317), "description": tags.get(270),
            "text": dict(getattr(image, "text", {})), "comment": image.info.get("comment"),
            "icc": image.info.get("icc_profile"), "dpi": image.info.get("dpi"),
            "exif": {k: v for k, v in image.getexif().items() if k not in _WHERE_DATA_IS}, "lossless": lossless,
            "colour": [image.info.get(k) for k in ("gamma", "chromaticity", "srgb")], "xmp": image.info.get("xmp"),
        }


@pytest.mark.parametrize("name, image, ext, options", LOSSLESS, ids=[case[0] for case in LOSSLESS])
def test_lossless_formats_give_identical_pixels_and_keep_their_container(tmp_path, name, image, ext, options):
    src = save(image, tmp_path / f"in.{ext}", **options)
    IDENTITY.augment_file(src, tmp_path / f"same.{ext}", seed=5)
    assert _container(tmp_path / f"same.{ext}") == _container(src)
    assert np.array_equal(_pixels(tmp_path / f"same.{ext}"), _pixels(src))
    result = TURNED.augment_file(src, tmp_path / f"moved.{ext}", seed=5)
    assert _container(tmp_path / f"moved.{ext}") == _container(src)
    moved = _pixels(tmp_path / f"moved.{ext}")
    assert moved.shape == _pixels(src).shape and moved.dtype == _pixels(src).dtype
    assert not np.array_equal(moved, _pixels(src))
    if image.mode == "P":
        assert set(np.unique(moved)) <= set(np.unique(_pixels(src)))
        assert result.params["via"] == "indices"


def test_png_text_chunks_keep_their_kind_and_language(tmp_path):
    src = save(rgb_image(), tmp_path / "in.png", pnginfo=_png_text())
    MOVED.augment_file(src, tmp_path / "out.png", seed=1)
    with Image.open(tmp_path / "out.png") as out:
        out.load()
        text = out.text
    assert text == {"Title": "a test", "Comment": "compressed " * 20, "Description": "für alle"}
    assert (text["Description"].lang, text["Description"].tkey) == ("de", "Beschreibung")  # type: ignore[attr-defined]


@pytest.mark.parametrize("ext", ["jpg", "webp", "png"])
def test_xmp_is_kept(tmp_path, ext):
    options = dict(pnginfo=_xmp_text()) if ext == "png" else dict(xmp=XMP)
    src = save(rgb_image(), tmp_path / f"in.{ext}", **options)
    MOVED.augment_file(src, tmp_path / f"out.{ext}", seed=2)
    with Image.open(src) as before, Image.open(tmp_path / f"out.{ext}") as after:
        after.load()
        assert after.info["xmp"] == before.info["xmp"] == XMP


@pytest.mark.parametrize("ext", ["jpg", "png"])
def test_an_orientation_applied_to_the_pixels_leaves_exif_and_xmp(tmp_path, ext):
    xmp = XMP.replace(b'dc:creator="augment-dir"', b'dc:creator="augment-dir" tiff:Orientation="6"')
    exif = _exif()
    exif[0x0112] = 6
    options = dict(pnginfo=_xmp_text(xmp)) if ext == "png" else dict(xmp=xmp)
    src = save(rgb_image(), tmp_path / f"in.{ext}", exif=exif, **options)
    IDENTITY.augment_file(src, tmp_path / f"out.{ext}", seed=1)
    with Image.open(tmp_path / f"out.{ext}") as out:
        out.load()
        assert out.size == (H, W) and 0x0112 not in out.getexif() and out.getexif()[0x010F] == "augment-dir camera"
        assert b"Orientation" not in out.info["xmp"] and b'dc:creator="augment-dir"' in out.info["xmp"]


def test_exif_given_as_an_exif_object_is_written_without_orientation(tmp_path):
    image = rgb_image()
    exif = _exif()
    exif[0x0112] = 3
    image.info["exif"] = exif
    write_image(image, tmp_path / "out.png")
    with Image.open(tmp_path / "out.png") as out:
        assert 0x0112 not in out.getexif() and out.getexif()[0x010F] == "augment-dir camera"


def _xmp_text(xmp: bytes = XMP) -> PngImagePlugin.PngInfo:
    text = PngImagePlugin.PngInfo()
    text.add_itxt("XML:com.adobe.xmp", xmp.decode())
    return text


def _photo(width: int = 160, height: int = 120) -> Image.Image:
    """Smooth light, hard-edged discs and a little noise: what libwebp's segments are tuned for."""
    rng = np.random.default_rng(4)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float64)
    rgb = np.stack([100 + 60 * np.sin(xx / 25), 90 + 50 * np.cos(yy / 17), 80 + 0.5 * xx], axis=-1)
    for _ in range(8):
        cx, cy, r = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(8, 30)
        rgb[(xx - cx) ** 2 + (yy - cy) ** 2 < r ** 2] = rng.uniform(20, 235, 3)
    rgb += rng.normal(0, 3, rgb.shape)
    return Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8))


def test_a_lossy_webps_quality_is_read_back_from_its_quantiser():
    photo, noise = _photo(), Image.fromarray(np.random.default_rng(0).integers(0, 256, (96, 128, 3), np.uint8))
    for quality in (1, 10, 35, 50, 65, 75, 80, 85, 90, 95, 99, 100):
        estimates = []
        for image in (photo, noise):
            buffer = io.BytesIO()
            image.save(buffer, "WEBP", quality=quality)
            lossless, estimate = webp_encoding(io.BytesIO(buffer.getvalue()))  # type: ignore[misc]
            assert lossless is False and estimate is not None
            estimates.append(estimate)
        assert quality <= estimates[0] <= quality + 1, (quality, estimates)  # a photograph: its own
        assert quality <= estimates[1] <= 100, (quality, estimates)  # noise: never below
    buffer = io.BytesIO()
    photo.save(buffer, "WEBP", lossless=True)
    assert webp_encoding(io.BytesIO(buffer.getvalue())) == (True, None)


def test_a_lossy_webp_stays_lossy_at_its_quality_and_a_set_quality_wins_over_lossless(tmp_path):
    src = save(_photo(), tmp_path / "in.webp", quality=80)
    IDENTITY.augment_file(src, tmp_path / "lossy.webp", seed=1)
    estimate = settings_of(read_image(src).info).webp_quality  # type: ignore[union-attr]
    assert estimate in (80, 81)
    reference = io.BytesIO()
    _open(src).save(reference, "WEBP", quality=estimate)
    assert (tmp_path / "lossy.webp").read_bytes() == reference.getvalue()
    lossless = save(rgb_image(), tmp_path / "lossless.webp", lossless=True)
    ImageAugmenter(ops=[{"op": OP}], webp_quality=60).augment_file(lossless, tmp_path / "set.webp", seed=1)
    with open(tmp_path / "set.webp", "rb") as handle:
        assert webp_is_lossless(handle) is False


# -- palettes ---------------------------------------------------------------------


def test_a_mask_keeps_its_classes_under_every_transform(tmp_path):
    mask = _mask()
    classes = {0, 1, 2, 255}
    aug = ImageAugmenter(rotation_range=40, zoom_range=0.3, shear_range=20, width_shift_range=0.3,
                         vertical_flip=True, fill_mode="reflect")
    for seed in range(5):
        out = aug.augment(mask, seed=seed).data
        assert out.mode == "P" and out.getpalette() == mask.getpalette()
        assert set(np.unique(np.asarray(out))) <= classes
    filled = ImageAugmenter(rotation_range=40, fill_mode="constant", cval=255).augment(mask, seed=1).data
    assert 255 in np.asarray(filled)[0] and set(np.unique(np.asarray(filled))) <= classes


@pytest.mark.parametrize("engine", ["opencv", "keras"])
def test_palette_colour_operations_give_the_colours_an_rgb_copy_gets_by_nearest_neighbour(engine):
    image = rgb_image("P")
    params = dict(rotation_range=20, brightness_range=[0.5, 1.5], channel_shift_range=40, engine=engine)
    out = ImageAugmenter(**params).augment(image, seed=7)
    rgb = ImageAugmenter(**params, interpolation_order=0).augment(image.convert("RGB"), seed=7)
    assert out.params["ops"] == rgb.params["ops"]
    assert out.params["ops"][0]["brightness"] != 1 and out.params["ops"][0]["channel_shift_intensity"]
    assert np.array_equal(np.asarray(out.data.convert("RGB")), np.asarray(rgb.data))
    indices = ImageAugmenter(rotation_range=20, engine=engine).augment(image, seed=7).data
    assert np.array_equal(np.asarray(out.data), np.asarray(indices))


def test_palette_alpha_is_never_changed_by_colour_operations():
    image = Image.frombytes("P", (W, H), (np.arange(H * W) % 4).astype(np.uint8).tobytes())
    image.putpalette([10, 20, 30, 0, 200, 100, 50, 128, 255, 255, 255, 255, 90, 90, 90, 64], "RGBA")
    out = ImageAugmenter(**dict(rotation_range=0, width_shift_range=0, height_shift_range=0,
                                horizontal_flip=False), brightness_range=[1.5, 1.5]).augment(image, seed=1).data
    palette = np.array(out.getpalette("RGBA")).reshape(-1, 4)
    assert palette[:, 3].tolist() == [0, 128, 255, 64]
    assert palette[0, :3].tolist() == [15, 30, 45] and palette[2, :3].tolist() == [255, 255, 255]


# -- the recipe, end to end -------------------------------------------------------------


def test_an_identity_recipe_keeps_every_case(tmp_path):
    """The acceptance test: an identity recipe through a run, over every case at once."""
    src = tmp_path / "in"
    src.mkdir()
    for name, image, ext, options in LOSSLESS:
        save(image, src / f"{name}.{ext}", **options)
    for name, mode, options in JPEG_CASES:
        save(Image.fromarray(_noise()).convert(mode), src / f"jpeg-{name}.jpg", **options)
    deep = np.random.default_rng(2).integers(0, 65536, (H, W, 4), dtype=np.uint16)
    for channels in (2, 3, 4):
        (src / f"png16-{channels}.png").write_bytes(encode_png(deep[..., :channels]))
    recipe = tmp_path / "identity.toml"
    recipe.write_text('[[image.ops]]\nop = "ImageDataGenerator"\n')
    summary = augment.augment_dir(src, tmp_path / "out", workers=1, recipe=recipe, copies=1, seed=0)
    assert summary.failed == 0, summary.failures
    sources = sorted(p for p in src.iterdir())
    assert len(sources) == len(LOSSLESS) + len(JPEG_CASES) + 3
    for source in sources:
        out = tmp_path / "out" / f"{source.stem}_aug1{source.suffix}"
        if source.suffix == ".jpg":
            with Image.open(source) as before, Image.open(out) as after:
                assert after.quantization == before.quantization, source.name
                assert JpegImagePlugin.get_sampling(after) == JpegImagePlugin.get_sampling(before)
                assert after.info.get("progressive") == before.info.get("progressive")
        else:
            assert _container(out) == _container(source), source.name
            assert np.array_equal(_pixels(out), _pixels(source)), source.name
    saved = (tmp_path / "out" / "recipe.toml").read_text()
    assert 'jpeg_quality = "keep"' in saved and 'webp_quality = "keep"' in saved


def test_png_chunks_written_for_sixteen_bits_are_pillows(tmp_path):
    """The metadata chunks of a 16-bit PNG are the ones Pillow writes for an 8-bit one."""
    path = tmp_path / "deep.png"
    info = {"icc_profile": ICC, "dpi": (150, 150), "exif": _exif().tobytes(),
            FORMAT_KEY: SourceFormat("PNG", png_text={"Title": "a test"})}
    write_image(Image16(np.zeros((H, W, 3), np.uint16), "PNG", info), path)
    data = path.read_bytes()
    kinds = []
    offset = 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        kinds.append(kind)
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and set(kinds[1:-2]) >= {b"iCCP", b"pHYs", b"eXIf", b"tEXt"}
    assert kinds.index(b"IDAT") > max(kinds.index(k) for k in (b"iCCP", b"pHYs", b"eXIf", b"tEXt"))
