#!/usr/bin/env python3
"""Alternates trustline binaries on one `vuln` run each per round and prints,
per binary, the minimum and median wall time (fork to wait4), CPU time
(user + sys from wait4) and the largest peak RSS.

Usage: bench/vuln_ab.py ROUNDS FORMAT DB SBOM BIN...
e.g.   chrt -f 50 bench/vuln_ab.py 15 json /tmp/vb70c/v.db /tmp/vb70c/data/sbom.cdx.json old/trustline build/trustline
(`chrt -f 50`, as root, lets the runs take a CPU ahead of other jobs on a
shared machine; they still share its caches and memory.)"""
import os
import statistics
import sys
import time

if len(sys.argv) < 6:
    sys.exit(__doc__)
rounds, fmt, db, sbom, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
out = '/tmp/vuln_ab.%d.%s' % (os.getpid(), fmt)
res = {b: [] for b in bins}
print('load at the start', ' '.join(open('/proc/loadavg').read().split()[:3]))
for _ in range(rounds):
    for b in bins:
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                os.execv(b, [b, '-q', 'vuln', '--db', db, '--format', fmt, '-o', out, sbom])
            finally:
                os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        t1 = time.perf_counter()
        if os.waitstatus_to_exitcode(status) != 0:  # no --fail-on: 0 or a failure
            sys.exit('%s failed' % b)
        res[b].append(((t1 - t0) * 1e3, (ru.ru_utime + ru.ru_stime) * 1e3, ru.ru_maxrss / 1024))
os.unlink(out)
for b, v in res.items():
    w = sorted(x[0] for x in v)
    c = sorted(x[1] for x in v)
    print('%-40s wall min %6.1f med %6.1f ms   CPU min %6.1f med %6.1f ms   peak RSS %.0f MB (%d runs)' %
          (b, w[0], statistics.median(w), c[0], statistics.median(c), max(x[2] for x in v), len(v)))
print('load at the end', ' '.join(open('/proc/loadavg').read().split()[:3]))
