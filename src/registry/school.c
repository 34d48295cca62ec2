/*
 * school.c — schools: profile, kind, connectivity, power and equipment,
 * and the counts a school page shows.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/id.h"
#include "base/timeutil.h"
#include "registry/registry_int.h"
#include "base/banned.h"

static const char SQL_SCHOOL_ADD[] =
	"INSERT INTO schools (id, code, name, name_fold, names, region_rid, levels, boarding, nomadic, rural, "
	"language, lat, lon, learners, teachers, electricity, connectivity, download_mbps, measured_at, "
	"computers, tablets, projectors, computer_centre, created_at, updated_at, seq) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, COALESCE(?7, ''), COALESCE(?8, 0), COALESCE(?9, 0), COALESCE(?10, 0), "
	"COALESCE(?11, ''), ?12, ?13, ?14, ?15, COALESCE(?16, 'none'), COALESCE(?17, 'none'), ?18, ?19, "
	"COALESCE(?20, 0), COALESCE(?21, 0), COALESCE(?22, 0), COALESCE(?23, 0), ?24, ?24, ?25) RETURNING sid";
static const char SQL_SCHOOL_SET[] =
	"UPDATE schools SET name = ?2, name_fold = ?3, names = ?4, region_rid = ?5, levels = COALESCE(?6, ''), "
	"boarding = ?7, nomadic = ?8, rural = ?9, language = COALESCE(?10, ''), lat = ?11, lon = ?12, "
	"learners = ?13, teachers = ?14, electricity = ?15, connectivity = ?16, download_mbps = ?17, "
	"measured_at = ?18, computers = ?19, tablets = ?20, projectors = ?21, computer_centre = ?22, "
	"updated_at = ?23, seq = ?24 WHERE sid = ?1";

#define SCHOOLS_SELECT "SELECT " NAME_HIT("s") ", " SCHOOL_COLS SCHOOL_FROM
#define SCHOOLS_FILTER \
	" AND (?4 = 0 OR s.sid = ?4) AND " IN_SUBTREE("s.region_rid") " ORDER BY s.sid LIMIT ?3"
static const char SQL_SCHOOLS[] = SCHOOLS_SELECT " WHERE s.sid > ?2" SCHOOLS_FILTER;
static const char SQL_SCHOOLS_IN[] = SCHOOLS_SELECT " WHERE s.region_rid = ?1 AND s.sid > ?2" SCHOOLS_FILTER;

/* Kept by triggers on enrolments (migration 0005). While a bulk load has
 * them away (or could not build them again) the enrolments are counted. */
#define TRIGGERS_AWAY "EXISTS (SELECT 1 FROM deferred_indexes WHERE tbl = 'enrolments' AND type = 'trigger')"
static const char SQL_GRADES[] =
	"SELECT grade, learners FROM school_grades WHERE school_sid = ?1 AND learners > 0 AND NOT " TRIGGERS_AWAY " "
	"UNION ALL SELECT grade, COUNT(*) FROM enrolments WHERE school_sid = ?1 AND status = 'enrolled' AND "
	TRIGGERS_AWAY " GROUP BY grade";
static const char SQL_TEACHERS[] =
	"SELECT COUNT(*) FROM people WHERE school_sid = ?1 AND role = 'teacher' AND retired_at IS NULL";

/* Finds the school's region and checks that the caller may write there. */
static enum err locate(struct ctx *c, struct registry_rec *rec)
{
	enum err rc = region_find(c, rec->v[SC_REGION_CODE], &rec->region_rid, &rec->path);

	if (rc == ERR_NOTFOUND)
		return ctx_fail(c, ERR_INVALID, "region_code", "%s", _("There is no region with this code."));
	if (rc != OK)
		return rc;
	if (!rec_can(c, ACT_REGISTRY_WRITE, rec))
		return deny(c, "region_code");
	return OK;
}

/* What the fields cannot say alone. */
static enum err consistent(struct ctx *c, const struct registry_rec *rec)
{
	const char *conn = rec->v[SC_CONNECTIVITY];

	if ((!conn || strcmp(conn, "none") == 0) && rec->v[SC_DOWNLOAD_MBPS])
		return ctx_fail(c, ERR_INVALID, "download_mbps", "%s",
				_("A school without a connection has no measured speed; set its connectivity first."));
	return OK;
}

enum err school_create(struct ctx *c, struct registry_rec *rec)
{
	char id[ID_LEN], now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	struct stmt *st;
	enum err rc;

	if ((rc = consistent(c, rec)) != OK || (rc = locate(c, rec)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	id_new(id);
	time_now_iso(now);
	rec->v[SC_ID] = arena_strdup(c->arena, id);
	rc = store_query(c->store, &st, SQL_SCHOOL_ADD, "tttttitttttttttttttttttti", id, v[SC_CODE], v[SC_NAME],
			 names_fold(c, v[SC_NAME], &v[SC_NAME_EN]), names_json(c, &v[SC_NAME_EN]), rec->region_rid,
			 v[SC_LEVELS], v[SC_BOARDING], v[SC_NOMADIC], v[SC_RURAL], v[SC_LANGUAGE], v[SC_LAT], v[SC_LON],
			 v[SC_LEARNERS], v[SC_TEACHERS], v[SC_ELECTRICITY], v[SC_CONNECTIVITY], v[SC_DOWNLOAD_MBPS],
			 v[SC_MEASURED_AT], v[SC_COMPUTERS], v[SC_TABLETS], v[SC_PROJECTORS], v[SC_COMPUTER_CENTRE], now,
			 seq);
	if (rc != OK)
		return rc;
	if (store_next(st))
		rec->key = store_int(st, 0);
	if ((rc = store_done(st)) == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "code", "%s", _("A school with this code exists already."));
	return rc;
}

enum err school_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		       const char **detail)
{
	char now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	enum err rc;

	if ((rc = consistent(c, rec)) != OK)
		return rc;
	if (strcmp(v[SC_REGION_CODE], old->v[SC_REGION_CODE]) != 0 && (rc = locate(c, rec)) != OK)
		return rc;
	if (!(*detail = fields_diff(c, REG_SCHOOL, old, rec)))
		return OK;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	return store_exec(c->store, SQL_SCHOOL_SET, "itttitttttttttttttttttti", old->key, v[SC_NAME],
			  names_fold(c, v[SC_NAME], &v[SC_NAME_EN]), names_json(c, &v[SC_NAME_EN]), rec->region_rid,
			  v[SC_LEVELS], v[SC_BOARDING], v[SC_NOMADIC], v[SC_RURAL], v[SC_LANGUAGE], v[SC_LAT], v[SC_LON],
			  v[SC_LEARNERS], v[SC_TEACHERS], v[SC_ELECTRICITY], v[SC_CONNECTIVITY], v[SC_DOWNLOAD_MBPS],
			  v[SC_MEASURED_AT], v[SC_COMPUTERS], v[SC_TABLETS], v[SC_PROJECTORS], v[SC_COMPUTER_CENTRE], now,
			  seq);
}

enum err school_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next)
{
	struct walk w = {.kind = REG_SCHOOL, .sql = SQL_SCHOOLS, .searching = f->q != NULL};
	struct reach r;
	const char *path = NULL, *fpath, *code;
	int64_t rid;
	enum err rc;

	if ((rc = reach_of(c, ACT_REGISTRY_READ, &r)) != OK)
		return rc;
	if (r.kind == REACH_NONE || r.kind == REACH_SELF)
		return OK;
	if (r.kind == REACH_REGION)
		path = r.path;
	if (r.kind == REACH_SCHOOL)
		w.ints[0] = r.sid;
	if (f->region) {
		if ((rc = region_find(c, f->region, &rid, &fpath)) != OK)
			return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "region", "%s",
							     _("There is no region with this code.")) : rc;
		if (!path || strncmp(fpath, path, strlen(path)) == 0)
			path = fpath;
		else if (strncmp(path, fpath, strlen(fpath)) != 0)
			return OK; /* the filter lies outside the caller's scope */
	}
	if (f->school) {
		int64_t sid;
		if ((rc = school_find(c, f->school, &sid, &fpath, &code)) != OK)
			return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "school", "%s",
							     _("There is no school with this code or id.")) : rc;
		if (w.ints[0] && w.ints[0] != sid)
			return OK;
		w.ints[0] = sid;
	}
	if (f->q && (rc = search_patterns(c, f->q, &w.texts[4])) != OK)
		return rc;
	if (path && !w.ints[0]) {
		w.sql = SQL_SCHOOLS_IN;
		w.by_region = true;
		w.lo = path;
		w.hi = path_hi(c, path);
	} else if (path) {
		w.texts[1] = path;
		w.texts[2] = path_hi(c, path);
	}
	return walk_run(c, &w, cursor, limit, out, n, next);
}

/* Grades in reading order: KG and pre-school codes first, then numbers,
 * then the rest by text. */
static int grade_rank(const char *g, long *num)
{
	char *end;

	*num = strtol(g, &end, 10);
	if (end != g && *end == '\0')
		return 1;
	if (!strcasecmp(g, "KG") || !strcasecmp(g, "PK") || !strcasecmp(g, "K"))
		return 0;
	return 2;
}

static int grade_cmp(const void *a, const void *b)
{
	const struct registry_grade *x = a, *y = b;
	long nx, ny;
	int rx = grade_rank(x->grade, &nx), ry = grade_rank(y->grade, &ny);

	if (rx != ry)
		return rx - ry;
	if (rx == 1 && nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(x->grade, y->grade);
}

enum err registry_school_counts(struct ctx *c, const struct registry_rec *school, struct registry_grade **grades,
				int *n, int64_t *teachers)
{
	struct registry_grade *list;
	struct stmt *st;
	int cap = 16, k = 0;
	enum err rc;

	if (school->kind != REG_SCHOOL)
		BUG("registry_school_counts: not a school");
	list = arena_alloc(c->arena, sizeof *list * (size_t)cap);
	if ((rc = store_query(c->store, &st, SQL_GRADES, "i", school->key)) != OK)
		return rc;
	while (store_next(st)) {
		if (k == cap) {
			struct registry_grade *more = arena_alloc(c->arena, sizeof *more * (size_t)cap * 2);
			memcpy(more, list, sizeof *list * (size_t)cap);
			list = more;
			cap *= 2;
		}
		list[k].grade = arena_strdup(c->arena, store_text(st, 0));
		list[k++].learners = store_int(st, 1);
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	qsort(list, (size_t)k, sizeof *list, grade_cmp);
	*grades = list;
	*n = k;
	return store_int1(c->store, teachers, SQL_TEACHERS, "i", school->key);
}
