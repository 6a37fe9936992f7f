/* zipf_fit.c - weighted log-log least squares over the head of the rank-frequency curve. */
#include <math.h>

#include "zipf_fit.h"

int mb_zipf_fit(const uint64_t *c, size_t n, struct mb_zipf_fit *fit)
{
	size_t R = 0;
	while (R < n && c[R] >= MB_ZIPF_MIN_COUNT)
		R++;
	if (R < 3)
		return -1;
	double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
	for (size_t i = 0; i < R; i++) {
		double w = 1.0 / (double)(i + 1), x = log((double)(i + 1)), y = log((double)c[i]);
		sw += w;
		sx += w * x;
		sy += w * y;
		sxx += w * x * x;
		sxy += w * x * y;
		syy += w * y * y;
	}
	double vx = sxx - sx * sx / sw, vy = syy - sy * sy / sw, cxy = sxy - sx * sy / sw;
	if (vx <= 0)
		return -1;
	double slope = cxy / vx;
	fit->s = -slope;
	fit->r2 = vy > 0 ? cxy * cxy / (vx * vy) : 1;
	fit->ranks = R;
	return 0;
}
