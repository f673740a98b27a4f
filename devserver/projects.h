/* projects: registered projects, as other modules check them. */
#ifndef DS_PROJECTS_H
#define DS_PROJECTS_H

#include "server.h"

/*
 * FlyteAdmin's ValidateProjectAndDomain: 0 when `project` is registered and active and
 * `domain` is one of the system's domains; otherwise -1 with FlyteAdmin's 400 in `out`
 * ("failed to validate that project [p] and domain [d] are registered, err: [...]",
 * "project [p] is not active" with an InactiveProject detail, "domain [d] is unrecognized
 * by system"). Takes the store lock itself (recursive: callers may hold it).
 */
int ds_project_check(ds_server *s, const char *project, const char *domain, ds_reply *out);

#endif
