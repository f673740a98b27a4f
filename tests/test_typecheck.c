/* Type checks: Flyte's AreTypesCastable and LiteralTypeForLiteral (cache-keys.md §4, §5),
   and the input checks built on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flyte/flyte.h>

#include "testutil.h"

/* JSON is written with single quotes here to keep it readable. */
#define INT "{'simple':'INTEGER'}"
#define FLOAT "{'simple':'FLOAT'}"
#define STR "{'simple':'STRING'}"
#define BOOL "{'simple':'BOOLEAN'}"
#define NONE "{'simple':'NONE'}"
#define STRUCT "{'simple':'STRUCT'}"
#define BINARY "{'simple':'BINARY'}"
#define BLOB(f) "{'blob':{'format':'" f "'}}"
#define BLOB_MULTI(f) "{'blob':{'format':'" f "','dimensionality':'MULTIPART'}}"
#define COLL(t) "{'collectionType':" t "}"
#define MAP(t) "{'mapValueType':" t "}"
#define UNION(v) "{'unionType':{'variants':[" v "]}}"
#define ENUM(v) "{'enumType':{'values':[" v "]}}"
#define TAGGED(simple, tag) "{'simple':'" simple "','structure':{'tag':'" tag "'}}"
#define SD(f, cols) "{'structuredDatasetType':{'format':'" f "','columns':[" cols "]}}"
#define SDCOL(n, t) "{'name':'" n "','literalType':" t "}"
#define SCHEMA(cols) "{'schema':{'columns':[" cols "]}}"
#define SCOL(n, t) "{'name':'" n "','type':'" t "'}"

#define LINT(v) "{'scalar':{'primitive':{'integer':'" #v "'}}}"
#define LFLOAT(v) "{'scalar':{'primitive':{'floatValue':" #v "}}}"
#define LSTR(v) "{'scalar':{'primitive':{'stringValue':'" v "'}}}"
#define LCOLL(items) "{'collection':{'literals':[" items "]}}"
#define LEMPTY "{'collection':{}}"
#define LUNION(v, t) "{'scalar':{'union':{'value':" v ",'type':" t "}}}"

static char *dq(const char *s)
{
	char *d = strdup(s);
	assert_non_null(d);
	for (char *p = d; *p; p++)
		if (*p == '\'')
			*p = '"';
	return d;
}

static flyte_literal_type *T(const char *json)
{
	char *j = dq(json);
	flyte_literal_type *t = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_type_from_json(&t, j, strlen(j), &err))
		fail_msg("type %s: %s", j, flyte_error_message(err));
	free(j);
	return t;
}

static flyte_literal *L(const char *json)
{
	char *j = dq(json);
	flyte_literal *l = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_from_json(&l, j, strlen(j), &err))
		fail_msg("literal %s: %s", j, flyte_error_message(err));
	free(j);
	return l;
}

static int cast(const char *up, const char *down)
{
	flyte_literal_type *u = T(up), *d = T(down);
	int r = flyte_types_castable(u, d);
	flyte_literal_type_free(u);
	flyte_literal_type_free(d);
	return r;
}

#define CASTS(up, down) assert_int_equal(cast(up, down), 1)
#define NO_CAST(up, down) assert_int_equal(cast(up, down), 0)

static void test_blob(void **state)
{
	(void)state;
	CASTS(BLOB("csv"), BLOB("csv"));
	NO_CAST(BLOB("csv"), BLOB("CSV"));
	NO_CAST(BLOB("CSV"), BLOB("csv"));
	NO_CAST(BLOB("csv"), BLOB("parquet"));
	/* An empty format is a generic blob, on either side (issue #5553). */
	CASTS(BLOB(""), BLOB("csv"));
	CASTS(BLOB("csv"), BLOB(""));
	CASTS(BLOB(""), BLOB(""));
	/* Dimensionality is ignored. */
	CASTS(BLOB("csv"), BLOB_MULTI("csv"));
	CASTS(BLOB_MULTI("csv"), BLOB("csv"));
	NO_CAST(BLOB_MULTI("csv"), BLOB("json"));
	/* Blobs are not nullable, and nothing else is a blob. */
	NO_CAST(NONE, BLOB("csv"));
	NO_CAST(NONE, BLOB(""));
	NO_CAST(BLOB(""), NONE);
	NO_CAST(STR, BLOB(""));
	NO_CAST(BLOB(""), STR);
	NO_CAST(SD("", ""), BLOB(""));
}

static void test_blob_builders(void **state)
{
	(void)state;
	flyte_literal_type *csv, *csv_dir, *generic, *upper;
	assert_int_equal(flyte_literal_type_new_blob(&csv, "csv", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_type_new_blob(&csv_dir, "csv", FLYTE_BLOB_MULTIPART), 0);
	assert_int_equal(flyte_literal_type_new_blob(&generic, NULL, FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_type_new_blob(&upper, "CSV", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_types_castable(csv, csv_dir), 1);
	assert_int_equal(flyte_types_castable(csv_dir, csv), 1);
	assert_int_equal(flyte_types_castable(generic, csv), 1);
	assert_int_equal(flyte_types_castable(csv, generic), 1);
	assert_int_equal(flyte_types_castable(csv, upper), 0);
	assert_int_equal(flyte_types_castable(NULL, csv), 0);
	assert_int_equal(flyte_types_castable(csv, NULL), 0);
	flyte_literal_type_free(csv);
	flyte_literal_type_free(csv_dir);
	flyte_literal_type_free(generic);
	flyte_literal_type_free(upper);
}

static void test_simple(void **state)
{
	(void)state;
	CASTS(INT, INT);
	CASTS(STR, STR);
	/* No numeric widening. */
	NO_CAST(INT, FLOAT);
	NO_CAST(FLOAT, INT);
	NO_CAST(STR, INT);
	NO_CAST(BOOL, INT);
	NO_CAST(BINARY, STRUCT);
	/* NONE only from NONE. */
	CASTS(NONE, NONE);
	NO_CAST(INT, NONE);
	NO_CAST(NONE, INT);
	NO_CAST(NONE, STR);
	/* Metadata and annotations do not take part. */
	CASTS("{'simple':'INTEGER','metadata':{'a':1},'annotation':{'annotations':{'x':'y'}}}", INT);
	CASTS(INT, "{'simple':'INTEGER','metadata':{'a':1}}");
	/* A type of another kind never matches a simple one. */
	NO_CAST(COLL(INT), INT);
	NO_CAST(INT, COLL(INT));
}

static void test_collection_and_map(void **state)
{
	(void)state;
	CASTS(COLL(INT), COLL(INT));
	NO_CAST(COLL(INT), COLL(FLOAT));
	NO_CAST(COLL(STR), COLL(INT));
	/* An empty list (element NONE) fits any list, not the other way round. */
	CASTS(COLL(NONE), COLL(INT));
	CASTS(COLL(NONE), COLL(COLL(BLOB("csv"))));
	NO_CAST(COLL(INT), COLL(NONE));
	NO_CAST(NONE, COLL(INT));
	CASTS(COLL(COLL(NONE)), COLL(COLL(INT)));
	NO_CAST(COLL(COLL(INT)), COLL(COLL(STR)));
	CASTS(COLL(BLOB("")), COLL(BLOB("csv")));
	NO_CAST(COLL(BLOB("csv")), COLL(BLOB("CSV")));
	/* Maps likewise. */
	CASTS(MAP(INT), MAP(INT));
	NO_CAST(MAP(INT), MAP(FLOAT));
	CASTS(MAP(NONE), MAP(STR));
	CASTS(MAP(NONE), MAP(MAP(BLOB("csv"))));
	NO_CAST(MAP(STR), MAP(NONE));
	NO_CAST(NONE, MAP(INT));
	CASTS(MAP(COLL(NONE)), MAP(COLL(INT)));
	/* Lists and maps do not mix. */
	NO_CAST(COLL(INT), MAP(INT));
	NO_CAST(MAP(INT), COLL(INT));
	NO_CAST(MAP(NONE), COLL(INT));
	NO_CAST(COLL(NONE), MAP(INT));
	/* Elements are checked by their checker alone: a single-variant union is unwrapped
	   only at the top (Go's collectionTypeChecker calls CastsFrom, not AreTypesCastable). */
	NO_CAST(COLL(UNION(INT)), COLL(INT));
	CASTS(COLL(UNION(INT)), COLL(UNION(INT "," STR)));
}

static void test_enum(void **state)
{
	(void)state;
	CASTS(ENUM("'a','b'"), STR);
	CASTS(STR, ENUM("'a','b'"));
	CASTS(ENUM("'a','b'"), ENUM("'a','b'"));
	/* Same values in another order are another type. */
	NO_CAST(ENUM("'a','b'"), ENUM("'b','a'"));
	NO_CAST(ENUM("'a'"), ENUM("'a','b'"));
	NO_CAST(ENUM("'a','b'"), INT);
	NO_CAST(INT, ENUM("'a','b'"));
	/* The enum/string rule comes before the structure tag check. */
	CASTS("{'enumType':{'values':['a']},'structure':{'tag':'x'}}", STR);
	CASTS(COLL(ENUM("'a'")), COLL(STR));

	const char *values[] = {"x", "y"};
	flyte_literal_type *e, *s;
	assert_int_equal(flyte_literal_type_new_enum(&e, values, 2), 0);
	assert_int_equal(flyte_literal_type_new_simple(&s, FLYTE_SIMPLE_STRING), 0);
	assert_int_equal(flyte_types_castable(e, s), 1);
	assert_int_equal(flyte_types_castable(s, e), 1);
	flyte_literal_type_free(e);
	flyte_literal_type_free(s);
}

static void test_union(void **state)
{
	(void)state;
	CASTS(INT, UNION(INT "," STR));
	CASTS(STR, UNION(INT "," STR));
	NO_CAST(FLOAT, UNION(INT "," STR));
	/* Optional[T]: NONE selects the NONE variant. */
	CASTS(NONE, UNION(INT "," NONE));
	NO_CAST(NONE, UNION(INT "," STR));
	/* Ambiguity is not a choice: two variants accept an untagged integer. */
	NO_CAST(INT, UNION(TAGGED("INTEGER", "a") "," TAGGED("INTEGER", "b")));
	NO_CAST(BLOB("csv"), UNION(BLOB("csv") "," BLOB("")));
	CASTS(TAGGED("INTEGER", "a"), UNION(TAGGED("INTEGER", "a") "," TAGGED("INTEGER", "b")));
	/* Union to union: every upstream variant must fit some downstream variant. */
	CASTS(UNION(INT "," STR), UNION(STR "," INT "," FLOAT));
	CASTS(UNION(INT "," STR), UNION(INT "," STR));
	NO_CAST(UNION(INT "," BOOL), UNION(INT "," STR));
	NO_CAST(UNION(INT "," STR "," FLOAT), UNION(INT "," STR));
	CASTS(UNION(BLOB("") "," INT), UNION(BLOB("csv") "," INT));
	/* A single-variant upstream union is unwrapped. */
	CASTS(UNION(INT), INT);
	NO_CAST(UNION(INT), FLOAT);
	CASTS(UNION(BLOB("csv")), BLOB(""));
	CASTS(UNION(COLL(NONE)), COLL(INT));
	CASTS(UNION(INT), UNION(INT "," STR));
	NO_CAST(UNION(INT "," STR), INT);
	NO_CAST(UNION(INT "," STR), STR);
	CASTS(UNION(ENUM("'a'")), STR);
}

static void test_structured_dataset(void **state)
{
	(void)state;
	/* Formats compare like Go's strings.EqualFold. */
	CASTS(SD("parquet", ""), SD("parquet", ""));
	CASTS(SD("parquet", ""), SD("PARQUET", ""));
	CASTS(SD("Parquet", ""), SD("parquet", ""));
	NO_CAST(SD("parquet", ""), SD("csv", ""));
	NO_CAST(SD("parquet", ""), SD("parque", ""));
	CASTS(SD("", ""), SD("csv", ""));
	CASTS(SD("csv", ""), SD("", ""));
	/* Structured datasets are nullable. */
	CASTS(NONE, SD("parquet", ""));
	NO_CAST(INT, SD("", ""));
	NO_CAST(BLOB("parquet"), SD("parquet", ""));
	/* Downstream columns must be a subset of upstream columns, by name, with types that
	   cast. */
	const char *up = SD("parquet", SDCOL("a", INT) "," SDCOL("b", STR) "," SDCOL("c", BLOB("")));
	CASTS(up, SD("parquet", SDCOL("a", INT)));
	CASTS(up, SD("parquet", SDCOL("b", STR) "," SDCOL("a", INT)));
	CASTS(up, SD("parquet", SDCOL("c", BLOB("csv"))));
	NO_CAST(up, SD("parquet", SDCOL("a", FLOAT)));
	NO_CAST(up, SD("parquet", SDCOL("z", INT)));
	NO_CAST(up, SD("parquet", SDCOL("A", INT)));
	NO_CAST(SD("parquet", SDCOL("a", INT)), SD("parquet", SDCOL("a", INT) "," SDCOL("b", STR)));
	/* No columns on either side: anything goes. */
	CASTS(SD("parquet", ""), SD("parquet", SDCOL("a", INT)));
	CASTS(up, SD("parquet", ""));
	/* With duplicate upstream names the last one counts, as in Go's name map. */
	CASTS(SD("", SDCOL("a", STR) "," SDCOL("a", INT)), SD("", SDCOL("a", INT)));
	NO_CAST(SD("", SDCOL("a", INT) "," SDCOL("a", STR)), SD("", SDCOL("a", INT)));
	/* A schema flows into a parquet (or any-format) dataset, columns mapped to simple types. */
	const char *schema = SCHEMA(SCOL("a", "INTEGER") "," SCOL("t", "DATETIME"));
	CASTS(schema, SD("", SDCOL("a", INT)));
	CASTS(schema, SD("PARQUET", SDCOL("t", "{'simple':'DATETIME'}")));
	NO_CAST(schema, SD("csv", SDCOL("a", INT)));
	NO_CAST(schema, SD("", SDCOL("a", FLOAT)));
	NO_CAST(schema, SD("", SDCOL("x", INT)));
}

static void test_schema(void **state)
{
	(void)state;
	const char *up = SCHEMA(SCOL("a", "INTEGER") "," SCOL("b", "STRING") "," SCOL("c", "FLOAT"));
	CASTS(up, SCHEMA(SCOL("a", "INTEGER")));
	CASTS(up, SCHEMA(SCOL("c", "FLOAT") "," SCOL("b", "STRING")));
	NO_CAST(up, SCHEMA(SCOL("a", "FLOAT")));
	NO_CAST(up, SCHEMA(SCOL("d", "INTEGER")));
	CASTS(up, SCHEMA(""));
	CASTS(SCHEMA(""), SCHEMA(SCOL("a", "INTEGER")));
	/* Schemas are not nullable. */
	NO_CAST(NONE, SCHEMA(""));
	NO_CAST(STR, SCHEMA(""));
	/* A dataset flows into a schema only as parquet (or no format). */
	const char *sd = SD("parquet", SDCOL("a", INT) "," SDCOL("b", STR));
	CASTS(sd, SCHEMA(SCOL("a", "INTEGER")));
	CASTS(SD("", SDCOL("b", STR)), SCHEMA(SCOL("b", "STRING")));
	NO_CAST(SD("csv", ""), SCHEMA(""));
	NO_CAST(sd, SCHEMA(SCOL("a", "STRING")));
	NO_CAST(sd, SCHEMA(SCOL("z", "INTEGER")));
	/* Built with the public builders. */
	flyte_literal_type *a, *b;
	assert_int_equal(flyte_literal_type_new_schema(&a), 0);
	assert_int_equal(flyte_literal_type_add_schema_column(a, "x", FLYTE_SCHEMA_COLUMN_BOOLEAN), 0);
	assert_int_equal(flyte_literal_type_add_schema_column(a, "y", FLYTE_SCHEMA_COLUMN_DURATION), 0);
	assert_int_equal(flyte_literal_type_new_schema(&b), 0);
	assert_int_equal(flyte_literal_type_add_schema_column(b, "y", FLYTE_SCHEMA_COLUMN_DURATION), 0);
	assert_int_equal(flyte_types_castable(a, b), 1);
	assert_int_equal(flyte_types_castable(b, a), 0);
	flyte_literal_type_free(a);
	flyte_literal_type_free(b);
}

static void test_structure_tag(void **state)
{
	(void)state;
	CASTS(TAGGED("INTEGER", "a"), TAGGED("INTEGER", "a"));
	NO_CAST(TAGGED("INTEGER", "a"), TAGGED("INTEGER", "b"));
	/* Only an upstream tag has to agree. */
	NO_CAST(TAGGED("INTEGER", "a"), INT);
	CASTS(INT, TAGGED("INTEGER", "b"));
	CASTS("{'simple':'INTEGER','structure':{'tag':''}}", TAGGED("INTEGER", "b"));
	CASTS("{'simple':'INTEGER','structure':{'dataclassType':{'x':" INT "}}}", INT);
	NO_CAST(TAGGED("STRING", "a"), TAGGED("INTEGER", "a"));
}

#define STRUCT_META(m) "{'simple':'STRUCT','metadata':" m "}"
#define PERSON "{'type':'object','properties':{'name':{'type':'string'},'age':{'type':'integer'}}," \
	       "'required':['name','age']}"

static void test_struct(void **state)
{
	(void)state;
	/* Without a JSON schema on either side, any STRUCT fits (older flytekit wrote none). */
	CASTS(STRUCT, STRUCT);
	CASTS(STRUCT_META(PERSON), STRUCT);
	CASTS(STRUCT, STRUCT_META(PERSON));
	/* Equal schemas. */
	CASTS(STRUCT_META(PERSON), STRUCT_META(PERSON));
	/* A supertype: every required downstream property exists upstream with the same type. */
	CASTS(STRUCT_META(PERSON), STRUCT_META("{'type':'object','properties':{'name':{'type':'string'}},"
					       "'required':['name']}"));
	NO_CAST(STRUCT_META("{'type':'object','properties':{'name':{'type':'string'}},'required':['name']}"),
		STRUCT_META(PERSON));
	NO_CAST(STRUCT_META(PERSON), STRUCT_META("{'type':'object','properties':{'age':{'type':'string'}},"
						 "'required':['age']}"));
	NO_CAST(STRUCT_META(PERSON), STRUCT_META("{'required':'name'}"));
	/* Structure tags still apply to structs. */
	NO_CAST("{'simple':'STRUCT','structure':{'tag':'A'}}", "{'simple':'STRUCT','structure':{'tag':'B'}}");
	NO_CAST(STRUCT_META(PERSON), BINARY);
	NO_CAST(STRUCT, STR);

	flyte_literal_type *a, *b;
	assert_int_equal(flyte_literal_type_new_simple(&a, FLYTE_SIMPLE_STRUCT), 0);
	assert_int_equal(flyte_literal_type_new_simple(&b, FLYTE_SIMPLE_STRUCT), 0);
	assert_int_equal(flyte_literal_type_set_metadata_json(a, "{\"title\":\"A\"}", NULL), 0);
	assert_int_equal(flyte_literal_type_set_metadata_json(b, "{\"title\":\"A\"}", NULL), 0);
	assert_int_equal(flyte_types_castable(a, b), 1);
	flyte_literal_type_free(a);
	flyte_literal_type_free(b);
}

/* ---- inference ---- */

static void assert_infers(const char *literal_json, const char *type_json)
{
	flyte_literal *l = L(literal_json);
	flyte_literal_type *want = T(type_json), *got = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_type_infer(&got, l, &err))
		fail_msg("infer %s: %s", literal_json, flyte_error_message(err));
	if (!flyte_literal_type_equal(got, want)) {
		char *g = NULL, *w = NULL;
		flyte_literal_type_to_json(&g, got);
		flyte_literal_type_to_json(&w, want);
		fail_msg("infer %s: got %s, want %s", literal_json, g, w);
	}
	flyte_literal_type_free(got);
	flyte_literal_type_free(want);
	flyte_literal_free(l);
}

static void assert_infer_fails(const char *literal_json, const char *message)
{
	flyte_literal *l = L(literal_json);
	flyte_literal_type *got = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_type_infer(&got, l, &err), FLYTE_EINVALID);
	assert_null(got);
	assert_string_equal(flyte_error_message(err), message);
	flyte_error_free(err);
	flyte_literal_free(l);
}

static void test_infer_scalars(void **state)
{
	(void)state;
	assert_infers(LINT(7), INT);
	assert_infers(LFLOAT(1.5), FLOAT);
	assert_infers(LSTR("x"), STR);
	assert_infers("{'scalar':{'primitive':{'boolean':false}}}", BOOL);
	assert_infers("{'scalar':{'primitive':{'datetime':'2020-01-01T00:00:00Z'}}}", "{'simple':'DATETIME'}");
	assert_infers("{'scalar':{'primitive':{'duration':'1.5s'}}}", "{'simple':'DURATION'}");
	assert_infers("{'scalar':{'primitive':{}}}", NONE);
	assert_infers("{'scalar':{'noneType':{}}}", NONE);
	assert_infers("{'scalar':{'error':{'message':'boom'}}}", "{'simple':'ERROR'}");
	assert_infers("{'scalar':{'generic':{'a':1}}}", STRUCT);
	assert_infers("{'scalar':{'binary':{'value':'AAE=','tag':'msgpack'}}}", STRUCT);
	assert_infers("{'scalar':{'binary':{'value':'AAE=','tag':'pickle'}}}", BINARY);
	assert_infers("{'scalar':{'binary':{'value':'AAE='}}}", BINARY);
	assert_infers("{'scalar':{'blob':{'uri':'s3://b/k','metadata':{'type':{'format':'csv',"
		      "'dimensionality':'MULTIPART'}}}}}",
		      BLOB_MULTI("csv"));
	assert_infers("{'scalar':{'blob':{'uri':'s3://b/k','metadata':{'type':{}}}}}", BLOB(""));
	assert_infers("{'scalar':{'structuredDataset':{'uri':'s3://d','metadata':{'structuredDatasetType':"
		      "{'format':'parquet','columns':[{'name':'a','literalType':{'simple':'INTEGER'}}]}}}}}",
		      SD("parquet", SDCOL("a", INT)));
	assert_infers("{'scalar':{'structuredDataset':{'uri':'s3://d'}}}", "{'structuredDatasetType':{}}");
	assert_infers("{'scalar':{'schema':{'uri':'s3://s','type':{'columns':[{'name':'a','type':'FLOAT'}]}}}}",
		      SCHEMA(SCOL("a", "FLOAT")));
	assert_infers("{'scalar':{'schema':{'uri':'s3://s'}}}", "{'schema':{}}");
	assert_infers(LUNION(LINT(1), TAGGED("INTEGER", "int")),
		      UNION(TAGGED("INTEGER", "int")));
	assert_infers("{'offloadedMetadata':{'uri':'s3://o','sizeBytes':'10','inferredType':" COLL(INT) "}}",
		      COLL(INT));

	assert_infer_fails("{'scalar':{'blob':{'uri':'s3://b/k'}}}",
			   "got unknown literal type: a blob without metadata");
	assert_infer_fails("{'offloadedMetadata':{'uri':'s3://o'}}",
			   "got unknown literal type: an offloaded literal without inferred_type");
	assert_infer_fails("{}", "got unknown literal type: a literal without a value");
	assert_infer_fails("{'hash':'abc'}", "got unknown literal type: a literal without a value");
	assert_infer_fails("{'scalar':{}}", "got unknown literal type: a scalar without a value");
	assert_infer_fails(LCOLL(LINT(1) "," "{'scalar':{'blob':{'uri':'s3://b'}}}"),
			   "got unknown literal type: a blob without metadata");

	flyte_literal_type *t = NULL;
	assert_int_equal(flyte_literal_type_infer(&t, NULL, NULL), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_type_infer(NULL, NULL, NULL), FLYTE_EINVALID);
}

static void test_infer_builders(void **state)
{
	(void)state;
	flyte_literal *l;
	flyte_literal_type *t;
	char *s;
	assert_int_equal(flyte_literal_new_blob(&l, "s3://b/k", "csv", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_type_infer(&t, l, NULL), 0);
	assert_int_equal(flyte_literal_type_to_string(&s, t), 0);
	assert_string_equal(s, "blob(format=csv)");
	flyte_string_free(s);
	flyte_literal_type_free(t);
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_structured_dataset(&l, "s3://d", "parquet"), 0);
	assert_int_equal(flyte_literal_type_infer(&t, l, NULL), 0);
	assert_int_equal(flyte_literal_type_kind(t), FLYTE_TYPE_STRUCTURED_DATASET);
	assert_string_equal(flyte_literal_type_dataset_format(t), "parquet");
	flyte_literal_type_free(t);
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_binary(&l, "\x81", 1, "msgpack"), 0);
	assert_int_equal(flyte_literal_type_infer(&t, l, NULL), 0);
	assert_int_equal(flyte_literal_type_simple(t), FLYTE_SIMPLE_STRUCT);
	flyte_literal_type_free(t);
	flyte_literal_free(l);
}

static void test_infer_containers(void **state)
{
	(void)state;
	assert_infers(LEMPTY, COLL(NONE));
	assert_infers("{'map':{}}", MAP(NONE));
	assert_infers(LCOLL(LINT(1) "," LINT(2)), COLL(INT));
	assert_infers("{'map':{'literals':{'a':" LSTR("x") ",'b':" LSTR("y") "}}}", MAP(STR));
	/* Distinct element types become a union sorted by readable form, whatever the order. */
	assert_infers(LCOLL(LINT(1) "," LSTR("a") "," LINT(2)), COLL(UNION(INT "," STR)));
	assert_infers(LCOLL(LSTR("a") "," LINT(1)), COLL(UNION(INT "," STR)));
	assert_infers(LCOLL(LSTR("a") "," LFLOAT(2.5) "," LINT(1) "," LFLOAT(3)),
		      COLL(UNION(FLOAT "," INT "," STR)));
	assert_infers("{'map':{'literals':{'a':" LSTR("x") ",'b':" LINT(1) "}}}", MAP(UNION(INT "," STR)));
	/* Types that differ in a structure tag only are distinct; equal readable forms keep
	   their order of appearance. */
	assert_infers(LCOLL(LUNION(LINT(1), TAGGED("INTEGER", "b")) "," LUNION(LINT(2), TAGGED("INTEGER", "a"))),
		      COLL(UNION(UNION(TAGGED("INTEGER", "a")) "," UNION(TAGGED("INTEGER", "b")))));
	assert_infers(LCOLL("{'scalar':{'generic':{}}}" "," "{'scalar':{'binary':{'tag':'msgpack'}}}"), COLL(STRUCT));
	/* Nested lists; an empty nested list counts only when nothing else is there. */
	assert_infers(LCOLL(LCOLL(LINT(1)) "," LCOLL(LINT(2))), COLL(COLL(INT)));
	assert_infers(LCOLL(LEMPTY "," LCOLL(LINT(1))), COLL(COLL(INT)));
	assert_infers(LCOLL(LCOLL(LINT(1)) "," LEMPTY), COLL(COLL(INT)));
	assert_infers(LCOLL(LEMPTY "," LEMPTY), COLL(COLL(NONE)));
	assert_infers(LCOLL(LEMPTY "," "{'map':{}}"), COLL(MAP(NONE)));
	assert_infers(LCOLL(LCOLL(LINT(1)) "," "{'map':{'literals':{'k':" LINT(1) "}}}"),
		      COLL(UNION(COLL(INT) "," MAP(INT))));
	/* Flyte's buildMultipleTypeUnion lifts the variants of a list-of-union element type. */
	assert_infers(LCOLL(LCOLL(LINT(1) "," LSTR("a")) "," LCOLL(LFLOAT(2.5))),
		      COLL(COLL(UNION(COLL(FLOAT) "," INT "," STR))));
	/* Inferred types cast into the declared ones. */
	flyte_literal *l = L(LCOLL(LEMPTY "," LCOLL(LINT(1))));
	flyte_literal_type *t, *want = T(COLL(COLL(INT)));
	assert_int_equal(flyte_literal_type_infer(&t, l, NULL), 0);
	assert_int_equal(flyte_types_castable(t, want), 1);
	flyte_literal_type_free(t);
	flyte_literal_type_free(want);
	flyte_literal_free(l);
}

/* ---- checks ---- */

static void assert_check(const char *literal_json, const char *type_json, const char *name, int code,
			 const char *message)
{
	flyte_literal *l = L(literal_json);
	flyte_literal_type *t = T(type_json);
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_check_type(l, t, name, &err), code);
	if (message)
		assert_string_equal(flyte_error_message(err), message);
	else
		assert_null(err);
	assert_int_equal(flyte_literal_check_type(l, t, name, NULL), code);
	flyte_error_free(err);
	flyte_literal_type_free(t);
	flyte_literal_free(l);
}

static void test_check_type(void **state)
{
	(void)state;
	assert_check(LINT(1), INT, "n", 0, NULL);
	assert_check(LSTR("x"), INT, "n", FLYTE_ETYPE, "input \"n\": expected integer, got string");
	assert_check(LSTR("x"), INT, NULL, FLYTE_ETYPE, "expected integer, got string");
	assert_check(LINT(1), FLOAT, "x", FLYTE_ETYPE, "input \"x\": expected float, got integer");
	assert_check("{'scalar':{'blob':{'uri':'s3://k','metadata':{'type':{'format':'parquet'}}}}}", BLOB("csv"),
		     "f", FLYTE_ETYPE, "input \"f\": expected blob(format=csv), got blob(format=parquet)");
	assert_check("{'scalar':{'blob':{'uri':'s3://k','metadata':{'type':{}}}}}", BLOB("csv"), "f", 0, NULL);
	assert_check(LCOLL(LSTR("a")), COLL(INT), "xs", FLYTE_ETYPE,
		     "input \"xs\": expected collection(integer), got collection(string)");
	assert_check(LEMPTY, COLL(INT), "xs", 0, NULL);
	assert_check(LCOLL(LINT(1) "," LSTR("a")), COLL(INT), "xs", FLYTE_ETYPE,
		     "input \"xs\": expected collection(integer), got collection(union(integer|string))");
	assert_check(LCOLL(LINT(1) "," LSTR("a")), COLL(UNION(STR "," INT)), "xs", 0, NULL);
	assert_check(LSTR("red"), ENUM("'red','blue'"), "c", 0, NULL);
	assert_check("{'scalar':{'noneType':{}}}", UNION(INT "," NONE), "o", 0, NULL);
	assert_check("{'scalar':{'noneType':{}}}", INT, "o", FLYTE_ETYPE, "input \"o\": expected integer, got none");
	/* A union value checks through its variant (the single-variant rule). */
	assert_check(LUNION(LINT(1), INT), INT, "u", 0, NULL);
	assert_check(LUNION(LINT(1), INT), UNION(STR "," INT), "u", 0, NULL);
	assert_check(LUNION(LINT(1), INT), STR, "u", FLYTE_ETYPE,
		     "input \"u\": expected string, got union(integer)");
	/* A value whose type cannot be inferred names the input. */
	assert_check("{'scalar':{'blob':{'uri':'s3://k'}}}", BLOB(""), "f", FLYTE_EINVALID,
		     "input \"f\": got unknown literal type: a blob without metadata");
	assert_check("{'scalar':{'blob':{'uri':'s3://k'}}}", BLOB(""), NULL, FLYTE_EINVALID,
		     "got unknown literal type: a blob without metadata");

	flyte_literal *l = L(LINT(1));
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_check_type(l, NULL, "n", &err), FLYTE_EINVALID);
	assert_string_equal(flyte_error_message(err), "input \"n\": expected type is NULL");
	flyte_error_free(err);
	flyte_literal_free(l);
}

static flyte_variable_map *declare(const char *json)
{
	char *j = dq(json);
	flyte_variable_map *vm = NULL;
	flyte_error *err = NULL;
	if (flyte_variable_map_from_json(&vm, j, strlen(j), &err))
		fail_msg("variables %s: %s", j, flyte_error_message(err));
	free(j);
	return vm;
}

static flyte_literal_map *inputs(const char *json)
{
	char *j = dq(json);
	flyte_literal_map *m = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_map_from_json(&m, j, strlen(j), &err))
		fail_msg("inputs %s: %s", j, flyte_error_message(err));
	free(j);
	return m;
}

static void assert_map_check(const char *inputs_json, const char *declared_json, int code, const char *message)
{
	flyte_literal_map *in = inputs(inputs_json);
	flyte_variable_map *vm = declared_json ? declare(declared_json) : NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_map_check_types(in, vm, &err), code);
	if (message)
		assert_string_equal(flyte_error_message(err), message);
	else
		assert_null(err);
	flyte_error_free(err);
	flyte_variable_map_free(vm);
	flyte_literal_map_free(in);
}

#define DECLARED_AB "{'variables':{'b':{'type':" STR "},'a':{'type':" INT "}}}"

static void test_map_check_types(void **state)
{
	(void)state;
	assert_map_check("{'literals':{'a':" LINT(1) ",'b':" LSTR("x") "}}", DECLARED_AB, 0, NULL);
	/* Inputs left out may have defaults. */
	assert_map_check("{'literals':{'a':" LINT(1) "}}", DECLARED_AB, 0, NULL);
	assert_map_check("{}", DECLARED_AB, 0, NULL);
	assert_map_check("{'literals':{'a':" LINT(1) ",'x':" LINT(2) "}}", DECLARED_AB, FLYTE_EINVALID,
			 "unknown input \"x\"; declared inputs: a, b");
	/* An unknown name is reported before a type error elsewhere. */
	assert_map_check("{'literals':{'a':" LSTR("s") ",'z':" LINT(2) "}}", DECLARED_AB, FLYTE_EINVALID,
			 "unknown input \"z\"; declared inputs: a, b");
	assert_map_check("{'literals':{'a':" LSTR("s") ",'b':" LSTR("x") "}}", DECLARED_AB, FLYTE_ETYPE,
			 "input \"a\": expected integer, got string");
	assert_map_check("{'literals':{'b':" LINT(3) "}}", DECLARED_AB, FLYTE_ETYPE,
			 "input \"b\": expected string, got integer");
	assert_map_check("{'literals':{'x':" LINT(1) "}}", "{}", FLYTE_EINVALID,
			 "unknown input \"x\"; declared inputs: (none)");
	assert_map_check("{'literals':{'x':" LINT(1) "}}", NULL, FLYTE_EINVALID,
			 "unknown input \"x\"; declared inputs: (none)");
	assert_int_equal(flyte_literal_map_check_types(NULL, NULL, NULL), 0);
}

/* ---- allocation failures ---- */

/* Lists of lists, maps, unions and an empty list: every path of inference. */
#define NESTED                                                                                      \
	LCOLL(LCOLL(LINT(1) "," LSTR("a")) "," LCOLL(LFLOAT(2.5)) "," LEMPTY ","                    \
	      "{'map':{'literals':{'k':" LCOLL(LINT(1)) ",'l':" LUNION(LINT(1), INT) "}}}" "," \
	      LCOLL(LSTR("b") "," LINT(3)))

static void test_infer_allocation_failures(void **state)
{
	(void)state;
	flyte_literal *l = L(NESTED);
	flyte_literal_type *want = NULL;
	assert_int_equal(flyte_literal_type_infer(&want, l, NULL), 0);
	int failures = 0;
	for (long n = 0;; n++) {
		flyte_literal_type *t = NULL;
		flyte_error *err = NULL;
		tu_fail_after(n);
		int rc = flyte_literal_type_infer(&t, l, &err);
		tu_fail_never();
		if (rc == 0) {
			assert_true(flyte_literal_type_equal(t, want));
			assert_null(err);
			flyte_literal_type_free(t);
			break;
		}
		assert_int_equal(rc, FLYTE_ENOMEM);
		assert_null(t);
		assert_int_equal(flyte_error_code_of(err), FLYTE_ENOMEM);
		flyte_error_free(err);
		failures++;
		assert_true(n < 100000);
	}
	assert_true(failures > 10);
	flyte_literal_type_free(want);
	flyte_literal_free(l);
}

static void test_check_allocation_failures(void **state)
{
	(void)state;
	flyte_literal *l = L(NESTED);
	flyte_literal_type *expected = T(COLL(COLL(INT)));
	/* The list-of-union element type is lifted into the outer union (buildMultipleTypeUnion). */
	const char *message = "input \"xs\": expected collection(collection(integer)), got "
			      "collection(collection(union(collection(float)|integer|string|"
			      "map(union(collection(integer)|union(integer))))))";
	for (long n = 0;; n++) {
		flyte_error *err = NULL;
		tu_fail_after(n);
		int rc = flyte_literal_check_type(l, expected, "xs", &err);
		tu_fail_never();
		if (rc == FLYTE_ENOMEM) {
			flyte_error_free(err);
			continue;
		}
		assert_int_equal(rc, FLYTE_ETYPE);
		/* Once inference succeeded the verdict stands, even when its message cannot be
		   written. */
		int done = err && strcmp(flyte_error_message(err), message) == 0;
		if (!done && err && flyte_error_code_of(err) == FLYTE_ETYPE)
			assert_string_equal(flyte_error_message(err), "value does not match its declared type");
		flyte_error_free(err);
		if (done)
			break;
		assert_true(n < 100000);
	}
	flyte_literal_type_free(expected);
	flyte_literal_free(l);
}

int main(void)
{
	tu_install_failing_allocator();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_blob),
		cmocka_unit_test(test_blob_builders),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_collection_and_map),
		cmocka_unit_test(test_enum),
		cmocka_unit_test(test_union),
		cmocka_unit_test(test_structured_dataset),
		cmocka_unit_test(test_schema),
		cmocka_unit_test(test_structure_tag),
		cmocka_unit_test(test_struct),
		cmocka_unit_test(test_infer_scalars),
		cmocka_unit_test(test_infer_builders),
		cmocka_unit_test(test_infer_containers),
		cmocka_unit_test(test_check_type),
		cmocka_unit_test(test_map_check_types),
		cmocka_unit_test(test_infer_allocation_failures),
		cmocka_unit_test(test_check_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
