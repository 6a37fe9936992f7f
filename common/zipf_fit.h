/* zipf_fit.h - fit a Zipf exponent to a rank-frequency curve (weighted least squares on log-log). */
#ifndef MB_ZIPF_FIT_H
#define MB_ZIPF_FIT_H

#include <stddef.h>
#include <stdint.h>

#define MB_ZIPF_MIN_COUNT 10 /* ranks whose count is below this are left out of the fit */

/* Result: count(rank) ~ C * rank^-s over ranks 1..ranks; r2 is the weighted R^2 of the line. */
struct mb_zipf_fit {
	double s;
	double r2;
	size_t ranks;
};

/*
 * Fit counts sorted from the largest (rank 1) down: log(count) = a - s log(rank) by
 * least squares over the head ranks 1..R whose counts are all >= MB_ZIPF_MIN_COUNT,
 * each rank weighted 1/rank so every decade of ranks weighs the same (the many tail
 * ranks would otherwise drown the head). Returns 0, or -1 (fit untouched) when fewer
 * than 3 ranks qualify.
 */
int mb_zipf_fit(const uint64_t *desc_counts, size_t n, struct mb_zipf_fit *fit);

#endif
