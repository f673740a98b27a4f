/**
 * @file flyte/dataproxy.h
 * @brief Uploading local files and directories through FlyteAdmin's data proxy, so that
 * they can be passed as blob inputs.
 *
 * flyte_execute() calls these for blob inputs whose uri is a local path (or file://),
 * after the type hints' hash functions have run on the local file; call them yourself to
 * upload once and reuse the returned uri. Thread-safe (the client is).
 *
 * A file is read twice, in fixed-size pieces whatever its size: once for its MD5, which
 * the upload location is signed for, then streamed into the PUT to the signed URL. Of the
 * headers the data proxy returns, the PUT carries only those the signature covers
 * (Content-MD5 and the store's own x-amz-, x-goog- and x-ms- headers): never its
 * Content-Length (FlyteAdmin's is 24, the length of the base64 MD5, whatever the file),
 * Host or anything else. When the store answers with the MD5 of what it kept (the ETag of
 * S3 and GCS), it must be the file's. A failed upload's error names the file, the storage
 * host, the method and the path, with the store's error code and message; never the
 * signed query string. The PUT has no overall time limit but fails when no byte moves for
 * the client's timeout_ms.
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
 * the same file twice gives the same uri. FLYTE_EIO names a file that cannot be read or
 * that changed while it was read; FLYTE_EINVALID a path that is not a regular file;
 * FLYTE_ERROR a store that kept other bytes or an upload location that cannot be used.
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
