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

static int field_level(const struct lk_schema *s, int f, const struct lk_side *da, const struct lk_rec *a,
		       const struct lk_side *db, const struct lk_rec *b, int *ndate)
{
	const struct lk_field *fd = &s->f[f];
	const char *va = lk_form(da, a, f, LK_FORM_VALUE), *vb = lk_form(db, b, f, LK_FORM_VALUE);

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

	*swapped = false;
	for (int f = 0; f < s->nfields; f++)
		level[f] = (int8_t)field_level(s, f, da, a, db, b, &ndate);
	if (s->given >= 0 && s->family >= 0 && (level[s->given] > NAME_EXACT || level[s->family] > NAME_EXACT)) {
		int g = -1, fm = -1;
		/* Exchanged only when one name meets the other's across. */
		if (crossed(da, a, s->given, db, b, s->family) || crossed(da, a, s->family, db, b, s->given)) {
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
