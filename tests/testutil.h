/* Small helpers shared by the cmocka tests. */
#ifndef FLYTE_TESTUTIL_H
#define FLYTE_TESTUTIL_H

#include <stddef.h>

/* Reads a whole file (tests/data/NAME when relative to FLYTE_TEST_DATA); NULL on error.
   The buffer is NUL-terminated; free() it. */
char *tu_read_file(const char *path, size_t *len);
/* FLYTE_TEST_DATA "/" name, in a static buffer. */
const char *tu_data_path(const char *name);

/* Allocation failure injection through flyte_set_allocator: after tu_fail_after(n), the
   n-th allocation from now (0 = the next one) and all later ones fail until
   tu_fail_never(). tu_alloc_count() counts allocations since the last reset. */
void tu_install_failing_allocator(void);
void tu_fail_after(long n);
void tu_fail_never(void);
long tu_alloc_count(void);

#endif

/* A flyte-devserver started for a test on a free loopback port with a fresh database and
   data directory (removed at stop). NULL when it cannot start. The binary is
   $FLYTE_DEVSERVER or the one this build made. */
typedef struct tu_devserver tu_devserver;
tu_devserver *tu_devserver_start(const char *const *extra_args);
const char *tu_devserver_url(const tu_devserver *d);
const char *tu_devserver_data_dir(const tu_devserver *d);
/* SIGTERM, wait, remove the temporary directory; returns the exit status. */
int tu_devserver_stop(tu_devserver *d);
