# SPDX-License-Identifier: MIT
"""Cheap password hashing for the test servers, and only for them.

Odoo hashes passwords with PBKDF2-SHA512 at no fewer than 600,000 rounds
(res_users.MIN_ROUNDS): 0.3-0.5 s of CPU for every login, and on /jsonrpc for
every call, since each one checks the password (an API key is tried after the
password). The real-Odoo suite logs in thousands of times, so that is most of
its time. Loaded as a server-wide module, this lowers the floor to 1,000
rounds before any registry exists; realodoo.py stores the test users'
passwords hashed with 1,000 rounds, so Odoo verifies them as it always does,
with the same code, only cheaper, and never rehashes them (the rounds match).
"""


def post_load():
    from odoo.addons.base.models import res_users
    res_users.MIN_ROUNDS = 1000
