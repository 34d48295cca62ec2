/*
 * session.c — signing in and out, sessions, API tokens and login
 * throttling. Tokens are random; only their hashes are stored.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "base/arena.h"
#include "base/log.h"
#include "base/banned.h"

/* Idle sessions are touched at most this often, so reading pages does not
 * mean writing to the store on every request. */
#define SESSION_TOUCH_MS 60000

static const char SQL_FAIL_GET[] = "SELECT count, window_ms FROM login_failures WHERE key = ?1";
static const char SQL_FAIL_ADD[] =
	"INSERT INTO login_failures (key, count, window_ms) VALUES (?1, 1, ?2) "
	"ON CONFLICT (key) DO UPDATE SET "
	"count = CASE WHEN login_failures.window_ms + ?3 < ?2 THEN 1 ELSE login_failures.count + 1 END, "
	"window_ms = CASE WHEN login_failures.window_ms + ?3 < ?2 THEN ?2 ELSE login_failures.window_ms END";
static const char SQL_SESSION_GET[] =
	"SELECT " USER_COLS ", s.csrf, s.created_ms, s.seen_ms "
	"FROM sessions s JOIN users u ON u.uid = s.user_uid WHERE s.token_hash = ?1";
static const char SQL_TOKEN_USER[] =
	"SELECT " USER_COLS ", COALESCE(t.last_used_at, '') FROM api_tokens t JOIN users u ON u.uid = t.user_uid "
	"WHERE t.token_hash = ?1 AND t.revoked_at IS NULL";

/* A fixed Argon2id hash to verify against when the login is unknown, so
 * that answer takes as long as a wrong password. Made on first use. */
static enum err dummy_verify(struct ctx *c, const char *password)
{
	char hash[crypto_pwhash_STRBYTES];
	enum err rc = password_hash(c, "reach-no-such-account", hash, sizeof hash);

	/* The outcome is known (no account); only the time spent matters. */
	if (rc == OK && crypto_pwhash_str_verify(hash, password, strlen(password)) == 0)
		log_msg(LOG_DEBUG, c->req_id, "the dummy password matched");
	return rc;
}

static enum err throttled(struct ctx *c, const char *key, int64_t limit, bool *over)
{
	const struct conf *cf = &c->app->conf;
	struct stmt *st;
	enum err rc;

	*over = false;
	if ((rc = store_query(c->store, &st, SQL_FAIL_GET, "t", key)) != OK)
		return rc;
	if (store_next(st))
		*over = store_int(st, 0) >= limit && store_int(st, 1) + cf->login_window * 1000 >= time_now_ms();
	return store_done(st);
}

static enum err record_failure(struct ctx *c, const char *key)
{
	return store_exec(c->store, SQL_FAIL_ADD, "tii", key, time_now_ms(),
			  c->app->conf.login_window * 1000);
}

static enum err session_create(struct ctx *c, const struct user *u, char token[SECRET_TEXT_LEN],
			       char csrf[SECRET_TEXT_LEN])
{
	char h[SECRET_HASH_LEN];
	int64_t now = time_now_ms();
	enum err rc;

	secret_new(token);
	secret_new(csrf);
	secret_hash(token, strlen(token), h);
	c->user = u; /* from here on the request acts as the one who signed in */
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_exec(c->store,
			     "INSERT INTO sessions (token_hash, user_uid, csrf, created_ms, seen_ms, ip) "
			     "VALUES (?1, ?2, ?3, ?4, ?4, ?5)", "titit", h, u->uid, csrf, now, c->ip)) != OK ||
	    (rc = store_exec(c->store, "DELETE FROM login_failures WHERE key = ?1", "t",
			     arena_printf(c->arena, "a:%s", u->login))) != OK ||
	    (rc = auth_audit(c, "session.login", "user", u->id, NULL)) != OK ||
	    (rc = store_commit(c->store)) != OK)
		store_rollback(c->store);
	return rc;
}

enum err auth_login(struct ctx *c, const char *login, const char *password, struct user *u,
		    char token[SECRET_TEXT_LEN], char csrf[SECRET_TEXT_LEN])
{
	const struct conf *cf = &c->app->conf;
	const char *akey = arena_printf(c->arena, "a:%s", login);
	const char *ikey = arena_printf(c->arena, "i:%s", c->ip);
	char hash[crypto_pwhash_STRBYTES + 1];
	struct stmt *st;
	bool over_a, over_i, found, ok = false;
	enum err rc;

	if ((rc = throttled(c, akey, cf->login_account_limit, &over_a)) != OK ||
	    (rc = throttled(c, ikey, cf->login_ip_limit, &over_i)) != OK)
		return rc;
	if (over_a || over_i) {
		log_msg(LOG_WARN, c->req_id, "login throttled for %s from %s", over_a ? "account" : "address",
			c->ip);
		return ctx_fail(c, ERR_THROTTLED, NULL, "%s", _("Too many attempts. Try again later."));
	}
	if ((rc = store_query(c->store, &st, "SELECT " USER_COLS " FROM users u WHERE login = ?1", "t", login)) != OK)
		return rc;
	if ((found = store_next(st)))
		user_row(st, u, hash, sizeof hash);
	if ((rc = store_done(st)) != OK)
		return rc;
	if (found)
		ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0 && !u->disabled;
	else if ((rc = dummy_verify(c, password)) != OK)
		return rc;
	if (!ok) {
		if ((rc = record_failure(c, akey)) != OK || (rc = record_failure(c, ikey)) != OK)
			return rc;
		return ctx_fail(c, ERR_AUTH, NULL, "%s", _("Wrong login or password."));
	}
	return session_create(c, u, token, csrf);
}

enum err auth_session(struct ctx *c, const char *token, struct user *u, char csrf[SECRET_TEXT_LEN])
{
	const struct conf *cf = &c->app->conf;
	char h[SECRET_HASH_LEN];
	int64_t now = time_now_ms(), created = 0, seen = 0;
	struct stmt *st;
	bool found;
	enum err rc;

	if (!token || strlen(token) != SECRET_TEXT_LEN - 1)
		return ERR_AUTH;
	secret_hash(token, strlen(token), h);
	if ((rc = store_query(c->store, &st, SQL_SESSION_GET, "t", h)) != OK)
		return rc;
	if ((found = store_next(st))) {
		user_row(st, u, NULL, 0);
		snprintf(csrf, SECRET_TEXT_LEN, "%s", store_text(st, 12));
		created = store_int(st, 13);
		seen = store_int(st, 14);
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	if (!found || u->disabled)
		return ERR_AUTH;
	if (now - seen > cf->session_idle * 1000 || now - created > cf->session_absolute * 1000) {
		store_exec(c->store, "DELETE FROM sessions WHERE token_hash = ?1", "t", h);
		return ERR_AUTH;
	}
	if (now - seen > SESSION_TOUCH_MS)
		store_exec(c->store, "UPDATE sessions SET seen_ms = ?2 WHERE token_hash = ?1", "ti", h, now);
	return OK;
}

enum err auth_logout(struct ctx *c, const char *token)
{
	char h[SECRET_HASH_LEN];
	enum err rc;

	secret_hash(token, strlen(token), h);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_exec(c->store, "DELETE FROM sessions WHERE token_hash = ?1", "t", h)) != OK ||
	    (c->user && (rc = auth_audit(c, "session.logout", "user", ((const struct user *)c->user)->id,
					 NULL)) != OK) ||
	    (rc = store_commit(c->store)) != OK)
		store_rollback(c->store);
	return rc;
}

enum err revoke_all(struct ctx *c, int64_t uid)
{
	char now[TIME_ISO_LEN];
	enum err rc;

	time_now_iso(now);
	if ((rc = store_exec(c->store, "DELETE FROM sessions WHERE user_uid = ?1", "i", uid)) != OK)
		return rc;
	return store_exec(c->store,
			  "UPDATE api_tokens SET revoked_at = ?2, updated_at = ?2 WHERE user_uid = ?1 AND revoked_at IS NULL",
			  "it", uid, now);
}

enum err auth_token_create(struct ctx *c, const char *name, struct api_token *t,
			   char token[SECRET_TEXT_LEN])
{
	const struct user *u = c->user;
	char h[SECRET_HASH_LEN];
	int64_t seq;
	enum err rc;

	if (!u)
		return ctx_fail(c, ERR_AUTH, NULL, "%s", _("Please sign in."));
	memset(t, 0, sizeof *t);
	id_new(t->id);
	snprintf(t->name, sizeof t->name, "%s", name);
	time_now_iso(t->created_at);
	secret_new(token);
	secret_hash(token, strlen(token), h);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK ||
	    (rc = store_exec(c->store,
			     "INSERT INTO api_tokens (id, user_uid, name, token_hash, created_at, updated_at, seq) "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)", "tittti",
			     t->id, u->uid, name, h, t->created_at, seq)) != OK ||
	    (rc = auth_audit(c, "token.create", "api_token", t->id, NULL)) != OK ||
	    (rc = store_commit(c->store)) != OK)
		store_rollback(c->store);
	return rc;
}

enum err auth_token_revoke(struct ctx *c, const char *id)
{
	const struct user *u = c->user;
	char now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;

	if (!u)
		return ctx_fail(c, ERR_AUTH, NULL, "%s", _("Please sign in."));
	time_now_iso(now);
	if ((rc = store_begin(c->store)) != OK)
		return rc;
	if ((rc = store_seq_next(c->store, &seq)) != OK ||
	    (rc = store_exec(c->store,
			     "UPDATE api_tokens SET revoked_at = ?3, updated_at = ?3, seq = ?4 "
			     "WHERE id = ?1 AND user_uid = ?2 AND revoked_at IS NULL", "titi", id, u->uid, now, seq)) != OK)
		goto fail;
	/* Someone else's token is "not found": its existence is not ours to know. */
	if (store_changes(c->store) == 0) {
		rc = ctx_fail(c, ERR_NOTFOUND, "id", "%s", _("There is no such token."));
		goto fail;
	}
	if ((rc = auth_audit(c, "token.revoke", "api_token", id, NULL)) != OK ||
	    (rc = store_commit(c->store)) != OK)
		goto fail;
	return OK;
fail:
	store_rollback(c->store);
	return rc;
}

enum err auth_token_list(struct ctx *c, struct api_token **out, int *n)
{
	const struct user *u = c->user;
	struct stmt *st;
	int64_t count = 0;
	enum err rc;
	int k = 0;

	if (!u)
		return ctx_fail(c, ERR_AUTH, NULL, "%s", _("Please sign in."));
	if ((rc = store_int1(c->store, &count, "SELECT COUNT(*) FROM api_tokens WHERE user_uid = ?1 AND revoked_at IS NULL",
			     "i", u->uid)) != OK)
		return rc;
	*out = arena_alloc(c->arena, sizeof **out * (size_t)(count + 1));
	if ((rc = store_query(c->store, &st,
			      "SELECT id, name, created_at, COALESCE(last_used_at, '') FROM api_tokens "
			      "WHERE user_uid = ?1 AND revoked_at IS NULL ORDER BY uid", "i", u->uid)) != OK)
		return rc;
	while (store_next(st) && k < count) {
		struct api_token *t = &(*out)[k++];
		snprintf(t->id, sizeof t->id, "%s", store_text(st, 0));
		snprintf(t->name, sizeof t->name, "%s", store_text(st, 1));
		snprintf(t->created_at, sizeof t->created_at, "%s", store_text(st, 2));
		snprintf(t->last_used_at, sizeof t->last_used_at, "%s", store_text(st, 3));
	}
	*n = k;
	return store_done(st);
}

enum err auth_token_user(struct ctx *c, const char *token, struct user *u)
{
	char h[SECRET_HASH_LEN], now[TIME_ISO_LEN], used[TIME_ISO_LEN] = "";
	struct stmt *st;
	bool found;
	enum err rc;

	if (!token || strlen(token) != SECRET_TEXT_LEN - 1)
		return ERR_AUTH;
	secret_hash(token, strlen(token), h);
	if ((rc = store_query(c->store, &st, SQL_TOKEN_USER, "t", h)) != OK)
		return rc;
	if ((found = store_next(st))) {
		user_row(st, u, NULL, 0);
		snprintf(used, sizeof used, "%s", store_text(st, 12));
	}
	if ((rc = store_done(st)) != OK)
		return rc;
	if (!found || u->disabled)
		return ERR_AUTH;
	/* Minute precision is enough to tell a token still in use, and it
	 * keeps reads from writing (a write takes the store's one lock). */
	time_now_iso(now);
	if (strncmp(used, now, 16) != 0)
		store_exec(c->store, "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1", "tt", h, now);
	return OK;
}
