package flyteremote

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"runtime/cgo"
	"sort"
	"sync"
	"unsafe"
)

// Hasher computes the cache hash of an input value (flytekit's HashMethod): when an
// input has one, Flyte's cache key uses its result instead of the value. Implement it,
// use HashFunc to turn a function into one, or use a built-in: SHA256File,
// SHA256Directory, CanonicalJSON.
type Hasher interface {
	Hash(value any) (string, error)
}

// HashFunc is a function used as a Hasher. It receives the input as a Go value (as
// Outputs gives them: int64, string, Blob, map[string]any, ...) and returns its hash;
// an error or a panic fails the call (Execute, CacheKey) with an *Error of CodeUser
// whose Err is the error. It runs on the goroutine of that call.
type HashFunc func(value any) (string, error)

// Hash calls f.
func (f HashFunc) Hash(value any) (string, error) { return f(value) }

// builtinHasher is a hash function of the library, called directly from C (no Go
// round trip, exactly the C semantics).
type builtinHasher struct {
	id   C.int
	name string
}

// Built-in hashers (hex SHA-256), identical to the C library's and the other bindings'.
var (
	// SHA256File hashes the bytes of a local file (a blob with a local path or file:// URI).
	SHA256File Hasher = builtinHasher{C.FLYTE_GO_SHA256_FILE, "SHA256File"}
	// SHA256Directory hashes a local directory tree (names and contents).
	SHA256Directory Hasher = builtinHasher{C.FLYTE_GO_SHA256_DIR, "SHA256Directory"}
	// CanonicalJSON hashes the canonical JSON of a value (sorted keys, no whitespace).
	CanonicalJSON Hasher = builtinHasher{C.FLYTE_GO_CANONICAL_JSON, "CanonicalJSON"}
)

// Hash applies the built-in to a value converted by its Go type.
func (b builtinHasher) Hash(value any) (string, error) {
	if err := ensureInit(); err != nil {
		return "", err
	}
	lit, err := toLiteral(value, Type{}, "value")
	if err != nil {
		return "", err
	}
	defer C.flyte_literal_free(lit)
	var cerr *C.flyte_error
	if rc := C.flyte_go_apply_builtin(lit, b.id, &cerr); rc != 0 {
		return "", cError(b.name, rc, cerr)
	}
	return C.GoString(C.flyte_literal_hash(lit)), nil
}

func (b builtinHasher) String() string { return "flyteremote." + b.name }

// TypeHint says, for one input, the Flyte type its Go value is converted to (optional;
// the zero Type leaves it to the entity's interface) and the Hasher that keys it in the
// cache (optional).
type TypeHint struct {
	Type Type
	Hash Hasher
}

// callback is the Go state behind one cgo.Handle given to the library: the user's
// function and the error it reported, read back after the C call returns.
type callback struct {
	what string
	fn   any // Hasher or CachePolicy
	mu   sync.Mutex
	err  error
}

func (cb *callback) fail(err error) {
	cb.mu.Lock()
	if cb.err == nil {
		cb.err = err
	}
	cb.mu.Unlock()
}

func (cb *callback) failed() error {
	cb.mu.Lock()
	defer cb.mu.Unlock()
	return cb.err
}

// run calls f, turning a panic into an error.
func (cb *callback) run(f func() (string, error)) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s panicked: %v", cb.what, r)
		}
	}()
	return f()
}

// reply writes the callback's result (or its failure) for the library.
func (cb *callback) reply(out *C.flyte_out_string, s string, err error) C.int {
	if err != nil {
		cb.fail(err)
		cs := C.CString(err.Error())
		defer C.free(unsafe.Pointer(cs))
		C.flyte_out_string_fail(out, cs)
		return 1
	}
	// A Go string's bytes may be passed: the library copies them during the call.
	if C.flyte_out_string_set(out, (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))) != 0 {
		return 1
	}
	return 0
}

//export flyteGoHash
func flyteGoHash(out *C.flyte_out_string, lit *C.flyte_literal, handle C.uintptr_t) C.int {
	cb := cgo.Handle(handle).Value().(*callback)
	s, err := cb.run(func() (string, error) {
		v, err := fromLiteral(lit, "value")
		if err != nil {
			return "", err
		}
		return cb.fn.(Hasher).Hash(v)
	})
	return cb.reply(out, s, err)
}

//export flyteGoCachePolicy
func flyteGoCachePolicy(out *C.flyte_out_string, salt *C.char, handle C.uintptr_t) C.int {
	cb := cgo.Handle(handle).Value().(*callback)
	s, err := cb.run(func() (string, error) { return cb.fn.(CachePolicy).CacheVersion(goString(salt)) })
	return cb.reply(out, s, err)
}

//export flyteGoLog
func flyteGoLog(level C.int, msg *C.char, handle C.uintptr_t) {
	f := cgo.Handle(handle).Value().(func(LogLevel, string))
	defer func() { _ = recover() }() // a logger's panic must not unwind through C
	f(LogLevel(level), goString(msg))
}

// callbacks holds the handles of one C call (or one object) and frees them.
type callbacks struct {
	handles []cgo.Handle
	cbs     []*callback
}

func (c *callbacks) add(what string, fn any) C.uintptr_t {
	cb := &callback{what: what, fn: fn}
	h := cgo.NewHandle(cb)
	c.handles = append(c.handles, h)
	c.cbs = append(c.cbs, cb)
	return C.uintptr_t(h)
}

func (c *callbacks) free() {
	for _, h := range c.handles {
		h.Delete()
	}
	c.handles, c.cbs = nil, nil
}

// wrap attaches the Go error of a failed callback to the library's CodeUser error.
func (c *callbacks) wrap(err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Err != nil {
		return err
	}
	for _, cb := range c.cbs {
		if cbErr := cb.failed(); cbErr != nil {
			e.Err = cbErr
			break
		}
	}
	return err
}

// typeHints is the library's flyte_type_hints for a map of TypeHint.
type typeHints struct {
	p *C.flyte_type_hints
	callbacks
}

func newTypeHints(hints map[string]TypeHint) (*typeHints, error) {
	th := &typeHints{}
	if len(hints) == 0 {
		return th, nil
	}
	if rc := C.flyte_type_hints_new(&th.p); rc != 0 {
		return nil, cError("type hints", rc, nil)
	}
	names := make([]string, 0, len(hints))
	for name := range hints {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := th.add(name, hints[name]); err != nil {
			th.free()
			return nil, err
		}
	}
	return th, nil
}

func (th *typeHints) add(name string, h TypeHint) error {
	var a arena
	defer a.free()
	cn := a.str(name)
	if a.err != nil {
		return a.err
	}
	var ct *C.flyte_literal_type
	if !h.Type.IsZero() {
		var err error
		if ct, err = h.Type.toC(); err != nil {
			return withMessagePrefix(err, fmt.Sprintf("type hint %q", name))
		}
		defer C.flyte_literal_type_free(ct)
	}
	var rc C.int
	switch hh := h.Hash.(type) {
	case nil:
		rc = C.flyte_go_type_hints_add(th.p, cn, ct, 0)
	case builtinHasher:
		rc = C.flyte_go_type_hints_add_builtin(th.p, cn, ct, hh.id)
	default:
		rc = C.flyte_go_type_hints_add(th.p, cn, ct, th.callbacks.add(fmt.Sprintf("hash function of input %q", name), hh))
	}
	if rc != 0 {
		return cError("type hint "+name, rc, nil)
	}
	return nil
}

func (th *typeHints) free() {
	C.flyte_type_hints_free(th.p)
	th.p = nil
	th.callbacks.free()
}

func hintTypes(hints map[string]TypeHint) map[string]Type {
	types := make(map[string]Type, len(hints))
	for name, h := range hints {
		if !h.Type.IsZero() {
			types[name] = h.Type
		}
	}
	return types
}

// hashedInputs converts inputs (types from the hints, else from the Go values), then
// applies the hints: type checks and hashes. The caller frees the map.
func hashedInputs(inputs map[string]any, hints map[string]TypeHint) (*C.flyte_literal_map, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	m, err := literalMapToC(inputs, hintTypes(hints))
	if err != nil {
		return nil, err
	}
	th, err := newTypeHints(hints)
	if err != nil {
		C.flyte_literal_map_free(m)
		return nil, err
	}
	defer th.free()
	if th.p != nil {
		var cerr *C.flyte_error
		if rc := C.flyte_type_hints_apply(th.p, m, &cerr); rc != 0 {
			C.flyte_literal_map_free(m)
			return nil, th.wrap(cError("type hints", rc, cerr))
		}
	}
	return m, nil
}

// CacheKey is the artifact tag ("flyte_cached-...") Flyte gives a cached task run with
// these inputs, computed locally and bit-exact with flytepropeller. Each input is
// converted with its hint's Type (else by its Go type) and keyed by its hint's Hasher
// when it has one; the inputs named in ignore (cache_ignore_input_vars) are left out.
func CacheKey(inputs map[string]any, hints map[string]TypeHint, ignore []string) (string, error) {
	m, err := hashedInputs(inputs, hints)
	if err != nil {
		return "", withOp(err, "cache key")
	}
	defer C.flyte_literal_map_free(m)
	var a arena
	defer a.free()
	cIgnore := a.strs(ignore)
	if a.err != nil {
		return "", withOp(a.err, "cache key")
	}
	var tag [C.FLYTE_ARTIFACT_TAG_LEN + 1]C.char
	var cerr *C.flyte_error
	if rc := C.flyte_cache_artifact_tag(&tag[0], m, cIgnore, C.size_t(len(ignore)), &cerr); rc != 0 {
		return "", cError("cache key", rc, cerr)
	}
	return C.GoString(&tag[0]), nil
}

// InputsJSON is the flyteidl.core.LiteralMap (proto3 JSON) Execute would send for these
// inputs and hints, hashes included: what `flyte-remote cache-key --literals` reads.
func InputsJSON(inputs map[string]any, hints map[string]TypeHint) (string, error) {
	m, err := hashedInputs(inputs, hints)
	if err != nil {
		return "", withOp(err, "inputs JSON")
	}
	defer C.flyte_literal_map_free(m)
	var s *C.char
	if rc := C.flyte_literal_map_to_json(&s, m); rc != 0 {
		return "", cError("inputs JSON", rc, nil)
	}
	return takeString(s), nil
}
