"""The reference engine: Keras' own ``ImageDataGenerator`` draws and applies the op.

The transform is drawn with ``ImageDataGenerator.get_random_transform`` and
recorded as plain JSON data; the geometry (rotation, shifts, shear, zoom,
flips) is applied by ``ImageDataGenerator.apply_transform`` over every
channel, alpha included, so transparency moves with the picture; the channel
shift by the same Keras code over the colour channels only. The brightness
factor is applied by :meth:`Engine.apply <augment.backends.image.engine.Engine.apply>`.

TensorFlow is imported on the first draw, inside
:func:`image_data_generator_class` only: the one place that imports it (the
tests that replay another engine's transforms through Keras use it too).
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from augment.backends.image.engine import Engine

__all__ = ["KERAS_INSTALL", "KerasEngine", "image_data_generator_class", "tensorflow_installed"]

#: What installs the Keras engine's TensorFlow (the ``keras`` extra).
KERAS_INSTALL = 'pip install "augment-dir[keras]"'

# Keras' legacy apply_affine_transform reaches scipy.ndimage through its
# deprecated ``interpolation`` namespace and SciPy warns on every call; the
# function it gets is the same, so the warning tells our users nothing.
_SCIPY_NAMESPACE_WARNING = r".*scipy\.ndimage\.interpolation.*"

# Lines TensorFlow's C++ code writes at import, before absl logging is set up (so
# TF_CPP_MIN_LOG_LEVEL cannot stop them): INFO records and their continuation.
_NATIVE_INFO = re.compile(
    r"^(I\d{4} [\d:.]+ +\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags)"
)


@functools.cache
def image_data_generator_class() -> type:
    """Keras' ImageDataGenerator, imported on first use (this imports TensorFlow)."""
    # TensorFlow's start-up notes (CPU instructions, no CUDA, oneDNN) say nothing about
    # the user's files; its warnings and errors still show. A value the user set wins.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with _native_info_dropped():
            from tensorflow.keras.preprocessing.image import ImageDataGenerator
    except ImportError as exc:
        raise ImportError(
            f"the Keras engine needs TensorFlow ({exc}); install it with: {KERAS_INSTALL}, "
            'or use engine = "opencv" (the native engine)'
        ) from exc
    return ImageDataGenerator


def tensorflow_installed() -> bool:
    """Whether TensorFlow can be imported, found without importing it."""
    try:
        return importlib.util.find_spec("tensorflow") is not None
    except ValueError:  # in sys.modules as None: blocked (or a module without a spec)
        return sys.modules.get("tensorflow") is not None


@contextlib.contextmanager
def _native_info_dropped() -> Iterator[None]:
    """Send file descriptor 2 to a buffer; on exit, write back every line but native INFO notes."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (e.g. captured by pytest)
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as buffer:
        os.dup2(buffer.fileno(), fd)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            buffer.seek(0)
            kept = [line for line in buffer.read().decode("utf-8", "replace").splitlines(keepends=True)
                    if not _NATIVE_INFO.match(line)]
            if kept:
                sys.stderr.write("".join(kept))
                sys.stderr.flush()


def _record(transform: Mapping[str, Any]) -> dict[str, Any]:
    """Keras' transform dict as plain JSON data (exactly what is then applied)."""
    record: dict[str, Any] = {}
    for key, value in transform.items():
        if value is None:
            record[key] = None
        elif key.startswith("flip_"):
            record[key] = bool(value)
        else:
            record[key] = float(value)
    return record


class KerasEngine(Engine):
    """The reference engine: Keras' ``get_random_transform`` and ``apply_transform``.

    Args:
        params: The op's parameters (checked; any left out take Keras' defaults).
    """

    name: ClassVar[str] = "keras"

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        # value scale -> ImageDataGenerator (its cval on that scale), built on first use.
        self._generators: dict[int, Any] = {}

    def _generator(self, value_scale: int) -> Any:
        generator = self._generators.get(value_scale)
        if generator is None:
            params = self.params
            generator = self._generators[value_scale] = image_data_generator_class()(
                **{**params, "cval": params["cval"] * value_scale}, data_format="channels_last"
            )
        return generator

    def sample(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """Draw Keras' transform for an image of ``shape`` (HxWxC), as plain JSON data."""
        # The draws do not depend on cval, so one generator serves every value scale.
        return _record(self._generator(1).get_random_transform(shape))

    def warp(self, work: np.ndarray, transform: Mapping[str, Any], value_scale: int) -> np.ndarray:
        """Keras' ``apply_transform`` with the geometry of ``transform`` only, over every channel."""
        geometry = dict(transform, channel_shift_intensity=None, brightness=None)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_SCIPY_NAMESPACE_WARNING, category=DeprecationWarning)
            out: np.ndarray = self._generator(value_scale).apply_transform(work, geometry)
        return out

    def shift_channels(self, colour: np.ndarray, intensity: float) -> np.ndarray:
        """Keras' own channel shift (clipped to the image's min and max); no geometry keys, so nothing moves."""
        out: np.ndarray = self._generator(1).apply_transform(colour, {"channel_shift_intensity": intensity})
        return out
