// Package flyteremote is the Go binding of libflyteremote, a client SDK for Flyte's
// control plane (FlyteAdmin): register tasks, workflows and launch plans, fetch them,
// execute them with typed inputs and type hints whose hash functions decide the cache
// key, wait for them, read their outputs as Go values, and predict their cache keys
// before submission, bit-exact with Flyte.
//
// It is a thin layer over the public C API (include/flyte/*.h) through cgo: every
// operation is the C library's, with the same semantics and the same cache keys as the
// C, Python and command-line front ends.
//
//	c, err := flyteremote.New(ctx, flyteremote.Options{Endpoint: "http://127.0.0.1:30080"})
//	...
//	defer c.Close()
//	lp := flyteremote.ReferenceLaunchPlan("flytesnacks", "development", "quickstart.wf", "")
//	x, err := c.Execute(ctx, lp, map[string]any{"n": 10, "requested_by": "alice"},
//		flyteremote.ExecuteOptions{TypeHints: map[string]flyteremote.TypeHint{
//			"requested_by": {Hash: flyteremote.HashFunc(func(any) (string, error) { return "anyone", nil })},
//		}})
//	...
//	err = x.Wait(ctx, time.Second)
//	outputs, err := x.Outputs() // map[string]any{"total": int64(385)}
//
// # Values
//
// Go values become Flyte literals of the input's declared type (the TypeHint's Type,
// else the entity's interface): int and the other integer types for integer, float64
// (or an integer) for float, string, bool, time.Time for datetime, time.Duration,
// []byte for binary, nil for none, Blob (or a URI string) for blob, any slice for a
// collection, any string-keyed map for a map, any value encoding/json turns into an
// object (a struct, map[string]any, json.RawMessage) for a generic struct, a value of
// the first fitting variant for a union, and LiteralJSON for a literal passed through
// as is. Types are declared with Integer, Float, String, Boolean, Datetime, Duration,
// Binary, None, Struct, BlobType, DirectoryType, Collection, Map, Enum, Union, Optional,
// StructuredDatasetType and TypeFromJSON. Outputs documents the way back.
//
// # Errors
//
// Failures are *Error values carrying the library's Code, message, HTTP status, gRPC
// code and whether a retry may help; errors.Is matches them with the sentinels
// ErrNotFound, ErrAlreadyExists, ErrInvalidInput (and ErrType), ErrAuth, ErrTimeout,
// ErrUnavailable, ErrIO, ErrCallback. An execution that ends in another phase than
// SUCCEEDED makes Wait return an *ExecutionError (ErrExecutionFailed).
//
// # Goroutines and threads
//
// The C API returns an error object from each call instead of keeping a thread-local
// "last error", so nothing ties a call to an OS thread: no runtime.LockOSThread is
// needed, and goroutines may move between threads freely. Client and Execution are
// safe for concurrent use by many goroutines (the C client is thread-safe; an
// Execution serialises its own calls). Type values are immutable and may be shared.
// The builder types (RawContainerTask, Workflow, LaunchPlan, Cache, ExecuteOptions) are
// plain data: build one on one goroutine, then share it read-only.
//
// # Callbacks
//
// A Hasher (type hints) and a CachePolicy are Go code called from C: the library gets a
// runtime/cgo.Handle as its callback payload and calls an exported Go trampoline. They
// run on the goroutine of the call that uses them (Execute, CacheKey, Register). An
// error or a panic in them does not cross into C: the call fails with an *Error of
// CodeUser (ErrCallback) whose Err is the Go error.
//
// # Contexts
//
// Each method checks its context before calling into the library; a library call in
// progress is not interrupted and is bounded by Options.Timeout and the retry
// settings. Wait polls from Go, so it returns as soon as its context is done.
//
// # Building
//
// The package links libflyteremote through cgo. By default it uses the source tree it
// lives in: headers from ../../include and the library from ../../build (cmake -B build
// && cmake --build build), with an rpath to it. With -tags flyteremote_system it links
// an installed library (-lflyteremote); CGO_CFLAGS and CGO_LDFLAGS may point the
// compiler and linker elsewhere in either mode. At run time the library's version must
// be MinLibraryVersion or newer (ErrIncompatibleLibrary otherwise).
package flyteremote
