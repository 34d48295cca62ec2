/*
 * upload.c — uploads stream to a temporary file, never to memory.
 *
 * On an R_UPLOAD route the body goes to DATA/tmp/upload-XXXXXX as it
 * arrives. A multipart/form-data body (an HTML form with a file input) is
 * split on the way: the file part's bytes go to the file, the small text
 * fields (the CSRF token, a kind) into r->in, where the route's field
 * specs check them like any other input. The file is removed when the
 * request ends unless the handler keeps it (req_upload_keep).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
#include "base/utf8.h"
#include "http/http_int.h"
#include "base/banned.h"

#define PART_HEADERS_MAX 8192
#define FIELD_MAX 65536
#define BOUNDARY_MAX 200

enum mp_state { MP_PREAMBLE, MP_HEADERS, MP_BODY, MP_AFTER, MP_END };

struct upload {
	int fd;
	char *path;
	const char *name;           /* the client's file name, if any */
	int64_t size;
	const char *error;          /* why the body cannot be used */
	/* multipart */
	bool multipart;
	char delim[BOUNDARY_MAX + 8]; /* "\r\n--" boundary */
	size_t dlen;
	enum mp_state st;
	struct buf pend;            /* bytes not yet decided */
	bool part_is_file, had_file;
	char *field;                /* the current text field's name */
	struct buf value;
};

static const char *boundary_of(struct arena *a, const char *ct)
{
	const char *b = strcasestr(ct, "boundary=");
	size_t n;

	if (!b)
		return NULL;
	b += 9;
	if (*b == '"') {
		const char *e = strchr(++b, '"');
		n = e ? (size_t)(e - b) : 0;
	} else
		n = strcspn(b, "; \t");
	return n && n <= BOUNDARY_MAX ? arena_strndup(a, b, n) : NULL;
}

int upload_begin(struct req *r, const char *tmpdir)
{
	const struct ctx *c = &r->c;
	struct upload *u = arena_alloc(r->c.arena, sizeof *u);
	const char *ct = req_header(r, "Content-Type");

	u->fd = -1;
	r->upload = u;
	if (mkdir(tmpdir, 0750) != 0 && errno != EEXIST)
		goto fail;
	u->path = arena_printf(r->c.arena, "%s/upload-XXXXXX", tmpdir);
	if ((u->fd = mkostemp(u->path, O_CLOEXEC)) < 0)
		goto fail;
	buf_init(&u->pend, PART_HEADERS_MAX + BOUNDARY_MAX + 65536);
	buf_init(&u->value, FIELD_MAX);
	if (ct && strncasecmp(ct, "multipart/form-data", 19) == 0) {
		const char *b = boundary_of(r->c.arena, ct);
		if (!b)
			return req_error(r, 400, "bad_multipart", NULL, _("The form has no boundary."));
		u->multipart = true;
		u->dlen = (size_t)snprintf(u->delim, sizeof u->delim, "\r\n--%s", b);
		/* The first boundary has no CRLF before it: pretend it had. */
		buf_add(&u->pend, "\r\n", 2);
	}
	return 0;
fail:
	log_msg(LOG_ERROR, r->c.req_id, "upload: cannot create a file in %s: %s", tmpdir, strerror(errno));
	u->path = NULL;
	return req_error(r, 503, "unavailable", NULL, _("The upload cannot be stored now."));
}

static void put_file(struct req *r, struct upload *u, const char *p, size_t n)
{
	if (u->error || !n)
		return;
	if ((uint64_t)(u->size + (int64_t)n) > (uint64_t)r->c.app->conf.max_upload) {
		r->body_too_large = true;
		u->error = "too large";
		return;
	}
	while (n) {
		ssize_t w = write(u->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			u->error = "the upload could not be written to disk";
			log_msg(LOG_ERROR, r->c.req_id, "upload: write: %s", strerror(errno));
			return;
		}
		u->size += w;
		p += w;
		n -= (size_t)w;
	}
}

/* A part's headers: Content-Disposition: form-data; name="x"; filename="y". */
static void part_headers(struct req *r, struct upload *u, const char *h, size_t n)
{
	char *s = arena_strndup(r->c.arena, h, n), *name, *file;

	name = strcasestr(s, " name=\"");
	file = strcasestr(s, "filename=\"");
	u->part_is_file = file != NULL;
	u->field = NULL;
	if (file) {
		char *e = strchr(file += 10, '"');
		if (e)
			*e = '\0';
		if (u->had_file)
			u->error = "only one file may be sent";
		u->had_file = true;
		u->name = file;
	} else if (name) {
		char *e = strchr(name += 7, '"');
		if (e)
			*e = '\0';
		u->field = name;
		buf_reset(&u->value);
	} else
		u->error = "a form part has no name";
}

static void part_data(struct req *r, struct upload *u, const char *p, size_t n)
{
	if (u->part_is_file)
		put_file(r, u, p, n);
	else if (u->field) {
		buf_add(&u->value, p, n);
		if (u->value.err)
			u->error = "a form field is too long";
	}
}

static void part_end(struct req *r, struct upload *u)
{
	if (!u->part_is_file && u->field && !u->error) {
		if (!utf8_valid(u->value.p, u->value.len, NULL))
			u->error = "a form field is not valid UTF-8";
		else
			json_object_set_new(r->in, u->field, json_stringn(u->value.p, u->value.len));
	}
}

/* Consumes what it can of u->pend; returns false when it needs more. */
static bool mp_step(struct req *r, struct upload *u)
{
	char *p = u->pend.p, *hit;
	size_t n = u->pend.len, used = 0;

	switch (u->st) {
	case MP_PREAMBLE:
	case MP_BODY:
		hit = memmem(p, n, u->delim, u->dlen);
		if (!hit) {
			/* Keep a tail that may be the start of the delimiter. */
			used = n > u->dlen ? n - u->dlen : 0;
			if (u->st == MP_BODY)
				part_data(r, u, p, used);
			break;
		}
		if (u->st == MP_BODY) {
			part_data(r, u, p, (size_t)(hit - p));
			part_end(r, u);
		}
		used = (size_t)(hit - p) + u->dlen;
		u->st = MP_AFTER;
		break;
	case MP_AFTER:
		if (n < 2)
			return false;
		if (p[0] == '-' && p[1] == '-') {
			u->st = MP_END;
			used = n;
		} else if (p[0] == '\r' && p[1] == '\n') {
			u->st = MP_HEADERS;
			used = 2;
		} else {
			u->error = "the form is malformed after a boundary";
			used = n;
		}
		break;
	case MP_HEADERS:
		hit = memmem(p, n, "\r\n\r\n", 4);
		if (!hit) {
			if (n > PART_HEADERS_MAX)
				u->error = "a form part's headers are too long";
			return false;
		}
		part_headers(r, u, p, (size_t)(hit - p));
		used = (size_t)(hit - p) + 4;
		u->st = MP_BODY;
		break;
	case MP_END:
		used = n; /* the epilogue is ignored */
		break;
	}
	memmove(u->pend.p, u->pend.p + used, n - used);
	buf_truncate(&u->pend, n - used);
	return used > 0 && !u->error;
}

void upload_feed(struct req *r, const char *data, size_t n)
{
	struct upload *u = r->upload;

	if (!u || u->error)
		return;
	if (!u->multipart) {
		put_file(r, u, data, n);
		return;
	}
	while (n && !u->error) {
		size_t room = u->pend.max - u->pend.len, k = n < room ? n : room;
		buf_add(&u->pend, data, k);
		data += k;
		n -= k;
		while (mp_step(r, u))
			;
	}
}

int upload_finish_or_respond(struct req *r)
{
	const struct ctx *c = &r->c;
	struct upload *u = r->upload;

	if (!u)
		return 0;
	if (u->multipart && !u->error && u->st != MP_END)
		u->error = "the form ended before its last boundary";
	if (u->error && !r->body_too_large)
		return req_error(r, 400, "bad_upload", NULL,
				 arena_printf(r->c.arena, "%s: %s", _("The upload cannot be used"), u->error));
	if (u->multipart && !u->had_file)
		return req_error(r, 400, "required", "file", _("Choose a file to upload."));
	return 0;
}

void upload_cleanup(struct req *r)
{
	struct upload *u = r->upload;

	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	if (u->path)
		unlink(u->path);
	buf_release(&u->pend);
	buf_release(&u->value);
}

const char *req_upload_path(struct req *r)
{
	struct upload *u = r->upload;
	return u ? u->path : NULL;
}

const char *req_upload_name(struct req *r)
{
	struct upload *u = r->upload;
	return u ? u->name : NULL;
}

int64_t req_upload_size(struct req *r)
{
	struct upload *u = r->upload;
	return u ? u->size : 0;
}

enum err req_upload_keep(struct req *r, const char *dest)
{
	struct upload *u = r->upload;

	if (!u || !u->path)
		return err_set(&r->c.err, ERR_INTERNAL, NULL, "no upload to keep");
	if (fsync(u->fd) != 0 || rename(u->path, dest) != 0)
		return err_set(&r->c.err, ERR_IO, NULL, "cannot keep the upload: %s", strerror(errno));
	u->path = NULL;
	return OK;
}
