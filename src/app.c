/*
 * app.c — what every context shares.
 */
#include "app.h"
#include "web/web.h"
#include "base/banned.h"

const char *ctx_tr(const struct ctx *c, const char *msgid)
{
	if (!c || !c->app || !c->app->web || !c->lang)
		return msgid;
	return web_tr(c->app->web, c->lang, msgid);
}
