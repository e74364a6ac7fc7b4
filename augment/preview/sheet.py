"""What a preview shows, before it is drawn: sections (one per modality) of rows (one per source) of cells.

:func:`build` reads OUTPUT's run.json (where INPUT is, whether the run
finished) and recipe.toml (the ops), samples the manifest
(:mod:`augment.preview.sample`) and decodes only the files it shows: each
chosen source's original (from INPUT, else the byte-for-byte copy
``--include-originals`` put in OUTPUT) and its first copies. A file that
cannot be read shows the reason in its place; an original that is gone shows
that too, and the copies are shown all the same. :mod:`augment.preview.png`
and :mod:`augment.preview.html` draw the result.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from augment.core.registry import modalities
from augment.preview.folders import Folder, FolderError
from augment.preview.labels import copy_label
from augment.preview.marks import Segment, change_list, decode_start, segments
from augment.preview.sample import Chosen, manifest_lines, sample
from augment.run.manifest import MANIFEST_NAME
from augment.run.recipe import RECIPE_NAME
from augment.run.state import RUN_STATE_NAME

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["AUDIO_EMBED_BYTES", "COPIES_SHOWN", "Cell", "PreviewError", "Row", "Section", "Sheet", "build"]

#: Copies shown beside each original, per modality (what fits across a sheet).
COPIES_SHOWN = {"image": 5, "audio": 3, "text": 3}
#: Thumbnail box (pixels) of an image, and width of an audio strip.
IMAGE_BOX = 190
AUDIO_WIDTH = 290
#: Characters of text read from each file, and shown of each copy.
TEXT_READ = 64 * 1024
TEXT_SHOWN = 900
#: Audio files up to this size are embedded in an HTML sheet, to be played.
AUDIO_EMBED_BYTES = 2 * 1024 * 1024
_AUDIO_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".aif": "audio/aiff",
                ".aiff": "audio/aiff"}


class PreviewError(Exception):
    """The preview cannot be made (OUTPUT missing, no manifest, nothing to show); one line."""


@dataclass
class Cell:
    """One file on the sheet: an original or a copy.

    Attributes:
        title: "original" or "copy k".
        path: Where the file is (relative to INPUT or OUTPUT).
        label: What was applied (copies), or what the file is (originals).
        picture: The thumbnail or audio strip, when there is one.
        segments: For text: the original with the changes marked (or the copy's text, when the
            original is gone).
        note: Why something is missing ("original not found", "cannot read: ...").
        audio: For HTML: the file's bytes and media type, to play it.
    """

    title: str
    path: str
    label: str = ""
    picture: PILImage.Image | None = None
    segments: list[Segment] | None = None
    note: str | None = None
    audio: tuple[bytes, str] | None = None


@dataclass
class Row:
    """A source and its copies."""

    source: str
    cells: list[Cell]
    more: int = 0  #: copies of this source not shown


@dataclass
class Section:
    """One modality's rows."""

    modality: str
    header: str
    rows: list[Row]


@dataclass
class Sheet:
    """The whole preview.

    Attributes:
        title: The first line (OUTPUT and the run).
        facts: Lines under it (recipe, sampling).
        warnings: What the reader should know (an unfinished run, INPUT gone...), also said on stderr.
        sections: One per modality shown.
    """

    title: str
    facts: list[str]
    warnings: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


def _recipe_ops(output: Folder) -> dict[str, str]:
    """Modality -> "Op(key=value, ...)" of OUTPUT/recipe.toml's base tables (what each op was asked to do)."""
    try:
        data = tomllib.loads(output.read_bytes(RECIPE_NAME).decode("utf-8"))
    except (FolderError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    out = {}
    for modality in modalities():
        table = data.get(modality)
        if not isinstance(table, dict):
            continue
        ops = []
        for op in table.get("ops") or []:
            if not isinstance(op, dict):
                continue
            # Parameters that say something (a range, a flip, a fill): zeros, false and the engine are left out.
            shown = [f"{key}={value}" for key, value in op.items()
                     if key not in ("op", "engine", "interpolation_order", "lang", "aug_src") and value
                     and value != "keep"]
            ops.append(f"{op.get('op')}({', '.join(shown)})" if shown else str(op.get("op")))
        if ops:
            out[modality] = " + ".join(ops)
    return out


def _original_cell(chosen: Chosen, inputs: Folder | None, output: Folder, *, for_html: bool) -> Cell:
    """The original of ``chosen``: from INPUT, else OUTPUT's byte-for-byte copy of it."""
    cell = Cell("original", chosen.source, label=chosen.source)
    for folder in (inputs, output):
        if folder is not None and folder.is_file(chosen.source):
            _fill(cell, folder, chosen.source, chosen.modality, for_html=for_html)
            if folder is output:
                cell.label = f"{chosen.source} (OUTPUT's copy of it)"
            return cell
    cell.note = "original not found" + (" (INPUT moved?)" if inputs is not None else " (no INPUT known)")
    return cell


def _fill(cell: Cell, folder: Folder, rel: str, modality: str, *, for_html: bool) -> None:
    """Decode ``rel`` into ``cell``'s picture (images, audio); a failure becomes the cell's note."""
    try:
        if modality == "image":
            from augment.preview.thumbnails import thumbnail

            with folder.open(rel) as fh:
                cell.picture = thumbnail(fh, IMAGE_BOX)
        elif modality == "audio":
            from augment.preview.sound import read_clip, strip

            with folder.open(rel) as fh:
                clip = read_clip(fh)
            cell.picture = strip(clip, AUDIO_WIDTH)
            cell.label = f"{cell.label}; {clip.describe()}" if cell.label else clip.describe()
            size = folder.size(rel)
            kind = _AUDIO_TYPES.get("." + rel.rsplit(".", 1)[-1].lower())
            if for_html and kind and size is not None and size <= AUDIO_EMBED_BYTES:
                cell.audio = (folder.read_bytes(rel), kind)
    except Exception as exc:  # whatever the decoder says about this one file: shown in its place
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        cell.note = f"cannot read: {reason}"


def _text_of(folder: Folder | None, rel: str) -> str | None:
    if folder is None or not folder.is_file(rel):
        return None
    try:
        return decode_start(folder.read_bytes(rel, TEXT_READ))
    except FolderError:
        return None


def _row(chosen: Chosen, inputs: Folder | None, output: Folder, *, for_html: bool) -> Row:
    shown = chosen.copies[: COPIES_SHOWN.get(chosen.modality, 3)]
    more = chosen.total - len(shown)
    if chosen.modality == "text":
        original = _text_of(inputs, chosen.source)
        where = "INPUT"
        if original is None:
            original, where = _text_of(output, chosen.source), "OUTPUT's copy of it"
        cells = []
        for record in shown:
            params: dict[str, Any] = record["params"] if isinstance(record.get("params"), dict) else {}
            copy_text = _text_of(output, record["output"])
            cell = Cell(f"copy {record['copy']}", record["output"], label=change_list(params))
            if original is not None:
                cell.segments = segments(original, copy_text, params, TEXT_SHOWN)
            elif copy_text is not None:
                cell.segments = [("same", copy_text[:TEXT_SHOWN])]
                cell.note = "original not found (INPUT moved?): the copy's text, unmarked"
            else:
                cell.note = "cannot read the copy"
            cells.append(cell)
        row = Row(chosen.source, cells, more)
        if original is not None and where != "INPUT":
            row.source = f"{chosen.source} (original read from {where})"
        return row
    cells = [_original_cell(chosen, inputs, output, for_html=for_html)]
    for record in shown:
        cell = Cell(f"copy {record['copy']}", record["output"],
                    label=copy_label(chosen.modality, record.get("params")))
        if output.is_file(record["output"]):
            _fill(cell, output, record["output"], chosen.modality, for_html=for_html)
        else:
            cell.note = "not in OUTPUT (removed since?)"
        cells.append(cell)
    return Row(chosen.source, cells, more)


def _run_lines(output: Folder, state: dict[str, Any] | None, warnings: list[str]) -> list[str]:
    if state is None:
        warnings.append(f"{output.text} has no readable {RUN_STATE_NAME}: whether its run finished and where "
                        f"INPUT is are unknown; originals are shown only where OUTPUT holds them "
                        f"(--include-originals)")
        return []
    run_state = state.get("state")
    if run_state != "finished":
        warnings.append(f"the run that writes {output.text} is {run_state or 'in an unknown state'} "
                        f"({RUN_STATE_NAME}): the sheet shows the outputs written so far; train only on a "
                        "finished OUTPUT")
    facts = [f"run: {run_state}" + (f" {state['finished']}" if state.get("finished") else "")
             + f", augment-dir {state.get('augment_dir', '?')}",
             f"recipe: {state.get('recipe_source', '?')} ({state.get('recipe', '?')}), seed {state.get('seed', '?')}, "
             f"{state.get('copies', '?')} copies per file"]
    return facts


def _inputs(state: dict[str, Any] | None, storage_options: Mapping[str, Any] | None,
            warnings: list[str]) -> Folder | None:
    if state is None or not isinstance(state.get("input"), str):
        return None
    try:
        folder = Folder.at(state["input"], "INPUT", storage_options)
    except Exception as exc:
        warnings.append(f"INPUT {state['input']} ({RUN_STATE_NAME}) cannot be reached: {exc}; originals are "
                        "shown only where OUTPUT holds them")
        return None
    if not folder.exists():
        warnings.append(f"INPUT {state['input']} ({RUN_STATE_NAME}) is not there (moved or deleted?): originals "
                        "are shown only where OUTPUT holds them (--include-originals); copies are shown all "
                        "the same")
        return None
    return folder


def build(output: str, *, sources: int = 4, only: Collection[str] | None = None, seed: int = 0,
          storage_options: Mapping[str, Any] | None = None, for_html: bool = False) -> Sheet:
    """Sample OUTPUT's manifest and decode what the sheet shows.

    Args:
        output: The OUTPUT folder (a path or an fsspec URL).
        sources: Sources shown per modality.
        only: Modalities to show (default: all).
        seed: The sampling seed: the same seed shows the same sources.
        storage_options: fsspec options for URLs.
        for_html: Also keep small audio files' bytes (an HTML sheet plays them).

    Raises:
        PreviewError: OUTPUT is missing or not an OUTPUT, or holds nothing to show.
    """
    folder = Folder.at(output, "OUTPUT", storage_options)
    if not folder.exists():
        raise PreviewError(f"OUTPUT {output} does not exist (or is not a folder)")
    if not folder.is_file(MANIFEST_NAME):
        raise PreviewError(f"{output} has no {MANIFEST_NAME}: it is not an augment-dir OUTPUT, or no run has "
                           "written into it yet")
    state = folder.read_json(RUN_STATE_NAME)
    warnings: list[str] = []
    facts = _run_lines(folder, state, warnings)
    inputs = _inputs(state, storage_options, warnings)
    try:
        with folder.open(MANIFEST_NAME) as fh:
            lines, fraction = manifest_lines(fh, folder.size(MANIFEST_NAME), seed)
            sampled = sample(lines, sources, seed, only=only, copies=max(COPIES_SHOWN.values()))
    except (FolderError, OSError) as exc:
        raise PreviewError(str(exc)) from None
    if not sampled.chosen:
        what = f" of {', '.join(only)}" if only else ""
        failed = sum(sampled.failed.values())
        raise PreviewError(f"{output}/{MANIFEST_NAME} lists no finished copy{what} to show"
                           + (f" ({failed} failed: see the manifest's errors)" if failed else ""))
    ops = _recipe_ops(folder)
    sheet = Sheet(f"augment-dir preview: {folder.text}", facts, warnings)
    read = "" if fraction >= 1 else f" from {fraction:.0%} of its lines (the manifest is large: seeded blocks)"
    sheet.facts.append(f"{sources} sources per modality sampled with seed {seed}{read} (--seed for others); "
                       f"INPUT: {inputs.text if inputs is not None else 'unknown or gone'}")
    for modality in [m for m in modalities() if m in sampled.chosen] + \
            sorted(m for m in sampled.chosen if m not in modalities()):
        chosen = sampled.chosen[modality]
        header = (f"{modality}: {len(chosen)} of the sources of {sampled.copies[modality]:,} "
                  f"cop{'y' if sampled.copies[modality] == 1 else 'ies'}")
        if sampled.failed[modality]:
            header += f" ({sampled.failed[modality]:,} failed)"
        if modality in ops:
            header += f"; ops: {ops[modality]}"
        rows = [_row(c, inputs, folder, for_html=for_html) for c in chosen]
        sheet.sections.append(Section(modality, header, rows))
    return sheet
