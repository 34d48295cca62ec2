/*
 * schools.c — where the schools are and what they have.
 *
 * Planning puts schools in every village by its children (small rural
 * schools of about 75, town schools of about 400, nomadic camps a tent
 * school per 25 children) and a few boarding schools in each district's
 * town for the villages without a secondary school. A village's schools
 * are contiguous in d->sch, so a district's are too.
 *
 * What a school has is drawn when schools.csv is written (equip.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

static int imax(int a, int b)
{
	return a > b ? a : b;
}

static int iround(double x)
{
	return (int)(x + 0.5);
}

/* How many schools a village has (no randomness: planned twice). */
static int village_schools(const struct region *v)
{
	if (v->nomadic)
		return imax(1, iround(v->children / 25.0));
	if (v->rural)
		return v->children < 100 ? 1 : imax(2, iround(v->children / 75.0));
	return imax(3, iround(v->children / 400.0));
}

static int rural_levels(struct rng *r, const struct region *v, int i, int n)
{
	static const int cycle[] = {LVL_PRIMARY, LVL_LOWER, LVL_PRIMARY, LVL_UPPER};

	if (n == 1)
		return v->children >= 60 && rng_chance(r, 0.5) ? LVL_PRIMARY | LVL_LOWER : LVL_PRIMARY;
	if (i == 2)
		return v->children >= 300 ? LVL_UPPER : LVL_PRIMARY;
	return cycle[i % 4];
}

static int levels_for(const struct demo *d, struct rng *r, const struct region *v, int i, int n)
{
	static const int town[] = {LVL_PRIMARY, LVL_PRIMARY, LVL_LOWER, LVL_UPPER};
	int lv;

	if (v->nomadic)
		return rng_chance(r, 0.2) ? LVL_PRIMARY | LVL_LOWER : LVL_PRIMARY;
	if (v->rural)
		lv = rural_levels(r, v, i, n);
	else
		lv = i < 3 ? (int[]){LVL_PRIMARY, LVL_LOWER, LVL_UPPER}[i] : town[i % 4];
	return rng_chance(r, d->cu->combined_pct / 100.0) ? LVL_ALL : lv;
}

static void add(struct demo *d, uint32_t v, int levels, int kind, uint32_t *serial)
{
	const struct region *g = &d->reg[v], *ds = &d->reg[g->parent];
	struct school *s;

	if (d->nsch == d->capsch) {
		d->capsch = d->capsch ? d->capsch * 2 : 1024;
		d->sch = xrealloc(d->sch, d->capsch * sizeof *d->sch);
	}
	s = &d->sch[d->nsch++];
	memset(s, 0, sizeof *s);
	s->village = v;
	s->serial = ++*serial;
	s->levels = (uint8_t)levels;
	s->kind = (uint8_t)kind;
	snprintf(s->code, sizeof s->code, "%02d%.2s%04u", g->prov + 1, ds->code + strlen(ds->code) - 2,
		 (unsigned)(s->serial % 10000));
}

static int boarding_levels(struct rng *r)
{
	int k = (int)rng_below(r, 100);

	return k < 60 ? LVL_LOWER | LVL_UPPER : k < 85 ? LVL_UPPER : LVL_PRIMARY | LVL_LOWER;
}

/* One district: its villages' schools, and the boarding schools in its
 * town (the first village), about boarding_pct of the district's. */
static void plan_district(struct demo *d, struct rng *r, const struct region *ds)
{
	double pct = d->cu->boarding_pct / 100.0, x;
	uint32_t serial = 0, total = 0, nb;

	for (uint32_t v = ds->first_village; v < ds->first_village + ds->nvillages; v++)
		total += (uint32_t)village_schools(&d->reg[v]);
	x = total * pct / (1 - pct);
	nb = (uint32_t)x + rng_chance(r, x - (uint32_t)x);
	for (uint32_t v = ds->first_village; v < ds->first_village + ds->nvillages; v++) {
		struct region *g = &d->reg[v];
		int n = village_schools(g);
		int kind = (g->rural ? KIND_RURAL : 0) | (g->nomadic ? KIND_NOMADIC : 0);
		g->first_school = d->nsch;
		for (int i = 0; i < n; i++)
			add(d, v, levels_for(d, r, g, i, n), kind, &serial);
		for (uint32_t i = 0; v == ds->first_village && i < nb; i++)
			add(d, v, boarding_levels(r), KIND_BOARDING, &serial);
		g->nschools = d->nsch - g->first_school;
	}
}

static int lvl_index(int lvl)
{
	return lvl == LVL_PRIMARY ? 0 : lvl == LVL_LOWER ? 1 : 2;
}

/* Is school s one that learners of level t (0–2, +3 boarding) come to
 * from villages without one? */
static bool hub_of(const struct demo *d, const struct school *s, int t)
{
	bool boarding = s->kind & KIND_BOARDING;

	if (!(s->levels & (1 << (t % 3))))
		return false;
	if (t >= 3)
		return boarding;
	return !boarding && !d->reg[s->village].rural;
}

static void build_hubs(struct demo *d)
{
	uint32_t n = 0;

	d->hub = xmalloc((size_t)(d->nsch * 3 + 1) * sizeof *d->hub);
	d->hub_start = xmalloc(((size_t)d->ndistricts * 6 + 1) * sizeof *d->hub_start);
	for (uint32_t i = 0; i < d->nreg; i++) {
		const struct region *ds = &d->reg[i];
		const struct region *last = &d->reg[ds->first_village + ds->nvillages - 1];
		if (ds->level != 2)
			continue;
		for (int t = 0; t < 6; t++) {
			d->hub_start[ds->district * 6 + (uint32_t)t] = n;
			for (uint32_t s = d->reg[ds->first_village].first_school; s < last->first_school + last->nschools;
			     s++)
				if (hub_of(d, &d->sch[s], t))
					d->hub[n++] = s;
		}
	}
	d->hub_start[d->ndistricts * 6] = n;
}

enum err schools_plan(struct demo *d)
{
	struct rng r;

	rng_seed(&r, d->o.seed, STREAM_SCHOOL - 1);
	for (uint32_t i = 0; i < d->nreg; i++)
		if (d->reg[i].level == 2)
			plan_district(d, &r, &d->reg[i]);
	build_hubs(d);
	return OK;
}

int level_of_grade(const struct demo *d, int grade)
{
	return grade <= d->cu->primary_last ? LVL_PRIMARY : grade <= d->cu->lower_last ? LVL_LOWER : LVL_UPPER;
}

static uint32_t from_list(struct demo *d, struct rng *r, uint32_t k, uint32_t avoid)
{
	uint32_t a = d->hub_start[k], n = d->hub_start[k + 1] - a, i;

	if (!n)
		return UINT32_MAX;
	i = rng_below(r, n);
	if (d->hub[a + i] == avoid)
		i = (i + 1) % n;
	return d->hub[a + i];
}

uint32_t school_for(struct demo *d, struct rng *r, uint32_t v, int lvl, uint32_t avoid)
{
	const struct region *g = &d->reg[v];
	uint32_t n = 0, k, pick, s;

	for (s = g->first_school; s < g->first_school + g->nschools; s++)
		n += (d->sch[s].levels & lvl) && !(d->sch[s].kind & KIND_BOARDING) && s != avoid;
	if (n) {
		pick = rng_below(r, n);
		for (s = g->first_school;; s++)
			if ((d->sch[s].levels & lvl) && !(d->sch[s].kind & KIND_BOARDING) && s != avoid && !pick--)
				return s;
	}
	k = g->district * 6 + (uint32_t)lvl_index(lvl);
	if (g->rural && rng_chance(r, 0.35) && (s = from_list(d, r, k + 3, avoid)) != UINT32_MAX)
		return s;
	s = from_list(d, r, k, avoid);
	if (s == UINT32_MAX)
		BUG("a district without a school of some level");
	return s;
}
