#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Launcher of the Odoo emulator, the package odoo_emulator/ next to this file.

    /usr/bin/python3 tests/emulator/odoo_emulator.py --port 0 [--version 16|17|18|19] [--orders N]

prints "LISTENING <port>" once it serves.  See tests/emulator/README.md.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from odoo_emulator.cli import main  # noqa: E402  (after the sys.path line)

if __name__ == '__main__':
    sys.exit(main())
