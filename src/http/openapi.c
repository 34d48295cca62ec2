/*
 * openapi.c — the OpenAPI 3.1 document, made from the route table itself,
 * so it cannot drift from what the server does. Routes under /api/ appear
 * (and the probes); pages do not.
 */
#include <string.h>

#include "http/http_int.h"
#include "base/banned.h"

static const char *const method_names[] = {"get", "head", "post", "put", "patch", "delete", "options"};

static bool in_doc(const struct route *rt)
{
	return !(rt->flags & (R_NOAPI | R_HTML));
}

/* "/api/v1/tokens/:id" → "/api/v1/tokens/{id}" */
static void path_key(struct buf *b, const char *pattern)
{
	for (const char *p = pattern; *p; p++) {
		if (*p != ':') {
			buf_addc(b, *p);
			continue;
		}
		buf_addc(b, '{');
		while (p[1] && p[1] != '/')
			buf_addc(b, *++p);
		buf_addc(b, '}');
	}
}

static void schema(struct jw *w, const struct field *f)
{
	jw_obj(w);
	switch (f->type) {
	case F_INT:
		jw_kstr(w, "type", "integer");
		jw_kint(w, "minimum", f->min);
		jw_kint(w, "maximum", f->max);
		break;
	case F_BOOL:
		jw_kstr(w, "type", "boolean");
		break;
	case F_NUM:
		jw_key(w, "type");
		jw_raw(w, "[\"number\",\"string\"]");
		jw_kint(w, "minimum", f->min);
		jw_kint(w, "maximum", f->max);
		break;
	case F_ENUM:
		jw_kstr(w, "type", "string");
		jw_key(w, "enum");
		jw_arr(w);
		for (const char *const *c = f->choices; *c; c++)
			jw_str(w, *c);
		jw_end(w);
		break;
	case F_ID:
		jw_kstr(w, "type", "string");
		jw_kstr(w, "format", "uuid");
		break;
	case F_STR:
		jw_kstr(w, "type", "string");
		jw_kint(w, "minLength", f->min);
		if (f->max)
			jw_kint(w, "maxLength", f->max);
		break;
	}
	if (f->doc)
		jw_kstr(w, "description", f->doc);
	jw_end(w);
}

static void params(struct jw *w, const struct route *rt)
{
	jw_key(w, "parameters");
	jw_arr(w);
	for (const char *p = rt->pattern; (p = strchr(p, ':'));) {
		size_t n = strcspn(++p, "/");
		jw_obj(w);
		jw_key(w, "name");
		jw_strn(w, p, n);
		jw_kstr(w, "in", "path");
		jw_kbool(w, "required", true);
		jw_key(w, "schema");
		jw_obj(w);
		jw_kstr(w, "type", "string");
		jw_end(w);
		jw_end(w);
	}
	for (const struct field *f = rt->input; (rt->flags & R_QUERY) && f && f->name; f++) {
		jw_obj(w);
		jw_kstr(w, "name", f->name);
		jw_kstr(w, "in", "query");
		jw_kbool(w, "required", f->required);
		jw_key(w, "schema");
		schema(w, f);
		jw_end(w);
	}
	jw_end(w);
}

static void body(struct jw *w, const struct route *rt)
{
	if ((rt->flags & R_QUERY) || !rt->input || !rt->input->name)
		return;
	jw_key(w, "requestBody");
	jw_obj(w);
	jw_kbool(w, "required", true);
	jw_key(w, "content");
	jw_obj(w);
	jw_key(w, "application/json");
	jw_obj(w);
	jw_key(w, "schema");
	jw_obj(w);
	jw_kstr(w, "type", "object");
	jw_kbool(w, "additionalProperties", false);
	jw_key(w, "required");
	jw_arr(w);
	for (const struct field *f = rt->input; f->name; f++)
		if (f->required)
			jw_str(w, f->name);
	jw_end(w);
	jw_key(w, "properties");
	jw_obj(w);
	for (const struct field *f = rt->input; f->name; f++) {
		jw_key(w, f->name);
		schema(w, f);
	}
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_end(w);
	jw_end(w);
}

static void operation(struct jw *w, const struct route *rt, const char *m)
{
	jw_key(w, m);
	jw_obj(w);
	jw_kstr(w, "summary", rt->summary ? rt->summary : "");
	struct buf id;
	buf_init(&id, 512);
	buf_puts(&id, m);
	for (const char *p = rt->pattern; *p; p++)
		buf_addc(&id, (*p == '/' || *p == ':' || *p == '.') ? '_' : *p);
	jw_kstr(w, "operationId", id.p);
	buf_release(&id);
	params(w, rt);
	body(w, rt);
	if (rt->need) {
		jw_key(w, "security");
		jw_raw(w, "[{\"session\":[]},{\"bearer\":[]}]");
	}
	jw_key(w, "responses");
	jw_raw(w, "{\"200\":{\"description\":\"Success\"},\"default\":{\"description\":\"An error\","
		  "\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/Error\"}}}}}");
	jw_end(w);
}

static void path_item(struct jw *w, const struct http_config *cfg, size_t i)
{
	const struct route *rt = &cfg->routes[i];

	jw_obj(w);
	/* Every route with the same pattern goes under the same path item. */
	for (size_t j = i; j < cfg->nroutes; j++) {
		const struct route *o = &cfg->routes[j];
		if (!in_doc(o) || strcmp(o->pattern, rt->pattern) != 0)
			continue;
		for (int m = 0; m < 7; m++)
			if ((o->methods & (1u << m)) && (1u << m) != M_HEAD)
				operation(w, o, method_names[m]);
	}
	jw_end(w);
}

int http_openapi(struct req *r)
{
	const struct http_config *cfg = &r->srv->cfg;
	struct jw *w = req_jw(r);

	jw_obj(w);
	jw_kstr(w, "openapi", "3.1.0");
	jw_key(w, "info");
	jw_raw(w, "{\"title\":\"Reach API\",\"version\":\"1\",\"description\":\"Every child in school; "
		  "every learner connected, equipped and supplied.\"}");
	jw_key(w, "paths");
	jw_obj(w);
	for (size_t i = 0; i < cfg->nroutes; i++) {
		const struct route *rt = &cfg->routes[i];
		bool seen = false;
		if (!in_doc(rt))
			continue;
		for (size_t j = 0; j < i; j++)
			if (in_doc(&cfg->routes[j]) && !strcmp(cfg->routes[j].pattern, rt->pattern))
				seen = true;
		if (seen)
			continue;
		struct buf key;
		buf_init(&key, 1024);
		path_key(&key, rt->pattern);
		jw_key(w, key.p);
		buf_release(&key);
		path_item(w, cfg, i);
	}
	jw_end(w);
	jw_key(w, "components");
	jw_raw(w, "{\"securitySchemes\":{\"session\":{\"type\":\"apiKey\",\"in\":\"cookie\",\"name\":\"reach_session\"},"
		  "\"bearer\":{\"type\":\"http\",\"scheme\":\"bearer\"}},"
		  "\"schemas\":{\"Error\":{\"type\":\"object\",\"required\":[\"error\"],\"properties\":{\"error\":"
		  "{\"type\":\"object\",\"required\":[\"code\",\"message\"],\"properties\":{\"code\":{\"type\":\"string\"},"
		  "\"message\":{\"type\":\"string\"},\"field\":{\"type\":\"string\"}}}}}}}");
	jw_end(w);
	req_set_header(r, "Cache-Control", "public, max-age=300");
	return req_json(r, 200);
}
