"""A replacement word in the original's form: the same tense, person, number and degree, and the same case.

WordNet gives synonyms as lemmas ("run", "key"); put in place of "ran" or
"keys" they break the sentence. Here the original's form is read from
``lemminflect``'s dictionary of word forms (through the synonym index), and the
replacement is inflected to that same form, then given the original's case
pattern (lower, Capitalised, UPPER).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from augment.backends.text.synonym_index import WordNetIndex

__all__ = ["WordForm", "apply_case", "case_pattern", "inflect", "word_form"]

# Penn tags by WordNet part of speech.
_TAGS = {"n": ("NN", "NNS"), "v": ("VB", "VBP", "VBZ", "VBD", "VBN", "VBG"), "a": ("JJ", "JJR", "JJS"),
         "r": ("RB", "RBR", "RBS")}
_POS_OF = {tag: pos for pos, tags in _TAGS.items() for tag in tags}
# Tags a tagger often confuses with each other; a replacement must read right under all of them.
_CONFUSABLE = ({"VB", "VBP"}, {"VBD", "VBN"})
# Tags in which a word is its own lemma: an unknown word can be replaced only in these.
_BASE_TAGS = frozenset({"NN", "VB", "VBP", "JJ", "RB"})


@dataclass(frozen=True)
class WordForm:
    """What a word is: its lemma, and the Penn tags its form stands for (all of which a replacement must fit).

    Attributes:
        lemma: The dictionary form ("run" for "ran").
        pos: The WordNet part of speech ("n", "v", "a", "r").
        tags: The Penn tags ("VBD",) the replacement must have the very same form in.
    """

    lemma: str
    pos: str
    tags: tuple[str, ...]


@functools.lru_cache(maxsize=65536)  # asked for every word of every sample, twice
def case_pattern(word: str) -> str:
    """"lower", "capitalised" (first letter only), "upper" (all letters, two or more) or "mixed"."""
    letters = [ch for ch in word if ch.isalpha()]
    if not letters or all(ch.islower() for ch in letters):
        return "lower"
    if len(letters) > 1 and all(ch.isupper() for ch in letters):
        return "upper"
    if letters[0].isupper() and all(ch.islower() for ch in letters[1:]):
        return "capitalised"
    return "mixed"


def apply_case(word: str, pattern: str) -> str:
    """``word`` (lower case) in the case ``pattern`` of :func:`case_pattern` ("mixed" is left as it is)."""
    if pattern == "upper":
        return word.upper()
    if pattern == "capitalised":
        return word[:1].upper() + word[1:]
    return word


@functools.lru_cache(maxsize=65536)  # asked for every replaceable word of every sample
def word_form(index: WordNetIndex, word: str, pos: str, tag: str) -> WordForm | None:
    """The form of ``word`` (lower case) as part of speech ``pos``, given the tagger's ``tag``; None if unsure.

    The tagger's tag picks the reading; the tags the replacement must fit are
    that reading's tags that a tagger may confuse with it (a regular past is
    also the participle: "called" is VBD and VBN, so the replacement must be
    the same in both, "phoned", not "rang"/"rung").
    """
    readings = [(t, lemma) for t, lemma, rank in index.analyses(word) if rank == 0 and _POS_OF.get(t) == pos]
    if not readings:
        # Not in the dictionary: only its base form is safe, when WordNet has it as a lemma.
        if tag in _BASE_TAGS and _POS_OF.get(tag) == pos and word in index.morphy(word, pos):
            return WordForm(word, pos, (tag,))
        return None
    lemmas = sorted({lemma for t, lemma in readings if t == tag})
    if len(lemmas) != 1:
        return None  # the tagger's reading is not this word's, or it is two lemmas' ("found": find, found)
    lemma = lemmas[0]
    tags = {t for t, other in readings if other == lemma}
    group = next((g for g in _CONFUSABLE if tag in g), {tag})
    return WordForm(lemma, pos, tuple(sorted(tags & group)))


def inflect(index: WordNetIndex, lemma: str, form: WordForm) -> str | None:
    """``lemma`` in ``form``'s tags (lower case): one spelling good for all of them, or None."""
    inflections = index.inflections(lemma)
    spellings = set()
    for tag in form.tags:
        found = inflections.get(tag)
        if not found:
            return None
        spellings.add(found[0])
    return spellings.pop() if len(spellings) == 1 else None
