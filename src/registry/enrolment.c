/*
 * enrolment.c — who is enrolled where: a learner, a school, a grade, a
 * school year and a status with dates. An enrolment is personal data: it
 * sits at its school for the policy and is about its learner (and so is
 * seen by the learner's guardians).
 *
 * An enrolment whose status is enrolled makes its school the learner's
 * current school (people.school_sid), audited as a change to the person.
 */
#include <string.h>

#include "base/arena.h"
#include "base/id.h"
#include "base/timeutil.h"
#include "registry/registry_int.h"
#include "base/banned.h"

static const char SQL_ENROLMENT_ADD[] =
	"INSERT INTO enrolments (id, ext_id, learner_pid, school_sid, grade, school_year, status, start_date, "
	"end_date, created_at, updated_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, COALESCE(?8, ''), "
	"COALESCE(?9, ''), ?10, ?10, ?11) RETURNING eid";
static const char SQL_ENROLMENT_SET[] =
	"UPDATE enrolments SET ext_id = ?2, school_sid = ?3, grade = ?4, school_year = ?5, status = ?6, "
	"start_date = COALESCE(?7, ''), end_date = COALESCE(?8, ''), updated_at = ?9, seq = ?10 WHERE eid = ?1";
static const char SQL_LEARNER_SCHOOL[] =
	"UPDATE people SET school_sid = ?2, region_rid = COALESCE(region_rid, ?3), updated_at = ?4, seq = ?5 "
	"WHERE pid = ?1";

#define ENROLMENTS_SELECT "SELECT (?14 IS NULL), " ENROLMENT_COLS ENROLMENT_FROM
#define ENROLMENTS_FILTER \
	" AND (?4 = 0 OR e.school_sid = ?4) AND (?6 = 0 OR e.learner_pid = ?6) AND (?7 IS NULL OR e.status = ?7)" \
	" AND (?10 IS NULL OR e.grade = ?10) AND " IN_SUBTREE("sc.region_rid") " ORDER BY e.eid LIMIT ?3"
static const char SQL_ENROLMENTS[] = ENROLMENTS_SELECT " WHERE e.eid > ?2" ENROLMENTS_FILTER;
static const char SQL_ENROLMENTS_IN[] = ENROLMENTS_SELECT " WHERE sc.region_rid = ?1 AND e.eid > ?2" ENROLMENTS_FILTER;
static const char SQL_ENROLMENTS_AT[] = ENROLMENTS_SELECT " WHERE e.school_sid = ?1 AND e.eid > ?2" ENROLMENTS_FILTER;
static const char SQL_ENROLMENTS_OF[] = ENROLMENTS_SELECT " WHERE e.learner_pid = ?1 AND e.eid > ?2" ENROLMENTS_FILTER;
static const char SQL_ENROLMENTS_MINE[] =
	ENROLMENTS_SELECT " WHERE e.learner_pid IN (SELECT learner_pid FROM guardianships WHERE guardian_pid = ?5 "
	"UNION ALL SELECT ?5) AND e.eid > ?2" ENROLMENTS_FILTER;

/* Resolves the learner and school, checks the dates, and checks that the
 * caller may write the enrolment where it will be. */
static enum err locate(struct ctx *c, struct registry_rec *rec, struct registry_rec *learner)
{
	const char *code;
	enum err rc;

	if (registry_get(c, REG_PERSON, rec->v[EN_LEARNER_ID], learner) != OK) {
		err_clear(&c->err);
		return ctx_fail(c, ERR_INVALID, "learner_id", "%s", _("There is no learner with this id."));
	}
	if (strcmp(learner->v[PE_ROLE], "learner") != 0 && strcmp(learner->v[PE_ROLE], "adult") != 0)
		return ctx_fail(c, ERR_INVALID, "learner_id", "%s", _("Only learners and adult learners can be enrolled."));
	if (learner->v[PE_RETIRED_AT])
		return ctx_fail(c, ERR_INVALID, "learner_id", "%s", _("This person is retired and cannot be changed."));
	rec->learner_pid = learner->key;
	rec->v[EN_LEARNER_ID] = learner->v[PE_ID];
	rc = school_find(c, rec->v[EN_SCHOOL_CODE], &rec->school_sid, &rec->path, &code);
	if (rc == ERR_NOTFOUND)
		return ctx_fail(c, ERR_INVALID, "school_code", "%s", _("There is no school with this code or id."));
	if (rc != OK)
		return rc;
	rec->v[EN_SCHOOL_CODE] = code;
	if (rec->v[EN_START_DATE] && rec->v[EN_END_DATE] && strcmp(rec->v[EN_END_DATE], rec->v[EN_START_DATE]) < 0)
		return ctx_fail(c, ERR_INVALID, "end_date", "%s", _("The end date is before the start date."));
	if (!rec_can(c, ACT_PERSON_WRITE, rec))
		return deny(c, "school_code");
	return OK;
}

/* An enrolment that is current moves its learner to its school. */
static enum err follow(struct ctx *c, const struct registry_rec *rec, const struct registry_rec *learner)
{
	struct registry_rec school;
	char now[TIME_ISO_LEN];
	const char *detail;
	int64_t seq;
	enum err rc;

	if (strcmp(rec->v[EN_STATUS], "enrolled") != 0 || learner->school_sid == rec->school_sid)
		return OK;
	if ((rc = rec_get_key(c, REG_SCHOOL, rec->school_sid, &school)) != OK ||
	    (rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	if ((rc = store_exec(c->store, SQL_LEARNER_SCHOOL, "iiiti", learner->key, rec->school_sid, school.region_rid,
			     now, seq)) != OK)
		return rc;
	detail = arena_printf(c->arena, "{\"school_code\":{\"from\":%s%s%s,\"to\":\"%s\"}}",
			      learner->v[PE_SCHOOL_CODE] ? "\"" : "",
			      learner->v[PE_SCHOOL_CODE] ? learner->v[PE_SCHOOL_CODE] : "null",
			      learner->v[PE_SCHOOL_CODE] ? "\"" : "", rec->v[EN_SCHOOL_CODE]);
	return auth_audit(c, "person.update", "person", learner->v[PE_ID], detail);
}

enum err enrolment_create(struct ctx *c, struct registry_rec *rec)
{
	struct registry_rec learner;
	char id[ID_LEN], now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	struct stmt *st;
	enum err rc;

	if (!rec->v[EN_STATUS])
		rec->v[EN_STATUS] = "enrolled";
	if ((rc = locate(c, rec, &learner)) != OK || (rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	id_new(id);
	time_now_iso(now);
	rec->v[EN_ID] = arena_strdup(c->arena, id);
	rc = store_query(c->store, &st, SQL_ENROLMENT_ADD, "ttiitttttti", id, v[EN_EXT_ID], rec->learner_pid,
			 rec->school_sid, v[EN_GRADE], v[EN_SCHOOL_YEAR], v[EN_STATUS], v[EN_START_DATE], v[EN_END_DATE],
			 now, seq);
	if (rc != OK)
		return rc;
	if (store_next(st))
		rec->key = store_int(st, 0);
	if ((rc = store_done(st)) == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "ext_id", "%s", _("An enrolment with this external id exists already."));
	if (rc != OK)
		return rc;
	return follow(c, rec, &learner);
}

enum err enrolment_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
			  const char **detail)
{
	struct registry_rec learner;
	char now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	enum err rc;

	if ((rc = locate(c, rec, &learner)) != OK)
		return rc;
	if (!(*detail = fields_diff(c, REG_ENROLMENT, old, rec)))
		return OK;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	rc = store_exec(c->store, SQL_ENROLMENT_SET, "ititttttti", old->key, v[EN_EXT_ID], rec->school_sid,
			v[EN_GRADE], v[EN_SCHOOL_YEAR], v[EN_STATUS], v[EN_START_DATE], v[EN_END_DATE], now, seq);
	if (rc == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "ext_id", "%s", _("An enrolment with this external id exists already."));
	if (rc != OK)
		return rc;
	return follow(c, rec, &learner);
}

enum err enrolment_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
			struct registry_rec **out, int *n, int64_t *next)
{
	struct walk w = {.kind = REG_ENROLMENT, .sql = SQL_ENROLMENTS};
	struct reach r;
	const char *path, *role;
	int64_t sid;
	bool none;
	enum err rc;

	if ((rc = list_scope(c, f, &r, &path, &sid, &none)) != OK || none)
		return rc;
	if (f->learner && (rc = person_find(c, f->learner, &w.ints[2], &role)) != OK)
		return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "learner", "%s", _("There is no learner with this id."))
					  : rc;
	w.texts[0] = f->status;
	w.texts[3] = f->grade;
	if (r.kind == REACH_SELF) {
		w.sql = SQL_ENROLMENTS_MINE;
		w.ints[0] = sid;
		w.ints[1] = r.pid;
	} else if (w.ints[2]) {
		w.sql = SQL_ENROLMENTS_OF;
		w.seg = w.ints[2];
		w.ints[0] = sid;
	}
	walk_place(c, &w, r.kind == REACH_SELF || w.ints[2], sid, path, SQL_ENROLMENTS_AT, SQL_ENROLMENTS_IN);
	return walk_run(c, &w, cursor, limit, out, n, next);
}
