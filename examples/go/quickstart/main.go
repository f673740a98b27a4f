// quickstart: the tour of flyteremote from Go, against a Flyte (or flyte-devserver)
// endpoint.
//
// It registers a cacheable raw-container task, a workflow and its launch plan, runs the
// launch plan with a type hint whose Go hash function decides the cache key, waits,
// prints the outputs, then runs it again for another requester to show the cache hit,
// with the cache key predicted before submission and the one the server used.
//
//	go run ./quickstart URL      (e.g. http://127.0.0.1:30080; scripts/with-devserver.sh
//	                              starts a dev server and appends its URL)
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	fr "github.com/flyteremote/flyteremote-go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s URL   (e.g. http://127.0.0.1:30080)\n", os.Args[0])
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string) error {
	c, err := fr.New(ctx, fr.Options{Endpoint: url})
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Printf("flyteremote %s (Go), talking to %s\n\n", fr.LibraryVersion(), c.Endpoint())

	lp, err := register(ctx, c)
	if err != nil {
		return err
	}
	// Who asked does not change the result: the hash function gives every requester
	// the same hash, so they all share one cache entry.
	hints := map[string]fr.TypeHint{
		"requested_by": {Type: fr.String(), Hash: fr.HashFunc(func(any) (string, error) {
			return "any-requester", nil
		})},
	}
	ref := fr.ReferenceLaunchPlan(lp.Project, lp.Domain, lp.Name, "") // the latest version
	runs := []struct {
		title string
		who   string
	}{
		{"1. First run: the task runs and its outputs are cached.", "alice"},
		{"2. Same n, another requester: the type hint's hash makes it the same cache key.", "bob"},
	}
	for _, r := range runs {
		if err := execute(ctx, c, ref, r.title, r.who, hints); err != nil {
			return err
		}
	}
	return nil
}

// register registers the task, the workflow and its launch plan (idempotently).
func register(ctx context.Context, c *fr.Client) (fr.ID, error) {
	task := &fr.RawContainerTask{
		Name:    "quickstart_go.square_sum",
		Version: "v1",
		// On a cluster the image runs; the dev server runs the command as a local process.
		Image:   "debian:12-slim",
		Command: []string{"sh", "-c"},
		Args: []string{"sleep 1; seq 1 {{.inputs.n}} | awk '{s += $1 * $1} END {print s}' " +
			"> {{.outputPrefix}}/total"},
		Inputs:  map[string]fr.Type{"n": fr.Integer(), "requested_by": fr.String()},
		Outputs: map[string]fr.Type{"total": fr.Integer()},
		Cache:   &fr.Cache{Version: "1.0"},
	}
	wf := &fr.Workflow{
		Name:    "quickstart_go.wf",
		Version: "v1",
		Inputs:  task.Inputs,
		Outputs: task.Outputs,
		Nodes: []fr.Node{{ID: "square_sum", Task: task, Inputs: map[string]fr.Binding{
			"n": fr.FromInput("n"), "requested_by": fr.FromInput("requested_by")}}},
		OutputBindings: map[string]fr.Binding{"total": fr.FromNode("square_sum", "total")},
	}
	lp := &fr.LaunchPlan{Workflow: wf, Defaults: map[string]any{"requested_by": "nobody in particular"}}
	if err := c.Register(ctx, lp); err != nil { // brings the workflow and the task
		return fr.ID{}, err
	}
	fmt.Printf("Registered task %s:v1 (cached, cache version 1.0),\n"+
		"workflow %s:v1 and its launch plan.\n\n", task.Name, wf.Name)
	return lp.EntityID(), nil
}

func execute(ctx context.Context, c *fr.Client, lp fr.ID, title, who string, hints map[string]fr.TypeHint) error {
	inputs := map[string]any{"n": 10, "requested_by": who}
	x, err := c.Execute(ctx, lp, inputs, fr.ExecuteOptions{TypeHints: hints, Tags: []string{"quickstart"}})
	if err != nil {
		return err
	}
	fmt.Printf("%s\n  execution %s (n = 10, requested_by = %q)\n", title, x.Name(), who)
	start := time.Now()
	if err := x.Wait(ctx, 500*time.Millisecond); err != nil {
		return err
	}
	fmt.Printf("  %-10s after %.1f s\n", x.Phase(), time.Since(start).Seconds())
	out, err := x.Outputs()
	if err != nil {
		return err
	}
	fmt.Printf("  output: total = %v\n", out["total"])
	for _, n := range x.Nodes() {
		fmt.Printf("  node %s: %s, cache %s\n", n.NodeID, n.PhaseName, n.CacheStatus)
	}
	for _, p := range x.PredictedCacheKeys() {
		fmt.Printf("  cache key predicted before submission: dataset %s version %s, tag %s\n",
			p.Dataset.Name, p.Dataset.Version, p.ArtifactTag)
		server := p.ServerArtifactTag
		if server == "" {
			server = "(none reported)"
		}
		fmt.Printf("  cache key the server used:             %s  (%s)\n", server, p.Match)
	}
	key, err := fr.CacheKey(inputs, hints, nil)
	if err != nil {
		return err
	}
	fmt.Printf("  fr.CacheKey on the same inputs, offline:  %s\n\n", key)
	return nil
}
