/* fuzz-targetmap.c - libFuzzer target: mb-fire's --target-map file reader, on any bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("map", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		struct fire_opts opt = { 0 };
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		opt.ntargets = 2;
		snprintf(opt.targets[0].name, sizeof opt.targets[0].name, "127.0.0.1:1");
		snprintf(opt.targets[1].name, sizeof opt.targets[1].name, "[::1]:2");
		opt.map = calloc(FIRE_MAP_MAX, sizeof *opt.map);
		opt.nmap = 0;
		struct mb_err err;
		if (opt.map && fire_target_map_load(&opt, path, &err) == MB_OK && opt.nmap > FIRE_MAP_MAX)
			abort();
		free(opt.map);
	}
	close(fd);
	return 0;
}
