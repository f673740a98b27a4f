/* The dev server's SQLite database. */
#include "store.h"

#include <pthread.h>
#include <stdarg.h>
#include <string.h>

#include "alloc.h"
#include "server.h"

struct ds_store {
	sqlite3 *db;
	pthread_mutex_t lock;
};

int ds_store_open(ds_store **out, const char *path, char **error)
{
	*out = NULL;
	ds_store *s = fl_calloc(1, sizeof *s);
	if (!s) {
		*error = fl_strdup("out of memory");
		return -1;
	}
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&s->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
				 NULL);
	if (rc == SQLITE_OK)
		rc = ds_store_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
					  "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
	if (rc != SQLITE_OK) {
		*error = fl_asprintf("cannot open database %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "?");
		ds_store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void ds_store_close(ds_store *s)
{
	if (!s)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	fl_free(s);
}

sqlite3 *ds_store_lock(ds_store *s)
{
	pthread_mutex_lock(&s->lock);
	return s->db;
}

void ds_store_unlock(ds_store *s)
{
	pthread_mutex_unlock(&s->lock);
}

int ds_store_exec(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

int ds_store_begin(sqlite3 *db)
{
	return ds_store_exec(db, "BEGIN IMMEDIATE");
}

int ds_store_commit(sqlite3 *db)
{
	return ds_store_exec(db, "COMMIT");
}

void ds_store_rollback(sqlite3 *db)
{
	ds_store_exec(db, "ROLLBACK");
}

int ds_store_bind_va(sqlite3_stmt *st, const char *types, va_list ap)
{
	int rc = SQLITE_OK;
	for (int i = 0; types && types[i] && rc == SQLITE_OK; i++) {
		switch (types[i]) {
		case 't': {
			const char *v = va_arg(ap, const char *);
			rc = v ? sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i + 1);
			break;
		}
		case 'i': rc = sqlite3_bind_int64(st, i + 1, va_arg(ap, long long)); break;
		case 'd': rc = sqlite3_bind_double(st, i + 1, va_arg(ap, double)); break;
		case 'j': {
			const json_t *v = va_arg(ap, const json_t *);
			char *text = v && !json_is_null(v) ? ds_json_dumps(v) : NULL;
			rc = text ? sqlite3_bind_text(st, i + 1, text, -1, SQLITE_TRANSIENT)
				  : sqlite3_bind_null(st, i + 1);
			fl_free(text);
			break;
		}
		default: rc = SQLITE_MISUSE;
		}
	}
	return rc;
}

sqlite3_stmt *ds_store_prepare(sqlite3 *db, const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	va_list ap;
	va_start(ap, types);
	int rc = ds_store_bind_va(st, types, ap);
	va_end(ap);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}
