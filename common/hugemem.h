/* hugemem.h - zeroed tables for random access, on huge pages when they are large. */
#ifndef MB_HUGEMEM_H
#define MB_HUGEMEM_H

#include <stddef.h>

/* n zeroed elements of size bytes, freed with free(); NULL without memory. A table of 2 MiB or
   more is aligned to 2 MiB, asks for transparent huge pages (a random probe then rarely
   misses the TLB) and is written now, so all of it is resident from the start. */
void *mb_table_calloc(size_t n, size_t size);

#endif
