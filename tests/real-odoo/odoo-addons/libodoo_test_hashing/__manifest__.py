# SPDX-License-Identifier: MIT
# A server-wide module of the test harness (never installed in a database):
# realodoo.py loads it with `server_wide_modules` so that password checks are
# cheap. See __init__.py.
{
    "name": "libodoo tests: cheap password hashing",
    "version": "1.0",
    "depends": ["base"],
    "post_load": "post_load",
    "installable": True,
    "license": "Other OSI approved licence",
}
