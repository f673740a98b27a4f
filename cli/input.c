/* flyte-remote: reading a command's input files, "-" being standard input. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *cli_input_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "standard input" : path;
}

/* Reads f to its end; 0, or an errno value. */
static int slurp(char **out, size_t *len, FILE *f)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	if (!buf)
		return ENOMEM;
	for (;;) {
		n += fread(buf + n, 1, cap - n - 1, f);
		if (ferror(f)) {
			int err = errno ? errno : EIO;
			free(buf);
			return err;
		}
		if (feof(f))
			break;
		char *bigger = cap <= (size_t)-1 / 2 ? realloc(buf, cap * 2) : NULL;
		if (!bigger) {
			free(buf);
			return ENOMEM;
		}
		buf = bigger;
		cap *= 2;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int cli_read_input(char **out, size_t *len, const cli_command *cmd, const char *path)
{
	int from_stdin = strcmp(path, "-") == 0;
	FILE *f = from_stdin ? stdin : fopen(path, "rb");
	int err = f ? 0 : errno;
	if (f) {
		errno = 0;
		err = slurp(out, len, f);
		if (!from_stdin)
			fclose(f);
	}
	if (!err)
		return CLI_EXIT_OK;
	fprintf(stderr, CLI_NAME " %s: %s: %s\n", cmd->name, cli_input_name(path), strerror(err));
	return CLI_EXIT_USAGE;
}
