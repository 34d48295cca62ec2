/*
 * search.c — the search box, and the region trail above a record.
 *
 * A search folds the query as names are folded (text_fold: case, Arabic
 * and Persian letter forms, ZWNJ, Vietnamese tones and Azerbaijani
 * letters all fall away), then looks twice. First through the name index:
 * names that begin with the whole query ("karimi ali" → "karimi ali
 * reza …"), an index range that costs the same at any scale. Then the
 * list walk with q, which finds names where each query word begins some
 * word ("ali" → "karimi ali reza"), bounded by REGISTRY_SCAN_MAX rows
 * within the caller's scope. The first kind come first.
 */
#include <string.h>

#include "base/arena.h"
#include "registry/registry_int.h"
#include "base/banned.h"

/* Past every character a folded name holds (U+10FFFF), so [q, q+TOP)
 * is every name that begins with q. */
#define TOP "\xf4\x8f\xbf\xbf"

/* Candidates are taken from the index range first, at most this many,
 * then the caller's scope is applied to them. */
#define PREFIX_SCAN "20000"

static const char SQL_SCHOOLS_PREFIX[] =
	"SELECT 1, " SCHOOL_COLS " FROM (SELECT sid FROM schools WHERE name_fold >= ?1 AND name_fold < ?2 "
	"ORDER BY name_fold LIMIT " PREFIX_SCAN ") AS hit JOIN schools s ON s.sid = hit.sid "
	"JOIN regions rg ON rg.rid = s.region_rid "
	"WHERE (?4 = 0 OR s.sid = ?4) AND (?5 IS NULL OR (rg.path >= ?5 AND rg.path < ?6)) "
	"ORDER BY s.name_fold LIMIT ?3";
static const char SQL_PEOPLE_PREFIX[] =
	"SELECT 1, " PERSON_COLS " FROM (SELECT pid FROM people WHERE name_fold >= ?1 AND name_fold < ?2 "
	"ORDER BY name_fold LIMIT " PREFIX_SCAN ") AS hit JOIN people p ON p.pid = hit.pid "
	"LEFT JOIN regions rg ON rg.rid = p.region_rid LEFT JOIN schools sc ON sc.sid = p.school_sid "
	"WHERE p.retired_at IS NULL AND (?4 = 0 OR p.school_sid = ?4) "
	"AND (?5 IS NULL OR (rg.path >= ?5 AND rg.path < ?6)) "
	"AND (?7 = 0 OR p.pid IN (SELECT learner_pid FROM guardianships WHERE guardian_pid = ?7 UNION ALL SELECT ?7)) "
	"ORDER BY p.name_fold LIMIT ?3";
static const char SQL_TRAIL[] = "SELECT code, name, names FROM regions WHERE code = ?1";

/* Appends the records of st not already in list[0..*n), up to limit. */
static enum err take(struct ctx *c, enum registry_kind k, struct stmt *st, struct registry_rec *list, int *n,
		     int limit)
{
	while (*n < limit && store_next(st)) {
		bool dup = false;
		rec_read(c, st, 1, k, &list[*n]);
		for (int i = 0; i < *n && !dup; i++)
			dup = list[i].key == list[*n].key;
		if (!dup)
			(*n)++;
	}
	return store_done(st);
}

static void merge(struct registry_rec *list, int *n, int limit, const struct registry_rec *more, int m)
{
	for (int j = 0; j < m && *n < limit; j++) {
		bool dup = false;
		for (int i = 0; i < *n && !dup; i++)
			dup = list[i].key == more[j].key;
		if (!dup)
			list[(*n)++] = more[j];
	}
}

static enum err find(struct ctx *c, enum registry_kind k, const char *q, int limit, struct registry_rec **out,
		     int *n)
{
	const enum action act = rkinds[k].read;
	const char *folded = fold(c, q), *lo = NULL, *hi = NULL;
	struct registry_rec *list = arena_alloc(c->arena, sizeof *list * (size_t)limit), *more;
	struct registry_filter f = {.q = q};
	struct reach r;
	struct stmt *st;
	int64_t next;
	int m;
	enum err rc;

	*out = list;
	*n = 0;
	if ((rc = reach_of(c, act, &r)) != OK || r.kind == REACH_NONE || (k == REG_SCHOOL && r.kind == REACH_SELF))
		return rc;
	if (r.kind == REACH_REGION) {
		lo = r.path;
		hi = path_hi(c, r.path);
	}
	if (k == REG_SCHOOL)
		rc = store_query(c->store, &st, SQL_SCHOOLS_PREFIX, "ttiitt", folded, arena_printf(c->arena, "%s" TOP, folded),
				 (int64_t)limit, r.kind == REACH_SCHOOL ? r.sid : 0, lo, hi);
	else
		rc = store_query(c->store, &st, SQL_PEOPLE_PREFIX, "ttiitti", folded,
				 arena_printf(c->arena, "%s" TOP, folded), (int64_t)limit,
				 r.kind == REACH_SCHOOL ? r.sid : 0, lo, hi, r.kind == REACH_SELF ? r.pid : 0);
	if (rc != OK || (rc = take(c, k, st, list, n, limit)) != OK)
		return rc;
	if (*n < limit && (rc = registry_list(c, k, &f, 0, limit, &more, &m, &next)) == OK)
		merge(list, n, limit, more, m);
	return rc;
}

enum err registry_search(struct ctx *c, const char *q, int limit, struct registry_rec **schools, int *nschools,
			 struct registry_rec **people, int *npeople)
{
	const char *pat[4];
	enum err rc;

	*schools = *people = NULL;
	*nschools = *npeople = 0;
	if (limit < 1)
		limit = 1;
	if (limit > REGISTRY_PAGE_MAX)
		limit = REGISTRY_PAGE_MAX;
	if ((rc = search_patterns(c, q, pat)) != OK)
		return rc;
	if ((rc = find(c, REG_SCHOOL, q, limit, schools, nschools)) != OK)
		return rc;
	return find(c, REG_PERSON, q, limit, people, npeople);
}

enum err registry_trail(struct ctx *c, const char *path, struct registry_crumb **out, int *n)
{
	const char *p = path ? path : "";
	struct registry_crumb *list = arena_alloc(c->arena, sizeof *list * (strlen(p) / 2 + 1));
	enum err rc;

	*n = 0;
	while (*p) {
		struct stmt *st;
		size_t len;
		const char *code;
		p += *p == '/';
		len = strcspn(p, "/");
		if (!len)
			break;
		code = arena_strndup(c->arena, p, len);
		p += len;
		if ((rc = store_query(c->store, &st, SQL_TRAIL, "t", code)) != OK)
			return rc;
		if (store_next(st)) {
			json_t *names = json_loads(store_text(st, 2) ? store_text(st, 2) : "{}", 0, NULL);
			const char *local = json_string_value(json_object_get(names, c->lang ? c->lang : "en"));
			list[*n].code = arena_strdup(c->arena, store_text(st, 0));
			list[(*n)++].name = arena_strdup(c->arena, local && *local ? local : store_text(st, 1));
			json_decref(names);
		}
		if ((rc = store_done(st)) != OK)
			return rc;
	}
	*out = list;
	return OK;
}
