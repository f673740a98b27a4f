/*
 * pb_json: flyteidl messages <-> proto3 JSON (the mapping FlyteAdmin's gateway uses).
 *
 * Reading accepts proto (snake_case) and json (lowerCamelCase) names, int64 as string or
 * number, enums as name or number, "NaN"/"Infinity"/"-Infinity", null as absent. An
 * unknown field (unless PB_JSON_IGNORE_UNKNOWN), a wrong JSON type, a bad enum name or a
 * second member of one oneof is an error that names its path, e.g.
 * `literals.a.scalar.primitive.integer`.
 *
 * Writing uses proto names (or json names with PB_JSON_CAMEL), int64 as strings, enums as
 * names, the shortest double that reads back exactly; only present fields unless
 * PB_JSON_EMIT_UNPOPULATED (FlyteAdmin's response style: every non-oneof field, null for an
 * unset message).
 */
#ifndef FLYTE_PB_JSON_H
#define FLYTE_PB_JSON_H

#include <stddef.h>

#include "flyte/common.h"
#include "pb.h"

enum {
	PB_JSON_IGNORE_UNKNOWN = 1 << 0, /* read: skip unknown fields (responses) */
	PB_JSON_CAMEL = 1 << 1,          /* write: lowerCamelCase names */
	PB_JSON_EMIT_UNPOPULATED = 1 << 2 /* write: every non-oneof field */
};

/* Reads a message of type desc from JSON text into *out. Returns 0, or FLYTE_EINVALID /
   FLYTE_ENOMEM with *error set (and *out NULL). */
int pb_json_decode(pb_msg **out, const pb_msg_desc *desc, const char *text, size_t len, int flags,
		   flyte_error **error);
/* The same from a jansson value (borrowed). `path` prefixes error paths (may be ""). */
int pb_json_from_value(pb_msg **out, const pb_msg_desc *desc, const json_t *value, const char *path,
		       int flags, flyte_error **error);
/* The same from a byte source: read(buf, size, arg) returns bytes read, 0 at the end,
   (size_t)-1 on error (jansson's json_load_callback contract). */
int pb_json_decode_stream(pb_msg **out, const pb_msg_desc *desc,
			  size_t (*read)(void *buf, size_t size, void *arg), void *arg, int flags,
			  flyte_error **error);

/* Writes m as JSON text (NUL-terminated, fl_free it). *len gets the length when len is
   not NULL. NULL when out of memory. */
char *pb_json_encode(const pb_msg *m, int flags, size_t *len);

/* A message as a jansson value in canonical form (snake_case, present fields only); NULL
   when out of memory. */
json_t *pb_json_to_jansson(const pb_msg *m);
/* Checks that a jansson value is a valid message of type desc (strictly: unknown fields and
   wrong types fail, naming the path) and returns its canonical JSON text (fl_free it). */
int pb_json_canonical(char **out, const pb_msg_desc *desc, const json_t *value, flyte_error **error);

/* A growable text buffer; the encoder's and other modules' output. */
typedef struct {
	char *data;
	size_t len, cap;
	int failed; /* an allocation failed; data is unusable */
} pb_buf;
void pb_buf_append(pb_buf *b, const char *s, size_t n);
void pb_buf_puts(pb_buf *b, const char *s);
/* Appends a JSON string literal (quoted, escaped). */
void pb_buf_json_string(pb_buf *b, const char *s, size_t n);
/* Appends the shortest decimal that reads back to exactly d (finite d only). */
void pb_buf_double(pb_buf *b, double d);
/* Appends a jansson value as compact JSON with shortest doubles. */
void pb_buf_json_value(pb_buf *b, const json_t *v);

/* Well-known-type text forms, shared with ObjectHash. out must hold 40 bytes.
   Return the length, or -1 when the value is out of the type's range. */
int pb_format_timestamp(char *out, int64_t seconds, int32_t nanos);
int pb_format_duration(char *out, int64_t seconds, int32_t nanos);
int pb_parse_timestamp(const char *s, size_t n, int64_t *seconds, int32_t *nanos);
int pb_parse_duration(const char *s, size_t n, int64_t *seconds, int32_t *nanos);

#endif
