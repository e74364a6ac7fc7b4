"""augment-dir: reproducible augmented copies of image, text and audio datasets.

``import augment`` is cheap: it imports no backend library (TensorFlow, nlpaug,
audiomentations...) and not even NumPy. Every public name is loaded on first
use, so text- or audio-only users never pay for TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "Augmenter": "augment.base",
    "AugmentResult": "augment.base",
    "BadInputError": "augment.base",
    "derive_seed": "augment.base",
    "ImageAugmenter": "augment.image",
    "TextAugmenter": "augment.text",
    "AudioAugmenter": "augment.audio",
    "AudioClip": "augment.audio",
    "augmenter_for": "augment.registry",
    "augmenter_class": "augment.registry",
    "modality_for": "augment.registry",
    "MissingNLTKDataError": "augment.resources",
    "Recipe": "augment.recipe",
    "RecipeError": "augment.recipe",
    "RecipeWarning": "augment.recipe",
    "augment_dir": "augment.pipeline",
    "iter_augment": "augment.pipeline",
    "RunSummary": "augment.pipeline",
    "FileResult": "augment.pipeline",
}

__all__ = ["__version__", *_EXPORTS]

if TYPE_CHECKING:
    from augment.audio import AudioAugmenter, AudioClip
    from augment.base import Augmenter, AugmentResult, BadInputError, derive_seed
    from augment.image import ImageAugmenter
    from augment.pipeline import FileResult, RunSummary, augment_dir, iter_augment
    from augment.recipe import Recipe, RecipeError, RecipeWarning
    from augment.registry import augmenter_class, augmenter_for, modality_for
    from augment.resources import MissingNLTKDataError
    from augment.text import TextAugmenter


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'augment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
