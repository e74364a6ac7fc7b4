"""Tests for augment.preview.sample: K sources per modality, seeded, in one pass, whatever the line order."""

from __future__ import annotations

import io
import json
import random

import pytest

from augment.preview.sample import manifest_lines, sample, source_key
from augment.run.manifest import line_for


def record(source, copy, modality="image", status="ok", **params):
    stem, suffix = source.rsplit(".", 1)
    return {"source": source, "output": f"{stem}_aug{copy}.{suffix}", "modality": modality, "copy": copy,
            "seed": 1, "recipe": "abc", "status": status, "params": params or {"ops": []},
            "error": None if status == "ok" else "broken"}


def lines_of(records):
    return [line_for(r).encode("utf-8") for r in records]


def manifest(n_sources=50, copies=3):
    records = []
    for i in range(n_sources):
        for modality, suffix in (("image", "png"), ("text", "txt"), ("audio", "wav")):
            for k in range(1, copies + 1):
                records.append(record(f"{modality}/c{i % 3}/f{i:03d}.{suffix}", k, modality))
    return records


def chosen_sources(result):
    return {m: [c.source for c in picked] for m, picked in result.chosen.items()}


def test_k_sources_per_modality_with_their_copies_lowest_first():
    records = manifest()
    result = sample(lines_of(records), 4, seed=0, copies=2)
    assert set(result.chosen) == {"image", "text", "audio"}
    for picked in result.chosen.values():
        assert len(picked) == 4
        assert [c.source for c in picked] == sorted(c.source for c in picked)
        for chosen in picked:
            assert [r["copy"] for r in chosen.copies] == [1, 2] and chosen.total == 3
    assert result.copies == {"image": 150, "text": 150, "audio": 150} and result.lines == len(records)


def test_the_choice_is_the_smallest_keys_whatever_the_line_order():
    records = manifest()
    expected = chosen_sources(sample(lines_of(records), 5, seed=3))
    for modality, sources in expected.items():
        everyone = {r["source"] for r in records if r["modality"] == modality}
        assert sources == sorted(sorted(everyone, key=lambda s: source_key(3, s))[:5])
    shuffled = records[:]
    random.Random(1).shuffle(shuffled)
    assert chosen_sources(sample(lines_of(shuffled), 5, seed=3)) == expected
    assert chosen_sources(sample(lines_of(records), 5, seed=4)) != expected


def test_only_and_fewer_sources_than_k():
    records = [record("a.png", 1), record("b.png", 1), record("t.txt", 1, "text")]
    result = sample(lines_of(records), 10, seed=0, only={"image"})
    assert chosen_sources(result) == {"image": ["a.png", "b.png"]}


def test_originals_failures_junk_and_a_torn_last_line_are_not_shown():
    lines = lines_of([
        record("a.png", 0),                     # an original copied with --include-originals
        record("b.png", 1, status="error"),     # a failed copy
        record("c.png", 1),
    ])
    lines += [b"not json\n", b"[1, 2]\n", b'{"source": "d.png"}\n']
    lines.append(line_for(record("e.png", 1)).encode("utf-8").rstrip(b"\n"))  # torn: the run was killed
    result = sample(lines, 10, seed=0)
    assert chosen_sources(result) == {"image": ["c.png"]}
    assert result.failed == {"image": 1}


def test_the_last_line_of_an_output_wins():
    first = record("a.png", 1, note="first")
    second = record("a.png", 1, note="second")
    result = sample(lines_of([first, second]), 1, seed=0)
    (chosen,) = result.chosen["image"]
    assert chosen.total == 1 and chosen.copies[0]["params"] == {"note": "second"}


def test_lines_in_another_key_order_are_read_in_full():
    records = [record(f"x{i}.png", 1) for i in range(6)]
    reordered = [json.dumps(dict(reversed(list(r.items())))).encode() + b"\n" for r in records]
    assert chosen_sources(sample(reordered, 3, seed=2)) == chosen_sources(sample(lines_of(records), 3, seed=2))


def test_names_that_are_not_utf8_are_sampled_and_kept_losslessly():
    odd = b"caf\xe9.png".decode("utf-8", "surrogateescape")
    records = [record(odd, 1), record("plain.png", 1)]
    result = sample(lines_of(records), 2, seed=0)
    assert {c.source for c in result.chosen["image"]} == {odd, "plain.png"}
    assert source_key(0, odd) == source_key(0, json.dumps(odd).encode("ascii"))


@pytest.mark.parametrize("seed", [0, 1])
def test_a_large_manifest_is_read_in_seeded_blocks(seed):
    records = [record(f"img/f{i:05d}.png", 1) for i in range(20000)]
    data = b"".join(lines_of(records))
    budget = len(data) // 4

    def run():
        lines, fraction = manifest_lines(io.BytesIO(data), len(data), seed, budget=budget)
        return fraction, sample(lines, 4, seed)

    fraction, result = run()
    assert 0.1 < fraction <= 0.3
    assert result.lines < len(records) // 2
    assert chosen_sources(result) == chosen_sources(run()[1])  # reproducible
    for chosen in result.chosen["image"]:
        assert chosen.copies[0]["source"] == chosen.source  # every line read was whole


def test_a_small_manifest_is_read_whole():
    data = b"".join(lines_of(manifest(5)))
    lines, fraction = manifest_lines(io.BytesIO(data), len(data), 0)
    assert fraction == 1.0 and sum(1 for _ in lines) == 45
