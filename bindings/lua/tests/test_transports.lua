-- SPDX-License-Identifier: MIT
-- The three transports (run against an Odoo 19 emulator with an API key).
local libodoo = require "libodoo"
local H = require "helpers"
local T = {}

local function key_options(extra)
  local o = {url = H.env.url, database = H.env.database, login = H.env.login,
             api_key = os.getenv("ODOO_API_KEY")}
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

function T.auto_picks_json2_for_an_api_key_on_19()
  local s <close> = libodoo.Session(key_options())
  local rows = s:search_read("sale.order", nil, {"name"}, "id", 3)
  H.same({rows[1].id, rows[2].id, rows[3].id}, {1, 2, 3})
  H.eq(s.transport, "json2", "transport")
  H.eq(s.server_major, 19, "server_major")
end

function T.jsonrpc_with_an_api_key()
  local s <close> = libodoo.Session(key_options{transport = "jsonrpc"})
  s:login()
  H.eq(s.uid, 2, "uid")
  H.eq(s.transport, "jsonrpc", "transport")
end

function T.session_with_a_password()
  local s <close> = libodoo.Session(H.options{transport = "session"})
  s:login()
  H.eq(s.transport, "session", "transport")
  H.eq(s.server_major, 19, "server_major")
end

function T.forced_json2()
  local s <close> = libodoo.Session(key_options{transport = libodoo.TRANSPORT_JSON2})
  local ids = s:create("res.partner", {{name = "via JSON-2"}})
  H.eq(s:read("res.partner", ids, {"name"})[1].name, "via JSON-2", "name")
  H.raises("NotFoundError", s.call_kw, s, "no.such.model", "search", {{}})
  H.raises("MissingError", s.write, s, "res.partner", {999999}, {name = "x"})
end

function T.wrong_api_key()
  for _, transport in ipairs{"json2", "jsonrpc"} do
    local s <close> = libodoo.Session(key_options{transport = transport, api_key = "not-the-key"})
    H.raises("AuthError", s.search_count, s, "res.partner")
  end
end

return T
