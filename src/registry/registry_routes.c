/*
 * registry_routes.c — the JSON API of registry/: regions, schools, people,
 * enrolments and guardianships under /api/v1/.
 *
 * Each handler is thin: the server has already checked the declared
 * fields (types, lengths, choices) and the gate the route's action; the
 * handler turns the input into a registry_in or registry_filter, calls
 * the domain (which checks the rules, the references and the caller's
 * scope for the record itself), and writes the answer. Records outside
 * the caller's scope answer 404, like records that do not exist.
 */
#include <string.h>

#include "base/arena.h"
#include "registry/registry.h"
#include "registry/registry_int.h"
#include "registry/registry_routes.h"
#include "base/banned.h"

#define PAGE_DEFAULT 50
#define CODE_DOC "letters, digits, . _ - (at most 32)"
#define DATE_DOC "YYYY-MM-DD, or Solar Hijri YYYY/MM/DD (Latin or Persian digits)"
#define DECIMAL_DOC(x) x ", a JSON number or text (\"35.6892\"); \"\" clears it"

static const char *const sexes_or_none[] = {"", "f", "m", "x", NULL};

#define PAGE_FIELDS \
	{"limit", F_INT, false, 1, REGISTRY_PAGE_MAX, NULL, "items per page (default 50)"}, \
	{"cursor", F_STR, false, 0, 100, NULL, "from the previous page's next"}
#define NAME_FIELDS \
	{"name_en", F_STR, false, 0, 200, NULL, "the name in English"}, \
	{"name_fa", F_STR, false, 0, 200, NULL, "the name in Persian"}, \
	{"name_vi", F_STR, false, 0, 200, NULL, "the name in Vietnamese"}, \
	{"name_az", F_STR, false, 0, 200, NULL, "the name in Azerbaijani"}

const struct field registry_in_regions[] = {
	{"parent", F_STR, false, 0, 32, NULL, "only the regions directly beneath this region code"},
	{"level", F_ENUM, false, 0, 0, registry_levels, NULL},
	{"q", F_STR, false, 0, 200, NULL, "a name search, tolerant of case, script and diacritic variants"},
	PAGE_FIELDS, {0}};
const struct field registry_in_region_new[] = {
	{"code", F_STR, true, 1, 32, NULL, "unique region code: " CODE_DOC},
	{"parent_code", F_STR, false, 0, 32, NULL, "the parent region's code; none for the country"},
	{"level", F_ENUM, true, 0, 0, registry_levels, "one level below the parent's"},
	{"name", F_STR, true, 1, 200, NULL, "the name as written in the country's language"},
	NAME_FIELDS,
	{"deprivation", F_NUM, false, 0, 1, NULL, DECIMAL_DOC("deprivation index from 0 (least) to 1 (most)")},
	{"population", F_INT, false, 0, 1000000000000, NULL, NULL},
	{"school_age_population", F_INT, false, 0, 1000000000000, NULL, NULL},
	{0}};
const struct field registry_in_region_patch[] = {
	{"name", F_STR, false, 1, 200, NULL, NULL},
	NAME_FIELDS,
	{"deprivation", F_NUM, false, 0, 1, NULL, DECIMAL_DOC("0 to 1; empty to clear")},
	{"population", F_INT, false, 0, 1000000000000, NULL, NULL},
	{"school_age_population", F_INT, false, 0, 1000000000000, NULL, NULL},
	{0}};

const struct field registry_in_schools[] = {
	{"region", F_STR, false, 0, 32, NULL, "a region code: the schools in it and beneath it"},
	{"q", F_STR, false, 0, 200, NULL, "a name search, tolerant of case, script and diacritic variants"},
	PAGE_FIELDS, {0}};

#define SCHOOL_FIELDS \
	NAME_FIELDS, \
	{"levels", F_STR, false, 0, 200, NULL, "comma-separated: pre_primary, primary, lower_secondary, upper_secondary, adult"}, \
	{"boarding", F_BOOL, false, 0, 0, NULL, NULL}, \
	{"nomadic", F_BOOL, false, 0, 0, NULL, "nomadic or mobile"}, \
	{"rural", F_BOOL, false, 0, 0, NULL, NULL}, \
	{"language", F_STR, false, 0, 35, NULL, "language of instruction, BCP 47 (fa, az, vi, ku)"}, \
	{"lat", F_NUM, false, -90, 90, NULL, DECIMAL_DOC("latitude, WGS 84 degrees, -90 to 90")}, \
	{"lon", F_NUM, false, -180, 180, NULL, DECIMAL_DOC("longitude, WGS 84 degrees, -180 to 180")}, \
	{"learners", F_INT, false, 0, 1000000, NULL, "head count reported by the school"}, \
	{"teachers", F_INT, false, 0, 100000, NULL, "head count reported by the school"}, \
	{"electricity", F_ENUM, false, 0, 0, registry_electricity, NULL}, \
	{"connectivity", F_ENUM, false, 0, 0, registry_connectivity, NULL}, \
	{"download_mbps", F_NUM, false, 0, 100000, NULL, DECIMAL_DOC("measured download speed in Mbit/s")}, \
	{"measured_at", F_STR, false, 0, 24, NULL, "when the speed was measured: " DATE_DOC}, \
	{"computers", F_INT, false, 0, 1000000, NULL, NULL}, \
	{"tablets", F_INT, false, 0, 1000000, NULL, NULL}, \
	{"projectors", F_INT, false, 0, 1000000, NULL, NULL}, \
	{"computer_centre", F_BOOL, false, 0, 0, NULL, "the school has a computer centre"}

const struct field registry_in_school_new[] = {
	{"code", F_STR, true, 1, 32, NULL, "national school code: " CODE_DOC},
	{"name", F_STR, true, 1, 200, NULL, "as written"},
	{"region_code", F_STR, true, 1, 32, NULL, "the region the school is in"},
	SCHOOL_FIELDS, {0}};
const struct field registry_in_school_patch[] = {
	{"name", F_STR, false, 1, 200, NULL, NULL},
	{"region_code", F_STR, false, 1, 32, NULL, NULL},
	SCHOOL_FIELDS, {0}};

const struct field registry_in_people[] = {
	{"region", F_STR, false, 0, 32, NULL, "a region code: the people living in it and beneath it"},
	{"school", F_STR, false, 0, 64, NULL, "a school's id or code"},
	{"role", F_ENUM, false, 0, 0, registry_roles, NULL},
	{"q", F_STR, false, 0, 200, NULL, "a name search: each word begins a word of family, given or father's name"},
	{"retired", F_BOOL, false, 0, 0, NULL, "true: include retired people"},
	PAGE_FIELDS, {0}};

#define PERSON_FIELDS \
	{"ext_id", F_STR, false, 0, 64, NULL, "the register's or school system's id"}, \
	{"father_name", F_STR, false, 0, 200, NULL, NULL}, \
	{"sex", F_ENUM, false, 0, 0, sexes_or_none, NULL}, \
	{"birth_date", F_STR, false, 0, 24, NULL, DATE_DOC ", or the year alone"}, \
	{"national_id", F_STR, false, 0, 32, NULL, NULL}, \
	{"region_code", F_STR, false, 0, 32, NULL, "where the person lives; default: their school's region"}, \
	{"school_code", F_STR, false, 0, 64, NULL, "the school's code or id: a teacher's school, a learner's current one"}, \
	{"subjects", F_STR, false, 0, 500, NULL, "teachers: comma-separated"}, \
	{"digital_skills", F_INT, false, 0, 4, NULL, "teachers: 0 (none) to 4 (advanced)"}, \
	{"has_device", F_BOOL, false, 0, 0, NULL, "a teacher's own device; a learner's household"}, \
	{"has_internet", F_BOOL, false, 0, 0, NULL, "internet at home"}

const struct field registry_in_person_new[] = {
	{"role", F_ENUM, true, 0, 0, registry_roles, NULL},
	{"given_name", F_STR, true, 1, 200, NULL, "as written, in any script"},
	{"family_name", F_STR, true, 1, 200, NULL, "as written, in any script"},
	PERSON_FIELDS, {0}};
const struct field registry_in_person_patch[] = {
	{"role", F_ENUM, false, 0, 0, registry_roles, NULL},
	{"given_name", F_STR, false, 1, 200, NULL, NULL},
	{"family_name", F_STR, false, 1, 200, NULL, NULL},
	PERSON_FIELDS, {0}};
const struct field registry_in_guardian[] = {
	{"guardian_id", F_ID, true, 0, 0, NULL, "the guardian's person id"},
	{"relation", F_STR, false, 0, 50, NULL, "mother, father, grandparent, …"},
	{0}};

const struct field registry_in_enrolments[] = {
	{"school", F_STR, false, 0, 64, NULL, "a school's id or code"},
	{"learner", F_ID, false, 0, 0, NULL, "a learner's person id"},
	{"status", F_ENUM, false, 0, 0, registry_statuses, NULL},
	{"grade", F_STR, false, 0, 16, NULL, NULL},
	PAGE_FIELDS, {0}};

#define ENROLMENT_FIELDS \
	{"ext_id", F_STR, false, 0, 64, NULL, "the school system's id"}, \
	{"status", F_ENUM, false, 0, 0, registry_statuses, "default enrolled"}, \
	{"start_date", F_STR, false, 0, 24, NULL, DATE_DOC}, \
	{"end_date", F_STR, false, 0, 24, NULL, DATE_DOC}

const struct field registry_in_enrolment_new[] = {
	{"learner_id", F_ID, true, 0, 0, NULL, "the learner's person id"},
	{"school_code", F_STR, true, 1, 64, NULL, "the school's code or id"},
	{"grade", F_STR, true, 1, 16, NULL, "KG, 1 … 12, or the system's own code"},
	{"school_year", F_STR, true, 1, 9, NULL, "2026-2027, or a Solar Hijri year (1405)"},
	ENROLMENT_FIELDS, {0}};
const struct field registry_in_enrolment_patch[] = {
	{"school_code", F_STR, false, 1, 64, NULL, NULL},
	{"grade", F_STR, false, 1, 16, NULL, NULL},
	{"school_year", F_STR, false, 1, 9, NULL, NULL},
	ENROLMENT_FIELDS, {0}};

/* ---- shared ---- */

/* The validated input as text values for the domain. */
static void take_in(struct req *r, enum registry_kind k, struct registry_in *in)
{
	const char *key;
	json_t *v;

	memset(in, 0, sizeof *in);
	json_object_foreach(r->in, key, v) {
		int i = registry_field_index(k, key);
		if (i < 0)
			continue;
		if (json_is_string(v))
			in->v[i] = json_string_value(v);
		else if (json_is_integer(v))
			in->v[i] = arena_printf(r->c.arena, "%lld", (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			in->v[i] = json_is_true(v) ? "1" : "0";
		else if (json_is_real(v))
			in->v[i] = arena_printf(r->c.arena, "%.17g", json_real_value(v));
	}
}

/* A filter given empty ("?region=") is a filter not given. */
static const char *opt(struct req *r, const char *name)
{
	const char *s = req_str(r, name);
	return s && *s ? s : NULL;
}

static int rec_reply(struct req *r, int status, const struct registry_rec *rec)
{
	registry_rec_json(req_jw(r), rec);
	return req_json(r, status);
}

static const char *const collection[REG__KINDS] = {"regions", "schools", "people", "enrolments"};

static int list(struct req *r, enum registry_kind k, const struct registry_filter *f)
{
	struct registry_rec *recs;
	int64_t cursor, next;
	struct jw *w;
	int n, st;
	enum err rc;

	if ((st = req_cursor_or_respond(r, &cursor)))
		return st;
	if ((rc = registry_list(&r->c, k, f, cursor, req_limit(r, PAGE_DEFAULT, REGISTRY_PAGE_MAX), &recs, &n, &next)) != OK)
		return req_fail(r, rc);
	w = req_list_begin(r);
	for (int i = 0; i < n; i++)
		registry_rec_json(w, &recs[i]);
	return req_list_end(r, w, next);
}

static int get(struct req *r, enum registry_kind k)
{
	struct registry_rec rec;
	enum err rc;

	if ((rc = registry_get(&r->c, k, req_param(r, "id"), &rec)) != OK)
		return req_fail(r, rc);
	return rec_reply(r, 200, &rec);
}

static int create(struct req *r, enum registry_kind k)
{
	struct registry_in in;
	struct registry_rec rec;
	enum err rc;

	take_in(r, k, &in);
	if ((rc = registry_create(&r->c, k, &in, &rec)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Location", arena_printf(r->c.arena, "/api/v1/%s/%s", collection[k], rec.v[0]));
	return rec_reply(r, 201, &rec);
}

static int patch(struct req *r, enum registry_kind k)
{
	struct registry_in in;
	struct registry_rec rec;
	enum err rc;

	take_in(r, k, &in);
	if ((rc = registry_update(&r->c, k, req_param(r, "id"), &in, &rec)) != OK)
		return req_fail(r, rc);
	return rec_reply(r, 200, &rec);
}

/* ---- the handlers ---- */

int registry_api_regions(struct req *r)
{
	struct registry_filter f = {.parent = opt(r, "parent"), .level = opt(r, "level"), .q = opt(r, "q")};
	return list(r, REG_REGION, &f);
}

int registry_api_region(struct req *r) { return get(r, REG_REGION); }
int registry_api_region_create(struct req *r) { return create(r, REG_REGION); }
int registry_api_region_patch(struct req *r) { return patch(r, REG_REGION); }

int registry_api_schools(struct req *r)
{
	struct registry_filter f = {.region = opt(r, "region"), .q = opt(r, "q")};
	return list(r, REG_SCHOOL, &f);
}

int registry_api_school(struct req *r) { return get(r, REG_SCHOOL); }
int registry_api_school_create(struct req *r) { return create(r, REG_SCHOOL); }
int registry_api_school_patch(struct req *r) { return patch(r, REG_SCHOOL); }

int registry_api_people(struct req *r)
{
	struct registry_filter f = {.region = opt(r, "region"), .school = opt(r, "school"), .role = opt(r, "role"),
				    .q = opt(r, "q"),
				    .retired = json_is_true(json_object_get(r->in, "retired"))};
	return list(r, REG_PERSON, &f);
}

static void links_json(struct jw *w, const struct registry_link *l, int n, bool guardians)
{
	jw_key(w, guardians ? "guardians" : "children");
	jw_arr(w);
	for (int i = 0; i < n; i++) {
		if (l[i].guardian != guardians)
			continue;
		jw_obj(w);
		jw_kstr(w, "id", l[i].id);
		jw_kstr(w, "given_name", l[i].given_name);
		jw_kstr(w, "family_name", l[i].family_name);
		jw_kstr(w, "relation", l[i].relation);
		jw_end(w);
	}
	jw_end(w);
}

/* A person, with the guardians and children the caller may see. */
int registry_api_person(struct req *r)
{
	struct registry_rec rec;
	struct registry_link *links;
	struct jw *w;
	int n;
	enum err rc;

	if ((rc = registry_get(&r->c, REG_PERSON, req_param(r, "id"), &rec)) != OK ||
	    (rc = registry_person_links(&r->c, &rec, &links, &n)) != OK)
		return req_fail(r, rc);
	w = req_jw(r);
	jw_obj(w);
	rec_json_fields(w, &rec);
	links_json(w, links, n, true);
	links_json(w, links, n, false);
	jw_end(w);
	return req_json(r, 200);
}

int registry_api_person_create(struct req *r) { return create(r, REG_PERSON); }
int registry_api_person_patch(struct req *r) { return patch(r, REG_PERSON); }

int registry_api_person_retire(struct req *r)
{
	struct registry_rec rec;
	enum err rc;

	if ((rc = registry_person_retire(&r->c, req_param(r, "id"), &rec)) != OK)
		return req_fail(r, rc);
	return rec_reply(r, 200, &rec);
}

int registry_api_guardian_add(struct req *r)
{
	const char *relation = req_str(r, "relation");
	struct jw *w;
	enum err rc;

	if ((rc = registry_guardian_add(&r->c, req_param(r, "id"), req_str(r, "guardian_id"), relation)) != OK)
		return req_fail(r, rc);
	w = req_jw(r);
	jw_obj(w);
	jw_kstr(w, "learner_id", req_param(r, "id"));
	jw_kstr(w, "guardian_id", req_str(r, "guardian_id"));
	jw_kstr(w, "relation", relation ? relation : "");
	jw_end(w);
	return req_json(r, 201);
}

int registry_api_enrolments(struct req *r)
{
	struct registry_filter f = {.school = opt(r, "school"), .learner = opt(r, "learner"), .status = opt(r, "status"),
				    .grade = opt(r, "grade")};
	return list(r, REG_ENROLMENT, &f);
}

int registry_api_enrolment(struct req *r) { return get(r, REG_ENROLMENT); }
int registry_api_enrolment_create(struct req *r) { return create(r, REG_ENROLMENT); }
int registry_api_enrolment_patch(struct req *r) { return patch(r, REG_ENROLMENT); }
