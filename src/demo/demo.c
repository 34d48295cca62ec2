/*
 * demo.c — being written (see demo.h).
 */
#include <stdio.h>

#include "demo/demo.h"
#include "base/banned.h"

int demo_cmd(struct ctx *c, int argc, char **argv)
{
	(void)c; (void)argc; (void)argv;
	fprintf(stderr, "reach: demo is not built yet\n");
	return 2;
}
