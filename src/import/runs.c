/*
 * runs.c — the record of import runs (the imports table) for the web:
 * queueing an upload as a background job, reading a run and its report of
 * rejected rows, listing the recent ones. A run is seen by whoever started
 * it and by those who may read anyone's jobs; for the rest it does not
 * exist.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/jw.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

static const char SQL_RUN_QUEUE[] =
	"INSERT INTO imports (id, kind, source, mode, state, started_by, started_at, seq) "
	"VALUES (?1, ?2, ?3, ?4, 'queued', ?5, ?6, ?7)";
static const char SQL_RUN_JOB[] = "UPDATE imports SET job_id = ?2 WHERE id = ?1";
static const char SQL_RUN_FAIL[] =
	"UPDATE imports SET state = 'failed', message = ?2, finished_at = ?3 WHERE id = ?1 AND state IN ('queued', 'running')";

#define RUN_COLS \
	"i.uid, i.id, i.kind, i.source, i.mode, i.state, i.rows_read, i.rows_written, i.rows_rejected, " \
	"COALESCE(i.started_by, ''), i.started_at, COALESCE(i.finished_at, ''), i.message, COALESCE(i.job_id, ''), " \
	"COALESCE(j.progress, 0), COALESCE(j.total, 0) "
static const char SQL_RUN_GET[] =
	"SELECT " RUN_COLS "FROM imports i LEFT JOIN jobs j ON j.id = i.job_id WHERE i.id = ?1";
static const char SQL_RUN_LIST[] =
	"SELECT " RUN_COLS "FROM imports i LEFT JOIN jobs j ON j.id = i.job_id "
	"WHERE (?1 = '' OR i.started_by = ?1) AND i.uid < ?2 ORDER BY i.uid DESC LIMIT ?3";
static const char SQL_RUN_REJECTS[] =
	"SELECT file, row, col, reason FROM import_rejects WHERE import_uid = ?1 ORDER BY rowid LIMIT ?2";

static const char *dup(struct ctx *c, struct stmt *st, int col)
{
	return arena_strdup(c->arena, store_text(st, col) ? store_text(st, col) : "");
}

static void read_run(struct ctx *c, struct stmt *st, struct import_run_info *out)
{
	out->key = store_int(st, 0);
	out->id = dup(c, st, 1);
	out->kind = dup(c, st, 2);
	out->source = dup(c, st, 3);
	out->mode = dup(c, st, 4);
	out->state = dup(c, st, 5);
	out->read = store_int(st, 6);
	out->written = store_int(st, 7);
	out->rejected = store_int(st, 8);
	out->started_by = dup(c, st, 9);
	out->started_at = dup(c, st, 10);
	out->finished_at = dup(c, st, 11);
	out->message = dup(c, st, 12);
	out->job_id = dup(c, st, 13);
	out->progress = store_int(st, 14);
	out->total = store_int(st, 15);
}

/* Whom the runs belong to: "" for someone who may see every run. */
static const char *owner(const struct ctx *c)
{
	return !c->user || auth_can(c->user, ACT_JOB_READ_ANY, NULL) ? "" : c->user->id;
}

enum err import_queue(struct ctx *c, const char *kind, const char *source, const char *mode, char id[ID_LEN])
{
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	id_new(id);
	time_now_iso(now);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK ||
	    (rc = store_exec(c->store, SQL_RUN_QUEUE, "ttttt" "ti", id, kind, source, mode,
			     c->user ? c->user->id : NULL, now, seq)) != OK) {
		store_rollback(c->store);
		return rc;
	}
	return store_commit(c->store);
}

enum err import_set_job(struct ctx *c, const char *id, const char *job_id)
{
	return store_exec(c->store, SQL_RUN_JOB, "tt", id, job_id);
}

enum err import_fail(struct ctx *c, const char *id, const char *message)
{
	char now[TIME_ISO_LEN];

	time_now_iso(now);
	return store_exec(c->store, SQL_RUN_FAIL, "ttt", id, message, now);
}

enum err import_get(struct ctx *c, const char *id, struct import_run_info *out)
{
	const char *mine = owner(c);
	struct stmt *st;
	bool found;
	enum err rc;

	if ((rc = store_query(c->store, &st, SQL_RUN_GET, "t", id)) != OK)
		return rc;
	if ((found = store_next(st)))
		read_run(c, st, out);
	if ((rc = store_done(st)) != OK)
		return rc;
	if (!found || (*mine && strcmp(out->started_by, mine) != 0))
		return ctx_fail(c, ERR_NOTFOUND, NULL, "%s", _("No such import."));
	return OK;
}

enum err import_list(struct ctx *c, int64_t before, int limit, struct import_run_info **out, int *n)
{
	struct stmt *st;
	enum err rc;

	*n = 0;
	*out = arena_alloc(c->arena, sizeof **out * (size_t)(limit > 0 ? limit : 1));
	if ((rc = store_query(c->store, &st, SQL_RUN_LIST, "tii", owner(c), before > 0 ? before : INT64_MAX,
			      (int64_t)limit)) != OK)
		return rc;
	while (*n < limit && store_next(st))
		read_run(c, st, &(*out)[(*n)++]);
	return store_done(st);
}

/* One CSV field into b, quoted when it must be. */
static void csv_put(struct buf *b, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		buf_puts(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

enum err import_report(struct ctx *c, const char *id, int64_t max_rows, struct buf *out)
{
	struct import_run_info run;
	struct stmt *st;
	enum err rc;

	if ((rc = import_get(c, id, &run)) != OK)
		return rc;
	buf_puts(out, "file,row,column,reason\n");
	if ((rc = store_query(c->store, &st, SQL_RUN_REJECTS, "ii", run.key, max_rows)) != OK)
		return rc;
	while (store_next(st) && !out->err) {
		csv_put(out, store_text(st, 0));
		buf_printf(out, ",%lld,", (long long)store_int(st, 1));
		csv_put(out, store_text(st, 2));
		buf_addc(out, ',');
		csv_put(out, store_text(st, 3));
		buf_addc(out, '\n');
	}
	return store_done(st);
}

void import_run_json(struct jw *w, const struct import_run_info *r)
{
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	jw_kstr(w, "kind", r->kind);
	jw_kstr(w, "source", r->source);
	jw_kstr(w, "mode", r->mode);
	jw_kstr(w, "state", r->state);
	jw_kint(w, "read", r->read);
	jw_kint(w, "written", r->written);
	jw_kint(w, "rejected", r->rejected);
	jw_kstr(w, "started_at", r->started_at);
	jw_key(w, "finished_at");
	jw_str(w, *r->finished_at ? r->finished_at : NULL);
	jw_key(w, "message");
	jw_str(w, *r->message ? r->message : NULL);
	jw_key(w, "job");
	if (*r->job_id) {
		jw_obj(w);
		jw_kstr(w, "id", r->job_id);
		jw_kint(w, "progress", r->progress);
		jw_kint(w, "total", r->total);
		jw_end(w);
	} else
		jw_null(w);
	jw_end(w);
}
