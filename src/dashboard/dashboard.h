/*
 * dashboard.h — what a region looks like, for every level of the tree:
 * figures kept per region in region_stats (refreshed after imports and
 * changes), drawn as SVG on the server, downloadable as CSV and XLSX.
 *
 * region_stats is derived data: dashboard_refresh rebuilds all of it from
 * the registry tables, so a dashboard is one read and never a sum over a
 * million rows. The figures are those of docs/formats.md ("Region
 * figures"), for the region and everything beneath it. Where a person is
 * counted: in the region of their school when they have one, otherwise in
 * their home region, otherwise only in the country's totals.
 */
#ifndef DASHBOARD_DASHBOARD_H
#define DASHBOARD_DASHBOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"

/*
 * The national equipment standard, in this one place: a school is
 * equipped when it has electricity (grid or solar) and at least one
 * computer or tablet for every DASHBOARD_LEARNERS_PER_DEVICE learners (and
 * at least one in all). Its learners are the head count the school
 * reports, or, when it reports none, the learners registered at it.
 */
#define DASHBOARD_LEARNERS_PER_DEVICE 20

bool dashboard_school_equipped(bool electricity, int64_t devices, int64_t learners);

/* Recomputes region_stats for every region from the registry tables, in
 * one write transaction (the reading is done before it, in one read
 * snapshot, so writers wait only for the writing). Importers and the demo
 * call it when they finish. ERR_BUSY or ERR_STORE from the store. */
enum err dashboard_refresh(struct ctx *c);

#endif
