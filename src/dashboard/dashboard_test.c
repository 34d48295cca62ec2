/*
 * dashboard_test.c — the refresh over a small tree built with SQL, checked
 * figure by figure (each region's own, and every parent the exact sum of
 * its children), where people without a school are counted, the
 * equipment standard at its edges, the maps (projection, sampling, a
 * region without coordinates), a broken tree that must not hang, the
 * reads a page makes, the figures' JSON both ways, and CSV escaping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "base/arena.h"
#include "base/log.h"
#include "dashboard/dashboard_int.h"
#include "store/store.h"
#include "base/banned.h"

struct fixture {
	char *dir;
	struct ctx c;
};

#define T0 "'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 1"

/* C ─ P1 ─ D11 ─ V111, V112
 *   │    └ D12 ─ V121
 *   └ P2 ─ D21 ─ V211   (and one school right in D21) */
static const char SQL_REGIONS[] =
	"INSERT INTO regions (rid, id, code, parent_rid, level, depth, path, name, name_fold, names, "
	"created_at, updated_at, seq) VALUES "
	"(1, 'r1', 'C', NULL, 'country', 0, '/C/', 'Country', 'country', '{\"fa\":\"کشور\"}', " T0 "),"
	"(2, 'r2', 'P1', 1, 'province', 1, '/C/P1/', 'P one', 'p one', '{}', " T0 "),"
	"(3, 'r3', 'P2', 1, 'province', 1, '/C/P2/', 'P two', 'p two', '{}', " T0 "),"
	"(4, 'r4', 'D11', 2, 'district', 2, '/C/P1/D11/', 'D11', 'd11', '{}', " T0 "),"
	"(5, 'r5', 'D12', 2, 'district', 2, '/C/P1/D12/', 'D12', 'd12', '{}', " T0 "),"
	"(6, 'r6', 'D21', 3, 'district', 2, '/C/P2/D21/', 'D21', 'd21', '{}', " T0 "),"
	"(7, 'r7', 'V111', 4, 'village', 3, '/C/P1/D11/V111/', 'V111', 'v111', '{}', " T0 "),"
	"(8, 'r8', 'V112', 4, 'village', 3, '/C/P1/D11/V112/', 'V112', 'v112', '{}', " T0 "),"
	"(9, 'r9', 'V121', 5, 'village', 3, '/C/P1/D12/V121/', 'V121', 'v121', '{}', " T0 "),"
	"(10, 'r10', 'V211', 6, 'village', 3, '/C/P2/D21/V211/', 'V211', 'v211', '{}', " T0 ")";

/* sid, region, kinds, electricity, connectivity, devices, reported learners, place. */
static const char SQL_SCHOOLS[] =
	"INSERT INTO schools (sid, id, code, name, name_fold, region_rid, boarding, nomadic, rural, electricity, "
	"connectivity, computers, tablets, learners, lat, lon, created_at, updated_at, seq) VALUES "
	/* 2 computers for 40 learners: exactly the standard. */
	"(1, 's1', 'S1', 'S1', 's1', 7, 1, 0, 1, 'grid', '4g', 2, 0, 40, 35.0, 51.0, " T0 "),"
	/* Devices but no electricity: not equipped. */
	"(2, 's2', 'S2', 'S2', 's2', 7, 0, 1, 0, 'none', '2g', 5, 0, NULL, 35.05, 51.1, " T0 "),"
	/* Reports no head count: its 3 registered learners count; one tablet is enough. */
	"(3, 's3', 'S3', 'S3', 's3', 8, 0, 0, 1, 'solar', 'none', 0, 1, NULL, 35.2, 51.3, " T0 "),"
	/* No device at all; no coordinates. */
	"(4, 's4', 'S4', 'S4', 's4', 9, 0, 0, 0, 'grid', 'fibre', 0, 0, 0, NULL, NULL, " T0 "),"
	/* One computer for 21 learners: one short. Sits in the district itself. */
	"(5, 's5', 'S5', 'S5', 's5', 6, 0, 0, 0, 'grid', 'satellite', 1, 0, 21, 36.0, 52.0, " T0 "),"
	"(6, 's6', 'S6', 'S6', 's6', 10, 0, 0, 0, 'grid', '3g', 1, 0, 20, 36.1, 52.2, " T0 ")";

static const char SQL_PEOPLE[] =
	"INSERT INTO people (id, role, given_name, family_name, name_fold, school_sid, region_rid, has_device, "
	"has_internet, digital_skills, retired_at, created_at, updated_at, seq) VALUES "
	"('l1', 'learner', 'a', 'b', 'b a', 1, 7, 1, 1, NULL, NULL, " T0 "),"
	"('l2', 'learner', 'a', 'b', 'b a', 1, 7, 1, 0, NULL, NULL, " T0 "),"
	"('l3', 'learner', 'a', 'b', 'b a', 1, 7, 0, NULL, NULL, NULL, " T0 "),"
	"('l4', 'learner', 'a', 'b', 'b a', 1, NULL, NULL, NULL, NULL, NULL, " T0 "),"
	"('l5', 'learner', 'a', 'b', 'b a', 3, 8, 1, 0, NULL, NULL, " T0 "),"
	"('l6', 'learner', 'a', 'b', 'b a', 3, 8, 0, 0, NULL, NULL, " T0 "),"
	"('l7', 'learner', 'a', 'b', 'b a', 3, 8, 0, 0, NULL, NULL, " T0 "),"
	"('l8', 'learner', 'a', 'b', 'b a', 6, 10, 0, 0, NULL, NULL, " T0 "),"
	"('l9', 'learner', 'a', 'b', 'b a', 6, 10, 0, 1, NULL, NULL, " T0 "),"
	/* Out of school, living in V121. */
	"('l10', 'learner', 'a', 'b', 'b a', NULL, 9, 1, 1, NULL, NULL, " T0 "),"
	/* At school S4 (in V121) though living in V111: counted where the school is. */
	"('l11', 'learner', 'a', 'b', 'b a', 4, 7, 0, 0, NULL, NULL, " T0 "),"
	/* Retired, and an adult learner: in no figure. */
	"('l12', 'learner', 'a', 'b', 'b a', 1, 7, 1, 1, NULL, '2026-02-01', " T0 "),"
	"('a1', 'adult', 'a', 'b', 'b a', 1, 7, 1, 1, NULL, NULL, " T0 "),"
	"('t1', 'teacher', 'a', 'b', 'b a', 1, 7, 1, NULL, 0, NULL, " T0 "),"
	"('t2', 'teacher', 'a', 'b', 'b a', 1, 7, 0, NULL, 4, NULL, " T0 "),"
	"('t3', 'teacher', 'a', 'b', 'b a', 5, NULL, 1, NULL, NULL, NULL, " T0 "),"
	"('t4', 'teacher', 'a', 'b', 'b a', 6, 10, 0, NULL, 2, NULL, " T0 "),"
	"('g1', 'guardian', 'a', 'b', 'b a', NULL, 7, NULL, NULL, NULL, NULL, " T0 "),"
	"('g2', 'guardian', 'a', 'b', 'b a', NULL, 7, NULL, NULL, NULL, NULL, " T0 "),"
	"('g3', 'guardian', 'a', 'b', 'b a', NULL, 7, NULL, NULL, NULL, NULL, " T0 "),"
	/* Neither school nor region: only in the country's totals. */
	"('g4', 'guardian', 'a', 'b', 'b a', NULL, NULL, NULL, NULL, NULL, NULL, " T0 ")";

static const char SQL_STATS[] =
	"SELECT figures, map_schools, map_width, map_height, map_dots FROM region_stats WHERE region_rid = "
	"(SELECT rid FROM regions WHERE code = ?1)";
static const char SQL_COUNT_STATS[] = "SELECT COUNT(*) FROM region_stats";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	struct errinfo ei = {0};

	f->dir = unit_temp_dir();
	assert_non_null(f->dir);
	assert_int_equal(store_open(f->dir, true, &f->c.store, &ei), OK);
	f->c.arena = arena_new();
	f->c.lang = "en";
	f->c.ip = "";
	f->c.req_id = "test";
	assert_int_equal(store_exec(f->c.store, SQL_REGIONS, ""), OK);
	assert_int_equal(store_exec(f->c.store, SQL_SCHOOLS, ""), OK);
	assert_int_equal(store_exec(f->c.store, SQL_PEOPLE, ""), OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	store_close(f->c.store);
	arena_free(f->c.arena);
	unit_remove_dir(f->dir);
	free(f);
	return 0;
}

struct stats {
	struct figures f;
	int64_t map_schools, map_width, map_height, dots;
	int lines;
};

static struct stats stats_of(struct fixture *fx, const char *code)
{
	struct stats s = {0};
	struct stmt *st;

	assert_int_equal(store_query(fx->c.store, &st, SQL_STATS, "t", code), OK);
	assert_true(store_next(st));
	assert_true(figures_parse(store_text(st, 0), &s.f));
	s.map_schools = store_int(st, 1);
	s.map_width = store_int(st, 2);
	s.map_height = store_int(st, 3);
	for (const char *p = store_text(st, 4); *p; p++) {
		s.dots += p[0] == 'h' && p[1] == '0';
		s.lines += *p == '\n';
	}
	assert_int_equal(store_done(st), OK);
	return s;
}

static void refresh(struct fixture *fx)
{
	struct refresh_stats st;

	assert_int_equal(dashboard_refresh_run(&fx->c, NULL, NULL, &st), OK);
	assert_int_equal(st.regions, 10);
}

static void assert_sum(struct fixture *fx, const char *parent, const char *const *kids, int n)
{
	struct figures sum = {0};
	struct stats p = stats_of(fx, parent);

	for (int i = 0; i < n; i++) {
		struct stats k = stats_of(fx, kids[i]);
		figures_add(&sum, &k.f);
	}
	assert_memory_equal(&p.f, &sum, sizeof sum);
}

/* ---- the refresh ---- */

static void test_village_figures(void **state)
{
	struct fixture *fx = *state;
	struct stats v;

	refresh(fx);
	v = stats_of(fx, "V111");
	assert_int_equal(v.f.schools, 2);
	assert_int_equal(v.f.boarding, 1);
	assert_int_equal(v.f.nomadic, 1);
	assert_int_equal(v.f.rural, 1);
	assert_int_equal(v.f.connected, 2);
	assert_int_equal(v.f.equipped, 1);
	assert_int_equal(v.f.learners, 4);         /* l1–l4; not l11 (school elsewhere), l12, a1 */
	assert_int_equal(v.f.learners_device, 2);
	assert_int_equal(v.f.learners_internet, 1);
	assert_int_equal(v.f.teachers, 2);
	assert_int_equal(v.f.skill[0], 1);
	assert_int_equal(v.f.skill[4], 1);
	assert_int_equal(v.f.teachers_device, 1);
	assert_int_equal(v.f.guardians, 3);
	assert_int_equal(v.f.conn[CONN_4G], 1);
	assert_int_equal(v.f.conn[CONN_2G], 1);

	v = stats_of(fx, "V112");
	assert_int_equal(v.f.equipped, 1);         /* one tablet, three registered learners */
	assert_int_equal(v.f.connected, 0);
	assert_int_equal(v.f.conn[CONN_NONE], 1);
	assert_int_equal(v.f.learners, 3);

	v = stats_of(fx, "V121");
	assert_int_equal(v.f.learners, 2);         /* l10 out of school, l11 at S4 */
	assert_int_equal(v.f.learners_device, 1);
	assert_int_equal(v.f.equipped, 0);
	assert_int_equal(v.map_schools, 0);        /* S4 has no coordinates */
}

static void test_roll_up(void **state)
{
	struct fixture *fx = *state;
	static const char *const d11[] = {"V111", "V112"}, *const d12[] = {"V121"}, *const p1[] = {"D11", "D12"},
			  *const p2[] = {"D21"};
	struct stats d21, c;

	refresh(fx);
	assert_sum(fx, "D11", d11, 2);
	assert_sum(fx, "D12", d12, 1);
	assert_sum(fx, "P1", p1, 2);
	assert_sum(fx, "P2", p2, 1);
	/* D21 holds a school of its own besides its village's. */
	d21 = stats_of(fx, "D21");
	assert_int_equal(d21.f.schools, 2);
	assert_int_equal(d21.f.equipped, 1);       /* S6 meets the standard, S5 is one device short */
	assert_int_equal(d21.f.teachers, 2);
	assert_int_equal(d21.f.skill[2], 1);
	assert_int_equal(d21.f.conn[CONN_SATELLITE], 1);
	/* The country: both provinces and the guardian who lives nowhere known. */
	c = stats_of(fx, "C");
	assert_int_equal(c.f.schools, 6);
	assert_int_equal(c.f.learners, 11);
	assert_int_equal(c.f.teachers, 4);
	assert_int_equal(c.f.guardians, 4);
	assert_int_equal(c.f.equipped, 3);
	assert_int_equal(c.f.connected, 5);
	assert_int_equal(c.f.learners_device, 4);
	assert_int_equal(c.f.learners_internet, 3);
	assert_int_equal(c.f.teachers_device, 2);
}

static void test_refresh_replaces(void **state)
{
	struct fixture *fx = *state;
	int64_t n;

	refresh(fx);
	assert_int_equal(store_exec(fx->c.store, "UPDATE schools SET connectivity = 'none' WHERE sid = 6", ""), OK);
	assert_int_equal(store_exec(fx->c.store, "UPDATE people SET retired_at = '2026-03-01' WHERE id = 'l8'", ""), OK);
	refresh(fx);
	assert_int_equal(store_int1(fx->c.store, &n, SQL_COUNT_STATS, ""), OK);
	assert_int_equal(n, 10);
	assert_int_equal(stats_of(fx, "V211").f.connected, 0);
	assert_int_equal(stats_of(fx, "V211").f.learners, 1);
	assert_int_equal(stats_of(fx, "C").f.learners, 10);
	/* dashboard_refresh is the same work for importers and the demo. */
	assert_int_equal(dashboard_refresh(&fx->c), OK);
	assert_int_equal(stats_of(fx, "C").f.learners, 10);
}

static void test_maps(void **state)
{
	struct fixture *fx = *state;
	struct stats c, v;

	refresh(fx);
	c = stats_of(fx, "C");
	assert_int_equal(c.map_schools, 5);        /* S4 has no coordinates */
	assert_int_equal(c.dots, 5);
	assert_int_equal(c.lines, CONN__COUNT);
	assert_true(c.map_height >= MAP_HEIGHT_MIN && c.map_height <= MAP_HEIGHT_MAX);
	assert_true(c.map_width >= MAP_WIDTH_MIN && c.map_width <= MAP_WIDTH);
	/* The box fits the schools: one of its sides is at its largest. */
	assert_true(c.map_width == MAP_WIDTH || c.map_height == MAP_HEIGHT_MAX);
	v = stats_of(fx, "V112");                  /* one school: still a map, the dot in the middle */
	assert_int_equal(v.map_schools, 1);
	assert_int_equal(v.dots, 1);
}

/* Every dot is inside the box, and a region with more schools than
 * MAP_DOTS shows MAP_DOTS of them. */
static void test_map_sample(void **state)
{
	struct fixture *fx = *state;
	struct stmt *st;
	struct stats v;
	long x = 0, y = 0;

	assert_int_equal(store_exec(fx->c.store,
		"WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
		"INSERT INTO schools (id, code, name, name_fold, region_rid, lat, lon, connectivity, "
		"created_at, updated_at, seq) SELECT 'x' || i, 'X' || i, 'x', 'x', 8, 35 + (i % 50) * 0.01, "
		"51 + (i / 50) * 0.02, CASE i % 3 WHEN 0 THEN '3g' WHEN 1 THEN 'none' ELSE 'fibre' END, " T0 " FROM n",
		""), OK);
	refresh(fx);
	v = stats_of(fx, "V112");
	assert_int_equal(v.map_schools, 2501);
	assert_int_equal(v.dots, MAP_DOTS);
	assert_int_equal(v.f.schools, 2501);
	/* Walk the path data: absolute M, then relative m; all inside the box. */
	assert_int_equal(store_query(fx->c.store, &st, SQL_STATS, "t", "V112"), OK);
	assert_true(store_next(st));
	for (const char *p = store_text(st, 4); *p; p++) {
		char *end;
		if (*p == 'M' || *p == 'm') {
			long dx = strtol(p + 1, &end, 10), dy = strtol(end + 1, &end, 10);
			x = *p == 'M' ? dx : x + dx;
			y = *p == 'M' ? dy : y + dy;
			assert_true(x >= 0 && x <= v.map_width);
			assert_true(y >= 0 && y <= v.map_height);
			p = end;
		}
	}
	assert_int_equal(store_done(st), OK);
}

/* A parent loop (which the registry refuses to make) must not hang the
 * refresh: those regions are left without figures. */
static void test_broken_tree(void **state)
{
	struct fixture *fx = *state;
	struct refresh_stats st;
	int64_t n;

	assert_int_equal(store_exec(fx->c.store,
		"INSERT INTO regions (rid, id, code, parent_rid, level, depth, path, name, name_fold, "
		"created_at, updated_at, seq) VALUES (20, 'r20', 'L1', NULL, 'district', 2, '/L1/', 'l', 'l', " T0 "),"
		"(21, 'r21', 'L2', 20, 'village', 3, '/L1/L2/', 'l', 'l', " T0 ")", ""), OK);
	assert_int_equal(store_exec(fx->c.store, "UPDATE regions SET parent_rid = 21 WHERE rid = 20", ""), OK);
	assert_int_equal(dashboard_refresh_run(&fx->c, NULL, NULL, &st), OK);
	assert_int_equal(st.regions, 10);
	assert_int_equal(store_int1(fx->c.store, &n, SQL_COUNT_STATS, ""), OK);
	assert_int_equal(n, 10);
}

static void test_equipment_standard(void **state)
{
	(void)state;
	assert_true(dashboard_school_equipped(true, 1, 0));
	assert_true(dashboard_school_equipped(true, 1, DASHBOARD_LEARNERS_PER_DEVICE));
	assert_false(dashboard_school_equipped(true, 1, DASHBOARD_LEARNERS_PER_DEVICE + 1));
	assert_true(dashboard_school_equipped(true, 50, 1000));
	assert_false(dashboard_school_equipped(true, 0, 0));
	assert_false(dashboard_school_equipped(false, 100, 10));
}

/* ---- what a page reads ---- */

static void test_reads(void **state)
{
	struct fixture *fx = *state;
	struct region r, *list;
	struct school_item *schools;
	const char **codes, *root;
	int64_t next;
	int n;

	refresh(fx);
	assert_int_equal(region_by_code(&fx->c, "D11", "en", &r), OK);
	assert_string_equal(r.level, "district");
	assert_true(r.has_stats);
	assert_int_equal(r.f.learners, 7);
	assert_int_equal(region_scope_path(&fx->c, &r, &codes), 3);
	assert_string_equal(codes[0], "C");
	assert_string_equal(codes[2], "D11");
	assert_int_equal(region_ancestors(&fx->c, &r, "fa", &list, &n), OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "کشور");     /* the name in the reader's language */
	assert_string_equal(list[1].name, "P one");    /* none in Persian: as written */
	assert_int_equal(region_children(&fx->c, &r, "en", &list, &n), OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, "V111");
	assert_int_equal(list[0].f.schools, 2);
	assert_int_equal(region_schools(&fx->c, &r, 0, 2, &schools, &n, &next), OK);
	assert_int_equal(n, 2);
	assert_string_equal(schools[0].code, "S1");
	assert_true(next > 0);
	assert_int_equal(region_schools(&fx->c, &r, next, 2, &schools, &n, &next), OK);
	assert_int_equal(n, 1);
	assert_string_equal(schools[0].code, "S3");
	assert_int_equal(next, 0);
	assert_int_equal(region_by_code(&fx->c, "NOPE", "en", &r), ERR_NOTFOUND);
	assert_int_equal(region_root_code(&fx->c, &root), OK);
	assert_string_equal(root, "C");
}

/* ---- formats ---- */

static void test_figures_json(void **state)
{
	struct figures f = {0}, g;
	struct figure_item it[FIGURE_ITEMS];
	struct buf b;
	int64_t *p = (int64_t *)&f;

	(void)state;
	for (size_t i = 0; i < sizeof f / sizeof *p; i++)
		p[i] = (int64_t)(i * 1000003 + 7);
	buf_init(&b, 4096);
	figures_json(&f, &b);
	assert_true(figures_parse(b.p, &g));
	assert_memory_equal(&f, &g, sizeof f);
	assert_non_null(strstr(b.p, "\"schools_by_kind\":{\"boarding\":"));
	assert_non_null(strstr(b.p, "\"teachers_by_skill\":["));
	assert_int_equal(figures_items(&f, it), FIGURE_ITEMS);
	assert_string_equal(it[0].key, "learners");
	assert_int_equal(it[0].value, f.learners);
	buf_release(&b);
	/* Spaces, members it does not know and missing ones are fine. */
	assert_true(figures_parse("{ \"later\": \"x\", \"learners\" : 5, \"teachers_by_skill\": [ 1 , 2 ],"
				  " \"by_connectivity\": {\"4g\": 3}}", &g));
	assert_int_equal(g.learners, 5);
	assert_int_equal(g.skill[1], 2);
	assert_int_equal(g.skill[2], 0);
	assert_int_equal(g.conn[CONN_4G], 3);
	assert_int_equal(g.schools, 0);
	assert_false(figures_parse("[1]", &g));
	assert_false(figures_parse(NULL, &g));
}

static void test_csv(void **state)
{
	struct fixture *fx = *state;
	static const char *head[] = {"a", "b"};
	static const char *text[] = {"=SUM(A1)", NULL, "x,\"y\"", "-1"};
	static int64_t num[] = {0, 42, 0, 0};
	struct table t = {"t", 2, 2, head, text, num};
	struct buf b;

	(void)fx;
	buf_init(&b, 4096);
	table_csv(&t, &b);
	assert_string_equal(b.p, "\xEF\xBB\xBF" "a,b\r\n'=SUM(A1),42\r\n\"x,\"\"y\"\"\",'-1\r\n");
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_village_figures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roll_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refresh_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test(test_equipment_standard),
		cmocka_unit_test(test_figures_json),
	};

	log_open("/dev/null", LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
