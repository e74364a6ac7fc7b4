"""Which backend handles which file, without importing any backend library.

Each modality is registered with the extensions it handles, the modules its
pip extra provides and a ``"module:Class"`` string for its Augmenter, which
is imported only when a backend is first needed (fsspec's registry works the
same way). Importing this module costs nothing beyond the standard library, so
the command line can plan a whole run (and print ``--help``) before TensorFlow
or NLTK is touched. Tests register a fake backend with :func:`register`.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from augment.core.augmenter import Augmenter

__all__ = [
    "Backend",
    "augmenter_class",
    "augmenter_for",
    "backend",
    "install_hint",
    "load_class",
    "missing_modules",
    "modalities",
    "modality_for",
    "register",
    "unregister",
]


@dataclass(frozen=True)
class Backend:
    """One registered modality.

    Attributes:
        modality: Its name ("image", "text", "audio"...): a recipe table, an ``--only`` choice.
        target: ``"module:Class"`` of its Augmenter.
        extensions: Lower-case extensions, with the dot, that it reads and writes.
        requires: Modules its pip extra provides (checked before a run starts).
        extra: The pip extra that installs them (None: nothing to install).
    """

    modality: str
    target: str
    extensions: frozenset[str]
    requires: tuple[str, ...] = ()
    extra: str | None = None


_BACKENDS: dict[str, Backend] = {}
_BY_SUFFIX: dict[str, str] = {}


def register(modality: str, target: str, extensions: frozenset[str] | set[str] | tuple[str, ...],
             *, requires: tuple[str, ...] = (), extra: str | None = None) -> Backend:
    """Register (or replace) the backend of ``modality``; later registrations win an extension."""
    entry = Backend(modality, target, frozenset(ext.lower() for ext in extensions), tuple(requires), extra)
    unregister(modality)
    _BACKENDS[modality] = entry
    _BY_SUFFIX.update({suffix: modality for suffix in entry.extensions})
    return entry


def unregister(modality: str) -> None:
    """Forget ``modality`` (no error if it was not registered)."""
    _BACKENDS.pop(modality, None)
    for suffix in [s for s, m in _BY_SUFFIX.items() if m == modality]:
        del _BY_SUFFIX[suffix]


def modalities() -> tuple[str, ...]:
    """The registered modalities, in registration order."""
    return tuple(_BACKENDS)


def backend(modality: str) -> Backend:
    """The registration of ``modality``; ValueError naming the choices if unknown."""
    try:
        return _BACKENDS[modality]
    except KeyError:
        raise ValueError(
            f"modality must be one of {', '.join(_BACKENDS)}; got {modality!r}"
        ) from None


def install_hint(modality: str) -> str:
    """The exact command that installs the extra for ``modality``."""
    extra = backend(modality).extra or modality
    return f'pip install "augment-dir[{extra}]"'


def missing_modules(modality: str) -> list[str]:
    """The modules ``modality``'s backend needs that are not installed."""
    return [name for name in backend(modality).requires if importlib.util.find_spec(name) is None]


def modality_for(path: str | PurePath) -> str | None:
    """The modality that handles ``path`` by its extension, or None if unsupported."""
    return _BY_SUFFIX.get(PurePath(path).suffix.lower())


def load_class(target: str) -> type[Augmenter]:
    """Import ``"module:Class"`` and return the class."""
    module_name, class_name = target.split(":")
    cls: type[Augmenter] = getattr(importlib.import_module(module_name), class_name)
    return cls


def augmenter_class(modality: str) -> type[Augmenter]:
    """Import and return the Augmenter subclass for ``modality``."""
    return load_class(backend(modality).target)


def augmenter_for(path: str | PurePath, **options: object) -> Augmenter:
    """Build the augmenter that handles ``path`` (by extension, case-insensitively).

    Args:
        path: A file name or path; only its extension is looked at.
        **options: Passed to the augmenter's constructor.

    Raises:
        ValueError: If no backend handles the extension.
    """
    modality = modality_for(path)
    if modality is None:
        supported = ", ".join(sorted(_BY_SUFFIX))
        raise ValueError(
            f"{path}: no augmenter handles the extension {PurePath(path).suffix!r}; "
            f"supported: {supported}"
        )
    return augmenter_class(modality)(**options)


register("image", "augment.backends.image.augmenter:ImageAugmenter",
         {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"},
         requires=("cv2", "PIL"), extra="image")
register("text", "augment.backends.text.augmenter:TextAugmenter", {".txt"},
         requires=("nlpaug", "nltk", "wordfreq", "lemminflect"), extra="text")
register("audio", "augment.backends.audio.augmenter:AudioAugmenter",
         {".wav", ".flac", ".ogg", ".aif", ".aiff"},
         requires=("audiomentations", "soundfile"), extra="audio")
