/*
 * validate.c — the checks every imported field passes, shared by the
 * native and the OneRoster kinds (and meant for the registry's own API):
 * UTF-8, lengths, codes, names, closed vocabularies, booleans, numbers
 * within bounds, dates in either calendar, school years and grades.
 *
 * Each check reads a field, stores its normal form as a value of the row
 * (appended to the batch text, NUL-terminated) and, when the field is
 * wrong, adds a problem naming the column. Messages are English sentences
 * that start with what was written, so a clerk can find and fix it.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/text.h"
#include "base/utf8.h"
#include "import/import_int.h"
#include "registry/registry.h"
#include "base/banned.h"

#define SHOW_MAX 40     /* bytes of a bad value quoted in a message */

void problem(struct batch *b, struct rec *r, const char *col, const char *fmt, ...)
{
	char msg[IMPORT_REASON_MAX];
	size_t at = b->text.len;
	va_list ap;

	if (r->nprob >= IMPORT_MAX_PROBLEMS)
		return;
	/* Formatted aside first: the arguments may point into b->text, which
	 * the append may move. */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	buf_add(&b->text, msg, strlen(msg) + 1);
	if (b->text.err)
		return;
	r->prob[r->nprob].col = col;
	r->prob[r->nprob].reason = (uint32_t)at;
	r->nprob++;
}

void val_set(struct batch *b, struct rec *r, int v, const char *s, size_t n)
{
	uintptr_t p = (uintptr_t)s, start = (uintptr_t)b->text.p;
	size_t at = b->text.len;

	/* s may be another value of the batch: room is made first, and s
	 * found again where the text has moved to. */
	if (b->text.cap && p >= start && p < start + b->text.len) {
		if (!buf_space(&b->text, n + 1)) {
			r->off[v] = -1;
			return;
		}
		s = b->text.p + (p - start);
	}
	buf_add(&b->text, s, n);
	buf_addc(&b->text, '\0');
	r->off[v] = b->text.err ? -1 : (int32_t)at;
}

struct slice val_trim(struct slice s)
{
	while (s.len && (s.p[0] == ' ' || s.p[0] == '\t'))
		s.p++, s.len--;
	while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
		s.len--;
	return s;
}

bool val_blank(struct slice s)
{
	return val_trim(s).len == 0;
}

/* A short, printable quotation of a bad value for a message. */
static const char *show(struct slice s, char out[SHOW_MAX + 8])
{
	size_t n = s.len > SHOW_MAX ? SHOW_MAX : s.len, bad;

	if (!utf8_valid(s.p, n, &bad))
		n = bad;
	memcpy(out, s.p, n);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = ' ';
	memcpy(out + n, s.len > n ? "…" : "", s.len > n ? 4 : 1);
	return out;
}

/* Checks control characters and length; false after a problem. UTF-8 is
 * not checked again here: the reader (base/csv.h) refuses rows that are
 * not UTF-8, with the column named, before they reach a check. */
static bool plain(struct batch *b, struct rec *r, const char *col, struct slice s, size_t max)
{
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] < 0x20 && s.p[i] != '\t') {
			problem(b, r, col, "a control character (0x%02X) in the text", (unsigned char)s.p[i]);
			return false;
		}
	if (s.len > max && utf8_len(s.p, s.len) > max) {
		problem(b, r, col, "too long: %zu characters, at most %zu", utf8_len(s.p, s.len), max);
		return false;
	}
	return true;
}

void val_required(struct batch *b, struct rec *r, const char *col, struct slice s)
{
	if (val_blank(s))
		problem(b, r, col, "required, but blank");
}

void val_text(struct batch *b, struct rec *r, int v, const char *col, struct slice s, size_t max)
{
	s = val_trim(s);
	r->off[v] = -1;
	if (s.len && plain(b, r, col, s, max))
		val_set(b, r, v, s.p, s.len);
}

void val_code(struct batch *b, struct rec *r, int v, const char *col, struct slice s)
{
	char q[SHOW_MAX + 8];

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (s.len > IMPORT_CODE_MAX) {
		problem(b, r, col, "too long for an id: %zu bytes, at most %d", s.len, IMPORT_CODE_MAX);
		return;
	}
	if (!plain(b, r, col, s, IMPORT_CODE_MAX))
		return;
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == ' ' || s.p[i] == ';' || s.p[i] == ',' || s.p[i] == '\t') {
			problem(b, r, col, "\"%s\": an id has no spaces, commas or semicolons", show(s, q));
			return;
		}
	val_set(b, r, v, s.p, s.len);
}

void val_name(struct batch *b, struct rec *r, int v, const char *col, struct slice s)
{
	struct errinfo ei = {0};

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (!plain(b, r, col, s, TEXT_NAME_MAX))
		return;
	if (text_valid_name(s.p, s.len, &ei) != OK) {
		problem(b, r, col, "%s", ei.msg);
		return;
	}
	val_set(b, r, v, s.p, s.len);
}

/* Looks s up in set, case-insensitively; -1 when it is not there. */
static int lookup(const char *const set[], struct slice s)
{
	for (int i = 0; set[i]; i++)
		if (strlen(set[i]) == s.len && strncasecmp(set[i], s.p, s.len) == 0)
			return i;
	return -1;
}

static void list_of(struct buf *m, const char *const set[])
{
	for (int i = 0; set[i]; i++)
		buf_printf(m, "%s%s", i ? ", " : "", set[i]);
}

void val_enum(struct batch *b, struct rec *r, int v, const char *col, struct slice s,
	      const char *const set[])
{
	char q[SHOW_MAX + 8];
	struct buf m;
	int k;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if ((k = lookup(set, s)) >= 0) {
		val_set(b, r, v, set[k], strlen(set[k]));
		return;
	}
	buf_init(&m, 400);
	list_of(&m, set);
	problem(b, r, col, "\"%s\" is not one of %s", show(s, q), m.p);
	buf_release(&m);
}

void val_bool(struct batch *b, struct rec *r, int v, const char *col, struct slice s)
{
	static const char *const yes[] = {"1", "true", "yes", "y", NULL}, *const no[] = {"0", "false", "no", "n", NULL};
	char q[SHOW_MAX + 8];

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (lookup(yes, s) >= 0)
		val_set(b, r, v, "1", 1);
	else if (lookup(no, s) >= 0)
		val_set(b, r, v, "0", 1);
	else
		problem(b, r, col, "\"%s\" is not a yes/no value (1/0, true/false, yes/no)", show(s, q));
}

void val_int(struct batch *b, struct rec *r, int v, const char *col, struct slice s, int64_t min,
	     int64_t max)
{
	char tmp[32], q[SHOW_MAX + 8];
	int64_t x;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (s.len >= sizeof tmp) {
		problem(b, r, col, "\"%s\" is not a whole number", show(s, q));
		return;
	}
	memcpy(tmp, s.p, s.len);
	tmp[s.len] = '\0';
	if (conf_parse_int(tmp, INT64_MIN, INT64_MAX, &x) != OK) {
		problem(b, r, col, "\"%s\" is not a whole number", show(s, q));
		return;
	}
	if (x < min || x > max) {
		problem(b, r, col, "%lld is out of range (%lld to %lld)", (long long)x, (long long)min,
			(long long)max);
		return;
	}
	snprintf(tmp, sizeof tmp, "%lld", (long long)x);
	val_set(b, r, v, tmp, strlen(tmp));
}

void val_real(struct batch *b, struct rec *r, int v, const char *col, struct slice s, double min,
	      double max)
{
	char tmp[48], q[SHOW_MAX + 8], *end;
	double x;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (s.len >= sizeof tmp) {
		problem(b, r, col, "\"%s\" is not a number", show(s, q));
		return;
	}
	memcpy(tmp, s.p, s.len);
	tmp[s.len] = '\0';
	x = strtod(tmp, &end);
	if (*end || end == tmp || !isfinite(x) || strpbrk(tmp, "xXnN")) {
		problem(b, r, col, "\"%s\" is not a number", show(s, q));
		return;
	}
	if (x < min || x > max) {
		problem(b, r, col, "%s is out of range (%g to %g)", tmp, min, max);
		return;
	}
	/* The shortest form that reads back as the same double, so a
	 * re-import and an export compare equal. */
	snprintf(tmp, sizeof tmp, "%.15g", x);
	if (strtod(tmp, NULL) != x)
		snprintf(tmp, sizeof tmp, "%.17g", x);
	val_set(b, r, v, tmp, strlen(tmp));
}

void val_date(struct batch *b, struct rec *r, int v, const char *col, struct slice s, enum date_cal cal,
	      bool year_ok)
{
	char tmp[64], iso[DATE_ISO_LEN], q[SHOW_MAX + 8];
	struct errinfo ei = {0};
	struct date d;
	enum err rc;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (s.len >= sizeof tmp) {
		problem(b, r, col, "\"%s\" is not a date", show(s, q));
		return;
	}
	memcpy(tmp, s.p, s.len);
	tmp[s.len] = '\0';
	rc = year_ok ? date_parse_year_or_date(tmp, cal, &d, &ei) : date_parse(tmp, cal, &d, &ei);
	if (rc != OK) {
		if (!utf8_valid(s.p, s.len, NULL))
			problem(b, r, col, "invalid UTF-8 in a date");
		else
			problem(b, r, col, "%s", ei.msg[0] ? ei.msg : "not a date");
		return;
	}
	date_iso(d, iso);
	val_set(b, r, v, iso, strlen(iso));
}

void val_list(struct batch *b, struct rec *r, int v, const char *col, struct slice s,
	      const char *const set[])
{
	size_t at = b->text.len;
	char q[SHOW_MAX + 8];
	bool first = true;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (!plain(b, r, col, s, IMPORT_TEXT_MAX))
		return;
	for (size_t i = 0; i <= s.len;) {
		size_t j = i;
		struct slice item;
		int k;

		while (j < s.len && s.p[j] != ';')
			j++;
		item = val_trim((struct slice){s.p + i, j - i});
		i = j + 1;
		if (!item.len)
			continue;
		if (set && (k = lookup(set, item)) < 0) {
			struct buf m;
			buf_init(&m, 400);
			list_of(&m, set);
			problem(b, r, col, "\"%s\" is not one of %s", show(item, q), m.p);
			buf_release(&m);
			buf_truncate(&b->text, at);
			return;
		}
		if (!first)
			buf_addc(&b->text, ',');
		if (set)
			buf_puts(&b->text, set[k]);
		else
			for (size_t n = 0; n < item.len; n++)
				buf_addc(&b->text, item.p[n] == ',' ? ' ' : item.p[n]);
		first = false;
	}
	buf_addc(&b->text, '\0');
	r->off[v] = b->text.err ? -1 : (int32_t)at;
}

/* Reads up to 4 decimal digits (Latin, Persian or Arabic-Indic) from s at
 * *i; the count read. */
static int digits4(struct slice s, size_t *i, int *out)
{
	int n = 0;

	*out = 0;
	while (*i < s.len && n < 5) {
		unsigned char c = (unsigned char)s.p[*i];
		int d;
		if (c >= '0' && c <= '9') {
			d = c - '0';
			(*i)++;
		} else if (*i + 1 < s.len && (c == 0xDB || c == 0xD9)) {
			unsigned char c2 = (unsigned char)s.p[*i + 1];
			if (c == 0xDB && c2 >= 0xB0 && c2 <= 0xB9)
				d = c2 - 0xB0;          /* U+06F0–06F9 Persian */
			else if (c == 0xD9 && c2 >= 0xA0 && c2 <= 0xA9)
				d = c2 - 0xA0;          /* U+0660–0669 Arabic-Indic */
			else
				break;
			*i += 2;
		} else
			break;
		*out = *out * 10 + d;
		n++;
	}
	return n;
}

void val_school_year(struct batch *b, struct rec *r, int v, const char *col, struct slice s)
{
	char tmp[32], q[SHOW_MAX + 8];
	size_t i = 0;
	int y1, y2;

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (digits4(s, &i, &y1) == 4 && i == s.len && y1 >= 1300 && y1 < DATE_AUTO_SH_BELOW) {
		snprintf(tmp, sizeof tmp, "%04d", y1);      /* a Solar Hijri year */
		val_set(b, r, v, tmp, strlen(tmp));
		return;
	}
	i = 0;
	if (digits4(s, &i, &y1) == 4 && i < s.len && (s.p[i] == '-' || s.p[i] == '/') && (++i, 1) &&
	    digits4(s, &i, &y2) == 4 && i == s.len && y2 == y1 + 1 && y1 >= DATE_YEAR_MIN &&
	    y2 <= DATE_YEAR_MAX) {
		snprintf(tmp, sizeof tmp, "%04d-%04d", y1, y2);
		val_set(b, r, v, tmp, strlen(tmp));
		return;
	}
	problem(b, r, col, "\"%s\" is not a school year (2026-2027, or a Solar Hijri year such as 1405)",
		show(s, q));
}

void val_grade(struct batch *b, struct rec *r, int v, const char *col, struct slice s)
{
	char q[SHOW_MAX + 8];

	s = val_trim(s);
	r->off[v] = -1;
	if (!s.len)
		return;
	if (s.len > 16) {
		problem(b, r, col, "\"%s\" is too long for a grade (KG, 1 to 12, or a code of up to 16 bytes)",
			show(s, q));
		return;
	}
	if (!plain(b, r, col, s, 16))
		return;
	/* "01" and "1" are the same grade; "kg" is "KG". */
	if (s.len == 2 && strncasecmp(s.p, "kg", 2) == 0) {
		val_set(b, r, v, "KG", 2);
		return;
	}
	while (s.len > 1 && s.p[0] == '0' && s.p[1] >= '0' && s.p[1] <= '9')
		s.p++, s.len--;
	val_set(b, r, v, s.p, s.len);
}

void val_fold(struct batch *b, struct rec *r, int v, int va, int vb, int vc)
{
	const int part[3] = {va, vb, vc};
	char name[TEXT_NAME_MAX * 4 + 1];
	size_t at = b->text.len;
	bool first = true;

	for (int i = 0; i < 3; i++) {
		size_t before = b->text.len, n;
		if (part[i] < 0 || r->off[part[i]] < 0)
			continue;
		/* A copy: folding appends to the text the name lives in. */
		n = strlen(b->text.p + r->off[part[i]]);
		if (!n || n >= sizeof name)
			continue;
		memcpy(name, b->text.p + r->off[part[i]], n + 1);
		if (!first)
			buf_addc(&b->text, ' ');
		if (text_fold(name, n, &b->text) != OK || b->text.len == before + !first) {
			buf_truncate(&b->text, before);
			continue;
		}
		first = false;
	}
	buf_addc(&b->text, '\0');
	r->off[v] = b->text.err ? -1 : (int32_t)at;
}
