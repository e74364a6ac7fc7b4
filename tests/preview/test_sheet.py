"""Tests for augment.preview.sheet: what a preview shows of a real OUTPUT, and what it says when parts are gone."""

from __future__ import annotations

import json
import shutil

import pytest

from augment.preview.sheet import PreviewError, build
from preview.conftest import make_input, run


def cells(sheet, modality):
    (section,) = [s for s in sheet.sections if s.modality == modality]
    return [cell for row in section.rows for cell in row.cells]


def test_every_modality_with_originals_beside_their_copies(mixed):
    sheet = build(str(mixed.output), sources=3)
    assert [s.modality for s in sheet.sections] == ["image", "text", "audio"]
    assert not sheet.warnings
    assert any("run: finished" in fact for fact in sheet.facts)
    assert any("the default recipe" in fact for fact in sheet.facts)
    image = [s for s in sheet.sections if s.modality == "image"][0]
    assert len(image.rows) == 3 and "ImageDataGenerator(rotation_range=30" in image.header
    for row in image.rows:
        assert [c.title for c in row.cells] == ["original", "copy 1", "copy 2"]
        assert all(c.picture is not None and c.note is None for c in row.cells)
        assert row.cells[0].label == row.source
        assert row.cells[1].path.endswith("_aug1" + row.source[row.source.rindex("."):])
    for cell in cells(sheet, "audio"):
        assert cell.picture is not None and cell.picture.size == (290, 144) and "16 kHz" in cell.label
    for cell in cells(sheet, "text"):
        assert cell.segments and "".join(t for _, t in cell.segments if _ != "new")  # the original is there
    assert all(c.audio is None for c in cells(sheet, "audio"))  # only an HTML sheet embeds audio


def test_the_same_seed_shows_the_same_sources(mixed):
    def sources(seed):
        return [row.source for s in build(str(mixed.output), sources=2, seed=seed).sections for row in s.rows]

    assert sources(0) == sources(0)
    assert sources(0) != sources(5)


def test_only_and_html_audio(mixed):
    sheet = build(str(mixed.output), only=["audio"], for_html=True)
    assert [s.modality for s in sheet.sections] == ["audio"]
    assert all(c.audio is not None and c.audio[1] in ("audio/wav", "audio/flac") for c in cells(sheet, "audio"))


def test_input_moved_shows_the_copies_and_says_so(mixed_copy):
    shutil.rmtree(mixed_copy.input)
    sheet = build(str(mixed_copy.output))
    assert any("is not there (moved or deleted?)" in w for w in sheet.warnings)
    for modality in ("image", "audio"):
        originals = [c for c in cells(sheet, modality) if c.title == "original"]
        copies = [c for c in cells(sheet, modality) if c.title != "original"]
        assert all(c.picture is None and "original not found" in c.note for c in originals)
        assert copies and all(c.picture is not None for c in copies)
    assert all("original not found" in c.note and c.segments for c in cells(sheet, "text"))


def test_input_moved_but_originals_were_copied_into_output(tmp_path):
    made = run(make_input(tmp_path / "in"), tmp_path / "out", include_originals=True)
    shutil.rmtree(made.input)
    sheet = build(str(made.output))
    originals = [c for c in cells(sheet, "image") if c.title == "original"]
    assert all(c.picture is not None and "OUTPUT's copy" in c.label for c in originals)
    assert all(c.segments and any(k == "old" for k, _ in c.segments) for c in cells(sheet, "text")
               if c.label != "no change")


def test_an_unfinished_run_is_previewed_with_a_warning(mixed_copy):
    state_path = mixed_copy.output / "run.json"
    state = json.loads(state_path.read_text())
    state["state"] = "interrupted"
    state_path.write_text(json.dumps(state))
    sheet = build(str(mixed_copy.output))
    assert any("is interrupted" in w and "train only on a finished OUTPUT" in w for w in sheet.warnings)
    assert len(sheet.sections) == 3


def test_without_run_json(mixed_copy):
    (mixed_copy.output / "run.json").unlink()
    sheet = build(str(mixed_copy.output))
    assert any("no readable run.json" in w for w in sheet.warnings)
    assert all("original not found (no INPUT known)" in c.note for c in cells(sheet, "image") if c.title == "original")


def test_a_copy_gone_or_corrupt_shows_why_in_its_place(mixed_copy):
    sheet = build(str(mixed_copy.output), only=["image"], sources=1)
    row = sheet.sections[0].rows[0]
    (mixed_copy.output / row.cells[1].path).unlink()
    (mixed_copy.output / row.cells[2].path).write_bytes(b"not an image any more")
    row = build(str(mixed_copy.output), only=["image"], sources=1).sections[0].rows[0]
    assert row.cells[1].note == "not in OUTPUT (removed since?)"
    assert row.cells[2].note.startswith("cannot read: ") and row.cells[2].picture is None


@pytest.mark.parametrize("case", ["missing", "a file", "no manifest", "only failures", "only other modalities"])
def test_nothing_to_preview_is_one_clear_error(tmp_path, mixed, case):
    out = tmp_path / "out"
    only = None
    if case == "a file":
        out.write_text("x")
    elif case == "no manifest":
        out.mkdir()
    elif case == "only failures":
        out.mkdir()
        (out / "manifest.jsonl").write_text(json.dumps({
            "source": "a.png", "output": "a_aug1.png", "modality": "image", "copy": 1, "status": "error",
            "params": None, "error": "bad"}) + "\n")
    elif case == "only other modalities":
        out = mixed.output
        only = ["video"]
    with pytest.raises(PreviewError) as info:
        build(str(out), only=only)
    message = str(info.value)
    assert "\n" not in message and str(out) in message
    expected = {"missing": "does not exist", "a file": "does not exist", "no manifest": "has no manifest.jsonl",
                "only failures": "no finished copy to show (1 failed",
                "only other modalities": "no finished copy of video"}
    assert expected[case] in message
