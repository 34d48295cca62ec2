/*
 * region.c — the region tree: country → province → district → village.
 *
 * A region's path ("/IR/IR-07/IR-07-03/") holds the codes from the top, so
 * a subtree is one range of the path index. Codes, parents and levels are
 * fixed once a region exists: changing them would move every record
 * beneath it, which is an import's work, not an edit's.
 */
#include <string.h>

#include "base/arena.h"
#include "base/id.h"
#include "base/timeutil.h"
#include "registry/registry_int.h"
#include "base/banned.h"

static const char SQL_REGION_ADD[] =
	"INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, deprivation, "
	"population, school_age_population, created_at, updated_at, seq) "
	"VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14) RETURNING rid";
static const char SQL_REGION_SET[] =
	"UPDATE regions SET name = ?2, name_fold = ?3, names = ?4, deprivation = ?5, population = ?6, "
	"school_age_population = ?7, updated_at = ?8, seq = ?9 WHERE rid = ?1";
#define REGIONS_FILTER \
	" AND (?7 IS NULL OR r.level = ?7) AND (?8 IS NULL OR (r.path >= ?8 AND r.path < ?9)) ORDER BY r.rid LIMIT ?3"
static const char SQL_REGIONS[] =
	"SELECT " NAME_HIT("r") ", " REGION_COLS REGION_FROM " WHERE r.rid > ?2" REGIONS_FILTER;
static const char SQL_REGIONS_UNDER[] =
	"SELECT " NAME_HIT("r") ", " REGION_COLS REGION_FROM " WHERE r.parent_rid = ?1 AND r.rid > ?2" REGIONS_FILTER;

const char *names_fold(struct ctx *c, const char *name, const char *const *v4)
{
	struct buf b;
	const char *out;

	buf_init(&b, 8192);
	buf_puts(&b, name);
	for (int j = 0; j < 4; j++)
		if (v4[j] && *v4[j])
			buf_printf(&b, " %s", v4[j]);
	out = fold(c, b.p);
	buf_release(&b);
	return out;
}

/* Places a new region under its parent: level, depth and path. */
static enum err place(struct ctx *c, struct registry_rec *rec, int64_t *parent_rid)
{
	const char *pcode = rec->v[RG_PARENT_CODE];
	struct registry_rec parent;
	int level = registry_index(registry_levels, rec->v[RG_LEVEL]);
	enum err rc;

	*parent_rid = 0;
	if (!pcode) {
		if (level != 0)
			return ctx_fail(c, ERR_INVALID, "parent_code", "%s", _("Give the parent region's code."));
		rec->path = arena_printf(c->arena, "/%s/", rec->v[RG_CODE]);
		rec->v[RG_DEPTH] = "0";
		return OK;
	}
	rc = rec_get1(c, REG_REGION, rec_by_id_sql[REG_REGION], pcode, &parent);
	if (rc == ERR_NOTFOUND)
		return ctx_fail(c, ERR_INVALID, "parent_code", "%s", _("There is no region with this code."));
	if (rc != OK)
		return rc;
	if (level == 0)
		return ctx_fail(c, ERR_INVALID, "parent_code", "%s", _("A country has no parent region."));
	if (level != registry_index(registry_levels, parent.v[RG_LEVEL]) + 1)
		return ctx_fail(c, ERR_INVALID, "level", "%s",
				_("This level does not fit under the parent region: a country has provinces, a province districts, a district villages."));
	*parent_rid = parent.key;
	rec->v[RG_PARENT_CODE] = parent.v[RG_CODE];
	rec->path = arena_printf(c->arena, "%s%s/", parent.path, rec->v[RG_CODE]);
	rec->v[RG_DEPTH] = arena_printf(c->arena, "%d", level);
	return OK;
}

enum err region_create(struct ctx *c, struct registry_rec *rec)
{
	char id[ID_LEN], now[TIME_ISO_LEN];
	int64_t parent_rid, seq, depth = 0;
	struct stmt *st;
	enum err rc;

	if ((rc = place(c, rec, &parent_rid)) != OK)
		return rc;
	if (!rec_can(c, ACT_REGISTRY_WRITE, rec))
		return deny(c, "parent_code");
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	id_new(id);
	time_now_iso(now);
	conf_parse_int(rec->v[RG_DEPTH], 0, 3, &depth);
	rec->v[RG_ID] = arena_strdup(c->arena, id);
	rc = store_query(c->store, &st, SQL_REGION_ADD, "ttititttttttti", id, rec->v[RG_CODE], parent_rid,
			 rec->v[RG_LEVEL], depth, rec->path, rec->v[RG_NAME],
			 names_fold(c, rec->v[RG_NAME], &rec->v[RG_NAME_EN]), names_json(c, &rec->v[RG_NAME_EN]),
			 rec->v[RG_DEPRIVATION], rec->v[RG_POPULATION], rec->v[RG_SCHOOL_AGE_POPULATION], now, seq);
	if (rc != OK)
		return rc;
	if (store_next(st))
		rec->key = store_int(st, 0);
	if ((rc = store_done(st)) == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "code", "%s", _("A region with this code exists already."));
	return rc;
}

enum err region_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		       const char **detail)
{
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	if (!(*detail = fields_diff(c, REG_REGION, old, rec)))
		return OK;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	return store_exec(c->store, SQL_REGION_SET, "ittttttti", old->key, rec->v[RG_NAME],
			  names_fold(c, rec->v[RG_NAME], &rec->v[RG_NAME_EN]), names_json(c, &rec->v[RG_NAME_EN]),
			  rec->v[RG_DEPRIVATION], rec->v[RG_POPULATION], rec->v[RG_SCHOOL_AGE_POPULATION], now, seq);
}

enum err region_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next)
{
	struct walk w = {.kind = REG_REGION, .sql = SQL_REGIONS, .searching = f->q != NULL};
	struct reach r;
	const char *ppath;
	enum err rc;

	if ((rc = reach_of(c, ACT_REGISTRY_READ, &r)) != OK)
		return rc;
	if (r.kind != REACH_ALL && r.kind != REACH_REGION)
		return OK;
	if (f->parent && (rc = region_find(c, f->parent, &w.seg, &ppath)) != OK)
		return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "parent", "%s", _("There is no region with this code."))
					  : rc;
	if (f->parent)
		w.sql = SQL_REGIONS_UNDER;
	if (f->q && (rc = search_patterns(c, f->q, &w.texts[4])) != OK)
		return rc;
	w.texts[0] = f->level;
	if (r.kind == REACH_REGION) {
		w.texts[1] = r.path;
		w.texts[2] = path_hi(c, r.path);
	}
	return walk_run(c, &w, cursor, limit, out, n, next);
}
