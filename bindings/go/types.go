package flyteremote

/*
#include <stdlib.h>
#include <flyte/flyte.h>
*/
import "C"

import (
	"slices"
	"unsafe"
)

// Kind is what a Type describes: a simple type (Integer ... Struct) or a compound one.
type Kind int

// Kinds of Flyte types.
const (
	KindUnset Kind = iota
	KindNone
	KindInteger
	KindFloat
	KindString
	KindBoolean
	KindDatetime
	KindDuration
	KindBinary
	KindError
	KindStruct
	KindBlob
	KindCollection
	KindMap
	KindEnum
	KindUnion
	KindStructuredDataset
	KindSchema
)

var kindNames = [...]string{"unset", "none", "integer", "float", "string", "boolean", "datetime", "duration",
	"binary", "error", "struct", "blob", "collection", "map", "enum", "union", "structured_dataset", "schema"}

func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(?)"
}

var simpleKinds = map[C.flyte_simple_type]Kind{
	C.FLYTE_SIMPLE_NONE: KindNone, C.FLYTE_SIMPLE_INTEGER: KindInteger, C.FLYTE_SIMPLE_FLOAT: KindFloat,
	C.FLYTE_SIMPLE_STRING: KindString, C.FLYTE_SIMPLE_BOOLEAN: KindBoolean,
	C.FLYTE_SIMPLE_DATETIME: KindDatetime, C.FLYTE_SIMPLE_DURATION: KindDuration,
	C.FLYTE_SIMPLE_BINARY: KindBinary, C.FLYTE_SIMPLE_ERROR: KindError, C.FLYTE_SIMPLE_STRUCT: KindStruct,
}

// Type is a Flyte type (flyteidl.core.LiteralType): an immutable value, safe to share.
// The zero Type means "no type given" (e.g. a TypeHint with only a hash function).
// Build one with Integer, Float, String, BlobType, Collection, Map, ... or TypeFromJSON.
type Type struct{ d *typeDesc }

type typeDesc struct {
	kind      Kind
	format    string // blob or structured dataset format
	multipart bool
	elem      Type // collection element or map value
	variants  []Type
	values    []string // enum
	tag       string
	tagSet    bool
	metadata  string
	// raw is the type's flyteidl JSON when it came from the library: it is rebuilt from
	// it, so that what Go does not model (schema columns, metadata...) is kept.
	raw string
}

func simple(k Kind) Type { return Type{&typeDesc{kind: k}} }

// Integer is Flyte's integer (int64).
func Integer() Type { return simple(KindInteger) }

// Float is Flyte's float (float64).
func Float() Type { return simple(KindFloat) }

// String is Flyte's string.
func String() Type { return simple(KindString) }

// Boolean is Flyte's boolean.
func Boolean() Type { return simple(KindBoolean) }

// Datetime is Flyte's datetime (a UTC instant; time.Time in Go).
func Datetime() Type { return simple(KindDatetime) }

// Duration is Flyte's duration (time.Duration in Go).
func Duration() Type { return simple(KindDuration) }

// Binary is Flyte's opaque bytes ([]byte in Go).
func Binary() Type { return simple(KindBinary) }

// None is the type of "no value" (nil in Go), e.g. the optional variant of a union.
func None() Type { return simple(KindNone) }

// Struct is a generic struct (google.protobuf.Struct): any Go value that encoding/json
// turns into a JSON object. WithMetadata can attach its JSON schema.
func Struct() Type { return simple(KindStruct) }

// BlobType is a single file of the given format ("" for any format: it matches any blob).
// (Blob is the Go type of a blob value.)
func BlobType(format string) Type { return Type{&typeDesc{kind: KindBlob, format: format}} }

// DirectoryType is a multipart blob (a directory) of the given format.
func DirectoryType(format string) Type {
	return Type{&typeDesc{kind: KindBlob, format: format, multipart: true}}
}

// Collection is a list of elem.
func Collection(elem Type) Type { return Type{&typeDesc{kind: KindCollection, elem: elem}} }

// Map is a string-keyed map of value.
func Map(value Type) Type { return Type{&typeDesc{kind: KindMap, elem: value}} }

// Enum is an enum of string values, in order.
func Enum(values ...string) Type {
	return Type{&typeDesc{kind: KindEnum, values: slices.Clone(values)}}
}

// Union is a union of variants; give variants of the same kind distinct tags (WithTag).
// A Go value is matched against the variants in order; the first it fits is used.
func Union(variants ...Type) Type {
	return Type{&typeDesc{kind: KindUnion, variants: slices.Clone(variants)}}
}

// Optional is Union(t, None()): a value of t or nil.
func Optional(t Type) Type { return Union(t, None()) }

// StructuredDatasetType is a structured dataset of the given format ("" for any).
func StructuredDatasetType(format string) Type {
	return Type{&typeDesc{kind: KindStructuredDataset, format: format}}
}

// TypeFromJSON reads a flyteidl.core.LiteralType in proto3 JSON.
func TypeFromJSON(s string) (Type, error) {
	if err := ensureInit(); err != nil {
		return Type{}, err
	}
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	var p *C.flyte_literal_type
	var cerr *C.flyte_error
	if rc := C.flyte_literal_type_from_json(&p, cs, C.size_t(len(s)), &cerr); rc != 0 {
		return Type{}, cError("type from JSON", rc, cerr)
	}
	defer C.flyte_literal_type_free(p)
	return typeFromC(p), nil
}

// IsZero reports whether t is the zero Type (no type).
func (t Type) IsZero() bool { return t.d == nil }

// Kind is what t describes; KindUnset for the zero Type.
func (t Type) Kind() Kind {
	if t.d == nil {
		return KindUnset
	}
	return t.d.kind
}

// Elem is the element type of a collection or the value type of a map.
func (t Type) Elem() Type {
	if t.d == nil {
		return Type{}
	}
	return t.d.elem
}

// Format is the format of a blob or structured dataset.
func (t Type) Format() string {
	if t.d == nil {
		return ""
	}
	return t.d.format
}

// Multipart reports whether a blob type is a directory.
func (t Type) Multipart() bool { return t.d != nil && t.d.multipart }

// Variants are the variants of a union.
func (t Type) Variants() []Type {
	if t.d == nil {
		return nil
	}
	return slices.Clone(t.d.variants)
}

// EnumValues are the values of an enum.
func (t Type) EnumValues() []string {
	if t.d == nil {
		return nil
	}
	return slices.Clone(t.d.values)
}

// Tag is the structure tag (a union variant's name), or "".
func (t Type) Tag() string {
	if t.d == nil {
		return ""
	}
	return t.d.tag
}

func (t Type) with(f func(d *typeDesc)) Type {
	if t.d == nil {
		return t
	}
	d := *t.d
	f(&d)
	return Type{&d}
}

// WithTag is t with the structure tag set (a union variant's name).
func (t Type) WithTag(tag string) Type {
	return t.with(func(d *typeDesc) { d.tag, d.tagSet = tag, true })
}

// WithMetadata is t with its metadata set to a JSON object (e.g. a struct's JSON schema).
func (t Type) WithMetadata(jsonObject string) Type {
	return t.with(func(d *typeDesc) { d.metadata = jsonObject })
}

// String is the library's short form, e.g. "integer", "collection(blob(format=csv))".
func (t Type) String() string {
	if t.d == nil {
		return "<no type>"
	}
	p, err := t.toC()
	if err != nil {
		return "<invalid type: " + err.Error() + ">"
	}
	defer C.flyte_literal_type_free(p)
	var s *C.char
	if C.flyte_literal_type_to_string(&s, p) != 0 {
		return "<invalid type>"
	}
	return takeString(s)
}

// JSON is t as flyteidl.core.LiteralType proto3 JSON.
func (t Type) JSON() (string, error) {
	p, err := t.toC()
	if err != nil {
		return "", err
	}
	defer C.flyte_literal_type_free(p)
	var s *C.char
	if rc := C.flyte_literal_type_to_json(&s, p); rc != 0 {
		return "", cError("type to JSON", rc, nil)
	}
	return takeString(s), nil
}

// CastableTo reports whether a value of type t may flow into an input of type
// downstream under Flyte's rules (e.g. a blob of any format into Blob("")).
func (t Type) CastableTo(downstream Type) bool {
	a, err := t.toC()
	if err != nil {
		return false
	}
	defer C.flyte_literal_type_free(a)
	b, err := downstream.toC()
	if err != nil {
		return false
	}
	defer C.flyte_literal_type_free(b)
	return C.flyte_types_castable(a, b) != 0
}

// Equal reports whether t and u are the same Flyte type, field by field.
func (t Type) Equal(u Type) bool {
	if t.d == nil || u.d == nil {
		return t.d == u.d
	}
	a, err := t.toC()
	if err != nil {
		return false
	}
	defer C.flyte_literal_type_free(a)
	b, err := u.toC()
	if err != nil {
		return false
	}
	defer C.flyte_literal_type_free(b)
	return C.flyte_literal_type_equal(a, b) != 0
}

var cSimple = map[Kind]C.flyte_simple_type{
	KindNone: C.FLYTE_SIMPLE_NONE, KindInteger: C.FLYTE_SIMPLE_INTEGER, KindFloat: C.FLYTE_SIMPLE_FLOAT,
	KindString: C.FLYTE_SIMPLE_STRING, KindBoolean: C.FLYTE_SIMPLE_BOOLEAN,
	KindDatetime: C.FLYTE_SIMPLE_DATETIME, KindDuration: C.FLYTE_SIMPLE_DURATION,
	KindBinary: C.FLYTE_SIMPLE_BINARY, KindError: C.FLYTE_SIMPLE_ERROR, KindStruct: C.FLYTE_SIMPLE_STRUCT,
}

// toC builds the library's type; the caller frees it.
func (t Type) toC() (*C.flyte_literal_type, error) {
	if t.d == nil {
		return nil, invalidf("no type given")
	}
	p, err := t.d.base()
	if err != nil {
		return nil, err
	}
	if err := t.d.decorate(p); err != nil {
		C.flyte_literal_type_free(p)
		return nil, err
	}
	return p, nil
}

func (d *typeDesc) base() (*C.flyte_literal_type, error) {
	var a arena
	defer a.free()
	var p *C.flyte_literal_type
	var rc C.int
	switch {
	case d.raw != "":
		cs := a.str(d.raw)
		var cerr *C.flyte_error
		if rc = C.flyte_literal_type_from_json(&p, cs, C.size_t(len(d.raw)), &cerr); rc != 0 {
			return nil, cError("type", rc, cerr)
		}
		return p, nil
	case d.kind == KindBlob:
		dim := C.flyte_blob_dimensionality(C.FLYTE_BLOB_SINGLE)
		if d.multipart {
			dim = C.FLYTE_BLOB_MULTIPART
		}
		rc = C.flyte_literal_type_new_blob(&p, a.optStr(d.format), dim)
	case d.kind == KindCollection || d.kind == KindMap:
		e, err := d.elem.toC()
		if err != nil {
			return nil, err
		}
		defer C.flyte_literal_type_free(e)
		if d.kind == KindMap {
			rc = C.flyte_literal_type_new_map(&p, e)
		} else {
			rc = C.flyte_literal_type_new_collection(&p, e)
		}
	case d.kind == KindEnum:
		rc = C.flyte_literal_type_new_enum(&p, a.strs(d.values), C.size_t(len(d.values)))
	case d.kind == KindUnion:
		return d.union()
	case d.kind == KindStructuredDataset:
		rc = C.flyte_literal_type_new_structured_dataset(&p, a.optStr(d.format))
	default:
		s, ok := cSimple[d.kind]
		if !ok {
			return nil, invalidf("cannot build a %s type without its JSON (use TypeFromJSON)", d.kind)
		}
		rc = C.flyte_literal_type_new_simple(&p, s)
	}
	if a.err != nil {
		C.flyte_literal_type_free(p)
		return nil, a.err
	}
	if rc != 0 {
		return nil, cError("type "+d.kind.String(), rc, nil)
	}
	return p, nil
}

func (d *typeDesc) union() (*C.flyte_literal_type, error) {
	n := len(d.variants)
	if n == 0 {
		return nil, invalidf("a union needs at least one variant")
	}
	arr := (**C.flyte_literal_type)(C.calloc(C.size_t(n), C.size_t(unsafe.Sizeof((*C.flyte_literal_type)(nil)))))
	defer C.free(unsafe.Pointer(arr))
	vs := unsafe.Slice(arr, n)
	defer func() {
		for _, v := range vs {
			C.flyte_literal_type_free(v)
		}
	}()
	for i, v := range d.variants {
		var err error
		if vs[i], err = v.toC(); err != nil {
			return nil, err
		}
	}
	var p *C.flyte_literal_type
	if rc := C.flyte_literal_type_new_union(&p, arr, C.size_t(n)); rc != 0 {
		return nil, cError("type union", rc, nil)
	}
	return p, nil
}

func (d *typeDesc) decorate(p *C.flyte_literal_type) error {
	var a arena
	defer a.free()
	if d.tagSet {
		if rc := C.flyte_literal_type_set_structure_tag(p, a.optStr(d.tag)); rc != 0 {
			return cError("type tag", rc, nil)
		}
	}
	if d.metadata != "" {
		var cerr *C.flyte_error
		if rc := C.flyte_literal_type_set_metadata_json(p, a.str(d.metadata), &cerr); rc != 0 {
			return cError("type metadata", rc, cerr)
		}
	}
	return a.err
}

// typeFromC reads a library type (borrowed) into a Type.
func typeFromC(p *C.flyte_literal_type) Type {
	if p == nil {
		return Type{}
	}
	d := &typeDesc{tag: goString(C.flyte_literal_type_structure_tag(p))}
	var js *C.char
	if C.flyte_literal_type_to_json(&js, p) == 0 {
		d.raw = takeString(js)
	}
	switch C.flyte_literal_type_kind(p) {
	case C.FLYTE_TYPE_SIMPLE:
		d.kind = simpleKinds[C.flyte_literal_type_simple(p)]
	case C.FLYTE_TYPE_BLOB:
		d.kind = KindBlob
		d.format = goString(C.flyte_literal_type_blob_format(p))
		d.multipart = C.flyte_literal_type_blob_dimensionality(p) == C.FLYTE_BLOB_MULTIPART
	case C.FLYTE_TYPE_COLLECTION:
		d.kind = KindCollection
		d.elem = typeFromC(C.flyte_literal_type_element(p))
	case C.FLYTE_TYPE_MAP:
		d.kind = KindMap
		d.elem = typeFromC(C.flyte_literal_type_element(p))
	case C.FLYTE_TYPE_ENUM:
		d.kind = KindEnum
		for i := C.size_t(0); i < C.flyte_literal_type_enum_count(p); i++ {
			d.values = append(d.values, goString(C.flyte_literal_type_enum_value(p, i)))
		}
	case C.FLYTE_TYPE_UNION:
		d.kind = KindUnion
		for i := C.size_t(0); i < C.flyte_literal_type_variant_count(p); i++ {
			d.variants = append(d.variants, typeFromC(C.flyte_literal_type_variant(p, i)))
		}
	case C.FLYTE_TYPE_STRUCTURED_DATASET:
		d.kind = KindStructuredDataset
		d.format = goString(C.flyte_literal_type_dataset_format(p))
	case C.FLYTE_TYPE_SCHEMA:
		d.kind = KindSchema
	}
	return Type{d}
}
