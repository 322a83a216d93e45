-- SPDX-License-Identifier: MIT
-- Helpers of the Lua binding's tests: assertions, the emulator's control API
-- (through curl), the connection settings exported by run_with_emulator.py.
local libodoo = require "libodoo"

local H = {}

H.env = {
  url = os.getenv("ODOO_URL"),
  database = os.getenv("ODOO_DB"),
  login = os.getenv("ODOO_USER"),
  password = os.getenv("ODOO_PASSWORD"),
}

function H.options(extra)
  local o = {}
  for k, v in pairs(H.env) do o[k] = v end
  for k, v in pairs(extra or {}) do o[k] = v end
  return o
end

function H.eq(a, b, what)
  if a ~= b then
    error(("%s: expected %s, got %s"):format(what or "value", tostring(b), tostring(a)), 2)
  end
end

-- Deep equality of plain values (libodoo.null compares by identity).
local function deq(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not deq(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end
H.deq = deq

function H.same(a, b, what)
  if not deq(a, b) then
    error(("%s: %s ~= %s"):format(what or "values", libodoo.encode(a), libodoo.encode(b)), 2)
  end
end

-- Call f(...) and expect an error table of the given kind; returns it.
function H.raises(kind, f, ...)
  local ok, e = pcall(f, ...)
  if ok then error("expected libodoo." .. kind .. ", nothing was raised", 2) end
  if type(e) ~= "table" or getmetatable(e) ~= libodoo.Error then
    error("expected libodoo." .. kind .. ", got " .. tostring(e), 2)
  end
  if e.kind ~= kind then error("expected libodoo." .. kind .. ", got " .. tostring(e), 2) end
  return e
end

function H.count(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  return n
end

local function curl(method, path, body)
  local url = os.getenv("ODOO_EMULATOR_URL") .. path
  -- (env -u LD_PRELOAD: a sanitizer runtime preloaded for the module is not curl's)
  local cmd = ("env -u LD_PRELOAD curl -sS -X %s -H 'Content-Type: application/json' --data-binary '%s' %s")
              :format(method, body or "", url)
  if method == "GET" then cmd = ("env -u LD_PRELOAD curl -sS %s"):format(url) end
  local p = assert(io.popen(cmd))
  local out = p:read("a")
  assert(p:close(), "curl failed: " .. cmd)
  return libodoo.decode(out)
end

function H.faults(spec)
  local answer = curl("POST", "/__emulator/faults", libodoo.encode(spec))
  assert(answer.ok, "faults refused: " .. libodoo.encode(answer))
end

function H.stats() return curl("GET", "/__emulator/stats") end

function H.reset_stats() curl("POST", "/__emulator/reset_stats", "{}") end

function H.exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

function H.tmpdir()
  local p = assert(io.popen("env -u LD_PRELOAD mktemp -d"))
  local dir = p:read("l")
  p:close()
  return dir
end

function H.rmdir(dir) os.execute("env -u LD_PRELOAD rm -rf '" .. dir .. "'") end

function H.read_file(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("a")
  f:close()
  return s
end

return H
