/*
 * web_test.c — the template engine, the catalogs, language choice and the
 * formatting of dates and numbers.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/timeutil.h"
#include "base/utf8.h"
#include "web/web_int.h"
#include "base/banned.h"

/* A struct web with the real catalogs and the given templates, each given
 * as a name followed by its source, ending with NULL. */
static struct web *web_of(const char *first, ...)
{
	struct errinfo ei = {0};
	struct web *w;
	va_list ap;

	assert_int_equal(web_new(NULL, &w, &ei), OK);
	va_start(ap, first);
	for (const char *name = first; name; name = va_arg(ap, const char *)) {
		const char *src = va_arg(ap, const char *);
		assert_int_equal(web_compile(w, name, src, &ei), OK);
	}
	va_end(ap);
	assert_int_equal(web_link(w, &ei), OK);
	return w;
}

/* Renders template "t" of w with data given as JSON text; returns the
 * output, which the caller frees. */
static char *render(const struct web *w, const char *json, const char *lang)
{
	struct errinfo ei = {0};
	json_t *data = json_loads(json, 0, NULL);
	struct buf out;

	assert_non_null(data);
	buf_init(&out, BUF_MAX_DEFAULT);
	assert_int_equal(web_render(w, "t", data, lang, &out, &ei), OK);
	json_decref(data);
	return buf_detach(&out, NULL);
}

static void check(const char *tmpl, const char *json, const char *want)
{
	struct web *w = web_of("t", tmpl, NULL);
	char *got = render(w, json, "en");

	assert_string_equal(got, want);
	free(got);
	web_free(w);
}

/* Compiling src as template "t" fails with a message holding want. */
static void check_load_error(const char *src, const char *want)
{
	struct errinfo ei = {0};
	struct web *w;
	enum err rc;

	assert_int_equal(web_new(NULL, &w, &ei), OK);
	rc = web_compile(w, "t", src, &ei);
	if (rc == OK)
		rc = web_link(w, &ei);
	assert_int_equal(rc, ERR_INVALID);
	if (!strstr(ei.msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", ei.msg, want);
	web_free(w);
}

static void test_escaping(void **state)
{
	(void)state;
	check("<p>{{ x }}</p>", "{\"x\":\"<a href=\\\"u\\\">&'</a>\"}",
	      "<p>&lt;a href=&quot;u&quot;&gt;&amp;&#39;&lt;/a&gt;</p>");
	check("{{n}} {{r}} {{t}} {{f}} {{z}} {{missing}}|{{o}}{{a}}",
	      "{\"n\":42,\"r\":1.5,\"t\":true,\"f\":false,\"z\":null,\"o\":{},\"a\":[1]}",
	      "42 1.5 true false  |");
	check("{{user.name}}/{{user.none.deep}}", "{\"user\":{\"name\":\"A&B\"}}", "A&amp;B/");
}

static void test_each(void **state)
{
	(void)state;
	check("{{#each items}}{{@index}}:{{name}}/{{title}};{{else}}none{{/each}}",
	      "{\"title\":\"R\",\"items\":[{\"name\":\"a\"},{\"name\":\"b\",\"title\":\"T\"}]}",
	      "0:a/R;1:b/T;");
	check("{{#each items}}x{{else}}none{{/each}}", "{\"items\":[]}", "none");
	check("{{#each items}}x{{else}}none{{/each}}", "{}", "none");
	check("{{#each rows}}[{{#each .}}{{@index}}={{.}}{{/each}}]{{/each}}",
	      "{\"rows\":[[\"a\",\"b\"],[\"c\"]]}", "[0=a1=b][0=c]");
	check("{{#each rows}}{{#each cells}}{{row}}.{{v}} {{/each}}{{/each}}",
	      "{\"rows\":[{\"row\":1,\"cells\":[{\"v\":\"x\"},{\"v\":\"y\"}]}]}", "1.x 1.y ");
}

static void test_conditions(void **state)
{
	(void)state;
	check("{{#if a}}y{{else}}n{{/if}}{{#if b}}y{{else}}n{{/if}}{{#if c}}y{{else}}n{{/if}}"
	      "{{#if d}}y{{else}}n{{/if}}{{#if e}}y{{else}}n{{/if}}{{#if f}}y{{else}}n{{/if}}"
	      "{{#if g}}y{{else}}n{{/if}}{{#if h}}y{{else}}n{{/if}}{{#if i}}y{{/if}}",
	      "{\"a\":true,\"b\":false,\"c\":0,\"d\":\"\",\"e\":[],\"f\":null,\"g\":\"x\","
	      "\"h\":[0],\"i\":{}}",
	      "ynnnnnyyy");
	check("{{#unless a}}no a{{else}}a{{/unless}}", "{}", "no a");
	check("{{#each langs}}<{{code}}{{#if code == \"fa\"}} sel{{/if}}>{{/each}}",
	      "{\"langs\":[{\"code\":\"en\"},{\"code\":\"fa\"}]}", "<en><fa sel>");
	check("{{#each langs}}{{#if code == me.lang}}[{{code}}]{{/if}}{{/each}}",
	      "{\"me\":{\"lang\":\"vi\"},\"langs\":[{\"code\":\"en\"},{\"code\":\"vi\"}]}", "[vi]");
	check("{{#if n == \"3\"}}three{{/if}}{{#unless x == \"y\"}}!{{/unless}}", "{\"n\":3}",
	      "three!");
	check("{{#if a == b}}eq{{else}}ne{{/if}}", "{}", "ne");
}

static void test_standalone_lines(void **state)
{
	(void)state;
	check("<ul>\n\t{{#each xs}}\n\t<li>{{.}}</li>\n\t{{/each}}\n</ul>\n",
	      "{\"xs\":[1,2]}", "<ul>\n\t<li>1</li>\n\t<li>2</li>\n</ul>\n");
	check("a {{#if x}}b{{/if}} c\n{{! note }}\nd", "{\"x\":1}", "a b c\nd");
	check("{{!-- a {{#if}} in a comment --}}x", "{}", "x");
}

static void test_partials_and_layout(void **state)
{
	struct web *w;
	char *got;

	(void)state;
	w = web_of("t", "{{#layout}}<b>{{x}}</b>{{> p}}{{/layout}}",
		   "p", "[{{x}}]",
		   "layout", "<html lang=\"{{lang}}\" dir=\"{{dir}}\">{{yield}}</html>", NULL);
	got = render(w, "{\"x\":\"1\"}", "fa");
	assert_string_equal(got, "<html lang=\"fa\" dir=\"rtl\"><b>1</b>[1]</html>");
	free(got);
	got = render(w, "{\"x\":\"1\"}", "xx");
	assert_string_equal(got, "<html lang=\"en\" dir=\"ltr\"><b>1</b>[1]</html>");
	free(got);
	web_free(w);
}

static void test_cycles(void **state)
{
	struct errinfo ei = {0};
	struct web *w;

	(void)state;
	assert_int_equal(web_new(NULL, &w, &ei), OK);
	assert_int_equal(web_compile(w, "a", "{{> b}}", &ei), OK);
	assert_int_equal(web_compile(w, "b", "x\n{{#if y}}{{> a}}{{/if}}", &ei), OK);
	assert_int_equal(web_link(w, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, "include cycle: a > b > a"));
	web_free(w);
	check_load_error("{{> nowhere}}", "templates/t.html:1: no template \"nowhere\"");
}

static void test_load_errors(void **state)
{
	(void)state;
	check_load_error("a\nb\n{{#if x}}\nc", "templates/t.html:3: {{#if}} opened here is never closed");
	check_load_error("{{#each x}}\n{{/if}}", "t.html:2: mismatched closer: {{/if}} after {{#each}} of line 1");
	check_load_error("\n\n\n{{frobnicate x}}", "t.html:4: unknown helper \"frobnicate\"");
	check_load_error("{{#with x}}{{/with}}", "t.html:1: unknown block helper {{#with}}");
	check_load_error("x\n{{{raw}}}", "t.html:2: {{{ }}} (raw output) is not supported");
	check_load_error("{{else}}", "{{else}} outside a block");
	check_load_error("{{/if}}", "{{/if}} closes no block");
	check_load_error("{{x", "a tag is not closed");
	check_load_error("{{#if a}}1{{else}}2{{else}}3{{/if}}", "a second {{else}}");
	check_load_error("{{a..b}}", "\"a..b\" is not a name");
	check_load_error("{{date d \"sometime\"}}", "date styles are");
	check_load_error("{{_ \"open}}", "a string is not closed");
	check_load_error("{{#if a = \"b\"}}{{/if}}", "expected {{#if name}}");
}

static void test_limit(void **state)
{
	struct web *w = web_of("t", "{{#each xs}}0123456789{{/each}}", NULL);
	json_t *data = json_pack("{s:[iiiiii]}", "xs", 1, 2, 3, 4, 5, 6);
	struct errinfo ei = {0};
	struct buf out;

	(void)state;
	buf_init(&out, 32);
	assert_int_equal(web_render(w, "t", data, "en", &out, &ei), ERR_LIMIT);
	assert_true(out.len <= 32);
	assert_int_equal(web_render(w, "nope", data, "en", &out, &ei), ERR_NOTFOUND);
	buf_release(&out);
	json_decref(data);
	web_free(w);
}

static void test_translation(void **state)
{
	struct web *w = web_of("t", "{{_ \"Sign in\"}}|{{_ role}}|{{_ \"Not in any catalog\"}}", NULL);
	const char *fa = web_tr(w, "fa", "Sign in");
	char *got;

	(void)state;
	assert_string_not_equal(fa, "Sign in");
	assert_true(utf8_valid(fa, strlen(fa), NULL));
	assert_string_equal(fa, "ورود");
	assert_string_equal(web_tr(w, "vi", "Sign in"), "Đăng nhập");
	assert_string_equal(web_tr(w, "az", "Sign out"), "Çıxış");
	assert_string_equal(web_tr(w, "en", "Sign in"), "Sign in");
	assert_string_equal(web_tr(w, "fa", "No such msgid"), "No such msgid");
	assert_string_equal(web_tr(w, "de", "Sign in"), "Sign in");
	assert_string_equal(web_tr(w, "fa", NULL), "");
	got = render(w, "{\"role\":\"Teacher\"}", "az");
	assert_string_equal(got, "Daxil ol|Müəllim|Not in any catalog");
	free(got);
	web_free(w);
}

static void test_catalog_byte_order(void **state)
{
	/* A big-endian .mo with one entry: "a" -> "b". */
	static const unsigned char mo[] = {
		0x95, 0x04, 0x12, 0xde, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 36,
		0, 0, 0, 0, 0, 0, 0, 44,
		0, 0, 0, 1, 0, 0, 0, 44, 0, 0, 0, 1, 0, 0, 0, 46,
		'a', 0, 'b', 0,
	};
	struct arena *a = arena_new();
	struct errinfo ei = {0};
	struct catalog c;

	(void)state;
	assert_int_equal(catalog_read(&c, a, mo, sizeof mo, "be.mo", &ei), OK);
	assert_string_equal(catalog_find(&c, "a"), "b");
	assert_null(catalog_find(&c, "b"));
	assert_int_equal(catalog_read(&c, a, mo, 20, "short.mo", &ei), ERR_INVALID);
	arena_free(a);
}

static void test_lang_pick(void **state)
{
	(void)state;
	assert_string_equal(web_lang_pick("fa-IR,fa;q=0.9,en;q=0.5"), "fa");
	assert_null(web_lang_pick("de"));
	assert_null(web_lang_pick(NULL));
	assert_null(web_lang_pick(""));
	assert_string_equal(web_lang_pick("fa;q=0, vi;q=0.2"), "vi");
	assert_null(web_lang_pick("fa;q=0"));
	assert_string_equal(web_lang_pick("de-DE, en-US;q=0.8, az;q=0.9"), "az");
	assert_string_equal(web_lang_pick("VI-vn"), "vi");
	assert_string_equal(web_lang_pick("en;q=0.5, fa;q=0.5"), "en");
	assert_null(web_lang_pick("*"));
	assert_true(web_lang_known("az"));
	assert_false(web_lang_known("de"));
	assert_false(web_lang_known(NULL));
	assert_true(web_lang_rtl("fa"));
	assert_false(web_lang_rtl("vi"));
	assert_string_equal(web_lang_name("fa"), "فارسی");
}

static char *date_of(const char *lang, const char *iso, enum web_date_style st)
{
	struct buf b;

	buf_init(&b, 1024);
	web_date_iso(lang, iso, st, &b);
	return buf_detach(&b, NULL);
}

static void want_in(char *got, const char *want)
{
	if (!strstr(got, want))
		fail_msg("\"%s\" lacks \"%s\"", got, want);
	assert_true(utf8_valid(got, strlen(got), NULL));
	free(got);
}

static void test_dates(void **state)
{
	(void)state;
	/* 2026-11-22 is 1 Azar 1405 in the Solar Hijri calendar. */
	want_in(date_of("fa", "2026-11-22", WEB_DATE_LONG), "۱۴۰۵");
	want_in(date_of("fa", "2026-11-22", WEB_DATE_LONG), "آذر");
	want_in(date_of("fa", "2026-11-22T10:00:00.123Z", WEB_DATE_SHORT), "۱۴۰۵");
	want_in(date_of("vi", "2026-11-22", WEB_DATE_LONG), "2026");
	want_in(date_of("vi", "2026-11-22", WEB_DATE_LONG), "tháng 11");
	want_in(date_of("az", "2026-11-22", WEB_DATE_LONG), "noyabr");
	want_in(date_of("en", "2026-11-22", WEB_DATE_LONG), "22 November 2026");
	want_in(date_of("en", "2026-11-22T10:05:00Z", WEB_DATE_SHORT), "2026-11-22");
	want_in(date_of("en", "2026-11-22T10:05:00Z", WEB_DATETIME), "2026-11-22 10:05");
	want_in(date_of("vi", "2026-11-22T10:05:00Z", WEB_DATETIME), "10:05");
	want_in(date_of("en", "not a date <b>", WEB_DATE_LONG), "not a date <b>");
}

static void test_date_helper(void **state)
{
	(void)state;
	check("{{date d \"long\"}}|{{date bad}}|{{datetime d}}|{{date n \"short\"}}",
	      "{\"d\":\"2026-11-22T10:05:00Z\",\"bad\":\"<x>\",\"n\":0}",
	      "22 November 2026|&lt;x&gt;|2026-11-22 10:05|1970-01-01");
}

static void test_numbers(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	web_number("fa", 12345, &b);
	assert_string_equal(b.p, "۱۲٬۳۴۵");
	buf_reset(&b);
	web_number("en", -1234567, &b);
	assert_string_equal(b.p, "-1,234,567");
	buf_reset(&b);
	web_number("vi", 12345, &b);
	assert_string_equal(b.p, "12.345");
	buf_release(&b);
	check("{{number n}}|{{number s}}", "{\"n\":1000,\"s\":\"x\"}", "1,000|x");
}

/* The last date of each style is kept as written: asked again, the same
 * text; asked for another, that other one's. */
static void test_dates_kept(void **state)
{
	struct buf a, b, c;
	const int64_t day = 86400000;

	(void)state;
	buf_init(&a, 1024);
	buf_init(&b, 1024);
	buf_init(&c, 1024);
	for (int lang = 0; lang < WEB_NLANG; lang++)
		for (int st = WEB_DATE_SHORT; st <= WEB_DATETIME; st++) {
			buf_reset(&a);
			buf_reset(&b);
			buf_reset(&c);
			web_date(web_lang_code(lang), 1795000000000, st, &a);
			web_date(web_lang_code(lang), 1795000000000 + 40 * day, st, &b);
			web_date(web_lang_code(lang), 1795000000000, st, &c);
			assert_true(a.len > 0);
			assert_string_not_equal(a.p, b.p);
			assert_string_equal(a.p, c.p);
		}
	buf_release(&a);
	buf_release(&b);
	buf_release(&c);
}

/* Integers are written without ICU once the way a language writes them
 * is learnt from it: in every language the result is ICU's, for numbers
 * of every length and sign, and the fast way is the one in use. */
static void test_numbers_fast(void **state)
{
	struct buf fast, icu;
	uint64_t seed = 42;

	(void)state;
	buf_init(&fast, 1024);
	buf_init(&icu, 1024);
	for (int lang = 0; lang < WEB_NLANG; lang++) {
		struct fmt f;
		for (int i = 0; i < 3000; i++) {
			int64_t v;
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			v = (int64_t)(seed >> (1 + (i % 63)));   /* 1 to 63 bits */
			if (i % 3 == 0)
				v = -v;
			buf_reset(&fast);
			buf_reset(&icu);
			web_number(web_lang_code(lang), v, &fast);
			fmt_init(&f, lang);
			f.fast = NULL;   /* ICU's own */
			fmt_number(&f, v, &icu);
			fmt_release(&f);
			assert_string_equal(fast.p, icu.p);
		}
		fmt_init(&f, lang);
		assert_non_null(f.fast);
		assert_int_equal(f.fast->state, 1);
		fmt_release(&f);
	}
	buf_release(&fast);
	buf_release(&icu);
}

/* Data as the handlers give it, for the real pages. */
static json_t *page_data(void)
{
	return json_pack("{s:s, s:{s:s, s:s, s:s, s:s}, s:s, s:b, s:s, s:s,"
			 " s:[{s:s, s:s, s:b}, {s:s, s:s, s:b}],"
			 " s:{s:s, s:s, s:s, s:s},"
			 " s:[{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}], s:[{s:s, s:s}],"
			 " s:[{s:s, s:s, s:s, s:s, s:s, s:s}], s:s, s:i, s:s}",
			 "title", "T<>", "user", "display_name", "Ana", "login", "ana", "role", "admin",
			 "role_label", "Administrator", "csrf", "tok\"en", "is_admin", 1,
			 "today", "2026-11-22", "path", "/account",
			 "langs", "code", "en", "name", "English", "current", 0,
			 "code", "fa", "name", "فارسی", "current", 1,
			 "account", "login", "ana", "display_name", "Ana", "lang", "fa",
			 "created_at", "2026-11-22T10:00:00.000Z",
			 "users", "id", "0190", "login", "bob", "display_name", "Bob", "role", "teacher",
			 "role_label", "Teacher", "scope", "", "disabled", 1,
			 "created_at", "2026-11-22T10:00:00.000Z",
			 "roles", "code", "teacher", "label", "Teacher",
			 "entries", "at", "2026-11-22T10:00:00.000Z", "actor_login", "ana", "action",
			 "user.add", "object_kind", "user", "object_id", "0190", "ip", "10.0.0.1",
			 "next", "/admin/users?after=x", "status", 404, "message", "Page not found");
}

static void test_real_pages(void **state)
{
	static const char *const pages[] = {"login", "home", "account", "admin_users",
					    "admin_audit", "error"};
	struct errinfo ei = {0};
	json_t *data = page_data();
	struct web *w;
	struct buf out;

	(void)state;
	if (web_load(NULL, &w, &ei) != OK)
		fail_msg("web_load: %s", ei.msg);
	buf_init(&out, BUF_MAX_DEFAULT);
	for (size_t i = 0; i < sizeof pages / sizeof *pages; i++) {
		buf_reset(&out);
		if (web_render(w, pages[i], data, "fa", &out, &ei) != OK)
			fail_msg("%s: %s", pages[i], ei.msg);
		assert_non_null(strstr(out.p, "<html lang=\"fa\" dir=\"rtl\">"));
		assert_non_null(strstr(out.p, "۱۴۰۵"));
		assert_non_null(strstr(out.p, "T&lt;&gt;"));
		assert_non_null(strstr(out.p, "value=\"tok&quot;en\""));
		assert_null(strstr(out.p, "<script"));
		assert_null(strstr(out.p, "style="));
		assert_null(strstr(out.p, "{{"));
		assert_true(out.len < 50 * 1024);
		assert_true(utf8_valid(out.p, out.len, NULL));
	}
	buf_reset(&out);
	assert_int_equal(web_render(w, "account", data, "en", &out, &ei), OK);
	assert_non_null(strstr(out.p, "<option value=\"fa\" lang=\"fa\" selected>"));
	assert_non_null(strstr(out.p, "href=\"/account\" aria-current=\"page\""));
	assert_non_null(strstr(out.p, "href=\"reach.css\""));
	buf_release(&out);
	json_decref(data);
	web_free(w);
}

struct job {
	const struct web *w;
	const char *lang;
	const char *want;
	bool ok;
};

static void *render_many(void *arg)
{
	struct job *j = arg;
	json_t *data = page_data();
	struct buf out;

	j->ok = true;
	buf_init(&out, BUF_MAX_DEFAULT);
	for (int i = 0; i < 50 && j->ok; i++) {
		buf_reset(&out);
		j->ok = web_render(j->w, "admin_audit", data, j->lang, &out, NULL) == OK &&
			strcmp(out.p, j->want) == 0;
	}
	buf_release(&out);
	json_decref(data);
	return NULL;
}

static void test_threads(void **state)
{
	static const char *const langs[] = {"en", "fa", "vi", "az"};
	struct errinfo ei = {0};
	struct buf want[4];
	struct job jobs[8];
	pthread_t th[8];
	json_t *data = page_data();
	struct web *w;

	(void)state;
	assert_int_equal(web_load(NULL, &w, &ei), OK);
	for (int i = 0; i < 4; i++) {
		buf_init(&want[i], BUF_MAX_DEFAULT);
		assert_int_equal(web_render(w, "admin_audit", data, langs[i], &want[i], &ei), OK);
	}
	for (int i = 0; i < 8; i++) {
		jobs[i] = (struct job){w, langs[i % 4], want[i % 4].p, false};
		assert_int_equal(pthread_create(&th[i], NULL, render_many, &jobs[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_true(jobs[i].ok);
	}
	for (int i = 0; i < 4; i++)
		buf_release(&want[i]);
	json_decref(data);
	web_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_each),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_partials_and_layout),
		cmocka_unit_test(test_cycles),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_translation),
		cmocka_unit_test(test_catalog_byte_order),
		cmocka_unit_test(test_lang_pick),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_date_helper),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_numbers_fast),
		cmocka_unit_test(test_dates_kept),
		cmocka_unit_test(test_real_pages),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
