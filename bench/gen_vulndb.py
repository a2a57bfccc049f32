#!/usr/bin/env python3
"""Scales the real records of ../shared/data into a large vulnerability data
set for bench/vuln.sh, and writes a matching 1,000-component SBOM.

Every generated record is a real record with its id and package (or CPE
product) renamed with a "-kN"/"_kN" suffix, so shapes (ranges, events,
versions lists, AND/OR configurations, secfix lists) stay those of the
real data.  Copy N=0 keeps the real names.

usage: gen_vulndb.py SHARED_DATA OUTDIR COPIES
writes OUTDIR/osv.zip (OSV JSON), OUTDIR/nvd-*.json (NVD API 2.0 pages),
OUTDIR/nvd11-*.json (NVD 1.1 feeds), OUTDIR/secdb-*.json (Alpine secdb),
OUTDIR/sbom.cdx.json.
"""
import copy, glob, json, os, random, re, sys, zipfile
import yaml

data, out, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(1)
os.makedirs(out, exist_ok=True)

def sfx(name, k, sep='-'):
    return name if k == 0 else '%s%sk%d' % (name, sep, k)

# Copy k of a vulnerability is a vulnerability of its own: every CVE id in it (record ids such as
# UBUNTU-CVE-..., aliases, NVD ids, Alpine secfixes) becomes CVE-YYYY-(k*10^7 + N), a well-formed
# id of copy k only, so the copies do not all fall into one alias group (real groups hold a
# CVE's few records: NVD, distros, GHSA), and other ids take the copy suffix.
CVE = re.compile(r'CVE-(\d{4})-(\d+)')
def ren(s, k):
    if k == 0:
        return s
    t, n = CVE.subn(lambda m: 'CVE-%s-%d' % (m.group(1), k * 10**7 + int(m.group(2))), s)
    return t if n else sfx(s, k)

# ---- OSV -----------------------------------------------------------------
osv = []
for f in glob.glob(data + '/osv/almalinux-selected/*/*.json') + glob.glob(data + '/osv/bitnami-c-components/*/*.json') \
        + glob.glob(data + '/osv/distro-samples/*.json') + glob.glob(data + '/osv/ubuntu-samples/*.json'):
    osv.append(json.load(open(f)))
for f in glob.glob(data + '/osv/oss-fuzz-vulns/*/*.yaml'):
    osv.append(yaml.load(open(f), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader)))
n_osv = 0
pkgs = {}   # (ecosystem, package) -> a version inside an ECOSYSTEM/SEMVER range
# GEN_REUSE=1: keep an osv.zip made by an earlier run with the same COPIES
reuse = os.environ.get('GEN_REUSE') == '1' and os.path.exists(out + '/osv.zip')
class NoZip:
    def __enter__(self): return self
    def __exit__(self, *a): return False
    def writestr(self, *a): pass
with (NoZip() if reuse else zipfile.ZipFile(out + '/osv.zip', 'w', zipfile.ZIP_DEFLATED)) as z:
    for k in range(copies):
        for r in osv:
            r2 = copy.deepcopy(r) if not reuse else {'affected': [{'package': dict(a['package']), 'ranges': a.get('ranges')}
                                                               for a in r.get('affected') or [] if a.get('package')]}
            r2['id'] = ren(r['id'], k)
            for fld in ('aliases', 'upstream', 'related'):
                if isinstance(r2.get(fld), list):
                    r2[fld] = [ren(a, k) for a in r2[fld]]
            r2.pop('withdrawn', None)
            for a in r2.get('affected') or []:
                p = a.get('package')
                if not p:
                    continue
                p['name'] = sfx(p['name'], k)
                for rg in a.get('ranges') or []:
                    ev = rg.get('events') or []
                    fixed = [e['fixed'] for e in ev if 'fixed' in e]
                    if rg.get('type') in ('ECOSYSTEM', 'SEMVER') and fixed:
                        pkgs.setdefault((p['ecosystem'], p['name']), fixed[0])
            z.writestr(r2['id'].replace(':', '_') + '.json', json.dumps(r2))
            n_osv += 1

# ---- NVD -----------------------------------------------------------------
def rename_cpe(c, k):
    f = re.split(r'(?<!\\):', c)   # fields split at unescaped colons
    f[4] = sfx(f[4], k, '_')
    return ':'.join(f)

nvd2 = []
for f in glob.glob(data + '/nvd/api2/targeted-embedded/*.json'):
    d = json.load(open(f))
    nvd2.append(d.get('cve', d))
nvd11 = json.load(open(glob.glob(data + '/nvd/legacy-1.1/*.json')[0]))['CVE_Items']
cpes = {}   # (part, vendor, product) -> (start, end) of a vulnerable range
n_nvd = 0
page, pageno = [], 0
def flush():
    global page, pageno
    if page:
        json.dump({'resultsPerPage': len(page), 'startIndex': 0, 'totalResults': len(page), 'format': 'NVD_CVE',
                   'version': '2.0', 'timestamp': '2025-01-01T00:00:00.000', 'vulnerabilities': page},
                  open('%s/nvd-%04d.json' % (out, pageno), 'w'))
        pageno += 1
        page = []
for k in range(copies):
    for c in nvd2:
        c2 = copy.deepcopy(c)
        c2['id'] = ren(c['id'], k)
        for cfg in c2.get('configurations') or []:
            for node in cfg.get('nodes') or []:
                for m in node.get('cpeMatch') or []:
                    m['criteria'] = rename_cpe(m['criteria'], k)
                    f = m['criteria'].split(':')
                    if m.get('vulnerable') and f[5] == '*' and ('versionEndExcluding' in m):
                        cpes.setdefault((f[2], f[3], f[4]), m['versionEndExcluding'])
        page.append({'cve': c2})
        n_nvd += 1
        if len(page) == 2000:
            flush()
flush()
items, feeds = [], 0
for k in range(copies):
    for it in nvd11:
        it2 = copy.deepcopy(it)
        meta = it2['cve']['CVE_data_meta']
        meta['ID'] = ren(meta['ID'], k)
        def walk(nodes):
            for n in nodes:
                for m in n.get('cpe_match') or []:
                    m['cpe23Uri'] = rename_cpe(m['cpe23Uri'], k)
                walk(n.get('children') or [])
        walk(it2.get('configurations', {}).get('nodes') or [])
        items.append(it2)
        n_nvd += 1
    if len(items) >= 20000 or k == copies - 1:
        json.dump({'CVE_data_type': 'CVE', 'CVE_data_format': 'MITRE', 'CVE_data_version': '4.0',
                   'CVE_data_numberOfCVEs': str(len(items)), 'CVE_data_timestamp': '2025-01-01T00:00Z',
                   'CVE_Items': items}, open('%s/nvd11-%04d.json' % (out, feeds), 'w'))
        feeds += 1
        items = []

# ---- Alpine secdb --------------------------------------------------------
secdb = []
for f in glob.glob(data + '/alpine-secdb/v3.*/*.yaml'):
    secdb.append(yaml.load(open(f), Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader)))
apk = {}    # (distro, package) -> a fixed version
n_sec = 0
for i, d in enumerate(secdb):
    for k in range(copies):
        d2 = copy.deepcopy(d)
        if not isinstance(d2.get('packages'), list):
            d2['packages'] = []   # "packages:" with nothing under it: YAML null, read as ''
        for p in d2.get('packages') or []:
            p['pkg']['name'] = sfx(p['pkg']['name'], k)
            sf = p['pkg'].get('secfixes') or {}
            for ver in list(sf):
                if isinstance(sf[ver], list):
                    sf[ver] = [ren(i, k) for i in sf[ver]]
            for ver, ids in sf.items():
                n_sec += len(ids or [])
                if ver != '0':
                    apk.setdefault((d2['distroversion'], p['pkg']['name']), ver)
        json.dump(d2, open('%s/secdb-%03d-%04d.json' % (out, i, k), 'w'))

# ---- the SBOM: 250 each of deb, apk, rpm, generic+CPE ---------------------
def below(v):
    """A version just below v, when one is easy to write; else v itself."""
    return v
comps = []
def comp(ref, name, version, purl=None, cpe=None):
    c = {'type': 'library', 'bom-ref': ref, 'name': name, 'version': version}
    if purl: c['purl'] = purl
    if cpe: c['cpe'] = cpe
    comps.append(c)
deb = sorted(p for p in pkgs if p[0].startswith('Debian:') or p[0].startswith('Ubuntu:'))
rpm = sorted(p for p in pkgs if p[0].startswith('AlmaLinux:'))
random.shuffle(rpm)
for i in range(250):
    eco, name = deb[i % len(deb)]
    if eco.startswith('Debian:'):
        purl = 'pkg:deb/debian/%s@1.0-1?arch=amd64&distro=debian-%s' % (name, eco.split(':')[1])
    else:
        purl = 'pkg:deb/ubuntu/%s@1:1.0-1?arch=amd64&distro=ubuntu-%s' % (name, eco.split(':')[-2])
    comp('deb-%d' % i, name, '1.0-1', purl + ('&i=%d' % i))
for i in range(250):
    (eco, name) = rpm[i]
    comp('rpm-%d' % i, name, '1.0-1.el9', 'pkg:rpm/almalinux/%s@1.0-1.el%s?arch=x86_64&distro=almalinux-%s.0'
         % (name, eco.split(':')[1], eco.split(':')[1]))
apks = sorted(apk)
random.shuffle(apks)
for i in range(250):
    dv, name = apks[i]
    comp('apk-%d' % i, name, '0.1-r0', 'pkg:apk/alpine/%s@0.1-r0?arch=x86_64&distro=alpine-%s.0' % (name, dv[1:]))
cp = sorted(cpes)
random.shuffle(cp)
for i in range(250):
    part, vendor, product = cp[i % len(cp)]
    v = '1.0'
    comp('cpe-%d' % i, product, v, 'pkg:generic/%s@%s?i=%d' % (product, v, i),
         'cpe:2.3:%s:%s:%s:%s:*:*:*:*:*:*:*' % (part, vendor, product, v))
json.dump({'bomFormat': 'CycloneDX', 'specVersion': '1.6', 'version': 1, 'components': comps},
          open(out + '/sbom.cdx.json', 'w'), indent=1)
print('%d OSV records, %d NVD CVEs, %d Alpine secfixes; SBOM of %d components'
      % (n_osv, n_nvd, n_sec, len(comps)))
