/* ObjectHash over descriptor-driven messages (cache-keys.md §1.3-§1.4, Appendix A). */

/* The one-call-per-node hashing needs SHA-256 without EVP's per-call fetch and context
   set-up (several times slower on small inputs); OpenSSL 3 still ships the low-level
   functions, only marked deprecated. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "objecthash.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "base64.h"
#include "error.h"
#include "pb_json.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(oh_ctx), "oh_ctx too small for SHA256_CTX");

void oh_begin(oh_ctx *c, char tag)
{
	SHA256_Init((SHA256_CTX *)c->bytes);
	SHA256_Update((SHA256_CTX *)c->bytes, &tag, 1);
}

void oh_add(oh_ctx *c, const void *data, size_t len)
{
	SHA256_Update((SHA256_CTX *)c->bytes, data, len);
}

void oh_end(oh_ctx *c, oh_digest out)
{
	SHA256_Final(out, (SHA256_CTX *)c->bytes);
}

void oh_leaf(oh_digest out, char tag, const void *data, size_t len)
{
	oh_ctx c;
	oh_begin(&c, tag);
	oh_add(&c, data, len);
	oh_end(&c, out);
}

/* ObjectHash's floatNormalize: sign, binary exponent e, ':', then the binary digits of
   f / 2^e with 0.5 < f / 2^e <= 1 (the Go loop of halvings and doublings, done with frexp). */
size_t oh_float_normalize(char *out, double f)
{
	size_t n = 0;
	if (f == 0) {
		memcpy(out, "+0:", 4);
		return 3;
	}
	out[n++] = f < 0 ? '-' : '+';
	int e;
	double m = frexp(fabs(f), &e); /* 0.5 <= m < 1 */
	if (m == 0.5) {
		e--; /* the normalised mantissa is exactly 1 */
	}
	char tmp[16], *end = tmp + sizeof tmp, *p = end;
	unsigned ue = e < 0 ? 0u - (unsigned)e : (unsigned)e;
	do {
		*--p = (char)('0' + ue % 10);
		ue /= 10;
	} while (ue);
	if (e < 0)
		*--p = '-';
	memcpy(out + n, p, (size_t)(end - p));
	n += (size_t)(end - p);
	out[n++] = ':';
	if (m == 0.5) {
		out[n++] = '1';
	} else {
		/* The digit for 2^0 is 0, then the 53-bit mantissa down to its last 1 bit. */
		uint64_t bits = (uint64_t)ldexp(m, 53);
		int last = __builtin_ctzll(bits);
		out[n++] = '0';
		for (int b = 52; b >= last; b--)
			out[n++] = (char)('0' + ((bits >> b) & 1));
	}
	out[n] = '\0';
	return n;
}

static void hash_double(oh_digest out, double d)
{
	if (isnan(d))
		oh_leaf(out, 'u', "NaN", 3);
	else if (isinf(d))
		d > 0 ? oh_leaf(out, 'u', "Infinity", 8) : oh_leaf(out, 'u', "-Infinity", 9);
	else {
		char buf[128];
		size_t n = oh_float_normalize(buf, d);
		oh_leaf(out, 'f', buf, n);
	}
}

/* jsonpb writes a 32-bit float as its shortest float32 decimal; Go parses it as float64. */
static double float32_as_parsed(double d)
{
	char tmp[32];
	float f = (float)d;
	for (int prec = 1; prec <= 9; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, (double)f);
		if (strtof(tmp, NULL) == f)
			break;
	}
	return strtod(tmp, NULL);
}

static int cmp_pair(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

void oh_dict(oh_digest out, unsigned char (*pairs)[64], size_t n)
{
	qsort(pairs, n, 64, cmp_pair);
	oh_ctx c;
	oh_begin(&c, 'd');
	oh_add(&c, pairs, n * 64);
	oh_end(&c, out);
}

static int hash_json(oh_digest out, const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), i = 0;
		unsigned char(*pairs)[64] = fl_malloc((n ? n : 1) * 64);
		if (!pairs)
			return FLYTE_ENOMEM;
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x) {
			oh_leaf(pairs[i], 'u', k, strlen(k));
			int rc = hash_json(pairs[i] + 32, x);
			if (rc) {
				fl_free(pairs);
				return rc;
			}
			i++;
		}
		oh_dict(out, pairs, n);
		fl_free(pairs);
		return 0;
	}
	case JSON_ARRAY: {
		oh_ctx c;
		oh_begin(&c, 'l');
		for (size_t i = 0; i < json_array_size(v); i++) {
			oh_digest d;
			int rc = hash_json(d, json_array_get(v, i));
			if (rc)
				return rc;
			oh_add(&c, d, 32);
		}
		oh_end(&c, out);
		return 0;
	}
	case JSON_STRING: oh_leaf(out, 'u', json_string_value(v), json_string_length(v)); return 0;
	case JSON_INTEGER:
	case JSON_REAL: hash_double(out, json_number_value(v)); return 0;
	case JSON_TRUE: oh_leaf(out, 'b', "1", 1); return 0;
	case JSON_FALSE: oh_leaf(out, 'b', "0", 1); return 0;
	case JSON_NULL: oh_leaf(out, 'n', "", 0); return 0;
	}
	return FLYTE_ERROR;
}

/* Decimal digits of v, written backwards from end; returns the start. (snprintf costs as
   much as a SHA-256 block here.) */
static char *u64_decimal(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

static void hash_integer(oh_digest out, uint64_t magnitude, int negative)
{
	char tmp[24], *end = tmp + sizeof tmp, *p = u64_decimal(end, magnitude);
	if (negative)
		*--p = '-';
	oh_leaf(out, 'u', p, (size_t)(end - p));
}

static int hash_value(oh_digest out, const pb_field_desc *f, pb_val v, flyte_error **error)
{
	switch (f->type) {
	case PB_INT64:
		hash_integer(out, v.i64 < 0 ? 0 - (uint64_t)v.i64 : (uint64_t)v.i64, v.i64 < 0);
		return 0;
	case PB_UINT64:
		hash_integer(out, v.u64, 0);
		return 0;
	case PB_INT32: hash_double(out, (double)v.i32); return 0;
	case PB_UINT32: hash_double(out, (double)v.u32); return 0;
	case PB_DOUBLE: hash_double(out, v.d); return 0;
	case PB_FLOAT: hash_double(out, isfinite(v.d) ? float32_as_parsed(v.d) : v.d); return 0;
	case PB_BOOL: oh_leaf(out, 'b', v.b ? "1" : "0", 1); return 0;
	case PB_STRING:
		oh_leaf(out, 'u', v.s ? v.s->data : "", v.s ? v.s->len : 0);
		return 0;
	case PB_BYTES: {
		size_t len = v.s ? v.s->len : 0;
		char *enc = fl_malloc(base64_encoded_len(len) + 1);
		if (!enc)
			return fl_error(error, FLYTE_ENOMEM, "out of memory hashing bytes");
		size_t k = base64_encode(enc, v.s ? (const unsigned char *)v.s->data : NULL, len, 0);
		oh_leaf(out, 'u', enc, k);
		fl_free(enc);
		return 0;
	}
	case PB_ENUM: {
		const pb_enum_value *ev = pb_enum_by_number(f->enm, v.i32);
		if (ev)
			memcpy(out, ev->khash, 32);
		else
			hash_double(out, (double)v.i32);
		return 0;
	}
	case PB_MESSAGE: return oh_msg(out, v.m, error);
	}
	return FLYTE_ERROR;
}

static int hash_field(oh_digest out, const pb_field_desc *f, const pb_val *v, flyte_error **error)
{
	if (f->label == PB_REPEATED) {
		oh_ctx c;
		oh_begin(&c, 'l');
		for (size_t i = 0; i < v->list->n; i++) {
			oh_digest d;
			int rc = hash_value(d, f, v->list->items[i], error);
			if (rc)
				return rc;
			oh_add(&c, d, 32);
		}
		oh_end(&c, out);
		return 0;
	}
	if (f->label == PB_MAP) {
		size_t n = v->map->n;
		unsigned char(*pairs)[64] = fl_malloc(n * 64);
		if (!pairs)
			return fl_error(error, FLYTE_ENOMEM, "out of memory hashing a map");
		for (size_t i = 0; i < n; i++) {
			const pb_map_entry *e = &v->map->items[i];
			oh_leaf(pairs[i], 'u', e->key->data, e->key->len);
			int rc = hash_value(pairs[i] + 32, f, e->val, error);
			if (rc) {
				fl_free(pairs);
				return rc;
			}
		}
		oh_dict(out, pairs, n);
		fl_free(pairs);
		return 0;
	}
	return hash_value(out, f, *v, error);
}

static int hash_wkt(oh_digest out, const pb_msg *m, flyte_error **error)
{
	char tmp[48];
	int n;
	switch (m->desc->wkt) {
	case PB_WKT_TIMESTAMP:
	case PB_WKT_DURATION:
		n = m->desc->wkt == PB_WKT_TIMESTAMP ? pb_format_timestamp(tmp, m->fields[0].i64, m->fields[1].i32)
						     : pb_format_duration(tmp, m->fields[0].i64, m->fields[1].i32);
		if (n < 0)
			return fl_error(error, FLYTE_EINVALID, "%s out of range cannot be hashed",
					m->desc->full_name);
		oh_leaf(out, 'u', tmp, (size_t)n);
		return 0;
	case PB_WKT_STRUCT:
	case PB_WKT_LIST:
	case PB_WKT_ANY:
	case PB_WKT_VALUE:
		if (!m->json) {
			if (m->desc->wkt == PB_WKT_VALUE)
				return fl_error(error, FLYTE_EINVALID, "nil Value");
			if (m->desc->wkt == PB_WKT_LIST)
				oh_leaf(out, 'l', "", 0);
			else
				oh_leaf(out, 'd', "", 0);
			return 0;
		}
		return hash_json(out, m->json) == 0 ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory hashing");
	case PB_WKT_WRAPPER: return hash_value(out, &m->desc->fields[0], m->fields[0], error);
	default: return fl_error(error, FLYTE_EINVALID, "%s cannot be hashed", m->desc->full_name);
	}
}

int oh_msg(oh_digest out, const pb_msg *m, flyte_error **error)
{
	const pb_msg_desc *d = m->desc;
	if (d->wkt != PB_WKT_NONE)
		return hash_wkt(out, m, error);
	oh_ctx c;
	oh_begin(&c, 'd');
	for (unsigned k = 0; k < d->n_fields; k++) {
		unsigned i = d->hash_order[k];
		if (!pb_has(m, (int)i))
			continue;
		oh_digest vh;
		int rc = hash_field(vh, &d->fields[i], &m->fields[i], error);
		if (rc)
			return rc;
		oh_add(&c, d->fields[i].khash, 32);
		oh_add(&c, vh, 32);
	}
	oh_end(&c, out);
	return 0;
}
