#include <string.h>

#include "base/embed.h"
#include "base/banned.h"

const struct embedded *embed_find(const char *name)
{
	for (const struct embedded *e = embedded_files; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}
