/* Task cache settings: flytekit's Cache / TaskMetadata checks and the policy version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include <flyte/flyte.h>

#include "testutil.h"

#define ABCDEF_SHA256 "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"

static void sha256_hex(char out[65], const char *text)
{
	unsigned char d[32];
	assert_true(EVP_Digest(text, strlen(text), d, NULL, EVP_sha256(), NULL));
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* A policy that returns its payload: a struct recording each call. */
typedef struct {
	const char *result;
	int calls;
	char salt_seen[64];
} policy_state;

static int fixed_policy(flyte_out_string *out, const char *salt, void *payload)
{
	policy_state *p = payload;
	p->calls++;
	snprintf(p->salt_seen, sizeof p->salt_seen, "%s", salt ? salt : "(null)");
	return flyte_out_string_set(out, p->result, strlen(p->result));
}

/* Returns the salt itself, so the version shows what the policy was given. */
static int salt_policy(flyte_out_string *out, const char *salt, void *payload)
{
	(void)payload;
	return flyte_out_string_set(out, salt, strlen(salt));
}

static int failing_policy(flyte_out_string *out, const char *salt, void *payload)
{
	(void)salt;
	(void)payload;
	flyte_out_string_fail(out, "cannot hash the container image");
	return 7;
}

static int silent_policy(flyte_out_string *out, const char *salt, void *payload)
{
	(void)out;
	(void)salt;
	(void)payload;
	return 0;
}

/* Expects resolve to fail with `code` and exactly `message` (NULL: any message), leaving
   *out NULL. */
static void expect_error(const flyte_cache_options *opts, int code, const char *message)
{
	char *v = (char *)"untouched";
	flyte_error *err = NULL;
	assert_int_equal(flyte_cache_resolve_version(&v, opts, &err), code);
	assert_null(v);
	assert_int_equal(flyte_error_code_of(err), code);
	if (message)
		assert_string_equal(flyte_error_message(err), message);
	flyte_error_free(err);
}

static char *resolve(const flyte_cache_options *opts)
{
	char *v = NULL;
	flyte_error *err = NULL;
	if (flyte_cache_resolve_version(&v, opts, &err))
		fail_msg("resolve: %s", flyte_error_message(err));
	return v;
}

static void test_options_init(void **state)
{
	(void)state;
	flyte_cache_options opts, init = FLYTE_CACHE_OPTIONS_INIT;
	memset(&opts, 0xab, sizeof opts);
	assert_int_equal(flyte_cache_options_init(&opts, FLYTE_CACHE_OPTIONS_VERSION), 0);
	assert_int_equal(opts.version, FLYTE_CACHE_OPTIONS_VERSION);
	assert_int_equal(opts.enabled, 0);
	assert_null(opts.cache_version);
	assert_int_equal(opts.serialize, 0);
	assert_null(opts.ignored_inputs);
	assert_int_equal(opts.n_ignored_inputs, 0);
	assert_null(opts.salt);
	assert_null(opts.policies);
	assert_int_equal(opts.n_policies, 0);
	assert_int_equal(init.version, opts.version);

	assert_int_equal(flyte_cache_options_init(&opts, FLYTE_CACHE_OPTIONS_VERSION + 1), FLYTE_EINVALID);
	assert_int_equal(flyte_cache_options_init(&opts, 0), FLYTE_EINVALID);
	assert_int_equal(flyte_cache_options_init(NULL, FLYTE_CACHE_OPTIONS_VERSION), FLYTE_EINVALID);
}

static void test_disabled(void **state)
{
	(void)state;
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	char *v = (char *)"untouched";
	assert_int_equal(flyte_cache_resolve_version(&v, &opts, NULL), 0);
	assert_null(v);
	/* A version or policies given while caching is off are simply unused. */
	policy_state p = {"abc", 0, ""};
	flyte_cache_policy pol = {fixed_policy, &p};
	opts.cache_version = "1.0";
	opts.policies = &pol;
	opts.n_policies = 1;
	v = (char *)"untouched";
	assert_int_equal(flyte_cache_resolve_version(&v, &opts, NULL), 0);
	assert_null(v);
	assert_int_equal(p.calls, 0);
}

static void test_enabled_needs_version_or_policy(void **state)
{
	(void)state;
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	expect_error(&opts, FLYTE_EINVALID, "If version is not defined then at least one cache policy needs to be set");
}

static void test_version(void **state)
{
	(void)state;
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.cache_version = "1.0";
	char *v = resolve(&opts);
	assert_string_equal(v, "1.0");
	assert_ptr_not_equal(v, opts.cache_version);
	flyte_string_free(v);

	opts.cache_version = "  ";
	expect_error(&opts, FLYTE_EINVALID, "Caching is enabled ``cache=True`` but ``cache_version`` is not set.");
	opts.cache_version = "";
	expect_error(&opts, FLYTE_EINVALID, "Caching is enabled ``cache=True`` but ``cache_version`` is not set.");
}

static void test_needs_enabled(void **state)
{
	(void)state;
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.serialize = 1;
	expect_error(&opts, FLYTE_EINVALID,
		     "Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled.");

	const char *ignored[] = {"seed"};
	opts.serialize = 0;
	opts.ignored_inputs = ignored;
	opts.n_ignored_inputs = 1;
	expect_error(&opts, FLYTE_EINVALID,
		     "Cache ignore input vars are specified ``cache_ignore_input_vars=...`` but ``cache`` is not "
		     "enabled.");

	/* With caching on both are fine. */
	opts.enabled = 1;
	opts.serialize = 1;
	opts.cache_version = "v2";
	char *v = resolve(&opts);
	assert_string_equal(v, "v2");
	flyte_string_free(v);
}

static void test_policies(void **state)
{
	(void)state;
	char want[65];
	policy_state a = {"abc", 0, ""}, b = {"def", 0, ""};
	flyte_cache_policy pols[] = {{fixed_policy, &a}, {fixed_policy, &b}};
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.policies = pols;
	opts.n_policies = 2;
	char *v = resolve(&opts);
	sha256_hex(want, "abcdef");
	assert_string_equal(want, ABCDEF_SHA256);
	assert_string_equal(v, want);
	assert_int_equal(a.calls, 1);
	assert_int_equal(b.calls, 1);
	/* No salt: policies get "". */
	assert_string_equal(a.salt_seen, "");
	flyte_string_free(v);

	/* Order matters: the results are concatenated, not combined. */
	flyte_cache_policy swapped[] = {{fixed_policy, &b}, {fixed_policy, &a}};
	opts.policies = swapped;
	v = resolve(&opts);
	sha256_hex(want, "defabc");
	assert_string_equal(v, want);
	flyte_string_free(v);

	/* An empty result contributes nothing. */
	policy_state e = {"", 0, ""};
	flyte_cache_policy with_empty[] = {{fixed_policy, &a}, {fixed_policy, &e}, {fixed_policy, &b}};
	opts.policies = with_empty;
	opts.n_policies = 3;
	v = resolve(&opts);
	assert_string_equal(v, ABCDEF_SHA256);
	flyte_string_free(v);
}

static void test_salt(void **state)
{
	(void)state;
	char want[65];
	policy_state a = {"abc", 0, ""};
	flyte_cache_policy pols[] = {{fixed_policy, &a}, {salt_policy, NULL}};
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.salt = "pepper";
	opts.policies = pols;
	opts.n_policies = 2;
	char *v = resolve(&opts);
	assert_string_equal(a.salt_seen, "pepper");
	sha256_hex(want, "abcpepper");
	assert_string_equal(v, want);
	flyte_string_free(v);
}

static void test_failing_policy(void **state)
{
	(void)state;
	policy_state a = {"abc", 0, ""}, b = {"def", 0, ""};
	flyte_cache_policy pols[] = {{fixed_policy, &a}, {failing_policy, NULL}, {fixed_policy, &b}};
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.policies = pols;
	opts.n_policies = 3;
	char *v = (char *)"untouched";
	flyte_error *err = NULL;
	assert_int_equal(flyte_cache_resolve_version(&v, &opts, &err), FLYTE_EUSER);
	assert_null(v);
	assert_int_equal(flyte_error_code_of(err), FLYTE_EUSER);
	const char *msg = flyte_error_message(err);
	assert_non_null(strstr(msg, "cannot hash the container image"));
	assert_non_null(strstr(msg, "cache policy 1"));
	flyte_error_free(err);
	/* It stops at the first failure. */
	assert_int_equal(b.calls, 0);

	/* Returning 0 without a value is not a version either. */
	flyte_cache_policy silent[] = {{silent_policy, NULL}};
	opts.policies = silent;
	opts.n_policies = 1;
	expect_error(&opts, FLYTE_EINVALID, NULL);
}

static void test_version_wins(void **state)
{
	(void)state;
	policy_state a = {"abc", 0, ""};
	flyte_cache_policy pols[] = {{fixed_policy, &a}, {failing_policy, NULL}};
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.cache_version = "pinned";
	opts.policies = pols;
	opts.n_policies = 2;
	char *v = resolve(&opts);
	assert_string_equal(v, "pinned");
	assert_int_equal(a.calls, 0);
	flyte_string_free(v);
}

static void test_bad_options(void **state)
{
	(void)state;
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.cache_version = "1.0";
	opts.version = FLYTE_CACHE_OPTIONS_VERSION + 1;
	expect_error(&opts, FLYTE_EINVALID, NULL);
	opts.version = 0;
	expect_error(&opts, FLYTE_EINVALID, NULL);

	opts.version = FLYTE_CACHE_OPTIONS_VERSION;
	opts.cache_version = NULL;
	opts.n_policies = 2; /* and no array */
	expect_error(&opts, FLYTE_EINVALID, NULL);
	opts.n_policies = 0;
	opts.n_ignored_inputs = 1;
	expect_error(&opts, FLYTE_EINVALID, NULL);

	flyte_cache_policy no_fn[] = {{NULL, NULL}};
	opts.n_ignored_inputs = 0;
	opts.policies = no_fn;
	opts.n_policies = 1;
	expect_error(&opts, FLYTE_EINVALID, NULL);

	char *v = NULL;
	assert_int_equal(flyte_cache_resolve_version(NULL, &opts, NULL), FLYTE_EINVALID);
	assert_int_equal(flyte_cache_resolve_version(&v, NULL, NULL), FLYTE_EINVALID);
}

/* Each allocation failing in turn gives FLYTE_ENOMEM (or the policy's own failure when
   its result cannot be stored) and never a wrong version. */
static void test_alloc_failures(void **state)
{
	(void)state;
	policy_state a = {"abc", 0, ""}, b = {"def", 0, ""};
	flyte_cache_policy pols[] = {{fixed_policy, &a}, {fixed_policy, &b}};
	flyte_cache_options opts = FLYTE_CACHE_OPTIONS_INIT;
	opts.enabled = 1;
	opts.policies = pols;
	opts.n_policies = 2;
	for (long i = 0;; i++) {
		char *v = NULL;
		flyte_error *err = NULL;
		tu_fail_after(i);
		int rc = flyte_cache_resolve_version(&v, &opts, &err);
		tu_fail_never();
		if (!rc) {
			assert_string_equal(v, ABCDEF_SHA256);
			flyte_string_free(v);
			break;
		}
		assert_int_equal(rc, FLYTE_ENOMEM);
		assert_null(v);
		flyte_error_free(err);
		assert_true(i < 100);
	}
}

int main(void)
{
	tu_install_failing_allocator();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_init),
		cmocka_unit_test(test_disabled),
		cmocka_unit_test(test_enabled_needs_version_or_policy),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_needs_enabled),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_salt),
		cmocka_unit_test(test_failing_policy),
		cmocka_unit_test(test_version_wins),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_alloc_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
