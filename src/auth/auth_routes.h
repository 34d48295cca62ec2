/*
 * auth_routes.h — the HTTP face of auth/: the gate the server calls before
 * every handler, and the handlers for signing in and out, the account,
 * tokens, accounts administration and the audit log (JSON and pages).
 */
#ifndef AUTH_ROUTES_H
#define AUTH_ROUTES_H

#include "http/http.h"

/* The http_config gate: identifies the caller, picks the language, refuses
 * cross-site state changes, and checks the route's action with auth_can. */
int auth_gate(struct req *r);

/* After the input is read: a state change made with the session cookie
 * must carry the session's CSRF token (X-CSRF-Token, or a form field
 * "csrf"). 0, or the status of the 403 answered. */
int auth_csrf_or_respond(struct req *r);

/* The session cookie's token when the caller came with one, else NULL. */
const char *auth_session_token(struct req *r);

/* Sets (or with max_age 0 clears) the session cookie. */
void auth_set_session_cookie(struct req *r, const char *token, int64_t max_age);

extern const struct field auth_in_login[], auth_in_me[], auth_in_password[], auth_in_token[],
	auth_in_user_new[], auth_in_user_patch[], auth_in_user_password[], auth_in_page[],
	auth_in_lang[], auth_in_login_page[];

int auth_api_login(struct req *r);
int auth_api_logout(struct req *r);
int auth_api_me(struct req *r);
int auth_api_me_patch(struct req *r);
int auth_api_me_password(struct req *r);
int auth_api_tokens(struct req *r);
int auth_api_token_create(struct req *r);
int auth_api_token_revoke(struct req *r);
int auth_api_users(struct req *r);
int auth_api_user(struct req *r);
int auth_api_user_create(struct req *r);
int auth_api_user_patch(struct req *r);
int auth_api_user_password(struct req *r);
int auth_api_audit(struct req *r);

int auth_page_home(struct req *r);
int auth_page_login(struct req *r);
int auth_page_login_post(struct req *r);
int auth_page_logout(struct req *r);
int auth_page_lang(struct req *r);
int auth_page_account(struct req *r);
int auth_page_account_post(struct req *r);
int auth_page_password_post(struct req *r);
int auth_page_users(struct req *r);
int auth_page_user_create(struct req *r);
int auth_page_user_disable(struct req *r);
int auth_page_user_enable(struct req *r);
int auth_page_audit(struct req *r);

#endif
