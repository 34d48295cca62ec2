/*
 * audit.c — the audit log: who, when, what, which object, from where.
 * Entries are only ever added.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "base/arena.h"
#include "base/banned.h"

static const char SQL_AUDIT_ADD[] =
	"INSERT INTO audit (id, at, actor_id, actor_login, action, object_kind, object_id, ip, request_id, detail) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char SQL_AUDIT_LIST[] =
	"SELECT uid, id, at, actor_id, actor_login, action, object_kind, object_id, ip, request_id, detail "
	"FROM audit WHERE uid < ?1 ORDER BY uid DESC LIMIT ?2";

enum err auth_audit(struct ctx *c, const char *action, const char *kind, const char *object_id,
		    const char *detail)
{
	const struct user *u = c->user;
	char id[ID_LEN], now[TIME_ISO_LEN];

	id_new(id);
	time_now_iso(now);
	/* Without an account, the actor is the command line's system user. */
	return store_exec(c->store, SQL_AUDIT_ADD, "tttttttttt", id, now, u ? u->id : NULL,
			  u ? u->login : arena_printf(c->arena, "system:%s", c->user_login ? c->user_login : "?"), action, kind, object_id, c->ip && *c->ip ? c->ip : "cli",
			  c->req_id, detail);
}

static const char *dup(struct ctx *c, struct stmt *st, int col)
{
	const char *s = store_text(st, col);
	return s ? arena_strdup(c->arena, s) : NULL;
}

enum err auth_audit_list(struct ctx *c, int64_t before, int limit, struct audit_entry **out, int *n,
			 int64_t *next)
{
	struct audit_entry *list;
	struct stmt *st;
	enum err rc;
	int k = 0;

	if (limit < 1)
		limit = 1;
	list = arena_alloc(c->arena, sizeof *list * (size_t)(limit + 1));

	if ((rc = store_query(c->store, &st, SQL_AUDIT_LIST, "ii", before > 0 ? before : INT64_MAX,
			      (int64_t)limit + 1)) != OK)
		return rc;
	while (store_next(st) && k <= limit) {
		struct audit_entry *e = &list[k++];
		e->key = store_int(st, 0);
		e->id = dup(c, st, 1);
		e->at = dup(c, st, 2);
		e->actor_id = dup(c, st, 3);
		e->actor_login = dup(c, st, 4);
		e->action = dup(c, st, 5);
		e->object_kind = dup(c, st, 6);
		e->object_id = dup(c, st, 7);
		e->ip = dup(c, st, 8);
		e->request_id = dup(c, st, 9);
		e->detail = dup(c, st, 10);
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	*next = k > limit ? list[limit - 1].key : 0;
	*n = k > limit ? limit : k;
	*out = list;
	return OK;
}
