-- SPDX-License-Identifier: MIT
-- run.lua SUITE.lua [CASE]: run the cases of a suite (every `function T.name()`
-- in it, in file order), or only CASE. Prints one line per case and
-- "N passed, N failed"; exits 0 only when every case ran and passed.
local file, only = arg[1], arg[2]
if not file then
  io.stderr:write("usage: lua5.4 run.lua SUITE.lua [CASE]\n")
  os.exit(2)
end

local T = dofile(file)
local names = {}
for line in io.lines(file) do
  local name = line:match("^function T%.([%w_]+)%(")
  if name and (not only or name == only) then
    names[#names + 1] = name
  end
end
if #names == 0 then
  io.stderr:write(("run.lua: no case %s in %s\n"):format(only or "at all", file))
  os.exit(1)
end

-- Cases of one file share an emulator when run together: each starts without faults.
local H = os.getenv("ODOO_EMULATOR_URL") and require("helpers")

local passed, failed = 0, 0
for _, name in ipairs(names) do
  if H then H.faults{reset = true} end
  local ok, err = xpcall(T[name], function(e)
    return debug.traceback(tostring(e), 2)
  end)
  collectgarbage()
  if ok then
    passed = passed + 1
    print("ok   " .. name)
  else
    failed = failed + 1
    print("FAIL " .. name .. ": " .. err)
  end
end
print(("%d passed, %d failed"):format(passed, failed))
collectgarbage()
os.exit(failed == 0 and passed > 0, true)
