/*
 * page.h — pages: a template rendered inside the one layout with what
 * every page shows (the user, the language switch, the CSRF token, today's
 * date in the reader's calendar).
 */
#ifndef WEB_PAGE_H
#define WEB_PAGE_H

#include <jansson.h>

#include "http/http.h"

/* Renders templates/<tmpl>.html with data (taken: the caller's reference
 * is consumed) plus the common fields, and returns status (500 when the
 * template fails). title is already translated. */
int web_page(struct req *r, int status, const char *tmpl, const char *title, json_t *data);

/* The http_config error_page hook: an error as a page. */
void web_error_page(struct req *r, int status, const char *code, const char *msg);

#endif
