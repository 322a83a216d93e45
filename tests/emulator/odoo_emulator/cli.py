# SPDX-License-Identifier: MIT
"""The command line, run by tests/emulator/odoo_emulator.py and by `python3 -m odoo_emulator`
(from tests/emulator): seed the database, serve, print "LISTENING <port>", stop on
SIGTERM / SIGINT."""

import argparse
import os
import signal
import sys
import threading
import time

from .app import OdooEmulator
from .seed import build_registry
from .server import EmulatorServer
from .versions import VERSIONS


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Odoo 16-19 server emulator for the libodoo tests.')
    parser.add_argument('--port', type=int, default=8069, help='TCP port; 0 picks a free one')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--orders', type=int, default=250, help='sale orders to seed (default 250)')
    parser.add_argument('--expire-sessions-every', type=int, default=0, metavar='K',
                        help='every K-th authenticated call_kw answers "session expired"')
    parser.add_argument('--version', type=int, choices=VERSIONS, default=18, help='Odoo version to emulate')
    parser.add_argument('--api-key', help="an API key of admin (JSON-RPC password, JSON-2 bearer)")
    parser.add_argument('--limited-api-key', help="an API key of the 'limited' user")
    parser.add_argument('--db', help='database name (default acme, or acme19 with --version 19)')
    parser.add_argument('--seed', type=int, default=42, help='seed of the generated data')
    parser.add_argument('--seed-batch', type=int, default=1, metavar='N',
                        help='seed the orders N per transaction: N orders share one write_date '
                             '(default 1)')
    parser.add_argument('--quiet', action='store_true', help='print nothing but the LISTENING line')
    parser.add_argument('--verbose', action='store_true', help='log requests to stderr')
    parser.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate chain')
    parser.add_argument('--tls-key', metavar='PEM', help='the private key of --tls-cert')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()                 # installed first: a signal during seeding counts
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = time.perf_counter()
    registry = build_registry(args.version, args.db, args.orders, args.seed, args.seed_batch)
    seeded = time.perf_counter() - started
    if stop.is_set():
        return 0
    server = EmulatorServer((args.host, args.port), verbose=args.verbose)
    port = server.server_address[1]
    scheme = 'http'
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # the handshake happens in the request's thread, not in the accepting one
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        scheme = 'https'

    api_keys = {}
    if args.api_key:
        api_keys[args.api_key] = 2
    if args.limited_api_key:
        api_keys[args.limited_api_key] = registry.flavor.limited_uid
    server.app = OdooEmulator(registry.flavor, registry, api_keys, f'{scheme}://{args.host}:{port}',
                              args.expire_sessions_every)
    # admin's password: 'admin', or ODOO_EMULATOR_ADMIN_PASSWORD (from the
    # environment, never argv: the secrets tests grep process arguments)
    server.app.admin_password = os.environ.get('ODOO_EMULATOR_ADMIN_PASSWORD') or 'admin'
    thread = threading.Thread(target=server.serve_forever, name='http', daemon=True)
    thread.start()
    print(f'LISTENING {port}', flush=True)
    if not args.quiet:
        print(f'odoo-emulator: Odoo {registry.flavor.serie}, database {registry.db!r}, '
              f'{args.orders} orders seeded in {seeded:.2f}s, http://{args.host}:{port}',
              file=sys.stderr, flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    return 0

