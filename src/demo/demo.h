/*
 * demo.h — a synthetic, deterministic country for trying Reach, for tests
 * and for benchmarks: regions, schools, people and enrolments in the
 * country's language, and the matching population register.
 */
#ifndef DEMO_DEMO_H
#define DEMO_DEMO_H

#include "app.h"

/* `reach demo --scale tiny|town|province|national [--country ir|vn|az]
 * [--seed N] [--out DIR]`: the exit status. */
int demo_cmd(struct ctx *c, int argc, char **argv);

#endif
