"""Recipes: TOML in and out, validation messages, every supported op on a real file, rules, provenance."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import augment
from augment import AudioAugmenter, ImageAugmenter, TextAugmenter
from augment.run.options import SetupError
from augment.run.recipe import (
    RECIPE_NAME,
    RECIPE_VERSION,
    Recipe,
    RecipeError,
    RecipeWarning,
    default_tables,
    differences,
)

from conftest import SENTENCES, tree_digest, write_audio, write_image, write_text

SCRIPT = str(Path(sys.executable).with_name("augment-dir"))

# The recipe in the issue that asked for recipes, verbatim.
ISSUE_RECIPE = '''\
[image]
jpeg_quality = 95
[[image.ops]]
op = "ImageDataGenerator"      # every random-transform argument of ImageDataGenerator
rotation_range = 30
width_shift_range = 0.2
height_shift_range = 0.2
horizontal_flip = true

[text]
unit = "file"                  # or "line"
[[text.ops]]
op = "SynonymAug"              # any nlpaug word or character augmenter that works offline
aug_p = 0.3
[[text.ops]]
op = "RandomCharAug"
action = "swap"

[audio]
[[audio.ops]]
op = "AddGaussianNoise"        # any audiomentations waveform transform, by class name
min_amplitude = 0.01
max_amplitude = 0.05
p = 1.0
[[audio.ops]]
op = "Gain"
min_gain_db = -6.0
max_gain_db = 6.0

[[rules]]                      # optional, first match wins; paths relative to INPUT
match = "train/cat/**"
copies = 5                     # e.g. more copies for a minority class
'''

TEXT = (SENTENCES[0] + "\r\n" + SENTENCES[1] + "\r\n\r\n"
        "Good people seldom leave early, and happy children rarely stay quiet.\r\n")


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]


def run_one(tmp_path: Path, name: str, write, table: dict, **kwargs):
    """Augment one file with a recipe holding ``table``; return (source, output, manifest line)."""
    src = tmp_path / "in"
    source = write(src / name)
    out = tmp_path / "out"
    summary = augment.augment_dir(src, out, workers=1, recipe=Recipe.from_dict(table), **kwargs)
    assert summary.failed == 0, summary.failures
    [line] = manifest(out)
    return source, out / line["output"], line


# ----------------------------------------------------------------------------- TOML in and out


DESIGN_DEFAULTS = {
    "image": {"jpeg_quality": "keep", "webp_quality": "keep", "max_pixels": 50_000_000,
              "ops": [{"op": "ImageDataGenerator", "rotation_range": 30, "width_shift_range": 0.2,
                       "height_shift_range": 0.2, "horizontal_flip": True}]},
    "text": {"unit": "file", "ops": [{"op": "SynonymAug", "aug_p": 0.3}]},
    "audio": {"ops": [{"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0}]},
}


def test_default_recipe_is_the_design_defaults_and_builds():
    # Recipe.default() does not build its augmenters (it trusts this test): build them here.
    assert default_tables() == DESIGN_DEFAULTS
    recipe = Recipe.from_dict(DESIGN_DEFAULTS, check=True)
    assert recipe == Recipe.default()
    explicit_image = {**DESIGN_DEFAULTS["image"], "ops": ImageAugmenter.explicit_ops(DESIGN_DEFAULTS["image"]["ops"])}
    assert ImageAugmenter(**recipe.config_for("image")) == ImageAugmenter(**explicit_image)
    for seed in range(3):  # written out, SynonymAug's defaults change nothing
        explicit = TextAugmenter(**recipe.config_for("text")).augment(" ".join(SENTENCES), seed=seed)
        assert explicit == TextAugmenter().augment(" ".join(SENTENCES), seed=seed)
    assert AudioAugmenter(**recipe.config_for("audio")) == AudioAugmenter()
    saved = recipe.to_dict()  # explicit: each op with its library's defaults written out
    assert saved["version"] == RECIPE_VERSION == 2 and saved["rules"] == []
    for modality, table in DESIGN_DEFAULTS.items():
        options = {k: v for k, v in table.items() if k != "ops"}
        assert {k: v for k, v in saved[modality].items() if k != "ops"} == options
        for given, explicit in zip(table["ops"], saved[modality]["ops"], strict=True):
            assert given.items() <= explicit.items()


def test_default_recipe_prints_and_reloads():
    text = Recipe.default().to_toml()
    assert '[[image.ops]]\nop = "ImageDataGenerator"' in text and "[[text.ops]]" in text
    assert Recipe.loads(text) == Recipe.default()


def test_issue_recipe_round_trips(tmp_path):
    path = tmp_path / "recipe.toml"
    path.write_text(ISSUE_RECIPE)
    recipe = Recipe.from_toml(path)
    again = Recipe.loads(recipe.to_toml())
    assert again == recipe and again.to_dict() == recipe.to_dict()
    assert again.fingerprint == recipe.fingerprint
    assert [op["op"] for op in recipe.table_for("text")["ops"]] == ["SynonymAug", "RandomCharAug"]
    assert recipe.rule_for("train/cat/sub/x.jpg") == 1 and recipe.copies_for(1) == 5
    assert recipe.rule_for("train/dog/x.jpg") is None


def test_round_trip_keeps_types_lists_and_rules():
    recipe = Recipe.from_dict({
        "seed": 7, "copies": 2,
        "image": {"webp_quality": 80, "ops": [{"op": "ImageDataGenerator", "zoom_range": [0.9, 1.2],
                                               "fill_mode": "constant", "cval": 10}]},
        "text": {"unit": "line", "ops": [{"op": "SynonymAug", "stopwords": ["dog", "say \"hi\""]}]},
        "rules": [{"match": "a/**", "copies": 0}, {"match": "b", "text": {"unit": "file"}}],
    })
    again = Recipe.loads(recipe.to_toml())
    assert again == recipe
    assert again.to_dict()["image"]["ops"][0]["zoom_range"] == [0.9, 1.2]
    assert isinstance(again.to_dict()["image"]["ops"][0]["cval"], int)


def test_fingerprint_ignores_copies_but_not_seed_or_ops():
    base = Recipe.default()
    assert base.replace(copies=5).fingerprint == base.fingerprint
    assert base.replace(seed=1).fingerprint != base.fingerprint
    assert base.replace(options={"text": {"unit": "line"}}).fingerprint != base.fingerprint


def test_limits_are_saved_but_left_out_of_the_fingerprint():
    base = Recipe.default()
    raised = base.replace(options={"image": {"max_pixels": 200_000_000}})
    assert raised.fingerprint == base.fingerprint and raised != base
    assert differences(base, raised) == []
    assert "max_pixels = 200000000" in raised.to_toml() and Recipe.loads(raised.to_toml()) == raised
    assert raised.config_for("image")["max_pixels"] == 200_000_000
    ruled = Recipe.from_dict({"rules": [{"match": "scans/**", "image": {"max_pixels": 400_000_000}}]})
    assert ruled.fingerprint == Recipe.from_dict({"rules": [{"match": "scans/**"}]}).fingerprint
    assert [ruled.config_for("image", rule)["max_pixels"] for rule in (None, 1)] == [50_000_000, 400_000_000]
    with pytest.raises(RecipeError, match=r"\[image\]: max_pixels must be a whole number of pixels >= 1"):
        Recipe.from_dict({"image": {"max_pixels": 0}})


def test_rule_matching_is_glob_with_globstar_and_folder_prefixes():
    recipe = Recipe.from_dict({"rules": [{"match": "train/cat"}, {"match": "**/*.wav"},
                                         {"match": "*.txt"}]})
    assert recipe.rule_for("train/cat/a.jpg") == 1
    assert recipe.rule_for("train/cat/deep/er/a.jpg") == 1
    assert recipe.rule_for("train/catalog/a.jpg") is None
    assert recipe.rule_for("x/y/z.wav") == 2 and recipe.rule_for("z.wav") == 2
    assert recipe.rule_for("notes.txt") == 3 and recipe.rule_for("sub/notes.txt") is None


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "toml, expected",
    [
        ("[video]\nfps = 3\n", ["recipe.toml", "'video'", "allowed: version, seed, copies, image, text, audio, rules"]),
        ("[text]\naug_p = 0.3\n", ["[text]", "'aug_p'", "[[text.ops]]"]),
        ('[[text.ops]]\nop = "SynonymAugg"\n', ["[[text.ops]] #1", "SynonymAugg", "did you mean 'SynonymAug'"]),
        ('[[text.ops]]\nop = "ContextualWordEmbsAug"\n', ["[[text.ops]] #1", "ContextualWordEmbsAug", "model"]),
        ('[[text.ops]]\nop = "SynonymAug"\naug_pp = 0.3\n', ["[[text.ops]] #1 (SynonymAug)", "aug_pp",
                                                             "did you mean 'aug_p'"]),
        ('[[text.ops]]\nop = "SynonymAug"\naug_p = 1.5\n', ["[[text.ops]] #1 (SynonymAug)", "aug_p", "1.5"]),
        ('[[text.ops]]\nop = "RandomCharAug"\naction = "swop"\n', ["[[text.ops]] #1 (RandomCharAug)", "action",
                                                                    "swop"]),
        ('[[text.ops]]\nop = "SynonymAug"\n[[text.ops]]\nop = "RandomWordAug"\naug_min = 5\naug_max = 2\n',
         ["[[text.ops]] #2 (RandomWordAug)", "aug_min", "aug_max"]),
        ('[text]\nunit = "page"\n', ["[text]", "unit", "page"]),
        ('[[audio.ops]]\nop = "Gain"\nmin_gain = -6.0\n', ["[[audio.ops]] #1 (Gain)", "min_gain",
                                                         "did you mean 'min_gain_db'"]),
        ('[[audio.ops]]\nop = "Gain"\nmin_gain_db = "loud"\n', ["[[audio.ops]] #1 (Gain)", "min_gain_db", "loud"]),
        ('[[audio.ops]]\nop = "Gain"\np = 2\n', ["[[audio.ops]] #1 (Gain)", "p", "[0, 1]"]),
        ('[[audio.ops]]\nop = "AddGaussianNoise"\nmin_amplitude = 0.5\nmax_amplitude = 0.1\n',
         ["[[audio.ops]] #1 (AddGaussianNoise)", "min_amplitude", "max_amplitude"]),
        ('[[audio.ops]]\nop = "AddGausianNoise"\n', ["[[audio.ops]] #1", "did you mean 'AddGaussianNoise'"]),
        ('[[image.ops]]\nop = "ImageDataGenerator"\nrotation_range = -5\n',
         ["[[image.ops]] #1 (ImageDataGenerator)", "rotation_range", "-5"]),
        ('[[image.ops]]\nop = "ImageDataGenerator"\nrotaton_range = 5\n',
         ["[[image.ops]] #1 (ImageDataGenerator)", "rotaton_range", "did you mean 'rotation_range'"]),
        ('[[image.ops]]\nop = "ImageDataGenerator"\nhorizontal_flip = "yes"\n',
         ["[[image.ops]] #1 (ImageDataGenerator)", "horizontal_flip", "'yes'"]),
        ('[[image.ops]]\nop = "ImageDataGenerator"\nrescale = 0.5\n', ["rescale", "not a random transform"]),
        ("[image]\njpeg_quality = 101\n", ["[image]", "jpeg_quality", "101"]),
        ('[image]\n[[image.ops]]\nop = "ImageDataGenerator"\n[[image.ops]]\nop = "ImageDataGenerator"\n',
         ["[image]", "exactly one op"]),
        ("seed = -1\n", ["seed", "-1"]),
        ("copies = 0\n", ["copies", "0"]),
        ("copies = 10001\n", ["copies must be at most 10000", "10001"]),
        ('[[rules]]\nmatch = "a/**"\ncopies = 99999\n', ["[[rules]] #1", "copies must be at most 10000"]),
        ('[[rules]]\ncopies = 2\n', ["[[rules]] #1", "match"]),
        ('[[rules]]\nmatch = "a/**"\ncopys = 2\n', ["[[rules]] #1", "copys", "did you mean 'copies'"]),
        ('[[rules]]\nmatch = "a/**"\ncopies = -1\n', ["[[rules]] #1", "copies", "-1"]),
        ('[[rules]]\nmatch = "a/**"\n[[rules.audio.ops]]\nop = "Gain"\nmax_gain_db = "x"\n',
         ["[[rules]] #1", "[[rules.audio.ops]] #1 (Gain)", "max_gain_db"]),
        ('[text]\nunit = "file"\n[[text.ops]\nop = "SynonymAug"\n', ["recipe.toml", "invalid TOML", "line 3"]),
    ],
)
def test_bad_recipes_name_the_place_and_the_key(tmp_path, toml, expected):
    path = tmp_path / "recipe.toml"
    path.write_text(toml)
    with pytest.raises(RecipeError) as info:
        Recipe.from_toml(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    for part in expected:
        assert part in message, (part, message)
    assert "AssertionError" not in message and "Traceback" not in message


def test_a_recipe_that_is_not_utf8_or_missing_is_a_clear_error(tmp_path):
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('[text]\nunit = "fil\xe9"\n'.encode("latin-1"))
    with pytest.raises(RecipeError, match="not UTF-8"):
        Recipe.from_toml(bad)
    with pytest.raises(RecipeError, match="cannot read"):
        Recipe.from_toml(tmp_path / "missing.toml")


def test_none_cannot_go_into_a_recipe():
    with pytest.raises(RecipeError, match="aug_max is None"):
        Recipe.from_dict({"text": {"ops": [{"op": "SynonymAug", "aug_max": None}]}})


def test_a_rule_that_takes_no_file_is_a_warning(tmp_path):
    src = tmp_path / "in"
    write_text(src / "train" / "cat" / "a.txt", SENTENCES[0] + "\n")
    recipe = Recipe.from_dict({"rules": [{"match": "train/**", "copies": 2},
                                         {"match": "train/cat/**", "copies": 3},
                                         {"match": "valid/**", "copies": 0}]})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = augment.augment_dir(src, tmp_path / "out", workers=1, recipe=recipe)
    messages = [str(w.message) for w in caught if issubclass(w.category, RecipeWarning)]
    assert len(messages) == 2, messages
    assert "[[rules]] #2" in messages[0] and "train/cat/**" in messages[0]
    assert "[[rules]] #3" in messages[1] and "valid/**" in messages[1]
    assert summary.written == 2


def test_cli_bad_config_exits_2_and_writes_nothing(tmp_path):
    src = tmp_path / "in"
    write_text(src / "a.txt", SENTENCES[0] + "\n")
    config = tmp_path / "recipe.toml"
    config.write_text('[[audio.ops]]\nop = "Gain"\nmin_gain = 1.0\n')
    proc = subprocess.run([SCRIPT, str(src), str(tmp_path / "out"), "--config", str(config)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert str(config) in proc.stderr and "min_gain" in proc.stderr and "min_gain_db" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_cli_print_recipe_reloads_with_overrides(tmp_path):
    proc = subprocess.run([SCRIPT, "--print-recipe", "-n", "3", "--seed", "9", "--text-unit", "line"],
                          capture_output=True, text=True, check=True)
    recipe = Recipe.loads(proc.stdout)
    assert recipe == Recipe.default().replace(copies=3, seed=9, options={"text": {"unit": "line"}})
    config = tmp_path / "r.toml"
    config.write_text(ISSUE_RECIPE)
    proc = subprocess.run([SCRIPT, "--print-recipe", "--config", str(config)],
                          capture_output=True, text=True, check=True)
    # The effective recipe: the run's seed and copies (defaults here) are written out.
    assert Recipe.loads(proc.stdout) == Recipe.from_toml(config).replace(seed=0, copies=1)


# ----------------------------------------------------------------------------- every op on a real file

TEXT_OPS = [
    {"op": "SynonymAug", "aug_p": 0.5},
    {"op": "AntonymAug", "aug_p": 1.0},
    {"op": "RandomWordAug", "action": "swap"},
    {"op": "RandomWordAug", "action": "delete"},
    {"op": "RandomWordAug", "action": "crop"},
    {"op": "RandomWordAug", "action": "substitute", "target_words": ["SOMETHING"]},
    {"op": "SpellingAug", "aug_p": 0.5},
    {"op": "SplitAug", "aug_p": 0.5},
    {"op": "ReservedAug", "reserved_tokens": [["quick", "speedy", "rapid"]]},
    {"op": "KeyboardAug"},
    {"op": "OcrAug", "aug_word_p": 0.8},
    {"op": "RandomCharAug", "action": "insert"},
    {"op": "RandomCharAug", "action": "substitute"},
    {"op": "RandomCharAug", "action": "swap"},
    {"op": "RandomCharAug", "action": "delete"},
]


@pytest.mark.parametrize("op", TEXT_OPS, ids=lambda op: f"{op['op']}-{op.get('action', '')}")
def test_every_text_op_runs_through_a_recipe(tmp_path, op):
    source, output, line = run_one(tmp_path, "doc.txt", lambda p: write_text(p, TEXT),
                                   {"text": {"ops": [op]}})
    before, after = source.read_bytes(), output.read_bytes()
    assert after != before
    text = after.decode("utf-8")
    assert text.endswith("\r\n") and "\r\n\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert [entry["op"] for entry in line["params"]["ops"]] == [op["op"]]


AUDIO_OPS = [
    {"op": "AddGaussianNoise", "p": 1.0},
    {"op": "Gain", "min_gain_db": -6.0, "max_gain_db": -3.0, "p": 1.0},
    {"op": "PolarityInversion", "p": 1.0},
    {"op": "Shift", "p": 1.0},
    {"op": "TimeMask", "p": 1.0},
    {"op": "LowPassFilter", "p": 1.0},
    {"op": "HighPassFilter", "p": 1.0},
    {"op": "PitchShift", "p": 1.0},
    {"op": "TimeStretch", "p": 1.0},
    {"op": "ClippingDistortion", "p": 1.0},
]


@pytest.mark.parametrize("op", AUDIO_OPS, ids=lambda op: op["op"])
def test_audio_ops_run_through_a_recipe(tmp_path, op):
    import soundfile as sf

    source, output, line = run_one(tmp_path, "clip.wav", lambda p: write_audio(p, seconds=0.5, channels=2),
                                   {"audio": {"ops": [op]}})
    before, after = sf.info(str(source)), sf.info(str(output))
    assert (after.samplerate, after.channels, after.subtype) == (before.samplerate, before.channels,
                                                                 before.subtype)
    assert sf.read(str(output))[0].tolist() != sf.read(str(source))[0].tolist()
    [entry] = line["params"]["ops"]
    assert entry["op"] == op["op"] and entry["should_apply"] is True


def test_the_image_op_runs_through_a_recipe(tmp_path):
    from PIL import Image

    op = {"op": "ImageDataGenerator", "rotation_range": 40, "zoom_range": [0.8, 1.2], "vertical_flip": True,
          "brightness_range": [0.5, 1.5], "channel_shift_range": 20.0, "shear_range": 10.0}
    source, output, line = run_one(tmp_path, "img.png", lambda p: write_image(p, mode="RGBA"),
                                   {"image": {"ops": [op]}}, seed=3)
    with Image.open(source) as a, Image.open(output) as b:
        assert (b.mode, b.size, b.format) == (a.mode, a.size, a.format)
        assert a.tobytes() != b.tobytes()
    [entry] = line["params"]["ops"]
    assert entry["op"] == "ImageDataGenerator" and abs(entry["theta"]) <= 40 and entry["brightness"]


def test_ops_apply_in_order_and_each_is_recorded(tmp_path):
    table = {"audio": {"ops": [{"op": "Gain", "min_gain_db": -20.0, "max_gain_db": -20.0, "p": 1.0},
                               {"op": "PolarityInversion", "p": 0.0}]}}
    _, _, line = run_one(tmp_path, "clip.wav", lambda p: write_audio(p), table)
    gain, inversion = line["params"]["ops"]
    assert gain["op"] == "Gain" and gain["should_apply"] is True
    assert inversion == {"op": "PolarityInversion", "should_apply": False}


# ----------------------------------------------------------------------------- rules


def test_rules_set_copies_and_parameters_per_folder(tmp_path):
    src = tmp_path / "in"
    for name in ("a.jpg", "b.jpg"):
        write_image(src / "train" / "cat" / name, seed=len(name))
        write_image(src / "train" / "dog" / name, seed=5 + len(name))
    write_image(src / "valid" / "dog" / "c.jpg", seed=9)
    write_text(src / "train" / "notes" / "n.txt", SENTENCES[2] + "\n")
    recipe = Recipe.loads('''
copies = 2
[[image.ops]]
op = "ImageDataGenerator"
rotation_range = 90
[[rules]]
match = "train/cat/**"
copies = 5
[[rules.image.ops]]
op = "ImageDataGenerator"
rotation_range = 3
[[rules]]
match = "valid"
copies = 0
[[rules]]
match = "train/notes"
[rules.text]
unit = "line"
''')
    summary = augment.augment_dir(src, tmp_path / "out", workers=1, recipe=recipe)
    assert summary.failed == 0 and summary.total("excluded") == 1
    lines = manifest(tmp_path / "out")
    by_folder: dict[str, list[dict]] = {}
    for line in lines:
        by_folder.setdefault(line["source"].rsplit("/", 1)[0], []).append(line)
    assert len(by_folder["train/cat"]) == 2 * 5 and len(by_folder["train/dog"]) == 2 * 2
    assert "valid/dog" not in by_folder and len(by_folder["train/notes"]) == 2
    assert all(abs(line["params"]["ops"][0]["theta"]) <= 3 for line in by_folder["train/cat"])
    assert max(abs(line["params"]["ops"][0]["theta"]) for line in by_folder["train/dog"]) > 3
    assert {line["params"]["unit"] for line in by_folder["train/notes"]} == {"line"}
    assert (tmp_path / "out" / "train" / "cat" / "a_aug5.jpg").exists()
    assert not (tmp_path / "out" / "valid").exists()


# ----------------------------------------------------------------------------- provenance


def _small_tree(root: Path) -> Path:
    write_image(root / "img" / "a.png", seed=1)
    write_text(root / "txt" / "t.txt", SENTENCES[0] + "\n")
    write_audio(root / "wav" / "w.wav")
    return root


def test_output_recipe_and_manifest_fingerprint_rebuild_the_same_bytes(tmp_path):
    src = _small_tree(tmp_path / "in")
    write_image(src / "train" / "cat" / "c.jpg", seed=4)  # its rule asks for 5 copies
    config = tmp_path / "mine.toml"
    config.write_text(ISSUE_RECIPE)
    first = tmp_path / "first"
    proc = subprocess.run([SCRIPT, str(src), str(first), "--config", str(config), "--seed", "4", "-n", "2",
                           "-j", "1", "-q"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    saved = Recipe.from_toml(first / RECIPE_NAME)
    assert saved == Recipe.from_toml(config).replace(seed=4, copies=2)
    assert {line["recipe"] for line in manifest(first)} == {saved.fingerprint}
    assert len(manifest(first)) == 3 * 2 + 5
    # Rebuild from the saved recipe alone: same seed and copies come from it.
    second = tmp_path / "second"
    summary = augment.augment_dir(src, second, workers=2, recipe=first / RECIPE_NAME)
    assert summary.written == 11
    run_files = ("manifest.jsonl", "run.json")
    assert tree_digest(second, skip=run_files) == tree_digest(first, skip=run_files)


def test_a_different_recipe_into_the_same_output_is_refused_unless_overwrite(tmp_path):
    src = _small_tree(tmp_path / "in")
    out = tmp_path / "out"
    augment.augment_dir(src, out, workers=1)
    before = tree_digest(out)
    other = Recipe.default().replace(options={"text": {"unit": "line"}})
    with pytest.raises(SetupError, match="different recipe") as info:
        augment.augment_dir(src, out, workers=1, recipe=other)
    assert "--overwrite" in str(info.value) and "--config" in str(info.value)
    with pytest.raises(SetupError, match="different recipe"):
        augment.augment_dir(src, out, workers=1, seed=1)
    assert tree_digest(out) == before
    # More copies with the same recipe is not a different recipe: it adds outputs.
    more = augment.augment_dir(src, out, workers=1, copies=2)
    assert more.skipped == 3 and more.written == 3
    redone = augment.augment_dir(src, out, workers=1, recipe=other, overwrite=True)
    assert redone.written == 3
    assert Recipe.from_toml(out / RECIPE_NAME).to_dict()["text"]["unit"] == "line"


def test_cli_refuses_a_different_recipe_with_exit_2(tmp_path):
    src = _small_tree(tmp_path / "in")
    out = tmp_path / "out"
    assert subprocess.run([SCRIPT, str(src), str(out), "-j", "1", "-q"]).returncode == 0
    proc = subprocess.run([SCRIPT, str(src), str(out), "-j", "1", "--text-unit", "line"],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "different recipe" in proc.stderr


# ----------------------------------------------------------------------------- versions and upgrades

# OUTPUT/recipe.toml as augment-dir 0.1.0 wrote it (make demo: -n 3, seed 0), and the
# fingerprint 0.1.0 put on every manifest line of that OUTPUT.
RECIPE_0_1_0 = Path(__file__).with_name("data") / "recipe-0.1.0.toml"
FINGERPRINT_0_1_0 = "43d273be2aa2f9fd"


def test_a_saved_recipe_is_explicit_and_versioned():
    text = Recipe.default().to_toml()
    assert "\nversion = 2\n" in text
    saved = Recipe.loads(text)
    image_op = saved.table_for("image")["ops"][0]
    assert image_op["zoom_range"] == 0.0 and image_op["fill_mode"] == "nearest"  # Keras' defaults, written out
    assert image_op["engine"] == "opencv"
    assert saved.table_for("text")["ops"][0]["aug_max"] == 10 and saved.versioned
    assert saved == Recipe.default() and saved.fingerprint == Recipe.default().fingerprint


def keras_engine(recipe: Recipe) -> Recipe:
    """``recipe`` as formats before 2 meant it: its image op applied by Keras, JPEG at 95 and WebP at 90,
    and SynonymAug as nlpaug's own (no quality filter)."""
    data = recipe.to_dict()
    data["image"]["ops"][0]["engine"] = "keras"
    data["image"].update(jpeg_quality=95, webp_quality=90)
    data["text"]["ops"][0]["quality"] = False
    return Recipe.from_dict(data, check=False)


def test_a_recipe_from_0_1_0_reads_with_its_meaning():
    old = Recipe.from_toml(RECIPE_0_1_0)
    assert not old.versioned and old.format_version == 1 and old.older_fingerprint == FINGERPRINT_0_1_0
    # 0.1.0 applied every image op with Keras: so does its recipe, read now.
    assert old == keras_engine(Recipe.default().replace(seed=0, copies=3))
    assert differences(old, Recipe.default().replace(seed=0)) == [
        '[image] jpeg_quality: 95 -> "keep"', '[image] webp_quality: 90 -> "keep"',
        '[[image.ops]] #1 (ImageDataGenerator) engine: "keras" -> "opencv"',
        "[[text.ops]] #1 (SynonymAug) quality: false -> true"]
    # The same text without 0.1.0's saved-recipe header is a recipe written today, in today's format.
    text = RECIPE_0_1_0.read_text()
    handwritten = Recipe.loads(text[text.index("seed = "):])
    assert handwritten.format_version == RECIPE_VERSION and handwritten.older_fingerprint is None
    assert handwritten == Recipe.default().replace(seed=0, copies=3,
                                                   options={"image": {"jpeg_quality": 95, "webp_quality": 90}})


def test_format_1_means_the_keras_engine_wherever_an_image_op_leaves_it_out():
    data = {"version": 1, "image": {"ops": [{"op": "ImageDataGenerator", "rotation_range": 5}]},
            "rules": [{"match": "a/**", "image": {"ops": [{"op": "ImageDataGenerator"}]}},
                      {"match": "b/**", "image": {"ops": [{"op": "ImageDataGenerator", "engine": "opencv"}]}}]}
    recipe = Recipe.from_dict(data)
    assert recipe.format_version == 1 and recipe.older_fingerprint is not None
    assert [recipe.config_for("image", rule)["ops"][0]["engine"] for rule in (None, 1, 2)] == [
        "keras", "keras", "opencv"]
    assert recipe.to_dict()["version"] == RECIPE_VERSION  # saved again, it says so explicitly
    today = Recipe.from_dict({**data, "version": 2})
    assert [today.config_for("image", rule)["ops"][0]["engine"] for rule in (None, 1, 2)] == ["opencv"] * 3


def test_format_1_means_quality_95_and_90_where_the_base_table_leaves_them_out():
    data = {"version": 1, "image": {"webp_quality": 70, "ops": [{"op": "ImageDataGenerator"}]},
            "rules": [{"match": "a/**", "image": {"ops": [{"op": "ImageDataGenerator"}]}},
                      {"match": "b/**", "image": {"jpeg_quality": 50}}]}
    recipe = Recipe.from_dict(data)
    qualities = [(recipe.config_for("image", rule)["jpeg_quality"], recipe.config_for("image", rule)["webp_quality"])
                 for rule in (None, 1, 2)]
    assert qualities == [(95, 70), (95, 70), (50, 70)]  # a rule leaving one out takes the base table's
    today = Recipe.from_dict({**data, "version": 2})
    assert [today.config_for("image", rule)["jpeg_quality"] for rule in (None, 1, 2)] == ["keep", "keep", 50]


def test_a_saved_recipe_that_keeps_the_source_quality_round_trips():
    recipe = Recipe.from_dict({"image": {"jpeg_quality": 80, "ops": [{"op": "ImageDataGenerator"}]},
                               "rules": [{"match": "a/**", "image": {"jpeg_quality": "keep"}}]})
    text = recipe.to_toml()
    assert 'webp_quality = "keep"' in text and 'jpeg_quality = "keep"' in text
    again = Recipe.loads(text)
    assert again == recipe and again.fingerprint == recipe.fingerprint
    assert [again.config_for("image", rule)["jpeg_quality"] for rule in (None, 1)] == [80, "keep"]
    assert ImageAugmenter(**again.config_for("image", 1)).jpeg_quality == "keep"


@pytest.mark.parametrize("version, message", [(3, "newer than this augment-dir"), (0, "version must be"),
                                              ("1", "version must be")])
def test_a_recipe_version_this_one_cannot_read_is_refused(version, message):
    with pytest.raises(RecipeError, match=message):
        Recipe.from_dict({"version": version})


def test_resuming_an_output_made_by_0_1_0_continues_it_with_one_fingerprint(tmp_path):
    src = tmp_path / "in"
    for i in range(2):
        write_text(src / f"{i}.txt", SENTENCES[i] + "\n")
    out = tmp_path / "out"
    augment.augment_dir(src, out, copies=3, seed=0, workers=1)
    made = tree_digest(out)
    # Make it what 0.1.0 left: its recipe.toml, its fingerprint on every line, no run.json.
    (out / RECIPE_NAME).write_bytes(RECIPE_0_1_0.read_bytes())
    (out / "run.json").unlink()
    lines = manifest(out)
    (out / "manifest.jsonl").write_text("".join(json.dumps({**r, "recipe": FINGERPRINT_0_1_0}) + "\n"
                                                for r in lines))
    # The default recipe's images now use the native engine: not what made this OUTPUT.
    with pytest.raises(SetupError, match=r'(?s)engine: "keras" -> "opencv".*continue it with --config'):
        augment.augment_dir(src, out, copies=3, seed=0, workers=1)
    again = augment.augment_dir(src, out, workers=1, recipe=out / RECIPE_NAME)
    assert again.skipped == 6 and again.written == 0 and tree_digest(out) == made
    assert {r["recipe"] for r in manifest(out)} == {keras_engine(Recipe.default().replace(seed=0)).fingerprint}
    more = augment.augment_dir(src, out, workers=1, recipe=out / RECIPE_NAME, copies=4)
    assert more.written == 2


# -- Recipe.augmenter ---------------------------------------------------------------


def test_recipe_augmenter_is_the_table_a_run_applies():
    recipe = Recipe.from_dict({
        "image": {"ops": [{"op": "ImageDataGenerator", "rotation_range": 12}]},
        "rules": [{"match": "train/cat/**", "image": {"jpeg_quality": 80}},
                  {"match": "val/**", "copies": 0}],
    })
    base = recipe.augmenter("image")
    assert isinstance(base, ImageAugmenter) and base == ImageAugmenter(**recipe.config_for("image"))
    assert base.config()["ops"][0]["rotation_range"] == 12
    cat = recipe.augmenter("image", "train/cat/**")
    assert cat == recipe.augmenter("image", 1) == ImageAugmenter(**recipe.config_for("image", 1))
    assert cat.jpeg_quality == 80 and cat.config()["ops"] == base.config()["ops"]
    assert recipe.augmenter("image", "val/**") == base  # a rule that sets no image table
    assert isinstance(Recipe.default().augmenter("audio"), AudioAugmenter)
    text = Recipe.default().augmenter("text")
    assert isinstance(text, TextAugmenter)
    assert text.config() == TextAugmenter(**Recipe.default().config_for("text")).config()


@pytest.mark.parametrize("modality, rule, message", [
    ("imgae", None, r"no modality 'imgae' \(did you mean 'image'\?\); a recipe has: image, text, audio"),
    ("image", "train/cat", r"no \[\[rules\]\] entry has match = 'train/cat' \(did you mean 'train/cat/\*\*'\?\); "
                           r"its rules: #1 'train/cat/\*\*'"),
    ("image", 2, r"rule must be a rule's match pattern or its index \(1 to 1\); got 2"),
    ("image", 0, r"rule must .*; got 0;"),
    ("image", True, r"rule must .*; got True;"),
    ("image", 1.0, r"rule must .*; got 1.0;"),
])
def test_recipe_augmenter_names_an_unknown_modality_or_rule(modality, rule, message):
    recipe = Recipe.from_dict({"rules": [{"match": "train/cat/**", "copies": 2}]}, source="r.toml")
    with pytest.raises(ValueError, match=f"^r.toml: {message}"):
        recipe.augmenter(modality, rule)


def test_recipe_augmenter_of_an_unchecked_recipe_locates_what_the_backend_rejects():
    recipe = Recipe.from_dict({"image": {"ops": [{"op": "ImageDataGenerator", "rotation_rnage": 3}]}},
                              source="r.toml", check=False)
    with pytest.raises(RecipeError, match=r"^r.toml: \[\[image.ops\]\] #1 \(ImageDataGenerator\): unknown "
                                          r"parameter 'rotation_rnage' \(did you mean 'rotation_range'\?\)"):
        recipe.augmenter("image")
    assert Recipe.from_dict({}, check=False).augmenter("image") == Recipe.default().augmenter("image")
