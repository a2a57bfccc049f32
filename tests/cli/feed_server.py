#!/usr/bin/env python3
"""A feed server for tests/cli/db_update.sh, on 127.0.0.1 only.

usage: feed_server.py CONFIG PORTFILE LOG [CERT KEY]   (with CERT and KEY: HTTPS)

Serves the files and the NVD CVE API 2.0 endpoint that CONFIG (JSON, read
again on every request so a test can change it between runs) describes:

  {"files": {"/url/path": {"path": FILE, "etag": "\"v1\"" | null,
                           "goog_hash": "ok" | "bad-crc32c" | "bad-md5" | "none",
                           "cut_first": BYTES,   # first GET since the config changed:
                                                 # close after BYTES of the body
                           "short": BYTES,       # every GET: BYTES less than Content-Length
                           "range_total_delta": N,  # a 206 announces a total N bytes off
                           "slow": BYTES_PER_S,
                           "status": 404 | 500,
                           "redirect": "/other/path"}},
   "nvd": {"path": "/rest/json/cves/2.0", "records": [FILE...], "page_cap": N,
           "status_first": 403}}

HTTP semantics are the RFC 9110 ones a download relies on: Range
"bytes=N-", If-Range (an ETag), If-None-Match (304), Content-Range, and
GCS's x-goog-hash (crc32c and md5 of the whole object, also on a 206).
Every request is logged to LOG as one JSON line, when its handler ends
(after the body, so "sent" is known).  LOG.busy holds the number of
requests still being handled: a client may have its whole response before
the line is written, so a test waits for 0 before reading LOG.  The port
(free, picked by the kernel) is written to PORTFILE once listening.
"""
import base64
import datetime
import hashlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONFIG, PORTFILE, LOG = sys.argv[1:4]
counts = {}          # requests per path since the config last changed
config_seen = [None]
lock = threading.Lock()
inflight = [0]


def busy(delta):
    with lock:
        inflight[0] += delta
        with open(LOG + ".busy.tmp", "w") as f:
            f.write("%d\n" % inflight[0])
        os.replace(LOG + ".busy.tmp", LOG + ".busy")


def crc32c(data):
    """CRC-32C (Castagnoli), bit by bit: independent of the C table version."""
    crc = 0xFFFFFFFF
    table = crc32c.table
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


crc32c.table = _table()
assert crc32c(b"123456789") == 0xE3069283  # the check value of CRC-32C


def nvd_time(s):
    """An NVD date parameter: 2024-01-01T00:00:00.000+00:00 (or Z, or none)."""
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log(self, status, sent, **kw):
        rec = {"method": self.command, "path": self.path.split("?")[0],
               "query": urllib.parse.urlsplit(self.path).query,
               "range": self.headers.get("Range"), "if_range": self.headers.get("If-Range"),
               "if_none_match": self.headers.get("If-None-Match"),
               "api_key": self.headers.get("apiKey"),
               "user_agent": self.headers.get("User-Agent"), "status": status, "sent": sent}
        rec.update(kw)
        with lock, open(LOG, "a") as f:
            f.write(json.dumps(rec) + "\n")

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log(status, len(body))

    def do_GET(self):
        busy(1)
        try:
            self.get()
        finally:
            busy(-1)

    def get(self):
        with open(CONFIG) as f:
            text = f.read()
        cfg = json.loads(text)
        path = self.path.split("?")[0]
        with lock:
            if text != config_seen[0]:
                config_seen[0] = text
                counts.clear()
            counts[path] = counts.get(path, 0) + 1
            n = counts[path]
        nvd = cfg.get("nvd")
        if nvd and path == nvd["path"]:
            return self.nvd(nvd, n)
        spec = cfg.get("files", {}).get(path)
        if spec is None:
            return self.reply(404, b"not found\n")
        if "redirect" in spec:
            return self.reply(302, b"", [("Location", spec["redirect"])])
        if "status" in spec:
            return self.reply(spec["status"], b"error\n")
        with open(spec["path"], "rb") as f:
            data = f.read()
        etag = spec.get("etag")
        headers = []
        if etag:
            headers.append(("ETag", etag))
        gh = spec.get("goog_hash", "none")
        if gh != "none":
            c = crc32c(data) ^ (1 if gh == "bad-crc32c" else 0)
            m = bytearray(hashlib.md5(data).digest())
            if gh == "bad-md5":
                m[0] ^= 1
            # two headers, as GCS sends them
            headers.append(("x-goog-hash", "crc32c=" + base64.b64encode(c.to_bytes(4, "big")).decode()))
            headers.append(("x-goog-hash", "md5=" + base64.b64encode(bytes(m)).decode()))
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            return self.log(304, 0)
        status, body, first = 200, data, 0
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes=") and rng.endswith("-"):
            ir = self.headers.get("If-Range")
            if ir is None or ir == etag:
                first = int(rng[6:-1])
                if first >= len(data):
                    return self.reply(416, b"", [("Content-Range", "bytes */%d" % len(data))])
                status, body = 206, data[first:]
                total = len(data) + spec.get("range_total_delta", 0)
                headers.append(("Content-Range", "bytes %d-%d/%d" % (first, len(data) - 1, total)))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        send = len(body)
        if "cut_first" in spec and n == 1:
            send = spec["cut_first"]
        if "short" in spec:
            send = len(body) - spec["short"]
        rate = spec.get("slow")
        sent = 0
        try:
            while sent < send:
                chunk = body[sent:min(send, sent + 8192)]
                self.wfile.write(chunk)
                self.wfile.flush()
                sent += len(chunk)
                if rate:
                    time.sleep(len(chunk) / rate)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.log(status, sent, first=first)
        if send < len(body):
            # drop the connection mid-body
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def nvd(self, nvd, n):
        if nvd.get("status_first") and n == 1:
            return self.reply(nvd["status_first"], b"", [("Retry-After", "1")])
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query, strict_parsing=False)
        a, b = q.get("lastModStartDate"), q.get("lastModEndDate")
        if (a is None) != (b is None):
            return self.reply(404, b"", [("message", "both dates are required")])
        recs = []
        for f in nvd["records"]:
            with open(f) as fh:
                d = json.load(fh)
            for c in [v["cve"] for v in d["vulnerabilities"]] if "vulnerabilities" in d else [d.get("cve", d)]:
                recs.append(c)
        recs.sort(key=lambda c: c["id"])
        if a:
            lo, hi = nvd_time(a[0]), nvd_time(b[0])
            if hi < lo or hi - lo > datetime.timedelta(days=120):
                return self.reply(404, b"", [("message", "date range over 120 days")])
            recs = [c for c in recs
                    if lo <= nvd_time(c["lastModified"]) <= hi]
        per = int(q.get("resultsPerPage", ["2000"])[0])
        per = min(per, 2000, nvd.get("page_cap", 2000))
        start = int(q.get("startIndex", ["0"])[0])
        page = recs[start:start + per]
        body = json.dumps({"resultsPerPage": len(page) if page else per, "startIndex": start,
                           "totalResults": len(recs), "format": "NVD_CVE", "version": "2.0",
                           "timestamp": datetime.datetime.utcnow().isoformat()[:23],
                           "vulnerabilities": [{"cve": c} for c in page]}).encode()
        self.reply(200, body, [("Content-Type", "application/json")])


srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
if len(sys.argv) > 5:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(PORTFILE + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
