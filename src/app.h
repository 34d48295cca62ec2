/*
 * app.h — the one struct app that main builds, and the context every
 * operation (a request, a command, a job step) carries.
 *
 * struct app is read-only once the server has started, apart from the
 * atomic counters inside http's metrics. There is no other global state
 * but the log.
 */
#ifndef APP_H
#define APP_H

#include "base/arena.h"
#include "base/conf.h"
#include "base/err.h"

struct store;
struct store_pool;
struct web;
struct user;
struct jobs;

struct app {
	struct conf conf;
	struct store_pool *pool;     /* one store connection per thread */
	const struct web *web;       /* templates and catalogs */
	struct jobs *jobs;           /* background workers (NULL outside serve) */
};

/*
 * One operation. Domain functions take a struct ctx * and never see HTTP:
 * it says who acts (user, NULL for the system), from where (ip), in which
 * language messages are written, with which store connection and arena,
 * and carries the error message back.
 */
struct ctx {
	const struct app *app;
	struct store *store;
	struct arena *arena;
	const struct user *user;
	const char *ip;         /* "" for the command line */
	const char *req_id;     /* request or job id, for the log and audit */
	const char *lang;       /* "en", "fa", "vi", "az" */
	const char *user_login; /* for the log, once known */
	struct errinfo err;
};

/* Translates msgid into the context's language (the msgid itself when the
 * catalog has no translation). The result lives as long as the app. */
const char *ctx_tr(const struct ctx *c, const char *msgid);

/* Runs fn inside one write transaction of c's store: committed when fn
 * returns OK, rolled back otherwise. Returns fn's result (or the store's
 * error when the transaction cannot begin or commit). */
enum err ctx_tx(struct ctx *c, enum err (*fn)(struct ctx *c, void *arg), void *arg);

/* Marks a user-visible string and translates it; needs a `c` in scope. */
#define _(s) ctx_tr(c, (s))
/* Marks a string for the catalogs without translating it here. */
#define N_(s) (s)

/* Records an error with a translated message and returns it:
 *     return fail(c, ERR_INVALID, "login", _("Login is taken"));  */
#define ctx_fail(c, code, field, ...) err_set(&(c)->err, (code), (field), __VA_ARGS__)

#endif
