/* The process-wide allocator hook, forwarded to jansson. */
#include "alloc.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flyte/common.h"

static flyte_malloc_fn g_malloc = malloc;
static flyte_realloc_fn g_realloc = realloc;
static flyte_free_fn g_free = free;
/* Failed allocations on this thread: jansson reports some of them as syntax errors, so the
   JSON reader compares this count before and after a parse. */
static _Thread_local unsigned long g_failures;

static void *jansson_malloc(size_t n)
{
	void *p = g_malloc(n);
	if (!p)
		g_failures++;
	return p;
}

unsigned long fl_alloc_failures(void)
{
	return g_failures;
}

int flyte_set_allocator(flyte_malloc_fn malloc_fn, flyte_realloc_fn realloc_fn, flyte_free_fn free_fn)
{
	if (!malloc_fn || !realloc_fn || !free_fn)
		return FLYTE_EINVALID;
	g_malloc = malloc_fn;
	g_realloc = realloc_fn;
	g_free = free_fn;
	json_set_alloc_funcs(jansson_malloc, free_fn);
	return 0;
}

void *fl_malloc(size_t n)
{
	void *p = g_malloc(n ? n : 1);
	if (!p)
		g_failures++;
	return p;
}

void *fl_calloc(size_t count, size_t size)
{
	if (size && count > SIZE_MAX / size)
		return NULL;
	void *p = fl_malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *fl_realloc(void *p, size_t n)
{
	void *q = g_realloc(p, n ? n : 1);
	if (!q)
		g_failures++;
	return q;
}

void fl_free(void *p)
{
	if (p)
		g_free(p);
}

char *fl_strndup(const char *s, size_t n)
{
	char *d = fl_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *fl_strdup(const char *s)
{
	return fl_strndup(s, strlen(s));
}

char *fl_vasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return NULL;
	char *s = fl_malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *fl_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = fl_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void flyte_string_free(char *s)
{
	fl_free(s);
}
