"""Python values <-> literals, and FlyteType, with no server: every conversion goes through
the C builders and getters, and the literal's flyteidl JSON is checked where the exact wire
form matters."""
from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import math
import pathlib
import typing
from typing import Dict, List, Optional

import pytest

import flyteremote as fr
from flyteremote import FlyteType as T
from flyteremote.values import from_literal, literal_json, literal_map, roundtrip, to_literal


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class VideoRecord:
    path: str
    frames: int
    tags: List[str]


UTC = dt.timezone.utc


@pytest.mark.parametrize("value", [0, 1, -1, 2**63 - 1, -(2**63), 3.25, -0.0, 1e300, "", "héllo ✓", True, False,
                                   None, b"", b"\x00\xffab"])
def test_primitives_round_trip_untyped(value):
    got = roundtrip(value)
    assert got == value and type(got) is type(value)


def test_float_specials_round_trip():
    assert math.isnan(roundtrip(float("nan")))
    assert roundtrip(float("inf")) == float("inf")
    assert roundtrip(float("-inf"), T.float()) == float("-inf")


@pytest.mark.parametrize("value,t", [
    (7, T.integer()), (7, T.float()), ("x", T.string()), (True, T.boolean()), (None, T.none()),
    (b"ab", T.binary()), ([1, 2, 3], T.collection(int)), ([], T.collection(int)),
    ({"a": 1.5, "b": 2.0}, T.map(float)), ({}, T.map(int)), ([[1], [2, 3]], T.collection(T.collection(int))),
    ({"k": [1, 2]}, T.map(T.collection(int))), (5, T.optional(int)), (None, T.optional(int)),
    ("s", T.union(int, str)), (3, T.union(int, str)),
])
def test_typed_round_trip(value, t):
    expected = float(value) if t == T.float() else value
    got = roundtrip(value, t)
    assert got == expected and type(got) is type(expected)


def test_int_given_for_float_becomes_a_float_literal():
    assert literal_json(to_literal(7, T.float())) == {"scalar": {"primitive": {"float_value": 7.0}}}


def test_datetime_aware_and_naive_are_utc():
    aware = dt.datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert roundtrip(aware) == aware
    assert roundtrip(aware).tzinfo == UTC
    naive = dt.datetime(2024, 2, 29, 21, 59, 58, 123456)
    assert roundtrip(naive) == naive.replace(tzinfo=UTC) == aware
    j = literal_json(to_literal(naive, T.datetime()))
    assert j == {"scalar": {"primitive": {"datetime": "2024-02-29T21:59:58.123456Z"}}}


def test_datetime_before_epoch_and_dates():
    old = dt.datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    assert roundtrip(old) == old
    assert roundtrip(dt.date(2020, 1, 2), T.datetime()) == dt.datetime(2020, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("td", [dt.timedelta(0), dt.timedelta(seconds=1.5), dt.timedelta(seconds=-1.5),
                                dt.timedelta(days=-3, microseconds=7), dt.timedelta(days=400, microseconds=1)])
def test_durations_round_trip(td):
    assert roundtrip(td) == td
    assert roundtrip(td, T.duration()) == td


def test_negative_duration_wire_form():
    assert literal_json(to_literal(dt.timedelta(seconds=-1.5))) == {"scalar": {"primitive": {"duration": "-1.500s"}}}


def test_structs_from_dicts_dataclasses_and_objects():
    rec = VideoRecord("/v/a.mp4", 120, ["cat", "dog"])
    assert roundtrip(rec, T.struct()) == dataclasses.asdict(rec)
    assert roundtrip({"a": {"b": [1, "x", None, True]}}) == {"a": {"b": [1, "x", None, True]}}

    class Model:
        def model_dump(self):
            return {"name": "m", "score": 0.5}

    assert roundtrip(Model(), T.struct()) == {"name": "m", "score": 0.5}
    assert "generic" in literal_json(to_literal({"a": 1}))["scalar"]


def test_untyped_dict_is_a_struct_but_a_map_when_declared():
    assert "generic" in literal_json(to_literal({"a": 1}))["scalar"]
    assert "map" in literal_json(to_literal({"a": 1}, T.map(int)))


def test_blobs_from_paths_and_uris(tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("a,b\n")
    j = literal_json(to_literal(f, T.blob(format="csv")))
    blob = j["scalar"]["blob"]
    assert blob["uri"] == str(f) and blob["metadata"]["type"]["format"] == "csv"
    assert roundtrip("s3://bucket/key.csv", T.blob()) == "s3://bucket/key.csv"
    assert roundtrip("file://" + str(f), T.blob()) == f
    assert isinstance(roundtrip("file://" + str(f), T.blob()), pathlib.Path)
    # a relative path is made absolute, so the C SDK's hashers and uploads find it
    rel = literal_json(to_literal("rel/x.bin", T.blob()))["scalar"]["blob"]["uri"]
    assert rel.startswith("/") and rel.endswith("rel/x.bin")
    # untyped: a directory path becomes a multipart blob
    j = literal_json(to_literal(tmp_path))
    assert j["scalar"]["blob"]["metadata"]["type"]["dimensionality"] == "MULTIPART"


def test_flytefile_like_objects():
    class FakeFlyteFile:
        def __init__(self, path, remote_source=None):
            self.path = path
            self.remote_source = remote_source

    assert roundtrip(FakeFlyteFile("/tmp/a.txt"), T.blob()) == "/tmp/a.txt"
    assert roundtrip(FakeFlyteFile("/tmp/a.txt", "s3://b/a.txt"), T.blob()) == "s3://b/a.txt"


def test_enums():
    assert roundtrip(Color.RED, T.enum(["red", "blue"])) == "red"
    assert roundtrip("blue", T.from_python(Color)) == "blue"
    with pytest.raises(fr.InvalidInput, match="'green' is not one of"):
        to_literal("green", T.enum(["red", "blue"]))


@pytest.mark.parametrize("value,t,fragment", [
    ("7", T.integer(), "expected integer, got str"),
    (True, T.integer(), "expected integer, got bool"),
    (1.5, T.integer(), "expected integer"),
    (1, T.boolean(), "expected boolean"),
    ("x", T.collection(int), "expected collection(integer)"),
    ([1, "x"], T.collection(int), "[1]: expected integer, got str"),
    ({"a": "x"}, T.map(int), "['a']: expected integer"),
    (1, T.none(), "expected none"),
    ("x", T.optional(int), "expected union"),
    (3, T.blob(), "expected blob"),
])
def test_type_mismatches_name_the_input(value, t, fragment):
    with pytest.raises(fr.InvalidInput) as e:
        literal_map({"x": value}, {"x": t})
    assert 'input "x"' in str(e.value) and fragment in str(e.value)
    assert isinstance(e.value, ValueError) and e.value.code_name == "FLYTE_ETYPE"


def test_integer_overflow_is_refused():
    with pytest.raises(fr.InvalidInput, match="64-bit"):
        to_literal(2**63, T.integer())


def test_unconvertible_untyped_value():
    with pytest.raises(fr.InvalidInput, match="declare its type"):
        to_literal(object())


def test_literal_map_round_trip():
    from flyteremote.values import from_literal_map
    values = {"n": 3, "s": "x", "l": [1.5], "when": dt.datetime(2020, 1, 1, tzinfo=UTC)}
    assert from_literal_map(literal_map(values)) == values


def test_union_value_carries_its_variant_type():
    j = literal_json(to_literal(None, T.optional(int)))
    assert j["scalar"]["union"]["type"]["simple"] == "NONE"
    assert from_literal(to_literal(4, T.optional(int))) == 4


# ---- FlyteType ----

@pytest.mark.parametrize("py,expected", [
    (int, T.integer()), (float, T.float()), (str, T.string()), (bool, T.boolean()), (bytes, T.binary()),
    (dt.datetime, T.datetime()), (dt.timedelta, T.duration()), (type(None), T.none()),
    (List[int], T.collection(int)), (list[str], T.collection(str)), (Dict[str, float], T.map(float)),
    (dict[str, List[int]], T.map(T.collection(int))), (dict, T.struct()), (VideoRecord, T.struct()),
    (Optional[int], T.optional(int)), (pathlib.Path, T.blob()), (Color, T.enum(["red", "blue"])),
    (typing.Annotated[int, "meta"], T.integer()),
])
def test_flyte_type_from_python(py, expected):
    assert T.from_python(py) == expected


def test_flyte_type_from_python_refuses_what_it_cannot_map():
    with pytest.raises(fr.InvalidInput, match="map keys must be str"):
        T.from_python(Dict[int, str])
    with pytest.raises(fr.InvalidInput):
        T.from_python(object)


def test_flyte_type_text_and_json():
    assert str(T.collection(T.map(str))) == "collection(map(string))"
    assert str(T.blob(format="csv")) == "blob(format=csv)"
    assert T.blob(format="csv", multipart=True).to_json() == {
        "blob": {"format": "csv", "dimensionality": "MULTIPART"}}
    assert T.struct({"type": "object"}).to_json()["metadata"] == {"type": "object"}
    assert repr(T.integer()) == "FlyteType(integer)"


def test_flyte_type_c_round_trip():
    for t in [T.integer(), T.blob("csv", True), T.collection(T.map(T.optional(str))), T.enum(["a", "b"]),
              T.structured_dataset("parquet"), T.union(int, T.collection(float))]:
        assert T._from_c(t._to_c()) == t


def test_type_hint_forms():
    fn = lambda v: "h"  # noqa: E731
    assert fr.TypeHint.of(int) == fr.TypeHint(int)
    h = fr.TypeHint.of(typing.Annotated[VideoRecord, fr.HashMethod(fn)])
    assert h.flyte_type == T.struct() and h.hash is not None and h.hash(1) == "h"
    assert fr.TypeHint.of(T.blob()).flyte_type == T.blob()
