/*
 * map.c — the one hash table of the engine: nonzero 64-bit keys (hashes,
 * patterns) to 64-bit values (counts, row numbers, offsets), open
 * addressing, growing at half full. A key may be added more than once,
 * so tables keyed by a hash of a string can hold two strings whose hashes
 * collide; their users compare the strings as they walk a key's slots.
 */
#include <stdlib.h>

#include "base/xmalloc.h"
#include "linkage/linkage_int.h"
#include "base/banned.h"

static size_t home(const struct lk_map *m, uint64_t key)
{
	return (size_t)(key * 0x9e3779b97f4a7c15ull >> 17) & m->mask;
}

size_t lk_map_next(const struct lk_map *m, uint64_t key, size_t i)
{
	if (!m->mask)
		return LK_MAP_END;
	for (i = i == LK_MAP_END ? home(m, key) : (i + 1) & m->mask; m->key[i]; i = (i + 1) & m->mask)
		if (m->key[i] == key)
			return i;
	return LK_MAP_END;
}

/* Grows m to 2^k slots, k the least for which n keys are at most half. */
void lk_map_reserve(struct lk_map *m, size_t n)
{
	struct lk_map b = {.mask = 1023};

	while (2 * n > b.mask + 1)
		b.mask = 2 * b.mask + 1;
	if (b.mask <= m->mask)
		return;
	b.key = lk_zeroed((b.mask + 1) * sizeof *b.key);
	b.val = xmalloc((b.mask + 1) * sizeof *b.val);
	for (size_t k = 0; m->mask && k <= m->mask; k++)
		if (m->key[k])
			lk_map_add(&b, m->key[k], m->val[k]);
	lk_map_free(m);
	*m = b;
}

size_t lk_map_add(struct lk_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (!key)
		BUG("lk_map: the key 0 marks a free slot");
	if (2 * (m->n + 1) > m->mask + 1)
		lk_map_reserve(m, m->n + 1);

	for (i = home(m, key); m->key[i]; i = (i + 1) & m->mask)
		;
	m->key[i] = key;
	m->val[i] = val;
	m->n++;
	return i;
}

uint64_t *lk_map_at(struct lk_map *m, uint64_t key)
{
	size_t i = lk_map_next(m, key, LK_MAP_END);

	if (i == LK_MAP_END)
		i = lk_map_add(m, key, 0);  /* may move m->val */
	return &m->val[i];
}

void lk_map_free(struct lk_map *m)
{
	free(m->key);
	free(m->val);
	m->key = m->val = NULL;
	m->mask = m->n = 0;
}
