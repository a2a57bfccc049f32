#!/usr/bin/env python3
"""Writes a CycloneDX 1.6 SBOM with N components (default 50,000) to stdout.

Components look like a large Debian-based firmware: deb purls, SHA-256
hashes, SPDX licence ids, suppliers, file evidence and a dependency graph
where each component depends on up to three earlier ones.  Deterministic.
"""
import hashlib
import json
import sys

LICENSES = ["MIT", "Apache-2.0", "GPL-2.0-only", "LGPL-2.1-or-later", "BSD-3-Clause", "Zlib"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50000
    comps, deps = [], []
    for i in range(n):
        name = "pkg%05d" % i
        version = "%d.%d.%d-%d" % (i % 7 + 1, i % 13, i % 31, i % 3 + 1)
        purl = "pkg:deb/debian/%s@%s?arch=amd64&distro=debian-12" % (name, version)
        comps.append({
            "type": "library",
            "bom-ref": purl,
            "name": name,
            "version": version,
            "supplier": {"name": "Maintainer %d" % (i % 100)},
            "purl": purl,
            "hashes": [{"alg": "SHA-256", "content": hashlib.sha256(name.encode()).hexdigest()}],
            "licenses": [{"license": {"id": LICENSES[i % len(LICENSES)]}}],
            "evidence": {"occurrences": [{"location": "/usr/lib/x86_64-linux-gnu/lib%s.so.1" % name}]},
        })
        deps.append({"ref": purl, "dependsOn": [comps[j]["purl"] for j in range(max(0, i - 3), i)]})
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:6f1c1e3a-3c1d-4a8e-9a77-2d1a4b5c6d7e",
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-01T00:00:00Z",
            "tools": {"components": [{"type": "application", "name": "gen_sbom.py", "version": "1"}]},
            "component": {"type": "firmware", "bom-ref": "fw", "name": "big-firmware", "version": "1.0"},
        },
        "components": comps,
        "dependencies": deps,
    }
    json.dump(doc, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
