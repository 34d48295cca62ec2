/*
 * person.c — people: learners, guardians, teachers and adult learners;
 * retiring them (they are never deleted) and linking guardians to their
 * children.
 *
 * A person's region is where they live; one given no region takes their
 * school's, so that everyone with a school sits in the (region, pid) index
 * the lists walk. Their school is a teacher's school or a learner's
 * current one.
 */
#include <string.h>

#include "base/arena.h"
#include "base/id.h"
#include "base/timeutil.h"
#include "registry/registry_int.h"
#include "base/banned.h"

#define RELATION_MAX 50
#define LINKS_MAX 64       /* guardians and children shown for one person */

static const char SQL_PERSON_ADD[] =
	"INSERT INTO people (id, ext_id, role, given_name, family_name, father_name, name_fold, sex, birth_date, "
	"national_id, region_rid, school_sid, subjects, digital_skills, has_device, has_internet, created_at, "
	"updated_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, ''), ?7, COALESCE(?8, ''), COALESCE(?9, ''), "
	"COALESCE(?10, ''), NULLIF(?11, 0), NULLIF(?12, 0), COALESCE(?13, ''), ?14, ?15, ?16, ?17, ?17, ?18) "
	"RETURNING pid";
static const char SQL_PERSON_SET[] =
	"UPDATE people SET ext_id = ?2, role = ?3, given_name = ?4, family_name = ?5, father_name = COALESCE(?6, ''), "
	"name_fold = ?7, sex = COALESCE(?8, ''), birth_date = COALESCE(?9, ''), national_id = COALESCE(?10, ''), "
	"region_rid = NULLIF(?11, 0), school_sid = NULLIF(?12, 0), subjects = COALESCE(?13, ''), "
	"digital_skills = ?14, has_device = ?15, has_internet = ?16, updated_at = ?17, seq = ?18 WHERE pid = ?1";
static const char SQL_PERSON_RETIRE[] = "UPDATE people SET retired_at = ?2, updated_at = ?2, seq = ?3 WHERE pid = ?1";
static const char SQL_PERSON_TOUCH[] = "UPDATE people SET updated_at = ?2, seq = ?3 WHERE pid = ?1";
static const char SQL_GUARDIAN_SET[] =
	"INSERT INTO guardianships (learner_pid, guardian_pid, relation) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (learner_pid, guardian_pid) DO UPDATE SET relation = excluded.relation";
static const char SQL_LINKS[] =
	"SELECT guardian_pid, relation, 1 FROM guardianships WHERE learner_pid = ?1 "
	"UNION ALL SELECT learner_pid, relation, 0 FROM guardianships WHERE guardian_pid = ?1";
static const char SQL_SCHOOL_REGION[] =
	"SELECT s.region_rid, r.code, r.path FROM schools s JOIN regions r ON r.rid = s.region_rid WHERE s.sid = ?1";

#define PEOPLE_SELECT "SELECT " NAME_HIT("p") ", " PERSON_COLS PERSON_FROM
#define PEOPLE_FILTER \
	" AND (?4 = 0 OR p.school_sid = ?4) AND (?6 = 1 OR p.retired_at IS NULL) AND (?7 IS NULL OR p.role = ?7)" \
	" AND " IN_SUBTREE("p.region_rid") " ORDER BY p.pid LIMIT ?3"
static const char SQL_PEOPLE[] = PEOPLE_SELECT " WHERE p.pid > ?2" PEOPLE_FILTER;
static const char SQL_PEOPLE_IN[] = PEOPLE_SELECT " WHERE p.region_rid = ?1 AND p.pid > ?2" PEOPLE_FILTER;
static const char SQL_PEOPLE_AT[] = PEOPLE_SELECT " WHERE p.school_sid = ?1 AND p.pid > ?2" PEOPLE_FILTER;
static const char SQL_PEOPLE_MINE[] =
	PEOPLE_SELECT " WHERE p.pid IN (SELECT learner_pid FROM guardianships WHERE guardian_pid = ?5 "
	"UNION ALL SELECT ?5) AND p.pid > ?2" PEOPLE_FILTER;

/* The search form of a person's name: family, given, father. */
static const char *person_fold(struct ctx *c, const char *const *v)
{
	return fold(c, arena_printf(c->arena, "%s %s %s", v[PE_FAMILY_NAME], v[PE_GIVEN_NAME],
				    v[PE_FATHER_NAME] ? v[PE_FATHER_NAME] : ""));
}

static enum err school_region(struct ctx *c, struct registry_rec *rec)
{
	struct stmt *st;
	enum err rc;

	if ((rc = store_query(c->store, &st, SQL_SCHOOL_REGION, "i", rec->school_sid)) != OK)
		return rc;
	if (store_next(st)) {
		rec->region_rid = store_int(st, 0);
		rec->v[PE_REGION_CODE] = arena_strdup(c->arena, store_text(st, 1));
		rec->path = arena_strdup(c->arena, store_text(st, 2));
	}
	return store_done(st);
}

/* Resolves the region and school, applies the rules of each role, and
 * checks that the caller may write the person where they will be. */
static enum err locate(struct ctx *c, struct registry_rec *rec)
{
	const char *spath, *code;
	enum err rc;

	rec->region_rid = rec->school_sid = 0;
	rec->path = "";
	if (rec->v[PE_REGION_CODE] && (rc = region_find(c, rec->v[PE_REGION_CODE], &rec->region_rid, &rec->path)) != OK)
		return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "region_code", "%s",
						     _("There is no region with this code.")) : rc;
	if (rec->v[PE_SCHOOL_CODE]) {
		rc = school_find(c, rec->v[PE_SCHOOL_CODE], &rec->school_sid, &spath, &code);
		if (rc == ERR_NOTFOUND)
			return ctx_fail(c, ERR_INVALID, "school_code", "%s", _("There is no school with this code or id."));
		if (rc != OK)
			return rc;
		rec->v[PE_SCHOOL_CODE] = code;
		if (!rec->v[PE_REGION_CODE] && (rc = school_region(c, rec)) != OK)
			return rc;
	}
	if (!strcmp(rec->v[PE_ROLE], "teacher") && !rec->school_sid)
		return ctx_fail(c, ERR_INVALID, "school_code", "%s", _("A teacher needs a school."));
	if (!strcmp(rec->v[PE_ROLE], "learner") && !rec->v[PE_BIRTH_DATE])
		return ctx_fail(c, ERR_INVALID, "birth_date", "%s", _("A learner needs a birth date."));
	if (!rec_can(c, ACT_PERSON_WRITE, rec))
		return deny(c, rec->v[PE_SCHOOL_CODE] ? "school_code" : "region_code");
	return OK;
}

enum err person_create(struct ctx *c, struct registry_rec *rec)
{
	char id[ID_LEN], now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	struct stmt *st;
	enum err rc;

	id_new(id);
	rec->v[PE_ID] = arena_strdup(c->arena, id);
	if ((rc = locate(c, rec)) != OK || (rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	rc = store_query(c->store, &st, SQL_PERSON_ADD, "ttttttttttiittttti", id, v[PE_EXT_ID], v[PE_ROLE],
			 v[PE_GIVEN_NAME], v[PE_FAMILY_NAME], v[PE_FATHER_NAME], person_fold(c, v), v[PE_SEX],
			 v[PE_BIRTH_DATE], v[PE_NATIONAL_ID], rec->region_rid, rec->school_sid, v[PE_SUBJECTS],
			 v[PE_DIGITAL_SKILLS], v[PE_HAS_DEVICE], v[PE_HAS_INTERNET], now, seq);
	if (rc != OK)
		return rc;
	if (store_next(st))
		rec->key = rec->learner_pid = store_int(st, 0);
	if ((rc = store_done(st)) == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "ext_id", "%s", _("A person with this external id exists already."));
	return rc;
}

enum err person_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		       const char **detail)
{
	char now[TIME_ISO_LEN];
	const char *const *v = rec->v;
	int64_t seq;
	enum err rc;

	if ((rc = locate(c, rec)) != OK)
		return rc;
	if (!(*detail = fields_diff(c, REG_PERSON, old, rec)))
		return OK;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	rc = store_exec(c->store, SQL_PERSON_SET, "itttttttttiittttti", old->key, v[PE_EXT_ID], v[PE_ROLE],
			v[PE_GIVEN_NAME], v[PE_FAMILY_NAME], v[PE_FATHER_NAME], person_fold(c, v), v[PE_SEX],
			v[PE_BIRTH_DATE], v[PE_NATIONAL_ID], rec->region_rid, rec->school_sid, v[PE_SUBJECTS],
			v[PE_DIGITAL_SKILLS], v[PE_HAS_DEVICE], v[PE_HAS_INTERNET], now, seq);
	if (rc == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "ext_id", "%s", _("A person with this external id exists already."));
	return rc;
}

/* ---- retiring ---- */

struct retire {
	const char *id;
	struct registry_rec *out;
};

static enum err retire_tx(struct ctx *c, void *arg)
{
	struct retire *a = arg;
	struct registry_rec p;
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	if ((rc = registry_get(c, REG_PERSON, a->id, &p)) != OK)
		return rc;
	if (!rec_can(c, ACT_PERSON_WRITE, &p))
		return ctx_fail(c, ERR_DENIED, NULL, "%s", _("You may not change this record."));
	if (p.v[PE_RETIRED_AT])
		return ctx_fail(c, ERR_CONFLICT, NULL, "%s", _("This person is retired already."));
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	if ((rc = store_exec(c->store, SQL_PERSON_RETIRE, "iti", p.key, now, seq)) != OK ||
	    (rc = auth_audit(c, "person.retire", "person", p.v[PE_ID],
			     arena_printf(c->arena, "{\"retired_at\":\"%s\"}", now))) != OK)
		return rc;
	return rec_get_key(c, REG_PERSON, p.key, a->out);
}

enum err registry_person_retire(struct ctx *c, const char *id, struct registry_rec *out)
{
	struct retire a = {id, out};
	return ctx_tx(c, retire_tx, &a);
}

/* ---- guardians ---- */

struct link {
	const char *learner, *guardian, *relation;
};

static enum err link_tx(struct ctx *c, void *arg)
{
	struct link *a = arg;
	struct registry_rec kid, g;
	static const struct rfield relation = {"relation", FT_TEXT, RF_EMPTY, 0, RELATION_MAX, NULL};
	const char *rel = "";
	char now[TIME_ISO_LEN];
	struct buf detail;
	struct jw w;
	int64_t seq;
	enum err rc;

	if ((rc = registry_get(c, REG_PERSON, a->learner, &kid)) != OK)
		return rc;
	if (strcmp(kid.v[PE_ROLE], "learner") != 0)
		return ctx_fail(c, ERR_INVALID, NULL, "%s", _("Only learners have guardians."));
	if (!rec_can(c, ACT_PERSON_WRITE, &kid))
		return ctx_fail(c, ERR_DENIED, NULL, "%s", _("You may not change this record."));
	if (a->relation && (rc = field_check(c, &relation, a->relation, &rel)) != OK)
		return rc;
	if (registry_get(c, REG_PERSON, a->guardian, &g) != OK) {
		err_clear(&c->err);
		return ctx_fail(c, ERR_INVALID, "guardian_id", "%s", _("There is no person with this id."));
	}
	if (g.key == kid.key)
		return ctx_fail(c, ERR_INVALID, "guardian_id", "%s", _("A person cannot be their own guardian."));
	if (!strcmp(g.v[PE_ROLE], "learner"))
		return ctx_fail(c, ERR_INVALID, "guardian_id", "%s", _("A learner cannot be a guardian."));
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	if ((rc = store_exec(c->store, SQL_GUARDIAN_SET, "iit", kid.key, g.key, rel ? rel : "")) != OK ||
	    (rc = store_exec(c->store, SQL_PERSON_TOUCH, "iti", kid.key, now, seq)) != OK)
		return rc;
	buf_init(&detail, 4096);
	jw_init(&w, &detail);
	jw_obj(&w);
	jw_kstr(&w, "guardian_id", g.v[PE_ID]);
	jw_kstr(&w, "relation", rel ? rel : "");
	jw_end(&w);
	rc = auth_audit(c, "person.guardian_add", "person", kid.v[PE_ID], detail.p);
	buf_release(&detail);
	return rc;
}

enum err registry_guardian_add(struct ctx *c, const char *learner_id, const char *guardian_id,
			       const char *relation)
{
	struct link a = {learner_id, guardian_id, relation};
	return ctx_tx(c, link_tx, &a);
}

enum err registry_person_links(struct ctx *c, const struct registry_rec *person, struct registry_link **out,
			       int *n)
{
	struct {
		int64_t pid;
		const char *relation;
		bool guardian;
	} *rows;
	struct registry_link *list;
	struct stmt *st;
	int cap = LINKS_MAX, k = 0, m = 0;
	enum err rc;

	rows = arena_alloc(c->arena, sizeof *rows * (size_t)cap);
	if ((rc = store_query(c->store, &st, SQL_LINKS, "i", person->key)) != OK)
		return rc;
	while (store_next(st) && k < cap) {
		rows[k].pid = store_int(st, 0);
		rows[k].relation = arena_strdup(c->arena, store_text(st, 1));
		rows[k++].guardian = store_int(st, 2) != 0;
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	list = arena_alloc(c->arena, sizeof *list * (size_t)(k + 1));
	for (int i = 0; i < k; i++) {
		struct registry_rec p;
		if ((rc = rec_get_key(c, REG_PERSON, rows[i].pid, &p)) != OK)
			return rc;
		if (!rec_can(c, ACT_PERSON_READ, &p))
			continue;
		list[m++] = (struct registry_link){p.v[PE_ID], p.v[PE_GIVEN_NAME], p.v[PE_FAMILY_NAME],
						   rows[i].relation, rows[i].guardian};
	}
	*out = list;
	*n = m;
	return OK;
}

/* ---- lists ---- */

enum err person_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next)
{
	struct walk w = {.kind = REG_PERSON, .sql = SQL_PEOPLE, .searching = f->q != NULL};
	struct reach r;
	const char *path;
	int64_t sid;
	bool none;
	enum err rc;

	if ((rc = list_scope(c, f, &r, &path, &sid, &none)) != OK || none)
		return rc;
	if (f->q && (rc = search_patterns(c, f->q, &w.texts[4])) != OK)
		return rc;
	w.ints[2] = f->retired;
	w.texts[0] = f->role;
	if (r.kind == REACH_SELF) {
		w.sql = SQL_PEOPLE_MINE;
		w.ints[0] = sid;
		w.ints[1] = r.pid;
	}
	walk_place(c, &w, r.kind == REACH_SELF, sid, path, SQL_PEOPLE_AT, SQL_PEOPLE_IN);
	return walk_run(c, &w, cursor, limit, out, n, next);
}
