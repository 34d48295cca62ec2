/*
 * date.c — Gregorian and Solar Hijri calendar dates.
 *
 * Gregorian days are counted with Howard Hinnant's days_from_civil, which
 * needs no time zone and no gmtime. The Solar Hijri calendar is a table of
 * Nowruz days read from ICU's "persian" calendar once per process (ICU
 * calendars are costly to open and not shareable between threads, and a
 * bulk import reads millions of dates); after pthread_once it is never
 * written again, so readers need no lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <unicode/ucal.h>

#include "base/date.h"
#include "base/utf8.h"
#include "base/banned.h"

/* Solar Hijri years whose days can fall in DATE_YEAR_MIN..DATE_YEAR_MAX:
 * 1178 starts on 1799-03-21, 1579 ends on 2201-03-20. */
#define SH_MIN 1178
#define SH_MAX 1579

/* A date as written is short; longer input is not a date. */
#define DATE_TEXT_MAX 64

#define MS_PER_DAY 86400000.0

static pthread_once_t nowruz_once = PTHREAD_ONCE_INIT;
static int32_t nowruz[SH_MAX - SH_MIN + 2];    /* day of 1 Farvardin */

static const char *const gregorian_months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

static const char *const solar_hijri_months[12] = {
	"Farvardin", "Ordibehesht", "Khordad", "Tir", "Mordad", "Shahrivar",
	"Mehr", "Aban", "Azar", "Dey", "Bahman", "Esfand",
};

/* ---- Gregorian arithmetic ---- */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int date_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && leap(y));
}

bool date_valid(struct date d)
{
	return d.y >= DATE_YEAR_MIN && d.y <= DATE_YEAR_MAX && d.m >= 1 && d.m <= 12 &&
	       d.d >= 1 && d.d <= date_days_in_month(d.y, d.m);
}

int32_t date_days(struct date d)
{
	int y = d.y - (d.m <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + d.d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

struct date date_from_days(int32_t days)
{
	int32_t z = days + 719468;
	int32_t era = (z >= 0 ? z : z - 146096) / 146097;
	int32_t doe = z - era * 146097;
	int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int32_t mp = (5 * doy + 2) / 153;
	struct date d;

	d.d = doy - (153 * mp + 2) / 5 + 1;
	d.m = mp < 10 ? mp + 3 : mp - 9;
	d.y = yoe + era * 400 + (d.m <= 2);
	return d;
}

/* ---- Solar Hijri, from ICU ---- */

static void nowruz_load(void)
{
	UErrorCode e = U_ZERO_ERROR;
	UCalendar *cal = ucal_open(u"UTC", -1, "@calendar=persian", UCAL_DEFAULT, &e);

	for (int y = SH_MIN; U_SUCCESS(e) && y <= SH_MAX + 1; y++) {
		double ms;

		ucal_clear(cal);
		ucal_setDate(cal, y, UCAL_JANUARY, 1, &e);
		ms = ucal_getMillis(cal, &e);
		nowruz[y - SH_MIN] = (int32_t)(ms / MS_PER_DAY);
	}
	if (U_FAILURE(e))
		BUG("ICU has no Solar Hijri (persian) calendar");
	ucal_close(cal);
}

static const int32_t *nowruz_table(void)
{
	pthread_once(&nowruz_once, nowruz_load);
	return nowruz;
}

/* Days in Solar Hijri month m of year y (SH_MIN..SH_MAX); 0 if no month. */
static int sh_days_in_month(int y, int m)
{
	const int32_t *nr = nowruz_table();

	if (m < 1 || m > 12)
		return 0;
	if (m <= 6)
		return 31;
	if (m <= 11)
		return 30;
	return nr[y - SH_MIN + 1] - nr[y - SH_MIN] - 336;
}

static bool sh_in_range(struct date sh)
{
	return sh.y >= SH_MIN && sh.y <= SH_MAX && sh.m >= 1 && sh.m <= 12 &&
	       sh.d >= 1 && sh.d <= sh_days_in_month(sh.y, sh.m);
}

static int32_t sh_days(struct date sh)
{
	int before = sh.m <= 7 ? (sh.m - 1) * 31 : 186 + (sh.m - 7) * 30;

	return nowruz_table()[sh.y - SH_MIN] + before + sh.d - 1;
}

enum err date_from_solar_hijri(struct date sh, struct date *g)
{
	struct date r;

	if (!sh_in_range(sh))
		return ERR_INVALID;
	r = date_from_days(sh_days(sh));
	if (!date_valid(r))
		return ERR_INVALID;
	*g = r;
	return OK;
}

enum err date_to_solar_hijri(struct date g, struct date *sh)
{
	const int32_t *nr = nowruz_table();
	int32_t days, doy;
	int y;

	if (!date_valid(g))
		return ERR_INVALID;
	days = date_days(g);
	y = g.y - 622;
	if (y < SH_MIN)
		y = SH_MIN;
	while (y < SH_MAX && nr[y + 1 - SH_MIN] <= days)
		y++;
	doy = days - nr[y - SH_MIN];
	sh->y = y;
	if (doy < 186) {
		sh->m = doy / 31 + 1;
		sh->d = doy % 31 + 1;
	} else {
		sh->m = (doy - 186) / 30 + 7;
		sh->d = (doy - 186) % 30 + 1;
	}
	return OK;
}

/* ---- reading ---- */

/* The digit value of the character at s (ASCII, Persian or Arabic-Indic),
 * with its length in *len; -1 if it is not a digit. */
static int digit_at(const unsigned char *s, int *len)
{
	*len = 1;
	if (s[0] >= '0' && s[0] <= '9')
		return s[0] - '0';
	*len = 2;
	if (s[0] == 0xDB && s[1] >= 0xB0 && s[1] <= 0xB9)
		return s[1] - 0xB0;             /* U+06F0–06F9 */
	if (s[0] == 0xD9 && s[1] >= 0xA0 && s[1] <= 0xA9)
		return s[1] - 0xA0;             /* U+0660–0669 */
	return -1;
}

/* Splits "Y", "Y-M-D" or "Y/M/D" into numbers: *nparts of them, each with
 * its count of digits. False if s has any other shape. */
static bool split(const char *s, int part[3], int ndig[3], int *nparts)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char sep = 0;
	int k = 0;

	while (*p == ' ')
		p++;
	part[0] = ndig[0] = 0;
	while (*p && *p != ' ') {
		int len, v = digit_at(p, &len);

		if (v >= 0) {
			if (++ndig[k] > 4)
				return false;
			part[k] = part[k] * 10 + v;
		} else if ((*p == '-' || *p == '/') && k < 2 && ndig[k] &&
			   (!sep || sep == *p)) {
			sep = *p;
			k++;
			part[k] = ndig[k] = 0;
			len = 1;
		} else {
			return false;
		}
		p += len;
	}
	while (*p == ' ')
		p++;
	*nparts = k + 1;
	return *p == '\0' && ndig[k] > 0;
}

static const char *shape_hint(enum date_cal cal)
{
	switch (cal) {
	case DATE_GREGORIAN: return "write YYYY-MM-DD";
	case DATE_SOLAR_HIJRI: return "write YYYY/MM/DD (Solar Hijri)";
	default: return "write YYYY-MM-DD, or YYYY/MM/DD in the Solar Hijri calendar";
	}
}

/* Checks the month and day of a date in its own calendar. */
static enum err check_day(const char *s, struct date d, bool sh, struct errinfo *ei)
{
	int most;

	if (d.m < 1 || d.m > 12)
		return err_set(ei, ERR_INVALID, NULL, "%s: there is no month %d", s, d.m);
	if (d.d < 1)
		return err_set(ei, ERR_INVALID, NULL, "%s: there is no day %d", s, d.d);
	most = sh ? sh_days_in_month(d.y, d.m) : date_days_in_month(d.y, d.m);
	if (d.d > most)
		return err_set(ei, ERR_INVALID, NULL, "%s: %s %d has %d days", s,
			       (sh ? solar_hijri_months : gregorian_months)[d.m - 1], d.y, most);
	return OK;
}

static enum err year_range(const char *s, enum date_cal cal, bool sh, struct errinfo *ei)
{
	if (cal == DATE_AUTO)
		return err_set(ei, ERR_INVALID, NULL,
			       "%s: the year must be between %d and %d, or %d and %d in the "
			       "Solar Hijri calendar", s, DATE_YEAR_MIN, DATE_YEAR_MAX,
			       SH_MIN + 1, SH_MAX);
	if (sh)
		return err_set(ei, ERR_INVALID, NULL,
			       "%s: the year must be between %d and %d in the Solar Hijri calendar",
			       s, SH_MIN + 1, SH_MAX);
	return err_set(ei, ERR_INVALID, NULL, "%s: the year must be between %d and %d",
		       s, DATE_YEAR_MIN, DATE_YEAR_MAX);
}

/* Reads s; a bare year is accepted when year_ok. */
static enum err parse(const char *s, enum date_cal cal, bool year_ok, struct date *out,
		      struct errinfo *ei)
{
	int part[3], ndig[3], nparts;
	struct date d, g;
	enum err rc;
	bool sh;

	if (strlen(s) > DATE_TEXT_MAX || !utf8_valid(s, strlen(s), NULL))
		return err_set(ei, ERR_INVALID, NULL, "this is not a date: %s", shape_hint(cal));
	if (strspn(s, " ") == strlen(s))
		return err_set(ei, ERR_INVALID, NULL, "the date is empty");
	if (!split(s, part, ndig, &nparts) || ndig[0] != 4 || nparts == 2 ||
	    (nparts == 1 && !year_ok) || (nparts == 3 && (ndig[1] > 2 || ndig[2] > 2)))
		return err_set(ei, ERR_INVALID, NULL, "%s: not a date; %s", s, shape_hint(cal));
	d = (struct date){part[0], nparts == 3 ? part[1] : 0, nparts == 3 ? part[2] : 0};
	sh = cal == DATE_SOLAR_HIJRI || (cal == DATE_AUTO && d.y < DATE_AUTO_SH_BELOW);
	if (nparts == 1) {
		d.y += sh ? 621 : 0;
		if (d.y < DATE_YEAR_MIN || d.y > DATE_YEAR_MAX)
			return year_range(s, cal, sh, ei);
		*out = d;
		return OK;
	}
	if (sh ? d.y < SH_MIN || d.y > SH_MAX : d.y < DATE_YEAR_MIN || d.y > DATE_YEAR_MAX)
		return year_range(s, cal, sh, ei);
	if ((rc = check_day(s, d, sh, ei)) != OK)
		return rc;
	if (sh && date_from_solar_hijri(d, &g) != OK)
		return year_range(s, cal, sh, ei);
	*out = sh ? g : d;
	return OK;
}

enum err date_parse(const char *s, enum date_cal cal, struct date *out, struct errinfo *ei)
{
	return parse(s, cal, false, out, ei);
}

enum err date_parse_year_or_date(const char *s, enum date_cal cal, struct date *out,
				 struct errinfo *ei)
{
	return parse(s, cal, true, out, ei);
}

/* ---- writing ---- */

static void put_digits(char *p, int v, int n)
{
	if (v < 0)
		v = 0;
	for (int i = n - 1; i >= 0; i--, v /= 10)
		p[i] = (char)('0' + v % 10);
}

void date_iso(struct date d, char out[DATE_ISO_LEN])
{
	put_digits(out, d.y, 4);
	if (d.m == 0 && d.d == 0) {
		out[4] = '\0';
		return;
	}
	out[4] = '-';
	put_digits(out + 5, d.m, 2);
	out[7] = '-';
	put_digits(out + 8, d.d, 2);
	out[10] = '\0';
}
