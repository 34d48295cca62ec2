/*
 * registry.h — who and where: the region tree (country → province →
 * district → village), schools, people (learners, guardians, teachers,
 * adult learners) and enrolments.
 *
 * Every read and write goes through auth_can with the object's scope
 * (its region path and school); every change is audited; people are
 * retired, never deleted. Names are stored as written and in the folded
 * search form of base/text.h. The file formats are in docs/formats.md.
 *
 * This first part is the shared vocabulary: the closed sets of values
 * that the API, the importers and the demo all check against.
 */
#ifndef REGISTRY_REGISTRY_H
#define REGISTRY_REGISTRY_H

#include <stdbool.h>

/* Each set is a NULL-terminated list of its stable names, in order. */
extern const char *const registry_levels[];        /* country province district village */
extern const char *const registry_school_levels[]; /* pre_primary primary lower_secondary upper_secondary adult */
extern const char *const registry_electricity[];   /* grid solar none */
extern const char *const registry_connectivity[];  /* none 2g 3g 4g fibre satellite */
extern const char *const registry_roles[];         /* learner guardian teacher adult */
extern const char *const registry_sexes[];         /* f m x */
extern const char *const registry_statuses[];      /* enrolled transferred dropped_out graduated */

/* The position of s in set, or -1 when it is not one of them. */
int registry_index(const char *const set[], const char *s);

/* Parses a boolean as the files write it (1/0, true/false, yes/no, any
 * case); false when s is none of them. */
bool registry_parse_bool(const char *s, bool *out);

#endif
