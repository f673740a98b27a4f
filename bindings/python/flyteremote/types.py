"""Flyte types (``flyteidl.core.LiteralType``) as small immutable Python values, and type hints.

:class:`FlyteType` declares interfaces (``RawContainerTask(inputs={"n": FlyteType.integer()})``)
and hints (``TypeHint(FlyteType.blob(format="csv"), hash=fn)``). Python types are accepted
wherever a FlyteType is, and mapped as flytekit's TypeEngine maps them: ``int`` -> integer,
``float`` -> float, ``str`` -> string, ``bool`` -> boolean, ``datetime`` -> datetime,
``timedelta`` -> duration, ``bytes`` -> binary, ``None`` -> none, ``list[T]`` ->
collection, ``dict[str, T]`` -> map, a bare ``dict`` or a dataclass -> struct (generic JSON),
``Optional[T]`` / ``Union[...]`` -> union, ``os.PathLike`` / ``pathlib.Path`` -> single blob,
an ``enum.Enum`` of strings -> enum.
"""
from __future__ import annotations

import collections.abc as cabc
import dataclasses
import datetime as _dt
import enum
import json
import os
import pathlib
import types as _std_types
import typing
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

from ._ffi import ffi, lib, pystr, take_string
from .errors import ErrorSlot, InvalidInput, check

_SIMPLE_NAMES = {
    lib.FLYTE_SIMPLE_NONE: "none",
    lib.FLYTE_SIMPLE_INTEGER: "integer",
    lib.FLYTE_SIMPLE_FLOAT: "float",
    lib.FLYTE_SIMPLE_STRING: "string",
    lib.FLYTE_SIMPLE_BOOLEAN: "boolean",
    lib.FLYTE_SIMPLE_DATETIME: "datetime",
    lib.FLYTE_SIMPLE_DURATION: "duration",
    lib.FLYTE_SIMPLE_BINARY: "binary",
    lib.FLYTE_SIMPLE_ERROR: "error",
    lib.FLYTE_SIMPLE_STRUCT: "struct",
}
_SIMPLE_BY_NAME = {v: k for k, v in _SIMPLE_NAMES.items()}


@dataclasses.dataclass(frozen=True, repr=False)
class FlyteType:
    """A Flyte type. Build one with the class methods (``FlyteType.integer()``,
    ``FlyteType.collection(FlyteType.string())``, ...) or :meth:`from_python`.

    Attributes:
        kind: "simple", "blob", "collection", "map", "enum", "union", "structured_dataset"
            or "schema".
        simple: for kind "simple": "integer", "float", "string", "boolean", "datetime",
            "duration", "binary", "none", "error" or "struct".
        format: blob or structured dataset format ("" matches any).
        multipart: for a blob: a directory rather than a file.
        element: element type of a collection, value type of a map.
        variants: union variants.
        values: enum values.
        tag: the structure tag (names a union variant).
        metadata: JSON-compatible metadata (e.g. a struct's JSON schema); only set on types
            built here (the C API has no getter for it, so fetched types leave it None).
    """

    kind: str
    simple: Optional[str] = None
    format: str = ""
    multipart: bool = False
    element: Optional["FlyteType"] = None
    variants: Tuple["FlyteType", ...] = ()
    values: Tuple[str, ...] = ()
    tag: str = ""
    metadata: Optional[Any] = dataclasses.field(default=None, compare=False, hash=False)

    # ---- constructors ----

    @classmethod
    def none(cls) -> "FlyteType":
        return cls("simple", "none")

    @classmethod
    def integer(cls) -> "FlyteType":
        return cls("simple", "integer")

    @classmethod
    def float(cls) -> "FlyteType":
        return cls("simple", "float")

    @classmethod
    def string(cls) -> "FlyteType":
        return cls("simple", "string")

    @classmethod
    def boolean(cls) -> "FlyteType":
        return cls("simple", "boolean")

    @classmethod
    def datetime(cls) -> "FlyteType":
        return cls("simple", "datetime")

    @classmethod
    def duration(cls) -> "FlyteType":
        return cls("simple", "duration")

    @classmethod
    def binary(cls) -> "FlyteType":
        return cls("simple", "binary")

    @classmethod
    def struct(cls, schema: Optional[Dict[str, Any]] = None) -> "FlyteType":
        """A generic struct (JSON object); `schema`, optional, is its JSON schema (metadata)."""
        return cls("simple", "struct", metadata=schema)

    @classmethod
    def blob(cls, format: str = "", multipart: bool = False) -> "FlyteType":
        """A file (or a directory when `multipart`); format "" is a generic blob."""
        return cls("blob", format=format, multipart=multipart)

    @classmethod
    def directory(cls, format: str = "") -> "FlyteType":
        return cls.blob(format, multipart=True)

    @classmethod
    def collection(cls, element: "TypeLike") -> "FlyteType":
        return cls("collection", element=as_flyte_type(element))

    @classmethod
    def map(cls, value: "TypeLike") -> "FlyteType":
        return cls("map", element=as_flyte_type(value))

    @classmethod
    def enum(cls, values: Sequence[str]) -> "FlyteType":
        return cls("enum", values=tuple(values))

    @classmethod
    def union(cls, *variants: "TypeLike") -> "FlyteType":
        return cls("union", variants=tuple(_tagged(as_flyte_type(v)) for v in variants))

    @classmethod
    def optional(cls, t: "TypeLike") -> "FlyteType":
        return cls.union(t, cls.none())

    @classmethod
    def structured_dataset(cls, format: str = "") -> "FlyteType":
        return cls("structured_dataset", format=format)

    def with_tag(self, tag: str) -> "FlyteType":
        return dataclasses.replace(self, tag=tag)

    @staticmethod
    def from_python(t: Any) -> "FlyteType":
        """The Flyte type of a Python type annotation (see the module docstring)."""
        return _from_python(t)

    # ---- conversion to and from C ----

    def _to_c(self) -> Any:
        """A new ``flyte_literal_type *`` (owned by the returned cdata: freed with it)."""
        out = ffi.new("flyte_literal_type **")
        if self.kind == "simple":
            code = _SIMPLE_BY_NAME.get(self.simple or "")
            if code is None:
                raise InvalidInput(f"unknown simple type {self.simple!r}")
            rc = lib.flyte_literal_type_new_simple(out, code)
        elif self.kind == "blob":
            rc = lib.flyte_literal_type_new_blob(out, self.format.encode(),
                                                 lib.FLYTE_BLOB_MULTIPART if self.multipart else lib.FLYTE_BLOB_SINGLE)
        elif self.kind in ("collection", "map"):
            if self.element is None:
                raise InvalidInput(f"a {self.kind} type needs an element type")
            elem = self.element._to_c()
            fn = lib.flyte_literal_type_new_collection if self.kind == "collection" else lib.flyte_literal_type_new_map
            rc = fn(out, elem)
        elif self.kind == "enum":
            keep = [ffi.new("char[]", v.encode()) for v in self.values]
            rc = lib.flyte_literal_type_new_enum(out, ffi.new("const char *[]", keep) if keep else ffi.NULL,
                                                 len(keep))
        elif self.kind == "union":
            parts = [v._to_c() for v in self.variants]
            rc = lib.flyte_literal_type_new_union(out, ffi.new("const flyte_literal_type *[]", parts) if parts
                                                  else ffi.NULL, len(parts))
        elif self.kind == "structured_dataset":
            rc = lib.flyte_literal_type_new_structured_dataset(out, self.format.encode())
        elif self.kind == "schema":
            rc = lib.flyte_literal_type_new_schema(out)
        else:
            raise InvalidInput(f"unknown Flyte type kind {self.kind!r}")
        check(rc, f"building a Flyte type of kind {self.kind}")
        t = ffi.gc(out[0], lib.flyte_literal_type_free)
        if self.tag:
            check(lib.flyte_literal_type_set_structure_tag(t, self.tag.encode()), "setting a structure tag")
        if self.metadata is not None:
            e = ErrorSlot()
            e.check(lib.flyte_literal_type_set_metadata_json(t, json.dumps(self.metadata).encode(), e.ptr),
                    "setting type metadata")
        return t

    @classmethod
    def _from_c(cls, t: Any) -> "FlyteType":
        """A FlyteType from a borrowed ``const flyte_literal_type *``."""
        kind = lib.flyte_literal_type_kind(t)
        tag = pystr(lib.flyte_literal_type_structure_tag(t)) or ""
        if kind == lib.FLYTE_TYPE_SIMPLE:
            r = cls("simple", _SIMPLE_NAMES.get(lib.flyte_literal_type_simple(t), "none"))
        elif kind == lib.FLYTE_TYPE_BLOB:
            r = cls("blob", format=pystr(lib.flyte_literal_type_blob_format(t)) or "",
                    multipart=lib.flyte_literal_type_blob_dimensionality(t) == lib.FLYTE_BLOB_MULTIPART)
        elif kind == lib.FLYTE_TYPE_COLLECTION:
            r = cls("collection", element=cls._from_c(lib.flyte_literal_type_element(t)))
        elif kind == lib.FLYTE_TYPE_MAP:
            r = cls("map", element=cls._from_c(lib.flyte_literal_type_element(t)))
        elif kind == lib.FLYTE_TYPE_ENUM:
            r = cls("enum", values=tuple(pystr(lib.flyte_literal_type_enum_value(t, i)) or ""
                                         for i in range(lib.flyte_literal_type_enum_count(t))))
        elif kind == lib.FLYTE_TYPE_UNION:
            r = cls("union", variants=tuple(cls._from_c(lib.flyte_literal_type_variant(t, i))
                                            for i in range(lib.flyte_literal_type_variant_count(t))))
        elif kind == lib.FLYTE_TYPE_STRUCTURED_DATASET:
            r = cls("structured_dataset", format=pystr(lib.flyte_literal_type_dataset_format(t)) or "")
        elif kind == lib.FLYTE_TYPE_SCHEMA:
            r = cls("schema")
        else:
            r = cls("simple", "none")
        return dataclasses.replace(r, tag=tag) if tag else r

    def to_json(self) -> Dict[str, Any]:
        """The flyteidl ``LiteralType`` as proto3 JSON (a dict), as the C SDK writes it."""
        out = ffi.new("char **")
        check(lib.flyte_literal_type_to_json(out, self._to_c()), "writing a type as JSON")
        return typing.cast(Dict[str, Any], json.loads(take_string(out[0])))

    def __repr__(self) -> str:
        return f"FlyteType({self})"

    def __str__(self) -> str:
        out = ffi.new("char **")
        try:
            c = self._to_c()
        except InvalidInput:
            return f"<invalid {self.kind} type>"
        if lib.flyte_literal_type_to_string(out, c):
            return f"<{self.kind} type>"
        return take_string(out[0])


TypeLike = Union[FlyteType, type, Any]
"""A FlyteType or a Python type annotation."""


def _tagged(t: FlyteType) -> FlyteType:
    """Union variants carry a structure tag (flytekit names them after the type)."""
    if t.tag:
        return t
    return t.with_tag(str(t))


def as_flyte_type(t: TypeLike) -> FlyteType:
    """A FlyteType as is, or the Flyte type of a Python type annotation."""
    if isinstance(t, FlyteType):
        return t
    return _from_python(t)


_PRIMITIVES: Dict[Any, Callable[[], FlyteType]] = {
    int: FlyteType.integer,
    float: FlyteType.float,
    str: FlyteType.string,
    bool: FlyteType.boolean,
    _dt.datetime: FlyteType.datetime,
    _dt.date: FlyteType.datetime,
    _dt.timedelta: FlyteType.duration,
    bytes: FlyteType.binary,
    type(None): FlyteType.none,
    None: FlyteType.none,
}


_UnionType = getattr(_std_types, "UnionType", None)  # `int | None`, Python 3.10+


def _from_python(t: Any) -> FlyteType:
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is typing.Annotated:
        return _from_python(args[0])
    try:
        primitive = _PRIMITIVES.get(t)
    except TypeError:  # unhashable: not a type annotation we know
        primitive = None
    if primitive is not None:
        return primitive()
    if origin in (list, tuple, cabc.Sequence, cabc.MutableSequence):
        if not args:
            raise InvalidInput(f"cannot map {t!r} to a Flyte type: give the element type, e.g. list[int]")
        return FlyteType.collection(_from_python(args[0]))
    if origin in (dict, cabc.Mapping, cabc.MutableMapping):
        if len(args) == 2:
            if args[0] is not str:
                raise InvalidInput(f"cannot map {t!r} to a Flyte type: map keys must be str")
            return FlyteType.map(_from_python(args[1]))
        return FlyteType.struct()
    if origin is Union or (_UnionType is not None and origin is _UnionType):
        return FlyteType.union(*[_from_python(a) for a in args])
    if t is dict:
        return FlyteType.struct()
    if isinstance(t, type):
        if dataclasses.is_dataclass(t):
            return FlyteType.struct()
        if issubclass(t, enum.Enum):
            return FlyteType.enum([str(m.value) for m in t])
        if t.__name__ == "FlyteDirectory":  # flytekit's, duck-typed: no flytekit import
            return FlyteType.directory()
        if issubclass(t, (os.PathLike, pathlib.PurePath)) or hasattr(t, "remote_source"):
            return FlyteType.blob()
    return _fail(t)


def _fail(t: Any) -> FlyteType:
    raise InvalidInput(f"cannot map the Python type {t!r} to a Flyte type: give a FlyteType instead")


HashFunction = Callable[[Any], str]
"""A hash function: receives the input's Python value and returns its cache hash (a str)."""


class CHasher:
    """A hash function of the C SDK (flyte/hashers.h), run in C with no Python call.

    Use the instances :data:`SHA256_FILE`, :data:`SHA256_DIR` and :data:`CANONICAL_JSON`.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.fn = getattr(lib, name)

    def __repr__(self) -> str:
        return f"CHasher({self.name!r})"


#: SHA-256 of a local file's bytes (the input is a blob with a local path).
SHA256_FILE = CHasher("flyte_hasher_sha256_file")
#: SHA-256 of a local directory tree (a multipart blob).
SHA256_DIR = CHasher("flyte_hasher_sha256_dir")
#: SHA-256 of the canonical JSON of the value.
CANONICAL_JSON = CHasher("flyte_hasher_canonical_json")


class HashMethod:
    """flytekit's ``HashMethod``, for ``Annotated[T, HashMethod(fn)]`` type hints."""

    def __init__(self, function: HashFunction) -> None:
        self._function = function

    def calculate(self, obj: Any) -> str:
        return self._function(obj)


@dataclasses.dataclass(frozen=True)
class TypeHint:
    """How to read and key one input (flytekit's ``type_hints={"x": Annotated[T, HashMethod(fn)]}``).

    Args:
        type: the declared type (a FlyteType or a Python type), or None to use the entity's.
            When given, the value is converted with it and checked against it.
        hash: a Python function ``fn(value) -> str`` called with the input's Python value, or
            a :class:`CHasher`. Its result becomes the literal's ``hash``, which Flyte's cache
            key uses instead of the value. An exception it raises propagates from
            ``execute()`` / ``cache_key()`` unchanged.
    """

    type: Optional[TypeLike] = None
    hash: Optional[Union[HashFunction, CHasher]] = None

    @property
    def flyte_type(self) -> Optional[FlyteType]:
        return None if self.type is None else as_flyte_type(self.type)

    @staticmethod
    def of(hint: Any) -> "TypeHint":
        """A TypeHint from what users pass: a TypeHint, a FlyteType, a Python type, or
        ``Annotated[T, HashMethod(fn)]``."""
        if isinstance(hint, TypeHint):
            return hint
        if isinstance(hint, FlyteType):
            return TypeHint(hint)
        if typing.get_origin(hint) is typing.Annotated:
            base, *meta = typing.get_args(hint)
            fn: Optional[Union[HashFunction, CHasher]] = None
            for m in meta:
                if isinstance(m, (HashMethod,)) or hasattr(m, "calculate"):
                    fn = m.calculate
                elif isinstance(m, CHasher):
                    fn = m
            return TypeHint(base, hash=fn)
        return TypeHint(hint)
