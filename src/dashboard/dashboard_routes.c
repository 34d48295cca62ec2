/*
 * dashboard_routes.c — region pages, the stats API, downloads and the
 * refresh job. Each handler finds the region, asks auth_can whether the
 * caller may see aggregates there (the region's codes from the top are
 * its scope), and answers; the figures are read, never computed, here.
 */
#include <ctype.h>
#include <string.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/log.h"
#include "dashboard/dashboard_int.h"
#include "dashboard/dashboard_routes.h"
#include "registry/registry.h"
#include "web/page.h"
#include "web/web.h"
#include "base/banned.h"

#define SCHOOLS_PAGE 50

const struct field dashboard_in_region[] = {
	{"cursor", F_STR, false, 0, 100, NULL, "the schools list's next page"},
	{0}};

static const char *const level_labels[] = {N_("Country"), N_("Province"), N_("District"), N_("Village")};
static const char *const level_plurals[] = {N_("Provinces"), N_("Districts"), N_("Villages"), N_("Regions")};
static const char *const conn_labels[CONN__COUNT] = {
	N_("No connection"), N_("2G"), N_("3G"), N_("4G"), N_("Fibre"), N_("Satellite")};

static const char *level_label(const struct ctx *c, const char *level)
{
	int i = registry_index(registry_levels, level);
	return i >= 0 ? _(level_labels[i]) : level;
}

/* The heading over a region's children: the level below its own. */
static const char *children_label(const struct ctx *c, const char *level)
{
	int i = registry_index(registry_levels, level);
	return _(level_plurals[i >= 0 && i < 3 ? i : 3]);
}

/* Where a region sits, for auth_can: its codes from the top. */
static struct scope region_scope(struct req *r, const struct region *reg)
{
	struct scope sc = {0};
	const char **codes;

	sc.depth = region_scope_path(&r->c, reg, &codes);
	sc.path = codes;
	return sc;
}

/* Finds the region of the :code parameter and checks that the caller may
 * see its aggregates. 0, or the status of the error answered. */
static int region_or_respond(struct req *r, struct region *reg)
{
	const struct ctx *c = &r->c;
	struct scope sc;
	enum err rc;

	if ((rc = region_by_code(&r->c, req_param(r, "code"), r->c.lang, reg)) != OK)
		return req_fail(r, rc);
	sc = region_scope(r, reg);
	if (!auth_can(r->c.user, ACT_AGGREGATE_READ, &sc))
		return req_error(r, 403, "forbidden", NULL, _("This region is outside your scope."));
	return 0;
}

static bool may_list_schools(struct req *r, const struct region *reg)
{
	struct scope sc = region_scope(r, reg);

	return auth_can(r->c.user, ACT_REGISTRY_READ, &sc);
}

/* ---- pages ---- */

int dashboard_page_root(struct req *r)
{
	const struct ctx *c = &r->c;
	const struct user *u = r->c.user;
	struct region reg;
	const char *code;
	enum err rc;

	/* An officer starts at their own region; everyone else at the top. */
	if (u && u->scope[0] && region_by_code(&r->c, u->scope, r->c.lang, &reg) == OK)
		return req_redirect(r, arena_printf(r->c.arena, "/regions/%s", reg.code));
	err_clear(&r->c.err);
	rc = region_root_code(&r->c, &code);
	if (rc == ERR_NOTFOUND)
		return web_page(r, 200, "regions", _("Regions"), NULL);
	if (rc != OK)
		return req_fail(r, rc);
	return req_redirect(r, arena_printf(r->c.arena, "/regions/%s", code));
}

static json_t *crumbs(struct req *r, const struct region *reg)
{
	const struct ctx *c = &r->c;
	struct region *up;
	json_t *a = json_array();
	int n;

	if (region_ancestors(&r->c, reg, r->c.lang, &up, &n) != OK) {
		err_clear(&r->c.err);
		return a; /* the page is still worth showing without its breadcrumb */
	}
	for (int i = 0; i < n; i++) {
		json_t *o = json_object();
		web_set_str(o, "code", up[i].code);
		web_set_str(o, "name", up[i].name);
		web_set_str(o, "level_label", level_label(c, up[i].level));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *school_json(const struct ctx *c, const struct school_item *s)
{
	int k = registry_index(registry_connectivity, s->connectivity);
	json_t *o = json_object();

	web_set_str(o, "id", s->id);
	web_set_str(o, "code", s->code);
	web_set_str(o, "name", s->name);
	web_set_bool(o, "boarding", s->boarding);
	web_set_bool(o, "nomadic", s->nomadic);
	web_set_bool(o, "rural", s->rural);
	web_set_str(o, "conn", k >= 0 ? registry_connectivity[k] : "none");
	web_set_str(o, "conn_label", _(conn_labels[k >= 0 ? k : 0]));
	web_set_bool(o, "electricity", strcmp(s->electricity, "none") != 0);
	if (s->has_learners)
		web_set_int(o, "learners", s->learners);
	if (s->has_teachers)
		web_set_int(o, "teachers", s->teachers);
	return o;
}

/* The schools list, at district and village level, for those who may read
 * the registry there. 0, or the status of the error answered. */
static int schools_or_respond(struct req *r, const struct region *reg, json_t *d)
{
	const struct ctx *c = &r->c;
	struct school_item *list;
	int64_t after, next;
	int n, st;
	json_t *a;
	enum err rc;

	if ((strcmp(reg->level, "district") && strcmp(reg->level, "village")) || !may_list_schools(r, reg))
		return 0;
	if ((st = req_cursor_or_respond(r, &after)))
		return st;
	if ((rc = region_schools(&r->c, reg, after, SCHOOLS_PAGE, &list, &n, &next)) != OK)
		return req_fail(r, rc);
	a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, school_json(c, &list[i]));
	json_object_set_new(d, "show_schools", json_true());
	json_object_set_new(d, "schools", a);
	if (next)
		json_object_set_new(d, "schools_next", json_string(arena_printf(
			r->c.arena, "/regions/%s?cursor=%s#schools", reg->code, req_cursor_text(r, next))));
	return 0;
}

int dashboard_page_region(struct req *r)
{
	const struct ctx *c = &r->c;
	struct region reg, *kids;
	int n, st;
	json_t *d, *region;
	enum err rc;

	if ((st = region_or_respond(r, &reg)))
		return st;
	if ((rc = region_children(&r->c, &reg, r->c.lang, &kids, &n)) != OK)
		return req_fail(r, rc);
	d = chart_region(&r->c, &reg, web_lang_rtl(r->c.lang));
	region = json_object();
	web_set_str(region, "code", reg.code);
	web_set_str(region, "name", reg.name);
	web_set_str(region, "level", reg.level);
	web_set_str(region, "level_label", level_label(c, reg.level));
	json_object_set_new(d, "region", region);
	json_object_set_new(d, "crumbs", crumbs(r, &reg));
	json_object_set_new(d, "has_stats", json_boolean(reg.has_stats));
	if (reg.has_stats)
		json_object_set_new(d, "refreshed_at", json_string(reg.refreshed_at));
	json_object_set_new(d, "children", chart_children(kids, n));
	json_object_set_new(d, "children_label", json_string(children_label(c, reg.level)));
	if ((st = schools_or_respond(r, &reg, d))) {
		json_decref(d);
		return st;
	}
	return web_page(r, 200, "region", reg.name, d);
}

/* ---- downloads ---- */

/* "IR-07-figures.csv", with only safe characters from the code. */
static void attachment(struct req *r, const char *code, const char *what, const char *ext)
{
	char *name = arena_printf(r->c.arena, "%s-%s.%s", code, what, ext);

	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			*p = '_';
	req_set_header(r, "Content-Disposition", arena_printf(r->c.arena, "attachment; filename=\"%s\"", name));
}

static int send_table(struct req *r, const struct table *t, const char *code, const char *what, bool xlsx)
{
	enum err rc;

	attachment(r, code, what, xlsx ? "xlsx" : "csv");
	if (!xlsx) {
		table_csv(t, &r->out);
		r->ctype = "text/csv; charset=utf-8";
		return 200;
	}
	if ((rc = table_xlsx(&r->c, t, &r->out)) != OK) {
		log_msg(LOG_ERROR, r->c.req_id, "xlsx: %s", r->c.err.msg);
		return req_fail(r, rc);
	}
	r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
	return 200;
}

static int figures_download(struct req *r, bool xlsx)
{
	struct region reg;
	int st;

	if ((st = region_or_respond(r, &reg)))
		return st;
	return send_table(r, table_figures(&r->c, &reg), reg.code, "figures", xlsx);
}

static int children_download(struct req *r, bool xlsx)
{
	struct region reg, *kids;
	int n, st;
	enum err rc;

	if ((st = region_or_respond(r, &reg)))
		return st;
	if ((rc = region_children(&r->c, &reg, r->c.lang, &kids, &n)) != OK)
		return req_fail(r, rc);
	return send_table(r, table_children(&r->c, kids, n), reg.code, "regions", xlsx);
}

int dashboard_figures_csv(struct req *r) { return figures_download(r, false); }
int dashboard_figures_xlsx(struct req *r) { return figures_download(r, true); }
int dashboard_children_csv(struct req *r) { return children_download(r, false); }
int dashboard_children_xlsx(struct req *r) { return children_download(r, true); }

/* ---- API ---- */

int dashboard_api_stats(struct req *r)
{
	struct region reg;
	struct jw *w;
	int st;

	if ((st = region_or_respond(r, &reg)))
		return st;
	w = req_jw(r);
	jw_obj(w);
	jw_key(w, "region");
	jw_obj(w);
	jw_kstr(w, "code", reg.code);
	jw_kstr(w, "name", reg.name);
	jw_kstr(w, "level", reg.level);
	jw_end(w);
	jw_key(w, "refreshed_at");
	jw_str(w, reg.has_stats ? reg.refreshed_at : NULL);
	jw_key(w, "figures");
	if (reg.has_stats) {
		struct buf fig;
		buf_init(&fig, 1 << 16);
		figures_json(&reg.f, &fig);
		jw_raw(w, fig.p);
		buf_release(&fig);
	} else
		jw_null(w);
	jw_end(w);
	return req_json(r, 200);
}

int dashboard_api_refresh(struct req *r)
{
	char id[ID_LEN];
	struct job j;
	struct jw *w;
	enum err rc;

	if ((rc = jobs_submit(&r->c, "dashboard_refresh", "{}", id)) != OK || (rc = jobs_get(&r->c, id, &j)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Location", arena_printf(r->c.arena, "/api/v1/jobs/%s", id));
	w = req_jw(r);
	jw_obj(w);
	jw_kstr(w, "id", j.id);
	jw_kstr(w, "kind", j.kind);
	jw_kstr(w, "state", j.state);
	jw_kstr(w, "created_at", j.created_at);
	jw_end(w);
	return req_json(r, 202);
}

static void job_progress(void *arg, int64_t done, int64_t total)
{
	static const char *const steps[] = {"reading the registry", "computing the figures",
					    "writing the figures", "writing the figures", "done"};
	jobs_progress(arg, done, total, steps[done >= 0 && done <= 4 ? done : 4]);
}

enum err dashboard_job_refresh(struct ctx *c, struct job_run *run, json_t *params, struct buf *result)
{
	struct refresh_stats st;
	struct jw w;
	enum err rc;

	(void)params;
	if ((rc = dashboard_refresh_run(c, job_progress, run, &st)) != OK)
		return rc;
	jw_init(&w, result);
	jw_obj(&w);
	jw_kint(&w, "regions", st.regions);
	jw_kint(&w, "schools", st.schools);
	jw_kint(&w, "read_ms", st.read_ms);
	jw_kint(&w, "compute_ms", st.compute_ms);
	jw_kint(&w, "write_ms", st.write_ms);
	jw_kint(&w, "total_ms", st.total_ms);
	jw_end(&w);
	return OK;
}
