/*
 * pair.c — comparing two records: the level of every field, and the
 * match weight those levels give, with term-frequency adjustment.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "linkage/linkage_int.h"
#include "base/banned.h"

enum { NAME_EXACT_TONES, NAME_EXACT, NAME_TOKENS, NAME_SKELETON, NAME_JW1, NAME_JW2, NAME_ELSE };

/* Decodes NUL-terminated well-formed UTF-8 (as normalisation made it)
 * into at most max code points, without measuring it first. */
static size_t decode0(const char *s, uint32_t *out, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	while (*p && n < max) {
		uint32_t c = *p++;
		if (c >= 0xf0) {
			c = (c & 7) << 18 | (uint32_t)(p[0] & 63) << 12 | (uint32_t)(p[1] & 63) << 6 | (p[2] & 63);
			p += 3;
		} else if (c >= 0xe0) {
			c = (c & 15) << 12 | (uint32_t)(p[0] & 63) << 6 | (p[1] & 63);
			p += 2;
		} else if (c >= 0xc0) {
			c = (c & 31) << 6 | (p[0] & 63);
			p += 1;
		}
		out[n++] = c;
	}
	return n;
}

static unsigned name_maybe(const struct lk_field *fd, const struct lk_hot *ha, const struct lk_hot *hb, bool words);
static bool may_cross(const struct lk_schema *s, const struct lk_hot *ha, int fa, const struct lk_hot *hb, int fb);
static size_t nid_unpack(const uint32_t w[2], char out[17]);

static int name_level(const struct lk_field *f, const struct lk_side *da, const struct lk_rec *a, int fa,
		      const struct lk_side *db, const struct lk_rec *b, int fb)
{
	const char *va = lk_form(da, a, fa, LK_FORM_VALUE), *vb = lk_form(db, b, fb, LK_FORM_VALUE);
	const char *wa, *wb, *sa, *sb;
	double sim;

	if (!*va || !*vb)
		return -1;
	if (!strcmp(va, vb))
		return strcmp(lk_form(da, a, fa, LK_FORM_TONES), lk_form(db, b, fb, LK_FORM_TONES)) ? NAME_EXACT :
														      NAME_EXACT_TONES;
	/* Single words equal only if the values are: not tokens then. */
	if ((a->words >> fa | b->words >> fb) & 1) {
		wa = lk_form(da, a, fa, LK_FORM_WORDS);
		wb = lk_form(db, b, fb, LK_FORM_WORDS);
		if (lk_tokens_subset(wa, strlen(wa), wb, strlen(wb)))
			return NAME_TOKENS;
	}
	sa = lk_form(da, a, fa, LK_FORM_SKEL);
	sb = lk_form(db, b, fb, LK_FORM_SKEL);
	if (*sa && !strcmp(sa, sb))
		return NAME_SKELETON;
	{
		uint32_t ca[LK_NAME_MAX], cb[LK_NAME_MAX];
		size_t na = decode0(va, ca, LK_NAME_MAX), nb = decode0(vb, cb, LK_NAME_MAX);
		sim = lk_jaro_winkler(ca, na, cb, nb);
		if (sim >= f->t1)
			return NAME_JW1;
		/* One typo in a short name ("Ava", "Eva") costs Jaro–Winkler
		 * more than the threshold allows; it is still one typo. */
		if (sim >= f->t2 || lk_osa(ca, na, cb, nb, 1) <= 1)
			return NAME_JW2;
		return NAME_ELSE;
	}
}

static int string_level(const struct lk_field *f, const char *va, const char *vb)
{
	uint32_t ca[LK_NAME_MAX], cb[LK_NAME_MAX];
	size_t na, nb;
	double sim;

	if (!*va || !*vb)
		return -1;
	if (!strcmp(va, vb))
		return 0;
	na = decode0(va, ca, LK_NAME_MAX);
	nb = decode0(vb, cb, LK_NAME_MAX);
	if (lk_osa(ca, na, cb, nb, 1) <= 1)
		return 1;
	sim = lk_jaro_winkler(ca, na, cb, nb);
	return sim >= f->t1 ? 2 : sim >= f->t2 ? 3 : 4;
}

static int date_level(struct lk_date a, struct lk_date b)
{
	switch (lk_date_compare(a, b)) {
	case LK_DATE_MISSING: return -1;
	case LK_DATE_EXACT: return 0;
	case LK_DATE_SWAP: return 1;
	case LK_DATE_NEAR: return 2;
	case LK_DATE_ONE_EDIT: return 3;
	case LK_DATE_YEAR: return 4;
	case LK_DATE_OTHER: break;
	}
	return 5;
}

/*
 * National ids as normalisation left them (letters and digits only): the
 * same as lk_nid_compare on such text, in one pass without measuring the
 * strings first (most pairs differ at once).
 */
static int nid_level(const char *va, const char *vb)
{
	size_t i = 0, at = 0;
	int diff = 0;

	if (!*va || !*vb)
		return -1;
	for (; va[i] && vb[i]; i++)
		if (va[i] != vb[i]) {
			if (++diff > 2)
				return 2;
			if (diff == 1)
				at = i;
		}
	if (va[i] || vb[i])
		return 2;  /* lengths differ */
	if (diff == 0)
		return 0;
	if (diff == 2 && !(at + 1 < i && va[at] == vb[at + 1] && va[at + 1] == vb[at] && va[at + 1] != vb[at + 1]))
		return 2;
	if (diff == 2 && va[at + 1] == vb[at + 1])
		return 2;  /* two substitutions apart from each other */
	/* Two valid Iranian codes one edit apart are two people: a typo
	 * breaks the check digit. */
	if (i == 10 && lk_nid_ir_valid(va, 10) && lk_nid_ir_valid(vb, 10))
		return 2;
	return 1;
}

/* Regions are near when they share a parent or one is the other's
 * ancestor (a register that knows only the district). */
static int region_level(const char *va, const char *pa, const char *vb, const char *pb)
{
	size_t na = strlen(va), nb = strlen(vb);

	if (!*va || !*vb)
		return -1;
	if (!strcmp(va, vb))
		return 0;
	if (*pa && !strcmp(pa, pb))
		return 1;
	if (na < nb && !strncmp(va, vb, na) && vb[na] == '-')
		return 1;
	if (nb < na && !strncmp(va, vb, nb) && va[nb] == '-')
		return 1;
	return 2;
}

/*
 * The level of field f when the hot lines decide it without the text:
 * a value missing, names that can only be "else", national ids of
 * digits, different values of a field compared for equality, regions
 * at one depth under different parents. -2 when they do not.
 */
static int hot_level(const struct lk_schema *s, int f, const struct lk_hot *ha, const struct lk_hot *hb)
{
	const struct lk_field *fd = &s->f[f];
	uint32_t x, y;

	if (fd->hot < 0)
		return -2;
	x = ha->w[fd->hot];
	y = hb->w[fd->hot];
	if (!x || !y)
		return -1;
	switch (fd->type) {
	case LK_NAME:
		if (x >> 16 != y >> 16 && !name_maybe(fd, ha, hb, ((ha->words | hb->words) >> f) & 1))
			return NAME_ELSE;
		return -2;
	case LK_NID:
		if (x != UINT32_MAX && y != UINT32_MAX) {
			char va[17], vb[17];
			nid_unpack(&ha->w[fd->hot], va);
			nid_unpack(&hb->w[fd->hot], vb);
			return nid_level(va, vb);
		}
		return -2;
	case LK_EXACT:
		return x != y ? 1 : -2;
	case LK_REGION:
		if (x >> 16 != y >> 16 && (x & 15) == (y & 15) && (x & 15) < 15 && (x & 0xfff0) && (y & 0xfff0) &&
		    (x & 0xfff0) != (y & 0xfff0))
			return 2;
		return -2;
	default:
		return -2;
	}
}

static int field_level(const struct lk_schema *s, int f, const struct lk_side *da, const struct lk_rec *a,
		       const struct lk_side *db, const struct lk_rec *b, const struct lk_hot *ha,
		       const struct lk_hot *hb, int *ndate)
{
	const struct lk_field *fd = &s->f[f];
	const char *va, *vb;
	int l;

	if (fd->type == LK_DATE && *ndate < 2) {
		int k = (*ndate)++;
		return ha ? date_level(ha->date[k], hb->date[k]) : date_level(a->date[k], b->date[k]);
	}
	if (ha && (l = hot_level(s, f, ha, hb)) != -2) {
		*ndate += fd->type == LK_DATE;
		return l;
	}
	va = lk_form(da, a, f, LK_FORM_VALUE);
	vb = lk_form(db, b, f, LK_FORM_VALUE);
	switch (fd->type) {
	case LK_NAME:
		return name_level(fd, da, a, f, db, b, f);
	case LK_STRING:
		return string_level(fd, va, vb);
	case LK_DATE: {
		int k = (*ndate)++;
		if (k < 2)
			return date_level(a->date[k], b->date[k]);
		return !*va || !*vb ? -1 : strcmp(va, vb) ? fd->nlevels - 1 : 0;
	}
	case LK_NID:
		return nid_level(va, vb);
	case LK_EXACT:
		return !*va || !*vb ? -1 : strcmp(va, vb) ? 1 : 0;
	case LK_REGION:
		return region_level(va, lk_form(da, a, f, LK_FORM_WORDS), vb, lk_form(db, b, f, LK_FORM_WORDS));
	}
	return -1;
}

/* A rank for choosing between the direct and swapped names: lower is
 * better; a missing name ranks with "else". */
static int rank(int level)
{
	return level < 0 ? NAME_ELSE : level;
}

/* True when name fa of a and name fb of b are equal, or have a word or
 * the skeleton in common. */
static bool crossed(const struct lk_side *da, const struct lk_rec *a, int fa, const struct lk_side *db,
		    const struct lk_rec *b, int fb)
{
	const char *va = lk_form(da, a, fa, LK_FORM_WORDS), *vb = lk_form(db, b, fb, LK_FORM_WORDS);
	const char *sa = lk_form(da, a, fa, LK_FORM_SKEL), *sb = lk_form(db, b, fb, LK_FORM_SKEL);

	if (!*va || !*vb)
		return false;
	if (*sa && !strcmp(sa, sb))
		return true;
	if (!((a->words >> fa | b->words >> fb) & 1))
		return !strcmp(va, vb);
	return lk_tokens_subset(va, strlen(va), vb, strlen(vb));
}

/* The given and family names of a side as one text of words. */
static size_t full_name(const struct lk_schema *s, const struct lk_side *d, const struct lk_rec *r, char *out,
			size_t max)
{
	const char *g = lk_form(d, r, s->given, LK_FORM_WORDS), *f = lk_form(d, r, s->family, LK_FORM_WORDS);
	int n = snprintf(out, max, "%s %s", g, f);

	return n < 0 || (size_t)n >= max ? 0 : (size_t)n;
}

void lk_levels(const struct lk_schema *s, const struct lk_side *da, const struct lk_rec *a,
	       const struct lk_side *db, const struct lk_rec *b, int8_t level[LK_MAX_FIELDS], bool *swapped)
{
	int ndate = 0;

	/* Both sides' hot lines, when lk_normalise made them. */
	const struct lk_hot *ha = da->hot ? &da->hot[a - da->rec] : NULL, *hb = db->hot ? &db->hot[b - db->rec] : NULL;

	if (!ha || !hb)
		ha = hb = NULL;
	*swapped = false;
	for (int f = 0; f < s->nfields; f++)
		level[f] = (int8_t)field_level(s, f, da, a, db, b, ha, hb, &ndate);
	if (s->given >= 0 && s->family >= 0 && (level[s->given] > NAME_EXACT || level[s->family] > NAME_EXACT)) {
		int g = -1, fm = -1;
		bool hot = ha && s->f[s->given].hot >= 0 && s->f[s->family].hot >= 0;
		/* Exchanged only when one name meets the other's across. */
		if ((!hot || may_cross(s, ha, s->given, hb, s->family) || may_cross(s, ha, s->family, hb, s->given)) &&
		    (crossed(da, a, s->given, db, b, s->family) || crossed(da, a, s->family, db, b, s->given))) {
			g = name_level(&s->f[s->given], da, a, s->given, db, b, s->family);
			fm = name_level(&s->f[s->family], da, a, s->family, db, b, s->given);
		}
		if (g >= 0 && fm >= 0 && rank(g) + rank(fm) < rank(level[s->given]) + rank(level[s->family])) {
			level[s->given] = (int8_t)g;
			level[s->family] = (int8_t)fm;
			*swapped = true;
		}
		/* Words moved between the two names (a Vietnamese middle name
		 * written with the family name), reordered or dropped. */
		unsigned both = 1u << s->given | 1u << s->family;
		if ((level[s->given] > NAME_TOKENS || level[s->family] > NAME_TOKENS) &&
		    (level[s->given] <= NAME_SKELETON || level[s->family] <= NAME_SKELETON) &&
		    ((a->words | b->words) & both)) {
			char fa[520], fb[520];
			size_t na = full_name(s, da, a, fa, sizeof fa), nb = full_name(s, db, b, fb, sizeof fb);
			if (na && nb && level[s->given] >= 0 && level[s->family] >= 0 && lk_tokens_subset(fa, na, fb, nb)) {
				if (level[s->given] > NAME_TOKENS)
					level[s->given] = NAME_TOKENS;
				if (level[s->family] > NAME_TOKENS)
					level[s->family] = NAME_TOKENS;
			}
		}
	}
}

/* The levels of a field that term frequencies adjust. */
static bool tf_level(const struct lk_field *f, int level)
{
	return f->type == LK_NAME ? level <= NAME_EXACT : level == 0;
}

double lk_weight(const struct lk_schema *s, const struct lk_rec *a, const int8_t level[LK_MAX_FIELDS],
		 double tf_bits[LK_MAX_FIELDS])
{
	double w = 0;

	for (int f = 0; f < s->nfields; f++) {
		const struct lk_field *fd = &s->f[f];
		int l = level[f];
		double adj = 0;
		if (l < 0) {
			if (tf_bits)
				tf_bits[f] = 0;
			continue;
		}
		w += fd->level[l].weight;
		if (fd->tf_slot >= 0 && tf_level(fd, l) && a->tf[fd->tf_slot] < 0) {
			/* The chance that two records share this very value, in
			 * place of the average chance u. */
			adj = fd->level[l].log2u - (double)a->tf[fd->tf_slot];
			w += adj;
		}
		if (tf_bits)
			tf_bits[f] = adj;
	}
	return w;
}

/* ---- The hot line and the bound ---------------------------------------- */

static uint32_t hash32(const char *v)
{
	return (uint32_t)(lk_hash(v, strlen(v), 0) >> 32);
}

/* A nonzero 16-bit hash of v; 0 when v is empty. */
static uint32_t hash16(const char *v)
{
	return *v ? (hash32(v) >> 16) | 1 : 0;
}

/* The bits set in x, in a few instructions on any x86-64 (the builtin
 * calls a library function where the popcnt instruction is not assumed). */
static inline int bits32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0f0f0f0fu;
	return (int)((x * 0x01010101u) >> 24);
}

/* The code point's bit in a name's signature. */
static uint32_t sig_bit(uint32_t c)
{
	return 1u << ((c * 0x9e3779b1u) >> 27);
}

/* Up to 16 digits, 4 bits each (digit + 1), in w[0] and w[1]; a longer
 * or other id as 0xffffffff and a hash. */
static void nid_pack(const char *v, uint32_t w[2])
{
	uint64_t x = 0;
	size_t n = strlen(v);

	for (size_t i = 0; i < n && n <= 16; i++) {
		if (v[i] < '0' || v[i] > '9') {
			n = 17;
			break;
		}
		x |= (uint64_t)(v[i] - '0' + 1) << (4 * i);
	}
	if (n > 16) {
		w[0] = UINT32_MAX;
		w[1] = hash32(v) | 1;
		return;
	}
	w[0] = (uint32_t)x;
	w[1] = (uint32_t)(x >> 32);
}

static size_t nid_unpack(const uint32_t w[2], char out[17])
{
	uint64_t x = (uint64_t)w[1] << 32 | w[0];
	size_t n = 0;

	for (; n < 16 && (x >> (4 * n)) & 15; n++)
		out[n] = (char)('0' + ((x >> (4 * n)) & 15) - 1);
	out[n] = '\0';
	return n;
}

void lk_hot_name(const char *value, const char *skel, struct lk_hot_name *out)
{
	uint32_t c[LK_NAME_MAX], sig = 0;
	size_t n = decode0(value, c, LK_NAME_MAX);

	for (size_t i = 0; i < n; i++)
		sig |= sig_bit(c[i]);
	out->w[0] = *value ? hash16(value) << 16 | hash16(skel) : 0;
	out->w[1] = *value ? sig : 0;
	out->len = (uint8_t)n;
}

void lk_hot_fill(const struct lk_schema *s, const char *text, const struct lk_rec *r, struct lk_hot *h)
{
	h->words = r->words;
	h->date[0] = r->date[0];
	h->date[1] = r->date[1];
	for (int f = 0; f < s->nfields; f++) {
		const struct lk_field *fd = &s->f[f];
		const char *v = text + r->slot[1 + f * LK_FORMS + LK_FORM_VALUE];
		uint32_t *w;
		if (fd->hot < 0 || !*v)
			continue;
		w = &h->w[fd->hot];
		switch (fd->type) {
		case LK_NAME:
			break;  /* lk_normalise has put them, from its memo */
		case LK_NID:
			nid_pack(v, w);
			break;
		case LK_REGION: {
			const char *parent = text + r->slot[1 + f * LK_FORMS + LK_FORM_WORDS];
			uint32_t depth = 0;
			for (const char *x = v; *x; x++)
				depth += *x == '-';
			w[0] = hash16(v) << 16 | (*parent ? (hash32(parent) & 0xfff0) | 0x10 : 0) | (depth < 15 ? depth : 15);
			break;
		}
		default:
			w[0] = hash32(v) | 1;
			break;
		}
	}
}

/* What lk_weight_bound adds for one field: its weight (the level's, or
 * the largest the field could have) and its term-frequency bits. */
struct bound {
	double w, adj;
};

/* A field whose values are present on both sides and may be equal: any
 * level, an exact one adjusted by term frequency (from a's frequency
 * rounded down, which can only raise the adjustment). */
static struct bound any_level(const struct lk_field *fd, const struct lk_hot *ha)
{
	struct bound b = {fd->w_any, 0};

	if (fd->tf_slot >= 0 && ha->tf[fd->tf_slot] < 0)
		b.adj = fmax(0, fd->log2u_tf - ha->tf[fd->tf_slot] / 256.0);
	return b;
}

/*
 * The levels besides else that two different names f could have, from
 * their hot words, as bits (1 << level): their words (when either has
 * several, or words may move between the given and family names), the
 * skeleton (when the skeletons' hashes meet), Jaro–Winkler at either
 * threshold or one edit (when the common code points allow). Code
 * points of one whose signature bit the other lacks cannot be matched,
 * which bounds Jaro's m.
 */
static unsigned name_maybe(const struct lk_field *fd, const struct lk_hot *ha, const struct lk_hot *hb, bool words)
{
	uint32_t sa = ha->w[fd->hot + 1], sb = hb->w[fd->hot + 1];
	double la = ha->len[fd->hot_len], lb = hb->len[fd->hot_len];
	double pa = bits32(sa & ~sb), pb = bits32(sb & ~sa);
	double m = fmin(la - pa, lb - pb), j, jw;
	unsigned maybe = words ? 1u << NAME_TOKENS : 0;

	if ((ha->w[fd->hot] & 0xffff) && (ha->w[fd->hot] & 0xffff) == (hb->w[fd->hot] & 0xffff))
		maybe |= 1u << NAME_SKELETON;
	j = m > 0 && la > 0 && lb > 0 ? (m / la + m / lb + 1) / 3 : 0;
	jw = j + 0.4 * (1 - j);
	if (jw >= fd->t1 - 1e-9)
		maybe |= 1u << NAME_JW1;
	if (jw >= fd->t2 - 1e-9 || (fabs(la - lb) <= 1 && pa <= 1 && pb <= 1))
		maybe |= 1u << NAME_JW2;
	return maybe;
}

/* The best weight two different names f could have. */
static double name_differ(const struct lk_field *fd, const struct lk_hot *ha, const struct lk_hot *hb, bool words)
{
	unsigned maybe = name_maybe(fd, ha, hb, words);
	double w = fd->level[NAME_ELSE].weight;

	for (int l = NAME_TOKENS; l < NAME_ELSE; l++)
		if (maybe >> l & 1)
			w = fmax(w, fd->level[l].weight);
	return w;
}

/* True when name fa of a could meet name fb of b across (crossed()):
 * their hashes equal, or either has several words. */
static bool may_cross(const struct lk_schema *s, const struct lk_hot *ha, int fa, const struct lk_hot *hb, int fb)
{
	uint32_t x = ha->w[s->f[fa].hot], y = hb->w[s->f[fb].hot];

	return (x >> 16) == (y >> 16) || ((x & 0xffff) && (x & 0xffff) == (y & 0xffff)) ||
	       ((ha->words >> fa | hb->words >> fb) & 1);
}

static struct bound field_bound(const struct lk_schema *s, int f, const struct lk_hot *ha, const struct lk_hot *hb,
				int *ndate)
{
	const struct lk_field *fd = &s->f[f];
	uint32_t x, y;

	if (fd->type == LK_DATE) {
		int k = (*ndate)++;
		int l = k < 2 ? date_level(ha->date[k], hb->date[k]) : fd->nlevels;
		if (l < 0)
			return (struct bound){0, 0};
		return (struct bound){l < fd->nlevels ? fd->level[l].weight : fd->w_any, 0};
	}
	if (fd->hot < 0)
		return any_level(fd, ha);
	x = ha->w[fd->hot];
	y = hb->w[fd->hot];
	if (!x || !y)
		return (struct bound){0, 0};
	switch (fd->type) {
	case LK_NAME: {
		bool words = ((ha->words | hb->words) >> f) & 1;
		if (f == s->given || f == s->family) {
			/* Names may be exchanged, or words move between them. */
			int o = f == s->given ? s->family : s->given;
			uint32_t ox, oy;
			if (s->f[o].hot < 0)
				return any_level(fd, ha);
			ox = ha->w[s->f[o].hot];
			oy = hb->w[s->f[o].hot];
			if (ox && oy) {
				if (may_cross(s, ha, f, hb, o) || may_cross(s, ha, o, hb, f))
					return x >> 16 == y >> 16 || x >> 16 == oy >> 16 ? any_level(fd, ha) :
											  (struct bound){fd->w_differ, 0};
				words |= ((ha->words | hb->words) >> o) & 1;
			}
		}
		if (x >> 16 == y >> 16)
			return any_level(fd, ha);
		return (struct bound){name_differ(fd, ha, hb, words), 0};
	}
	default: {
		/* What the hot line decides (hot_level), else any level when
		 * the hashes may be of one value, the levels of different
		 * values when not. */
		int l = hot_level(s, f, ha, hb);
		bool maybe_equal = fd->type == LK_REGION ? x >> 16 == y >> 16 :
				   fd->type == LK_NID ? x == y && ha->w[fd->hot + 1] == hb->w[fd->hot + 1] : x == y;
		if (l >= 0)
			return (struct bound){fd->level[l].weight, 0};
		return maybe_equal ? any_level(fd, ha) : (struct bound){fd->w_differ, 0};
	}
	}
}

double lk_weight_bound(const struct lk_schema *s, const struct lk_hot *ha, const struct lk_hot *hb)
{
	double w = 0;
	int ndate = 0;

	for (int f = 0; f < s->nfields; f++) {
		struct bound b = field_bound(s, f, ha, hb, &ndate);
		w += b.w;
		w += b.adj;
	}
	return w;
}

double lk_prior_bits(const struct lk_schema *s)
{
	return log2(s->lambda / (1 - s->lambda));
}

double lk_prob(double weight)
{
	return 1 / (1 + exp2(-weight));
}

double lk_bits(double prob)
{
	if (prob >= 1)
		return 1e9;
	if (prob <= 0)
		return -1e9;
	return log2(prob / (1 - prob));
}
