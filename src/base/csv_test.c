/*
 * csv_test.c — the CSV reader and writer: encodings and line endings,
 * quoting, line numbers, every kind of bad row, limits with flat memory,
 * chunk boundaries, and the writer read back.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/banned.h"

#define BIG ((size_t)10 << 20)  /* the 10 MB field */

/* A temporary file and a reader over it. */
struct tf {
	char path[64];
	struct csv_reader *r;
};

static void tf_write(struct tf *t, const void *s, size_t n)
{
	int fd;

	snprintf(t->path, sizeof t->path, "/tmp/reach-csv-test-XXXXXX");
	fd = mkstemp(t->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

static void tf_open(struct tf *t, const char *s, size_t n, const struct csv_opts *o)
{
	struct errinfo ei = {0};

	tf_write(t, s, n);
	t->r = csv_open(t->path, o, &ei);
	if (!t->r)
		fail_msg("csv_open: %s", ei.msg);
}

#define tf_opens(t, s, o) tf_open((t), (s), strlen(s), (o))

static void tf_done(struct tf *t)
{
	csv_close(t->r);
	unlink(t->path);
}

/* The next row must be good, start at line, and hold the given fields
 * (a NULL-terminated list). */
static void expect_row(struct csv_reader *r, uint64_t line, ...)
{
	struct csv_row row;
	enum csv_next k = csv_next(r, &row);
	va_list ap;
	size_t i = 0;
	const char *want;

	if (k != CSV_ROW)
		fail_msg("expected a row at line %llu, got %d: %s",
			 (unsigned long long)line, k, row.error);
	assert_int_equal(row.line, line);
	va_start(ap, line);
	while ((want = va_arg(ap, const char *))) {
		assert_true(i < row.nfields);
		assert_int_equal(row.len[i], strlen(want));
		assert_string_equal(row.field[i], want);
		i++;
	}
	va_end(ap);
	assert_int_equal(row.nfields, i);
	assert_string_equal(row.error, "");
}

/* The next row must be bad, start at line, and its error name col and
 * say msg. */
static void expect_bad(struct csv_reader *r, uint64_t line, size_t col,
		       const char *msg)
{
	struct csv_row row;
	enum csv_next k = csv_next(r, &row);

	if (k != CSV_BAD_ROW)
		fail_msg("expected a bad row at line %llu, got %d", (unsigned long long)line, k);
	assert_int_equal(row.line, line);
	assert_int_equal(row.col, col);
	assert_int_equal(row.nfields, 0);
	assert_string_equal(row.error, msg);
}

static void expect_end(struct csv_reader *r)
{
	struct csv_row row;

	assert_int_equal(csv_next(r, &row), CSV_END);
	assert_int_equal(csv_next(r, &row), CSV_END);
}

static long max_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* ---- the 10 MB field (first, while the process is still small) ---- */

/* Writes "1,<BIG bytes>,z\n2,ok,z\n" after a header; quoted, the field
 * holds a doubled quote and a newline every 4096 bytes. */
static void write_big(int fd, bool quoted)
{
	char *block = malloc(4096);
	const char *head = quoted ? "id,name,c\n1,\"" : "id,name,c\n1,";
	const char *tail = quoted ? "\",z\n2,ok,z\n" : ",z\n2,ok,z\n";

	memset(block, 'x', 4096);
	if (quoted) {
		block[100] = '"';  /* "" in the file, one byte of field */
		block[4095] = '\n';
	}
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	for (size_t done = 0; done < BIG; done += 4096) {
		if (quoted)
			assert_int_equal(write(fd, block, 101), 101);
		assert_int_equal(write(fd, block + (quoted ? 100 : 0), quoted ? 3996 : 4096),
				 quoted ? 3996 : 4096);
	}
	assert_int_equal(write(fd, tail, strlen(tail)), (ssize_t)strlen(tail));
	free(block);
}

static void big_field(bool quoted)
{
	struct tf t = {0};
	struct errinfo ei = {0};
	long before, after;
	int fd;

	snprintf(t.path, sizeof t.path, "/tmp/reach-csv-test-XXXXXX");
	fd = mkstemp(t.path);
	assert_true(fd >= 0);
	write_big(fd, quoted);
	close(fd);
	before = max_rss_kib();
	t.r = csv_open(t.path, NULL, &ei);
	assert_non_null(t.r);
	expect_bad(t.r, 2, 2, "column 2 (name) is 10485760 bytes long; the limit is 65536");
	/* 2560 newlines inside the quoted field */
	expect_row(t.r, quoted ? 3 + BIG / 4096 : 3, "2", "ok", "z", NULL);
	expect_end(t.r);
	after = max_rss_kib();
	tf_done(&t);
	if (after - before > 4096)
		fail_msg("peak RSS grew by %ld KiB reading a 10 MB field", after - before);
}

static void test_big_field_flat_memory(void **state)
{
	(void)state;
	big_field(false);
	big_field(true);
}

/* ---- encodings, line endings, quoting ---- */

static void test_bom_crlf(void **state)
{
	struct tf t = {0};
	size_t n;
	const char *const *h;

	(void)state;
	tf_opens(&t, "\xEF\xBB\xBFId,Name,City\r\n1,Ann,Tabriz\r\n2,Bảo,Huế\r\n", NULL);
	h = csv_header(t.r, &n);
	assert_int_equal(n, 3);
	assert_string_equal(h[0], "Id");  /* no BOM in the first name */
	assert_int_equal(csv_col(t.r, "id"), 0);
	expect_row(t.r, 2, "1", "Ann", "Tabriz", NULL);
	expect_row(t.r, 3, "2", "Bảo", "Huế", NULL);
	expect_end(t.r);
	tf_done(&t);
}

static void test_lone_cr_and_mixed_endings(void **state)
{
	struct tf t = {0};

	(void)state;
	tf_opens(&t, "a,b\r1,2\r\n3,4\n\r5,6\r\r\n7,8", NULL);
	expect_row(t.r, 2, "1", "2", NULL);
	expect_row(t.r, 3, "3", "4", NULL);
	expect_row(t.r, 5, "5", "6", NULL);  /* line 4 is the empty "\r" */
	expect_row(t.r, 7, "7", "8", NULL);  /* "\r" then the empty "\r\n" */
	expect_end(t.r);
	tf_done(&t);
}

static void test_quoted_fields_and_lines(void **state)
{
	struct tf t = {0};
	struct csv_row row;

	(void)state;
	tf_opens(&t,
		 "id,text,n\n"
		 "1,\"a, b\",x\n"
		 "2,\"say \"\"hi\"\"\",y\n"
		 "3,\"two\nlines\",z\n"
		 "4,\"crlf\r\ninside\r\nthree\",w\r\n"
		 "5,\"\",\"\"\"\"\n"
		 "6,\"lone\rcr\",v\n"
		 "7,last,u\n",
		 NULL);
	expect_row(t.r, 2, "1", "a, b", "x", NULL);
	expect_row(t.r, 3, "2", "say \"hi\"", "y", NULL);
	expect_row(t.r, 4, "3", "two\nlines", "z", NULL);
	expect_row(t.r, 6, "4", "crlf\r\ninside\r\nthree", "w", NULL);
	expect_row(t.r, 9, "5", "", "\"", NULL);
	expect_row(t.r, 10, "6", "lone\rcr", "v", NULL);
	assert_int_equal(csv_next(t.r, &row), CSV_ROW);
	assert_int_equal(row.line, 12);
	assert_int_equal(row.row, 7);
	expect_end(t.r);
	tf_done(&t);
}

static void test_header_lookup(void **state)
{
	struct tf t = {0};
	size_t n;
	const char *const *h;

	(void)state;
	tf_opens(&t, "SourcedId, GivenName ,\xEF\xBB\xBF" "familyName,Name,name\n1,2,3,4,5\n", NULL);
	assert_int_equal(csv_col(t.r, "sourcedid"), 0);
	assert_int_equal(csv_col(t.r, "SOURCEDID"), 0);
	assert_int_equal(csv_col(t.r, "givenname"), 1);
	assert_int_equal(csv_col(t.r, " givenName "), 1);
	assert_int_equal(csv_col(t.r, "FamilyName"), 2);
	assert_int_equal(csv_col(t.r, "name"), 3);  /* the first of two */
	assert_int_equal(csv_col(t.r, "given"), -1);
	assert_int_equal(csv_col(t.r, ""), -1);
	h = csv_header(t.r, &n);
	assert_int_equal(n, 5);
	assert_string_equal(h[1], "GivenName");
	assert_string_equal(h[2], "familyName");
	expect_row(t.r, 2, "1", "2", "3", "4", "5", NULL);
	tf_done(&t);
}

static void test_empty_lines_skipped_and_counted(void **state)
{
	struct tf t = {0};
	struct csv_row row;

	(void)state;
	tf_opens(&t, "\n\r\na,b\n\n\n1,2\r\n\r\n\r\n3,4\n\n\n", NULL);
	expect_row(t.r, 6, "1", "2", NULL);
	assert_int_equal(csv_next(t.r, &row), CSV_ROW);
	assert_int_equal(row.line, 9);
	assert_int_equal(row.row, 2);
	expect_end(t.r);
	tf_done(&t);
}

static void test_trim_leading_space(void **state)
{
	struct tf t = {0};
	struct csv_opts o = {.trim_leading_space = true};

	(void)state;
	tf_opens(&t, "rec_id, given_name, surname\nrec-1-org, kate, \"o'brien\"\n"
		 "rec-2-dup-0, john , smith\n", &o);
	assert_int_equal(csv_col(t.r, "surname"), 2);
	expect_row(t.r, 2, "rec-1-org", "kate", "o'brien", NULL);
	expect_row(t.r, 3, "rec-2-dup-0", "john", "smith", NULL);
	expect_end(t.r);
	tf_done(&t);

	/* Without the option the spaces are data. */
	tf_opens(&t, "a,b\n x, y \n", NULL);
	expect_row(t.r, 2, " x", " y ", NULL);
	tf_done(&t);
}

static void test_other_delimiter(void **state)
{
	struct tf t = {0};
	struct csv_opts o = {.delimiter = ';'};
	struct errinfo ei = {0};

	(void)state;
	tf_opens(&t, "a;b\n1,5;\"x;y\"\n", &o);
	expect_row(t.r, 2, "1,5", "x;y", NULL);
	o.delimiter = '"';
	assert_null(csv_open(t.path, &o, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	tf_done(&t);
}

/* ---- bad rows ---- */

static void test_wrong_field_count(void **state)
{
	struct tf t = {0};

	(void)state;
	tf_opens(&t, "a,b,c,d,e,f,g,h\n1,2,3,4,5,6,7\n1,2,3,4,5,6,7,8\n1,2,3,4,5,6,7,8,9\n"
		 "\"x\ny\",2,3,4,5,6,7,8\n", NULL);
	expect_bad(t.r, 2, 0, "expected 8 fields, found 7");
	expect_row(t.r, 3, "1", "2", "3", "4", "5", "6", "7", "8", NULL);
	expect_bad(t.r, 4, 0, "expected 8 fields, found 9");
	expect_row(t.r, 5, "x\ny", "2", "3", "4", "5", "6", "7", "8", NULL);
	expect_end(t.r);
	tf_done(&t);
}

static void test_invalid_utf8(void **state)
{
	struct tf t = {0};
	struct csv_row row;

	(void)state;
	tf_opens(&t, "id,name,city\n1,Ali,Baku\n2,Al\xC3\x28,Baku\n3,x,\xED\xA0\x80\n"
		 "4,\xC0\xAF,y\n5,Lê,Huế\n", NULL);
	expect_row(t.r, 2, "1", "Ali", "Baku", NULL);
	assert_int_equal(csv_next(t.r, &row), CSV_BAD_ROW);
	assert_string_equal(row.error, "invalid UTF-8 at byte 3 of column 2 (name)");
	assert_int_equal(row.problem, CSV_P_UTF8);
	assert_int_equal(row.col, 2);
	assert_string_equal(row.col_name, "name");
	assert_int_equal(row.line, 3);
	assert_int_equal(row.row, 2);
	expect_bad(t.r, 4, 3, "invalid UTF-8 at byte 1 of column 3 (city)");  /* a surrogate */
	expect_bad(t.r, 5, 2, "invalid UTF-8 at byte 1 of column 2 (name)");  /* overlong */
	expect_row(t.r, 6, "5", "Lê", "Huế", NULL);
	expect_end(t.r);
	tf_done(&t);
}

static void test_nul_byte(void **state)
{
	static const char s[] = "a,b\n1,x\0y\n2,z\n";
	struct tf t = {0};

	(void)state;
	tf_open(&t, s, sizeof s - 1, NULL);
	expect_bad(t.r, 2, 2, "a NUL byte at byte 2 of column 2 (b)");
	expect_row(t.r, 3, "2", "z", NULL);
	expect_end(t.r);
	tf_done(&t);
}

static void test_stray_quotes(void **state)
{
	struct tf t = {0};

	(void)state;
	tf_opens(&t, "a,b\n1,5\" pipe\n2,\"said \"hi\" there\"\n3,\"ok\"x\n4,\"fine\"\n", NULL);
	expect_bad(t.r, 2, 2, "column 2 (b): a quote inside an unquoted field "
		   "(quote the field and double the quote: \"\")");
	expect_bad(t.r, 3, 2, "column 2 (b): text after the closing quote "
		   "(a quote inside a quoted field must be doubled: \"\")");
	expect_bad(t.r, 4, 2, "column 2 (b): text after the closing quote "
		   "(a quote inside a quoted field must be doubled: \"\")");
	expect_row(t.r, 5, "4", "fine", NULL);
	expect_end(t.r);
	tf_done(&t);
}

/* Found by fuzzing: a quote after spaces after a closing quote, in trim
 * mode, once libcsv's buffer had filled, made libcsv take the spaces off
 * twice and hand over a field longer than its buffer. */
static void test_quote_after_spaces_trimmed(void **state)
{
	static const char s[] = "a\n\"\xff\rbbbbbbbbbbbbbbbbbbbba\xc3\xa9\xc3\xa9,a\ra\"\"\r,"
				"a\xc3\xa9\t\"\t\"\t";
	struct csv_opts o = {.trim_leading_space = true, .max_field = 5};
	struct tf t = {0};

	(void)state;
	tf_open(&t, s, sizeof s - 1, &o);
	expect_bad(t.r, 2, 1, "column 1 (a): text after the closing quote "
		   "(a quote inside a quoted field must be doubled: \"\")");
	expect_end(t.r);
	tf_done(&t);
}

static void test_unterminated_quote(void **state)
{
	struct tf t = {0};
	struct csv_row row;

	(void)state;
	tf_opens(&t, "a,b,c\n1,2,3\n\"x\ny\",2,\"open\nand on\n4,5,6\n", NULL);
	expect_row(t.r, 2, "1", "2", "3", NULL);
	assert_int_equal(csv_next(t.r, &row), CSV_BAD_ROW);
	assert_string_equal(row.error, "column 3 (c): a quoted field is never closed");
	assert_int_equal(row.problem, CSV_P_QUOTE_OPEN);
	assert_int_equal(row.line, 3);
	assert_int_equal(row.err_line, 4);  /* where the quote opened */
	expect_end(t.r);
	tf_done(&t);
}

static void test_limits(void **state)
{
	struct tf t = {0};
	struct csv_opts o = {.max_field = 8, .max_fields = 4, .max_row = 20};

	(void)state;
	/* With an 8-byte field limit, libcsv's buffer fills again and again:
	 * the dropped bytes must keep quotes, doubled quotes and line breaks
	 * (here split CRLFs) right. */
	tf_opens(&t,
		 "a,b,c\n"
		 "1,\"0123456789\r\n\"\"\"\"\"\"\"\"\"\"\"\"\r\n012345678901234567890\",x\n"
		 "2,12345678,x\n"
		 "3,123456789,x\n"
		 "4,\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\"\",x\n"
		 "12345678,12345678,12345678\n"
		 "1,2,3,4,5\n"
		 "6,7,8\n",
		 &o);
	expect_bad(t.r, 2, 2, "column 2 (b) is 41 bytes long; the limit is 8");
	expect_row(t.r, 5, "2", "12345678", "x", NULL);
	expect_bad(t.r, 6, 2, "column 2 (b) is 9 bytes long; the limit is 8");
	expect_row(t.r, 7, "4", "\"\"\"\"\"\"\"\"", "x", NULL);
	expect_bad(t.r, 8, 0, "the row is 24 bytes long; the limit is 20");
	expect_bad(t.r, 9, 0, "expected 3 fields, found 5");
	expect_row(t.r, 10, "6", "7", "8", NULL);
	expect_end(t.r);
	tf_done(&t);
}

/* A long quoted field of doubled quotes and line breaks, read with every
 * field limit from 1 to 40 bytes, so libcsv's buffer fills at every place
 * in the pattern: the length and the lines after must not change. */
static void test_limits_every_alignment(void **state)
{
	static const char *const units[] = {"a\"\"\r\n", "\"\"\r", "\r\n\n\"\"b"};
	static const size_t unit_len[] = {4, 2, 5};
	static const size_t unit_breaks[] = {1, 1, 2};

	(void)state;
	for (size_t u = 0; u < 3; u++) {
		for (size_t max = 1; max <= 40; max++) {
			struct csv_opts o = {.max_field = max};
			struct buf b, want;
			struct tf t = {0};

			buf_init(&b, 1 << 20);
			buf_init(&want, 256);
			buf_puts(&b, "a,b\n\"");
			for (int i = 0; i < 50; i++)
				buf_puts(&b, units[u]);
			buf_puts(&b, "\",x\n2,y\n");
			buf_printf(&want, "column 1 (a) is %zu bytes long; the limit is %zu",
				   50 * unit_len[u], max);
			tf_open(&t, b.p, b.len, &o);
			if (50 * unit_len[u] > max)
				expect_bad(t.r, 2, 1, want.p);
			else
				assert_int_equal(csv_next(t.r, &(struct csv_row){0}), CSV_ROW);
			expect_row(t.r, 3 + 50 * unit_breaks[u], "2", "y", NULL);
			expect_end(t.r);
			tf_done(&t);
			buf_release(&b);
			buf_release(&want);
		}
	}
}

/* ---- whole files ---- */

static void test_empty_file(void **state)
{
	struct tf t = {0};
	struct errinfo ei = {0};
	struct csv_opts o = {.no_header = true};

	(void)state;
	tf_write(&t, "", 0);
	assert_null(csv_open(t.path, NULL, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.msg, "the file is empty: a header row with the column names is expected");
	t.r = csv_open(t.path, &o, &ei);
	assert_non_null(t.r);
	expect_end(t.r);
	tf_done(&t);

	err_clear(&ei);
	tf_write(&t, "\n\r\n\n", 4);  /* only empty lines: no header either */
	assert_null(csv_open(t.path, NULL, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	unlink(t.path);
}

static void test_header_only(void **state)
{
	struct tf t = {0};
	size_t n;

	(void)state;
	tf_opens(&t, "a,b,c\r\n", NULL);
	expect_end(t.r);
	tf_done(&t);
	tf_opens(&t, "a,b,c", NULL);
	assert_non_null(csv_header(t.r, &n));
	assert_int_equal(n, 3);
	expect_end(t.r);
	tf_done(&t);
}

static void test_bad_header_and_unreadable(void **state)
{
	struct tf t = {0};
	struct errinfo ei = {0};

	(void)state;
	tf_write(&t, "\n\na,\xFF\n1,2\n", 9);
	assert_null(csv_open(t.path, NULL, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.msg, "the header row (line 3): invalid UTF-8 at byte 1 of column 2");
	unlink(t.path);

	err_clear(&ei);
	tf_write(&t, "a,b,c,d,e\n1,2,3,4,5\n", 20);
	assert_null(csv_open(t.path, &(struct csv_opts){.max_fields = 4}, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.msg, "the header row (line 1): the row has 5 fields; the limit is 4");
	err_clear(&ei);
	assert_null(csv_open(t.path, &(struct csv_opts){.max_field = SIZE_MAX}, &ei));
	assert_int_equal(ei.code, ERR_INVALID);
	unlink(t.path);

	err_clear(&ei);
	assert_null(csv_open("/nonexistent/file.csv", NULL, &ei));
	assert_int_equal(ei.code, ERR_IO);
	err_clear(&ei);
	assert_null(csv_open("/tmp", NULL, &ei));  /* read fails: a directory */
	assert_int_equal(ei.code, ERR_IO);
}

static void test_no_header(void **state)
{
	struct tf t = {0};
	struct csv_opts o = {.no_header = true};
	struct csv_row row;
	size_t n;

	(void)state;
	tf_opens(&t, "1,2\n3,4,5\n6,7\n", &o);
	assert_null(csv_header(t.r, &n));
	assert_int_equal(n, 0);
	assert_int_equal(csv_col(t.r, "1"), -1);
	assert_int_equal(csv_next(t.r, &row), CSV_ROW);
	assert_int_equal(row.row, 1);
	assert_int_equal(row.line, 1);
	expect_bad(t.r, 2, 0, "expected 2 fields, found 3");
	expect_row(t.r, 3, "6", "7", NULL);
	expect_end(t.r);
	tf_done(&t);
}

/* A pipe that gives the file a few bytes at a time: the BOM arrives in
 * pieces, and rows end between reads. */
struct drip {
	int fd;
	const char *s;
};

static void *drip(void *arg)
{
	struct drip *d = arg;

	for (size_t i = 0; d->s[i]; i++) {
		if (write(d->fd, d->s + i, 1) != 1)
			break;
		if (i < 4)
			usleep(2000);
	}
	close(d->fd);
	return NULL;
}

static void test_pipe_in_pieces(void **state)
{
	int fds[2];
	pthread_t th;
	struct drip d;
	struct errinfo ei = {0};
	struct csv_reader *r;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	d = (struct drip){fds[1], "\xEF\xBB\xBFid,v\r\n1,\"a\r\nb\"\r\n2,c\r\n"};
	assert_int_equal(pthread_create(&th, NULL, drip, &d), 0);
	r = csv_open_fd(fds[0], NULL, &ei);
	assert_non_null(r);
	assert_int_equal(csv_col(r, "id"), 0);
	expect_row(r, 2, "1", "a\r\nb", NULL);
	expect_row(r, 4, "2", "c", NULL);
	expect_end(r);
	csv_close(r);
	pthread_join(th, NULL);
	close(fds[0]);
}

/* ---- the writer, and rows across chunk boundaries ---- */

static void test_writer_quoting(void **state)
{
	struct buf b;
	const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", " lead",
			     "trail\t", "", "cr\r", "Nguyễn"};

	(void)state;
	buf_init(&b, 1 << 20);
	csv_write_row(&b, row, NULL, 9);
	assert_string_equal(b.p, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\","
			    "\"trail\t\",,\"cr\r\",Nguyễn\r\n");
	buf_release(&b);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Line breaks in s, CR, LF and CRLF as one, as the reader counts them. */
static uint64_t count_breaks(const char *s, size_t n)
{
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '\r' || (s[i] == '\n' && !(i && s[i - 1] == '\r')))
			k++;
	return k;
}

#define RT_ROWS 4000
#define RT_COLS 4
#define RT_FIELD_MAX 3100

/* One random field: special characters, UTF-8, and now and then a long
 * run, so that fields, CRLFs and rows fall across the 64 KiB chunks. */
static void random_field(uint64_t *s, struct buf *f)
{
	static const char *const bits[] = {"a", " ", ",", "\"", "\n", "\r", "\r\n",
					   "é", "ữ", "\t", "z9", "\"\""};
	size_t len = rnd(s) % 13 == 0 ? rnd(s) % 3000 : rnd(s) % 20;

	while (f->len < len)
		buf_puts(f, bits[rnd(s) % 12]);
}

static void test_writer_round_trip(void **state)
{
	static const char *const ends[] = {"\r\n", "\n", "\r", "\r\n\r\n", "\n\n"};
	struct buf b, *fields = calloc(RT_ROWS * RT_COLS, sizeof *fields);
	size_t *starts = calloc(RT_ROWS, sizeof *starts);
	uint64_t s = 7;
	struct tf t = {0};
	struct csv_row row;

	(void)state;
	buf_init(&b, 64 << 20);
	buf_puts(&b, "c1,c2,c3,c4\r\n");
	for (size_t i = 0; i < RT_ROWS; i++) {
		starts[i] = b.len;
		for (size_t j = 0; j < RT_COLS; j++) {
			struct buf *f = &fields[i * RT_COLS + j];
			buf_init(f, RT_FIELD_MAX);
			random_field(&s, f);
			if (j)
				buf_addc(&b, ',');
			csv_write_field(&b, f->p, f->len);
		}
		buf_puts(&b, ends[rnd(&s) % 5]);
	}
	assert_int_equal(b.err, OK);
	assert_true(b.len > 3 * CSV_CHUNK);
	tf_open(&t, b.p, b.len, NULL);
	for (size_t i = 0; i < RT_ROWS; i++) {
		enum csv_next k = csv_next(t.r, &row);
		if (k != CSV_ROW)
			fail_msg("row %zu: %d %s", i + 1, k, row.error);
		assert_int_equal(row.row, i + 1);
		assert_int_equal(row.line, count_breaks(b.p, starts[i]) + 1);
		assert_int_equal(row.nfields, RT_COLS);
		for (size_t j = 0; j < RT_COLS; j++) {
			struct buf *f = &fields[i * RT_COLS + j];
			assert_int_equal(row.len[j], f->len);
			assert_memory_equal(row.field[j], f->p, f->len);
			assert_int_equal(row.field[j][f->len], '\0');
		}
	}
	expect_end(t.r);
	tf_done(&t);
	for (size_t i = 0; i < RT_ROWS * RT_COLS; i++)
		buf_release(&fields[i]);
	free(fields);
	free(starts);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big_field_flat_memory),
		cmocka_unit_test(test_bom_crlf),
		cmocka_unit_test(test_lone_cr_and_mixed_endings),
		cmocka_unit_test(test_quoted_fields_and_lines),
		cmocka_unit_test(test_header_lookup),
		cmocka_unit_test(test_empty_lines_skipped_and_counted),
		cmocka_unit_test(test_trim_leading_space),
		cmocka_unit_test(test_other_delimiter),
		cmocka_unit_test(test_wrong_field_count),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_stray_quotes),
		cmocka_unit_test(test_quote_after_spaces_trimmed),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_limits_every_alignment),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_bad_header_and_unreadable),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_pipe_in_pieces),
		cmocka_unit_test(test_writer_quoting),
		cmocka_unit_test(test_writer_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
