/*
 * runner: runs one attempt of a raw-container task as a local process, Flyte's
 * raw-container conventions: the container's command and args (the image is only
 * recorded) with `{{.inputs.x}}`, `{{.input}}`, `{{.inputPrefix}}`, `{{.outputPrefix}}`
 * templating, `data_config` input and output directories remapped to the attempt's work
 * directory, inputs written one file per variable (and inputs.json), outputs read one
 * file per declared variable, stdout and stderr captured to files.
 *
 * The process runs in its own process group; a timeout or ds_job_abort() kills the group.
 */
#ifndef DS_RUNNER_H
#define DS_RUNNER_H

#include <jansson.h>
#include <pthread.h>
#include <sys/types.h>

#include "server.h"

/* Shared between the thread running a job and the threads that may abort it. */
typedef struct {
	pthread_mutex_t mu;
	pid_t pgid;  /* the running process group, 0 when none */
	int aborted; /* set once; nothing new is started afterwards */
} ds_job_ctl;

void ds_job_ctl_init(ds_job_ctl *c);
void ds_job_ctl_destroy(ds_job_ctl *c);
/* Marks the job aborted and kills its process group, if any. */
void ds_job_abort(ds_job_ctl *c);
int ds_job_aborted(ds_job_ctl *c);

typedef struct {
	ds_server *server;
	const json_t *task;       /* core.TaskTemplate */
	const json_t *inputs;     /* LiteralMap */
	const json_t *envs;       /* extra environment: [KeyValuePair], may be NULL */
	const char *attempt_dir;  /* created: inputs/, outputs/, raw/, stdout.log, stderr.log */
	const char *blob_dir;     /* where blob outputs are moved to (created when needed) */
	long long timeout_ns;     /* 0: none */
	ds_job_ctl *ctl;
	/* Called once the process runs (its pid is its process group). */
	void (*on_start)(pid_t pid, void *payload);
	void *payload;
} ds_run_request;

typedef enum {
	DS_RUN_SUCCEEDED,
	DS_RUN_FAILED,    /* the task failed: error_code, message, kind */
	DS_RUN_TIMED_OUT, /* killed after timeout_ns */
	DS_RUN_ABORTED    /* killed by ds_job_abort() */
} ds_run_status;

typedef struct {
	ds_run_status status;
	json_t *outputs;  /* LiteralMap when SUCCEEDED */
	json_t *command;  /* the command line as run (templates expanded), or NULL */
	char *error_code; /* e.g. "NonZeroExit" */
	char *message;
	int system_error; /* kind SYSTEM rather than USER */
} ds_run_result;

/* NULL when the dev server can run `task` here, else why not (fl_free it). */
char *ds_runner_unsupported(const json_t *task);
/* Runs one attempt. Always fills *out (free with ds_run_result_dispose). */
void ds_runner_run(ds_run_result *out, const ds_run_request *rq);
void ds_run_result_dispose(ds_run_result *r);

/* Text of a primitive literal as Flyte's templating writes it (integers decimal, floats
   as Go's %v, booleans true/false, datetimes RFC 3339, durations as Go's
   time.Duration), or NULL when the literal is not a primitive; fl_free it. */
char *ds_literal_text(const json_t *literal);
/* Kills a process group left by a previous run when its leader is still the process
   that was started at `start` (from /proc), or is gone while the group lives on. */
void ds_runner_kill_orphan(pid_t pgid, long long start);
/* The start time of a process (clock ticks since boot), 0 when unknown. */
long long ds_process_start_time(pid_t pid);

#endif
