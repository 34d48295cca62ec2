/*
 * policy.c — roles, and the one function that decides every access.
 */
#include <string.h>

#include "auth/auth.h"
#include "base/banned.h"

#define A(x) (1u << (x))

/* What each role may do; where, is the scope rule below. */
static const struct {
	const char *name;
	const char *label;
	unsigned may;
	bool self_only;   /* personal data only about the account's own person */
} roles[ROLE__COUNT] = {
	[ROLE_NONE] = {"", "", 0, false},
	[ROLE_ADMIN] = {"admin", N_("Administrator"), ~0u, false},
	[ROLE_NATIONAL_OFFICER] = {"national_officer", N_("National officer"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_REGISTRY_WRITE) | A(ACT_PERSON_READ) |
		A(ACT_PERSON_WRITE) | A(ACT_PERSON_EXPORT) | A(ACT_IMPORT), false},
	[ROLE_PROVINCE_OFFICER] = {"province_officer", N_("Province officer"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_REGISTRY_WRITE) | A(ACT_PERSON_READ) |
		A(ACT_PERSON_WRITE) | A(ACT_PERSON_EXPORT) | A(ACT_IMPORT), false},
	[ROLE_DISTRICT_OFFICER] = {"district_officer", N_("District officer"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_REGISTRY_WRITE) | A(ACT_PERSON_READ) |
		A(ACT_PERSON_WRITE) | A(ACT_PERSON_EXPORT) | A(ACT_IMPORT), false},
	[ROLE_SCHOOL_HEAD] = {"school_head", N_("School head"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_REGISTRY_WRITE) | A(ACT_PERSON_READ) |
		A(ACT_PERSON_WRITE) | A(ACT_PERSON_EXPORT) | A(ACT_IMPORT), false},
	[ROLE_TEACHER] = {"teacher", N_("Teacher"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_PERSON_READ), false},
	[ROLE_STUDENT] = {"student", N_("Student"), A(ACT_REGISTRY_READ) | A(ACT_PERSON_READ), true},
	[ROLE_GUARDIAN] = {"guardian", N_("Guardian"), A(ACT_REGISTRY_READ) | A(ACT_PERSON_READ), true},
	[ROLE_CASE_WORKER] = {"case_worker", N_("Case worker"),
		A(ACT_AGGREGATE_READ) | A(ACT_REGISTRY_READ) | A(ACT_PERSON_READ) | A(ACT_PERSON_WRITE), false},
	[ROLE_DONOR] = {"donor", N_("Donor"), A(ACT_AGGREGATE_READ), false},
	[ROLE_LEARNER] = {"learner", N_("Learner"), A(ACT_REGISTRY_READ) | A(ACT_PERSON_READ), true},
};

const char *auth_role_name(enum role r)
{
	return (unsigned)r < ROLE__COUNT ? roles[r].name : "";
}

const char *auth_role_label(enum role r)
{
	return (unsigned)r < ROLE__COUNT ? roles[r].label : "";
}

enum role auth_role_parse(const char *name)
{
	for (int r = 1; name && r < ROLE__COUNT; r++)
		if (strcmp(roles[r].name, name) == 0)
			return (enum role)r;
	return ROLE_NONE;
}

static bool about_self(const struct user *u, const struct scope *obj)
{
	if (!obj)
		return true;
	if (!u->person_id[0])
		return false;
	for (int i = 0; i < obj->npeople; i++)
		if (obj->people[i] && strcmp(obj->people[i], u->person_id) == 0)
			return true;
	return false;
}

static bool within(const struct user *u, const struct scope *obj)
{
	if (!obj || !u->scope[0])
		return true;
	if (obj->org && strcmp(obj->org, u->scope) == 0)
		return true;
	for (int i = 0; i < obj->depth; i++)
		if (obj->path[i] && strcmp(obj->path[i], u->scope) == 0)
			return true;
	return false;
}

bool auth_can(const struct user *u, enum action a, const struct scope *obj)
{
	if (a == ACT_PUBLIC)
		return true;
	if (!u || u->disabled || (unsigned)u->role >= ROLE__COUNT || u->role == ROLE_NONE)
		return false;
	if (a == ACT_SIGNED_IN)
		return true;
	if ((unsigned)a >= ACT__COUNT || !(roles[u->role].may & A(a)))
		return false;
	if (u->role == ROLE_ADMIN)
		return true;
	if (roles[u->role].self_only && a != ACT_REGISTRY_READ)
		return about_self(u, obj);
	if (u->role == ROLE_DONOR || (roles[u->role].self_only && a == ACT_REGISTRY_READ))
		return true; /* aggregates and school profiles are not personal */
	return within(u, obj);
}
