/* Uploads files through the data proxy, one process per file (see run.sh), and prints the
   size, the wall time and the process's peak RSS before and after: what an upload costs
   in memory, which must not grow with the file. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <flyte/flyte.h>

static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench_upload ENDPOINT FILE\n");
		return 2;
	}
	flyte_client_options o = FLYTE_CLIENT_OPTIONS_INIT;
	o.endpoint = argv[1];
	flyte_client *c;
	flyte_error *err = NULL;
	struct stat st;
	if (stat(argv[2], &st) != 0 || flyte_client_new(&c, &o, &err)) {
		fprintf(stderr, "bench_upload: %s\n", err ? flyte_error_message(err) : "cannot stat the file");
		return 1;
	}
	/* One call first, so the baseline holds the connection, TLS and JSON state. */
	char *version = NULL;
	if (flyte_client_request(c, &version, "GET", "/api/v1/version", NULL, 1, &err)) {
		fprintf(stderr, "bench_upload: %s\n", flyte_error_message(err));
		return 1;
	}
	flyte_string_free(version);
	long before = peak_rss_kib();
	double t0 = now_s();
	char *uri = NULL;
	int rc = flyte_upload_file(c, &uri, argv[2], NULL, NULL, &err);
	double secs = now_s() - t0;
	if (rc) {
		fprintf(stderr, "bench_upload: %s\n", flyte_error_message(err));
		return 1;
	}
	double mib = (double)st.st_size / (1024.0 * 1024.0);
	printf("%lld\t%.3f\t%.1f\t%ld\t%ld\t%s\n", (long long)st.st_size, secs, secs > 0 ? mib / secs : 0.0, before,
	       peak_rss_kib(), uri);
	flyte_string_free(uri);
	flyte_client_free(c);
	return 0;
}
