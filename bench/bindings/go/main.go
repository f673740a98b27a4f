// Command bench-go is the Go side of bench/bindings: N sequential creates of a fetched
// task through the binding; prints the median in microseconds.
//
//	bench-go URL N
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	fr "github.com/flyteremote/flyteremote-go"
)

func main() {
	n, _ := strconv.Atoi(os.Args[2])
	ctx := context.Background()
	c, err := fr.New(ctx, fr.Options{Endpoint: os.Args[1]})
	if err != nil {
		panic(err)
	}
	defer c.Close()
	task := &fr.RawContainerTask{Name: "bench.bindings_go", Version: "v1", Image: "alpine:3", Command: []string{"true"},
		Inputs: map[string]fr.Type{"x": fr.Integer()}}
	if err := c.Register(ctx, task); err != nil {
		panic(err)
	}
	ref := fr.ReferenceTask("flytesnacks", "development", "bench.bindings_go", "v1")
	times := make([]float64, 0, n)
	for k := 0; k < n; k++ {
		t0 := time.Now()
		x, err := c.Execute(ctx, ref, map[string]any{"x": int64(k)}, fr.ExecuteOptions{})
		if err != nil {
			panic(err)
		}
		times = append(times, float64(time.Since(t0).Microseconds()))
		x.Close()
	}
	sort.Float64s(times)
	fmt.Printf("go\t%.1f\n", times[n/2])
}
