package flyteremote

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// squareSum is a raw-container task: total = 1*1 + ... + n*n. The dev server runs its
// command as a local process.
func squareSum(name string, cache *Cache) *RawContainerTask {
	return &RawContainerTask{
		Name:    name,
		Version: "v1",
		Image:   "debian:12-slim",
		Command: []string{"sh", "-c"},
		Args:    []string{"seq 1 {{.inputs.n}} | awk '{s += $1 * $1} END {print s + 0}' > {{.outputPrefix}}/total"},
		Inputs:  map[string]Type{"n": Integer(), "requested_by": String()},
		Outputs: map[string]Type{"total": Integer()},
		Cache:   cache,
	}
}

func squareSumOf(n int) int64 {
	var s int64
	for i := 1; i <= n; i++ {
		s += int64(i * i)
	}
	return s
}

// pipeline is a workflow around one task and its default launch plan.
func pipeline(t *testing.T, task *RawContainerTask) (*Workflow, *LaunchPlan) {
	wf := &Workflow{
		Name:    unique(t, "wf"),
		Version: "v1",
		Inputs:  task.Inputs,
		Outputs: task.Outputs,
		Nodes: []Node{{ID: "square_sum", Task: task, Inputs: map[string]Binding{
			"n": FromInput("n"), "requested_by": FromInput("requested_by")}}},
		OutputBindings: map[string]Binding{"total": FromNode("square_sum", "total")},
	}
	return wf, &LaunchPlan{Workflow: wf, Defaults: map[string]any{"requested_by": "nobody"}}
}

func mustRegister(t *testing.T, c *Client, entities ...Registrable) {
	t.Helper()
	if err := c.Register(testContext(t), entities...); err != nil {
		t.Fatal(err)
	}
}

func mustRun(t *testing.T, c *Client, e Entity, inputs map[string]any, opts ExecuteOptions) *Execution {
	t.Helper()
	ctx := testContext(t)
	x, err := c.Execute(ctx, e, inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Wait(ctx, 100*time.Millisecond); err != nil {
		t.Fatalf("execution %s: %v", x.Name(), err)
	}
	return x
}

func outputsOf(t *testing.T, x *Execution) map[string]any {
	t.Helper()
	out, err := x.Outputs()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRegisterAndFetch(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)
	task := squareSum(unique(t, "task"), &Cache{Version: "1.0"})
	mustRegister(t, c, task)
	mustRegister(t, c, task) // identical: idempotent

	latest, err := c.Fetch(ctx, ReferenceTask("", "", task.Name, ""))
	if err != nil {
		t.Fatal(err)
	}
	if latest.ID != task.EntityID() {
		t.Errorf("fetched id %v, want %v", latest.ID, task.EntityID())
	}
	for name, typ := range task.Inputs {
		if !latest.Interface.Inputs[name].Equal(typ) {
			t.Errorf("input %s: fetched %s, want %s", name, latest.Interface.Inputs[name], typ)
		}
	}
	if !latest.Interface.Outputs["total"].Equal(Integer()) || !strings.Contains(latest.JSON, task.Name) {
		t.Errorf("fetched outputs %v, json %.100s", latest.Interface.Outputs, latest.JSON)
	}

	changed := *task
	changed.Args = []string{"echo 0 > {{.outputPrefix}}/total"}
	err = c.Register(ctx, &changed)
	if !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("a different task under the same version: got %v, want ErrAlreadyExists", err)
	}
	changed.Version = "v2"
	mustRegister(t, c, &changed)
	if r, err := c.Fetch(ctx, ReferenceTask("flytesnacks", "development", task.Name, "")); err != nil || r.ID.Version != "v2" {
		t.Fatalf("latest after v2: %v %v", r, err)
	}
	if r, err := c.Fetch(ctx, task); err != nil || r.ID.Version != "v1" {
		t.Fatalf("fetch v1 by the local task: %v %v", r, err)
	}
}

func TestFetchNotFound(t *testing.T) {
	c := newClient(t)
	_, err := c.Fetch(testContext(t), ReferenceLaunchPlan("flytesnacks", "development", "gotest.no.such.thing", ""))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("got %v, want ErrNotFound", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeNotFound || e.Message == "" {
		t.Fatalf("got %#v", err)
	}
	_, err = c.Fetch(testContext(t), ReferenceTask("flytesnacks", "development", "gotest.no.such.task", "v9"))
	if !errors.As(err, &e) || e.HTTPStatus != 404 || e.GRPCCode != 5 || e.Retryable {
		t.Fatalf("a missing versioned task: got %#v, want HTTP 404 and gRPC NOT_FOUND", err)
	}
}

func TestRegisterLaunchPlanBringsWorkflowAndTasks(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)
	task := squareSum(unique(t, "task"), nil)
	wf, lp := pipeline(t, task)
	lp.Fixed = map[string]any{}
	mustRegister(t, c, lp)
	for _, e := range []Entity{task, wf, lp} {
		if _, err := c.Fetch(ctx, e); err != nil {
			t.Errorf("%v was not registered: %v", e.EntityID(), err)
		}
	}
	r, err := c.Fetch(ctx, ReferenceLaunchPlan("", "", wf.Name, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.Defaults, map[string]any{"requested_by": "nobody"}) || len(r.FixedInputs) != 0 {
		t.Errorf("launch plan defaults %v, fixed %v", r.Defaults, r.FixedInputs)
	}
	if !r.Interface.Inputs["n"].Equal(Integer()) {
		t.Errorf("launch plan interface %v", r.Interface)
	}
}

func TestRegisterRefusesBadEntities(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), &Cache{}) // cached, with neither version nor policy
	err := c.Register(testContext(t), task)
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "at least one cache policy") {
		t.Fatalf("got %v", err)
	}
	wf := &Workflow{Name: unique(t, "wf"), Version: "v1", Inputs: task.Inputs,
		Nodes: []Node{{ID: "n1", Task: squareSum(unique(t, "ok"), nil), Inputs: map[string]Binding{"n": FromInput("n")}}}}
	err = c.Register(testContext(t), wf)
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "requested_by") {
		t.Fatalf("an unbound task input: got %v", err)
	}
}

func TestCachePolicies(t *testing.T) {
	c := newClient(t)
	var salts []string
	var mu sync.Mutex
	policy := CachePolicyFunc(func(salt string) (string, error) {
		mu.Lock()
		salts = append(salts, salt)
		mu.Unlock()
		return "policy-v1", nil
	})
	task := squareSum(unique(t, "task"), &Cache{Policies: []CachePolicy{policy}, Salt: "pepper"})
	mustRegister(t, c, task)
	if len(salts) == 0 || salts[0] != "pepper" {
		t.Fatalf("policy called with %v", salts)
	}
	failing := squareSum(unique(t, "failing"), &Cache{Policies: []CachePolicy{CachePolicyFunc(func(string) (string, error) {
		panic("no version today")
	})}})
	err := c.Register(testContext(t), failing)
	if !errors.Is(err, ErrCallback) || !strings.Contains(err.Error(), "no version today") {
		t.Fatalf("a panicking policy: got %v", err)
	}
}

func TestExecuteWaitOutputs(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	mustRegister(t, c, task)
	ref := ReferenceTask("flytesnacks", "development", task.Name, "") // resolved to v1
	x := mustRun(t, c, ref, map[string]any{"n": 10, "requested_by": "alice"},
		ExecuteOptions{Tags: []string{"go"}, Labels: map[string]string{"team": "go"}, Envs: map[string]string{"A": "1"}})
	if got := outputsOf(t, x); !reflect.DeepEqual(got, map[string]any{"total": int64(385)}) {
		t.Fatalf("outputs %v", got)
	}
	if x.Phase() != PhaseSucceeded || x.Project() != "flytesnacks" || x.Domain() != "development" || x.Name() == "" {
		t.Errorf("execution %s/%s/%s %s", x.Project(), x.Domain(), x.Name(), x.Phase())
	}
	in, err := x.Inputs()
	if err != nil || !reflect.DeepEqual(in, map[string]any{"n": int64(10), "requested_by": "alice"}) {
		t.Errorf("inputs %v %v", in, err)
	}
	if u := x.ConsoleURL(); !strings.Contains(u, x.Name()) {
		t.Errorf("console URL %q", u)
	}
	same, err := c.FetchExecution(testContext(t), "", "", x.Name())
	if err != nil {
		t.Fatal(err)
	}
	if got := outputsOf(t, same); got["total"] != int64(385) || same.Phase() != PhaseSucceeded {
		t.Errorf("fetched execution outputs %v", got)
	}
	if err := x.Terminate(testContext(t), "too late"); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("terminating a finished execution: %v", err)
	}
}

func TestExecuteLocalLaunchPlanWithDefaults(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	_, lp := pipeline(t, task)
	mustRegister(t, c, lp)
	x := mustRun(t, c, lp, map[string]any{"n": 3}, ExecuteOptions{}) // requested_by from the default
	if got := outputsOf(t, x); got["total"] != int64(14) {
		t.Fatalf("outputs %v", got)
	}
	nodes := x.Nodes()
	if len(nodes) != 1 || nodes[0].NodeID != "square_sum" || nodes[0].PhaseName != "SUCCEEDED" {
		t.Fatalf("nodes %+v", nodes)
	}
}

// TestEchoValues sends values of every kind through a real execution: the task copies
// its inputs.json to outputs.json, so the outputs are the inputs as the server saw them.
func TestEchoValues(t *testing.T) {
	c := newClient(t)
	types := map[string]Type{
		"n": Integer(), "x": Float(), "s": String(), "b": Boolean(), "t": Datetime(), "d": Duration(),
		"xs": Collection(Integer()), "m": Map(String()), "p": Struct(), "o": Optional(Integer()),
		"e": Enum("red", "green"), "bin": Binary(),
	}
	task := &RawContainerTask{Name: unique(t, "echo"), Version: "v1", Image: "debian:12-slim",
		Command: []string{"sh", "-c"}, Args: []string{"cp {{.inputPrefix}}/inputs.json {{.outputPrefix}}/outputs.json"},
		Inputs: types, Outputs: types}
	mustRegister(t, c, task)
	when := time.Date(2024, 12, 31, 23, 59, 59, 999, time.UTC)
	inputs := map[string]any{
		"n": 7, "x": 0.1, "s": "ünïcode \"quoted\"", "b": false, "t": when, "d": -2 * time.Hour,
		"xs": []int{3, 2, 1}, "m": map[string]string{"k": "v"}, "p": point{1.5, -2, "pt"}, "o": nil,
		"e": "green", "bin": []byte("\x00\x01"),
	}
	x := mustRun(t, c, task, inputs, ExecuteOptions{})
	want := map[string]any{
		"n": int64(7), "x": 0.1, "s": "ünïcode \"quoted\"", "b": false, "t": when, "d": -2 * time.Hour,
		"xs": []any{int64(3), int64(2), int64(1)}, "m": map[string]any{"k": "v"},
		"p": map[string]any{"x": 1.5, "y": -2.0, "name": "pt"}, "o": nil, "e": "green", "bin": []byte("\x00\x01"),
	}
	got := outputsOf(t, x)
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("output %s: got %#v, want %#v", k, got[k], w)
		}
	}
}

func TestCacheHitWithPredictedKey(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), &Cache{Version: "1.0"})
	mustRegister(t, c, task)
	inputs := map[string]any{"n": 6, "requested_by": "alice"}
	first := mustRun(t, c, task, inputs, ExecuteOptions{})
	second := mustRun(t, c, task, inputs, ExecuteOptions{})
	if outputsOf(t, second)["total"] != squareSumOf(6) {
		t.Fatalf("second outputs %v", outputsOf(t, second))
	}
	if n := first.Nodes(); len(n) != 1 || n[0].CacheStatus == CacheHit {
		t.Fatalf("first run nodes %+v", n)
	}
	n := second.Nodes()
	if len(n) != 1 || n[0].CacheStatus != CacheHit {
		t.Fatalf("second run: nodes %+v, want one CACHE_HIT", n)
	}
	want, err := CacheKey(inputs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	version, err := DatasetVersion("1.0", Interface{task.Inputs, task.Outputs})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*Execution{first, second} {
		p := x.PredictedCacheKeys()
		if len(p) != 1 {
			t.Fatalf("predictions %+v", p)
		}
		if p[0].ArtifactTag != want || p[0].ServerArtifactTag != want || p[0].Match != MatchEqual {
			t.Errorf("prediction %+v, want tag %s matching the server's", p[0], want)
		}
		if p[0].Dataset.Name != "flyte_task-"+task.Name || p[0].Dataset.Version != version {
			t.Errorf("predicted dataset %+v, want version %s", p[0].Dataset, version)
		}
	}
	if n[0].Dataset == nil || n[0].Dataset.Version != version || n[0].ArtifactTag != want {
		t.Errorf("node catalog key %+v", n[0])
	}
	third := mustRun(t, c, task, inputs, ExecuteOptions{OverwriteCache: true})
	if n := third.Nodes(); len(n) != 1 || n[0].CacheStatus == CacheHit {
		t.Errorf("overwrite_cache run: nodes %+v", n)
	}
}

func TestGoHashFuncSharesCacheEntry(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), &Cache{Version: "1.0"})
	_, lp := pipeline(t, task)
	mustRegister(t, c, lp)
	var calls sync.Map
	hints := map[string]TypeHint{"requested_by": {Type: String(), Hash: HashFunc(func(v any) (string, error) {
		calls.Store(v, true)
		return "any-requester", nil // who asked does not change the result
	})}}
	ref := ReferenceLaunchPlan("", "", lp.EntityID().Name, "")
	a := mustRun(t, c, ref, map[string]any{"n": 5, "requested_by": "alice"}, ExecuteOptions{TypeHints: hints})
	b := mustRun(t, c, ref, map[string]any{"n": 5, "requested_by": "bob"}, ExecuteOptions{TypeHints: hints})
	if _, ok := calls.Load("alice"); !ok {
		t.Error("the hash function did not see alice")
	}
	if _, ok := calls.Load("bob"); !ok {
		t.Error("the hash function did not see bob")
	}
	if n := b.Nodes(); len(n) != 1 || n[0].CacheStatus != CacheHit {
		t.Fatalf("bob's run: nodes %+v, want a cache hit on alice's entry", n)
	}
	if outputsOf(t, b)["total"] != squareSumOf(5) {
		t.Errorf("outputs %v", outputsOf(t, b))
	}
	if h := b.InputHashes(); h["requested_by"] != "any-requester" {
		t.Errorf("input hashes %v", h)
	}
	pa, pb := a.PredictedCacheKeys(), b.PredictedCacheKeys()
	if len(pa) != 1 || len(pb) != 1 || pa[0].ArtifactTag != pb[0].ArtifactTag || pb[0].Match != MatchEqual {
		t.Errorf("predictions %+v %+v", pa, pb)
	}
	key, _ := CacheKey(map[string]any{"n": 5, "requested_by": "carol"}, hints, nil)
	if key != pb[0].ArtifactTag {
		t.Errorf("CacheKey %s, predicted %s", key, pb[0].ArtifactTag)
	}
}

func TestFixedInputOverrideRefused(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	_, lp := pipeline(t, task)
	lp.Name = unique(t, "fixed")
	lp.Defaults = nil
	lp.Fixed = map[string]any{"requested_by": "the scheduler"}
	mustRegister(t, c, lp)
	ctx := testContext(t)
	_, err := c.Execute(ctx, ReferenceLaunchPlan("", "", lp.Name, ""), map[string]any{"n": 2, "requested_by": "me"}, ExecuteOptions{})
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "requested_by") {
		t.Fatalf("got %v, want ErrInvalidInput naming the fixed input", err)
	}
	x := mustRun(t, c, lp, map[string]any{"n": 2}, ExecuteOptions{})
	if outputsOf(t, x)["total"] != int64(5) {
		t.Errorf("outputs %v", outputsOf(t, x))
	}
}

func TestExecuteErrors(t *testing.T) {
	c := newClient(t)
	ctx := testContext(t)
	task := squareSum(unique(t, "task"), nil)
	mustRegister(t, c, task)
	ref := ReferenceTask("", "", task.Name, "v1")

	_, err := c.Execute(ctx, ReferenceTask("", "", "gotest.missing", ""), map[string]any{"n": 1}, ExecuteOptions{})
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown entity: %v", err)
	}
	_, err = c.Execute(ctx, ref, map[string]any{"n": "ten", "requested_by": "x"}, ExecuteOptions{})
	if !errors.Is(err, ErrType) || !strings.Contains(err.Error(), `"n"`) {
		t.Errorf("a string for an integer: %v", err)
	}
	_, err = c.Execute(ctx, ref, map[string]any{"n": 1}, ExecuteOptions{})
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "requested_by") {
		t.Errorf("a missing required input: %v", err)
	}
	_, err = c.Execute(ctx, ref, map[string]any{"n": 1, "requested_by": "x", "extra": 1}, ExecuteOptions{})
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "extra") {
		t.Errorf("an undeclared input: %v", err)
	}
	_, err = c.Execute(ctx, ref, map[string]any{"n": 1, "requested_by": "x"}, ExecuteOptions{Name: "Not A Name"})
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("a bad execution name: %v", err)
	}
	sentinel := errors.New("hasher exploded")
	_, err = c.Execute(ctx, ref, map[string]any{"n": 1, "requested_by": "x"}, ExecuteOptions{
		TypeHints: map[string]TypeHint{"requested_by": {Hash: HashFunc(func(any) (string, error) { return "", sentinel })}}})
	if !errors.Is(err, sentinel) || !errors.Is(err, ErrCallback) {
		t.Errorf("a failing hash function: %v", err)
	}
	_, err = c.Execute(ctx, ref, map[string]any{"n": 1, "requested_by": "x"}, ExecuteOptions{
		TypeHints: map[string]TypeHint{"n": {Hash: HashFunc(func(v any) (string, error) { panic(fmt.Sprint("bad ", v)) })}}})
	if !errors.Is(err, ErrCallback) || !strings.Contains(err.Error(), "bad 1") {
		t.Errorf("a panicking hash function: %v", err)
	}
}

func TestExecuteWithNameIsIdempotentAndConflicts(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	mustRegister(t, c, task)
	name := fmt.Sprintf("go-named-%d", time.Now().UnixNano()%1_000_000_000)
	x := mustRun(t, c, task, map[string]any{"n": 2, "requested_by": "a"}, ExecuteOptions{Name: name})
	if x.Name() != name {
		t.Fatalf("name %q", x.Name())
	}
	_, err := c.Execute(testContext(t), task, map[string]any{"n": 3, "requested_by": "a"}, ExecuteOptions{Name: name})
	if !errors.Is(err, ErrAlreadyExists) {
		t.Fatalf("another launch under the same name: %v", err)
	}
}

func slowTask(t *testing.T) *RawContainerTask {
	return &RawContainerTask{Name: unique(t, "slow"), Version: "v1", Image: "debian:12-slim",
		Command: []string{"sh", "-c"}, Args: []string{"sleep 30; echo 1 > {{.outputPrefix}}/out"},
		Outputs: map[string]Type{"out": Integer()}}
}

func TestWaitHonoursContext(t *testing.T) {
	c := newClient(t)
	task := slowTask(t)
	mustRegister(t, c, task)
	x, err := c.Execute(testContext(t), task, nil, ExecuteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = x.Wait(ctx, 5*time.Second)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Wait returned %v after its context ended", d)
	}
	if x.Phase().IsDone() {
		t.Fatalf("phase %s", x.Phase())
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(100 * time.Millisecond); cancel2() }()
	if err := x.Wait(ctx2, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v", err)
	}
	if _, err := x.Outputs(); errors.Is(err, ErrExecutionFailed) || err == nil {
		t.Errorf("outputs of a running execution: %v", err)
	}
	if err := x.Terminate(testContext(t), "test over"); err != nil {
		t.Fatal(err)
	}
	err = x.Wait(testContext(t), 100*time.Millisecond)
	var xe *ExecutionError
	if !errors.As(err, &xe) || xe.Phase != PhaseAborted || !errors.Is(err, ErrExecutionFailed) {
		t.Fatalf("after terminate: %v", err)
	}
	if _, err := x.Outputs(); !errors.Is(err, ErrExecutionFailed) {
		t.Errorf("outputs of an aborted execution: %v", err)
	}
	if _, err := c.Execute(ctx, task, nil, ExecuteOptions{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Execute with a done context: %v", err)
	}
}

func TestFailedExecution(t *testing.T) {
	c := newClient(t)
	task := &RawContainerTask{Name: unique(t, "fail"), Version: "v1", Image: "debian:12-slim",
		Command: []string{"sh", "-c"}, Args: []string{"echo broken >&2; exit 3"}, Outputs: map[string]Type{"out": Integer()}}
	mustRegister(t, c, task)
	x, err := c.Execute(testContext(t), task, nil, ExecuteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = x.Wait(testContext(t), 100*time.Millisecond)
	var xe *ExecutionError
	if !errors.As(err, &xe) || xe.Phase != PhaseFailed || xe.Name != x.Name() || x.ErrorMessage() == "" {
		t.Fatalf("got %v (message %q), want an ExecutionError in FAILED", err, x.ErrorMessage())
	}
	if n := x.Nodes(); len(n) != 1 || n[0].Error == "" {
		t.Errorf("nodes %+v", n)
	}
}

func TestRelaunch(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	mustRegister(t, c, task)
	x := mustRun(t, c, task, map[string]any{"n": 4, "requested_by": "r"}, ExecuteOptions{})
	y, err := x.Relaunch(testContext(t), false)
	if err != nil {
		t.Fatal(err)
	}
	if y.Name() == x.Name() {
		t.Fatal("relaunch reused the name")
	}
	if err := y.Wait(testContext(t), 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if outputsOf(t, y)["total"] != squareSumOf(4) {
		t.Errorf("relaunched outputs %v", outputsOf(t, y))
	}
}

func TestConcurrentExecutes(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), &Cache{Version: "1.0"})
	mustRegister(t, c, task)
	const workers = 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			ctx := testContext(t)
			hints := map[string]TypeHint{"requested_by": {Hash: HashFunc(func(v any) (string, error) {
				return "worker-" + v.(string), nil
			})}}
			inputs := map[string]any{"n": n, "requested_by": fmt.Sprint(n)}
			x, err := c.Execute(ctx, ReferenceTask("", "", task.Name, "v1"), inputs, ExecuteOptions{TypeHints: hints})
			if err != nil {
				errs <- err
				return
			}
			if err := x.Wait(ctx, 100*time.Millisecond); err != nil {
				errs <- err
				return
			}
			out, err := x.Outputs()
			if err != nil || out["total"] != squareSumOf(n) {
				errs <- fmt.Errorf("n=%d: outputs %v %v", n, out, err)
				return
			}
			key, _ := CacheKey(inputs, hints, nil)
			if p := x.PredictedCacheKeys(); len(p) != 1 || p[0].ArtifactTag != key || p[0].Match != MatchEqual {
				errs <- fmt.Errorf("n=%d: predictions %+v, want %s", n, p, key)
			}
		}(i + 1)
	}
	// Reads of one Execution from several goroutines while others launch.
	x := mustRun(t, c, task, map[string]any{"n": 20, "requested_by": "shared"}, ExecuteOptions{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := x.Sync(testContext(t)); err != nil {
				errs <- err
			}
			_ = x.Nodes()
			if out, err := x.Outputs(); err != nil || out["total"] != squareSumOf(20) {
				errs <- fmt.Errorf("shared execution outputs %v %v", out, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestClosedClient(t *testing.T) {
	if serverURL == "" {
		t.Skip("no flyte-devserver (-short)")
	}
	c, err := New(context.Background(), Options{Endpoint: serverURL})
	if err != nil {
		t.Fatal(err)
	}
	if c.Endpoint() == "" || c.Project() != "flytesnacks" || c.Domain() != "development" {
		t.Errorf("client %q %q %q", c.Endpoint(), c.Project(), c.Domain())
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	_, err = c.Fetch(context.Background(), ReferenceTask("", "", "x", ""))
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestClientOptions(t *testing.T) {
	if serverURL == "" {
		t.Skip("no flyte-devserver (-short)")
	}
	var mu sync.Mutex
	var logs []string
	c, err := New(context.Background(), Options{Endpoint: serverURL, Project: "flytesnacks", Domain: "staging",
		Timeout: 5 * time.Second, MaxAttempts: 2, LogLevel: LogDebug,
		Log: func(level LogLevel, msg string) {
			mu.Lock()
			logs = append(logs, msg)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Domain() != "staging" {
		t.Errorf("domain %q", c.Domain())
	}
	body, err := c.Request(testContext(t), "GET", "/api/v1/version", "", true)
	if err != nil || !strings.HasPrefix(strings.TrimSpace(body), "{") {
		t.Fatalf("raw request: %q %v", body, err)
	}
	task := squareSum(unique(t, "task"), nil)
	task.Domain = "staging"
	mustRegister(t, c, task)
	if _, err := c.Execute(testContext(t), task, map[string]any{"n": 1, "requested_by": "me"},
		ExecuteOptions{LogInputSources: true}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	joined := strings.Join(logs, "\n")
	mu.Unlock()
	if !strings.Contains(joined, `input "requested_by"`) {
		t.Errorf("the input sources were not logged through Options.Log: %q", joined)
	}
	_, err = New(context.Background(), Options{Endpoint: serverURL, Token: "t", Command: []string{"x"}})
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("two auth modes: %v", err)
	}
	_, err = New(context.Background(), Options{})
	if !errors.Is(err, ErrInvalidInput) {
		t.Errorf("no endpoint: %v", err)
	}
}

func TestUnreachableServer(t *testing.T) {
	c, err := New(context.Background(), Options{Endpoint: "http://127.0.0.1:1", MaxAttempts: 1,
		ConnectTimeout: time.Second, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Fetch(context.Background(), ReferenceTask("p", "d", "n", "v"))
	var e *Error
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &e) || !e.Retryable {
		t.Fatalf("got %#v, want a retryable ErrUnavailable", err)
	}
}

func TestFromConfig(t *testing.T) {
	if serverURL == "" {
		t.Skip("no flyte-devserver (-short)")
	}
	dir := t.TempDir()
	cfg := dir + "/config.yaml"
	host := strings.TrimPrefix(serverURL, "http://")
	yaml := "admin:\n  endpoint: dns:///" + host + "\n  insecure: true\ntask:\n  project: flytesnacks\n  domain: development\n"
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"FLYTE_PLATFORM_URL", "FLYTE_PLATFORM_INSECURE", "FLYTE_LOCAL_PROJECT", "FLYTE_LOCAL_DOMAIN"} {
		t.Setenv(k, "")
		_ = os.Unsetenv(k)
	}
	c, err := FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Request(testContext(t), "GET", "/api/v1/version", "", true); err != nil {
		t.Fatalf("client from %s (%s): %v", cfg, c.Endpoint(), err)
	}
	if _, err := FromConfig(dir + "/missing.yaml"); !errors.Is(err, ErrIO) {
		t.Errorf("a missing explicit config file: %v", err)
	}
}

func TestExecuteReferenceWorkflow(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	wf, lp := pipeline(t, task)
	mustRegister(t, c, lp)
	x := mustRun(t, c, ReferenceWorkflow("", "", wf.Name, ""), map[string]any{"n": 2, "requested_by": "wf"}, ExecuteOptions{})
	if outputsOf(t, x)["total"] != int64(5) {
		t.Errorf("outputs %v", outputsOf(t, x))
	}
	r, err := c.Fetch(testContext(t), wf)
	if err != nil {
		t.Fatal(err)
	}
	x = mustRun(t, c, r, map[string]any{"n": 3, "requested_by": "wf"}, ExecuteOptions{})
	if outputsOf(t, x)["total"] != int64(14) {
		t.Errorf("outputs of the fetched workflow %v", outputsOf(t, x))
	}
}

// TestFileContentKeysTheCache: two local files with the same bytes, uploaded by
// Execute, share a cache entry through the SHA256File hint, though their upload
// locations and paths differ.
func TestFileContentKeysTheCache(t *testing.T) {
	c := newClient(t)
	task := &RawContainerTask{Name: unique(t, "lines"), Version: "v1", Image: "debian:12-slim",
		Command: []string{"sh", "-c"}, Args: []string{"wc -l < {{.inputs.f}} > {{.outputPrefix}}/lines"},
		Inputs: map[string]Type{"f": BlobType("csv")}, Outputs: map[string]Type{"lines": Integer()},
		Cache: &Cache{Version: "1"}}
	mustRegister(t, c, task)
	dir := t.TempDir()
	content := fmt.Sprintf("a,b\n1,2\n%d,4\n", time.Now().UnixNano())
	paths := []string{dir + "/one.csv", dir + "/two.csv"}
	for _, p := range paths {
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	hints := map[string]TypeHint{"f": {Hash: SHA256File}}
	var runs []*Execution
	for _, p := range paths {
		runs = append(runs, mustRun(t, c, task, map[string]any{"f": Blob{URI: p, Format: "csv"}}, ExecuteOptions{TypeHints: hints}))
	}
	if outputsOf(t, runs[1])["lines"] != int64(3) {
		t.Fatalf("outputs %v", outputsOf(t, runs[1]))
	}
	if n := runs[1].Nodes(); len(n) != 1 || n[0].CacheStatus != CacheHit {
		t.Fatalf("second file: nodes %+v, want a cache hit", n)
	}
	in, err := runs[0].Inputs()
	if err != nil {
		t.Fatal(err)
	}
	if b, ok := in["f"].(Blob); !ok || strings.Contains(b.URI, dir) {
		t.Errorf("input sent %#v, want the uploaded location", in["f"])
	}
	if p := runs[1].PredictedCacheKeys(); len(p) != 1 || p[0].Match != MatchEqual {
		t.Errorf("predictions %+v", p)
	}
}

// TestFinalizers drops clients and executions without closing them: the finalizers
// free them, with no crash and no effect on other clients.
func TestFinalizers(t *testing.T) {
	c := newClient(t)
	task := squareSum(unique(t, "task"), nil)
	mustRegister(t, c, task)
	for i := 0; i < 5; i++ {
		other, err := New(context.Background(), Options{Endpoint: serverURL})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.Execute(testContext(t), task, map[string]any{"n": i, "requested_by": "gc"}, ExecuteOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 3; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	x := mustRun(t, c, task, map[string]any{"n": 1, "requested_by": "after gc"}, ExecuteOptions{})
	if outputsOf(t, x)["total"] != int64(1) {
		t.Fatal("the surviving client broke")
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Outputs(); !errors.Is(err, ErrClosed) {
		t.Errorf("outputs of a closed execution: %v", err)
	}
}
