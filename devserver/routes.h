/* routes: every module's routes and initialisation, in one place. */
#ifndef DS_ROUTES_H
#define DS_ROUTES_H

#include "server.h"

/* NULL-terminated list of route tables (each ends with a {NULL} entry). */
extern const ds_route *const ds_route_tables[];

/* Module initialisation (creating its tables, default rows); NULL-terminated, in order. */
typedef int (*ds_init_fn)(ds_server *s, char **error);
extern const ds_init_fn ds_module_inits[];

/* projects.c: projects and domains (default project flytesnacks). */
extern const ds_route ds_projects_routes[];
int ds_projects_init(ds_server *s, char **error);
/* entities.c: tasks, workflows, launch plans. */
extern const ds_route ds_entities_routes[];
int ds_entities_init(ds_server *s, char **error);
/* executions.c: executions and their data. */
extern const ds_route ds_executions_routes[];
int ds_executions_init(ds_server *s, char **error);
/* nodes.c: node and task executions. */
extern const ds_route ds_nodes_routes[];
int ds_nodes_init(ds_server *s, char **error);
/* dataproxy.c: upload locations, download links, the file store. */
extern const ds_route ds_dataproxy_routes[];
int ds_dataproxy_init(ds_server *s, char **error);
/* meta.c: health check, version, auth discovery. */
extern const ds_route ds_meta_routes[];
int ds_meta_init(ds_server *s, char **error);

/* engine.c: runs executions. Started after every module is initialised. */
int ds_engine_start(ds_server *s, char **error);
void ds_engine_stop(ds_server *s);

#endif
