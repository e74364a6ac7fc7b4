"""Short labels for a preview: what was applied to a copy, read from its manifest params.

An image copy shows the transform that moved it (``rot -15.5°, shift x+2 y-21 px,
flip``: where the content went); an audio copy each op that applied, with its drawn values
(``AddGaussianNoise amplitude 0.013``); a text copy its changes (see
:mod:`augment.preview.marks`). Values that change nothing (a zoom of 1, a
shear of 0) are left out, so the label says what is different.
"""

from __future__ import annotations

from typing import Any

__all__ = ["copy_label", "number"]

def number(value: float) -> str:
    """``value`` in three significant figures, without a trailing ``.0``."""
    return f"{value:.3g}"


def _signed(value: float) -> str:
    value = value + 0.0  # no "-0"
    return f"{value:+.0f}" if abs(value) >= 1 or value == 0 else f"{value:+.2f}"


def _image_op(op: dict[str, Any]) -> list[str]:
    parts = []
    theta = op.get("theta")
    if isinstance(theta, (int, float)) and theta:
        parts.append(f"rot {theta:+.1f}°")
    tx, ty = op.get("tx"), op.get("ty")
    if isinstance(tx, (int, float)) and isinstance(ty, (int, float)) and (tx or ty):
        # How the content moves on screen: by -tx across and -ty down (ImageDataGenerator's own
        # axes: its height shift draws tx, which moves the content sideways).
        parts.append(f"shift x{_signed(-tx)} y{_signed(-ty)} px")
    zx, zy = op.get("zx"), op.get("zy")
    if isinstance(zx, (int, float)) and isinstance(zy, (int, float)) and (zx != 1 or zy != 1):
        parts.append(f"zoom {zx:.2f},{zy:.2f}")
    shear = op.get("shear")
    if isinstance(shear, (int, float)) and shear:
        parts.append(f"shear {shear:+.1f}°")
    if op.get("flip_horizontal"):
        parts.append("flip")
    if op.get("flip_vertical"):
        parts.append("v.flip")
    intensity = op.get("channel_shift_intensity")
    if isinstance(intensity, (int, float)):
        parts.append(f"ch.shift {intensity:+.1f}")
    brightness = op.get("brightness")
    if isinstance(brightness, (int, float)):
        parts.append(f"bright {brightness:.2f}")
    return parts or ["no change"]


def _generic_op(op: dict[str, Any]) -> str:
    """``Name value value``: the op's drawn numbers and words (its own keys, three at most)."""
    values = []
    for key, value in op.items():
        if key in ("op", "should_apply", "changes", "skipped", "quality", "engine"):
            continue
        if isinstance(value, bool):
            values.append(key if value else "")
        elif isinstance(value, (int, float)):
            values.append(f"{key} {number(value)}")
        elif isinstance(value, str) and len(value) <= 24:
            values.append(f"{key} {value}")
    values = [v for v in values if v][:3]
    return " ".join([str(op.get("op")), *values])


def copy_label(modality: str, params: Any) -> str:
    """What the manifest says was applied to a copy, in a few words."""
    if not isinstance(params, dict):
        return ""
    ops = [op for op in params.get("ops") or [] if isinstance(op, dict)]
    if modality == "text":
        from augment.preview.marks import change_list

        return change_list(params)
    parts: list[str] = []
    for op in ops:
        if op.get("should_apply") is False:
            continue  # its p skipped it for this copy
        if op.get("op") == "ImageDataGenerator":
            parts.extend(_image_op(op))
        else:
            parts.append(_generic_op(op))
    return ", ".join(parts) if parts else "no op applied"
