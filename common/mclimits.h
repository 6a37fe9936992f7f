/* mclimits.h - memcached protocol limits, defined once for the decoders, the request builder and the generators. */
#ifndef MB_MCLIMITS_H
#define MB_MCLIMITS_H

#define MB_MC_KEY_MAX 250             /* memcached's key limit (KEY_MAX_LENGTH) */
#define MB_MC_VALUE_MAX (1u << 30)    /* largest value memcached can be configured for (-I 1024m) */
#define MB_MC_ITEM_DEFAULT (1u << 20) /* memcached's default item size limit (-I 1m) */
#define MB_MC_LINE_MAX 8192           /* longest text/meta line read, request or response (memcached
					 reads 2048 but takes longer multi-get lines) */
#define MB_MC_OPAQUE_MAX 32           /* meta O token bytes (memcached's opaque limit) */
#define MB_MC_BIN_HDR 24              /* binary protocol header bytes */
#define MB_MC_TTL_RELATIVE_MAX 2592000 /* exptimes up to 30 days are relative seconds, larger ones unix times */

#endif
