/*
 * jobs_routes.h — the HTTP face of jobs/, and the kinds of job this
 * program runs.
 */
#ifndef JOBS_ROUTES_H
#define JOBS_ROUTES_H

#include "http/http.h"
#include "jobs/jobs.h"

/* GET /api/v1/jobs/:id */
int jobs_api_get(struct req *r);
/* POST /api/v1/backups: queues a backup into DATA/backups/. */
int jobs_api_backup(struct req *r);

/* A consistent copy of the store into DATA/backups/reach-<time>.db. */
enum err jobs_backup(struct ctx *c, struct job_run *run, json_t *params, struct buf *result);

/* Every kind of job, for the workers (ends with a NULL name). */
extern const struct job_kind jobs_kinds[];

#endif
