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
#include <stdint.h>
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
	struct fmt_fast fast[WEB_NLANG];
	struct fmt_last last[WEB_NLANG][WEB_DATETIME + 1];
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
		f->fast = &fc->fast[f->lang];
		f->last = fc->last[f->lang];
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

/* A page shows the same few dates (today, when the figures were made)
 * over and over, and ICU takes tens of microseconds for each: the last
 * few of each style are kept, as written. */
static void date_icu(struct fmt *f, int64_t ms, enum web_date_style st, struct buf *out);

void fmt_date(struct fmt *f, int64_t ms, enum web_date_style st, struct buf *out)
{
	struct fmt_last *l;
	size_t from = out->len;

	if ((unsigned)st > WEB_DATETIME)
		st = WEB_DATE_MEDIUM;
	if (!f->last) {
		date_icu(f, ms, st, out);
		return;
	}
	l = &f->last[st];
	for (int i = 0; i < FMT_LAST; i++)
		if (l->e[i].len && l->e[i].ms == ms) {
			buf_add(out, l->e[i].text, l->e[i].len);
			return;
		}
	date_icu(f, ms, st, out);
	if (!out->err && out->len - from < sizeof l->e[0].text) {
		int i = l->next;
		l->next = (i + 1) % FMT_LAST;
		l->e[i].ms = ms;
		l->e[i].len = (uint8_t)(out->len - from);
		memcpy(l->e[i].text, out->p + from, l->e[i].len);
	}
}

static void date_icu(struct fmt *f, int64_t ms, enum web_date_style st, struct buf *out)
{
	UChar u[FMT_UMAX];
	UErrorCode e = U_ZERO_ERROR;
	int32_t n;

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

/* v through ICU, as UTF-8; false when ICU cannot. */
static bool number_icu(struct fmt *f, int64_t v, struct buf *out)
{
	UChar u[FMT_UMAX];
	UErrorCode e = U_ZERO_ERROR;
	int32_t n;

	if (!f->nf)
		f->nf = number_open(f->lang);
	if (!f->nf)
		return false;
	n = unum_formatInt64(f->nf, v, u, FMT_UMAX, NULL, &e);
	if (U_FAILURE(e) || n >= FMT_UMAX)
		return false;
	put_utf16(out, u, n);
	return true;
}

/* v from the language's digits, its grouping separator every three
 * digits and its minus sign: what ICU writes for an integer in these
 * languages, about thirty times faster. */
static void number_fast(const struct fmt_fast *x, int64_t v, struct buf *out)
{
	char tmp[24], text[24 * 8 + 16], *p = text;
	size_t n = i64_text(tmp, v), i = 0;

	if (v < 0) {
		memcpy(p, x->minus, x->minus_len);
		p += x->minus_len;
		i = 1;
	}
	for (size_t k = i; k < n; k++) {
		int d = tmp[k] - '0';
		if (k > i && (n - k) % 3 == 0) {
			memcpy(p, x->sep, x->sep_len);
			p += x->sep_len;
		}
		memcpy(p, x->digit[d], x->digit_len[d]);
		p += x->digit_len[d];
	}
	buf_add(out, text, (size_t)(p - text));
}

/* Learns the digits, the separator and the minus sign from ICU, and
 * keeps the fast way only if it writes what ICU writes for numbers of
 * every length, either sign. */
static void fast_learn(struct fmt *f)
{
	static const int64_t probe[] = {0, 5, 12, 100, 999, 1000, 1001, 9999, 10000, 12345, 100000, 999999,
					1000000, 1234567, 98765432, 1000000000, 9876543210, 12345678901234567,
					INT64_MAX, -1, -999, -1000, -123456, -1234567, INT64_MIN};
	struct fmt_fast *x = f->fast;
	struct buf a, b;
	bool ok = true;

	x->state = -1;
	buf_init(&a, 256);
	buf_init(&b, 256);
	for (int d = 0; d < 10 && ok; d++) {
		buf_reset(&a);
		ok = number_icu(f, d, &a) && a.len > 0 && a.len < sizeof x->digit[d];
		if (ok) {
			memcpy(x->digit[d], a.p, a.len);
			x->digit_len[d] = (uint8_t)a.len;
		}
	}
	/* 1000 is the digit one, the separator, three zeros; -1 is the minus
	 * sign and the digit one. */
	buf_reset(&a);
	if (ok && (ok = number_icu(f, 1000, &a))) {
		size_t n1 = x->digit_len[1], n0 = x->digit_len[0];
		ok = a.len > n1 + 3 * n0 && a.len - n1 - 3 * n0 < sizeof x->sep;
		if (ok) {
			x->sep_len = (uint8_t)(a.len - n1 - 3 * n0);
			memcpy(x->sep, a.p + n1, x->sep_len);
		}
	}
	buf_reset(&a);
	if (ok && (ok = number_icu(f, -1, &a))) {
		size_t n1 = x->digit_len[1];
		ok = a.len > n1 && a.len - n1 < sizeof x->minus && !memcmp(a.p + a.len - n1, x->digit[1], n1);
		if (ok) {
			x->minus_len = (uint8_t)(a.len - n1);
			memcpy(x->minus, a.p, x->minus_len);
		}
	}
	for (size_t i = 0; ok && i < sizeof probe / sizeof *probe; i++) {
		buf_reset(&a);
		buf_reset(&b);
		ok = number_icu(f, probe[i], &a);
		number_fast(x, probe[i], &b);
		ok = ok && a.len == b.len && !memcmp(a.p, b.p, a.len);
	}
	if (ok)
		x->state = 1;
	buf_release(&a);
	buf_release(&b);
}

void fmt_number(struct fmt *f, int64_t v, struct buf *out)
{
	if (f->fast && !f->fast->state)
		fast_learn(f);
	if (f->fast && f->fast->state > 0)
		number_fast(f->fast, v, out);
	else if (!number_icu(f, v, out))
		buf_add_i64(out, v);
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
