package flyteremote

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"
)

// The shared scenario (tests/scenarios/shared.json) through the Go binding: the C SDK and
// the Python binding run the same table and must get the same outputs and cache keys.

type scenarioTable struct {
	Project, Domain string
	Tasks           []struct {
		Name, Version, Script string
		CacheVersion          string            `json:"cache_version"`
		Inputs                map[string]string `json:"inputs"`
		Outputs               map[string]string `json:"outputs"`
	}
	Cases []struct {
		Task           string
		Inputs         map[string]any
		Hash           map[string]string
		Outputs        map[string]any
		ArtifactTag    string `json:"artifact_tag"`
		DatasetVersion string `json:"dataset_version"`
	}
}

var scenarioTypes = map[string]Type{"integer": Integer(), "float": Float(), "string": String(), "boolean": Boolean()}

func TestSharedScenario(t *testing.T) {
	if serverURL == "" {
		t.Skip("no dev server")
	}
	raw, err := os.ReadFile("../../tests/scenarios/shared.json")
	if err != nil {
		t.Fatal(err)
	}
	var table scenarioTable
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := newClient(t)
	types := func(m map[string]string) map[string]Type {
		out := map[string]Type{}
		for k, v := range m {
			out[k] = scenarioTypes[v]
		}
		return out
	}
	declared := map[string]map[string]string{} // task -> input -> type
	for _, spec := range table.Tasks {
		declared[spec.Name] = spec.Inputs
		task := &RawContainerTask{Project: table.Project, Domain: table.Domain, Name: spec.Name,
			Version: spec.Version, Image: "alpine:3", Command: []string{"sh", "-c"}, Args: []string{spec.Script},
			Inputs: types(spec.Inputs), Outputs: types(spec.Outputs),
			Cache: &Cache{Version: spec.CacheVersion}, InputPath: "/var/inputs", OutputPath: "/var/outputs"}
		if err := c.Register(ctx, task); err != nil {
			t.Fatalf("register %s: %v", spec.Name, err)
		}
	}
	for _, k := range table.Cases {
		t.Run(k.Task, func(t *testing.T) {
			hints := map[string]TypeHint{}
			for name, fn := range k.Hash {
				if fn != "lower" {
					t.Fatalf("unknown hash %s", fn)
				}
				hints[name] = TypeHint{Hash: HashFunc(func(v any) (string, error) { return strings.ToLower(v.(string)), nil })}
			}
			inputs := map[string]any{}
			for name, v := range k.Inputs {
				// JSON numbers arrive as float64: integer inputs become Go integers.
				if f, ok := v.(float64); ok && declared[k.Task][name] == "integer" {
					v = int64(f)
				}
				inputs[name] = v
			}
			x, err := c.Execute(ctx, ReferenceTask(table.Project, table.Domain, k.Task, ""), inputs,
				ExecuteOptions{TypeHints: hints})
			if err != nil {
				t.Fatal(err)
			}
			defer x.Close()
			if err := x.Wait(ctx, 100*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			out, err := x.Outputs()
			if err != nil {
				t.Fatal(err)
			}
			for name, want := range k.Outputs {
				switch got := out[name].(type) {
				case int64:
					if float64(got) != want.(float64) {
						t.Errorf("output %s = %v, want %v", name, got, want)
					}
				case float64:
					if math.Abs(got-want.(float64)) > 1e-9 {
						t.Errorf("output %s = %v, want %v", name, got, want)
					}
				default:
					if got != want {
						t.Errorf("output %s = %v, want %v", name, got, want)
					}
				}
			}
			keys := x.PredictedCacheKeys()
			if len(keys) != 1 || keys[0].Match != MatchEqual {
				t.Fatalf("predicted keys %+v", keys)
			}
			if keys[0].ArtifactTag != k.ArtifactTag || keys[0].Dataset.Version != k.DatasetVersion {
				t.Errorf("cache key %s %s, the table says %s %s", keys[0].ArtifactTag, keys[0].Dataset.Version,
					k.ArtifactTag, k.DatasetVersion)
			}
		})
	}
}
