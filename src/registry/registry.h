/*
 * registry.h — who and where: the region tree (country → province →
 * district → village), schools, people (learners, guardians, teachers,
 * adult learners) and enrolments.
 *
 * Every read and write goes through auth_can with the object's scope
 * (its region path and school); every change is audited; people are
 * retired, never deleted. Names are stored as written and in the folded
 * search form of base/text.h. The file formats are in docs/formats.md.
 *
 * This first part is the shared vocabulary: the closed sets of values
 * that the API, the importers and the demo all check against. The second
 * is the domain: records, their checks, reads, writes and lists.
 *
 * Who acts is c->user; a NULL user is the command line (an import, the
 * demo), which reaches everything and is audited as the system, as
 * auth_audit records it. Every write is one transaction that takes a
 * change sequence (store_seq_next) and writes its audit row. Strings
 * returned live in c->arena. The HTTP face is registry_routes.h.
 */
#ifndef REGISTRY_REGISTRY_H
#define REGISTRY_REGISTRY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "auth/auth.h"
#include "base/jw.h"

/* Each set is a NULL-terminated list of its stable names, in order. */
extern const char *const registry_levels[];        /* country province district village */
extern const char *const registry_school_levels[]; /* pre_primary primary lower_secondary upper_secondary adult */
extern const char *const registry_electricity[];   /* grid solar none */
extern const char *const registry_connectivity[];  /* none 2g 3g 4g fibre satellite */
extern const char *const registry_roles[];         /* learner guardian teacher adult */
extern const char *const registry_sexes[];         /* f m x */
extern const char *const registry_statuses[];      /* enrolled transferred dropped_out graduated */

/* The position of s in set, or -1 when it is not one of them. */
int registry_index(const char *const set[], const char *s);

/* Parses a boolean as the files write it (1/0, true/false, yes/no, any
 * case); false when s is none of them. */
bool registry_parse_bool(const char *s, bool *out);


/*
 * The records. A record is the values of its kind's public fields as text,
 * in the order of the enums below, as the API and the files name them
 * (docs/formats.md): a region's parent and a school's region are codes, a
 * person's school is a code (school_id gives its public id). NULL is "no
 * value". Integers, decimals and booleans ("1"/"0") are written the way
 * registry_rec_json turns them back into JSON numbers and booleans.
 * Records and their strings live in the ctx's arena.
 *
 * The integer keys (rid, sid, pid, eid) are the store's and never leave
 * the program; the public id is the UUIDv7 text in field 0.
 */
enum registry_kind { REG_REGION, REG_SCHOOL, REG_PERSON, REG_ENROLMENT, REG__KINDS };

enum region_field {
	RG_ID, RG_CODE, RG_PARENT_CODE, RG_LEVEL, RG_DEPTH, RG_PATH, RG_NAME, RG_NAME_EN, RG_NAME_FA,
	RG_NAME_VI, RG_NAME_AZ, RG_DEPRIVATION, RG_POPULATION, RG_SCHOOL_AGE_POPULATION, RG_CREATED_AT,
	RG_UPDATED_AT, RG_SEQ, RG__N
};
enum school_field {
	SC_ID, SC_CODE, SC_NAME, SC_NAME_EN, SC_NAME_FA, SC_NAME_VI, SC_NAME_AZ, SC_REGION_CODE, SC_LEVELS,
	SC_BOARDING, SC_NOMADIC, SC_RURAL, SC_LANGUAGE, SC_LAT, SC_LON, SC_LEARNERS, SC_TEACHERS,
	SC_ELECTRICITY, SC_CONNECTIVITY, SC_DOWNLOAD_MBPS, SC_MEASURED_AT, SC_COMPUTERS, SC_TABLETS,
	SC_PROJECTORS, SC_COMPUTER_CENTRE, SC_CREATED_AT, SC_UPDATED_AT, SC_SEQ, SC__N
};
enum person_field {
	PE_ID, PE_EXT_ID, PE_ROLE, PE_GIVEN_NAME, PE_FAMILY_NAME, PE_FATHER_NAME, PE_SEX, PE_BIRTH_DATE,
	PE_NATIONAL_ID, PE_REGION_CODE, PE_SCHOOL_CODE, PE_SCHOOL_ID, PE_SUBJECTS, PE_DIGITAL_SKILLS,
	PE_HAS_DEVICE, PE_HAS_INTERNET, PE_RETIRED_AT, PE_CREATED_AT, PE_UPDATED_AT, PE_SEQ, PE__N
};
enum enrolment_field {
	EN_ID, EN_EXT_ID, EN_LEARNER_ID, EN_SCHOOL_CODE, EN_SCHOOL_ID, EN_GRADE, EN_SCHOOL_YEAR, EN_STATUS,
	EN_START_DATE, EN_END_DATE, EN_CREATED_AT, EN_UPDATED_AT, EN_SEQ, EN__N
};

#define REGISTRY_FIELDS_MAX 32

struct registry_rec {
	enum registry_kind kind;
	int64_t key;          /* rid, sid, pid or eid */
	int64_t region_rid;   /* the region it sits in (a region: itself; 0: none) */
	int64_t school_sid;   /* its school (0: none) */
	int64_t learner_pid;  /* an enrolment's learner; a person: itself */
	const char *path;     /* its region's path, "/IR/IR-07/" ("" when none) */
	const char *v[REGISTRY_FIELDS_MAX];
};

/* The public name of field i of kind k ("connectivity"), NULL past the end;
 * the field of a name, or -1. */
const char *registry_field_name(enum registry_kind k, int i);
int registry_field_index(enum registry_kind k, const char *name);
int registry_nfields(enum registry_kind k);

/*
 * What a caller gives to create or change a record: text values indexed
 * by the kind's field enum, NULL for "not given" (on create: the default;
 * on update: unchanged), "" for "clear" where a field may be empty.
 * Integers, decimals, booleans (1/0, true/false, yes/no) and dates
 * (YYYY-MM-DD, or Solar Hijri YYYY/MM/DD in any digits; a year below 1700
 * is read as Solar Hijri) are parsed and checked here, so the API and the
 * importers share one set of rules and messages. Fields that are never
 * written (id, created_at, seq, …) must be NULL.
 */
struct registry_in {
	const char *v[REGISTRY_FIELDS_MAX];
};

/*
 * List filters; NULL (or 0) leaves a filter out. region: a region code,
 * matching the region and everything beneath it; school: a school's id or
 * code; q: a name search (see registry_list). parent and level filter
 * regions; role and retired filter people; learner, status and grade
 * filter enrolments.
 */
struct registry_filter {
	const char *region, *school, *q;
	const char *parent, *level;
	const char *role;
	bool retired;          /* people: include retired people too */
	const char *learner, *status, *grade;
};

/* The most a list returns at once, and the most rows one list call looks
 * at while it searches names (a page may then hold fewer items than asked
 * for, even none, and still have a next cursor). */
#define REGISTRY_PAGE_MAX 500
#define REGISTRY_SCAN_MAX 20000

/*
 * Reads one record by its public id (regions and schools: or their code).
 * ERR_NOTFOUND when there is none or the caller may not read it (the two
 * are not told apart, so ids cannot be probed); a person or an enrolment
 * needs ACT_PERSON_READ, a region or school ACT_REGISTRY_READ, within the
 * caller's scope (auth_can with the record's scope).
 */
enum err registry_get(struct ctx *c, enum registry_kind k, const char *id, struct registry_rec *out);

/*
 * Creates a record from in, after checking every field (ERR_INVALID naming
 * the field, with a message a person can act on), the references (the
 * region, parent, school and learner must exist: ERR_INVALID on that
 * field) and the caller's right to write there (ERR_DENIED), in one
 * transaction that also takes a change sequence and writes the audit row
 * ("school.create", the values as detail). ERR_EXISTS when the code or
 * external id is taken. *out is the record as stored.
 *
 * A person's name is stored as written and folded ("family given father",
 * text_fold) for search. A person without a region takes their school's.
 * An enrolment with status enrolled makes its school the learner's
 * current school.
 */
enum err registry_create(struct ctx *c, enum registry_kind k, const struct registry_in *in,
			 struct registry_rec *out);

/*
 * Changes the fields given in in of the record with public id (or code)
 * id; the rest stays. Codes, a region's parent and level, an enrolment's
 * learner and every read-only field cannot change (ERR_INVALID). The
 * caller must be able to write the record where it is and where it goes.
 * Audited with the fields that changed ({"name": {"from": …, "to": …}});
 * a change that changes nothing writes nothing. A retired person cannot be
 * changed (ERR_CONFLICT).
 */
enum err registry_update(struct ctx *c, enum registry_kind k, const char *id, const struct registry_in *in,
			 struct registry_rec *out);

/* Retires a person: they stay, with retired_at set, leave lists (unless
 * asked for) and cannot be changed. ERR_CONFLICT if already retired. */
enum err registry_person_retire(struct ctx *c, const char *id, struct registry_rec *out);

/*
 * Links guardian (a person's public id) to learner (a learner's) with a
 * relation ("mother", "father", "grandparent", …; may be ""): the caller
 * must be able to change the learner and read the guardian. Linking again
 * updates the relation. ERR_INVALID names guardian_id when the guardian is
 * the learner or a learner; ERR_NOTFOUND when either is not there for the
 * caller.
 */
enum err registry_guardian_add(struct ctx *c, const char *learner_id, const char *guardian_id,
			       const char *relation);

/* A person's guardians (as a learner) and children (as a guardian) that
 * the caller may read. */
struct registry_link {
	const char *id, *given_name, *family_name, *relation;
	bool guardian;          /* true: this is a guardian; false: a child */
};
enum err registry_person_links(struct ctx *c, const struct registry_rec *person, struct registry_link **out,
			       int *n);

/*
 * Lists records of kind k that pass filter f and that the caller may
 * read: the caller's scope is part of the query (a district officer's
 * people are read from their district's regions, a teacher's from their
 * school, a guardian's are themselves and their children), never rows
 * dropped afterwards. Ordered by the integer key; with a region filter
 * (or a regional scope) people, schools and enrolments come region by
 * region through the (region, key) indexes, and the cursor holds both.
 * Up to limit records after cursor (0: from the start); *next continues,
 * 0 at the end. ERR_INVALID names region or school when there is no such
 * one (one outside the caller's scope gives an empty list).
 *
 * q: the query is folded (text_fold) into up to four words, and a record
 * matches when each word begins one of the words of its folded name
 * ("karimi al" finds "Karimi Ali Reza", "ali" finds it too, "nguyen"
 * finds "Nguyễn Văn An"). At most REGISTRY_SCAN_MAX rows are looked at per
 * call, so a rare name over a large scope comes back a page at a time.
 */
enum err registry_list(struct ctx *c, enum registry_kind k, const struct registry_filter *f, int64_t cursor,
		       int limit, struct registry_rec **out, int *n, int64_t *next);

/*
 * The search box: schools and people whose folded name begins with the
 * folded query, or one of whose words each query word begins, up to
 * limit of each, within what the caller may read (no people for callers
 * who may not read personal data).
 */
enum err registry_search(struct ctx *c, const char *q, int limit, struct registry_rec **schools, int *nschools,
			 struct registry_rec **people, int *npeople);

/* The regions above and including a region path, from the top: code and
 * name (in lang where the region has one). */
struct registry_crumb {
	const char *code, *name;
};
enum err registry_trail(struct ctx *c, const char *path, struct registry_crumb **out, int *n);

/* A school's learners enrolled now, by grade (grades in order: KG first,
 * then by number, then the rest by text), and its active teachers. */
struct registry_grade {
	const char *grade;
	int64_t learners;
};
enum err registry_school_counts(struct ctx *c, const struct registry_rec *school, struct registry_grade **grades,
				int *n, int64_t *teachers);

/* The scope of a record for auth_can: its region codes from the top, its
 * school's code, and for a person or enrolment the person (learner) and
 * their guardians. Arena memory. */
enum err registry_scope(struct ctx *c, const struct registry_rec *r, struct scope *out);

/* Writes r as a JSON object: numbers and booleans as such, lists as
 * arrays, a region's path as an array of codes, NULL as null. */
void registry_rec_json(struct jw *w, const struct registry_rec *r);
/* The same as a jansson object (a new reference), for pages. */
json_t *registry_rec_jansson(const struct registry_rec *r);

/* Packs a two-part list position into one cursor key and back: outer
 * (a region or school key) below 2^27, inner (a row key) below 2^36. */
int64_t registry_cursor_pack(int64_t outer, int64_t inner);
void registry_cursor_unpack(int64_t key, int64_t *outer, int64_t *inner);

#endif
