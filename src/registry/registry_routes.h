/*
 * registry_routes.h — the HTTP face of registry/: the JSON API under
 * /api/v1/ (regions, schools, people, enrolments, guardianships) and the
 * school, person and search pages. Inputs are declared here as field
 * arrays, checked by the server before a handler runs; each handler turns
 * them into a registry_in or a registry_filter and calls the domain.
 */
#ifndef REGISTRY_ROUTES_H
#define REGISTRY_ROUTES_H

#include "http/http.h"

extern const struct field registry_in_regions[], registry_in_region_new[], registry_in_region_patch[],
	registry_in_schools[], registry_in_school_new[], registry_in_school_patch[], registry_in_people[],
	registry_in_person_new[], registry_in_person_patch[], registry_in_guardian[], registry_in_enrolments[],
	registry_in_enrolment_new[], registry_in_enrolment_patch[], registry_in_search[];

int registry_api_regions(struct req *r);
int registry_api_region(struct req *r);
int registry_api_region_create(struct req *r);
int registry_api_region_patch(struct req *r);
int registry_api_schools(struct req *r);
int registry_api_school(struct req *r);
int registry_api_school_create(struct req *r);
int registry_api_school_patch(struct req *r);
int registry_api_people(struct req *r);
int registry_api_person(struct req *r);
int registry_api_person_create(struct req *r);
int registry_api_person_patch(struct req *r);
int registry_api_person_retire(struct req *r);
int registry_api_guardian_add(struct req *r);
int registry_api_enrolments(struct req *r);
int registry_api_enrolment(struct req *r);
int registry_api_enrolment_create(struct req *r);
int registry_api_enrolment_patch(struct req *r);

int registry_page_school(struct req *r);
int registry_page_person(struct req *r);
int registry_page_search(struct req *r);

#endif
