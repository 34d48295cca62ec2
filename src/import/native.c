/*
 * native.c — the registry's own CSV files (docs/formats.md): regions,
 * schools, people and enrolments. Each kind lists its columns and turns a
 * row into the values tables.c writes.
 */
#include <stdlib.h>
#include <string.h>

#include "base/jw.h"
#include "import/import_int.h"
#include "registry/registry.h"
#include "base/banned.h"

/* Sets the absent bit of each value whose column the file lacks. */
static void absent(const struct fields *in, struct rec *r, const int *map, int n)
{
	for (int i = 0; i < n; i++)
		if (map[i] >= 0 && !in->has[i])
			r->absent |= 1u << map[i];
}

/* ---- regions ----------------------------------------------------------- */

enum { RGC_CODE, RGC_PARENT, RGC_LEVEL, RGC_NAME, RGC_EN, RGC_FA, RGC_VI, RGC_AZ, RGC_DEP, RGC_POP, RGC_SAP };
static const struct column region_cols[] = {
	{"code", true}, {"parent_code", false}, {"level", true}, {"name", true}, {"name_en", false},
	{"name_fa", false}, {"name_vi", false}, {"name_az", false}, {"deprivation", false},
	{"population", false}, {"school_age_population", false}, {NULL, false},
};

static void region_names(const struct fields *in, struct batch *b, struct rec *r)
{
	static const char *const lang[] = {"en", "fa", "vi", "az"};
	struct buf j;
	struct jw w;
	bool any = false;

	buf_init(&j, 4 * (IMPORT_TEXT_MAX * 4 + 16));
	jw_init(&w, &j);
	jw_obj(&w);
	for (int i = 0; i < 4; i++) {
		struct slice s = val_trim(in->f[RGC_EN + i]);
		if (in->has[RGC_EN + i])
			any = true;
		if (!s.len)
			continue;
		val_text(b, r, RV_NAMES, region_cols[RGC_EN + i].name, s, IMPORT_TEXT_MAX);
		if (r->off[RV_NAMES] < 0)
			continue;
		jw_key(&w, lang[i]);
		jw_strn(&w, s.p, s.len);
	}
	jw_end(&w);
	val_set(b, r, RV_NAMES, j.p, j.len);
	if (!any)
		r->absent |= 1u << RV_NAMES;
	buf_release(&j);
}

static void region_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	static const int map[] = {RV_CODE, RV_PARENT, RV_LEVEL, RV_NAME, -1, -1, -1, -1, RV_DEPRIVATION,
				  RV_POPULATION, RV_SCHOOL_AGE};
	(void)im;
	val_required(b, r, "code", in->f[RGC_CODE]);
	val_code(b, r, RV_CODE, "code", in->f[RGC_CODE]);
	val_code(b, r, RV_PARENT, "parent_code", in->f[RGC_PARENT]);
	val_required(b, r, "level", in->f[RGC_LEVEL]);
	val_enum(b, r, RV_LEVEL, "level", in->f[RGC_LEVEL], registry_levels);
	val_required(b, r, "name", in->f[RGC_NAME]);
	val_name(b, r, RV_NAME, "name", in->f[RGC_NAME]);
	val_fold(b, r, RV_FOLD, RV_NAME, -1, -1);
	region_names(in, b, r);
	val_real(b, r, RV_DEPRIVATION, "deprivation", in->f[RGC_DEP], 0, 1);
	val_int(b, r, RV_POPULATION, "population", in->f[RGC_POP], 0, INT64_C(10000000000));
	val_int(b, r, RV_SCHOOL_AGE, "school_age_population", in->f[RGC_SAP], 0, INT64_C(10000000000));
	absent(in, r, map, sizeof map / sizeof map[0]);
}

/* Writes a row whose problems, if any, reject it first. */
static enum err checked(struct imp *im, struct batch *b, struct rec *r,
			enum err (*write)(struct imp *, struct batch *, struct rec *))
{
	enum err rc;

	if (reject_rec(im, b, r, &rc))
		return rc;
	return write(im, b, r);
}

static enum err region_checked(struct imp *im, struct batch *b, struct rec *r)
{
	return checked(im, b, r, region_write);
}

/* Regions whose parent came later in the file get more tries, until a
 * try resolves none; then what is left is rejected. */
static enum err region_finish(struct imp *im)
{
	struct batch cur = {0};
	enum err rc = OK;

	buf_init(&cur.text, (size_t)1 << 30);
	while (im->deferred.n && rc == OK) {
		int before = im->deferred.n;
		struct batch tmp = cur;
		cur = im->deferred;
		im->deferred = tmp;
		im->deferred.n = 0;
		buf_reset(&im->deferred.text);
		for (int i = 0; i < cur.n && rc == OK; i++)
			if ((rc = region_write(im, &cur, &cur.recs[i])) == OK)
				rc = tx_step(im);
		if (im->deferred.n == before)
			im->regions_final = true;
	}
	free(cur.recs);
	buf_release(&cur.text);
	return rc;
}

const struct kind kind_regions = {"regions", "regions", region_cols, region_parse, region_checked, region_finish,
				  NULL, "code", RV_CODE};

/* ---- schools ----------------------------------------------------------- */

enum { SCC_CODE, SCC_NAME, SCC_REGION, SCC_LEVELS, SCC_BOARDING, SCC_NOMADIC, SCC_RURAL, SCC_LANGUAGE, SCC_LAT, SCC_LON,
       SCC_LEARNERS, SCC_TEACHERS, SCC_ELECTRICITY, SCC_CONNECTIVITY, SCC_MBPS, SCC_MEASURED, SCC_COMPUTERS,
       SCC_TABLETS, SCC_PROJECTORS, SCC_CENTRE };
static const struct column school_cols[] = {
	{"code", true}, {"name", true}, {"region_code", true}, {"levels", false}, {"boarding", false},
	{"nomadic", false}, {"rural", false}, {"language", false}, {"lat", false}, {"lon", false},
	{"learners", false}, {"teachers", false}, {"electricity", false}, {"connectivity", false},
	{"download_mbps", false}, {"measured_at", false}, {"computers", false}, {"tablets", false},
	{"projectors", false}, {"computer_centre", false}, {NULL, false},
};

static void language(struct batch *b, struct rec *r, struct slice s)
{
	s = val_trim(s);
	val_code(b, r, SV_LANGUAGE, "language", s);
	for (size_t i = 0; i < s.len && r->off[SV_LANGUAGE] >= 0; i++)
		if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= 'A' && s.p[i] <= 'Z') || s.p[i] == '-' ||
		      (s.p[i] >= '0' && s.p[i] <= '9')) || s.len > 35) {
			problem(b, r, "language", "\"%.*s\" is not a language tag (fa, az, vi, ku, …)", (int)s.len,
				s.p);
			r->off[SV_LANGUAGE] = -1;
		}
}

static void school_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	static const int map[] = {SV_CODE, SV_NAME, SV_REGION, SV_LEVELS, SV_BOARDING, SV_NOMADIC, SV_RURAL,
				  SV_LANGUAGE, SV_LAT, SV_LON, SV_LEARNERS, SV_TEACHERS, SV_ELECTRICITY,
				  SV_CONNECTIVITY, SV_MBPS, SV_MEASURED, SV_COMPUTERS, SV_TABLETS, SV_PROJECTORS,
				  SV_CENTRE};
	const int64_t many = 10000000;

	for (int c = SCC_CODE; c <= SCC_REGION; c++)
		val_required(b, r, school_cols[c].name, in->f[c]);
	val_code(b, r, SV_CODE, "code", in->f[SCC_CODE]);
	val_name(b, r, SV_NAME, "name", in->f[SCC_NAME]);
	val_fold(b, r, SV_FOLD, SV_NAME, -1, -1);
	val_code(b, r, SV_REGION, "region_code", in->f[SCC_REGION]);
	val_list(b, r, SV_LEVELS, "levels", in->f[SCC_LEVELS], registry_school_levels);
	val_bool(b, r, SV_BOARDING, "boarding", in->f[SCC_BOARDING]);
	val_bool(b, r, SV_NOMADIC, "nomadic", in->f[SCC_NOMADIC]);
	val_bool(b, r, SV_RURAL, "rural", in->f[SCC_RURAL]);
	language(b, r, in->f[SCC_LANGUAGE]);
	val_real(b, r, SV_LAT, "lat", in->f[SCC_LAT], -90, 90);
	val_real(b, r, SV_LON, "lon", in->f[SCC_LON], -180, 180);
	val_int(b, r, SV_LEARNERS, "learners", in->f[SCC_LEARNERS], 0, many);
	val_int(b, r, SV_TEACHERS, "teachers", in->f[SCC_TEACHERS], 0, many);
	val_enum(b, r, SV_ELECTRICITY, "electricity", in->f[SCC_ELECTRICITY], registry_electricity);
	val_enum(b, r, SV_CONNECTIVITY, "connectivity", in->f[SCC_CONNECTIVITY], registry_connectivity);
	val_real(b, r, SV_MBPS, "download_mbps", in->f[SCC_MBPS], 0, 1e6);
	val_date(b, r, SV_MEASURED, "measured_at", in->f[SCC_MEASURED], im->cal, false);
	val_int(b, r, SV_COMPUTERS, "computers", in->f[SCC_COMPUTERS], 0, many);
	val_int(b, r, SV_TABLETS, "tablets", in->f[SCC_TABLETS], 0, many);
	val_int(b, r, SV_PROJECTORS, "projectors", in->f[SCC_PROJECTORS], 0, many);
	val_bool(b, r, SV_CENTRE, "computer_centre", in->f[SCC_CENTRE]);
	absent(in, r, map, sizeof map / sizeof map[0]);
}

static enum err school_checked(struct imp *im, struct batch *b, struct rec *r)
{
	return checked(im, b, r, school_write);
}

const struct kind kind_schools = {"schools", "schools", school_cols, school_parse, school_checked, NULL, NULL,
				  "code", SV_CODE};

/* ---- people ------------------------------------------------------------ */

enum { PEC_ID, PEC_ROLE, PEC_GIVEN, PEC_FAMILY, PEC_FATHER, PEC_SEX, PEC_BIRTH, PEC_NATIONAL, PEC_REGION, PEC_SCHOOL,
       PEC_SUBJECTS, PEC_SKILLS, PEC_DEVICE, PEC_INTERNET, PEC_GUARDIAN_OF };
static const struct column person_cols[] = {
	{"id", true}, {"role", true}, {"given_name", true}, {"family_name", true}, {"father_name", false},
	{"sex", false}, {"birth_date", false}, {"national_id", false}, {"region_code", false},
	{"school_code", false}, {"subjects", false}, {"digital_skills", false}, {"has_device", false},
	{"has_internet", false}, {"guardian_of", false}, {NULL, false},
};

static void person_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	static const int map[] = {PV_ID, PV_ROLE, PV_GIVEN, PV_FAMILY, PV_FATHER, PV_SEX, PV_BIRTH, PV_NATIONAL,
				  PV_REGION, PV_SCHOOL, PV_SUBJECTS, PV_SKILLS, PV_DEVICE, PV_INTERNET, -1};
	const char *role;

	for (int c = PEC_ID; c <= PEC_FAMILY; c++)
		val_required(b, r, person_cols[c].name, in->f[c]);
	val_code(b, r, PV_ID, "id", in->f[PEC_ID]);
	val_enum(b, r, PV_ROLE, "role", in->f[PEC_ROLE], registry_roles);
	val_name(b, r, PV_GIVEN, "given_name", in->f[PEC_GIVEN]);
	val_name(b, r, PV_FAMILY, "family_name", in->f[PEC_FAMILY]);
	val_name(b, r, PV_FATHER, "father_name", in->f[PEC_FATHER]);
	val_fold(b, r, PV_FOLD, PV_FAMILY, PV_GIVEN, PV_FATHER);
	val_enum(b, r, PV_SEX, "sex", in->f[PEC_SEX], registry_sexes);
	val_date(b, r, PV_BIRTH, "birth_date", in->f[PEC_BIRTH], im->cal, true);
	val_text(b, r, PV_NATIONAL, "national_id", in->f[PEC_NATIONAL], 64);
	val_code(b, r, PV_REGION, "region_code", in->f[PEC_REGION]);
	val_code(b, r, PV_SCHOOL, "school_code", in->f[PEC_SCHOOL]);
	val_list(b, r, PV_SUBJECTS, "subjects", in->f[PEC_SUBJECTS], NULL);
	val_int(b, r, PV_SKILLS, "digital_skills", in->f[PEC_SKILLS], 0, 4);
	val_bool(b, r, PV_DEVICE, "has_device", in->f[PEC_DEVICE]);
	val_bool(b, r, PV_INTERNET, "has_internet", in->f[PEC_INTERNET]);
	val_text(b, r, PV_GUARDIAN_OF, "guardian_of", in->f[PEC_GUARDIAN_OF], IMPORT_TEXT_MAX);
	role = V(b, r, PV_ROLE);
	if (role && !strcmp(role, "learner") && val_blank(in->f[PEC_BIRTH]))
		problem(b, r, "birth_date", "required for a learner, but blank");
	if (role && !strcmp(role, "teacher") && val_blank(in->f[PEC_SCHOOL]))
		problem(b, r, "school_code", "required for a teacher, but blank");
	if (role && strcmp(role, "guardian") && !val_blank(in->f[PEC_GUARDIAN_OF]))
		problem(b, r, "guardian_of", "only a guardian has children listed here");
	absent(in, r, map, sizeof map / sizeof map[0]);
}

static enum err person_checked(struct imp *im, struct batch *b, struct rec *r)
{
	return checked(im, b, r, person_write);
}

const struct kind kind_people = {"people", "people", person_cols, person_parse, person_checked, NULL, "people",
				 "id", PV_ID};

/* The second pass over people.csv: a guardian's children may come after
 * the guardian, so links are made once every person is in. */
static void link_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	(void)im;
	r->off[0] = r->off[1] = -1;
	if (val_blank(in->f[PEC_GUARDIAN_OF]) || val_blank(in->f[PEC_ID]))
		return;
	val_set(b, r, 0, val_trim(in->f[PEC_ID]).p, val_trim(in->f[PEC_ID]).len);
	val_set(b, r, 1, val_trim(in->f[PEC_GUARDIAN_OF]).p, val_trim(in->f[PEC_GUARDIAN_OF]).len);
}

static enum err link_write(struct imp *im, struct batch *b, struct rec *r)
{
	if (!V(b, r, 0) || !V(b, r, 1))
		return OK;
	return person_link(im, r, V(b, r, 0), V(b, r, 1), "guardian_of", false);
}

const struct kind kind_people_links = {"people", "people", person_cols, link_parse, link_write, NULL, "guardianships",
				       NULL, 0};

/* ---- enrolments -------------------------------------------------------- */

enum { ENC_ID, ENC_LEARNER, ENC_SCHOOL, ENC_GRADE, ENC_YEAR, ENC_STATUS, ENC_START, ENC_END };
static const struct column enrol_cols[] = {
	{"id", true}, {"learner_id", true}, {"school_code", true}, {"grade", true}, {"school_year", true},
	{"status", false}, {"start_date", false}, {"end_date", false}, {NULL, false},
};

static void enrol_parse(const struct imp *im, const struct fields *in, struct batch *b, struct rec *r)
{
	static const int map[] = {EV_ID, EV_LEARNER, EV_SCHOOL, EV_GRADE, EV_YEAR, EV_STATUS, EV_START, EV_END};
	const char *s, *e;

	for (int c = ENC_ID; c <= ENC_YEAR; c++)
		val_required(b, r, enrol_cols[c].name, in->f[c]);
	val_code(b, r, EV_ID, "id", in->f[ENC_ID]);
	val_code(b, r, EV_LEARNER, "learner_id", in->f[ENC_LEARNER]);
	val_code(b, r, EV_SCHOOL, "school_code", in->f[ENC_SCHOOL]);
	val_grade(b, r, EV_GRADE, "grade", in->f[ENC_GRADE]);
	val_school_year(b, r, EV_YEAR, "school_year", in->f[ENC_YEAR]);
	val_enum(b, r, EV_STATUS, "status", in->f[ENC_STATUS], registry_statuses);
	val_date(b, r, EV_START, "start_date", in->f[ENC_START], im->cal, false);
	val_date(b, r, EV_END, "end_date", in->f[ENC_END], im->cal, false);
	s = V(b, r, EV_START);
	e = V(b, r, EV_END);
	if (s && e && strcmp(e, s) < 0)
		problem(b, r, "end_date", "%s is before the start date %s", e, s);
	absent(in, r, map, sizeof map / sizeof map[0]);
}

static enum err enrol_school(struct imp *im, struct batch *b, struct rec *r)
{
	return enrol_write(im, b, r, true);
}

static enum err enrol_checked(struct imp *im, struct batch *b, struct rec *r)
{
	return checked(im, b, r, enrol_school);
}

const struct kind kind_enrolments = {"enrolments", "enrolments", enrol_cols, enrol_parse, enrol_checked, NULL,
				     "enrolments", "id", EV_ID};
