/*
 * import.c — being written (see import.h).
 */
#include <stdio.h>

#include "import/import.h"
#include "base/banned.h"

int import_cmd(struct ctx *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "reach: import is not built yet\n");
	return 2;
}

int export_cmd(struct ctx *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "reach: export is not built yet\n");
	return 2;
}
