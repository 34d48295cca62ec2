/*
 * register.c — the population register of school-age children, as a
 * civil register would hold it, for out-of-school detection (issue 4).
 *
 * It lists every school-age child of each village (enrolled, dropped out
 * or never enrolled; not the few learners born abroad), shuffled within
 * the village, under the register's own ids, written the register's way:
 * the script variants of the country (Latin, Arabic letters, joints,
 * diacritics, decomposed Vietnamese, passport Latin) and the errors of
 * any register (typos, given and family name swapped, day and month
 * swapped, a day off, year only, missing fields, a mistyped national id,
 * the district instead of the village or a neighbouring village).
 * truth.csv says which learner each register row is.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

void link_row(struct out *o, const char *id, const char *nid, const struct name *given, const struct name *family,
	      const struct name *father, const char *sex, const char *birth, const char *region)
{
	out_str(o, id);
	out_comma(o);
	if (nid)
		out_str(o, nid);
	out_comma(o);
	out_field(o, given->s);
	out_comma(o);
	out_field(o, family->s);
	out_comma(o);
	out_field(o, father->s);
	out_comma(o);
	out_str(o, sex);
	out_comma(o);
	out_str(o, birth);
	out_comma(o);
	out_str(o, region);
	out_eol(o);
}

/* A random order of 0..n-1 in idx. */
static void shuffle(struct rng *r, uint32_t *idx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		idx[i] = (uint32_t)i;
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(r, (uint32_t)i);
		uint32_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

static void misspell(struct demo *d, struct rng *r, struct name *n, double p)
{
	if (!n->s[0] || !rng_chance(r, p))
		return;
	typo(r, (unsigned char)n->s[0] < 0x80 ? "abcdefghijklmnopqrstuvwxyz" : d->cu->alphabet, n->s, sizeof n->s);
	n->cut = n->cutlen = 0;
}

/* The birth date as the register has it. */
static void birth_text(struct rng *r, int32_t birth, char out[11])
{
	int k = (int)rng_below(r, 1000), y, m, dd;

	ymd_from_days(birth, &y, &m, &dd);
	if (k < 20 && dd <= 12 && dd != m) {
		birth = days_from_ymd(y, dd, m); /* day and month swapped */
	} else if (k < 35) {
		birth += rng_chance(r, 0.5) ? 1 : -1;
	} else if (k < 45) {
		date_text(birth, out);
		out[4] = '\0'; /* the year alone */
		return;
	} else if (k < 48) {
		out[0] = '\0';
		return;
	}
	date_text(birth, out);
}

static void mistype(struct rng *r, char *nid)
{
	size_t n = strlen(nid), i;
	char t;

	if (n < 2)
		return;
	i = rng_below(r, (uint32_t)(n - 1));
	if (rng_chance(r, 0.5)) {
		t = nid[i];
		nid[i] = nid[i + 1];
		nid[i + 1] = t;
	} else if (nid[i] >= '0' && nid[i] <= '9') {
		nid[i] = (char)('0' + (nid[i] - '0' + 1 + (int)rng_below(r, 9)) % 10);
	}
}

static const char *region_of(struct demo *d, struct rng *r, uint32_t v)
{
	const struct region *ds = &d->reg[d->reg[v].parent];
	int k = (int)rng_below(r, 100);

	if (k < 3)
		return ds->code;
	if (k < 5)
		return d->reg[ds->first_village + rng_below(r, ds->nvillages)].code;
	return d->reg[v].code;
}

static void register_row(struct demo *d, struct rng *r, const struct child *kid)
{
	struct child c = *kid;
	const char *sex = c.sex == SEX_M ? "m" : "f";
	char id[24], birth[11];
	struct name t;

	d->cu->variant(d, r, &c.given, &c.family, &c.father);
	misspell(d, r, &c.given, 0.025);
	misspell(d, r, &c.family, 0.025);
	misspell(d, r, &c.father, 0.02);
	if (rng_chance(r, 0.01)) {
		t = c.given;
		c.given = c.family;
		c.family = t;
	}
	if (rng_chance(r, 0.03))
		c.father.s[0] = '\0';
	if (rng_chance(r, 0.01))
		sex = "";
	if (!rng_chance(r, d->cu->nid_register_pct / 100.0))
		c.nid[0] = '\0';
	else if (rng_chance(r, 0.01))
		mistype(r, c.nid);
	birth_text(r, c.birth, birth);
	id_text(id, d->cu->cc, 'R', ++d->n.register_rows);
	link_row(&d->f[F_REGISTER], id, c.nid, &c.given, &c.family, &c.father, sex, birth, region_of(d, r, c.village));
	out_str(&d->f[F_TRUTH], id);
	out_comma(&d->f[F_TRUTH]);
	out_str(&d->f[F_TRUTH], c.person);
	out_comma(&d->f[F_TRUTH]);
	out_str(&d->f[F_TRUTH], c.status);
	out_eol(&d->f[F_TRUTH]);
}

void register_village(struct demo *d, struct rng *r, struct child *c, size_t n)
{
	uint32_t *idx = xmalloc((n ? n : 1) * sizeof *idx);

	shuffle(r, idx, n);
	for (size_t i = 0; i < n; i++)
		register_row(d, r, &c[idx[i]]);
	free(idx);
}
