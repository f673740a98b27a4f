//go:build !flyteremote_system

package flyteremote

// By default the package builds against the source tree it lives in: the headers in
// include/ and the library in build/ (cmake -B build), found at run time through an
// rpath. Build with -tags flyteremote_system to use an installed library instead
// (CGO_CFLAGS / CGO_LDFLAGS may point at it); CGO_CFLAGS and CGO_LDFLAGS also come
// before these flags, so an -I or -L given there wins in either mode.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -L${SRCDIR}/../../build -lflyteremote -Wl,-rpath,${SRCDIR}/../../build
*/
import "C"
