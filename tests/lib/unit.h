/*
 * unit.h — what the C unit tests share: temporary directories, and a
 * check of the registry's kept counts. Included
 * by *_test.c files only (the Makefile adds tests/lib to their include
 * path); every function is static so each test binary has its own copy.
 */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Makes a fresh directory under /tmp; the caller owns the string and
 * gives it back to unit_remove_dir. NULL when none can be made. */
static inline char *unit_temp_dir(void)
{
	char *d = strdup("/tmp/reach-unit-XXXXXX");

	if (d && !mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

/* Rows where the kept counts of a school's learners by grade
 * (school_grades) and the enrolments differ, either way, or a count fell
 * below 0: a query whose first column must be 0. */
#define UNIT_SQL_GRADES_OFF \
	"SELECT count(*) FROM (SELECT * FROM (SELECT school_sid, grade, learners FROM school_grades WHERE learners > 0 " \
	"EXCEPT SELECT school_sid, grade, count(*) FROM enrolments WHERE status = 'enrolled' GROUP BY 1, 2) " \
	"UNION ALL SELECT * FROM (SELECT school_sid, grade, count(*) FROM enrolments WHERE status = 'enrolled' " \
	"GROUP BY 1, 2 EXCEPT SELECT school_sid, grade, learners FROM school_grades) " \
	"UNION ALL SELECT school_sid, grade, learners FROM school_grades WHERE learners < 0)"

/* Removes dir and the files in it (the tests make no subdirectories),
 * and frees the string. */
static inline void unit_remove_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	if (d) {
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
				unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

#endif
