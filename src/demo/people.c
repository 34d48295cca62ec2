/*
 * people.c — households, one village at a time: the school-age children
 * (siblings share family, father and guardians; some are twins), whether
 * each is enrolled (less often where poorer, nomadic, older, and for
 * older girls in the poorest places), where and in which grade, the
 * guardians, and the household's device and internet.
 *
 * Rows go straight to people.csv, enrolments.csv, learners.csv and the
 * OneRoster files; the village's children wait in d->kids for the
 * register, which lists them in its own order.
 */
#include <stdio.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

#define KIDS_MAX 4
#define YEAR_DAYS 365

struct household {
	uint32_t v;
	struct name fam_m, fam_f, father, mother, mfam_m, mfam_f, grandpa, mgrandpa;
	int32_t eldest;             /* the eldest child's birth */
	bool device, internet;
	char learners[KIDS_MAX][24];
	int nlearners;
};

struct kid {
	int sex, age, grade;
	int32_t birth;
	struct name given, father;
	char nid[24];
};

static void add_child(struct demo *d, const struct household *h, const struct kid *k, const char *person,
		      const char *status)
{
	struct child *c;

	if (d->nkids == d->capkids) {
		d->capkids = d->capkids ? d->capkids * 2 : 256;
		d->kids = xrealloc(d->kids, d->capkids * sizeof *d->kids);
	}
	c = &d->kids[d->nkids++];
	c->given = k->given;
	c->family = k->sex == SEX_M ? h->fam_m : h->fam_f;
	c->father = k->father;
	c->sex = k->sex;
	c->birth = k->birth;
	memcpy(c->nid, k->nid, sizeof c->nid);
	c->village = h->v;
	memcpy(c->person, person, strnlen(person, sizeof c->person - 1) + 1);
	c->status = status;
}

static void put_name(struct out *o, const struct name *n)
{
	if (n)
		out_field(o, n->s);
	out_comma(o);
}

static void put_opt(struct out *o, const char *s)
{
	if (s)
		out_str(o, s);
	out_comma(o);
}

static void put_int(struct out *o, int v)
{
	if (v >= 0)
		out_u64(o, (uint64_t)v);
	out_comma(o);
}

void person_row(struct demo *d, const struct prow *p)
{
	struct out *o = &d->f[F_PEOPLE];
	char day[11];

	out_str(o, p->id);
	out_comma(o);
	out_str(o, p->role);
	out_comma(o);
	put_name(o, p->given);
	put_name(o, p->family);
	put_name(o, p->father);
	out_str(o, p->sex == SEX_M ? "m," : "f,");
	date_text(p->birth, day);
	out_str(o, day);
	out_comma(o);
	put_opt(o, p->nid);
	put_opt(o, p->region);
	put_opt(o, p->school);
	put_opt(o, p->subjects);
	put_int(o, p->skills);
	put_int(o, p->device);
	put_int(o, p->internet);
	if (p->guardian_of)
		out_str(o, p->guardian_of);
	out_eol(o);
}

/* An enrolments.csv row (and OneRoster's); its class is the school's
 * homeroom of the grade, so the grade gets one. */
static void enrol_row(struct demo *d, const char *eid, const char *lid, struct school *s, int grade,
		      const char *status, int32_t start, int32_t end)
{
	struct out *o = &d->f[F_ENROL];
	char day[11];

	s->grades |= (uint16_t)(1u << grade);
	out_str(o, eid);
	out_comma(o);
	out_str(o, lid);
	out_comma(o);
	out_str(o, s->code);
	out_comma(o);
	out_u64(o, (uint64_t)grade);
	out_comma(o);
	out_str(o, d->school_year);
	out_comma(o);
	out_str(o, status);
	out_comma(o);
	date_text(start, day);
	out_str(o, day);
	out_comma(o);
	if (end >= 0) {
		date_text(end, day);
		out_str(o, day);
	}
	out_eol(o);
	d->n.enrolments++;
	roster_enrol(d, eid, lid, s, grade, start, end);
}

/* The chance that a child of this age and sex here is in no school. */
static double p_out(const struct region *v, int age, int sex)
{
	double p = 0.012 + 0.05 * v->dep;

	if (v->nomadic)
		p += 0.06;
	if (age >= 12)
		p += 0.015 + 0.05 * v->dep;
	if (sex == SEX_F && age >= 12 && v->dep > 0.6)
		p += 0.03;
	return p;
}

static double p_drop(const struct region *v, int age)
{
	return 0.006 + 0.02 * v->dep + (age >= 12 ? 0.01 + 0.02 * v->dep : 0);
}

static void household_init(struct demo *d, struct rng *r, uint32_t v, struct household *h)
{
	const struct culture *cu = d->cu;
	const struct region *g = &d->reg[v];
	double rural = g->rural ? 1 : 0, nomadic = g->nomadic ? 1 : 0;

	h->v = v;
	cu->family(d, r, &h->fam_m, &h->fam_f);
	cu->given(d, r, SEX_M, &h->father);
	cu->given(d, r, SEX_M, &h->grandpa);
	cu->given(d, r, SEX_F, &h->mother);
	cu->family(d, r, &h->mfam_m, &h->mfam_f);
	cu->given(d, r, SEX_M, &h->mgrandpa);
	h->device = rng_chance(r, clamp01(0.95 - 0.55 * g->dep - 0.08 * rural - 0.25 * nomadic));
	h->internet = rng_chance(r, clamp01(0.88 - 0.7 * g->dep - 0.12 * rural - 0.3 * nomadic));
	h->nlearners = 0;
	h->eldest = INT32_MAX;
}

/* A birth date for a child who is age on the first of September. */
static int32_t birth_for(struct rng *r, int age)
{
	return days_from_ymd(DEMO_YEAR - age, 9, 1) - 1 - (int32_t)rng_below(r, YEAR_DAYS);
}

/* n children of distinct ages (the second a twin of the first, now and
 * then) with distinct given names. */
static void make_kids(struct demo *d, struct rng *r, struct household *h, struct kid *k, int n)
{
	const struct region *g = &d->reg[h->v];
	int span = d->cu->max_grade, twins = n >= 2 && rng_chance(r, 0.06);
	unsigned used = 0;

	for (int i = 0; i < n; i++) {
		k[i].sex = rng_chance(r, 0.512) ? SEX_M : SEX_F;
		if (i == 1 && twins) {
			k[i].age = k[0].age;
			k[i].birth = k[0].birth;
		} else {
			do
				k[i].age = 6 + (int)rng_below(r, (uint32_t)span);
			while (used & (1u << k[i].age));
			k[i].birth = birth_for(r, k[i].age);
		}
		used |= 1u << k[i].age;
		for (int tries = 0, same = 1; same && tries < 6; tries++) {
			d->cu->given(d, r, k[i].sex, &k[i].given);
			same = 0;
			for (int j = 0; j < i; j++)
				same |= strcmp(k[j].given.s, k[i].given.s) == 0;
		}
		d->cu->patronym(&h->father, &h->fam_m, k[i].sex, &k[i].father);
		d->cu->national_id(d, g->prov, k[i].sex, k[i].birth, k[i].nid);
		if (k[i].birth < h->eldest)
			h->eldest = k[i].birth;
	}
}

static int pick_grade(struct rng *r, const struct region *g, int age)
{
	int grade = age - 5;

	if (grade > 1 && rng_chance(r, 0.03 + 0.05 * g->dep))
		grade--;
	return grade;
}

/* Enrols a learner: mostly enrolled, some dropped out, some moved to
 * another school this year (two rows). Returns the current school, and
 * whether the learner is on roll now in *on_roll. */
static uint32_t enrol(struct demo *d, struct rng *r, const struct household *h, const char *lid, int age,
		      int grade, bool *on_roll)
{
	const struct region *g = &d->reg[h->v];
	int lvl = level_of_grade(d, grade);
	uint32_t s = school_for(d, r, h->v, lvl, UINT32_MAX), t;
	double u = rng_unit(r), drop = p_drop(g, age);
	int32_t start = d->year_start, end = -1;
	char eid[24];

	*on_roll = u >= drop;
	id_text(eid, d->cu->cc, 'E', d->n.enrolments + 1);
	if (!*on_roll) {
		enrol_row(d, eid, lid, &d->sch[s], grade, "dropped_out", start, start + 20 + (int32_t)rng_below(r, 50));
		d->n.dropped_out++;
		return s;
	}
	if (u < drop + 0.015 && (t = school_for(d, r, h->v, lvl, s)) != s) {
		end = start + 15 + (int32_t)rng_below(r, 45);
		enrol_row(d, eid, lid, &d->sch[s], grade, "transferred", start, end);
		id_text(eid, d->cu->cc, 'E', d->n.enrolments + 1);
		d->n.transferred++;
		start = end + 1;
		s = t;
	}
	enrol_row(d, eid, lid, &d->sch[s], grade, "enrolled", start, -1);
	d->sch[s].learners++;
	return s;
}

static void learner(struct demo *d, struct rng *r, struct household *h, const struct kid *k)
{
	const struct region *g = &d->reg[h->v];
	const struct name *fam = k->sex == SEX_M ? &h->fam_m : &h->fam_f;
	const char *nid = rng_chance(r, d->cu->nid_school_pct / 100.0) ? k->nid : NULL;
	char *lid = h->learners[h->nlearners++];
	int grade = pick_grade(r, g, k->age);
	bool on_roll;
	uint32_t s;

	id_text(lid, d->cu->cc, 'L', ++d->n.learners);
	s = enrol(d, r, h, lid, k->age, grade, &on_roll);
	person_row(d, &(struct prow){lid, "learner", &k->given, fam, &k->father, k->sex, k->birth, nid, g->code,
				     d->sch[s].code, NULL, NULL, -1, h->device, h->internet});
	roster_user(d, lid, &k->given, fam, k->sex, k->birth, &d->sch[s], grade, nid);
	if (on_roll) {
		char day[11];
		date_text(k->birth, day);
		link_row(&d->f[F_LEARNERS], lid, nid, &k->given, fam, &k->father, k->sex == SEX_M ? "m" : "f", day,
			 g->code);
	}
	if (on_roll && rng_chance(r, 0.01))
		d->n.unregistered++; /* born abroad: in school, not in the register */
	else
		add_child(d, h, k, lid, on_roll ? "enrolled" : "dropped_out");
}

enum { G_FATHER, G_MOTHER, G_GRANDFATHER, G_GRANDMOTHER };

static int32_t years_before(struct rng *r, int32_t day, int lo, int hi)
{
	return day - rng_range(r, lo, hi) * YEAR_DAYS - (int32_t)rng_below(r, YEAR_DAYS);
}

static void guardian(struct demo *d, struct rng *r, const struct household *h, int who, const char *of)
{
	const struct culture *cu = d->cu;
	const struct region *g = &d->reg[h->v];
	const struct name *given, *fam, *fam_m, *other;
	struct name gm_given, gm_fam, gm_fam_m, someone, father;
	int sex = who == G_MOTHER || who == G_GRANDMOTHER ? SEX_F : SEX_M;
	int32_t birth = years_before(r, h->eldest, who < 2 ? 24 : 48, who < 2 ? 40 : 65);
	char id[24], nid[24] = "";

	if (who == G_FATHER || who == G_GRANDFATHER) {
		given = who == G_FATHER ? &h->father : &h->grandpa;
		fam = fam_m = &h->fam_m;
	} else if (who == G_MOTHER) {
		given = &h->mother;
		fam = &h->mfam_f;
		fam_m = &h->mfam_m;
	} else {
		cu->given(d, r, SEX_F, &gm_given);
		cu->family(d, r, &gm_fam_m, &gm_fam);
		given = &gm_given;
		fam = &gm_fam;
		fam_m = &gm_fam_m;
	}
	if (who == G_FATHER || who == G_MOTHER) {
		other = who == G_FATHER ? &h->grandpa : &h->mgrandpa;
	} else {
		cu->given(d, r, SEX_M, &someone);
		other = &someone;
	}
	cu->patronym(other, fam_m, sex, &father);
	id_text(id, cu->cc, 'G', ++d->n.guardians);
	if (rng_chance(r, 0.9))
		cu->national_id(d, g->prov, sex, birth, nid);
	person_row(d, &(struct prow){id, "guardian", given, fam, &father, sex, birth, nid[0] ? nid : NULL, g->code,
				     NULL, NULL, of, -1, -1, -1});
}

/* About 2.35 guardians a household with learners: father and mother, a
 * grandparent or two in some, one parent in a few. */
static void guardians(struct demo *d, struct rng *r, const struct household *h)
{
	static const uint16_t w[4] = {7, 60, 24, 9};
	int n = 1 + rng_weighted(r, w, 4);
	char of[KIDS_MAX * 24 + 4] = "";
	size_t len = 0;

	for (int i = 0; i < h->nlearners; i++)
		len += (size_t)snprintf(of + len, sizeof of - len, "%s%s", i ? ";" : "", h->learners[i]);
	if (n == 1) {
		guardian(d, r, h, rng_chance(r, 0.7) ? G_MOTHER : G_FATHER, of);
		return;
	}
	for (int who = 0; who < n; who++)
		guardian(d, r, h, who, of);
}

static void household(struct demo *d, struct rng *r, uint32_t v, int n)
{
	const struct region *g = &d->reg[v];
	struct household h;
	struct kid k[KIDS_MAX];

	household_init(d, r, v, &h);
	make_kids(d, r, &h, k, n);
	for (int i = 0; i < n; i++) {
		if (rng_chance(r, p_out(g, k[i].age, k[i].sex))) {
			add_child(d, &h, &k[i], "", "not_enrolled");
			d->n.not_enrolled++;
		} else {
			learner(d, r, &h, &k[i]);
		}
	}
	if (h.nlearners)
		guardians(d, r, &h);
}

void people_village(struct demo *d, uint32_t v)
{
	static const uint16_t sizes[3] = {83, 13, 4};
	uint32_t left = d->reg[v].children;
	struct rng r;

	rng_seed(&r, d->o.seed, STREAM_VILLAGE + v);
	d->nkids = 0;
	while (left) {
		uint32_t n = 1 + (uint32_t)rng_weighted(&r, sizes, 3);
		if (n > left)
			n = left;
		household(d, &r, v, (int)n);
		left -= n;
	}
	rng_seed(&r, d->o.seed, STREAM_REGISTER + v);
	register_village(d, &r, d->kids, d->nkids);
}
