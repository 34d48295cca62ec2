/*
 * account.c — accounts: creating, reading, changing, disabling.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/auth_int.h"
#include "base/arena.h"
#include "base/jw.h"
#include "base/utf8.h"
#include "base/banned.h"

#define HASH_MAX 256 /* crypto_pwhash_STRBYTES is 128 */

static const char SQL_USER_BY_ID[] = "SELECT " USER_COLS " FROM users u WHERE id = ?1";
static const char SQL_USER_BY_LOGIN[] = "SELECT " USER_COLS " FROM users u WHERE login = ?1";
static const char SQL_USER_INSERT[] =
	"INSERT INTO users (id, login, display_name, lang, role, scope, password_hash, "
	"password_changed_ms, created_at, updated_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)";
static const char SQL_USER_LIST[] =
	"SELECT " USER_COLS " FROM users u WHERE u.uid > ?1 ORDER BY u.uid LIMIT ?2";

/* Copies a column into a fixed field (sized for the longest valid value,
 * so nothing valid is cut); cheaper than snprintf on every request. */
static void copy(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		n = size - 1;
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

void user_row(struct stmt *st, struct user *u, char *hash, size_t hashlen)
{
	memset(u, 0, sizeof *u);
	u->uid = store_int(st, 0);
	copy(u->id, sizeof u->id, store_text(st, 1));
	copy(u->login, sizeof u->login, store_text(st, 2));
	copy(u->display_name, sizeof u->display_name, store_text(st, 3));
	copy(u->lang, sizeof u->lang, store_text(st, 4));
	u->role = auth_role_parse(store_text(st, 5));
	copy(u->scope, sizeof u->scope, store_text(st, 6));
	copy(u->person_id, sizeof u->person_id, store_text(st, 7));
	u->disabled = store_int(st, 8) != 0;
	copy(u->created_at, sizeof u->created_at, store_text(st, 9));
	copy(u->updated_at, sizeof u->updated_at, store_text(st, 10));
	if (hash)
		copy(hash, hashlen, store_text(st, 11));
}

enum err password_check(struct ctx *c, const char *field, const char *password)
{
	size_t n = password ? strlen(password) : 0;

	if (!password || utf8_len(password, n) < AUTH_PASSWORD_MIN)
		return ctx_fail(c, ERR_INVALID, field, "%s", _("Passwords must be at least 10 characters long."));
	if (n > AUTH_PASSWORD_MAX || !utf8_valid(password, n, NULL))
		return ctx_fail(c, ERR_INVALID, field, "%s", _("The password is too long or not valid text."));
	return OK;
}

enum err password_hash(struct ctx *c, const char *password, char *out, size_t outlen)
{
	const struct conf *cf = &c->app->conf;

	if (outlen < crypto_pwhash_STRBYTES)
		BUG("password hash buffer too small");
	if (crypto_pwhash_str_alg(out, password, strlen(password), (unsigned long long)cf->password_opslimit,
				  (size_t)cf->password_memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return ctx_fail(c, ERR_INTERNAL, NULL, "cannot hash the password (out of memory?)");
	return OK;
}

/* Logins are what people type to sign in: short, lower-case ASCII letters,
 * digits and . _ - @, so they look the same on every keyboard. */
static enum err login_check(struct ctx *c, const char *login)
{
	size_t n = login ? strlen(login) : 0;

	if (n < 1 || n > AUTH_LOGIN_MAX)
		return ctx_fail(c, ERR_INVALID, "login", "%s", _("A login has 1 to 64 characters."));
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)login[i];
		if (!(islower(ch) || isdigit(ch) || ch == '.' || ch == '_' || ch == '-' || ch == '@'))
			return ctx_fail(c, ERR_INVALID, "login", "%s",
					_("A login may hold only lower-case letters a-z, digits and . _ - @"));
	}
	return OK;
}

static enum err name_check(struct ctx *c, const char *name)
{
	size_t n = name ? strlen(name) : 0;

	size_t blank = 0;

	while (blank < n && isspace((unsigned char)name[blank]))
		blank++;
	if (blank == n || !utf8_valid(name, n, NULL) || utf8_len(name, n) > AUTH_NAME_MAX)
		return ctx_fail(c, ERR_INVALID, "display_name", "%s",
				_("A display name has 1 to 200 characters."));
	return OK;
}

static enum err lang_check(struct ctx *c, const char *lang)
{
	static const char *const langs[] = {"", "en", "fa", "vi", "az"};

	for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
		if (lang && strcmp(lang, langs[i]) == 0)
			return OK;
	return ctx_fail(c, ERR_INVALID, "lang", "%s", _("The language must be en, fa, vi or az."));
}

struct add_arg {
	const struct user_new *n;
	const char *hash;
	struct user *out;
};

static enum err add_tx(struct ctx *c, void *arg)
{
	struct add_arg *a = arg;
	char id[ID_LEN], now[TIME_ISO_LEN];
	int64_t seq;
	enum err rc;
	struct buf d;
	struct jw w;

	id_new(id);
	time_now_iso(now);
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	rc = store_exec(c->store, SQL_USER_INSERT, "tttttttiti", id, a->n->login, a->n->display_name,
			a->n->lang ? a->n->lang : "", a->n->role, a->n->scope ? a->n->scope : "", a->hash,
			time_now_ms(), now, seq);
	if (rc == ERR_EXISTS)
		return ctx_fail(c, ERR_EXISTS, "login", "%s", _("This login is already taken."));
	if (rc != OK)
		return rc;
	buf_init(&d, 4096);
	jw_init(&w, &d);
	jw_obj(&w);
	jw_kstr(&w, "login", a->n->login);
	jw_kstr(&w, "role", a->n->role);
	jw_kstr(&w, "scope", a->n->scope ? a->n->scope : "");
	jw_end(&w);
	rc = auth_audit(c, "user.create", "user", id, d.p);
	buf_release(&d);
	if (rc == OK)
		rc = auth_user_get(c, id, a->out);
	return rc;
}

enum err auth_user_add(struct ctx *c, const struct user_new *n, struct user *out)
{
	char hash[HASH_MAX];
	struct add_arg a = {n, hash, out};
	enum err rc;

	if ((rc = login_check(c, n->login)) != OK || (rc = name_check(c, n->display_name)) != OK ||
	    (rc = lang_check(c, n->lang ? n->lang : "")) != OK ||
	    (rc = password_check(c, "password", n->password)) != OK)
		return rc;
	if (auth_role_parse(n->role) == ROLE_NONE)
		return ctx_fail(c, ERR_INVALID, "role", "%s", _("There is no such role."));
	if (n->scope && strlen(n->scope) > AUTH_SCOPE_MAX)
		return ctx_fail(c, ERR_INVALID, "scope", "%s", _("A scope code has at most 64 characters."));
	if ((rc = password_hash(c, n->password, hash, sizeof hash)) != OK)
		return rc;
	rc = ctx_tx(c, add_tx, &a);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

static enum err get_one(struct ctx *c, const char *sql, const char *key, struct user *out, char *hash,
			size_t hashlen)
{
	struct stmt *st;
	enum err rc;
	bool found;

	if ((rc = store_query(c->store, &st, sql, "t", key)) != OK)
		return rc;
	if ((found = store_next(st)))
		user_row(st, out, hash, hashlen);
	if ((rc = store_done(st)) != OK)
		return rc;
	return found ? OK : ctx_fail(c, ERR_NOTFOUND, NULL, "%s", _("There is no such account."));
}

enum err auth_user_get(struct ctx *c, const char *id, struct user *out)
{
	return get_one(c, SQL_USER_BY_ID, id, out, NULL, 0);
}

enum err auth_user_by_login(struct ctx *c, const char *login, struct user *out)
{
	return get_one(c, SQL_USER_BY_LOGIN, login, out, NULL, 0);
}

struct update_arg {
	const char *id, *name, *lang;
	int disabled; /* -1: unchanged */
};

static enum err update_tx(struct ctx *c, void *arg)
{
	struct update_arg *a = arg;
	char now[TIME_ISO_LEN];
	struct user u;
	int64_t seq;
	enum err rc;
	struct buf d;
	struct jw w;

	if ((rc = auth_user_get(c, a->id, &u)) != OK || (rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	rc = store_exec(c->store,
			"UPDATE users SET display_name = COALESCE(?2, display_name), lang = COALESCE(?3, lang), "
			"disabled = CASE WHEN ?4 < 0 THEN disabled ELSE ?4 END, updated_at = ?5, seq = ?6 WHERE id = ?1",
			"tttiti", a->id, a->name, a->lang, (int64_t)a->disabled, now, seq);
	if (rc != OK)
		return rc;
	if (a->disabled == 1 && (rc = revoke_all(c, u.uid)) != OK)
		return rc;
	buf_init(&d, 4096);
	jw_init(&w, &d);
	jw_obj(&w);
	if (a->name)
		jw_kstr(&w, "display_name", a->name);
	if (a->lang)
		jw_kstr(&w, "lang", a->lang);
	if (a->disabled >= 0)
		jw_kbool(&w, "disabled", a->disabled);
	jw_end(&w);
	rc = auth_audit(c, a->disabled == 1 ? "user.disable" : a->disabled == 0 ? "user.enable" : "user.update",
			"user", a->id, d.p);
	buf_release(&d);
	return rc;
}

enum err auth_user_update(struct ctx *c, const char *id, const char *display_name, const char *lang)
{
	struct update_arg a = {id, display_name, lang, -1};
	enum err rc;

	if (display_name && (rc = name_check(c, display_name)) != OK)
		return rc;
	if (lang && (rc = lang_check(c, lang)) != OK)
		return rc;
	return ctx_tx(c, update_tx, &a);
}

enum err auth_user_set_disabled(struct ctx *c, const char *id, bool disabled)
{
	const struct user *me = c->user;
	struct update_arg a = {id, NULL, NULL, disabled ? 1 : 0};

	/* Locking oneself out is never what an administrator meant. */
	if (disabled && me && strcmp(me->id, id) == 0)
		return ctx_fail(c, ERR_INVALID, "disabled", "%s", _("You cannot disable your own account."));
	return ctx_tx(c, update_tx, &a);
}

struct passwd_arg {
	const char *id, *old, *hash;
};

static enum err passwd_tx(struct ctx *c, void *arg)
{
	struct passwd_arg *a = arg;
	char now[TIME_ISO_LEN], old_hash[HASH_MAX];
	struct user u;
	int64_t seq;
	enum err rc;

	if ((rc = get_one(c, SQL_USER_BY_ID, a->id, &u, old_hash, sizeof old_hash)) != OK)
		return rc;
	if (a->old && crypto_pwhash_str_verify(old_hash, a->old, strlen(a->old)) != 0)
		return ctx_fail(c, ERR_INVALID, "current_password", "%s", _("The current password is wrong."));
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	rc = store_exec(c->store,
			"UPDATE users SET password_hash = ?2, password_changed_ms = ?3, updated_at = ?4, seq = ?5 "
			"WHERE id = ?1", "ttiti", a->id, a->hash, time_now_ms(), now, seq);
	if (rc == OK)
		rc = revoke_all(c, u.uid);
	if (rc == OK)
		rc = auth_audit(c, "user.password", "user", a->id, NULL);
	return rc;
}

enum err auth_user_passwd(struct ctx *c, const char *id, const char *old, const char *password)
{
	char hash[HASH_MAX];
	struct passwd_arg a = {id, old, hash};
	enum err rc;

	if ((rc = password_check(c, "new_password", password)) != OK ||
	    (rc = password_hash(c, password, hash, sizeof hash)) != OK)
		return rc;
	rc = ctx_tx(c, passwd_tx, &a);
	sodium_memzero(hash, sizeof hash);
	return rc;
}

enum err auth_user_list(struct ctx *c, int64_t after, int limit, struct user **out, int *n,
			int64_t *next)
{
	struct stmt *st;
	struct user *list;
	enum err rc;
	int k = 0;

	if (limit < 1)
		limit = 1;
	list = arena_alloc(c->arena, sizeof *list * (size_t)(limit + 1));

	if ((rc = store_query(c->store, &st, SQL_USER_LIST, "ii", after, (int64_t)limit + 1)) != OK)
		return rc;
	while (store_next(st) && k <= limit)
		user_row(st, &list[k++], NULL, 0);
	if ((rc = store_done(st)) != OK)
		return rc;
	*next = k > limit ? list[limit - 1].uid : 0;
	*n = k > limit ? limit : k;
	*out = list;
	return OK;
}

enum err auth_user_count(struct ctx *c, int64_t *n)
{
	return store_int1(c->store, n, "SELECT COUNT(*) FROM users", "");
}

struct link_arg {
	const char *id, *person_id;
};

static enum err link_tx(struct ctx *c, void *arg)
{
	struct link_arg *a = arg;
	char now[TIME_ISO_LEN];
	int64_t seq, found;
	struct user u;
	enum err rc;
	struct buf d;
	struct jw w;

	if ((rc = auth_user_get(c, a->id, &u)) != OK)
		return rc;
	if (*a->person_id &&
	    store_int1(c->store, &found, "SELECT 1 FROM people WHERE id = ?1", "t", a->person_id) != OK)
		return ctx_fail(c, ERR_INVALID, "person_id", "%s", _("There is no such person."));
	if ((rc = store_seq_next(c->store, &seq)) != OK)
		return rc;
	time_now_iso(now);
	if ((rc = store_exec(c->store, "UPDATE users SET person_id = ?2, updated_at = ?3, seq = ?4 WHERE id = ?1",
			     "ttti", a->id, *a->person_id ? a->person_id : NULL, now, seq)) != OK)
		return rc;
	buf_init(&d, 256);
	jw_init(&w, &d);
	jw_obj(&w);
	jw_kstr(&w, "person_id", a->person_id);
	jw_end(&w);
	rc = auth_audit(c, "user.link_person", "user", a->id, d.p);
	buf_release(&d);
	return rc;
}

enum err auth_user_link_person(struct ctx *c, const char *id, const char *person_id)
{
	struct link_arg a = {id, person_id ? person_id : ""};
	return ctx_tx(c, link_tx, &a);
}
