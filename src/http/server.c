/*
 * server.c — the libmicrohttpd daemon and the life of one request.
 *
 * libmicrohttpd calls answer() several times per request: first with the
 * headers (we check limits and match the route, answering at once when the
 * request cannot succeed), then with pieces of the body (appended to a
 * bounded buffer), then once more with nothing, when we run the handler.
 * done() runs when the response has gone: it logs, counts and frees.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "http/http_int.h"
#include "store/store.h"
#include "base/banned.h"

#define LISTEN_BACKLOG 1024
/* libmicrohttpd keeps each connection's request line, headers and buffers
 * in one pool that it clears for every request: headers up to max_header
 * must fit (so we, not it, answer 431 with a JSON body), and no more, since
 * every byte of the pool is zeroed on every request. */
#define POOL_SLACK 16384

/* A request id unique across restarts (a random prefix chosen at start)
 * and within a run (a count), made without a system call. */
static void req_id_new(struct http_server *srv, struct req *r)
{
	unsigned long n = atomic_fetch_add(&srv->next_id, 1);

	r->c.req_id = arena_printf(r->c.arena, "%08x%08lx", srv->id_prefix, n & 0xffffffffUL);
}

static const char *client_ip(struct http_server *srv, struct req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char ip[INET6_ADDRSTRLEN] = "";

	if (srv->cfg.app->conf.trust_proxy) {
		const char *xff = req_header(r, "X-Forwarded-For");
		if (xff && *xff) {
			const char *last = strrchr(xff, ',');
			last = last ? last + 1 : xff;
			while (*last == ' ')
				last++;
			if (strlen(last) < sizeof ip)
				return arena_strdup(r->c.arena, last);
		}
	}
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof ip);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof ip);
	}
	return arena_strdup(r->c.arena, ip);
}

static enum MHD_Result add_len(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	size_t *n = cls;
	(void)kind;
	*n += strlen(k) + (v ? strlen(v) : 0) + 4;
	return MHD_YES;
}

/* The path must be text, absolute, and free of ".." segments: anything
 * else is refused here so no handler ever sees it. */
static bool path_ok(const char *p)
{
	if (p[0] != '/' || !utf8_valid(p, strlen(p), NULL))
		return false;
	for (const char *s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return false;
	return !strchr(p, '\\');
}

/* ---- JSON values in the request's arena -------------------------------------- */

/*
 * A page is built from a few hundred JSON values that all die with the
 * request, and malloc and free for each of them were a fifth of a
 * dashboard's time. While the server works on a request (every call for
 * it, from the first to `done`), jansson takes its memory from the
 * request's arena, and freeing such a value does nothing; the arena goes
 * at the end of the request. Each allocation starts with a 16-byte tag
 * saying where it came from (16 keeps jansson's alignment), so a value
 * made outside a request is freed as usual wherever it is freed.
 */
static _Thread_local struct arena *json_arena;

static void *json_take(size_t n)
{
	uint64_t *p;

	if (n > SIZE_MAX - 16)      /* the tag (the arena guards its own sums) */
		return NULL;
	if (json_arena) {
		p = arena_alloc_raw(json_arena, n + 16);
		p[0] = 1;
	} else {
		if (!(p = malloc(n + 16)))
			return NULL;
		p[0] = 0;
	}
	return p + 2;
}

static void json_give(void *v)
{
	uint64_t *p = v;

	if (p && !p[-2])
		free(p - 2);
}

void http_json_in_arenas(void)
{
	json_set_alloc_funcs(json_take, json_give);
}

/* Values for this thread's request go to a (NULL: none). Without the
 * tags (a program that did not ask for them: jansson's allocator is not
 * ours) values are jansson's own, and http_json_drop frees them. */
static void json_use(struct arena *a)
{
	json_malloc_t take;
	json_free_t give;

	json_get_alloc_funcs(&take, &give);
	json_arena = take == json_take ? a : NULL;
}

void http_json_drop(json_t *v)
{
	/* Everything made for this request is in its arena when v is: there
	 * is nothing to free, and walking the tree to say so costs. */
	if (json_arena && (json_is_object(v) || json_is_array(v)) && ((const uint64_t *)v)[-2] == 1)
		return;
	json_decref(v);
}

static struct req *req_new(struct http_server *srv, struct MHD_Connection *conn,
			   const char *url, const char *method)
{
	struct req *r;
	struct arena *a = arena_new();

	json_use(a);
	r = arena_alloc(a, sizeof *r);
	r->c.arena = a;
	r->c.app = srv->cfg.app;
	r->c.lang = "en";
	r->srv = srv;
	r->conn = conn;
	r->start_ns = time_mono_ns();
	r->method = method_parse(method);
	r->method_name = arena_strdup(a, method);
	r->path = arena_strdup(a, url);
	r->in = json_object();
	r->status = 200;
	buf_init(&r->body, (size_t)srv->cfg.app->conf.max_body);
	buf_init(&r->out, BUF_MAX_DEFAULT);
	req_id_new(srv, r);
	r->c.ip = client_ip(srv, r);
	atomic_fetch_add(&srv->m.in_flight, 1);
	return r;
}

/* Who is calling, decided before an upload's body is received, so that
 * nobody unknown or unauthorised can fill the disk. */
static int gate_early(struct http_server *srv, struct req *r)
{
	const struct ctx *c = &r->c;

	if (store_pool_get(srv->cfg.app->pool, &r->c.store) != OK)
		return req_error(r, 503, "unavailable", NULL, _("The store is not available."));
	r->gated = true;
	return srv->cfg.gate ? srv->cfg.gate(r) : 0;
}

/* The first call: everything that can be decided from the headers. */
static int first(struct http_server *srv, struct req *r)
{
	const struct ctx *c = &r->c;
	const struct conf *cf = &srv->cfg.app->conf;
	size_t hlen = strlen(r->path) + strlen(r->method_name) + 12;
	const char *cl;
	unsigned allowed;
	int st;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, add_len, &hlen);
	if ((int64_t)hlen > cf->max_header)
		return req_error(r, 431, "headers_too_large", NULL,
				 _("The request headers are too large."));
	if (!path_ok(r->path))
		return req_error(r, 400, "bad_path", NULL, _("The path is not allowed."));
	if (!r->method)
		return req_error(r, 405, "method_not_allowed", NULL, _("This method is not supported."));
	r->route = route_match(&srv->cfg, r, &allowed);
	if (!r->route) {
		if (!allowed)
			return req_error(r, 404, "not_found", NULL, _("Page not found"));
		struct buf b;
		buf_init(&b, 128);
		for (size_t i = 0; i < 7; i++) {
			static const char *names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
			if (allowed & (1u << i) || (i == 1 && (allowed & M_GET)))
				buf_printf(&b, "%s%s", b.len ? ", " : "", names[i]);
		}
		req_set_header(r, "Allow", b.p);
		buf_release(&b);
		return req_error(r, 405, "method_not_allowed", NULL, _("This method is not allowed here."));
	}
	r->wants_html = (r->route->flags & R_HTML) != 0;
	if (r->route->flags & R_UPLOAD)
		r->body.max = (size_t)cf->max_upload;
	cl = req_header(r, "Content-Length");
	if (cl) {
		int64_t n;
		if (conf_parse_int(cl, 0, INT64_MAX, &n) != OK)
			return req_error(r, 400, "bad_length", NULL, _("The Content-Length is not a number."));
		if ((uint64_t)n > r->body.max)
			return req_error(r, 413, "too_large", NULL, _("The request is too large."));
	}
	if (!(r->route->flags & R_UPLOAD))
		return 0;
	if ((st = gate_early(srv, r)))
		return st;
	return upload_begin(r, arena_printf(r->c.arena, "%s/tmp", cf->data));
}

/* The last call: input, gate, handler. */
static int run(struct http_server *srv, struct req *r)
{
	const struct ctx *c = &r->c;
	int st;

	if (r->body_too_large)
		return req_error(r, 413, "too_large", NULL, _("The request is too large."));
	if ((st = upload_finish_or_respond(r)))
		return st;
	if (store_pool_get(srv->cfg.app->pool, &r->c.store) != OK)
		return req_error(r, 503, "unavailable", NULL, _("The store is not available."));
	if (!r->gated && srv->cfg.gate && (st = srv->cfg.gate(r)))
		return st;
	if ((st = route_input_or_respond(r)))
		return st;
	if (srv->cfg.check && (st = srv->cfg.check(r)))
		return st;
	return r->route->handler(r);
}

static enum MHD_Result step(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			    const char *upload, size_t *upload_size, void **con_cls)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;
	int st;

	if (!r) {
		r = req_new(srv, conn, url, method);
		*con_cls = r;
		if ((st = first(srv, r))) {
			r->status = st;
			return resp_send(r);
		}
		return MHD_YES;
	}
	if (*upload_size && r->upload) {
		upload_feed(r, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->body_too_large) {
			buf_add(&r->body, upload, *upload_size);
			if (r->body.err) {
				r->body_too_large = true;
				buf_release(&r->body);
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->status != 200 || r->out.len) /* already answered in first() */
		return MHD_YES;
	r->status = run(srv, r);
	return resp_send(r);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	const struct req *r = *con_cls;
	enum MHD_Result res;

	(void)version;
	json_use(r ? r->c.arena : NULL);   /* req_new sets it for a new one */
	res = step(cls, conn, url, method, upload, upload_size, con_cls);
	json_arena = NULL;
	return res;
}

static void done(void *cls, struct MHD_Connection *conn, void **con_cls,
		 enum MHD_RequestTerminationCode toe)
{
	struct http_server *srv = cls;
	struct req *r = *con_cls;
	uint64_t ns;

	(void)conn;
	(void)toe;
	if (!r)
		return;
	ns = time_mono_ns() - r->start_ns;
	metrics_count(srv, r, ns);
	if (!r->route || !(r->route->flags & R_NOLOG)) {
		struct buf b;
		struct jw w;
		buf_init(&b, 8192);
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "method", r->method_name);
		jw_kstr(&w, "path", r->path);
		jw_kstr(&w, "route", r->route ? r->route->pattern : NULL);
		jw_kint(&w, "status", r->status);
		jw_kint(&w, "bytes", (int64_t)r->out.len);
		jw_key(&w, "ms");
		jw_num(&w, (double)(ns / 1000) / 1000.0);
		jw_kstr(&w, "ip", r->c.ip);
		if (r->c.user_login)
			jw_kstr(&w, "user", r->c.user_login);
		jw_end(&w);
		buf_truncate(&b, b.len - 1); /* the fields, without their braces */
		log_fields(LOG_INFO, r->c.req_id, "access", b.p + 1);
		buf_release(&b);
	}
	atomic_fetch_sub(&srv->m.in_flight, 1);
	upload_cleanup(r);
	json_use(r->c.arena);
	http_json_drop(r->in);
	buf_release(&r->body);
	buf_release(&r->out);
	arena_free(r->c.arena);
	json_arena = NULL;
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_msg(LOG_WARN, NULL, "http: %s", msg);
}

/* libmicrohttpd decodes %XX in the path and the query before we see them.
 * A %00 would become a NUL that ends the text early wherever C reads it
 * ("/healthz%00.css" read as "/healthz"), so it is turned into a byte that
 * is never UTF-8, which the path and query checks refuse. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	size_t n = MHD_http_unescape(s);

	(void)cls;
	(void)conn;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\0')
			s[i] = (char)0xff;
	return n;
}

static enum err parse_listen(const char *listen, struct sockaddr_in *sa, struct errinfo *ei)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	int64_t port;

	if (!colon || (size_t)(colon - listen) >= sizeof host ||
	    conf_parse_int(colon + 1, 0, 65535, &port) != OK)
		return err_set(ei, ERR_INVALID, "listen", "listen: '%s' is not HOST:PORT", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (!*host || !strcmp(host, "*"))
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (!strcmp(host, "localhost"))
		sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return err_set(ei, ERR_INVALID, "listen", "listen: '%s' is not an IPv4 address", host);
	return OK;
}

enum err http_start(const struct http_config *cfg, struct http_server **out, struct errinfo *ei)
{
	const struct conf *cf = &cfg->app->conf;
	struct http_server *srv = xcalloc(1, sizeof *srv);
	struct sockaddr_in sa;
	unsigned threads = cf->threads > 0 ? (unsigned)cf->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
	const union MHD_DaemonInfo *di;
	enum err rc;

	if ((rc = parse_listen(cf->listen, &sa, ei)) != OK) {
		free(srv);
		return rc;
	}
	srv->cfg = *cfg;
	srv->id_prefix = randombytes_random();
	metrics_init(&srv->m, cfg->nroutes);
	static_init();
	srv->d = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO,
		0, NULL, NULL, answer, srv,
		/* First, so that libmicrohttpd reports nothing through its own. */
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 1u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cf->max_header + POOL_SLACK,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cf->conn_timeout,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cf->per_ip_connections,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)LISTEN_BACKLOG,
		MHD_OPTION_NOTIFY_COMPLETED, done, srv,
		MHD_OPTION_END);
	if (!srv->d) {
		metrics_free(&srv->m);
		free(srv);
		return err_set(ei, ERR_IO, "listen", "cannot listen on %s (is the port in use?)", cf->listen);
	}
	di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = di ? di->port : ntohs(sa.sin_port);
	log_msg(LOG_INFO, NULL, "serving on %s with %u threads", cf->listen, threads);
	*out = srv;
	return OK;
}

int http_port(const struct http_server *srv)
{
	return srv->port;
}

void http_stop(struct http_server *srv, int grace_ms)
{
	int waited = 0;

	if (!srv)
		return;
	/* Stop accepting, then let what is in flight finish. */
	MHD_socket fd = MHD_quiesce_daemon(srv->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&srv->m.in_flight) > 0 && waited < grace_ms) {
		usleep(10000);
		waited += 10;
	}
	MHD_stop_daemon(srv->d);
	metrics_free(&srv->m);
	free(srv);
}

void http_count_job(struct http_server *srv, bool ok)
{
	atomic_fetch_add(ok ? &srv->m.jobs_ok : &srv->m.jobs_failed, 1);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	return v && utf8_valid(v, strlen(v), NULL) ? v : NULL;
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_str(struct req *r, const char *field)
{
	return json_string_value(json_object_get(r->in, field));
}

int64_t req_int(struct req *r, const char *field, int64_t dflt)
{
	json_t *v = json_object_get(r->in, field);
	int64_t x;

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v) && conf_parse_int(json_string_value(v), INT64_MIN, INT64_MAX, &x) == OK)
		return x;
	return dflt;
}

bool req_has(struct req *r, const char *field)
{
	return json_object_get(r->in, field) != NULL;
}
