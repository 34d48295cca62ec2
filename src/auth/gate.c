/*
 * gate.c — the server's gate: who is calling (a bearer token or a session
 * cookie), in which language, whether a state change carries its CSRF
 * token and comes from this site, and whether the route's action is
 * allowed (through auth_can, like every other decision).
 */
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "auth/auth_routes.h"
#include "base/arena.h"
#include "web/web.h"
#include "base/banned.h"

struct gate_state {
	struct user user;
	char token[SECRET_TEXT_LEN];   /* the session cookie's token */
	char csrf[SECRET_TEXT_LEN];
	bool via_cookie;
};

static bool changes_state(const struct req *r)
{
	return r->method & (M_POST | M_PUT | M_PATCH | M_DELETE);
}

/* A state change must come from a page of this site: a browser sends
 * Origin on every cross-site POST, and it must name our host. */
static bool same_origin(struct req *r)
{
	const char *origin = req_header(r, "Origin"), *host = req_header(r, "Host"), *p;

	if (!origin || !strcmp(origin, "null"))
		return origin == NULL;
	if (!host)
		return false;
	p = strstr(origin, "://");
	return p && strcmp(p + 3, host) == 0;
}

static void pick_lang(struct req *r, const struct user *u)
{
	const char *cookie = req_cookie(r, AUTH_LANG_COOKIE);
	const char *picked;

	if (u && u->lang[0] && web_lang_known(u->lang))
		r->c.lang = arena_strdup(r->c.arena, u->lang);
	else if (cookie && web_lang_known(cookie))
		r->c.lang = arena_strdup(r->c.arena, cookie);
	else if ((picked = web_lang_pick(req_header(r, "Accept-Language"))))
		r->c.lang = picked;
}

/* Finds the caller. Returns 0 with or without a user, or the status of
 * the 401 it answered for a bad bearer token. */
static int identify(struct req *r, struct gate_state *g)
{
	const struct ctx *c = &r->c;
	const char *authz = req_header(r, "Authorization"), *cookie;

	if (authz) {
		if (strncmp(authz, "Bearer ", 7) != 0 || auth_token_user(&r->c, authz + 7, &g->user) != OK) {
			req_set_header(r, "WWW-Authenticate", "Bearer");
			return req_error(r, 401, "unauthenticated", NULL, _("The API token is not valid."));
		}
		r->c.user = &g->user;
		return 0;
	}
	cookie = req_cookie(r, AUTH_SESSION_COOKIE);
	if (cookie && auth_session(&r->c, cookie, &g->user, g->csrf) == OK) {
		snprintf(g->token, sizeof g->token, "%s", cookie);
		g->via_cookie = true;
		r->c.user = &g->user;
		r->csrf = g->csrf;
	}
	return 0;
}

int auth_gate(struct req *r)
{
	const struct ctx *c = &r->c;
	struct gate_state *g = arena_alloc(r->c.arena, sizeof *g);
	int st;

	r->auth = g;
	pick_lang(r, NULL);
	if ((st = identify(r, g)))
		return st;
	if (r->c.user) {
		pick_lang(r, r->c.user);
		r->c.user_login = g->user.login;
	}
	if (changes_state(r) && !same_origin(r))
		return req_error(r, 403, "cross_origin", NULL, _("This request did not come from this site."));
	if (!auth_can(r->c.user, (enum action)r->route->need, NULL)) {
		if (r->c.user)
			return req_error(r, 403, "forbidden", NULL, _("You are not allowed to do that."));
		if (r->wants_html && (r->method & (M_GET | M_HEAD)))
			return req_redirect(r, arena_printf(r->c.arena, "/login?back=%s", r->path));
		return req_error(r, 401, "unauthenticated", NULL, _("Please sign in."));
	}
	return 0;
}

int auth_csrf_or_respond(struct req *r)
{
	const struct ctx *c = &r->c;
	struct gate_state *g = r->auth;
	const char *sent;

	if (!g || !g->via_cookie || !changes_state(r) || (r->route->flags & R_NOCSRF))
		return 0;
	sent = req_header(r, "X-CSRF-Token");
	if (!sent)
		sent = req_str(r, "csrf");
	if (sent && strlen(sent) == strlen(g->csrf) && secret_eq(sent, g->csrf, strlen(g->csrf)))
		return 0;
	return req_error(r, 403, "csrf", NULL,
			 _("The form has expired. Please reload the page and try again."));
}

const char *auth_session_token(struct req *r)
{
	struct gate_state *g = r->auth;
	return g && g->via_cookie ? g->token : NULL;
}

void auth_set_session_cookie(struct req *r, const char *token, int64_t max_age)
{
	const struct conf *cf = &r->c.app->conf;

	req_set_header(r, "Set-Cookie",
		       arena_printf(r->c.arena, "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
				    AUTH_SESSION_COOKIE, token, (long long)max_age,
				    cf->secure_cookies ? "; Secure" : ""));
}
