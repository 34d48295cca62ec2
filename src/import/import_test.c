/*
 * import_test.c — unit tests of import: the field checks (dates in both
 * calendars and Persian digits, school years, grades, numbers, lists),
 * the maps, and whole runs on the sample files in tests/data/import:
 * row-level rejects, idempotency (a second run moves no seq), --strict
 * and --dry-run writing nothing, OneRoster, and the export round trip.
 * Run from the top of the tree (tests/run.sh does).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "base/arena.h"
#include "base/log.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

#define DATA "tests/data/import/"

/* ---- field checks ------------------------------------------------------ */

struct one {
	struct batch b;
	struct rec r;
};

static void one_init(struct one *o)
{
	memset(o, 0, sizeof *o);
	buf_init(&o->b.text, 1 << 20);
	for (int v = 0; v < IMPORT_MAX_VALUES; v++)
		o->r.off[v] = -1;
}

static struct slice sl(const char *s)
{
	return slice_of(s);
}

static const char *reason(struct one *o)
{
	return o->r.nprob ? o->b.text.p + o->r.prob[0].reason : "";
}

static void test_dates(void **state)
{
	struct one o;

	(void)state;
	one_init(&o);
	val_date(&o.b, &o.r, 0, "d", sl("۱۴۰۰/۰۴/۱۲"), DATE_SOLAR_HIJRI, false);
	assert_int_equal(o.r.nprob, 0);
	assert_string_equal(V(&o.b, &o.r, 0), "2021-07-03");
	val_date(&o.b, &o.r, 1, "d", sl("1400/04/12"), DATE_AUTO, false);
	assert_string_equal(V(&o.b, &o.r, 1), "2021-07-03");
	val_date(&o.b, &o.r, 2, "d", sl(" 2026-02-28 "), DATE_GREGORIAN, false);
	assert_string_equal(V(&o.b, &o.r, 2), "2026-02-28");
	val_date(&o.b, &o.r, 3, "d", sl("1998"), DATE_AUTO, true);
	assert_string_equal(V(&o.b, &o.r, 3), "1998");
	val_date(&o.b, &o.r, 4, "d", sl(""), DATE_AUTO, false);
	assert_null(V(&o.b, &o.r, 4));
	assert_int_equal(o.r.nprob, 0);
	val_date(&o.b, &o.r, 5, "birth_date", sl("2026-02-30"), DATE_AUTO, false);
	assert_int_equal(o.r.nprob, 1);
	assert_string_equal(o.r.prob[0].col, "birth_date");
	assert_non_null(strstr(reason(&o), "February 2026 has 28 days"));
	buf_release(&o.b.text);
	one_init(&o);
	val_date(&o.b, &o.r, 0, "d", sl("1400/13/01"), DATE_AUTO, false);
	assert_non_null(strstr(reason(&o), "no month 13"));
	buf_release(&o.b.text);
}

static void test_school_years_grades(void **state)
{
	struct one o;

	(void)state;
	one_init(&o);
	val_school_year(&o.b, &o.r, 0, "y", sl("2026-2027"));
	val_school_year(&o.b, &o.r, 1, "y", sl("۱۴۰۵"));
	val_grade(&o.b, &o.r, 2, "g", sl("03"));
	val_grade(&o.b, &o.r, 3, "g", sl("kg"));
	assert_int_equal(o.r.nprob, 0);
	assert_string_equal(V(&o.b, &o.r, 0), "2026-2027");
	assert_string_equal(V(&o.b, &o.r, 1), "1405");
	assert_string_equal(V(&o.b, &o.r, 2), "3");
	assert_string_equal(V(&o.b, &o.r, 3), "KG");
	val_school_year(&o.b, &o.r, 4, "school_year", sl("2026-2028"));
	assert_int_equal(o.r.nprob, 1);
	assert_string_equal(o.r.prob[0].col, "school_year");
	buf_release(&o.b.text);
}

static void test_numbers_lists(void **state)
{
	static const char *const set[] = {"primary", "adult", NULL};
	struct one o;

	(void)state;
	one_init(&o);
	val_real(&o.b, &o.r, 0, "lat", sl("35.70"), -90, 90);
	val_int(&o.b, &o.r, 1, "n", sl(" 42 "), 0, 100);
	val_bool(&o.b, &o.r, 2, "b", sl("Yes"));
	val_list(&o.b, &o.r, 3, "levels", sl("Primary; adult"), set);
	assert_int_equal(o.r.nprob, 0);
	assert_string_equal(V(&o.b, &o.r, 0), "35.7");
	assert_string_equal(V(&o.b, &o.r, 1), "42");
	assert_string_equal(V(&o.b, &o.r, 2), "1");
	assert_string_equal(V(&o.b, &o.r, 3), "primary,adult");
	val_real(&o.b, &o.r, 4, "lat", sl("91"), -90, 90);
	val_int(&o.b, &o.r, 5, "n", sl("4x"), 0, 100);
	val_bool(&o.b, &o.r, 6, "b", sl("maybe"));
	val_list(&o.b, &o.r, 7, "levels", sl("primary;college"), set);
	assert_int_equal(o.r.nprob, 4);
	assert_null(V(&o.b, &o.r, 7));
	buf_release(&o.b.text);
}

static void test_names_fold(void **state)
{
	struct one o;

	(void)state;
	one_init(&o);
	val_name(&o.b, &o.r, 0, "given_name", sl("محمد\xe2\x80\x8cرضا"));
	val_name(&o.b, &o.r, 1, "family_name", sl("كريمي"));
	val_fold(&o.b, &o.r, 2, 1, 0, -1);
	assert_int_equal(o.r.nprob, 0);
	assert_string_equal(V(&o.b, &o.r, 2), "کریمی محمدرضا");
	val_name(&o.b, &o.r, 3, "given_name", (struct slice){"Sa\xffra", 5});
	assert_int_equal(o.r.nprob, 1);
	assert_non_null(strstr(reason(&o), "UTF-8"));
	buf_release(&o.b.text);
}

/* Adds ids P-from..P-to as new, id i at row i + 1. */
static void add_new(struct dupset *d, int from, int to)
{
	char id[32];

	for (int i = from; i <= to; i++) {
		snprintf(id, sizeof id, "P-%d", i);
		assert_int_equal(dupset_add(d, id, i + 1), 0);
	}
}

/* Each of P-1..P-n seen again names the row it was first seen at,
 * wherever it now is (a run on disk, at a fence or between, or the
 * table); the next id is still new. */
static void expect_seen(struct dupset *d, int n)
{
	char id[32];

	for (int i = 1; i <= n; i++) {
		snprintf(id, sizeof id, "P-%d", i);
		assert_int_equal(dupset_add(d, id, n + i + 1), i + 1);
	}
	snprintf(id, sizeof id, "P-%d", n + 1);
	assert_int_equal(dupset_add(d, id, 2 * n + 2), 0);
}

static void test_maps(void **state)
{
	struct dupset d;
	struct cmap m;
	char id[64];
	int ro;
	char *tmp = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	char *stmp = getenv("SQLITE_TMPDIR") ? strdup(getenv("SQLITE_TMPDIR")) : NULL;

	(void)state;
	dupset_init(&d, DUP_MAX_SLOTS, DUP_FILTER_BYTES);
	for (int i = 1; i <= 200000; i++) {
		snprintf(id, sizeof id, "U%08d", i);
		assert_int_equal(dupset_add(&d, id, i), 0);
	}
	assert_int_equal(dupset_add(&d, "U00000007", 300000), 7);
	assert_int_equal(dupset_add(&d, "U00200001", 300001), 0);
	assert_int_equal(d.nrun, 0);
	dupset_free(&d);

	/* 1,024 slots spill every 716 ids; a filter of 4 KB is soon full,
	 * so most new ids are looked for in every run too. */
	dupset_init(&d, 1024, 4096);
	add_new(&d, 1, 12000);
	expect_seen(&d, 12000);
	assert_true(d.nrun >= 16);
	assert_false(d.in_memory);
	assert_true(d.cap <= 1024);
	dupset_free(&d);

	/* The runs' file stops taking writes: the table grows from there
	 * on, and the ids in the runs written before are still found. */
	dupset_init(&d, 1024, 4096);
	add_new(&d, 1, 3000);
	assert_int_equal(d.nrun, 4);
	snprintf(id, sizeof id, "/proc/self/fd/%d", d.fd);
	ro = open(id, O_RDONLY | O_CLOEXEC);
	assert_true(ro >= 0);
	assert_int_equal(dup2(ro, d.fd), d.fd);
	close(ro);
	add_new(&d, 3001, 6000);
	assert_true(d.in_memory);
	assert_int_equal(d.nrun, 4);
	assert_int_equal(d.shift, 64 - __builtin_ctzll(d.cap));
	expect_seen(&d, 6000);

	/* The runs cannot be read back: an id that is in them says so. */
	ro = temp_fd();
	assert_true(ro >= 0);
	assert_int_equal(dup2(ro, d.fd), d.fd);
	close(ro);
	errno = 0;
	assert_int_equal(dupset_add(&d, "P-1", 9999), -1);
	assert_int_equal(errno, EIO);
	dupset_free(&d);

	/* No temporary file: the table grows in memory and is as exact. */
	unsetenv("SQLITE_TMPDIR");
	setenv("TMPDIR", "/nonexistent-reach-dir", 1);
	dupset_init(&d, 1024, 4096);
	add_new(&d, 1, 5000);
	expect_seen(&d, 5000);
	assert_true(d.in_memory);
	assert_int_equal(d.nrun, 0);
	assert_true(d.cap > 1024);
	assert_int_equal(d.shift, 64 - __builtin_ctzll(d.cap));
	dupset_free(&d);
	if (tmp)
		setenv("TMPDIR", tmp, 1);
	else
		unsetenv("TMPDIR");
	if (stmp)
		setenv("SQLITE_TMPDIR", stmp, 1);
	free(tmp);
	free(stmp);

	cmap_init(&m);
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof id, "S%d", i);
		cmap_put(&m, id)->id = i + 1;
	}
	assert_int_equal(cmap_get(&m, "S4321")->id, 4322);
	assert_null(cmap_get(&m, "S5000"));
	cmap_free(&m);
}

/* ---- whole runs -------------------------------------------------------- */

struct fx {
	char *dir;
	struct app app;
	struct store *store;
	struct ctx c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct errinfo ei = {0};

	if (!f || !(f->dir = unit_temp_dir()))
		return -1;
	conf_defaults(&f->app.conf);
	snprintf(f->app.conf.data, sizeof f->app.conf.data, "%s", f->dir);
	if (store_open(f->dir, true, &f->store, &ei) != OK)
		return -1;
	f->c = (struct ctx){.app = &f->app, .store = f->store, .arena = arena_new(), .lang = "en", .ip = "",
			    .req_id = "test", .user_login = "tester"};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[1200];

	arena_free(f->c.arena);
	store_close(f->store);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		unit_remove_dir(f->dir);
	else
		free(f->dir);
	free(f);
	return 0;
}

static int64_t count(struct fx *f, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_int1(f->store, &n, sql, ""), OK);
	return n;
}

/* The first column of sql's first row, as text in the arena ("" for NULL). */
static char *text(struct fx *f, const char *sql)
{
	struct stmt *st;
	char *out;

	assert_int_equal(store_query(f->store, &st, sql, ""), OK);
	assert_true(store_next(st));
	out = arena_strdup(f->c.arena, store_text(st, 0) ? store_text(st, 0) : "");
	assert_int_equal(store_done(st), OK);
	return out;
}

static void run_ok(struct fx *f, const char *kind, const char *path, const struct import_opts *o,
		   struct import_result *res)
{
	enum err rc = import_run(&f->c, kind, path, o, res);

	if (rc != OK)
		fprintf(stderr, "import %s %s: %s\n", kind, path, f->c.err.msg);
	assert_int_equal(rc, OK);
}

static void load_all(struct fx *f)
{
	static const char *const kinds[] = {"regions", "schools", "people", "enrolments"};
	struct import_result res;

	for (int i = 0; i < 4; i++) {
		run_ok(f, kinds[i], f->c.arena ? arena_printf(f->c.arena, DATA "%s.csv", kinds[i]) : NULL, NULL, &res);
		assert_int_equal(res.rejected, 0);
		assert_int_equal(res.written, res.read);
	}
}

static void test_native_and_idempotent(void **state)
{
	static const char SEQ[] =
		"SELECT (SELECT sum(seq) FROM regions) + (SELECT sum(seq) FROM schools) + "
		"(SELECT sum(seq) FROM people) + (SELECT sum(seq) FROM enrolments)";
	static const char *const kinds[] = {"regions", "schools", "people", "enrolments"};
	struct fx *f = *state;
	struct import_result res;
	int64_t seq;

	load_all(f);
	assert_int_equal(count(f, "SELECT count(*) FROM people"), 5);
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE state = 'done'"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action LIKE 'import.%'"), 4);
	seq = count(f, SEQ);
	for (int i = 0; i < 4; i++) {
		run_ok(f, kinds[i], arena_printf(f->c.arena, DATA "%s.csv", kinds[i]), NULL, &res);
		assert_int_equal(res.written, 0);
		assert_int_equal(res.rejected, 0);
	}
	assert_int_equal(count(f, SEQ), seq);
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships"), 2);
}

static void test_rejects(void **state)
{
	struct fx *f = *state;
	struct import_result res;

	load_all(f);
	run_ok(f, "people", DATA "people_duplicate_ids.csv", NULL, &res);
	assert_int_equal(res.read, 3);
	assert_int_equal(res.written, 2);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects WHERE row = 3 AND col = 'id' "
				  "AND reason LIKE 'duplicate id \"D1\", first seen at row 1'"), 1);
	run_ok(f, "enrolments", DATA "enrolments_bad.csv", NULL, &res);
	assert_int_equal(res.rejected, 5);
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects WHERE col = 'school_code' AND "
				  "reason = 'unknown school \"S9999\"'"), 1);
	assert_int_equal(import_run(&f->c, "people", DATA "people_missing_column.csv", NULL, &res), ERR_INVALID);
	assert_non_null(strstr(f->c.err.msg, "family_name"));
	assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE state = 'failed'"), 1);
}

static void test_strict_and_dry_run(void **state)
{
	struct fx *f = *state;
	struct import_opts strict = {.strict = true}, dry = {.dry_run = true};
	struct import_result res;

	run_ok(f, "regions", DATA "regions.csv", &dry, &res);
	assert_int_equal(res.read, 5);
	assert_int_equal(count(f, "SELECT count(*) FROM regions"), 0);
	load_all(f);
	run_ok(f, "people", DATA "people_impossible_dates.csv", &strict, &res);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(res.written, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id LIKE 'X%'"), 0);
	/* The rejects are recorded all the same. */
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects"), 3);
	run_ok(f, "people", DATA "people_solar_hijri.csv", &dry, &res);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id LIKE 'H%'"), 0);
}

static void test_persian_digits(void **state)
{
	struct fx *f = *state;
	struct import_opts sh = {.calendar = "solar-hijri"};
	struct import_result res;

	load_all(f);
	run_ok(f, "people", DATA "people_solar_hijri.csv", &sh, &res);
	assert_int_equal(res.written, 3);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id = 'H1' AND birth_date = '2015-03-21'"), 1);
	run_ok(f, "people", DATA "people_bom_crlf.csv", NULL, &res);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id = 'B2' AND given_name = 'Sara \"Mimi\"'"), 1);
}

/* Reads a whole file into the arena (small test files only). */
static char *slurp(struct fx *f, const char *path)
{
	FILE *in = fopen(path, "rb");
	struct buf b;
	char tmp[4096], *s;
	size_t n;

	assert_non_null(in);
	buf_init(&b, 64 << 20);
	while ((n = fread(tmp, 1, sizeof tmp, in)) > 0)
		buf_add(&b, tmp, n);
	fclose(in);
	s = arena_strdup(f->c.arena, b.p);
	buf_release(&b);
	return s;
}

/* Export, import into a fresh store, export again: the same bytes. */
static void test_round_trip(void **state)
{
	static const char *const kinds[] = {"regions", "schools", "people", "enrolments"};
	struct fx *f = *state, *g;
	struct import_result res;
	int64_t rows;

	load_all(f);
	assert_int_equal(setup((void **)&g), 0);
	for (int i = 0; i < 4; i++) {
		char *a = arena_printf(f->c.arena, "%s/%s.csv", f->dir, kinds[i]);
		char *b = arena_printf(f->c.arena, "%s/%s.csv", g->dir, kinds[i]);
		assert_int_equal(import_export(&f->c, kinds[i], a, &rows), OK);
		assert_true(rows > 0);
		run_ok(g, kinds[i], a, NULL, &res);
		assert_int_equal(res.rejected, 0);
		assert_int_equal(import_export(&g->c, kinds[i], b, &rows), OK);
		assert_string_equal(slurp(f, a), slurp(f, b));
	}
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'export.people'"), 1);
	/* OneRoster: the first store's files into a third store, and back. */
	{
		static const char *const files[] = {"orgs.csv", "users.csv", "demographics.csv", "academicSessions.csv",
						    "classes.csv", "enrollments.csv"};
		struct fx *h;
		char *a = arena_printf(f->c.arena, "%s/or", f->dir), *b;
		assert_int_equal(setup((void **)&h), 0);
		b = arena_printf(f->c.arena, "%s/or", h->dir);
		assert_int_equal(import_export(&f->c, "oneroster", a, &rows), OK);
		run_ok(h, "oneroster", a, NULL, &res);
		assert_int_equal(res.rejected, 0);
		assert_int_equal(import_export(&h->c, "oneroster", b, &rows), OK);
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
			assert_string_equal(slurp(f, arena_printf(f->c.arena, "%s/%s", a, files[i])),
					    slurp(f, arena_printf(f->c.arena, "%s/%s", b, files[i])));
		assert_int_equal(count(h, "SELECT count(*) FROM people WHERE ext_id = 'L1' AND birth_date = '2016-03-21'"), 1);
		assert_int_equal(count(h, "SELECT count(*) FROM guardianships"), 2);
		teardown((void **)&h);
	}
	teardown((void **)&g);
}


/* ---- many rows: the multi-row statements and the deferred indexes ----- */

static const char SQL_INDEXES[] =
	"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('people', 'enrolments')";
static const char PEOPLE_HEADER[] = "id,role,given_name,family_name,father_name,sex,birth_date,national_id,"
				    "region_code,school_code";
static const char SQL_REFUSE_M40[] =
	"CREATE TRIGGER refuse BEFORE INSERT ON people WHEN NEW.ext_id = 'M40' BEGIN SELECT RAISE(ABORT, 'refused'); END";

/* Writes lines (a header, then one line a row made by line()) into a
 * file in the fixture's directory and returns its path. */
static char *write_csv(struct fx *f, const char *name, const char *header, int n,
		       void (*line)(FILE *out, int i, void *arg), void *arg)
{
	char *path = arena_printf(f->c.arena, "%s/%s", f->dir, name);
	FILE *out = fopen(path, "w");

	assert_non_null(out);
	fprintf(out, "%s\n", header);
	for (int i = 0; i < n; i++)
		line(out, i, arg);
	assert_int_equal(fclose(out), 0);
	return path;
}

/* Learners M0…M99, then the teacher T1; M7's name is arg when set. */
static void learner_line(FILE *out, int i, void *arg)
{
	const char *given = arg && i == 7 ? arg : "محمد";

	if (i == 100)
		fprintf(out, "T1,teacher,Nguyễn,Văn An,,m,1985-01-01,,IR-07-03,S1003\n");
	else
		fprintf(out, "M%d,learner,%s,کریمی %d,,m,2016-01-01,,IR-07-03-012,\n", i, given, i % 13);
}

/* An enrolment for each learner; row 11 names no one, row 21 a teacher,
 * row 31 is a transfer. */
static void enrol_line(FILE *out, int i, void *arg)
{
	const char *lid = arg ? arg : "M";

	if (i == 10)
		fprintf(out, "G%d,NOPE,S1001,4,2026-2027,enrolled,,\n", i);
	else if (i == 20)
		fprintf(out, "G%d,T1,S1001,4,2026-2027,,,\n", i);
	else
		fprintf(out, "G%d,%s%d,S1001,4,2026-2027,%s,,\n", i, lid, i, i == 30 ? "transferred" : "enrolled");
}

/* M5 enrolled at two schools: arg's second, then its first. */
static void twice_line(FILE *out, int i, void *arg)
{
	const char *const *school = arg;

	fprintf(out, "T%d,M5,%s,4,2026-2027,enrolled,,\n", i, school[!i]);
}

/* The sample regions and schools, and (refuse) a trigger that makes the
 * store refuse the person M40. */
static void load_places(struct fx *f, bool refuse)
{
	struct import_result res;

	run_ok(f, "regions", DATA "regions.csv", NULL, &res);
	run_ok(f, "schools", DATA "schools.csv", NULL, &res);
	if (refuse)
		assert_int_equal(store_exec(f->store, SQL_REFUSE_M40, ""), OK);
}

static void test_many_rows(void **state)
{
	static const char ENROLMENTS[] = "id,learner_id,school_code,grade,school_year,status,start_date,end_date";
	struct fx *f = *state;
	struct import_result res;
	char *people, *enrolments;

	load_places(f, false);
	/* An initial load: three full statements and some single rows. */
	people = write_csv(f, "many.csv", PEOPLE_HEADER, 101, learner_line, NULL);
	run_ok(f, "people", people, NULL, &res);
	assert_int_equal(res.read, 101);
	assert_int_equal(res.written, 101);
	assert_int_equal(res.rejected, 0);
	assert_int_equal(count(f, "SELECT count(DISTINCT id) FROM people WHERE ext_id LIKE 'M%'"), 100);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id = 'M99' AND name_fold <> '' "
				  "AND school_sid IS NULL AND region_rid IS NOT NULL"), 1);
	assert_int_equal(count(f, SQL_INDEXES), 9);
	assert_int_equal(count(f, "SELECT count(*) FROM deferred_indexes"), 0);
	/* Again, into a full table: nothing changes; then one name does. */
	run_ok(f, "people", people, NULL, &res);
	assert_int_equal(res.written, 0);
	people = write_csv(f, "many2.csv", PEOPLE_HEADER, 101, learner_line, "زهرا");
	run_ok(f, "people", people, NULL, &res);
	assert_int_equal(res.written, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE given_name = 'زهرا'"), 1);

	/* Enrolments: each row's fate is its own, inside a statement of many. */
	enrolments = write_csv(f, "many_enrolments.csv", ENROLMENTS, 100, enrol_line, NULL);
	run_ok(f, "enrolments", enrolments, NULL, &res);
	assert_int_equal(res.written, 98);
	assert_int_equal(res.rejected, 2);
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects WHERE row = 11 AND col = 'learner_id' "
				  "AND reason = 'unknown learner \"NOPE\"'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects WHERE row = 21 AND col = 'learner_id' "
				  "AND reason = '\"T1\" is a teacher, not a learner'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM enrolments WHERE ext_id LIKE 'G%'"), 98);
	/* An "enrolled" enrolment makes the school the learner's; a transfer does not. */
	assert_int_equal(count(f, "SELECT count(*) FROM people p JOIN schools s ON s.sid = p.school_sid "
				  "WHERE p.ext_id LIKE 'M%' AND s.code = 'S1001'"), 97);
	assert_int_equal(count(f, "SELECT count(*) FROM people WHERE ext_id = 'M30' AND school_sid IS NULL"), 1);
	assert_int_equal(count(f, SQL_INDEXES), 9);
	/* After the load the counts' triggers are back and the counts right
	 * (store_test checks that a load defers and refills them). */
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'enrolments'"), 3);
	assert_int_equal(count(f, "SELECT sum(learners) FROM school_grades"),
			 count(f, "SELECT count(*) FROM enrolments WHERE status = 'enrolled'"));
	assert_true(count(f, "SELECT sum(learners) FROM school_grades") > 50);
	assert_int_equal(count(f, UNIT_SQL_GRADES_OFF), 0);

	/* Again: nothing changes, the same two rows are refused. */
	run_ok(f, "enrolments", enrolments, NULL, &res);
	assert_int_equal(res.written, 0);
	assert_int_equal(res.rejected, 2);

	/* A learner enrolled twice in one statement goes where the later
	 * row says, whichever that is. */
	for (int k = 0; k < 2; k++) {
		const char *schools[2][2] = {{"S1002", "S1003"}, {"S1003", "S1002"}};
		const char *sql = arena_printf(f->c.arena, "SELECT count(*) FROM people p JOIN schools s ON "
					       "s.sid = p.school_sid WHERE p.ext_id = 'M5' AND s.code = '%s'",
					       schools[k][0]);
		enrolments = write_csv(f, k ? "twice2.csv" : "twice.csv", ENROLMENTS, 2, twice_line, schools[k]);
		run_ok(f, "enrolments", enrolments, NULL, &res);
		assert_int_equal(res.written, 2);
		assert_int_equal(count(f, sql), 1);
	}
}

/* Learners M0…M99, then guardians H0…H49: Hi lists M(2i);M(2i+1), except
 * H5 (row 106), which lists someone who is not there, H9 (row 110) an id
 * longer than any, H12 its first child twice, and H20 (row 121), whose own
 * row is refused (a birth date in the future). */
static const char FAMILY_HEADER[] = "id,role,given_name,family_name,father_name,sex,birth_date,national_id,"
				    "region_code,school_code,subjects,digital_skills,has_device,has_internet,guardian_of";

static void family_line(FILE *out, int i, void *arg)
{
	int h = i - 100;

	(void)arg;
	if (i < 100)
		fprintf(out, "M%d,learner,محمد,کریمی,,m,2016-01-01,,IR-07-03-012,,,,,,\n", i);
	else if (h == 5)
		fprintf(out, "H5,guardian,رضا,کریمی,,m,1980,,IR-07-03-012,,,,,,M10;NOPE;M11\n");
	else if (h == 9)
		fprintf(out, "H9,guardian,رضا,کریمی,,m,1980,,IR-07-03-012,,,,,,M18;%0200d\n", 9);
	else if (h == 12)
		fprintf(out, "H12,guardian,رضا,کریمی,,m,1980,,IR-07-03-012,,,,,,M24;M24\n");
	else
		fprintf(out, "H%d,guardian,رضا,کریمی,,m,%s,,IR-07-03-012,,,,,,M%d;M%d\n", h,
			h == 20 ? "2990" : "1980", 2 * h, 2 * h + 1);
}

/* Guardian links are written many to a statement; a listed person who is
 * not there is rejected by row and column, the others of its statement
 * are linked, and a second load changes nothing. */
static void test_links(void **state)
{
	static const char REJECTS[] =
		"SELECT count(*) FROM import_rejects WHERE import_uid = (SELECT max(uid) FROM imports) AND "
		"((row = 106 AND col = 'guardian_of' AND reason = 'unknown person \"NOPE\"') OR "
		"(row = 110 AND col = 'guardian_of' AND reason = 'too long for an id: 200 bytes, at most 128') OR "
		"(row = 121 AND col = 'birth_date'))";
	static const char ORDER[] =
		"SELECT group_concat(row, ' ') FROM (SELECT row FROM import_rejects "
		"WHERE import_uid = (SELECT max(uid) FROM imports) ORDER BY rowid)";
	static const char SEEN[] =
		"CREATE TRIGGER seen AFTER INSERT ON guardianships BEGIN "
		"INSERT INTO seen SELECT count(*) FROM sqlite_master WHERE name = 'guardianships_guardian'; END";
	struct fx *f = *state;
	struct import_result res;
	char *people, *order;

	load_places(f, false);
	/* Each link written notes whether the guardian index is there. */
	assert_int_equal(store_exec(f->store, "CREATE TABLE seen (n INTEGER)", ""), OK);
	assert_int_equal(store_exec(f->store, SEEN, ""), OK);
	people = write_csv(f, "families.csv", FAMILY_HEADER, 150, family_line, NULL);
	run_ok(f, "people", people, NULL, &res);
	assert_int_equal(res.read, 150);
	assert_int_equal(res.written, 149);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(count(f, REJECTS), 3);
	/* The rejects in file order: the first pass's, then the links'. */
	order = text(f, ORDER);
	assert_string_equal(order, "121 106 110");
	/* 50 guardians of two children, less H9's and H12's second and H20's two. */
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships"), 96);
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships g JOIN people l ON l.pid = g.learner_pid "
				  "JOIN people p ON p.pid = g.guardian_pid WHERE p.ext_id = 'H5' AND "
				  "l.ext_id IN ('M10', 'M11')"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships g JOIN people l ON l.pid = g.learner_pid "
				  "WHERE l.ext_id IN ('M40', 'M41')"), 0);
	/* The guardian index was away while the links were written, and is
	 * back. */
	assert_int_equal(count(f, "SELECT count(*) FROM seen"), 96);
	assert_int_equal(count(f, "SELECT sum(n) FROM seen"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM sqlite_master WHERE name = 'guardianships_guardian'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deferred_indexes"), 0);

	run_ok(f, "people", people, NULL, &res);
	assert_int_equal(res.written, 0);
	assert_int_equal(res.rejected, 3);
	assert_int_equal(count(f, REJECTS), 3);
	assert_string_equal(text(f, ORDER), order);
	assert_int_equal(count(f, "SELECT count(*) FROM guardianships"), 96);
}

/* A row the store refuses is rejected alone; the rest of its statement
 * is written. */
static void test_store_refuses_one_row(void **state)
{
	struct fx *f = *state;
	struct import_result res;

	load_places(f, true);
	run_ok(f, "people", write_csv(f, "many.csv", PEOPLE_HEADER, 64, learner_line, NULL), NULL, &res);
	assert_int_equal(res.written, 63);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(count(f, "SELECT count(*) FROM import_rejects WHERE row = 41 AND reason LIKE "
				  "'the store refused this row%'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM people"), 63);
	assert_int_equal(count(f, SQL_INDEXES), 9);
}

/* --strict: the whole load is one transaction, the drop of the indexes
 * with it, so a rejected row takes everything back, indexes included. */
static void test_strict_initial_load(void **state)
{
	struct fx *f = *state;
	struct import_opts strict = {.strict = true};
	struct import_result res;

	load_places(f, true);
	run_ok(f, "people", write_csv(f, "many.csv", PEOPLE_HEADER, 101, learner_line, NULL), &strict, &res);
	assert_int_equal(res.rejected, 1);
	assert_int_equal(res.written, 0);
	assert_int_equal(count(f, "SELECT count(*) FROM people"), 0);
	assert_int_equal(count(f, SQL_INDEXES), 9);
	assert_int_equal(count(f, "SELECT count(*) FROM deferred_indexes"), 0);
}

/* Another client writes a duplicate external id while the load has the
 * unique index away: the index cannot be built again and the import
 * fails saying why. The rows are committed before the indexes are
 * built, so they stay, and so does the record of the one index that
 * could not be built (the next open tries again); the others are built
 * (store_test covers the retry). */
static void test_rebuild_refused(void **state)
{
	static const char SQL_TWIN[] =
		"CREATE TRIGGER twin AFTER INSERT ON people WHEN NEW.ext_id = 'M5' BEGIN "
		"INSERT INTO people (id, ext_id, role, given_name, family_name, name_fold, created_at, updated_at, seq) "
		"VALUES (NEW.id || '-twin', 'M5', 'learner', 'x', 'y', 'y x', NEW.created_at, NEW.created_at, NEW.seq); END";
	struct fx *f = *state;
	struct import_result res;

	load_places(f, false);
	assert_int_equal(store_exec(f->store, SQL_TWIN, ""), OK);
	assert_int_equal(import_run(&f->c, "people", write_csv(f, "many.csv", PEOPLE_HEADER, 40, learner_line, NULL),
				    NULL, &res), ERR_EXISTS);
	assert_non_null(strstr(f->c.err.msg, "could not be built again"));
	assert_int_equal(count(f, "SELECT count(*) FROM imports WHERE state = 'failed'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM people"), 41);
	assert_int_equal(count(f, "SELECT count(*) FROM deferred_indexes WHERE name = 'people_ext_id'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM deferred_indexes"), 1);
	assert_int_equal(count(f, SQL_INDEXES), 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_school_years_grades),
		cmocka_unit_test(test_numbers_lists),
		cmocka_unit_test(test_names_fold),
		cmocka_unit_test(test_maps),
		cmocka_unit_test_setup_teardown(test_native_and_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_and_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persian_digits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_refuses_one_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strict_initial_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_refused, setup, teardown),
	};

	log_open("/dev/null", LOG_ERROR);
	if (id_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
