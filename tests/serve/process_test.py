#!/usr/bin/env python3
"""The `sdsim serve` process (ctest serve.process): prints its address on
standard output, answers over HTTP, stops cleanly (exit 0) on SIGINT and on
SIGTERM even with a request in flight, refuses a port in use and a broken
model (exit 1, nothing on standard output).

Run: process_test.py --sdsim PATH --source DIR
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    raise SystemExit(1)


def check(cond, msg):
    if not cond:
        fail(msg)
    print("ok: " + msg)


def start(sdsim, path, *extra):
    p = subprocess.Popen([sdsim, "serve", path, *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    m = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/\n", line)
    if not m:
        p.kill()
        fail("expected the address on stdout, got %r (stderr: %s)" % (line, p.stderr.read()))
    return p, line.strip(), int(m.group(1))


def stop(p, sig):
    p.send_signal(sig)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        fail("no exit within 30 s of %s" % sig.name)
    return rc, p.stdout.read(), p.stderr.read()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sdsim", required=True)
    ap.add_argument("--source", required=True)
    a = ap.parse_args()
    fixture = os.path.join(a.source, "tests/serve/dashboard.yaml")

    p, url, port = start(a.sdsim, fixture, "--port", "0")
    check(port > 0, "the address is printed on stdout: " + url)
    with urllib.request.urlopen(url + "api/model", timeout=30) as r:
        model = json.load(r)
    check(model["name"] == "dashboard test", "GET /api/model answers")
    req = urllib.request.Request(url + "api/run", data=b'{"levers": {"a": true}, "vars": ["x"]}',
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        run = json.load(r)
    check(len(run["time"]) == 11 and list(run["variables"]) == ["x"], "POST /api/run answers")

    # A second server on the same port: refused, exit 1.
    q = subprocess.run([a.sdsim, "serve", fixture, "--port", str(port)], capture_output=True, text=True, timeout=60)
    check(q.returncode == 1 and q.stdout == "" and ("cannot listen on 127.0.0.1:%d" % port) in q.stderr,
          "a port in use is refused with exit 1: " + q.stderr.strip())

    # SIGTERM with a request in flight (a slow client sending its body late).
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n")
    time.sleep(0.2)
    rc, out, err = stop(p, signal.SIGTERM)
    s.close()
    check(rc == 0, "SIGTERM stops the server with exit 0")
    check(out == "", "nothing else on stdout")
    check("stopped (SIGTERM)" in err and "serving model dashboard test" in err, "stderr says what was served and why it stopped")

    p, url, port = start(a.sdsim, fixture, "--port", "0")
    rc, out, err = stop(p, signal.SIGINT)
    check(rc == 0 and "stopped (SIGINT)" in err, "SIGINT (Ctrl-C) stops the server with exit 0")

    # A model with an error: its diagnostics, exit 1, no address.
    q = subprocess.run([a.sdsim, "serve", os.path.join(a.source, "tests/cli/unknown_name.yaml"), "--port", "0"],
                       capture_output=True, text=True, timeout=60)
    check(q.returncode == 1 and q.stdout == "" and "[E-UNKNOWN-NAME]" in q.stderr,
          "a broken model is refused with its diagnostics: " + q.stderr.strip().splitlines()[0])
    print("all process checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
