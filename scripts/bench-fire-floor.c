/* bench-fire-floor.c - the send lateness an ideal sender gets on this machine: a thread that polls the clock for uniform deadlines and sends nothing.
 *
 * usage: bench-fire-floor RATE COUNT
 *
 * The peer of mb-fire's timing-fidelity figure. It waits for COUNT deadlines RATE per
 * second apart exactly as a replaying worker would if sending cost nothing: it polls
 * CLOCK_MONOTONIC and records, per deadline, how late the first clock reading at or after
 * it came. Whatever lateness it sees is the machine's (timer interrupts, other tasks, the
 * hypervisor descheduling the virtual CPU), so no replayer on the same machine at the same
 * moment can do better. It also counts the gaps between consecutive clock readings that
 * exceed 10 us: how often, and for how long in all, the polling thread did not run.
 *
 * One line on stdout:
 *   p50_us P90_us P99_us P999_us MAX_us GAPS_OVER_50US LOST_MS
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: bench-fire-floor RATE COUNT\n");
		return 2;
	}
	double rate = strtod(argv[1], NULL);
	uint64_t n = strtoull(argv[2], NULL, 10);
	if (!(rate > 0 && rate <= 1e8) || n == 0 || n > 100000000) {
		fprintf(stderr, "bench-fire-floor: RATE in (0, 1e8], COUNT in [1, 1e8]\n");
		return 2;
	}
	uint64_t *late = malloc(n * sizeof *late);
	if (!late) {
		fprintf(stderr, "bench-fire-floor: out of memory\n");
		return 1;
	}
	double gap_ns = 1e9 / rate;
	uint64_t start = mono_ns() + 10000000, prev = mono_ns(), gaps50 = 0, lost = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t due = start + (uint64_t)((double)i * gap_ns), t;
		do {
			t = mono_ns();
			if (t - prev > 10000) {
				lost += t - prev;
				gaps50 += t - prev > 50000;
			}
			prev = t;
		} while (t < due);
		late[i] = t - due;
	}
	qsort(late, n, sizeof *late, cmp_u64);
	printf("%.1f %.1f %.1f %.1f %.1f %" PRIu64 " %.1f\n", late[n / 2] / 1e3, late[n * 9 / 10] / 1e3,
	       late[n * 99 / 100] / 1e3, late[n * 999 / 1000] / 1e3, late[n - 1] / 1e3, gaps50, lost / 1e6);
	free(late);
	return 0;
}
