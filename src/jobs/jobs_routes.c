/*
 * jobs_routes.c — reading a job over HTTP, and the backup job.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/log.h"
#include "dashboard/dashboard_routes.h"
#include "import/import_routes.h"
#include "jobs/jobs.h"
#include "jobs/jobs_routes.h"
#include "store/store.h"
#include "base/banned.h"

static void job_json(struct jw *w, const struct job *j)
{
	jw_obj(w);
	jw_kstr(w, "id", j->id);
	jw_kstr(w, "kind", j->kind);
	jw_kstr(w, "state", j->state);
	jw_kint(w, "progress", j->progress);
	jw_kint(w, "total", j->total);
	jw_kstr(w, "message", j->message);
	jw_key(w, "result");
	if (j->result)
		jw_raw(w, j->result);
	else
		jw_null(w);
	jw_key(w, "started_by");
	jw_str(w, j->started_by[0] ? j->started_by : NULL);
	jw_kstr(w, "created_at", j->created_at);
	jw_key(w, "started_at");
	jw_str(w, j->started_at[0] ? j->started_at : NULL);
	jw_key(w, "finished_at");
	jw_str(w, j->finished_at[0] ? j->finished_at : NULL);
	jw_end(w);
}

int jobs_api_get(struct req *r)
{
	struct job j;
	enum err rc;

	if ((rc = jobs_get(&r->c, req_param(r, "id"), &j)) != OK)
		return req_fail(r, rc);
	job_json(req_jw(r), &j);
	return req_json(r, 200);
}

int jobs_api_backup(struct req *r)
{
	char id[ID_LEN];
	struct job j;
	enum err rc;

	if ((rc = jobs_submit(&r->c, "backup", "{}", id)) != OK || (rc = jobs_get(&r->c, id, &j)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Location", arena_printf(r->c.arena, "/api/v1/jobs/%s", id));
	job_json(req_jw(r), &j);
	return req_json(r, 202);
}

static void backup_progress(void *arg, int64_t done, int64_t total)
{
	jobs_progress(arg, done, total, "copying pages");
}

/* Removes the half files of backups stopped in the middle (called before
 * any job runs, so none is being written). */
static void backup_tidy(struct ctx *c)
{
	static const char suffix[] = ".db.partial";
	const char *dir = arena_printf(c->arena, "%s/backups", c->app->conf.data);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "reach-", 6) != 0 || n < sizeof suffix ||
		    strcmp(e->d_name + n - (sizeof suffix - 1), suffix) != 0)
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			log_msg(LOG_INFO, c->req_id, "backup: removed %s/%s, left by a backup that was stopped", dir,
				e->d_name);
	}
	if (d)
		closedir(d);
}

enum err jobs_backup(struct ctx *c, struct job_run *run, json_t *params, struct buf *result)
{
	char dir[CONF_STR_MAX + 16], stamp[TIME_ISO_LEN], *path;
	struct jw w;
	struct stat sb;
	enum err rc;

	(void)params;
	snprintf(dir, sizeof dir, "%s/backups", c->app->conf.data);
	if (mkdir(dir, 0750) != 0 && stat(dir, &sb) != 0)
		return ctx_fail(c, ERR_IO, NULL, "cannot create %s", dir);
	time_now_iso(stamp);
	for (char *p = stamp; *p; p++)
		if (*p == ':' || *p == '.')
			*p = '-';
	path = arena_printf(c->arena, "%s/reach-%s.db", dir, stamp);
	if ((rc = store_backup(c->store, path, backup_progress, run, &c->err)) != OK)
		return rc;
	stat(path, &sb);
	jw_init(&w, result);
	jw_obj(&w);
	jw_kstr(&w, "path", path);
	jw_kint(&w, "bytes", (int64_t)sb.st_size);
	jw_end(&w);
	return OK;
}

const struct job_kind jobs_kinds[] = {
	{"backup", jobs_backup, NULL, backup_tidy},
	{"import", import_job, import_job_abandoned, NULL},
	{"dashboard_refresh", dashboard_job_refresh, NULL, NULL},
	{NULL, NULL, NULL, NULL},
};
