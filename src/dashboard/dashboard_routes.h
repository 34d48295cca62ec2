/*
 * dashboard_routes.h — the HTTP face of dashboard/: the region tree and
 * region dashboards as pages, their figures as JSON, CSV and XLSX, and the
 * refresh as a background job.
 */
#ifndef DASHBOARD_ROUTES_H
#define DASHBOARD_ROUTES_H

#include "http/http.h"
#include "jobs/jobs.h"

extern const struct field dashboard_in_region[];

/* GET /regions: to the caller's own region, else the top of the tree. */
int dashboard_page_root(struct req *r);
/* GET /regions/:code: the region's dashboard. */
int dashboard_page_region(struct req *r);

/* GET /regions/:code/figures.csv|.xlsx and /regions/:code/regions.csv|.xlsx
 * (its children, one row each). */
int dashboard_figures_csv(struct req *r);
int dashboard_figures_xlsx(struct req *r);
int dashboard_children_csv(struct req *r);
int dashboard_children_xlsx(struct req *r);

/* GET /api/v1/regions/:code/stats: the figures of docs/formats.md. */
int dashboard_api_stats(struct req *r);
/* POST /api/v1/dashboards/refresh: queues a dashboard_refresh job. */
int dashboard_api_refresh(struct req *r);

/* The job "dashboard_refresh": dashboard_refresh with progress; its
 * result says how long each step took. */
enum err dashboard_job_refresh(struct ctx *c, struct job_run *run, json_t *params, struct buf *result);

#endif
