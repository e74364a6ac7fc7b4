"""``augment-dir doctor``: can every backend work here, and what would a run use?

One line per modality: whether it works, the versions of its extra's packages,
what a run would use (the image engine; WordNet and the tagger for text;
libsndfile for audio; the ops of the recipe); then the CPUs and the cache
folder. Each problem comes with its fix (the ``pip install``, the WordNet
command). A backend *works* when its modules import (for real: an import that
raises counts as missing, not only one that is absent) and its augmenter
writes a copy of a tiny file made on the spot. Exit status 0 when every
backend works, 1 otherwise.

It replaces ``python -m augment.backends.text.setup status``, which stays as
an alias of the text line (both come from
:func:`augment.backends.text.setup.health`).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import importlib.metadata
import importlib.util
import os
import platform
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from augment import __version__
from augment.core.registry import backend, install_hint, modalities

if TYPE_CHECKING:
    from augment.run.recipe import Recipe

__all__ = ["Finding", "diagnose", "main", "report"]

#: Modules of an extra that only some files need: (module, what fails without it, the fix).
_OPTIONAL: dict[str, tuple[tuple[str, str, str], ...]] = {
    "image": (
        ("tifffile", "16-bit colour TIFFs cannot be written", 'pip install "augment-dir[image]"'),
        ("imagecodecs", "LZW and PackBits 16-bit colour TIFFs cannot be written", 'pip install "augment-dir[image]"'),
    ),
}
#: OpenCV below this major version is up to 7 levels off Keras on hard edges (README, "Engines").
_OPENCV_MAJOR = 5


@dataclass
class Finding:
    """What the doctor found about one modality, or about the machine.

    Attributes:
        name: "image", "text", "audio", "CPUs" or "cache".
        works: Whether it works (always True for the machine's lines, unless a problem is found).
        facts: What is installed and what a run would use, short phrases joined on one line.
        problems: (what is wrong, the fix): each makes the exit status 1.
        notes: (what is less than the best, how to get the best): a run works anyway.
    """

    name: str
    works: bool = True
    facts: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def problem(self, what: str, fix: str) -> None:
        """Record a problem: the backend does not work."""
        self.works = False
        self.problems.append((what, fix))


@functools.lru_cache(maxsize=1)
def _owners() -> Mapping[str, list[str]]:
    """Top-level module -> the distributions that install it (one scan of site-packages)."""
    return importlib.metadata.packages_distributions()


def _distribution_versions(modules: Sequence[str]) -> list[str]:
    """``"pillow 13.0.0"`` for each module's distribution (the module's name if it has none)."""
    owners = _owners()
    out = []
    for module in modules:
        names = owners.get(module.split(".")[0]) or [module]
        try:
            out.append(f"{names[0]} {importlib.metadata.version(names[0])}")
        except importlib.metadata.PackageNotFoundError:
            version = getattr(sys.modules.get(module), "__version__", None)
            out.append(f"{module} {version}" if version else module)
    return out


def _import_failures(modules: Sequence[str]) -> list[str]:
    """Each module that cannot be imported, with the reason (an import that raises counts too)."""
    failures = []
    for module in modules:
        try:
            importlib.import_module(module)
        except Exception as exc:  # an ImportError, or whatever a broken package raises on import
            failures.append(f"{module} ({type(exc).__name__}: {exc})" if str(exc) else module)
    return failures


def _trial(finding: Finding, modality: str, table: dict[str, Any], make: Callable[[Path], Path]) -> None:
    """Build the modality's augmenter from ``table`` and write one copy of a tiny file made by ``make``."""
    from augment.core.registry import augmenter_class

    with tempfile.TemporaryDirectory(prefix="augment-dir-doctor-") as folder, warnings.catch_warnings():
        # Run notices (the fallback tagger) are reported as notes, from the facts.
        warnings.simplefilter("ignore")
        try:
            source = make(Path(folder))
            augmenter = augmenter_class(modality)(**table)
            augmenter.augment_file(source, source.with_name("copy" + source.suffix), seed=0)
        except Exception as exc:
            finding.problem(f"the {modality} augmenter failed on a tiny file: {type(exc).__name__}: {exc}",
                            f"reinstall the extra: {install_hint(modality)}")


def _tiny_image(folder: Path) -> Path:
    from PIL import Image

    path = folder / "tiny.png"
    Image.new("RGB", (16, 12), (40, 120, 200)).save(path)
    return path


def _tiny_text(folder: Path) -> Path:
    path = folder / "tiny.txt"
    path.write_text("The quick brown fox jumps over the lazy dog.\n", encoding="utf-8")
    return path


def _tiny_audio(folder: Path) -> Path:
    import numpy as np
    import soundfile

    path = folder / "tiny.wav"
    tone = 0.3 * np.sin(np.linspace(0, 200 * np.pi, 1600)).astype(np.float32)
    soundfile.write(path, tone, 16000, subtype="PCM_16")
    return path


def _ops(table: dict[str, Any]) -> str:
    return ", ".join(str(op.get("op")) for op in table.get("ops", []))


def _image(finding: Finding, table: dict[str, Any]) -> None:
    import cv2

    engines = {op.get("engine", "opencv") for op in table.get("ops", [])}
    finding.facts.append(f"a run would use: {_ops(table)} on the {'/'.join(sorted(engines))} engine")
    major = int(str(cv2.__version__).split(".")[0])
    if major < _OPENCV_MAJOR:
        finding.notes.append((f"OpenCV {cv2.__version__} interpolates at 1/32 pixel: the native engine is up to "
                              "7 levels off Keras on hard edges", 'pip install "opencv-python-headless>=5"'))
    if importlib.util.find_spec("tensorflow") is not None:
        # Only its version: importing TensorFlow takes seconds, and only the Keras engine needs it.
        finding.facts.append(f"keras engine: {_distribution_versions(['tensorflow'])[0]}")
        if "keras" in engines:
            finding.notes.append(("the recipe uses the keras engine: TensorFlow starts in each worker (3 s)",
                                  'engine = "opencv" (the default) gives the same transforms'))
    elif "keras" in engines:
        finding.problem("the recipe uses the keras engine, but TensorFlow is not installed",
                        'pip install "augment-dir[keras]"')
    else:
        finding.facts.append('keras engine: not installed (only for engine = "keras")')
    for module, loss, fix in _OPTIONAL["image"]:
        failed = _import_failures([module])
        if failed:
            finding.notes.append((f"{failed[0]} cannot be imported: {loss}", fix))
        else:
            finding.facts.append(_distribution_versions([module])[0])
    if finding.works:
        _trial(finding, "image", table, _tiny_image)


def _text(finding: Finding, table: dict[str, Any]) -> None:
    from augment.backends.text.setup import health

    state = health()
    finding.facts.append(state.summary())
    quality = [op for op in table.get("ops", []) if op.get("op") in ("SynonymAug", "AntonymAug")]
    filtered = " (quality filter on)" if any(op.get("quality", True) for op in quality) else ""
    finding.facts.append(f"a run would use: {_ops(table)}{filtered}")
    for what, fix in state.problems:
        finding.problem(what, fix)
    finding.notes.extend(state.notes)
    if finding.works and state.index is not None:
        # Without the index, augmenting would first build it (15-30 s): the note above says so.
        _trial(finding, "text", table, _tiny_text)


def _audio(finding: Finding, table: dict[str, Any]) -> None:
    import soundfile

    finding.facts.append(f"libsndfile {soundfile.__libsndfile_version__}")
    finding.facts.append(f"a run would use: {_ops(table)}")
    _trial(finding, "audio", table, _tiny_audio)


_DETAILS: dict[str, Callable[[Finding, dict[str, Any]], None]] = {"image": _image, "text": _text, "audio": _audio}


def _modality(modality: str, recipe: Recipe) -> Finding:
    finding = Finding(modality)
    entry = backend(modality)
    failed = _import_failures(entry.requires)
    if failed:
        finding.problem(f"the {entry.extra or modality} extra is missing: cannot import {', '.join(failed)}",
                        install_hint(modality))
        return finding
    finding.facts.append(", ".join(_distribution_versions(entry.requires)))
    table = recipe.table_for(modality)
    try:
        recipe.check([modality])
    except Exception as exc:  # RecipeError, or an ImportError of an op's optional package
        finding.problem(str(exc), "fix the recipe, or install what it names")
        return finding
    details = _DETAILS.get(modality)
    if details is not None:
        details(finding, table)
    return finding


def _cache_dir() -> Path:
    """The cache folder (the text backend's WordNet copy and synonym index live there)."""
    override = os.environ.get("AUGMENT_DIR_CACHE")
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("augment-dir"))


def _size_text(folder: Path) -> str:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return f"{total / 1e6:.0f} MB" if total >= 1e6 else f"{total / 1e3:.0f} kB"


def _machine() -> list[Finding]:
    from augment.run.options import default_workers

    cpus = Finding("CPUs")
    available, total = default_workers(), os.cpu_count() or 1
    cpus.facts.append(f"{available} available" + (f" (of {total})" if total != available else "")
                      + f"; a run starts up to {available} worker processes (-j sets another number)")
    cache = Finding("cache")
    folder = _cache_dir()
    existing = next((p for p in (folder, *folder.parents) if p.exists()), None)
    how = "AUGMENT_DIR_CACHE" if os.environ.get("AUGMENT_DIR_CACHE") else "set AUGMENT_DIR_CACHE for another"
    if folder.is_dir():
        cache.facts.append(f"{folder} ({_size_text(folder)}; {how})")
    else:
        cache.facts.append(f"{folder} (not made yet; {how})")
    if existing is None or not os.access(existing, os.W_OK | os.X_OK):
        cache.problem(f"the cache folder {folder} cannot be written (the text backend keeps its copy of a system "
                      "WordNet and its synonym index there)", "set AUGMENT_DIR_CACHE to a writable folder")
    return [cpus, cache]


def diagnose(only: Sequence[str] | None = None, recipe: Recipe | None = None) -> list[Finding]:
    """Check each modality (``only``: these; default all) against ``recipe`` (default: the default recipe)."""
    from augment.run.recipe import Recipe

    recipe = recipe if recipe is not None else Recipe.default()
    return [_modality(m, recipe) for m in (only or modalities())] + _machine()


def report(findings: Sequence[Finding]) -> tuple[str, int]:
    """The doctor's text and exit status for ``findings``."""
    python = f"Python {platform.python_version()}, {sys.executable}"
    lines = [f"augment-dir {__version__} ({python})"]
    width = max(len(f.name) for f in findings) + 1
    for finding in findings:
        modality = finding.name in modalities()
        state = ("ok" if finding.works else "FAILED") if modality else ""
        text = "; ".join(finding.facts) if finding.facts or finding.works else "not usable (see the problems below)"
        lines.append(f"{finding.name + ':':<{width}} {state + ': ' if state else ''}{text}")
    problems = [(f.name, what, fix) for f in findings for what, fix in f.problems]
    notes = [(f.name, what, fix) for f in findings for what, fix in f.notes]
    if problems:
        lines.append("problems (each stops a run of that kind of file):")
        for name, what, fix in problems:
            lines.append(f"  {name}: {what}")
            lines.extend("    " + ("fix: " if i == 0 else "") + line for i, line in enumerate(fix.splitlines()))
    if notes:
        lines.append("notes (a run works; for the best):")
        for name, what, fix in notes:
            lines.append(f"  {name}: {what}")
            lines.append(f"    for the best: {fix}")
    if not problems:
        lines.append("every backend works")
    return "\n".join(lines) + "\n", 1 if problems else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``augment-dir doctor``."""
    parser = argparse.ArgumentParser(
        prog="augment-dir doctor",
        description="Say whether every backend works here (its extra, versions, engine; WordNet and the "
                    "tagger for text), what a run would use, the CPUs and the cache folder, and how to fix "
                    "each problem. Exit status: 0 every backend works, 1 not.",
    )
    parser.add_argument("--only", metavar="LIST", default=None,
                        help="check only these modalities, e.g. image,text (default: all)")
    recipes = parser.add_mutually_exclusive_group()
    recipes.add_argument("--config", metavar="RECIPE", default=None,
                         help="check what a run with this recipe file would use (default: the default recipe)")
    recipes.add_argument("--preset", metavar="NAME", default=None,
                         help="check what a run with this preset would use")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``augment-dir doctor``; return the exit status (2: bad arguments)."""
    args = build_parser().parse_args(argv)
    only = None
    if args.only is not None:
        only = [name.strip().lower() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in only if name not in modalities()]
        if not only or unknown:
            print(f"augment-dir doctor: error: --only must name some of {', '.join(modalities())}; "
                  f"got {args.only!r}", file=sys.stderr)
            return 2
    recipe = None
    if args.config is not None or args.preset is not None:
        from augment.presets import PresetError
        from augment.presets import recipe as preset_recipe
        from augment.run.recipe import Recipe, RecipeError

        try:
            recipe = preset_recipe(args.preset) if args.preset else Recipe.from_toml(args.config, check=False)
        except (PresetError, RecipeError) as exc:
            print(f"augment-dir doctor: error: {exc}", file=sys.stderr)
            return 2
    text, code = report(diagnose(only, recipe))
    sys.stdout.write(text)
    return code


if __name__ == "__main__":
    sys.exit(main())
