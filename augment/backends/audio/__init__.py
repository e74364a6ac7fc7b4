"""The audio backend: audiomentations waveform transforms on real audio files, through soundfile.

An :class:`AudioAugmenter` holds *ops*, each an audiomentations waveform
transform named by its class with that class's own keyword arguments, e.g.
``{"op": "Gain", "min_gain_db": -6.0, "max_gain_db": 6.0, "p": 1.0}``; the
default is one ``AddGaussianNoise`` op (``min_amplitude=0.01``,
``max_amplitude=0.05``, ``p=1.0``). :func:`supported_ops` lists the transforms
an op may name. In memory, audio is float32 samples (1-D mono or
``(channels, frames)``) or an :class:`AudioClip`, which also carries what is
needed to write the samples back as they came (sample rate, container format,
subtype, byte order).

Modules: :mod:`~augment.backends.audio.augmenter` (the augmenter: the chain of
ops, applied in order), :mod:`~augment.backends.audio.catalogue` (which
transforms exist, how an op is checked and built),
:mod:`~augment.backends.audio.clip` (AudioClip and the checks samples pass),
:mod:`~augment.backends.audio.io` (files through soundfile).

Neither audiomentations nor soundfile is imported with this package, and the
default ``AudioAugmenter()`` imports neither until it first augments; passing
``ops`` imports audiomentations (to check them) but never its optional extras.
Nothing here ever imports TensorFlow.
"""

from __future__ import annotations

from augment.backends.audio.augmenter import AudioAugmenter
from augment.backends.audio.catalogue import supported_ops
from augment.backends.audio.clip import AudioClip

__all__ = ["AudioAugmenter", "AudioClip", "supported_ops"]
