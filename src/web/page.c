/*
 * page.c — the common data of every page, and error pages.
 */
#include <string.h>

#include "auth/auth.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "web/page.h"
#include "web/web.h"
#include "base/banned.h"

#define PAGE_ROOM (32u << 10)

static const char *const lang_codes[] = {"en", "fa", "vi", "az"};
static const char *const lang_names[] = {"English", "فارسی", "Tiếng Việt", "Azərbaycanca"};

static json_t *langs(const char *current)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sizeof lang_codes / sizeof lang_codes[0]; i++) {
		json_t *o = json_object();
		web_set_str(o, "code", lang_codes[i]);
		web_set_str(o, "name", lang_names[i]);
		web_set_bool(o, "current", strcmp(current, lang_codes[i]) == 0);
		json_array_append_new(a, o);
	}
	return a;
}

static void common(struct req *r, json_t *d, const char *title)
{
	const struct ctx *c = &r->c;
	const struct user *u = r->c.user;
	char today[TIME_ISO_LEN];
	json_t *user;

	time_now_iso(today);
	today[10] = '\0';
	json_object_set_new(d, "title", json_string(title));
	json_object_set_new(d, "today", json_string(today));
	json_object_set_new(d, "path", json_string(r->path));
	json_object_set_new(d, "langs", langs(r->c.lang));
	if (r->csrf)
		json_object_set_new(d, "csrf", json_string(r->csrf));
	if (!u)
		return;
	user = json_object();
	web_set_str(user, "display_name", u->display_name);
	web_set_str(user, "login", u->login);
	web_set_str(user, "role", auth_role_name(u->role));
	web_set_str(user, "role_label", _(auth_role_label(u->role)));
	json_object_set_new(d, "user", user);
	json_object_set_new(d, "is_admin", json_boolean(auth_can(u, ACT_ACCOUNT_ADMIN, NULL)));
	json_object_set_new(d, "can_audit", json_boolean(auth_can(u, ACT_AUDIT_READ, NULL)));
	json_object_set_new(d, "can_search", json_boolean(auth_can(u, ACT_REGISTRY_READ, NULL)));
	json_object_set_new(d, "can_regions", json_boolean(auth_can(u, ACT_AGGREGATE_READ, NULL)));
}

int web_page(struct req *r, int status, const char *tmpl, const char *title, json_t *data)
{
	struct errinfo ei = {0};
	json_t *d = data ? data : json_object();

	common(r, d, title);
	buf_reset(&r->out);
	/* Room for most pages at once: grown from nothing, a dashboard's
	 * 30 kB would be copied a dozen times over. */
	buf_space(&r->out, PAGE_ROOM);
	if (web_render(r->c.app->web, tmpl, d, r->c.lang, &r->out, &ei) != OK) {
		http_json_drop(d);
		log_msg(LOG_ERROR, r->c.req_id, "page %s: %s", tmpl, ei.msg);
		r->wants_html = false; /* no second try at a page */
		return req_error(r, 500, "internal", NULL, "the page could not be made");
	}
	http_json_drop(d);
	return req_html(r, status);
}

void web_error_page(struct req *r, int status, const char *code, const char *msg)
{
	struct errinfo ei = {0};
	const struct ctx *c = &r->c;
	json_t *d = json_pack("{s:i, s:s, s:s}", "status", status, "code", code, "message", msg);

	(void)c;
	common(r, d, msg);
	if (web_render(r->c.app->web, "error", d, r->c.lang, &r->out, &ei) != OK) {
		log_msg(LOG_ERROR, r->c.req_id, "error page: %s", ei.msg);
		buf_reset(&r->out);
		r->out.err = ERR_INTERNAL; /* tells req_error to fall back to JSON */
	}
	json_decref(d);
}
