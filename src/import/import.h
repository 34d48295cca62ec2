/*
 * import.h — bulk import and export of the registry: the CSV files of
 * docs/formats.md and OneRoster 1.1/1.2 CSV, streaming, validated row by
 * row, idempotent (upsert by external id), with a report of rejected rows.
 */
#ifndef IMPORT_IMPORT_H
#define IMPORT_IMPORT_H

#include "app.h"

/* `reach import KIND PATH [--dry-run] [--strict] [--report FILE]
 * [--calendar gregorian|solar-hijri|auto]`: the exit status (0 all rows,
 * 3 some rejected, 2 unusable input). */
int import_cmd(struct ctx *c, int argc, char **argv);

/* `reach export KIND|oneroster PATH`. */
int export_cmd(struct ctx *c, int argc, char **argv);

#endif
