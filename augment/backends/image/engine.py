"""The engine seam: how the ImageDataGenerator op is drawn and applied to pixels.

An engine is built from the op's parameters (Keras' names; left-out ones take
Keras' defaults) and does two things, in this order, so that every random
choice is made before any pixel moves:

* :meth:`Engine.sample` draws the transform for an image of a given shape from
  the global ``numpy.random`` state (which :meth:`Augmenter.augment` seeds), as
  plain JSON data in Keras' transform-dict shape (theta, tx, ty, shear, zx,
  zy, flip_horizontal, flip_vertical, channel_shift_intensity, brightness);
* :meth:`Engine.apply` applies such a transform to HxWxC pixels.

What is the same for every engine lives here, in :meth:`Engine.apply`: the
working precision, the inverted ink of CMYK, alpha kept out of the colour
operations, the brightness factor (applied as Pillow's
``ImageEnhance.Brightness`` does, at full precision) and the final rounding and
clipping. An engine supplies the geometry (:meth:`Engine.warp`) and the channel
shift (:meth:`Engine.shift_channels`). The native engine
(:class:`~augment.backends.image.opencv_engine.OpenCVEngine`, the default)
does them with OpenCV; the reference engine is Keras itself
(:class:`~augment.backends.image.keras_engine.KerasEngine`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from augment.backends.image.op import KERAS_DEFAULTS
from augment.backends.image.pixels import PixelLayout, ink_brightness

__all__ = ["Engine"]


class Engine(ABC):
    """Draws and applies the ImageDataGenerator op.

    Args:
        params: The op's parameters (checked; any left out take Keras' defaults).
    """

    #: The engine's name ("keras" for the reference engine).
    name: ClassVar[str]

    def __init__(self, params: Mapping[str, Any]) -> None:
        # The op's own "engine" key chose this engine: it is not a parameter of it.
        self.params: dict[str, Any] = {**KERAS_DEFAULTS, **{k: v for k, v in params.items() if k != "engine"}}

    @abstractmethod
    def sample(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """Draw the transform for an image of ``shape`` (HxWxC) from the global ``numpy.random`` state.

        Returns:
            Keras' transform dict as plain JSON data (floats, bools and None).
        """

    @abstractmethod
    def warp(self, work: np.ndarray, transform: Mapping[str, Any], value_scale: int) -> np.ndarray:
        """Apply the geometry of ``transform`` (rotation, shifts, shear, zoom, flips) to every channel.

        ``work`` is floating point; outside pixels are filled by ``fill_mode``,
        with ``cval * value_scale`` for "constant".
        """

    @abstractmethod
    def shift_channels(self, colour: np.ndarray, intensity: float) -> np.ndarray:
        """Add ``intensity`` to every channel, clipped to the image's own min and max (as Keras does)."""

    def apply(self, pixels: np.ndarray, transform: Mapping[str, Any], layout: PixelLayout) -> np.ndarray:
        """Apply ``transform`` (from :meth:`sample`) to ``pixels`` (HxWxC); same shape and dtype back.

        Values are computed in floating point, then rounded and clipped to the
        dtype's range (never wrapped).
        """
        dtype = pixels.dtype
        integer = np.issubdtype(dtype, np.integer)
        # float32 holds 16-bit values exactly; 32-bit "I" images need float64.
        work: np.ndarray[Any, np.dtype[np.floating[Any]]] = pixels.astype(
            np.float64 if dtype.itemsize > 2 and integer else np.float32
        )
        top = float(np.iinfo(dtype).max) if integer else 0.0
        if layout.ink:
            work = top - work

        work = self.warp(work, transform, layout.value_scale)

        colour = work[..., :-1] if layout.alpha else work
        intensity = transform.get("channel_shift_intensity")
        if intensity is not None:
            colour = self.shift_channels(colour, intensity * layout.value_scale)
        brightness = transform.get("brightness")
        if brightness is not None:
            # Keras' apply_brightness_shift goes through an 8-bit PIL image: it
            # truncates the floats, squeezes 16-bit data into 8 bits and back,
            # cannot take two channels (LA) and would dim alpha with the colour.
            # ImageEnhance.Brightness multiplies every value by the factor, so we
            # apply that same sampled factor ourselves at full precision.
            colour = ink_brightness(colour, brightness, top) if layout.ink else colour * brightness
        work = np.concatenate([colour, work[..., -1:]], axis=-1) if layout.alpha else colour
        if layout.ink:
            work = top - work

        if integer:
            info = np.iinfo(dtype)
            return np.clip(np.rint(work), info.min, info.max).astype(dtype)
        return work.astype(dtype)
