/*
 * dashboard.c — the refresh: region_stats rebuilt from the registry.
 *
 * Three reads in one snapshot — the regions, the schools (one row each:
 * the map and the equipment standard need them), and the people, counted
 * by school (or, for those without one, by home region) and role as they
 * stream past — then everything else in C: each region's own figures, the
 * tree rolled up from the villages to the country in one pass, each
 * region's map. One write transaction replaces every row of region_stats.
 *
 * The tree is walked in pre-order (a region, then its subtrees), so the
 * schools at or beneath any region are one run of the schools sorted by
 * their region's position: a region's map is a slice, not a search.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xmalloc.h"
#include "dashboard/dashboard_int.h"
#include "registry/registry.h"
#include "store/store.h"
#include "base/banned.h"

struct rnode {
	int64_t rid, parent_rid;
	int parent;             /* index, -1 for a top region */
	int first_child, next_sibling;
	int pre, end;           /* pre-order position; end: one past its subtree */
	struct figures f;
};

struct snode {
	int64_t sid;
	int region;             /* index into the regions */
	int conn;
	bool boarding, nomadic, rural, electricity, has_geo;
	int64_t devices, reported, counted; /* reported < 0: the school gave none */
	double lat, lon;
};

struct refresh {
	struct ctx *c;
	struct rnode *r;
	int nr;
	struct snode *s;
	int ns;
	struct figures unplaced;   /* people with neither school nor region */
	int64_t people;             /* people read */
	int *order;                /* region index by pre-order position */
	int npre;                  /* regions numbered (in the tree) */
};

bool dashboard_school_equipped(bool electricity, int64_t devices, int64_t learners)
{
	return electricity && devices >= 1 && devices * DASHBOARD_LEARNERS_PER_DEVICE >= learners;
}

/* ---- reading ---- */

static const char SQL_REGIONS[] = "SELECT rid, parent_rid FROM regions ORDER BY rid";

static const char SQL_SCHOOLS[] =
	"SELECT sid, region_rid, boarding, nomadic, rural, electricity, connectivity, "
	"computers + tablets, learners, lat, lon FROM schools ORDER BY sid";

/*
 * Every person, by school (or home region) and role. SQLite would group
 * these by sorting millions of rows into a temporary b-tree; counting
 * them in C during one scan is five times faster, and the scan needs no
 * index, so the figures do not ask for one that imports would pay for.
 */
static const char SQL_PEOPLE[] =
	"SELECT school_sid, region_rid, role, has_device, has_internet, digital_skills "
	"FROM people WHERE retired_at IS NULL";

static int cmp_rid(const void *key, const void *elem)
{
	int64_t k = *(const int64_t *)key, e = ((const struct rnode *)elem)->rid;
	return k < e ? -1 : k > e;
}

static int cmp_sid(const void *key, const void *elem)
{
	int64_t k = *(const int64_t *)key, e = ((const struct snode *)elem)->sid;
	return k < e ? -1 : k > e;
}

static int region_index(const struct refresh *x, int64_t rid)
{
	const struct rnode *n = bsearch(&rid, x->r, (size_t)x->nr, sizeof *x->r, cmp_rid);
	return n ? (int)(n - x->r) : -1;
}

static int school_index(const struct refresh *x, int64_t sid)
{
	const struct snode *n = bsearch(&sid, x->s, (size_t)x->ns, sizeof *x->s, cmp_sid);
	return n ? (int)(n - x->s) : -1;
}

static enum err read_regions(struct refresh *x)
{
	struct stmt *st;
	size_t cap = 256;
	enum err rc;

	if ((rc = store_query(x->c->store, &st, SQL_REGIONS, "")) != OK)
		return rc;
	x->r = xmalloc(cap * sizeof *x->r);
	while (store_next(st)) {
		if ((size_t)x->nr == cap)
			x->r = xrealloc(x->r, (cap *= 2) * sizeof *x->r);
		x->r[x->nr++] = (struct rnode){.rid = store_int(st, 0),
					       .parent_rid = store_null(st, 1) ? 0 : store_int(st, 1),
					       .parent = -1, .first_child = -1, .next_sibling = -1};
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	for (int i = 0; i < x->nr; i++)
		x->r[i].parent = x->r[i].parent_rid ? region_index(x, x->r[i].parent_rid) : -1;
	return OK;
}

static void school_row(struct refresh *x, struct stmt *st, struct snode *s)
{
	int conn = registry_index(registry_connectivity, store_text(st, 6));

	*s = (struct snode){
		.sid = store_int(st, 0),
		.region = region_index(x, store_int(st, 1)),
		.boarding = store_int(st, 2) != 0,
		.nomadic = store_int(st, 3) != 0,
		.rural = store_int(st, 4) != 0,
		.electricity = registry_index(registry_electricity, store_text(st, 5)) >= 0 &&
			       strcmp(store_text(st, 5), "none") != 0,
		.conn = conn < 0 ? CONN_NONE : conn,
		.devices = store_int(st, 7),
		.reported = store_null(st, 8) ? -1 : store_int(st, 8),
		.has_geo = !store_null(st, 9) && !store_null(st, 10),
	};
	if (s->has_geo) {
		s->lat = strtod(store_text(st, 9), NULL);
		s->lon = strtod(store_text(st, 10), NULL);
	}
}

static enum err read_schools(struct refresh *x)
{
	struct stmt *st;
	size_t cap = 1024;
	enum err rc;

	if ((rc = store_query(x->c->store, &st, SQL_SCHOOLS, "")) != OK)
		return rc;
	x->s = xmalloc(cap * sizeof *x->s);
	while (store_next(st)) {
		if ((size_t)x->ns == cap)
			x->s = xrealloc(x->s, (cap *= 2) * sizeof *x->s);
		school_row(x, st, &x->s[x->ns++]);
	}
	return store_done(st);
}

/* Adds one person to f. */
static void add_person(struct figures *f, const char *role, struct stmt *st)
{
	bool device = store_int(st, 3) == 1, internet = store_int(st, 4) == 1;

	switch (role[0]) {
	case 'l': /* learner */
		f->learners++;
		f->learners_device += device;
		f->learners_internet += internet;
		break;
	case 't': /* teacher */
		f->teachers++;
		f->teachers_device += device;
		if (!store_null(st, 5) && store_int(st, 5) >= 0 && store_int(st, 5) < SKILL_LEVELS)
			f->skill[store_int(st, 5)]++;
		break;
	case 'g': /* guardian */
		f->guardians++;
		break;
	default:  /* adult learners are not among the figures */
		break;
	}
}

/* The last school and region looked up: people come in runs of the same. */
struct place_cache {
	int64_t sid, rid;
	int school, region;
};

static enum err read_people(struct refresh *x)
{
	struct place_cache pc = {-1, -1, -1, -1};
	struct stmt *st;
	enum err rc;

	if ((rc = store_query(x->c->store, &st, SQL_PEOPLE, "")) != OK)
		return rc;
	while (store_next(st)) {
		const char *role = store_text(st, 2);
		int s = -1, r = -1;
		if (!store_null(st, 0)) {
			int64_t sid = store_int(st, 0);
			if (sid != pc.sid)
				pc = (struct place_cache){sid, -1, school_index(x, sid), -1};
			s = pc.school;
		}
		if (s >= 0)
			r = x->s[s].region;
		else if (!store_null(st, 1)) {
			int64_t rid = store_int(st, 1);
			if (rid != pc.rid)
				pc = (struct place_cache){-1, rid, -1, region_index(x, rid)};
			r = pc.region;
		}
		x->people++;
		if (s >= 0 && role[0] == 'l')
			x->s[s].counted++;
		add_person(r >= 0 ? &x->r[r].f : &x->unplaced, role, st);
	}
	return store_done(st);
}

/* ---- computing ---- */

static void count_school(struct figures *f, const struct snode *s)
{
	f->schools++;
	f->boarding += s->boarding;
	f->nomadic += s->nomadic;
	f->rural += s->rural;
	f->conn[s->conn]++;
	f->connected += s->conn != CONN_NONE;
	f->equipped += dashboard_school_equipped(s->electricity, s->devices,
						 s->reported >= 0 ? s->reported : s->counted);
}

/* Numbers the tree under root in pre-order without recursion, and closes
 * each subtree (end) as the walk leaves it. */
static void number_tree(struct refresh *x, int root, int *pos)
{
	int i = root;

	for (;;) {
		x->r[i].pre = *pos;
		x->order[(*pos)++] = i;
		if (x->r[i].first_child >= 0) {
			i = x->r[i].first_child;
			continue;
		}
		for (;;) {
			x->r[i].end = *pos;
			if (i == root)
				return;
			if (x->r[i].next_sibling >= 0) {
				i = x->r[i].next_sibling;
				break;
			}
			i = x->r[i].parent;
		}
	}
}

/* Links children (in rid order) and numbers every tree. Regions caught in
 * a cycle are reached from no top region: they keep pre = -1 and get no
 * figures (the registry does not let one be made). */
static void preorder(struct refresh *x)
{
	int pos = 0;

	for (int i = x->nr - 1; i >= 0; i--) {
		x->r[i].pre = x->r[i].end = -1;
		if (x->r[i].parent >= 0) {
			x->r[i].next_sibling = x->r[x->r[i].parent].first_child;
			x->r[x->r[i].parent].first_child = i;
		}
	}
	x->order = xmalloc(((size_t)x->nr + 1) * sizeof *x->order);
	for (int i = 0; i < x->nr; i++)
		if (x->r[i].parent < 0)
			number_tree(x, i, &pos);
	x->npre = pos;
}

/* Each region's own schools, then every region into its parent, children
 * before parents (reverse pre-order). */
static void roll_up(struct refresh *x)
{
	for (int i = 0; i < x->ns; i++)
		if (x->s[i].region >= 0)
			count_school(&x->r[x->s[i].region].f, &x->s[i]);
	if (x->npre > 0)
		figures_add(&x->r[x->order[0]].f, &x->unplaced);
	for (int p = x->npre - 1; p >= 0; p--) {
		const struct rnode *n = &x->r[x->order[p]];
		if (n->parent >= 0)
			figures_add(&x->r[n->parent].f, &n->f);
	}
}

/* ---- maps ---- */

struct geo {
	int key;                /* the pre-order position of the school's region */
	int school;
};

static int cmp_geo(const void *a, const void *b)
{
	const struct geo *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->school < y->school ? -1 : x->school > y->school;
}

/* The schools with coordinates, in the order of the tree. */
static struct geo *geo_sorted(const struct refresh *x, int *n)
{
	struct geo *g = xmalloc(((size_t)x->ns + 1) * sizeof *g);

	*n = 0;
	for (int i = 0; i < x->ns; i++)
		if (x->s[i].has_geo && x->s[i].region >= 0 && x->r[x->s[i].region].pre >= 0)
			g[(*n)++] = (struct geo){x->r[x->s[i].region].pre, i};
	qsort(g, (size_t)*n, sizeof *g, cmp_geo);
	return g;
}

/* The first position in g[0..n) whose key is at least key. */
static int lower_bound(const struct geo *g, int n, int key)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (g[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct proj {
	double minlon, maxlat, kx, scale, ox, oy;
	int width, height;
};

/* Fits an equirectangular projection (longitudes shrunk by the cosine of
 * the middle latitude) of the schools' bounding box into the map box. */
static void fit(const struct refresh *x, const struct geo *g, int n, struct proj *p)
{
	double minlat = 90, maxlat = -90, minlon = 180, maxlon = -180, dx, dy;

	for (int i = 0; i < n; i++) {
		const struct snode *s = &x->s[g[i].school];
		minlat = fmin(minlat, s->lat);
		maxlat = fmax(maxlat, s->lat);
		minlon = fmin(minlon, s->lon);
		maxlon = fmax(maxlon, s->lon);
	}
	/* A margin of a tenth on every side (and a box of at least about 2 km)
	 * keeps dots off the frame and a lone school in the middle. */
	p->kx = cos((minlat + maxlat) / 2 * M_PI / 180);
	dx = fmax((maxlon - minlon) * p->kx, 0.02);
	dy = fmax(maxlat - minlat, 0.02);
	minlat -= dy / 10;
	maxlat += dy / 10;
	minlon -= dx / 10 / p->kx;
	maxlon += dx / 10 / p->kx;
	dx *= 1.2;
	dy *= 1.2;
	/* As large as the box allows; a tall region gets a narrower map. */
	p->scale = fmin((MAP_WIDTH - 2 * MAP_PAD) / dx, (MAP_HEIGHT_MAX - 2 * MAP_PAD) / dy);
	p->width = (int)lround(dx * p->scale) + 2 * MAP_PAD;
	p->height = (int)lround(dy * p->scale) + 2 * MAP_PAD;
	if (p->width < MAP_WIDTH_MIN)
		p->width = MAP_WIDTH_MIN;
	if (p->height < MAP_HEIGHT_MIN)
		p->height = MAP_HEIGHT_MIN;
	p->ox = (p->width - (maxlon - minlon) * p->kx * p->scale) / 2;
	p->oy = (p->height - (maxlat - minlat) * p->scale) / 2;
	p->minlon = minlon;
	p->maxlat = maxlat;
}

/*
 * Writes the dots of an even sample of at most MAP_DOTS of the n schools
 * as SVG path data, one line per kind of connection (in the order of
 * registry_connectivity): "M120 40h0m7 -3h0…". A zero-length segment with
 * round caps is a dot, and a path of them costs a page a few bytes a
 * school, where an element per school would cost thirty.
 */
static void map_dots(const struct refresh *x, const struct geo *g, int n, const struct proj *p,
		     struct buf *lines, struct buf *out)
{
	int shown = n < MAP_DOTS ? n : MAP_DOTS;
	long lx[CONN__COUNT], ly[CONN__COUNT];

	for (int k = 0; k < CONN__COUNT; k++)
		buf_reset(&lines[k]);
	for (int i = 0; i < shown; i++) {
		const struct snode *s = &x->s[g[(int64_t)i * n / shown].school];
		long px = lround(p->ox + (s->lon - p->minlon) * p->kx * p->scale);
		long py = lround(p->oy + (p->maxlat - s->lat) * p->scale);
		struct buf *b = &lines[s->conn];
		if (b->len == 0)
			buf_printf(b, "M%ld %ldh0", px, py);
		else
			buf_printf(b, "m%ld %ldh0", px - lx[s->conn], py - ly[s->conn]);
		lx[s->conn] = px;
		ly[s->conn] = py;
	}
	for (int k = 0; k < CONN__COUNT; k++) {
		buf_add(out, lines[k].p, lines[k].len);
		buf_addc(out, '\n');
	}
}

/* ---- writing ---- */

static const char SQL_CLEAR[] = "DELETE FROM region_stats";
static const char SQL_INSERT[] =
	"INSERT INTO region_stats (region_rid, figures, map_schools, map_width, map_height, map_dots, refreshed_at) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static enum err write_region(struct refresh *x, const struct rnode *n, const struct geo *g, int ng,
			     const char *now, struct buf *fig, struct buf *dots, struct buf *lines)
{
	int lo = lower_bound(g, ng, n->pre), hi = lower_bound(g, ng, n->end);
	struct proj p = {0};

	buf_reset(fig);
	buf_reset(dots);
	figures_json(&n->f, fig);
	if (hi > lo) {
		fit(x, g + lo, hi - lo, &p);
		map_dots(x, g + lo, hi - lo, &p, lines, dots);
	}
	if (fig->err || dots->err) /* a line holds at most MAP_DOTS dots of < 24 bytes */
		return ctx_fail(x->c, ERR_INTERNAL, NULL, "region figures too large");
	return store_exec(x->c->store, SQL_INSERT, "itiiitt", n->rid, fig->p, (int64_t)(hi - lo),
			  (int64_t)p.width, (int64_t)p.height, dots->p, now);
}

/* What the write transaction needs besides the refresh. */
struct writing {
	struct refresh *x;
	const struct geo *g;
	int ng;
	char now[TIME_ISO_LEN];
	struct buf fig, dots, lines[CONN__COUNT];
};

static enum err write_rows(struct ctx *c, void *arg)
{
	struct writing *w = arg;
	enum err rc;

	if ((rc = store_exec(c->store, SQL_CLEAR, "")) != OK)
		return rc;
	for (int p = 0; p < w->x->npre && rc == OK; p++)
		rc = write_region(w->x, &w->x->r[w->x->order[p]], w->g, w->ng, w->now, &w->fig, &w->dots, w->lines);
	return rc;
}

static enum err write_all(struct refresh *x)
{
	struct writing w = {.x = x};
	struct geo *g = geo_sorted(x, &w.ng);
	enum err rc;

	w.g = g;
	buf_init(&w.fig, 1 << 16);
	buf_init(&w.dots, (size_t)MAP_DOTS * 24);
	for (int k = 0; k < CONN__COUNT; k++)
		buf_init(&w.lines[k], (size_t)MAP_DOTS * 24);
	time_now_iso(w.now);
	rc = ctx_tx(x->c, write_rows, &w);
	buf_release(&w.fig);
	buf_release(&w.dots);
	for (int k = 0; k < CONN__COUNT; k++)
		buf_release(&w.lines[k]);
	free(g);
	return rc;
}

static enum err read_all(struct refresh *x)
{
	enum err rc;

	if ((rc = store_begin_read(x->c->store)) != OK)
		return rc;
	if ((rc = read_regions(x)) == OK && (rc = read_schools(x)) == OK)
		rc = read_people(x);
	if (rc == OK)
		return store_commit(x->c->store);
	store_rollback(x->c->store);
	return rc;
}

static int64_t ms_since(uint64_t t0)
{
	return (int64_t)((time_mono_ns() - t0) / 1000000);
}

static void step(void (*progress)(void *, int64_t, int64_t), void *arg, int64_t done)
{
	if (progress)
		progress(arg, done, 4);
}

enum err dashboard_refresh_run(struct ctx *c, void (*progress)(void *arg, int64_t done, int64_t total),
			       void *arg, struct refresh_stats *st)
{
	struct refresh x = {.c = c};
	uint64_t t0 = time_mono_ns(), t1, t2;
	enum err rc;

	memset(st, 0, sizeof *st);
	step(progress, arg, 0);
	if ((rc = read_all(&x)) != OK)
		goto out;
	t1 = time_mono_ns();
	step(progress, arg, 1);
	preorder(&x);
	roll_up(&x);
	t2 = time_mono_ns();
	step(progress, arg, 2);
	rc = write_all(&x);
	step(progress, arg, 4);
	st->read_ms = (int64_t)((t1 - t0) / 1000000);
	st->compute_ms = (int64_t)((t2 - t1) / 1000000);
	st->write_ms = ms_since(t2);
out:
	st->regions = x.npre;
	st->schools = x.ns;
	st->people = x.people;
	st->total_ms = ms_since(t0);
	free(x.r);
	free(x.s);
	free(x.order);
	return rc;
}

enum err dashboard_refresh(struct ctx *c)
{
	struct refresh_stats st;
	enum err rc = dashboard_refresh_run(c, NULL, NULL, &st);

	if (rc == OK)
		log_msg(LOG_INFO, c->req_id, "dashboard refresh: %lld regions, %lld schools, %lld people "
			"in %lld ms (read %lld, compute %lld, write %lld)", (long long)st.regions,
			(long long)st.schools, (long long)st.people, (long long)st.total_ms,
			(long long)st.read_ms, (long long)st.compute_ms, (long long)st.write_ms);
	return rc;
}
