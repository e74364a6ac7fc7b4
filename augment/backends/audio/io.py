"""Audio files through soundfile (libsndfile): read a clip, write it back in the format its name asks for.

:func:`read_clip` returns an :class:`~augment.backends.audio.clip.AudioClip`
(float32 samples plus sample rate, container format, subtype and endianness);
:func:`write_clip` keeps all of these when the destination's extension allows
them. Samples are clipped to [-1, 1] before any non-float subtype (integer PCM,
Vorbis, ADPCM...) is written, so loud noise saturates instead of wrapping
around. Ogg streams get a fixed serial number, so the same clip always gives
the same bytes. soundfile is imported on first use, never with this module.
"""

from __future__ import annotations

import os
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from augment.backends.audio.clip import AudioClip, check_samples
from augment.core.files import nonempty_file_size, writer_format
from augment.core.registry import install_hint
from augment.core.result import BadInputError

__all__ = ["FORMATS", "libsndfile_reason", "load_soundfile", "read_clip", "write_clip"]

#: Extension -> the soundfile formats a file with that name may hold. The first
#: is written when the clip's own format does not belong there. soundfile cannot
#: guess a format from ".aif", so the mapping is spelled out for every suffix.
FORMATS: dict[str, tuple[str, ...]] = {
    ".wav": ("WAV", "WAVEX", "RF64"),
    ".flac": ("FLAC",),
    ".ogg": ("OGG",),
    ".aif": ("AIFF",),
    ".aiff": ("AIFF",),
}

# libvorbis, through libsndfile, crashes the process (SIGSEGV) asked to encode above this rate.
_VORBIS_MAX_RATE = 200_000
# libsndfile's SFE_SYSTEM: the file system failed (the errno is lost), not the clip.
_SYSTEM_ERROR = 2

# The only subtypes that store samples as floats; everything else (integer PCM,
# Vorbis, Opus, ADPCM, A-law...) holds [-1, 1] at most.
_FLOAT_SUBTYPES = frozenset({"FLOAT", "DOUBLE"})

# libsndfile gives every Ogg stream a serial number from the clock, so two
# writes of the same samples differ in those bytes (and in the page checksums).
# We replace it with this fixed value to make outputs byte-for-byte reproducible.
_OGG_SERIAL = 0x61756764  # "augd"
# Ogg's CRC-32 is zlib's polynomial run most-significant-bit first; reversing
# the bits of every byte (and of the result) lets zlib compute it quickly.
_BIT_REVERSED = bytes(int(f"{i:08b}"[::-1], 2) for i in range(256))


def load_soundfile() -> Any:
    """The ``soundfile`` module, imported on first use; ImportError saying what to install."""
    try:
        import soundfile
    except (ImportError, OSError) as exc:  # OSError: libsndfile itself is missing
        raise ImportError(
            f"the audio backend needs soundfile ({exc}); install it with: {install_hint('audio')}"
        ) from exc
    return soundfile


def libsndfile_reason(exc: BaseException) -> str:
    """The reason libsndfile gave, in its own words, without soundfile's "Error opening 'path':" prefix."""
    detail = getattr(exc, "error_string", None) or str(exc) or type(exc).__name__
    return re.sub(r"^\s*Error\s*:\s*", "", detail).strip().rstrip(".")


def read_clip(path: str | os.PathLike[str]) -> AudioClip:
    """Decode an audio file into an :class:`AudioClip` (float32, channels first).

    Raises:
        BadInputError: The file is missing or empty, not audio libsndfile can
            open (unknown format, damaged header), fails to decode, holds no
            frames, or holds NaN/infinite samples.
    """
    sf = load_soundfile()
    path = os.fspath(path)
    nonempty_file_size(path)
    try:
        # As bytes: soundfile encodes a str path as strict UTF-8, which a
        # file name that is not UTF-8 (read with surrogateescape) is not.
        handle = sf.SoundFile(os.fsencode(path))
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError) as exc:
        raise BadInputError(
            path,
            f"not a readable audio file (libsndfile: {libsndfile_reason(exc)}); "
            "the format is unknown or the header is damaged",
        ) from exc
    try:
        with handle:
            meta = (handle.samplerate, handle.format, handle.subtype, handle.endian)
            frames = handle.read(dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
        raise BadInputError(
            path, f"cannot decode the audio (libsndfile: {libsndfile_reason(exc)})"
        ) from exc
    if frames.shape[0] == 0:
        raise BadInputError(path, "no audio frames (the header is valid but holds no samples)")
    if not np.isfinite(frames).all():
        raise BadInputError(path, "the audio holds NaN or infinite samples")
    sample_rate, fmt, subtype, endian = meta
    # soundfile gives (frames, channels); audiomentations wants channels first.
    samples = frames[:, 0].copy() if frames.shape[1] == 1 else np.ascontiguousarray(frames.T)
    return AudioClip(
        samples=samples,
        sample_rate=int(sample_rate),
        format=fmt,
        subtype=subtype,
        endian=endian,
    )


# Containers whose float files get libsndfile's PEAK chunk, and their byte order.
_PEAK_BYTE_ORDER = {"WAV": "<", "WAVEX": "<", "RF64": "<", "AIFF": ">"}


def _zero_peak_time(path: str | os.PathLike[str], order: str) -> None:
    """Set the time in a RIFF/RF64/AIFF file's PEAK chunk (if any) to 0.

    libsndfile writes the PEAK chunk (version, time of writing, then each
    channel's peak) into float WAV and AIFF files; its command to leave the
    chunk out is not honoured for RF64 and soundfile does not expose it, so
    the time is cleared instead: the same samples then always give the same bytes.
    """
    with open(path, "r+b") as handle:
        size = handle.seek(0, os.SEEK_END)
        pos = 12  # after "RIFF"/"RF64"/"FORM", the size and "WAVE"/"AIFF"/"AIFC"
        while pos + 8 <= size:
            handle.seek(pos)
            header = handle.read(8)
            chunk, length = header[:4], struct.unpack(order + "I", header[4:])[0]
            if chunk == b"PEAK":
                handle.seek(pos + 12)  # after the chunk header and the version
                handle.write(bytes(4))
                return
            if chunk in (b"data", b"SSND"):  # PEAK comes before the samples
                return
            pos += 8 + length + (length & 1)


def write_clip(clip: AudioClip, path: str | os.PathLike[str], *, suffix: str | None = None) -> None:
    """Write ``clip`` in the format ``suffix`` (default: the extension of ``path``) names, keeping what it can.

    The clip's format, subtype and byte order are kept when the extension's
    format supports them (``.wav`` keeps WAV, WAVEX or RF64), otherwise that
    format's defaults are used. Nothing in the file depends on when it was
    written: no PEAK chunk (libsndfile stamps it with the time), fixed Ogg
    stream serials.

    Raises:
        ValueError: No format is known for the extension.
        BadInputError: The clip's samples are unusable, or the format cannot
            hold the clip (its sample rate: FLAC up to 655350 Hz, Ogg Vorbis
            up to 200000 Hz, Opus 8000 to 48000 Hz).
    """
    sf = load_soundfile()
    formats = writer_format(path, suffix, FORMATS, "audio")
    fmt = clip.format if clip.format in formats else formats[0]
    subtype = clip.subtype if sf.check_format(fmt, clip.subtype) else sf.default_subtype(fmt)
    endian = clip.endian if sf.check_format(fmt, subtype, clip.endian) else "FILE"
    samples = check_samples(clip.samples, in_clip=True)
    if subtype not in _FLOAT_SUBTYPES:
        samples = np.clip(samples, -1.0, 1.0)
    if fmt == "OGG" and subtype == "VORBIS" and clip.sample_rate > _VORBIS_MAX_RATE:
        raise BadInputError(None, f"cannot write {clip.sample_rate} Hz audio as Ogg Vorbis, which goes up to "
                                  f"{_VORBIS_MAX_RATE} Hz")
    try:
        sf.write(
            os.fspath(path),
            samples if samples.ndim == 1 else samples.T,
            clip.sample_rate,
            subtype=subtype,
            endian=endian,
            format=fmt,
        )
    except sf.LibsndfileError as exc:
        if exc.code == _SYSTEM_ERROR:
            raise  # the file system's, not the clip's
        raise BadInputError(None, f"cannot write the audio as {fmt} ({subtype}, {clip.sample_rate} Hz): "
                                  f"{libsndfile_reason(exc)}") from exc
    if fmt in _PEAK_BYTE_ORDER:
        _zero_peak_time(path, _PEAK_BYTE_ORDER[fmt])
    if fmt == "OGG":
        _fix_ogg_serials(path)


def _ogg_crc(page: bytes) -> int:
    """The Ogg page checksum (CRC-32, polynomial 0x04C11DB7, MSB first, no xor)."""
    lsb_first = zlib.crc32(page.translate(_BIT_REVERSED), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return int(f"{lsb_first:032b}"[::-1], 2)


def _fix_ogg_serials(path: str | os.PathLike[str]) -> None:
    """Give every logical stream of the Ogg file at ``path`` a fixed serial number."""
    data = bytearray(Path(path).read_bytes())
    serials: dict[bytes, int] = {}
    pos = 0
    while pos < len(data):
        if data[pos: pos + 4] != b"OggS" or pos + 27 > len(data):
            raise RuntimeError(f"{os.fspath(path)}: unexpected Ogg page layout at byte {pos}")
        segments = data[pos + 26]
        length = 27 + segments + sum(data[pos + 27: pos + 27 + segments])
        old = bytes(data[pos + 14: pos + 18])
        serial = serials.setdefault(old, (_OGG_SERIAL + len(serials)) & 0xFFFFFFFF)
        data[pos + 14: pos + 18] = struct.pack("<I", serial)
        data[pos + 22: pos + 26] = bytes(4)
        data[pos + 22: pos + 26] = struct.pack("<I", _ogg_crc(bytes(data[pos: pos + length])))
        pos += length
    Path(path).write_bytes(data)
