/*
 * auth_pages.c — the pages of auth/: home, sign in and out, the language
 * switch, my account, accounts administration and the audit log. They
 * work without JavaScript: forms post, and the answer is a redirect
 * (303) or the same page again with the error in it.
 */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_routes.h"
#include "base/arena.h"
#include "web/page.h"
#include "base/banned.h"

#define PAGE_ROWS 50

/* A "back" target must be a path on this site. */
static const char *back_or_home(struct req *r)
{
	const char *b = req_str(r, "back");
	if (!b || b[0] != '/' || b[1] == '/' || b[1] == '\\' || !strcmp(b, "/login"))
		return "/";
	return b;
}

int auth_page_home(struct req *r)
{
	const struct ctx *c = &r->c;

	if (!r->c.user)
		return req_redirect(r, "/login");
	return web_page(r, 200, "home", _("Welcome"), NULL);
}

static int login_form(struct req *r, int status, const char *error)
{
	const struct ctx *c = &r->c;
	json_t *d = json_pack("{s:s}", "back", back_or_home(r));

	if (error)
		json_object_set_new(d, "error", json_string(error));
	else if (req_query(r, "changed"))
		json_object_set_new(d, "flash", json_string(_("Password changed.")));
	if (req_str(r, "login"))
		json_object_set_new(d, "login", json_string(req_str(r, "login")));
	return web_page(r, status, "login", _("Sign in"), d);
}

int auth_page_login(struct req *r)
{
	if (r->c.user)
		return req_redirect(r, back_or_home(r));
	return login_form(r, 200, NULL);
}

int auth_page_login_post(struct req *r)
{
	struct user u;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];
	enum err rc;

	rc = auth_login(&r->c, req_str(r, "login"), req_str(r, "password"), &u, token, csrf);
	if (rc == ERR_AUTH || rc == ERR_THROTTLED)
		return login_form(r, err_status(rc), r->c.err.msg);
	if (rc != OK)
		return req_fail(r, rc);
	auth_set_session_cookie(r, token, r->c.app->conf.session_absolute);
	return req_redirect(r, back_or_home(r));
}

int auth_page_logout(struct req *r)
{
	const char *token = auth_session_token(r);
	enum err rc;

	if (token && (rc = auth_logout(&r->c, token)) != OK)
		return req_fail(r, rc);
	auth_set_session_cookie(r, "", 0);
	return req_redirect(r, "/login");
}

/* The language switch: remembered in a cookie for everyone, and in the
 * account of whoever is signed in, whose setting comes first. */
int auth_page_lang(struct req *r)
{
	const struct user *u = r->c.user;
	const char *lang = req_str(r, "lang");
	enum err rc;

	if (u && (rc = auth_user_update(&r->c, u->id, NULL, lang)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Set-Cookie",
		       arena_printf(r->c.arena, "%s=%s; Path=/; Max-Age=31536000; SameSite=Lax%s", AUTH_LANG_COOKIE,
				    lang, r->c.app->conf.secure_cookies ? "; Secure" : ""));
	return req_redirect(r, back_or_home(r));
}

static int account_form(struct req *r, int status, const char *flash, const char *error)
{
	const struct ctx *c = &r->c;
	const struct user *u = r->c.user;
	json_t *d = json_object();

	json_object_set_new(d, "account", json_pack("{s:s, s:s, s:s, s:s}", "login", u->login, "display_name",
						    u->display_name, "lang", u->lang, "created_at", u->created_at));
	if (!flash && req_query(r, "saved"))
		flash = _("Settings saved.");
	if (flash)
		json_object_set_new(d, "flash", json_string(flash));
	if (error)
		json_object_set_new(d, "error", json_string(error));
	return web_page(r, status, "account", _("My account"), d);
}

int auth_page_account(struct req *r)
{
	return account_form(r, 200, NULL, NULL);
}

int auth_page_account_post(struct req *r)
{
	const struct ctx *c = &r->c;
	const struct user *u = r->c.user;
	enum err rc;

	(void)c;
	rc = auth_user_update(&r->c, u->id, req_str(r, "display_name"), req_str(r, "lang"));
	if (rc == ERR_INVALID)
		return account_form(r, 400, NULL, r->c.err.msg);
	if (rc != OK)
		return req_fail(r, rc);
	return req_redirect(r, "/account?saved=1");
}

int auth_page_password_post(struct req *r)
{
	const struct user *u = r->c.user;
	enum err rc;

	rc = auth_user_passwd(&r->c, u->id, req_str(r, "current_password"), req_str(r, "new_password"));
	if (rc == ERR_INVALID)
		return account_form(r, 400, NULL, r->c.err.msg);
	if (rc != OK)
		return req_fail(r, rc);
	/* The change ended every session: sign in again with the new one. */
	auth_set_session_cookie(r, "", 0);
	return req_redirect(r, "/login?changed=1");
}

static json_t *roles_json(const struct ctx *c)
{
	json_t *a = json_array();

	for (int i = 1; i < ROLE__COUNT; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "code", auth_role_name((enum role)i), "label",
						   _(auth_role_label((enum role)i))));
	return a;
}

static int users_page(struct req *r, int status, const char *flash, const char *error)
{
	const struct ctx *c = &r->c;
	struct user *list;
	int64_t after, next;
	int n, st;
	enum err rc;
	json_t *d, *users;

	if ((st = req_cursor_or_respond(r, &after)))
		return st;
	if ((rc = auth_user_list(&r->c, after, PAGE_ROWS, &list, &n, &next)) != OK)
		return req_fail(r, rc);
	users = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(users, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}", "id", list[i].id,
						       "login", list[i].login, "display_name", list[i].display_name,
						       "role", auth_role_name(list[i].role), "role_label",
						       _(auth_role_label(list[i].role)), "scope", list[i].scope,
						       "disabled", list[i].disabled, "created_at", list[i].created_at));
	d = json_pack("{s:o, s:o}", "users", users, "roles", roles_json(c));
	if (next)
		json_object_set_new(d, "next",
				    json_string(arena_printf(r->c.arena, "/admin/users?cursor=%s", req_cursor_text(r, next))));
	if (flash)
		json_object_set_new(d, "flash", json_string(flash));
	if (error)
		json_object_set_new(d, "error", json_string(error));
	return web_page(r, status, "admin_users", _("Accounts"), d);
}

int auth_page_users(struct req *r)
{
	return users_page(r, 200, NULL, NULL);
}

int auth_page_user_create(struct req *r)
{
	struct user_new n = {req_str(r, "login"), req_str(r, "display_name"), req_str(r, "role"),
			     req_str(r, "scope"), req_str(r, "password"), NULL};
	struct user u;
	enum err rc;

	rc = auth_user_add(&r->c, &n, &u);
	if (rc == ERR_INVALID || rc == ERR_EXISTS)
		return users_page(r, err_status(rc), NULL, r->c.err.msg);
	if (rc != OK)
		return req_fail(r, rc);
	return req_redirect(r, "/admin/users");
}

static int set_disabled(struct req *r, bool disabled)
{
	enum err rc;

	if ((rc = auth_user_set_disabled(&r->c, req_param(r, "id"), disabled)) != OK) {
		if (rc == ERR_INVALID)
			return users_page(r, 400, NULL, r->c.err.msg);
		return req_fail(r, rc);
	}
	return req_redirect(r, "/admin/users");
}

int auth_page_user_disable(struct req *r)
{
	return set_disabled(r, true);
}

int auth_page_user_enable(struct req *r)
{
	return set_disabled(r, false);
}

int auth_page_audit(struct req *r)
{
	const struct ctx *c = &r->c;
	struct audit_entry *list;
	int64_t before, next;
	int n, st;
	enum err rc;
	json_t *entries, *d;

	if ((st = req_cursor_or_respond(r, &before)))
		return st;
	if ((rc = auth_audit_list(&r->c, before, PAGE_ROWS, &list, &n, &next)) != OK)
		return req_fail(r, rc);
	entries = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(entries, json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?}", "at", list[i].at,
							 "actor_login", list[i].actor_login, "action", list[i].action,
							 "object_kind", list[i].object_kind, "object_id",
							 list[i].object_id, "ip", list[i].ip));
	d = json_pack("{s:o}", "entries", entries);
	if (next)
		json_object_set_new(d, "next",
				    json_string(arena_printf(r->c.arena, "/admin/audit?cursor=%s", req_cursor_text(r, next))));
	return web_page(r, 200, "admin_audit", _("Audit log"), d);
}
