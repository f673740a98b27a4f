package flyteremote

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorIs(t *testing.T) {
	cases := []struct {
		code Code
		is   []error
		not  []error
	}{
		{CodeNotFound, []error{ErrNotFound}, []error{ErrAlreadyExists, ErrInvalidInput}},
		{CodeExists, []error{ErrAlreadyExists}, []error{ErrNotFound}},
		{CodeInvalid, []error{ErrInvalidInput}, []error{ErrType}},
		{CodeType, []error{ErrType, ErrInvalidInput}, []error{ErrNotFound}},
		{CodeAuth, []error{ErrAuth}, []error{ErrUnavailable}},
		{CodeTimeout, []error{ErrTimeout}, []error{context.DeadlineExceeded}},
		{CodeUnavailable, []error{ErrUnavailable}, []error{ErrTimeout}},
		{CodeIO, []error{ErrIO}, nil},
		{CodeUser, []error{ErrCallback}, nil},
		{CodeNoMemory, []error{ErrNoMemory}, nil},
		{CodeError, []error{ErrInternal}, nil},
	}
	for _, tc := range cases {
		var err error = fmt.Errorf("wrapped: %w", &Error{Code: tc.code, Message: "m"})
		for _, s := range tc.is {
			if !errors.Is(err, s) {
				t.Errorf("%s is not %v", tc.code, s)
			}
		}
		for _, s := range tc.not {
			if errors.Is(err, s) {
				t.Errorf("%s is %v", tc.code, s)
			}
		}
	}
}

func TestErrorFieldsAndCause(t *testing.T) {
	cause := errors.New("disk on fire")
	err := error(&Error{Op: "execute", Code: CodeUser, Message: "hash function failed", HTTPStatus: 0, GRPCCode: -1, Err: cause})
	if !errors.Is(err, cause) || !errors.Is(err, ErrCallback) {
		t.Fatalf("%v: cause or sentinel lost", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Op != "execute" {
		t.Fatal("errors.As failed")
	}
	want := "flyteremote: execute: hash function failed (FLYTE_EUSER)"
	if err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestCodeNames(t *testing.T) {
	if CodeNotFound.String() != "FLYTE_ENOTFOUND" || CodeType.String() != "FLYTE_ETYPE" {
		t.Fatalf("code names %s %s", CodeNotFound, CodeType)
	}
}

func TestExecutionErrorIs(t *testing.T) {
	err := error(&ExecutionError{Project: "p", Domain: "d", Name: "x1", Phase: PhaseFailed, Message: "exit 3"})
	if !errors.Is(err, ErrExecutionFailed) || errors.Is(err, ErrNotFound) {
		t.Fatal("ExecutionError sentinel")
	}
	if !strings.Contains(err.Error(), "FAILED") || !strings.Contains(err.Error(), "exit 3") {
		t.Fatalf("message %q", err)
	}
}

func TestLibraryVersion(t *testing.T) {
	if LibraryVersion() == "" {
		t.Fatal("no library version")
	}
	if err := ensureInit(); err != nil {
		t.Fatalf("the library in use is refused: %v", err)
	}
}

func TestPhaseNames(t *testing.T) {
	if PhaseSucceeded.String() != "SUCCEEDED" || !PhaseAborted.IsDone() || PhaseRunning.IsDone() {
		t.Fatal("phases")
	}
	if CacheHit.String() != "CACHE_HIT" {
		t.Fatalf("cache status name %q", CacheHit)
	}
}
