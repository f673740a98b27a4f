/* flyte-remote: values typed by an interface, from command-line text (--input k=v) or
   JSON (--input-file, spec files), and values back as plain JSON or text for output. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

#define NS_PER_S 1000000000LL
#define MAX_DURATION_S 315576000000LL /* protobuf Duration's limit: 10000 years */

static int oom(cli_why *why)
{
	cli_why_set(why, "out of memory");
	return FLYTE_ENOMEM;
}

/* The type's short form for messages, e.g. "list(integer)". */
static void type_text(char *out, size_t size, const flyte_literal_type *type)
{
	char *s = NULL;
	flyte_literal_type_to_string(&s, type);
	snprintf(out, size, "%s", s ? s : "?");
	flyte_string_free(s);
}

static int expected(cli_why *why, const flyte_literal_type *type, const char *got)
{
	char t[256];
	type_text(t, sizeof t, type);
	return cli_why_set(why, "expected %s, got %s", t, got);
}

/* ---- numbers, booleans, times ---- */

static int parse_int64(int64_t *out, const char *text)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (!*text || isspace((unsigned char)*text) || *end || errno)
		return -1;
	*out = v;
	return 0;
}

static int parse_double(double *out, const char *text)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (!*text || isspace((unsigned char)*text) || *end || errno)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(int *out, const char *text)
{
	static const char *const yes[] = {"true", "yes", "on", "1"}, *const no[] = {"false", "no", "off", "0"};
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(text, yes[i]) == 0 || strcasecmp(text, no[i]) == 0) {
			*out = strcasecmp(text, yes[i]) == 0;
			return 0;
		}
	}
	return -1;
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

/* n digits at p as a number, or -1. */
static int digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* ".123456789" after the seconds: nanoseconds; advances *p. */
static int32_t parse_fraction(const char **p)
{
	int32_t ns = 0, scale = 100000000;
	if (**p != '.' && **p != ',')
		return 0;
	for ((*p)++; isdigit((unsigned char)**p); (*p)++) {
		ns += (**p - '0') * scale;
		scale /= 10;
	}
	return ns;
}

/* "Z", "+HH:MM" or "-HH:MM": the offset in seconds; -1 when malformed. */
static int parse_offset(const char *p, int64_t *offset)
{
	*offset = 0;
	if ((*p == 'Z' || *p == 'z') && !p[1])
		return 0;
	int h = digits(p + 1, 2), m = p[3] == ':' ? digits(p + 4, 2) : -1;
	if ((*p != '+' && *p != '-') || h < 0 || h > 23 || m < 0 || m > 59 || p[6])
		return -1;
	*offset = (*p == '-' ? -1 : 1) * (h * 3600 + m * 60);
	return 0;
}

int cli_parse_datetime(int64_t *seconds, int32_t *nanos, const char *text, cli_why *why)
{
	const char *p = text;
	int y = digits(p, 4), mo = p[4] == '-' ? digits(p + 5, 2) : -1, d = p[7] == '-' ? digits(p + 8, 2) : -1;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		goto bad;
	int64_t secs = days_from_civil(y, mo, d) * 86400, offset = 0;
	int32_t ns = 0;
	p += 10;
	if (*p) {
		if (*p != 'T' && *p != 't' && *p != ' ')
			goto bad;
		int h = digits(p + 1, 2), mi = p[3] == ':' ? digits(p + 4, 2) : -1,
		    s = p[6] == ':' ? digits(p + 7, 2) : -1;
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
			goto bad;
		p += 9;
		ns = parse_fraction(&p);
		if (parse_offset(p, &offset))
			goto bad;
		secs += h * 3600 + mi * 60 + s;
	}
	*seconds = secs - offset;
	*nanos = ns;
	return 0;
bad:
	return cli_why_set(why, "\"%s\" is not an RFC 3339 date-time (e.g. 2024-05-01T12:30:00Z, "
				"2024-05-01T14:30:00+02:00 or 2024-05-01)",
			   text);
}

static int64_t unit_ns(const char **p)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {{"ns", 1},          {"us", 1000},          {"\xc2\xb5s", 1000}, {"ms", 1000000},
		     {"s", NS_PER_S},     {"m", 60 * NS_PER_S}, {"h", 3600 * NS_PER_S}};
	size_t best = 0, best_len = 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t n = strlen(units[i].name);
		if (strncmp(*p, units[i].name, n) == 0 && n > best_len) {
			best = i;
			best_len = n;
		}
	}
	if (!best_len)
		return 0;
	*p += best_len;
	return units[best].ns;
}

/* Adds whole + frac/10^frac_digits units of `unit` nanoseconds to *secs and *ns without
   overflowing: big units go to seconds first. */
static int add_component(int64_t *secs, int64_t *ns, int64_t whole, int64_t frac, int64_t scale, int64_t unit)
{
	if (unit >= NS_PER_S) {
		int64_t per = unit / NS_PER_S;
		if (whole > MAX_DURATION_S / per)
			return -1;
		*secs += whole * per + frac * per / scale;
		*ns += (frac * per % scale) * NS_PER_S / scale;
	} else {
		if (whole > INT64_MAX / unit / 2)
			return -1;
		*ns += whole * unit + frac * unit / scale;
	}
	*secs += *ns / NS_PER_S;
	*ns %= NS_PER_S;
	return *secs > MAX_DURATION_S ? -1 : 0;
}

int cli_parse_duration(int64_t *seconds, int32_t *nanos, const char *text, cli_why *why)
{
	const char *p = text;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	int64_t secs = 0, ns = 0;
	int parts = 0;
	while (*p) {
		if (!isdigit((unsigned char)*p) && *p != '.')
			goto bad;
		int64_t whole = 0, frac = 0, scale = 1;
		int any = 0;
		for (; isdigit((unsigned char)*p); p++, any = 1) {
			if (whole > (INT64_MAX - 9) / 10)
				goto bad;
			whole = whole * 10 + (*p - '0');
		}
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++, any = 1)
				if (scale < NS_PER_S) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
		/* A bare number is seconds. */
		int64_t unit = *p || parts ? unit_ns(&p) : NS_PER_S;
		if (!any || !unit || add_component(&secs, &ns, whole, frac, scale, unit))
			goto bad;
		parts++;
	}
	if (!parts)
		goto bad;
	*seconds = neg ? -secs : secs;
	*nanos = (int32_t)(neg ? -ns : ns);
	return 0;
bad:
	return cli_why_set(why, "\"%s\" is not a duration (e.g. 90s, 1h30m, 1.5s, 250ms, or seconds)", text);
}

int cli_parse_timeout_ms(long *out, const char *text, cli_why *why)
{
	int64_t s;
	int32_t ns;
	if (cli_parse_duration(&s, &ns, text, why))
		return FLYTE_EINVALID;
	if (s < 0 || ns < 0 || (s == 0 && ns == 0))
		return cli_why_set(why, "\"%s\": the timeout must be positive", text);
	if (s > 100000000)
		return cli_why_set(why, "\"%s\": too long a timeout", text);
	*out = (long)(s * 1000 + ns / 1000000);
	if (*out == 0)
		*out = 1;
	return 0;
}

void cli_format_duration(char *out, size_t size, int64_t seconds, int32_t nanos)
{
	const char *sign = seconds < 0 || nanos < 0 ? "-" : "";
	uint64_t s = (uint64_t)(seconds < 0 ? -seconds : seconds);
	int32_t ns = nanos < 0 ? -nanos : nanos;
	if (s == 0 && ns % 1000000 == 0 && ns) {
		snprintf(out, size, "%s%dms", sign, ns / 1000000);
		return;
	}
	if (s == 0 && ns) {
		snprintf(out, size, "%s%.3fms", sign, ns / 1e6);
		return;
	}
	char frac[16] = "";
	if (ns) {
		snprintf(frac, sizeof frac, ".%09d", ns);
		size_t n = strlen(frac);
		while (frac[n - 1] == '0')
			frac[--n] = '\0';
	}
	uint64_t h = s / 3600, m = s / 60 % 60;
	s %= 60;
	if (h)
		snprintf(out, size, "%s%" PRIu64 "h%" PRIu64 "m%" PRIu64 "%ss", sign, h, m, s, frac);
	else if (m)
		snprintf(out, size, "%s%" PRIu64 "m%" PRIu64 "%ss", sign, m, s, frac);
	else
		snprintf(out, size, "%s%" PRIu64 "%ss", sign, s, frac);
}

static void format_datetime(char *out, size_t size, int64_t seconds, int32_t nanos)
{
	int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
	int64_t rem = seconds - days * 86400, y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int n = snprintf(out, size, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d", y, m, d, (int)(rem / 3600),
			 (int)(rem / 60 % 60), (int)(rem % 60));
	if (nanos && n > 0 && (size_t)n < size) {
		char frac[16];
		snprintf(frac, sizeof frac, ".%09d", nanos);
		size_t k = strlen(frac);
		while (frac[k - 1] == '0')
			frac[--k] = '\0';
		snprintf(out + n, size - (size_t)n, "%sZ", frac);
	} else if (n > 0 && (size_t)n < size) {
		snprintf(out + n, size - (size_t)n, "Z");
	}
}

/* ---- from text ---- */

static int simple_from_text(flyte_literal **out, const flyte_literal_type *type, const char *text, cli_why *why)
{
	int64_t i, s;
	int32_t ns;
	double f;
	int b;
	flyte_error *err = NULL;
	int rc;
	switch (flyte_literal_type_simple(type)) {
	case FLYTE_SIMPLE_INTEGER:
		if (parse_int64(&i, text))
			return cli_why_set(why, "expected an integer, got \"%s\"", text);
		return flyte_literal_new_integer(out, i);
	case FLYTE_SIMPLE_FLOAT:
		if (parse_double(&f, text))
			return cli_why_set(why, "expected a number, got \"%s\"", text);
		return flyte_literal_new_float(out, f);
	case FLYTE_SIMPLE_STRING:
		rc = flyte_literal_new_string(out, text);
		return rc == FLYTE_EINVALID ? cli_why_set(why, "not valid UTF-8") : rc;
	case FLYTE_SIMPLE_BOOLEAN:
		if (parse_bool(&b, text))
			return cli_why_set(why, "expected true or false, got \"%s\"", text);
		return flyte_literal_new_boolean(out, b);
	case FLYTE_SIMPLE_DATETIME:
		return cli_parse_datetime(&s, &ns, text, why) ? FLYTE_EINVALID : flyte_literal_new_datetime(out, s, ns);
	case FLYTE_SIMPLE_DURATION:
		return cli_parse_duration(&s, &ns, text, why) ? FLYTE_EINVALID : flyte_literal_new_duration(out, s, ns);
	case FLYTE_SIMPLE_NONE:
		if (*text && strcasecmp(text, "null") != 0 && strcasecmp(text, "none") != 0)
			return cli_why_set(why, "expected none (null), got \"%s\"", text);
		return flyte_literal_new_none(out);
	case FLYTE_SIMPLE_STRUCT:
		rc = flyte_literal_new_generic_json(out, text, &err);
		if (rc && rc != FLYTE_ENOMEM)
			cli_why_set(why, "expected a JSON object: %s", err ? flyte_error_message(err) : "");
		flyte_error_free(err);
		return rc;
	default:
		return expected(why, type, "text: give this input with --input-file as a flyteidl LiteralMap");
	}
}

static int is_local(const char *uri)
{
	return strncmp(uri, "file://", 7) == 0 || !strstr(uri, "://");
}

/* A local file for a blob, or a directory for a multipart blob, must exist now: the SDK
   uploads it. */
static int check_local(const char *uri, flyte_blob_dimensionality dim, cli_why *why)
{
	const char *path = strncmp(uri, "file://", 7) == 0 ? uri + 7 : uri;
	struct stat st;
	if (stat(path, &st) != 0)
		return cli_why_set(why, "%s: %s", path, strerror(errno));
	if (dim == FLYTE_BLOB_MULTIPART && !S_ISDIR(st.st_mode))
		return cli_why_set(why, "%s: not a directory (the input is a directory: a multipart blob)", path);
	if (dim == FLYTE_BLOB_SINGLE && !S_ISREG(st.st_mode))
		return cli_why_set(why, "%s: not a regular file (the input is a file: a single blob)", path);
	return 0;
}

static int blob_from_text(flyte_literal **out, const flyte_literal_type *type, const char *text, cli_why *why)
{
	flyte_blob_dimensionality dim = flyte_literal_type_blob_dimensionality(type);
	if (!*text)
		return cli_why_set(why, "expected a path or a URI");
	if (is_local(text) && check_local(text, dim, why))
		return FLYTE_EINVALID;
	return flyte_literal_new_blob(out, text, flyte_literal_type_blob_format(type), dim);
}

static int enum_check(const flyte_literal_type *type, const char *text, cli_why *why)
{
	char t[256];
	for (size_t i = 0; i < flyte_literal_type_enum_count(type); i++)
		if (strcmp(flyte_literal_type_enum_value(type, i), text) == 0)
			return 0;
	type_text(t, sizeof t, type);
	return cli_why_set(why, "\"%s\" is not one of %s", text, t);
}

static int is_null_text(const char *text)
{
	return strcasecmp(text, "null") == 0 || strcasecmp(text, "none") == 0;
}

static int is_none_type(const flyte_literal_type *t)
{
	return flyte_literal_type_kind(t) == FLYTE_TYPE_SIMPLE && flyte_literal_type_simple(t) == FLYTE_SIMPLE_NONE;
}

typedef int (*parse_fn)(flyte_literal **out, const flyte_literal_type *type, const void *src, cli_why *why);

/* The first variant that takes the value (none first for a null), tagged with it. */
static int union_from(flyte_literal **out, const flyte_literal_type *type, const void *src, int is_null,
		      parse_fn parse, cli_why *why)
{
	size_t n = flyte_literal_type_variant_count(type);
	for (int pass = is_null ? 0 : 1; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			const flyte_literal_type *v = flyte_literal_type_variant(type, i);
			flyte_literal *value = NULL;
			cli_why ignored;
			if (pass == 0 && !is_none_type(v))
				continue;
			int rc = parse(&value, v, src, &ignored);
			if (rc == FLYTE_ENOMEM)
				return oom(why);
			if (rc)
				continue;
			rc = flyte_literal_new_union(out, value, v);
			flyte_literal_free(value);
			return rc;
		}
	}
	return expected(why, type, "a value that fits none of its variants");
}

static int from_text(flyte_literal **out, const flyte_literal_type *type, const void *src, cli_why *why);

static int collection_from_text(flyte_literal **out, const flyte_literal_type *type, const char *text,
				cli_why *why)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!v)
		return cli_why_set(why, "expected JSON (e.g. %s): %s", flyte_literal_type_kind(type) == FLYTE_TYPE_MAP
										? "{\"a\": 1}"
										: "[1, 2, 3]",
				   jerr.text);
	int rc = cli_value_from_json(out, type, v, why);
	json_decref(v);
	return rc;
}

static int from_text(flyte_literal **out, const flyte_literal_type *type, const void *src, cli_why *why)
{
	const char *text = src;
	*out = NULL;
	switch (flyte_literal_type_kind(type)) {
	case FLYTE_TYPE_SIMPLE: return simple_from_text(out, type, text, why);
	case FLYTE_TYPE_BLOB: return blob_from_text(out, type, text, why);
	case FLYTE_TYPE_COLLECTION:
	case FLYTE_TYPE_MAP: return collection_from_text(out, type, text, why);
	case FLYTE_TYPE_ENUM: return enum_check(type, text, why) ? FLYTE_EINVALID : flyte_literal_new_string(out, text);
	case FLYTE_TYPE_UNION: return union_from(out, type, text, is_null_text(text), from_text, why);
	case FLYTE_TYPE_STRUCTURED_DATASET:
		return flyte_literal_new_structured_dataset(out, text, flyte_literal_type_dataset_format(type));
	case FLYTE_TYPE_SCHEMA: return flyte_literal_new_schema(out, text, type);
	default: return expected(why, type, "text");
	}
}

int cli_value_from_text(flyte_literal **out, const flyte_literal_type *type, const char *text, cli_why *why)
{
	int rc = from_text(out, type, text, why);
	return rc == FLYTE_ENOMEM ? oom(why) : rc;
}

/* ---- from JSON ---- */

static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static int simple_from_json(flyte_literal **out, const flyte_literal_type *type, const json_t *v, cli_why *why)
{
	char *text;
	int rc;
	flyte_error *err = NULL;
	switch (flyte_literal_type_simple(type)) {
	case FLYTE_SIMPLE_INTEGER:
		if (json_is_integer(v))
			return flyte_literal_new_integer(out, json_integer_value(v));
		break;
	case FLYTE_SIMPLE_FLOAT:
		if (json_is_number(v))
			return flyte_literal_new_float(out, json_number_value(v));
		break;
	case FLYTE_SIMPLE_STRING:
		if (json_is_string(v))
			return flyte_literal_new_string(out, json_string_value(v));
		return expected(why, type, json_is_number(v) || json_is_boolean(v)
						   ? "a number or boolean (quote it to make it a string)"
						   : json_kind(v));
	case FLYTE_SIMPLE_BOOLEAN:
		if (json_is_boolean(v))
			return flyte_literal_new_boolean(out, json_is_true(v));
		break;
	case FLYTE_SIMPLE_DURATION:
		if (json_is_number(v)) {
			double s = json_number_value(v);
			if (fabs(s) > MAX_DURATION_S)
				return cli_why_set(why, "duration out of range");
			int64_t whole = (int64_t)s;
			return flyte_literal_new_duration(out, whole, (int32_t)llround((s - (double)whole) * 1e9));
		}
		break;
	case FLYTE_SIMPLE_NONE:
		if (json_is_null(v))
			return flyte_literal_new_none(out);
		return expected(why, type, json_kind(v));
	case FLYTE_SIMPLE_STRUCT:
		if (!json_is_object(v))
			return expected(why, type, json_kind(v));
		text = json_dumps(v, JSON_COMPACT);
		rc = text ? flyte_literal_new_generic_json(out, text, &err) : FLYTE_ENOMEM;
		if (rc && rc != FLYTE_ENOMEM)
			cli_why_set(why, "%s", err ? flyte_error_message(err) : "bad struct");
		flyte_error_free(err);
		free(text);
		return rc;
	default:
		break;
	}
	/* Strings stand for any scalar, as on the command line. */
	if (json_is_string(v))
		return simple_from_text(out, type, json_string_value(v), why);
	return expected(why, type, json_kind(v));
}

static int list_from_json(flyte_literal **out, const flyte_literal_type *type, const json_t *v, cli_why *why)
{
	if (!json_is_array(v))
		return expected(why, type, json_kind(v));
	const flyte_literal_type *elem = flyte_literal_type_element(type);
	int rc = flyte_literal_new_collection(out);
	size_t i;
	const json_t *item;
	json_array_foreach(v, i, item) {
		flyte_literal *lit = NULL;
		cli_why inner;
		if (rc)
			break;
		if ((rc = cli_value_from_json(&lit, elem, item, &inner)))
			cli_why_set(why, "[%zu]: %s", i, inner.text);
		else
			rc = flyte_literal_collection_append_new(*out, lit);
	}
	return rc;
}

static int map_from_json(flyte_literal **out, const flyte_literal_type *type, const json_t *v, cli_why *why)
{
	if (!json_is_object(v))
		return expected(why, type, json_kind(v));
	const flyte_literal_type *elem = flyte_literal_type_element(type);
	int rc = flyte_literal_new_map(out);
	const char *key;
	const json_t *item;
	json_object_foreach((json_t *)v, key, item) {
		flyte_literal *lit = NULL;
		cli_why inner;
		if (rc)
			break;
		if ((rc = cli_value_from_json(&lit, elem, item, &inner)))
			cli_why_set(why, "%s: %s", key, inner.text);
		else
			rc = flyte_literal_map_entry_set_new(*out, key, lit);
	}
	return rc;
}

static int from_json(flyte_literal **out, const flyte_literal_type *type, const void *src, cli_why *why)
{
	const json_t *v = src;
	const json_t *uri;
	*out = NULL;
	switch (flyte_literal_type_kind(type)) {
	case FLYTE_TYPE_SIMPLE: return simple_from_json(out, type, v, why);
	case FLYTE_TYPE_COLLECTION: return list_from_json(out, type, v, why);
	case FLYTE_TYPE_MAP: return map_from_json(out, type, v, why);
	case FLYTE_TYPE_UNION: return union_from(out, type, v, json_is_null(v), from_json, why);
	case FLYTE_TYPE_BLOB:
		/* {"uri": ...} as well as the bare uri. */
		if (json_is_object(v) && json_is_string(uri = json_object_get(v, "uri")))
			return from_text(out, type, json_string_value(uri), why);
		/* fall through */
	default:
		if (json_is_string(v))
			return from_text(out, type, json_string_value(v), why);
		return expected(why, type, json_kind(v));
	}
}

int cli_value_from_json(flyte_literal **out, const flyte_literal_type *type, const json_t *v, cli_why *why)
{
	int rc = from_json(out, type, v, why);
	if (rc) {
		flyte_literal_free(*out);
		*out = NULL;
	}
	return rc == FLYTE_ENOMEM ? oom(why) : rc;
}

/* ---- to JSON and text ---- */

static json_t *flyteidl_json(const flyte_literal *lit)
{
	char *text = NULL;
	json_t *v = flyte_literal_to_json(&text, lit) ? NULL : json_loads(text, 0, NULL);
	flyte_string_free(text);
	return v;
}

static json_t *float_json(double f)
{
	if (isfinite(f))
		return json_real(f);
	return json_string(isnan(f) ? "nan" : f > 0 ? "inf" : "-inf");
}

static json_t *blob_json(const flyte_literal *lit)
{
	const char *uri, *format;
	flyte_blob_dimensionality dim;
	flyte_literal_get_blob(lit, &uri, &format, &dim);
	json_t *v = json_pack("{s:s,s:s}", "uri", uri, "format", format);
	if (v && dim == FLYTE_BLOB_MULTIPART)
		json_object_set_new(v, "dimensionality", json_string("MULTIPART"));
	return v;
}

static json_t *container_json(const flyte_literal *lit)
{
	int is_map = flyte_literal_kind_of(lit) == FLYTE_LITERAL_MAP;
	json_t *v = is_map ? json_object() : json_array();
	for (size_t i = 0; v && i < flyte_literal_count(lit); i++) {
		const char *key = NULL;
		const flyte_literal *item =
			is_map ? flyte_literal_map_entry_at(lit, i, &key) : flyte_literal_collection_at(lit, i);
		json_t *j = cli_value_to_json(item);
		if (!j || (is_map ? json_object_set_new(v, key, j) : json_array_append_new(v, j))) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

json_t *cli_value_to_json(const flyte_literal *lit)
{
	int64_t i, s;
	int32_t ns;
	double f;
	int b;
	const char *str, *fmt;
	char *text = NULL, buf[64];
	const flyte_literal *inner;
	const flyte_literal_type *vt;
	json_t *v;
	switch (flyte_literal_kind_of(lit)) {
	case FLYTE_LITERAL_INTEGER:
		flyte_literal_get_integer(lit, &i);
		return json_integer(i);
	case FLYTE_LITERAL_FLOAT:
		flyte_literal_get_float(lit, &f);
		return float_json(f);
	case FLYTE_LITERAL_STRING:
		flyte_literal_get_string(lit, &str);
		return json_string(str);
	case FLYTE_LITERAL_BOOLEAN:
		flyte_literal_get_boolean(lit, &b);
		return json_boolean(b);
	case FLYTE_LITERAL_DATETIME:
		flyte_literal_get_datetime(lit, &s, &ns);
		format_datetime(buf, sizeof buf, s, ns);
		return json_string(buf);
	case FLYTE_LITERAL_DURATION:
		flyte_literal_get_duration(lit, &s, &ns);
		cli_format_duration(buf, sizeof buf, s, ns);
		return json_string(buf);
	case FLYTE_LITERAL_NONE: return json_null();
	case FLYTE_LITERAL_BLOB: return blob_json(lit);
	case FLYTE_LITERAL_STRUCTURED_DATASET:
		flyte_literal_get_structured_dataset(lit, &str, &fmt);
		return json_pack("{s:s,s:s}", "uri", str, "format", fmt);
	case FLYTE_LITERAL_GENERIC:
		if (flyte_literal_get_generic_json(lit, &text))
			return NULL;
		v = json_loads(text, 0, NULL);
		flyte_string_free(text);
		return v;
	case FLYTE_LITERAL_UNION:
		flyte_literal_get_union(lit, &inner, &vt);
		return cli_value_to_json(inner);
	case FLYTE_LITERAL_COLLECTION:
	case FLYTE_LITERAL_MAP: return container_json(lit);
	case FLYTE_LITERAL_ERROR:
		flyte_literal_get_error(lit, &str, &fmt);
		return json_pack("{s:s,s:s}", "error", str, "failed_node_id", fmt);
	default: return flyteidl_json(lit);
	}
}

/* The shortest text that reads back as the same double. */
static void format_float(char *out, size_t size, double f)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, size, "%.*g", prec, f);
		if (strtod(out, NULL) == f)
			return;
	}
}

char *cli_value_to_text(const flyte_literal *lit)
{
	char buf[64];
	const char *str, *fmt;
	double f;
	json_t *v;
	switch (flyte_literal_kind_of(lit)) {
	case FLYTE_LITERAL_STRING:
		flyte_literal_get_string(lit, &str);
		return strdup(str);
	case FLYTE_LITERAL_FLOAT:
		flyte_literal_get_float(lit, &f);
		if (!isfinite(f))
			return strdup(isnan(f) ? "nan" : f > 0 ? "inf" : "-inf");
		format_float(buf, sizeof buf, f);
		return strdup(buf);
	case FLYTE_LITERAL_NONE: return strdup("none");
	case FLYTE_LITERAL_BLOB: {
		flyte_literal_get_blob(lit, &str, &fmt, NULL);
		if (!*fmt)
			return strdup(str);
		snprintf(buf, sizeof buf, " (%s)", fmt);
		char *t = malloc(strlen(str) + strlen(buf) + 1);
		if (t)
			strcat(strcpy(t, str), buf);
		return t;
	}
	default: break;
	}
	v = cli_value_to_json(lit);
	char *text = NULL;
	if (json_is_string(v))
		text = strdup(json_string_value(v));
	else if (v)
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(v);
	return text;
}

json_t *cli_values_to_json(const flyte_literal_map *map)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && map && i < flyte_literal_map_count(map); i++) {
		const char *name;
		const flyte_literal *lit = flyte_literal_map_at(map, i, &name);
		json_t *v = cli_value_to_json(lit);
		if (!v || json_object_set_new(obj, name, v)) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}
