/*
 * dataproxy: FlyteAdmin's DataProxyService over the local data directory. Upload
 * locations and download links are signed URLs into the server's own /files/ route; the
 * signature is a random token kept in SQLite (so it survives a restart), bound to one path,
 * an expiry and, for uploads, the Content-MD5 the client promised.
 */
#include "dataproxy.h"
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "base64.h"
#include "pb_json.h"
#include "routes.h"

#define F_UP(f) PBF_flyteidl_service_CreateUploadLocationRequest_##f
#define F_LINK(f) PBF_flyteidl_service_CreateDownloadLinkRequest_##f
#define MD5_B64_LEN 24

static char data_dir[PATH_MAX];

const char *ds_dataproxy_data_dir(void)
{
	return data_dir;
}

/* ---- small helpers ---- */

/* Go's time.Duration.String(), which FlyteAdmin's messages print ("1h0m0s", "1.5s"). */
static void go_duration(char *out, size_t size, long long ns)
{
	static const char *const units[] = {"ns", "\xc2\xb5s", "ms"};
	unsigned long long u = ns < 0 ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	const char *sign = ns < 0 ? "-" : "";
	char frac[24] = "";
	unsigned long long div = 1;
	int unit = 0, digits = 0;
	if (u == 0) {
		snprintf(out, size, "0s");
		return;
	}
	while (u >= div * 1000 && unit < 3)
		div *= 1000, unit++, digits += 3;
	unsigned long long whole = u / div, rest = u % div;
	if (rest) {
		snprintf(frac, sizeof frac, ".%0*llu", digits, rest);
		for (char *e = frac + strlen(frac) - 1; *e == '0'; e--)
			*e = '\0';
	}
	if (unit < 3)
		snprintf(out, size, "%s%llu%s%s", sign, whole, frac, units[unit]);
	else if (whole >= 3600)
		snprintf(out, size, "%s%lluh%llum%llu%ss", sign, whole / 3600, whole / 60 % 60, whole % 60, frac);
	else if (whole >= 60)
		snprintf(out, size, "%s%llum%llu%ss", sign, whole / 60, whole % 60, frac);
	else
		snprintf(out, size, "%s%llu%ss", sign, whole, frac);
}

/* A google.protobuf.Duration in ns, saturated as Go's AsDuration does. */
static long long duration_ns(const pb_msg *d)
{
	long long sec = d->fields[PBF_google_protobuf_Duration_seconds].i64;
	long long nanos = d->fields[PBF_google_protobuf_Duration_nanos].i32;
	if (sec > LLONG_MAX / 1000000000LL - 1)
		return LLONG_MAX;
	if (sec < LLONG_MIN / 1000000000LL + 1)
		return LLONG_MIN;
	return sec * 1000000000LL + nanos;
}

/* RFC 4648 base32 with padding, as Go's base32.StdEncoding (FlyteAdmin's md5 prefix). */
static char *base32(const unsigned char *in, size_t n)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t len = (n + 4) / 5 * 8;
	char *out = fl_malloc(len + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 5) {
		unsigned char b[5] = {0};
		size_t k = n - i < 5 ? n - i : 5;
		memcpy(b, in + i, k);
		unsigned long long v = (unsigned long long)b[0] << 32 | (unsigned long long)b[1] << 24 |
				       (unsigned long long)b[2] << 16 | (unsigned long long)b[3] << 8 | b[4];
		static const int chars[] = {0, 2, 4, 5, 7, 8};
		for (int c = 0; c < 8; c++)
			out[o++] = c < chars[k] ? alphabet[(v >> (35 - 5 * c)) & 31] : '=';
	}
	out[o] = '\0';
	return out;
}

static int random_token(char out[48])
{
	unsigned char b[24];
	if (RAND_bytes(b, sizeof b) != 1)
		return -1;
	base64_encode(out, b, sizeof b, BASE64_URL | BASE64_NOPAD);
	return 0;
}

/* FlyteAdmin's default upload name: k8s rand.String(20) over the same alphabet. */
static int random_filename(char out[21])
{
	static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
	unsigned char b[20];
	if (RAND_bytes(b, sizeof b) != 1)
		return -1;
	for (int i = 0; i < 20; i++)
		out[i] = alphabet[b[i] % (sizeof alphabet - 1)];
	out[20] = '\0';
	return 0;
}

static void md5_b64(char out[MD5_B64_LEN + 1], const unsigned char digest[16])
{
	base64_encode(out, digest, 16, 0);
}

static int md5_of_buffer(char out[MD5_B64_LEN + 1], const void *data, size_t len)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	if (EVP_Digest(data, len, d, &n, EVP_md5(), NULL) != 1 || n != 16)
		return -1;
	md5_b64(out, d);
	return 0;
}

static int md5_of_file(char out[MD5_B64_LEN + 1], const char *path)
{
	FILE *f = fopen(path, "rb");
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = f && c && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1;
	char buf[65536];
	size_t n;
	while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
		ok = EVP_DigestUpdate(c, buf, n) == 1;
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, d, &len) == 1 && len == 16;
	if (ok)
		md5_b64(out, d);
	EVP_MD_CTX_free(c);
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

/* A relative path that stays inside the data directory: no empty, "." or ".." segment. */
static int safe_rel_path(const char *p)
{
	if (!*p || *p == '/' || strlen(p) + strlen(data_dir) + 2 > PATH_MAX)
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p == '/' && !*++p)
			return 0;
	}
	return 1;
}

/* base_url + "/files/" + rel (percent-encoded but for '/') + "?token=" + token. */
static char *signed_url(ds_server *s, const char *rel, const char *token)
{
	pb_buf b = {0};
	pb_buf_puts(&b, s->base_url);
	pb_buf_puts(&b, "/files/");
	for (const unsigned char *c = (const unsigned char *)rel; *c; c++) {
		char esc[4];
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		    strchr("-._~/", *c)) {
			pb_buf_append(&b, (const char *)c, 1);
		} else {
			snprintf(esc, sizeof esc, "%%%02X", *c);
			pb_buf_append(&b, esc, 3);
		}
	}
	pb_buf_puts(&b, "?token=");
	pb_buf_puts(&b, token);
	pb_buf_append(&b, "", 1);
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	return b.data;
}

/* Upload (PUT) and download (GET) signatures live in two tables of the same shape, so
   that a download link can never be used to write. */
static const struct {
	const char *expire, *insert, *check;
} token_sql[2] = {
	{"DELETE FROM download_tokens WHERE expires_at < ?",
	 "INSERT INTO download_tokens (token, path, expires_at, content_md5) VALUES (?, ?, ?, ?)",
	 "SELECT content_md5 FROM download_tokens WHERE token = ? AND path = ? AND expires_at > ?"},
	{"DELETE FROM upload_tokens WHERE expires_at < ?",
	 "INSERT INTO upload_tokens (token, path, expires_at, content_md5) VALUES (?, ?, ?, ?)",
	 "SELECT content_md5 FROM upload_tokens WHERE token = ? AND path = ? AND expires_at > ?"},
};

/* Stores a token (md5 may be NULL). Expired tokens are dropped on the way. */
static int store_token(ds_server *s, const char *token, const char *rel, long long expires_at, const char *md5,
		       int upload)
{
	sqlite3 *db = ds_store_lock(s->store);
	int ok = ds_store_begin(db) == SQLITE_OK;
	sqlite3_stmt *st = ok ? ds_store_prepare(db, token_sql[upload].expire, "i", ds_now_ns()) : NULL;
	ok = st && sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	st = ok ? ds_store_prepare(db, token_sql[upload].insert, "ttit", token, rel, expires_at, md5) : NULL;
	ok = st && sqlite3_step(st) == SQLITE_DONE;
	sqlite3_finalize(st);
	if (ok)
		ok = ds_store_commit(db) == SQLITE_OK;
	else
		ds_store_rollback(db);
	ds_store_unlock(s->store);
	return ok ? 0 : -1;
}

/* Whether token signs rel and has not expired; *md5 gets an upload's promised Content-MD5
   (owned, NULL when none). */
static int check_token(ds_server *s, const char *token, const char *rel, int upload, char **md5)
{
	*md5 = NULL;
	if (!token)
		return 0;
	sqlite3 *db = ds_store_lock(s->store);
	sqlite3_stmt *st = ds_store_prepare(db, token_sql[upload].check, "tti", token, rel, ds_now_ns());
	int ok = st && sqlite3_step(st) == SQLITE_ROW;
	if (ok && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		*md5 = fl_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	ds_store_unlock(s->store);
	return ok;
}

/* Writes data to path so that readers see the old file or the whole new one. */
static int write_atomically(char *path, const char *data, size_t len)
{
	if (ds_mkdir_parents(path) != 0)
		return -1;
	char *tmp = fl_asprintf("%s.upload-XXXXXX", path);
	if (!tmp)
		return -1;
	int fd = mkstemp(tmp);
	int ok = fd >= 0 && fchmod(fd, 0644) == 0;
	for (size_t off = 0; ok && off < len;) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		ok = n > 0;
		off += ok ? (size_t)n : 0;
	}
	if (fd >= 0 && close(fd) != 0)
		ok = 0;
	if (ok)
		ok = rename(tmp, path) == 0;
	if (!ok && fd >= 0)
		unlink(tmp);
	fl_free(tmp);
	return ok ? 0 : -1;
}

/* ---- CreateUploadLocation ---- */

static void reply_upload(ds_server *s, ds_reply *out, const char *rel, long long expires_in, const char *md5)
{
	char token[48], ts[40];
	if (random_token(token) != 0) {
		ds_reply_error(out, GRPC_INTERNAL, "failed to create a signed url. Error: no randomness");
		return;
	}
	long long expires_at = ds_now_ns() + expires_in;
	if (store_token(s, token, rel, expires_at, md5, 1) != 0) {
		ds_reply_error(out, GRPC_INTERNAL, "failed to create a signed url. Error: cannot store the token");
		return;
	}
	ds_ns_to_rfc3339(ts, expires_at);
	char *url = signed_url(s, rel, token), *native = fl_asprintf("file://%s/%s", data_dir, rel);
	json_t *v = NULL;
	if (url && native)
		v = json_pack("{s:s,s:s,s:s,s:o}", "signed_url", url, "native_url", native, "expires_at", ts, "headers",
			      md5 ? json_pack("{s:s}", "Content-MD5", md5) : json_object());
	fl_free(url);
	fl_free(native);
	ds_reply_json(out, &pb_flyteidl_service_CreateUploadLocationResponse, v);
}

/* FlyteAdmin refuses to hand out a known location over a file with other content. */
static int existing_file_conflicts(const char *rel, const char *md5, ds_reply *out)
{
	char *path = fl_asprintf("%s/%s", data_dir, rel), have[MD5_B64_LEN + 1];
	struct stat st;
	int conflict = path && stat(path, &st) == 0 && (!md5 || md5_of_file(have, path) != 0 || strcmp(have, md5));
	if (conflict)
		ds_reply_error(out, GRPC_ALREADY_EXISTS,
			       "file already exists at location [file://%s], specify a matching hash if you wish "
			       "to rewrite", path);
	fl_free(path);
	return conflict;
}

static void upload_location(ds_server *s, const pb_msg *req, ds_reply *out)
{
	const char *project = pb_get_str(req, F_UP(project)), *domain = pb_get_str(req, F_UP(domain));
	const char *filename = pb_get_str(req, F_UP(filename)), *root = pb_get_str(req, F_UP(filename_root));
	const pb_bytes *md5 = pb_get_bytes(req, F_UP(content_md5));
	size_t md5_len = md5 ? md5->len : 0;
	if (!*project || !*domain) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "project and domain are required parameters");
		return;
	}
	if (!*root && !md5_len) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "content_md5 or filename_root is a required parameter");
		return;
	}
	char md5_text[96], name[21];
	if (md5_len > 64) { /* an MD5 is 16 bytes; nothing longer can ever match */
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "content_md5 is not an MD5 digest");
		return;
	}
	if (md5_len)
		base64_encode(md5_text, (const unsigned char *)md5->data, md5_len, 0);
	if (!*filename) {
		if (random_filename(name) != 0) {
			ds_reply_error(out, GRPC_INTERNAL, "failed to create a signed url. Error: no randomness");
			return;
		}
	}
	char *prefix = *root ? fl_strdup(root) : base32((const unsigned char *)md5->data, md5_len);
	char *rel = prefix ? fl_asprintf("uploads/%s/%s/%s/%s", project, domain, prefix, *filename ? filename : name)
			   : NULL;
	fl_free(prefix);
	if (!rel) {
		ds_reply_error(out, GRPC_INTERNAL, "out of memory");
		return;
	}
	if (!safe_rel_path(rel)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "failed to create storage location, Error: [%s] is not a path inside the data "
			       "directory", rel);
	} else if (*filename && *root && existing_file_conflicts(rel, md5_len ? md5_text : NULL, out)) {
		/* replied */
	} else {
		const pb_msg *d = pb_get_msg(req, F_UP(expires_in));
		long long ns = d ? duration_ns(d) : DS_SIGNED_URL_MAX_NS;
		char have[64], max[64];
		go_duration(have, sizeof have, ns);
		go_duration(max, sizeof max, DS_SIGNED_URL_MAX_NS);
		if (ns > DS_SIGNED_URL_MAX_NS)
			ds_reply_error(out, GRPC_INVALID_ARGUMENT,
				       "expiresIn [%s] cannot exceed max allowed expiration [%s]", have, max);
		else
			reply_upload(s, out, rel, ns, md5_len ? md5_text : NULL);
	}
	fl_free(rel);
}

static void create_upload_location(ds_server *s, const ds_request *rq, ds_reply *out)
{
	pb_msg *req;
	if (ds_decode_body(rq, &pb_flyteidl_service_CreateUploadLocationRequest, &req, out) != 0)
		return;
	upload_location(s, req, out);
	pb_msg_free(req);
}

/* ---- the file store: PUT and GET /files/<path>?token= ---- */

static void put_file(ds_server *s, const ds_request *rq, ds_reply *out)
{
	const char *rel = rq->params[0];
	char *want = NULL, got[MD5_B64_LEN + 1] = "";
	if (!safe_rel_path(rel)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid path [%s]", rel);
		return;
	}
	if (!check_token(s, ds_query(rq, "token"), rel, 1, &want)) {
		ds_reply_error(out, GRPC_PERMISSION_DENIED, "the signed URL is invalid or has expired");
		return;
	}
	/* As S3: the header must be the signed digest, and the body must have that digest. */
	const char *header = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Content-MD5");
	if (want && (!header || strcmp(header, want) != 0)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "the signed URL requires the header Content-MD5: %s", want);
	} else if (header && (md5_of_buffer(got, rq->body, rq->body_len) != 0 || strcmp(got, header) != 0)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "the Content-MD5 you specified did not match what was received (%s)", got);
	} else {
		char *path = fl_asprintf("%s/%s", data_dir, rel);
		if (!path || write_atomically(path, rq->body, rq->body_len) != 0) {
			ds_reply_error(out, GRPC_INTERNAL, "cannot write %s: %s", rel, strerror(errno));
		} else {
			out->status = 200;
			out->content_type = "text/plain; charset=utf-8";
		}
		fl_free(path);
	}
	fl_free(want);
}

static void get_file(ds_server *s, const ds_request *rq, ds_reply *out)
{
	const char *rel = rq->params[0];
	char *unused = NULL;
	if (!safe_rel_path(rel)) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "invalid path [%s]", rel);
		return;
	}
	int signed_ok = check_token(s, ds_query(rq, "token"), rel, 0, &unused);
	fl_free(unused);
	if (!signed_ok) {
		ds_reply_error(out, GRPC_PERMISSION_DENIED, "the signed URL is invalid or has expired");
		return;
	}
	struct stat st;
	char *path = fl_asprintf("%s/%s", data_dir, rel);
	if (!path || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		fl_free(path);
		ds_reply_error(out, GRPC_NOT_FOUND, "object not found");
		return;
	}
	out->file_path = path;
	out->status = 200;
	out->content_type = "application/octet-stream";
}

/* ---- download links ---- */

int ds_dataproxy_download_url(char **url, long long *expires_at_ns, ds_server *s, const char *uri,
			      long long expires_in_ns)
{
	*url = NULL;
	size_t dl = strlen(data_dir);
	if (strncmp(uri, "file://", 7) != 0 || strncmp(uri + 7, data_dir, dl) != 0 || uri[7 + dl] != '/' ||
	    !safe_rel_path(uri + 8 + dl))
		return -1;
	char token[48];
	long long now = ds_now_ns();
	if (expires_in_ns <= 0)
		expires_in_ns = DS_SIGNED_URL_MAX_NS;
	long long expires_at = expires_in_ns > LLONG_MAX - now ? LLONG_MAX : now + expires_in_ns;
	if (random_token(token) != 0 || store_token(s, token, uri + 8 + dl, expires_at, NULL, 0) != 0)
		return -1;
	*url = signed_url(s, uri + 8 + dl, token);
	if (expires_at_ns)
		*expires_at_ns = expires_at;
	return *url ? 0 : -1;
}

/* FlyteAdmin's validateDuration: absent means the maximum; negative or too long is an error. */
static int download_expiry(long long *ns, const pb_msg *d, char *why, size_t size)
{
	char have[64], max[64];
	*ns = d ? duration_ns(d) : DS_SIGNED_URL_MAX_NS;
	go_duration(have, sizeof have, *ns);
	go_duration(max, sizeof max, DS_SIGNED_URL_MAX_NS);
	if (*ns < 0)
		snprintf(why, size, "expiresIn is invalid. Error: input duration [%s] should not less than 0", have);
	else if (*ns > DS_SIGNED_URL_MAX_NS)
		snprintf(why, size, "expiresIn is invalid. Error: input duration [%s] cannot exceed max allowed "
			 "expiration [%s]", have, max);
	else
		return 0;
	return -1;
}

/*
 * Only decks can be linked, and the dev server's tasks write none, so a well-formed request
 * ends where FlyteAdmin's does for a node without a deck: INTERNAL "no deckUrl found"
 * (flyteadmin/dataproxy/service.go uses codes.Internal there).
 */
static void download_link(const pb_msg *req, ds_reply *out)
{
	char why[256];
	long long ns;
	if (download_expiry(&ns, pb_get_msg(req, F_LINK(expires_in)), why, sizeof why) != 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "error while validating request. Error: %s", why);
		return;
	}
	if (req->fields[F_LINK(artifact_type)].i32 == 0) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "error while validating request. Error: invalid artifact "
							   "type [ARTIFACT_TYPE_UNDEFINED]");
		return;
	}
	if (!pb_has(req, F_LINK(node_execution_id))) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT,
			       "error while validating request. Error: source is required. Provided nil");
		return;
	}
	char *text = pb_json_encode(req, 0, NULL);
	ds_reply_error(out, GRPC_INTERNAL, "no deckUrl found for request [%s]", text ? text : "");
	fl_free(text);
}

static void create_download_link(ds_server *s, const ds_request *rq, ds_reply *out)
{
	(void)s;
	pb_msg *req;
	if (ds_decode_body(rq, &pb_flyteidl_service_CreateDownloadLinkRequest, &req, out) != 0)
		return;
	download_link(req, out);
	pb_msg_free(req);
}

/* The deprecated CreateDownloadLocation: GET artifact_urn?native_url=&expires_in= */
static void create_download_location(ds_server *s, const ds_request *rq, ds_reply *out)
{
	const char *native = ds_query(rq, "native_url"), *exp = ds_query(rq, "expires_in");
	if (!native)
		native = ds_query(rq, "nativeUrl");
	if (!exp)
		exp = ds_query(rq, "expiresIn");
	pb_msg *d = NULL;
	if (exp) {
		int64_t sec;
		int32_t nanos;
		d = pb_msg_new(&pb_google_protobuf_Duration);
		if (!d || pb_parse_duration(exp, strlen(exp), &sec, &nanos) != 0) {
			pb_msg_free(d);
			ds_reply_error(out, GRPC_INVALID_ARGUMENT, "parsing field \"expires_in\": bad Duration: %s",
				       exp);
			return;
		}
		pb_set_i64(d, PBF_google_protobuf_Duration_seconds, sec);
		pb_set_i32(d, PBF_google_protobuf_Duration_nanos, nanos);
	}
	char why[256], *url = NULL, ts[40];
	long long ns, expires_at;
	int bad = download_expiry(&ns, d, why, sizeof why);
	pb_msg_free(d);
	if (bad) {
		ds_reply_error(out, GRPC_INVALID_ARGUMENT, "error while validating request: %s", why);
		return;
	}
	if (ds_dataproxy_download_url(&url, &expires_at, s, native ? native : "", ns) != 0) {
		ds_reply_error(out, GRPC_INTERNAL, "failed to create a signed url. Error: [%s] is not a file under %s",
			       native ? native : "", data_dir);
		return;
	}
	ds_ns_to_rfc3339(ts, expires_at);
	ds_reply_json(out, &pb_flyteidl_service_CreateDownloadLocationResponse,
		      json_pack("{s:s,s:s}", "signed_url", url, "expires_at", ts));
	fl_free(url);
}

const ds_route ds_dataproxy_routes[] = {
	{"POST", "/api/v1/dataproxy/artifact_urn", create_upload_location},
	{"GET", "/api/v1/dataproxy/artifact_urn", create_download_location},
	{"POST", "/api/v1/dataproxy/artifact_link", create_download_link},
	{"PUT", "/files/{*}", put_file},
	{"GET", "/files/{*}", get_file},
	{NULL, NULL, NULL},
};

int ds_dataproxy_init(ds_server *s, char **error)
{
	if (!realpath(s->config.data_dir, data_dir)) {
		*error = fl_asprintf("cannot resolve data directory %s: %s", s->config.data_dir, strerror(errno));
		return -1;
	}
	sqlite3 *db = ds_store_lock(s->store);
	int rc = ds_store_exec(db, "CREATE TABLE IF NOT EXISTS upload_tokens (token TEXT PRIMARY KEY, "
				   "path TEXT NOT NULL, expires_at INTEGER NOT NULL, content_md5 TEXT);"
				   "CREATE TABLE IF NOT EXISTS download_tokens (token TEXT PRIMARY KEY, "
				   "path TEXT NOT NULL, expires_at INTEGER NOT NULL, content_md5 TEXT);"
				   "CREATE INDEX IF NOT EXISTS upload_tokens_expiry ON upload_tokens (expires_at);"
				   "CREATE INDEX IF NOT EXISTS download_tokens_expiry "
				   "ON download_tokens (expires_at);");
	if (rc != SQLITE_OK)
		*error = fl_asprintf("cannot create the dataproxy tables: %s", sqlite3_errmsg(db));
	ds_store_unlock(s->store);
	return rc == SQLITE_OK ? 0 : -1;
}
