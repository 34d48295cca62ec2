/*
 * read.c — what a dashboard page reads: the region with its figures, its
 * ancestors, its children with theirs, and the schools beneath it. Every
 * read is by key (code, rid, parent) through an index; the figures are
 * region_stats' ready-made rows, never sums over people.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "dashboard/dashboard_int.h"
#include "store/store.h"
#include "base/banned.h"

static const char SQL_REGION[] =
	"SELECT r.rid, r.id, r.code, r.name, r.names, r.level, r.path, r.depth, "
	"st.figures, st.refreshed_at, st.map_schools, st.map_width, st.map_height, st.map_dots "
	"FROM regions r LEFT JOIN region_stats st ON st.region_rid = r.rid WHERE r.code = ?1";

static const char SQL_ROOT[] =
	"SELECT code FROM regions WHERE parent_rid IS NULL ORDER BY rid LIMIT 1";

static const char SQL_NAME[] = "SELECT rid, code, name, names, level FROM regions WHERE code = ?1";

static const char SQL_CHILDREN[] =
	"SELECT r.rid, r.id, r.code, r.name, r.names, r.level, st.figures "
	"FROM regions r LEFT JOIN region_stats st ON st.region_rid = r.rid "
	"WHERE r.parent_rid = ?1";  /* ordered by code here: SQLite would sort them in a temporary b-tree */

/* The schools of a village (the lowest level: no region is beneath it),
 * read in order from the index on (region_rid, sid) with nothing to sort. */
static const char SQL_SCHOOLS_LEAF[] =
	"SELECT s.sid, s.id, s.code, s.name, s.names, s.boarding, s.nomadic, s.rural, s.connectivity, "
	"s.electricity, s.learners, s.teachers FROM schools s "
	"WHERE s.region_rid = ?1 AND s.sid > ?2 ORDER BY s.sid LIMIT ?3";

/* The schools of the region and of every region beneath it. */
static const char SQL_SCHOOLS[] =
	"WITH RECURSIVE sub (rid) AS (SELECT ?1 UNION ALL "
	"SELECT r.rid FROM regions r JOIN sub ON r.parent_rid = sub.rid) "
	"SELECT s.sid, s.id, s.code, s.name, s.names, s.boarding, s.nomadic, s.rural, s.connectivity, "
	"s.electricity, s.learners, s.teachers FROM schools s "
	"WHERE s.region_rid IN (SELECT rid FROM sub) AND s.sid > ?2 ORDER BY s.sid LIMIT ?3";

/*
 * The name in lang from names ({"en": "…", "fa": "…"}), else the name as
 * written. A page names a region's children too, so the common case — a
 * plain "lang": "text" member — is read straight from the text, and only
 * a value with escapes goes through the JSON parser.
 */
static const char *local_name(struct ctx *c, const char *name, const char *names, const char *lang)
{
	const char *v = name ? name : "", *p, *end;
	char key[16];
	json_t *o, *n;

	snprintf(key, sizeof key, "\"%s\"", lang ? lang : "");
	if (!names || !lang || !(p = strstr(names, key)))
		return arena_strdup(c->arena, v);
	p += strlen(key);
	while (*p == ' ' || *p == ':')
		p++;
	if (*p == '"' && (end = strpbrk(p + 1, "\"\\")) && *end == '"')
		return end > p + 1 ? arena_strndup(c->arena, p + 1, (size_t)(end - p - 1)) : arena_strdup(c->arena, v);
	o = json_loads(names, 0, NULL);
	n = json_object_get(o, lang);
	if (json_is_string(n) && json_string_length(n))
		v = json_string_value(n);
	v = arena_strdup(c->arena, v);
	json_decref(o);
	return v;
}

static void read_stats(struct stmt *st, int col, struct region *r)
{
	r->has_stats = !store_null(st, col);
	if (r->has_stats)
		figures_parse(store_text(st, col), &r->f);
}

enum err region_by_code(struct ctx *c, const char *code, const char *lang, struct region *r)
{
	struct stmt *st;
	enum err rc;

	memset(r, 0, sizeof *r);
	if ((rc = store_query(c->store, &st, SQL_REGION, "t", code)) != OK)
		return rc;
	if (!store_next(st)) {
		if ((rc = store_done(st)) != OK)
			return rc;
		return ctx_fail(c, ERR_NOTFOUND, "code", "%s", _("There is no region with this code."));
	}
	r->rid = store_int(st, 0);
	r->id = arena_strdup(c->arena, store_text(st, 1));
	r->code = arena_strdup(c->arena, store_text(st, 2));
	r->name = local_name(c, store_text(st, 3), store_text(st, 4), lang);
	r->level = arena_strdup(c->arena, store_text(st, 5));
	r->path = arena_strdup(c->arena, store_text(st, 6));
	r->depth = (int)store_int(st, 7);
	read_stats(st, 8, r);
	if (r->has_stats) {
		r->refreshed_at = arena_strdup(c->arena, store_text(st, 9));
		r->map_schools = store_int(st, 10);
		r->map_width = store_int(st, 11);
		r->map_height = store_int(st, 12);
		r->map_dots = arena_strdup(c->arena, store_text(st, 13));
	}
	return store_done(st);
}

enum err region_root_code(struct ctx *c, const char **code)
{
	struct stmt *st;
	enum err rc;

	*code = NULL;
	if ((rc = store_query(c->store, &st, SQL_ROOT, "")) != OK)
		return rc;
	if (store_next(st))
		*code = arena_strdup(c->arena, store_text(st, 0));
	if ((rc = store_done(st)) != OK)
		return rc;
	return *code ? OK : ERR_NOTFOUND;
}

int region_scope_path(struct ctx *c, const struct region *r, const char ***out)
{
	const char **codes = arena_alloc(c->arena, (REGION_DEPTH_MAX + 1) * sizeof *codes);
	const char *p = r->path;
	int n = 0;

	/* path is "/IR/IR-07/IR-07-03/": the codes from the top. */
	while (p && *p == '/' && p[1] && n < REGION_DEPTH_MAX) {
		size_t len = strcspn(p + 1, "/");
		codes[n++] = arena_strndup(c->arena, p + 1, len);
		p += 1 + len;
	}
	if (n == 0)
		codes[n++] = r->code;
	*out = codes;
	return n;
}

enum err region_ancestors(struct ctx *c, const struct region *r, const char *lang,
			  struct region **out, int *n)
{
	const char **codes;
	int depth = region_scope_path(c, r, &codes);
	struct region *list = arena_alloc(c->arena, (size_t)depth * sizeof *list);
	enum err rc = OK;

	*n = 0;
	for (int i = 0; i < depth && rc == OK; i++) {
		struct stmt *st;
		if (!strcmp(codes[i], r->code))
			break;
		if ((rc = store_query(c->store, &st, SQL_NAME, "t", codes[i])) != OK)
			break;
		if (store_next(st)) {
			struct region *a = &list[(*n)++];
			a->rid = store_int(st, 0);
			a->code = arena_strdup(c->arena, store_text(st, 1));
			a->name = local_name(c, store_text(st, 2), store_text(st, 3), lang);
			a->level = arena_strdup(c->arena, store_text(st, 4));
		}
		rc = store_done(st);
	}
	*out = list;
	return rc;
}

static int cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct region *)a)->code, ((const struct region *)b)->code);
}

enum err region_children(struct ctx *c, const struct region *r, const char *lang,
			 struct region **out, int *n)
{
	struct stmt *st;
	struct region *list = NULL;
	int cap = 0;
	enum err rc;

	*n = 0;
	if ((rc = store_query(c->store, &st, SQL_CHILDREN, "i", r->rid)) != OK)
		return rc;
	while (store_next(st)) {
		if (*n == cap) {
			struct region *bigger = arena_alloc(c->arena, (size_t)(cap = cap ? cap * 2 : 32) * sizeof *bigger);
			if (*n)
				memcpy(bigger, list, (size_t)*n * sizeof *list);
			list = bigger;
		}
		struct region *k = &list[(*n)++];
		k->rid = store_int(st, 0);
		k->id = arena_strdup(c->arena, store_text(st, 1));
		k->code = arena_strdup(c->arena, store_text(st, 2));
		k->name = local_name(c, store_text(st, 3), store_text(st, 4), lang);
		k->level = arena_strdup(c->arena, store_text(st, 5));
		read_stats(st, 6, k);
	}
	if (*n > 1)
		qsort(list, (size_t)*n, sizeof *list, cmp_code);
	*out = list;
	return store_done(st);
}

static const char *dup_or_empty(struct ctx *c, struct stmt *st, int col)
{
	const char *s = store_text(st, col);
	return arena_strdup(c->arena, s ? s : "");
}

enum err region_schools(struct ctx *c, const struct region *r, int64_t after, int limit,
			struct school_item **out, int *n, int64_t *next)
{
	struct school_item *list = arena_alloc(c->arena, (size_t)limit * sizeof *list);
	struct stmt *st;
	int64_t last = 0;
	enum err rc;

	*n = 0;
	*next = 0;
	/* One more than asked, to know whether there is a next page. */
	if ((rc = store_query(c->store, &st, strcmp(r->level, "village") ? SQL_SCHOOLS : SQL_SCHOOLS_LEAF, "iii",
			      r->rid, after, (int64_t)limit + 1)) != OK)
		return rc;
	while (store_next(st)) {
		if (*n == limit) {
			*next = last;
			continue;
		}
		struct school_item *s = &list[(*n)++];
		last = store_int(st, 0);
		s->id = dup_or_empty(c, st, 1);
		s->code = dup_or_empty(c, st, 2);
		s->name = local_name(c, store_text(st, 3), store_text(st, 4), c->lang);
		s->boarding = store_int(st, 5) != 0;
		s->nomadic = store_int(st, 6) != 0;
		s->rural = store_int(st, 7) != 0;
		s->connectivity = dup_or_empty(c, st, 8);
		s->electricity = dup_or_empty(c, st, 9);
		s->has_learners = !store_null(st, 10);
		s->learners = store_int(st, 10);
		s->has_teachers = !store_null(st, 11);
		s->teachers = store_int(st, 11);
	}
	*out = list;
	return store_done(st);
}
