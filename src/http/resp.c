/*
 * resp.c — building and sending responses: JSON and HTML bodies, errors,
 * security headers on every response, gzip when the client takes it.
 */
#include <string.h>
#include <sodium.h>
#include <stdio.h>
#include <zlib.h>

#include "base/arena.h"
#include "base/log.h"
#include "http/http_int.h"
#include "base/banned.h"

#define GZIP_MIN 860   /* below this, gzip's header costs more than it saves */

/* The policy forbids inline script and style everywhere: pages use only
 * files from static/. */
static const char *const security_headers[][2] = {
	{"Content-Security-Policy",
	 "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	 "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "same-origin"},
	{"X-Frame-Options", "DENY"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

void req_set_header(struct req *r, const char *name, const char *value)
{
	if (r->nhdr >= REQ_MAX_HEADERS)
		BUG("too many response headers");
	r->hdr_name[r->nhdr] = name;
	r->hdr_value[r->nhdr] = arena_strdup(r->c.arena, value);
	r->nhdr++;
}

struct jw *req_jw(struct req *r)
{
	struct jw *w = arena_alloc(r->c.arena, sizeof *w);
	jw_init(w, &r->out);
	return w;
}

int req_json(struct req *r, int status)
{
	r->ctype = "application/json";
	return status;
}

int req_html(struct req *r, int status)
{
	r->ctype = "text/html; charset=utf-8";
	return status;
}

int req_redirect(struct req *r, const char *location)
{
	/* Only paths on this site: never an open redirect. */
	if (!location || location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	req_set_header(r, "Location", location);
	buf_reset(&r->out);
	return 303;
}

int req_no_content(struct req *r)
{
	buf_reset(&r->out);
	return 204;
}

int req_error(struct req *r, int status, const char *code, const char *field, const char *msg)
{
	struct jw w;

	buf_reset(&r->out);
	if (r->wants_html && r->srv && r->srv->cfg.error_page) {
		r->srv->cfg.error_page(r, status, code, msg);
		if (!r->out.err)
			return req_html(r, status);
		buf_reset(&r->out);
	}
	jw_init(&w, &r->out);
	jw_obj(&w);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kstr(&w, "code", code);
	jw_kstr(&w, "message", msg);
	if (field && *field)
		jw_kstr(&w, "field", field);
	jw_end(&w);
	jw_end(&w);
	return req_json(r, status);
}

int req_fail(struct req *r, enum err e)
{
	const struct ctx *c = &r->c;
	const char *msg = r->c.err.code != OK ? r->c.err.msg : NULL;
	int status = err_status(e);

	if (!msg || !*msg || status >= 500) {
		switch (e) {
		case ERR_NOTFOUND: msg = _("Page not found"); break;
		case ERR_DENIED: msg = _("You are not allowed to do that."); break;
		case ERR_AUTH: msg = _("Please sign in."); break;
		case ERR_LIMIT: msg = _("The request is too large."); break;
		case ERR_BUSY: msg = _("The service is busy. Please try again in a moment."); break;
		default: msg = _("Something went wrong on our side. Please try again.");
		}
	}
	if (status >= 500)
		log_msg(LOG_ERROR, r->c.req_id, "%s %s failed: %s: %s", r->method_name, r->path,
			err_name(e), r->c.err.msg);
	return req_error(r, status, err_name(e), r->c.err.field, msg);
}

int req_limit(struct req *r, int dflt, int max)
{
	int64_t v = req_int(r, "limit", dflt);
	return v < 1 ? 1 : v > max ? max : (int)v;
}

static bool compressible(const char *ctype)
{
	return ctype && (strncmp(ctype, "text/", 5) == 0 || strstr(ctype, "json") ||
			 strstr(ctype, "javascript") || strstr(ctype, "svg"));
}

static bool accepts_gzip(struct req *r)
{
	const char *ae = req_header(r, "Accept-Encoding");
	return ae && strstr(ae, "gzip") && !strstr(ae, "gzip;q=0");
}

/* Compresses src into a gzip stream allocated from the arena. */
static bool gzip(struct arena *a, const char *src, size_t n, char **out, size_t *outlen)
{
	z_stream z;
	size_t cap = compressBound((uLong)n) + 32;
	char *dst = arena_alloc(a, cap);
	int rc;

	memset(&z, 0, sizeof z);
	/* Level 1: pages are made per request, and on pages this size level 6
	 * costs three times the CPU for a few per cent fewer bytes. Static
	 * files are compressed once, at level 9. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	z.next_in = (Bytef *)src;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)dst;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	*out = dst;
	return rc == Z_STREAM_END;
}

enum MHD_Result resp_send(struct req *r)
{
	struct MHD_Response *resp;
	const char *body = r->out.p;
	size_t len = r->out.len;
	const char *pre = NULL;
	size_t prelen = 0;
	enum MHD_Result ret;
	bool gz = false;

	if (r->out.err) { /* a page too big for its buffer is our bug */
		log_msg(LOG_ERROR, r->c.req_id, "response for %s exceeded its size limit", r->path);
		r->c.err.code = OK;
		buf_release(&r->out);
		r->status = req_error(r, 500, "internal", NULL, "response too large");
		body = r->out.p;
		len = r->out.len;
	}
	if (r->status == 204 || r->status == 304)
		len = 0;
	if (len >= GZIP_MIN && compressible(r->ctype) && accepts_gzip(r)) {
		char *z;
		size_t zlen;
		if (r->route && r->route->handler == http_static && static_gzip(r->params[0], &pre, &prelen)) {
			body = pre;
			len = prelen;
			gz = true;
		} else if (gzip(r->c.arena, body, len, &z, &zlen) && zlen < len) {
			body = z;
			len = zlen;
			gz = true;
		}
	}
	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	if (r->ctype)
		MHD_add_response_header(resp, "Content-Type", r->ctype);
	if (gz)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	if (compressible(r->ctype))
		MHD_add_response_header(resp, "Vary", "Accept-Encoding, Cookie");
	for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
		MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
	MHD_add_response_header(resp, "X-Request-Id", r->c.req_id);
	for (int i = 0; i < r->nhdr; i++)
		MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
	/* Pages and API answers may carry personal data: nothing keeps them
	 * unless the handler said otherwise. */
	if (!MHD_get_response_header(resp, "Cache-Control"))
		MHD_add_response_header(resp, "Cache-Control", "no-store");
	ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

const char *req_cursor_text(struct req *r, int64_t key)
{
	char num[24], *out = arena_alloc(r->c.arena, 40);
	int n = snprintf(num, sizeof num, "k%lld", (long long)key);

	sodium_bin2base64(out, 40, (const unsigned char *)num, (size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

int req_cursor_or_respond(struct req *r, int64_t *key)
{
	const struct ctx *c = &r->c;
	const char *cur = req_str(r, "cursor");
	unsigned char raw[32];
	size_t n = 0;

	*key = 0;
	if (!cur || !*cur)
		return 0;
	if (sodium_base642bin(raw, sizeof raw - 1, cur, strlen(cur), NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n < 2 || raw[0] != 'k')
		goto bad;
	raw[n] = '\0';
	if (conf_parse_int((const char *)raw + 1, 1, INT64_MAX, key) != OK)
		goto bad;
	return 0;
bad:
	return req_error(r, 400, "invalid", "cursor", _("The cursor is not valid; start again from the first page."));
}

void req_jw_next(struct req *r, struct jw *w, int64_t key)
{
	jw_key(w, "next");
	if (key)
		jw_str(w, req_cursor_text(r, key));
	else
		jw_null(w);
}

struct jw *req_list_begin(struct req *r)
{
	struct jw *w = req_jw(r);

	jw_obj(w);
	jw_key(w, "items");
	jw_arr(w);
	return w;
}

int req_list_end(struct req *r, struct jw *w, int64_t next)
{
	jw_end(w);
	req_jw_next(r, w, next);
	jw_end(w);
	return req_json(r, 200);
}
