/*
 * gen.c — writes a OneRoster 1.1 CSV set for the import benchmark:
 * one country, 31 provinces, districts, schools, classes (one per school
 * and grade), N learners with Persian names (so name folding goes through
 * ICU, as it does for real Iranian data) and one enrolment each.
 * Deterministic (a fixed xorshift seed), fast (plain stdio).
 *
 *   gen DIR LEARNERS [SCHOOLS]
 *
 * SCHOOLS defaults to one per 300 learners; giving it keeps the orgs and
 * classes the same while the learners grow (the memory check).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEARNERS_PER_SCHOOL 300
#define SCHOOLS_PER_DISTRICT 20

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static const char *const given[] = {"محمد", "علی", "حسین", "رضا", "مهدی", "فاطمه", "زهرا", "مریم", "سارا",
				    "محمدرضا", "امیرحسین", "نرگس", "کوثر", "یاسمین", "ستایش", "ابوالفضل",
				    "Ali", "Sara", "Reza", "Maryam"};
static const char *const family[] = {"کریمی", "احمدی", "حسینی", "محمدی", "رضایی", "موسوی", "جعفری", "قاسمی",
				     "صادقی", "نوری", "Karimi", "Ahmadi", "Hosseini", "Mohammadi"};

static FILE *open_in(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w"))) {
		perror(path);
		exit(1);
	}
	setvbuf(f, NULL, _IOFBF, 1 << 20);
	return f;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;
	long schools = argc > 3 ? strtol(argv[3], NULL, 10) : (n + LEARNERS_PER_SCHOOL - 1) / LEARNERS_PER_SCHOOL;
	long per = schools > 0 ? (n + schools - 1) / schools : 1;
	long districts = (schools + SCHOOLS_PER_DISTRICT - 1) / SCHOOLS_PER_DISTRICT;
	const char *dir = argc > 1 ? argv[1] : ".";
	FILE *f;

	f = open_in(dir, "manifest.csv");
	fputs("propertyName,value\nmanifest.version,1.0\noneroster.version,1.1\nfile.academicSessions,bulk\n"
	      "file.orgs,bulk\nfile.classes,bulk\nfile.users,bulk\nfile.enrollments,bulk\nfile.courses,absent\n"
	      "file.demographics,absent\n", f);
	fclose(f);
	f = open_in(dir, "academicSessions.csv");
	fputs("sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear\n"
	      "Y2027,active,,2026-2027,schoolYear,2026-09-22,2027-06-21,,2027\n", f);
	fclose(f);
	f = open_in(dir, "orgs.csv");
	fputs("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
	      "IR,active,,ایران,national,IR,\n", f);
	for (int p = 1; p <= 31; p++)
		fprintf(f, "IR-%02d,active,,استان %d,state,IR-%02d,IR\n", p, p, p);
	for (long d = 0; d < districts; d++)
		fprintf(f, "D%05ld,active,,شهرستان %ld,district,IR-%02ld-%04ld,IR-%02ld\n", d, d, d % 31 + 1, d,
			d % 31 + 1);
	for (long s = 0; s < schools; s++)
		fprintf(f, "S%06ld,active,,مدرسه %ld,school,%06ld,D%05ld\n", s, s, s + 100000,
			s / SCHOOLS_PER_DISTRICT);
	fclose(f);
	f = open_in(dir, "classes.csv");
	fputs("sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,location,"
	      "schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods\n", f);
	for (long s = 0; s < schools; s++)
		for (int g = 1; g <= 12; g++)
			fprintf(f, "C%06ld-%02d,active,,Grade %d,%02d,,,scheduled,,S%06ld,Y2027,,,\n", s, g, g, g, s);
	fclose(f);
	f = open_in(dir, "users.csv");
	fputs("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
	      "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n", f);
	for (long i = 0; i < n; i++) {
		uint64_t r = next();
		fprintf(f, "U%08ld,active,,true,S%06ld,student,,,%s,%s,%s,%010llu,,,,,%02d,\n", i,
			i / per, given[r % 20], family[(r >> 8) % 14], given[(r >> 16) % 16],
			(unsigned long long)(r >> 24) % 10000000000ull, (int)(i % 12) + 1);
	}
	fclose(f);
	f = open_in(dir, "enrollments.csv");
	fputs("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,"
	      "beginDate,endDate\n", f);
	for (long i = 0; i < n; i++)
		fprintf(f, "E%08ld,active,,C%06ld-%02d,S%06ld,U%08ld,student,false,2026-09-22,\n", i,
			i / per, (int)(i % 12) + 1, i / per, i);
	fclose(f);
	return 0;
}
