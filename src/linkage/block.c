/*
 * block.c — blocking: each rule's key for every record, the records of
 * each side sorted by key (radix sort), the blocks where the keys meet,
 * and the walk over candidate pairs that skips pairs an earlier rule
 * already produced.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

/* The text a key part reads; "" when missing. len is set. */
static const char *part_text(const struct lk_schema *s, const struct lk_side *d, const struct lk_rec *r,
			     const struct lk_part *p, int field, size_t *len)
{
	const char *v;

	switch (p->x) {
	case LK_X_SKELETON:
		v = lk_form(d, r, field, LK_FORM_SKEL);
		*len = strlen(v);
		return v;
	case LK_X_YEAR:
		v = lk_form(d, r, field, LK_FORM_VALUE);
		*len = strlen(v) >= 4 ? 4 : 0;
		return v;
	case LK_X_PARENT:
		v = lk_form(d, r, field, s->f[field].type == LK_REGION ? LK_FORM_WORDS : LK_FORM_VALUE);
		*len = strlen(v);
		return v;
	case LK_X_PREFIX3: {
		size_t n = 0;
		int cps = 0;
		v = lk_form(d, r, field, LK_FORM_VALUE);
		while (v[n] && cps < 3) {
			n++;
			while ((v[n] & 0xc0) == 0x80)
				n++;
			cps++;
		}
		*len = n;
		return v;
	}
	case LK_X_PARTS: {
		const char *c;
		int parts = 0;
		v = lk_form(d, r, field, LK_FORM_VALUE);
		for (c = v; *c; c++)
			if (*c == '-' && ++parts == p->n)
				break;
		*len = (size_t)(c - v);
		return v;
	}
	case LK_X_VALUE:
	case LK_X_FULLNAME:  /* hashed by key_of */
		break;
	}
	v = lk_form(d, r, field, LK_FORM_VALUE);
	*len = strlen(v);
	return v;
}

/* The hash of the words of the given and family names, sorted
 * (lk_tokens_sorted, in the scratch buffer t); 0 when there are none. */
static uint64_t fullname_hash(const struct lk_schema *s, const struct lk_side *d, const struct lk_rec *r,
			      uint64_t h, struct buf *t)
{
	const char *g = lk_form(d, r, s->given, LK_FORM_WORDS), *f = lk_form(d, r, s->family, LK_FORM_WORDS);
	size_t words;

	buf_reset(t);
	buf_puts(t, g);
	buf_addc(t, ' ');
	buf_puts(t, f);
	words = t->len;
	/* The sorted words take no more room than the words: with that much
	 * made now, t->p stays where it is while they are written. */
	if (!buf_space(t, words))
		return 0;
	if (lk_tokens_sorted(t->p, words, t) != OK || t->len == words)
		return 0;
	return lk_hash(t->p + words, t->len - words, h);
}

/*
 * Rules share key parts (a name's skeleton, the birth year, the
 * district), so each distinct part is hashed once a record: parts[] lists
 * them, and a rule's key mixes its parts' hashes.
 */
struct parts {
	int n;
	struct lk_part p[LK_MAX_RULES * LK_MAX_PARTS * 2];
	uint8_t at[LK_MAX_RULES][2][LK_MAX_PARTS];   /* [rule][side][part] → index in p */
};

/* The field a part of a rule reads on a side: on the enrolment side of a
 * swap rule, the given and family names trade places. */
static struct lk_part side_part(const struct lk_schema *s, const struct lk_rule *u, int k, int side)
{
	struct lk_part p = u->part[k];

	if (side == 1 && u->swap && p.x != LK_X_FULLNAME) {
		if (p.field == s->given)
			p.field = s->family;
		else if (p.field == s->family)
			p.field = s->given;
	}
	return p;
}

static void parts_list(const struct lk_schema *s, struct parts *ps)
{
	ps->n = 0;
	for (int q = 0; q < s->nrules; q++)
		for (int side = 0; side < 2; side++)
			for (int k = 0; k < s->rule[q].nparts; k++) {
				struct lk_part p = side_part(s, &s->rule[q], k, side);
				int i = 0;
				while (i < ps->n && (ps->p[i].field != p.field || ps->p[i].x != p.x || ps->p[i].n != p.n))
					i++;
				if (i == ps->n)
					ps->p[ps->n++] = p;
				ps->at[q][side][k] = (uint8_t)i;
			}
}

/* The hash of one key part of record r; 0 when it is missing. */
static uint64_t part_hash(const struct lk_schema *s, const struct lk_side *d, const struct lk_rec *r,
			  const struct lk_part *p, struct buf *scratch)
{
	const char *t;
	size_t n;

	if (p->x == LK_X_FULLNAME)
		return fullname_hash(s, d, r, 0, scratch);
	if (p->x == LK_X_VALUE || p->x == LK_X_SKELETON) {
		/* A name's were hashed once, when it was normalised. */
		const uint64_t *nh = lk_name_hashes(s, d, (size_t)(r - d->rec), p->field);
		if (nh)
			return nh[p->x == LK_X_SKELETON];
	}
	t = part_text(s, d, r, p, p->field, &n);
	return lk_text_hash(t, n);
}

/* The key of a rule from its parts' hashes h[at[k]]; 0 when a part is
 * missing. */
static uint64_t key_of(const uint8_t *at, int nparts, const uint64_t *h)
{
	uint64_t key = 0x5851f42d4c957f2dull;

	for (int k = 0; k < nparts; k++) {
		if (!h[at[k]])
			return 0;
		key = (key ^ h[at[k]]) * 0x9e3779b97f4a7c15ull;
		key ^= key >> 29;
	}
	return key ? key : 1;
}

struct kv {
	uint64_t key;
	uint32_t idx;
};

/* A blocking thread's working memory, kept from rule to rule (fresh
 * pages would have to be cleared by the kernel every time). */
struct scratch {
	struct kv *kv[2], *t;
	size_t cap;
	size_t count[2][65536];
};

/*
 * Sorts by key, stably (equal keys keep row order, the order rows were
 * gathered in, so the result is the order of (key, row)). Keys are
 * hashes, so their high 32 bits nearly always tell them apart.
 *
 * Up to a few million rows: one pass scatters the rows by their top 16
 * bits into t, and each bucket (a dozen rows on average, in cache) is
 * finished in place (bucket_sort); the sorted rows are then in t. Beyond that
 * buckets grow too long for insertion sort: two LSD passes of 16 bits on
 * the high 32 (both counted in one sweep), then an insertion sort of each
 * run that shares them, and the rows are back in a. Returns where they
 * are.
 */
#define MSD_MAX ((size_t)4 << 20)

/* Turns counts by digit into where each digit's items start. */
static void starts(size_t count[65536])
{
	for (size_t i = 0, sum = 0; i < 65536; i++) {
		size_t c = count[i];
		count[i] = sum;
		sum += c;
	}
}

static void insertion(struct kv *a, size_t n)
{
	for (size_t x = 1; x < n; x++) {
		struct kv v = a[x];
		size_t y = x;
		while (y > 0 && a[y - 1].key > v.key) {
			a[y] = a[y - 1];
			y--;
		}
		a[y] = v;
	}
}

/* (key, row): the order a stable sort by key gives rows gathered in order. */
static int cmp_kv(const void *x, const void *y)
{
	const struct kv *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* A bucket of the scatter: insertion sort while it is short; a long one
 * (two large blocks whose keys share their top 16 bits would interleave
 * there, and insertion sort would be quadratic) by qsort on (key, row). */
static void bucket_sort(struct kv *a, size_t n)
{
	if (n <= 64)
		insertion(a, n);
	else
		qsort(a, n, sizeof *a, cmp_kv);
}

static struct kv *radix(struct kv *a, size_t n, struct scratch *sc)
{
	struct kv *src = a, *dst = sc->t;

	if (n <= MSD_MAX) {
		size_t *count = sc->count[0], lo = 0;
		memset(count, 0, sizeof sc->count[0]);
		for (size_t i = 0; i < n; i++)
			count[a[i].key >> 48]++;
		starts(count);
		for (size_t i = 0; i < n; i++)
			dst[count[a[i].key >> 48]++] = a[i];
		for (size_t b = 0; b < 65536; b++) {
			bucket_sort(dst + lo, count[b] - lo);   /* count[b] is now where bucket b ends */
			lo = count[b];
		}
		return dst;
	}
	memset(sc->count, 0, sizeof sc->count);
	for (size_t i = 0; i < n; i++) {
		sc->count[0][(a[i].key >> 32) & 0xffff]++;
		sc->count[1][a[i].key >> 48]++;
	}
	for (int p = 0; p < 2; p++) {
		size_t *count = sc->count[p];
		int shift = 32 + 16 * p;
		starts(count);
		for (size_t i = 0; i < n; i++)
			dst[count[(src[i].key >> shift) & 0xffff]++] = src[i];
		struct kv *x = src;
		src = dst;
		dst = x;
	}
	/* Two passes: the data is back in a. */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && a[j].key >> 32 == a[i].key >> 32)
			j++;
		insertion(a + i, j - i);
		i = j;
	}
	return a;
}

struct block_job {
	const struct lk_schema *s;
	const struct lk_side *reg, *enr;
	struct lk_blocks *b;
	struct lk_rule_stats *stats;
	struct parts ps;
	uint64_t *col[2][LK_MAX_RULES];   /* [side][rule][row]: every row's key */
	int nthreads;
	atomic_int next;
};

static void hash_thread(void *arg, int k)
{
	struct block_job *j = arg;
	struct buf t;

	buf_init(&t, 1 << 16);
	for (int side = 0; side < 2; side++) {
		const struct lk_side *d = side ? j->enr : j->reg;
		size_t lo = d->n * (size_t)k / (size_t)j->nthreads, hi = d->n * (size_t)(k + 1) / (size_t)j->nthreads;
		size_t stride = j->b->stride;
		uint64_t *row = side ? j->b->ekey : j->b->rkey;
		for (size_t x = lo; x < hi; x++) {
			uint64_t h[LK_MAX_RULES * LK_MAX_PARTS * 2];
			for (int i = 0; i < j->ps.n; i++)
				h[i] = part_hash(j->s, d, &d->rec[x], &j->ps.p[i], &t);
			for (int q = 0; q < j->s->nrules; q++) {
				uint64_t key = key_of(j->ps.at[q][side], j->s->rule[q].nparts, h);
				j->col[side][q][x] = key;
				if (q < j->s->nrules - 1)
					row[x * stride + (size_t)q] = key;
			}
		}
	}
	buf_release(&t);
}

/* The rows of a side that have a key under rule q, sorted by it in
 * sc->kv[side]; returns how many they are, and their row numbers in that
 * order in *idx. */
static size_t sorted(const struct block_job *j, int q, int side, struct scratch *sc, uint32_t **idx)
{
	const struct lk_side *d = side ? j->enr : j->reg;
	const uint64_t *col = j->col[side][q];
	struct kv *kv = sc->kv[side];
	size_t k = 0;

	for (size_t x = 0; x < d->n; x++)
		if (col[x])
			kv[k++] = (struct kv){col[x], (uint32_t)x};
	if (radix(kv, k, sc) != kv) {
		/* Sorted into the scratch array: the two trade places. */
		sc->kv[side] = sc->t;
		sc->t = kv;
		kv = sc->kv[side];
	}
	*idx = xmalloc((k ? k : 1) * sizeof **idx);
	for (size_t i = 0; i < k; i++)
		(*idx)[i] = kv[i].idx;
	return k;
}

static void describe(const struct lk_schema *s, const struct lk_rule *u, const struct lk_side *d,
		     const struct lk_rec *r, char *out, size_t max)
{
	size_t used = 0;

	out[0] = '\0';
	for (int k = 0; k < u->nparts && used < max; k++) {
		size_t n;
		const char *t = part_text(s, d, r, &u->part[k], u->part[k].field, &n);
		used += (size_t)snprintf(out + used, max - used, "%s%.*s", k ? "|" : "", (int)n, t);
	}
	if (used >= max) {
		/* Cut short: drop a character cut in two (the key goes into JSON). */
		size_t i = max - 2, len;
		unsigned char lead;
		while (i > 0 && ((unsigned char)out[i] & 0xc0) == 0x80)
			i--;
		lead = (unsigned char)out[i];
		len = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
		if (i + len > max - 1)
			out[i] = '\0';
	}
}

/*
 * Groups a rule's blocks by where their first register row lies, in
 * ranges of 4,096 rows (in key order they come in no order at all).
 * Files are usually grouped by place, and nearly every rule's key holds
 * a region, so the blocks of one range read rows that stay in cache while
 * the range is walked: a fifth off scoring on the bench's files. One
 * stable counting pass: within a range the blocks keep their key order.
 */
static void order_blocks(struct lk_rule_blocks *rb, size_t rows, struct scratch *sc)
{
	size_t n = rb->nb, *count = sc->count[0];
	int shift = 12;
	uint32_t *range = xmalloc((n ? n : 1) * sizeof *range);
	struct lk_block *b = xmalloc((n ? n : 1) * sizeof *b);

	while ((rows >> shift) >= 65536)
		shift++;
	memset(count, 0, sizeof sc->count[0]);
	for (size_t i = 0; i < n; i++)
		count[range[i] = rb->ridx[rb->b[i].r0] >> shift]++;
	starts(count);
	for (size_t i = 0; i < n; i++)
		b[count[range[i]]++] = rb->b[i];
	free(rb->b);
	free(range);
	rb->b = b;
}

static void build_rule(struct block_job *j, int q, struct scratch *sc)
{
	const struct lk_schema *s = j->s;
	struct lk_blocks *b = j->b;
	struct lk_rule_blocks *rb = &b->rb[q];
	struct lk_rule_stats *st = &j->stats[q];
	const struct kv *rs, *es;
	size_t nr, ne, i = 0, k = 0, cap = 0;

	nr = sorted(j, q, 0, sc, &rb->ridx);
	ne = sorted(j, q, 1, sc, &rb->eidx);
	rs = sc->kv[0];
	es = sc->kv[1];
	memset(st, 0, sizeof *st);
	while (i < nr && k < ne) {
		uint64_t a = rs[i].key, e = es[k].key;
		if (a != e) {
			i += a < e;   /* without a branch to mispredict: keys are hashes */
			k += a > e;
		} else {
			size_t i1 = i, k1 = k;
			int64_t pairs;
			while (i1 < nr && rs[i1].key == rs[i].key)
				i1++;
			while (k1 < ne && es[k1].key == es[k].key)
				k1++;
			if (rb->nb == cap) {
				cap = cap ? cap * 2 : 1024;
				rb->b = xrealloc(rb->b, cap * sizeof *rb->b);
			}
			rb->b[rb->nb++] = (struct lk_block){rs[i].key, (uint32_t)i, (uint32_t)(i1 - i), (uint32_t)k,
							   (uint32_t)(k1 - k)};
			pairs = (int64_t)(i1 - i) * (int64_t)(k1 - k);
			st->pairs += pairs;
			st->blocks++;
			if (pairs > s->skew_pairs)
				st->skewed++;
			if (pairs > st->largest) {
				st->largest = pairs;
				describe(s, &s->rule[q], j->reg, &j->reg->rec[rb->ridx[i]], st->largest_key,
					 sizeof st->largest_key);
			}
			i = i1;
			k = k1;
		}
	}
	rb->pairs = st->pairs;
	order_blocks(rb, j->reg->n, sc);
}

static void block_thread(void *arg, int k)
{
	struct block_job *j = arg;
	struct scratch *sc = xmalloc(sizeof *sc);
	int q;

	(void)k;
	sc->cap = j->reg->n > j->enr->n ? j->reg->n : j->enr->n;
	sc->cap = sc->cap ? sc->cap : 1;
	for (int x = 0; x < 2; x++)
		sc->kv[x] = xmalloc(sc->cap * sizeof *sc->kv[x]);
	sc->t = xmalloc(sc->cap * sizeof *sc->t);
	while ((q = atomic_fetch_add(&j->next, 1)) < j->s->nrules)
		build_rule(j, q, sc);
	free(sc->kv[0]);
	free(sc->kv[1]);
	free(sc->t);
	free(sc);
}

struct lk_blocks *lk_block(const struct lk_schema *s, struct lk_side *reg, struct lk_side *enr,
			   int nthreads, struct lk_rule_stats stats[LK_MAX_RULES])
{
	struct lk_blocks *b = xcalloc(1, sizeof *b);
	struct block_job j = {.s = s, .reg = reg, .enr = enr, .b = b, .stats = stats};

	if (reg->n >= UINT32_MAX || enr->n >= UINT32_MAX)
		BUG("linkage: more than 2^32 records on one side");
	b->nrules = s->nrules;
	b->reg = reg;
	b->enr = enr;
	if (s->nrules - 1 <= LK_HOT_KEYS && reg->hot && enr->hot) {
		/* In the hot lines: none to allocate. */
		b->stride = sizeof *reg->hot / sizeof *b->rkey;
		b->rkey = reg->hot[0].key;
		b->ekey = enr->hot[0].key;
	} else {
		b->stride = ((size_t)(s->nrules > 1 ? s->nrules - 1 : 0) + 7) / 8 * 8;
		b->nkey[0] = ((reg->n ? reg->n : 1) * b->stride + 1) * sizeof *b->rkey;
		b->nkey[1] = ((enr->n ? enr->n : 1) * b->stride + 1) * sizeof *b->ekey;
		b->rkey = lk_big_alloc(b->nkey[0]);
		b->ekey = lk_big_alloc(b->nkey[1]);
	}
	parts_list(s, &j.ps);
	j.nthreads = nthreads < 1 ? 1 : nthreads > 64 ? 64 : nthreads;
	for (int side = 0; side < 2; side++)
		for (int q = 0; q < s->nrules; q++)
			j.col[side][q] = xmalloc(((side ? enr->n : reg->n) + 1) * sizeof *j.col[side][q]);
	lk_parallel(j.nthreads, hash_thread, &j);
	for (int side = 0; side < 2; side++) {
		struct lk_side *d = side ? enr : reg;
		free(d->name_hash);   /* read once, by hash_thread */
		d->name_hash = NULL;
	}
	atomic_init(&j.next, 0);
	lk_parallel(nthreads < s->nrules ? nthreads : s->nrules, block_thread, &j);
	for (int side = 0; side < 2; side++)
		for (int q = 0; q < s->nrules; q++)
			free(j.col[side][q]);
	return b;
}

void lk_blocks_free(struct lk_blocks *b)
{
	if (!b)
		return;
	if (b->nkey[0]) {
		lk_big_free(b->rkey, b->nkey[0]);
		lk_big_free(b->ekey, b->nkey[1]);
	}
	for (int q = 0; q < b->nrules; q++) {
		free(b->rb[q].ridx);
		free(b->rb[q].eidx);
		free(b->rb[q].b);
	}
	free(b);
}

/* ---- Walking the pairs ------------------------------------------------------ */

/* A unit of work: blocks b0..b1 of a rule, or register rows r0..r1 of one
 * large block. */
struct unit {
	int rule;
	size_t b0, b1;
	uint32_t r0, r1;
};

struct walk {
	const struct lk_blocks *b;
	bool (*take)(const struct lk_block *bl, void *arg);
	void (*fn)(void *arg, int k, int rule, uint32_t r, uint32_t e);
	void *arg;
	struct unit *u;
	size_t nu;
	atomic_size_t next;
};

#define UNIT_PAIRS 65536

static void units(struct walk *w)
{
	size_t cap = 0;

	for (int q = 0; q < w->b->nrules; q++) {
		const struct lk_rule_blocks *rb = &w->b->rb[q];
		size_t i = 0;
		while (i < rb->nb) {
			struct unit u = {.rule = q, .b0 = i};
			int64_t pairs = 0;
			const struct lk_block *bl = &rb->b[i];
			if ((int64_t)bl->nr * bl->ne > UNIT_PAIRS && bl->nr > 1) {
				/* Split a large block by its register rows. */
				uint32_t step = (uint32_t)(UNIT_PAIRS / bl->ne) + 1;
				for (uint32_t r = 0; r < bl->nr; r += step) {
					if (w->nu == cap) {
						cap = cap ? cap * 2 : 1024;
						w->u = xrealloc(w->u, cap * sizeof *w->u);
					}
					w->u[w->nu++] = (struct unit){q, i, i + 1, r, r + step < bl->nr ? r + step : bl->nr};
				}
				i++;
				continue;
			}
			while (i < rb->nb && pairs < UNIT_PAIRS &&
			       ((int64_t)rb->b[i].nr * rb->b[i].ne <= UNIT_PAIRS || rb->b[i].nr == 1)) {
				pairs += (int64_t)rb->b[i].nr * rb->b[i].ne;
				i++;
			}
			if (i == u.b0)
				i++;
			u.b1 = i;
			u.r0 = 0;
			u.r1 = UINT32_MAX;
			if (w->nu == cap) {
				cap = cap ? cap * 2 : 1024;
				w->u = xrealloc(w->u, cap * sizeof *w->u);
			}
			w->u[w->nu++] = u;
		}
	}
}

/* Asks for what visiting the pair (r, e) reads first: both rows' keys
 * (lk_seen) and hot lines (lk_weight_bound). The rows of a block are scattered and most blocks
 * are small, so this runs AHEAD pairs before the visit, across blocks. */
static inline void prefetch_pair(const struct lk_blocks *b, uint32_t r, uint32_t e)
{
	__builtin_prefetch(b->rkey + (size_t)r * b->stride);
	__builtin_prefetch(b->ekey + (size_t)e * b->stride);
	__builtin_prefetch(&b->reg->hot[r]);
	__builtin_prefetch(&b->enr->hot[e]);
}

#define AHEAD 16

struct ahead {
	struct walk *w;
	int k, rule;
	size_t n;                   /* pairs asked for */
	uint32_t r[AHEAD], e[AHEAD];
};

static inline void visit(struct ahead *q, uint32_t r, uint32_t e)
{
	if (!lk_seen(q->w->b, q->rule, r, e))
		q->w->fn(q->w->arg, q->k, q->rule, r, e);
}

/* Queues the pair (r, e), visiting the one queued AHEAD pairs before. */
static inline void ask(struct ahead *q, uint32_t r, uint32_t e)
{
	size_t i = q->n++ % AHEAD;

	prefetch_pair(q->w->b, r, e);
	if (q->n > AHEAD)
		visit(q, q->r[i], q->e[i]);
	q->r[i] = r;
	q->e[i] = e;
}

static void drain(struct ahead *q)
{
	for (size_t i = q->n > AHEAD ? q->n - AHEAD : 0; i < q->n; i++)
		visit(q, q->r[i % AHEAD], q->e[i % AHEAD]);
	q->n = 0;
}

#define BLOCKS_AHEAD 8

static void walk_thread(void *arg, int k)
{
	struct walk *w = arg;
	size_t x;

	while ((x = atomic_fetch_add(&w->next, 1)) < w->nu) {
		const struct unit *u = &w->u[x];
		const struct lk_rule_blocks *rb = &w->b->rb[u->rule];
		struct ahead q = {.w = w, .k = k, .rule = u->rule};
		for (size_t i = u->b0; i < u->b1; i++) {
			const struct lk_block *bl = &rb->b[i];
			uint32_t r1 = u->r1 < bl->nr ? u->r1 : bl->nr;
			if (i + BLOCKS_AHEAD < u->b1) {
				/* Blocks are in the order of their rows, not of
				 * their keys: their row lists are far apart. */
				const struct lk_block *next = &rb->b[i + BLOCKS_AHEAD];
				__builtin_prefetch(&rb->ridx[next->r0]);
				__builtin_prefetch(&rb->eidx[next->e0]);
			}
			if (w->take && !w->take(bl, w->arg))
				continue;
			for (uint32_t a = bl->r0 + u->r0; a < bl->r0 + r1; a++)
				for (uint32_t c = bl->e0; c < bl->e0 + bl->ne; c++)
					ask(&q, rb->ridx[a], rb->eidx[c]);
		}
		drain(&q);
	}
}

void lk_pairs(const struct lk_blocks *b, int nthreads, bool (*take)(const struct lk_block *bl, void *arg),
	      void (*fn)(void *arg, int k, int rule, uint32_t r, uint32_t e), void *arg)
{
	struct walk w = {.b = b, .take = take, .fn = fn, .arg = arg};

	units(&w);
	atomic_init(&w.next, 0);
	lk_parallel(nthreads, walk_thread, &w);
	free(w.u);
}
