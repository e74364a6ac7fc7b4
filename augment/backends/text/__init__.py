"""The text backend: chains of nlpaug word and character ops over UTF-8 text, layout kept exactly.

Modules:

* :mod:`~augment.backends.text.augmenter`: :class:`TextAugmenter`, reading,
  augmenting and writing text;
* :mod:`~augment.backends.text.ops`: the nlpaug ops a chain may name, their
  checks, and the fixes for nlpaug's quirks;
* :mod:`~augment.backends.text.layout`: nlpaug's tokens, and the text rebuilt
  around what an op changed;
* :mod:`~augment.backends.text.wordnet`: finding WordNet (NLTK's data or a
  system database), never downloading it;
* :mod:`~augment.backends.text.taggers`: NLTK's part-of-speech tagger, or one
  built from WordNet;
* :mod:`~augment.backends.text.setup`: the ``python -m augment.backends.text.setup``
  command that gets the NLTK data.

nlpaug and NLTK are imported only when an augmenter first runs.
"""

from __future__ import annotations

from augment.backends.text.augmenter import SUPPORTED_OPS, TextAugmenter
from augment.backends.text.wordnet import MissingNLTKDataError

__all__ = ["SUPPORTED_OPS", "MissingNLTKDataError", "TextAugmenter"]
