"""The image backend: Keras' ``ImageDataGenerator`` transforms on image files.

Modules:

* :mod:`~augment.backends.image.augmenter`: :class:`ImageAugmenter`, reading,
  augmenting and writing images;
* :mod:`~augment.backends.image.op`: the one op, ``ImageDataGenerator``: its
  parameters, Keras' defaults, the engine key and the checks;
* :mod:`~augment.backends.image.engine`: the engine interface (draw the
  transform, then apply it) and what every engine shares;
* :mod:`~augment.backends.image.affine`: ImageDataGenerator's draws, its
  matrix and SciPy's legacy border rules, in plain NumPy;
* :mod:`~augment.backends.image.opencv_engine`: the native engine (the
  default), ImageDataGenerator applied with OpenCV;
* :mod:`~augment.backends.image.keras_engine`: the reference engine, Keras
  itself (the one place TensorFlow is imported);
* :mod:`~augment.backends.image.pixels`: pixel modes (palette, bilevel, CMYK
  ink, 16-bit, alpha) and arrays to and from PIL images;
* :mod:`~augment.backends.image.formats`: what each source's encoder did
  (JPEG tables and subsampling, lossless WebP, TIFF compression...), kept
  for its copies;
* :mod:`~augment.backends.image.deep`: 16-bit colour images
  (:class:`~augment.backends.image.deep.Image16`), which Pillow cannot hold;
* :mod:`~augment.backends.image.io`: reading and writing (EXIF, ICC,
  decompression bombs, multi-frame files).

No image library (Pillow, OpenCV, TensorFlow) is imported until an augmenter
first needs it.
"""

from __future__ import annotations

from augment.backends.image.augmenter import ImageAugmenter
from augment.backends.image.deep import Image16

__all__ = ["Image16", "ImageAugmenter"]
