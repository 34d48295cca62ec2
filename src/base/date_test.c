/*
 * date_test.c — Gregorian and Solar Hijri dates: known conversions, leap
 * years in both calendars, digits in three scripts, and the messages a
 * clerk reads when a date is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/date.h"
#include "base/err.h"
#include "base/banned.h"

/* Parses s in cal, asserting success, and returns the ISO form. */
static void expect_date(const char *s, enum date_cal cal, const char *want)
{
	struct errinfo ei;
	struct date d;
	char iso[DATE_ISO_LEN];

	err_clear(&ei);
	if (date_parse_year_or_date(s, cal, &d, &ei) != OK)
		print_error("\"%s\": %s\n", s, ei.msg);
	assert_int_equal(ei.code, OK);
	date_iso(d, iso);
	assert_string_equal(iso, want);
}

/* Parses s in cal, asserting failure with exactly the message want. */
static void expect_error(const char *s, enum date_cal cal, const char *want)
{
	struct date d = {1, 2, 3};
	struct errinfo ei;

	err_clear(&ei);
	assert_int_equal(date_parse(s, cal, &d, &ei), ERR_INVALID);
	assert_int_equal(ei.code, ERR_INVALID);
	assert_string_equal(ei.field, "");
	if (strcmp(ei.msg, want) != 0)
		print_error("\"%s\": got \"%s\"\n", s, ei.msg);
	assert_string_equal(ei.msg, want);
	assert_int_equal(d.y, 1);       /* untouched */
}

static void test_valid(void **state)
{
	(void)state;
	assert_true(date_valid((struct date){2024, 2, 29}));
	assert_true(date_valid((struct date){2000, 2, 29}));
	assert_false(date_valid((struct date){2100, 2, 29}));
	assert_false(date_valid((struct date){2026, 2, 29}));
	assert_true(date_valid((struct date){2026, 12, 31}));
	assert_false(date_valid((struct date){2026, 4, 31}));
	assert_false(date_valid((struct date){2026, 13, 1}));
	assert_false(date_valid((struct date){2026, 0, 1}));
	assert_false(date_valid((struct date){2026, 1, 0}));
	assert_true(date_valid((struct date){1800, 1, 1}));
	assert_false(date_valid((struct date){1799, 12, 31}));
	assert_true(date_valid((struct date){2200, 12, 31}));
	assert_false(date_valid((struct date){2201, 1, 1}));
	assert_false(date_valid((struct date){1998, 0, 0}));  /* year only */
	assert_int_equal(date_days_in_month(2024, 2), 29);
	assert_int_equal(date_days_in_month(1900, 2), 28);
	assert_int_equal(date_days_in_month(2024, 13), 0);
}

static void test_gregorian(void **state)
{
	(void)state;
	expect_date("2026-11-22", DATE_GREGORIAN, "2026-11-22");
	expect_date("2026/11/22", DATE_GREGORIAN, "2026-11-22");
	expect_date("2026-1-2", DATE_GREGORIAN, "2026-01-02");
	expect_date(" 2024-02-29 ", DATE_GREGORIAN, "2024-02-29");
	expect_date("۲۰۲۶-۱۱-۲۲", DATE_GREGORIAN, "2026-11-22");
	expect_date("1800-01-01", DATE_GREGORIAN, "1800-01-01");
	expect_date("2200-12-31", DATE_GREGORIAN, "2200-12-31");
}

/* The known days the Solar Hijri conversion must get right. */
static void test_solar_hijri_known(void **state)
{
	static const struct {
		const char *sh, *g;
	} known[] = {
		{"1400/04/12", "2021-07-03"},
		{"1405/09/01", "2026-11-22"},
		{"1399/12/30", "2021-03-20"},   /* 1399 was a leap year */
		{"1403/12/30", "2025-03-20"},   /* so was 1403 */
		{"1404/01/01", "2025-03-21"},   /* Nowruz */
		{"1400/01/01", "2021-03-21"},
		{"1399/01/01", "2020-03-20"},
		{"1404/12/29", "2026-03-20"},
		{"1357/11/22", "1979-02-11"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		struct date g, sh;
		char iso[DATE_ISO_LEN];

		expect_date(known[i].sh, DATE_SOLAR_HIJRI, known[i].g);
		expect_date(known[i].sh, DATE_AUTO, known[i].g);
		assert_int_equal(date_parse(known[i].g, DATE_GREGORIAN, &g, NULL), OK);
		assert_int_equal(date_to_solar_hijri(g, &sh), OK);
		date_iso(sh, iso);
		iso[4] = iso[7] = '/';
		assert_string_equal(iso, known[i].sh);
	}
}

static void test_solar_hijri_forms(void **state)
{
	(void)state;
	expect_date("1400-04-12", DATE_SOLAR_HIJRI, "2021-07-03");
	expect_date("1400/4/12", DATE_SOLAR_HIJRI, "2021-07-03");
	expect_date("۱۴۰۰/۰۴/۱۲", DATE_SOLAR_HIJRI, "2021-07-03");
	expect_date("١٤٠٠/٠٤/١٢", DATE_SOLAR_HIJRI, "2021-07-03");
	expect_date("۱۴۰۰-۰۴-۱۲", DATE_AUTO, "2021-07-03");
	expect_date("2021-07-03", DATE_AUTO, "2021-07-03");
	expect_date("1400/06/31", DATE_SOLAR_HIJRI, "2021-09-22");
	expect_date("1400/07/30", DATE_SOLAR_HIJRI, "2021-10-22");
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("1400/13/01", DATE_SOLAR_HIJRI, "1400/13/01: there is no month 13");
	expect_error("1400/00/10", DATE_SOLAR_HIJRI, "1400/00/10: there is no month 0");
	expect_error("1400/01/00", DATE_SOLAR_HIJRI, "1400/01/00: there is no day 0");
	expect_error("1400/12/30", DATE_SOLAR_HIJRI, "1400/12/30: Esfand 1400 has 29 days");
	expect_error("1404/12/30", DATE_AUTO, "1404/12/30: Esfand 1404 has 29 days");
	expect_error("1400/07/31", DATE_SOLAR_HIJRI, "1400/07/31: Mehr 1400 has 30 days");
	expect_error("۱۴۰۰/۱۳/۰۱", DATE_SOLAR_HIJRI, "۱۴۰۰/۱۳/۰۱: there is no month 13");
	expect_error("2026-02-30", DATE_GREGORIAN, "2026-02-30: February 2026 has 28 days");
	expect_error("2026-02-29", DATE_AUTO, "2026-02-29: February 2026 has 28 days");
	expect_error("2100-02-29", DATE_GREGORIAN, "2100-02-29: February 2100 has 28 days");
	expect_error("2026-04-31", DATE_GREGORIAN, "2026-04-31: April 2026 has 30 days");
	expect_error("2026-13-01", DATE_GREGORIAN, "2026-13-01: there is no month 13");
	expect_error("1799-12-31", DATE_GREGORIAN,
		     "1799-12-31: the year must be between 1800 and 2200");
	expect_error("2201-01-01", DATE_GREGORIAN,
		     "2201-01-01: the year must be between 1800 and 2200");
	expect_error("1400-04-12", DATE_GREGORIAN,
		     "1400-04-12: the year must be between 1800 and 2200");
	expect_error("1100/01/01", DATE_SOLAR_HIJRI,
		     "1100/01/01: the year must be between 1179 and 1579 in the Solar Hijri calendar");
	expect_error("2021-07-03", DATE_SOLAR_HIJRI,
		     "2021-07-03: the year must be between 1179 and 1579 in the Solar Hijri calendar");
	expect_error("", DATE_GREGORIAN, "the date is empty");
	expect_error("  ", DATE_AUTO, "the date is empty");
	expect_error("abc", DATE_GREGORIAN, "abc: not a date; write YYYY-MM-DD");
	expect_error("2026-01/02", DATE_GREGORIAN, "2026-01/02: not a date; write YYYY-MM-DD");
	expect_error("20260102", DATE_GREGORIAN, "20260102: not a date; write YYYY-MM-DD");
	expect_error("22/11/2026", DATE_GREGORIAN, "22/11/2026: not a date; write YYYY-MM-DD");
	expect_error("2026-011-02", DATE_GREGORIAN, "2026-011-02: not a date; write YYYY-MM-DD");
	expect_error("2026-11", DATE_GREGORIAN, "2026-11: not a date; write YYYY-MM-DD");
	expect_error("2026-11-", DATE_GREGORIAN, "2026-11-: not a date; write YYYY-MM-DD");
	expect_error("2026--11", DATE_GREGORIAN, "2026--11: not a date; write YYYY-MM-DD");
	expect_error("2026-11-22x", DATE_GREGORIAN, "2026-11-22x: not a date; write YYYY-MM-DD");
	expect_error("2026 -11-22", DATE_GREGORIAN, "2026 -11-22: not a date; write YYYY-MM-DD");
	expect_error("2026", DATE_GREGORIAN, "2026: not a date; write YYYY-MM-DD");
	expect_error("14000412", DATE_SOLAR_HIJRI,
		     "14000412: not a date; write YYYY/MM/DD (Solar Hijri)");
	expect_error("x", DATE_AUTO,
		     "x: not a date; write YYYY-MM-DD, or YYYY/MM/DD in the Solar Hijri calendar");
	expect_error("2026-11-22\xff", DATE_GREGORIAN, "this is not a date: write YYYY-MM-DD");
}

static void test_year_only(void **state)
{
	struct date d;
	struct errinfo ei;

	(void)state;
	assert_int_equal(date_parse_year_or_date("1998", DATE_GREGORIAN, &d, NULL), OK);
	assert_int_equal(d.y, 1998);
	assert_int_equal(d.m, 0);
	assert_int_equal(d.d, 0);
	assert_false(date_valid(d));
	expect_date("1998", DATE_GREGORIAN, "1998");
	expect_date("1377", DATE_SOLAR_HIJRI, "1998");
	expect_date("۱۳۷۷", DATE_AUTO, "1998");
	expect_date("1998-05-04", DATE_AUTO, "1998-05-04");
	expect_date("1377/02/14", DATE_AUTO, "1998-05-04");
	err_clear(&ei);
	assert_int_equal(date_parse_year_or_date("1750", DATE_AUTO, &d, &ei), ERR_INVALID);
	assert_string_equal(ei.msg, "1750: the year must be between 1800 and 2200, "
			    "or 1179 and 1579 in the Solar Hijri calendar");
	err_clear(&ei);
	assert_int_equal(date_parse_year_or_date("1750", DATE_GREGORIAN, &d, &ei), ERR_INVALID);
	assert_string_equal(ei.msg, "1750: the year must be between 1800 and 2200");
	err_clear(&ei);
	assert_int_equal(date_parse_year_or_date("98", DATE_AUTO, &d, &ei), ERR_INVALID);
}

static void test_iso(void **state)
{
	char iso[DATE_ISO_LEN];

	(void)state;
	date_iso((struct date){2026, 1, 2}, iso);
	assert_string_equal(iso, "2026-01-02");
	date_iso((struct date){1998, 0, 0}, iso);
	assert_string_equal(iso, "1998");
}

/* Every day Reach accepts goes to Solar Hijri and back, and day numbers
 * count without gaps. */
static void test_round_trip(void **state)
{
	struct date first = {DATE_YEAR_MIN, 1, 1}, last = {DATE_YEAR_MAX, 12, 31};
	int32_t from = date_days(first), to = date_days(last);
	struct date prev_sh = {0, 0, 0};

	(void)state;
	assert_int_equal(date_days((struct date){1970, 1, 1}), 0);
	assert_int_equal(date_days((struct date){2000, 3, 1}), 11017);
	for (int32_t n = from; n <= to; n++) {
		struct date g = date_from_days(n), sh, back;

		assert_true(date_valid(g));
		assert_int_equal(date_days(g), n);
		assert_int_equal(date_to_solar_hijri(g, &sh), OK);
		assert_int_equal(date_from_solar_hijri(sh, &back), OK);
		assert_int_equal(date_days(back), n);
		if (prev_sh.y && sh.d == 1 && sh.m == 1)
			assert_true(prev_sh.m == 12 && (prev_sh.d == 29 || prev_sh.d == 30));
		prev_sh = sh;
	}
	assert_int_equal(date_days(date_from_days(to)) - from + 1, 146462);
	assert_int_equal(date_to_solar_hijri((struct date){2026, 2, 30}, &prev_sh), ERR_INVALID);
	assert_int_equal(date_from_solar_hijri((struct date){1400, 12, 30}, &prev_sh), ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_gregorian),
		cmocka_unit_test(test_solar_hijri_known),
		cmocka_unit_test(test_solar_hijri_forms),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_year_only),
		cmocka_unit_test(test_iso),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
