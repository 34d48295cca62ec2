/*
 * auth_routes.c — the JSON API of auth/: sign in and out, the caller's
 * account, API tokens, accounts administration, the audit log.
 */
#include <string.h>

#include "auth/auth.h"
#include "auth/auth_routes.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/banned.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

static const char *const role_names[] = {
	"admin", "national_officer", "province_officer", "district_officer", "school_head", "teacher",
	"student", "guardian", "case_worker", "donor", "learner", NULL};
static const char *const lang_choices[] = {"en", "fa", "vi", "az", NULL};
static const char *const lang_or_none[] = {"", "en", "fa", "vi", "az", NULL};

const struct field auth_in_login[] = {
	{"login", F_STR, true, 1, 64, NULL, "the account's login"},
	{"password", F_STR, true, 1, 1024, NULL, "the password"},
	{0}};
const struct field auth_in_me[] = {
	{"display_name", F_STR, false, 1, 200, NULL, "the name others see"},
	{"lang", F_ENUM, false, 0, 0, lang_or_none, "preferred language; empty for the browser's"},
	{0}};
const struct field auth_in_password[] = {
	{"current_password", F_STR, true, 1, 1024, NULL, NULL},
	{"new_password", F_STR, true, 1, 1024, NULL, "at least 10 characters"},
	{0}};
const struct field auth_in_token[] = {
	{"name", F_STR, true, 1, 100, NULL, "what the token is for"},
	{0}};
const struct field auth_in_user_new[] = {
	{"login", F_STR, true, 1, 64, NULL, "lower-case a-z, digits, . _ - @"},
	{"display_name", F_STR, true, 1, 200, NULL, NULL},
	{"role", F_ENUM, true, 0, 0, role_names, NULL},
	{"scope", F_STR, false, 0, 64, NULL, "region, school or organisation code; empty for the whole country"},
	{"password", F_STR, true, 1, 1024, NULL, "at least 10 characters"},
	{"lang", F_ENUM, false, 0, 0, lang_or_none, NULL},
	{0}};
const struct field auth_in_user_patch[] = {
	{"display_name", F_STR, false, 1, 200, NULL, NULL},
	{"lang", F_ENUM, false, 0, 0, lang_or_none, NULL},
	{"disabled", F_BOOL, false, 0, 0, NULL, "a disabled account cannot sign in"},
	{"person_id", F_STR, false, 0, 36, NULL, "the person record the account belongs to; \"\" unlinks"},
	{0}};
const struct field auth_in_user_password[] = {
	{"password", F_STR, true, 1, 1024, NULL, "at least 10 characters"},
	{0}};
const struct field auth_in_page[] = {
	{"limit", F_INT, false, 1, PAGE_MAX, NULL, "items per page"},
	{"cursor", F_STR, false, 0, 100, NULL, "from the previous page's next"},
	{0}};
const struct field auth_in_lang[] = {
	{"lang", F_ENUM, true, 0, 0, lang_choices, NULL},
	{"back", F_STR, false, 0, 2000, NULL, NULL},
	{0}};
const struct field auth_in_login_page[] = {
	{"back", F_STR, false, 0, 2000, NULL, NULL},
	{0}};

static void user_json(struct jw *w, const struct user *u)
{
	jw_obj(w);
	jw_kstr(w, "id", u->id);
	jw_kstr(w, "login", u->login);
	jw_kstr(w, "display_name", u->display_name);
	jw_kstr(w, "lang", u->lang);
	jw_kstr(w, "role", auth_role_name(u->role));
	jw_kstr(w, "scope", u->scope);
	jw_key(w, "person_id");
	jw_str(w, u->person_id[0] ? u->person_id : NULL);
	jw_kbool(w, "disabled", u->disabled);
	jw_kstr(w, "created_at", u->created_at);
	jw_kstr(w, "updated_at", u->updated_at);
	jw_end(w);
}

static int user_reply(struct req *r, int status, const struct user *u)
{
	user_json(req_jw(r), u);
	return req_json(r, status);
}

int auth_api_login(struct req *r)
{
	struct user u;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];
	struct jw *w;
	enum err rc;

	if ((rc = auth_login(&r->c, req_str(r, "login"), req_str(r, "password"), &u, token, csrf)) != OK)
		return req_fail(r, rc);
	auth_set_session_cookie(r, token, r->c.app->conf.session_absolute);
	w = req_jw(r);
	jw_obj(w);
	jw_kstr(w, "csrf", csrf);
	jw_key(w, "user");
	user_json(w, &u);
	jw_end(w);
	return req_json(r, 200);
}

int auth_api_logout(struct req *r)
{
	const char *token = auth_session_token(r);
	enum err rc;

	if (token && (rc = auth_logout(&r->c, token)) != OK)
		return req_fail(r, rc);
	auth_set_session_cookie(r, "", 0);
	return req_no_content(r);
}

int auth_api_me(struct req *r)
{
	return user_reply(r, 200, r->c.user);
}

int auth_api_me_patch(struct req *r)
{
	const struct user *me = r->c.user;
	struct user u;
	enum err rc;

	if ((rc = auth_user_update(&r->c, me->id, req_str(r, "display_name"), req_str(r, "lang"))) != OK ||
	    (rc = auth_user_get(&r->c, me->id, &u)) != OK)
		return req_fail(r, rc);
	return user_reply(r, 200, &u);
}

int auth_api_me_password(struct req *r)
{
	const struct user *me = r->c.user;
	enum err rc;

	if ((rc = auth_user_passwd(&r->c, me->id, req_str(r, "current_password"), req_str(r, "new_password"))) != OK)
		return req_fail(r, rc);
	/* Every session ended with the change, this one too. */
	auth_set_session_cookie(r, "", 0);
	return req_no_content(r);
}

static void token_json(struct jw *w, const struct api_token *t)
{
	jw_kstr(w, "id", t->id);
	jw_kstr(w, "name", t->name);
	jw_kstr(w, "created_at", t->created_at);
	jw_key(w, "last_used_at");
	jw_str(w, t->last_used_at[0] ? t->last_used_at : NULL);
}

int auth_api_tokens(struct req *r)
{
	struct api_token *list;
	struct jw *w;
	int n;
	enum err rc;

	if ((rc = auth_token_list(&r->c, &list, &n)) != OK)
		return req_fail(r, rc);
	w = req_list_begin(r);
	for (int i = 0; i < n; i++) {
		jw_obj(w);
		token_json(w, &list[i]);
		jw_end(w);
	}
	return req_list_end(r, w, 0);
}

int auth_api_token_create(struct req *r)
{
	struct api_token t;
	char token[SECRET_TEXT_LEN];
	struct jw *w;
	enum err rc;

	if ((rc = auth_token_create(&r->c, req_str(r, "name"), &t, token)) != OK)
		return req_fail(r, rc);
	w = req_jw(r);
	jw_obj(w);
	token_json(w, &t);
	jw_kstr(w, "token", token);
	jw_end(w);
	return req_json(r, 201);
}

int auth_api_token_revoke(struct req *r)
{
	enum err rc;

	if ((rc = auth_token_revoke(&r->c, req_param(r, "id"))) != OK)
		return req_fail(r, rc);
	return req_no_content(r);
}

int auth_api_users(struct req *r)
{
	struct user *list;
	int64_t after, next;
	struct jw *w;
	int n, st;
	enum err rc;

	if ((st = req_cursor_or_respond(r, &after)))
		return st;
	if ((rc = auth_user_list(&r->c, after, req_limit(r, PAGE_DEFAULT, PAGE_MAX), &list, &n, &next)) != OK)
		return req_fail(r, rc);
	w = req_list_begin(r);
	for (int i = 0; i < n; i++)
		user_json(w, &list[i]);
	return req_list_end(r, w, next);
}

int auth_api_user(struct req *r)
{
	struct user u;
	enum err rc;

	if ((rc = auth_user_get(&r->c, req_param(r, "id"), &u)) != OK)
		return req_fail(r, rc);
	return user_reply(r, 200, &u);
}

int auth_api_user_create(struct req *r)
{
	struct user_new n = {req_str(r, "login"), req_str(r, "display_name"), req_str(r, "role"),
			     req_str(r, "scope"), req_str(r, "password"), req_str(r, "lang")};
	struct user u;
	enum err rc;

	if ((rc = auth_user_add(&r->c, &n, &u)) != OK)
		return req_fail(r, rc);
	req_set_header(r, "Location", arena_printf(r->c.arena, "/api/v1/users/%s", u.id));
	return user_reply(r, 201, &u);
}

int auth_api_user_patch(struct req *r)
{
	const char *id = req_param(r, "id");
	struct user u;
	enum err rc;

	if ((rc = auth_user_get(&r->c, id, &u)) != OK)
		return req_fail(r, rc);
	if ((req_has(r, "display_name") || req_has(r, "lang")) &&
	    (rc = auth_user_update(&r->c, id, req_str(r, "display_name"), req_str(r, "lang"))) != OK)
		return req_fail(r, rc);
	if (req_has(r, "person_id") && (rc = auth_user_link_person(&r->c, id, req_str(r, "person_id"))) != OK)
		return req_fail(r, rc);
	if (req_has(r, "disabled") &&
	    (rc = auth_user_set_disabled(&r->c, id, json_is_true(json_object_get(r->in, "disabled")))) != OK)
		return req_fail(r, rc);
	if ((rc = auth_user_get(&r->c, id, &u)) != OK)
		return req_fail(r, rc);
	return user_reply(r, 200, &u);
}

int auth_api_user_password(struct req *r)
{
	enum err rc;

	if ((rc = auth_user_passwd(&r->c, req_param(r, "id"), NULL, req_str(r, "password"))) != OK)
		return req_fail(r, rc);
	return req_no_content(r);
}

int auth_api_audit(struct req *r)
{
	struct audit_entry *list;
	int64_t before, next;
	struct jw *w;
	int n, st;
	enum err rc;

	if ((st = req_cursor_or_respond(r, &before)))
		return st;
	if ((rc = auth_audit_list(&r->c, before, req_limit(r, PAGE_DEFAULT, PAGE_MAX), &list, &n, &next)) != OK)
		return req_fail(r, rc);
	w = req_list_begin(r);
	for (int i = 0; i < n; i++) {
		struct audit_entry *e = &list[i];
		jw_obj(w);
		jw_kstr(w, "id", e->id);
		jw_kstr(w, "at", e->at);
		jw_kstr(w, "actor_id", e->actor_id);
		jw_kstr(w, "actor_login", e->actor_login);
		jw_kstr(w, "action", e->action);
		jw_kstr(w, "object_kind", e->object_kind);
		jw_kstr(w, "object_id", e->object_id);
		jw_kstr(w, "ip", e->ip);
		jw_kstr(w, "request_id", e->request_id);
		jw_key(w, "detail");
		if (e->detail)
			jw_raw(w, e->detail);
		else
			jw_null(w);
		jw_end(w);
	}
	return req_list_end(r, w, next);
}
