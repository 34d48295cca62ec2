/*
 * jw.h — a streaming JSON writer over a struct buf.
 *
 * Commas and nesting are tracked for the caller; strings are escaped and
 * must be UTF-8 (checked at the edge, not here). Nesting deeper than
 * JW_MAX_DEPTH is a bug. Errors (size) are the buf's: check b->err once.
 *
 *   jw_obj(&w); jw_kstr(&w, "id", id); jw_key(&w, "items"); jw_arr(&w);
 *   ... jw_end(&w); jw_end(&w);
 */
#ifndef BASE_JW_H
#define BASE_JW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

#define JW_MAX_DEPTH 32

struct jw {
	struct buf *b;
	int depth;
	bool first[JW_MAX_DEPTH];
	char close[JW_MAX_DEPTH];
	bool after_key;
};

void jw_init(struct jw *w, struct buf *b);
void jw_obj(struct jw *w);
void jw_arr(struct jw *w);
void jw_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);       /* NULL writes null */
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_int(struct jw *w, int64_t v);
void jw_num(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
void jw_raw(struct jw *w, const char *json);    /* already-valid JSON */

static inline void jw_kstr(struct jw *w, const char *k, const char *v) { jw_key(w, k); jw_str(w, v); }
static inline void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
static inline void jw_kbool(struct jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }

/* Appends s as a JSON string literal, quotes included. */
void jw_escape(struct buf *b, const char *s, size_t n);

#endif
