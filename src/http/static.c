/*
 * static.c — files from static/, embedded in the binary. Each has an ETag
 * (a hash of its bytes) and a gzip form made once at start-up. A request
 * that carries the fingerprint (?v=ETAG, as http_asset_url writes it) is
 * cached for a year; others must revalidate (304 when unchanged). Only
 * names that exist in static/ are served: no path ever reaches the disk.
 */
#include <pthread.h>
#include <sodium.h>
#include <string.h>
#include <zlib.h>

#include "base/embed.h"
#include "base/xmalloc.h"
#include "http/http_int.h"
#include "base/banned.h"

#define STATIC_MAX 64
#define STATIC_PREFIX "static/"

struct asset {
	const struct embedded *e;
	const char *name;       /* without "static/" */
	char etag[20];          /* "\"" + 16 hex + "\"" */
	char url[256];
	unsigned char *gz;
	size_t gzlen;
	const char *ctype;
};

static struct asset assets[STATIC_MAX];
static size_t nassets;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const char *type_of(const char *name)
{
	static const char *const types[][2] = {
		{".css", "text/css; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"},
		{".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
		{".json", "application/json"}, {".webmanifest", "application/manifest+json"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

static void load(void)
{
	size_t plen = strlen(STATIC_PREFIX);

	for (const struct embedded *e = embedded_files; e->name && nassets < STATIC_MAX; e++) {
		struct asset *a;
		unsigned char h[8];
		char hex[17];
		uLongf zl;

		if (strncmp(e->name, STATIC_PREFIX, plen) != 0)
			continue;
		a = &assets[nassets++];
		a->e = e;
		a->name = e->name + plen;
		crypto_generichash(h, sizeof h, e->data, e->len, NULL, 0);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		snprintf(a->etag, sizeof a->etag, "\"%s\"", hex);
		snprintf(a->url, sizeof a->url, "/static/%s?v=%s", a->name, hex);
		a->ctype = type_of(a->name);
		/* gzip once here, not per request. */
		z_stream z;
		memset(&z, 0, sizeof z);
		zl = compressBound(e->len) + 32;
		a->gz = xmalloc(zl);
		if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK) {
			z.next_in = (Bytef *)e->data;
			z.avail_in = (uInt)e->len;
			z.next_out = a->gz;
			z.avail_out = (uInt)zl;
			if (deflate(&z, Z_FINISH) == Z_STREAM_END && z.total_out < e->len)
				a->gzlen = z.total_out;
			deflateEnd(&z);
		}
	}
}

void static_init(void)
{
	pthread_once(&once, load);
}

static struct asset *find(const char *name)
{
	static_init();
	for (size_t i = 0; name && i < nassets; i++)
		if (strcmp(assets[i].name, name) == 0)
			return &assets[i];
	return NULL;
}

const char *http_asset_url(const char *name)
{
	struct asset *a = find(name);
	return a ? a->url : NULL;
}

int static_gzip(const char *name, const char **data, size_t *len)
{
	struct asset *a = find(name);

	if (!a || !a->gzlen)
		return 0;
	*data = (const char *)a->gz;
	*len = a->gzlen;
	return 1;
}

int http_static(struct req *r)
{
	const struct ctx *c = &r->c;
	struct asset *a = find(r->params[0]);
	const char *inm, *v;

	if (!a)
		return req_error(r, 404, "not_found", NULL, _("Page not found"));
	req_set_header(r, "ETag", a->etag);
	v = req_query(r, "v");
	if (v && strlen(v) == 16 && strncmp(v, a->etag + 1, 16) == 0)
		req_set_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	else
		req_set_header(r, "Cache-Control", "public, max-age=0, must-revalidate");
	inm = req_header(r, "If-None-Match");
	if (inm && strcmp(inm, a->etag) == 0)
		return 304;
	buf_add(&r->out, a->e->data, a->e->len);
	r->ctype = a->ctype;
	return 200;
}
