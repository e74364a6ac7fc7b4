"""Audio strips for a preview: a waveform over a spectrogram, drawn with NumPy and Pillow.

Both use absolute scales, the same for every file: the waveform spans -1 to 1
(full scale) and the spectrogram -100 to 0 dBFS, with a full-scale sine at
0 dB. So what an op did shows as a difference between an original and its
copy: noise lifts the floor of the spectrogram, a gain makes the waveform
taller, a filter darkens a band. The spectrogram's frequency axis is
logarithmic (50 Hz to the Nyquist frequency), where speech and music live.
Only the first :data:`SECONDS` seconds of a file are decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO

import numpy as np

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["SECONDS", "Clip", "read_clip", "strip"]

#: Seconds of each file decoded and drawn.
SECONDS = 30.0
_FLOOR_DB = -100.0
_LOW_HZ = 50.0
# A perceptual colour map (magma's anchors): quiet is dark, loud is bright.
_ANCHORS = np.array([(0, 0, 4), (28, 16, 68), (79, 18, 123), (129, 37, 129), (181, 54, 122),
                     (229, 80, 100), (251, 135, 97), (254, 194, 135), (252, 253, 191)], dtype=np.float64)
_LUT = np.stack([np.interp(np.linspace(0, 1, 256), np.linspace(0, 1, len(_ANCHORS)), _ANCHORS[:, c])
                 for c in range(3)], axis=-1).astype(np.uint8)
_WAVE_BG, _WAVE_FG, _WAVE_AXIS = (250, 250, 252), (40, 90, 160), (200, 200, 210)


@dataclass(frozen=True)
class Clip:
    """The start of an audio file, mixed to mono.

    Attributes:
        samples: float32 samples in [-1, 1] (at most :data:`SECONDS` of them).
        sample_rate: Samples per second.
        channels: The file's channels.
        duration: The whole file's length in seconds.
    """

    samples: np.ndarray
    sample_rate: int
    channels: int
    duration: float

    def describe(self) -> str:
        """E.g. ``"1.0 s, 16 kHz, mono"`` (``"first 30 s of 3:20"`` for a long file)."""
        seconds = self.duration
        length = f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)}:{int(seconds % 60):02d}"
        if seconds > SECONDS:
            length = f"first {SECONDS:.0f} s of {length}"
        rate = f"{self.sample_rate / 1000:g} kHz"
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        return f"{length}, {rate}, {layout}"


def read_clip(data: bytes | BinaryIO) -> Clip:
    """Decode the start of an audio file (its bytes, or the file opened for reading) with soundfile.

    Raises:
        Exception: Whatever soundfile raises for data it cannot decode (the caller shows it).
    """
    import soundfile

    with soundfile.SoundFile(io.BytesIO(data) if isinstance(data, bytes) else data) as fh:
        rate, channels, frames = fh.samplerate, fh.channels, fh.frames
        block = fh.read(frames=min(frames, int(rate * SECONDS)), dtype="float32", always_2d=True)
    return Clip(block.mean(axis=1), int(rate), int(channels), frames / rate if rate else 0.0)


def _waveform(samples: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each column's lowest and highest sample, as a filled band around the centre line."""
    picture = np.empty((height, width, 3), dtype=np.uint8)
    picture[:] = _WAVE_BG
    middle = (height - 1) / 2
    picture[int(round(middle)), :] = _WAVE_AXIS
    if samples.size == 0:
        return picture
    edges = np.linspace(0, samples.size, width + 1).astype(np.int64)
    starts = np.minimum(edges[:-1], samples.size - 1)
    clipped = np.clip(samples, -1.0, 1.0)
    highs = np.maximum.reduceat(clipped, starts)
    lows = np.minimum.reduceat(clipped, starts)
    top = np.rint(middle - highs * middle).astype(np.int64)
    bottom = np.rint(middle - lows * middle).astype(np.int64)
    rows = np.arange(height)[:, None]
    picture[(rows >= top[None, :]) & (rows <= bottom[None, :])] = _WAVE_FG
    return picture


def _spectrogram(samples: np.ndarray, sample_rate: int, width: int, height: int) -> np.ndarray:
    """Each frame's spectrum in dBFS on a log frequency axis, coloured; low frequencies at the bottom."""
    n_fft = 256 if sample_rate <= 8000 else 512 if sample_rate <= 24000 else 1024
    if samples.size < n_fft:
        samples = np.pad(samples, (0, n_fft - samples.size))
    hop = max(1, -(-(samples.size - n_fft) // max(width - 1, 1)))
    frames = np.lib.stride_tricks.sliding_window_view(samples, n_fft)[::hop]
    window = np.hanning(n_fft).astype(np.float32)
    magnitude = np.abs(np.fft.rfft(frames * window, axis=1)) / (window.sum() / 2)
    decibels = 20 * np.log10(np.maximum(magnitude, 1e-12))
    level = np.clip((decibels - _FLOOR_DB) / -_FLOOR_DB, 0.0, 1.0)  # (frames, bins)
    nyquist = sample_rate / 2
    low = min(_LOW_HZ, nyquist / 4)
    wanted = low * (nyquist / low) ** np.linspace(1.0, 0.0, height)  # top row: the Nyquist frequency
    position = np.clip(wanted / nyquist * (level.shape[1] - 1), 0, level.shape[1] - 1)
    below = np.floor(position).astype(np.int64)
    above = np.minimum(below + 1, level.shape[1] - 1)
    frac = (position - below)[:, None]
    rows = level[:, below].T * (1 - frac) + level[:, above].T * frac  # (height, frames)
    columns = np.clip(np.rint(np.linspace(0, rows.shape[1] - 1, width)).astype(np.int64), 0, rows.shape[1] - 1)
    return _LUT[np.rint(rows[:, columns] * 255).astype(np.uint8)]


def strip(clip: Clip, width: int, wave_height: int = 56, spectrogram_height: int = 88) -> PILImage.Image:
    """The waveform of ``clip`` above its spectrogram, ``width`` pixels wide."""
    from PIL import Image

    wave = _waveform(clip.samples, width, wave_height)
    spectrum = _spectrogram(clip.samples, clip.sample_rate, width, spectrogram_height)
    return Image.fromarray(np.ascontiguousarray(np.concatenate([wave, spectrum], axis=0)))
