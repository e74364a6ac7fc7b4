"""The ``augment-dir`` command: parse arguments, run the pipeline, set the exit status.

Exit status: 0 all done; 1 the run finished but some inputs failed; 2 usage or
set-up error with nothing written; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM), 129 hung up (SIGHUP).

Only argparse is imported before the arguments are parsed, so ``--help`` and
``--version`` answer at once; the pipeline (and through it NumPy) comes after.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from augment import __version__

__all__ = ["main", "build_parser"]

EPILOG = """\
Each output is OUTPUT/<same folder>/<stem>_aug<k><suffix>; OUTPUT/manifest.jsonl
records, per output, its source, seed and the parameters applied, and
OUTPUT/recipe.toml the recipe that made them. Rerunning the same command
resumes: finished outputs are skipped. The same INPUT, --seed, recipe and
options give byte-identical outputs for any -j.

recipes: `augment-dir --print-recipe > recipe.toml` writes the default recipe,
ready to edit; `--config recipe.toml` uses it (-n and --seed override it).
`--preset NAME` uses a recipe for a common kind of data (photos, digits,
handwriting, documents, medical or grayscale, speech, music,
text-classification); `--print-recipe --preset NAME` shows it, with its reasons.

other commands:
  augment-dir preview OUTPUT   a contact sheet of originals beside their copies
                               (PNG, or HTML with -o sheet.html); see its --help
  augment-dir doctor           whether every backend works here, and the fixes
A folder named "preview" or "doctor" is reached as ./preview (./doctor).

OUTPUT/run.json says whether the run finished; train on OUTPUT only then.

INPUT and OUTPUT may be fsspec URLs (s3://bucket/train, gs://..., az://...):
credentials come from the store's own environment or profile (for S3 also
AWS_ENDPOINT_URL), other options from --storage-options.

exit status: 0 all done, 1 some inputs failed (see the summary and manifest),
2 usage or set-up error (nothing written), 130 interrupted (Ctrl-C),
143 terminated (SIGTERM), 129 hung up (SIGHUP); rerun to resume.
"""


def _whole_number(text: str) -> int:
    """Parse a whole number; its range is checked once, with every other option (run.options)."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _names(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``augment-dir``."""
    parser = argparse.ArgumentParser(
        prog="augment-dir",
        description="Write N augmented copies of every image, text and audio file under INPUT "
        "into a mirror of its folder tree under OUTPUT. Also: augment-dir preview OUTPUT, "
        "augment-dir doctor (see below).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("input", metavar="INPUT", nargs="?",
                        help="folder to read (never modified): a path, or an fsspec URL such as s3://bucket/train")
    parser.add_argument("output", metavar="OUTPUT", nargs="?",
                        help="folder to write the augmented mirror into: a path or an fsspec URL")
    parser.add_argument("-n", "--copies", type=_whole_number, default=None, metavar="N",
                        help="augmented copies per file (default: the recipe's copies, else 1; "
                             "a recipe rule's own copies still apply)")
    parser.add_argument("--seed", type=_whole_number, default=None, metavar="S",
                        help="seed of the run; same seed, same bytes (default: the recipe's seed, else 0)")
    parser.add_argument("--config", metavar="RECIPE", default=None,
                        help="a recipe TOML file: ops and parameters per modality, per-folder rules")
    parser.add_argument("--preset", metavar="NAME", default=None,
                        help="a recipe shipped for a common kind of data (photos, digits, handwriting, "
                             "documents, medical, speech, music, text-classification); not with --config")
    parser.add_argument("--print-recipe", action="store_true",
                        help="print the effective recipe (the default one, or --config's or --preset's, with "
                             "-n, --seed and --text-unit applied) as TOML and exit")
    parser.add_argument("-j", "--workers", type=_whole_number, default=None, metavar="W",
                        help="worker processes (default: CPUs available; 1 runs in this process)")
    parser.add_argument("--dask", metavar="ADDRESS", default=None,
                        help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for a "
                             "LocalCluster of -j processes; INPUT and OUTPUT must be on storage every worker sees")
    parser.add_argument("--storage-options", metavar="JSON", default=None,
                        help="options of the fsspec filesystem for INPUT/OUTPUT URLs, as a JSON object "
                             "(e.g. '{\"endpoint_url\": \"http://localhost:9000\"}'), or @FILE to read it from "
                             "a file; credentials are better left to the store's environment or profile")
    parser.add_argument("--only", type=_names, default=None, metavar="LIST",
                        help="augment only these modalities, e.g. image,text (default: all)")
    parser.add_argument("--text-unit", choices=("file", "line"), default=None,
                        help="augment each text file as one sample (file, the default) or each line on its own")
    parser.add_argument("--include-originals", action="store_true",
                        help="also copy every source byte-for-byte to its mirrored path")
    parser.add_argument("--link-originals", action="store_true",
                        help="include the originals as hard links to INPUT's files instead of copies (no "
                             "extra space; copied where a link cannot be made: another device, a store); "
                             "implies --include-originals")
    parser.add_argument("--overwrite", action="store_true",
                        help="redo outputs that already exist (default: skip them, which resumes a run)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the outputs that would be written (one per line) and write nothing")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="errors only: no progress bar, no summary, no warnings; failures are still reported")
    parser.add_argument("--version", action="version", version=f"augment-dir {__version__}")
    return parser


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: TextIO | None = None, line: str | None = None) -> None:
    print(f"augment-dir: warning: {message}", file=sys.stderr)


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, systemd, ``docker stop``, Slurm) or SIGHUP (a closed terminal).

    Raised in the main thread, so the run ends as it does on Ctrl-C: workers
    stopped, staged files removed, run.json "interrupted"; rerunning resumes.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(signum)


def _stdout_closed() -> int:
    """The reader of stdout went away (``--dry-run | head``): stop quietly, as a pipe's writer does."""
    # Python would report the broken pipe again when it flushes stdout at exit.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 128 + 13  # SIGPIPE's status


#: Subcommands: the first argument names one (a folder of that name is reached as ./preview).
SUBCOMMANDS = ("preview", "doctor")


def _subcommand(name: str, argv: Sequence[str]) -> int:
    """Run ``augment-dir preview ...`` or ``augment-dir doctor ...``."""
    if name == "preview":
        from augment.preview.command import main as preview_main

        return preview_main(argv)
    from augment.doctor import main as doctor_main

    return doctor_main(argv)


def _preset_recipe(name: str) -> tuple[Any, str]:
    """The preset's Recipe and its description as TOML comment lines (for --print-recipe)."""
    import textwrap

    from augment import presets

    recipe = presets.recipe(name)
    lines = textwrap.wrap(f"preset {presets.describe(name)}", 100)
    lines.append(f"Its reasons, parameter by parameter: {presets.path(name)}")
    return recipe, "".join(f"# {line}\n" for line in lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``augment-dir``; return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] in SUBCOMMANDS:
        return _subcommand(arguments[0], arguments[1:])
    parser = build_parser()
    args = parser.parse_args(arguments)
    if not args.print_recipe and (args.input is None or args.output is None):
        parser.error("INPUT and OUTPUT are required (unless --print-recipe)")
    if args.config is not None and args.preset is not None:
        print("augment-dir: error: --config and --preset both name a recipe; give one (to change a preset: "
              "augment-dir --print-recipe --preset NAME > recipe.toml, edit it, then --config recipe.toml)",
              file=sys.stderr)
        return 2
    header = ""
    if args.preset is not None:
        from augment.presets import PresetError

        try:
            args.config, header = _preset_recipe(args.preset)
        except PresetError as exc:
            print(f"augment-dir: error: --preset: {exc}", file=sys.stderr)
            return 2

    import signal
    import warnings

    from augment.run.execute import WorkerStartError
    from augment.run.lease import LeaseLost
    from augment.run.options import SetupError, resolve
    from augment.run.pipeline import augment_dir
    from augment.run.remote import StoreError
    from augment.run.task import FileResult

    warnings.showwarning = _show_warning
    if args.quiet:
        warnings.simplefilter("ignore")  # -q: errors only
    options: dict[str, Any] = dict(
        copies=args.copies, seed=args.seed, workers=args.workers, only=args.only,
        include_originals=args.include_originals, link_originals=args.link_originals,
        overwrite=args.overwrite, dry_run=args.dry_run,
        recipe=args.config, text_unit=args.text_unit, dask=args.dask, storage_options=args.storage_options,
    )
    try:
        resolved = resolve(**options)
    except SetupError as exc:
        print(f"augment-dir: error: {exc}", file=sys.stderr)
        return 2
    if args.print_recipe:
        sys.stdout.write(header + resolved.recipe.to_toml())
        return 0

    def print_planned(result: FileResult) -> None:
        if result.status == "planned" and result.output is not None:
            # The name's own bytes, like ls: one that is not UTF-8 prints as it is.
            sys.stdout.buffer.write(os.fsencode(result.output) + b"\n")

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _terminate)
    try:
        summary = augment_dir(
            args.input,
            args.output,
            **{**options, "recipe": resolved.recipe},
            progress=not args.quiet and sys.stderr.isatty(),
            on_result=print_planned if args.dry_run else None,
        )
    except (SetupError, WorkerStartError) as exc:
        print(f"augment-dir: error: {exc}", file=sys.stderr)
        return 2
    except (StoreError, LeaseLost) as exc:
        # The store failed mid-run, or another run took OUTPUT over: run.json says "failed" (if it could be
        # written); the message names the URL, never a secret.
        print(f"augment-dir: error: {exc}; rerun the same command to resume", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        print("augment-dir: interrupted; rerun the same command to resume", file=sys.stderr)
        return 128 + exc.signum if isinstance(exc, Terminated) else 130
    except BrokenPipeError:
        return _stdout_closed()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        return _stdout_closed()
    if not args.quiet:
        print(summary.describe(), file=sys.stderr)
    elif summary.failures:
        print("augment-dir: some files failed:", file=sys.stderr)
        for source, reason in summary.failures.items():
            print(f"  {source}: {reason}", file=sys.stderr)
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main())
