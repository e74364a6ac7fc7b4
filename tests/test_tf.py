"""Tests for augment.tf: augment_dataset in real tf.data pipelines (one small dataset, no training)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from augment import ImageAugmenter, Recipe, TextAugmenter  # noqa: E402
from augment.core.seeding import SEED_MAX  # noqa: E402
from augment.tf import CHUNK, augment_dataset  # noqa: E402

IMAGES = np.random.default_rng(0).integers(0, 256, (24, 16, 16, 3), dtype=np.uint8)
LABELS = np.arange(24, dtype=np.int64)
BATCH = 8


@pytest.fixture(scope="module")
def augmenter():
    return ImageAugmenter()


def _pairs():
    return tf.data.Dataset.from_tensor_slices((IMAGES, LABELS)).batch(BATCH)


def _epochs(ds, count=2):
    return [list(ds.as_numpy_iterator()) for _ in range(count)]


def _keys(seed, epochs=2, count=3):
    """The batch seeds augment_dataset draws: TensorFlow's per-iteration random stream, one value per element."""
    keys = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).take(count)
    return [[int(k) & SEED_MAX for k in keys.as_numpy_iterator()] for _ in range(epochs)]


def _same_epochs(a, b):
    return all(np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1])
               for ea, eb in zip(a, b, strict=True) for x, y in zip(ea, eb, strict=True))


def test_batched_pairs_keep_their_structure_and_each_batch_is_augment_batch_under_its_key(augmenter):
    ds = augment_dataset(_pairs(), augmenter, seed=3)
    assert ds.element_spec == _pairs().element_spec
    epochs = _epochs(ds)
    for epoch, keys in zip(epochs, _keys(3), strict=True):
        assert len(epoch) == 3
        for (images, labels), key, start in zip(epoch, keys, range(0, 24, BATCH), strict=True):
            assert images.dtype == np.uint8 and np.array_equal(labels, LABELS[start:start + BATCH])
            assert np.array_equal(images, augmenter.augment_batch(IMAGES[start:start + BATCH], seed=key).data)
    assert not any(np.array_equal(a[0], b[0]) for a, b in zip(*epochs, strict=True))  # a new draw every epoch


def test_the_same_seed_replays_every_epoch_and_another_seed_differs(augmenter):
    first = _epochs(augment_dataset(_pairs(), augmenter, seed=11))
    assert _same_epochs(first, _epochs(augment_dataset(_pairs(), augmenter, seed=11)))
    other = _epochs(augment_dataset(_pairs(), augmenter, seed=12))
    assert not np.array_equal(first[0][0][0], other[0][0][0])


def test_repeat_draws_anew_as_iterating_again_does(augmenter):
    ds = augment_dataset(_pairs(), augmenter, seed=5)
    repeated = list(ds.repeat(2).as_numpy_iterator())
    assert _same_epochs([repeated[:3], repeated[3:]], _epochs(augment_dataset(_pairs(), augmenter, seed=5)))


def test_single_images_are_augmented_in_chunks_and_keep_shape_and_count(augmenter):
    plain = tf.data.Dataset.from_tensor_slices(IMAGES)
    ds = augment_dataset(plain, augmenter, seed=4)
    assert ds.element_spec == plain.element_spec and int(ds.cardinality()) == len(IMAGES)
    out = np.stack(list(ds.as_numpy_iterator()))
    assert CHUNK >= len(IMAGES)  # one chunk, under the first key
    assert np.array_equal(out, augmenter.augment_batch(IMAGES, seed=_keys(4, 1, 1)[0][0]).data)


def test_images_of_varying_sizes_are_augmented_one_at_a_time(augmenter):
    sizes = [(10, 12), (16, 9), (7, 7)]
    images = [np.full((h, w, 3), 40 * i, np.uint8) + np.arange(w, dtype=np.uint8)[None, :, None]
              for i, (h, w) in enumerate(sizes)]
    plain = tf.data.Dataset.from_generator(lambda: iter(images),
                                           output_signature=tf.TensorSpec((None, None, 3), tf.uint8))
    ds = augment_dataset(plain, augmenter, seed=8)
    assert ds.element_spec == plain.element_spec
    keys = _keys(8, 1, 3)[0]
    for image, out, key in zip(images, ds.as_numpy_iterator(), keys, strict=True):
        assert np.array_equal(out, augmenter.augment_batch(image[None], seed=key).data[0])


def test_grey_float_and_sixteen_bit_images_keep_their_dtype_and_range(augmenter):
    grey = tf.data.Dataset.from_tensor_slices(IMAGES[..., 0]).batch(BATCH)  # (N, 16, 16): batches of grey
    out = next(augment_dataset(grey, augmenter, seed=1).as_numpy_iterator())
    assert out.shape == (BATCH, 16, 16) and out.dtype == np.uint8
    single = tf.data.Dataset.from_tensor_slices(IMAGES[..., 0])  # (16, 16): single grey images
    assert augment_dataset(single, augmenter, seed=1).element_spec == single.element_spec

    floats = tf.data.Dataset.from_tensor_slices(IMAGES.astype(np.float32) / 127.5 - 1).batch(BATCH)
    augmented = augment_dataset(floats, augmenter, seed=1, value_range=(-1, 1))
    assert augmented.element_spec == floats.element_spec
    values = np.concatenate(list(augmented.as_numpy_iterator()))
    assert values.dtype == np.float32 and values.min() >= -1 and values.max() <= 1
    assert not np.array_equal(values, IMAGES.astype(np.float32) / 127.5 - 1)

    deep = tf.data.Dataset.from_tensor_slices(IMAGES.astype(np.uint16) * 257).batch(BATCH)
    assert next(augment_dataset(deep, augmenter, seed=1).as_numpy_iterator()).dtype == np.uint16


def test_dicts_have_their_image_augmented_and_the_rest_passed_through(augmenter):
    plain = tf.data.Dataset.from_tensor_slices({"image": IMAGES, "label": LABELS}).batch(BATCH)
    ds = augment_dataset(plain, augmenter, seed=3)
    assert ds.element_spec == plain.element_spec
    pairs = list(augment_dataset(_pairs(), augmenter, seed=3).as_numpy_iterator())
    for element, (images, labels) in zip(ds.as_numpy_iterator(), pairs, strict=True):
        assert np.array_equal(element["image"], images) and np.array_equal(element["label"], labels)


def test_a_recipe_brings_its_image_table_and_its_seed():
    recipe = Recipe.from_dict({"seed": 21, "image": {"ops": [{"op": "ImageDataGenerator", "rotation_range": 45}]}})
    from_recipe = _epochs(augment_dataset(_pairs(), recipe), 1)
    assert _same_epochs(from_recipe, _epochs(augment_dataset(_pairs(), recipe.augmenter("image"), seed=21), 1))


def test_an_augmenter_without_a_seed_draws_one():
    a = next(augment_dataset(_pairs(), ImageAugmenter()).as_numpy_iterator())[0]
    b = next(augment_dataset(_pairs(), ImageAugmenter()).as_numpy_iterator())[0]
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("make, kwargs, error, message", [
    (lambda: _pairs(), {"augmenter_or_recipe": TextAugmenter()}, TypeError, "augments images; got a TextAugmenter"),
    (lambda: _pairs(), {"augmenter_or_recipe": "recipe.toml"}, TypeError, "ImageAugmenter or a Recipe; got str"),
    (lambda: tf.data.Dataset.from_tensor_slices({"picture": IMAGES}), {}, TypeError, "dicts with an \"image\""),
    (lambda: tf.data.Dataset.from_tensor_slices(((IMAGES, IMAGES), LABELS)), {}, TypeError, "got elements"),
    (lambda: tf.data.Dataset.from_tensor_slices(IMAGES.astype(np.int32)), {}, ValueError, "got int32"),
    (lambda: tf.data.Dataset.from_tensor_slices(IMAGES.astype(np.float32)), {}, ValueError,
     r"need value_range=\(lo, hi\)"),
    (lambda: _pairs(), {"value_range": (0, 1)}, ValueError, "value_range is for float32 images"),
    (lambda: tf.data.Dataset.from_generator(lambda: iter([IMAGES[0]]),
                                            output_signature=tf.TensorSpec((None, None, None), tf.uint8)),
     {}, ValueError, "say which with batched=False or batched=True"),
    (lambda: _pairs(), {"batched": False}, ValueError, r"batched=False needs images"),
    (lambda: tf.data.Dataset.from_tensor_slices(IMAGES[0, 0, 0]), {}, ValueError, "got shape"),
    (lambda: _pairs(), {"seed": -1}, ValueError, "seed must be an integer"),
])
def test_what_cannot_be_augmented_is_refused_when_the_dataset_is_built(make, kwargs, error, message):
    kwargs = {"augmenter_or_recipe": ImageAugmenter(), **kwargs}
    with pytest.raises(error, match=message):
        augment_dataset(make(), seed=kwargs.pop("seed", 1), **kwargs)


def test_batched_says_what_the_shape_cannot():
    plain = tf.data.Dataset.from_generator(lambda: iter([IMAGES[0], IMAGES[1]]),
                                           output_signature=tf.TensorSpec((None, None, None), tf.uint8))
    out = list(augment_dataset(plain, ImageAugmenter(), seed=2, batched=False).as_numpy_iterator())
    assert [o.shape for o in out] == [(16, 16, 3)] * 2


def test_pixels_outside_value_range_fail_when_iterated_with_the_reason():
    floats = tf.data.Dataset.from_tensor_slices(IMAGES.astype(np.float32)).batch(BATCH)  # 0..255, said 0..1
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"outside value_range \(0, 1\)"):
        next(augment_dataset(floats, ImageAugmenter(), seed=1, value_range=(0, 1)).as_numpy_iterator())


def test_nothing_else_imports_tensorflow():
    script = ("import sys, numpy as np\n"
              "import augment, augment.streaming, augment.torch, augment.core.batch\n"
              "augment.ImageAugmenter().augment_batch(np.zeros((2, 8, 8, 3), np.uint8), seed=1)\n"
              "augment.Recipe.default().augmenter('image')\n"
              "print('tensorflow' in sys.modules, 'torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr
