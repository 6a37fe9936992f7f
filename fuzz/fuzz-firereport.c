/* fuzz-firereport.c - libFuzzer target: the JSON reader and mb-fire's report reader (--merge), on any bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fire.h"
#include "jsonread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_jr d;
	struct mb_err err;
	if (mb_jr_parse(&d, (const char *)data, size, 1u << 16, "fuzz", &err) == MB_OK) {
		char s[64];
		uint64_t u;
		double x;
		bool b;
		for (uint32_t i = 0; i < d.n; i++) {
			if (d.v[i].off > size || d.v[i].len > size - d.v[i].off)
				abort();
			mb_jr_u64(&d, i, &u);
			mb_jr_double(&d, i, &x);
			mb_jr_bool(&d, i, &b);
			mb_jr_str(&d, i, s, sizeof s);
			mb_jr_get(&d, i, "ops");
		}
	}
	mb_jr_free(&d);
	int fd = memfd_create("report", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		const char *files[2] = { path, path };
		fire_run_free(fire_report_load(files, 2, &err));
	}
	close(fd);
	return 0;
}
