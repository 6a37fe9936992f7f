/* header_meta.c - header metadata: setting, getting, and the one encoder and checked decoder of its byte block. */
#include <string.h>

#include "bytes.h"
#include "header_meta.h"
#include "stream.h"

bool mb_name_ok(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '=')
			return false;
	return true;
}

void mb_info_init(struct mb_stream_info *info, unsigned kind)
{
	info->version = MB_STREAM_VERSION;
	info->kind = (uint16_t)kind;
	info->nmeta = 0;
}

int mb_info_set(struct mb_stream_info *info, const char *key, const char *val)
{
	size_t kl = strlen(key), vl = strlen(val);
	if (kl == 0 || kl > MB_META_KEY_MAX || vl > MB_META_VAL_MAX || !mb_name_ok((const uint8_t *)key, kl))
		return MB_ERR;
	for (unsigned i = 0; i < info->nmeta; i++) {
		if (strcmp(info->meta[i].key, key) == 0) {
			memcpy(info->meta[i].val, val, vl + 1);
			return MB_OK;
		}
	}
	if (info->nmeta >= MB_META_MAX_ENTRIES)
		return MB_ERR;
	memcpy(info->meta[info->nmeta].key, key, kl + 1);
	memcpy(info->meta[info->nmeta].val, val, vl + 1);
	info->nmeta++;
	return MB_OK;
}

int mb_info_set_source(struct mb_stream_info *info, const char *path)
{
	const char *slash = strrchr(path, '/');
	return mb_info_set(info, "source", slash && slash[1] ? slash + 1 : path);
}

const char *mb_info_get(const struct mb_stream_info *info, const char *key)
{
	for (unsigned i = 0; i < info->nmeta; i++)
		if (strcmp(info->meta[i].key, key) == 0)
			return info->meta[i].val;
	return NULL;
}

int mb_info_add_program(struct mb_stream_info *info, const char *prog)
{
	const char *old = mb_info_get(info, "program");
	char chain[MB_META_VAL_MAX + 1];
	if (!old || !*old)
		return mb_info_set(info, "program", prog);
	size_t ol = strlen(old), pl = strlen(prog);
	if (ol + 1 + pl > MB_META_VAL_MAX)
		return MB_ERR;
	memcpy(chain, old, ol);
	chain[ol] = ',';
	memcpy(chain + ol + 1, prog, pl + 1);
	return mb_info_set(info, "program", chain);
}

size_t mb_meta_encode(const struct mb_stream_info *info, uint8_t *q)
{
	size_t n = 0;
	for (unsigned i = 0; i < info->nmeta; i++) {
		size_t kl = strlen(info->meta[i].key), vl = strlen(info->meta[i].val);
		if (q) {
			q[n] = (uint8_t)kl;
			memcpy(q + n + 1, info->meta[i].key, kl);
			mb_st_le16(q + n + 1 + kl, (uint16_t)vl);
			memcpy(q + n + 3 + kl, info->meta[i].val, vl);
		}
		n += 3 + kl + vl;
	}
	return n;
}

int mb_meta_decode(const uint8_t *p, size_t len, struct mb_stream_info *info, size_t *bad, struct mb_err *err)
{
	struct mb_cur c = mb_cur_make(p, len);
	while (mb_cur_left(&c)) {
		*bad = c.off;
		uint8_t kl = mb_get_u8(&c);
		const uint8_t *k = mb_get_bytes(&c, kl);
		uint16_t vl = mb_get_le16(&c);
		const uint8_t *v = mb_get_bytes(&c, vl);
		if (c.bad)
			return mb_err_set(err, MB_ERR, "metadata entry runs past the metadata block");
		if (kl == 0 || kl > MB_META_KEY_MAX || !mb_name_ok(k, kl))
			return mb_err_set(err, MB_ERR, "metadata key is not a name of 1-%u printable characters without '='",
					  MB_META_KEY_MAX);
		if (vl > MB_META_VAL_MAX || memchr(v, 0, vl))
			return mb_err_set(err, MB_ERR, "metadata value longer than %u bytes or holding a NUL byte", MB_META_VAL_MAX);
		if (info->nmeta >= MB_META_MAX_ENTRIES)
			return mb_err_set(err, MB_ERR, "more than %u metadata entries", MB_META_MAX_ENTRIES);
		struct mb_meta *m = &info->meta[info->nmeta];
		memcpy(m->key, k, kl);
		m->key[kl] = 0;
		if (mb_info_get(info, m->key))
			return mb_err_set(err, MB_ERR, "metadata key '%s' appears twice", m->key);
		memcpy(m->val, v, vl);
		m->val[vl] = 0;
		info->nmeta++;
	}
	return MB_OK;
}
