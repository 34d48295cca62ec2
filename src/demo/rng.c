/*
 * rng.c — the demo's random numbers (xoshiro256** seeded by splitmix64),
 * weighted lists and civil dates. Integer and IEEE arithmetic only, so the
 * same seed gives the same numbers on any machine.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "demo/demo_int.h"
#include "base/banned.h"

static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed * 0xd1342543de82ef95ULL + stream;

	x = splitmix(&x) ^ stream;
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

uint32_t rng_below(struct rng *r, uint32_t n)
{
	return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int rng_range(struct rng *r, int lo, int hi)
{
	return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

bool rng_chance(struct rng *r, double p)
{
	return rng_unit(r) < p;
}

double rng_normal(struct rng *r)
{
	double s = 0;

	for (int i = 0; i < 12; i++)
		s += rng_unit(r);
	return s - 6.0;
}

int rng_weighted(struct rng *r, const uint16_t *w, int n)
{
	uint32_t total = 0, x;
	int i;

	for (i = 0; i < n; i++)
		total += w[i];
	x = rng_below(r, total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

double clamp01(double x)
{
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

void wlist_init(struct wlist *l, const struct wname *v, size_t n)
{
	uint32_t sum = 0;

	l->v = v;
	l->n = (uint32_t)n;
	l->cum = n ? xmalloc(n * sizeof *l->cum) : NULL;
	for (size_t i = 0; i < n; i++) {
		sum += v[i].w ? v[i].w : 1;
		l->cum[i] = sum;
	}
}

void wlist_release(struct wlist *l)
{
	free(l->cum);
	memset(l, 0, sizeof *l);
}

const struct wname *wlist_pick(const struct wlist *l, struct rng *r)
{
	uint32_t x, lo = 0, hi;

	if (!l->n)
		BUG("picking from an empty name list");
	x = rng_below(r, l->cum[l->n - 1]);
	hi = l->n - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (x < l->cum[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return &l->v[lo];
}

const struct wname *wname_pick(struct rng *r, const struct wname *v, size_t n)
{
	uint32_t total = 0, x;
	size_t i;

	for (i = 0; i < n; i++)
		total += v[i].w;
	x = rng_below(r, total);
	for (i = 0; i + 1 < n; i++) {
		if (x < v[i].w)
			break;
		x -= v[i].w;
	}
	return &v[i];
}

/* Howard Hinnant's days_from_civil and civil_from_days. */
int32_t days_from_ymd(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

void ymd_from_days(int32_t days, int *y, int *m, int *d)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = (int)(z - era * 146097);
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;

	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

void date_text(int32_t days, char out[11])
{
	int y, m, d;

	ymd_from_days(days, &y, &m, &d);
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}
