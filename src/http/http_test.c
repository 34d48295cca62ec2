/*
 * http_test.c — what can be tested without a socket: matching paths
 * against a route table (params, HEAD, 405, order) and method names.
 * Bodies, limits and the JSON and form readers are covered by the HTTP
 * tests under tests/http/, which talk to a running server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "http/http_int.h"
#include "base/banned.h"

static int ok_handler(struct req *r)
{
	(void)r;
	return 200;
}

enum {
	R_TOKENS_GET, R_TOKENS_POST, R_TOKEN_DELETE, R_ME, R_USER, R_USER_TOKEN, R_STATIC, R_CANCEL,
	R_FOUR, R_FIVE, NROUTES
};

static const struct route routes[] = {
	[R_TOKENS_GET] = {M_GET, "/api/v1/tokens", ok_handler, 0, 0, NULL, "list"},
	[R_TOKENS_POST] = {M_POST, "/api/v1/tokens", ok_handler, 0, 0, NULL, "create"},
	[R_TOKEN_DELETE] = {M_DELETE, "/api/v1/tokens/:id", ok_handler, 0, 0, NULL, "revoke"},
	[R_ME] = {M_GET, "/api/v1/users/me", ok_handler, 0, 0, NULL, "me"},
	[R_USER] = {M_GET | M_PATCH, "/api/v1/users/:id", ok_handler, 0, 0, NULL, "user"},
	[R_USER_TOKEN] = {M_GET, "/api/v1/users/:id/tokens/:tid", ok_handler, 0, 0, NULL, "a token"},
	[R_STATIC] = {M_GET, "/static/:file", ok_handler, 0, 0, NULL, "static"},
	[R_CANCEL] = {M_POST, "/api/v1/jobs/:id/cancel", ok_handler, 0, 0, NULL, "cancel"},
	[R_FOUR] = {M_GET, "/four/:a/:b/:c/:d", ok_handler, 0, 0, NULL, "four params"},
	[R_FIVE] = {M_GET, "/five/:a/:b/:c/:d/:e", ok_handler, 0, 0, NULL, "too many params"},
};

static const struct http_config cfg = {NULL, routes, NROUTES, NULL, NULL, NULL};

struct t {
	struct arena *arena;
	struct req r;
};

static int setup(void **state)
{
	static struct t t;

	memset(&t, 0, sizeof t);
	t.arena = arena_new();
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	arena_free(t->arena);
	return 0;
}

/* Matches method and path; returns the route's index (NROUTES for none)
 * and the methods the path allows. */
static int match_in(const struct http_config *c, struct t *t, unsigned method, const char *path,
		    unsigned *allowed)
{
	const struct route *rt;

	memset(&t->r, 0, sizeof t->r);
	t->r.c.arena = t->arena;
	t->r.method = method;
	t->r.path = path;
	*allowed = 0xdead;
	rt = route_match(c, &t->r, allowed);
	t->r.route = rt;
	return route_index(c, rt);
}

static int match(struct t *t, unsigned method, const char *path, unsigned *allowed)
{
	return match_in(&cfg, t, method, path, allowed);
}

static void test_method_parse(void **state)
{
	(void)state;
	assert_int_equal(method_parse("GET"), M_GET);
	assert_int_equal(method_parse("HEAD"), M_HEAD);
	assert_int_equal(method_parse("POST"), M_POST);
	assert_int_equal(method_parse("PUT"), M_PUT);
	assert_int_equal(method_parse("PATCH"), M_PATCH);
	assert_int_equal(method_parse("DELETE"), M_DELETE);
	assert_int_equal(method_parse("OPTIONS"), M_OPTIONS);
	assert_int_equal(method_parse("get"), 0);      /* methods are case-sensitive */
	assert_int_equal(method_parse(""), 0);
	assert_int_equal(method_parse("GETX"), 0);
	assert_int_equal(method_parse("GE"), 0);
	assert_int_equal(method_parse("CONNECT"), 0);
	assert_int_equal(method_parse("TRACE"), 0);
}

static void test_literal_routes(void **state)
{
	struct t *t = *state;
	unsigned allowed;

	assert_int_equal(match(t, M_GET, "/api/v1/tokens", &allowed), R_TOKENS_GET);
	assert_int_equal(allowed, M_GET | M_POST);
	assert_int_equal(match(t, M_POST, "/api/v1/tokens", &allowed), R_TOKENS_POST);
	assert_int_equal(allowed, M_GET | M_POST);
	assert_ptr_equal(t->r.route, &routes[R_TOKENS_POST]);
	/* Near misses are not matches. */
	assert_int_equal(match(t, M_GET, "/api/v1/tokens/", &allowed), NROUTES);
	assert_int_equal(allowed, 0);
	assert_int_equal(match(t, M_GET, "/api/v1/tokensx", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/api/v1/token", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/API/v1/tokens", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/", &allowed), NROUTES);
	assert_int_equal(allowed, 0);
}

static void test_params(void **state)
{
	struct t *t = *state;
	unsigned allowed;

	assert_int_equal(match(t, M_DELETE, "/api/v1/tokens/0190a3b4-5c6d", &allowed), R_TOKEN_DELETE);
	assert_string_equal(t->r.params[0], "0190a3b4-5c6d");
	assert_string_equal(req_param(&t->r, "id"), "0190a3b4-5c6d");
	assert_null(req_param(&t->r, "i"));
	assert_null(req_param(&t->r, "idx"));
	assert_null(req_param(&t->r, "tid"));

	assert_int_equal(match(t, M_GET, "/api/v1/users/42/tokens/7", &allowed), R_USER_TOKEN);
	assert_string_equal(req_param(&t->r, "id"), "42");
	assert_string_equal(req_param(&t->r, "tid"), "7");
	assert_string_equal(t->r.params[0], "42");
	assert_string_equal(t->r.params[1], "7");
	assert_int_equal(allowed, M_GET);

	assert_int_equal(match(t, M_GET, "/api/v1/jobs/j1/cancel", &allowed), NROUTES);
	assert_int_equal(allowed, M_POST);
	assert_int_equal(match(t, M_POST, "/api/v1/jobs/j1/cancel", &allowed), R_CANCEL);
	assert_string_equal(req_param(&t->r, "id"), "j1");

	/* A :param is one whole, non-empty segment. */
	assert_int_equal(match(t, M_DELETE, "/api/v1/tokens/", &allowed), NROUTES);
	assert_int_equal(allowed, 0);
	assert_int_equal(match(t, M_DELETE, "/api/v1/tokens/a/b", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/api/v1/users//tokens/7", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/api/v1/users/42/tokens/", &allowed), NROUTES);
	assert_int_equal(match(t, M_POST, "/api/v1/jobs//cancel", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/static/reach.css", &allowed), R_STATIC);
	assert_string_equal(req_param(&t->r, "file"), "reach.css");
	/* ".." is text to the matcher: refusing traversal is the handler's job,
	 * but it cannot span a slash. */
	assert_int_equal(match(t, M_GET, "/static/../etc/passwd", &allowed), NROUTES);
	assert_int_equal(match(t, M_GET, "/static/..", &allowed), R_STATIC);
	assert_string_equal(req_param(&t->r, "file"), "..");

	/* As many params as a request holds, and not one more. */
	assert_int_equal(match(t, M_GET, "/four/1/2/3/4", &allowed), R_FOUR);
	assert_string_equal(req_param(&t->r, "a"), "1");
	assert_string_equal(req_param(&t->r, "d"), "4");
	assert_int_equal(match(t, M_GET, "/five/1/2/3/4/5", &allowed), NROUTES);
	assert_int_equal(allowed, 0);
}

static void test_head_and_405(void **state)
{
	struct t *t = *state;
	unsigned allowed;

	/* GET routes answer HEAD. */
	assert_int_equal(match(t, M_HEAD, "/api/v1/tokens", &allowed), R_TOKENS_GET);
	assert_int_equal(match(t, M_HEAD, "/api/v1/users/42", &allowed), R_USER);
	assert_string_equal(req_param(&t->r, "id"), "42");
	/* But not POST routes. */
	assert_int_equal(match(t, M_HEAD, "/api/v1/jobs/j/cancel", &allowed), NROUTES);
	assert_int_equal(allowed, M_POST);

	/* The path exists, the method does not: 405, with what is allowed. */
	assert_int_equal(match(t, M_PUT, "/api/v1/tokens", &allowed), NROUTES);
	assert_int_equal(allowed, M_GET | M_POST);
	assert_int_equal(match(t, M_DELETE, "/api/v1/users/42", &allowed), NROUTES);
	assert_int_equal(allowed, M_GET | M_PATCH);
	assert_int_equal(match(t, M_OPTIONS, "/api/v1/tokens/x", &allowed), NROUTES);
	assert_int_equal(allowed, M_DELETE);
	/* No such path: 404 (nothing allowed). */
	assert_int_equal(match(t, M_GET, "/api/v2/tokens", &allowed), NROUTES);
	assert_int_equal(allowed, 0);
	/* An unknown method matches nothing, but the path's methods are known. */
	assert_int_equal(match(t, 0, "/api/v1/tokens", &allowed), NROUTES);
	assert_int_equal(allowed, M_GET | M_POST);
}

static void test_order(void **state)
{
	struct t *t = *state;
	unsigned allowed;

	/* The literal is listed first, so it wins for GET. */
	assert_int_equal(match(t, M_GET, "/api/v1/users/me", &allowed), R_ME);
	assert_int_equal(allowed, M_GET | M_PATCH);
	/* For PATCH only the :param route fits, and its param is "me". */
	assert_int_equal(match(t, M_PATCH, "/api/v1/users/me", &allowed), R_USER);
	assert_string_equal(req_param(&t->r, "id"), "me");
	assert_int_equal(match(t, M_GET, "/api/v1/users/you", &allowed), R_USER);
	assert_string_equal(req_param(&t->r, "id"), "you");

	/* Listed the other way round, the :param route takes the path. */
	static const struct route reversed[] = {
		{M_GET, "/a/:x", ok_handler, 0, 0, NULL, "param"},
		{M_GET, "/a/b", ok_handler, 0, 0, NULL, "literal"},
	};
	const struct http_config rc = {NULL, reversed, 2, NULL, NULL, NULL};
	assert_int_equal(match_in(&rc, t, M_GET, "/a/b", &allowed), 0);
	assert_string_equal(req_param(&t->r, "x"), "b");

	/* A later route that also matches must not leave its params behind. */
	static const struct route overlap[] = {
		{M_GET, "/p/:a/lit", ok_handler, 0, 0, NULL, "first"},
		{M_POST, "/:q/:w/:e", ok_handler, 0, 0, NULL, "later"},
	};
	const struct http_config oc = {NULL, overlap, 2, NULL, NULL, NULL};
	assert_int_equal(match_in(&oc, t, M_GET, "/p/1/lit", &allowed), 0);
	assert_int_equal(allowed, M_GET | M_POST);
	assert_string_equal(req_param(&t->r, "a"), "1");
	assert_int_equal(match_in(&oc, t, M_POST, "/p/1/lit", &allowed), 1);
	assert_string_equal(req_param(&t->r, "q"), "p");
	assert_string_equal(req_param(&t->r, "w"), "1");
	assert_string_equal(req_param(&t->r, "e"), "lit");
}

static void test_route_index(void **state)
{
	(void)state;
	assert_int_equal(route_index(&cfg, &routes[0]), 0);
	assert_int_equal(route_index(&cfg, &routes[R_STATIC]), R_STATIC);
	assert_int_equal(route_index(&cfg, NULL), NROUTES);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_method_parse),
		T(test_literal_routes),
		T(test_params),
		T(test_head_and_405),
		T(test_order),
		cmocka_unit_test(test_route_index),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
