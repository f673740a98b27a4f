package flyteremote

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

func rssKiB(t *testing.T) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.Fields(rest)[0])
			return n
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestNoCMemoryGrowth repeats every conversion path many times and checks that the
// process does not grow: C memory the binding forgot to free would. Valgrind and
// LeakSanitizer cannot tell, as a leaked pointer often lingers in a Go stack. Opt-in
// (FLYTEREMOTE_LEAKCHECK=1): it takes a while.
func TestNoCMemoryGrowth(t *testing.T) {
	if os.Getenv("FLYTEREMOTE_LEAKCHECK") == "" {
		t.Skip("set FLYTEREMOTE_LEAKCHECK=1 to run")
	}
	hints := map[string]TypeHint{
		"who": {Type: String(), Hash: HashFunc(func(v any) (string, error) { return "h", nil })},
		"o":   {Type: Optional(Collection(Map(Float())))},
	}
	inputs := map[string]any{
		"who": "alice", "n": 3, "t": time.Unix(5, 6), "p": point{1, 2, "p"}, "b": []byte("xyz"),
		"o": []map[string]float64{{"a": 1}}, "f": Blob{URI: "s3://x", Format: "csv"},
	}
	step := func() {
		if _, err := CacheKey(inputs, hints, []string{"n"}); err != nil {
			t.Fatal(err)
		}
		js, err := InputsJSON(inputs, hints)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ToLiteralJSON(inputs, Type{}); err != nil {
			t.Fatal(err)
		}
		if _, err := FromLiteralJSON(`{"map":` + js + `}`); err != nil {
			t.Fatal(err)
		}
		_ = Union(Integer().WithTag("i"), Struct().WithMetadata(`{"a":1}`)).String()
		_, _ = ToLiteralJSON(true, Union(Integer(), String())) // the failing path
		_, _ = CacheKey(inputs, map[string]TypeHint{"who": {Hash: HashFunc(func(any) (string, error) { panic("x") })}}, nil)
	}
	for i := 0; i < 2000; i++ { // warm up: heaps reach their working size
		step()
	}
	debug.FreeOSMemory()
	before := rssKiB(t)
	for i := 0; i < 20000; i++ {
		step()
	}
	debug.FreeOSMemory()
	after := rssKiB(t)
	t.Logf("RSS %d KiB -> %d KiB over 20000 rounds", before, after)
	if after-before > 16*1024 {
		t.Errorf("RSS grew by %d KiB: C memory is leaking", after-before)
	}
}

// TestNoCMemoryGrowthRemote does the same for the calls that talk to the server.
func TestNoCMemoryGrowthRemote(t *testing.T) {
	if os.Getenv("FLYTEREMOTE_LEAKCHECK") == "" {
		t.Skip("set FLYTEREMOTE_LEAKCHECK=1 to run")
	}
	c := newClient(t)
	task := squareSum(unique(t, "task"), &Cache{Version: "1"})
	_, lp := pipeline(t, task)
	mustRegister(t, c, lp)
	x := mustRun(t, c, lp, map[string]any{"n": 3}, ExecuteOptions{})
	ctx := testContext(t)
	rounds := 2000
	if s := os.Getenv("FLYTEREMOTE_LEAKCHECK_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	step := func() {
		if err := c.Register(ctx, lp); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Fetch(ctx, lp); err != nil {
			t.Fatal(err)
		}
		_, _ = c.Fetch(ctx, ReferenceTask("", "", "gotest.missing", "v1"))
		y, err := c.FetchExecution(ctx, "", "", x.Name())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := y.Outputs(); err != nil {
			t.Fatal(err)
		}
		_, _ = y.Inputs()
		_ = y.Nodes()
		_ = y.PredictedCacheKeys()
		_ = y.ConsoleURL()
		y.Close()
	}
	for i := 0; i < 200; i++ {
		step()
	}
	debug.FreeOSMemory()
	before := rssKiB(t)
	for i := 0; i < rounds; i++ {
		step()
	}
	debug.FreeOSMemory()
	after := rssKiB(t)
	t.Logf("RSS %d KiB -> %d KiB over %d rounds", before, after, rounds)
	if after-before > 4*1024 {
		t.Errorf("RSS grew by %d KiB: C memory is leaking", after-before)
	}
}
