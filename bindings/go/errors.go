package flyteremote

/*
#include <flyte/flyte.h>
*/
import "C"

import (
	"errors"
	"fmt"
)

// Code is the library's return code of a failed call (flyte_error_code).
type Code int

// The codes of libflyteremote (common.h).
const (
	CodeError       Code = C.FLYTE_ERROR        // anything not listed below
	CodeNoMemory    Code = C.FLYTE_ENOMEM       // out of memory
	CodeInvalid     Code = C.FLYTE_EINVALID     // bad input; the message names what was wrong
	CodeNotFound    Code = C.FLYTE_ENOTFOUND    // the entity or value does not exist
	CodeExists      Code = C.FLYTE_EEXISTS      // exists already with a different definition
	CodeAuth        Code = C.FLYTE_EAUTH        // not authenticated or not allowed
	CodeTimeout     Code = C.FLYTE_ETIMEOUT     // a deadline passed
	CodeUnavailable Code = C.FLYTE_EUNAVAILABLE // server or network unavailable; a retry may help
	CodeIO          Code = C.FLYTE_EIO          // reading or writing a local file failed
	CodeUser        Code = C.FLYTE_EUSER        // a callback (hash function, cache policy) failed
	CodeType        Code = C.FLYTE_ETYPE        // a value does not match its declared Flyte type
)

// String is the library's name of the code, e.g. "FLYTE_EINVALID".
func (c Code) String() string { return C.GoString(C.flyte_error_code_name(C.int(c))) }

// Sentinel errors: test with errors.Is. Every *Error returned by this package is one of
// them according to its Code; an *Error with CodeType is both ErrType and ErrInvalidInput.
var (
	ErrNotFound      = errors.New("flyteremote: not found")
	ErrAlreadyExists = errors.New("flyteremote: already exists")
	ErrInvalidInput  = errors.New("flyteremote: invalid input")
	ErrType          = errors.New("flyteremote: type mismatch")
	ErrAuth          = errors.New("flyteremote: not authenticated or not allowed")
	ErrTimeout       = errors.New("flyteremote: timeout")
	ErrUnavailable   = errors.New("flyteremote: unavailable")
	ErrIO            = errors.New("flyteremote: local I/O error")
	ErrCallback      = errors.New("flyteremote: callback failed")
	ErrNoMemory      = errors.New("flyteremote: out of memory")
	ErrInternal      = errors.New("flyteremote: error")

	// ErrClosed is returned by calls on a closed Client or Execution.
	ErrClosed = errors.New("flyteremote: closed")
	// ErrIncompatibleLibrary is returned when the libflyteremote loaded at run time is
	// older than MinLibraryVersion or of another major version.
	ErrIncompatibleLibrary = errors.New("flyteremote: incompatible libflyteremote")
	// ErrExecutionFailed is what an *ExecutionError is: an execution that ended in
	// another phase than SUCCEEDED.
	ErrExecutionFailed = errors.New("flyteremote: execution did not succeed")
)

var sentinels = map[Code]error{
	CodeError:       ErrInternal,
	CodeNoMemory:    ErrNoMemory,
	CodeInvalid:     ErrInvalidInput,
	CodeNotFound:    ErrNotFound,
	CodeExists:      ErrAlreadyExists,
	CodeAuth:        ErrAuth,
	CodeTimeout:     ErrTimeout,
	CodeUnavailable: ErrUnavailable,
	CodeIO:          ErrIO,
	CodeUser:        ErrCallback,
	CodeType:        ErrType,
}

// Error is a failure reported by libflyteremote (or found by this package before calling
// it). Use errors.As to read its fields and errors.Is to compare it with the sentinels.
type Error struct {
	Op         string // what was being done, e.g. "execute", "register task"
	Code       Code
	Message    string // the library's message; it names the input, entity or key at fault
	HTTPStatus int    // HTTP status of the response that caused it, 0 when none
	GRPCCode   int    // gRPC status code reported by the server, -1 when none
	Retryable  bool   // repeating the same call may succeed
	// Err is the underlying cause when there is one, e.g. the error a HashFunc returned.
	Err error
}

func (e *Error) Error() string {
	s := "flyteremote: "
	if e.Op != "" {
		s += e.Op + ": "
	}
	s += e.Message
	if e.Code != 0 {
		s += " (" + e.Code.String() + ")"
	}
	return s
}

// Unwrap gives the cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code (ErrInvalidInput matches
// CodeType too).
func (e *Error) Is(target error) bool {
	if s, ok := sentinels[e.Code]; ok && s == target {
		return true
	}
	return e.Code == CodeType && target == ErrInvalidInput
}

// cError turns a return code and the library's error object (freed here) into an error;
// nil when rc is 0.
func cError(op string, rc C.int, cerr *C.flyte_error) error {
	defer C.flyte_error_free(cerr)
	if rc == 0 {
		return nil
	}
	e := &Error{Op: op, Code: Code(rc), GRPCCode: -1, Retryable: Code(rc) == CodeUnavailable}
	if cerr != nil {
		e.Message = C.GoString(C.flyte_error_message(cerr))
		e.HTTPStatus = int(C.flyte_error_http_status(cerr))
		e.GRPCCode = int(C.flyte_error_grpc_code(cerr))
		e.Retryable = C.flyte_error_retryable(cerr) != 0
	}
	if e.Message == "" {
		e.Message = e.Code.String()
	}
	return e
}

// invalidf is an ErrInvalidInput found on the Go side, before any C call.
func invalidf(format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, GRPCCode: -1, Message: fmt.Sprintf(format, args...)}
}

// withOp sets the operation of an *Error that has none.
func withOp(err error, op string) error {
	var e *Error
	if errors.As(err, &e) && e.Op == "" {
		e.Op = op
	}
	return err
}

// ExecutionError is returned by Wait for an execution that ended in another phase than
// SUCCEEDED (FAILED, ABORTED or TIMED_OUT). It is ErrExecutionFailed.
type ExecutionError struct {
	Project, Domain, Name string
	Phase                 Phase
	Message               string // the execution's error message, or the abort cause
}

func (e *ExecutionError) Error() string {
	s := fmt.Sprintf("flyteremote: execution %s/%s/%s %s", e.Project, e.Domain, e.Name, e.Phase)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Is makes an *ExecutionError match ErrExecutionFailed.
func (e *ExecutionError) Is(target error) bool { return target == ErrExecutionFailed }
