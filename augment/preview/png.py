"""Draw a :class:`~augment.preview.sheet.Sheet` as one PNG picture (Pillow).

The sheet is :data:`WIDTH` pixels wide; each modality is a band with its
header, each source a row: the original first, then its copies, each
labelled with what was applied. Text is drawn with the changed words struck
out in red and their replacements in green beside them. The font is DejaVu
Sans where the system has it (wide Unicode coverage), else Pillow's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from augment.preview.sheet import AUDIO_WIDTH, IMAGE_BOX, Cell, Row, Section, Sheet

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont

__all__ = ["WIDTH", "render"]

#: Width of the sheet in pixels.
WIDTH = 1280
_MARGIN = 16
_GAP = 10
_BACKGROUND = (255, 255, 255)
_INK = (30, 30, 35)
_MUTED = (110, 110, 120)
_WARN = (170, 80, 0)
_BAND = (236, 238, 243)
_OLD = (190, 30, 30)
_NEW = (0, 120, 50)
_NEW_BACK = (220, 245, 225)
_EMPTY = (242, 242, 245)
_TEXT_LINES = 7  # lines of text shown per copy
_LABEL_LINES = 3

Block = tuple[int, Callable[["ImageDraw.ImageDraw", "PILImage.Image", int], None]]


@functools.lru_cache(maxsize=8)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    for name in (("DejaVuSans-Bold.ttf",) if bold else ("DejaVuSans.ttf",)):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _width(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    return float(font.getlength(text))


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float,
          most: int | None = None) -> list[str]:
    """``text`` broken into lines of at most ``width`` pixels (a long word is cut); ``most`` lines at most."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if _width(font, candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _width(font, word) > width and len(word) > 1:
                cut = max(1, int(len(word) * width / max(_width(font, word), 1)) - 1)
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    if most is not None and len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1].rstrip() + " …"
    return lines


def _line_height(font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> int:
    box = font.getbbox("Ag")
    return int(box[3] - min(box[1], 0)) + 4


def _text_block(lines: list[str], font: ImageFont.FreeTypeFont | ImageFont.ImageFont, x: int,
                colour: tuple[int, int, int]) -> Block:
    step = _line_height(font)

    def draw(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, y: int) -> None:
        for i, line in enumerate(lines):
            pen.text((x, y + i * step), line, font=font, fill=colour)

    return step * len(lines), draw


def _marked_lines(parts: list[tuple[str, str]], font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
                  bold: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float,
                  most: int) -> tuple[list[list[tuple[float, str, str]]], bool]:
    """Lay the segments out in lines of (x, text, kind) (new words in ``bold``); whether some were cut off."""
    lines: list[list[tuple[float, str, str]]] = [[]]
    x = 0.0
    space = _width(font, " ")
    for kind, text in parts:
        pieces = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        for number, piece in enumerate(pieces):
            if number:
                lines.append([])
                x = 0.0
            for word_number, word in enumerate(piece.split(" ")):
                if word_number:
                    x += space
                if not word:
                    continue
                w = _width(bold if kind == "new" else font, word)
                if x + w > width and x > 0:
                    lines.append([])
                    x = 0.0
                lines[-1].append((x, word, kind))
                x += w + (3 if kind != "same" else 0)
            if len(lines) > most:
                return lines[:most], True
    return lines[:most], len(lines) > most


def _marked_block(parts: list[tuple[str, str]], x: int, width: int) -> Block:
    font, bold = _font(13), _font(13, True)
    lines, cut = _marked_lines(parts, font, bold, width, _TEXT_LINES)
    step = _line_height(font)

    def draw(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, y: int) -> None:
        for number, line in enumerate(lines):
            top = y + number * step
            for left, word, kind in line:
                at = (x + left, top)
                if kind == "old":
                    pen.text(at, word, font=font, fill=_OLD)
                    middle = top + step // 2
                    pen.line([(at[0], middle), (at[0] + _width(font, word), middle)], fill=_OLD, width=1)
                elif kind == "new":
                    pen.rectangle([at[0] - 1, top, at[0] + _width(bold, word) + 1, top + step - 2], fill=_NEW_BACK)
                    pen.text(at, word, font=bold, fill=_NEW)
                else:
                    pen.text(at, word, font=font, fill=_INK)
        if cut:
            pen.text((x, y + len(lines) * step), "…", font=font, fill=_MUTED)

    return step * (len(lines) + (1 if cut else 0)), draw


def _cell_blocks(cell: Cell, x: int, width: int, picture_height: int) -> tuple[int, list[tuple[int, Block]]]:
    """The blocks of one picture cell (title, picture or note, label) and its height."""
    title_font, small = _font(12, True), _font(11)
    blocks: list[tuple[int, Block]] = []
    y = 0
    title = _text_block([cell.title], title_font, x, _INK)
    blocks.append((y, title))
    y += title[0] + 2

    def picture(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, top: int, cell: Cell = cell) -> None:
        if cell.picture is not None:
            left = x + (width - cell.picture.width) // 2
            canvas.paste(cell.picture, (left, top + (picture_height - cell.picture.height) // 2))
        else:
            pen.rectangle([x, top, x + width - 1, top + picture_height - 1], fill=_EMPTY)
            for i, line in enumerate(_wrap(cell.note or "nothing to show", small, width - 12, 6)):
                pen.text((x + 6, top + 6 + i * _line_height(small)), line, font=small, fill=_WARN)

    blocks.append((y, (picture_height, picture)))
    y += picture_height + 4
    label = cell.label
    if cell.picture is not None and cell.note:
        label = f"{label} ({cell.note})"
    lines = _wrap(label, small, width, _LABEL_LINES)
    block = _text_block(lines, small, x, _MUTED)
    blocks.append((y, block))
    y += block[0]
    return y, blocks


def _picture_row(row: Row, section: Section) -> Block:
    width = IMAGE_BOX if section.modality == "image" else AUDIO_WIDTH
    picture_height = max((c.picture.height for c in row.cells if c.picture is not None),
                         default=IMAGE_BOX if section.modality == "image" else 144)
    placed: list[tuple[int, Block]] = []
    height = 0
    x = _MARGIN
    fits = max(1, (WIDTH - 2 * _MARGIN + _GAP) // (width + _GAP))
    for cell in row.cells[:fits]:
        cell_height, blocks = _cell_blocks(cell, x, width, picture_height)
        placed.extend(blocks)
        height = max(height, cell_height)
        x += width + _GAP
    hidden = row.more + max(0, len(row.cells) - fits)
    if hidden:
        placed.append((0, _text_block([f"+{hidden} more"], _font(11), min(x, WIDTH - 80), _MUTED)))

    def draw(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, y: int) -> None:
        for offset, (_, paint) in placed:
            paint(pen, canvas, y + offset)

    return height + 14, draw


def _text_row(row: Row) -> Block:
    width = WIDTH - 2 * _MARGIN - 12
    placed: list[tuple[int, Block]] = []
    y = 0
    head = _text_block(_wrap(f"original: {row.source}", _font(12, True), width), _font(12, True), _MARGIN, _INK)
    placed.append((y, head))
    y += head[0] + 2
    for cell in row.cells:
        title = _text_block(_wrap(f"{cell.title}: {cell.label}" + (f" ({cell.note})" if cell.note else ""),
                                  _font(11), width, 2), _font(11), _MARGIN + 12, _MUTED)
        placed.append((y, title))
        y += title[0]
        if cell.segments is not None:
            body = _marked_block(cell.segments, _MARGIN + 12, width - 12)
            placed.append((y, body))
            y += body[0] + 4
    if row.more:
        more = _text_block([f"+{row.more} more copies"], _font(11), _MARGIN + 12, _MUTED)
        placed.append((y, more))
        y += more[0]

    def draw(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, top: int) -> None:
        for offset, (_, paint) in placed:
            paint(pen, canvas, top + offset)

    return y + 12, draw


def _band(lines: list[str]) -> Block:
    font = _font(14, True)
    wrapped = [part for line in lines for part in _wrap(line, font, WIDTH - 2 * _MARGIN - 16)]
    text = _text_block(wrapped, font, _MARGIN + 8, _INK)

    def draw(pen: ImageDraw.ImageDraw, canvas: PILImage.Image, y: int) -> None:
        pen.rectangle([_MARGIN, y, WIDTH - _MARGIN, y + text[0] + 10], fill=_BAND)
        text[1](pen, canvas, y + 5)

    return text[0] + 20, draw


def _blocks(sheet: Sheet) -> list[Block]:
    blocks: list[Block] = []
    title = _font(18, True)
    blocks.append(_text_block(_wrap(sheet.title, title, WIDTH - 2 * _MARGIN), title, _MARGIN, _INK))
    small = _font(12)
    for fact in sheet.facts:
        blocks.append(_text_block(_wrap(fact, small, WIDTH - 2 * _MARGIN), small, _MARGIN, _MUTED))
    for warning in sheet.warnings:
        blocks.append(_text_block(_wrap("warning: " + warning, small, WIDTH - 2 * _MARGIN), small, _MARGIN, _WARN))
    blocks.append((8, lambda pen, canvas, y: None))
    for section in sheet.sections:
        blocks.append(_band([section.header]))
        for row in section.rows:
            blocks.append(_text_row(row) if section.modality == "text" else _picture_row(row, section))
    return blocks


def render(sheet: Sheet) -> PILImage.Image:
    """The sheet as one RGB picture, :data:`WIDTH` pixels wide."""
    from PIL import Image, ImageDraw

    blocks = _blocks(sheet)
    height = sum(h for h, _ in blocks) + 2 * _MARGIN
    canvas = Image.new("RGB", (WIDTH, height), _BACKGROUND)
    pen = ImageDraw.Draw(canvas)
    y = _MARGIN
    for block_height, paint in blocks:
        paint(pen, canvas, y)
        y += block_height
    return canvas
