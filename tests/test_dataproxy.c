/* Uploads through the data proxy: files and directories arrive byte for byte in the real
   flyte-devserver; of the headers an upload location carries only those the signature
   needs reach the store (FlyteAdmin's bogus Content-Length: 24 never does); the store's
   ETag is checked; errors name the storage host and never the signed query string.
   Where FlyteAdmin's answers are needed, a scripted server plays FlyteAdmin and the PUT
   still goes to the dev server's real signed URL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flyte/flyte.h>

#include "stub_http.h"
#include "testutil.h"

#pragma GCC diagnostic ignored "-Wshadow"
#define OK(call)                                                                          \
	do {                                                                              \
		flyte_error *err = NULL;                                                  \
		int rc_ = (call);                                                         \
		if (rc_)                                                                  \
			fail_msg("%s: %s: %s", #call, flyte_error_code_name(rc_),         \
				 flyte_error_message(err));                               \
	} while (0)

typedef struct {
	tu_devserver *server;
	flyte_client *client; /* to the dev server */
	char dir[64];         /* local files to upload */
} fixture;

static flyte_client *client_for(const char *url)
{
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = url;
	o.max_attempts = 1;
	o.timeout_ms = 5000; /* a PUT that waits for bytes never sent fails in 5 s, not 60 */
	flyte_client *c;
	OK(flyte_client_new(&c, &o, &err));
	return c;
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (!(f->server = tu_devserver_start(NULL)))
		fail_msg("flyte-devserver did not start");
	f->client = client_for(tu_devserver_url(f->server));
	snprintf(f->dir, sizeof f->dir, "/tmp/flyte-upload-test-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	flyte_client_free(f->client);
	assert_int_equal(tu_devserver_stop(f->server), 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", f->dir);
	int rc = system(cmd);
	free(f);
	return rc;
}

/* Bytes that differ at every offset, so a shifted or truncated copy never compares equal. */
static const char *write_file(const fixture *f, const char *name, size_t size)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", f->dir, name);
	for (char *s = strchr(path + strlen(f->dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	FILE *out = fopen(path, "wb");
	assert_non_null(out);
	uint32_t x = (uint32_t)size * 2654435761u + 1;
	for (size_t i = 0; i < size; i++) {
		x = x * 1103515245u + 12345u;
		fputc((int)(x >> 16) & 0xff, out);
	}
	assert_int_equal(fclose(out), 0);
	return path;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t la, lb;
	char *x = tu_read_file(a, &la), *y = tu_read_file(b, &lb);
	if (!x || !y)
		fail_msg("cannot read %s or %s", a, b);
	if (la != lb || memcmp(x, y, la) != 0)
		fail_msg("%s (%zu bytes) and %s (%zu bytes) differ", a, la, b, lb);
	free(x);
	free(y);
}

/* The dev server's file:// native uri is the stored file. */
static const char *stored_path(const char *native_url)
{
	assert_true(strncmp(native_url, "file://", 7) == 0);
	return native_url + 7;
}

static void md5_of(const char *path, char b64[32], char hex[33])
{
	size_t len;
	char *data = tu_read_file(path, &len);
	unsigned char md5[16];
	EVP_Digest(data, len, md5, NULL, EVP_md5(), NULL);
	free(data);
	EVP_EncodeBlock((unsigned char *)b64, md5, 16);
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", md5[i]);
}

static void test_files_arrive_byte_for_byte(void **state)
{
	fixture *f = *state;
	static const size_t sizes[] = {0, 1, 4, 24, 100, 65535, 65536, 65537, 3 * 1024 * 1024 + 7};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char name[32];
		snprintf(name, sizeof name, "f%zu.bin", sizes[i]);
		const char *path = write_file(f, name, sizes[i]);
		char *uri;
		OK(flyte_upload_file(f->client, &uri, path, NULL, NULL, &err));
		assert_same_file(path, stored_path(uri));
		flyte_string_free(uri);
	}
}

static void test_directories_arrive_file_by_file(void **state)
{
	fixture *f = *state;
	char rel[64];
	for (int i = 0; i < 40; i++) {
		snprintf(rel, sizeof rel, "tree/%s%d.dat", i % 3 ? "" : (i % 2 ? "sub/" : "sub/deeper/"), i);
		write_file(f, rel, (size_t)(i * 997) % 70001);
	}
	char tree[128];
	snprintf(tree, sizeof tree, "%s/tree", f->dir);
	char *uri;
	OK(flyte_upload_directory(f->client, &uri, tree, NULL, NULL, &err));
	for (int i = 0; i < 40; i++) {
		snprintf(rel, sizeof rel, "%s%d.dat", i % 3 ? "" : (i % 2 ? "sub/" : "sub/deeper/"), i);
		char local[256], stored[1024];
		snprintf(local, sizeof local, "%s/%s", tree, rel);
		snprintf(stored, sizeof stored, "%s/%s", stored_path(uri), rel);
		assert_same_file(local, stored);
	}
	flyte_string_free(uri);
}

/* The dev server's real upload location for a file, as JSON. */
static json_t *devserver_location(const fixture *f, const char *path, const char *filename)
{
	char b64[32], hex[33];
	md5_of(path, b64, hex);
	char body[256], *resp;
	snprintf(body, sizeof body,
		 "{\"project\":\"flytesnacks\",\"domain\":\"development\",\"filename\":\"%s\",\"content_md5\":\"%s\"}",
		 filename, b64);
	OK(flyte_client_request(f->client, &resp, "POST", "/api/v1/dataproxy/artifact_urn", body, 1, &err));
	json_t *loc = json_loads(resp, 0, NULL);
	flyte_string_free(resp);
	assert_non_null(loc);
	return loc;
}

/* FlyteAdmin's answer: the location with `headers` in place of the dev server's. */
static char *as_flyteadmin(json_t *loc, const char *signed_url, json_t *headers)
{
	json_t *out = json_pack("{s:s,s:O,s:o}", "signed_url",
				signed_url ? signed_url : json_string_value(json_object_get(loc, "signed_url")),
				"native_url", json_object_get(loc, "native_url"), "headers", headers);
	char *text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	return text;
}

static stub_step respond(const char *headers, const char *body)
{
	stub_step s = {STUB_RESPOND, 200, headers, body, 0};
	return s;
}

/* On S3, GCS and Azure FlyteAdmin's location carries Content-Length: 24 (the length of the
   base64 MD5): copied into the PUT, it cut a 100-byte file to 24 bytes and stalled a
   4-byte one. */
static void test_flyteadmin_headers_do_not_corrupt(void **state)
{
	fixture *f = *state;
	static const size_t sizes[] = {0, 4, 100, 5000};
	for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		char name[32], b64[32], hex[33];
		snprintf(name, sizeof name, "admin%zu.bin", sizes[i]);
		const char *path = write_file(f, name, sizes[i]);
		md5_of(path, b64, hex);
		json_t *loc = devserver_location(f, path, name);
		json_t *headers = json_pack("{s:s,s:s}", "Content-Length", "24", "Content-MD5", b64);
		char *body = as_flyteadmin(loc, NULL, headers);
		stub_step steps[] = {respond("Content-Type: application/json\r\n", body)};
		stub_http *admin = stub_start(steps, 1);
		flyte_client *c = client_for(stub_url(admin));
		char *uri;
		OK(flyte_upload_file(c, &uri, path, NULL, NULL, &err));
		assert_string_equal(uri, json_string_value(json_object_get(loc, "native_url")));
		assert_same_file(path, stored_path(uri));
		flyte_string_free(uri);
		flyte_client_free(c);
		stub_stop(admin);
		free(body);
		json_decref(loc);
	}
}

/* Plays a store that records the PUT (or points at `store_url`), and FlyteAdmin
   handing out its location. */
typedef struct {
	stub_step admin_steps[1], store_steps[1];
	stub_http *admin, *store;
	char *location;
	flyte_client *client;
} fake_store;

static void fake_store_start(fake_store *s, const char *store_headers, const char *store_url, const char *native_url,
			     json_t *headers)
{
	s->store_steps[0] = respond(store_headers, "");
	s->store = stub_start(s->store_steps, 1);
	char signed_url[256];
	snprintf(signed_url, sizeof signed_url, "%s/flyte-bucket/key.bin?X-Amz-Signature=s3cr3tsig&X-Amz-Credential=%s",
		 store_url ? store_url : stub_url(s->store), "minio");
	json_t *loc = json_pack("{s:s}", "native_url", native_url);
	s->location = as_flyteadmin(loc, signed_url, headers);
	json_decref(loc);
	s->admin_steps[0] = respond("Content-Type: application/json\r\n", s->location);
	s->admin = stub_start(s->admin_steps, 1);
	s->client = client_for(stub_url(s->admin));
}

static void fake_store_stop(fake_store *s)
{
	flyte_client_free(s->client);
	stub_stop(s->admin);
	stub_stop(s->store);
	free(s->location);
}

/* A local file of `size` bytes, and a store with an S3 location signed for its MD5. */
typedef struct {
	const char *path;
	char b64[32], hex[33];
} signed_file;

static void signed_file_start(signed_file *sf, fake_store *s, const fixture *f, const char *name, size_t size,
			      const char *store_headers, const char *store_url)
{
	sf->path = write_file(f, name, size);
	md5_of(sf->path, sf->b64, sf->hex);
	fake_store_start(s, store_headers, store_url, "s3://flyte-bucket/key.bin",
			 json_pack("{s:s}", "Content-MD5", sf->b64));
}

static void test_only_signed_headers_reach_the_store(void **state)
{
	fixture *f = *state;
	const char *path = write_file(f, "hundred.bin", 100);
	char b64[32], hex[33], etag[64];
	md5_of(path, b64, hex);
	snprintf(etag, sizeof etag, "ETag: \"%s\"\r\n", hex);
	fake_store s;
	fake_store_start(&s, etag, NULL, "abfs://container@account.dfs.core.windows.net/key.bin",
			 json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Content-Length", "24", "Content-MD5", b64,
				   "X-Amz-Meta-Owner", "me", "x-goog-meta-team", "ml", "Host", "storage.invalid",
				   "Transfer-Encoding", "chunked", "Content-Type", "text/evil", "Authorization",
				   "Bearer not-for-the-store"));
	char *uri;
	OK(flyte_upload_file(s.client, &uri, path, NULL, NULL, &err));
	flyte_string_free(uri);
	assert_int_equal(stub_count(s.store), 1);
	const stub_request *put = stub_request_at(s.store, 0);
	assert_string_equal(put->method, "PUT");
	assert_string_equal(put->path, "/flyte-bucket/key.bin?X-Amz-Signature=s3cr3tsig&X-Amz-Credential=minio");
	assert_string_equal(stub_header(s.store, 0, "Content-Length"), "100");
	assert_string_equal(stub_header(s.store, 0, "Content-MD5"), b64);
	assert_string_equal(stub_header(s.store, 0, "X-Amz-Meta-Owner"), "me");
	assert_string_equal(stub_header(s.store, 0, "x-goog-meta-team"), "ml");
	assert_string_equal(stub_header(s.store, 0, "x-ms-blob-type"), "BlockBlob"); /* Azure needs it */
	assert_string_equal(stub_header(s.store, 0, "Content-Type"), "application/octet-stream");
	assert_null(stub_header(s.store, 0, "Transfer-Encoding"));
	assert_null(stub_header(s.store, 0, "Authorization"));
	assert_string_not_equal(stub_header(s.store, 0, "Host"), "storage.invalid");
	size_t len;
	char *data = tu_read_file(path, &len);
	assert_memory_equal(put->body, data, len);
	free(data);
	fake_store_stop(&s);
}

static void assert_upload_fails(flyte_client *c, const char *path, int code, const char *const *has,
				const char *const *lacks)
{
	char *uri = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_upload_file(c, &uri, path, NULL, NULL, &err), code);
	assert_null(uri);
	const char *msg = flyte_error_message(err);
	for (; has && *has; has++)
		if (!strstr(msg, *has))
			fail_msg("error lacks \"%s\": %s", *has, msg);
	for (; lacks && *lacks; lacks++)
		if (strstr(msg, *lacks))
			fail_msg("error shows \"%s\": %s", *lacks, msg);
	flyte_error_free(err);
}

/* A store that answers with the MD5 of other bytes kept something else: an error. */
static void test_a_different_etag_is_an_error(void **state)
{
	signed_file sf;
	fake_store s;
	signed_file_start(&sf, &s, *state, "etag.bin", 100, "ETag: \"d41d8cd98f00b204e9800998ecf8427e\"\r\n", NULL);
	const char *has[] = {"d41d8cd98f00b204e9800998ecf8427e", sf.hex, "100 bytes", NULL};
	const char *lacks[] = {"s3cr3tsig", NULL};
	assert_upload_fails(s.client, sf.path, FLYTE_ERROR, has, lacks);
	fake_store_stop(&s);
}

static int closed_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static void test_errors_name_the_store_not_the_signature(void **state)
{
	fixture *f = *state;
	const char *path = write_file(f, "err.bin", 10);
	char b64[32], hex[33];
	md5_of(path, b64, hex);

	/* The store refuses: the dev server's own signed URL with a wrong token. */
	json_t *loc = devserver_location(f, path, "err.bin");
	const char *good = json_string_value(json_object_get(loc, "signed_url"));
	char bad[1024], host[128], where[1024];
	snprintf(bad, sizeof bad, "%.*stoken=wrong-secret-token", (int)(strstr(good, "token=") - good), good);
	snprintf(host, sizeof host, "to %s", tu_devserver_url(f->server) + 7);
	snprintf(where, sizeof where, "PUT %.*s: HTTP 403", (int)(strchr(good, '?') - good), good);
	char *body = as_flyteadmin(loc, bad, json_pack("{s:s}", "Content-MD5", b64));
	stub_step steps[] = {respond("Content-Type: application/json\r\n", body)};
	stub_http *admin = stub_start(steps, 1);
	flyte_client *c = client_for(stub_url(admin));
	const char *has[] = {path, host, where, NULL};
	const char *lacks[] = {"wrong-secret-token", "token=", stub_url(admin), NULL};
	assert_upload_fails(c, path, FLYTE_EAUTH, has, lacks);
	flyte_client_free(c);
	stub_stop(admin);
	free(body);
	json_decref(loc);

	/* Nothing listens there. */
	char store[96], store_host[64], put[160];
	snprintf(store_host, sizeof store_host, "127.0.0.1:%d", closed_port());
	snprintf(store, sizeof store, "http://%s", store_host);
	snprintf(put, sizeof put, "PUT http://%s/flyte-bucket/key.bin:", store_host);
	fake_store s;
	signed_file sf;
	signed_file_start(&sf, &s, f, "err2.bin", 10, "", store);
	const char *has2[] = {store_host, put, NULL};
	const char *lacks2[] = {"s3cr3tsig", "X-Amz", stub_url(s.admin), NULL};
	assert_upload_fails(s.client, sf.path, FLYTE_EUNAVAILABLE, has2, lacks2);
	fake_store_stop(&s);
}

/* A refusal says why in the store's words, without the rest of its body (S3 repeats the
   signed request in it). */
static void test_a_refusal_gives_the_store_reason(void **state)
{
	signed_file sf;
	fake_store s;
	signed_file_start(&sf, &s, *state, "refused.bin", 10, "Content-Type: application/xml\r\n", NULL);
	s.store_steps[0].status = 403;
	s.store_steps[0].body = "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
				"signature we calculated does not match the signature you provided.</Message>"
				"<StringToSign>AWS4-HMAC-SHA256 s3cr3tsig</StringToSign></Error>";
	const char *has[] = {"HTTP 403", "the store says SignatureDoesNotMatch: The request signature we calculated",
			     NULL};
	const char *lacks[] = {"s3cr3tsig", "StringToSign", NULL};
	assert_upload_fails(s.client, sf.path, FLYTE_EAUTH, has, lacks);
	fake_store_stop(&s);
}

typedef struct {
	stub_http *admin;
	const char *path;
} shrinker;

/* Cuts the file in half once the upload location was asked for: after its MD5, before its PUT. */
static void *shrink_when_asked(void *arg)
{
	shrinker *s = arg;
	while (stub_count(s->admin) == 0)
		usleep(1000);
	assert_int_equal(truncate(s->path, 50000), 0);
	return NULL;
}

static void test_a_file_that_shrinks_during_the_upload(void **state)
{
	signed_file sf;
	fake_store s;
	signed_file_start(&sf, &s, *state, "shrinks.bin", 100000, "", NULL);
	s.admin_steps[0].delay_ms = 1000; /* the location comes after the file was cut */
	shrinker sh = {s.admin, sf.path};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, shrink_when_asked, &sh), 0);
	const char *has[] = {"changed or could not be read while it was being uploaded", NULL};
	assert_upload_fails(s.client, sf.path, FLYTE_EIO, has, NULL);
	pthread_join(t, NULL);
	fake_store_stop(&s);
}

static void test_bad_locations_and_files(void **state)
{
	fixture *f = *state;
	const char *path = write_file(f, "bad.bin", 10);
	char b64[32], hex[33];
	md5_of(path, b64, hex);
	fake_store s;
	/* A header value with a line break would smuggle headers of the server's choosing. */
	fake_store_start(&s, "", NULL, "s3://b/k",
			 json_pack("{s:s,s:s}", "Content-MD5", b64, "x-amz-meta-a", "1\r\nX-Evil: 1"));
	const char *has[] = {"unusable upload header x-amz-meta-a", NULL};
	assert_upload_fails(s.client, path, FLYTE_ERROR, has, NULL);
	assert_int_equal(stub_count(s.store), 0);
	fake_store_stop(&s);
	/* A location signed for other bytes. */
	fake_store_start(&s, "", NULL, "s3://b/k", json_pack("{s:s}", "Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="));
	const char *has2[] = {"signed the upload of", "1B2M2Y8AsgTpgAmY7PhCfg==", b64, NULL};
	assert_upload_fails(s.client, path, FLYTE_ERROR, has2, NULL);
	assert_int_equal(stub_count(s.store), 0);
	fake_store_stop(&s);

	char missing[128];
	snprintf(missing, sizeof missing, "%s/not-there", f->dir);
	const char *has3[] = {missing, NULL};
	assert_upload_fails(f->client, missing, FLYTE_EIO, has3, NULL);
	const char *has4[] = {"is not a regular file", NULL};
	assert_upload_fails(f->client, f->dir, FLYTE_EINVALID, has4, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_files_arrive_byte_for_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directories_arrive_file_by_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flyteadmin_headers_do_not_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_signed_headers_reach_the_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_different_etag_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_name_the_store_not_the_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_refusal_gives_the_store_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_file_that_shrinks_during_the_upload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_locations_and_files, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
