/* The process-wide allocator hook (STYLE.md §10). Every SDK allocation goes through it. */
#ifndef FLYTE_ALLOC_H
#define FLYTE_ALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *fl_malloc(size_t n);
void *fl_calloc(size_t count, size_t size); /* zeroed; NULL on overflow */
void *fl_realloc(void *p, size_t n);
void fl_free(void *p);
char *fl_strdup(const char *s);
/* How many allocations have failed on this thread so far (through the hook). */
unsigned long fl_alloc_failures(void);
char *fl_strndup(const char *s, size_t n);
/* printf into a new string; NULL when out of memory. */
char *fl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *fl_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
