/*
 * compare.h — the comparison functions of record linkage: how alike two
 * names, two birth dates or two national ids are. They are the inner loop
 * of a Fellegi–Sunter linkage (as in Splink) over tens of millions of
 * pairs, so each gives a number or a level and nothing else.
 *
 * Every function here is pure and thread-safe, and none allocates (working
 * memory is on the stack: at most about 13 KB, in the DP fallback) except
 * lk_tokens_sorted, which grows the caller's buf.
 *
 * Names are compared on Unicode code points, never bytes: "Nguyễn" and
 * "Nguyên" differ by one, not by the two or three bytes of ễ. Callers
 * decode each name once (lk_decode, after text_fold or
 * text_fold_keep_tones) and pass uint32_t arrays. A name is kept to
 * LK_NAME_MAX code points, which is also the width at which the edit
 * distances run bit-parallel in one 64-bit word; longer input still works,
 * on a slower path, up to LK_TEXT_MAX code points a side, past which each
 * side is compared as if cut there. Arrays may be NULL when their length
 * is 0. Values above U+10FFFF are not code points: they are never read out
 * of bounds, but the results for them are unspecified.
 *
 * Token, date and id functions take UTF-8 or ASCII of explicit length
 * (it need not be NUL-terminated) and never read past it.
 *
 * Costs, measured with -O2 on one core of a 2.8 GHz Xeon (the least of
 * repeated batches over all pairs of ten names): names of 5–8 code points,
 * ASCII, Persian or Vietnamese with tones, 35–45 ns for lk_jaro_winkler,
 * lk_levenshtein and lk_osa alike; of 17 code points about 70 ns;
 * lk_osa with a cut-off of 1, 15–25 ns; lk_decode 15–20 ns;
 * lk_date_compare 5–20 ns; lk_tokens_subset on names of three tokens
 * 60–80 ns. The DP fallback costs about 1 ns a cell (na × nb).
 */
#ifndef LINKAGE_COMPARE_H
#define LINKAGE_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Code points of one name kept for comparison; also the longest string
 * that fits one 64-bit word, the edit distances' bit-parallel pattern. */
#define LK_NAME_MAX 64

/* Code points of a side compared at all; the rest is ignored. */
#define LK_TEXT_MAX 1024

/* lk_date_days of a missing date. */
#define LK_DAYS_MISSING INT32_MIN

/* ---- names ---- */

/*
 * Decodes UTF-8 s[0..n) into at most max code points at out and returns
 * how many were written; decoding stops at the max'th. s is assumed to be
 * well-formed (Reach stores nothing else), but whatever it holds nothing
 * is read past s + n: a byte that cannot start a character and a
 * character cut short by the end each decode to U+FFFD, one a byte.
 * About 1–2 ns a byte.
 */
size_t lk_decode(const char *s, size_t n, uint32_t *out, size_t max);

/*
 * The Jaro–Winkler similarity of a and b, in [0, 1]: the usual definition,
 * as DuckDB's jaro_winkler_similarity and Splink compute it. Code points
 * match when equal and at most max(na, nb) / 2 - 1 positions apart (at
 * least 0), each b used once; t is half the matched code points that are
 * out of order; jaro = (m/na + m/nb + (m - t)/m) / 3. When jaro > 0.7 it
 * is raised by l × 0.1 × (1 - jaro), l being the common prefix (at most
 * 4). MARTHA/MARHTA 0.9611, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.8133,
 * "محمد"/"محمود" 0.9533. Either side empty gives 0.0 (two empty names
 * are not evidence of a match); no common code point gives 0.0. Runs
 * bit-parallel when both sides have at most LK_NAME_MAX code points.
 */
double lk_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);

/*
 * The Levenshtein distance between a and b: the fewest insertions,
 * deletions and substitutions of one code point that turn a into b.
 *
 * max is a cut-off: the result is the distance when it is at most max,
 * and exactly max + 1 when it is greater. The work stops at once when
 * the lengths alone differ by more than max, and, on the DP path, as soon
 * as a whole row exceeds it. Pass INT_MAX for no cut-off; a negative max
 * counts as 0.
 *
 * A common prefix and suffix are set aside first; then, when one
 * remainder has at most LK_NAME_MAX code points, Myers' (1999) bit-vector
 * algorithm in Hyyrö's formulation runs in O(na + nb) with that remainder
 * (the longer one, if both fit) as the pattern, its match masks in a
 * direct table when both strings are ASCII and otherwise in a small
 * open-addressing table over its distinct code points. Otherwise a plain
 * dynamic programme over one row, O(na × nb).
 */
int lk_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max);

/*
 * The optimal string alignment distance: lk_levenshtein where swapping
 * two adjacent code points also costs 1 ("ab"/"ba" is 1, not 2), and no
 * substring is edited twice ("ca"/"abc" is 3, where the unrestricted
 * Damerau distance is 2). Same cut-off, same paths (the bit-parallel one
 * is Hyyrö 2003), same costs.
 */
int lk_osa(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max);

/*
 * Name tokens. a and b are folded names ("nguyen van an"): tokens are the
 * runs between spaces (runs of several spaces and spaces at the ends are
 * tolerated). True when every token of the side with fewer tokens equals a
 * different token of the other side, in any order, counting repeats
 * ("an an" needs two "an"):
 *   "nguyen thi an" / "an nguyen"   true
 *   "nguyen van an" / "nguyen an"   true (a dropped middle name)
 *   "nguyen an"     / "tran an"     false
 * Equal counts make it a reordering test. Tokens compare bytewise, so the
 * caller folds first. A side with no token gives false. Needs no memory
 * of its own: O(k × (ka + kb)) token comparisons, k the smaller count.
 */
bool lk_tokens_subset(const char *a, size_t na, const char *b, size_t nb);

/*
 * Appends the tokens of s (as lk_tokens_subset splits them) sorted
 * bytewise (which is code point order for UTF-8) and joined by one space,
 * so "van an nguyen" and "nguyen van an" both give "an nguyen van": a
 * blocking and comparison key for reordered names. Repeats are kept. No
 * token appends nothing. Returns OK, or ERR_LIMIT when out's maximum was
 * reached (out keeps its sticky error). O(k²) token comparisons. s may
 * lie in out only when out already has n bytes to spare (buf_space):
 * growing would move it.
 */
enum err lk_tokens_sorted(const char *s, size_t n, struct buf *out);

/* ---- birth dates ---- */

/*
 * A birth date known to the day {y, m, d}, known only to the year
 * {y, 0, 0}, or missing {0, 0, 0}. Dates come from lk_date_parse; other
 * values (month 13) give unspecified levels but are safe.
 */
struct lk_date {
	int16_t y;
	int8_t m, d;
};

/*
 * The levels of lk_date_compare, from most to least alike. The first that
 * applies is given. "Full" means known to the day.
 */
enum lk_date_level {
	LK_DATE_MISSING,     /* either side missing: the null level, no evidence */
	LK_DATE_EXACT,       /* both full and the same day */
	LK_DATE_SWAP,        /* both full, same year, day and month swapped
				(a.m == b.d, a.d == b.m, a.m != a.d) */
	LK_DATE_NEAR,        /* both full, one day apart (across month and year
				ends, leap years counted) */
	LK_DATE_YEAR,        /* the same year, and at least one side knows only
				the year: as alike as can be told */
	LK_DATE_ONE_EDIT,    /* both full, and YYYYMMDD differs by one digit
				or by two neighbouring digits swapped (a typo:
				1985-03-12 / 1985-08-12, 1985-03-12 /
				1958-03-12), or the same year and month with
				another day (1985-03-02 / 1985-03-27) */
	LK_DATE_OTHER,       /* anything else, including two year-only dates of
				different years and a swapped day and month
				in another year */
};

/*
 * Compares two birth dates. Two year-only dates of the same year give
 * LK_DATE_YEAR, not LK_DATE_EXACT: nothing is known of their days. The
 * levels EXACT to NEAR and ONE_EDIT need both sides full; YEAR needs one
 * side year-only; so the two groups never compete. 5–20 ns.
 */
enum lk_date_level lk_date_compare(struct lk_date a, struct lk_date b);

/*
 * Reads "YYYY-MM-DD", "YYYYMMDD" (as in FEBRL), "YYYY" (year only) or
 * blank (missing: {0, 0, 0}), with spaces and tabs around ignored. Digits
 * are ASCII (fold Persian digits first, as text_fold does); the year is
 * 0001–9999 and month and day have two digits. True with *out set; false
 * when s is anything else or is not a real Gregorian day ("2021-02-30",
 * "1900-02-29", "2021-13-01"), with *out untouched.
 */
bool lk_date_parse(const char *s, size_t n, struct lk_date *out);

/*
 * Days since 1970-01-01 (negative before it) of a full date; of 1 January
 * for a year-only date; LK_DAYS_MISSING for a missing one. So a difference
 * of two full dates is their distance in days.
 */
int32_t lk_date_days(struct lk_date d);

/* ---- national ids ---- */

enum lk_nid_level {
	LK_NID_MISSING,     /* either side has no character but spaces and dashes */
	LK_NID_EXACT,       /* the same characters */
	LK_NID_ONE_EDIT,    /* same length, one substitution or one swap of two
			       neighbours ("0012345678" / "0012345687") */
	LK_NID_OTHER,       /* anything else, a different length included */
};

/*
 * Compares two national ids after removing spaces and dashes from each
 * ("001-234567-8" equals "0012345678"). The caller folds Persian and
 * Arabic-Indic digits to ASCII first; other characters are compared as
 * they are. Leading zeros count: "12345678" and "0012345678" are
 * LK_NID_OTHER (pad Iranian codes to 10 digits before comparing them if
 * a spreadsheet may have dropped the zeros). O(na + nb), no copy.
 */
enum lk_nid_level lk_nid_compare(const char *a, size_t na, const char *b, size_t nb);

/*
 * True when s, with spaces and dashes removed, is a valid Iranian national
 * code (کد ملی): ten ASCII digits whose last is the check digit of the
 * first nine (sum = Σ digit[i] × (10 - i) for i = 0..8, r = sum % 11,
 * check = r < 2 ? r : 11 - r), and not all ten the same (0000000000 and
 * 1111111111 pass the check but are not issued). One wrong digit fails
 * the check unless it moves r between 1 and 10 (both give check digit
 * 1), and most swaps of neighbours fail it too, so of an LK_NID_ONE_EDIT
 * pair the valid side is most likely the right one. O(n).
 */
bool lk_nid_ir_valid(const char *s, size_t n);

#endif
