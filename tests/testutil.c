/* Small helpers shared by the cmocka tests. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <flyte/common.h>

char *tu_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t k;
	while (buf && (k = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += k;
		if (n + 1 == cap) {
			char *b = realloc(buf, cap *= 2);
			if (!b) {
				free(buf);
				buf = NULL;
			}
			buf = b;
		}
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

const char *tu_data_path(const char *name)
{
	static char path[4096];
	snprintf(path, sizeof path, "%s/%s", FLYTE_TEST_DATA, name);
	return path;
}

static long g_count, g_fail_at = -1;

static int should_fail(void)
{
	long i = g_count++;
	return g_fail_at >= 0 && i >= g_fail_at;
}

static void *t_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n);
}

void tu_install_failing_allocator(void)
{
	flyte_set_allocator(t_malloc, t_realloc, free);
}

void tu_fail_after(long n)
{
	g_count = 0;
	g_fail_at = n;
}

void tu_fail_never(void)
{
	g_count = 0;
	g_fail_at = -1;
}

long tu_alloc_count(void)
{
	return g_count;
}
