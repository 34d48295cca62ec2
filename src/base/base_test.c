/*
 * base_test.c — the libc-level helpers: buf, arena, the JSON writer,
 * UTF-8 checks, configuration, ids and secrets, time, errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/conf.h"
#include "base/err.h"
#include "base/id.h"
#include "base/jw.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "unit.h"
#include "base/banned.h"

/* ---- buf ---- */

static void test_buf_empty_and_appends(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	assert_non_null(b.p);
	assert_string_equal(b.p, "");
	assert_int_equal(b.len, 0);
	buf_puts(&b, "ab");
	assert_int_equal(b.p[b.len], '\0');
	buf_addc(&b, 'c');
	assert_int_equal(b.p[b.len], '\0');
	buf_add(&b, "dexyz", 2);
	assert_int_equal(b.p[b.len], '\0');
	buf_add_i64(&b, -42);
	buf_add_i64(&b, INT64_MIN);
	assert_string_equal(b.p, "abcde-42-9223372036854775808");
	assert_int_equal(b.len, strlen(b.p));
	buf_add(&b, NULL, 0);
	assert_int_equal(b.len, strlen(b.p));
	assert_int_equal(b.err, OK);
	buf_truncate(&b, 3);
	assert_string_equal(b.p, "abc");
	buf_truncate(&b, 10); /* longer than the content: no change */
	assert_string_equal(b.p, "abc");
	buf_reset(&b);
	assert_string_equal(b.p, "");
	assert_int_equal(b.len, 0);
	buf_release(&b);
	assert_string_equal(b.p, "");
	assert_int_equal(b.max, 1024);
}

static void test_buf_grows(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, BUF_MAX_DEFAULT);
	for (int i = 0; i < 10000; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, 10000);
	assert_int_equal(b.p[9999], 'a' + 9999 % 26);
	assert_int_equal(b.p[10000], '\0');
	assert_true(b.cap > b.len);
	assert_int_equal(b.err, OK);
	buf_release(&b);
}

static void test_buf_max_sticks(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 10);
	buf_puts(&b, "12345678");
	assert_int_equal(b.err, OK);
	buf_puts(&b, "abc");                 /* 11 > 10: nothing appended */
	assert_int_equal(b.err, ERR_LIMIT);
	assert_string_equal(b.p, "12345678");
	assert_int_equal(b.len, 8);
	buf_puts(&b, "x");                   /* would fit, but the error sticks */
	buf_printf(&b, "%d", 1);
	buf_addc(&b, 'y');
	assert_string_equal(b.p, "12345678");
	assert_int_equal(b.err, ERR_LIMIT);
	assert_null(buf_space(&b, 1));
	buf_reset(&b);
	assert_int_equal(b.err, OK);
	buf_puts(&b, "0123456789");          /* exactly max fits */
	assert_int_equal(b.err, OK);
	assert_int_equal(b.len, 10);
	assert_string_equal(b.p, "0123456789");
	buf_addc(&b, '!');
	assert_int_equal(b.err, ERR_LIMIT);
	assert_string_equal(b.p, "0123456789");
	buf_release(&b);
}

static void test_buf_printf(void **state)
{
	struct buf b;
	char big[3000];

	(void)state;
	buf_init(&b, 1 << 20);
	buf_printf(&b, "%s=%d;", "n", 42);
	buf_printf(&b, "%05.1f", 3.14159);
	assert_string_equal(b.p, "n=42;003.1");
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "[%s]", big);
	assert_int_equal(b.len, 10 + 2 + 2999);
	assert_int_equal(b.p[b.len - 1], ']');
	assert_int_equal(b.p[b.len], '\0');
	buf_release(&b);

	buf_init(&b, 8);
	buf_printf(&b, "%s", "1234");
	buf_printf(&b, "%s", "56789"); /* past max */
	assert_int_equal(b.err, ERR_LIMIT);
	assert_string_equal(b.p, "1234");
	buf_release(&b);

	/* Past the room there is and past max: the first try wrote into the
	 * room, and the text must still end where len says. */
	buf_init(&b, 70);
	memset(big, 'a', 60);
	big[60] = '\0';
	buf_puts(&b, big);
	assert_true(b.cap - b.len > 3 && b.cap - b.len < 40);
	buf_printf(&b, "%s", "0123456789012345678901234567890123456789");
	assert_int_equal(b.err, ERR_LIMIT);
	assert_int_equal(b.len, 60);
	assert_int_equal(strlen(b.p), 60);
	buf_release(&b);
}

/* Escaping looks through eight bytes at a time: a special character at
 * every offset of strings of every length up to 40, and at both ends,
 * comes out as one character at a time would have it. */
static void test_buf_html_runs(void **state)
{
	static const char specials[] = "&<>\"'";
	struct buf b, want;
	char s[41];

	(void)state;
	buf_init(&b, 1 << 16);
	buf_init(&want, 1 << 16);
	for (size_t n = 0; n <= 40; n++)
		for (size_t at = 0; at <= n; at++)
			for (int k = 0; k < 5; k++) {
				for (size_t i = 0; i < n; i++)
					s[i] = (char)('a' + i % 26);
				if (at < n)
					s[at] = specials[k];
				if (n > 9 && at + 9 < n)
					s[at + 9] = specials[(k + 1) % 5];
				buf_reset(&b);
				buf_reset(&want);
				buf_html(&b, s, n);
				for (size_t i = 0; i < n; i++) {
					switch (s[i]) {
					case '&': buf_puts(&want, "&amp;"); break;
					case '<': buf_puts(&want, "&lt;"); break;
					case '>': buf_puts(&want, "&gt;"); break;
					case '"': buf_puts(&want, "&quot;"); break;
					case '\'': buf_puts(&want, "&#39;"); break;
					default: buf_addc(&want, s[i]);
					}
				}
				assert_int_equal(b.len, want.len);
				assert_memory_equal(b.p, want.p, want.len);
			}
	buf_reset(&b);
	buf_html(&b, "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf <b>", 12);   /* UTF-8 passes as it is */
	assert_string_equal(b.p, "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf &lt;b&gt;");
	buf_release(&b);
	buf_release(&want);
}

static void test_i64_text(void **state)
{
	static const struct { int64_t v; const char *s; } cases[] = {
		{0, "0"}, {7, "7"}, {-7, "-7"}, {10, "10"}, {1234567890, "1234567890"},
		{INT64_MAX, "9223372036854775807"}, {INT64_MIN, "-9223372036854775808"}};
	char tmp[24];
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = i64_text(tmp, cases[i].v);
		assert_int_equal(n, strlen(cases[i].s));
		assert_memory_equal(tmp, cases[i].s, n);
		buf_reset(&b);
		buf_add_i64(&b, cases[i].v);
		assert_string_equal(b.p, cases[i].s);
	}
	buf_release(&b);
}

/* A whole file appended; a missing one is ERR_IO; one over the maximum
 * is ERR_LIMIT. */
static void test_buf_read_file(void **state)
{
	char *dir = unit_temp_dir(), path[4096];
	struct buf b;
	FILE *f;

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/f.txt", dir);
	assert_non_null(f = fopen(path, "w"));
	for (int i = 0; i < 5000; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
	buf_init(&b, BUF_MAX_DEFAULT);
	buf_puts(&b, ">");
	assert_int_equal(buf_read_file(&b, path), OK);
	assert_int_equal(b.p[0], '>');
	assert_non_null(strstr(b.p, "line 4999\n"));
	assert_int_equal(strlen(b.p), b.len);
	buf_release(&b);
	buf_init(&b, 100);
	assert_int_equal(buf_read_file(&b, path), ERR_LIMIT);
	buf_release(&b);
	snprintf(path, sizeof path, "%s/none.txt", dir);
	buf_init(&b, 100);
	assert_int_equal(buf_read_file(&b, path), ERR_IO);
	assert_int_equal(b.len, 0);
	buf_release(&b);
	unit_remove_dir(dir);
}

static void test_buf_html(void **state)
{
	struct buf b;
	const char *s = "<a href=\"x\">Tom & Jerry's</a> é";

	(void)state;
	buf_init(&b, 1024);
	buf_html(&b, s, strlen(s));
	assert_string_equal(b.p, "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt; é");
	buf_reset(&b);
	buf_html(&b, "plain", 5);
	assert_string_equal(b.p, "plain");
	buf_reset(&b);
	buf_html(&b, "<<>>", 2); /* only n bytes */
	assert_string_equal(b.p, "&lt;&lt;");
	buf_release(&b);
}

static void test_buf_detach(void **state)
{
	struct buf b;
	size_t len = 99;
	char *p;

	(void)state;
	buf_init(&b, 100);
	buf_puts(&b, "hello");
	p = buf_detach(&b, &len);
	assert_string_equal(p, "hello");
	assert_int_equal(len, 5);
	assert_string_equal(b.p, "");
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_int_equal(b.max, 100);
	free(p);
	/* An empty buf still gives a string the caller may free. */
	p = buf_detach(&b, &len);
	assert_string_equal(p, "");
	assert_int_equal(len, 0);
	free(p);
	buf_release(&b);
}

static void test_slice(void **state)
{
	struct slice s = slice_of("abc");

	(void)state;
	assert_int_equal(s.len, 3);
	assert_true(slice_eq(s, "abc"));
	assert_false(slice_eq(s, "ab"));
	assert_false(slice_eq(s, "abcd"));
	assert_int_equal(slice_of(NULL).len, 0);
}

/* ---- arena ---- */

static void test_arena_alignment_and_zero(void **state)
{
	struct arena *a = arena_new();
	static const size_t sizes[] = {1, 3, 16, 17, 31, 100, 4095, 7};

	(void)state;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *p = arena_alloc(a, sizes[i]);
		assert_int_equal((uintptr_t)p % 16, 0);
		for (size_t k = 0; k < sizes[i]; k++)
			assert_int_equal(p[k], 0);
		memset(p, 0xAB, sizes[i]);
	}
	/* Many small ones across several blocks: never overlapping. */
	char *prev = arena_alloc(a, 24);
	memset(prev, 'x', 24);
	for (int i = 0; i < 5000; i++) {
		char *p = arena_alloc(a, 24);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(p[0], 0);
		assert_int_equal(p[23], 0);
		memset(p, 'y', 24);
		assert_int_equal(prev[0], i ? 'y' : 'x');
		prev = p;
	}
	assert_true(arena_used(a) >= 5001 * 24);
	arena_free(a);
	arena_free(NULL);
}

static void test_arena_large(void **state)
{
	struct arena *a = arena_new();
	char *small, *big, *after;
	size_t bign = 1 << 20;

	(void)state;
	small = arena_strdup(a, "before");
	big = arena_alloc(a, bign);
	assert_int_equal((uintptr_t)big % 16, 0);
	for (size_t k = 0; k < bign; k += 4093)
		assert_int_equal(big[k], 0);
	assert_int_equal(big[bign - 1], 0);
	memset(big, 'B', bign);
	after = arena_strdup(a, "after");
	assert_string_equal(small, "before");
	assert_string_equal(after, "after");
	assert_int_equal(big[0], 'B');
	assert_int_equal(big[bign - 1], 'B');
	/* A big one as the very first allocation of an arena. */
	struct arena *b = arena_new();
	char *first = arena_alloc(b, 100000);
	memset(first, 1, 100000);
	char *next = arena_alloc(b, 10);
	assert_int_equal(next[0], 0);
	assert_true((uintptr_t)next < (uintptr_t)first || (uintptr_t)next >= (uintptr_t)first + 100000);
	assert_true(arena_used(a) >= bign);
	arena_free(b);
	arena_free(a);
}

static void test_arena_strings(void **state)
{
	struct arena *a = arena_new();
	char *s;

	(void)state;
	s = arena_strdup(a, "hello");
	assert_string_equal(s, "hello");
	s = arena_strndup(a, "hello world", 5);
	assert_string_equal(s, "hello");
	s = arena_strdup(a, "");
	assert_string_equal(s, "");
	s = arena_printf(a, "%s-%d-%05.2f", "x", 7, 1.5);
	assert_string_equal(s, "x-7-01.50");
	char long_s[40000];
	memset(long_s, 'q', sizeof long_s - 1);
	long_s[sizeof long_s - 1] = '\0';
	s = arena_printf(a, "<%s>", long_s);
	assert_int_equal(strlen(s), sizeof long_s + 1);
	assert_int_equal(s[0], '<');
	assert_int_equal(s[sizeof long_s], '>');
	arena_free(a);
}

/* ---- jw ---- */

static void test_jw_nesting(void **state)
{
	struct buf b;
	struct jw w;

	(void)state;
	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "a", "x");
	jw_key(&w, "list");
	jw_arr(&w);
	jw_int(&w, 1);
	jw_int(&w, -2);
	jw_obj(&w);
	jw_kbool(&w, "t", true);
	jw_kbool(&w, "f", false);
	jw_end(&w);
	jw_arr(&w);
	jw_end(&w);
	jw_null(&w);
	jw_end(&w);
	jw_key(&w, "empty");
	jw_obj(&w);
	jw_end(&w);
	jw_kint(&w, "n", INT64_MAX);
	jw_key(&w, "raw");
	jw_raw(&w, "{\"r\":1}");
	jw_key(&w, "nil");
	jw_str(&w, NULL);
	jw_end(&w);
	assert_int_equal(b.err, OK);
	assert_string_equal(b.p, "{\"a\":\"x\",\"list\":[1,-2,{\"t\":true,\"f\":false},[],null],"
			    "\"empty\":{},\"n\":9223372036854775807,\"raw\":{\"r\":1},\"nil\":null}");
	assert_int_equal(w.depth, 0);
	buf_release(&b);
}

static void test_jw_top_level_array(void **state)
{
	struct buf b;
	struct jw w;

	(void)state;
	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_arr(&w);
	jw_str(&w, "a");
	jw_strn(&w, "bcd", 2);
	jw_num(&w, 1.5);
	jw_num(&w, 0.1);
	jw_num(&w, -3);
	jw_num(&w, NAN);
	jw_num(&w, INFINITY);
	jw_num(&w, 1.0 / 3);
	jw_end(&w);
	/* Shortest form that reads back exactly; 17 digits only when needed. */
	assert_string_equal(b.p, "[\"a\",\"bc\",1.5,0.1,-3,null,null,0.33333333333333331]");
	buf_release(&b);
}

static void test_jw_escaping(void **state)
{
	struct buf b;
	const char s[] = "q\"b\\s/n\nr\rt\tc\x01\x1f<p>é€😀";

	(void)state;
	buf_init(&b, 4096);
	jw_escape(&b, s, sizeof s - 1);
	assert_string_equal(b.p, "\"q\\\"b\\\\s/n\\nr\\rt\\tc\\u0001\\u001f\\u003cp>é€😀\"");
	buf_reset(&b);
	/* An embedded NUL is a control character too. */
	jw_escape(&b, "a\0b", 3);
	assert_string_equal(b.p, "\"a\\u0000b\"");
	buf_reset(&b);
	/* Keys are escaped the same way. */
	struct jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "k\"<", "v");
	jw_end(&w);
	assert_string_equal(b.p, "{\"k\\\"\\u003c\":\"v\"}");
	buf_release(&b);
}

static void test_jw_limit(void **state)
{
	struct buf b;
	struct jw w;

	(void)state;
	buf_init(&b, 16);
	jw_init(&w, &b);
	jw_arr(&w);
	jw_str(&w, "this string is far too long");
	jw_end(&w);
	assert_int_equal(b.err, ERR_LIMIT);
	assert_true(b.len <= 16);
	buf_release(&b);
}

/* ---- utf8 ---- */

static void bad_at(const char *s, size_t n, size_t want)
{
	size_t bad = 12345;

	assert_false(utf8_valid(s, n, &bad));
	assert_int_equal(bad, want);
	assert_false(utf8_valid(s, n, NULL));
}

#define BAD(lit, off) bad_at((lit), sizeof(lit) - 1, (off))
#define GOOD(lit) assert_true(utf8_valid((lit), sizeof(lit) - 1, NULL))

static void test_utf8_valid(void **state)
{
	(void)state;
	GOOD("");
	GOOD("plain ASCII");
	GOOD("é");                      /* 2 bytes */
	GOOD("€");                      /* 3 bytes */
	GOOD("😀");                     /* 4 bytes */
	GOOD("سلام Việt Nam Azərbaycan");
	GOOD("\xC2\x80");               /* U+0080, smallest 2-byte */
	GOOD("\xE0\xA0\x80");           /* U+0800, smallest 3-byte */
	GOOD("\xED\x9F\xBF");           /* U+D7FF, just below the surrogates */
	GOOD("\xEE\x80\x80");           /* U+E000, just above them */
	GOOD("\xF0\x90\x80\x80");       /* U+10000 */
	GOOD("\xF4\x8F\xBF\xBF");       /* U+10FFFF, the last */
	GOOD("a\0b");                   /* NUL is valid UTF-8 */

	BAD("\xC0\x80", 0);             /* overlong NUL */
	BAD("ab\xC0\x80", 2);
	BAD("\xC1\xBF", 0);             /* overlong */
	BAD("x\xE0\x80\x80", 1);        /* overlong 3-byte */
	BAD("\xE0\x9F\xBF", 0);         /* overlong U+07FF */
	BAD("\xF0\x8F\xBF\xBF", 0);     /* overlong 4-byte */
	BAD("\xED\xA0\x80", 0);         /* surrogate U+D800 */
	BAD("ok\xED\xBF\xBF", 2);       /* surrogate U+DFFF */
	BAD("\xF4\x90\x80\x80", 0);     /* U+110000 */
	BAD("abc\xF5\x80\x80\x80", 3);  /* no such lead byte */
	BAD("\xFF", 0);
	BAD("é\x80", 2);               /* stray continuation */
	BAD("ab\xE2\x82", 2);           /* truncated 3-byte */
	BAD("\xF0\x9F\x98", 0);         /* truncated 4-byte */
	BAD("é\xC3", 2);               /* truncated 2-byte */
	BAD("\xE2\x28\xA1", 0);         /* bad second byte */
	BAD("\xE2\x82\x28", 0);         /* bad third byte */
	BAD("\xF0\x9F\x98\x28", 0);     /* bad fourth byte */
	BAD("\xC3\x28", 0);
	/* Only n bytes count: a valid prefix of invalid text is valid. */
	assert_true(utf8_valid("ab\xFF", 2, NULL));
}

static void test_utf8_len(void **state)
{
	const char *s = "aé€😀";

	(void)state;
	assert_int_equal(utf8_len("", 0), 0);
	assert_int_equal(utf8_len("abc", 3), 3);
	assert_int_equal(utf8_len(s, strlen(s)), 4);
	assert_int_equal(strlen(s), 1 + 2 + 3 + 4);
	assert_int_equal(utf8_len("سلام", strlen("سلام")), 4);
}

/* ---- conf ---- */

static void test_conf_defaults(void **state)
{
	struct conf c;

	(void)state;
	memset(&c, 0x55, sizeof c);
	conf_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:8080");
	assert_int_equal(c.threads, 0);
	assert_string_equal(c.log, "-");
	assert_string_equal(c.log_level, "info");
	assert_int_equal(c.max_header, 16384);
	assert_int_equal(c.max_body, 1048576);
	assert_int_equal(c.max_upload, 268435456);
	assert_int_equal(c.conn_timeout, 30);
	assert_int_equal(c.per_ip_connections, 512);
	assert_int_equal(c.session_idle, 7200);
	assert_int_equal(c.session_absolute, 43200);
	assert_false(c.secure_cookies);
	assert_false(c.trust_proxy);
	assert_int_equal(c.login_window, 900);
	assert_int_equal(c.login_account_limit, 10);
	assert_int_equal(c.login_ip_limit, 500);
	assert_int_equal(c.job_workers, 1);
	assert_int_equal(c.password_memlimit, 67108864);
	assert_int_equal(c.password_opslimit, 2);
	assert_string_equal(c.data, "");
}

static void test_conf_set(void **state)
{
	struct conf c;
	struct errinfo ei = {0};

	(void)state;
	conf_defaults(&c);
	assert_int_equal(conf_set(&c, "threads", "8", &ei), OK);
	assert_int_equal(c.threads, 8);
	assert_int_equal(conf_set(&c, "threads", "256", &ei), OK);   /* the upper bound */
	assert_int_equal(c.threads, 256);
	assert_int_equal(conf_set(&c, "threads", "0", &ei), OK);     /* the lower bound */
	assert_int_equal(conf_set(&c, "threads", "257", &ei), ERR_INVALID);
	assert_string_equal(ei.field, "threads");
	assert_non_null(strstr(ei.msg, "257"));
	assert_int_equal(c.threads, 0);                               /* unchanged */
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "threads", "-1", &ei), ERR_INVALID);
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "threads", "four", &ei), ERR_INVALID);
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "threads", "", &ei), ERR_INVALID);
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "session_idle", "59", &ei), ERR_INVALID);
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "max_upload", "17179869184", &ei), OK); /* 16 GiB: needs 64 bits */
	assert_int_equal(c.max_upload, (int64_t)16 << 30);

	/* Booleans. */
	assert_int_equal(conf_set(&c, "secure_cookies", "true", &ei), OK);
	assert_true(c.secure_cookies);
	assert_int_equal(conf_set(&c, "secure_cookies", "no", &ei), OK);
	assert_false(c.secure_cookies);
	assert_int_equal(conf_set(&c, "trust_proxy", "1", &ei), OK);
	assert_true(c.trust_proxy);
	assert_int_equal(conf_set(&c, "trust_proxy", "0", &ei), OK);
	assert_false(c.trust_proxy);
	assert_int_equal(conf_set(&c, "trust_proxy", "yes", &ei), OK);
	assert_true(c.trust_proxy);
	assert_int_equal(conf_set(&c, "trust_proxy", "maybe", &ei), ERR_INVALID);
	assert_string_equal(ei.field, "trust_proxy");
	assert_true(c.trust_proxy);
	err_clear(&ei);

	/* Strings, and their size. */
	assert_int_equal(conf_set(&c, "listen", "0.0.0.0:80", &ei), OK);
	assert_string_equal(c.listen, "0.0.0.0:80");
	char longv[CONF_STR_MAX + 10];
	memset(longv, 'x', sizeof longv - 1);
	longv[sizeof longv - 1] = '\0';
	assert_int_equal(conf_set(&c, "listen", longv, &ei), ERR_INVALID);
	assert_string_equal(c.listen, "0.0.0.0:80");
	err_clear(&ei);
	assert_int_equal(conf_set(&c, "log_level", "debugging-everything", &ei), ERR_INVALID);
	err_clear(&ei);

	/* Unknown names. */
	assert_int_equal(conf_set(&c, "no_such_setting", "1", &ei), ERR_NOTFOUND);
	assert_string_equal(ei.field, "no_such_setting");
	assert_int_equal(conf_set(&c, "no_such_setting", "1", NULL), ERR_NOTFOUND);
}

static void test_conf_parse_int(void **state)
{
	int64_t v = 77;

	(void)state;
	assert_int_equal(conf_parse_int("0", 0, 10, &v), OK);
	assert_int_equal(v, 0);
	assert_int_equal(conf_parse_int("10", 0, 10, &v), OK);
	assert_int_equal(v, 10);
	assert_int_equal(conf_parse_int("-5", -10, 10, &v), OK);
	assert_int_equal(v, -5);
	assert_int_equal(conf_parse_int("9223372036854775807", INT64_MIN, INT64_MAX, &v), OK);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(conf_parse_int("-9223372036854775808", INT64_MIN, INT64_MAX, &v), OK);
	assert_true(v == INT64_MIN);
	v = 77;
	assert_int_equal(conf_parse_int("", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int(" 1", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("\t1", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("1 ", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("1x", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("x", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("-", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("11", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("-1", 0, 10, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("9223372036854775808", INT64_MIN, INT64_MAX, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("-9223372036854775809", INT64_MIN, INT64_MAX, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("99999999999999999999999", INT64_MIN, INT64_MAX, &v), ERR_INVALID);
	assert_int_equal(conf_parse_int("1.5", 0, 10, &v), ERR_INVALID);
	assert_int_equal(v, 77); /* untouched on error */
}

/* A fresh temporary directory; the caller removes it. */
static char *fresh_dir(void)
{
	char *d = unit_temp_dir();

	assert_non_null(d);
	return d;
}

static void write_conf(const char *dir, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof path, "%s/reach.conf", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void remove_conf(char *dir)
{
	char path[512];

	snprintf(path, sizeof path, "%s/reach.conf", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_conf_load_file(void **state)
{
	char *dir = fresh_dir();
	struct conf c;
	struct errinfo ei = {0};

	(void)state;
	conf_defaults(&c);
	/* No file: not an error, nothing changed. */
	assert_int_equal(conf_load_file(&c, dir, &ei), OK);
	assert_int_equal(c.threads, 0);

	write_conf(dir, "# Reach settings\n"
			"\n"
			"threads = 4\n"
			"   listen=0.0.0.0:9000   # all addresses\n"
			"secure_cookies = yes\n"
			"\t# an indented comment\n"
			"log_level = warn\n");
	assert_int_equal(conf_load_file(&c, dir, &ei), OK);
	assert_int_equal(ei.code, OK);
	assert_int_equal(c.threads, 4);
	assert_string_equal(c.listen, "0.0.0.0:9000");
	assert_true(c.secure_cookies);
	assert_string_equal(c.log_level, "warn");

	/* A line that is not "name = value", named by file and line. */
	write_conf(dir, "threads = 2\n# fine\n\nthis is not a setting\n");
	err_clear(&ei);
	assert_int_equal(conf_load_file(&c, dir, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, "reach.conf:4"));
	assert_non_null(strstr(ei.msg, dir));

	/* A bad value: file:line, the setting as the field. */
	write_conf(dir, "\nthreads = 9999\n");
	err_clear(&ei);
	assert_int_equal(conf_load_file(&c, dir, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, "reach.conf:2"));
	assert_string_equal(ei.field, "threads");

	/* An unknown setting is an error too, not silently ignored. */
	write_conf(dir, "thraeds = 2\n");
	err_clear(&ei);
	assert_int_equal(conf_load_file(&c, dir, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, "reach.conf:1"));
	assert_non_null(strstr(ei.msg, "thraeds"));

	remove_conf(dir);
}

static void test_conf_env(void **state)
{
	char *dir = fresh_dir();
	struct conf c;
	struct errinfo ei = {0};

	(void)state;
	conf_defaults(&c);
	write_conf(dir, "threads = 4\nlogin_window = 60\n");
	assert_int_equal(conf_load_file(&c, dir, &ei), OK);
	assert_int_equal(c.threads, 4);
	setenv("REACH_THREADS", "7", 1);
	setenv("REACH_SECURE_COOKIES", "true", 1);
	assert_int_equal(conf_load_env(&c, &ei), OK);
	assert_int_equal(c.threads, 7);              /* the environment wins over the file */
	assert_true(c.secure_cookies);
	assert_int_equal(c.login_window, 60);        /* not in the environment: kept */
	setenv("REACH_THREADS", "lots", 1);
	assert_int_equal(conf_load_env(&c, &ei), ERR_INVALID);
	assert_string_equal(ei.field, "threads");
	unsetenv("REACH_THREADS");
	unsetenv("REACH_SECURE_COOKIES");
	remove_conf(dir);
}

/* ---- ids and secrets ---- */

static void test_id_format(void **state)
{
	char id[ID_LEN];

	(void)state;
	for (int i = 0; i < 100; i++) {
		id_new(id);
		assert_int_equal(strlen(id), 36);
		assert_int_equal(id[8], '-');
		assert_int_equal(id[13], '-');
		assert_int_equal(id[18], '-');
		assert_int_equal(id[23], '-');
		assert_int_equal(id[14], '7');                 /* version 7 */
		assert_non_null(strchr("89ab", id[19]));       /* variant 10xx */
		assert_true(id_valid(id));
	}
}

static void test_id_time_ordered(void **state)
{
	char a[ID_LEN], b[ID_LEN], c[ID_LEN];
	struct timespec two_ms = {0, 2000000};
	int64_t now = time_now_ms();
	char hex[13];

	(void)state;
	id_new(a);
	nanosleep(&two_ms, NULL);
	id_new(b);
	nanosleep(&two_ms, NULL);
	id_new(c);
	assert_true(strcmp(a, b) < 0);
	assert_true(strcmp(b, c) < 0);
	/* The first 48 bits are the time in ms. */
	memcpy(hex, a, 8);
	memcpy(hex + 8, a + 9, 4);
	hex[12] = '\0';
	int64_t ms = (int64_t)strtoll(hex, NULL, 16);
	assert_true(ms >= now - 1 && ms <= now + 1000);
}

static void test_id_valid(void **state)
{
	char id[ID_LEN], up[ID_LEN];

	(void)state;
	assert_true(id_valid("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b"));
	assert_false(id_valid("0190A3B4-5C6D-7E8F-9A0B-1C2D3E4F5A6B"));
	assert_false(id_valid("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6"));   /* short */
	assert_false(id_valid("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6bb")); /* long */
	assert_false(id_valid("0190a3b45c6d-7e8f-9a0b-1c2d3e4f5a6b0"));  /* dash moved */
	assert_false(id_valid("0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6g"));
	assert_false(id_valid(""));
	assert_false(id_valid("not-an-id"));
	id_new(id);
	memcpy(up, id, ID_LEN);
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_true(id_valid(id));
	if (strcmp(up, id) != 0)
		assert_false(id_valid(up));
	id[35] = '\0';
	assert_false(id_valid(id));
}

static void test_secret(void **state)
{
	char a[SECRET_TEXT_LEN], b[SECRET_TEXT_LEN];
	char h1[SECRET_HASH_LEN], h2[SECRET_HASH_LEN], h3[SECRET_HASH_LEN];

	(void)state;
	secret_new(a);
	secret_new(b);
	assert_int_equal(strlen(a), 43);
	assert_int_equal(strlen(b), 43);
	assert_string_not_equal(a, b);
	for (const char *p = a; *p; p++)
		assert_true((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_');
	secret_hash(a, strlen(a), h1);
	secret_hash(a, strlen(a), h2);
	secret_hash(b, strlen(b), h3);
	assert_int_equal(strlen(h1), 64);
	for (const char *p = h1; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
	assert_string_equal(h1, h2);
	assert_string_not_equal(h1, h3);
	assert_string_not_equal(h1, a);
	/* BLAKE2b-256, as documented: a change of algorithm would orphan
	 * every stored session and token. */
	secret_hash("", 0, h1);
	assert_string_equal(h1, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
	secret_hash("abc", 3, h1);
	assert_string_equal(h1, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	assert_true(secret_eq(a, a, strlen(a)));
	assert_false(secret_eq(a, b, strlen(a)));
}

/* ---- time ---- */

static void test_time_iso(void **state)
{
	char s[TIME_ISO_LEN];
	int64_t ms = -1, now;

	(void)state;
	time_iso(0, s);
	assert_string_equal(s, "1970-01-01T00:00:00.000Z");
	time_iso(1795341600123, s);
	assert_string_equal(s, "2026-11-22T10:00:00.123Z");
	assert_int_equal(time_parse_iso(s, &ms), 0);
	assert_int_equal(ms, 1795341600123);
	assert_int_equal(time_parse_iso("2026-11-22T10:00:00Z", &ms), 0);
	assert_int_equal(ms, 1795341600000);
	assert_int_equal(time_parse_iso("2026-11-22", &ms), 0);
	assert_int_equal(ms, 1795305600000);
	assert_int_equal(time_parse_iso("2024-02-29", &ms), 0);   /* a leap day */

	now = time_now_ms();
	time_now_iso(s);
	assert_int_equal(strlen(s), 24);
	assert_int_equal(time_parse_iso(s, &ms), 0);
	assert_true(ms >= now && ms < now + 1000);
	for (int64_t t = 0; t < (int64_t)4102444800000; t += 86400000LL * 97 + 3600007) {
		time_iso(t, s);
		assert_int_equal(time_parse_iso(s, &ms), 0);
		assert_int_equal(ms, t);
	}
}

static void test_time_parse_rejects(void **state)
{
	int64_t ms = 42;

	(void)state;
	assert_int_equal(time_parse_iso("2026-13-01", &ms), -1);
	assert_int_equal(time_parse_iso("2026-00-10", &ms), -1);
	assert_int_equal(time_parse_iso("2026-01-00", &ms), -1);
	assert_int_equal(time_parse_iso("2026-01-32", &ms), -1);
	assert_int_equal(time_parse_iso("2026-02-30", &ms), -1);
	assert_int_equal(time_parse_iso("2025-02-29", &ms), -1);  /* not a leap year */
	assert_int_equal(time_parse_iso("2026-04-31", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22T24:00:00Z", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22T10:60:00Z", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22T-1:00:00Z", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22T10:00:00.123", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22T10:00:00.123X", &ms), -1);
	assert_int_equal(time_parse_iso("2026-11-22 10:00:00Z", &ms), -1);
	assert_int_equal(time_parse_iso("2026/11/22", &ms), -1);
	assert_int_equal(time_parse_iso("", &ms), -1);
	assert_int_equal(time_parse_iso("yesterday", &ms), -1);
	assert_int_equal(ms, 42);
}

/* ---- errors ---- */

static void test_err_set(void **state)
{
	struct errinfo ei = {0};

	(void)state;
	assert_int_equal(err_set(&ei, ERR_INVALID, "login", "bad %s %d", "login", 3), ERR_INVALID);
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.field, "login");
	assert_string_equal(ei.msg, "bad login 3");
	/* The first error sticks, but the code is still returned. */
	assert_int_equal(err_set(&ei, ERR_EXISTS, "other", "second"), ERR_EXISTS);
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.field, "login");
	assert_string_equal(ei.msg, "bad login 3");
	err_clear(&ei);
	assert_int_equal(ei.code, OK);
	assert_string_equal(ei.msg, "");
	assert_int_equal(err_set(&ei, ERR_AUTH, NULL, "who?"), ERR_AUTH);
	assert_string_equal(ei.field, "");
	assert_string_equal(ei.msg, "who?");
	assert_int_equal(err_set(NULL, ERR_DENIED, "x", "dropped"), ERR_DENIED);
	/* Long fields and messages are cut, not overrun. */
	char longs[2000];
	memset(longs, 'm', sizeof longs - 1);
	longs[sizeof longs - 1] = '\0';
	err_clear(&ei);
	err_set(&ei, ERR_INVALID, longs, "%s", longs);
	assert_int_equal(strlen(ei.field), ERRINFO_FIELD_MAX - 1);
	assert_int_equal(strlen(ei.msg), ERRINFO_MSG_MAX - 1);
}

static void test_err_codes(void **state)
{
	static const struct {
		enum err e;
		const char *name;
		int status;
	} want[] = {
		{OK, "ok", 200},
		{ERR_INVALID, "invalid", 400},
		{ERR_AUTH, "unauthenticated", 401},
		{ERR_DENIED, "forbidden", 403},
		{ERR_NOTFOUND, "not_found", 404},
		{ERR_EXISTS, "exists", 409},
		{ERR_CONFLICT, "conflict", 409},
		{ERR_LIMIT, "too_large", 413},
		{ERR_THROTTLED, "too_many_requests", 429},
		{ERR_BUSY, "busy", 503},
		{ERR_IO, "io", 500},
		{ERR_STORE, "store", 500},
		{ERR_INTERNAL, "internal", 500},
	};

	(void)state;
	assert_int_equal(sizeof want / sizeof want[0], ERR__COUNT);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		assert_string_equal(err_name(want[i].e), want[i].name);
		assert_int_equal(err_status(want[i].e), want[i].status);
	}
	assert_string_equal(err_name(ERR__COUNT), "internal");
	assert_int_equal(err_status(ERR__COUNT), 500);
	assert_int_equal(err_status((enum err)-1), 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_empty_and_appends),
		cmocka_unit_test(test_buf_grows),
		cmocka_unit_test(test_buf_max_sticks),
		cmocka_unit_test(test_buf_read_file),
		cmocka_unit_test(test_buf_printf),
		cmocka_unit_test(test_buf_html_runs),
		cmocka_unit_test(test_i64_text),
		cmocka_unit_test(test_buf_html),
		cmocka_unit_test(test_buf_detach),
		cmocka_unit_test(test_slice),
		cmocka_unit_test(test_arena_alignment_and_zero),
		cmocka_unit_test(test_arena_large),
		cmocka_unit_test(test_arena_strings),
		cmocka_unit_test(test_jw_nesting),
		cmocka_unit_test(test_jw_top_level_array),
		cmocka_unit_test(test_jw_escaping),
		cmocka_unit_test(test_jw_limit),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_conf_defaults),
		cmocka_unit_test(test_conf_set),
		cmocka_unit_test(test_conf_parse_int),
		cmocka_unit_test(test_conf_load_file),
		cmocka_unit_test(test_conf_env),
		cmocka_unit_test(test_id_format),
		cmocka_unit_test(test_id_time_ordered),
		cmocka_unit_test(test_id_valid),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_time_iso),
		cmocka_unit_test(test_time_parse_rejects),
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_codes),
	};

	if (id_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
