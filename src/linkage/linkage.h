/*
 * linkage.h — record linkage of the population register against
 * enrolment records (out-of-school detection): a Fellegi–Sunter engine in
 * the manner of Splink, trained without labels, for names written in
 * Persian script, Latin transliteration, Vietnamese and Azerbaijani.
 *
 * Pure computation on records in memory: no SQL, no files. link_cmd.c is
 * the command around it (`reach link`), which reads the CSV files, calls
 * the functions here and writes the results.
 *
 * The steps of a run, each a function below:
 *
 *   lk_schema_*     which fields a record has and how they compare
 *   lk_side_*       the records of one side (register or enrolment), as
 *                   read; lk_normalise turns every value into the forms
 *                   comparisons use (folded, tone-keeping, skeleton, date,
 *                   digits), in parallel, and lk_term_freq counts how
 *                   common each name is over both sides
 *   lk_block        blocking rules, OR-ed: a pair is a candidate when some
 *                   rule's key is equal on both sides, and is produced
 *                   only by the first such rule, so no pair is scored twice
 *   lk_train        u by random sampling, m by EM on the agreement
 *                   patterns of sampled candidate pairs (as fastLink), λ
 *                   from a deterministic pass; levels fixed by hand stay
 *   lk_score        every candidate pair scored as it is generated (never
 *                   all held): the best candidate of each register row and
 *                   the pairs above the review band's floor are kept
 *   lk_assign       one-to-one: pairs by weight, greedily
 *
 * The same input, settings and seed give the same result whatever the
 * number of threads.
 */
#ifndef LINKAGE_LINKAGE_H
#define LINKAGE_LINKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "linkage/compare.h"

#define LK_MAX_FIELDS 10     /* fields of a record, besides its id (a record fits two cache lines) */
#define LK_MAX_LEVELS 8      /* levels of one comparison, the null level aside */
#define LK_MAX_RULES 12      /* blocking rules */
#define LK_MAX_PARTS 4       /* key parts of one rule */
#define LK_MAX_TF 4          /* fields with term-frequency adjustment */

/* ---- Schema: fields and comparisons ----------------------------------- */

/* What a field holds, which decides its forms and its comparison. */
enum lk_type {
	LK_NAME,     /* a person's name: folded, tone-keeping, tokens, skeleton */
	LK_STRING,   /* other text (an address): folded */
	LK_DATE,     /* a birth date: YYYY-MM-DD, YYYY, or YYYYMMDD */
	LK_NID,      /* a national id: its letters and digits */
	LK_EXACT,    /* compared only for equality (sex, state) */
	LK_REGION,   /* a region code in a tree ("IR-02-01-001"; parent "IR-02-01") */
};

/* How a key part of a blocking rule reads its field. */
enum lk_xform {
	LK_X_VALUE,      /* the folded (compact) value */
	LK_X_SKELETON,   /* the consonant skeleton (names) */
	LK_X_YEAR,       /* the year (dates) */
	LK_X_PARENT,     /* the parent region */
	LK_X_PREFIX3,    /* the first three characters of the folded value */
	LK_X_PARTS,      /* "partsN": the first N dash-separated parts of a
			    code: with N = 3, "IR-02-01-001" and "IR-02-01"
			    give "IR-02-01" */
	LK_X_FULLNAME,   /* the words of the given and family names together,
			    sorted: "Ngọc" "Nguyễn Thị" and "Thị Ngọc"
			    "Nguyễn" meet (names only, with name_swap) */
};

struct lk_level {
	char label[16];
	double m, u;
	bool fixed;          /* set by hand: training leaves m and u alone */
	double weight;       /* log2(m / u) */
	double log2u;        /* log2(u), for term-frequency adjustment */
};

struct lk_field {
	char name[32];       /* "given_name" */
	char column[64];     /* the CSV header it is read from */
	enum lk_type type;
	bool date_compact;   /* LK_DATE written YYYYMMDD */
	bool compare;        /* has a comparison (every field but the id) */
	bool tf;             /* exact levels adjusted by term frequency */
	double t1, t2;       /* Jaro–Winkler thresholds of the two fuzzy levels */
	int nlevels;
	struct lk_level level[LK_MAX_LEVELS];
	int tf_slot;         /* index into lk_rec.tf, -1 */
	int name_k;          /* a name's place among the names (lk_side.name_hash), -1 */
	int hot, hot_len;    /* its first word in lk_hot.w and (names) its
				length's index in lk_hot.len, -1 */
	/* For lk_weight_bound, set by lk_weights: the largest weight of any
	 * level (0 at least: the field may be missing), of the levels two
	 * different values can have, and the largest log2 u of the levels
	 * term frequencies adjust. */
	double w_any, w_differ, log2u_tf;
};

struct lk_part {
	int field;
	enum lk_xform x;
	int n;               /* LK_X_PARTS: how many parts */
};

struct lk_rule {
	char name[32];
	int nparts;
	struct lk_part part[LK_MAX_PARTS];
	bool swap;           /* the enrolment side's given and family names swapped */
};

struct lk_schema {
	char id_column[64];
	int nfields;
	struct lk_field f[LK_MAX_FIELDS];
	int given, family;   /* the fields the name swap exchanges, -1 */
	int nnames;          /* fields of type LK_NAME */
	int nrules;
	struct lk_rule rule[LK_MAX_RULES];
	double lambda;       /* prior: the probability two random records match */
	bool lambda_fixed;
	double threshold;    /* a pair is a match at this probability or above */
	double review_lo, review_hi;
	uint64_t seed;
	int64_t u_pairs;     /* random pairs for u */
	int64_t em_pairs;    /* candidate pairs sampled for EM */
	int64_t skew_pairs;  /* a block with more pairs than this is reported */
	bool trained;        /* m, u and λ are set (trained, or read from a model) */
};

/* The default schema: id,national_id,given_name,family_name,father_name,
 * sex,birth_date,region_code, with the default levels and rules. */
void lk_schema_default(struct lk_schema *s);

/* Reads a configuration (docs/formats.md, "Linkage configuration") or a
 * model.json over the defaults. ERR_INVALID with a message naming the key. */
enum err lk_schema_json(struct lk_schema *s, const char *json, size_t n, struct errinfo *ei);

/* The schema with its trained parameters, as model.json. */
void lk_schema_write(const struct lk_schema *s, struct buf *out);

/* Sets every level's weight from its m and u. */
void lk_weights(struct lk_schema *s);

/* ---- Records ---------------------------------------------------------- */

/*
 * A record's text lives in its side's pool from base: slot[k] is the
 * offset (from base) of the NUL-terminated text of slot k; slot 0 is the
 * id. Each field has LK_FORMS slots (unused ones point at an empty
 * string): the folded compact value, the tone-keeping compact value, the
 * folded value with spaces between words, the skeleton.
 */
enum { LK_FORM_VALUE, LK_FORM_TONES, LK_FORM_WORDS, LK_FORM_SKEL, LK_FORMS };
#define LK_SLOTS (1 + LK_MAX_FIELDS * LK_FORMS)

struct __attribute__((aligned(64))) lk_rec {
	uint64_t base;
	uint16_t slot[LK_SLOTS];
	struct lk_date date[2];     /* the first two date fields */
	float tf[LK_MAX_TF];        /* log2 of the value's term frequency; 0 when missing */
	uint16_t words;             /* bit f: field f has more than one word */
	int64_t row;                /* data row in its file */
};

/*
 * What lk_weight_bound reads of a record, its first cache line: for each
 * field the schema gives words here (lk_field.hot; 0 is missing):
 *   name      2 words: 16-bit hashes of the folded value and of the
 *             skeleton, then the value's 32-bit signature (one bit per
 *             code point, hashed), with its length in code points in
 *             len[lk_field.hot_len]
 *   nid       2 words: up to 16 digits, one per 4 bits (digit + 1), or
 *             0xffffffff and a hash when the id is more than that
 *   region    1 word: 16-bit hash of the code, 12-bit hash of its parent,
 *             and its depth (the number of dashes)
 *   others    1 word: a 32-bit hash of the folded value
 * the term frequencies (lk_rec.tf, rounded down to 1/256 bit), the
 * multi-word names (bits as lk_rec.words), and the first two dates.
 * Equal hashes may be different values; different hashes never are.
 */
#define LK_HOT 10
#define LK_HOT_KEYS 8
struct __attribute__((aligned(128))) lk_hot {
	uint32_t w[LK_HOT];
	uint8_t len[LK_MAX_TF];
	int16_t tf[LK_MAX_TF];      /* lk_rec.tf in 1/256 bits, rounded down */
	uint16_t words;
	struct lk_date date[2];
	/* The next line: the record's keys under the first LK_HOT_KEYS
	 * blocking rules, written by lk_block, so that checking a pair
	 * against earlier rules reads the lines the bound reads (the two
	 * lines of 128 bytes come together). */
	uint64_t key[LK_HOT_KEYS];
};

struct lk_side {
	const char *name;           /* "register" */
	size_t n, cap;
	struct lk_rec *rec;
	struct lk_hot *hot;         /* one per record, made by lk_normalise */
	char *pool;                 /* normalised text */
	size_t pool_len;
	size_t rec_big, pool_big;   /* sizes of rec (mapped) and pool (when it is) */
	size_t hot_big;             /* hot's size (always lk_big_alloc'ed) */
	/* Made by lk_normalise for term frequencies and lk_block, which frees
	 * it: the hashes of each name's folded value and skeleton, as their
	 * text would be hashed (lk_hash | 1; 0 when empty), computed once a
	 * name, when it is first normalised (lk_name_hashes). */
	uint64_t *name_hash;
	/* raw values, as read, until lk_normalise: nf per record */
	char *raw;
	size_t raw_len, raw_cap;
	uint64_t *raw_off;
	int nf;
};

void lk_side_init(struct lk_side *d, const char *name, int nfields);
/* Makes room for about `bytes` of raw text (the file's size), so reading
 * does not copy it again and again as it grows. */
void lk_side_reserve(struct lk_side *d, size_t bytes);
void lk_side_free(struct lk_side *d);
/* Adds a record: its id and one raw value per field of the schema (NULL
 * or "" is missing). */
void lk_side_add(struct lk_side *d, int64_t row, const char *id, const char *const *value, const size_t *len);

/* Record i's two hashes of name field f (value, skeleton), or NULL when
 * they are not kept (f is no name, or lk_block has freed them). */
static inline uint64_t *lk_name_hashes(const struct lk_schema *s, const struct lk_side *d, size_t i, int f)
{
	if (!d->name_hash || s->f[f].name_k < 0)
		return NULL;
	return &d->name_hash[(i * (size_t)s->nnames + (size_t)s->f[f].name_k) * 2];
}

static inline const char *lk_text(const struct lk_side *d, const struct lk_rec *r, int slot)
{
	return d->pool + r->base + r->slot[slot];
}
static inline const char *lk_id(const struct lk_side *d, const struct lk_rec *r)
{
	return lk_text(d, r, 0);
}
static inline const char *lk_form(const struct lk_side *d, const struct lk_rec *r, int field, int form)
{
	return lk_text(d, r, 1 + field * LK_FORMS + form);
}

/* A value that lk_normalise could not read (a malformed date): the field
 * is treated as missing and the problem is reported. */
struct lk_problem {
	int64_t row;
	int field;
	char msg[120];
};

/* Normalises every record of d with nthreads threads; problems (up to
 * max, counted in *nproblems beyond) are appended to *out. */
void lk_normalise(const struct lk_schema *s, struct lk_side *d, int nthreads, struct lk_problem **out,
		  size_t *nproblems);

/* Sets every record's term frequencies over both sides, a field a thread. */
void lk_term_freq(const struct lk_schema *s, struct lk_side *a, struct lk_side *b, int nthreads);

/* ---- Comparing a pair ------------------------------------------------- */

/* The levels of every field for the pair (a, b); -1 is the null level.
 * *swapped tells that the names compared better exchanged. */
void lk_levels(const struct lk_schema *s, const struct lk_side *da, const struct lk_rec *a,
	       const struct lk_side *db, const struct lk_rec *b, int8_t level[LK_MAX_FIELDS], bool *swapped);

/* The match weight of a pair from its levels, with term frequencies;
 * tf_factor[f] (may be NULL) gets each field's adjustment in bits. */
double lk_weight(const struct lk_schema *s, const struct lk_rec *a, const int8_t level[LK_MAX_FIELDS],
		 double tf_bits[LK_MAX_FIELDS]);

/*
 * A weight no less than lk_weight(s, a, lk_levels(a, b)) gives, from the
 * hot lines of a and b alone, without reading either record: the level of a field the hot values decide (dates, sex,
 * equal or missing values), and the best level a field could still
 * reach where they do not (names that differ, national ids one edit
 * apart or not). Summed in lk_weight's order, so it bounds it exactly.
 */
double lk_weight_bound(const struct lk_schema *s, const struct lk_hot *ha, const struct lk_hot *hb);

/* A name's hot words and length, from its folded value and skeleton. */
struct lk_hot_name {
	uint32_t w[2];
	uint8_t len;
};
void lk_hot_name(const char *value, const char *skel, struct lk_hot_name *out);

/* Fills h, the hot line of the record r whose text starts at text, but
 * for its names (lk_hot_name): h is zero or has them already. */
void lk_hot_fill(const struct lk_schema *s, const char *text, const struct lk_rec *r, struct lk_hot *h);

/* The prior's weight, log2(λ / (1 − λ)), and weight ↔ probability. */
double lk_prior_bits(const struct lk_schema *s);
double lk_prob(double weight);
double lk_bits(double prob);

/* ---- Blocking, training, scoring, assignment -------------------------- */

struct lk_rule_stats {
	int64_t pairs;        /* candidate pairs before excluding earlier rules */
	int64_t new_pairs;    /* pairs this rule adds (scored under it) */
	int64_t blocks, largest;
	int64_t skewed;       /* blocks over schema.skew_pairs */
	char largest_key[80];
};

struct lk_blocks;

/* Computes every rule's keys and blocks. It frees both sides' name
 * hashes once read (a later call hashes the names' text instead, to the
 * same keys). */
struct lk_blocks *lk_block(const struct lk_schema *s, struct lk_side *reg, struct lk_side *enr,
			   int nthreads, struct lk_rule_stats stats[LK_MAX_RULES]);
void lk_blocks_free(struct lk_blocks *b);

struct lk_train_stats {
	int64_t u_pairs, em_pairs, patterns, iterations, deterministic;
	double em_lambda;     /* share of matches among the sampled candidates */
};

/* Trains u, m and λ (leaving fixed levels and a fixed λ alone). */
void lk_train(struct lk_schema *s, const struct lk_side *reg, const struct lk_side *enr,
	      const struct lk_blocks *b, int nthreads, struct lk_train_stats *st);

/* EM on agreement patterns: npat patterns of nf fields (levels, -1 null)
 * with their counts; m is estimated (u too, as within-block u, in
 * ublock), starting from the schema's m, from ublock and from the share
 * of matches p0. Returns the share of matches. Exposed for tests. */
double lk_em(struct lk_schema *s, const int8_t *pat, const double *count, size_t npat, int maxiter, double p0,
	     double ublock[LK_MAX_FIELDS][LK_MAX_LEVELS], int *iterations);

struct lk_pair {
	uint32_t r, e;
	float weight;
};

struct lk_scored {
	struct lk_pair *pairs;      /* pairs at or above the review floor */
	size_t n;
	uint64_t *best;             /* per register row: lk_best_* of its best candidate */
	int64_t scored;
	int64_t bounded;            /* of the scored, settled by lk_weight_bound alone */
	int64_t rule_scored[LK_MAX_RULES];
};

static inline uint32_t lk_best_enrol(uint64_t b) { return (uint32_t)(b & 0xffffffffu) ; }
float lk_best_weight(uint64_t b);
#define LK_NONE 0   /* best[] of a register row without any candidate */

void lk_score(const struct lk_schema *s, const struct lk_side *reg, const struct lk_side *enr,
	      const struct lk_blocks *b, int nthreads, struct lk_scored *out);
void lk_scored_free(struct lk_scored *sc);

/* One-to-one: sorts sc->pairs by weight (then register and enrolment
 * order) and marks in match[r] the enrolment row matched to register row
 * r (UINT32_MAX for none); returns the number of matches. */
size_t lk_assign(const struct lk_schema *s, struct lk_scored *sc, size_t nreg, size_t nenr, uint32_t *match);

/* Runs fn(arg, k) on k = 0..nthreads-1 in as many threads. */
void lk_parallel(int nthreads, void (*fn)(void *arg, int k), void *arg);

#endif
