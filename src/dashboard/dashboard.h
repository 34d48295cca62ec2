/*
 * dashboard.h — what a region looks like, for every level of the tree:
 * figures kept per region in region_stats (refreshed after imports and
 * changes), drawn as SVG on the server, downloadable as CSV and XLSX.
 */
#ifndef DASHBOARD_DASHBOARD_H
#define DASHBOARD_DASHBOARD_H

#include "app.h"

/* Recomputes region_stats for every region from the registry tables, in
 * one write transaction. Importers and the demo call it when they finish. */
enum err dashboard_refresh(struct ctx *c);

#endif
