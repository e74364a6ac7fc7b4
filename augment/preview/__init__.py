"""Look before you train: a contact sheet of an OUTPUT (``augment-dir preview OUTPUT``).

Modules:

* :mod:`~augment.preview.sample`: which sources are shown (K per modality,
  seeded, in one streaming pass over the manifest);
* :mod:`~augment.preview.folders`: OUTPUT and INPUT, local or in a store, read
  file by file (never listed);
* :mod:`~augment.preview.thumbnails`, :mod:`~augment.preview.sound`,
  :mod:`~augment.preview.marks`, :mod:`~augment.preview.labels`: image
  thumbnails, audio waveforms and spectrograms, text with the changed words
  marked, and what was applied to each copy;
* :mod:`~augment.preview.sheet`: what the sheet shows;
  :mod:`~augment.preview.png` and :mod:`~augment.preview.html` draw it;
* :mod:`~augment.preview.command`: the ``augment-dir preview`` command.

Pillow draws the sheet (the image extra); audio is decoded with soundfile
(the audio extra). No backend library is imported.
"""

from __future__ import annotations

from augment.preview.command import write_preview
from augment.preview.sheet import PreviewError

__all__ = ["PreviewError", "write_preview"]
