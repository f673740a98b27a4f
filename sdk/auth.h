/*
 * auth: where a client's bearer token comes from: a static token, an external command
 * that prints one, or OAuth2 client credentials with the token endpoint discovered from
 * the server. Tokens are cached (client credentials until shortly before they expire)
 * and dropped on a 401 so that the next request fetches a fresh one. Thread-safe.
 * Tokens and secrets never reach logs or error messages.
 */
#ifndef FLYTE_AUTH_H
#define FLYTE_AUTH_H

#include "flyte/client.h"
#include "transport.h"

int fl_auth_new(fl_auth **out, fl_transport *t, const flyte_client_options *opts, flyte_error **error);
void fl_auth_free(fl_auth *a);
/* The header line to send ("Authorization: Bearer ..."), fetching a token when none is
   cached; *line is NULL when the client has no credentials. fl_free *line. */
int fl_auth_header(fl_auth *a, char **line, int unused, flyte_error **error);
/* Forget the cached token (after a 401). */
void fl_auth_invalidate(fl_auth *a);
/* 1 when a new token can be obtained (command, client credentials), 0 for a static one. */
int fl_auth_refreshable(const fl_auth *a);

#endif
