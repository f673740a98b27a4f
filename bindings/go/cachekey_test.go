package flyteremote

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func cliPath(t *testing.T) string {
	t.Helper()
	p := os.Getenv("FLYTE_REMOTE_CLI")
	if p == "" {
		p = "../../build/cli/flyte-remote"
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no flyte-remote CLI at %s", p)
	}
	return p
}

// cliCacheKey runs `flyte-remote cache-key` on a LiteralMap.
func cliCacheKey(t *testing.T, literalMapJSON string, ignore []string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "inputs.json")
	if err := os.WriteFile(f, []byte(literalMapJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"cache-key", "--literals", f}
	if len(ignore) > 0 {
		args = append(args, "--ignore", strings.Join(ignore, ","))
	}
	out, err := exec.Command(cliPath(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("flyte-remote %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestCacheKeyMatchesCLI(t *testing.T) {
	constant := HashFunc(func(any) (string, error) { return "same-for-all", nil })
	cases := []struct {
		name   string
		inputs map[string]any
		hints  map[string]TypeHint
		ignore []string
	}{
		{"empty", map[string]any{}, nil, nil},
		{"scalars", map[string]any{"n": 10, "x": 2.5, "s": "héllo", "b": true}, nil, nil},
		{"time", map[string]any{"t": time.Date(2023, 7, 1, 12, 0, 0, 500, time.UTC), "d": 3 * time.Minute}, nil, nil},
		{"collections", map[string]any{"xs": []int{3, 1, 2}, "m": map[string]any{"k": []string{"a"}}}, nil, nil},
		{"typed by hints", map[string]any{"n": 3, "o": nil},
			map[string]TypeHint{"n": {Type: Float()}, "o": {Type: Optional(String())}}, nil},
		{"struct", map[string]any{"p": point{1, 2, "p"}}, nil, nil},
		{"blob", map[string]any{"f": Blob{URI: "s3://b/f.csv", Format: "csv"}}, nil, nil},
		{"hashed", map[string]any{"n": 10, "who": "alice"}, map[string]TypeHint{"who": {Hash: constant}}, nil},
		{"ignored", map[string]any{"n": 10, "seed": 99}, nil, []string{"seed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key, err := CacheKey(tc.inputs, tc.hints, tc.ignore)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(key, "flyte_cached-") || len(key) != 56 {
				t.Fatalf("key %q", key)
			}
			js, err := InputsJSON(tc.inputs, tc.hints)
			if err != nil {
				t.Fatal(err)
			}
			if cli := cliCacheKey(t, js, tc.ignore); cli != key {
				t.Errorf("Go key %s, flyte-remote cache-key says %s for %s", key, cli, js)
			}
		})
	}
}

func TestCacheKeyFollowsHash(t *testing.T) {
	byLength := map[string]TypeHint{"who": {Hash: HashFunc(func(v any) (string, error) {
		return strings.Repeat("x", len(v.(string))), nil
	})}}
	a, err := CacheKey(map[string]any{"who": "alice", "n": 1}, byLength, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CacheKey(map[string]any{"who": "bobby", "n": 1}, byLength, nil)
	c, _ := CacheKey(map[string]any{"who": "bob", "n": 1}, byLength, nil)
	plain, _ := CacheKey(map[string]any{"who": "alice", "n": 1}, nil, nil)
	if a != b {
		t.Errorf("same hash, different keys: %s %s", a, b)
	}
	if a == c || a == plain {
		t.Errorf("different hash or no hash, same key: %s %s %s", a, c, plain)
	}
	ignored, _ := CacheKey(map[string]any{"who": "zed", "n": 1}, nil, []string{"who"})
	onlyN, _ := CacheKey(map[string]any{"n": 1}, nil, nil)
	if ignored != onlyN {
		t.Errorf("an ignored input changed the key: %s %s", ignored, onlyN)
	}
}

func TestHashFuncErrorsAndPanics(t *testing.T) {
	sentinel := errors.New("cannot hash that")
	_, err := CacheKey(map[string]any{"x": 1}, map[string]TypeHint{"x": {Hash: HashFunc(func(any) (string, error) {
		return "", sentinel
	})}}, nil)
	if !errors.Is(err, sentinel) || !errors.Is(err, ErrCallback) {
		t.Fatalf("got %v, want the hash function's error as the cause of an ErrCallback", err)
	}
	if !strings.Contains(err.Error(), `"x"`) || !strings.Contains(err.Error(), "cannot hash that") {
		t.Errorf("message %q does not name the input and the cause", err)
	}
	_, err = CacheKey(map[string]any{"x": 1}, map[string]TypeHint{"x": {Hash: HashFunc(func(any) (string, error) {
		var m map[string]int
		m["boom"] = 1 // a nil-map write: a runtime panic inside a callback from C
		return "", nil
	})}}, nil)
	if !errors.Is(err, ErrCallback) || !strings.Contains(err.Error(), "panicked") {
		t.Fatalf("got %v, want ErrCallback naming the panic", err)
	}
	_, err = CacheKey(map[string]any{"x": 1}, map[string]TypeHint{"x": {Hash: HashFunc(func(any) (string, error) {
		return "", nil
	})}}, nil)
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("empty hash: got %v, want ErrInvalidInput", err)
	}
}

func TestHintTypeCheck(t *testing.T) {
	_, err := CacheKey(map[string]any{"f": Blob{URI: "s3://x", Format: "parquet"}},
		map[string]TypeHint{"f": {Type: BlobType("csv")}}, nil)
	if !errors.Is(err, ErrType) || !strings.Contains(err.Error(), `"f"`) {
		t.Fatalf("got %v, want ErrType naming the input", err)
	}
}

func TestBuiltinHashers(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "data.csv")
	content := []byte("a,b\n1,2\n")
	if err := os.WriteFile(file, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])
	got, err := SHA256File.Hash(Blob{URI: file, Format: "csv"})
	if err != nil || got != want {
		t.Fatalf("SHA256File = %q, %v; want %s", got, err, want)
	}
	// Through a hint: the file's bytes key it, wherever it lives.
	other := filepath.Join(dir, "copy.csv")
	if err := os.WriteFile(other, content, 0o600); err != nil {
		t.Fatal(err)
	}
	hints := map[string]TypeHint{"f": {Type: BlobType("csv"), Hash: SHA256File}}
	k1, err := CacheKey(map[string]any{"f": file}, hints, nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := CacheKey(map[string]any{"f": other}, hints, nil)
	if k1 != k2 {
		t.Errorf("same bytes, different keys")
	}
	js, _ := InputsJSON(map[string]any{"f": file}, hints)
	if !strings.Contains(js, want) {
		t.Errorf("inputs JSON %s lacks the file's hash", js)
	}
	_, err = CacheKey(map[string]any{"f": filepath.Join(dir, "missing.csv")}, hints, nil)
	if !errors.Is(err, ErrCallback) {
		t.Errorf("missing file: got %v", err)
	}
	dh, err := SHA256Directory.Hash(Blob{URI: dir, Multipart: true})
	if err != nil || len(dh) != 64 {
		t.Errorf("SHA256Directory = %q, %v", dh, err)
	}
	j1, err := CanonicalJSON.Hash(map[string]any{"b": 1, "a": []any{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	j2, _ := CanonicalJSON.Hash(point{X: 1})
	if len(j1) != 64 || j1 == j2 {
		t.Errorf("CanonicalJSON %q %q", j1, j2)
	}
}

func TestDatasetVersion(t *testing.T) {
	iface := Interface{Inputs: map[string]Type{"n": Integer()}, Outputs: map[string]Type{"total": Integer()}}
	v, err := DatasetVersion("1.0", iface)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v, "1.0-") || len(v) != len("1.0-")+8+1+8 {
		t.Fatalf("dataset version %q", v)
	}
	if _, err := DatasetVersion("  ", iface); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("blank cache version: %v", err)
	}
	js, err := iface.JSON()
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "iface.json")
	if err := os.WriteFile(f, []byte(js), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(cliPath(t), "dataset-version", "--interface", f, "--cache-version", "1.0").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if cli := strings.TrimSpace(string(out)); cli != v {
		t.Errorf("Go %s, CLI %s", v, cli)
	}
}
