/*
 * http_int.h — what the files of http/ share and nobody else sees.
 */
#ifndef HTTP_INT_H
#define HTTP_INT_H

#include <microhttpd.h>
#include <stdatomic.h>

#include "http/http.h"

/* Statuses counted one by one in /metrics; others fall in "other". */
#define METRIC_STATUSES 22
#define METRIC_BUCKETS 12

struct metrics {
	/* [route index (nroutes = unmatched)][status slot] */
	atomic_ulong *requests;
	atomic_ulong buckets[METRIC_BUCKETS + 1];  /* last is +Inf */
	atomic_ulong latency_us_sum;
	atomic_ulong count;
	atomic_ulong jobs_ok, jobs_failed;
	atomic_long in_flight;
};

struct http_server {
	struct http_config cfg;
	struct MHD_Daemon *d;
	struct metrics m;
	int port;
	uint32_t id_prefix;          /* random, per server start */
	atomic_ulong next_id;        /* request ids: prefix and a count */
};

/* route.c */
const struct route *route_match(const struct http_config *cfg, struct req *r, unsigned *allowed);
int route_input_or_respond(struct req *r);
int route_index(const struct http_config *cfg, const struct route *rt);
unsigned method_parse(const char *m);

/* resp.c */
enum MHD_Result resp_send(struct req *r);

/* metrics.c */
void metrics_init(struct metrics *m, size_t nroutes);
void metrics_free(struct metrics *m);
void metrics_count(struct http_server *srv, struct req *r, uint64_t ns);

/* upload.c */
int upload_begin(struct req *r, const char *tmpdir);
void upload_feed(struct req *r, const char *data, size_t n);
int upload_finish_or_respond(struct req *r);
void upload_cleanup(struct req *r);

/* static.c */
void static_init(void);
int static_gzip(const char *name, const char **data, size_t *len);

#endif
