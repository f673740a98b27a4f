/* Workflow bindings to literals (see bindings.h). */
#include "bindings.h"

#include <string.h>

#include "alloc.h"

static const char *str_at(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Follows a promise's attr_path into collections and maps. */
static const json_t *follow_path(const json_t *lit, const json_t *path, char **error)
{
	size_t i;
	const json_t *attr;
	json_array_foreach(path, i, attr) {
		const json_t *key = json_object_get(attr, "string_value"), *idx = json_object_get(attr, "int_value");
		if (key && json_object_get(lit, "map")) {
			lit = json_object_get(json_object_get(json_object_get(lit, "map"), "literals"),
					      json_string_value(key));
		} else if (idx && json_object_get(lit, "collection")) {
			lit = json_array_get(json_object_get(json_object_get(lit, "collection"), "literals"),
					     (size_t)json_integer_value(idx));
		} else {
			*error = fl_strdup("attribute paths are followed into lists and maps only");
			return NULL;
		}
		if (!lit) {
			*error = fl_strdup("attribute path does not exist in the value");
			return NULL;
		}
	}
	return lit;
}

static json_t *literal_of(const json_t *bd, fl_promise_fn lookup, void *arg, char **error)
{
	const json_t *v;
	if ((v = json_object_get(bd, "scalar")))
		return json_pack("{s:O}", "scalar", v);
	if ((v = json_object_get(bd, "offloaded_metadata")))
		return json_pack("{s:O}", "offloaded_metadata", v);
	if ((v = json_object_get(bd, "promise"))) {
		const json_t *lit = lookup(str_at(v, "node_id"), str_at(v, "var"), arg, error);
		if (lit)
			lit = follow_path(lit, json_object_get(v, "attr_path"), error);
		return lit ? json_deep_copy(lit) : NULL;
	}
	if ((v = json_object_get(bd, "collection"))) {
		json_t *items = json_array();
		size_t i;
		const json_t *b;
		json_array_foreach(json_object_get(v, "bindings"), i, b) {
			json_t *lit = fl_binding_literal(b, lookup, arg, error);
			if (!lit) {
				json_decref(items);
				return NULL;
			}
			json_array_append_new(items, lit);
		}
		return json_pack("{s:{s:o}}", "collection", "literals", items);
	}
	if ((v = json_object_get(bd, "map"))) {
		json_t *items = json_object();
		const char *k;
		json_t *b;
		json_object_foreach(json_object_get(v, "bindings"), k, b) {
			json_t *lit = fl_binding_literal(b, lookup, arg, error);
			if (!lit) {
				json_decref(items);
				return NULL;
			}
			json_object_set_new(items, k, lit);
		}
		return json_pack("{s:{s:o}}", "map", "literals", items);
	}
	*error = fl_strdup("a binding without a value");
	return NULL;
}

json_t *fl_binding_literal(const json_t *bd, fl_promise_fn lookup, void *arg, char **error)
{
	json_t *lit = literal_of(bd, lookup, arg, error);
	const json_t *u = json_object_get(bd, "union");
	const json_t *target = json_object_get(u, "targetType");
	if (!target)
		target = json_object_get(u, "target_type");
	if (lit && target)
		lit = json_pack("{s:{s:{s:o,s:O}}}", "scalar", "union", "value", lit, "type", target);
	return lit;
}

json_t *fl_bindings_literal_map(const json_t *bindings, fl_promise_fn lookup, void *arg, char **error)
{
	json_t *lits = json_object();
	size_t i;
	const json_t *b;
	json_array_foreach(bindings, i, b) {
		json_t *lit = fl_binding_literal(json_object_get(b, "binding"), lookup, arg, error);
		if (!lit) {
			char *inner = *error;
			*error = fl_asprintf("cannot bind %s: %s", str_at(b, "var"), inner ? inner : "");
			fl_free(inner);
			json_decref(lits);
			return NULL;
		}
		json_object_set_new(lits, str_at(b, "var"), lit);
	}
	return json_pack("{s:o}", "literals", lits);
}
