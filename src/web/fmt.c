/*
 * fmt.c — dates and numbers the reader's way, through ICU.
 *
 * ICU formatters are not safe to share between threads, and opening one
 * costs far more than using it (tens of microseconds against one), so each
 * thread keeps the formatters it has opened, by language and style, until
 * it exits. A struct fmt borrows them for one render (or one web_date
 * call). Times are shown in UTC.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/udat.h>
#include <unicode/unum.h>
#include <unicode/ustring.h>

#include "base/timeutil.h"
#include "web/web_int.h"
#include "base/banned.h"

#define FMT_UMAX 128

static const char *const locales[WEB_NLANG] = {
	[WEB_EN] = "en_GB",
	[WEB_FA] = "fa_IR@calendar=persian",
	[WEB_VI] = "vi_VN",
	[WEB_AZ] = "az_Latn_AZ",
};

static const UChar utc[] = u"UTC";

/* English short forms are ISO 8601, which no reader misreads. */
static const UChar iso_date[] = u"yyyy-MM-dd";
static const UChar iso_datetime[] = u"yyyy-MM-dd HH:mm";

/* One thread's formatters. */
struct fmt_cache {
	void *df[WEB_NLANG][WEB_DATETIME + 1];
	void *nf[WEB_NLANG];
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *p)
{
	struct fmt_cache *fc = p;

	for (int l = 0; l < WEB_NLANG; l++) {
		for (int i = 0; i <= WEB_DATETIME; i++)
			if (fc->df[l][i])
				udat_close(fc->df[l][i]);
		if (fc->nf[l])
			unum_close(fc->nf[l]);
	}
	free(fc);
}

static void cache_key_make(void)
{
	if (pthread_key_create(&cache_key, cache_free) != 0)
		BUG("pthread_key_create");
}

static struct fmt_cache *cache(void)
{
	struct fmt_cache *fc;

	pthread_once(&cache_once, cache_key_make);
	if (!(fc = pthread_getspecific(cache_key))) {
		fc = calloc(1, sizeof *fc);
		if (!fc || pthread_setspecific(cache_key, fc) != 0) {
			free(fc);
			return NULL;
		}
	}
	return fc;
}

void fmt_init(struct fmt *f, int lang)
{
	struct fmt_cache *fc = cache();

	memset(f, 0, sizeof *f);
	f->lang = lang >= 0 && lang < WEB_NLANG ? lang : WEB_EN;
	if (fc) {
		memcpy(f->df, fc->df[f->lang], sizeof f->df);
		f->nf = fc->nf[f->lang];
	}
}

/* Gives what was opened back to the thread's cache (or closes it when the
 * thread has none). */
void fmt_release(struct fmt *f)
{
	struct fmt_cache *fc = cache();

	if (fc) {
		memcpy(fc->df[f->lang], f->df, sizeof f->df);
		fc->nf[f->lang] = f->nf;
	} else {
		for (int i = 0; i <= WEB_DATETIME; i++)
			if (f->df[i])
				udat_close(f->df[i]);
		if (f->nf)
			unum_close(f->nf);
	}
	memset(f, 0, sizeof *f);
}

void web_thread_release(void)
{
	struct fmt_cache *fc;

	pthread_once(&cache_once, cache_key_make);
	if ((fc = pthread_getspecific(cache_key))) {
		pthread_setspecific(cache_key, NULL);
		cache_free(fc);
	}
}

static UDateFormat *date_open(int lang, enum web_date_style st)
{
	static const UDateFormatStyle dstyle[] = {
		[WEB_DATE_SHORT] = UDAT_SHORT, [WEB_DATE_MEDIUM] = UDAT_MEDIUM,
		[WEB_DATE_LONG] = UDAT_LONG, [WEB_DATETIME] = UDAT_MEDIUM,
	};
	UErrorCode e = U_ZERO_ERROR;
	UDateFormat *df;

	if (lang == WEB_EN && (st == WEB_DATE_SHORT || st == WEB_DATETIME))
		df = udat_open(UDAT_PATTERN, UDAT_PATTERN, locales[lang], utc, -1,
			       st == WEB_DATETIME ? iso_datetime : iso_date, -1, &e);
	else
		df = udat_open(st == WEB_DATETIME ? UDAT_SHORT : UDAT_NONE, dstyle[st],
			       locales[lang], utc, -1, NULL, 0, &e);
	if (U_FAILURE(e)) {
		if (df)
			udat_close(df);
		return NULL;
	}
	return df;
}

/* Appends UTF-16 text as UTF-8. */
static void put_utf16(struct buf *out, const UChar *s, int32_t n)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t len = 0;
	char *dst;

	u_strToUTF8(NULL, 0, &len, s, n, &e);
	if (e != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(e))
		return;
	if (!(dst = buf_space(out, (size_t)len)))
		return;
	e = U_ZERO_ERROR;
	u_strToUTF8(dst, len + 1, NULL, s, n, &e);
	if (U_FAILURE(e))
		return;
	out->len += (size_t)len;
	out->p[out->len] = '\0';
}

/* The ISO form, for when ICU cannot help: the date, or date and time. */
static void put_iso(struct buf *out, int64_t ms, enum web_date_style st)
{
	char iso[TIME_ISO_LEN];

	time_iso(ms, iso);
	buf_add(out, iso, st == WEB_DATETIME ? 16 : 10);
}

void fmt_date(struct fmt *f, int64_t ms, enum web_date_style st, struct buf *out)
{
	UChar u[FMT_UMAX];
	UErrorCode e = U_ZERO_ERROR;
	int32_t n;

	if ((unsigned)st > WEB_DATETIME)
		st = WEB_DATE_MEDIUM;
	if (!f->df[st])
		f->df[st] = date_open(f->lang, st);
	if (!f->df[st]) {
		put_iso(out, ms, st);
		return;
	}
	n = udat_format(f->df[st], (UDate)ms, u, FMT_UMAX, NULL, &e);
	if (U_FAILURE(e) || n >= FMT_UMAX)
		put_iso(out, ms, st);
	else
		put_utf16(out, u, n);
}

static UNumberFormat *number_open(int lang)
{
	UErrorCode e = U_ZERO_ERROR;
	UNumberFormat *nf = unum_open(UNUM_DECIMAL, NULL, 0, locales[lang], NULL, &e);

	if (U_FAILURE(e)) {
		if (nf)
			unum_close(nf);
		return NULL;
	}
	return nf;
}

void fmt_number(struct fmt *f, int64_t v, struct buf *out)
{
	UChar u[FMT_UMAX];
	UErrorCode e = U_ZERO_ERROR;
	int32_t n = 0;

	if (!f->nf)
		f->nf = number_open(f->lang);
	if (f->nf)
		n = unum_formatInt64(f->nf, v, u, FMT_UMAX, NULL, &e);
	if (!f->nf || U_FAILURE(e) || n >= FMT_UMAX)
		buf_add_i64(out, v);
	else
		put_utf16(out, u, n);
}

void web_date(const char *lang, int64_t ms, enum web_date_style style, struct buf *out)
{
	struct fmt f;

	fmt_init(&f, web_lang_index(lang));
	fmt_date(&f, ms, style, out);
	fmt_release(&f);
}

void web_date_iso(const char *lang, const char *iso, enum web_date_style style, struct buf *out)
{
	int64_t ms;

	if (!iso)
		return;
	if (time_parse_iso(iso, &ms) != 0)
		buf_puts(out, iso);
	else
		web_date(lang, ms, style, out);
}

void web_number(const char *lang, int64_t v, struct buf *out)
{
	struct fmt f;

	fmt_init(&f, web_lang_index(lang));
	fmt_number(&f, v, out);
	fmt_release(&f);
}
