package flyteremote

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

type point struct {
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	Name string  `json:"name"`
}

func TestValuesRoundTrip(t *testing.T) {
	when := time.Date(2024, 2, 29, 23, 59, 58, 123456789, time.UTC)
	before1970 := time.Date(1960, 5, 1, 0, 0, 0, 5, time.UTC)
	cases := []struct {
		name string
		in   any
		typ  Type
		want any
		json string // a fragment the literal's JSON must contain
	}{
		{"int", 42, Integer(), int64(42), `"integer":"42"`},
		{"int inferred", -7, Type{}, int64(-7), `"integer":"-7"`},
		{"int32", int32(5), Integer(), int64(5), ""},
		{"uint8", uint8(255), Integer(), int64(255), ""},
		{"max int64", int64(math.MaxInt64), Integer(), int64(math.MaxInt64), `"9223372036854775807"`},
		{"float", 2.5, Float(), 2.5, `"float_value":2.5`},
		{"int as float", 3, Float(), 3.0, ""},
		{"infinity", math.Inf(-1), Float(), math.Inf(-1), ""},
		{"string", "héllo", String(), "héllo", `"string_value":"héllo"`},
		{"empty string", "", String(), "", ""},
		{"bool", true, Boolean(), true, `"boolean":true`},
		{"datetime", when, Datetime(), when, `"2024-02-29T23:59:58.123456789Z"`},
		{"datetime local zone", when.In(time.FixedZone("X", 3600)), Datetime(), when, ""},
		{"datetime before 1970", before1970, Type{}, before1970, ""},
		{"duration", 90*time.Second + 5*time.Millisecond, Duration(), 90*time.Second + 5*time.Millisecond, ""},
		{"negative duration", -1500 * time.Millisecond, Type{}, -1500 * time.Millisecond, ""},
		{"binary", []byte{0, 1, 2, 255}, Binary(), []byte{0, 1, 2, 255}, ""},
		{"empty binary", []byte{}, Binary(), []byte{}, ""},
		{"none", nil, None(), nil, `"none_type"`},
		{"blob", Blob{URI: "s3://bucket/a.csv", Format: "csv"}, Type{}, Blob{URI: "s3://bucket/a.csv", Format: "csv"}, ""},
		{"blob from uri", "s3://bucket/b.csv", BlobType("csv"), Blob{URI: "s3://bucket/b.csv", Format: "csv"}, ""},
		{"directory", "s3://bucket/dir", DirectoryType(""), Blob{URI: "s3://bucket/dir", Multipart: true}, "MULTIPART"},
		{"dataset", StructuredDataset{URI: "s3://d", Format: "parquet"}, Type{}, StructuredDataset{URI: "s3://d", Format: "parquet"}, ""},
		{"list", []int{1, 2, 3}, Collection(Integer()), []any{int64(1), int64(2), int64(3)}, ""},
		{"empty list", []string{}, Collection(String()), []any{}, ""},
		{"nested", [][]string{{"a"}, {}}, Collection(Collection(String())), []any{[]any{"a"}, []any{}}, ""},
		{"list of floats from ints", []any{1, 2.5}, Collection(Float()), []any{1.0, 2.5}, ""},
		{"map", map[string]int{"b": 2, "a": 1}, Map(Integer()), map[string]any{"a": int64(1), "b": int64(2)}, ""},
		{"map inferred", map[string]any{"k": "v", "n": 1.5}, Type{}, map[string]any{"k": "v", "n": 1.5}, ""},
		{"struct", point{1, 2, "p"}, Struct(), map[string]any{"x": 1.0, "y": 2.0, "name": "p"}, `"generic"`},
		{"struct pointer", &point{3, 4, "q"}, Struct(), map[string]any{"x": 3.0, "y": 4.0, "name": "q"}, ""},
		{"struct inferred", point{0, 0, ""}, Type{}, map[string]any{"x": 0.0, "y": 0.0, "name": ""}, ""},
		{"map as struct", map[string]any{"a": []any{1.0, "b"}}, Struct(), map[string]any{"a": []any{1.0, "b"}}, ""},
		{"raw JSON struct", json.RawMessage(`{"z": null}`), Type{}, map[string]any{"z": nil}, ""},
		{"enum", "b", Enum("a", "b"), "b", ""},
		{"optional value", 5, Optional(Integer()), int64(5), `"union"`},
		{"optional nil", nil, Optional(Integer()), nil, `"union"`},
		{"union second variant", "x", Union(Integer(), String()), "x", ""},
		{"pointer", func() *int { n := 9; return &n }(), Integer(), int64(9), ""},
		{"literal passthrough", LiteralJSON(`{"scalar":{"primitive":{"integer":"11"}}}`), String(), int64(11), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			js, err := ToLiteralJSON(tc.in, tc.typ)
			if err != nil {
				t.Fatalf("ToLiteralJSON(%#v, %s): %v", tc.in, tc.typ, err)
			}
			if !strings.Contains(js, tc.json) {
				t.Errorf("JSON %s does not contain %s", js, tc.json)
			}
			got, err := FromLiteralJSON(js)
			if err != nil {
				t.Fatalf("FromLiteralJSON(%s): %v", js, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("round trip of %#v: got %#v (%T), want %#v (%T)", tc.in, got, got, tc.want, tc.want)
			}
		})
	}
}

func TestValueErrors(t *testing.T) {
	cases := []struct {
		name string
		in   any
		typ  Type
		msg  string
	}{
		{"string for integer", "5", Integer(), "expected an integer"},
		{"duration for integer", time.Second, Integer(), "time.Duration"},
		{"uint64 overflow", uint64(math.MaxUint64), Integer(), "does not fit"},
		{"float for integer", 1.5, Integer(), "expected an integer"},
		{"int for string", 1, String(), "expected a string"},
		{"nil for integer", nil, Integer(), "expected an integer"},
		{"value for none", 1, None(), "expected nil"},
		{"not an enum value", "c", Enum("a", "b"), "not one of"},
		{"array as struct", []int{1}, Struct(), "JSON object"},
		{"item of a list", []any{1, "x"}, Collection(Integer()), `value[1]`},
		{"map entry", map[string]any{"k": true}, Map(String()), `value["k"]`},
		{"no union variant", true, Union(Integer(), String()), "none of the variants"},
		{"unknown Go type", make(chan int), Type{}, "no Flyte type"},
		{"map with int keys", map[int]string{1: "a"}, Type{}, "no Flyte type"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ToLiteralJSON(tc.in, tc.typ)
			if err == nil {
				t.Fatalf("ToLiteralJSON(%#v, %s) succeeded", tc.in, tc.typ)
			}
			if !errors.Is(err, ErrType) || !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error %v is not ErrType and ErrInvalidInput", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}

func TestNULInString(t *testing.T) {
	_, err := ToLiteralJSON("a\x00b", String())
	if !errors.Is(err, ErrInvalidInput) || !strings.Contains(err.Error(), "NUL") {
		t.Fatalf("got %v, want an ErrInvalidInput naming the NUL byte", err)
	}
	_, err = CacheKey(map[string]any{"a\x00": 1}, nil, nil)
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("NUL in an input name: got %v", err)
	}
}

func TestInvalidUTF8(t *testing.T) {
	_, err := ToLiteralJSON("\xff\xfe", String())
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("got %v, want ErrInvalidInput", err)
	}
}

func TestLiteralFromBadJSON(t *testing.T) {
	_, err := FromLiteralJSON(`{"scalar":{"primitive":{"integer":"x"}}}`)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalid || e.Message == "" {
		t.Fatalf("got %#v, want an *Error with CodeInvalid and a message", err)
	}
}

func TestDurationOutOfRange(t *testing.T) {
	// 10000 years fits Flyte's duration but not Go's.
	_, err := FromLiteralJSON(`{"scalar":{"primitive":{"duration":"315576000000s"}}}`)
	if !errors.Is(err, ErrType) {
		t.Fatalf("got %v, want ErrType", err)
	}
}

func TestUnmodelledLiteralComesBackAsJSON(t *testing.T) {
	in := `{"scalar":{"schema":{"uri":"s3://s","type":{}}}}`
	v, err := FromLiteralJSON(in)
	if err != nil {
		t.Fatal(err)
	}
	j, ok := v.(LiteralJSON)
	if !ok || !strings.Contains(string(j), "s3://s") {
		t.Fatalf("got %#v, want LiteralJSON of the schema", v)
	}
	if _, err := ToLiteralJSON(j, Type{}); err != nil {
		t.Fatalf("passing it back: %v", err)
	}
}

func TestErrorLiteral(t *testing.T) {
	v, err := FromLiteralJSON(`{"scalar":{"error":{"failed_node_id":"n1","message":"boom"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	if v != (LiteralError{Message: "boom", FailedNodeID: "n1"}) {
		t.Fatalf("got %#v", v)
	}
}
