"""The C library, loaded with cffi in ABI mode.

Why ABI mode (``ffi.dlopen``) rather than API mode (a compiled extension module):

* ``pip install`` then needs no C compiler and no flyteremote headers on the machine; the
  package is pure Python and works with any build of ``libflyteremote.so`` that has the
  same ABI. The C library keeps a stable ABI by design (versioned option structs whose
  fields are only ever appended, opaque handles, ``int`` return codes), which is exactly
  what ABI-mode bindings rely on.
* cffi's ``cdef`` cannot read the real headers (they use ``FLYTE_EXTERN``, include guards and
  ``#include``), so the declarations below are written by hand: only the ones this package
  uses, copied from ``include/flyte/*.h`` with the export macro removed. The test suite
  (tests/test_ffi.py) compiles a C file that includes the real headers and then repeats
  these declarations (a differing signature is a "conflicting types" error) with static
  assertions on every enum value and every struct field offset cffi computed from them, so
  the two cannot drift apart silently.
* Callbacks (hash functions, cache policies, the log sink) are ``ffi.callback`` objects
  created once at import and kept alive for the life of the process; each call passes its
  Python state through the ``void *payload`` as an ``ffi.new_handle``.

cffi releases the GIL around every C call (so a blocking ``flyte_execution_wait`` does not
stop other Python threads) and re-takes it when C calls back into Python.

The library is looked up, in order: the ``FLYTEREMOTE_LIB`` environment variable (a file,
or a directory holding ``libflyteremote.so``), next to this package, then the system
loader's path (``LD_LIBRARY_PATH``, ``/usr/local/lib``, ...).
"""
from __future__ import annotations

import ctypes.util
import os
from typing import Any, List, Optional

import cffi

#: Oldest C library this package works with: 0.1.0 (MAJOR * 10000 + MINOR * 100 + PATCH).
MIN_C_VERSION = 100

CDEF = r"""
/* ---- common.h ---- */
typedef enum {
    FLYTE_OK = 0,
    FLYTE_ERROR = -1,
    FLYTE_ENOMEM = -2,
    FLYTE_EINVALID = -3,
    FLYTE_ENOTFOUND = -4,
    FLYTE_EEXISTS = -5,
    FLYTE_EAUTH = -6,
    FLYTE_ETIMEOUT = -7,
    FLYTE_EUNAVAILABLE = -8,
    FLYTE_EIO = -9,
    FLYTE_EUSER = -10,
    FLYTE_ETYPE = -11
} flyte_error_code;
typedef struct flyte_error flyte_error;
int flyte_error_code_of(const flyte_error *error);
const char *flyte_error_message(const flyte_error *error);
int flyte_error_http_status(const flyte_error *error);
int flyte_error_grpc_code(const flyte_error *error);
int flyte_error_retryable(const flyte_error *error);
void flyte_error_free(flyte_error *error);
const char *flyte_error_code_name(int code);
const char *flyte_version(void);
int flyte_version_number(void);
void flyte_string_free(char *s);
typedef struct flyte_out_string flyte_out_string;
int flyte_out_string_set(flyte_out_string *out, const char *s, size_t len);

/* ---- literal_type.h ---- */
typedef struct flyte_literal_type flyte_literal_type;
typedef enum {
    FLYTE_SIMPLE_NONE = 0,
    FLYTE_SIMPLE_INTEGER = 1,
    FLYTE_SIMPLE_FLOAT = 2,
    FLYTE_SIMPLE_STRING = 3,
    FLYTE_SIMPLE_BOOLEAN = 4,
    FLYTE_SIMPLE_DATETIME = 5,
    FLYTE_SIMPLE_DURATION = 6,
    FLYTE_SIMPLE_BINARY = 7,
    FLYTE_SIMPLE_ERROR = 8,
    FLYTE_SIMPLE_STRUCT = 9
} flyte_simple_type;
typedef enum {
    FLYTE_TYPE_UNSET = 0,
    FLYTE_TYPE_SIMPLE,
    FLYTE_TYPE_SCHEMA,
    FLYTE_TYPE_COLLECTION,
    FLYTE_TYPE_MAP,
    FLYTE_TYPE_BLOB,
    FLYTE_TYPE_ENUM,
    FLYTE_TYPE_STRUCTURED_DATASET,
    FLYTE_TYPE_UNION
} flyte_type_kind;
typedef enum { FLYTE_BLOB_SINGLE = 0, FLYTE_BLOB_MULTIPART = 1 } flyte_blob_dimensionality;
int flyte_literal_type_new_simple(flyte_literal_type **out, flyte_simple_type simple);
int flyte_literal_type_new_blob(flyte_literal_type **out, const char *format,
                flyte_blob_dimensionality dimensionality);
int flyte_literal_type_new_collection(flyte_literal_type **out, const flyte_literal_type *element);
int flyte_literal_type_new_map(flyte_literal_type **out, const flyte_literal_type *value);
int flyte_literal_type_new_enum(flyte_literal_type **out, const char *const *values, size_t n);
int flyte_literal_type_new_union(flyte_literal_type **out, const flyte_literal_type *const *variants, size_t n);
int flyte_literal_type_new_structured_dataset(flyte_literal_type **out, const char *format);
int flyte_literal_type_new_schema(flyte_literal_type **out);
int flyte_literal_type_set_structure_tag(flyte_literal_type *type, const char *tag);
int flyte_literal_type_set_metadata_json(flyte_literal_type *type, const char *json, flyte_error **error);
flyte_type_kind flyte_literal_type_kind(const flyte_literal_type *type);
flyte_simple_type flyte_literal_type_simple(const flyte_literal_type *type);
const char *flyte_literal_type_blob_format(const flyte_literal_type *type);
flyte_blob_dimensionality flyte_literal_type_blob_dimensionality(const flyte_literal_type *type);
const flyte_literal_type *flyte_literal_type_element(const flyte_literal_type *type);
size_t flyte_literal_type_variant_count(const flyte_literal_type *type);
const flyte_literal_type *flyte_literal_type_variant(const flyte_literal_type *type, size_t i);
size_t flyte_literal_type_enum_count(const flyte_literal_type *type);
const char *flyte_literal_type_enum_value(const flyte_literal_type *type, size_t i);
const char *flyte_literal_type_dataset_format(const flyte_literal_type *type);
const char *flyte_literal_type_structure_tag(const flyte_literal_type *type);
int flyte_literal_type_equal(const flyte_literal_type *a, const flyte_literal_type *b);
void flyte_literal_type_free(flyte_literal_type *type);
int flyte_literal_type_from_json(flyte_literal_type **out, const char *json, size_t len, flyte_error **error);
int flyte_literal_type_to_json(char **out, const flyte_literal_type *type);
int flyte_literal_type_to_string(char **out, const flyte_literal_type *type);

/* ---- literal.h ---- */
typedef struct flyte_literal flyte_literal;
typedef struct flyte_literal_map flyte_literal_map;
typedef enum {
    FLYTE_LITERAL_UNSET = 0,
    FLYTE_LITERAL_INTEGER,
    FLYTE_LITERAL_FLOAT,
    FLYTE_LITERAL_STRING,
    FLYTE_LITERAL_BOOLEAN,
    FLYTE_LITERAL_DATETIME,
    FLYTE_LITERAL_DURATION,
    FLYTE_LITERAL_BLOB,
    FLYTE_LITERAL_BINARY,
    FLYTE_LITERAL_NONE,
    FLYTE_LITERAL_ERROR,
    FLYTE_LITERAL_GENERIC,
    FLYTE_LITERAL_STRUCTURED_DATASET,
    FLYTE_LITERAL_SCHEMA,
    FLYTE_LITERAL_UNION,
    FLYTE_LITERAL_COLLECTION,
    FLYTE_LITERAL_MAP,
    FLYTE_LITERAL_OFFLOADED
} flyte_literal_kind;
int flyte_literal_new_integer(flyte_literal **out, int64_t value);
int flyte_literal_new_float(flyte_literal **out, double value);
int flyte_literal_new_string(flyte_literal **out, const char *value);
int flyte_literal_new_boolean(flyte_literal **out, int value);
int flyte_literal_new_datetime(flyte_literal **out, int64_t seconds, int32_t nanos);
int flyte_literal_new_duration(flyte_literal **out, int64_t seconds, int32_t nanos);
int flyte_literal_new_none(flyte_literal **out);
int flyte_literal_new_blob(flyte_literal **out, const char *uri, const char *format,
               flyte_blob_dimensionality dimensionality);
int flyte_literal_new_binary(flyte_literal **out, const void *data, size_t len, const char *tag);
int flyte_literal_new_generic_json(flyte_literal **out, const char *json, flyte_error **error);
int flyte_literal_new_structured_dataset(flyte_literal **out, const char *uri, const char *format);
int flyte_literal_new_schema(flyte_literal **out, const char *uri, const flyte_literal_type *schema_type);
int flyte_literal_new_union(flyte_literal **out, const flyte_literal *value, const flyte_literal_type *type);
int flyte_literal_new_collection(flyte_literal **out);
int flyte_literal_new_map(flyte_literal **out);
int flyte_literal_collection_append_new(flyte_literal *collection, flyte_literal *item);
int flyte_literal_map_entry_set_new(flyte_literal *map, const char *key, flyte_literal *item);
int flyte_literal_set_hash(flyte_literal *literal, const char *hash);
const char *flyte_literal_hash(const flyte_literal *literal);
flyte_literal_kind flyte_literal_kind_of(const flyte_literal *literal);
int flyte_literal_get_integer(const flyte_literal *literal, int64_t *out);
int flyte_literal_get_float(const flyte_literal *literal, double *out);
int flyte_literal_get_string(const flyte_literal *literal, const char **out);
int flyte_literal_get_boolean(const flyte_literal *literal, int *out);
int flyte_literal_get_datetime(const flyte_literal *literal, int64_t *seconds, int32_t *nanos);
int flyte_literal_get_duration(const flyte_literal *literal, int64_t *seconds, int32_t *nanos);
int flyte_literal_get_blob(const flyte_literal *literal, const char **uri, const char **format,
               flyte_blob_dimensionality *dimensionality);
int flyte_literal_get_binary(const flyte_literal *literal, const void **data, size_t *len, const char **tag);
int flyte_literal_get_generic_json(const flyte_literal *literal, char **out);
int flyte_literal_get_structured_dataset(const flyte_literal *literal, const char **uri, const char **format);
int flyte_literal_get_error(const flyte_literal *literal, const char **message, const char **failed_node_id);
int flyte_literal_get_union(const flyte_literal *literal, const flyte_literal **value,
                const flyte_literal_type **type);
size_t flyte_literal_count(const flyte_literal *literal);
const flyte_literal *flyte_literal_collection_at(const flyte_literal *literal, size_t i);
const flyte_literal *flyte_literal_map_entry_at(const flyte_literal *literal, size_t i, const char **key);
int flyte_literal_equal(const flyte_literal *a, const flyte_literal *b);
void flyte_literal_free(flyte_literal *literal);
int flyte_literal_from_json(flyte_literal **out, const char *json, size_t len, flyte_error **error);
int flyte_literal_to_json(char **out, const flyte_literal *literal);
int flyte_literal_map_new(flyte_literal_map **out);
int flyte_literal_map_set_new(flyte_literal_map *map, const char *name, flyte_literal *value);
flyte_literal *flyte_literal_map_get(const flyte_literal_map *map, const char *name);
size_t flyte_literal_map_count(const flyte_literal_map *map);
flyte_literal *flyte_literal_map_at(const flyte_literal_map *map, size_t i, const char **name);
void flyte_literal_map_free(flyte_literal_map *map);
int flyte_literal_map_from_json(flyte_literal_map **out, const char *json, size_t len, flyte_error **error);
int flyte_literal_map_to_json(char **out, const flyte_literal_map *map);

/* ---- interface.h ---- */
typedef enum {
    FLYTE_RESOURCE_UNSPECIFIED = 0,
    FLYTE_RESOURCE_TASK = 1,
    FLYTE_RESOURCE_WORKFLOW = 2,
    FLYTE_RESOURCE_LAUNCH_PLAN = 3,
    FLYTE_RESOURCE_DATASET = 4
} flyte_resource_type;
typedef struct {
    flyte_resource_type resource_type;
    const char *project;
    const char *domain;
    const char *name;
    const char *version;
    const char *org;
} flyte_identifier;
typedef struct flyte_variable_map flyte_variable_map;
typedef struct flyte_typed_interface flyte_typed_interface;
int flyte_variable_map_new(flyte_variable_map **out);
int flyte_variable_map_add(flyte_variable_map *map, const char *name, const flyte_literal_type *type,
               const char *description);
size_t flyte_variable_map_count(const flyte_variable_map *map);
const flyte_literal_type *flyte_variable_map_at(const flyte_variable_map *map, size_t i, const char **name,
                        const char **description);
void flyte_variable_map_free(flyte_variable_map *map);
int flyte_typed_interface_new(flyte_typed_interface **out, const flyte_variable_map *inputs,
                  const flyte_variable_map *outputs);
const flyte_variable_map *flyte_typed_interface_inputs(const flyte_typed_interface *iface);
const flyte_variable_map *flyte_typed_interface_outputs(const flyte_typed_interface *iface);
void flyte_typed_interface_free(flyte_typed_interface *iface);

/* ---- typecheck.h ---- */
int flyte_literal_check_type(const flyte_literal *literal, const flyte_literal_type *expected, const char *name,
                 flyte_error **error);

/* ---- cache_key.h ---- */
typedef struct {
    char *project;
    char *domain;
    char *name;
    char *version;
} flyte_dataset_id;
int flyte_cache_artifact_tag(char out[57], const flyte_literal_map *inputs, const char *const *ignore,
                 size_t n_ignore, flyte_error **error);
int flyte_cache_dataset_id(flyte_dataset_id *out, const flyte_identifier *task_id, const char *cache_version,
               const flyte_typed_interface *interface, flyte_error **error);
void flyte_dataset_id_dispose(flyte_dataset_id *id);
typedef int (*flyte_hash_fn)(flyte_out_string *out, const flyte_literal *literal, void *payload);
int flyte_out_string_fail(flyte_out_string *out, const char *message);
typedef struct flyte_type_hints flyte_type_hints;
int flyte_type_hints_new(flyte_type_hints **out);
int flyte_type_hints_add(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
             flyte_hash_fn hash_fn, void *payload);
void flyte_type_hints_free(flyte_type_hints *hints);
int flyte_type_hints_apply(const flyte_type_hints *hints, flyte_literal_map *inputs, flyte_error **error);

/* ---- cache_config.h ---- */
typedef int (*flyte_cache_policy_fn)(flyte_out_string *out, const char *salt, void *payload);
typedef struct {
    flyte_cache_policy_fn fn;
    void *payload;
} flyte_cache_policy;
typedef struct {
    unsigned int version;
    int enabled;
    const char *cache_version;
    int serialize;
    const char *const *ignored_inputs;
    size_t n_ignored_inputs;
    const char *salt;
    const flyte_cache_policy *policies;
    size_t n_policies;
} flyte_cache_options;
int flyte_cache_options_init(flyte_cache_options *opts, unsigned int version);
int flyte_cache_resolve_version(char **out, const flyte_cache_options *opts, flyte_error **error);

/* ---- hashers.h ---- */
int flyte_hasher_sha256_file(flyte_out_string *out, const flyte_literal *literal, void *payload);
int flyte_hasher_sha256_dir(flyte_out_string *out, const flyte_literal *literal, void *payload);
int flyte_hasher_canonical_json(flyte_out_string *out, const flyte_literal *literal, void *payload);

/* ---- client.h ---- */
typedef struct flyte_client flyte_client;
typedef void (*flyte_log_fn)(int level, const char *message, void *payload);
typedef enum {
    FLYTE_AUTH_NONE = 0,
    FLYTE_AUTH_TOKEN = 1,
    FLYTE_AUTH_CLIENT_SECRET = 2,
    FLYTE_AUTH_EXTERNAL_COMMAND = 3
} flyte_auth_type;
typedef struct {
    unsigned int version;
    const char *endpoint;
    int insecure;
    const char *project;
    const char *domain;
    const char *console_endpoint;
    flyte_auth_type auth_type;
    const char *token;
    const char *client_id;
    const char *client_secret;
    const char *const *scopes;
    size_t n_scopes;
    const char *audience;
    const char *token_endpoint;
    const char *authorization_header;
    const char *const *command;
    size_t n_command;
    const char *ca_cert_path;
    int insecure_skip_verify;
    long timeout_ms;
    long connect_timeout_ms;
    int max_attempts;
    long retry_initial_ms;
    long retry_max_ms;
    long retry_deadline_ms;
    flyte_log_fn log;
    void *log_payload;
    int log_level;
} flyte_client_options;
int flyte_client_options_init(flyte_client_options *opts, unsigned int version);
int flyte_client_new(flyte_client **out, const flyte_client_options *opts, flyte_error **error);
int flyte_client_from_config(flyte_client **out, const char *config_path, flyte_error **error);
void flyte_client_free(flyte_client *client);
const char *flyte_client_endpoint(const flyte_client *client);
const char *flyte_client_project(const flyte_client *client);
const char *flyte_client_domain(const flyte_client *client);

/* ---- config.h ---- */
typedef struct flyte_config flyte_config;
int flyte_config_load(flyte_config **out, const char *path, flyte_error **error);
int flyte_config_apply(const flyte_config *config, flyte_client_options *opts);
const char *flyte_config_path(const flyte_config *config);
void flyte_config_free(flyte_config *config);

/* ---- entities.h ---- */
typedef struct flyte_task flyte_task;
typedef struct flyte_workflow flyte_workflow;
typedef struct flyte_launch_plan flyte_launch_plan;
int flyte_task_new_raw_container(flyte_task **out, const flyte_identifier *id, const char *image,
                 const char *const *command, size_t n_command, const char *const *args, size_t n_args,
                 const flyte_typed_interface *interface, flyte_error **error);
int flyte_task_set_data_config(flyte_task *task, const char *input_path, const char *output_path);
int flyte_task_set_cache(flyte_task *task, const flyte_cache_options *cache, flyte_error **error);
int flyte_task_set_retries(flyte_task *task, unsigned int retries);
int flyte_task_set_timeout(flyte_task *task, int64_t timeout_seconds);
int flyte_task_set_env(flyte_task *task, const char *key, const char *value);
const flyte_typed_interface *flyte_task_interface(const flyte_task *task);
flyte_identifier flyte_task_id(const flyte_task *task);
int flyte_task_to_json(char **out, const flyte_task *task);
int flyte_task_from_json(flyte_task **out, const char *json, size_t len, flyte_error **error);
void flyte_task_free(flyte_task *task);
typedef struct {
    const char *name;
    const char *from_node;
    const char *from_var;
    const flyte_literal *value;
} flyte_binding;
int flyte_workflow_new(flyte_workflow **out, const flyte_identifier *id, const flyte_typed_interface *interface,
               flyte_error **error);
int flyte_workflow_add_task_node(flyte_workflow *wf, const char *node_id, const flyte_task *task,
                 const flyte_binding *bindings, size_t n_bindings, flyte_error **error);
int flyte_workflow_bind_output(flyte_workflow *wf, const flyte_binding *binding, flyte_error **error);
const flyte_typed_interface *flyte_workflow_interface(const flyte_workflow *wf);
flyte_identifier flyte_workflow_id(const flyte_workflow *wf);
void flyte_workflow_free(flyte_workflow *wf);
int flyte_launch_plan_new(flyte_launch_plan **out, const flyte_identifier *id, const flyte_workflow *wf,
              flyte_error **error);
int flyte_launch_plan_set_default(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
                  flyte_error **error);
int flyte_launch_plan_set_fixed(flyte_launch_plan *lp, const char *name, const flyte_literal *value,
                flyte_error **error);
flyte_identifier flyte_launch_plan_id(const flyte_launch_plan *lp);
void flyte_launch_plan_free(flyte_launch_plan *lp);
int flyte_register_task(flyte_client *client, const flyte_task *task, flyte_error **error);
int flyte_register_workflow(flyte_client *client, const flyte_workflow *wf, flyte_error **error);
int flyte_register_launch_plan(flyte_client *client, const flyte_launch_plan *lp, flyte_error **error);
typedef struct flyte_entity flyte_entity;
int flyte_fetch(flyte_client *client, flyte_entity **out, const flyte_identifier *id, flyte_error **error);
flyte_identifier flyte_entity_id(const flyte_entity *entity);
const flyte_typed_interface *flyte_entity_interface(const flyte_entity *entity);
const flyte_literal_map *flyte_entity_defaults(const flyte_entity *entity);
const flyte_literal_map *flyte_entity_fixed_inputs(const flyte_entity *entity);
const char *flyte_entity_json(const flyte_entity *entity);
void flyte_entity_free(flyte_entity *entity);

/* ---- execution.h ---- */
typedef struct flyte_execution flyte_execution;
typedef enum {
    FLYTE_PHASE_UNDEFINED = 0,
    FLYTE_PHASE_QUEUED = 1,
    FLYTE_PHASE_RUNNING = 2,
    FLYTE_PHASE_SUCCEEDING = 3,
    FLYTE_PHASE_SUCCEEDED = 4,
    FLYTE_PHASE_FAILING = 5,
    FLYTE_PHASE_FAILED = 6,
    FLYTE_PHASE_ABORTED = 7,
    FLYTE_PHASE_TIMED_OUT = 8,
    FLYTE_PHASE_ABORTING = 9
} flyte_execution_phase;
typedef enum {
    FLYTE_CACHE_DISABLED = 0,
    FLYTE_CACHE_MISS = 1,
    FLYTE_CACHE_HIT = 2,
    FLYTE_CACHE_POPULATED = 3,
    FLYTE_CACHE_LOOKUP_FAILURE = 4,
    FLYTE_CACHE_PUT_FAILURE = 5,
    FLYTE_CACHE_SKIPPED = 6,
    FLYTE_CACHE_EVICTED = 7
} flyte_cache_status;
typedef struct {
    unsigned int version;
    const char *project;
    const char *domain;
    const char *name;
    const char *name_prefix;
    int overwrite_cache;
    const char *const *tags;
    size_t n_tags;
    const char *const *label_keys;
    const char *const *label_values;
    size_t n_labels;
    const char *const *annotation_keys;
    const char *const *annotation_values;
    size_t n_annotations;
    const char *const *env_keys;
    const char *const *env_values;
    size_t n_envs;
    int interruptible;
    int max_parallelism;
    const char *raw_output_prefix;
    int log_input_sources;
} flyte_execute_options;
int flyte_execute_options_init(flyte_execute_options *opts, unsigned int version);
int flyte_execute(flyte_client *client, flyte_execution **out, const flyte_identifier *entity,
          const flyte_literal_map *inputs, const flyte_type_hints *hints, const flyte_execute_options *opts,
          flyte_error **error);
int flyte_execution_get(flyte_client *client, flyte_execution **out, const char *project, const char *domain,
            const char *name, flyte_error **error);
int flyte_execution_wait(flyte_client *client, flyte_execution *execution, long timeout_ms, long poll_interval_ms,
             flyte_error **error);
int flyte_execution_sync(flyte_client *client, flyte_execution *execution, flyte_error **error);
const char *flyte_execution_project(const flyte_execution *execution);
const char *flyte_execution_domain(const flyte_execution *execution);
const char *flyte_execution_name(const flyte_execution *execution);
flyte_execution_phase flyte_execution_phase_of(const flyte_execution *execution);
int flyte_execution_is_done(const flyte_execution *execution);
const char *flyte_execution_error_message(const flyte_execution *execution);
const char *flyte_phase_name(flyte_execution_phase phase);
const char *flyte_cache_status_name(flyte_cache_status status);
const flyte_literal_map *flyte_execution_inputs(const flyte_execution *execution);
const flyte_literal_map *flyte_execution_outputs(const flyte_execution *execution);
typedef struct {
    const char *node_id;
    int phase;
    const char *phase_name;
    flyte_cache_status cache_status;
    const char *dataset_project;
    const char *dataset_domain;
    const char *dataset_name;
    const char *dataset_version;
    const char *artifact_tag;
    const char *error_message;
} flyte_node_info;
size_t flyte_execution_node_count(const flyte_execution *execution);
const flyte_node_info *flyte_execution_node_at(const flyte_execution *execution, size_t i);
typedef struct {
    const char *node_id;
    flyte_dataset_id dataset;
    const char *artifact_tag;
    const char *server_artifact_tag;
    const char *server_dataset_version;
    int matches;
} flyte_cache_prediction;
size_t flyte_execution_prediction_count(const flyte_execution *execution);
const flyte_cache_prediction *flyte_execution_prediction_at(const flyte_execution *execution, size_t i);
int flyte_execution_console_url(char **out, const flyte_client *client, const flyte_execution *execution);
int flyte_execution_terminate(flyte_client *client, flyte_execution *execution, const char *cause,
                  flyte_error **error);
int flyte_execution_relaunch(flyte_client *client, flyte_execution **out, const flyte_execution *execution,
                 int overwrite_cache, flyte_error **error);
int flyte_execution_recover(flyte_client *client, flyte_execution **out, const flyte_execution *execution,
                flyte_error **error);
void flyte_execution_free(flyte_execution *execution);

/* ---- dataproxy.h ---- */
int flyte_upload_file(flyte_client *client, char **out, const char *path, const char *project, const char *domain,
              flyte_error **error);
int flyte_upload_directory(flyte_client *client, char **out, const char *path, const char *project,
               const char *domain, flyte_error **error);
"""

# Values of the headers' macros (cffi's cdef cannot evaluate them).
FLYTE_ARTIFACT_TAG_LEN = 56
FLYTE_CLIENT_OPTIONS_VERSION = 1
FLYTE_EXECUTE_OPTIONS_VERSION = 1
FLYTE_CACHE_OPTIONS_VERSION = 1

ffi = cffi.FFI()
ffi.cdef(CDEF)

_SONAMES = ("libflyteremote.so", "libflyteremote.so.0", "libflyteremote.dylib")


def _candidates() -> List[str]:
    """Where to look for the library, in order (see the module docstring)."""
    found: List[str] = []
    env = os.environ.get("FLYTEREMOTE_LIB")
    if env:
        if os.path.isdir(env):
            found += [os.path.join(env, n) for n in _SONAMES]
        else:
            found.append(env)
        return found  # an explicit choice is never second-guessed
    here = os.path.dirname(os.path.abspath(__file__))
    for d in (here, os.path.dirname(here)):
        found += [os.path.join(d, n) for n in _SONAMES if os.path.exists(os.path.join(d, n))]
    found += ["libflyteremote.so.0", "libflyteremote.so"]
    system = ctypes.util.find_library("flyteremote")
    if system:
        found.append(system)
    return found


def _load() -> Any:
    errors = []
    for path in _candidates():
        try:
            return ffi.dlopen(path)
        except OSError as e:
            errors.append(f"  {path}: {e}")
    raise ImportError(
        "flyteremote: cannot load the C library libflyteremote.so. Build it (cmake) and set "
        "FLYTEREMOTE_LIB to its path, or install it where the system loader finds it "
        "(e.g. cmake --install, then ldconfig). Tried:\n" + "\n".join(errors))


lib: Any = _load()


def _check_version() -> None:
    try:
        number = lib.flyte_version_number()
        text = ffi.string(lib.flyte_version()).decode()
    except AttributeError as e:  # a library so old it lacks the symbol, or another library
        raise ImportError(f"flyteremote: the loaded C library is not a usable libflyteremote ({e})") from None
    if number < MIN_C_VERSION:
        need = f"{MIN_C_VERSION // 10000}.{MIN_C_VERSION // 100 % 100}.{MIN_C_VERSION % 100}"
        raise ImportError(f"flyteremote: the C library is version {text}, this package needs {need} or newer "
                          f"(set FLYTEREMOTE_LIB to a newer libflyteremote.so)")


_check_version()

#: The loaded C library's version, e.g. "0.1.0".
C_VERSION: str = ffi.string(lib.flyte_version()).decode()


def cstr(s: Any) -> Any:
    """A Python str as a NUL-terminated UTF-8 char[] (kept alive by the caller), or NULL."""
    if s is None:
        return ffi.NULL
    return ffi.new("char[]", s.encode())


def pystr(p: Any) -> Optional[str]:
    """A borrowed C string as a Python str, or None for NULL."""
    if p == ffi.NULL:
        return None
    return str(ffi.string(p).decode("utf-8", errors="replace"))


def take_string(p: Any) -> str:
    """An SDK-owned string as a Python str; frees it."""
    try:
        return str(ffi.string(p).decode("utf-8", errors="replace"))
    finally:
        lib.flyte_string_free(p)


def str_array(items: Any) -> Any:
    """A `const char *const *` of Python strings: (array cdata, keepalive list)."""
    keep = [ffi.new("char[]", s.encode()) for s in items]
    arr = ffi.new("const char *[]", keep) if keep else ffi.NULL
    return arr, keep
