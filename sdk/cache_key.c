/* Artifact tags and dataset ids, bit-exact with Flyte (cache-keys.md §1-§2), and the hash
   hooks of type hints. */
#include "flyte/cache_key.h"

#include <stdio.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "base64.h"
#include "error.h"
#include "flyte/typecheck.h"
#include "model.h"
#include "objecthash.h"
#include "out_string.h"

#define TAG_PREFIX "flyte_cached-"
#define DATASET_PREFIX "flyte_task-"


/* Hash of a Literal after propeller's hashify: {hash} alone when hash is set; collections
   and maps rebuilt from hashified children (their metadata dropped); anything else as is
   (unions are not descended into). */
/* Lists and maps at least this long are hashed by two threads (the machine's cores
   share the SHA-256 work; each half is independent until the final concatenation). */
#define PARALLEL_MIN 4096

/* Digests of whole subtrees computed ahead (by two threads), looked up by node while the
   levels above them are hashed; sorted by node address. */
typedef struct {
	const pb_msg *node;
	oh_digest digest;
} precomputed;

typedef struct {
	precomputed *items;
	size_t n;
} precomputed_set;

static int hash_hashified(oh_digest out, const pb_msg *lit, int parallel, const precomputed_set *pre,
			  flyte_error **error);

/* Item i of a list (32-byte digest) or a map (64 bytes: key hash and value hash). */
typedef struct {
	const pb_list *list;
	const pb_map *map;
	const precomputed_set *pre;
} item_source;

static int hash_item(unsigned char *dst, size_t i, const item_source *it, flyte_error **error)
{
	if (it->list)
		return hash_hashified(dst, it->list->items[i].m, 0, it->pre, error);
	oh_leaf(dst, 'u', it->map->items[i].key->data, it->map->items[i].key->len);
	return hash_hashified(dst + 32, it->map->items[i].val.m, 0, it->pre, error);
}

typedef struct {
	const item_source *it;
	unsigned char *out;
	size_t stride, from, to;
	int rc;
	flyte_error *error;
} half;

static void *hash_half(void *arg)
{
	half *h = arg;
	for (size_t i = h->from; i < h->to && !h->rc; i++)
		h->rc = hash_item(h->out + i * h->stride, i, h->it, &h->error);
	return NULL;
}

/* Hashes n items into out (stride bytes each), on two threads when it pays. */
static int hash_items(unsigned char *out, size_t stride, size_t n, const item_source *it, int parallel,
		      flyte_error **error)
{
	half first = {it, out, stride, 0, n, 0, NULL}, second = first;
	pthread_t t;
	int threaded = parallel && fl_cache_key_threads && n >= PARALLEL_MIN;
	if (threaded) {
		first.to = second.from = n / 2;
		threaded = pthread_create(&t, NULL, hash_half, &first) == 0;
		if (!threaded)
			second.from = 0; /* no thread to be had: do it all here */
	}
	hash_half(&second);
	if (threaded)
		pthread_join(t, NULL);
	else
		first.rc = 0;
	half *failed = first.rc ? &first : second.rc ? &second : NULL;
	int rc = failed ? failed->rc : 0;
	if (failed && error) {
		flyte_error_free(*error);
		*error = failed->error;
		failed->error = NULL;
	}
	flyte_error_free(first.error);
	flyte_error_free(second.error);
	return rc;
}

static int cmp_node(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const precomputed *)a)->node, y = (uintptr_t)((const precomputed *)b)->node;
	return x < y ? -1 : x > y;
}

static const precomputed *lookup(const precomputed_set *pre, const pb_msg *node)
{
	precomputed key = {.node = node};
	return pre && pre->n ? bsearch(&key, pre->items, pre->n, sizeof key, cmp_node) : NULL;
}

static int hash_hashified(oh_digest out, const pb_msg *lit, int parallel, const precomputed_set *pre,
			  flyte_error **error)
{
	const pb_field_desc *fields = D_LITERAL.fields;
	oh_digest inner, vh;
	oh_ctx c;
	const precomputed *done = lookup(pre, lit);
	if (done) {
		memcpy(out, done->digest, 32);
		return 0;
	}
	if (pb_has(lit, F_LIT(hash))) {
		const pb_bytes *h = lit->fields[F_LIT(hash)].s;
		oh_leaf(vh, 'u', h->data, h->len);
		oh_begin(&c, 'd');
		oh_add(&c, fields[F_LIT(hash)].khash, 32);
		oh_add(&c, vh, 32);
		oh_end(&c, out);
		return 0;
	}
	int which = pb_oneof_case(lit, 0);
	if (which == F_LIT(collection)) {
		const pb_msg *coll = lit->fields[F_LIT(collection)].m;
		size_t n = pb_list_len(coll, F_COLL(literals));
		item_source it = {.list = coll->fields[F_COLL(literals)].list, .pre = pre};
		unsigned char(*digests)[32] = fl_malloc((n ? n : 1) * 32);
		if (!digests)
			return fl_error(error, FLYTE_ENOMEM, "out of memory computing a cache key");
		int rc = hash_items(digests[0], 32, n, &it, parallel, error);
		if (!rc)
			oh_leaf(vh, 'l', digests, n * 32);
		fl_free(digests);
		if (rc)
			return rc;
		/* LiteralCollection{literals}: the key is present only when non-empty. */
		oh_begin(&c, 'd');
		if (n) {
			oh_add(&c, pb_flyteidl_core_LiteralCollection.fields[F_COLL(literals)].khash, 32);
			oh_add(&c, vh, 32);
		}
		oh_end(&c, inner);
	} else if (which == F_LIT(map)) {
		const pb_msg *lm = lit->fields[F_LIT(map)].m;
		const pb_map *mp = lm->fields[F_LMAP(literals)].map;
		size_t n = mp ? mp->n : 0;
		unsigned char(*pairs)[64] = fl_malloc((n ? n : 1) * 64);
		if (!pairs)
			return fl_error(error, FLYTE_ENOMEM, "out of memory computing a cache key");
		item_source it = {.map = mp, .pre = pre};
		int rc = hash_items(pairs[0], 64, n, &it, parallel, error);
		if (rc) {
			fl_free(pairs);
			return rc;
		}
		oh_dict(vh, pairs, n);
		fl_free(pairs);
		oh_begin(&c, 'd');
		if (n) {
			oh_add(&c, D_LITERAL_MAP.fields[F_LMAP(literals)].khash, 32);
			oh_add(&c, vh, 32);
		}
		oh_end(&c, inner);
	} else {
		return oh_msg(out, lit, error);
	}
	/* Literal{collection|map: inner} */
	oh_begin(&c, 'd');
	oh_add(&c, fields[which].khash, 32);
	oh_add(&c, inner, 32);
	oh_end(&c, out);
	return 0;
}

static int ignored(const char *name, const char *const *ignore, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ignore[i] && strcmp(ignore[i], name) == 0)
			return 1;
	return 0;
}

int fl_cache_key_threads = 1;

/* Below this many literals a second thread costs more than it saves. */
#define PARALLEL_NODES 20000
/* Enough independent subtrees for two threads to stay busy whatever their sizes. */
#define FRONTIER_MIN 16

/* A collection or map that hashify rebuilds from its children (no hash of its own). */
static int expandable(const pb_msg *lit)
{
	int which = pb_oneof_case(lit, 0);
	return !pb_has(lit, F_LIT(hash)) && (which == F_LIT(collection) || which == F_LIT(map));
}

typedef struct {
	const pb_msg **items;
	size_t n, cap;
} node_list;

static int node_push(node_list *l, const pb_msg *m)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const pb_msg **items = fl_realloc(l->items, cap * sizeof *items);
		if (!items)
			return -1;
		l->items = items;
		l->cap = cap;
	}
	l->items[l->n++] = m;
	return 0;
}

/* Appends the expandable children of lit; *count grows by all its children. */
static int push_children(node_list *next, const pb_msg *lit, size_t *count)
{
	const pb_msg *inner = lit->fields[pb_oneof_case(lit, 0)].m;
	if (pb_oneof_case(lit, 0) == F_LIT(collection)) {
		const pb_list *l = inner->fields[F_COLL(literals)].list;
		for (size_t i = 0; l && i < l->n; i++, (*count)++)
			if (expandable(l->items[i].m) && node_push(next, l->items[i].m))
				return -1;
	} else {
		const pb_map *mp = inner->fields[F_LMAP(literals)].map;
		for (size_t i = 0; mp && i < mp->n; i++, (*count)++)
			if (expandable(mp->items[i].val.m) && node_push(next, mp->items[i].val.m))
				return -1;
	}
	return 0;
}

/* Literals in the subtree of lit, counting no further than limit. */
static size_t count_nodes(const pb_msg *lit, size_t limit)
{
	if (!expandable(lit))
		return 1;
	size_t count = 1;
	const pb_msg *inner = lit->fields[pb_oneof_case(lit, 0)].m;
	if (pb_oneof_case(lit, 0) == F_LIT(collection)) {
		const pb_list *l = inner->fields[F_COLL(literals)].list;
		for (size_t i = 0; l && i < l->n && count < limit; i++)
			count += count_nodes(l->items[i].m, limit - count);
	} else {
		const pb_map *mp = inner->fields[F_LMAP(literals)].map;
		for (size_t i = 0; mp && i < mp->n && count < limit; i++)
			count += count_nodes(mp->items[i].val.m, limit - count);
	}
	return count;
}

/*
 * For a large, nested input: the shallowest level of collections and maps that has at
 * least FRONTIER_MIN of them (or the last level that has any), when the levels above hold
 * at least PARALLEL_NODES literals in all. Those subtrees are hashed ahead by two threads.
 * Empty when it would not pay (small inputs, flat lists: those split on their own).
 */
static int choose_frontier(node_list *level, const pb_msg *const *roots, size_t n_roots)
{
	size_t count = 0;
	for (size_t i = 0; i < n_roots; i++)
		if (expandable(roots[i]) && node_push(level, roots[i]))
			return -1;
	while (level->n && level->n < FRONTIER_MIN) {
		node_list next = {0};
		for (size_t i = 0; i < level->n; i++)
			if (push_children(&next, level->items[i], &count)) {
				fl_free(next.items);
				return -1;
			}
		if (!next.n) {
			fl_free(next.items);
			break;
		}
		fl_free(level->items);
		*level = next;
	}
	/* Count what lies below the frontier, only as far as the threshold. */
	for (size_t i = 0; i < level->n && count < PARALLEL_NODES; i++)
		count += count_nodes(level->items[i], PARALLEL_NODES - count);
	if (level->n < 2 || count < PARALLEL_NODES)
		level->n = 0;
	return 0;
}

typedef struct {
	precomputed *items;
	size_t n;
	size_t next; /* shared work index */
	int rc;
	flyte_error *error;
} frontier_job;

static void *hash_frontier(void *arg)
{
	frontier_job *j = arg;
	for (;;) {
		size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
		if (i >= j->n || __atomic_load_n(&j->rc, __ATOMIC_RELAXED))
			return NULL;
		flyte_error *err = NULL;
		int rc = hash_hashified(j->items[i].digest, j->items[i].node, 0, NULL, &err);
		if (rc) {
			int expected = 0;
			if (__atomic_compare_exchange_n(&j->rc, &expected, rc, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				j->error = err;
			else
				flyte_error_free(err);
			return NULL;
		}
	}
}

/* Hashes the frontier subtrees of the inputs on two threads into *pre (sorted). */
static int precompute(precomputed_set *pre, const pb_msg *const *roots, size_t n_roots, flyte_error **error)
{
	node_list level = {0};
	memset(pre, 0, sizeof *pre);
	if (!fl_cache_key_threads)
		return 0;
	if (choose_frontier(&level, roots, n_roots)) {
		fl_free(level.items);
		return fl_error(error, FLYTE_ENOMEM, "out of memory computing a cache key");
	}
	if (!level.n) {
		fl_free(level.items);
		return 0;
	}
	frontier_job job = {fl_calloc(level.n, sizeof *job.items), level.n, 0, 0, NULL};
	for (size_t i = 0; job.items && i < level.n; i++)
		job.items[i].node = level.items[i];
	fl_free(level.items);
	if (!job.items)
		return fl_error(error, FLYTE_ENOMEM, "out of memory computing a cache key");
	pthread_t t;
	int threaded = pthread_create(&t, NULL, hash_frontier, &job) == 0;
	hash_frontier(&job);
	if (threaded)
		pthread_join(t, NULL);
	if (job.rc) {
		fl_free(job.items);
		if (error) {
			flyte_error_free(*error);
			*error = job.error;
		} else {
			flyte_error_free(job.error);
		}
		return job.rc;
	}
	qsort(job.items, job.n, sizeof *job.items, cmp_node);
	pre->items = job.items;
	pre->n = job.n;
	return 0;
}

int fl_artifact_tag(char out[FLYTE_ARTIFACT_TAG_LEN + 1], const pb_msg *inputs, const char *const *ignore,
		    size_t n_ignore, flyte_error **error)
{
	const pb_map *mp = inputs ? inputs->fields[F_LMAP(literals)].map : NULL;
	size_t n = mp ? mp->n : 0, k = 0;
	unsigned char(*pairs)[64] = fl_malloc((n ? n : 1) * 64);
	const pb_msg **roots = fl_malloc((n ? n : 1) * sizeof *roots);
	if (!pairs || !roots) {
		fl_free(pairs);
		fl_free(roots);
		return fl_error(error, FLYTE_ENOMEM, "out of memory computing a cache key");
	}
	size_t n_roots = 0;
	for (size_t i = 0; i < n; i++)
		if (!ignored(mp->items[i].key->data, ignore, n_ignore))
			roots[n_roots++] = mp->items[i].val.m;
	precomputed_set pre;
	int rc = precompute(&pre, roots, n_roots, error);
	fl_free(roots);
	for (size_t i = 0; !rc && i < n; i++) {
		const char *name = mp->items[i].key->data;
		if (ignored(name, ignore, n_ignore))
			continue;
		oh_leaf(pairs[k], 'u', name, mp->items[i].key->len);
		rc = hash_hashified(pairs[k] + 32, mp->items[i].val.m, 1, &pre, error);
		if (rc)
			fl_error_prefix(error, "input \"%s\"", name);
		k++;
	}
	fl_free(pre.items);
	if (rc) {
		fl_free(pairs);
		return rc;
	}
	oh_digest vh, digest;
	oh_dict(vh, pairs, k);
	fl_free(pairs);
	/* LiteralMap{literals}: an empty map has no key at all, giving SHA-256("d"). */
	oh_ctx c;
	oh_begin(&c, 'd');
	if (k) {
		oh_add(&c, D_LITERAL_MAP.fields[F_LMAP(literals)].khash, 32);
		oh_add(&c, vh, 32);
	}
	oh_end(&c, digest);
	memcpy(out, TAG_PREFIX, sizeof TAG_PREFIX - 1);
	base64_encode(out + sizeof TAG_PREFIX - 1, digest, 32, BASE64_URL | BASE64_NOPAD);
	return 0;
}

int flyte_cache_artifact_tag(char out[FLYTE_ARTIFACT_TAG_LEN + 1], const flyte_literal_map *inputs,
			     const char *const *ignore, size_t n_ignore, flyte_error **error)
{
	if (!out || (n_ignore && !ignore))
		return fl_error(error, FLYTE_EINVALID, "artifact tag: NULL argument");
	return fl_artifact_tag(out, M(inputs), ignore, n_ignore, error);
}

/* First 8 base64url characters of the ObjectHash of a VariableMap (nil or empty = {}). */
static int signature_part(char out[9], const pb_msg *vm, flyte_error **error)
{
	oh_digest d;
	const pb_map *vars = vm ? vm->fields[F_VMAP(variables)].map : NULL;
	if (!vars || !vars->n) {
		oh_leaf(d, 'd', "", 0);
	} else {
		int rc = oh_msg(d, vm, error);
		if (rc)
			return rc;
	}
	char b64[48];
	base64_encode(b64, d, 32, BASE64_URL | BASE64_NOPAD);
	memcpy(out, b64, 8);
	out[8] = '\0';
	return 0;
}

int fl_dataset_version(char **out, const char *cache_version, const pb_msg *iface, flyte_error **error)
{
	*out = NULL;
	char in[9], outp[9];
	int rc = signature_part(in, iface ? pb_get_msg(iface, F_IFACE(inputs)) : NULL, error);
	if (!rc)
		rc = signature_part(outp, iface ? pb_get_msg(iface, F_IFACE(outputs)) : NULL, error);
	if (rc)
		return rc;
	/* Trim ASCII spaces only, as Go's strings.Trim(v, " "). */
	const char *s = cache_version ? cache_version : "";
	size_t len = strlen(s);
	while (len && *s == ' ')
		s++, len--;
	while (len && s[len - 1] == ' ')
		len--;
	if (!len)
		return fl_error(error, FLYTE_EINVALID, "task cannot have an empty discoveryVersion");
	*out = fl_asprintf("%.*s-%s-%s", (int)len, s, in, outp);
	return *out ? 0 : fl_error(error, FLYTE_ENOMEM, "out of memory");
}

int flyte_cache_dataset_version(char **out, const char *cache_version, const flyte_typed_interface *interface,
				flyte_error **error)
{
	if (!out)
		return fl_error(error, FLYTE_EINVALID, "dataset version: NULL argument");
	return fl_dataset_version(out, cache_version, M(interface), error);
}

int flyte_cache_dataset_id(flyte_dataset_id *out, const flyte_identifier *task_id, const char *cache_version,
			   const flyte_typed_interface *interface, flyte_error **error)
{
	if (!out || !task_id || !task_id->project || !task_id->domain || !task_id->name)
		return fl_error(error, FLYTE_EINVALID, "dataset id: task id needs project, domain and name");
	memset(out, 0, sizeof *out);
	int rc = fl_dataset_version(&out->version, cache_version, M(interface), error);
	if (rc)
		return rc;
	out->project = fl_strdup(task_id->project);
	out->domain = fl_strdup(task_id->domain);
	out->name = fl_asprintf(DATASET_PREFIX "%s", task_id->name);
	if (!out->project || !out->domain || !out->name) {
		flyte_dataset_id_dispose(out);
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	}
	return 0;
}

void flyte_dataset_id_dispose(flyte_dataset_id *id)
{
	if (!id)
		return;
	fl_free(id->project);
	fl_free(id->domain);
	fl_free(id->name);
	fl_free(id->version);
	memset(id, 0, sizeof *id);
}

/* ---- hash hooks ---- */

/* Runs fn on literal; *out gets the hash (fl_free it). */
static int run_hash(char **out, const flyte_literal *literal, flyte_hash_fn fn, void *payload, const char *name,
		    flyte_error **error)
{
	flyte_out_string res = {0};
	char what[256];
	snprintf(what, sizeof what, "hash function for input \"%s\"", name ? name : "?");
	int rc = fl_out_string_result(&res, fn(&res, literal, payload), what, error);
	if (!rc && res.len == 0)
		rc = fl_error(error, FLYTE_EINVALID, "%s returned an empty hash", what);
	if (!rc && fl_utf8_check(res.value, res.len))
		rc = fl_error(error, FLYTE_EINVALID, "%s returned a hash that is not UTF-8", what);
	*out = rc ? NULL : res.value;
	if (!rc)
		res.value = NULL;
	fl_out_string_dispose(&res);
	return rc;
}

int flyte_literal_apply_hash(flyte_literal *literal, flyte_hash_fn fn, void *payload, flyte_error **error)
{
	if (!literal || !fn)
		return fl_error(error, FLYTE_EINVALID, "apply hash: NULL argument");
	char *h;
	int rc = run_hash(&h, literal, fn, payload, NULL, error);
	if (rc)
		return rc;
	rc = flyte_literal_set_hash(literal, h);
	fl_free(h);
	return rc ? fl_error(error, rc, "out of memory") : 0;
}

typedef struct {
	char *name;
	pb_msg *type;
	flyte_hash_fn fn;
	void *payload;
} hint;

struct flyte_type_hints {
	size_t n, cap;
	hint *items;
};

int flyte_type_hints_new(flyte_type_hints **out)
{
	if (!out)
		return FLYTE_EINVALID;
	*out = fl_calloc(1, sizeof **out);
	return *out ? 0 : FLYTE_ENOMEM;
}

static hint *find_hint(const flyte_type_hints *hints, const char *name)
{
	for (size_t i = 0; hints && i < hints->n; i++)
		if (strcmp(hints->items[i].name, name) == 0)
			return &hints->items[i];
	return NULL;
}

int flyte_type_hints_add(flyte_type_hints *hints, const char *name, const flyte_literal_type *type,
			 flyte_hash_fn hash_fn, void *payload)
{
	if (!hints || !name || !*name)
		return FLYTE_EINVALID;
	pb_msg *t = type ? pb_msg_copy(M(type)) : NULL;
	if (type && !t)
		return FLYTE_ENOMEM;
	hint *h = find_hint(hints, name);
	if (!h) {
		if (hints->n == hints->cap) {
			size_t cap = hints->cap ? hints->cap * 2 : 4;
			hint *items = fl_realloc(hints->items, cap * sizeof *items);
			if (!items) {
				pb_msg_free(t);
				return FLYTE_ENOMEM;
			}
			hints->items = items;
			hints->cap = cap;
		}
		char *nm = fl_strdup(name);
		if (!nm) {
			pb_msg_free(t);
			return FLYTE_ENOMEM;
		}
		h = &hints->items[hints->n++];
		memset(h, 0, sizeof *h);
		h->name = nm;
	}
	pb_msg_free(h->type);
	h->type = t;
	h->fn = hash_fn;
	h->payload = payload;
	return 0;
}

const flyte_literal_type *flyte_type_hints_type(const flyte_type_hints *hints, const char *name)
{
	hint *h = name ? find_hint(hints, name) : NULL;
	return h ? (const flyte_literal_type *)h->type : NULL;
}

size_t flyte_type_hints_count(const flyte_type_hints *hints)
{
	return hints ? hints->n : 0;
}

void flyte_type_hints_free(flyte_type_hints *hints)
{
	if (!hints)
		return;
	for (size_t i = 0; i < hints->n; i++) {
		fl_free(hints->items[i].name);
		pb_msg_free(hints->items[i].type);
	}
	fl_free(hints->items);
	fl_free(hints);
}

int flyte_type_hints_apply(const flyte_type_hints *hints, flyte_literal_map *inputs, flyte_error **error)
{
	if (!hints || !inputs)
		return fl_error(error, FLYTE_EINVALID, "type hints: NULL argument");
	for (size_t i = 0; i < hints->n; i++) {
		const hint *h = &hints->items[i];
		const flyte_literal *lit = flyte_literal_map_get(inputs, h->name);
		if (lit && h->type) {
			int rc = flyte_literal_check_type(lit, (const flyte_literal_type *)h->type, h->name, error);
			if (rc)
				return rc;
		}
	}
	/* Compute every hash first so that a failure leaves the inputs untouched. */
	char **hashes = fl_calloc(hints->n ? hints->n : 1, sizeof *hashes);
	if (!hashes)
		return fl_error(error, FLYTE_ENOMEM, "out of memory");
	int rc = 0;
	for (size_t i = 0; i < hints->n && !rc; i++) {
		const hint *h = &hints->items[i];
		const flyte_literal *lit = flyte_literal_map_get(inputs, h->name);
		if (lit && h->fn)
			rc = run_hash(&hashes[i], lit, h->fn, h->payload, h->name, error);
	}
	for (size_t i = 0; i < hints->n && !rc; i++)
		if (hashes[i] && flyte_literal_set_hash(flyte_literal_map_get(inputs, hints->items[i].name), hashes[i]))
			rc = fl_error(error, FLYTE_ENOMEM, "out of memory");
	for (size_t i = 0; i < hints->n; i++)
		fl_free(hashes[i]);
	fl_free(hashes);
	return rc;
}
