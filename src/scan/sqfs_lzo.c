/*
 * LZO decompression for squashfs images.
 *
 * Debian's libsquashfs is built without LZO (compression id 3), which
 * mksquashfs -comp lzo and many vendor firmware images use.  This is a
 * libsquashfs compressor object that only uncompresses, through liblzo2's
 * bounds-checked LZO1X decoder: every LZO variant mksquashfs writes
 * (lzo1x_1, lzo1x_1_11, lzo1x_1_12, lzo1x_1_15, lzo1x_999) is LZO1X on the
 * wire, and the kernel's squashfs reads them all with
 * lzo1x_decompress_safe.  The compressor options block, when present, only
 * names the algorithm and level used to compress, so it is not read.
 */
#include <stdlib.h>
#include <string.h>

#include <lzo/lzo1x.h>
#include <sqfs/compressor.h>
#include <sqfs/error.h>

#include "scan_int.h"

typedef struct {
	sqfs_compressor_t base;
	sqfs_compressor_config_t cfg;
} lzo_cmp;

static void lzo_get_configuration(const sqfs_compressor_t *base, sqfs_compressor_config_t *cfg)
{
	*cfg = ((const lzo_cmp *)base)->cfg;
}

static int lzo_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return SQFS_ERROR_UNSUPPORTED;
}

static int lzo_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
	(void)base;
	(void)file;
	return 0;
}

static sqfs_s32 lzo_do_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                             sqfs_u32 outsize)
{
	lzo_uint len = outsize;
	int r;

	(void)base;
	if (outsize > 0x7fffffffu)
		return SQFS_ERROR_CORRUPTED;
	r = lzo1x_decompress_safe(in, size, out, &len, NULL);
	if (r == LZO_E_OUTPUT_OVERRUN)
		return 0;
	if (r != LZO_E_OK || len > outsize)
		return SQFS_ERROR_CORRUPTED;
	return (sqfs_s32)len;
}

static void lzo_destroy(sqfs_object_t *obj)
{
	free(obj);
}

static sqfs_object_t *lzo_copy(const sqfs_object_t *obj)
{
	lzo_cmp *c = malloc(sizeof(*c));

	if (c)
		memcpy(c, obj, sizeof(*c));
	return (sqfs_object_t *)c;
}

int tl__sqfs_compressor_create(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **out)
{
	lzo_cmp *c;

	*out = NULL;
	if (cfg->id != SQFS_COMP_LZO)
		return sqfs_compressor_create(cfg, out);
	if (!(cfg->flags & SQFS_COMP_FLAG_UNCOMPRESS) || lzo_init() != LZO_E_OK)
		return SQFS_ERROR_UNSUPPORTED;
	if (!(c = calloc(1, sizeof(*c))))
		return SQFS_ERROR_ALLOC;
	c->cfg = *cfg;
	c->base.base.destroy = lzo_destroy;
	c->base.base.copy = lzo_copy;
	c->base.get_configuration = lzo_get_configuration;
	c->base.write_options = lzo_write_options;
	c->base.read_options = lzo_read_options;
	c->base.do_block = lzo_do_block;
	*out = &c->base;
	return 0;
}
