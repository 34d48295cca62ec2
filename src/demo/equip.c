/*
 * equip.c — what each school has, drawn from its own random stream when
 * schools.csv is written: language of instruction (by district, so a
 * language has its area), place, power, connection and its measured
 * speed, computers, tablets, projectors. All of it follows the village:
 * poorer, more rural or nomadic, less of it.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

enum { E_GRID, E_SOLAR, E_NONE };
enum { C_NONE, C_2G, C_3G, C_4G, C_FIBRE, C_SAT };

static const char *const elec_names[] = {"grid", "solar", "none"};
static const char *const conn_names[] = {"none", "2g", "3g", "4g", "fibre", "satellite"};

struct equip {
	int elec, conn;
	double mbps;
	int32_t measured;   /* day, or -1 when never measured */
	int computers, tablets, projectors;
	bool centre;
};

/* The district's language area: most of its schools teach in it. */
static const char *language(const struct demo *d, struct rng *r, const struct region *v)
{
	const struct province_def *p = &d->cu->prov[v->prov];
	struct rng t;
	double u;

	rng_seed(&t, d->o.seed, STREAM_TREE + 1 + v->district);
	u = rng_unit(&t);
	if (p->lang2 && u < p->pct2 / 100.0)
		return rng_chance(r, 0.85) ? p->lang2 : d->cu->lang;
	if (p->lang3 && u < (p->pct2 + p->pct3) / 100.0)
		return rng_chance(r, 0.85) ? p->lang3 : d->cu->lang;
	return d->cu->lang;
}

static int electricity(struct rng *r, const struct region *v)
{
	double grid = v->nomadic ? 0.1 : 0.995 - 0.35 * v->dep * (v->rural ? 1.0 : 0.3);

	if (rng_chance(r, grid))
		return E_GRID;
	return rng_chance(r, v->nomadic ? 0.6 : 0.55) ? E_SOLAR : E_NONE;
}

static int connectivity(struct rng *r, const struct region *v, int elec)
{
	double dep = v->dep;
	uint16_t w[6];

	if (elec == E_NONE) {
		const uint16_t x[6] = {700, 150, 50, 0, 0, 100};
		memcpy(w, x, sizeof w);
	} else if (v->nomadic) {
		const uint16_t x[6] = {500, 200, 100, 0, 0, 200};
		memcpy(w, x, sizeof w);
	} else if (v->rural) {
		const uint16_t x[6] = {(uint16_t)(100 + 350 * dep), (uint16_t)(100 + 150 * dep), 250,
				       (uint16_t)(350 - 200 * dep), (uint16_t)(50 * (1 - dep)), 50};
		memcpy(w, x, sizeof w);
	} else {
		const uint16_t x[6] = {(uint16_t)(20 + 100 * dep), (uint16_t)(20 + 50 * dep), (uint16_t)(100 + 100 * dep),
				       350, (uint16_t)(450 - 400 * dep), 10};
		memcpy(w, x, sizeof w);
	}
	return rng_weighted(r, w, 6);
}

static double speed(struct rng *r, int conn, double dep)
{
	static const double lo[6] = {0, 0.05, 1, 5, 20, 5}, hi[6] = {0, 0.3, 10, 60, 300, 40};
	double u = rng_unit(r) * (1 - 0.5 * dep);

	return lo[conn] + (hi[conn] - lo[conn]) * u * u;
}

static int iround(double x)
{
	return (int)(x + 0.5);
}

static void equipment(struct rng *r, const struct region *v, const struct school *s, struct equip *e)
{
	double wealth = (1 - v->dep) * (v->rural ? 0.7 : 1.0) * (e->elec == E_NONE ? 0.2 : 1.0);
	double n = s->learners;

	e->centre = n >= 60 && rng_chance(r, clamp01(0.1 + 0.8 * wealth));
	if (e->centre)
		e->computers = 5 + iround(n / 20.0 * (0.4 + 0.8 * rng_unit(r)) * wealth);
	else
		e->computers = (int)rng_below(r, (uint32_t)(1 + 3 * wealth));
	e->tablets = iround(n / 30.0 * wealth * rng_unit(r) * (e->elec == E_NONE ? 0.5 : 1.0));
	e->projectors = (int)rng_below(r, (uint32_t)(1 + (n / 120.0 + 1) * wealth));
}

static void draw(const struct demo *d, struct rng *r, const struct school *s, struct equip *e)
{
	const struct region *v = &d->reg[s->village];

	e->elec = electricity(r, v);
	e->conn = connectivity(r, v, e->elec);
	e->mbps = speed(r, e->conn, v->dep);
	e->measured = -1;
	if (e->conn != C_NONE && rng_chance(r, 0.85))
		e->measured = days_from_ymd(DEMO_YEAR, 1, 10) + (int32_t)rng_below(r, 300);
	equipment(r, v, s, e);
}

static void levels_text(struct out *o, int lv)
{
	static const char *const names[] = {"primary", "lower_secondary", "upper_secondary"};
	bool first = true;

	for (int i = 0; i < 3; i++)
		if (lv & (1 << i)) {
			if (!first)
				out_str(o, ";");
			out_str(o, names[i]);
			first = false;
		}
}

static void flag(struct out *o, bool b)
{
	out_str(o, b ? "1," : "0,");
}

static void coords(struct out *o, struct rng *r, const struct demo *d, const struct region *v)
{
	const struct province_def *p = &d->cu->prov[v->prov];
	double sd = v->nomadic ? 0.05 : 0.01;
	double lat = v->lat + sd * rng_normal(r), lon = v->lon + sd * rng_normal(r);

	out_fixed(o, lat < p->lat0 ? p->lat0 : lat > p->lat1 ? p->lat1 : lat, 5);
	out_comma(o);
	out_fixed(o, lon < p->lon0 ? p->lon0 : lon > p->lon1 ? p->lon1 : lon, 5);
	out_comma(o);
}

static void school_row(struct demo *d, struct out *o, const struct school *s, const struct name *nm,
		       struct rng *r)
{
	const struct region *v = &d->reg[s->village];
	struct equip e;
	char day[11];

	out_str(o, s->code);
	out_comma(o);
	out_field(o, nm->s);
	out_comma(o);
	out_str(o, v->code);
	out_comma(o);
	levels_text(o, s->levels);
	out_comma(o);
	flag(o, s->kind & KIND_BOARDING);
	flag(o, s->kind & KIND_NOMADIC);
	flag(o, s->kind & KIND_RURAL);
	out_str(o, language(d, r, v));
	out_comma(o);
	coords(o, r, d, v);
	out_u64(o, s->learners);
	out_comma(o);
	out_u64(o, s->teachers);
	out_comma(o);
	draw(d, r, s, &e);
	out_str(o, elec_names[e.elec]);
	out_comma(o);
	out_str(o, conn_names[e.conn]);
	out_comma(o);
	if (e.measured >= 0) {
		out_fixed(o, e.mbps, e.conn == C_2G ? 2 : 1);
		out_comma(o);
		date_text(e.measured, day);
		out_str(o, day);
	} else {
		out_comma(o);
	}
	out_comma(o);
	out_u64(o, (uint64_t)e.computers);
	out_comma(o);
	out_u64(o, (uint64_t)e.tablets);
	out_comma(o);
	out_u64(o, (uint64_t)e.projectors);
	out_comma(o);
	out_str(o, e.centre ? "1" : "0");
	out_eol(o);
}

enum err schools_write(struct demo *d)
{
	struct out o;
	struct name nm;
	struct rng r;
	enum err rc;

	if ((rc = out_open(&o, d->o.out, "schools.csv",
			   "code,name,region_code,levels,boarding,nomadic,rural,language,lat,lon,learners,teachers,"
			   "electricity,connectivity,download_mbps,measured_at,computers,tablets,projectors,"
			   "computer_centre")) != OK)
		return rc;
	for (uint32_t i = 0; i < d->nsch; i++) {
		const struct school *s = &d->sch[i];
		rng_seed(&r, d->o.seed, STREAM_SCHOOL + i);
		d->cu->school_name(d, &r, s->levels, s->kind, &d->reg[s->village].name, &nm);
		school_row(d, &o, s, &nm, &r);
		roster_school(d, s, nm.s);
		d->n.boarding += (s->kind & KIND_BOARDING) != 0;
		d->n.nomadic += (s->kind & KIND_NOMADIC) != 0;
		d->n.rural += (s->kind & KIND_RURAL) != 0;
	}
	d->n.schools = d->nsch;
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}
