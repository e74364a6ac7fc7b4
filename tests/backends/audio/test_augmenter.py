"""Tests for augment.audio: AudioAugmenter on real audiomentations and soundfile."""

from __future__ import annotations

import json
import math
import os
import pickle
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import write_audio

import augment.audio
from augment.audio import AudioAugmenter, AudioClip, supported_ops
from augment.base import BadInputError, global_rng
from augment.registry import EXTENSIONS

RATE = 8000
DEFAULT_OP = {"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}
# librosa.load (used by the ops that read noise / impulse response files) imports
# audioread, which imports standard modules Python 3.11 deprecates.
AUDIOREAD_WARNINGS = pytest.mark.filterwarnings(
    "ignore:'(aifc|audioop|sunau)' is deprecated:DeprecationWarning"
)


def tone(frames: int = 800, channels: int | None = None, level: float = 0.5) -> np.ndarray:
    """A 440 Hz sine, mono 1-D or (channels, frames), float32."""
    t = np.arange(frames) / RATE
    mono = (level * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    if channels is None:
        return mono
    return np.stack([mono * (1 - 0.3 * c) for c in range(channels)]).astype(np.float32)


# -- construction -------------------------------------------------------------


def noise(params: dict) -> dict:
    """The default op's record in ``params``."""
    (record,) = params["ops"]
    assert record["op"] == "AddGaussianNoise"
    return record


def test_defaults():
    aug = AudioAugmenter()
    assert aug.config() == {"ops": [DEFAULT_OP]}
    assert aug.modality == "audio"
    assert aug.extensions == EXTENSIONS["audio"]
    assert aug == AudioAugmenter(**aug.config()) == AudioAugmenter(ops=[DEFAULT_OP])
    assert hash(aug) == hash(AudioAugmenter(ops=[DEFAULT_OP]))
    assert repr(aug) == f"AudioAugmenter(ops=[{DEFAULT_OP!r}])"


def test_legacy_arguments_are_one_add_gaussian_noise_op():
    aug = AudioAugmenter(min_amplitude=0.02, max_amplitude=0.03, p=0.75)
    op = {"op": "AddGaussianNoise", "min_amplitude": 0.02, "max_amplitude": 0.03, "p": 0.75}
    assert aug.config() == {"ops": [op]} and aug == AudioAugmenter(ops=[op])
    assert AudioAugmenter(0.02, 0.03, 0.75) == aug


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


def test_config_rebuilds_and_pickles_after_use():
    aug = AudioAugmenter(min_amplitude=0.02, max_amplitude=0.03, p=0.75)
    first = aug.augment(tone(), sample_rate=RATE, seed=8)  # builds the transform
    config = aug.config()
    assert json.loads(json.dumps(config)) == config
    assert AudioAugmenter(**config) == aug
    clone = pickle.loads(pickle.dumps(aug))
    assert clone == aug
    again = clone.augment(tone(), sample_rate=RATE, seed=8)
    assert np.array_equal(first.data, again.data) and first.params == again.params


# -- in memory ----------------------------------------------------------------


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


def test_float64_is_converted_to_float32():
    x = tone()
    from32 = AudioAugmenter().augment(x, sample_rate=RATE, seed=2)
    from64 = AudioAugmenter().augment(x.astype(np.float64), sample_rate=RATE, seed=2)
    assert from64.data.dtype == np.float32
    assert np.array_equal(from32.data, from64.data)


def test_sample_rate_is_required_and_validated_for_arrays():
    aug = AudioAugmenter()
    with pytest.raises(TypeError, match="sample_rate"):
        aug.augment(tone())
    for bad in (0, -8000, 8000.0, True):
        with pytest.raises(ValueError, match="sample_rate") as info:
            aug.augment(tone(), sample_rate=bad)
        assert repr(bad) in str(info.value)


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


@pytest.mark.parametrize(
    ("samples", "reason"),
    [
        (tone().astype(np.int16), "floating point"),
        ((tone() * 32767).astype(np.int16).reshape(1, -1), "floating point"),
        (tone().astype(np.complex64), "floating point"),
        ([0.1, 0.2], "NumPy float32 array"),
        (tone(channels=2).T, r"\(channels, frames\).*pass samples\.T"),
        (tone(channels=2)[None], "3-D"),
        (np.zeros(0, np.float32), "no audio frames"),
        (np.zeros((2, 0), np.float32), "no audio frames"),
        (np.zeros((0, 10), np.float32), "no channels"),
        (np.array([0.0, np.nan, 0.1], np.float32), "NaN or infinity"),
        (np.array([0.0, np.inf], np.float32), "NaN or infinity"),
    ],
)
def test_bad_in_memory_samples(samples, reason):
    with pytest.raises(BadInputError, match=reason):
        AudioAugmenter().augment(samples, sample_rate=RATE, seed=0)


def test_audio_clip_validates_and_compares():
    with pytest.raises(ValueError, match="sample_rate"):
        AudioClip(tone(), 0)
    with pytest.raises(ValueError, match="subtype"):
        AudioClip(tone(), RATE, subtype="")
    clip = AudioClip(tone(channels=2), RATE)
    assert (clip.channels, clip.frames) == (2, 800)
    assert (AudioClip(tone(), RATE).channels, AudioClip(tone(), RATE).frames) == (1, 800)
    assert clip == AudioClip(tone(channels=2), RATE)
    assert clip != AudioClip(tone(channels=2), RATE, subtype="PCM_24")
    assert clip != AudioClip(tone(channels=2) * 0.5, RATE)
    assert len(repr(clip)) < 200 and "(2, 800)" in repr(clip)


# -- files ----------------------------------------------------------------------


def test_available_formats_cover_the_registry():
    formats = sf.available_formats()
    assert {"WAV", "FLAC", "OGG", "AIFF"} <= set(formats)
    assert "VORBIS" in sf.available_subtypes("OGG")


@pytest.mark.parametrize(
    ("name", "subtype", "channels", "fmt"),
    [
        ("a.wav", "PCM_16", 1, "WAV"),
        ("a.wav", "PCM_24", 2, "WAV"),
        ("a.wav", "PCM_32", 1, "WAV"),
        ("a.wav", "FLOAT", 2, "WAV"),
        ("a.wav", "DOUBLE", 1, "WAV"),
        ("a.wav", "PCM_U8", 1, "WAV"),
        ("a.flac", "PCM_16", 2, "FLAC"),
        ("a.flac", "PCM_24", 1, "FLAC"),
        ("a.ogg", "VORBIS", 2, "OGG"),
        ("a.ogg", "VORBIS", 1, "OGG"),
        ("a.aiff", "PCM_16", 2, "AIFF"),
        ("a.aif", "PCM_24", 1, "AIFF"),
        ("a.AIFF", "FLOAT", 1, "AIFF"),
    ],
)
def test_augment_file_round_trip(tmp_path, name, subtype, channels, fmt):
    src = tmp_path / name
    samples = tone(channels=channels).T if channels > 1 else tone()
    sf.write(src, samples, RATE, subtype=subtype, format=fmt)
    before = src.read_bytes()
    dst = tmp_path / f"out{src.suffix}"
    aug = AudioAugmenter()
    result = aug.augment_file(src, dst, seed=6)
    assert src.read_bytes() == before
    assert result.data is None and noise(result.params)["should_apply"] is True
    amplitude = noise(result.params)["amplitude"]
    assert result.params["channels"] == channels and result.params["sample_rate"] == RATE
    info_in, info_out = sf.info(src), sf.info(dst)
    for attr in ("samplerate", "channels", "format", "subtype", "endian", "frames"):
        assert getattr(info_out, attr) == getattr(info_in, attr), attr
    orig, back = aug.read(src), aug.read(dst)
    assert back.samples.shape == orig.samples.shape and back.samples.dtype == np.float32
    assert (back.format, back.subtype, back.sample_rate) == (fmt, subtype, RATE)
    added = back.samples - orig.samples
    # Lossy Vorbis adds its own error and 8-bit PCM its quantisation steps.
    tolerance = 0.5 if subtype in ("VORBIS", "PCM_U8") else 0.15
    assert 0 < added.std() and np.abs(added).max() < 6 * amplitude + tolerance
    if subtype not in ("VORBIS", "PCM_U8"):
        assert added.std() == pytest.approx(amplitude, rel=0.25)
    # Same seed, same bytes.
    again = tmp_path / f"again{src.suffix}"
    aug.augment_file(src, again, seed=6)
    assert again.read_bytes() == dst.read_bytes()


def test_read_gives_channels_first_float32(tmp_path):
    stereo = AudioAugmenter().read(write_audio(tmp_path / "s.wav", channels=2, subtype="PCM_24"))
    assert stereo.samples.shape == (2, 800) and stereo.samples.dtype == np.float32
    assert stereo.samples.flags.c_contiguous
    assert np.abs(stereo.samples[0]).max() > np.abs(stereo.samples[1]).max()  # channel 1 is quieter
    mono = AudioAugmenter().read(write_audio(tmp_path / "m.flac", channels=1))
    assert mono.samples.shape == (800,)
    assert (mono.format, mono.subtype, mono.endian) == ("FLAC", "PCM_16", "FILE")


@pytest.mark.parametrize(
    ("name", "fmt", "endian"),
    [("rifx.wav", "WAV", "BIG"), ("ext.wav", "WAVEX", "FILE"), ("rf.wav", "RF64", "FILE"),
     ("le.aiff", "AIFF", "LITTLE")],
)
def test_write_keeps_wav_flavour_and_byte_order(tmp_path, name, fmt, endian):
    src = tmp_path / name
    sf.write(src, tone(), RATE, subtype="PCM_16", format=fmt, endian=endian)
    dst = tmp_path / f"out{src.suffix}"
    AudioAugmenter().augment_file(src, dst, seed=1)
    assert (sf.info(dst).format, sf.info(dst).endian) == (sf.info(src).format, sf.info(src).endian)
    assert dst.read_bytes()[:4] == src.read_bytes()[:4]


def test_write_to_another_format_uses_its_defaults_where_needed(tmp_path):
    aug = AudioAugmenter()
    clip = AudioClip(tone(channels=2), RATE, format="WAV", subtype="FLOAT")
    aug.write(clip, tmp_path / "x.flac")  # FLAC has no FLOAT
    info = sf.info(tmp_path / "x.flac")
    assert (info.format, info.subtype, info.channels) == ("FLAC", "PCM_16", 2)
    aug.write(AudioClip(tone(), RATE, format="FLAC", subtype="PCM_24"), tmp_path / "y.wav")
    info = sf.info(tmp_path / "y.wav")
    assert (info.format, info.subtype) == ("WAV", "PCM_24")
    with pytest.raises(ValueError, match=r"\.mp3"):
        aug.write(clip, tmp_path / "z.mp3")
    with pytest.raises(TypeError, match="AudioClip"):
        aug.write(tone(), tmp_path / "z.wav")  # type: ignore[arg-type]


def _loud_file(tmp_path: Path, subtype: str) -> tuple[Path, Path, np.ndarray]:
    """A full-scale sine written as ``subtype``, its noisy copy, and the unclipped noisy samples."""
    t = np.arange(800)
    x = np.clip(np.sin(2 * np.pi * t / 8 + np.pi / 4) * math.sqrt(2), -1, 1).astype(np.float32)
    src = tmp_path / "loud.wav"
    sf.write(src, x, RATE, subtype=subtype)
    aug = AudioAugmenter(min_amplitude=0.3, max_amplitude=0.3)
    unclipped = aug.augment(aug.read(src), seed=2).data.samples
    dst = tmp_path / "out.wav"
    aug.augment_file(src, dst, seed=2)
    return src, dst, unclipped


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32"])
def test_loud_noise_saturates_and_never_wraps(tmp_path, subtype):
    _, dst, loud = _loud_file(tmp_path, subtype)
    over, under = loud > 1, loud < -1
    assert over.sum() > 50 and under.sum() > 50  # the noise really went past full scale
    ints, _ = sf.read(dst, dtype="int32")
    top, bottom = np.iinfo(np.int32).max, np.iinfo(np.int32).min
    # Past full scale: pinned at the rails (wrapping would flip the sign).
    assert (ints[over] >= top - 2**16).all() and (ints[under] == bottom).all()
    inside = ~(over | under)
    assert np.abs(ints[inside] / 2.0**31 - loud[inside]).max() < 2.0**-14
    floats, _ = sf.read(dst, dtype="float32")
    assert floats.min() >= -1.0 and floats.max() <= 1.0


def test_pcm16_read_as_int16_has_no_sign_flips(tmp_path):
    _, dst, loud = _loud_file(tmp_path, "PCM_16")
    ints, _ = sf.read(dst, dtype="int16")
    assert (ints[loud > 1] == 32767).all() and (ints[loud < -1] == -32768).all()
    expected = np.clip(np.round(np.clip(loud, -1, 1) * 32768), -32768, 32767)
    assert np.abs(ints.astype(np.int64) - expected).max() <= 1


def test_float_subtype_keeps_values_beyond_full_scale(tmp_path):
    aug = AudioAugmenter()
    loud = AudioClip(np.array([1.5, -1.5, 0.25] * 10, np.float32), RATE, subtype="FLOAT")
    aug.write(loud, tmp_path / "f.wav")
    assert np.array_equal(aug.read(tmp_path / "f.wav").samples, loud.samples)
    aug.write(AudioClip(loud.samples, RATE, subtype="PCM_16"), tmp_path / "i.wav")
    back = aug.read(tmp_path / "i.wav").samples
    assert back.max() <= 1.0 and back.min() >= -1.0 and back[0] > 0.99 and back[1] == -1.0


# -- bad files ------------------------------------------------------------------


def _wav_bytes(tmp_path: Path) -> bytes:
    return write_audio(tmp_path / "good" / "ok.wav").read_bytes()


def _make_bad(kind: str, tmp_path: Path) -> Path:
    if kind == "empty":
        path = tmp_path / "empty.wav"
        path.write_bytes(b"")
    elif kind == "riff_replaced":
        data = bytearray(_wav_bytes(tmp_path))
        data[:4] = b"JUNK"
        path = tmp_path / "broken.wav"
        path.write_bytes(bytes(data))
    elif kind == "header_cut":
        path = tmp_path / "cut.wav"
        path.write_bytes(_wav_bytes(tmp_path)[:30])
    elif kind == "zero_frames":
        path = tmp_path / "zero.wav"
        sf.write(path, np.zeros((0, 1), np.float32), RATE, subtype="PCM_16")
    elif kind == "junk":
        path = tmp_path / "junk.wav"
        path.write_bytes(np.random.default_rng(0).bytes(2000))
    elif kind == "text_flac":
        path = tmp_path / "notes.flac"
        path.write_text("this is not audio\n" * 20, encoding="utf-8")
    elif kind == "truncated_flac":
        full = write_audio(tmp_path / "good" / "ok.flac", seconds=1.0).read_bytes()
        path = tmp_path / "trunc.flac"
        path.write_bytes(full[: len(full) // 2])
    elif kind == "nan_float":
        path = tmp_path / "nan.wav"
        sf.write(path, np.array([0.0, np.nan, 0.5] * 10, np.float32), RATE, subtype="FLOAT")
    elif kind == "missing":
        path = tmp_path / "missing.wav"
    else:
        raise AssertionError(kind)
    return path


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("empty", r"empty file \(0 bytes\)"),
        ("riff_replaced", r"not a readable audio file \(libsndfile: Format not recognised\)"),
        ("header_cut", r"not a readable audio file \(libsndfile: .*data.*\)"),
        ("zero_frames", "no audio frames"),
        ("junk", "not a readable audio file .*unknown or the header is damaged"),
        ("text_flac", "not a readable audio file"),
        ("truncated_flac", r"cannot decode the audio \(libsndfile: flac decoder lost sync\)"),
        ("nan_float", "NaN or infinite"),
        ("missing", "cannot read the file: No such file"),
    ],
)
def test_bad_input_files(tmp_path, kind, reason):
    path = _make_bad(kind, tmp_path)
    aug = AudioAugmenter()
    with pytest.raises(BadInputError, match=reason) as info:
        aug.read(path)
    assert info.value.path == str(path)
    assert str(info.value).startswith(f"{path}: ")
    out = tmp_path / "out" / f"x{path.suffix}"
    out.parent.mkdir()
    with pytest.raises(BadInputError):
        aug.augment_file(path, out, seed=1)
    assert list(out.parent.iterdir()) == []


# -- ops: chains of audiomentations transforms -------------------------------------

CHAIN = [
    {"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0},
    {"op": "Gain", "min_gain_db": -6.0, "max_gain_db": 6.0, "p": 1.0},
]


def test_supported_ops_are_the_waveform_transforms():
    from audiomentations.core.transforms_interface import BaseWaveformTransform

    names = supported_ops()
    assert names == sorted(names)
    assert {"AddGaussianNoise", "Gain", "PitchShift", "TimeStretch", "AddBackgroundNoise",
            "ApplyImpulseResponse", "Mp3Compression", "RoomSimulator"} <= set(names)
    assert not {"Compose", "OneOf", "SomeOf", "Lambda", "SpecCompose"} & set(names)
    import audiomentations

    assert all(issubclass(getattr(audiomentations, n), BaseWaveformTransform) for n in names)


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


def test_op_with_p_zero_is_recorded_as_not_applied(tmp_path):
    src = write_audio(tmp_path / "in.wav", channels=2)
    ops = [CHAIN[0], {**CHAIN[1], "p": 0.0}, {"op": "PolarityInversion", "p": 0}]
    result = AudioAugmenter(ops=ops).augment_file(src, tmp_path / "out.wav", seed=3)
    assert result.params["ops"][1:] == [
        {"op": "Gain", "should_apply": False}, {"op": "PolarityInversion", "should_apply": False}
    ]
    assert result.params["ops"][0]["should_apply"] is True


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


@pytest.mark.parametrize(
    "op",
    [
        {"op": "Gain"},
        {"op": "PolarityInversion"},
        {"op": "Shift"},
        {"op": "TimeMask"},
        {"op": "LowPassFilter"},
        {"op": "HighPassFilter"},
        {"op": "PitchShift"},
        {"op": "TimeStretch"},
        {"op": "ClippingDistortion", "min_percentile_threshold": 10},
        {"op": "Normalize"},
    ],
    ids=lambda op: op["op"],
)
def test_transform_runs_on_a_real_file(tmp_path, op):
    src = write_audio(tmp_path / "in.wav", seconds=0.25, sample_rate=16000, channels=2)
    aug = AudioAugmenter(ops=[{**op, "p": 1.0}])
    dst, again = tmp_path / "out.wav", tmp_path / "again.wav"
    result = aug.augment_file(src, dst, seed=21)
    aug.augment_file(src, again, seed=21)
    assert dst.read_bytes() == again.read_bytes()
    (record,) = result.params["ops"]
    assert record["op"] == op["op"] and record["should_apply"] is True
    assert json.loads(json.dumps(result.params)) == result.params
    info_in, info_out = sf.info(src), sf.info(dst)
    for attr in ("samplerate", "channels", "format", "subtype", "frames"):
        assert getattr(info_out, attr) == getattr(info_in, attr), attr
    assert not np.array_equal(aug.read(dst).samples, aug.read(src).samples)


def test_length_changing_op_is_written_as_is(tmp_path):
    src = write_audio(tmp_path / "in.flac", seconds=0.25, sample_rate=16000, channels=2)
    ops = [{"op": "TimeStretch", "min_rate": 0.5, "max_rate": 0.5, "leave_length_unchanged": False,
            "p": 1.0}, CHAIN[1]]
    result = AudioAugmenter(ops=ops).augment_file(src, tmp_path / "out.flac", seed=2)
    assert result.params["ops"][0]["rate"] == 0.5
    info = sf.info(tmp_path / "out.flac")
    assert (info.channels, info.samplerate, info.format) == (2, 16000, "FLAC")
    assert info.frames == pytest.approx(2 * sf.info(src).frames, rel=0.02)


@AUDIOREAD_WARNINGS
def test_ops_that_read_files(tmp_path):
    noises = tmp_path / "noises"
    write_audio(noises / "hum.wav", seconds=0.5, freq=60.0)
    write_audio(noises / "sub" / "hiss.flac", seconds=0.5, freq=3000.0)
    ir = write_audio(tmp_path / "ir" / "room.wav", seconds=0.05, freq=1000.0)
    ops = [
        {"op": "AddBackgroundNoise", "sounds_path": noises, "min_snr_db": 10.0, "p": 1.0},
        {"op": "ApplyImpulseResponse", "ir_path": (ir,), "p": 1.0},
    ]
    aug = AudioAugmenter(ops=ops)
    assert aug.config()["ops"][0]["sounds_path"] == str(noises)
    assert aug.config()["ops"][1]["ir_path"] == [str(ir)]
    src = write_audio(tmp_path / "in.wav")
    result = aug.augment_file(src, tmp_path / "out.wav", seed=4)
    background, response = result.params["ops"]
    assert background["noise_file_path"] in {str(noises / "hum.wav"), str(noises / "sub" / "hiss.flac")}
    assert response["ir_file_path"] == str(ir)
    again = AudioAugmenter(**aug.config()).augment_file(src, tmp_path / "again.wav", seed=4)
    assert again.params == result.params
    assert (tmp_path / "out.wav").read_bytes() == (tmp_path / "again.wav").read_bytes()


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


# Each: ops, the op label the message starts with, words it must contain.
OP_ERRORS = [
    ([{"op": "Gian"}], "ops[1] (Gian)", ["unknown audio op 'Gian'", "did you mean 'Gain'?", "PitchShift"]),
    ([CHAIN[0], {"op": "timestretch"}], "ops[2] (timestretch)", ["did you mean 'TimeStretch'?"]),
    ([{"op": "Gain", "min_gain_in_db": -3}], "ops[1] (Gain)",
     ["unknown parameter 'min_gain_in_db'", "did you mean 'min_gain_db'?"]),
    ([{"op": "Gain", "min_gain_db": "loud"}], "ops[1] (Gain)", ["min_gain_db", "'loud'"]),
    ([{"op": "AddGaussianNoise", "max_amplitude": "loud"}], "ops[1] (AddGaussianNoise)",
     ["max_amplitude", "'loud'"]),
    ([{"op": "Shift", "rollover": "yes"}], "ops[1] (Shift)", ["rollover", "true or false"]),
    ([CHAIN[0], {"op": "Gain", "p": 1.5}], "ops[2] (Gain)", ["p is a probability", "1.5"]),
    ([{"op": "PolarityInversion", "p": -0.1}], "ops[1] (PolarityInversion)", ["p", "-0.1"]),
    ([{"op": "Gain", "min_gain_db": 6.0, "max_gain_db": -6.0}], "ops[1] (Gain)",
     ["min_gain_db (6.0) must not exceed max_gain_db (-6.0)"]),
    ([{"op": "PitchShift", "min_semitones": 5}], "ops[1] (PitchShift)",
     ["min_semitones (5) must not exceed max_semitones (4.0)"]),
    ([{"op": "AddGaussianNoise", "min_amplitude": 0}], "ops[1] (AddGaussianNoise)", ["min_amplitude > 0"]),
    ([{"op": "TimeMask", "max_band_part": 1.5}], "ops[1] (TimeMask)", ["max_band_part"]),
    ([{"op": "Normalize", "apply_to": "al"}], "ops[1] (Normalize)",
     ["apply_to must be one of", "did you mean 'all'?"]),
    ([{"op": "Compose", "transforms": []}], "ops[1] (Compose)", ["composition", "separate ops"]),
    ([{"op": "OneOf"}], "ops[1] (OneOf)", ["composition"]),
    ([{"op": "SpecFrequencyMask"}], "ops[1] (SpecFrequencyMask)", ["spectrogram transform"]),
    ([{"op": "SpecCompose"}], "ops[1] (SpecCompose)", ["spectrogram transform"]),
    ([{"op": "Lambda"}], "ops[1] (Lambda)", ["Python function"]),
    ([{"op": "AddBackgroundNoise"}], "ops[1] (AddBackgroundNoise)", ["needs sounds_path"]),
    ([CHAIN[0], {"op": "AddBackgroundNoise", "sounds_path": "no/such/noises"}],
     "ops[2] (AddBackgroundNoise)", ["sounds_path", "'no/such/noises' does not exist"]),
    ([{"op": "ApplyImpulseResponse", "ir_path": ["no/such/ir.wav"]}], "ops[1] (ApplyImpulseResponse)",
     ["ir_path", "'no/such/ir.wav' does not exist"]),
    ([{"op": "AddShortNoises", "sounds_path": 3}], "ops[1] (AddShortNoises)", ["sounds_path", "got 3"]),
    ([{"op": "AddBackgroundNoise", "sounds_path": "x", "noise_transform": "Gain"}],
     "ops[1] (AddBackgroundNoise)", ["noise_transform cannot be set here", "Python function"]),
    ([{"op": "Gain", "p": None}], "ops[1] (Gain)", ["p cannot be None", "0.5"]),
    ([{"op": "Gain", "min_gain_db": object()}], "ops[1] (Gain)", ["min_gain_db"]),
    ([{"op": "Mp3Compression", "backend": "lame"}], "ops[1] (Mp3Compression)",
     ["backend must be one of", "did you mean 'lameenc'?"]),
]


@pytest.mark.parametrize(
    ("ops", "label", "words"), OP_ERRORS, ids=[f"{i}-{e[1]}" for i, e in enumerate(OP_ERRORS)]
)
def test_op_errors_name_the_op_and_the_key(ops, label, words):
    with pytest.raises(ValueError) as info:
        AudioAugmenter(ops=ops)
    message = str(info.value)
    assert message.startswith(f"{label}: "), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("op", "words"),
    [
        ({"op": "AddGaussianNoise", "min_amplitude": 0}, "requires min_amplitude > 0.0 (got min_amplitude=0)"),
        ({"op": "ClippingDistortion", "max_percentile_threshold": 150},
         "requires 0 <= max_percentile_threshold <= 100 (got max_percentile_threshold=150)"),
        ({"op": "TanhDistortion", "max_distortion": 2}, "max_distortion=2"),
        ({"op": "HighShelfFilter", "min_q": 0}, "min_q should be greater than 0"),
        ({"op": "Clip", "a_min": 1.0, "a_max": 1.0}, "requires a_min < a_max (got a_min=1.0, a_max=1.0)"),
        ({"op": "AdjustDuration"}, "duration_samples is not None or duration_seconds is not None"),
    ],
)
def test_library_asserts_are_checks_that_survive_python_O(op, words):
    """audiomentations' asserts vanish under ``python -O``; they are replayed as checks."""
    with pytest.raises(ValueError) as info:
        AudioAugmenter(ops=[op])
    message = str(info.value)
    assert message.startswith(f"ops[1] ({op['op']}): ") and words in message
    assert "rejected" not in message  # ours, not the library's AssertionError turned ValueError


def test_checks_hold_under_python_O():
    code = (
        "from augment.audio import AudioAugmenter\n"
        "try:\n    AudioAugmenter(ops=[{'op': 'AddGaussianNoise', 'min_amplitude': 0}])\n"
        "except ValueError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ops[1] (AddGaussianNoise): requires min_amplitude > 0.0" in done.stdout


def test_missing_path_is_checked_before_anything_is_read(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not audio")
    for path, reason in ((tmp_path / "empty", "holds no audio files"),
                         (tmp_path / "notes.txt", "is not an audio file")):
        with pytest.raises(ValueError, match=r"^ops\[1\] \(ApplyImpulseResponse\): ir_path: ") as info:
            AudioAugmenter(ops=[{"op": "ApplyImpulseResponse", "ir_path": str(path)}])
        assert reason in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("op", "module", "package"),
    [
        ({"op": "RoomSimulator"}, "pyroomacoustics", "pyroomacoustics"),
        ({"op": "Mp3Compression"}, "fast_mp3_augment", "fast-mp3-augment"),
        ({"op": "Mp3Compression", "backend": "lameenc", "preserve_delay": True}, "lameenc", "lameenc"),
        ({"op": "Limiter"}, "numpy_audio_limiter", "numpy-audio-limiter"),
        ({"op": "LoudnessNormalization"}, "loudness", "loudness"),
    ],
)
def test_missing_optional_dependency_names_the_pip_install(monkeypatch, op, module, package):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))
    with pytest.raises(ValueError, match=rf"^ops\[1\] \({op['op']}\): ") as info:
        AudioAugmenter(ops=[op])
    assert f"pip install {package}" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ops": [CHAIN[1]], "p": 0.5}, "pass either ops or p, not both"),
        ({"ops": [CHAIN[1]], "min_amplitude": 0.02, "max_amplitude": 0.1}, "min_amplitude, max_amplitude"),
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
    # Legacy arguments equal to their defaults are fine beside ops.
    AudioAugmenter(ops=[CHAIN[1]], min_amplitude=0.01, max_amplitude=0.05, p=1.0)


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
    assert clone == aug and clone._transforms is None
    again = clone.augment(tone(), sample_rate=RATE, seed=8)
    assert np.array_equal(first.data, again.data) and first.params == again.params


# -- import weight ----------------------------------------------------------------


def test_audio_never_imports_tensorflow(tmp_path):
    src = write_audio(tmp_path / "in.wav", channels=2)
    code = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        import augment.audio
        assert "audiomentations" not in sys.modules and "soundfile" not in sys.modules
        aug = augment.audio.AudioAugmenter()
        assert "audiomentations" not in sys.modules
        aug.augment(np.zeros(100, np.float32), sample_rate=8000, seed=1)
        aug.augment_file({str(src)!r}, {str(tmp_path / "out.wav")!r}, seed=1)
        assert "audiomentations" in sys.modules and "soundfile" in sys.modules
        chain = augment.audio.AudioAugmenter(
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
