/*
 * export.c — the registry written out as the files import reads: the
 * native CSV of docs/formats.md (same columns, so an export imports back
 * unchanged) and OneRoster 1.1 CSV. Rows stream from one read snapshot
 * straight to the file; nothing is held in memory. Every export is a
 * personal-data export (ACT_PERSON_EXPORT) and is audited.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/auth.h"
#include "base/arena.h"
#include "base/csv.h"
#include "base/args.h"
#include "base/jw.h"
#include "import/import_int.h"
#include "store/store.h"
#include "base/banned.h"

#define OUT_BUF (1 << 20)

/* Each export query returns its columns in the order of the header. The
 * lists (levels, subjects, guardian_of) are written ';'-separated. */
static const char SQL_X_REGIONS[] =
	"SELECT r.code, p.code, r.level, r.name, json_extract(r.names, '$.en'), json_extract(r.names, '$.fa'), "
	"json_extract(r.names, '$.vi'), json_extract(r.names, '$.az'), r.deprivation, r.population, "
	"r.school_age_population FROM regions r LEFT JOIN regions p ON p.rid = r.parent_rid ORDER BY r.depth, r.rid";
static const char H_REGIONS[] =
	"code,parent_code,level,name,name_en,name_fa,name_vi,name_az,deprivation,population,school_age_population";

static const char SQL_X_SCHOOLS[] =
	"SELECT s.code, s.name, r.code, replace(s.levels, ',', ';'), s.boarding, s.nomadic, s.rural, s.language, "
	"s.lat, s.lon, s.learners, s.teachers, s.electricity, s.connectivity, s.download_mbps, s.measured_at, "
	"s.computers, s.tablets, s.projectors, s.computer_centre "
	"FROM schools s JOIN regions r ON r.rid = s.region_rid ORDER BY s.sid";
static const char H_SCHOOLS[] =
	"code,name,region_code,levels,boarding,nomadic,rural,language,lat,lon,learners,teachers,electricity,"
	"connectivity,download_mbps,measured_at,computers,tablets,projectors,computer_centre";

static const char SQL_X_PEOPLE[] =
	"SELECT COALESCE(p.ext_id, p.id), p.role, p.given_name, p.family_name, p.father_name, p.sex, p.birth_date, "
	"p.national_id, r.code, s.code, replace(p.subjects, ',', ';'), p.digital_skills, p.has_device, "
	"p.has_internet, (SELECT group_concat(COALESCE(c.ext_id, c.id), ';') FROM guardianships g "
	"JOIN people c ON c.pid = g.learner_pid WHERE g.guardian_pid = p.pid) "
	"FROM people p LEFT JOIN regions r ON r.rid = p.region_rid LEFT JOIN schools s ON s.sid = p.school_sid "
	"WHERE p.retired_at IS NULL ORDER BY p.pid";
static const char H_PEOPLE[] =
	"id,role,given_name,family_name,father_name,sex,birth_date,national_id,region_code,school_code,subjects,"
	"digital_skills,has_device,has_internet,guardian_of";

static const char SQL_X_ENROLMENTS[] =
	"SELECT COALESCE(e.ext_id, e.id), COALESCE(p.ext_id, p.id), s.code, e.grade, e.school_year, e.status, "
	"e.start_date, e.end_date FROM enrolments e JOIN people p ON p.pid = e.learner_pid "
	"JOIN schools s ON s.sid = e.school_sid ORDER BY e.eid";
static const char H_ENROLMENTS[] = "id,learner_id,school_code,grade,school_year,status,start_date,end_date";

/* OneRoster 1.1. Classes are one per school, grade and school year, and
 * academic sessions one per school year: Reach keeps enrolments, not
 * classes, so these are made up from them (with ids that say so). */
static const char SQL_OR_ORGS[] =
	"SELECT r.code, 'active', '', r.name, CASE r.level WHEN 'country' THEN 'national' WHEN 'province' THEN 'state' "
	"WHEN 'district' THEN 'district' ELSE 'local' END, r.code, p.code "
	"FROM regions r LEFT JOIN regions p ON p.rid = r.parent_rid "
	"UNION ALL SELECT s.code, 'active', '', s.name, 'school', s.code, r.code FROM schools s "
	"JOIN regions r ON r.rid = s.region_rid";
static const char H_OR_ORGS[] = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId";

static const char SQL_OR_USERS[] =
	"SELECT COALESCE(p.ext_id, p.id), 'active', '', 'true', COALESCE(s.code, ''), "
	"CASE p.role WHEN 'learner' THEN 'student' ELSE p.role END, '', '', p.given_name, p.family_name, "
	"p.father_name, p.national_id, '', '', '', "
	"CASE p.role WHEN 'guardian' THEN (SELECT group_concat(COALESCE(c.ext_id, c.id), ',') FROM guardianships g "
	"JOIN people c ON c.pid = g.learner_pid WHERE g.guardian_pid = p.pid) "
	"WHEN 'learner' THEN (SELECT group_concat(COALESCE(c.ext_id, c.id), ',') FROM guardianships g "
	"JOIN people c ON c.pid = g.guardian_pid WHERE g.learner_pid = p.pid) END, '', '' "
	"FROM people p LEFT JOIN schools s ON s.sid = p.school_sid "
	"WHERE p.retired_at IS NULL AND p.role IN ('learner', 'teacher', 'guardian') ORDER BY p.pid";
static const char H_OR_USERS[] =
	"sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,familyName,"
	"middleName,identifier,email,sms,phone,agentSourcedIds,grades,password";

static const char SQL_OR_DEMOGRAPHICS[] =
	"SELECT COALESCE(ext_id, id), 'active', '', birth_date, "
	"CASE sex WHEN 'f' THEN 'female' WHEN 'm' THEN 'male' WHEN 'x' THEN 'other' ELSE '' END "
	"FROM people WHERE retired_at IS NULL AND role IN ('learner', 'teacher', 'guardian') "
	"AND (sex <> '' OR birth_date <> '') ORDER BY pid";
static const char H_OR_DEMOGRAPHICS[] = "sourcedId,status,dateLastModified,birthDate,sex";

static const char SQL_OR_SESSIONS[] =
	"SELECT DISTINCT 'y-' || school_year, 'active', '', school_year, 'schoolYear', '', '', '', "
	"CASE WHEN length(school_year) = 9 THEN substr(school_year, 6) ELSE school_year END "
	"FROM enrolments ORDER BY 1";
static const char H_OR_SESSIONS[] =
	"sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear";

static const char SQL_OR_CLASSES[] =
	"SELECT DISTINCT 'c-' || s.code || '-' || e.grade || '-' || e.school_year, 'active', '', "
	"s.code || ' ' || e.grade || ' ' || e.school_year, e.grade, '', '', 'scheduled', '', s.code, "
	"'y-' || e.school_year, '', '', '' FROM enrolments e JOIN schools s ON s.sid = e.school_sid ORDER BY 1";
static const char H_OR_CLASSES[] =
	"sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
	"schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods";

static const char SQL_OR_ENROLLMENTS[] =
	"SELECT COALESCE(e.ext_id, e.id), 'active', '', 'c-' || s.code || '-' || e.grade || '-' || e.school_year, "
	"s.code, COALESCE(p.ext_id, p.id), 'student', 'false', e.start_date, e.end_date "
	"FROM enrolments e JOIN people p ON p.pid = e.learner_pid JOIN schools s ON s.sid = e.school_sid "
	"ORDER BY e.eid";
static const char H_OR_ENROLLMENTS[] =
	"sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,"
	"endDate";

struct table {
	const char *file;       /* the OneRoster member, or NULL for a native kind */
	const char *sql, *header;
};

static const struct table native[] = {
	{"regions", SQL_X_REGIONS, H_REGIONS},
	{"schools", SQL_X_SCHOOLS, H_SCHOOLS},
	{"people", SQL_X_PEOPLE, H_PEOPLE},
	{"enrolments", SQL_X_ENROLMENTS, H_ENROLMENTS},
	{NULL, NULL, NULL},
};

static const struct table oneroster[] = {
	{"orgs.csv", SQL_OR_ORGS, H_OR_ORGS},
	{"users.csv", SQL_OR_USERS, H_OR_USERS},
	{"demographics.csv", SQL_OR_DEMOGRAPHICS, H_OR_DEMOGRAPHICS},
	{"academicSessions.csv", SQL_OR_SESSIONS, H_OR_SESSIONS},
	{"classes.csv", SQL_OR_CLASSES, H_OR_CLASSES},
	{"enrollments.csv", SQL_OR_ENROLLMENTS, H_OR_ENROLLMENTS},
	{NULL, NULL, NULL},
};

/* Streams one query into f as CSV; *rows counts the rows. */
static enum err write_table(struct ctx *c, FILE *f, const struct table *t, int64_t *rows)
{
	int ncol = 1;
	struct stmt *st;
	enum err rc;

	for (const char *p = t->header; *p; p++)
		ncol += *p == ',';
	fprintf(f, "%s\n", t->header);
	if ((rc = store_query(c->store, &st, t->sql, "")) != OK)
		return rc;
	while (store_next(st)) {
		for (int i = 0; i < ncol; i++) {
			if (i)
				fputc(',', f);
			csv_fput_field(f, store_text(st, i));
		}
		fputc('\n', f);
		(*rows)++;
	}
	return store_done(st);
}

static enum err write_file(struct ctx *c, const char *path, const struct table *t, int64_t *rows)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	char *buf = malloc(OUT_BUF);
	enum err rc;

	if (!f) {
		free(buf);
		return ctx_fail(c, ERR_IO, NULL, "cannot write %s: %s", path, strerror(errno));
	}
	if (buf)
		setvbuf(f, buf, _IOFBF, OUT_BUF);
	rc = write_table(c, f, t, rows);
	if ((fflush(f) != 0 || ferror(f)) && rc == OK)
		rc = ctx_fail(c, ERR_IO, NULL, "cannot write %s: %s", path, strerror(errno));
	if (f != stdout)
		fclose(f);
	else
		setvbuf(stdout, NULL, _IOLBF, 0);
	free(buf);
	return rc;
}

static enum err write_manifest(struct ctx *c, const char *dir)
{
	static const char *const lines[] = {
		"propertyName,value", "manifest.version,1.0", "oneroster.version,1.1", "file.academicSessions,bulk",
		"file.categories,absent", "file.classes,bulk", "file.classResources,absent", "file.courses,absent",
		"file.courseResources,absent", "file.demographics,bulk", "file.enrollments,bulk",
		"file.lineItems,absent", "file.orgs,bulk", "file.resources,absent", "file.results,absent",
		"file.users,bulk", "source.systemName,Reach", NULL};
	const char *path = arena_printf(c->arena, "%s/manifest.csv", dir);
	FILE *f = fopen(path, "w");

	if (!f)
		return ctx_fail(c, ERR_IO, NULL, "cannot write %s: %s", path, strerror(errno));
	for (int i = 0; lines[i]; i++)
		fprintf(f, "%s\n", lines[i]);
	return fclose(f) == 0 ? OK : ctx_fail(c, ERR_IO, NULL, "cannot write %s", path);
}

static enum err export_oneroster(struct ctx *c, const char *dir, int64_t *rows)
{
	enum err rc;

	if (mkdir(dir, 0750) != 0 && errno != EEXIST)
		return ctx_fail(c, ERR_IO, NULL, "cannot create %s: %s", dir, strerror(errno));
	if ((rc = write_manifest(c, dir)) != OK)
		return rc;
	for (const struct table *t = oneroster; t->file; t++)
		if ((rc = write_file(c, arena_printf(c->arena, "%s/%s", dir, t->file), t, rows)) != OK)
			return rc;
	return OK;
}

static enum err audit_export(struct ctx *c, const char *kind, const char *path, int64_t rows)
{
	struct buf b;
	struct jw w;
	enum err rc;

	buf_init(&b, 8192);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "kind", kind);
	jw_kstr(&w, "path", path);
	jw_kint(&w, "rows", rows);
	jw_end(&w);
	if ((rc = store_begin(c->store)) == OK) {
		if ((rc = auth_audit(c, arena_printf(c->arena, "export.%s", kind), "export", NULL, b.p)) == OK)
			rc = store_commit(c->store);
		else
			store_rollback(c->store);
	}
	buf_release(&b);
	return rc;
}

enum err import_export(struct ctx *c, const char *kind, const char *path, int64_t *rows)
{
	const struct table *t = NULL;
	enum err rc;

	*rows = 0;
	if (c->user && !auth_can(c->user, ACT_PERSON_EXPORT, NULL))
		return ctx_fail(c, ERR_DENIED, NULL, "you may not export personal data");
	for (const struct table *n = native; n->file; n++)
		if (!strcmp(n->file, kind))
			t = n;
	if (!t && strcmp(kind, "oneroster"))
		return ctx_fail(c, ERR_INVALID, "kind",
				"unknown kind \"%s\" (regions, schools, people, enrolments or oneroster)", kind);
	/* One snapshot: the files agree with each other even while others write. */
	if ((rc = store_begin_read(c->store)) != OK)
		return rc;
	rc = t ? write_file(c, path, t, rows) : export_oneroster(c, path, rows);
	store_rollback(c->store);
	if (rc == OK)
		rc = audit_export(c, kind, path, *rows);
	return rc;
}

int export_cmd(struct ctx *c, int argc, char **argv)
{
	const char *kind = args_pos(argc, argv, 0, NULL), *path = args_pos(argc, argv, 1, NULL);
	int64_t rows;
	enum err rc;

	if (!kind || !path) {
		fprintf(stderr, "usage: reach export regions|schools|people|enrolments FILE | reach export oneroster DIR\n");
		return 2;
	}
	if ((rc = import_export(c, kind, path, &rows)) != OK) {
		fprintf(stderr, "reach: export: %s\n", c->err.msg[0] ? c->err.msg : err_name(rc));
		return rc == ERR_INVALID ? 2 : 1;
	}
	fprintf(stderr, "export: %lld rows written to %s\n", (long long)rows, path);
	return 0;
}
