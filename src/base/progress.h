/*
 * progress.h — progress of a long command: a bar redrawn in place on a
 * terminal, plain lines ("backup: 40% (4000/10000)") otherwise, at most
 * one line per PROGRESS_LINE_MS so logs stay small.
 */
#ifndef BASE_PROGRESS_H
#define BASE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_LINE_MS 2000

struct progress {
	FILE *out;
	const char *label;
	bool tty;
	int64_t last_ms;
	int last_pct;
};

void progress_init(struct progress *p, FILE *out, const char *label);
void progress_update(struct progress *p, int64_t done, int64_t total);
void progress_finish(struct progress *p, const char *message);

#endif
