/* Flyte types: builders, getters, JSON, readable form (flyte/literal_type.h). */
#include <jansson.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/literal_type.h"
#include "model.h"
#include "pb_json.h"

flyte_type_kind fl_type_kind(const pb_msg *lt)
{
	switch (lt ? pb_oneof_case(lt, 0) : -1) {
	case F_LT(simple): return FLYTE_TYPE_SIMPLE;
	case F_LT(schema): return FLYTE_TYPE_SCHEMA;
	case F_LT(collection_type): return FLYTE_TYPE_COLLECTION;
	case F_LT(map_value_type): return FLYTE_TYPE_MAP;
	case F_LT(blob): return FLYTE_TYPE_BLOB;
	case F_LT(enum_type): return FLYTE_TYPE_ENUM;
	case F_LT(structured_dataset_type): return FLYTE_TYPE_STRUCTURED_DATASET;
	case F_LT(union_type): return FLYTE_TYPE_UNION;
	default: return FLYTE_TYPE_UNSET;
	}
}

static int new_type(flyte_literal_type **out, pb_msg **m)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = NULL;
	*m = pb_msg_new(&D_LITERAL_TYPE);
	return *m ? 0 : FLYTE_ENOMEM;
}

static int finish(flyte_literal_type **out, pb_msg *m, int rc)
{
	if (rc) {
		pb_msg_free(m);
		return rc;
	}
	*out = (flyte_literal_type *)m;
	return 0;
}

int flyte_literal_type_new_simple(flyte_literal_type **out, flyte_simple_type simple)
{
	pb_msg *m;
	if (simple < FLYTE_SIMPLE_NONE || simple > FLYTE_SIMPLE_STRUCT)
		return FLYTE_EINVALID;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_set_i32(m, F_LT(simple), (int32_t)simple);
	return finish(out, m, 0);
}

int flyte_literal_type_new_blob(flyte_literal_type **out, const char *format, flyte_blob_dimensionality dim)
{
	pb_msg *m;
	if (dim != FLYTE_BLOB_SINGLE && dim != FLYTE_BLOB_MULTIPART)
		return FLYTE_EINVALID;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_msg *b = pb_mutable_msg(m, F_LT(blob));
	rc = !b || (format && *format && pb_set_str(b, F_BLOBTYPE(format), format)) ? FLYTE_ENOMEM : 0;
	if (!rc)
		pb_set_i32(b, F_BLOBTYPE(dimensionality), (int32_t)dim);
	return finish(out, m, rc);
}

static int new_nested(flyte_literal_type **out, int field, const flyte_literal_type *inner)
{
	pb_msg *m;
	if (!inner)
		return FLYTE_EINVALID;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_msg *c = pb_msg_copy(M(inner));
	if (!c)
		return finish(out, m, FLYTE_ENOMEM);
	pb_set_msg(m, field, c);
	return finish(out, m, 0);
}

int flyte_literal_type_new_collection(flyte_literal_type **out, const flyte_literal_type *element)
{
	return new_nested(out, F_LT(collection_type), element);
}

int flyte_literal_type_new_map(flyte_literal_type **out, const flyte_literal_type *value)
{
	return new_nested(out, F_LT(map_value_type), value);
}

int flyte_literal_type_new_enum(flyte_literal_type **out, const char *const *values, size_t n)
{
	pb_msg *m;
	if (n && !values)
		return FLYTE_EINVALID;
	for (size_t i = 0; i < n; i++)
		if (!values[i])
			return FLYTE_EINVALID;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_msg *e = pb_mutable_msg(m, F_LT(enum_type));
	pb_list *l = e ? pb_mutable_list(e, F_ENUMTYPE(values)) : NULL;
	if (!l)
		return finish(out, m, FLYTE_ENOMEM);
	for (size_t i = 0; i < n; i++) {
		pb_val v = {.s = pb_bytes_str(values[i])};
		if (!v.s || pb_list_push(l, v)) {
			fl_free(v.s);
			return finish(out, m, FLYTE_ENOMEM);
		}
	}
	return finish(out, m, 0);
}

/* Appends a copy of a message to a repeated field. */
static int push_copy(pb_msg *parent, int field, const pb_msg *item)
{
	pb_list *l = pb_mutable_list(parent, field);
	pb_val v = {.m = pb_msg_copy(item)};
	if (!l || !v.m || pb_list_push(l, v)) {
		pb_msg_free(v.m);
		return FLYTE_ENOMEM;
	}
	return 0;
}

int flyte_literal_type_new_union(flyte_literal_type **out, const flyte_literal_type *const *variants, size_t n)
{
	pb_msg *m;
	if (n == 0 || !variants)
		return FLYTE_EINVALID;
	for (size_t i = 0; i < n; i++)
		if (!variants[i])
			return FLYTE_EINVALID;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_msg *u = pb_mutable_msg(m, F_LT(union_type));
	if (!u)
		return finish(out, m, FLYTE_ENOMEM);
	for (size_t i = 0; i < n && !rc; i++)
		rc = push_copy(u, F_UNIONTYPE(variants), M(variants[i]));
	return finish(out, m, rc);
}

int flyte_literal_type_new_structured_dataset(flyte_literal_type **out, const char *format)
{
	pb_msg *m;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	pb_msg *sd = pb_mutable_msg(m, F_LT(structured_dataset_type));
	rc = !sd || (format && *format && pb_set_str(sd, F_SDTYPE(format), format)) ? FLYTE_ENOMEM : 0;
	return finish(out, m, rc);
}

int flyte_literal_type_add_dataset_column(flyte_literal_type *type, const char *name,
					  const flyte_literal_type *column_type)
{
	if (!type || !name || !column_type || fl_type_kind(M(type)) != FLYTE_TYPE_STRUCTURED_DATASET)
		return FLYTE_EINVALID;
	pb_msg *sd = pb_mutable_msg(M(type), F_LT(structured_dataset_type));
	pb_msg *col = pb_msg_new(&pb_flyteidl_core_StructuredDatasetType_DatasetColumn);
	pb_msg *ct = pb_msg_copy(M(column_type));
	pb_list *l = sd ? pb_mutable_list(sd, F_SDTYPE(columns)) : NULL;
	if (!col || !ct || !l || pb_set_str(col, F_SDCOL(name), name)) {
		pb_msg_free(col);
		pb_msg_free(ct);
		return FLYTE_ENOMEM;
	}
	pb_set_msg(col, F_SDCOL(literal_type), ct);
	if (pb_list_push(l, (pb_val){.m = col})) {
		pb_msg_free(col);
		return FLYTE_ENOMEM;
	}
	return 0;
}

int flyte_literal_type_new_schema(flyte_literal_type **out)
{
	pb_msg *m;
	int rc = new_type(out, &m);
	if (rc)
		return rc;
	return finish(out, m, pb_mutable_msg(m, F_LT(schema)) ? 0 : FLYTE_ENOMEM);
}

int flyte_literal_type_add_schema_column(flyte_literal_type *type, const char *name,
					 flyte_schema_column_type column_type)
{
	if (!type || !name || fl_type_kind(M(type)) != FLYTE_TYPE_SCHEMA || column_type < FLYTE_SCHEMA_COLUMN_INTEGER ||
	    column_type > FLYTE_SCHEMA_COLUMN_DURATION)
		return FLYTE_EINVALID;
	pb_msg *s = pb_mutable_msg(M(type), F_LT(schema));
	pb_msg *col = pb_msg_new(&pb_flyteidl_core_SchemaType_SchemaColumn);
	pb_list *l = s ? pb_mutable_list(s, F_SCHEMATYPE(columns)) : NULL;
	if (!col || !l || pb_set_str(col, F_SCHEMACOL(name), name)) {
		pb_msg_free(col);
		return FLYTE_ENOMEM;
	}
	pb_set_i32(col, F_SCHEMACOL(type), (int32_t)column_type);
	if (pb_list_push(l, (pb_val){.m = col})) {
		pb_msg_free(col);
		return FLYTE_ENOMEM;
	}
	return 0;
}

int flyte_literal_type_set_structure_tag(flyte_literal_type *type, const char *tag)
{
	if (!type)
		return FLYTE_EINVALID;
	if (!tag || !*tag) {
		pb_clear(M(type), F_LT(structure));
		return 0;
	}
	pb_msg *s = pb_mutable_msg(M(type), F_LT(structure));
	return s && pb_set_str(s, F_STRUCTURE(tag), tag) == 0 ? 0 : FLYTE_ENOMEM;
}

/* Parses a JSON object into a google.protobuf.Struct message. */
static int struct_from_json(pb_msg **out, const char *json, const char *what, flyte_error **error)
{
	if (!json)
		return fl_error(error, FLYTE_EINVALID, "%s: JSON text is NULL", what);
	int rc = pb_json_decode(out, &pb_google_protobuf_Struct, json, strlen(json), 0, error);
	if (rc)
		fl_error_prefix(error, "%s", what);
	return rc;
}

int flyte_literal_type_set_metadata_json(flyte_literal_type *type, const char *json, flyte_error **error)
{
	pb_msg *s;
	if (!type)
		return fl_error(error, FLYTE_EINVALID, "type is NULL");
	int rc = struct_from_json(&s, json, "literal type metadata", error);
	if (!rc)
		pb_set_msg(M(type), F_LT(metadata), s);
	return rc;
}

int flyte_literal_type_set_annotation_json(flyte_literal_type *type, const char *json, flyte_error **error)
{
	pb_msg *s;
	if (!type)
		return fl_error(error, FLYTE_EINVALID, "type is NULL");
	int rc = struct_from_json(&s, json, "literal type annotation", error);
	if (rc)
		return rc;
	pb_msg *a = pb_mutable_msg(M(type), F_LT(annotation));
	if (!a) {
		pb_msg_free(s);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	pb_set_msg(a, F_ANNOT(annotations), s);
	return 0;
}

flyte_type_kind flyte_literal_type_kind(const flyte_literal_type *type)
{
	return fl_type_kind(M(type));
}

flyte_simple_type flyte_literal_type_simple(const flyte_literal_type *type)
{
	if (fl_type_kind(M(type)) != FLYTE_TYPE_SIMPLE)
		return FLYTE_SIMPLE_NONE;
	return (flyte_simple_type)M(type)->fields[F_LT(simple)].i32;
}

static const pb_msg *sub(const flyte_literal_type *type, int field)
{
	return type ? pb_get_msg(M(type), field) : NULL;
}

const char *flyte_literal_type_blob_format(const flyte_literal_type *type)
{
	const pb_msg *b = sub(type, F_LT(blob));
	return b ? pb_get_str(b, F_BLOBTYPE(format)) : "";
}

flyte_blob_dimensionality flyte_literal_type_blob_dimensionality(const flyte_literal_type *type)
{
	const pb_msg *b = sub(type, F_LT(blob));
	return b ? (flyte_blob_dimensionality)b->fields[F_BLOBTYPE(dimensionality)].i32 : FLYTE_BLOB_SINGLE;
}

const flyte_literal_type *flyte_literal_type_element(const flyte_literal_type *type)
{
	const pb_msg *e = sub(type, F_LT(collection_type));
	if (!e)
		e = sub(type, F_LT(map_value_type));
	return (const flyte_literal_type *)e;
}

size_t flyte_literal_type_variant_count(const flyte_literal_type *type)
{
	const pb_msg *u = sub(type, F_LT(union_type));
	return u ? pb_list_len(u, F_UNIONTYPE(variants)) : 0;
}

const flyte_literal_type *flyte_literal_type_variant(const flyte_literal_type *type, size_t i)
{
	const pb_msg *u = sub(type, F_LT(union_type));
	if (!u || i >= pb_list_len(u, F_UNIONTYPE(variants)))
		return NULL;
	return (const flyte_literal_type *)u->fields[F_UNIONTYPE(variants)].list->items[i].m;
}

size_t flyte_literal_type_enum_count(const flyte_literal_type *type)
{
	const pb_msg *e = sub(type, F_LT(enum_type));
	return e ? pb_list_len(e, F_ENUMTYPE(values)) : 0;
}

const char *flyte_literal_type_enum_value(const flyte_literal_type *type, size_t i)
{
	const pb_msg *e = sub(type, F_LT(enum_type));
	if (!e || i >= pb_list_len(e, F_ENUMTYPE(values)))
		return NULL;
	return e->fields[F_ENUMTYPE(values)].list->items[i].s->data;
}

const char *flyte_literal_type_dataset_format(const flyte_literal_type *type)
{
	const pb_msg *sd = sub(type, F_LT(structured_dataset_type));
	return sd ? pb_get_str(sd, F_SDTYPE(format)) : "";
}

const char *flyte_literal_type_structure_tag(const flyte_literal_type *type)
{
	const pb_msg *s = sub(type, F_LT(structure));
	return s ? pb_get_str(s, F_STRUCTURE(tag)) : "";
}

int flyte_literal_type_copy(flyte_literal_type **out, const flyte_literal_type *type)
{
	if (!out || !type)
		return FLYTE_EINVALID;
	*out = (flyte_literal_type *)pb_msg_copy(M(type));
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_literal_type_equal(const flyte_literal_type *a, const flyte_literal_type *b)
{
	return pb_msg_equal(M(a), M(b));
}

void flyte_literal_type_free(flyte_literal_type *type)
{
	pb_msg_free(M(type));
}

int flyte_literal_type_from_json(flyte_literal_type **out, const char *json, size_t len, flyte_error **error)
{
	return fl_value_from_json((void **)out, &D_LITERAL_TYPE, json, len, error);
}

int flyte_literal_type_to_json(char **out, const flyte_literal_type *type)
{
	return fl_value_to_json(out, type);
}

static const char *simple_name(int32_t s)
{
	static const char *const names[] = {"none",     "integer",  "float",  "string", "boolean",
					    "datetime", "duration", "binary", "error",  "struct"};
	return s >= 0 && s <= 9 ? names[s] : "unknown";
}

static void describe(pb_buf *b, const pb_msg *t)
{
	const pb_msg *s;
	switch (fl_type_kind(t)) {
	case FLYTE_TYPE_SIMPLE: pb_buf_puts(b, simple_name(t->fields[F_LT(simple)].i32)); break;
	case FLYTE_TYPE_BLOB:
		s = pb_get_msg(t, F_LT(blob));
		pb_buf_puts(b, "blob(format=");
		pb_buf_puts(b, pb_get_str(s, F_BLOBTYPE(format)));
		if (s->fields[F_BLOBTYPE(dimensionality)].i32 == FLYTE_BLOB_MULTIPART)
			pb_buf_puts(b, ", multipart");
		pb_buf_puts(b, ")");
		break;
	case FLYTE_TYPE_COLLECTION:
		pb_buf_puts(b, "collection(");
		describe(b, pb_get_msg(t, F_LT(collection_type)));
		pb_buf_puts(b, ")");
		break;
	case FLYTE_TYPE_MAP:
		pb_buf_puts(b, "map(");
		describe(b, pb_get_msg(t, F_LT(map_value_type)));
		pb_buf_puts(b, ")");
		break;
	case FLYTE_TYPE_ENUM: {
		s = pb_get_msg(t, F_LT(enum_type));
		pb_buf_puts(b, "enum(");
		for (size_t i = 0; i < pb_list_len(s, F_ENUMTYPE(values)); i++) {
			if (i)
				pb_buf_puts(b, "|");
			pb_buf_puts(b, s->fields[F_ENUMTYPE(values)].list->items[i].s->data);
		}
		pb_buf_puts(b, ")");
		break;
	}
	case FLYTE_TYPE_UNION: {
		s = pb_get_msg(t, F_LT(union_type));
		pb_buf_puts(b, "union(");
		for (size_t i = 0; i < pb_list_len(s, F_UNIONTYPE(variants)); i++) {
			if (i)
				pb_buf_puts(b, "|");
			describe(b, s->fields[F_UNIONTYPE(variants)].list->items[i].m);
		}
		pb_buf_puts(b, ")");
		break;
	}
	case FLYTE_TYPE_STRUCTURED_DATASET:
		s = pb_get_msg(t, F_LT(structured_dataset_type));
		pb_buf_puts(b, "structured_dataset(format=");
		pb_buf_puts(b, pb_get_str(s, F_SDTYPE(format)));
		pb_buf_puts(b, ")");
		break;
	case FLYTE_TYPE_SCHEMA: pb_buf_puts(b, "schema"); break;
	case FLYTE_TYPE_UNSET: pb_buf_puts(b, "(no type)"); break;
	}
	s = pb_get_msg(t, F_LT(structure));
	if (s && pb_has(s, F_STRUCTURE(tag))) {
		pb_buf_puts(b, "[");
		pb_buf_puts(b, pb_get_str(s, F_STRUCTURE(tag)));
		pb_buf_puts(b, "]");
	}
}

char *fl_type_describe(const pb_msg *t)
{
	pb_buf b = {0};
	if (t)
		describe(&b, t);
	else
		pb_buf_puts(&b, "(no type)");
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	return b.data;
}

int flyte_literal_type_to_string(char **out, const flyte_literal_type *type)
{
	if (!out || !type)
		return FLYTE_EINVALID;
	*out = fl_type_describe(M(type));
	return *out ? 0 : FLYTE_ENOMEM;
}
