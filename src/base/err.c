#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/log.h"
#include "base/banned.h"

static const struct {
	const char *name;
	int status;
} errs[ERR__COUNT] = {
	[OK] = {"ok", 200},
	[ERR_INVALID] = {"invalid", 400},
	[ERR_AUTH] = {"unauthenticated", 401},
	[ERR_DENIED] = {"forbidden", 403},
	[ERR_NOTFOUND] = {"not_found", 404},
	[ERR_EXISTS] = {"exists", 409},
	[ERR_CONFLICT] = {"conflict", 409},
	[ERR_LIMIT] = {"too_large", 413},
	[ERR_THROTTLED] = {"too_many_requests", 429},
	[ERR_BUSY] = {"busy", 503},
	[ERR_IO] = {"io", 500},
	[ERR_STORE] = {"store", 500},
	[ERR_INTERNAL] = {"internal", 500},
};

const char *err_name(enum err e)
{
	return (unsigned)e < ERR__COUNT ? errs[e].name : "internal";
}

int err_status(enum err e)
{
	return (unsigned)e < ERR__COUNT ? errs[e].status : 500;
}

enum err err_set(struct errinfo *ei, enum err code, const char *field,
		 const char *fmt, ...)
{
	va_list ap;

	if (!ei || ei->code != OK)
		return code;
	ei->code = code;
	snprintf(ei->field, sizeof ei->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(ei->msg, sizeof ei->msg, fmt, ap);
	va_end(ap);
	return code;
}

void err_clear(struct errinfo *ei)
{
	memset(ei, 0, sizeof *ei);
}

void bug_at(const char *file, int line, const char *msg)
{
	log_msg(LOG_ERROR, NULL, "BUG at %s:%d: %s", file, line, msg);
	fprintf(stderr, "reach: BUG at %s:%d: %s\n", file, line, msg);
	abort();
}
