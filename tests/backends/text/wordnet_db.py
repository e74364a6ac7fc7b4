"""A tiny WordNet 3.0 database, written in WordNet's own file formats, for tests that build the synonym index.

Building the index from the full WordNet takes 15-20 s; from this one, a few
seconds. NLTK's own WordNet reader reads it (the tests compare the index with
it), so the files follow the real format: byte offsets, hex counts, pointers,
verb frames, satellites with their head, sense keys in cntlist.rev.
"""

from __future__ import annotations

from pathlib import Path

HEADER = "  1 This software and database is being provided to you, the LICENSEE, by  \n" \
         "  2 Princeton University under the following license.  WordNet 3.0 Copyright 2006 by Princeton University.\n"

_FILE = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
_POS_NUMBER = {"n": 1, "v": 2, "a": 3, "s": 5, "r": 4}
_LEXFILE = {"n": 5, "v": 38, "a": 0, "s": 0, "r": 2}  # noun.animal, verb.motion, adj.all, adv.all

# key: (pos, [(lemma, count)], [(symbol, target key, source lemma no., target lemma no.)], gloss)
SYNSETS: dict[str, tuple[str, list[tuple[str, int]], list[tuple[str, str, int, int]], str]] = {
    "car": ("n", [("car", 71), ("auto", 2), ("automobile", 15), ("motorcar", 1)], [], "a motor vehicle"),
    "carriage": ("n", [("car", 2), ("railcar", 0)], [], "a wheeled vehicle on rails"),
    "dog": ("n", [("dog", 42), ("domestic_dog", 0), ("Canis_familiaris", 0)], [], "a domesticated canid"),
    "frump": ("n", [("frump", 1), ("dog", 1)], [], "a dull unattractive woman"),
    "mouse": ("n", [("mouse", 10)], [], "a small rodent"),
    "paris": ("n", [("Paris", 3), ("City_of_Light", 0)], [], "the capital of France"),
    "run": ("v", [("run", 106)], [], "move fast by using one's feet"),
    "scat": ("v", [("scat", 0), ("run", 38), ("lam", 2)], [], "flee; take to one's heels"),
    "buy": ("v", [("buy", 102), ("purchase", 34)], [], "obtain by purchase"),
    "give_up": ("v", [("give_up", 5), ("quit", 3)], [], "stop maintaining"),
    "good": ("a", [("good", 190)], [("!", "bad", 1, 1)], "having desirable qualities"),
    "bad": ("a", [("bad", 51)], [("!", "good", 1, 1)], "having undesirable qualities"),
    "great": ("s", [("great", 114), ("swell", 1)], [("&", "good", 0, 0)], "very good"),
    "quickly": ("r", [("quickly", 24), ("rapidly", 40), ("speedily", 0)], [("!", "slowly", 1, 1)],
                "with rapid movements"),
    "slowly": ("r", [("slowly", 30), ("easy", 0)], [("!", "quickly", 1, 1)], "without speed"),
}
EXCEPTIONS = {"noun": {"mice": ["mouse"]}, "verb": {"ran": ["run"]}, "adj": {"better": ["good"]}, "adv": {}}


def _lex_ids() -> dict[tuple[str, str], int]:
    """(synset key, lemma) -> lex_id: a lemma's senses in one lexicographer file are told apart by it."""
    seen: dict[tuple[str, str], int] = {}
    ids = {}
    for key, (pos, lemmas, _pointers, _gloss) in SYNSETS.items():
        for name, _ in lemmas:
            group = (name.lower(), _FILE[pos])
            ids[key, name] = seen.get(group, 0)
            seen[group] = ids[key, name] + 1
    return ids


def _lines(offsets: dict[str, int]) -> dict[str, list[tuple[str, str]]]:
    """Each data file's (key, line) pairs, with the offsets given."""
    lines: dict[str, list[tuple[str, str]]] = {name: [] for name in ("noun", "verb", "adj", "adv")}
    lex_ids = _lex_ids()
    for key, (pos, lemmas, pointers, gloss) in SYNSETS.items():
        words = " ".join(f"{name} {lex_ids[key, name]:x}" for name, _ in lemmas)
        ptrs = " ".join(f"{symbol} {offsets.get(target, 0):08d} {SYNSETS[target][0]} {source:02x}{target_no:02x}"
                        for symbol, target, source, target_no in pointers)
        frames = " 01 + 02 00" if pos == "v" else ""
        line = (f"{offsets.get(key, 0):08d} {_LEXFILE[pos]:02d} {pos} {len(lemmas):02x} {words} "
                f"{len(pointers):03d}{' ' + ptrs if ptrs else ''}{frames} | {gloss}  \n")
        lines[_FILE[pos]].append((key, line))
    return lines


def write_wordnet(folder: Path, *, extra_gloss: str = "") -> Path:
    """Write the tiny database into ``folder`` (a WordNet ``dict`` folder); ``extra_gloss`` changes its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    offsets: dict[str, int] = {}
    for _ in range(2):  # the second pass writes the offsets the first one measured
        for entries in _lines(offsets).values():
            position = len(HEADER.encode())
            for key, line in entries:
                offsets[key] = position
                position += len(line.replace("| ", f"| {extra_gloss}").encode())
    data = _lines(offsets)
    for name, entries in data.items():
        text = HEADER + "".join(line.replace("| ", f"| {extra_gloss}") for _, line in entries)
        (folder / f"data.{name}").write_text(text, encoding="utf-8")
    index: dict[str, dict[str, list[tuple[int, int]]]] = {name: {} for name in data}
    counts = []
    lex_ids = _lex_ids()
    for key, (pos, lemmas, pointers, _gloss) in SYNSETS.items():
        for name, count in lemmas:
            index[_FILE[pos]].setdefault(name.lower(), []).append((count, offsets[key]))
            head = ""
            if pos == "s":
                head_key = next(target for symbol, target, _, _ in pointers if symbol == "&")
                head = f"{SYNSETS[head_key][1][0][0].lower()}:00"
            sense_key = f"{name.lower()}%{_POS_NUMBER[pos]}:{_LEXFILE[pos]:02d}:{lex_ids[key, name]:02d}:{head or ':'}"
            counts.append((sense_key, count))
    for name, lemmas in index.items():
        rows = []
        for lemma in sorted(lemmas):
            ranked = sorted(lemmas[lemma], key=lambda pair: -pair[0])
            pos = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}[name]
            rows.append(f"{lemma} {pos} {len(ranked)} 0 {len(ranked)} {sum(1 for c, _ in ranked if c)} "
                        + " ".join(f"{offset:08d}" for _, offset in ranked) + "  \n")
        (folder / f"index.{name}").write_text(HEADER + "".join(rows), encoding="utf-8")
    for name, table in EXCEPTIONS.items():
        (folder / f"{name}.exc").write_text("".join(f"{form} {' '.join(bases)}\n" for form, bases in table.items()),
                                            encoding="utf-8")
    (folder / "cntlist.rev").write_text("".join(f"{key} 1 {count}\n" for key, count in sorted(counts) if count),
                                        encoding="utf-8")
    (folder / "index.sense").write_text("".join(f"{key} 00000000 1 {count}\n" for key, count in sorted(counts)),
                                        encoding="utf-8")
    return folder
