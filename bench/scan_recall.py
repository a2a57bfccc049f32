#!/usr/bin/env python3
"""Exact-version recall of a CycloneDX SBOM against the scan targets' ground truth.

    scan_recall.py dpkg     TRUTH.tsv SBOM.json
    scan_recall.py upstream TRUTH.tsv SBOM.json

TRUTH.tsv is what make-targets.sh writes: `dpkg-query -W` lines, "name<TAB>version<TAB>arch".

dpkg: a truth package is found when the SBOM has a pkg:deb component with the same name,
  version (epoch included) and arch.  The version and arch are read from the purl; an epoch
  that a tool moved into an `epoch=` qualifier (trivy does) is put back in front.  Package
  components whose (name, version, arch) is not in the truth count as "extra" (a wrong
  version, a source package reported as a binary one, ...); the same key twice as "dup".

upstream: the image without its package database (issue 3).  Expected: the upstream
  version of each of nine components, derived from the truth's Debian versions
  (1:1.35.0-4+b3 -> 1.35.0: no epoch, no Debian revision, no +dfsg/.dfsg repack suffix).
  A component of any purl type (or none) counts for a group when its name, its purl name or
  its CPE product is one of the group's names; the group is found when one such component
  has exactly the expected version.  A component of a group with another version is
  "wrong".

Prints one line of key=value pairs: components, packages, expected, found, recall, extra,
dup (dpkg) or wrong (upstream), and missing=<comma list, at most 8>.
"""
import json
import re
import sys
from urllib.parse import unquote

# group -> (truth package whose version gives the upstream version, names that count)
UPSTREAM = {
	"busybox": ("busybox-static", {"busybox", "busybox-static"}),
	"openssl": ("libssl3", {"openssl", "libssl", "libssl3", "libcrypto", "libcrypto3"}),
	"curl": ("libcurl4", {"curl", "libcurl", "libcurl4"}),
	"sqlite": ("libsqlite3-0", {"sqlite", "sqlite3", "libsqlite3", "libsqlite3-0"}),
	"lighttpd": ("lighttpd", {"lighttpd"}),
	"dnsmasq": ("dnsmasq-base", {"dnsmasq", "dnsmasq-base"}),
	"dropbear": ("dropbear-bin", {"dropbear", "dropbear-bin", "dropbear_ssh"}),
	"mosquitto": ("mosquitto", {"mosquitto", "libmosquitto", "libmosquitto1"}),
	"zlib": ("zlib1g", {"zlib", "zlib1g"}),
}


def upstream_of(debver):
	v = debver.split(":", 1)[1] if ":" in debver else debver
	if "-" in v:
		v = v.rsplit("-", 1)[0]
	v = re.sub(r"[.+~](dfsg|ds|repack)[0-9.]*$", "", v)
	return v


def parse_purl(purl):
	"""-> (type, name, version, qualifiers) or None."""
	if not purl or not purl.startswith("pkg:"):
		return None
	s = purl[4:].split("#", 1)[0]
	quals = {}
	if "?" in s:
		s, q = s.split("?", 1)
		for kv in q.split("&"):
			if "=" in kv:
				k, v = kv.split("=", 1)
				quals[k.lower()] = unquote(v)
	version = None
	if "@" in s:
		s, version = s.rsplit("@", 1)
		version = unquote(version)
	parts = s.split("/")
	return parts[0].lower(), unquote(parts[-1]), version, quals


def all_components(bom):
	out = []
	stack = list(bom.get("components") or [])
	while stack:
		c = stack.pop()
		out.append(c)
		stack.extend(c.get("components") or [])
	return out


def cpe_product(cpe):
	if not cpe or not cpe.startswith("cpe:2.3:"):
		return None
	f = cpe.split(":")
	return f[4].lower() if len(f) > 4 else None


def main():
	mode, truth_path, sbom_path = sys.argv[1:4]
	truth = []
	with open(truth_path, encoding="utf-8") as f:
		for line in f:
			p = line.rstrip("\n").split("\t")
			if len(p) >= 3:
				truth.append((p[0], p[1], p[2]))
	with open(sbom_path, encoding="utf-8") as f:
		bom = json.load(f)
	comps = all_components(bom)
	pkgs = []
	for c in comps:
		pp = parse_purl(c.get("purl"))
		if pp and pp[0] in ("deb", "apk", "opkg"):
			t, name, ver, q = pp
			ver = ver if ver is not None else c.get("version", "")
			if "epoch" in q and ":" not in ver:
				ver = q["epoch"] + ":" + ver
			pkgs.append((name, ver, q.get("arch", "")))
	res = {"components": len(comps), "packages": len(pkgs)}

	if mode == "dpkg":
		want = set(truth)
		have = set(pkgs)
		found = want & have
		missing = sorted("%s=%s" % (n, v) for n, v, _ in want - have)
		res.update(expected=len(want), found=len(found),
			extra=len(have - want), dup=len(pkgs) - len(have))
	elif mode == "upstream":
		byname = {n: v for n, v, _ in truth}
		want = {g: upstream_of(byname[src]) for g, (src, _) in UPSTREAM.items() if src in byname}
		found, wrong, missing = set(), 0, []
		for c in comps:
			pp = parse_purl(c.get("purl"))
			names = {(c.get("name") or "").lower()}
			if pp:
				names.add(pp[1].lower())
			names.add(cpe_product(c.get("cpe")))
			ver = (pp[2] if pp and pp[2] else c.get("version")) or ""
			ver = ver[1:] if ver[:1] in ("v", "V") and ver[1:2].isdigit() else ver
			for g, (_, aliases) in UPSTREAM.items():
				if g not in want or not (names & aliases):
					continue
				if not ver:
					continue  # a name without a version claims nothing
				if ver == want[g] or upstream_of(ver) == want[g]:
					found.add(g)
				else:
					wrong += 1
		missing = sorted("%s=%s" % (g, v) for g, v in want.items() if g not in found)
		res.update(expected=len(want), found=len(found), wrong=wrong)
	else:
		sys.exit("mode: dpkg or upstream")
	res["recall"] = "%.3f" % (res["found"] / res["expected"] if res["expected"] else 0)
	res["missing"] = ",".join(missing[:8]) + (",..." if len(missing) > 8 else "") or "-"
	print(" ".join("%s=%s" % kv for kv in res.items()))


if __name__ == "__main__":
	main()
