/*
 * log.h — structured log lines, one JSON object per line:
 *   {"ts":"2026-11-22T10:00:00.123Z","level":"info","req":"…","msg":"…"}
 * The log is the one piece of global mutable state: it is written from
 * every thread (one write(2) per line) and reopened on SIGHUP.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sends lines to path (appending), or to standard error when path is NULL
 * or "-". Call it before starting threads; afterwards only log_reopen.
 * Returns 0, or -1 with errno when the file cannot be opened. */
int log_open(const char *path, enum log_level min);

/* Opens the same path again (after rotation), under the same descriptor,
 * while other threads go on writing. */
int log_reopen(void);

/* Parses "debug", "info", "warn", "error"; -1 if none of them. */
int log_level_parse(const char *s);

void log_msg(enum log_level lv, const char *req_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A line whose fields are already JSON ("\"k\":v,\"k2\":v2"), for the
 * access log and other machine-read events. */
void log_fields(enum log_level lv, const char *req_id, const char *event,
		const char *json_fields);

#endif
