/* Built-in type-hint hashers: file bytes, directory trees, canonical JSON, and what they
   do to artifact tags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <flyte/flyte.h>

#include "testutil.h"

#define HELLO_SHA256 "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* ---- temporary trees ---- */

static void rm_tree(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			char sub[4096];
			snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
			rm_tree(sub);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int setup_tmp(void **state)
{
	char *dir = strdup("/tmp/flyte-hashers-XXXXXX");
	if (!dir || !mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int teardown_tmp(void **state)
{
	rm_tree(*state);
	free(*state);
	return 0;
}

/* dir/rel, in a static buffer per call site's use (copied by callers that keep it). */
static const char *at(const char *dir, const char *rel)
{
	static char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
		fail_msg("path too long: %s/%s", dir, rel);
	return path;
}

/* Writes dir/rel, creating the missing parent directories. */
static void put(const char *dir, const char *rel, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, rel);
	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0700) && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*p = '/';
	}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void puts_file(const char *dir, const char *rel, const char *text)
{
	put(dir, rel, text, strlen(text));
}

static void sub_dir(char out[4096], const char *dir, const char *name)
{
	if (snprintf(out, 4096, "%s/%s", dir, name) >= 4096)
		fail_msg("path too long: %s/%s", dir, name);
	assert_int_equal(mkdir(out, 0700), 0);
}

/* ---- hashing through the public API ---- */

static void hex(char out[65], const unsigned char d[32])
{
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char d[32];
	assert_true(EVP_Digest(data, len, d, NULL, EVP_sha256(), NULL));
	hex(out, d);
}

/* Applies fn to a blob at uri; the hash goes to out. Returns the rc of
   flyte_literal_apply_hash; *err gets its error. */
static int hash_blob(char out[65], flyte_hash_fn fn, const char *uri, flyte_blob_dimensionality dim,
		     flyte_error **err)
{
	flyte_literal *lit = NULL;
	assert_int_equal(flyte_literal_new_blob(&lit, uri, "", dim), 0);
	int rc = flyte_literal_apply_hash(lit, fn, NULL, err);
	snprintf(out, 65, "%s", flyte_literal_hash(lit));
	if (rc)
		assert_string_equal(flyte_literal_hash(lit), "");
	flyte_literal_free(lit);
	return rc;
}

static void must_hash_blob(char out[65], flyte_hash_fn fn, const char *uri, flyte_blob_dimensionality dim)
{
	flyte_error *err = NULL;
	if (hash_blob(out, fn, uri, dim, &err))
		fail_msg("hash %s: %s", uri, flyte_error_message(err));
	assert_int_equal(strlen(out), 64);
}

static void file_hash(char out[65], const char *uri)
{
	must_hash_blob(out, flyte_hasher_sha256_file, uri, FLYTE_BLOB_SINGLE);
}

static void dir_hash(char out[65], const char *uri)
{
	must_hash_blob(out, flyte_hasher_sha256_dir, uri, FLYTE_BLOB_MULTIPART);
}

/* Expects fn on uri to fail with FLYTE_EUSER and a message containing each of the
   NULL-terminated strings given. */
static void expect_failure(flyte_hash_fn fn, const char *uri, ...)
{
	char got[65];
	flyte_error *err = NULL;
	assert_int_equal(hash_blob(got, fn, uri, FLYTE_BLOB_SINGLE, &err), FLYTE_EUSER);
	assert_int_equal(flyte_error_code_of(err), FLYTE_EUSER);
	const char *msg = flyte_error_message(err);
	va_list ap;
	va_start(ap, uri);
	for (const char *want; (want = va_arg(ap, const char *));)
		if (!strstr(msg, want))
			fail_msg("message \"%s\" lacks \"%s\"", msg, want);
	va_end(ap);
	flyte_error_free(err);
}

/* ---- sha256_file ---- */

static void test_file_known_digest(void **state)
{
	const char *dir = *state;
	char path[4096], uri[4200], got[65];
	puts_file(dir, "hello.txt", "hello\n");
	snprintf(path, sizeof path, "%s", at(dir, "hello.txt"));
	file_hash(got, path);
	assert_string_equal(got, HELLO_SHA256);
	snprintf(uri, sizeof uri, "file://%s", path);
	file_hash(got, uri);
	assert_string_equal(got, HELLO_SHA256);
	snprintf(uri, sizeof uri, "file://localhost%s", path);
	file_hash(got, uri);
	assert_string_equal(got, HELLO_SHA256);
}

static void test_file_empty_and_large(void **state)
{
	const char *dir = *state;
	char got[65], want[65];
	puts_file(dir, "empty", "");
	file_hash(got, at(dir, "empty"));
	assert_string_equal(got, EMPTY_SHA256);
	/* Not a multiple of the 64 KiB read size, so the last read is partial. */
	size_t n = 3 * 65536 + 12345;
	unsigned char *big = malloc(n);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = (unsigned char)(i * 31 + (i >> 9));
	put(dir, "big.bin", big, n);
	sha256_hex(want, big, n);
	free(big);
	file_hash(got, at(dir, "big.bin"));
	assert_string_equal(got, want);
}

static void test_file_missing(void **state)
{
	char path[4096];
	snprintf(path, sizeof path, "%s", at(*state, "no/such/file.csv"));
	expect_failure(flyte_hasher_sha256_file, path, path, strerror(ENOENT), "hash function", NULL);
}

static void test_file_not_local(void **state)
{
	(void)state;
	expect_failure(flyte_hasher_sha256_file, "s3://bucket/key.csv", "s3://bucket/key.csv", "not a local file",
		       NULL);
	expect_failure(flyte_hasher_sha256_file, "gs://b/k", "gs://b/k", NULL);
	expect_failure(flyte_hasher_sha256_file, "file://otherhost/etc/hosts", "otherhost/etc/hosts", NULL);
	/* A directory is not a file. */
	expect_failure(flyte_hasher_sha256_file, "/tmp", "/tmp", NULL);

	flyte_literal *lit = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_new_string(&lit, "/etc/hostname"), 0);
	assert_int_equal(flyte_literal_apply_hash(lit, flyte_hasher_sha256_file, NULL, &err), FLYTE_EUSER);
	assert_non_null(strstr(flyte_error_message(err), "not a blob"));
	assert_string_equal(flyte_literal_hash(lit), "");
	flyte_error_free(err);
	flyte_literal_free(lit);
}

/* ---- sha256_dir ---- */

static void feed(EVP_MD_CTX *c, const char *rel, const void *data, size_t len)
{
	unsigned char be[8];
	for (int i = 0; i < 8; i++)
		be[i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	EVP_DigestUpdate(c, rel, strlen(rel) + 1);
	EVP_DigestUpdate(c, be, 8);
	EVP_DigestUpdate(c, data, len);
}

static void finish(char out[65], EVP_MD_CTX *c)
{
	unsigned char d[32];
	assert_true(EVP_DigestFinal_ex(c, d, NULL));
	EVP_MD_CTX_free(c);
	hex(out, d);
}

static EVP_MD_CTX *start(void)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	assert_non_null(c);
	assert_true(EVP_DigestInit_ex(c, EVP_sha256(), NULL));
	return c;
}

/* The documented stream: entries sorted bytewise over the whole relative path, so "Z"
   (0x5a) < "a-b" ('-' 0x2d) < "a/b" ('/' 0x2f) < "a/c/d", whatever the walk order. */
static void test_dir_format(void **state)
{
	const char *dir = *state;
	char got[65], want[65];
	puts_file(dir, "a/c/d", "deep");
	puts_file(dir, "a/b", "");
	puts_file(dir, "a-b", "dash\n");
	puts_file(dir, "Z", "zz");
	EVP_MD_CTX *c = start();
	feed(c, "Z", "zz", 2);
	feed(c, "a-b", "dash\n", 5);
	feed(c, "a/b", "", 0);
	feed(c, "a/c/d", "deep", 4);
	finish(want, c);
	dir_hash(got, dir);
	assert_string_equal(got, want);

	char uri[4200];
	snprintf(uri, sizeof uri, "file://%s", dir);
	dir_hash(got, uri);
	assert_string_equal(got, want);
}

static void test_dir_empty(void **state)
{
	char got[65];
	dir_hash(got, *state);
	assert_string_equal(got, EMPTY_SHA256);
}

static void test_dir_creation_order(void **state)
{
	const char *dir = *state;
	char one[4096], two[4096], h1[65], h2[65];
	sub_dir(one, dir, "one");
	sub_dir(two, dir, "two");
	puts_file(one, "x/1.txt", "first");
	puts_file(one, "x/2.txt", "second");
	puts_file(one, "y.txt", "third");
	puts_file(one, "b/a", "fourth");
	puts_file(two, "b/a", "fourth");
	puts_file(two, "y.txt", "third");
	puts_file(two, "x/2.txt", "second");
	puts_file(two, "x/1.txt", "first");
	dir_hash(h1, one);
	dir_hash(h2, two);
	assert_string_equal(h1, h2);

	/* Directories have no bytes of their own: an empty one changes nothing. */
	char empty[4096];
	sub_dir(empty, two, "nothing-here");
	dir_hash(h2, two);
	assert_string_equal(h1, h2);

	/* Nor does a fifo (which has no content, and must not block the walk). */
	assert_int_equal(mkfifo(at(two, "x/pipe"), 0600), 0);
	dir_hash(h2, two);
	assert_string_equal(h1, h2);
}

static void test_dir_changes(void **state)
{
	const char *dir = *state;
	char base[65], h[65];
	puts_file(dir, "data/part-0", "0123456789");
	puts_file(dir, "data/part-1", "abcdef");
	dir_hash(base, dir);

	puts_file(dir, "data/part-1", "abcdeF");
	dir_hash(h, dir);
	assert_string_not_equal(h, base);
	puts_file(dir, "data/part-1", "abcdef");
	dir_hash(h, dir);
	assert_string_equal(h, base);

	char from[4096];
	snprintf(from, sizeof from, "%s", at(dir, "data/part-1"));
	assert_int_equal(rename(from, at(dir, "data/part-2")), 0);
	dir_hash(h, dir);
	assert_string_not_equal(h, base);
	assert_int_equal(rename(at(dir, "data/part-2"), from), 0);
	dir_hash(h, dir);
	assert_string_equal(h, base);

	/* Moving a file into a subdirectory changes its relative path. */
	puts_file(dir, "data/sub/part-1", "abcdef");
	assert_int_equal(unlink(from), 0);
	dir_hash(h, dir);
	assert_string_not_equal(h, base);
	assert_int_equal(rename(at(dir, "data/sub/part-1"), from), 0);

	puts_file(dir, "data/_SUCCESS", "");
	dir_hash(h, dir);
	assert_string_not_equal(h, base);
}

static void test_dir_symlinks(void **state)
{
	const char *dir = *state;
	char tree[4096], outside[4096], link[4200], target[4200], got[65], want[65];
	sub_dir(tree, dir, "tree");
	sub_dir(outside, dir, "outside");
	puts_file(outside, "big.bin", "the contents behind the link");
	puts_file(outside, "sub/x", "x");
	puts_file(tree, "real.txt", "real");

	snprintf(target, sizeof target, "%s/big.bin", outside);
	snprintf(link, sizeof link, "%s/file-link", tree);
	assert_int_equal(symlink(target, link), 0);
	snprintf(link, sizeof link, "%s/dir-link", tree);
	assert_int_equal(symlink(outside, link), 0);
	snprintf(link, sizeof link, "%s/dangling", tree);
	assert_int_equal(symlink("no/such/target", link), 0);

	EVP_MD_CTX *c = start();
	feed(c, "dangling", "no/such/target", 14);
	feed(c, "dir-link", outside, strlen(outside));
	feed(c, "file-link", target, strlen(target));
	feed(c, "real.txt", "real", 4);
	finish(want, c);
	dir_hash(got, tree);
	assert_string_equal(got, want);

	/* What the links point at is not part of the digest. */
	puts_file(outside, "big.bin", "changed");
	puts_file(outside, "sub/y", "new");
	dir_hash(got, tree);
	assert_string_equal(got, want);

	/* The link text is. */
	snprintf(link, sizeof link, "%s/dangling", tree);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(symlink("no/such/other", link), 0);
	dir_hash(got, tree);
	assert_string_not_equal(got, want);

	/* The root itself may be a link to the tree. */
	char root_link[4200], via_link[65], direct[65];
	snprintf(root_link, sizeof root_link, "%s/root-link", dir);
	assert_int_equal(symlink(tree, root_link), 0);
	dir_hash(via_link, root_link);
	dir_hash(direct, tree);
	assert_string_equal(via_link, direct);
}

static void test_dir_errors(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof path, "%s", at(dir, "missing"));
	expect_failure(flyte_hasher_sha256_dir, path, path, strerror(ENOENT), NULL);
	puts_file(dir, "plain", "not a directory");
	snprintf(path, sizeof path, "%s", at(dir, "plain"));
	expect_failure(flyte_hasher_sha256_dir, path, path, strerror(ENOTDIR), NULL);
	expect_failure(flyte_hasher_sha256_dir, "s3://bucket/prefix/", "s3://bucket/prefix/", NULL);
	expect_failure(flyte_hasher_sha256_dir, "", "no uri", NULL);
}

/* ---- canonical_json ---- */

static void hash_literal(char out[65], flyte_hash_fn fn, const flyte_literal *lit)
{
	flyte_literal *c = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_copy(&c, lit), 0);
	if (flyte_literal_apply_hash(c, fn, NULL, &err))
		fail_msg("apply: %s", flyte_error_message(err));
	snprintf(out, 65, "%s", flyte_literal_hash(c));
	flyte_literal_free(c);
}

static flyte_literal *generic(const char *json)
{
	flyte_literal *lit = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_new_generic_json(&lit, json, &err))
		fail_msg("%s: %s", json, flyte_error_message(err));
	return lit;
}

static void expect_canonical_generic(const char *json, const char *canonical)
{
	char got[65], want[65];
	flyte_literal *lit = generic(json);
	hash_literal(got, flyte_hasher_canonical_json, lit);
	flyte_literal_free(lit);
	sha256_hex(want, canonical, strlen(canonical));
	if (strcmp(got, want))
		fail_msg("%s: hash is not that of %s", json, canonical);
}

static void test_canonical_json_generic(void **state)
{
	(void)state;
	char h1[65], h2[65];
	flyte_literal *a = generic("{\"b\":1,\"a\":[1.5,\"x\"]}");
	flyte_literal *b = generic("{ \"a\" : [ 1.5, \"x\" ], \"b\" : 1 }");
	hash_literal(h1, flyte_hasher_canonical_json, a);
	hash_literal(h2, flyte_hasher_canonical_json, b);
	assert_string_equal(h1, h2);
	flyte_literal_free(a);
	flyte_literal_free(b);
	expect_canonical_generic("{\"b\":1,\"a\":[1.5,\"x\"]}", "{\"a\":[1.5,\"x\"],\"b\":1}");

	expect_canonical_generic("{}", "{}");
	/* Nested objects sorted too; arrays keep their order; strings escaped. */
	expect_canonical_generic("{\"z\":{\"y\":1,\"x\":[{\"b\":true,\"a\":null},3]},\"s\":\"q\\\"\\n\\u0001\"}",
				 "{\"s\":\"q\\\"\\n\\u0001\",\"z\":{\"x\":[{\"a\":null,\"b\":true},3],\"y\":1}}");
	/* Bytewise key order: uppercase before lowercase, a prefix before its extensions,
	   UTF-8 after ASCII. */
	expect_canonical_generic("{\"\xc3\xa9\":1,\"ab\":2,\"a\":3,\"B\":4}",
				 "{\"B\":4,\"a\":3,\"ab\":2,\"\xc3\xa9\":1}");
	/* Struct numbers are doubles: whole ones print as integers (up to 2^53, past which
	   not every integer is a double), others in shortest round-trip form; -0 is 0. */
	expect_canonical_generic("{\"n\":[100,1.0,0.1,-2.5e-7,123456789012,9007199254740991,1e16,1e21,-0.0]}",
				 "{\"n\":[100,1,0.1,-2.5e-7,123456789012,9007199254740991,10000000000000000,1e+21,0]}");
}

static void expect_canonical_json(const char *literal_json, const char *canonical)
{
	flyte_literal *lit = NULL;
	flyte_error *err = NULL;
	if (flyte_literal_from_json(&lit, literal_json, strlen(literal_json), &err))
		fail_msg("%s: %s", literal_json, flyte_error_message(err));
	char got[65], want[65];
	hash_literal(got, flyte_hasher_canonical_json, lit);
	flyte_literal_free(lit);
	sha256_hex(want, canonical, strlen(canonical));
	if (strcmp(got, want))
		fail_msg("%s: hash is not that of %s", literal_json, canonical);
}

static void test_canonical_json_other_literals(void **state)
{
	(void)state;
	/* Other literals: their flyteidl JSON (proto names, int64 as strings) made canonical. */
	expect_canonical_json("{\"scalar\":{\"primitive\":{\"integer\":\"42\"}}}",
			      "{\"scalar\":{\"primitive\":{\"integer\":\"42\"}}}");
	expect_canonical_json("{\"scalar\":{\"primitive\":{\"floatValue\":2.50}}}",
			      "{\"scalar\":{\"primitive\":{\"float_value\":2.5}}}");
	expect_canonical_json("{\"scalar\":{\"blob\":{\"uri\":\"s3://b/k\",\"metadata\":{\"type\":"
			      "{\"format\":\"csv\",\"dimensionality\":\"MULTIPART\"}}}}}",
			      "{\"scalar\":{\"blob\":{\"metadata\":{\"type\":{\"dimensionality\":\"MULTIPART\","
			      "\"format\":\"csv\"}},\"uri\":\"s3://b/k\"}}}");
	expect_canonical_json("{\"map\":{\"literals\":{\"y\":{\"scalar\":{\"primitive\":{\"stringValue\":\"v\"}}},"
			      "\"x\":{\"scalar\":{\"primitive\":{\"boolean\":true}}}}}}",
			      "{\"map\":{\"literals\":{\"x\":{\"scalar\":{\"primitive\":{\"boolean\":true}}},"
			      "\"y\":{\"scalar\":{\"primitive\":{\"string_value\":\"v\"}}}}}}");
	/* A generic struct nested in a collection goes the flyteidl way: its keys are sorted
	   along with everything else. */
	expect_canonical_json("{\"collection\":{\"literals\":[{\"scalar\":{\"generic\":{\"b\":2,\"a\":1}}}]}}",
			      "{\"collection\":{\"literals\":[{\"scalar\":{\"generic\":{\"a\":1,\"b\":2}}}]}}");
}

/* ---- what the hashers do to artifact tags ---- */

static void tag_of(char tag[FLYTE_ARTIFACT_TAG_LEN + 1], const char *name, const flyte_literal *value,
		   flyte_hash_fn fn)
{
	flyte_literal_map *inputs = NULL;
	flyte_type_hints *hints = NULL;
	flyte_error *err = NULL;
	assert_int_equal(flyte_literal_map_new(&inputs), 0);
	assert_int_equal(flyte_literal_map_set(inputs, name, value), 0);
	if (fn) {
		assert_int_equal(flyte_type_hints_new(&hints), 0);
		assert_int_equal(flyte_type_hints_add(hints, name, NULL, fn, NULL), 0);
		if (flyte_type_hints_apply(hints, inputs, &err))
			fail_msg("apply: %s", flyte_error_message(err));
		assert_int_equal(strlen(flyte_literal_hash(flyte_literal_map_get(inputs, name))), 64);
		flyte_type_hints_free(hints);
	}
	if (flyte_cache_artifact_tag(tag, inputs, NULL, 0, &err))
		fail_msg("tag: %s", flyte_error_message(err));
	flyte_literal_map_free(inputs);
}

static void test_tags_generic(void **state)
{
	(void)state;
	char t1[FLYTE_ARTIFACT_TAG_LEN + 1], t2[FLYTE_ARTIFACT_TAG_LEN + 1], plain[FLYTE_ARTIFACT_TAG_LEN + 1];
	flyte_literal *a = generic("{\"lr\":0.01,\"layers\":[64,32],\"name\":\"m\"}");
	flyte_literal *b = generic("{\"name\":\"m\",\"layers\":[64,32],\"lr\":0.01}");
	tag_of(t1, "cfg", a, flyte_hasher_canonical_json);
	tag_of(t2, "cfg", b, flyte_hasher_canonical_json);
	assert_string_equal(t1, t2);

	/* Flyte's ObjectHash sorts object keys itself, so key order alone never changed the
	   tag; what the hash does is key by the value only. */
	tag_of(plain, "cfg", a, NULL);
	tag_of(t2, "cfg", b, NULL);
	assert_string_equal(plain, t2);
	assert_string_not_equal(plain, t1);

	/* Scalar metadata (e.g. artifact partitions) is part of a plain tag but not of the
	   canonical-JSON hash of a struct. */
	assert_int_equal(flyte_literal_set_metadata(b, "partition", "2024-01-01"), 0);
	tag_of(t2, "cfg", b, NULL);
	assert_string_not_equal(plain, t2);
	tag_of(t2, "cfg", b, flyte_hasher_canonical_json);
	assert_string_equal(t1, t2);

	/* Different values still give different tags. */
	flyte_literal *c = generic("{\"name\":\"m\",\"layers\":[64,32],\"lr\":0.02}");
	tag_of(t2, "cfg", c, flyte_hasher_canonical_json);
	assert_string_not_equal(t1, t2);
	flyte_literal_free(a);
	flyte_literal_free(b);
	flyte_literal_free(c);
}

static void test_tags_blob(void **state)
{
	const char *dir = *state;
	char p1[4096], p2[4096];
	char t1[FLYTE_ARTIFACT_TAG_LEN + 1], t2[FLYTE_ARTIFACT_TAG_LEN + 1];
	puts_file(dir, "run-1/data.csv", "a,b\n1,2\n");
	puts_file(dir, "run-2/data.csv", "a,b\n1,2\n");
	if (snprintf(p1, sizeof p1, "%s", at(dir, "run-1/data.csv")) >= (int)sizeof p1 ||
	    snprintf(p2, sizeof p2, "file://%s", at(dir, "run-2/data.csv")) >= (int)sizeof p2)
		fail_msg("path too long");
	flyte_literal *a = NULL, *b = NULL;
	assert_int_equal(flyte_literal_new_blob(&a, p1, "csv", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_new_blob(&b, p2, "csv", FLYTE_BLOB_SINGLE), 0);

	tag_of(t1, "df", a, NULL);
	tag_of(t2, "df", b, NULL);
	assert_string_not_equal(t1, t2);
	tag_of(t1, "df", a, flyte_hasher_sha256_file);
	tag_of(t2, "df", b, flyte_hasher_sha256_file);
	assert_string_equal(t1, t2);

	puts_file(dir, "run-2/data.csv", "a,b\n1,3\n");
	tag_of(t2, "df", b, flyte_hasher_sha256_file);
	assert_string_not_equal(t1, t2);

	/* The same for directories (multipart blobs). */
	char d1[4096], d2[4096];
	snprintf(d1, sizeof d1, "%s", at(dir, "run-1"));
	snprintf(d2, sizeof d2, "%s", at(dir, "run-2"));
	puts_file(dir, "run-2/data.csv", "a,b\n1,2\n");
	flyte_literal_free(a);
	flyte_literal_free(b);
	assert_int_equal(flyte_literal_new_blob(&a, d1, "", FLYTE_BLOB_MULTIPART), 0);
	assert_int_equal(flyte_literal_new_blob(&b, d2, "", FLYTE_BLOB_MULTIPART), 0);
	tag_of(t1, "dir", a, flyte_hasher_sha256_dir);
	tag_of(t2, "dir", b, flyte_hasher_sha256_dir);
	assert_string_equal(t1, t2);
	flyte_literal_free(a);
	flyte_literal_free(b);
}

/* A failing hasher leaves every input untouched and names the input. */
static void test_type_hints_failure(void **state)
{
	(void)state;
	flyte_literal_map *inputs = NULL;
	flyte_type_hints *hints = NULL;
	flyte_error *err = NULL;
	flyte_literal *blob = NULL, *cfg = generic("{\"a\":1}");
	assert_int_equal(flyte_literal_new_blob(&blob, "s3://bucket/x.csv", "csv", FLYTE_BLOB_SINGLE), 0);
	assert_int_equal(flyte_literal_map_new(&inputs), 0);
	assert_int_equal(flyte_literal_map_set_new(inputs, "cfg", cfg), 0);
	assert_int_equal(flyte_literal_map_set_new(inputs, "df", blob), 0);
	assert_int_equal(flyte_type_hints_new(&hints), 0);
	assert_int_equal(flyte_type_hints_add(hints, "cfg", NULL, flyte_hasher_canonical_json, NULL), 0);
	assert_int_equal(flyte_type_hints_add(hints, "df", NULL, flyte_hasher_sha256_file, NULL), 0);
	assert_int_equal(flyte_type_hints_apply(hints, inputs, &err), FLYTE_EUSER);
	const char *msg = flyte_error_message(err);
	assert_non_null(strstr(msg, "\"df\""));
	assert_non_null(strstr(msg, "s3://bucket/x.csv"));
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(inputs, "cfg")), "");
	assert_string_equal(flyte_literal_hash(flyte_literal_map_get(inputs, "df")), "");
	flyte_error_free(err);
	flyte_type_hints_free(hints);
	flyte_literal_map_free(inputs);
}

/* ---- allocation failures ---- */

/* Fails each allocation in turn: every attempt either succeeds with the right hash or
   fails cleanly (out of memory, or the hasher's own failure). */
static void expect_alloc_failures(flyte_hash_fn fn, const flyte_literal *lit, const char *want)
{
	for (long i = 0;; i++) {
		flyte_literal *c = NULL;
		flyte_error *err = NULL;
		assert_int_equal(flyte_literal_copy(&c, lit), 0);
		tu_fail_after(i);
		int rc = flyte_literal_apply_hash(c, fn, NULL, &err);
		tu_fail_never();
		if (!rc) {
			assert_string_equal(flyte_literal_hash(c), want);
			flyte_literal_free(c);
			break;
		}
		assert_true(rc == FLYTE_ENOMEM || rc == FLYTE_EUSER);
		assert_string_equal(flyte_literal_hash(c), "");
		flyte_error_free(err);
		flyte_literal_free(c);
		assert_true(i < 1000);
	}
}

static void test_alloc_failures(void **state)
{
	const char *dir = *state;
	char want[65];
	const char *text;
	puts_file(dir, "t/hello", "hello\n");
	puts_file(dir, "t/sub/more", "more");
	flyte_literal *lit = NULL;
	assert_int_equal(flyte_literal_new_blob(&lit, at(dir, "t/hello"), "", FLYTE_BLOB_SINGLE), 0);
	expect_alloc_failures(flyte_hasher_sha256_file, lit, HELLO_SHA256);
	flyte_literal_free(lit);

	assert_int_equal(flyte_literal_new_blob(&lit, at(dir, "t"), "", FLYTE_BLOB_MULTIPART), 0);
	dir_hash(want, at(dir, "t"));
	expect_alloc_failures(flyte_hasher_sha256_dir, lit, want);
	flyte_literal_free(lit);

	lit = generic("{\"b\":[1,{\"d\":2,\"c\":3}],\"a\":\"x\"}");
	text = "{\"a\":\"x\",\"b\":[1,{\"c\":3,\"d\":2}]}";
	sha256_hex(want, text, strlen(text));
	expect_alloc_failures(flyte_hasher_canonical_json, lit, want);
	flyte_literal_free(lit);

	assert_int_equal(flyte_literal_new_integer(&lit, 7), 0);
	text = "{\"scalar\":{\"primitive\":{\"integer\":\"7\"}}}";
	sha256_hex(want, text, strlen(text));
	expect_alloc_failures(flyte_hasher_canonical_json, lit, want);
	flyte_literal_free(lit);
}

int main(void)
{
	tu_install_failing_allocator();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_file_known_digest, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_file_empty_and_large, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_file_missing, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_file_not_local),
		cmocka_unit_test_setup_teardown(test_dir_format, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_empty, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_creation_order, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_changes, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_symlinks, setup_tmp, teardown_tmp),
		cmocka_unit_test_setup_teardown(test_dir_errors, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_canonical_json_generic),
		cmocka_unit_test(test_canonical_json_other_literals),
		cmocka_unit_test(test_tags_generic),
		cmocka_unit_test_setup_teardown(test_tags_blob, setup_tmp, teardown_tmp),
		cmocka_unit_test(test_type_hints_failure),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup_tmp, teardown_tmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
