/* The proto3 JSON codec (sdk/pb_json.c) through the public from_json/to_json calls and the
   internal decoder: names, numbers, enums, well-known types, errors with paths, lossless
   round trips, byte-at-a-time input and allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flyte/flyte.h>

#include "model.h"
#include "pb_json.h"
#include "testutil.h"

static flyte_literal_map *decode_ok(const char *json)
{
	flyte_literal_map *m = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_map_from_json(&m, json, strlen(json), &err))
		fail_msg("decode %s: %s", json, flyte_error_message(err));
	return m;
}

/* Decoding must fail with FLYTE_EINVALID and a message containing `needle`. */
static void decode_fails(const char *json, const char *needle)
{
	flyte_literal_map *m = NULL;
	flyte_error *err = NULL;
	int rc = flyte_literal_map_from_json(&m, json, strlen(json), &err);
	if (rc != FLYTE_EINVALID || !strstr(flyte_error_message(err), needle))
		fail_msg("decode %s: rc %d, message \"%s\", wanted \"%s\"", json, rc, flyte_error_message(err), needle);
	assert_null(m);
	flyte_error_free(err);
}

static void test_names_and_numbers(void **state)
{
	(void)state;
	flyte_literal_map *a = decode_ok("{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"floatValue\":1.5}}},"
					 "\"n\":{\"scalar\":{\"primitive\":{\"integer\":-12}}}}}");
	flyte_literal_map *b = decode_ok("{\"literals\":{\"n\":{\"scalar\":{\"primitive\":{\"integer\":\"-12\"}}},"
					 "\"x\":{\"scalar\":{\"primitive\":{\"float_value\":\"1.5\"}}}}}");
	assert_true(flyte_literal_map_equal(a, b));
	int64_t i;
	double d;
	assert_int_equal(flyte_literal_get_integer(flyte_literal_map_get(a, "n"), &i), 0);
	assert_int_equal(i, -12);
	assert_int_equal(flyte_literal_get_float(flyte_literal_map_get(a, "x"), &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(flyte_literal_get_float(flyte_literal_map_get(a, "n"), &d), FLYTE_ETYPE);
	flyte_literal_map_free(a);
	flyte_literal_map_free(b);

	a = decode_ok("{\"literals\":{\"n\":{\"scalar\":{\"primitive\":{\"floatValue\":\"NaN\"}}},"
		      "\"p\":{\"scalar\":{\"primitive\":{\"floatValue\":\"Infinity\"}}},"
		      "\"q\":{\"scalar\":{\"primitive\":{\"floatValue\":\"-Infinity\"}}}}}");
	assert_int_equal(flyte_literal_get_float(flyte_literal_map_get(a, "n"), &d), 0);
	assert_true(isnan(d));
	assert_int_equal(flyte_literal_get_float(flyte_literal_map_get(a, "q"), &d), 0);
	assert_true(isinf(d) && d < 0);
	char *json;
	assert_int_equal(flyte_literal_map_to_json(&json, a), 0);
	assert_non_null(strstr(json, "\"float_value\":\"NaN\""));
	assert_non_null(strstr(json, "\"float_value\":\"Infinity\""));
	flyte_string_free(json);
	flyte_literal_map_free(a);
}

static void test_enums_and_wkt(void **state)
{
	(void)state;
	flyte_literal_type *t = NULL;
	flyte_error *err = NULL;
	const char *by_number = "{\"blob\":{\"format\":\"csv\",\"dimensionality\":1}}";
	assert_int_equal(flyte_literal_type_from_json(&t, by_number, strlen(by_number), &err), 0);
	assert_int_equal(flyte_literal_type_blob_dimensionality(t), FLYTE_BLOB_MULTIPART);
	char *json;
	assert_int_equal(flyte_literal_type_to_json(&json, t), 0);
	assert_string_equal(json, "{\"blob\":{\"format\":\"csv\",\"dimensionality\":\"MULTIPART\"}}");
	flyte_string_free(json);
	flyte_literal_type_free(t);

	const char *bad = "{\"simple\":\"INTEGR\"}";
	assert_int_equal(flyte_literal_type_from_json(&t, bad, strlen(bad), &err), FLYTE_EINVALID);
	assert_non_null(strstr(flyte_error_message(err), "simple"));
	assert_non_null(strstr(flyte_error_message(err), "INTEGR"));
	flyte_error_free(err);
	err = NULL;

}

/* Text that must come back exactly from a decode-encode round trip. */
static void roundtrip_text(const pb_msg_desc *desc, const char *in, const char *out)
{
	pb_msg *m;
	flyte_error *err = NULL;
	if (pb_json_decode(&m, desc, in, strlen(in), 0, &err))
		fail_msg("decode %s: %s", in, flyte_error_message(err));
	char *text = pb_json_encode(m, 0, NULL);
	assert_non_null(text);
	if (strcmp(text, out) != 0)
		fail_msg("round trip of %s: got %s, wanted %s", in, text, out);
	free(text);
	pb_msg_free(m);
}

static void test_timestamps_and_durations(void **state)
{
	(void)state;
	const pb_msg_desc *p = &pb_flyteidl_core_Primitive;
	roundtrip_text(p, "{\"datetime\":\"2024-01-02T03:04:05.5Z\"}", "{\"datetime\":\"2024-01-02T03:04:05.500Z\"}");
	roundtrip_text(p, "{\"datetime\":\"2024-01-02T05:04:05.000001+02:00\"}",
		       "{\"datetime\":\"2024-01-02T03:04:05.000001Z\"}");
	roundtrip_text(p, "{\"datetime\":\"0001-01-01T00:00:00Z\"}", "{\"datetime\":\"0001-01-01T00:00:00Z\"}");
	roundtrip_text(p, "{\"datetime\":\"9999-12-31T23:59:59.999999999Z\"}",
		       "{\"datetime\":\"9999-12-31T23:59:59.999999999Z\"}");
	roundtrip_text(p, "{\"datetime\":\"2024-02-29T00:00:00Z\"}", "{\"datetime\":\"2024-02-29T00:00:00Z\"}");
	roundtrip_text(p, "{\"duration\":\"1.5s\"}", "{\"duration\":\"1.500s\"}");
	roundtrip_text(p, "{\"duration\":\"-0.000000001s\"}", "{\"duration\":\"-0.000000001s\"}");
	roundtrip_text(p, "{\"duration\":\"90s\"}", "{\"duration\":\"90s\"}");
	roundtrip_text(p, "{\"duration\":\"0s\"}", "{\"duration\":\"0s\"}");
	roundtrip_text(p, "{\"duration\":\"-1.000001s\"}", "{\"duration\":\"-1.000001s\"}");
	static const char *const bad[] = {
		"{\"datetime\":\"2023-02-29T00:00:00Z\"}", "{\"datetime\":\"2024-01-02T03:04:05\"}",
		"{\"datetime\":\"2024-13-02T03:04:05Z\"}", "{\"datetime\":\"2024-01-02T03:04:05.1234567891Z\"}",
		"{\"datetime\":\"10000-01-01T00:00:00Z\"}", "{\"duration\":\"1.5\"}", "{\"duration\":\"s\"}",
		"{\"duration\":\"315576000001s\"}", "{\"duration\":\"1.1234567891s\"}", "{\"datetime\":42}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		pb_msg *m;
		flyte_error *err = NULL;
		if (pb_json_decode(&m, p, bad[i], strlen(bad[i]), 0, &err) != FLYTE_EINVALID)
			fail_msg("%s was accepted", bad[i]);
		assert_non_null(strstr(flyte_error_message(err), strstr(bad[i], "datetime") ? "datetime" : "duration"));
		flyte_error_free(err);
	}
}

static void test_errors_name_their_path(void **state)
{
	(void)state;
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":true}}}}}",
		     "literals.a.scalar.primitive.integer: expected a 64-bit integer");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"12x\"}}}}}",
		     "literals.a.scalar.primitive.integer");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"99999999999999999999\"}}}}}",
		     "literals.a.scalar.primitive.integer");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitve\":{}}}}}",
		     "literals.a.scalar.primitve: unknown field \"primitve\" in flyteidl.core.Scalar");
	decode_fails("{\"literals\":{\"xs\":{\"collection\":{\"literals\":[{\"scalar\":{\"noneType\":{}}},"
		     "{\"scalar\":{\"blob\":{\"uri\":7}}}]}}}}",
		     "literals.xs.collection.literals[1].scalar.blob.uri: expected a string, got a number");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"1\",\"boolean\":true}}}}}",
		     "oneof flyteidl.core.Primitive.value is already set");
	decode_fails("{\"literals\":{\"a\":{\"collection\":{\"literals\":{}}}}}",
		     "literals.a.collection.literals: expected an array, got an object");
	decode_fails("{\"literals\":{\"a\":", "malformed JSON at line 1");
	decode_fails("{\"literals\":{\"a\":{}, \"a\":{}}}", "malformed JSON");
	decode_fails("[]", "(top level): expected an object, got an array");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"binary\":{\"value\":\"not base64!\"}}}}}",
		     "literals.a.scalar.binary.value: not valid base64");
	decode_fails("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"floatValue\":\"fast\"}}}}}",
		     "literals.a.scalar.primitive.floatValue");

	/* A response reader may skip unknown fields (a newer server). */
	pb_msg *m;
	const char *newer = "{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}},\"future\":1}}}";
	assert_int_equal(pb_json_decode(&m, &D_LITERAL_MAP, newer, strlen(newer), PB_JSON_IGNORE_UNKNOWN, NULL), 0);
	pb_msg_free(m);
	/* null means absent, as FlyteAdmin writes unset messages. */
	flyte_literal_map *lm =
		decode_ok("{\"literals\":{\"a\":{\"scalar\":{\"primitive\":{\"integer\":\"1\"}},\"hash\":null,"
			  "\"offloaded_metadata\":null}}}");
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(lm, "a")), "");
	flyte_literal_map_free(lm);
}

/* Every vector value: decode, encode (snake and camel), decode again: equal, and the
   encoding is a fixed point. Decoding one byte at a time gives the same value. */
struct byte_reader {
	const char *data;
	size_t len, pos;
};

static size_t read_one(void *buf, size_t size, void *arg)
{
	struct byte_reader *r = arg;
	if (r->pos >= r->len || size == 0)
		return 0;
	*(char *)buf = r->data[r->pos++];
	return 1;
}

static void test_lossless_round_trip(void **state)
{
	(void)state;
	size_t len;
	char *all = tu_read_file(tu_data_path("cache_key_vectors.jsonl"), &len);
	assert_non_null(all);
	int count = 0;
	for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
		json_t *v = json_loads(line, 0, NULL);
		json_t *value = json_object_get(v, "value");
		if (!value) {
			json_decref(v);
			continue;
		}
		const pb_msg_desc *desc = strcmp(json_string_value(json_object_get(v, "kind")), "literals") == 0
						  ? &D_LITERAL_MAP
						  : &D_TYPED_INTERFACE;
		char *text = json_dumps(value, JSON_COMPACT);
		pb_msg *a, *b, *c;
		assert_int_equal(pb_json_decode(&a, desc, text, strlen(text), 0, NULL), 0);
		for (int flags = 0; flags <= PB_JSON_CAMEL; flags += PB_JSON_CAMEL) {
			char *e1 = pb_json_encode(a, flags, NULL);
			assert_int_equal(pb_json_decode(&b, desc, e1, strlen(e1), 0, NULL), 0);
			assert_true(pb_msg_equal(a, b));
			char *e2 = pb_json_encode(b, flags, NULL);
			assert_string_equal(e1, e2);
			free(e1);
			free(e2);
			pb_msg_free(b);
		}
		struct byte_reader r = {text, strlen(text), 0};
		assert_int_equal(pb_json_decode_stream(&c, desc, read_one, &r, 0, NULL), 0);
		assert_true(pb_msg_equal(a, c));
		pb_msg_free(c);
		pb_msg_free(a);
		free(text);
		json_decref(v);
		count++;
	}
	free(all);
	assert_int_equal(count, 330);
}

static void test_strings_bytes_struct(void **state)
{
	(void)state;
	/* Embedded NUL, astral plane, U+2028 and escapes survive. */
	roundtrip_text(&pb_flyteidl_core_Primitive, "{\"stringValue\":\"a\\u0000b\\ud83d\\ude00\\u2028\\\"\\\\\\n\"}",
		       "{\"string_value\":\"a\\u0000b\xf0\x9f\x98\x80\xe2\x80\xa8\\\"\\\\\\n\"}");
	/* Bytes: URL-safe or unpadded input, standard padded output. */
	roundtrip_text(&pb_flyteidl_core_Binary, "{\"value\":\"-_8\",\"tag\":\"t\"}", "{\"value\":\"+/8=\",\"tag\":\"t\"}");
	/* Struct numbers are doubles: integers come back as the same number. */
	roundtrip_text(&pb_flyteidl_core_Scalar, "{\"generic\":{\"a\":1,\"b\":[0.1,null,true,{\"c\":\"d\"}],\"e\":-0.0}}",
		       "{\"generic\":{\"a\":1,\"b\":[0.1,null,true,{\"c\":\"d\"}],\"e\":-0.0}}");
	/* Shortest doubles that read back exactly. */
	roundtrip_text(&pb_flyteidl_core_Primitive, "{\"floatValue\":1e21}", "{\"float_value\":1e+21}");
	roundtrip_text(&pb_flyteidl_core_Primitive, "{\"floatValue\":5e-324}", "{\"float_value\":5e-324}");
	roundtrip_text(&pb_flyteidl_core_Primitive, "{\"floatValue\":0.1}", "{\"float_value\":0.1}");
	roundtrip_text(&pb_flyteidl_core_Primitive, "{\"integer\":\"-9223372036854775808\"}",
		       "{\"integer\":\"-9223372036854775808\"}");

	flyte_literal *l;
	assert_int_equal(flyte_literal_new_string(&l, "bad \xc3\x28 utf8"), FLYTE_EINVALID);
	assert_int_equal(flyte_literal_new_string(&l, "\xed\xa0\x80"), FLYTE_EINVALID); /* a surrogate */
}

/* FlyteAdmin's response style: every non-oneof field, null for unset messages. */
static void test_emit_unpopulated(void **state)
{
	(void)state;
	pb_msg *m;
	const char *in = "{\"scalar\":{\"primitive\":{\"integer\":\"0\"}}}";
	assert_int_equal(pb_json_decode(&m, &D_LITERAL, in, strlen(in), 0, NULL), 0);
	char *text = pb_json_encode(m, PB_JSON_EMIT_UNPOPULATED, NULL);
	assert_string_equal(text, "{\"scalar\":{\"primitive\":{\"integer\":\"0\"}},\"hash\":\"\",\"metadata\":{}}");
	free(text);
	pb_msg_free(m);
}

static void test_decoder_allocation_failures(void **state)
{
	(void)state;
	const char *json = "{\"literals\":{\"a\":{\"scalar\":{\"generic\":{\"k\":[1,{\"x\":null}]}},\"metadata\":"
			   "{\"m\":\"v\"}},\"b\":{\"collection\":{\"literals\":[{\"scalar\":{\"binary\":{\"value\":"
			   "\"AAEC\"}}},{\"scalar\":{\"primitive\":{\"duration\":\"1s\"}}}]}},\"c\":{\"map\":"
			   "{\"literals\":{\"k\":{\"scalar\":{\"union\":{\"value\":{\"scalar\":{\"noneType\":{}}},"
			   "\"type\":{\"simple\":\"NONE\"}}}}}}}}}";
	flyte_literal_map *want = decode_ok(json);
	tu_install_failing_allocator();
	int failures = 0;
	for (long n = 0;; n++) {
		flyte_literal_map *m = NULL;
		flyte_error *err = NULL;
		tu_fail_after(n);
		int rc = flyte_literal_map_from_json(&m, json, strlen(json), &err);
		char *text = NULL;
		int rc2 = rc == 0 ? flyte_literal_map_to_json(&text, m) : 0;
		tu_fail_never();
		if (rc == 0 && rc2 == 0) {
			assert_true(flyte_literal_map_equal(m, want));
			flyte_string_free(text);
			flyte_literal_map_free(m);
			break;
		}
		failures++;
		if (rc != FLYTE_ENOMEM && rc2 != FLYTE_ENOMEM)
			fail_msg("allocation %ld: rc %d/%d: %s", n, rc, rc2, flyte_error_message(err));
		flyte_error_free(err);
		flyte_literal_map_free(m);
	}
	assert_true(failures > 20);

	/* The literal builders: each fails cleanly at every allocation. */
	for (long n = 0;; n++) {
		flyte_literal *blob = NULL, *u = NULL, *c = NULL;
		flyte_literal_type *t = NULL;
		tu_fail_after(n);
		int rc = flyte_literal_new_blob(&blob, "s3://b/k", "csv", FLYTE_BLOB_SINGLE);
		if (!rc)
			rc = flyte_literal_type_new_blob(&t, "csv", FLYTE_BLOB_SINGLE);
		if (!rc)
			rc = flyte_literal_new_union(&u, blob, t);
		if (!rc)
			rc = flyte_literal_new_collection(&c);
		if (!rc)
			rc = flyte_literal_collection_append(c, u);
		if (!rc)
			rc = flyte_literal_set_metadata(c, "k", "v");
		if (!rc)
			rc = flyte_literal_set_hash(c, "h");
		tu_fail_never();
		flyte_literal_free(blob);
		flyte_literal_free(u);
		flyte_literal_type_free(t);
		if (rc == 0) {
			assert_int_equal(flyte_literal_count(c), 1);
			flyte_literal_free(c);
			break;
		}
		assert_int_equal(rc, FLYTE_ENOMEM);
		flyte_literal_free(c);
	}
	flyte_literal_map_free(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_numbers),
		cmocka_unit_test(test_enums_and_wkt),
		cmocka_unit_test(test_timestamps_and_durations),
		cmocka_unit_test(test_errors_name_their_path),
		cmocka_unit_test(test_lossless_round_trip),
		cmocka_unit_test(test_strings_bytes_struct),
		cmocka_unit_test(test_emit_unpopulated),
		cmocka_unit_test(test_decoder_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
