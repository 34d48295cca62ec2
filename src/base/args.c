#include <stddef.h>
#include <string.h>

#include "base/args.h"
#include "base/banned.h"

const char *args_opt(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) || strncmp(a + 2, name, n))
			continue;
		if (a[2 + n] == '=')
			return a + 3 + n;
		if (a[2 + n] == '\0' && i + 1 < argc)
			return argv[i + 1];
	}
	return NULL;
}

bool args_flag(int argc, char **argv, const char *name)
{
	for (int i = 0; i < argc; i++)
		if (strncmp(argv[i], "--", 2) == 0 && strcmp(argv[i] + 2, name) == 0)
			return true;
	return false;
}

static bool is_flag(const char *a, const char *const *flags)
{
	for (int i = 0; flags && flags[i]; i++)
		if (strcmp(a + 2, flags[i]) == 0)
			return true;
	return false;
}

const char *args_pos(int argc, char **argv, int k, const char *const *flags)
{
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (!strchr(argv[i], '=') && !is_flag(argv[i], flags))
				i++;
			continue;
		}
		if (k-- == 0)
			return argv[i];
	}
	return NULL;
}
