/*
 * web.c — loading the embedded templates and catalogs, and rendering.
 *
 * Catalogs are read before templates so that {{_ "Text"}} is translated
 * into every language once, at load time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/embed.h"
#include "base/xmalloc.h"
#include "web/web_int.h"
#include "base/banned.h"

#define TMPL_DIR "templates/"
#define TMPL_EXT ".html"
#define NAME_MAX_LEN 64

/* "templates/x.html" -> "x" in name; false for any other file. */
static bool template_name(const char *file, char name[NAME_MAX_LEN])
{
	size_t dir = strlen(TMPL_DIR), ext = strlen(TMPL_EXT), n = strlen(file);

	if (n <= dir + ext || n - dir - ext >= NAME_MAX_LEN || strncmp(file, TMPL_DIR, dir) != 0 ||
	    strcmp(file + n - ext, TMPL_EXT) != 0 || strchr(file + dir, '/'))
		return false;
	memcpy(name, file + dir, n - dir - ext);
	name[n - dir - ext] = '\0';
	return true;
}

static enum err load_catalogs(struct web *w, struct errinfo *ei)
{
	char file[32];
	const struct embedded *e;
	enum err rc;

	for (int i = 0; i < WEB_NLANG; i++) {
		snprintf(file, sizeof file, "mo/%s.mo", web_lang_code(i));
		if (!(e = embed_find(file)))
			continue;
		if ((rc = catalog_read(&w->cat[i], w->a, e->data, e->len, file, ei)) != OK)
			return rc;
	}
	return OK;
}

enum err web_new(const char *(*asset_url)(const char *name), struct web **out,
		 struct errinfo *ei)
{
	struct web *w = xcalloc(1, sizeof *w);
	enum err rc;

	*out = NULL;
	w->a = arena_new();
	w->asset_url = asset_url;
	if ((rc = load_catalogs(w, ei)) != OK) {
		web_free(w);
		return rc;
	}
	*out = w;
	return OK;
}

static enum err load_templates(struct web *w, struct errinfo *ei)
{
	char name[NAME_MAX_LEN];
	enum err rc;

	for (const struct embedded *e = embedded_files; e->name; e++) {
		if (!template_name(e->name, name))
			continue;
		if ((rc = web_compile(w, name, (const char *)e->data, ei)) != OK)
			return rc;
	}
	return web_link(w, ei);
}

enum err web_load(const char *(*asset_url)(const char *name), struct web **out,
		  struct errinfo *ei)
{
	struct web *w = NULL;
	enum err rc;

	*out = NULL;
	if ((rc = web_new(asset_url, &w, ei)) != OK)
		goto out;
	if ((rc = load_templates(w, ei)) != OK)
		goto out;
	*out = w;
	w = NULL;
out:
	web_free(w);
	return rc;
}

void web_free(struct web *w)
{
	if (!w)
		return;
	arena_free(w->a);
	free(w->t);
	free(w);
}

enum err web_render(const struct web *w, const char *name, json_t *data, const char *lang,
		    struct buf *out, struct errinfo *ei)
{
	const struct tmpl *t = web_find(w, name);
	json_t *empty = NULL;
	int i = web_lang_index(lang);

	if (!t)
		return err_set(ei, ERR_NOTFOUND, NULL, "no template \"%s\"", name);
	if (!data)
		data = empty = json_object();
	tmpl_render(w, t, data, i >= 0 ? i : WEB_EN, out);
	json_decref(empty);
	if (out->err)
		return err_set(ei, ERR_LIMIT, NULL, "the page \"%s\" is larger than %zu bytes", name,
			       out->max);
	return OK;
}

void web_set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new_nocheck(o, key, json_string_nocheck(v ? v : ""));
}

void web_set_int(json_t *o, const char *key, int64_t v)
{
	json_object_set_new_nocheck(o, key, json_integer(v));
}

void web_set_bool(json_t *o, const char *key, bool v)
{
	json_object_set_new_nocheck(o, key, json_boolean(v));
}
