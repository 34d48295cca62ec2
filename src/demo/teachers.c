/*
 * teachers.c — each school's teachers, once its learners are counted:
 * about one for 18 learners in towns, 13 in villages and 10 in nomadic
 * schools, at least one. Subjects follow the school's levels; digital
 * skills fall with age and deprivation; own devices and home internet
 * are rarer where poorer. Drawn from the school's own random stream.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

static const struct wname subjects[] = {
	{"mathematics", NULL, 20}, {"language", NULL, 18}, {"science", NULL, 10}, {"english", NULL, 9},
	{"physics", NULL, 6}, {"chemistry", NULL, 6}, {"biology", NULL, 6}, {"social_studies", NULL, 6},
	{"history", NULL, 4}, {"geography", NULL, 4}, {"religion", NULL, 4}, {"physical_education", NULL, 5},
	{"arts", NULL, 4}, {"computer_science", NULL, 4}, {"technology", NULL, 3},
};

static int teachers_for(const struct region *v, const struct school *s)
{
	double ratio = s->kind & KIND_NOMADIC ? 10 : v->rural ? 13 : 18;
	int n = (int)(s->learners / ratio + 0.5);

	return n < 1 ? 1 : n;
}

/* A grade the school teaches, the k-th among those with learners. */
static int grade_for(const struct demo *d, struct school *s, int k)
{
	int n = 0, g;

	for (g = 1; g <= d->cu->max_grade; g++)
		n += (s->grades >> g) & 1;
	if (!n) {
		g = s->levels & LVL_PRIMARY ? 1 : s->levels & LVL_LOWER ? d->cu->primary_last + 1 : d->cu->lower_last + 1;
		s->grades |= (uint16_t)(1u << g);
		return g;
	}
	k %= n;
	for (g = 1;; g++)
		if (((s->grades >> g) & 1) && !k--)
			return g;
}

static void subjects_of(struct rng *r, const struct demo *d, int grade, char *out, size_t size)
{
	const char *a, *b;

	if (grade <= d->cu->primary_last && rng_chance(r, 0.85)) {
		snprintf(out, size, "primary");
		return;
	}
	a = PICK(r, subjects)->s;
	b = PICK(r, subjects)->s;
	if (strcmp(a, b) != 0 && rng_chance(r, 0.35))
		snprintf(out, size, "%s;%s", a, b);
	else
		snprintf(out, size, "%s", a);
}

static int skills(struct rng *r, const struct region *v, int age)
{
	double x = 2.3 - 1.6 * v->dep - (age - 40) / 18.0 + 0.9 * rng_normal(r);
	int k = (int)(x + 0.5);

	return k < 0 ? 0 : k > 4 ? 4 : k;
}

static void teacher(struct demo *d, struct rng *r, struct school *s, int k)
{
	const struct culture *cu = d->cu;
	const struct region *v = &d->reg[s->village];
	int sex = rng_chance(r, cu->female_teachers_pct / 100.0) ? SEX_F : SEX_M;
	int age = rng_range(r, 23, 62), grade = grade_for(d, s, k);
	int32_t birth = days_from_ymd(DEMO_YEAR - age, 1, 1) + (int32_t)rng_below(r, 365);
	struct name given, fam_m, fam_f, father, other;
	char id[24], nid[24], subj[64];
	bool device = rng_chance(r, clamp01(0.95 - 0.4 * v->dep - (v->nomadic ? 0.1 : 0)));
	bool internet = rng_chance(r, clamp01(0.9 - 0.45 * v->dep - (v->rural ? 0.1 : 0)));

	cu->given(d, r, sex, &given);
	cu->family(d, r, &fam_m, &fam_f);
	cu->given(d, r, SEX_M, &other);
	cu->patronym(&other, &fam_m, sex, &father);
	cu->national_id(d, v->prov, sex, birth, nid);
	subjects_of(r, d, grade, subj, sizeof subj);
	id_text(id, cu->cc, 'T', ++d->n.teachers);
	person_row(d, &(struct prow){id, "teacher", &given, sex == SEX_M ? &fam_m : &fam_f, &father, sex, birth, nid,
				     v->code, s->code, subj, NULL, skills(r, v, age), device, internet});
	roster_teacher(d, id, &given, sex == SEX_M ? &fam_m : &fam_f, s, grade, nid);
}

void teachers_write(struct demo *d)
{
	struct rng r;

	for (uint32_t i = 0; i < d->nsch; i++) {
		struct school *s = &d->sch[i];
		rng_seed(&r, d->o.seed, STREAM_TEACHER + i);
		s->teachers = (uint32_t)teachers_for(&d->reg[s->village], s);
		for (uint32_t k = 0; k < s->teachers; k++)
			teacher(d, &r, s, (int)k);
	}
}
