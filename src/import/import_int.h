/*
 * import_int.h — what the files of the import module share.
 *
 * An import run (struct imp) reads one or more CSV files. Each file is read
 * in batches of rows: a parse step turns a row's fields into normalised
 * values and problems (pure: it reads the row and the run's options, and
 * touches neither the store nor the run's maps), then a write step, in file
 * order, resolves references and upserts the row through store.h. The parse
 * of the next batch runs on a second thread while the current one is
 * written, so parsing, validation and name folding overlap the store's
 * work. A batch owns its text (one buf) and is reused, so memory stays flat
 * whatever the size of the file.
 *
 * People and enrolments wait in struct pending and are written
 * IMPORT_ROWS to a statement (one statement opens its cursors once for
 * all of them); a statement the store refuses is tried again a row at a
 * time, so a refused row is rejected alone.
 *
 * Transactions: in the default mode every IMPORT_TX_ROWS rows are one
 * transaction with one change-sequence value, so a kill loses at most the
 * open transaction and a re-run completes without duplicates (every write
 * is an upsert by external id, or, into a table that was empty, an insert
 * of ids the file does not repeat). A file that fills an empty table
 * drops its indexes and builds them at its end (file.c, store.h). --strict
 * and --dry-run run the whole import in one transaction that is rolled
 * back when a row was rejected (strict) or always (dry run); their
 * rejects are kept in a spool file and recorded after the rollback.
 */
#ifndef IMPORT_IMPORT_INT_H
#define IMPORT_IMPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app.h"
#include "base/buf.h"
#include "base/date.h"
#include "base/id.h"
#include "base/timeutil.h"
#include "import/import.h"

#define IMPORT_TX_ROWS 50000          /* rows per transaction (default mode) */
#define IMPORT_ROWS 32                /* people or enrolments written by one statement */
#define IMPORT_BATCH_ROWS 4096        /* rows parsed ahead of the writer */
#define IMPORT_BATCH_TEXT (8u << 20)  /* bytes of values a batch holds before it is full */
#define IMPORT_MAX_VALUES 24          /* values of one row */
#define IMPORT_MAX_PROBLEMS 8         /* problems kept per row */
#define IMPORT_CODE_MAX 128           /* bytes of a code or an external id */
#define IMPORT_TEXT_MAX 1000          /* characters of a free-text value */
#define IMPORT_REASON_MAX 300

struct imp;

/* ---- Maps (map.c) ---------------------------------------------------- */

/* A code → record map (regions, schools, OneRoster orgs, classes). Keys
 * and strings are copied; the map owns them. */
struct mval {
	int64_t id;         /* rowid in the store (0: not written) */
	int level;          /* regions: index in registry_levels; orgs: 1 school */
	const char *s1;     /* regions: path; orgs: code; classes: grade */
	const char *s2;     /* classes: school year */
	const char *s3;     /* classes: school code */
	int64_t row;        /* the data row that defined it (this run), 0 otherwise */
	int64_t aux;        /* schools: the region's rid */
};
struct cmap {
	struct mslot *slots;
	size_t cap, n;
	struct arena *strings;
};
void cmap_init(struct cmap *m);
void cmap_free(struct cmap *m);
struct mval *cmap_get(const struct cmap *m, const char *key);
/* The value for key, added (zeroed) when missing. */
struct mval *cmap_put(struct cmap *m, const char *key);
const char *cmap_str(struct cmap *m, const char *s);    /* a copy the map owns */

/* External ids seen in one file, for "duplicate id": a 64-bit hash and
 * the row of each. Memory stays flat whatever the file: past max slots
 * the table is sorted and written to an unnamed temporary file as a run,
 * a filter of fixed size remembers which hashes went there, and only a
 * hash that the filter may have seen is looked for in the runs. When no
 * temporary file can be written the table grows in memory instead (a
 * warning says so). */
struct dslot {
	uint64_t h;
	uint32_t row;
} __attribute__((packed));
struct drun {
	int64_t off;         /* where its slots start in the file */
	size_t n;
	uint64_t *fence;     /* the hash of every DUP_FENCE-th slot */
};
struct dupset {
	struct dslot *slot;
	size_t cap, n, max;  /* max: the slots at which the table spills */
	int shift;           /* 64 - log2(cap): a hash's home is its top bits */
	uint64_t *filter;    /* 32-byte blocks (NULL until the first run) */
	size_t blocks, filter_bytes;
	int fd;              /* the runs' file, -1 before the first */
	int64_t end;
	struct drun *run;
	size_t nrun;
	bool in_memory;      /* no file could be written: the table grows */
};
#define DUP_FENCE 256
/* The table's slots before it spills and the filter's bytes: 48 MB and
 * 128 MB for an import (the filter is only made when a file has more
 * than about three million ids). */
#define DUP_MAX_SLOTS ((size_t)1 << 22)
#define DUP_FILTER_BYTES ((size_t)128 << 20)
void dupset_init(struct dupset *d, size_t max_slots, size_t filter_bytes);
void dupset_free(struct dupset *d);
/* 0 when id is new (and records it at row), else the row it was first
 * seen at; -1 (errno set) when a run could not be read back. */
int64_t dupset_add(struct dupset *d, const char *id, int64_t row);

/* ---- Rows and batches --------------------------------------------------- */

struct problem {
	const char *col;    /* the header name, "" for the whole row */
	uint32_t reason;    /* offset of the reason in the batch text */
};

/* One data row: its values (offsets into the batch text; -1 is NULL) and
 * its problems. absent has bit v set when the file has no column for value
 * v, so an update leaves what is stored. */
struct rec {
	int64_t row;
	int32_t off[IMPORT_MAX_VALUES];
	uint32_t absent;
	uint8_t nprob;
	bool skip;          /* not ours to import (a OneRoster administrator) */
	struct problem prob[IMPORT_MAX_PROBLEMS];
};

struct batch {
	struct rec *recs;
	int n;
	struct buf text;
	bool last;          /* the file ends with this batch */
	enum err err;       /* the file became unusable (reported in errinfo) */
	struct errinfo ei;
};

/* The value v of r, or NULL. */
static inline const char *V(const struct batch *b, const struct rec *r, int v)
{
	return r->off[v] < 0 ? NULL : b->text.p + r->off[v];
}

/* ---- Kinds ------------------------------------------------------------- */

struct column {
	const char *name;
	bool required;      /* the header must have it (exit 2 otherwise) */
};

/* What parse sees of a row: its fields by the kind's column index (a
 * missing column reads as blank) and whether the file has the column. */
struct fields {
	const struct column *cols;
	struct slice f[IMPORT_MAX_VALUES + 8];
	bool has[IMPORT_MAX_VALUES + 8];
};

struct kind {
	const char *name;               /* "people", "oneroster users" */
	const char *action;             /* the imports.kind and audit name part */
	const struct column *cols;      /* NULL-name terminated */
	/* On the parser thread: reads only what earlier files filled
	 * (im->roles, im->classes, the calendar), never a map the writer
	 * changes during this file (im->orgs, im->schools, im->regions). */
	void (*parse)(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r);
	enum err (*write)(struct imp *im, struct batch *b, struct rec *r);
	enum err (*finish)(struct imp *im);   /* after the last row (may be NULL) */
	const char *table;              /* the table an initial load fills (its indexes
					   are built at the end), or NULL */
	const char *key_col;            /* the column of the row's external id, whose
					   repeats the file's reader refuses, or NULL */
	int key;                        /* its value */
};

extern const struct kind kind_regions, kind_schools, kind_people, kind_enrolments;
extern const struct kind kind_people_links;
extern const struct kind or_orgs, or_sessions, or_courses, or_classes, or_users, or_users_links,
	or_demographics, or_enrollments;

/* ---- The run ------------------------------------------------------------ */

struct idgen {
	int64_t ms;
	unsigned char b[16];
};

/* People or enrolments waiting to be written together, by one statement
 * (tables.c). Their values are read from the batch when they are
 * written, so the batch's text may grow (and move) meanwhile; the batch
 * itself lives until the rows are written, at the end of write_batch. */
struct pend_shape;
struct pend_row {
	struct batch *b;
	struct rec *r;
	char id[ID_LEN];
	int64_t region, school;     /* rowids the row refers to (0: none) */
	bool set_school;            /* enrolments: the learner's school follows */
	int8_t state;               /* enrolments: 0 waiting, 1 written, -1 refused */
};
struct pending {
	const struct pend_shape *shape;  /* which table (NULL: nothing waits) */
	int64_t mask;               /* the values the file lacks, the same for all */
	int n;
	struct pend_row row[IMPORT_ROWS];
};

/* Guardian links waiting to be written together (tables.c): each pair by
 * the two people's external ids, one of them the row's own person and the
 * other one it lists. */
struct link_row {
	int64_t row;                /* the file's row that lists it */
	const char *col;            /* the column it is listed in */
	bool listed_learner;        /* the listed person is the learner */
	size_t too_long;            /* the listed id's bytes when it is longer than
				       any id (it is then left blank), else 0 */
	char learner[IMPORT_CODE_MAX + 1], guardian[IMPORT_CODE_MAX + 1];
};
struct links {
	int n;
	struct link_row row[IMPORT_ROWS];
};

struct imp {
	struct ctx *c;
	const struct import_opts *o;
	struct import_result *res;
	enum date_cal cal;
	bool one_tx;            /* strict or dry run: everything in one transaction */
	int64_t uid;            /* the imports row */
	char id[ID_LEN];
	const char *file;       /* the file being read, as reports name it */
	int64_t seq;            /* change sequence of the open transaction */
	char now[TIME_ISO_LEN];
	bool in_tx;
	int64_t tx_rows;
	FILE *report;           /* --report, or NULL */
	FILE *spool;            /* rejects waiting for the rollback (one_tx) */
	int64_t progress_base;  /* rows of the files before this one */
	bool again;             /* reading a file a second time: no progress */
	struct cmap regions;    /* code → rid, level, path */
	struct cmap schools;    /* code → sid */
	struct cmap orgs;       /* OneRoster sourcedId → code, school or region */
	struct cmap sessions;   /* OneRoster academic session → school year */
	struct cmap courses;    /* OneRoster course → grade (s1), session (s2) */
	struct cmap classes;    /* OneRoster class → grade, school year, school */
	struct cmap roles;      /* OneRoster 1.2 user → role, orgs (roles.csv) */
	struct batch deferred;  /* regions whose parent comes later in the file */
	bool regions_final;     /* the last try of the deferred regions */
	bool links_needed;      /* people: some rows have guardian_of */
	struct idgen ids;
	struct pending pend;
	struct links links;
	bool initial;           /* the file fills an empty table whose indexes wait
				   for its end: people and enrolments are inserted,
				   not upserted (links keep their conflict clause:
				   a file may name a link twice) */
};

/* ---- Reading a file (file.c) ------------------------------------------- */

/* Reads path (or the open descriptor fd, named name, for zip members; -1
 * for none) as kind: maps the header, parses and writes every row.
 * ERR_INVALID with a message in c->err when the file cannot be used at
 * all. */
enum err file_import(struct imp *im, const struct kind *k, const char *path, int fd, const char *name);

/* Checks that the file exists, is UTF-8 and has the kind's required
 * columns, reading only its header. */
enum err file_check(struct imp *im, const struct kind *k, const char *path, int fd, const char *name);

/* ---- Transactions and rejects (write.c) -------------------------------- */

enum err tx_begin(struct imp *im);
/* Commits after every IMPORT_TX_ROWS rows (default mode). */
enum err tx_step(struct imp *im);
enum err tx_commit(struct imp *im);
void tx_rollback(struct imp *im);

/* Records a problem of a row: in import_rejects (or the spool) and the
 * report. */
enum err reject(struct imp *im, int64_t row, const char *col, const char *reason);
/* Records every problem of r; true when it had any. */
bool reject_rec(struct imp *im, struct batch *b, struct rec *r, enum err *rc);
/* Writes the spooled rejects into import_rejects (after a rollback). */
enum err reject_unspool(struct imp *im);

/* Counts a row the store changed. */
void counted(struct imp *im);

/* Writes the people, enrolments or guardian links waiting (tables.c):
 * before a commit, and before a batch is given back to the parser.
 * rows_drop forgets them (a rollback). */
enum err rows_flush(struct imp *im);
void rows_drop(struct imp *im);

/* A row-level store failure (a constraint) becomes a reject; the rest
 * stop the run. */
enum err row_store_err(struct imp *im, struct rec *r, enum err rc);

/* ---- Validation (validate.c) ------------------------------------------- */

/* Each reads field f of column col, sets value v of r (NULL when blank)
 * and adds a problem when the field is wrong. */
void problem(struct batch *b, struct rec *r, const char *col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void val_set(struct batch *b, struct rec *r, int v, const char *s, size_t n);
bool val_blank(struct slice s);
struct slice val_trim(struct slice s);
void val_required(struct batch *b, struct rec *r, const char *col, struct slice s);
void val_text(struct batch *b, struct rec *r, int v, const char *col, struct slice s, size_t max);
void val_code(struct batch *b, struct rec *r, int v, const char *col, struct slice s);
void val_name(struct batch *b, struct rec *r, int v, const char *col, struct slice s);
void val_enum(struct batch *b, struct rec *r, int v, const char *col, struct slice s,
	      const char *const set[]);
void val_bool(struct batch *b, struct rec *r, int v, const char *col, struct slice s);
void val_int(struct batch *b, struct rec *r, int v, const char *col, struct slice s, int64_t min,
	     int64_t max);
void val_real(struct batch *b, struct rec *r, int v, const char *col, struct slice s, double min,
	      double max);
void val_date(struct batch *b, struct rec *r, int v, const char *col, struct slice s, enum date_cal cal,
	      bool year_ok);
/* A ';'-separated list stored comma-separated; each item in set (when set). */
void val_list(struct batch *b, struct rec *r, int v, const char *col, struct slice s,
	      const char *const set[]);
void val_school_year(struct batch *b, struct rec *r, int v, const char *col, struct slice s);
void val_grade(struct batch *b, struct rec *r, int v, const char *col, struct slice s);
/* The folded search form of up to three name values (-1 for none),
 * joined by spaces. */
void val_fold(struct batch *b, struct rec *r, int v, int va, int vb, int vc);

/* ---- Tables (shared by the native and OneRoster kinds) ----------------- */

enum region_v { RV_CODE, RV_PARENT, RV_LEVEL, RV_NAME, RV_FOLD, RV_NAMES, RV_DEPRIVATION,
		RV_POPULATION, RV_SCHOOL_AGE, RV__N };
enum school_v { SV_CODE, SV_NAME, SV_FOLD, SV_REGION, SV_LEVELS, SV_BOARDING, SV_NOMADIC, SV_RURAL,
		SV_LANGUAGE, SV_LAT, SV_LON, SV_LEARNERS, SV_TEACHERS, SV_ELECTRICITY, SV_CONNECTIVITY,
		SV_MBPS, SV_MEASURED, SV_COMPUTERS, SV_TABLETS, SV_PROJECTORS, SV_CENTRE, SV__N };
enum person_v { PV_ID, PV_ROLE, PV_GIVEN, PV_FAMILY, PV_FATHER, PV_FOLD, PV_SEX, PV_BIRTH, PV_NATIONAL,
		PV_REGION, PV_SCHOOL, PV_SUBJECTS, PV_SKILLS, PV_DEVICE, PV_INTERNET, PV_GUARDIAN_OF,
		PV__N };
enum enrol_v { EV_ID, EV_LEARNER, EV_SCHOOL, EV_GRADE, EV_YEAR, EV_STATUS, EV_START, EV_END, EV__N };

enum err region_write(struct imp *im, struct batch *b, struct rec *r);
enum err school_write(struct imp *im, struct batch *b, struct rec *r);
enum err person_write(struct imp *im, struct batch *b, struct rec *r);
/* set_school: an "enrolled" enrolment makes the school the learner's
 * current one (native files; OneRoster users name it themselves). */
enum err enrol_write(struct imp *im, struct batch *b, struct rec *r, bool set_school);
/* Links the row's own person (ext id), a guardian, to each child in the
 * ';' or ',' list (or, when own_is_learner, a learner to each guardian
 * listed): the links
 * wait and are written IMPORT_ROWS to a statement, and a listed person
 * who is not in the store (or an id longer than any) is rejected (col),
 * in file order. A row whose own person is not in the store (its row
 * was rejected) links nothing and is not rejected again. */
enum err person_link(struct imp *im, struct rec *r, const char *own, const char *listed, const char *col,
		     bool own_is_learner);
/* Finds a person's internal key by external id (0 when there is none). */
enum err person_pid(struct imp *im, const char *ext_id, int64_t *pid, char role[16]);

/* Loads the region and school code maps from the store. */
enum err maps_load(struct imp *im);

/* ---- OneRoster (oneroster.c) and zip members (zip.c) ------------------- */

enum err oneroster_import(struct imp *im, const char *path);

struct zsrc;
/* Opens a zip archive; ERR_INVALID when it is not one. */
enum err zsrc_open(const char *path, struct zsrc **out, struct errinfo *ei);
/* True when the archive has a member called name (its base name, in any
 * folder). */
bool zsrc_has(struct zsrc *z, const char *name);
/* A descriptor that reads the member called name, decompressed as it is
 * read (a pipe fed by a thread), or -1 when there is none. One member at
 * a time; zsrc_member_close ends it. */
int zsrc_member(struct zsrc *z, const char *name);
void zsrc_member_close(struct zsrc *z, int fd);
void zsrc_close(struct zsrc *z);

/* ---- Runs, for the web (runs.c) ----------------------------------------- */

struct import_run_info {
	int64_t key;
	const char *id, *kind, *source, *mode, *state, *started_by, *started_at, *finished_at, *message,
		*job_id;
	int64_t read, written, rejected, progress, total;
};

struct jw;
/* Records an upload waiting for its job (state "queued"). */
enum err import_queue(struct ctx *c, const char *kind, const char *source, const char *mode, char id[ID_LEN]);
enum err import_set_job(struct ctx *c, const char *id, const char *job_id);
/* Marks a run that never started (its job failed first) as failed. */
enum err import_fail(struct ctx *c, const char *id, const char *message);
/* A run, if the caller may see it (ERR_NOTFOUND otherwise). */
enum err import_get(struct ctx *c, const char *id, struct import_run_info *out);
/* Up to limit runs older than key before (0: the newest), newest first. */
enum err import_list(struct ctx *c, int64_t before, int limit, struct import_run_info **out, int *n);
/* The rejected rows of a run as CSV (file,row,column,reason), at most max_rows. */
enum err import_report(struct ctx *c, const char *id, int64_t max_rows, struct buf *out);
void import_run_json(struct jw *w, const struct import_run_info *r);

#endif
