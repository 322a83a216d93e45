#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""No password, API key or session cookie over plain http:// to a host that is
not loopback (issue 18), proven without sending anything off this machine.

The test creates a network namespace of its own with one address,
10.200.0.1/24, on a veth pair whose both ends live inside it (no route leaves
the namespace), and a listener there that records every connection. The
tools run inside the namespace too (ip netns exec):
- with ODOO_URL=http://10.200.0.1:PORT and a password (or an API key)
  odoo-call, odoo-pickings and odoo-products fail with the message naming
  allow_insecure_http and --allow-insecure-http, exit 2, and the listener saw
  no connection at all (a marker connection made after each run is the next
  one the listener logs: connections are accepted in order);
- with --allow-insecure-http they connect (the listener sees it).

Needs root (network namespaces): otherwise it prints why and exits 77
(skipped).

    test_insecure_http.py odoo-call odoo-pickings odoo-products
"""
import os
import shutil
import subprocess
import sys
import threading
import time

ADDR = "10.200.0.1"

LISTENER = r"""
import socket, sys
s = socket.socket()
s.bind((%r, 0))
s.listen(16)
print("PORT", s.getsockname()[1], flush=True)
deny = (b'{"jsonrpc":"2.0","id":1,"error":{"code":200,"message":"Odoo Server Error",'
        b'"data":{"name":"odoo.exceptions.AccessDenied","message":"Access Denied"}}}')
while True:
    c, peer = s.accept()
    c.settimeout(5)
    try:
        data = b""
        while b"\r\n\r\n" not in data:
            d = c.recv(65536)
            if not d:
                break
            data += d
        print("CONN", data.split(b"\r\n", 1)[0].decode(errors="replace"), flush=True)
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %%d\r\n"
                  b"Connection: close\r\n\r\n" %% len(deny) + deny)
    except OSError:
        pass
    c.close()
""" % ADDR


def skip(reason):
    print("SKIP: " + reason)
    sys.exit(77)


def ip(*args, ns=None):
    cmd = ["ip"] + (["netns", "exec", ns, "ip"] if ns else []) + list(args)
    return subprocess.run(cmd, capture_output=True, text=True)


class Listener:
    def __init__(self, ns):
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", LISTENER],
                                  stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit("listener did not start: %r" % line)
        self.port = int(line.split()[1])
        self.conns = []
        self.lock = threading.Lock()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        for line in self.p.stdout:
            if line.startswith("CONN "):
                with self.lock:
                    self.conns.append(line[5:].strip())

    def count(self):
        with self.lock:
            return len(self.conns)

    def since(self, n):
        with self.lock:
            return list(self.conns[n:])

    def wait_for(self, pred, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if pred(self.conns):
                    return True
            time.sleep(0.01)
        return False

    def mark(self, ns, n):
        """Connect from inside the namespace with the request line "GET /marker-n"
        and wait until the listener logged it. Connections are accepted in
        order: one a tool made before the marker is logged before it."""
        line = "GET /marker-%d HTTP/1.0" % n
        code = ("import socket; c = socket.create_connection((%r, %d)); "
                "c.sendall(b'%s\\r\\n\\r\\n'); c.recv(1)" % (ADDR, self.port, line))
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, "-c", code], check=True,
                       timeout=30)
        if not self.wait_for(lambda conns: line in conns):
            raise SystemExit("the listener never logged the marker")
        with self.lock:
            return self.conns.index(line)

    def stop(self):
        self.p.terminate()
        self.p.wait(10)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    tools = {os.path.basename(p): os.path.abspath(p) for p in sys.argv[1:]}
    if os.geteuid() != 0:
        skip("network namespaces need root (this runs as uid %d)" % os.geteuid())
    if not shutil.which("ip"):
        skip("the ip command (iproute2) is not installed: bash tests/setup-debian.sh")
    ns = "libodoo-t18-%d" % os.getpid()
    r = ip("netns", "add", ns)
    if r.returncode != 0:
        skip("cannot create a network namespace: " + r.stderr.strip())
    listener = None
    failures = []
    try:
        for args in (["link", "add", "t18a", "type", "veth", "peer", "name", "t18b"],
                     ["addr", "add", ADDR + "/24", "dev", "t18a"],
                     ["link", "set", "t18a", "up"], ["link", "set", "t18b", "up"],
                     ["link", "set", "lo", "up"]):
            r = ip(*args, ns=ns)
            if r.returncode != 0:
                skip("cannot set up the namespace (ip %s): %s" % (" ".join(args),
                                                                   r.stderr.strip()))
        listener = Listener(ns)
        url = "http://%s:%d" % (ADDR, listener.port)
        print("namespace %s: listener on %s (no route leaves the namespace)" % (ns, url))

        cases = [
            ("odoo-call", ["res.partner", "search_count", "[[]]"], {"ODOO_PASSWORD": "pw"}),
            ("odoo-call", ["res.partner", "search_count", "[[]]"], {"ODOO_API_KEY": "key"}),
            ("odoo-call", ["--transport", "json2", "res.partner", "search_count", "[[]]"],
             {"ODOO_API_KEY": "key"}),
            ("odoo-pickings", ["status", "WH/OUT/00001"], {"ODOO_PASSWORD": "pw"}),
            ("odoo-products", ["--no-history", "test-connection"], {"ODOO_PASSWORD": "pw"}),
        ]
        last = listener.mark(ns, 0)
        marks = 1
        for tool, args, creds in cases:
            env = {k: v for k, v in os.environ.items() if not k.startswith("ODOO_")}
            env.update(ODOO_URL=url, ODOO_DB="acme", ODOO_USER="admin", **creds)
            what = "password" if "ODOO_PASSWORD" in creds else "API key"
            for allow in (False, True):
                argv = ["ip", "netns", "exec", ns, tools[tool]] + \
                       (["--allow-insecure-http"] if allow else []) + args
                p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
                label = "%s %s (%s)%s" % (tool, " ".join(args), what,
                                          " --allow-insecure-http" if allow else "")
                mark = listener.mark(ns, marks)
                marks += 1
                conns = listener.since(last + 1)[:mark - last - 1]
                last = mark
                print("%-72s exit %d, listener saw %d connection(s)%s"
                      % (label, p.returncode, len(conns),
                         ": " + ", ".join(conns) if conns else ""))
                if not allow:
                    print("    " + p.stderr.strip())
                    ok = (p.returncode == 2 and not conns
                          and "refusing to send the %s over plain http://" % what in p.stderr
                          and "allow_insecure_http" in p.stderr
                          and "--allow-insecure-http" in p.stderr
                          and len(p.stderr.strip().splitlines()) == 1)
                else:
                    # it connects (the listener's AccessDenied answer: exit 3, or 4
                    # where JSON-2 expects another answer)
                    ok = p.returncode in (3, 4) and len(conns) >= 1
                if not ok:
                    failures.append("%s: exit %d, connections %r: %s"
                                    % (label, p.returncode, conns, p.stderr))
    finally:
        if listener:
            listener.stop()
        ip("netns", "del", ns)
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok: %d refusals with no connection, %d runs connected when allowed"
          % (len(cases), len(cases)))


if __name__ == "__main__":
    main()
