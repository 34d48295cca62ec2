/*
 * route.c — matching a path against the route table, and validating the
 * input a route declares before its handler runs.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/arena.h"
#include "base/id.h"
#include "base/utf8.h"
#include "http/http_int.h"
#include "base/banned.h"

static const struct {
	const char *name;
	unsigned m;
} methods[] = {
	{"GET", M_GET}, {"HEAD", M_HEAD}, {"POST", M_POST}, {"PUT", M_PUT},
	{"PATCH", M_PATCH}, {"DELETE", M_DELETE}, {"OPTIONS", M_OPTIONS},
};

unsigned method_parse(const char *m)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i].name, m) == 0)
			return methods[i].m;
	return 0;
}

/* Matches path against pattern, filling params; a :param matches one
 * non-empty segment. */
static bool match(const char *pattern, const char *path, struct req *r)
{
	const char *p = pattern, *s = path;
	int n = 0;

	while (*p && *s) {
		if (*p == ':') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n >= REQ_MAX_PARAMS)
				return false;
			r->params[n++] = arena_strndup(r->c.arena, s, len);
			s += len;
			while (*p && *p != '/')
				p++;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	return *p == '\0' && *s == '\0';
}

const struct route *route_match(const struct http_config *cfg, struct req *r, unsigned *allowed)
{
	const struct route *found = NULL;
	unsigned want = r->method == M_HEAD ? M_GET : r->method;

	*allowed = 0;
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct route *rt = &cfg->routes[i];
		if (!match(rt->pattern, r->path, r))
			continue;
		*allowed |= rt->methods;
		if ((rt->methods & want) && !found)
			found = rt;
	}
	if (found) /* match again: a later pattern may have overwritten params */
		match(found->pattern, r->path, r);
	return found;
}

int route_index(const struct http_config *cfg, const struct route *rt)
{
	return rt ? (int)(rt - cfg->routes) : (int)cfg->nroutes;
}

const char *req_param(struct req *r, const char *name)
{
	const char *p = r->route ? r->route->pattern : "";
	int n = 0;
	size_t len = strlen(name);

	while ((p = strchr(p, ':'))) {
		p++;
		if (strncmp(p, name, len) == 0 && (p[len] == '/' || p[len] == '\0'))
			return r->params[n];
		n++;
	}
	return NULL;
}

/* Checks one value against its field; returns 0 or the error status. */
static int check(struct req *r, const struct field *f, json_t *v)
{
	const struct ctx *c = &r->c;

	switch (f->type) {
	case F_STR:
	case F_ENUM:
	case F_ID: {
		const char *s = json_string_value(v);
		size_t n;
		if (!json_is_string(v))
			return req_error(r, 400, "invalid", f->name, _("This field must be text."));
		n = utf8_len(s, json_string_length(v));
		if (memchr(s, '\0', json_string_length(v)))
			return req_error(r, 400, "invalid", f->name, _("This field must not contain NUL characters."));
		if (f->type == F_ID && !id_valid(s))
			return req_error(r, 400, "invalid", f->name, _("This is not a valid id."));
		if (f->type == F_ENUM) {
			for (const char *const *ch = f->choices; *ch; ch++)
				if (strcmp(*ch, s) == 0)
					return 0;
			return req_error(r, 400, "invalid", f->name, _("This value is not one of the allowed choices."));
		}
		if (f->type == F_STR && ((int64_t)n < f->min || (f->max && (int64_t)n > f->max))) {
			char *msg = arena_printf(r->c.arena, _("This field must be %lld to %lld characters long."),
						 (long long)f->min, (long long)f->max);
			return req_error(r, 400, "invalid", f->name, msg);
		}
		return 0;
	}
	case F_INT: {
		json_int_t i;
		if (json_is_string(v)) { /* forms and query strings carry text */
			int64_t x;
			if (conf_parse_int(json_string_value(v), INT64_MIN, INT64_MAX, &x) != OK)
				return req_error(r, 400, "invalid", f->name, _("This field must be a whole number."));
			json_object_set_new(r->in, f->name, json_integer(x));
			v = json_object_get(r->in, f->name);
		}
		if (!json_is_integer(v))
			return req_error(r, 400, "invalid", f->name, _("This field must be a whole number."));
		i = json_integer_value(v);
		if (i < f->min || i > f->max) {
			char *msg = arena_printf(r->c.arena, _("This field must be from %lld to %lld."),
						 (long long)f->min, (long long)f->max);
			return req_error(r, 400, "invalid", f->name, msg);
		}
		return 0;
	}
	case F_NUM: {
		char *end = NULL;
		double d;
		if (json_is_number(v)) {
			json_object_set_new(r->in, f->name,
					    json_string(arena_printf(r->c.arena, "%.15g", json_number_value(v))));
			v = json_object_get(r->in, f->name);
		}
		if (!json_is_string(v))
			return req_error(r, 400, "invalid", f->name, _("This field must be a number."));
		if (!*json_string_value(v))
			return 0;
		d = strtod(json_string_value(v), &end);
		if (*end || end == json_string_value(v) || !isfinite(d))
			return req_error(r, 400, "invalid", f->name, _("This field must be a number."));
		if (d < (double)f->min || d > (double)f->max) {
			char *msg = arena_printf(r->c.arena, _("This field must be from %lld to %lld."),
						 (long long)f->min, (long long)f->max);
			return req_error(r, 400, "invalid", f->name, msg);
		}
		return 0;
	}
	case F_BOOL:
		if (json_is_string(v)) {
			const char *s = json_string_value(v);
			bool b = !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on");
			if (!b && strcmp(s, "false") && strcmp(s, "0") && strcmp(s, "off") && *s)
				return req_error(r, 400, "invalid", f->name, _("This field must be true or false."));
			json_object_set_new(r->in, f->name, json_boolean(b));
			return 0;
		}
		if (!json_is_boolean(v))
			return req_error(r, 400, "invalid", f->name, _("This field must be true or false."));
		return 0;
	}
	return 0;
}

/* Measures how deeply a JSON text nests, without parsing it, so a body
 * of a million '[' is refused before the parser recurses into it. */
static int json_depth(const char *s, size_t n)
{
	int depth = 0, max = 0;
	bool in_str = false;

	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (in_str) {
			if (ch == '\\')
				i++;
			else if (ch == '"')
				in_str = false;
		} else if (ch == '"')
			in_str = true;
		else if (ch == '{' || ch == '[') {
			if (++depth > max)
				max = depth;
		} else if (ch == '}' || ch == ']')
			depth--;
	}
	return max;
}

static int parse_json_or_respond(struct req *r)
{
	const struct ctx *c = &r->c;
	json_error_t je;
	json_t *v;
	size_t bad;

	if (!utf8_valid(r->body.p, r->body.len, &bad)) {
		char *msg = arena_printf(r->c.arena, _("The body is not valid UTF-8 (byte %zu)."), bad);
		return req_error(r, 400, "invalid_utf8", NULL, msg);
	}
	if (json_depth(r->body.p, r->body.len) > JSON_MAX_DEPTH)
		return req_error(r, 400, "invalid_json", NULL, _("The JSON is nested too deeply."));
	v = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		char *msg = arena_printf(r->c.arena, _("The body is not valid JSON: %s (line %d, column %d)."),
					 je.text, je.line, je.column);
		return req_error(r, 400, "invalid_json", NULL, msg);
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return req_error(r, 400, "invalid_json", NULL, _("The body must be a JSON object."));
	}
	json_decref(r->in);
	r->in = v;
	return 0;
}

/* application/x-www-form-urlencoded: name=value&… into r->in, as text. */
static int parse_form_or_respond(struct req *r)
{
	const struct ctx *c = &r->c;
	char *s = arena_strndup(r->c.arena, r->body.p, r->body.len), *save = NULL, *pair;

	for (pair = strtok_r(s, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		char *k = pair, *v = eq ? eq + 1 : (char *)"";
		if (eq)
			*eq = '\0';
		for (char *p = k; *p; p++) if (*p == '+') *p = ' ';
		for (char *p = v; *p; p++) if (*p == '+') *p = ' ';
		MHD_http_unescape(k);
		size_t vlen = MHD_http_unescape(v);
		if (!utf8_valid(k, strlen(k), NULL) || !utf8_valid(v, vlen, NULL))
			return req_error(r, 400, "invalid_utf8", NULL, _("The form is not valid UTF-8."));
		json_object_set_new(r->in, k, json_stringn(v, vlen));
	}
	return 0;
}

static enum MHD_Result add_query(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
	struct req *r = cls;
	(void)kind;
	if (v && utf8_valid(v, strlen(v), NULL) && utf8_valid(k, strlen(k), NULL))
		json_object_set_new(r->in, k, json_string(v));
	else
		json_object_set_new(r->in, "\001bad", json_string(k));
	return MHD_YES;
}

/* An empty text is a value of its own for text fields and for choices
 * that list "" (the language "", for "the browser's"); for other types
 * (an empty form field or ?limit=) it means the field was left out. */
static bool empty_ok(const struct field *f)
{
	if (f->type == F_STR)
		return true;
	for (const char *const *ch = f->type == F_ENUM ? f->choices : NULL; ch && *ch; ch++)
		if (!**ch)
			return true;
	return false;
}

/* True when the Content-Type ct names type (case does not matter),
 * alone or followed by parameters ("application/json; charset=utf-8"). */
static bool media_is(const char *ct, const char *type)
{
	size_t n = strlen(type);

	if (strncasecmp(ct, type, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

/* Reads the body (JSON or form) or the query string into r->in and checks
 * every declared field. Unknown fields in a JSON body are refused, so a
 * misspelt name is an error and not a silent no-op. */
int route_input_or_respond(struct req *r)
{
	const struct ctx *c = &r->c;
	const struct field *f;
	const char *ct = req_header(r, "Content-Type");
	bool is_json = false;
	int st;

	if (r->route->flags & R_QUERY) {
		MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_query, r);
		if (json_object_get(r->in, "\001bad"))
			return req_error(r, 400, "invalid_utf8", NULL, _("The query string is not valid UTF-8."));
	}
	if (!(r->route->flags & (R_QUERY | R_UPLOAD)) && r->body.len > 0) {
		if (ct && media_is(ct, "application/x-www-form-urlencoded"))
			st = parse_form_or_respond(r);
		else if (!ct || media_is(ct, "application/json")) {
			is_json = true;
			st = parse_json_or_respond(r);
		} else
			return req_error(r, 415, "unsupported_media_type", NULL,
					 _("Send JSON (application/json) or a form."));
		if (st)
			return st;
	}
	for (f = r->route->input; f && f->name; f++) {
		json_t *v = json_object_get(r->in, f->name);
		if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v) && !empty_ok(f))) {
			if (f->required)
				return req_error(r, 400, "required", f->name, _("This field is required."));
			if (v)
				json_object_del(r->in, f->name);
			continue;
		}
		if ((st = check(r, f, v)))
			return st;
	}
	if (is_json) {
		const char *k;
		json_t *v;
		json_object_foreach(r->in, k, v) {
			for (f = r->route->input; f && f->name; f++)
				if (strcmp(f->name, k) == 0)
					break;
			if (!f || !f->name)
				return req_error(r, 400, "unknown_field", arena_strdup(r->c.arena, k),
						 _("This field is not known here."));
		}
	}
	return 0;
}
