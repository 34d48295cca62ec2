/*
 * record.c — what every kind of record shares: reading one (and the
 * policy check that goes with it), the create and update transactions
 * (check the fields, let the kind resolve its references and write, audit
 * what changed), and the list entry point.
 */
#include <string.h>

#include "base/arena.h"
#include "registry/registry_int.h"
#include "base/banned.h"

const char *const rec_by_id_sql[REG__KINDS] = {
	[REG_REGION] = "SELECT 1, " REGION_COLS REGION_FROM " WHERE r.id = ?1 OR r.code = ?1",
	[REG_SCHOOL] = "SELECT 1, " SCHOOL_COLS SCHOOL_FROM " WHERE s.id = ?1 OR s.code = ?1",
	[REG_PERSON] = "SELECT 1, " PERSON_COLS PERSON_FROM " WHERE p.id = ?1",
	[REG_ENROLMENT] = "SELECT 1, " ENROLMENT_COLS ENROLMENT_FROM " WHERE e.id = ?1",
};

const char *const rec_by_key_sql[REG__KINDS] = {
	[REG_REGION] = "SELECT 1, " REGION_COLS REGION_FROM " WHERE r.rid = ?1",
	[REG_SCHOOL] = "SELECT 1, " SCHOOL_COLS SCHOOL_FROM " WHERE s.sid = ?1",
	[REG_PERSON] = "SELECT 1, " PERSON_COLS PERSON_FROM " WHERE p.pid = ?1",
	[REG_ENROLMENT] = "SELECT 1, " ENROLMENT_COLS ENROLMENT_FROM " WHERE e.eid = ?1",
};

static enum err get_row(struct ctx *c, enum registry_kind k, struct stmt *st, struct registry_rec *out)
{
	bool found;
	enum err rc;

	if ((found = store_next(st)))
		rec_read(c, st, 1, k, out);
	if ((rc = store_done(st)) != OK)
		return rc;
	return found ? OK : ERR_NOTFOUND;
}

enum err rec_get1(struct ctx *c, enum registry_kind k, const char *sql, const char *key, struct registry_rec *out)
{
	struct stmt *st;
	enum err rc;

	if ((rc = store_query(c->store, &st, sql, "t", key)) != OK)
		return rc;
	return get_row(c, k, st, out);
}

enum err rec_get_key(struct ctx *c, enum registry_kind k, int64_t key, struct registry_rec *out)
{
	struct stmt *st;
	enum err rc;

	if ((rc = store_query(c->store, &st, rec_by_key_sql[k], "i", key)) != OK)
		return rc;
	return get_row(c, k, st, out);
}

static enum err not_found(struct ctx *c)
{
	return ctx_fail(c, ERR_NOTFOUND, NULL, "%s", _("There is no such record, or you may not see it."));
}

enum err registry_get(struct ctx *c, enum registry_kind k, const char *id, struct registry_rec *out)
{
	enum err rc;

	if ((unsigned)k >= REG__KINDS)
		BUG("registry_get: unknown kind");
	if (!id || !*id)
		return not_found(c);
	rc = rec_get1(c, k, rec_by_id_sql[k], id, out);
	if (rc == ERR_NOTFOUND || (rc == OK && !rec_can(c, rkinds[k].read, out)))
		return not_found(c);
	return rc;
}

/* ---- create and update ---- */

struct change {
	enum registry_kind k;
	const char *id;
	const struct registry_in *in;
	struct registry_rec *out;
};

static enum err (*const creators[REG__KINDS])(struct ctx *, struct registry_rec *) = {
	region_create, school_create, person_create, enrolment_create,
};
static enum err (*const updaters[REG__KINDS])(struct ctx *, const struct registry_rec *, struct registry_rec *,
						const char **) = {
	region_update, school_update, person_update, enrolment_update,
};

static enum err audit(struct ctx *c, enum registry_kind k, const char *verb, const char *id, const char *detail)
{
	return auth_audit(c, arena_printf(c->arena, "%s.%s", rkinds[k].name, verb), rkinds[k].name, id, detail);
}

static enum err create_tx(struct ctx *c, void *arg)
{
	struct change *ch = arg;
	struct registry_rec rec = {.kind = ch->k};
	const char *detail;
	enum err rc;

	if ((rc = fields_apply(c, ch->k, ch->in, true, &rec)) != OK || (rc = creators[ch->k](c, &rec)) != OK)
		return rc;
	detail = fields_diff(c, ch->k, NULL, &rec);
	if ((rc = audit(c, ch->k, "create", rec.v[0], detail)) != OK)
		return rc;
	return rec_get_key(c, ch->k, rec.key, ch->out);
}

enum err registry_create(struct ctx *c, enum registry_kind k, const struct registry_in *in,
			 struct registry_rec *out)
{
	struct change ch = {k, NULL, in, out};

	if ((unsigned)k >= REG__KINDS)
		BUG("registry_create: unknown kind");
	return ctx_tx(c, create_tx, &ch);
}

static enum err update_tx(struct ctx *c, void *arg)
{
	struct change *ch = arg;
	struct registry_rec old, rec;
	const char *detail;
	enum err rc;

	if ((rc = registry_get(c, ch->k, ch->id, &old)) != OK)
		return rc;
	if (!rec_can(c, rkinds[ch->k].write, &old))
		return ctx_fail(c, ERR_DENIED, NULL, "%s", _("You may not change this record."));
	if (ch->k == REG_PERSON && old.v[PE_RETIRED_AT])
		return ctx_fail(c, ERR_CONFLICT, NULL, "%s", _("This person is retired and cannot be changed."));
	rec = old;
	if ((rc = fields_apply(c, ch->k, ch->in, false, &rec)) != OK)
		return rc;
	*ch->out = old;
	if (!fields_diff(c, ch->k, &old, &rec))
		return OK;
	if ((rc = updaters[ch->k](c, &old, &rec, &detail)) != OK || !detail)
		return rc;
	if ((rc = audit(c, ch->k, "update", old.v[0], detail)) != OK)
		return rc;
	return rec_get_key(c, ch->k, old.key, ch->out);
}

enum err registry_update(struct ctx *c, enum registry_kind k, const char *id, const struct registry_in *in,
			 struct registry_rec *out)
{
	struct change ch = {k, id, in, out};

	if ((unsigned)k >= REG__KINDS)
		BUG("registry_update: unknown kind");
	return ctx_tx(c, update_tx, &ch);
}

enum err registry_list(struct ctx *c, enum registry_kind k, const struct registry_filter *f, int64_t cursor,
		       int limit, struct registry_rec **out, int *n, int64_t *next)
{
	static const struct registry_filter none;

	*out = NULL;
	*n = 0;
	*next = 0;
	if (!f)
		f = &none;
	if (limit > REGISTRY_PAGE_MAX)
		limit = REGISTRY_PAGE_MAX;
	switch (k) {
	case REG_REGION: return region_list(c, f, cursor, limit, out, n, next);
	case REG_SCHOOL: return school_list(c, f, cursor, limit, out, n, next);
	case REG_PERSON: return person_list(c, f, cursor, limit, out, n, next);
	case REG_ENROLMENT: return enrolment_list(c, f, cursor, limit, out, n, next);
	default: BUG("registry_list: unknown kind");
	}
}
