/*
 * web_int.h — what the files of web/ share: the compiled template tree,
 * the catalogs, the language table and the per-render ICU formatters.
 * Nothing outside src/web includes it, except web_test.c, which compiles
 * templates from strings with web_new, web_compile and web_link.
 *
 * Everything a struct web holds (templates, nodes, catalog indexes) comes
 * from its one arena and is freed at once by web_free.
 */
#ifndef WEB_WEB_INT_H
#define WEB_WEB_INT_H

#include "base/arena.h"
#include "web/web.h"

enum { WEB_EN, WEB_FA, WEB_VI, WEB_AZ, WEB_NLANG };

/* Index of a language code in the table above, or -1. */
int web_lang_index(const char *lang);

/* The code of language i ("en" for an index out of range). */
const char *web_lang_code(int i);

/* One translation: msgid and its (first) msgstr, both NUL-terminated. */
struct msg {
	const char *id;
	const char *str;
};

/* A catalog: translations sorted by msgid (strcmp order). */
struct catalog {
	struct msg *msg;
	size_t n;
};

/*
 * Reads a GNU .mo file (either byte order) of len bytes at data, which
 * must outlive the catalog: the strings point into it. Untranslated
 * entries and the header are left out. Returns OK, or ERR_INVALID naming
 * file when the file is not a sound .mo or a translation is not UTF-8.
 */
enum err catalog_read(struct catalog *c, struct arena *a, const unsigned char *data,
		      size_t len, const char *file, struct errinfo *ei);

/* The translation of msgid, or NULL. */
const char *catalog_find(const struct catalog *c, const char *msgid);

/* A path: "." has n == 0; "user.display_name" has two segments. */
struct path {
	const char **seg;
	int n;
};

enum op {
	OP_TEXT,        /* text */
	OP_VAR,         /* path, escaped */
	OP_INDEX,       /* {{@index}} */
	OP_LANG,        /* {{lang}} */
	OP_DIR,         /* {{dir}} */
	OP_TR,          /* tr[lang]: text translated at load time */
	OP_TRVAR,       /* path, translated at render time */
	OP_ASSET,       /* text: the resolved URL */
	OP_DATE,        /* path, style */
	OP_NUMBER,      /* path */
	OP_EACH,        /* path, body, alt */
	OP_IF,          /* path (== rhs), body, alt */
	OP_UNLESS,      /* path (== rhs), body, alt */
	OP_PARTIAL,     /* target */
	OP_LAYOUT,      /* target (the layout), body */
	OP_YIELD,       /* the body of the enclosing {{#layout}} */
};

enum cmp { CMP_NONE, CMP_LIT, CMP_PATH };

struct tmpl;

struct node {
	enum op op;
	int line;
	struct node *next;
	struct node *body, *alt;
	struct slice text;
	struct path path;
	enum cmp cmp;
	struct path rhs;                /* CMP_PATH */
	const char *tr[WEB_NLANG];      /* OP_TR */
	enum web_date_style style;      /* OP_DATE */
	const char *target_name;        /* OP_PARTIAL, OP_LAYOUT */
	const struct tmpl *target;      /* set by web_link */
};

struct tmpl {
	const char *name;
	struct node *body;
	int mark;                       /* web_link's cycle search */
};

struct web {
	struct arena *a;
	const char *(*asset_url)(const char *name);
	struct catalog cat[WEB_NLANG];
	struct tmpl **t;                /* sorted by name after web_link */
	size_t nt, cap;
};

/* An empty struct web with the embedded catalogs read (see web_load). */
enum err web_new(const char *(*asset_url)(const char *name), struct web **out,
		 struct errinfo *ei);

/* Compiles src as template name. ERR_INVALID with "templates/NAME.html:LINE:
 * what" when it is not sound, ERR_EXISTS when name is taken. */
enum err web_compile(struct web *w, const char *name, const char *src, struct errinfo *ei);

/* Resolves partials and layouts, rejects unknown ones and include cycles,
 * and sorts the templates. Call once, after the last web_compile. */
enum err web_link(struct web *w, struct errinfo *ei);

/* The template called name, or NULL. */
const struct tmpl *web_find(const struct web *w, const char *name);

/* Writes the tree of t with data in language lang into out. */
void tmpl_render(const struct web *w, const struct tmpl *t, json_t *data, int lang,
		 struct buf *out);

/* ICU formatters opened on first use and kept for one render. */
/* How a language writes integers, learnt from ICU (fmt.c). */
struct fmt_fast {
	int state;                      /* 0 not learnt yet, 1 in use, -1 ICU writes them */
	char digit[10][8], sep[8], minus[16];
	uint8_t digit_len[10], sep_len, minus_len;
};

/* The last dates a thread wrote in one language and style, as written. */
#define FMT_LAST 4
struct fmt_last {
	int next;                       /* the entry to replace */
	struct {
		int64_t ms;
		uint8_t len;            /* 0: none yet */
		char text[119];
	} e[FMT_LAST];
};

struct fmt {
	int lang;
	void *df[WEB_DATETIME + 1];     /* UDateFormat * by style */
	void *nf;                       /* UNumberFormat * */
	struct fmt_fast *fast;          /* the thread's, or NULL */
	struct fmt_last *last;          /* the thread's, by style, or NULL */
};

void fmt_init(struct fmt *f, int lang);
void fmt_release(struct fmt *f);
void fmt_date(struct fmt *f, int64_t ms, enum web_date_style style, struct buf *out);
void fmt_number(struct fmt *f, int64_t v, struct buf *out);

#endif
