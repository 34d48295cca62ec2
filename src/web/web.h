/*
 * web.h — HTML pages: the template engine, the translation catalogs, and
 * dates and numbers written in the reader's language and calendar.
 *
 * Ownership and threads. web_load compiles every embedded template
 * (templates/NAME.html is the template NAME) into a tree of nodes and reads
 * every embedded catalog (mo/LANG.mo) once, at start-up. The struct web is
 * owned by whoever loaded it, is read-only afterwards, and is shared by all
 * threads: rendering keeps its state on the caller's stack and opens its
 * ICU formatters for the one call. Strings returned by web_tr live as long
 * as the struct web.
 *
 * Languages: "en", "fa", "vi", "az". An unknown language renders as "en".
 *
 * Template syntax. A tag is {{ … }}; spaces inside are free.
 *   {{path}}            the value at path, HTML-escaped. A path is "." (the
 *                       current item) or names joined by dots
 *                       ("user.display_name"). The first name is looked up
 *                       in the current item, then outward through every
 *                       enclosing loop item to the root. Strings print
 *                       escaped, numbers as integers or decimals, booleans
 *                       as true/false; null, missing, objects and arrays
 *                       print nothing.
 *   {{#each path}} … {{else}} … {{/each}}
 *                       the body once per element of an array, with the
 *                       element as current item and {{@index}} its
 *                       0-based position; the else branch when the value
 *                       is missing, empty or not an array.
 *   {{#if path}} … {{else}} … {{/if}}, {{#unless path}} … {{/unless}}
 *                       missing, null, false, 0, "" and [] are false.
 *   {{#if path == "text"}}, {{#if path == other.path}}
 *                       true when the value equals the string (a number or
 *                       boolean compares by its printed form) or the other
 *                       value; a missing value equals nothing.
 *   {{> name}}          includes template name in the same data scope.
 *   {{_ "Text"}}        "Text" translated into the render language;
 *   {{_ path}}          the value at path, translated.
 *   {{asset "reach.css"}} the asset's fingerprinted URL.
 *   {{date path}}, {{date path "short|medium|long|datetime"}},
 *   {{datetime path}}   an ISO 8601 value through web_date_iso (medium by
 *                       default); {{number path}} through web_number.
 *   {{lang}}, {{dir}}   the render language and "rtl" or "ltr". These
 *                       names, and the helper names above, shadow data
 *                       keys of the same name.
 *   {{! comment }}      nothing; {{!-- … --}} may hold "}}".
 * A block tag, {{else}}, a comment or a partial alone on its line takes the
 * whole line with it, so templates can be indented without bloating pages.
 *
 * There is no raw output: every value is escaped and nothing turns that
 * off ({{{x}}} is a load error). Markup comes only from templates.
 *
 * Pages and the layout. A page template wraps its content in
 *   {{#layout}} … {{/layout}}
 * which renders templates/layout.html in the same data scope; where the
 * layout says {{yield}}, the page's block is rendered, still as compiled
 * template, so the layout (header, language switch, flash and error
 * messages, footer) is written once and a page is only its own markup.
 *
 * Load errors name the template and line: "templates/x.html:12: {{#if}}
 * opened here is never closed". Unknown helpers, unknown partials,
 * mismatched closers, a misplaced {{else}} and include cycles are caught.
 */
#ifndef WEB_WEB_H
#define WEB_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct web;

/*
 * Compiles every embedded templates/NAME.html and reads every embedded
 * mo/LANG.mo catalog. asset_url (may be NULL) maps "reach.css" to its
 * fingerprinted URL and is called only here, for each {{asset}}; where it
 * returns NULL the name is written unchanged. Returns OK with *out set, or
 * ERR_INVALID with ei saying which template or catalog, which line and
 * what is wrong (and *out NULL).
 */
enum err web_load(const char *(*asset_url)(const char *name), struct web **out,
		  struct errinfo *ei);

/* Frees everything web_load made. w may be NULL. */
void web_free(struct web *w);

/*
 * Renders template name ("login": templates/login.html) with data (a JSON
 * object; NULL renders as {}) in language lang, appending to out. Returns
 * OK; ERR_NOTFOUND when there is no such template; ERR_LIMIT when out
 * reached its maximum (out then holds a truncated page). Safe to call from
 * any number of threads at once.
 */
enum err web_render(const struct web *w, const char *name, json_t *data, const char *lang,
		    struct buf *out, struct errinfo *ei);

/* The translation of msgid in lang; msgid itself when there is none (or
 * msgid is NULL: ""). Never NULL. */
const char *web_tr(const struct web *w, const char *lang, const char *msgid);

/* The best of en, fa, vi, az in an Accept-Language header by q-value
 * (earlier wins a tie; q=0 means "not this"), or NULL when none fits or
 * accept_language is NULL. The result is a static string. */
const char *web_lang_pick(const char *accept_language);

/* True for "en", "fa", "vi" and "az". */
bool web_lang_known(const char *lang);

/* True for the languages written right to left ("fa"). */
bool web_lang_rtl(const char *lang);

/* The language's name in itself ("فارسی"), or NULL for an unknown one. */
const char *web_lang_name(const char *lang);

enum web_date_style { WEB_DATE_SHORT, WEB_DATE_MEDIUM, WEB_DATE_LONG, WEB_DATETIME };

/*
 * Appends the moment ms (milliseconds since the epoch) as a date in UTC,
 * written the reader's way with ICU: fa in the Solar Hijri calendar with
 * Persian digits ("۱ آذر ۱۴۰۵"), vi as in Viet Nam, az in Latin script, en
 * as in Britain but ISO 8601 for the short forms ("2026-11-22",
 * "2026-11-22 10:00"). WEB_DATETIME adds hours and minutes. Where ICU
 * fails, the ISO form is appended. Errors are out's.
 */
void web_date(const char *lang, int64_t ms, enum web_date_style style, struct buf *out);

/* The same for an ISO 8601 text date ("2026-11-22" or
 * "2026-11-22T10:00:00.123Z"); appends iso unchanged if it does not parse. */
void web_date_iso(const char *lang, const char *iso, enum web_date_style style, struct buf *out);

/* Appends v with the language's digits and grouping (fa: "۱۲٬۳۴۵"). */
/* Closes the calling thread's cached ICU formatters (threads that exit
 * close theirs by themselves; the main thread calls this before exit). */
void web_thread_release(void);

void web_number(const char *lang, int64_t v, struct buf *out);

/*
 * Members of a page's data, set directly: a page is built from hundreds
 * of small values, and json_pack parses its format and checks every
 * string each time. The keys are literals and the text comes from the
 * store and the catalogs, UTF-8 checked when it came in, so neither is
 * checked again. A NULL string is set as "".
 */
void web_set_str(json_t *o, const char *key, const char *v);
void web_set_int(json_t *o, const char *key, int64_t v);
void web_set_bool(json_t *o, const char *key, bool v);

#endif
