/*
 * Flyte's type-compatibility rules (flyte/typecheck.h): flytepropeller's AreTypesCastable
 * (compiler/validators/typing.go) and LiteralTypeForLiteral (validators/utils.go), as
 * cache-keys.md §4 and §5 describe them. Go's checker structure is kept: casts_from() is
 * one `CastsFrom` of the checker the downstream type picks, castable() is AreTypesCastable.
 *
 * A NULL type reads as an empty LiteralType, where Go would dereference nil.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/typecheck.h"
#include "model.h"
#include "pb_json.h"

static const pb_msg *sub(const pb_msg *m, int field)
{
	return m ? pb_get_msg(m, field) : NULL;
}

static size_t list_len(const pb_msg *m, int field)
{
	return m ? pb_list_len(m, field) : 0;
}

static const pb_msg *list_msg(const pb_msg *m, int field, size_t i)
{
	return m->fields[field].list->items[i].m;
}

static bool bytes_eq(const pb_bytes *a, const pb_bytes *b)
{
	size_t la = a ? a->len : 0, lb = b ? b->len : 0;
	return la == lb && (la == 0 || memcmp(a->data, b->data, la) == 0);
}

static bool str_is(const pb_msg *m, int field, const char *s)
{
	const pb_bytes *b = m ? pb_get_bytes(m, field) : NULL;
	size_t n = strlen(s);
	return (b ? b->len : 0) == n && (n == 0 || memcmp(b->data, s, n) == 0);
}

/* Go's GetSimple(): NONE for a type that is not simple. */
static int32_t simple_of(const pb_msg *t)
{
	return fl_type_kind(t) == FLYTE_TYPE_SIMPLE ? t->fields[F_LT(simple)].i32 : FLYTE_SIMPLE_NONE;
}

static bool is_none(const pb_msg *t)
{
	return fl_type_kind(t) == FLYTE_TYPE_SIMPLE && simple_of(t) == FLYTE_SIMPLE_NONE;
}

static const pb_bytes *tag_of(const pb_msg *t)
{
	const pb_msg *s = sub(t, F_LT(structure));
	return s ? pb_get_bytes(s, F_STRUCTURE(tag)) : NULL;
}

/* Go's strings.EqualFold, restricted to ASCII case folding (formats are ASCII names). */
static bool equal_fold(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

/* Flyte schemas are only ever serialised as parquet. */
static bool parquet_or_any(const char *format)
{
	return !*format || equal_fold(format, "parquet");
}

static bool casts_from(const pb_msg *down, const pb_msg *up);

static bool castable(const pb_msg *up, const pb_msg *down)
{
	const pb_msg *u = sub(up, F_LT(union_type));
	if (list_len(u, F_UNIONTYPE(variants)) == 1 && casts_from(down, list_msg(u, F_UNIONTYPE(variants), 0)))
		return true;
	return casts_from(down, up);
}

/* Collections and maps; an element type NONE (an empty list or map) fits any. */
static bool container_casts(const pb_msg *down, const pb_msg *up, int field)
{
	const pb_msg *elem = sub(up, field);
	if (!elem)
		return false;
	return is_none(elem) || casts_from(sub(down, field), elem);
}

/* PR #5519: a blob without a format is generic on either side; dimensionality is ignored. */
static bool blob_casts(const pb_msg *down, const pb_msg *up)
{
	const pb_msg *b = sub(up, F_LT(blob));
	if (!b)
		return false;
	const char *uf = pb_get_str(b, F_BLOBTYPE(format));
	const char *df = pb_get_str(sub(down, F_LT(blob)), F_BLOBTYPE(format));
	return !*uf || !*df || strcmp(uf, df) == 0;
}

/* Schema column types against the simple types of dataset columns. */
static bool schema_column_is(int32_t column_type, int32_t simple)
{
	return column_type >= FLYTE_SCHEMA_COLUMN_INTEGER && column_type <= FLYTE_SCHEMA_COLUMN_DURATION &&
	       simple == column_type + 1;
}

typedef struct {
	int columns; /* the repeated column field of the schema or dataset type */
	int name;    /* the name field of one column */
} column_fields;

static const column_fields SCHEMA_COLUMNS = {F_SCHEMATYPE(columns), F_SCHEMACOL(name)};
static const column_fields SD_COLUMNS = {F_SDTYPE(columns), F_SDCOL(name)};

/* The upstream column called `name`; with duplicates the last wins, as in Go's name map. */
static const pb_msg *find_column(const pb_msg *type, column_fields f, const pb_bytes *name)
{
	for (size_t i = list_len(type, f.columns); i-- > 0;) {
		const pb_msg *c = list_msg(type, f.columns, i);
		if (bytes_eq(pb_get_bytes(c, f.name), name))
			return c;
	}
	return NULL;
}

typedef bool (*column_match)(const pb_msg *down_column, const pb_msg *up_column);

/* No columns on either side matches anything; otherwise every downstream column must
   exist upstream by name, with a matching type. */
static bool columns_subset(const pb_msg *up, column_fields uf, const pb_msg *down, column_fields df,
			   column_match match)
{
	size_t nu = list_len(up, uf.columns), nd = list_len(down, df.columns);
	if (!nu || !nd)
		return true;
	for (size_t i = 0; i < nd; i++) {
		const pb_msg *dc = list_msg(down, df.columns, i);
		const pb_msg *uc = find_column(up, uf, pb_get_bytes(dc, df.name));
		if (!uc || !match(dc, uc))
			return false;
	}
	return true;
}

static bool schema_from_schema_column(const pb_msg *dc, const pb_msg *uc)
{
	return dc->fields[F_SCHEMACOL(type)].i32 == uc->fields[F_SCHEMACOL(type)].i32;
}

static bool schema_from_sd_column(const pb_msg *dc, const pb_msg *uc)
{
	return schema_column_is(dc->fields[F_SCHEMACOL(type)].i32, simple_of(sub(uc, F_SDCOL(literal_type))));
}

static bool sd_from_schema_column(const pb_msg *dc, const pb_msg *uc)
{
	return schema_column_is(uc->fields[F_SCHEMACOL(type)].i32, simple_of(sub(dc, F_SDCOL(literal_type))));
}

static bool sd_from_sd_column(const pb_msg *dc, const pb_msg *uc)
{
	return casts_from(sub(dc, F_SDCOL(literal_type)), sub(uc, F_SDCOL(literal_type)));
}

static bool schema_casts(const pb_msg *down, const pb_msg *up)
{
	const pb_msg *ds = sub(down, F_LT(schema));
	const pb_msg *us = sub(up, F_LT(schema)), *usd = sub(up, F_LT(structured_dataset_type));
	if (us)
		return columns_subset(us, SCHEMA_COLUMNS, ds, SCHEMA_COLUMNS, schema_from_schema_column);
	if (!usd || !parquet_or_any(pb_get_str(usd, F_SDTYPE(format))))
		return false;
	return columns_subset(usd, SD_COLUMNS, ds, SCHEMA_COLUMNS, schema_from_sd_column);
}

/* Structured datasets are nullable; formats compare case-insensitively (issue #2864). */
static bool sd_casts(const pb_msg *down, const pb_msg *up)
{
	if (is_none(up))
		return true;
	const pb_msg *dsd = sub(down, F_LT(structured_dataset_type));
	const pb_msg *us = sub(up, F_LT(schema)), *usd = sub(up, F_LT(structured_dataset_type));
	const char *df = pb_get_str(dsd, F_SDTYPE(format));
	if (us) {
		if (!parquet_or_any(df))
			return false;
		return columns_subset(us, SCHEMA_COLUMNS, dsd, SD_COLUMNS, sd_from_schema_column);
	}
	if (!usd)
		return false;
	const char *uf = pb_get_str(usd, F_SDTYPE(format));
	if (*uf && *df && !equal_fold(uf, df))
		return false;
	return columns_subset(usd, SD_COLUMNS, dsd, SD_COLUMNS, sd_from_sd_column);
}

/* Union to union: every upstream variant fits some downstream variant. Anything else must
   select exactly one variant: ambiguity is an error, not a choice. */
static bool union_casts(const pb_msg *down, const pb_msg *up)
{
	const pb_msg *du = sub(down, F_LT(union_type)), *uu = sub(up, F_LT(union_type));
	size_t nd = list_len(du, F_UNIONTYPE(variants));
	if (uu) {
		for (size_t i = 0; i < list_len(uu, F_UNIONTYPE(variants)); i++) {
			bool found = false;
			const pb_msg *u = list_msg(uu, F_UNIONTYPE(variants), i);
			for (size_t j = 0; j < nd && !found; j++)
				found = castable(u, list_msg(du, F_UNIONTYPE(variants), j));
			if (!found)
				return false;
		}
		return true;
	}
	bool found = false;
	for (size_t j = 0; j < nd; j++) {
		if (!castable(up, list_msg(du, F_UNIONTYPE(variants), j)))
			continue;
		if (found)
			return false;
		found = true;
	}
	return found;
}

static bool json_same(const json_t *a, const json_t *b)
{
	return (!a && !b) || (a && b && json_equal(a, b));
}

/*
 * Flyte's isSuperTypeInJSON compiles both JSON schemas (santhosh-tekuri/jsonschema) and
 * compares them (json-schema-compare). We implement a documented subset of it: the
 * upstream schema can stand in for the downstream one when every property the downstream
 * schema lists in "required" is among the upstream "properties" and both properties have
 * an equal "type" (or neither has one). A "required" that is not an array of strings
 * rejects.
 */
static bool json_schema_supertype(const json_t *up, const json_t *down)
{
	const json_t *required = json_object_get(down, "required");
	const json_t *up_props = json_object_get(up, "properties");
	const json_t *down_props = json_object_get(down, "properties");
	if (required && !json_is_array(required))
		return false;
	for (size_t i = 0; i < json_array_size(required); i++) {
		const char *name = json_string_value(json_array_get(required, i));
		if (!name)
			return false;
		const json_t *u = json_object_get(up_props, name);
		const json_t *d = json_object_get(down_props, name);
		if (!u || !json_same(json_object_get(u, "type"), json_object_get(d, "type")))
			return false;
	}
	return true;
}

/* STRUCT to STRUCT by the JSON schemas in `metadata`. Without one on either side Flyte
   lets it pass: older flytekit versions wrote none. */
static bool struct_casts(const pb_msg *down, const pb_msg *up)
{
	const pb_msg *dm = sub(down, F_LT(metadata)), *um = sub(up, F_LT(metadata));
	if (!dm || !um)
		return true;
	return pb_msg_equal(um, dm) || json_schema_supertype(um->json, dm->json);
}

/*
 * Go compares the String() forms of both types after replacing structure, metadata and
 * annotation with empty messages, i.e. every other field must be equal. Comparing in place
 * needs no copy, so the check cannot fail for lack of memory. Every LiteralType field is
 * singular, which is what pb_val_equal compares.
 */
static bool equal_but_metadata(const pb_msg *a, const pb_msg *b)
{
	for (int i = 0; i < (int)D_LITERAL_TYPE.n_fields; i++) {
		if (i == F_LT(structure) || i == F_LT(metadata) || i == F_LT(annotation))
			continue;
		bool ha = a && pb_has(a, i), hb = b && pb_has(b, i);
		if (ha != hb)
			return false;
		if (ha && !pb_val_equal(&D_LITERAL_TYPE.fields[i], a->fields[i], b->fields[i]))
			return false;
	}
	return true;
}

static bool trivial_casts(const pb_msg *down, const pb_msg *up)
{
	/* An enum is a constrained string: it flows both ways. */
	if (fl_type_kind(up) == FLYTE_TYPE_ENUM && simple_of(down) == FLYTE_SIMPLE_STRING)
		return true;
	if (fl_type_kind(down) == FLYTE_TYPE_ENUM && simple_of(up) == FLYTE_SIMPLE_STRING)
		return true;
	const pb_bytes *ut = tag_of(up);
	if (ut && ut->len && !bytes_eq(tag_of(down), ut))
		return false;
	if (simple_of(up) == FLYTE_SIMPLE_STRUCT && simple_of(down) == FLYTE_SIMPLE_STRUCT)
		return struct_casts(down, up);
	return equal_but_metadata(up, down);
}

static bool casts_from(const pb_msg *down, const pb_msg *up)
{
	switch (fl_type_kind(down)) {
	case FLYTE_TYPE_COLLECTION: return container_casts(down, up, F_LT(collection_type));
	case FLYTE_TYPE_MAP: return container_casts(down, up, F_LT(map_value_type));
	case FLYTE_TYPE_BLOB: return blob_casts(down, up);
	case FLYTE_TYPE_SCHEMA: return schema_casts(down, up);
	case FLYTE_TYPE_STRUCTURED_DATASET: return sd_casts(down, up);
	case FLYTE_TYPE_UNION: return union_casts(down, up);
	default: return is_none(down) ? is_none(up) : trivial_casts(down, up);
	}
}

int flyte_types_castable(const flyte_literal_type *upstream, const flyte_literal_type *downstream)
{
	if (!upstream || !downstream)
		return 0;
	return castable(M(upstream), M(downstream));
}

/* ---- LiteralTypeForLiteral ---- */

static int oom(flyte_error **error)
{
	return fl_error(error, FLYTE_ENOMEM, "out of memory");
}

static int unknown(flyte_error **error, const char *what)
{
	return fl_error(error, FLYTE_EINVALID, "got unknown literal type: %s", what);
}

static pb_msg *simple_type(int32_t simple)
{
	pb_msg *t = pb_msg_new(&D_LITERAL_TYPE);
	if (t)
		pb_set_i32(t, F_LT(simple), simple);
	return t;
}

/* A type whose oneof member `field` is `inner` (owned, freed on failure). */
static pb_msg *wrap(int field, pb_msg *inner)
{
	pb_msg *t = inner ? pb_msg_new(&D_LITERAL_TYPE) : NULL;
	if (!t) {
		pb_msg_free(inner);
		return NULL;
	}
	pb_set_msg(t, field, inner);
	return t;
}

/* The same with a copy of src; an absent src gives an empty message, which is what Go's
   nil member reads as once serialised. */
static pb_msg *wrap_copy(int field, const pb_msg *src)
{
	pb_msg *c = src ? pb_msg_copy(src) : pb_msg_new(D_LITERAL_TYPE.fields[field].msg);
	return wrap(field, c);
}

/* Appends m (owned, freed on failure) to a repeated message field. */
static int push_owned(pb_list *l, pb_msg *m)
{
	if (!m || pb_list_push(l, (pb_val){.m = m})) {
		pb_msg_free(m);
		return -1;
	}
	return 0;
}

static pb_msg *new_union(pb_list **variants)
{
	pb_msg *t = pb_msg_new(&D_LITERAL_TYPE);
	pb_msg *u = t ? pb_mutable_msg(t, F_LT(union_type)) : NULL;
	*variants = u ? pb_mutable_list(u, F_UNIONTYPE(variants)) : NULL;
	if (!*variants) {
		pb_msg_free(t);
		return NULL;
	}
	return t;
}

/* A union value is typed by its own variant alone: a single-variant union, which
   AreTypesCastable unwraps. */
static pb_msg *union_of_one(const pb_msg *variant)
{
	pb_list *l;
	pb_msg *t = new_union(&l);
	if (t && push_owned(l, variant ? pb_msg_copy(variant) : pb_msg_new(&D_LITERAL_TYPE))) {
		pb_msg_free(t);
		return NULL;
	}
	return t;
}

static int32_t primitive_simple(const pb_msg *p)
{
	switch (pb_oneof_case(p, 0)) {
	case F_PRIM(integer): return FLYTE_SIMPLE_INTEGER;
	case F_PRIM(float_value): return FLYTE_SIMPLE_FLOAT;
	case F_PRIM(string_value): return FLYTE_SIMPLE_STRING;
	case F_PRIM(boolean): return FLYTE_SIMPLE_BOOLEAN;
	case F_PRIM(datetime): return FLYTE_SIMPLE_DATETIME;
	case F_PRIM(duration): return FLYTE_SIMPLE_DURATION;
	default: return FLYTE_SIMPLE_NONE;
	}
}

static int infer_scalar(pb_msg **out, const pb_msg *s, flyte_error **error)
{
	int c = pb_oneof_case(s, 0);
	const pb_msg *v = c >= 0 ? pb_get_msg(s, c) : NULL, *meta;
	switch (c) {
	case F_SCALAR(primitive): *out = simple_type(primitive_simple(v)); break;
	case F_SCALAR(blob):
		meta = pb_get_msg(v, F_BLOB(metadata));
		if (!meta)
			return unknown(error, "a blob without metadata");
		*out = wrap_copy(F_LT(blob), pb_get_msg(meta, F_BLOBMETA(type)));
		break;
	case F_SCALAR(binary):
		/* msgpack-encoded dataclasses, dicts and models are structs (RFC 5741). */
		*out = simple_type(str_is(v, F_BINARY(tag), "msgpack") ? FLYTE_SIMPLE_STRUCT : FLYTE_SIMPLE_BINARY);
		break;
	case F_SCALAR(schema): *out = wrap_copy(F_LT(schema), pb_get_msg(v, F_SCHEMA(type))); break;
	case F_SCALAR(none_type): *out = simple_type(FLYTE_SIMPLE_NONE); break;
	case F_SCALAR(error): *out = simple_type(FLYTE_SIMPLE_ERROR); break;
	case F_SCALAR(generic): *out = simple_type(FLYTE_SIMPLE_STRUCT); break;
	case F_SCALAR(structured_dataset):
		meta = pb_get_msg(v, F_SD(metadata));
		*out = wrap_copy(F_LT(structured_dataset_type),
				 meta ? pb_get_msg(meta, F_SDMETA(structured_dataset_type)) : NULL);
		break;
	case F_SCALAR(union): *out = union_of_one(pb_get_msg(v, F_UNION(type))); break;
	default: return unknown(error, "a scalar without a value");
	}
	return *out ? 0 : oom(error);
}

/* The elements of a LiteralCollection or a LiteralMap, by position. */
typedef struct {
	const pb_list *list;
	const pb_map *map;
} elements;

static size_t elements_len(elements e)
{
	return e.list ? e.list->n : e.map ? e.map->n : 0;
}

static const pb_msg *element_at(elements e, size_t i)
{
	return e.list ? e.list->items[i].m : e.map->items[i].val.m;
}

/* The distinct element types in order of appearance, and the type of an empty nested
   list, which Flyte uses only when nothing else is there. */
typedef struct {
	pb_msg **types;
	size_t n;
	pb_msg *empty_list;
} type_set;

static void type_set_free(type_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		pb_msg_free(s->types[i]);
	fl_free(s->types);
	pb_msg_free(s->empty_list);
}

static int infer(pb_msg **out, const pb_msg *lit, flyte_error **error);

static int type_set_add(type_set *s, const pb_msg *lit, flyte_error **error)
{
	pb_msg *t;
	int rc = infer(&t, lit, error);
	if (rc)
		return rc;
	if (fl_literal_kind(lit) == FLYTE_LITERAL_COLLECTION &&
	    pb_list_len(pb_get_msg(lit, F_LIT(collection)), F_COLL(literals)) == 0) {
		pb_msg_free(s->empty_list);
		s->empty_list = t;
		return 0;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (pb_msg_equal(s->types[i], t)) {
			pb_msg_free(t);
			return 0;
		}
	}
	s->types[s->n++] = t;
	return 0;
}

typedef struct {
	char *key;
	size_t order;
	pb_msg *type;
} sort_item;

static int sort_item_cmp(const void *a, const void *b)
{
	const sort_item *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

/* Flyte sorts the variants by their text form so that the union does not depend on the
   element order; we sort by the readable form (first seen first among equal forms). */
static int sort_types(type_set *s)
{
	sort_item *items = fl_calloc(s->n, sizeof *items);
	int rc = items ? 0 : -1;
	for (size_t i = 0; i < s->n && !rc; i++) {
		items[i] = (sort_item){fl_type_describe(s->types[i]), i, s->types[i]};
		rc = items[i].key ? 0 : -1;
	}
	if (!rc) {
		qsort(items, s->n, sizeof *items, sort_item_cmp);
		for (size_t i = 0; i < s->n; i++)
			s->types[i] = items[i].type;
	}
	for (size_t i = 0; items && i < s->n; i++)
		fl_free(items[i].key);
	fl_free(items);
	return rc;
}

/* Flyte's buildMultipleTypeUnion: the variants of element types that are lists of unions
   are lifted into the new union, which then becomes a list of that union. */
static pb_msg *union_of_types(type_set *s)
{
	pb_list *l;
	pb_msg *t = new_union(&l);
	bool nested = false;
	for (size_t i = 0; t && i < s->n; i++) {
		const pb_msg *inner = sub(sub(s->types[i], F_LT(collection_type)), F_LT(union_type));
		if (!inner) {
			pb_msg *owned = s->types[i];
			s->types[i] = NULL;
			if (push_owned(l, owned))
				goto fail;
			continue;
		}
		nested = true;
		for (size_t j = 0; j < list_len(inner, F_UNIONTYPE(variants)); j++)
			if (push_owned(l, pb_msg_copy(list_msg(inner, F_UNIONTYPE(variants), j))))
				goto fail;
	}
	return nested ? wrap(F_LT(collection_type), t) : t;
fail:
	pb_msg_free(t);
	return NULL;
}

/* The element type of a list or map: the one type they all have, a union of the distinct
   types, or NONE when empty. */
static int infer_elements(pb_msg **out, elements e, flyte_error **error)
{
	size_t n = elements_len(e);
	type_set s = {0};
	int rc = 0;
	*out = NULL;
	if (n && !(s.types = fl_calloc(n, sizeof *s.types)))
		return oom(error);
	for (size_t i = 0; i < n && !rc; i++)
		rc = type_set_add(&s, element_at(e, i), error);
	if (rc)
		goto done;
	if (!s.n && s.empty_list) {
		*out = s.empty_list;
		s.empty_list = NULL;
	} else if (!s.n) {
		*out = simple_type(FLYTE_SIMPLE_NONE);
	} else if (s.n == 1) {
		*out = s.types[0];
		s.n = 0;
	} else {
		*out = sort_types(&s) ? NULL : union_of_types(&s);
	}
	rc = *out ? 0 : oom(error);
done:
	type_set_free(&s);
	return rc;
}

static int infer_container(pb_msg **out, int type_field, elements e, flyte_error **error)
{
	pb_msg *elem = NULL;
	int rc = infer_elements(&elem, e, error);
	if (rc)
		return rc;
	*out = wrap(type_field, elem);
	return *out ? 0 : oom(error);
}

static int infer(pb_msg **out, const pb_msg *lit, flyte_error **error)
{
	const pb_msg *v;
	*out = NULL;
	switch (lit ? pb_oneof_case(lit, 0) : -1) {
	case F_LIT(scalar): return infer_scalar(out, pb_get_msg(lit, F_LIT(scalar)), error);
	case F_LIT(collection):
		v = pb_get_msg(lit, F_LIT(collection));
		return infer_container(out, F_LT(collection_type), (elements){.list = v->fields[F_COLL(literals)].list},
				       error);
	case F_LIT(map):
		v = pb_get_msg(lit, F_LIT(map));
		return infer_container(out, F_LT(map_value_type), (elements){.map = v->fields[F_LMAP(literals)].map},
				       error);
	case F_LIT(offloaded_metadata):
		v = pb_get_msg(pb_get_msg(lit, F_LIT(offloaded_metadata)), F_OFFLOAD(inferred_type));
		if (!v)
			return unknown(error, "an offloaded literal without inferred_type");
		*out = pb_msg_copy(v);
		return *out ? 0 : oom(error);
	default: return unknown(error, "a literal without a value");
	}
}

int flyte_literal_type_infer(flyte_literal_type **out, const flyte_literal *literal, flyte_error **error)
{
	if (!out || !literal)
		return fl_error(error, FLYTE_EINVALID, "NULL argument");
	return infer((pb_msg **)out, M(literal), error);
}

/* ---- checks with errors that name the input ---- */

static int mismatch(flyte_error **error, const pb_msg *expected, const pb_msg *got, const char *name)
{
	if (!error)
		return FLYTE_ETYPE;
	char *e = fl_type_describe(expected), *g = fl_type_describe(got);
	/* The verdict stands even when its description cannot be written. */
	if (!e || !g)
		fl_error(error, FLYTE_ETYPE, "value does not match its declared type");
	else if (name)
		fl_error(error, FLYTE_ETYPE, "input \"%s\": expected %s, got %s", name, e, g);
	else
		fl_error(error, FLYTE_ETYPE, "expected %s, got %s", e, g);
	fl_free(e);
	fl_free(g);
	return FLYTE_ETYPE;
}

int flyte_literal_check_type(const flyte_literal *literal, const flyte_literal_type *expected, const char *name,
			     flyte_error **error)
{
	if (!literal || !expected) {
		fl_error(error, FLYTE_EINVALID, "%s is NULL", literal ? "expected type" : "literal");
		if (name)
			fl_error_prefix(error, "input \"%s\"", name);
		return FLYTE_EINVALID;
	}
	pb_msg *got;
	int rc = infer(&got, M(literal), error);
	if (rc) {
		if (name)
			fl_error_prefix(error, "input \"%s\"", name);
		return rc;
	}
	rc = castable(got, M(expected)) ? 0 : mismatch(error, M(expected), got, name);
	pb_msg_free(got);
	return rc;
}

static int unknown_input(flyte_error **error, const char *name, const flyte_variable_map *declared)
{
	pb_buf b = {0};
	size_t n = flyte_variable_map_count(declared);
	const char *var;
	for (size_t i = 0; i < n; i++) {
		flyte_variable_map_at(declared, i, &var, NULL);
		if (i)
			pb_buf_puts(&b, ", ");
		pb_buf_puts(&b, var);
	}
	if (!n)
		pb_buf_puts(&b, "(none)");
	if (b.failed || !b.data)
		fl_error(error, FLYTE_EINVALID, "unknown input \"%s\"", name);
	else
		fl_error(error, FLYTE_EINVALID, "unknown input \"%s\"; declared inputs: %s", name, b.data);
	fl_free(b.data);
	return FLYTE_EINVALID;
}

/* The declared Variable called name, or NULL. */
static const pb_msg *declared_variable(const flyte_variable_map *declared, const char *name)
{
	const pb_val *v = declared ? pb_map_get(M(declared)->fields[F_VMAP(variables)].map, name, strlen(name)) : NULL;
	return v ? v->m : NULL;
}

int flyte_literal_map_check_types(const flyte_literal_map *inputs, const flyte_variable_map *declared,
				  flyte_error **error)
{
	size_t n = flyte_literal_map_count(inputs);
	const char *name;
	/* Every name first: a misspelt input says more than the type error it may cause. */
	for (size_t i = 0; i < n; i++) {
		flyte_literal_map_at(inputs, i, &name);
		if (!declared_variable(declared, name))
			return unknown_input(error, name, declared);
	}
	for (size_t i = 0; i < n; i++) {
		const flyte_literal *lit = flyte_literal_map_at(inputs, i, &name);
		const pb_msg *var = declared_variable(declared, name);
		int rc = flyte_literal_check_type(lit, (const flyte_literal_type *)pb_get_msg(var, F_VAR(type)), name,
						  error);
		if (rc)
			return rc;
	}
	return 0;
}
