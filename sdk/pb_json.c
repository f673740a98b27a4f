/* proto3 JSON for the descriptor-driven messages (see pb_json.h). */
#include "pb_json.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "base64.h"
#include "error.h"

/* ---------------------------------------------------------------- buffer */

static void buf_reserve(pb_buf *b, size_t extra)
{
	if (b->failed)
		return;
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *d = fl_realloc(b->data, cap);
	if (!d) {
		b->failed = 1;
		return;
	}
	b->data = d;
	b->cap = cap;
}

void pb_buf_append(pb_buf *b, const char *s, size_t n)
{
	buf_reserve(b, n);
	if (b->failed)
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void pb_buf_puts(pb_buf *b, const char *s)
{
	pb_buf_append(b, s, strlen(s));
}

static void buf_char(pb_buf *b, char c)
{
	pb_buf_append(b, &c, 1);
}

void pb_buf_json_string(pb_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_reserve(b, n + 2);
	buf_char(b, '"');
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		pb_buf_append(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': pb_buf_append(b, "\\\"", 2); break;
		case '\\': pb_buf_append(b, "\\\\", 2); break;
		case '\n': pb_buf_append(b, "\\n", 2); break;
		case '\r': pb_buf_append(b, "\\r", 2); break;
		case '\t': pb_buf_append(b, "\\t", 2); break;
		case '\b': pb_buf_append(b, "\\b", 2); break;
		case '\f': pb_buf_append(b, "\\f", 2); break;
		default: {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			pb_buf_append(b, u, 6);
		}
		}
	}
	pb_buf_append(b, s + start, n - start);
	buf_char(b, '"');
}

/* Go's encoding/json form (what FlyteAdmin and flytekit's Go peers write): the shortest
   digits that read back exactly, in plain decimal for 1e-6 <= |d| < 1e21, otherwise in
   exponent form without leading zeros in the exponent ("1e+21", "5e-324"). */
void pb_buf_double(pb_buf *b, double d)
{
	char tmp[40], out[400];
	if (d == 0) {
		/* "-0.0", not "-0": a reader that parses "-0" as an integer would lose the sign. */
		pb_buf_puts(b, signbit(d) ? "-0.0" : "0");
		return;
	}
	int prec = 1;
	for (; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
	/* tmp is [-]D[.DDD]e[+-]XX: collect the digits and the exponent. */
	char digits[20];
	int nd = 0, neg = tmp[0] == '-';
	const char *p = tmp + neg;
	for (; *p != 'e'; p++)
		if (*p != '.')
			digits[nd++] = *p;
	int exp10 = atoi(p + 1);
	size_t n = 0;
	if (neg)
		out[n++] = '-';
	double mag = fabs(d);
	if (mag < 1e-6 || mag >= 1e21) {
		out[n++] = digits[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, digits + 1, (size_t)nd - 1);
			n += (size_t)nd - 1;
		}
		n += (size_t)snprintf(out + n, sizeof out - n, "e%c%d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (exp10 >= 0) {
		for (int i = 0; i <= exp10 || i < nd; i++) {
			if (i == exp10 + 1)
				out[n++] = '.';
			out[n++] = i < nd ? digits[i] : '0';
		}
	} else {
		out[n++] = '0';
		out[n++] = '.';
		for (int i = 0; i < -exp10 - 1; i++)
			out[n++] = '0';
		memcpy(out + n, digits, (size_t)nd);
		n += (size_t)nd;
	}
	pb_buf_append(b, out, n);
}

void pb_buf_json_value(pb_buf *b, const json_t *v)
{
	char tmp[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		buf_char(b, '{');
		const char *key;
		json_t *val;
		int first = 1;
		json_object_foreach((json_t *)v, key, val) {
			if (!first)
				buf_char(b, ',');
			first = 0;
			pb_buf_json_string(b, key, strlen(key));
			buf_char(b, ':');
			pb_buf_json_value(b, val);
		}
		buf_char(b, '}');
		break;
	}
	case JSON_ARRAY:
		buf_char(b, '[');
		for (size_t i = 0; i < json_array_size(v); i++) {
			if (i)
				buf_char(b, ',');
			pb_buf_json_value(b, json_array_get(v, i));
		}
		buf_char(b, ']');
		break;
	case JSON_STRING:
		pb_buf_json_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		pb_buf_puts(b, tmp);
		break;
	case JSON_REAL: pb_buf_double(b, json_real_value(v)); break;
	case JSON_TRUE: pb_buf_puts(b, "true"); break;
	case JSON_FALSE: pb_buf_puts(b, "false"); break;
	case JSON_NULL: pb_buf_puts(b, "null"); break;
	}
}

/* ------------------------------------------------- timestamps and durations */

#define MAX_DURATION_SECONDS INT64_C(315576000000)
/* 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define MIN_TIMESTAMP INT64_C(-62135596800)
#define MAX_TIMESTAMP INT64_C(253402300799)

/* Nine fraction digits, then drop "000" twice, then ".000": 0, 3, 6 or 9 digits. */
static int append_nanos(char *out, int n, int32_t nanos)
{
	if (nanos == 0)
		return n;
	n += sprintf(out + n, ".%09" PRId32, nanos);
	for (int k = 0; k < 2 && n >= 3 && memcmp(out + n - 3, "000", 3) == 0; k++)
		n -= 3;
	out[n] = '\0';
	return n;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	/* Howard Hinnant's days_from_civil inverse; exact for the proleptic Gregorian calendar. */
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yy + (*m <= 2);
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int pb_format_timestamp(char *out, int64_t seconds, int32_t nanos)
{
	if (nanos < 0 || nanos >= 1000000000 || seconds < MIN_TIMESTAMP || seconds > MAX_TIMESTAMP)
		return -1;
	int64_t days = seconds / 86400, rem = seconds % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned mo, d;
	civil_from_days(days, &y, &mo, &d);
	int n = sprintf(out, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u", y, mo, d, (unsigned)(rem / 3600),
			(unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
	n = append_nanos(out, n, nanos);
	out[n++] = 'Z';
	out[n] = '\0';
	return n;
}

int pb_format_duration(char *out, int64_t seconds, int32_t nanos)
{
	if (seconds > MAX_DURATION_SECONDS || seconds < -MAX_DURATION_SECONDS || nanos <= -1000000000 ||
	    nanos >= 1000000000 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0))
		return -1;
	int n = 0;
	if (seconds < 0 || nanos < 0) {
		out[n++] = '-';
		seconds = -seconds;
		nanos = -nanos;
	}
	n += sprintf(out + n, "%" PRId64, seconds);
	n = append_nanos(out, n, nanos);
	out[n++] = 's';
	out[n] = '\0';
	return n;
}

static int digits(const char *s, size_t n, size_t *i, int count, int *val)
{
	*val = 0;
	for (int k = 0; k < count; k++, (*i)++) {
		if (*i >= n || s[*i] < '0' || s[*i] > '9')
			return -1;
		*val = *val * 10 + (s[*i] - '0');
	}
	return 0;
}

static int expect_char(const char *s, size_t n, size_t *i, char c)
{
	if (*i >= n || (s[*i] != c && !(c == 'T' && s[*i] == 't')))
		return -1;
	(*i)++;
	return 0;
}

/* Fraction digits after '.', up to nine; returns nanos. */
static int parse_fraction(const char *s, size_t n, size_t *i, int32_t *nanos)
{
	*nanos = 0;
	if (*i >= n || s[*i] != '.')
		return 0;
	(*i)++;
	int k = 0;
	int32_t v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9') {
		if (++k > 9)
			return -1;
		v = v * 10 + (s[*i] - '0');
		(*i)++;
	}
	if (k == 0)
		return -1;
	for (; k < 9; k++)
		v *= 10;
	*nanos = v;
	return 0;
}

int pb_parse_timestamp(const char *s, size_t n, int64_t *seconds, int32_t *nanos)
{
	size_t i = 0;
	int y, mo, d, h, mi, se;
	if (digits(s, n, &i, 4, &y) || expect_char(s, n, &i, '-') || digits(s, n, &i, 2, &mo) ||
	    expect_char(s, n, &i, '-') || digits(s, n, &i, 2, &d) || expect_char(s, n, &i, 'T') ||
	    digits(s, n, &i, 2, &h) || expect_char(s, n, &i, ':') || digits(s, n, &i, 2, &mi) ||
	    expect_char(s, n, &i, ':') || digits(s, n, &i, 2, &se) || parse_fraction(s, n, &i, nanos))
		return -1;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 59)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	int64_t offset = 0;
	if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i++] == '-' ? -1 : 1, oh, om;
		if (digits(s, n, &i, 2, &oh) || expect_char(s, n, &i, ':') || digits(s, n, &i, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	} else {
		return -1;
	}
	if (i != n)
		return -1;
	int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - offset;
	if (t < MIN_TIMESTAMP || t > MAX_TIMESTAMP)
		return -1;
	*seconds = t;
	return 0;
}

int pb_parse_duration(const char *s, size_t n, int64_t *seconds, int32_t *nanos)
{
	size_t i = 0;
	int neg = 0;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	int64_t secs = 0;
	size_t start = i;
	while (i < n && s[i] >= '0' && s[i] <= '9') {
		if (secs > MAX_DURATION_SECONDS)
			return -1;
		secs = secs * 10 + (s[i] - '0');
		i++;
	}
	int32_t ns;
	if (parse_fraction(s, n, &i, &ns))
		return -1;
	if ((i == start) || i + 1 != n || s[i] != 's' || secs > MAX_DURATION_SECONDS)
		return -1;
	/* ".5s" has no integer digits: allowed by protojson only with a fraction. */
	*seconds = neg ? -secs : secs;
	*nanos = neg ? -ns : ns;
	return 0;
}

/* ---------------------------------------------------------------- decoding */

typedef struct {
	int flags;
	flyte_error **error;
	char path[1024];
	size_t path_len;
} decoder;

static size_t path_push(decoder *dc, const char *seg, size_t n, int index)
{
	size_t saved = dc->path_len;
	char tmp[32];
	if (index >= 0) {
		int k = snprintf(tmp, sizeof tmp, "[%d]", index);
		seg = tmp;
		n = (size_t)k;
	} else if (dc->path_len && dc->path_len < sizeof dc->path - 1) {
		dc->path[dc->path_len++] = '.';
	}
	if (dc->path_len + n >= sizeof dc->path)
		n = sizeof dc->path - 1 - dc->path_len;
	memcpy(dc->path + dc->path_len, seg, n);
	dc->path_len += n;
	dc->path[dc->path_len] = '\0';
	return saved;
}

static void path_pop(decoder *dc, size_t saved)
{
	dc->path_len = saved;
	dc->path[saved] = '\0';
}

static const char *path_str(decoder *dc)
{
	return dc->path_len ? dc->path : "(top level)";
}

static int oom(decoder *dc)
{
	return fl_error(dc->error, FLYTE_ENOMEM, "out of memory reading JSON at %s", path_str(dc));
}

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static int bad(decoder *dc, const char *want, const json_t *got)
{
	return fl_error(dc->error, FLYTE_EINVALID, "%s: expected %s, got %s", path_str(dc), want,
			json_kind(got));
}

static int decode_msg_into(decoder *dc, pb_msg *m, const json_t *v);

/* An integer from a JSON integer, an integral real, or a decimal string. */
static int json_to_i64(const json_t *v, int64_t *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v)) {
		double d = json_real_value(v);
		if (d != floor(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (!*s || strlen(s) != json_string_length(v) || (s[0] != '-' && (s[0] < '0' || s[0] > '9')))
			return -1;
		errno = 0;
		long long x = strtoll(s, &end, 10);
		if (errno || *end)
			return -1;
		*out = x;
		return 0;
	}
	return -1;
}

static int json_to_u64(const json_t *v, uint64_t *out)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		if (!*s || s[0] < '0' || s[0] > '9' || strlen(s) != json_string_length(v))
			return -1;
		errno = 0;
		unsigned long long x = strtoull(s, &end, 10);
		if (errno || *end)
			return -1;
		*out = x;
		return 0;
	}
	int64_t i;
	if (json_to_i64(v, &i) || i < 0)
		return -1;
	*out = (uint64_t)i;
	return 0;
}

static int json_to_double(const json_t *v, double *out)
{
	if (json_is_number(v)) {
		*out = json_number_value(v);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	const char *s = json_string_value(v);
	if (strcmp(s, "NaN") == 0)
		*out = NAN;
	else if (strcmp(s, "Infinity") == 0)
		*out = INFINITY;
	else if (strcmp(s, "-Infinity") == 0)
		*out = -INFINITY;
	else {
		char *end;
		if (!*s || strchr(s, ' ') || strlen(s) != json_string_length(v))
			return -1;
		*out = strtod(s, &end);
		if (*end || isinf(*out) || isnan(*out))
			return -1;
	}
	return 0;
}

/* Numbers inside Struct/Value/ListValue are doubles (proto), so integers become reals. */
static json_t *normalise_struct_json(const json_t *v, decoder *dc)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		json_t *o = json_object();
		const char *k;
		json_t *x;
		if (!o)
			return NULL;
		json_object_foreach((json_t *)v, k, x) {
			json_t *c = normalise_struct_json(x, dc);
			if (!c || json_object_set_new(o, k, c)) {
				json_decref(o);
				return NULL;
			}
		}
		return o;
	}
	case JSON_ARRAY: {
		json_t *a = json_array();
		if (!a)
			return NULL;
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *c = normalise_struct_json(json_array_get(v, i), dc);
			if (!c || json_array_append_new(a, c)) {
				json_decref(a);
				return NULL;
			}
		}
		return a;
	}
	case JSON_INTEGER: return json_real((double)json_integer_value(v));
	default: return json_deep_copy(v);
	}
}

/* Decodes one scalar or message value of field f (one element for repeated/map). */
static int decode_value(decoder *dc, const pb_field_desc *f, const json_t *v, pb_val *out)
{
	memset(out, 0, sizeof *out);
	switch (f->type) {
	case PB_INT64:
		if (json_to_i64(v, &out->i64))
			return bad(dc, "a 64-bit integer (decimal string or number)", v);
		return 0;
	case PB_UINT64:
		if (json_to_u64(v, &out->u64))
			return bad(dc, "an unsigned 64-bit integer (decimal string or number)", v);
		return 0;
	case PB_INT32: {
		int64_t x;
		if (json_to_i64(v, &x) || x < INT32_MIN || x > INT32_MAX)
			return bad(dc, "a 32-bit integer", v);
		out->i32 = (int32_t)x;
		return 0;
	}
	case PB_UINT32: {
		int64_t x;
		if (json_to_i64(v, &x) || x < 0 || x > UINT32_MAX)
			return bad(dc, "an unsigned 32-bit integer", v);
		out->u32 = (uint32_t)x;
		return 0;
	}
	case PB_DOUBLE:
	case PB_FLOAT:
		if (json_to_double(v, &out->d))
			return bad(dc, "a number or \"NaN\", \"Infinity\", \"-Infinity\"", v);
		if (f->type == PB_FLOAT && isfinite(out->d)) {
			if (fabs(out->d) > 3.4028234663852886e38)
				return fl_error(dc->error, FLYTE_EINVALID, "%s: %g is out of range for a float",
						path_str(dc), out->d);
			out->d = (float)out->d;
		}
		return 0;
	case PB_BOOL:
		if (!json_is_boolean(v))
			return bad(dc, "true or false", v);
		out->b = json_is_true(v);
		return 0;
	case PB_STRING:
		if (!json_is_string(v))
			return bad(dc, "a string", v);
		out->s = pb_bytes_new(json_string_value(v), json_string_length(v));
		return out->s ? 0 : oom(dc);
	case PB_BYTES: {
		if (!json_is_string(v))
			return bad(dc, "a base64 string", v);
		size_t n;
		int rc = base64_decode_any(NULL, &n, json_string_value(v), json_string_length(v));
		if (rc)
			return fl_error(dc->error, FLYTE_EINVALID, "%s: not valid base64", path_str(dc));
		out->s = pb_bytes_new("", 0);
		if (out->s && n) {
			fl_free(out->s);
			out->s = fl_malloc(sizeof(pb_bytes) + n + 1);
			if (out->s) {
				base64_decode_any(out->s->data, &n, json_string_value(v), json_string_length(v));
				out->s->len = n;
				out->s->data[n] = '\0';
			}
		}
		return out->s ? 0 : oom(dc);
	}
	case PB_ENUM:
		if (json_is_string(v)) {
			const pb_enum_value *ev = pb_enum_by_name(f->enm, json_string_value(v), json_string_length(v));
			if (!ev)
				return fl_error(dc->error, FLYTE_EINVALID, "%s: invalid value \"%s\" for enum %s",
						path_str(dc), json_string_value(v), f->enm->full_name);
			out->i32 = ev->number;
			return 0;
		}
		if (json_is_integer(v) && json_integer_value(v) >= INT32_MIN && json_integer_value(v) <= INT32_MAX) {
			out->i32 = (int32_t)json_integer_value(v);
			return 0;
		}
		return bad(dc, "an enum name or number", v);
	case PB_MESSAGE: {
		pb_msg *sub = pb_msg_new(f->msg);
		if (!sub)
			return oom(dc);
		int rc = decode_msg_into(dc, sub, v);
		if (rc) {
			pb_msg_free(sub);
			return rc;
		}
		out->m = sub;
		return 0;
	}
	}
	return FLYTE_ERROR;
}

static int decode_field(decoder *dc, pb_msg *m, int idx, const json_t *v)
{
	const pb_field_desc *f = &m->desc->fields[idx];
	if (f->label == PB_REPEATED) {
		if (!json_is_array(v))
			return bad(dc, "an array", v);
		pb_list *l = pb_mutable_list(m, idx);
		if (!l)
			return oom(dc);
		for (size_t i = 0; i < json_array_size(v); i++) {
			size_t saved = path_push(dc, NULL, 0, (int)i);
			pb_val x;
			int rc = decode_value(dc, f, json_array_get(v, i), &x);
			path_pop(dc, saved);
			if (rc)
				return rc;
			if (pb_list_push(l, x)) {
				pb_val_free(f, x);
				return oom(dc);
			}
		}
		return 0;
	}
	if (f->label == PB_MAP) {
		if (!json_is_object(v))
			return bad(dc, "an object", v);
		pb_map *mp = pb_mutable_map(m, idx);
		if (!mp)
			return oom(dc);
		const char *key;
		json_t *x;
		json_object_foreach((json_t *)v, key, x) {
			size_t saved = path_push(dc, key, strlen(key), -1);
			pb_val val;
			int rc = decode_value(dc, f, x, &val);
			path_pop(dc, saved);
			if (rc)
				return rc;
			if (pb_map_put(mp, f, key, strlen(key), val)) {
				pb_val_free(f, val);
				return oom(dc);
			}
		}
		return 0;
	}
	pb_val x;
	int rc = decode_value(dc, f, v, &x);
	if (rc)
		return rc;
	pb_clear(m, idx);
	m->fields[idx] = x;
	pb_mark(m, idx);
	return 0;
}

static int decode_wkt(decoder *dc, pb_msg *m, const json_t *v)
{
	const pb_msg_desc *d = m->desc;
	switch (d->wkt) {
	case PB_WKT_TIMESTAMP:
	case PB_WKT_DURATION: {
		if (!json_is_string(v))
			return bad(dc, d->wkt == PB_WKT_TIMESTAMP ? "an RFC 3339 timestamp string"
								  : "a duration string such as \"1.5s\"",
				   v);
		int64_t s;
		int32_t ns;
		const char *text = json_string_value(v);
		size_t n = json_string_length(v);
		int rc = d->wkt == PB_WKT_TIMESTAMP ? pb_parse_timestamp(text, n, &s, &ns)
						    : pb_parse_duration(text, n, &s, &ns);
		if (rc)
			return fl_error(dc->error, FLYTE_EINVALID, "%s: invalid %s \"%s\"", path_str(dc),
					d->wkt == PB_WKT_TIMESTAMP ? "timestamp" : "duration", text);
		pb_set_i64(m, 0, s);
		pb_set_i32(m, 1, ns);
		return 0;
	}
	case PB_WKT_STRUCT:
	case PB_WKT_LIST:
	case PB_WKT_ANY:
		if (d->wkt == PB_WKT_LIST ? !json_is_array(v) : !json_is_object(v))
			return bad(dc, d->wkt == PB_WKT_LIST ? "an array" : "an object", v);
		if (d->wkt == PB_WKT_ANY && !json_is_string(json_object_get(v, "@type")))
			return fl_error(dc->error, FLYTE_EINVALID, "%s: an Any needs a string \"@type\"",
					path_str(dc));
		/* fall through */
	case PB_WKT_VALUE:
		m->json = d->wkt == PB_WKT_ANY ? json_deep_copy(v) : normalise_struct_json(v, dc);
		return m->json ? 0 : oom(dc);
	case PB_WKT_WRAPPER:
		return decode_field(dc, m, 0, v);
	case PB_WKT_FIELDMASK:
		return fl_error(dc->error, FLYTE_EINVALID, "%s: google.protobuf.FieldMask is not supported",
				path_str(dc));
	case PB_WKT_NONE: break;
	}
	return FLYTE_ERROR;
}

static int decode_msg_into(decoder *dc, pb_msg *m, const json_t *v)
{
	const pb_msg_desc *d = m->desc;
	if (d->wkt != PB_WKT_NONE)
		return decode_wkt(dc, m, v);
	if (!json_is_object(v))
		return bad(dc, "an object", v);
	const char *key;
	json_t *x;
	json_object_foreach((json_t *)v, key, x) {
		size_t klen = strlen(key);
		int idx = pb_field_index_json(d, key, klen);
		size_t saved = path_push(dc, key, klen, -1);
		int rc = 0;
		if (idx < 0) {
			if (!(dc->flags & PB_JSON_IGNORE_UNKNOWN))
				rc = fl_error(dc->error, FLYTE_EINVALID, "%s: unknown field \"%s\" in %s",
					      path_str(dc), key, d->full_name);
		} else if (json_is_null(x) && !(d->fields[idx].type == PB_MESSAGE &&
						 d->fields[idx].msg->wkt == PB_WKT_VALUE)) {
			/* null means absent */
		} else {
			const pb_field_desc *f = &d->fields[idx];
			if (f->oneof >= 0 && m->oneof_case[f->oneof] >= 0 && m->oneof_case[f->oneof] != idx)
				rc = fl_error(dc->error, FLYTE_EINVALID,
					      "%s: oneof %s.%s is already set (by \"%s\")", path_str(dc),
					      d->full_name, d->oneof_names[f->oneof],
					      d->fields[m->oneof_case[f->oneof]].name);
			else
				rc = decode_field(dc, m, idx, x);
		}
		path_pop(dc, saved);
		if (rc)
			return rc;
	}
	return 0;
}

int pb_json_from_value(pb_msg **out, const pb_msg_desc *desc, const json_t *value, const char *path,
		       int flags, flyte_error **error)
{
	decoder dc = {.flags = flags, .error = error};
	*out = NULL;
	if (path && *path)
		path_push(&dc, path, strlen(path), -1);
	pb_msg *m = pb_msg_new(desc);
	if (!m)
		return oom(&dc);
	int rc = decode_msg_into(&dc, m, value);
	if (rc) {
		pb_msg_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* failures_before: fl_alloc_failures() before the parse. jansson reports an allocation
   failure inside its lexer as a syntax error, so a failed allocation decides. */
static int from_parsed(pb_msg **out, const pb_msg_desc *desc, json_t *root, const json_error_t *je,
		       unsigned long failures_before, int flags, flyte_error **error)
{
	*out = NULL;
	if (!root) {
		if (json_error_code(je) == json_error_out_of_memory || fl_alloc_failures() != failures_before)
			return fl_error(error, FLYTE_ENOMEM, "out of memory reading JSON");
		return fl_error(error, FLYTE_EINVALID, "malformed JSON at line %d, column %d: %s", je->line,
				je->column, je->text);
	}
	int rc = pb_json_from_value(out, desc, root, "", flags, error);
	json_decref(root);
	return rc;
}

int pb_json_decode(pb_msg **out, const pb_msg_desc *desc, const char *text, size_t len, int flags,
		   flyte_error **error)
{
	json_error_t je = {0}; /* jansson leaves it partly unset when it fails early */
	unsigned long failures = fl_alloc_failures();
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	if (!root && strstr(je.text, "too big")) {
		/* An integer beyond int64: Go writes doubles up to 1e21 in plain decimal. Read every
		   number as a double; an int64 field given as such a number then fails its own
		   range check (64-bit integers normally arrive as strings). */
		failures = fl_alloc_failures();
		memset(&je, 0, sizeof je);
		root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &je);
	}
	return from_parsed(out, desc, root, &je, failures, flags, error);
}

int pb_json_decode_stream(pb_msg **out, const pb_msg_desc *desc,
			  size_t (*read)(void *buf, size_t size, void *arg), void *arg, int flags,
			  flyte_error **error)
{
	json_error_t je = {0}; /* jansson leaves it partly unset when it fails early */
	unsigned long failures = fl_alloc_failures();
	json_t *root = json_load_callback(read, arg, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &je);
	return from_parsed(out, desc, root, &je, failures, flags, error);
}

/* ---------------------------------------------------------------- encoding */

static void encode_msg(pb_buf *b, const pb_msg *m, int flags);

static void encode_value(pb_buf *b, const pb_field_desc *f, pb_val v, int flags)
{
	char tmp[48];
	switch (f->type) {
	case PB_INT64:
		snprintf(tmp, sizeof tmp, "\"%" PRId64 "\"", v.i64);
		pb_buf_puts(b, tmp);
		return;
	case PB_UINT64:
		snprintf(tmp, sizeof tmp, "\"%" PRIu64 "\"", v.u64);
		pb_buf_puts(b, tmp);
		return;
	case PB_INT32:
		snprintf(tmp, sizeof tmp, "%" PRId32, v.i32);
		pb_buf_puts(b, tmp);
		return;
	case PB_UINT32:
		snprintf(tmp, sizeof tmp, "%" PRIu32, v.u32);
		pb_buf_puts(b, tmp);
		return;
	case PB_DOUBLE:
	case PB_FLOAT:
		if (isnan(v.d))
			pb_buf_puts(b, "\"NaN\"");
		else if (isinf(v.d))
			pb_buf_puts(b, v.d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
		else
			pb_buf_double(b, v.d);
		return;
	case PB_BOOL: pb_buf_puts(b, v.b ? "true" : "false"); return;
	case PB_STRING:
		if (v.s)
			pb_buf_json_string(b, v.s->data, v.s->len);
		else
			pb_buf_puts(b, "\"\"");
		return;
	case PB_BYTES: {
		size_t n = v.s ? v.s->len : 0;
		char *enc = fl_malloc(base64_encoded_len(n) + 1);
		if (!enc) {
			b->failed = 1;
			return;
		}
		size_t k = base64_encode(enc, v.s ? (const unsigned char *)v.s->data : NULL, n, 0);
		pb_buf_json_string(b, enc, k);
		fl_free(enc);
		return;
	}
	case PB_ENUM: {
		const pb_enum_value *ev = pb_enum_by_number(f->enm, v.i32);
		if (ev) {
			buf_char(b, '"');
			pb_buf_puts(b, ev->name);
			buf_char(b, '"');
		} else {
			snprintf(tmp, sizeof tmp, "%" PRId32, v.i32);
			pb_buf_puts(b, tmp);
		}
		return;
	}
	case PB_MESSAGE:
		if (v.m)
			encode_msg(b, v.m, flags);
		else
			pb_buf_puts(b, "null");
		return;
	}
}

static void encode_field(pb_buf *b, const pb_field_desc *f, const pb_val *v, int flags)
{
	if (f->label == PB_REPEATED) {
		buf_char(b, '[');
		for (size_t i = 0; v->list && i < v->list->n; i++) {
			if (i)
				buf_char(b, ',');
			encode_value(b, f, v->list->items[i], flags);
		}
		buf_char(b, ']');
	} else if (f->label == PB_MAP) {
		buf_char(b, '{');
		for (size_t i = 0; v->map && i < v->map->n; i++) {
			if (i)
				buf_char(b, ',');
			pb_buf_json_string(b, v->map->items[i].key->data, v->map->items[i].key->len);
			buf_char(b, ':');
			encode_value(b, f, v->map->items[i].val, flags);
		}
		buf_char(b, '}');
	} else {
		encode_value(b, f, *v, flags);
	}
}

static void encode_msg(pb_buf *b, const pb_msg *m, int flags)
{
	const pb_msg_desc *d = m->desc;
	char tmp[48];
	switch (d->wkt) {
	case PB_WKT_TIMESTAMP:
	case PB_WKT_DURATION: {
		int n = d->wkt == PB_WKT_TIMESTAMP ? pb_format_timestamp(tmp, m->fields[0].i64, m->fields[1].i32)
						   : pb_format_duration(tmp, m->fields[0].i64, m->fields[1].i32);
		if (n < 0) /* out of range: cannot be written, as in protojson */
			b->failed = 1;
		else
			pb_buf_json_string(b, tmp, (size_t)n);
		return;
	}
	case PB_WKT_STRUCT:
	case PB_WKT_VALUE:
	case PB_WKT_LIST:
	case PB_WKT_ANY:
		if (m->json)
			pb_buf_json_value(b, m->json);
		else
			pb_buf_puts(b, d->wkt == PB_WKT_LIST ? "[]" : d->wkt == PB_WKT_VALUE ? "null" : "{}");
		return;
	case PB_WKT_WRAPPER: encode_value(b, &d->fields[0], m->fields[0], flags); return;
	default: break;
	}
	buf_char(b, '{');
	int first = 1;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const pb_field_desc *f = &d->fields[i];
		bool present = pb_has(m, (int)i);
		if (!present && !((flags & PB_JSON_EMIT_UNPOPULATED) && f->oneof < 0))
			continue;
		if (!first)
			buf_char(b, ',');
		first = 0;
		buf_char(b, '"');
		pb_buf_puts(b, (flags & PB_JSON_CAMEL) ? f->json_name : f->name);
		pb_buf_append(b, "\":", 2);
		encode_field(b, f, &m->fields[i], flags);
	}
	buf_char(b, '}');
}

char *pb_json_encode(const pb_msg *m, int flags, size_t *len)
{
	pb_buf b = {0};
	encode_msg(&b, m, flags);
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.data;
}

json_t *pb_json_to_jansson(const pb_msg *m)
{
	size_t len;
	char *text = pb_json_encode(m, 0, &len);
	if (!text)
		return NULL;
	json_t *v = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
	fl_free(text);
	return v;
}

int pb_json_canonical(char **out, const pb_msg_desc *desc, const json_t *value, flyte_error **error)
{
	pb_msg *m;
	*out = NULL;
	int rc = pb_json_from_value(&m, desc, value, "", 0, error);
	if (rc)
		return rc;
	*out = pb_json_encode(m, 0, NULL);
	pb_msg_free(m);
	return *out ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}
