/* Flyte values and value maps (flyte/literal.h). */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/literal.h"
#include "model.h"
#include "pb_json.h"

#define MAX_DURATION_SECONDS INT64_C(315576000000)
#define MIN_TIMESTAMP INT64_C(-62135596800)
#define MAX_TIMESTAMP INT64_C(253402300799)

int fl_utf8_check(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		unsigned c = p[i];
		size_t len;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2, min = 0x80, c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3, min = 0x800, c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4, min = 0x10000, c &= 0x07;
		} else {
			return -1;
		}
		if (i + len > n)
			return -1;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return -1;
			c = (c << 6) | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return -1;
		i += len;
	}
	return 0;
}

const pb_msg *fl_literal_scalar(const pb_msg *lit)
{
	return lit ? pb_get_msg(lit, F_LIT(scalar)) : NULL;
}

flyte_literal_kind fl_literal_kind(const pb_msg *lit)
{
	if (!lit)
		return FLYTE_LITERAL_UNSET;
	switch (pb_oneof_case(lit, 0)) {
	case F_LIT(collection): return FLYTE_LITERAL_COLLECTION;
	case F_LIT(map): return FLYTE_LITERAL_MAP;
	case F_LIT(offloaded_metadata): return FLYTE_LITERAL_OFFLOADED;
	case F_LIT(scalar): break;
	default: return FLYTE_LITERAL_UNSET;
	}
	const pb_msg *s = pb_get_msg(lit, F_LIT(scalar));
	switch (pb_oneof_case(s, 0)) {
	case F_SCALAR(primitive): {
		const pb_msg *p = pb_get_msg(s, F_SCALAR(primitive));
		switch (pb_oneof_case(p, 0)) {
		case F_PRIM(integer): return FLYTE_LITERAL_INTEGER;
		case F_PRIM(float_value): return FLYTE_LITERAL_FLOAT;
		case F_PRIM(string_value): return FLYTE_LITERAL_STRING;
		case F_PRIM(boolean): return FLYTE_LITERAL_BOOLEAN;
		case F_PRIM(datetime): return FLYTE_LITERAL_DATETIME;
		case F_PRIM(duration): return FLYTE_LITERAL_DURATION;
		default: return FLYTE_LITERAL_UNSET;
		}
	}
	case F_SCALAR(blob): return FLYTE_LITERAL_BLOB;
	case F_SCALAR(binary): return FLYTE_LITERAL_BINARY;
	case F_SCALAR(schema): return FLYTE_LITERAL_SCHEMA;
	case F_SCALAR(none_type): return FLYTE_LITERAL_NONE;
	case F_SCALAR(error): return FLYTE_LITERAL_ERROR;
	case F_SCALAR(generic): return FLYTE_LITERAL_GENERIC;
	case F_SCALAR(structured_dataset): return FLYTE_LITERAL_STRUCTURED_DATASET;
	case F_SCALAR(union): return FLYTE_LITERAL_UNION;
	default: return FLYTE_LITERAL_UNSET;
	}
}

/* A new literal with scalar.<field> created; *inner gets that sub-message. */
static int new_scalar(flyte_literal **out, int field, pb_msg **inner)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = NULL;
	pb_msg *lit = pb_msg_new(&D_LITERAL);
	pb_msg *s = lit ? pb_mutable_msg(lit, F_LIT(scalar)) : NULL;
	*inner = s ? pb_mutable_msg(s, field) : NULL;
	if (!*inner) {
		pb_msg_free(lit);
		return FLYTE_ENOMEM;
	}
	*out = (flyte_literal *)lit;
	return 0;
}

static int fail(flyte_literal **out, int rc)
{
	pb_msg_free(M(*out));
	*out = NULL;
	return rc;
}

int flyte_literal_new_integer(flyte_literal **out, int64_t value)
{
	pb_msg *p;
	int rc = new_scalar(out, F_SCALAR(primitive), &p);
	if (!rc)
		pb_set_i64(p, F_PRIM(integer), value);
	return rc;
}

int flyte_literal_new_float(flyte_literal **out, double value)
{
	pb_msg *p;
	int rc = new_scalar(out, F_SCALAR(primitive), &p);
	if (!rc)
		pb_set_double(p, F_PRIM(float_value), value);
	return rc;
}

int flyte_literal_new_string(flyte_literal **out, const char *value)
{
	pb_msg *p;
	if (!value || fl_utf8_check(value, strlen(value)))
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(primitive), &p);
	if (!rc && pb_set_str(p, F_PRIM(string_value), value))
		return fail(out, FLYTE_ENOMEM);
	return rc;
}

int flyte_literal_new_boolean(flyte_literal **out, int value)
{
	pb_msg *p;
	int rc = new_scalar(out, F_SCALAR(primitive), &p);
	if (!rc)
		pb_set_bool(p, F_PRIM(boolean), value != 0);
	return rc;
}

static int new_time(flyte_literal **out, int field, int64_t seconds, int32_t nanos)
{
	pb_msg *p;
	int rc = new_scalar(out, F_SCALAR(primitive), &p);
	if (rc)
		return rc;
	pb_msg *t = pb_mutable_msg(p, field);
	if (!t)
		return fail(out, FLYTE_ENOMEM);
	pb_set_i64(t, F_TS(seconds), seconds);
	pb_set_i32(t, F_TS(nanos), nanos);
	return 0;
}

int flyte_literal_new_datetime(flyte_literal **out, int64_t seconds, int32_t nanos)
{
	if (nanos < 0 || nanos >= 1000000000 || seconds < MIN_TIMESTAMP || seconds > MAX_TIMESTAMP)
		return FLYTE_EINVALID;
	return new_time(out, F_PRIM(datetime), seconds, nanos);
}

int flyte_literal_new_duration(flyte_literal **out, int64_t seconds, int32_t nanos)
{
	if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS || nanos <= -1000000000 ||
	    nanos >= 1000000000 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0))
		return FLYTE_EINVALID;
	return new_time(out, F_PRIM(duration), seconds, nanos);
}

int flyte_literal_new_none(flyte_literal **out)
{
	pb_msg *v;
	return new_scalar(out, F_SCALAR(none_type), &v);
}

static int opt_str(pb_msg *m, int field, const char *s)
{
	return s && *s ? pb_set_str(m, field, s) : 0;
}

int flyte_literal_new_blob(flyte_literal **out, const char *uri, const char *format, flyte_blob_dimensionality dim)
{
	pb_msg *b;
	if (!uri || (dim != FLYTE_BLOB_SINGLE && dim != FLYTE_BLOB_MULTIPART))
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(blob), &b);
	if (rc)
		return rc;
	pb_msg *meta = pb_mutable_msg(b, F_BLOB(metadata));
	pb_msg *type = meta ? pb_mutable_msg(meta, F_BLOBMETA(type)) : NULL;
	if (!type || opt_str(b, F_BLOB(uri), uri) || opt_str(type, F_BLOBTYPE(format), format))
		return fail(out, FLYTE_ENOMEM);
	pb_set_i32(type, F_BLOBTYPE(dimensionality), (int32_t)dim);
	return 0;
}

int flyte_literal_new_binary(flyte_literal **out, const void *data, size_t len, const char *tag)
{
	pb_msg *b;
	if (len && !data)
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(binary), &b);
	if (rc)
		return rc;
	if ((len && pb_set_bytes(b, F_BINARY(value), data, len)) || opt_str(b, F_BINARY(tag), tag))
		return fail(out, FLYTE_ENOMEM);
	return 0;
}

int flyte_literal_new_error(flyte_literal **out, const char *failed_node_id, const char *message)
{
	pb_msg *e;
	int rc = new_scalar(out, F_SCALAR(error), &e);
	if (rc)
		return rc;
	if (opt_str(e, F_ERROR(failed_node_id), failed_node_id) || opt_str(e, F_ERROR(message), message))
		return fail(out, FLYTE_ENOMEM);
	return 0;
}

int flyte_literal_new_generic_json(flyte_literal **out, const char *json, flyte_error **error)
{
	if (!out || !json)
		return fl_error(error, FLYTE_EINVALID, "generic literal: NULL argument");
	*out = NULL;
	pb_msg *st;
	int rc = pb_json_decode(&st, &pb_google_protobuf_Struct, json, strlen(json), 0, error);
	if (rc) {
		fl_error_prefix(error, "generic literal");
		return rc;
	}
	pb_msg *g;
	rc = new_scalar(out, F_SCALAR(generic), &g);
	if (rc) {
		pb_msg_free(st);
		return fl_error(error, rc, "out of memory");
	}
	/* Replace the empty Struct new_scalar made with the parsed one. */
	pb_set_msg(M(fl_literal_scalar(M(*out))), F_SCALAR(generic), st);
	return 0;
}

int flyte_literal_new_structured_dataset(flyte_literal **out, const char *uri, const char *format)
{
	pb_msg *sd;
	if (!uri)
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(structured_dataset), &sd);
	if (rc)
		return rc;
	pb_msg *meta = pb_mutable_msg(sd, F_SD(metadata));
	pb_msg *t = meta ? pb_mutable_msg(meta, F_SDMETA(structured_dataset_type)) : NULL;
	if (!t || opt_str(sd, F_SD(uri), uri) || opt_str(t, F_SDTYPE(format), format))
		return fail(out, FLYTE_ENOMEM);
	return 0;
}

int flyte_literal_new_schema(flyte_literal **out, const char *uri, const flyte_literal_type *schema_type)
{
	pb_msg *s;
	if (!uri || (schema_type && fl_type_kind(M(schema_type)) != FLYTE_TYPE_SCHEMA))
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(schema), &s);
	if (rc)
		return rc;
	if (opt_str(s, F_SCHEMA(uri), uri))
		return fail(out, FLYTE_ENOMEM);
	if (schema_type) {
		pb_msg *t = pb_msg_copy(pb_get_msg(M(schema_type), F_LT(schema)));
		if (!t)
			return fail(out, FLYTE_ENOMEM);
		pb_set_msg(s, F_SCHEMA(type), t);
	}
	return 0;
}

int flyte_literal_new_union(flyte_literal **out, const flyte_literal *value, const flyte_literal_type *type)
{
	pb_msg *u;
	if (!value || !type)
		return FLYTE_EINVALID;
	int rc = new_scalar(out, F_SCALAR(union), &u);
	if (rc)
		return rc;
	pb_msg *v = pb_msg_copy(M(value)), *t = pb_msg_copy(M(type));
	if (!v || !t) {
		pb_msg_free(v);
		pb_msg_free(t);
		return fail(out, FLYTE_ENOMEM);
	}
	pb_set_msg(u, F_UNION(value), v);
	pb_set_msg(u, F_UNION(type), t);
	return 0;
}

static int new_container(flyte_literal **out, int field)
{
	if (!out)
		return FLYTE_EINVALID;
	pb_msg *lit = pb_msg_new(&D_LITERAL);
	if (!lit || !pb_mutable_msg(lit, field)) {
		pb_msg_free(lit);
		*out = NULL;
		return FLYTE_ENOMEM;
	}
	*out = (flyte_literal *)lit;
	return 0;
}

int flyte_literal_new_collection(flyte_literal **out)
{
	return new_container(out, F_LIT(collection));
}

int flyte_literal_new_map(flyte_literal **out)
{
	return new_container(out, F_LIT(map));
}

int flyte_literal_new_offloaded(flyte_literal **out, const char *uri, uint64_t size_bytes,
				const flyte_literal_type *inferred_type)
{
	if (!uri)
		return FLYTE_EINVALID;
	int rc = new_container(out, F_LIT(offloaded_metadata));
	if (rc)
		return rc;
	pb_msg *o = M(pb_get_msg(M(*out), F_LIT(offloaded_metadata)));
	if (opt_str(o, F_OFFLOAD(uri), uri))
		return fail(out, FLYTE_ENOMEM);
	pb_set_u64(o, F_OFFLOAD(size_bytes), size_bytes);
	if (inferred_type) {
		pb_msg *t = pb_msg_copy(M(inferred_type));
		if (!t)
			return fail(out, FLYTE_ENOMEM);
		pb_set_msg(o, F_OFFLOAD(inferred_type), t);
	}
	return 0;
}

int flyte_literal_collection_append_new(flyte_literal *collection, flyte_literal *item)
{
	if (!item)
		return FLYTE_EINVALID;
	if (!collection || fl_literal_kind(M(collection)) != FLYTE_LITERAL_COLLECTION) {
		flyte_literal_free(item);
		return collection ? FLYTE_ETYPE : FLYTE_EINVALID;
	}
	pb_msg *c = pb_mutable_msg(M(collection), F_LIT(collection));
	pb_list *l = pb_mutable_list(c, F_COLL(literals));
	if (!l || pb_list_push(l, (pb_val){.m = M(item)})) {
		flyte_literal_free(item);
		return FLYTE_ENOMEM;
	}
	return 0;
}

int flyte_literal_collection_append(flyte_literal *collection, const flyte_literal *item)
{
	if (!item)
		return FLYTE_EINVALID;
	pb_msg *c = pb_msg_copy(M(item));
	if (!c)
		return FLYTE_ENOMEM;
	return flyte_literal_collection_append_new(collection, (flyte_literal *)c);
}

/* Puts an owned literal under key of a LiteralMap message. */
static int lmap_put(pb_msg *lmap, const char *key, pb_msg *item)
{
	pb_map *mp = pb_mutable_map(lmap, F_LMAP(literals));
	if (!mp || pb_map_put(mp, &lmap->desc->fields[F_LMAP(literals)], key, strlen(key), (pb_val){.m = item})) {
		pb_msg_free(item);
		return FLYTE_ENOMEM;
	}
	return 0;
}

int flyte_literal_map_entry_set_new(flyte_literal *map, const char *key, flyte_literal *item)
{
	if (!item)
		return FLYTE_EINVALID;
	if (!map || !key || fl_literal_kind(M(map)) != FLYTE_LITERAL_MAP || fl_utf8_check(key, strlen(key))) {
		flyte_literal_free(item);
		return map && key && fl_literal_kind(M(map)) != FLYTE_LITERAL_MAP ? FLYTE_ETYPE : FLYTE_EINVALID;
	}
	return lmap_put(pb_mutable_msg(M(map), F_LIT(map)), key, M(item));
}

int flyte_literal_map_entry_set(flyte_literal *map, const char *key, const flyte_literal *item)
{
	if (!item)
		return FLYTE_EINVALID;
	pb_msg *c = pb_msg_copy(M(item));
	if (!c)
		return FLYTE_ENOMEM;
	return flyte_literal_map_entry_set_new(map, key, (flyte_literal *)c);
}

int flyte_literal_set_hash(flyte_literal *literal, const char *hash)
{
	if (!literal)
		return FLYTE_EINVALID;
	if (!hash || !*hash) {
		pb_clear(M(literal), F_LIT(hash));
		return 0;
	}
	if (fl_utf8_check(hash, strlen(hash)))
		return FLYTE_EINVALID;
	return pb_set_str(M(literal), F_LIT(hash), hash) ? FLYTE_ENOMEM : 0;
}

const char *flyte_literal_hash(const flyte_literal *literal)
{
	return literal ? pb_get_str(M(literal), F_LIT(hash)) : "";
}

int flyte_literal_set_metadata(flyte_literal *literal, const char *key, const char *value)
{
	if (!literal || !key)
		return FLYTE_EINVALID;
	const pb_field_desc *f = &D_LITERAL.fields[F_LIT(metadata)];
	if (!value) {
		pb_map_remove(M(literal)->fields[F_LIT(metadata)].map, f, key, strlen(key));
		return 0;
	}
	if (fl_utf8_check(key, strlen(key)) || fl_utf8_check(value, strlen(value)))
		return FLYTE_EINVALID;
	pb_map *mp = pb_mutable_map(M(literal), F_LIT(metadata));
	pb_val v = {.s = pb_bytes_str(value)};
	if (!mp || !v.s || pb_map_put(mp, f, key, strlen(key), v)) {
		fl_free(v.s);
		return FLYTE_ENOMEM;
	}
	return 0;
}

const char *flyte_literal_metadata(const flyte_literal *literal, const char *key)
{
	if (!literal || !key)
		return NULL;
	pb_val *v = pb_map_get(M(literal)->fields[F_LIT(metadata)].map, key, strlen(key));
	return v ? v->s->data : NULL;
}

flyte_literal_kind flyte_literal_kind_of(const flyte_literal *literal)
{
	return fl_literal_kind(M(literal));
}

static const pb_msg *primitive(const flyte_literal *literal)
{
	const pb_msg *s = fl_literal_scalar(M(literal));
	return s ? pb_get_msg(s, F_SCALAR(primitive)) : NULL;
}

static const pb_msg *scalar_of(const flyte_literal *literal, flyte_literal_kind kind, int field)
{
	if (fl_literal_kind(M(literal)) != kind)
		return NULL;
	return pb_get_msg(fl_literal_scalar(M(literal)), field);
}

int flyte_literal_get_integer(const flyte_literal *literal, int64_t *out)
{
	if (fl_literal_kind(M(literal)) != FLYTE_LITERAL_INTEGER || !out)
		return FLYTE_ETYPE;
	*out = primitive(literal)->fields[F_PRIM(integer)].i64;
	return 0;
}

int flyte_literal_get_float(const flyte_literal *literal, double *out)
{
	if (fl_literal_kind(M(literal)) != FLYTE_LITERAL_FLOAT || !out)
		return FLYTE_ETYPE;
	*out = primitive(literal)->fields[F_PRIM(float_value)].d;
	return 0;
}

int flyte_literal_get_string(const flyte_literal *literal, const char **out)
{
	if (fl_literal_kind(M(literal)) != FLYTE_LITERAL_STRING || !out)
		return FLYTE_ETYPE;
	*out = pb_get_str(primitive(literal), F_PRIM(string_value));
	return 0;
}

int flyte_literal_get_boolean(const flyte_literal *literal, int *out)
{
	if (fl_literal_kind(M(literal)) != FLYTE_LITERAL_BOOLEAN || !out)
		return FLYTE_ETYPE;
	*out = primitive(literal)->fields[F_PRIM(boolean)].b;
	return 0;
}

static int get_time(const flyte_literal *literal, flyte_literal_kind kind, int field, int64_t *seconds,
		    int32_t *nanos)
{
	if (fl_literal_kind(M(literal)) != kind)
		return FLYTE_ETYPE;
	const pb_msg *t = pb_get_msg(primitive(literal), field);
	if (seconds)
		*seconds = t->fields[F_TS(seconds)].i64;
	if (nanos)
		*nanos = t->fields[F_TS(nanos)].i32;
	return 0;
}

int flyte_literal_get_datetime(const flyte_literal *literal, int64_t *seconds, int32_t *nanos)
{
	return get_time(literal, FLYTE_LITERAL_DATETIME, F_PRIM(datetime), seconds, nanos);
}

int flyte_literal_get_duration(const flyte_literal *literal, int64_t *seconds, int32_t *nanos)
{
	return get_time(literal, FLYTE_LITERAL_DURATION, F_PRIM(duration), seconds, nanos);
}

int flyte_literal_get_blob(const flyte_literal *literal, const char **uri, const char **format,
			   flyte_blob_dimensionality *dimensionality)
{
	const pb_msg *b = scalar_of(literal, FLYTE_LITERAL_BLOB, F_SCALAR(blob));
	if (!b)
		return FLYTE_ETYPE;
	const pb_msg *meta = pb_get_msg(b, F_BLOB(metadata));
	const pb_msg *type = meta ? pb_get_msg(meta, F_BLOBMETA(type)) : NULL;
	if (uri)
		*uri = pb_get_str(b, F_BLOB(uri));
	if (format)
		*format = type ? pb_get_str(type, F_BLOBTYPE(format)) : "";
	if (dimensionality)
		*dimensionality = type ? (flyte_blob_dimensionality)type->fields[F_BLOBTYPE(dimensionality)].i32
				       : FLYTE_BLOB_SINGLE;
	return 0;
}

int flyte_literal_get_binary(const flyte_literal *literal, const void **data, size_t *len, const char **tag)
{
	const pb_msg *b = scalar_of(literal, FLYTE_LITERAL_BINARY, F_SCALAR(binary));
	if (!b)
		return FLYTE_ETYPE;
	const pb_bytes *v = pb_get_bytes(b, F_BINARY(value));
	if (data)
		*data = v ? v->data : "";
	if (len)
		*len = v ? v->len : 0;
	if (tag)
		*tag = pb_get_str(b, F_BINARY(tag));
	return 0;
}

int flyte_literal_get_generic_json(const flyte_literal *literal, char **out)
{
	const pb_msg *g = scalar_of(literal, FLYTE_LITERAL_GENERIC, F_SCALAR(generic));
	if (!g || !out)
		return FLYTE_ETYPE;
	*out = pb_json_encode(g, 0, NULL);
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_get_structured_dataset(const flyte_literal *literal, const char **uri, const char **format)
{
	const pb_msg *sd = scalar_of(literal, FLYTE_LITERAL_STRUCTURED_DATASET, F_SCALAR(structured_dataset));
	if (!sd)
		return FLYTE_ETYPE;
	const pb_msg *meta = pb_get_msg(sd, F_SD(metadata));
	const pb_msg *t = meta ? pb_get_msg(meta, F_SDMETA(structured_dataset_type)) : NULL;
	if (uri)
		*uri = pb_get_str(sd, F_SD(uri));
	if (format)
		*format = t ? pb_get_str(t, F_SDTYPE(format)) : "";
	return 0;
}

int flyte_literal_get_error(const flyte_literal *literal, const char **message, const char **failed_node_id)
{
	const pb_msg *e = scalar_of(literal, FLYTE_LITERAL_ERROR, F_SCALAR(error));
	if (!e)
		return FLYTE_ETYPE;
	if (message)
		*message = pb_get_str(e, F_ERROR(message));
	if (failed_node_id)
		*failed_node_id = pb_get_str(e, F_ERROR(failed_node_id));
	return 0;
}

int flyte_literal_get_union(const flyte_literal *literal, const flyte_literal **value,
			    const flyte_literal_type **type)
{
	const pb_msg *u = scalar_of(literal, FLYTE_LITERAL_UNION, F_SCALAR(union));
	if (!u)
		return FLYTE_ETYPE;
	if (value)
		*value = (const flyte_literal *)pb_get_msg(u, F_UNION(value));
	if (type)
		*type = (const flyte_literal_type *)pb_get_msg(u, F_UNION(type));
	return 0;
}

size_t flyte_literal_count(const flyte_literal *literal)
{
	const pb_msg *c = literal ? pb_get_msg(M(literal), F_LIT(collection)) : NULL;
	if (c)
		return pb_list_len(c, F_COLL(literals));
	const pb_msg *m = literal ? pb_get_msg(M(literal), F_LIT(map)) : NULL;
	const pb_map *mp = m ? m->fields[F_LMAP(literals)].map : NULL;
	return mp ? mp->n : 0;
}

const flyte_literal *flyte_literal_collection_at(const flyte_literal *literal, size_t i)
{
	const pb_msg *c = literal ? pb_get_msg(M(literal), F_LIT(collection)) : NULL;
	if (!c || i >= pb_list_len(c, F_COLL(literals)))
		return NULL;
	return (const flyte_literal *)c->fields[F_COLL(literals)].list->items[i].m;
}

static const pb_map *lmap_entries(const pb_msg *lmap)
{
	return lmap ? lmap->fields[F_LMAP(literals)].map : NULL;
}

const flyte_literal *flyte_literal_map_entry_at(const flyte_literal *literal, size_t i, const char **key)
{
	const pb_map *mp = lmap_entries(literal ? pb_get_msg(M(literal), F_LIT(map)) : NULL);
	if (!mp || i >= mp->n)
		return NULL;
	if (key)
		*key = mp->items[i].key->data;
	return (const flyte_literal *)mp->items[i].val.m;
}

const flyte_literal *flyte_literal_map_entry_get(const flyte_literal *literal, const char *key)
{
	const pb_map *mp = lmap_entries(literal ? pb_get_msg(M(literal), F_LIT(map)) : NULL);
	pb_val *v = key ? pb_map_get(mp, key, strlen(key)) : NULL;
	return v ? (const flyte_literal *)v->m : NULL;
}

int flyte_literal_copy(flyte_literal **out, const flyte_literal *literal)
{
	if (!out || !literal)
		return FLYTE_EINVALID;
	*out = (flyte_literal *)pb_msg_copy(M(literal));
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_equal(const flyte_literal *a, const flyte_literal *b)
{
	return pb_msg_equal(M(a), M(b));
}

void flyte_literal_free(flyte_literal *literal)
{
	pb_msg_free(M(literal));
}

int fl_value_from_json(void **out, const pb_msg_desc *desc, const char *json, size_t len, flyte_error **error)
{
	if (!out || !json)
		return fl_error(error, FLYTE_EINVALID, "NULL argument");
	pb_msg *m;
	int rc = pb_json_decode(&m, desc, json, len, 0, error);
	*out = m;
	return rc;
}

int fl_value_to_json(char **out, const void *msg)
{
	if (!out || !msg)
		return FLYTE_EINVALID;
	*out = pb_json_encode(M(msg), 0, NULL);
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_from_json(flyte_literal **out, const char *json, size_t len, flyte_error **error)
{
	return fl_value_from_json((void **)out, &D_LITERAL, json, len, error);
}

int flyte_literal_to_json(char **out, const flyte_literal *literal)
{
	return fl_value_to_json(out, literal);
}

/* ---- LiteralMap ---- */

int flyte_literal_map_new(flyte_literal_map **out)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = (flyte_literal_map *)pb_msg_new(&D_LITERAL_MAP);
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_map_set_new(flyte_literal_map *map, const char *name, flyte_literal *value)
{
	if (!value)
		return FLYTE_EINVALID;
	if (!map || !name || fl_utf8_check(name, strlen(name))) {
		flyte_literal_free(value);
		return FLYTE_EINVALID;
	}
	return lmap_put(M(map), name, M(value));
}

int flyte_literal_map_set(flyte_literal_map *map, const char *name, const flyte_literal *value)
{
	if (!value)
		return FLYTE_EINVALID;
	pb_msg *c = pb_msg_copy(M(value));
	if (!c)
		return FLYTE_ENOMEM;
	return flyte_literal_map_set_new(map, name, (flyte_literal *)c);
}

flyte_literal *flyte_literal_map_get(const flyte_literal_map *map, const char *name)
{
	pb_val *v = map && name ? pb_map_get(lmap_entries(M(map)), name, strlen(name)) : NULL;
	return v ? (flyte_literal *)v->m : NULL;
}

int flyte_literal_map_remove(flyte_literal_map *map, const char *name)
{
	if (!map || !name)
		return FLYTE_EINVALID;
	return pb_map_remove(M(map)->fields[F_LMAP(literals)].map, &D_LITERAL_MAP.fields[F_LMAP(literals)], name,
			     strlen(name))
		       ? 0
		       : FLYTE_ENOTFOUND;
}

size_t flyte_literal_map_count(const flyte_literal_map *map)
{
	const pb_map *mp = map ? lmap_entries(M(map)) : NULL;
	return mp ? mp->n : 0;
}

flyte_literal *flyte_literal_map_at(const flyte_literal_map *map, size_t i, const char **name)
{
	const pb_map *mp = map ? lmap_entries(M(map)) : NULL;
	if (!mp || i >= mp->n)
		return NULL;
	if (name)
		*name = mp->items[i].key->data;
	return (flyte_literal *)mp->items[i].val.m;
}

int flyte_literal_map_copy(flyte_literal_map **out, const flyte_literal_map *map)
{
	if (!out || !map)
		return FLYTE_EINVALID;
	*out = (flyte_literal_map *)pb_msg_copy(M(map));
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_map_equal(const flyte_literal_map *a, const flyte_literal_map *b)
{
	return pb_msg_equal(M(a), M(b));
}

void flyte_literal_map_free(flyte_literal_map *map)
{
	pb_msg_free(M(map));
}

int flyte_literal_map_from_json(flyte_literal_map **out, const char *json, size_t len, flyte_error **error)
{
	return fl_value_from_json((void **)out, &D_LITERAL_MAP, json, len, error);
}

int flyte_literal_map_to_json(char **out, const flyte_literal_map *map)
{
	return fl_value_to_json(out, map);
}
