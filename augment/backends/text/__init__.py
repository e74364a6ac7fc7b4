"""The text backend: chains of nlpaug word and character ops over UTF-8 text, layout kept exactly.

Modules:

* :mod:`~augment.backends.text.augmenter`: :class:`TextAugmenter`, reading,
  augmenting and writing text;
* :mod:`~augment.backends.text.ops`: the nlpaug ops a chain may name, their
  checks, and the fixes for nlpaug's quirks;
* :mod:`~augment.backends.text.layout`: nlpaug's tokens, and the text rebuilt
  around what an op changed;
* :mod:`~augment.backends.text.pieces`: where a text of 1 MiB or more is cut,
  to be augmented in pieces (time and memory linear in its length);
* :mod:`~augment.backends.text.encoding`: UTF-8 read exactly, and UTF-16/32,
  binary data and other encodings named;
* :mod:`~augment.backends.text.quality`: the quality filter of SynonymAug and
  AntonymAug (what may change, and what may be put instead);
* :mod:`~augment.backends.text.inflect`: a replacement in the original's form and case;
* :mod:`~augment.backends.text.wordnet_ops`: nlpaug's SynonymAug and AntonymAug
  with the synonym index as their WordNet and the quality filter;
* :mod:`~augment.backends.text.synonym_index`: WordNet (and word frequencies and
  forms) in a compact index built once into the cache folder;
* :mod:`~augment.backends.text.wordnet`: finding WordNet (NLTK's data or a
  system database), never downloading it;
* :mod:`~augment.backends.text.taggers`: NLTK's part-of-speech tagger, or the
  offline one built from WordNet and lemminflect;
* :mod:`~augment.backends.text.setup`: the ``python -m augment.backends.text.setup``
  command that gets the NLTK data and builds the synonym index.

nlpaug is imported only when an augmenter first runs, and NLTK only when it is
needed (another language, NLTK's tagger, or building the index).
"""

from __future__ import annotations

from augment.backends.text.augmenter import SUPPORTED_OPS, TextAugmenter
from augment.backends.text.wordnet import MissingNLTKDataError

__all__ = ["SUPPORTED_OPS", "MissingNLTKDataError", "TextAugmenter"]
