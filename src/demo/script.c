/*
 * script.c — UTF-8 helpers for names: joining compound names, and the
 * ways a population register writes a name differently from a school
 * (diacritics dropped, Vietnamese decomposed, Azerbaijani in passport
 * Latin, typos). Input is the generator's own valid UTF-8.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "demo/demo_int.h"
#include "base/banned.h"

static void copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size);

	if (n == size) {
		n = size - 1;
		/* never cut a UTF-8 sequence in two */
		while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void name_set(struct name *n, const char *s, const char *latin)
{
	copy(n->s, sizeof n->s, s);
	copy(n->latin, sizeof n->latin, latin ? latin : "");
	n->cut = 0;
	n->cutlen = 0;
}

void name_fmt(struct name *n, const char *fmt, ...)
{
	char t[NAME_BYTES * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	name_set(n, t, NULL);
}

void name_join(struct name *n, const struct name *a, const struct name *b, const char *j, const char *latin_j)
{
	size_t la = strlen(a->s), lj = strlen(j), lb = strlen(b->s);
	size_t ka = strlen(a->latin), kj = strlen(latin_j), kb = strlen(b->latin);
	struct name t;

	if (la + lj + lb >= NAME_BYTES || ka + kj + kb >= NAME_BYTES) {
		*n = *a;
		return;
	}
	memcpy(t.s, a->s, la);
	memcpy(t.s + la, j, lj);
	memcpy(t.s + la + lj, b->s, lb + 1);
	memcpy(t.latin, a->latin, ka);
	memcpy(t.latin + ka, latin_j, kj);
	memcpy(t.latin + ka + kj, b->latin, kb + 1);
	if (!kj && kb && ka)
		t.latin[ka] = (char)tolower((unsigned char)t.latin[ka]);
	t.cut = (uint8_t)la;
	t.cutlen = (uint8_t)lj;
	*n = t;
}

void rejoin(struct name *n, const char *j)
{
	char t[NAME_BYTES];
	size_t lj = strlen(j), rest;

	if (!n->cut)
		return;
	rest = strlen(n->s + n->cut + n->cutlen);
	if (n->cut + lj + rest >= NAME_BYTES)
		return;
	memcpy(t, n->s, n->cut);
	memcpy(t + n->cut, j, lj);
	memcpy(t + n->cut + lj, n->s + n->cut + n->cutlen, rest + 1);
	memcpy(n->s, t, n->cut + lj + rest + 1);
	n->cutlen = (uint8_t)lj;
}

size_t utf8_next(const char *p, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)p;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		*cp = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
		return 2;
	}
	if ((u[0] & 0xF0) == 0xE0) {
		*cp = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
		return 3;
	}
	*cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 | (uint32_t)(u[2] & 0x3F) << 6 |
	      (u[3] & 0x3F);
	return 4;
}

void utf8_put(char **w, uint32_t cp)
{
	unsigned char *p = (unsigned char *)*w;

	if (cp < 0x80) {
		*p++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*p++ = (unsigned char)(0xC0 | cp >> 6);
		*p++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		*p++ = (unsigned char)(0xE0 | cp >> 12);
		*p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*p++ = (unsigned char)(0x80 | (cp & 0x3F));
	} else {
		*p++ = (unsigned char)(0xF0 | cp >> 18);
		*p++ = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
		*p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		*p++ = (unsigned char)(0x80 | (cp & 0x3F));
	}
	*w = (char *)p;
}

/* Vietnamese vowels: a row per base and modifier, a column per tone
 * (none, grave, acute, hook above, tilde, dot below). */
static const char *const vn_rows[] = {
	"aàáảãạ", "ăằắẳẵặ", "âầấẩẫậ", "eèéẻẽẹ", "êềếểễệ", "iìíỉĩị",
	"oòóỏõọ", "ôồốổỗộ", "ơờớởỡợ", "uùúủũụ", "ưừứửữự", "yỳýỷỹỵ",
	"AÀÁẢÃẠ", "ĂẰẮẲẴẶ", "ÂẦẤẨẪẬ", "EÈÉẺẼẸ", "ÊỀẾỂỄỆ", "IÌÍỈĨỊ",
	"OÒÓỎÕỌ", "ÔỒỐỔỖỘ", "ƠỜỚỞỠỢ", "UÙÚỦŨỤ", "ƯỪỨỬỮỰ", "YỲÝỶỸỴ",
};
/* Each row's modifier: 0 none, or the combining mark. */
static const uint32_t vn_mod[12] = {0, 0x306, 0x302, 0, 0x302, 0, 0, 0x302, 0x31B, 0, 0x31B, 0};
static const uint32_t vn_tone[6] = {0, 0x300, 0x301, 0x309, 0x303, 0x323};

/* Finds cp among the Vietnamese vowels: its row and tone, or -1. */
static int vn_find(uint32_t cp, int *tone)
{
	if (cp < 0xC0)
		return -1;
	for (int r = 0; r < 24; r++) {
		const char *p = vn_rows[r];
		for (int t = 0; t < 6; t++) {
			uint32_t c;
			p += utf8_next(p, &c);
			if (c == cp) {
				*tone = t;
				return r;
			}
		}
	}
	return -1;
}

static const char vn_base[] = "aaaeeiooouuyAAAEEIOOOUUY";

/* Writes the ASCII letter for a Vietnamese or Azerbaijani letter into
 * *w and returns true, or returns false when cp is none of them. */
static bool put_ascii(char **w, uint32_t cp)
{
	static const struct {
		uint32_t cp;
		char c;
	} t[] = {
		{0x111, 'd'}, {0x110, 'D'}, {0x259, 'e'}, {0x18F, 'E'}, {0x131, 'i'}, {0x130, 'I'},
		{0x11F, 'g'}, {0x11E, 'G'}, {0x15F, 's'}, {0x15E, 'S'}, {0xE7, 'c'}, {0xC7, 'C'},
		{0xF6, 'o'}, {0xD6, 'O'}, {0xFC, 'u'}, {0xDC, 'U'},
	};
	int tone, r;

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].cp == cp) {
			*(*w)++ = t[i].c;
			return true;
		}
	if ((r = vn_find(cp, &tone)) < 0)
		return false;
	*(*w)++ = vn_base[r];
	return true;
}

/* Rewrites in into out code point by code point: fn writes a letter's
 * replacement and returns true, or false to keep it. Stops short of size. */
static void map_cps(const char *in, char *out, size_t size, bool (*fn)(char **w, uint32_t cp))
{
	char *w = out, *end = out + size - 12;
	uint32_t cp;

	while (*in && w < end) {
		size_t k = utf8_next(in, &cp);
		if (!fn(&w, cp)) {
			memcpy(w, in, k);
			w += k;
		}
		in += k;
	}
	*w = '\0';
}

void fold_ascii(const char *in, char *out, size_t size)
{
	map_cps(in, out, size, put_ascii);
}

static bool put_nfd(char **w, uint32_t cp)
{
	int tone, r = vn_find(cp, &tone);
	uint32_t mod;

	if (r < 0)
		return false;
	mod = vn_mod[r % 12];
	if (!mod && !tone)
		return false;
	*(*w)++ = vn_base[r];
	/* canonical order: the dot below (class 220) goes before a
	 * circumflex or breve (230), after a horn (216) */
	if (tone == 5 && mod && mod != 0x31B) {
		utf8_put(w, vn_tone[5]);
		utf8_put(w, mod);
		return true;
	}
	if (mod)
		utf8_put(w, mod);
	if (tone)
		utf8_put(w, vn_tone[tone]);
	return true;
}

void vn_nfd(const char *in, char *out, size_t size)
{
	map_cps(in, out, size, put_nfd);
}

static bool put_passport(char **w, uint32_t cp)
{
	static const struct {
		uint32_t cp;
		const char *s;
	} t[] = {
		{0x259, "a"}, {0x18F, "A"}, {0x15F, "sh"}, {0x15E, "Sh"}, {0xE7, "ch"}, {0xC7, "Ch"},
		{'x', "kh"}, {'X', "Kh"}, {'q', "g"}, {'Q', "G"}, {0x11F, "gh"}, {0x11E, "Gh"},
		{'c', "j"}, {'C', "J"}, {'j', "zh"}, {'J', "Zh"}, {0x131, "i"}, {0x130, "I"},
		{0xF6, "o"}, {0xD6, "O"}, {0xFC, "u"}, {0xDC, "U"},
	};

	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].cp == cp) {
			size_t n = strlen(t[i].s);
			memcpy(*w, t[i].s, n);
			*w += n;
			return true;
		}
	return false;
}

void az_passport(const char *in, char *out, size_t size)
{
	map_cps(in, out, size, put_passport);
}

#define TYPO_MAX 64

static int decode(const char *s, uint32_t *cp, int max)
{
	int n = 0;

	while (*s && n < max)
		s += utf8_next(s, &cp[n++]);
	return n;
}

void typo(struct rng *r, const char *alphabet, char *s, size_t size)
{
	uint32_t cp[TYPO_MAX], al[TYPO_MAX], t;
	int n = decode(s, cp, TYPO_MAX), na = decode(alphabet, al, TYPO_MAX), i;
	char *w = s;

	if (n < 3 || n == TYPO_MAX || (size_t)n * 4 + 8 > size)
		return;
	i = 1 + (int)rng_below(r, (uint32_t)(n - 2)); /* keep the first letter */
	switch (rng_below(r, 4)) {
	case 0: /* dropped */
		memmove(cp + i, cp + i + 1, (size_t)(n - i - 1) * sizeof *cp);
		n--;
		break;
	case 1: /* swapped with the next */
		if (i + 1 < n) {
			t = cp[i];
			cp[i] = cp[i + 1];
			cp[i + 1] = t;
		}
		break;
	case 2: /* doubled */
		if (n < TYPO_MAX) {
			memmove(cp + i + 1, cp + i, (size_t)(n - i) * sizeof *cp);
			n++;
		}
		break;
	default: /* replaced */
		if (cp[i] != ' ' && cp[i] != 0x200C)
			cp[i] = al[rng_below(r, (uint32_t)na)];
	}
	for (int k = 0; k < n; k++)
		utf8_put(&w, cp[k]);
	*w = '\0';
}

void replace_all(char *s, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to);
	char *p = s;

	if (lt > lf)
		BUG("replace_all may only shorten");
	while ((p = strstr(p, from))) {
		memcpy(p, to, lt);
		memmove(p + lt, p + lf, strlen(p + lf) + 1);
		p += lt;
	}
}
