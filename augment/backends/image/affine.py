"""ImageDataGenerator's transform as plain NumPy: its random draws, its matrix, and SciPy's border rules.

Everything here reproduces Keras' legacy ``ImageDataGenerator`` (and the
``scipy.ndimage.affine_transform`` call it makes) without importing either:

* :func:`draw_transform` makes exactly the draws of
  ``ImageDataGenerator.get_random_transform``, in the same order, from the
  global ``numpy.random`` state, and returns the same transform dict;
* :func:`inverse_map` builds the matrix ``apply_affine_transform`` hands to
  SciPy: output pixel (row, col) -> source coordinates;
* :func:`map_coordinates_like_scipy` folds coordinates that fall outside the
  image back in as SciPy's *legacy* border modes do where they are not the
  textbook rules (``nearest`` and ``reflect`` are: OpenCV's
  ``BORDER_REPLICATE`` and ``BORDER_REFLECT``): ``wrap`` repeats with period
  n - 1, not n, and ``constant`` gives cval to every sample outside
  [0, n - 1] instead of blending the edge pixels with it.

The native engine (:mod:`~augment.backends.image.opencv_engine`) applies these
with OpenCV; the tests hold them to Keras itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["draw_transform", "inverse_map", "map_coordinates_like_scipy", "moves"]


def _draw_shift(value: Any, size: int) -> float:
    """One shift, as ``get_random_transform`` draws it (``np.random.choice`` first, as Keras tries)."""
    try:  # an int n (0..n-1) or a list to choose from, with a random sign
        shift = np.random.choice(value)
        shift *= np.random.choice([-1, 1])
    except ValueError:  # a float: uniform in [-value, value] (choice refused it before drawing)
        shift = np.random.uniform(-value, value)
    if np.max(value) < 1:
        shift *= size
    return float(shift)


def draw_transform(params: Mapping[str, Any], shape: tuple[int, ...]) -> dict[str, Any]:
    """Keras' ``get_random_transform(shape)`` for an ImageDataGenerator with ``params`` (channels last).

    Args:
        params: All twelve ImageDataGenerator parameters, checked.
        shape: The image's shape, HxWxC.

    Returns:
        The transform dict as plain JSON data (floats, bools and None): the
        values Keras would return, converted as the Keras engine records them.
    """
    rotation = params["rotation_range"]
    theta = float(np.random.uniform(-rotation, rotation)) if rotation else 0.0
    height_shift, width_shift = params["height_shift_range"], params["width_shift_range"]
    tx = _draw_shift(height_shift, shape[0]) if height_shift else 0.0
    ty = _draw_shift(width_shift, shape[1]) if width_shift else 0.0
    shear_range = params["shear_range"]
    shear = float(np.random.uniform(-shear_range, shear_range)) if shear_range else 0.0
    zoom = params["zoom_range"]
    lower, upper = (1 - zoom, 1 + zoom) if isinstance(zoom, (int, float)) else (zoom[0], zoom[1])
    if lower == 1 and upper == 1:
        zx, zy = 1.0, 1.0
    else:
        zx, zy = (float(z) for z in np.random.uniform(lower, upper, 2))
    # Both flips are drawn whether or not they are enabled (Keras multiplies by the flag).
    flip_horizontal = bool(np.random.random() < 0.5) and bool(params["horizontal_flip"])
    flip_vertical = bool(np.random.random() < 0.5) and bool(params["vertical_flip"])
    channel_shift = params["channel_shift_range"]
    intensity = float(np.random.uniform(-channel_shift, channel_shift)) if channel_shift != 0 else None
    brightness_range = params["brightness_range"]
    brightness = (
        float(np.random.uniform(brightness_range[0], brightness_range[1])) if brightness_range is not None else None
    )
    return {
        "theta": theta, "tx": tx, "ty": ty, "shear": shear, "zx": zx, "zy": zy,
        "flip_horizontal": flip_horizontal, "flip_vertical": flip_vertical,
        "channel_shift_intensity": intensity, "brightness": brightness,
    }


def moves(transform: Mapping[str, Any]) -> bool:
    """Whether ``transform`` has an affine part (Keras skips SciPy entirely when it has none)."""
    return bool(
        transform.get("theta", 0) != 0
        or transform.get("tx", 0) != 0
        or transform.get("ty", 0) != 0
        or transform.get("shear", 0) != 0
        or transform.get("zx", 1) != 1
        or transform.get("zy", 1) != 1
    )


def inverse_map(transform: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    """The 2x3 matrix Keras' ``apply_affine_transform`` gives SciPy: (row, col, 1) -> source (row, col).

    Built with Keras' own arithmetic, product by product, so the coordinates
    computed from it are Keras' to the last bit. The flips (which Keras
    applies afterwards, as array flips) are not in it.
    """
    matrix: np.ndarray | None = None
    theta = transform.get("theta", 0)
    if theta != 0:
        angle = np.deg2rad(theta)
        matrix = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    tx, ty = transform.get("tx", 0), transform.get("ty", 0)
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
        matrix = shift if matrix is None else np.dot(matrix, shift)
    shear = transform.get("shear", 0)
    if shear != 0:
        angle = np.deg2rad(shear)
        shearing = np.array([[1, -np.sin(angle), 0], [0, np.cos(angle), 0], [0, 0, 1]])
        matrix = shearing if matrix is None else np.dot(matrix, shearing)
    zx, zy = transform.get("zx", 1), transform.get("zy", 1)
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
        matrix = zoom if matrix is None else np.dot(matrix, zoom)
    if matrix is None:
        return np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    o_x, o_y = float(height) / 2 - 0.5, float(width) / 2 - 0.5
    offset = np.array([[1, 0, o_x], [0, 1, o_y], [0, 0, 1]])
    reset = np.array([[1, 0, -o_x], [0, 1, -o_y], [0, 0, 1]])
    matrix = np.dot(np.dot(offset, matrix), reset)
    # Keras builds the matrix in (x, y) order and then swaps both the first two
    # columns and the first two rows (M' = PMP) for channels-last arrays.
    matrix[:, [0, 1]] = matrix[:, [1, 0]]
    matrix[[0, 1]] = matrix[[1, 0]]
    return np.asarray(matrix[:2], dtype=np.float64)


def map_coordinates_like_scipy(coords: np.ndarray, size: int, mode: str) -> np.ndarray:
    """Fold source coordinates along one axis of ``size`` pixels as SciPy's legacy ``mode`` does.

    Args:
        coords: Float64 coordinates (changed in place and returned).
        size: The axis length.
        mode: "wrap" or "constant".

    Returns:
        ``coords`` folded into [0, size - 1]; for "constant", -1 marks a sample
        outside [0, size - 1] (SciPy's own marker: it gets cval).
    """
    low = coords < 0
    high = coords > size - 1
    if mode == "constant":
        coords[low | high] = -1.0
    elif mode == "wrap":
        if size <= 1:
            coords[low | high] = 0.0
            return coords
        # SciPy's integer arithmetic ((npy_intp) truncates towards zero), period n - 1.
        period = size - 1
        below = coords[low]
        coords[low] = below + period * (np.trunc(-below / period) + 1)
        above = coords[high]
        coords[high] = above - period * np.trunc(above / period)
    else:
        raise ValueError(f"no folding rule for fill mode {mode!r} (only wrap and constant need one)")
    return coords
