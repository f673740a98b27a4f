/*
 * runner: one attempt of a raw-container task as a local process (runner.h).
 *
 * Work directory of an attempt: inputs/ (one file per input variable, blobs copied,
 * and inputs.json), outputs/ (where the task writes one file per output variable),
 * raw/ (the raw output data prefix), stdout.log and stderr.log. The process starts in
 * the attempt directory with its own process group, stdin from /dev/null and no
 * inherited descriptors beyond 0-2.
 */
#define _GNU_SOURCE
#include "runner.h"
#include "files.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "base64.h"
#include "engine.h"
#include "pb_json.h"

extern char **environ;

/* Larger primitive output files are refused: they are not what a primitive holds. */
#define MAX_OUTPUT_FILE (16 << 20)

/* ---- job control ---- */

void ds_job_ctl_init(ds_job_ctl *c)
{
	pthread_mutex_init(&c->mu, NULL);
	c->pgid = 0;
	c->aborted = 0;
}

void ds_job_ctl_destroy(ds_job_ctl *c)
{
	pthread_mutex_destroy(&c->mu);
}

void ds_job_abort(ds_job_ctl *c)
{
	pthread_mutex_lock(&c->mu);
	c->aborted = 1;
	/* pgid is cleared only after the leader is reaped, so it cannot name a stranger. */
	if (c->pgid > 0)
		kill(-c->pgid, SIGKILL);
	pthread_mutex_unlock(&c->mu);
}

int ds_job_aborted(ds_job_ctl *c)
{
	pthread_mutex_lock(&c->mu);
	int a = c->aborted;
	pthread_mutex_unlock(&c->mu);
	return a;
}

void ds_run_result_dispose(ds_run_result *r)
{
	json_decref(r->outputs);
	json_decref(r->command);
	fl_free(r->error_code);
	fl_free(r->message);
	memset(r, 0, sizeof *r);
}

static void fail(ds_run_result *r, ds_run_status status, const char *code, int system, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void fail(ds_run_result *r, ds_run_status status, const char *code, int system, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (r->message) /* the first failure is the one that matters */
		return;
	r->status = status;
	r->error_code = fl_strdup(code);
	r->message = fl_strdup(msg);
	r->system_error = system;
}

/* ---- files ---- */

static int write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (len) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return close(fd);
}

/* The whole file (NUL-terminated) or NULL; refuses files larger than max. */
static char *read_file(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	char *buf = fl_malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[got] = '\0';
	if (len)
		*len = got;
	return buf;
}

static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0;
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				rc = -1;
				break;
			}
			off += w;
		}
		if (rc)
			break;
	}
	close(in);
	return close(out) != 0 ? -1 : rc;
}

/* Copies a file or a directory tree. */
static int copy_path(const char *src, const char *dst)
{
	struct stat st;
	if (stat(src, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return copy_file(src, dst);
	if (mkdir(dst, 0755) != 0 && errno != EEXIST)
		return -1;
	DIR *d = opendir(src);
	if (!d)
		return -1;
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *s = fl_asprintf("%s/%s", src, e->d_name), *t = fl_asprintf("%s/%s", dst, e->d_name);
		rc = s && t ? copy_path(s, t) : -1;
		fl_free(s);
		fl_free(t);
	}
	closedir(d);
	return rc;
}

static int remove_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char *p = fl_asprintf("%s/%s", path, e->d_name);
			if (p)
				remove_tree(p);
			fl_free(p);
		}
		closedir(d);
	}
	return rmdir(path);
}

/* A variable name usable as a file name in the inputs or outputs directory. */
static int safe_name(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

/* ---- Go's text forms ---- */

/* fmt's %v of a float64 (strconv 'g' with the shortest precision): the shortest digits
   that read back exactly, in %e form when the decimal exponent is < -4 or >= 6. */
static void go_float(char *out, size_t size, double d)
{
	if (isnan(d)) {
		snprintf(out, size, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(out, size, "%cInf", d < 0 ? '-' : '+');
		return;
	}
	if (d == 0) {
		snprintf(out, size, "%s", signbit(d) ? "-0" : "0");
		return;
	}
	char e[48];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec - 1, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e is "[-]D[.DDD]e[+-]XX": split into digits and a decimal exponent. */
	char digits[24];
	size_t nd = 0;
	const char *p = e;
	int neg = *p == '-';
	if (neg)
		p++;
	for (; *p && *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';
	int exp = atoi(p + 1);
	pb_buf b = {0};
	if (neg)
		pb_buf_puts(&b, "-");
	if (exp < -4 || exp >= 6) {
		char tail[16];
		pb_buf_append(&b, digits, 1);
		if (nd > 1) {
			pb_buf_puts(&b, ".");
			pb_buf_puts(&b, digits + 1);
		}
		snprintf(tail, sizeof tail, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		pb_buf_puts(&b, tail);
	} else if (exp < 0) {
		pb_buf_puts(&b, "0.");
		for (int i = -1; i > exp; i--)
			pb_buf_puts(&b, "0");
		pb_buf_puts(&b, digits);
	} else {
		for (int i = 0; i <= exp || (size_t)i < nd; i++) {
			if (i == exp + 1)
				pb_buf_puts(&b, ".");
			pb_buf_append(&b, (size_t)i < nd ? digits + i : "0", 1);
		}
	}
	snprintf(out, size, "%s", b.failed || !b.data ? "0" : b.data);
	fl_free(b.data);
}

/* ".5" for 5 of 10 digits' worth (v / 10^digits, trailing zeros dropped); "" for 0. */
static void fraction(char *out, size_t size, unsigned long long v, int digits)
{
	out[0] = '\0';
	if (!v)
		return;
	snprintf(out, size, ".%0*llu", digits, v);
	for (size_t n = strlen(out); out[n - 1] == '0'; n--)
		out[n - 1] = '\0';
}

/* time.Duration.String(): "1h2m3.5s", "1.5s", "300ms", "2µs", "0s". */
static void go_duration(char *out, size_t size, int64_t secs, int32_t nanos)
{
	/* time.Duration is int64 nanoseconds; longer durations keep the protobuf form. */
	if (secs > INT64_C(9000000000) || secs < -INT64_C(9000000000)) {
		snprintf(out, size, "%llds", (long long)secs);
		return;
	}
	int64_t d = secs * 1000000000 + nanos;
	unsigned long long u = d < 0 ? 0ULL - (unsigned long long)d : (unsigned long long)d;
	const char *sign = d < 0 ? "-" : "";
	char frac[16];
	if (u == 0) {
		snprintf(out, size, "0s");
	} else if (u < 1000000000) { /* below a second: the largest unit that keeps an integer part */
		unsigned long long div = u < 1000 ? 1 : u < 1000000 ? 1000 : 1000000;
		fraction(frac, sizeof frac, u % div, div == 1 ? 0 : div == 1000 ? 3 : 6);
		snprintf(out, size, "%s%llu%s%s", sign, u / div, frac,
			 div == 1 ? "ns" : div == 1000 ? "\xc2\xb5s" : "ms");
	} else {
		unsigned long long s = u / 1000000000, h = s / 3600, m = s / 60 % 60;
		fraction(frac, sizeof frac, u % 1000000000, 9);
		if (h)
			snprintf(out, size, "%s%lluh%llum%llu%ss", sign, h, m, s % 60, frac);
		else if (m)
			snprintf(out, size, "%s%llum%llu%ss", sign, m, s % 60, frac);
		else
			snprintf(out, size, "%s%llu%ss", sign, s, frac);
	}
}

/* time.ParseDuration: "1h2m3.5s", "300ms", "-1.5h", "0". */
static int parse_go_duration(const char *s, int64_t *secs, int32_t *nanos)
{
	static const struct {
		const char *name;
		int64_t ns;
	} units[] = {{"ns", 1},	 {"us", 1000}, {"\xc2\xb5s", 1000}, {"\xce\xbcs", 1000}, {"ms", 1000000},
		     {"h", INT64_C(3600000000000)}, {"m", INT64_C(60000000000)}, {"s", 1000000000}};
	int neg = 0;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*secs = 0, *nanos = 0;
		return 0;
	}
	if (!*s)
		return -1;
	__int128 total = 0;
	while (*s) {
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		__int128 whole = 0, frac = 0, scale = 1;
		int digits = 0;
		for (; isdigit((unsigned char)*s); s++, digits++)
			if ((whole = whole * 10 + (*s - '0')) > (__int128)1e30)
				return -1;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++, digits++)
				if (scale < (__int128)1e18)
					frac = frac * 10 + (*s - '0'), scale *= 10;
		if (!digits)
			return -1;
		size_t k;
		for (k = 0; k < sizeof units / sizeof *units; k++)
			if (strncmp(s, units[k].name, strlen(units[k].name)) == 0)
				break;
		if (k == sizeof units / sizeof *units)
			return -1;
		s += strlen(units[k].name);
		total += whole * units[k].ns + frac * units[k].ns / scale;
		if (total > (__int128)INT64_MAX * 1000)
			return -1;
	}
	if (neg)
		total = -total;
	*secs = (int64_t)(total / 1000000000);
	*nanos = (int32_t)(total % 1000000000);
	return 0;
}

static const json_t *primitive_of(const json_t *literal)
{
	return json_object_get(json_object_get(literal, "scalar"), "primitive");
}

char *ds_literal_text(const json_t *literal)
{
	const json_t *p = primitive_of(literal), *v;
	char buf[64];
	if ((v = json_object_get(p, "integer")))
		return json_is_string(v) ? fl_strdup(json_string_value(v))
					 : fl_asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	if ((v = json_object_get(p, "float_value"))) {
		double d = json_number_value(v);
		if (json_is_string(v)) {
			const char *t = json_string_value(v);
			d = strcmp(t, "NaN") == 0 ? NAN : t[0] == '-' ? -INFINITY : INFINITY;
		}
		go_float(buf, sizeof buf, d);
		return fl_strdup(buf);
	}
	if ((v = json_object_get(p, "string_value")))
		return fl_strdup(json_string_value(v));
	if ((v = json_object_get(p, "boolean")))
		return fl_strdup(json_is_true(v) ? "true" : "false");
	if ((v = json_object_get(p, "datetime")))
		return fl_strdup(json_string_value(v)); /* canonical RFC 3339 already */
	if ((v = json_object_get(p, "duration"))) {
		int64_t secs;
		int32_t nanos;
		const char *t = json_string_value(v);
		if (!t || pb_parse_duration(t, strlen(t), &secs, &nanos) != 0)
			return NULL;
		go_duration(buf, sizeof buf, secs, nanos);
		return fl_strdup(buf);
	}
	return NULL;
}

/* ---- the attempt's inputs ---- */

typedef struct {
	const ds_run_request *rq;
	char *inputs_dir, *outputs_dir, *raw_dir, *checkpoint_dir;
	char *stdout_path, *stderr_path;
} attempt;

static const json_t *blob_of(const json_t *literal)
{
	return json_object_get(json_object_get(literal, "scalar"), "blob");
}

/* Writes inputs/<name> for primitives (as text) and blobs (copied); inputs.json. */
static int write_inputs(attempt *a, ds_run_result *r)
{
	const json_t *lits = json_object_get(a->rq->inputs, "literals");
	const char *name;
	const json_t *lit;
	json_object_foreach((json_t *)lits, name, lit) {
		if (!safe_name(name))
			continue;
		char *path = fl_asprintf("%s/%s", a->inputs_dir, name);
		char *text = ds_literal_text(lit);
		const json_t *blob = blob_of(lit);
		int rc = 0;
		if (text) {
			rc = write_file(path, text, strlen(text));
		} else if (blob) {
			const char *uri = json_string_value(json_object_get(blob, "uri"));
			char *src = ds_blob_local_path(a->rq->server, uri ? uri : "");
			if (!src) {
				fail(r, DS_RUN_FAILED, "InputsNotFound", 0,
				     "input %s: cannot read blob %s: the dev server reads file:// URIs and paths", name,
				     uri ? uri : "");
				rc = -1;
			} else if (copy_path(src, path) != 0) {
				fail(r, DS_RUN_FAILED, "InputsNotFound", 0, "input %s: cannot copy blob %s: %s", name,
				     src, strerror(errno));
				rc = -1;
			}
			fl_free(src);
		}
		fl_free(text);
		fl_free(path);
		if (rc) {
			fail(r, DS_RUN_FAILED, "SystemError", 1, "cannot write input %s: %s", name, strerror(errno));
			return -1;
		}
	}
	char *json = ds_json_dumps(a->rq->inputs);
	char *path = fl_asprintf("%s/inputs.json", a->inputs_dir);
	int rc = json && path ? write_file(path, json, strlen(json)) : -1;
	fl_free(json);
	fl_free(path);
	if (rc)
		fail(r, DS_RUN_FAILED, "SystemError", 1, "cannot write inputs.json: %s", strerror(errno));
	return rc;
}

/* ---- templating ---- */

/* The text an input stands for in a command line. */
static char *input_text(attempt *a, const char *name, const json_t *lit)
{
	char *t = ds_literal_text(lit);
	if (t)
		return t;
	if (blob_of(lit))
		return fl_asprintf("%s/%s", a->inputs_dir, name);
	if (json_object_get(json_object_get(lit, "scalar"), "none_type"))
		return fl_strdup("");
	const json_t *coll = json_object_get(json_object_get(lit, "collection"), "literals");
	if (json_object_get(lit, "collection")) {
		pb_buf b = {0};
		pb_buf_puts(&b, "[");
		size_t i;
		const json_t *item;
		json_array_foreach(coll, i, item) {
			char *s = input_text(a, name, item);
			if (!s) {
				fl_free(b.data);
				return NULL;
			}
			pb_buf_puts(&b, i ? "," : "");
			pb_buf_puts(&b, s);
			fl_free(s);
		}
		pb_buf_puts(&b, "]");
		return b.failed ? (fl_free(b.data), NULL) : b.data;
	}
	return NULL;
}

/* Matches `{{ .Name }}` / `{{ $Name }}` at s (case-insensitive, spaces allowed). Returns
   the length of the whole template, with the name in name/name_len; 0 when none. */
static size_t match_template(const char *s, const char **name, size_t *name_len)
{
	if (strncmp(s, "{{", 2) != 0)
		return 0;
	const char *p = s + 2;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '.' && *p != '$')
		return 0;
	*name = ++p;
	while (*p && *p != '}' && !isspace((unsigned char)*p))
		p++;
	*name_len = (size_t)(p - *name);
	while (isspace((unsigned char)*p))
		p++;
	if (strncmp(p, "}}", 2) != 0 || !*name_len)
		return 0;
	return (size_t)(p + 2 - s);
}

static int name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncasecmp(name, want, len) == 0;
}

/* The value of one template variable, or NULL (message in r) when unknown. */
static char *template_value(attempt *a, const char *name, size_t len, ds_run_result *r)
{
	if (name_is(name, len, "input") || name_is(name, len, "inputPrefix"))
		return fl_strdup(a->inputs_dir);
	if (name_is(name, len, "outputPrefix"))
		return fl_strdup(a->outputs_dir);
	if (name_is(name, len, "rawOutputDataPrefix"))
		return fl_strdup(a->raw_dir);
	if (name_is(name, len, "checkpointOutputPrefix"))
		return fl_strdup(a->checkpoint_dir);
	if (name_is(name, len, "prevCheckpointPrefix"))
		return fl_strdup("");
	if (name_is(name, len, "perRetryUniqueKey"))
		return fl_strdup(a->rq->attempt_dir);
	if (len > 7 && strncasecmp(name, "inputs.", 7) == 0) {
		char *var = fl_strndup(name + 7, len - 7);
		const json_t *lit = json_object_get(json_object_get(a->rq->inputs, "literals"), var ? var : "");
		char *v = lit ? input_text(a, var, lit) : NULL;
		if (!lit)
			fail(r, DS_RUN_FAILED, "TemplateError", 0, "requested input is not found [%s]", var ? var : "");
		else if (!v)
			fail(r, DS_RUN_FAILED, "TemplateError", 0,
			     "input %s cannot be written into a command line (only primitives, blobs, none and "
			     "lists of them can)", var);
		fl_free(var);
		return v;
	}
	fail(r, DS_RUN_FAILED, "TemplateError", 0, "unknown template variable {{.%.*s}}", (int)len, name);
	return NULL;
}

/* One argument with its templates expanded and the data_config paths remapped. */
static char *render(attempt *a, const char *arg, const char *in_path, const char *out_path, ds_run_result *r)
{
	pb_buf b = {0};
	size_t in_len = in_path ? strlen(in_path) : 0, out_len = out_path ? strlen(out_path) : 0;
	for (const char *p = arg; *p;) {
		const char *name;
		size_t name_len, n = match_template(p, &name, &name_len);
		if (n) {
			char *v = template_value(a, name, name_len, r);
			if (!v) {
				fl_free(b.data);
				return NULL;
			}
			pb_buf_puts(&b, v);
			fl_free(v);
			p += n;
			continue;
		}
		/* The longer of the two paths wins where both match. */
		int in = in_len && strncmp(p, in_path, in_len) == 0;
		int out = out_len && strncmp(p, out_path, out_len) == 0;
		if (in && out)
			in = in_len >= out_len, out = !in;
		if (in || out) {
			pb_buf_puts(&b, in ? a->inputs_dir : a->outputs_dir);
			p += in ? in_len : out_len;
			continue;
		}
		pb_buf_append(&b, p++, 1);
	}
	if (!b.data)
		pb_buf_puts(&b, "");
	if (b.failed) {
		fl_free(b.data);
		fail(r, DS_RUN_FAILED, "SystemError", 1, "out of memory");
		return NULL;
	}
	return b.data;
}

static void free_vec(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		fl_free(v[i]);
	fl_free(v);
}

static char **build_argv(attempt *a, ds_run_result *r)
{
	const json_t *c = json_object_get(a->rq->task, "container");
	const json_t *cmd = json_object_get(c, "command"), *args = json_object_get(c, "args");
	const json_t *dc = json_object_get(c, "data_config");
	const char *in_path = NULL, *out_path = NULL;
	if (json_is_true(json_object_get(dc, "enabled"))) {
		in_path = json_string_value(json_object_get(dc, "input_path"));
		out_path = json_string_value(json_object_get(dc, "output_path"));
	}
	size_t n = json_array_size(cmd) + json_array_size(args);
	if (!n) {
		fail(r, DS_RUN_FAILED, "BadTaskSpecification", 0, "the task's container has no command or args");
		return NULL;
	}
	char **argv = fl_calloc(n + 1, sizeof *argv);
	size_t k = 0;
	for (int part = 0; argv && part < 2; part++) {
		size_t i;
		const json_t *v;
		json_array_foreach(part ? args : cmd, i, v) {
			if (!(argv[k] = render(a, json_string_value(v) ? json_string_value(v) : "", in_path, out_path,
					       r))) {
				free_vec(argv);
				return NULL;
			}
			k++;
		}
	}
	if (!argv)
		fail(r, DS_RUN_FAILED, "SystemError", 1, "out of memory");
	return argv;
}

/* environ, then the container's env, then the execution's envs; later ones win. */
static char **build_env(attempt *a)
{
	const json_t *lists[2] = {json_object_get(json_object_get(a->rq->task, "container"), "env"), a->rq->envs};
	size_t n = 0, extra = json_array_size(lists[0]) + json_array_size(lists[1]);
	while (environ[n])
		n++;
	char **env = fl_calloc(n + extra + 1, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		env[k++] = fl_strdup(environ[i]);
	for (int l = 0; l < 2; l++) {
		size_t i;
		const json_t *kv;
		json_array_foreach(lists[l], i, kv) {
			const char *key = json_string_value(json_object_get(kv, "key"));
			const char *val = json_string_value(json_object_get(kv, "value"));
			if (!key || !*key || strchr(key, '='))
				continue;
			size_t klen = strlen(key);
			for (size_t j = 0; j < k; j++) {
				if (env[j] && strncmp(env[j], key, klen) == 0 && env[j][klen] == '=') {
					fl_free(env[j]);
					env[j] = env[--k];
					env[k] = NULL;
					break;
				}
			}
			env[k++] = fl_asprintf("%s=%s", key, val ? val : "");
		}
	}
	env[k] = NULL;
	return env;
}

/* ---- the process ---- */

static long long mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

long long ds_process_start_time(pid_t pid)
{
	char path[64], stat[4096];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	/* /proc files report size 0: read what there is. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, stat, sizeof stat - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	stat[n] = '\0';
	const char *p = strrchr(stat, ')');
	long long start = 0;
	/* Field 22 (starttime) is the 20th after the ") " that ends field 2. */
	for (int field = 3; p && field <= 22; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 22)
			start = atoll(p + 1);
	}
	return start;
}

void ds_runner_kill_orphan(pid_t pgid, long long start)
{
	if (pgid <= 1)
		return;
	long long now = ds_process_start_time(pgid);
	if (now && now != start)
		return; /* the pid belongs to another process now */
	kill(-pgid, SIGKILL);
}

static int spawn(pid_t *pid, attempt *a, char **argv, char **envp)
{
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_init(&attr);
	posix_spawn_file_actions_init(&fa);
	/* The server blocks SIGINT/SIGTERM and ignores SIGPIPE: the task gets defaults. */
	sigset_t none, defaults;
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE);
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGCHLD);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, a->stdout_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, a->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addchdir_np(&fa, a->rq->attempt_dir);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	int rc = posix_spawnp(pid, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Waits for the process; kills its group at the deadline. Returns 1 when timed out. */
static int wait_exit(pid_t pid, long long deadline)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int timed_out = 0;
	for (;;) {
		int ms = -1;
		if (deadline) {
			long long rem = deadline - mono_ns();
			if (rem <= 0) {
				timed_out = 1;
				break;
			}
			ms = (int)(rem / 1000000 + 1);
		}
		if (pfd >= 0) {
			struct pollfd p = {.fd = pfd, .events = POLLIN};
			int n = poll(&p, 1, ms);
			if (n > 0)
				break;
			if (n < 0 && errno != EINTR)
				break;
			continue;
		}
		/* No pidfd: look without reaping, every 10 ms. */
		siginfo_t si = {0};
		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == pid)
			break;
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	if (pfd >= 0)
		close(pfd);
	/* The leader is a zombie or about to be killed: its pid still names our group, so
	   this also stops whatever it left running in the background. */
	kill(-pid, SIGKILL);
	return timed_out;
}

/* The last lines of stderr, for error messages. */
static char *stderr_tail(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char buf[1025];
	off_t size = lseek(fd, 0, SEEK_END);
	off_t from = size > 1024 ? size - 1024 : 0;
	ssize_t n = pread(fd, buf, 1024, from);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	char *s = buf;
	if (from > 0 && strchr(s, '\n'))
		s = strchr(s, '\n') + 1;
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return len ? fl_strdup(s) : NULL;
}

static void exit_failure(ds_run_result *r, attempt *a, int status)
{
	char *tail = stderr_tail(a->stderr_path);
	char what[128];
	if (WIFEXITED(status))
		snprintf(what, sizeof what, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(what, sizeof what, "was killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	fail(r, DS_RUN_FAILED, WIFEXITED(status) ? "NonZeroExit" : "Killed", 0, "the task's command %s%s%s", what,
	     tail ? "; stderr:\n" : " (stderr is empty)", tail ? tail : "");
	fl_free(tail);
}

/* Whether the program can be executed, as execvp would look for it (relative paths from
   the attempt directory, where the process starts). Checked up front so that the message
   does not depend on how posix_spawn reports a failed exec. */
static int program_exists(const char *prog, const char *dir)
{
	if (strchr(prog, '/')) {
		char *path = prog[0] == '/' ? fl_strdup(prog) : fl_asprintf("%s/%s", dir, prog);
		int ok = path && access(path, X_OK) == 0;
		fl_free(path);
		return ok;
	}
	const char *env = getenv("PATH");
	const char *p = env && *env ? env : "/bin:/usr/bin";
	for (;;) {
		size_t n = strcspn(p, ":");
		char *path = n ? fl_asprintf("%.*s/%s", (int)n, p, prog) : fl_asprintf("%s/%s", dir, prog);
		struct stat st;
		int ok = path && access(path, X_OK) == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode);
		fl_free(path);
		if (ok)
			return 1;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* Starts the process (unless aborted) and waits for it. 0 when it exited with 0. */
static int run_process(attempt *a, char **argv, char **envp, ds_run_result *r)
{
	ds_job_ctl *c = a->rq->ctl;
	pid_t pid;
	pthread_mutex_lock(&c->mu);
	if (c->aborted) {
		pthread_mutex_unlock(&c->mu);
		fail(r, DS_RUN_ABORTED, "Aborted", 0, "the execution was terminated");
		return -1;
	}
	long long start = mono_ns();
	int rc = program_exists(argv[0], a->rq->attempt_dir) ? spawn(&pid, a, argv, envp) : ENOENT;
	if (rc == 0)
		c->pgid = pid;
	pthread_mutex_unlock(&c->mu);
	if (rc != 0) {
		fail(r, DS_RUN_FAILED, "CommandNotFound", 0, "cannot run the task's command \"%s\": %s", argv[0],
		     strerror(rc));
		return -1;
	}
	if (a->rq->on_start)
		a->rq->on_start(pid, a->rq->payload);
	int timed_out = wait_exit(pid, a->rq->timeout_ns ? start + a->rq->timeout_ns : 0);
	int status = 0;
	pthread_mutex_lock(&c->mu);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	c->pgid = 0;
	int aborted = c->aborted;
	pthread_mutex_unlock(&c->mu);
	if (aborted) {
		fail(r, DS_RUN_ABORTED, "Aborted", 0, "the execution was terminated");
		return -1;
	}
	if (timed_out) {
		char limit[64];
		go_duration(limit, sizeof limit, a->rq->timeout_ns / 1000000000,
			    (int32_t)(a->rq->timeout_ns % 1000000000));
		fail(r, DS_RUN_TIMED_OUT, "Timeout", 0, "task execution timeout [%s] expired", limit);
		return -1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	exit_failure(r, a, status);
	return -1;
}

/* ---- outputs ---- */

static json_t *primitive(const char *key, json_t *value)
{
	return json_pack("{s:{s:{s:o}}}", "scalar", "primitive", key, value);
}

static void trim(char *s)
{
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	size_t lead = strspn(s, " \t\r\n");
	memmove(s, s + lead, len - lead + 1);
}

static json_t *parse_float(const char *s)
{
	if (strcmp(s, "NaN") == 0 || strcasecmp(s, "nan") == 0)
		return json_string("NaN");
	if (strcmp(s, "+Inf") == 0 || strcmp(s, "Inf") == 0 || strcasecmp(s, "infinity") == 0 ||
	    strcasecmp(s, "+infinity") == 0)
		return json_string("Infinity");
	if (strcmp(s, "-Inf") == 0 || strcasecmp(s, "-infinity") == 0)
		return json_string("-Infinity");
	char *end;
	errno = 0;
	double d = strtod(s, &end);
	if (!*s || *end || isnan(d) || isinf(d))
		return NULL;
	return json_real(d);
}

static json_t *parse_bool(const char *s)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	for (size_t i = 0; i < 6; i++) {
		if (strcmp(s, yes[i]) == 0)
			return json_true();
		if (strcmp(s, no[i]) == 0)
			return json_false();
	}
	return NULL;
}

static const char *simple_words(const char *simple)
{
	static const char *const words[][2] = {
		{"INTEGER", "an integer"}, {"FLOAT", "a float"}, {"BOOLEAN", "a boolean"},
		{"DATETIME", "an RFC 3339 datetime"}, {"DURATION", "a duration (e.g. 1h2m3.5s)"},
	};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strcmp(simple, words[i][0]) == 0)
			return words[i][1];
	return "a JSON object";
}

/* A simple-typed output from its file's text. NULL with a message in r. */
static json_t *parse_simple(const char *name, const char *simple, char *text, size_t len, ds_run_result *r)
{
	json_t *v = NULL;
	if (strcmp(simple, "STRING") == 0) {
		/* `echo x > out` writes "x\n": one line ending is not part of the value. */
		if (len && text[len - 1] == '\n')
			text[--len] = '\0';
		if (len && text[len - 1] == '\r')
			text[--len] = '\0';
		return primitive("string_value", json_stringn(text, len));
	}
	if (strcmp(simple, "BINARY") == 0) {
		char *b64 = fl_malloc(base64_encoded_len(len) + 1);
		if (!b64)
			return NULL;
		base64_encode(b64, (const unsigned char *)text, len, 0);
		v = json_pack("{s:{s:{s:s}}}", "scalar", "binary", "value", b64);
		fl_free(b64);
		return v;
	}
	trim(text);
	if (strcmp(simple, "INTEGER") == 0) {
		char *end;
		errno = 0;
		long long n = strtoll(text, &end, 10);
		if (*text && !*end && errno == 0)
			v = primitive("integer", json_sprintf("%lld", n));
	} else if (strcmp(simple, "FLOAT") == 0) {
		json_t *f = parse_float(text);
		v = f ? primitive("float_value", f) : NULL;
	} else if (strcmp(simple, "BOOLEAN") == 0) {
		json_t *b = parse_bool(text);
		v = b ? primitive("boolean", b) : NULL;
	} else if (strcmp(simple, "DATETIME") == 0) {
		int64_t s;
		int32_t n;
		char ts[48];
		if (pb_parse_timestamp(text, strlen(text), &s, &n) == 0 && pb_format_timestamp(ts, s, n) > 0)
			v = primitive("datetime", json_string(ts));
	} else if (strcmp(simple, "DURATION") == 0) {
		int64_t s;
		int32_t n;
		char d[48];
		if (parse_go_duration(text, &s, &n) == 0 && pb_format_duration(d, s, n) > 0)
			v = primitive("duration", json_string(d));
	} else if (strcmp(simple, "NONE") == 0) {
		v = json_pack("{s:{s:{}}}", "scalar", "none_type");
	} else if (strcmp(simple, "STRUCT") == 0) {
		json_t *obj = json_loads(text, 0, NULL);
		if (json_is_object(obj))
			v = json_pack("{s:{s:o}}", "scalar", "generic", obj);
		else
			json_decref(obj);
	} else {
		fail(r, DS_RUN_FAILED, "OutputsNotFound", 0, "output %s: the dev server cannot read outputs of type %s",
		     name, simple);
		return NULL;
	}
	if (!v)
		fail(r, DS_RUN_FAILED, "OutputsNotFound", 0, "output %s: cannot parse \"%.200s\" as %s", name, text,
		     simple_words(simple));
	return v;
}

/* A blob output: the file or directory moves under blob_dir and becomes a file:// blob. */
static json_t *take_blob(attempt *a, const char *name, const char *path, const json_t *type, ds_run_result *r)
{
	struct stat st;
	if (stat(path, &st) != 0 || ds_mkdir_p(a->rq->blob_dir) != 0) {
		fail(r, DS_RUN_FAILED, "SystemError", 1, "cannot create %s: %s", a->rq->blob_dir, strerror(errno));
		return NULL;
	}
	char *dir = realpath(a->rq->blob_dir, NULL);
	char *dst = dir ? fl_asprintf("%s/%s", dir, name) : NULL;
	free(dir);
	if (!dst) {
		fail(r, DS_RUN_FAILED, "SystemError", 1, "cannot resolve %s", a->rq->blob_dir);
		return NULL;
	}
	remove_tree(dst);
	int rc = rename(path, dst);
	if (rc != 0 && errno == EXDEV && (rc = copy_path(path, dst)) == 0)
		remove_tree(path);
	json_t *v = NULL;
	if (rc != 0) {
		fail(r, DS_RUN_FAILED, "SystemError", 1, "output %s: cannot store %s: %s", name, path, strerror(errno));
	} else {
		const char *format = json_string_value(json_object_get(json_object_get(type, "blob"), "format"));
		char *uri = fl_asprintf("file://%s", dst);
		v = json_pack("{s:{s:{s:{s:{s:s,s:s}},s:s}}}", "scalar", "blob", "metadata", "type", "format",
			      format ? format : "", "dimensionality", S_ISDIR(st.st_mode) ? "MULTIPART" : "SINGLE",
			      "uri", uri ? uri : "");
		fl_free(uri);
	}
	fl_free(dst);
	return v;
}

/* Reads one declared output from its file. */
static json_t *read_output(attempt *a, const char *name, const json_t *type, const char *path, ds_run_result *r)
{
	struct stat st;
	if (json_object_get(type, "blob"))
		return take_blob(a, name, path, type, r);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		fail(r, DS_RUN_FAILED, "OutputsNotFound", 0, "output %s: expected a file, found a directory", name);
		return NULL;
	}
	size_t len;
	char *text = read_file(path, MAX_OUTPUT_FILE, &len);
	if (!text) {
		fail(r, DS_RUN_FAILED, "OutputsNotFound", 0, "output %s: cannot read %s: %s", name, path,
		     strerror(errno));
		return NULL;
	}
	json_t *v = NULL;
	const char *simple = json_string_value(json_object_get(type, "simple"));
	const json_t *enm = json_object_get(type, "enum_type");
	if (simple) {
		v = parse_simple(name, simple, text, len, r);
	} else if (enm) {
		v = parse_simple(name, "STRING", text, len, r);
		const char *s = json_string_value(json_object_get(primitive_of(v), "string_value"));
		int found = 0;
		size_t i;
		const json_t *e;
		json_array_foreach(json_object_get(enm, "values"), i, e)
			found = found || (s && json_string_value(e) && strcmp(s, json_string_value(e)) == 0);
		if (!found) {
			fail(r, DS_RUN_FAILED, "OutputsNotFound", 0,
			     "output %s: \"%.200s\" is not one of the enum's values", name, s ? s : "");
			json_decref(v);
			v = NULL;
		}
	} else {
		/* Any other type: the file holds the flyteidl Literal as JSON. */
		json_error_t je;
		v = json_loads(text, 0, &je);
		if (!json_is_object(v)) {
			fail(r, DS_RUN_FAILED, "OutputsNotFound", 0,
			     "output %s: expected a flyteidl Literal in JSON for this type: %s", name, je.text);
			json_decref(v);
			v = NULL;
		}
	}
	fl_free(text);
	return v;
}

static json_t *read_outputs(attempt *a, ds_run_result *r)
{
	const json_t *vars = json_object_get(json_object_get(json_object_get(a->rq->task, "interface"), "outputs"),
					     "variables");
	/* outputs.json (a LiteralMap) may hold what has no file of its own. */
	char *agg_path = fl_asprintf("%s/outputs.json", a->outputs_dir);
	json_t *agg = agg_path ? json_load_file(agg_path, 0, NULL) : NULL;
	fl_free(agg_path);
	json_t *lits = json_object();
	const char *name;
	const json_t *var;
	json_object_foreach((json_t *)vars, name, var) {
		const json_t *type = json_object_get(var, "type");
		char *path = safe_name(name) ? fl_asprintf("%s/%s", a->outputs_dir, name) : NULL;
		struct stat st;
		json_t *v = NULL;
		if (path && stat(path, &st) == 0)
			v = read_output(a, name, type, path, r);
		else if (json_object_get(json_object_get(agg, "literals"), name))
			v = json_incref(json_object_get(json_object_get(agg, "literals"), name));
		else
			fail(r, DS_RUN_FAILED, "OutputsNotFound", 0,
			     "output %s is missing: the task wrote no file \"%s\" in its output directory", name, name);
		fl_free(path);
		if (!v) {
			json_decref(lits);
			json_decref(agg);
			return NULL;
		}
		json_object_set_new(lits, name, v);
	}
	json_decref(agg);
	return json_pack("{s:o}", "literals", lits);
}

/* ---- one attempt ---- */

char *ds_runner_unsupported(const json_t *task)
{
	if (json_is_object(json_object_get(task, "container")))
		return NULL;
	const char *type = json_string_value(json_object_get(task, "type"));
	return fl_asprintf("flyte-devserver cannot run tasks of type \"%s\": it runs raw-container tasks (a task "
			   "template with a container) as local processes",
			   type ? type : "");
}

static int prepare(attempt *a, ds_run_result *r)
{
	const char *d = a->rq->attempt_dir;
	a->inputs_dir = fl_asprintf("%s/inputs", d);
	a->outputs_dir = fl_asprintf("%s/outputs", d);
	a->raw_dir = fl_asprintf("%s/raw", d);
	a->checkpoint_dir = fl_asprintf("%s/checkpoint", d);
	a->stdout_path = fl_asprintf("%s/stdout.log", d);
	a->stderr_path = fl_asprintf("%s/stderr.log", d);
	if (!a->inputs_dir || !a->outputs_dir || !a->raw_dir || !a->checkpoint_dir || !a->stdout_path ||
	    !a->stderr_path) {
		fail(r, DS_RUN_FAILED, "SystemError", 1, "out of memory");
		return -1;
	}
	/* A retried attempt directory starts empty. */
	remove_tree(a->inputs_dir);
	remove_tree(a->outputs_dir);
	if (ds_mkdir_p(a->inputs_dir) || ds_mkdir_p(a->outputs_dir) || ds_mkdir_p(a->raw_dir) || ds_mkdir_p(a->checkpoint_dir)) {
		fail(r, DS_RUN_FAILED, "SystemError", 1, "cannot create the work directory %s: %s", d, strerror(errno));
		return -1;
	}
	return 0;
}

/* Output literals in canonical form, or NULL when one does not fit the flyteidl schema. */
static json_t *canonical(json_t *lits, ds_run_result *r)
{
	flyte_error *err = NULL;
	pb_msg *m = ds_json_to_msg(&pb_flyteidl_core_LiteralMap, lits, &err);
	json_t *out = m ? ds_msg_to_json(m) : NULL;
	if (!out)
		fail(r, DS_RUN_FAILED, "OutputsNotFound", 0, "the task's outputs are not valid literals: %s",
		     err ? flyte_error_message(err) : "out of memory");
	flyte_error_free(err);
	pb_msg_free(m);
	return out;
}

void ds_runner_run(ds_run_result *r, const ds_run_request *rq)
{
	memset(r, 0, sizeof *r);
	attempt a = {.rq = rq};
	char **argv = NULL, **envp = NULL;
	char *why = ds_runner_unsupported(rq->task);
	if (why) {
		fail(r, DS_RUN_FAILED, "UnsupportedTaskType", 1, "%s", why);
		fl_free(why);
	} else if (prepare(&a, r) == 0 && write_inputs(&a, r) == 0 && (argv = build_argv(&a, r))) {
		r->command = json_array();
		for (size_t i = 0; argv[i]; i++)
			json_array_append_new(r->command, json_string(argv[i]));
		envp = build_env(&a);
		if (!envp) {
			fail(r, DS_RUN_FAILED, "SystemError", 1, "out of memory");
		} else if (run_process(&a, argv, envp, r) == 0) {
			json_t *lits = read_outputs(&a, r);
			if (lits) {
				r->outputs = canonical(lits, r);
				json_decref(lits);
				if (r->outputs)
					r->status = DS_RUN_SUCCEEDED;
			}
		}
	}
	free_vec(argv);
	free_vec(envp);
	fl_free(a.inputs_dir);
	fl_free(a.outputs_dir);
	fl_free(a.raw_dir);
	fl_free(a.checkpoint_dir);
	fl_free(a.stdout_path);
	fl_free(a.stderr_path);
}
