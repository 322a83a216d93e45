#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run a command against a freshly started Odoo emulator.

    run_with_emulator.py [emulator options...] -- COMMAND [ARGS...]

The emulator (odoo_emulator.py next to this file, run by the same Python) is started
on a free port with the given options.  Once it prints "LISTENING <port>" (30 s at
most), COMMAND runs with these variables exported:

    ODOO_URL=http://127.0.0.1:<port>    ODOO_EMULATOR_URL=http://127.0.0.1:<port>
    ODOO_DB=<database>                  ODOO_USER=admin      ODOO_PASSWORD=admin
    ODOO_API_KEY=<key>                  (only with --api-key)

The emulator is then stopped (SIGTERM, SIGKILL after 5 s) and the exit status is
COMMAND's.  The emulator's stderr goes to this script's stderr.
"""

import argparse
import os
import queue
import signal
import subprocess
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, 'odoo_emulator.py')
START_TIMEOUT = 30
STOP_TIMEOUT = 5


def usage(message):
    sys.stderr.write(f'run_with_emulator.py: {message}\n'
                     'usage: run_with_emulator.py [emulator options...] -- COMMAND [ARGS...]\n')
    return 2


def strip_port(args):
    """The harness always picks the port: drop any --port/--port=N given."""
    out, skip = [], False
    for arg in args:
        if skip:
            skip = False
        elif arg == '--port':
            skip = True
        elif not arg.startswith('--port='):
            out.append(arg)
    return out


def emulator_settings(args):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument('--version', type=int, default=18)
    parser.add_argument('--db')
    parser.add_argument('--api-key')
    known, _rest = parser.parse_known_args(args)
    return known.db or ('acme19' if known.version == 19 else 'acme'), known.api_key


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv):
    if '--' not in argv:
        return usage('missing "--" before the command')
    split = argv.index('--')
    emulator_args, command = strip_port(argv[:split]), argv[split + 1:]
    if not command:
        return usage('no command given')
    db, api_key = emulator_settings(emulator_args)

    proc = subprocess.Popen([sys.executable, EMULATOR, *emulator_args, '--port', '0'],
                            stdout=subprocess.PIPE, text=True)
    lines = queue.Queue()

    def pump():                                  # keep draining the emulator's stdout
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)
    threading.Thread(target=pump, daemon=True).start()

    def terminate(signum, _frame):
        raise KeyboardInterrupt(signum)
    signal.signal(signal.SIGTERM, terminate)

    try:
        try:
            line = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            line = None
        if not line or not line.startswith('LISTENING '):
            sys.stderr.write('run_with_emulator.py: the emulator did not start '
                             f'(exit status {proc.poll()})\n')
            return 1
        url = f'http://127.0.0.1:{int(line.split()[1])}'
        env = dict(os.environ, ODOO_URL=url, ODOO_EMULATOR_URL=url, ODOO_DB=db,
                   ODOO_USER='admin',
                   ODOO_PASSWORD=os.environ.get('ODOO_EMULATOR_ADMIN_PASSWORD') or 'admin')
        if api_key:
            env['ODOO_API_KEY'] = api_key
        try:
            return subprocess.call(command, env=env)
        except OSError as exc:
            sys.stderr.write(f'run_with_emulator.py: cannot run {command[0]!r}: {exc}\n')
            return 127
    except KeyboardInterrupt:
        return 130
    finally:
        stop(proc)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
