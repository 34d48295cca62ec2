/*
 * app.c — what every context shares.
 */
#include "app.h"
#include "store/store.h"
#include "web/web.h"
#include "base/banned.h"

const char *ctx_tr(const struct ctx *c, const char *msgid)
{
	if (!c || !c->app || !c->app->web || !c->lang)
		return msgid;
	return web_tr(c->app->web, c->lang, msgid);
}

enum err ctx_tx(struct ctx *c, enum err (*fn)(struct ctx *c, void *arg), void *arg)
{
	enum err rc;

	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = fn(c, arg)) != OK || (rc = store_commit(c->store)) != OK)
		store_rollback(c->store);
	return rc;
}
