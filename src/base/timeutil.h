/*
 * timeutil.h — clocks and the one text form of time Reach stores:
 * UTC, ISO 8601, millisecond precision: "2026-11-22T10:00:00.123Z".
 */
#ifndef BASE_TIMEUTIL_H
#define BASE_TIMEUTIL_H

#include <stdint.h>
#include <time.h>

#define TIME_ISO_LEN 32

/* Milliseconds since the epoch (wall clock). */
int64_t time_now_ms(void);

/* Monotonic nanoseconds, for durations. */
uint64_t time_mono_ns(void);

/* Writes the current time as ISO 8601 UTC into out[TIME_ISO_LEN]. */
void time_now_iso(char out[TIME_ISO_LEN]);

/* Writes ms-since-epoch as ISO 8601 UTC into out[TIME_ISO_LEN]. */
void time_iso(int64_t ms, char out[TIME_ISO_LEN]);

/* Parses the ISO form written above (or without milliseconds, or a plain
 * date) into ms since the epoch. Returns 0, or -1 when s is not one. */
int time_parse_iso(const char *s, int64_t *ms);

#endif
