-- SPDX-License-Identifier: MIT
-- Every libodoo error is raised as a table: {kind, code, name, message, odoo_class,
-- http_status, rpc_code, retryable, debug} with the metatable libodoo.Error.
local libodoo = require "libodoo"
local H = require "helpers"
local T = {}

local KINDS = {
  [libodoo.ERROR] = "Error", [libodoo.EAUTH] = "AuthError", [libodoo.EACCESS] = "AccessError",
  [libodoo.EVALIDATION] = "ValidationError", [libodoo.EMISSING] = "MissingError",
  [libodoo.EUSER] = "UserError", [libodoo.ENOTFOUND] = "NotFoundError",
  [libodoo.ESESSION] = "SessionExpired", [libodoo.ESERVER] = "ServerError",
  [libodoo.EHTTP] = "HTTPError", [libodoo.ETIMEOUT] = "TimeoutError",
  [libodoo.ENETWORK] = "NetworkError", [libodoo.EPROTOCOL] = "ProtocolError",
  [libodoo.EINVAL] = "InvalidArgument", [libodoo.ENOMEM] = "OutOfMemory",
  [libodoo.EINDOUBT] = "InDoubt", [libodoo.ETOOBIG] = "TooBig",
}

function T.every_code_has_its_kind()
  local n = 0
  for code, kind in pairs(KINDS) do
    H.eq(libodoo.error_kind(code), kind, "error_kind")
    local e = H.raises(kind, libodoo._raise_error, code, "raised for " .. code)
    H.eq(e.code, code, "code")
    H.eq(e.name, libodoo.error_name(code), "name")
    H.eq(e.message, "raised for " .. code, "message")
    H.eq(e.odoo_class, "", "odoo_class")
    H.eq(e.http_status, 0, "http_status")
    H.eq(e.rpc_code, -1, "rpc_code")
    H.eq(e.retryable, false, "retryable")
    H.eq(tostring(e), "libodoo." .. kind .. ": raised for " .. code, "tostring")
    n = n + 1
  end
  H.eq(n, 17, "kinds")
end

function T.auth_error()
  local s <close> = libodoo.Session(H.options{password = "wrong"})
  local e = H.raises("AuthError", s.login, s)
  H.eq(e.odoo_class, "odoo.exceptions.AccessDenied", "odoo_class")
  H.eq(e.http_status, 200, "http_status")
end

function T.access_error()
  local s <close> = libodoo.Session(H.options{login = "limited", password = "limited"})
  local e = H.raises("AccessError", s.search_read, s, "sale.order", nil, {"name"})
  H.eq(e.odoo_class, "odoo.exceptions.AccessError", "odoo_class")
  H.eq(e.rpc_code, 200, "rpc_code")
  assert(#e.debug > 0, "debug")
  assert(tostring(e):find("[odoo.exceptions.AccessError]", 1, true), tostring(e))
end

function T.validation_error()
  local s <close> = libodoo.Session(H.options())
  local e = H.raises("ValidationError", s.create, s, "res.partner", {comment = "no name"})
  H.eq(e.odoo_class, "odoo.exceptions.ValidationError", "odoo_class")
end

function T.missing_error()
  local s <close> = libodoo.Session(H.options())
  H.raises("MissingError", s.write, s, "res.partner", {999999}, {name = "ghost"})
end

function T.user_error()
  local s <close> = libodoo.Session(H.options())
  local order = s:search("sale.order", {{"state", "=", "sale"}}, nil, 1)
  H.raises("UserError", s.unlink, s, "sale.order", order)
end

function T.not_found_error()
  local s <close> = libodoo.Session(H.options())
  H.raises("NotFoundError", s.call_kw, s, "no.such.model", "search", {{}})
  H.raises("NotFoundError", s.call_kw, s, "res.partner", "no_such_method", {{}})
end

function T.session_expired()
  local s <close> = libodoo.Session(H.options{auto_reauth = false})
  s:login()
  H.faults{expire_all = true}
  local e = H.raises("SessionExpired", s.search_count, s, "res.partner")
  H.eq(e.retryable, true, "retryable")
end

function T.server_error()
  local s <close> = libodoo.Session(H.options())
  local e = H.raises("ServerError", s.call_kw, s, "res.partner", "search",
                     {{{"no_such_field", "=", 1}}})
  H.eq(e.odoo_class, "builtins.ValueError", "odoo_class")
end

function T.http_error()
  local s <close> = libodoo.Session(H.options())
  s:login()
  H.faults{html404_count = 1}
  local e = H.raises("HTTPError", s.search_count, s, "res.partner")
  H.eq(e.http_status, 404, "http_status")
end

function T.timeout_error()
  local s <close> = libodoo.Session(H.options{timeout_ms = 300, max_retries = 0})
  s:login()
  H.faults{delay_ms = 2000, delay_count = 1}
  local e = H.raises("TimeoutError", s.search_count, s, "res.partner")
  H.eq(e.retryable, true, "retryable")
end

function T.network_error()
  local s <close> = libodoo.Session{url = "http://127.0.0.1:1", database = "db", login = "u",
                                    password = "p", max_retries = 0}
  local e = H.raises("NetworkError", s.login, s)
  H.eq(e.http_status, 0, "http_status")
end

function T.protocol_error()
  local s <close> = libodoo.Session(H.options{max_retries = 0})
  s:login()
  H.faults{garbage_count = 1}
  H.raises("ProtocolError", s.search_count, s, "res.partner")
end

function T.invalid_argument()
  local s <close> = libodoo.Session(H.options())
  H.raises("InvalidArgument", s.call_kw, s, "bad model!", "search")
end

function T.in_doubt()
  local s <close> = libodoo.Session(H.options())
  local pid = s:create("res.partner", {name = "Doubtful"})[1]
  H.faults{status = 502, status_count = 1}
  local e = H.raises("InDoubt", s.write, s, "res.partner", pid, {name = "Maybe"})
  H.eq(e.http_status, 502, "http_status")
end

function T.swig_argument_errors_are_strings()
  local s <close> = libodoo.Session(H.options())
  local ok, e = pcall(s.search_count, s, 42)
  assert(not ok)
  local ok2 = pcall(s.search_count, s)
  assert(not ok2)
  assert(type(e) == "string" or getmetatable(e) == libodoo.Error, tostring(e))
end

return T
