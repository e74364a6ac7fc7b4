"""Tests for augment.backends.audio.clip: AudioClip and the checks samples and sample rates pass."""

from __future__ import annotations

import numpy as np
import pytest

from augment.backends.audio import AudioAugmenter, AudioClip
from augment.backends.audio.clip import check_sample_rate, check_samples
from augment.core.result import BadInputError
from backends.audio.helpers import RATE, tone


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


def test_float64_is_converted_to_float32():
    x = tone()
    from32 = AudioAugmenter().augment(x, sample_rate=RATE, seed=2)
    from64 = AudioAugmenter().augment(x.astype(np.float64), sample_rate=RATE, seed=2)
    assert from64.data.dtype == np.float32
    assert np.array_equal(from32.data, from64.data)


def test_audio_clip_is_not_hashable():
    with pytest.raises(TypeError, match="unhashable"):
        hash(AudioClip(tone(), RATE))


def test_check_sample_rate():
    assert check_sample_rate(np.int64(22050)) == 22050 and type(check_sample_rate(np.int32(8000))) is int
    for bad in (0, -1, 8000.0, True, np.bool_(True), "8000", None):
        with pytest.raises(ValueError, match=r"^sample_rate must be a positive integer \(Hz\); got "):
            check_sample_rate(bad)


def test_check_samples_converts_quietly_and_tells_a_tall_clip_from_a_transposed_array():
    half = tone().astype(np.float16)
    assert check_samples(half, in_clip=False).dtype == np.float32
    x = tone(channels=2)
    assert check_samples(x, in_clip=False) is x  # float32 already: no copy
    tall = np.zeros((20, 2), np.float32)
    with pytest.raises(BadInputError, match="looks like \\(frames, channels\\): pass samples.T"):
        check_samples(tall, in_clip=False)
    with pytest.raises(BadInputError, match="20 channels but only 2 frames"):
        check_samples(tall, in_clip=True)
