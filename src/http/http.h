/*
 * http.h — the HTTP server: libmicrohttpd in epoll thread-pool mode, a
 * const route table, limits answered at the edge, inputs validated before
 * any handler runs, JSON and HTML responses, gzip, static files, security
 * headers, metrics and the access log.
 *
 * A request flows: limits (431, 413) → route match (404, 405) → body read
 * (bounded) → parse and validate input (400) → gate (the application's
 * hook: who is calling, CSRF, may they — 401, 403) → handler → response.
 * Everything a handler allocates for the request comes from r->c.arena and
 * is freed when the response has been sent.
 *
 * Handlers return the HTTP status; the body is whatever they put in r->out
 * (with r->ctype). Helpers that have already written an error response
 * return its status and end in _or_respond or are named req_error/req_fail.
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "base/buf.h"
#include "base/jw.h"

enum method {
	M_GET = 1 << 0,
	M_HEAD = 1 << 1,
	M_POST = 1 << 2,
	M_PUT = 1 << 3,
	M_PATCH = 1 << 4,
	M_DELETE = 1 << 5,
	M_OPTIONS = 1 << 6,
};

/* Route flags. */
#define R_HTML   (1u << 0)  /* a page: errors are answered as pages */
#define R_QUERY  (1u << 1)  /* input fields come from the query string */
#define R_UPLOAD (1u << 2)  /* the body is an upload (max_upload), streamed to a file */
#define R_NOCSRF (1u << 3)  /* a state change that needs no CSRF token (login) */
#define R_NOLOG  (1u << 4)  /* not in the access log (health probes) */
#define R_NOAPI  (1u << 5)  /* not in the OpenAPI document */

enum field_type { F_STR, F_INT, F_BOOL, F_ENUM, F_ID, F_NUM };

/* One input field, validated before the handler runs. For F_STR min and
 * max bound the length in characters; for F_INT the value. F_ENUM takes
 * one of choices (NULL-terminated). F_ID is a UUID. F_NUM is a decimal
 * number in [min, max], sent as a JSON number or as text; the handler
 * reads it as text (req_str), and "" means "no value" (to clear one). */
struct field {
	const char *name;
	enum field_type type;
	bool required;
	int64_t min, max;
	const char *const *choices;
	const char *doc;
};

struct req;
typedef int (*handler_fn)(struct req *r);

struct route {
	unsigned methods;        /* M_GET | M_HEAD … (GET routes answer HEAD) */
	const char *pattern;     /* "/api/v1/tokens/:id" */
	handler_fn handler;
	int need;                /* what the gate checks (auth's enum action) */
	unsigned flags;
	const struct field *input; /* ends with a field whose name is NULL */
	const char *summary;     /* one line, for the OpenAPI document */
};

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS 16
#define JSON_MAX_DEPTH 32

struct http_server;

struct req {
	struct ctx c;                   /* who, where, store, arena, language */
	struct http_server *srv;
	struct MHD_Connection *conn;
	const struct route *route;      /* NULL until matched */
	unsigned method;
	const char *method_name;
	const char *path;
	const char *params[REQ_MAX_PARAMS]; /* values of the :params, in order */
	struct buf body;                /* the request body, as received */
	json_t *in;                     /* validated input: an object, never NULL */
	void *auth;                     /* the gate's state (session, token) */
	const char *csrf;               /* the session's CSRF token, for forms */
	/* The response. */
	int status;
	const char *ctype;
	struct buf out;
	const char *hdr_name[REQ_MAX_HEADERS];
	const char *hdr_value[REQ_MAX_HEADERS];
	int nhdr;
	uint64_t start_ns;
	bool body_too_large;
	struct upload *upload;          /* R_UPLOAD routes: the file being received */
	bool gated;                     /* the gate has run */
	bool wants_html;                /* answer errors as pages */
};

struct http_config {
	const struct app *app;
	const struct route *routes;
	size_t nroutes;
	/* Decides who is calling and whether they may call this route. Returns
	 * 0 to go on, or the status of the error response it has written. */
	int (*gate)(struct req *r);
	/* Runs after the input is read and validated (the CSRF check): 0 to
	 * go on, or the status of the error response it has written. */
	int (*check)(struct req *r);
	/* Writes an error page for an HTML route (NULL: JSON everywhere). */
	void (*error_page)(struct req *r, int status, const char *code, const char *msg);
};

/* Starts serving on conf->listen with conf->threads threads. */
enum err http_start(const struct http_config *cfg, struct http_server **out, struct errinfo *ei);

/* Makes the JSON values a request's handler builds come from the
 * request's arena, freed with it at once. Called before any JSON value
 * exists (first thing in main): a value is tagged with where it came
 * from, and one made before could not be told apart. */
void http_json_in_arenas(void);

/* json_decref, or nothing when v is in the request's arena. */
void http_json_drop(json_t *v);

/* Stops taking connections, lets in-flight requests finish for up to
 * grace_ms, then stops and frees the server. */
void http_stop(struct http_server *srv, int grace_ms);

/* The port actually listened on (useful with port 0). */
int http_port(const struct http_server *srv);

/* Request accessors. Strings live as long as the request. */
const char *req_param(struct req *r, const char *name);   /* a :param */
const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
const char *req_str(struct req *r, const char *field);    /* validated input */
int64_t req_int(struct req *r, const char *field, int64_t dflt);
bool req_has(struct req *r, const char *field);

/* Response helpers. */
void req_set_header(struct req *r, const char *name, const char *value);
struct jw *req_jw(struct req *r);               /* a writer over r->out */
int req_json(struct req *r, int status);        /* sets the type, returns status */
int req_html(struct req *r, int status);
int req_redirect(struct req *r, const char *location); /* 303 See Other */
int req_no_content(struct req *r);              /* 204 */

/* Writes {"error":{"code","message","field"}} (or an error page on HTML
 * routes) and returns status. field may be NULL. */
int req_error(struct req *r, int status, const char *code, const char *field, const char *msg);

/* Answers the error recorded in r->c.err (or a generic message for e). */
int req_fail(struct req *r, enum err e);

/* Cursor paging: the limit asked for, clamped to [1, max], default dflt. */
int req_limit(struct req *r, int dflt, int max);

/* Handlers the server provides, for the route table. */
int http_healthz(struct req *r);
int http_readyz(struct req *r);
int http_metrics(struct req *r);
int http_static(struct req *r);
int http_openapi(struct req *r);

/* The URL of a static file with its fingerprint ("/static/reach.css?v=…"),
 * which is cached for a year; NULL when there is no such file. */
const char *http_asset_url(const char *name);

/* Counts a finished background job (for /metrics). */
void http_count_job(struct http_server *srv, bool ok);



/* Uploads (R_UPLOAD routes). The body — or, for a multipart form, its
 * file part — is in a temporary file under DATA/tmp; the form's text
 * fields are in the input like any other. The file is removed when the
 * request ends unless req_upload_keep moves it to dest (same file system). */
const char *req_upload_path(struct req *r);
const char *req_upload_name(struct req *r);   /* the client's file name, or NULL */
int64_t req_upload_size(struct req *r);
enum err req_upload_keep(struct req *r, const char *dest);

/* Cursor paging. A cursor is opaque to clients (base64url of the store
 * key to continue from). Reads "cursor" from the input into *key (0 when
 * absent); 0, or the status of the 400 it answered. */
int req_cursor_or_respond(struct req *r, int64_t *key);
/* Writes "next": the cursor for key, or null when key is 0. */
void req_jw_next(struct req *r, struct jw *w, int64_t key);
/* A list answer, {"items": [ … ], "next": cursor-or-null}: begin opens
 * the items array (write each item into the writer it returns); end
 * closes it, writes next (0: the last page) and returns 200. */
struct jw *req_list_begin(struct req *r);
int req_list_end(struct req *r, struct jw *w, int64_t next);
/* The cursor text for key (for links in pages). */
const char *req_cursor_text(struct req *r, int64_t key);

#endif
