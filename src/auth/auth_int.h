/*
 * auth_int.h — what the files of auth/ share.
 */
#ifndef AUTH_INT_H
#define AUTH_INT_H

#include "auth/auth.h"
#include "store/store.h"

/* The columns user_row reads, in order. */
#define USER_COLS "u.uid, u.id, u.login, u.display_name, u.lang, u.role, u.scope, " \
		  "COALESCE(u.person_id, ''), u.disabled, u.created_at, u.updated_at, u.password_hash"

/* Fills u from a row selected with USER_COLS; hash (may be NULL) gets
 * the password hash. */
void user_row(struct stmt *st, struct user *u, char *hash, size_t hashlen);

/* Hashes a password with Argon2id at the instance's cost. */
enum err password_hash(struct ctx *c, const char *password, char *out, size_t outlen);

/* Checks a new password's length and returns ERR_INVALID with a message. */
enum err password_check(struct ctx *c, const char *field, const char *password);

/* Ends every session and API token of an account (inside a transaction). */
enum err revoke_all(struct ctx *c, int64_t uid);

#endif
