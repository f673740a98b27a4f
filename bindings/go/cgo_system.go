//go:build flyteremote_system

package flyteremote

// An installed libflyteremote: headers and library where the C compiler and the linker
// look by default, or where CGO_CFLAGS (-I...) and CGO_LDFLAGS (-L... -Wl,-rpath,...) say.

/*
#cgo LDFLAGS: -lflyteremote
*/
import "C"
