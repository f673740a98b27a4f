/*
 * store: the dev server's SQLite database (WAL mode, one connection behind a recursive
 * mutex). Modules create their own tables in their *_init functions and run their SQL
 * between ds_store_lock() and ds_store_unlock(); every state change happens inside
 * ds_store_begin() / ds_store_commit() so that a kill -9 never leaves half a change.
 */
#ifndef DS_STORE_H
#define DS_STORE_H

#include <sqlite3.h>
#include <stdarg.h>

typedef struct ds_store ds_store;

/* Opens (creating) the database at path. On failure returns non-zero and a message in
   *error (fl_free it). */
int ds_store_open(ds_store **out, const char *path, char **error);
void ds_store_close(ds_store *store);

/* The connection, locked for the calling thread (recursive). */
sqlite3 *ds_store_lock(ds_store *store);
void ds_store_unlock(ds_store *store);

/* Runs SQL without results (several statements allowed). Returns SQLITE_OK or the error
   code; the caller holds the lock. */
int ds_store_exec(sqlite3 *db, const char *sql);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; the caller holds the lock. */
int ds_store_begin(sqlite3 *db);
int ds_store_commit(sqlite3 *db);
void ds_store_rollback(sqlite3 *db);

/* Binds ap to st's parameters 1.. by a type string: 't' text (const char *, NULL binds
   NULL), 'i' int64 (long long), 'd' double, 'j' json_t * (stored as canonical text,
   ds_json_dumps; NULL or JSON null binds NULL). SQLITE_OK or the error code. */
int ds_store_bind_va(sqlite3_stmt *st, const char *types, va_list ap);
/* Prepares sql and binds the variadic arguments as ds_store_bind_va does. NULL on error. */
sqlite3_stmt *ds_store_prepare(sqlite3 *db, const char *sql, const char *types, ...);

#endif
