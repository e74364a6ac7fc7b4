"""Samples shared by the audio backend's tests."""

from __future__ import annotations

import numpy as np

RATE = 8000


def tone(frames: int = 800, channels: int | None = None, level: float = 0.5) -> np.ndarray:
    """A 440 Hz sine, mono 1-D or (channels, frames), float32."""
    t = np.arange(frames) / RATE
    mono = (level * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    if channels is None:
        return mono
    return np.stack([mono * (1 - 0.3 * c) for c in range(channels)]).astype(np.float32)
