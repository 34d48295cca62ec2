/*
 * i18n.c — the languages Reach speaks, Accept-Language, and GNU .mo
 * catalogs read by hand: libintl keeps one locale per process, and Reach
 * renders every language at once from many threads.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/utf8.h"
#include "web/web_int.h"
#include "base/banned.h"

#define MO_MAGIC 0x950412deu
#define MO_HEADER 28

static const struct {
	const char *code;
	const char *name;
	bool rtl;
} langs[WEB_NLANG] = {
	[WEB_EN] = {"en", "English", false},
	[WEB_FA] = {"fa", "فارسی", true},
	[WEB_VI] = {"vi", "Tiếng Việt", false},
	[WEB_AZ] = {"az", "Azərbaycanca", false},
};

int web_lang_index(const char *lang)
{
	for (int i = 0; lang && i < WEB_NLANG; i++)
		if (strcmp(lang, langs[i].code) == 0)
			return i;
	return -1;
}

const char *web_lang_code(int i)
{
	return i >= 0 && i < WEB_NLANG ? langs[i].code : langs[WEB_EN].code;
}

bool web_lang_known(const char *lang)
{
	return web_lang_index(lang) >= 0;
}

bool web_lang_rtl(const char *lang)
{
	int i = web_lang_index(lang);
	return i >= 0 && langs[i].rtl;
}

const char *web_lang_name(const char *lang)
{
	int i = web_lang_index(lang);
	return i >= 0 ? langs[i].name : NULL;
}

/* The language whose code is the primary subtag of tag[0..n), or -1. */
static int lang_of_tag(const char *tag, size_t n)
{
	size_t primary = strcspn(tag, "-_");

	if (primary > n)
		primary = n;
	for (int i = 0; i < WEB_NLANG; i++)
		if (primary == strlen(langs[i].code) && strncasecmp(tag, langs[i].code, primary) == 0)
			return i;
	return -1;
}

/* Parses a q-value ("1", "0.9", "0.125") into thousandths; -1 if bad. */
static int qvalue(const char *s, size_t n)
{
	int q = 0, scale = 1000;
	size_t i = 0;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n > 1 && s[1] != '.')
		return -1;
	for (i = 2; i < n && i < 5; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		scale /= 10;
		q += (s[i] - '0') * scale;
	}
	return i < n || q > 1000 ? -1 : q;
}

/* The q of one entry's parameters (";q=0.5"), 1000 when there is none. */
static int entry_q(const char *params, size_t n)
{
	const char *end = params + n, *p = params;

	while (p < end) {
		p += strspn(p, " \t;");
		if (end - p > 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
			size_t len = strcspn(p + 2, " \t;,");
			return qvalue(p + 2, len);
		}
		p += strcspn(p, ";,");
	}
	return 1000;
}

const char *web_lang_pick(const char *accept_language)
{
	const char *p = accept_language;
	int best = -1, bestq = 0;

	while (p && *p) {
		size_t n, tag;
		int q, i;

		p += strspn(p, " \t,");
		n = strcspn(p, ",");
		tag = strcspn(p, " \t;,");
		q = entry_q(p + tag, n - tag);
		i = lang_of_tag(p, tag);
		if (i >= 0 && q > bestq) {
			best = i;
			bestq = q;
		}
		p += n;
	}
	return best >= 0 ? langs[best].code : NULL;
}

static uint32_t rd32(const unsigned char *p, bool be)
{
	if (be)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* The string of table entry i (a length and an offset), or NULL when it
 * does not lie inside the file with its NUL. */
static const char *mo_string(const unsigned char *d, size_t len, bool be, uint32_t table,
			     uint32_t i, uint32_t *slen)
{
	uint64_t at = (uint64_t)table + (uint64_t)i * 8;
	uint32_t off;

	if (at + 8 > len)
		return NULL;
	*slen = rd32(d + at, be);
	off = rd32(d + at + 4, be);
	if ((uint64_t)off + *slen >= len || d[off + *slen] != '\0')
		return NULL;
	return (const char *)d + off;
}

static int msg_cmp(const void *a, const void *b)
{
	return strcmp(((const struct msg *)a)->id, ((const struct msg *)b)->id);
}

enum err catalog_read(struct catalog *c, struct arena *a, const unsigned char *d, size_t len,
		      const char *file, struct errinfo *ei)
{
	uint32_t n, orig, trans, idlen, strlen_;
	bool be;

	c->msg = NULL;
	c->n = 0;
	if (len < MO_HEADER)
		return err_set(ei, ERR_INVALID, NULL, "%s: too short for a .mo file", file);
	be = rd32(d, false) != MO_MAGIC;
	if (rd32(d, be) != MO_MAGIC || rd32(d + 4, be) >> 16 > 1)
		return err_set(ei, ERR_INVALID, NULL, "%s: not a GNU .mo file", file);
	n = rd32(d + 8, be);
	orig = rd32(d + 12, be);
	trans = rd32(d + 16, be);
	if ((uint64_t)n * 8 > len)
		return err_set(ei, ERR_INVALID, NULL, "%s: %u entries cannot fit", file, n);
	c->msg = arena_alloc(a, (n ? n : 1) * sizeof *c->msg);
	for (uint32_t i = 0; i < n; i++) {
		const char *id = mo_string(d, len, be, orig, i, &idlen);
		const char *str = mo_string(d, len, be, trans, i, &strlen_);

		if (!id || !str)
			return err_set(ei, ERR_INVALID, NULL, "%s: entry %u lies outside the file", file, i);
		if (!utf8_valid(str, strlen_, NULL))
			return err_set(ei, ERR_INVALID, NULL, "%s: the translation of \"%s\" is not UTF-8",
				       file, id);
		if (idlen == 0 || str[0] == '\0')
			continue;
		c->msg[c->n].id = id;
		c->msg[c->n++].str = str;
	}
	qsort(c->msg, c->n, sizeof *c->msg, msg_cmp);
	return OK;
}

const char *catalog_find(const struct catalog *c, const char *msgid)
{
	struct msg key = {msgid, NULL};
	const struct msg *m;

	if (!c->n)
		return NULL;
	m = bsearch(&key, c->msg, c->n, sizeof *c->msg, msg_cmp);
	return m ? m->str : NULL;
}

const char *web_tr(const struct web *w, const char *lang, const char *msgid)
{
	int i = web_lang_index(lang);
	const char *s;

	if (!msgid)
		return "";
	if (!w || i < 0 || !(s = catalog_find(&w->cat[i], msgid)))
		return msgid;
	return s;
}
