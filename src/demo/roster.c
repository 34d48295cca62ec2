/*
 * roster.c — the same country as OneRoster 1.1 CSV in DIR/oneroster:
 * regions and schools as orgs, learners and teachers as users (guardians
 * are left out, so users.csv is the learners and teachers), one homeroom
 * class per school and grade, one course per grade, one school-year
 * session, enrollments for every enrolment row (an ended one has its
 * endDate), demographics for the learners. Bulk files: status and
 * dateLastModified are blank.
 */
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

#define SESSION "sy"

static const char H_USERS[] = "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
			      "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password";
static const char H_ENROL[] = "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
			      "primary,beginDate,endDate";
static const char H_DEMOG[] = "sourcedId,status,dateLastModified,birthDate,sex,americanIndianOrAlaskaNative,asian,"
			      "blackOrAfricanAmerican,nativeHawaiianOrOtherPacificIslander,white,"
			      "demographicRaceTwoOrMoreRaces,hispanicOrLatinoEthnicity,countryOfBirthCode,"
			      "stateOfBirthAbbreviation,cityOfBirth,publicSchoolResidenceStatus";
static const char H_ORGS[] = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId";

static void dir_of(const struct demo *d, char *out, size_t size)
{
	snprintf(out, size, "%s/oneroster", d->o.out);
}

enum err roster_open(struct demo *d)
{
	char dir[1024];
	enum err rc;

	if (!d->o.oneroster)
		return OK;
	dir_of(d, dir, sizeof dir);
	if ((rc = out_open(&d->f[F_USERS], dir, "users.csv", H_USERS)) != OK ||
	    (rc = out_open(&d->f[F_RENROL], dir, "enrollments.csv", H_ENROL)) != OK ||
	    (rc = out_open(&d->f[F_DEMOG], dir, "demographics.csv", H_DEMOG)) != OK ||
	    (rc = out_open(&d->f[F_ORGS], dir, "orgs.csv", H_ORGS)) != OK)
		return rc;
	return OK;
}

static void grade2(struct out *o, int grade)
{
	out_pad(o, (uint64_t)grade, 2);
}

static void class_id(struct out *o, const struct school *s, int grade)
{
	out_str(o, s->code);
	out_str(o, "-");
	grade2(o, grade);
}

void roster_region(struct demo *d, const struct region *g)
{
	static const char *const types[] = {"national", "state", "district", "local"};
	struct out *o = &d->f[F_ORGS];

	if (!d->o.oneroster)
		return;
	out_str(o, g->code);
	out_str(o, ",,,");
	out_field(o, g->name.s);
	out_comma(o);
	out_str(o, types[g->level]);
	out_comma(o);
	out_str(o, g->code);
	out_comma(o);
	if (g->level)
		out_str(o, d->reg[g->parent].code);
	out_eol(o);
}

void roster_school(struct demo *d, const struct school *s, const char *name)
{
	struct out *o = &d->f[F_ORGS];

	if (!d->o.oneroster)
		return;
	out_str(o, s->code);
	out_str(o, ",,,");
	out_field(o, name);
	out_str(o, ",school,");
	out_str(o, s->code);
	out_comma(o);
	out_str(o, d->reg[s->village].code);
	out_eol(o);
}

/* givenName and middleName: a Vietnamese given name carries its middle
 * name before the joint. */
static void split_given(struct out *o, const struct name *given, const struct name *family)
{
	if (given->cut && given->cutlen == 1 && !given->latin[0]) {
		out_field(o, given->s + given->cut + 1);
		out_comma(o);
		out_field(o, family->s);
		out_comma(o);
		out_add(o, given->s, given->cut);
	} else {
		out_field(o, given->s);
		out_comma(o);
		out_field(o, family->s);
		out_comma(o);
	}
	out_comma(o);
}

static void user_row(struct demo *d, const char *id, const char *role, const struct name *given,
		     const struct name *family, const struct school *s, int grade, const char *nid)
{
	struct out *o = &d->f[F_USERS];

	out_str(o, id);
	out_str(o, ",,,true,");
	out_str(o, s->code);
	out_comma(o);
	out_str(o, role);
	out_comma(o);
	out_str(o, id);
	out_comma(o);
	out_comma(o);
	split_given(o, given, family);
	if (nid)
		out_str(o, nid);
	out_str(o, ",,,,,");
	if (grade > 0)
		grade2(o, grade);
	out_comma(o);
	out_eol(o);
}

void roster_user(struct demo *d, const char *id, const struct name *given, const struct name *family, int sex,
		 int32_t birth, const struct school *s, int grade, const char *nid)
{
	struct out *o = &d->f[F_DEMOG];
	char day[11];

	if (!d->o.oneroster)
		return;
	user_row(d, id, "student", given, family, s, grade, nid);
	date_text(birth, day);
	out_str(o, id);
	out_str(o, ",,,");
	out_str(o, day);
	out_str(o, sex == SEX_M ? ",male," : ",female,");
	out_str(o, ",,,,,,,");
	out_str(o, d->cu->cc);
	out_str(o, ",,,");
	out_eol(o);
}

static void enrol_line(struct demo *d, const char *eid, const char *uid, const char *role, bool primary,
		       const struct school *s, int grade, int32_t start, int32_t end)
{
	struct out *o = &d->f[F_RENROL];
	char day[11];

	out_str(o, eid);
	out_str(o, ",,,");
	class_id(o, s, grade);
	out_comma(o);
	out_str(o, s->code);
	out_comma(o);
	out_str(o, uid);
	out_comma(o);
	out_str(o, role);
	out_str(o, primary ? ",true," : ",false,");
	date_text(start, day);
	out_str(o, day);
	out_comma(o);
	if (end >= 0) {
		date_text(end, day);
		out_str(o, day);
	}
	out_eol(o);
}

void roster_enrol(struct demo *d, const char *eid, const char *lid, const struct school *s, int grade,
		  int32_t start, int32_t end)
{
	if (d->o.oneroster)
		enrol_line(d, eid, lid, "student", false, s, grade, start, end);
}

void roster_teacher(struct demo *d, const char *id, const struct name *given, const struct name *family,
		    const struct school *s, int grade, const char *nid)
{
	char eid[32];

	if (!d->o.oneroster)
		return;
	user_row(d, id, "teacher", given, family, s, 0, nid);
	snprintf(eid, sizeof eid, "%s-%02d", id, grade);
	enrol_line(d, eid, id, "teacher", true, s, grade, d->year_start, -1);
}

static enum err classes(struct demo *d, const char *dir)
{
	struct out o;
	enum err rc;

	if ((rc = out_open(&o, dir, "classes.csv",
			   "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
			   "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods")) != OK)
		return rc;
	for (uint32_t i = 0; i < d->nsch; i++)
		for (int g = 1; g <= d->cu->max_grade; g++) {
			if (!(d->sch[i].grades & (1u << g)))
				continue;
			class_id(&o, &d->sch[i], g);
			out_str(&o, ",,,");
			out_str(&o, d->cu->grade_word);
			out_u64(&o, (uint64_t)g);
			out_comma(&o);
			grade2(&o, g);
			out_str(&o, ",course-");
			grade2(&o, g);
			out_comma(&o);
			grade2(&o, g);
			out_str(&o, ",homeroom,,");
			out_str(&o, d->sch[i].code);
			out_str(&o, "," SESSION ",,,");
			out_eol(&o);
		}
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}

static enum err courses(struct demo *d, const char *dir)
{
	struct out o;
	enum err rc;

	if ((rc = out_open(&o, dir, "courses.csv",
			   "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
			   "orgSourcedId,subjects,subjectCodes")) != OK)
		return rc;
	for (int g = 1; g <= d->cu->max_grade; g++) {
		out_str(&o, "course-");
		grade2(&o, g);
		out_str(&o, ",,," SESSION ",");
		out_str(&o, d->cu->grade_word);
		out_u64(&o, (uint64_t)g);
		out_comma(&o);
		grade2(&o, g);
		out_comma(&o);
		grade2(&o, g);
		out_comma(&o);
		out_str(&o, d->cu->cc);
		out_str(&o, ",,");
		out_eol(&o);
	}
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}

static enum err sessions(struct demo *d, const char *dir)
{
	struct out o;
	char day[11];
	enum err rc;

	if ((rc = out_open(&o, dir, "academicSessions.csv",
			   "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,"
			   "schoolYear")) != OK)
		return rc;
	out_str(&o, SESSION ",,,");
	out_str(&o, d->school_year);
	out_str(&o, ",schoolYear,");
	date_text(d->year_start, day);
	out_str(&o, day);
	out_comma(&o);
	date_text(days_from_ymd(DEMO_YEAR + 1, 6, 20), day);
	out_str(&o, day);
	out_str(&o, ",,");
	out_u64(&o, DEMO_YEAR + 1);
	out_eol(&o);
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}

static enum err manifest(struct demo *d, const char *dir)
{
	static const char *const rows[] = {
		"manifest.version,1.0", "oneroster.version,1.1", "file.academicSessions,bulk",
		"file.categories,absent", "file.classes,bulk", "file.classResources,absent", "file.courses,bulk",
		"file.courseResources,absent", "file.demographics,bulk", "file.enrollments,bulk",
		"file.lineItems,absent", "file.orgs,bulk", "file.resources,absent", "file.results,absent",
		"file.users,bulk", "source.systemName,Reach demo", "source.systemCode,reach-demo",
	};
	struct out o;
	enum err rc;

	if ((rc = out_open(&o, dir, "manifest.csv", "propertyName,value")) != OK)
		return rc;
	for (size_t i = 0; i < COUNT(rows); i++) {
		out_str(&o, rows[i]);
		out_eol(&o);
	}
	rc = out_close(&o);
	d->n.bytes += o.bytes;
	return rc;
}

enum err roster_close(struct demo *d)
{
	char dir[1024];
	enum err rc;

	if (!d->o.oneroster)
		return OK;
	dir_of(d, dir, sizeof dir);
	if ((rc = classes(d, dir)) != OK || (rc = courses(d, dir)) != OK || (rc = sessions(d, dir)) != OK ||
	    (rc = manifest(d, dir)) != OK)
		return rc;
	return OK;
}
