/*
 * import_routes.c — imports over HTTP and the "import" background job.
 *
 * An upload arrives in a temporary file (http streams R_UPLOAD bodies to
 * DATA/tmp); the handler records a queued run, keeps the file under
 * DATA/imports/ and queues the job, which runs import_run with its
 * progress going to the job, then removes the file.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/jw.h"
#include "import/import_int.h"
#include "import/import_routes.h"
#include "web/page.h"
#include "base/banned.h"

#define REPORT_ROWS_MAX 200000  /* rejected rows in one report download */
#define PAGE_RUNS 20

static const char *const mode_choices[] = {"default", "strict", "dry_run", NULL};
static const char *const calendar_choices[] = {"auto", "gregorian", "solar-hijri", NULL};

const struct field import_in_upload[] = {
	{"kind", F_ENUM, true, 0, 0, import_kinds, "regions, schools, people, enrolments, or oneroster (a zip)"},
	{"mode", F_ENUM, false, 0, 0, mode_choices, "default: import the good rows; strict: all or nothing; dry_run: only check"},
	{"calendar", F_ENUM, false, 0, 0, calendar_choices, "how dates are read (auto: a year below 1700 is Solar Hijri)"},
	{"csrf", F_STR, false, 0, 100, NULL, NULL},
	{0}};
const struct field import_in_list[] = {
	{"limit", F_INT, false, 1, 100, NULL, "items per page"},
	{"cursor", F_STR, false, 0, 100, NULL, "from the previous page's next"},
	{0}};

/* Queues the uploaded file as an import job; the run's id in id. */
static enum err queue(struct req *r, char id[ID_LEN])
{
	struct ctx *c = &r->c;
	const char *kind = req_str(r, "kind"), *mode = req_has(r, "mode") ? req_str(r, "mode") : "default";
	const char *name = req_upload_name(r) ? req_upload_name(r) : arena_printf(c->arena, "%s.csv", kind);
	const char *dir = arena_printf(c->arena, "%s/imports", c->app->conf.data), *path;
	char job[ID_LEN];
	struct buf p;
	struct jw w;
	enum err rc;

	if (!req_upload_path(r) || req_upload_size(r) == 0)
		return ctx_fail(c, ERR_INVALID, "file", "%s", _("The upload is empty: choose a file."));
	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return ctx_fail(c, ERR_IO, NULL, "cannot create %s", dir);
	if ((rc = import_queue(c, kind, name, mode, id)) != OK)
		return rc;
	path = arena_printf(c->arena, "%s/%s.upload", dir, id);
	if ((rc = req_upload_keep(r, path)) != OK) {
		import_fail(c, id, "the upload could not be kept");
		return rc;
	}
	buf_init(&p, 8192);
	jw_init(&w, &p);
	jw_obj(&w);
	jw_kstr(&w, "import_id", id);
	jw_kstr(&w, "kind", kind);
	jw_kstr(&w, "path", path);
	jw_kstr(&w, "name", name);
	jw_kstr(&w, "mode", mode);
	jw_kstr(&w, "calendar", req_has(r, "calendar") ? req_str(r, "calendar") : "auto");
	jw_end(&w);
	if ((rc = jobs_submit(c, "import", p.p, job)) == OK)
		rc = import_set_job(c, id, job);
	else {
		import_fail(c, id, "the job could not be queued");
		unlink(path);
	}
	buf_release(&p);
	return rc;
}

int import_api_upload(struct req *r)
{
	struct import_run_info run;
	char id[ID_LEN];
	enum err rc;

	if ((rc = queue(r, id)) != OK || (rc = import_get(&r->c, id, &run)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Location", arena_printf(r->c.arena, "/api/v1/imports/%s", id));
	import_run_json(req_jw(r), &run);
	return req_json(r, 202);
}

int import_api_list(struct req *r)
{
	struct import_run_info *runs;
	int64_t before;
	int n, st, limit = req_limit(r, PAGE_RUNS, 100);
	struct jw *w;
	enum err rc;

	if ((st = req_cursor_or_respond(r, &before)))
		return st;
	if ((rc = import_list(&r->c, before, limit + 1, &runs, &n)) != OK)
		return req_fail(r, rc);
	w = req_list_begin(r);
	for (int i = 0; i < n && i < limit; i++)
		import_run_json(w, &runs[i]);
	return req_list_end(r, w, n > limit ? runs[limit - 1].key : 0);
}

int import_api_get(struct req *r)
{
	struct import_run_info run;
	enum err rc;

	if ((rc = import_get(&r->c, req_param(r, "id"), &run)) != OK)
		return req_fail(r, rc);
	import_run_json(req_jw(r), &run);
	return req_json(r, 200);
}

int import_api_report(struct req *r)
{
	const char *id = req_param(r, "id");
	enum err rc;

	if ((rc = import_report(&r->c, id, REPORT_ROWS_MAX, &r->out)) != OK) {
		buf_reset(&r->out);
		return req_fail(r, rc);
	}
	r->ctype = "text/csv; charset=utf-8";
	req_set_header(r, "Content-Disposition",
		       arena_printf(r->c.arena, "attachment; filename=\"import-%.36s-rejected.csv\"", id));
	return 200;
}

/* ---- the page ---------------------------------------------------------- */

static json_t *run_item(const struct import_run_info *x)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s?, s:s?, s:I, s:I, s:b, s:b}", "id", x->id,
			 "kind", x->kind, "source", x->source, "mode", x->mode, "state", x->state, "read",
			 (json_int_t)x->read, "written", (json_int_t)x->written, "rejected", (json_int_t)x->rejected,
			 "started_at", x->started_at, "finished_at", *x->finished_at ? x->finished_at : NULL,
			 "message", *x->message ? x->message : NULL, "progress", (json_int_t)x->progress, "total",
			 (json_int_t)x->total, "active", !strcmp(x->state, "queued") || !strcmp(x->state, "running"),
			 "failed", !strcmp(x->state, "failed"));
}

int import_page(struct req *r)
{
	struct ctx *c = &r->c;
	struct import_run_info *runs;
	json_t *items = json_array(), *kinds = json_array();
	bool active = false;
	int n;
	enum err rc;

	if ((rc = import_list(c, 0, PAGE_RUNS, &runs, &n)) != OK) {
		json_decref(items);
		json_decref(kinds);
		return req_fail(r, rc);
	}
	for (int i = 0; i < n; i++) {
		json_array_append_new(items, run_item(&runs[i]));
		active |= !strcmp(runs[i].state, "queued") || !strcmp(runs[i].state, "running");
	}
	for (int i = 0; import_kinds[i]; i++)
		json_array_append_new(kinds, json_string(import_kinds[i]));
	return web_page(r, 200, "imports", _("Imports"),
			json_pack("{s:o, s:o, s:b}", "imports", items, "kinds", kinds, "active", active));
}

int import_page_upload(struct req *r)
{
	char id[ID_LEN];
	enum err rc;

	if ((rc = queue(r, id)) != OK)
		return req_fail(r, rc);
	return req_redirect(r, "/imports");
}

/* ---- the job ----------------------------------------------------------- */

static void job_progress(void *arg, int64_t done, int64_t total)
{
	jobs_progress(arg, done, total, "importing");
}

static const char *param(json_t *params, const char *name)
{
	json_t *v = json_object_get(params, name);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The job's import options (mode, calendar, file name). */
static struct import_opts job_opts(json_t *params)
{
	const char *mode = param(params, "mode");

	return (struct import_opts){.dry_run = mode && !strcmp(mode, "dry_run"),
				    .strict = mode && !strcmp(mode, "strict"), .calendar = param(params, "calendar"),
				    .name = param(params, "name"), .import_id = param(params, "import_id")};
}

enum err import_job_abandoned(struct ctx *c, const char *job_id, json_t *params, const char *why)
{
	struct import_opts o = job_opts(params);
	const char *path = param(params, "path");
	enum err rc = OK;

	(void)job_id;
	if (o.import_id)
		rc = import_fail(c, o.import_id, arena_printf(c->arena, "%s; %s", why, o.strict || o.dry_run ?
				 "nothing was written: upload the file again to import it" :
				 "the rows written before stay: upload the file again to complete the import (it "
				 "will not write them twice)"));
	/* Gone even if the recovery is rolled back (and tried again): the
	 * job will not run again. */
	if (path)
		unlink(path);
	return rc;
}

enum err import_job(struct ctx *c, struct job_run *run, json_t *params, struct buf *result)
{
	const char *path = param(params, "path"), *kind = param(params, "kind"), *id = param(params, "import_id");
	struct import_opts o = job_opts(params);
	struct import_result res;
	struct jw w;
	enum err rc;

	if (!path || !kind || !id)
		return ctx_fail(c, ERR_INVALID, NULL, "the job's parameters are incomplete");
	o.progress = job_progress;
	o.arg = run;
	rc = import_run(c, kind, path, &o, &res);
	unlink(path);
	if (rc != OK) {
		import_fail(c, id, c->err.msg);
		return rc;
	}
	jw_init(&w, result);
	jw_obj(&w);
	jw_kstr(&w, "import_id", id);
	jw_kint(&w, "read", res.read);
	jw_kint(&w, "written", res.written);
	jw_kint(&w, "rejected", res.rejected);
	jw_end(&w);
	return OK;
}
