/*
 * buf.h — the one string builder.
 *
 * A struct buf is never NULL-data and always NUL-terminated: after
 * buf_init, b->p is "" until something is added. Every buf has a maximum
 * size; an append that would pass it, appends nothing, and the buf
 * remembers ERR_LIMIT. The first error sticks, so callers append freely
 * and check b->err once at the end.
 *
 * A struct slice is borrowed text: a pointer and a length, not owned and
 * not necessarily NUL-terminated.
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/err.h"

struct buf {
	char *p;        /* always NUL-terminated */
	size_t len;     /* bytes before the NUL */
	size_t cap;     /* bytes allocated, 0 while p is the static "" */
	size_t max;     /* len never exceeds this */
	enum err err;   /* OK, or ERR_LIMIT once an append did not fit */
};

struct slice {
	const char *p;
	size_t len;
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)

/* Makes b empty with the given maximum length. Allocates nothing. */
void buf_init(struct buf *b, size_t max);

/* Frees b's memory and makes it empty again (buf_init with the same max). */
void buf_release(struct buf *b);

/* Empties b, keeping its memory, and clears its error. */
void buf_reset(struct buf *b);

/* Gives up ownership of b's bytes (a malloc'd, NUL-terminated string). */
char *buf_detach(struct buf *b, size_t *len);

void buf_add_slow(struct buf *b, const void *p, size_t n);

/* Appends n bytes; inline while they fit in the room there is. */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	if (!b->err && n < b->cap - b->len && n <= b->max - b->len) {
		if (n)
			memcpy(b->p + b->len, p, n);
		b->len += n;
		b->p[b->len] = '\0';
		return;
	}
	buf_add_slow(b, p, n);
}
void buf_puts(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_add_i64(struct buf *b, int64_t v);

/* v in decimal at out (room for 20 bytes), without a NUL; its length. */
size_t i64_text(char *out, int64_t v);

/* Appends s with the five HTML-special characters escaped. */
void buf_html(struct buf *b, const char *s, size_t n);

/* Appends the whole file at path. ERR_IO (with errno) when it cannot be
 * read, ERR_LIMIT when it passes b's maximum (b keeps that error). */
enum err buf_read_file(struct buf *b, const char *path);

/* The directory for temporary files, where SQLite puts its own:
 * $SQLITE_TMPDIR, else $TMPDIR, else /var/tmp (or /tmp when /var/tmp
 * cannot be written). It leaves errno as it found it. */
const char *temp_dir(void);

/* A new temporary file in temp_dir() with no name (gone when closed),
 * open for reading and writing; -1 with errno when none can be made. */
int temp_fd(void);

/* Drops the bytes past len. */
void buf_truncate(struct buf *b, size_t len);

/* Makes room for n more bytes; returns where they go, or NULL over max. */
char *buf_space(struct buf *b, size_t n);

static inline struct slice slice_of(const char *s)
{
	struct slice sl = {s, 0};
	while (s && s[sl.len])
		sl.len++;
	return sl;
}

int slice_eq(struct slice a, const char *s);

#endif
