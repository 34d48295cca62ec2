#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "base/banned.h"

void jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
}

/* Writes the comma that separates this value from the one before. */
static void sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth - 1])
			buf_addc(w->b, ',');
		w->first[w->depth - 1] = false;
	}
}

static void begin(struct jw *w, char o, char c)
{
	sep(w);
	if (w->depth >= JW_MAX_DEPTH)
		BUG("JSON nested too deep");
	buf_addc(w->b, o);
	w->first[w->depth] = true;
	w->close[w->depth] = c;
	w->depth++;
}

void jw_obj(struct jw *w) { begin(w, '{', '}'); }
void jw_arr(struct jw *w) { begin(w, '[', ']'); }

void jw_end(struct jw *w)
{
	if (w->depth == 0)
		BUG("jw_end without an open object or array");
	w->depth--;
	buf_addc(w->b, w->close[w->depth]);
}

void jw_key(struct jw *w, const char *k)
{
	sep(w);
	jw_escape(w->b, k, strlen(k));
	buf_addc(w->b, ':');
	w->after_key = true;
}

void jw_escape(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, start = 0;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = "\\u00";
		if (c >= 0x20 && c != '"' && c != '\\' && c != '<')
			continue;
		buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: /* controls, and '<' so JSON is safe inside HTML */
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			buf_add(b, esc, 6);
		}
	}
	buf_add(b, s + start, n - start);
	buf_addc(b, '"');
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	sep(w);
	jw_escape(w->b, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void jw_int(struct jw *w, int64_t v)
{
	sep(w);
	buf_add_i64(w->b, v);
}

void jw_num(struct jw *w, double v)
{
	sep(w);
	char tmp[32];

	if (!isfinite(v)) {
		buf_puts(w->b, "null");
		return;
	}
	/* The shortest of the usual forms that reads back as the same double:
	 * 35.7, not 35.700000000000003. */
	snprintf(tmp, sizeof tmp, "%.15g", v);
	if (strtod(tmp, NULL) != v)
		snprintf(tmp, sizeof tmp, "%.17g", v);
	buf_puts(w->b, tmp);
}

void jw_bool(struct jw *w, bool v)
{
	sep(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	sep(w);
	buf_puts(w->b, "null");
}

void jw_raw(struct jw *w, const char *json)
{
	sep(w);
	buf_puts(w->b, json);
}
