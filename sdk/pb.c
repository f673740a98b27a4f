/* The descriptor-driven message model: allocation, presence, copy, equality. */
#include "pb.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "alloc.h"

static bool is_ptr_type(pb_type t)
{
	return t == PB_STRING || t == PB_BYTES || t == PB_MESSAGE;
}

static bool has_json(const pb_msg_desc *d)
{
	return d->wkt == PB_WKT_STRUCT || d->wkt == PB_WKT_VALUE || d->wkt == PB_WKT_LIST ||
	       d->wkt == PB_WKT_ANY;
}

pb_msg *pb_msg_new(const pb_msg_desc *desc)
{
	pb_msg *m = fl_calloc(1, sizeof *m + desc->n_fields * sizeof(pb_val));
	if (!m)
		return NULL;
	m->desc = desc;
	if (desc->n_oneofs) {
		m->oneof_case = fl_malloc(desc->n_oneofs * sizeof(int));
		if (!m->oneof_case) {
			fl_free(m);
			return NULL;
		}
		for (unsigned i = 0; i < desc->n_oneofs; i++)
			m->oneof_case[i] = -1;
	}
	return m;
}

pb_bytes *pb_bytes_new(const void *data, size_t len)
{
	pb_bytes *b = fl_malloc(sizeof *b + len + 1);
	if (!b)
		return NULL;
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

pb_bytes *pb_bytes_str(const char *s)
{
	return pb_bytes_new(s, strlen(s));
}

void pb_val_free(const pb_field_desc *f, pb_val v)
{
	if (f->type == PB_MESSAGE)
		pb_msg_free(v.m);
	else if (f->type == PB_STRING || f->type == PB_BYTES)
		fl_free(v.s);
}

static void free_field(const pb_field_desc *f, pb_val *v)
{
	if (f->label == PB_REPEATED) {
		if (v->list) {
			if (is_ptr_type(f->type))
				for (size_t i = 0; i < v->list->n; i++)
					pb_val_free(f, v->list->items[i]);
			fl_free(v->list->items);
			fl_free(v->list);
		}
	} else if (f->label == PB_MAP) {
		if (v->map) {
			for (size_t i = 0; i < v->map->n; i++) {
				fl_free(v->map->items[i].key);
				pb_val_free(f, v->map->items[i].val);
			}
			fl_free(v->map->items);
			fl_free(v->map);
		}
	} else {
		pb_val_free(f, *v);
	}
	memset(v, 0, sizeof *v);
}

void pb_msg_free(pb_msg *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->desc->n_fields; i++)
		free_field(&m->desc->fields[i], &m->fields[i]);
	json_decref(m->json);
	fl_free(m->oneof_case);
	fl_free(m);
}

int pb_field_index(const pb_msg_desc *desc, const char *name)
{
	for (unsigned i = 0; i < desc->n_fields; i++)
		if (strcmp(desc->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Exact match of a NUL-terminated name against key[0..len) (which may hold NUL bytes). */
static bool key_is(const char *name, const char *key, size_t len)
{
	return strlen(name) == len && memcmp(name, key, len) == 0;
}

int pb_field_index_json(const pb_msg_desc *desc, const char *key, size_t len)
{
	for (unsigned i = 0; i < desc->n_fields; i++)
		if (key_is(desc->fields[i].json_name, key, len))
			return (int)i;
	for (unsigned i = 0; i < desc->n_fields; i++)
		if (key_is(desc->fields[i].name, key, len))
			return (int)i;
	return -1;
}

int pb_oneof_case(const pb_msg *m, unsigned o)
{
	return m->oneof_case[o];
}

void pb_clear(pb_msg *m, int idx)
{
	const pb_field_desc *f = &m->desc->fields[idx];
	free_field(f, &m->fields[idx]);
	if (f->oneof >= 0 && m->oneof_case[f->oneof] == idx)
		m->oneof_case[f->oneof] = -1;
}

void pb_mark(pb_msg *m, int idx)
{
	const pb_field_desc *f = &m->desc->fields[idx];
	if (f->oneof < 0)
		return;
	int cur = m->oneof_case[f->oneof];
	if (cur >= 0 && cur != idx)
		free_field(&m->desc->fields[cur], &m->fields[cur]);
	m->oneof_case[f->oneof] = idx;
}

static void set_prepare(pb_msg *m, int idx)
{
	free_field(&m->desc->fields[idx], &m->fields[idx]);
	pb_mark(m, idx);
}

int pb_set_bytes(pb_msg *m, int idx, const void *data, size_t len)
{
	set_prepare(m, idx);
	m->fields[idx].s = pb_bytes_new(data, len);
	if (!m->fields[idx].s) {
		pb_clear(m, idx);
		return -1;
	}
	return 0;
}

int pb_set_str(pb_msg *m, int idx, const char *s)
{
	return pb_set_bytes(m, idx, s, strlen(s));
}

void pb_set_i64(pb_msg *m, int idx, int64_t v)
{
	set_prepare(m, idx);
	m->fields[idx].i64 = v;
}

void pb_set_u64(pb_msg *m, int idx, uint64_t v)
{
	set_prepare(m, idx);
	m->fields[idx].u64 = v;
}

void pb_set_i32(pb_msg *m, int idx, int32_t v)
{
	set_prepare(m, idx);
	m->fields[idx].i32 = v;
}

void pb_set_u32(pb_msg *m, int idx, uint32_t v)
{
	set_prepare(m, idx);
	m->fields[idx].u32 = v;
}

void pb_set_double(pb_msg *m, int idx, double v)
{
	set_prepare(m, idx);
	m->fields[idx].d = v;
}

void pb_set_bool(pb_msg *m, int idx, bool v)
{
	set_prepare(m, idx);
	m->fields[idx].b = v;
}

void pb_set_msg(pb_msg *m, int idx, pb_msg *sub)
{
	set_prepare(m, idx);
	m->fields[idx].m = sub;
	if (!sub)
		pb_clear(m, idx);
}

pb_msg *pb_mutable_msg(pb_msg *m, int idx)
{
	if (m->fields[idx].m) {
		pb_mark(m, idx);
		return m->fields[idx].m;
	}
	pb_msg *sub = pb_msg_new(m->desc->fields[idx].msg);
	if (!sub)
		return NULL;
	pb_set_msg(m, idx, sub);
	return sub;
}

const char *pb_get_str(const pb_msg *m, int idx)
{
	const pb_bytes *s = m->fields[idx].s;
	return s ? s->data : "";
}

const pb_bytes *pb_get_bytes(const pb_msg *m, int idx)
{
	return m->fields[idx].s;
}

const pb_msg *pb_get_msg(const pb_msg *m, int idx)
{
	const pb_field_desc *f = &m->desc->fields[idx];
	if (f->oneof >= 0 && m->oneof_case[f->oneof] != idx)
		return NULL;
	return m->fields[idx].m;
}

pb_list *pb_mutable_list(pb_msg *m, int idx)
{
	if (!m->fields[idx].list)
		m->fields[idx].list = fl_calloc(1, sizeof(pb_list));
	if (m->fields[idx].list)
		pb_mark(m, idx);
	return m->fields[idx].list;
}

size_t pb_list_len(const pb_msg *m, int idx)
{
	return m->fields[idx].list ? m->fields[idx].list->n : 0;
}

int pb_list_push(pb_list *l, pb_val v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		pb_val *items = fl_realloc(l->items, cap * sizeof *items);
		if (!items)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = v;
	return 0;
}

pb_map *pb_mutable_map(pb_msg *m, int idx)
{
	if (!m->fields[idx].map)
		m->fields[idx].map = fl_calloc(1, sizeof(pb_map));
	return m->fields[idx].map;
}

static int key_cmp(const pb_bytes *a, const char *key, size_t len)
{
	size_t n = a->len < len ? a->len : len;
	int c = memcmp(a->data, key, n);
	if (c)
		return c;
	return a->len < len ? -1 : a->len > len;
}

/* Index of key, or -(insertion point) - 1. */
static ptrdiff_t map_find(const pb_map *map, const char *key, size_t len)
{
	size_t lo = 0, hi = map->n;
	/* Fast path for keys arriving in order. */
	if (hi && key_cmp(map->items[hi - 1].key, key, len) < 0)
		return -(ptrdiff_t)hi - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(map->items[mid].key, key, len);
		if (c == 0)
			return (ptrdiff_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -(ptrdiff_t)lo - 1;
}

pb_val *pb_map_get(const pb_map *map, const char *key, size_t len)
{
	if (!map)
		return NULL;
	ptrdiff_t i = map_find(map, key, len);
	return i >= 0 ? &map->items[i].val : NULL;
}

int pb_map_put(pb_map *map, const pb_field_desc *f, const char *key, size_t len, pb_val v)
{
	ptrdiff_t i = map_find(map, key, len);
	if (i >= 0) {
		pb_val_free(f, map->items[i].val);
		map->items[i].val = v;
		return 0;
	}
	size_t at = (size_t)(-i - 1);
	if (map->n == map->cap) {
		size_t cap = map->cap ? map->cap * 2 : 4;
		pb_map_entry *items = fl_realloc(map->items, cap * sizeof *items);
		if (!items)
			return -1;
		map->items = items;
		map->cap = cap;
	}
	pb_bytes *k = pb_bytes_new(key, len);
	if (!k)
		return -1;
	memmove(&map->items[at + 1], &map->items[at], (map->n - at) * sizeof *map->items);
	map->items[at].key = k;
	map->items[at].val = v;
	map->n++;
	return 0;
}

bool pb_map_remove(pb_map *map, const pb_field_desc *f, const char *key, size_t len)
{
	if (!map)
		return false;
	ptrdiff_t i = map_find(map, key, len);
	if (i < 0)
		return false;
	fl_free(map->items[i].key);
	pb_val_free(f, map->items[i].val);
	memmove(&map->items[i], &map->items[i + 1], (map->n - (size_t)i - 1) * sizeof *map->items);
	map->n--;
	return true;
}

int pb_val_copy(const pb_field_desc *f, pb_val *dst, pb_val src)
{
	*dst = src;
	if (f->type == PB_MESSAGE) {
		dst->m = src.m ? pb_msg_copy(src.m) : NULL;
		return src.m && !dst->m ? -1 : 0;
	}
	if (f->type == PB_STRING || f->type == PB_BYTES) {
		dst->s = src.s ? pb_bytes_new(src.s->data, src.s->len) : NULL;
		return src.s && !dst->s ? -1 : 0;
	}
	return 0;
}

static int copy_field(const pb_field_desc *f, pb_val *dst, const pb_val *src)
{
	if (f->label == PB_REPEATED) {
		if (!src->list)
			return 0;
		pb_list *l = fl_calloc(1, sizeof *l);
		if (!l)
			return -1;
		dst->list = l;
		if (!src->list->n)
			return 0;
		l->items = fl_malloc(src->list->n * sizeof *l->items);
		if (!l->items)
			return -1;
		l->cap = src->list->n;
		for (; l->n < src->list->n; l->n++)
			if (pb_val_copy(f, &l->items[l->n], src->list->items[l->n]))
				return -1;
		return 0;
	}
	if (f->label == PB_MAP) {
		if (!src->map)
			return 0;
		pb_map *mp = fl_calloc(1, sizeof *mp);
		if (!mp)
			return -1;
		dst->map = mp;
		if (!src->map->n)
			return 0;
		mp->items = fl_malloc(src->map->n * sizeof *mp->items);
		if (!mp->items)
			return -1;
		mp->cap = src->map->n;
		for (; mp->n < src->map->n; mp->n++) {
			const pb_map_entry *e = &src->map->items[mp->n];
			pb_map_entry *d = &mp->items[mp->n];
			d->key = pb_bytes_new(e->key->data, e->key->len);
			if (!d->key)
				return -1;
			if (pb_val_copy(f, &d->val, e->val)) {
				fl_free(d->key);
				return -1;
			}
		}
		return 0;
	}
	return pb_val_copy(f, dst, *src);
}

pb_msg *pb_msg_copy(const pb_msg *m)
{
	pb_msg *c = pb_msg_new(m->desc);
	if (!c)
		return NULL;
	if (m->desc->n_oneofs)
		memcpy(c->oneof_case, m->oneof_case, m->desc->n_oneofs * sizeof(int));
	if (m->json) {
		c->json = json_deep_copy(m->json);
		if (!c->json)
			goto fail;
	}
	for (unsigned i = 0; i < m->desc->n_fields; i++)
		if (copy_field(&m->desc->fields[i], &c->fields[i], &m->fields[i]))
			goto fail;
	return c;
fail:
	pb_msg_free(c);
	return NULL;
}

bool pb_val_equal(const pb_field_desc *f, pb_val a, pb_val b)
{
	switch (f->type) {
	case PB_DOUBLE:
	case PB_FLOAT:
		/* Bitwise-distinct NaNs compare equal; -0.0 and 0.0 differ (proto presence). */
		if (a.d != a.d && b.d != b.d)
			return true;
		return a.d == b.d && signbit(a.d) == signbit(b.d);
	case PB_INT64: return a.i64 == b.i64;
	case PB_UINT64: return a.u64 == b.u64;
	case PB_INT32:
	case PB_ENUM: return a.i32 == b.i32;
	case PB_UINT32: return a.u32 == b.u32;
	case PB_BOOL: return a.b == b.b;
	case PB_STRING:
	case PB_BYTES: {
		size_t la = a.s ? a.s->len : 0, lb = b.s ? b.s->len : 0;
		return la == lb && (la == 0 || memcmp(a.s->data, b.s->data, la) == 0);
	}
	case PB_MESSAGE:
		if (!a.m || !b.m)
			return a.m == b.m;
		return pb_msg_equal(a.m, b.m);
	}
	return false;
}

static bool field_equal(const pb_msg *a, const pb_msg *b, int idx)
{
	const pb_field_desc *f = &a->desc->fields[idx];
	bool ha = pb_has(a, idx), hb = pb_has(b, idx);
	if (ha != hb)
		return false;
	if (!ha)
		return true;
	const pb_val *va = &a->fields[idx], *vb = &b->fields[idx];
	if (f->label == PB_REPEATED) {
		if (va->list->n != vb->list->n)
			return false;
		for (size_t i = 0; i < va->list->n; i++)
			if (!pb_val_equal(f, va->list->items[i], vb->list->items[i]))
				return false;
		return true;
	}
	if (f->label == PB_MAP) {
		if (va->map->n != vb->map->n)
			return false;
		for (size_t i = 0; i < va->map->n; i++) {
			const pb_map_entry *ea = &va->map->items[i], *eb = &vb->map->items[i];
			if (key_cmp(ea->key, eb->key->data, eb->key->len) != 0 ||
			    !pb_val_equal(f, ea->val, eb->val))
				return false;
		}
		return true;
	}
	return pb_val_equal(f, *va, *vb);
}

bool pb_msg_equal(const pb_msg *a, const pb_msg *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->desc != b->desc)
		return false;
	if (has_json(a->desc)) {
		if (!a->json || !b->json)
			return a->json == b->json;
		return json_equal(a->json, b->json);
	}
	for (unsigned i = 0; i < a->desc->n_fields; i++)
		if (!field_equal(a, b, (int)i))
			return false;
	return true;
}

const pb_enum_value *pb_enum_by_number(const pb_enum_desc *e, int32_t number)
{
	for (size_t i = 0; i < e->n_values; i++)
		if (e->values[i].number == number)
			return &e->values[i];
	return NULL;
}

const pb_enum_value *pb_enum_by_name(const pb_enum_desc *e, const char *name, size_t len)
{
	for (size_t i = 0; i < e->n_values; i++)
		if (key_is(e->values[i].name, name, len))
			return &e->values[i];
	return NULL;
}
