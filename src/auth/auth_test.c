/*
 * auth_test.c — the access policy, accounts, passwords, sessions and
 * their expiry, login throttling, API tokens and the audit log, against a
 * real store in a temporary directory.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "auth/auth.h"
#include "base/arena.h"
#include "base/log.h"
#include "store/store.h"
#include "base/banned.h"

#define PASSWORD "correct horse battery"

struct fx {
	char *dir;
	struct app app;
	struct store *store;
	struct ctx c;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	struct errinfo ei = {0};

	if (!f)
		return -1;
	if (!(f->dir = unit_temp_dir()))
		return -1;
	conf_defaults(&f->app.conf);
	/* Cheap hashes: the cost is the instance's choice, not the test's. */
	if (conf_set(&f->app.conf, "password_memlimit", "65536", &ei) != OK ||
	    conf_set(&f->app.conf, "password_opslimit", "1", &ei) != OK)
		return -1;
	snprintf(f->app.conf.data, sizeof f->app.conf.data, "%s", f->dir);
	if (store_open(f->dir, true, &f->store, &ei) != OK)
		return -1;
	f->c.app = &f->app;
	f->c.store = f->store;
	f->c.arena = arena_new();
	f->c.lang = "en";
	f->c.ip = "192.0.2.7";
	f->c.req_id = "req-test";
	f->c.user_login = "tester";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	arena_free(f->c.arena);
	store_close(f->store);
	unit_remove_dir(f->dir);
	free(f);
	return 0;
}

/* Adds an account as the command line would (no acting user). */
static void add_user(struct fx *f, const char *login, const char *role, const char *scope, struct user *out)
{
	struct user_new n = {login, "Test Person", role, scope, PASSWORD, "en"};
	const struct user *was = f->c.user;

	f->c.user = NULL;
	err_clear(&f->c.err);
	assert_int_equal(auth_user_add(&f->c, &n, out), OK);
	f->c.user = was;
}

static int64_t audit_count(struct fx *f, const char *action, const char *actor_id, const char *object_id)
{
	int64_t n = -1;

	assert_int_equal(store_int1(f->store, &n,
				    "SELECT COUNT(*) FROM audit WHERE action = ?1 AND actor_id IS ?2 AND object_id IS ?3 "
				    "AND ip = ?4 AND request_id = ?5 AND at LIKE '____-__-__T__:__:__.___Z'",
				    "ttttt", action, actor_id, object_id, f->c.ip, f->c.req_id), OK);
	return n;
}

static bool is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* ---- the policy ---- */

/*
 * The policy, written out from src/auth/policy.c, for obj NULL ("anywhere
 * at all"). A change to the policy must change this table on purpose.
 * Columns: PUBLIC SIGNED_IN ACCOUNT_ADMIN AUDIT_READ BACKUP JOB_READ_ANY
 * AGGREGATE_READ REGISTRY_READ REGISTRY_WRITE PERSON_READ PERSON_WRITE
 * PERSON_EXPORT IMPORT.
 */
static const struct {
	const char *role;
	bool may[ACT__COUNT];
} matrix[] = {
	{"admin",            {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
	{"national_officer", {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
	{"province_officer", {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
	{"district_officer", {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
	{"school_head",      {1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1}},
	{"teacher",          {1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0}},
	{"student",          {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0}},
	{"guardian",         {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0}},
	{"case_worker",      {1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0}},
	{"donor",            {1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}},
	{"learner",          {1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0}},
};

static struct user user_of(const char *role, const char *scope, const char *person)
{
	struct user u;

	memset(&u, 0, sizeof u);
	u.role = auth_role_parse(role);
	snprintf(u.scope, sizeof u.scope, "%s", scope);
	snprintf(u.person_id, sizeof u.person_id, "%s", person);
	snprintf(u.login, sizeof u.login, "%s", role);
	return u;
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(sizeof matrix / sizeof matrix[0], ROLE__COUNT - 1);
	for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
		enum role r = auth_role_parse(matrix[i].role);
		assert_int_equal(r, (enum role)(i + 1));
		assert_string_equal(auth_role_name(r), matrix[i].role);
		assert_true(auth_role_label(r)[0] != '\0');
	}
	assert_int_equal(auth_role_parse(""), ROLE_NONE);
	assert_int_equal(auth_role_parse("Admin"), ROLE_NONE);
	assert_int_equal(auth_role_parse("root"), ROLE_NONE);
	assert_int_equal(auth_role_parse(NULL), ROLE_NONE);
	assert_string_equal(auth_role_name(ROLE__COUNT), "");
	assert_string_equal(auth_role_name((enum role)-1), "");
}

static void test_policy_matrix(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
		struct user u = user_of(matrix[i].role, "", "");
		for (int a = 0; a < ACT__COUNT; a++) {
			bool got = auth_can(&u, (enum action)a, NULL);
			if (got != matrix[i].may[a])
				fail_msg("%s may %s action %d", matrix[i].role, got ? "" : "not", a);
		}
		assert_false(auth_can(&u, ACT__COUNT, NULL));
		/* A disabled account may do nothing but what anyone may. */
		u.disabled = true;
		for (int a = 0; a < ACT__COUNT; a++)
			assert_int_equal(auth_can(&u, (enum action)a, NULL), a == ACT_PUBLIC);
	}
	/* No account, or an account without a role. */
	struct user none = user_of("", "", "");
	for (int a = 0; a < ACT__COUNT; a++) {
		assert_int_equal(auth_can(NULL, (enum action)a, NULL), a == ACT_PUBLIC);
		assert_int_equal(auth_can(&none, (enum action)a, NULL), a == ACT_PUBLIC);
	}
	none.role = ROLE__COUNT;
	assert_false(auth_can(&none, ACT_SIGNED_IN, NULL));
}

static const char *const in_07_03[] = {"IR", "IR-07", "IR-07-03", "S1"};
static const char *const in_07_03_s2[] = {"IR", "IR-07", "IR-07-03", "S2"};
static const char *const in_07_05[] = {"IR", "IR-07", "IR-07-05", "S5"};
static const char *const in_08_01[] = {"IR", "IR-08", "IR-08-01", "S9"};

static void test_policy_scopes(void **state)
{
	const struct scope s1 = {in_07_03, 4, NULL, NULL, 0};
	const struct scope s2 = {in_07_03_s2, 4, NULL, NULL, 0};
	const struct scope s5 = {in_07_05, 4, NULL, NULL, 0};
	const struct scope s9 = {in_08_01, 4, NULL, NULL, 0};
	const struct scope district_obj = {in_07_03, 3, NULL, NULL, 0};   /* the district itself */
	struct user district = user_of("district_officer", "IR-07-03", "");
	struct user province = user_of("province_officer", "IR-07", "");
	struct user national = user_of("national_officer", "", "");
	struct user teacher = user_of("teacher", "S1", "");
	struct user head = user_of("school_head", "S2", "");
	struct user admin = user_of("admin", "", "");

	(void)state;
	/* A district officer: their district and below, nothing next door. */
	assert_true(auth_can(&district, ACT_PERSON_READ, &s1));
	assert_true(auth_can(&district, ACT_PERSON_READ, &s2));
	assert_true(auth_can(&district, ACT_PERSON_WRITE, &district_obj));
	assert_false(auth_can(&district, ACT_PERSON_READ, &s9));
	assert_false(auth_can(&district, ACT_PERSON_READ, &s5));
	assert_false(auth_can(&district, ACT_REGISTRY_WRITE, &s9));
	assert_false(auth_can(&district, ACT_AGGREGATE_READ, &s9));
	/* Above their scope is not within it. */
	const struct scope province_obj = {in_07_03, 2, NULL, NULL, 0};
	assert_false(auth_can(&district, ACT_REGISTRY_READ, &province_obj));
	/* An object with no place at all is not in a regional scope. */
	const struct scope nowhere = {NULL, 0, NULL, NULL, 0};
	assert_false(auth_can(&district, ACT_PERSON_READ, &nowhere));

	/* A province officer: both districts of IR-07, not IR-08. */
	assert_true(auth_can(&province, ACT_PERSON_READ, &s1));
	assert_true(auth_can(&province, ACT_PERSON_READ, &s5));
	assert_true(auth_can(&province, ACT_PERSON_EXPORT, &s2));
	assert_false(auth_can(&province, ACT_PERSON_READ, &s9));

	/* The whole country. */
	assert_true(auth_can(&national, ACT_PERSON_READ, &s1));
	assert_true(auth_can(&national, ACT_PERSON_READ, &s9));
	assert_true(auth_can(&national, ACT_IMPORT, &nowhere));
	assert_false(auth_can(&national, ACT_ACCOUNT_ADMIN, &s1));
	assert_true(auth_can(&admin, ACT_ACCOUNT_ADMIN, &s9));
	assert_true(auth_can(&admin, ACT_PERSON_EXPORT, &s9));

	/* A teacher: their school only, and only reading. */
	assert_true(auth_can(&teacher, ACT_PERSON_READ, &s1));
	assert_false(auth_can(&teacher, ACT_PERSON_READ, &s2));
	assert_false(auth_can(&teacher, ACT_PERSON_READ, &s9));
	assert_false(auth_can(&teacher, ACT_PERSON_WRITE, &s1));
	assert_false(auth_can(&teacher, ACT_PERSON_READ, &district_obj)); /* the district above */
	assert_true(auth_can(&head, ACT_PERSON_WRITE, &s2));
	assert_false(auth_can(&head, ACT_PERSON_WRITE, &s1));

	/* An organisation scope reaches the objects of that organisation. */
	struct user worker = user_of("case_worker", "ORG-7", "");
	const struct scope org_obj = {in_08_01, 4, "ORG-7", NULL, 0};
	const struct scope other_org = {in_08_01, 4, "ORG-8", NULL, 0};
	assert_true(auth_can(&worker, ACT_PERSON_WRITE, &org_obj));
	assert_false(auth_can(&worker, ACT_PERSON_WRITE, &other_org));
	assert_false(auth_can(&worker, ACT_PERSON_READ, &s1));

	/* A guardian: the objects about their own person, nothing else. */
	static const char *const mine[] = {"child-1", "P"};
	static const char *const theirs[] = {"child-2", "Q"};
	const struct scope about_p = {in_08_01, 4, NULL, mine, 2};
	const struct scope about_q = {in_08_01, 4, NULL, theirs, 2};
	struct user guardian = user_of("guardian", "", "P");
	struct user unlinked = user_of("guardian", "", "");
	assert_true(auth_can(&guardian, ACT_PERSON_READ, &about_p));
	assert_false(auth_can(&guardian, ACT_PERSON_READ, &about_q));
	assert_false(auth_can(&guardian, ACT_PERSON_READ, &s1));
	assert_false(auth_can(&guardian, ACT_PERSON_WRITE, &about_p));
	assert_false(auth_can(&guardian, ACT_PERSON_EXPORT, &about_p));
	assert_true(auth_can(&guardian, ACT_REGISTRY_READ, &s9));  /* school profiles are public to them */
	assert_false(auth_can(&guardian, ACT_AGGREGATE_READ, &s9));
	assert_false(auth_can(&unlinked, ACT_PERSON_READ, &about_p));
	assert_false(auth_can(&unlinked, ACT_PERSON_READ, &nowhere));
	struct user student = user_of("student", "S1", "child-1");
	assert_true(auth_can(&student, ACT_PERSON_READ, &about_p));
	assert_false(auth_can(&student, ACT_PERSON_READ, &about_q));
	assert_false(auth_can(&student, ACT_PERSON_READ, &s1)); /* their school is not about them */

	/* A donor: aggregates anywhere, personal data nowhere. */
	struct user donor = user_of("donor", "ORG-7", "P");
	assert_true(auth_can(&donor, ACT_AGGREGATE_READ, &s1));
	assert_true(auth_can(&donor, ACT_AGGREGATE_READ, &s9));
	assert_true(auth_can(&donor, ACT_AGGREGATE_READ, NULL));
	assert_false(auth_can(&donor, ACT_PERSON_READ, &about_p));
	assert_false(auth_can(&donor, ACT_PERSON_READ, &org_obj));
	assert_false(auth_can(&donor, ACT_PERSON_READ, &s1));
	assert_false(auth_can(&donor, ACT_PERSON_READ, NULL));
	assert_false(auth_can(&donor, ACT_REGISTRY_READ, &s1));

	/* Disabled or absent: only what is public, wherever. */
	district.disabled = true;
	assert_false(auth_can(&district, ACT_PERSON_READ, &s1));
	assert_false(auth_can(&district, ACT_SIGNED_IN, &s1));
	assert_true(auth_can(&district, ACT_PUBLIC, &s9));
	assert_false(auth_can(NULL, ACT_PERSON_READ, &s1));
	assert_false(auth_can(NULL, ACT_AGGREGATE_READ, &s1));
	assert_true(auth_can(NULL, ACT_PUBLIC, &s1));
}

/* ---- accounts ---- */

static void expect_invalid(struct fx *f, const struct user_new *n, enum err want, const char *field)
{
	struct user u;

	err_clear(&f->c.err);
	assert_int_equal(auth_user_add(&f->c, n, &u), want);
	assert_int_equal(f->c.err.code, want);
	assert_string_equal(f->c.err.field, field);
	assert_true(f->c.err.msg[0] != '\0');
}

static void test_user_add(void **state)
{
	struct fx *f = *state;
	struct user u;
	struct stmt *st;
	int64_t n;
	char login65[66], login64[65];

	add_user(f, "amina.k@school-1", "district_officer", "IR-07-03", &u);
	assert_true(id_valid(u.id));
	assert_true(u.uid > 0);
	assert_string_equal(u.login, "amina.k@school-1");
	assert_string_equal(u.display_name, "Test Person");
	assert_int_equal(u.role, ROLE_DISTRICT_OFFICER);
	assert_string_equal(u.scope, "IR-07-03");
	assert_string_equal(u.lang, "en");
	assert_string_equal(u.person_id, "");
	assert_false(u.disabled);
	assert_int_equal(strlen(u.created_at), 24);
	assert_string_equal(u.created_at, u.updated_at);

	/* The password is stored as an Argon2id hash, never as itself. */
	assert_int_equal(store_query(f->store, &st, "SELECT password_hash FROM users WHERE login = ?1", "t", u.login), OK);
	assert_true(store_next(st));
	assert_memory_equal(store_text(st, 0), "$argon2id$", 10);
	assert_null(strstr(store_text(st, 0), PASSWORD));
	assert_int_equal(store_done(st), OK);

	struct user got;
	assert_int_equal(auth_user_get(&f->c, u.id, &got), OK);
	assert_string_equal(got.login, u.login);
	assert_int_equal(auth_user_by_login(&f->c, "amina.k@school-1", &got), OK);
	assert_string_equal(got.id, u.id);
	err_clear(&f->c.err);
	assert_int_equal(auth_user_by_login(&f->c, "nobody", &got), ERR_NOTFOUND);

	/* Logins: lower-case ASCII and . _ - @, 1 to 64 characters. */
	memset(login64, 'a', 64);
	login64[64] = '\0';
	memset(login65, 'b', 65);
	login65[65] = '\0';
	struct user_new ok = {login64, "Long Login", "teacher", "S1", PASSWORD, NULL};
	err_clear(&f->c.err);
	assert_int_equal(auth_user_add(&f->c, &ok, &u), OK);
	assert_string_equal(u.lang, "");

	struct user_new bad = {"Upper", "X", "teacher", "", PASSWORD, "en"};
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = "with space";
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = login65;
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = "";
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = NULL;
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = "ali/../x";
	expect_invalid(f, &bad, ERR_INVALID, "login");
	bad.login = "\xd8\xb9\xd9\x84\xdb\x8c";   /* Persian letters */
	expect_invalid(f, &bad, ERR_INVALID, "login");

	/* Passwords: at least 10 characters (not bytes), valid UTF-8. */
	bad.login = "newuser";
	bad.password = "short";
	expect_invalid(f, &bad, ERR_INVALID, "password");
	bad.password = "ééééééééé";            /* 9 characters, 18 bytes */
	expect_invalid(f, &bad, ERR_INVALID, "password");
	bad.password = "123456789\xff";
	expect_invalid(f, &bad, ERR_INVALID, "password");
	bad.password = NULL;
	expect_invalid(f, &bad, ERR_INVALID, "password");
	bad.password = PASSWORD;

	bad.role = "superuser";
	expect_invalid(f, &bad, ERR_INVALID, "role");
	bad.role = "";
	expect_invalid(f, &bad, ERR_INVALID, "role");
	bad.role = "teacher";
	bad.lang = "de";
	expect_invalid(f, &bad, ERR_INVALID, "lang");
	bad.lang = "fa";
	bad.display_name = "";
	expect_invalid(f, &bad, ERR_INVALID, "display_name");
	bad.display_name = "ok";
	char scope65[66];
	memset(scope65, 'S', 65);
	scope65[65] = '\0';
	bad.scope = scope65;
	expect_invalid(f, &bad, ERR_INVALID, "scope");
	bad.scope = "";

	/* A taken login. */
	bad.login = "amina.k@school-1";
	expect_invalid(f, &bad, ERR_EXISTS, "login");

	/* None of the refused ones was written. */
	assert_int_equal(auth_user_count(&f->c, &n), OK);
	assert_int_equal(n, 2);
	bad.login = "newuser";
	err_clear(&f->c.err);
	assert_int_equal(auth_user_add(&f->c, &bad, &u), OK);
	assert_string_equal(u.lang, "fa");
	assert_int_equal(auth_user_count(&f->c, &n), OK);
	assert_int_equal(n, 3);
}

static void test_user_update(void **state)
{
	struct fx *f = *state;
	struct user admin, u, got;

	add_user(f, "admin", "admin", "", &admin);
	add_user(f, "bahar", "teacher", "S1", &u);
	f->c.user = &admin;
	assert_int_equal(auth_user_update(&f->c, u.id, "Bahar R.", "vi"), OK);
	assert_int_equal(auth_user_get(&f->c, u.id, &got), OK);
	assert_string_equal(got.display_name, "Bahar R.");
	assert_string_equal(got.lang, "vi");
	assert_int_equal(audit_count(f, "user.update", admin.id, u.id), 1);
	assert_int_equal(auth_user_update(&f->c, u.id, NULL, "az"), OK);
	assert_int_equal(auth_user_get(&f->c, u.id, &got), OK);
	assert_string_equal(got.display_name, "Bahar R.");
	assert_string_equal(got.lang, "az");
	err_clear(&f->c.err);
	assert_int_equal(auth_user_update(&f->c, u.id, NULL, "xx"), ERR_INVALID);
	assert_string_equal(f->c.err.field, "lang");
	err_clear(&f->c.err);
	assert_int_equal(auth_user_update(&f->c, "0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", "X", NULL), ERR_NOTFOUND);
}

/* ---- signing in ---- */

static void test_login(void **state)
{
	struct fx *f = *state;
	struct user u, got;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN], csrf2[SECRET_TEXT_LEN];
	char wrong_msg[ERRINFO_MSG_MAX];

	add_user(f, "cyrus", "teacher", "S1", &u);
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "cyrus", PASSWORD, &got, token, csrf), OK);
	assert_int_equal(strlen(token), 43);
	assert_int_equal(strlen(csrf), 43);
	assert_string_not_equal(token, csrf);
	assert_string_equal(got.id, u.id);
	assert_ptr_equal(f->c.user, &got);        /* the request now acts as them */
	assert_int_equal(audit_count(f, "session.login", u.id, u.id), 1);

	/* The session the cookie names. */
	struct user who;
	f->c.user = NULL;
	assert_int_equal(auth_session(&f->c, token, &who, csrf2), OK);
	assert_string_equal(who.id, u.id);
	assert_string_equal(csrf2, csrf);
	assert_int_equal(auth_session(&f->c, "short", &who, csrf2), ERR_AUTH);
	assert_int_equal(auth_session(&f->c, NULL, &who, csrf2), ERR_AUTH);
	char other[SECRET_TEXT_LEN];
	secret_new(other);
	assert_int_equal(auth_session(&f->c, other, &who, csrf2), ERR_AUTH);

	/* A wrong password and an unknown login: the same answer. */
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "cyrus", "wrong password!", &got, token, csrf), ERR_AUTH);
	assert_null(f->c.user);
	assert_string_equal(f->c.err.field, "");
	snprintf(wrong_msg, sizeof wrong_msg, "%s", f->c.err.msg);
	assert_true(wrong_msg[0] != '\0');
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "nobody", "wrong password!", &got, token, csrf), ERR_AUTH);
	assert_string_equal(f->c.err.msg, wrong_msg);
	assert_string_equal(f->c.err.field, "");
	assert_null(f->c.user);
	/* A failure opens no session and leaves no audit row of a login. */
	assert_int_equal(audit_count(f, "session.login", u.id, u.id), 1);

	/* Two logins are two sessions. */
	char token2[SECRET_TEXT_LEN];
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "cyrus", PASSWORD, &got, token2, csrf2), OK);
	assert_string_not_equal(token, token2);
	f->c.user = NULL;
	assert_int_equal(auth_session(&f->c, token, &who, csrf2), OK);
	assert_int_equal(auth_session(&f->c, token2, &who, csrf), OK);
}

static void test_throttle_account(void **state)
{
	struct fx *f = *state;
	struct user u, got, other;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];

	f->app.conf.login_account_limit = 3;
	add_user(f, "dara", "teacher", "S1", &u);
	add_user(f, "elham", "teacher", "S1", &other);
	/* Failures before a success are forgotten by it. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(auth_login(&f->c, "dara", "not the password", &got, token, csrf), ERR_AUTH);
	assert_int_equal(auth_login(&f->c, "dara", PASSWORD, &got, token, csrf), OK);
	f->c.user = NULL;
	for (int i = 0; i < 3; i++)
		assert_int_equal(auth_login(&f->c, "dara", "not the password", &got, token, csrf), ERR_AUTH);
	/* The fourth attempt is refused before the password is looked at. */
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "dara", PASSWORD, &got, token, csrf), ERR_THROTTLED);
	assert_true(f->c.err.msg[0] != '\0');
	assert_int_equal(auth_login(&f->c, "dara", "not the password", &got, token, csrf), ERR_THROTTLED);
	/* Another account from the same address is not held up. */
	assert_int_equal(auth_login(&f->c, "elham", PASSWORD, &got, token, csrf), OK);
	f->c.user = NULL;
	/* When the window has passed, the account may try again. */
	assert_int_equal(store_exec(f->store, "UPDATE login_failures SET window_ms = window_ms - ?1",
				    "i", (int64_t)(f->app.conf.login_window * 1000 + 1000)), OK);
	assert_int_equal(auth_login(&f->c, "dara", PASSWORD, &got, token, csrf), OK);
}

static void test_throttle_address(void **state)
{
	struct fx *f = *state;
	struct user u, got;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];
	char login[32];

	f->app.conf.login_ip_limit = 5;
	add_user(f, "farid", "teacher", "S1", &u);
	/* Five different unknown logins from one address. */
	for (int i = 0; i < 5; i++) {
		snprintf(login, sizeof login, "guess%d", i);
		assert_int_equal(auth_login(&f->c, login, "not the password", &got, token, csrf), ERR_AUTH);
	}
	assert_int_equal(auth_login(&f->c, "farid", PASSWORD, &got, token, csrf), ERR_THROTTLED);
	/* From another address the account signs in. */
	f->c.ip = "198.51.100.9";
	assert_int_equal(auth_login(&f->c, "farid", PASSWORD, &got, token, csrf), OK);
}

static void test_session_expiry(void **state)
{
	struct fx *f = *state;
	struct user u, got, who;
	char token[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN], c2[SECRET_TEXT_LEN];
	int64_t seen = 0, n;

	add_user(f, "golnar", "teacher", "S1", &u);
	f->app.conf.session_idle = 60;
	f->app.conf.session_absolute = 3600;

	/* Idle for longer than session_idle. */
	assert_int_equal(auth_login(&f->c, "golnar", PASSWORD, &got, token, csrf), OK);
	assert_int_equal(auth_session(&f->c, token, &who, c2), OK);
	assert_int_equal(store_exec(f->store, "UPDATE sessions SET seen_ms = seen_ms - 120000", ""), OK);
	assert_int_equal(auth_session(&f->c, token, &who, c2), ERR_AUTH);
	assert_int_equal(store_int1(f->store, &n, "SELECT COUNT(*) FROM sessions", ""), OK);
	assert_int_equal(n, 0); /* an expired session is removed */

	/* Used within the idle time: alive, and touched. */
	f->app.conf.session_idle = 7200;
	assert_int_equal(auth_login(&f->c, "golnar", PASSWORD, &got, token, csrf), OK);
	assert_int_equal(store_exec(f->store, "UPDATE sessions SET seen_ms = seen_ms - 120000", ""), OK);
	int64_t before = time_now_ms();
	assert_int_equal(auth_session(&f->c, token, &who, c2), OK);
	assert_int_equal(store_int1(f->store, &seen, "SELECT seen_ms FROM sessions", ""), OK);
	assert_true(seen >= before - 1000);

	/* Older than session_absolute, however busy. */
	f->app.conf.session_absolute = 60;
	assert_int_equal(store_exec(f->store, "UPDATE sessions SET created_ms = created_ms - 120000", ""), OK);
	assert_int_equal(auth_session(&f->c, token, &who, c2), ERR_AUTH);
	assert_int_equal(store_int1(f->store, &n, "SELECT COUNT(*) FROM sessions", ""), OK);
	assert_int_equal(n, 0);
}

static void test_logout(void **state)
{
	struct fx *f = *state;
	struct user u, got, who;
	char token[SECRET_TEXT_LEN], token2[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];

	add_user(f, "hamid", "teacher", "S1", &u);
	assert_int_equal(auth_login(&f->c, "hamid", PASSWORD, &got, token, csrf), OK);
	assert_int_equal(auth_login(&f->c, "hamid", PASSWORD, &got, token2, csrf), OK);
	f->c.user = &got;
	assert_int_equal(auth_logout(&f->c, token), OK);
	assert_int_equal(auth_session(&f->c, token, &who, csrf), ERR_AUTH);
	/* Only that session ends. */
	assert_int_equal(auth_session(&f->c, token2, &who, csrf), OK);
	assert_int_equal(audit_count(f, "session.logout", u.id, u.id), 1);
}

static void test_passwd(void **state)
{
	struct fx *f = *state;
	struct user u, got, who;
	struct api_token t;
	char s1[SECRET_TEXT_LEN], s2[SECRET_TEXT_LEN], tok[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];
	const char *newpw = "a new and longer password";

	add_user(f, "iran", "teacher", "S1", &u);
	assert_int_equal(auth_login(&f->c, "iran", PASSWORD, &got, s1, csrf), OK);
	assert_int_equal(auth_login(&f->c, "iran", PASSWORD, &got, s2, csrf), OK);
	f->c.user = &got;
	assert_int_equal(auth_token_create(&f->c, "script", &t, tok), OK);
	assert_int_equal(auth_token_user(&f->c, tok, &who), OK);

	err_clear(&f->c.err);
	assert_int_equal(auth_user_passwd(&f->c, u.id, "not the old one", newpw), ERR_INVALID);
	assert_string_equal(f->c.err.field, "current_password");
	err_clear(&f->c.err);
	assert_int_equal(auth_user_passwd(&f->c, u.id, PASSWORD, "short"), ERR_INVALID);
	assert_string_equal(f->c.err.field, "new_password");
	/* Nothing ended by the refused changes. */
	assert_int_equal(auth_session(&f->c, s1, &who, csrf), OK);
	assert_int_equal(auth_token_user(&f->c, tok, &who), OK);

	err_clear(&f->c.err);
	assert_int_equal(auth_user_passwd(&f->c, u.id, PASSWORD, newpw), OK);
	assert_int_equal(auth_session(&f->c, s1, &who, csrf), ERR_AUTH);
	assert_int_equal(auth_session(&f->c, s2, &who, csrf), ERR_AUTH);
	assert_int_equal(auth_token_user(&f->c, tok, &who), ERR_AUTH);
	assert_int_equal(audit_count(f, "user.password", u.id, u.id), 1);
	f->c.user = NULL;
	assert_int_equal(auth_login(&f->c, "iran", PASSWORD, &got, s1, csrf), ERR_AUTH);
	assert_int_equal(auth_login(&f->c, "iran", newpw, &got, s1, csrf), OK);

	/* An administrator's reset needs no old password. */
	f->c.user = NULL;
	assert_int_equal(auth_user_passwd(&f->c, u.id, NULL, PASSWORD), OK);
	assert_int_equal(auth_session(&f->c, s1, &who, csrf), ERR_AUTH);
	assert_int_equal(audit_count(f, "user.password", NULL, u.id), 1);
	err_clear(&f->c.err);
	assert_int_equal(auth_user_passwd(&f->c, "0190a3b4-5c6d-7e8f-9a0b-1c2d3e4f5a6b", NULL, PASSWORD), ERR_NOTFOUND);
}

static void test_disable(void **state)
{
	struct fx *f = *state;
	struct user admin, u, got, who;
	struct api_token t;
	char s1[SECRET_TEXT_LEN], tok[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];

	add_user(f, "admin", "admin", "", &admin);
	add_user(f, "jaleh", "teacher", "S1", &u);
	assert_int_equal(auth_login(&f->c, "jaleh", PASSWORD, &got, s1, csrf), OK);
	assert_int_equal(auth_token_create(&f->c, "sync", &t, tok), OK);

	f->c.user = &admin;
	assert_int_equal(auth_user_set_disabled(&f->c, u.id, true), OK);
	assert_int_equal(audit_count(f, "user.disable", admin.id, u.id), 1);
	assert_int_equal(auth_session(&f->c, s1, &who, csrf), ERR_AUTH);
	assert_int_equal(auth_token_user(&f->c, tok, &who), ERR_AUTH);
	assert_int_equal(auth_user_get(&f->c, u.id, &who), OK);
	assert_true(who.disabled);
	f->c.user = NULL;
	err_clear(&f->c.err);
	assert_int_equal(auth_login(&f->c, "jaleh", PASSWORD, &got, s1, csrf), ERR_AUTH);

	/* An administrator cannot lock themself out. */
	f->c.user = &admin;
	err_clear(&f->c.err);
	assert_int_equal(auth_user_set_disabled(&f->c, admin.id, true), ERR_INVALID);

	assert_int_equal(auth_user_set_disabled(&f->c, u.id, false), OK);
	assert_int_equal(audit_count(f, "user.enable", admin.id, u.id), 1);
	f->c.user = NULL;
	assert_int_equal(auth_login(&f->c, "jaleh", PASSWORD, &got, s1, csrf), OK);
	assert_int_equal(auth_session(&f->c, s1, &who, csrf), OK);
}

/* ---- API tokens ---- */

static void test_tokens(void **state)
{
	struct fx *f = *state;
	struct user owner, other, who;
	struct api_token t, t2, *list;
	char tok[SECRET_TEXT_LEN], tok2[SECRET_TEXT_LEN];
	int n;

	add_user(f, "kamran", "district_officer", "IR-07", &owner);
	add_user(f, "leila", "district_officer", "IR-07", &other);

	f->c.user = NULL;
	err_clear(&f->c.err);
	assert_int_equal(auth_token_create(&f->c, "nobody's", &t, tok), ERR_AUTH);

	f->c.user = &owner;
	assert_int_equal(auth_token_create(&f->c, "nightly export", &t, tok), OK);
	assert_int_equal(strlen(tok), 43);
	assert_true(id_valid(t.id));
	assert_string_equal(t.name, "nightly export");
	assert_int_equal(audit_count(f, "token.create", owner.id, t.id), 1);
	assert_int_equal(auth_token_create(&f->c, "second", &t2, tok2), OK);
	assert_string_not_equal(tok, tok2);

	assert_int_equal(auth_token_user(&f->c, tok, &who), OK);
	assert_string_equal(who.id, owner.id);
	assert_int_equal(auth_token_user(&f->c, "x", &who), ERR_AUTH);
	assert_int_equal(auth_token_user(&f->c, NULL, &who), ERR_AUTH);
	assert_int_equal(auth_token_list(&f->c, &list, &n), OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].id, t.id);
	assert_string_equal(list[1].name, "second");
	assert_true(list[0].last_used_at[0] != '\0');  /* used just above */

	/* Another account neither revokes nor sees it. */
	f->c.user = &other;
	err_clear(&f->c.err);
	assert_int_equal(auth_token_revoke(&f->c, t.id), ERR_NOTFOUND);
	assert_int_equal(auth_token_list(&f->c, &list, &n), OK);
	assert_int_equal(n, 0);
	assert_int_equal(auth_token_user(&f->c, tok, &who), OK);
	assert_int_equal(audit_count(f, "token.revoke", other.id, t.id), 0);

	f->c.user = &owner;
	assert_int_equal(auth_token_revoke(&f->c, t.id), OK);
	assert_int_equal(audit_count(f, "token.revoke", owner.id, t.id), 1);
	assert_int_equal(auth_token_user(&f->c, tok, &who), ERR_AUTH);
	assert_int_equal(auth_token_user(&f->c, tok2, &who), OK);
	err_clear(&f->c.err);
	assert_int_equal(auth_token_revoke(&f->c, t.id), ERR_NOTFOUND);   /* already revoked */
	assert_int_equal(auth_token_list(&f->c, &list, &n), OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].id, t2.id);
}

/* The store holds hashes of tokens, never the tokens. */
static void test_no_raw_tokens(void **state)
{
	struct fx *f = *state;
	struct user u, got;
	struct api_token t;
	char s[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN], tok[SECRET_TEXT_LEN], h[SECRET_HASH_LEN];
	struct stmt *st;
	int64_t n;

	add_user(f, "maryam", "teacher", "S1", &u);
	assert_int_equal(auth_login(&f->c, "maryam", PASSWORD, &got, s, csrf), OK);
	assert_int_equal(auth_token_create(&f->c, "t", &t, tok), OK);

	assert_int_equal(store_query(f->store, &st, "SELECT token_hash FROM sessions", ""), OK);
	assert_true(store_next(st));
	assert_true(is_hex64(store_text(st, 0)));
	assert_string_not_equal(store_text(st, 0), s);
	secret_hash(s, strlen(s), h);
	assert_string_equal(store_text(st, 0), h);
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);

	assert_int_equal(store_query(f->store, &st, "SELECT token_hash FROM api_tokens", ""), OK);
	assert_true(store_next(st));
	assert_true(is_hex64(store_text(st, 0)));
	secret_hash(tok, strlen(tok), h);
	assert_string_equal(store_text(st, 0), h);
	assert_int_equal(store_done(st), OK);

	/* Nowhere in those tables, in any column. */
	assert_int_equal(store_int1(f->store, &n,
				    "SELECT COUNT(*) FROM sessions WHERE token_hash = ?1 OR csrf = ?1 OR ip = ?1", "t", s), OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_int1(f->store, &n,
				    "SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?1 OR name = ?1 OR id = ?1", "t", tok), OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_int1(f->store, &n,
				    "SELECT COUNT(*) FROM audit WHERE instr(COALESCE(detail, ''), ?1) > 0 "
				    "OR instr(COALESCE(detail, ''), ?2) > 0", "tt", s, tok), OK);
	assert_int_equal(n, 0);
}

/* ---- the audit log ---- */

static void test_audit_rows(void **state)
{
	struct fx *f = *state;
	struct user admin, u, got;
	struct stmt *st;
	char s[SECRET_TEXT_LEN], csrf[SECRET_TEXT_LEN];

	add_user(f, "admin", "admin", "", &admin);
	/* Made from the command line: the system account, named, acted. */
	assert_int_equal(store_query(f->store, &st,
				     "SELECT actor_id, actor_login, object_kind, ip, detail FROM audit "
				     "WHERE action = 'user.create' AND object_id = ?1", "t", admin.id), OK);
	assert_true(store_next(st));
	assert_null(store_text(st, 0));
	assert_string_equal(store_text(st, 1), "system:tester");
	assert_string_equal(store_text(st, 2), "user");
	assert_string_equal(store_text(st, 3), "192.0.2.7");
	assert_non_null(strstr(store_text(st, 4), "\"role\":\"admin\""));
	assert_false(store_next(st));
	assert_int_equal(store_done(st), OK);

	/* Made by an administrator: they are the actor. */
	f->c.user = &admin;
	struct user_new n = {"nasrin", "Nasrin", "guardian", "", PASSWORD, "fa"};
	assert_int_equal(auth_user_add(&f->c, &n, &u), OK);
	assert_int_equal(audit_count(f, "user.create", admin.id, u.id), 1);
	assert_int_equal(store_query(f->store, &st, "SELECT actor_login FROM audit WHERE object_id = ?1", "t", u.id), OK);
	assert_true(store_next(st));
	assert_string_equal(store_text(st, 0), "admin");
	assert_int_equal(store_done(st), OK);

	/* A login is acted by the one who signed in. */
	f->c.user = NULL;
	assert_int_equal(auth_login(&f->c, "nasrin", PASSWORD, &got, s, csrf), OK);
	assert_int_equal(audit_count(f, "session.login", u.id, u.id), 1);

	/* From the command line, without an address. */
	f->c.user = NULL;
	f->c.ip = "";
	assert_int_equal(auth_audit(&f->c, "backup.create", "instance", NULL, "{\"file\":\"x\"}"), OK);
	assert_int_equal(store_query(f->store, &st, "SELECT ip, object_id, detail FROM audit WHERE action = 'backup.create'", ""), OK);
	assert_true(store_next(st));
	assert_string_equal(store_text(st, 0), "cli");
	assert_null(store_text(st, 1));
	assert_string_equal(store_text(st, 2), "{\"file\":\"x\"}");
	assert_int_equal(store_done(st), OK);
}

static void test_audit_list_paging(void **state)
{
	struct fx *f = *state;
	struct user admin;
	struct audit_entry *e;
	int64_t before = 0, next = -1, total = 0, last_key = INT64_MAX;
	int n, pages = 0;
	char action[32];

	add_user(f, "admin", "admin", "", &admin);   /* one row: user.create */
	f->c.user = &admin;
	for (int i = 0; i < 7; i++) {
		snprintf(action, sizeof action, "test.%d", i);
		assert_int_equal(auth_audit(&f->c, action, "thing", NULL, NULL), OK);
	}
	assert_int_equal(store_int1(f->store, &total, "SELECT COUNT(*) FROM audit", ""), OK);
	assert_int_equal(total, 8);

	/* The newest first. */
	assert_int_equal(auth_audit_list(&f->c, 0, 3, &e, &n, &next), OK);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].action, "test.6");
	assert_string_equal(e[1].action, "test.5");
	assert_string_equal(e[2].action, "test.4");
	assert_string_equal(e[0].actor_id, admin.id);
	assert_string_equal(e[0].actor_login, "admin");
	assert_string_equal(e[0].object_kind, "thing");
	assert_null(e[0].object_id);
	assert_string_equal(e[0].ip, "192.0.2.7");
	assert_string_equal(e[0].request_id, "req-test");
	assert_true(id_valid(e[0].id));
	assert_int_equal(strlen(e[0].at), 24);
	assert_true(next != 0);
	assert_int_equal(next, e[2].key);

	/* Page through: each page older than the last, every row once. */
	int seen = 0;
	before = 0;
	do {
		assert_int_equal(auth_audit_list(&f->c, before, 3, &e, &n, &next), OK);
		for (int i = 0; i < n; i++) {
			assert_true(e[i].key < last_key);
			last_key = e[i].key;
		}
		seen += n;
		before = next;
		pages++;
	} while (next && pages < 10);
	assert_int_equal(seen, 8);
	assert_int_equal(pages, 3);
	assert_string_equal(e[n - 1].action, "user.create");

	/* When the last page is exactly full, there is no next page after it. */
	assert_int_equal(auth_audit_list(&f->c, 0, 8, &e, &n, &next), OK);
	assert_int_equal(n, 8);
	assert_int_equal(next, 0);
	assert_int_equal(auth_audit_list(&f->c, 0, 4, &e, &n, &next), OK);
	assert_int_equal(auth_audit_list(&f->c, next, 4, &e, &n, &next), OK);
	assert_int_equal(n, 4);
	assert_int_equal(next, 0);
}

static void test_user_list_paging(void **state)
{
	struct fx *f = *state;
	struct user *list, made[5];
	int64_t after = 0, next = -1, count;
	int n, seen = 0, pages = 0;
	char login[16];

	for (int i = 0; i < 5; i++) {
		snprintf(login, sizeof login, "user%d", i);
		add_user(f, login, "teacher", "S1", &made[i]);
	}
	assert_int_equal(auth_user_count(&f->c, &count), OK);
	assert_int_equal(count, 5);
	do {
		assert_int_equal(auth_user_list(&f->c, after, 2, &list, &n, &next), OK);
		assert_true(n <= 2);
		for (int i = 0; i < n; i++) {
			assert_string_equal(list[i].login, made[seen + i].login);
			assert_string_equal(list[i].id, made[seen + i].id);
		}
		seen += n;
		after = next;
		pages++;
	} while (next && pages < 10);
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
	assert_int_equal(n, 1);

	assert_int_equal(auth_user_list(&f->c, 0, 5, &list, &n, &next), OK);
	assert_int_equal(n, 5);
	assert_int_equal(next, 0);
	assert_int_equal(auth_user_list(&f->c, 0, 100, &list, &n, &next), OK);
	assert_int_equal(n, 5);
	assert_int_equal(next, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_policy_matrix),
		cmocka_unit_test(test_policy_scopes),
		T(test_user_add),
		T(test_user_update),
		T(test_login),
		T(test_throttle_account),
		T(test_throttle_address),
		T(test_session_expiry),
		T(test_logout),
		T(test_passwd),
		T(test_disable),
		T(test_tokens),
		T(test_no_raw_tokens),
		T(test_audit_rows),
		T(test_audit_list_paging),
		T(test_user_list_paging),
	};

	if (id_init() != 0)
		return 1;
	log_open("/dev/null", LOG_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
