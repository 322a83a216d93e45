-- SPDX-License-Identifier: MIT
-- The whitelisted helpers, batches and the (write_date, id) cursor.
local libodoo = require "libodoo"
local H = require "helpers"
local T = {}

local function session() return libodoo.Session(H.options()) end

function T.search_read_with_a_whitelist()
  local s <close> = session()
  local rows = s:search_read("sale.order", {{"state", "=", "sale"}},
                             {"name", "amount_total", "partner_id"}, "id desc", 5)
  H.eq(#rows, 5, "rows")
  local last = math.huge
  for _, r in ipairs(rows) do
    H.eq(H.count(r), 4, "fields")
    assert(r.id and r.name and r.amount_total and r.partner_id)
    H.eq(type(r.partner_id[2]), "string", "many2one name")
    assert(r.id < last)
    last = r.id
  end
  local page2 = s:search_read("sale.order", {{"state", "=", "sale"}}, {"name"}, "id desc", 5, 5)
  assert(page2[1].id < last)
end

function T.unknown_field_is_refused_before_any_data_moves()
  local s <close> = session()
  s:fields_check("sale.order", {"name"})
  H.reset_stats()
  local e = H.raises("InvalidArgument", s.search_read, s, "sale.order", nil, {"name", "nope"})
  assert(e.message:find("no field 'nope'", 1, true), e.message)
  H.raises("InvalidArgument", s.search_read, s, "sale.order", {{"nope", "=", 1}}, {"name"})
  H.raises("InvalidArgument", s.search_read, s, "sale.order", nil, {})
  H.raises("InvalidArgument", s.search_read, s, "sale.order")
  H.eq(H.stats().calls["sale.order.search_read"], nil, "no search_read")
end

function T.search_count_and_read()
  local s <close> = session()
  local ids = s:search("res.partner", {{"is_company", "=", true}}, "id", 3)
  H.eq(#ids, 3, "ids")
  local rows = s:read("res.partner", ids, {"name", "is_company"})
  for i, r in ipairs(rows) do
    H.eq(r.id, ids[i], "id")
    H.eq(r.is_company, true, "is_company")
  end
  H.eq(s:read("res.partner", ids[1], {"name"})[1].id, ids[1], "one id")
  H.eq(#s:read("res.partner", {999999}, {"name"}), 0, "missing ids dropped")
  local n = s:search_count("res.partner", {{"is_company", "=", true}})
  H.eq(math.type(n), "integer", "count")
  H.eq(n, #s:search("res.partner", {{"is_company", "=", true}}), "count")
end

function T.write_and_read_back()
  local s <close> = session()
  local pid = s:create("res.partner", {name = "Before"})[1]
  s:write("res.partner", {pid}, {name = "After", comment = "written by Lua", is_company = true})
  H.same(s:read("res.partner", {pid}, {"name", "comment", "is_company"})[1],
         {id = pid, name = "After", comment = "written by Lua", is_company = true})
  s:write("res.partner", pid, {comment = false})
  H.eq(s:read("res.partner", pid, {"comment"})[1].comment, false, "comment")
end

function T.create_many_and_unlink()
  local s <close> = session()
  local ids = s:create("res.partner", {{name = "A"}, {name = "B"}, {name = "C"}})
  H.eq(#ids, 3, "ids")
  s:unlink("res.partner", ids)
  H.eq(#s:read("res.partner", ids, {"name"}), 0, "unlinked")
end

function T.fields_get()
  local s <close> = session()
  local f = s:fields_get("res.partner", {"type", "string"})
  H.eq(f.name.type, "char", "name type")
  assert(s:fields_get("sale.order").id)
end

function T.create_batch()
  local s <close> = session()
  H.reset_stats()
  local records = {}
  for i = 1, 1200 do records[i] = {name = "Batch " .. i, ref = ("B-%04d"):format(i)} end
  local ids = s:create_batch("res.partner", records, 500)
  H.eq(#ids, 1200, "ids")
  H.eq(H.stats().calls["res.partner.create"], 3, "create calls")
  H.eq(s:search_count("res.partner", {{"ref", "=like", "B-%"}}), 1200, "created")
end

function T.create_batch_failure_tells_what_was_created()
  local s <close> = session()
  local records = {}
  for i = 1, 5 do records[i] = {name = "Good " .. i} end
  records[6] = {comment = "no name"}
  local e = H.raises("ValidationError", s.create_batch, s, "res.partner", records, 5)
  H.eq(#e.created_ids, 5, "created_ids")
end

function T.write_grouped()
  local s <close> = session()
  local new = {}
  for i = 1, 10 do new[i] = {name = "G" .. i} end
  local ids = s:create("res.partner", new)
  local updates = {}
  for n, pid in ipairs(ids) do
    updates[n] = {id = pid, values = {comment = n % 2 == 1 and "odd" or "even"}}
  end
  H.reset_stats()
  H.eq(s:write_grouped("res.partner", updates), 2, "calls")
  H.eq(H.stats().calls["res.partner.write"], 2, "write calls")
end

function T.upsert()
  local s <close> = session()
  local r = s:upsert("product.product", "default_code", {
    {default_code = "P-0001", name = "Renamed by upsert"},
    {default_code = "NEW-0001", name = "Made by upsert"}})
  H.eq(#r.created, 1, "created")
  H.eq(#r.updated, 1, "updated")
end

function T.upsert_skip_unchanged_and_archived()
  local s <close> = session()
  local rows = {{default_code = "SKIP-0001", name = "Same", list_price = 12.5}}
  H.eq(#s:upsert("product.product", "default_code", rows).created, 1, "created")
  local r = s:upsert("product.product", "default_code", rows, 0, nil, true)
  H.eq(#r.updated + #r.created, 0, "written")
  H.eq(#r.unchanged, 1, "unchanged")
  local pid = r.unchanged[1]
  rows[1].list_price = 13.0
  s:write("product.product", pid, {active = false})
  r = s:upsert("product.product", "default_code", rows, 0, nil, true)
  H.same(r.updated, {pid}, "updated")
  H.same(r.archived, {pid}, "archived")
end

function T.empty_field_list_is_said_in_lua()
  -- issue 14: the message spoke of the C library's "NULL-terminated list"
  local s <close> = session()
  local ok, err = pcall(s.search_read, s, "res.partner", libodoo.array(), libodoo.array())
  H.eq(ok, false)
  H.eq(err.kind, "InvalidArgument")
  H.eq(err.message:find("NULL", 1, true), nil, err.message)
  ok, err = pcall(s.search_read, s, "res.partner", {a = 1}, {"name"})
  H.eq(err.message, "domain must be an array (a table), not a table with keys")
end

function T.changed_since_cursor_resumes()
  local s <close> = session()
  local total = s:search_count("sale.order")
  local it = s:changed_since("sale.order", nil, {"name", "write_date"}, 100)
  local wd0, id0 = it:cursor()
  H.eq(wd0, nil, "no write_date yet")
  H.eq(id0, 0, "no id yet")
  local seen, last = {}, nil
  for _ = 1, 150 do
    last = it:next()
    seen[#seen + 1] = last.id
  end
  local wd, id = it:cursor()
  H.eq(id, last.id, "cursor id")
  H.eq(wd, last.write_date, "cursor write_date")
  it:close()
  for r in s:changed_since("sale.order", nil, {"name"}, 100, wd, id) do seen[#seen + 1] = r.id end
  local unique = {}
  for _, v in ipairs(seen) do unique[v] = true end
  H.eq(#seen, total, "all records")
  H.eq(H.count(unique), total, "no duplicate")
end

function T.changed_since_overlap_reads_the_cursor_second_again()
  local s <close> = session()
  local it = s:changed_since("sale.order", nil, {"name", "write_date"}, 100)
  local same = {}
  for r in it do same[#same + 1] = r end
  local wd, id = it:cursor()
  local n = 0
  for _, r in ipairs(same) do if r.write_date == wd then n = n + 1 end end
  local strict, again = 0, 0
  for _ in s:changed_since("sale.order", nil, {"name"}, 100, wd, id) do strict = strict + 1 end
  for r in s:changed_since("sale.order", nil, {"name", "write_date"}, 100, wd, id, 0) do
    H.eq(r.write_date, wd, "only the cursor's second")
    again = again + 1
  end
  H.eq(strict, 0, "the strict cursor reads nothing")
  H.eq(again, n, "overlap 0 reads the cursor's second again")
end

return T
