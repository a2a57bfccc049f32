/*
 * What content is, from its first bytes (never from its name), and byte
 * ranges of an image.
 *
 *   kind          offset  bytes                         checked further
 *   squashfs      0       "hsqs"                        (libsquashfs, at open)
 *   squashfs BE   0       "sqsh"                        (not read: version 3 and older)
 *   ext2/3/4      1080    53 ef (0xEF53, little-endian) the super block: block size, counts,
 *                                                       groups, revision (tl__ext_super_ok)
 *   uImage        0       27 05 19 56                   header CRC-32
 *   FDT / FIT     0       d0 0d fe ed                   version >= 16, totalsize >= 40
 *   cpio          0       "070701" "070702" "070707"    the rest of the header is hex (octal)
 *   tar           257     "ustar"                       header checksum
 *   gzip          0       1f 8b 08                      flags < 0x20
 *   xz            0       fd "7zXZ" 00
 *   zstd          0       28 b5 2f fd
 *   bzip2         0       "BZh" [1-9] 31 41 59 26 53 59
 *   lz4 (frame)   0       04 22 4d 18
 *   lzma (alone)  0       5d 00 00, a power-of-two dictionary, a size of -1 or < 2^40
 *   ar            0       "!<arch>\n"
 *   zip           0       "PK" 03 04
 *
 * ext2/3/4 super block (little-endian, offsets from byte 1024 of the image):
 *   0 inodes_count, 4 blocks_count_lo, 20 first_data_block, 24 log_block_size
 *   (block size 1024 << it), 32 blocks_per_group, 40 inodes_per_group,
 *   56 magic, 76 rev_level, 96 feature_incompat (0x80: 64bit),
 *   336 blocks_count_hi (64bit only); plausible: block size up to 64 KiB,
 *   counts non-zero, per-group counts at most 8 x block size, the group
 *   descriptors (32 or 64 bytes per group) inside the bytes there
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "scan/scan_int.h"

tl_err tl__range_read(const tl__range *r, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;

	if (off > r->len || len > r->len - off)
		return tl__error(TL_EPARSE, "offset %llu: %zu bytes past the end of the image (%llu bytes)",
		                 (unsigned long long)off, len, (unsigned long long)r->len);
	if (r->fd < 0) {
		memcpy(buf, r->mem + r->off + off, len);
		return TL_OK;
	}
	off += r->off;
	while (len) {
		ssize_t n = pread(r->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return tl__error(TL_EIO, "offset %llu: %s", (unsigned long long)off, n < 0 ? strerror(errno) : "end of file");
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return TL_OK;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool tl__ext_super_ok(const uint8_t *p, uint64_t avail, uint64_t *size)
{
	uint32_t inodes = le32(p), first = le32(p + 20), log = le32(p + 24), bpg = le32(p + 32), ipg = le32(p + 40);
	uint32_t rev = le32(p + 76), incompat = le32(p + 96);
	uint64_t blocks = le32(p + 4), bs, groups, desc;

	if (p[56] != 0x53 || p[57] != 0xef || log > 6 || rev > 1 || inodes == 0)
		return false;
	bs = (uint64_t)1024 << log;
	if (incompat & 0x80)
		blocks |= (uint64_t)le32(p + 336) << 32;
	if (blocks == 0 || bpg == 0 || ipg == 0 || bpg > 8 * bs || ipg > 8 * bs || first >= blocks || first > 1)
		return false;
	/* the image may end before its last blocks (mke2fs leaves unused
	 * ones out of a file); its group descriptors, which libext2fs reads
	 * whole, must be there */
	groups = (blocks - first + bpg - 1) / bpg;
	desc = incompat & 0x80 ? 64 : 32;
	if (groups > avail / desc || groups * desc > avail - 2048 || (uint64_t)inodes > (uint64_t)ipg * groups)
		return false;
	if (size)
		*size = blocks > UINT64_MAX / bs ? UINT64_MAX : blocks * bs;
	return true;
}

static bool all_digits(const uint8_t *p, size_t n, bool hex)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		bool ok = hex ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') :
		                c >= '0' && c <= '7';
		if (!ok)
			return false;
	}
	return true;
}

static bool tar_sum_ok(const uint8_t *p)
{
	unsigned long want = 0, sum = 0;
	size_t i;

	for (i = 148; i < 156 && (p[i] == ' ' || p[i] == '\0'); i++)
		;
	for (; i < 156 && p[i] >= '0' && p[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(p[i] - '0');
	for (i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : p[i];
	return sum == want;
}

tl__kind tl__sniff(const uint8_t *p, size_t n)
{
	if (n >= 4 && !memcmp(p, "hsqs", 4))
		return TL__KIND_SQUASHFS;
	if (n >= 4 && !memcmp(p, "sqsh", 4))
		return TL__KIND_SQUASHFS_BE;
	if (n >= 4 && be32(p) == TL__UIMG_MAGIC && n >= TL__UIMG_HDR) {
		uint8_t h[TL__UIMG_HDR];
		memcpy(h, p, sizeof(h));
		memset(h + 4, 0, 4);
		if (tl__crc32(h, sizeof(h), 0) == be32(p + 4))
			return TL__KIND_UIMAGE;
	}
	if (n >= 40 && be32(p) == TL__FDT_MAGIC && be32(p + 20) >= 16 && be32(p + 4) >= 40)
		return TL__KIND_FDT;
	if (n >= 110 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6)) && all_digits(p + 6, 104, true))
		return TL__KIND_CPIO;
	if (n >= 76 && !memcmp(p, "070707", 6) && all_digits(p + 6, 70, false))
		return TL__KIND_CPIO;
	if (n >= 512 && !memcmp(p + 257, "ustar", 5) && tar_sum_ok(p))
		return TL__KIND_TAR;
	if (n >= 4 && p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 && p[3] < 0x20)
		return TL__KIND_GZIP;
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return TL__KIND_XZ;
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return TL__KIND_ZSTD;
	if (n >= 10 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9' && !memcmp(p + 4, "1AY&SY", 6))
		return TL__KIND_BZIP2;
	if (n >= 4 && !memcmp(p, "\x04\x22\x4d\x18", 4))
		return TL__KIND_LZ4;
	if (n >= 13 && p[0] == 0x5d && p[1] == 0 && p[2] == 0) {
		uint32_t dict = le32(p + 1);
		uint64_t size = le32(p + 5) | (uint64_t)le32(p + 9) << 32;
		if (dict >= 4096 && (dict & (dict - 1)) == 0 && (size == UINT64_MAX || size < ((uint64_t)1 << 40)))
			return TL__KIND_LZMA;
	}
	if (tl__lzop_magic(p, n))
		return TL__KIND_LZOP;
	if (n >= 8 && !memcmp(p, "!<arch>\n", 8))
		return TL__KIND_AR;
	if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return TL__KIND_ZIP;
	if (n >= 2048 && p[1080] == 0x53 && p[1081] == 0xef && tl__ext_super_ok(p + 1024, UINT64_MAX, NULL))
		return TL__KIND_EXT;
	return TL__KIND_NONE;
}

const char *tl__kind_name(tl__kind k)
{
	switch (k) {
	case TL__KIND_SQUASHFS: return "squashfs";
	case TL__KIND_SQUASHFS_BE: return "squashfs-be";
	case TL__KIND_EXT: return "ext";
	case TL__KIND_UIMAGE: return "uimage";
	case TL__KIND_FDT: return "fit";
	case TL__KIND_CPIO: return "cpio";
	case TL__KIND_TAR: return "tar";
	case TL__KIND_GZIP: return "gz";
	case TL__KIND_XZ: return "xz";
	case TL__KIND_ZSTD: return "zst";
	case TL__KIND_BZIP2: return "bz2";
	case TL__KIND_LZ4: return "lz4";
	case TL__KIND_LZMA: return "lzma";
	case TL__KIND_AR: return "ar";
	case TL__KIND_ZIP: return "zip";
	case TL__KIND_LZOP: return "lzo";
	default: return "data";
	}
}
