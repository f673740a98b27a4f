/* Task cache settings and the cache version, as flytekit's Cache resolves them. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "flyte/cache_config.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "out_string.h"

int flyte_cache_options_init(flyte_cache_options *opts, unsigned int version)
{
	if (!opts || version != FLYTE_CACHE_OPTIONS_VERSION)
		return FLYTE_EINVALID;
	flyte_cache_options init = FLYTE_CACHE_OPTIONS_INIT;
	*opts = init;
	return 0;
}

static int blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ')
			return 0;
	return 1;
}

int flyte_cache_resolve_version(char **out, const flyte_cache_options *opts, flyte_error **error)
{
	if (!out || !opts)
		return fl_error(error, FLYTE_EINVALID, "cache options: NULL argument");
	*out = NULL;
	if (opts->version != FLYTE_CACHE_OPTIONS_VERSION)
		return fl_error(error, FLYTE_EINVALID, "cache options: unsupported version %u (expected %d)",
				opts->version, FLYTE_CACHE_OPTIONS_VERSION);
	if ((opts->n_ignored_inputs && !opts->ignored_inputs) || (opts->n_policies && !opts->policies))
		return fl_error(error, FLYTE_EINVALID, "cache options: a count is set but its array is NULL");
	if (!opts->enabled) {
		if (opts->serialize)
			return fl_error(error, FLYTE_EINVALID,
					"Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled.");
		if (opts->n_ignored_inputs)
			return fl_error(error, FLYTE_EINVALID,
					"Cache ignore input vars are specified ``cache_ignore_input_vars=...`` but "
					"``cache`` is not enabled.");
		return 0;
	}
	if (opts->cache_version) {
		if (blank(opts->cache_version))
			return fl_error(error, FLYTE_EINVALID,
					"Caching is enabled ``cache=True`` but ``cache_version`` is not set.");
		*out = fl_strdup(opts->cache_version);
		return *out ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	if (!opts->n_policies)
		return fl_error(error, FLYTE_EINVALID,
				"If version is not defined then at least one cache policy needs to be set");
	SHA256_CTX sha;
	SHA256_Init(&sha);
	for (size_t i = 0; i < opts->n_policies; i++) {
		if (!opts->policies[i].fn)
			return fl_error(error, FLYTE_EINVALID, "cache policy %zu has no function", i);
		flyte_out_string res = {0};
		char what[64];
		snprintf(what, sizeof what, "cache policy %zu", i);
		int rc = fl_out_string_result(&res, opts->policies[i].fn(&res, opts->salt ? opts->salt : "",
								       opts->policies[i].payload),
					      what, error);
		if (!rc)
			SHA256_Update(&sha, res.value, res.len);
		fl_out_string_dispose(&res);
		if (rc)
			return rc;
	}
	unsigned char d[32];
	SHA256_Final(d, &sha);
	char *hex = fl_malloc(65);
	if (!hex)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	*out = hex;
	return 0;
}
