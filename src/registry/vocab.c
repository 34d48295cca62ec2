/*
 * vocab.c — the registry's closed sets of values.
 */
#include <stddef.h>
#include <strings.h>

#include "registry/registry.h"
#include "base/banned.h"

const char *const registry_levels[] = {"country", "province", "district", "village", NULL};
const char *const registry_school_levels[] = {"pre_primary", "primary", "lower_secondary",
					      "upper_secondary", "adult", NULL};
const char *const registry_electricity[] = {"grid", "solar", "none", NULL};
const char *const registry_connectivity[] = {"none", "2g", "3g", "4g", "fibre", "satellite", NULL};
const char *const registry_roles[] = {"learner", "guardian", "teacher", "adult", NULL};
const char *const registry_sexes[] = {"f", "m", "x", NULL};
const char *const registry_statuses[] = {"enrolled", "transferred", "dropped_out", "graduated", NULL};

int registry_index(const char *const set[], const char *s)
{
	for (int i = 0; s && set[i]; i++)
		if (strcasecmp(set[i], s) == 0)
			return i;
	return -1;
}

bool registry_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1", "true", "yes", NULL}, *const no[] = {"0", "false", "no", NULL};

	if (registry_index(yes, s) >= 0)
		*out = true;
	else if (registry_index(no, s) >= 0)
		*out = false;
	else
		return false;
	return true;
}
