/*
 * chart.c — the data the region page draws. The template engine writes no
 * raw markup, so the SVG comes from templates (svg_bars.html, svg_map.html)
 * and everything they need is computed here: each bar's coordinates, the
 * label and value positions (mirrored for right-to-left languages, so the
 * labels stand on the reading side), colours as class names from a fixed
 * palette, and the map's dots already projected at refresh time.
 */
#include <string.h>

#include "dashboard/dashboard_int.h"
#include "registry/registry.h"
#include "web/web.h"
#include "base/banned.h"

/*
 * A bar chart's box, in viewBox units. Each row is a label on its own line
 * and under it the bar with its value, so the chart stays narrow and its
 * text readable when a phone shrinks it; every x is measured from the
 * reading side and mirrored for right-to-left pages.
 */
#define CH_W 360
#define CH_VALUE 80             /* room for "1,000,000" after the longest bar */
#define CH_GAP 6
#define CH_BARS (CH_W - CH_VALUE - CH_GAP)
#define CH_ROW 46
#define CH_TOP 4
#define CH_LABEL_Y 15           /* the label's baseline in its row */
#define CH_BAR_Y 20
#define CH_BAR 16
#define CH_VALUE_Y 33

static const char *const conn_labels[CONN__COUNT] = {
	N_("No connection"), N_("2G"), N_("3G"), N_("4G"), N_("Fibre"), N_("Satellite")};

/* The palette's class names (static/reach.css, "Dashboards"). */
static const char *const conn_classes[CONN__COUNT] = {"k-none", "k-2g", "k-3g", "k-4g", "k-fibre", "k-satellite"};
static const char *const skill_classes[SKILL_LEVELS] = {"s0", "s1", "s2", "s3", "s4"};

int64_t chart_pct(int64_t part, int64_t whole)
{
	return whole > 0 ? (part * 100 + whole / 2) / whole : 0;
}

struct chart {
	struct ctx *c;
	bool rtl, share;
	int64_t max;            /* the value of a full bar (count charts) */
	json_t *rows;
};

static json_t *chart_new(struct chart *ch, const char *id, const char *title)
{
	const struct ctx *c = ch->c;
	json_t *o = json_object();

	json_object_set_new(o, "id", json_string(id));
	json_object_set_new(o, "title", json_string(title));
	json_object_set_new(o, "desc", json_string(ch->share ?
		_("Horizontal bars, one for each share, from 0 to 100 per cent. The numbers are in the table that follows.") :
		_("Horizontal bars, one for each count. The numbers are in the table that follows.")));
	json_object_set_new(o, "share", json_boolean(ch->share));
	ch->rows = json_array();
	json_object_set_new(o, "rows", ch->rows);
	return o;
}

/* x of a span [from, from + w) measured from the reading side. */
static int mirror(const struct chart *ch, int from, int w)
{
	return ch->rtl ? CH_W - from - w : from;
}

/* x of a text that starts at from on the reading side (text-anchor
 * "start" follows the text's direction, so the anchor stays the same). */
static int text_x(const struct chart *ch, int from)
{
	return ch->rtl ? CH_W - from : from;
}

/* One bar: value (count charts) or part of whole (share charts). A row
 * is drawn inside <g transform="translate(0 y)">, so only what differs
 * from row to row is here; the rest is the chart's (chart_end). */
static void bar(struct chart *ch, const char *label, int64_t value, int64_t whole, const char *cls)
{
	int i = (int)json_array_size(ch->rows);
	int64_t p = chart_pct(value, whole);
	int64_t full = ch->share ? 100 : ch->max;
	int w = full > 0 ? (int)((ch->share ? p : value) * CH_BARS / full) : 0;
	json_t *o = json_object();

	if (w == 0 && value > 0)
		w = 1; /* something is not nothing */
	web_set_str(o, "label", label);
	web_set_int(o, "value", value);
	if (ch->share) {
		web_set_int(o, "whole", whole);
		web_set_int(o, "pct", p);
	}
	web_set_int(o, "y", CH_TOP + i * CH_ROW);
	web_set_int(o, "bx", mirror(ch, 0, w));
	web_set_int(o, "bw", w);
	web_set_int(o, "vx", text_x(ch, (ch->share ? CH_BARS : w) + CH_GAP));
	if (cls) /* else the chart's */
		web_set_str(o, "cls", cls);
	json_array_append_new(ch->rows, o);
}

static json_t *chart_end(struct chart *ch, json_t *o)
{
	int n = (int)json_array_size(ch->rows);

	web_set_int(o, "w", CH_W);
	web_set_int(o, "h", CH_TOP * 2 + n * CH_ROW);
	web_set_int(o, "lx", text_x(ch, 0));
	web_set_int(o, "ly", CH_LABEL_Y);
	web_set_int(o, "tx", mirror(ch, 0, CH_BARS));
	web_set_int(o, "tw", CH_BARS);
	web_set_int(o, "by", CH_BAR_Y);
	web_set_int(o, "bh", CH_BAR);
	web_set_int(o, "vy", CH_VALUE_Y);
	return o;
}

static int64_t max_of(const int64_t *v, int n)
{
	int64_t m = 0;

	for (int i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static json_t *chart_kinds(struct ctx *c, const struct figures *f, bool rtl)
{
	struct chart ch = {c, rtl, false, f->schools, NULL};
	json_t *o = chart_new(&ch, "kinds", _("Schools by kind"));

	web_set_str(o, "cls", "kind");
	bar(&ch, _("All schools"), f->schools, 0, "all");
	bar(&ch, _("Boarding"), f->boarding, 0, NULL);
	bar(&ch, _("Nomadic and mobile"), f->nomadic, 0, NULL);
	bar(&ch, _("Rural"), f->rural, 0, NULL);
	return chart_end(&ch, o);
}

static json_t *chart_shares(struct ctx *c, const struct figures *f, bool rtl)
{
	struct chart ch = {c, rtl, true, 100, NULL};
	json_t *o = chart_new(&ch, "shares", _("Connection and equipment"));

	bar(&ch, _("Schools connected"), f->connected, f->schools, "school");
	bar(&ch, _("Schools equipped"), f->equipped, f->schools, "school");
	bar(&ch, _("Learners with a device at home"), f->learners_device, f->learners, "learner");
	bar(&ch, _("Learners with internet at home"), f->learners_internet, f->learners, "learner");
	bar(&ch, _("Teachers with their own device"), f->teachers_device, f->teachers, "teacher");
	return chart_end(&ch, o);
}

static json_t *chart_skills(struct ctx *c, const struct figures *f, bool rtl)
{
	static const char *const labels[SKILL_LEVELS] = {
		N_("None"), N_("Beginner"), N_("Basic"), N_("Intermediate"), N_("Advanced")};
	int64_t v[SKILL_LEVELS + 1], known = 0;
	struct chart ch = {c, rtl, false, 0, NULL};
	json_t *o;

	for (int i = 0; i < SKILL_LEVELS; i++)
		known += v[i] = f->skill[i];
	v[SKILL_LEVELS] = f->teachers > known ? f->teachers - known : 0;
	ch.max = max_of(v, SKILL_LEVELS + 1);
	o = chart_new(&ch, "skills", _("Teachers' digital skills"));
	for (int i = 0; i < SKILL_LEVELS; i++)
		bar(&ch, _(labels[i]), v[i], 0, skill_classes[i]);
	bar(&ch, _("Not recorded"), v[SKILL_LEVELS], 0, "unknown");
	return chart_end(&ch, o);
}

static json_t *chart_conn(struct ctx *c, const struct figures *f, bool rtl)
{
	struct chart ch = {c, rtl, false, max_of(f->conn, CONN__COUNT), NULL};
	json_t *o = chart_new(&ch, "conn", _("Schools by connection"));

	for (int i = 0; i < CONN__COUNT; i++)
		bar(&ch, _(conn_labels[i]), f->conn[i], 0, conn_classes[i]);
	return chart_end(&ch, o);
}

static json_t *kpi(const char *label, int64_t value)
{
	json_t *o = json_object();

	web_set_str(o, "label", label);
	web_set_int(o, "value", value);
	return o;
}

static json_t *kpis(struct ctx *c, const struct figures *f)
{
	json_t *a = json_array();

	json_array_append_new(a, kpi(_("Learners"), f->learners));
	json_array_append_new(a, kpi(_("Teachers"), f->teachers));
	json_array_append_new(a, kpi(_("Guardians"), f->guardians));
	json_array_append_new(a, kpi(_("Schools"), f->schools));
	return a;
}

/* The map's layers, one per kind of connection, from the path data of
 * region_stats (a line per kind). */
static json_t *map_layers(struct ctx *c, const struct region *r)
{
	json_t *layers = json_array();
	const char *p = r->map_dots ? r->map_dots : "";

	for (int k = 0; k < CONN__COUNT; k++) {
		size_t len = strcspn(p, "\n");
		json_t *o = json_object();
		web_set_str(o, "k", registry_connectivity[k]);
		web_set_str(o, "label", _(conn_labels[k]));
		web_set_int(o, "count", r->f.conn[k]);
		json_object_set_new_nocheck(o, "d", json_stringn_nocheck(p, len));
		json_array_append_new(layers, o);
		p += len + (p[len] == '\n');
	}
	return layers;
}

static json_t *chart_map(struct ctx *c, const struct region *r)
{
	int64_t shown = r->map_schools < MAP_DOTS ? r->map_schools : MAP_DOTS;
	json_t *o;

	if (r->map_schools <= 0)
		return json_null();
	o = json_object();

	web_set_int(o, "w", r->map_width);
	web_set_int(o, "h", r->map_height);
	web_set_int(o, "schools", r->f.schools);
	web_set_int(o, "placed", r->map_schools);
	web_set_int(o, "shown", shown);
	web_set_bool(o, "sampled", shown < r->map_schools);
	web_set_int(o, "unplaced", r->f.schools - r->map_schools);
	json_object_set_new_nocheck(o, "layers", map_layers(c, r));
	return o;
}

json_t *chart_region(struct ctx *c, const struct region *r, bool rtl)
{
	const struct figures *f = &r->f;
	json_t *charts = json_array(), *o = json_object();

	json_array_append_new(charts, chart_kinds(c, f, rtl));
	json_array_append_new(charts, chart_shares(c, f, rtl));
	json_array_append_new(charts, chart_skills(c, f, rtl));
	json_array_append_new(charts, chart_conn(c, f, rtl));
	json_object_set_new_nocheck(o, "kpis", kpis(c, f));
	json_object_set_new_nocheck(o, "charts", charts);
	json_object_set_new_nocheck(o, "map", chart_map(c, r));
	return o;
}

json_t *chart_children(const struct region *kids, int n)
{
	json_t *a = json_array();

	for (int i = 0; i < n; i++) {
		const struct figures *f = &kids[i].f;
		json_t *o = json_object();
		web_set_str(o, "code", kids[i].code);
		web_set_str(o, "name", kids[i].name);
		web_set_int(o, "learners", f->learners);
		web_set_int(o, "teachers", f->teachers);
		web_set_int(o, "schools", f->schools);
		web_set_int(o, "connected_pct", chart_pct(f->connected, f->schools));
		web_set_int(o, "equipped_pct", chart_pct(f->equipped, f->schools));
		json_array_append_new(a, o);
	}
	return a;
}
