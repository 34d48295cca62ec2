/*
 * store.h — the only door to SQL.
 *
 * A struct store is one connection, used by one thread at a time. The
 * server keeps one per thread (store_pool); a command keeps one. SQL text
 * is always a string constant with numbered placeholders (?1, ?2, …) and
 * values are bound, never built into the text; statements are prepared
 * once per connection and cached by the address of their text.
 *
 * The SQL that modules write stays inside the subset SQLite and PostgreSQL
 * share: ?N placeholders (rewritten to $N for PostgreSQL), INSERT … ON
 * CONFLICT … DO UPDATE, RETURNING, CURRENT_TIMESTAMP-free (times are bound
 * from C), no AUTOINCREMENT. What differs between engines (the change
 * sequence, backup, full-text search) is a store_* function.
 *
 * Errors: ERR_BUSY when the database stayed locked past the busy timeout,
 * ERR_EXISTS for a uniqueness violation, ERR_STORE for anything else (the
 * engine's message goes to the log, not to the user).
 *
 *   struct stmt *st;
 *   if ((rc = store_query(s, &st, SQL_FIND, "t", login)) != OK) goto out;
 *   while (store_next(st)) use(store_text(st, 0));
 *   rc = store_done(st);
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"

struct store;
struct stmt;
struct store_pool;

#define STORE_BUSY_TIMEOUT_MS 5000
#define STORE_FILE "reach.db"

/* Opens (creating if need be) the database in DIR, in WAL mode, and brings
 * its schema up to date with the embedded migrations when migrate is true.
 * ERR_IO when the directory cannot be used. */
enum err store_open(const char *dir, bool migrate, struct store **out, struct errinfo *ei);
void store_close(struct store *s);

/* The schema version (the highest migration applied). */
int store_version(struct store *s);

/* Prepares (or takes from the cache) sql, binds the arguments described by
 * fmt — 't' text (const char *, NULL binds NULL), 'i' int64_t, 'b' bool
 * as int — and leaves it ready for store_next. */
enum err store_query(struct store *s, struct stmt **out, const char *sql, const char *fmt, ...);

/* Advances to the next row: true while there is one. After false, call
 * store_done, which says whether the end was the end or an error. */
bool store_next(struct stmt *st);

/* Resets the statement for reuse and returns the first error met. */
enum err store_done(struct stmt *st);

/* Runs a statement that returns no rows (or ignores them). */
enum err store_exec(struct store *s, const char *sql, const char *fmt, ...);

/* Runs a statement and reads the first column of its first row as an
 * integer; ERR_NOTFOUND when there is no row. */
enum err store_int1(struct store *s, int64_t *out, const char *sql, const char *fmt, ...);

/* Columns of the current row. Text is valid until the next store_next
 * or store_done; NULL for SQL NULL. */
const char *store_text(struct stmt *st, int col);
int64_t store_int(struct stmt *st, int col);
bool store_null(struct stmt *st, int col);

/* Rows changed by the last statement. */
int64_t store_changes(struct store *s);

/* Transactions. store_begin takes the write lock at once (BEGIN
 * IMMEDIATE) so a writer never fails half-way for a lock; store_begin_read
 * gives a consistent snapshot. Rollback after an error is always safe. */
enum err store_begin(struct store *s);
enum err store_begin_read(struct store *s);
enum err store_commit(struct store *s);
void store_rollback(struct store *s);

/* The next value of the instance-wide change sequence (inside a write
 * transaction). Every written row records one, so "what changed since N"
 * has an answer. */
enum err store_seq_next(struct store *s, int64_t *out);

/* Bulk-load mode for an importer that has checked every value and
 * reference itself: the engine's own per-row constraint checks are off,
 * its cache is large and index builds may sort on a second thread while
 * on is true; everything returns to normal with on false (which also
 * lets another connection defer indexes, see below). Call outside a
 * transaction. */
void store_bulk(struct store *s, bool on);

/*
 * Many rows in one statement. A statement that writes rows one at a time
 * pays for opening its cursors on every row; one that writes up to
 * STORE_ROWS_MAX rows pays once. Its text is three constant pieces:
 * head, then row once for each row (joined by ", "), then tail.
 * Placeholders ?1…?shared are the statement's own values, bound once and
 * usable anywhere; row's other placeholders (?shared+1 onwards) are one
 * row's values and are renumbered for each row (no piece may have a '?'
 * inside a string literal). Values are still only
 * ever bound: the text is made from the constant pieces alone, once per
 * row count, on first use, and kept for the life of the program. Each
 * row count is a statement of its own in the cache, so callers use few
 * (a full batch and 1).
 */
#define STORE_ROWS_MAX 32

struct store_rows {
	const char *head, *row, *tail;
	int shared;
	const char *text[STORE_ROWS_MAX + 1];   /* made by store.c */
	int per_row;                            /* made by store.c */
};

/* One value for store_query_rows: an integer when is_int, else text
 * (NULL binds NULL). Text is borrowed until store_done. */
struct store_val {
	const char *t;
	int64_t i;
	bool is_int;
};

/* Prepares sql for n rows (1…STORE_ROWS_MAX) and binds v: the shared
 * values, then each row's in turn. Then as store_query: store_next,
 * store_done, and store_changes for the rows the statement changed. */
enum err store_query_rows(struct store *s, struct stmt **out, struct store_rows *sql, int n,
			  const struct store_val *v);

/*
 * Deferred indexes, for a bulk load into an empty table: an index built
 * once from sorted keys costs a fraction of one kept up to date row by
 * row. In the caller's write transaction, store_defer_indexes drops the
 * indexes of table made by CREATE INDEX, unique ones included (those
 * behind UNIQUE and PRIMARY KEY column constraints stay), when the table
 * has no rows, and records each definition in the same transaction, so
 * an index is never lost: it is in the schema or in the record. While a
 * unique index is away nothing enforces it and no upsert can name it as
 * its conflict target: the loader inserts keys it knows are new. *n is
 * how many it dropped: 0 when the table has rows or when another
 * connection is deferring indexes (one at a time, by a lock beside the
 * database that dies with its holder). The triggers of table listed in
 * derived_triggers (they keep derived data, such as school_grades) are
 * deferred the same way; *n counts them too.
 *
 * store_rebuild_indexes builds every recorded index again, then every
 * recorded trigger, runs the refill derived_triggers gives for each table
 * whose triggers it built (once a table), and forgets them: in the
 * caller's write transaction when there is one, else in a transaction an
 * index (and one for a table's triggers with their refill), so the
 * write-ahead log is checkpointed between them instead of growing by
 * every index at once (at tens of millions of rows each page read would
 * search gigabytes of log); there, one that cannot be built stays
 * recorded, the others are built, and the first error is returned. It
 * sorts in 8 MB runs in temporary files (see store.c), restoring the
 * page cache's size after. store_recover_indexes does it for indexes a
 * load left behind (it was killed, or failed), unless a live connection
 * is still deferring them; store_open calls it after migrating. Both
 * return ERR_EXISTS when a unique index meets two equal keys (another
 * client wrote one while it was away), ERR_STORE when an index cannot be
 * built for another reason; the record stays, to be tried again.
 */
enum err store_defer_indexes(struct store *s, const char *table, int *n);
enum err store_rebuild_indexes(struct store *s);
enum err store_recover_indexes(struct store *s);

/* A quick liveness check (for /readyz). */
enum err store_ping(struct store *s);

/* Copies the live database to path, consistently, while others keep
 * reading and writing. progress (may be NULL) is called with pages done
 * and total. */
enum err store_backup(struct store *s, const char *path,
		      void (*progress)(void *arg, int64_t done, int64_t total), void *arg,
		      struct errinfo *ei);

/* Checks that path is a whole, uncorrupted Reach database this program
 * can open, then replaces the database in dir with it. The server must be
 * stopped (ERR_BUSY otherwise). */
enum err store_restore(const char *dir, const char *path, struct errinfo *ei);

/* Holds the data directory for a server: shared, so several servers may
 * share it, but exclusive against restore. Released at exit. */
enum err store_lock_dir(const char *dir, bool exclusive, struct errinfo *ei);

/* Engine errors since start (for /metrics). */
uint64_t store_error_count(void);

/* One connection per thread, opened on first use and closed by
 * store_pool_free. */
struct store_pool *store_pool_new(const char *dir);
enum err store_pool_get(struct store_pool *p, struct store **out);
void store_pool_free(struct store_pool *p);

#endif
