/*
 * auth.h — accounts, roles and scopes, passwords, sessions, API tokens,
 * login throttling, the access policy and the audit log.
 *
 * Who may do what is decided in exactly one place, auth_can(). Every
 * handler asks it; none decides for itself.
 *
 * Secrets: passwords are stored as Argon2id hashes (libsodium); session
 * and API tokens are 256 random bits handed to the client once and stored
 * only as a hash, so a copy of the database opens no session. Plain
 * passwords and tokens are wiped from memory after use.
 *
 * Every change (and every export of personal data) is written to the audit
 * log in the same transaction as the change itself: who, when, what, which
 * object, from where.
 */
#ifndef AUTH_AUTH_H
#define AUTH_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "base/id.h"
#include "base/timeutil.h"

#define AUTH_LOGIN_MAX 64        /* characters */
#define AUTH_NAME_MAX 200        /* characters of a display name */
#define AUTH_SCOPE_MAX 64
#define AUTH_PASSWORD_MIN 10
#define AUTH_PASSWORD_MAX 1024   /* bytes */
#define AUTH_TOKEN_NAME_MAX 100
#define AUTH_SESSION_COOKIE "reach_session"
#define AUTH_LANG_COOKIE "reach_lang"

enum role {
	ROLE_NONE = 0,
	ROLE_ADMIN,
	ROLE_NATIONAL_OFFICER,
	ROLE_PROVINCE_OFFICER,
	ROLE_DISTRICT_OFFICER,
	ROLE_SCHOOL_HEAD,
	ROLE_TEACHER,
	ROLE_STUDENT,
	ROLE_GUARDIAN,
	ROLE_CASE_WORKER,
	ROLE_DONOR,
	ROLE_LEARNER,
	ROLE__COUNT
};

/* What a caller wants to do. Route tables name one per route. */
enum action {
	ACT_PUBLIC = 0,       /* anyone, signed in or not */
	ACT_SIGNED_IN,        /* any active account: its own profile, tokens, jobs */
	ACT_ACCOUNT_ADMIN,    /* create, change, disable accounts */
	ACT_AUDIT_READ,       /* read the audit log */
	ACT_BACKUP,           /* take backups of the instance */
	ACT_JOB_READ_ANY,     /* read anyone's background jobs */
	ACT_AGGREGATE_READ,   /* totals and dashboards, no personal data */
	ACT_REGISTRY_READ,    /* schools and regions in scope */
	ACT_REGISTRY_WRITE,   /* change schools and regions in scope */
	ACT_PERSON_READ,      /* personal data of people in scope */
	ACT_PERSON_WRITE,     /* change people in scope */
	ACT_PERSON_EXPORT,    /* export personal data in scope */
	ACT_IMPORT,           /* bulk imports in scope */
	ACT__COUNT
};

struct user {
	int64_t uid;                         /* inside the store only */
	char id[ID_LEN];
	char login[AUTH_LOGIN_MAX * 4 + 1];
	char display_name[AUTH_NAME_MAX * 4 + 1];
	char lang[8];                        /* "" when the account has not chosen */
	enum role role;
	char scope[AUTH_SCOPE_MAX + 1];      /* "" is the whole country */
	char person_id[ID_LEN];              /* "" until linked to a person record */
	bool disabled;
	char created_at[TIME_ISO_LEN];
	char updated_at[TIME_ISO_LEN];
};

/*
 * Where an object sits, for the policy: the codes of the regions, school
 * and class above it from the top down (["IR", "IR-07", "IR-07-03",
 * "S1234"]), the organisation it belongs to, and the people it is about
 * (a learner and their guardians), each possibly absent.
 */
struct scope {
	const char *const *path;
	int depth;
	const char *org;
	const char *const *people;
	int npeople;
};

/* The stable names ("district_officer") and the role for a name. */
const char *auth_role_name(enum role r);
enum role auth_role_parse(const char *name);
/* A label for people, in English, to be translated with _(). */
const char *auth_role_label(enum role r);

/*
 * The policy. True when u may do a to an object in scope obj; obj NULL
 * asks "may u do a anywhere at all" (to show a page, or to gate a route
 * before the object is known). A NULL or disabled user may only do
 * ACT_PUBLIC. Roles with a regional or school scope reach the objects at
 * or below their scope; learners and guardians reach only objects about
 * themselves (people); donors see aggregates only.
 */
bool auth_can(const struct user *u, enum action a, const struct scope *obj);

/* Accounts. Validation errors name the field. */
struct user_new {
	const char *login, *display_name, *role, *scope, *password, *lang;
};
enum err auth_user_add(struct ctx *c, const struct user_new *n, struct user *out);
enum err auth_user_get(struct ctx *c, const char *id, struct user *out);
enum err auth_user_by_login(struct ctx *c, const char *login, struct user *out);
enum err auth_user_update(struct ctx *c, const char *id, const char *display_name, const char *lang);
enum err auth_user_set_disabled(struct ctx *c, const char *id, bool disabled);
/* Links an account to the person record it belongs to (a learner's,
 * guardian's or teacher's), so the policy can tell what is about them;
 * person_id "" unlinks. ERR_INVALID when there is no such person. */
enum err auth_user_link_person(struct ctx *c, const char *id, const char *person_id);
/* Changes a password and ends every session and token of the account.
 * old may be NULL when an administrator (or the command line) resets it. */
enum err auth_user_passwd(struct ctx *c, const char *id, const char *old, const char *password);
/* Up to limit accounts after the one with internal key after (0: from
 * the start), in order; *next is the key to continue from, 0 at the end. */
enum err auth_user_list(struct ctx *c, int64_t after, int limit, struct user **out, int *n,
			int64_t *next);
/* The number of accounts (for "is this instance new"). */
enum err auth_user_count(struct ctx *c, int64_t *n);

/* Sessions. auth_login checks throttling (ERR_THROTTLED), then the
 * password; an unknown login and a wrong password give the same ERR_AUTH
 * after the same work. On success token (SECRET_TEXT_LEN) is the cookie
 * value and csrf the token for state-changing requests. */
enum err auth_login(struct ctx *c, const char *login, const char *password, struct user *u,
		    char token[SECRET_TEXT_LEN], char csrf[SECRET_TEXT_LEN]);
/* Finds the live session for a cookie token (ERR_AUTH when there is none
 * or it expired), touching its idle timer. */
enum err auth_session(struct ctx *c, const char *token, struct user *u, char csrf[SECRET_TEXT_LEN]);
enum err auth_logout(struct ctx *c, const char *token);

/* API tokens, for machine clients: created and revoked by their owner. */
struct api_token {
	char id[ID_LEN];
	char name[AUTH_TOKEN_NAME_MAX * 4 + 1];
	char created_at[TIME_ISO_LEN];
	char last_used_at[TIME_ISO_LEN];
};
enum err auth_token_create(struct ctx *c, const char *name, struct api_token *t,
			   char token[SECRET_TEXT_LEN]);
enum err auth_token_revoke(struct ctx *c, const char *id);
enum err auth_token_list(struct ctx *c, struct api_token **out, int *n);
/* Finds the account behind a bearer token (ERR_AUTH when unknown,
 * revoked or its account is disabled). */
enum err auth_token_user(struct ctx *c, const char *token, struct user *u);

/* The audit log. detail is a JSON object text or NULL. Call inside the
 * transaction that makes the change. */
enum err auth_audit(struct ctx *c, const char *action, const char *kind, const char *object_id,
		    const char *detail);
struct audit_entry {
	int64_t key;
	const char *id, *at, *actor_id, *actor_login, *action, *object_kind, *object_id, *ip,
		*request_id, *detail;
};
/* Newest first: up to limit entries older than key before (0: newest). */
enum err auth_audit_list(struct ctx *c, int64_t before, int limit, struct audit_entry **out, int *n,
			 int64_t *next);

#endif
