# SPDX-License-Identifier: MIT
"""python3 -m odoo_emulator (from tests/emulator): the same command line as odoo_emulator.py."""

import sys

from .cli import main

sys.exit(main())
