#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/timeutil.h"
#include "base/banned.h"

int64_t time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t time_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void time_iso(int64_t ms, char out[TIME_ISO_LEN])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	/* Years past 9999 do not fit the form; clamp rather than truncate. */
	snprintf(out, TIME_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100,
		 tm.tm_min % 100, tm.tm_sec % 100, (int)(ms % 1000));
}

void time_now_iso(char out[TIME_ISO_LEN])
{
	time_iso(time_now_ms(), out);
}

/* timegm would quietly turn 2026-02-30 into March 2nd. */
static int days_in_month(int y, int mo)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : days[mo - 1];
}

int time_parse_iso(const char *s, int64_t *ms)
{
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, n = 0;
	size_t len = strlen(s);

	memset(&tm, 0, sizeof tm);
	if (len == 10) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
			return -1;
	} else if (len == 20) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 20)
			return -1;
	} else if (len == 24) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h, &mi, &sec, &frac, &n) != 7 ||
		    n != 24)
			return -1;
	} else
		return -1;
	/* %2d takes a sign, so "-1" would pass as an hour without the lower bounds. */
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60 || frac < 0 || d > days_in_month(y, mo))
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*ms = (int64_t)timegm(&tm) * 1000 + frac;
	return 0;
}
