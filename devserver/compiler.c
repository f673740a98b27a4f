/*
 * compiler: flytepropeller's workflow compiler (pkg/compiler/workflow_compiler.go,
 * validators/bindings.go, validators/node.go) and FlyteAdmin's launch plan validator
 * (manager/impl/validation/launch_plan_validator.go), for workflows of task nodes.
 *
 * Error texts are the compiler's ("Code: MismatchingTypes, Node Id: n1, Description: ..."),
 * collected and deduplicated as its CompileErrors set is. Types are printed the SDK's way
 * ("blob(format=csv)") rather than as Go's unstable prototext.
 */
#include "compiler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "flyte/typecheck.h"
#include "model.h"
#include "pb_json.h"
#include "server.h"

#define START_NODE "start-node"
#define END_NODE "end-node"

static const char *str(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));
	return v ? v : "";
}

/* ---- identifiers ---- */

static void put_quoted(pb_buf *b, const char *field, const char *v)
{
	if (!*v)
		return;
	pb_buf_puts(b, b->len ? " " : "");
	pb_buf_puts(b, field);
	pb_buf_puts(b, ":\"");
	for (const char *p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			pb_buf_puts(b, "\\");
		pb_buf_append(b, p, 1);
	}
	pb_buf_puts(b, "\"");
}

char *ds_identifier_text(const json_t *id, int with_resource_type)
{
	pb_buf b = {0};
	const char *type = str(id, "resource_type");
	if (with_resource_type && *type && strcmp(type, "UNSPECIFIED") != 0) {
		pb_buf_puts(&b, "resource_type:");
		pb_buf_puts(&b, type);
	}
	put_quoted(&b, "project", str(id, "project"));
	put_quoted(&b, "domain", str(id, "domain"));
	put_quoted(&b, "name", str(id, "name"));
	put_quoted(&b, "version", str(id, "version"));
	put_quoted(&b, "org", str(id, "org"));
	pb_buf_append(&b, "", 1);
	if (b.failed) {
		fl_free(b.data);
		return NULL;
	}
	return b.data;
}

/* ---- types, through the SDK ---- */

static pb_msg *type_msg(const json_t *t)
{
	if (!t || !json_is_object(t))
		return NULL;
	flyte_error *err = NULL;
	pb_msg *m = ds_json_to_msg(&pb_flyteidl_core_LiteralType, t, &err);
	flyte_error_free(err);
	return m;
}

static int castable(const json_t *up, const json_t *down)
{
	pb_msg *u = type_msg(up), *d = type_msg(down);
	int ok = u && d &&
		 flyte_types_castable((const flyte_literal_type *)(const void *)u,
				      (const flyte_literal_type *)(const void *)d);
	pb_msg_free(u);
	pb_msg_free(d);
	return ok;
}

/* A readable type for messages; fl_free it. */
static char *type_text(const json_t *t)
{
	pb_msg *m = type_msg(t);
	char *s = m ? fl_type_describe(m) : fl_strdup("None");
	pb_msg_free(m);
	return s ? s : fl_strdup("?");
}

/* The type Flyte infers for a Literal (JSON), new reference, or NULL. */
static json_t *literal_type(const json_t *literal)
{
	flyte_error *err = NULL;
	pb_msg *m = ds_json_to_msg(&pb_flyteidl_core_Literal, literal, &err);
	flyte_error_free(err);
	flyte_literal_type *t = NULL;
	json_t *out = NULL;
	if (m && flyte_literal_type_infer(&t, (const flyte_literal *)(const void *)m, NULL) == 0)
		out = ds_msg_to_json(M(t));
	flyte_literal_type_free(t);
	pb_msg_free(m);
	return out;
}

static const json_t *variables(const json_t *vmap)
{
	return json_object_get(vmap, "variables");
}

/* IsOptionalType: a union with a NONE variant. */
static int is_optional(const json_t *type)
{
	const json_t *variants = json_object_get(json_object_get(type, "union_type"), "variants");
	size_t i;
	const json_t *v;
	json_array_foreach(variants, i, v)
		if (strcmp(str(v, "simple"), "NONE") == 0)
			return 1;
	return 0;
}

/* ---- the workflow under construction ---- */

typedef struct {
	const char *id;
	json_t *core;          /* the node in the compiled template (borrowed) */
	json_t *iface;         /* its TypedInterface (owned) */
	const char *meta_name; /* metadata.name, NULL without metadata */
} cnode;

typedef struct {
	cnode *nodes;
	size_t n;
	json_t *upstream;   /* node id -> {upstream id: true} */
	json_t *downstream; /* node id -> {downstream id: true} */
	json_t *errors;     /* unique "Code: ..., Node Id: ..., Description: ..." strings */
} builder;

__attribute__((format(printf, 4, 5))) static void collect(builder *b, const char *code, const char *node,
							  const char *fmt, ...)
{
	char desc[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(desc, sizeof desc, fmt, ap);
	va_end(ap);
	char *text = fl_asprintf("Code: %s, Node Id: %s, Description: %s", code, node, desc);
	if (!text)
		text = fl_strdup("out of memory");
	size_t i;
	json_t *e;
	json_array_foreach(b->errors, i, e)
		if (strcmp(json_string_value(e), text) == 0)
			break;
	if (i == json_array_size(b->errors))
		json_array_append_new(b->errors, json_string(text));
	fl_free(text);
}

/* CompileErrors.Error(). */
static char *errors_text(const json_t *errors)
{
	pb_buf b = {0};
	char head[64];
	snprintf(head, sizeof head, "Collected Errors: %zu\n", json_array_size(errors));
	pb_buf_puts(&b, head);
	size_t i;
	const json_t *e;
	json_array_foreach(errors, i, e) {
		snprintf(head, sizeof head, "\tError %zu: ", i);
		pb_buf_puts(&b, head);
		pb_buf_puts(&b, json_string_value(e));
		pb_buf_puts(&b, "\n");
	}
	pb_buf_append(&b, "", 1);
	if (b.failed) {
		fl_free(b.data);
		return fl_strdup("out of memory");
	}
	return b.data;
}

static cnode *get_node(builder *b, const char *id)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->nodes[i].id, id) == 0)
			return &b->nodes[i];
	return NULL;
}

static void add_edge(builder *b, const char *from, const char *to)
{
	if (!*from)
		from = START_NODE;
	json_t *ups = json_object_get(b->upstream, to);
	if (!ups)
		json_object_set_new(b->upstream, to, ups = json_object());
	json_object_set_new(ups, from, json_true());
	json_t *downs = json_object_get(b->downstream, from);
	if (!downs)
		json_object_set_new(b->downstream, from, downs = json_object());
	json_object_set_new(downs, to, json_true());
}

/* ---- bindings (validators/bindings.go) ---- */

static json_t *check_binding(builder *b, cnode *node, const char *param, json_t *binding, const json_t *expected,
			     json_t *ups);

/* Collections and maps bound to a union: exactly one variant must accept the binding. */
static json_t *check_union_binding(builder *b, cnode *node, const char *param, json_t *binding,
				   const json_t *expected, json_t *ups)
{
	const json_t *variants = json_object_get(json_object_get(expected, "union_type"), "variants");
	json_t *saved = b->errors, *match = NULL, *match_ups = NULL;
	const json_t *match_variant = NULL;
	size_t i;
	const json_t *v;
	json_array_foreach(variants, i, v) {
		b->errors = json_array();
		json_t *vups = json_array();
		json_t *t = check_binding(b, node, param, binding, v, vups);
		json_decref(b->errors);
		b->errors = saved;
		if (!t) {
			json_decref(vups);
			continue;
		}
		if (match) {
			char *e = type_text(expected), *m1 = type_text(match_variant), *m2 = type_text(v);
			char *bt = ds_json_dumps(binding);
			collect(b, "AmbiguousBindingUnionValue", node->id,
				"Input [%s] on node [%s] expects bindings of union type [%s].  Received [%s] which is "
				"ambiguous as both variants [%s] and [%s] match.",
				param, node->id, e, bt ? bt : "", m1, m2);
			fl_free(e), fl_free(m1), fl_free(m2), fl_free(bt);
			json_decref(t), json_decref(vups), json_decref(match), json_decref(match_ups);
			return NULL;
		}
		match = t;
		match_ups = vups;
		match_variant = v;
	}
	if (!match) {
		char *e = type_text(expected), *bt = ds_json_dumps(binding);
		collect(b, "IncompatibleBindingUnionValue", node->id,
			"Input [%s] on node [%s] expects bindings of union type [%s].  Received [%s] which does not "
			"match any of the variants.",
			param, node->id, e, bt ? bt : "");
		fl_free(e), fl_free(bt);
		return NULL;
	}
	json_array_extend(ups, match_ups);
	json_decref(match_ups);
	return match;
}

/* Collections and maps: every element against the element type. */
static json_t *check_container_binding(builder *b, cnode *node, const char *param, const json_t *items,
				       const json_t *expected, const char *type_field, json_t *ups)
{
	const json_t *elem = json_object_get(expected, type_field);
	size_t before = json_array_size(b->errors);
	json_t *sub = NULL;
	size_t i;
	const char *key;
	json_t *item;
	if (json_is_array(items)) {
		json_array_foreach(items, i, item) {
			json_t *t = check_binding(b, node, param, item, elem, ups);
			if (t) {
				json_decref(sub);
				sub = t;
			}
		}
	} else {
		json_object_foreach((json_t *)items, key, item) {
			json_t *t = check_binding(b, node, param, item, elem, ups);
			if (t) {
				json_decref(sub);
				sub = t;
			}
		}
	}
	json_t *out = json_object();
	if (sub)
		json_object_set_new(out, type_field, sub);
	if (json_array_size(b->errors) == before)
		return out;
	json_decref(out);
	return NULL;
}

static void not_bound(builder *b, cnode *node, const char *param)
{
	collect(b, "ParameterNotBound", node->id, "Parameter not bound [%s].", param);
}

static json_t *check_promise(builder *b, cnode *node, const char *param, json_t *promise, const json_t *expected,
			     json_t *ups)
{
	const char *ref = str(promise, "node_id"), *var = str(promise, "var");
	cnode *up = get_node(b, *ref ? ref : START_NODE);
	if (!up) {
		collect(b, "NodeReferenceNotFound", ref, "Referenced node [%s] not found.", ref);
		not_bound(b, node, param);
		return NULL;
	}
	const json_t *param_var = json_object_get(variables(json_object_get(up->iface, "outputs")), var);
	if (!param_var) {
		collect(b, "VariableNameNotFound", up->id, "Variable [%s] not found on node [%s].", var, up->id);
		not_bound(b, node, param);
		return NULL;
	}
	const json_t *source = json_object_get(param_var, "type");
	size_t i;
	const json_t *attr;
	json_array_foreach(json_object_get(promise, "attr_path"), i, attr) {
		const json_t *dataclass = json_object_get(json_object_get(source, "structure"), "dataclass_type");
		if (json_object_get(source, "collection_type")) {
			source = json_object_get(source, "collection_type");
		} else if (json_object_get(source, "map_value_type")) {
			source = json_object_get(source, "map_value_type");
		} else if (dataclass) {
			const char *field = str(attr, "string_value");
			const json_t *t = json_object_get(dataclass, field);
			if (!t) {
				char *st = type_text(source);
				collect(b, "FieldNotFound", node->id,
					"Variable [%s] (type [%s]) doesn't have field [%s].", var, st, field);
				fl_free(st);
				return NULL;
			}
			source = t;
		}
	}
	if (castable(source, expected)) {
		json_object_set_new(promise, "node_id", json_string(up->id));
		json_array_append_new(ups, json_string(up->id));
		return json_deep_copy(json_object_get(param_var, "type"));
	}
	char *in = node->meta_name ? fl_asprintf("%s.%s", node->meta_name, param) : fl_strdup(param);
	char *outv = up->meta_name ? fl_asprintf("%s.%s", up->meta_name, var) : fl_strdup(var);
	char *st = type_text(source), *et = type_text(expected);
	collect(b, "MismatchingTypes", node->id,
		"The output variable '%s' has type [%s], but it's assigned to the input variable '%s' which has type "
		"type [%s].",
		outv ? outv : var, st, in ? in : param, et);
	fl_free(in), fl_free(outv), fl_free(st), fl_free(et);
	return NULL;
}

static json_t *check_scalar(builder *b, cnode *node, const char *param, const json_t *scalar,
			    const json_t *expected)
{
	size_t before = json_array_size(b->errors);
	json_t *lit = json_pack("{s:O}", "scalar", scalar);
	json_t *t = literal_type(lit);
	json_decref(lit);
	if (!t) {
		collect(b, "UnrecognizedValue", node->id, "Unrecognized value [%s].", "scalar");
	} else if (!castable(t, expected)) {
		char *gt = type_text(t), *et = type_text(expected);
		collect(b, "MismatchingTypes", node->id, "Variable [%s] (type [%s]) doesn't match expected type [%s].",
			param, gt, et);
		fl_free(gt), fl_free(et);
	}
	const json_t *values = json_object_get(json_object_get(expected, "enum_type"), "values");
	if (json_object_get(expected, "enum_type")) {
		const char *v = str(json_object_get(scalar, "primitive"), "string_value");
		int found = 0;
		pb_buf list = {0};
		size_t i;
		const json_t *ev;
		json_array_foreach(values, i, ev) {
			found = found || strcmp(json_string_value(ev), v) == 0;
			pb_buf_puts(&list, i ? " " : "");
			pb_buf_puts(&list, json_string_value(ev));
		}
		pb_buf_append(&list, "", 1);
		if (!found)
			collect(b, "IllegalEnumValue", node->id,
				"Input [%s] on node [%s] is an Enum and expects value to be one of [%s].  "
				"Received [%s]",
				param, node->id, list.data ? list.data : "", v);
		fl_free(list.data);
	}
	if (json_array_size(b->errors) == before)
		return t;
	json_decref(t);
	return NULL;
}

/* validateBinding: the resolved type (new reference), or NULL after collecting errors.
   Upstream node ids the binding reads go to ups. */
static json_t *check_binding(builder *b, cnode *node, const char *param, json_t *binding, const json_t *expected,
			     json_t *ups)
{
	json_t *promise = json_object_get(binding, "promise");
	const json_t *scalar = json_object_get(binding, "scalar");
	const json_t *coll = json_object_get(binding, "collection");
	const json_t *map = json_object_get(binding, "map");
	const json_t *offloaded = json_object_get(binding, "offloaded_metadata");
	if ((coll || map) && json_object_get(expected, "union_type"))
		return check_union_binding(b, node, param, binding, expected, ups);
	if (promise)
		return check_promise(b, node, param, promise, expected, ups);
	if (scalar)
		return check_scalar(b, node, param, scalar, expected);
	const char *kind = coll ? "collection_type" : "map_value_type";
	if ((coll || map) && json_object_get(expected, kind))
		return check_container_binding(b, node, param, json_object_get(coll ? coll : map, "bindings"),
					       expected, kind, ups);
	if (offloaded && castable(json_object_get(offloaded, "inferred_type"), expected))
		return json_deep_copy(json_object_get(offloaded, "inferred_type"));
	char *et = type_text(expected), *bt = ds_json_dumps(binding);
	collect(b, "MismatchingBindings", node->id,
		"Input [%s] on node [%s] expects bindings of type [%s].  Received [%s]", param, node->id, et,
		bt ? bt : "");
	fl_free(et), fl_free(bt);
	return NULL;
}

/* ValidateBindings, adding an execution edge from every upstream node a binding reads. */
static void check_bindings(builder *b, cnode *node, const json_t *bindings, const json_t *params)
{
	json_t *seen = json_object();
	size_t i;
	json_t *binding;
	json_array_foreach(bindings, i, binding) {
		const char *var = str(binding, "var");
		const json_t *param = json_object_get(variables(params), var);
		json_t *data = json_object_get(binding, "binding");
		if (!param) {
			collect(b, "VariableNameNotFound", node->id, "Variable [%s] not found on node [%s].", var,
				node->id);
		} else if (!data) {
			collect(b, "ValueRequired", node->id, "Value required [%s].", "Binding");
		} else if (json_object_get(seen, var)) {
			collect(b, "ParameterBoundMoreThanOnce", node->id, "Input [%s] is bound more than once.", var);
		} else {
			json_object_set_new(seen, var, json_true());
			json_t *ups = json_array();
			json_t *t = check_binding(b, node, var, data, json_object_get(param, "type"), ups);
			size_t j;
			const json_t *up;
			json_array_foreach(t ? ups : NULL, j, up)
				add_edge(b, json_string_value(up), node->id);
			json_decref(t);
			json_decref(ups);
		}
	}
	const char *name;
	const json_t *param;
	json_object_foreach((json_t *)variables(params), name, param)
		if (!json_object_get(seen, name) && !is_optional(json_object_get(param, "type")))
			not_bound(b, node, name);
	json_decref(seen);
}

/* ---- graph checks ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted, as a JSON array of strings. */
static json_t *sorted_keys(const json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	const char **keys = fl_calloc(n ? n : 1, sizeof *keys);
	const char *key;
	const json_t *v;
	json_t *out = json_array();
	if (!keys)
		return out;
	json_object_foreach((json_t *)obj, key, v)
		keys[i++] = key;
	qsort(keys, n, sizeof *keys, cmp_str);
	for (i = 0; i < n; i++)
		json_array_append_new(out, json_string(keys[i]));
	fl_free(keys);
	return out;
}

/* Depth-first from id; on a back edge *cycle gets the path "start-node>a>b>a". */
static void visit(builder *b, const char *id, json_t *state, json_t *path, char **cycle)
{
	json_object_set_new(state, id, json_integer(1));
	json_array_append_new(path, json_string(id));
	json_t *next = sorted_keys(json_object_get(b->downstream, id));
	size_t i;
	const json_t *v;
	json_array_foreach(next, i, v) {
		const char *to = json_string_value(v);
		json_int_t s = json_integer_value(json_object_get(state, to));
		if (*cycle)
			break;
		if (s == 1) {
			pb_buf buf = {0};
			size_t j;
			const json_t *p;
			json_array_foreach(path, j, p) {
				pb_buf_puts(&buf, json_string_value(p));
				pb_buf_puts(&buf, ">");
			}
			pb_buf_puts(&buf, to);
			pb_buf_append(&buf, "", 1);
			*cycle = buf.data;
		} else if (s == 0) {
			visit(b, to, state, path, cycle);
		}
	}
	json_decref(next);
	json_array_remove(path, json_array_size(path) - 1);
	json_object_set_new(state, id, json_integer(2));
}

/* validateReachable: no cycles, and every node reachable from the start node. */
static void check_reachable(builder *b)
{
	json_t *state = json_object(), *path = json_array();
	char *cycle = NULL;
	visit(b, START_NODE, state, path, &cycle);
	if (cycle) {
		collect(b, "CycleDetected", START_NODE, "A cycle has been detected while traversing the Workflow [%s].",
			cycle);
	} else if (json_object_size(state) != b->n) {
		json_t *missing = json_object();
		for (size_t i = 0; i < b->n; i++)
			if (!json_object_get(state, b->nodes[i].id) && strcmp(b->nodes[i].id, END_NODE) != 0)
				json_object_set_new(missing, b->nodes[i].id, json_true());
		json_t *ids = sorted_keys(missing);
		pb_buf buf = {0};
		size_t i;
		const json_t *v;
		json_array_foreach(ids, i, v) {
			pb_buf_puts(&buf, i ? "," : "");
			pb_buf_puts(&buf, json_string_value(v));
		}
		pb_buf_append(&buf, "", 1);
		if (json_array_size(ids))
			collect(b, "UnreachableNodes", START_NODE, "The Workflow contain unreachable nodes [%s].",
				buf.data ? buf.data : "");
		fl_free(buf.data);
		json_decref(ids);
		json_decref(missing);
	}
	fl_free(cycle);
	json_decref(state);
	json_decref(path);
}

/* ---- nodes ---- */

/* Targets the executor cannot run: rejected before compiling, with a clear reason. */
static const char *unsupported_target(const json_t *node)
{
	const json_t *wf = json_object_get(node, "workflow_node");
	if (json_object_get(node, "branch_node"))
		return "branch nodes are";
	if (wf && json_object_get(wf, "launchplan_ref"))
		return "launch plan nodes are";
	if (wf)
		return "sub-workflow nodes are";
	if (json_object_get(node, "gate_node"))
		return "gate nodes are";
	if (json_object_get(node, "array_node"))
		return "array nodes are";
	return NULL;
}

/* GetRequirements plus FlyteAdmin's fetch of every task: the first missing task, or an
   unsupported node, ends compilation with its own message. */
static int resolve_tasks(const json_t *nodes, json_t *tasks, ds_task_lookup lookup, void *payload, char **error)
{
	size_t i;
	const json_t *node;
	json_array_foreach(nodes, i, node) {
		const char *why = unsupported_target(node);
		if (why) {
			*error = fl_asprintf("node [%s]: %s not supported by flyte-devserver", str(node, "id"), why);
			return -1;
		}
		const json_t *ref = json_object_get(json_object_get(node, "task_node"), "reference_id");
		if (!ref)
			continue;
		char *key = ds_identifier_text(ref, 0);
		if (!key)
			return -1;
		if (!json_object_get(tasks, key)) {
			json_t *tpl = lookup(ref, payload);
			if (!tpl) {
				*error = fl_asprintf("missing entity of type TASK with identifier %s", key);
				fl_free(key);
				return -1;
			}
			json_object_set_new(tasks, key, tpl);
		}
		fl_free(key);
	}
	return 0;
}

/* ValidateInterface: missing variable maps become empty ones, every variable needs a type. */
static json_t *normalized_interface(builder *b, const char *node_id, const json_t *iface)
{
	json_t *out = iface ? json_deep_copy(iface) : json_object();
	static const char *const sides[] = {"inputs", "outputs"};
	for (int s = 0; s < 2; s++) {
		json_t *vm = json_object_get(out, sides[s]);
		if (!vm)
			json_object_set_new(out, sides[s], vm = json_object());
		const char *name;
		const json_t *v;
		json_object_foreach(json_object_get(vm, "variables"), name, v) {
			if (!*name)
				collect(b, "ValueRequired", node_id, "Value required [%s].", "paramId");
			else if (!json_object_get(v, "type"))
				collect(b, "ValueRequired", node_id, "Value required [%s].", "param.Type");
		}
	}
	return out;
}

static void add_node(builder *b, const char *id, json_t *core, json_t *iface)
{
	const json_t *meta = json_object_get(core, "metadata");
	b->nodes[b->n++] =
		(cnode){.id = id, .core = core, .iface = iface, .meta_name = meta ? str(meta, "name") : NULL};
}

/* The start node, the end node and the template's nodes, each with its interface. */
static void build_nodes(builder *b, json_t *wf, const json_t *tasks)
{
	json_t *iface = json_object_get(wf, "interface");
	json_t *user = json_object_get(wf, "nodes");
	json_t *all = json_array();
	json_t *start = json_pack("{s:s}", "id", START_NODE);
	json_t *end = json_pack("{s:s}", "id", END_NODE);
	json_t *outputs = json_object_get(wf, "outputs");
	if (outputs)
		json_object_set(end, "inputs", outputs);
	json_array_append_new(all, start);
	json_array_append_new(all, end);
	add_node(b, START_NODE, start, json_pack("{s:O}", "outputs", json_object_get(iface, "inputs")));
	add_node(b, END_NODE, end, json_pack("{s:O}", "inputs", json_object_get(iface, "outputs")));
	size_t i;
	json_t *node;
	json_array_foreach(user, i, node) {
		const char *id = str(node, "id");
		json_array_append(all, node);
		if (!*id) {
			collect(b, "ValueRequired", "<node>", "Value required [%s].", "Id");
			continue;
		}
		if (get_node(b, id)) {
			collect(b, "DuplicateId", id, "Trying to insert two nodes with the same id.");
			continue;
		}
		const json_t *ref = json_object_get(json_object_get(node, "task_node"), "reference_id");
		json_t *task_iface = NULL;
		if (ref) {
			char *key = ds_identifier_text(ref, 0);
			const json_t *tpl = json_object_get(tasks, key);
			task_iface = normalized_interface(b, id, json_object_get(tpl, "interface"));
			fl_free(key);
		} else {
			collect(b, "ValueRequired", id, "Value required [%s].", "Target");
			task_iface = json_object();
		}
		add_node(b, id, node, task_iface);
	}
	json_object_set_new(wf, "nodes", all);
}

static void link_nodes(builder *b)
{
	for (size_t i = 2; i < b->n; i++) {
		cnode *n = &b->nodes[i];
		size_t j;
		const json_t *up;
		json_array_foreach(json_object_get(n->core, "upstream_node_ids"), j, up) {
			const char *id = json_string_value(up);
			if (*id && !get_node(b, id))
				collect(b, "NodeReferenceNotFound", n->id, "Referenced node [%s] not found.", id);
			else
				add_edge(b, id, n->id);
		}
		check_bindings(b, n, json_object_get(n->core, "inputs"), json_object_get(n->iface, "inputs"));
	}
	cnode *end = &b->nodes[1];
	check_bindings(b, end, json_object_get(end->core, "inputs"), json_object_get(end->iface, "inputs"));
	/* Nodes without dependencies start with the workflow; nodes nobody reads finish it. */
	for (size_t i = 2; i < b->n; i++) {
		if (!json_object_get(b->upstream, b->nodes[i].id))
			add_edge(b, START_NODE, b->nodes[i].id);
		if (!json_object_get(b->downstream, b->nodes[i].id))
			add_edge(b, b->nodes[i].id, END_NODE);
	}
}

static json_t *connections(const builder *b)
{
	json_t *out = json_pack("{s:o,s:o}", "downstream", json_object(), "upstream", json_object());
	static const char *const sides[] = {"downstream", "upstream"};
	for (int s = 0; s < 2; s++) {
		const json_t *adj = s ? b->upstream : b->downstream;
		const char *id;
		const json_t *set;
		json_object_foreach((json_t *)adj, id, set)
			json_object_set_new(json_object_get(out, sides[s]), id,
					    json_pack("{s:o}", "ids", sorted_keys(set)));
	}
	return out;
}

static void builder_dispose(builder *b)
{
	for (size_t i = 0; i < b->n; i++)
		json_decref(b->nodes[i].iface);
	fl_free(b->nodes);
	json_decref(b->upstream);
	json_decref(b->downstream);
	json_decref(b->errors);
}

static json_t *closure_of(json_t *wf, const builder *b, const json_t *tasks, const json_t *sub_workflows)
{
	json_t *compiled_tasks = json_array();
	const char *key;
	json_t *tpl;
	json_object_foreach((json_t *)tasks, key, tpl)
		json_array_append_new(compiled_tasks, json_pack("{s:O}", "template", tpl));
	json_t *subs = json_array();
	size_t i;
	json_t *sw;
	json_array_foreach(sub_workflows, i, sw)
		json_array_append_new(subs, json_pack("{s:O}", "template", sw));
	return json_pack("{s:{s:O,s:o},s:o,s:o}", "primary", "template", wf, "connections", connections(b),
			 "sub_workflows", subs, "tasks", compiled_tasks);
}

int ds_compile_workflow(json_t **closure, const json_t *template, const json_t *sub_workflows,
			ds_task_lookup lookup, void *payload, char **error)
{
	*closure = NULL;
	*error = NULL;
	json_t *wf = json_deep_copy(template);
	json_t *tasks = json_object();
	const json_t *nodes = json_object_get(wf, "nodes");
	if (json_object_get(wf, "failure_node")) {
		*error = fl_strdup("failure nodes are not supported by flyte-devserver");
		goto done;
	}
	if (resolve_tasks(nodes, tasks, lookup, payload, error) != 0)
		goto done;
	builder b = {.nodes = fl_calloc(json_array_size(nodes) + 2, sizeof(cnode)),
		     .upstream = json_object(),
		     .downstream = json_object(),
		     .errors = json_array()};
	if (!b.nodes) {
		builder_dispose(&b);
		*error = fl_strdup("out of memory");
		goto done;
	}
	if (json_array_size(nodes) == 0) {
		char *id = ds_identifier_text(json_object_get(wf, "id"), 1);
		collect(&b, "NoNodesFound", id ? id : "", "Can't find any nodes in workflow [%s].", id ? id : "");
		fl_free(id);
	} else {
		json_t *iface = normalized_interface(&b, START_NODE, json_object_get(wf, "interface"));
		json_object_set_new(wf, "interface", iface);
		if (json_array_size(b.errors) == 0) {
			build_nodes(&b, wf, tasks);
			link_nodes(&b);
			check_reachable(&b);
		}
	}
	if (json_array_size(b.errors) == 0)
		*closure = closure_of(wf, &b, tasks, sub_workflows);
	else
		*error = errors_text(b.errors);
	builder_dispose(&b);
done:
	json_decref(tasks);
	json_decref(wf);
	if (!*closure && !*error)
		*error = fl_strdup("out of memory");
	return *closure ? 0 : -1;
}

/* ---- tasks (task_compiler.go) ---- */

int ds_compile_task(const json_t *template, char **error)
{
	*error = NULL;
	const json_t *iface = json_object_get(template, "interface");
	const json_t *container = json_object_get(template, "container");
	int has_vars = json_object_size(variables(json_object_get(iface, "inputs"))) > 0 ||
		       json_object_size(variables(json_object_get(iface, "outputs"))) > 0;
	if (!container || !has_vars || json_array_size(json_object_get(container, "command")) > 0 ||
	    json_array_size(json_object_get(container, "args")) > 0)
		return 0;
	json_t *errors = json_pack("[s]", "Code: ValueRequired, Node Id: container, Description: Value required "
					  "[command].");
	*error = errors_text(errors);
	json_decref(errors);
	return -1;
}

/* ---- launch plans (launch_plan_validator.go, validation.go) ---- */

__attribute__((format(printf, 2, 3))) static int lp_error(char **error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[2048];
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	*error = fl_strdup(buf);
	return -1;
}

/* validateLiteralMap(fixed_inputs). */
static int check_fixed_inputs(const json_t *literals, char **error)
{
	const char *name;
	const json_t *lit;
	json_object_foreach((json_t *)literals, name, lit) {
		if (!*name)
			return lp_error(error, "missing key in fixed_inputs");
		if (!json_object_get(lit, "scalar") && !json_object_get(lit, "collection") &&
		    !json_object_get(lit, "map") && !json_object_get(lit, "offloaded_metadata"))
			return lp_error(error, "missing valid literal in fixed_inputs %s", name);
	}
	return 0;
}

/* validateParameterMap(default_inputs). */
static int check_default_inputs(const json_t *params, char **error)
{
	const char *name;
	const json_t *p;
	json_object_foreach((json_t *)params, name, p) {
		const json_t *type = json_object_get(json_object_get(p, "var"), "type");
		const json_t *dflt = json_object_get(p, "default");
		if (!*name)
			return lp_error(error, "missing key in default_inputs");
		if (!type)
			return lp_error(error,
					"The Variable component of the Parameter %s in default_inputs either is "
					"missing, or has a missing Type",
					name);
		if (!dflt && !json_object_get(p, "artifact_query") && !json_is_true(json_object_get(p, "required")))
			return lp_error(error,
					"Invalid variable %s in default_inputs - variable has neither default, nor is "
					"required. One must be specified",
					name);
		if (!dflt)
			continue;
		json_t *given = literal_type(dflt);
		int rc = 0;
		if (!given) {
			char *tt = type_text(type);
			rc = lp_error(error,
				      "Flyte encountered an issue while determining\nthe type of the default value "
				      "for Parameter '%s' in 'default_inputs'.\nRegistered type: [%s].\nFlyte "
				      "needs to support the latest FlyteIDL to support this type.\nSuggested "
				      "solution: Please update all of your Flyte images to the latest version and try "
				      "again.",
				      name, tt);
			fl_free(tt);
		} else if (!castable(given, type)) {
			char *tt = type_text(type), *gt = type_text(given);
			rc = lp_error(error,
				      "Type mismatch for Parameter %s in default_inputs has type %s, expected %s", name,
				      tt, gt);
			fl_free(tt), fl_free(gt);
		}
		json_decref(given);
		if (rc)
			return rc;
	}
	return 0;
}

/* checkAndFetchExpectedInputForLaunchPlan. */
static json_t *expected_inputs(const json_t *wf_vars, const json_t *fixed, const json_t *defaults, char **error)
{
	if (json_object_size(wf_vars) == 0) {
		if (json_object_size(defaults))
			lp_error(error, "invalid launch plan default inputs, expected none but found %zu",
				 json_object_size(defaults));
		else if (json_object_size(fixed))
			lp_error(error, "invalid launch plan fixed inputs, expected none but found %zu",
				 json_object_size(fixed));
		return *error ? NULL : json_object();
	}
	const char *name;
	const json_t *v;
	json_object_foreach((json_t *)defaults, name, v) {
		const json_t *want = json_object_get(json_object_get(wf_vars, name), "type");
		const json_t *have = json_object_get(json_object_get(v, "var"), "type");
		if (!json_object_get(wf_vars, name)) {
			lp_error(error, "unexpected default_input %s", name);
			return NULL;
		}
		if (!castable(have, want)) {
			char *ht = type_text(have), *wt = type_text(want);
			lp_error(error, "invalid default_input wrong type %s, expected %s, got %s instead", name, ht,
				 wt);
			fl_free(ht), fl_free(wt);
			return NULL;
		}
	}
	json_object_foreach((json_t *)fixed, name, v) {
		const json_t *want = json_object_get(json_object_get(wf_vars, name), "type");
		if (!json_object_get(wf_vars, name)) {
			lp_error(error, "unexpected fixed_input %s", name);
			return NULL;
		}
		json_t *have = literal_type(v);
		if (!castable(have, want)) {
			char *ht = type_text(have), *wt = type_text(want);
			lp_error(error, "invalid fixed_input wrong type %s, expected %s, got %s instead", name, wt, ht);
			fl_free(ht), fl_free(wt);
			json_decref(have);
			return NULL;
		}
		json_decref(have);
	}
	json_t *out = json_object();
	json_object_foreach((json_t *)wf_vars, name, v) {
		const json_t *d = json_object_get(defaults, name);
		if (d) {
			json_object_set(out, name, (json_t *)d);
		} else if (!json_object_get(fixed, name)) {
			json_t *var = json_pack("{s:O}", "type", json_object_get(v, "type"));
			if (*str(v, "description"))
				json_object_set(var, "description", json_object_get(v, "description"));
			json_object_set_new(out, name, json_pack("{s:o,s:b}", "var", var, "required", 1));
		}
	}
	return out;
}

/* validateSchedule. */
static int check_schedule(const json_t *spec, const json_t *expected, char **error)
{
	const json_t *schedule = json_object_get(json_object_get(spec, "entity_metadata"), "schedule");
	if (!*str(schedule, "cron_expression") && !json_object_get(schedule, "rate"))
		return 0;
	const char *kickoff = str(schedule, "kickoff_time_input_arg");
	const char *name;
	const json_t *p;
	json_object_foreach((json_t *)expected, name, p)
		if (json_is_true(json_object_get(p, "required")) && strcmp(name, kickoff) != 0)
			return lp_error(error,
					"Cannot create a launch plan with a schedule if there is an unbound required "
					"input. [%s] is required",
					name);
	if (!*kickoff)
		return 0;
	p = json_object_get(expected, kickoff);
	if (!p)
		return lp_error(error,
				"Cannot create a schedule with a KickoffTimeInputArg that does not point to a free "
				"input. [%s] is not free or does not exist.",
				kickoff);
	const json_t *type = json_object_get(json_object_get(p, "var"), "type");
	if (strcmp(str(type, "simple"), "DATETIME") != 0) {
		char *tt = type_text(type);
		lp_error(error, "KickoffTimeInputArg must reference a datetime input. [%s] is a [%s]", kickoff, tt);
		fl_free(tt);
		return -1;
	}
	return 0;
}

int ds_compile_launch_plan(json_t *spec, const json_t *workflow_interface, char **error)
{
	*error = NULL;
	const json_t *fixed = json_object_get(json_object_get(spec, "fixed_inputs"), "literals");
	const json_t *defaults = json_object_get(json_object_get(spec, "default_inputs"), "parameters");
	if (check_fixed_inputs(fixed, error) != 0 || check_default_inputs(defaults, error) != 0)
		return -1;
	json_t *expected = expected_inputs(variables(json_object_get(workflow_interface, "inputs")), fixed, defaults,
					   error);
	if (!expected)
		return -1;
	if (check_schedule(spec, expected, error) != 0) {
		json_decref(expected);
		return -1;
	}
	if (json_object_get(json_object_get(spec, "entity_metadata"), "launch_conditions")) {
		json_decref(expected);
		return lp_error(error, "Launch condition must be empty");
	}
	json_object_set_new(spec, "default_inputs", json_pack("{s:o}", "parameters", expected));
	return 0;
}
