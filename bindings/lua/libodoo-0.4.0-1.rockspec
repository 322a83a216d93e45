-- SPDX-License-Identifier: MIT
-- The Lua 5.4 binding of libodoo (require "libodoo", require "libodoo.aws"),
-- built by rock.mk against the libodoo that is INSTALLED (the C library and its
-- development files), found with pkg-config; SWIG runs at build time. From the
-- checkout, offline:
--
--   apt-get install luarocks lua5.4 liblua5.4-dev swig pkg-config
--   cd bindings/lua
--   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig luarocks --lua-version 5.4 make --tree /tmp/x
--   LUA_CPATH='/tmp/x/lib/lua/5.4/?.so;;' lua5.4 -e 'print(require("libodoo").version())'
--
-- bindings/check_package.py (ctest bindings.lua.rockspec) does that and runs the tests.
rockspec_format = "3.0"
package = "libodoo"
version = "0.4.0-1"
source = {
   -- `luarocks make` builds the checkout it runs in and fetches nothing. For
   -- `luarocks build`, a source tarball of the release (git archive
   -- --prefix=libodoo-0.4.0/ v0.4.0) with this URL pointing at it:
   url = "file://libodoo-0.4.0.tar.gz",
   dir = "libodoo-0.4.0/bindings/lua",
}
description = {
   summary = "A client for Odoo (the ERP): the Lua binding of the C library libodoo",
   detailed = [[
Sessions (JSON-RPC, JSON-2, web sessions), search_read, keyset iteration over
whole models, batched create/write/upsert, JSON file and DynamoDB sinks, with
Odoo's errors as error tables. JSON values are Lua values (libodoo.null,
libodoo.object(), libodoo.array()). The AWS parts are require "libodoo.aws".
]],
   license = "MIT",
   labels = { "odoo", "erp", "json-rpc", "dynamodb" },
}
supported_platforms = { "linux" }
dependencies = {
   "lua >= 5.4, < 5.5",
}
build = {
   type = "make",
   makefile = "rock.mk",
   build_variables = {
      CC = "$(CC)",
      CFLAGS = "$(CFLAGS)",
      LIBFLAG = "$(LIBFLAG)",
      LUA_INCDIR = "$(LUA_INCDIR)",
   },
   install_variables = {
      LIBDIR = "$(LIBDIR)",
   },
}
