/*
 * arena.h — memory that lives for one request (or one job step) and is
 * freed at once. Allocation never fails (it aborts on exhaustion, like
 * xmalloc). Memory is 16-byte aligned. An arena is owned by whoever made
 * it; arena_free releases every block.
 */
#ifndef BASE_ARENA_H
#define BASE_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);     /* zeroed */
void *arena_alloc_raw(struct arena *a, size_t n); /* not */
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Bytes handed out so far (for limits and tests). */
size_t arena_used(const struct arena *a);

#endif
