/*
 * import.c — an import run from start to end (see import.h): the imports
 * row that records it, the mode, the files of its kind, the report of
 * rejected rows, the audit entry; and `reach import`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/args.h"
#include "base/jw.h"
#include "base/log.h"
#include "base/progress.h"
#include "dashboard/dashboard.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

static const char SQL_IMPORT_NEW[] =
	"INSERT INTO imports (id, kind, source, mode, state, started_by, started_at, seq) "
	"VALUES (?1, ?2, ?3, ?4, 'running', ?5, ?6, ?7) RETURNING uid";
static const char SQL_IMPORT_START[] =
	"UPDATE imports SET state = 'running', mode = ?2, started_at = ?3, seq = ?4 WHERE id = ?1 RETURNING uid";
static const char SQL_IMPORT_FORGET[] = "DELETE FROM import_rejects WHERE import_uid = ?1";
static const char SQL_IMPORT_END[] =
	"UPDATE imports SET state = ?2, rows_read = ?3, rows_written = ?4, rows_rejected = ?5, "
	"finished_at = ?6, message = ?7, seq = ?8 WHERE uid = ?1";

const char *const import_kinds[] = {"regions", "schools", "people", "enrolments", "oneroster", NULL};

static const struct kind *native_kind(const char *name)
{
	static const struct kind *const all[] = {&kind_regions, &kind_schools, &kind_people, &kind_enrolments};

	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

static enum err parse_calendar(struct ctx *c, const char *s, enum date_cal *out)
{
	if (!s || !strcmp(s, "auto"))
		*out = DATE_AUTO;
	else if (!strcmp(s, "gregorian"))
		*out = DATE_GREGORIAN;
	else if (!strcmp(s, "solar-hijri"))
		*out = DATE_SOLAR_HIJRI;
	else
		return ctx_fail(c, ERR_INVALID, "calendar", "unknown calendar \"%s\" (gregorian, solar-hijri or auto)", s);
	return OK;
}

static const char *mode_name(const struct import_opts *o)
{
	return o->dry_run ? "dry_run" : o->strict ? "strict" : "default";
}

/* Creates (or, for a web upload, takes over) the imports row. */
static enum err open_run(struct imp *im, const char *kind, const char *source)
{
	struct ctx *c = im->c;
	char now[TIME_ISO_LEN];
	struct stmt *st;
	int64_t seq;
	enum err rc;

	time_now_iso(now);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		goto fail;
	if (im->o->import_id) {
		snprintf(im->id, sizeof im->id, "%s", im->o->import_id);
		rc = store_query(c->store, &st, SQL_IMPORT_START, "ttti", im->id, mode_name(im->o), now, seq);
	} else {
		id_new(im->id);
		rc = store_query(c->store, &st, SQL_IMPORT_NEW, "tttttti", im->id, kind, source, mode_name(im->o),
				 c->user ? c->user->id : NULL, now, seq);
	}
	if (rc != OK)
		goto fail;
	im->uid = store_next(st) ? store_int(st, 0) : 0;
	if ((rc = store_done(st)) != OK)
		goto fail;
	if (!im->uid) {
		rc = ctx_fail(c, ERR_NOTFOUND, NULL, "no such import");
		goto fail;
	}
	/* A run queued again after its server stopped (jobs.c) starts its
	 * report afresh: the rows it rejects now are those that count. */
	if (im->o->import_id && (rc = store_exec(c->store, SQL_IMPORT_FORGET, "i", im->uid)) != OK)
		goto fail;
	return store_commit(c->store);
fail:
	store_rollback(c->store);
	return rc;
}

static const char *audit_detail(struct imp *im, const char *kind, const char *source)
{
	struct buf b;
	struct jw w;
	const char *s;

	buf_init(&b, 4096);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "kind", kind);
	jw_kstr(&w, "source", source);
	jw_kstr(&w, "mode", mode_name(im->o));
	jw_kint(&w, "read", im->res->read);
	jw_kint(&w, "written", im->res->written);
	jw_kint(&w, "rejected", im->res->rejected);
	jw_end(&w);
	s = arena_strdup(im->c->arena, b.p);
	buf_release(&b);
	return s;
}

/* Records how the run ended, with its audit entry, in one transaction. */
static enum err close_run(struct imp *im, const char *kind, const char *source, bool failed, const char *msg)
{
	struct ctx *c = im->c;
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	time_now_iso(now);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK ||
	    (rc = store_exec(c->store, SQL_IMPORT_END, "itiiitti", im->uid, failed ? "failed" : "done", im->res->read,
			     im->res->written, im->res->rejected, now, msg ? msg : "", seq)) != OK ||
	    (rc = auth_audit(c, arena_printf(c->arena, "import.%s", kind), "import", im->id,
			     audit_detail(im, kind, source))) != OK) {
		store_rollback(c->store);
		return rc;
	}
	return store_commit(c->store);
}

static enum err run_files(struct imp *im, const char *kind, const char *path)
{
	const struct kind *k = native_kind(kind);
	enum err rc;

	if (!k)
		return oneroster_import(im, path);
	if ((rc = file_import(im, k, path, -1, im->o->name)) != OK)
		return rc;
	if (k == &kind_people && im->links_needed) {
		int64_t read = im->res->read, base = im->progress_base;
		im->again = true;
		rc = file_import(im, &kind_people_links, path, -1, im->o->name);
		im->again = false;
		im->res->read = read;   /* the same rows, read again */
		im->progress_base = base;
	}
	return rc;
}

/*
 * A bulk load checks every value and every reference itself (the same
 * vocabularies and bounds as the schema's CHECK constraints, and each code
 * against the maps or the store), so the engine's own checks would only
 * repeat them, at a high price: store_bulk turns them off while the import
 * writes and on again after.
 */
static void bulk_mode(struct ctx *c, bool on)
{
	store_bulk(c->store, on);
}

/* Ends the open transaction: kept, or rolled back as the mode says. */
static enum err settle(struct imp *im, enum err rc)
{
	bool keep = rc == OK && !im->o->dry_run && !(im->o->strict && im->res->rejected);

	if (!keep) {
		tx_rollback(im);
		if (im->one_tx)
			im->res->written = 0;
	} else if ((rc = tx_commit(im)) != OK)
		tx_rollback(im);
	if (im->one_tx) {
		enum err r2 = reject_unspool(im);
		if (rc == OK)
			rc = r2;
	}
	return rc;
}

static void imp_free(struct imp *im)
{
	cmap_free(&im->regions);
	cmap_free(&im->schools);
	cmap_free(&im->orgs);
	cmap_free(&im->sessions);
	cmap_free(&im->courses);
	cmap_free(&im->classes);
	cmap_free(&im->roles);
	free(im->deferred.recs);
	buf_release(&im->deferred.text);
	if (im->spool)
		fclose(im->spool);
	if (im->report)
		fclose(im->report);
}

static enum err prepare(struct imp *im, const char *kind)
{
	struct ctx *c = im->c;
	enum err rc;

	if (!native_kind(kind) && strcmp(kind, "oneroster"))
		return ctx_fail(c, ERR_INVALID, "kind",
				"unknown kind \"%s\" (regions, schools, people, enrolments or oneroster)", kind);
	if ((rc = parse_calendar(c, im->o->calendar, &im->cal)) != OK)
		return rc;
	if (c->user && !auth_can(c->user, ACT_IMPORT, NULL))
		return ctx_fail(c, ERR_DENIED, NULL, "you may not import");
	if (im->one_tx && !(im->spool = tmpfile()))
		return ctx_fail(c, ERR_IO, NULL, "cannot make a temporary file");
	if (im->o->report) {
		if (!(im->report = fopen(im->o->report, "w")))
			return ctx_fail(c, ERR_INVALID, "report", "cannot write %s", im->o->report);
		fputs("file,row,column,reason\n", im->report);
	}
	return OK;
}

enum err import_run(struct ctx *c, const char *kind, const char *path, const struct import_opts *opts,
		    struct import_result *res)
{
	static const struct import_opts none;
	const struct import_opts *o = opts ? opts : &none;
	struct imp im = {.c = c, .o = o, .res = res};
	const char *source = o->name ? o->name : path;
	enum err rc, r2;

	memset(res, 0, sizeof *res);
	im.one_tx = o->strict || o->dry_run;
	cmap_init(&im.orgs);
	cmap_init(&im.sessions);
	cmap_init(&im.courses);
	cmap_init(&im.classes);
	buf_init(&im.deferred.text, (size_t)1 << 30);
	if ((rc = prepare(&im, kind)) != OK || (rc = open_run(&im, kind, source)) != OK)
		goto out;
	snprintf(res->import_id, sizeof res->import_id, "%s", im.id);
	bulk_mode(c, true);
	/* Indexes an earlier import left deferred (it was killed) are built
	 * first, and any this one leaves (it failed) before it ends; not
	 * again when the rebuild has just failed on a duplicate, which
	 * would fail the same way. */
	if ((rc = store_recover_indexes(c->store)) != OK)
		ctx_fail(c, rc, rc == ERR_EXISTS ? "ext_id" : NULL,
			 "an earlier import left indexes to build again, and they cannot be built: %s",
			 rc == ERR_EXISTS ? "two rows of a table share an external id (remove one, then import again)"
					  : "see the log");
	else if ((rc = maps_load(&im)) == OK)
		rc = run_files(&im, kind, path);
	rc = settle(&im, rc);
	if (rc != ERR_EXISTS && (r2 = store_recover_indexes(c->store)) != OK && rc == OK)
		rc = r2;
	bulk_mode(c, false);
	if (im.report && fflush(im.report) != 0 && rc == OK)
		rc = ctx_fail(c, ERR_IO, "report", "cannot write %s", o->report);
	close_run(&im, kind, source, rc != OK, rc != OK ? c->err.msg : NULL);
	if (rc == OK && res->written > 0 && !o->dry_run && !o->no_refresh) {
		r2 = dashboard_refresh(c);
		if (r2 != OK)
			log_msg(LOG_WARN, c->req_id, "import %s: the dashboards could not be refreshed (%s)", im.id,
				err_name(r2));
	}
out:
	imp_free(&im);
	return rc;
}

/* ---- reach import ------------------------------------------------------ */

static void show_progress(void *arg, int64_t done, int64_t total)
{
	progress_update(arg, done, total > done ? total : done);
}

static int usage(void)
{
	fprintf(stderr, "usage: reach import regions|schools|people|enrolments FILE | reach import oneroster DIR-or-ZIP\n"
			"       [--dry-run] [--strict] [--report FILE] [--calendar gregorian|solar-hijri|auto]\n");
	return 2;
}

int import_cmd(struct ctx *c, int argc, char **argv)
{
	static const char *const flags[] = {"dry-run", "strict", NULL};
	const char *kind = args_pos(argc, argv, 0, flags), *path = args_pos(argc, argv, 1, flags);
	struct import_opts o = {.dry_run = args_flag(argc, argv, "dry-run"), .strict = args_flag(argc, argv, "strict"),
				.calendar = args_opt(argc, argv, "calendar"), .report = args_opt(argc, argv, "report")};
	struct import_result res;
	struct progress p;
	enum err rc;

	if (!kind || !path)
		return usage();
	progress_init(&p, stderr, "import");
	o.progress = show_progress;
	o.arg = &p;
	rc = import_run(c, kind, path, &o, &res);
	if (rc != OK) {
		if (p.tty)
			fputs("\r\033[K", stderr);
		fprintf(stderr, "reach: import: %s\n", c->err.msg[0] ? c->err.msg : err_name(rc));
		return rc == ERR_INVALID || rc == ERR_NOTFOUND ? 2 : 1;
	}
	if (o.dry_run || (o.strict && res.rejected))
		progress_finish(&p, arena_printf(c->arena, "%lld rows read, %lld valid, %lld rejected (%s: nothing written)",
						 (long long)res.read, (long long)(res.read - res.rejected),
						 (long long)res.rejected, o.dry_run ? "dry run" : "strict"));
	else
		progress_finish(&p, arena_printf(c->arena, "%lld rows read, %lld written, %lld unchanged, %lld rejected",
						 (long long)res.read, (long long)res.written,
						 (long long)(res.read - res.written - res.rejected > 0 ?
							     res.read - res.written - res.rejected : 0),
						 (long long)res.rejected));
	if (res.rejected)
		fprintf(stderr, "reach: import %s: %lld rows rejected; %s\n", res.import_id, (long long)res.rejected,
			o.report ? arena_printf(c->arena, "see %s", o.report) :
				   "run again with --report FILE to get them as CSV");
	return res.rejected ? 3 : 0;
}
