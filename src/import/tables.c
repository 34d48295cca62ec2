/*
 * tables.c — writing validated rows into the registry tables: an upsert
 * per row, keyed by the external id, that changes the row (and bumps its
 * seq and updated_at) only when a value differs from what is stored.
 * People and enrolments go IMPORT_ROWS to a statement (struct pending).
 *
 * A column the file does not have is left as stored: its bit in the mask
 * parameter makes the update keep the old value. A blank field in a
 * column the file has is a missing value and is written so.
 *
 * References (a region's parent, a school's region, a person's school, an
 * enrolment's learner) are resolved here, in file order, against the maps
 * of codes held in memory and, for people, the store's index.
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/xmalloc.h"
#include "import/import_int.h"
#include "registry/registry.h"
#include "store/store.h"
#include "base/banned.h"

/* The stored value of column c of table t when the file lacks it. */
#define K(t, m, c, bit) "CASE WHEN " m " & " #bit " THEN " t "." c " ELSE excluded." c " END"
#define KR(c, bit) K("regions", "?15", c, bit)
#define KS(c, bit) K("schools", "?25", c, bit)
#define KP(c, bit) K("people", "?3", c, bit)
#define KE(c, bit) K("enrolments", "?3", c, bit)

static const char SQL_REGION[] =
	"INSERT INTO regions (id, code, parent_rid, level, depth, path, name, name_fold, names, deprivation, "
	"population, school_age_population, created_at, updated_at, seq) "
	"VALUES (?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6, ?7, ?8, COALESCE(?9, '{}'), ?10, ?11, ?12, ?13, ?13, ?14) "
	"ON CONFLICT (code) DO UPDATE SET parent_rid = excluded.parent_rid, level = excluded.level, "
	"depth = excluded.depth, path = excluded.path, name = excluded.name, name_fold = excluded.name_fold, "
	"names = " KR("names", 1) ", deprivation = " KR("deprivation", 2) ", "
	"population = " KR("population", 4) ", "
	"school_age_population = " KR("school_age_population", 8) ", "
	"updated_at = excluded.updated_at, seq = excluded.seq "
	"WHERE (regions.parent_rid, regions.level, regions.depth, regions.path, regions.name, regions.name_fold, "
	"regions.names, regions.deprivation, regions.population, regions.school_age_population) IS NOT "
	"(excluded.parent_rid, excluded.level, excluded.depth, excluded.path, excluded.name, excluded.name_fold, "
	KR("names", 1) ", " KR("deprivation", 2) ", " KR("population", 4) ", "
	KR("school_age_population", 8) ") "
	"RETURNING rid";

static const char SQL_REGION_MOVE[] =
	"UPDATE regions SET path = ?1 || substr(path, length(?2) + 1), depth = depth + ?3, "
	"updated_at = ?4, seq = ?5 WHERE substr(path, 1, length(?2)) = ?2 AND path <> ?2";

static const char SQL_SCHOOL[] =
	"INSERT INTO schools (id, code, name, name_fold, region_rid, levels, boarding, nomadic, rural, language, "
	"lat, lon, learners, teachers, electricity, connectivity, download_mbps, measured_at, computers, tablets, "
	"projectors, computer_centre, created_at, updated_at, seq) "
	"VALUES (?1, ?2, ?3, ?4, ?5, COALESCE(?6, ''), COALESCE(?7, 0), COALESCE(?8, 0), COALESCE(?9, 0), "
	"COALESCE(?10, ''), ?11, ?12, ?13, ?14, COALESCE(?15, 'none'), COALESCE(?16, 'none'), ?17, ?18, "
	"COALESCE(?19, 0), COALESCE(?20, 0), COALESCE(?21, 0), COALESCE(?22, 0), ?23, ?23, ?24) "
	"ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_fold = excluded.name_fold, "
	"region_rid = excluded.region_rid, "
	"levels = " KS("levels", 1) ", boarding = " KS("boarding", 2) ", "
	"nomadic = " KS("nomadic", 4) ", rural = " KS("rural", 8) ", "
	"language = " KS("language", 16) ", lat = " KS("lat", 32) ", "
	"lon = " KS("lon", 64) ", learners = " KS("learners", 128) ", "
	"teachers = " KS("teachers", 256) ", electricity = " KS("electricity", 512) ", "
	"connectivity = " KS("connectivity", 1024) ", download_mbps = " KS("download_mbps", 2048) ", "
	"measured_at = " KS("measured_at", 4096) ", computers = " KS("computers", 8192) ", "
	"tablets = " KS("tablets", 16384) ", projectors = " KS("projectors", 32768) ", "
	"computer_centre = " KS("computer_centre", 65536) ", "
	"updated_at = excluded.updated_at, seq = excluded.seq "
	"WHERE (schools.name, schools.name_fold, schools.region_rid, schools.levels, schools.boarding, "
	"schools.nomadic, schools.rural, schools.language, schools.lat, schools.lon, schools.learners, "
	"schools.teachers, schools.electricity, schools.connectivity, schools.download_mbps, schools.measured_at, "
	"schools.computers, schools.tablets, schools.projectors, schools.computer_centre) IS NOT "
	"(excluded.name, excluded.name_fold, excluded.region_rid, "
	KS("levels", 1) ", " KS("boarding", 2) ", " KS("nomadic", 4) ", "
	KS("rural", 8) ", " KS("language", 16) ", " KS("lat", 32) ", "
	KS("lon", 64) ", " KS("learners", 128) ", " KS("teachers", 256) ", "
	KS("electricity", 512) ", " KS("connectivity", 1024) ", "
	KS("download_mbps", 2048) ", " KS("measured_at", 4096) ", "
	KS("computers", 8192) ", " KS("tablets", 16384) ", "
	KS("projectors", 32768) ", " KS("computer_centre", 65536) ") "
	"RETURNING sid";

/*
 * People and enrolments are written IMPORT_ROWS to a statement (store.h,
 * store_rows): ?1 is the time, ?2 the change sequence and ?3 the mask,
 * the same for every row; a row's own values follow. Each has two tails:
 * the upsert by external id, and, for an initial load (the table was
 * empty and its ext_id index is away until the end of the file), none:
 * every row is new, and the duplicate set has already refused any id
 * the file repeats.
 */
static const char PERSON_HEAD[] =
	"INSERT INTO people (id, ext_id, role, given_name, family_name, father_name, name_fold, sex, birth_date, "
	"national_id, region_rid, school_sid, subjects, digital_skills, has_device, has_internet, created_at, "
	"updated_at, seq) VALUES ";
static const char PERSON_ROW[] =
	"(?4, ?5, ?6, ?7, ?8, COALESCE(?9, ''), ?10, COALESCE(?11, ''), COALESCE(?12, ''), COALESCE(?13, ''), "
	"NULLIF(?14, 0), NULLIF(?15, 0), COALESCE(?16, ''), ?17, ?18, ?19, ?1, ?1, ?2)";
static struct store_rows person_rows = {
	.shared = 3,
	.head = PERSON_HEAD,
	.row = PERSON_ROW,
	.tail = " ON CONFLICT (ext_id) DO UPDATE SET role = excluded.role, given_name = excluded.given_name, "
		"family_name = excluded.family_name, name_fold = excluded.name_fold, "
		"father_name = " KP("father_name", 1) ", sex = " KP("sex", 2) ", "
		"birth_date = " KP("birth_date", 4) ", national_id = " KP("national_id", 8) ", "
		"region_rid = " KP("region_rid", 16) ", school_sid = " KP("school_sid", 32) ", "
		"subjects = " KP("subjects", 64) ", digital_skills = " KP("digital_skills", 128) ", "
		"has_device = " KP("has_device", 256) ", has_internet = " KP("has_internet", 512) ", "
		"updated_at = excluded.updated_at, seq = excluded.seq "
		"WHERE (people.role, people.given_name, people.family_name, people.name_fold, people.father_name, "
		"people.sex, people.birth_date, people.national_id, people.region_rid, people.school_sid, "
		"people.subjects, people.digital_skills, people.has_device, people.has_internet) IS NOT "
		"(excluded.role, excluded.given_name, excluded.family_name, excluded.name_fold, "
		KP("father_name", 1) ", " KP("sex", 2) ", " KP("birth_date", 4) ", "
		KP("national_id", 8) ", " KP("region_rid", 16) ", " KP("school_sid", 32) ", "
		KP("subjects", 64) ", " KP("digital_skills", 128) ", " KP("has_device", 256) ", "
		KP("has_internet", 512) ")",
};
static struct store_rows person_new_rows = {.shared = 3, .head = PERSON_HEAD, .row = PERSON_ROW, .tail = ""};

static const char SQL_PERSON_PID[] = "SELECT pid, role FROM people WHERE ext_id = ?1";

/* Guardian links, IMPORT_ROWS to a statement: the two people of each
 * pair (a learner's and a guardian's external ids) are found by a join,
 * so a pair with either missing writes nothing; when some pair wrote
 * nothing, link_missing names those whose listed person (?3) is missing
 * while the row's own (?2) is there. */
static struct store_rows link_rows = {
	.head = "INSERT INTO guardianships (learner_pid, guardian_pid, relation) SELECT l.pid, g.pid, '' FROM (VALUES ",
	.row = "(?1, ?2)",
	.tail = ") AS v JOIN people l ON l.ext_id = v.column1 JOIN people g ON g.ext_id = v.column2 WHERE true "
		"ON CONFLICT (learner_pid, guardian_pid) DO NOTHING",
};
static struct store_rows link_missing = {
	.head = "SELECT v.column1 FROM (VALUES ",
	.row = "(?1, ?2, ?3)",
	.tail = ") AS v WHERE EXISTS (SELECT 1 FROM people WHERE ext_id = v.column2) "
		"AND NOT EXISTS (SELECT 1 FROM people WHERE ext_id = v.column3) ORDER BY v.column1",
};

/* The learner is found by the insert itself (one join for the rows):
 * the rows written come back (in an initial load, only their number:
 * see enrol_new_rows), and for the others a second look tells
 * "unchanged" from "no such learner". */
static const char ENROL_HEAD[] =
	"INSERT INTO enrolments (id, ext_id, learner_pid, school_sid, grade, school_year, status, start_date, "
	"end_date, created_at, updated_at, seq) "
	"SELECT v.column1, v.column2, p.pid, v.column4, v.column5, v.column6, v.column7, v.column8, v.column9, "
	"?1, ?1, ?2 FROM (VALUES ";
static const char ENROL_ROW[] =
	"(?4, ?5, ?6, ?7, ?8, ?9, COALESCE(?10, 'enrolled'), COALESCE(?11, ''), COALESCE(?12, ''))";
#define ENROL_FROM ") AS v CROSS JOIN people p WHERE p.ext_id = v.column3 AND p.role = 'learner' "
static struct store_rows enrol_rows = {
	.shared = 3,
	.head = ENROL_HEAD,
	.row = ENROL_ROW,
	.tail = ENROL_FROM "ON CONFLICT (ext_id) DO UPDATE SET learner_pid = excluded.learner_pid, "
		"school_sid = excluded.school_sid, grade = excluded.grade, school_year = excluded.school_year, "
		"status = " KE("status", 1) ", start_date = " KE("start_date", 2) ", "
		"end_date = " KE("end_date", 4) ", updated_at = excluded.updated_at, seq = excluded.seq "
		"WHERE (enrolments.learner_pid, enrolments.school_sid, enrolments.grade, enrolments.school_year, "
		"enrolments.status, enrolments.start_date, enrolments.end_date) IS NOT "
		"(excluded.learner_pid, excluded.school_sid, excluded.grade, excluded.school_year, "
		KE("status", 1) ", " KE("start_date", 2) ", " KE("end_date", 4) ") "
		"RETURNING ext_id",
};
/* An initial load returns nothing: every row whose learner is found is
 * written, so a statement that wrote them all needs no list of them. */
static struct store_rows enrol_new_rows = {.shared = 3, .head = ENROL_HEAD, .row = ENROL_ROW, .tail = ENROL_FROM};

/* A learner enrolled at a school has it as their current school, and its
 * region as theirs when they have none (as the registry's API does):
 * IMPORT_ROWS learners (external id, school, region) to a statement. */
static struct store_rows learner_school_rows = {
	.shared = 2,
	.head = "UPDATE people SET school_sid = v.column2, region_rid = COALESCE(people.region_rid, v.column3), "
		"updated_at = ?1, seq = ?2 FROM (VALUES ",
	.row = "(?3, ?4, ?5)",
	.tail = ") AS v WHERE people.ext_id = v.column1 AND "
		"(people.school_sid IS NOT v.column2 OR people.region_rid IS NULL)",
};

static const char SQL_REGIONS_ALL[] = "SELECT code, rid, level, path FROM regions";
static const char SQL_SCHOOLS_ALL[] =
	"SELECT s.code, s.sid, s.region_rid, r.code FROM schools s JOIN regions r ON r.rid = s.region_rid";

enum err maps_load(struct imp *im)
{
	struct stmt *st;
	enum err rc;

	cmap_free(&im->regions);
	cmap_init(&im->regions);
	if ((rc = store_query(im->c->store, &st, SQL_REGIONS_ALL, "")) != OK)
		return rc;
	while (store_next(st)) {
		struct mval *v = cmap_put(&im->regions, store_text(st, 0));
		v->id = store_int(st, 1);
		v->level = registry_index(registry_levels, store_text(st, 2));
		v->s1 = cmap_str(&im->regions, store_text(st, 3));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	if (im->schools.slots)
		return OK;
	cmap_init(&im->schools);
	if ((rc = store_query(im->c->store, &st, SQL_SCHOOLS_ALL, "")) != OK)
		return rc;
	while (store_next(st)) {
		struct mval *v = cmap_put(&im->schools, store_text(st, 0));
		v->id = store_int(st, 1);
		v->aux = store_int(st, 2);
		v->s1 = cmap_str(&im->schools, store_text(st, 3));
	}
	return store_done(st);
}

/*
 * Whether a row whose region has path (NULL: no region known) lies in the
 * scope of the account importing; the command line (no account) and
 * accounts scoped to the whole country import anywhere. A row outside
 * the scope is rejected, so a district officer's upload touches only
 * their district.
 */
static bool out_of_scope(struct imp *im, struct batch *b, struct rec *r, const char *col, const char *path)
{
	const struct user *u = im->c->user;
	char want[AUTH_SCOPE_MAX + 3];

	if (!u || !u->scope[0])
		return false;
	snprintf(want, sizeof want, "/%s/", u->scope);
	if (path && strstr(path, want))
		return false;
	problem(b, r, col, "outside your scope (%s)", u->scope);
	return true;
}

/* The path of a school's region. */
static const char *school_path(struct imp *im, const struct mval *school)
{
	const struct mval *reg = school && school->s1 ? cmap_get(&im->regions, school->s1) : NULL;
	return reg ? reg->s1 : NULL;
}

/* The mask of values the file lacks, as the SQL's bits number them. */
static int64_t mask(const struct rec *r, const int *vals, int n)
{
	int64_t m = 0;

	for (int i = 0; i < n; i++)
		if (r->absent & (1u << vals[i]))
			m |= (int64_t)1 << i;
	return m;
}

/* Runs an upsert whose text ends in RETURNING: the key of the row when it
 * changed, 0 when nothing changed. */
static enum err upsert_key(struct stmt *st, int64_t *key)
{
	*key = store_next(st) ? store_int(st, 0) : 0;
	return store_done(st);
}

/*
 * Ids for new rows, without a system call each: UUIDv7 by the "monotonic
 * random" method of RFC 9562 (6.2, method 2). The first id of each
 * millisecond takes 74 fresh random bits from id_new; the ids after it in
 * the same millisecond add one to them. They stay time-ordered, unique
 * within the run, and as unlikely to collide with another instance's as
 * id_new's own.
 */
static void bulk_id(struct imp *im, char out[ID_LEN])
{
	static const char hex[] = "0123456789abcdef";
	struct idgen *g = &im->ids;
	int64_t ms = time_now_ms();
	unsigned char b[16];

	if (ms != g->ms || !g->ms) {
		char fresh[ID_LEN];
		id_new(fresh);
		for (int i = 0, k = 0; i < 16; i++, k += 2) {
			if (fresh[k] == '-')
				k++;
			g->b[i] = (unsigned char)((strchr(hex, fresh[k]) - hex) << 4 | (strchr(hex, fresh[k + 1]) - hex));
		}
		g->ms = ms;
	} else
		for (int i = 15; i >= 9 && ++g->b[i] == 0; i--)
			;
	memcpy(b, g->b, 16);
	for (int i = 0, k = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hex[b[i] >> 4];
		out[k++] = hex[b[i] & 15];
	}
	out[36] = '\0';
}

/* ---- People and enrolments, IMPORT_ROWS to a statement --------------- */

/* What differs between the tables whose rows wait (struct pending). */
struct pend_shape {
	struct store_rows *sql;
	int per_row;        /* values of one row */
	int key;            /* -1, or the value holding the external id when the
			       statement returns the ext_id of each row written;
			       when it returns nothing and there is an after
			       hook, a row was written if the statement wrote
			       them all, or if its learner is found */
	void (*values)(const struct pend_row *w, struct store_val *v);
	enum err (*after)(struct imp *im);   /* then sees to the rows, in order (may be NULL) */
};

#define SHARED_VALUES 3     /* the time, the change sequence, the mask */
#define PERSON_ROW_VALUES 16
#define ENROL_ROW_VALUES 9
_Static_assert(IMPORT_ROWS <= STORE_ROWS_MAX, "IMPORT_ROWS rows must fit one statement");
_Static_assert(ENROL_ROW_VALUES <= PERSON_ROW_VALUES, "rows_run's values are sized for people");

static struct store_val text_val(const char *s)
{
	return (struct store_val){.t = s};
}

static struct store_val int_val(int64_t i)
{
	return (struct store_val){.i = i, .is_int = true};
}

/* Marks the waiting row whose external id came back. Rows come back in
 * the order they were given, so the search starts after the last one. */
static void mark(struct pending *p, int first, int n, int *at, const char *ext_id)
{
	for (int k = 0; k < n; k++) {
		struct pend_row *w = &p->row[first + (*at + k) % n];
		if (w->state == 0 && !strcmp(V(w->b, w->r, p->shape->key), ext_id)) {
			w->state = 1;
			*at = (*at + k + 1) % n;
			return;
		}
	}
}

/* Writes n waiting rows from first with one statement; *changes is the
 * rows it changed. */
static enum err rows_run(struct imp *im, int first, int n, int64_t *changes)
{
	struct pending *p = &im->pend;
	const struct pend_shape *sh = p->shape;
	struct store_val v[SHARED_VALUES + IMPORT_ROWS * PERSON_ROW_VALUES];
	struct stmt *st;
	int at = 0;
	enum err rc;

	v[0] = text_val(im->now);
	v[1] = int_val(im->seq);
	v[2] = int_val(p->mask);
	for (int i = 0; i < n; i++)
		sh->values(&p->row[first + i], v + SHARED_VALUES + i * sh->per_row);
	if ((rc = store_query_rows(im->c->store, &st, sh->sql, n, v)) != OK)
		return rc;
	if (sh->sql->per_row != sh->per_row)
		BUG("import: a row statement's placeholders and its values differ");
	while (store_next(st))
		if (sh->key >= 0)
			mark(p, first, n, &at, store_text(st, 0));
	rc = store_done(st);
	*changes = rc == OK ? store_changes(im->c->store) : 0;
	for (int i = 0; i < n && sh->key < 0 && sh->after && *changes == n; i++)
		p->row[first + i].state = 1;
	return rc;
}

/* Writes the waiting rows one at a time, so a row the store refuses is
 * rejected alone. */
static enum err rows_singly(struct imp *im, int64_t *changes)
{
	struct pending *p = &im->pend;
	enum err rc = OK;

	for (int i = 0; i < p->n; i++)
		p->row[i].state = 0;
	for (int i = 0; i < p->n && rc == OK; i++) {
		int64_t one = 0;
		rc = rows_run(im, i, 1, &one);
		if (rc == ERR_EXISTS || rc == ERR_STORE) {
			p->row[i].state = -1;
			rc = row_store_err(im, p->row[i].r, rc);
		}
		*changes += one;
	}
	return rc;
}

/* The learner's and the guardian's id of a waiting link, or (NULL, NULL)
 * for an unused row of the statement; an id too long for anyone is left
 * blank, and NULL too. NULL matches no one. */
static void link_ids(const struct links *l, int i, const char **learner, const char **guardian)
{
	const struct link_row *w = &l->row[i];

	*learner = i < l->n && w->learner[0] ? w->learner : NULL;
	*guardian = i < l->n && w->guardian[0] ? w->guardian : NULL;
}

/* Writes the waiting links with one statement, and rejects, in file
 * order, those whose listed person is not in the store. The statement
 * has IMPORT_ROWS rows whatever the number waiting (one text, prepared
 * once): the unused ones are NULL. */
static enum err links_flush(struct imp *im)
{
	struct links *l = &im->links;
	struct store_val v[IMPORT_ROWS * 3];
	const char *lid, *gid;
	struct stmt *st;
	int64_t changes;
	enum err rc, done;

	for (int i = 0; i < IMPORT_ROWS; i++) {
		link_ids(l, i, &lid, &gid);
		v[2 * i] = text_val(lid);
		v[2 * i + 1] = text_val(gid);
	}
	if ((rc = store_query_rows(im->c->store, &st, &link_rows, IMPORT_ROWS, v)) != OK)
		goto out;
	store_next(st);
	if ((rc = store_done(st)) != OK)
		goto out;
	changes = store_changes(im->c->store);
	if (changes == l->n)
		goto out;
	for (int i = 0; i < IMPORT_ROWS; i++) {
		link_ids(l, i, &lid, &gid);
		v[3 * i] = int_val(i);
		v[3 * i + 1] = text_val(i < l->n && l->row[i].listed_learner ? gid : lid);
		v[3 * i + 2] = text_val(i < l->n && l->row[i].listed_learner ? lid : gid);
	}
	if ((rc = store_query_rows(im->c->store, &st, &link_missing, IMPORT_ROWS, v)) != OK)
		goto out;
	while (rc == OK && store_next(st)) {
		const struct link_row *m = &l->row[store_int(st, 0)];
		const char *why = m->too_long ?
			arena_printf(im->c->arena, "too long for an id: %zu bytes, at most %d", m->too_long,
				     IMPORT_CODE_MAX) :
			arena_printf(im->c->arena, "unknown person \"%s\"", m->listed_learner ? m->learner : m->guardian);
		im->res->rejected++;
		rc = reject(im, m->row, m->col, why);
	}
	done = store_done(st);
	rc = rc != OK ? rc : done;
out:
	l->n = 0;
	return rc;
}

enum err rows_flush(struct imp *im)
{
	struct pending *p = &im->pend;
	int64_t changes = 0;
	enum err rc = OK;

	if (im->links.n && (rc = links_flush(im)) != OK)
		return rc;
	if (!p->n)
		return OK;
	if (p->n == IMPORT_ROWS)
		rc = rows_run(im, 0, p->n, &changes);
	if (p->n < IMPORT_ROWS || rc == ERR_EXISTS || rc == ERR_STORE) {
		changes = 0;
		rc = rows_singly(im, &changes);
	}
	if (rc == OK)
		im->res->written += changes;
	if (rc == OK && p->shape->after)
		rc = p->shape->after(im);
	p->n = 0;
	return rc;
}

void rows_drop(struct imp *im)
{
	im->pend.n = 0;
	im->links.n = 0;
}

/* Adds a row to those waiting: they are written first when they are of
 * another table or lack other columns, and all together once
 * IMPORT_ROWS wait. */
static enum err pend_add(struct imp *im, const struct pend_shape *sh, struct batch *b, struct rec *r,
			 int64_t mask, int64_t region, int64_t school, bool set_school)
{
	struct pending *p = &im->pend;
	struct pend_row *w;
	enum err rc;

	if (p->n && (p->shape != sh || p->mask != mask) && (rc = rows_flush(im)) != OK)
		return rc;
	p->shape = sh;
	p->mask = mask;
	w = &p->row[p->n++];
	*w = (struct pend_row){.b = b, .r = r, .region = region, .school = school, .set_school = set_school};
	bulk_id(im, w->id);
	return p->n == IMPORT_ROWS ? rows_flush(im) : OK;
}

static void person_values(const struct pend_row *w, struct store_val *v)
{
	static const int text[] = {PV_ID, PV_ROLE, PV_GIVEN, PV_FAMILY, PV_FATHER, PV_FOLD, PV_SEX, PV_BIRTH,
				   PV_NATIONAL};
	static const int tail[] = {PV_SUBJECTS, PV_SKILLS, PV_DEVICE, PV_INTERNET};
	int i = 0;

	v[i++] = text_val(w->id);
	for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
		v[i++] = text_val(V(w->b, w->r, text[k]));
	v[i++] = int_val(w->region);
	v[i++] = int_val(w->school);
	for (size_t k = 0; k < sizeof tail / sizeof tail[0]; k++)
		v[i++] = text_val(V(w->b, w->r, tail[k]));
}

static const struct pend_shape person_shapes[2] = {
	{&person_rows, PERSON_ROW_VALUES, -1, person_values, NULL},
	{&person_new_rows, PERSON_ROW_VALUES, -1, person_values, NULL},
};

/* Copies a region row aside until its parent has been seen. */
static void defer(struct imp *im, struct batch *b, struct rec *r)
{
	struct batch *d = &im->deferred;
	struct rec *c;

	if (d->n % 256 == 0)
		d->recs = xrealloc(d->recs, ((size_t)d->n + 256) * sizeof *d->recs);
	c = &d->recs[d->n++];
	*c = *r;
	for (int v = 0; v < RV__N; v++) {
		const char *s = V(b, r, v);
		if (s)
			val_set(d, c, v, s, strlen(s));
	}
}

static enum err region_move(struct imp *im, const char *old, const char *path, int ddepth)
{
	enum err rc = store_exec(im->c->store, SQL_REGION_MOVE, "ttiti", path, old, (int64_t)ddepth, im->now, im->seq);

	/* The paths of the region's descendants changed: read them again. */
	return rc == OK ? maps_load(im) : rc;
}

enum err region_write(struct imp *im, struct batch *b, struct rec *r)
{
	static const int opt[] = {RV_NAMES, RV_DEPRIVATION, RV_POPULATION, RV_SCHOOL_AGE};
	const char *code = V(b, r, RV_CODE), *pcode = V(b, r, RV_PARENT), *path;
	int level = registry_index(registry_levels, V(b, r, RV_LEVEL));
	struct mval *parent = pcode ? cmap_get(&im->regions, pcode) : NULL, *me;
	char id[ID_LEN], *old = NULL;
	struct stmt *st;
	int64_t rid;
	enum err rc;

	if (pcode && !parent) {
		if (!im->regions_final) {
			defer(im, b, r);
			return OK;
		}
		problem(b, r, "parent_code", "unknown region \"%s\" (not in this file or the registry)", pcode);
	} else if (!pcode && level != 0)
		problem(b, r, "parent_code", "required for a %s", registry_levels[level]);
	else if (pcode && parent->level != level - 1)
		problem(b, r, "level", "a %s's parent must be a %s, and %s is a %s", registry_levels[level],
			level > 0 ? registry_levels[level - 1] : "nothing", pcode,
			parent->level >= 0 ? registry_levels[parent->level] : "?");
	path = parent ? arena_printf(im->c->arena, "%s%s/", parent->s1, code) : arena_printf(im->c->arena, "/%s/", code);
	if (!r->nprob)
		out_of_scope(im, b, r, "code", path);
	if (reject_rec(im, b, r, &rc))
		return rc;
	bulk_id(im, id);
	if ((rc = store_query(im->c->store, &st, SQL_REGION, "ttitittttttttii", id, code,
			      parent ? parent->id : (int64_t)0, V(b, r, RV_LEVEL), (int64_t)level, path,
			      V(b, r, RV_NAME), V(b, r, RV_FOLD), V(b, r, RV_NAMES), V(b, r, RV_DEPRIVATION),
			      V(b, r, RV_POPULATION), V(b, r, RV_SCHOOL_AGE), im->now, im->seq,
			      mask(r, opt, 4))) != OK ||
	    (rc = upsert_key(st, &rid)) != OK)
		return row_store_err(im, r, rc);
	if (!rid)
		return OK;
	counted(im);
	me = cmap_put(&im->regions, code);
	if (me->id && me->s1 && strcmp(me->s1, path) != 0)
		old = arena_strdup(im->c->arena, me->s1);
	me->id = rid;
	me->level = level;
	me->s1 = cmap_str(&im->regions, path);
	me->row = r->row;
	return old ? region_move(im, old, path, 0) : OK;
}

enum err school_write(struct imp *im, struct batch *b, struct rec *r)
{
	static const int opt[] = {SV_LEVELS, SV_BOARDING, SV_NOMADIC, SV_RURAL, SV_LANGUAGE, SV_LAT, SV_LON,
				  SV_LEARNERS, SV_TEACHERS, SV_ELECTRICITY, SV_CONNECTIVITY, SV_MBPS, SV_MEASURED,
				  SV_COMPUTERS, SV_TABLETS, SV_PROJECTORS, SV_CENTRE};
	const char *rcode = V(b, r, SV_REGION);
	struct mval *region = rcode ? cmap_get(&im->regions, rcode) : NULL, *me;
	char id[ID_LEN];
	struct stmt *st;
	int64_t sid;
	enum err rc;

	if (rcode && !region)
		problem(b, r, "region_code", "unknown region \"%s\"", rcode);
	else if (region)
		out_of_scope(im, b, r, "region_code", region->s1);
	if (reject_rec(im, b, r, &rc))
		return rc;
	bulk_id(im, id);
	rc = store_query(im->c->store, &st, SQL_SCHOOL, "tttti" "tttttttttttttttttt" "ii", id, V(b, r, SV_CODE),
			 V(b, r, SV_NAME), V(b, r, SV_FOLD), region->id, V(b, r, SV_LEVELS), V(b, r, SV_BOARDING),
			 V(b, r, SV_NOMADIC), V(b, r, SV_RURAL), V(b, r, SV_LANGUAGE), V(b, r, SV_LAT),
			 V(b, r, SV_LON), V(b, r, SV_LEARNERS), V(b, r, SV_TEACHERS), V(b, r, SV_ELECTRICITY),
			 V(b, r, SV_CONNECTIVITY), V(b, r, SV_MBPS), V(b, r, SV_MEASURED), V(b, r, SV_COMPUTERS),
			 V(b, r, SV_TABLETS), V(b, r, SV_PROJECTORS), V(b, r, SV_CENTRE), im->now, im->seq,
			 mask(r, opt, 17));
	if (rc != OK || (rc = upsert_key(st, &sid)) != OK)
		return row_store_err(im, r, rc);
	if (!sid)
		return OK;
	counted(im);
	me = cmap_put(&im->schools, V(b, r, SV_CODE));
	me->id = sid;
	me->aux = region->id;
	me->s1 = cmap_str(&im->schools, rcode);
	return OK;
}

enum err person_pid(struct imp *im, const char *ext_id, int64_t *pid, char role[16])
{
	struct stmt *st;
	enum err rc;

	*pid = 0;
	if ((rc = store_query(im->c->store, &st, SQL_PERSON_PID, "t", ext_id)) != OK)
		return rc;
	if (store_next(st)) {
		*pid = store_int(st, 0);
		if (role)
			snprintf(role, 16, "%s", store_text(st, 1));
	}
	return store_done(st);
}

enum err person_write(struct imp *im, struct batch *b, struct rec *r)
{
	static const int opt[] = {PV_FATHER, PV_SEX, PV_BIRTH, PV_NATIONAL, PV_REGION, PV_SCHOOL, PV_SUBJECTS,
				  PV_SKILLS, PV_DEVICE, PV_INTERNET};
	const char *rcode = V(b, r, PV_REGION), *scode = V(b, r, PV_SCHOOL);
	struct mval *region = rcode ? cmap_get(&im->regions, rcode) : NULL;
	struct mval *school = scode ? cmap_get(&im->schools, scode) : NULL;
	enum err rc;

	if (rcode && !region)
		problem(b, r, "region_code", "unknown region \"%s\"", rcode);
	if (scode && !school)
		problem(b, r, "school_code", "unknown school \"%s\"", scode);
	if (!r->nprob)
		out_of_scope(im, b, r, school ? "school_code" : "region_code", school ? school_path(im, school) :
			     region ? region->s1 : NULL);
	if (reject_rec(im, b, r, &rc))
		return rc;
	if (V(b, r, PV_GUARDIAN_OF))
		im->links_needed = true;
	return pend_add(im, &person_shapes[im->initial], b, r, mask(r, opt, 10),
			region ? region->id : school ? school->aux : (int64_t)0, school ? school->id : (int64_t)0,
			false);
}

enum err person_link(struct imp *im, struct rec *r, const char *own, const char *listed, const char *col,
		     bool own_is_learner)
{
	struct links *l = &im->links;
	enum err rc;

	/* No one has an id this long: its row was refused. */
	if (strlen(own) > IMPORT_CODE_MAX)
		return OK;
	for (const char *p = listed; *p;) {
		size_t n = strcspn(p, ";,");
		if (n) {
			struct link_row *w = &l->row[l->n++];
			w->row = r->row;
			w->col = col;
			w->listed_learner = !own_is_learner;
			w->too_long = n > IMPORT_CODE_MAX ? n : 0;
			snprintf(own_is_learner ? w->learner : w->guardian, IMPORT_CODE_MAX + 1, "%s", own);
			snprintf(own_is_learner ? w->guardian : w->learner, IMPORT_CODE_MAX + 1, "%.*s",
				 w->too_long ? 0 : (int)n, p);
			if (l->n == IMPORT_ROWS && (rc = links_flush(im)) != OK)
				return rc;
		}
		p += n;
		if (*p)
			p++;
	}
	return OK;
}

/* Says why an enrolment may have written nothing: no such learner, not a
 * learner, or (true) the learner is there, so nothing changed (or, in an
 * initial load, which returns no rows, the row was written). */
static bool enrol_why(struct imp *im, struct batch *b, struct rec *r, const char *lid, enum err *rc)
{
	char role[16] = "";
	int64_t pid;

	if ((*rc = person_pid(im, lid, &pid, role)) != OK)
		return false;
	if (!pid)
		problem(b, r, "learner_id", "unknown learner \"%s\"", lid);
	else if (strcmp(role, "learner") != 0)
		problem(b, r, "learner_id", "\"%s\" is a %s, not a learner", lid, role);
	return !reject_rec(im, b, r, rc);
}

static void enrol_values(const struct pend_row *w, struct store_val *v)
{
	v[0] = text_val(w->id);
	v[1] = text_val(V(w->b, w->r, EV_ID));
	v[2] = text_val(V(w->b, w->r, EV_LEARNER));
	v[3] = int_val(w->school);
	for (int i = 4, k = EV_GRADE; k <= EV_END; i++, k++)
		v[i] = text_val(V(w->b, w->r, k));
}

/* Moves the learners of the rows that say so (moves) to their schools,
 * by one statement. A learner enrolled twice among them goes where the
 * later row says, as the file's order would have it; the unused rows of
 * the statement are NULL, which matches no one. */
static enum err enrol_moves(struct imp *im, const bool *moves)
{
	struct pending *p = &im->pend;
	struct store_val v[2 + IMPORT_ROWS * 3];
	struct stmt *st;
	int n = 0;
	enum err rc;

	v[0] = text_val(im->now);
	v[1] = int_val(im->seq);
	for (int i = 0; i < p->n; i++) {
		const struct pend_row *w = &p->row[i];
		const char *lid = V(w->b, w->r, EV_LEARNER);
		bool later = false;
		for (int k = i + 1; k < p->n && moves[i] && !later; k++)
			later = moves[k] && !strcmp(lid, V(p->row[k].b, p->row[k].r, EV_LEARNER));
		if (!moves[i] || later)
			continue;
		v[2 + 3 * n] = text_val(lid);
		v[3 + 3 * n] = int_val(w->school);
		v[4 + 3 * n++] = int_val(w->region);
	}
	if (!n)
		return OK;
	for (int i = n; i < IMPORT_ROWS; i++)
		v[2 + 3 * i] = v[3 + 3 * i] = v[4 + 3 * i] = text_val(NULL);
	if ((rc = store_query_rows(im->c->store, &st, &learner_school_rows, IMPORT_ROWS, v)) != OK)
		return rc;
	store_next(st);
	return store_done(st);
}

/* After the statement: a row not written is explained; an "enrolled"
 * one written moves the learner to the school. */
static enum err enrol_after(struct imp *im)
{
	struct pending *p = &im->pend;
	bool moves[IMPORT_ROWS];
	enum err rc = OK;

	for (int i = 0; i < p->n && rc == OK; i++) {
		struct pend_row *w = &p->row[i];
		const char *lid = V(w->b, w->r, EV_LEARNER), *status = V(w->b, w->r, EV_STATUS);
		if (w->state == 0 && enrol_why(im, w->b, w->r, lid, &rc) && p->shape->key < 0)
			w->state = 1;
		moves[i] = w->state > 0 && w->set_school && (!status || !strcmp(status, "enrolled"));
	}
	return rc == OK ? enrol_moves(im, moves) : rc;
}

static const struct pend_shape enrol_shapes[2] = {
	{&enrol_rows, ENROL_ROW_VALUES, EV_ID, enrol_values, enrol_after},
	{&enrol_new_rows, ENROL_ROW_VALUES, -1, enrol_values, enrol_after},
};

enum err enrol_write(struct imp *im, struct batch *b, struct rec *r, bool set_school)
{
	static const int opt[] = {EV_STATUS, EV_START, EV_END};
	const char *scode = V(b, r, EV_SCHOOL);
	struct mval *school = scode ? cmap_get(&im->schools, scode) : NULL;
	enum err rc;

	if (scode && !school)
		problem(b, r, "school_code", "unknown school \"%s\"", scode);
	else if (school)
		out_of_scope(im, b, r, "school_code", school_path(im, school));
	if (reject_rec(im, b, r, &rc))
		return rc;
	return pend_add(im, &enrol_shapes[im->initial], b, r, mask(r, opt, 3), school->aux, school->id,
			set_school);
}
