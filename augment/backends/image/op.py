"""The one image op, Keras' ``ImageDataGenerator``: its parameters, their defaults and their checks.

An image recipe names a single op, ``{"op": "ImageDataGenerator", ...}``, with
the random-transform arguments of Keras' class under their own names. A
parameter left out takes *Keras'* default (:data:`KERAS_DEFAULTS`: an op with
only ``rotation_range`` does not also flip); the keyword shorthand of
:class:`~augment.backends.image.augmenter.ImageAugmenter` uses this project's
defaults instead (:data:`SHORTHAND_DEFAULTS`). The checks here are the engines'
common ground: whatever engine applies the op, these are the values it takes.

One more key is this project's own: ``engine``, which applies the op
(:data:`ENGINES`): "opencv", the native engine and the default, or "keras",
Keras' own ``ImageDataGenerator`` (with TensorFlow). Only "keras" takes an
``interpolation_order`` above 1.

Nothing here imports TensorFlow or Pillow.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from augment.core.checks import did_you_mean, is_finite_number
from augment.core.ops import check_ops_list, op_label, split_op

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "FILL_MODES",
    "IMAGE_OP",
    "KERAS_DEFAULTS",
    "LIMITS",
    "MAX_PIXELS",
    "NATIVE_ORDERS",
    "NOT_RANDOM",
    "OUTPUT_OPTIONS",
    "SHORTHAND_DEFAULTS",
    "check_engine",
    "check_image_ops",
    "check_max_pixels",
    "check_params",
]

IMAGE_OP = "ImageDataGenerator"

#: ImageDataGenerator's own defaults for its random transforms: what an op's
#: left-out parameters mean.
KERAS_DEFAULTS: dict[str, Any] = {
    "rotation_range": 0,
    "width_shift_range": 0.0,
    "height_shift_range": 0.0,
    "brightness_range": None,
    "shear_range": 0.0,
    "zoom_range": 0.0,
    "channel_shift_range": 0.0,
    "fill_mode": "nearest",
    "cval": 0.0,
    "horizontal_flip": False,
    "vertical_flip": False,
    "interpolation_order": 1,
}

#: The keyword shorthand's defaults (DESIGN.md): Keras' own transform nothing.
SHORTHAND_DEFAULTS: dict[str, Any] = {
    **KERAS_DEFAULTS,
    "rotation_range": 30,
    "width_shift_range": 0.2,
    "height_shift_range": 0.2,
    "horizontal_flip": True,
}

#: The table-level options of the image backend (never inside the op).
OUTPUT_OPTIONS = ("jpeg_quality", "webp_quality")
#: Table-level options that only refuse inputs and never change an output's bytes.
LIMITS = ("max_pixels",)
#: The most pixels (width x height) an image file may have: 50 megapixels. A
#: bigger one is refused before its pixels are decoded (a 9000x9000 image needs
#: gigabytes to augment); ``max_pixels`` in the recipe's [image] table raises it.
MAX_PIXELS = 50_000_000

#: ImageDataGenerator arguments an op may not set, and why.
NOT_RANDOM: dict[str, str] = {
    **{
        name: "it is not a random transform (augment-dir applies ImageDataGenerator's random "
        "transforms; normalisation belongs in your model's input pipeline)"
        for name in ("featurewise_center", "samplewise_center", "featurewise_std_normalization",
                     "samplewise_std_normalization", "zca_whitening", "zca_epsilon", "rescale",
                     "preprocessing_function", "validation_split", "dtype")
    },
    "data_format": "images are read from files, always channels last",
}

FILL_MODES = ("constant", "nearest", "reflect", "wrap")

#: The engines that apply the op: the native one (the default) and Keras itself.
ENGINES = ("opencv", "keras")
DEFAULT_ENGINE = "opencv"
#: The interpolation orders the native engine reproduces (0: nearest neighbour, 1: bilinear).
NATIVE_ORDERS = (0, 1)


def _plain(value: Any) -> int | float:
    """A Python int or float (NumPy scalars are not TOML-safe)."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _non_negative(name: str, value: Any, unit: str) -> int | float:
    if not is_finite_number(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0 ({unit}); got {value!r}")
    return _plain(value)


def _shift_range(name: str, value: Any) -> int | float | list[int | float]:
    if is_finite_number(value) and value >= 0:
        return _plain(value)
    if (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) > 0
        and all(is_finite_number(v) and v >= 0 for v in value)
    ):
        return [_plain(v) for v in value]
    raise ValueError(
        f"{name} must be a number >= 0 (a fraction of the size when < 1, pixels otherwise; "
        f"an int n shifts by 0..n-1 pixels) or a non-empty list of such numbers to choose from; "
        f"got {value!r}"
    )


def _is_positive_pair(value: Any) -> bool:
    """``[lower, upper]`` with ``0 < lower <= upper`` (zoom and brightness factors)."""
    return (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) == 2
        and all(is_finite_number(v) for v in value)
        and 0 < value[0] <= value[1]
    )


def _zoom_range(name: str, value: Any) -> int | float | list[int | float]:
    if is_finite_number(value) and 0 <= value < 1:
        return _plain(value)
    if _is_positive_pair(value):
        return [_plain(v) for v in value]
    raise ValueError(
        f"{name} must be a number in [0, 1) (zoom drawn from [1 - z, 1 + z]) or a pair "
        f"[lower, upper] with 0 < lower <= upper; got {value!r}"
    )


def _brightness_range(name: str, value: Any) -> list[float] | None:
    if value is None:
        return None
    if _is_positive_pair(value):
        return [float(v) for v in value]
    raise ValueError(
        f"{name} must be None or a pair [lower, upper] of factors with "
        f"0 < lower <= upper (1.0 keeps the brightness); got {value!r}"
    )


def _fill_mode(name: str, value: Any) -> str:
    if value not in FILL_MODES:
        raise ValueError(f"{name} must be one of {', '.join(FILL_MODES)}; got {value!r}")
    return str(value)


def _cval(name: str, value: Any) -> int | float:
    if not is_finite_number(value):
        raise ValueError(f"{name} must be a finite number; got {value!r}")
    return _plain(value)


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False; got {value!r}")
    return bool(value)


def _interpolation_order(name: str, value: Any) -> int:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or not 0 <= value <= 5
    ):
        raise ValueError(f"{name} must be an integer in [0, 5]; got {value!r}")
    return int(value)


# Parameter -> its check, which returns the value as plain JSON/TOML data (lists, never tuples).
_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "rotation_range": lambda n, v: _non_negative(n, v, "degrees"),
    "width_shift_range": _shift_range,
    "height_shift_range": _shift_range,
    "brightness_range": _brightness_range,
    "shear_range": lambda n, v: _non_negative(n, v, "degrees"),
    "zoom_range": _zoom_range,
    "channel_shift_range": lambda n, v: _non_negative(n, v, "on the 0-255 scale"),
    "fill_mode": _fill_mode,
    "cval": _cval,
    "horizontal_flip": _flag,
    "vertical_flip": _flag,
    "interpolation_order": _interpolation_order,
}


def check_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` (ImageDataGenerator arguments, all known) checked and as plain data, in the given order.

    Args:
        params: Some or all of the :data:`KERAS_DEFAULTS` keys.

    Raises:
        ValueError: The first invalid value (in Keras' parameter order), naming
            the parameter and the value received.
    """
    checked = {name: _CHECKS[name](name, params[name]) for name in KERAS_DEFAULTS if name in params}
    return {name: checked[name] for name in params}


def check_image_ops(ops: Any) -> dict[str, Any]:
    """The parameters of the one ImageDataGenerator op in ``ops``, checked and as plain data.

    Raises:
        ValueError: ``ops`` is not a list of exactly one op; or the op is not
            ImageDataGenerator, sets an argument that is not a random
            transform, an output option or an unknown parameter, or has an
            invalid value. Messages about the op start with
            ``ops[1] (<its name>): ``.
    """
    ops = check_ops_list(ops, f"{{'op': '{IMAGE_OP}', 'rotation_range': 30}}")
    if len(ops) != 1:
        raise ValueError(
            f"ops: takes exactly one op, {IMAGE_OP} (it already combines every image transform); "
            f"got {len(ops)}"
        )
    name, params = split_op(ops[0], 1)
    where = op_label(1, name)
    if name != IMAGE_OP:
        raise ValueError(
            f"{where}: unknown image op {name!r}{did_you_mean(name, [IMAGE_OP])}; the image op is {IMAGE_OP}"
        )
    for key in params:
        if key in KERAS_DEFAULTS or key == "engine":
            continue
        if key in NOT_RANDOM:
            raise ValueError(f"{where}: {key} cannot be used: {NOT_RANDOM[key]}")
        if key in OUTPUT_OPTIONS:
            raise ValueError(f"{where}: {key} is an output option: put it in [image], not in the op")
        if key in LIMITS:
            raise ValueError(f"{where}: {key} is an option of the table: put it in [image], not in the op")
        raise ValueError(
            f"{where}: unknown parameter {key!r}{did_you_mean(key, KERAS_DEFAULTS)}; "
            f"{IMAGE_OP} takes: engine, {', '.join(KERAS_DEFAULTS)}"
        )
    keras_params = {k: v for k, v in params.items() if k != "engine"}
    try:
        checked = check_params(keras_params)
        engine = check_engine(params.get("engine", DEFAULT_ENGINE), checked.get("interpolation_order", 1))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return {"engine": engine, **checked} if "engine" in params else checked


def check_max_pixels(value: Any) -> int:
    """``max_pixels`` checked: a whole number of pixels >= 1.

    Raises:
        ValueError: Naming max_pixels and the value received.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"max_pixels must be a whole number of pixels >= 1 (width x height; the default is "
                         f"{MAX_PIXELS}); got {value!r}")
    return int(value)


def check_engine(engine: Any, interpolation_order: int) -> str:
    """``engine`` checked, and able to apply ``interpolation_order``.

    Raises:
        ValueError: Not one of :data:`ENGINES`; or an order above 1 for the
            native engine (the message names the Keras engine).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(map(repr, ENGINES))}; got {engine!r}"
                         f"{did_you_mean(str(engine), ENGINES)}")
    if engine == "opencv" and interpolation_order not in NATIVE_ORDERS:
        raise ValueError(
            f"interpolation_order={interpolation_order} needs engine = \"keras\": the opencv engine applies "
            "orders 0 (nearest) and 1 (bilinear) only; spline orders above 1 have no OpenCV counterpart"
        )
    return str(engine)
