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

from augment.audio import AudioAugmenter, AudioClip
from augment.base import BadInputError
from augment.registry import EXTENSIONS

RATE = 8000


def tone(frames: int = 800, channels: int | None = None, level: float = 0.5) -> np.ndarray:
    """A 440 Hz sine, mono 1-D or (channels, frames), float32."""
    t = np.arange(frames) / RATE
    mono = (level * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    if channels is None:
        return mono
    return np.stack([mono * (1 - 0.3 * c) for c in range(channels)]).astype(np.float32)


# -- construction -------------------------------------------------------------


def test_defaults():
    aug = AudioAugmenter()
    assert aug.config() == {"min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}
    assert aug.modality == "audio"
    assert aug.extensions == EXTENSIONS["audio"]
    assert aug == AudioAugmenter(**aug.config())
    assert repr(aug) == "AudioAugmenter(min_amplitude=0.01, max_amplitude=0.05, p=1.0)"


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
    assert len({o.params["amplitude"] for o in outputs}) == 5


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
        assert set(params) == {"should_apply", "amplitude", "sample_rate", "channels"}
        assert params["should_apply"] is True
        assert params["sample_rate"] == RATE and params["channels"] == 1
        assert isinstance(params["amplitude"], float)
        assert 0.02 <= params["amplitude"] <= 0.04


@pytest.mark.parametrize("channels", [None, 1, 2, 3])
def test_noise_has_the_recorded_amplitude_and_keeps_shape(channels):
    x = tone(frames=4000, channels=channels)
    result = AudioAugmenter().augment(x, sample_rate=RATE, seed=3)
    assert result.data.shape == x.shape and result.data.dtype == np.float32
    assert result.params["channels"] == (1 if channels is None else channels)
    noise = result.data - x
    assert noise.std() == pytest.approx(result.params["amplitude"], rel=0.1)
    if channels and channels > 1:
        # Independent noise per channel, not one noise copied to every channel.
        assert not np.allclose(noise[0], noise[1])


def test_p_zero_returns_the_input_unchanged():
    x = tone(channels=2)
    result = AudioAugmenter(p=0).augment(x, sample_rate=RATE, seed=5)
    assert result.params == {"should_apply": False, "sample_rate": RATE, "channels": 2}
    assert np.array_equal(result.data, x)
    assert result.data is not x  # a copy: changing the output never changes the input


def test_not_applied_call_has_no_stale_amplitude():
    aug = AudioAugmenter(p=0.5)
    seen = {
        aug.augment(tone(), sample_rate=RATE, seed=s).params["should_apply"]: s for s in range(40)
    }
    assert set(seen) == {True, False}
    applied = aug.augment(tone(), sample_rate=RATE, seed=seen[True])
    skipped = aug.augment(tone(), sample_rate=RATE, seed=seen[False])
    assert "amplitude" in applied.params
    assert "amplitude" not in skipped.params
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
    assert result.data is None and result.params["should_apply"] is True
    assert result.params["channels"] == channels and result.params["sample_rate"] == RATE
    info_in, info_out = sf.info(src), sf.info(dst)
    for attr in ("samplerate", "channels", "format", "subtype", "endian", "frames"):
        assert getattr(info_out, attr) == getattr(info_in, attr), attr
    orig, back = aug.read(src), aug.read(dst)
    assert back.samples.shape == orig.samples.shape and back.samples.dtype == np.float32
    assert (back.format, back.subtype, back.sample_rate) == (fmt, subtype, RATE)
    noise = back.samples - orig.samples
    # Lossy Vorbis adds its own error and 8-bit PCM its quantisation steps.
    tolerance = 0.5 if subtype in ("VORBIS", "PCM_U8") else 0.15
    assert 0 < noise.std() and np.abs(noise).max() < 6 * result.params["amplitude"] + tolerance
    if subtype not in ("VORBIS", "PCM_U8"):
        assert noise.std() == pytest.approx(result.params["amplitude"], rel=0.25)
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
