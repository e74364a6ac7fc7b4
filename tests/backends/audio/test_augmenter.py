"""Tests for augment.backends.audio.augmenter: AudioAugmenter on real audiomentations and soundfile."""

from __future__ import annotations

import json
import math
import os
import pickle
import random
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf

from augment.backends.audio import AudioAugmenter, AudioClip
from augment.core.registry import backend
from augment.core.result import BadInputError
from augment.core.seeding import global_rng
from backends.audio.helpers import RATE, tone

from conftest import write_audio

DEFAULT_OP = {"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}


CHAIN = [
    {"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0},
    {"op": "Gain", "min_gain_db": -6.0, "max_gain_db": 6.0, "p": 1.0},
]


# -- construction --------------------------------------------------------------


def noise(params: dict) -> dict:
    """The default op's record in ``params``."""
    (record,) = params["ops"]
    assert record["op"] == "AddGaussianNoise"
    return record


def test_defaults():
    aug = AudioAugmenter()
    assert aug.config() == {"ops": [DEFAULT_OP]}
    assert aug.modality == "audio"
    assert aug.extensions == backend("audio").extensions
    assert aug.takes_sample_rate is True and aug.options == ()
    assert AudioAugmenter.default_table == {"ops": [DEFAULT_OP]} == aug.config()
    assert aug == AudioAugmenter(**aug.config()) == AudioAugmenter(ops=[DEFAULT_OP])
    assert hash(aug) == hash(AudioAugmenter(ops=[DEFAULT_OP]))
    assert repr(aug) == f"AudioAugmenter(ops=[{DEFAULT_OP!r}])"


def test_shorthand_is_one_add_gaussian_noise_op():
    aug = AudioAugmenter(min_amplitude=0.02, max_amplitude=0.03, p=0.75)
    op = {"op": "AddGaussianNoise", "min_amplitude": 0.02, "max_amplitude": 0.03, "p": 0.75}
    assert aug.config() == {"ops": [op]} and aug == AudioAugmenter(ops=[op])
    assert AudioAugmenter(0.02, 0.03, 0.75) == aug


@pytest.mark.parametrize("channels", [None, 2])
@pytest.mark.parametrize(
    "shorthand", [{}, {"min_amplitude": 0.02, "max_amplitude": 0.03, "p": 0.75}, {"p": 0.5}, {"min_amplitude": 0.05}]
)
def test_shorthand_augments_byte_for_byte_like_the_ops_form(shorthand, channels):
    short = AudioAugmenter(**shorthand)
    ops = AudioAugmenter(ops=[{**DEFAULT_OP, **shorthand}])
    assert short == ops and short.config() == ops.config()
    x = tone(channels=channels)
    for seed in range(6):
        a = short.augment(x, sample_rate=RATE, seed=seed)
        b = ops.augment(x, sample_rate=RATE, seed=seed)
        assert a.data.tobytes() == b.data.tobytes() and a.params == b.params


@pytest.mark.parametrize("channels", [None, 2])
def test_default_is_the_bare_add_gaussian_noise_draw_for_draw(channels):
    """AudioAugmenter() gives what it gave before ops existed: no extra draw (Compose's p)."""
    from audiomentations import AddGaussianNoise

    x = tone(channels=channels)
    for seed in (0, 1, 99):
        with global_rng(seed):
            expected = AddGaussianNoise(min_amplitude=0.01, max_amplitude=0.05, p=1.0)(x, RATE)
        assert np.array_equal(AudioAugmenter().augment(x, sample_rate=RATE, seed=seed).data, expected)


@pytest.mark.parametrize(
    ("kwargs", "name", "value"),
    [
        ({"min_amplitude": 0}, "min_amplitude", 0),
        ({"min_amplitude": -0.1}, "min_amplitude", -0.1),
        ({"min_amplitude": math.nan}, "min_amplitude", math.nan),
        ({"min_amplitude": True}, "min_amplitude", True),
        ({"min_amplitude": "0.1"}, "min_amplitude", "0.1"),
        ({"max_amplitude": 0.0}, "max_amplitude", 0.0),
        ({"max_amplitude": math.inf}, "max_amplitude", math.inf),
        ({"min_amplitude": 0.2, "max_amplitude": 0.1}, "max_amplitude", 0.1),
        ({"p": -0.1}, "p", -0.1),
        ({"p": 1.5}, "p", 1.5),
        ({"p": True}, "p", True),
        ({"p": None}, "p", None),
    ],
)
def test_invalid_arguments_name_the_argument_and_value(kwargs, name, value):
    with pytest.raises(ValueError) as info:
        AudioAugmenter(**kwargs)
    message = str(info.value)
    assert message.startswith(f"{name} ")
    assert repr(value) in message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ops": [CHAIN[1]], "p": 0.5}, "p=0.5 given together with ops; put it inside the op"),
        ({"ops": [CHAIN[1]], "min_amplitude": 0.02, "max_amplitude": 0.1},
         "min_amplitude=0.02, max_amplitude=0.1 given"),
        ({"ops": []}, "at least one op"),
        ({"ops": CHAIN[1]}, "ops must be a list"),
        ({"ops": "Gain"}, "ops must be a list"),
        ({"ops": ["Gain"]}, r"ops\[1\]: an op must be a table"),
        ({"ops": [{"min_gain_db": 1}]}, r"ops\[1\]: the 'op' key must name the op"),
    ],
)
def test_ops_argument_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        AudioAugmenter(**kwargs)
    # Shorthand arguments equal to their defaults are fine beside ops.
    AudioAugmenter(ops=[CHAIN[1]], min_amplitude=0.01, max_amplitude=0.05, p=1.0)


def test_config_rebuilds_and_pickles_after_use():
    aug = AudioAugmenter(min_amplitude=0.02, max_amplitude=0.03, p=0.75)
    first = aug.augment(tone(), sample_rate=RATE, seed=8)  # builds the transform
    config = aug.config()
    assert json.loads(json.dumps(config)) == config
    assert AudioAugmenter(**config) == aug
    # A copy is rebuilt from the config (the ops form), with transforms of its own.
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and clone._transforms is not aug._transforms
    again = clone.augment(tone(), sample_rate=RATE, seed=8)
    assert first.data.tobytes() == again.data.tobytes() and first.params == again.params
    unused = pickle.loads(pickle.dumps(AudioAugmenter(min_amplitude=0.02, max_amplitude=0.03, p=0.75)))
    assert unused.augment(tone(), sample_rate=RATE, seed=8).data.tobytes() == first.data.tobytes()


def _toml_safe(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and _toml_safe(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_toml_safe(v) for v in value)
    return isinstance(value, (str, int, float, bool))  # no None, no tuples, no paths


def test_config_round_trip_and_pickle_with_ops(tmp_path):
    noises = write_audio(tmp_path / "n" / "hum.wav")
    ops = [
        {"op": "AddGaussianNoise", "min_amplitude": np.float64(0.02), "max_amplitude": 0.04, "p": 1},
        {"op": "AdjustDuration", "duration_samples": None, "duration_seconds": 0.2, "p": 1.0},
        {"op": "Shift", "min_shift": -0.1, "max_shift": 0.1, "shift_unit": "fraction", "p": 0.5},
        {"op": "AddBackgroundNoise", "sounds_path": [noises], "p": 0.0},
    ]
    aug = AudioAugmenter(ops=ops)
    config = aug.config()
    assert config == {"ops": [
        {"op": "AddGaussianNoise", "min_amplitude": 0.02, "max_amplitude": 0.04, "p": 1},
        {"op": "AdjustDuration", "duration_seconds": 0.2, "p": 1.0},
        {"op": "Shift", "min_shift": -0.1, "max_shift": 0.1, "shift_unit": "fraction", "p": 0.5},
        {"op": "AddBackgroundNoise", "sounds_path": [str(noises)], "p": 0.0},
    ]}
    assert json.loads(json.dumps(config)) == config and _toml_safe(config)
    config["ops"][0]["p"] = 0.5  # a copy: changing it changes nothing
    assert aug.config()["ops"][0]["p"] == 1
    rebuilt = AudioAugmenter(**aug.config())
    assert rebuilt == aug and hash(rebuilt) == hash(aug) and rebuilt != AudioAugmenter()
    first = aug.augment(tone(), sample_rate=RATE, seed=8)
    assert first.data.shape == (1600,)  # AdjustDuration: 0.2 s at 8 kHz
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug and clone._transforms is not aug._transforms  # its own transforms
    again = clone.augment(tone(), sample_rate=RATE, seed=8)
    assert first.data.tobytes() == again.data.tobytes() and first.params == again.params


# -- in memory -----------------------------------------------------------------


@pytest.mark.parametrize("channels", [None, 2])
def test_same_seed_same_output_different_seeds_differ(channels):
    aug = AudioAugmenter()
    x = tone(channels=channels)
    a = aug.augment(x, sample_rate=RATE, seed=42)
    b = AudioAugmenter().augment(x.copy(), sample_rate=RATE, seed=42)
    assert np.array_equal(a.data, b.data) and a.params == b.params
    outputs = [aug.augment(x, sample_rate=RATE, seed=s) for s in range(5)]
    assert len({o.data.tobytes() for o in outputs}) == 5
    assert len({noise(o.params)["amplitude"] for o in outputs}) == 5


def test_global_random_states_unchanged():
    aug = AudioAugmenter()
    random.seed(7)
    np.random.seed(7)
    py_state, np_state = random.getstate(), np.random.get_state()
    aug.augment(tone(), sample_rate=RATE, seed=1)
    aug.augment(tone(channels=2), sample_rate=RATE)
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]


def test_params_json_safe_and_amplitude_in_range():
    aug = AudioAugmenter(min_amplitude=0.02, max_amplitude=0.04)
    for seed in range(20):
        params = aug.augment(tone(), sample_rate=RATE, seed=seed).params
        assert json.loads(json.dumps(params)) == params
        assert set(params) == {"sample_rate", "channels", "ops"}
        assert params["sample_rate"] == RATE and params["channels"] == 1
        assert set(noise(params)) == {"op", "should_apply", "amplitude"}
        assert noise(params)["should_apply"] is True
        assert isinstance(noise(params)["amplitude"], float)
        assert 0.02 <= noise(params)["amplitude"] <= 0.04


@pytest.mark.parametrize("channels", [None, 1, 2, 3])
def test_noise_has_the_recorded_amplitude_and_keeps_shape(channels):
    x = tone(frames=4000, channels=channels)
    result = AudioAugmenter().augment(x, sample_rate=RATE, seed=3)
    assert result.data.shape == x.shape and result.data.dtype == np.float32
    assert result.params["channels"] == (1 if channels is None else channels)
    added = result.data - x
    assert added.std() == pytest.approx(noise(result.params)["amplitude"], rel=0.1)
    if channels and channels > 1:
        # Independent noise per channel, not one noise copied to every channel.
        assert not np.allclose(added[0], added[1])


def test_p_zero_returns_the_input_unchanged():
    x = tone(channels=2)
    result = AudioAugmenter(p=0).augment(x, sample_rate=RATE, seed=5)
    assert result.params == {
        "sample_rate": RATE, "channels": 2, "ops": [{"op": "AddGaussianNoise", "should_apply": False}]
    }
    assert np.array_equal(result.data, x)
    assert result.data is not x  # a copy: changing the output never changes the input


def test_not_applied_call_has_no_stale_amplitude():
    aug = AudioAugmenter(p=0.5)
    seen = {
        noise(aug.augment(tone(), sample_rate=RATE, seed=s).params)["should_apply"]: s
        for s in range(40)
    }
    assert set(seen) == {True, False}
    applied = aug.augment(tone(), sample_rate=RATE, seed=seen[True])
    skipped = aug.augment(tone(), sample_rate=RATE, seed=seen[False])
    assert "amplitude" in noise(applied.params)
    assert noise(skipped.params) == {"op": "AddGaussianNoise", "should_apply": False}
    assert np.array_equal(skipped.data, tone())


def test_sample_rate_is_required_and_validated_for_arrays():
    aug = AudioAugmenter()
    with pytest.raises(TypeError, match="sample_rate"):
        aug.augment(tone())
    for bad in (0, -8000, 8000.0, True):
        with pytest.raises(ValueError, match="sample_rate") as info:
            aug.augment(tone(), sample_rate=bad)
        assert repr(bad) in str(info.value)


@pytest.mark.parametrize(
    ("data", "sample_rate", "error", "message"),
    [
        (tone(), None, TypeError, r"needs sample_rate=\.\.\. for an array"),
        (tone(), 0, ValueError, "sample_rate must be a positive integer"),
        (AudioClip(tone(), RATE), 0, ValueError, "sample_rate must be a positive integer"),
        (AudioClip(tone(), RATE), 16000, ValueError, r"sample_rate \(16000\) differs from the clip's \(8000\)"),
        (tone(channels=2).T, RATE, BadInputError, "pass samples.T"),
    ],
)
def test_input_is_refused_before_any_random_draw(monkeypatch, data, sample_rate, error, message):
    aug = AudioAugmenter()
    aug.augment(tone(), sample_rate=RATE, seed=0)  # the transform is built

    def no_draw(*args, **kwargs):
        raise AssertionError("drew a random number")

    monkeypatch.setattr(random, "random", no_draw)
    monkeypatch.setattr(random, "uniform", no_draw)
    with pytest.raises(error, match=message):
        aug.augment(data, sample_rate=sample_rate, seed=1)


def test_augment_a_clip_keeps_its_metadata():
    clip = AudioClip(tone(channels=2), 11025, format="FLAC", subtype="PCM_24")
    result = AudioAugmenter().augment(clip, seed=4)
    assert isinstance(result.data, AudioClip)
    out = result.data
    assert (out.sample_rate, out.format, out.subtype, out.endian) == (
        11025, "FLAC", "PCM_24", "FILE"
    )
    assert result.data.samples.shape == (2, 800) and result.params["sample_rate"] == 11025
    same = AudioAugmenter().augment(tone(channels=2), sample_rate=11025, seed=4)
    assert np.array_equal(result.data.samples, same.data)
    assert AudioAugmenter().augment(clip, sample_rate=11025, seed=4).data == result.data
    with pytest.raises(ValueError, match="sample_rate"):
        AudioAugmenter().augment(clip, sample_rate=8000)


# -- chains --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "subtype", "channels"),
    [("a.wav", "PCM_16", 1), ("a.flac", "PCM_24", 1), ("s.wav", "PCM_16", 2), ("s.flac", "PCM_16", 2)],
)
def test_chain_through_files(tmp_path, name, subtype, channels):
    src = write_audio(tmp_path / name, channels=channels, subtype=subtype)
    aug = AudioAugmenter(ops=CHAIN)
    dst, again = tmp_path / f"out{src.suffix}", tmp_path / f"again{src.suffix}"
    result = aug.augment_file(src, dst, seed=12)
    assert AudioAugmenter(ops=CHAIN).augment_file(src, again, seed=12).params == result.params
    assert dst.read_bytes() == again.read_bytes()
    info_in, info_out = sf.info(src), sf.info(dst)
    for attr in ("samplerate", "channels", "format", "subtype", "frames"):
        assert getattr(info_out, attr) == getattr(info_in, attr), attr
    params = result.params
    assert json.loads(json.dumps(params)) == params
    assert (params["sample_rate"], params["channels"]) == (RATE, channels)
    first, second = params["ops"]
    assert set(first) == {"op", "should_apply", "amplitude"} and first["should_apply"] is True
    assert set(second) == {"op", "should_apply", "amplitude_ratio"} and second["should_apply"] is True
    assert 0.01 <= first["amplitude"] <= 0.05
    assert 10 ** (-6 / 20) <= second["amplitude_ratio"] <= 10 ** (6 / 20)
    # The ops ran in order, each drawing from the seeded global states.
    from audiomentations import AddGaussianNoise, Gain

    clip = aug.read(src)
    with global_rng(12):
        expected = AddGaussianNoise(min_amplitude=0.01, max_amplitude=0.05, p=1.0)(clip.samples, RATE)
        expected = Gain(min_gain_db=-6.0, max_gain_db=6.0, p=1.0)(expected, RATE)
    assert np.array_equal(aug.augment(clip, seed=12).data.samples, expected)
    other = tmp_path / f"other{src.suffix}"
    aug.augment_file(src, other, seed=13)
    assert other.read_bytes() != dst.read_bytes()


def test_parameters_are_those_of_this_call():
    aug = AudioAugmenter(ops=[CHAIN[0], {**CHAIN[1], "p": 0.5}])
    gains = {s: aug.augment(tone(), sample_rate=RATE, seed=s).params["ops"][1] for s in range(30)}
    applied = [s for s, g in gains.items() if g["should_apply"]]
    skipped = [s for s, g in gains.items() if not g["should_apply"]]
    assert applied and skipped
    aug.augment(tone(), sample_rate=RATE, seed=applied[0])  # leaves an amplitude_ratio behind
    assert aug.augment(tone(), sample_rate=RATE, seed=skipped[0]).params["ops"][1] == {
        "op": "Gain", "should_apply": False
    }


def test_chain_seeding_and_global_state():
    aug = AudioAugmenter(ops=[*CHAIN, {"op": "Shift", "p": 1.0}, {"op": "TimeMask", "p": 1.0}])
    x = tone(channels=2)
    a = aug.augment(x, sample_rate=RATE, seed=5)
    b = AudioAugmenter(ops=aug.config()["ops"]).augment(x.copy(), sample_rate=RATE, seed=5)
    assert np.array_equal(a.data, b.data) and a.params == b.params
    assert len({aug.augment(x, sample_rate=RATE, seed=s).data.tobytes() for s in range(4)}) == 4
    random.seed(1)
    np.random.seed(1)
    py_state, np_state = random.getstate(), np.random.get_state()
    aug.augment(x, sample_rate=RATE, seed=2)
    aug.augment(x, sample_rate=RATE)
    assert random.getstate() == py_state
    after = np.random.get_state()
    assert np.array_equal(after[1], np_state[1]) and after[2:] == np_state[2:]
    assert np.array_equal(x, tone(channels=2))  # the input was not touched


def test_length_changing_op_is_written_as_is(tmp_path):
    src = write_audio(tmp_path / "in.flac", seconds=0.25, sample_rate=16000, channels=2)
    ops = [{"op": "TimeStretch", "min_rate": 0.5, "max_rate": 0.5, "leave_length_unchanged": False,
            "p": 1.0}, CHAIN[1]]
    result = AudioAugmenter(ops=ops).augment_file(src, tmp_path / "out.flac", seed=2)
    assert result.params["ops"][0]["rate"] == 0.5
    info = sf.info(tmp_path / "out.flac")
    assert (info.channels, info.samplerate, info.format) == (2, 16000, "FLAC")
    assert info.frames == pytest.approx(2 * sf.info(src).frames, rel=0.02)


def test_mono_only_op_refuses_stereo_whatever_the_seed(tmp_path):
    noises = write_audio(tmp_path / "noises" / "n.wav")
    aug = AudioAugmenter(ops=[CHAIN[0], {"op": "AddBackgroundNoise", "sounds_path": str(noises), "p": 0.0}])
    assert aug.augment(tone(), sample_rate=RATE, seed=1).params["ops"][1]["should_apply"] is False
    with pytest.raises(BadInputError, match=r"^ops\[2\] \(AddBackgroundNoise\) takes mono .* 2 channels"):
        aug.augment(tone(channels=2), sample_rate=RATE, seed=1)


def _patch_gain(monkeypatch, apply):
    import audiomentations

    monkeypatch.setattr(audiomentations.Gain, "apply", apply)


@pytest.mark.parametrize(
    ("apply", "error", "reason"),
    [
        (lambda self, s, r: np.stack([s, s]), BadInputError,
         r"^ops\[2\] \(Gain\) changed the channel layout from mono \(1-D\) to 2 channels"),
        (lambda self, s, r: s[None], BadInputError, r"^ops\[2\] \(Gain\) changed the channel layout"),
        (lambda self, s, r: s * np.nan, BadInputError, r"^ops\[2\] \(Gain\) produced NaN or infinite"),
        (lambda self, s, r: s[:0], BadInputError, r"^ops\[2\] \(Gain\) left no audio frames"),
        (lambda self, s, r: (s * 100).astype(np.int16), RuntimeError,
         r"^ops\[2\] \(Gain\) returned int16 instead of floating-point samples"),
        (lambda self, s, r: 1 / 0, BadInputError,
         r"^ops\[2\] \(Gain\) cannot process this audio: division by zero"),
        (lambda self, s, r: open("/nonexistent/x"), RuntimeError,
         r"^ops\[2\] \(Gain\) failed: FileNotFoundError"),
    ],
)
def test_bad_op_output_is_a_per_file_error(tmp_path, monkeypatch, apply, error, reason):
    _patch_gain(monkeypatch, apply)
    src = write_audio(tmp_path / "in.wav")
    out = tmp_path / "out" / "x.wav"
    out.parent.mkdir()
    with pytest.raises(error, match=reason):
        AudioAugmenter(ops=CHAIN).augment_file(src, out, seed=1)
    assert list(out.parent.iterdir()) == []


def test_float64_from_an_op_is_made_float32(monkeypatch):
    _patch_gain(monkeypatch, lambda self, s, r: s.astype(np.float64) * 0.5)
    aug = AudioAugmenter(ops=[CHAIN[1], {"op": "PolarityInversion", "p": 1.0}])
    result = aug.augment(tone(), sample_rate=RATE, seed=1)  # no float64 warning from the second op
    assert result.data.dtype == np.float32
    assert np.allclose(result.data, -0.5 * tone())


# -- import weight -------------------------------------------------------------


def test_audio_never_imports_tensorflow(tmp_path):
    src = write_audio(tmp_path / "in.wav", channels=2)
    code = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import augment.backends.audio
        assert "audiomentations" not in sys.modules and "soundfile" not in sys.modules
        aug = augment.backends.audio.AudioAugmenter()
        assert "audiomentations" not in sys.modules
        aug.augment(np.zeros(100, np.float32), sample_rate=8000, seed=1)
        aug.augment_file({str(src)!r}, {str(tmp_path / "out.wav")!r}, seed=1)
        assert "audiomentations" in sys.modules and "soundfile" in sys.modules
        chain = augment.backends.audio.AudioAugmenter(
            ops=[{{"op": n, "p": 1.0}} for n in ("PitchShift", "TimeStretch", "LowPassFilter")]
        )
        chain.augment_file({str(src)!r}, {str(tmp_path / "chain.wav")!r}, seed=1)
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("HEAVY", heavy)
        """
    )
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout


# -- batches --------------------------------------------------------------------


@pytest.mark.parametrize("channels", [None, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_batch_array_is_each_clip_augmented_under_its_item_seed(channels, dtype):
    aug = AudioAugmenter(ops=[{"op": "AddGaussianNoise", "p": 1.0}, {"op": "Gain", "p": 0.5}])
    batch = np.stack([tone(400, channels, level=0.2 + 0.1 * i) for i in range(4)]).astype(dtype)
    result = aug.augment_batch(batch, seed=6, sample_rate=RATE)
    assert isinstance(result.data, np.ndarray) and result.data.shape == batch.shape and result.data.dtype == dtype
    for clip, item in zip(batch, result, strict=True):
        alone = aug.augment(clip, seed=item.seed, sample_rate=RATE)
        assert np.array_equal(item.data, alone.data.astype(dtype)) and item.params == alone.params
        assert item.params["channels"] == (1 if channels is None else channels)


def test_ops_that_change_the_length_give_a_list_of_arrays():
    aug = AudioAugmenter(ops=[{"op": "TimeStretch", "leave_length_unchanged": False, "p": 1.0}])
    batch = np.stack([tone(800), tone(800, level=0.3), tone(800, level=0.4)])
    result = aug.augment_batch(batch, seed=2, sample_rate=RATE)
    assert isinstance(result.data, list) and len(result.data) == 3
    assert any(out.shape != (800,) for out in result.data)
    for clip, item in zip(batch, result, strict=True):
        assert np.array_equal(item.data, aug.augment(clip, seed=item.seed, sample_rate=RATE).data)


def test_a_list_batch_takes_clips_of_any_length_and_layout():
    aug = AudioAugmenter()
    items = [tone(300), tone(500, 2), AudioClip(tone(200), RATE)]
    result = aug.augment_batch(items[:2], seed=1, sample_rate=RATE)
    assert [out.shape for out in result.data] == [(300,), (2, 500)]
    clips = aug.augment_batch([items[2]], seed=1)  # a clip carries its own rate
    assert isinstance(clips.data[0], AudioClip) and clips.params[0]["sample_rate"] == RATE


@pytest.mark.parametrize("batch, kwargs, error, message", [
    (np.zeros((2, 100), np.float32), {}, TypeError, "needs sample_rate"),
    (np.zeros(100, np.float32), {"sample_rate": RATE}, ValueError,
     r"\(N, frames\) of mono clips .* got shape \(100,\)"),
    (np.zeros((2, 2, 2, 100), np.float32), {"sample_rate": RATE}, ValueError, "got shape"),
    (np.zeros((2, 100), np.int16), {"sample_rate": RATE}, BadInputError, "batch item 0: .*floating point"),
    (np.full((2, 100), np.nan, np.float32), {"sample_rate": RATE}, BadInputError, "batch item 0: .*NaN"),
    (np.zeros((2, 100), np.float32), {"sample_rate": 0}, ValueError, "batch item 0: sample_rate must be"),
    (np.zeros((2, 100), np.float32), {"sample_rate": RATE, "value_range": (0, 1)}, TypeError, "no value_range"),
])
def test_bad_audio_batches_are_refused(batch, kwargs, error, message):
    with pytest.raises(error, match=message):
        AudioAugmenter().augment_batch(batch, seed=1, **kwargs)
