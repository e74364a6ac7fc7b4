"""Tests for augment.run.plan: output names, copy numbers, seeds, and what a source becomes."""

from __future__ import annotations

from augment.core.seeding import derive_seed
from augment.run.options import resolve
from augment.run.plan import Planner, output_name
from augment.run.recipe import Recipe
from augment.run.walk import Entry


def test_output_name():
    assert output_name("cat/cat 001.jpg", 2) == "cat/cat 001_aug2.jpg"
    assert output_name("a.b.TXT", 1) == "a.b_aug1.TXT"
    assert output_name("x.wav", 0) == "x.wav"


def _plan(rel, **kwargs):
    return Planner(resolve(workers=1, **kwargs)).outputs_for(Entry(f"/in/{rel}", rel))


def test_augmented_copies_with_their_seeds():
    plan = _plan("cat/a.jpg", copies=3, seed=7)
    assert plan.modality == "image" and plan.status is None and plan.results == 3
    assert [(o.copy, o.rel_output) for o in plan.outputs] == [(1, "cat/a_aug1.jpg"), (2, "cat/a_aug2.jpg"),
                                                              (3, "cat/a_aug3.jpg")]
    assert [o.seed for o in plan.outputs] == [derive_seed(7, "cat/a.jpg", k) for k in (1, 2, 3)]


def test_originals_come_first_without_a_seed():
    plan = _plan("a.txt", copies=1, include_originals=True)
    assert [(o.copy, o.rel_output, o.seed is None) for o in plan.outputs] == [(0, "a.txt", True),
                                                                           (1, "a_aug1.txt", False)]


def test_unsupported_and_excluded_sources_are_reported_once():
    unsupported = _plan("notes.md", include_originals=True)
    assert unsupported.status == "unsupported" and [o.copy for o in unsupported.outputs] == [0]
    assert unsupported.results == 2
    excluded = _plan("a.wav", only=["image"])
    assert excluded.status == "excluded" and excluded.outputs == () and excluded.results == 1


def test_a_rule_sets_the_copies_of_what_it_takes():
    recipe = Recipe.from_dict({"rules": [{"match": "rare/**", "copies": 4}, {"match": "skip/**", "copies": 0}]})
    assert _plan("rare/a.png", copies=2, recipe=recipe).rule == 1
    assert len(_plan("rare/a.png", copies=2, recipe=recipe).outputs) == 4
    skipped = _plan("skip/a.png", copies=2, recipe=recipe)
    assert skipped.rule == 2 and skipped.status == "excluded"
    assert len(_plan("other/a.png", copies=2, recipe=recipe).outputs) == 2
