/*
 * metrics.c — /metrics in the Prometheus text format: requests by route
 * and status, a latency histogram, store errors, jobs, connections.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "http/http_int.h"
#include "store/store.h"
#include "base/banned.h"

static const int statuses[METRIC_STATUSES] = {
	200, 201, 204, 301, 303, 304, 400, 401, 403, 404, 405,
	409, 413, 415, 422, 429, 431, 500, 503, 302, 206, 0 /* other */
};

/* Upper bounds of the latency buckets, in microseconds. */
static const unsigned long bounds_us[METRIC_BUCKETS] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 5000000
};

void metrics_init(struct metrics *m, size_t nroutes)
{
	memset(m, 0, sizeof *m);
	m->requests = xcalloc((nroutes + 1) * METRIC_STATUSES, sizeof *m->requests);
}

void metrics_free(struct metrics *m)
{
	free(m->requests);
	m->requests = NULL;
}

static int status_slot(int status)
{
	for (int i = 0; i < METRIC_STATUSES - 1; i++)
		if (statuses[i] == status)
			return i;
	return METRIC_STATUSES - 1;
}

void metrics_count(struct http_server *srv, struct req *r, uint64_t ns)
{
	struct metrics *m = &srv->m;
	int ri = route_index(&srv->cfg, r->route);
	unsigned long us = (unsigned long)(ns / 1000);
	int b = 0;

	atomic_fetch_add(&m->requests[ri * METRIC_STATUSES + status_slot(r->status)], 1);
	while (b < METRIC_BUCKETS && us > bounds_us[b])
		b++;
	atomic_fetch_add(&m->buckets[b], 1);
	atomic_fetch_add(&m->latency_us_sum, us);
	atomic_fetch_add(&m->count, 1);
}

int http_metrics(struct req *r)
{
	struct http_server *srv = r->srv;
	struct metrics *m = &srv->m;
	struct buf *o = &r->out;
	unsigned long cum = 0;

	buf_puts(o, "# HELP reach_http_requests_total HTTP requests answered, by route and status.\n"
		    "# TYPE reach_http_requests_total counter\n");
	for (size_t ri = 0; ri <= srv->cfg.nroutes; ri++)
		for (int si = 0; si < METRIC_STATUSES; si++) {
			unsigned long n = atomic_load(&m->requests[ri * METRIC_STATUSES + si]);
			if (!n)
				continue;
			buf_printf(o, "reach_http_requests_total{route=\"%s\",status=\"",
				   ri < srv->cfg.nroutes ? srv->cfg.routes[ri].pattern : "unmatched");
			if (statuses[si])
				buf_printf(o, "%d\"} %lu\n", statuses[si], n);
			else
				buf_printf(o, "other\"} %lu\n", n);
		}
	buf_puts(o, "# HELP reach_http_request_duration_seconds Time from request to response.\n"
		    "# TYPE reach_http_request_duration_seconds histogram\n");
	for (int b = 0; b <= METRIC_BUCKETS; b++) {
		cum += atomic_load(&m->buckets[b]);
		if (b < METRIC_BUCKETS)
			buf_printf(o, "reach_http_request_duration_seconds_bucket{le=\"%g\"} %lu\n",
				   (double)bounds_us[b] / 1e6, cum);
		else
			buf_printf(o, "reach_http_request_duration_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
	}
	buf_printf(o, "reach_http_request_duration_seconds_sum %.6f\n",
		   (double)atomic_load(&m->latency_us_sum) / 1e6);
	buf_printf(o, "reach_http_request_duration_seconds_count %lu\n", atomic_load(&m->count));
	buf_printf(o, "# HELP reach_http_in_flight Requests being answered now.\n"
		      "# TYPE reach_http_in_flight gauge\nreach_http_in_flight %ld\n",
		   atomic_load(&m->in_flight));
	buf_printf(o, "# HELP reach_store_errors_total Store engine errors.\n"
		      "# TYPE reach_store_errors_total counter\nreach_store_errors_total %llu\n",
		   (unsigned long long)store_error_count());
	buf_printf(o, "# HELP reach_jobs_total Background jobs finished, by outcome.\n"
		      "# TYPE reach_jobs_total counter\n"
		      "reach_jobs_total{state=\"done\"} %lu\nreach_jobs_total{state=\"failed\"} %lu\n",
		   atomic_load(&m->jobs_ok), atomic_load(&m->jobs_failed));
	r->ctype = "text/plain; version=0.0.4; charset=utf-8";
	return 200;
}

int http_healthz(struct req *r)
{
	/* Alive: answers without touching the store. The body is constant so
	 * this is the cheapest JSON the server makes. */
	buf_puts(&r->out, "{\"status\":\"ok\"}");
	return req_json(r, 200);
}

int http_readyz(struct req *r)
{
	if (store_ping(r->c.store) != OK) {
		buf_puts(&r->out, "{\"status\":\"unavailable\",\"store\":\"unreachable\"}");
		return req_json(r, 503);
	}
	buf_printf(&r->out, "{\"status\":\"ok\",\"store\":\"ok\",\"schema\":%d}", store_version(r->c.store));
	return req_json(r, 200);
}
