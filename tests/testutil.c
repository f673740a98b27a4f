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

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct tu_devserver {
	pid_t pid;
	char dir[64];
	char url[128];
	char data[128];
};

tu_devserver *tu_devserver_start(const char *const *extra_args)
{
	const char *bin = getenv("FLYTE_DEVSERVER");
#ifdef FLYTE_DEVSERVER_PATH
	if (!bin || !*bin)
		bin = FLYTE_DEVSERVER_PATH;
#endif
	if (!bin)
		return NULL;
	tu_devserver *d = calloc(1, sizeof *d);
	snprintf(d->dir, sizeof d->dir, "/tmp/flyte-devserver-test-XXXXXX");
	if (!mkdtemp(d->dir)) {
		free(d);
		return NULL;
	}
	char db[128];
	snprintf(db, sizeof db, "%s/db.sqlite", d->dir);
	snprintf(d->data, sizeof d->data, "%s/data", d->dir);
	const char *argv[32] = {bin, "--listen", "127.0.0.1:0", "--db", db, "--data-dir", d->data, "--workers", "2"};
	int argc = 9;
	for (int i = 0; extra_args && extra_args[i] && argc < 31; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;
	int out[2];
	if (pipe(out) != 0) {
		free(d);
		return NULL;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	posix_spawn_file_actions_addclose(&fa, out[1]);
	int rc = posix_spawn(&d->pid, bin, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	if (rc != 0) {
		close(out[0]);
		free(d);
		return NULL;
	}
	/* The first line is the URL, printed once the server answers. */
	size_t n = 0;
	char c;
	while (n + 1 < sizeof d->url && read(out[0], &c, 1) == 1 && c != '\n')
		d->url[n++] = c;
	d->url[n] = '\0';
	close(out[0]);
	if (strncmp(d->url, "http://", 7) != 0) {
		tu_devserver_stop(d);
		return NULL;
	}
	return d;
}

const char *tu_devserver_url(const tu_devserver *d)
{
	return d->url;
}

const char *tu_devserver_data_dir(const tu_devserver *d)
{
	return d->data;
}

int tu_devserver_stop(tu_devserver *d)
{
	int status = -1;
	if (d->pid > 0) {
		kill(d->pid, SIGTERM);
		waitpid(d->pid, &status, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		status = -1;
	free(d);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
