/*
 * jobs.c — the jobs table and its workers.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "jobs/jobs.h"
#include "store/store.h"
#include "base/banned.h"

#define PROGRESS_WRITE_MS 500
#define IDLE_POLL_MS 1000
#define JOB_ATTEMPTS 2      /* a job the server stopped under is run once more */
#define JOBS_LOCK "reach.jobs"

static const char SQL_JOB_ADD[] =
	"INSERT INTO jobs (id, kind, state, params, started_by, created_at, updated_at, seq) "
	"VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?5, ?6)";
static const char SQL_JOB_GET[] =
	"SELECT id, kind, state, progress, total, message, params, result, COALESCE(started_by, ''), created_at, "
	"COALESCE(started_at, ''), COALESCE(finished_at, '') FROM jobs WHERE id = ?1";
static const char SQL_JOB_CLAIM[] =
	"UPDATE jobs SET state = 'running', started_at = ?1, updated_at = ?1, attempts = attempts + 1 "
	"WHERE uid = (SELECT uid FROM jobs WHERE state = 'queued' ORDER BY uid LIMIT 1) "
	"RETURNING id, kind, params, COALESCE(started_by, '')";
static const char SQL_JOB_PROGRESS[] =
	"UPDATE jobs SET progress = ?2, total = ?3, message = ?4, updated_at = ?5 WHERE id = ?1";
static const char SQL_JOB_FINISH[] =
	"UPDATE jobs SET state = ?2, message = ?3, result = ?4, finished_at = ?5, updated_at = ?5, seq = ?6 "
	"WHERE id = ?1";

/* Jobs a server left running when it stopped: tried again, or failed. */
static const char SQL_JOB_AGAIN[] =
	"UPDATE jobs SET state = 'queued', updated_at = ?1, seq = ?2 WHERE state = 'running' AND attempts < ?3 "
	"RETURNING id, kind";
static const char SQL_JOB_ABANDON[] =
	"UPDATE jobs SET state = 'failed', message = ?3, finished_at = ?1, updated_at = ?1, seq = ?2 "
	"WHERE state = 'running' RETURNING id, kind, params";

struct job_run {
	struct ctx *c;
	char id[ID_LEN];
	int64_t last_ms;
};

struct jobs {
	const struct app *app;
	int lock_fd;            /* JOBS_LOCK, open; held once locked is true */
	bool locked;            /* this server runs the jobs */
	bool recovered;         /* the jobs a stopped server left are seen to */
	const struct job_kind *kinds;
	pthread_t *threads;
	int n;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	void (*on_finish)(void *arg, bool ok);
	void *arg;
};

enum err jobs_submit(struct ctx *c, const char *kind, const char *params, char id[ID_LEN])
{
	const struct user *u = c->user;
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	id_new(id);
	time_now_iso(now);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK ||
	    (rc = store_exec(c->store, SQL_JOB_ADD, "ttttti", id, kind, params ? params : "{}",
			     u ? u->id : NULL, now, seq)) != OK ||
	    (rc = auth_audit(c, "job.submit", "job", id, NULL)) != OK ||
	    (rc = store_commit(c->store)) != OK) {
		store_rollback(c->store);
		return rc;
	}
	if (c->app->jobs) {
		struct jobs *j = c->app->jobs;
		pthread_mutex_lock(&j->lock);
		pthread_cond_signal(&j->wake);
		pthread_mutex_unlock(&j->lock);
	}
	return OK;
}

static const char *copy(struct ctx *c, const char *s)
{
	return s ? arena_strdup(c->arena, s) : NULL;
}

enum err jobs_get(struct ctx *c, const char *id, struct job *j)
{
	const struct user *u = c->user;
	struct stmt *st;
	bool found;
	enum err rc;

	if ((rc = store_query(c->store, &st, SQL_JOB_GET, "t", id)) != OK)
		return rc;
	if ((found = store_next(st))) {
		memset(j, 0, sizeof *j);
		snprintf(j->id, sizeof j->id, "%s", store_text(st, 0));
		snprintf(j->kind, sizeof j->kind, "%s", store_text(st, 1));
		snprintf(j->state, sizeof j->state, "%s", store_text(st, 2));
		j->progress = store_int(st, 3);
		j->total = store_int(st, 4);
		j->message = copy(c, store_text(st, 5));
		j->params = copy(c, store_text(st, 6));
		j->result = copy(c, store_text(st, 7));
		snprintf(j->started_by, sizeof j->started_by, "%s", store_text(st, 8));
		snprintf(j->created_at, sizeof j->created_at, "%s", store_text(st, 9));
		snprintf(j->started_at, sizeof j->started_at, "%s", store_text(st, 10));
		snprintf(j->finished_at, sizeof j->finished_at, "%s", store_text(st, 11));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	if (!found || !u || (strcmp(j->started_by, u->id) != 0 && !auth_can(u, ACT_JOB_READ_ANY, NULL)))
		return ctx_fail(c, ERR_NOTFOUND, "id", "%s", _("There is no such job."));
	return OK;
}

void jobs_progress(struct job_run *run, int64_t done, int64_t total, const char *message)
{
	int64_t now = time_now_ms();
	char iso[TIME_ISO_LEN];

	if (now - run->last_ms < PROGRESS_WRITE_MS && done < total)
		return;
	run->last_ms = now;
	time_iso(now, iso);
	/* Progress is advisory: a busy store costs a report, not the job. */
	store_exec(run->c->store, SQL_JOB_PROGRESS, "tiitt", run->id, done, total, message ? message : "", iso);
}

static bool finish(struct ctx *c, const char *id, enum err rc, const char *result)
{
	char now[TIME_ISO_LEN];
	int64_t seq = 0;
	bool ok = rc == OK;

	time_now_iso(now);
	if (store_begin(c->store) != OK)
		return ok;
	if (store_seq_next(c->store, &seq) != OK ||
	    store_exec(c->store, SQL_JOB_FINISH, "ttttti", id, ok ? "done" : "failed",
		       ok ? "" : (c->err.msg[0] ? c->err.msg : err_name(rc)), ok ? result : NULL, now, seq) != OK ||
	    store_commit(c->store) != OK)
		store_rollback(c->store);
	log_msg(ok ? LOG_INFO : LOG_WARN, id, "job %s: %s", ok ? "done" : "failed", ok ? "" : c->err.msg);
	return ok;
}

/* The kind called name, or the list's end (its name NULL). */
static const struct job_kind *kind_named(const struct job_kind *kinds, const char *name)
{
	while (kinds->name && strcmp(kinds->name, name) != 0)
		kinds++;
	return kinds;
}

/* Claims the oldest queued job and runs it in c's thread. */
static bool run_one(struct ctx *c, const struct job_kind *kinds, bool *ok)
{
	char now[TIME_ISO_LEN], kind[32] = "", started_by[ID_LEN] = "";
	struct job_run run = {c, "", 0};
	struct user starter;
	const struct job_kind *k;
	struct stmt *st;
	struct buf result;
	json_t *params = NULL;
	bool found;
	enum err rc;

	time_now_iso(now);
	if (store_query(c->store, &st, SQL_JOB_CLAIM, "t", now) != OK)
		return false;
	if ((found = store_next(st))) {
		snprintf(run.id, sizeof run.id, "%s", store_text(st, 0));
		snprintf(kind, sizeof kind, "%s", store_text(st, 1));
		params = json_loads(store_text(st, 2), 0, NULL);
		snprintf(started_by, sizeof started_by, "%s", store_text(st, 3));
	}
	if (store_done(st) != OK || !found) {
		json_decref(params);
		return false;
	}
	c->req_id = run.id;
	c->user = NULL;
	if (started_by[0] && auth_user_get(c, started_by, &starter) == OK)
		c->user = &starter;
	err_clear(&c->err);
	k = kind_named(kinds, kind);
	buf_init(&result, BUF_MAX_DEFAULT);
	if (!k->name)
		rc = ctx_fail(c, ERR_INVALID, NULL, "no worker knows jobs of kind '%s'", kind);
	else
		rc = k->fn(c, &run, params ? params : json_object(), &result);
	*ok = finish(c, run.id, rc, result.len ? result.p : "{}");
	buf_release(&result);
	json_decref(params);
	c->user = NULL;
	return true;
}

static bool ours(struct jobs *j);

static void *worker(void *arg)
{
	struct jobs *j = arg;

	for (;;) {
		struct arena *a = arena_new();
		struct ctx c = {.app = j->app, .arena = a, .ip = "", .lang = "en"};
		bool ran = false, ok = false;

		if (ours(j) && store_pool_get(j->app->pool, &c.store) == OK)
			ran = run_one(&c, j->kinds, &ok);
		arena_free(a);
		if (ran && j->on_finish)
			j->on_finish(j->arg, ok);
		pthread_mutex_lock(&j->lock);
		if (!j->stopping && !ran) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += IDLE_POLL_MS / 1000;
			pthread_cond_timedwait(&j->wake, &j->lock, &ts);
		}
		bool stop = j->stopping;
		pthread_mutex_unlock(&j->lock);
		if (stop)
			return NULL;
	}
}

/* A job the recovery failed, for its kind to tidy up after. */
struct abandoned {
	const struct job_kind *k;
	const char *id;
	json_t *params;
};

/*
 * The jobs a server left 'running' when it stopped: only the one server
 * that holds JOBS_LOCK runs jobs, so when it starts, no one runs them.
 * Each is queued again (every kind may run twice: an import completes
 * without duplicates), or, once it has been tried JOB_ATTEMPTS times,
 * failed, and its kind's abandoned hook tidies what it left.
 */
static bool recover(struct jobs *j)
{
	static const char msg[] = "the server stopped while this job was running, each time it was tried";
	struct arena *a = arena_new();
	struct ctx c = {.app = j->app, .arena = a, .ip = "", .lang = "en"};
	struct abandoned *gone = NULL;
	char now[TIME_ISO_LEN];
	struct stmt *st;
	int64_t seq;
	int n = 0;
	enum err rc;

	time_now_iso(now);
	if ((rc = store_pool_get(j->app->pool, &c.store)) != OK || (rc = store_begin(c.store)) != OK ||
	    (rc = store_seq_next(c.store, &seq)) != OK ||
	    (rc = store_query(c.store, &st, SQL_JOB_AGAIN, "tii", now, seq, (int64_t)JOB_ATTEMPTS)) != OK)
		goto out;
	while (store_next(st))
		log_msg(LOG_WARN, store_text(st, 0), "job %s: the server stopped while it ran; queued again",
			store_text(st, 1));
	if ((rc = store_done(st)) != OK || (rc = store_query(c.store, &st, SQL_JOB_ABANDON, "tit", now, seq, msg)) != OK)
		goto out;
	while (store_next(st)) {
		const struct job_kind *k = kind_named(j->kinds, store_text(st, 1));
		log_msg(LOG_WARN, store_text(st, 0), "job %s: failed (%s)", store_text(st, 1), msg);
		if (!k->abandoned)
			continue;
		gone = xrealloc(gone, sizeof *gone * (size_t)(n + 1));
		gone[n++] = (struct abandoned){k, arena_strdup(a, store_text(st, 0)),
					       json_loads(store_text(st, 2), 0, NULL)};
	}
	if ((rc = store_done(st)) != OK)
		goto out;
	for (int i = 0; i < n && rc == OK; i++) {
		if (!gone[i].params)
			gone[i].params = json_object();
		rc = gone[i].k->abandoned(&c, gone[i].id, gone[i].params, msg);
	}
	if (rc == OK)
		rc = store_commit(c.store);
	/* No job runs yet: what a stopped one was writing is not in use. */
	for (const struct job_kind *k = j->kinds; rc == OK && k->name; k++)
		if (k->tidy)
			k->tidy(&c);
out:
	if (rc != OK) {
		if (c.store)
			store_rollback(c.store);
		log_msg(LOG_WARN, NULL, "jobs: the jobs left running could not be seen to yet (%s); trying again",
			err_name(rc));
	}
	for (int i = 0; i < n; i++)
		json_decref(gone[i].params);
	free(gone);
	arena_free(a);
	return rc == OK;
}

/*
 * Whether this server runs the jobs: it does once it holds JOBS_LOCK
 * (tried again at every idle poll, so a server takes over when the one
 * that held it stops) and has seen to the jobs left running (tried
 * again until the store lets it).
 */
static bool ours(struct jobs *j)
{
	bool yes;

	pthread_mutex_lock(&j->lock);
	if (!j->locked && flock(j->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		j->locked = true;
		log_msg(LOG_INFO, NULL, "jobs: this server runs the jobs of %s", j->app->conf.data);
	}
	if (j->locked && !j->recovered)
		j->recovered = recover(j);
	yes = j->locked && j->recovered;
	pthread_mutex_unlock(&j->lock);
	return yes;
}

struct jobs *jobs_start(const struct app *app, const struct job_kind *kinds, int workers)
{
	char path[1100];
	struct jobs *j;
	int fd;

	if (workers <= 0)
		return NULL;
	snprintf(path, sizeof path, "%s/" JOBS_LOCK, app->conf.data);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		log_msg(LOG_ERROR, NULL, "jobs: cannot open %s: %s; this server runs no jobs", path, strerror(errno));
		return NULL;
	}
	j = xcalloc(1, sizeof *j);
	j->lock_fd = fd;
	j->app = app;
	j->kinds = kinds;
	j->n = workers;
	j->threads = xcalloc((size_t)workers, sizeof *j->threads);
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->wake, NULL);
	if (!ours(j) && !j->locked)
		log_msg(LOG_INFO, NULL, "jobs: another server runs the jobs of %s; this one takes over when it stops",
			app->conf.data);
	for (int i = 0; i < workers; i++)
		if (pthread_create(&j->threads[i], NULL, worker, j) != 0)
			BUG("cannot start a job worker");
	return j;
}

void jobs_on_finish(struct jobs *j, void (*fn)(void *arg, bool ok), void *arg)
{
	if (!j)
		return;
	j->on_finish = fn;
	j->arg = arg;
}

void jobs_stop(struct jobs *j)
{
	if (!j)
		return;
	pthread_mutex_lock(&j->lock);
	j->stopping = true;
	pthread_cond_broadcast(&j->wake);
	pthread_mutex_unlock(&j->lock);
	for (int i = 0; i < j->n; i++)
		pthread_join(j->threads[i], NULL);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->wake);
	free(j->threads);
	close(j->lock_fd);
	free(j);
}
