"""Tests for augment.backends.audio.io: audio files through soundfile."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from augment.backends.audio import AudioAugmenter, AudioClip
from augment.backends.audio.io import FORMATS
from augment.core.registry import backend
from augment.core.result import BadInputError
from backends.audio.helpers import RATE, tone

from conftest import write_audio


def noise(params: dict) -> dict:
    """The default op's record in ``params``."""
    (record,) = params["ops"]
    assert record["op"] == "AddGaussianNoise"
    return record


def test_available_formats_cover_the_registry():
    formats = sf.available_formats()
    assert {"WAV", "FLAC", "OGG", "AIFF"} <= set(formats)
    assert "VORBIS" in sf.available_subtypes("OGG")
    assert set(FORMATS) == backend("audio").extensions
    assert all(fmt in formats for names in FORMATS.values() for fmt in names)


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


@pytest.mark.parametrize("channels", [1, 2])
def test_ogg_streams_get_a_fixed_serial_and_valid_checksums(tmp_path, channels):
    aug = AudioAugmenter()
    clip = AudioClip(tone(4000, channels=None if channels == 1 else channels), RATE, format="OGG", subtype="VORBIS")
    aug.write(clip, tmp_path / "a.ogg")
    aug.write(clip, tmp_path / "b.ogg")
    data = (tmp_path / "a.ogg").read_bytes()
    assert data == (tmp_path / "b.ogg").read_bytes()
    pages = [i for i in range(len(data)) if data.startswith(b"OggS", i)]
    assert len(pages) >= 3 and {data[i + 14: i + 18] for i in pages} == {b"dgua"}  # 0x61756764, little-endian
    # libogg drops a page whose checksum is wrong: every frame must come back.
    back = aug.read(tmp_path / "a.ogg")
    assert (back.frames, back.channels, back.sample_rate) == (4000, channels, RATE)


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


# -- bad files -----------------------------------------------------------------


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


@pytest.mark.parametrize(("rate", "suffix", "reason"), [
    # libvorbis crashes the process above 200 kHz: refused before it is called.
    (200_001, ".ogg", "cannot write 200001 Hz audio as Ogg Vorbis, which goes up to 200000 Hz"),
    (1_258_299_200, ".ogg", "cannot write 1258299200 Hz audio as Ogg Vorbis, which goes up to 200000 Hz"),
    (1_000_000, ".flac", r"cannot write the audio as FLAC \(PCM_16, 1000000 Hz\): flac does not support this "
                         r"sample rate$"),
])
def test_a_sample_rate_the_output_format_cannot_hold_is_a_bad_input(tmp_path, rate, suffix, reason):
    # A WAV file under the extension of another format (as a run meets them): read, then written as that format.
    src = tmp_path / f"odd{suffix}"
    sf.write(src, tone(), rate, format="WAV", subtype="PCM_16")
    aug = AudioAugmenter()
    clip = aug.read(src)
    assert clip.sample_rate == rate and clip.format == "WAV"
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(BadInputError, match=reason):
        aug.augment_file(src, out / f"x{suffix}", seed=1)
    assert list(out.iterdir()) == []
    aug.augment_file(src, out / "x.wav", seed=1)  # WAV holds any rate
    assert sf.info(out / "x.wav").samplerate == rate


def _every_written_kind():
    """(suffix, format, subtype) for every format a suffix may hold and every subtype libsndfile writes in it."""
    kinds = []
    for suffix, formats in sorted(FORMATS.items()):
        for fmt in formats:
            for subtype in sorted(sf.available_subtypes(fmt)):
                if sf.check_format(fmt, subtype):
                    kinds.append((suffix, fmt, subtype))
    return kinds


def test_the_same_clip_gives_the_same_bytes_whenever_it_is_written(tmp_path):
    """libsndfile stamps float WAV/AIFF/RF64 (PEAK chunk) with the time and Ogg with a random serial: neither shows."""
    import time

    kinds = _every_written_kind()
    assert len(kinds) > 20 and (".wav", "RF64", "DOUBLE") in kinds
    written = {}
    for round_ in (1, 2):
        for index, (suffix, fmt, subtype) in enumerate(kinds):
            clip = AudioClip(tone(400, channels=2, level=0.3), RATE, fmt, subtype)
            path = tmp_path / f"{round_}-{index}.augtmp"  # no data extension: the suffix says the format
            try:
                AudioAugmenter().write(clip, path, suffix=suffix)
            except Exception as exc:  # a subtype libsndfile lists but cannot write at this rate/layout
                written.setdefault(index, f"refused: {type(exc).__name__}")
                continue
            data = path.read_bytes()
            assert written.setdefault(index, data) == data, (suffix, fmt, subtype)
        if round_ == 1:
            time.sleep(1.1)  # the PEAK chunk's clock has one-second resolution
    assert sum(isinstance(v, bytes) for v in written.values()) > 20
    floats = [i for i, (_, fmt, sub) in enumerate(kinds) if fmt in ("WAV", "AIFF") and sub in ("FLOAT", "DOUBLE")]
    for i in floats:  # the chunk stays, with its time set to 0
        peak = written[i].index(b"PEAK")
        assert written[i][peak + 12: peak + 16] == bytes(4), kinds[i]
