/*
 * libFuzzer target for the proto3 JSON readers of LiteralMap, TypedInterface and
 * LiteralType. Any input must be accepted or rejected without a crash, leak or undefined
 * behaviour; a rejection must come with a message; and whatever is accepted must survive
 * to_json + from_json unchanged (equal values, identical JSON text, identical cache key).
 * A broken invariant abort()s, which libFuzzer reports as a crash with the input saved.
 *
 * The input goes to the readers as is, without a terminating NUL, so that ASan catches a
 * read past `len`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flyte/flyte.h"
#include "model.h" /* pb_msg_equal: the public API has no equality for interfaces */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	const char *name;
	int (*decode)(void **out, const char *json, size_t len, flyte_error **error);
	int (*encode)(char **out, const void *value);
	int (*equal)(const void *a, const void *b);
	/* A string computed from the value (its cache key where it has one); *out is malloc'd. */
	int (*key)(char **out, const void *value);
	void (*free)(void *value);
} codec;

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_json_decode: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);
	if (!d)
		fail("out of memory", NULL);
	return d;
}

/* ---- LiteralMap: the artifact tag, without and with an ignored input ---- */

static int map_decode(void **out, const char *json, size_t len, flyte_error **error)
{
	return flyte_literal_map_from_json((flyte_literal_map **)out, json, len, error);
}

static int map_encode(char **out, const void *value)
{
	return flyte_literal_map_to_json(out, value);
}

static int map_equal(const void *a, const void *b)
{
	return flyte_literal_map_equal(a, b);
}

/* Fails unless tag_with_ignore is the tag of `value` without its input `name`. */
static void check_ignore(const flyte_literal_map *value, const char *name, const char *tag_with_ignore)
{
	flyte_literal_map *rest = NULL;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
	if (flyte_literal_map_copy(&rest, value) || flyte_literal_map_remove(rest, name) ||
	    flyte_cache_artifact_tag(tag, rest, NULL, 0, NULL))
		fail("LiteralMap", "removing an input that hashes failed");
	if (strcmp(tag, tag_with_ignore) != 0)
		fail("LiteralMap", "ignoring an input differs from removing it");
	flyte_literal_map_free(rest);
}

static int map_key(char **out, const void *value)
{
	char tags[2][FLYTE_ARTIFACT_TAG_LEN + 1];
	const char *first = NULL;
	flyte_literal_map_at(value, 0, &first);
	const char *ignore[1] = {first ? first : "absent"};
	flyte_error *error = NULL;
	int rc = flyte_cache_artifact_tag(tags[0], value, NULL, 0, &error);
	if (!rc)
		rc = flyte_cache_artifact_tag(tags[1], value, ignore, 1, &error);
	if (rc) {
		/* Legal (e.g. a Struct Value with no kind), but it must say why. */
		if (!error || flyte_error_code_of(error) != rc || !*flyte_error_message(error))
			fail("artifact tag failed without a message", NULL);
		*out = dup_or_die(flyte_error_message(error));
		flyte_error_free(error);
		return 0;
	}
	for (int i = 0; i < 2; i++)
		if (strlen(tags[i]) != FLYTE_ARTIFACT_TAG_LEN || strncmp(tags[i], "flyte_cached-", 13) != 0)
			fail("malformed artifact tag", tags[i]);
	if (first)
		check_ignore(value, first, tags[1]);
	else if (strcmp(tags[0], tags[1]) != 0)
		fail("LiteralMap", "ignoring an absent input changed the tag");
	size_t n = 2 * sizeof tags[0] + 1;
	*out = malloc(n);
	if (!*out)
		fail("out of memory", NULL);
	snprintf(*out, n, "%s %s", tags[0], tags[1]);
	return 0;
}

static void map_free(void *value)
{
	flyte_literal_map_free(value);
}

/* ---- TypedInterface: the dataset version ---- */

static int iface_decode(void **out, const char *json, size_t len, flyte_error **error)
{
	return flyte_typed_interface_from_json((flyte_typed_interface **)out, json, len, error);
}

static int iface_encode(char **out, const void *value)
{
	return flyte_typed_interface_to_json(out, value);
}

static int iface_equal(const void *a, const void *b)
{
	return pb_msg_equal(M(a), M(b));
}

static int iface_key(char **out, const void *value)
{
	char *version = NULL;
	flyte_error *error = NULL;
	int rc = flyte_cache_dataset_version(&version, " v1 ", value, &error);
	if (rc) {
		if (!error || !*flyte_error_message(error))
			fail("dataset version failed without a message", NULL);
		*out = dup_or_die(flyte_error_message(error));
		flyte_error_free(error);
		return 0;
	}
	if (strlen(version) != 20 || strncmp(version, "v1-", 3) != 0 || version[11] != '-')
		fail("malformed dataset version", version);
	*out = dup_or_die(version);
	flyte_string_free(version);
	return 0;
}

static void iface_free(void *value)
{
	flyte_typed_interface_free(value);
}

/* ---- LiteralType: its readable form ---- */

static int type_decode(void **out, const char *json, size_t len, flyte_error **error)
{
	return flyte_literal_type_from_json((flyte_literal_type **)out, json, len, error);
}

static int type_encode(char **out, const void *value)
{
	return flyte_literal_type_to_json(out, value);
}

static int type_equal(const void *a, const void *b)
{
	return flyte_literal_type_equal(a, b);
}

static int type_key(char **out, const void *value)
{
	char *s = NULL;
	if (flyte_literal_type_to_string(&s, value))
		fail("literal type to_string failed", NULL);
	*out = dup_or_die(s);
	flyte_string_free(s);
	return 0;
}

static void type_free(void *value)
{
	flyte_literal_type_free(value);
}

static const codec codecs[] = {
	{"LiteralMap", map_decode, map_encode, map_equal, map_key, map_free},
	{"TypedInterface", iface_decode, iface_encode, iface_equal, iface_key, iface_free},
	{"LiteralType", type_decode, type_encode, type_equal, type_key, type_free},
};

/* A rejection must leave *out NULL and explain itself with a FLYTE_EINVALID error. */
static void check_rejection(const codec *c, int rc, const void *value, flyte_error *error)
{
	if (value)
		fail(c->name, "failed decode left a value behind");
	if (!error || flyte_error_code_of(error) != rc || !*flyte_error_message(error))
		fail(c->name, "failed decode without a matching error");
	if (rc != FLYTE_EINVALID)
		fail(c->name, flyte_error_message(error));
}

static void *decode_or_die(const codec *c, const char *json)
{
	void *value = NULL;
	flyte_error *error = NULL;
	if (c->decode(&value, json, strlen(json), &error)) {
		fprintf(stderr, "%s written as: %s\n", c->name, json);
		fail("re-reading what to_json wrote failed", error ? flyte_error_message(error) : NULL);
	}
	return value;
}

static char *encode_or_die(const codec *c, const void *value)
{
	char *json = NULL;
	if (c->encode(&json, value) || !json)
		fail(c->name, "to_json failed");
	return json;
}

static void round_trip(const codec *c, const void *x)
{
	char *text_x = encode_or_die(c, x);
	void *y = decode_or_die(c, text_x);
	char *text_y = encode_or_die(c, y);
	if (!c->equal(x, y) || !c->equal(y, x)) {
		fprintf(stderr, "%s written as: %s\n", c->name, text_x);
		fail(c->name, "value changed in a to_json/from_json round trip");
	}
	if (strcmp(text_x, text_y) != 0) {
		fprintf(stderr, "first:  %s\nsecond: %s\n", text_x, text_y);
		fail(c->name, "to_json of a round-tripped value differs");
	}
	char *key_x = NULL, *key_y = NULL;
	c->key(&key_x, x);
	c->key(&key_y, y);
	if (strcmp(key_x, key_y) != 0) {
		fprintf(stderr, "%s written as: %s\nkeys: %s / %s\n", c->name, text_x, key_x, key_y);
		fail(c->name, "key changed in a round trip");
	}
	free(key_x);
	free(key_y);
	flyte_string_free(text_x);
	flyte_string_free(text_y);
	c->free(y);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i < sizeof codecs / sizeof codecs[0]; i++) {
		const codec *c = &codecs[i];
		void *value = NULL;
		flyte_error *error = NULL;
		int rc = c->decode(&value, (const char *)data, size, &error);
		if (rc)
			check_rejection(c, rc, value, error);
		else
			round_trip(c, value);
		flyte_error_free(error);
		c->free(value);
	}
	return 0;
}
