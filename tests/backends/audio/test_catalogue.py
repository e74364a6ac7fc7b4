"""Tests for augment.backends.audio.catalogue: which transforms an op may name, and how ops are checked."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from augment.backends.audio import AudioAugmenter, catalogue, supported_ops
from augment.backends.audio.catalogue import applied_params, build_ops

from conftest import write_audio

CHAIN = [
    {"op": "AddGaussianNoise", "min_amplitude": 0.01, "max_amplitude": 0.05, "p": 1.0},
    {"op": "Gain", "min_gain_db": -6.0, "max_gain_db": 6.0, "p": 1.0},
]


# librosa.load (used by the ops that read noise / impulse response files) imports
# audioread, which imports standard modules Python 3.11 deprecates.
AUDIOREAD_WARNINGS = pytest.mark.filterwarnings(
    "ignore:'(aifc|audioop|sunau)' is deprecated:DeprecationWarning"
)


# -- the catalogue -------------------------------------------------------------


def test_supported_ops_are_the_waveform_transforms():
    from audiomentations.core.transforms_interface import BaseWaveformTransform

    names = supported_ops()
    assert names == sorted(names)
    assert {"AddGaussianNoise", "Gain", "PitchShift", "TimeStretch", "AddBackgroundNoise",
            "ApplyImpulseResponse", "Mp3Compression", "RoomSimulator"} <= set(names)
    assert not {"Compose", "OneOf", "SomeOf", "Lambda", "SpecCompose"} & set(names)
    import audiomentations

    assert all(issubclass(getattr(audiomentations, n), BaseWaveformTransform) for n in names)


def test_build_ops_gives_plain_configs_and_fresh_transforms():
    from audiomentations import AddGaussianNoise, Gain

    ops = [{**CHAIN[0], "max_amplitude": np.float32(0.25)}, CHAIN[1]]
    configs, transforms = build_ops(ops)
    assert configs == [{**CHAIN[0], "max_amplitude": 0.25}, CHAIN[1]]
    assert type(configs[0]["max_amplitude"]) is float
    assert [type(t) for t in transforms] == [AddGaussianNoise, Gain]
    assert build_ops(ops)[1][0] is not transforms[0]


def test_applied_params_are_json_safe():
    assert applied_params("Gain", {"should_apply": False, "amplitude_ratio": 2.0}) == {
        "op": "Gain", "should_apply": False
    }
    marker = object()
    record = applied_params("X", {"should_apply": True, "gain": np.float32(0.5), "shape": (1, 2), "obj": marker})
    assert record == {"op": "X", "should_apply": True, "gain": 0.5, "shape": [1, 2], "obj": repr(marker)}
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize(
    "op",
    [
        {"op": "Gain"},
        {"op": "PolarityInversion"},
        {"op": "Shift"},
        {"op": "TimeMask"},
        {"op": "LowPassFilter"},
        {"op": "HighPassFilter"},
        {"op": "PitchShift"},
        {"op": "TimeStretch"},
        {"op": "ClippingDistortion", "min_percentile_threshold": 10},
        {"op": "Normalize"},
    ],
    ids=lambda op: op["op"],
)
def test_transform_runs_on_a_real_file(tmp_path, op):
    src = write_audio(tmp_path / "in.wav", seconds=0.25, sample_rate=16000, channels=2)
    aug = AudioAugmenter(ops=[{**op, "p": 1.0}])
    dst, again = tmp_path / "out.wav", tmp_path / "again.wav"
    result = aug.augment_file(src, dst, seed=21)
    aug.augment_file(src, again, seed=21)
    assert dst.read_bytes() == again.read_bytes()
    (record,) = result.params["ops"]
    assert record["op"] == op["op"] and record["should_apply"] is True
    assert json.loads(json.dumps(result.params)) == result.params
    info_in, info_out = sf.info(src), sf.info(dst)
    for attr in ("samplerate", "channels", "format", "subtype", "frames"):
        assert getattr(info_out, attr) == getattr(info_in, attr), attr
    assert not np.array_equal(aug.read(dst).samples, aug.read(src).samples)


def test_op_with_p_zero_is_recorded_as_not_applied(tmp_path):
    src = write_audio(tmp_path / "in.wav", channels=2)
    ops = [CHAIN[0], {**CHAIN[1], "p": 0.0}, {"op": "PolarityInversion", "p": 0}]
    result = AudioAugmenter(ops=ops).augment_file(src, tmp_path / "out.wav", seed=3)
    assert result.params["ops"][1:] == [
        {"op": "Gain", "should_apply": False}, {"op": "PolarityInversion", "should_apply": False}
    ]
    assert result.params["ops"][0]["should_apply"] is True


@AUDIOREAD_WARNINGS
def test_ops_that_read_files(tmp_path):
    noises = tmp_path / "noises"
    write_audio(noises / "hum.wav", seconds=0.5, freq=60.0)
    write_audio(noises / "sub" / "hiss.flac", seconds=0.5, freq=3000.0)
    ir = write_audio(tmp_path / "ir" / "room.wav", seconds=0.05, freq=1000.0)
    ops = [
        {"op": "AddBackgroundNoise", "sounds_path": noises, "min_snr_db": 10.0, "p": 1.0},
        {"op": "ApplyImpulseResponse", "ir_path": (ir,), "p": 1.0},
    ]
    aug = AudioAugmenter(ops=ops)
    assert aug.config()["ops"][0]["sounds_path"] == str(noises)
    assert aug.config()["ops"][1]["ir_path"] == [str(ir)]
    src = write_audio(tmp_path / "in.wav")
    result = aug.augment_file(src, tmp_path / "out.wav", seed=4)
    background, response = result.params["ops"]
    assert background["noise_file_path"] in {str(noises / "hum.wav"), str(noises / "sub" / "hiss.flac")}
    assert response["ir_file_path"] == str(ir)
    again = AudioAugmenter(**aug.config()).augment_file(src, tmp_path / "again.wav", seed=4)
    assert again.params == result.params
    assert (tmp_path / "out.wav").read_bytes() == (tmp_path / "again.wav").read_bytes()


# -- op checks -----------------------------------------------------------------


# Each: ops, the op label the message starts with, words it must contain.
OP_ERRORS = [
    ([{"op": "Gian"}], "ops[1] (Gian)", ["unknown audio op 'Gian'", "did you mean 'Gain'?", "PitchShift"]),
    ([CHAIN[0], {"op": "timestretch"}], "ops[2] (timestretch)", ["did you mean 'TimeStretch'?"]),
    ([{"op": "Gain", "min_gain_in_db": -3}], "ops[1] (Gain)",
     ["unknown parameter 'min_gain_in_db'", "did you mean 'min_gain_db'?"]),
    ([{"op": "Gain", "min_gain_db": "loud"}], "ops[1] (Gain)", ["min_gain_db", "'loud'"]),
    ([{"op": "AddGaussianNoise", "max_amplitude": "loud"}], "ops[1] (AddGaussianNoise)",
     ["max_amplitude", "'loud'"]),
    ([{"op": "Shift", "rollover": "yes"}], "ops[1] (Shift)", ["rollover", "true or false"]),
    ([CHAIN[0], {"op": "Gain", "p": 1.5}], "ops[2] (Gain)", ["p is a probability", "1.5"]),
    ([{"op": "PolarityInversion", "p": -0.1}], "ops[1] (PolarityInversion)", ["p", "-0.1"]),
    ([{"op": "Gain", "min_gain_db": 6.0, "max_gain_db": -6.0}], "ops[1] (Gain)",
     ["min_gain_db (6.0) must not exceed max_gain_db (-6.0)"]),
    ([{"op": "PitchShift", "min_semitones": 5}], "ops[1] (PitchShift)",
     ["min_semitones (5) must not exceed max_semitones (4.0)"]),
    ([{"op": "AddGaussianNoise", "min_amplitude": 0}], "ops[1] (AddGaussianNoise)", ["min_amplitude > 0"]),
    ([{"op": "TimeMask", "max_band_part": 1.5}], "ops[1] (TimeMask)", ["max_band_part"]),
    ([{"op": "Normalize", "apply_to": "al"}], "ops[1] (Normalize)",
     ["apply_to must be one of", "did you mean 'all'?"]),
    ([{"op": "Compose", "transforms": []}], "ops[1] (Compose)", ["composition", "separate ops"]),
    ([{"op": "OneOf"}], "ops[1] (OneOf)", ["composition"]),
    ([{"op": "SpecFrequencyMask"}], "ops[1] (SpecFrequencyMask)", ["spectrogram transform"]),
    ([{"op": "SpecCompose"}], "ops[1] (SpecCompose)", ["spectrogram transform"]),
    ([{"op": "Lambda"}], "ops[1] (Lambda)", ["Python function"]),
    ([{"op": "AddBackgroundNoise"}], "ops[1] (AddBackgroundNoise)", ["needs sounds_path"]),
    ([CHAIN[0], {"op": "AddBackgroundNoise", "sounds_path": "no/such/noises"}],
     "ops[2] (AddBackgroundNoise)", ["sounds_path", "'no/such/noises' does not exist"]),
    ([{"op": "ApplyImpulseResponse", "ir_path": ["no/such/ir.wav"]}], "ops[1] (ApplyImpulseResponse)",
     ["ir_path", "'no/such/ir.wav' does not exist"]),
    ([{"op": "AddShortNoises", "sounds_path": 3}], "ops[1] (AddShortNoises)", ["sounds_path", "got 3"]),
    ([{"op": "AddBackgroundNoise", "sounds_path": "x", "noise_transform": "Gain"}],
     "ops[1] (AddBackgroundNoise)", ["noise_transform cannot be set here", "Python function"]),
    ([{"op": "Gain", "p": None}], "ops[1] (Gain)", ["p cannot be None", "0.5"]),
    ([{"op": "Gain", "min_gain_db": object()}], "ops[1] (Gain)", ["min_gain_db"]),
    ([{"op": "Mp3Compression", "backend": "lame"}], "ops[1] (Mp3Compression)",
     ["backend must be one of", "did you mean 'lameenc'?"]),
]


@pytest.mark.parametrize(
    ("ops", "label", "words"), OP_ERRORS, ids=[f"{i}-{e[1]}" for i, e in enumerate(OP_ERRORS)]
)
def test_op_errors_name_the_op_and_the_key(ops, label, words):
    with pytest.raises(ValueError) as info:
        AudioAugmenter(ops=ops)
    message = str(info.value)
    assert message.startswith(f"{label}: "), message
    for word in words:
        assert word in message, (word, message)


@pytest.mark.parametrize(
    ("op", "words"),
    [
        ({"op": "AddGaussianNoise", "min_amplitude": 0}, "requires min_amplitude > 0.0 (got min_amplitude=0)"),
        ({"op": "ClippingDistortion", "max_percentile_threshold": 150},
         "requires 0 <= max_percentile_threshold <= 100 (got max_percentile_threshold=150)"),
        ({"op": "TanhDistortion", "max_distortion": 2}, "max_distortion=2"),
        ({"op": "HighShelfFilter", "min_q": 0}, "min_q should be greater than 0"),
        ({"op": "Clip", "a_min": 1.0, "a_max": 1.0}, "requires a_min < a_max (got a_min=1.0, a_max=1.0)"),
        ({"op": "AdjustDuration"}, "duration_samples is not None or duration_seconds is not None"),
    ],
)
def test_library_asserts_are_checks_that_survive_python_O(op, words):
    """audiomentations' asserts vanish under ``python -O``; they are replayed as checks."""
    with pytest.raises(ValueError) as info:
        AudioAugmenter(ops=[op])
    message = str(info.value)
    assert message.startswith(f"ops[1] ({op['op']}): ") and words in message
    assert "rejected" not in message  # ours, not the library's AssertionError turned ValueError


def test_checks_hold_under_python_O():
    code = (
        "from augment.backends.audio import AudioAugmenter\n"
        "try:\n    AudioAugmenter(ops=[{'op': 'AddGaussianNoise', 'min_amplitude': 0}])\n"
        "except ValueError as exc:\n    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "ops[1] (AddGaussianNoise): requires min_amplitude > 0.0" in done.stdout


def test_missing_path_is_checked_before_anything_is_read(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("not audio")
    for path, reason in ((tmp_path / "empty", "holds no audio files"),
                         (tmp_path / "notes.txt", "is not an audio file")):
        with pytest.raises(ValueError, match=r"^ops\[1\] \(ApplyImpulseResponse\): ir_path: ") as info:
            AudioAugmenter(ops=[{"op": "ApplyImpulseResponse", "ir_path": str(path)}])
        assert reason in str(info.value) and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("op", "module", "package"),
    [
        ({"op": "RoomSimulator"}, "pyroomacoustics", "pyroomacoustics"),
        ({"op": "Mp3Compression"}, "fast_mp3_augment", "fast-mp3-augment"),
        ({"op": "Mp3Compression", "backend": "lameenc", "preserve_delay": True}, "lameenc", "lameenc"),
        ({"op": "Limiter"}, "numpy_audio_limiter", "numpy-audio-limiter"),
        ({"op": "LoudnessNormalization"}, "loudness", "loudness"),
    ],
)
def test_missing_optional_dependency_names_the_pip_install(monkeypatch, op, module, package):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else real(name, *a))
    with pytest.raises(ValueError, match=rf"^ops\[1\] \({op['op']}\): ") as info:
        AudioAugmenter(ops=[op])
    assert f"pip install {package}" in str(info.value)


# -- folders of noise and impulse responses: walked once, with a bound ----------


def _noise_tree(root):
    """Audio files in nested folders, other files, a link to a sibling folder and a broken link."""
    for rel in ("hum.wav", "Roar.WAV", "notes.txt", "sub/hiss.flac", "sub/deeper/buzz.ogg", "other/click.wav"):
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if rel.endswith("txt"):
            path.write_text("not audio")
        else:
            write_audio(path.with_suffix(".wav"), seconds=0.05)
            if path.suffix != ".wav":
                path.with_suffix(".wav").rename(path)
    (root / "other" / "to-sub").symlink_to(root / "sub")  # the same folder twice, no loop
    (root / "gone.wav").symlink_to(root / "nowhere")
    return root


def test_a_folder_gives_the_transform_the_files_audiomentations_would_find(tmp_path):
    from audiomentations.core.utils import find_audio_files_in_paths

    noises = _noise_tree(tmp_path / "noises")
    single = write_audio(tmp_path / "one.wav", seconds=0.05)
    op = {"op": "AddShortNoises", "sounds_path": [str(noises), str(single)]}
    aug = AudioAugmenter(ops=[op])
    aug.augment(np.zeros(800, np.float32), sample_rate=8000, seed=1)  # builds the transforms
    transform = aug._transforms[0]
    expected = [str(p) for p in find_audio_files_in_paths([str(noises), str(single)])]
    assert transform.sound_file_paths == expected and len(expected) == 9
    assert aug.config()["ops"][0]["sounds_path"] == [str(noises), str(single)]  # the recipe keeps the folder


@pytest.mark.parametrize("op, key", [("AddBackgroundNoise", "sounds_path"), ("ApplyImpulseResponse", "ir_path"),
                                     ("AddShortNoises", "sounds_path")])
def test_a_link_loop_under_a_path_is_refused_naming_the_link(tmp_path, op, key):
    noises = tmp_path / "noises"
    write_audio(noises / "hum.wav", seconds=0.05)
    write_audio(noises / "sub" / "deeper" / "buzz.wav", seconds=0.05)
    loop = noises / "sub" / "deeper" / "up"
    loop.symlink_to(noises / "sub")  # audiomentations' walk (followlinks=True) would go round forever
    expected = (f"ops[1] ({op}): {key}: '{loop}' leads back to '{noises / 'sub'}', which holds it (a link loop); "
                "audiomentations follows links and would never finish: remove the link, or name another folder")
    with pytest.raises(ValueError) as info:
        AudioAugmenter(ops=[{"op": op, key: str(noises)}])
    assert str(info.value) == expected
    self_link = tmp_path / "flat"
    self_link.mkdir()
    write_audio(self_link / "a.wav", seconds=0.05)
    (self_link / "me").symlink_to(".")
    with pytest.raises(ValueError, match=re.escape(f"'{self_link / 'me'}' leads back to '{self_link}'")):
        AudioAugmenter(ops=[{"op": op, key: [str(self_link)]}])


def test_the_recipe_check_refuses_a_link_loop_with_the_path(tmp_path):
    from augment.run.recipe import Recipe, RecipeError

    noises = _noise_tree(tmp_path / "noises")
    (noises / "again").symlink_to(noises)
    table = {"ops": [{"op": "AddBackgroundNoise", "sounds_path": str(noises)}]}
    with pytest.raises(RecipeError, match=re.escape(f"[[audio.ops]] #1 (AddBackgroundNoise): sounds_path: "
                                                    f"'{noises / 'again'}' leads back to '{noises}'")):
        Recipe.from_dict({"audio": table}, source="loop.toml").check(["audio"])


def test_a_tree_beyond_the_bound_is_refused_without_walking_it_all(tmp_path, monkeypatch):
    noises = tmp_path / "many"
    for i in range(30):
        write_audio(noises / f"d{i // 10}" / f"n{i}.wav", seconds=0.01)
    monkeypatch.setattr(catalogue, "MAX_SCANNED", 20)
    with pytest.raises(ValueError, match=re.escape(
            f"ops[1] (AddBackgroundNoise): sounds_path: '{noises}' holds more than 20 files and folders "
            "(counting where its links lead), more than a folder of noise files should: name the folder that "
            "holds them, or list several smaller ones")):
        AudioAugmenter(ops=[{"op": "AddBackgroundNoise", "sounds_path": str(noises)}])
    # The bound is per folder named: its sub-folders, listed, are each within it.
    aug = AudioAugmenter(ops=[{"op": "AddBackgroundNoise", "sounds_path": [str(d) for d in sorted(noises.iterdir())]}])
    assert aug.config()["ops"][0]["sounds_path"][0] == str(noises / "d0")


def test_the_default_bound_is_documented():
    assert catalogue.MAX_SCANNED == 200_000
