"""Part-of-speech taggers for the WordNet ops: NLTK's perceptron tagger, or one built from WordNet.

nlpaug's SynonymAug and AntonymAug tag every token to pick synonyms of the
right part of speech. NLTK's ``averaged_perceptron_tagger_eng`` is used when
NLTK can find it (:func:`find_tagger`); a missing tagger is an error, never a
download (nlpaug's own fallback downloads the pre-NLTK-3.9 tagger name and
fails again). When only WordNet is present, :func:`fallback_pos_tag`, a tagger
built from WordNet itself, stands in and says so once per process with a
:class:`FallbackTaggerWarning`.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence

from augment.backends.text.wordnet import MissingNLTKDataError, adopt_env_paths
from augment.core.notices import RunNotice

__all__ = [
    "FALLBACK_TAGGER",
    "TAGGER",
    "FallbackTaggerWarning",
    "fallback_pos_tag",
    "find_tagger",
    "nltk_pos_tag",
    "warn_fallback_tagger",
]

#: NLTK's perceptron tagger package (NLTK >= 3.9 name).
TAGGER = "averaged_perceptron_tagger_eng"
#: What params record when the WordNet-built tagger stands in for it.
FALLBACK_TAGGER = "wordnet-fallback"


class FallbackTaggerWarning(RunNotice):
    """NLTK's perceptron tagger is missing, so the WordNet-built tagger is in use.

    A run notice: said once per run, from the run's own process (see
    :class:`augment.core.notices.RunNotice`).
    """


def find_tagger() -> str | None:
    """``"averaged_perceptron_tagger_eng"`` if NLTK can load that tagger, else None."""
    import nltk

    adopt_env_paths()
    try:
        nltk.data.find(f"taggers/{TAGGER}/")
    except LookupError:
        return None
    return TAGGER


def nltk_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """``nltk.pos_tag``, but a missing tagger is a MissingNLTKDataError, never a download."""
    import nltk

    try:
        return nltk.pos_tag(list(tokens))
    except LookupError as exc:
        raise MissingNLTKDataError(f"NLTK's {TAGGER} tagger could not be loaded: {exc}") from exc


_CLOSED_CLASS: dict[str, str] = {}
for _tag, _words in {
    "DT": "a an the this that these those another each every either neither all both some any no",
    "PDT": "such",
    "PRP": "i me you he him she her it we us they them myself yourself himself herself itself "
           "ourselves yourselves themselves mine yours hers ours theirs",
    "PRP$": "my your his its our their",
    "IN": "about above across after against along amid among around as at before behind below "
          "beneath beside besides between beyond by despite during except for from in inside into "
          "like near of off on onto out outside over past per since than through throughout till "
          "toward towards under underneath until unlike up upon via with within without although "
          "because if though unless whereas while whether",
    "CC": "and or but nor plus &",
    "MD": "can could may might must shall should will would ought cannot",
    "TO": "to",
    "WDT": "which whatever whichever",
    "WP": "who whom what whoever whomever",
    "WP$": "whose",
    "WRB": "how when where why whenever wherever",
    "EX": "there",
    "RB": "not never",
    "UH": "oh ah hey wow ouch oops",
    "VB": "be",
    "VBZ": "is has does",
    "VBP": "am are have do",
    "VBD": "was were had did",
    "VBN": "been",
    "VBG": "being having doing",
    "CD": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
          "eighty ninety hundred thousand million billion",
}.items():
    for _word in _words.split():
        _CLOSED_CLASS[_word] = _tag
del _tag, _words, _word

# Penn Treebank tags its punctuation by class; anything else is tagged as itself.
_PUNCT_TAGS = {"!": ".", "?": ".", ";": ":", "-": ":", "--": ":", "...": ":", '"': "''",
               "'": "''", "`": "``", "[": "(", "]": ")", "{": "(", "}": ")"}
_NUMBER = re.compile(r"[+-]?(\d+([.,:/]\d+)*|\d*\.\d+)(st|nd|rd|th|s)?")

_fallback_warned = False


@functools.lru_cache(maxsize=65536)
def _tag_word(word: str) -> str:
    """The Penn tag the WordNet-built tagger gives ``word`` (out of context)."""
    if word and not any(ch.isalnum() for ch in word):
        return _PUNCT_TAGS.get(word, word)
    lower = word.lower()
    if _NUMBER.fullmatch(lower):
        return "CD"
    if lower in _CLOSED_CLASS:
        return _CLOSED_CLASS[lower]

    from nltk.corpus import wordnet as wn

    best: tuple[int, int] | None = None
    best_pos = best_base = None
    for pos in ("n", "v", "a", "r"):
        synsets = wn.synsets(lower, pos)
        if not synsets:
            continue
        base = wn.morphy(lower, pos) or lower
        names = {lower, base}
        count = sum(
            lemma.count() for synset in synsets for lemma in synset.lemmas()
            if lemma.name().lower() in names
        )
        # Sense counts first (how often WordNet's tagged corpus saw the word
        # this way); the number of senses decides ties and unseen words.
        score = (count, len(synsets))
        if best is None or score > best:
            best, best_pos, best_base = score, pos, base
    if best_pos is None:
        return "NN"
    inflected = best_base != lower
    if best_pos == "n":
        return "NNS" if inflected else "NN"
    if best_pos == "v":
        if not inflected:
            return "VB"
        if lower.endswith("ing"):
            return "VBG"
        if lower.endswith("s"):
            return "VBZ"
        return "VBD"
    if best_pos == "a":
        if inflected and lower.endswith("est"):
            return "JJS"
        if inflected and lower.endswith("er"):
            return "JJR"
        return "JJ"
    return "RB"


def fallback_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """Tag tokens with a tagger built from WordNet, in ``nltk.pos_tag``'s format.

    Closed-class words (determiners, pronouns, prepositions, conjunctions,
    modals, wh-words, forms of be/have/do...) come from a fixed list, numbers are
    CD, punctuation is tagged as itself (Penn classes for ``! ? ;``), and any
    other word gets the part of speech with the highest WordNet sense count
    (ties and unseen words: the most synsets), as a Penn tag chosen by
    morphology; unknown words are NN. Needs WordNet loadable (see
    :func:`~augment.backends.text.wordnet.ensure_wordnet`). Warns once per process with FallbackTaggerWarning.

    Args:
        tokens: The tokens to tag.

    Returns:
        A list of ``(token, tag)`` pairs, one per token.
    """
    warn_fallback_tagger(stacklevel=3)
    return [(token, _tag_word(token)) for token in tokens]


def warn_fallback_tagger(stacklevel: int = 2) -> None:
    """Say, once per process, that the WordNet-built tagger stands in for NLTK's.

    A run says it once, from its own process; its worker processes ignore
    run notices such as FallbackTaggerWarning (params record the tagger of
    every output anyway).
    """
    global _fallback_warned
    if not _fallback_warned:
        _fallback_warned = True
        warnings.warn(
            f"NLTK's {TAGGER} tagger was not found; tagging parts of speech with a tagger "
            "built from WordNet instead (closed-class words + each word's most frequent "
            "WordNet part of speech). Get the real tagger with: python -m augment.backends.text.setup "
            f'setup --allow-download  (or nltk.download("{TAGGER}"))',
            FallbackTaggerWarning,
            stacklevel=stacklevel,
        )
