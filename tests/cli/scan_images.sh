#!/bin/bash
# trustline scan on images built here from one small real root file system
# (real Debian packages, apt-get download, with their dpkg status): ext2,
# ext4 (extents, inline data, a hard link, a sparse file), a tar.gz holding
# a squashfs, uImages (mkimage: a gzip cpio ramdisk, a squashfs file
# system, a multi-file image), FIT images (embedded and external data), and
# a blob of random bytes + a real binary + a squashfs at an odd offset.
# Each must give the directory's component set (paths compared without the
# nesting prefix "...!/").  Then hostile images: link loops and links out of
# the root in an ext4, a uImage with a bad CRC or a short file, a FIT with
# data past its end, a nesting bomb past --max-depth.
. "$(dirname "$0")/lib.sh"

for t in mkfs.ext4 mkimage dtc mksquashfs cpio lzop; do
	if ! command -v "$t" >/dev/null && ! [ -x "/usr/sbin/$t" ] && ! [ -x "/sbin/$t" ]; then
		echo "SKIP: $t not installed (deps/debian.txt)"; exit 77
	fi
done
export PATH=$PATH:/usr/sbin:/sbin
CACHE=${TL_SCAN_CACHE:-$(dirname "$TRUSTLINE")/scan-test-cache}
PKGS="bzip2 libbz2-1.0 zlib1g pigz busybox"
mkdir -p "$CACHE"
for p in $PKGS; do
	ls "$CACHE/${p}"_*.deb >/dev/null 2>&1 || (cd "$CACHE" && apt-get download "$p" >/dev/null 2>&1)
	if ! ls "$CACHE/${p}"_*.deb >/dev/null 2>&1; then
		echo "SKIP: cannot download $p (no network or apt sources)"; exit 77
	fi
done

R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/etc" "$R/usr/bin" "$R/usr/local/bin"
for p in bzip2 libbz2-1.0 zlib1g pigz; do
	deb=$(ls "$CACHE/${p}"_*.deb | head -1)
	dpkg-deb -x "$deb" "$R"
	{ dpkg-deb -f "$deb" Package Version Architecture Maintainer Source Depends Pre-Depends Provides
	  echo "Status: install ok installed"; echo; } >>"$R/var/lib/dpkg/status"
	dpkg-deb -c "$deb" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); sub(/^\./, ""); sub(/ -> .*/, ""); sub(/ link to .*/, ""); sub(/\/$/, ""); if ($0 != "") print }' \
		>"$R/var/lib/dpkg/info/$p.list"
done
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' >"$R/etc/os-release"
if [ -d "$R/bin" ]; then cp -a "$R/bin/." "$R/usr/bin/"; rm -rf "$R/bin"; fi
ln -s usr/bin "$R/bin"
# unowned ELF files: a copy, a hard link to it, and a sparse one (a hole of 3 MiB after the code)
cp "$R/usr/bin/pigz" "$R/usr/local/bin/mytool"
ln "$R/usr/local/bin/mytool" "$R/usr/local/bin/mytool-hard"
cp "$R/usr/bin/pigz" "$R/usr/local/bin/sparse-tool" && truncate -s 3M "$R/usr/local/bin/sparse-tool"
BB=$TMP/bb && mkdir -p "$BB" && dpkg-deb -x "$(ls "$CACHE"/busybox_*.deb | head -1)" "$BB"
KERNEL=$BB/bin/busybox   # a real binary standing in for a kernel in blobs
gzip -9 -c "$KERNEL" >"$TMP/kernel.gz"   # and, compressed, for the kernel of uImages and FIT images

# components as lines, without the nesting prefix: purl or name, file occurrences, per-file hashes, licences, edges
comps() {
	jq -r '[.components[] | [(.purl // .name), ((.evidence.occurrences // []) | map(.location) | sort | join(",")),
		((.properties // []) | map(select(.name | startswith("trustline:file:")) | .value) | sort | join(",")),
		((.licenses // []) | map(.expression // .license.id // "") | join(","))] | join(" ")] | sort | .[]' "$1"
	jq -r '.dependencies[] | select(.ref | startswith("firmware:") | not) | .ref + " -> " + ((.dependsOn // []) | sort | join(","))' "$1" | sort
}
strip_prefix() { sed -E 's,/([^ ,]*!/)+,/,g; s,file:/([^ ,]*!/)+,file:/,g'; }
same_as_dir() { # DESC JSON
	comps "$2" | strip_prefix >"$TMP/img.set"
	if cmp -s "$TMP/dir.set" "$TMP/img.set"; then ok; else
		not_ok "$1: components differ from the directory's"; diff "$TMP/dir.set" "$TMP/img.set" | head -8; fi
}

export SOURCE_DATE_EPOCH=1700000000
expect_exit 0 "scan the directory" "$TRUSTLINE" scan "$R" -o "$TMP/dir.json"
comps "$TMP/dir.json" >"$TMP/dir.set"
expect_grep "directory: 4 dpkg packages" 'components: 4 dpkg' "$TMP/err"

# ---- ext2/3/4 -----------------------------------------------------------
mkfs.ext4 -q -F -d "$R" "$TMP/root.ext4" 24M
mkfs.ext2 -q -F -d "$R" "$TMP/root.ext2" 24M
mkfs.ext4 -q -F -O inline_data -d "$R" "$TMP/root-inline.ext4" 24M
for img in root.ext4 root.ext2 root-inline.ext4; do
	expect_exit 0 "scan $img" "$TRUSTLINE" scan "$TMP/$img" -o "$TMP/$img.json"
	expect_grep "$img: read as ext" 'scanned ext \(ext[24]\)' "$TMP/err"
	comps "$TMP/$img.json" >"$TMP/$img.set"
	if cmp -s "$TMP/dir.set" "$TMP/$img.set"; then ok; else
		not_ok "$img: components differ from the directory's"; diff "$TMP/dir.set" "$TMP/$img.set" | head -5; fi
done
ajv_validate cyclonedx-1.6 "$TMP/root.ext4.json"
h=$(sha256sum "$R/usr/local/bin/sparse-tool" | cut -d' ' -f1)
expect_grep "sparse file read with its hole (sha256sum)" "\"$h\"" "$TMP/root.ext4.json"
h=$(sha256sum "$R/usr/local/bin/mytool" | cut -d' ' -f1)
jq -r '.components[] | select(.name == "/usr/local/bin/mytool-hard") | .hashes[0].content' "$TMP/root.ext4.json" >"$TMP/hl"
expect_grep "hard link: the same content" "^$h$" "$TMP/hl"
# an ext4 image inside a larger file, at an offset the blob search finds
{ head -c 70001 /dev/urandom; cat "$TMP/root.ext4"; head -c 5000 /dev/urandom; } >"$TMP/ext-in-blob.bin"
expect_exit 0 "ext4 at offset 70001 of a blob" "$TRUSTLINE" scan "$TMP/ext-in-blob.bin" -o "$TMP/eb.json"
expect_grep "blob region named by offset" '@0x11171\.ext' "$TMP/err"
same_as_dir "ext4 in a blob" "$TMP/eb.json"

# ---- nesting: a tar.gz holding a squashfs --------------------------------
mksquashfs "$R" "$TMP/rootfs.squashfs" -comp xz -noappend -no-progress >/dev/null
mkdir -p "$TMP/outer/images" && cp "$TMP/rootfs.squashfs" "$TMP/outer/images/"
tar -C "$TMP/outer" -czf "$TMP/outer.tar.gz" .
expect_exit 0 "tar.gz holding a squashfs" "$TRUSTLINE" scan "$TMP/outer.tar.gz" -o "$TMP/nest.json"
same_as_dir "tar.gz > squashfs" "$TMP/nest.json"
expect_grep "nested paths carry the image's path and !/" '"/images/rootfs.squashfs!/usr/bin/bzip2"' "$TMP/nest.json"
ajv_validate cyclonedx-1.6 "$TMP/nest.json"

# ---- gzip files inside a directory: archives opened, compressed text not --
# (most .gz files of a root file system are text; their heads decide it)
G=$TMP/gzdir && mkdir -p "$G/doc"
tar -C "$R" -czf "$G/rootfs.tar.gz" .
(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -9 >"$G/rootfs.cpio.gz"
seq 1 3000 | gzip -9 >"$G/doc/long.txt.gz"   # inflates past the 4 KiB head
echo "short text" | gzip -9 >"$G/doc/short.txt.gz"
expect_exit 0 "directory with a tar.gz, a cpio.gz and gzip text" "$TRUSTLINE" scan "$G" -o "$TMP/gzdir.json"
expect_grep "tar.gz in a directory opened" '"/rootfs.tar.gz!/usr/bin/bzip2"' "$TMP/gzdir.json"
expect_grep "cpio.gz in a directory opened" '"/rootfs.cpio.gz!/usr/bin/bzip2"' "$TMP/gzdir.json"
if grep -q 'txt\.gz!' "$TMP/gzdir.json" "$TMP/err"; then not_ok "gzip text opened as an image"; else ok; fi
# memory for nested images is bounded: reported, not silent
expect_exit 0 "--max-memory" "$TRUSTLINE" scan "$TMP/outer.tar.gz" --max-memory 100000 -o "$TMP/mm.json"
expect_grep "--max-memory reported on stderr" 'max-memory: /images/rootfs.squashfs' "$TMP/err"
expect_grep "--max-memory in the SBOM" 'trustline:scan:limit-reached' "$TMP/mm.json"

# ---- uImage ---------------------------------------------------------------
(cd "$R" && find . | cpio -o -H newc --quiet) | gzip -9 >"$TMP/root.cpio.gz"
mkimage -A x86_64 -O linux -T ramdisk -C gzip -n rootfs -d "$TMP/root.cpio.gz" "$TMP/uramdisk" >/dev/null
expect_exit 0 "uImage ramdisk (gzip cpio)" "$TRUSTLINE" scan "$TMP/uramdisk" -o "$TMP/ur.json"
expect_grep "uImage recognised" 'scanned uimage \(ramdisk\)' "$TMP/err"
same_as_dir "uImage ramdisk" "$TMP/ur.json"
mkimage -A arm -O linux -T filesystem -C none -n rootfs -d "$TMP/rootfs.squashfs" "$TMP/ufs" >/dev/null
expect_exit 0 "uImage filesystem (squashfs)" "$TRUSTLINE" scan "$TMP/ufs" -o "$TMP/ufs.json"
same_as_dir "uImage squashfs" "$TMP/ufs.json"
mkimage -A x86_64 -O linux -T multi -C none -n multi -d "$TMP/kernel.gz:$TMP/rootfs.squashfs" "$TMP/umulti" >/dev/null
expect_exit 0 "uImage multi (kernel + squashfs)" "$TRUSTLINE" scan "$TMP/umulti" -o "$TMP/um.json"
expect_grep "multi: both parts listed" 'scanned uimage \(0\.image, 1\.image\)' "$TMP/err"
same_as_dir "uImage multi" "$TMP/um.json"

# lzo payloads are lzop files (mkimage -C lzo only marks them): decoded with liblzo2
(cd "$R" && find . | cpio -o -H newc --quiet) | lzop -c >"$TMP/root.cpio.lzo"
mkimage -A arm -O linux -T ramdisk -C lzo -n rootfs -d "$TMP/root.cpio.lzo" "$TMP/uramdisk-lzo" >/dev/null
expect_exit 0 "uImage ramdisk (lzo cpio)" "$TRUSTLINE" scan "$TMP/uramdisk-lzo" -o "$TMP/url.json"
same_as_dir "uImage lzo ramdisk" "$TMP/url.json"
lzop -c "$TMP/rootfs.squashfs" >"$TMP/rootfs.squashfs.lzo"
mkimage -A arm -O linux -T filesystem -C lzo -n rootfs -d "$TMP/rootfs.squashfs.lzo" "$TMP/ufs-lzo" >/dev/null
expect_exit 0 "uImage filesystem (lzo squashfs)" "$TRUSTLINE" scan "$TMP/ufs-lzo" -o "$TMP/ufsl.json"
same_as_dir "uImage lzo squashfs" "$TMP/ufsl.json"
# a flipped byte in the lzo data: the block checksum fails, one line naming the offset
cp "$TMP/uramdisk-lzo" "$TMP/uramdisk-lzo-bad"
printf '\377\377\377\377' | dd of="$TMP/uramdisk-lzo-bad" bs=1 seek=$(($(stat -c %s "$TMP/uramdisk-lzo") / 2)) conv=notrunc 2>/dev/null
expect_exit 0 "uImage with corrupt lzo data: reported, not fatal" "$TRUSTLINE" scan "$TMP/uramdisk-lzo-bad" -o "$TMP/urlb.json"
expect_grep "corrupt lzo: the note names the lzop offset" 'ramdisk: not opened: .*lzop: offset [0-9]+: (corrupt LZO1X block|block Adler-32 mismatch)' "$TMP/err"

# ---- FIT --------------------------------------------------------------------
cat >"$TMP/fit.its" <<EOF
/dts-v1/;
/ {
	description = "trustline test FIT";
	#address-cells = <1>;
	images {
		kernel-1 {
			data = /incbin/("$TMP/kernel.gz");
			type = "kernel"; arch = "x86_64"; os = "linux"; compression = "gzip";
			load = <0x1000000>; entry = <0x1000000>;
		};
		ramdisk-1 {
			data = /incbin/("$TMP/root.cpio.gz");
			type = "ramdisk"; arch = "x86_64"; os = "linux"; compression = "gzip";
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { kernel = "kernel-1"; ramdisk = "ramdisk-1"; };
	};
};
EOF
mkimage -f "$TMP/fit.its" "$TMP/image.fit" >/dev/null
expect_exit 0 "FIT (embedded data)" "$TRUSTLINE" scan "$TMP/image.fit" -o "$TMP/fit.json"
expect_grep "FIT recognised" 'scanned fit \(images/kernel-1, images/ramdisk-1\)' "$TMP/err"
same_as_dir "FIT embedded" "$TMP/fit.json"
mkimage -E -f "$TMP/fit.its" "$TMP/image-ext.fit" >/dev/null
expect_exit 0 "FIT (external data)" "$TRUSTLINE" scan "$TMP/image-ext.fit" -o "$TMP/fite.json"
same_as_dir "FIT external" "$TMP/fite.json"

# ---- a blob: random header + a real binary + a squashfs at an odd offset ----
{ head -c 4099 /dev/urandom; cat "$KERNEL"; head -c 333 /dev/urandom; cat "$TMP/rootfs.squashfs"; head -c 777 /dev/urandom; } >"$TMP/firmware.bin"
expect_exit 0 "blob with a squashfs at an odd offset" "$TRUSTLINE" scan "$TMP/firmware.bin" -o "$TMP/blob.json"
off=$((4099 + $(stat -c %s "$KERNEL") + 333))
expect_grep "squashfs found at its offset" "$(printf '@0x%x.squashfs' "$off")" "$TMP/err"
same_as_dir "blob > squashfs" "$TMP/blob.json"
# a blob holding a uImage that holds a gzip cpio
{ head -c 1001 /dev/urandom; cat "$TMP/uramdisk"; head -c 99 /dev/urandom; } >"$TMP/fw2.bin"
expect_exit 0 "blob > uImage > cpio.gz" "$TRUSTLINE" scan "$TMP/fw2.bin" -o "$TMP/blob2.json"
same_as_dir "blob > uImage > cpio.gz" "$TMP/blob2.json"
expect_grep "paths show each level" '"/@0x3e9\.uimage!/ramdisk!/usr/bin/bzip2"' "$TMP/blob2.json"

# a blob holding a gzip cpio (an initramfs) at an odd offset after a real binary
{ head -c 517 /dev/urandom; cat "$KERNEL"; cat "$TMP/root.cpio.gz"; head -c 4096 /dev/zero; } >"$TMP/fw3.bin"
expect_exit 0 "blob > cpio.gz" "$TRUSTLINE" scan "$TMP/fw3.bin" -o "$TMP/blob3.json"
expect_grep "gzip stream found by its magic" "$(printf '@0x%x.gz' $((517 + $(stat -c %s "$KERNEL"))))" "$TMP/err"
same_as_dir "blob > cpio.gz" "$TMP/blob3.json"

# ---- package archives: opened as the target, not inside an image ------------
PIGZ=$(ls "$CACHE"/pigz_*.deb | head -1)
expect_exit 0 "a .deb as the target" "$TRUSTLINE" scan "$PIGZ" -o "$TMP/deb.json"
expect_grep ".deb: its data.tar.xz opened" '"/data.tar.xz!/usr/bin/pigz"' "$TMP/deb.json"
mkdir -p "$TMP/cache/var/cache/apt/archives" && cp "$PIGZ" "$TMP/cache/var/cache/apt/archives/"
tar -C "$TMP/cache" -cf "$TMP/cache.tar" .
expect_exit 0 "a tar holding a .deb" "$TRUSTLINE" scan "$TMP/cache.tar" -o "$TMP/cache.json"
if grep -q '!/' "$TMP/cache.json"; then not_ok "a .deb inside an image was opened"; else ok; fi

# ---- hostile ------------------------------------------------------------------
H=$TMP/hostile && mkdir -p "$H/etc" "$H/usr/lib" "$H/d"
printf 'ID=insideimage\nVERSION_ID=7\n' >"$H/usr/lib/os-release"
ln -s ../../../../../../../../usr/lib/os-release "$H/etc/os-release"   # climbs out of the root: stays inside
ln -s loop-b "$H/loop-a" && ln -s loop-a "$H/loop-b"                   # a loop
ln -s /d/x/../../d "$H/d/x"                                            # a directory loop through a link
ln -s /etc/shadow "$H/abs"
mkfs.ext4 -q -F -d "$H" "$TMP/hostile.ext4" 4M
expect_exit 0 "ext4 with link loops and links out of the root" "$TRUSTLINE" scan "$TMP/hostile.ext4" -o "$TMP/h.json"
expect_grep "a link above the root resolves inside the image" 'distribution insideimage-7' "$TMP/err"
# a directory entry that names an ancestor (debugfs link): a loop, walked once and reported
mkdir -p "$TMP/dl/d/e" && echo x >"$TMP/dl/d/e/f"
mkfs.ext4 -q -F -d "$TMP/dl" "$TMP/dirloop.ext4" 4M && debugfs -w -R "link /d /d/e/up" "$TMP/dirloop.ext4" >/dev/null 2>&1
expect_exit 0 "ext4 with a directory loop" "$TRUSTLINE" scan "$TMP/dirloop.ext4" -o "$TMP/dl.json"
expect_grep "directory loop reported" '/d/e/up: directory inode [0-9]+ met again \(a loop\)' "$TMP/err"
# uImage with a bad header CRC: not followed, said so (the squashfs inside is still found by its magic)
cp "$TMP/ufs" "$TMP/ufs-badcrc" && printf 'X' | dd of="$TMP/ufs-badcrc" bs=1 seek=40 conv=notrunc 2>/dev/null
expect_exit 0 "uImage with a bad header CRC" "$TRUSTLINE" -v scan "$TMP/ufs-badcrc" -o "$TMP/bc.json"
expect_grep "bad CRC reported" 'uImage not followed: .*header CRC mismatch' "$TMP/err"
# uImage whose data size is larger than the file
head -c 100000 "$TMP/ufs" >"$TMP/ufs-short"
expect_exit 2 "uImage shorter than its size" "$TRUSTLINE" scan "$TMP/ufs-short" -o "$TMP/x.json"
expect_one_line "short uImage: one line" "$TMP/err"
expect_grep "short uImage: the size is named" 'data size [0-9]+ larger than' "$TMP/err"
# FIT whose external data lies past the end of the file
head -c $(( $(stat -c %s "$TMP/image-ext.fit") - 5000 )) "$TMP/image-ext.fit" >"$TMP/fit-short"
expect_exit 2 "FIT with data-offset out of range" "$TRUSTLINE" scan "$TMP/fit-short" -o "$TMP/x.json"
expect_grep "FIT: data past the end named" 'external data at [0-9]+ .* past the' "$TMP/err"
# a nesting bomb: tar in tar in tar ... 7 levels, default --max-depth 4
cp "$TMP/root.cpio.gz" "$TMP/l0"
for i in 1 2 3 4 5 6 7; do mkdir -p "$TMP/b$i" && mv "$TMP/l$((i - 1))" "$TMP/b$i/l$((i - 1))" && tar -C "$TMP/b$i" -cf "$TMP/l$i" . ; done
expect_exit 0 "nesting bomb" "$TRUSTLINE" scan "$TMP/l7" -o "$TMP/bomb.json"
expect_grep "--max-depth reported" 'max-depth: /l6!/l5!/l4!/l3!/l2 \(tar\) not opened' "$TMP/err"
expect_grep "--max-depth in the SBOM" 'trustline:scan:limit-reached' "$TMP/bomb.json"
expect_exit 0 "--max-depth 8 opens every level" "$TRUSTLINE" scan "$TMP/l7" --max-depth 8 -o "$TMP/bomb8.json"
same_as_dir "bomb at depth 8" "$TMP/bomb8.json"
# a random file: no image found, one line, exit 2
head -c 300000 /dev/urandom >"$TMP/noise.bin"
expect_exit 2 "random bytes" "$TRUSTLINE" scan "$TMP/noise.bin"
expect_one_line "random bytes: one line" "$TMP/err"
finish
