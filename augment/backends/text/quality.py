"""The quality filter of SynonymAug and AntonymAug: what may be changed, and what may be put instead.

nlpaug's SynonymAug replaces any tagged word by any lemma of any of its WordNet
senses: names ("John" -> "Whoremonger"), pronouns ("He" -> "Helium"), pieces
of contractions ("can't" -> "give notice'thyroxine"), multi-word senses ("wet
nurse"), rare words ("chapiter"), and always the bare lemma ("ran" -> "run").
:class:`QualityFilter` looks at every token of a sample before nlpaug picks
which ones to change, and says for each either why it must stay (the counts
per reason go into the params) or what may replace it:

* never changed: proper nouns and acronyms (capitalised inside a sentence,
  capitalised first words that WordNet knows as names or that the text also
  capitalises elsewhere, all capitals), pronouns, determiners, auxiliaries,
  modals, prepositions, conjunctions, negations, numbers and other function
  words, contractions and their pieces, pieces of compounds ("well-known",
  "U.S."), and words that belong to a multi-word expression WordNet knows
  ("ice cream", a phrasal verb such as "turn off");
* replacements: single, common words (Zipf frequency >= :data:`MIN_ZIPF`, i.e.
  at least one use per million words, not much rarer than the original, and
  in lemminflect's dictionary) from the word's own part of speech and its most
  frequent senses (WordNet's sense counts), where the sense is also among the
  replacement's own most frequent ones and the replacement is mostly used as
  that part of speech; for verbs, senses whose WordNet frames fit what follows
  ("stopped working" is not "stopped the truck"); no derivation of the original ("product" ->
  "production"), no light verb ("take", "tell"), an article before it keeps
  agreeing ("a" / "an"); put in the original's form
  (:mod:`augment.backends.text.inflect`) and case. Words too ambiguous to
  replace without their context ("find") are left as they are.

In antonym mode the replacements are the antonyms WordNet gives the word
itself in those senses, with the same checks.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from augment.backends.text.inflect import WordForm, apply_case, case_pattern, inflect, word_form
from augment.backends.text.layout import token_spans

if TYPE_CHECKING:
    from augment.backends.text.synonym_index import WordNetIndex

__all__ = ["CANDIDATE_SENSES", "MAX_ZIPF_DROP", "MIN_FIRST_SENSE_SHARE", "MIN_FORM_ZIPF", "MIN_ZIPF", "POS_SHARE",
           "REASONS", "SENSES", "SENSE_SHARE", "CANDIDATE_SHARE", "Plan", "QualityFilter"]

# The settings below were tuned on the "tuning" sentences of
# benchmarks/data/text_quality_sentences.txt, never on the held-out ones.

#: The least Zipf frequency (log10 of uses per billion words) of a replacement's lemma...
MIN_ZIPF = 3.0
#: ... and of its inflected form ("motored" is rare though "motor" is not).
MIN_FORM_ZIPF = 2.5
#: A replacement may be at most this much rarer (Zipf) than the word it replaces ("food" ->
#: "nutrient" reads as a technical term).
MAX_ZIPF_DROP = 1.8
#: How many of a word's most frequent senses (WordNet's order) replacements may come from...
SENSES = 2
#: ... a sense after the first only if the tagged corpus saw the word in it at least this share
#: of the times it saw it in the first ("bought" is "bribed" 2 times in 104).
SENSE_SHARE = 0.8
#: A word whose most frequent sense has less than this share of its sense counts is too ambiguous
#: to replace without reading its context ("find": come upon, detect, regain, determine, ...).
MIN_FIRST_SENSE_SHARE = 0.25
#: A synonym must have the sense among its own this many most frequent ones (and the tagged
#: corpus must have seen it in that sense at least once).
CANDIDATE_SENSES = 2
#: A replacement must be used as the original's part of speech at least this share of the times
#: it is used as its most frequent one ("minor" is an adjective 6 times as often as a noun).
POS_SHARE = 0.2
#: A synonym must be used in the sense at least this share of the times it is used as that part
#: of speech ("find" -> "bump": "bump" means "come upon" one time in four).
CANDIDATE_SHARE = {"n": 0.0, "v": 0.3, "a": 0.0, "r": 0.0}
# Verbs whose meaning hangs on what follows them ("keep rising", "take place"): never
# changed, and never put in ("said" -> "told" needs an object). Light nouns ("way",
# "thing", "part") are function words above for the same reason.
_LIGHT_VERBS = frozenset("make take give go come put set let keep hold bring turn".split())
_NEVER_PUT_IN = _LIGHT_VERBS | frozenset("say tell see know find look run pass lead get have do be".split())
_OBJECT_PRONOUNS = frozenset("me him us them".split())

#: Why a word was left as it is, as params count them.
REASONS: tuple[str, ...] = (
    "proper noun", "acronym", "pronoun", "determiner", "auxiliary", "modal", "preposition", "conjunction",
    "negation", "contraction", "number", "function word", "compound", "multi-word expression", "no candidate",
)

_WORDS: dict[str, str] = {}
for _reason, _words in {
    "pronoun": "i me my mine myself you your yours yourself yourselves he him his himself she her hers herself "
               "it its itself we us our ours ourselves they them their theirs themselves one oneself who whom "
               "whose somebody someone something anybody anyone anything everybody everyone everything",
    "determiner": "a an the this that these those each every either some any all both another such which what "
                  "whatever whichever",
    "auxiliary": "be am is are was were been being have has had having do does did done doing get gets got "
                 "gotten getting",
    "modal": "can could may might must shall should will would ought cannot",
    "preposition": "about above across after against along amid among around at before behind below beneath "
                   "beside besides between beyond by despite during except for from in inside into like near "
                   "of off on onto out outside over past per since through throughout till to toward towards "
                   "under underneath until unlike up upon via with within down away back worth",
    "conjunction": "and or but so yet although because if though unless whereas while whether as than whilst",
    "negation": "not no never none nothing nobody nowhere neither nor without",
    "number": "zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
              "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
              "hundred thousand million billion trillion dozen first second third fourth fifth sixth seventh "
              "eighth ninth tenth half once twice percent",
    "function word": "there here then now too very also just only even still already again ever quite rather "
                     "almost perhaps maybe how when where why please yes oh ah hey ok okay many much more most "
                     "less least few fewer several own other same else enough lot lots next last way ways thing "
                     "things kind kinds sort sorts part parts bit bits stuff",
}.items():
    for _word in _words.split():
        _WORDS.setdefault(_word, _reason)
del _reason, _words, _word

_SENTENCE_END = frozenset(".!?\u2026")
_VOWELS = frozenset("aeiou")
_OPENERS = frozenset("\"'([{\u201c\u2018`")
_APOSTROPHES = frozenset("'\u2019")
# The piece after an apostrophe that makes the word before it part of a contraction ("can't", "they're").
_CLITICS = frozenset({"t", "re", "ve", "ll", "d", "m"})
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]")
# Penn tags of the parts of speech WordNet has.
_POS = {"NN": "n", "NNS": "n", "VB": "v", "VBD": "v", "VBG": "v", "VBN": "v", "VBP": "v", "VBZ": "v",
        "JJ": "a", "JJR": "a", "JJS": "a", "RB": "r", "RBR": "r", "RBS": "r"}
_TAG_REASONS = {"NNP": "proper noun", "NNPS": "proper noun", "PRP": "pronoun", "PRP$": "pronoun", "WP": "pronoun",
                "WP$": "pronoun", "DT": "determiner", "PDT": "determiner", "WDT": "determiner", "MD": "modal",
                "IN": "preposition", "TO": "preposition", "CC": "conjunction", "CD": "number"}
_PARTICLES = frozenset("up down out off in on over away back around through along about by".split())
# WordNet's verb frames (1 "Something ----s", 8 "Somebody ----s something", 33 "Somebody
# ----s VERB-ing"...) that fit what follows a verb: a verb sense, and a synonym, must have one.
_FRAMES = {
    "object": frozenset({5, 8, 9, 10, 11, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 30, 31}),
    "none": frozenset({1, 2, 3, 4, 6, 7, 12, 13, 22, 23, 27}),
    "ing": frozenset({33}),
    "to": frozenset({28, 32, 35}),
    "clause": frozenset({26, 34}),
    "complement": frozenset({5, 6, 7}),
}
_CACHE_SIZE = 65536
_OBJECT_TAGS = frozenset({"DT", "PDT", "PRP$", "CD", "JJ", "JJR", "JJS", "NN", "NNS", "NNP", "NNPS"})


@functools.lru_cache(maxsize=65536)
def _letters(word: str) -> int:
    """How many letters ``word`` has."""
    return sum(ch.isalpha() for ch in word)


@dataclass
class Plan:
    """The filter's verdict on one sample's tokens.

    Attributes:
        candidates: Token index -> replacements, ready to put in (form and case done), in a fixed order.
        reasons: Token index -> why the word stays (one of :data:`REASONS`); punctuation has neither.
    """

    candidates: dict[int, tuple[str, ...]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)


class QualityFilter:
    """Decides, per token, what may replace it (see the module docstring).

    Args:
        index: The synonym index.
        antonyms: Replacements are antonyms (AntonymAug), not synonyms.
    """

    def __init__(self, index: WordNetIndex, *, antonyms: bool = False) -> None:
        self.index = index
        self.antonyms = antonyms
        self._cache: dict[tuple[str, WordForm, str | None], tuple[str, ...]] = {}
        self._expression = functools.lru_cache(maxsize=_CACHE_SIZE)(self._expression_uncached)

    @staticmethod
    def tagging_tokens(tokens: Sequence[str]) -> list[str]:
        """The tokens to tag: in lower case when the text is written in capitals (taggers read them as names)."""
        words = [str(t) for t in tokens]
        return [w.lower() for w in words] if QualityFilter._shouting(words) else words

    def plan(self, text: str, tokens: Sequence[str], tagged: Sequence[tuple[str, str]]) -> Plan:
        """Judge every token of ``text`` (split by nlpaug's tokenizer into ``tokens``, tagged as ``tagged``)."""
        plan = Plan()
        spans = token_spans(text)
        if [text[s:e] for s, e in spans] != [str(t) for t in tokens]:
            spans = []  # not the layout tokenizer's tokens: judge without the spacing between them
        words = [str(t) for t in tokens]
        tags = [tag for _, tag in tagged]
        starts = self._sentence_starts(text, words, spans)
        named = {w.lower() for i, w in enumerate(words) if not starts[i] and case_pattern(w) == "capitalised"}
        shouting = self._shouting(words)
        in_expression = self._expressions(text, words, tags, spans)
        for i, word in enumerate(words):
            if not word.isalnum() and not any(ch.isalnum() for ch in word):
                continue
            reason = self._reason(i, words, tags, spans, starts, named, shouting)
            if reason is None and i in in_expression:
                reason = "multi-word expression"
            if reason is None:
                pattern = case_pattern(word)
                context = self._verb_context(i, words, tags) if tags[i].startswith("VB") else None
                found = self._replacements(word.lower(), tags[i], pattern if pattern != "lower" else "", context)
                if i and words[i - 1].lower() in ("a", "an") and (not spans or not text[spans[i - 1][1]:
                                                                                         spans[i][0]].strip()):
                    # "a long trip" must not become "a endless trip": keep the vowel or consonant start.
                    vowel = word[0].lower() in _VOWELS
                    found = tuple(w for w in found if (w[0].lower() in _VOWELS) == vowel)
                if found:
                    plan.candidates[i] = found
                    continue
                reason = "no candidate"
            plan.reasons[i] = reason
        return plan

    # ------------------------------------------------------------------ what stays, and why

    @staticmethod
    def _sentence_starts(text: str, words: list[str], spans: list[tuple[int, int]]) -> list[bool]:
        starts = []
        for i in range(len(words)):
            back = i - 1
            while back >= 0 and words[back] in _OPENERS:
                back -= 1
            start = back < 0 or words[back] in _SENTENCE_END
            if not start and spans and i and _LINE_BREAK.search(text[spans[i - 1][1]: spans[i][0]]):
                start = True  # a new line: a heading, a list item, a new paragraph
            starts.append(start)
        return starts

    @staticmethod
    def _shouting(words: list[str]) -> bool:
        """Whether the sample is written in capitals (then capitals are no sign of an acronym)."""
        upper = sum(1 for w in words if case_pattern(w) == "upper")  # each of them has two letters or more
        if upper < 3:
            return False
        return upper >= 0.6 * sum(1 for w in words if _letters(w) > 1)

    @staticmethod
    def _glued(i: int, spans: list[tuple[int, int]], words: list[str]) -> tuple[str | None, str | None]:
        """The symbol glued to each side of word ``i`` that is itself glued to another word ("-" of "well-known")."""
        left = right = None
        if not spans:
            return None, None
        if i >= 2 and spans[i - 1][1] == spans[i][0] and spans[i - 2][1] == spans[i - 1][0] \
                and words[i - 2][-1:].isalnum():
            left = words[i - 1]
        if i + 2 < len(words) and spans[i][1] == spans[i + 1][0] and spans[i + 1][1] == spans[i + 2][0] \
                and words[i + 2][:1].isalnum():
            right = words[i + 1]
        return left, right

    def _reason(self, i: int, words: list[str], tags: list[str], spans: list[tuple[int, int]],
                starts: list[bool], named: set[str], shouting: bool) -> str | None:
        word = words[i]
        lower = word.lower()
        left, right = self._glued(i, spans, words)
        if left is not None and left in _APOSTROPHES:
            return "contraction"  # the "t" of "can't", the "s" of "John's"
        if right is not None and right in _APOSTROPHES and words[i + 2].lower() in _CLITICS:
            return "contraction"  # the "can" of "can't"
        if (left is not None and left not in _APOSTROPHES) or (right is not None and right not in _APOSTROPHES):
            return "compound"
        if not word.isalpha():  # letters are never digits: only such a word can hold a digit
            return "number" if any(ch.isdigit() for ch in word) else "compound"
        if lower in _WORDS:
            return _WORDS[lower]
        pattern = case_pattern(word)
        if pattern == "upper" and not shouting:
            return "acronym"
        if pattern == "mixed":
            return "proper noun"
        if pattern == "capitalised" and (not starts[i] or lower in named or tags[i] in ("NNP", "NNPS")
                                         or self._known_name(lower)):
            return "proper noun"
        if tags[i] not in _POS:
            return _TAG_REASONS.get(tags[i], "function word")
        if tags[i].startswith("VB") and any(b in _LIGHT_VERBS for b in self.index.morphy(lower, "v")):
            return "function word"
        if tags[i].startswith("VB") and i + 1 < len(words) and words[i + 1].lower() in _OBJECT_PRONOUNS:
            return "no candidate"  # "told me", "asked him": few synonyms take the same objects
        return None

    def _known_name(self, lower: str) -> bool:
        """Whether WordNet has ``lower`` as a name (capitalised) in at least as many senses as a common noun."""
        named = common = 0
        for p, offset in self.index.synsets(lower, "n"):
            for name, _, _ in self.index.lemmas(p, offset):
                if name.lower() == lower:
                    if name[0].isupper():
                        named += 1
                    else:
                        common += 1
        return named > 0 and named >= common

    def _pos_counts(self, lemma: str) -> dict[str, int]:
        """How often the tagged corpus saw ``lemma`` as each part of speech (its own spelling, all senses)."""
        counts = {}
        for pos in ("n", "v", "a", "r"):
            counts[pos] = sum(count for offset in self.index.offsets(lemma, pos) or ()
                              for name, count, _ in self.index.lemmas(pos, offset) if name.lower() == lemma)
        return counts

    def _expressions(self, text: str, words: list[str], tags: list[str], spans: list[tuple[int, int]]) -> set[int]:
        """Tokens inside a multi-word expression WordNet has ("ice cream", "turn off", "give up")."""
        inside: set[int] = set()
        for i in range(len(words) - 1):
            first, second = words[i].lower(), words[i + 1].lower()
            if not (first.isalpha() and second.isalpha()):
                continue
            if spans and text[spans[i][1]: spans[i + 1][0]].strip():
                continue
            if self._expression(first, second, tags[i].startswith("VB"), tags[i + 1].startswith("NN")):
                inside.update((i, i + 1))
        return inside

    def _expression_uncached(self, first: str, second: str, verb: bool, noun: bool) -> bool:
        """Whether ``first second`` (lower case; ``first`` tagged a verb, ``second`` a noun) is a WordNet expression."""
        index = self.index
        heads = {first}
        if verb:
            heads.update(index.morphy(first, "v"))
        seconds = {second, *index.morphy(second, "n")} if noun else {second}
        if any(index.has_lemma(f"{h}_{s}") for h in heads for s in seconds):
            return True
        return verb and second in _PARTICLES and any(index.offsets(f"{h}_{second}", "v") for h in heads)

    @staticmethod
    def _verb_context(i: int, words: list[str], tags: list[str]) -> str | None:
        """What follows the verb ``i``, as a key of ``_FRAMES`` (None: nothing to go by)."""
        j = i + 1
        while j < len(words) and tags[j] in ("RB", "RBR", "RBS") and words[j].lower() not in ("not", "t"):
            j += 1
        if j >= len(words) or not any(ch.isalnum() for ch in words[j]) and words[j] not in _APOSTROPHES:
            return "none"
        after, tag = words[j].lower(), tags[j]
        if tag == "VBG":
            return "ing"
        if after == "to" and j + 1 < len(words) and tags[j + 1] in ("VB", "VBP"):
            return "to"
        if after == "that" or tag == "PRP" and after in ("i", "he", "she", "we", "they"):
            return "clause"
        if tag in ("JJ", "JJR", "JJS") and (j + 1 >= len(words) or not tags[j + 1].startswith("NN")):
            return "complement"  # "seemed happier", not "bought new shoes"
        if tag in _OBJECT_TAGS or tag == "PRP":
            return "object"
        if tag in ("IN", "RP", "TO", "CC"):
            return "none"
        return None

    # ------------------------------------------------------------------ what may come instead

    def _replacements(self, lower: str, tag: str, pattern: str, context: str | None = None) -> tuple[str, ...]:
        pos = _POS[tag]
        form = word_form(self.index, lower, pos, tag)
        if form is None:
            return ()
        key = (lower, form, context)
        if key not in self._cache:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.clear()  # memory stays flat however many files a worker augments
            self._cache[key] = self._lemma_replacements(lower, form, context)
        return tuple(apply_case(w, pattern) for w in self._cache[key]) if pattern else self._cache[key]

    def _lemma_replacements(self, lower: str, form: WordForm, context: str | None = None) -> tuple[str, ...]:
        index = self.index
        if self.antonyms and form.pos == "n":
            return ()  # nlpaug's AntonymAug changes verbs, adjectives and adverbs only
        offsets = index.offsets(form.lemma, form.pos) or ()
        found: list[str] = []
        first = 0
        senses: list[tuple[int, tuple[tuple[str, int, tuple[str, ...]], ...]]] = []
        total = sum(count for offset in offsets for name, count, _ in index.lemmas(form.pos, offset)
                    if name.lower() == form.lemma)
        for rank, offset in enumerate(offsets[:SENSES]):
            lemmas = index.lemmas(form.pos, offset)
            own = sum(count for name, count, _ in lemmas if name.lower() == form.lemma)
            if rank == 0:
                first = own
                if total and own < MIN_FIRST_SENSE_SHARE * total:
                    break
            elif not own or own < SENSE_SHARE * first:
                continue  # a sense the tagged corpus saw the word in rarely, or never
            if form.pos == "v" and context is not None and not self._fits(form.lemma, offset, context):
                continue  # "hid under the sofa" is not the "hid it" sense
            senses.append((offset, lemmas))
        for offset, lemmas in senses:
            for name, count, opposite in lemmas:
                names = ([a for a in opposite] if name.lower() == form.lemma else []) if self.antonyms else \
                    ([name] if count else [])  # a synonym the tagged corpus saw in this sense
                for candidate in names:
                    if candidate in found or not self._common(candidate, form, lower):
                        continue
                    if not self._main_sense(candidate, form.pos, None if self.antonyms else offset):
                        continue
                    if not self.antonyms and count < CANDIDATE_SHARE.get(form.pos, 0.0) * \
                            self._pos_counts(candidate)[form.pos]:
                        continue
                    if form.pos == "v" and context is not None and not self.antonyms and \
                            not self._fits(candidate, offset, context):
                        continue
                    word = inflect(index, candidate, form)
                    if word is None or word == lower or word in found:
                        continue
                    if word != candidate and index.zipf(word) < MIN_FORM_ZIPF:
                        continue
                    found.append(word)
        return tuple(found)

    def _fits(self, lemma: str, offset: int, context: str) -> bool:
        """Whether the verb ``lemma`` in the sense ``offset`` has a frame for what follows it (or no frames)."""
        frames = self.index.frames(offset).get(lemma.lower())
        return not frames or bool(frames & _FRAMES[context])

    def _common(self, name: str, form: WordForm, lower: str) -> bool:
        """A single, common, lower-case word that reads as the original's kind of word.

        Not the original's lemma, nor one of its derivations ("product" ->
        "production"), no function word or light verb, an adverb in -ly for an
        adverb in -ly, and no -ing noun for a noun that is none.
        """
        lemma = form.lemma
        return (name.isalpha() and name.islower() and name != lemma and name not in _WORDS
                and not name.startswith(lemma[:-1]) and not lemma.startswith(name)
                and not (form.pos == "v" and name in _NEVER_PUT_IN)
                and not (form.pos == "r" and lower.endswith("ly") and not name.endswith("ly"))
                and not (form.pos == "n" and name.endswith("ing") and not lemma.endswith("ing"))
                and self.index.zipf(name) >= max(MIN_ZIPF, self.index.zipf(lemma) - MAX_ZIPF_DROP)
                and self._mainly(name, form.pos))

    def _mainly(self, name: str, pos: str) -> bool:
        """Whether ``name`` is mostly used as part of speech ``pos`` ("minor" is mostly an adjective)."""
        counts = self._pos_counts(name)
        return counts[pos] >= POS_SHARE * max(counts.values())

    def _main_sense(self, name: str, pos: str, offset: int | None) -> bool:
        """Whether the synset ``offset`` is among ``name``'s :data:`SENSES` + 1 most frequent (None: any sense)."""
        own = self.index.offsets(name, pos) or ()
        if offset is None:
            return bool(own)
        return offset in own[:CANDIDATE_SENSES]
