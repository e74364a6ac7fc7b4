"""Tests for augment.preview.sound: waveform and spectrogram strips on absolute scales."""

from __future__ import annotations

import io

import numpy as np
import soundfile

from augment.preview.sound import SECONDS, Clip, read_clip, strip


def encoded(samples, rate=16000, fmt="WAV", subtype="PCM_16"):
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def tone(seconds=0.5, rate=16000, freq=1000.0, level=0.5):
    t = np.arange(int(seconds * rate)) / rate
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_read_clip_mixes_to_mono_and_describes_the_file():
    stereo = np.stack([tone(), -tone()], axis=1)  # the channels cancel out
    clip = read_clip(encoded(stereo, fmt="FLAC"))
    assert clip.channels == 2 and clip.sample_rate == 16000 and abs(clip.duration - 0.5) < 1e-9
    assert np.abs(clip.samples).max() < 1e-3
    assert clip.describe() == "0.5 s, 16 kHz, stereo"


def test_only_the_start_of_a_long_file_is_decoded():
    rate = 1000
    clip = read_clip(encoded(np.zeros(int(rate * (SECONDS + 45)), dtype=np.float32), rate=rate))
    assert clip.samples.size == int(rate * SECONDS)
    assert clip.describe() == "first 30 s of 1:15, 1 kHz, mono"


def test_strip_size_and_the_waveform_height_follows_the_level():
    quiet = np.asarray(strip(Clip(tone(level=0.1), 16000, 1, 0.5), 300))
    loud = np.asarray(strip(Clip(tone(level=0.9), 16000, 1, 0.5), 300))
    assert quiet.shape == (56 + 88, 300, 3)

    def drawn_rows(picture):
        wave = picture[:56]
        return int((np.abs(wave.astype(int) - [40, 90, 160]).sum(axis=2) == 0).any(axis=1).sum())

    assert drawn_rows(loud) > 3 * drawn_rows(quiet)


def test_noise_lifts_the_floor_of_the_spectrogram():
    clean = tone()
    noisy = clean + np.random.default_rng(0).normal(0, 0.02, clean.size).astype(np.float32)
    brightness = [np.asarray(strip(Clip(x, 16000, 1, 0.5), 300))[56:].mean() for x in (clean, noisy)]
    assert brightness[1] > brightness[0] + 20


def test_a_full_scale_tone_is_brightest_at_its_frequency():
    spectrum = np.asarray(strip(Clip(tone(level=1.0, freq=1000.0), 16000, 1, 0.5), 200))[56:].sum(axis=2)
    brightest = int(spectrum.mean(axis=1).argmax())
    # Log axis from 50 Hz (bottom row) to 8 kHz (top row): 1 kHz sits at this row.
    expected = round((1 - np.log(1000 / 50) / np.log(8000 / 50)) * (88 - 1))
    assert abs(brightest - expected) <= 2


def test_silence_and_a_clip_shorter_than_one_frame():
    picture = strip(Clip(np.zeros(10, dtype=np.float32), 8000, 1, 10 / 8000), 120)
    assert picture.size == (120, 144)
