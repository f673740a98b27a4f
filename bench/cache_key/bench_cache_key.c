/*
 * bench_cache_key: times flyteremote's artifact-tag computation on LiteralMap JSON files,
 * and raw SHA-256 over the jsonpb bytes Flyte's Go code hashes (a floor: the least any
 * implementation that hashes that JSON text must do).
 *
 *   bench_cache_key [--iterations N] [--jsonpb-dir DIR] FILE...
 *
 * Prints per file, tab-separated:  c <file> <tag> <best ns> <median ns>
 * and, with --jsonpb-dir:          sha256-floor <file> - <best ns> <median ns>
 * Decoding the JSON is not timed (the Go side does not time it either).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include <flyte/flyte.h>

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* Runs fn(arg) `iterations` times (0: as many as fit in about one second, at least 3). */
static void measure(void (*fn)(void *), void *arg, int iterations, int64_t *best, int64_t *median)
{
	int64_t t0 = now_ns();
	fn(arg);
	int64_t first = now_ns() - t0;
	if (iterations <= 0) {
		iterations = first > 0 ? (int)(1000000000 / first) : 1000;
		if (iterations < 3)
			iterations = 3;
		if (iterations > 100000)
			iterations = 100000;
	}
	int64_t *t = malloc(sizeof *t * (size_t)iterations);
	for (int i = 0; i < iterations; i++) {
		int64_t s = now_ns();
		fn(arg);
		t[i] = now_ns() - s;
	}
	qsort(t, (size_t)iterations, sizeof *t, cmp_i64);
	*best = t[0];
	*median = t[iterations / 2];
	free(t);
}

struct tag_job {
	flyte_literal_map *map;
	char tag[FLYTE_ARTIFACT_TAG_LEN + 1];
};

static void run_tag(void *arg)
{
	struct tag_job *j = arg;
	if (flyte_cache_artifact_tag(j->tag, j->map, NULL, 0, NULL)) {
		fprintf(stderr, "artifact tag failed\n");
		exit(1);
	}
}

struct sha_job {
	const char *data;
	size_t len;
};

static void run_sha(void *arg)
{
	struct sha_job *j = arg;
	unsigned char d[32];
	EVP_Digest(j->data, j->len, d, NULL, EVP_sha256(), NULL);
}

int main(int argc, char **argv)
{
	int iterations = 0, i = 1;
	const char *jsonpb_dir = NULL;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "--iterations") == 0)
			iterations = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "--jsonpb-dir") == 0)
			jsonpb_dir = argv[i + 1];
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [--iterations N] [--jsonpb-dir DIR] FILE...\n", argv[0]);
		return 2;
	}
	for (; i < argc; i++) {
		size_t len;
		char *text = read_file(argv[i], &len);
		flyte_error *err = NULL;
		struct tag_job job = {0};
		if (!text || flyte_literal_map_from_json(&job.map, text, len, &err)) {
			fprintf(stderr, "%s: %s\n", argv[i], text ? flyte_error_message(err) : "cannot read");
			return 2;
		}
		free(text);
		const char *base = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
		int64_t best, median;
		measure(run_tag, &job, iterations, &best, &median);
		printf("c\t%s\t%s\t%lld\t%lld\n", base, job.tag, (long long)best, (long long)median);
		flyte_literal_map_free(job.map);
		if (jsonpb_dir) {
			char path[4096];
			snprintf(path, sizeof path, "%s/%.*s.jsonpb", jsonpb_dir, (int)(strlen(base) - 5), base);
			struct sha_job sj;
			char *data = read_file(path, &sj.len);
			if (data) {
				sj.data = data;
				measure(run_sha, &sj, iterations, &best, &median);
				printf("sha256-floor\t%s\t-\t%lld\t%lld\n", base, (long long)best, (long long)median);
				free(data);
			}
		}
		fflush(stdout);
	}
	return 0;
}
