/*
 * import_routes.h — imports over HTTP: an upload becomes a background job
 * (the "import" job kind), its run is read back with counts, state and
 * progress, its rejected rows downloaded as CSV; and the /imports page.
 */
#ifndef IMPORT_ROUTES_H
#define IMPORT_ROUTES_H

#include "http/http.h"
#include "jobs/jobs.h"

/* Input fields. */
extern const struct field import_in_upload[];   /* kind, mode, calendar */
extern const struct field import_in_list[];     /* cursor, limit */

/* POST /api/v1/imports?kind=…: the body (or a form's file) is the file;
 * 202 with the run and a Location. */
int import_api_upload(struct req *r);
/* GET /api/v1/imports: the caller's recent runs. */
int import_api_list(struct req *r);
/* GET /api/v1/imports/:id */
int import_api_get(struct req *r);
/* GET /api/v1/imports/:id/report.csv */
int import_api_report(struct req *r);
/* GET /imports and POST /imports (the upload form). */
int import_page(struct req *r);
int import_page_upload(struct req *r);

/* The "import" job: params {import_id, kind, path, name, mode, calendar}. */
enum err import_job(struct ctx *c, struct job_run *run, json_t *params, struct buf *result);
/* An import job that will not run again: its run fails, saying why, and
 * its uploaded file goes. */
enum err import_job_abandoned(struct ctx *c, const char *job_id, json_t *params, const char *why);

#endif
