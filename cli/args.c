/* flyte-remote: pieces of command lines: lists of option values, NAME[:VERSION] and
   KEY=VALUE arguments, and the messages parsers hand back to their callers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int strv_push(cli_strv *v, char *s)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		char **items = realloc(v->items, cap * sizeof *items);
		if (!items)
			return FLYTE_ENOMEM;
		v->items = items;
		v->cap = cap;
	}
	v->items[v->n++] = s;
	return 0;
}

int cli_strv_add(cli_strv *v, const char *s)
{
	char *item = v->owned ? strdup(s) : (char *)s;
	if (!item)
		return FLYTE_ENOMEM;
	int rc = strv_push(v, item);
	if (rc && v->owned)
		free(item);
	return rc;
}

int cli_strv_add_csv(cli_strv *v, const char *csv)
{
	v->owned = 1;
	for (const char *p = csv;; p++) {
		size_t len = strcspn(p, ",");
		char *name = strndup(p, len);
		if (!name || strv_push(v, name)) {
			free(name);
			return FLYTE_ENOMEM;
		}
		p += len;
		if (!*p)
			return 0;
	}
}

void cli_strv_free(cli_strv *v)
{
	if (v->owned)
		for (size_t i = 0; i < v->n; i++)
			free(v->items[i]);
	free(v->items);
	memset(v, 0, sizeof *v);
}

int cli_why_set(cli_why *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->text, sizeof w->text, fmt, ap);
	va_end(ap);
	return FLYTE_EINVALID;
}

int cli_split_ref(char **buf, const char **name, const char **version, const char *ref)
{
	*buf = strdup(ref);
	if (!*buf)
		return FLYTE_ENOMEM;
	char *colon = strchr(*buf, ':');
	*version = NULL;
	if (colon) {
		*colon = '\0';
		*version = colon[1] ? colon + 1 : NULL;
	}
	*name = *buf;
	return **buf ? 0 : FLYTE_EINVALID;
}

int cli_split_pair(char **key, const char **value, const char *arg)
{
	const char *eq = strchr(arg, '=');
	*key = NULL;
	if (!eq || eq == arg)
		return FLYTE_EINVALID;
	*key = strndup(arg, (size_t)(eq - arg));
	*value = eq + 1;
	return *key ? 0 : FLYTE_ENOMEM;
}
