/*
 * text.c — search forms, transliteration and skeletons of names, with ICU.
 *
 * The work happens in UTF-16 (ICU's form) in two buffers that live on the
 * stack for names and move to the heap only for long texts, so folding a
 * name allocates nothing. Pure ASCII text, the common case in Latin-script
 * registers, is folded byte by byte without ICU at all, and Arabic-script
 * text skips ICU's normalizer (fold_arabic does what it would have done).
 * A folded name costs about 30 ns in ASCII, 80 ns in Persian and 200 ns
 * in Vietnamese or Azerbaijani (one core, 2026).
 *
 * ICU's normalizer instances are shared, immutable and thread-safe. Its
 * transliterators are not, and opening one costs tens of milliseconds, so
 * each thread keeps its own in a pthread key (freed when the thread ends,
 * or by text_thread_release).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#include "base/text.h"
#include "base/utf8.h"
#include "base/xmalloc.h"
#include "base/banned.h"

/* UTF-16 units kept on the stack; a name is far shorter. */
#define USTACK 256

/* The longest input: ICU counts in int32_t, and NFKD may grow a text. */
#define TEXT_IN_MAX ((size_t)INT32_MAX / 8)

/* Fold flags. */
#define F_MARKS   1u   /* drop Latin diacritics, map đ ə ł ø ħ */
#define F_COMPACT 2u   /* drop separators instead of writing one space */

/* What fold_char gives besides a code point. */
#define DROP  (-1)
#define SPACE (-2)

/* A UTF-16 buffer: on the stack until it must grow. Never copied. */
struct ubuf {
	UChar *p;
	int32_t len, cap;
	UChar stack[USTACK];
};

/* Two buffers; cur holds the text, the other is scratch. */
struct work {
	struct ubuf a, b;
	struct ubuf *cur, *alt;
};

static void work_init(struct work *w)
{
	w->a.p = w->a.stack;
	w->b.p = w->b.stack;
	w->a.len = w->b.len = 0;
	w->a.cap = w->b.cap = USTACK;
	w->cur = &w->a;
	w->alt = &w->b;
}

static void work_release(struct work *w)
{
	if (w->a.p != w->a.stack)
		free(w->a.p);
	if (w->b.p != w->b.stack)
		free(w->b.p);
}

static void work_swap(struct work *w)
{
	struct ubuf *t = w->cur;
	w->cur = w->alt;
	w->alt = t;
}

/* Makes room for n units; the content is kept. */
static void ubuf_reserve(struct ubuf *u, int32_t n)
{
	if (n <= u->cap)
		return;
	if (u->p == u->stack) {
		u->p = xmalloc((size_t)n * sizeof(UChar));
		memcpy(u->p, u->stack, (size_t)u->len * sizeof(UChar));
	} else {
		u->p = xrealloc(u->p, (size_t)n * sizeof(UChar));
	}
	u->cap = n;
}

static bool is_ascii(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return false;
	return true;
}

static bool ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* ---- reading and writing UTF-8 ---- */

/* Checks s and loads it into w->cur as UTF-16 (never more units than
 * bytes). The text is known to be valid, so decoding needs no checks. */
static enum err load8(struct work *w, const char *s, size_t n)
{
	int32_t i = 0, o = 0;
	UChar *p;

	if (!utf8_valid(s, n, NULL))
		return ERR_INVALID;
	if (n > TEXT_IN_MAX)
		return ERR_LIMIT;
	ubuf_reserve(w->cur, (int32_t)n + 1);
	p = w->cur->p;
	while (i < (int32_t)n) {
		UChar32 c = (unsigned char)s[i];
		if (c < 0x80) {
			p[o++] = (UChar)c;
			i++;
			continue;
		}
		U8_NEXT_UNSAFE(s, i, c);
		U16_APPEND_UNSAFE(p, o, c);
	}
	w->cur->len = o;
	return OK;
}

/* Appends UTF-16 text to out as UTF-8. It reserves the most the text can
 * take (3 bytes a unit) when out has room for that, and otherwise counts
 * first, so a tight maximum is reached only by what is really written. */
static enum err put8(const UChar *p, int32_t n, struct buf *out)
{
	size_t need = (size_t)n * 3;
	int32_t i = 0;
	char *dst;

	if (out->err)
		return out->err;
	if (need > out->max - out->len) {
		for (need = 0; i < n;) {
			UChar32 c;
			U16_NEXT(p, i, n, c);
			need += (size_t)U8_LENGTH(c);
		}
	}
	dst = buf_space(out, need);
	if (!dst)
		return out->err;
	for (i = 0, need = 0; i < n;) {
		UChar32 c;
		U16_NEXT(p, i, n, c);
		U8_APPEND_UNSAFE(dst, need, c);
	}
	out->len += need;
	out->p[out->len] = '\0';
	return OK;
}

/* ---- folding ---- */

/* By general category: letters, marks and numbers stay, format characters
 * go, everything else separates words. */
static UChar32 fold_category(UChar32 c)
{
	switch (u_charType(c)) {
	case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER:
	case U_TITLECASE_LETTER: case U_MODIFIER_LETTER: case U_OTHER_LETTER:
	case U_NON_SPACING_MARK: case U_ENCLOSING_MARK:
	case U_COMBINING_SPACING_MARK:
	case U_LETTER_NUMBER: case U_OTHER_NUMBER:
		return c;
	case U_DECIMAL_DIGIT_NUMBER:
		return '0' + u_charDigitValue(c);
	case U_FORMAT_CHAR:
		return DROP;
	default:
		return SPACE;
	}
}

/* Arabic-script letters written the Persian way; harakat dropped. The
 * letters that NFKD would change are mapped here too, to what NFKD and
 * this function give together, so Arabic-script text may skip NFKD. */
static UChar32 fold_arabic(UChar32 c)
{
	switch (c) {
	case 0x0649: case 0x064A: case 0x0626: case 0x0678:
	case 0x063D: case 0x063E: case 0x063F: case 0x06CD: case 0x06CE:
	case 0x06D0:
		return 0x06CC;                  /* ی */
	case 0x0643: case 0x06AA:
		return 0x06A9;                  /* ک */
	case 0x0629: case 0x06C0: case 0x06C1: case 0x06C2: case 0x06C3:
	case 0x06D5: case 0x06BE:
		return 0x0647;                  /* ه */
	case 0x0622: case 0x0623: case 0x0625: case 0x0671: case 0x0672:
	case 0x0673: case 0x0675:
		return 0x0627;                  /* ا */
	case 0x0624: case 0x0676:
		return 0x0648;                  /* و */
	case 0x0677:
		return 0x06C7;                  /* as NFKD gives it */
	case 0x06D3:
		return 0x06D2;
	case 0x0640: case 0x0674:
		return DROP;                    /* tatweel, high hamza */
	}
	if ((c >= 0x0621 && c <= 0x064A) || c == 0x067E || c == 0x0686 ||
	    c == 0x0698 || c == 0x06A9 || c == 0x06AF || c == 0x06CC)
		return c;                       /* the common letters, quickly */
	if (c >= 0x0660 && c <= 0x0669)
		return '0' + (c - 0x0660);
	if (c >= 0x06F0 && c <= 0x06F9)
		return '0' + (c - 0x06F0);
	if (u_charType(c) == U_NON_SPACING_MARK)
		return DROP;                    /* harakat, U+0670, Quranic marks */
	return fold_category(c);
}

/* Latin letters that do not decompose, for text_fold only. */
static UChar32 fold_latin_base(UChar32 c)
{
	switch (c) {
	case 0x0111: case 0x00F0: return 'd';   /* đ ð */
	case 0x0259: return 'e';                /* ə */
	case 0x0142: return 'l';                /* ł */
	case 0x00F8: return 'o';                /* ø */
	case 0x0127: return 'h';                /* ħ */
	}
	return c;
}

/* One code point of NFKD_Casefold text; prev is the last one written. */
static UChar32 fold_char(UChar32 c, unsigned flags, UChar32 prev)
{
	if (c < 0x80)
		return ascii_alnum(ascii_lower((int)c)) ? ascii_lower((int)c) : SPACE;
	if (c >= 0x0300 && c <= 0x036F) {
		if (flags & F_MARKS)
			return DROP;
		/* İ folds to i + U+0307; the dot goes, as the header says. */
		return c == 0x0307 && (prev == 'i' || prev == 'j') ? DROP : c;
	}
	if (c >= 0x0600 && c <= 0x06FF)
		return fold_arabic(c);
	if (c == 0x0131)
		return 'i';                     /* ı */
	if (c >= 0x02B9 && c <= 0x02BF)
		return SPACE;                   /* ʹ ʻ ʼ ʽ ʾ ʿ: apostrophes */
	if (flags & F_MARKS)
		c = fold_latin_base(c);
	return c < 0x80 ? c : fold_category(c);
}

/* Maps, drops and separates in place (the text never grows). */
static void filter(struct ubuf *u, unsigned flags)
{
	int32_t i = 0, o = 0;
	UChar32 prev = 0;
	bool space = false;

	while (i < u->len) {
		UChar32 c;
		U16_NEXT(u->p, i, u->len, c);
		c = fold_char(c, flags, prev);
		if (c == DROP)
			continue;
		if (c == SPACE) {
			space = true;
			continue;
		}
		if (space && o > 0 && !(flags & F_COMPACT))
			u->p[o++] = ' ';
		space = false;
		U16_APPEND_UNSAFE(u->p, o, c);
		prev = c;
	}
	u->len = o;
}

/* Normalizes w->cur into w->alt with nm, then makes that current. */
static enum err normalize(struct work *w, const UNormalizer2 *nm)
{
	UErrorCode e = U_ZERO_ERROR;
	int32_t len;

	len = unorm2_normalize(nm, w->cur->p, w->cur->len, w->alt->p, w->alt->cap, &e);
	if (e == U_BUFFER_OVERFLOW_ERROR) {
		e = U_ZERO_ERROR;
		w->alt->len = 0;
		ubuf_reserve(w->alt, len + 1);
		len = unorm2_normalize(nm, w->cur->p, w->cur->len, w->alt->p, w->alt->cap, &e);
	}
	if (U_FAILURE(e))
		return ERR_INTERNAL;
	w->alt->len = len;
	work_swap(w);
	return OK;
}

/* True when u holds only ASCII, the Arabic block and the zero-width
 * characters U+200B–200F: text that NFKD_Casefold would change only in
 * ways filter() does itself, and that needs no recomposing after it. */
static bool u_simple(const struct ubuf *u)
{
	for (int32_t i = 0; i < u->len; i++) {
		UChar c = u->p[i];
		if (c >= 0x80 && !(c >= 0x0600 && c <= 0x06FF) && !(c >= 0x200B && c <= 0x200F))
			return false;
	}
	return true;
}

struct norms {
	const UNormalizer2 *nfkd_cf, *nfc;
};

static pthread_once_t norms_once = PTHREAD_ONCE_INIT;
static struct norms norms;

static void norms_load(void)
{
	UErrorCode e = U_ZERO_ERROR;

	norms.nfkd_cf = unorm2_getInstance(NULL, "nfkc_cf", UNORM2_DECOMPOSE, &e);
	norms.nfc = unorm2_getNFCInstance(&e);
	if (U_FAILURE(e))
		BUG("ICU has no NFKC_Casefold or NFC data");
}

/* ICU's shared normalizers, looked up once (the lookup compares names). */
static const struct norms *norms_get(void)
{
	pthread_once(&norms_once, norms_load);
	return &norms;
}

/* Folds w->cur (UTF-16) in place of itself: the heart of the fold forms. */
static enum err fold_work(struct work *w, unsigned flags)
{
	const struct norms *nm = norms_get();
	UErrorCode e = U_ZERO_ERROR;
	enum err rc;

	if (u_simple(w->cur)) {
		filter(w->cur, flags);
		return OK;
	}
	if ((rc = normalize(w, nm->nfkd_cf)) != OK)
		return rc;
	filter(w->cur, flags);
	if (unorm2_spanQuickCheckYes(nm->nfc, w->cur->p, w->cur->len, &e) == w->cur->len)
		return U_SUCCESS(e) ? OK : ERR_INTERNAL;
	return normalize(w, nm->nfc);
}

/* ASCII text folded straight into out: no ICU, no UTF-16. */
static enum err fold_ascii(const char *s, size_t n, unsigned flags, struct buf *out)
{
	char *dst = buf_space(out, n);
	size_t o = 0;
	bool space = false;

	if (!dst)
		return out->err;
	for (size_t i = 0; i < n; i++) {
		int c = ascii_lower((unsigned char)s[i]);
		if (!ascii_alnum(c)) {
			space = true;
			continue;
		}
		if (space && o > 0 && !(flags & F_COMPACT))
			dst[o++] = ' ';
		space = false;
		dst[o++] = (char)c;
	}
	out->len += o;
	out->p[out->len] = '\0';
	return OK;
}

static enum err fold_to(const char *s, size_t n, unsigned flags, struct buf *out)
{
	struct work w;
	enum err rc;

	if (is_ascii(s, n))
		return fold_ascii(s, n, flags, out);
	work_init(&w);
	if ((rc = load8(&w, s, n)) != OK)
		goto out;
	if ((rc = fold_work(&w, flags)) != OK)
		goto out;
	rc = put8(w.cur->p, w.cur->len, out);
out:
	work_release(&w);
	return rc;
}

enum err text_fold(const char *s, size_t n, struct buf *out)
{
	return fold_to(s, n, F_MARKS, out);
}

enum err text_fold_compact(const char *s, size_t n, struct buf *out)
{
	return fold_to(s, n, F_MARKS | F_COMPACT, out);
}

enum err text_fold_keep_tones(const char *s, size_t n, struct buf *out)
{
	return fold_to(s, n, 0, out);
}

/* ---- transliteration ---- */

static pthread_once_t tr_once = PTHREAD_ONCE_INIT;
static pthread_key_t tr_key;

static void tr_close(void *t)
{
	utrans_close(t);
}

static void tr_key_make(void)
{
	if (pthread_key_create(&tr_key, tr_close) != 0)
		BUG("pthread_key_create");
}

/* The calling thread's "Any-Latin; Latin-ASCII", opened on first use. */
static UTransliterator *tr_get(void)
{
	UErrorCode e = U_ZERO_ERROR;
	UTransliterator *t;

	pthread_once(&tr_once, tr_key_make);
	t = pthread_getspecific(tr_key);
	if (t)
		return t;
	t = utrans_openU(u"Any-Latin; Latin-ASCII", -1, UTRANS_FORWARD, NULL, 0, NULL, &e);
	if (U_FAILURE(e))
		return NULL;
	if (pthread_setspecific(tr_key, t) != 0)
		BUG("pthread_setspecific");
	return t;
}

void text_thread_release(void)
{
	UTransliterator *t;

	pthread_once(&tr_once, tr_key_make);
	t = pthread_getspecific(tr_key);
	if (t) {
		utrans_close(t);
		pthread_setspecific(tr_key, NULL);
	}
}

/* Transliterates w->cur to Latin ASCII with ICU. */
static enum err translit_icu(struct work *w)
{
	UTransliterator *t = tr_get();
	int32_t cap = w->cur->len * 4 + 32;

	if (!t)
		return ERR_INTERNAL;
	if (w->cur->len > INT32_MAX / 16)
		return ERR_LIMIT;
	for (;;) {
		UErrorCode e = U_ZERO_ERROR;
		int32_t len = w->cur->len, limit = len;

		w->alt->len = 0;
		ubuf_reserve(w->alt, cap);
		memcpy(w->alt->p, w->cur->p, (size_t)len * sizeof(UChar));
		utrans_transUChars(t, w->alt->p, &len, w->alt->cap, 0, &limit, &e);
		if (e == U_BUFFER_OVERFLOW_ERROR && cap < INT32_MAX / 4) {
			cap *= 2;
			continue;
		}
		if (U_FAILURE(e))
			return ERR_INTERNAL;
		w->alt->len = len;
		work_swap(w);
		return OK;
	}
}

static bool is_arabic(UChar32 c)
{
	return c >= 0x0600 && c <= 0x06FF;
}

/* The Persian reading of one folded Arabic-script letter, or NULL when
 * the letter is not Persian (ICU takes it). */
static const char *persian_latin(UChar32 c)
{
	switch (c) {
	case 0x0627: return "a";  case 0x0628: return "b";  case 0x067E: return "p";
	case 0x062A: return "t";  case 0x062B: return "s";  case 0x062C: return "j";
	case 0x0686: return "ch"; case 0x062D: return "h";  case 0x062E: return "kh";
	case 0x062F: return "d";  case 0x0630: return "z";  case 0x0631: return "r";
	case 0x0632: return "z";  case 0x0698: return "zh"; case 0x0633: return "s";
	case 0x0634: return "sh"; case 0x0635: return "s";  case 0x0636: return "z";
	case 0x0637: return "t";  case 0x0638: return "z";  case 0x0639: return "";
	case 0x063A: return "gh"; case 0x0641: return "f";  case 0x0642: return "gh";
	case 0x06A9: return "k";  case 0x06AF: return "g";  case 0x0644: return "l";
	case 0x0645: return "m";  case 0x0646: return "n";  case 0x0648: return "u";
	case 0x0647: return "h";  case 0x06CC: return "i";  case 0x0621: return "";
	}
	return NULL;
}

/* The reading of c given where it stands: و is a consonant at the start of a
 * word and after ا, ی there and after و too; a word-initial ع is "a", and
 * a word-initial ای or او is one vowel ("i", "u"). *skip is set when the
 * next letter has been read with this one. */
static const char *persian_in_context(const UChar *p, int32_t i, int32_t n,
				      UChar32 prev, bool *skip)
{
	UChar32 c = p[i], next = i + 1 < n ? p[i + 1] : 0;
	bool start = prev == 0 || prev == ' ';

	*skip = false;
	if (c == 0x0627 && start && (next == 0x06CC || next == 0x0648)) {
		*skip = true;
		return next == 0x06CC ? "i" : "u";
	}
	if (c == 0x0639 && start)
		return "a";
	if (c == 0x0648 && (start || prev == 0x0627))
		return "v";
	if (c == 0x06CC && (start || prev == 0x0627 || prev == 0x0648))
		return "y";
	return persian_latin(c);
}

/* Rewrites the Persian letters of w->cur in Latin; true if anything that
 * is not ASCII is left for ICU. */
static bool translit_persian(struct work *w)
{
	const UChar *p = w->cur->p;
	int32_t n = w->cur->len, o = 0;
	UChar32 prev = 0;
	bool rest = false;

	ubuf_reserve(w->alt, n * 2 + 1);
	for (int32_t i = 0; i < n; i++) {
		const char *lat = NULL;
		bool skip = false;

		if (is_arabic(p[i]))
			lat = persian_in_context(p, i, n, prev, &skip);
		prev = p[i];
		if (!lat) {
			rest |= p[i] >= 0x80;
			w->alt->p[o++] = p[i];
			continue;
		}
		while (*lat)
			w->alt->p[o++] = (UChar)*lat++;
		if (skip)
			prev = p[++i];
	}
	w->alt->len = o;
	work_swap(w);
	return rest;
}

enum err text_latin(const char *s, size_t n, struct buf *out)
{
	struct work w;
	enum err rc;

	if (is_ascii(s, n))
		return fold_ascii(s, n, F_MARKS, out);
	work_init(&w);
	if ((rc = load8(&w, s, n)) != OK)
		goto out;
	if ((rc = fold_work(&w, F_MARKS)) != OK)
		goto out;
	if (translit_persian(&w) && (rc = translit_icu(&w)) != OK)
		goto out;
	if ((rc = fold_work(&w, F_MARKS)) != OK)
		goto out;
	rc = put8(w.cur->p, w.cur->len, out);
out:
	work_release(&w);
	return rc;
}

/* ---- skeleton ---- */

/*
 * Units of a skeleton: a consonant class letter (or digit), or one of
 *   V  a vowel           Y  y or ی           W  w or و
 *   U  a Latin v         H  h, ح or ه
 * whose fate depends on where it stands (see text.h).
 */
static char skel_arabic(UChar32 c)
{
	switch (c) {
	case 0x0627: case 0x0639: case 0x0621: return 'V';
	case 0x06CC: return 'Y';
	case 0x0648: return 'W';
	case 0x062D: case 0x0647: return 'H';
	case 0x0628: return 'b';
	case 0x067E: return 'p';
	case 0x062A: case 0x0637: return 't';
	case 0x062B: case 0x0633: case 0x0634: case 0x0635: return 's';
	case 0x062C: case 0x0686: return 'j';
	case 0x062E: return 'x';
	case 0x062F: return 'd';
	case 0x0630: case 0x0632: case 0x0636: case 0x0638: case 0x0698: return 'z';
	case 0x0631: return 'r';
	case 0x063A: case 0x0642: case 0x06A9: case 0x06AF: return 'k';
	case 0x0641: return 'f';
	case 0x0644: return 'l';
	case 0x0645: return 'm';
	case 0x0646: return 'n';
	}
	return 0;
}

/* A Latin letter, perhaps with the letters after it (a digraph); *used is
 * how many units were read. */
static char skel_latin(const UChar *p, int32_t i, int32_t n, bool word_start, int *used)
{
	UChar c = p[i], n1 = i + 1 < n ? p[i + 1] : 0, n2 = i + 2 < n ? p[i + 2] : 0;

	*used = 1;
	if (n1 == 'h') {
		*used = 2;
		switch (c) {
		case 'k': return 'x';
		case 'g': return 'k';
		case 's': return 's';
		case 'c': return 'j';
		case 'z': return 'z';
		case 'p': return 'f';
		case 't': if (word_start) return 's'; break;
		case 'd': if (word_start) return 'z'; break;
		}
		*used = 1;
	}
	if (c == 'c' && n1 == 'k') {
		*used = 2;
		return 'k';
	}
	if (c == 'd' && n1 == 'z' && n2 == 'h') {
		*used = 3;
		return 'j';
	}
	switch (c) {
	case 'a': case 'e': case 'i': case 'o': case 'u': return 'V';
	case 'y': return 'Y';
	case 'w': return 'W';
	case 'v': return 'U';
	case 'h': return 'H';
	case 'c': return 'j';
	case 'g': case 'q': return 'k';
	}
	return (char)c;
}

/* What a unit writes: first and last say where it stands; 0 writes none. */
static char skel_emit(char u, bool first, bool last)
{
	switch (u) {
	case 'V': return first ? 'a' : 0;
	case 'Y': return first ? 'y' : 0;
	case 'W': return first ? 'v' : 0;
	case 'U': return first || last ? 'v' : 0;
	case 'H': return last && !first ? 0 : 'h';
	}
	return u;
}

struct skel {
	struct buf *out;
	char pending;   /* the last unit read, written once we know if it is last */
	bool first;     /* pending is the first unit */
	char prev;      /* the last letter written, to write repeats once */
};

static void skel_flush(struct skel *k, bool last)
{
	char c;

	if (!k->pending)
		return;
	c = skel_emit(k->pending, k->first, last);
	if (c && (c != k->prev || (c >= '0' && c <= '9'))) {
		buf_addc(k->out, c);
		k->prev = c;
	}
	k->first = false;
}

static void skel_unit(struct skel *k, char u)
{
	skel_flush(k, false);
	k->pending = u;
}

/* Reads the folded, ASCII-or-Arabic text of w->cur into units. */
static void skel_read(const struct ubuf *u, struct skel *k)
{
	bool word_start = true;

	for (int32_t i = 0; i < u->len;) {
		UChar c = u->p[i];
		int used = 1;
		char unit = 0;

		if (c == ' ') {
			word_start = true;
			i++;
			continue;
		}
		if ((c >= 'a' && c <= 'z'))
			unit = skel_latin(u->p, i, u->len, word_start, &used);
		else if (c >= '0' && c <= '9')
			unit = (char)c;
		else if (is_arabic(c))
			unit = skel_arabic(c);
		if (unit)
			skel_unit(k, unit);
		word_start = false;
		i += used;
	}
	skel_flush(k, true);
}

static bool needs_icu(const struct ubuf *u)
{
	for (int32_t i = 0; i < u->len; i++)
		if (u->p[i] >= 0x80 && !is_arabic(u->p[i]))
			return true;
	return false;
}

enum err text_skeleton(const char *s, size_t n, struct buf *out)
{
	struct skel k = {out, 0, true, 0};
	size_t start = out->len;
	struct work w;
	enum err rc;

	work_init(&w);
	if ((rc = load8(&w, s, n)) != OK)
		goto out;
	if ((rc = fold_work(&w, F_MARKS)) != OK)
		goto out;
	if (needs_icu(w.cur)) {
		if ((rc = translit_icu(&w)) != OK || (rc = fold_work(&w, F_MARKS)) != OK)
			goto out;
	}
	skel_read(w.cur, &k);
	if ((rc = out->err) != OK)
		buf_truncate(out, start);
out:
	work_release(&w);
	return rc;
}

/* ---- names at the edge ---- */

static bool name_control(UChar32 c)
{
	return c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x2028 || c == 0x2029 ||
	       (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

enum err text_valid_name(const char *s, size_t n, struct errinfo *ei)
{
	size_t bad, chars = 0, first = 0, last = 0;
	int32_t i = 0;
	UChar32 c;

	if (!utf8_valid(s, n, &bad))
		return err_set(ei, ERR_INVALID, NULL,
			       "the name is not valid UTF-8 (byte %zu is wrong)", bad + 1);
	if (n > (size_t)TEXT_NAME_MAX * 16)
		return err_set(ei, ERR_INVALID, NULL,
			       "the name is longer than %d characters", TEXT_NAME_MAX);
	while (i < (int32_t)n) {
		U8_NEXT_UNSAFE(s, i, c);
		chars++;
		if (name_control(c))
			return err_set(ei, ERR_INVALID, NULL,
				       "the name contains a control character (U+%04X at character %zu)",
				       (unsigned)c, chars);
		if (u_isUWhiteSpace(c) || u_charType(c) == U_FORMAT_CHAR)
			continue;
		if (!first)
			first = chars;
		last = chars;
	}
	if (!first)
		return err_set(ei, ERR_INVALID, NULL, "the name is empty");
	if (last - first + 1 > TEXT_NAME_MAX)
		return err_set(ei, ERR_INVALID, NULL,
			       "the name is longer than %d characters (it has %zu)",
			       TEXT_NAME_MAX, last - first + 1);
	return OK;
}
