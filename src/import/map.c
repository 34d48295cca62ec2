/*
 * map.c — the in-memory maps of an import: codes to store keys (regions,
 * schools, OneRoster orgs and classes: at most some hundred thousand) and
 * the set of external ids seen in a file (for "duplicate id").
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/xmalloc.h"
#include "import/import_int.h"
#include "base/banned.h"

struct mslot {
	const char *key;
	uint64_t h;
	struct mval v;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;   /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h ^ (h >> 29);
}

void cmap_init(struct cmap *m)
{
	m->cap = 1024;
	m->n = 0;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	m->strings = arena_new();
}

void cmap_free(struct cmap *m)
{
	free(m->slots);
	if (m->strings)
		arena_free(m->strings);
	memset(m, 0, sizeof *m);
}

static struct mslot *find(const struct cmap *m, const char *key, uint64_t h)
{
	size_t i = h & (m->cap - 1);

	for (;; i = (i + 1) & (m->cap - 1)) {
		struct mslot *s = &m->slots[i];
		if (!s->key || (s->h == h && strcmp(s->key, key) == 0))
			return s;
	}
}

static void grow(struct cmap *m)
{
	struct mslot *old = m->slots;
	size_t n = m->cap;

	m->cap *= 2;
	m->slots = xcalloc(m->cap, sizeof *m->slots);
	for (size_t i = 0; i < n; i++)
		if (old[i].key)
			*find(m, old[i].key, old[i].h) = old[i];
	free(old);
}

struct mval *cmap_get(const struct cmap *m, const char *key)
{
	struct mslot *s;

	if (!m->slots || !key)
		return NULL;
	s = find(m, key, hash(key));
	return s->key ? &s->v : NULL;
}

struct mval *cmap_put(struct cmap *m, const char *key)
{
	uint64_t h = hash(key);
	struct mslot *s = find(m, key, h);

	if (s->key)
		return &s->v;
	if ((m->n + 1) * 4 > m->cap * 3) {
		grow(m);
		s = find(m, key, h);
	}
	s->key = arena_strdup(m->strings, key);
	s->h = h;
	m->n++;
	return &s->v;
}

const char *cmap_str(struct cmap *m, const char *s)
{
	return s ? arena_strdup(m->strings, s) : NULL;
}

/* The duplicate set: open addressing over 64-bit hashes of the ids (0
 * means empty, so a hash is never 0), with the row of each beside it in
 * the same 12-byte slot, so a probe that inserts touches one cache line,
 * not two (a million ids make a table far larger than the caches). Two
 * different ids share a hash with odds of about n^2 / 2^65 (3 in 10^8
 * for a million rows): a false "duplicate" is possible in principle and
 * not in practice. */
void dupset_init(struct dupset *d)
{
	d->cap = 1 << 16;
	d->n = 0;
	d->slot = xcalloc(d->cap, sizeof *d->slot);
}

void dupset_free(struct dupset *d)
{
	free(d->slot);
	memset(d, 0, sizeof *d);
}

static uint64_t hash64(const char *s)
{
	uint64_t h = hash(s);

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h ? h : 1;
}

static size_t dslot(const struct dupset *d, uint64_t h)
{
	size_t i = h & (d->cap - 1);

	while (d->slot[i].h && d->slot[i].h != h)
		i = (i + 1) & (d->cap - 1);
	return i;
}

static void dgrow(struct dupset *d)
{
	struct dslot *old = d->slot;
	size_t n = d->cap;

	d->cap *= 2;
	d->slot = xcalloc(d->cap, sizeof *d->slot);
	for (size_t i = 0; i < n; i++)
		if (old[i].h)
			d->slot[dslot(d, old[i].h)] = old[i];
	free(old);
}

int64_t dupset_add(struct dupset *d, const char *id, int64_t row)
{
	uint64_t h = hash64(id);
	size_t k = dslot(d, h);

	if (d->slot[k].h)
		return d->slot[k].row;
	if ((d->n + 1) * 10 > d->cap * 7) {
		dgrow(d);
		k = dslot(d, h);
	}
	d->slot[k].h = h;
	d->slot[k].row = (uint32_t)row;
	d->n++;
	return 0;
}
