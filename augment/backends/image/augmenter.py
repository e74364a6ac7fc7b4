"""ImageAugmenter: Keras' ``ImageDataGenerator`` transforms on real image files.

The augmenter holds one op, ``{"op": "ImageDataGenerator", ...}`` (its
parameters and checks: :mod:`~augment.backends.image.op`), and hands it to the
engine the op names (:mod:`~augment.backends.image.engine`): "opencv", the
native engine (:mod:`~augment.backends.image.opencv_engine`, the default), or
"keras" (:mod:`~augment.backends.image.keras_engine`). The engine first draws
the transform from the global ``numpy.random`` state that
:meth:`Augmenter.augment` seeds, then applies it. Pixel modes are handled by
:mod:`~augment.backends.image.pixels`, files by :mod:`~augment.backends.image.io`.

Neither OpenCV, TensorFlow nor Pillow is imported with this module;
constructing and validating an ImageAugmenter imports none of them. The
native engine imports OpenCV on its first augmentation; only the Keras engine
imports TensorFlow (:func:`~augment.backends.image.keras_engine.image_data_generator_class`).
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from augment.backends.image.deep import Image16
from augment.backends.image.engine import Engine
from augment.backends.image.formats import KEEP, check_quality
from augment.backends.image.io import copy_metadata, read_image, read_image_ahead, write_image
from augment.backends.image.keras_engine import KERAS_INSTALL, KerasEngine, tensorflow_installed
from augment.backends.image.op import (
    DEFAULT_ENGINE,
    IMAGE_OP,
    KERAS_DEFAULTS,
    MAX_PIXELS,
    SHORTHAND_DEFAULTS,
    check_engine,
    check_image_ops,
    check_max_pixels,
    check_params,
)
from augment.backends.image.opencv_engine import OpenCVEngine
from augment.backends.image.pixels import (
    SIXTEEN_BIT_SCALE,
    PixelLayout,
    array_pixels,
    image_pixels,
    palette_of,
    pil,
    pixels_to_image,
    with_palette,
)
from augment.backends.image.rgbx import rgbx_view
from augment.core.augmenter import Augmenter
from augment.core.batch import BatchResult, item_seeds
from augment.core.checks import is_finite_number
from augment.core.ops import refuse_shorthand
from augment.core.read_ahead import PendingRead
from augment.core.registry import backend
from augment.core.seeding import saved_rng

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from PIL import Image as PILImage

__all__ = ["ENGINE_CLASSES", "QUALITIES_BEFORE_KEEP", "WRITE_BEHIND_PIXELS", "ImageAugmenter"]

#: The engines by the names an op gives them.
ENGINE_CLASSES: dict[str, type[Engine]] = {"opencv": OpenCVEngine, "keras": KerasEngine}

#: The recipe format (augment.run.recipe) from which an op without "engine" means the
#: native engine; recipes of earlier formats (and 0.1.0's) were applied by Keras. From
#: the same format, jpeg_quality and webp_quality default to "keep" (the source's).
NATIVE_ENGINE_SINCE = 2
#: What a table of an earlier format left out meant: quality 95 for JPEG, 90 for WebP.
QUALITIES_BEFORE_KEEP = {"jpeg_quality": 95, "webp_quality": 90}
#: The largest image (pixels) a run in one process writes on another thread while it augments the next.
WRITE_BEHIND_PIXELS = 4_000_000

# A transform's geometry when none: what colour operations on a palette are applied with.
_STILL = {"theta": 0.0, "tx": 0.0, "ty": 0.0, "shear": 0.0, "zx": 1.0, "zy": 1.0,
          "flip_horizontal": False, "flip_vertical": False}
_INDICES = PixelLayout(alpha=False, value_scale=1, ink=False)
_RGB = PixelLayout(alpha=False, value_scale=1, ink=False)


def _differs(value: Any, default: Any) -> bool:
    """Whether a shorthand argument was given a value other than its default.

    No default is a list, and a flag's default is a bool: a list, an array, a
    flag given as 1 or a number given as True is never the default.
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        return True
    if isinstance(value, (bool, np.bool_)) != isinstance(default, bool):
        return True
    return bool(value != default)


_BATCH_DTYPES = (np.uint8, np.uint16, np.float32)


def _check_value_range(value_range: Any) -> tuple[float, float]:
    if (
        not isinstance(value_range, (tuple, list))
        or len(value_range) != 2
        or not all(is_finite_number(v) for v in value_range)
        or not value_range[0] < value_range[1]
    ):
        raise ValueError(f"value_range must be (lo, hi), two finite numbers with lo < hi; got {value_range!r}")
    return float(value_range[0]), float(value_range[1])


def _batch_pixels(batch: np.ndarray, value_range: Any) -> tuple[np.ndarray, PixelLayout, tuple[float, float] | None]:
    """A batch array as NxHxWxC pixels the engine takes, their layout, and a float batch's (lo, hi).

    Float pixels come back on the 0-255 scale (a float32 copy), the scale the
    op's cval and channel shift are given on.

    Raises:
        ValueError: Not an image batch (shape, dtype), or a float batch without
            a value_range or with values outside it; a value_range for integers.
    """
    if batch.ndim not in (3, 4) or (batch.ndim == 4 and batch.shape[3] not in (1, 2, 3, 4)):
        raise ValueError("an image batch array is (N, H, W) or (N, H, W, C) with C in 1..4 (2 and 4 end with "
                         f"alpha); got shape {batch.shape}")
    if batch.shape[1] == 0 or batch.shape[2] == 0:
        raise ValueError(f"the images of a batch must not be empty; got shape {batch.shape}")
    if batch.dtype not in _BATCH_DTYPES:
        raise ValueError(f"an image batch must have dtype uint8, uint16 or float32; got {batch.dtype}")
    pixels = batch if batch.ndim == 4 else batch[..., None]
    layout = PixelLayout(alpha=pixels.shape[3] in (2, 4),
                         value_scale=SIXTEEN_BIT_SCALE if batch.dtype == np.uint16 else 1, ink=False)
    if batch.dtype != np.float32:
        if value_range is not None:
            top = np.iinfo(batch.dtype).max
            raise ValueError(f"value_range is for float32 batches; {batch.dtype} pixels are on 0..{top}")
        return pixels, layout, None
    if value_range is None:
        raise ValueError("a float32 image batch needs value_range=(lo, hi), the range its pixels are on, "
                         "e.g. (0, 1) or (-1, 1): cval and channel_shift_range are given on 0-255 and are scaled to it")
    low, high = _check_value_range(value_range)
    if batch.size:
        found_low, found_high = float(batch.min()), float(batch.max())
        if not (low <= found_low and found_high <= high):  # NaN fails too
            raise ValueError(f"the batch's pixels span [{found_low:g}, {found_high:g}], outside value_range "
                             f"({low:g}, {high:g}); give the range they are on")
    scaled = (pixels - np.float32(low)) * np.float32(255.0 / (high - low))
    return scaled, layout, (low, high)


class ImageAugmenter(Augmenter):
    """Random geometric and photometric transforms: Keras' ``ImageDataGenerator``.

    Built like every augmenter: ``ImageAugmenter(ops=[{"op":
    "ImageDataGenerator", **params}], jpeg_quality="keep", webp_quality="keep")``,
    with exactly one op. Its parameters have ImageDataGenerator's names and
    meanings, and those left out take *Keras'* defaults (no rotation, shift,
    flip...). The op's ``engine`` says what applies it: "opencv" (the
    default) draws exactly what Keras draws and applies it natively, matching
    Keras within a level or so (see the README); "keras" is Keras itself and
    needs TensorFlow. The keyword arguments are a shorthand for that op with all
    twelve parameters and *this project's* defaults: ``ImageAugmenter()`` is
    rotation_range=30, width_shift_range=0.2, height_shift_range=0.2,
    horizontal_flip=True (a generator with Keras' defaults transforms
    nothing); with ``ops``, put them inside the op instead.

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
        interpolation_order: Spline order 0..5 (0 nearest, 1 bilinear); above
            1 only with engine="keras".
        engine: "opencv" (native, the default) or "keras" (TensorFlow).
        jpeg_quality: "keep" (the default; None means the same): a JPEG
            keeps its source's quantisation tables, i.e. its quality (a source
            of another format: 95); or a quality 1..100. Either way a JPEG
            keeps its source's chroma subsampling and progressive flag.
        webp_quality: "keep" (the default; None too): a lossless WebP stays
            lossless, a lossy one is written at its own quality, read back
            from its quantiser (a source of another format: 90); or a quality
            1..100 (lossy).
        ops: ``[{"op": "ImageDataGenerator", **params}]``; None: the shorthand's op.
        max_pixels: The most pixels (width x height) an image file may have
            (default 50,000,000): :meth:`read` refuses a bigger one from its
            header, before decoding it, as a per-file error. It decides which
            files are augmented, never an output's bytes. In-memory images are
            not limited.

    Raises:
        ValueError: An argument or the op is invalid. Messages about the op
            start with ``ops[1] (<its name>): `` and name the parameter;
            shorthand arguments are named as they were given.

    ``cval`` and ``channel_shift_range`` are on the 8-bit scale: for 16-bit
    images they are multiplied by 257. For CMYK the colour operations work on
    inverted ink (255 - value) so that they mean what they mean for RGB:
    cval=0 fills with black, a positive channel shift brightens, and the
    brightness factor scales the inverted K channel, then (where K runs out)
    the inverted C, M and Y, which scales every RGB value by that factor under
    Pillow's CMYK model.

    Palette images keep their palette and their indices: the geometry moves
    the indices by nearest neighbour (whatever ``interpolation_order``), so
    every index in the output is one of the source's (an index-coded mask
    keeps its classes), ``cval`` is the *index* a constant fill takes, and the
    channel shift and brightness are applied to the palette entries the
    output uses (the colours are those an RGB copy would get with nearest
    interpolation).

    In memory, :meth:`augment` takes a ``PIL.Image.Image`` (returned in the same
    mode and size), an :class:`~augment.backends.image.deep.Image16` (16-bit
    RGB, RGBA or grey+alpha, which Pillow cannot hold; returned as one) or a
    NumPy array: uint8 or uint16, HxW or HxWxC with C in 1..4, where C of 2 or
    4 means the last channel is alpha; it is returned with the same shape and
    dtype. Values are computed in floating point, rounded and clipped to the
    dtype's range (never wrapped). :meth:`read` returns a loaded, upright
    ``PIL.Image.Image``, or an ``Image16`` for a 16-bit colour PNG or TIFF;
    either carries the source's metadata and encoder settings, which
    :meth:`write` keeps (see :mod:`~augment.backends.image.formats`).

    :meth:`augment_batch` takes a batch array, (N,H,W) or (N,H,W,C) with C in
    1..4 (2 and 4 end with alpha), of uint8, uint16 or float32, and returns one
    of the same shape and dtype; or a list of anything :meth:`augment` takes.
    Float32 pixels state their range, ``value_range=(lo, hi)`` (e.g. (0, 1) or
    (-1, 1); an error without it): ``cval`` and ``channel_shift_range``, on
    ImageDataGenerator's 0-255 scale, are scaled to it (``lo + cval * (hi -
    lo) / 255``), the brightness factor scales the distance from ``lo``, and
    the result is clipped to the range, as integer pixels are to their dtype's;
    their params also hold ``value_range``. Each item is drawn and applied by
    the engine on its own, without encoding, under its item seed.

    ``params`` hold ``ops``: one entry, ``{"op": "ImageDataGenerator",
    "engine": ...}`` plus Keras' transform dict as applied (theta, tx (rows), ty (columns), shear,
    zx, zy, flip_horizontal, flip_vertical, channel_shift_intensity,
    brightness; ``apply_transform`` accepts the entry as it is), ``mode`` (the PIL mode, or "array"),
    ``size`` [width, height] and, for palette and bilevel images, ``via`` (what
    the pixels were augmented as: "indices", or "L").
    """

    modality: ClassVar[str] = "image"
    extensions: ClassVar[frozenset[str]] = backend("image").extensions
    options: ClassVar[tuple[str, ...]] = ("jpeg_quality", "webp_quality", "max_pixels")
    #: Options that only refuse inputs, never change an output's bytes (left out of a recipe's fingerprint).
    limits: ClassVar[tuple[str, ...]] = ("max_pixels",)
    # Decoded once per source for all its copies: augmenting never changes the data read.
    reads_are_shareable: ClassVar[bool] = True
    # Pillow's decoders release the GIL: the next file decodes while this one is warped.
    reads_ahead: ClassVar[bool] = True
    takes_value_range: ClassVar[bool] = True
    default_table: ClassVar[Mapping[str, Any]] = {
        "jpeg_quality": KEEP,
        "webp_quality": KEEP,
        "max_pixels": MAX_PIXELS,
        "ops": [{"op": IMAGE_OP, "rotation_range": 30, "width_shift_range": 0.2,
                 "height_shift_range": 0.2, "horizontal_flip": True}],
    }

    @classmethod
    def explicit_ops(cls, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each ImageDataGenerator op with its engine and Keras' defaults written out for what it leaves out."""
        defaults = {"engine": DEFAULT_ENGINE, **{k: v for k, v in KERAS_DEFAULTS.items() if v is not None}}
        return [{"op": op["op"], **defaults, **op} if op.get("op") == IMAGE_OP else dict(op) for op in ops]

    @classmethod
    def table_as_of(cls, table: dict[str, Any], version: int) -> dict[str, Any]:
        """A table of a recipe of format ``version``, with what it meant then written in.

        Before format 2 every image op was applied by Keras, and the qualities
        were 95 (JPEG) and 90 (WebP): "keep" did not exist then, so a "keep"
        in such a table is the current default the recipe layer filled in for
        a quality the table left out. A quality a table (a rule's) leaves out
        stays left out.
        """
        if version >= NATIVE_ENGINE_SINCE:
            return table
        out = dict(table)
        for key, before in QUALITIES_BEFORE_KEEP.items():
            if out.get(key, before) == KEEP:
                out[key] = before
        if "ops" in out:
            out["ops"] = [{"engine": "keras", **op} if op.get("op") == IMAGE_OP else dict(op) for op in out["ops"]]
        return out

    @classmethod
    def prepare(cls, config: Mapping[str, Any]) -> None:
        """Check that the engine the op names can run here (the Keras engine needs TensorFlow).

        Raises:
            LookupError: The op names the Keras engine and TensorFlow is not installed.
        """
        ops = config.get("ops") or cls.default_table["ops"]
        if any(op.get("engine") == "keras" for op in ops) and not tensorflow_installed():
            raise LookupError(
                f'engine = "keras" needs TensorFlow, which is not installed; install it with: {KERAS_INSTALL}, '
                'or use engine = "opencv" (the native engine)'
            )

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
        jpeg_quality: int | str | None = KEEP,
        webp_quality: int | str | None = KEEP,
        *,
        engine: str = DEFAULT_ENGINE,
        ops: Sequence[Mapping[str, Any]] | None = None,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        shorthand: dict[str, Any] = {
            "rotation_range": rotation_range, "width_shift_range": width_shift_range,
            "height_shift_range": height_shift_range, "brightness_range": brightness_range,
            "shear_range": shear_range, "zoom_range": zoom_range, "channel_shift_range": channel_shift_range,
            "fill_mode": fill_mode, "cval": cval, "horizontal_flip": horizontal_flip,
            "vertical_flip": vertical_flip, "interpolation_order": interpolation_order,
        }
        if ops is None:
            self._params = check_params(shorthand)
            self.engine = check_engine(engine, self._params["interpolation_order"])
        else:
            given = {k: v for k, v in shorthand.items() if _differs(v, SHORTHAND_DEFAULTS[k])}
            if engine != DEFAULT_ENGINE:
                given["engine"] = engine
            refuse_shorthand(given, IMAGE_OP)
            params = check_image_ops(ops)
            self.engine = params.pop("engine", DEFAULT_ENGINE)
            self._params = params
        self.jpeg_quality = check_quality("jpeg_quality", jpeg_quality)
        self.webp_quality = check_quality("webp_quality", webp_quality)
        self.max_pixels = check_max_pixels(max_pixels)
        # Builds nothing yet: OpenCV (or TensorFlow, for the Keras engine) is imported on first use.
        self._engine = ENGINE_CLASSES[self.engine](self._params)
        # Palette indices move by nearest neighbour: built on the first palette image.
        self._index_engine: Engine | None = None

    @property
    def ops(self) -> list[dict[str, Any]]:
        """The one op with its engine, as plain data (a copy)."""
        return [{"op": IMAGE_OP, "engine": self.engine, **copy.deepcopy(self._params)}]

    def config(self) -> dict[str, Any]:
        """``{"jpeg_quality": ..., "webp_quality": ..., "max_pixels": ..., "ops": [...]}``: JSON- and TOML-safe.

        A quality is an int or "keep" (never None: TOML has no null); lists, never tuples.
        """
        return {"jpeg_quality": self.jpeg_quality, "webp_quality": self.webp_quality,
                "max_pixels": self.max_pixels, "ops": self.ops}

    # -- augmentation -------------------------------------------------------

    def _augment(self, data: Any, sample_rate: int | None) -> tuple[Any, dict[str, Any]]:
        if isinstance(data, np.ndarray):
            return self._augment_array(data)
        if isinstance(data, Image16):
            return self._augment_deep(data)
        Image = pil()
        if isinstance(data, Image.Image):
            if data.mode == "P":
                return self._augment_palette(data)
            return self._augment_image(data)
        raise ValueError(
            f"ImageAugmenter augments a PIL.Image.Image, an Image16 or a NumPy array; got {type(data).__name__}"
        )

    def _augment_array(self, array: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
        pixels, layout = array_pixels(array)
        # Sample first: every random number is drawn here, before any pixel moves.
        transform = self._engine.sample(pixels.shape)
        out = self._engine.apply(pixels, transform, layout).reshape(array.shape)
        height, width = array.shape[:2]
        return out, {"ops": [self._applied(transform)], "mode": "array", "size": [width, height]}

    def _augment_batch(self, batch: Any, seed: int, sample_rate: int | None,
                       value_range: tuple[float, float] | None) -> BatchResult:
        if not isinstance(batch, np.ndarray):
            if value_range is not None:
                raise ValueError("value_range is for a float32 batch array; a list of images takes none")
            return super()._augment_batch(batch, seed, sample_rate, value_range)
        pixels, layout, scale = _batch_pixels(batch, value_range)
        count, height, width, channels = pixels.shape
        seeds = item_seeds(seed, count)
        out = np.empty(pixels.shape, dtype=pixels.dtype)
        extra: dict[str, Any] = {} if scale is None else {"value_range": [scale[0], scale[1]]}
        params = []
        engine, shape = self._engine, (height, width, channels)
        with saved_rng():
            for index, item_seed in enumerate(seeds):
                # What augment() does for an array, item by item: the engines draw
                # from numpy.random alone, so only it needs seeding.
                np.random.seed(item_seed)
                transform = engine.sample(shape)
                out[index] = engine.apply(pixels[index], transform, layout)
                params.append({"ops": [self._applied(transform)], "mode": "array", "size": [width, height],
                               **extra})
        if scale is not None:  # back from the 0-255 scale the engine worked on
            low, high = scale
            out *= np.float32((high - low) / 255.0)
            out += np.float32(low)
            np.clip(out, low, high, out=out)
        return BatchResult(data=out.reshape(batch.shape), seed=seed, seeds=seeds, params=params)

    def _augment_image(self, image: PILImage.Image) -> tuple[PILImage.Image, dict[str, Any]]:
        view = rgbx_view(image) if isinstance(self._engine, OpenCVEngine) else None
        # An RGB image (the view): the transform is drawn for its three channels, as on the other path.
        transform = self._engine.sample((image.height, image.width, 3)) if view is not None else None
        if view is not None and transform is not None and OpenCVEngine.geometry_only(transform):
            # Warped in Pillow's own RGBX memory (no packing copy; OpenCV's faster 4-byte path, the same
            # bytes per channel), then packed to RGB as the output image is built.
            out = self._engine.apply(view, transform, _RGB)
            del view
            result = pil().frombytes("RGB", image.size, out, "raw", "RGBX")
            via = None
        else:
            del view
            pixels, layout, via = image_pixels(image)
            if transform is None:
                transform = self._engine.sample(pixels.shape)
            out = self._engine.apply(pixels, transform, layout)
            del pixels  # a photo's pixels are tens of megabytes: not kept while the result is built
            result = pixels_to_image(out, image.mode, image.size)
        del out
        copy_metadata(image, result)
        params: dict[str, Any] = {"ops": [self._applied(transform)], "mode": image.mode,
                                  "size": list(image.size)}
        if via is not None:
            params["via"] = via
        return result, params

    def _augment_deep(self, image: Image16) -> tuple[Image16, dict[str, Any]]:
        pixels, layout = array_pixels(image.pixels)
        transform = self._engine.sample(pixels.shape)
        out = self._engine.apply(pixels, transform, layout)
        result = Image16(out, image.format, dict(image.info))
        return result, {"ops": [self._applied(transform)], "mode": image.mode, "size": list(image.size)}

    def _augment_palette(self, image: PILImage.Image) -> tuple[PILImage.Image, dict[str, Any]]:
        """Indices moved by nearest neighbour; colour operations on the palette entries the result uses."""
        indices, _, via = image_pixels(image)
        transform = self._engine.sample(indices.shape)
        geometry = {**transform, "channel_shift_intensity": None, "brightness": None}
        moved = self._indices_engine().apply(indices, geometry, _INDICES)[..., 0]
        palette, rawmode = palette_of(image)
        if transform.get("channel_shift_intensity") is not None or transform.get("brightness") is not None:
            used = np.unique(moved)
            used = used[used < len(palette)]
            # The used entries as a one-column image: min and max (the channel shift's clip) are the picture's.
            colours = palette[used][:, None, :]
            layout = PixelLayout(alpha=rawmode == "RGBA", value_scale=1, ink=False)
            palette = palette.copy()
            palette[used] = self._engine.apply(colours, {**transform, **_STILL}, layout)[:, 0, :]
        result = with_palette(moved, palette, rawmode)
        copy_metadata(image, result)
        params = {"ops": [self._applied(transform)], "mode": "P", "size": list(image.size), "via": via}
        return result, params

    def _indices_engine(self) -> Engine:
        """The engine with nearest-neighbour interpolation (this augmenter's own when it already is)."""
        if self._params.get("interpolation_order", 1) == 0:
            return self._engine
        if self._index_engine is None:
            self._index_engine = ENGINE_CLASSES[self.engine]({**self._params, "interpolation_order": 0})
        return self._index_engine

    def _applied(self, transform: Mapping[str, Any]) -> dict[str, Any]:
        """The params entry of the op: its name, the engine that applied it, and the transform."""
        return {"op": IMAGE_OP, "engine": self.engine, **transform}

    # -- files ----------------------------------------------------------------

    def read(self, path: str | os.PathLike[str]) -> PILImage.Image | Image16:
        """Open and decode an image, upright (see :func:`~augment.backends.image.io.read_image`).

        16-bit RGB, RGBA and grey+alpha PNG and TIFF files come as an
        :class:`~augment.backends.image.deep.Image16`; every other image as a
        ``PIL.Image.Image``.

        Raises:
            BadInputError: The file is empty, truncated, not an image, has more
                than ``max_pixels`` pixels (refused from its header, before
                decoding), is animated/multi-page, or in an unsupported mode.
        """
        return read_image(path, self.max_pixels)

    def writes_behind(self, data: Any) -> bool:
        """A Pillow image of up to :data:`WRITE_BEHIND_PIXELS`: Pillow's encoders release the GIL.

        A photo's own warp already uses every core, and one more of them in
        memory costs tens of megabytes: those are written at once.
        """
        return isinstance(data, pil().Image) and data.width * data.height <= WRITE_BEHIND_PIXELS

    def read_ahead(self, path: str | os.PathLike[str], background: Executor) -> PendingRead:
        """Start :meth:`read`: the header now, the pixels decoded on ``background`` (see ``read_image_ahead``)."""
        return read_image_ahead(path, self.max_pixels, background)

    def write(self, data: Any, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
        """Save a PIL image, an Image16 or an array in the format ``suffix`` (default: the path's) names.

        The source's encoder settings and metadata that ``data`` carries are kept.

        See :func:`~augment.backends.image.io.write_image`.
        """
        write_image(data, path, suffix=suffix, jpeg_quality=self.jpeg_quality, webp_quality=self.webp_quality)
