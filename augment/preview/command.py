"""``augment-dir preview OUTPUT``: write the contact sheet of an OUTPUT (PNG, or HTML with ``-o x.html``).

Exit status: 0 the sheet was written (warnings, such as an unfinished run or
a moved INPUT, go to stderr); 2 it could not be (OUTPUT missing, no manifest,
nothing to show, a bad option), with a one-line message and nothing written.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build_parser", "main", "write_preview"]

PROG = "augment-dir preview"
SOURCES_MAX = 100
_FORMATS = {".png": "png", ".html": "html", ".htm": "html"}

EPILOG = """\
The sheet shows, per modality, K sources sampled from OUTPUT/manifest.jsonl
(the same --seed, the same sources, whatever the run's -j), each original
(read from INPUT, as run.json names it, else from OUTPUT when the run copied
originals) beside its first copies, labelled with what was applied. It reads
only the manifest, run.json, recipe.toml and the files it shows, so a huge
OUTPUT takes seconds. The sheet is never written inside OUTPUT or INPUT, where
a loader would take it for data.

A folder named "preview" or "doctor" is still an INPUT or OUTPUT of the main
command: write it as ./preview (augment-dir ./preview out).
"""


def _sources(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= SOURCES_MAX:
        raise argparse.ArgumentTypeError(f"must be between 1 and {SOURCES_MAX}; got {value}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``augment-dir preview``."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Write a contact sheet of OUTPUT: sampled originals beside their augmented copies "
                    "(image thumbnails, audio waveforms and spectrograms, text with the changed words marked).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("output", metavar="OUTPUT", help="an OUTPUT folder of augment-dir (a path or an fsspec URL)")
    parser.add_argument("-o", "--sheet", metavar="SHEET", default=None,
                        help="where to write the sheet: a .png, or a self-contained .html (default: "
                             "<OUTPUT's name>-preview.png in the current folder)")
    parser.add_argument("--sources", type=_sources, default=4, metavar="K",
                        help=f"sources shown per modality (default 4, at most {SOURCES_MAX})")
    parser.add_argument("--only", metavar="LIST", default=None,
                        help="show only these modalities, e.g. image,audio (default: all)")
    parser.add_argument("--seed", type=_seed, default=0, metavar="S",
                        help="which sources are sampled (default 0; another seed shows others)")
    parser.add_argument("--storage-options", metavar="JSON", default=None,
                        help="options of the fsspec filesystem for an OUTPUT (or INPUT) URL, as a JSON object "
                             "or @FILE")
    return parser


def _inside(path: Path, folder: str | None) -> bool:
    if folder is None:
        return False
    from augment.run.remote import is_url

    if is_url(folder):
        return False
    real = Path(os.path.realpath(path))
    return real.is_relative_to(os.path.realpath(folder))


def write_preview(output: str, sheet_path: str | os.PathLike[str] | None = None, *, sources: int = 4,
                  only: Sequence[str] | None = None, seed: int = 0,
                  storage_options: dict[str, object] | None = None) -> tuple[Path, list[str], tuple[int, int] | None]:
    """Write the contact sheet of ``output``; return where, the warnings, and the PNG's size (None for HTML).

    Raises:
        PreviewError: The sheet cannot be made or written where asked; nothing is written.
    """
    from augment.core.files import atomic_path
    from augment.preview.sheet import PreviewError, build
    from augment.run.remote import is_url
    from augment.run.state import RUN_STATE_NAME

    if sheet_path is None:
        name = Path(output.rstrip("/\\")).name if not is_url(output) else output.rstrip("/").rsplit("/", 1)[-1]
        sheet_path = f"{name or 'output'}-preview.png"
    destination = Path(sheet_path)
    kind = _FORMATS.get(destination.suffix.lower())
    if kind is None:
        raise PreviewError(f"-o {destination}: the sheet is a .png or an .html file")
    sheet = build(output, sources=sources, only=only, seed=seed, storage_options=storage_options,
                  for_html=kind == "html")
    if not is_url(output) and _inside(destination, output):
        raise PreviewError(f"-o {destination} is inside OUTPUT {output}, where a loader would take the sheet "
                           "for data; write it elsewhere")
    # The INPUT run.json names is checked too: INPUT is data as much as OUTPUT.
    from augment.preview.folders import Folder

    state = Folder.at(output, "OUTPUT", storage_options).read_json(RUN_STATE_NAME) or {}
    if isinstance(state.get("input"), str) and _inside(destination, state["input"]):
        raise PreviewError(f"-o {destination} is inside INPUT {state['input']}, which is never written to; "
                           "write the sheet elsewhere")
    if not destination.parent.is_dir():
        raise PreviewError(f"-o {destination}: the folder {destination.parent} does not exist")
    size: tuple[int, int] | None = None
    try:
        with atomic_path(destination) as tmp:
            if kind == "png":
                from augment.preview.png import render as render_png

                picture = render_png(sheet)
                size = picture.size
                picture.save(tmp, format="PNG", compress_level=6)
            else:
                from augment.preview.html import render as render_html

                tmp.write_text(render_html(sheet), encoding="utf-8")
    except OSError as exc:
        raise PreviewError(f"-o {destination}: cannot write the sheet: {exc.strerror or exc}") from None
    return destination, sheet.warnings, size


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``augment-dir preview``; return the exit status."""
    args = build_parser().parse_args(argv)
    from augment.core.registry import modalities
    from augment.preview.sheet import PreviewError
    from augment.run.options import SetupError, load_storage_options

    if importlib.util.find_spec("PIL") is None:
        print(f'{PROG}: error: the sheet is drawn with Pillow, which is not installed: pip install '
              f'"augment-dir[image]"', file=sys.stderr)
        return 2
    only = None
    if args.only is not None:
        only = [name.strip().lower() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in only if name not in modalities()]
        if not only or unknown:
            print(f"{PROG}: error: --only must name some of {', '.join(modalities())}; got {args.only!r}",
                  file=sys.stderr)
            return 2
    started = time.perf_counter()
    try:
        stores = load_storage_options(args.storage_options)
        destination, warnings, size = write_preview(args.output, args.sheet, sources=args.sources, only=only,
                                                    seed=args.seed, storage_options=stores)
    except (PreviewError, SetupError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    shape = f"{size[0]}x{size[1]} px, " if size else ""
    print(f"{PROG}: wrote {destination} ({shape}{time.perf_counter() - started:.1f} s)", file=sys.stderr)
    sys.stdout.buffer.write(os.fsencode(destination) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
