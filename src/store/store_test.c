/*
 * store_test.c — the SQL door: opening and migrating, queries and binds,
 * errors, transactions, the change sequence, the statement cache, two
 * connections under WAL, backup and restore, the directory lock and the
 * per-thread pool. Every test works in its own temporary directory.
 */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "base/log.h"
#include "base/timeutil.h"
#include "store/store.h"
#include "base/banned.h"

/* ---- helpers ---- */

static char *temp_dir(void)
{
	char *d = unit_temp_dir();

	assert_non_null(d);
	return d;
}

static struct store *open_new(const char *dir)
{
	struct store *s = NULL;
	struct errinfo ei = {0};

	assert_int_equal(store_open(dir, true, &s, &ei), OK);
	assert_non_null(s);
	return s;
}

static int64_t count_rows(struct store *s, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(store_int1(s, &n, sql, ""), OK);
	return n;
}

static const char SQL_T_CREATE[] =
	"CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER, note TEXT, "
	"flag INTEGER NOT NULL DEFAULT 0 CHECK (flag IN (0, 1)))";
static const char SQL_T_INSERT[] = "INSERT INTO t (name, n, note) VALUES (?1, ?2, ?3)";
static const char SQL_T_COUNT[] = "SELECT COUNT(*) FROM t";

static struct store *open_with_t(const char *dir)
{
	struct store *s = open_new(dir);

	assert_int_equal(store_exec(s, SQL_T_CREATE, ""), OK);
	return s;
}

/* ---- opening and migrating ---- */

static void test_open_migrates(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_new(dir);
	struct stmt *st;
	char applied[64] = "";
	int64_t n = -1, migrations;
	int version;

	(void)state;
	version = store_version(s);
	assert_true(version >= 1);
	assert_int_equal(store_int1(s, &n, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
				    "t", "users"), OK);
	assert_int_equal(n, 1);
	migrations = count_rows(s, "SELECT COUNT(*) FROM schema_migrations");
	assert_int_equal(migrations, version);
	assert_int_equal(store_query(s, &st, "SELECT name, applied_at FROM schema_migrations WHERE version = 1", ""), OK);
	assert_true(store_next(st));
	assert_string_equal(store_text(st, 0), "0001_core.sql");
	snprintf(applied, sizeof applied, "%s", store_text(st, 1));
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);
	assert_int_equal(count_rows(s, "SELECT n FROM change_seq"), 0);
	assert_int_equal(store_ping(s), OK);
	store_close(s);

	/* Opening again applies nothing twice. */
	s = open_new(dir);
	assert_int_equal(store_version(s), version);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM schema_migrations"), migrations);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM change_seq"), 1);
	assert_int_equal(store_query(s, &st, "SELECT applied_at FROM schema_migrations WHERE version = 1", ""), OK);
	assert_true(store_next(st));
	assert_string_equal(store_text(st, 0), applied);
	assert_int_equal(store_done(st), OK);
	store_close(s);

	/* Without migrating, the version is still read. */
	struct errinfo ei = {0};
	assert_int_equal(store_open(dir, false, &s, &ei), OK);
	assert_int_equal(store_version(s), version);
	store_close(s);
	unit_remove_dir(dir);
}

static void test_open_bad_dir(void **state)
{
	struct store *s = (struct store *)1;
	struct errinfo ei = {0};

	(void)state;
	assert_int_equal(store_open("/proc/no/such/dir", true, &s, &ei), ERR_IO);
	assert_null(s);
	assert_true(ei.msg[0] != '\0');
}

/* ---- queries ---- */

static void test_query_binds(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);
	struct stmt *st;
	int rows = 0;

	(void)state;
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "alpha", (int64_t)1, "first"), OK);
	assert_int_equal(store_changes(s), 1);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "beta", INT64_MAX, NULL), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "gamma é", INT64_MIN, ""), OK);
	assert_int_equal(store_exec(s, "UPDATE t SET flag = ?2 WHERE name = ?1", "tb", "alpha", true), OK);
	assert_int_equal(store_changes(s), 1);
	assert_int_equal(store_exec(s, "UPDATE t SET flag = ?1 WHERE name = 'nobody'", "b", false), OK);
	assert_int_equal(store_changes(s), 0);

	assert_int_equal(store_query(s, &st, "SELECT name, n, note, flag FROM t WHERE n >= ?1 OR note IS ?2 ORDER BY id",
				     "it", (int64_t)INT64_MIN, NULL), OK);
	while (store_next(st)) {
		switch (rows++) {
		case 0:
			assert_string_equal(store_text(st, 0), "alpha");
			assert_int_equal(store_int(st, 1), 1);
			assert_string_equal(store_text(st, 2), "first");
			assert_false(store_null(st, 2));
			assert_int_equal(store_int(st, 3), 1);
			break;
		case 1:
			assert_string_equal(store_text(st, 0), "beta");
			assert_true(store_int(st, 1) == INT64_MAX);
			assert_true(store_null(st, 2));
			assert_null(store_text(st, 2));
			assert_int_equal(store_int(st, 3), 0);
			break;
		case 2:
			assert_string_equal(store_text(st, 0), "gamma é");
			assert_true(store_int(st, 1) == INT64_MIN);
			assert_string_equal(store_text(st, 2), "");
			assert_false(store_null(st, 2));
			break;
		}
	}
	assert_int_equal(store_done(st), OK);
	assert_int_equal(rows, 3);

	/* NULL binds NULL: "= NULL" matches nothing, "IS NULL" one row. */
	int64_t n = -1;
	assert_int_equal(store_int1(s, &n, "SELECT COUNT(*) FROM t WHERE note = ?1", "t", NULL), OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_int1(s, &n, "SELECT COUNT(*) FROM t WHERE note IS ?1", "t", NULL), OK);
	assert_int_equal(n, 1);
	/* An empty result. */
	assert_int_equal(store_query(s, &st, "SELECT name FROM t WHERE name = ?1", "t", "none"), OK);
	assert_false(store_next(st));
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);
	/* Binds are cleared between uses of a cached statement. */
	assert_int_equal(store_int1(s, &n, "SELECT COUNT(*) FROM t WHERE name = ?1 OR ?2 IS NULL", "tt", "zzz", "x"), OK);
	assert_int_equal(n, 0);
	store_close(s);
	unit_remove_dir(dir);
}

static void test_int1_notfound(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);
	int64_t n = 99;

	(void)state;
	assert_int_equal(store_int1(s, &n, "SELECT n FROM t WHERE name = ?1", "t", "ghost"), ERR_NOTFOUND);
	assert_int_equal(n, 99);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "ghost", (int64_t)5, NULL), OK);
	assert_int_equal(store_int1(s, &n, "SELECT n FROM t WHERE name = ?1", "t", "ghost"), OK);
	assert_int_equal(n, 5);
	store_close(s);
	unit_remove_dir(dir);
}

static void test_errors(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);
	struct stmt *st = NULL;
	uint64_t errors;
	int64_t n;

	(void)state;
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "dup", (int64_t)1, NULL), OK);
	errors = store_error_count();
	/* A uniqueness violation is ERR_EXISTS and no engine error. */
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "dup", (int64_t)2, NULL), ERR_EXISTS);
	assert_int_equal(store_exec(s, "INSERT INTO t (id, name) VALUES (1, 'other')", ""), ERR_EXISTS);
	assert_int_equal(store_error_count(), errors);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);

	/* A syntax error is ERR_STORE, counted for /metrics. */
	assert_int_equal(store_exec(s, "SELEKT 1 FROM t", ""), ERR_STORE);
	assert_int_equal(store_error_count(), errors + 1);
	assert_int_equal(store_query(s, &st, "SELECT nope FROM t", ""), ERR_STORE);
	assert_int_equal(store_error_count(), errors + 2);
	assert_int_equal(store_int1(s, &n, "SELECT * FROM no_such_table", ""), ERR_STORE);
	assert_int_equal(store_error_count(), errors + 3);
	/* Other constraints are store errors too, not "exists". */
	assert_int_equal(store_exec(s, "UPDATE t SET flag = 7", ""), ERR_STORE);
	assert_int_equal(store_exec(s, "INSERT INTO t (name, flag) VALUES ('nn', NULL)", ""), ERR_STORE);
	/* An error met while stepping is reported by store_done. */
	assert_int_equal(store_query(s, &st, "SELECT abs(?1)", "i", INT64_MIN), OK);
	assert_false(store_next(st));
	assert_false(store_next(st));
	assert_int_equal(store_done(st), ERR_STORE);
	/* The connection is still good afterwards, and so is the statement. */
	assert_int_equal(store_query(s, &st, "SELECT abs(?1)", "i", (int64_t)-3), OK);
	assert_true(store_next(st));
	assert_int_equal(store_int(st, 0), 3);
	assert_int_equal(store_done(st), OK);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);
	store_close(s);
	unit_remove_dir(dir);
}

/* ---- transactions ---- */

static void test_transactions(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);

	(void)state;
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "a", (int64_t)1, NULL), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "b", (int64_t)2, NULL), OK);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 2);
	store_rollback(s);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 0);
	store_rollback(s); /* outside a transaction: harmless */

	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "a", (int64_t)1, NULL), OK);
	assert_int_equal(store_commit(s), OK);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);
	store_rollback(s);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);

	/* A failed statement inside a transaction, then rollback. */
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "c", (int64_t)3, NULL), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "a", (int64_t)1, NULL), ERR_EXISTS);
	store_rollback(s);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);
	/* A transaction inside a transaction is an error, not a silent no-op. */
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_begin(s), ERR_STORE);
	store_rollback(s);
	assert_int_equal(store_commit(s), ERR_STORE);
	store_close(s);

	/* Committed data survives closing. */
	s = open_new(dir);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 1);
	store_close(s);
	unit_remove_dir(dir);
}

static void test_seq_next(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_new(dir);
	int64_t prev = -1, v;

	(void)state;
	for (int i = 0; i < 20; i++) {
		assert_int_equal(store_begin(s), OK);
		assert_int_equal(store_seq_next(s, &v), OK);
		assert_true(v > prev);
		prev = v;
		assert_int_equal(store_seq_next(s, &v), OK);
		assert_int_equal(v, prev + 1);
		prev = v;
		assert_int_equal(store_commit(s), OK);
	}
	/* A rolled-back value may come again, but never goes backwards past a
	 * committed one. */
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_seq_next(s, &v), OK);
	store_rollback(s);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_seq_next(s, &v), OK);
	assert_true(v > prev);
	assert_int_equal(store_commit(s), OK);
	store_close(s);
	s = open_new(dir);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_seq_next(s, &v), OK);
	assert_int_equal(v, prev + 2);
	assert_int_equal(store_commit(s), OK);
	store_close(s);
	unit_remove_dir(dir);
}

/* ---- the statement cache ---- */

static const char SQL_CHILDREN[] = "SELECT n FROM t WHERE note IS ?1 ORDER BY n";

static void test_cache_nested_same_sql(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);
	struct stmt *outer, *inner, *inner2;
	int64_t sum = 0;
	int outer_rows = 0, inner_rows = 0;

	(void)state;
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "p1", (int64_t)1, NULL), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "p2", (int64_t)2, NULL), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "c1", (int64_t)10, "1"), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "c2", (int64_t)20, "1"), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "c3", (int64_t)30, "2"), OK);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "g", (int64_t)100, "10"), OK);

	/* The same SQL constant, three levels deep. */
	for (int round = 0; round < 3; round++) {
		outer_rows = inner_rows = 0;
		sum = 0;
		assert_int_equal(store_query(s, &outer, SQL_CHILDREN, "t", NULL), OK);
		while (store_next(outer)) {
			char key[24];
			int64_t p = store_int(outer, 0);
			outer_rows++;
			snprintf(key, sizeof key, "%lld", (long long)p);
			assert_int_equal(store_query(s, &inner, SQL_CHILDREN, "t", key), OK);
			assert_ptr_not_equal(inner, outer);
			while (store_next(inner)) {
				char key2[24];
				int64_t ch = store_int(inner, 0);
				inner_rows++;
				sum += ch;
				snprintf(key2, sizeof key2, "%lld", (long long)ch);
				assert_int_equal(store_query(s, &inner2, SQL_CHILDREN, "t", key2), OK);
				while (store_next(inner2))
					sum += store_int(inner2, 0);
				assert_int_equal(store_done(inner2), OK);
				/* the outer cursors are untouched */
				assert_int_equal(store_int(inner, 0), ch);
			}
			assert_int_equal(store_done(inner), OK);
			assert_int_equal(store_int(outer, 0), p);
		}
		assert_int_equal(store_done(outer), OK);
		assert_int_equal(outer_rows, 2);
		assert_int_equal(inner_rows, 3);
		assert_int_equal(sum, 10 + 20 + 30 + 100);
	}
	store_close(s);
	unit_remove_dir(dir);
}

#define MANY_SQL 300
static char many_sql[MANY_SQL][48];

static void test_cache_many_statements(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_new(dir);
	struct stmt *open[MANY_SQL];
	int64_t v;

	(void)state;
	for (int i = 0; i < MANY_SQL; i++)
		snprintf(many_sql[i], sizeof many_sql[i], "SELECT %d + ?1", i);
	/* More distinct statements than the cache holds, twice over. */
	for (int round = 0; round < 2; round++)
		for (int i = 0; i < MANY_SQL; i++) {
			assert_int_equal(store_int1(s, &v, many_sql[i], "i", (int64_t)round), OK);
			assert_int_equal(v, i + round);
		}
	/* All of them open at once: the cache is full of busy statements. */
	for (int i = 0; i < MANY_SQL; i++)
		assert_int_equal(store_query(s, &open[i], many_sql[i], "i", (int64_t)1000), OK);
	for (int i = MANY_SQL - 1; i >= 0; i--) {
		assert_true(store_next(open[i]));
		assert_int_equal(store_int(open[i], 0), i + 1000);
		assert_false(store_next(open[i]));
		assert_int_equal(store_done(open[i]), OK);
	}
	for (int i = 0; i < MANY_SQL; i++) {
		assert_int_equal(store_int1(s, &v, many_sql[i], "i", (int64_t)7), OK);
		assert_int_equal(v, i + 7);
	}
	store_close(s);
	unit_remove_dir(dir);
}

/* ---- two connections ---- */

static void test_wal_reader_and_writer(void **state)
{
	char *dir = temp_dir();
	struct store *w = open_with_t(dir), *r = open_new(dir);
	uint64_t t0;

	(void)state;
	assert_int_equal(store_exec(w, SQL_T_INSERT, "tit", "one", (int64_t)1, NULL), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 1);

	assert_int_equal(store_begin(w), OK);
	assert_int_equal(store_exec(w, SQL_T_INSERT, "tit", "two", (int64_t)2, NULL), OK);
	/* The reader reads at once while the writer holds the write lock, and
	 * does not see the uncommitted row. */
	t0 = time_mono_ns();
	assert_int_equal(count_rows(r, SQL_T_COUNT), 1);
	assert_true(time_mono_ns() - t0 < 1000000000u);
	assert_int_equal(count_rows(w, SQL_T_COUNT), 2);

	/* A read transaction keeps its snapshot across the writer's commit. */
	assert_int_equal(store_begin_read(r), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 1);
	assert_int_equal(store_commit(w), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 1);
	assert_int_equal(store_commit(r), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 2);
	/* The reader can write once the writer is done. */
	assert_int_equal(store_begin(r), OK);
	assert_int_equal(store_exec(r, SQL_T_INSERT, "tit", "three", (int64_t)3, NULL), OK);
	assert_int_equal(store_commit(r), OK);
	assert_int_equal(count_rows(w, SQL_T_COUNT), 3);
	store_close(r);
	store_close(w);
	unit_remove_dir(dir);
}

/* ---- backup and restore ---- */

static void on_progress(void *arg, int64_t done, int64_t total)
{
	int64_t *last = arg;

	assert_true(done >= 0 && done <= total);
	last[0] = done;
	last[1] = total;
	last[2]++;
}

static void test_backup_restore(void **state)
{
	char *dir = temp_dir(), *dir2 = temp_dir(), *dir3 = temp_dir();
	struct store *s = open_with_t(dir), *r, *other;
	struct errinfo ei = {0};
	char file[1100];
	int64_t prog[3] = {0, 0, 0};
	int64_t n;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		char name[32];
		snprintf(name, sizeof name, "row%d", i);
		assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", name, (int64_t)i, "some text to fill pages"), OK);
	}
	/* A reader holds a snapshot while the backup runs: the store is live. */
	r = open_new(dir);
	assert_int_equal(store_begin_read(r), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 2000);

	snprintf(file, sizeof file, "%s/backup.db", dir2);
	assert_int_equal(store_backup(s, file, on_progress, prog, &ei), OK);
	assert_true(prog[2] >= 1);
	assert_true(prog[1] > 0);
	assert_int_equal(prog[0], prog[1]);
	assert_int_equal(access(file, R_OK), 0);
	char partial[1200];
	snprintf(partial, sizeof partial, "%s.partial", file);
	assert_int_not_equal(access(partial, F_OK), 0);
	assert_int_equal(store_commit(r), OK);
	store_close(r);
	/* Written after the backup: not in it. */
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "later", (int64_t)-1, NULL), OK);

	/* Into an empty directory. */
	assert_int_equal(store_restore(dir3, file, &ei), OK);
	assert_int_equal(store_open(dir3, false, &r, &ei), OK);
	assert_int_equal(store_version(r), store_version(s));
	assert_int_equal(count_rows(r, SQL_T_COUNT), 2000);
	assert_int_equal(store_int1(r, &n, "SELECT n FROM t WHERE name = ?1", "t", "row1234"), OK);
	assert_int_equal(n, 1234);
	assert_int_equal(store_int1(r, &n, "SELECT n FROM t WHERE name = ?1", "t", "later"), ERR_NOTFOUND);
	assert_int_equal(store_int1(r, &n, "SELECT COUNT(*) FROM users", ""), OK);
	store_close(r);
	unit_remove_dir(dir3);

	/* Over another instance that has its own rows (and WAL files). */
	char *dir4 = temp_dir();
	other = open_with_t(dir4);
	assert_int_equal(store_exec(other, SQL_T_INSERT, "tit", "stranger", (int64_t)1, NULL), OK);
	store_close(other);
	assert_int_equal(store_restore(dir4, file, &ei), OK);
	assert_int_equal(store_open(dir4, true, &r, &ei), OK);
	assert_int_equal(count_rows(r, SQL_T_COUNT), 2000);
	assert_int_equal(store_int1(r, &n, "SELECT n FROM t WHERE name = ?1", "t", "stranger"), ERR_NOTFOUND);
	store_close(r);
	unit_remove_dir(dir4);

	/* The backup of an unwritable place fails cleanly. */
	err_clear(&ei);
	assert_int_equal(store_backup(s, "/proc/no/such/dir/x.db", NULL, NULL, &ei), ERR_IO);
	store_close(s);
	unit_remove_dir(dir);
	unit_remove_dir(dir2);
}

static void write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void test_restore_refuses(void **state)
{
	char *src = temp_dir(), *dst = temp_dir();
	struct store *s;
	struct errinfo ei = {0};
	char path[1100], garbage[8192], dbfile[1100];
	int64_t n;

	(void)state;
	/* Something in the target that must survive a refused restore. */
	s = open_with_t(dst);
	assert_int_equal(store_exec(s, SQL_T_INSERT, "tit", "keep", (int64_t)1, NULL), OK);
	store_close(s);

	snprintf(path, sizeof path, "%s/garbage.db", src);
	for (size_t i = 0; i < sizeof garbage; i++)
		garbage[i] = (char)("not a database "[i % 15]);
	write_file(path, garbage, sizeof garbage);
	assert_int_equal(store_restore(dst, path, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, path));

	/* A real SQLite database, but not a Reach one. */
	err_clear(&ei);
	assert_int_equal(store_open(src, false, &s, &ei), OK);
	assert_int_equal(store_exec(s, "CREATE TABLE stuff (x INTEGER)", ""), OK);
	assert_int_equal(store_exec(s, "INSERT INTO stuff VALUES (1)", ""), OK);
	store_close(s);
	snprintf(dbfile, sizeof dbfile, "%s/%s", src, STORE_FILE);
	err_clear(&ei);
	assert_int_equal(store_restore(dst, dbfile, &ei), ERR_INVALID);

	/* An empty file is an empty database: no schema either. */
	snprintf(path, sizeof path, "%s/empty.db", src);
	write_file(path, "", 0);
	err_clear(&ei);
	assert_int_equal(store_restore(dst, path, &ei), ERR_INVALID);

	/* A missing file. */
	snprintf(path, sizeof path, "%s/missing.db", src);
	err_clear(&ei);
	assert_int_not_equal(store_restore(dst, path, &ei), OK);

	/* A backup made by a newer Reach (a schema this program does not know). */
	char *newer = temp_dir();
	s = open_new(newer);
	assert_int_equal(store_exec(s, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'x', 'y')", ""), OK);
	snprintf(path, sizeof path, "%s/newer.db", src);
	assert_int_equal(store_backup(s, path, NULL, NULL, &ei), OK);
	store_close(s);
	err_clear(&ei);
	assert_int_equal(store_restore(dst, path, &ei), ERR_INVALID);
	assert_non_null(strstr(ei.msg, "9999"));
	unit_remove_dir(newer);

	/* The target is as it was. */
	assert_int_equal(store_open(dst, false, &s, &ei), OK);
	assert_int_equal(store_int1(s, &n, "SELECT n FROM t WHERE name = ?1", "t", "keep"), OK);
	store_close(s);
	unit_remove_dir(src);
	unit_remove_dir(dst);
}

/* ---- the directory lock ---- */

static void test_lock_dir_same_process(void **state)
{
	char *dir = temp_dir(), *dir2 = temp_dir();
	struct errinfo ei = {0};

	(void)state;
	/* flock locks belong to open file descriptions: each call opens the
	 * file again, so two calls in one process conflict like two servers. */
	assert_int_equal(store_lock_dir(dir, false, &ei), OK);
	assert_int_equal(store_lock_dir(dir, false, &ei), OK);     /* shared + shared */
	assert_int_equal(store_lock_dir(dir, true, &ei), ERR_BUSY);
	assert_non_null(strstr(ei.msg, dir));
	err_clear(&ei);

	assert_int_equal(store_lock_dir(dir2, true, &ei), OK);
	assert_int_equal(store_lock_dir(dir2, false, &ei), ERR_BUSY);
	err_clear(&ei);
	assert_int_equal(store_lock_dir(dir2, true, &ei), ERR_BUSY);
	err_clear(&ei);
	/* restore takes the exclusive lock, so it refuses a held directory. */
	char file[1100];
	char *src = temp_dir();
	struct store *s = open_new(src);
	snprintf(file, sizeof file, "%s/b.db", src);
	assert_int_equal(store_backup(s, file, NULL, NULL, &ei), OK);
	store_close(s);
	assert_int_equal(store_restore(dir, file, &ei), ERR_BUSY);
	unit_remove_dir(src);
	/* The descriptors stay open (the lock lasts until exit) but the files
	 * can go. */
	unit_remove_dir(dir);
	unit_remove_dir(dir2);
}

static void test_lock_dir_other_process(void **state)
{
	char *dir = temp_dir();
	struct errinfo ei = {0};
	int up[2], down[2];
	char ch;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(pipe(up), 0);
	assert_int_equal(pipe(down), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The child: hold the shared lock until the parent says. */
		close(up[0]);
		close(down[1]);
		ch = store_lock_dir(dir, false, NULL) == OK ? 'y' : 'n';
		if (write(up[1], &ch, 1) != 1)
			_exit(2);
		if (read(down[0], &ch, 1) < 0)
			_exit(3);
		_exit(0);
	}
	close(up[1]);
	close(down[0]);
	assert_int_equal(read(up[0], &ch, 1), 1);
	assert_int_equal(ch, 'y');
	assert_int_equal(store_lock_dir(dir, true, &ei), ERR_BUSY);
	close(down[1]); /* the child exits, and its lock goes with it */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(up[0]);
	err_clear(&ei);
	assert_int_equal(store_lock_dir(dir, true, &ei), OK);
	unit_remove_dir(dir);
}


/* ---- many rows in one statement ---- */

static struct store_rows rows_t = {
	.shared = 1,
	.head = "INSERT INTO t (name, n, note) VALUES ",
	.row = "(?2, ?3, ?1)",
	.tail = " ON CONFLICT (name) DO UPDATE SET n = excluded.n, note = excluded.note "
		"WHERE t.n IS NOT excluded.n RETURNING name, n, note",
};

static void test_rows(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_t(dir);
	struct store_val v[1 + 2 * STORE_ROWS_MAX];
	struct stmt *st;
	char name[STORE_ROWS_MAX][8];
	int got = 0;

	(void)state;
	/* Three rows: ?1 is shared, each row's ?2 and ?3 renumbered. */
	v[0] = (struct store_val){.t = "batch"};
	for (int i = 0; i < 3; i++) {
		snprintf(name[i], sizeof name[i], "r%d", i);
		v[1 + 2 * i] = (struct store_val){.t = name[i]};
		v[2 + 2 * i] = (struct store_val){.i = i * 10, .is_int = true};
	}
	assert_int_equal(store_query_rows(s, &st, &rows_t, 3, v), OK);
	while (store_next(st)) {
		assert_string_equal(store_text(st, 0), name[got]);
		assert_int_equal(store_int(st, 1), got * 10);
		assert_string_equal(store_text(st, 2), "batch");
		got++;
	}
	assert_int_equal(store_done(st), OK);
	assert_int_equal(got, 3);
	assert_int_equal(store_changes(s), 3);
	assert_int_equal(rows_t.per_row, 2);
	assert_non_null(strstr(rows_t.text[3], "(?6, ?7, ?1)"));

	/* The same rows again: one changed, returned alone; NULL binds NULL. */
	v[0] = (struct store_val){.t = NULL};
	v[4] = (struct store_val){.i = 11, .is_int = true};
	assert_int_equal(store_query_rows(s, &st, &rows_t, 3, v), OK);
	assert_true(store_next(st));
	assert_string_equal(store_text(st, 0), "r1");
	assert_true(store_null(st, 2));
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);
	assert_int_equal(store_changes(s), 1);

	/* A full statement, then a single row: each count its own text. */
	for (int i = 0; i < STORE_ROWS_MAX; i++) {
		snprintf(name[i], sizeof name[i], "m%d", i);
		v[1 + 2 * i] = (struct store_val){.t = name[i]};
		v[2 + 2 * i] = (struct store_val){.i = i, .is_int = true};
	}
	assert_int_equal(store_query_rows(s, &st, &rows_t, STORE_ROWS_MAX, v), OK);
	while (store_next(st))
		;
	assert_int_equal(store_done(st), OK);
	assert_int_equal(count_rows(s, SQL_T_COUNT), 3 + STORE_ROWS_MAX);
	assert_int_equal(store_query_rows(s, &st, &rows_t, 1, v), OK);
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);
	/* One row's statement has one row's placeholders; each size is made
	 * once and kept. */
	assert_non_null(rows_t.text[1]);
	assert_null(strstr(rows_t.text[1], "), ("));
	assert_non_null(strstr(rows_t.text[STORE_ROWS_MAX], "), ("));
	{
		const char *one = rows_t.text[1];
		assert_int_equal(store_query_rows(s, &st, &rows_t, 1, v), OK);
		assert_int_equal(store_done(st), OK);
		assert_ptr_equal(rows_t.text[1], one);
	}
	store_close(s);
	unit_remove_dir(dir);
}

/* ---- deferred indexes ---- */

static const char *const SQL_U_CREATE[] = {
	"CREATE TABLE u (id INTEGER PRIMARY KEY, code TEXT UNIQUE, a TEXT, b INTEGER)",
	"CREATE INDEX u_a ON u (a)",
	"CREATE INDEX u_b ON u (b, a)",
};
static const char SQL_U_INDEXES[] =
	"SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'u'";
static const char SQL_U_DEFERRED[] = "SELECT COUNT(*) FROM deferred_indexes";
static const char SQL_U_INSERT[] = "INSERT INTO u (code, a, b) VALUES (?1, ?2, ?3)";

/* Defers table's indexes in a transaction of its own: how many. */
static int defer_committed(struct store *s, const char *table)
{
	int n = -1;

	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_defer_indexes(s, table, &n), OK);
	assert_int_equal(store_commit(s), OK);
	return n;
}

/* A store with table u: its unique constraint's index and two others. */
static struct store *open_with_u(const char *dir)
{
	struct store *s = open_new(dir);

	for (size_t i = 0; i < sizeof SQL_U_CREATE / sizeof SQL_U_CREATE[0]; i++)
		assert_int_equal(store_exec(s, SQL_U_CREATE[i], ""), OK);
	return s;
}

static void test_deferred_indexes(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_u(dir);
	int n = -1;

	(void)state;
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 3);
	/* An empty table: the two secondary indexes go, the unique one stays. */
	store_bulk(s, true);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_defer_indexes(s, "u", &n), OK);
	assert_int_equal(n, 2);
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 1);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 2);
	for (int i = 0; i < 100; i++) {
		char code[16];
		snprintf(code, sizeof code, "c%03d", 99 - i);
		assert_int_equal(store_exec(s, SQL_U_INSERT, "tti", code, code + 1, (int64_t)(i % 7)), OK);
	}
	/* The unique constraint still holds while the others are away. */
	assert_int_equal(store_exec(s, SQL_U_INSERT, "tti", "c000", "x", (int64_t)1), ERR_EXISTS);
	assert_int_equal(store_rebuild_indexes(s), OK);
	assert_int_equal(store_commit(s), OK);
	store_bulk(s, false);
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 3);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 0);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM u INDEXED BY u_b WHERE b = 3"), 14);

	/* A table with rows keeps its indexes. */
	assert_int_equal(defer_committed(s, "u"), 0);
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 3);

	/* A rollback takes the drop back with the record of it. */
	assert_int_equal(store_exec(s, "DELETE FROM u", ""), OK);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_defer_indexes(s, "u", &n), OK);
	assert_int_equal(n, 2);
	store_rollback(s);
	store_bulk(s, false);
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 3);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 0);
	store_close(s);
	unit_remove_dir(dir);
}

/* A load that dies after committing its drop: the next open builds the
 * indexes, unless the load is still alive. */
static void test_deferred_recovery(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_with_u(dir), *t = NULL, *l;
	struct errinfo ei = {0};
	int n = -1;

	(void)state;
	store_bulk(s, true);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_defer_indexes(s, "u", &n), OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_exec(s, SQL_U_INSERT, "tti", "a", "a", (int64_t)1), OK);
	assert_int_equal(store_commit(s), OK);

	/* The loader lives: another connection neither builds its indexes
	 * nor defers any of its own. */
	assert_int_equal(store_open(dir, true, &t, &ei), OK);
	assert_int_equal(count_rows(t, SQL_U_INDEXES), 1);
	assert_int_equal(store_recover_indexes(t), OK);
	assert_int_equal(count_rows(t, SQL_U_INDEXES), 1);
	assert_int_equal(store_exec(t, "CREATE TABLE w (x TEXT)", ""), OK);
	assert_int_equal(store_exec(t, "CREATE INDEX w_x ON w (x)", ""), OK);
	assert_int_equal(defer_committed(t, "w"), 0);
	store_close(t);

	/* The loader dies (its connection goes without a word): the next
	 * open builds what it left. */
	store_close(s);
	assert_int_equal(store_open(dir, false, &l, &ei), OK);
	assert_int_equal(count_rows(l, SQL_U_DEFERRED), 2);
	store_close(l);
	s = open_new(dir);
	assert_int_equal(count_rows(s, SQL_U_INDEXES), 3);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 0);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM u INDEXED BY u_a WHERE a = 'a'"), 1);
	/* Nothing left: recovering again does nothing. */
	assert_int_equal(store_recover_indexes(s), OK);
	store_close(s);
	unit_remove_dir(dir);
}

/* A unique index that meets two equal keys is not built: the record
 * stays until the duplicate is gone. */
static void test_deferred_duplicate(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_new(dir);

	(void)state;
	assert_int_equal(store_exec(s, "CREATE TABLE v (x TEXT)", ""), OK);
	assert_int_equal(store_exec(s, "CREATE UNIQUE INDEX v_x ON v (x)", ""), OK);
	assert_int_equal(defer_committed(s, "v"), 1);
	assert_int_equal(store_exec(s, "INSERT INTO v (x) VALUES ('d')", ""), OK);
	assert_int_equal(store_exec(s, "INSERT INTO v (x) VALUES ('d')", ""), OK);
	assert_int_equal(store_recover_indexes(s), ERR_EXISTS);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 1);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'v_x'"), 0);
	assert_int_equal(store_exec(s, "DELETE FROM v WHERE rowid = 2", ""), OK);
	assert_int_equal(store_recover_indexes(s), OK);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 0);
	assert_int_equal(store_exec(s, "INSERT INTO v (x) VALUES ('d')", ""), ERR_EXISTS);
	store_close(s);
	unit_remove_dir(dir);
}

/* Triggers that keep derived data (listed in derived_triggers) are
 * deferred with the indexes and built after them, and what they keep is
 * computed afresh; a trigger that enforces a rule stays throughout. */
static void test_deferred_triggers(void **state)
{
	static const char *const create[] = {
		"CREATE TABLE k (id INTEGER PRIMARY KEY, g TEXT NOT NULL)",
		"CREATE INDEX k_g ON k (g)",
		"CREATE TABLE k_n (g TEXT PRIMARY KEY, n INTEGER NOT NULL)",
		"CREATE TRIGGER k_count AFTER INSERT ON k BEGIN INSERT INTO k_n (g, n) VALUES (new.g, 1) "
		"ON CONFLICT (g) DO UPDATE SET n = n + 1; END",
		"CREATE TRIGGER k_rule BEFORE INSERT ON k WHEN new.g = 'bad' BEGIN SELECT RAISE(ABORT, 'bad'); END",
		"INSERT INTO derived_triggers (name, tbl, refill) VALUES ('k_count', 'k', "
		"'DELETE FROM k_n; INSERT INTO k_n (g, n) SELECT g, COUNT(*) FROM k GROUP BY g')",
	};
	static const char SQL_K_OBJECTS[] =
		"SELECT COUNT(*) FROM sqlite_master WHERE tbl_name = 'k' AND type IN ('index', 'trigger')";
	char *dir = temp_dir();
	struct store *s = open_new(dir);
	struct errinfo ei = {0};
	int n = -1;

	(void)state;
	for (size_t i = 0; i < sizeof create / sizeof create[0]; i++)
		assert_int_equal(store_exec(s, create[i], ""), OK);
	assert_int_equal(count_rows(s, SQL_K_OBJECTS), 3);
	assert_int_equal(store_begin(s), OK);
	assert_int_equal(store_defer_indexes(s, "k", &n), OK);
	assert_int_equal(n, 2);
	assert_int_equal(count_rows(s, SQL_K_OBJECTS), 1);      /* the rule */
	for (int i = 0; i < 30; i++)
		assert_int_equal(store_exec(s, "INSERT INTO k (g) VALUES (?1)", "t", i % 3 ? "a" : "b"), OK);
	assert_int_equal(store_exec(s, "INSERT INTO k (g) VALUES ('bad')", ""), ERR_STORE);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM k_n"), 0);   /* not kept meanwhile */
	assert_int_equal(store_rebuild_indexes(s), OK);
	assert_int_equal(store_commit(s), OK);
	assert_int_equal(count_rows(s, SQL_K_OBJECTS), 3);
	assert_int_equal(count_rows(s, "SELECT n FROM k_n WHERE g = 'a'"), 20);
	assert_int_equal(count_rows(s, "SELECT n FROM k_n WHERE g = 'b'"), 10);
	assert_int_equal(store_exec(s, "INSERT INTO k (g) VALUES ('b')", ""), OK);
	assert_int_equal(count_rows(s, "SELECT n FROM k_n WHERE g = 'b'"), 11);

	/* A load that dies with its triggers away: the next open builds
	 * them and refills. */
	assert_int_equal(store_exec(s, "DELETE FROM k", ""), OK);
	assert_int_equal(defer_committed(s, "k"), 2);
	assert_int_equal(store_exec(s, "INSERT INTO k (g) VALUES ('c')", ""), OK);
	store_close(s);
	assert_int_equal(store_open(dir, true, &s, &ei), OK);
	assert_int_equal(count_rows(s, SQL_K_OBJECTS), 3);
	assert_int_equal(count_rows(s, SQL_U_DEFERRED), 0);
	assert_int_equal(count_rows(s, "SELECT COUNT(*) FROM k_n"), 1);
	assert_int_equal(count_rows(s, "SELECT n FROM k_n WHERE g = 'c'"), 1);
	store_close(s);
	unit_remove_dir(dir);
}

/* ---- the pool ---- */

struct pool_arg {
	struct store_pool *pool;
	struct store *first, *second;
	enum err rc;
};

static void *pool_thread(void *p)
{
	struct pool_arg *a = p;

	a->rc = store_pool_get(a->pool, &a->first);
	if (a->rc == OK)
		a->rc = store_pool_get(a->pool, &a->second);
	if (a->rc == OK)
		a->rc = store_ping(a->first);
	return NULL;
}

static void test_pool(void **state)
{
	char *dir = temp_dir();
	struct store *s = open_new(dir), *m1 = NULL, *m2 = NULL;
	struct store_pool *pool;
	struct pool_arg a = {0}, b = {0};
	pthread_t ta, tb;

	(void)state;
	store_close(s);
	pool = store_pool_new(dir);
	assert_int_equal(store_pool_get(pool, &m1), OK);
	assert_int_equal(store_pool_get(pool, &m2), OK);
	assert_ptr_equal(m1, m2);
	assert_true(store_version(m1) >= 1);
	assert_int_equal(store_ping(m1), OK);

	a.pool = b.pool = pool;
	assert_int_equal(pthread_create(&ta, NULL, pool_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, pool_thread, &b), 0);
	assert_int_equal(pthread_join(ta, NULL), 0);
	assert_int_equal(pthread_join(tb, NULL), 0);
	assert_int_equal(a.rc, OK);
	assert_int_equal(b.rc, OK);
	assert_ptr_equal(a.first, a.second);
	assert_ptr_equal(b.first, b.second);
	assert_ptr_not_equal(a.first, b.first);
	assert_ptr_not_equal(a.first, m1);
	assert_ptr_not_equal(b.first, m1);
	store_pool_free(pool);
	store_pool_free(NULL);
	unit_remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_migrates),
		cmocka_unit_test(test_open_bad_dir),
		cmocka_unit_test(test_query_binds),
		cmocka_unit_test(test_int1_notfound),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_seq_next),
		cmocka_unit_test(test_cache_nested_same_sql),
		cmocka_unit_test(test_cache_many_statements),
		cmocka_unit_test(test_wal_reader_and_writer),
		cmocka_unit_test(test_backup_restore),
		cmocka_unit_test(test_restore_refuses),
		cmocka_unit_test(test_lock_dir_same_process),
		cmocka_unit_test(test_lock_dir_other_process),
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_deferred_indexes),
		cmocka_unit_test(test_deferred_triggers),
		cmocka_unit_test(test_deferred_recovery),
		cmocka_unit_test(test_deferred_duplicate),
		cmocka_unit_test(test_pool),
	};

	/* The store logs its engine errors; the tests cause some on purpose. */
	log_open("/dev/null", LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
