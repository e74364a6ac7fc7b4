"""Tests for augment.torch: Transform on PIL images, arrays and tensors, and in real DataLoader workers."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from augment import AudioAugmenter, ImageAugmenter, Recipe, TextAugmenter
from augment.core.batch import item_seeds
from augment.core.seeding import derive_seed
from augment.torch import Transform

from conftest import SENTENCES

IMAGE = np.random.default_rng(1).integers(0, 256, (20, 24, 3), dtype=np.uint8)


# -- without PyTorch: PIL images and arrays -------------------------------------------


def test_calls_draw_a_stream_from_the_seed_and_each_is_augment_batch_of_one():
    aug = ImageAugmenter()
    transform = Transform(aug, seed=5)
    outs = [transform(IMAGE) for _ in range(4)]
    for call, out in enumerate(outs):
        call_seed = derive_seed(5, call)
        assert call_seed == derive_seed(transform._stream, call)
        assert np.array_equal(out, aug.augment_batch(IMAGE[None], seed=call_seed).data[0])
    assert len({o.tobytes() for o in outs}) == 4  # a new draw every call
    again = Transform(aug, seed=5)
    assert all(np.array_equal(again(IMAGE), out) for out in outs)  # the same seed, the same stream


def test_a_pil_image_a_hwc_and_a_chw_array_get_the_same_draw():
    pil = Transform(ImageAugmenter(), seed=3)(Image.fromarray(IMAGE))
    hwc = Transform(ImageAugmenter(), seed=3)(IMAGE)
    chw = Transform(ImageAugmenter(), seed=3)(np.ascontiguousarray(IMAGE.transpose(2, 0, 1)))
    assert isinstance(pil, Image.Image) and pil.size == (24, 20) and pil.mode == "RGB"
    assert np.array_equal(np.asarray(pil), hwc)
    assert chw.shape == (3, 20, 24) and np.array_equal(chw.transpose(1, 2, 0), hwc)
    grey = Transform(ImageAugmenter(), seed=3)(IMAGE[..., 0])
    assert grey.shape == (20, 24) and grey.dtype == np.uint8


def test_ambiguous_arrays_are_channels_last_and_single_channel_images_work():
    cube = np.random.default_rng(2).integers(0, 256, (3, 3, 3), dtype=np.uint8)
    assert np.array_equal(Transform(ImageAugmenter(), seed=1)(cube), ImageAugmenter().augment_batch(
        cube[None], seed=derive_seed(1, 0)).data[0])
    one = Transform(ImageAugmenter(), seed=1)(IMAGE[None, ..., 0])  # (1, H, W): C×H×W
    assert one.shape == (1, 20, 24)


def test_float_images_state_their_range():
    floats = IMAGE.astype(np.float32) / 255
    out = Transform(ImageAugmenter(), seed=2, value_range=(0, 1))(floats)
    assert out.dtype == np.float32 and 0 <= out.min() and out.max() <= 1
    whole = Transform(ImageAugmenter(), seed=2, value_range=(0, 1))(IMAGE)  # the range is the floats'
    assert np.abs(out * 255 - whole).max() <= 0.5 + 1e-3
    with pytest.raises(ValueError, match=r"needs value_range=\(lo, hi\)"):
        Transform(ImageAugmenter(), seed=2)(floats)


def test_return_params_gives_what_was_applied():
    image, params = Transform(ImageAugmenter(), seed=4, return_params=True)(IMAGE)
    assert params == ImageAugmenter().augment(IMAGE, seed=item_seeds(derive_seed(4, 0), 1)[0]).params
    assert json.loads(json.dumps(params)) == params and image.shape == IMAGE.shape


def test_a_recipe_brings_its_table_and_seed_and_other_modalities_work():
    recipe = Recipe.from_dict({"seed": 9, "image": {"ops": [{"op": "ImageDataGenerator", "vertical_flip": True,
                                                            "rotation_range": 10}]},
                               "text": {"ops": [{"op": "RandomCharAug"}]}})
    assert np.array_equal(Transform(recipe)(IMAGE), Transform(recipe.augmenter("image"), seed=9)(IMAGE))
    text = Transform(recipe, modality="text", return_params=True)
    out, params = text(SENTENCES[0])
    assert isinstance(out, str) and params["unit"] == "file"
    noise = Transform(AudioAugmenter(), seed=1, sample_rate=8000)
    clip = np.zeros(400, np.float32)
    assert noise(clip).shape == (400,) and not np.array_equal(noise(clip), clip)


@pytest.mark.parametrize("args, kwargs, error, message", [
    (("recipe.toml",), {}, TypeError, "an Augmenter or a Recipe; got str"),
    ((ImageAugmenter(),), {"modality": "text"}, ValueError, "but the augmenter is a image augmenter"),
    ((Recipe.default(),), {"modality": "video"}, ValueError, "no modality 'video'"),
    ((ImageAugmenter(),), {"seed": 2**32}, ValueError, "seed must be an integer"),
])
def test_bad_arguments_are_refused(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        Transform(*args, **kwargs)


def test_bad_images_are_refused_with_the_reason():
    transform = Transform(ImageAugmenter(), seed=1)
    with pytest.raises(ValueError, match=r"one image, H×W, H×W×C or C×H×W; got shape \(2, 20, 24, 3\)"):
        transform(np.stack([IMAGE, IMAGE]))
    with pytest.raises(ValueError, match="uint8, uint16 or float32; got int64"):
        transform(IMAGE.astype(np.int64))
    with pytest.raises(ValueError, match="augments a PIL.Image.Image"):
        transform([1, 2, 3])


def test_a_copy_goes_on_in_this_process_and_starts_its_stream_afresh_in_another():
    transform = Transform(TextAugmenter(ops=[{"op": "RandomCharAug"}]), seed=6)
    transform("warm up")
    copy = pickle.loads(pickle.dumps(transform))
    assert copy(SENTENCES[1]) == transform(SENTENCES[1])  # in this process: the same stream goes on
    script = textwrap.dedent(f"""
        import pickle, sys
        transform = pickle.loads({pickle.dumps(transform)!r})
        print(transform({SENTENCES[1]!r}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    fresh = Transform(TextAugmenter(ops=[{"op": "RandomCharAug"}]), seed=6)
    assert out.stdout.strip() == fresh(SENTENCES[1]), out.stderr  # another process starts its stream afresh


# -- with PyTorch ---------------------------------------------------------------------


def test_tensors_keep_layout_dtype_and_device():
    torch = pytest.importorskip("torch")
    chw = torch.from_numpy(np.ascontiguousarray(IMAGE.transpose(2, 0, 1)))
    out = Transform(ImageAugmenter(), seed=7)(chw)
    assert isinstance(out, torch.Tensor) and out.shape == chw.shape and out.dtype == torch.uint8
    assert out.device == chw.device
    assert np.array_equal(out.numpy().transpose(1, 2, 0), Transform(ImageAugmenter(), seed=7)(IMAGE))
    floats = chw.float() / 255
    out = Transform(ImageAugmenter(), seed=7, value_range=(0, 1))(floats)
    assert out.dtype == torch.float32 and float(out.min()) >= 0 and float(out.max()) <= 1
    hwc = torch.from_numpy(IMAGE)  # only its last axis can be the channels
    assert Transform(ImageAugmenter(), seed=7)(hwc).shape == hwc.shape
    cube = torch.zeros((3, 3, 3), dtype=torch.uint8)
    cube[0] = 200  # C×H×W: the first plane is the red channel
    out = Transform(ImageAugmenter(horizontal_flip=False, rotation_range=0, width_shift_range=0,
                                   height_shift_range=0, vertical_flip=True), seed=1)(cube)
    assert bool((out[0] == 200).all()) and bool((out[1:] == 0).all())
    noise = Transform(AudioAugmenter(), seed=1, sample_rate=8000)(torch.zeros(2, 300))
    assert isinstance(noise, torch.Tensor) and noise.shape == (2, 300)


LOADER_SCRIPT = """
import hashlib, json, sys
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from augment import ImageAugmenter
from augment.torch import Transform

class Same(Dataset):
    # Every item is the same image: whatever differs comes from the Transform's draws.
    def __init__(self, transform):
        self.transform = transform
        self.image = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    def __len__(self):
        return 8
    def __getitem__(self, index):
        return torch.from_numpy(self.transform(self.image)), torch.utils.data.get_worker_info().id

def epochs(loader_seed, transform_seed):
    loader = DataLoader(Same(Transform(ImageAugmenter(), seed=transform_seed)), batch_size=2, num_workers=2,
                        generator=torch.Generator().manual_seed(loader_seed))
    out = []
    for _ in range(2):
        out.append([[hashlib.sha256(image.numpy().tobytes()).hexdigest()[:12] for image in images]
                    + [int(w) for w in workers] for images, workers in loader])
    return out

if __name__ == "__main__":
    print(json.dumps({"a": epochs(0, 1), "b": epochs(0, 1), "c": epochs(1, 1), "d": epochs(0, 2)}))
"""


def test_dataloader_workers_draw_their_own_streams_anew_each_epoch_and_replay_with_the_seeds(tmp_path):
    pytest.importorskip("torch")
    script = tmp_path / "loader.py"
    script.write_text(LOADER_SCRIPT)
    # In a fresh interpreter: the workers fork from it (this one may hold TensorFlow's threads).
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    runs = json.loads(out.stdout)
    first, second = runs["a"]
    hashes = [h for batch in first for h in batch[:2]]
    workers = {w for batch in first for w in batch[2:]}
    assert workers == {0, 1}  # both workers served items
    assert len(set(hashes)) == len(hashes)  # no two workers (or calls) drew alike
    assert {h for batch in second for h in batch[:2]}.isdisjoint(hashes)  # a new draw every epoch
    assert runs["b"] == runs["a"]  # the same loader seed and Transform seed replay both epochs
    assert runs["c"] != runs["a"] and runs["d"] != runs["a"]
