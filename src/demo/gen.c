/*
 * gen.c — one run of the generator: plan the tree and the schools, then
 * stream the villages' people to the files, then the teachers, schools
 * and OneRoster's small files. See demo_int.h for what is kept in memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/progress.h"
#include "base/timeutil.h"
#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

#define SERIAL_YEARS 160 /* birth years 1900–2059 */

static const char H_PEOPLE[] = "id,role,given_name,family_name,father_name,sex,birth_date,national_id,region_code,"
			       "school_code,subjects,digital_skills,has_device,has_internet,guardian_of";
static const char H_ENROL[] = "id,learner_id,school_code,grade,school_year,status,start_date,end_date";
static const char H_LINK[] = "id,national_id,given_name,family_name,father_name,sex,birth_date,region_code";
static const char H_TRUTH[] = "register_id,person_id,status";

uint64_t demo_scale_learners(const char *scale)
{
	static const struct {
		const char *name;
		uint64_t learners;
	} t[] = {{"tiny", 2000}, {"town", 50000}, {"province", 1000000}, {"national", 16000000}};

	for (size_t i = 0; scale && i < COUNT(t); i++)
		if (strcmp(scale, t[i].name) == 0)
			return t[i].learners;
	return 0;
}

const struct culture *demo_culture(const char *code)
{
	static const struct culture *const all[] = {&demo_ir, &demo_vn, &demo_az};

	for (size_t i = 0; code && i < COUNT(all); i++)
		if (strcmp(code, all[i]->code) == 0)
			return all[i];
	return NULL;
}

uint32_t next_serial(struct demo *d, int prov, int sex, int32_t birth)
{
	int y, m, dd;

	ymd_from_days(birth, &y, &m, &dd);
	y = y < 1900 ? 0 : y - 1900 >= SERIAL_YEARS ? SERIAL_YEARS - 1 : y - 1900;
	return d->serial[((size_t)prov * SERIAL_YEARS + (size_t)y) * 2 + (size_t)sex]++;
}

/* mkdir -p. */
static enum err make_dirs(const char *path, struct errinfo *ei)
{
	char p[1024];

	if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p)
		return err_set(ei, ERR_INVALID, "out", "the output path is too long");
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return err_set(ei, ERR_IO, "out", "cannot make %s: %s", p, strerror(errno));
		if (!c)
			return OK;
		*s = c;
	}
}

static enum err open_streams(struct demo *d)
{
	const char *dir = d->o.out;
	enum err rc;

	if ((rc = out_open(&d->f[F_PEOPLE], dir, "people.csv", H_PEOPLE)) != OK ||
	    (rc = out_open(&d->f[F_ENROL], dir, "enrolments.csv", H_ENROL)) != OK ||
	    (rc = out_open(&d->f[F_REGISTER], dir, "register.csv", H_LINK)) != OK ||
	    (rc = out_open(&d->f[F_TRUTH], dir, "truth.csv", H_TRUTH)) != OK ||
	    (rc = out_open(&d->f[F_LEARNERS], dir, "learners.csv", H_LINK)) != OK ||
	    (rc = roster_open(d)) != OK)
		return rc;
	d->writer = writer_start();
	for (int i = 0; i < F__COUNT; i++)
		d->f[i].w = d->f[i].f ? d->writer : NULL;
	return OK;
}

static enum err close_streams(struct demo *d)
{
	enum err rc = OK, e;

	for (int i = 0; i < F__COUNT; i++) {
		if ((e = out_close(&d->f[i])) != OK && rc == OK)
			rc = e;
		d->n.bytes += d->f[i].bytes;
	}
	return rc;
}

static void people(struct demo *d)
{
	struct progress p;
	uint64_t done = 0, total = 0;

	for (uint32_t v = 0; v < d->nreg; v++)
		total += d->reg[v].level == 3;
	progress_init(&p, stderr, "demo");
	for (uint32_t v = 0; v < d->nreg; v++) {
		if (d->reg[v].level != 3)
			continue;
		people_village(d, v);
		if (!d->o.quiet)
			progress_update(&p, (int64_t)++done, (int64_t)total);
	}
	if (!d->o.quiet)
		progress_finish(&p, "people made");
	d->n.villages = total;
}

static void init(struct demo *d, const struct demo_opts *o)
{
	memset(d, 0, sizeof *d);
	d->o = *o;
	d->cu = o->cu;
	for (int i = 0; i < NL__COUNT; i++)
		wlist_init(&d->lists[i], d->cu->lists[i], d->cu->nlist[i]);
	d->year_start = days_from_ymd(DEMO_YEAR, d->cu->start_month, d->cu->start_day);
	snprintf(d->school_year, sizeof d->school_year, "%d-%d", DEMO_YEAR, DEMO_YEAR + 1);
	d->serial = xcalloc((size_t)d->cu->nprov * SERIAL_YEARS * 2, sizeof *d->serial);
}

static void release(struct demo *d)
{
	for (int i = 0; i < F__COUNT; i++)
		out_close(&d->f[i]);
	writer_stop(d->writer);
	for (int i = 0; i < NL__COUNT; i++)
		wlist_release(&d->lists[i]);
	tree_release(d);
	free(d->sch);
	free(d->hub);
	free(d->hub_start);
	free(d->serial);
	free(d->kids);
}

static enum err run(struct demo *d, struct errinfo *ei)
{
	char sub[1024];
	enum err rc;

	snprintf(sub, sizeof sub, "%s/oneroster", d->o.out);
	if ((rc = make_dirs(d->o.oneroster ? sub : d->o.out, ei)) != OK)
		return rc;
	if ((rc = tree_plan(d)) != OK || (rc = schools_plan(d)) != OK)
		return rc;
	if ((rc = open_streams(d)) != OK || (rc = tree_write(d)) != OK)
		goto io;
	people(d);
	teachers_write(d);
	if ((rc = schools_write(d)) != OK || (rc = roster_close(d)) != OK || (rc = close_streams(d)) != OK)
		goto io;
	return OK;
io:
	return err_set(ei, rc, "out", "cannot write the demo files in %s: %s", d->o.out, strerror(errno));
}

enum err demo_generate(const struct demo_opts *o, struct demo_counts *n, struct errinfo *ei)
{
	struct demo *d = xmalloc(sizeof *d);
	uint64_t t0 = time_mono_ns();
	enum err rc;

	init(d, o);
	rc = run(d, ei);
	d->n.seconds = (double)(time_mono_ns() - t0) / 1e9;
	*n = d->n;
	release(d);
	free(d);
	return rc;
}
