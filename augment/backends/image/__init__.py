"""The image backend: Keras' ``ImageDataGenerator`` transforms on image files read with Pillow.

Modules:

* :mod:`~augment.backends.image.augmenter`: :class:`ImageAugmenter`, reading,
  augmenting and writing images;
* :mod:`~augment.backends.image.op`: the one op, ``ImageDataGenerator``: its
  parameters, Keras' defaults and the checks;
* :mod:`~augment.backends.image.engine`: the engine interface (draw the
  transform, then apply it) and what every engine shares;
* :mod:`~augment.backends.image.keras_engine`: the reference engine, Keras
  itself (the one place TensorFlow is imported);
* :mod:`~augment.backends.image.pixels`: pixel modes (palette, bilevel, CMYK
  ink, 16-bit, alpha) and arrays to and from PIL images;
* :mod:`~augment.backends.image.io`: Pillow reading and writing (EXIF, ICC,
  decompression bombs, multi-frame files).

Neither TensorFlow nor Pillow is imported until an augmenter first needs them.
"""

from __future__ import annotations

from augment.backends.image.augmenter import ImageAugmenter

__all__ = ["ImageAugmenter"]
