/* Literals, literal types and interfaces: builders, typed getters, copy, equality,
   readable type names, ownership of the `_new` calls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <flyte/flyte.h>

static void test_primitives(void **state)
{
	(void)state;
	flyte_literal *l;
	int64_t i;
	double d;
	const char *s;
	int b;
	int64_t sec;
	int32_t ns;

	assert_int_equal(flyte_literal_new_integer(&l, INT64_MIN), 0);
	assert_int_equal(flyte_literal_kind_of(l), FLYTE_LITERAL_INTEGER);
	assert_int_equal(flyte_literal_get_integer(l, &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(flyte_literal_get_string(l, &s), FLYTE_ETYPE);
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_float(&l, -0.0), 0);
	assert_int_equal(flyte_literal_get_float(l, &d), 0);
	assert_true(d == 0 && signbit(d));
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_string(&l, "h\xc3\xa9llo"), 0);
	assert_int_equal(flyte_literal_get_string(l, &s), 0);
	assert_string_equal(s, "h\xc3\xa9llo");
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_boolean(&l, 7), 0);
	assert_int_equal(flyte_literal_get_boolean(l, &b), 0);
	assert_int_equal(b, 1);
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_datetime(&l, 1700000000, 123456789), 0);
	assert_int_equal(flyte_literal_get_datetime(l, &sec, &ns), 0);
	assert_true(sec == 1700000000 && ns == 123456789);
	char *json;
	assert_int_equal(flyte_literal_to_json(&json, l), 0);
	assert_string_equal(json, "{\"scalar\":{\"primitive\":{\"datetime\":\"2023-11-14T22:13:20.123456789Z\"}}}");
	flyte_string_free(json);
	flyte_literal_free(l);
	assert_int_equal(flyte_literal_new_datetime(&l, 0, 1000000000), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_new_datetime(&l, INT64_C(253402300800), 0), FLYTE_EINVALID);

	assert_int_equal(flyte_literal_new_duration(&l, -1, -500000000), 0);
	assert_int_equal(flyte_literal_to_json(&json, l), 0);
	assert_string_equal(json, "{\"scalar\":{\"primitive\":{\"duration\":\"-1.500s\"}}}");
	flyte_string_free(json);
	flyte_literal_free(l);
	assert_int_equal(flyte_literal_new_duration(&l, 1, -1), FLYTE_EINVALID);

	assert_int_equal(flyte_literal_new_none(&l), 0);
	assert_int_equal(flyte_literal_kind_of(l), FLYTE_LITERAL_NONE);
	flyte_literal_free(l);
}

static void test_scalars(void **state)
{
	(void)state;
	flyte_literal *l;
	const char *uri, *fmt, *tag, *msg, *node;
	flyte_blob_dimensionality dim;
	const void *data;
	size_t len;

	assert_int_equal(flyte_literal_new_blob(&l, "s3://b/dir", NULL, FLYTE_BLOB_MULTIPART), 0);
	assert_int_equal(flyte_literal_get_blob(l, &uri, &fmt, &dim), 0);
	assert_string_equal(uri, "s3://b/dir");
	assert_string_equal(fmt, "");
	assert_int_equal(dim, FLYTE_BLOB_MULTIPART);
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_binary(&l, "\0\1\2", 3, "msgpack"), 0);
	assert_int_equal(flyte_literal_get_binary(l, &data, &len, &tag), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "\0\1\2", 3);
	assert_string_equal(tag, "msgpack");
	flyte_literal_free(l);

	assert_int_equal(flyte_literal_new_error(&l, "n0", "boom"), 0);
	assert_int_equal(flyte_literal_get_error(l, &msg, &node), 0);
	assert_string_equal(msg, "boom");
	assert_string_equal(node, "n0");
	flyte_literal_free(l);

	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_new_generic_json(&l, "{\"codec\":\"h264\",\"seconds\":12}", &err), 0);
	char *json;
	assert_int_equal(flyte_literal_get_generic_json(l, &json), 0);
	assert_string_equal(json, "{\"codec\":\"h264\",\"seconds\":12}");
	flyte_string_free(json);
	flyte_literal_free(l);
	assert_int_equal(flyte_literal_new_generic_json(&l, "[1,2]", &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "generic literal"));
	flyte_error_free(err);

	assert_int_equal(flyte_literal_new_structured_dataset(&l, "s3://b/df", "parquet"), 0);
	assert_int_equal(flyte_literal_get_structured_dataset(l, &uri, &fmt), 0);
	assert_string_equal(fmt, "parquet");
	flyte_literal_free(l);

	flyte_literal *v;
	flyte_literal_type *t;
	const flyte_literal *inner;
	const flyte_literal_type *it;
	int64_t i;
	assert_int_equal(flyte_literal_new_integer(&v, 5), 0);
	assert_int_equal(flyte_literal_type_new_simple(&t, FLYTE_SIMPLE_INTEGER), 0);
	assert_int_equal(flyte_literal_new_union(&l, v, t), 0);
	assert_int_equal(flyte_literal_get_union(l, &inner, &it), 0);
	assert_int_equal(flyte_literal_get_integer(inner, &i), 0);
	assert_int_equal(i, 5);
	assert_true(flyte_literal_type_equal(it, t));
	flyte_literal_free(l);
	flyte_literal_free(v);
	flyte_literal_type_free(t);

	assert_int_equal(flyte_literal_new_offloaded(&l, "s3://b/o", 1234, NULL), 0);
	assert_int_equal(flyte_literal_kind_of(l), FLYTE_LITERAL_OFFLOADED);
	flyte_literal_free(l);
}

static void test_containers_copy_equal(void **state)
{
	(void)state;
	flyte_literal *coll, *map, *item, *copy;
	assert_int_equal(flyte_literal_new_collection(&coll), 0);
	for (int k = 0; k < 3; k++) {
		assert_int_equal(flyte_literal_new_integer(&item, k), 0);
		assert_int_equal(flyte_literal_collection_append_new(coll, item), 0);
	}
	assert_int_equal(flyte_literal_count(coll), 3);
	int64_t i;
	assert_int_equal(flyte_literal_get_integer(flyte_literal_collection_at(coll, 2), &i), 0);
	assert_int_equal(i, 2);
	assert_null(flyte_literal_collection_at(coll, 3));

	assert_int_equal(flyte_literal_new_map(&map), 0);
	assert_int_equal(flyte_literal_map_entry_set(map, "zeta", coll), 0);
	assert_int_equal(flyte_literal_new_string(&item, "v"), 0);
	assert_int_equal(flyte_literal_map_entry_set_new(map, "alpha", item), 0);
	assert_int_equal(flyte_literal_count(map), 2);
	const char *key;
	assert_non_null(flyte_literal_map_entry_at(map, 0, &key));
	assert_string_equal(key, "alpha");
	assert_non_null(flyte_literal_map_entry_get(map, "zeta"));
	assert_null(flyte_literal_map_entry_get(map, "nope"));

	/* Wrong container kind: FLYTE_ETYPE, and a `_new` item is freed (no leak). */
	assert_int_equal(flyte_literal_new_integer(&item, 1), 0);
	assert_int_equal(flyte_literal_collection_append_new(map, item), FLYTE_ETYPE);

	assert_int_equal(flyte_literal_copy(&copy, map), 0);
	assert_true(flyte_literal_equal(copy, map));
	assert_int_equal(flyte_literal_set_hash(copy, "h"), 0);
	assert_false(flyte_literal_equal(copy, map));
	assert_string_equal(flyte_literal_hash(copy), "h");
	assert_int_equal(flyte_literal_set_hash(copy, NULL), 0);
	assert_true(flyte_literal_equal(copy, map));
	assert_int_equal(flyte_literal_set_metadata(copy, "k", "v"), 0);
	assert_string_equal(flyte_literal_metadata(copy, "k"), "v");
	assert_int_equal(flyte_literal_set_metadata(copy, "k", NULL), 0);
	assert_null(flyte_literal_metadata(copy, "k"));
	assert_true(flyte_literal_equal(copy, map));

	flyte_literal_map *lm, *lm2;
	assert_int_equal(flyte_literal_map_new(&lm), 0);
	assert_int_equal(flyte_literal_map_set(lm, "b", coll), 0);
	assert_int_equal(flyte_literal_map_set(lm, "a", map), 0);
	assert_int_equal(flyte_literal_map_set(lm, "a", coll), 0); /* replaces */
	assert_int_equal(flyte_literal_map_count(lm), 2);
	assert_true(flyte_literal_equal(flyte_literal_map_get(lm, "a"), coll));
	assert_int_equal(flyte_literal_map_copy(&lm2, lm), 0);
	assert_true(flyte_literal_map_equal(lm, lm2));
	assert_int_equal(flyte_literal_map_remove(lm2, "a"), 0);
	assert_int_equal(flyte_literal_map_remove(lm2, "a"), FLYTE_ENOTFOUND);
	assert_false(flyte_literal_map_equal(lm, lm2));
	char *json;
	assert_int_equal(flyte_literal_map_to_json(&json, lm2), 0);
	assert_string_equal(json, "{\"literals\":{\"b\":{\"collection\":{\"literals\":[{\"scalar\":{\"primitive\":"
				  "{\"integer\":\"0\"}}},{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}},{\"scalar\":"
				  "{\"primitive\":{\"integer\":\"2\"}}}]}}}}");
	flyte_string_free(json);
	flyte_literal_map_free(lm);
	flyte_literal_map_free(lm2);
	flyte_literal_free(copy);
	flyte_literal_free(map);
	flyte_literal_free(coll);

	/* NULL handling: builders refuse, free accepts. */
	assert_int_equal(flyte_literal_new_string(&item, NULL), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_new_blob(&item, NULL, "csv", FLYTE_BLOB_SINGLE), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_map_set_new(NULL, "x", NULL), FLYTE_EINVALID);
	flyte_literal_free(NULL);
	flyte_literal_map_free(NULL);
}

static void test_types(void **state)
{
	(void)state;
	flyte_literal_type *i, *s, *csv, *coll, *map, *u, *e, *sd, *sch;
	assert_int_equal(flyte_literal_type_new_simple(&i, FLYTE_SIMPLE_INTEGER), 0);
	assert_int_equal(flyte_literal_type_new_simple(&s, FLYTE_SIMPLE_STRING), 0);
	assert_int_equal(flyte_literal_type_new_simple(&e, 42), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_type_new_blob(&csv, "csv", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_type_new_collection(&coll, csv), 0);
	assert_int_equal(flyte_literal_type_new_map(&map, coll), 0);
	const flyte_literal_type *vs[] = {i, s};
	assert_int_equal(flyte_literal_type_new_union(&u, vs, 2), 0);
	const char *values[] = {"red", "green"};
	assert_int_equal(flyte_literal_type_new_enum(&e, values, 2), 0);
	assert_int_equal(flyte_literal_type_new_structured_dataset(&sd, "parquet"), 0);
	assert_int_equal(flyte_literal_type_add_dataset_column(sd, "age", i), 0);
	assert_int_equal(flyte_literal_type_new_schema(&sch), 0);
	assert_int_equal(flyte_literal_type_add_schema_column(sch, "n", FLYTE_SCHEMA_COLUMN_FLOAT), 0);
	assert_int_equal(flyte_literal_type_add_schema_column(i, "n", FLYTE_SCHEMA_COLUMN_FLOAT), FLYTE_EINVALID);

	assert_int_equal(flyte_literal_type_kind(map), FLYTE_TYPE_MAP);
	assert_int_equal(flyte_literal_type_kind(flyte_literal_type_element(map)), FLYTE_TYPE_COLLECTION);
	assert_string_equal(flyte_literal_type_blob_format(flyte_literal_type_element(coll)), "csv");
	assert_int_equal(flyte_literal_type_variant_count(u), 2);
	assert_int_equal(flyte_literal_type_simple(flyte_literal_type_variant(u, 1)), FLYTE_SIMPLE_STRING);
	assert_int_equal(flyte_literal_type_enum_count(e), 2);
	assert_string_equal(flyte_literal_type_enum_value(e, 1), "green");
	assert_string_equal(flyte_literal_type_dataset_format(sd), "parquet");

	char *str;
	assert_int_equal(flyte_literal_type_to_string(&str, map), 0);
	assert_string_equal(str, "map(collection(blob(format=csv)))");
	flyte_string_free(str);
	assert_int_equal(flyte_literal_type_set_structure_tag(i, "Int"), 0);
	assert_string_equal(flyte_literal_type_structure_tag(i), "Int");
	assert_int_equal(flyte_literal_type_to_string(&str, u), 0);
	assert_string_equal(str, "union(integer|string)");
	flyte_string_free(str);
	assert_int_equal(flyte_literal_type_to_string(&str, e), 0);
	assert_string_equal(str, "enum(red|green)");
	flyte_string_free(str);

	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_type_set_metadata_json(s, "{\"title\":\"T\"}", &err), 0);
	assert_int_equal(flyte_literal_type_set_annotation_json(s, "not json", &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "annotation"));
	flyte_error_free(err);
	char *json;
	assert_int_equal(flyte_literal_type_to_json(&json, s), 0);
	assert_string_equal(json, "{\"simple\":\"STRING\",\"metadata\":{\"title\":\"T\"}}");
	flyte_literal_type *back;
	assert_int_equal(flyte_literal_type_from_json(&back, json, strlen(json), NULL), 0);
	assert_true(flyte_literal_type_equal(back, s));
	flyte_string_free(json);

	flyte_literal_type *all[] = {i, s, csv, coll, map, u, e, sd, sch, back};
	for (size_t k = 0; k < sizeof all / sizeof *all; k++)
		flyte_literal_type_free(all[k]);
}

static void test_interface(void **state)
{
	(void)state;
	flyte_variable_map *in;
	flyte_literal_type *t;
	flyte_typed_interface *iface, *copy;
	assert_int_equal(flyte_variable_map_new(&in), 0);
	assert_int_equal(flyte_literal_type_new_simple(&t, FLYTE_SIMPLE_FLOAT), 0);
	assert_int_equal(flyte_variable_map_add(in, "x", t, "an input"), 0);
	assert_int_equal(flyte_variable_map_add(in, "", t, NULL), FLYTE_EINVALID);
	assert_int_equal(flyte_typed_interface_new(&iface, in, NULL), 0);
	assert_int_equal(flyte_typed_interface_copy(&copy, iface), 0);
	const flyte_variable_map *vm = flyte_typed_interface_inputs(copy);
	const char *name, *desc;
	assert_int_equal(flyte_variable_map_count(vm), 1);
	assert_true(flyte_literal_type_equal(flyte_variable_map_at(vm, 0, &name, &desc), t));
	assert_string_equal(name, "x");
	assert_string_equal(desc, "an input");
	assert_null(flyte_typed_interface_outputs(copy));
	char *json;
	assert_int_equal(flyte_typed_interface_to_json(&json, copy), 0);
	assert_string_equal(json, "{\"inputs\":{\"variables\":{\"x\":{\"type\":{\"simple\":\"FLOAT\"},"
				  "\"description\":\"an input\"}}}}");
	flyte_string_free(json);
	flyte_typed_interface_free(copy);
	flyte_typed_interface_free(iface);
	flyte_literal_type_free(t);
	flyte_variable_map_free(in);
}

static void test_errors_and_version(void **state)
{
	(void)state;
	assert_string_equal(flyte_version(), FLYTE_VERSION_STRING);
	assert_int_equal(flyte_version_number(), FLYTE_VERSION_NUMBER);
	assert_string_equal(flyte_error_code_name(FLYTE_ETYPE), "FLYTE_ETYPE");
	assert_int_equal(flyte_global_init(), 0);
	assert_int_equal(flyte_global_init(), 0);
	flyte_global_shutdown();
	flyte_global_shutdown();
	assert_int_equal(flyte_error_code_of(NULL), 0);
	assert_string_equal(flyte_error_message(NULL), "");
	flyte_error_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_primitives),           cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_containers_copy_equal), cmocka_unit_test(test_types),
		cmocka_unit_test(test_interface),            cmocka_unit_test(test_errors_and_version),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
