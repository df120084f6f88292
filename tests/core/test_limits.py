"""The input limits: what every body parser and command refuses, and what it keeps."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.core import limits
from podium.core.errors import Invalid
from podium.core.organizations import OrganizationCreate

plain_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(limits.INT64_MIN, limits.INT64_MAX)
    | st.floats(allow_nan=False, allow_infinity=False)
    | plain_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(plain_text, inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_whatever_is_within_the_limits_decodes_as_the_standard_library_does(value: object) -> None:
    raw = json.dumps(value)
    assert limits.loads(raw) == json.loads(raw)
    assert limits.loads(raw.encode()) == json.loads(raw)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("[" * 5000 + "]" * 5000, "nested more than 32"),
        ("[" * 33 + "]" * 33, "nested more than 32"),
        ("9" * 5000, "more than 400 digits"),
        ('{"a": 18446744073709551616}', "does not fit in 64 bits"),
        ('{"a": -9223372036854775809}', "does not fit in 64 bits"),
        ('{"a": "x\\u0000y"}', "NUL"),
        ('{"a\\u0000": 1}', "NUL"),
        ('{"a": NaN}', "NaN"),
        ('{"a": -Infinity}', "Infinity"),
        ("1e400", "Infinity"),
    ],
)
def test_beyond_the_limits_is_invalid_and_names_why(raw: str, says: str) -> None:
    with pytest.raises(limits.PayloadError) as caught:
        limits.loads(raw)
    assert says in caught.value.message
    assert isinstance(caught.value, Invalid) and isinstance(caught.value, json.JSONDecodeError)
    assert not caught.value.malformed


def test_nesting_up_to_the_limit_and_the_64_bit_ends_are_kept() -> None:
    deep = "[" * 32 + "]" * 32
    assert limits.loads(deep) == json.loads(deep)
    ends = f"[{limits.INT64_MIN}, {limits.INT64_MAX}]"
    assert limits.loads(ends) == [limits.INT64_MIN, limits.INT64_MAX]


@pytest.mark.parametrize("raw", [b'{"a": ', b"{'a': 1}", b"[1] x", b"\xff\xfe"])
def test_malformed_is_told_apart_from_beyond_the_limits(raw: bytes) -> None:
    with pytest.raises(limits.PayloadError) as caught:
        limits.loads(raw)
    assert caught.value.malformed


def test_a_syntax_error_keeps_the_standard_librarys_words() -> None:
    with pytest.raises(limits.PayloadError) as caught:
        limits.loads('{"name": }')
    assert caught.value.message == "Expecting value: line 1 column 10 (char 9)"
    assert (caught.value.msg, caught.value.pos) == ("Expecting value", 9)


def test_bounded_int_and_text_refuse_rather_than_cut() -> None:
    assert limits.bounded_int(" 42 ", "page") == 42
    assert limits.bounded_int(7.0, "page") == 7
    for bad in ("10" * 20, "1e3", "", True, 1.5, None, 2**63):
        with pytest.raises(Invalid):
            limits.bounded_int(bad, "page")
    with pytest.raises(Invalid, match="between 1 and 10"):
        limits.bounded_int("11", "page", 1, 10)
    assert limits.text("Spring 10K", "name", 200) == "Spring 10K"
    with pytest.raises(Invalid, match="longer than 200"):
        limits.text("x" * 201, "name", 200)
    with pytest.raises(Invalid, match="NUL"):
        limits.text("a\x00", "name", 200)


def test_a_command_built_by_a_dialect_fails_as_invalid_with_every_field() -> None:
    with pytest.raises(Invalid) as caught:
        OrganizationCreate(slug="Not A Slug", name="   ", attributes={"n": 2**64})
    fields = {tuple(error["loc"]) for error in caught.value.details["errors"]}
    assert fields == {("slug",), ("name",), ("attributes",)}
