/* fuzz-pcapfile.c - libFuzzer target: common/pcapfile over arbitrary bytes (pcap and pcapng, any byte order). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcapfile.h"

/*
 * The input is the file. It goes through a memory file (memfd) so the reader sees
 * it exactly as it would see a capture file: short reads at the end, any length.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static struct mb_reader r;
	struct mb_err err;
	if (fd < 0 && ((fd = memfd_create("fuzz-pcapfile", 0)) < 0 || mb_reader_attach(&r, fd, "fuzz", &err) != MB_OK))
		abort();
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size) || lseek(fd, 0, SEEK_SET) != 0)
		abort();
	/* Re-arm the one reader (what mb_reader_attach does, without a 4 MiB allocation per input). */
	r.start = r.end = 0;
	r.base = 0;
	r.eof = false;
	long got = mb_reader_fill(&r, 8, &err);
	if (got < 0)
		abort();
	r.input = mb_input_sniff(mb_reader_peek(&r), (size_t)got);
	struct mb_pcapfile *pf = NULL;
	if (mb_pcapfile_open(&pf, &r, &err) == MB_OK) {
		(void)mb_pcapfile_linktype(pf);
		(void)mb_pcapfile_snaplen(pf);
		struct mb_packet p;
		uint64_t total = 0;
		int rc;
		while ((rc = mb_pcapfile_next(pf, &p, &err)) == MB_OK) {
			/* every byte claimed must be readable, and the claims must be consistent */
			if (p.caplen > MB_PACKET_MAX || p.wirelen < p.caplen || p.elided)
				abort();
			volatile uint8_t x = 0;
			for (uint32_t i = 0; i < p.caplen; i++)
				x ^= p.data[i];
			(void)x;
			total += p.caplen;
			if (total > size)
				abort(); /* packets are disjoint pieces of the input */
		}
		if (rc == MB_ERR && !strstr(err.msg, "at byte"))
			abort(); /* every data error names its offset */
		(void)mb_pcapfile_big_endian(pf);
		mb_pcapfile_close(pf);
	}
	return 0;
}
