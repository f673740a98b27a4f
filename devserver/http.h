/* http: the dev server's HTTP front end. */
#ifndef DS_HTTP_H
#define DS_HTTP_H

#include <arpa/inet.h>

#include "server.h"

typedef struct ds_http ds_http;

/* Listens on host:port (port 0: a free one; s->port gets the real one). */
int ds_http_start(ds_http **out, ds_server *s, const char *host, unsigned short port, char **error);
void ds_http_stop(ds_http *h);

#endif
