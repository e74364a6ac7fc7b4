"""augment-dir: reproducible augmented copies of image, text and audio datasets.

``import augment`` is cheap: it imports no backend library (TensorFlow, nlpaug,
audiomentations...) and not even NumPy. Every public name is loaded on first
use, so text- or audio-only users never pay for TensorFlow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AudioAugmenter",
    "AudioClip",
    "AugmentResult",
    "AugmentRun",
    "Augmenter",
    "BadInputError",
    "FileResult",
    "ImageAugmenter",
    "MissingNLTKDataError",
    "Recipe",
    "RecipeError",
    "RecipeWarning",
    "RunSummary",
    "Sample",
    "SetupError",
    "TextAugmenter",
    "__version__",
    "augment_dir",
    "augmenter_class",
    "augmenter_for",
    "derive_seed",
    "iter_augment",
    "modality_for",
    "register",
    "stream",
]

# public name -> module that defines it (imported on first use)
_EXPORTS: dict[str, str] = {
    "Augmenter": "augment.core.augmenter",
    "AugmentResult": "augment.core.result",
    "BadInputError": "augment.core.result",
    "derive_seed": "augment.core.seeding",
    "augmenter_for": "augment.core.registry",
    "augmenter_class": "augment.core.registry",
    "modality_for": "augment.core.registry",
    "register": "augment.core.registry",
    "ImageAugmenter": "augment.backends.image",
    "TextAugmenter": "augment.backends.text",
    "MissingNLTKDataError": "augment.backends.text",
    "AudioAugmenter": "augment.backends.audio",
    "AudioClip": "augment.backends.audio",
    "Recipe": "augment.run.recipe",
    "RecipeError": "augment.run.recipe",
    "RecipeWarning": "augment.run.recipe",
    "SetupError": "augment.run.options",
    "AugmentRun": "augment.run.pipeline",
    "augment_dir": "augment.run.pipeline",
    "iter_augment": "augment.run.pipeline",
    "RunSummary": "augment.run.summary",
    "FileResult": "augment.run.task",
    "Sample": "augment.streaming",
    "stream": "augment.streaming",
}

if TYPE_CHECKING:
    from augment.backends.audio import AudioAugmenter, AudioClip
    from augment.backends.image import ImageAugmenter
    from augment.backends.text import MissingNLTKDataError, TextAugmenter
    from augment.core.augmenter import Augmenter
    from augment.core.registry import augmenter_class, augmenter_for, modality_for, register
    from augment.core.result import AugmentResult, BadInputError
    from augment.core.seeding import derive_seed
    from augment.run.options import SetupError
    from augment.run.pipeline import AugmentRun, augment_dir, iter_augment
    from augment.run.recipe import Recipe, RecipeError, RecipeWarning
    from augment.run.summary import RunSummary
    from augment.run.task import FileResult
    from augment.streaming import Sample, stream


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'augment' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
