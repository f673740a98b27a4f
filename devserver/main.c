/*
 * flyte-devserver: a local FlyteAdmin-compatible server with a SQLite store and a local
 * executor, the embedded default backend for demos and tests.
 *
 *   flyte-devserver [--listen 127.0.0.1:30080] [--db FILE] [--data-dir DIR] [--workers N]
 *                   [--auth-token TOKEN] [--max-body-bytes N]
 *
 * The first line on stdout is the URL it listens on ("http://127.0.0.1:PORT"), printed
 * once /healthcheck answers. SIGTERM and SIGINT stop it cleanly.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc.h"
#include "files.h"
#include "http.h"
#include "routes.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: flyte-devserver [--listen HOST:PORT] [--db FILE] [--data-dir DIR] [--workers N]\n"
		   "                       [--auth-token TOKEN] [--max-body-bytes N]\n"
		   "\n"
		   "A local FlyteAdmin-compatible server: registers tasks, workflows and launch plans,\n"
		   "runs executions as local processes, caches task outputs as Flyte does.\n"
		   "\n"
		   "  --listen HOST:PORT     address to bind (default 127.0.0.1:30080; port 0 picks a free one)\n"
		   "  --db FILE              SQLite database (default ./flyte-devserver.db)\n"
		   "  --data-dir DIR         uploaded files, outputs and work directories (default ./flyte-devserver-data)\n"
		   "  --workers N            task processes run at once (default 4)\n"
		   "  --auth-token TOKEN     require Authorization: Bearer TOKEN on every API call\n"
		   "  --max-body-bytes N     larger request bodies get 413 (default 16777216)\n");
}

int main(int argc, char **argv)
{
	ds_server s = {.config = {.listen = "127.0.0.1:30080",
				  .db_path = "flyte-devserver.db",
				  .data_dir = "flyte-devserver-data",
				  .workers = 4,
				  .max_body_bytes = 16 << 20}};
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'},   {"db", required_argument, NULL, 'd'},
		{"data-dir", required_argument, NULL, 'D'}, {"workers", required_argument, NULL, 'w'},
		{"auth-token", required_argument, NULL, 'a'}, {"max-body-bytes", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': s.config.listen = optarg; break;
		case 'd': s.config.db_path = optarg; break;
		case 'D': s.config.data_dir = optarg; break;
		case 'w': s.config.workers = atoi(optarg); break;
		case 'a': s.config.auth_token = optarg; break;
		case 'm': s.config.max_body_bytes = (size_t)strtoull(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc || s.config.workers < 1 || s.config.max_body_bytes == 0) {
		usage(stderr);
		return 2;
	}
	char host[256];
	const char *colon = strrchr(s.config.listen, ':');
	char *end;
	long port = colon ? strtol(colon + 1, &end, 10) : -1;
	if (!colon || *end || port < 0 || port > 65535 || (size_t)(colon - s.config.listen) >= sizeof host) {
		fprintf(stderr, "flyte-devserver: --listen wants HOST:PORT, got %s\n", s.config.listen);
		return 2;
	}
	memcpy(host, s.config.listen, (size_t)(colon - s.config.listen));
	host[colon - s.config.listen] = '\0';

	/* Signals are taken by sigwait below; every thread inherits the mask. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	char *error = NULL;
	if (ds_mkdir_p(s.config.data_dir) != 0) {
		fprintf(stderr, "flyte-devserver: cannot create data directory %s: %s\n", s.config.data_dir,
			strerror(errno));
		return 1;
	}
	if (ds_store_open(&s.store, s.config.db_path, &error) != 0)
		goto fail;
	for (const ds_init_fn *init = ds_module_inits; *init; init++)
		if ((*init)(&s, &error) != 0)
			goto fail;
	ds_http *http = NULL;
	if (ds_http_start(&http, &s, host, (unsigned short)port, &error) != 0)
		goto fail;
	s.base_url = fl_asprintf("http://%s:%u", host, s.port);
	if (ds_engine_start(&s, &error) != 0) {
		ds_http_stop(http);
		goto fail;
	}
	printf("%s\n", s.base_url);
	fflush(stdout);
	fprintf(stderr, "flyte-devserver: listening on %s (database %s, data %s, %d workers%s)\n", s.base_url,
		s.config.db_path, s.config.data_dir, s.config.workers, s.config.auth_token ? ", auth on" : "");

	int sig;
	sigwait(&set, &sig);
	fprintf(stderr, "flyte-devserver: %s, shutting down\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	ds_http_stop(http);
	ds_engine_stop(&s);
	ds_store_close(s.store);
	fl_free(s.base_url);
	return 0;
fail:
	fprintf(stderr, "flyte-devserver: %s\n", error ? error : "start-up failed");
	fl_free(error);
	ds_store_close(s.store);
	return 1;
}
