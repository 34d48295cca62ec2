/*
 * store.c — the SQLite engine behind store.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/conf.h"
#include "base/embed.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xmalloc.h"
#include "store/store.h"
#include "base/banned.h"

#define STMT_CACHE 128      /* statements kept prepared per connection */
#define MIGRATION_PREFIX "src/store/migrations/"
#define DEFERRED_SINCE 3    /* the migration that made deferred_indexes */
#define BULK_SUFFIX "-bulk" /* beside the database: the lock of the connection deferring indexes */
#define ROWS_TEXT_MAX ((size_t)1 << 20)

struct stmt {
	struct store *s;
	sqlite3_stmt *st;
	const char *sql;    /* the key: the address of the SQL constant */
	bool busy;          /* between store_query and store_done */
	bool cached;
	int rc;             /* the last sqlite3_step result */
};

struct store {
	sqlite3 *db;
	struct stmt cache[STMT_CACHE];
	int version;
	bool bulk;          /* store_bulk is on */
	int bulk_fd;        /* the deferral lock, while this connection holds it; -1 */
	char path[1024];
};

static atomic_ulong store_errors;

uint64_t store_error_count(void)
{
	return atomic_load(&store_errors);
}

/* Maps an SQLite result to an enum err, logging what is not the user's. */
static enum err fail(struct store *s, int rc, const char *what)
{
	int base = rc & 0xff;

	if (base == SQLITE_BUSY || base == SQLITE_LOCKED) {
		log_msg(LOG_WARN, NULL, "store busy: %s", what);
		return ERR_BUSY;
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return ERR_EXISTS;
	atomic_fetch_add(&store_errors, 1);
	log_msg(LOG_ERROR, NULL, "store: %s: %s (%d)", what, s ? sqlite3_errmsg(s->db) : "", rc);
	return ERR_STORE;
}

static enum err exec_script(struct store *s, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_msg(LOG_ERROR, NULL, "store: %s", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return fail(NULL, rc, "script");
	}
	return OK;
}

/* Foreign keys the migration broke, if any (it rebuilt a table the wrong
 * way): the first is logged. */
static enum err foreign_key_check(struct store *s)
{
	struct stmt *st;
	enum err rc;
	bool broken;

	if ((rc = store_query(s, &st, "PRAGMA foreign_key_check", "")) != OK)
		return rc;
	if ((broken = store_next(st)))
		log_msg(LOG_ERROR, NULL, "store: a migration broke a foreign key of %s (row %lld, to %s)",
			store_text(st, 0), (long long)store_int(st, 1), store_text(st, 2));
	rc = store_done(st);
	return rc == OK && broken ? ERR_STORE : rc;
}

/* Applies, in order, each embedded migration newer than the schema. Each
 * runs in its own transaction with its version, so a crash leaves the
 * schema at a whole version. A migration that drops a table (to rebuild
 * it the SQLite way: new table, copy, drop, rename) runs with foreign
 * keys off, set before its transaction (SQLite ignores the pragma inside
 * one), and they are checked whole before it commits; the others keep
 * them on and skip the check, which reads every row that has one. */
static enum err migrate(struct store *s, struct errinfo *ei)
{
	enum err rc;
	int64_t have = 0;

	if ((rc = exec_script(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
				 "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")) != OK)
		return err_set(ei, rc, NULL, "cannot create the migrations table");
	rc = store_int1(s, &have, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
	if (rc != OK)
		return err_set(ei, rc, NULL, "cannot read the schema version");
	for (int want = (int)have + 1;; want++) {
		const struct embedded *e, *found = NULL;
		char prefix[64], now[TIME_ISO_LEN];
		bool rebuilds;

		snprintf(prefix, sizeof prefix, MIGRATION_PREFIX "%04d_", want);
		for (e = embedded_files; e->name; e++)
			if (strncmp(e->name, prefix, strlen(prefix)) == 0)
				found = e;
		if (!found)
			break;
		time_now_iso(now);
		rebuilds = strstr((const char *)found->data, "DROP TABLE") != NULL;
		if (rebuilds)
			exec_script(s, "PRAGMA foreign_keys = OFF");
		if ((rc = store_begin(s)) != OK) {
			exec_script(s, "PRAGMA foreign_keys = ON");
			return err_set(ei, rc, NULL, "cannot lock the store to migrate it");
		}
		if ((rc = exec_script(s, (const char *)found->data)) != OK ||
		    (rc = store_exec(s, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
				     "itt", (int64_t)want, found->name + strlen(MIGRATION_PREFIX), now)) != OK ||
		    (rebuilds && (rc = foreign_key_check(s)) != OK) || (rc = store_commit(s)) != OK) {
			store_rollback(s);
			exec_script(s, "PRAGMA foreign_keys = ON");
			return err_set(ei, rc, NULL, "migration %s failed", found->name);
		}
		exec_script(s, "PRAGMA foreign_keys = ON");
		log_msg(LOG_INFO, NULL, "store: applied migration %s", found->name);
		have = want;
	}
	s->version = (int)have;
	return OK;
}

/* Process-wide engine settings, made once before the first connection:
 * memory statistics cost a lock on every allocation and nobody reads them. */
static void engine_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum err store_open(const char *dir, bool do_migrate, struct store **out, struct errinfo *ei)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *s = xcalloc(1, sizeof *s);
	enum err rc;
	int src;

	pthread_once(&once, engine_setup);
	*out = NULL;
	s->bulk_fd = -1;
	if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
		free(s);
		return err_set(ei, ERR_IO, NULL, "cannot create the data directory %s: %s", dir, strerror(errno));
	}
	snprintf(s->path, sizeof s->path, "%s/%s", dir, STORE_FILE);
	src = sqlite3_open_v2(s->path, &s->db,
			      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (src != SQLITE_OK) {
		rc = err_set(ei, ERR_IO, NULL, "cannot open %s: %s", s->path, sqlite3_errstr(src));
		goto fail;
	}
	/* Without extended codes a uniqueness violation is a bare
	 * SQLITE_CONSTRAINT, and fail() could not tell it from the others. */
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
	if ((rc = exec_script(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
				 "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;")) != OK) {
		err_set(ei, rc, NULL, "cannot set up %s (is it a Reach database?)", s->path);
		goto fail;
	}
	if (do_migrate && (rc = migrate(s, ei)) != OK)
		goto fail;
	if (!do_migrate) {
		int64_t v = 0;
		store_int1(s, &v, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", "");
		s->version = (int)v;
	}
	/* A store without its indexes still answers every query, only
	 * slowly: a failed rebuild is logged, and tried again next time. */
	if (do_migrate && store_recover_indexes(s) != OK)
		log_msg(LOG_ERROR, NULL, "store: the indexes a bulk load left deferred could not be built");
	*out = s;
	return OK;
fail:
	store_close(s);
	return rc;
}

static void bulk_unlock(struct store *s)
{
	if (s->bulk_fd >= 0)
		close(s->bulk_fd);
	s->bulk_fd = -1;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	bulk_unlock(s);
	for (int i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s);
}

int store_version(struct store *s)
{
	return s->version;
}

static enum err bind(struct stmt *st, const char *fmt, va_list ap)
{
	int rc = SQLITE_OK;

	for (int i = 1; *fmt && rc == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't': {
			const char *t = va_arg(ap, const char *);
			rc = t ? sqlite3_bind_text(st->st, i, t, -1, SQLITE_STATIC) : sqlite3_bind_null(st->st, i);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st->st, i, va_arg(ap, int64_t));
			break;
		case 'b':
			rc = sqlite3_bind_int(st->st, i, va_arg(ap, int) ? 1 : 0);
			break;
		default:
			BUG("bad store bind format");
		}
	}
	return rc == SQLITE_OK ? OK : fail(st->s, rc, "bind");
}

/* Finds the cached statement for sql, preparing it on first use. A
 * statement already in use (a query inside a loop over the same query)
 * gets a fresh, uncached one. */
static enum err prepare(struct store *s, const char *sql, struct stmt **out)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
	struct stmt *st = NULL;
	int rc;

	for (size_t k = 0; k < STMT_CACHE; k++) {
		struct stmt *c = &s->cache[(h + k) % STMT_CACHE];
		if (c->sql == sql && !c->busy) {
			st = c;
			break;
		}
		if (!c->sql) {
			st = c;
			break;
		}
	}
	if (st && st->sql == sql) {
		st->busy = true;
		*out = st;
		return OK;
	}
	if (!st) {
		st = xcalloc(1, sizeof *st);
	} else
		st->cached = true;
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st->st, NULL);
	if (rc != SQLITE_OK) {
		if (!st->cached)
			free(st);
		return fail(s, rc, sql);
	}
	st->s = s;
	st->sql = sql;
	st->busy = true;
	*out = st;
	return OK;
}

static enum err vquery(struct store *s, struct stmt **out, const char *sql, const char *fmt, va_list ap)
{
	enum err rc;

	if ((rc = prepare(s, sql, out)) != OK)
		return rc;
	(*out)->rc = SQLITE_OK;
	if ((rc = bind(*out, fmt, ap)) != OK) {
		store_done(*out);
		*out = NULL;
	}
	return rc;
}

enum err store_query(struct store *s, struct stmt **out, const char *sql, const char *fmt, ...)
{
	va_list ap;
	enum err rc;

	va_start(ap, fmt);
	rc = vquery(s, out, sql, fmt, ap);
	va_end(ap);
	return rc;
}

bool store_next(struct stmt *st)
{
	if (st->rc != SQLITE_OK && st->rc != SQLITE_ROW)
		return false;
	st->rc = sqlite3_step(st->st);
	return st->rc == SQLITE_ROW;
}

enum err store_done(struct stmt *st)
{
	int rc = st->rc;
	enum err e = OK;

	if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
		e = fail(st->s, rc, st->sql);
	sqlite3_reset(st->st);
	sqlite3_clear_bindings(st->st);
	st->busy = false;
	if (!st->cached) {
		sqlite3_finalize(st->st);
		free(st);
	}
	return e;
}

enum err store_exec(struct store *s, const char *sql, const char *fmt, ...)
{
	struct stmt *st;
	va_list ap;
	enum err rc;

	va_start(ap, fmt);
	rc = vquery(s, &st, sql, fmt, ap);
	va_end(ap);
	if (rc != OK)
		return rc;
	while (store_next(st))
		;
	return store_done(st);
}

enum err store_int1(struct store *s, int64_t *out, const char *sql, const char *fmt, ...)
{
	struct stmt *st;
	va_list ap;
	enum err rc;
	bool row;

	va_start(ap, fmt);
	rc = vquery(s, &st, sql, fmt, ap);
	va_end(ap);
	if (rc != OK)
		return rc;
	if ((row = store_next(st)))
		*out = sqlite3_column_int64(st->st, 0);
	rc = store_done(st);
	return rc != OK ? rc : row ? OK : ERR_NOTFOUND;
}

const char *store_text(struct stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->st, col);
}

int64_t store_int(struct stmt *st, int col)
{
	return sqlite3_column_int64(st->st, col);
}

bool store_null(struct stmt *st, int col)
{
	return sqlite3_column_type(st->st, col) == SQLITE_NULL;
}

int64_t store_changes(struct store *s)
{
	return sqlite3_changes64(s->db);
}

enum err store_begin(struct store *s)
{
	return store_exec(s, "BEGIN IMMEDIATE", "");
}

enum err store_begin_read(struct store *s)
{
	return store_exec(s, "BEGIN", "");
}

enum err store_commit(struct store *s)
{
	return store_exec(s, "COMMIT", "");
}

void store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum err store_seq_next(struct store *s, int64_t *out)
{
	return store_int1(s, out, "UPDATE change_seq SET n = n + 1 WHERE id = 1 RETURNING n", "");
}

/*
 * SQLite builds a temporary b-tree for every IN (…) list of a CHECK
 * constraint on every row, and an immediate foreign key makes every
 * statement keep a statement journal; in bulk mode both are off, the page
 * cache holds a whole batch, the write-ahead log is checkpointed less
 * often (a page rewritten by many batches is copied once), and temporary
 * storage is in files, so an index build sorts in runs of a bounded size
 * (store_rebuild_indexes).
 */
void store_bulk(struct store *s, bool on)
{
	static const char *const sql[2][6] = {
		{"PRAGMA foreign_keys = ON", "PRAGMA ignore_check_constraints = OFF", "PRAGMA cache_size = -2000",
		 "PRAGMA wal_autocheckpoint = 1000", "PRAGMA threads = 0", "PRAGMA temp_store = MEMORY"},
		{"PRAGMA foreign_keys = OFF", "PRAGMA ignore_check_constraints = ON", "PRAGMA cache_size = -65536",
		 "PRAGMA wal_autocheckpoint = 16384", "PRAGMA threads = 1", "PRAGMA temp_store = FILE"},
	};

	for (int i = 0; i < 6; i++)
		exec_script(s, sql[on][i]);
	s->bulk = on;
	if (!on)
		bulk_unlock(s);
}

/* ---- many rows in one statement ---- */

static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;

/* The number of a placeholder whose digits start at p. */
static int param_number(const char *p)
{
	int k = 0;

	for (; *p >= '0' && *p <= '9' && k < 100000; p++)
		k = k * 10 + (*p - '0');
	return k;
}

/* The highest placeholder number in sql (which has no '?' in a literal). */
static int max_param(const char *sql)
{
	int top = 0;

	for (const char *p = strchr(sql, '?'); p; p = strchr(p + 1, '?'))
		if (param_number(p + 1) > top)
			top = param_number(p + 1);
	return top;
}

/* Appends sql with each placeholder above shared moved up by add. */
static void renumber(struct buf *b, const char *sql, int shared, int add)
{
	for (const char *p = sql; *p;) {
		const char *q = strchr(p, '?');
		int k;
		if (!q) {
			buf_puts(b, p);
			return;
		}
		buf_add(b, p, (size_t)(q + 1 - p));
		k = param_number(q + 1);
		buf_add_i64(b, k > shared ? k + add : k);
		for (p = q + 1; *p >= '0' && *p <= '9'; p++)
			;
	}
}

/* The text of sql for n rows, made on first use. */
static const char *rows_text(struct store_rows *sql, int n)
{
	const char *text;

	pthread_mutex_lock(&rows_lock);
	if (!sql->text[n]) {
		struct buf b;
		if (max_param(sql->head) > sql->shared || max_param(sql->tail) > sql->shared)
			BUG("a multi-row statement's head or tail uses a row's placeholder");
		sql->per_row = max_param(sql->row) - sql->shared;
		buf_init(&b, ROWS_TEXT_MAX);
		buf_puts(&b, sql->head);
		for (int i = 0; i < n; i++) {
			if (i)
				buf_puts(&b, ", ");
			renumber(&b, sql->row, sql->shared, i * sql->per_row);
		}
		buf_puts(&b, sql->tail);
		if (b.err != OK)
			BUG("a multi-row statement's text is too long");
		sql->text[n] = buf_detach(&b, NULL);
	}
	text = sql->text[n];
	pthread_mutex_unlock(&rows_lock);
	return text;
}

enum err store_query_rows(struct store *s, struct stmt **out, struct store_rows *sql, int n,
			  const struct store_val *v)
{
	int rc = SQLITE_OK, total;
	enum err e;

	if (n < 1 || n > STORE_ROWS_MAX)
		BUG("store_query_rows: a row count out of range");
	if ((e = prepare(s, rows_text(sql, n), out)) != OK)
		return e;
	(*out)->rc = SQLITE_OK;
	total = sql->shared + n * sql->per_row;
	for (int i = 0; i < total && rc == SQLITE_OK; i++) {
		sqlite3_stmt *st = (*out)->st;
		if (v[i].is_int)
			rc = sqlite3_bind_int64(st, i + 1, v[i].i);
		else
			rc = v[i].t ? sqlite3_bind_text(st, i + 1, v[i].t, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i + 1);
	}
	if (rc == SQLITE_OK)
		return OK;
	e = fail(s, rc, "bind");
	store_done(*out);
	*out = NULL;
	return e;
}

/* ---- deferred indexes ---- */

/* A table's indexes made by CREATE INDEX (sql is NULL for those behind
 * column constraints) and its triggers that keep derived data (those
 * that enforce a rule stay). */
static const char SQL_TABLE_INDEXES[] =
	"SELECT name, sql, type, tbl_name FROM sqlite_master WHERE tbl_name = ?1 AND sql IS NOT NULL "
	"AND (type = 'index' OR (type = 'trigger' AND name IN (SELECT name FROM derived_triggers)))";
static const char SQL_DEFER[] = "INSERT INTO deferred_indexes (name, tbl, sql, type) VALUES (?1, ?2, ?3, ?4)";
/* Indexes first: a trigger's refill reads the table through them. */
static const char SQL_DEFERRED[] =
	"SELECT name, sql, type, tbl FROM deferred_indexes ORDER BY type = 'trigger', tbl, name";
static const char SQL_DEFERRED_ANY[] = "SELECT COUNT(*) FROM deferred_indexes";
static const char SQL_HAS_OBJECT[] = "SELECT COUNT(*) FROM sqlite_master WHERE type = ?1 AND name = ?2";
static const char SQL_REFILL[] = "SELECT refill FROM derived_triggers WHERE tbl = ?1 LIMIT 1";
static const char SQL_FORGET[] = "DELETE FROM deferred_indexes WHERE name = ?1";

/* Takes the deferral lock, unless another connection holds it. */
static bool bulk_lock(struct store *s)
{
	char path[1100];

	if (s->bulk_fd >= 0)
		return true;
	snprintf(path, sizeof path, "%s" BULK_SUFFIX, s->path);
	if ((s->bulk_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0) {
		log_msg(LOG_WARN, NULL, "store: cannot open %s: %s", path, strerror(errno));
		return false;
	}
	if (flock(s->bulk_fd, LOCK_EX | LOCK_NB) != 0) {
		bulk_unlock(s);
		return false;
	}
	return true;
}

/* Runs sql, made here from a name in the schema (quoted with %w): the
 * one place SQL text is built, for statements that cannot take a bound
 * table or index name. */
static enum err exec_named(struct store *s, const char *fmt, const char *name)
{
	char *sql = sqlite3_mprintf(fmt, name);
	enum err rc;

	if (!sql)
		BUG("out of memory");
	rc = exec_script(s, sql);
	sqlite3_free(sql);
	return rc;
}

/* Whether table has no rows. */
static enum err table_empty(struct store *s, const char *table, bool *empty)
{
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\" LIMIT 1", table);
	sqlite3_stmt *st = NULL;
	int rc;

	if (!sql)
		BUG("out of memory");
	rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	*empty = rc == SQLITE_DONE;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? OK : fail(s, rc, "table_empty");
}

/* Schema objects read from a query (name, sql, type, table), owned by
 * the caller. */
struct defs {
	struct def {
		char *name, *sql, *type, *tbl;
	} *d;
	int n;
};

static enum err read_defs(struct store *s, const char *query, const char *arg, struct defs *d)
{
	struct stmt *st;
	enum err rc;

	memset(d, 0, sizeof *d);
	if ((rc = store_query(s, &st, query, arg ? "t" : "", arg)) != OK)
		return rc;
	while (store_next(st)) {
		d->d = xrealloc(d->d, (size_t)(d->n + 1) * sizeof *d->d);
		d->d[d->n++] = (struct def){xstrdup(store_text(st, 0)), xstrdup(store_text(st, 1)),
					    xstrdup(store_text(st, 2)), xstrdup(store_text(st, 3))};
	}
	return store_done(st);
}

static void defs_free(struct defs *d)
{
	for (int i = 0; i < d->n; i++) {
		free(d->d[i].name);
		free(d->d[i].sql);
		free(d->d[i].type);
		free(d->d[i].tbl);
	}
	free(d->d);
}

enum err store_defer_indexes(struct store *s, const char *table, int *n)
{
	struct defs d;
	bool empty;
	enum err rc;

	*n = 0;
	if ((rc = table_empty(s, table, &empty)) != OK || !empty || !bulk_lock(s))
		return rc;
	/* Read first, then drop: the schema must not change under a query. */
	if ((rc = read_defs(s, SQL_TABLE_INDEXES, table, &d)) != OK)
		goto out;
	for (int i = 0; i < d.n && rc == OK; i++) {
		const struct def *o = &d.d[i];
		bool trigger = !strcmp(o->type, "trigger");
		if ((rc = store_exec(s, SQL_DEFER, "tttt", o->name, table, o->sql, o->type)) == OK &&
		    (rc = exec_named(s, trigger ? "DROP TRIGGER \"%w\"" : "DROP INDEX \"%w\"", o->name)) == OK)
			(*n)++;
	}
out:
	defs_free(&d);
	return rc;
}

/* Runs the refill of table's triggers, if it has one. */
static enum err refill(struct store *s, const char *table)
{
	struct stmt *st;
	char *sql = NULL;
	enum err rc;

	if ((rc = store_query(s, &st, SQL_REFILL, "t", table)) != OK)
		return rc;
	if (store_next(st))
		sql = xstrdup(store_text(st, 0));
	if ((rc = store_done(st)) == OK && sql)
		rc = exec_script(s, sql);
	free(sql);
	return rc;
}

/* Builds a recorded object again, unless it is there already (built by
 * someone else), and forgets it; *built says whether it was built. */
static enum err rebuild_one(struct store *s, const struct def *o, bool *built)
{
	uint64_t t0 = time_mono_ns();
	int64_t have = 0;
	enum err rc;

	*built = false;
	if ((rc = store_int1(s, &have, SQL_HAS_OBJECT, "tt", o->type, o->name)) != OK)
		return rc;
	/* The text is the object's own, as the schema had it before the drop. */
	if (!have && (rc = exec_script(s, o->sql)) == OK) {
		*built = true;
		log_msg(LOG_INFO, NULL, "store: %s %s on %s made again in %.1f s", o->type, o->name, o->tbl,
			(double)(time_mono_ns() - t0) / 1e9);
	}
	return rc == OK ? store_exec(s, SQL_FORGET, "t", o->name) : rc;
}

enum err store_rebuild_indexes(struct store *s)
{
	bool own = sqlite3_get_autocommit(s->db);
	int64_t cache = 0;
	char pragma[64];
	struct defs d;
	enum err rc;

	if ((rc = read_defs(s, SQL_DEFERRED, NULL, &d)) != OK)
		goto out;
	/* CREATE INDEX sorts its keys in runs the size of the page cache
	 * and merges them, on a second thread when PRAGMA threads allows;
	 * with temporary storage in memory it sorts them all at once, in
	 * memory that grows with the table (gigabytes at tens of millions
	 * of rows). Runs of 8 MB in temporary files keep it flat, and sort
	 * faster than one big run (they fit the processor's caches). Bulk
	 * mode has temporary files and the sorting thread already; changing
	 * temp_store needs no transaction open. */
	if (!d.n || (rc = store_int1(s, &cache, "PRAGMA cache_size", "")) != OK)
		goto out;
	exec_script(s, "PRAGMA cache_size = -8192");
	if (!s->bulk)
		exec_script(s, "PRAGMA threads = 1");
	if (own && !s->bulk)
		exec_script(s, "PRAGMA temp_store = FILE");
	/* One step an index, or a table's triggers with their refill (what
	 * they keep was not kept while they were away: the refill computes
	 * it afresh, once for the table). */
	for (int i = 0, j; i < d.n; i = j) {
		bool trigger = !strcmp(d.d[i].type, "trigger"), built, any = false;
		enum err step = OK;
		for (j = i + 1; trigger && j < d.n && !strcmp(d.d[j].type, "trigger") &&
				!strcmp(d.d[j].tbl, d.d[i].tbl);)
			j++;
		if (own && (step = store_begin(s)) != OK) {
			rc = rc == OK ? step : rc;
			break;
		}
		for (int k = i; k < j && step == OK; k++) {
			step = rebuild_one(s, &d.d[k], &built);
			any = any || built;
		}
		if (step == OK && trigger && any)
			step = refill(s, d.d[i].tbl);
		if (own && step == OK)
			step = store_commit(s);
		if (own && step != OK)
			store_rollback(s);
		/* One that cannot be built (a duplicate key) stays recorded;
		 * the others are built all the same, unless the caller's
		 * transaction holds them all (it is rolled back, and SQLite
		 * may have ended it already). */
		if (rc == OK)
			rc = step;
		if (!own && rc != OK)
			break;
	}
	snprintf(pragma, sizeof pragma, "PRAGMA cache_size = %lld", (long long)cache);
	exec_script(s, pragma);
	if (!s->bulk)
		exec_script(s, "PRAGMA threads = 0");
	if (own && !s->bulk)
		exec_script(s, "PRAGMA temp_store = MEMORY");
out:
	defs_free(&d);
	return rc;
}

enum err store_recover_indexes(struct store *s)
{
	bool mine = s->bulk_fd >= 0;
	int64_t n = 0;
	enum err rc;

	if (s->version < DEFERRED_SINCE)
		return OK;
	if ((rc = store_int1(s, &n, SQL_DEFERRED_ANY, "")) != OK || n == 0)
		return rc;
	if (!bulk_lock(s))
		return OK;      /* a live load will build them itself */
	log_msg(LOG_WARN, NULL, "store: building %lld indexes a bulk load left deferred", (long long)n);
	rc = store_rebuild_indexes(s);
	if (!mine)
		bulk_unlock(s);
	return rc;
}

enum err store_ping(struct store *s)
{
	int64_t v;
	return store_int1(s, &v, "SELECT 1", "");
}

enum err store_backup(struct store *s, const char *path,
		      void (*progress)(void *arg, int64_t done, int64_t total), void *arg,
		      struct errinfo *ei)
{
	char tmp[1100];
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	int rc;

	/* Written beside the target and renamed, so a failed backup never
	 * leaves a half file under the name asked for. */
	snprintf(tmp, sizeof tmp, "%s.partial", path);
	unlink(tmp);
	if (sqlite3_open_v2(tmp, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sqlite3_close(dst);
		return err_set(ei, ERR_IO, NULL, "cannot create %s", tmp);
	}
	if (!(bk = sqlite3_backup_init(dst, "main", s->db, "main"))) {
		err_set(ei, ERR_STORE, NULL, "cannot start the backup: %s", sqlite3_errmsg(dst));
		sqlite3_close(dst);
		unlink(tmp);
		return ERR_STORE;
	}
	do {
		/* Small steps: writers get the lock back between them. */
		rc = sqlite3_backup_step(bk, 256);
		if (progress)
			progress(arg, sqlite3_backup_pagecount(bk) - sqlite3_backup_remaining(bk),
				 sqlite3_backup_pagecount(bk));
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(bk);
	if (rc == SQLITE_DONE)
		rc = sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
	sqlite3_close(dst);
	if (rc != SQLITE_OK && rc != SQLITE_DONE) {
		unlink(tmp);
		return err_set(ei, ERR_IO, NULL, "backup failed: %s", sqlite3_errstr(rc));
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return err_set(ei, ERR_IO, NULL, "cannot write %s: %s", path, strerror(errno));
	}
	return OK;
}

/* The highest migration this program carries. */
static int known_version(void)
{
	int v = 0;
	size_t n = strlen(MIGRATION_PREFIX);

	for (const struct embedded *e = embedded_files; e->name; e++)
		if (strncmp(e->name, MIGRATION_PREFIX, n) == 0) {
			int64_t x;
			char num[5] = {0};
			memcpy(num, e->name + n, 4);
			if (conf_parse_int(num, 1, 9999, &x) == OK && x > v)
				v = (int)x;
		}
	return v;
}

/* Opens path read-only and checks it through and through. */
static enum err check_file(const char *path, struct errinfo *ei)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	enum err rc = OK;
	int64_t version = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = err_set(ei, ERR_INVALID, NULL, "%s cannot be opened", path);
		goto out;
	}
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
		rc = err_set(ei, ERR_INVALID, NULL, "%s is not a whole SQLite database (integrity check failed)", path);
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(db, "SELECT MAX(version) FROM schema_migrations", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		rc = err_set(ei, ERR_INVALID, NULL, "%s is not a Reach backup (no schema version)", path);
		goto out;
	}
	version = sqlite3_column_int64(st, 0);
	if (version > known_version()) {
		rc = err_set(ei, ERR_INVALID, NULL, "%s was made by a newer Reach (schema %lld; this one knows %d)",
			     path, (long long)version, known_version());
		goto out;
	}
	if (version < 1)
		rc = err_set(ei, ERR_INVALID, NULL, "%s has no Reach schema", path);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

static enum err copy_file(const char *from, const char *to, struct errinfo *ei)
{
	char buf[65536];
	ssize_t n;
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	enum err rc = OK;

	if (in < 0)
		return err_set(ei, ERR_IO, NULL, "cannot read %s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (out < 0) {
		close(in);
		return err_set(ei, ERR_IO, NULL, "cannot write %s: %s", to, strerror(errno));
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = err_set(ei, ERR_IO, NULL, "cannot write %s: %s", to, strerror(errno));
			break;
		}
	if (n < 0)
		rc = err_set(ei, ERR_IO, NULL, "cannot read %s: %s", from, strerror(errno));
	if (rc == OK && fsync(out) != 0)
		rc = err_set(ei, ERR_IO, NULL, "cannot sync %s: %s", to, strerror(errno));
	close(in);
	close(out);
	return rc;
}

/*
 * The work a restored copy says is running: it was running when the copy
 * was made (the backup job itself, an import), and no one runs it now.
 * Marked failed in the copy, so the next server does not take it for
 * work a stopped server left and run it again.
 */
static enum err restore_settle(const char *path, struct errinfo *ei)
{
	static const char sql[] =
		"UPDATE jobs SET state = 'failed', message = 'the store was restored from a copy made while this job "
		"ran', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ'), updated_at = strftime('%Y-%m-%dT%H:%M:%fZ') "
		"WHERE state = 'running'";
	/* Before the jobs: an import whose job had just started is still
	 * queued itself. */
	static const char sql_imports[] =
		"UPDATE imports SET state = 'failed', message = 'the store was restored from a copy made while this "
		"import ran', finished_at = strftime('%Y-%m-%dT%H:%M:%fZ') WHERE state = 'running' OR "
		"(state = 'queued' AND job_id IN (SELECT id FROM jobs WHERE state = 'running'))";
	sqlite3 *db = NULL;
	int src = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);

	if (src == SQLITE_OK && sqlite3_exec(db, sql_imports, NULL, NULL, NULL) != SQLITE_OK)
		log_msg(LOG_WARN, NULL, "restore: %s", sqlite3_errmsg(db));   /* a copy older than imports */
	if (src == SQLITE_OK)
		src = sqlite3_exec(db, sql, NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		enum err rc = err_set(ei, ERR_IO, NULL, "cannot settle the jobs of %s: %s", path,
				      db ? sqlite3_errmsg(db) : sqlite3_errstr(src));
		sqlite3_close(db);
		return rc;
	}
	return sqlite3_close(db) == SQLITE_OK ? OK : err_set(ei, ERR_IO, NULL, "cannot close %s", path);
}

/*
 * The uploads an import job waits to read are kept in dir/imports (see
 * import_routes.c) until the job has run. After a restore only the jobs
 * the copy holds as queued will run, so the other uploads there (of jobs
 * the restore failed, or that the copy never had) are removed. db is the
 * restored copy.
 */
static void restore_uploads(const char *dir, const char *db)
{
	/* By the file's name: the path in the job is spelt as the server's
	 * data directory was, which may differ from dir (relative, ./). */
	static const char sql[] =
		"SELECT 1 FROM jobs WHERE state = 'queued' AND "
		"substr(json_extract(params, '$.path'), -length(?1) - 1) = '/' || ?1";
	static const char suffix[] = ".upload";
	char up[1100], file[1400];
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	struct dirent *e;
	DIR *d;

	snprintf(up, sizeof up, "%s/imports", dir);
	if (!(d = opendir(up)))
		return;
	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
		log_msg(LOG_WARN, NULL, "restore: the uploads in %s were left: %s", up, h ? sqlite3_errmsg(h) : "");
		goto out;
	}
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		bool queued;
		if (n < sizeof suffix || strcmp(e->d_name + n - (sizeof suffix - 1), suffix) != 0)
			continue;
		snprintf(file, sizeof file, "%s/%s", up, e->d_name);
		sqlite3_bind_text(st, 1, e->d_name, -1, SQLITE_STATIC);
		queued = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_reset(st);
		if (!queued && unlink(file) == 0)
			log_msg(LOG_INFO, NULL, "restore: removed %s (its import will not run)", file);
	}
out:
	sqlite3_finalize(st);
	sqlite3_close(h);
	closedir(d);
}

enum err store_restore(const char *dir, const char *path, struct errinfo *ei)
{
	char db[1100], tmp[1200], side[1200];
	enum err rc;

	if ((rc = check_file(path, ei)) != OK)
		return rc;
	if ((rc = store_lock_dir(dir, true, ei)) != OK)
		return rc;
	snprintf(db, sizeof db, "%s/%s", dir, STORE_FILE);
	snprintf(tmp, sizeof tmp, "%s.restoring", db);
	if ((rc = copy_file(path, tmp, ei)) != OK || (rc = restore_settle(tmp, ei)) != OK) {
		unlink(tmp);
		return rc;
	}
	/* The old WAL belongs to the old database: it must not be replayed
	 * over the restored one. */
	snprintf(side, sizeof side, "%s-wal", db);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", db);
	unlink(side);
	if (rename(tmp, db) != 0) {
		unlink(tmp);
		return err_set(ei, ERR_IO, NULL, "cannot replace %s: %s", db, strerror(errno));
	}
	restore_uploads(dir, db);
	return OK;
}

enum err store_lock_dir(const char *dir, bool exclusive, struct errinfo *ei)
{
	char path[1100];
	int fd;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return err_set(ei, ERR_IO, NULL, "cannot create %s: %s", dir, strerror(errno));
	snprintf(path, sizeof path, "%s/reach.lock", dir);
	/* The descriptor is kept open on purpose: the lock lasts until exit. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) < 0)
		return err_set(ei, ERR_IO, NULL, "cannot open %s: %s", path, strerror(errno));
	if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		close(fd);
		return err_set(ei, ERR_BUSY, NULL, exclusive ?
			       "a Reach server is using %s; stop it first" :
			       "%s is being restored; try again when that is done", dir);
	}
	return OK;
}

/* The pool: one connection per thread, found through a thread key. */
struct store_pool {
	char dir[1024];
	pthread_key_t key;
	pthread_mutex_t lock;
	struct store **all;
	size_t n;
};

struct store_pool *store_pool_new(const char *dir)
{
	struct store_pool *p = xcalloc(1, sizeof *p);

	snprintf(p->dir, sizeof p->dir, "%s", dir);
	if (pthread_key_create(&p->key, NULL) != 0)
		BUG("pthread_key_create");
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

enum err store_pool_get(struct store_pool *p, struct store **out)
{
	struct store *s = pthread_getspecific(p->key);
	struct errinfo ei = {0};
	enum err rc;

	if (s) {
		*out = s;
		return OK;
	}
	if ((rc = store_open(p->dir, false, &s, &ei)) != OK) {
		log_msg(LOG_ERROR, NULL, "store: %s", ei.msg);
		return rc;
	}
	pthread_setspecific(p->key, s);
	pthread_mutex_lock(&p->lock);
	p->all = xrealloc(p->all, (p->n + 1) * sizeof *p->all);
	p->all[p->n++] = s;
	pthread_mutex_unlock(&p->lock);
	*out = s;
	return OK;
}

void store_pool_free(struct store_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		store_close(p->all[i]);
	free(p->all);
	pthread_key_delete(p->key);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
