/*
 * csv.c — the streaming CSV reader over libcsv, and the writer.
 *
 * libcsv tokenizes: csv_parse takes a chunk and calls on_field for every
 * field and on_row at every unquoted line ending. One chunk yields many
 * rows, so the callbacks queue them (field bytes in data, their places in
 * flds, one qrow each) and csv_next hands them out one by one; a new
 * chunk is read only when the queue is empty. The queue therefore never
 * holds more than one chunk's rows plus the row in progress.
 *
 * Three things libcsv does not do, done here:
 *
 * Bounded fields. libcsv keeps the field in progress in entry_buf and
 * grows it without limit. We give it a realloc function that allocates
 * the buffer once (max_field plus a little) and refuses to grow it; when
 * a field fills it, csv_parse stops with CSV_ENOMEM, we count and drop
 * the bytes buffered so far (keeping the last one: it may be a closing
 * quote that libcsv still has to take off), and parsing goes on. The
 * field is then reported with its full length, and memory never grows.
 * This relies on entry_buf, entry_pos, spaces and quoted, which libcsv's
 * header exposes in struct csv_parser (libcsv 3.0).
 *
 * Line numbers. libcsv does not say where it is. But every CR or LF it
 * sees either ends a row (on_row, given the character; with
 * CSV_REPALL_NL also on empty lines) or is part of a quoted field's
 * content (on_field). So the lines are counted from the callbacks: the
 * breaks inside each field, plus one per row ending, where an LF right
 * after a CR that ended a row is the second half of a CRLF. (In trim
 * mode libcsv skips spaces between rows unseen, so "\r  \n" counts as
 * one line break, not two: a line of spaces after a lone CR.)
 *
 * Quoting errors. In strict mode csv_parse stops at a stray quote; we
 * mark the row bad, let libcsv take that one byte leniently (clearing
 * quoted after a closing quote, see bad_quote), and go on.
 * csv_fini with CSV_STRICT_FINI tells us of a quote never closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <csv.h>

#include "base/csv.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "base/banned.h"

/* Room in libcsv's field buffer past max_field: a closing quote and, in
 * trim mode, a few spaces that libcsv buffers and later removes. */
#define ENTRY_SLACK 16

#define BOM "\xEF\xBB\xBF"

struct fld {
	size_t off;  /* in r->data */
	size_t len;
};

/* A finished row waiting in the queue. */
struct qrow {
	size_t first;       /* its first field in r->flds */
	size_t nfields;
	uint64_t seen;      /* 1-based, counting the header */
	uint64_t line;
	enum csv_problem problem;
	size_t col;
	uint64_t a, b;      /* the numbers in the message */
	uint64_t err_line;
};

/* The row libcsv is in the middle of. */
struct cur {
	size_t first;       /* its first field in r->flds */
	size_t data_start;  /* its first byte in r->data */
	size_t n;           /* fields so far, stored or not */
	size_t bytes;       /* field bytes so far */
	uint64_t breaks;    /* line breaks inside its finished fields */
	enum csv_problem problem;
	size_t col;
	uint64_t a, b, err_line;
	/* The field in progress, when its first bytes were dropped. */
	size_t spill;
	uint64_t spill_breaks;
	bool spill_cr;      /* the last byte dropped was a CR */
};

struct csv_reader {
	int fd;
	bool own_fd;
	bool header;
	bool started;       /* the first chunk (and its BOM) was read */
	bool eof;
	int read_errno;     /* non-zero once a read failed */
	unsigned char lopts;  /* libcsv options */
	size_t max_field, max_fields, max_row;
	struct csv_parser p;
	unsigned char *chunk;

	char *data;         /* field bytes, each followed by a NUL */
	size_t data_len, data_cap;
	struct fld *flds;
	size_t nflds, flds_cap;
	struct qrow *rows;
	size_t nrows, rows_cap, head;
	struct cur cur;
	uint64_t lines;     /* line breaks before the row in progress */
	int last_term;      /* the character that ended the last row, or -1 */
	uint64_t seen;      /* rows finished, the header included */
	size_t expect;      /* fields per row; 0 until the first row */

	char **hdr;
	size_t nhdr;
	const char **out_field;
	size_t *out_len;
	char msg[ERRINFO_MSG_MAX];
};

/* ---- the queue ---- */

/* p, with room for need elements of size bytes (*cap says how many). */
static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;

	if (need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	*cap = n;
	return xrealloc(p, n * size);
}

static void store_field(struct csv_reader *r, const char *s, size_t n)
{
	r->data = grow(r->data, &r->data_cap, r->data_len + n + 1, 1);
	r->flds = grow(r->flds, &r->flds_cap, r->nflds + 1, sizeof *r->flds);
	memcpy(r->data + r->data_len, s, n);
	r->data[r->data_len + n] = '\0';
	r->flds[r->nflds++] = (struct fld){r->data_len, n};
	r->data_len += n + 1;
}

/* Marks the row in progress bad (the first problem sticks) and drops
 * the fields it has stored: a bad row is not handed out. */
static void row_problem(struct csv_reader *r, enum csv_problem p, size_t col,
			uint64_t a, uint64_t b)
{
	struct cur *c = &r->cur;

	if (c->problem)
		return;
	c->problem = p;
	c->col = col;
	c->a = a;
	c->b = b;
	/* A field's problem is where that field starts; a row's, where the
	 * row starts. */
	c->err_line = r->lines + 1 + (col ? c->breaks : 0);
	r->nflds = c->first;
	r->data_len = c->data_start;
}

/* Moves the row in progress to the front once the queue is empty. */
static void compact(struct csv_reader *r)
{
	struct cur *c = &r->cur;
	size_t nf = r->nflds - c->first;
	size_t nd = r->data_len - c->data_start;

	memmove(r->flds, r->flds + c->first, nf * sizeof *r->flds);
	for (size_t i = 0; i < nf; i++)
		r->flds[i].off -= c->data_start;
	memmove(r->data, r->data + c->data_start, nd);
	r->nflds = nf;
	r->data_len = nd;
	c->first = 0;
	c->data_start = 0;
	r->nrows = r->head = 0;
}

/* ---- the callbacks ---- */

/* Line breaks in s: CR, LF, and CRLF as one. cr_before says whether the
 * byte before s was a CR. */
static uint64_t count_breaks(const unsigned char *s, size_t n, bool cr_before)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\r')
			k++;
		else if (s[i] == '\n' && !(i ? s[i - 1] == '\r' : cr_before))
			k++;
	}
	return k;
}

/* What scan found in a field: maybe a byte below 0x20 (NUL, CR, LF,
 * tab), maybe a byte of 0x80 or more (UTF-8 to check). */
enum { HAS_CTL = 1, HAS_HIGH = 2 };

/* Looks at a field eight bytes at a time; most fields are plain ASCII and
 * need nothing more. HAS_CTL may be set without cause (a borrow from a
 * byte of 0x80 or more), which only costs a closer look. */
static unsigned scan(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	uint64_t hi = 0, lo = 0, x;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		hi |= x;
		lo |= (x - ones * 0x20) & ~x;
	}
	for (; i < n; i++) {
		hi |= s[i];
		lo |= s[i] < 0x20 ? 0x80 : 0;
	}
	return (lo & highs ? HAS_CTL : 0) | (hi & highs ? HAS_HIGH : 0);
}

/* Reports a NUL or invalid UTF-8, whichever comes first. */
static void check_text(struct csv_reader *r, const char *s, size_t n,
		       unsigned has)
{
	size_t col = r->cur.n, bad = n, nul = n;
	const char *z;

	if ((has & HAS_CTL) && (z = memchr(s, 0, n)))
		nul = (size_t)(z - s);
	if ((has & HAS_HIGH) && utf8_valid(s, n, &bad))
		bad = n;
	if (nul < n && nul <= bad)
		row_problem(r, CSV_P_NUL, col, nul + 1, 0);
	else if (bad < n)
		row_problem(r, CSV_P_UTF8, col, bad + 1, 0);
}

static void take_field(struct csv_reader *r, const char *s, size_t n,
		       size_t total, unsigned has)
{
	struct cur *c = &r->cur;

	if (c->n > r->max_fields)
		row_problem(r, CSV_P_TOO_MANY, 0, 0, r->max_fields);
	else if (total > r->max_field)
		row_problem(r, CSV_P_FIELD_LONG, c->n, total, r->max_field);
	else if (c->bytes > r->max_row)
		row_problem(r, CSV_P_ROW_LONG, 0, 0, r->max_row);
	else if (has)
		check_text(r, s, n, has);
	if (!c->problem)
		store_field(r, s, n);
}

static void on_field(void *v, size_t n, void *data)
{
	struct csv_reader *r = data;
	struct cur *c = &r->cur;
	unsigned has = scan(v, n);
	uint64_t breaks = c->spill_breaks;

	if (has & HAS_CTL)
		breaks += count_breaks(v, n, c->spill_cr);
	c->n++;
	c->bytes += c->spill + n;
	if (!c->problem)
		take_field(r, v, n, c->spill + n, has);
	c->breaks += breaks;
	c->spill = 0;
	c->spill_breaks = 0;
	c->spill_cr = false;
}

static void queue_row(struct csv_reader *r, uint64_t line)
{
	struct cur *c = &r->cur;
	struct qrow *q;

	r->rows = grow(r->rows, &r->rows_cap, r->nrows + 1, sizeof *r->rows);
	q = &r->rows[r->nrows++];
	*q = (struct qrow){
		.first = c->first, .nfields = c->problem ? 0 : c->n,
		.seen = ++r->seen, .line = line, .problem = c->problem,
		.col = c->col, .a = c->a, .b = c->b, .err_line = c->err_line,
	};
	*c = (struct cur){.first = r->nflds, .data_start = r->data_len};
}

/* The field count: the first row (the header, or the first data row)
 * sets it; any other count is a bad row. */
static void check_count(struct csv_reader *r)
{
	struct cur *c = &r->cur;

	if (c->problem == CSV_P_TOO_MANY) {
		if (r->expect) {
			c->problem = CSV_P_NONE;
			row_problem(r, CSV_P_COUNT, 0, r->expect, c->n);
		} else
			c->a = c->n;
	} else if (!r->expect) {
		if (c->n <= r->max_fields)
			r->expect = c->n;
	} else if (c->n != r->expect)
		row_problem(r, CSV_P_COUNT, 0, r->expect, c->n);
	if (c->problem == CSV_P_ROW_LONG)
		c->a = c->bytes;
}

/* t is the CR or LF that ended the row, or -1 at the end of the file. */
static void on_row(int t, void *data)
{
	struct csv_reader *r = data;
	struct cur *c = &r->cur;
	uint64_t line = r->lines + 1;

	if (c->n == 0) {
		/* An empty line, or the LF of a CRLF. */
		if (!(t == '\n' && r->last_term == '\r'))
			r->lines++;
		r->last_term = t;
		return;
	}
	check_count(r);
	r->lines += c->breaks + (t >= 0);
	r->last_term = t;
	queue_row(r, line);
}

/* ---- feeding libcsv ---- */

/* Spaces are data unless the caller asked for them to be trimmed. */
static int no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* libcsv's field buffer is allocated once and never grows; see the top. */
static void *alloc_once(void *p, size_t n)
{
	return p ? NULL : xmalloc(n);
}

/* The field in progress filled libcsv's buffer: count what is there,
 * drop it, and let libcsv go on. */
static void drop_field_bytes(struct csv_reader *r)
{
	struct csv_parser *p = &r->p;
	struct cur *c = &r->cur;
	size_t keep = 1, drop;

	if (p->entry_pos <= keep)
		BUG("libcsv's field buffer is full but empty");
	drop = p->entry_pos - keep;
	c->spill_breaks += count_breaks(p->entry_buf, drop, c->spill_cr);
	c->spill_cr = p->entry_buf[drop - 1] == '\r';
	c->spill += drop;
	memmove(p->entry_buf, p->entry_buf + drop, keep);
	p->entry_pos = keep;
	p->spaces = 0;
}

/* csv_parse stopped at a quote it cannot accept in strict mode. Marks the
 * row and lets libcsv take that one byte its lenient way. After text that
 * follows a closing quote, the rest of the field is read as unquoted, so
 * the damage ends with the line instead of at the next quote, perhaps
 * many rows on. */
static size_t bad_quote(struct csv_reader *r, const unsigned char *s)
{
	bool after = r->p.quoted;
	size_t k;

	row_problem(r, after ? CSV_P_QUOTE_AFTER : CSV_P_QUOTE_BARE,
		    r->cur.n + 1, 0, 0);
	csv_set_opts(&r->p, r->lopts & ~CSV_STRICT);
	k = csv_parse(&r->p, s, 1, on_field, on_row, r);
	csv_set_opts(&r->p, r->lopts);
	/* Not when the byte was a quote after spaces: libcsv then still
	 * waits to see whether the field ended, and counts on quoted. */
	if (after && k == 1 && s[0] != '"')
		r->p.quoted = 0;
	return k;
}

static void parse(struct csv_reader *r, const unsigned char *s, size_t n)
{
	size_t pos = 0;

	while (pos < n) {
		pos += csv_parse(&r->p, s + pos, n - pos, on_field, on_row, r);
		if (pos == n)
			break;
		if (csv_error(&r->p) == CSV_ENOMEM)
			drop_field_bytes(r);
		else if (csv_error(&r->p) == CSV_EPARSE)
			pos += bad_quote(r, s + pos);
		else
			BUG("libcsv stopped without a reason");
	}
}

/* The end of the file: the last row may lack its line ending, and a
 * quoted field may be open. */
static void finish(struct csv_reader *r)
{
	struct cur *c = &r->cur;

	if (csv_fini(&r->p, on_field, on_row, r) != 0) {
		c->problem = CSV_P_NONE;
		row_problem(r, CSV_P_QUOTE_OPEN, c->n + 1, 0, 0);
		csv_set_opts(&r->p, r->lopts & ~CSV_STRICT_FINI);
		csv_fini(&r->p, on_field, on_row, r);
	}
	r->eof = true;
}

static ssize_t read_some(int fd, unsigned char *b, size_t n)
{
	ssize_t k;

	do
		k = read(fd, b, n);
	while (k < 0 && errno == EINTR);
	return k;
}

/* Reads the next chunk and parses it. The first read goes on until it
 * has three bytes, to see a byte order mark whole. */
static void refill(struct csv_reader *r)
{
	size_t got = 0, skip = 0;
	ssize_t k;

	compact(r);
	do {
		k = read_some(r->fd, r->chunk + got, CSV_CHUNK - got);
		got += k > 0 ? (size_t)k : 0;
	} while (!r->started && k > 0 && got < 3);
	if (k < 0) {
		r->read_errno = errno ? errno : EIO;
		return;
	}
	if (!r->started && got >= 3 && memcmp(r->chunk, BOM, 3) == 0)
		skip = 3;
	r->started = true;
	if (got == 0)
		finish(r);
	else
		parse(r, r->chunk + skip, got - skip);
}

/* ---- handing rows out ---- */

static const char *col_name(const struct csv_reader *r, size_t col)
{
	return col >= 1 && col <= r->nhdr ? r->hdr[col - 1] : "";
}

static void describe(struct csv_reader *r, const struct qrow *q)
{
	char at[ERRINFO_FIELD_MAX + 40] = "";
	const char *name = col_name(r, q->col);
	unsigned long long a = q->a, b = q->b;

	if (q->col)
		snprintf(at, sizeof at, "column %zu%s%s%s", q->col,
			 *name ? " (" : "", name, *name ? ")" : "");
	switch (q->problem) {
	case CSV_P_UTF8:
		snprintf(r->msg, sizeof r->msg, "invalid UTF-8 at byte %llu of %s", a, at);
		break;
	case CSV_P_NUL:
		snprintf(r->msg, sizeof r->msg, "a NUL byte at byte %llu of %s", a, at);
		break;
	case CSV_P_FIELD_LONG:
		snprintf(r->msg, sizeof r->msg, "%s is %llu bytes long; the limit is %llu", at, a, b);
		break;
	case CSV_P_ROW_LONG:
		snprintf(r->msg, sizeof r->msg, "the row is %llu bytes long; the limit is %llu", a, b);
		break;
	case CSV_P_TOO_MANY:
		snprintf(r->msg, sizeof r->msg, "the row has %llu fields; the limit is %llu", a, b);
		break;
	case CSV_P_COUNT:
		snprintf(r->msg, sizeof r->msg, "expected %llu fields, found %llu", a, b);
		break;
	case CSV_P_QUOTE_BARE:
		snprintf(r->msg, sizeof r->msg, "%s: a quote inside an unquoted field "
			 "(quote the field and double the quote: \"\")", at);
		break;
	case CSV_P_QUOTE_AFTER:
		snprintf(r->msg, sizeof r->msg, "%s: text after the closing quote "
			 "(a quote inside a quoted field must be doubled: \"\")", at);
		break;
	case CSV_P_QUOTE_OPEN:
		snprintf(r->msg, sizeof r->msg, "%s: a quoted field is never closed", at);
		break;
	case CSV_P_NONE:
	case CSV_P_READ:
		BUG("describe: not a row problem");
	}
}

static enum csv_next emit(struct csv_reader *r, struct csv_row *row)
{
	const struct qrow *q = &r->rows[r->head++];

	*row = (struct csv_row){
		.field = r->out_field, .len = r->out_len,
		.row = q->seen - r->header, .line = q->line, .error = "",
		.col_name = "", .err_line = q->line,
	};
	if (q->problem) {
		describe(r, q);
		row->error = r->msg;
		row->problem = q->problem;
		row->col = q->col;
		row->col_name = col_name(r, q->col);
		row->err_line = q->err_line;
		return CSV_BAD_ROW;
	}
	row->nfields = q->nfields;
	for (size_t i = 0; i < q->nfields; i++) {
		const struct fld *f = &r->flds[q->first + i];
		r->out_field[i] = r->data + f->off;
		r->out_len[i] = f->len;
	}
	return CSV_ROW;
}

enum csv_next csv_next(struct csv_reader *r, struct csv_row *row)
{
	while (r->head == r->nrows) {
		if (r->read_errno) {
			snprintf(r->msg, sizeof r->msg, "cannot read the file: %s",
				 strerror(r->read_errno));
			*row = (struct csv_row){.field = r->out_field, .len = r->out_len,
				.error = r->msg, .problem = CSV_P_READ, .col_name = "",
				.line = r->lines + 1, .err_line = r->lines + 1};
			return CSV_FAIL;
		}
		if (r->eof) {
			*row = (struct csv_row){.field = r->out_field, .len = r->out_len,
				.error = "", .col_name = "", .line = r->lines + 1};
			return CSV_END;
		}
		refill(r);
	}
	return emit(r, row);
}

/* ---- the header ---- */

/* A name without surrounding spaces and byte order mark, in *len bytes. */
static const char *clean_name(const char *s, size_t *len)
{
	size_t n = strlen(s);

	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	if (n >= 3 && memcmp(s, BOM, 3) == 0)
		s += 3, n -= 3;
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	*len = n;
	return s;
}

static void keep_header(struct csv_reader *r, const struct csv_row *row)
{
	r->nhdr = row->nfields;
	r->hdr = xcalloc(r->nhdr, sizeof *r->hdr);
	for (size_t i = 0; i < r->nhdr; i++) {
		size_t n;
		const char *s = clean_name(row->field[i], &n);
		r->hdr[i] = xstrndup(s, n);
	}
}

static enum err read_header(struct csv_reader *r, struct errinfo *ei)
{
	struct csv_row row;

	switch (csv_next(r, &row)) {
	case CSV_ROW:
		keep_header(r, &row);
		return OK;
	case CSV_END:
		return err_set(ei, ERR_INVALID, NULL,
			       "the file is empty: a header row with the column names is expected");
	case CSV_BAD_ROW:
		return err_set(ei, ERR_INVALID, NULL, "the header row (line %llu): %s",
			       (unsigned long long)row.err_line, row.error);
	case CSV_FAIL:
		break;
	}
	return err_set(ei, ERR_IO, NULL, "%s", row.error);
}

static int ascii_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static bool ascii_eq_fold(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i]))
			return false;
	return true;
}

int csv_col(const struct csv_reader *r, const char *name)
{
	size_t n;
	const char *s = clean_name(name, &n);

	for (size_t i = 0; i < r->nhdr; i++)
		if (strlen(r->hdr[i]) == n && ascii_eq_fold(r->hdr[i], s, n))
			return (int)i;
	return -1;
}

const char *const *csv_header(const struct csv_reader *r, size_t *n)
{
	*n = r->nhdr;
	return r->nhdr ? (const char *const *)r->hdr : NULL;
}

/* ---- opening and closing ---- */

static enum err setup(struct csv_reader *r, const struct csv_opts *o,
		      struct errinfo *ei)
{
	static const struct csv_opts none;
	char d;

	o = o ? o : &none;
	d = o->delimiter ? o->delimiter : ',';
	if (d == '"' || d == '\r' || d == '\n')
		return err_set(ei, ERR_INVALID, "delimiter",
			       "a quote or a line ending cannot be the delimiter");
	r->header = !o->no_header;
	r->max_field = o->max_field ? o->max_field : CSV_MAX_FIELD_DEFAULT;
	r->max_fields = o->max_fields ? o->max_fields : CSV_MAX_FIELDS_DEFAULT;
	r->max_row = o->max_row ? o->max_row : CSV_MAX_ROW_DEFAULT;
	if (r->max_field > CSV_LIMIT_CEILING || r->max_fields > CSV_LIMIT_CEILING ||
	    r->max_row > CSV_LIMIT_CEILING)
		return err_set(ei, ERR_INVALID, NULL, "a CSV limit is over %zu",
			       CSV_LIMIT_CEILING);
	r->lopts = CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL;
	r->last_term = -1;
	csv_init(&r->p, r->lopts);
	csv_set_delim(&r->p, (unsigned char)d);
	csv_set_realloc_func(&r->p, alloc_once);
	csv_set_free_func(&r->p, free);
	csv_set_blk_size(&r->p, r->max_field + ENTRY_SLACK);
	if (!o->trim_leading_space)
		csv_set_space_func(&r->p, no_space);
	r->chunk = xmalloc(CSV_CHUNK);
	r->data = grow(NULL, &r->data_cap, 4096, 1);
	r->flds = grow(NULL, &r->flds_cap, 256, sizeof *r->flds);
	r->rows = grow(NULL, &r->rows_cap, 64, sizeof *r->rows);
	r->out_field = xcalloc(r->max_fields, sizeof *r->out_field);
	r->out_len = xcalloc(r->max_fields, sizeof *r->out_len);
	return r->header ? read_header(r, ei) : OK;
}

struct csv_reader *csv_open_fd(int fd, const struct csv_opts *o,
			       struct errinfo *ei)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);

	r->fd = fd;
	if (setup(r, o, ei) != OK) {
		csv_close(r);
		return NULL;
	}
	return r;
}

struct csv_reader *csv_open(const char *path, const struct csv_opts *o,
			    struct errinfo *ei)
{
	struct csv_reader *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		err_set(ei, ERR_IO, NULL, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	r = csv_open_fd(fd, o, ei);
	if (!r)
		close(fd);
	else
		r->own_fd = true;
	return r;
}

void csv_close(struct csv_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	csv_free(&r->p);
	for (size_t i = 0; i < r->nhdr; i++)
		free(r->hdr[i]);
	free(r->hdr);
	free(r->chunk);
	free(r->data);
	free(r->flds);
	free(r->rows);
	free(r->out_field);
	free(r->out_len);
	free(r);
}

/* ---- the writer ---- */

static bool needs_quotes(const char *s, size_t n)
{
	if (n == 0)
		return false;
	if (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			return true;
	return false;
}

void csv_write_field(struct buf *b, const char *s, size_t n)
{
	const char *q;

	if (!needs_quotes(s, n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	while ((q = memchr(s, '"', n))) {
		size_t k = (size_t)(q - s) + 1;
		buf_add(b, s, k);
		buf_addc(b, '"');
		s += k;
		n -= k;
	}
	buf_add(b, s, n);
	buf_addc(b, '"');
}

void csv_fput_field(FILE *f, const char *s)
{
	struct buf b;

	if (!s)
		return;
	if (!needs_quotes(s, strlen(s))) {
		fputs(s, f);
		return;
	}
	buf_init(&b, BUF_MAX_DEFAULT);
	csv_write_field(&b, s, strlen(s));
	fwrite(b.p, 1, b.len, f);
	buf_release(&b);
}

void csv_write_row(struct buf *b, const char *const *field, const size_t *len,
		   size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(b, ',');
		csv_write_field(b, field[i], len ? len[i] : strlen(field[i]));
	}
	buf_add(b, "\r\n", 2);
}
