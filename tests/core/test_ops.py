"""augment.ops: checking a library op's parameters against its class, with messages that name the key.

PYTEST_DONT_REWRITE: the stand-in library class below must fail its ``assert``
the way a library's does (an empty message), which pytest's rewriting changes.
"""

from __future__ import annotations

import pytest

from augment.core.ops import OpSpec, build_op, check_op, check_ops_list, did_you_mean, op_label, split_op


class Transform:
    """A stand-in library class with the kinds of parameters real ones have."""

    def __init__(self, min_gain_db: float = -12.0, max_gain_db: float = 12.0, p: float = 0.5,
                 mode: str = "fast", count: int = 3, flag: bool = False, names: list[str] | None = None,
                 name: str = "Transform", tokenizer=None) -> None:
        assert min_gain_db <= max_gain_db
        assert mode in ("fast", "slow")
        self.args = dict(min_gain_db=min_gain_db, max_gain_db=max_gain_db, p=p, mode=mode, count=count,
                         flag=flag, names=names, tokenizer=tokenizer)


class Required:
    def __init__(self, path: str, p: float = 0.5) -> None:
        self.path = path


SPEC = OpSpec(Transform, exclude={"tokenizer": "the backend sets it"})


def check(**params):
    check_op(SPEC, "Transform", params, "ops[2] (Transform)")


def test_did_you_mean():
    assert did_you_mean("min_gain", ["min_gain_db", "max_gain_db"]) == " (did you mean 'min_gain_db'?)"
    assert did_you_mean("GAIN", ["Gain", "Shift"]) == " (did you mean 'Gain'?)"
    assert did_you_mean("zzz", ["Gain"]) == ""


def test_op_shapes():
    assert split_op({"op": "Gain", "p": 1.0}, 1) == ("Gain", {"p": 1.0})
    assert op_label(3, "Gain") == "ops[3] (Gain)"
    with pytest.raises(ValueError, match=r"ops\[1\]: an op must be a table"):
        split_op(["Gain"], 1)
    with pytest.raises(ValueError, match=r"ops\[2\]: the 'op' key"):
        split_op({"p": 1.0}, 2)
    assert check_ops_list(({"op": "Gain"},), "{'op': 'Gain'}") == [{"op": "Gain"}]
    with pytest.raises(ValueError, match="ops must be a list"):
        check_ops_list({"op": "Gain"}, "{'op': 'Gain'}")
    with pytest.raises(ValueError, match="ops is empty"):
        check_ops_list([], "{'op': 'Gain'}")


def test_good_parameters_pass():
    check(min_gain_db=-6, max_gain_db=6.5, p=1, mode="slow", count=2, flag=True, names=["a"])


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"min_gain": 1.0}, ["unknown parameter 'min_gain'", "did you mean 'min_gain_db'", "Transform takes:"]),
        ({"tokenizer": 1}, ["tokenizer cannot be set here", "the backend sets it"]),
        ({"name": "x"}, ["unknown parameter 'name'"]),
        ({"p": "high"}, ["p must be a number", "'high'"]),
        ({"p": True}, ["p must be a number", "True"]),
        ({"p": float("nan")}, ["p must be a finite number"]),
        ({"p": 1.5}, ["p is a probability", "[0, 1]", "1.5"]),
        ({"count": 2.5}, ["count must be an integer", "2.5"]),
        ({"flag": 1}, ["flag must be true or false"]),
        ({"mode": 3}, ["mode must be a string"]),
        ({"min_gain_db": 15.0}, ["min_gain_db (15.0) must not exceed max_gain_db (12.0)"]),
    ],
)
def test_bad_parameters_name_the_op_and_the_key(params, expected):
    with pytest.raises(ValueError) as info:
        check(**params)
    message = str(info.value)
    assert message.startswith("ops[2] (Transform): "), message
    for part in expected:
        assert part in message, (part, message)


def test_choices_and_required_parameters():
    spec = OpSpec(Transform, choices={"mode": ("fast", "slow")})
    with pytest.raises(ValueError, match=r"mode must be one of 'fast', 'slow'; got 'slw' \(did you mean 'slow'\?\)"):
        check_op(spec, "Transform", {"mode": "slw"}, "ops[1] (Transform)")
    with pytest.raises(ValueError, match=r"ops\[1\] \(Required\): Required needs path"):
        check_op(OpSpec(Required), "Required", {}, "ops[1] (Required)")


def test_extra_checks_run_on_the_values_with_defaults():
    spec = OpSpec(Transform, checks=[lambda v: "count must be odd" if v["count"] % 2 == 0 else None])
    check_op(spec, "Transform", {}, "x")  # the default, 3, is odd
    with pytest.raises(ValueError, match="x: count must be odd"):
        check_op(spec, "Transform", {"count": 4}, "x")


def test_build_op_builds_and_turns_library_asserts_into_value_errors():
    built = build_op(OpSpec(Transform), "Transform", {"p": 1.0}, "ops[1] (Transform)", tokenizer="mine")
    assert built.args["p"] == 1.0 and built.args["tokenizer"] == "mine"
    # The library's own assert (mode) is what catches this one: its source line becomes the reason.
    with pytest.raises(ValueError) as info:
        build_op(OpSpec(Transform), "Transform", {"mode": "other"}, "ops[1] (Transform)")
    message = str(info.value)
    assert message.startswith("ops[1] (Transform): Transform rejected {'mode': 'other'}")
    assert "requires mode in ('fast', 'slow')" in message
    assert not isinstance(info.value, AssertionError)


def test_refuse_shorthand_shows_where_the_values_belong():
    from augment.core.ops import refuse_shorthand

    refuse_shorthand({}, "Gain")
    with pytest.raises(ValueError) as info:
        refuse_shorthand({"p": 0.5, "min_gain_db": -3}, "Gain")
    assert str(info.value) == ("p=0.5, min_gain_db=-3 given together with ops; put it inside the op, "
                               "e.g. ops=[{'op': 'Gain', 'p': 0.5, 'min_gain_db': -3}]")
