/* rng.c - xoshiro256** generator, exponential and Zipf (rejection-inversion) sampling. */
#include <math.h>

#include "rng.h"

void mb_rng_seed(struct mb_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed = mb_mix64(seed);
		r->s[i] = seed;
	}
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t mb_rng_next(struct mb_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

double mb_rng_unit(struct mb_rng *r) { return (double)(mb_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t mb_rng_range(struct mb_rng *r, uint64_t lo, uint64_t hi)
{
	if (hi <= lo)
		return lo;
	uint64_t span = hi - lo + 1;
	return span ? lo + mb_rng_next(r) % span : mb_rng_next(r);
}

double mb_rng_exp(struct mb_rng *r, double mean) { return -mean * log1p(-mb_rng_unit(r)); }

/* log1p(x)/x, continuous at 0. */
static double helper1(double x) { return fabs(x) > 1e-8 ? log1p(x) / x : 1 - x / 2 + x * x / 3; }
/* expm1(x)/x, continuous at 0. */
static double helper2(double x) { return fabs(x) > 1e-8 ? expm1(x) / x : 1 + x / 2 + x * x / 6; }

static double h_int(const struct mb_zipf *z, double x)
{
	double lx = log(x);
	return helper2((1 - z->s) * lx) * lx;
}

static double h(const struct mb_zipf *z, double x) { return exp(-z->s * log(x)); }

static double h_int_inv(const struct mb_zipf *z, double x)
{
	double t = x * (1 - z->s);
	if (t < -1)
		t = -1;
	return exp(helper1(t) * x);
}

void mb_zipf_init(struct mb_zipf *z, uint64_t n, double s)
{
	z->n = n ? n : 1;
	z->s = s;
	z->h_x1 = h_int(z, 1.5) - 1;
	z->h_n = h_int(z, (double)z->n + 0.5);
	z->cut = 2 - h_int_inv(z, h_int(z, 2.5) - h(z, 2));
}

uint64_t mb_zipf_next(const struct mb_zipf *z, struct mb_rng *r)
{
	if (z->s <= 0)
		return mb_rng_range(r, 1, z->n);
	for (;;) {
		double u = z->h_n + mb_rng_unit(r) * (z->h_x1 - z->h_n);
		double x = h_int_inv(z, u);
		double kd = floor(x + 0.5);
		if (kd < 1)
			kd = 1;
		else if (kd > (double)z->n)
			kd = (double)z->n;
		if (kd - x <= z->cut || u >= h_int(z, kd + 0.5) - h(z, kd))
			return (uint64_t)kd;
	}
}
