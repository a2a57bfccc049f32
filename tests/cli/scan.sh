#!/bin/bash
# trustline scan end to end, on a small real root file system made here from
# real Debian packages (apt-get download, cached next to the build), with a
# dpkg status file and info/*.list files written from the packages' own
# control data, usr merged (/bin -> usr/bin) and one ELF file no package
# owns.  The same tree is scanned as a directory, tar.gz, tar.zst, tar.xz,
# cpio and squashfs: the component sets must be exactly equal.
. "$(dirname "$0")/lib.sh"

CACHE=${TL_SCAN_CACHE:-$(dirname "$TRUSTLINE")/scan-test-cache}
PKGS="bzip2 libbz2-1.0 zlib1g pigz"
mkdir -p "$CACHE"
for p in $PKGS; do
	if ! ls "$CACHE/${p}"_*.deb >/dev/null 2>&1; then
		(cd "$CACHE" && apt-get download "$p" >/dev/null 2>&1)
	fi
done
for p in $PKGS; do
	if ! ls "$CACHE/${p}"_*.deb >/dev/null 2>&1; then
		echo "SKIP: cannot download $p (no network or apt sources); scan test needs real packages"
		exit 77
	fi
done

R=$TMP/root
mkdir -p "$R/var/lib/dpkg/info" "$R/etc" "$R/usr/bin" "$R/usr/local/bin"
: >"$R/var/lib/dpkg/status"
: >"$TMP/truth.tsv"
for deb in "$CACHE"/*.deb; do
	name=$(dpkg-deb -f "$deb" Package)
	case " $PKGS " in *" $name "*) ;; *) continue ;; esac
	dpkg-deb -x "$deb" "$R"
	{ dpkg-deb -f "$deb" Package Version Architecture Maintainer Source Depends Pre-Depends Provides Multi-Arch
	  echo "Status: install ok installed"; echo; } >>"$TMP/status.raw"
	dpkg-deb -c "$deb" | awk '{ $1=$2=$3=$4=$5=""; sub(/^ +/, ""); sub(/^\./, ""); sub(/ -> .*/, ""); sub(/ link to .*/, ""); sub(/\/$/, ""); if ($0 != "") print }' \
		>"$R/var/lib/dpkg/info/$name.list"
	printf '%s\t%s\t%s\n' "$name" "$(dpkg-deb -f "$deb" Version)" "$(dpkg-deb -f "$deb" Architecture)" >>"$TMP/truth.tsv"
done
# dpkg writes Status second; order does not matter to the parser, but keep it honest
cp "$TMP/status.raw" "$R/var/lib/dpkg/status"
# one package that is not installed any more: must not be reported
printf 'Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\nArchitecture: amd64\n\n' >>"$R/var/lib/dpkg/status"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' \
	>"$R/etc/os-release"
# usr merge: bin is a link, as on a merged-/usr system; dpkg still lists /bin/bzip2
if [ -d "$R/bin" ]; then cp -a "$R/bin/." "$R/usr/bin/"; rm -rf "$R/bin"; fi
ln -s usr/bin "$R/bin"
# an ELF file no package owns
cp "$R/usr/bin/pigz" "$R/usr/local/bin/mytool"
sort -o "$TMP/truth.tsv" "$TMP/truth.tsv"

# images of the same tree
tar -C "$R" --numeric-owner -czf "$TMP/root.tar.gz" .
tar -C "$R" --numeric-owner -cJf "$TMP/root.tar.xz" .
IMAGES="$TMP/root.tar.gz $TMP/root.tar.xz"
if command -v zstd >/dev/null; then tar -C "$R" --numeric-owner --zstd -cf "$TMP/root.tzst" . && IMAGES="$IMAGES $TMP/root.tzst"; fi
if command -v cpio >/dev/null; then
	(cd "$R" && find . | cpio -o -H newc --quiet >"$TMP/root.cpio") && IMAGES="$IMAGES $TMP/root.cpio"
	(cd "$R" && find . | cpio -o -H odc --quiet >"$TMP/root-odc.cpio") && IMAGES="$IMAGES $TMP/root-odc.cpio"
	(cd "$R" && find . | cpio -o -H crc --quiet | gzip -1 >"$TMP/root-crc.cpio.gz") && IMAGES="$IMAGES $TMP/root-crc.cpio.gz"
fi
if command -v mksquashfs >/dev/null; then
	mksquashfs "$R" "$TMP/root.sqfs" -comp gzip -noappend -no-progress >/dev/null && IMAGES="$IMAGES $TMP/root.sqfs"
	mksquashfs "$R" "$TMP/root-xz.img" -comp xz -noappend -no-progress >/dev/null && IMAGES="$IMAGES $TMP/root-xz.img"
	# lzo: Debian's libsquashfs has no LZO, trustline decodes it with liblzo2
	for c in lzo lz4 zstd; do
		mksquashfs "$R" "$TMP/root-$c.sqfs" -comp "$c" -noappend -no-progress >/dev/null ||
			{ not_ok "mksquashfs -comp $c failed"; continue; }
		IMAGES="$IMAGES $TMP/root-$c.sqfs"
	done
else
	echo "note: mksquashfs not installed (squashfs-tools); squashfs not checked"
fi

# components as comparable lines: purl or name, hashes, file occurrences, licence, dependencies
comps() {
	jq -r '[.components[] | [(.purl // .name), ((.hashes // []) | map(.content) | join(",")),
		((.evidence.occurrences // []) | map(.location) | sort | join(",")),
		((.licenses // []) | map(.expression // .license.id // "") | join(","))] | join(" ")] | sort | .[]' "$1"
	jq -r '.dependencies[] | select(.ref | startswith("firmware:") | not) | .ref + " -> " + ((.dependsOn // []) | sort | join(","))' "$1" | sort
}

export SOURCE_DATE_EPOCH=1700000000
expect_exit 0 "scan a directory" "$TRUSTLINE" scan "$R" -o "$TMP/dir.json" --name gw --version 1.2
expect_grep "summary names the dpkg count" 'components: 4 dpkg' "$TMP/err"
expect_grep "summary lists the unowned ELF file" 'unowned ELF: /usr/local/bin/mytool' "$TMP/err"
ajv_validate cyclonedx-1.6 "$TMP/dir.json"

# exactly the installed packages, by name, version, architecture, once each
jq -r '.components[] | select(.type != "file") | [.name, .version, (.purl | capture("arch=(?<a>[^&]+)").a)] | @tsv' \
	"$TMP/dir.json" | sort >"$TMP/got.tsv"
if cmp -s "$TMP/got.tsv" "$TMP/truth.tsv"; then ok; else not_ok "packages differ from the dpkg status"; diff "$TMP/truth.tsv" "$TMP/got.tsv" | head; fi
# purl form
v=$(awk -F'\t' '$1 == "bzip2" { print $2 }' "$TMP/truth.tsv")
a=$(awk -F'\t' '$1 == "bzip2" { print $3 }' "$TMP/truth.tsv")
# canonical purl: '+' percent-encoded as %2B (purl spec, characters and encoding)
expect_grep "deb purl with arch and distro" "\"pkg:deb/debian/bzip2@${v//+/%2B}\\?arch=$a&distro=debian-12\"" "$TMP/dir.json"
# Depends and NEEDED edges: bzip2 -> libbz2-1.0, pigz -> zlib1g
jq -r '.dependencies[] | .ref + " " + (.dependsOn // [] | join(" "))' "$TMP/dir.json" >"$TMP/deps.txt"
expect_grep "bzip2 depends on libbz2-1.0" '^pkg:deb/debian/bzip2@.* pkg:deb/debian/libbz2-1.0@' "$TMP/deps.txt"
expect_grep "pigz depends on zlib1g" '^pkg:deb/debian/pigz@.*pkg:deb/debian/zlib1g@' "$TMP/deps.txt"
expect_grep "unowned ELF file links to zlib1g (NEEDED)" '^file:/usr/local/bin/mytool .*pkg:deb/debian/zlib1g@' "$TMP/deps.txt"
# /bin/bzip2 as dpkg lists it resolves through the bin -> usr/bin link
expect_grep "file ownership through the usr-merge link" '"location": "/usr/bin/bzip2"' "$TMP/dir.json"
# hash of an owned file, checked against sha256sum
h=$(sha256sum "$R/usr/bin/bzip2" | cut -d' ' -f1)
expect_grep "per-file SHA-256 of /usr/bin/bzip2" "\"$h  /usr/bin/bzip2\"" "$TMP/dir.json"
# every owned file's SHA-256 against sha256sum: the small ones come whole from the directory
# read-ahead thread, the larger ones partly through the worker, each checked
jq -r '.components[].properties[]? | select(.name == "trustline:file:sha-256") | .value' "$TMP/dir.json" \
	>"$TMP/sums"
if [ "$(wc -l <"$TMP/sums")" -ge 20 ] && (cd "$R" && sed 's#  /#  ./#' "$TMP/sums" | sha256sum -c --quiet -) \
	>"$TMP/sums.out" 2>&1; then ok; else not_ok "per-file SHA-256 lines differ from sha256sum"; head -5 "$TMP/sums.out"; fi
# DEP-5 licence of zlib1g's copyright file ("Files: *" is Zlib)
if grep -q '^Format: .*copyright-format/1.0' "$R/usr/share/doc/zlib1g/copyright"; then
	lic=$(awk '/^Files: \*/{f=1} f && /^License:/{print $2; exit}' "$R/usr/share/doc/zlib1g/copyright")
	jq -r '.components[] | select(.name == "zlib1g") | .licenses[0].expression' "$TMP/dir.json" >"$TMP/lic"
	expect_grep "zlib1g licence from DEP-5 ($lic)" "^${lic}$" "$TMP/lic"
fi
if jq -e '.components[] | select(.name == "gone")' "$TMP/dir.json" >/dev/null; then
	not_ok "a package that is not installed is reported"; else ok; fi
expect_grep "subject is the firmware" '"type": "firmware"' "$TMP/dir.json"
comps "$TMP/dir.json" >"$TMP/dir.set"

for img in $IMAGES; do
	b=$(basename "$img")
	expect_exit 0 "scan $b" "$TRUSTLINE" scan "$img" -o "$TMP/$b.json"
	comps "$TMP/$b.json" >"$TMP/$b.set"
	if cmp -s "$TMP/dir.set" "$TMP/$b.set"; then ok; else
		not_ok "$b: components differ from the directory's"; diff "$TMP/dir.set" "$TMP/$b.set" | head -5; fi
	h=$(sha256sum "$img" | cut -d' ' -f1)
	expect_grep "$b: subject carries the image digest" "\"content\": \"$h\"" "$TMP/$b.json"
done

# a cpio.gz of 1 MB whose first name is 256 MB long (libarchive's cpio reader held such a name in
# memory whole): the path limit stops it before the name is read, and says so
python3 - "$TMP/bomb.cpio.gz" <<'EOF'
import sys, zlib
n = 256 << 20
c = zlib.compressobj(9, zlib.DEFLATED, 31)
out = [c.compress(b"070701" + b"".join(b"%08X" % v for v in (1, 0o100644, 0, 0, 1, 0, 0, 0, 0, 0, 0, n, 0)))]
out += [c.compress(b"A" * (1 << 20)) for _ in range(n >> 20)]
out.append(c.flush())
open(sys.argv[1], "wb").write(b"".join(out))
EOF
expect_exit 0 "cpio name-size bomb: limit reported" "$TRUSTLINE" scan "$TMP/bomb.cpio.gz" -o "$TMP/bomb.json"
expect_grep "cpio name-size bomb: the limit names the name size" 'limit reached.*cpio: offset 0: a name of 268435455 bytes, longer than 4096' "$TMP/err"

# gzip as two members (what `cat a.gz b.gz` makes) and with zeros after the stream: gzip -d
# reads both as the one tar (the second thread that inflates gzip must too)
tar -C "$R" --numeric-owner -cf "$TMP/root.tar" .
half=$(($(stat -c %s "$TMP/root.tar") / 2))
{ head -c "$half" "$TMP/root.tar" | gzip -1; tail -c +$((half + 1)) "$TMP/root.tar" | gzip -1; } >"$TMP/multi.tgz"
{ gzip -1 <"$TMP/root.tar"; head -c 1024 /dev/zero; } >"$TMP/padded.tgz"
for b in multi.tgz padded.tgz; do
	if gzip -dc "$TMP/$b" 2>/dev/null | cmp -s - "$TMP/root.tar"; then ok; else not_ok "$b: gzip -d disagrees (test premise)"; fi
	expect_exit 0 "scan $b" "$TRUSTLINE" scan "$TMP/$b" -o "$TMP/$b.json"
	comps "$TMP/$b.json" >"$TMP/$b.set"
	if cmp -s "$TMP/dir.set" "$TMP/$b.set"; then ok; else
		not_ok "$b: components differ from the directory's"; diff "$TMP/dir.set" "$TMP/$b.set" | head -5; fi
done
# a byte changed in the middle of the deflate stream: one line, exit 2
cp "$TMP/root.tar.gz" "$TMP/bad.tgz"
printf '\377\377\377\377' | dd of="$TMP/bad.tgz" bs=1 seek=$(($(stat -c %s "$TMP/bad.tgz") / 2)) conv=notrunc 2>/dev/null
expect_exit 2 "corrupt gzip stream" "$TRUSTLINE" scan "$TMP/bad.tgz" -o "$TMP/bad.json"
expect_one_line "corrupt gzip stream: one line" "$TMP/err"
# the CRC-32 in the gzip trailer (RFC 1952) changed: the data inflates, the check fails
cp "$TMP/root.tar.gz" "$TMP/crc.tgz"
printf '\000\000\000\000' | dd of="$TMP/crc.tgz" bs=1 seek=$(($(stat -c %s "$TMP/crc.tgz") - 8)) conv=notrunc 2>/dev/null
if gzip -t "$TMP/crc.tgz" 2>/dev/null; then not_ok "crc.tgz: gzip -t accepts it (test premise)"; else ok; fi
expect_exit 2 "gzip CRC-32 mismatch" "$TRUSTLINE" scan "$TMP/crc.tgz" -o "$TMP/crc.json"
expect_one_line "gzip CRC-32 mismatch: one line" "$TMP/err"
expect_grep "gzip CRC-32 mismatch: named" 'CRC-32' "$TMP/err"
# the trailer cut short (the tar inside is complete): truncated, as gzip -t says
head -c $(($(stat -c %s "$TMP/root.tar.gz") - 4)) "$TMP/root.tar.gz" >"$TMP/short.tgz"
expect_exit 2 "gzip trailer cut short" "$TRUSTLINE" scan "$TMP/short.tgz" -o "$TMP/short.json"
expect_grep "gzip trailer cut short: named" 'gzip: truncated' "$TMP/err"

# SPDX output and SHA-512
expect_exit 0 "scan --format spdx" "$TRUSTLINE" scan "$R" --format spdx -o "$TMP/dir.spdx.json"
ajv_validate spdx-2.3 "$TMP/dir.spdx.json"
expect_exit 0 "scan --hash sha512" "$TRUSTLINE" scan "$R" --hash sha512 -o "$TMP/512.json"
h=$(sha512sum "$R/usr/bin/bzip2" | cut -d' ' -f1)
expect_grep "per-file SHA-512" "\"$h  /usr/bin/bzip2\"" "$TMP/512.json"
expect_exit 0 "scan --hash none" "$TRUSTLINE" scan "$R" --hash none -o "$TMP/none.json"
if grep -q 'trustline:file:' "$TMP/none.json"; then not_ok "--hash none still hashes files"; else ok; fi

# limits are reported, not silent
expect_exit 0 "--max-entries" "$TRUSTLINE" scan "$TMP/root.tar.gz" --max-entries 5 -o "$TMP/lim.json"
expect_grep "--max-entries reported" 'limit reached.*max-entries' "$TMP/err"
expect_grep "--max-entries recorded in the SBOM" 'trustline:scan:limit-reached' "$TMP/lim.json"
expect_exit 0 "--max-bytes" "$TRUSTLINE" scan "$R" --max-bytes 1000 -o "$TMP/lim2.json"
expect_grep "--max-bytes reported" 'limit reached.*max-bytes' "$TMP/err"

# hostile archive: traversal names stay inside the root, nothing is written
mkdir -p "$TMP/evil/x"
printf 'ID=debian\nVERSION_ID=12\n' >"$TMP/evil/x/os-release"
tar -C "$TMP/evil" -cf "$TMP/evil.tar" --transform 's,^x/os-release,../../../etc/os-release,' -P x/os-release
expect_exit 0 "archive with ../ names" "$TRUSTLINE" scan "$TMP/evil.tar" -o "$TMP/evil.json"
expect_grep "traversal reported" 'above the image root' "$TMP/err"
# names that are not UTF-8 (Latin-1 "café") and a name with an escape sequence: the SBOM
# still passes the schemas, each stray byte written as \xNN, the terminal gets no control byte
mkdir -p "$TMP/names/usr/bin"
cp "$R/usr/bin/bzip2" "$TMP/names/usr/bin/caf$(printf '\351')"
cp "$R/usr/bin/bzip2" "$TMP/names/usr/bin/caf$(printf '\350')"
cp "$R/usr/bin/bzip2" "$TMP/names/usr/bin/x$(printf '\033')[31mred"
expect_exit 0 "names not UTF-8" "$TRUSTLINE" scan "$TMP/names" -o "$TMP/names.json"
ajv_validate cyclonedx-1.6 "$TMP/names.json"
expect_grep "stray byte written as \\xE9" '"file:/usr/bin/caf\\\\xE9"' "$TMP/names.json"
expect_grep "names kept apart" '"file:/usr/bin/caf\\\\xE8"' "$TMP/names.json"
expect_grep "the fix is reported" 'not UTF-8: each byte outside a UTF-8 sequence is written as' "$TMP/err"
if LC_ALL=C grep -q "$(printf '\033')" "$TMP/err"; then not_ok "an escape byte from a file name reached stderr"; else ok; fi
expect_grep "the escape shown as ?" 'unowned ELF: /usr/bin/x\?\[31mred' "$TMP/err"
expect_exit 0 "names not UTF-8, SPDX" "$TRUSTLINE" scan "$TMP/names" --format spdx -o "$TMP/names.spdx.json"
ajv_validate spdx-2.3 "$TMP/names.spdx.json"

# bad input: one line, exit 2
printf 'not an image' >"$TMP/junk.bin"
expect_exit 2 "not an image" "$TRUSTLINE" scan "$TMP/junk.bin"
expect_one_line "not an image: one line" "$TMP/err"
expect_exit 2 "missing target" "$TRUSTLINE" scan "$TMP/nope"
expect_exit 2 "truncated tar.gz" bash -c "head -c 20000 '$TMP/root.tar.gz' >'$TMP/trunc.tgz' && '$TRUSTLINE' scan '$TMP/trunc.tgz' -o '$TMP/t.json'"
expect_exit 2 "no target" "$TRUSTLINE" scan
expect_exit 0 "scan --help" "$TRUSTLINE" scan --help
finish
