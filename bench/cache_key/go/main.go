// Command cachekey-go times Flyte's own artifact-tag computation (the v1
// DataCatalog cache key over task inputs) on LiteralMap JSON files.
//
//	cachekey-go [--iterations N] [--dump-jsonpb DIR] FILE...
//	cachekey-go --check-vectors cache_key_vectors.jsonl
//
// The tag is computed as flytepropeller does it (GenerateArtifactTagName ->
// catalog.HashLiteralMap): drop ignored inputs, hashify, pbhash.ComputeHash,
// base64.RawURLEncoding, prefix "flyte_cached-". hashify is a copy of
// flyteplugins/go/tasks/pluginmachinery/catalog/hashing.go (flyteplugins is
// too heavy to import); pbhash and the flyteidl types are Flyte's own.
package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/flyteorg/flyte/flyteidl/gen/pb-go/flyteidl/core"
	"github.com/flyteorg/flyte/flytestdlib/pbhash"
	"github.com/golang/protobuf/jsonpb" //nolint:staticcheck // what pbhash.ComputeHash marshals with
	"google.golang.org/protobuf/encoding/protojson"
)

const cachedTaskTag = "flyte_cached"

// hashify produces a copy of literal where a literal with a hash is replaced
// by {hash}; it recurses into collections and maps, not into unions.
func hashify(literal *core.Literal) *core.Literal {
	if literal.GetHash() != "" {
		return &core.Literal{Hash: literal.GetHash()}
	}
	if literal.GetCollection() != nil {
		literals := make([]*core.Literal, 0)
		for _, lit := range literal.GetCollection().GetLiterals() {
			literals = append(literals, hashify(lit))
		}
		return &core.Literal{Value: &core.Literal_Collection{
			Collection: &core.LiteralCollection{Literals: literals},
		}}
	}
	if literal.GetMap() != nil {
		literals := make(map[string]*core.Literal)
		for key, lit := range literal.GetMap().GetLiterals() {
			literals[key] = hashify(lit)
		}
		return &core.Literal{Value: &core.Literal_Map{
			Map: &core.LiteralMap{Literals: literals},
		}}
	}
	return literal
}

// hashifyMap is the filtering part of catalog.HashLiteralMap: ignored
// top-level inputs are dropped, every other literal is hashified. A nil or
// empty map gives the empty map.
func hashifyMap(inputs *core.LiteralMap, ignore []string) *core.LiteralMap {
	filtered := make(map[string]*core.Literal, len(inputs.GetLiterals()))
	for name, literal := range inputs.GetLiterals() {
		if !slices.Contains(ignore, name) {
			filtered[name] = hashify(literal)
		}
	}
	return &core.LiteralMap{Literals: filtered}
}

// artifactTag is datacatalog.GenerateArtifactTagName.
func artifactTag(ctx context.Context, inputs *core.LiteralMap, ignore []string) (string, error) {
	digest, err := pbhash.ComputeHash(ctx, hashifyMap(inputs, ignore))
	if err != nil {
		return "", err
	}
	return cachedTaskTag + "-" + base64.RawURLEncoding.EncodeToString(digest), nil
}

func readLiteralMap(path string) (*core.LiteralMap, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lm := &core.LiteralMap{}
	if err := protojson.Unmarshal(data, lm); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return lm, nil
}

// bench times artifactTag on one file and prints
// go <basename> <tag> <best ns/op> <median ns/op>.
func bench(ctx context.Context, path string, iterations int, dumpDir string) error {
	lm, err := readLiteralMap(path)
	if err != nil {
		return err
	}
	base := filepath.Base(path)

	if dumpDir != "" {
		// pbhash.ComputeHash marshals with a package-level &jsonpb.Marshaler{}
		// (MarshalToString); these are the same bytes it hashes.
		text, err := (&jsonpb.Marshaler{}).MarshalToString(hashifyMap(lm, nil))
		if err != nil {
			return fmt.Errorf("%s: jsonpb: %w", path, err)
		}
		out := filepath.Join(dumpDir, strings.TrimSuffix(base, filepath.Ext(base))+".jsonpb")
		if err := os.WriteFile(out, []byte(text), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "wrote %s (%d bytes)\n", out, len(text))
	}

	// Warm-up run: gives the tag and, without --iterations, the iteration count.
	start := time.Now()
	tag, err := artifactTag(ctx, lm, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if iterations <= 0 {
		iterations = int(time.Second/max(time.Since(start), time.Nanosecond)) + 1
		iterations = max(iterations, 3)
	}

	times := make([]time.Duration, iterations)
	for i := range times {
		start := time.Now()
		got, err := artifactTag(ctx, lm, nil)
		times[i] = time.Since(start)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if got != tag {
			return fmt.Errorf("%s: tag changed between runs: %s != %s", path, got, tag)
		}
	}
	slices.Sort(times)
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	fmt.Printf("go\t%s\t%s\t%d\t%d\n", base, tag, times[0].Nanoseconds(), median.Nanoseconds())
	return nil
}

type vector struct {
	Kind   string          `json:"kind"`
	Name   string          `json:"name"`
	Ignore []string        `json:"ignore"`
	Nil    bool            `json:"nil"`
	Value  json.RawMessage `json:"value"`
	Expect string          `json:"expect"`
}

// checkVectors recomputes every "kind":"literals" line of the conformance
// file and compares it with its expect value.
func checkVectors(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	total, matched, upTotal, upMatched := 0, 0, 0, 0
	var failed []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var v vector
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if v.Kind != "literals" {
			continue
		}
		var lm *core.LiteralMap
		if !v.Nil {
			lm = &core.LiteralMap{}
			if err := protojson.Unmarshal(v.Value, lm); err != nil {
				return fmt.Errorf("%s:%d (%s): %w", path, line, v.Name, err)
			}
		}
		got, err := artifactTag(ctx, lm, v.Ignore)
		if err != nil {
			got = "error: " + err.Error()
		}
		upstream := strings.HasPrefix(v.Name, "upstream_")
		total++
		if upstream {
			upTotal++
		}
		if got == v.Expect {
			matched++
			if upstream {
				upMatched++
			}
		} else {
			failed = append(failed, fmt.Sprintf("%s: got %s, expect %s", v.Name, got, v.Expect))
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	sort.Strings(failed)
	for _, s := range failed {
		fmt.Println("MISMATCH", s)
	}
	fmt.Printf("vectors: %d/%d literals cases matched (upstream_*: %d/%d)\n", matched, total, upMatched, upTotal)
	if matched != total {
		return errors.New("some vectors did not match")
	}
	return nil
}

func main() {
	iterations := flag.Int("iterations", 0, "timed iterations per file (default: enough for >= 1 s, at least 3)")
	dumpDir := flag.String("dump-jsonpb", "", "also write the jsonpb text of each hashified map to `DIR`/<name>.jsonpb")
	vectors := flag.String("check-vectors", "", "check the \"literals\" lines of a cache_key_vectors.jsonl `FILE` and exit")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cachekey-go [--iterations N] [--dump-jsonpb DIR] FILE...")
		fmt.Fprintln(os.Stderr, "       cachekey-go --check-vectors FILE")
		flag.PrintDefaults()
	}
	flag.Parse()
	ctx := context.Background()

	if *vectors != "" {
		if err := checkVectors(ctx, *vectors); err != nil {
			fmt.Fprintln(os.Stderr, "cachekey-go:", err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	for _, path := range flag.Args() {
		if err := bench(ctx, path, *iterations, *dumpDir); err != nil {
			fmt.Fprintln(os.Stderr, "cachekey-go:", err)
			os.Exit(1)
		}
	}
}
