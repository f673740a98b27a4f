package flyteremote

/*
#include <stdlib.h>
#include <flyte/flyte.h>
*/
import "C"

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"sort"
	"time"
	"unsafe"
)

// Blob is a file (or, with Multipart, a directory) value: a URI such as s3://..., or a
// local path that Execute uploads through the data proxy.
type Blob struct {
	URI       string
	Format    string // e.g. "csv"; "" for a generic blob
	Multipart bool   // a directory
}

// StructuredDataset is a structured dataset value.
type StructuredDataset struct {
	URI    string
	Format string // e.g. "parquet"
}

// LiteralError is the value of an error literal (a failed node's error passed on).
type LiteralError struct {
	Message      string
	FailedNodeID string
}

func (e LiteralError) Error() string { return e.FailedNodeID + ": " + e.Message }

// LiteralJSON is a flyteidl.core.Literal in proto3 JSON. As an input it is passed
// through untouched (whatever the declared type); values this package has no Go type
// for (schemas, offloaded literals) come back as LiteralJSON.
type LiteralJSON string

// ToLiteralJSON converts a Go value to a Flyte literal of type t (the zero Type: the
// type follows the Go value) and returns its proto3 JSON.
func ToLiteralJSON(v any, t Type) (string, error) {
	if err := ensureInit(); err != nil {
		return "", err
	}
	p, err := toLiteral(v, t, "value")
	if err != nil {
		return "", err
	}
	defer C.flyte_literal_free(p)
	var s *C.char
	if rc := C.flyte_literal_to_json(&s, p); rc != 0 {
		return "", cError("literal to JSON", rc, nil)
	}
	return takeString(s), nil
}

// FromLiteralJSON converts a flyteidl.core.Literal in proto3 JSON to a Go value (see
// Execution.Outputs for the mapping).
func FromLiteralJSON(s string) (any, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	p, err := literalFromJSON(s)
	if err != nil {
		return nil, err
	}
	defer C.flyte_literal_free(p)
	return fromLiteral(p, "value")
}

func literalFromJSON(s string) (*C.flyte_literal, error) {
	cs := C.CString(s)
	defer C.free(unsafe.Pointer(cs))
	var p *C.flyte_literal
	var cerr *C.flyte_error
	if rc := C.flyte_literal_from_json(&p, cs, C.size_t(len(s)), &cerr); rc != 0 {
		return nil, cError("literal from JSON", rc, cerr)
	}
	return p, nil
}

func typeErrorf(at, format string, args ...any) *Error {
	return &Error{Code: CodeType, GRPCCode: -1, Message: at + ": " + fmt.Sprintf(format, args...)}
}

// build runs one literal builder; a failure names the value.
func build(at string, f func(p **C.flyte_literal) C.int) (*C.flyte_literal, error) {
	var p *C.flyte_literal
	if rc := f(&p); rc != 0 {
		e := cError("", rc, nil).(*Error)
		e.Message = at + ": the library refused the value (" + e.Code.String() + ")"
		return nil, e
	}
	return p, nil
}

func cBool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// toLiteral converts v to a literal of the declared type t (zero: inferred from v); the
// caller owns the result. at names the value in errors, e.g. `input "xs"[2]`.
func toLiteral(v any, t Type, at string) (*C.flyte_literal, error) {
	if j, ok := v.(LiteralJSON); ok {
		p, err := literalFromJSON(string(j))
		return p, withMessagePrefix(err, at)
	}
	if t.IsZero() {
		return inferLiteral(v, at)
	}
	if t.Kind() != KindStruct && t.Kind() != KindNone {
		v = deref(v)
	}
	switch k := t.Kind(); k {
	case KindNone:
		if v != nil && !isNilPointer(v) {
			return nil, typeErrorf(at, "expected nil for none, got %T", v)
		}
		return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_none(p) })
	case KindInteger:
		n, err := asInt64(v, at)
		if err != nil {
			return nil, err
		}
		return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_integer(p, C.int64_t(n)) })
	case KindFloat:
		f, ok := asFloat64(v)
		if !ok {
			return nil, typeErrorf(at, "expected a number for float, got %T", v)
		}
		return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_float(p, C.double(f)) })
	case KindString, KindEnum:
		s, ok := v.(string)
		if !ok {
			return nil, typeErrorf(at, "expected a string for %s, got %T", k, v)
		}
		if k == KindEnum && !slices.Contains(t.d.values, s) {
			return nil, typeErrorf(at, "%q is not one of the enum's values %q", s, t.d.values)
		}
		return newString(s, at)
	case KindBoolean:
		b, ok := v.(bool)
		if !ok {
			return nil, typeErrorf(at, "expected a bool for boolean, got %T", v)
		}
		return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_boolean(p, cBool(b)) })
	case KindDatetime:
		tm, ok := v.(time.Time)
		if !ok {
			return nil, typeErrorf(at, "expected a time.Time for datetime, got %T", v)
		}
		return newDatetime(tm, at)
	case KindDuration:
		d, ok := v.(time.Duration)
		if !ok {
			return nil, typeErrorf(at, "expected a time.Duration for duration, got %T", v)
		}
		return newDuration(d, at)
	case KindBinary:
		b, ok := v.([]byte)
		if !ok {
			return nil, typeErrorf(at, "expected a []byte for binary, got %T", v)
		}
		return newBinary(b, at)
	case KindStruct:
		return newGeneric(v, at)
	case KindBlob:
		return blobFor(v, t, at)
	case KindStructuredDataset:
		switch x := v.(type) {
		case StructuredDataset:
			if x.Format == "" {
				x.Format = t.Format()
			}
			return newDataset(x, at)
		case string:
			return newDataset(StructuredDataset{URI: x, Format: t.Format()}, at)
		}
		return nil, typeErrorf(at, "expected a StructuredDataset or a URI string, got %T", v)
	case KindCollection:
		return collectionOf(v, t.Elem(), at)
	case KindMap:
		return mapOf(v, t.Elem(), at)
	case KindUnion:
		return unionOf(v, t, at)
	}
	return nil, typeErrorf(at, "values of type %s can only be given as LiteralJSON", t.Kind())
}

func withMessagePrefix(err error, at string) error {
	if e, ok := err.(*Error); ok {
		e.Message = at + ": " + e.Message
	}
	return err
}

func deref(v any) any {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil
	}
	return rv.Interface()
}

func isNilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// inferLiteral converts v by its Go type alone.
func inferLiteral(v any, at string) (*C.flyte_literal, error) {
	switch x := v.(type) {
	case nil:
		return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_none(p) })
	case bool:
		return toLiteral(x, Boolean(), at)
	case string:
		return newString(x, at)
	case time.Time:
		return newDatetime(x, at)
	case time.Duration:
		return newDuration(x, at)
	case json.RawMessage:
		return newGeneric(x, at)
	case []byte:
		return newBinary(x, at)
	case Blob:
		return newBlob(x, at)
	case StructuredDataset:
		return newDataset(x, at)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return inferLiteral(nil, at)
		}
		return inferLiteral(rv.Elem().Interface(), at)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return toLiteral(v, Integer(), at)
	case reflect.Float32, reflect.Float64:
		return toLiteral(v, Float(), at)
	case reflect.String:
		return newString(rv.String(), at)
	case reflect.Bool:
		return toLiteral(rv.Bool(), Boolean(), at)
	case reflect.Slice, reflect.Array:
		return collectionOf(v, Type{}, at)
	case reflect.Map:
		if rv.Type().Key().Kind() == reflect.String {
			return mapOf(v, Type{}, at)
		}
	case reflect.Struct:
		return newGeneric(v, at)
	}
	return nil, typeErrorf(at, "no Flyte type for a Go %T (declare one with a TypeHint or pass LiteralJSON)", v)
}

func asInt64(v any, at string) (int64, error) {
	if _, ok := v.(time.Duration); ok {
		return 0, typeErrorf(at, "expected an integer, got a time.Duration")
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if rv.Uint() > math.MaxInt64 {
			return 0, typeErrorf(at, "%d does not fit Flyte's integer (int64)", rv.Uint())
		}
		return int64(rv.Uint()), nil
	}
	return 0, typeErrorf(at, "expected an integer, got %T", v)
}

func asFloat64(v any) (float64, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Float32, reflect.Float64:
		return rv.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if _, ok := v.(time.Duration); ok {
			return 0, false
		}
		return float64(rv.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), true
	}
	return 0, false
}

func newString(s, at string) (*C.flyte_literal, error) {
	var a arena
	defer a.free()
	cs := a.str(s)
	if a.err != nil {
		return nil, withMessagePrefix(a.err, at)
	}
	return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_string(p, cs) })
}

func newDatetime(t time.Time, at string) (*C.flyte_literal, error) {
	s, ns := t.Unix(), t.Nanosecond()
	return build(at, func(p **C.flyte_literal) C.int {
		return C.flyte_literal_new_datetime(p, C.int64_t(s), C.int32_t(ns))
	})
}

func newDuration(d time.Duration, at string) (*C.flyte_literal, error) {
	s, ns := int64(d/time.Second), int32(d%time.Second)
	return build(at, func(p **C.flyte_literal) C.int {
		return C.flyte_literal_new_duration(p, C.int64_t(s), C.int32_t(ns))
	})
}

func newBinary(b []byte, at string) (*C.flyte_literal, error) {
	// The library copies the bytes during the call, so Go memory may be passed.
	var data unsafe.Pointer
	if len(b) > 0 {
		data = unsafe.Pointer(&b[0])
	}
	return build(at, func(p **C.flyte_literal) C.int {
		return C.flyte_literal_new_binary(p, data, C.size_t(len(b)), nil)
	})
}

func newGeneric(v any, at string) (*C.flyte_literal, error) {
	var js []byte
	if raw, ok := v.(json.RawMessage); ok {
		js = raw
	} else {
		var err error
		if js, err = json.Marshal(v); err != nil {
			return nil, typeErrorf(at, "cannot encode a %T as JSON: %v", v, err)
		}
	}
	if t := bytes.TrimLeft(js, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, typeErrorf(at, "a struct value must encode to a JSON object, a %T does not", v)
	}
	cs := C.CString(string(js))
	defer C.free(unsafe.Pointer(cs))
	var p *C.flyte_literal
	var cerr *C.flyte_error
	if rc := C.flyte_literal_new_generic_json(&p, cs, &cerr); rc != 0 {
		return nil, withMessagePrefix(cError("", rc, cerr), at)
	}
	return p, nil
}

func blobFor(v any, t Type, at string) (*C.flyte_literal, error) {
	b := Blob{Format: t.Format(), Multipart: t.Multipart()}
	switch x := v.(type) {
	case Blob:
		b.URI, b.Multipart = x.URI, x.Multipart || t.Multipart()
		if x.Format != "" {
			b.Format = x.Format
		}
	case string:
		b.URI = x
	default:
		return nil, typeErrorf(at, "expected a Blob or a URI string for %s, got %T", t, v)
	}
	return newBlob(b, at)
}

func newBlob(b Blob, at string) (*C.flyte_literal, error) {
	var a arena
	defer a.free()
	uri, format := a.str(b.URI), a.optStr(b.Format)
	if a.err != nil {
		return nil, withMessagePrefix(a.err, at)
	}
	dim := C.flyte_blob_dimensionality(C.FLYTE_BLOB_SINGLE)
	if b.Multipart {
		dim = C.FLYTE_BLOB_MULTIPART
	}
	return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_blob(p, uri, format, dim) })
}

func newDataset(d StructuredDataset, at string) (*C.flyte_literal, error) {
	var a arena
	defer a.free()
	uri, format := a.str(d.URI), a.optStr(d.Format)
	if a.err != nil {
		return nil, withMessagePrefix(a.err, at)
	}
	return build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_structured_dataset(p, uri, format) })
}

func collectionOf(v any, elem Type, at string) (*C.flyte_literal, error) {
	rv := reflect.ValueOf(v)
	if k := rv.Kind(); k != reflect.Slice && k != reflect.Array {
		return nil, typeErrorf(at, "expected a slice for a collection, got %T", v)
	}
	coll, err := build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_collection(p) })
	if err != nil {
		return nil, err
	}
	for i := 0; i < rv.Len(); i++ {
		item, err := toLiteral(rv.Index(i).Interface(), elem, fmt.Sprintf("%s[%d]", at, i))
		if err == nil {
			if rc := C.flyte_literal_collection_append_new(coll, item); rc != 0 {
				err = cError("collection", rc, nil)
			}
		}
		if err != nil {
			C.flyte_literal_free(coll)
			return nil, err
		}
	}
	return coll, nil
}

func mapOf(v any, value Type, at string) (*C.flyte_literal, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, typeErrorf(at, "expected a map with string keys, got %T", v)
	}
	m, err := build(at, func(p **C.flyte_literal) C.int { return C.flyte_literal_new_map(p) })
	if err != nil {
		return nil, err
	}
	keys := rv.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		err := setEntry(m, k.String(), rv.MapIndex(k).Interface(), value, fmt.Sprintf("%s[%q]", at, k.String()))
		if err != nil {
			C.flyte_literal_free(m)
			return nil, err
		}
	}
	return m, nil
}

func setEntry(m *C.flyte_literal, key string, v any, t Type, at string) error {
	item, err := toLiteral(v, t, at)
	if err != nil {
		return err
	}
	var a arena
	defer a.free()
	ck := a.str(key)
	if a.err != nil {
		C.flyte_literal_free(item)
		return withMessagePrefix(a.err, at)
	}
	if rc := C.flyte_literal_map_entry_set_new(m, ck, item); rc != 0 {
		return cError("map entry "+key, rc, nil)
	}
	return nil
}

// unionOf picks the first variant the value converts to and fits.
func unionOf(v any, t Type, at string) (*C.flyte_literal, error) {
	for _, vt := range t.d.variants {
		lit, err := toLiteral(v, vt, at)
		if err != nil {
			continue
		}
		ct, err := vt.toC()
		if err != nil {
			C.flyte_literal_free(lit)
			return nil, err
		}
		var u *C.flyte_literal
		rc := C.flyte_literal_check_type(lit, ct, nil, nil)
		if rc == 0 {
			rc = C.flyte_literal_new_union(&u, lit, ct)
		}
		C.flyte_literal_free(lit)
		C.flyte_literal_type_free(ct)
		if rc == 0 {
			return u, nil
		}
	}
	return nil, typeErrorf(at, "a %T fits none of the variants of %s", v, t)
}

// fromLiteral converts a literal (borrowed) to a Go value:
// integer int64, float float64, string string, boolean bool, datetime time.Time (UTC),
// duration time.Duration, binary []byte, none nil, blob Blob, structured dataset
// StructuredDataset, generic struct map[string]any (encoding/json's mapping), collection
// []any, map map[string]any, union its value, error LiteralError, others LiteralJSON.
func fromLiteral(p *C.flyte_literal, at string) (any, error) {
	switch C.flyte_literal_kind_of(p) {
	case C.FLYTE_LITERAL_INTEGER:
		var n C.int64_t
		C.flyte_literal_get_integer(p, &n)
		return int64(n), nil
	case C.FLYTE_LITERAL_FLOAT:
		var f C.double
		C.flyte_literal_get_float(p, &f)
		return float64(f), nil
	case C.FLYTE_LITERAL_STRING:
		var s *C.char
		C.flyte_literal_get_string(p, &s)
		return goString(s), nil
	case C.FLYTE_LITERAL_BOOLEAN:
		var b C.int
		C.flyte_literal_get_boolean(p, &b)
		return b != 0, nil
	case C.FLYTE_LITERAL_DATETIME:
		var s C.int64_t
		var ns C.int32_t
		C.flyte_literal_get_datetime(p, &s, &ns)
		return time.Unix(int64(s), int64(ns)).UTC(), nil
	case C.FLYTE_LITERAL_DURATION:
		var s C.int64_t
		var ns C.int32_t
		C.flyte_literal_get_duration(p, &s, &ns)
		if int64(s) > math.MaxInt64/int64(time.Second)-1 || int64(s) < math.MinInt64/int64(time.Second)+1 {
			return nil, typeErrorf(at, "the duration %ds does not fit a time.Duration", int64(s))
		}
		return time.Duration(s)*time.Second + time.Duration(ns), nil
	case C.FLYTE_LITERAL_BINARY:
		var data unsafe.Pointer
		var n C.size_t
		C.flyte_literal_get_binary(p, &data, &n, nil)
		return C.GoBytes(data, C.int(n)), nil
	case C.FLYTE_LITERAL_NONE:
		return nil, nil
	case C.FLYTE_LITERAL_BLOB:
		var uri, format *C.char
		var dim C.flyte_blob_dimensionality
		C.flyte_literal_get_blob(p, &uri, &format, &dim)
		return Blob{URI: goString(uri), Format: goString(format), Multipart: dim == C.FLYTE_BLOB_MULTIPART}, nil
	case C.FLYTE_LITERAL_STRUCTURED_DATASET:
		var uri, format *C.char
		C.flyte_literal_get_structured_dataset(p, &uri, &format)
		return StructuredDataset{URI: goString(uri), Format: goString(format)}, nil
	case C.FLYTE_LITERAL_GENERIC:
		var js *C.char
		if rc := C.flyte_literal_get_generic_json(p, &js); rc != 0 {
			return nil, withMessagePrefix(cError("", rc, nil), at)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(takeString(js)), &m); err != nil {
			return nil, typeErrorf(at, "struct value: %v", err)
		}
		return m, nil
	case C.FLYTE_LITERAL_ERROR:
		var msg, node *C.char
		C.flyte_literal_get_error(p, &msg, &node)
		return LiteralError{Message: goString(msg), FailedNodeID: goString(node)}, nil
	case C.FLYTE_LITERAL_UNION:
		var val *C.flyte_literal
		var vt *C.flyte_literal_type
		C.flyte_literal_get_union(p, &val, &vt)
		return fromLiteral(val, at)
	case C.FLYTE_LITERAL_COLLECTION:
		n := int(C.flyte_literal_count(p))
		out := make([]any, n)
		for i := range out {
			v, err := fromLiteral(C.flyte_literal_collection_at(p, C.size_t(i)), fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case C.FLYTE_LITERAL_MAP:
		n := int(C.flyte_literal_count(p))
		out := make(map[string]any, n)
		for i := 0; i < n; i++ {
			var key *C.char
			item := C.flyte_literal_map_entry_at(p, C.size_t(i), &key)
			k := goString(key)
			v, err := fromLiteral(item, fmt.Sprintf("%s[%q]", at, k))
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	var js *C.char
	if rc := C.flyte_literal_to_json(&js, p); rc != 0 {
		return nil, withMessagePrefix(cError("", rc, nil), at)
	}
	return LiteralJSON(takeString(js)), nil
}

// literalMapFromC converts a LiteralMap (borrowed; NULL gives nil) to Go values.
func literalMapFromC(m *C.flyte_literal_map) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	n := int(C.flyte_literal_map_count(m))
	out := make(map[string]any, n)
	for i := 0; i < n; i++ {
		var name *C.char
		lit := C.flyte_literal_map_at(m, C.size_t(i), &name)
		k := goString(name)
		v, err := fromLiteral(lit, fmt.Sprintf("%q", k))
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// literalMapToC converts named Go values to a LiteralMap the caller owns. Each value
// takes its type from types (a missing or zero Type: inferred from the Go value).
func literalMapToC(values map[string]any, types map[string]Type) (*C.flyte_literal_map, error) {
	var m *C.flyte_literal_map
	if rc := C.flyte_literal_map_new(&m); rc != 0 {
		return nil, cError("inputs", rc, nil)
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := literalMapSet(m, name, values[name], types[name]); err != nil {
			C.flyte_literal_map_free(m)
			return nil, err
		}
	}
	return m, nil
}

func literalMapSet(m *C.flyte_literal_map, name string, v any, t Type) error {
	at := fmt.Sprintf("input %q", name)
	lit, err := toLiteral(v, t, at)
	if err != nil {
		return err
	}
	var a arena
	defer a.free()
	cn := a.str(name)
	if a.err != nil {
		C.flyte_literal_free(lit)
		return withMessagePrefix(a.err, at)
	}
	if rc := C.flyte_literal_map_set_new(m, cn, lit); rc != 0 {
		return cError(at, rc, nil)
	}
	return nil
}
