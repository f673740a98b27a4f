package flyteremote

/*
#include <stdlib.h>
#include <flyte/flyte.h>

#if !defined(FLYTE_VERSION_NUMBER) || FLYTE_VERSION_NUMBER < 100
#error "flyteremote-go needs the headers of libflyteremote 0.1.0 or newer"
#endif
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// MinLibraryVersion is the oldest libflyteremote this package works with. New (and the
// other entry points) refuse an older library found at run time with
// ErrIncompatibleLibrary, as they do a library of another major version than the headers
// the package was compiled with.
const MinLibraryVersion = "0.1.0"

const minLibraryVersionNumber = 100

// LibraryVersion is the version of the libflyteremote loaded at run time, e.g. "0.1.0".
func LibraryVersion() string { return C.GoString(C.flyte_version()) }

var (
	initOnce sync.Once
	initErr  error
)

// ensureInit checks the library version, then takes one reference on the library's
// process-wide initialisation (libcurl) and never gives it back, so that creating and
// freeing clients on many goroutines never initialises or cleans up libcurl while
// another thread uses it.
func ensureInit() error {
	initOnce.Do(func() {
		n := int(C.flyte_version_number())
		if n < minLibraryVersionNumber || n/10000 != int(C.FLYTE_VERSION_MAJOR) {
			initErr = &Error{Op: "init", Code: CodeError, GRPCCode: -1, Err: ErrIncompatibleLibrary,
				Message: fmt.Sprintf("libflyteremote %s is loaded; this package needs %s or newer with major version %d",
					LibraryVersion(), MinLibraryVersion, int(C.FLYTE_VERSION_MAJOR))}
			return
		}
		if rc := C.flyte_global_init(); rc != 0 {
			initErr = cError("init", rc, nil)
		}
	})
	return initErr
}

// arena collects the C memory of one call (strings, arrays) and frees it in one go. It
// also remembers the first string that cannot cross into C (one holding a NUL byte), so
// that callers check a.err once before the C call instead of after every conversion.
type arena struct {
	ptrs []unsafe.Pointer
	err  error
}

func (a *arena) free() {
	for _, p := range a.ptrs {
		C.free(p)
	}
	a.ptrs = nil
}

// str converts s to a C string owned by the arena.
func (a *arena) str(s string) *C.char {
	if strings.IndexByte(s, 0) >= 0 && a.err == nil {
		a.err = invalidf("string %q contains a NUL byte", s)
	}
	p := C.CString(s)
	a.ptrs = append(a.ptrs, unsafe.Pointer(p))
	return p
}

// optStr is str, except that "" becomes NULL (the C API's "not set").
func (a *arena) optStr(s string) *C.char {
	if s == "" {
		return nil
	}
	return a.str(s)
}

// strs converts ss to a C array of C strings; nil when ss is empty.
func (a *arena) strs(ss []string) **C.char {
	if len(ss) == 0 {
		return nil
	}
	p := C.malloc(C.size_t(len(ss)) * C.size_t(unsafe.Sizeof((*C.char)(nil))))
	a.ptrs = append(a.ptrs, p)
	arr := unsafe.Slice((**C.char)(p), len(ss))
	for i, s := range ss {
		arr[i] = a.str(s)
	}
	return (**C.char)(p)
}

// goString copies a borrowed C string; NULL gives "".
func goString(s *C.char) string {
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// takeString copies and frees a string the SDK returned.
func takeString(s *C.char) string {
	defer C.flyte_string_free(s)
	return goString(s)
}
