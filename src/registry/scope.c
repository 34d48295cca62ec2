/*
 * scope.c — where a record sits, for the policy; what part of the
 * registry a caller reaches, for the lists; and the list walker that reads
 * a region subtree region by region.
 *
 * The lists must show exactly what auth_can would let the caller read one
 * record at a time, but they cannot ask it row by row at national scale.
 * So reach_of asks auth_can a few questions about made-up scopes ("may
 * this caller read anything at all anywhere?", "… beneath their scope's
 * code?", "… about their own person?") and turns the answers into query
 * terms: the whole table, a region's path range, one school, or one
 * person and their children. The policy stays in one place; the unit
 * tests check that the lists and the one-by-one reads agree.
 */
#include <string.h>

#include "base/arena.h"
#include "base/text.h"
#include "registry/registry_int.h"
#include "base/banned.h"

#define SEGMENT_BATCH 64
#define SEGMENTS_MAX 4096     /* regions visited by one list call */
#define INNER_BITS 36
#define OUTER_LIMIT ((int64_t)1 << 27)

static const char SQL_REGION_FIND[] = "SELECT rid, path FROM regions WHERE code = ?1";
static const char SQL_REGION_PATH[] = "SELECT path FROM regions WHERE rid = ?1";
static const char SQL_SCHOOL_FIND[] =
	"SELECT s.sid, r.path, s.code FROM schools s JOIN regions r ON r.rid = s.region_rid "
	"WHERE s.id = ?1 OR s.code = ?1";
static const char SQL_PERSON_FIND[] = "SELECT pid, role FROM people WHERE id = ?1";
static const char SQL_GUARDIAN_IDS[] =
	"SELECT g.id FROM guardianships gs JOIN people g ON g.pid = gs.guardian_pid WHERE gs.learner_pid = ?1";
static const char SQL_SEGMENTS_FROM[] =
	"SELECT rid, path FROM regions WHERE path >= ?1 AND path < ?2 ORDER BY path LIMIT ?3";
static const char SQL_SEGMENTS_AFTER[] =
	"SELECT rid, path FROM regions WHERE path > ?1 AND path < ?2 ORDER BY path LIMIT ?3";

/* Narrows the caller's region (*path) by a region filter; false when the
 * two do not meet. */
static bool narrow(const char **path, const char *fpath)
{
	if (!*path || strncmp(fpath, *path, strlen(*path)) == 0) {
		*path = fpath;
		return true;
	}
	return strncmp(*path, fpath, strlen(fpath)) == 0;
}

enum err list_scope(struct ctx *c, const struct registry_filter *f, struct reach *r, const char **path,
		    int64_t *sid, bool *none)
{
	const char *fpath, *code;
	int64_t key;
	enum err rc;

	*path = NULL;
	*sid = 0;
	*none = true;
	if ((rc = reach_of(c, ACT_PERSON_READ, r)) != OK || r->kind == REACH_NONE)
		return rc;
	if (r->kind == REACH_REGION)
		*path = r->path;
	if (r->kind == REACH_SCHOOL)
		*sid = r->sid;
	if (f->region && (rc = region_find(c, f->region, &key, &fpath)) != OK)
		return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "region", "%s", _("There is no region with this code."))
					  : rc;
	if (f->region && !narrow(path, fpath))
		return OK;
	if (f->school) {
		if ((rc = school_find(c, f->school, &key, &fpath, &code)) != OK)
			return rc == ERR_NOTFOUND ? ctx_fail(c, ERR_INVALID, "school", "%s",
							     _("There is no school with this code or id.")) : rc;
		if (*sid && *sid != key)
			return OK;
		*sid = key;
	}
	*none = false;
	return OK;
}

void walk_place(struct ctx *c, struct walk *w, bool narrowed, int64_t sid, const char *path,
		const char *sql_at, const char *sql_in)
{
	if (!narrowed && sid) {
		w->sql = sql_at;
		w->seg = sid;
	} else if (!narrowed && path) {
		w->sql = sql_in;
		w->by_region = true;
		w->lo = path;
		w->hi = path_hi(c, path);
		path = NULL;
	}
	if (path) {
		w->texts[1] = path;
		w->texts[2] = path_hi(c, path);
	}
}

enum err deny(struct ctx *c, const char *field)
{
	return ctx_fail(c, ERR_DENIED, field, "%s", _("You may not add or change records there."));
}

const char *path_hi(struct ctx *c, const char *path)
{
	/* Every path ends in '/', and '0' is the character after it: the
	 * subtree of "/IR/IR-07/" is ["/IR/IR-07/", "/IR/IR-070"). */
	char *hi = arena_strdup(c->arena, path);
	size_t n = strlen(hi);

	if (n && hi[n - 1] == '/')
		hi[n - 1] = '0';
	return hi;
}

enum err region_find(struct ctx *c, const char *code, int64_t *rid, const char **path)
{
	struct stmt *st;
	enum err rc;
	bool found;

	if ((rc = store_query(c->store, &st, SQL_REGION_FIND, "t", code)) != OK)
		return rc;
	if ((found = store_next(st))) {
		*rid = store_int(st, 0);
		*path = arena_strdup(c->arena, store_text(st, 1));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	return found ? OK : ERR_NOTFOUND;
}

enum err school_find(struct ctx *c, const char *id_or_code, int64_t *sid, const char **path, const char **code)
{
	struct stmt *st;
	enum err rc;
	bool found;

	if ((rc = store_query(c->store, &st, SQL_SCHOOL_FIND, "t", id_or_code)) != OK)
		return rc;
	if ((found = store_next(st))) {
		*sid = store_int(st, 0);
		*path = arena_strdup(c->arena, store_text(st, 1));
		*code = arena_strdup(c->arena, store_text(st, 2));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	return found ? OK : ERR_NOTFOUND;
}

enum err person_find(struct ctx *c, const char *id, int64_t *pid, const char **role)
{
	struct stmt *st;
	enum err rc;
	bool found;

	if ((rc = store_query(c->store, &st, SQL_PERSON_FIND, "t", id)) != OK)
		return rc;
	if ((found = store_next(st))) {
		*pid = store_int(st, 0);
		*role = arena_strdup(c->arena, store_text(st, 1));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	return found ? OK : ERR_NOTFOUND;
}

/* ---- the scope of a record ---- */

/* Splits "/IR/IR-07/" into codes, leaving room for one more. */
static const char **path_codes(struct ctx *c, const char *path, int *n)
{
	const char **codes = arena_alloc(c->arena, sizeof *codes * (strlen(path) / 2 + 2));
	const char *p = path;

	*n = 0;
	while (p && *p) {
		size_t len;
		p += *p == '/';
		len = strcspn(p, "/");
		if (len)
			codes[(*n)++] = arena_strndup(c->arena, p, len);
		p += len;
	}
	return codes;
}

static enum err guardian_ids(struct ctx *c, int64_t learner_pid, const char *self, const char ***out, int *n)
{
	struct stmt *st;
	enum err rc;
	int cap = 8;
	const char **ids = arena_alloc(c->arena, sizeof *ids * (size_t)cap);

	*n = 0;
	if (self)
		ids[(*n)++] = self;
	if (learner_pid && (rc = store_query(c->store, &st, SQL_GUARDIAN_IDS, "i", learner_pid)) == OK) {
		while (store_next(st)) {
			if (*n == cap) {
				const char **more = arena_alloc(c->arena, sizeof *more * (size_t)cap * 2);
				memcpy(more, ids, sizeof *ids * (size_t)cap);
				ids = more;
				cap *= 2;
			}
			ids[(*n)++] = arena_strdup(c->arena, store_text(st, 0));
		}
		if ((rc = store_done(st)) != OK)
			return rc;
	} else if (learner_pid)
		return rc;
	*out = ids;
	return OK;
}

enum err registry_scope(struct ctx *c, const struct registry_rec *r, struct scope *out)
{
	const char **codes;
	const char *school = NULL, *person = NULL;
	int n;

	memset(out, 0, sizeof *out);
	codes = path_codes(c, r->path ? r->path : "", &n);
	switch (r->kind) {
	case REG_REGION: break;
	case REG_SCHOOL: school = r->v[SC_CODE]; break;
	case REG_PERSON: school = r->v[PE_SCHOOL_CODE]; person = r->v[PE_ID]; break;
	case REG_ENROLMENT: school = r->v[EN_SCHOOL_CODE]; person = r->v[EN_LEARNER_ID]; break;
	default: BUG("registry_scope: unknown kind");
	}
	if (school)
		codes[n++] = school;
	out->path = codes;
	out->depth = n;
	if (person) {
		const char **ids;
		int np;
		enum err rc = guardian_ids(c, r->learner_pid, person, &ids, &np);
		if (rc != OK)
			return rc;
		out->people = ids;
		out->npeople = np;
	}
	return OK;
}

bool rec_can(struct ctx *c, enum action a, const struct registry_rec *r)
{
	struct scope s;

	if (!c->user) /* the command line acts as the system */
		return true;
	return registry_scope(c, r, &s) == OK && auth_can(c->user, a, &s);
}

/* ---- what a caller reaches ---- */

enum err reach_of(struct ctx *c, enum action a, struct reach *out)
{
	const struct user *u = c->user;
	const char *nowhere[] = {"\001"}, *mine[1];
	struct scope probe = {nowhere, 1, NULL, NULL, 0};
	const char *code;
	int64_t key;
	enum err rc;

	memset(out, 0, sizeof *out);
	if (!u) {
		out->kind = REACH_ALL;
		return OK;
	}
	if (!auth_can(u, a, NULL))
		return OK;
	if (auth_can(u, a, &probe)) {
		out->kind = REACH_ALL;
		return OK;
	}
	mine[0] = u->scope;
	probe.path = mine;
	if (u->scope[0] && auth_can(u, a, &probe)) {
		if ((rc = region_find(c, u->scope, &key, &out->path)) == OK)
			out->kind = REACH_REGION;
		else if (rc == ERR_NOTFOUND && (rc = school_find(c, u->scope, &out->sid, &out->path, &code)) == OK)
			out->kind = REACH_SCHOOL;
		return rc == ERR_NOTFOUND ? OK : rc;
	}
	mine[0] = u->person_id;
	probe = (struct scope){NULL, 0, NULL, mine, 1};
	if (u->person_id[0] && auth_can(u, a, &probe)) {
		if ((rc = person_find(c, u->person_id, &out->pid, &code)) == OK)
			out->kind = REACH_SELF;
		return rc == ERR_NOTFOUND ? OK : rc;
	}
	return OK;
}

/* ---- cursors ---- */

int64_t registry_cursor_pack(int64_t outer, int64_t inner)
{
	if (outer < 0 || outer >= OUTER_LIMIT || inner < 0 || inner >= ((int64_t)1 << INNER_BITS))
		BUG("cursor key out of range");
	return outer << INNER_BITS | inner;
}

void registry_cursor_unpack(int64_t key, int64_t *outer, int64_t *inner)
{
	*outer = key >> INNER_BITS;
	*inner = key & (((int64_t)1 << INNER_BITS) - 1);
}

/* ---- the walker ---- */

struct walking {
	const struct walk *w;
	int limit;
	int64_t budget, scanned;
	struct registry_rec *list;
	int64_t *outer;            /* the segment each found record came from */
	int found;
	int64_t next;
	bool done;
};

/* Reads one segment after row key after; sets done and next when the
 * page is full or the budget spent. */
static enum err segment(struct ctx *c, struct walking *g, int64_t seg, int64_t outer, int64_t after)
{
	const struct walk *w = g->w;
	struct stmt *st;
	int64_t last = after, seen = 0;
	enum err rc;

	rc = store_query(c->store, &st, w->sql, "iiiiiitttttttt", seg, after, g->budget - g->scanned, w->ints[0],
			 w->ints[1], w->ints[2], w->texts[0], w->texts[1], w->texts[2], w->texts[3], w->texts[4],
			 w->texts[5], w->texts[6], w->texts[7]);
	if (rc != OK)
		return rc;
	while (store_next(st)) {
		seen++;
		last = store_int(st, 1);
		if (!store_int(st, 0))
			continue;
		if (g->found == g->limit) {
			g->next = registry_cursor_pack(g->outer[g->limit - 1], g->list[g->limit - 1].key);
			g->done = true;
			break;
		}
		g->outer[g->found] = outer;
		rec_read(c, st, 1, w->kind, &g->list[g->found++]);
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	g->scanned += seen;
	if (!g->done && g->scanned >= g->budget) {
		g->next = registry_cursor_pack(outer, last);
		g->done = true;
	}
	return OK;
}

/* Where to start in the region order: the cursor's region, kept inside
 * [lo, hi). */
static enum err start_path(struct ctx *c, const struct walk *w, int64_t outer, const char **start)
{
	struct stmt *st;
	enum err rc;

	*start = w->lo;
	if (!outer)
		return OK;
	if ((rc = store_query(c->store, &st, SQL_REGION_PATH, "i", outer)) != OK)
		return rc;
	if (store_next(st) && strcmp(store_text(st, 0), w->lo) > 0)
		*start = arena_strdup(c->arena, store_text(st, 0));
	return store_done(st);
}

static enum err walk_regions(struct ctx *c, struct walking *g, int64_t outer, int64_t inner)
{
	int64_t rids[SEGMENT_BATCH];
	const char *paths[SEGMENT_BATCH], *start;
	bool first = true;
	int visited = 0;
	enum err rc;

	if ((rc = start_path(c, g->w, outer, &start)) != OK)
		return rc;
	while (!g->done) {
		struct stmt *st;
		int n = 0;
		if ((rc = store_query(c->store, &st, first ? SQL_SEGMENTS_FROM : SQL_SEGMENTS_AFTER, "tti", start,
				      g->w->hi, (int64_t)SEGMENT_BATCH)) != OK)
			return rc;
		while (store_next(st) && n < SEGMENT_BATCH) {
			rids[n] = store_int(st, 0);
			paths[n++] = arena_strdup(c->arena, store_text(st, 1));
		}
		if ((rc = store_done(st)) != OK)
			return rc;
		for (int i = 0; i < n && !g->done; i++) {
			if (++visited > SEGMENTS_MAX) {
				g->next = registry_cursor_pack(rids[i], 0);
				g->done = true;
				break;
			}
			if ((rc = segment(c, g, rids[i], rids[i], rids[i] == outer ? inner : 0)) != OK)
				return rc;
		}
		if (n < SEGMENT_BATCH)
			break;
		start = paths[n - 1];
		first = false;
	}
	return OK;
}

enum err walk_run(struct ctx *c, const struct walk *w, int64_t cursor, int limit, struct registry_rec **out,
		  int *n, int64_t *next)
{
	struct walking g = {w, limit, 0, 0, NULL, NULL, 0, 0, false};
	int64_t outer, inner;
	enum err rc;

	if (limit < 1)
		limit = g.limit = 1;
	g.budget = w->searching ? REGISTRY_SCAN_MAX : (int64_t)limit + 1;
	g.list = arena_alloc(c->arena, sizeof *g.list * (size_t)limit);
	g.outer = arena_alloc(c->arena, sizeof *g.outer * (size_t)limit);
	registry_cursor_unpack(cursor, &outer, &inner);
	if (w->by_region)
		rc = walk_regions(c, &g, outer, inner);
	else
		rc = segment(c, &g, w->seg, 0, inner);
	if (rc != OK)
		return rc;
	*out = g.list;
	*n = g.found;
	*next = g.next;
	return OK;
}

/* ---- name search ---- */

enum err search_patterns(struct ctx *c, const char *q, const char *pat[4])
{
	const char *f = fold(c, q ? q : ""), *p = f;
	int k = 0;

	for (int i = 0; i < 4; i++)
		pat[i] = NULL;
	while (*p && k < 4) {
		size_t n = strcspn(p, " ");
		struct buf b;
		buf_init(&b, 1024);
		buf_puts(&b, "% ");
		for (size_t i = 0; i < n; i++) {
			if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
				buf_addc(&b, '\\');
			buf_addc(&b, p[i]);
		}
		buf_addc(&b, '%');
		if (n)
			pat[k++] = arena_strdup(c->arena, b.p);
		buf_release(&b);
		p += n;
		p += *p == ' ';
	}
	if (!k)
		return ctx_fail(c, ERR_INVALID, "q", "%s", _("Write at least one letter or digit to search for."));
	return OK;
}
