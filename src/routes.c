/*
 * routes.c — the route table: every URL the server answers, in one place.
 * Each route names its handler, the action the gate checks with auth_can,
 * its flags and the input fields validated before the handler runs. The
 * OpenAPI document is made from this table.
 */
#include "auth/auth.h"
#include "auth/auth_routes.h"
#include "dashboard/dashboard_routes.h"
#include "import/import_routes.h"
#include "jobs/jobs_routes.h"
#include "registry/registry_routes.h"
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
	{GET, "/api/v1/regions", registry_api_regions, ACT_REGISTRY_READ, R_QUERY, registry_in_regions,
	 "List regions (filters: parent, level, q)"},
	{POST, "/api/v1/regions", registry_api_region_create, ACT_REGISTRY_WRITE, 0, registry_in_region_new,
	 "Create a region under its parent"},
	{GET, "/api/v1/regions/:id", registry_api_region, ACT_REGISTRY_READ, 0, NULL, "Read a region by code or id"},
	{M_PATCH, "/api/v1/regions/:id", registry_api_region_patch, ACT_REGISTRY_WRITE, 0, registry_in_region_patch,
	 "Change a region's names and figures"},
	{GET, "/api/v1/schools", registry_api_schools, ACT_REGISTRY_READ, R_QUERY, registry_in_schools,
	 "List schools (filters: region, q)"},
	{POST, "/api/v1/schools", registry_api_school_create, ACT_REGISTRY_WRITE, 0, registry_in_school_new,
	 "Create a school"},
	{GET, "/api/v1/schools/:id", registry_api_school, ACT_REGISTRY_READ, 0, NULL, "Read a school by id or code"},
	{M_PATCH, "/api/v1/schools/:id", registry_api_school_patch, ACT_REGISTRY_WRITE, 0, registry_in_school_patch,
	 "Change a school's profile, connectivity or equipment"},
	{GET, "/api/v1/people", registry_api_people, ACT_PERSON_READ, R_QUERY, registry_in_people,
	 "List people in the caller's scope (filters: region, school, role, q, retired)"},
	{POST, "/api/v1/people", registry_api_person_create, ACT_PERSON_WRITE, 0, registry_in_person_new,
	 "Create a person"},
	{GET, "/api/v1/people/:id", registry_api_person, ACT_PERSON_READ, 0, NULL,
	 "Read a person, with the guardians and children the caller may see"},
	{M_PATCH, "/api/v1/people/:id", registry_api_person_patch, ACT_PERSON_WRITE, 0, registry_in_person_patch,
	 "Change a person"},
	{POST, "/api/v1/people/:id/retire", registry_api_person_retire, ACT_PERSON_WRITE, 0, NULL,
	 "Retire a person (people are never deleted)"},
	{POST, "/api/v1/people/:id/guardians", registry_api_guardian_add, ACT_PERSON_WRITE, 0, registry_in_guardian,
	 "Link a guardian to a learner"},
	{GET, "/api/v1/enrolments", registry_api_enrolments, ACT_PERSON_READ, R_QUERY, registry_in_enrolments,
	 "List enrolments (filters: school, learner, status, grade)"},
	{POST, "/api/v1/enrolments", registry_api_enrolment_create, ACT_PERSON_WRITE, 0, registry_in_enrolment_new,
	 "Enrol a learner"},
	{GET, "/api/v1/enrolments/:id", registry_api_enrolment, ACT_PERSON_READ, 0, NULL, "Read an enrolment"},
	{M_PATCH, "/api/v1/enrolments/:id", registry_api_enrolment_patch, ACT_PERSON_WRITE, 0,
	 registry_in_enrolment_patch, "Change an enrolment (grade, status, dates, school)"},
	{GET, "/schools/:id", registry_page_school, ACT_REGISTRY_READ, R_HTML, NULL, NULL},
	{GET, "/people/:id", registry_page_person, ACT_PERSON_READ, R_HTML, NULL, NULL},
	{GET, "/search", registry_page_search, ACT_REGISTRY_READ, R_HTML | R_QUERY, registry_in_search, NULL},

	/* Import and export (import_routes.c). */
	{POST, "/api/v1/imports", import_api_upload, ACT_IMPORT, R_UPLOAD | R_QUERY, import_in_upload,
	 "Import a file (the body, or a form's file): a background job; 202 with the run"},
	{GET, "/api/v1/imports", import_api_list, ACT_IMPORT, R_QUERY, import_in_list, "The caller's recent imports"},
	{GET, "/api/v1/imports/:id", import_api_get, ACT_IMPORT, 0, NULL, "An import: counts, state and job progress"},
	{GET, "/api/v1/imports/:id/report.csv", import_api_report, ACT_IMPORT, 0, NULL,
	 "An import's rejected rows as CSV (file,row,column,reason)"},
	{GET, "/imports", import_page, ACT_IMPORT, R_HTML, NULL, NULL},
	{POST, "/imports", import_page_upload, ACT_IMPORT, R_HTML | R_UPLOAD, import_in_upload, NULL},

	/* Dashboards (dashboard_routes.c). */
	{GET, "/api/v1/regions/:code/stats", dashboard_api_stats, ACT_AGGREGATE_READ, 0, NULL,
	 "A region's figures, for it and everything beneath it (no personal data)"},
	{POST, "/api/v1/dashboards/refresh", dashboard_api_refresh, ACT_REGISTRY_WRITE, 0, NULL,
	 "Recompute every region's figures (a background job)"},
	{GET, "/regions/:code/figures.csv", dashboard_figures_csv, ACT_AGGREGATE_READ, 0, NULL,
	 "A region's figures as CSV"},
	{GET, "/regions/:code/figures.xlsx", dashboard_figures_xlsx, ACT_AGGREGATE_READ, 0, NULL,
	 "A region's figures as an XLSX workbook"},
	{GET, "/regions/:code/regions.csv", dashboard_children_csv, ACT_AGGREGATE_READ, 0, NULL,
	 "The figures of a region's children, one row each, as CSV"},
	{GET, "/regions/:code/regions.xlsx", dashboard_children_xlsx, ACT_AGGREGATE_READ, 0, NULL,
	 "The figures of a region's children as an XLSX workbook"},
	{GET, "/regions", dashboard_page_root, ACT_AGGREGATE_READ, R_HTML, NULL, NULL},
	{GET, "/regions/:code", dashboard_page_region, ACT_AGGREGATE_READ, R_HTML | R_QUERY, dashboard_in_region, NULL},

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
