/* Uploads through FlyteAdmin's data proxy (flyte/dataproxy.h). */
#include "flyte/dataproxy.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "alloc.h"
#include "base64.h"
#include "client.h"
#include "error.h"
#include "pb_json.h"
#include "pb_schema.h"

/* A local file opened for upload: its size and MD5, computed reading it once in chunks so
   that a file of any size costs a fixed amount of memory. */
typedef struct {
	const char *path;
	FILE *f;
	size_t len;
	char md5_b64[32];
	char md5_hex[33];
} local_file;

static int open_local(local_file *lf, const char *path, flyte_error **error)
{
	memset(lf, 0, sizeof *lf);
	lf->path = path;
	struct stat st;
	if (!(lf->f = fopen(path, "rb")))
		return fl_error(error, FLYTE_EIO, "cannot read %s: %s", path, strerror(errno));
	if (fstat(fileno(lf->f), &st) != 0 || !S_ISREG(st.st_mode))
		return fl_error(error, FLYTE_EINVALID, "%s is not a regular file", path);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char *buf = fl_malloc(1 << 16);
	int rc = ctx && buf && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) ? 0
								      : fl_error(error, FLYTE_ENOMEM, "out of memory");
	size_t k;
	while (!rc && (k = fread(buf, 1, 1 << 16, lf->f)) > 0) {
		EVP_DigestUpdate(ctx, buf, k);
		lf->len += k;
	}
	unsigned char md5[16];
	if (!rc && ferror(lf->f))
		rc = fl_error(error, FLYTE_EIO, "cannot read %s: %s", path, strerror(errno));
	else if (!rc && lf->len != (size_t)st.st_size)
		rc = fl_error(error, FLYTE_EIO, "%s changed while it was being read (%lld bytes, then %zu)", path,
			      (long long)st.st_size, lf->len);
	if (!rc && EVP_DigestFinal_ex(ctx, md5, NULL)) {
		base64_encode(lf->md5_b64, md5, 16, 0);
		for (int i = 0; i < 16; i++)
			snprintf(lf->md5_hex + 2 * i, 3, "%02x", md5[i]);
	}
	EVP_MD_CTX_free(ctx);
	fl_free(buf);
	return rc;
}

static void close_local(local_file *lf)
{
	if (lf->f)
		fclose(lf->f);
	lf->f = NULL;
}

/* CreateUploadLocation for the file: the location object (signed_url, native_url, headers). */
static int create_location(flyte_client *c, json_t **out, const local_file *lf, const char *project,
			   const char *domain, const char *root, const char *filename, flyte_error **error)
{
	*out = NULL;
	json_t *req = json_pack("{s:s,s:s,s:s,s:s}", "project", project, "domain", domain, "filename", filename,
				"content_md5", lf->md5_b64);
	if (req && root)
		json_object_set_new(req, "filename_root", json_string(root));
	char *body = NULL, *resp = NULL;
	int rc = req ? pb_json_canonical(&body, &pb_flyteidl_service_CreateUploadLocationRequest, req, error)
		     : fl_error(error, FLYTE_ENOMEM, "out of memory");
	json_decref(req);
	if (!rc)
		rc = fl_client_call(c, &resp, "POST", "/api/v1/dataproxy/artifact_urn", body, 1, error);
	fl_free(body);
	json_t *loc = rc ? NULL : json_loads(resp, 0, NULL);
	fl_free(resp);
	if (!rc && (!json_is_string(json_object_get(loc, "signed_url")) ||
		    !json_is_string(json_object_get(loc, "native_url"))))
		rc = fl_error(error, FLYTE_ERROR, "the data proxy gave no signed_url or native_url for %s", lf->path);
	if (rc)
		json_decref(loc);
	else
		*out = loc;
	return rc;
}

/* The storage URL as errors show it: scheme, host, port and path, never the query, which
   holds the signature. Only http and https are followed. */
static int storage_target(char **shown, char **host, const char *signed_url, flyte_error **error)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *h = NULL, *port = NULL, *path = NULL;
	int ok = u && curl_url_set(u, CURLUPART_URL, signed_url, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
	if (ok)
		curl_url_get(u, CURLUPART_PORT, &port, 0);
	int rc = 0;
	if (!ok || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		rc = fl_error(error, FLYTE_ERROR, "the data proxy gave a signed_url that is not an http(s) URL%s%s",
			      scheme ? ": scheme " : "", scheme ? scheme : "");
	else if (!(*host = port ? fl_asprintf("%s:%s", h, port) : fl_strdup(h)) ||
		 !(*shown = fl_asprintf("%s://%s%s", scheme, *host, path)))
		rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

static int is_signature_header(const char *name)
{
	return strcasecmp(name, "Content-MD5") == 0 || strncasecmp(name, "x-amz-", 6) == 0 ||
	       strncasecmp(name, "x-goog-", 7) == 0 || strncasecmp(name, "x-ms-", 5) == 0;
}

static int is_token(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("\"(),/:;<=>?@[\\]{}", *s))
			return 0;
	return 1;
}

/*
 * The header lines of the PUT: of what the data proxy returned, only what the signature
 * covers (Content-MD5, the store's x-amz-/x-goog-/x-ms- headers). Never its Content-Length:
 * FlyteAdmin's storage library sets it to 24, the length of the base64 MD5, which would cut
 * the upload short or stall it. Azure needs x-ms-blob-type on a Put Blob.
 */
static int put_headers(char ***out, const json_t *loc, const local_file *lf, flyte_error **error)
{
	const json_t *given = json_object_get(loc, "headers");
	char **lines = fl_calloc(json_object_size(given) + 2, sizeof *lines);
	if (!lines)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	*out = lines;
	size_t n = 0;
	int blob_type = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)given, k, v) {
		const char *s = json_string_value(v);
		if (!is_signature_header(k))
			continue;
		if (!s || !is_token(k) || strpbrk(s, "\r\n"))
			return fl_error(error, FLYTE_ERROR, "the data proxy gave an unusable upload header %s", k);
		if (strcasecmp(k, "Content-MD5") == 0 && strcmp(s, lf->md5_b64) != 0)
			return fl_error(error, FLYTE_ERROR,
					"the data proxy signed the upload of %s for MD5 %s, not the file's %s",
					lf->path, s, lf->md5_b64);
		blob_type |= strcasecmp(k, "x-ms-blob-type") == 0;
		if (!(lines[n++] = fl_asprintf("%s: %s", k, s)))
			return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	const char *native = json_string_value(json_object_get(loc, "native_url"));
	int azure = strncmp(native, "abfs", 4) == 0 || strncmp(native, "wasb", 4) == 0;
	if (azure && !blob_type && !(lines[n] = fl_strdup("x-ms-blob-type: BlockBlob")))
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	return 0;
}

static void free_lines(char **lines)
{
	for (char **p = lines; p && *p; p++)
		fl_free(*p);
	fl_free(lines);
}

/* Replaces every copy of `secret` in the error's message by `shown`. */
static void redact(flyte_error **error, const char *secret, const char *shown)
{
	if (!error || !*error || !(*error)->message || !strstr((*error)->message, secret))
		return;
	pb_buf b = {0};
	const char *p = (*error)->message, *hit;
	size_t n = strlen(secret);
	while ((hit = strstr(p, secret))) {
		pb_buf_append(&b, p, (size_t)(hit - p));
		pb_buf_puts(&b, shown);
		p = hit + n;
	}
	pb_buf_puts(&b, p);
	if (b.failed || !b.data) {
		fl_free(b.data);
		b.data = fl_strdup("upload failed (the message named the signed URL)");
	}
	fl_free((*error)->message);
	(*error)->message = b.data;
}

/* The text of <tag>...</tag> in an XML error body (S3, GCS and Azure all use Code and
   Message), printable characters only, at most `size` - 1 of them. */
static void xml_field(char *out, size_t size, const char *body, const char *tag)
{
	char open[32], close[32];
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = body ? strstr(body, open) : NULL, *b = a ? strstr(a, close) : NULL;
	size_t n = 0;
	for (const char *p = a ? a + strlen(open) : NULL; p && p < b && n + 1 < size; p++)
		out[n++] = *p >= 0x20 && *p < 0x7f ? *p : ' ';
	out[n] = '\0';
}

/* Adds what the store said to a refused PUT: its error code and message, nothing else of
   the body (S3's SignatureDoesNotMatch body repeats the signed request). */
static void add_store_reason(flyte_error **error, const fl_http_response *r)
{
	char code[64], msg[256];
	xml_field(code, sizeof code, r->body, "Code");
	xml_field(msg, sizeof msg, r->body, "Message");
	if (!error || !*error || !*code)
		return;
	char *m = fl_asprintf("%s (the store says %s%s%s)", (*error)->message, code, *msg ? ": " : "", msg);
	if (m) {
		fl_free((*error)->message);
		(*error)->message = m;
	}
}

/* PUTs the file, streamed from disk, and checks that what the store kept is what was sent
   when its answer says (S3 and GCS give the MD5 of a single PUT as ETag). */
static int put_file(flyte_client *c, local_file *lf, const json_t *loc, flyte_error **error)
{
	const char *signed_url = json_string_value(json_object_get(loc, "signed_url"));
	char *shown = NULL, *host = NULL, **lines = NULL;
	int rc = storage_target(&shown, &host, signed_url, error);
	if (!rc)
		rc = put_headers(&lines, loc, lf, error);
	if (!rc) {
		fl_http_request put = {.method = "PUT", .url = signed_url, .body_file = lf->f, .body_len = lf->len,
				       .content_type = "application/octet-stream",
				       .headers = (const char *const *)lines, .idempotent = 1, .no_auth = 1, .raw = 1};
		fl_http_response r;
		rc = fl_transport_send(c->transport, &put, &r, error);
		redact(error, signed_url, shown);
		if (rc && r.status)
			add_store_reason(error, &r);
		if (rc && (ferror(lf->f) || feof(lf->f))) {
			fl_error_prefix(error, "%s changed or could not be read while it was being uploaded", lf->path);
			rc = FLYTE_EIO;
			if (error && *error)
				(*error)->code = rc;
		}
		size_t tag = strlen(r.etag);
		if (!rc && tag == 32 && strspn(r.etag, "0123456789abcdefABCDEF") == 32 &&
		    strcasecmp(r.etag, lf->md5_hex) != 0)
			rc = fl_error(error, FLYTE_ERROR,
				      "PUT %s: the store kept an object with MD5 %s, not the %zu bytes sent (MD5 %s)",
				      shown, r.etag, lf->len, lf->md5_hex);
		fl_http_response_dispose(&r);
	}
	if (rc && host)
		fl_error_prefix(error, "uploading %s (%zu bytes) to %s", lf->path, lf->len, host);
	free_lines(lines);
	fl_free(shown);
	fl_free(host);
	return rc;
}

/* One file: create the upload location (root and name as given), then PUT the bytes. */
static int upload(flyte_client *c, char **native_url, const char *path, const char *project, const char *domain,
		  const char *root, const char *filename, flyte_error **error)
{
	local_file lf;
	json_t *loc = NULL;
	int rc = open_local(&lf, path, error);
	if (!rc)
		rc = create_location(c, &loc, &lf, project, domain, root, filename, error);
	if (!rc)
		rc = put_file(c, &lf, loc, error);
	if (!rc && !(*native_url = fl_strdup(json_string_value(json_object_get(loc, "native_url")))))
		rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	json_decref(loc);
	close_local(&lf);
	return rc;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

int flyte_upload_file(flyte_client *c, char **out, const char *path, const char *project, const char *domain,
		      flyte_error **error)
{
	if (!c || !out || !path)
		return fl_error(error, FLYTE_EINVALID, "upload: NULL argument");
	*out = NULL;
	return upload(c, out, path, project ? project : c->project, domain ? domain : c->domain, NULL,
		      base_name(path), error);
}

/* Walks dir (relative path rel), uploading each regular file under `root`. */
static int upload_tree(flyte_client *c, const char *dir, const char *rel, const char *project, const char *domain,
		       const char *root, char **first_url, size_t *count, flyte_error **error)
{
	DIR *d = opendir(dir);
	if (!d)
		return fl_error(error, FLYTE_EIO, "cannot read directory %s: %s", dir, strerror(errno));
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char *full = fl_asprintf("%s/%s", dir, e->d_name);
		char *name = *rel ? fl_asprintf("%s/%s", rel, e->d_name) : fl_strdup(e->d_name);
		struct stat st;
		if (!full || !name) {
			rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
		} else if (lstat(full, &st) != 0) {
			rc = fl_error(error, FLYTE_EIO, "cannot stat %s: %s", full, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			rc = upload_tree(c, full, name, project, domain, root, first_url, count, error);
		} else if (S_ISREG(st.st_mode)) {
			char *url = NULL;
			rc = upload(c, &url, full, project, domain, root, name, error);
			if (!rc && !*first_url) {
				/* The directory's uri: the file's uri without its relative name. */
				size_t ul = strlen(url), nl = strlen(name);
				if (ul > nl + 1 && strcmp(url + ul - nl, name) == 0)
					url[ul - nl - 1] = '\0';
				*first_url = url;
			} else {
				fl_free(url);
			}
			(*count)++;
		}
		fl_free(full);
		fl_free(name);
	}
	closedir(d);
	return rc;
}

int flyte_upload_directory(flyte_client *c, char **out, const char *path, const char *project, const char *domain,
			   flyte_error **error)
{
	if (!c || !out || !path)
		return fl_error(error, FLYTE_EINVALID, "upload: NULL argument");
	*out = NULL;
	/* One random root for the whole tree, so its files share a prefix: the directory uri. */
	char root[40];
	unsigned char rnd[16];
	FILE *ur = fopen("/dev/urandom", "rb");
	if (!ur || fread(rnd, 1, sizeof rnd, ur) != sizeof rnd) {
		if (ur)
			fclose(ur);
		return fl_error(error, FLYTE_EIO, "cannot read /dev/urandom");
	}
	fclose(ur);
	for (int i = 0; i < 16; i++)
		snprintf(root + 2 * i, 3, "%02x", rnd[i]);
	size_t count = 0;
	int rc = upload_tree(c, path, "", project ? project : c->project, domain ? domain : c->domain, root, out, &count,
			     error);
	if (!rc && count == 0)
		rc = fl_error(error, FLYTE_EINVALID, "directory %s has no files to upload", path);
	if (rc) {
		fl_free(*out);
		*out = NULL;
	}
	return rc;
}
