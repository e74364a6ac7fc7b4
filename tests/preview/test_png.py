"""Tests for augment.preview.png: the sheet drawn as one picture."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from augment.preview import png
from augment.preview.sheet import Cell, Row, Section, Sheet, build


def has_colour(picture, colour, at_least=20):
    array = np.asarray(picture).astype(int)
    return int((np.abs(array - colour).sum(axis=2) <= 6).sum()) >= at_least


@pytest.fixture(scope="module")
def drawn(mixed):
    sheet = build(str(mixed.output), sources=3)
    return sheet, png.render(sheet)


def test_the_sheet_is_wide_and_tall_enough_for_every_modality(drawn):
    sheet, picture = drawn
    assert picture.mode == "RGB" and picture.width == png.WIDTH >= 800 and picture.height >= 400
    assert {s.modality for s in sheet.sections} == {"image", "text", "audio"}


def test_every_thumbnail_and_strip_is_on_it(drawn):
    import cv2

    sheet, picture = drawn
    array = np.asarray(picture)
    pictures = [c.picture for s in sheet.sections for r in s.rows for c in r.cells if c.picture is not None]
    assert len(pictures) == 15  # 3 images and the 2 audio files, each with 2 copies
    for small in pictures:
        # Found where it matches best, and there pixel for pixel.
        target = np.asarray(small)
        match = cv2.matchTemplate(array, target, cv2.TM_SQDIFF)
        y, x = np.unravel_index(int(match.argmin()), match.shape)
        assert np.array_equal(array[y: y + target.shape[0], x: x + target.shape[1]], target)


def test_changed_words_are_red_and_their_replacements_green(drawn):
    _, picture = drawn
    assert has_colour(picture, png._OLD) and has_colour(picture, png._NEW_BACK, at_least=200)


def test_notes_take_the_place_of_missing_pictures():
    sheet = Sheet("t", ["fact"], ["a warning"], [Section("image", "image: header", [
        Row("a.png", [Cell("original", "a.png", label="a.png", note="original not found (INPUT moved?)"),
                      Cell("copy 1", "a_aug1.png", label="rot +3.0°",
                           picture=Image.new("RGB", (50, 40), (1, 2, 3)))], more=4)])])
    picture = png.render(sheet)
    assert has_colour(picture, png._EMPTY, at_least=1000)  # the grey box of the missing original
    assert has_colour(picture, png._WARN) and has_colour(picture, (1, 2, 3), at_least=2000)


def test_long_unbroken_words_and_unicode_labels_are_wrapped():
    font = png._font(11)
    lines = png._wrap("x" * 500 + " ünïcödé 猫", font, 190)
    assert len(lines) > 3 and all(png._width(font, line) <= 190 for line in lines)
    assert png._wrap("a b c d e f " * 40, font, 100, most=3)[-1].endswith("…")
