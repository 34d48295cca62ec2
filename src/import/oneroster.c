/*
 * oneroster.c — OneRoster 1.1 and 1.2 CSV (a directory or a zip), mapped
 * onto the registry as docs/formats.md says.
 *
 * Order: academic sessions, courses and classes are read into small maps
 * (a class is all an enrolment needs to find its school, grade and year);
 * orgs are read three times (their ids, then the regions, then the
 * schools, so a row may name a parent further down the file); then users,
 * then demographics (sex and birth date, an update per user), then the
 * guardian links (agentSourcedIds, once everyone is in), then enrollments.
 * A re-read file's rows are counted once.
 *
 * OneRoster 1.2 moved a user's role to roles.csv: when users.csv has no
 * role column, the primary roles are read into a map first (this costs
 * memory in proportion to the users; 1.1 files and 1.2 files that keep
 * the column cost none).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "import/import_int.h"
#include "base/csv.h"
#include "registry/registry.h"
#include "store/store.h"
#include "base/banned.h"

/* Extra values beyond a table's own, for OneRoster's ids. */
enum { XV_SID = 20, XV_TYPE, XV_LIST, XV_EXTRA };

struct source {
	const char *dir;
	struct zsrc *zip;
	bool present[16];
};

static const char *const files[] = {"manifest.csv", "academicSessions.csv", "orgs.csv", "courses.csv",
				     "classes.csv", "users.csv", "roles.csv", "demographics.csv",
				     "enrollments.csv", NULL};
enum { F_MANIFEST, F_SESSIONS, F_ORGS, F_COURSES, F_CLASSES, F_USERS, F_ROLES, F_DEMOGRAPHICS, F_ENROLLMENTS };

/* ---- small helpers ----------------------------------------------------- */

static void copy(struct batch *b, struct rec *r, int v, struct slice s)
{
	s = val_trim(s);
	r->off[v] = -1;
	if (s.len)
		val_set(b, r, v, s.p, s.len);
}

/* The first item of a comma-separated list. */
static struct slice first_item(struct slice s)
{
	s = val_trim(s);
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == ',')
			return val_trim((struct slice){s.p, i});
	return s;
}

static bool is(struct slice s, const char *word)
{
	s = val_trim(s);
	return s.len == strlen(word) && strncasecmp(s.p, word, s.len) == 0;
}

static bool to_be_deleted(const struct fields *in, int col)
{
	return in->has[col] && is(in->f[col], "tobedeleted");
}

/* ---- academicSessions -------------------------------------------------- */

enum { AS_SID, AS_TITLE, AS_TYPE, AS_YEAR };
static const struct column session_cols[] = {
	{"sourcedId", true}, {"title", false}, {"type", false}, {"schoolYear", false}, {NULL, false},
};

static void session_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	struct slice title = val_trim(in->f[AS_TITLE]);
	(void)im;
	copy(b, r, XV_SID, in->f[AS_SID]);
	/* A title that is a school year ("2026-2027") is kept as it is;
	 * otherwise the year is made from schoolYear (the year it ends). */
	val_school_year(b, r, EV_YEAR, "title", title);
	if (r->off[EV_YEAR] < 0) {
		struct slice y = val_trim(in->f[AS_YEAR]);
		char tmp[48];
		int64_t n;
		r->nprob = 0;
		memcpy(tmp, y.p, y.len < 15 ? y.len : 15);
		tmp[y.len < 15 ? y.len : 15] = '\0';
		if (y.len && conf_parse_int(tmp, 1300, DATE_YEAR_MAX, &n) == OK) {
			if (n < DATE_AUTO_SH_BELOW)
				snprintf(tmp, sizeof tmp, "%04lld", (long long)n);
			else
				snprintf(tmp, sizeof tmp, "%04lld-%04lld", (long long)n - 1, (long long)n);
			val_set(b, r, EV_YEAR, tmp, strlen(tmp));
		}
	}
}

static enum err session_write(struct imp *im, struct batch *b, struct rec *r)
{
	const char *sid = V(b, r, XV_SID);

	if (sid && V(b, r, EV_YEAR))
		cmap_put(&im->sessions, sid)->s2 = cmap_str(&im->sessions, V(b, r, EV_YEAR));
	return OK;
}

const struct kind or_sessions = {"academicSessions", "oneroster", session_cols, session_parse, session_write, NULL,
				NULL, NULL, 0};

/* ---- orgs -------------------------------------------------------------- */

enum { OG_SID, OG_NAME, OG_TYPE, OG_IDENT, OG_PARENT, OG_STATUS };
static const struct column org_cols[] = {
	{"sourcedId", true}, {"name", true}, {"type", true}, {"identifier", false}, {"parentSourcedId", false},
	{"status", false}, {NULL, false},
};

/* The region level of an org type; -1 for a school, -2 for others. */
static int org_level(const char *type)
{
	static const char *const types[] = {"national", "state", "district", "local"};

	if (!type)
		return -2;
	if (!strcasecmp(type, "school"))
		return -1;
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(type, types[i]))
			return i;
	return -2;
}

static void org_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	int level;

	(void)im;
	for (int c = OG_SID; c <= OG_TYPE; c++)
		val_required(b, r, org_cols[c].name, in->f[c]);
	val_code(b, r, XV_SID, "sourcedId", in->f[OG_SID]);
	val_code(b, r, RV_CODE, val_blank(in->f[OG_IDENT]) ? "sourcedId" : "identifier",
		 val_blank(in->f[OG_IDENT]) ? in->f[OG_SID] : in->f[OG_IDENT]);
	val_code(b, r, RV_PARENT, "parentSourcedId", in->f[OG_PARENT]);
	val_name(b, r, RV_NAME, "name", in->f[OG_NAME]);
	val_fold(b, r, RV_FOLD, RV_NAME, -1, -1);
	copy(b, r, XV_TYPE, in->f[OG_TYPE]);
	level = org_level(V(b, r, XV_TYPE));
	if (level >= 0)
		val_set(b, r, RV_LEVEL, registry_levels[level], strlen(registry_levels[level]));
	else
		r->off[RV_LEVEL] = -1;
	r->absent = 1u << RV_NAMES | 1u << RV_DEPRIVATION | 1u << RV_POPULATION | 1u << RV_SCHOOL_AGE;
	r->skip = to_be_deleted(in, OG_STATUS) || level == -2;
}

/* Pass 1: every org's code and kind, so the next passes can name parents. */
static enum err org_map(struct imp *im, struct batch *b, struct rec *r)
{
	const char *sid = V(b, r, XV_SID);
	struct mval *v;
	enum err rc;

	if (reject_rec(im, b, r, &rc) || !sid || !V(b, r, RV_CODE))
		return rc;
	v = cmap_put(&im->orgs, sid);
	v->s1 = cmap_str(&im->orgs, V(b, r, RV_CODE));
	v->level = org_level(V(b, r, XV_TYPE));
	v->row = r->row;
	return OK;
}

/* The code of the org a row names as its parent (the id itself when the
 * org is not in orgs.csv: it was imported before, by its code). */
static const char *org_code(struct imp *im, const char *sid)
{
	struct mval *v = sid ? cmap_get(&im->orgs, sid) : NULL;
	return v ? v->s1 : sid;
}

/* Rows a pass does not handle, and rows pass 1 already rejected. */
static bool not_mine(struct imp *im, struct batch *b, struct rec *r, bool school)
{
	const char *sid = V(b, r, XV_SID);
	struct mval *v = sid ? cmap_get(&im->orgs, sid) : NULL;

	return !v || v->row != r->row || (v->level == -1) != school;
}

static enum err org_region(struct imp *im, struct batch *b, struct rec *r)
{
	const char *parent = V(b, r, RV_PARENT);

	if (not_mine(im, b, r, false))
		return OK;
	r->nprob = 0;
	if (parent)
		val_set(b, r, RV_PARENT, org_code(im, parent), strlen(org_code(im, parent)));
	return region_write(im, b, r);
}

static enum err org_school(struct imp *im, struct batch *b, struct rec *r)
{
	const char *parent = V(b, r, RV_PARENT);
	struct rec s = {.row = r->row};

	if (not_mine(im, b, r, true))
		return OK;
	for (int v = 0; v < IMPORT_MAX_VALUES; v++)
		s.off[v] = -1;
	s.off[SV_CODE] = r->off[RV_CODE];
	s.off[SV_NAME] = r->off[RV_NAME];
	s.off[SV_FOLD] = r->off[RV_FOLD];
	if (!parent)
		problem(b, &s, "parentSourcedId", "a school needs its region (the org above it)");
	else
		val_set(b, &s, SV_REGION, org_code(im, parent), strlen(org_code(im, parent)));
	/* orgs.csv says nothing of the rest of a school: it stays as stored. */
	s.absent = ~(1u << SV_CODE | 1u << SV_NAME | 1u << SV_FOLD | 1u << SV_REGION);
	return school_write(im, b, &s);
}

const struct kind or_orgs = {"orgs", "oneroster", org_cols, org_parse, org_map, NULL, NULL, "sourcedId", XV_SID};
static const struct kind or_org_regions = {"orgs", "oneroster", org_cols, org_parse, org_region, NULL, NULL, NULL, 0};
static const struct kind or_org_schools = {"orgs", "oneroster", org_cols, org_parse, org_school, NULL, NULL, NULL, 0};

/* ---- courses and classes ----------------------------------------------- */

enum { CO_SID, CO_YEAR, CO_GRADES, CO_ORG };
static const struct column course_cols[] = {
	{"sourcedId", true}, {"schoolYearSourcedId", false}, {"grades", false}, {"orgSourcedId", false},
	{NULL, false},
};

static void course_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	(void)im;
	copy(b, r, XV_SID, in->f[CO_SID]);
	copy(b, r, EV_YEAR, in->f[CO_YEAR]);
	val_grade(b, r, EV_GRADE, "grades", first_item(in->f[CO_GRADES]));
}

static enum err course_write(struct imp *im, struct batch *b, struct rec *r)
{
	const char *sid = V(b, r, XV_SID);
	struct mval *v;

	if (!sid)
		return OK;
	v = cmap_put(&im->courses, sid);
	v->s1 = cmap_str(&im->courses, V(b, r, EV_GRADE));
	v->s2 = cmap_str(&im->courses, V(b, r, EV_YEAR));
	return OK;
}

const struct kind or_courses = {"courses", "oneroster", course_cols, course_parse, course_write, NULL, NULL, NULL, 0};

enum { CL_SID, CL_GRADES, CL_COURSE, CL_SCHOOL, CL_TERMS };
static const struct column class_cols[] = {
	{"sourcedId", true}, {"grades", false}, {"courseSourcedId", false}, {"schoolSourcedId", true},
	{"termSourcedIds", false}, {NULL, false},
};

static void class_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	(void)im;
	val_required(b, r, "sourcedId", in->f[CL_SID]);
	val_required(b, r, "schoolSourcedId", in->f[CL_SCHOOL]);
	copy(b, r, XV_SID, in->f[CL_SID]);
	val_grade(b, r, EV_GRADE, "grades", first_item(in->f[CL_GRADES]));
	copy(b, r, XV_TYPE, in->f[CL_COURSE]);
	copy(b, r, EV_SCHOOL, in->f[CL_SCHOOL]);
	copy(b, r, EV_YEAR, first_item(in->f[CL_TERMS]));
}

/* A class keeps its school's code (s3), grade (s1) and school year (s2),
 * from the class or else from its course. */
static enum err class_write(struct imp *im, struct batch *b, struct rec *r)
{
	const char *sid = V(b, r, XV_SID), *grade = V(b, r, EV_GRADE), *course = V(b, r, XV_TYPE);
	const char *term = V(b, r, EV_YEAR), *school = V(b, r, EV_SCHOOL), *year = NULL;
	struct mval *co = course ? cmap_get(&im->courses, course) : NULL, *ses, *v;
	enum err rc;

	if (!grade && co)
		grade = co->s1;
	ses = term ? cmap_get(&im->sessions, term) : NULL;
	if (!ses && co && co->s2)
		ses = cmap_get(&im->sessions, co->s2);
	if (ses)
		year = ses->s2;
	if (reject_rec(im, b, r, &rc) || !sid)
		return rc;
	v = cmap_put(&im->classes, sid);
	v->s1 = cmap_str(&im->classes, grade);
	v->s2 = cmap_str(&im->classes, year);
	v->s3 = cmap_str(&im->classes, org_code(im, school));
	return OK;
}

const struct kind or_classes = {"classes", "oneroster", class_cols, class_parse, class_write, NULL, NULL, NULL, 0};

/* ---- roles (1.2) ------------------------------------------------------- */

enum { RO_USER, RO_TYPE, RO_ROLE, RO_ORG };
static const struct column role_cols[] = {
	{"userSourcedId", true}, {"roleType", false}, {"role", true}, {"orgSourcedId", false}, {NULL, false},
};

static void role_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	(void)im;
	copy(b, r, XV_SID, in->f[RO_USER]);
	copy(b, r, XV_TYPE, in->f[RO_ROLE]);
	copy(b, r, XV_LIST, in->f[RO_ORG]);
	r->skip = in->has[RO_TYPE] && !is(in->f[RO_TYPE], "primary");
}

static enum err role_write(struct imp *im, struct batch *b, struct rec *r)
{
	const char *u = V(b, r, XV_SID);
	struct mval *v;

	if (!u || !V(b, r, XV_TYPE))
		return OK;
	v = cmap_put(&im->roles, u);
	v->s1 = cmap_str(&im->roles, V(b, r, XV_TYPE));
	v->s2 = cmap_str(&im->roles, V(b, r, XV_LIST));
	return OK;
}

static const struct kind or_roles = {"roles", "oneroster", role_cols, role_parse, role_write, NULL, NULL, NULL, 0};

/* ---- users ------------------------------------------------------------- */

enum { US_SID, US_STATUS, US_ORGS, US_ROLE, US_GIVEN, US_FAMILY, US_MIDDLE, US_IDENT, US_AGENTS, US_PRIMARY };
static const struct column user_cols[] = {
	{"sourcedId", true}, {"status", false}, {"orgSourcedIds", false}, {"role", false},
	{"givenName", true}, {"familyName", true}, {"middleName", false}, {"identifier", false},
	{"agentSourcedIds", false}, {"primaryOrgSourcedId", false}, {NULL, false},
};

/* A OneRoster role as Reach's, or NULL for those Reach does not keep
 * (administrators, aides, proctors: accounts, not registry people). */
static const char *reach_role(const char *role)
{
	if (!role)
		return NULL;
	if (!strcasecmp(role, "student"))
		return "learner";
	if (!strcasecmp(role, "teacher"))
		return "teacher";
	if (!strcasecmp(role, "guardian") || !strcasecmp(role, "parent") || !strcasecmp(role, "relative"))
		return "guardian";
	return NULL;
}

/* The user's role, as Reach's, goes to PV_ROLE: from users.csv, or (1.2)
 * roles.csv, which may give the orgs too. A user Reach does not keep (an
 * administrator) is skipped, and so never counts as a duplicate. */
static void user_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	const char *role, *id, *mine;
	const struct mval *v;

	for (int c = US_GIVEN; c <= US_FAMILY; c++)
		val_required(b, r, user_cols[c].name, in->f[c]);
	val_required(b, r, "sourcedId", in->f[US_SID]);
	val_code(b, r, PV_ID, "sourcedId", in->f[US_SID]);
	val_name(b, r, PV_GIVEN, "givenName", in->f[US_GIVEN]);
	val_name(b, r, PV_FAMILY, "familyName", in->f[US_FAMILY]);
	val_name(b, r, PV_FATHER, "middleName", in->f[US_MIDDLE]);
	val_fold(b, r, PV_FOLD, PV_FAMILY, PV_GIVEN, PV_FATHER);
	val_text(b, r, PV_NATIONAL, "identifier", in->f[US_IDENT], 64);
	copy(b, r, XV_TYPE, in->f[US_ROLE]);
	copy(b, r, XV_LIST, val_blank(in->f[US_ORGS]) ? in->f[US_PRIMARY] : in->f[US_ORGS]);
	copy(b, r, PV_GUARDIAN_OF, in->f[US_AGENTS]);
	r->absent = 1u << PV_SEX | 1u << PV_BIRTH | 1u << PV_REGION | 1u << PV_SUBJECTS | 1u << PV_SKILLS |
		    1u << PV_DEVICE | 1u << PV_INTERNET;
	if (!in->has[US_MIDDLE])
		r->absent |= 1u << PV_FATHER;
	if (!in->has[US_IDENT])
		r->absent |= 1u << PV_NATIONAL;
	role = V(b, r, XV_TYPE);
	id = V(b, r, PV_ID);
	if (!role && id && (v = cmap_get(&im->roles, id))) {
		role = v->s1;
		if (!V(b, r, XV_LIST) && v->s2)
			val_set(b, r, XV_LIST, v->s2, strlen(v->s2));
	}
	if ((mine = reach_role(role)))
		val_set(b, r, PV_ROLE, mine, strlen(mine));
	r->skip = to_be_deleted(in, US_STATUS) || (role && !mine);
}

/* The first school among a user's orgs, as a code. */
static const char *user_school(struct imp *im, const char *orgs)
{
	char sid[IMPORT_CODE_MAX + 1];

	for (const char *p = orgs; p && *p;) {
		size_t n = strcspn(p, ",;");
		struct slice s = val_trim((struct slice){p, n});
		if (s.len && s.len <= IMPORT_CODE_MAX) {
			struct mval *v;
			memcpy(sid, s.p, s.len);
			sid[s.len] = '\0';
			v = cmap_get(&im->orgs, sid);
			if ((v && v->level == -1) || (!v && cmap_get(&im->schools, sid)))
				return v ? v->s1 : cmap_str(&im->orgs, sid);
		}
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

static enum err user_write(struct imp *im, struct batch *b, struct rec *r)
{
	/* Found before anything is added to the batch's text, which may move
	 * the values orgs and role point into. */
	const char *school = user_school(im, V(b, r, XV_LIST)), *mine = V(b, r, PV_ROLE);
	enum err rc;

	if (!mine)
		problem(b, r, "role", "the user has no role (users.csv role, or roles.csv)");
	if (reject_rec(im, b, r, &rc))
		return rc;
	/* A user's school is the first school among their orgs (OneRoster's
	 * own answer to "where is this person now"; enrollments do not move
	 * it, so the two files never pull it two ways). */
	if (school)
		val_set(b, r, PV_SCHOOL, school, strlen(school));
	else if (!strcmp(mine, "teacher"))
		problem(b, r, "orgSourcedIds", "a teacher needs a school among their orgs");
	return person_write(im, b, r);
}

const struct kind or_users = {"users", "oneroster", user_cols, user_parse, user_write, NULL, "people",
			      "sourcedId", PV_ID};

/* Guardian links, once every user is in: a guardian's agents are their
 * children; a student's agents are their guardians. */
static enum err user_links(struct imp *im, struct batch *b, struct rec *r)
{
	const char *mine = V(b, r, PV_ROLE), *agents = V(b, r, PV_GUARDIAN_OF), *id = V(b, r, PV_ID);

	if (!agents || !id || !mine || r->nprob || !strcmp(mine, "teacher"))
		return OK;
	return person_link(im, r, id, agents, "agentSourcedIds", !strcmp(mine, "learner"));
}

const struct kind or_users_links = {"users", "oneroster", user_cols, user_parse, user_links, NULL, "guardianships",
				    NULL, 0};

/* ---- demographics ------------------------------------------------------ */

enum { DE_SID, DE_BIRTH, DE_SEX };
static const struct column demo_cols[] = {
	{"sourcedId", true}, {"birthDate", false}, {"sex", false}, {NULL, false},
};

static const char SQL_DEMOGRAPHICS[] =
	"UPDATE people SET sex = CASE WHEN ?5 & 1 THEN sex ELSE COALESCE(?2, '') END, "
	"birth_date = CASE WHEN ?5 & 2 THEN birth_date ELSE COALESCE(?3, '') END, updated_at = ?4, seq = ?6 "
	"WHERE ext_id = ?1 AND (sex, birth_date) IS NOT (CASE WHEN ?5 & 1 THEN sex ELSE COALESCE(?2, '') END, "
	"CASE WHEN ?5 & 2 THEN birth_date ELSE COALESCE(?3, '') END)";

static void demo_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	struct slice sex = val_trim(in->f[DE_SEX]);

	val_code(b, r, PV_ID, "sourcedId", in->f[DE_SID]);
	val_date(b, r, PV_BIRTH, "birthDate", in->f[DE_BIRTH], im->cal, true);
	if (is(sex, "female"))
		val_set(b, r, PV_SEX, "f", 1);
	else if (is(sex, "male"))
		val_set(b, r, PV_SEX, "m", 1);
	else if (is(sex, "other"))
		val_set(b, r, PV_SEX, "x", 1);
	else if (sex.len && !is(sex, "unspecified"))
		val_enum(b, r, PV_SEX, "sex", sex, registry_sexes);
	if (!in->has[DE_SEX])
		r->absent |= 1u << PV_SEX;
	if (!in->has[DE_BIRTH])
		r->absent |= 1u << PV_BIRTH;
}

static enum err demo_write(struct imp *im, struct batch *b, struct rec *r)
{
	const char *id = V(b, r, PV_ID);
	int64_t pid, m = (r->absent >> PV_SEX & 1) | (r->absent >> PV_BIRTH & 1) << 1;
	enum err rc;

	if (reject_rec(im, b, r, &rc) || !id)
		return rc;
	if ((rc = store_exec(im->c->store, SQL_DEMOGRAPHICS, "ttttii", id, V(b, r, PV_SEX), V(b, r, PV_BIRTH), im->now,
			     m, im->seq)) != OK)
		return row_store_err(im, r, rc);
	if (store_changes(im->c->store) > 0) {
		counted(im);
		return OK;
	}
	if ((rc = person_pid(im, id, &pid, NULL)) != OK || pid)
		return rc;
	im->res->rejected++;
	return reject(im, r->row, "sourcedId", arena_printf(im->c->arena, "unknown user \"%s\"", id));
}

const struct kind or_demographics = {"demographics", "oneroster", demo_cols, demo_parse, demo_write, NULL,
				    NULL, NULL, 0};

/* ---- enrollments ------------------------------------------------------- */

enum { OE_SID, OE_CLASS, OE_SCHOOL, OE_USER, OE_ROLE, OE_BEGIN, OE_END, OE_STATUS };
static const struct column enr_cols[] = {
	{"sourcedId", true}, {"classSourcedId", true}, {"schoolSourcedId", false}, {"userSourcedId", true},
	{"role", true}, {"beginDate", false}, {"endDate", false}, {"status", false}, {NULL, false},
};

/* The grade, school year and school of the row's class. */
static void enr_class(const struct imp *im, struct batch *b, struct rec *r)
{
	const char *cls = V(b, r, XV_SID);
	const struct mval *v = cls ? cmap_get(&im->classes, cls) : NULL;

	if (cls && !v)
		problem(b, r, "classSourcedId", "unknown class \"%s\" (not in classes.csv)", cls);
	else if (v && !v->s1)
		problem(b, r, "classSourcedId", "the class \"%s\" has no grade (classes.csv or courses.csv grades)", cls);
	else if (v && !v->s2)
		problem(b, r, "classSourcedId", "the class \"%s\" has no school year (its term or its course's)", cls);
	else if (v && !v->s3)
		problem(b, r, "classSourcedId", "the class \"%s\" has no school", cls);
	if (v && v->s1 && v->s2 && v->s3) {
		val_set(b, r, EV_GRADE, v->s1, strlen(v->s1));
		val_set(b, r, EV_YEAR, v->s2, strlen(v->s2));
		val_set(b, r, EV_SCHOOL, v->s3, strlen(v->s3));
	}
}

static void enr_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	const char *s, *e;

	r->skip = !is(in->f[OE_ROLE], "student") || to_be_deleted(in, OE_STATUS);
	if (r->skip)
		return;
	for (int c = OE_SID; c <= OE_USER; c++)
		if (c != OE_SCHOOL)
			val_required(b, r, enr_cols[c].name, in->f[c]);
	val_code(b, r, EV_ID, "sourcedId", in->f[OE_SID]);
	val_code(b, r, XV_SID, "classSourcedId", in->f[OE_CLASS]);
	val_code(b, r, EV_LEARNER, "userSourcedId", in->f[OE_USER]);
	val_date(b, r, EV_START, "beginDate", in->f[OE_BEGIN], im->cal, false);
	val_date(b, r, EV_END, "endDate", in->f[OE_END], im->cal, false);
	s = V(b, r, EV_START);
	e = V(b, r, EV_END);
	if (s && e && strcmp(e, s) < 0)
		problem(b, r, "endDate", "%s is before the begin date %s", e, s);
	r->absent = 1u << EV_STATUS;
	if (!in->has[OE_BEGIN])
		r->absent |= 1u << EV_START;
	if (!in->has[OE_END])
		r->absent |= 1u << EV_END;
	enr_class(im, b, r);
}

static enum err enr_write(struct imp *im, struct batch *b, struct rec *r)
{
	return enrol_write(im, b, r, false);
}

const struct kind or_enrollments = {"enrollments", "oneroster", enr_cols, enr_parse, enr_write, NULL,
				   "enrolments", "sourcedId", EV_ID};

/* ---- the whole set ----------------------------------------------------- */

/* Where member f is: a path (a directory) or a descriptor (a zip). */
static const char *member_path(struct imp *im, struct source *src, int f)
{
	return src->zip ? files[f] : arena_printf(im->c->arena, "%s/%s", src->dir, files[f]);
}

static bool present(struct imp *im, struct source *src, int f)
{
	struct stat sb;

	if (src->zip)
		return zsrc_has(src->zip, files[f]);
	return stat(member_path(im, src, f), &sb) == 0;
}

/* Imports (or, with check, checks the header of) one member. again: the
 * file was read before, its rows are counted once. */
static enum err one(struct imp *im, struct source *src, int f, const struct kind *k, bool check, bool again)
{
	int fd = -1;
	enum err rc;
	int64_t read = im->res->read, base = im->progress_base;

	if (!src->present[f])
		return OK;
	if (src->zip && (fd = zsrc_member(src->zip, files[f])) < 0)
		return ctx_fail(im->c, ERR_INVALID, NULL, "%s cannot be read from the archive", files[f]);
	im->again = again;
	rc = check ? file_check(im, k, member_path(im, src, f), fd, files[f]) :
		     file_import(im, k, member_path(im, src, f), fd, files[f]);
	if (src->zip)
		zsrc_member_close(src->zip, fd);
	im->again = false;
	if (again) {
		im->res->read = read;
		im->progress_base = base;
	}
	return rc;
}

/* Reads manifest.csv: a file marked "absent" is skipped even if present. */
static void manifest(struct imp *im, struct source *src)
{
	int fd = src->zip ? zsrc_member(src->zip, files[F_MANIFEST]) : -1;
	struct csv_reader *rd = NULL;
	struct csv_row row;

	if (src->zip && fd < 0)
		return;
	rd = fd >= 0 ? csv_open_fd(fd, NULL, NULL) : csv_open(member_path(im, src, F_MANIFEST), NULL, NULL);
	while (rd) {
		enum csv_next k = csv_next(rd, &row);
		if (k == CSV_END || k == CSV_FAIL)
			break;
		if (k != CSV_ROW || row.nfields < 2)
			continue;
		for (int f = F_SESSIONS; files[f]; f++) {
			size_t n = strlen(files[f]) - 4;
			if (row.len[0] == n + 5 && !strncmp(row.field[0], "file.", 5) &&
			    !strncasecmp(row.field[0] + 5, files[f], n) && !strcasecmp(row.field[1], "absent"))
				src->present[f] = false;
		}
	}
	csv_close(rd);
	if (src->zip)
		zsrc_member_close(src->zip, fd);
}

static bool users_have_role(struct imp *im, struct source *src)
{
	static const struct column role_only[] = {{"role", true}, {NULL, false}};
	static const struct kind probe = {"users", "oneroster", role_only, NULL, NULL, NULL, NULL, NULL, 0};
	struct errinfo keep = im->c->err;
	bool has = one(im, src, F_USERS, &probe, true, true) == OK;

	im->c->err = keep;
	return has;
}

static enum err run(struct imp *im, struct source *src)
{
	const struct kind *const check[] = {NULL, &or_sessions, &or_orgs, &or_courses, &or_classes, &or_users,
					    &or_roles, &or_demographics, &or_enrollments};
	enum err rc = OK;

	for (int f = 0; files[f]; f++)
		src->present[f] = present(im, src, f);
	manifest(im, src);
	if (!src->present[F_USERS] && !src->present[F_ORGS] && !src->present[F_ENROLLMENTS])
		return ctx_fail(im->c, ERR_INVALID, NULL,
				"no OneRoster files here (orgs.csv, users.csv, enrollments.csv, …)");
	for (int f = F_SESSIONS; files[f] && rc == OK; f++)
		rc = one(im, src, f, check[f], true, true);
	if (rc != OK)
		return rc;
	if (src->present[F_ROLES] && src->present[F_USERS] && !users_have_role(im, src))
		rc = one(im, src, F_ROLES, &or_roles, false, false);
	if (rc == OK)
		rc = one(im, src, F_SESSIONS, &or_sessions, false, false);
	if (rc == OK)
		rc = one(im, src, F_ORGS, &or_orgs, false, false);
	if (rc == OK)
		rc = one(im, src, F_ORGS, &or_org_regions, false, true);
	if (rc == OK && (rc = one(im, src, F_ORGS, &or_org_schools, false, true)) == OK)
		rc = one(im, src, F_COURSES, &or_courses, false, false);
	if (rc == OK)
		rc = one(im, src, F_CLASSES, &or_classes, false, false);
	if (rc == OK)
		rc = one(im, src, F_USERS, &or_users, false, false);
	if (rc == OK)
		rc = one(im, src, F_DEMOGRAPHICS, &or_demographics, false, false);
	/* The second pass over users.csv links guardians; a file with no
	 * agentSourcedIds has nothing for it to do. */
	if (rc == OK && im->links_needed)
		rc = one(im, src, F_USERS, &or_users_links, false, true);
	if (rc == OK)
		rc = one(im, src, F_ENROLLMENTS, &or_enrollments, false, false);
	return rc;
}

enum err oneroster_import(struct imp *im, const char *path)
{
	struct source src = {0};
	struct stat sb;
	enum err rc;

	if (stat(path, &sb) != 0)
		return ctx_fail(im->c, ERR_INVALID, NULL, "%s: no such file or directory", path);
	if (S_ISDIR(sb.st_mode))
		src.dir = path;
	else if ((rc = zsrc_open(path, &src.zip, &im->c->err)) != OK)
		return rc;
	cmap_init(&im->roles);
	rc = run(im, &src);
	zsrc_close(src.zip);
	return rc;
}
