/*
 * csv.h — a streaming CSV reader (over libcsv) and a small CSV writer.
 *
 * The reader takes a file in fixed chunks and hands back one row at a
 * time; memory stays bounded whatever the file holds (a chunk, one row of
 * at most max_row bytes, and one field buffer of max_field bytes), so a
 * national register and a 10 MB field cost the same few megabytes.
 *
 * A row the caller cannot use — invalid UTF-8, a NUL byte, too few or too
 * many fields, a field or row over its limit, broken quoting — comes back
 * as CSV_BAD_ROW with a reason, a column and a line, and reading goes on
 * with the next row. Only a file that cannot be read stops the reader
 * (CSV_FAIL).
 *
 * What the reader accepts:
 *   - A UTF-8 byte order mark at the start of the file (dropped).
 *   - LF, CRLF and lone CR line endings, mixed freely.
 *   - RFC 4180 quoting: a quoted field may hold delimiters, newlines and
 *     doubled quotes ("" for ").
 *   - Empty lines are not rows; they are skipped but still counted in
 *     line numbers.
 * What it rejects, as a bad row (libcsv's strict mode):
 *   - A quote inside an unquoted field (a"b): the writer should have
 *     quoted the field and doubled the quote.
 *   - Text after the closing quote of a field ("a"b): usually a quote
 *     that was meant to be doubled. The rest of that field is read as
 *     unquoted, so the damage stops at the end of the line.
 *   - A quoted field that is never closed: everything to the end of the
 *     file is that one bad row, reported at the line where the field
 *     (and so the quote) opened.
 * Spaces are data unless trim_leading_space is set: then spaces and tabs
 * around unquoted fields and around the quotes of quoted fields are
 * dropped (FEBRL files put a space after every comma).
 *
 * Numbering: row is the 1-based data row (the header is not a row; bad
 * rows are numbered too, so numbers match the file), line the 1-based
 * physical line where the row starts, counting every line of quoted
 * fields that span lines, and every empty line.
 *
 * Error messages are English sentences built here; csv_problem says which
 * kind of error it was, so a caller may write its own words instead.
 */
#ifndef BASE_CSV_H
#define BASE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

#define CSV_MAX_FIELD_DEFAULT ((size_t)64 << 10)  /* bytes in one field */
#define CSV_MAX_FIELDS_DEFAULT ((size_t)512)      /* fields in one row */
#define CSV_MAX_ROW_DEFAULT ((size_t)1 << 20)     /* field bytes in one row */
#define CSV_CHUNK ((size_t)64 << 10)              /* bytes read at a time */
#define CSV_LIMIT_CEILING ((size_t)1 << 30)       /* no option may pass this */

/* Options; a zero value means the default, so { 0 } (or NULL) is the
 * usual comma-separated file with a header row. */
struct csv_opts {
	char delimiter;           /* ',' */
	bool no_header;           /* the first row is data, not names */
	bool trim_leading_space;  /* drop spaces and tabs around fields */
	size_t max_field;         /* CSV_MAX_FIELD_DEFAULT */
	size_t max_fields;        /* CSV_MAX_FIELDS_DEFAULT */
	size_t max_row;           /* CSV_MAX_ROW_DEFAULT */
};

enum csv_next {
	CSV_ROW,      /* a good row is in *row */
	CSV_END,      /* no more rows */
	CSV_BAD_ROW,  /* row->error says why; call csv_next again for the next */
	CSV_FAIL      /* the file cannot be read further; row->error says why */
};

enum csv_problem {
	CSV_P_NONE = 0,
	CSV_P_UTF8,         /* invalid UTF-8 in a field */
	CSV_P_NUL,          /* a NUL byte in a field */
	CSV_P_FIELD_LONG,   /* a field over max_field bytes */
	CSV_P_ROW_LONG,     /* a row over max_row bytes */
	CSV_P_TOO_MANY,     /* more than max_fields fields */
	CSV_P_COUNT,        /* not as many fields as the header */
	CSV_P_QUOTE_BARE,   /* a quote inside an unquoted field */
	CSV_P_QUOTE_AFTER,  /* text after a closing quote */
	CSV_P_QUOTE_OPEN,   /* a quoted field never closed */
	CSV_P_READ          /* the file could not be read (CSV_FAIL) */
};

/*
 * One row. For CSV_ROW, field[i] (NUL-terminated, len[i] bytes, valid
 * UTF-8 without NUL) for i < nfields. Everything here is owned by the
 * reader and valid until the next csv_next or csv_close.
 * For CSV_BAD_ROW and CSV_FAIL, nfields is 0 and error, problem, col,
 * col_name and err_line say what and where.
 */
struct csv_row {
	size_t nfields;
	const char *const *field;
	const size_t *len;
	uint64_t row;              /* 1-based data row number */
	uint64_t line;             /* physical line where the row starts */
	const char *error;         /* "" for a good row */
	enum csv_problem problem;  /* CSV_P_NONE for a good row */
	size_t col;                /* 1-based column at fault; 0: the whole row */
	const char *col_name;      /* that column's header name, or "" */
	uint64_t err_line;         /* line where the faulty field starts */
};

struct csv_reader;

/*
 * Opens the file at path (csv_open) or reads from fd (csv_open_fd, which
 * leaves fd open: the caller closes it after csv_close), and reads the
 * header row unless o->no_header. o may be NULL for the defaults.
 * Returns the reader, or NULL with ei filled: ERR_IO when the file cannot
 * be opened or read, ERR_INVALID when an option is wrong (a quote or line
 * ending as delimiter, a limit over CSV_LIMIT_CEILING) or the header is
 * missing (an empty file) or unusable (bad UTF-8, too many columns,
 * broken quoting).
 */
struct csv_reader *csv_open(const char *path, const struct csv_opts *o,
			    struct errinfo *ei);
struct csv_reader *csv_open_fd(int fd, const struct csv_opts *o,
			       struct errinfo *ei);

/* Frees the reader (closing the file when csv_open opened it). NULL is
 * allowed. */
void csv_close(struct csv_reader *r);

/*
 * Reads the next row into *row. CSV_ROW: a good row. CSV_BAD_ROW: a row
 * that cannot be used; the next call goes on after it. CSV_END: the file
 * is done (and stays done). CSV_FAIL: a read error; later calls return
 * CSV_FAIL again.
 */
enum csv_next csv_next(struct csv_reader *r, struct csv_row *row);

/* The column whose header name equals name, ignoring ASCII case and
 * surrounding spaces (and a byte order mark); -1 when there is none, or
 * the file has no header. With duplicate names, the first wins. */
int csv_col(const struct csv_reader *r, const char *name);

/* The header names (trimmed, NUL-terminated, owned by the reader) and
 * their number in *n; NULL and 0 without a header. */
const char *const *csv_header(const struct csv_reader *r, size_t *n);

/* Appends s[0..n) as one field, quoted (with quotes doubled) when it holds
 * a comma, a quote, CR or LF, or starts or ends with a space or tab. */
void csv_write_field(struct buf *b, const char *s, size_t n);

/* Writes s (NUL-terminated; NULL writes nothing) as one field to f,
 * quoted by the same rule. */
void csv_fput_field(FILE *f, const char *s);

/* Appends n fields separated by commas, and CRLF (RFC 4180). len may be
 * NULL when every field is NUL-terminated. */
void csv_write_row(struct buf *b, const char *const *field, const size_t *len,
		   size_t n);

#endif
