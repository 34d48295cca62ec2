/*
 * routes.c — the route table: every URL the server answers, in one place.
 * Each route names its handler, the action the gate checks with auth_can,
 * its flags and the input fields validated before the handler runs. The
 * OpenAPI document is made from this table.
 */
#include "auth/auth.h"
#include "auth/auth_routes.h"
#include "jobs/jobs_routes.h"
#include "routes.h"
#include "base/banned.h"

#define GET M_GET
#define POST M_POST

const struct route app_routes[] = {
	/* Probes, metrics, the API description, static files. */
	{GET, "/healthz", http_healthz, ACT_PUBLIC, R_NOLOG, NULL, "Alive"},
	{GET, "/readyz", http_readyz, ACT_PUBLIC, R_NOLOG, NULL, "Ready: the store answers"},
	{GET, "/metrics", http_metrics, ACT_PUBLIC, R_NOLOG, NULL, "Prometheus metrics"},
	{GET, "/api/v1/openapi.json", http_openapi, ACT_PUBLIC, 0, NULL, "This document"},
	{GET, "/static/:file", http_static, ACT_PUBLIC, R_NOAPI, NULL, NULL},

	/* Signing in and out, the caller's own account and tokens. */
	{POST, "/api/v1/auth/login", auth_api_login, ACT_PUBLIC, R_NOCSRF, auth_in_login,
	 "Sign in: sets the session cookie and returns the CSRF token"},
	{POST, "/api/v1/auth/logout", auth_api_logout, ACT_SIGNED_IN, 0, NULL, "Sign out"},
	{GET, "/api/v1/me", auth_api_me, ACT_SIGNED_IN, 0, NULL, "The caller's account"},
	{M_PATCH, "/api/v1/me", auth_api_me_patch, ACT_SIGNED_IN, 0, auth_in_me,
	 "Change the caller's display name or language"},
	{POST, "/api/v1/me/password", auth_api_me_password, ACT_SIGNED_IN, 0, auth_in_password,
	 "Change the caller's password (ends every session)"},
	{GET, "/api/v1/tokens", auth_api_tokens, ACT_SIGNED_IN, 0, NULL, "The caller's API tokens"},
	{POST, "/api/v1/tokens", auth_api_token_create, ACT_SIGNED_IN, 0, auth_in_token,
	 "Create an API token (shown once)"},
	{M_DELETE, "/api/v1/tokens/:id", auth_api_token_revoke, ACT_SIGNED_IN, 0, NULL, "Revoke an API token"},

	/* Accounts administration and the audit log. */
	{GET, "/api/v1/users", auth_api_users, ACT_ACCOUNT_ADMIN, R_QUERY, auth_in_page, "List accounts"},
	{POST, "/api/v1/users", auth_api_user_create, ACT_ACCOUNT_ADMIN, 0, auth_in_user_new, "Create an account"},
	{GET, "/api/v1/users/:id", auth_api_user, ACT_ACCOUNT_ADMIN, 0, NULL, "Read an account"},
	{M_PATCH, "/api/v1/users/:id", auth_api_user_patch, ACT_ACCOUNT_ADMIN, 0, auth_in_user_patch,
	 "Change an account; disabling ends its sessions"},
	{POST, "/api/v1/users/:id/password", auth_api_user_password, ACT_ACCOUNT_ADMIN, 0, auth_in_user_password,
	 "Reset an account's password"},
	{GET, "/api/v1/audit", auth_api_audit, ACT_AUDIT_READ, R_QUERY, auth_in_page, "The audit log, newest first"},

	/* Background jobs. */
	{GET, "/api/v1/jobs/:id", jobs_api_get, ACT_SIGNED_IN, 0, NULL, "A background job's state and progress"},
	{POST, "/api/v1/backups", jobs_api_backup, ACT_BACKUP, 0, NULL, "Take a backup (a background job)"},

	/* Registry: regions, schools, people, enrolments (registry_routes.c). */

	/* Import and export (import_routes.c). */

	/* Dashboards (dashboard_routes.c). */

	/* Pages. */
	{GET, "/", auth_page_home, ACT_PUBLIC, R_HTML, NULL, NULL},
	{GET, "/login", auth_page_login, ACT_PUBLIC, R_HTML | R_QUERY, auth_in_login_page, NULL},
	{POST, "/login", auth_page_login_post, ACT_PUBLIC, R_HTML | R_NOCSRF, auth_in_login, NULL},
	{POST, "/logout", auth_page_logout, ACT_SIGNED_IN, R_HTML, NULL, NULL},
	{POST, "/lang", auth_page_lang, ACT_PUBLIC, R_HTML, auth_in_lang, NULL},
	{GET, "/account", auth_page_account, ACT_SIGNED_IN, R_HTML, NULL, NULL},
	{POST, "/account", auth_page_account_post, ACT_SIGNED_IN, R_HTML, auth_in_me, NULL},
	{POST, "/account/password", auth_page_password_post, ACT_SIGNED_IN, R_HTML, auth_in_password, NULL},
	{GET, "/admin/users", auth_page_users, ACT_ACCOUNT_ADMIN, R_HTML | R_QUERY, auth_in_page, NULL},
	{POST, "/admin/users", auth_page_user_create, ACT_ACCOUNT_ADMIN, R_HTML, auth_in_user_new, NULL},
	{POST, "/admin/users/:id/disable", auth_page_user_disable, ACT_ACCOUNT_ADMIN, R_HTML, NULL, NULL},
	{POST, "/admin/users/:id/enable", auth_page_user_enable, ACT_ACCOUNT_ADMIN, R_HTML, NULL, NULL},
	{GET, "/admin/audit", auth_page_audit, ACT_AUDIT_READ, R_HTML | R_QUERY, auth_in_page, NULL},
};

const size_t app_nroutes = sizeof app_routes / sizeof app_routes[0];
