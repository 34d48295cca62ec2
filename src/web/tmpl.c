/*
 * tmpl.c — compiles template text into a tree of nodes, once, at start-up,
 * and links the trees (partials, layouts) into a graph without cycles.
 *
 * The source is read tag by tag. parse_seq collects nodes until a tag that
 * ends a sequence ({{else}}, {{/x}} or the end of the text) and reports
 * which one it was, so each block is parsed by one recursive call and a
 * misplaced or mismatched closer is seen where it stands.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "web/web_int.h"
#include "base/banned.h"

#define TAG_MAX_TOKENS 4

struct tok {
	bool lit;               /* a "string literal" (unescaped) */
	struct slice s;
};

struct tag {
	int line;
	char sigil;             /* '#', '/', '>', '!' or 0 */
	struct tok t[TAG_MAX_TOKENS];
	int n;
};

enum end { END_EOF, END_ELSE, END_CLOSE };

struct parser {
	struct web *w;
	const char *name;
	const char *s;
	size_t pos, len;
	int line;
	struct errinfo *ei;
};

static enum err parse_seq(struct parser *p, struct node **head, enum end *end, struct tag *closer);

static enum err fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records "templates/NAME.html:LINE: what is wrong". */
static enum err fail(struct parser *p, int line, const char *fmt, ...)
{
	char what[ERRINFO_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return err_set(p->ei, ERR_INVALID, NULL, "templates/%s.html:%d: %s", p->name, line, what);
}

/* For "%.*s" of a slice. */
#define SL(s) (int)(s).len, (s).p

static void advance(struct parser *p, size_t to)
{
	for (; p->pos < to; p->pos++)
		if (p->s[p->pos] == '\n')
			p->line++;
}

static struct node *node_new(struct parser *p, enum op op, int line)
{
	struct node *n = arena_alloc(p->w->a, sizeof *n);
	n->op = op;
	n->line = line;
	return n;
}

/* Reads one "literal" at s[*i], undoing \" and \\. */
static enum err read_lit(struct parser *p, const char *s, size_t n, size_t *i, struct tok *t,
			 int line)
{
	char *out = arena_alloc(p->w->a, n + 1);
	size_t o = 0;

	for ((*i)++; *i < n && s[*i] != '"'; (*i)++) {
		if (s[*i] == '\\' && *i + 1 < n && (s[*i + 1] == '"' || s[*i + 1] == '\\'))
			(*i)++;
		else if (s[*i] == '\\')
			return fail(p, line, "only \\\" and \\\\ may follow a backslash");
		out[o++] = s[*i];
	}
	if (*i >= n)
		return fail(p, line, "a string is not closed");
	(*i)++;
	t->lit = true;
	t->s = (struct slice){out, o};
	return OK;
}

/* Splits a tag's inside into words and literals. */
static enum err tokenize(struct parser *p, const char *s, size_t n, struct tag *tag)
{
	size_t i = 0, start;
	enum err rc;

	for (;;) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i == n)
			return OK;
		if (tag->n == TAG_MAX_TOKENS)
			return fail(p, tag->line, "too many words in {{%.*s}}", (int)n, s);
		if (s[i] == '"') {
			if ((rc = read_lit(p, s, n, &i, &tag->t[tag->n++], tag->line)) != OK)
				return rc;
			continue;
		}
		start = i;
		while (i < n && !isspace((unsigned char)s[i]) && s[i] != '"')
			i++;
		tag->t[tag->n++] = (struct tok){false, {s + start, i - start}};
	}
}

/* Tags that print nothing take their whole line when alone on it. */
static bool strippable(const struct tag *t)
{
	return t->sigil || (t->n == 1 && !t->t[0].lit && slice_eq(t->t[0].s, "else"));
}

/* If the tag at [open, close) stands alone on its line, widens the range to
 * the whole line (without the newline before, with the one after). */
static void standalone(const struct parser *p, size_t *open, size_t *close)
{
	size_t a = *open, b = *close;

	while (a > p->pos && (p->s[a - 1] == ' ' || p->s[a - 1] == '\t'))
		a--;
	if (a > 0 && p->s[a - 1] != '\n')
		return;
	while (b < p->len && (p->s[b] == ' ' || p->s[b] == '\t' || p->s[b] == '\r'))
		b++;
	if (b < p->len && p->s[b] != '\n')
		return;
	*open = a;
	*close = b < p->len ? b + 1 : b;
}

static void add_text(struct parser *p, struct node ***tail, size_t from, size_t to)
{
	struct node *n;

	if (to <= from)
		return;
	n = node_new(p, OP_TEXT, p->line);
	n->text = (struct slice){p->s + from, to - from};
	**tail = n;
	*tail = &n->next;
}

/*
 * Reads the next tag, adding the text before it to *tail. Returns OK with
 * tag->n == 0 and no sigil at the end of the source.
 */
static enum err next_tag(struct parser *p, struct node ***tail, struct tag *tag)
{
	const char *at = strstr(p->s + p->pos, "{{"), *end;
	size_t open, close, in;

	memset(tag, 0, sizeof *tag);
	if (!at) {
		add_text(p, tail, p->pos, p->len);
		advance(p, p->len);
		return OK;
	}
	open = (size_t)(at - p->s);
	tag->line = p->line;
	for (const char *c = p->s + p->pos; c < at; c++)
		tag->line += *c == '\n';
	if (at[2] == '{')
		return fail(p, tag->line, "{{{ }}} (raw output) is not supported: values are always escaped");
	if (strncmp(at + 2, "!--", 3) == 0 && (end = strstr(at + 5, "--}}")))
		end += 2;
	else if (!(end = strstr(at + 2, "}}")))
		return fail(p, tag->line, "a tag is not closed with }}");
	close = (size_t)(end - p->s) + 2;
	in = open + 2;
	if (p->s[in] && strchr("#/>!", p->s[in]))
		tag->sigil = p->s[in++];
	if (tag->sigil != '!') {
		enum err rc = tokenize(p, p->s + in, (size_t)(end - p->s) - in, tag);
		if (rc != OK)
			return rc;
		if (tag->n == 0)
			return fail(p, tag->line, "an empty tag");
	}
	if (strippable(tag))
		standalone(p, &open, &close);
	add_text(p, tail, p->pos, open);
	advance(p, close);
	return OK;
}

static bool path_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* Parses "." or "a.b.c" into path. */
static enum err parse_path(struct parser *p, const struct tok *t, int line, struct path *path)
{
	size_t i, start = 0;

	path->n = 0;
	if (t->lit)
		return fail(p, line, "expected a name, not the string \"%.*s\"", SL(t->s));
	if (slice_eq(t->s, "."))
		return OK;
	path->seg = arena_alloc(p->w->a, (t->s.len / 2 + 1) * sizeof *path->seg);
	for (i = 0; i <= t->s.len; i++) {
		if (i < t->s.len && path_char(t->s.p[i]))
			continue;
		if (i == start || (i < t->s.len && t->s.p[i] != '.'))
			return fail(p, line, "\"%.*s\" is not a name", SL(t->s));
		path->seg[path->n++] = arena_strndup(p->w->a, t->s.p + start, i - start);
		start = i + 1;
	}
	return OK;
}

static enum err want_args(struct parser *p, const struct tag *tag, int min, int max)
{
	if (tag->n - 1 < min || tag->n - 1 > max)
		return fail(p, tag->line, "wrong number of arguments to %.*s", SL(tag->t[0].s));
	return OK;
}

static enum err want_lit(struct parser *p, const struct tag *tag, const struct tok *t)
{
	if (!t->lit)
		return fail(p, tag->line, "expected a \"string\" after %.*s", SL(tag->t[0].s));
	return OK;
}

static enum err helper_tr(struct parser *p, const struct tag *tag, struct node *n)
{
	enum err rc;

	if ((rc = want_args(p, tag, 1, 1)) != OK)
		return rc;
	if (!tag->t[1].lit) {
		n->op = OP_TRVAR;
		return parse_path(p, &tag->t[1], tag->line, &n->path);
	}
	n->op = OP_TR;
	n->text = tag->t[1].s;
	for (int i = 0; i < WEB_NLANG; i++)
		n->tr[i] = web_tr(p->w, web_lang_code(i), tag->t[1].s.p);
	return OK;
}

static enum err helper_asset(struct parser *p, const struct tag *tag, struct node *n)
{
	const char *url = NULL, *name = tag->n > 1 ? tag->t[1].s.p : "";
	enum err rc;

	if ((rc = want_args(p, tag, 1, 1)) != OK || (rc = want_lit(p, tag, &tag->t[1])) != OK)
		return rc;
	if (p->w->asset_url)
		url = p->w->asset_url(name);
	n->op = OP_ASSET;
	n->text = slice_of(arena_strdup(p->w->a, url ? url : name));
	return OK;
}

static enum err date_style(struct parser *p, const struct tag *tag, enum web_date_style *st)
{
	static const char *const names[] = {"short", "medium", "long", "datetime"};
	enum err rc;

	if ((rc = want_lit(p, tag, &tag->t[2])) != OK)
		return rc;
	for (int i = 0; i <= WEB_DATETIME; i++)
		if (slice_eq(tag->t[2].s, names[i])) {
			*st = (enum web_date_style)i;
			return OK;
		}
	return fail(p, tag->line, "date styles are short, medium, long and datetime, not \"%.*s\"", SL(tag->t[2].s));
}

static enum err helper_date(struct parser *p, const struct tag *tag, struct node *n)
{
	bool dt = slice_eq(tag->t[0].s, "datetime");
	enum err rc;

	if ((rc = want_args(p, tag, 1, dt ? 1 : 2)) != OK)
		return rc;
	n->op = OP_DATE;
	n->style = dt ? WEB_DATETIME : WEB_DATE_MEDIUM;
	if (tag->n == 3 && (rc = date_style(p, tag, &n->style)) != OK)
		return rc;
	return parse_path(p, &tag->t[1], tag->line, &n->path);
}

static enum err helper_number(struct parser *p, const struct tag *tag, struct node *n)
{
	enum err rc;

	if ((rc = want_args(p, tag, 1, 1)) != OK)
		return rc;
	n->op = OP_NUMBER;
	return parse_path(p, &tag->t[1], tag->line, &n->path);
}

static const struct {
	const char *name;
	enum err (*fn)(struct parser *p, const struct tag *tag, struct node *n);
} helpers[] = {
	{"_", helper_tr},
	{"asset", helper_asset},
	{"date", helper_date},
	{"datetime", helper_date},
	{"number", helper_number},
};

/* A tag without a sigil: a helper, a built-in or a path. */
static enum err parse_output(struct parser *p, const struct tag *tag, struct node *n)
{
	static const struct { const char *name; enum op op; } words[] = {
		{"lang", OP_LANG}, {"dir", OP_DIR}, {"yield", OP_YIELD}, {"@index", OP_INDEX},
	};
	struct slice w = tag->t[0].s;

	if (tag->t[0].lit)
		return fail(p, tag->line, "a tag cannot start with a string (\"%.*s\")", SL(w));
	for (size_t i = 0; i < sizeof helpers / sizeof *helpers; i++)
		if (slice_eq(w, helpers[i].name))
			return helpers[i].fn(p, tag, n);
	if (tag->n > 1)
		return fail(p, tag->line, "unknown helper \"%.*s\"", SL(w));
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (slice_eq(w, words[i].name)) {
			n->op = words[i].op;
			return OK;
		}
	if (w.p[0] == '@')
		return fail(p, tag->line, "unknown built-in \"%.*s\"", SL(w));
	n->op = OP_VAR;
	return parse_path(p, &tag->t[0], tag->line, &n->path);
}

/* The "== rhs" of an {{#if}} or {{#unless}}. */
static enum err parse_cmp(struct parser *p, const struct tag *tag, struct node *n)
{
	if (tag->n == 2)
		return OK;
	if (tag->n != 4 || tag->t[2].lit || !slice_eq(tag->t[2].s, "=="))
		return fail(p, tag->line, "expected {{#%.*s name}} or {{#%.*s name == \"text\"}}",
			    SL(tag->t[0].s), SL(tag->t[0].s));
	if (tag->t[3].lit) {
		n->cmp = CMP_LIT;
		n->text = tag->t[3].s;
		return OK;
	}
	n->cmp = CMP_PATH;
	return parse_path(p, &tag->t[3], tag->line, &n->rhs);
}

static enum err block_head(struct parser *p, const struct tag *tag, struct node *n)
{
	struct slice w = tag->t[0].s;
	enum err rc;

	if (slice_eq(w, "layout")) {
		n->op = OP_LAYOUT;
		n->target_name = "layout";
		return want_args(p, tag, 0, 0);
	}
	if (slice_eq(w, "each"))
		n->op = OP_EACH;
	else if (slice_eq(w, "if"))
		n->op = OP_IF;
	else if (slice_eq(w, "unless"))
		n->op = OP_UNLESS;
	else
		return fail(p, tag->line, "unknown block helper {{#%.*s}}", SL(w));
	if (tag->n < 2)
		return fail(p, tag->line, "{{#%.*s}} needs a name", SL(w));
	if ((rc = parse_path(p, &tag->t[1], tag->line, &n->path)) != OK)
		return rc;
	if (n->op == OP_EACH)
		return want_args(p, tag, 1, 1);
	return parse_cmp(p, tag, n);
}

/* Parses a block from after its opening tag to its closer. */
static enum err parse_block(struct parser *p, const struct tag *open, struct node *n)
{
	struct tag close;
	enum end end;
	enum err rc;

	if ((rc = block_head(p, open, n)) != OK)
		return rc;
	if ((rc = parse_seq(p, &n->body, &end, &close)) != OK)
		return rc;
	if (end == END_ELSE && n->op == OP_LAYOUT)
		return fail(p, close.line, "{{else}} has no meaning in {{#layout}}");
	if (end == END_ELSE && (rc = parse_seq(p, &n->alt, &end, &close)) != OK)
		return rc;
	if (end == END_ELSE)
		return fail(p, close.line, "a second {{else}} in the block of line %d", open->line);
	if (end == END_EOF)
		return fail(p, open->line, "{{#%.*s}} opened here is never closed", SL(open->t[0].s));
	if (close.t[0].lit || close.t[0].s.len != open->t[0].s.len ||
	    memcmp(close.t[0].s.p, open->t[0].s.p, close.t[0].s.len) != 0)
		return fail(p, close.line, "mismatched closer: {{/%.*s}} after {{#%.*s}} of line %d",
			    SL(close.t[0].s), SL(open->t[0].s), open->line);
	return close.n == 1 ? OK : fail(p, close.line, "a closer takes one word: {{/%.*s}}", SL(close.t[0].s));
}

static enum err parse_partial(struct parser *p, const struct tag *tag, struct node *n)
{
	struct slice w = tag->t[0].s;

	if (tag->n != 1 || tag->t[0].lit)
		return fail(p, tag->line, "expected {{> name}}");
	for (size_t i = 0; i < w.len; i++)
		if (!path_char(w.p[i]))
			return fail(p, tag->line, "\"%.*s\" is not a template name", SL(w));
	n->op = OP_PARTIAL;
	n->target_name = arena_strndup(p->w->a, w.p, w.len);
	return OK;
}

/* Turns one tag into a node (or nothing, for a comment). */
static enum err parse_tag(struct parser *p, const struct tag *tag, struct node ***tail)
{
	struct node *n;
	enum err rc;

	if (tag->sigil == '!')
		return OK;
	n = node_new(p, OP_TEXT, tag->line);
	if (tag->sigil == '#')
		rc = parse_block(p, tag, n);
	else if (tag->sigil == '>')
		rc = parse_partial(p, tag, n);
	else
		rc = parse_output(p, tag, n);
	if (rc != OK)
		return rc;
	**tail = n;
	*tail = &n->next;
	return OK;
}

static enum err parse_seq(struct parser *p, struct node **head, enum end *end, struct tag *closer)
{
	struct node **tail = head;
	enum err rc;

	for (;;) {
		if ((rc = next_tag(p, &tail, closer)) != OK)
			return rc;
		if (closer->n == 0 && !closer->sigil) {
			*end = END_EOF;
			return OK;
		}
		if (closer->sigil == '/') {
			*end = END_CLOSE;
			return OK;
		}
		if (!closer->sigil && closer->n == 1 && !closer->t[0].lit &&
		    slice_eq(closer->t[0].s, "else")) {
			*end = END_ELSE;
			return OK;
		}
		if ((rc = parse_tag(p, closer, &tail)) != OK)
			return rc;
	}
}

enum err web_compile(struct web *w, const char *name, const char *src, struct errinfo *ei)
{
	struct parser p = {w, name, src, 0, strlen(src), 1, ei};
	struct tmpl *t;
	struct tag end;
	enum end how;
	enum err rc;

	for (size_t i = 0; i < w->nt; i++)
		if (strcmp(w->t[i]->name, name) == 0)
			return err_set(ei, ERR_EXISTS, NULL, "templates/%s.html: loaded twice", name);
	p.s = arena_strdup(w->a, src);
	t = arena_alloc(w->a, sizeof *t);
	t->name = arena_strdup(w->a, name);
	p.name = t->name;
	if ((rc = parse_seq(&p, &t->body, &how, &end)) != OK)
		return rc;
	if (how == END_ELSE)
		return fail(&p, end.line, "{{else}} outside a block");
	if (how == END_CLOSE)
		return fail(&p, end.line, "{{/%.*s}} closes no block", SL(end.t[0].s));
	if (w->nt == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->t = xrealloc(w->t, w->cap * sizeof *w->t);
	}
	w->t[w->nt++] = t;
	return OK;
}

static int tmpl_cmp(const void *a, const void *b)
{
	return strcmp((*(struct tmpl *const *)a)->name, (*(struct tmpl *const *)b)->name);
}

const struct tmpl *web_find(const struct web *w, const char *name)
{
	struct tmpl key = {name, NULL, 0}, *k = &key, **t;

	if (!w->nt)
		return NULL;
	t = bsearch(&k, w->t, w->nt, sizeof *w->t, tmpl_cmp);
	return t ? *t : NULL;
}

/* Resolves the targets in a node list; on the way visits each target
 * depth-first, so a template met again while still open is a cycle. */
static enum err link_nodes(struct web *w, struct tmpl *t, struct node *n, struct buf *trail,
			   struct errinfo *ei);

static enum err link_tmpl(struct web *w, struct tmpl *t, struct buf *trail, struct errinfo *ei)
{
	size_t mark = trail->len;
	enum err rc;

	if (t->mark == 2)
		return OK;
	buf_printf(trail, "%s%s", mark ? " > " : "", t->name);
	if (t->mark == 1)
		return err_set(ei, ERR_INVALID, NULL, "templates/%s.html: include cycle: %s", t->name,
			       trail->p);
	t->mark = 1;
	if ((rc = link_nodes(w, t, t->body, trail, ei)) != OK)
		return rc;
	t->mark = 2;
	buf_truncate(trail, mark);
	return OK;
}

static enum err link_nodes(struct web *w, struct tmpl *t, struct node *n, struct buf *trail,
			   struct errinfo *ei)
{
	enum err rc;

	for (; n; n = n->next) {
		if (n->target_name) {
			struct tmpl *target = (struct tmpl *)web_find(w, n->target_name);
			if (!target)
				return err_set(ei, ERR_INVALID, NULL, "templates/%s.html:%d: no template "
					       "\"%s\" (templates/%s.html)", t->name, n->line,
					       n->target_name, n->target_name);
			n->target = target;
			if ((rc = link_tmpl(w, target, trail, ei)) != OK)
				return rc;
		}
		if ((rc = link_nodes(w, t, n->body, trail, ei)) != OK ||
		    (rc = link_nodes(w, t, n->alt, trail, ei)) != OK)
			return rc;
	}
	return OK;
}

enum err web_link(struct web *w, struct errinfo *ei)
{
	struct buf trail;
	enum err rc = OK;

	if (w->nt)
		qsort(w->t, w->nt, sizeof *w->t, tmpl_cmp);
	buf_init(&trail, 4096);
	for (size_t i = 0; i < w->nt && rc == OK; i++) {
		buf_reset(&trail);
		rc = link_tmpl(w, w->t[i], &trail, ei);
	}
	buf_release(&trail);
	return rc;
}
