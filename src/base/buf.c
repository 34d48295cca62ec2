#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "base/banned.h"

static char empty[1];

void buf_init(struct buf *b, size_t max)
{
	b->p = empty;
	b->len = 0;
	b->cap = 0;
	b->max = max;
	b->err = OK;
}

enum err buf_read_file(struct buf *b, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[16384];
	size_t n;
	int bad;

	if (!f)
		return ERR_IO;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b->err == OK)
		buf_add(b, chunk, n);
	bad = ferror(f);
	fclose(f);
	if (bad) {
		errno = EIO;
		return ERR_IO;
	}
	return b->err == OK ? OK : ERR_LIMIT;
}

const char *temp_dir(void)
{
	const char *env[] = {"SQLITE_TMPDIR", "TMPDIR"};

	for (size_t i = 0; i < sizeof env / sizeof *env; i++) {
		const char *v = getenv(env[i]);
		if (v && *v)
			return v;
	}
	int e = errno;
	const char *d = access("/var/tmp", W_OK | X_OK) == 0 ? "/var/tmp" : "/tmp";

	errno = e;
	return d;
}

int temp_fd(void)
{
	char path[4096];
	int fd = open(temp_dir(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* A file system without unnamed files: name one and unlink it. */
	if ((size_t)snprintf(path, sizeof path, "%s/reach-XXXXXX", temp_dir()) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkostemp(path, O_CLOEXEC)) >= 0)
		unlink(path);
	return fd;
}

void buf_release(struct buf *b)
{
	if (b->cap)
		free(b->p);
	buf_init(b, b->max);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->cap)
		b->p[0] = '\0';
	b->err = OK;
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *p = b->cap ? b->p : xstrdup("");
	if (len)
		*len = b->len;
	buf_init(b, b->max);
	return p;
}

char *buf_space(struct buf *b, size_t n)
{
	size_t want, cap;

	if (b->err)
		return NULL;
	if (n > b->max - b->len) {
		b->err = ERR_LIMIT;
		return NULL;
	}
	want = b->len + n + 1;
	if (want > b->cap) {
		cap = b->cap ? b->cap : 64;
		while (cap < want)
			cap = cap / 2 * 3 + 16;
		if (b->cap)
			b->p = xrealloc(b->p, cap);
		else
			b->p = xmalloc(cap);
		b->cap = cap;
	}
	return b->p + b->len;
}

void buf_add_slow(struct buf *b, const void *p, size_t n)
{
	char *dst = buf_space(b, n);
	if (!dst)
		return;
	if (n)
		memcpy(dst, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	char *dst;
	int n;

	if (b->err)
		return;
	/* Written straight into the room there is; formatted again only
	 * when it did not fit. */
	va_copy(ap2, ap);
	n = !b->cap ? -1 : vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n >= 0 && (size_t)n < b->cap - b->len) {
		if ((size_t)n > b->max - b->len) {
			b->p[b->len] = '\0';
			b->err = ERR_LIMIT;
			return;
		}
		b->len += (size_t)n;
		return;
	}
	if (b->cap)
		b->p[b->len] = '\0';  /* the try may have written past it */
	if (n < 0) {
		va_copy(ap2, ap);
		n = vsnprintf(NULL, 0, fmt, ap2);
		va_end(ap2);
	}
	if (n < 0 || !(dst = buf_space(b, (size_t)n)))
		return;
	vsnprintf(dst, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t i64_text(char *out, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(tmp + sizeof tmp - p);
	memcpy(out, p, n);
	return n;
}

void buf_add_i64(struct buf *b, int64_t v)
{
	char tmp[24];

	buf_add(b, tmp, i64_text(tmp, v));
}

/* Whether any of the 8 bytes at s is one of the five HTML-special
 * characters. A byte of x ^ c*ONES is zero where x has c; & and ' differ
 * in their lowest bit only, as < and > in the next, so three tests do. */
#define ZERO_BYTE(y) (((y) - 0x0101010101010101ull) & ~(y) & 0x8080808080808080ull)
static inline bool special8(const char *s)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t x;

	memcpy(&x, s, 8);
	return (ZERO_BYTE((x | ones) ^ (ones * '\'')) | ZERO_BYTE((x | 2 * ones) ^ (ones * '>')) |
		ZERO_BYTE(x ^ (ones * '"'))) != 0;
}

void buf_html(struct buf *b, const char *s, size_t n)
{
	static const char special[256] = {['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1};
	size_t i = 0, start = 0;
	const char *rep;

	/* Runs without special characters (nearly all text) go in one copy;
	 * they are looked through eight bytes at a time. */
	for (;;) {
		/* special8 is exact: the byte loop stops inside the eight bytes
		 * it flagged, or runs out the tail. */
		while (n - i >= 8 && !special8(s + i))
			i += 8;
		while (i < n && !special[(unsigned char)s[i]])
			i++;
		buf_add(b, s + start, i - start);
		if (i == n)
			return;
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		default: rep = "&#39;"; break;
		}
		buf_puts(b, rep);
		start = ++i;
	}
}

void buf_truncate(struct buf *b, size_t len)
{
	if (len < b->len) {
		b->len = len;
		b->p[len] = '\0';
	}
}

int slice_eq(struct slice a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.p, s, n) == 0;
}
