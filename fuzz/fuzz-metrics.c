/* fuzz-metrics.c - libFuzzer target: the --metrics responder's routing of a request head. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char req[MB_METRICS_REQ_MAX];
	size_t n = size < sizeof req - 1 ? size : sizeof req - 1;
	memcpy(req, data, n);
	req[n] = 0; /* as the responder holds it */
	bool head;
	int st = mb_metrics_route(req, n, &head);
	if (st != 200 && st != 400 && st != 404 && st != 405)
		__builtin_trap();
	return 0;
}
