"""Write a :class:`~augment.preview.sheet.Sheet` as one self-contained HTML page.

Everything is inside the file: the styles, the thumbnails and audio strips
as PNG data URLs, and small audio files (up to
:data:`~augment.preview.sheet.AUDIO_EMBED_BYTES`) as players, so the page can
be mailed or opened offline. Text is real text: changed words in ``<del>``,
their replacements in ``<ins>``.
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

from augment.preview.sheet import Cell, Row, Section, Sheet

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["render"]

_STYLE = """
body { font: 14px/1.4 system-ui, -apple-system, "DejaVu Sans", sans-serif; color: #1e1e23; margin: 16px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.fact { color: #6e6e78; margin: 0; }
.warning { color: #aa5000; margin: 4px 0; }
h2 { font-size: 15px; background: #eceef3; padding: 6px 8px; margin: 18px 0 8px; }
.row { display: flex; flex-wrap: wrap; gap: 10px; margin-bottom: 14px; }
.cell { width: 300px; }
.cell.image { width: 200px; }
.cell b { display: block; font-size: 12px; }
.cell img { display: block; max-width: 100%; image-rendering: pixelated; }
.cell audio { width: 100%; height: 28px; }
.label { color: #6e6e78; font-size: 12px; word-break: break-word; }
.note { color: #aa5000; font-size: 12px; background: #f2f2f5; padding: 6px; }
.text { margin: 0 0 14px; }
.text .copy { margin: 4px 0 8px 12px; }
pre { white-space: pre-wrap; margin: 2px 0; font: 13px/1.5 system-ui, "DejaVu Sans", sans-serif; }
del { color: #be1e1e; }
ins { color: #007832; background: #dcf5e1; text-decoration: none; font-weight: bold; }
"""


def _png_url(picture: PILImage.Image) -> str:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False, compress_level=6)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _cell(cell: Cell, modality: str) -> str:
    parts = [f'<div class="cell {modality}"><b>{html.escape(cell.title)}</b>']
    if cell.picture is not None:
        parts.append(f'<img src="{_png_url(cell.picture)}" alt="{html.escape(cell.path)}" '
                     f'title="{html.escape(cell.path)}">')
    if cell.audio is not None:
        data, kind = cell.audio
        parts.append(f'<audio controls preload="none" src="data:{kind};base64,'
                     f'{base64.b64encode(data).decode("ascii")}"></audio>')
    if cell.note:
        parts.append(f'<div class="note">{html.escape(cell.note)}</div>')
    parts.append(f'<div class="label">{html.escape(cell.label)}</div></div>')
    return "".join(parts)


def _marked(cell: Cell) -> str:
    out = []
    for kind, text in cell.segments or []:
        escaped = html.escape(text)
        out.append(f"<del>{escaped}</del>" if kind == "old" else f"<ins>{escaped}</ins>" if kind == "new"
                   else escaped)
    return "".join(out)


def _text_row(row: Row) -> str:
    parts = [f'<div class="text"><b>original: {html.escape(row.source)}</b>']
    for cell in row.cells:
        note = f' <span class="note">{html.escape(cell.note)}</span>' if cell.note else ""
        parts.append(f'<div class="copy"><span class="label">{html.escape(cell.title)}: '
                     f'{html.escape(cell.label)}</span>{note}')
        if cell.segments is not None:
            parts.append(f"<pre>{_marked(cell)}</pre>")
        parts.append("</div>")
    if row.more:
        parts.append(f'<div class="label">+{row.more} more copies</div>')
    parts.append("</div>")
    return "".join(parts)


def _section(section: Section) -> str:
    parts = [f"<h2>{html.escape(section.header)}</h2>"]
    for row in section.rows:
        if section.modality == "text":
            parts.append(_text_row(row))
            continue
        more = f'<div class="label">+{row.more} more</div>' if row.more else ""
        parts.append('<div class="row">' + "".join(_cell(c, section.modality) for c in row.cells) + more + "</div>")
    return "\n".join(parts)


def render(sheet: Sheet) -> str:
    """The sheet as one HTML document (UTF-8 text)."""
    head = [f"<h1>{html.escape(sheet.title)}</h1>"]
    head += [f'<p class="fact">{html.escape(fact)}</p>' for fact in sheet.facts]
    head += [f'<p class="warning">warning: {html.escape(w)}</p>' for w in sheet.warnings]
    body = "\n".join([*head, *(_section(s) for s in sheet.sections)])
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(sheet.title)}</title><style>{_STYLE}</style></head>\n"
            f"<body>\n{body}\n</body></html>\n")
