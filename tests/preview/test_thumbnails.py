"""Tests for augment.preview.thumbnails: any image the backend writes, as an 8-bit RGB picture."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from augment.preview.thumbnails import thumbnail


def encoded(image, fmt="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def test_a_large_image_fits_the_box_and_keeps_its_shape():
    picture = thumbnail(encoded(Image.new("RGB", (800, 400), (10, 200, 30))), 190)
    assert picture.mode == "RGB" and picture.size == (190, 95)
    assert picture.getpixel((50, 50)) == (10, 200, 30)


def test_a_small_image_is_enlarged_by_whole_pixels():
    array = np.zeros((8, 8), dtype=np.uint8)
    array[2, 3] = 255
    picture = thumbnail(encoded(Image.fromarray(array)), 190)
    step = 190 // 8
    assert picture.size == (8 * step, 8 * step)
    values = np.asarray(picture)[..., 0]
    assert set(np.unique(values)) == {0, 255}  # nearest neighbour: no blur between pixels
    assert values[2 * step: 3 * step, 3 * step: 4 * step].min() == 255


def test_sixteen_bit_values_keep_their_range():
    array = np.full((20, 20), 65535, dtype=np.uint16)
    array[:10] = 257 * 100
    picture = np.asarray(thumbnail(encoded(Image.fromarray(array)), 190))
    assert picture[0, 0].tolist() == [100, 100, 100] and picture[-1, -1].tolist() == [255, 255, 255]


def test_float_images_between_0_and_1():
    array = np.full((10, 10), 0.5, dtype=np.float32)
    picture = np.asarray(thumbnail(encoded(Image.fromarray(array), "TIFF"), 190))
    assert picture[0, 0].tolist() == [128, 128, 128]


def test_alpha_is_shown_over_a_checkerboard():
    picture = np.asarray(thumbnail(encoded(Image.new("RGBA", (64, 64), (255, 0, 0, 0))), 64))
    assert set(np.unique(picture)) == {200, 235}  # fully transparent: only the checkerboard


def test_exif_orientation_is_applied_as_the_backend_applies_it():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees
    data = encoded(Image.new("RGB", (300, 100), (0, 0, 255)), "JPEG", exif=exif.tobytes())
    assert thumbnail(data, 150).size == (50, 150)


def test_sixteen_bit_colour_tiffs_through_tifffile():
    import tifffile

    buffer = io.BytesIO()
    tifffile.imwrite(buffer, np.full((12, 16, 3), 257 * 40, dtype=np.uint16), photometric="rgb")
    picture = np.asarray(thumbnail(buffer.getvalue(), 190))
    assert picture.shape[2] == 3 and picture[0, 0].tolist() == [40, 40, 40]


def test_a_file_that_is_no_image_raises():
    with pytest.raises(Exception, match="cannot identify"):
        thumbnail(b"this is text, not an image", 190)
