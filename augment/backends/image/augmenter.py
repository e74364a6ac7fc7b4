"""ImageAugmenter: TensorFlow Keras' ``ImageDataGenerator`` on real image files.

The random transform is drawn with ``ImageDataGenerator.get_random_transform``
(from the global ``numpy.random`` state that :meth:`Augmenter.augment` seeds),
recorded as plain JSON data, and then applied: the geometry (rotation, shifts,
shear, zoom, flips) by ``ImageDataGenerator.apply_transform`` over every
channel, alpha included, so transparency moves with the picture; the channel
shift by the same Keras code over the colour channels only; and the brightness
factor directly (see :meth:`ImageAugmenter._apply`), never touching alpha.

Files go through Pillow. :meth:`ImageAugmenter.read` applies the EXIF
orientation, keeps Pillow's safety limits on (truncated files are errors, the
decompression-bomb limit stays) and turns every decoding failure into a
:class:`~augment.base.BadInputError`. Mode and size survive an augmentation:
``1``, ``L``, ``LA``, ``P`` (augmented in RGB/RGBA and re-quantised to an
adaptive palette), ``RGB``, ``RGBA``, ``CMYK``, 16-bit ``I;16``/``I;16B``,
32-bit ``I`` and float ``F``. Animated or multi-page files (GIF, TIFF, PNG,
WebP with more than one frame) are rejected with a BadInputError rather than
silently reduced to their first frame.

Neither TensorFlow nor Pillow is imported with this module; constructing and
validating an ImageAugmenter imports neither. TensorFlow is imported on the
first augmentation, inside :func:`_image_data_generator_class` only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from augment.base import Augmenter, BadInputError, is_finite_number, nonempty_file_size
from augment.registry import EXTENSIONS, install_hint

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = ["ImageAugmenter"]

_FILL_MODES = ("constant", "nearest", "reflect", "wrap")

_FORMATS: dict[str, str] = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".png": "PNG",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}

# Modes each writer stores as they are; anything else is converted first.
_SAVE_MODES: dict[str, frozenset[str]] = {
    "JPEG": frozenset({"1", "L", "RGB", "CMYK"}),
    "PNG": frozenset({"1", "L", "LA", "I", "I;16", "I;16B", "P", "RGB", "RGBA"}),
    "BMP": frozenset({"1", "L", "P", "RGB", "RGBA"}),
    "GIF": frozenset({"1", "L", "P", "RGB", "RGBA"}),
    "TIFF": frozenset({"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I;16B", "I", "F"}),
    "WEBP": frozenset({"RGB", "RGBA"}),
}
_ICC_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})
_EXIF_FORMATS = frozenset({"JPEG", "PNG", "TIFF", "WEBP"})

_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B")
_MODES = ("1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I", "F", *_SIXTEEN_BIT)
_ALPHA_MODES = frozenset({"LA", "RGBA"})
_ORIENTATION = 0x0112
# Image metadata carried from the source to the augmented image.
_KEPT_INFO = ("icc_profile", "dpi", "exif")
# Keras' legacy apply_affine_transform reaches scipy.ndimage through its
# deprecated ``interpolation`` namespace and SciPy warns on every call; the
# function it gets is the same, so the warning tells our users nothing.
_SCIPY_NAMESPACE_WARNING = r".*scipy\.ndimage\.interpolation.*"
# 65535 / 255: cval and channel shifts are given on the 8-bit scale.
_SIXTEEN_BIT_SCALE = 257


@functools.cache
def _image_data_generator_class() -> type:
    """Keras' ImageDataGenerator, imported on first use (this imports TensorFlow)."""
    # TensorFlow's start-up notes (CPU instructions, no CUDA, oneDNN) say nothing about
    # the user's files; its warnings and errors still show. A value the user set wins.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        with _native_info_dropped():
            from tensorflow.keras.preprocessing.image import ImageDataGenerator
    except ImportError as exc:
        raise ImportError(
            f"the image backend needs TensorFlow ({exc}); install it with: {install_hint('image')}"
        ) from exc
    return ImageDataGenerator


# Lines TensorFlow's C++ code writes at import, before absl logging is set up (so
# TF_CPP_MIN_LOG_LEVEL cannot stop them): INFO records and their continuation.
_NATIVE_INFO = re.compile(
    r"^(I\d{4} [\d:.]+ +\d+ \S+:\d+\] "
    r"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags)"
)


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


def _pil() -> Any:
    """The ``PIL.Image`` module, imported on first use."""
    try:
        from PIL import Image
    except ImportError as exc:
        raise ImportError(
            f"the image backend needs Pillow ({exc}); install it with: {install_hint('image')}"
        ) from exc
    return Image


_is_number = is_finite_number


def _plain(value: Any) -> int | float:
    """A Python int or float (NumPy scalars are not TOML-safe)."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def _non_negative(name: str, value: Any, unit: str) -> int | float:
    if not _is_number(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0 ({unit}); got {value!r}")
    return _plain(value)


def _shift_range(name: str, value: Any) -> int | float | list[int | float]:
    if _is_number(value) and value >= 0:
        return _plain(value)
    if (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) > 0
        and all(_is_number(v) and v >= 0 for v in value)
    ):
        return [_plain(v) for v in value]
    raise ValueError(
        f"{name} must be a number >= 0 (a fraction of the size when < 1, pixels otherwise; "
        f"an int n shifts by 0..n-1 pixels) or a non-empty list of such numbers to choose from; "
        f"got {value!r}"
    )


def _zoom_range(value: Any) -> int | float | list[int | float]:
    if _is_number(value) and 0 <= value < 1:
        return _plain(value)
    if (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) == 2
        and all(_is_number(v) for v in value)
        and 0 < value[0] <= value[1]
    ):
        return [_plain(v) for v in value]
    raise ValueError(
        "zoom_range must be a number in [0, 1) (zoom drawn from [1 - z, 1 + z]) or a pair "
        f"[lower, upper] with 0 < lower <= upper; got {value!r}"
    )


def _brightness_range(value: Any) -> list[float] | None:
    if value is None:
        return None
    if (
        isinstance(value, (list, tuple, np.ndarray))
        and len(value) == 2
        and all(_is_number(v) for v in value)
        and 0 < value[0] <= value[1]
    ):
        return [float(v) for v in value]
    raise ValueError(
        "brightness_range must be None or a pair [lower, upper] of factors with "
        f"0 < lower <= upper (1.0 keeps the brightness); got {value!r}"
    )


def _quality(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 100:
        raise ValueError(f"{name} must be an integer in [1, 100]; got {value!r}")
    return int(value)


def _record(transform: dict[str, Any]) -> dict[str, Any]:
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


def _op_record(transform: dict[str, Any]) -> dict[str, Any]:
    """The params entry of the one op: its name, then Keras' transform dict (flat)."""
    return {"op": "ImageDataGenerator", **transform}


def _stripped_exif(image: PILImage.Image) -> bytes | None:
    """The image's EXIF without its orientation tag (the pixels are already upright)."""
    if "exif" not in image.info:
        return None
    exif = image.getexif()
    exif.pop(_ORIENTATION, None)
    return exif.tobytes() if len(exif) else None


def _ink_brightness(inverted: np.ndarray, factor: float, top: float) -> np.ndarray:
    """Scale the light of inverted CMYK pixels by ``factor``.

    Pillow renders CMYK as R = (255 - C) * (255 - K) / 255 (and so on), so
    multiplying the inverted K by the factor multiplies R, G and B by it. Where
    K runs out (inverted K reaches the top), the rest of the factor goes to the
    inverted C, M and Y, which is still exact until they saturate too.
    """
    out = inverted.copy()
    wanted = inverted[..., 3] * factor
    black = np.minimum(wanted, top)
    rest = np.divide(wanted, black, out=np.ones_like(wanted), where=black > 0)
    out[..., :3] *= rest[..., None]
    out[..., 3] = black
    return out


def _has_palette_alpha(image: PILImage.Image) -> bool:
    return "transparency" in image.info or (
        image.palette is not None and image.palette.mode == "RGBA"
    )


def _quantize(rgb: np.ndarray, alpha: np.ndarray | None) -> PILImage.Image:
    """Back to a palette image with an adaptive palette (index 255 transparent if alpha)."""
    Image = _pil()
    height, width = rgb.shape[:2]
    colours = Image.frombytes("RGB", (width, height), np.ascontiguousarray(rgb).tobytes())
    if alpha is None:
        return colours.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    # GIF (and PNG palettes, as Pillow writes them) have one transparent index:
    # alpha becomes binary, with the opaque colours sharing the other 255 entries.
    quantized = colours.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
    indices = np.array(quantized, dtype=np.uint8)
    indices[alpha < 128] = 255
    palette = (quantized.getpalette() or [])[: 255 * 3]
    palette += [0] * (256 * 3 - len(palette))
    out = Image.frombytes("P", (width, height), indices.tobytes())
    out.putpalette(palette)
    out.info["transparency"] = 255
    return out


def _array_to_image(array: np.ndarray) -> PILImage.Image:
    """The PIL image an in-memory array stands for (see ImageAugmenter's docstring)."""
    Image = _pil()
    _check_array(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    height, width = array.shape[:2]
    if array.dtype == np.uint16:
        if array.ndim != 2:
            raise ValueError(
                "only single-channel uint16 arrays can be written (Pillow has no 16-bit colour "
                f"modes); got shape {array.shape}"
            )
        return Image.frombytes("I;16", (width, height), array.astype("<u2").tobytes())
    mode = {2: "L", 3: {2: "LA", 3: "RGB", 4: "RGBA"}.get(array.shape[-1])}[array.ndim]
    return Image.frombytes(mode, (width, height), np.ascontiguousarray(array).tobytes())


def _check_array(array: np.ndarray) -> None:
    if array.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image arrays must have dtype uint8 or uint16; got dtype {array.dtype}")
    if not (array.ndim == 2 or (array.ndim == 3 and array.shape[2] in (1, 2, 3, 4))):
        raise ValueError(
            "image arrays must be HxW or HxWxC with C in 1..4 (2 and 4 end with alpha); "
            f"got shape {array.shape}"
        )
    if 0 in array.shape:
        raise ValueError(f"image arrays must not be empty; got shape {array.shape}")


def _to_eight_bit(image: PILImage.Image) -> PILImage.Image:
    Image = _pil()
    values = np.asarray(image).astype(np.float64)
    if image.mode in _SIXTEEN_BIT:
        values = values / _SIXTEEN_BIT_SCALE
    values = np.clip(np.rint(values), 0, 255).astype(np.uint8)
    return Image.frombytes("L", image.size, values.tobytes())


def _writable(image: PILImage.Image, fmt: str) -> PILImage.Image:
    """``image`` in a mode the format's writer stores (unchanged when it already is)."""
    allowed = _SAVE_MODES[fmt]
    if image.mode in allowed:
        return image
    info = dict(image.info)
    if image.mode in (*_SIXTEEN_BIT, "I", "F"):
        image = _to_eight_bit(image)
        if image.mode in allowed:
            image.info.update(info)
            return image
    alpha = image.mode in ("LA", "RGBA", "PA") or (image.mode == "P" and _has_palette_alpha(image))
    gray = image.mode in ("1", "L", "LA")
    candidates = (["LA"] if alpha and gray else []) + (["RGBA"] if alpha else [])
    candidates += (["L"] if gray else []) + ["RGB"]
    target = next(mode for mode in candidates if mode in allowed)
    converted = image.convert(target)
    converted.info.update({k: v for k, v in info.items() if k != "transparency"})
    return converted


class ImageAugmenter(Augmenter):
    """Random geometric and photometric transforms with Keras' ``ImageDataGenerator``.

    The transform arguments have ImageDataGenerator's names and meanings; the
    defaults are this project's (a generator built with Keras' own defaults
    transforms nothing).

    Args:
        rotation_range: Degrees; the angle is drawn from [-r, r].
        width_shift_range: Horizontal shift: a fraction of the width when < 1,
            pixels otherwise; an int n draws whole pixels 0..n-1 with a random
            sign; a list gives the values to choose from (with a random sign).
        height_shift_range: The same, vertically.
        brightness_range: None, or [lower, upper] factors drawn uniformly
            (pixel values are multiplied by the factor, as Pillow's
            ``ImageEnhance.Brightness`` does).
        shear_range: Shear angle in degrees, drawn from [-s, s].
        zoom_range: z for [1 - z, 1 + z], or [lower, upper]; x and y zoom are
            drawn separately.
        channel_shift_range: Intensity drawn from [-c, c] and added to every
            colour channel, clipped to the image's own min and max (Keras).
        fill_mode: "constant", "nearest", "reflect" or "wrap": how pixels
            outside the source are filled.
        cval: The fill value for fill_mode="constant" (alpha is filled with it too).
        horizontal_flip: Flip left-right with probability 0.5.
        vertical_flip: Flip top-bottom with probability 0.5.
        interpolation_order: Spline order 0..5 (0 nearest, 1 bilinear).
        jpeg_quality: Quality (1..100) of written JPEG files.
        webp_quality: Quality (1..100) of written (lossy) WebP files.

    ``cval`` and ``channel_shift_range`` are on the 8-bit scale: for 16-bit
    images they are multiplied by 257. For CMYK the colour operations work on
    inverted ink (255 - value) so that they mean what they mean for RGB:
    cval=0 fills with black, a positive channel shift brightens, and the
    brightness factor scales the inverted K channel, then (where K runs out)
    the inverted C, M and Y, which scales every RGB value by that factor under
    Pillow's CMYK model.

    In memory, :meth:`augment` takes a ``PIL.Image.Image`` (returned in the same
    mode and size) or a NumPy array: uint8 or uint16, HxW or HxWxC with C in
    1..4, where C of 2 or 4 means the last channel is alpha; it is returned
    with the same shape and dtype. Values are computed in floating point,
    rounded and clipped to the dtype's range (never wrapped). :meth:`read`
    returns a loaded, upright ``PIL.Image.Image``.

    ``params`` hold ``ops``: one entry, ``{"op": "ImageDataGenerator"}`` plus
    Keras' transform dict as applied (theta, tx (rows), ty (columns), shear,
    zx, zy, flip_horizontal, flip_vertical, channel_shift_intensity,
    brightness; ``apply_transform`` accepts the entry as it is), ``mode`` (the PIL mode, or "array"),
    ``size`` [width, height] and, for palette and bilevel images, ``via`` (the
    mode the pixels were augmented in).
    """

    modality: ClassVar[str] = "image"
    extensions: ClassVar[frozenset[str]] = EXTENSIONS["image"]

    def __init__(
        self,
        rotation_range: float = 30,
        width_shift_range: float | list[float] = 0.2,
        height_shift_range: float | list[float] = 0.2,
        brightness_range: list[float] | None = None,
        shear_range: float = 0.0,
        zoom_range: float | list[float] = 0.0,
        channel_shift_range: float = 0.0,
        fill_mode: str = "nearest",
        cval: float = 0.0,
        horizontal_flip: bool = True,
        vertical_flip: bool = False,
        interpolation_order: int = 1,
        jpeg_quality: int = 95,
        webp_quality: int = 90,
    ) -> None:
        self.rotation_range = _non_negative("rotation_range", rotation_range, "degrees")
        self.width_shift_range = _shift_range("width_shift_range", width_shift_range)
        self.height_shift_range = _shift_range("height_shift_range", height_shift_range)
        self.brightness_range = _brightness_range(brightness_range)
        self.shear_range = _non_negative("shear_range", shear_range, "degrees")
        self.zoom_range = _zoom_range(zoom_range)
        self.channel_shift_range = _non_negative(
            "channel_shift_range", channel_shift_range, "on the 0-255 scale"
        )
        if fill_mode not in _FILL_MODES:
            raise ValueError(
                f"fill_mode must be one of {', '.join(_FILL_MODES)}; got {fill_mode!r}"
            )
        self.fill_mode = fill_mode
        if not _is_number(cval):
            raise ValueError(f"cval must be a finite number; got {cval!r}")
        self.cval = _plain(cval)
        for name, flag in (("horizontal_flip", horizontal_flip), ("vertical_flip", vertical_flip)):
            if not isinstance(flag, (bool, np.bool_)):
                raise ValueError(f"{name} must be True or False; got {flag!r}")
        self.horizontal_flip = bool(horizontal_flip)
        self.vertical_flip = bool(vertical_flip)
        if (
            isinstance(interpolation_order, (bool, np.bool_))
            or not isinstance(interpolation_order, (int, np.integer))
            or not 0 <= interpolation_order <= 5
        ):
            raise ValueError(
                f"interpolation_order must be an integer in [0, 5]; got {interpolation_order!r}"
            )
        self.interpolation_order = int(interpolation_order)
        self.jpeg_quality = _quality("jpeg_quality", jpeg_quality)
        self.webp_quality = _quality("webp_quality", webp_quality)
        # value scale -> ImageDataGenerator, built on first use (importing TensorFlow).
        self._generators: dict[int, Any] = {}

    def config(self) -> dict[str, Any]:
        """The constructor arguments, JSON- and TOML-safe (lists, never tuples)."""
        def copy(value: Any) -> Any:
            return list(value) if isinstance(value, list) else value

        return {
            "rotation_range": self.rotation_range,
            "width_shift_range": copy(self.width_shift_range),
            "height_shift_range": copy(self.height_shift_range),
            "brightness_range": copy(self.brightness_range),
            "shear_range": self.shear_range,
            "zoom_range": copy(self.zoom_range),
            "channel_shift_range": self.channel_shift_range,
            "fill_mode": self.fill_mode,
            "cval": self.cval,
            "horizontal_flip": self.horizontal_flip,
            "vertical_flip": self.vertical_flip,
            "interpolation_order": self.interpolation_order,
            "jpeg_quality": self.jpeg_quality,
            "webp_quality": self.webp_quality,
        }

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageAugmenter) and other.config() == self.config()

    def __hash__(self) -> int:
        return hash(repr(sorted(self.config().items())))

    def __getstate__(self) -> dict[str, Any]:
        # A copy (e.g. in a worker process) builds its own generators lazily.
        state = self.__dict__.copy()
        state["_generators"] = {}
        return state

    def _generator(self, value_scale: int) -> Any:
        generator = self._generators.get(value_scale)
        if generator is None:
            generator = self._generators[value_scale] = _image_data_generator_class()(
                rotation_range=self.rotation_range,
                width_shift_range=self.width_shift_range,
                height_shift_range=self.height_shift_range,
                brightness_range=self.brightness_range,
                shear_range=self.shear_range,
                zoom_range=self.zoom_range,
                channel_shift_range=self.channel_shift_range,
                fill_mode=self.fill_mode,
                cval=self.cval * value_scale,
                horizontal_flip=self.horizontal_flip,
                vertical_flip=self.vertical_flip,
                interpolation_order=self.interpolation_order,
                data_format="channels_last",
            )
        return generator

    # -- augmentation -------------------------------------------------------

    def _augment(self, data: Any, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        if kwargs:
            raise TypeError(f"ImageAugmenter.augment got unexpected arguments: {', '.join(kwargs)}")
        if isinstance(data, np.ndarray):
            return self._augment_array(data)
        Image = _pil()
        if isinstance(data, Image.Image):
            return self._augment_image(data)
        raise ValueError(
            f"ImageAugmenter augments a PIL.Image.Image or a NumPy array; got {type(data).__name__}"
        )

    def _augment_array(self, array: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        _check_array(array)
        pixels = array[..., None] if array.ndim == 2 else array
        scale = _SIXTEEN_BIT_SCALE if array.dtype == np.uint16 else 1
        out, transform = self._apply(
            pixels, alpha=pixels.shape[2] in (2, 4), value_scale=scale, ink=False
        )
        out = out.reshape(array.shape)
        height, width = array.shape[:2]
        return out, {"ops": [_op_record(transform)], "mode": "array", "size": [width, height]}

    def _augment_image(self, image: PILImage.Image) -> tuple[PILImage.Image, dict[str, Any]]:
        Image = _pil()
        mode = image.mode
        if mode not in _MODES:
            raise ValueError(
                f"unsupported image mode {mode!r}; supported modes: {', '.join(_MODES)}"
            )
        params: dict[str, Any] = {"mode": mode, "size": list(image.size)}
        source = image
        if mode == "P":
            source = image.convert("RGBA" if _has_palette_alpha(image) else "RGB")
            params["via"] = source.mode
        elif mode == "1":
            source = image.convert("L")
            params["via"] = "L"
        pixels = np.asarray(source)
        if pixels.ndim == 2:
            pixels = pixels[..., None]
        scale = _SIXTEEN_BIT_SCALE if mode in _SIXTEEN_BIT else 1
        out, transform = self._apply(
            pixels, alpha=source.mode in _ALPHA_MODES, value_scale=scale, ink=mode == "CMYK"
        )
        params = {"ops": [_op_record(transform)], **params}

        if mode == "P":
            alpha = out[..., 3] if out.shape[2] == 4 else None
            result = _quantize(out[..., :3], alpha)
        elif mode == "1":
            # A plain threshold: dithering would sprinkle noise over the edges.
            gray = Image.frombytes("L", image.size, np.ascontiguousarray(out).tobytes())
            result = gray.convert("1", dither=Image.Dither.NONE)
        else:
            result = Image.frombytes(mode, image.size, np.ascontiguousarray(out).tobytes())
        for key in _KEPT_INFO:
            if key in image.info:
                result.info[key] = image.info[key]
        if "transparency" in image.info and mode != "P":
            result.info["transparency"] = image.info["transparency"]
        exif = _stripped_exif(image)
        if exif is None:
            result.info.pop("exif", None)
        else:
            result.info["exif"] = exif
        result.format = image.format
        return result, params

    def _apply(
        self, pixels: np.ndarray, *, alpha: bool, value_scale: int, ink: bool
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Draw Keras' transform for ``pixels`` (HxWxC), then apply it.

        Returns the transformed pixels (same shape and dtype) and the recorded
        transform.
        """
        generator = self._generator(value_scale)
        # Sample first: every random number is drawn here, before any pixel moves.
        transform = _record(generator.get_random_transform(pixels.shape))

        dtype = pixels.dtype
        integer = np.issubdtype(dtype, np.integer)
        # float32 holds 16-bit values exactly; 32-bit "I" images need float64.
        work = pixels.astype(np.float64 if dtype.itemsize > 2 and integer else np.float32)
        top = float(np.iinfo(dtype).max) if integer else 0.0
        if ink:
            work = top - work

        geometry = dict(transform, channel_shift_intensity=None, brightness=None)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message=_SCIPY_NAMESPACE_WARNING, category=DeprecationWarning
            )
            work = generator.apply_transform(work, geometry)

        colour = work[..., :-1] if alpha else work
        intensity = transform.get("channel_shift_intensity")
        if intensity is not None:
            # Keras' own channel shift (clipped to the image's min and max), on
            # the colour channels only; no geometry keys, so nothing else moves.
            colour = generator.apply_transform(
                colour, {"channel_shift_intensity": intensity * value_scale}
            )
        brightness = transform.get("brightness")
        if brightness is not None:
            # Keras' apply_brightness_shift goes through an 8-bit PIL image: it
            # truncates the floats, squeezes 16-bit data into 8 bits and back,
            # cannot take two channels (LA) and would dim alpha with the colour.
            # ImageEnhance.Brightness multiplies every value by the factor, so we
            # apply that same sampled factor ourselves at full precision.
            colour = _ink_brightness(colour, brightness, top) if ink else colour * brightness
        if alpha:
            work = np.concatenate([colour, work[..., -1:]], axis=-1)
        else:
            work = colour
        if ink:
            work = top - work

        if integer:
            info = np.iinfo(dtype)
            out = np.clip(np.rint(work), info.min, info.max).astype(dtype)
        else:
            out = work.astype(dtype)
        return out, transform

    # -- files ----------------------------------------------------------------

    def read(self, path: str | os.PathLike[str]) -> PILImage.Image:
        """Open and decode an image, upright (EXIF orientation applied).

        Returns:
            A loaded ``PIL.Image.Image`` with its ``format`` and ``info``
            (ICC profile, EXIF without the orientation tag...).

        Raises:
            BadInputError: The file is empty, truncated, not an image, larger
                than Pillow's decompression-bomb limit, animated/multi-page,
                or in an unsupported mode.
        """
        Image = _pil()
        from PIL import ImageOps

        path = os.fspath(path)
        nonempty_file_size(path)
        try:
            # Our own file handle: Pillow then never leaves one open on error.
            with open(path, "rb") as handle, warnings.catch_warnings():
                # Above MAX_IMAGE_PIXELS Pillow only warns; we refuse (up to 2x
                # the limit such an image would still be decoded into memory).
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                # Pillow warns about damaged metadata (e.g. "Corrupt EXIF data")
                # and decodes on; a per-file run has nowhere to show a warning,
                # and a file that really cannot be decoded still raises below.
                warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
                with Image.open(handle) as opened:
                    frames = getattr(opened, "n_frames", 1)
                    if frames > 1:
                        raise BadInputError(
                            path,
                            f"animated or multi-page {opened.format} image with {frames} frames; "
                            "only single-frame images are augmented",
                        )
                    opened.load()
                    image = ImageOps.exif_transpose(opened)
                    image.format = opened.format
        except BadInputError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise BadInputError(path, _bomb_reason(Image, exc)) from exc
        except Image.UnidentifiedImageError as exc:
            raise BadInputError(
                path, "not an image Pillow can identify (unknown format or damaged header)"
            ) from exc
        except Exception as exc:  # decoders raise OSError, SyntaxError, ValueError...
            detail = str(exc) or type(exc).__name__
            raise BadInputError(path, f"cannot decode the image: {detail}") from exc
        if image.mode not in _MODES:
            raise BadInputError(
                path, f"unsupported image mode {image.mode!r}; supported: {', '.join(_MODES)}"
            )
        if "exif" in image.info:
            exif = _stripped_exif(image)
            if exif is None:
                del image.info["exif"]
            else:
                image.info["exif"] = exif
        return image

    def write(self, data: Any, path: str | os.PathLike[str]) -> None:
        """Save an image (PIL image or array) in the format the extension names.

        JPEG uses ``jpeg_quality`` and WebP ``webp_quality``; the ICC profile is
        kept where the format can hold it, EXIF is written without an
        orientation tag. A mode the format cannot store is converted (alpha is
        dropped for JPEG, 16-bit becomes 8-bit...).
        """
        Image = _pil()
        suffix = Path(path).suffix.lower()
        fmt = _FORMATS.get(suffix)
        if fmt is None:
            raise ValueError(
                f"{os.fspath(path)}: cannot write images with extension {suffix!r}; "
                f"supported: {', '.join(sorted(_FORMATS))}"
            )
        if isinstance(data, np.ndarray):
            image = _array_to_image(data)
        elif isinstance(data, Image.Image):
            image = data
        else:
            raise ValueError(
                f"can only write a PIL.Image.Image or a NumPy array; got {type(data).__name__}"
            )
        image = _writable(image, fmt)
        options: dict[str, Any] = {}
        if fmt == "JPEG":
            options["quality"] = self.jpeg_quality
        elif fmt == "WEBP":
            options["quality"] = self.webp_quality
        icc = image.info.get("icc_profile")
        if icc and fmt in _ICC_FORMATS:
            options["icc_profile"] = icc
        exif = _stripped_exif(image)
        if exif is not None and fmt in _EXIF_FORMATS:
            options["exif"] = exif
        if fmt in ("PNG", "TIFF", "JPEG") and "dpi" in image.info:
            options["dpi"] = image.info["dpi"]
        image.save(path, format=fmt, **options)


def _bomb_reason(Image: Any, exc: BaseException) -> str:
    match = re.search(r"\((\d+) pixels\)", str(exc))
    pixels = match.group(1) if match else "?"
    return (
        f"image has {pixels} pixels, above Pillow's decompression-bomb limit of "
        f"{Image.MAX_IMAGE_PIXELS} pixels (PIL.Image.MAX_IMAGE_PIXELS); refusing to decode it"
    )
