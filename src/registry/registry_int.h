/*
 * registry_int.h — what the files of registry/ share: the field tables
 * each kind is described by, the checks every field goes through, the
 * caller's reach (what part of the registry their scope lets them see,
 * worked out from auth_can), and the list walker.
 */
#ifndef REGISTRY_INT_H
#define REGISTRY_INT_H

#include "registry/registry.h"
#include "store/store.h"

/* Field types: how a value is checked, stored and written as JSON. */
enum ftype {
	FT_ID,      /* the public UUID (read-only) */
	FT_TIME,    /* an ISO 8601 moment (read-only) */
	FT_SEQ,     /* the change sequence (read-only) */
	FT_CODE,    /* letters, digits, . _ - */
	FT_TEXT,    /* free text without control characters */
	FT_NAME,    /* a name as written (text_valid_name) */
	FT_INT,     /* a whole number in [min, max] */
	FT_REAL,    /* a decimal number in [min, max] */
	FT_BOOL,    /* stored 1/0 */
	FT_ENUM,    /* one of set */
	FT_LIST,    /* a , or ; separated list, of set when set is given */
	FT_DATE,    /* a day: Gregorian or Solar Hijri in, YYYY-MM-DD stored */
	FT_BIRTH,   /* a day, or a year alone */
	FT_YEAR,    /* a school year: 2026-2027 or a Solar Hijri 1405 */
	FT_LANG,    /* a BCP 47 language tag */
	FT_REF,     /* a reference by code or id, resolved by the kind */
	FT_PATH,    /* a region path (read-only; an array of codes in JSON) */
};

/* Field flags. */
#define RF_REQ   (1u << 0)  /* required on create */
#define RF_RO    (1u << 1)  /* set by Reach, never given */
#define RF_FIXED (1u << 2)  /* given on create, never changed */
#define RF_EMPTY (1u << 3)  /* may be empty ("" clears it) */
#define RF_PAST  (1u << 4)  /* a date that cannot be in the future */

struct rfield {
	const char *name;
	enum ftype type;
	unsigned flags;
	double min, max;            /* FT_INT, FT_REAL: the range; text: max characters */
	const char *const *set;     /* FT_ENUM, FT_LIST */
};

struct rkind {
	const char *name;           /* "school": audit actions and object kinds */
	const struct rfield *f;
	int n;
	enum action read, write;
};

extern const struct rkind rkinds[REG__KINDS];

/* Checks one given value of field f and writes the stored form to *out
 * (arena; NULL for "no value"). ERR_INVALID names the field. */
enum err field_check(struct ctx *c, const struct rfield *f, const char *in, const char **out);

/* Checks every given field of in against kind k for a create (create
 * true: required fields present, read-only ones absent) or an update
 * (fixed ones absent too), writing stored forms into rec->v. */
enum err fields_apply(struct ctx *c, enum registry_kind k, const struct registry_in *in, bool create,
		      struct registry_rec *rec);

/* Audit detail: the fields of new that differ from old (old NULL: every
 * field of new with a value), as a JSON object text in the arena; NULL
 * when nothing changed. */
const char *fields_diff(struct ctx *c, enum registry_kind k, const struct registry_rec *old,
			const struct registry_rec *new);

/* Reads a record from a row: columns from first on are key, region_rid,
 * school_sid, learner_pid, path, then the kind's fields in order, then a
 * names JSON column (regions and schools) that fills name_en … name_az. */
void rec_read(struct ctx *c, struct stmt *st, int first, enum registry_kind k, struct registry_rec *r);

/* Writes r's fields as keys and values into an object the caller has
 * opened (registry_rec_json without the braces). */
void rec_json_fields(struct jw *w, const struct registry_rec *r);

/* The names JSON ({"en": …}) of a region's or school's name_xx fields. */
const char *names_json(struct ctx *c, const char *const *v4);

/* Folds text into the search form (arena), "" when it does not fold. */
const char *fold(struct ctx *c, const char *text);

/* The search form of a region or school: its name and its names in other
 * languages (v4: name_en … name_az), so any of them finds it. */
const char *names_fold(struct ctx *c, const char *name, const char *const *v4);

/* Records "You may not …" and returns ERR_DENIED, or ERR_NOTFOUND for
 * callers who may not even read the record. */
enum err deny(struct ctx *c, const char *field);

/*
 * What part of the registry the caller reaches for an action, worked out
 * by asking auth_can, so the lists agree with the one policy: everything;
 * a region and what lies beneath it; one school; their own person and
 * their children; or nothing.
 */
enum reach_kind { REACH_NONE, REACH_ALL, REACH_REGION, REACH_SCHOOL, REACH_SELF };
struct reach {
	enum reach_kind kind;
	const char *path;       /* REACH_REGION: the region's path */
	int64_t sid;            /* REACH_SCHOOL: the school */
	int64_t pid;            /* REACH_SELF: the caller's person (0: none) */
};
enum err reach_of(struct ctx *c, enum action a, struct reach *out);

/* True when the caller may do a to record r (auth_can with its scope). */
bool rec_can(struct ctx *c, enum action a, const struct registry_rec *r);

/* The path range of a region subtree: [path, hi). */
const char *path_hi(struct ctx *c, const char *path);

/* Finds a region by code: its key and path. ERR_NOTFOUND. */
enum err region_find(struct ctx *c, const char *code, int64_t *rid, const char **path);
/* Finds a school by id or code: its key, region path and code. */
enum err school_find(struct ctx *c, const char *id_or_code, int64_t *sid, const char **path, const char **code);
/* Finds a person by public id: key and role. */
enum err person_find(struct ctx *c, const char *id, int64_t *pid, const char **role);

/* Reads one record with sql (one text parameter) into out; ERR_NOTFOUND. */
enum err rec_get1(struct ctx *c, enum registry_kind k, const char *sql, const char *key, struct registry_rec *out);
enum err rec_get_key(struct ctx *c, enum registry_kind k, int64_t key, struct registry_rec *out);

/*
 * The list walker. A list reads one segment at a time: one region's rows
 * through a (region, key) index, or a single segment for the other access
 * paths. Every segment query takes the same parameters: ?1 the segment
 * key, ?2 the row key to continue after, ?3 how many rows to look at,
 * ?4–?6 integer filters, ?7–?10 text filters (?8 and ?9 a region path
 * range), ?11–?14 the name search patterns; column 0 says whether the row
 * matches the name search, the record follows from column 1. Every query
 * names ?14, so all fourteen can be bound.
 */
#define WALK_INTS 3
#define WALK_TEXTS 8
struct walk {
	enum registry_kind kind;
	const char *sql;
	bool by_region;           /* iterate the regions in [lo, hi) */
	const char *lo, *hi;
	int64_t seg;              /* the one segment, when not by region */
	int64_t ints[WALK_INTS];
	const char *texts[WALK_TEXTS];
	bool searching;           /* a name search: look at up to REGISTRY_SCAN_MAX rows */
};
/* The common start of a list of people or enrolments: what the caller may
 * reach (r), narrowed by the filter's region and school into *path and
 * *sid. *none is true when nothing can match (the list is empty). */
enum err list_scope(struct ctx *c, const struct registry_filter *f, struct reach *r, const char **path,
		    int64_t *sid, bool *none);

/* The common end of a list's plan: unless a narrower plan was chosen
 * (narrowed), the rows of one school (sql_at, by sid), or a walk through
 * the region subtree at path (sql_in); a path that is left over still
 * bounds the rows through texts[1] and texts[2]. */
void walk_place(struct ctx *c, struct walk *w, bool narrowed, int64_t sid, const char *path,
		const char *sql_at, const char *sql_in);
enum err walk_run(struct ctx *c, const struct walk *w, int64_t cursor, int limit, struct registry_rec **out,
		  int *n, int64_t *next);

/* Fills the four LIKE patterns (?11–?14) of a name search from q (NULL when q
 * has fewer words). ERR_INVALID names "q" when q is not text. */
enum err search_patterns(struct ctx *c, const char *q, const char *pat[4]);

/* Lists of the kinds (region.c, school.c, person.c, enrolment.c). */
enum err region_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next);
enum err school_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next);
enum err person_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
		     struct registry_rec **out, int *n, int64_t *next);
enum err enrolment_list(struct ctx *c, const struct registry_filter *f, int64_t cursor, int limit,
			struct registry_rec **out, int *n, int64_t *next);

/* Creates and updates of the kinds: in is already checked into rec (the
 * stored forms). An update resolves rec's references first, then sets
 * *detail to what changed (fields_diff) and writes only when something
 * did (*detail NULL: nothing written). */
enum err region_create(struct ctx *c, struct registry_rec *rec);
enum err region_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		            const char **detail);
enum err school_create(struct ctx *c, struct registry_rec *rec);
enum err school_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		            const char **detail);
enum err person_create(struct ctx *c, struct registry_rec *rec);
enum err person_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		            const char **detail);
enum err enrolment_create(struct ctx *c, struct registry_rec *rec);
enum err enrolment_update(struct ctx *c, const struct registry_rec *old, struct registry_rec *rec,
		               const char **detail);

/* The SQL that reads each kind by public id, by key, and by code. */
extern const char *const rec_by_id_sql[REG__KINDS];
extern const char *const rec_by_key_sql[REG__KINDS];

/*
 * The columns rec_read takes, per kind, and the tables they come from:
 * key, region_rid, school_sid, learner_pid, region path, the fields in
 * enum order (NULL for name_en … name_az), then the names JSON.
 */
#define REGION_COLS \
	"r.rid, r.rid, 0, 0, r.path, r.id, r.code, pr.code, r.level, r.depth, r.path, r.name, " \
	"NULL, NULL, NULL, NULL, r.deprivation, r.population, r.school_age_population, r.created_at, " \
	"r.updated_at, r.seq, r.names"
#define REGION_FROM " FROM regions r LEFT JOIN regions pr ON pr.rid = r.parent_rid"
#define SCHOOL_COLS \
	"s.sid, s.region_rid, s.sid, 0, rg.path, s.id, s.code, s.name, NULL, NULL, NULL, NULL, rg.code, " \
	"s.levels, s.boarding, s.nomadic, s.rural, s.language, s.lat, s.lon, s.learners, s.teachers, " \
	"s.electricity, s.connectivity, s.download_mbps, s.measured_at, s.computers, s.tablets, " \
	"s.projectors, s.computer_centre, s.created_at, s.updated_at, s.seq, s.names"
#define SCHOOL_FROM " FROM schools s JOIN regions rg ON rg.rid = s.region_rid"
#define PERSON_COLS \
	"p.pid, COALESCE(p.region_rid, 0), COALESCE(p.school_sid, 0), p.pid, rg.path, p.id, p.ext_id, " \
	"p.role, p.given_name, p.family_name, p.father_name, p.sex, p.birth_date, p.national_id, " \
	"rg.code, sc.code, sc.id, p.subjects, p.digital_skills, p.has_device, p.has_internet, " \
	"p.retired_at, p.created_at, p.updated_at, p.seq, NULL"
#define PERSON_FROM \
	" FROM people p LEFT JOIN regions rg ON rg.rid = p.region_rid LEFT JOIN schools sc ON sc.sid = p.school_sid"
#define ENROLMENT_COLS \
	"e.eid, sc.region_rid, e.school_sid, e.learner_pid, rg.path, e.id, e.ext_id, lp.id, sc.code, " \
	"sc.id, e.grade, e.school_year, e.status, e.start_date, e.end_date, e.created_at, e.updated_at, " \
	"e.seq, NULL"
#define ENROLMENT_FROM \
	" FROM enrolments e JOIN schools sc ON sc.sid = e.school_sid JOIN regions rg ON rg.rid = sc.region_rid " \
	"JOIN people lp ON lp.pid = e.learner_pid"

/* Column 0 of a list row: whether name_fold of table alias t holds a
 * word beginning with each of the search words ?11–?14 (NULL: any). */
#define NAME_HIT(t) \
	"((?11 IS NULL OR (' ' || " t ".name_fold) LIKE ?11 ESCAPE '\\') AND " \
	"(?12 IS NULL OR (' ' || " t ".name_fold) LIKE ?12 ESCAPE '\\') AND " \
	"(?13 IS NULL OR (' ' || " t ".name_fold) LIKE ?13 ESCAPE '\\') AND " \
	"(?14 IS NULL OR (' ' || " t ".name_fold) LIKE ?14 ESCAPE '\\'))"

/* A region subtree test on a region key column, for ?8 and ?9. */
#define IN_SUBTREE(col) \
	"(?8 IS NULL OR " col " IN (SELECT rid FROM regions WHERE path >= ?8 AND path < ?9))"

#endif
