/*
 * date.h — calendar dates without a time of day: birth dates, enrolment
 * dates. Reach stores dates in the Gregorian calendar ("YYYY-MM-DD") and
 * reads them in the Gregorian or the Solar Hijri (Iranian, "persian" in
 * ICU) calendar, with Latin, Persian (۱۴۰۰) or Arabic-Indic (١٤٠٠) digits.
 *
 * A struct date is Gregorian unless a function says otherwise. A real date
 * has y, m and d set and lies in DATE_YEAR_MIN..DATE_YEAR_MAX (a register
 * date outside them is a typing error). {y, 0, 0} means "only the year is
 * known" and is produced only by date_parse_year_or_date; date_valid is
 * false for it.
 *
 * The Solar Hijri calendar comes from ICU: a table of the Gregorian day of
 * each Nowruz (1 Farvardin) over the years Reach accepts is read from ICU
 * once per process and never changes, so conversions are arithmetic and
 * every function here is thread-safe. ICU computes Solar Hijri leap years
 * arithmetically, which agrees with the official (astronomical) calendar
 * over the years in use today.
 *
 * Error messages are English sentences a clerk can act on, starting with
 * the text as written ("1400/13/01: there is no month 13"); ei->field is
 * left empty for the caller to name.
 */
#ifndef BASE_DATE_H
#define BASE_DATE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

#define DATE_YEAR_MIN 1800
#define DATE_YEAR_MAX 2200

/* "YYYY-MM-DD" and its NUL. */
#define DATE_ISO_LEN 11

/* A year below this, when the calendar is DATE_AUTO, is Solar Hijri. */
#define DATE_AUTO_SH_BELOW 1700

struct date {
	int y, m, d;
};

enum date_cal {
	DATE_GREGORIAN,     /* YYYY-MM-DD or YYYY/MM/DD */
	DATE_SOLAR_HIJRI,   /* YYYY/MM/DD or YYYY-MM-DD, converted to Gregorian */
	DATE_AUTO,          /* Solar Hijri when the year is below 1700 */
};

/* True when d is a real Gregorian day within the years Reach accepts. */
bool date_valid(struct date d);

/* Days in Gregorian month m (1–12) of year y; 0 when m is not a month. */
int date_days_in_month(int y, int m);

/*
 * Reads a date written YYYY-MM-DD or YYYY/MM/DD (month and day may have
 * one digit; the two separators must be the same; spaces around are
 * ignored) in calendar cal, and gives the Gregorian date in *out. Solar
 * Hijri months 1–6 have 31 days, 7–11 have 30, and Esfand (12) has 29, or
 * 30 in a leap year. Returns OK, or ERR_INVALID with a message saying what
 * is wrong: "2026-02-30: February 2026 has 28 days", "1400/12/30: Esfand
 * 1400 has 29 days", "1400/13/01: there is no month 13". *out is
 * untouched on error.
 */
enum err date_parse(const char *s, enum date_cal cal, struct date *out,
		    struct errinfo *ei);

/*
 * date_parse, but a bare four-digit year ("1998", "۱۳۷۷") is accepted too
 * and gives {year, 0, 0}: the year is known, the day is not. A Solar Hijri
 * year becomes the Gregorian year of its Nowruz (year + 621), which holds
 * nine of its twelve months.
 */
enum err date_parse_year_or_date(const char *s, enum date_cal cal, struct date *out,
				 struct errinfo *ei);

/* Writes d as "YYYY-MM-DD", or "YYYY" when only the year is known. */
void date_iso(struct date d, char out[DATE_ISO_LEN]);

/* The Solar Hijri date of Gregorian g. ERR_INVALID if !date_valid(g). */
enum err date_to_solar_hijri(struct date g, struct date *sh);

/* The Gregorian date of Solar Hijri sh. ERR_INVALID if sh is not a day of
 * that calendar or falls outside the years Reach accepts. */
enum err date_from_solar_hijri(struct date sh, struct date *g);

/* Days since 1970-01-01 of a valid date (negative before it), so that
 * date_days(a) - date_days(b) is the distance in days. */
int32_t date_days(struct date d);

/* The Gregorian date of a day number from date_days. */
struct date date_from_days(int32_t days);

#endif
