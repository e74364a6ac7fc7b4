"""Container settings an output keeps from its source: the encoder choices a file records.

An augmented copy is written in its source's format, and with its source's
encoder settings unless the recipe sets them (``jpeg_quality``,
``webp_quality``): a copy should lose no more than the augmentation itself.
:func:`source_format` reads what a decoded file says about how it was
encoded; :func:`save_options` turns it into the writer's options:

* JPEG: the quantisation tables (the source's quality, exactly), the chroma
  subsampling (4:4:4, 4:2:2, 4:2:0) and the progressive flag;
* WebP: lossless stays lossless (Pillow does not say which a file is: the
  RIFF chunks do, ``VP8L`` being lossless); a lossy WebP records no quality,
  so it is estimated from its quantiser (:func:`webp_encoding`);
* TIFF: the compression (LZW, Deflate, PackBits, CCITT Group 3/4, JPEG...)
  and the horizontal-differencing predictor;
* PNG: the text chunks (``tEXt``, ``zTXt``, ``iTXt`` with its language and
  translated keyword; XMP is one) and the colour chunks ``gAMA``, ``cHRM``
  and ``sRGB`` (they change how viewers show the colours); GIF: the comment.

The settings travel in the image's ``info`` under :data:`FORMAT_KEY`, so that
they survive the augmentation (which builds a new image) and apply only when
the output's format is the source's.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from PIL import Image as PILImage

__all__ = [
    "FORMAT_KEY",
    "KEEP",
    "LOSSY_WEBP_QUALITY",
    "PLAIN_JPEG_QUALITY",
    "TIFF_TEXT_TAGS",
    "SourceFormat",
    "check_quality",
    "save_options",
    "settings_of",
    "source_format",
    "webp_encoding",
    "webp_is_lossless",
    "xmp_without_orientation",
]

#: The value of ``jpeg_quality`` / ``webp_quality`` that keeps the source's settings (the default).
KEEP = "keep"
#: Where an image's :class:`SourceFormat` travels, in its ``info``.
FORMAT_KEY = "augment_dir.source_format"
#: The JPEG quality when there are no tables to keep (the source is not a JPEG): the former default.
PLAIN_JPEG_QUALITY = 95
#: The quality of a lossy WebP written with ``webp_quality = "keep"`` when the source's cannot
#: be estimated (it is not a WebP): the former default.
LOSSY_WEBP_QUALITY = 90

# TIFF tags: compression, predictor.
_COMPRESSION, _PREDICTOR = 259, 317
# Pillow's names of the TIFF compressions it can write (through libtiff), by tag value.
_TIFF_COMPRESSIONS = {1: "raw", 2: "tiff_ccitt", 3: "group3", 4: "group4", 5: "tiff_lzw", 7: "jpeg",
                      8: "tiff_adobe_deflate", 32773: "packbits", 32946: "tiff_deflate", 34925: "lzma",
                      50000: "zstd", 50001: "webp"}
#: Descriptive TIFF tags (ASCII) an output keeps: DocumentName, ImageDescription, Make, Model,
#: Software, DateTime, Artist, HostComputer, Copyright.
TIFF_TEXT_TAGS = (269, 270, 271, 272, 305, 306, 315, 316, 33432)
# CCITT codings store one bit per pixel only.
_BILEVEL_COMPRESSIONS = frozenset({2, 3, 4})
# XMP's orientation, as Pillow's exif_transpose removes it.
_XMP_ORIENTATION = re.compile(r'tiff:Orientation="[0-9]"|<tiff:Orientation>[0-9]</tiff:Orientation>')
_XMP_KEY = "XML:com.adobe.xmp"
# RIFF chunks a WebP can hold before its image chunk (VP8X, ICCP, ANIM, ALPH...): a bound, not a rule.
_MAX_WEBP_CHUNKS = 64
# Bytes of a VP8 frame that hold every header field up to the quantiser (about 40 at most).
_VP8_HEADER_BYTES = 256
# libwebp's exponent of its first segment's quantiser: 1 - amp * alpha, with amp = SNS_TO_DQ (0.9) *
# sns_strength (50, its default) / 100 / 128 and alpha = -127 (that segment's, at the end of the range).
_FIRST_SEGMENT_EXPONENT = 1.0 + 0.9 * 50 / 100 / 128 * 127


def check_quality(name: str, value: Any) -> int | str:
    """``value`` as an int quality in [1, 100], or :data:`KEEP` (None means keep too).

    Raises:
        ValueError: Anything else, naming ``name`` and the value.
    """
    if value is None or (isinstance(value, str) and value == KEEP):
        return KEEP
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= 100:
        raise ValueError(f'{name} must be an integer in [1, 100] or "{KEEP}" (the source\'s); got {value!r}')
    return int(value)


@dataclass(frozen=True)
class SourceFormat:
    """How a source file was encoded, as far as its writer can repeat it.

    Attributes:
        format: The source's format ("JPEG", "PNG"...); settings apply only to outputs of it.
        jpeg_qtables: JPEG quantisation tables (64 values each, as Pillow reads and writes them).
        jpeg_subsampling: Pillow's subsampling code (0 = 4:4:4, 1 = 4:2:2, 2 = 4:2:0), if known.
        progressive: A progressive JPEG.
        webp_lossless: A lossless WebP (None: not known).
        webp_quality: A lossy WebP's quality, as estimated from its quantiser (see :func:`webp_encoding`).
        tiff_compression: The TIFF Compression tag's value.
        tiff_predictor: The TIFF Predictor tag's value (2: horizontal differencing).
        tiff_text: Descriptive TIFF tags (ImageDescription, Software, Artist...) by number.
        png_text: PNG text chunks (Pillow's ``text``; iTXt values keep their language).
        png_chunks: PNG colour chunks (``gAMA``, ``cHRM``, ``sRGB``) as (type, data), as in the file.
        comment: A GIF (or JPEG) comment.
    """

    format: str | None
    jpeg_qtables: tuple[tuple[int, ...], ...] | None = None
    jpeg_subsampling: int | None = None
    progressive: bool = False
    webp_lossless: bool | None = None
    webp_quality: int | None = None
    tiff_compression: int | None = None
    tiff_predictor: int | None = None
    tiff_text: Mapping[int, str] = field(default_factory=dict)
    png_text: Mapping[str, str] = field(default_factory=dict)
    png_chunks: tuple[tuple[bytes, bytes], ...] = ()
    comment: bytes | None = None


def webp_encoding(handle: IO[bytes]) -> tuple[bool, int | None] | None:
    """Whether the WebP in ``handle`` is lossless, and a lossy one's estimated quality; None if not a still WebP.

    Walks the RIFF chunks from the start (an extended file puts VP8X, ICCP,
    ALPH... first) to the image chunk: ``VP8L`` is lossless; ``VP8 `` is
    lossy, and its frame header gives the quantiser of its first segment.
    libwebp derives each segment's quantiser from the quality (and its
    spatial noise shaping, 50 unless set otherwise); its first segment is the
    one at the end of the shaping's range, so inverting libwebp's mapping
    gives the quality back (exactly for the photographs tested; a few levels
    above it for tiny or noise-like images, and for files made with other
    shaping settings). The handle's position is left wherever the walk ends.
    """
    handle.seek(0)
    head = handle.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
        return None
    for _ in range(_MAX_WEBP_CHUNKS):
        header = handle.read(8)
        if len(header) < 8:
            return None
        kind, size = header[:4], struct.unpack("<I", header[4:])[0]
        if kind == b"VP8L":
            return True, None
        if kind == b"VP8 ":
            header_fields = _vp8_quantiser(handle.read(min(size, _VP8_HEADER_BYTES)))
            return False, None if header_fields is None else _libwebp_quality(*header_fields)
        handle.seek(size + (size & 1), 1)  # chunks are padded to an even size
    return None


def webp_is_lossless(handle: IO[bytes]) -> bool | None:
    """Whether the WebP in ``handle`` is lossless; None if it is not a still WebP (see :func:`webp_encoding`)."""
    encoding = webp_encoding(handle)
    return None if encoding is None else encoding[0]


class _BoolDecoder:
    """VP8's boolean entropy decoder (RFC 6386, section 7), enough to read a frame header."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 2
        self.value = int.from_bytes(data[:2].ljust(2, b"\0"), "big")
        self.range = 255
        self.bits = 8

    def bit(self) -> int:
        split = 1 + ((self.range - 1) * 128 >> 8)  # every header field is coded at probability 1/2
        if self.value >= split << 8:
            self.range -= split
            self.value -= split << 8
            out = 1
        else:
            self.range = split
            out = 0
        while self.range < 128:
            self.value <<= 1
            self.range <<= 1
            self.bits -= 1
            if self.bits == 0:
                self.value |= self.data[self.position] if self.position < len(self.data) else 0
                self.position += 1
                self.bits = 8
        return out

    def literal(self, bits: int) -> int:
        value = 0
        for _ in range(bits):
            value = value << 1 | self.bit()
        return value

    def flagged(self, bits: int, signed: bool = True) -> int | None:
        """A field that is present only if its flag bit is set (with a sign bit after it, if ``signed``)."""
        if not self.bit():
            return None
        value = self.literal(bits)
        return -value if signed and self.bit() else value


def _vp8_quantiser(frame: bytes) -> tuple[int, bool] | None:
    """A VP8 key frame's first segment's AC quantiser index (0..127), and whether it has segments."""
    if len(frame) < 11 or frame[0] & 1:  # too short, or not a key frame
        return None
    decoder = _BoolDecoder(frame[10:])
    decoder.literal(2)  # colour space, clamping type
    first_segment: int | None = None
    absolute = segmented = False
    if decoder.bit():  # segmentation enabled
        segmented = True
        update_map = decoder.bit()
        if decoder.bit():  # segment feature data follows
            absolute = bool(decoder.bit())
            first_segment = decoder.flagged(7)
            for _ in range(3):
                decoder.flagged(7)
            for _ in range(4):
                decoder.flagged(6)  # loop filter levels
        if update_map:
            for _ in range(3):
                decoder.flagged(8, signed=False)  # segment map probabilities
    decoder.literal(10)  # filter type, loop filter level, sharpness
    if decoder.bit() and decoder.bit():  # loop filter deltas enabled, and updated
        for _ in range(8):
            decoder.flagged(6)
    decoder.literal(2)  # number of DCT partitions
    base = decoder.literal(7)
    quantiser = (first_segment or 0) if absolute else base + (first_segment or 0)
    return min(max(quantiser, 0), 127), segmented


def _libwebp_quality(quantiser: int, segmented: bool) -> int:
    """The quality libwebp gives ``quantiser`` (its QualityToCompression and segment shaping, inverted).

    libwebp: ``c = QualityToCompression(q)``; a segment's quantiser is
    ``int(127 * (1 - c ** e))``, where ``e`` is 1 without segments and, for the
    first segment, :data:`_FIRST_SEGMENT_EXPONENT`. The truncation makes this
    the highest quality that gives ``quantiser``.
    """
    compression = (1.0 - quantiser / 127.0) ** (1.0 / (_FIRST_SEGMENT_EXPONENT if segmented else 1.0))
    linear = compression**3
    quality = linear * 1.5 if linear < 0.5 else (linear + 1.0) / 2.0
    return min(100, max(1, round(quality * 100)))


def source_format(image: PILImage.Image, *, webp: tuple[bool, int | None] | None = None) -> SourceFormat:
    """What ``image`` (as Pillow opened it) says about how it was encoded.

    Args:
        image: A PIL image opened from a file (its ``format``, ``info``, JPEG
            tables, TIFF tags and PNG text are read), or any PIL image.
        webp: For a WebP, whether it is lossless and its estimated quality
            (:func:`webp_encoding`; Pillow does not say). Read from the
            image's file when it has one and this is not given.
    """
    existing = image.info.get(FORMAT_KEY)
    if isinstance(existing, SourceFormat):
        return existing
    fmt = image.format
    settings: dict[str, Any] = {"format": fmt}
    if fmt == "JPEG":
        from PIL import JpegImagePlugin

        tables = getattr(image, "quantization", None)
        if tables:
            settings["jpeg_qtables"] = tuple(tuple(int(v) for v in tables[k]) for k in sorted(tables))
        sampling = JpegImagePlugin.get_sampling(image)  # -1: not three components, or unusual factors
        if sampling >= 0:
            settings["jpeg_subsampling"] = sampling
        settings["progressive"] = bool(image.info.get("progressive") or image.info.get("progression"))
    elif fmt == "WEBP":
        filename = getattr(image, "filename", "")
        if webp is None and filename:  # opened from a file elsewhere: look at it
            try:
                with open(filename, "rb") as handle:
                    webp = webp_encoding(handle)
            except OSError:
                pass
        if webp is not None:
            settings["webp_lossless"], settings["webp_quality"] = webp
    elif fmt == "TIFF":
        tags = getattr(image, "tag_v2", {})
        settings["tiff_compression"] = tags.get(_COMPRESSION)
        settings["tiff_predictor"] = tags.get(_PREDICTOR)
        text = {tag: tags.get(tag) for tag in TIFF_TEXT_TAGS}
        settings["tiff_text"] = {tag: value for tag, value in text.items() if isinstance(value, str) and value}
    elif fmt == "PNG":
        # Pillow reads the text chunks after the pixels on load; ``text`` loads them.
        png_text: dict[str, Any] = dict(getattr(image, "text", {}))
        if isinstance(png_text.get(_XMP_KEY), str):  # the pixels are turned upright: XMP must not turn them again
            png_text[_XMP_KEY] = xmp_without_orientation(png_text[_XMP_KEY])
        settings["png_text"] = png_text
        settings["png_chunks"] = _png_colour_chunks(image.info)
    if isinstance(image.info.get("comment"), bytes) and fmt == "GIF":
        settings["comment"] = image.info["comment"]
    return SourceFormat(**settings)


def save_options(fmt: str, settings: SourceFormat | None, mode: str, *, jpeg_quality: int | str,
                 webp_quality: int | str) -> dict[str, Any]:
    """Pillow's save options for writing an image of ``mode`` as ``fmt``, keeping the source's settings.

    A quality the recipe sets wins over the source's (JPEG tables, lossless
    WebP); subsampling, progression, compression and text are kept either way.
    Settings of another format than ``fmt`` are not used.
    """
    same = settings if settings is not None and settings.format == fmt else None
    options: dict[str, Any] = {}
    if fmt == "JPEG":
        if same is not None and same.jpeg_subsampling is not None:
            options["subsampling"] = same.jpeg_subsampling
        if same is not None and same.progressive:
            options["progressive"] = True
        if jpeg_quality != KEEP:
            options["quality"] = jpeg_quality
        elif same is not None and same.jpeg_qtables:
            options["qtables"] = [list(table) for table in same.jpeg_qtables]
        else:
            options["quality"] = PLAIN_JPEG_QUALITY
    elif fmt == "WEBP":
        if webp_quality != KEEP:
            options["quality"] = webp_quality
        elif same is not None and same.webp_lossless:
            # exact: keep the colour under fully transparent pixels, so that the pixels are identical.
            options.update(lossless=True, exact=True)
        else:
            options["quality"] = (same.webp_quality if same is not None else None) or LOSSY_WEBP_QUALITY
    elif fmt == "TIFF" and same is not None:
        options.update(_tiff_options(same, mode, jpeg_quality))
    elif fmt == "PNG" and same is not None and (same.png_text or same.png_chunks):
        from PIL import PngImagePlugin

        text = PngImagePlugin.PngInfo()
        for kind, data in same.png_chunks:
            text.add(kind, data)  # Pillow writes these before the palette and the pixels
        for key, value in same.png_text.items():
            text.add_text(key, value)  # iTXt values (and text beyond Latin-1) become iTXt
        options["pnginfo"] = text
    elif fmt == "GIF" and same is not None and same.comment:
        options["comment"] = same.comment
    return options


def _png_colour_chunks(info: Mapping[Any, Any]) -> tuple[tuple[bytes, bytes], ...]:
    """gAMA, cHRM and sRGB as Pillow read them (in units of 1/100000), back in the file's bytes."""
    chunks = []
    gamma = info.get("gamma")
    if isinstance(gamma, (int, float)):
        chunks.append((b"gAMA", struct.pack(">I", round(gamma * 100000))))
    chromaticity = info.get("chromaticity")
    if isinstance(chromaticity, tuple) and len(chromaticity) == 8:
        chunks.append((b"cHRM", struct.pack(">8I", *(round(v * 100000) for v in chromaticity))))
    intent = info.get("srgb")
    if isinstance(intent, int):
        chunks.append((b"sRGB", bytes([intent])))
    return tuple(chunks)


def _tiff_options(settings: SourceFormat, mode: str, jpeg_quality: int | str) -> dict[str, Any]:
    code = settings.tiff_compression
    name = _TIFF_COMPRESSIONS.get(code) if code is not None else None
    tags: dict[int, Any] = dict(settings.tiff_text)
    options: dict[str, Any] = {}
    if name is not None and not (code in _BILEVEL_COMPRESSIONS and mode != "1"):
        options["compression"] = name
        if name == "jpeg":
            options["quality"] = PLAIN_JPEG_QUALITY if jpeg_quality == KEEP else jpeg_quality
        if settings.tiff_predictor and settings.tiff_predictor != 1 and name != "raw":
            tags[_PREDICTOR] = settings.tiff_predictor
    if tags:
        options["tiffinfo"] = tags
    return options


def xmp_without_orientation(xmp: Any) -> Any:
    """XMP (bytes or text; a PNG iTXt keeps its language) without ``tiff:Orientation``, as Pillow strips it."""
    if isinstance(xmp, bytes):
        return _XMP_ORIENTATION.sub("", xmp.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    stripped = _XMP_ORIENTATION.sub("", xmp)
    if stripped == xmp:
        return xmp
    from PIL import PngImagePlugin

    if isinstance(xmp, PngImagePlugin.iTXt):
        lang = xmp.lang if isinstance(xmp.lang, str) else None
        tkey = xmp.tkey if isinstance(xmp.tkey, str) else None
        return PngImagePlugin.iTXt(stripped, lang, tkey)
    return stripped


def settings_of(info: Mapping[str, Any]) -> SourceFormat | None:
    """The source's encoder settings an image's ``info`` carries, if any."""
    settings = info.get(FORMAT_KEY)
    return settings if isinstance(settings, SourceFormat) else None
