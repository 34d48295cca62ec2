/*
 * demo_int.h — the parts of the demo country generator (see demo.h).
 *
 * The generator is deterministic: every random choice comes from a
 * xoshiro256** stream seeded from the run's seed and a stream number
 * (the tree, a village, a school), so the same seed gives the same bytes
 * and a village's people do not depend on how the others came out. Only
 * integer and IEEE arithmetic is used on the way to the files (no libm
 * transcendental functions), so the bytes do not depend on the libm.
 *
 * What lives in memory is the region tree and the schools (tens of
 * thousands of each at national scale); people stream to the files as
 * they are made, one village at a time.
 *
 * Files: rng.c (random numbers, weighted lists, dates), out.c (buffered
 * CSV writing) and writer.c (its writer thread), script.c (UTF-8 helpers
 * and the name variants of the register), names_ir.c, names_vn.c,
 * names_az.c (each country's names, places and rules), tree.c (regions),
 * schools.c (where schools are) and equip.c (what they have), people.c
 * (households, learners, guardians, enrolments), teachers.c, register.c
 * (the population register), roster.c (OneRoster), gen.c (one run),
 * demo.c (the command: options, import, summary).
 *
 * Only the generator's thread touches struct demo; the writer thread sees
 * nothing but the buffers and FILEs handed to it.
 */
#ifndef DEMO_DEMO_INT_H
#define DEMO_DEMO_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"

/* The school year the demo is set in: DEMO_YEAR–DEMO_YEAR+1. */
#define DEMO_YEAR 2026

/* ---- random numbers (rng.c) ---- */

struct rng {
	uint64_t s[4];
};

/* Streams: each gets its own sequence from the same seed. */
enum {
	STREAM_TREE = 1,
	STREAM_VILLAGE = 1 << 20,
	STREAM_SCHOOL = 2 << 20,
	STREAM_TEACHER = 3 << 20,
	STREAM_REGISTER = 4 << 20,
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint32_t rng_below(struct rng *r, uint32_t n);
/* Uniform in [lo, hi]. */
int rng_range(struct rng *r, int lo, int hi);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
bool rng_chance(struct rng *r, double p);
/* About N(0, 1) (Irwin–Hall of 12 uniforms: no libm). */
double rng_normal(struct rng *r);
/* Picks an index by integer weights (pct[] summing to anything > 0). */
int rng_weighted(struct rng *r, const uint16_t *w, int n);

double clamp01(double x);

/* A name as written, its Latin form (Persian only: the others are folded
 * on the fly) and a weight. Lists are ordered most frequent first. */
struct wname {
	const char *s;
	const char *latin;
	uint32_t w;
};

/* A weighted list ready for picking in O(log n). */
struct wlist {
	const struct wname *v;
	uint32_t n;
	uint32_t *cum;
};

void wlist_init(struct wlist *l, const struct wname *v, size_t n);
void wlist_release(struct wlist *l);
const struct wname *wlist_pick(const struct wlist *l, struct rng *r);
/* Picks from a short list by a linear scan. */
const struct wname *wname_pick(struct rng *r, const struct wname *v, size_t n);
#define PICK(r, arr) wname_pick((r), (arr), sizeof(arr) / sizeof((arr)[0]))
#define COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

/* Days since 1970-01-01 and back; "YYYY-MM-DD" into out[11]. */
int32_t days_from_ymd(int y, int m, int d);
void ymd_from_days(int32_t days, int *y, int *m, int *d);
void date_text(int32_t days, char out[11]);

/* ---- names ---- */

#define NAME_BYTES 96

/* A name as written. cut is the byte offset of a compound joint (0:
 * none) and cutlen the bytes of the joiner there (0, 1 for a space, 3 for
 * a ZWNJ), so the register can write the joint another way. */
struct name {
	char s[NAME_BYTES];
	char latin[NAME_BYTES];
	uint8_t cut, cutlen;
};

void name_set(struct name *n, const char *s, const char *latin);
/* Sets n to printf-formatted text (cut short on a letter boundary), no
 * Latin form and no joint. */
void name_fmt(struct name *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Joins a and b into n with joiner j ("", " " or ZWNJ) and records the joint. */
void name_join(struct name *n, const struct name *a, const struct name *b, const char *j, const char *latin_j);

#define ZWNJ "\xe2\x80\x8c"

/* ---- the country ---- */

enum { SEX_F = 0, SEX_M = 1 };

enum { LVL_PRIMARY = 1, LVL_LOWER = 2, LVL_UPPER = 4, LVL_ALL = 7 };

struct province_def {
	const char *name, *latin;
	float lat0, lat1, lon0, lon1;   /* bounding box, degrees */
	uint16_t pop;                   /* population weight */
	uint8_t dep;                    /* deprivation, percent */
	uint8_t rural;                  /* share of villages that are rural, percent */
	uint16_t nomadic;               /* share of rural villages that are nomadic camps, per mille */
	const char *lang2;              /* a second language of instruction, or NULL */
	uint8_t pct2;                   /* its share of schools, percent */
	const char *lang3;
	uint8_t pct3;
};

/* The name lists every country fills (some may be empty). */
enum {
	NL_MALE,        /* given names */
	NL_FEMALE,
	NL_FAMILY,      /* whole family names */
	NL_FAM_BASE,    /* stems for composed family names */
	NL_FAM_SUFFIX,
	NL_MID_M,       /* Vietnamese middle names */
	NL_MID_F,
	NL_COMPOUND,    /* second parts of compound given names (Persian) */
	NL_PLACE_A,     /* place-name parts */
	NL_PLACE_B,
	NL_HONOUR,      /* people and words schools are named after */
	NL__COUNT
};

struct demo;

struct culture {
	const char *code;          /* "ir" */
	const char *cc;            /* "IR" */
	const char *lang;          /* main language of instruction */
	const char *name, *latin;  /* the country */
	const struct province_def *prov;
	int nprov;
	int demo_prov;             /* the province of the one-province scales */
	int max_grade;             /* 12, or 11 in Azerbaijan */
	int primary_last, lower_last; /* the last grade of each level */
	int start_month, start_day;   /* first day of the school year */
	uint8_t combined_pct;      /* schools that teach every level */
	uint8_t boarding_pct;      /* boarding schools, of a district's schools */
	uint8_t female_teachers_pct;
	uint8_t nid_school_pct;    /* learners whose school record has the national id */
	uint8_t nid_register_pct;
	const char *alphabet;      /* letters a typo may bring in */
	const char *grade_word;    /* "Lớp " as in "Lớp 5" */
	const struct wname *lists[NL__COUNT];
	uint32_t nlist[NL__COUNT];

	/* A given name (Vietnamese: middle and given, joint before the given). */
	void (*given)(const struct demo *d, struct rng *r, int sex, struct name *out);
	/* A family name as a son (m) and as a daughter (f) carry it. */
	void (*family)(const struct demo *d, struct rng *r, struct name *m, struct name *f);
	/* father_name as written for a child of sex, from the father's names. */
	void (*patronym)(const struct name *given, const struct name *family, int sex, struct name *out);
	/* A district (level 2) or village (level 3) name. */
	void (*place)(const struct demo *d, struct rng *r, int level, bool urban, struct name *out);
	/* A school's name. */
	void (*school_name)(const struct demo *d, struct rng *r, int levels, int kind, const struct name *village,
			    struct name *out);
	/* The register's way of writing names (script variants), in place. */
	void (*variant)(const struct demo *d, struct rng *r, struct name *given, struct name *family,
			struct name *father);
	/* A new person's national id, unique in the run (birth date and sex
	 * for the countries that encode them). */
	void (*national_id)(struct demo *d, int prov, int sex, int32_t birth, char out[24]);
};

extern const struct culture demo_ir, demo_vn, demo_az;

/* ---- the tree and the schools (tree.c, schools.c) ---- */

enum { KIND_BOARDING = 1, KIND_NOMADIC = 2, KIND_RURAL = 4 };

struct region {
	char code[20];
	uint32_t parent;            /* index; UINT32_MAX for the country */
	uint8_t level;              /* 0 country … 3 village */
	uint8_t prov;               /* province table index */
	bool rural, nomadic;
	float dep;                  /* deprivation 0–1 */
	float lat, lon;             /* centre */
	float weight;               /* share of children (villages, while planning) */
	uint32_t children;          /* school-age children here and beneath */
	uint64_t population;
	uint32_t first_school, nschools; /* villages: their schools, contiguous */
	uint32_t first_village, nvillages; /* districts: their villages, contiguous */
	uint32_t district;          /* villages and districts: the district's ordinal */
	struct name name;
};

struct school {
	uint32_t village;
	uint32_t serial;            /* within the district: the code's last digits */
	uint8_t levels;             /* LVL_* */
	uint8_t kind;               /* KIND_* */
	uint16_t grades;            /* bit per grade that has learners (classes) */
	uint32_t learners;          /* enrolled now */
	uint32_t teachers;
	char code[12];
};

/* ---- output (out.c) ---- */

#define OUT_BUF (1 << 20)

struct writer;

struct out {
	FILE *f;
	char *buf;
	size_t len;
	uint64_t bytes, rows;
	enum err err;
	struct writer *w;           /* writes full buffers on another thread, or NULL */
	enum err werr;              /* the writer's first error (read after writer_drain) */
	char path[1024];
};

/* The writer thread (writer.c). writer_start returns NULL when no thread
 * can be had (files are then written on the caller's thread). */
struct writer *writer_start(void);
/* Hands over a full buffer of o's and returns an empty one. */
char *writer_put(struct writer *w, struct out *o, char *buf, size_t len);
/* Waits until every buffer handed over is written. */
void writer_drain(struct writer *w);
/* Drains, stops the thread and frees it; w may be NULL. */
void writer_stop(struct writer *w);

enum err out_open(struct out *o, const char *dir, const char *name, const char *header);
enum err out_close(struct out *o);
void out_flush(struct out *o);
void out_field(struct out *o, const char *s);         /* a CSV field, quoted when it must be */
void out_u64(struct out *o, uint64_t v);
void out_pad(struct out *o, uint64_t v, int width);   /* zero-padded */
void out_fixed(struct out *o, double v, int decimals);

/* Keeps at least n bytes free (n is at most OUT_BUF). */
static inline void out_room(struct out *o, size_t n)
{
	if (o->len + n > OUT_BUF)
		out_flush(o);
}

/* Raw bytes (no quoting): ids, codes, numbers, fixed words. */
static inline void out_add(struct out *o, const char *s, size_t n)
{
	if (n > OUT_BUF)
		BUG("a CSV field longer than the output buffer");
	out_room(o, n);
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static inline void out_str(struct out *o, const char *s)
{
	out_add(o, s, strlen(s));
}

static inline void out_comma(struct out *o)
{
	out_room(o, 1);
	o->buf[o->len++] = ',';
}

static inline void out_eol(struct out *o)
{
	out_room(o, 1);
	o->buf[o->len++] = '\n';
	o->rows++;
}

/* Writes an id: prefix and a 9-digit serial ("IR-L000000123"). */
void id_text(char out[24], const char *cc, char role, uint64_t n);

/* ---- UTF-8 and the register's variants (script.c) ---- */

/* Appends the code point at *p to out (byte count), returns its length. */
size_t utf8_next(const char *p, uint32_t *cp);
void utf8_put(char **w, uint32_t cp);
/* Removes Vietnamese and Azerbaijani diacritics (đ→d, ə→e, ı→i, …). */
void fold_ascii(const char *in, char *out, size_t size);
/* Writes Vietnamese precomposed letters decomposed (NFD). */
void vn_nfd(const char *in, char *out, size_t size);
/* Azerbaijani as a passport writes it: ə→a, ş→sh, ç→ch, x→kh, q→g, … */
void az_passport(const char *in, char *out, size_t size);
/* One typo: a letter dropped, doubled, swapped or replaced. */
void typo(struct rng *r, const char *alphabet, char *s, size_t size);
/* Replaces every occurrence of from with to (same length or shorter). */
void replace_all(char *s, const char *from, const char *to);
/* Rewrites a compound joint with joiner j. */
void rejoin(struct name *n, const char *j);

/* ---- one run (gen.c and the files it drives) ---- */

enum { SCALE_TINY, SCALE_TOWN, SCALE_PROVINCE, SCALE_NATIONAL };

struct demo_opts {
	const struct culture *cu;
	uint64_t seed;
	uint64_t learners;          /* the target */
	bool national;              /* every province, else the demo province */
	bool oneroster;
	const char *out;            /* directory */
	bool quiet;
};

struct demo_counts {
	uint64_t regions, villages, schools, boarding, nomadic, rural;
	uint64_t learners, guardians, teachers, enrolments;
	uint64_t register_rows, not_enrolled, dropped_out, transferred, unregistered;
	uint64_t bytes;
	double seconds;
};

/* The files written as people are made. */
enum { F_PEOPLE, F_ENROL, F_REGISTER, F_TRUTH, F_LEARNERS, F_USERS, F_RENROL, F_DEMOG, F_ORGS, F__COUNT };

struct demo {
	struct demo_opts o;
	const struct culture *cu;
	struct wlist lists[NL__COUNT];
	struct region *reg;
	uint32_t nreg;
	struct school *sch;
	uint32_t nsch, capsch;
	uint32_t ndistricts;
	/* per district, for each level (primary, lower, upper) the town
	 * schools and then the boarding schools that take learners from
	 * villages without that level: hub[hub_start[k]..hub_start[k+1]) for
	 * k = district * 6 + level (+ 3 for boarding) */
	uint32_t *hub, *hub_start;
	uint32_t *serial;          /* national id serials per (prov, year, sex) */
	uint64_t nid_count;        /* national ids handed out */
	struct out f[F__COUNT];
	struct demo_counts n;
	struct writer *writer;
	struct child *kids;        /* the village's register rows, before shuffling */
	size_t nkids, capkids;
	int32_t year_start;        /* the first day of the school year */
	char school_year[16];
};

/* The next serial for an id among people of (prov, birth year, sex). */
uint32_t next_serial(struct demo *d, int prov, int sex, int32_t birth);
/* True when the last code point of s joins the letter after it (Arabic
 * script): every letter but ا آ د ذ ر ز ژ و. */
bool joins_next(const char *s);

enum err tree_plan(struct demo *d);
enum err tree_write(struct demo *d);
void tree_release(struct demo *d);

enum err schools_plan(struct demo *d);
enum err schools_write(struct demo *d);
/* The school a learner of village v at level lvl goes to. */
uint32_t school_for(struct demo *d, struct rng *r, uint32_t v, int lvl, uint32_t avoid);
int level_of_grade(const struct demo *d, int grade);

/* A people.csv row; NULL or -1 where a column is blank. */
struct prow {
	const char *id, *role;
	const struct name *given, *family, *father;
	int sex;
	int32_t birth;
	const char *nid, *region, *school, *subjects, *guardian_of;
	int skills, device, internet;
};

void person_row(struct demo *d, const struct prow *p);
/* Makes the households of village v: learners, guardians, enrolments,
 * their register rows and OneRoster rows. */
void people_village(struct demo *d, uint32_t v);

void teachers_write(struct demo *d);

/* One child's register row (register.c). */
struct child {
	struct name given, family, father;
	int sex;
	int32_t birth;
	char nid[24];
	uint32_t village;
	char person[24];           /* the learner's id, "" when none */
	const char *status;        /* "enrolled", "dropped_out", "not_enrolled" */
};

/* Writes a village's children to the register, in their own order and
 * as a civil register would write them, and to truth.csv. */
void register_village(struct demo *d, struct rng *r, struct child *c, size_t n);
/* A row in the linkage format (register.csv, learners.csv). */
void link_row(struct out *o, const char *id, const char *nid, const struct name *given, const struct name *family,
	      const struct name *father, const char *sex, const char *birth, const char *region);

enum err roster_open(struct demo *d);
void roster_region(struct demo *d, const struct region *g);
void roster_school(struct demo *d, const struct school *s, const char *name);
/* A learner's users.csv and demographics.csv rows. */
void roster_user(struct demo *d, const char *id, const struct name *given, const struct name *family, int sex,
		 int32_t birth, const struct school *s, int grade, const char *nid);
/* A learner's enrollments.csv row (end -1: none). */
void roster_enrol(struct demo *d, const char *eid, const char *lid, const struct school *s, int grade,
		  int32_t start, int32_t end);
void roster_teacher(struct demo *d, const char *id, const struct name *given, const struct name *family,
		    const struct school *s, int grade, const char *nid);
/* Writes classes, courses, sessions and the manifest. The streamed files
 * are closed by the caller with the others. */
enum err roster_close(struct demo *d);

/* Runs the generator: every file in o->out (made if need be), counts
 * in *n. ERR_IO or ERR_INVALID with a message in ei when the files
 * cannot be written. */
enum err demo_generate(const struct demo_opts *o, struct demo_counts *n, struct errinfo *ei);

/* The learner target of a scale name, or 0 when it is none. */
uint64_t demo_scale_learners(const char *scale);
const struct culture *demo_culture(const char *code);

#endif
