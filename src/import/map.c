/*
 * map.c — the in-memory maps of an import: codes to store keys (regions,
 * schools, OneRoster orgs and classes: at most some hundred thousand) and
 * the set of external ids seen in a file (for "duplicate id").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/log.h"
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
 * not two. Two different ids share a hash with odds of about n^2 / 2^65
 * (3 in 10^8 for a million rows, 7 in 10^5 for fifty million): a false
 * "duplicate" is possible in principle and not in practice.
 *
 * A hash's home slot is its top bits, so the table is already in hash
 * order but for the few slots each cluster pushes an entry along: a full
 * table sorts by insertion in about one pass and is written out as a
 * run. The filter is split into 32-byte blocks: a hash sets one bit in
 * each of a block's eight words, so asking costs one cache line. */
void dupset_init(struct dupset *d, size_t max_slots, size_t filter_bytes)
{
	if (max_slots & (max_slots - 1) || max_slots < 16 || filter_bytes < 32 || filter_bytes / 32 > UINT32_MAX)
		BUG("dupset_init: the slots are a power of two, at least 16, and the filter 1 to 2^32 blocks");
	memset(d, 0, sizeof *d);
	d->max = max_slots;
	d->filter_bytes = filter_bytes;
	d->cap = max_slots < ((size_t)1 << 16) ? max_slots : (size_t)1 << 16;
	d->shift = 64 - __builtin_ctzll(d->cap);
	d->slot = xcalloc(d->cap, sizeof *d->slot);
	d->fd = -1;
}

void dupset_free(struct dupset *d)
{
	free(d->slot);
	free(d->filter);
	for (size_t i = 0; i < d->nrun; i++)
		free(d->run[i].fence);
	free(d->run);
	if (d->fd >= 0)
		close(d->fd);
	memset(d, 0, sizeof *d);
	d->fd = -1;
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
	size_t i = (size_t)(h >> d->shift);

	while (d->slot[i].h && d->slot[i].h != h)
		i = (i + 1) & (d->cap - 1);
	return i;
}

static void dgrow(struct dupset *d)
{
	struct dslot *old = d->slot;
	size_t n = d->cap;

	d->cap *= 2;
	d->shift--;
	d->slot = xcalloc(d->cap, sizeof *d->slot);
	for (size_t i = 0; i < n; i++)
		if (old[i].h)
			d->slot[dslot(d, old[i].h)] = old[i];
	free(old);
}

/* Odd multipliers, one per word of a block: each picks a bit from the
 * hash's low half. The block comes from the high half. */
static const uint32_t salt[8] = {
	0x9e3779b1u, 0x85ebca77u, 0xc2b2ae3du, 0x27d4eb2fu,
	0x165667b1u, 0xd6e8feb7u, 0xa0761d65u, 0xe7037ed1u,
};

static uint32_t *fblock(const struct dupset *d, uint64_t h)
{
	return (uint32_t *)d->filter + 8 * (size_t)(((h >> 32) * d->blocks) >> 32);
}

static bool filter_may(const struct dupset *d, uint64_t h)
{
	const uint32_t *b = fblock(d, h);

	for (int i = 0; i < 8; i++)
		if (!(b[i] >> (((uint32_t)h * salt[i]) >> 27) & 1))
			return false;
	return true;
}

static void filter_add(struct dupset *d, uint64_t h)
{
	uint32_t *b = fblock(d, h);

	for (int i = 0; i < 8; i++)
		b[i] |= 1u << (((uint32_t)h * salt[i]) >> 27);
}

static int by_hash(const void *a, const void *b)
{
	uint64_t x = ((const struct dslot *)a)->h, y = ((const struct dslot *)b)->h;
	return (x > y) - (x < y);
}

/* Packs the table's entries into its first d->n slots in hash order. */
static void dsort(struct dupset *d)
{
	struct dslot *s = d->slot, *wrapped, t;
	size_t e = 0, j = 0, nw = 0, moves = 0;

	/* The cluster at slot 0 may hold entries whose home is near the
	 * end: they go last. */
	while (s[e].h)
		e++;
	wrapped = xmalloc((e + 1) * sizeof *wrapped);
	for (size_t i = 0; i < e; i++) {
		if ((size_t)(s[i].h >> d->shift) > i)
			wrapped[nw++] = s[i];
		else
			s[j++] = s[i];
	}
	for (size_t i = e; i < d->cap; i++)
		if (s[i].h)
			s[j++] = s[i];
	memcpy(s + j, wrapped, nw * sizeof *s);
	j += nw;
	free(wrapped);
	memset(s + j, 0, (d->cap - j) * sizeof *s);
	for (size_t i = 1; i < j; i++) {
		size_t k = i;
		t = s[i];
		for (; k > 0 && s[k - 1].h > t.h; k--)
			s[k] = s[k - 1];
		s[k] = t;
		if ((moves += i - k) > 8 * j) {   /* not near order after all */
			qsort(s, j, sizeof *s, by_hash);
			break;
		}
	}
}

static bool write_all(int fd, const void *p, size_t n, int64_t off)
{
	for (const char *c = p; n > 0;) {
		ssize_t w = pwrite(fd, c, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return false;
		}
		c += w, n -= (size_t)w, off += w;
	}
	return true;
}

/* Writes the full table out as a run and empties it; when that cannot be
 * done the table grows instead, and so on for the rest of the file. */
static void spill(struct dupset *d)
{
	struct drun r = {.off = d->end, .n = d->n};
	size_t bytes = d->n * sizeof *d->slot;
	bool ok = d->fd >= 0 || (d->fd = temp_fd()) >= 0;

	if (ok) {
		dsort(d);
		ok = write_all(d->fd, d->slot, bytes, d->end);
	}
	if (!ok) {
		log_msg(LOG_WARN, NULL, "import: the ids seen so far stay in memory (%s in %s: %s)",
			d->fd < 0 ? "no temporary file" : "cannot write a temporary file", temp_dir(), strerror(errno));
		d->in_memory = true;
		dgrow(d);
		return;
	}
	if (!d->filter) {
		d->blocks = d->filter_bytes / 32;
		d->filter = xcalloc(d->blocks, 32);
	}
	r.fence = xmalloc((r.n / DUP_FENCE + 1) * sizeof *r.fence);
	for (size_t i = 0; i < r.n; i++) {
		filter_add(d, d->slot[i].h);
		if (i % DUP_FENCE == 0)
			r.fence[i / DUP_FENCE] = d->slot[i].h;
	}
	d->run = xrealloc(d->run, (d->nrun + 1) * sizeof *d->run);
	d->run[d->nrun++] = r;
	d->end += (int64_t)bytes;
	memset(d->slot, 0, bytes);
	d->n = 0;
}

/* The row h was first seen at in the runs, 0 if none, -1 on a read error. */
static int64_t in_runs(const struct dupset *d, uint64_t h)
{
	struct dslot blk[DUP_FENCE];

	for (size_t i = 0; i < d->nrun; i++) {
		const struct drun *r = &d->run[i];
		size_t lo = 0, hi = (r->n + DUP_FENCE - 1) / DUP_FENCE, n;
		ssize_t got;

		if (r->fence[0] > h)
			continue;
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;
			if (r->fence[mid] <= h)
				lo = mid;
			else
				hi = mid;
		}
		n = r->n - lo * DUP_FENCE < DUP_FENCE ? r->n - lo * DUP_FENCE : DUP_FENCE;
		do
			got = pread(d->fd, blk, n * sizeof *blk, r->off + (int64_t)(lo * DUP_FENCE * sizeof *blk));
		while (got < 0 && errno == EINTR);
		if (got != (ssize_t)(n * sizeof *blk)) {
			if (got >= 0)
				errno = EIO;
			return -1;
		}
		for (lo = 0, hi = n; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			if (blk[mid].h < h)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && blk[lo].h == h)
			return blk[lo].row;
	}
	return 0;
}

int64_t dupset_add(struct dupset *d, const char *id, int64_t row)
{
	uint64_t h = hash64(id);
	size_t k = dslot(d, h);
	int64_t first;

	if (d->slot[k].h)
		return d->slot[k].row;
	if (d->nrun && filter_may(d, h) && (first = in_runs(d, h)) != 0)
		return first;
	if ((d->n + 1) * 10 > d->cap * 7) {
		if (d->cap < d->max || d->in_memory)
			dgrow(d);
		else
			spill(d);
		k = dslot(d, h);
	}
	d->slot[k].h = h;
	d->slot[k].row = row > UINT32_MAX ? UINT32_MAX : (uint32_t)row;   /* never 0: "new" */
	d->n++;
	return 0;
}
