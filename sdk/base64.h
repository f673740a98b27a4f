/* Base64 (RFC 4648): standard and URL-safe alphabets, with or without padding. */
#ifndef FLYTE_BASE64_H
#define FLYTE_BASE64_H

#include <stddef.h>

enum { BASE64_URL = 1, BASE64_NOPAD = 2 };

/* Length of the padded encoding of n bytes (an upper bound for unpadded). */
size_t base64_encoded_len(size_t n);
/* Encodes n bytes into out (room for base64_encoded_len(n) + 1); NUL-terminates and
   returns the length. */
size_t base64_encode(char *out, const unsigned char *in, size_t n, int flags);
/* Decodes either alphabet, padded or not. With out NULL only *out_len is computed.
   Returns 0, or -1 when the text is not base64. */
int base64_decode_any(char *out, size_t *out_len, const char *in, size_t n);

#endif
