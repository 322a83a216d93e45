# SPDX-License-Identifier: MIT
"""Odoo 16 / 17 / 18 / 19 server emulator for the libodoo test-suite.

The emulator answers the HTTP / JSON-RPC / JSON-2 dialect of a real Odoo server in the
exact shapes recorded in tests/wire (Odoo 18.0) and tests/wire/v19 (Odoo 19.0), checked
against real 16.0-19.0 servers by tests/real-odoo/test_differential.py: status
lines, Content-Type spellings, session cookies and their rotation, JSON-RPC envelopes
serialized like Odoo (json.dumps(..., ensure_ascii=False)), error objects, HTML pages.
Behind the protocol sits a small deterministic in-memory ORM (sale orders, partners,
products, pickings, ...) with Odoo's domain language, ordering, value encoding and the
usual errors, plus a fault injector driven from a control API under /__emulator/.

Standard library only.  Run it with Debian's /usr/bin/python3 (3.11):

    /usr/bin/python3 tests/emulator/odoo_emulator.py --port 0 [--version 16|17|18|19] [--orders N]
    cd tests/emulator && /usr/bin/python3 -m odoo_emulator --port 0

It prints "LISTENING <port>" on stdout once it serves.  The modules, by layer (see
tests/emulator/README.md, "Layout"):

- ORM and data: dates, fields, storage, domain, read_group, orm, models, seed
- per-version behaviour: versions, session_info, access
- HTTP / JSON-RPC: wire, pages, sessions, exceptions, envelopes, controllers, dispatch,
  services, app, server
- faults and the control API: faults, control
- the command line: cli (__main__ for python3 -m)

The names below are the entry points and the ORM classes a script needs most; import
the modules for the rest.
"""

from . import models    # (defining the models registers them: orm.MODEL_CLASSES)
from .app import OdooEmulator
from .cli import main, parse_args
from .domain import Domain
from .orm import BaseModel, Env, Registry
from .seed import build_registry, seed_database
from .server import EmulatorServer, RequestHandler
from .versions import VERSIONS, Flavor

__all__ = ['VERSIONS', 'BaseModel', 'Domain', 'EmulatorServer', 'Env', 'Flavor', 'OdooEmulator', 'Registry',
           'RequestHandler', 'build_registry', 'main', 'models', 'parse_args', 'seed_database']
