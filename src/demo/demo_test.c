/*
 * demo_test.c — the demo country generator on its files alone (no store):
 * the same seed gives the same bytes; the shares of boarding, nomadic and
 * rural schools, of children in no school and of Nguyễn are where they
 * should be; every reference resolves; names are valid UTF-8 in the
 * country's script; dates are real; the register and truth.csv agree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/utf8.h"
#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "unit.h"
#include "base/banned.h"

/* ---- a small CSV table and a string set, for reading the files ---- */

struct table {
	char *text;
	char ***rows;   /* rows[i][j], row 0 the header */
	size_t nrows, ncols;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = xmalloc((size_t)n + 1);
	if (fread(p, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	p[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return p;
}

/* Splits one line in place into fields (RFC 4180 quotes); returns the
 * character after the line. */
static char *split_line(char *p, char **fields, size_t max, size_t *n)
{
	*n = 0;
	for (;;) {
		char *w = p, *start = p;
		if (*p == '"') {
			for (p++;; p++) {
				if (*p == '"' && p[1] == '"')
					*w++ = *++p;
				else if (*p == '"')
					break;
				else
					*w++ = *p;
			}
			p++;
		} else {
			while (*p && *p != ',' && *p != '\n')
				p++;
			w = p;
		}
		if (*n < max)
			fields[(*n)++] = start;
		if (*p == ',') {
			*w = '\0';
			p++;
			continue;
		}
		char end = *p;
		*w = '\0';
		return end ? p + 1 : p;
	}
}

static void table_load(struct table *t, const char *dir, const char *name)
{
	char path[1024], *p, *fields[64];
	size_t cap = 1024, n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	t->text = slurp(path, NULL);
	assert_non_null(t->text);
	t->rows = xmalloc(cap * sizeof *t->rows);
	t->nrows = 0;
	for (p = t->text; *p;) {
		p = split_line(p, fields, 64, &n);
		if (t->nrows == 0)
			t->ncols = n;
		assert_int_equal(n, t->ncols);
		if (t->nrows == cap)
			t->rows = xrealloc(t->rows, (cap *= 2) * sizeof *t->rows);
		t->rows[t->nrows] = xmalloc(n * sizeof(char *));
		memcpy(t->rows[t->nrows++], fields, n * sizeof(char *));
	}
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free(t->rows[i]);
	free(t->rows);
	free(t->text);
}

static int col(const struct table *t, const char *name)
{
	for (size_t j = 0; j < t->ncols; j++)
		if (strcmp(t->rows[0][j], name) == 0)
			return (int)j;
	fail_msg("no column %s", name);
	return -1;
}

struct set {
	const char **v;
	size_t cap, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void set_init(struct set *s, size_t n)
{
	s->cap = 16;
	while (s->cap < n * 2)
		s->cap *= 2;
	s->v = xcalloc(s->cap, sizeof *s->v);
	s->n = 0;
}

static bool set_has(const struct set *s, const char *k)
{
	for (size_t i = hash(k) & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->v[i], k) == 0)
			return true;
	return false;
}

/* Adds k; false when it was there already. */
static bool set_add(struct set *s, const char *k)
{
	size_t i;

	for (i = hash(k) & (s->cap - 1); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (strcmp(s->v[i], k) == 0)
			return false;
	s->v[i] = k;
	s->n++;
	return true;
}

/* The values of one column as a set. */
static void set_of(struct set *s, const struct table *t, const char *name)
{
	int c = col(t, name);

	set_init(s, t->nrows);
	for (size_t i = 1; i < t->nrows; i++)
		set_add(s, t->rows[i][c]);
}

/* ---- generating ---- */

static char *generate_counted(const char *country, uint64_t learners, uint64_t seed, struct demo_counts *n)
{
	struct demo_opts o = {demo_culture(country), seed, learners, false, true, NULL, true};
	struct errinfo ei = {0};
	char *dir = unit_temp_dir();

	assert_non_null(dir);
	assert_non_null(o.cu);
	o.out = dir;
	if (demo_generate(&o, n, &ei) != OK)
		fail_msg("demo_generate: %s", ei.msg);
	return dir;
}

static char *generate(const char *country, uint64_t learners, uint64_t seed)
{
	struct demo_counts n;

	return generate_counted(country, learners, seed, &n);
}

static void remove_demo(char *dir)
{
	char sub[1024];

	snprintf(sub, sizeof sub, "%s/oneroster", dir);
	unit_remove_dir(xstrdup(sub));
	unit_remove_dir(dir);
}

static const char *const files[] = {
	"regions.csv", "schools.csv", "people.csv", "enrolments.csv", "register.csv", "truth.csv", "learners.csv",
	"oneroster/manifest.csv", "oneroster/orgs.csv", "oneroster/users.csv", "oneroster/enrollments.csv",
	"oneroster/classes.csv", "oneroster/courses.csv", "oneroster/academicSessions.csv",
	"oneroster/demographics.csv",
};

static bool same_file(const char *a, const char *b, const char *name)
{
	char pa[1024], pb[1024], *x, *y;
	size_t na, nb;
	bool same;

	snprintf(pa, sizeof pa, "%s/%s", a, name);
	snprintf(pb, sizeof pb, "%s/%s", b, name);
	x = slurp(pa, &na);
	y = slurp(pb, &nb);
	assert_non_null(x);
	assert_non_null(y);
	same = na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

/* ---- tests ---- */

enum { IR, VN, AZ, NCOUNTRY };

static const char *const countries[NCOUNTRY] = {"ir", "vn", "az"};

struct towns {
	char *dir[NCOUNTRY];
	struct demo_counts n[NCOUNTRY];
};

#define TOWN 50000

static void test_same_seed_same_bytes(void **state)
{
	(void)state;
	for (int c = 0; c < NCOUNTRY; c++) {
		char *a = generate(countries[c], 2000, 7), *b = generate(countries[c], 2000, 7);
		char *x = generate(countries[c], 2000, 8);
		for (size_t i = 0; i < COUNT(files); i++)
			if (!same_file(a, b, files[i]))
				fail_msg("%s: %s differs with the same seed", countries[c], files[i]);
		assert_false(same_file(a, x, "people.csv"));
		assert_false(same_file(a, x, "register.csv"));
		remove_demo(a);
		remove_demo(b);
		remove_demo(x);
	}
}

static double share(const struct table *t, const char *column, const char *value)
{
	int c = col(t, column);
	size_t n = 0;

	for (size_t i = 1; i < t->nrows; i++)
		n += strcmp(t->rows[i][c], value) == 0;
	return (double)n / (double)(t->nrows - 1);
}

static void assert_between(double x, double lo, double hi, const char *what)
{
	if (x < lo || x > hi)
		fail_msg("%s is %.4f, not in [%.3f, %.3f]", what, x, lo, hi);
}

static void check_school_shares(const char *dir, double nomadic_lo, double nomadic_hi)
{
	struct table s;

	table_load(&s, dir, "schools.csv");
	assert_between(share(&s, "boarding", "1"), 0.025, 0.06, "boarding share");
	assert_between(share(&s, "nomadic", "1"), nomadic_lo, nomadic_hi, "nomadic share");
	assert_between(share(&s, "rural", "1"), 0.5, 0.8, "rural share");
	table_free(&s);
}

static void check_people_shares(const char *dir)
{
	struct table p, t;
	double learners, guardians, teachers;

	table_load(&p, dir, "people.csv");
	learners = share(&p, "role", "learner");
	guardians = share(&p, "role", "guardian");
	teachers = share(&p, "role", "teacher");
	assert_between((double)(p.nrows - 1) * learners, TOWN * 0.96, TOWN * 1.04, "learners");
	assert_between(guardians / learners, 1.85, 2.1, "guardians per learner");
	assert_between(learners / teachers, 14, 20, "learners per teacher");
	table_load(&t, dir, "truth.csv");
	assert_between(share(&t, "status", "not_enrolled"), 0.03, 0.08, "children in no school");
	table_free(&t);
	table_free(&p);
}

static void test_shares(void **state)
{
	struct towns *w = *state;
	struct table p;
	int f, r;
	size_t learners = 0, nguyen = 0;

	check_school_shares(w->dir[IR], 0.015, 0.06);
	check_school_shares(w->dir[VN], 0, 0.01);
	check_school_shares(w->dir[AZ], 0, 0.03);
	for (int c = 0; c < NCOUNTRY; c++)
		check_people_shares(w->dir[c]);
	table_load(&p, w->dir[VN], "people.csv");
	f = col(&p, "family_name");
	r = col(&p, "role");
	for (size_t i = 1; i < p.nrows; i++)
		if (strcmp(p.rows[i][r], "learner") == 0) {
			learners++;
			nguyen += strcmp(p.rows[i][f], "Nguyễn") == 0;
		}
	assert_between((double)nguyen / (double)learners, 0.35, 0.42, "Nguyễn share");
	table_free(&p);
}

/* Every value of column of t is in s (blank allowed when blank_ok). */
static void all_in(const struct table *t, const char *column, const struct set *s, bool blank_ok,
		   const char *what)
{
	int c = col(t, column);

	for (size_t i = 1; i < t->nrows; i++) {
		const char *v = t->rows[i][c];
		if (!(blank_ok && !*v) && !set_has(s, v))
			fail_msg("%s: row %zu: %s %s resolves to nothing", what, i, column, v);
	}
}

static void check_tree_refs(const char *dir, struct table *reg, struct set *codes)
{
	int code, parent;

	table_load(reg, dir, "regions.csv");
	code = col(reg, "code");
	parent = col(reg, "parent_code");
	set_init(codes, reg->nrows);
	for (size_t i = 1; i < reg->nrows; i++) {
		if (i > 1 && !set_has(codes, reg->rows[i][parent]))
			fail_msg("region %s: parent %s not before it", reg->rows[i][code], reg->rows[i][parent]);
		assert_true(set_add(codes, reg->rows[i][code]));
	}
}

static void check_people_refs(const struct table *p, const struct set *schools, const struct set *regions,
			      struct set *learners)
{
	int id = col(p, "id"), role = col(p, "role"), of = col(p, "guardian_of");
	struct set ids;

	set_init(&ids, p->nrows);
	set_init(learners, p->nrows);
	all_in(p, "school_code", schools, true, "people");
	all_in(p, "region_code", regions, false, "people");
	for (size_t i = 1; i < p->nrows; i++) {
		char buf[256], *k, *save = NULL;
		assert_true(set_add(&ids, p->rows[i][id]));
		if (strcmp(p->rows[i][role], "learner") == 0)
			set_add(learners, p->rows[i][id]);
		snprintf(buf, sizeof buf, "%s", p->rows[i][of]);
		for (k = strtok_r(buf, ";", &save); k; k = strtok_r(NULL, ";", &save))
			if (!set_has(learners, k))
				fail_msg("guardian %s: child %s is not a learner before it", p->rows[i][id], k);
	}
	free(ids.v);
}

static void check_refs(const char *dir)
{
	struct table reg, sch, ppl, enr;
	struct set regions, schools, learners, eids;

	check_tree_refs(dir, &reg, &regions);
	table_load(&sch, dir, "schools.csv");
	all_in(&sch, "region_code", &regions, false, "schools");
	set_of(&schools, &sch, "code");
	assert_int_equal(schools.n, sch.nrows - 1);
	table_load(&ppl, dir, "people.csv");
	check_people_refs(&ppl, &schools, &regions, &learners);
	table_load(&enr, dir, "enrolments.csv");
	all_in(&enr, "learner_id", &learners, false, "enrolments");
	all_in(&enr, "school_code", &schools, false, "enrolments");
	set_of(&eids, &enr, "id");
	assert_int_equal(eids.n, enr.nrows - 1);
	free(regions.v);
	free(schools.v);
	free(learners.v);
	free(eids.v);
	table_free(&reg);
	table_free(&sch);
	table_free(&ppl);
	table_free(&enr);
}

static void check_roster_refs(const char *dir)
{
	struct table orgs, users, enr, cls, crs, dem;
	struct set so, su, sc, sk;

	table_load(&orgs, dir, "oneroster/orgs.csv");
	table_load(&users, dir, "oneroster/users.csv");
	table_load(&enr, dir, "oneroster/enrollments.csv");
	table_load(&cls, dir, "oneroster/classes.csv");
	table_load(&crs, dir, "oneroster/courses.csv");
	table_load(&dem, dir, "oneroster/demographics.csv");
	set_of(&so, &orgs, "sourcedId");
	set_of(&su, &users, "sourcedId");
	set_of(&sc, &cls, "sourcedId");
	set_of(&sk, &crs, "sourcedId");
	all_in(&orgs, "parentSourcedId", &so, true, "orgs");
	all_in(&users, "orgSourcedIds", &so, false, "users");
	all_in(&cls, "schoolSourcedId", &so, false, "classes");
	all_in(&cls, "courseSourcedId", &sk, false, "classes");
	all_in(&enr, "classSourcedId", &sc, false, "enrollments");
	all_in(&enr, "schoolSourcedId", &so, false, "enrollments");
	all_in(&enr, "userSourcedId", &su, false, "enrollments");
	all_in(&dem, "sourcedId", &su, false, "demographics");
	free(so.v);
	free(su.v);
	free(sc.v);
	free(sk.v);
	table_free(&orgs);
	table_free(&users);
	table_free(&enr);
	table_free(&cls);
	table_free(&crs);
	table_free(&dem);
}

static void test_references(void **state)
{
	struct towns *w = *state;

	for (int c = 0; c < NCOUNTRY; c++) {
		check_refs(w->dir[c]);
		check_roster_refs(w->dir[c]);
	}
}

static void test_utf8(void **state)
{
	struct towns *w = *state;
	char path[1024], *text;
	size_t n, bad;

	for (int c = 0; c < NCOUNTRY; c++)
		for (size_t i = 0; i < COUNT(files); i++) {
			snprintf(path, sizeof path, "%s/%s", w->dir[c], files[i]);
			text = slurp(path, &n);
			assert_non_null(text);
			if (!utf8_valid(text, n, &bad))
				fail_msg("%s: invalid UTF-8 at byte %zu", path, bad);
			free(text);
		}
}

static bool all_cps(const char *s, bool (*ok)(uint32_t cp))
{
	uint32_t cp;

	while (*s) {
		s += utf8_next(s, &cp);
		if (!ok(cp))
			return false;
	}
	return true;
}

static bool persian_cp(uint32_t cp)
{
	return (cp >= 0x600 && cp <= 0x6FF) || cp == 0x200C || cp == ' ';
}

static bool combining_cp(uint32_t cp)
{
	return cp >= 0x300 && cp <= 0x36F;
}

static bool not_combining(uint32_t cp)
{
	return !combining_cp(cp);
}

static bool ascii_cp(uint32_t cp)
{
	return cp < 0x80;
}

static bool ends_with(const char *s, const char *end)
{
	size_t a = strlen(s), b = strlen(end);

	return a >= b && strcmp(s + a - b, end) == 0;
}

static void check_persian(const struct table *p)
{
	int g = col(p, "given_name"), f = col(p, "family_name"), fa = col(p, "father_name");
	size_t zwnj = 0, zadeh = 0;

	for (size_t i = 1; i < p->nrows; i++) {
		char **r = p->rows[i];
		if (!all_cps(r[g], persian_cp) || !all_cps(r[f], persian_cp) || !all_cps(r[fa], persian_cp))
			fail_msg("not in Persian script: %s %s %s", r[g], r[f], r[fa]);
		zwnj += strstr(r[g], ZWNJ) != NULL;
		zadeh += ends_with(r[f], "زاده") || ends_with(r[f], "پور");
	}
	assert_true(zwnj > 0);
	assert_true(zadeh > 0);
}

static void check_vietnamese(const struct table *p)
{
	int g = col(p, "given_name"), f = col(p, "family_name"), s = col(p, "sex");
	size_t marked = 0;

	for (size_t i = 1; i < p->nrows; i++) {
		char **r = p->rows[i], full[256];
		snprintf(full, sizeof full, "%s %s", r[f], r[g]);
		assert_true(all_cps(full, not_combining)); /* NFC */
		marked += !all_cps(full, ascii_cp);
		if (strncmp(r[g], "Thị ", strlen("Thị ")) == 0)
			assert_string_equal(r[s], "f");
		if (strncmp(r[g], "Văn ", strlen("Văn ")) == 0)
			assert_string_equal(r[s], "m");
	}
	assert_true(marked > (p->nrows - 1) * 9 / 10);
}

static void check_azerbaijani(const struct table *p, const char *text)
{
	static const char *const letters[] = {"ə", "ı", "ğ", "ş", "ç"};
	int f = col(p, "family_name"), fa = col(p, "father_name"), s = col(p, "sex"), role = col(p, "role");

	for (size_t i = 0; i < COUNT(letters); i++)
		if (!strstr(text, letters[i]))
			fail_msg("no %s in Azerbaijani names", letters[i]);
	for (size_t i = 1; i < p->nrows; i++) {
		char **r = p->rows[i];
		bool m = strcmp(r[s], "m") == 0;
		if (strcmp(r[role], "learner") != 0)
			continue;
		assert_true(ends_with(r[fa], m ? " oğlu" : " qızı"));
		if (ends_with(r[f], "ova") || ends_with(r[f], "yeva"))
			assert_false(m);
		else if (ends_with(r[f], "ov") || ends_with(r[f], "yev"))
			assert_true(m);
		else
			assert_true(ends_with(r[f], "li") || ends_with(r[f], "lı") || ends_with(r[f], "zadə"));
	}
}

static void test_names(void **state)
{
	struct towns *w = *state;
	struct table p;
	char path[1024], *text;

	table_load(&p, w->dir[IR], "people.csv");
	check_persian(&p);
	table_free(&p);
	table_load(&p, w->dir[VN], "people.csv");
	check_vietnamese(&p);
	table_free(&p);
	snprintf(path, sizeof path, "%s/people.csv", w->dir[AZ]);
	text = slurp(path, NULL);
	table_load(&p, w->dir[AZ], "people.csv");
	check_azerbaijani(&p, text);
	table_free(&p);
	free(text);
}

/* Parses YYYY-MM-DD into days; false when it is not a real date. */
static bool parse_day(const char *s, int32_t *days)
{
	int y, m, d, y2, m2, d2;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	*days = days_from_ymd(y, m, d);
	ymd_from_days(*days, &y2, &m2, &d2);
	return y == y2 && m == m2 && d == d2;
}

static void check_dates(const char *dir, int max_grade)
{
	struct table p, e;
	int b, role, st, en;
	int32_t day, start, end, cutoff = days_from_ymd(DEMO_YEAR, 9, 1);

	table_load(&p, dir, "people.csv");
	b = col(&p, "birth_date");
	role = col(&p, "role");
	for (size_t i = 1; i < p.nrows; i++) {
		if (!parse_day(p.rows[i][b], &day))
			fail_msg("%s: birth date %s", dir, p.rows[i][b]);
		if (strcmp(p.rows[i][role], "learner") == 0)
			assert_between((cutoff - day) / 365.25, 6, max_grade + 6, "a learner's age");
	}
	table_load(&e, dir, "enrolments.csv");
	st = col(&e, "start_date");
	en = col(&e, "end_date");
	for (size_t i = 1; i < e.nrows; i++) {
		assert_true(parse_day(e.rows[i][st], &start));
		if (e.rows[i][en][0]) {
			assert_true(parse_day(e.rows[i][en], &end));
			assert_true(end >= start);
		}
	}
	table_free(&p);
	table_free(&e);
}

static void test_dates(void **state)
{
	struct towns *w = *state;

	check_dates(w->dir[IR], 12);
	check_dates(w->dir[VN], 12);
	check_dates(w->dir[AZ], 11);
}

static void learners_of(const struct table *p, struct set *s)
{
	int id = col(p, "id"), role = col(p, "role");

	set_init(s, p->nrows);
	for (size_t i = 1; i < p->nrows; i++)
		if (strcmp(p->rows[i][role], "learner") == 0)
			set_add(s, p->rows[i][id]);
}

/* register.csv and truth.csv: the same ids in the same order; a child in
 * no school has no person, every other one a learner of people.csv, each
 * learner at most once; the enrolled ones are the rows of learners.csv. */
static void check_register(const char *dir, const struct demo_counts *n)
{
	struct table reg, tr, ppl, lrn;
	struct set learners, on_roll, seen;
	int rid, tid, tp, ts;
	size_t none = 0, enrolled = 0;

	table_load(&reg, dir, "register.csv");
	table_load(&tr, dir, "truth.csv");
	table_load(&ppl, dir, "people.csv");
	table_load(&lrn, dir, "learners.csv");
	assert_int_equal(reg.nrows, tr.nrows);
	rid = col(&reg, "id");
	tid = col(&tr, "register_id");
	tp = col(&tr, "person_id");
	ts = col(&tr, "status");
	learners_of(&ppl, &learners);
	set_of(&on_roll, &lrn, "id");
	set_init(&seen, tr.nrows);
	for (size_t i = 1; i < tr.nrows; i++) {
		const char *person = tr.rows[i][tp], *status = tr.rows[i][ts];
		assert_string_equal(reg.rows[i][rid], tr.rows[i][tid]);
		if (strcmp(status, "not_enrolled") == 0) {
			assert_string_equal(person, "");
			none++;
			continue;
		}
		assert_true(set_has(&learners, person));
		assert_true(set_add(&seen, person));
		assert_true(set_has(&on_roll, person) == (strcmp(status, "enrolled") == 0));
		enrolled += strcmp(status, "enrolled") == 0;
	}
	assert_true(none > 0);
	assert_int_equal(none, n->not_enrolled);
	assert_int_equal(tr.nrows - 1, n->register_rows);
	assert_int_equal(lrn.nrows - 1, enrolled + n->unregistered); /* born abroad: on roll, not registered */
	assert_between((double)enrolled / (double)(lrn.nrows - 1), 0.98, 1.0, "on-roll learners in the register");
	free(learners.v);
	free(on_roll.v);
	free(seen.v);
	table_free(&reg);
	table_free(&tr);
	table_free(&ppl);
	table_free(&lrn);
}

static void test_register(void **state)
{
	struct towns *w = *state;

	for (int c = 0; c < NCOUNTRY; c++)
		check_register(w->dir[c], &w->n[c]);
}

/* Siblings (a guardian of several learners) share the family and the
 * father's name, and some are twins (the same birth date). */
static void test_siblings_and_twins(void **state)
{
	struct towns *w = *state;
	struct table p;
	int id, of, f, fa, b;
	size_t households = 0, twins = 0;

	table_load(&p, w->dir[IR], "people.csv");
	id = col(&p, "id");
	of = col(&p, "guardian_of");
	f = col(&p, "family_name");
	fa = col(&p, "father_name");
	b = col(&p, "birth_date");
	for (size_t i = 1; i < p.nrows; i++) {
		size_t kids = 0, k;
		const char *s = p.rows[i][of];
		if (!strchr(s, ';') || (i > 1 && strcmp(s, p.rows[i - 1][of]) == 0))
			continue;
		for (const char *q = s; *q; q++)
			kids += *q == ';';
		kids++;
		/* the children are the learner rows just before the guardian */
		k = i - kids;
		assert_true(strstr(s, p.rows[k][id]) == s);
		for (size_t j = k + 1; j < i; j++) {
			assert_string_equal(p.rows[j][f], p.rows[k][f]);
			assert_string_equal(p.rows[j][fa], p.rows[k][fa]);
			twins += strcmp(p.rows[j][b], p.rows[k][b]) == 0;
		}
		households++;
	}
	assert_true(households > 500);
	assert_true(twins > 10);
	table_free(&p);
}

static bool iran_code_ok(const char *s)
{
	int sum = 0, r;

	if (strlen(s) != 10)
		return false;
	for (int i = 0; i < 9; i++)
		sum += (s[i] - '0') * (10 - i);
	r = sum % 11;
	return s[9] - '0' == (r < 2 ? r : 11 - r);
}

static void test_national_ids(void **state)
{
	struct towns *w = *state;
	struct table p;
	struct set s;
	int n;

	for (int c = 0; c < NCOUNTRY; c++) {
		table_load(&p, w->dir[c], "people.csv");
		n = col(&p, "national_id");
		set_init(&s, p.nrows);
		for (size_t i = 1; i < p.nrows; i++) {
			const char *v = p.rows[i][n];
			if (!*v)
				continue;
			if (!set_add(&s, v))
				fail_msg("%s: national id %s twice", countries[c], v);
			if (c == IR && !iran_code_ok(v))
				fail_msg("national code %s fails its check digit", v);
		}
		free(s.v);
		table_free(&p);
	}
}

static int make_towns(void **state)
{
	struct towns *w = *state;

	for (int c = 0; c < NCOUNTRY; c++)
		w->dir[c] = generate_counted(countries[c], TOWN, 1, &w->n[c]);
	return 0;
}

static int remove_towns(void **state)
{
	struct towns *w = *state;

	for (int c = 0; c < NCOUNTRY; c++)
		remove_demo(w->dir[c]);
	return 0;
}

int main(void)
{
	struct towns w = {0};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_bytes),
		cmocka_unit_test_prestate(test_shares, &w),
		cmocka_unit_test_prestate(test_references, &w),
		cmocka_unit_test_prestate(test_utf8, &w),
		cmocka_unit_test_prestate(test_names, &w),
		cmocka_unit_test_prestate(test_dates, &w),
		cmocka_unit_test_prestate(test_register, &w),
		cmocka_unit_test_prestate(test_siblings_and_twins, &w),
		cmocka_unit_test_prestate(test_national_ids, &w),
	};
	void *state = &w;
	int rc;

	make_towns(&state);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	remove_towns(&state);
	return rc;
}
