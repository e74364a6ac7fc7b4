"""Tests for augment.backends.image.augmenter: building an ImageAugmenter, its config and augmenting in memory."""

from __future__ import annotations

import copy
import json
import pickle
import random
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from augment.backends.image import ImageAugmenter
from augment.core.registry import backend
from backends.image.helpers import KERAS, PROJECT, H, W, rgb_array, rgb_image, save, tf_free_python

OP = "ImageDataGenerator"

# -- construction -------------------------------------------------------------


def test_defaults_match_the_design():
    aug = ImageAugmenter()
    assert aug.config() == {"jpeg_quality": "keep", "webp_quality": "keep", "max_pixels": 50_000_000,
                            "ops": [{"op": OP, "engine": "opencv", **PROJECT}]}
    assert list(aug.config()["ops"][0]) == ["op", "engine", *KERAS]
    assert aug.modality == "image" and aug.extensions == backend("image").extensions
    assert aug.options == ("jpeg_quality", "webp_quality", "max_pixels") and aug.limits == ("max_pixels",)
    assert aug.default_table == {
        "jpeg_quality": "keep", "webp_quality": "keep", "max_pixels": 50_000_000,
        "ops": [{"op": OP, "rotation_range": 30, "width_shift_range": 0.2, "height_shift_range": 0.2,
                 "horizontal_flip": True}],
    }


def test_an_op_takes_keras_defaults_for_what_it_leaves_out():
    aug = ImageAugmenter(ops=[{"op": OP, "rotation_range": 15}])
    assert aug.config() == {"jpeg_quality": "keep", "webp_quality": "keep", "max_pixels": 50_000_000,
                            "ops": [{"op": OP, "engine": "opencv", "rotation_range": 15}]}
    flips = set()
    for seed in range(60):
        entry = aug.augment(rgb_array(), seed=seed).params["ops"][0]
        flips |= {entry["flip_horizontal"], entry["flip_vertical"]}
        assert entry["tx"] == entry["ty"] == 0 and abs(entry["theta"]) <= 15
    assert flips == {False}
    # The shorthand's project defaults (which flip) are not what an op means.
    assert ImageAugmenter(rotation_range=15) != aug
    assert {ImageAugmenter(rotation_range=15).augment(rgb_array(), seed=s).params["ops"][0]["flip_horizontal"]
            for s in range(60)} == {False, True}
    still = ImageAugmenter(ops=[{"op": OP}]).augment(rgb_array(), seed=1)
    assert np.array_equal(still.data, rgb_array())


def test_the_default_table_augments_like_the_default_augmenter():
    table = ImageAugmenter(**ImageAugmenter.default_table)
    for seed in range(4):
        a, b = table.augment(rgb_array(), seed=seed), ImageAugmenter().augment(rgb_array(), seed=seed)
        assert np.array_equal(a.data, b.data) and a.params == b.params


@pytest.mark.parametrize("kwargs", [
    {},
    {"rotation_range": 10, "zoom_range": [0.9, 1.1], "jpeg_quality": 80},
    {"brightness_range": [0.6, 1.4], "channel_shift_range": 20, "fill_mode": "constant", "cval": 7,
     "vertical_flip": True, "interpolation_order": 0, "webp_quality": 50},
])
def test_the_shorthand_is_the_op_with_all_twelve_parameters(tmp_path, kwargs):
    short = ImageAugmenter(**kwargs)
    options = {k: kwargs[k] for k in ("jpeg_quality", "webp_quality") if k in kwargs}
    params = {**PROJECT, **{k: v for k, v in kwargs.items() if k not in options}}
    full = ImageAugmenter(ops=[{"op": OP, **params}], **options)
    assert short == full and hash(short) == hash(full) and short.config() == full.config()
    for data in (rgb_array(), rgb_image("RGBA"), rgb_image("CMYK"), rgb_array().astype(np.uint16) * 257):
        a, b = short.augment(data, seed=11), full.augment(data, seed=11)
        assert a.params == b.params
        assert (a.data.tobytes() if isinstance(a.data, np.ndarray) else a.data.tobytes()) == b.data.tobytes()
    src = save(rgb_image(), tmp_path / "in.png")
    for ext in ("jpg", "webp", "png"):
        short.augment_file(src, tmp_path / f"short.{ext}", seed=5)
        full.augment_file(src, tmp_path / f"full.{ext}", seed=5)
        assert (tmp_path / f"short.{ext}").read_bytes() == (tmp_path / f"full.{ext}").read_bytes()


@pytest.mark.parametrize("aug", [
    ImageAugmenter(),
    ImageAugmenter(rotation_range=5, width_shift_range=(2, 4), zoom_range=(0.8, 1.2), jpeg_quality=70),
    ImageAugmenter(ops=[{"op": OP}], webp_quality=12),
    ImageAugmenter(ops=[{"op": OP}], max_pixels=np.int64(100_000_000)),
    ImageAugmenter(ops=[{"op": OP, "brightness_range": (0.5, 1.5), "cval": np.float32(2.5),
                         "height_shift_range": np.array([1, 2])}]),
])
def test_config_round_trips_and_is_plain_data(aug):
    config = aug.config()
    assert set(config) == {"jpeg_quality", "webp_quality", "max_pixels", "ops"}
    assert type(config["max_pixels"]) is int
    assert json.loads(json.dumps(config)) == config
    assert ImageAugmenter(**config) == aug and ImageAugmenter(**config).config() == config
    config["ops"][0]["rotation_range"] = 77
    assert aug.config() != config  # a copy
    ops = aug.ops
    ops[0]["rotation_range"] = 77
    assert aug.ops != ops  # a copy too
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and repr(clone) == repr(aug)
    assert repr(aug).startswith("ImageAugmenter(jpeg_quality=")


def test_keras_style_arguments_are_kept_as_plain_lists():
    aug = ImageAugmenter(
        width_shift_range=(2, 4, 8),
        height_shift_range=np.array([0.1, 0.2]),
        zoom_range=(0.8, 1.25),
        brightness_range=(0.7, 1.3),
        rotation_range=np.float64(12.5),
        interpolation_order=np.int64(0),
    )
    [op] = aug.config()["ops"]
    assert op["width_shift_range"] == [2, 4, 8]
    assert op["height_shift_range"] == [0.1, 0.2]
    assert op["zoom_range"] == [0.8, 1.25] and op["brightness_range"] == [0.7, 1.3]
    assert type(op["rotation_range"]) is float and type(op["interpolation_order"]) is int
    assert json.loads(json.dumps(aug.config())) == aug.config()
    assert ImageAugmenter(**aug.config()) == aug
    out = aug.augment(rgb_array(), seed=3)
    assert out.params["ops"][0]["ty"] in (-8, -4, -2, 2, 4, 8)


@pytest.mark.parametrize("name, value", [("rotation_range", -5), ("zoom_range", [1.2, 0.8]),
                                         ("fill_mode", "mirror"), ("horizontal_flip", 1),
                                         ("interpolation_order", 6)])
def test_invalid_shorthand_arguments_are_named_as_given(name, value):
    with pytest.raises(ValueError, match=f"^{name} ") as info:
        ImageAugmenter(**{name: value})
    assert repr(value) in str(info.value)


@pytest.mark.parametrize("ops", [None, [{"op": OP}]])
@pytest.mark.parametrize("name, value", [("jpeg_quality", 0), ("jpeg_quality", 101), ("jpeg_quality", True),
                                         ("webp_quality", 50.5), ("webp_quality", "90"), ("jpeg_quality", "Keep")])
def test_invalid_qualities_are_plain_errors_in_both_forms(ops, name, value):
    expected = (f"^{name}" + r' must be an integer in \[1, 100\] or "keep" \(the source\'s\); got '
                + re.escape(repr(value)) + "$")
    with pytest.raises(ValueError, match=expected):
        ImageAugmenter(**{name: value}, ops=ops)


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "100", None])
def test_max_pixels_is_a_whole_number_of_pixels(value):
    with pytest.raises(ValueError, match=r"^max_pixels must be a whole number of pixels >= 1 \(width x height; "
                                         r"the default is 50000000\); got " + re.escape(repr(value)) + "$"):
        ImageAugmenter(max_pixels=value)
    assert ImageAugmenter(max_pixels=np.int64(7)).max_pixels == 7


@pytest.mark.parametrize("ops", [None, [{"op": OP}]])
def test_qualities_keep_the_source_by_default_and_none_means_keep(ops):
    assert ImageAugmenter(ops=ops).config()["jpeg_quality"] == "keep"
    kept = ImageAugmenter(jpeg_quality=None, webp_quality=None, ops=ops)
    assert kept == ImageAugmenter(jpeg_quality="keep", webp_quality="keep", ops=ops)
    assert {kept.config()[k] for k in ("jpeg_quality", "webp_quality")} == {"keep"}
    set_ = ImageAugmenter(jpeg_quality=np.int64(80), webp_quality=70, ops=ops).config()
    assert (set_["jpeg_quality"], set_["webp_quality"]) == (80, 70) and type(set_["jpeg_quality"]) is int


def test_tables_of_recipes_before_format_2_mean_quality_95_and_90_and_keras():
    op = {"op": OP, "rotation_range": 5}
    # The recipe layer fills a left-out quality with today's default ("keep") before asking.
    old = ImageAugmenter.table_as_of({"jpeg_quality": "keep", "webp_quality": "keep", "ops": [op]}, 1)
    assert old == {"jpeg_quality": 95, "webp_quality": 90, "ops": [{"engine": "keras", **op}]}
    assert ImageAugmenter.table_as_of({"jpeg_quality": 70, "ops": [op]}, 1) == {
        "jpeg_quality": 70, "ops": [{"engine": "keras", **op}]}
    # A rule's table that leaves a quality out takes the base table's: it stays left out.
    assert ImageAugmenter.table_as_of({"ops": [op]}, 1) == {"ops": [{"engine": "keras", **op}]}
    assert ImageAugmenter.table_as_of({"webp_quality": "keep"}, 1) == {"webp_quality": 90}
    current = {"jpeg_quality": "keep", "ops": [op]}
    assert ImageAugmenter.table_as_of(current, 2) == current


def test_op_errors_come_from_the_constructor_with_the_op_label():
    with pytest.raises(ValueError, match=r"^ops\[1\] \(ImageDataGenerator\): rotation_range .* got -5$"):
        ImageAugmenter(ops=[{"op": OP, "rotation_range": -5}])
    with pytest.raises(ValueError, match=r"^ops\[1\] \(ImageDataGenerator\): jpeg_quality is an output option"):
        ImageAugmenter(ops=[{"op": OP, "jpeg_quality": 90}])
    with pytest.raises(ValueError, match=r"^ops\[1\] \(Rotate\): unknown image op 'Rotate'"):
        ImageAugmenter(ops=[{"op": "Rotate"}])
    with pytest.raises(ValueError, match=r"^ops: takes exactly one op, ImageDataGenerator .*; got 3$"):
        ImageAugmenter(ops=[{"op": OP}] * 3)


def test_shorthand_arguments_are_refused_together_with_ops():
    with pytest.raises(ValueError) as info:
        ImageAugmenter(rotation_range=15, horizontal_flip=False, ops=[{"op": OP}])
    assert str(info.value) == (
        "rotation_range=15, horizontal_flip=False given together with ops; put it inside the op, e.g. "
        "ops=[{'op': 'ImageDataGenerator', 'rotation_range': 15, 'horizontal_flip': False}]"
    )
    with pytest.raises(ValueError, match="^width_shift_range=array"):
        ImageAugmenter(width_shift_range=np.array([0.2]), ops=[{"op": OP}])
    with pytest.raises(ValueError, match="^zoom_range=\\[0.9, 1.1\\] given together with ops"):
        ImageAugmenter(zoom_range=[0.9, 1.1], ops=[{"op": OP}])
    # Left at their defaults (or equal to them), they are not "given"; the output options always go with ops.
    aug = ImageAugmenter(rotation_range=30.0, horizontal_flip=True, jpeg_quality=60, ops=[{"op": OP}])
    assert aug.config() == {"jpeg_quality": 60, "webp_quality": "keep", "max_pixels": 50_000_000,
                            "ops": [{"op": OP, "engine": "opencv"}]}
    with pytest.raises(ValueError, match="^engine='keras' given together with ops; put it inside the op"):
        ImageAugmenter(engine="keras", ops=[{"op": OP}])


def test_constructing_and_reading_import_neither_tensorflow_nor_pillow_until_needed(tmp_path):
    path = save(rgb_image(), tmp_path / "a.png")
    out = tf_free_python(
        "import sys\n"
        "from augment.backends.image import ImageAugmenter\n"
        "print('PIL' in sys.modules)\n"
        "aug = ImageAugmenter(rotation_range=10, zoom_range=[0.9, 1.1])\n"
        "ImageAugmenter(ops=[{'op': 'ImageDataGenerator', 'rotation_range': 10}])\n"
        "aug.config(); repr(aug); hash(aug)\n"
        "for bad in ({'rotation_range': -1}, {'ops': [{'op': 'ImageDataGenerator', 'zoom': 1}]}):\n"
        "    try:\n"
        "        ImageAugmenter(**bad)\n"
        "    except ValueError:\n"
        "        pass\n"
        "print('PIL' in sys.modules)\n"
        f"aug.read({str(path)!r})\n"
        "print([m for m in ('tensorflow', 'keras', 'cv2') if m in sys.modules])\n"
        f"aug.augment(aug.read({str(path)!r}), seed=1)\n"
        "print([m for m in ('tensorflow', 'keras', 'scipy') if m in sys.modules], 'cv2' in sys.modules)\n"
    )
    # The default (native) engine imports OpenCV on its first augmentation, and never TensorFlow.
    assert out.splitlines() == ["False", "False", "[]", "[] True"]


# -- augmenting in memory -----------------------------------------------------


def test_same_seed_same_output_different_seeds_differ():
    aug = ImageAugmenter(brightness_range=[0.6, 1.4], channel_shift_range=20, zoom_range=0.1)
    a = aug.augment(rgb_array(), seed=7)
    b = ImageAugmenter(**aug.config()).augment(rgb_array(), seed=7)
    assert np.array_equal(a.data, b.data) and a.params == b.params
    outputs = {aug.augment(rgb_array(), seed=s).data.tobytes() for s in range(5)}
    assert len(outputs) == 5
    pil = [aug.augment(rgb_image(), seed=7).data for _ in range(2)]
    assert pil[0].tobytes() == pil[1].tobytes() == Image.fromarray(a.data).tobytes()


def test_global_random_states_are_untouched():
    aug = ImageAugmenter()
    random.seed(99)
    np.random.seed(99)
    py_state, np_state = random.getstate(), np.random.get_state()
    aug.augment(rgb_array(), seed=1)
    aug.augment(rgb_image("RGBA"))
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]


def test_params_are_json_safe_and_say_what_was_augmented():
    result = ImageAugmenter(brightness_range=[0.8, 1.2], channel_shift_range=5).augment(rgb_array(), seed=21)
    params = result.params
    assert json.loads(json.dumps(params)) == params
    assert list(params) == ["ops", "mode", "size"]
    assert params["mode"] == "array" and params["size"] == [W, H]
    [entry] = params["ops"]
    assert list(entry) == ["op", "engine", "theta", "tx", "ty", "shear", "zx", "zy", "flip_horizontal",
                           "flip_vertical", "channel_shift_intensity", "brightness"]
    assert entry["engine"] == "opencv"
    image = ImageAugmenter().augment(rgb_image("P"), seed=2).params
    assert list(image) == ["ops", "mode", "size", "via"] and image["via"] == "indices"


@pytest.mark.parametrize("engine", ["opencv", "keras"])
def test_a_pickled_copy_builds_its_own_engine_and_augments_alike(engine):
    aug = ImageAugmenter(zoom_range=[0.9, 1.1], engine=engine)
    first = aug.augment(rgb_array(), seed=4).data  # builds the Keras generator (Keras engine)
    clone = pickle.loads(pickle.dumps(aug))
    assert clone._engine.name == engine and getattr(clone._engine, "_generators", {}) == {}
    assert clone == aug and np.array_equal(clone.augment(rgb_array(), seed=4).data, first)
    assert copy.deepcopy(aug) == aug
    assert aug != ImageAugmenter(zoom_range=[0.9, 1.1], engine="keras" if engine == "opencv" else "opencv")


@pytest.mark.parametrize(
    "shape, dtype",
    [((H, W), np.uint8), ((H, W, 1), np.uint8), ((H, W, 2), np.uint8), ((H, W, 3), np.uint16),
     ((H, W, 4), np.uint8), ((H, W), np.uint16)],
)
def test_arrays_keep_shape_and_dtype(shape, dtype):
    top = np.iinfo(dtype).max
    data = (np.random.default_rng(1).random(shape) * top).astype(dtype)
    out = ImageAugmenter(brightness_range=[1.5, 1.5]).augment(data, seed=2).data
    assert out.shape == shape and out.dtype == dtype
    assert not np.array_equal(out, data)


@pytest.mark.parametrize(
    "data, message",
    [
        (np.zeros((H, W, 3), np.float64), "dtype"),
        (np.zeros((H, W, 5), np.uint8), "shape"),
        (np.zeros((0, W, 3), np.uint8), "empty"),
        ([[0, 1], [2, 3]], "PIL.Image.Image, an Image16 or a NumPy array; got list"),
        (b"\x89PNG", "got bytes"),
    ],
)
def test_unsupported_data_raises_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        ImageAugmenter().augment(data, seed=0)


@pytest.mark.parametrize("mode", ["1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"])
def test_pil_modes_and_sizes_survive(mode):
    image = rgb_image(mode)
    aug = ImageAugmenter(channel_shift_range=10, brightness_range=[0.8, 1.2])
    result = aug.augment(image, seed=4)
    out = result.data
    assert isinstance(out, Image.Image) and out.mode == mode and out.size == (W, H)
    assert out.tobytes() != image.tobytes()
    assert result.params["mode"] == mode and result.params["size"] == [W, H]


def test_augment_takes_no_sample_rate():
    with pytest.raises(TypeError, match="sample_rate"):
        ImageAugmenter().augment(rgb_array(), seed=0, sample_rate=8000)


@pytest.mark.parametrize("name, value", [("horizontal_flip", 1), ("vertical_flip", 0), ("rotation_range", True),
                                         ("brightness_range", [1.0, 1.0]), ("width_shift_range", (0.2,)),
                                         ("cval", float("nan")), ("fill_mode", "constant")])
def test_a_value_only_equal_to_its_default_is_still_given(name, value):
    with pytest.raises(ValueError, match=f"^{name}=.* given together with ops"):
        ImageAugmenter(**{name: value}, ops=[{"op": OP}])


def test_ops_written_out_explicitly_augment_the_same():
    """A saved recipe writes Keras' defaults out (explicit_ops); the augmenter must not change."""
    op = {"op": "ImageDataGenerator", "rotation_range": 20, "zoom_range": [0.9, 1.1]}
    explicit = ImageAugmenter.explicit_ops([op])
    assert op.items() <= explicit[0].items() and explicit[0]["fill_mode"] == "nearest"
    assert "brightness_range" not in explicit[0]  # None: TOML cannot hold it, and it is the default
    for seed in range(3):
        written, given = (ImageAugmenter(ops=ops).augment(rgb_array(), seed=seed) for ops in (explicit, [op]))
        assert np.array_equal(written.data, given.data) and written.params == given.params
    assert ImageAugmenter.explicit_ops([{"op": "Rotate"}]) == [{"op": "Rotate"}]


def test_the_keras_engine_without_tensorflow_is_refused_before_any_file_with_the_install(monkeypatch):
    keras_config = ImageAugmenter(engine="keras").config()
    ImageAugmenter.prepare(keras_config)  # installed here: nothing to say
    monkeypatch.setitem(sys.modules, "tensorflow", None)  # as if it were not installed
    with pytest.raises(LookupError, match=r'^engine = "keras" needs TensorFlow, which is not installed; install it '
                                          r'with: pip install "augment-dir\[keras\]", or use engine = "opencv"'):
        ImageAugmenter.prepare(keras_config)
    ImageAugmenter.prepare(ImageAugmenter().config())  # the native engine needs no TensorFlow


def test_a_run_with_the_keras_engine_and_no_tensorflow_exits_2_and_writes_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    save(rgb_image(), src / "a.png")
    recipe = tmp_path / "keras.toml"
    recipe.write_text('[[image.ops]]\nop = "ImageDataGenerator"\nengine = "keras"\n')
    code = ("import sys\nsys.modules['tensorflow'] = None\nfrom augment.cli import main\n"
            f"sys.exit(main([{str(src)!r}, {str(tmp_path / 'out')!r}, '--config', {str(recipe)!r}]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert 'pip install "augment-dir[keras]"' in proc.stderr and "Traceback" not in proc.stderr
    assert not any(p.is_file() and p.suffix == ".png" for p in (tmp_path / "out").rglob("*"))


# -- batches --------------------------------------------------------------------


def _batch(shape, dtype=np.uint8, seed=0):
    rng = np.random.default_rng(seed)
    top = 65535 if dtype == np.uint16 else 255
    return rng.integers(0, top + 1, shape).astype(dtype)


_EVERY_TRANSFORM = dict(rotation_range=20, width_shift_range=0.2, height_shift_range=3, shear_range=10,
                        zoom_range=0.2, channel_shift_range=40, brightness_range=[0.6, 1.3], cval=90,
                        horizontal_flip=True, vertical_flip=True)


@pytest.mark.parametrize("shape, dtype, kwargs", [
    ((6, 20, 24, 3), np.uint8, {}),
    ((5, 20, 24), np.uint8, dict(fill_mode="constant", cval=200, rotation_range=40)),
    ((4, 18, 16, 1), np.uint16, dict(_EVERY_TRANSFORM, fill_mode="wrap")),
    ((4, 18, 16, 2), np.uint8, dict(_EVERY_TRANSFORM, fill_mode="reflect")),
    ((4, 18, 16, 4), np.uint16, dict(_EVERY_TRANSFORM, fill_mode="constant", interpolation_order=0)),
    ((3, 12, 12, 3), np.uint8, dict(_EVERY_TRANSFORM, engine="keras", interpolation_order=2)),
])
def test_each_image_of_a_batch_array_is_augment_under_its_item_seed(shape, dtype, kwargs):
    aug = ImageAugmenter(**kwargs)
    batch = _batch(shape, dtype)
    before = batch.copy()
    result = aug.augment_batch(batch, seed=5)
    assert result.data.shape == batch.shape and result.data.dtype == batch.dtype
    assert np.array_equal(batch, before)  # the input is never changed
    for index, item in enumerate(result):
        alone = aug.augment(batch[index], seed=item.seed)
        assert np.array_equal(item.data, alone.data) and item.params == alone.params
    assert not all(np.array_equal(result.data[i], batch[i]) for i in range(len(batch)))


def test_the_same_seed_gives_the_same_batch_and_another_seed_another():
    aug = ImageAugmenter()
    batch = _batch((8, 16, 16, 3))
    first = aug.augment_batch(batch, seed=1)
    again = aug.augment_batch(batch, seed=1)
    assert np.array_equal(first.data, again.data) and first.params == again.params
    assert not np.array_equal(first.data, aug.augment_batch(batch, seed=2).data)
    assert json.loads(json.dumps(first.params)) == first.params


def test_a_list_batch_takes_pil_images_and_arrays_of_any_size():
    aug = ImageAugmenter()
    items = [rgb_image(), rgb_array(), _batch((9, 7), np.uint16)]
    result = aug.augment_batch(items, seed=3)
    assert isinstance(result.data, list) and result.data[0].size == items[0].size
    for item, source in zip(result, items, strict=True):
        alone = aug.augment(source, seed=item.seed)
        assert item.params == alone.params
    assert np.array_equal(result.data[1], aug.augment(items[1], seed=result.seeds[1]).data)
    with pytest.raises(ValueError, match="value_range is for a float32 batch array"):
        aug.augment_batch(items, seed=3, value_range=(0, 1))


@pytest.mark.parametrize("low, high", [(0.0, 1.0), (-1.0, 1.0), (0.0, 255.0)])
def test_float32_batches_keep_their_dtype_and_range_and_follow_the_integer_result(low, high):
    aug = ImageAugmenter(**dict(_EVERY_TRANSFORM, fill_mode="constant"))
    integers = _batch((6, 16, 20, 3))
    floats = (integers / 255.0 * (high - low) + low).astype(np.float32)
    result = aug.augment_batch(floats, seed=9, value_range=(low, high))
    assert result.data.dtype == np.float32 and result.data.shape == floats.shape
    assert low <= result.data.min() and result.data.max() <= high
    reference = aug.augment_batch(integers, seed=9)
    # The same draws; the integer result is rounded to whole levels (half a level off at most).
    levels = (result.data.astype(np.float64) - low) / (high - low) * 255
    assert np.abs(levels - reference.data).max() <= 0.5 + 1e-3
    for item, whole in zip(result, reference, strict=True):
        assert item.params == {**whole.params, "value_range": [low, high]}


def test_float32_cval_is_on_the_0_255_scale():
    aug = ImageAugmenter(fill_mode="constant", cval=255, width_shift_range=[10], height_shift_range=0,
                         rotation_range=0, horizontal_flip=False)
    floats = np.full((2, 40, 40, 3), -1.0, dtype=np.float32)
    out = aug.augment_batch(floats, seed=0, value_range=(-1, 1)).data
    values, counts = np.unique(out, return_counts=True)
    # A black image shifted by 10 of its 40 pixels: the filled quarter is white (cval 255 is hi).
    assert values.tolist() == [-1.0, 1.0] and counts.tolist() == [2 * 30 * 40 * 3, 2 * 10 * 40 * 3]


@pytest.mark.parametrize("batch, kwargs, error, message", [
    (np.zeros((2, 4, 4, 3), np.float32), {}, ValueError, r"needs value_range=\(lo, hi\)"),
    (np.full((2, 4, 4, 3), 2.0, np.float32), {"value_range": (0, 1)}, ValueError,
     r"span \[2, 2\], outside value_range \(0, 1\)"),
    (np.full((2, 4, 4, 3), np.nan, np.float32), {"value_range": (0, 1)}, ValueError, "outside value_range"),
    (np.zeros((2, 4, 4, 3), np.float32), {"value_range": (1, 0)}, ValueError, "lo < hi"),
    (np.zeros((2, 4, 4, 3), np.float32), {"value_range": (0, np.inf)}, ValueError, "two finite numbers"),
    (np.zeros((2, 4, 4, 3), np.uint8), {"value_range": (0, 1)}, ValueError, "value_range is for float32"),
    (np.zeros((2, 4, 4, 3), np.float64), {"value_range": (0, 1)}, ValueError, "uint8, uint16 or float32; got float64"),
    (np.zeros((2, 4, 4, 3), np.int16), {}, ValueError, "got int16"),
    (np.zeros((4, 4), np.uint8), {}, ValueError, r"\(N, H, W\) or \(N, H, W, C\).*got shape \(4, 4\)"),
    (np.zeros((2, 4, 4, 5), np.uint8), {}, ValueError, "C in 1..4"),
    (np.zeros((2, 0, 4, 3), np.uint8), {}, ValueError, "must not be empty"),
    ("not images", {}, TypeError, "a batch is a list"),
    (np.zeros((2, 4, 4, 3), np.uint8), {"sample_rate": 8000}, TypeError, "takes no sample_rate"),
])
def test_bad_batches_are_refused_before_any_draw(batch, kwargs, error, message):
    with pytest.raises(error, match=message):
        ImageAugmenter().augment_batch(batch, seed=1, **kwargs)


def test_an_empty_batch_is_an_empty_batch():
    result = ImageAugmenter().augment_batch(np.zeros((0, 8, 8, 3), np.uint8), seed=1)
    assert result.data.shape == (0, 8, 8, 3) and result.params == [] and result.seeds == ()
