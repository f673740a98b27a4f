/*
 * pb: the in-memory model of flyteidl protobuf messages, driven by descriptor tables
 * generated from the real flyteidl schema (pb_schema.c, tools/gen_schema.py).
 *
 * One generic representation serves every message: the JSON codec (pb_json.c),
 * ObjectHash (objecthash.c), deep copy and equality are written once against the
 * descriptors instead of once per message. Public types such as flyte_literal are
 * opaque views of a pb_msg of the right descriptor.
 *
 * Presence follows proto3: a oneof member (and a proto3 `optional` field, which is a
 * synthetic oneof) is present when it is the set case; a message field when non-NULL;
 * a scalar when non-zero; a repeated or map field when non-empty.
 *
 * Not thread-safe for writes; concurrent reads of an unchanging message are safe.
 */
#ifndef FLYTE_PB_H
#define FLYTE_PB_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct json_t json_t;

typedef enum {
	PB_DOUBLE,
	PB_FLOAT,
	PB_INT64,
	PB_UINT64,
	PB_INT32,
	PB_UINT32,
	PB_BOOL,
	PB_STRING,
	PB_BYTES,
	PB_ENUM,
	PB_MESSAGE
} pb_type;

typedef enum { PB_SINGULAR, PB_REPEATED, PB_MAP } pb_label;

/* Well-known types that have their own JSON form. */
typedef enum {
	PB_WKT_NONE,
	PB_WKT_TIMESTAMP,
	PB_WKT_DURATION,
	PB_WKT_STRUCT,
	PB_WKT_VALUE,
	PB_WKT_LIST,
	PB_WKT_ANY,
	PB_WKT_WRAPPER,
	PB_WKT_FIELDMASK
} pb_wkt;

typedef struct {
	const char *name;
	int32_t number;
	unsigned char khash[32]; /* SHA-256('u' + name) */
} pb_enum_value;

typedef struct {
	const char *full_name;
	size_t n_values;
	const pb_enum_value *values;
} pb_enum_desc;

typedef struct pb_msg_desc pb_msg_desc;

typedef struct {
	const char *name;      /* proto field name (snake_case) */
	const char *json_name; /* lowerCamelCase */
	uint32_t number;
	pb_type type;          /* for maps: the value type; keys are always strings */
	pb_label label;
	int oneof;             /* index into the message's oneofs, or -1 */
	const pb_msg_desc *msg;
	const pb_enum_desc *enm;
	unsigned char khash[32]; /* SHA-256('u' + json_name) */
} pb_field_desc;

struct pb_msg_desc {
	const char *full_name;
	pb_wkt wkt;
	unsigned n_fields;
	unsigned n_oneofs;
	const pb_field_desc *fields;
	const uint16_t *hash_order; /* field indexes sorted by khash */
	const char *const *oneof_names;
};

/* A length-prefixed, NUL-terminated byte string (string and bytes fields). */
typedef struct {
	size_t len;
	char data[];
} pb_bytes;

typedef struct pb_msg pb_msg;
typedef union pb_val pb_val;
typedef struct pb_list pb_list;
typedef struct pb_map pb_map;

union pb_val {
	double d;
	int64_t i64;
	uint64_t u64;
	int32_t i32; /* int32 and enum */
	uint32_t u32;
	bool b;
	pb_bytes *s;
	pb_msg *m;
	pb_list *list;
	pb_map *map;
};

struct pb_list {
	size_t n, cap;
	pb_val *items;
};

typedef struct {
	pb_bytes *key;
	pb_val val;
} pb_map_entry;

/* Entries are kept sorted by key (bytewise), keys unique. */
struct pb_map {
	size_t n, cap;
	pb_map_entry *items;
};

struct pb_msg {
	const pb_msg_desc *desc;
	/* Struct, Value, ListValue and Any keep their content as one JSON value
	   (numbers as reals), which is what their JSON form and ObjectHash see. */
	json_t *json;
	int *oneof_case; /* per oneof: set field index, or -1 */
	pb_val fields[];
};

/* Allocation. Every function returning a pointer returns NULL when out of memory. */
pb_msg *pb_msg_new(const pb_msg_desc *desc);
void pb_msg_free(pb_msg *m);
pb_msg *pb_msg_copy(const pb_msg *m);
bool pb_msg_equal(const pb_msg *a, const pb_msg *b);

pb_bytes *pb_bytes_new(const void *data, size_t len);
pb_bytes *pb_bytes_str(const char *s);

/* Fields by index or by proto name. Lookup returns -1 for an unknown name. */
int pb_field_index(const pb_msg_desc *desc, const char *name);
int pb_field_index_json(const pb_msg_desc *desc, const char *key, size_t len);
/* Proto3 presence of field idx (see the top of this file). On the hashing hot path. */
static inline bool pb_has(const pb_msg *m, int idx)
{
	const pb_field_desc *f = &m->desc->fields[idx];
	const pb_val *v = &m->fields[idx];
	if (f->oneof >= 0)
		return m->oneof_case[f->oneof] == idx;
	if (f->label == PB_REPEATED)
		return v->list && v->list->n > 0;
	if (f->label == PB_MAP)
		return v->map && v->map->n > 0;
	switch (f->type) {
	case PB_DOUBLE:
	case PB_FLOAT:
		return v->d != 0 || signbit(v->d); /* -0.0 counts, as Go's Signbit check */
	case PB_INT64: return v->i64 != 0;
	case PB_UINT64: return v->u64 != 0;
	case PB_INT32:
	case PB_ENUM: return v->i32 != 0;
	case PB_UINT32: return v->u32 != 0;
	case PB_BOOL: return v->b;
	case PB_STRING:
	case PB_BYTES: return v->s && v->s->len > 0;
	case PB_MESSAGE: return v->m != NULL;
	}
	return false;
}

/* Reset field idx to its default (absent) value, freeing what it held. */
void pb_clear(pb_msg *m, int idx);
/* Mark field idx as set (the oneof case for members); clears the other oneof members. */
void pb_mark(pb_msg *m, int idx);
/* Which member of oneof `o` is set, or -1. */
int pb_oneof_case(const pb_msg *m, unsigned o);

/* Value setters: clear the old value, store the new one, mark presence. Strings are
   copied. Return 0 or -1 when out of memory (the old value is gone either way). */
int pb_set_str(pb_msg *m, int idx, const char *s);
int pb_set_bytes(pb_msg *m, int idx, const void *data, size_t len);
void pb_set_i64(pb_msg *m, int idx, int64_t v);
void pb_set_u64(pb_msg *m, int idx, uint64_t v);
void pb_set_i32(pb_msg *m, int idx, int32_t v); /* int32 and enum */
void pb_set_u32(pb_msg *m, int idx, uint32_t v);
void pb_set_double(pb_msg *m, int idx, double v);
void pb_set_bool(pb_msg *m, int idx, bool v);
/* Takes ownership of sub (freed on failure). */
void pb_set_msg(pb_msg *m, int idx, pb_msg *sub);
/* The sub-message at idx, created (and marked) when absent; NULL when out of memory. */
pb_msg *pb_mutable_msg(pb_msg *m, int idx);

/* Getters: borrowed, default value when absent. */
const char *pb_get_str(const pb_msg *m, int idx);
const pb_bytes *pb_get_bytes(const pb_msg *m, int idx);
const pb_msg *pb_get_msg(const pb_msg *m, int idx);

/* Repeated fields. pb_list_push takes ownership of v's pointer payload on success. */
pb_list *pb_mutable_list(pb_msg *m, int idx);
size_t pb_list_len(const pb_msg *m, int idx);
int pb_list_push(pb_list *l, pb_val v);

/* Map fields, sorted by key. Put takes ownership of v's pointer payload on success and
   replaces (frees) an existing value under the same key. */
pb_map *pb_mutable_map(pb_msg *m, int idx);
pb_val *pb_map_get(const pb_map *map, const char *key, size_t len);
int pb_map_put(pb_map *map, const pb_field_desc *f, const char *key, size_t len, pb_val v);
bool pb_map_remove(pb_map *map, const pb_field_desc *f, const char *key, size_t len);

/* Free the payload of a value of field f (one element of a repeated/map field). */
void pb_val_free(const pb_field_desc *f, pb_val v);
int pb_val_copy(const pb_field_desc *f, pb_val *dst, pb_val src);
bool pb_val_equal(const pb_field_desc *f, pb_val a, pb_val b);

/* Enum helpers. */
const pb_enum_value *pb_enum_by_number(const pb_enum_desc *e, int32_t number);
const pb_enum_value *pb_enum_by_name(const pb_enum_desc *e, const char *name, size_t len);

#endif
