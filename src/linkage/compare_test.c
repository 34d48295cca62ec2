/*
 * compare_test.c — the comparisons of record linkage: Jaro–Winkler on the
 * textbook pairs and on Persian and Vietnamese names, the edit distances
 * against a plain DP on random strings of code points (both the
 * bit-parallel and the fallback paths), cut-offs, name tokens, birth date
 * levels, and national ids with the Iranian check digit.
 *
 * The expected Jaro–Winkler values are worked out by the definition in the
 * comments beside them. Random cases use a fixed seed, so a failure
 * repeats.
 */
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/err.h"
#include "linkage/compare.h"
#include "base/banned.h"

/* A decoded string: enough for every case here. */
struct cps {
	uint32_t c[2 * LK_TEXT_MAX];
	size_t n;
};

static struct cps dec(const char *s)
{
	struct cps r;

	r.n = lk_decode(s, strlen(s), r.c, sizeof r.c / sizeof r.c[0]);
	return r;
}

static double jw(const char *a, const char *b)
{
	struct cps x = dec(a), y = dec(b);

	return lk_jaro_winkler(x.c, x.n, y.c, y.n);
}

static int lev(const char *a, const char *b, int max)
{
	struct cps x = dec(a), y = dec(b);

	return lk_levenshtein(x.c, x.n, y.c, y.n, max);
}

static int osa(const char *a, const char *b, int max)
{
	struct cps x = dec(a), y = dec(b);

	return lk_osa(x.c, x.n, y.c, y.n, max);
}

/* Checks JW both ways round (every pair here is symmetric). */
static void check_jw(const char *a, const char *b, double want)
{
	double got = jw(a, b), back = jw(b, a);

	if (fabs(got - want) > 1e-4 || fabs(back - want) > 1e-4)
		print_error("jw(\"%s\", \"%s\") = %.6f / %.6f, want %.6f\n", a, b, got, back,
			    want);
	assert_true(fabs(got - want) <= 1e-4);
	assert_true(fabs(back - want) <= 1e-4);
}

/* A small fixed-seed generator (xorshift64*), the same on every machine. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 33) % n;
}

/* A random string over a small alphabet of ASCII, Persian, Vietnamese and
 * astral code points, so that matches, repeats and transpositions are
 * common. */
static size_t random_string(uint32_t *out, size_t lo, size_t hi, size_t letters)
{
	static const uint32_t alphabet[] = {
		'a', 'b', 'n', 0x645 /* م */, 0x62D /* ح */, 0x1EC5 /* ễ */,
		0xEA /* ê */, 0x1F600,
	};
	size_t n = lo + rnd((uint32_t)(hi - lo + 1)), i;

	for (i = 0; i < n; i++)
		out[i] = alphabet[rnd((uint32_t)letters)];
	return n;
}

/* ---- references, written the plain way ---- */

/* The full (na+1) × (nb+1) matrix, with or without transpositions. */
static int ref_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, bool t)
{
	static int d[LK_TEXT_MAX + 1][LK_TEXT_MAX + 1];
	size_t i, j;

	for (i = 0; i <= na; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= nb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= na; i++)
		for (j = 1; j <= nb; j++) {
			int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (t && i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[na][nb];
}

/* Jaro–Winkler as the papers state it, over flag arrays. */
static double ref_jw(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	bool af[LK_TEXT_MAX] = {false}, bf[LK_TEXT_MAX] = {false};
	size_t w, i, j, m = 0, t = 0, l = 0;
	double jaro;

	if (na == 0 || nb == 0)
		return 0.0;
	w = (na > nb ? na : nb) / 2;
	w = w > 0 ? w - 1 : 0;
	for (i = 0; i < na; i++)
		for (j = i > w ? i - w : 0; j < nb && j <= i + w; j++)
			if (!bf[j] && a[i] == b[j]) {
				af[i] = bf[j] = true;
				m++;
				break;
			}
	if (m == 0)
		return 0.0;
	for (i = 0, j = 0; i < na; i++)
		if (af[i]) {
			while (!bf[j])
				j++;
			t += a[i] != b[j++];
		}
	jaro = ((double)m / na + (double)m / nb + (double)(m - t / 2) / m) / 3;
	if (jaro <= 0.7)
		return jaro;
	while (l < 4 && l < na && l < nb && a[l] == b[l])
		l++;
	return jaro + l * 0.1 * (1 - jaro);
}

/* ---- lk_decode ---- */

static void test_decode(void **state)
{
	uint32_t out[16];
	const char *nguyen = "Nguyễn";     /* ễ is U+1EC5, three bytes */

	(void)state;
	assert_int_equal(lk_decode("abc", 3, out, 16), 3);
	assert_int_equal(out[2], 'c');
	assert_int_equal(lk_decode("محمد", strlen("محمد"), out, 16), 4);
	assert_int_equal(out[0], 0x645);
	assert_int_equal(out[1], 0x62D);
	assert_int_equal(out[3], 0x62F);
	assert_int_equal(strlen(nguyen), 8);
	assert_int_equal(lk_decode(nguyen, strlen(nguyen), out, 16), 6);
	assert_int_equal(out[4], 0x1EC5);
	assert_int_equal(out[5], 'n');
	assert_int_equal(lk_decode("\xF0\x9F\x98\x80x", 5, out, 16), 2);   /* U+1F600 */
	assert_int_equal(out[0], 0x1F600);
	assert_int_equal(out[1], 'x');
	/* The cap, and a length shorter than the string. */
	assert_int_equal(lk_decode("abcdef", 6, out, 4), 4);
	assert_int_equal(out[3], 'd');
	assert_int_equal(lk_decode("abcdef", 2, out, 16), 2);
	assert_int_equal(lk_decode("", 0, out, 16), 0);
	assert_int_equal(lk_decode("ab", 2, out, 0), 0);
	/* Not UTF-8: U+FFFD a byte, and nothing read past n. */
	assert_int_equal(lk_decode("\x80z", 2, out, 16), 2);
	assert_int_equal(out[0], 0xFFFD);
	assert_int_equal(out[1], 'z');
	assert_int_equal(lk_decode("a\xE1\xBB", 3, out, 16), 3);     /* ễ cut short */
	assert_int_equal(out[1], 0xFFFD);
	assert_int_equal(out[2], 0xFFFD);
	assert_int_equal(lk_decode(nguyen, 6, out, 16), 6);            /* cut inside ễ */
	assert_int_equal(out[4], 0xFFFD);
	assert_int_equal(out[5], 0xFFFD);
	assert_int_equal(lk_decode("\xC3(", 2, out, 16), 2);          /* bad continuation */
	assert_int_equal(out[0], 0xFFFD);
	assert_int_equal(out[1], '(');
	assert_int_equal(lk_decode("\xC0\xAF", 2, out, 16), 2);      /* overlong '/' */
	assert_int_equal(out[0], 0xFFFD);
	assert_int_equal(out[1], 0xFFFD);
	assert_int_equal(lk_decode("\xF4\x90\x80\x80", 4, out, 16), 4); /* past U+10FFFF */
	assert_int_equal(out[0], 0xFFFD);
}

/* ---- Jaro–Winkler ---- */

static void test_jw_reference(void **state)
{
	(void)state;
	/* m = 6, t = 1 (T/H crossed): jaro = (1 + 1 + 5/6) / 3 = 0.94444;
	 * prefix MAR: 0.94444 + 3 × 0.1 × 0.05556 = 0.96111. */
	check_jw("MARTHA", "MARHTA", 0.961111);
	/* m = 4 (D, A, N, E), t = 0: (4/6 + 4/5 + 1) / 3 = 0.82222;
	 * prefix D: + 0.1 × 0.17778 = 0.84. */
	check_jw("DWAYNE", "DUANE", 0.84);
	/* window 3; m = 4 (D, I, O, N), t = 0: (4/5 + 4/8 + 1) / 3 = 0.76667;
	 * prefix DI: + 0.2 × 0.23333 = 0.81333. */
	check_jw("DIXON", "DICKSONX", 0.813333);
	/* m = 8 (ELLYFISH), t = 0: (8/9 + 8/10 + 1) / 3 = 0.8963; no prefix. */
	check_jw("JELLYFISH", "SMELLYFISH", 0.896296);
	/* m = 5, t = 1: (1 + 1 + 4/5) / 3 = 0.93333; prefix KAT: + 0.3 × 0.06667. */
	check_jw("kateh", "kathe", 0.953333);
	check_jw("martha", "martha", 1.0);
	check_jw("a", "a", 1.0);
	check_jw("a", "b", 0.0);
	/* Window 0, no code point in place: nothing matches. */
	check_jw("abc", "bca", 0.0);
	/* jaro = (1/2 + 1/2 + 1) / 3 = 0.66667, not above 0.7: the common
	 * prefix "a" adds nothing (with the boost it would be 0.7). */
	check_jw("ab", "ac", 0.666667);
}

static void test_jw_empty(void **state)
{
	uint32_t x = 'a';

	(void)state;
	assert_true(lk_jaro_winkler(NULL, 0, NULL, 0) == 0.0);
	assert_true(lk_jaro_winkler(&x, 1, NULL, 0) == 0.0);
	assert_true(lk_jaro_winkler(NULL, 0, &x, 1) == 0.0);
	assert_true(lk_jaro_winkler(&x, 1, &x, 1) == 1.0);
}

static void test_jw_persian_vietnamese(void **state)
{
	const char *a = "Nguyễn", *b = "Nguyên";

	(void)state;
	/* م ح م د / م ح م و د: window 1, m = 4, t = 0:
	 * (4/4 + 4/5 + 1) / 3 = 0.93333; prefix محم: + 0.3 × 0.06667. */
	check_jw("محمد", "محمود", 0.953333);
	/* Six code points each, one differs: (5/6 + 5/6 + 1) / 3 = 0.88889;
	 * prefix Nguy: + 0.4 × 0.11111 = 0.93333. On bytes (8 and 7 of them)
	 * it would be 0.86786, so the test tells code points from bytes. */
	check_jw(a, b, 0.933333);
	assert_int_not_equal(strlen(a), strlen(b));
	check_jw("Nguyễn", "Nguyen", 0.933333);
	/* T r ầ n / T r ấ n: (3/4 + 3/4 + 1) / 3 = 0.83333; + 0.2 × 0.16667. */
	check_jw("Trần", "Trấn", 0.866667);
	check_jw("İsmayılov", "İsmayılov", 1.0);
	assert_true(jw("علی", "حسین") < 0.7);
}

/* The bit-parallel path (both sides ≤ 64) and the flag path (longer)
 * against the textbook definition, on random strings of 0–70 code points. */
static void test_jw_random(void **state)
{
	static uint32_t a[LK_TEXT_MAX], b[LK_TEXT_MAX];
	int i, long_pairs = 0;

	(void)state;
	rng_state = 12345;
	for (i = 0; i < 20000; i++) {
		size_t letters = 2 + rnd(7);
		size_t na = random_string(a, 0, 70, letters), nb = random_string(b, 0, 70, letters);
		double got = lk_jaro_winkler(a, na, b, nb), want = ref_jw(a, na, b, nb);

		long_pairs += na > LK_NAME_MAX || nb > LK_NAME_MAX;
		if (fabs(got - want) > 1e-12)
			print_error("pair %d (%zu, %zu): got %.9f, want %.9f\n", i, na, nb, got,
				    want);
		assert_true(fabs(got - want) <= 1e-12);
		assert_true(got >= 0.0 && got <= 1.0);
	}
	assert_true(long_pairs > 1000);
}

/* Sides past LK_TEXT_MAX are compared as if cut there. */
static void test_jw_long(void **state)
{
	static uint32_t a[LK_TEXT_MAX + 10], b[LK_TEXT_MAX + 10];
	size_t i;

	(void)state;
	for (i = 0; i < LK_TEXT_MAX + 10; i++)
		a[i] = b[i] = 'a' + (uint32_t)(i % 7);
	b[LK_TEXT_MAX + 5] = 'z';
	assert_true(lk_jaro_winkler(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10) == 1.0);
	b[3] = 'z';
	assert_true(lk_jaro_winkler(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10) < 1.0);
}

/* ---- edit distances ---- */

static void test_lev_known(void **state)
{
	uint32_t x[2] = {'a', 'b'}, bx[16], by[16];
	size_t i;

	(void)state;
	assert_int_equal(lev("kitten", "sitting", INT_MAX), 3);
	assert_int_equal(lev("sitting", "kitten", INT_MAX), 3);
	assert_int_equal(lev("", "", INT_MAX), 0);
	assert_int_equal(lev("", "abc", INT_MAX), 3);
	assert_int_equal(lev("abc", "", INT_MAX), 3);
	assert_int_equal(lev("flaw", "lawn", INT_MAX), 2);
	assert_int_equal(lev("abc", "abc", INT_MAX), 0);
	/* One Persian letter inserted. */
	assert_int_equal(lev("محمد", "محمود", INT_MAX), 1);
	assert_int_equal(osa("محمد", "محمود", INT_MAX), 1);
	/* One code point, although ễ and ê are 3 and 2 bytes and ễ and e 3 and 1:
	 * on the bytes the distance would be 3. */
	assert_int_equal(lev("Nguyễn", "Nguyên", INT_MAX), 1);
	for (i = 0; i < strlen("Nguyễn"); i++)
		bx[i] = (unsigned char)"Nguyễn"[i];
	for (i = 0; i < strlen("Nguyên"); i++)
		by[i] = (unsigned char)"Nguyên"[i];
	assert_int_equal(lk_levenshtein(bx, strlen("Nguyễn"), by, strlen("Nguyên"), INT_MAX), 3);
	assert_int_equal(lev("Nguyễn", "Nguyen", INT_MAX), 1);
	assert_int_equal(osa("Nguyễn Văn", "Nguyên Vân", INT_MAX), 2);
	assert_int_equal(lev("Əliyev", "Aliyev", INT_MAX), 1);
	assert_int_equal(lev("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x81", INT_MAX), 1);
	assert_int_equal(lk_levenshtein(NULL, 0, x, 2, INT_MAX), 2);
	assert_int_equal(lk_osa(x, 2, NULL, 0, INT_MAX), 2);
	assert_int_equal(lk_osa(NULL, 0, NULL, 0, INT_MAX), 0);
}

static void test_osa_transposition(void **state)
{
	(void)state;
	assert_int_equal(osa("ab", "ba", INT_MAX), 1);
	assert_int_equal(lev("ab", "ba", INT_MAX), 2);
	assert_int_equal(osa("abcdef", "abdcef", INT_MAX), 1);
	assert_int_equal(lev("abcdef", "abdcef", INT_MAX), 2);
	assert_int_equal(osa("MARTHA", "MARHTA", INT_MAX), 1);
	assert_int_equal(osa("علی", "عیل", INT_MAX), 1);
	assert_int_equal(lev("علی", "عیل", INT_MAX), 2);
	assert_int_equal(osa("Trần", "Trnầ", INT_MAX), 1);
	/* Two transpositions, and OSA's restriction: "ca" → "ac" → "abc"
	 * edits the same pair twice, so OSA says 3 where Damerau says 2. */
	assert_int_equal(osa("abcd", "badc", INT_MAX), 2);
	assert_int_equal(osa("ca", "abc", INT_MAX), 3);
	assert_int_equal(lev("ca", "abc", INT_MAX), 3);
	/* Transposition at the ends, where the common affixes are set aside. */
	assert_int_equal(osa("xab", "xba", INT_MAX), 1);
	assert_int_equal(osa("abx", "bax", INT_MAX), 1);
}

static void test_cutoff(void **state)
{
	(void)state;
	assert_int_equal(lev("kitten", "sitting", 3), 3);
	assert_int_equal(lev("kitten", "sitting", 2), 3);
	assert_int_equal(lev("kitten", "sitting", 1), 2);
	assert_int_equal(lev("kitten", "sitting", 0), 1);
	assert_int_equal(lev("kitten", "sitting", -5), 1);     /* counts as 0 */
	assert_int_equal(lev("kitten", "kitten", 0), 0);
	assert_int_equal(lev("kitten", "kitten", -1), 0);
	/* The lengths alone exceed the cut-off. */
	assert_int_equal(lev("a", "abcdefgh", 2), 3);
	assert_int_equal(osa("a", "abcdefgh", 2), 3);
	assert_int_equal(lev("a", "abcdefgh", 7), 7);
	assert_int_equal(osa("ab", "ba", 0), 1);
	assert_int_equal(osa("ab", "ba", 1), 1);
	assert_int_equal(lev("ab", "ba", 1), 2);
	assert_int_equal(lev("ab", "ba", INT_MAX), 2);
	assert_int_equal(lev("", "abc", 1), 2);
}

/*
 * Property test: lk_levenshtein and lk_osa against the full matrix, on
 * random strings of 0–70 code points (both paths: the bit-parallel one
 * while the shorter string, less the common affixes, has at most 64 code
 * points, the DP past that), with and without a random cut-off.
 */
static void test_distance_random(void **state)
{
	static uint32_t a[LK_TEXT_MAX], b[LK_TEXT_MAX];
	int i, long_pairs = 0;

	(void)state;
	rng_state = 271828;
	for (i = 0; i < 30000; i++) {
		size_t letters = 2 + rnd(7), lo = i % 3 == 0 ? 55 : 0;
		size_t na = random_string(a, lo, 70, letters), nb = random_string(b, lo, 70, letters);
		int lv = ref_distance(a, na, b, nb, false), os = ref_distance(a, na, b, nb, true);
		int max = (int)rnd(12);
		size_t p = 0, s = 0, shorter = na < nb ? na : nb;

		while (p < shorter && a[p] == b[p])
			p++;
		while (s < shorter - p && a[na - 1 - s] == b[nb - 1 - s])
			s++;
		long_pairs += shorter - p - s > LK_NAME_MAX;
		if (lk_levenshtein(a, na, b, nb, INT_MAX) != lv || lk_osa(a, na, b, nb, INT_MAX) != os)
			print_error("pair %d (%zu, %zu): lev %d/%d osa %d/%d\n", i, na, nb,
				    lk_levenshtein(a, na, b, nb, INT_MAX), lv,
				    lk_osa(a, na, b, nb, INT_MAX), os);
		assert_int_equal(lk_levenshtein(a, na, b, nb, INT_MAX), lv);
		assert_int_equal(lk_osa(a, na, b, nb, INT_MAX), os);
		assert_int_equal(lk_levenshtein(b, nb, a, na, INT_MAX), lv);
		assert_int_equal(lk_osa(b, nb, a, na, INT_MAX), os);
		assert_int_equal(lk_levenshtein(a, na, b, nb, max), lv <= max ? lv : max + 1);
		assert_int_equal(lk_osa(a, na, b, nb, max), os <= max ? os : max + 1);
		assert_true(os <= lv);
	}
	assert_true(long_pairs > 1000);
}

/* One random typing error in s (n ≥ 1 code points): a substitution, a
 * swap of neighbours, a deletion or an insertion. Returns the new length. */
static size_t typo(uint32_t *s, size_t n)
{
	size_t at = rnd((uint32_t)n);
	uint32_t t;

	switch (rnd(4)) {
	case 0:
		s[at] = 0x1EC5;
		return n;
	case 1:
		if (at + 1 < n) {
			t = s[at];
			s[at] = s[at + 1];
			s[at + 1] = t;
		}
		return n;
	case 2:
		memmove(s + at, s + at + 1, (n - at - 1) * sizeof s[0]);
		return n - 1;
	default:
		memmove(s + at + 1, s + at, (n - at) * sizeof s[0]);
		s[at] = 'n';
		return n + 1;
	}
}

/* Near-equal strings up to 150 code points, as typing errors make them:
 * long common affixes, and cut-offs that bite late or not at all. */
static void test_distance_few_edits(void **state)
{
	static uint32_t a[LK_TEXT_MAX], b[LK_TEXT_MAX];
	int i;

	(void)state;
	rng_state = 31415;
	for (i = 0; i < 3000; i++) {
		size_t na = random_string(a, 1, 150, 8), nb = na, k, edits = 1 + rnd(4);
		int lv, os;

		memcpy(b, a, na * sizeof a[0]);
		for (k = 0; k < edits && nb > 0; k++)
			nb = typo(b, nb);
		lv = ref_distance(a, na, b, nb, false);
		os = ref_distance(a, na, b, nb, true);
		/* Levenshtein is a metric and a swap costs it 2; OSA is not (it
		 * breaks the triangle inequality), so only the first bounds. */
		assert_true(lv <= 2 * (int)edits);
		assert_int_equal(lk_levenshtein(a, na, b, nb, INT_MAX), lv);
		assert_int_equal(lk_osa(a, na, b, nb, INT_MAX), os);
		assert_int_equal(lk_osa(a, na, b, nb, 1), os <= 1 ? os : 2);
		assert_int_equal(lk_levenshtein(a, na, b, nb, 2), lv <= 2 ? lv : 3);
	}
}

/* Sides past LK_TEXT_MAX are compared as if cut there. */
static void test_distance_long(void **state)
{
	static uint32_t a[LK_TEXT_MAX + 10], b[LK_TEXT_MAX + 10];
	size_t i;

	(void)state;
	for (i = 0; i < LK_TEXT_MAX + 10; i++)
		a[i] = b[i] = 'a' + (uint32_t)(i % 3);
	b[LK_TEXT_MAX + 2] = 'z';
	assert_int_equal(lk_levenshtein(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10, INT_MAX), 0);
	b[0] = 'z';
	b[LK_TEXT_MAX - 1] = 'z';
	assert_int_equal(lk_levenshtein(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10, INT_MAX), 2);
	assert_int_equal(lk_osa(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10, INT_MAX), 2);
	assert_int_equal(lk_osa(a, LK_TEXT_MAX + 10, b, LK_TEXT_MAX + 10, 1), 2);
	/* All different: the DP path at full size, exact and cut off. */
	for (i = 0; i < LK_TEXT_MAX; i++)
		b[i] = 'x';
	assert_int_equal(lk_levenshtein(a, LK_TEXT_MAX, b, LK_TEXT_MAX, INT_MAX), LK_TEXT_MAX);
	assert_int_equal(lk_osa(a, LK_TEXT_MAX, b, LK_TEXT_MAX, 10), 11);
}

/* ---- name tokens ---- */

static bool subset(const char *a, const char *b)
{
	return lk_tokens_subset(a, strlen(a), b, strlen(b));
}

static void test_tokens_subset(void **state)
{
	(void)state;
	assert_true(subset("nguyen thi an", "an nguyen"));
	assert_true(subset("an nguyen", "nguyen thi an"));
	assert_true(subset("nguyen van an", "nguyen an"));
	assert_false(subset("nguyen an", "tran an"));
	assert_true(subset("nguyen van an", "an van nguyen"));
	assert_false(subset("nguyen van an", "nguyen van binh"));
	assert_true(subset("an", "an"));
	/* A token is whole: a prefix is not enough. */
	assert_false(subset("ngu an", "nguyen an"));
	assert_false(subset("nguyen", "nguyenan"));
	/* Repeats count. */
	assert_false(subset("an an", "an nguyen"));
	assert_true(subset("an an", "an nguyen an"));
	assert_true(subset("an", "an an"));
	/* Empty sides. */
	assert_false(subset("", ""));
	assert_false(subset("", "an"));
	assert_false(subset("an", ""));
	assert_false(subset("   ", "an"));
	/* Stray spaces are tolerated. */
	assert_true(subset("  an   nguyen ", "nguyen an"));
	/* Persian and Azerbaijani tokens, bytewise. */
	assert_true(subset("محمد رضا کریمی", "کریمی محمد"));
	assert_false(subset("محمد رضا", "محمود رضا"));
	assert_true(subset("əliyev cavid", "cavid əliyev"));
	/* Explicit lengths: what lies past n is not read. */
	assert_true(lk_tokens_subset("an nguyen", 2, "an tran", 7));
	assert_true(lk_tokens_subset("an nguyen", 9, "an tran", 2));
	assert_false(lk_tokens_subset("an nguyen", 9, "an tran", 7));
	assert_false(lk_tokens_subset("nguyen an", 6, "an", 2));
}

/* Appends the sorted tokens of in to a buf holding "x|" and checks it. */
static void check_sorted(const char *in, const char *want)
{
	struct buf b;
	char full[256];

	buf_init(&b, BUF_MAX_DEFAULT);
	buf_puts(&b, "x|");
	assert_int_equal(lk_tokens_sorted(in, strlen(in), &b), OK);
	snprintf(full, sizeof full, "x|%s", want);
	assert_string_equal(b.p, full);
	assert_int_equal(strlen(b.p), b.len);
	buf_release(&b);
}

static void test_tokens_sorted(void **state)
{
	struct buf b;

	(void)state;
	check_sorted("van an nguyen", "an nguyen van");
	check_sorted("nguyen van an", "an nguyen van");
	check_sorted("an", "an");
	check_sorted("b a b", "a b b");
	check_sorted("anh an a", "a an anh");
	check_sorted("  tran   thi  ", "thi tran");
	check_sorted("", "");
	check_sorted("   ", "");
	check_sorted("کریمی محمد", "محمد کریمی");      /* م U+0645 before ک U+06A9 */
	check_sorted("محمد کریمی", "محمد کریمی");
	check_sorted("zoe ăn an", "an zoe ăn");        /* ă (U+0103) after z */

	/* Past the maximum: ERR_LIMIT, nothing added, and the error sticks. */
	buf_init(&b, 6);
	buf_puts(&b, "ab");
	assert_int_equal(lk_tokens_sorted("van an", 6, &b), ERR_LIMIT);
	assert_int_equal(b.err, ERR_LIMIT);
	assert_string_equal(b.p, "ab");
	assert_int_equal(lk_tokens_sorted("an", 2, &b), ERR_LIMIT);
	assert_string_equal(b.p, "ab");
	buf_release(&b);
	/* Exactly full is fine. */
	buf_init(&b, 6);
	assert_int_equal(lk_tokens_sorted("van an", 6, &b), OK);
	assert_string_equal(b.p, "an van");
	buf_release(&b);
}

/* ---- birth dates ---- */

static struct lk_date date(const char *s)
{
	struct lk_date d = {-1, -1, -1};

	if (!lk_date_parse(s, strlen(s), &d))
		print_error("\"%s\" does not parse\n", s);
	assert_true(lk_date_parse(s, strlen(s), &d));
	return d;
}

static void bad_date(const char *s)
{
	struct lk_date d = {7, 7, 7};

	if (lk_date_parse(s, strlen(s), &d))
		print_error("\"%s\" parses\n", s);
	assert_false(lk_date_parse(s, strlen(s), &d));
	assert_int_equal(d.y, 7);       /* untouched */
	assert_int_equal(d.m, 7);
	assert_int_equal(d.d, 7);
}

static void test_date_parse(void **state)
{
	struct lk_date d;

	(void)state;
	d = date("1985-03-12");
	assert_int_equal(d.y, 1985);
	assert_int_equal(d.m, 3);
	assert_int_equal(d.d, 12);
	d = date("19151111");                        /* FEBRL */
	assert_int_equal(d.y, 1915);
	assert_int_equal(d.m, 11);
	assert_int_equal(d.d, 11);
	d = date("1985");
	assert_int_equal(d.y, 1985);
	assert_int_equal(d.m, 0);
	assert_int_equal(d.d, 0);
	d = date("");
	assert_int_equal(d.y, 0);
	d = date(" \t ");
	assert_int_equal(d.y, 0);
	assert_int_equal(d.m, 0);
	d = date(" 2024-02-29\t");
	assert_int_equal(d.d, 29);
	d = date("2000-02-29");
	assert_int_equal(d.m, 2);
	d = date("0001-01-01");
	assert_int_equal(d.y, 1);
	d = date("9999-12-31");
	assert_int_equal(d.y, 9999);

	bad_date("2021-02-30");
	bad_date("2023-02-29");
	bad_date("1900-02-29");
	bad_date("20230229");
	bad_date("2021-04-31");
	bad_date("2021-13-01");
	bad_date("2021-00-10");
	bad_date("2021-01-00");
	bad_date("19850012");
	bad_date("0000");
	bad_date("0000-01-01");
	bad_date("2021-1-01");
	bad_date("2021/01/01");
	bad_date("2021-01-01x");
	bad_date("198a");
	bad_date("85");
	bad_date("1985-03");
	bad_date("-198-03-12");
	bad_date("1985-+3-12");
	bad_date("۱۳۶۴");                              /* digits are folded first */
}

static void test_date_days(void **state)
{
	(void)state;
	assert_int_equal(lk_date_days(date("1970-01-01")), 0);
	assert_int_equal(lk_date_days(date("1969-12-31")), -1);
	assert_int_equal(lk_date_days(date("2000-01-01")), 10957);
	assert_int_equal(lk_date_days(date("2000")), 10957);
	assert_int_equal(lk_date_days(date("2024-03-01")) - lk_date_days(date("2024-02-28")), 2);
	assert_int_equal(lk_date_days(date("2023-03-01")) - lk_date_days(date("2023-02-28")), 1);
	assert_int_equal(lk_date_days(date("")), LK_DAYS_MISSING);
}

/* The level both ways round. */
static void level(const char *a, const char *b, enum lk_date_level want)
{
	enum lk_date_level x = lk_date_compare(date(a), date(b));
	enum lk_date_level y = lk_date_compare(date(b), date(a));

	if (x != want || y != want)
		print_error("\"%s\" / \"%s\": %d / %d, want %d\n", a, b, x, y, want);
	assert_int_equal(x, want);
	assert_int_equal(y, want);
}

static void test_date_levels(void **state)
{
	(void)state;
	level("1985-03-12", "1985-03-12", LK_DATE_EXACT);
	level("19850312", "1985-03-12", LK_DATE_EXACT);

	level("1985-03-12", "1985-12-03", LK_DATE_SWAP);
	level("2001-01-02", "2001-02-01", LK_DATE_SWAP);
	level("1985-03-12", "1986-12-03", LK_DATE_OTHER);   /* and another year */

	level("2024-02-28", "2024-02-29", LK_DATE_NEAR);
	level("2024-02-29", "2024-03-01", LK_DATE_NEAR);
	level("2023-02-28", "2023-03-01", LK_DATE_NEAR);    /* no 29th in 2023 */
	level("2024-02-28", "2024-03-01", LK_DATE_OTHER);   /* two days in 2024 */
	level("1999-12-31", "2000-01-01", LK_DATE_NEAR);
	level("1985-03-31", "1985-04-01", LK_DATE_NEAR);
	level("1985-03-12", "1985-03-13", LK_DATE_NEAR);

	level("1985", "1985-03-12", LK_DATE_YEAR);
	level("1985", "1985", LK_DATE_YEAR);
	level("1985", "1986", LK_DATE_OTHER);
	level("1985", "1986-03-12", LK_DATE_OTHER);
	level("1999", "2000-01-01", LK_DATE_OTHER);

	level("", "1985-03-12", LK_DATE_MISSING);
	level("", "1985", LK_DATE_MISSING);
	level("", "", LK_DATE_MISSING);

	level("1985-03-12", "1985-08-12", LK_DATE_ONE_EDIT);   /* one digit */
	level("1985-03-12", "1995-03-12", LK_DATE_ONE_EDIT);
	level("1985-03-12", "1985-03-19", LK_DATE_ONE_EDIT);
	level("1985-03-02", "1985-03-27", LK_DATE_ONE_EDIT);   /* same year and month */
	level("1985-03-12", "1958-03-12", LK_DATE_ONE_EDIT);   /* 85 / 58 */
	level("1985-10-12", "1985-01-12", LK_DATE_ONE_EDIT);   /* 10 / 01 */
	level("1985-11-23", "1985-12-13", LK_DATE_ONE_EDIT);   /* MMDD 1123 / 1213 */
	level("1985-03-12", "1975-03-21", LK_DATE_OTHER);      /* two typos */
	level("1985-03-12", "1958-03-21", LK_DATE_OTHER);      /* two swaps */
	level("1985-03-12", "1986-04-12", LK_DATE_OTHER);      /* two digits */
	level("1985-03-12", "1988-03-15", LK_DATE_OTHER);      /* 5..2 / 8..5, apart */
	level("1985-03-12", "1925-03-18", LK_DATE_OTHER);      /* 8..2 / 2..8, apart */
	level("1985-03-12", "2012-11-30", LK_DATE_OTHER);
	level("1985-11-12", "1985-12-11", LK_DATE_SWAP);
}

/* ---- national ids ---- */

static enum lk_nid_level nid(const char *a, const char *b)
{
	enum lk_nid_level x = lk_nid_compare(a, strlen(a), b, strlen(b));

	assert_int_equal(lk_nid_compare(b, strlen(b), a, strlen(a)), x);
	return x;
}

static void test_nid_compare(void **state)
{
	(void)state;
	assert_int_equal(nid("0499370899", "0499370899"), LK_NID_EXACT);
	assert_int_equal(nid("049-937089-9", "0499370899"), LK_NID_EXACT);
	assert_int_equal(nid("049 937 0899", "04-99-37-08-99"), LK_NID_EXACT);
	assert_int_equal(nid("0499370899", "0499370399"), LK_NID_ONE_EDIT);
	assert_int_equal(nid("0499370899", "1499370899"), LK_NID_ONE_EDIT);
	assert_int_equal(nid("0499370899", "0499370898"), LK_NID_ONE_EDIT);
	assert_int_equal(nid("0499370899", "0499378099"), LK_NID_ONE_EDIT);  /* 08 / 80 */
	assert_int_equal(nid("0499370899", "4099370899"), LK_NID_ONE_EDIT);  /* at the start */
	assert_int_equal(nid("0499370899", "0499370989"), LK_NID_ONE_EDIT);  /* at the end */
	assert_int_equal(nid("049-937-0899", "0499-37-8099"), LK_NID_ONE_EDIT);
	assert_int_equal(nid("0499370899", "0499371799"), LK_NID_OTHER);     /* two digits */
	assert_int_equal(nid("0499370899", "0499870399"), LK_NID_OTHER);     /* swap, apart */
	assert_int_equal(nid("0499370899", "0499378199"), LK_NID_OTHER);     /* 08 / 81 */
	assert_int_equal(nid("0499370899", "0499378098"), LK_NID_OTHER);     /* swap + one */
	assert_int_equal(nid("0499370899", "0948370899"), LK_NID_OTHER);     /* two swaps */
	assert_int_equal(nid("0499370899", "049937089"), LK_NID_OTHER);      /* one deleted */
	assert_int_equal(nid("0499370899", "499370899"), LK_NID_OTHER);      /* a lost zero */
	assert_int_equal(nid("", "0499370899"), LK_NID_MISSING);
	assert_int_equal(nid(" - ", "0499370899"), LK_NID_MISSING);
	assert_int_equal(nid("", ""), LK_NID_MISSING);
	assert_int_equal(nid("1", "1"), LK_NID_EXACT);
	assert_int_equal(nid("1", "2"), LK_NID_ONE_EDIT);
	assert_int_equal(nid("12", "21"), LK_NID_ONE_EDIT);
	assert_int_equal(lk_nid_compare("12345", 3, "12399", 3), LK_NID_EXACT);
}

/* The check digit of nine digits, by the rule, written out again here. */
static int ir_check(const int d[9], int *r)
{
	int sum = 0, i;

	for (i = 0; i < 9; i++)
		sum += d[i] * (10 - i);
	*r = sum % 11;
	return *r < 2 ? *r : 11 - *r;
}

static bool ir_valid(const char *s)
{
	return lk_nid_ir_valid(s, strlen(s));
}

static void test_nid_ir_valid(void **state)
{
	int round, invalid = 0, exceptions = 0;

	(void)state;
	/* 0·10 + 4·9 + 9·8 + 9·7 + 3·6 + 7·5 + 0·4 + 8·3 + 9·2 = 266,
	 * 266 % 11 = 2, check 11 - 2 = 9. */
	assert_true(ir_valid("0499370899"));
	assert_true(ir_valid("049-937089-9"));
	assert_true(ir_valid(" 049 937 0899 "));
	assert_false(ir_valid("0499370898"));
	assert_false(ir_valid("0499370890"));
	assert_false(ir_valid("499370899"));            /* nine digits */
	assert_false(ir_valid("04993708990"));          /* eleven */
	assert_false(ir_valid("049937089x"));
	assert_false(ir_valid("049937089.9"));
	assert_false(ir_valid(""));
	assert_false(ir_valid("۰۴۹۹۳۷۰۸۹۹"));            /* digits are folded first */
	for (char c = '0'; c <= '9'; c++) {
		char same[11];
		memset(same, c, 10);
		same[10] = '\0';
		assert_false(ir_valid(same));            /* they pass the check digit */
	}

	/* Valid codes made by the rule, and every one-digit change of them.
	 * A change in the first nine moves r (11 is prime and no weight or
	 * difference is a multiple of it), so the code fails unless r moves
	 * between 1 and 10, which share the check digit 1; a change of the
	 * check digit itself always fails. */
	rng_state = 1404;
	for (round = 0; round < 2000; round++) {
		int d[10], r, i, v;
		char s[11];

		for (i = 0; i < 9; i++)
			d[i] = (int)rnd(10);
		d[9] = ir_check(d, &r);
		for (i = 0; i < 10; i++)
			s[i] = (char)('0' + d[i]);
		s[10] = '\0';
		assert_int_equal(ir_valid(s), memcmp(s, s + 1, 9) != 0);
		for (i = 0; i < 10; i++)
			for (v = 0; v < 10; v++) {
				int r2;
				char t[11];
				bool shared;

				if (v == d[i])
					continue;
				memcpy(t, s, sizeof t);
				t[i] = (char)('0' + v);
				d[i] = v;
				ir_check(d, &r2);       /* r of t's first nine */
				d[i] = s[i] - '0';
				shared = i < 9 && (r == 1 || r == 10) && (r2 == 1 || r2 == 10) &&
					 memcmp(t, t + 1, 9) != 0;
				if (ir_valid(t) != shared)
					print_error("%s → %s\n", s, t);
				assert_int_equal(ir_valid(t), shared);
				invalid += !shared;
				exceptions += shared;
			}
	}
	assert_true(invalid > 150000);
	assert_true(exceptions > 0);
	/* The exception by hand: 1·10 + 1·2 = 12, r 1, check 1; and with the
	 * ninth digit 0: 10, r 10, check 1 again. */
	assert_true(ir_valid("1000000011"));
	assert_true(ir_valid("1000000001"));
	assert_int_equal(nid("1000000011", "1000000001"), LK_NID_ONE_EDIT);
	assert_false(ir_valid("1000000021"));
}

/* ---- threads ---- */

static void *compare_many(void *arg)
{
	int *bad = arg;
	struct cps a = dec("محمدرضا"), b = dec("محمد رضا"), c = dec("Nguyễn"), d = dec("Nguyên");

	for (int i = 0; i < 20000; i++) {
		*bad += lk_levenshtein(a.c, a.n, b.c, b.n, INT_MAX) != 1;
		*bad += lk_osa(c.c, c.n, d.c, d.n, 3) != 1;
		*bad += fabs(lk_jaro_winkler(c.c, c.n, d.c, d.n) - 0.933333) > 1e-4;
		*bad += !lk_tokens_subset("nguyen van an", 13, "an nguyen", 9);
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	int bad[4] = {0};

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, compare_many, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(bad[i], 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_jw_reference),
		cmocka_unit_test(test_jw_empty),
		cmocka_unit_test(test_jw_persian_vietnamese),
		cmocka_unit_test(test_jw_random),
		cmocka_unit_test(test_jw_long),
		cmocka_unit_test(test_lev_known),
		cmocka_unit_test(test_osa_transposition),
		cmocka_unit_test(test_cutoff),
		cmocka_unit_test(test_distance_random),
		cmocka_unit_test(test_distance_few_edits),
		cmocka_unit_test(test_distance_long),
		cmocka_unit_test(test_tokens_subset),
		cmocka_unit_test(test_tokens_sorted),
		cmocka_unit_test(test_date_parse),
		cmocka_unit_test(test_date_days),
		cmocka_unit_test(test_date_levels),
		cmocka_unit_test(test_nid_compare),
		cmocka_unit_test(test_nid_ir_valid),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
