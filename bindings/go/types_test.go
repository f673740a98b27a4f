package flyteremote

import (
	"errors"
	"reflect"
	"testing"
)

func TestTypeStrings(t *testing.T) {
	cases := []struct {
		typ  Type
		want string
		kind Kind
	}{
		{Integer(), "integer", KindInteger},
		{Float(), "float", KindFloat},
		{String(), "string", KindString},
		{Boolean(), "boolean", KindBoolean},
		{Struct(), "struct", KindStruct},
		{BlobType("csv"), "blob(format=csv)", KindBlob},
		{Collection(Map(String())), "collection(map(string))", KindCollection},
		{Union(Integer(), String()), "union(integer|string)", KindUnion},
		{Enum("a", "b"), "enum(a|b)", KindEnum},
	}
	for _, tc := range cases {
		if got := tc.typ.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
		if tc.typ.Kind() != tc.kind {
			t.Errorf("%s: Kind() = %s, want %s", tc.want, tc.typ.Kind(), tc.kind)
		}
	}
	if s := (Type{}).String(); s != "<no type>" || !(Type{}).IsZero() || (Type{}).Kind() != KindUnset {
		t.Errorf("zero Type: %q", s)
	}
}

func TestTypeJSONRoundTrip(t *testing.T) {
	for _, typ := range []Type{
		Integer(), Datetime(), Duration(), Binary(), None(),
		BlobType("csv"), DirectoryType("parquet"), Collection(Float()), Map(Collection(BlobType(""))),
		Enum("red", "green"), Optional(String()), Union(Integer().WithTag("i"), String().WithTag("s")),
		StructuredDatasetType("parquet"), Struct().WithMetadata(`{"title":"Point"}`),
	} {
		js, err := typ.JSON()
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		back, err := TypeFromJSON(js)
		if err != nil {
			t.Fatalf("TypeFromJSON(%s): %v", js, err)
		}
		if !back.Equal(typ) {
			t.Errorf("%s: round trip through %s gives %s", typ, js, back)
		}
		js2, err := back.JSON()
		if err != nil || js2 != js {
			t.Errorf("JSON of the round trip %s, want %s (%v)", js2, js, err)
		}
		if back.Kind() != typ.Kind() || back.Format() != typ.Format() || back.Multipart() != typ.Multipart() {
			t.Errorf("%s: accessors differ after the round trip", typ)
		}
	}
}

func TestTypeAccessors(t *testing.T) {
	u := Union(Integer().WithTag("i"), None())
	back, err := TypeFromJSON(mustJSON(t, u))
	if err != nil {
		t.Fatal(err)
	}
	vs := back.Variants()
	if len(vs) != 2 || vs[0].Kind() != KindInteger || vs[0].Tag() != "i" || vs[1].Kind() != KindNone {
		t.Errorf("variants %v", vs)
	}
	if got := Collection(BlobType("csv")).Elem().Format(); got != "csv" {
		t.Errorf("Elem().Format() = %q", got)
	}
	e, _ := TypeFromJSON(mustJSON(t, Enum("x", "y")))
	if !reflect.DeepEqual(e.EnumValues(), []string{"x", "y"}) {
		t.Errorf("enum values %v", e.EnumValues())
	}
}

func mustJSON(t *testing.T, typ Type) string {
	t.Helper()
	js, err := typ.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestCastable(t *testing.T) {
	cases := []struct {
		up, down Type
		want     bool
	}{
		{BlobType("csv"), BlobType(""), true}, // a blob of empty format matches any
		{BlobType(""), BlobType("csv"), true},
		{BlobType("csv"), BlobType("parquet"), false},
		{Integer(), Float(), false},
		{Integer(), Optional(Integer()), true},
		{None(), Optional(Integer()), true},
		{String(), Enum("a"), true},
		{Collection(Integer()), Collection(Integer()), true},
		{Collection(Integer()), Collection(String()), false},
	}
	for _, tc := range cases {
		if got := tc.up.CastableTo(tc.down); got != tc.want {
			t.Errorf("%s castable to %s = %v, want %v", tc.up, tc.down, got, tc.want)
		}
	}
}

func TestTypeFromBadJSON(t *testing.T) {
	_, err := TypeFromJSON(`{"simple":"NOT_A_TYPE"}`)
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("got %v, want ErrInvalidInput", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Message == "" {
		t.Fatalf("got %#v, want an *Error with a message", err)
	}
}

func TestTypeWithDoesNotModify(t *testing.T) {
	base := Integer()
	tagged := base.WithTag("n")
	if base.Tag() != "" || tagged.Tag() != "n" {
		t.Fatalf("WithTag changed its receiver: %q %q", base.Tag(), tagged.Tag())
	}
	if base.Equal(tagged) {
		t.Fatal("a tagged type equals the untagged one")
	}
}
