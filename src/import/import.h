/*
 * import.h — bulk import and export of the registry: the CSV files of
 * docs/formats.md and OneRoster 1.1/1.2 CSV, streaming, validated row by
 * row, idempotent (upsert by external id), with a report of rejected rows.
 */
#ifndef IMPORT_IMPORT_H
#define IMPORT_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

struct import_opts {
	bool dry_run;           /* validate and report, write nothing */
	bool strict;            /* write nothing if any row is rejected */
	const char *calendar;   /* "gregorian", "solar-hijri" or "auto" (NULL: auto) */
	const char *report;     /* write rejected rows here as CSV (NULL: none) */
	const char *name;       /* the source as reports name it (NULL: the path) */
	const char *import_id;  /* an imports row made beforehand (a web upload), or NULL */
	bool no_refresh;        /* leave the dashboards to the caller, who refreshes
				   them once after several runs */
	/* Called now and then with rows done and the total (0 when unknown;
	 * an estimate while a file is being read). */
	void (*progress)(void *arg, int64_t done, int64_t total);
	void *arg;
};

struct import_result {
	int64_t read, written, rejected;
	char import_id[37];     /* the imports row that records this run */
};

/* The kinds import_run takes, NULL-terminated. */
extern const char *const import_kinds[];

/* Imports one file (kind: regions, schools, people, enrolments) or one
 * OneRoster directory or zip (kind: oneroster). ERR_INVALID with a message
 * when the input cannot be used at all; OK otherwise, even when rows were
 * rejected (res says how many; they are in import_rejects). */
enum err import_run(struct ctx *c, const char *kind, const char *path, const struct import_opts *o,
		    struct import_result *res);

/* Writes kind (regions, schools, people, enrolments: one CSV file at
 * path, "-" for standard output; oneroster: the files in directory path)
 * as import reads them, from one snapshot, and audits it as an export of
 * personal data. *rows counts the data rows written. */
enum err import_export(struct ctx *c, const char *kind, const char *path, int64_t *rows);

/* `reach import KIND PATH [--dry-run] [--strict] [--report FILE]
 * [--calendar gregorian|solar-hijri|auto]`: the exit status (0 all rows,
 * 3 some rejected, 2 unusable input). */
int import_cmd(struct ctx *c, int argc, char **argv);

/* `reach export KIND|oneroster PATH`. */
int export_cmd(struct ctx *c, int argc, char **argv);

#endif
