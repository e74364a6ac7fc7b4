"""The native engine: ImageDataGenerator's transforms applied with OpenCV, without TensorFlow.

It is Keras' ``ImageDataGenerator`` in every way a user can observe:

* the same draws from the same seed (:func:`~augment.backends.image.affine.draw_transform`
  makes ``get_random_transform``'s draws, in its order, from the global
  ``numpy.random`` state), recorded in the same transform dict;
* the same geometry: Keras' own inverse matrix, applied by OpenCV's
  ``warpAffine`` for ``fill_mode`` "nearest" (``BORDER_REPLICATE``) and
  "reflect" (``BORDER_REFLECT``), and by ``remap`` over coordinates folded
  with SciPy's legacy rules for "wrap" and "constant"
  (:func:`~augment.backends.image.affine.map_coordinates_like_scipy`);
  flips, which Keras applies after the warp, are folded into the same pass;
* the same colour operations (the channel shift clipped to the image's own
  range; the brightness factor, shared with every engine).

OpenCV interpolates at 1/32-pixel precision and rounds 8- and 16-bit results
itself: outputs match Keras within a level or so, not bit for bit (the README
gives the measured figures; the tests replay outputs through Keras). Spline
orders above 1 have no OpenCV counterpart: choosing one is an error naming the
Keras engine. OpenCV is imported on first use.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from augment.backends.image.affine import draw_transform, inverse_map, map_coordinates_like_scipy, moves
from augment.backends.image.engine import Engine
from augment.backends.image.op import check_engine
from augment.backends.image.pixels import PixelLayout
from augment.core.parallel import is_worker_process
from augment.core.registry import install_hint

__all__ = ["OpenCVEngine", "cv2_module"]

# Rows of output computed per remap call: bounds the coordinate maps' memory
# (two float32 maps of this many rows) for images of any size.
_ROWS_PER_BAND = 256

# Images with fewer values than this are warped on one thread (see _size_threads).
_THREADED_VALUES = 6_000_000

# Fill modes that are OpenCV border modes as they are (SciPy's legacy rule is the textbook one).
_BORDERS = {"nearest": "BORDER_REPLICATE", "reflect": "BORDER_REFLECT"}


@functools.cache
def cv2_module() -> Any:
    """OpenCV's ``cv2``, imported on first use; one thread in a run's worker processes.

    There, the workers already keep every core busy and OpenCV's own threads
    would compete with them; a run in one process lets OpenCV use every core.
    """
    try:
        import cv2
    except ImportError as exc:
        raise ImportError(
            f"the image backend needs OpenCV ({exc}); install it with: {install_hint('image')}"
        ) from exc
    return cv2


def _size_threads(cv2: Any, values: int) -> None:
    """OpenCV's threads for an image of ``values`` values: one in a run's workers and for small images.

    The workers already keep every core busy; and below a few megapixels
    starting threads costs more than it saves (measured: 512x384 RGB
    warps 1.7x slower on 2 threads, 12-megapixel ones 2x faster).
    """
    cv2.setNumThreads(1 if is_worker_process() or values < _THREADED_VALUES else -1)


class OpenCVEngine(Engine):
    """ImageDataGenerator's draws, with the warp and colour operations done natively.

    Args:
        params: The op's parameters (checked; any left out take Keras' defaults).

    Raises:
        ValueError: ``interpolation_order`` is above 1 (the message names the Keras engine).
    """

    name: ClassVar[str] = "opencv"

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        check_engine(self.name, self.params["interpolation_order"])

    def sample(self, shape: tuple[int, ...]) -> dict[str, Any]:
        """Draw Keras' transform for an image of ``shape`` (HxWxC), as plain JSON data."""
        return draw_transform(self.params, shape)

    def apply(self, pixels: np.ndarray, transform: Mapping[str, Any], layout: PixelLayout) -> np.ndarray:
        """Apply ``transform``; same shape and dtype back.

        A transform without colour operations is warped in the pixels' own
        8- or 16-bit type (OpenCV rounds the interpolated values, as the
        shared path does after working in floating point): a third of the
        memory and time. Otherwise the shared floating-point path runs.
        """
        if not self.geometry_only(transform) or pixels.dtype not in (np.uint8, np.uint16):
            return super().apply(pixels, transform, layout)
        top = float(np.iinfo(pixels.dtype).max)
        fill = self.params["cval"] * layout.value_scale
        if layout.ink:  # colour operations (the fill included) work on inverted ink
            fill = top - fill
        return self._geometry(pixels, transform, float(np.clip(np.rint(fill), 0, top)))

    @staticmethod
    def geometry_only(transform: Mapping[str, Any]) -> bool:
        """Whether ``transform`` only moves pixels (no channel shift, no brightness): each channel on its own."""
        return transform.get("channel_shift_intensity") is None and transform.get("brightness") is None

    def warp(self, work: np.ndarray, transform: Mapping[str, Any], value_scale: int) -> np.ndarray:
        """The geometry of ``transform`` over every channel of floating-point ``work``."""
        return self._geometry(work, transform, float(self.params["cval"]) * value_scale)

    def shift_channels(self, colour: np.ndarray, intensity: float) -> np.ndarray:
        """Keras' channel shift: add ``intensity``, clipped to the colour channels' own min and max."""
        low, high = colour.min(), colour.max()
        return np.clip(colour + intensity, low, high, out=np.empty_like(colour))

    # -- geometry -------------------------------------------------------------

    def _geometry(self, pixels: np.ndarray, transform: Mapping[str, Any], fill: float) -> np.ndarray:
        """Warp (if the transform moves anything) and flip HxWxC ``pixels``; a new array of the same type."""
        flip_h = bool(transform.get("flip_horizontal"))
        flip_v = bool(transform.get("flip_vertical"))
        if not moves(transform):
            out = pixels[::-1 if flip_v else 1, ::-1 if flip_h else 1]
            return np.ascontiguousarray(out)
        height, width = pixels.shape[:2]
        matrix = inverse_map(transform, height, width)
        _size_threads(cv2_module(), pixels.size)
        if self.params["fill_mode"] in _BORDERS:
            return self._warp_affine(pixels, matrix, flip_h, flip_v)
        return self._remap(pixels, matrix, flip_h, flip_v, fill)

    def _interpolation(self) -> int:
        cv2 = cv2_module()
        return int(cv2.INTER_NEAREST if self.params["interpolation_order"] == 0 else cv2.INTER_LINEAR)

    def _warp_affine(self, pixels: np.ndarray, matrix: np.ndarray, flip_h: bool, flip_v: bool) -> np.ndarray:
        """"nearest" and "reflect": one ``warpAffine`` with the flips folded into the matrix."""
        cv2 = cv2_module()
        height, width, channels = pixels.shape
        # Output (row, col) of the flipped image reads the warp at (H-1-row, W-1-col).
        flip = np.array([[-1.0 if flip_v else 1.0, 0.0, height - 1.0 if flip_v else 0.0],
                         [0.0, -1.0 if flip_h else 1.0, width - 1.0 if flip_h else 0.0],
                         [0.0, 0.0, 1.0]])
        rows = matrix @ flip
        # OpenCV's matrix maps (x = col, y = row) of the output to the source.
        cv_matrix = np.array([[rows[1, 1], rows[1, 0], rows[1, 2]], [rows[0, 1], rows[0, 0], rows[0, 2]]])
        border = getattr(cv2, _BORDERS[self.params["fill_mode"]])
        flags = self._interpolation() | cv2.WARP_INVERSE_MAP
        return _each_plane_set(pixels, lambda planes: cv2.warpAffine(
            planes, cv_matrix, (width, height), flags=flags, borderMode=border, hint=cv2.ALGO_HINT_ACCURATE))

    def _remap(self, pixels: np.ndarray, matrix: np.ndarray, flip_h: bool, flip_v: bool, fill: float) -> np.ndarray:
        """"wrap" and "constant": coordinates folded by SciPy's rules, then ``remap``.

        Computed in bands of rows so that the coordinate maps stay small.
        """
        cv2 = cv2_module()
        height, width, channels = pixels.shape
        mode = self.params["fill_mode"]
        out = np.empty_like(pixels)
        # The flips read the warped image mirrored: feed the mirrored output grid to the map.
        cols = np.arange(width, dtype=np.float64)[::-1 if flip_h else 1]
        all_rows = np.arange(height, dtype=np.float64)[::-1 if flip_v else 1]
        interpolation = self._interpolation()
        for start in range(0, height, _ROWS_PER_BAND):
            rows = all_rows[start:start + _ROWS_PER_BAND, None]
            # SciPy's sum, in SciPy's order: row * m[0] + col * m[1] + offset.
            src_rows = map_coordinates_like_scipy(rows * matrix[0, 0] + cols * matrix[0, 1] + matrix[0, 2], height,
                                                  mode)
            src_cols = map_coordinates_like_scipy(rows * matrix[1, 0] + cols * matrix[1, 1] + matrix[1, 2], width,
                                                  mode)
            band = _each_plane_set(pixels, functools.partial(
                _remap, cv2, src_cols.astype(np.float32), src_rows.astype(np.float32), interpolation))
            if mode == "constant":
                band[(src_rows == -1.0) | (src_cols == -1.0)] = fill
            out[start:start + _ROWS_PER_BAND] = band
        return out


def _remap(cv2: Any, map_cols: np.ndarray, map_rows: np.ndarray, interpolation: int, planes: np.ndarray) -> np.ndarray:
    """OpenCV's remap, reading past an edge mirrored about the edge pixel, as SciPy's interpolation does."""
    out: np.ndarray = cv2.remap(planes, map_cols, map_rows, interpolation, borderMode=cv2.BORDER_REFLECT_101,
                                hint=cv2.ALGO_HINT_ACCURATE)
    return out


def _each_plane_set(pixels: np.ndarray, warp: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``warp`` over HxWxC ``pixels`` as OpenCV takes them; the result as HxWxC.

    One call for 1, 3 or 4 channels. Two channels (grey and alpha) go one at a
    time: OpenCV's two-channel bilinear path is less precise (up to 4 levels
    off its own one-channel result, measured with OpenCV 5.0).
    """
    channels = pixels.shape[2]
    if channels == 2:
        return np.stack([warp(np.ascontiguousarray(pixels[..., c])) for c in range(2)], axis=-1)
    out = warp(np.ascontiguousarray(pixels[..., 0] if channels == 1 else pixels))
    return out[..., None] if out.ndim == 2 else out
