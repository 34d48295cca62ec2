/*
 * linkage_int.h — what the files of the linkage engine share.
 */
#ifndef LINKAGE_LINKAGE_INT_H
#define LINKAGE_LINKAGE_INT_H

#include <stdint.h>

#include "linkage/linkage.h"

/* Large arrays read at random, on huge pages where the kernel allows;
 * zeroed. lk_big_free needs the size. Running out of memory aborts. */
void *lk_big_alloc(size_t n);
void lk_big_free(void *p, size_t n);

/* n zero bytes from malloc, written: a large calloc maps the kernel's
 * zero page, and the first write to each page then copies it while
 * every thread's TLB is flushed. For tables read before written. */
void *lk_zeroed(size_t n);

/* A hash table of nonzero 64-bit keys to 64-bit values (map.c). A key
 * may be added more than once: walk its slots with
 *   for (size_t i = lk_map_next(m, k, LK_MAP_END); i != LK_MAP_END; i = lk_map_next(m, k, i))
 * Adding may move every slot. {0} is an empty map. */
struct lk_map {
	uint64_t *key, *val;
	size_t mask, n;
};
#define LK_MAP_END SIZE_MAX
size_t lk_map_next(const struct lk_map *m, uint64_t key, size_t i);
/* Adds a slot for key (nonzero) and returns it. */
size_t lk_map_add(struct lk_map *m, uint64_t key, uint64_t val);
/* The value of key's first slot, made (0) when there is none. */
uint64_t *lk_map_at(struct lk_map *m, uint64_t key);
/* Makes room for n keys at once (no growing on the way). */
void lk_map_reserve(struct lk_map *m, size_t n);
void lk_map_free(struct lk_map *m);

/* A 64-bit hash of n bytes, seeded. */
uint64_t lk_hash(const void *p, size_t n, uint64_t seed);
/* The hash blocking keys are made of: a text's lk_hash with its low bit
 * set, 0 for empty text (the cached name hashes and the text agree). */
static inline uint64_t lk_text_hash(const char *t, size_t n)
{
	return n ? lk_hash(t, n, 0) | 1 : 0;
}

/* One block of a rule: register rows ridx[r0 .. r0+nr), enrolment rows
 * eidx[e0 .. e0+ne) of that rule's sorted orders. */
struct lk_block {
	uint64_t key;
	uint32_t r0, nr, e0, ne;
};

struct lk_rule_blocks {
	uint32_t *ridx, *eidx;      /* rows sorted by key (only rows with a key) */
	struct lk_block *b;
	size_t nb;
	int64_t pairs;
};

/* Every row's keys, rule by rule (0: none), row after row: the keys of
 * one row share a cache line (up to nine rules: the last rule's key is
 * never checked), so checking a pair against the earlier rules costs two
 * memory reads, not two a rule. */
struct lk_blocks {
	int nrules;
	const struct lk_side *reg, *enr; /* for prefetching the records ahead */
	uint64_t *rkey, *ekey;          /* [row * stride + rule], rules but the last: in the
					   hot lines (lk_hot.key) when they fit there */
	size_t stride;                  /* in keys: a row is whole cache lines */
	size_t nkey[2];                 /* their sizes in bytes when allocated apart, else 0 */
	struct lk_rule_blocks rb[LK_MAX_RULES];
};

/* Asks for the start of record i's text (its first two lines), which
 * comparing it reads first. */
static inline void lk_prefetch_text(const struct lk_side *d, uint32_t i)
{
	const char *t = d->pool + d->rec[i].base;

	__builtin_prefetch(t);
	__builtin_prefetch(t + 64);
}

/* True when an earlier rule than `rule` already pairs register row r with
 * enrolment row e. */
static inline bool lk_seen(const struct lk_blocks *b, int rule, uint32_t r, uint32_t e)
{
	const uint64_t *kr = b->rkey + (size_t)r * b->stride, *ke = b->ekey + (size_t)e * b->stride;

	for (int q = 0; q < rule; q++)
		if (kr[q] && kr[q] == ke[q])
			return true;
	return false;
}

/*
 * Visits candidate pairs: for every rule, the blocks chosen by `take`
 * (NULL: all), every pair not seen under an earlier rule, calling
 * fn(arg, k, rule, r, e) from thread k. Work is handed out in runs of
 * blocks, so the threads stay busy whatever the sizes.
 */
void lk_pairs(const struct lk_blocks *b, int nthreads, bool (*take)(const struct lk_block *bl, void *arg),
	      void (*fn)(void *arg, int k, int rule, uint32_t r, uint32_t e), void *arg);

/* A deterministic random generator (splitmix64). */
static inline uint64_t lk_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
