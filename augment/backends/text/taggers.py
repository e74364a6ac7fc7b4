"""Part-of-speech taggers for the WordNet ops: NLTK's perceptron tagger, or one built from offline lexicons.

nlpaug's SynonymAug and AntonymAug tag every token to pick synonyms of the
right part of speech, and the quality filter decides from the tags what may be
changed. NLTK's ``averaged_perceptron_tagger_eng`` is used when it is installed
(:func:`find_tagger`); a missing tagger is an error, never a download (nlpaug's
own fallback downloads the pre-NLTK-3.9 tagger name and fails again). Without
it, :class:`LexiconTagger` stands in (closed-class lists, lemminflect's word
forms, WordNet's sense counts, capitalisation, and its neighbours), and says so
once per process with a :class:`FallbackTaggerWarning`. It needs no NLTK import.
"""

from __future__ import annotations

import functools
import math
import re
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from augment.backends.text.wordnet import MissingNLTKDataError, nltk_search_path
from augment.core.notices import RunNotice

if TYPE_CHECKING:
    from augment.backends.text.synonym_index import WordNetIndex

__all__ = [
    "CLOSED_CLASS",
    "FALLBACK_TAGGER",
    "TAGGER",
    "FallbackTaggerWarning",
    "LexiconTagger",
    "fallback_pos_tag",
    "find_tagger",
    "nltk_pos_tag",
    "warn_fallback_tagger",
]

#: NLTK's perceptron tagger package (NLTK >= 3.9 name).
TAGGER = "averaged_perceptron_tagger_eng"
#: What params record when :class:`LexiconTagger` stands in for it (the "-2": it is
#: not the WordNet-only tagger of augment-dir 0.1.0, which params called "wordnet-fallback").
FALLBACK_TAGGER = "wordnet-fallback-2"


class FallbackTaggerWarning(RunNotice):
    """NLTK's perceptron tagger is missing, so the offline lexicon tagger is in use.

    A run notice: said once per run, from the run's own process (see
    :class:`augment.core.notices.RunNotice`).
    """


def find_tagger() -> str | None:
    """``"averaged_perceptron_tagger_eng"`` if NLTK can load that tagger, else None.

    Looks on NLTK's search path by itself when NLTK is not imported yet
    (importing it costs 1-2 s), and asks NLTK otherwise.
    """
    paths = nltk_search_path()
    if paths is not None and "nltk" not in sys.modules:
        found = any((Path(p) / "taggers" / TAGGER).is_dir() or (Path(p) / "taggers" / f"{TAGGER}.zip").is_file()
                    for p in paths)
        return TAGGER if found else None
    import nltk

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


# Closed-class words: the tag they take wherever they stand (the ambiguous
# ones are settled by their neighbours in :class:`LexiconTagger`).
CLOSED_CLASS: dict[str, str] = {}
for _tag, _words in {
    "DT": "a an the this that these those another each every either neither all both some any no",
    "PDT": "such",
    "PRP": "i me you he him she her it we us they them myself yourself himself herself itself "
           "ourselves yourselves themselves mine yours hers ours theirs one's",
    "PRP$": "my your his its our their",
    "IN": "about above across after against along amid among around as at before behind below "
          "beneath beside besides between beyond by despite during except for from in inside into "
          "like near of off on onto out outside over past per since than through throughout till "
          "toward towards under underneath until unlike upon via with within without although "
          "because if though unless whereas while whether whilst",
    "RP": "up down away back",
    "CC": "and or but nor plus &",
    "MD": "can could may might must shall should will would ought cannot",
    "TO": "to",
    "WDT": "which whatever whichever",
    "WP": "who whom what whoever whomever",
    "WP$": "whose",
    "WRB": "how when where why whenever wherever",
    "EX": "there",
    "RB": "not never also very too so just only even still already yet again ever then here now "
          "thus hence however quite rather almost perhaps maybe n't",
    "UH": "oh ah hey wow ouch oops please yes hello hi okay ok",
    "VB": "be",
    "VBZ": "is has does",
    "VBP": "am are have do",
    "VBD": "was were had did",
    "VBN": "been done",
    "VBG": "being having doing",
    "JJ": "many several few own other same much",
    "JJR": "more less fewer",
    "JJS": "most least",
    "NN": "today yesterday tomorrow tonight",
    "CD": "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
          "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy "
          "eighty ninety hundred thousand million billion trillion dozen",
}.items():
    for _word in _words.split():
        CLOSED_CLASS[_word] = _tag
del _tag, _words, _word

# Penn Treebank tags its punctuation by class; anything else is tagged as itself.
_PUNCT_TAGS = {"!": ".", "?": ".", ";": ":", "-": ":", "--": ":", "...": ":", '"': "''",
               "'": "''", "\u2019": "''", "`": "``", "[": "(", "]": ")", "{": "(", "}": ")"}
_NUMBER = re.compile(r"[+-]?(\d+([.,:/]\d+)*|\d*\.\d+)(st|nd|rd|th|s)?")
_APOSTROPHES = ("'", "\u2019")
# The first piece of a negative contraction ("don", "'", "t"), and its tag.
_NEGATED = {"don": "VBP", "doesn": "VBZ", "didn": "VBD", "isn": "VBZ", "aren": "VBP", "wasn": "VBD",
            "weren": "VBD", "haven": "VBP", "hasn": "VBZ", "hadn": "VBD", "can": "MD", "couldn": "MD",
            "wouldn": "MD", "shouldn": "MD", "won": "MD", "mustn": "MD", "needn": "MD", "ain": "VBP",
            "shan": "MD", "mightn": "MD"}
# The piece after the apostrophe of a contraction, and its tag.
_CLITICS = {"t": "RB", "re": "VBP", "ve": "VBP", "ll": "MD", "d": "MD", "m": "VBP", "s": "POS"}
_SUBJECTS = frozenset("i you he she it we they who".split())
_TIME_WORDS = frozenset("today yesterday tomorrow tonight".split())
_BE = frozenset("be am is are was were been being".split())
_HAVE = frozenset("have has had having".split())
_DO = frozenset("do does did".split())
# Verbs followed by an adjective, not an adverb: "feels cold", "seemed tired".
_LINKING = frozenset("feel feels felt seem seems seemed look looks looked sound sounds sounded smell smells "
                     "smelled smelt taste tastes tasted become becomes became remain remains remained stay stays "
                     "stayed appear appears appeared grow grows grew turn turns turned get gets got".split())
# After these a noun (or an adjective before one) is expected, not a verb.
_NOMINAL_LEFT = frozenset({"DT", "PRP$", "POS", "CD", "JJ", "JJR", "JJS", "PDT", "WP$"})
_COARSE = {"n": ("NN", "NNS"), "v": ("VB", "VBD", "VBG", "VBN", "VBP", "VBZ"), "a": ("JJ", "JJR", "JJS"),
           "r": ("RB", "RBR", "RBS")}
_COARSE_OF = {tag: coarse for coarse, tags in _COARSE.items() for tag in tags}
_SUFFIXES = (("ly", "r"), ("ing", "v"), ("ed", "v"), ("tion", "n"), ("sion", "n"), ("ment", "n"), ("ness", "n"),
             ("ity", "n"), ("ism", "n"), ("ist", "n"), ("er", "n"), ("or", "n"), ("ous", "a"), ("ful", "a"),
             ("able", "a"), ("ible", "a"), ("ive", "a"), ("al", "a"), ("ic", "a"), ("less", "a"), ("ish", "a"))

_fallback_warned = False


class LexiconTagger:
    """A part-of-speech tagger built from what is available offline, in ``nltk.pos_tag``'s format.

    For each word it knows which tags the word can take, and how likely each
    part of speech is, from: the closed-class lists above, ``lemminflect``'s
    dictionary of word forms (which forms a word is: "drove" is a noun and
    the past of "drive"), WordNet's sense counts per part of speech (how often
    WordNet's tagged corpus saw the word as a noun, verb...), capitalisation and
    position in the sentence (a capitalised word inside a sentence is a proper
    noun), and suffixes for unknown words. Its neighbours then decide between
    them, left to right: a noun after a determiner or an adjective, a base verb
    after "to" or a modal, a participle after "be" or "have", a finite verb
    after a subject pronoun.

    Args:
        index: The synonym index (WordNet and the word forms).
    """

    def __init__(self, index: WordNetIndex) -> None:
        self.index = index
        self._lexical = functools.lru_cache(maxsize=65536)(self._lexical_uncached)
        self._guess = functools.lru_cache(maxsize=65536)(self._guess_uncached)

    def __call__(self, tokens: Sequence[str]) -> list[tuple[str, str]]:
        """Tag ``tokens``: a list of ``(token, tag)`` pairs, one per token."""
        words = list(tokens)
        tags: list[str] = []
        for i in range(len(words)):
            tags.append(self._tag_in_context(words, tags, i))
        return list(zip(words, tags, strict=True))

    # ------------------------------------------------------------------ one word, out of context

    def _lexical_uncached(self, lower: str) -> dict[str, tuple[float, frozenset[str]]]:
        """The parts of speech (n, v, a, r) ``lower`` can have: each one's weight and its possible Penn tags."""
        index = self.index
        weights: dict[str, float] = {}
        for pos in ("n", "v", "a", "r"):
            bases = index.morphy(lower, pos)
            if not bases:
                continue
            count = senses = 0
            for base in bases:
                for p, offset in index.synsets(base, pos):
                    senses += 1
                    count += sum(c for name, c, _ in index.lemmas(p, offset) if name.lower() == base)
            # Sense counts first; the number of senses speaks for words the corpus never saw.
            weights[pos] = count + 0.1 * senses + 0.05
        fine: dict[str, set[str]] = {}
        analyses = index.analyses(lower)
        usual = [(tag, rank) for tag, _lemma, rank in analyses if tag in _COARSE_OF]
        for tag, rank in usual:
            if rank == 0 or not any(r == 0 and _COARSE_OF[t] == _COARSE_OF[tag] for t, r in usual):
                fine.setdefault(_COARSE_OF[tag], set()).add(tag)
        found: dict[str, tuple[float, frozenset[str]]] = {}
        for coarse in set(weights) | set(fine):
            weight = weights.get(coarse, 0.0) + (0.5 if coarse in fine else 0.0)
            found[coarse] = (weight, frozenset(fine.get(coarse) or {_default_fine(lower, coarse)}))
        if not found:
            for suffix, coarse in _SUFFIXES:
                if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                    found[coarse] = (1.0, frozenset({_default_fine(lower, coarse)}))
                    break
            else:
                found["n"] = (1.0, frozenset({_default_fine(lower, "n")}))
        return found

    # ------------------------------------------------------------------ in context

    def _guess_uncached(self, token: str | None) -> str:
        """A rough tag for the token after the one being tagged (out of context), or "" for none."""
        if token is None:
            return ""
        lower = token.lower()
        if not any(ch.isalnum() for ch in token):
            return _PUNCT_TAGS.get(token, token)
        if lower in CLOSED_CLASS:
            return CLOSED_CLASS[lower]
        if _NUMBER.fullmatch(lower):
            return "CD"
        lexical = self._lexical(lower)
        coarse = max(lexical, key=lambda c: (lexical[c][0], c))
        return min(lexical[coarse][1])

    def _tag_in_context(self, tokens: list[str], tags: list[str], i: int) -> str:
        token = tokens[i]
        lower = token.lower()
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if not any(ch.isalnum() for ch in token):
            if token in _APOSTROPHES and after is not None and after.lower() == "s" and i:
                return "POS"
            return _PUNCT_TAGS.get(token, token)
        if _NUMBER.fullmatch(lower):
            return "CD"
        # Contractions, split by nlpaug's tokenizer: "don ' t", "they ' re", "John ' s".
        if after in _APOSTROPHES and i + 2 < len(tokens) and tokens[i + 2].lower() == "t" and lower in _NEGATED:
            return _NEGATED[lower]
        if i >= 2 and tokens[i - 1] in _APOSTROPHES and lower in _CLITICS:
            if lower == "s":
                return "VBZ" if tokens[i - 2].lower() in _SUBJECTS | {"that", "there", "what"} else "POS"
            return _CLITICS[lower]
        prev_tag = tags[i - 1] if i else None
        starts = prev_tag is None or prev_tag in (".", ":", "``", "''", "(")
        if lower in CLOSED_CLASS and (starts or not token[0].isupper() or lower == "i"):
            return self._closed(lower, tokens, tags, i)
        if token[0].isupper() and not starts:
            return "NNPS" if lower.endswith("s") and self._plural_noun(lower) else "NNP"
        if token.isupper() and len(token) > 1:
            return "NNP"
        lexical = self._lexical(lower)
        if token[0].isupper() and starts and self._proper_at_start(lower, lexical):
            return "NNP"
        return self._open(lower, lexical, tokens, tags, i)

    def _plural_noun(self, lower: str) -> bool:
        return any(tag == "NNS" for tag, _, _ in self.index.analyses(lower))

    def _proper_at_start(self, lower: str, lexical: dict[str, tuple[float, frozenset[str]]]) -> bool:
        """A capitalised first word: a name if WordNet has it as a name in at least as many senses as not."""
        named = common = 0
        for p, offset in self.index.synsets(lower, "n"):
            for name, _, _ in self.index.lemmas(p, offset):
                if name.lower() == lower:
                    named += name[0].isupper()
                    common += not name[0].isupper()
        return bool(named) and named >= common and set(lexical) == {"n"}

    def _closed(self, lower: str, tokens: list[str], tags: list[str], i: int) -> str:
        tag = CLOSED_CLASS[lower]
        prev_tag = tags[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        after_lower = after.lower() if after else None
        guess = self._guess(after)
        nominal_after = (guess[:2] in ("NN", "JJ", "CD") or guess in ("JJR", "JJS")) and after_lower not in _TIME_WORDS
        if lower == "her":
            return "PRP$" if nominal_after else "PRP"
        if lower == "that":
            if prev_tag and prev_tag.startswith("NN"):
                return "WDT"
            return "DT" if guess[:2] == "NN" else "IN"
        if lower == "there":
            return "EX" if after_lower in _BE or guess == "MD" else "RB"
        if lower == "one":
            return "NN" if prev_tag in _NOMINAL_LEFT - {"CD"} else "CD"
        if lower in ("more", "most", "less", "least"):
            if guess[:2] in ("JJ", "RB") and guess not in ("JJR", "JJS"):
                return "RBR" if tag == "JJR" else "RBS"
            return tag
        if lower == "like" and prev_tag in ("PRP", "NNS", "NNP", "MD", "TO") and \
                tokens[i - 1].lower() not in ("it", "looks", "look", "feels", "feel", "sounds"):
            return "VB" if prev_tag in ("MD", "TO") else "VBP"
        if tag == "RP":
            return "RP" if prev_tag and prev_tag.startswith("VB") else ("RB" if lower in ("away", "back") else "IN")
        if lower in ("off", "out", "over") and prev_tag and prev_tag.startswith("VB") and \
                guess in ("DT", "PRP$", "PRP", ".", ",", ""):
            return "RP"  # "turn off the lights"; "off the trees" after a noun is a preposition
        if lower in ("have", "do") and (prev_tag in ("MD", "TO") or prev_tag == "RB" and i >= 2 and
                                        tags[i - 2] in ("MD", "TO")):
            return "VB"
        return tag

    def _open(self, lower: str, lexical: dict[str, tuple[float, frozenset[str]]], tokens: list[str],
              tags: list[str], i: int) -> str:
        # The previous word that is not an adverb: "he slowly opened" is "he opened".
        back = i - 1
        while back >= 0 and tags[back] in ("RB", "RBR", "RBS") and tokens[back].lower() not in ("not", "n't", "t"):
            back -= 1
        prev_tag = tags[back] if back >= 0 else None
        prev = tokens[back].lower() if back >= 0 else None
        if back >= 0 and tokens[back].lower() == "t" and back >= 2:
            prev, prev_tag = tokens[back - 2].lower(), tags[back - 2]  # "didn ' t go": after "did"
            prev = {"don": "do", "doesn": "does", "didn": "did"}.get(prev, prev)
        guess = self._guess(tokens[i + 1] if i + 1 < len(tokens) else None)
        subject = (prev_tag == "PRP" and prev in _SUBJECTS) or prev_tag in ("WP", "WDT")
        nounish = prev_tag in ("NN", "NNS", "NNP", "NNPS")
        if prev_tag in ("NNP", "NNPS") and back >= 1 and tags[back - 1] in _NOMINAL_LEFT:
            # "the NASA report": a name after a determiner modifies the next word; no subject yet.
            nounish, prev_tag = False, "JJ"
        total = sum(weight for weight, _ in lexical.values())
        scores: dict[str, float] = {}
        for coarse, (weight, fine) in lexical.items():
            score = math.log(weight / total)
            if prev_tag in _NOMINAL_LEFT:
                score += {"n": 2.5, "a": 1.5 if guess[:2] == "NN" else -0.5, "v": -3.0, "r": -1.0}[coarse]
                if coarse == "v" and fine & {"VBN", "VBG"} and guess[:2] == "NN":
                    score += 2.5
            elif prev_tag in ("TO", "MD") or prev in _DO:
                score += 3.0 if coarse == "v" and "VB" in fine else (-1.0 if coarse == "r" else -3.0)
            elif prev in _HAVE:
                score += 3.0 if coarse == "v" and "VBN" in fine else (-0.5 if coarse in ("n", "a") else -2.0)
            elif prev in _BE:
                score += 2.5 if coarse == "v" and fine & {"VBN", "VBG"} else (1.5 if coarse in ("a", "r") else -1.0)
                if coarse == "a" and guess[:2] not in ("NN", "DT", "PR", "JJ", "IN", "TO"):
                    score += 3.0  # "was boring." / "was boring and": an adjective, not a verb without object
            elif prev in _LINKING:
                score += {"a": 2.5, "r": -1.0, "n": -0.5, "v": -1.0}[coarse]
            elif prev_tag and prev_tag.startswith("VB"):
                score += {"r": 2.0, "n": 0.5, "a": -0.5, "v": -1.0}[coarse]  # "worked hard", "needs help"
            elif prev_tag == "WRB":
                score += {"n": 1.0, "v": -1.0, "a": 0.0, "r": 0.0}[coarse]  # "where rents keep rising"
            elif subject or nounish:
                if coarse == "v" and fine & {"VBD", "VBZ", "VBP"}:
                    score += 2.5 if subject else 1.2
                elif coarse == "n":
                    score += -2.5 if subject else 0.0
            elif prev_tag in ("IN", "CC") or prev_tag == "RP":
                score += {"n": 1.0, "a": 0.5, "v": -1.0, "r": -0.5}[coarse]
                if coarse == "v" and "VBG" in fine and prev_tag == "IN":
                    score += 2.0
            elif prev_tag is None or prev_tag in (".", ":", ","):
                score += 0.3 if coarse in ("n", "v") else 0.0
            if guess in ("DT", "PRP$") or guess == "PRP" and tokens[i + 1].lower() in ("me", "him", "us", "them",
                                                                                       "it", "you", "her"):
                score += 1.5 if coarse == "v" else (-1.0 if coarse == "n" else 0.0)
            elif guess[:2] == "NN" and coarse == "a":
                score += 0.8
            elif guess == "TO" and coarse == "v":
                score += 0.5
            if guess in ("VBD", "VBZ", "MD") and nounish:
                # "the museum guide told us": a noun before the sentence's verb, not two verbs in a row.
                score += {"n": 2.5, "v": -2.0}.get(coarse, 0.0)
            scores[coarse] = score
        coarse = max(scores, key=lambda c: (scores[c], c))
        return self._fine(lower, coarse, lexical[coarse][1], prev, prev_tag, subject or nounish, starts=back < 0)

    @staticmethod
    def _fine(lower: str, coarse: str, fine: frozenset[str], prev: str | None, prev_tag: str | None,
              after_subject: bool, *, starts: bool) -> str:
        if len(fine) == 1:
            return next(iter(fine))
        if coarse == "n":
            return "NN" if "NN" in fine else min(fine)
        if coarse != "v":
            return min(fine)
        choices: tuple[str, ...]
        if prev_tag in ("TO", "MD") or prev in _DO:
            choices = ("VB", "VBP")
        elif prev in _HAVE or prev in _BE:
            choices = ("VBN", "VBG", "VBD")
        elif prev_tag in _NOMINAL_LEFT:
            choices = ("VBN", "VBG")
        elif after_subject:
            choices = ("VBD", "VBZ", "VBP")
        elif starts:
            choices = ("VB", "VBP")
        else:
            choices = ("VBD", "VBP", "VBZ", "VB", "VBN")
        for tag in choices:
            if tag in fine:
                return tag
        return min(fine)


def _default_fine(lower: str, coarse: str) -> str:
    """The Penn tag a word of part of speech ``coarse`` most likely has, from its ending alone."""
    if coarse == "n":
        return "NNS" if lower.endswith("s") and not lower.endswith("ss") else "NN"
    if coarse == "v":
        if lower.endswith("ing"):
            return "VBG"
        if lower.endswith("ed"):
            return "VBD"
        return "VBZ" if lower.endswith("s") and not lower.endswith("ss") else "VB"
    if coarse == "a":
        return "JJS" if lower.endswith("est") else ("JJR" if lower.endswith("er") else "JJ")
    return "RB"


_default: LexiconTagger | None = None


def fallback_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """Tag tokens with :class:`LexiconTagger` over the synonym index, in ``nltk.pos_tag``'s format.

    Needs WordNet (the index is built from it on first use, see
    :func:`~augment.backends.text.synonym_index.ensure_index`). Warns once per
    process with FallbackTaggerWarning.

    Args:
        tokens: The tokens to tag.

    Returns:
        A list of ``(token, tag)`` pairs, one per token.
    """
    global _default
    warn_fallback_tagger(stacklevel=3)
    if _default is None:
        from augment.backends.text.synonym_index import ensure_index

        _default = LexiconTagger(ensure_index())
    return _default(tokens)


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
            f"NLTK's {TAGGER} tagger was not found; tagging parts of speech with augment-dir's "
            "offline tagger instead (closed-class words, lemminflect's word forms, WordNet's sense "
            "counts and each word's neighbours). Get the real tagger with: python -m augment.backends.text.setup "
            f'setup --allow-download  (or nltk.download("{TAGGER}"))',
            FallbackTaggerWarning,
            stacklevel=stacklevel,
        )
