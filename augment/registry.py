"""Which backend handles which file, without importing any backend library.

The tables here are the single source of truth for extensions and extras; the
backend classes read their ``extensions`` from :data:`EXTENSIONS`. Importing
this module costs nothing beyond the standard library, so the command line can
plan a whole run (and print ``--help``) before TensorFlow or NLTK is touched.
"""

from __future__ import annotations

import importlib
from pathlib import PurePath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from augment.base import Augmenter

__all__ = [
    "MODALITIES",
    "EXTENSIONS",
    "EXTRAS",
    "modality_for",
    "augmenter_class",
    "augmenter_for",
    "install_hint",
]

MODALITIES: tuple[str, ...] = ("image", "text", "audio")

# Lower-case, with the dot. Matching is case-insensitive (see modality_for).
EXTENSIONS: dict[str, frozenset[str]] = {
    "image": frozenset({".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp"}),
    "text": frozenset({".txt"}),
    "audio": frozenset({".wav", ".flac", ".ogg", ".aif", ".aiff"}),
}

# The pip extra that installs each backend, and the modules it must provide.
EXTRAS: dict[str, tuple[str, ...]] = {
    "image": ("tensorflow", "PIL"),
    "text": ("nlpaug", "nltk"),
    "audio": ("audiomentations", "soundfile"),
}

# "module:Class" strings, imported only when a backend is first needed.
_BACKENDS: dict[str, str] = {
    "image": "augment.image:ImageAugmenter",
    "text": "augment.text:TextAugmenter",
    "audio": "augment.audio:AudioAugmenter",
}

_BY_SUFFIX: dict[str, str] = {
    suffix: modality for modality, suffixes in EXTENSIONS.items() for suffix in suffixes
}


def install_hint(modality: str) -> str:
    """The exact command that installs the extra for ``modality``."""
    return f'pip install "augment-dir[{modality}]"'


def modality_for(path: str | PurePath) -> str | None:
    """The modality that handles ``path`` by its extension, or None if unsupported."""
    return _BY_SUFFIX.get(PurePath(path).suffix.lower())


def augmenter_class(modality: str) -> type[Augmenter]:
    """Import and return the Augmenter subclass for ``modality``."""
    try:
        module_name, class_name = _BACKENDS[modality].split(":")
    except KeyError:
        raise ValueError(
            f"modality must be one of {', '.join(MODALITIES)}; got {modality!r}"
        ) from None
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


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
