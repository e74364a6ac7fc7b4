"""On-the-fly augmentation in a ``tf.data`` pipeline: :func:`augment_dataset`.

Importing this module imports TensorFlow; nothing else in the package does
(but the Keras image engine).

A new draw every epoch, and the same epochs from the same seed: each element
(a batch, or a group of images) is zipped with a value of
``tf.data.Dataset.random(seed, rerandomize_each_iteration=True)``, TensorFlow's
own per-iteration random stream. Every new iteration of the dataset (a new
epoch: ``for x in ds`` again, ``ds.repeat()``, ``model.fit(epochs=...)``)
draws a new sequence of values, and a dataset built again with the same seed
draws the same sequences, epoch after epoch. The value is the seed of the
element's batch (:meth:`Augmenter.augment_batch
<augment.core.augmenter.Augmenter.augment_batch>`), which seeds each image.
As for every seeded TensorFlow op, a global seed set with
``tf.random.set_seed`` takes part: the same global seed (or none) and the
same ``seed`` give the same sequence.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from augment.core.augmenter import Augmenter
from augment.core.seeding import SEED_MAX, check_seed, draw_seed
from augment.run.recipe import Recipe

# TensorFlow's start-up notes (CPU instructions, no CUDA) say nothing about the user's data.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402 - after its log level

__all__ = ["CHUNK", "augment_dataset"]

#: Images of an unbatched dataset are augmented this many at a time (then unbatched again):
#: one call into Python per image costs more than augmenting a small image.
CHUNK = 64

_DTYPES = (tf.uint8, tf.uint16, tf.float32)


def _image_augmenter(source: Any, seed: int | None) -> tuple[Augmenter, int]:
    """The image augmenter ``source`` is or describes, and the seed to use (the recipe's, else drawn)."""
    if isinstance(source, Recipe):
        augmenter = source.augmenter("image")
        if seed is None:
            seed = source.seed
    elif isinstance(source, Augmenter):
        augmenter = source
    else:
        raise TypeError(f"augment_dataset takes an ImageAugmenter or a Recipe; got {type(source).__name__}")
    if augmenter.modality != "image":
        raise TypeError(f"augment_dataset augments images; got a {type(augmenter).__name__}")
    return augmenter, draw_seed() if seed is None else check_seed(seed)


def _is_batched(spec: tf.TensorSpec, batched: bool | None) -> bool:
    """Whether image elements of ``spec`` are batches (N,H,W[,C]) rather than single images (H,W[,C])."""
    rank = spec.shape.rank
    if batched is not None:
        if rank not in ((3, 4) if batched else (2, 3)):
            kind = "batches (N, H, W) or (N, H, W, C)" if batched else "images (H, W) or (H, W, C)"
            raise ValueError(f"batched={batched} needs {kind}; the images have shape {spec.shape}")
        return batched
    if rank == 4:
        return True
    if rank == 2:
        return False
    if rank == 3:
        channels = spec.shape[-1]
        if channels is None:
            raise ValueError(f"images of shape {spec.shape} may be (H, W, C) images or (N, H, W) batches: "
                             "say which with batched=False or batched=True")
        return channels > 4  # C is 1..4; a larger last axis is a width
    raise ValueError(f"augment_dataset takes images (H, W[, C]) or batches (N, H, W[, C]); got shape {spec.shape}")


def augment_dataset(
    ds: tf.data.Dataset,
    augmenter_or_recipe: Augmenter | Recipe,
    *,
    seed: int | None = None,
    value_range: tuple[float, float] | None = None,
    batched: bool | None = None,
) -> tf.data.Dataset:
    """``ds`` with every image augmented, anew each epoch.

    Args:
        ds: A dataset of images, of tuples whose first item is the image
            (``(image, label)``), or of dicts whose ``"image"`` is (as
            TensorFlow Datasets gives them); batched (N, H, W[, C]) or not
            (H, W[, C]); uint8, uint16 or float32. The rest of each element
            passes through untouched.
        augmenter_or_recipe: An :class:`~augment.backends.image.ImageAugmenter`,
            or a :class:`~augment.run.recipe.Recipe` (its image table).
        seed: The seed of the whole sequence of epochs; None: the recipe's seed,
            else one drawn at random.
        value_range: ``(lo, hi)`` of float32 pixels (required for them), e.g. (0, 1).
        batched: Whether elements are batches; None: told by their shape (a
            rank-3 element is one (H, W, C) image when C is 1..4).

    Returns:
        A dataset with the same element structure, dtypes and static shapes.
        Augmenting runs in Python, one element at a time, in the order of
        ``ds``; ``.prefetch(tf.data.AUTOTUNE)`` after it overlaps it with
        training. Single images of one fixed shape are augmented
        :data:`CHUNK` at a time.

    Raises:
        TypeError: Not an image augmenter or recipe, or elements without an image
            where one is looked for.
        ValueError: A dtype other than uint8, uint16 or float32; float32
            images without ``value_range``; a shape that is not an image's.
    """
    augmenter, seed = _image_augmenter(augmenter_or_recipe, seed)
    spec = ds.element_spec
    # Where the image is: the element itself, the first item of a tuple, or a dict's "image" (TFDS' name).
    where: int | str | None = None
    if isinstance(spec, tuple) and len(spec) > 0:
        where = 0
    elif isinstance(spec, dict) and "image" in spec:
        where = "image"
    image_spec = spec if where is None else spec[where]
    if not isinstance(image_spec, tf.TensorSpec):
        raise TypeError("augment_dataset takes a dataset of images, of (image, label, ...) tuples or of dicts with "
                        f"an \"image\"; got elements {spec}")
    if image_spec.dtype not in _DTYPES:
        raise ValueError(f"images must be uint8, uint16 or float32; got {image_spec.dtype.name}")
    if image_spec.dtype == tf.float32 and value_range is None:
        raise ValueError("float32 images need value_range=(lo, hi), the range their pixels are on, e.g. (0, 1)")
    if image_spec.dtype != tf.float32 and value_range is not None:
        raise ValueError(f"value_range is for float32 images; {image_spec.dtype.name} pixels have their dtype's")
    is_batch = _is_batched(image_spec, batched)
    chunked = not is_batch and all(s.shape.is_fully_defined() for s in tf.nest.flatten(spec))

    def run(images: np.ndarray, key: np.int64) -> np.ndarray:
        batch = images if is_batch or chunked else images[None]
        out = augmenter.augment_batch(batch, seed=int(key) & SEED_MAX, value_range=value_range).data
        return out if is_batch or chunked else out[0]

    def augment_element(element: Any, key: tf.Tensor) -> Any:
        image = element if where is None else element[where]
        out = tf.numpy_function(run, [image, key], image.dtype, stateful=False, name="augment_images")
        out.set_shape(image.shape)
        if where is None:
            return out
        if isinstance(where, str):
            return {**element, where: out}
        return (out, *element[1:])

    source = ds.batch(CHUNK) if chunked else ds
    keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)
    augmented = tf.data.Dataset.zip((source, keys)).map(augment_element)
    if not chunked:
        return augmented
    images = augmented.unbatch()
    count = int(ds.cardinality())
    # Unbatching hides how many images there are; Keras' progress bar and steps want it.
    return images.apply(tf.data.experimental.assert_cardinality(count)) if count >= 0 else images
