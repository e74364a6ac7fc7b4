"""Tests for augment.run.options: one resolve that merges arguments with the recipe and checks each value."""

from __future__ import annotations

import pytest

from augment.core.seeding import SEED_MAX
from augment.run.options import SetupError, default_workers, resolve
from augment.run.recipe import Recipe


def test_defaults_come_from_the_recipe_then_the_built_in_values():
    options = resolve()
    assert (options.copies, options.seed, options.workers) == (1, 0, default_workers())
    assert options.only == ("image", "text", "audio")
    assert options.recipe == Recipe.default().replace(seed=0, copies=1)
    from_recipe = resolve(recipe=Recipe.from_dict({"seed": 9, "copies": 4}))
    assert (from_recipe.copies, from_recipe.seed) == (4, 9)
    assert (from_recipe.recipe.copies, from_recipe.recipe.seed) == (4, 9)


def test_arguments_win_over_the_recipe_and_land_in_the_effective_recipe():
    options = resolve(copies=2, seed=SEED_MAX, workers=3, only="text,image", text_unit="line",
                      recipe=Recipe.from_dict({"seed": 9, "copies": 4}))
    assert (options.copies, options.seed, options.workers, options.only) == (2, SEED_MAX, 3, ("text", "image"))
    assert options.recipe.copies == 2 and options.recipe.seed == SEED_MAX
    assert options.recipe.table_for("text")["unit"] == "line"


@pytest.mark.parametrize("kwargs, message", [
    ({"copies": 0}, r"^copies must be an integer >= 1; got 0$"),
    ({"copies": 1.5}, r"^copies must be an integer >= 1"),
    ({"copies": 10**21}, r"^copies must be at most 10000; got 1000000000000000000000$"),
    ({"seed": SEED_MAX + 1}, r"^seed must be an integer in \[0, 4294967295\]; got 4294967296$"),
    ({"seed": True}, r"^seed must be an integer"),
    ({"workers": 0}, r"^workers must be an integer >= 1; got 0$"),
    ({"only": []}, r"^only must name some of image, text, audio; got nothing$"),
    ({"only": ["image", "video"]}, r"^only must name some of image, text, audio; got image, video$"),
    ({"text_unit": "page"}, r"^text_unit must be one of file, line; got 'page'$"),
])
def test_each_bad_value_is_a_setup_error_naming_it(kwargs, message):
    with pytest.raises(SetupError, match=message):
        resolve(**kwargs)


def test_a_recipe_path_is_loaded_and_its_errors_are_setup_errors(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text("copies = 3\n")
    assert resolve(recipe=path).copies == 3
    path.write_text("copies = 0\n")
    with pytest.raises(SetupError, match=r"r\.toml: copies must be an integer >= 1"):
        resolve(recipe=path)


def test_storage_options_come_as_a_dict_json_text_or_a_file(tmp_path):
    assert resolve().storage_options is None
    assert resolve(storage_options={"anon": True}).storage_options == {"anon": True}
    assert resolve(storage_options='{"endpoint_url": "http://localhost:9000"}').storage_options == {
        "endpoint_url": "http://localhost:9000"}
    (tmp_path / "opts.json").write_text('{"key": "AKIAFILEKEY", "secret": "from-a-file-123"}')
    options = resolve(storage_options=f"@{tmp_path / 'opts.json'}")
    assert options.storage_options == {"key": "AKIAFILEKEY", "secret": "from-a-file-123"}
    assert "from-a-file-123" not in repr(options)  # options are never shown


@pytest.mark.parametrize("given, message", [
    ('{"secret": "sup3r-s3cret", oops}', r"must be a JSON object, .*Expecting property name"),
    ('["sup3r-s3cret"]', "must be a JSON object .*got list"),
    ({"client": object()}, "must hold only JSON values"),
    ({1: "sup3r-s3cret"}, "every option name must be a string"),
    ("@/no/such/options.json", "cannot read /no/such/options.json"),
])
def test_bad_storage_options_are_refused_without_repeating_them(given, message):
    with pytest.raises(SetupError, match=message) as info:
        resolve(storage_options=given)
    assert "sup3r-s3cret" not in str(info.value)


def test_a_recipe_url_is_read_from_its_store():
    from augment.run.remote import Store

    fs = Store.of("memory").filesystem()
    fs.pipe_file("/recipe-test/r.toml", b"copies = 3\n")
    try:
        options = resolve(recipe="memory://recipe-test/r.toml")
        assert options.copies == 3 and options.recipe.source == "memory:///recipe-test/r.toml"
        with pytest.raises(SetupError, match="memory:///recipe-test/none.toml: cannot read the recipe"):
            resolve(recipe="memory://recipe-test/none.toml")
    finally:
        fs.rm("/recipe-test", recursive=True)
