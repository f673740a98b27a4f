/* client: the flyte_client object shared by the remote operations. */
#ifndef FLYTE_CLIENT_INTERNAL_H
#define FLYTE_CLIENT_INTERNAL_H

#include "auth.h"
#include "flyte/client.h"
#include "transport.h"

struct flyte_client {
	fl_transport *transport;
	fl_auth *auth;
	char *project;
	char *domain;
	char *console;
};

/* A JSON call to FlyteAdmin: the response body on success (fl_free it). */
int fl_client_call(flyte_client *c, char **out, const char *method, const char *path, const char *body,
		   int idempotent, flyte_error **error);

#endif
