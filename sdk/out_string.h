/* The string a callback hands back (flyte_out_string in flyte/common.h). */
#ifndef FLYTE_OUT_STRING_H
#define FLYTE_OUT_STRING_H

#include <stddef.h>

#include "flyte/common.h"

struct flyte_out_string {
	char *value;     /* set by flyte_out_string_set */
	size_t len;
	char *failure;   /* set by flyte_out_string_fail */
	int oom;
};

void fl_out_string_dispose(flyte_out_string *out);
/* Runs after a callback returned rc: 0 and *value on success (owned by out), else an
   FLYTE_EUSER / FLYTE_EINVALID error naming `what`. */
int fl_out_string_result(flyte_out_string *out, int rc, const char *what, flyte_error **error);

#endif
