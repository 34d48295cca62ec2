/*
 * render.c — walks a compiled template tree over a JSON value.
 *
 * All state is on the stack: the chain of scopes (the root, then one per
 * loop item), the chain of {{#layout}} bodies waiting for their {{yield}},
 * and the ICU formatters of this one render. The tree itself is read-only,
 * so any number of threads render at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timeutil.h"
#include "web/web_int.h"
#include "base/banned.h"

struct scope {
	json_t *v;
	size_t index;
	bool loop;              /* an {{#each}} item: index is meaningful */
	const struct scope *up;
};

struct yield {
	const struct node *body;
	const struct scope *sc;
	const struct yield *up;
};

struct render {
	const struct web *w;
	int lang;
	struct buf *out;
	struct fmt fmt;
};

static void render_nodes(struct render *r, const struct node *n, const struct scope *sc,
			 const struct yield *y);

static json_t *descend(json_t *v, const struct path *p, int from)
{
	for (int i = from; v && i < p->n; i++)
		v = json_object_get(v, p->seg[i]);
	return v;
}

/* The value at p: "." is the current item; otherwise the first name is
 * looked for from the current item outward. NULL when missing. */
static json_t *lookup(const struct scope *sc, const struct path *p)
{
	json_t *v;

	if (p->n == 0)
		return sc->v;
	for (; sc; sc = sc->up)
		if ((v = json_object_get(sc->v, p->seg[0])))
			return descend(v, p, 1);
	return NULL;
}

static bool truthy(json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_OBJECT: return true;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0.0;
	case JSON_TRUE: return true;
	default: return false;
	}
}

/* Writes a scalar's plain text (unescaped); false for null and containers. */
static bool scalar_text(json_t *v, char *tmp, size_t size, const char **s, size_t *n)
{
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING:
		*s = json_string_value(v);
		*n = json_string_length(v);
		return true;
	case JSON_INTEGER:
		*n = i64_text(tmp, (int64_t)json_integer_value(v));
		break;
	case JSON_REAL:
		*n = (size_t)snprintf(tmp, size, "%.15g", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		*n = (size_t)snprintf(tmp, size, "%s", json_is_true(v) ? "true" : "false");
		break;
	default:
		return false;
	}
	*s = tmp;
	return true;
}

static void put_value(struct buf *out, json_t *v)
{
	char tmp[40];
	const char *s;
	size_t n;

	if (scalar_text(v, tmp, sizeof tmp, &s, &n))
		buf_html(out, s, n);
}

static bool equals(const struct node *n, const struct scope *sc, json_t *v)
{
	char tmp[40];
	const char *s;
	size_t len;

	if (n->cmp == CMP_PATH) {
		json_t *rhs = lookup(sc, &n->rhs);
		return v && rhs && json_equal(v, rhs);
	}
	return scalar_text(v, tmp, sizeof tmp, &s, &len) && len == n->text.len &&
	       memcmp(s, n->text.p, len) == 0;
}

static void do_cond(struct render *r, const struct node *n, const struct scope *sc,
		    const struct yield *y)
{
	json_t *v = lookup(sc, &n->path);
	bool yes = n->cmp == CMP_NONE ? truthy(v) : equals(n, sc, v);

	if (n->op == OP_UNLESS)
		yes = !yes;
	render_nodes(r, yes ? n->body : n->alt, sc, y);
}

static void do_each(struct render *r, const struct node *n, const struct scope *sc,
		    const struct yield *y)
{
	json_t *v = lookup(sc, &n->path);
	size_t i, len = json_is_array(v) ? json_array_size(v) : 0;

	if (len == 0) {
		render_nodes(r, n->alt, sc, y);
		return;
	}
	for (i = 0; i < len && !r->out->err; i++) {
		struct scope item = {json_array_get(v, i), i, true, sc};
		render_nodes(r, n->body, &item, y);
	}
}

static void do_index(struct render *r, const struct scope *sc)
{
	for (; sc; sc = sc->up)
		if (sc->loop) {
			buf_printf(r->out, "%zu", sc->index);
			return;
		}
}

static void do_trvar(struct render *r, const struct node *n, const struct scope *sc)
{
	json_t *v = lookup(sc, &n->path);
	const char *s;

	if (!json_is_string(v)) {
		put_value(r->out, v);
		return;
	}
	s = web_tr(r->w, web_lang_code(r->lang), json_string_value(v));
	buf_html(r->out, s, strlen(s));
}

static void do_date(struct render *r, const struct node *n, const struct scope *sc)
{
	json_t *v = lookup(sc, &n->path);
	int64_t ms;

	if (json_is_integer(v))
		fmt_date(&r->fmt, json_integer_value(v), n->style, r->out);
	else if (json_is_string(v) && time_parse_iso(json_string_value(v), &ms) == 0)
		fmt_date(&r->fmt, ms, n->style, r->out);
	else
		put_value(r->out, v);
}

static void do_number(struct render *r, const struct node *n, const struct scope *sc)
{
	json_t *v = lookup(sc, &n->path);

	if (json_is_integer(v))
		fmt_number(&r->fmt, json_integer_value(v), r->out);
	else
		put_value(r->out, v);
}

static void do_layout(struct render *r, const struct node *n, const struct scope *sc,
		      const struct yield *y)
{
	struct yield inner = {n->body, sc, y};
	render_nodes(r, n->target->body, sc, &inner);
}

static void do_yield(struct render *r, const struct yield *y)
{
	if (y)
		render_nodes(r, y->body, y->sc, y->up);
}

static void put(struct buf *out, const char *s)
{
	buf_html(out, s, strlen(s));
}

static void render_node(struct render *r, const struct node *n, const struct scope *sc,
			const struct yield *y)
{
	switch (n->op) {
	case OP_TEXT: buf_add(r->out, n->text.p, n->text.len); break;
	case OP_VAR: put_value(r->out, lookup(sc, &n->path)); break;
	case OP_INDEX: do_index(r, sc); break;
	case OP_LANG: buf_puts(r->out, web_lang_code(r->lang)); break;
	case OP_DIR: buf_puts(r->out, r->lang == WEB_FA ? "rtl" : "ltr"); break;
	case OP_TR: put(r->out, n->tr[r->lang]); break;
	case OP_TRVAR: do_trvar(r, n, sc); break;
	case OP_ASSET: buf_html(r->out, n->text.p, n->text.len); break;
	case OP_DATE: do_date(r, n, sc); break;
	case OP_NUMBER: do_number(r, n, sc); break;
	case OP_EACH: do_each(r, n, sc, y); break;
	case OP_IF:
	case OP_UNLESS: do_cond(r, n, sc, y); break;
	case OP_PARTIAL: render_nodes(r, n->target->body, sc, y); break;
	case OP_LAYOUT: do_layout(r, n, sc, y); break;
	case OP_YIELD: do_yield(r, y); break;
	}
}

static void render_nodes(struct render *r, const struct node *n, const struct scope *sc,
			 const struct yield *y)
{
	for (; n && !r->out->err; n = n->next)
		render_node(r, n, sc, y);
}

void tmpl_render(const struct web *w, const struct tmpl *t, json_t *data, int lang,
		 struct buf *out)
{
	struct render r = {w, lang, out, {0}};
	struct scope root = {data, 0, false, NULL};

	fmt_init(&r.fmt, lang);
	render_nodes(&r, t->body, &root, NULL);
	fmt_release(&r.fmt);
}
