/* Uploads through FlyteAdmin's data proxy (flyte/dataproxy.h). */
#include "flyte/dataproxy.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "base64.h"
#include "client.h"
#include "error.h"
#include "pb_json.h"
#include "pb_schema.h"

static int read_all(const char *path, char **data, size_t *len, flyte_error **error)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return fl_error(error, FLYTE_EIO, "cannot read %s: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *buf = fl_malloc(cap);
	int rc = buf ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
	while (!rc) {
		if (n == cap) {
			char *b = fl_realloc(buf, cap *= 2);
			if (!b) {
				rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
				break;
			}
			buf = b;
		}
		size_t k = fread(buf + n, 1, cap - n, f);
		n += k;
		if (k == 0) {
			if (ferror(f))
				rc = fl_error(error, FLYTE_EIO, "cannot read %s: %s", path, strerror(errno));
			break;
		}
	}
	fclose(f);
	if (rc) {
		fl_free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* One file: create the upload location (root and name as given), then PUT the bytes. */
static int upload(flyte_client *c, char **native_url, const char *path, const char *project, const char *domain,
		  const char *root, const char *filename, flyte_error **error)
{
	char *data = NULL;
	size_t len = 0;
	int rc = read_all(path, &data, &len, error);
	if (rc)
		return rc;
	unsigned char md5[16];
	char md5_b64[32];
	EVP_Digest(data, len, md5, NULL, EVP_md5(), NULL);
	base64_encode(md5_b64, md5, 16, 0);
	json_t *req = json_pack("{s:s,s:s,s:s,s:s}", "project", project, "domain", domain, "filename", filename,
				"content_md5", md5_b64);
	if (req && root)
		json_object_set_new(req, "filename_root", json_string(root));
	char *body = NULL, *resp = NULL;
	rc = req ? pb_json_canonical(&body, &pb_flyteidl_service_CreateUploadLocationRequest, req, error)
		 : fl_error(error, FLYTE_ENOMEM, "out of memory");
	json_decref(req);
	if (!rc)
		rc = fl_client_call(c, &resp, "POST", "/api/v1/dataproxy/artifact_urn", body, 1, error);
	fl_free(body);
	json_t *loc = rc ? NULL : json_loads(resp, 0, NULL);
	fl_free(resp);
	const char *signed_url = json_string_value(json_object_get(loc, "signed_url"));
	const char *native = json_string_value(json_object_get(loc, "native_url"));
	if (!rc && (!signed_url || !native))
		rc = fl_error(error, FLYTE_ERROR, "the data proxy gave no signed_url or native_url for %s", path);
	/* The PUT must carry the headers the location was signed with (Content-MD5, ...). */
	const char *headers[16] = {0};
	char *owned[16] = {0};
	size_t nh = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(loc, "headers"), k, v) {
		if (rc || nh == 15 || !json_is_string(v))
			continue;
		owned[nh] = fl_asprintf("%s: %s", k, json_string_value(v));
		headers[nh] = owned[nh];
		nh++;
	}
	if (!rc) {
		fl_http_request put = {.method = "PUT", .url = signed_url, .body = data, .body_len = len,
				       .content_type = "application/octet-stream", .headers = headers,
				       .idempotent = 1, .no_auth = 1, .raw = 1};
		fl_http_response r;
		rc = fl_transport_send(c->transport, &put, &r, error);
		fl_http_response_dispose(&r);
		if (rc)
			fl_error_prefix(error, "uploading %s", path);
	}
	if (!rc && !(*native_url = fl_strdup(native)))
		rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	for (size_t i = 0; i < nh; i++)
		fl_free(owned[i]);
	json_decref(loc);
	fl_free(data);
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
