/* hll.c - HyperLogLog estimate with the small-range (linear counting) correction. */
#include <math.h>
#include <string.h>

#include "hll.h"

void mb_hll_init(struct mb_hll *h) { memset(h->reg, 0, sizeof h->reg); }

double mb_hll_estimate(const struct mb_hll *h)
{
	const double m = MB_HLL_M;
	double sum = 0;
	unsigned zeros = 0;
	for (unsigned i = 0; i < MB_HLL_M; i++) {
		sum += ldexp(1.0, -(int)h->reg[i]);
		zeros += h->reg[i] == 0;
	}
	double alpha = 0.7213 / (1 + 1.079 / m);
	double e = alpha * m * m / sum;
	if (e <= 2.5 * m && zeros)
		e = m * log(m / zeros);
	return e;
}
