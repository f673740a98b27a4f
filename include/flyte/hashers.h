/**
 * @file flyte/hashers.h
 * @brief Built-in hash functions for type hints, so a cache key follows content rather than
 * a location: a file's bytes, a directory tree, a struct's canonical JSON.
 *
 * Each has the flyte_hash_fn signature; pass NULL as payload. Results are lowercase hex
 * SHA-256 digests (64 characters). Thread-safe.
 */
#ifndef FLYTE_HASHERS_H
#define FLYTE_HASHERS_H

#include "cache_key.h"
#include "common.h"
#include "literal.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * SHA-256 of the bytes of a local file: the literal is a blob whose uri is a local path
 * or a `file://` URI. Fails (naming the path) when the file cannot be read.
 */
FLYTE_EXTERN int flyte_hasher_sha256_file(flyte_out_string *out, const flyte_literal *literal, void *payload);

/**
 * SHA-256 of a local directory tree (a MULTIPART blob with a local path or `file://` uri):
 * every regular file, in bytewise order of its relative path, contributes its path, a NUL,
 * its size as 8 big-endian bytes and its bytes; symbolic links are not followed (their
 * target text is hashed instead), so the digest depends only on names and contents.
 */
FLYTE_EXTERN int flyte_hasher_sha256_dir(flyte_out_string *out, const flyte_literal *literal, void *payload);

/**
 * SHA-256 of the canonical JSON of a value: object keys sorted bytewise, no whitespace,
 * numbers in shortest round-trip form. For a generic struct literal this is its JSON;
 * for any other literal, its flyteidl JSON.
 */
FLYTE_EXTERN int flyte_hasher_canonical_json(flyte_out_string *out, const flyte_literal *literal, void *payload);

#ifdef __cplusplus
}
#endif

#endif
