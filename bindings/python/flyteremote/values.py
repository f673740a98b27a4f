"""Python values <-> Flyte literals, guided by the declared Flyte type (flytekit's TypeEngine).

To a literal (``to_literal``), with the declared type of the input when known:

==========================  =====================================================
Flyte type                  Python values accepted
==========================  =====================================================
integer                     int (not bool)
float                       float, int
string                      str, a str-valued Enum member
boolean                     bool
datetime                    datetime (naive means UTC), date (midnight UTC)
duration                    timedelta
binary                      bytes, bytearray, memoryview
none                        None
struct                      dict, a dataclass instance, objects with ``model_dump()``
                            (pydantic) or ``to_dict()``: generic JSON
blob                        str path or URI, os.PathLike, FlyteFile-like objects
                            (``remote_source`` or ``path``); local paths are made
                            absolute, and uploaded by the C SDK inside execute()
collection                  list, tuple
map                         a Mapping with str keys
enum                        str, Enum member
union (e.g. Optional[T])    a value of one variant (the first that fits)
structured dataset          str URI or os.PathLike
==========================  =====================================================

With no declared type the Python value decides (a plain dict becomes a struct, a path a
blob). From a literal (``from_literal``): the natural Python value; datetimes are aware
(UTC), blobs are ``pathlib.Path`` for local ``file://`` URIs and ``str`` URIs otherwise,
structs are dicts.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import json
import numbers
import os
import pathlib
import urllib.parse
from typing import Any, Dict, Mapping, Optional

from ._ffi import ffi, lib, pystr, take_string
from .errors import ErrorSlot, FlyteRemoteError, InvalidInput, check
from .types import FlyteType

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


@dataclasses.dataclass(frozen=True)
class LiteralError:
    """An error value (a failed node's error passed on as data)."""

    message: str
    failed_node_id: str


# ---- Python -> literal ----

def to_literal(value: Any, t: Optional[FlyteType] = None, where: str = "value") -> Any:
    """A new ``flyte_literal *`` owned by the returned cdata (freed with it).

    `where` names the value in error messages, e.g. ``input "x"``.
    """
    return ffi.gc(_build(value, t, where), lib.flyte_literal_free)


def literal_map(values: Mapping[str, Any], types: Optional[Mapping[str, Optional[FlyteType]]] = None) -> Any:
    """A new ``flyte_literal_map *`` (freed with the returned cdata) of named Python values."""
    out = ffi.new("flyte_literal_map **")
    check(lib.flyte_literal_map_new(out), "creating a literal map")
    m = ffi.gc(out[0], lib.flyte_literal_map_free)
    for name, value in values.items():
        if not isinstance(name, str):
            raise InvalidInput(f"input names are strings, got {name!r}")
        raw = _build(value, (types or {}).get(name), f'input "{name}"')
        check(lib.flyte_literal_map_set_new(m, name.encode(), raw), f'setting input "{name}"')
    return m


def _new(fn: Any, *args: Any) -> Any:
    out = ffi.new("flyte_literal **")
    check(fn(out, *args), "building a literal")
    return out[0]


def _mismatch(where: str, t: FlyteType, value: Any) -> InvalidInput:
    return InvalidInput(f"{where}: expected {t}, got {type(value).__name__} {_short(value)}",
                        code=lib.FLYTE_ETYPE)


def _short(value: Any) -> str:
    r = repr(value)
    return r if len(r) <= 60 else r[:57] + "..."


def _build(value: Any, t: Optional[FlyteType], where: str) -> Any:
    """A raw (caller-owned) ``flyte_literal *``."""
    if t is None:
        return _build_untyped(value, where)
    if t.kind == "simple":
        return _build_simple(value, t, where)
    if t.kind == "blob":
        uri = _uri_of(value)
        if uri is None:
            raise _mismatch(where, t, value)
        dim = lib.FLYTE_BLOB_MULTIPART if t.multipart else lib.FLYTE_BLOB_SINGLE
        return _new(lib.flyte_literal_new_blob, uri.encode(), t.format.encode(), dim)
    if t.kind == "collection":
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise _mismatch(where, t, value)
        return _build_collection(value, t.element, where)
    if t.kind == "map":
        if not isinstance(value, Mapping):
            raise _mismatch(where, t, value)
        return _build_map(value, t.element, where)
    if t.kind == "enum":
        v = value.value if isinstance(value, enum.Enum) else value
        if not isinstance(v, str):
            raise _mismatch(where, t, value)
        if t.values and v not in t.values:
            raise InvalidInput(f"{where}: {v!r} is not one of {list(t.values)}", code=lib.FLYTE_ETYPE)
        return _new(lib.flyte_literal_new_string, v.encode())
    if t.kind == "union":
        return _build_union(value, t, where)
    if t.kind in ("structured_dataset", "schema"):
        uri = _uri_of(value)
        if uri is None:
            raise _mismatch(where, t, value)
        if t.kind == "schema":
            return _new(lib.flyte_literal_new_schema, uri.encode(), t._to_c())
        return _new(lib.flyte_literal_new_structured_dataset, uri.encode(), t.format.encode())
    raise InvalidInput(f"{where}: cannot build a value of type {t}")


def _build_simple(value: Any, t: FlyteType, where: str) -> Any:
    s = t.simple
    if s == "integer":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise _mismatch(where, t, value)
        v = int(value)
        if not -(2**63) <= v < 2**63:
            raise InvalidInput(f"{where}: {v} does not fit a 64-bit Flyte integer", code=lib.FLYTE_ETYPE)
        return _new(lib.flyte_literal_new_integer, v)
    if s == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise _mismatch(where, t, value)
        return _new(lib.flyte_literal_new_float, float(value))
    if s == "string":
        v = value.value if isinstance(value, enum.Enum) else value
        if not isinstance(v, str):
            raise _mismatch(where, t, value)
        return _string(v, where)
    if s == "boolean":
        if not isinstance(value, bool):
            raise _mismatch(where, t, value)
        return _new(lib.flyte_literal_new_boolean, 1 if value else 0)
    if s == "datetime":
        if not isinstance(value, _dt.date):
            raise _mismatch(where, t, value)
        return _datetime(value, where)
    if s == "duration":
        if not isinstance(value, _dt.timedelta):
            raise _mismatch(where, t, value)
        return _duration(value, where)
    if s == "binary":
        if not isinstance(value, (bytes, bytearray, memoryview)):
            raise _mismatch(where, t, value)
        data = bytes(value)
        return _new(lib.flyte_literal_new_binary, data, len(data), ffi.NULL)
    if s == "none":
        if value is not None:
            raise _mismatch(where, t, value)
        return _new(lib.flyte_literal_new_none)
    if s == "struct":
        obj = _struct_of(value)
        if obj is None:
            raise _mismatch(where, t, value)
        return _generic(obj, where)
    raise InvalidInput(f"{where}: values of type {t} cannot be passed from Python")


def _build_untyped(value: Any, where: str) -> Any:
    """No declared type: the Python value decides."""
    if value is None:
        return _new(lib.flyte_literal_new_none)
    if isinstance(value, bool):
        return _new(lib.flyte_literal_new_boolean, 1 if value else 0)
    if isinstance(value, numbers.Integral):
        return _build_simple(value, FlyteType.integer(), where)
    if isinstance(value, numbers.Real):
        return _new(lib.flyte_literal_new_float, float(value))
    if isinstance(value, enum.Enum):
        return _build_untyped(value.value, where)
    if isinstance(value, str):
        return _string(value, where)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return _new(lib.flyte_literal_new_binary, data, len(data), ffi.NULL)
    if isinstance(value, _dt.date):
        return _datetime(value, where)
    if isinstance(value, _dt.timedelta):
        return _duration(value, where)
    if isinstance(value, (list, tuple)):
        return _build_collection(value, None, where)
    if _is_path_like(value):
        uri = _uri_of(value) or ""
        local = "://" not in uri or uri.startswith("file://")
        path = uri[7:] if uri.startswith("file://") else uri
        dim = lib.FLYTE_BLOB_MULTIPART if local and os.path.isdir(path) else lib.FLYTE_BLOB_SINGLE
        return _new(lib.flyte_literal_new_blob, uri.encode(), b"", dim)
    obj = _struct_of(value)
    if obj is not None:
        return _generic(obj, where)
    raise InvalidInput(f"{where}: cannot convert {type(value).__name__} {_short(value)} to a Flyte value "
                       "(declare its type with a TypeHint)")


def _string(v: str, where: str) -> Any:
    try:
        data = v.encode("utf-8")
    except UnicodeEncodeError as e:
        raise InvalidInput(f"{where}: not valid UTF-8 text ({e})") from None
    if b"\0" in data:
        raise InvalidInput(f"{where}: a Flyte string cannot hold a NUL character")
    return _new(lib.flyte_literal_new_string, data)


def _datetime(value: _dt.date, where: str) -> Any:
    if not isinstance(value, _dt.datetime):
        value = _dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    delta = value - _EPOCH  # exact integer arithmetic, no float rounding
    seconds = delta.days * 86400 + delta.seconds
    return _new(lib.flyte_literal_new_datetime, seconds, delta.microseconds * 1000)


def _duration(value: _dt.timedelta, where: str) -> Any:
    total_us = (value.days * 86400 + value.seconds) * 1_000_000 + value.microseconds
    sign = -1 if total_us < 0 else 1
    seconds, us = divmod(abs(total_us), 1_000_000)
    return _new(lib.flyte_literal_new_duration, sign * seconds, sign * us * 1000)


def _generic(obj: Any, where: str) -> Any:
    try:
        text = json.dumps(obj, default=_json_default, allow_nan=False)
    except (TypeError, ValueError) as e:
        raise InvalidInput(f"{where}: cannot write the struct as JSON: {e}") from None
    slot = ErrorSlot()
    out = ffi.new("flyte_literal **")
    slot.check(lib.flyte_literal_new_generic_json(out, text.encode(), slot.ptr), where)
    return out[0]


def _json_default(o: Any) -> Any:
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return dataclasses.asdict(o)
    if isinstance(o, enum.Enum):
        return o.value
    if isinstance(o, (_dt.date, _dt.datetime)):
        return o.isoformat()
    if isinstance(o, os.PathLike):
        return os.fspath(o)
    raise TypeError(f"{type(o).__name__} is not JSON serializable")


def _struct_of(value: Any) -> Optional[Dict[str, Any]]:
    """The JSON object a struct value stands for, or None when it is not one."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            return None
        return dict(value)
    for method in ("model_dump", "to_dict"):
        fn = getattr(value, method, None)
        if callable(fn):
            d = fn()
            if isinstance(d, dict):
                return d
    return None


def _build_collection(items: Any, element: Optional[FlyteType], where: str) -> Any:
    coll = _new(lib.flyte_literal_new_collection)
    try:
        for i, item in enumerate(items):
            raw = _build(item, element, f"{where}[{i}]")
            check(lib.flyte_literal_collection_append_new(coll, raw), "appending to a collection")
    except BaseException:
        lib.flyte_literal_free(coll)
        raise
    return coll


def _build_map(items: Mapping[Any, Any], value_type: Optional[FlyteType], where: str) -> Any:
    m = _new(lib.flyte_literal_new_map)
    try:
        for k, v in items.items():
            if not isinstance(k, str):
                raise InvalidInput(f"{where}: map keys must be strings, got {k!r}", code=lib.FLYTE_ETYPE)
            raw = _build(v, value_type, f"{where}[{k!r}]")
            check(lib.flyte_literal_map_entry_set_new(m, k.encode(), raw), "setting a map entry")
    except BaseException:
        lib.flyte_literal_free(m)
        raise
    return m


def _build_union(value: Any, t: FlyteType, where: str) -> Any:
    """The first variant the value converts to and passes Flyte's type check for."""
    order = sorted(t.variants, key=lambda v: 0 if (value is None) == _is_none(v) else 1)
    for variant in order:
        try:
            raw = _build(value, variant, where)
        except InvalidInput:
            continue
        try:
            ct = variant._to_c()
            if lib.flyte_literal_check_type(raw, ct, ffi.NULL, ffi.NULL) != 0:
                continue
            out = ffi.new("flyte_literal **")
            check(lib.flyte_literal_new_union(out, raw, ct), "building a union value")
            return out[0]
        finally:
            lib.flyte_literal_free(raw)
    raise _mismatch(where, t, value)


def _is_none(t: FlyteType) -> bool:
    return t.kind == "simple" and t.simple == "none"


def _is_path_like(value: Any) -> bool:
    return isinstance(value, (os.PathLike, pathlib.PurePath)) or hasattr(value, "remote_source")


def _uri_of(value: Any) -> Optional[str]:
    """A blob's URI: remote URIs as they are, local paths made absolute."""
    remote = getattr(value, "remote_source", None)
    if isinstance(remote, str) and remote:
        return str(remote)
    if isinstance(value, (os.PathLike, pathlib.PurePath)):
        value = os.fspath(value)
    elif not isinstance(value, str):
        path = getattr(value, "path", None)
        if not isinstance(path, (str, os.PathLike)):
            return None
        value = os.fspath(path)
    if isinstance(value, bytes):
        value = value.decode()
    text = str(value)
    if "://" in text:
        return text
    return os.path.abspath(text)


# ---- literal -> Python ----

def from_literal(lit: Any) -> Any:
    """The Python value of a borrowed ``const flyte_literal *``."""
    kind = lib.flyte_literal_kind_of(lit)
    if kind == lib.FLYTE_LITERAL_INTEGER:
        i = ffi.new("int64_t *")
        lib.flyte_literal_get_integer(lit, i)
        return int(i[0])
    if kind == lib.FLYTE_LITERAL_FLOAT:
        d = ffi.new("double *")
        lib.flyte_literal_get_float(lit, d)
        return float(d[0])
    if kind == lib.FLYTE_LITERAL_STRING:
        s = ffi.new("const char **")
        lib.flyte_literal_get_string(lit, s)
        return ffi.string(s[0]).decode()
    if kind == lib.FLYTE_LITERAL_BOOLEAN:
        b = ffi.new("int *")
        lib.flyte_literal_get_boolean(lit, b)
        return bool(b[0])
    if kind in (lib.FLYTE_LITERAL_DATETIME, lib.FLYTE_LITERAL_DURATION):
        sec, nanos = ffi.new("int64_t *"), ffi.new("int32_t *")
        if kind == lib.FLYTE_LITERAL_DATETIME:
            lib.flyte_literal_get_datetime(lit, sec, nanos)
            return _EPOCH + _dt.timedelta(seconds=int(sec[0]), microseconds=int(nanos[0]) // 1000)
        lib.flyte_literal_get_duration(lit, sec, nanos)
        # nanos has the sign of seconds: truncate toward zero
        return _dt.timedelta(seconds=int(sec[0]), microseconds=int(int(nanos[0]) / 1000))
    if kind == lib.FLYTE_LITERAL_NONE or kind == lib.FLYTE_LITERAL_UNSET:
        return None
    if kind == lib.FLYTE_LITERAL_BINARY:
        data, n = ffi.new("const void **"), ffi.new("size_t *")
        lib.flyte_literal_get_binary(lit, data, n, ffi.NULL)
        return bytes(ffi.buffer(data[0], n[0])) if n[0] else b""
    if kind == lib.FLYTE_LITERAL_BLOB:
        uri = ffi.new("const char **")
        lib.flyte_literal_get_blob(lit, uri, ffi.NULL, ffi.NULL)
        return _blob_value(ffi.string(uri[0]).decode())
    if kind == lib.FLYTE_LITERAL_GENERIC:
        out = ffi.new("char **")
        check(lib.flyte_literal_get_generic_json(lit, out), "reading a struct")
        return json.loads(take_string(out[0]))
    if kind == lib.FLYTE_LITERAL_STRUCTURED_DATASET:
        uri = ffi.new("const char **")
        lib.flyte_literal_get_structured_dataset(lit, uri, ffi.NULL)
        return _blob_value(ffi.string(uri[0]).decode())
    if kind == lib.FLYTE_LITERAL_ERROR:
        msg, node = ffi.new("const char **"), ffi.new("const char **")
        lib.flyte_literal_get_error(lit, msg, node)
        return LiteralError(pystr(msg[0]) or "", pystr(node[0]) or "")
    if kind == lib.FLYTE_LITERAL_UNION:
        v = ffi.new("const flyte_literal **")
        lib.flyte_literal_get_union(lit, v, ffi.NULL)
        return from_literal(v[0])
    if kind == lib.FLYTE_LITERAL_COLLECTION:
        return [from_literal(lib.flyte_literal_collection_at(lit, i)) for i in range(lib.flyte_literal_count(lit))]
    if kind == lib.FLYTE_LITERAL_MAP:
        key = ffi.new("const char **")
        result = {}
        for i in range(lib.flyte_literal_count(lit)):
            item = lib.flyte_literal_map_entry_at(lit, i, key)
            result[ffi.string(key[0]).decode()] = from_literal(item)
        return result
    if kind in (lib.FLYTE_LITERAL_SCHEMA, lib.FLYTE_LITERAL_OFFLOADED):
        # No typed getter for these in the C API: read the URI from the literal's JSON.
        doc = literal_json(lit)
        uri = doc.get("scalar", {}).get("schema", {}).get("uri") or doc.get("offloaded_metadata", {}).get("uri")
        return _blob_value(uri or "")
    raise FlyteRemoteError(f"cannot read a literal of kind {kind}")


def literal_json(lit: Any) -> Dict[str, Any]:
    """The flyteidl JSON of a borrowed literal, as a dict."""
    out = ffi.new("char **")
    check(lib.flyte_literal_to_json(out, lit), "writing a literal as JSON")
    return json.loads(take_string(out[0]))  # type: ignore[no-any-return]


def _blob_value(uri: str) -> Any:
    if uri.startswith("file://"):
        return pathlib.Path(urllib.parse.unquote(uri[len("file://"):]))
    return uri


def from_literal_map(m: Any) -> Dict[str, Any]:
    """The Python values of a borrowed ``const flyte_literal_map *`` (NULL gives {})."""
    if m == ffi.NULL:
        return {}
    name = ffi.new("const char **")
    result = {}
    for i in range(lib.flyte_literal_map_count(m)):
        lit = lib.flyte_literal_map_at(m, i, name)
        result[ffi.string(name[0]).decode()] = from_literal(lit)
    return result


def roundtrip(value: Any, t: Optional[FlyteType] = None) -> Any:
    """``from_literal(to_literal(value, t))``: what a value looks like after a trip through Flyte."""
    return from_literal(to_literal(value, t))
