/*
 * jobs.h — background jobs: long work (backups now; imports, linkage,
 * allocation and offline packs later) runs in worker threads, not in a
 * request. A job lives in the store (the jobs table), so any server of a
 * cluster can run it and any can report on it: state (queued, running,
 * done, failed), progress out of total, a message, a JSON result, who
 * started it and when.
 */
#ifndef JOBS_JOBS_H
#define JOBS_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "base/buf.h"
#include "base/id.h"
#include "base/timeutil.h"

struct job {
	char id[ID_LEN];
	char kind[32];
	char state[12];
	int64_t progress, total;
	const char *message;
	const char *params;     /* JSON text */
	const char *result;     /* JSON text, NULL until done */
	char started_by[ID_LEN];
	char created_at[TIME_ISO_LEN], started_at[TIME_ISO_LEN], finished_at[TIME_ISO_LEN];
};

struct job_run;

/* The work of one kind of job. It reports progress with jobs_progress and
 * writes its result (a JSON object) into result. An error fails the job
 * with the message in c->err. */
typedef enum err (*job_fn)(struct ctx *c, struct job_run *run, json_t *params, struct buf *result);

struct job_kind {
	const char *name;
	job_fn fn;
	/* A job of this kind that will not run again (the server stopped
	 * under it as often as a job may be tried): tidies what it left, in
	 * the caller's transaction, which its failure rolls back. May be
	 * NULL. */
	enum err (*abandoned)(struct ctx *c, const char *id, json_t *params, const char *why);
	/* Once this server runs the jobs, before any of them runs: removes
	 * what jobs of this kind stopped in the middle left behind. May be
	 * NULL. */
	void (*tidy)(struct ctx *c);
};

struct jobs;

/* Starts workers threads that run queued jobs of the given kinds (the
 * array ends with a NULL name); NULL when workers is 0. One server at a
 * time runs the jobs of a data directory (a lock beside the store); the
 * others' workers wait, and take over when it stops. Whichever takes the
 * lock first queues again the jobs a stopped server left running, or
 * fails those tried too often. */
struct jobs *jobs_start(const struct app *app, const struct job_kind *kinds, int workers);

/* Lets running jobs finish their current step, then stops the workers. */
void jobs_stop(struct jobs *j);

/* Queues a job. params is a JSON object text. */
enum err jobs_submit(struct ctx *c, const char *kind, const char *params, char id[ID_LEN]);

/* Reads a job: its starter may, and whoever may ACT_JOB_READ_ANY; for
 * anyone else it does not exist (ERR_NOTFOUND). */
enum err jobs_get(struct ctx *c, const char *id, struct job *out);

/* Reports progress; written to the store at most every few hundred ms. */
void jobs_progress(struct job_run *run, int64_t done, int64_t total, const char *message);

/* Called with each finished job (for metrics); may be NULL. */
void jobs_on_finish(struct jobs *j, void (*fn)(void *arg, bool ok), void *arg);

#endif
