/*
 * dashboard_int.h — what the files of dashboard/ share: the figures of a
 * region as a C struct and as JSON, the refresh with its timings, the
 * reads a dashboard page makes, and the export formats.
 *
 * Files: dashboard.c (the refresh), figures.c (struct figures <-> JSON),
 * read.c (a region, its ancestors, children and schools), chart.c (the
 * data of the SVG charts and the map), export.c (CSV and XLSX),
 * dashboard_routes.c (pages, API, downloads, the job).
 */
#ifndef DASHBOARD_INT_H
#define DASHBOARD_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "dashboard/dashboard.h"

/* The order of registry_connectivity and registry_levels. */
enum conn { CONN_NONE, CONN_2G, CONN_3G, CONN_4G, CONN_FIBRE, CONN_SATELLITE, CONN__COUNT };
#define SKILL_LEVELS 5          /* digital skills 0 (none) to 4 (advanced) */

/* The map: the schools' bounding box fitted into at most MAP_WIDTH by
 * MAP_HEIGHT_MAX (and at least MAP_WIDTH_MIN by MAP_HEIGHT_MIN), with at
 * most MAP_DOTS dots; a region with more schools shows an even sample of
 * them (every k-th school in the order of the tree, so each part of the
 * region keeps its share). The cap keeps the page small and quick. */
#define MAP_WIDTH 1000
#define MAP_WIDTH_MIN 360
#define MAP_HEIGHT_MAX 640
#define MAP_HEIGHT_MIN 240
#define MAP_PAD 16
#define MAP_DOTS 1500

/* The figures of one region and everything beneath it (docs/formats.md). */
struct figures {
	int64_t learners, teachers, guardians, schools;
	int64_t boarding, nomadic, rural;
	int64_t connected, equipped;
	int64_t learners_device, learners_internet;
	int64_t teachers_device;
	int64_t skill[SKILL_LEVELS];
	int64_t conn[CONN__COUNT];
};

/* Adds b into a. */
void figures_add(struct figures *a, const struct figures *b);

/* Writes f as the JSON object of docs/formats.md. */
void figures_json(const struct figures *f, struct buf *out);

/* Reads the JSON text written by figures_json (missing members are 0);
 * false when it is not a JSON object. */
bool figures_parse(const char *json, struct figures *f);

/* One figure, flattened for CSV and XLSX: "schools_by_kind.boarding". */
struct figure_item {
	const char *key;        /* stable name */
	const char *label;      /* English, to be translated */
	int64_t value;
};
#define FIGURE_ITEMS 23
/* Fills items[FIGURE_ITEMS] in the order of the JSON; returns the count. */
int figures_items(const struct figures *f, struct figure_item *items);

/* How a refresh went, for the log, the job result and the benchmark. */
struct refresh_stats {
	int64_t regions, schools, people;
	int64_t read_ms, compute_ms, write_ms, total_ms;
};

/* dashboard_refresh with its timings; progress (may be NULL) is called
 * with steps done out of 4. */
enum err dashboard_refresh_run(struct ctx *c, void (*progress)(void *arg, int64_t done, int64_t total),
			       void *arg, struct refresh_stats *st);

/* ---- reading (read.c) ---- */

#define REGION_DEPTH_MAX 8      /* country, province, district, village, and room to spare */

struct region {
	int64_t rid;
	const char *id, *code, *name, *level, *path;
	int depth;
	/* From region_stats; has_stats false before the first refresh. */
	bool has_stats;
	struct figures f;
	const char *refreshed_at;
	int64_t map_schools, map_width, map_height;
	const char *map_dots;   /* SVG path data, a line per kind of connection */
};

struct school_item {
	const char *id, *code, *name, *connectivity, *electricity;
	bool boarding, nomadic, rural;
	int64_t learners, teachers;
	bool has_learners, has_teachers;
};

/* The region with this code and its figures (ERR_NOTFOUND when there is
 * none). Strings live in c->arena. The name is the one for lang when the
 * region has one, else the name as written. */
enum err region_by_code(struct ctx *c, const char *code, const char *lang, struct region *out);

/* The first region at the top of the tree (ERR_NOTFOUND when none). */
enum err region_root_code(struct ctx *c, const char **code);

/* Its ancestors from the top, without it: code and name only. */
enum err region_ancestors(struct ctx *c, const struct region *r, const char *lang,
			  struct region **out, int *n);

/* Its children, in code order, with their figures. */
enum err region_children(struct ctx *c, const struct region *r, const char *lang,
			 struct region **out, int *n);

/* Up to limit schools at or beneath the region, after the one with key
 * after (0: from the first); *next is the key to go on from, 0 at the end. */
enum err region_schools(struct ctx *c, const struct region *r, int64_t after, int limit,
			struct school_item **out, int *n, int64_t *next);

/* The region's codes from the top, itself included, for auth_can. */
int region_scope_path(struct ctx *c, const struct region *r, const char ***out);

/* ---- the page's data (chart.c) ---- */

/* part of whole in per cent, rounded (0 when whole is 0). */
int64_t chart_pct(int64_t part, int64_t whole);

/* The data the region template draws: key figures, charts, the map,
 * children and schools. The caller adds what is not about figures. */
json_t *chart_region(struct ctx *c, const struct region *r, bool rtl);
json_t *chart_children(const struct region *kids, int n);

/* ---- downloads (export.c) ---- */

/* A table to download: a header row and rows of text or numbers. */
struct table {
	const char *name;               /* the sheet's name */
	int ncols, nrows;
	const char **head;              /* ncols */
	const char **text;              /* nrows * ncols, NULL where the cell is a number */
	int64_t *num;                   /* nrows * ncols */
};

struct table *table_figures(struct ctx *c, const struct region *r);
struct table *table_children(struct ctx *c, const struct region *kids, int n);

/* RFC 4180 CSV (base/csv.h's quoting), UTF-8 with a byte-order mark
 * (spreadsheets then read it right); text that a spreadsheet would run as
 * a formula gets a leading apostrophe. */
void table_csv(const struct table *t, struct buf *out);

/* An XLSX workbook of one sheet into out. ERR_IO when the library fails. */
enum err table_xlsx(struct ctx *c, const struct table *t, struct buf *out);

#endif
