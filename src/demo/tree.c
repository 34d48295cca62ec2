/*
 * tree.c — the region tree: country, provinces (every one at national
 * scale, else the country's demo province), districts and villages, with
 * deprivation that runs in families (a village's is its district's plus
 * noise; rural villages poorer), school-age children and population.
 * Regions are kept in memory in depth-first order, which is also the
 * order of regions.csv (a parent before its children).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

#define DISTRICTS_MAX 99
#define VILLAGES_MAX 999
#define VILLAGE_CHILDREN 420.0  /* children a village has on average */
#define ENROLLED_SHARE 0.94     /* learners / school-age children, roughly */
#define PROV_MAX 64

static const char *const level_names[] = {"country", "province", "district", "village"};

static int iround(double x)
{
	return (int)(x + 0.5);
}

static int clampi(int x, int lo, int hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* A province's share of the children: its population, more where poorer. */
static double prov_weight(const struct province_def *p)
{
	return p->pop * (1.0 + 0.6 * p->dep / 100.0);
}

struct plan {
	int prov[PROV_MAX], nprov;
	int districts[PROV_MAX], villages[PROV_MAX];
	double children[PROV_MAX];
	uint32_t nreg;
};

/* How many districts and villages each province gets: districts grow
 * with the square root of the children (2 for a town, ~25 for a province),
 * villages hold about VILLAGE_CHILDREN children each. sqrt is exact in
 * IEEE arithmetic, so this stays deterministic. */
static void shape(const struct demo *d, struct plan *pl)
{
	const struct culture *cu = d->cu;
	double total = (double)d->o.learners / ENROLLED_SHARE, sum = 0;

	memset(pl, 0, sizeof *pl);
	if (d->o.national)
		for (int i = 0; i < cu->nprov && i < PROV_MAX; i++)
			pl->prov[pl->nprov++] = i;
	else
		pl->prov[pl->nprov++] = cu->demo_prov;
	for (int i = 0; i < pl->nprov; i++)
		sum += prov_weight(&cu->prov[pl->prov[i]]);
	pl->nreg = 1;
	for (int i = 0; i < pl->nprov; i++) {
		double c = total * prov_weight(&cu->prov[pl->prov[i]]) / sum;
		int nd = clampi(iround(sqrt(c / 2000.0)), 2, DISTRICTS_MAX);
		pl->children[i] = c;
		pl->districts[i] = nd;
		pl->villages[i] = clampi(iround(c / nd / VILLAGE_CHILDREN), 4, VILLAGES_MAX);
		pl->nreg += 1 + (uint32_t)nd * (1 + (uint32_t)pl->villages[i]);
	}
}

/* A child's code: the parent's and a number ("IR-07" → "IR-07-03"). */
static void child_code(char out[20], const char *parent, int n, int width)
{
	char t[20];
	size_t k = strnlen(parent, sizeof t - 1);

	memcpy(t, parent, k);
	t[k] = '\0';
	if (snprintf(out, 20, "%s-%0*d", t, width, n) >= 20)
		BUG("a region code too long");
}

static void fill_latin(struct name *n)
{
	if (!n->latin[0])
		fold_ascii(n->s, n->latin, sizeof n->latin);
}

static struct region *add(struct demo *d, uint32_t parent, int level, int prov)
{
	struct region *g = &d->reg[d->nreg++];

	memset(g, 0, sizeof *g);
	g->parent = parent;
	g->level = (uint8_t)level;
	g->prov = (uint8_t)prov;
	return g;
}

static float jitter(struct rng *r, float c, float sd, float lo, float hi)
{
	double x = c + sd * rng_normal(r);

	return (float)(x < lo ? lo : x > hi ? hi : x);
}

/* A village: rural or not (the district's centre never is), nomadic camp
 * or not, poorer than its district when rural, and its share of children. */
static void village(struct demo *d, struct rng *r, uint32_t dist, int k)
{
	const struct region *ds = &d->reg[dist];
	const struct province_def *p = &d->cu->prov[ds->prov];
	struct region *v = add(d, dist, 3, ds->prov);
	double rural_p = p->rural / 100.0 + 0.5 * (ds->dep - p->dep / 100.0);

	child_code(v->code, ds->code, k + 1, 3);
	v->district = ds->district;
	v->rural = k > 0 && rng_chance(r, rural_p);
	v->nomadic = v->rural && rng_chance(r, p->nomadic / 1000.0);
	v->dep = (float)clamp01(ds->dep + 0.08 * rng_normal(r) + (v->rural ? 0.08 : -0.12) +
				(v->nomadic ? 0.1 : 0));
	v->lat = jitter(r, ds->lat, v->nomadic ? 0.3f : 0.12f, p->lat0, p->lat1);
	v->lon = jitter(r, ds->lon, v->nomadic ? 0.3f : 0.12f, p->lon0, p->lon1);
	if (k == 0)
		v->weight = (float)(6 + 4 * rng_unit(r));
	else if (v->nomadic)
		v->weight = (float)(0.2 + 0.2 * rng_unit(r));
	else if (v->rural)
		v->weight = (float)(1 + rng_unit(r));
	else
		v->weight = (float)(2.5 + 3 * rng_unit(r));
	d->cu->place(d, r, 3, !v->rural, &v->name);
	fill_latin(&v->name);
}

static void district(struct demo *d, struct rng *r, uint32_t prov, int k, int nv, uint32_t ord)
{
	const struct region *pr = &d->reg[prov];
	const struct province_def *p = &d->cu->prov[pr->prov];
	uint32_t self = d->nreg;
	struct region *ds = add(d, prov, 2, pr->prov);
	float dlat = (p->lat1 - p->lat0) * 0.05f, dlon = (p->lon1 - p->lon0) * 0.05f;

	child_code(ds->code, pr->code, k + 1, 2);
	ds->district = ord;
	ds->dep = (float)clamp01(pr->dep + 0.12 * rng_normal(r));
	ds->lat = (float)(p->lat0 + dlat + (p->lat1 - p->lat0 - 2 * dlat) * rng_unit(r));
	ds->lon = (float)(p->lon0 + dlon + (p->lon1 - p->lon0 - 2 * dlon) * rng_unit(r));
	d->cu->place(d, r, 2, k == 0, &ds->name);
	fill_latin(&ds->name);
	ds->first_village = d->nreg;
	ds->nvillages = (uint32_t)nv;
	for (int i = 0; i < nv; i++)
		village(d, r, self, i);
}

/* Shares a province's children among its villages by their weights. */
static void share_children(struct demo *d, uint32_t from, double children)
{
	double sum = 0;

	for (uint32_t i = from; i < d->nreg; i++)
		if (d->reg[i].level == 3)
			sum += d->reg[i].weight;
	for (uint32_t i = from; i < d->nreg; i++)
		if (d->reg[i].level == 3) {
			int c = iround(children * d->reg[i].weight / sum);
			d->reg[i].children = (uint32_t)(c < 8 ? 8 : c);
		}
}

/* Sums children and population upwards; a region's deprivation above the
 * villages is the children-weighted mean of theirs. */
static void sum_up(struct demo *d)
{
	double *dep = xcalloc(d->nreg, sizeof *dep);

	for (uint32_t i = d->nreg; i-- > 1;) {
		struct region *g = &d->reg[i], *up = &d->reg[g->parent];
		if (g->level == 3) {
			double share = 0.16 + 0.1 * g->dep;
			g->population = (uint64_t)(g->children / share);
			dep[i] = g->dep * (double)g->children;
		} else {
			g->dep = g->children ? (float)(dep[i] / g->children) : g->dep;
		}
		up->children += g->children;
		up->population += g->population;
		dep[g->parent] += dep[i];
	}
	d->reg[0].dep = d->reg[0].children ? (float)(dep[0] / d->reg[0].children) : 0;
	free(dep);
}

enum err tree_plan(struct demo *d)
{
	const struct culture *cu = d->cu;
	struct plan pl;
	struct rng r;
	uint32_t ord = 0;

	shape(d, &pl);
	rng_seed(&r, d->o.seed, STREAM_TREE);
	d->reg = xcalloc(pl.nreg, sizeof *d->reg);
	d->nreg = 0;
	struct region *c = add(d, UINT32_MAX, 0, 0);
	snprintf(c->code, sizeof c->code, "%s", cu->cc);
	name_set(&c->name, cu->name, cu->latin);
	for (int i = 0; i < pl.nprov; i++) {
		const struct province_def *p = &cu->prov[pl.prov[i]];
		uint32_t self = d->nreg;
		struct region *pr = add(d, 0, 1, pl.prov[i]);
		child_code(pr->code, cu->cc, pl.prov[i] + 1, 2);
		name_set(&pr->name, p->name, p->latin);
		pr->dep = (float)clamp01(p->dep / 100.0 + 0.03 * rng_normal(&r));
		for (int k = 0; k < pl.districts[i]; k++)
			district(d, &r, self, k, pl.villages[i], ord++);
		share_children(d, self, pl.children[i]);
	}
	sum_up(d);
	d->ndistricts = ord;
	return OK;
}

void tree_release(struct demo *d)
{
	free(d->reg);
	d->reg = NULL;
	d->nreg = 0;
}

static void region_row(struct out *o, const struct demo *d, const struct region *g)
{
	out_str(o, g->code);
	out_comma(o);
	if (g->level)
		out_str(o, d->reg[g->parent].code);
	out_comma(o);
	out_str(o, level_names[g->level]);
	out_comma(o);
	out_field(o, g->name.s);
	out_comma(o);
	out_field(o, g->name.latin);
	out_comma(o);
	out_fixed(o, g->dep, 4);
	out_comma(o);
	out_u64(o, g->population);
	out_comma(o);
	out_u64(o, g->children);
	out_eol(o);
}

enum err tree_write(struct demo *d)
{
	struct out o;
	enum err rc;

	if ((rc = out_open(&o, d->o.out, "regions.csv",
			   "code,parent_code,level,name,name_en,deprivation,population,school_age_population")) != OK)
		return rc;
	for (uint32_t i = 0; i < d->nreg; i++) {
		region_row(&o, d, &d->reg[i]);
		roster_region(d, &d->reg[i]);
	}
	d->n.regions = d->nreg;
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}
