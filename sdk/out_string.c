/* The string a callback hands back. */
#include "out_string.h"

#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/cache_key.h"

int flyte_out_string_set(flyte_out_string *out, const char *s, size_t len)
{
	if (!out || (!s && len))
		return FLYTE_EINVALID;
	char *v = fl_strndup(s ? s : "", len);
	if (!v) {
		out->oom = 1;
		return FLYTE_ENOMEM;
	}
	fl_free(out->value);
	out->value = v;
	out->len = len;
	return 0;
}

int flyte_out_string_fail(flyte_out_string *out, const char *message)
{
	if (!out || !message)
		return FLYTE_EINVALID;
	char *m = fl_strdup(message);
	if (!m)
		return FLYTE_ENOMEM;
	fl_free(out->failure);
	out->failure = m;
	return 0;
}

void fl_out_string_dispose(flyte_out_string *out)
{
	fl_free(out->value);
	fl_free(out->failure);
	memset(out, 0, sizeof *out);
}

int fl_out_string_result(flyte_out_string *out, int rc, const char *what, flyte_error **error)
{
	if (out->oom)
		return fl_error(error, FLYTE_ENOMEM, "%s: out of memory", what);
	if (rc)
		return fl_error(error, FLYTE_EUSER, "%s failed (returned %d)%s%s", what, rc,
				out->failure ? ": " : "", out->failure ? out->failure : "");
	if (!out->value)
		return fl_error(error, FLYTE_EINVALID, "%s returned no value", what);
	if (memchr(out->value, '\0', out->len))
		return fl_error(error, FLYTE_EINVALID, "%s returned a string with a NUL byte", what);
	return 0;
}
