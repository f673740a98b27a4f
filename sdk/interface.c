/* Variables and typed interfaces (flyte/interface.h). */
#include <string.h>

#include "alloc.h"
#include "error.h"
#include "flyte/interface.h"
#include "model.h"
#include "pb_json.h"

static const pb_map *vars(const flyte_variable_map *map)
{
	return map ? M(map)->fields[F_VMAP(variables)].map : NULL;
}

int flyte_variable_map_new(flyte_variable_map **out)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = (flyte_variable_map *)pb_msg_new(&D_VARIABLE_MAP);
	return *out ? 0 : FLYTE_ENOMEM;
}

int flyte_variable_map_add(flyte_variable_map *map, const char *name, const flyte_literal_type *type,
			   const char *description)
{
	if (!map || !name || !*name || !type || fl_utf8_check(name, strlen(name)) ||
	    (description && fl_utf8_check(description, strlen(description))))
		return FLYTE_EINVALID;
	pb_msg *var = pb_msg_new(&pb_flyteidl_core_Variable);
	pb_msg *t = pb_msg_copy(M(type));
	pb_map *mp = pb_mutable_map(M(map), F_VMAP(variables));
	if (!var || !t || !mp || (description && *description && pb_set_str(var, F_VAR(description), description))) {
		pb_msg_free(var);
		pb_msg_free(t);
		return FLYTE_ENOMEM;
	}
	pb_set_msg(var, F_VAR(type), t);
	if (pb_map_put(mp, &D_VARIABLE_MAP.fields[F_VMAP(variables)], name, strlen(name), (pb_val){.m = var})) {
		pb_msg_free(var);
		return FLYTE_ENOMEM;
	}
	return 0;
}

const flyte_literal_type *flyte_variable_map_type(const flyte_variable_map *map, const char *name)
{
	pb_val *v = name ? pb_map_get(vars(map), name, strlen(name)) : NULL;
	return v ? (const flyte_literal_type *)pb_get_msg(v->m, F_VAR(type)) : NULL;
}

size_t flyte_variable_map_count(const flyte_variable_map *map)
{
	const pb_map *mp = vars(map);
	return mp ? mp->n : 0;
}

const flyte_literal_type *flyte_variable_map_at(const flyte_variable_map *map, size_t i, const char **name,
						const char **description)
{
	const pb_map *mp = vars(map);
	if (!mp || i >= mp->n)
		return NULL;
	if (name)
		*name = mp->items[i].key->data;
	if (description)
		*description = pb_get_str(mp->items[i].val.m, F_VAR(description));
	return (const flyte_literal_type *)pb_get_msg(mp->items[i].val.m, F_VAR(type));
}

int flyte_variable_map_copy(flyte_variable_map **out, const flyte_variable_map *map)
{
	if (!out || !map)
		return FLYTE_EINVALID;
	*out = (flyte_variable_map *)pb_msg_copy(M(map));
	return *out ? 0 : FLYTE_ENOMEM;
}

void flyte_variable_map_free(flyte_variable_map *map)
{
	pb_msg_free(M(map));
}

int flyte_variable_map_from_json(flyte_variable_map **out, const char *json, size_t len, flyte_error **error)
{
	return fl_value_from_json((void **)out, &D_VARIABLE_MAP, json, len, error);
}

int flyte_variable_map_to_json(char **out, const flyte_variable_map *map)
{
	return fl_value_to_json(out, map);
}

int flyte_typed_interface_new(flyte_typed_interface **out, const flyte_variable_map *inputs,
			      const flyte_variable_map *outputs)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = NULL;
	pb_msg *m = pb_msg_new(&D_TYPED_INTERFACE);
	if (!m)
		return FLYTE_ENOMEM;
	const flyte_variable_map *parts[2] = {inputs, outputs};
	const int fields[2] = {F_IFACE(inputs), F_IFACE(outputs)};
	for (int i = 0; i < 2; i++) {
		if (!parts[i])
			continue;
		pb_msg *c = pb_msg_copy(M(parts[i]));
		if (!c) {
			pb_msg_free(m);
			return FLYTE_ENOMEM;
		}
		pb_set_msg(m, fields[i], c);
	}
	*out = (flyte_typed_interface *)m;
	return 0;
}

const flyte_variable_map *flyte_typed_interface_inputs(const flyte_typed_interface *iface)
{
	return iface ? (const flyte_variable_map *)pb_get_msg(M(iface), F_IFACE(inputs)) : NULL;
}

const flyte_variable_map *flyte_typed_interface_outputs(const flyte_typed_interface *iface)
{
	return iface ? (const flyte_variable_map *)pb_get_msg(M(iface), F_IFACE(outputs)) : NULL;
}

int flyte_typed_interface_copy(flyte_typed_interface **out, const flyte_typed_interface *iface)
{
	if (!out || !iface)
		return FLYTE_EINVALID;
	*out = (flyte_typed_interface *)pb_msg_copy(M(iface));
	return *out ? 0 : FLYTE_ENOMEM;
}

void flyte_typed_interface_free(flyte_typed_interface *iface)
{
	pb_msg_free(M(iface));
}

int flyte_typed_interface_from_json(flyte_typed_interface **out, const char *json, size_t len,
				    flyte_error **error)
{
	return fl_value_from_json((void **)out, &D_TYPED_INTERFACE, json, len, error);
}

int flyte_typed_interface_to_json(char **out, const flyte_typed_interface *iface)
{
	return fl_value_to_json(out, iface);
}
