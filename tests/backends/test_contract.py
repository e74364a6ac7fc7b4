"""Contract tests written once and run against every registered backend (fsspec-style), the fake one too."""

from __future__ import annotations

import json
import pickle
import random

import numpy as np
import pytest

import augment
from augment.core.registry import backend as registered
from augment.core.registry import modalities

import fake_backend
from conftest import SENTENCES, write_audio, write_image, write_text


def _image_sample():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)


def _audio_sample():
    t = np.arange(4000) / 8000
    return (0.3 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)


def _fake_file(folder):
    path = folder / "in.fake"
    path.write_bytes(bytes(range(64)))
    return path


# modality -> (make augmenter, make in-memory sample, extra augment() kwargs, make a file)
BACKENDS = {
    "fake": (fake_backend.FakeAugmenter, lambda: bytes(range(40)), {}, _fake_file),
    "image": (augment.ImageAugmenter, _image_sample, {},
              lambda d: write_image(d / "in.png", size=(32, 24))),
    "text": (augment.TextAugmenter, lambda: " ".join(SENTENCES), {},
             lambda d: write_text(d / "in.txt", " ".join(SENTENCES) + "\n")),
    "audio": (augment.AudioAugmenter, _audio_sample, {"sample_rate": 8000},
              lambda d: write_audio(d / "in.wav", subtype="PCM_24", channels=2)),
}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request):
    if request.param == "fake":
        fake_backend.install()
        request.addfinalizer(fake_backend.remove)
    return request.param, *BACKENDS[request.param]


def test_every_registered_backend_is_under_contract():
    assert set(modalities()) <= set(BACKENDS)


def _same(a, b):
    return np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b


def test_modality_and_extensions(backend):
    modality, make, *_ = backend
    aug = make()
    assert aug.modality == modality
    assert aug.extensions == registered(modality).extensions
    assert all(aug.handles(f"x{ext.upper()}") for ext in aug.extensions)


def test_same_seed_same_output(backend):
    _, make, sample, kwargs, _ = backend
    a = make().augment(sample(), seed=11, **kwargs)
    b = make().augment(sample(), seed=11, **kwargs)
    assert _same(a.data, b.data) and a.params == b.params and a.seed == b.seed == 11


def test_different_seeds_differ(backend):
    _, make, sample, kwargs, _ = backend
    aug = make()
    outputs = [aug.augment(sample(), seed=s, **kwargs).data for s in range(4)]
    distinct = {o.tobytes() if isinstance(o, np.ndarray) else o for o in outputs}
    assert len(distinct) >= 3


def test_output_differs_from_input(backend):
    _, make, sample, kwargs, _ = backend
    assert not _same(make().augment(sample(), seed=3, **kwargs).data, sample())


def test_global_rng_state_restored(backend):
    _, make, sample, kwargs, _ = backend
    aug = make()
    random.seed(2024)
    np.random.seed(2024)
    py_state, np_state = random.getstate(), np.random.get_state()
    aug.augment(sample(), seed=5, **kwargs)
    aug.augment(sample(), **kwargs)  # a drawn seed must not disturb global state either
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]


def test_drawn_seed_is_recorded_and_replays(backend):
    _, make, sample, kwargs, _ = backend
    aug = make()
    first = aug.augment(sample(), **kwargs)
    assert isinstance(first.seed, int)
    replay = aug.augment(sample(), seed=first.seed, **kwargs)
    assert _same(first.data, replay.data) and first.params == replay.params


def test_a_batch_augments_each_item_as_augment_does_under_its_item_seed(backend):
    _, make, sample, kwargs, _ = backend
    aug = make()
    random.seed(7)
    np.random.seed(7)
    py_state, np_state = random.getstate(), np.random.get_state()
    batch = aug.augment_batch([sample(), sample(), sample()], seed=13, **kwargs)
    assert random.getstate() == py_state and np.array_equal(np.random.get_state()[1], np_state[1])
    assert isinstance(batch.data, list) and len(batch) == 3 and len(set(batch.seeds)) == 3
    for item in batch:
        alone = aug.augment(sample(), seed=item.seed, **kwargs)
        assert _same(item.data, alone.data) and item.params == alone.params
        assert json.loads(json.dumps(item.params)) == item.params
    again = aug.augment_batch([sample(), sample(), sample()], seed=13, **kwargs)
    assert all(_same(a.data, b.data) for a, b in zip(batch, again, strict=True)) and again.params == batch.params


def test_params_are_json_safe(backend):
    _, make, sample, kwargs, _ = backend
    params = make().augment(sample(), seed=1, **kwargs).params
    assert isinstance(params, dict) and params
    assert json.loads(json.dumps(params)) == params


def test_config_rebuilds_and_pickles(backend):
    _, make, sample, kwargs, _ = backend
    aug = make()
    config = aug.config()
    assert json.loads(json.dumps(config)) == config
    rebuilt = type(aug)(**config)
    assert rebuilt.config() == config
    clone = pickle.loads(pickle.dumps(aug))
    assert _same(clone.augment(sample(), seed=9, **kwargs).data, aug.augment(sample(), seed=9, **kwargs).data)


def test_augment_file_round_trip(backend, tmp_path):
    _, make, _, _, make_file = backend
    aug = make()
    src = make_file(tmp_path)
    original = src.read_bytes()
    dst = tmp_path / f"out{src.suffix}"
    result = aug.augment_file(src, dst, seed=4)
    assert src.read_bytes() == original
    assert result.data is None and result.seed == 4 and result.params
    again = aug.augment_file(src, tmp_path / f"again{src.suffix}", seed=4)
    assert dst.read_bytes() == (tmp_path / f"again{src.suffix}").read_bytes() and again.params == result.params
    back, orig = aug.read(dst), aug.read(src)
    if isinstance(orig, bytes):  # the fake backend
        assert len(back) == len(orig) and back != orig
    elif isinstance(orig, str):
        assert back.endswith("\n") and back != orig
    elif hasattr(orig, "mode"):  # PIL image
        assert (back.mode, back.size, back.format) == (orig.mode, orig.size, orig.format)
    else:  # audio clip
        assert (back.sample_rate, back.subtype, back.format) == (orig.sample_rate, orig.subtype, orig.format)
        assert back.samples.shape == orig.samples.shape and back.samples.dtype == np.float32


def test_invalid_arguments_raise_value_error_naming_them(backend):
    modality, make, *_ = backend
    bad = {"image": {"rotation_range": -5}, "text": {"aug_p": 1.5}, "audio": {"min_amplitude": -1.0},
           "fake": {"delay": -1}}[modality]
    name, value = next(iter(bad.items()))
    with pytest.raises(ValueError, match=name) as info:
        make(**bad)
    assert str(value) in str(info.value)


def test_config_is_the_recipe_table_shape(backend):
    _, make, *_ = backend
    aug = make()
    assert set(aug.config()) == {*aug.options, "ops"}
    assert all(isinstance(op, dict) and isinstance(op["op"], str) for op in aug.config()["ops"])
    assert set(aug.default_table) == {*aug.options, "ops"}


def test_the_default_table_augments_like_the_default_augmenter(backend):
    _, make, sample, kwargs, _ = backend
    from_table = type(make())(**make().default_table)
    assert _same(from_table.augment(sample(), seed=21, **kwargs).data, make().augment(sample(), seed=21, **kwargs).data)


def test_an_op_with_an_unknown_parameter_is_located(backend):
    _, make, *_ = backend
    op = dict(make().config()["ops"][0], not_a_parameter=1)
    with pytest.raises(ValueError, match=r"^ops\[1\] \("):
        type(make())(ops=[op])
