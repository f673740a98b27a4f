package flyteremote

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serverURL is the dev server the integration tests talk to; "" when there is none
// (go test -short without a built server).
var serverURL string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

// runTests starts flyte-devserver on a free loopback port with a fresh database, runs
// the tests and stops it. FLYTE_DEVSERVER names the binary (default: the source tree's
// build).
func runTests(m *testing.M) int {
	bin := os.Getenv("FLYTE_DEVSERVER")
	if bin == "" {
		bin = "../../build/devserver/flyte-devserver"
	}
	if _, err := os.Stat(bin); err != nil {
		if testing.Short() {
			fmt.Fprintf(os.Stderr, "no flyte-devserver at %s: integration tests skipped (-short)\n", bin)
			return m.Run()
		}
		fmt.Fprintf(os.Stderr, "flyte-devserver not found at %s: build it (cmake), set FLYTE_DEVSERVER, "+
			"or run go test -short to skip the integration tests\n", bin)
		return 1
	}
	dir, err := os.MkdirTemp("", "flyteremote-go-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--listen", "127.0.0.1:0", "--db", filepath.Join(dir, "db.sqlite"),
		"--data-dir", filepath.Join(dir, "data"))
	cmd.Stderr = logFile
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "starting flyte-devserver:", err)
		return 1
	}
	defer stopServer(cmd)
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- strings.TrimSpace(line)
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case serverURL = <-lines:
	case <-time.After(20 * time.Second):
	}
	if !strings.HasPrefix(serverURL, "http") {
		log, _ := os.ReadFile(logFile.Name())
		fmt.Fprintf(os.Stderr, "flyte-devserver did not print its URL (got %q):\n%s\n", serverURL, log)
		return 1
	}
	return m.Run()
}

func stopServer(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// newClient connects to the test server; the test is skipped when there is none.
func newClient(t *testing.T) *Client {
	t.Helper()
	if serverURL == "" {
		t.Skip("no flyte-devserver (-short)")
	}
	c, err := New(context.Background(), Options{Endpoint: serverURL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

var nonName = regexp.MustCompile(`[^a-z0-9]+`)

// unique is an entity name of the test's own, so tests never share cache entries.
func unique(t *testing.T, suffix string) string {
	return "gotest." + strings.Trim(nonName.ReplaceAllString(strings.ToLower(t.Name()), "-"), "-") + "." + suffix
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
