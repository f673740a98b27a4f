/*
 * Runs a fuzz target on the files named on the command line, without libFuzzer: the seed
 * corpus (and any saved crash) then becomes a plain test that any compiler can build and
 * valgrind can run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) != 0) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	long size = ftell(f);
	/* An exact-size copy, so that a read past the end is caught by valgrind or ASan. */
	uint8_t *data = size > 0 ? malloc((size_t)size) : malloc(1);
	rewind(f);
	int ok = size >= 0 && data && fread(data, 1, (size_t)size, f) == (size_t)size;
	fclose(f);
	if (ok)
		LLVMFuzzerTestOneInput(data, (size_t)size);
	else
		fprintf(stderr, "%s: cannot read\n", path);
	free(data);
	return ok ? 0 : -1;
}

int main(int argc, char **argv)
{
	int failed = 0;
	for (int i = 1; i < argc; i++)
		failed |= replay(argv[i]) != 0;
	printf("%d inputs replayed\n", argc - 1);
	return failed ? 1 : 0;
}
