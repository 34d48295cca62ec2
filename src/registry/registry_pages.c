/*
 * registry_pages.c — the school page, the person page and the search
 * page. They read through the same domain functions as the API, so what a
 * page shows is what the caller may read; a record outside their scope is
 * a 404 page. Numbers and dates are left to the templates' {{number}} and
 * {{date}}, which write them in the reader's digits and calendar.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "registry/registry.h"
#include "registry/registry_routes.h"
#include "web/page.h"
#include "web/web.h"
#include "base/banned.h"

#define SEARCH_ROWS 20
#define ENROLMENT_ROWS 50

/* Labels of the vocabularies, in the order of registry.h's sets. */
static const char *const level_labels[] = {N_("Pre-primary"), N_("Primary"), N_("Lower secondary"),
					   N_("Upper secondary"), N_("Adult education")};
static const char *const electricity_labels[] = {N_("Grid electricity"), N_("Solar power"), N_("No electricity")};
static const char *const connectivity_labels[] = {N_("No connection"), "2G", "3G", "4G", N_("Fibre"),
						  N_("Satellite")};
static const char *const role_labels[] = {N_("Learner"), N_("Guardian"), N_("Teacher"), N_("Adult learner")};
static const char *const sex_labels[] = {N_("Female"), N_("Male"), N_("Other")};
static const char *const status_labels[] = {N_("Enrolled"), N_("Transferred"), N_("Dropped out"), N_("Graduated")};

/* The translated label of value in set, or NULL. */
static json_t *label(const struct ctx *c, const char *const set[], const char *const labels[], const char *value)
{
	int i = value ? registry_index(set, value) : -1;
	return i < 0 ? json_null() : json_string(_(labels[i]));
}

static const char *number(struct req *r, int64_t v)
{
	struct buf b;
	const char *s;

	buf_init(&b, 64);
	web_number(r->c.lang, v, &b);
	s = arena_strdup(r->c.arena, b.p);
	buf_release(&b);
	return s;
}

/* A speed with one decimal in the reader's digits ("۱۲٫۵"). */
static const char *speed_text(struct req *r, const char *mbps)
{
	static const char *const seps[][2] = {{"fa", "\xd9\xab"}, {"vi", ","}, {"az", ","}};
	double v = strtod(mbps, NULL);
	int64_t tenths = llround(v * 10);
	const char *sep = ".";

	for (size_t i = 0; i < sizeof seps / sizeof seps[0]; i++)
		if (!strcmp(r->c.lang, seps[i][0]))
			sep = seps[i][1];
	if (tenths % 10 == 0)
		return number(r, tenths / 10);
	return arena_printf(r->c.arena, "%s%s%s", number(r, tenths / 10), sep, number(r, tenths % 10));
}

static void set_search(struct req *r, json_t *d)
{
	json_object_set_new(d, "can_search", json_boolean(auth_can(r->c.user, ACT_REGISTRY_READ, NULL)));
}

/* ---- the school page ---- */

static json_t *trail_json(struct req *r, const char *path)
{
	struct registry_crumb *crumbs;
	json_t *a = json_array();
	int n;

	if (registry_trail(&r->c, path, &crumbs, &n) == OK)
		for (int i = 0; i < n; i++)
			json_array_append_new(a, json_pack("{s:s, s:s}", "code", crumbs[i].code, "name", crumbs[i].name));
	return a;
}

static json_t *levels_json(const struct ctx *c, const char *levels)
{
	json_t *a = json_array();
	const char *p = levels ? levels : "";

	while (*p) {
		size_t n = strcspn(p, ",");
		char item[32];
		int i;
		snprintf(item, sizeof item, "%.*s", (int)n, p);
		if ((i = registry_index(registry_school_levels, item)) >= 0)
			json_array_append_new(a, json_string(_(level_labels[i])));
		p += n;
		p += *p == ',';
	}
	return a;
}

static json_t *kinds_json(const struct ctx *c, const struct registry_rec *s)
{
	json_t *a = json_array();

	if (s->v[SC_BOARDING] && !strcmp(s->v[SC_BOARDING], "1"))
		json_array_append_new(a, json_string(_("Boarding")));
	if (s->v[SC_NOMADIC] && !strcmp(s->v[SC_NOMADIC], "1"))
		json_array_append_new(a, json_string(_("Nomadic or mobile")));
	if (s->v[SC_RURAL] && !strcmp(s->v[SC_RURAL], "1"))
		json_array_append_new(a, json_string(_("Rural")));
	return a;
}

/* Computers and tablets against learners, as a sentence. */
static const char *equipment_text(struct req *r, const struct registry_rec *s, int64_t enrolled)
{
	const struct ctx *c = &r->c;
	int64_t devices = strtoll(s->v[SC_COMPUTERS] ? s->v[SC_COMPUTERS] : "0", NULL, 10) +
			  strtoll(s->v[SC_TABLETS] ? s->v[SC_TABLETS] : "0", NULL, 10);
	int64_t learners = s->v[SC_LEARNERS] ? strtoll(s->v[SC_LEARNERS], NULL, 10) : enrolled;

	if (devices == 0)
		return _("No computers or tablets.");
	if (learners == 0)
		return NULL;
	return arena_printf(r->c.arena, _("One computer or tablet for every %s learners."),
			    number(r, (learners + devices - 1) / devices));
}

static json_t *school_data(struct req *r, const struct registry_rec *s)
{
	const struct ctx *c = &r->c;
	struct registry_grade *grades;
	int64_t teachers = 0, enrolled = 0;
	int n = 0;
	json_t *d = json_object(), *g = json_array();
	const char *eq;

	if (registry_school_counts(&r->c, s, &grades, &n, &teachers) != OK)
		n = 0;
	for (int i = 0; i < n; i++) {
		json_array_append_new(g, json_pack("{s:s, s:I}", "grade", grades[i].grade, "learners",
						   (json_int_t)grades[i].learners));
		enrolled += grades[i].learners;
	}
	json_object_set_new(d, "school", registry_rec_jansson(s));
	json_object_set_new(d, "trail", trail_json(r, s->path));
	json_object_set_new(d, "kinds", kinds_json(c, s));
	json_object_set_new(d, "levels", levels_json(c, s->v[SC_LEVELS]));
	json_object_set_new(d, "electricity", label(c, registry_electricity, electricity_labels, s->v[SC_ELECTRICITY]));
	json_object_set_new(d, "connectivity",
			    label(c, registry_connectivity, connectivity_labels, s->v[SC_CONNECTIVITY]));
	json_object_set_new(d, "connected", json_boolean(s->v[SC_CONNECTIVITY] && strcmp(s->v[SC_CONNECTIVITY], "none")));
	if (s->v[SC_DOWNLOAD_MBPS])
		json_object_set_new(d, "speed", json_string(speed_text(r, s->v[SC_DOWNLOAD_MBPS])));
	if ((eq = equipment_text(r, s, enrolled)))
		json_object_set_new(d, "equipment", json_string(eq));
	json_object_set_new(d, "grades", g);
	json_object_set_new(d, "enrolled", json_integer(enrolled));
	json_object_set_new(d, "teachers_active", json_integer(teachers));
	return d;
}

int registry_page_school(struct req *r)
{
	struct registry_rec s;
	json_t *d;
	enum err rc;

	if ((rc = registry_get(&r->c, REG_SCHOOL, req_param(r, "id"), &s)) != OK)
		return req_fail(r, rc);
	d = school_data(r, &s);
	set_search(r, d);
	return web_page(r, 200, "school", s.v[SC_NAME], d);
}

/* ---- the person page ---- */

static json_t *enrolments_json(struct req *r, const char *person_id)
{
	const struct ctx *c = &r->c;
	struct registry_filter f = {.learner = person_id};
	struct registry_rec *list;
	int64_t next;
	int n;
	json_t *a = json_array();

	if (registry_list(&r->c, REG_ENROLMENT, &f, 0, ENROLMENT_ROWS, &list, &n, &next) != OK)
		return a;
	for (int i = 0; i < n; i++) {
		json_t *e = registry_rec_jansson(&list[i]);
		json_object_set_new(e, "status_label",
				    label(c, registry_statuses, status_labels, list[i].v[EN_STATUS]));
		json_array_append_new(a, e);
	}
	return a;
}

static void links_data(struct req *r, const struct registry_rec *p, json_t *d)
{
	struct registry_link *links;
	json_t *g = json_array(), *k = json_array();
	int n;

	if (registry_person_links(&r->c, p, &links, &n) != OK)
		n = 0;
	for (int i = 0; i < n; i++)
		json_array_append_new(links[i].guardian ? g : k,
				      json_pack("{s:s, s:s, s:s, s:s}", "id", links[i].id, "given_name",
						links[i].given_name, "family_name", links[i].family_name, "relation",
						links[i].relation ? links[i].relation : ""));
	json_object_set_new(d, "guardians", g);
	json_object_set_new(d, "children", k);
}

int registry_page_person(struct req *r)
{
	const struct ctx *c = &r->c;
	struct registry_rec p, s;
	const char *birth;
	json_t *d;
	enum err rc;

	if ((rc = registry_get(&r->c, REG_PERSON, req_param(r, "id"), &p)) != OK)
		return req_fail(r, rc);
	d = json_pack("{s:o}", "person", registry_rec_jansson(&p));
	json_object_set_new(d, "role_label", label(c, registry_roles, role_labels, p.v[PE_ROLE]));
	json_object_set_new(d, "sex_label", label(c, registry_sexes, sex_labels, p.v[PE_SEX]));
	birth = p.v[PE_BIRTH_DATE];
	if (birth && strlen(birth) == 4)
		json_object_set_new(d, "birth_year", json_integer(strtoll(birth, NULL, 10)));
	else if (birth)
		json_object_set_new(d, "birth_date", json_string(birth));
	if (p.v[PE_SCHOOL_ID] && registry_get(&r->c, REG_SCHOOL, p.v[PE_SCHOOL_ID], &s) == OK)
		json_object_set_new(d, "school", json_pack("{s:s, s:s}", "id", s.v[SC_ID], "name", s.v[SC_NAME]));
	err_clear(&r->c.err);
	json_object_set_new(d, "enrolments", enrolments_json(r, p.v[PE_ID]));
	links_data(r, &p, d);
	set_search(r, d);
	return web_page(r, 200, "person", arena_printf(r->c.arena, "%s %s", p.v[PE_GIVEN_NAME], p.v[PE_FAMILY_NAME]), d);
}

/* ---- the search page ---- */

const struct field registry_in_search[] = {
	{"q", F_STR, false, 0, 200, NULL, "a school's or a person's name"},
	{0}};

static json_t *found_json(const struct ctx *c, const struct registry_rec *list, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		json_t *o = registry_rec_jansson(&list[i]);
		if (list[i].kind == REG_PERSON)
			json_object_set_new(o, "role_label", label(c, registry_roles, role_labels, list[i].v[PE_ROLE]));
		json_array_append_new(a, o);
	}
	return a;
}

int registry_page_search(struct req *r)
{
	const struct ctx *c = &r->c;
	const char *q = req_str(r, "q");
	struct registry_rec *schools, *people;
	int ns, np;
	json_t *d = json_object();
	enum err rc;

	set_search(r, d);
	json_object_set_new(d, "can_people", json_boolean(auth_can(r->c.user, ACT_PERSON_READ, NULL)));
	if (!q || !*q)
		return web_page(r, 200, "search", _("Search"), d);
	json_object_set_new(d, "q", json_string(q));
	rc = registry_search(&r->c, q, SEARCH_ROWS, &schools, &ns, &people, &np);
	if (rc == ERR_INVALID) {
		json_object_set_new(d, "error", json_string(r->c.err.msg));
		return web_page(r, 400, "search", _("Search"), d);
	}
	if (rc != OK) {
		json_decref(d);
		return req_fail(r, rc);
	}
	json_object_set_new(d, "searched", json_true());
	json_object_set_new(d, "schools", found_json(c, schools, ns));
	json_object_set_new(d, "people", found_json(c, people, np));
	return web_page(r, 200, "search", _("Search"), d);
}
