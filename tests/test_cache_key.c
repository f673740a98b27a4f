/* Cache keys: every conformance vector produced by Flyte's own code, plus our own edge
   cases (cache-keys.md §6-§7). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flyte/flyte.h>

#include "model.h"
#include "testutil.h"

static void tag_of_json(char tag[FLYTE_ARTIFACT_TAG_LEN + 1], const char *json, const char *const *ignore,
			size_t n_ignore)
{
	flyte_literal_map *m = NULL;
	flyte_error *err = NULL;
	int rc = flyte_literal_map_from_json(&m, json, strlen(json), &err);
	if (rc)
		fail_msg("decode %s: %s", json, flyte_error_message(err));
	rc = flyte_cache_artifact_tag(tag, m, ignore, n_ignore, &err);
	if (rc)
		fail_msg("tag %s: %s", json, flyte_error_message(err));
	flyte_literal_map_free(m);
}

static void test_conformance_vectors(void **state)
{
	(void)state;
	FILE *f = fopen(tu_data_path("cache_key_vectors.jsonl"), "r");
	assert_non_null(f);
	char *line = NULL;
	size_t cap = 0;
	int total = 0, literals = 0, interfaces = 0, failed = 0;
	while (getline(&line, &cap, f) > 0) {
		json_error_t je;
		json_t *v = json_loads(line, 0, &je);
		assert_non_null(v);
		const char *kind = json_string_value(json_object_get(v, "kind"));
		const char *name = json_string_value(json_object_get(v, "name"));
		const char *expect = json_string_value(json_object_get(v, "expect"));
		json_t *value = json_object_get(v, "value");
		char *text = value ? json_dumps(value, JSON_COMPACT) : NULL;
		char got[256] = "";
		flyte_error *err = NULL;
		total++;
		if (strcmp(kind, "literals") == 0) {
			literals++;
			json_t *ign = json_object_get(v, "ignore");
			const char *ignore[64];
			size_t n = json_array_size(ign);
			assert_true(n < 64);
			for (size_t i = 0; i < n; i++)
				ignore[i] = json_string_value(json_array_get(ign, i));
			flyte_literal_map *m = NULL;
			if (text && flyte_literal_map_from_json(&m, text, strlen(text), &err))
				fail_msg("%s: decode: %s", name, flyte_error_message(err));
			/* A nil map (no value) and an empty one give the same tag. */
			if (flyte_cache_artifact_tag(got, m, ignore, n, &err))
				fail_msg("%s: tag: %s", name, flyte_error_message(err));
			flyte_literal_map_free(m);
		} else {
			interfaces++;
			flyte_typed_interface *iface = NULL;
			if (flyte_typed_interface_from_json(&iface, text, strlen(text), &err))
				fail_msg("%s: decode: %s", name, flyte_error_message(err));
			char *version = NULL;
			const char *cv = json_string_value(json_object_get(v, "cache_version"));
			if (flyte_cache_dataset_version(&version, cv, iface, &err))
				fail_msg("%s: version: %s", name, flyte_error_message(err));
			snprintf(got, sizeof got, "%s", version);
			flyte_string_free(version);
			flyte_typed_interface_free(iface);
		}
		if (strcmp(got, expect) != 0) {
			print_error("vector %s: expected %s, got %s\n", name, expect, got);
			failed++;
		}
		free(text);
		json_decref(v);
	}
	free(line);
	fclose(f);
	print_message("conformance: %d vectors (%d literals, %d interfaces), %d failed\n", total, literals,
		      interfaces, failed);
	assert_int_equal(total, 331);
	assert_int_equal(literals, 252);
	assert_int_equal(interfaces, 79);
	assert_int_equal(failed, 0);
}

/* The worked trace of cache-keys.md §1.4 and the empty map. */
static void test_known_tags(void **state)
{
	(void)state;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	tag_of_json(tag, "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"42\"}}}}}", NULL, 0);
	assert_string_equal(tag, "flyte_cached-4aUW3tPXnbTJ6f2lXO1oVwHppztt0DaYx7rv3_Hy29w");
	assert_int_equal(strlen(tag), FLYTE_ARTIFACT_TAG_LEN);
	assert_int_equal(flyte_cache_artifact_tag(tag, NULL, NULL, 0, NULL), 0);
	assert_string_equal(tag, "flyte_cached-GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ");
	/* Durations are hashed in jsonpb's form: "1.5s" becomes "1.500s". */
	tag_of_json(tag, "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"duration\":\"1.5s\"}}}}}", NULL, 0);
	assert_string_equal(tag, "flyte_cached-64C6nOvj92B_ldtptdu7azQKFWAYyq0dwf8jvFWcU18");
	/* Ignoring every input gives the empty map's tag. */
	const char *ign[] = {"a"};
	tag_of_json(tag, "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}", ign, 1);
	assert_string_equal(tag, "flyte_cached-GKw-c0PwFokMUQ6T-TUmEWnZ4_VlQ2Qpgw-vCTT0-OQ");
}

/* The same value built with the C builders and decoded from JSON gives the same tag. */
static void test_builders_match_json(void **state)
{
	(void)state;
	flyte_literal_map *m;
	flyte_literal *l;
	assert_int_equal(flyte_literal_map_new(&m), 0);
	assert_int_equal(flyte_literal_new_integer(&l, 42), 0);
	assert_int_equal(flyte_literal_map_set_new(m, "a", l), 0);
	char a[FLYTE_ARTIFACT_TAG_LEN + 1];
	assert_int_equal(flyte_cache_artifact_tag(a, m, NULL, 0, NULL), 0);
	assert_string_equal(a, "flyte_cached-4aUW3tPXnbTJ6f2lXO1oVwHppztt0DaYx7rv3_Hy29w");
	flyte_literal_map_free(m);
}

/* Property checks that do not need an oracle: what must and must not change the tag. */
static void test_hash_semantics(void **state)
{
	(void)state;
	char t1[64], t2[64];
	/* A hash replaces the value entirely, at the top level and inside collections and maps. */
	tag_of_json(t1, "{\"literals\":{\"x\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"stringValue\":\"other\"}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	tag_of_json(t1, "{\"literals\":{\"x\":{\"collection\":{\"literals\":[{\"hash\":\"h\",\"scalar\":{\"blob\":{\"uri\":\"s3://a\"}}}]}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"collection\":{\"literals\":[{\"hash\":\"h\",\"scalar\":{\"blob\":{\"uri\":\"s3://b\"}}}]}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	tag_of_json(t1, "{\"literals\":{\"x\":{\"map\":{\"literals\":{\"k\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"map\":{\"literals\":{\"k\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"integer\":\"2\"}}}}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	/* ... but not inside unions: the inner literal is hashed whole. */
	tag_of_json(t1, "{\"literals\":{\"u\":{\"scalar\":{\"union\":{\"value\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"integer\":\"1\"}}},\"type\":{\"simple\":\"INTEGER\"}}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"u\":{\"scalar\":{\"union\":{\"value\":{\"hash\":\"h\",\"scalar\":{\"primitive\":{\"integer\":\"2\"}}},\"type\":{\"simple\":\"INTEGER\"}}}}}}", NULL, 0);
	assert_string_not_equal(t1, t2);
	/* Collection-level metadata is dropped, scalar-level metadata kept. */
	tag_of_json(t1, "{\"literals\":{\"x\":{\"collection\":{\"literals\":[]},\"metadata\":{\"k\":\"v\"}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"collection\":{}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	tag_of_json(t1, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}},\"metadata\":{\"k\":\"v\"}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}", NULL, 0);
	assert_string_not_equal(t1, t2);
	/* Integer 1 and float 1.0 differ; -0.0 and 0.0 do not. */
	tag_of_json(t1, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"floatValue\":1.0}}}}}", NULL, 0);
	assert_string_not_equal(t1, t2);
	tag_of_json(t1, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"floatValue\":-0.0}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"floatValue\":0}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	/* An int64 given as a JSON number or string is the same value. */
	tag_of_json(t1, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":9007199254740993}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"integer\":\"9007199254740993\"}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	/* Equivalent timestamps in other offsets and fraction lengths are one instant. */
	tag_of_json(t1, "{\"literals\":{\"t\":{\"scalar\":{\"primitive\":{\"datetime\":\"2024-01-02T03:04:05.500Z\"}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"t\":{\"scalar\":{\"primitive\":{\"datetime\":\"2024-01-02T05:04:05.5+02:00\"}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
	/* Key order and names (camel or snake) in the JSON do not matter. */
	tag_of_json(t1, "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"floatValue\":0.1}}},\"b\":{\"scalar\":{\"primitive\":{\"stringValue\":\"\\u00e9\\u2028\"}}}}}", NULL, 0);
	tag_of_json(t2, "{\"literals\":{\"b\":{\"scalar\":{\"primitive\":{\"string_value\":\"\\u00e9\\u2028\"}}},\"a\":{\"scalar\":{\"primitive\":{\"float_value\":0.1}}}}}", NULL, 0);
	assert_string_equal(t1, t2);
}

/* Values at the edges: each must hash without error and differ from its neighbour. */
static void test_edge_values(void **state)
{
	(void)state;
	static const char *const values[] = {
		"{\"integer\":\"9223372036854775807\"}", "{\"integer\":\"-9223372036854775808\"}",
		"{\"floatValue\":\"NaN\"}", "{\"floatValue\":\"Infinity\"}", "{\"floatValue\":\"-Infinity\"}",
		"{\"floatValue\":1e21}", "{\"floatValue\":5e-324}", "{\"floatValue\":2.2250738585072014e-308}",
		"{\"floatValue\":1.7976931348623157e308}", "{\"datetime\":\"0001-01-01T00:00:00Z\"}",
		"{\"datetime\":\"9999-12-31T23:59:59.999999999Z\"}", "{\"datetime\":\"2019-03-29T12:00:00.000000001Z\"}",
		"{\"duration\":\"-0.000000001s\"}", "{\"duration\":\"-315576000000s\"}", "{\"duration\":\"315576000000.999999999s\"}",
		"{\"stringValue\":\"\\ud83d\\ude00 \\u0000 nul\"}",
	};
	char seen[sizeof values / sizeof *values][64];
	for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
		char json[256];
		snprintf(json, sizeof json, "{\"literals\":{\"v\":{\"scalar\":{\"primitive\":%s}}}}", values[i]);
		tag_of_json(seen[i], json, NULL, 0);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(seen[i], seen[k]);
	}
}

/* Dataset versions: upstream TestNilParamTask and TestVariableMapOrder, blank versions. */
static void test_empty_interface_version(void **state)
{
	(void)state;
	char *v = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_cache_dataset_version(&v, " 1.0.0 ", NULL, &err), 0);
	assert_string_equal(v, "1.0.0-GKw-c0Pw-GKw-c0Pw");
	flyte_string_free(v);
	assert_int_equal(flyte_cache_dataset_version(&v, "   ", NULL, &err), FLYTE_EINVALID);
	assert_null(v);
	assert_non_null(strstr(flyte_error_message(err), "empty discoveryVersion"));
	flyte_error_free(err);

	flyte_variable_map *in;
	flyte_literal_type *t;
	flyte_typed_interface *iface;
	assert_int_equal(flyte_variable_map_new(&in), 0);
	assert_int_equal(flyte_literal_type_new_simple(&t, FLYTE_SIMPLE_INTEGER), 0);
	assert_int_equal(flyte_variable_map_add(in, "1", t, NULL), 0);
	assert_int_equal(flyte_variable_map_add(in, "2", t, NULL), 0);
	assert_int_equal(flyte_typed_interface_new(&iface, in, NULL), 0);
	flyte_identifier id = {FLYTE_RESOURCE_TASK, "flytesnacks", "development", "my.task", "v1", NULL};
	flyte_dataset_id ds;
	assert_int_equal(flyte_cache_dataset_id(&ds, &id, "1.0.0", iface, NULL), 0);
	assert_string_equal(ds.version, "1.0.0-UxVtPm0k-GKw-c0Pw"); /* upstream TestVariableMapOrder */
	assert_string_equal(ds.name, "flyte_task-my.task");
	assert_string_equal(ds.project, "flytesnacks");
	assert_string_equal(ds.domain, "development");
	flyte_dataset_id_dispose(&ds);
	flyte_typed_interface_free(iface);
	flyte_literal_type_free(t);
	flyte_variable_map_free(in);
}

static int upper_hash(flyte_out_string *out, const flyte_literal *lit, void *payload)
{
	int *calls = payload;
	const char *s;
	(*calls)++;
	if (flyte_literal_get_string(lit, &s))
		return flyte_out_string_fail(out, "not a string"), 7;
	return flyte_out_string_set(out, "same-for-all", 12);
}

/* Type hints set Literal.hash before the key is computed, and a failing hash function
   leaves the inputs untouched. */
static void test_type_hints(void **state)
{
	(void)state;
	int calls = 0;
	flyte_type_hints *hints;
	flyte_literal_type *str;
	assert_int_equal(flyte_type_hints_new(&hints), 0);
	assert_int_equal(flyte_literal_type_new_simple(&str, FLYTE_SIMPLE_STRING), 0);
	assert_int_equal(flyte_type_hints_add(hints, "s", str, upper_hash, &calls), 0);

	char t1[64], t2[64];
	const char *vals[] = {"one", "two"};
	char *tags[] = {t1, t2};
	for (int i = 0; i < 2; i++) {
		flyte_literal_map *m;
		flyte_literal *l;
		assert_int_equal(flyte_literal_map_new(&m), 0);
		assert_int_equal(flyte_literal_new_string(&l, vals[i]), 0);
		assert_int_equal(flyte_literal_map_set_new(m, "s", l), 0);
		assert_int_equal(flyte_type_hints_apply(hints, m, NULL), 0);
		assert_string_equal(flyte_literal_hash(flyte_literal_map_get(m, "s")), "same-for-all");
		assert_int_equal(flyte_cache_artifact_tag(tags[i], m, NULL, 0, NULL), 0);
		flyte_literal_map_free(m);
	}
	assert_int_equal(calls, 2);
	assert_string_equal(t1, t2);

	/* A value of the wrong type is refused before any hash function runs. */
	flyte_literal_map *m;
	flyte_literal *l;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_map_new(&m), 0);
	assert_int_equal(flyte_literal_new_integer(&l, 3), 0);
	assert_int_equal(flyte_literal_map_set_new(m, "s", l), 0);
	assert_int_equal(flyte_type_hints_apply(hints, m, &err), FLYTE_ETYPE);
	assert_non_null(strstr(flyte_error_message(err), "\"s\""));
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(m, "s")), "");
	flyte_error_free(err);
	err = NULL;

	/* A failing hash function: FLYTE_EUSER naming the input, with its message. */
	assert_int_equal(flyte_type_hints_add(hints, "s", NULL, upper_hash, &calls), 0);
	assert_int_equal(flyte_type_hints_apply(hints, m, &err), FLYTE_EUSER);
	assert_non_null(strstr(flyte_error_message(err), "hash function for input \"s\""));
	assert_non_null(strstr(flyte_error_message(err), "not a string"));
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(m, "s")), "");
	flyte_error_free(err);
	flyte_literal_map_free(m);
	flyte_literal_type_free(str);
	flyte_type_hints_free(hints);
}

/* A large nested input (20736 leaves under four levels of maps and lists) and a flat list
   of 5000: hashed by two threads, the tag equals the single-threaded one. */
static flyte_literal *nested(int depth)
{
	flyte_literal *l;
	if (depth == 0) {
		static int64_t counter;
		assert_int_equal(flyte_literal_new_integer(&l, counter++), 0);
		return l;
	}
	int map = depth % 2;
	assert_int_equal(map ? flyte_literal_new_map(&l) : flyte_literal_new_collection(&l), 0);
	for (int i = 0; i < 12; i++) {
		char key[8];
		snprintf(key, sizeof key, "k%d", i);
		flyte_literal *child = nested(depth - 1);
		if (i == 3)
			flyte_literal_set_hash(child, "a hash stands in for the value");
		assert_int_equal(map ? flyte_literal_map_entry_set_new(l, key, child)
				     : flyte_literal_collection_append_new(l, child),
				 0);
	}
	return l;
}

static void test_parallel_equals_sequential(void **state)
{
	(void)state;
	flyte_literal_map *m;
	assert_int_equal(flyte_literal_map_new(&m), 0);
	assert_int_equal(flyte_literal_map_set_new(m, "tree", nested(4)), 0);
	assert_int_equal(flyte_literal_map_set_new(m, "small", nested(1)), 0);
	flyte_literal *flat;
	assert_int_equal(flyte_literal_new_collection(&flat), 0);
	for (int i = 0; i < 5000; i++) {
		flyte_literal *s;
		char text[32];
		snprintf(text, sizeof text, "item %d", i);
		assert_int_equal(flyte_literal_new_string(&s, text), 0);
		assert_int_equal(flyte_literal_collection_append_new(flat, s), 0);
	}
	assert_int_equal(flyte_literal_map_set_new(m, "flat", flat), 0);
	char par[64], seq[64];
	const char *ignore[] = {"small"};
	for (int k = 0; k < 2; k++) {
		assert_int_equal(flyte_cache_artifact_tag(par, m, ignore, (size_t)k, NULL), 0);
		fl_cache_key_threads = 0;
		assert_int_equal(flyte_cache_artifact_tag(seq, m, ignore, (size_t)k, NULL), 0);
		fl_cache_key_threads = 1;
		assert_string_equal(par, seq);
	}
	flyte_literal_map_free(m);
}

static void test_alloc_failures(void **state)
{
	(void)state;
	const char *json = "{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{\"hash\":\"h\"},"
			   "{\"map\":{\"literals\":{\"k\":{\"scalar\":{\"generic\":{\"a\":[1,null]}}}}}}]}}}}";
	flyte_literal_map *m;
	assert_int_equal(flyte_literal_map_from_json(&m, json, strlen(json), NULL), 0);
	char expect[64], got[64];
	assert_int_equal(flyte_cache_artifact_tag(expect, m, NULL, 0, NULL), 0);
	tu_install_failing_allocator();
	for (long n = 0;; n++) {
		tu_fail_after(n);
		flyte_error *err = NULL;
		int rc = flyte_cache_artifact_tag(got, m, NULL, 0, &err);
		tu_fail_never();
		flyte_error_free(err);
		if (rc == 0) {
			assert_string_equal(got, expect);
			break;
		}
		assert_int_equal(rc, FLYTE_ENOMEM);
	}
	flyte_literal_map_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conformance_vectors), cmocka_unit_test(test_known_tags),
		cmocka_unit_test(test_builders_match_json), cmocka_unit_test(test_hash_semantics),
		cmocka_unit_test(test_edge_values),         cmocka_unit_test(test_empty_interface_version),
		cmocka_unit_test(test_type_hints),          cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_parallel_equals_sequential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
