"""How good are SynonymAug's swaps? The default (quality = true) beside nlpaug's own (quality = false).

Runs both over English sentences written for this benchmark
(benchmarks/data/text_quality_sentences.txt: names, pronouns, contractions,
inflected verbs, plurals, acronyms) with several seeds, and classifies every
substitution automatically, by rules of its own (not the filter's):

* multi-word: the replacement is more than one word;
* function word: a pronoun, determiner, auxiliary, modal, preposition,
  conjunction or negation was replaced;
* contraction: a piece of a contraction ("can" of "can't") was replaced;
* proper noun: a name from the file's list of proper nouns was replaced;
* acronym: a word in capitals was replaced;
* rare word: the replacement is rare (Zipf frequency < 3, i.e. under one use
  per million words, for the word and its lemma, by wordfreq);
* broken inflection: the replacement cannot be the original's form (lemminflect:
  "ran" -> "run", "keys" -> "key");
* lost capital: the original was Capitalised or in CAPITALS and the replacement is not.

A substitution with any of these is bad. It prints bad substitutions per 100
changes, and changes per output, for both modes, and the ratio of changes per
output (the default's over nlpaug's), for three sizes of output: one sentence,
a paragraph of 4 sentences, and a document of 10 (nlpaug changes
ceil(aug_p * tokens) words, at most aug_max = 10, so the size matters). Wrong senses ("funny" -> "suspect") need
a reader: ``--hand`` reads the set's hand-judged sample (held-out: round 4's,
held-out-5: round 5's, benchmarks/data/text_quality_judged_round*.tsv; ``--judged``
names another), 100 swaps judged one by one, checks that the profile run still
makes them, and prints that rate; ``--write-sample`` writes a new, unjudged
sample. ``--coverage strict,wide`` prints how many words per sentence have a
candidate under each profile.

It also prints the accuracy of the offline tagger (the one used when NLTK's
perceptron tagger is not installed) on the hand-tagged sentences of
tests/backends/text/data (dev: used while improving it; test: not).

Usage: .venv/bin/python benchmarks/bench_text_quality.py [--set held-out-5|held-out|tuning-all|...] [--seeds 5]
       [--hand] [--quality true|strict|wide] [--coverage strict,wide]
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
import warnings
from collections import Counter
from pathlib import Path

DATA = Path(__file__).parent / "data"
SENTENCES = DATA / "text_quality_sentences.txt"
# The latest hand-judged sample: 100 swaps of the "balanced" profile tried in round 4 (the
# "strict" default makes the "synonym" ones too, not the "similar" ones).
JUDGED = DATA / "text_quality_judged_round4.tsv"
# Each held-out set's hand-judged sample (--hand reads the one of the set run).
JUDGED_BY_SET = {"held-out": JUDGED, "held-out-5": DATA / "text_quality_judged_round5_strict.tsv"}
TAGGED = Path(__file__).parent.parent / "tests" / "backends" / "text" / "data"
WORD = re.compile(r"(\W)")

FUNCTION_WORDS = set("""
i me my mine myself you your yours yourself yourselves he him his himself she her hers herself it its itself
we us our ours ourselves they them their theirs themselves who whom whose which what that this these those
a an the each every either neither some any all both another such no
be am is are was were been being have has had having do does did done doing
can could may might must shall should will would ought cannot
about above across after against along among around at before behind below beneath beside between beyond by
despite during except for from in inside into like near of off on onto out outside over past per since through
throughout till to toward towards under until up upon via with within without
and or but nor so yet although because if though unless whereas while whether than as
not never none nothing nobody nowhere
""".split())
CLITICS = {"t", "re", "ve", "ll", "d", "m", "s"}
CATEGORIES = ("multi-word", "function word", "contraction", "proper noun", "acronym", "rare word",
              "broken inflection", "lost capital")


def read_sentences() -> tuple[dict[str, list[str]], set[str]]:
    sections: dict[str, list[str]] = {}
    section = None
    for raw in SENTENCES.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("## "):
            section = line[3:]
            sections[section] = []
        elif line and not line.startswith("#") and section is not None:
            sections[section].append(line)
    proper = {w for line in sections.pop("proper") for w in line.split()}
    return sections, proper


def spans(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for piece in WORD.split(text):
        if piece.strip():
            out.append((pos, pos + len(piece)))
        pos += len(piece)
    return out


class Classifier:
    def __init__(self, proper: set[str]) -> None:
        import lemminflect
        import wordfreq

        self.proper = proper
        self.lemminflect = lemminflect
        self.zipf = lambda w: wordfreq.zipf_frequency(w, "en")

    def tags(self, word: str) -> set[str]:
        """The Penn tags ``word`` (lower case) is a form of, by lemminflect's dictionary."""
        found = set()
        for upos, lemmas in self.lemminflect.getAllLemmas(word).items():
            for lemma in lemmas:
                for tag, forms in self.lemminflect.getAllInflections(lemma, upos=upos).items():
                    if word in forms:
                        found.add(tag)
        return found

    def classify(self, sentence: str, change: dict) -> list[str]:
        original, replacement = change["original"], change["replacement"]
        bad = []
        if len(replacement.split()) > 1 or "_" in replacement:
            bad.append("multi-word")
        if original.lower() in FUNCTION_WORDS:
            bad.append("function word")
        where = spans(sentence)
        start, end = where[change["index"]]
        before, after = sentence[start - 1: start], sentence[end: end + 2]
        if before in ("'", "\u2019") and start >= 2 and sentence[start - 2].isalnum() or (
                after[:1] in ("'", "\u2019") and sentence[end + 1: end + 4].rstrip(" .,;!?").lower() in CLITICS):
            bad.append("contraction")
        if original in self.proper:
            bad.append("proper noun")
        letters = [c for c in original if c.isalpha()]
        if len(letters) > 1 and all(c.isupper() for c in letters):
            bad.append("acronym")
        if "multi-word" not in bad:
            word = replacement.lower()
            lemmas = {lemma for found in self.lemminflect.getAllLemmas(word).values() for lemma in found}
            if max([self.zipf(word), *(self.zipf(lemma) for lemma in lemmas)]) < 3.0:
                bad.append("rare word")
            before_tags, after_tags = self.tags(original.lower()), self.tags(word)
            if before_tags and after_tags and not before_tags & after_tags:
                bad.append("broken inflection")
        if original[:1].isupper() and not replacement[:1].isupper() or (
                original.isupper() and len(original) > 1 and not replacement.isupper()):
            bad.append("lost capital")
        return bad


def run(texts: list[str], seeds: int, quality: bool | str, classifier: Classifier) -> dict:
    from augment.backends.text import TextAugmenter

    aug = TextAugmenter(quality=quality)
    outputs = changes = 0
    bad = 0
    categories: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    relations: Counter[str] = Counter()
    swaps = []
    for seed in range(seeds):
        for number, sentence in enumerate(texts):
            result = aug.augment(sentence, seed=1000 * seed + number)
            op = result.params["ops"][0]
            outputs += 1
            skipped.update(op.get("skipped", {}))
            for change in op["changes"]:
                changes += 1
                found = classifier.classify(sentence, change)
                categories.update(found)
                bad += bool(found)
                swaps.append((seed, number, sentence, change, found, result.data))
                relations[change.get("relation", "-")] += 1
    return {"outputs": outputs, "changes": changes, "bad": bad, "categories": categories, "skipped": skipped,
            "swaps": swaps, "relations": relations}


def coverage(sentences: list[str], profiles: list[str]) -> None:
    """Words per sentence with a candidate, per profile."""
    from augment.backends.text import layout, synonym_index, taggers
    from augment.backends.text.quality import QualityFilter

    index = synonym_index.ensure_index()
    tagger = taggers.LexiconTagger(index)
    print(f"\nwords with a candidate, {len(sentences)} sentences (one at a time):")
    for name in profiles:
        qf = QualityFilter(index, profile=name)
        eligible = 0
        for sentence in sentences:
            tokens = [sentence[s:e] for s, e in layout.token_spans(sentence)]
            tagged = tagger(QualityFilter.tagging_tokens(tokens))
            eligible += len(qf.plan(sentence, tokens, tagged).candidates)
        print(f"  {name:8} {eligible:5} = {eligible / len(sentences):.2f} per sentence")


def hand_rate(swaps: list) -> None:
    if not JUDGED.is_file():
        print(f"\nno hand-judged sample ({JUDGED} is missing; make one with --write-sample)")
        return
    made = {(s, n, c["index"], c["original"], c["replacement"]) for s, n, _, c, _, _ in swaps}
    rows = list(csv.DictReader(JUDGED.open(encoding="utf-8"), delimiter="\t"))
    stale = [r for r in rows if (int(r["seed"]), int(r["sentence"]), int(r["index"]), r["original"],
                                 r["replacement"]) not in made]
    judged = [r for r in rows if r["verdict"] in ("ok", "bad")]
    bad = [r for r in judged if r["verdict"] == "bad"]
    distinct = {(r["sentence"], r["index"], r["replacement"]) for r in judged}
    distinct_bad = {(r["sentence"], r["index"], r["replacement"]) for r in bad}
    print(f"\nhand-judged sample ({JUDGED.name}): {len(judged)} swaps judged ({len(distinct)} distinct, "
          f"{len(distinct_bad)} of them bad), {len(bad)} bad "
          f"= {100 * len(bad) / max(len(judged), 1):.1f} bad per 100 changes"
          + (f"; {len(stale)} of them are no longer made by the profile run (re-judge!)" if stale else
             "; all still made by the profile run"))
    reasons = Counter(r["note"].split(":")[0] for r in bad)
    for reason, count in reasons.most_common():
        print(f"  {reason}: {count}")


def write_sample(swaps: list, count: int = 100) -> None:
    chosen = sorted(random.Random(12).sample(range(len(swaps)), min(count, len(swaps))))
    with JUDGED.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["seed", "sentence", "index", "original", "replacement", "output", "verdict", "note"])
        for k in chosen:
            seed, number, _sentence, change, _found, output = swaps[k]
            writer.writerow([seed, number, change["index"], change["original"], change["replacement"], output,
                             "", ""])
    print(f"wrote {len(chosen)} swaps to {JUDGED} for judging by hand")


UNITS = (("sentence", 1), ("paragraph", 4), ("document", 10))


def tagger_accuracy() -> None:
    from augment.backends.text import synonym_index, taggers

    tagger = taggers.LexiconTagger(synonym_index.ensure_index())
    print(f"\n{taggers.FALLBACK_TAGGER} tagger on the hand-tagged sentences (Penn tags):")
    for name in ("dev", "test"):
        right = words_right = total = words = 0
        for line in (TAGGED / f"tagged_{name}.txt").read_text(encoding="utf-8").splitlines():
            if not line or line.startswith("#"):
                continue
            gold = [t.rsplit("/", 1) for t in line.split()]
            tagged = tagger([w for w, _ in gold])
            for (word, want), (_, got) in zip(gold, tagged, strict=True):
                total += 1
                right += want == got
                if word.isalpha():
                    words += 1
                    words_right += want == got
        print(f"  {name:5} {right}/{total} tokens = {100 * right / total:.1f} %, "
              f"{words_right}/{words} words = {100 * words_right / words:.1f} %")


def table(label: str, texts: list[str], seeds: int, classifier: Classifier, quality: bool | str = True) -> dict:
    profile = "default (quality = true)" if quality is True else f"quality = {quality!r}"
    results = {mode: run(texts, seeds, quality if mode == profile else False, classifier)
               for mode in (profile, "nlpaug (quality = false)")}
    print(f"\noutputs of one {label}: {len(texts)} texts x {seeds} seeds")
    print(f"{'':38}" + "".join(f"{mode:>27}" for mode in results))
    rows = [("outputs", lambda r: f"{r['outputs']}"), ("changes", lambda r: f"{r['changes']}"),
            ("changes per output", lambda r: f"{r['changes'] / r['outputs']:.2f}"),
            ("bad substitutions", lambda r: f"{r['bad']}"),
            ("bad per 100 changes", lambda r: f"{100 * r['bad'] / max(r['changes'], 1):.1f}")]
    rows += [(f"  {c}", lambda r, c=c: f"{r['categories'][c]}") for c in CATEGORIES]
    for name, cell in rows:
        print(f"{name:38}" + "".join(f"{cell(r):>27}" for r in results.values()))
    default, plain = results.values()
    ratio = (default["changes"] / default["outputs"]) / max(plain["changes"] / plain["outputs"], 1e-9)
    print(f"{'changes per output, ' + ('default' if quality is True else 'profile') + ' / nlpaug':38}{ratio:>27.2f}")
    print("words the filter kept, by reason: " + ", ".join(f"{k} {v}" for k, v in default["skipped"].most_common()))
    print(f"{'the default' if quality is True else 'the profile'}'s changes, by WordNet relation: "
          + ", ".join(f"{k} {v}" for k, v in default["relations"].most_common()))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="held-out",
                        choices=("held-out", "tuning", "tuning-all", "held-out-1", "held-out-2", "held-out-3",
                                 "held-out-5", "all"),
                        help="tuning-all: the tuning sentences and the earlier held-out sets, the fourth "
                             "('held-out') included (all used for tuning now); held-out-5: the newest, set aside")
    parser.add_argument("--quality", default="true",
                        help="the default's quality: true (the current default profile) or a profile's name")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--hand", action="store_true", help="report the hand-judged sample's rate")
    parser.add_argument("--write-sample", action="store_true", help="write a new sample of 100 swaps to judge")
    parser.add_argument("--show", type=int, default=0, help="print this many bad swaps of the default")
    parser.add_argument("--judged", default="", help="the hand-judged sample --hand reads (default: the set's own)")
    parser.add_argument("--coverage", default="",
                        help="comma-separated profiles: print words per sentence with a candidate and stop")
    parser.add_argument("--swaps", type=int, default=0, help="print this many distinct swaps of the default")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from augment.backends.text import taggers

    sections, proper = read_sentences()
    earlier = [name for name in sections if name in ("tuning", "held-out")
               or name.startswith("held-out-") and name != "held-out-5"]
    if args.set == "all":
        sentences = [s for name in sections for s in sections[name]]
    elif args.set == "tuning-all":
        sentences = [s for name in earlier for s in sections[name]]
    else:
        sentences = sections[args.set]
    quality = True if args.quality == "true" else args.quality
    global JUDGED
    JUDGED = Path(args.judged) if args.judged else JUDGED_BY_SET.get(args.set, JUDGED)
    if args.coverage:
        coverage(sentences, args.coverage.split(","))
        return 0
    classifier = Classifier(proper)
    print(f"SynonymAug, aug_p=0.3 (nlpaug's other defaults), {len(sentences)} {args.set} sentences, "
          f"tagger: {taggers.find_tagger() or taggers.FALLBACK_TAGGER}")
    by_unit = {}
    for label, size in UNITS:
        texts = [" ".join(sentences[i: i + size]) for i in range(0, len(sentences), size)]
        by_unit[label] = table(label, texts, args.seeds, classifier, quality)
    default = next(iter(by_unit["paragraph"].values()))
    for seed, number, sentence, change, found, _ in [s for s in default["swaps"] if s[4]][: args.show]:
        print(f"  [{seed}/{number}] {change['original']} -> {change['replacement']}  ({', '.join(found)})  "
              f"| {sentence}")
    seen = set()
    for _seed, number, _sentence, change, _found, output in default["swaps"]:
        key = (number, change["index"], change["replacement"])
        if len(seen) < args.swaps and key not in seen:
            seen.add(key)
            print(f"  {change['original']} -> {change['replacement']} [{change.get('relation')}] | {output}")
    tagger_accuracy()
    if args.write_sample:
        write_sample(default["swaps"])
    if args.hand:
        hand_rate(default["swaps"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
