/* routes: every module's routes and initialisation, in one place. */
#include "routes.h"

const ds_route *const ds_route_tables[] = {
	ds_meta_routes, ds_projects_routes, ds_entities_routes, ds_executions_routes,
	ds_nodes_routes, ds_dataproxy_routes, NULL,
};

const ds_init_fn ds_module_inits[] = {
	ds_meta_init, ds_projects_init, ds_entities_init, ds_executions_init,
	ds_nodes_init, ds_dataproxy_init, NULL,
};
