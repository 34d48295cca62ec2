/*
 * registry_test.c — the registry against a real store in a temporary
 * directory: field validation, names found across scripts and
 * diacritics, scope (officers, teachers, guardians, donors) with lists
 * that agree with one-by-one reads, retiring, the audit rows, and paging
 * through a region subtree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "base/arena.h"
#include "base/log.h"
#include "base/text.h"
#include "registry/registry.h"
#include "store/store.h"
#include "base/banned.h"

struct fx {
	char *dir;
	struct app app;
	struct store *store;
	struct ctx c;
	struct user admin;
};

static struct user user_of(const char *role, const char *scope, const char *person)
{
	struct user u;

	memset(&u, 0, sizeof u);
	u.role = auth_role_parse(role);
	id_new(u.id);
	snprintf(u.scope, sizeof u.scope, "%s", scope);
	snprintf(u.person_id, sizeof u.person_id, "%s", person ? person : "");
	snprintf(u.login, sizeof u.login, "%s-%s", role, scope);
	return u;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct errinfo ei = {0};

	if (!f || !(f->dir = unit_temp_dir()))
		return -1;
	conf_defaults(&f->app.conf);
	snprintf(f->app.conf.data, sizeof f->app.conf.data, "%s", f->dir);
	if (store_open(f->dir, true, &f->store, &ei) != OK)
		return -1;
	f->admin = user_of("admin", "", NULL);
	f->c.app = &f->app;
	f->c.store = f->store;
	f->c.arena = arena_new();
	f->c.lang = "en";
	f->c.ip = "192.0.2.9";
	f->c.req_id = "req-registry";
	f->c.user = &f->admin;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	arena_free(f->c.arena);
	store_close(f->store);
	unit_remove_dir(f->dir);
	free(f);
	return 0;
}

/* Acts as u (NULL: the administrator) from here on. */
static void as(struct fx *f, const struct user *u)
{
	f->c.user = u ? u : &f->admin;
	err_clear(&f->c.err);
}

/* Builds a registry_in from "name", "value", … NULL. */
static struct registry_in in_of(enum registry_kind k, ...)
{
	struct registry_in in;
	const char *name;
	va_list ap;

	memset(&in, 0, sizeof in);
	va_start(ap, k);
	while ((name = va_arg(ap, const char *))) {
		int i = registry_field_index(k, name);
		if (i < 0)
			fail_msg("no field %s", name);
		in.v[i] = va_arg(ap, const char *);
	}
	va_end(ap);
	return in;
}

static enum err create(struct fx *f, enum registry_kind k, struct registry_in in, struct registry_rec *out)
{
	struct registry_rec tmp;
	err_clear(&f->c.err);
	return registry_create(&f->c, k, &in, out ? out : &tmp);
}

static void must(struct fx *f, enum registry_kind k, struct registry_in in, struct registry_rec *out)
{
	enum err rc = create(f, k, in, out);
	if (rc != OK)
		fail_msg("create failed: %s (%s)", f->c.err.msg, f->c.err.field);
}

/* Expects ERR_INVALID (or code) naming field. */
static void refused(struct fx *f, enum err want, enum err got, const char *field)
{
	if (got != want)
		fail_msg("wanted error %d on %s, got %d (%s)", want, field ? field : "-", got, f->c.err.msg);
	if (field)
		assert_string_equal(f->c.err.field, field);
	assert_true(f->c.err.msg[0] != '\0');
}

static void region(struct fx *f, const char *code, const char *parent, const char *level, const char *name)
{
	must(f, REG_REGION, in_of(REG_REGION, "code", code, "parent_code", parent, "level", level, "name", name, NULL),
	     NULL);
}

/* IR → IR-07 → IR-07-03 (villages V1, V2), IR-07-04; IR-08 → IR-08-01.
 * Schools S1 (V1), S2 (V2), S4 (IR-07-04), S8 (IR-08-01). */
static void tree(struct fx *f)
{
	region(f, "IR", NULL, "country", "ایران");
	region(f, "IR-07", "IR", "province", "فارس");
	region(f, "IR-07-03", "IR-07", "district", "Shiraz");
	region(f, "IR-07-03-V1", "IR-07-03", "village", "Village one");
	region(f, "IR-07-03-V2", "IR-07-03", "village", "Village two");
	region(f, "IR-07-04", "IR-07", "district", "Marvdasht");
	region(f, "IR-08", "IR", "province", "Kerman");
	region(f, "IR-08-01", "IR-08", "district", "Bam");
	must(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S1", "name", "Azadi School", "region_code", "IR-07-03-V1", NULL), NULL);
	must(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S2", "name", "Nomad School", "region_code", "IR-07-03-V2", NULL), NULL);
	must(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S4", "name", "Marvdasht School", "region_code", "IR-07-04", NULL), NULL);
	must(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S8", "name", "Bam School", "region_code", "IR-08-01", NULL), NULL);
}

static void learner(struct fx *f, const char *given, const char *family, const char *school, struct registry_rec *out)
{
	must(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", given, "family_name", family, "birth_date",
				  "2015-03-01", "school_code", school, NULL), out);
}

/* ---- validation ---- */

static void test_validation(void **state)
{
	struct fx *f = *state;
	struct registry_rec r;

	tree(f);
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "connectivity", "5g", NULL), NULL), "connectivity");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "lat", "91", NULL), NULL), "lat");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "lon", "east", NULL), NULL), "lon");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "NOWHERE",
							      NULL), NULL), "region_code");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "download_mbps", "12", NULL), NULL), "download_mbps");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X 1", "name", "X", "region_code", "IR-07",
							      NULL), NULL), "code");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "region_code", "IR-07", NULL), NULL),
		"name");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "levels", "primary;college", NULL), NULL), "levels");
	refused(f, ERR_INVALID, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "X1", "name", "X", "region_code", "IR-07",
							      "measured_at", "2999-01-01", NULL), NULL), "measured_at");
	refused(f, ERR_EXISTS, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S1", "name", "Again", "region_code", "IR-07",
							     NULL), NULL), "code");
	/* Impossible dates, in both calendars; a Solar Hijri date is stored Gregorian. */
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "A", "family_name",
							      "B", "birth_date", "2016-02-30", NULL), NULL), "birth_date");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "A", "family_name",
							      "B", "birth_date", "1400/12/30", NULL), NULL), "birth_date");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "A", "family_name",
							      "B", "birth_date", "2999-01-01", NULL), NULL), "birth_date");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "A", "family_name",
							      "B", NULL), NULL), "birth_date");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "teacher", "given_name", "A", "family_name",
							      "B", NULL), NULL), "school_code");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "teacher", "given_name", "A", "family_name",
							      "B", "school_code", "S1", "digital_skills", "5", NULL), NULL),
		"digital_skills");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "pupil", "given_name", "A", "family_name",
							      "B", NULL), NULL), "role");
	refused(f, ERR_INVALID, create(f, REG_PERSON, in_of(REG_PERSON, "role", "adult", "given_name", "A\x01", "family_name",
							      "B", NULL), NULL), "given_name");
	must(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "مریم", "family_name", "احمدی", "birth_date",
				  "۱۳۸۵/۰۴/۱۲", "sex", "f", NULL), &r);
	assert_string_equal(r.v[PE_BIRTH_DATE], "2006-07-03");
	/* Regions: the level must fit under the parent. */
	refused(f, ERR_INVALID, create(f, REG_REGION, in_of(REG_REGION, "code", "IR-07-X", "parent_code", "IR-07", "level",
							      "village", "name", "X", NULL), NULL), "level");
	refused(f, ERR_INVALID, create(f, REG_REGION, in_of(REG_REGION, "code", "IR-09", "parent_code", "XX", "level",
							      "province", "name", "X", NULL), NULL), "parent_code");
	refused(f, ERR_INVALID, create(f, REG_REGION, in_of(REG_REGION, "code", "IR-09", "level", "province", "name", "X",
							      NULL), NULL), "parent_code");
	refused(f, ERR_INVALID, create(f, REG_REGION, in_of(REG_REGION, "code", "IR-09", "parent_code", "IR", "level",
							      "province", "name", "X", "deprivation", "1.5", NULL), NULL),
		"deprivation");
	/* Enrolments: years and dates. */
	refused(f, ERR_INVALID, create(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", r.v[PE_ID], "school_code", "S1",
								 "grade", "3", "school_year", "2026-2028", NULL), NULL),
		"school_year");
	refused(f, ERR_INVALID, create(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", r.v[PE_ID], "school_code", "S1",
								 "grade", "3", "school_year", "1405", "start_date", "2026-09-01",
								 "end_date", "2026-01-01", NULL), NULL), "end_date");
	refused(f, ERR_INVALID, create(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", r.v[PE_ID], "school_code", "S99",
								 "grade", "3", "school_year", "1405", NULL), NULL), "school_code");
}

static void test_update_rules(void **state)
{
	struct fx *f = *state;
	struct registry_rec s, s2;
	struct registry_in in;
	int64_t seq;

	tree(f);
	assert_int_equal(registry_get(&f->c, REG_SCHOOL, "S1", &s), OK);
	in = in_of(REG_SCHOOL, "connectivity", "4g", "download_mbps", "12.5", "measured_at", "2026-05-01", "lat",
		   "29.61", "levels", "primary, lower_secondary", "boarding", "yes", NULL);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, s.v[SC_ID], &in, &s2), OK);
	assert_string_equal(s2.v[SC_CONNECTIVITY], "4g");
	assert_string_equal(s2.v[SC_DOWNLOAD_MBPS], "12.5");
	assert_string_equal(s2.v[SC_LEVELS], "primary,lower_secondary");
	assert_string_equal(s2.v[SC_BOARDING], "1");
	assert_true(strcmp(s2.v[SC_SEQ], s.v[SC_SEQ]) != 0);
	/* The same values again change nothing, and write nothing. */
	seq = strtoll(s2.v[SC_SEQ], NULL, 10);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S1", &in, &s2), OK);
	assert_int_equal(strtoll(s2.v[SC_SEQ], NULL, 10), seq);
	/* Codes are fixed; going back to no connection needs the speed cleared. */
	in = in_of(REG_SCHOOL, "code", "S1-NEW", NULL);
	refused(f, ERR_INVALID, registry_update(&f->c, REG_SCHOOL, "S1", &in, &s2), "code");
	err_clear(&f->c.err);
	in = in_of(REG_SCHOOL, "connectivity", "none", NULL);
	refused(f, ERR_INVALID, registry_update(&f->c, REG_SCHOOL, "S1", &in, &s2), "download_mbps");
	err_clear(&f->c.err);
	in = in_of(REG_SCHOOL, "connectivity", "none", "download_mbps", "", NULL);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S1", &in, &s2), OK);
	assert_null(s2.v[SC_DOWNLOAD_MBPS]);
	in = in_of(REG_SCHOOL, "id", "x", NULL);
	refused(f, ERR_INVALID, registry_update(&f->c, REG_SCHOOL, "S1", &in, &s2), "id");
	/* A school named by its id where the code is stored is no change either. */
	struct registry_rec kid, kid2;
	learner(f, "Sara", "Ahmadi", "S1", &kid);
	in = in_of(REG_PERSON, "school_code", s.v[SC_ID], NULL);
	assert_int_equal(registry_update(&f->c, REG_PERSON, kid.v[PE_ID], &in, &kid2), OK);
	assert_string_equal(kid2.v[PE_SEQ], kid.v[PE_SEQ]);
	assert_string_equal(kid2.v[PE_SCHOOL_CODE], "S1");
}

/* ---- search ---- */

static bool listed(struct fx *f, enum registry_kind k, const char *q, const char *id)
{
	struct registry_filter flt = {.q = q};
	struct registry_rec *list;
	int64_t next;
	int n;

	err_clear(&f->c.err);
	assert_int_equal(registry_list(&f->c, k, &flt, 0, 100, &list, &n, &next), OK);
	for (int i = 0; i < n; i++)
		if (!strcmp(list[i].v[0], id))
			return true;
	return false;
}

static bool searched(struct fx *f, const char *q, const char *id)
{
	struct registry_rec *s, *p;
	int ns, np;

	err_clear(&f->c.err);
	assert_int_equal(registry_search(&f->c, q, 20, &s, &ns, &p, &np), OK);
	for (int i = 0; i < ns; i++)
		if (!strcmp(s[i].v[0], id))
			return true;
	for (int i = 0; i < np; i++)
		if (!strcmp(p[i].v[0], id))
			return true;
	return false;
}

static void test_search_scripts(void **state)
{
	struct fx *f = *state;
	struct registry_rec vn, fa, az, school, *s, *p;
	int ns, np;

	tree(f);
	learner(f, "Văn An", "Nguyễn", "S1", &vn);
	/* Written with the Arabic yeh and kaf, as many keyboards type them. */
	learner(f, "علي", "كريمي", "S1", &fa);
	learner(f, "Əli", "İsmayılov", "S2", &az);
	must(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S9", "name", "مدرسه‌ی شهید بهشتی", "name_en", "Shahid Beheshti School",
				  "region_code", "IR-08-01", NULL), &school);

	assert_true(listed(f, REG_PERSON, "Nguyen", vn.v[0]));
	assert_true(listed(f, REG_PERSON, "NGUYỄN văn", vn.v[0]));
	assert_true(listed(f, REG_PERSON, "van", vn.v[0]));          /* any word */
	assert_true(listed(f, REG_PERSON, "an nguy", vn.v[0]));      /* words in any order, as prefixes */
	assert_false(listed(f, REG_PERSON, "Nguyet", vn.v[0]));
	assert_true(listed(f, REG_PERSON, "علی", fa.v[0]));           /* Persian yeh finds Arabic yeh */
	assert_true(listed(f, REG_PERSON, "کریمی", fa.v[0]));
	assert_true(listed(f, REG_PERSON, "ismayilov", az.v[0]));
	assert_true(listed(f, REG_PERSON, "ISMAYILOV əli", az.v[0])); /* ə and I fold too */
	assert_false(listed(f, REG_PERSON, "ismayilov", vn.v[0]));
	assert_true(listed(f, REG_SCHOOL, "مدرسهی", school.v[0]));    /* ZWNJ or not */
	assert_true(listed(f, REG_SCHOOL, "beheshti", school.v[0]));  /* a name in another language */
	/* The search box finds both kinds, by the whole-name prefix too. */
	assert_true(searched(f, "nguyen van", vn.v[0]));
	assert_true(searched(f, "Ismayılov", az.v[0]));
	assert_true(searched(f, "shahid", school.v[0]));
	/* Wildcards in a query are not patterns; a query of no letters is refused. */
	assert_false(listed(f, REG_PERSON, "_guyen", vn.v[0]));
	err_clear(&f->c.err);
	refused(f, ERR_INVALID, registry_search(&f->c, "%", 20, &s, &ns, &p, &np), "q");
}

/* ---- scope ---- */

struct world {
	struct registry_rec kid1, kid2, kid4, kid8, teacher1, mum;
};

static void people(struct fx *f, struct world *w)
{
	tree(f);
	learner(f, "Sara", "Ahmadi", "S1", &w->kid1);
	learner(f, "Reza", "Ahmadi", "S2", &w->kid2);
	learner(f, "Omid", "Karimi", "S4", &w->kid4);
	learner(f, "Nima", "Bami", "S8", &w->kid8);
	must(f, REG_PERSON, in_of(REG_PERSON, "role", "teacher", "given_name", "Leila", "family_name", "Moradi",
				  "school_code", "S1", NULL), &w->teacher1);
	must(f, REG_PERSON, in_of(REG_PERSON, "role", "guardian", "given_name", "Maryam", "family_name", "Ahmadi",
				  "region_code", "IR-07-03", NULL), &w->mum);
	assert_int_equal(registry_guardian_add(&f->c, w->kid1.v[0], w->mum.v[0], "mother"), OK);
}

static bool can_read(struct fx *f, const struct registry_rec *r)
{
	struct registry_rec got;
	enum err rc;

	err_clear(&f->c.err);
	rc = registry_get(&f->c, r->kind, r->v[0], &got);
	if (rc != OK)
		assert_int_equal(rc, ERR_NOTFOUND);
	return rc == OK;
}

/* Every person in the store, read as the administrator. */
static int everyone(struct fx *f, const char ***ids)
{
	const struct user *was = f->c.user;
	struct registry_filter flt = {.retired = true};
	struct registry_rec *list;
	int64_t next;
	int n;

	as(f, NULL);
	assert_int_equal(registry_list(&f->c, REG_PERSON, &flt, 0, 500, &list, &n, &next), OK);
	*ids = arena_alloc(f->c.arena, sizeof **ids * (size_t)n);
	for (int i = 0; i < n; i++)
		(*ids)[i] = list[i].v[0];
	f->c.user = was;
	return n;
}

/* The list a user gets holds exactly the people they can read one by one. */
static int agree(struct fx *f)
{
	const char **all;
	int total = everyone(f, &all), n, readable = 0;
	struct registry_filter flt = {.retired = true};
	struct registry_rec *list;
	int64_t next;

	err_clear(&f->c.err);
	assert_int_equal(registry_list(&f->c, REG_PERSON, &flt, 0, 500, &list, &n, &next), OK);
	for (int i = 0; i < total; i++) {
		struct registry_rec one;
		bool in_list = false;
		err_clear(&f->c.err);
		bool ok = registry_get(&f->c, REG_PERSON, all[i], &one) == OK;
		for (int j = 0; j < n; j++)
			in_list |= !strcmp(list[j].v[0], all[i]);
		if (ok != in_list)
			fail_msg("%s: list says %d, read says %d", all[i], in_list, ok);
		readable += ok;
	}
	assert_int_equal(readable, n);
	return n;
}

static void test_scope(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct user district = user_of("district_officer", "IR-07-03", NULL),
		    other = user_of("district_officer", "IR-08-01", NULL), teacher = user_of("teacher", "S1", NULL),
		    head2 = user_of("school_head", "S2", NULL), donor = user_of("donor", "", NULL),
		    national = user_of("national_officer", "", NULL);
	struct registry_rec got, *list;
	struct registry_in in;
	int64_t next;
	int n;

	people(f, &w);
	struct user guardian = user_of("guardian", "", w.mum.v[0]), stranger = user_of("guardian", "", w.kid8.v[0]);

	as(f, &district);
	assert_true(can_read(f, &w.kid1));
	assert_true(can_read(f, &w.kid2));
	assert_false(can_read(f, &w.kid4));  /* the other district of the province */
	assert_false(can_read(f, &w.kid8));
	assert_int_equal(agree(f), 4); /* kid1, kid2, the teacher, the mother */

	as(f, &other);
	assert_false(can_read(f, &w.kid1));
	assert_true(can_read(f, &w.kid8));
	assert_int_equal(agree(f), 1);

	as(f, &teacher);
	assert_true(can_read(f, &w.kid1));
	assert_false(can_read(f, &w.kid2)); /* another school of the same district */
	assert_int_equal(agree(f), 2); /* kid1 and the teacher */
	in = in_of(REG_PERSON, "given_name", "Sarah", NULL);
	assert_int_equal(registry_update(&f->c, REG_PERSON, w.kid1.v[0], &in, &got), ERR_DENIED);

	as(f, &guardian);
	assert_true(can_read(f, &w.kid1));
	assert_true(can_read(f, &w.mum));
	assert_false(can_read(f, &w.kid2));
	assert_int_equal(agree(f), 2);
	assert_int_equal(registry_list(&f->c, REG_ENROLMENT, NULL, 0, 100, &list, &n, &next), OK);
	assert_int_equal(n, 0);
	as(f, &stranger);
	assert_false(can_read(f, &w.kid1));

	as(f, &donor);
	assert_false(can_read(f, &w.kid1));
	assert_int_equal(registry_list(&f->c, REG_PERSON, NULL, 0, 100, &list, &n, &next), OK);
	assert_int_equal(n, 0);
	assert_int_equal(registry_list(&f->c, REG_SCHOOL, NULL, 0, 100, &list, &n, &next), OK);
	assert_int_equal(n, 0);

	as(f, &national);
	assert_int_equal(agree(f), 6);

	/* Writes: a district officer adds people in their district only, and
	 * a school head at their school only. */
	as(f, &district);
	refused(f, ERR_DENIED, create(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "X", "family_name",
							    "Y", "birth_date", "2015", "school_code", "S8", NULL), NULL),
		"school_code");
	must(f, REG_PERSON, in_of(REG_PERSON, "role", "learner", "given_name", "X", "family_name", "Y", "birth_date", "2015",
				  "school_code", "S2", NULL), &got);
	assert_string_equal(got.v[PE_REGION_CODE], "IR-07-03-V2"); /* the school's region */
	in = in_of(REG_PERSON, "school_code", "S8", "region_code", "IR-08-01", NULL);
	refused(f, ERR_DENIED, registry_update(&f->c, REG_PERSON, got.v[0], &in, &got), "school_code");
	err_clear(&f->c.err);
	as(f, &head2);
	refused(f, ERR_DENIED, create(f, REG_SCHOOL, in_of(REG_SCHOOL, "code", "S3", "name", "Z", "region_code",
							    "IR-07-03-V2", NULL), NULL), "region_code");
	in = in_of(REG_SCHOOL, "computers", "10", NULL);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S2", &in, &got), OK);
	err_clear(&f->c.err);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S1", &in, &got), ERR_NOTFOUND);
	as(f, &district);
	refused(f, ERR_DENIED, create(f, REG_REGION, in_of(REG_REGION, "code", "IR-08-01-V", "parent_code", "IR-08-01",
							    "level", "village", "name", "V", NULL), NULL), "parent_code");
	must(f, REG_REGION, in_of(REG_REGION, "code", "IR-07-03-V3", "parent_code", "IR-07-03", "level", "village", "name",
				  "Village three", NULL), NULL);
}

/* Sets one field of an enrolment through the registry. */
static void enrol_set(struct fx *f, struct registry_rec *e, const char *field, const char *value)
{
	struct registry_in in = in_of(REG_ENROLMENT, field, value, NULL);
	assert_int_equal(registry_update(&f->c, REG_ENROLMENT, e->v[0], &in, e), OK);
}

static int64_t count(struct fx *f, const char *sql, const char *arg)
{
	int64_t n = -1;
	assert_int_equal(store_int1(f->store, &n, sql, "t", arg), OK);
	return n;
}

static void test_enrolment_and_guardians(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct registry_rec e, kid, *list;
	struct registry_filter flt = {0};
	struct registry_in in;
	int64_t next;
	int n;

	people(f, &w);
	must(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", w.kid1.v[0], "school_code", "S2", "grade", "3",
				     "school_year", "۱۴۰۵", NULL), &e);
	assert_string_equal(e.v[EN_STATUS], "enrolled");
	assert_string_equal(e.v[EN_SCHOOL_YEAR], "1405");
	assert_int_equal(registry_get(&f->c, REG_PERSON, w.kid1.v[0], &kid), OK);
	assert_string_equal(kid.v[PE_SCHOOL_CODE], "S2"); /* the learner follows the enrolment */
	in = in_of(REG_ENROLMENT, "status", "transferred", "end_date", "2026-12-01", NULL);
	assert_int_equal(registry_update(&f->c, REG_ENROLMENT, e.v[0], &in, &e), OK);
	assert_string_equal(e.v[EN_STATUS], "transferred");
	flt.learner = w.kid1.v[0];
	assert_int_equal(registry_list(&f->c, REG_ENROLMENT, &flt, 0, 10, &list, &n, &next), OK);
	assert_int_equal(n, 1);
	refused(f, ERR_INVALID, create(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", w.mum.v[0], "school_code", "S1",
								 "grade", "3", "school_year", "1405", NULL), NULL),
		"learner_id");
	/* Guardians: not oneself, not a learner, only for learners. */
	err_clear(&f->c.err);
	refused(f, ERR_INVALID, registry_guardian_add(&f->c, w.kid1.v[0], w.kid1.v[0], ""), "guardian_id");
	err_clear(&f->c.err);
	refused(f, ERR_INVALID, registry_guardian_add(&f->c, w.kid1.v[0], w.kid2.v[0], ""), "guardian_id");
	err_clear(&f->c.err);
	refused(f, ERR_INVALID, registry_guardian_add(&f->c, w.mum.v[0], w.teacher1.v[0], ""), NULL);
	err_clear(&f->c.err);
	assert_int_equal(registry_guardian_add(&f->c, w.kid1.v[0], w.mum.v[0], "parent"), OK); /* again: updates */
	struct registry_link *links;
	assert_int_equal(registry_person_links(&f->c, &w.mum, &links, &n), OK);
	assert_int_equal(n, 1);
	assert_false(links[0].guardian);
	assert_string_equal(links[0].relation, "parent");
	/* The school page's counts. */
	struct registry_grade *grades;
	struct registry_rec s2, e4, e8;
	int64_t teachers;
	must(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", w.kid2.v[0], "school_code", "S2", "grade", "KG",
				     "school_year", "2026-2027", NULL), NULL);
	must(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", w.kid4.v[0], "school_code", "S2", "grade", "10",
				     "school_year", "2026-2027", NULL), &e4);
	must(f, REG_ENROLMENT, in_of(REG_ENROLMENT, "learner_id", w.kid8.v[0], "school_code", "S2", "grade", "2",
				     "school_year", "2026-2027", NULL), &e8);
	assert_int_equal(registry_get(&f->c, REG_SCHOOL, "S2", &s2), OK);
	assert_int_equal(registry_school_counts(&f->c, &s2, &grades, &n, &teachers), OK);
	assert_int_equal(n, 3);
	assert_string_equal(grades[0].grade, "KG");
	assert_string_equal(grades[1].grade, "2");
	assert_string_equal(grades[2].grade, "10");
	assert_int_equal(grades[2].learners, 1);
	assert_int_equal(teachers, 0);
	/* The counts follow every change: a move of grade, a status that
	 * leaves and one that comes back, a move of school. */
	enrol_set(f, &e4, "grade", "2");
	enrol_set(f, &e, "status", "enrolled");
	assert_int_equal(registry_school_counts(&f->c, &s2, &grades, &n, &teachers), OK);
	assert_int_equal(n, 3);
	assert_string_equal(grades[1].grade, "2");
	assert_int_equal(grades[1].learners, 2);
	assert_string_equal(grades[2].grade, "3");
	assert_int_equal(grades[2].learners, 1);
	enrol_set(f, &e8, "status", "dropped_out");
	enrol_set(f, &e, "school_code", "S1");
	assert_int_equal(registry_school_counts(&f->c, &s2, &grades, &n, &teachers), OK);
	assert_int_equal(n, 2);
	assert_string_equal(grades[0].grade, "KG");
	assert_string_equal(grades[1].grade, "2");
	assert_int_equal(grades[1].learners, 1);
	/* And they are what counting the enrolments gives. */
	int64_t off = -1;
	assert_int_equal(store_int1(f->store, &off, UNIT_SQL_GRADES_OFF, ""), OK);
	assert_int_equal(off, 0);
	/* While a load has the triggers away, the page counts the enrolments. */
	assert_int_equal(store_exec(f->store, "UPDATE school_grades SET learners = 99", ""), OK);
	assert_int_equal(store_exec(f->store, "INSERT INTO deferred_indexes (name, tbl, sql, type) VALUES "
					      "('enrolments_grades_insert', 'enrolments', '', 'trigger')", ""), OK);
	assert_int_equal(registry_school_counts(&f->c, &s2, &grades, &n, &teachers), OK);
	assert_int_equal(n, 2);
	assert_string_equal(grades[1].grade, "2");
	assert_int_equal(grades[1].learners, 1);
	assert_int_equal(store_exec(f->store, "DELETE FROM deferred_indexes", ""), OK);
	assert_int_equal(registry_school_counts(&f->c, &s2, &grades, &n, &teachers), OK);
	assert_int_equal(grades[1].learners, 99);
}

/* ---- retiring and the audit ---- */

static void test_retire(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct registry_rec got, *list;
	struct registry_filter flt = {.region = "IR-07-03"};
	struct registry_in in = in_of(REG_PERSON, "given_name", "Sarah", NULL);
	int64_t next;
	int n;

	people(f, &w);
	assert_int_equal(registry_person_retire(&f->c, w.kid1.v[0], &got), OK);
	assert_non_null(got.v[PE_RETIRED_AT]);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM people WHERE id = ?1", w.kid1.v[0]), 1);
	assert_int_equal(registry_get(&f->c, REG_PERSON, w.kid1.v[0], &got), OK);
	assert_int_equal(registry_person_retire(&f->c, w.kid1.v[0], &got), ERR_CONFLICT);
	err_clear(&f->c.err);
	assert_int_equal(registry_update(&f->c, REG_PERSON, w.kid1.v[0], &in, &got), ERR_CONFLICT);
	assert_int_equal(registry_list(&f->c, REG_PERSON, &flt, 0, 100, &list, &n, &next), OK);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(list[i].v[0], w.kid1.v[0]);
	flt.retired = true;
	assert_int_equal(registry_list(&f->c, REG_PERSON, &flt, 0, 100, &list, &n, &next), OK);
	assert_int_equal(n, 4);
}

static void test_audit(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct registry_rec got;
	struct registry_in in = in_of(REG_SCHOOL, "connectivity", "3g", NULL);

	people(f, &w);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S1", &in, &got), OK);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = 'school.update' AND object_id = ?1 "
			       "AND detail = '{\"connectivity\":{\"from\":\"none\",\"to\":\"3g\"}}' AND actor_id IS NOT NULL",
			       got.v[0]), 1);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = 'school.create' AND object_kind = ?1",
			       "school"), 4);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = 'region.create' AND object_kind = ?1",
			       "region"), 8);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = 'person.guardian_add' AND object_id = ?1",
			       w.kid1.v[0]), 1);
	assert_int_equal(registry_person_retire(&f->c, w.kid2.v[0], &got), OK);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = 'person.retire' AND object_id = ?1",
			       w.kid2.v[0]), 1);
	/* A failed change leaves no trace. */
	in = in_of(REG_SCHOOL, "lat", "91", NULL);
	assert_int_equal(registry_update(&f->c, REG_SCHOOL, "S1", &in, &got), ERR_INVALID);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit WHERE action = ?1", "school.update"), 1);
}

/* ---- paging ---- */

static void page_all(struct fx *f, const struct registry_filter *flt, int limit, int want, const char *tag)
{
	struct registry_rec *list;
	int64_t cursor = 0, next;
	int n, total = 0, pages = 0;
	const char **seen = arena_alloc(f->c.arena, sizeof *seen * 200);

	do {
		err_clear(&f->c.err);
		assert_int_equal(registry_list(&f->c, REG_PERSON, flt, cursor, limit, &list, &n, &next), OK);
		assert_true(n <= limit);
		for (int i = 0; i < n; i++) {
			for (int j = 0; j < total; j++)
				if (!strcmp(seen[j], list[i].v[0]))
					fail_msg("%s: %s twice", tag, list[i].v[0]);
			assert_true(total < 200);
			seen[total++] = list[i].v[0];
		}
		cursor = next;
		assert_true(++pages < 100);
	} while (cursor);
	if (total != want)
		fail_msg("%s: %d rows, want %d", tag, total, want);
}

static void test_paging_region(void **state)
{
	struct fx *f = *state;
	struct user district = user_of("district_officer", "IR-07-03", NULL);
	struct registry_filter flt = {.region = "IR-07-03"};
	static const char *const schools[] = {"S1", "S2", "S4", "S8"};
	char given[32];

	tree(f);
	/* Interleaved, so the keys of each region are not contiguous. */
	for (int i = 0; i < 40; i++) {
		snprintf(given, sizeof given, "Child %d", i);
		learner(f, given, i % 3 ? "Rahimi" : "Nguyễn", schools[i % 4], NULL);
	}
	page_all(f, &flt, 3, 20, "district, by 3");
	page_all(f, &flt, 1, 20, "district, by 1");
	page_all(f, &flt, 500, 20, "district, at once");
	flt.region = "IR-07-03-V1";
	page_all(f, &flt, 4, 10, "village");
	flt.region = "IR";
	page_all(f, &flt, 7, 40, "country");
	flt.region = NULL;
	page_all(f, &flt, 7, 40, "everything");
	flt.q = "nguyen";
	page_all(f, &flt, 2, 14, "a name");
	flt.region = "IR-07";
	page_all(f, &flt, 2, 10, "a name in a province");
	as(f, &district);
	flt = (struct registry_filter){0};
	page_all(f, &flt, 3, 20, "the officer's district");
	flt.region = "IR-08";
	page_all(f, &flt, 3, 0, "another province");
	flt.region = "IR";
	page_all(f, &flt, 3, 20, "the country, narrowed to the district");
	flt.school = "S4";
	page_all(f, &flt, 3, 0, "a school elsewhere");
}

static void test_cursor_pack(void **state)
{
	int64_t o, i;

	(void)state;
	registry_cursor_unpack(registry_cursor_pack(5, 123456789), &o, &i);
	assert_int_equal(o, 5);
	assert_int_equal(i, 123456789);
	registry_cursor_unpack(registry_cursor_pack(0, 42), &o, &i);
	assert_int_equal(o, 0);
	assert_int_equal(i, 42);
	assert_int_equal(registry_cursor_pack(0, 42), 42);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_validation),
		T(test_update_rules),
		T(test_search_scripts),
		T(test_scope),
		T(test_enrolment_and_guardians),
		T(test_retire),
		T(test_audit),
		T(test_paging_region),
		cmocka_unit_test(test_cursor_pack),
	};
	int rc;

	if (id_init() != 0)
		return 1;
	log_open("/dev/null", LOG_ERROR);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	text_thread_release();
	return rc;
}
