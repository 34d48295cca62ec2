/*
 * text_test.c — search forms, transliteration, skeletons and name checks,
 * on hand-made names in Persian, Vietnamese, Azerbaijani and other scripts.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unicode/umachine.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/text.h"
#include "base/banned.h"

typedef enum err (*fold_fn)(const char *s, size_t n, struct buf *out);

/* Returns f(s) as a malloc'd string, asserting success. */
static char *form(fold_fn f, const char *s)
{
	struct buf b;

	buf_init(&b, BUF_MAX_DEFAULT);
	assert_int_equal(f(s, strlen(s), &b), OK);
	assert_int_equal(strlen(b.p), b.len);
	return buf_detach(&b, NULL);
}

static void check(fold_fn f, const char *in, const char *want)
{
	char *got = form(f, in);

	if (strcmp(got, want) != 0)
		print_error("input \"%s\": got \"%s\", want \"%s\"\n", in, got, want);
	assert_string_equal(got, want);
	free(got);
}

/* All the NULL-terminated inputs give one form. */
static void same(fold_fn f, ...)
{
	const char *s;
	char *first = NULL;
	va_list ap;

	va_start(ap, f);
	while ((s = va_arg(ap, const char *)) != NULL) {
		char *got = form(f, s);
		if (!first) {
			first = got;
			continue;
		}
		if (strcmp(got, first) != 0)
			print_error("input \"%s\": got \"%s\", want \"%s\"\n", s, got, first);
		assert_string_equal(got, first);
		free(got);
	}
	va_end(ap);
	free(first);
}

static void differ(fold_fn f, const char *a, const char *b)
{
	char *x = form(f, a), *y = form(f, b);

	assert_string_not_equal(x, y);
	free(x);
	free(y);
}

/* ---- text_fold ---- */

static void test_fold_ascii(void **state)
{
	(void)state;
	check(text_fold, "  Dang-Van  ISMAYILOV ", "dang van ismayilov");
	check(text_fold, "O'Brien", "o brien");
	check(text_fold, "a\tb\r\n c", "a b c");
	check(text_fold, "", "");
	check(text_fold, " - ", "");
	check(text_fold, "Room 12B", "room 12b");
	check(text_fold_compact, "O'Brien-Smith Jr.", "obriensmithjr");
}

static void test_fold_vietnamese(void **state)
{
	(void)state;
	/* NFD input: e + circumflex + tilde. */
	same(text_fold, "Nguye\xcc\x82\xcc\x83n", "Nguyễn", "NGUYỄN", "Nguyen", NULL);
	same(text_fold_keep_tones, "Nguye\xcc\x82\xcc\x83n", "Nguyễn", "NGUYỄN", NULL);
	check(text_fold, "Nguyễn Thị Minh Khai", "nguyen thi minh khai");
	check(text_fold_keep_tones, "Nguyễn Thị Minh Khai", "nguyễn thị minh khai");
	same(text_fold, "Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai", NULL);
	differ(text_fold_keep_tones, "Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai");
	differ(text_fold_keep_tones, "Nguyễn", "Nguyên");
	check(text_fold, "Đặng", "dang");
	check(text_fold, "ĐẶNG", "dang");
	check(text_fold_keep_tones, "ĐẶNG", "đặng");
	check(text_fold_keep_tones, "D\xcc\x9b", "d\xcc\x9b");
	check(text_fold, "Trần Đức Thắng", "tran duc thang");
}

static void test_fold_azerbaijani(void **state)
{
	(void)state;
	same(text_fold, "İsmayılov", "ISMAYILOV", "Ismayilov", "ismayılov", "İSMAYİLOV", NULL);
	check(text_fold, "İsmayılov", "ismayilov");
	check(text_fold_keep_tones, "İsmayılov", "ismayilov");
	check(text_fold, "Əliyev", "eliyev");
	check(text_fold, "ƏLİYEV", "eliyev");
	check(text_fold_keep_tones, "Əliyev", "əliyev");
	check(text_fold, "Şəhriyar Çələbi Ağayev Gülnarə Öztürk",
	      "sehriyar celebi agayev gulnare ozturk");
}

static void test_fold_persian_letters(void **state)
{
	(void)state;
	same(text_fold, "علي", "علی", "على", NULL);
	check(text_fold, "علي", "علی");
	check(text_fold, "كريمي", "کریمی");
	same(text_fold, "كريمي", "کریمی", NULL);
	check(text_fold, "فاطمة", "فاطمه");
	check(text_fold, "أحمد", "احمد");
	check(text_fold, "إبراهيم", "ابراهیم");
	check(text_fold, "آرش", "ارش");
	check(text_fold, "ٱلله", "الله");
	check(text_fold, "مؤمن", "مومن");
	check(text_fold, "رئيس", "رییس");
	check(text_fold, "خانهٔ", "خانه");
	check(text_fold, "ﻣﺤﻤﺪ", "محمد");   /* presentation forms */
	check(text_fold_keep_tones, "كريمي", "کریمی");
}

static void test_fold_zwnj(void **state)
{
	(void)state;
	check(text_fold, "محمد\u200cرضا", "محمدرضا");
	check(text_fold, "محمد رضا", "محمد رضا");
	check(text_fold, "  محمد   رضا  ", "محمد رضا");
	same(text_fold, "محمد\u200cرضا", "محمدرضا", "محمد\u200dرضا", "\u200fمحمدرضا\u200e", NULL);
	same(text_fold_compact, "محمدرضا", "محمد\u200cرضا", "محمد رضا", "محمد-رضا",
	     "محمد - رضا", NULL);
	check(text_fold_compact, "محمد رضا", "محمدرضا");
	check(text_fold, "Ali\u00adreza", "alireza");  /* soft hyphen */
}

static void test_fold_digits(void **state)
{
	(void)state;
	check(text_fold, "۱۴۰۰/۰۴/۱۲", "1400 04 12");
	check(text_fold, "١٤٠٠", "1400");
	check(text_fold_compact, "۰۹۱۲-۳۴۵", "0912345");
	check(text_fold, "ＡＢＣ１２", "abc12");   /* fullwidth */
}

static void test_fold_tatweel_harakat(void **state)
{
	(void)state;
	same(text_fold, "مـحـمـد", "محمد", "مُحَمَّد", "مــــحمد", NULL);
	check(text_fold, "مُحَمَّد", "محمد");
	check(text_fold, "عَلِيّ", "علی");
	check(text_fold, "قُرْآن", "قران");
	check(text_fold, "رَحْمَٰن", "رحمن");        /* superscript alef */
}

static void test_fold_other_scripts(void **state)
{
	(void)state;
	check(text_fold, "Иванов Пётр", "иванов петр");
	check(text_fold_keep_tones, "Иванов Пётр", "иванов пётр");
	check(text_fold, "Straße", "strasse");
	check(text_fold, "한국", "한국");          /* Hangul decomposes and recomposes */
	check(text_fold, "Łódź Øre", "lodz ore");
	check(text_fold, "ʿAli", "ali");
	check(text_fold, "x😀y", "x y");
}

static void test_fold_invalid(void **state)
{
	static const fold_fn fns[] = {text_fold, text_fold_compact, text_fold_keep_tones,
				      text_latin, text_skeleton};
	static const char *bad[] = {"\xff", "ab\xc3", "\xed\xa0\x80", "\xc0\xaf", "Ali\xe2\x82"};
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			buf_reset(&b);
			buf_puts(&b, "kept");
			assert_int_equal(fns[i](bad[j], strlen(bad[j]), &b), ERR_INVALID);
			assert_string_equal(b.p, "kept");
		}
	}
	buf_release(&b);
}

static void test_fold_appends_and_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	buf_puts(&b, "x|");
	assert_int_equal(text_fold("Nguyễn", strlen("Nguyễn"), &b), OK);
	buf_addc(&b, '|');
	assert_int_equal(text_fold("Ali", 3, &b), OK);
	assert_string_equal(b.p, "x|nguyen|ali");
	buf_release(&b);

	buf_init(&b, 4);
	assert_int_equal(text_fold("Mohammad", 8, &b), ERR_LIMIT);
	assert_int_equal(b.err, ERR_LIMIT);
	buf_release(&b);
	buf_init(&b, 4);
	assert_int_equal(text_fold("محمدرضا", strlen("محمدرضا"), &b), ERR_LIMIT);
	buf_release(&b);
	buf_init(&b, 3);
	assert_int_equal(text_skeleton("Mohammadreza", 12, &b), ERR_LIMIT);
	assert_string_equal(b.p, "");
	buf_release(&b);
}

/* Long texts leave the stack buffers for the heap. */
static void test_fold_long(void **state)
{
	struct buf in, want;
	char *got;

	(void)state;
	buf_init(&in, BUF_MAX_DEFAULT);
	buf_init(&want, BUF_MAX_DEFAULT);
	for (int i = 0; i < 3000; i++) {
		buf_puts(&in, "Nguye\xcc\x82\xcc\x83n ﷺ مـحـمـد‌رضا ");
		buf_puts(&want, i ? " " : "");
		buf_puts(&want, "nguyen صلی الله علیه وسلم محمدرضا");
	}
	got = form(text_fold, in.p);
	assert_string_equal(got, want.p);
	free(got);
	got = form(text_latin, in.p);
	assert_non_null(strstr(got, "nguyen sli allh "));
	free(got);
	buf_release(&in);
	buf_release(&want);
}

/* The fast paths (ASCII without ICU; Arabic script without NFKD) agree
 * with the ICU path, which "É" forces on a text. */
static void agree(fold_fn f, UChar32 c)
{
	char one[8], with[16], alone[16];
	struct buf a, b;
	size_t n = 0;

	if (c < 0x80)
		one[n++] = (char)c;
	else if (c < 0x800) {
		one[n++] = (char)(0xC0 | (c >> 6));
		one[n++] = (char)(0x80 | (c & 0x3F));
	} else {
		one[n++] = (char)(0xE0 | (c >> 12));
		one[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
		one[n++] = (char)(0x80 | (c & 0x3F));
	}
	one[n] = '\0';
	snprintf(with, sizeof with, "\xc3\x89 %s x", one);
	snprintf(alone, sizeof alone, "%s x", one);
	buf_init(&a, 1024);
	buf_init(&b, 1024);
	assert_int_equal(f(with, strlen(with), &a), OK);
	buf_puts(&b, f == text_fold_keep_tones ? "é" : "e");
	if (f != text_fold_compact)
		buf_addc(&b, ' ');
	assert_int_equal(f(alone, strlen(alone), &b), OK);
	if (strcmp(a.p, b.p) != 0)
		print_error("U+%04X: \"%s\" against \"%s\"\n", (unsigned)c, a.p, b.p);
	assert_string_equal(a.p, b.p);
	buf_release(&a);
	buf_release(&b);
}

static void test_fold_fast_paths(void **state)
{
	static const fold_fn fns[] = {text_fold, text_fold_compact, text_fold_keep_tones};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		for (UChar32 c = 1; c < 0x80; c++)
			agree(fns[i], c);
		for (UChar32 c = 0x0600; c <= 0x06FF; c++)
			agree(fns[i], c);
		for (UChar32 c = 0x200B; c <= 0x200F; c++)
			agree(fns[i], c);
	}
}

/* Every character of the Basic Multilingual Plane folds without harm. */
static void test_fold_every_character(void **state)
{
	static const fold_fn fns[] = {text_fold, text_fold_compact, text_fold_keep_tones};
	struct buf b;

	(void)state;
	buf_init(&b, 1024);
	for (UChar32 c = 1; c < 0x10000; c++) {
		char s[4];
		size_t n = 0;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		if (c < 0x80) {
			s[n++] = (char)c;
		} else if (c < 0x800) {
			s[n++] = (char)(0xC0 | (c >> 6));
			s[n++] = (char)(0x80 | (c & 0x3F));
		} else {
			s[n++] = (char)(0xE0 | (c >> 12));
			s[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
			s[n++] = (char)(0x80 | (c & 0x3F));
		}
		for (size_t i = 0; i < 3; i++) {
			buf_reset(&b);
			assert_int_equal(fns[i](s, n, &b), OK);
			assert_int_equal(strlen(b.p), b.len);
		}
	}
	buf_release(&b);
}

/* ---- text_latin ---- */

static void test_latin(void **state)
{
	(void)state;
	check(text_latin, "Иванов Пётр", "ivanov petr");
	check(text_latin, "Nguyễn Đặng", "nguyen dang");
	check(text_latin, "Əliyev", "eliyev");
	check(text_latin, "Ελένη", "elene");
	check(text_latin, "محمدرضا کریمی", "mhmdrza krimi");
	check(text_latin, "علی", "ali");
	check(text_latin, "يوسف", "yusf");
	check(text_latin, "داوود", "davud");
	check(text_latin, "ایرج", "irj");
	check(text_latin, "خدیجه ژاله قاسم چمران شهلا", "khdijh zhalh ghasm chmran shhla");
	check(text_latin, "۱۴۰۰", "1400");
}

/* ---- text_skeleton ---- */

static void test_skeleton_persian_latin(void **state)
{
	(void)state;
	check(text_skeleton, "محمدرضا", "mhmdrz");
	same(text_skeleton, "محمدرضا", "Mohammadreza", "Mohamadreza", "Muhammadrizā",
	     "MOHAMMAD REZA", "محمد رضا", "محمد\u200cرضا", "Mohammad-Reza", NULL);
	check(text_skeleton, "کریمی", "krm");
	same(text_skeleton, "Karimi", "Karimy", "کریمی", "كريمي", NULL);
	check(text_skeleton, "حسینی", "hsn");
	same(text_skeleton, "Hosseini", "Hoseyni", "Husaini", "حسینی", "Hoseini", NULL);
	same(text_skeleton, "محمدرضا کریمی", "Mohammadreza Karimi", "Mohamadreza Karimy", NULL);
	same(text_skeleton, "Ali", "علی", "علي", "Aly", NULL);
	same(text_skeleton, "Fatemeh", "Fateme", "Fatima", "فاطمه", "فاطمة", NULL);
	same(text_skeleton, "Abdollah", "عبدالله", "Abdullah", NULL);
	same(text_skeleton, "Ghasem", "Qasem", "قاسم", NULL);
	same(text_skeleton, "Yousef", "Yusuf", "یوسف", NULL);
	same(text_skeleton, "Davood", "Davud", "داوود", NULL);
	same(text_skeleton, "Parvin", "پروین", NULL);
	same(text_skeleton, "Omid", "امید", NULL);
	same(text_skeleton, "Ebrahim", "Ibrahim", "ابراهیم", "إبراهيم", NULL);
	same(text_skeleton, "Saeed", "Said", "سعید", NULL);
	same(text_skeleton, "Sorayya", "Thurayya", "ثریا", NULL);
	same(text_skeleton, "Zabihollah", "Dhabihullah", "ذبیح‌الله", NULL);
	same(text_skeleton, "Khadijeh", "Khadija", "خدیجه", "Xədicə", NULL);
	same(text_skeleton, "Aliasghar", "Ali Asghar", "علی‌اصغر", "علی اصغر", NULL);
	same(text_skeleton, "Mohammadhadi", "محمدهادی", NULL);
	same(text_skeleton, "Fathollah", "فتح‌الله", NULL);
	differ(text_skeleton, "Karimi", "Hosseini");
	differ(text_skeleton, "Mohammadreza", "Mohammadali");
}

static void test_skeleton_azerbaijani(void **state)
{
	(void)state;
	check(text_skeleton, "Əliyev", "alv");
	same(text_skeleton, "Əliyev", "Aliyev", "Eliyev", "ƏLİYEV", "Aliev", NULL);
	same(text_skeleton, "Məmmədov", "Mammadov", "Mamedov", NULL);
	same(text_skeleton, "İsmayılov", "Ismayilov", "ISMAYILOV", NULL);
	same(text_skeleton, "Cavid", "Javid", "Dzhavid", "جاوید", NULL);
	same(text_skeleton, "Çingiz", "Chingiz", "Cingiz", NULL);
	same(text_skeleton, "Ağayev", "Agayev", "Aghayev", NULL);
	same(text_skeleton, "Xəlilov", "Khalilov", NULL);
	same(text_skeleton, "Şahin", "Shahin", "Sahin", "شاهین", NULL);
}

static void test_skeleton_other(void **state)
{
	(void)state;
	check(text_skeleton, "", "");
	check(text_skeleton, "---", "");
	check(text_skeleton, "Ee", "a");
	check(text_skeleton, "۱۴۰۰", "1400");
	same(text_skeleton, "Иванов", "Ivanov", NULL);
	same(text_skeleton, "Nguyễn", "Nguyen", "NGUYEN", NULL);
}

/* ---- text_valid_name ---- */

static void expect_bad_name(const char *s, size_t n, const char *part)
{
	struct errinfo ei;

	err_clear(&ei);
	assert_int_equal(text_valid_name(s, n, &ei), ERR_INVALID);
	assert_int_equal(ei.code, ERR_INVALID);
	if (!strstr(ei.msg, part))
		print_error("message \"%s\" lacks \"%s\"\n", ei.msg, part);
	assert_non_null(strstr(ei.msg, part));
}

static void test_valid_name(void **state)
{
	static const char *good[] = {"Ali", "محمد\u200cرضا", "Nguyễn Thị Minh Khai", "Əliyev",
				     "O'Brien-Smith", "  Ali  ", "x"};
	char name[1024];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(text_valid_name(good[i], strlen(good[i]), NULL), OK);
	expect_bad_name("", 0, "empty");
	expect_bad_name("   ", 3, "empty");
	expect_bad_name("\u200c", 3, "empty");
	expect_bad_name("a\nb", 3, "control character (U+000A at character 2)");
	expect_bad_name("a\0b", 3, "control character");
	expect_bad_name("Ali\u202e", 6, "control character (U+202E");
	expect_bad_name("Ali\xff", 4, "not valid UTF-8 (byte 4");

	memset(name, 'a', 200);
	assert_int_equal(text_valid_name(name, 200, NULL), OK);
	name[200] = 'a';
	expect_bad_name(name, 201, "longer than 200 characters (it has 201)");
	for (int i = 0; i < 200; i++)
		memcpy(name + 2 * i, "ی", 2);          /* 200 characters, 400 bytes */
	assert_int_equal(text_valid_name(name, 400, NULL), OK);
	name[0] = ' ';                              /* spaces around are trimmed */
	for (int i = 0; i < 200; i++)
		memcpy(name + 1 + 2 * i, "ی", 2);
	name[401] = ' ';
	assert_int_equal(text_valid_name(name, 402, NULL), OK);
	memcpy(name + 401, "ی", 2);
	expect_bad_name(name, 403, "(it has 201)");
}

/* ---- threads ---- */

static void *fold_many(void *arg)
{
	int *bad = arg;
	struct buf b;

	buf_init(&b, 4096);
	for (int i = 0; i < 200; i++) {
		buf_reset(&b);
		text_latin("Иванов محمدرضا", strlen("Иванов محمدرضا"), &b);
		*bad += strcmp(b.p, "ivanov mhmdrza") != 0;
		buf_reset(&b);
		text_skeleton("Пётр", strlen("Пётр"), &b);
		*bad += strcmp(b.p, "ptr") != 0;
	}
	buf_release(&b);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	int bad[4] = {0};

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fold_many, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_fold_vietnamese),
		cmocka_unit_test(test_fold_azerbaijani),
		cmocka_unit_test(test_fold_persian_letters),
		cmocka_unit_test(test_fold_zwnj),
		cmocka_unit_test(test_fold_digits),
		cmocka_unit_test(test_fold_tatweel_harakat),
		cmocka_unit_test(test_fold_other_scripts),
		cmocka_unit_test(test_fold_invalid),
		cmocka_unit_test(test_fold_appends_and_limit),
		cmocka_unit_test(test_fold_long),
		cmocka_unit_test(test_fold_fast_paths),
		cmocka_unit_test(test_fold_every_character),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_skeleton_persian_latin),
		cmocka_unit_test(test_skeleton_azerbaijani),
		cmocka_unit_test(test_skeleton_other),
		cmocka_unit_test(test_valid_name),
		cmocka_unit_test(test_threads),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	text_thread_release();
	return failed;
}
