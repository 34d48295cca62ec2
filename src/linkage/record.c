/*
 * record.c — the records of one side of a run: raw values as read, then
 * the normalised forms every comparison and blocking key reads, built in
 * parallel with ICU (base/text), and the term frequencies of names.
 */
#include <math.h>
#include <pthread.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "base/xmalloc.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

void lk_side_init(struct lk_side *d, const char *name, int nfields)
{
	memset(d, 0, sizeof *d);
	d->name = name;
	d->nf = nfields;
}

/* Grows the records to cap, on ordinary pages: since the weight bound
 * most pairs never read them, and finding huge pages as they are written
 * (the kernel compacts memory for each) cost more than it saved. */
static void grow(struct lk_side *d, size_t cap)
{
	struct lk_rec *rec = mmap(NULL, cap * sizeof *rec, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (rec == MAP_FAILED)
		BUG("linkage: out of memory");
	if (d->n)
		memcpy(rec, d->rec, d->n * sizeof *rec);
	lk_big_free(d->rec, d->rec_big);
	d->rec = rec;
	d->rec_big = cap * sizeof *rec;
	d->cap = cap;
	d->raw_off = xrealloc(d->raw_off, cap * sizeof *d->raw_off);
}

void lk_side_reserve(struct lk_side *d, size_t bytes)
{
	size_t rows = bytes / 40 + 1024;

	if (bytes + 4096 > d->raw_cap) {
		d->raw_cap = bytes + 4096;
		d->raw = xrealloc(d->raw, d->raw_cap);
	}
	if (rows > d->cap)
		grow(d, rows);
}

void *lk_big_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		BUG("linkage: out of memory");
	if (n >= (2u << 20))
		madvise(p, n, MADV_HUGEPAGE);
	return p;
}

void *lk_zeroed(size_t n)
{
	void *p = xmalloc(n ? n : 1);

	memset(p, 0, n);
	return p;
}

void lk_big_free(void *p, size_t n)
{
	if (p)
		munmap(p, n);
}

void lk_side_free(struct lk_side *d)
{
	lk_big_free(d->rec, d->rec_big);
	lk_big_free(d->hot, d->hot_big);
	free(d->name_hash);
	if (d->pool_big)
		lk_big_free(d->pool, d->pool_big);
	else
		free(d->pool);
	free(d->raw);
	free(d->raw_off);
	memset(d, 0, sizeof *d);
}

static void raw_put(struct lk_side *d, const char *s, size_t n)
{
	if (d->raw_len + n + 1 > d->raw_cap) {
		d->raw_cap = (d->raw_len + n + 1) * 2 + 4096;
		d->raw = xrealloc(d->raw, d->raw_cap);
	}
	memcpy(d->raw + d->raw_len, s, n);
	d->raw[d->raw_len + n] = '\0';
	d->raw_len += n + 1;
}

void lk_side_add(struct lk_side *d, int64_t row, const char *id, const char *const *value, const size_t *len)
{
	if (d->n == d->cap)
		grow(d, d->cap ? d->cap * 2 : 4096);
	memset(&d->rec[d->n], 0, sizeof d->rec[d->n]);
	d->rec[d->n].row = row;
	d->raw_off[d->n] = d->raw_len;
	raw_put(d, id, strlen(id));
	for (int f = 0; f < d->nf; f++)
		raw_put(d, value[f] ? value[f] : "", value[f] ? len[f] : 0);
	d->n++;
}

uint64_t lk_hash(const void *p, size_t n, uint64_t h)
{
	const unsigned char *s = p;

	h ^= 0x9e3779b97f4a7c15ull * (n + 1);
	while (n >= 8) {
		uint64_t k;
		memcpy(&k, s, 8);
		h = (h ^ (k * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull;
		h ^= h >> 29;
		s += 8;
		n -= 8;
	}
	if (n) {
		uint64_t k = 0;
		memcpy(&k, s, n);
		h = (h ^ (k * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull;
	}
	h ^= h >> 31;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

/* ---- Normalising ---------------------------------------------------------- */

struct norm_job {
	const struct lk_schema *s;
	struct lk_side *d;
	int nthreads;
	/* per thread: its text, from its share of one region (off, cap) or,
	 * when that was too small, of its own (fixed false) */
	char *region;
	size_t off[64], cap[64];
	char *pool[64];
	size_t pool_len[64];
	bool fixed[64];
	struct lk_problem *prob[64];
	size_t nprob[64];
};

/* A thread's growing text pool; a fixed one is lent and moves to memory
 * of its own when it must grow. */
struct pool {
	char *p;
	size_t len, cap;
	bool fixed;
};

static size_t pool_put(struct pool *p, const char *s, size_t n)
{
	size_t at = p->len;

	if (p->len + n + 1 > p->cap) {
		p->cap = (p->len + n + 1) * 2 + 65536;
		if (p->fixed) {
			char *q = xmalloc(p->cap);
			memcpy(q, p->p, p->len);
			p->p = q;
			p->fixed = false;
		} else
			p->p = xrealloc(p->p, p->cap);
	}
	memcpy(p->p + p->len, s, n);
	p->p[p->len + n] = '\0';
	p->len += n + 1;
	return at;
}

/* Appends s without its spaces. */
static size_t pool_put_compact(struct pool *p, const char *s, size_t n)
{
	size_t at = pool_put(p, s, n), k = at;

	for (size_t i = at; i < at + n; i++)
		if (p->p[i] != ' ')
			p->p[k++] = p->p[i];
	p->p[k] = '\0';
	p->len = k + 1;
	return at;
}

/*
 * Names repeat: a thread remembers the forms of the names it has folded
 * (ICU is the cost of normalising), in a table that stops growing at
 * MEMO_MAX entries. An entry's text is the raw name and its four forms,
 * each NUL-terminated, in the memo's own pool.
 */
#define MEMO_MAX (1u << 20)

struct memo {
	struct lk_map at;    /* hash of the raw name → its entry in text */
	struct pool text;
	struct pool scratch; /* the forms of the name being folded */
};

/* What an entry keeps besides its forms: their lengths, and a name's
 * hot words. */
struct memo_tail {
	uint32_t len[4];
	struct lk_hot_name hot;
	uint64_t hash[2];   /* of the value and the skeleton, as lk_side.name_hash */
};

/* The forms of the raw name v (n bytes) in form[], and *tail; false when
 * it is not there. An entry is the raw name, its tail and its forms. */
static bool memo_get(const struct memo *m, uint64_t h, const char *v, size_t n, const char *form[4],
		     struct memo_tail *tail)
{
	for (size_t i = lk_map_next(&m->at, h, LK_MAP_END); i != LK_MAP_END; i = lk_map_next(&m->at, h, i)) {
		const char *e = m->text.p + m->at.val[i];
		if (!strncmp(e, v, n) && !e[n]) {
			memcpy(tail, e + n + 1, sizeof *tail);
			form[0] = e + n + 1 + sizeof *tail;
			for (int k = 1; k < 4; k++)
				form[k] = form[k - 1] + tail->len[k - 1] + 1;
			return true;
		}
	}
	return false;
}

static void memo_put(struct memo *m, uint64_t h, const char *v, size_t n, const char *const form[4],
		     const struct memo_tail *tail)
{
	size_t at;

	if (m->at.n >= MEMO_MAX)
		return;
	at = pool_put(&m->text, v, n);
	pool_put(&m->text, (const char *)tail, sizeof *tail);
	m->text.len--;  /* the forms follow the tail at once */
	for (int k = 0; k < 4; k++)
		pool_put(&m->text, form[k], tail->len[k]);
	lk_map_add(&m->at, h | 1, at);
}

static void memo_free(struct memo *m)
{
	lk_map_free(&m->at);
	free(m->text.p);
	free(m->scratch.p);
}

static void problem(struct lk_problem **v, size_t *n, int64_t row, int field, const char *fmt, const char *a,
		    const char *b)
{
	struct lk_problem *p;

	if (*n % 64 == 0)
		*v = xrealloc(*v, (*n + 64) * sizeof **v);
	p = &(*v)[(*n)++];
	p->row = row;
	p->field = field;
	snprintf(p->msg, sizeof p->msg, fmt, a, b);
}

/* Sets slot (relative to the record's base) to the text at pool offset at. */
static void set_slot(struct lk_rec *r, int slot, size_t at, size_t base)
{
	size_t off = at - base;

	if (off > UINT16_MAX)
		off = 0;  /* cannot happen: a record's text is bounded by its CSV row */
	r->slot[slot] = (uint16_t)off;
}

/* Patronymic particles that follow a father's name in Azerbaijani and
 * other Turkic registers ("Əli oğlu", "Ömər qızı"), folded: a name is
 * compared without them. */
static const char *const particles[] = {"oglu", "ogly", "ogli", "oghlu", "oghly", "qizi", "gizi", "kizi", "qyzy",
					"gyzy", "kyzy", "uulu", NULL};

static bool particle(const char *w, size_t n, struct buf *t)
{
	buf_reset(t);
	if (text_fold(w, n, t) != OK)
		return false;
	for (int i = 0; particles[i]; i++)
		if (!strcmp(t->p, particles[i]))
			return true;
	return false;
}

/* v without its particles, in out (when it had any); returns the text
 * to use and its length in *n. */
static const char *drop_particles(const char *v, size_t *n, struct buf *t, char *out, size_t max)
{
	size_t i = 0, k = 0;
	bool dropped = false;

	if (!memchr(v, ' ', *n) || *n >= max)
		return v;
	while (i < *n) {
		size_t j = i;
		while (j < *n && v[j] != ' ')
			j++;
		if (j > i && particle(v + i, j - i, t))
			dropped = true;
		else if (j > i) {
			if (k)
				out[k++] = ' ';
			memcpy(out + k, v + i, j - i);
			k += j - i;
		}
		i = j + 1;
	}
	if (!dropped || !k)
		return v;
	out[k] = '\0';
	*n = k;
	return out;
}

static bool ascii(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] >= 0x80)
			return false;
	return true;
}

static void norm_field(const struct lk_schema *s, struct pool *p, struct memo *memo, struct buf *t,
		       struct lk_rec *r, struct lk_hot *hot, uint64_t *nh, size_t base, size_t empty, int f,
		       const char *v, struct lk_problem **prob, size_t *nprob, int *ndate)
{
	const struct lk_field *fd = &s->f[f];
	int slot = 1 + f * LK_FORMS;
	size_t n = strlen(v);
	struct lk_date dt;

	for (int k = 0; k < LK_FORMS; k++)
		set_slot(r, slot + k, empty, base);
	if (nh)
		nh[0] = nh[1] = 0;
	while (n && (*v == ' ' || *v == '\t'))
		v++, n--;
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (!n)
		return;
	buf_reset(t);
	switch (fd->type) {
	case LK_NAME:
	case LK_STRING: {
		uint64_t h = lk_hash(v, n, fd->type);
		const char *form[4];  /* words, value, tones, skeleton */
		struct memo_tail tail;
		char clean[1024];
		if (!memo_get(memo, h | 1, v, n, form, &tail)) {
			struct pool *sc = &memo->scratch;
			const char *raw = v;
			size_t rn = n, at[4];
			if (fd->type == LK_NAME) {
				v = drop_particles(v, &n, t, clean, sizeof clean);
				buf_reset(t);
			}
			if (text_fold(v, n, t) != OK)
				return;
			sc->len = 0;
			at[0] = pool_put(sc, t->p, t->len);
			at[1] = pool_put_compact(sc, t->p, t->len);
			buf_reset(t);
			if (fd->type == LK_NAME && text_fold_keep_tones(v, n, t) == OK)
				at[2] = pool_put_compact(sc, t->p, t->len);
			else
				at[2] = pool_put(sc, "", 0);
			buf_reset(t);
			if (fd->type != LK_NAME || text_skeleton(v, n, t) != OK)
				buf_reset(t);
			at[3] = pool_put(sc, t->p, t->len);
			for (int k = 0; k < 4; k++) {
				form[k] = sc->p + at[k];
				tail.len[k] = (uint32_t)strlen(form[k]);
			}
			lk_hot_name(form[1], form[3], &tail.hot);
			tail.hash[0] = lk_text_hash(form[1], tail.len[1]);
			tail.hash[1] = lk_text_hash(form[3], tail.len[3]);
			memo_put(memo, h, raw, rn, form, &tail);
		}
		if (*form[0]) {
			if (memchr(form[0], ' ', tail.len[0]))
				r->words |= (uint16_t)(1u << f);
			set_slot(r, slot + LK_FORM_WORDS, pool_put(p, form[0], tail.len[0]), base);
			set_slot(r, slot + LK_FORM_VALUE, pool_put(p, form[1], tail.len[1]), base);
			if (*form[2])
				set_slot(r, slot + LK_FORM_TONES, pool_put(p, form[2], tail.len[2]), base);
			if (*form[3])
				set_slot(r, slot + LK_FORM_SKEL, pool_put(p, form[3], tail.len[3]), base);
			if (fd->type == LK_NAME && fd->hot >= 0) {
				hot->w[fd->hot] = tail.hot.w[0];
				hot->w[fd->hot + 1] = tail.hot.w[1];
				hot->len[fd->hot_len] = tail.hot.len;
			}
			if (nh) {
				nh[0] = tail.hash[0];
				nh[1] = tail.hash[1];
			}
		}
		return;
	}
	case LK_DATE:
		/* Persian digits become ASCII first. */
		if (ascii(v, n))
			buf_add(t, v, n);
		else if (text_fold(v, n, t) != OK)
			return;
		if (!fd->date_compact && t->len == 10 && t->p[4] == ' ' && t->p[7] == ' ')
			t->p[4] = t->p[7] = '-';  /* text_fold made the dashes spaces */
		if (!lk_date_parse(t->p, t->len, &dt) || (fd->date_compact && t->len == 10) ||
		    (!fd->date_compact && t->len == 8)) {
			char shown[48];
			snprintf(shown, sizeof shown, "%.*s", (int)(n < 40 ? n : 40), v);
			problem(prob, nprob, r->row, f, "\"%s\" is not a date (%s, or the year alone); taken as missing",
				shown, fd->date_compact ? "YYYYMMDD" : "YYYY-MM-DD");
			return;
		}
		{
			/* YYYY-MM-DD or YYYY (lk_date_parse keeps years to four
			 * digits); by hand, as there is one on most rows. */
			char iso[10] = {(char)('0' + dt.y / 1000 % 10), (char)('0' + dt.y / 100 % 10),
					(char)('0' + dt.y / 10 % 10), (char)('0' + dt.y % 10), '-',
					(char)('0' + dt.m / 10), (char)('0' + dt.m % 10), '-',
					(char)('0' + dt.d / 10), (char)('0' + dt.d % 10)};
			set_slot(r, slot + LK_FORM_VALUE, pool_put(p, iso, dt.m ? 10 : 4), base);
		}
		if (*ndate < 2)
			r->date[*ndate] = dt;
		return;
	case LK_NID:
		if (ascii(v, n))
			for (size_t i = 0; i < n; i++)
				buf_addc(t, (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]));
		else if (text_fold(v, n, t) != OK)
			return;
		{
			size_t k = 0;
			for (size_t i = 0; i < t->len; i++)
				if ((t->p[i] >= '0' && t->p[i] <= '9') || (t->p[i] >= 'a' && t->p[i] <= 'z'))
					t->p[k++] = t->p[i];
			if (k)
				set_slot(r, slot + LK_FORM_VALUE, pool_put(p, t->p, k), base);
		}
		return;
	case LK_EXACT:
		if (text_fold(v, n, t) == OK && t->len)
			set_slot(r, slot + LK_FORM_VALUE, pool_put_compact(p, t->p, t->len), base);
		return;
	case LK_REGION: {
		size_t at = pool_put(p, v, n);
		const char *dash = memrchr(v, '-', n);
		set_slot(r, slot + LK_FORM_VALUE, at, base);
		if (dash && dash > v)
			set_slot(r, slot + LK_FORM_WORDS, pool_put(p, v, (size_t)(dash - v)), base);
		return;
	}
	}
}

static void norm_thread(void *arg, int k)
{
	struct norm_job *j = arg;
	struct lk_side *d = j->d;
	const struct lk_schema *s = j->s;
	size_t lo = d->n * (size_t)k / (size_t)j->nthreads, hi = d->n * (size_t)(k + 1) / (size_t)j->nthreads;
	struct pool p = {j->region + j->off[k], 0, j->cap[k], true};
	struct memo memo = {0};
	struct buf t;

	buf_init(&t, 1 << 20);
	for (size_t i = lo; i < hi; i++) {
		struct lk_rec *r = &d->rec[i];
		const char *v = d->raw + d->raw_off[i];
		size_t base = p.len, empty;
		int ndate = 0;
		r->base = base;
		r->slot[0] = 0;
		pool_put(&p, v, strlen(v));
		empty = p.len - 1;  /* the id's terminating NUL is the empty string */
		v += strlen(v) + 1;
		for (int f = 0; f < s->nfields; f++) {
			norm_field(s, &p, &memo, &t, r, &d->hot[i], lk_name_hashes(s, d, i, f), base, empty, f, v,
				   &j->prob[k], &j->nprob[k], &ndate);
			if (s->f[f].type == LK_DATE)
				ndate++;
			v += strlen(v) + 1;
		}
		lk_hot_fill(s, p.p + base, r, &d->hot[i]);
	}
	buf_release(&t);
	memo_free(&memo);
	j->pool[k] = p.p;
	j->pool_len[k] = p.len;
	j->fixed[k] = p.fixed;
}

void lk_normalise(const struct lk_schema *s, struct lk_side *d, int nthreads, struct lk_problem **out,
		  size_t *nproblems)
{
	struct norm_job j = {.s = s, .d = d, .nthreads = nthreads < 1 ? 1 : nthreads > 64 ? 64 : nthreads};
	size_t total = 0;
	bool all_fixed = true;

	free(d->name_hash);
	/* On ordinary pages, as the text: asking for huge pages while they
	 * are first written makes the kernel compact memory. Every entry is
	 * written (norm_field). */
	d->name_hash = xmalloc((d->n ? d->n : 1) * (size_t)(s->nnames ? s->nnames : 1) * 2 * sizeof *d->name_hash);
	lk_big_free(d->hot, d->hot_big);
	d->hot_big = (d->n ? d->n : 1) * sizeof *d->hot;
	d->hot = lk_big_alloc(d->hot_big);
	/* One region with room for every thread's forms (four of names,
	 * which are most of the text): each writes its share in place, and
	 * the text is not copied again unless a share was too small. */
	for (int k = 0; k < j.nthreads; k++) {
		size_t lo = d->n * (size_t)k / (size_t)j.nthreads, hi = d->n * (size_t)(k + 1) / (size_t)j.nthreads;
		j.off[k] = total;
		j.cap[k] = (hi > lo ? 4 * ((hi < d->n ? d->raw_off[hi] : d->raw_len) - d->raw_off[lo]) : 0) + 65536;
		total += j.cap[k];
	}
	/* Not on huge pages, unlike the records: finding them as the text
	 * is written (the kernel compacts memory for each) cost more than
	 * the TLB misses they spare when it is read, which the weight bound
	 * has made rare (measured: normalising 0.5 s faster at a million
	 * rows, scoring no slower). */
	j.region = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (j.region == MAP_FAILED)
		BUG("linkage: out of memory");
	lk_parallel(j.nthreads, norm_thread, &j);
	for (int k = 0; k < j.nthreads; k++)
		all_fixed = all_fixed && j.fixed[k];
	free(d->pool);
	if (all_fixed) {
		d->pool = j.region;
		d->pool_big = total;
	} else {
		total = 0;
		for (int k = 0; k < j.nthreads; k++)
			total += j.pool_len[k];
		d->pool = lk_big_alloc(total + 1);
		d->pool_big = total + 1;
	}
	d->pool_len = 0;
	for (int k = 0; k < j.nthreads; k++) {
		size_t lo = d->n * (size_t)k / (size_t)j.nthreads, hi = d->n * (size_t)(k + 1) / (size_t)j.nthreads;
		size_t at = all_fixed ? j.off[k] : d->pool_len;
		if (at)
			for (size_t i = lo; i < hi; i++)
				d->rec[i].base += at;
		if (!all_fixed && j.pool_len[k])
			memcpy(d->pool + d->pool_len, j.pool[k], j.pool_len[k]);
		d->pool_len += j.pool_len[k];
		if (!j.fixed[k])
			free(j.pool[k]);
		for (size_t i = 0; i < j.nprob[k]; i++)
			problem(out, nproblems, j.prob[k][i].row, j.prob[k][i].field, "%s%s", j.prob[k][i].msg, "");
		free(j.prob[k]);
	}
	if (!all_fixed)
		lk_big_free(j.region, j.off[j.nthreads - 1] + j.cap[j.nthreads - 1]);
	free(d->raw);
	free(d->raw_off);
	d->raw = NULL;
	d->raw_off = NULL;
	d->raw_len = d->raw_cap = 0;
}

/* ---- Term frequencies ----------------------------------------------------- */

/* The counts of values by the hash of their text (two names whose 64-bit
 * hashes collide would share a count: a rounding error). */
struct tf_job {
	const struct lk_schema *s;
	struct lk_side *side[2];
	int nthreads;
};

/* Counts field f over both sides and sets every record's frequency. */
static void tf_field(const struct lk_schema *s, struct lk_side *const side[2], int f)
{
	struct lk_map t = {0};
	int64_t total = 0;
	uint32_t *slot[2];

	/* Room for every value at once: slots do not move, so the second
	 * pass reads each record's count without hashing. */
	lk_map_reserve(&t, side[0]->n + side[1]->n);
	for (int k = 0; k < 2; k++) {
		slot[k] = xmalloc((side[k]->n ? side[k]->n : 1) * sizeof *slot[k]);
		for (size_t i = 0; i < side[k]->n; i++) {
			const uint64_t *nh = lk_name_hashes(s, side[k], i, f);
			const char *v = nh ? NULL : lk_form(side[k], &side[k]->rec[i], f, LK_FORM_VALUE);
			uint64_t h = nh ? nh[0] : lk_text_hash(v, strlen(v));
			size_t x;
			slot[k][i] = UINT32_MAX;
			if (!h)
				continue;
			if ((x = lk_map_next(&t, h, LK_MAP_END)) == LK_MAP_END)
				x = lk_map_add(&t, h, 0);
			t.val[x]++;
			slot[k][i] = (uint32_t)x;
			total++;
		}
	}
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < side[k]->n; i++) {
			float tf = slot[k][i] == UINT32_MAX ? 0 : (float)log2((double)t.val[slot[k][i]] / (double)total);
			side[k]->rec[i].tf[s->f[f].tf_slot] = tf;
			/* In 1/256 bits, rounded down (so the bound's adjustment
			 * can only grow); no value is rarer than 2^-128. */
			if (side[k]->hot)
				side[k]->hot[i].tf[s->f[f].tf_slot] = (int16_t)fmaxf(-32768, floorf(256 * tf));
		}
		free(slot[k]);
	}
	lk_map_free(&t);
}

static void tf_thread(void *arg, int k)
{
	struct tf_job *j = arg;

	for (int f = 0, n = 0; f < j->s->nfields; f++)
		if (j->s->f[f].tf_slot >= 0 && n++ % j->nthreads == k)
			tf_field(j->s, j->side, f);
}

void lk_term_freq(const struct lk_schema *s, struct lk_side *a, struct lk_side *b, int nthreads)
{
	struct tf_job j = {s, {a, b}, nthreads < 1 ? 1 : nthreads > LK_MAX_TF ? LK_MAX_TF : nthreads};

	lk_parallel(j.nthreads, tf_thread, &j);
}

/* ---- Threads -------------------------------------------------------------- */

struct par {
	void (*fn)(void *arg, int k);
	void *arg;
	int k;
};

static void *par_main(void *arg)
{
	struct par *p = arg;

	p->fn(p->arg, p->k);
	return NULL;
}

void lk_parallel(int nthreads, void (*fn)(void *arg, int k), void *arg)
{
	pthread_t th[64];
	struct par p[64];

	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 64)
		nthreads = 64;
	for (int k = 1; k < nthreads; k++) {
		p[k] = (struct par){fn, arg, k};
		if (pthread_create(&th[k], NULL, par_main, &p[k]) != 0)
			BUG("cannot start a linkage thread");
	}
	fn(arg, 0);
	for (int k = 1; k < nthreads; k++)
		pthread_join(th[k], NULL);
}
