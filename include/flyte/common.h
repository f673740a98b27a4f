/**
 * @file flyte/common.h
 * @brief Conventions shared by every module: export macro, return codes, the error
 * object, the allocator hook, global initialisation and the runtime version.
 *
 * Conventions (docs/conventions.md has the long form):
 * - Functions return `int`: 0 on success or a negative `FLYTE_E*` code.
 * - Results come back through out-parameters named `out`, listed first; `**out` results
 *   belong to the caller and are freed with that type's `flyte_<type>_free()`, which
 *   accepts NULL. Getters return borrowed pointers that live as long as their parent.
 * - Inputs are copied at the call boundary: the caller keeps ownership of what it passes.
 * - Detail on a failure goes into an optional `flyte_error **error` (last parameter,
 *   NULL allowed), freed with flyte_error_free(). Pass the address of a `flyte_error *`
 *   that is NULL: a call that stores an error frees what the pointer held before, so
 *   set it back to NULL after freeing it yourself.
 */
#ifndef FLYTE_COMMON_H
#define FLYTE_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(FLYTE_STATIC)
#define FLYTE_EXTERN
#elif defined(_WIN32)
#if defined(FLYTE_BUILDING)
#define FLYTE_EXTERN __declspec(dllexport)
#else
#define FLYTE_EXTERN __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define FLYTE_EXTERN __attribute__((visibility("default")))
#else
#define FLYTE_EXTERN
#endif

/** Return codes. Every failing call returns one of these; 0 is success. */
typedef enum {
	FLYTE_OK = 0,
	FLYTE_ERROR = -1,        /**< anything not listed below */
	FLYTE_ENOMEM = -2,       /**< out of memory */
	FLYTE_EINVALID = -3,     /**< bad input: the message names what was wrong */
	FLYTE_ENOTFOUND = -4,    /**< the entity or value does not exist */
	FLYTE_EEXISTS = -5,      /**< exists already with a different definition */
	FLYTE_EAUTH = -6,        /**< not authenticated or not allowed */
	FLYTE_ETIMEOUT = -7,     /**< a deadline passed */
	FLYTE_EUNAVAILABLE = -8, /**< server or network unavailable; a retry may help */
	FLYTE_EIO = -9,          /**< reading or writing a local file failed */
	FLYTE_EUSER = -10,       /**< a user callback returned non-zero (its value is in the message) */
	FLYTE_ETYPE = -11        /**< a value does not match its declared Flyte type */
} flyte_error_code;

/**
 * Detail of a failure. Opaque; read it with the accessors below. Not shared: each call
 * that fails with a non-NULL `error` argument stores a new one the caller owns.
 */
typedef struct flyte_error flyte_error;

/** The code, one of flyte_error_code. */
FLYTE_EXTERN int flyte_error_code_of(const flyte_error *error);
/** Human-readable message; borrowed, lives as long as `error`. Never contains secrets. */
FLYTE_EXTERN const char *flyte_error_message(const flyte_error *error);
/** HTTP status of the response that caused it, or 0 when none. */
FLYTE_EXTERN int flyte_error_http_status(const flyte_error *error);
/** gRPC status code reported by the server (e.g. 6 ALREADY_EXISTS), or -1 when none. */
FLYTE_EXTERN int flyte_error_grpc_code(const flyte_error *error);
/** 1 if repeating the same call may succeed (transient failure), else 0. */
FLYTE_EXTERN int flyte_error_retryable(const flyte_error *error);
/** Frees the error; NULL is allowed. */
FLYTE_EXTERN void flyte_error_free(flyte_error *error);
/** A static English name for a code, e.g. "FLYTE_EINVALID". */
FLYTE_EXTERN const char *flyte_error_code_name(int code);

/**
 * Replaces the allocator of the whole process (flyteremote, and the jansson and curl
 * instances it uses). Call before flyte_global_init() and before any other call; all
 * three functions are required. Returns FLYTE_EINVALID when one is NULL.
 */
typedef void *(*flyte_malloc_fn)(size_t size);
typedef void *(*flyte_realloc_fn)(void *ptr, size_t size);
typedef void (*flyte_free_fn)(void *ptr);
FLYTE_EXTERN int flyte_set_allocator(flyte_malloc_fn malloc_fn, flyte_realloc_fn realloc_fn,
				     flyte_free_fn free_fn);

/**
 * Reference-counted process initialisation (libcurl, OpenSSL). flyte_client_new() calls it
 * itself; pure data modules (literals, JSON, cache keys) work without it. Thread-safe, but
 * libcurl's own global set-up is not safe while other threads use libcurl: a program that
 * also uses libcurl directly should call this once from main before starting threads and
 * keep that reference until it exits.
 */
FLYTE_EXTERN int flyte_global_init(void);
/** Undoes one flyte_global_init(); the last one releases everything. */
FLYTE_EXTERN void flyte_global_shutdown(void);

/** The runtime library version, e.g. "0.1.0" (compare with FLYTE_VERSION_STRING). */
FLYTE_EXTERN const char *flyte_version(void);
/** The runtime version as MAJOR * 10000 + MINOR * 100 + PATCH. */
FLYTE_EXTERN int flyte_version_number(void);

/** Frees a string returned by the SDK (e.g. by a *_to_json function); NULL is allowed. */
FLYTE_EXTERN void flyte_string_free(char *s);

/**
 * Where a callback writes a string result (a hash, a cache-policy version). Opaque and
 * only valid during the callback. flyte_out_string_set copies `len` bytes of `s`; a
 * second call replaces the first. Returns FLYTE_ENOMEM or 0.
 */
typedef struct flyte_out_string flyte_out_string;
FLYTE_EXTERN int flyte_out_string_set(flyte_out_string *out, const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
