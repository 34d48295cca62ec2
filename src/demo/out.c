/*
 * out.c — the demo's CSV files: one buffer a file, written in blocks of
 * OUT_BUF bytes (by the writer thread when the file has one), the first
 * failure kept and reported at out_close.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

void out_flush(struct out *o)
{
	if (o->len && o->f && o->w)
		o->buf = writer_put(o->w, o, o->buf, o->len);
	else if (o->len && o->f && !o->err && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = ERR_IO;
	o->bytes += o->len;
	o->len = 0;
}

enum err out_open(struct out *o, const char *dir, const char *name, const char *header)
{
	memset(o, 0, sizeof *o);
	snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
	o->f = fopen(o->path, "wb");
	if (!o->f)
		return o->err = ERR_IO;
	o->buf = xmalloc(OUT_BUF);
	out_str(o, header);
	out_str(o, "\n");
	return OK;
}

enum err out_close(struct out *o)
{
	if (!o->f)
		return o->err;
	out_flush(o);
	if (o->w) {
		writer_drain(o->w);
		o->err = o->err ? o->err : o->werr;
	}
	if (fclose(o->f) != 0 && !o->err)
		o->err = ERR_IO;
	o->f = NULL;
	free(o->buf);
	o->buf = NULL;
	return o->err;
}

/* Copies s while looking for the characters that need quoting; quotes
 * the field only when one was there. Fields longer than half the buffer
 * (none here: names are short) would not fit and are cut. */
void out_field(struct out *o, const char *s)
{
	size_t n = strnlen(s, OUT_BUF / 4), start;
	char *w;
	bool special = false;

	out_room(o, 2 * n + 2);
	start = o->len;
	w = o->buf + o->len;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		special |= c == ',' || c == '"' || c == '\n' || c == '\r';
		w[i] = c;
	}
	o->len += n;
	if (!special)
		return;
	o->len = start;
	o->buf[o->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			o->buf[o->len++] = '"';
		o->buf[o->len++] = s[i];
	}
	o->buf[o->len++] = '"';
}

void out_u64(struct out *o, uint64_t v)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	out_room(o, (size_t)n);
	while (n)
		o->buf[o->len++] = t[--n];
}

void out_pad(struct out *o, uint64_t v, int width)
{
	out_room(o, 24);
	for (int i = width - 1; i >= 0; i--) {
		o->buf[o->len + (size_t)i] = (char)('0' + v % 10);
		v /= 10;
	}
	o->len += (size_t)width;
}

/* Rounds half away from zero by integer arithmetic, so the text depends
 * only on the double. */
void out_fixed(struct out *o, double v, int decimals)
{
	uint64_t scale = 1, x;

	for (int i = 0; i < decimals; i++)
		scale *= 10;
	if (v < 0) {
		out_str(o, "-");
		v = -v;
	}
	x = (uint64_t)(v * (double)scale + 0.5);
	out_u64(o, x / scale);
	if (decimals) {
		out_str(o, ".");
		out_pad(o, x % scale, decimals);
	}
}

void id_text(char out[24], const char *cc, char role, uint64_t n)
{
	size_t k = strlen(cc);

	memcpy(out, cc, k);
	out[k++] = '-';
	out[k++] = role;
	for (int i = 8; i >= 0; i--) {
		out[k + (size_t)i] = (char)('0' + n % 10);
		n /= 10;
	}
	out[k + 9] = '\0';
}
