-- SPDX-License-Identifier: MIT
-- Sessions: options, login, native values, to-be-closed variables, garbage collection.
local libodoo = require "libodoo"
local H = require "helpers"
local T = {}

function T.version_and_constants()
  H.eq(libodoo.version(), libodoo.VERSION, "version")
  assert(libodoo.version_num() >= 0x000200)
  H.eq(libodoo.EACCESS, -3, "EACCESS")
  H.eq(math.type(libodoo.EACCESS), "integer", "an integer constant")
  H.eq(libodoo.error_name(libodoo.ESESSION), "ODOO_ESESSION")
  H.eq(libodoo.error_kind(libodoo.ESESSION), "SessionExpired")
  H.eq(libodoo.transport_name(libodoo.TRANSPORT_JSON2), "json2")
  H.eq(rawget(_G, "libodoo"), nil, "no global libodoo")
  H.eq(rawget(_G, "swig_type"), nil, "no global swig_type")
  H.eq(rawget(_G, "swig_equals"), nil, "no global swig_equals")
end

function T.require_libodoo_alone_leaves_aws_alone()
  H.eq(package.loaded["libodoo.aws"], nil, "libodoo.aws not loaded by libodoo")
  H.eq(rawget(libodoo, "DynamoDB"), nil, "no DynamoDB in libodoo")
  H.eq(rawget(libodoo, "dynamodb_sink"), nil, "no dynamodb_sink in libodoo")
  local s <close> = libodoo.Session(H.options())
  assert(s:search_count("sale.order") > 0, "search_count")
  local dir = H.tmpdir()
  local path = dir .. "/orders.jsonl"
  do
    local sink <close> = libodoo.json_sink{path = path}
    for r in s:iterate("sale.order", nil, {"name"}, 100) do sink:put(r) end
  end
  assert(H.exists(path), "the JSON sink wrote its file")
  H.rmdir(dir)
  H.eq(package.loaded["libodoo.aws"], nil, "libodoo.aws still not loaded")
end

function T.login_and_attributes()
  local s <close> = libodoo.Session(H.options())
  H.eq(s.uid, 0, "uid before login")
  H.eq(s.server_version, nil, "server_version before login")
  s:login()
  H.eq(s.uid, 2, "uid")
  H.eq(math.type(s.uid), "integer", "uid type")
  H.eq(s.server_version, "18.0", "server_version")
  H.eq(s.server_major, 18, "server_major")
  H.eq(s.transport, "session", "transport")
  H.eq(s.user_context.uid, 2, "user_context.uid")
  H.eq(s.session_info.uid, 2, "session_info.uid")
  H.eq(s.login_count, 1, "login_count")
  H.eq(s.last_http_status, 200, "last_http_status")
  H.eq(s.url, H.env.url, "url")
  assert(tostring(s):find("uid=2", 1, true), tostring(s))
end

function T.connect_logs_in()
  local s = libodoo.connect(H.options())
  H.eq(s.uid, 2, "uid")
  s:close()
  H.eq(s.closed, true, "closed")
  local e = H.raises("AuthError", libodoo.connect, H.options{password = "wrong"})
  H.eq(e.odoo_class, "odoo.exceptions.AccessDenied", "odoo_class")
end

function T.to_be_closed_session()
  local outer
  do
    local s <close> = libodoo.Session(H.options())
    assert(s:search_count("res.partner") > 0)
    outer = s
  end
  H.eq(outer.closed, true, "closed at the end of the scope")
  local e = H.raises("InvalidArgument", outer.search_count, outer, "res.partner")
  assert(e.message:find("closed"), e.message)
  outer:close()
end

function T.session_freed_on_garbage_collection()
  local dir = H.tmpdir()
  local cookies = dir .. "/cookies.txt"
  do
    local s = libodoo.Session(H.options{cookie_file = cookies})
    s:login()
    assert(not H.exists(cookies))
  end
  collectgarbage()
  collectgarbage()
  -- odoo_client_free() saves the cookie file: the client was freed.
  assert(H.exists(cookies), "the cookie file was not saved: the client was not freed")
  local again <close> = libodoo.Session(H.options{cookie_file = cookies})
  assert(again:search_count("res.partner") > 0)
  H.eq(again.login_count, 0, "the saved session was reused")
  H.rmdir(dir)
end

function T.native_values_round_trip()
  local s <close> = libodoo.Session(H.options())
  local name = "Zoë Café 日本商事 ✓"
  local pid = s:call_kw("res.partner", "create", {{name = name, is_company = true}})
  H.eq(math.type(pid), "integer", "id")
  local rows = s:call_kw("res.partner", "read", {{pid}},
                         {fields = {"name", "is_company", "parent_id", "comment"}})
  H.same(rows, {{id = pid, name = name, is_company = true, parent_id = false, comment = false}})
  local ids = s:call_kw("res.partner", "search", {{{"id", "in", {10, 11, 12}}}}, {order = "id"})
  H.same(ids, {10, 11, 12})
  local orders = s:search_read("sale.order", {}, {"amount_total"}, nil, 3)
  H.eq(#orders, 3, "orders")
  for _, o in ipairs(orders) do H.eq(math.type(o.amount_total), "float", "amount_total") end
  -- an empty table is an empty list, libodoo.object() an empty object
  assert(s:call_kw("res.partner", "search_count", {{}}, libodoo.object()) > 0)
  assert(s:call_kw("res.partner", "search_count", {libodoo.array()}, {}) > 0)
end

function T.json_mapping()
  H.eq(libodoo.encode({}), "[]")
  H.eq(libodoo.encode(libodoo.object()), "{}")
  H.eq(libodoo.encode({1, 2, {a = libodoo.null}}), '[1,2,{"a":null}]')
  H.eq(libodoo.encode({[1] = "a", [3] = "c"}), '{"1":"a","3":"c"}')
  H.eq(libodoo.encode(1.5), "1.5")
  -- the shortest text that reads back as the same number (issue 14): not %.17g
  H.eq(libodoo.encode({x = 615.84, y = 0.1 + 0.2, z = 1e21}), '{"x":615.84,"y":0.30000000000000004,"z":1e+21}')
  H.eq(libodoo.encode({[0.1] = true}), '{"0.1":true}')
  local v = libodoo.decode('{"a":[],"b":{},"c":null,"d":1,"e":1.0,"f":"é"}')
  H.eq(#v.a, 0, "empty array")
  H.eq(getmetatable(v.b) ~= nil, true, "empty object marked")
  H.eq(libodoo.encode(v.b), "{}")
  H.eq(v.c, libodoo.null, "null")
  assert(libodoo.is_null(v.c))
  H.eq(math.type(v.d), "integer", "integer")
  H.eq(math.type(v.e), "float", "float")
  H.eq(v.f, "é", "utf-8")
end

function T.values_that_are_not_json()
  local s <close> = libodoo.Session(H.options())
  H.reset_stats()
  local e = H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {{{"id", "=", print}}})
  assert(e.message:find("function"), e.message)
  H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {{{"x", "=", 0/0}}})
  H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {{{"x", "=", "\xff"}}})
  H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {}, {[true] = 1})
  local cyclic = {}
  cyclic[1] = cyclic
  H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {cyclic})
  H.raises("InvalidArgument", s.call_kw, s, "res.partner", "search", {a = 1})
  H.eq(H.stats().requests, 0, "requests")
end

function T.context_attribute()
  local s <close> = libodoo.Session(H.options())
  H.eq(s.context, nil, "no context")
  s.context = {lang = "fr_FR", tz = "Europe/Brussels"}
  H.same(s.context, {lang = "fr_FR", tz = "Europe/Brussels"})
  assert(s:search_count("res.partner") > 0)
  s.context = nil
  H.eq(s.context, nil, "cleared")
  H.raises("InvalidArgument", function() s.context = {1} end)
end

function T.session_options_are_checked()
  H.raises("InvalidArgument", libodoo.Session, H.options{bogus = 1})
  H.raises("InvalidArgument", libodoo.Session, H.options{transport = "pigeon"})
  H.raises("InvalidArgument", libodoo.Session, H.options{timeout_ms = "soon"})
  H.raises("InvalidArgument", libodoo.Session, {database = "x"})
  H.raises("InvalidArgument", libodoo.Session, {url = "ftp://example.com"})
  local s <close> = libodoo.Session(H.options{
    transport = "session", timeout_ms = 5000, connect_timeout_ms = 1000, verify_peer = true,
    verify_host = true, auto_reauth = true, max_retries = 0, retry_base_ms = 10,
    retry_max_ms = 20, user_agent = "tests/1", low_speed_limit = 1, low_speed_time_s = 30,
    proxy = "", context = {lang = "en_US"}})
  H.same(s.context, {lang = "en_US"})
  assert(s:search_count("res.partner") > 0)
end

function T.env_option_reads_the_environment()
  local s <close> = libodoo.Session{env = true}
  H.eq(s.url, H.env.url, "url")
  s:login()
  H.eq(s.uid, 2, "uid")
  local wrong <close> = libodoo.Session{env = true, password = "wrong"}
  H.raises("AuthError", wrong.login, wrong)
end

function T.logout_then_call_logs_in_again()
  local s <close> = libodoo.Session(H.options())
  s:login()
  s:logout()
  assert(s:search_count("res.partner") > 0)
  H.eq(s.login_count, 2, "login_count")
end

return T
