-- SPDX-License-Identifier: MIT
-- The keyset iterator over 10,000 sale orders (run with --orders 10000).
local libodoo = require "libodoo"
local H = require "helpers"
local T = {}
local TOTAL = 10000

function T.iterate_10000_records()
  local s <close> = libodoo.Session(H.options())
  H.reset_stats()
  local it = s:iterate("sale.order", nil, {"name", "state"}, 1000)
  local count, last = 0, 0
  for record in it do
    H.eq(H.count(record), 3, "fields")
    assert(record.id > last)
    last = record.id
    count = count + 1
  end
  H.eq(count, TOTAL, "records")
  H.eq(it.count, TOTAL, "it.count")
  assert(it.pages == 10 or it.pages == 11, "pages " .. it.pages)
  H.eq(it:next(), nil, "stays at the end")
  H.eq(H.stats().calls["sale.order.search_read"], it.pages, "one call a page")
end

function T.iterate_by_pages()
  local s <close> = libodoo.Session(H.options())
  local expected = s:search_count("sale.order", {{"state", "=", "sale"}})
  local it = s:iterate("sale.order", {{"state", "=", "sale"}}, {"name"}, 500)
  local n, biggest = 0, 0
  while true do
    local page = it:next_page()
    if not page then break end
    n = n + #page
    biggest = math.max(biggest, #page)
  end
  H.eq(n, expected, "records")
  H.eq(biggest, 500, "page size")
end

function T.session_expiry_mid_iteration_is_transparent()
  local s <close> = libodoo.Session(H.options())
  s:login()
  H.faults{expire_sessions_every = 3}
  local seen, n = {}, 0
  for r in s:iterate("sale.order", nil, {"name"}, 500) do
    seen[r.id] = true
    n = n + 1
  end
  H.eq(n, TOTAL, "records")
  H.eq(H.count(seen), TOTAL, "distinct")
  assert(s.reauth_count >= 5, "reauth_count " .. s.reauth_count)
end

function T.session_expiry_mid_iteration_without_reauth()
  local s <close> = libodoo.Session(H.options{auto_reauth = false})
  s:login()
  local it <close> = s:iterate("sale.order", nil, {"name"}, 1000)
  local seen, n = {}, 0
  for _ = 1, 2500 do
    seen[it:next().id] = true
    n = n + 1
  end
  H.faults{expire_all = true}
  local e = H.raises("SessionExpired", function()
    for r in it do
      seen[r.id] = true
      n = n + 1
    end
  end)
  H.eq(e.retryable, true, "retryable")
  H.eq(e.rpc_code, 100, "rpc_code")
  H.eq(n, 3000, "the page already fetched was handed out")
  -- the iterator resumes after the last record it handed out; the client logs in again
  for r in it do
    seen[r.id] = true
    n = n + 1
  end
  H.eq(n, TOTAL, "records")
  H.eq(H.count(seen), TOTAL, "distinct")
  H.eq(s.login_count, 2, "login_count")
end

function T.iterator_keeps_its_session_alive()
  local it = libodoo.Session(H.options()):iterate("sale.order", {{"id", "<=", 1500}}, {"name"}, 400)
  collectgarbage()
  collectgarbage()
  local n = 0
  for _ in it do n = n + 1 end
  H.eq(n, 1500, "records")
end

function T.iterator_of_a_closed_session()
  local s = libodoo.Session(H.options())
  local it = s:iterate("sale.order", nil, {"name"}, 100)
  assert(it:next())
  s:close()
  H.raises("InvalidArgument", function() for _ in it do end end)
  H.eq(it:next(), nil, "ended")
end

return T
