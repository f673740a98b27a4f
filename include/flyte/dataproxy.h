/**
 * @file flyte/dataproxy.h
 * @brief Uploading local files and directories through FlyteAdmin's data proxy, so that
 * they can be passed as blob inputs.
 *
 * flyte_execute() calls these for blob inputs whose uri is a local path (or file://),
 * after the type hints' hash functions have run on the local file; call them yourself to
 * upload once and reuse the returned uri. Thread-safe (the client is).
 */
#ifndef FLYTE_DATAPROXY_H
#define FLYTE_DATAPROXY_H

#include "client.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Uploads the local file at `path` into `project`/`domain` (NULL: the client's) and stores
 * the remote uri to use in a blob literal (e.g. "s3://..." on a cluster) in *out (free
 * with flyte_string_free()). The location follows the file's MD5 and its name, so uploading
 * the same file twice gives the same uri. FLYTE_EIO names a file that cannot be read.
 */
FLYTE_EXTERN int flyte_upload_file(flyte_client *client, char **out, const char *path, const char *project,
				   const char *domain, flyte_error **error);

/**
 * Uploads every regular file under the local directory `path` (relative paths kept) under
 * one prefix, whose uri is stored in *out: a MULTIPART blob's uri.
 */
FLYTE_EXTERN int flyte_upload_directory(flyte_client *client, char **out, const char *path, const char *project,
					const char *domain, flyte_error **error);

#ifdef __cplusplus
}
#endif

#endif
