/* Built-in hash functions for type hints: a file's bytes, a directory tree, canonical JSON. */
#include "flyte/hashers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "model.h"
#include "out_string.h"
#include "pb_json.h"

#define CHUNK (64 * 1024)

/* Every failure is reported through flyte_out_string_fail; the return code only says
   which kind (the SDK turns it into FLYTE_EUSER with the message). */
__attribute__((format(printf, 3, 4))) static int fail(flyte_out_string *out, int rc, const char *fmt, ...)
{
	char msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	flyte_out_string_fail(out, msg);
	return rc;
}

/* strerror is not thread-safe; the XSI strerror_r is (we build without _GNU_SOURCE). */
static const char *errstr(int errnum, char *buf, size_t size)
{
	if (strerror_r(errnum, buf, size))
		snprintf(buf, size, "error %d", errnum);
	return buf;
}

static int fail_errno(flyte_out_string *out, const char *who, const char *what, const char *path)
{
	char e[256];
	errstr(errno, e, sizeof e);
	return fail(out, FLYTE_EIO, "%s: cannot %s \"%s\": %s", who, what, path, e);
}

static int set_hex(flyte_out_string *out, const unsigned char d[32])
{
	static const char digits[] = "0123456789abcdef";
	char hex[64];
	for (int i = 0; i < 32; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	return flyte_out_string_set(out, hex, sizeof hex);
}

static EVP_MD_CTX *sha_new(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (c && !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(c);
		return NULL;
	}
	return c;
}

/* Finishes and frees c, then writes the digest as hex. */
static int sha_finish(flyte_out_string *out, EVP_MD_CTX *c, const char *who)
{
	unsigned char d[32];
	int ok = EVP_DigestFinal_ex(c, d, NULL);
	EVP_MD_CTX_free(c);
	if (!ok)
		return fail(out, FLYTE_ERROR, "%s: SHA-256 failed", who);
	return set_hex(out, d);
}

/* ---- local paths ---- */

/* "s3://..." and the like: a scheme (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ))
   followed by "://". */
static int has_scheme(const char *uri)
{
	const char *p = uri;
	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '+' ||
	       *p == '-' || *p == '.')
		p++;
	return strncmp(p, "://", 3) == 0;
}

/* The local path of a blob literal (borrowed from it). Like fsspec's local filesystem,
   "file://" is stripped without percent-decoding, so that a uri flytekit wrote for a
   local file names the same path here. */
static int blob_path(const char **path, flyte_out_string *out, const flyte_literal *literal, const char *who)
{
	const char *uri;
	if (flyte_literal_get_blob(literal, &uri, NULL, NULL))
		return fail(out, FLYTE_EINVALID, "%s: the literal is not a blob", who);
	if (strncmp(uri, "file://", 7) == 0) {
		uri += 7;
		if (strncmp(uri, "localhost/", 10) == 0)
			uri += 9;
		if (*uri != '/')
			return fail(out, FLYTE_EINVALID, "%s: \"file://%s\" does not name a local absolute path",
				    who, uri);
	} else if (has_scheme(uri)) {
		return fail(out, FLYTE_EINVALID,
			    "%s: \"%s\" is not a local file: only local paths and file:// URIs can be hashed", who,
			    uri);
	}
	if (!*uri)
		return fail(out, FLYTE_EINVALID, "%s: the blob has no uri", who);
	*path = uri;
	return 0;
}

/* Feeds the bytes of the open file fd to c; *size gets their number. */
static int feed_fd(uint64_t *size, flyte_out_string *out, EVP_MD_CTX *c, int fd, const char *who,
		   const char *path)
{
	char *buf = fl_malloc(CHUNK);
	if (!buf)
		return fail(out, FLYTE_ENOMEM, "%s: out of memory", who);
	int rc = 0;
	*size = 0;
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = fail_errno(out, who, "read", path);
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(c, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	fl_free(buf);
	return rc;
}

int flyte_hasher_sha256_file(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	static const char who[] = "sha256_file";
	const char *path;
	(void)payload;
	int rc = blob_path(&path, out, literal, who);
	if (rc)
		return rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_errno(out, who, "open", path);
	EVP_MD_CTX *c = sha_new();
	if (!c) {
		close(fd);
		return fail(out, FLYTE_ENOMEM, "%s: cannot start SHA-256", who);
	}
	uint64_t size;
	rc = feed_fd(&size, out, c, fd, who, path);
	close(fd);
	if (rc) {
		EVP_MD_CTX_free(c);
		return rc;
	}
	return sha_finish(out, c, who);
}

/* ---- directory trees ---- */

/* One directory hash in progress. */
typedef struct {
	flyte_out_string *out;
	int rootfd;
	const char *root; /* as the uri gave it, for messages */
	char **paths;     /* the files found, relative to root and '/'-separated */
	size_t n, cap;
} tree;

/* Names root/rel in the message: a relative path alone would not say which tree. */
static int tree_fail(tree *t, const char *what, const char *rel)
{
	char e[256];
	errstr(errno, e, sizeof e);
	return fail(t->out, FLYTE_EIO, "sha256_dir: cannot %s \"%s%s%s\": %s", what, t->root, *rel ? "/" : "", rel,
		    e);
}

static int tree_oom(tree *t)
{
	return fail(t->out, FLYTE_ENOMEM, "sha256_dir: out of memory");
}

static void tree_dispose(tree *t)
{
	for (size_t i = 0; i < t->n; i++)
		fl_free(t->paths[i]);
	fl_free(t->paths);
}

/* Takes p (NULL when out of memory). */
static int tree_add(tree *t, char *p)
{
	if (p && t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		char **v = fl_realloc(t->paths, cap * sizeof *v);
		if (!v) {
			fl_free(p);
			return tree_oom(t);
		}
		t->paths = v;
		t->cap = cap;
	}
	if (!p)
		return tree_oom(t);
	t->paths[t->n++] = p;
	return 0;
}

static int walk(tree *t, const char *rel);

/* Lists entry `name` of directory d (at rel), descending into directories. Only regular
   files and symbolic links are listed: a directory has no bytes of its own (so an empty
   one does not change the digest) and fifos, sockets and devices have no content that
   could be hashed. */
static int visit(tree *t, DIR *d, const char *rel, const char *name)
{
	struct stat st;
	char *p = *rel ? fl_asprintf("%s/%s", rel, name) : fl_strdup(name);
	if (!p)
		return tree_oom(t);
	int rc = 0;
	if (fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW))
		rc = tree_fail(t, "stat", p);
	else if (S_ISDIR(st.st_mode))
		rc = walk(t, p);
	else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		return tree_add(t, p);
	fl_free(p);
	return rc;
}

/* Lists the files under rel ("" for the root). */
static int walk(tree *t, const char *rel)
{
	int fd = openat(t->rootfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		int rc = tree_fail(t, "open directory", rel);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	int rc = 0;
	struct dirent *e;
	while (!rc) {
		errno = 0;
		if (!(e = readdir(d))) {
			if (errno)
				rc = tree_fail(t, "read directory", rel);
			break;
		}
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			rc = visit(t, d, rel, e->d_name);
	}
	closedir(d);
	return rc;
}

/* The target text of symbolic link rel; fl_free it. NULL with errno set on failure. */
static char *read_link(size_t *len, int rootfd, const char *rel)
{
	for (size_t cap = 256;; cap *= 2) {
		char *buf = fl_malloc(cap);
		if (!buf) {
			errno = ENOMEM;
			return NULL;
		}
		ssize_t n = readlinkat(rootfd, rel, buf, cap);
		if (n >= 0 && (size_t)n < cap) {
			*len = (size_t)n;
			return buf;
		}
		fl_free(buf);
		if (n < 0)
			return NULL;
	}
}

static void feed_header(EVP_MD_CTX *c, const char *rel, uint64_t size)
{
	unsigned char be[8];
	for (int i = 0; i < 8; i++)
		be[i] = (unsigned char)(size >> (56 - 8 * i));
	EVP_DigestUpdate(c, rel, strlen(rel) + 1);
	EVP_DigestUpdate(c, be, sizeof be);
}

static int feed_link(tree *t, EVP_MD_CTX *c, const char *rel)
{
	size_t len;
	char *target = read_link(&len, t->rootfd, rel);
	if (!target)
		return tree_fail(t, "read link", rel);
	feed_header(c, rel, len);
	EVP_DigestUpdate(c, target, len);
	fl_free(target);
	return 0;
}

static int changed(tree *t, const char *rel)
{
	return fail(t->out, FLYTE_EIO, "sha256_dir: \"%s/%s\" changed while it was being hashed", t->root, rel);
}

/* Feeds one listed entry: path, NUL, size, bytes. A regular file's size is taken from the
   open file and checked against what was read, so that a file growing or shrinking while
   it is hashed fails instead of producing a digest of neither version. O_NONBLOCK keeps
   a file replaced by a fifo since the walk from blocking the open. */
static int feed_entry(tree *t, EVP_MD_CTX *c, const char *rel)
{
	struct stat st;
	if (fstatat(t->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW))
		return tree_fail(t, "stat", rel);
	if (S_ISLNK(st.st_mode))
		return feed_link(t, c, rel);
	int fd = openat(t->rootfd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st)) {
		int rc = tree_fail(t, "open", rel);
		if (fd >= 0)
			close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return changed(t, rel);
	}
	feed_header(c, rel, (uint64_t)st.st_size);
	uint64_t size;
	int rc = feed_fd(&size, t->out, c, fd, "sha256_dir", rel);
	close(fd);
	return !rc && size != (uint64_t)st.st_size ? changed(t, rel) : rc;
}

static int cmp_path(const void *a, const void *b)
{
	/* strcmp compares as unsigned char: bytewise order. */
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int hash_tree(tree *t)
{
	int rc = walk(t, "");
	if (rc)
		return rc;
	EVP_MD_CTX *c = sha_new();
	if (!c)
		return fail(t->out, FLYTE_ENOMEM, "sha256_dir: cannot start SHA-256");
	if (t->n)
		qsort(t->paths, t->n, sizeof *t->paths, cmp_path);
	for (size_t i = 0; i < t->n && !rc; i++)
		rc = feed_entry(t, c, t->paths[i]);
	if (rc) {
		EVP_MD_CTX_free(c);
		return rc;
	}
	return sha_finish(t->out, c, "sha256_dir");
}

int flyte_hasher_sha256_dir(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	const char *path;
	(void)payload;
	int rc = blob_path(&path, out, literal, "sha256_dir");
	if (rc)
		return rc;
	/* The root itself may be a link to the directory the user means; only links inside
	   the tree are left unfollowed. */
	tree t = {out, open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), path, NULL, 0, 0};
	if (t.rootfd < 0)
		return fail_errno(out, "sha256_dir", "open directory", path);
	rc = hash_tree(&t);
	tree_dispose(&t);
	close(t.rootfd);
	return rc;
}

/* ---- canonical JSON ---- */

typedef struct {
	const char *key;
	size_t len;
	const json_t *value;
} member;

static int cmp_member(const void *a, const void *b)
{
	const member *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

static void canon_value(pb_buf *b, const json_t *v);

/* -0 equals 0; otherwise Go's shortest form (pb_buf_double), which writes whole numbers
   below 1e21 as plain integers: a Struct holds only doubles, so 100 arrives as 100.0. */
static void canon_real(pb_buf *b, double d)
{
	if (d == 0)
		pb_buf_puts(b, "0");
	else
		pb_buf_double(b, d);
}

static void canon_object(pb_buf *b, const json_t *v)
{
	size_t n = json_object_size(v), i = 0;
	member *m = fl_malloc((n ? n : 1) * sizeof *m);
	if (!m) {
		b->failed = 1;
		return;
	}
	const char *key;
	size_t len;
	json_t *val;
	json_object_keylen_foreach((json_t *)v, key, len, val) {
		m[i].key = key;
		m[i].len = len;
		m[i++].value = val;
	}
	qsort(m, n, sizeof *m, cmp_member);
	pb_buf_append(b, "{", 1);
	for (i = 0; i < n && !b->failed; i++) {
		if (i)
			pb_buf_append(b, ",", 1);
		pb_buf_json_string(b, m[i].key, m[i].len);
		pb_buf_append(b, ":", 1);
		canon_value(b, m[i].value);
	}
	pb_buf_append(b, "}", 1);
	fl_free(m);
}

static void canon_value(pb_buf *b, const json_t *v)
{
	char tmp[32];
	switch (json_typeof(v)) {
	case JSON_OBJECT: canon_object(b, v); break;
	case JSON_ARRAY:
		pb_buf_append(b, "[", 1);
		for (size_t i = 0; i < json_array_size(v) && !b->failed; i++) {
			if (i)
				pb_buf_append(b, ",", 1);
			canon_value(b, json_array_get(v, i));
		}
		pb_buf_append(b, "]", 1);
		break;
	case JSON_STRING: pb_buf_json_string(b, json_string_value(v), json_string_length(v)); break;
	case JSON_INTEGER:
		snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		pb_buf_puts(b, tmp);
		break;
	case JSON_REAL: canon_real(b, json_real_value(v)); break;
	case JSON_TRUE: pb_buf_puts(b, "true"); break;
	case JSON_FALSE: pb_buf_puts(b, "false"); break;
	case JSON_NULL: pb_buf_puts(b, "null"); break;
	}
}

/* A generic struct's own content, borrowed (taking a reference would write to a literal
   other threads may be reading); NULL for an empty struct. */
static const json_t *struct_json(const flyte_literal *literal)
{
	const pb_msg *st = pb_get_msg(fl_literal_scalar(M(literal)), F_SCALAR(generic));
	return st ? st->json : NULL;
}

/* The literal's flyteidl JSON as a new jansson value. */
static json_t *flyteidl_json(flyte_out_string *out, const flyte_literal *literal, int *rc)
{
	char *text;
	if (flyte_literal_to_json(&text, literal)) {
		*rc = fail(out, FLYTE_ENOMEM, "canonical_json: cannot write the literal as JSON");
		return NULL;
	}
	json_error_t je;
	json_t *j = json_loads(text, JSON_ALLOW_NUL, &je);
	flyte_string_free(text);
	if (!j)
		*rc = fail(out, FLYTE_ERROR, "canonical_json: cannot read the literal's JSON back: %s", je.text);
	return j;
}

static int hash_text(flyte_out_string *out, const pb_buf *b)
{
	unsigned char d[32];
	if (b->failed)
		return fail(out, FLYTE_ENOMEM, "canonical_json: out of memory");
	if (!EVP_Digest(b->data, b->len, d, NULL, EVP_sha256(), NULL))
		return fail(out, FLYTE_ERROR, "canonical_json: SHA-256 failed");
	return set_hex(out, d);
}

int flyte_hasher_canonical_json(flyte_out_string *out, const flyte_literal *literal, void *payload)
{
	int rc = 0;
	json_t *owned = NULL;
	const json_t *j;
	(void)payload;
	if (!literal)
		return fail(out, FLYTE_EINVALID, "canonical_json: NULL literal");
	if (flyte_literal_kind_of(literal) == FLYTE_LITERAL_GENERIC) {
		j = struct_json(literal);
	} else {
		j = owned = flyteidl_json(out, literal, &rc);
		if (!owned)
			return rc;
	}
	pb_buf b = {0};
	if (j)
		canon_value(&b, j);
	else
		pb_buf_puts(&b, "{}");
	json_decref(owned);
	rc = hash_text(out, &b);
	fl_free(b.data);
	return rc;
}
