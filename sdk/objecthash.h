/*
 * ObjectHash (benlaurie/objecthash, as Flyte's pbhash uses it) computed straight from the
 * message tree: the value golang/protobuf jsonpb would write, hashed without producing
 * JSON text (cache-keys.md §1.3-§1.4).
 */
#ifndef FLYTE_OBJECTHASH_H
#define FLYTE_OBJECTHASH_H

#include <stddef.h>

#include "flyte/common.h"
#include "pb.h"

typedef unsigned char oh_digest[32];

/* Hash of a message. Returns 0, or FLYTE_EINVALID (a google.protobuf.Value without a kind,
   a timestamp or duration out of range: jsonpb cannot write those) with *error set. */
int oh_msg(oh_digest out, const pb_msg *m, flyte_error **error);
/* H(tag, data) = SHA-256(tag || data). */
void oh_leaf(oh_digest out, char tag, const void *data, size_t len);
/* floatNormalize(x) for finite x into out (128 bytes); returns the length. */
size_t oh_float_normalize(char *out, double x);

/* Incremental H('d', sorted pairs) / H('l', items) for callers that build their own
   objects (the artifact tag's hashified literals). */
typedef union {
	unsigned char bytes[128]; /* a SHA256_CTX */
	unsigned long long align;
} oh_ctx;
void oh_begin(oh_ctx *c, char tag);
void oh_add(oh_ctx *c, const void *data, size_t len);
void oh_end(oh_ctx *c, oh_digest out);
/* H('d', ...) over pairs (khash || vhash), n pairs, sorted in place. */
void oh_dict(oh_digest out, unsigned char (*pairs)[64], size_t n);

#endif
