/*
 * compare.c — name, date and id comparisons for record linkage.
 *
 * The edit distances are the bit-vector algorithms of Myers (1999) as
 * Hyyrö formulated them (2001), with Hyyrö's (2003) transposition term for
 * the optimal string alignment distance: the DP column of the pattern (a
 * string of at most 64 code points) lives in two 64-bit words of vertical
 * deltas, and each code point of the other string, the text, advances it
 * with a dozen word operations. Jaro–Winkler uses the same match masks to
 * find, for each code point of a, the first free equal code point of b
 * inside the window in one step.
 *
 * Both start from the match masks: for each code point of the text, the
 * positions where the pattern holds it (bit i for position i). When both
 * strings are ASCII, which folded Latin names mostly are, a direct table
 * of 128 masks gives them, and only the entries the two strings will read
 * are cleared (a name of 10 code points clears at most 20, not 128).
 * Otherwise an open-addressing table over the pattern's distinct code
 * points, at least twice the pattern's size so probes are short, with
 * only the slots in use cleared; Persian names and Vietnamese ones with
 * tones cost a little more than ASCII ones (some 5–10 ns).
 */
#include <string.h>

#include "base/date.h"
#include "linkage/compare.h"
#include "base/banned.h"

/* ---- decoding ---- */

size_t lk_decode(const char *s, size_t n, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	size_t k = 0;

	while (p < end && k < max) {
		uint32_t c = *p;
		size_t len, i;

		if (c < 0x80) {
			out[k++] = c;
			p++;
			continue;
		}
		if (c < 0xC2 || c > 0xF4)
			len = 0;        /* a continuation byte, or never in UTF-8 */
		else
			len = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		if (len > (size_t)(end - p))
			len = 0;
		c &= 0x3F >> (len ? len - 1 : 0);
		for (i = 1; i < len; i++) {
			if ((p[i] & 0xC0) != 0x80) {
				len = 0;
				break;
			}
			c = c << 6 | (p[i] & 0x3F);
		}
		if (len == 0 || c > 0x10FFFF) {
			out[k++] = 0xFFFD;
			p++;
			continue;
		}
		out[k++] = c;
		p += len;
	}
	return k;
}

/* ---- match masks ---- */

#define PM_SLOTS (2 * LK_NAME_MAX)
#define PM_EMPTY UINT32_MAX

/*
 * The match masks of a pattern of at most LK_NAME_MAX code points. A slot
 * whose key is PM_EMPTY is free; so a "code point" PM_EMPTY in the pattern
 * is never found again, which is all the contract promises for it.
 */
struct pm {
	unsigned shift;         /* 32 - log2(slots in use) */
	uint32_t mask;          /* slots in use - 1 */
	uint32_t key[PM_SLOTS];
	uint64_t bits[PM_SLOTS];
};

static inline uint32_t pm_hash(const struct pm *t, uint32_t c)
{
	return (c * 0x9E3779B1u) >> t->shift;
}

static void pm_build(struct pm *t, const uint32_t *p, size_t m)
{
	/* At least 8 slots, and at least 2m: 2m ≤ 1 << lg. */
	unsigned lg = m <= 4 ? 3 : 64 - (unsigned)__builtin_clzll(2 * m - 1);
	size_t i;

	t->shift = 32 - lg;
	t->mask = (1u << lg) - 1;
	memset(t->key, 0xFF, sizeof t->key[0] << lg);
	for (i = 0; i < m; i++) {
		uint32_t h = pm_hash(t, p[i]);
		while (t->key[h] != PM_EMPTY && t->key[h] != p[i])
			h = (h + 1) & t->mask;
		if (t->key[h] == PM_EMPTY) {
			t->key[h] = p[i];
			t->bits[h] = 0;
		}
		t->bits[h] |= (uint64_t)1 << i;
	}
}

/* The positions of c in the pattern. */
static inline uint64_t pm_get(const struct pm *t, uint32_t c)
{
	uint32_t h = pm_hash(t, c);

	for (;;) {
		uint32_t k = t->key[h];
		if (k == PM_EMPTY)
			return 0;
		if (k == c)
			return t->bits[h];
		h = (h + 1) & t->mask;
	}
}

/*
 * The match masks of a pattern for the code points of one text: a direct
 * table when both are ASCII, the hash table otherwise. Looking masks up
 * inside the loops that use them (rather than all first) lets the
 * processor fetch them while it waits on the loops' chains of dependent
 * word operations.
 */
struct masks {
	bool ascii;
	uint64_t direct[128];   /* only entries of the two strings are set */
	struct pm pm;
};

/* Builds the masks of pattern p (1 ≤ m ≤ LK_NAME_MAX) for text t. */
static void masks_build(struct masks *k, const uint32_t *p, size_t m, const uint32_t *t,
			size_t n)
{
	uint32_t all = 0;
	size_t i;

	/* Clears the entries the direct table will read (harmlessly, under
	 * & 127, when the strings turn out not to be ASCII). */
	for (i = 0; i < n; i++) {
		all |= t[i];
		k->direct[t[i] & 127] = 0;
	}
	for (i = 0; i < m; i++) {
		all |= p[i];
		k->direct[p[i] & 127] = 0;
	}
	k->ascii = all < 128;
	if (!k->ascii) {
		pm_build(&k->pm, p, m);
		return;
	}
	for (i = 0; i < m; i++)
		k->direct[p[i]] |= (uint64_t)1 << i;
}

/* The positions of c, a code point of the text, in the pattern. */
static inline uint64_t masks_get(const struct masks *k, uint32_t c)
{
	return k->ascii ? k->direct[c] : pm_get(&k->pm, c);
}

/* ---- Jaro–Winkler ---- */

/* What the Jaro similarity is made of: m matched code points, of which
 * half are out of order. */
struct jaro {
	size_t m, half;
};

/* Both sides within LK_NAME_MAX: the matched positions are two words. */
static struct jaro jaro_bits(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			     size_t w)
{
	struct jaro r = {0, 0};
	uint64_t am = 0, bm = 0;
	struct masks k;
	/* The window of a[i] in b is i - w .. i + w: bits 0 .. w for i = 0,
	 * then one more each step until i = w, then shifted along. No mask
	 * has a bit at or past nb, so the window needs no upper clip; and
	 * w < 32. */
	uint64_t win = ((uint64_t)2 << w) - 1;
	size_t i;

	masks_build(&k, b, nb, a, na);
	for (i = 0; i < na; i++) {
		uint64_t cand = masks_get(&k, a[i]) & win & ~bm;

		if (cand) {
			bm |= cand & -cand;
			am |= (uint64_t)1 << i;
			r.m++;
		}
		win = win << 1 | (i < w);
	}
	while (am) {
		r.half += a[__builtin_ctzll(am)] != b[__builtin_ctzll(bm)];
		am &= am - 1;
		bm &= bm - 1;
	}
	r.half /= 2;
	return r;
}

/* Longer sides: the textbook loops over flag arrays. */
static struct jaro jaro_flags(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
			      size_t w)
{
	unsigned char af[LK_TEXT_MAX], bf[LK_TEXT_MAX];
	struct jaro r = {0, 0};
	size_t i, j;

	memset(af, 0, na);
	memset(bf, 0, nb);
	for (i = 0; i < na; i++) {
		size_t lo = i > w ? i - w : 0, hi = i + w + 1 < nb ? i + w + 1 : nb;
		for (j = lo; j < hi; j++)
			if (!bf[j] && a[i] == b[j]) {
				af[i] = bf[j] = 1;
				r.m++;
				break;
			}
	}
	for (i = 0, j = 0; i < na; i++) {
		if (!af[i])
			continue;
		while (!bf[j])
			j++;
		r.half += a[i] != b[j++];
	}
	r.half /= 2;
	return r;
}

double lk_jaro_winkler(const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	size_t w, l = 0;
	struct jaro r;
	double jaro;

	if (na == 0 || nb == 0)
		return 0.0;
	na = na < LK_TEXT_MAX ? na : LK_TEXT_MAX;
	nb = nb < LK_TEXT_MAX ? nb : LK_TEXT_MAX;
	w = (na > nb ? na : nb) / 2;
	w = w ? w - 1 : 0;
	if (na <= LK_NAME_MAX && nb <= LK_NAME_MAX)
		r = jaro_bits(a, na, b, nb, w);
	else
		r = jaro_flags(a, na, b, nb, w);
	if (r.m == 0)
		return 0.0;
	jaro = ((double)r.m / (double)na + (double)r.m / (double)nb +
		(double)(r.m - r.half) / (double)r.m) / 3.0;
	if (jaro <= 0.7)
		return jaro;
	while (l < 4 && l < na && l < nb && a[l] == b[l])
		l++;
	return jaro + (double)l * 0.1 * (1.0 - jaro);
}

/* ---- edit distances ---- */

/*
 * Myers/Hyyrö over the n code points of text t, k holding the pattern's
 * match masks: vp and vn hold the vertical +1 and -1 deltas of the DP
 * column over the pattern (m ≤ 64 code points). Bits above m - 1 hold garbage that never
 * flows down (shifts and carries only move up). The last cell of the last
 * column is the top cell, n, plus the deltas below it; counting them once
 * at the end costs less than following the last cell column by column,
 * and names are too short for a cut-off inside the loop to pay.
 */
static inline __attribute__((always_inline)) int bits_core(const struct masks *k, size_t m,
							   const uint32_t *t, size_t n, bool osa)
{
	uint64_t vp = ~(uint64_t)0, vn = 0, d0 = 0, eq_old = 0;
	const uint64_t rows = ~(uint64_t)0 >> (64 - m);
	size_t j;

	for (j = 0; j < n; j++) {
		uint64_t eq = masks_get(k, t[j]), hp, hn, tr = 0;

		if (osa) {
			/* Hyyrö 2003: a free diagonal two steps back where p and
			 * t hold the same pair the other way round (d0 is still
			 * the last column's here). */
			tr = ((~d0 & eq) << 1) & eq_old;
			eq_old = eq;
		}
		d0 = (((eq & vp) + vp) ^ vp) | eq | vn | tr;
		hp = vn | ~(d0 | vp);
		hn = vp & d0;
		hp = hp << 1 | 1;
		hn <<= 1;
		vp = hn | ~(d0 | hp);
		vn = hp & d0;
	}
	return (int)n + __builtin_popcountll(vp & rows) - __builtin_popcountll(vn & rows);
}

static int bits_distance(const uint32_t *p, size_t m, const uint32_t *t, size_t n, bool osa)
{
	struct masks k;

	masks_build(&k, p, m, t, n);
	return osa ? bits_core(&k, m, t, n, true) : bits_core(&k, m, t, n, false);
}

static inline int min3(int x, int y, int z)
{
	int v = x < y ? x : y;
	return v < z ? v : z;
}

/*
 * The plain DP, one row over a (na ≤ LK_TEXT_MAX) per code point of b,
 * keeping two rows back for the transposition step. The least value of a
 * row never falls from one row to the next (for OSA too: a transposition
 * comes from two rows back and adds 1, and rows differ by at most 1), so
 * a row all above max ends the work.
 */
static int dp_distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max,
		       bool osa)
{
	int rows[3][LK_TEXT_MAX + 1];
	int *back = rows[0], *prev = rows[1], *cur = rows[2], *tmp;
	size_t i, j;

	for (i = 0; i <= na; i++)
		prev[i] = (int)i;
	for (j = 1; j <= nb; j++) {
		int lo = cur[0] = (int)j;
		for (i = 1; i <= na; i++) {
			int v = min3(prev[i] + 1, cur[i - 1] + 1,
				     prev[i - 1] + (a[i - 1] != b[j - 1]));
			if (osa && i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && back[i - 2] + 1 < v)
				v = back[i - 2] + 1;
			cur[i] = v;
			lo = v < lo ? v : lo;
		}
		if (lo > max)
			return max + 1;
		tmp = back;
		back = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[na] <= max ? prev[na] : max + 1;
}

/*
 * What both distances share: the cut-off, the lengths, the common prefix
 * and suffix (an optimal alignment keeps them, for OSA as for Levenshtein)
 * and the choice of path. Each column of the bit-parallel loop waits on
 * the last (some ten cycles), so the pattern is the longer string when it
 * fits in a word, and the loop runs over the shorter.
 */
static int distance(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max,
		    bool osa)
{
	const uint32_t *tp;
	size_t tn;
	int d;

	na = na < LK_TEXT_MAX ? na : LK_TEXT_MAX;
	nb = nb < LK_TEXT_MAX ? nb : LK_TEXT_MAX;
	/* No distance exceeds LK_TEXT_MAX, so max + 1 cannot overflow. */
	max = max < 0 ? 0 : max > LK_TEXT_MAX ? LK_TEXT_MAX : max;
	if (na > nb) {
		tp = a;
		a = b;
		b = tp;
		tn = na;
		na = nb;
		nb = tn;
	}
	if (nb - na > (size_t)max)
		return max + 1;
	while (na > 0 && a[0] == b[0])
		a++, b++, na--, nb--;
	while (na > 0 && a[na - 1] == b[nb - 1])
		na--, nb--;
	if (na == 0)
		return (int)nb;         /* nb ≤ max: checked above */
	if (nb <= LK_NAME_MAX)          /* the loop runs over the text: the shorter */
		d = bits_distance(b, nb, a, na, osa);
	else if (na <= LK_NAME_MAX)
		d = bits_distance(a, na, b, nb, osa);
	else
		return dp_distance(a, na, b, nb, max, osa);
	return d <= max ? d : max + 1;
}

int lk_levenshtein(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max)
{
	return distance(a, na, b, nb, max, false);
}

int lk_osa(const uint32_t *a, size_t na, const uint32_t *b, size_t nb, int max)
{
	return distance(a, na, b, nb, max, true);
}

/* ---- name tokens ---- */

/* The next token of s[*pos..n) in *tok; false when none is left. */
static bool next_token(const char *s, size_t n, size_t *pos, struct slice *tok)
{
	size_t i = *pos, start;

	while (i < n && s[i] == ' ')
		i++;
	start = i;
	while (i < n && s[i] != ' ')
		i++;
	*pos = i;
	tok->p = s + start;
	tok->len = i - start;
	return i > start;
}

/* Bytewise order, a prefix first. */
static int tok_cmp(struct slice x, struct slice y)
{
	int c = memcmp(x.p, y.p, x.len < y.len ? x.len : y.len);

	if (c != 0)
		return c;
	return (x.len > y.len) - (x.len < y.len);
}

static bool tok_eq(struct slice x, struct slice y)
{
	return x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
}

/* How many tokens of s equal t (all of them when t.p is NULL). */
static size_t tok_count(const char *s, size_t n, struct slice t)
{
	struct slice u;
	size_t pos = 0, k = 0;

	while (next_token(s, n, &pos, &u))
		k += !t.p || tok_eq(u, t);
	return k;
}

bool lk_tokens_subset(const char *a, size_t na, const char *b, size_t nb)
{
	const struct slice all = {NULL, 0};
	size_t ka = tok_count(a, na, all), kb = tok_count(b, nb, all), pos = 0;
	struct slice t;

	if (ka == 0 || kb == 0)
		return false;
	if (ka > kb) {
		const char *sp = a;
		size_t sn = na;
		a = b, na = nb;
		b = sp, nb = sn;
	}
	/* A repeated token is checked at each repeat: wasted work on a rare
	 * case, bought with needing no memory. */
	while (next_token(a, na, &pos, &t)) {
		size_t in_b = tok_count(b, nb, t);
		if (in_b == 0 || in_b < tok_count(a, na, t))
			return false;
	}
	return true;
}

enum err lk_tokens_sorted(const char *s, size_t n, struct buf *out)
{
	struct slice prev = {NULL, 0}, t;
	size_t need = 0, k = 0, pos = 0;
	char *dst;

	while (next_token(s, n, &pos, &t))
		need += t.len + (k++ > 0);
	if (k == 0)
		return out->err;
	if (!(dst = buf_space(out, need)))
		return out->err;
	/* Selection by successive minima: each round writes every copy of the
	 * least token above the one written last. */
	for (pos = 0; pos < need;) {
		struct slice best = {NULL, 0};
		size_t reps = 0, p = 0;

		while (next_token(s, n, &p, &t)) {
			int c;
			if (prev.p && tok_cmp(t, prev) <= 0)
				continue;
			c = best.p ? tok_cmp(t, best) : -1;
			if (c < 0)
				best = t, reps = 1;
			else if (c == 0)
				reps++;
		}
		while (reps--) {
			if (pos > 0)
				dst[pos++] = ' ';
			memcpy(dst + pos, best.p, best.len);
			pos += best.len;
		}
		prev = best;
	}
	out->len += need;
	out->p[out->len] = '\0';
	return OK;
}

/* ---- birth dates ---- */

static bool date_full(struct lk_date d)
{
	return d.y != 0 && d.m != 0;
}

/* The eight digits of YYYYMMDD (unsigned: the divisions are cheaper). */
static void date_digits(struct lk_date a, unsigned dx[8])
{
	unsigned y = (uint16_t)a.y, m = (uint8_t)a.m, d = (uint8_t)a.d;

	dx[0] = y / 1000;
	dx[1] = y / 100 % 10;
	dx[2] = y / 10 % 10;
	dx[3] = y % 10;
	dx[4] = m / 10;
	dx[5] = m % 10;
	dx[6] = d / 10;
	dx[7] = d % 10;
}

/* True when the YYYYMMDD of a and b differ by one digit or by a swap of
 * two neighbouring digits. */
static bool digits_one_edit(struct lk_date a, struct lk_date b)
{
	unsigned dx[8], dy[8], i, k = 0, first = 0;

	/* One typo touches at most two neighbouring fields. */
	if (a.y != b.y && a.m != b.m && a.d != b.d)
		return false;
	date_digits(a, dx);
	date_digits(b, dy);
	for (i = 0; i < 8; i++) {
		if (dx[i] == dy[i])
			continue;
		if (k == 0)
			first = i;
		else if (k > 1 || i != first + 1 || dx[i] != dy[first] || dy[i] != dx[first])
			return false;
		k++;
	}
	return k > 0;
}

enum lk_date_level lk_date_compare(struct lk_date a, struct lk_date b)
{
	int months = (a.y * 12 + a.m) - (b.y * 12 + b.m);
	int32_t apart;

	if (a.y == 0 || b.y == 0)
		return LK_DATE_MISSING;
	if (!date_full(a) || !date_full(b))
		return a.y == b.y ? LK_DATE_YEAR : LK_DATE_OTHER;
	if (a.y == b.y && a.m == b.m && a.d == b.d)
		return LK_DATE_EXACT;
	/* a.m == a.d with a swap would be the same day, caught above. */
	if (a.y == b.y && a.m == b.d && a.d == b.m)
		return LK_DATE_SWAP;
	if (months >= -1 && months <= 1) {
		apart = lk_date_days(a) - lk_date_days(b);
		if (apart == 1 || apart == -1)
			return LK_DATE_NEAR;
	}
	if ((a.y == b.y && a.m == b.m) || digits_one_edit(a, b))
		return LK_DATE_ONE_EDIT;
	return LK_DATE_OTHER;
}

/* The value of n ASCII digits at s, or -1 if one is not a digit. */
static int digits(const char *s, size_t n)
{
	int v = 0;

	while (n-- > 0) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

bool lk_date_parse(const char *s, size_t n, struct lk_date *out)
{
	int y, m = 0, d = 0;

	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0) {
		*out = (struct lk_date){0, 0, 0};
		return true;
	}
	if (n == 10 && s[4] == '-' && s[7] == '-')
		m = digits(s + 5, 2), d = digits(s + 8, 2);
	else if (n == 8)
		m = digits(s + 4, 2), d = digits(s + 6, 2);
	else if (n != 4)
		return false;
	y = digits(s, 4);
	if (y < 1 || m < 0 || d < 0)
		return false;
	if (n != 4 && (d < 1 || d > date_days_in_month(y, m)))
		return false;   /* date_days_in_month is 0 when m is not a month */
	*out = (struct lk_date){(int16_t)y, (int8_t)m, (int8_t)d};
	return true;
}

int32_t lk_date_days(struct lk_date d)
{
	if (d.y == 0)
		return LK_DAYS_MISSING;
	if (!date_full(d))
		return date_days((struct date){d.y, 1, 1});
	return date_days((struct date){d.y, d.m, d.d});
}

/* ---- national ids ---- */

static bool nid_sep(char c)
{
	return c == ' ' || c == '-';
}

enum lk_nid_level lk_nid_compare(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0, k = 0, diffs = 0, first = 0;
	char fa = 0, fb = 0;

	/* One walk over both, separators skipped; k counts the characters. */
	for (;; i++, j++, k++) {
		while (i < na && nid_sep(a[i]))
			i++;
		while (j < nb && nid_sep(b[j]))
			j++;
		if (i == na || j == nb)
			break;
		if (a[i] == b[j])
			continue;
		if (diffs == 0) {
			first = k, fa = a[i], fb = b[j];
		} else if (diffs > 1 || k != first + 1 || a[i] != fb || b[j] != fa) {
			/* Not one edit; and both sides have a character. */
			return LK_NID_OTHER;
		}
		diffs++;
	}
	if (k == 0)
		return LK_NID_MISSING;  /* a side ended before its first character */
	if (i != na || j != nb)
		return LK_NID_OTHER;    /* different lengths */
	return diffs == 0 ? LK_NID_EXACT : LK_NID_ONE_EDIT;
}

bool lk_nid_ir_valid(const char *s, size_t n)
{
	int d[10], sum = 0, r, i;
	size_t k = 0;
	bool same = true;

	for (; n > 0; s++, n--) {
		if (nid_sep(*s))
			continue;
		if (k == 10 || *s < '0' || *s > '9')
			return false;
		d[k++] = *s - '0';
	}
	if (k != 10)
		return false;
	for (i = 0; i < 9; i++) {
		sum += d[i] * (10 - i);
		same = same && d[i] == d[i + 1];
	}
	r = sum % 11;
	return !same && d[9] == (r < 2 ? r : 11 - r);
}
