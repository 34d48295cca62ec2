/*
 * score.c — scoring every candidate pair as blocking produces it, and
 * the one-to-one assignment. Only two things are kept of the pairs: the
 * best candidate of each register row (for the out-of-school list), and
 * the pairs at or above the floor of the review band (few: about one per
 * record that has a match), so memory does not grow with the candidates.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

/* Float bits that order as the floats do, as an unsigned number. */
static uint32_t orderable(float w)
{
	uint32_t u;

	memcpy(&u, &w, 4);
	return u & 0x80000000u ? ~u : u | 0x80000000u;
}

float lk_best_weight(uint64_t b)
{
	uint32_t u = (uint32_t)(b >> 32);
	float w;

	u = u & 0x80000000u ? u & 0x7fffffffu : ~u;
	memcpy(&w, &u, 4);
	return w;
}

/* Best candidates pack the weight over the enrolment row, with ties going
 * to the earlier enrolment row (its complement is larger). */
static uint64_t best_pack(float w, uint32_t e)
{
	return (uint64_t)orderable(w) << 32 | (uint64_t)(UINT32_MAX - e);
}

/* Pairs their bound did not settle wait FULL visits before they are
 * scored in full, while their records and then their text are fetched. */
#define FULL 8

struct sjob {
	const struct lk_schema *s;
	const struct lk_side *reg, *enr;
	double prior, floor;
	_Atomic uint64_t *best;
	struct lk_pair *kept[64];
	size_t nkept[64], capkept[64];
	int64_t scored[64][LK_MAX_RULES];
	int64_t bounded[64];
	uint32_t qr[64][FULL], qe[64][FULL];   /* per thread: the pairs waiting */
	size_t nq[64];
};

static void full(struct sjob *j, int k, uint32_t r, uint32_t e)
{
	const struct lk_rec *a = &j->reg->rec[r];
	int8_t lv[LK_MAX_FIELDS];
	bool sw;
	double w;
	uint64_t packed, old = atomic_load_explicit(&j->best[r], memory_order_relaxed);

	lk_levels(j->s, j->reg, a, j->enr, &j->enr->rec[e], lv, &sw);
	w = j->prior + lk_weight(j->s, a, lv, NULL);
	packed = best_pack((float)w, e);
	while (packed > old &&
	       !atomic_compare_exchange_weak_explicit(&j->best[r], &old, packed, memory_order_relaxed,
						      memory_order_relaxed))
		;
	if (w < j->floor)
		return;
	if (j->nkept[k] == j->capkept[k]) {
		j->capkept[k] = j->capkept[k] ? 2 * j->capkept[k] : 4096;
		j->kept[k] = xrealloc(j->kept[k], j->capkept[k] * sizeof *j->kept[k]);
	}
	j->kept[k][j->nkept[k]++] = (struct lk_pair){r, e, (float)w};
}

static void s_pair(void *arg, int k, int rule, uint32_t r, uint32_t e)
{
	struct sjob *j = arg;
	double w;
	uint64_t old;
	size_t n, i;

	j->scored[k][rule]++;
	/* A pair that can neither reach the review band nor beat the row's
	 * best so far is settled by its bound: most are, which spares
	 * reading their text. */
	old = atomic_load_explicit(&j->best[r], memory_order_relaxed);
	w = j->prior + lk_weight_bound(j->s, &j->reg->hot[r], &j->enr->hot[e]);
	if (w < j->floor && old != LK_NONE && (float)w < lk_best_weight(old)) {
		j->bounded[k]++;
		return;
	}
	/* The others wait: their records now, their text half way. */
	n = j->nq[k]++;
	i = n % FULL;
	__builtin_prefetch(&j->enr->rec[e]);
	__builtin_prefetch(&j->reg->rec[r]);
	if (n >= FULL / 2) {
		size_t h = (n - FULL / 2) % FULL;
		lk_prefetch_text(j->enr, j->qe[k][h]);
		lk_prefetch_text(j->reg, j->qr[k][h]);
	}
	if (n >= FULL)
		full(j, k, j->qr[k][i], j->qe[k][i]);
	j->qr[k][i] = r;
	j->qe[k][i] = e;
}

/* Scores the pairs still waiting in thread k's queue. */
static void s_drain(struct sjob *j, int k)
{
	size_t n = j->nq[k];

	for (size_t i = n > FULL ? n - FULL : 0; i < n; i++)
		full(j, k, j->qr[k][i % FULL], j->qe[k][i % FULL]);
	j->nq[k] = 0;
}

void lk_score(const struct lk_schema *s, const struct lk_side *reg, const struct lk_side *enr,
	      const struct lk_blocks *b, int nthreads, struct lk_scored *out)
{
	struct sjob *j = xcalloc(1, sizeof *j);
	size_t total = 0;

	if (nthreads > 64)
		nthreads = 64;
	memset(out, 0, sizeof *out);
	j->s = s;
	j->reg = reg;
	j->enr = enr;
	j->prior = lk_prior_bits(s);
	j->floor = lk_bits(s->review_lo < s->threshold ? s->review_lo : s->threshold);
	j->best = lk_zeroed((reg->n ? reg->n : 1) * sizeof *j->best);
	lk_pairs(b, nthreads, NULL, s_pair, j);
	for (int k = 0; k < 64; k++)
		s_drain(j, k);
	for (int k = 0; k < 64; k++)
		total += j->nkept[k];
	out->pairs = xmalloc((total ? total : 1) * sizeof *out->pairs);
	for (int k = 0; k < 64; k++) {
		if (j->nkept[k])
			memcpy(out->pairs + out->n, j->kept[k], j->nkept[k] * sizeof *j->kept[k]);
		out->n += j->nkept[k];
		free(j->kept[k]);
		out->bounded += j->bounded[k];
		for (int q = 0; q < LK_MAX_RULES; q++) {
			out->rule_scored[q] += j->scored[k][q];
			out->scored += j->scored[k][q];
		}
	}
	out->best = (uint64_t *)j->best;
	free(j);
}

void lk_scored_free(struct lk_scored *sc)
{
	free(sc->pairs);
	free(sc->best);
	memset(sc, 0, sizeof *sc);
}

static int by_weight(const void *x, const void *y)
{
	const struct lk_pair *a = x, *b = y;

	if (a->weight != b->weight)
		return a->weight > b->weight ? -1 : 1;
	if (a->r != b->r)
		return a->r < b->r ? -1 : 1;
	return a->e < b->e ? -1 : a->e > b->e;
}

size_t lk_assign(const struct lk_schema *s, struct lk_scored *sc, size_t nreg, size_t nenr, uint32_t *match)
{
	uint8_t *taken = lk_zeroed(nenr ? nenr : 1);
	double floor = lk_bits(s->threshold);
	size_t n = 0;

	for (size_t r = 0; r < nreg; r++)
		match[r] = UINT32_MAX;
	qsort(sc->pairs, sc->n, sizeof *sc->pairs, by_weight);
	for (size_t i = 0; i < sc->n && sc->pairs[i].weight >= floor; i++) {
		const struct lk_pair *p = &sc->pairs[i];
		if (match[p->r] != UINT32_MAX || taken[p->e])
			continue;
		match[p->r] = p->e;
		taken[p->e] = 1;
		n++;
	}
	free(taken);
	return n;
}
