/*
 * train.c — estimating the model without labels, as Splink does:
 *   u   the level shares among random pairs (almost all non-matches);
 *   m   EM on the agreement patterns of candidate pairs, counted once per
 *       distinct pattern (as fastLink), from blocks sampled by key;
 *   λ   the pairs a deterministic rule accepts (same national id, or the
 *       same names and birth day) over all possible pairs.
 * Levels marked fixed keep their m and u; a fixed λ stays.
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

#define U_CHUNKS 64
#define CLAMP 1e-9

/* ---- u: random pairs ------------------------------------------------------ */

struct ujob {
	const struct lk_schema *s;
	const struct lk_side *reg, *enr;
	int64_t per_chunk;
	atomic_int next;
	int64_t count[U_CHUNKS][LK_MAX_FIELDS][LK_MAX_LEVELS];
};

/* Random pairs are drawn U_AHEAD before they are compared, so that their
 * hot lines and records are fetched meanwhile, and their text half way. */
#define U_AHEAD 16

static void u_thread(void *arg, int k)
{
	struct ujob *j = arg;
	int c;

	(void)k;
	while ((c = atomic_fetch_add(&j->next, 1)) < U_CHUNKS) {
		uint64_t st = j->s->seed * 0x9e3779b97f4a7c15ull + (uint64_t)c;
		uint32_t rr[U_AHEAD], ee[U_AHEAD];
		for (int64_t i = 0; i < j->per_chunk + U_AHEAD; i++) {
			size_t x = (size_t)i % U_AHEAD, h = (size_t)(i + U_AHEAD / 2) % U_AHEAD;
			if (i >= U_AHEAD) {
				int8_t lv[LK_MAX_FIELDS];
				bool sw;
				lk_levels(j->s, j->reg, &j->reg->rec[rr[x]], j->enr, &j->enr->rec[ee[x]], lv, &sw);
				for (int f = 0; f < j->s->nfields; f++)
					if (lv[f] >= 0)
						j->count[c][f][lv[f]]++;
			}
			if (i >= U_AHEAD / 2 && i - U_AHEAD / 2 < j->per_chunk) {
				lk_prefetch_text(j->reg, rr[h]);
				lk_prefetch_text(j->enr, ee[h]);
			}
			if (i < j->per_chunk) {
				rr[x] = (uint32_t)(lk_rand(&st) % j->reg->n);
				ee[x] = (uint32_t)(lk_rand(&st) % j->enr->n);
				if (j->reg->hot && j->enr->hot) {
					__builtin_prefetch(&j->reg->hot[rr[x]]);
					__builtin_prefetch(&j->enr->hot[ee[x]]);
				}
				__builtin_prefetch(&j->reg->rec[rr[x]]);
				__builtin_prefetch(&j->enr->rec[ee[x]]);
			}
		}
	}
}

static int64_t train_u(struct lk_schema *s, const struct lk_side *reg, const struct lk_side *enr, int nthreads,
		       double seen[LK_MAX_FIELDS][LK_MAX_LEVELS])
{
	struct ujob *j = xcalloc(1, sizeof *j);
	int64_t total = 0;

	j->s = s;
	j->reg = reg;
	j->enr = enr;
	j->per_chunk = s->u_pairs / U_CHUNKS + 1;
	atomic_init(&j->next, 0);
	lk_parallel(nthreads, u_thread, j);
	for (int f = 0; f < s->nfields; f++) {
		struct lk_field *fd = &s->f[f];
		double n = 0, sum[LK_MAX_LEVELS] = {0};
		for (int l = 0; l < fd->nlevels; l++) {
			for (int c = 0; c < U_CHUNKS; c++)
				sum[l] += (double)j->count[c][f][l];
			n += sum[l];
		}
		for (int l = 0; l < fd->nlevels; l++) {
			seen[f][l] += sum[l];
			if (!fd->level[l].fixed)
				fd->level[l].u = (sum[l] + 0.5) / (n + 0.5 * fd->nlevels);  /* smoothed: never 0 */
		}
	}
	total = j->per_chunk * U_CHUNKS;
	free(j);
	return total;
}

/* ---- Patterns of sampled candidate pairs ------------------------------------ */

static uint64_t encode(const struct lk_schema *s, const int8_t *lv)
{
	uint64_t p = 0;

	for (int f = 0; f < s->nfields; f++)
		p |= (uint64_t)(lv[f] + 1) << (4 * f);
	return p;
}

struct pjob {
	const struct lk_schema *s;
	const struct lk_side *reg, *enr;
	double rate;
	uint64_t salt;
	struct lk_map map[64];   /* per thread: pattern + 1 → pairs */
};

static bool p_take(const struct lk_block *bl, void *arg)
{
	struct pjob *j = arg;
	uint64_t h = (bl->key ^ j->salt) * 0xd6e8feb86659fd93ull;

	return (double)(h >> 11) * 0x1p-53 < j->rate;
}

static void p_pair(void *arg, int k, int rule, uint32_t r, uint32_t e)
{
	struct pjob *j = arg;
	int8_t lv[LK_MAX_FIELDS];
	bool sw;

	(void)rule;
	lk_levels(j->s, j->reg, &j->reg->rec[r], j->enr, &j->enr->rec[e], lv, &sw);
	++*lk_map_at(&j->map[k], encode(j->s, lv) + 1);
}

/* A deterministic rule for λ: the same national id, or the same given and
 * family names and birth day (every name and date field exact). */
static bool deterministic(const struct lk_schema *s, const int8_t *lv)
{
	bool names = false, dates = false;

	for (int f = 0; f < s->nfields; f++) {
		if (s->f[f].type == LK_NID && lv[f] == 0)
			return true;
		if (f == s->given || f == s->family || (s->given < 0 && s->f[f].type == LK_NAME)) {
			if (lv[f] < 0 || lv[f] > 1)
				return false;
			names = true;
		}
		if (s->f[f].type == LK_DATE) {
			if (lv[f] != 0)
				return false;
			dates = true;
		}
	}
	return names && dates;
}

/* ---- EM --------------------------------------------------------------------- */

double lk_em(struct lk_schema *s, const int8_t *pat, const double *count, size_t npat, int maxiter, double p0,
	     double ub[LK_MAX_FIELDS][LK_MAX_LEVELS], int *iterations)
{
	int nf = s->nfields, it;
	double p = p0 > 0 && p0 < 1 ? p0 : 0.3;

	for (it = 0; it < maxiter; it++) {
		double M[LK_MAX_FIELDS][LK_MAX_LEVELS] = {{0}}, U[LK_MAX_FIELDS][LK_MAX_LEVELS] = {{0}};
		double lm0 = log(p), lu0 = log(1 - p), sw = 0, total = 0, change = 0;
		for (size_t i = 0; i < npat; i++) {
			const int8_t *lv = pat + i * (size_t)nf;
			double lm = lm0, lu = lu0, w;
			for (int f = 0; f < nf; f++)
				if (lv[f] >= 0) {
					lm += log(s->f[f].level[lv[f]].m);
					lu += log(ub[f][lv[f]]);
				}
			w = 1 / (1 + exp(lu - lm));
			for (int f = 0; f < nf; f++)
				if (lv[f] >= 0) {
					M[f][lv[f]] += count[i] * w;
					U[f][lv[f]] += count[i] * (1 - w);
				}
			sw += count[i] * w;
			total += count[i];
		}
		if (total <= 0)
			break;
		change = fabs(sw / total - p);
		p = sw / total;
		if (p < CLAMP)
			p = CLAMP;
		if (p > 1 - CLAMP)
			p = 1 - CLAMP;
		for (int f = 0; f < nf; f++) {
			struct lk_field *fd = &s->f[f];
			double sm = 0, su = 0, fixed_m = 0;
			int free_levels = 0;
			for (int l = 0; l < fd->nlevels; l++) {
				su += U[f][l];
				if (fd->level[l].fixed)
					fixed_m += fd->level[l].m;
				else {
					sm += M[f][l];
					free_levels++;
				}
			}
			for (int l = 0; l < fd->nlevels; l++) {
				/* Half a pair more at every level: a level no match
				 * showed in the sample is rare, not impossible. */
				double m = (M[f][l] + 0.5) / (sm + 0.5 * free_levels);
				double u = (U[f][l] + 0.5) / (su + 0.5 * fd->nlevels);
				if (!fd->level[l].fixed) {
					/* The levels not fixed share what the fixed leave. */
					m = m * (1 - fixed_m);
					if (m < CLAMP)
						m = CLAMP;
					change = fmax(change, fabs(m - fd->level[l].m));
					fd->level[l].m = m;
				}
				ub[f][l] = u < CLAMP ? CLAMP : u;
			}
		}
		if (change < 1e-7) {
			it++;
			break;
		}
	}
	if (iterations)
		*iterations = it;
	return p;
}

/* Orders by the first uint64_t of each element. */
static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

void lk_train(struct lk_schema *s, const struct lk_side *reg, const struct lk_side *enr,
	      const struct lk_blocks *b, int nthreads, struct lk_train_stats *st)
{
	struct pjob *j = xcalloc(1, sizeof *j);
	struct lk_map all = {0};
	double ub[LK_MAX_FIELDS][LK_MAX_LEVELS] = {{0}}, seen[LK_MAX_FIELDS][LK_MAX_LEVELS] = {{0}}, *count, det = 0;
	uint64_t (*kc)[2];   /* pattern, pairs */
	int64_t pairs = 0;
	int8_t *pat;
	size_t n = 0;
	int it = 0;

	memset(st, 0, sizeof *st);
	if (!reg->n || !enr->n) {
		free(j);
		return;
	}
	st->u_pairs = train_u(s, reg, enr, nthreads, seen);
	for (int q = 0; q < b->nrules; q++)
		pairs += b->rb[q].pairs;
	j->s = s;
	j->reg = reg;
	j->enr = enr;
	j->rate = pairs > s->em_pairs ? (double)s->em_pairs / (double)pairs : 1.0;
	j->salt = s->seed * 0xbf58476d1ce4e5b9ull;
	lk_pairs(b, nthreads > 64 ? 64 : nthreads, p_take, p_pair, j);
	for (int k = 0; k < 64; k++) {
		for (size_t i = 0; j->map[k].mask && i <= j->map[k].mask; i++)
			if (j->map[k].key[i])
				*lk_map_at(&all, j->map[k].key[i]) += j->map[k].val[i];
		lk_map_free(&j->map[k]);
	}
	/* The patterns in a fixed order, so EM sums alike in every run. */
	kc = xmalloc((all.n ? all.n : 1) * sizeof *kc);
	pat = xmalloc((all.n ? all.n : 1) * (size_t)s->nfields);
	count = xmalloc((all.n ? all.n : 1) * sizeof *count);
	for (size_t i = 0; all.mask && i <= all.mask; i++)
		if (all.key[i]) {
			kc[n][0] = all.key[i] - 1;
			kc[n++][1] = all.val[i];
		}
	qsort(kc, n, sizeof *kc, cmp_u64);
	for (size_t i = 0; i < n; i++) {
		int8_t *lv = pat + i * (size_t)s->nfields;
		count[i] = (double)kc[i][1];
		for (int f = 0; f < s->nfields; f++)
			lv[f] = (int8_t)((kc[i][0] >> (4 * f) & 15) - 1);
		st->em_pairs += (int64_t)kc[i][1];
		if (deterministic(s, lv))
			det += count[i];
	}
	st->patterns = (int64_t)n;
	/* EM starts from what the deterministic rule says: m from the pairs
	 * it accepts, u from the others. Started blind, EM can settle on
	 * another class of look-alikes (siblings share a family, a father, a
	 * village), which is a real maximum of the likelihood. */
	{
		double M[LK_MAX_FIELDS][LK_MAX_LEVELS] = {{0}}, sm[LK_MAX_FIELDS] = {0}, su[LK_MAX_FIELDS] = {0};
		for (size_t i = 0; i < n; i++) {
			const int8_t *lv = pat + i * (size_t)s->nfields;
			bool d = deterministic(s, lv);
			for (int f = 0; f < s->nfields; f++)
				if (lv[f] >= 0) {
					seen[f][lv[f]] += count[i];
					if (d) {
						M[f][lv[f]] += count[i];
						sm[f] += count[i];
					} else {
						ub[f][lv[f]] += count[i];
						su[f] += count[i];
					}
				}
		}
		for (int f = 0; f < s->nfields; f++)
			for (int l = 0; l < s->f[f].nlevels; l++) {
				if (!s->f[f].level[l].fixed && sm[f] > 0)
					s->f[f].level[l].m = (M[f][l] + 0.5) / (sm[f] + 0.5 * s->f[f].nlevels);
				ub[f][l] = (ub[f][l] + 0.5) / (su[f] + 0.5 * s->f[f].nlevels);
			}
	}
	st->em_lambda = lk_em(s, pat, count, n, 200, st->em_pairs ? det / (double)st->em_pairs : 0.3, ub, &it);
	st->iterations = it;
	st->deterministic = (int64_t)(det / j->rate + 0.5);
	if (!s->lambda_fixed) {
		double all_pairs = (double)reg->n * (double)enr->n;
		s->lambda = (det / j->rate) / all_pairs;
		if (s->lambda < 1 / all_pairs)
			s->lambda = 1 / all_pairs;
		if (s->lambda > 0.5)
			s->lambda = 0.5;
	}
	/* A level no pair showed, random or candidate, is no evidence either
	 * way (smoothing alone would give it m and u of unrelated sizes). */
	for (int f = 0; f < s->nfields; f++)
		for (int l = 0; l < s->f[f].nlevels; l++)
			if (!seen[f][l] && !s->f[f].level[l].fixed)
				s->f[f].level[l].u = s->f[f].level[l].m;
	lk_weights(s);
	s->trained = true;
	free(kc);
	free(pat);
	free(count);
	lk_map_free(&all);
	free(j);
}
