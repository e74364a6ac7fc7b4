"""Tests for augment.preview.html: one self-contained page."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

from PIL import Image

from augment.preview import html
from augment.preview.sheet import Cell, Row, Section, Sheet, build


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parsed(page):
    collect = Collect()
    collect.feed(page)
    return collect


def test_everything_is_inside_the_page(mixed):
    page = html.render(build(str(mixed.output), sources=3, for_html=True))
    collect = parsed(page)
    sources = [attrs.get("src") for tag, attrs in collect.tags if "src" in attrs]
    assert sources and all(src.startswith("data:") for src in sources)
    assert not re.search(r"(href|src)=\"(?!data:)", page)
    images = [src for tag, attrs in collect.tags if tag == "img" for src in [attrs["src"]]]
    assert len(images) == 15
    picture = Image.open(io.BytesIO(base64.b64decode(images[0].split(",", 1)[1])))
    assert picture.format == "PNG"
    players = [attrs for tag, attrs in collect.tags if tag == "audio"]
    assert len(players) == 6 and all(a["src"].startswith(("data:audio/wav;", "data:audio/flac;")) for a in players)
    assert "<del>" in page and "<ins>" in page
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_names_and_text_are_escaped():
    sheet = Sheet("<b>title</b>", ["x < y"], [], [Section("text", "text: header", [
        Row("a<script>.txt", [Cell("copy 1", "a_aug1.txt", label="<i> -> &",
                                   segments=[("same", "if a < b "), ("old", "<tag>"), ("new", "&amp;")])])])])
    page = html.render(sheet)
    assert "<script>" not in page and "<tag>" not in page and "<i>" not in page
    assert "&lt;script&gt;" in page and "<del>&lt;tag&gt;</del>" in page and "<ins>&amp;amp;</ins>" in page
    assert "a<script>.txt" in "".join(parsed(page).text)
