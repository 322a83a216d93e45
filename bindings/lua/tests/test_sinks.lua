-- SPDX-License-Identifier: MIT
-- The JSON file sink (and the DynamoDB sink's option checks, libodoo.aws and the
-- deprecated AWS names of libodoo).
local libodoo = require "libodoo"
local aws = require "libodoo.aws"
local H = require "helpers"
local T = {}

function T.json_array_sink_from_an_iterator()
  local dir = H.tmpdir()
  local path = dir .. "/orders.json"
  local s <close> = libodoo.Session(H.options())
  local expected = s:search_read("sale.order", nil, {"name", "amount_total"}, "id")
  do
    local sink <close> = libodoo.json_sink{path = path, format = "array"}
    for r in s:iterate("sale.order", nil, {"name", "amount_total"}, 100) do sink:put(r) end
    assert(not H.exists(path), "whole-file output appears at close")
  end
  H.same(libodoo.decode(H.read_file(path)), expected)
  H.eq(#expected, 250, "records")
  H.rmdir(dir)
end

function T.json_lines_sink_and_stats()
  local dir = H.tmpdir()
  local path = dir .. "/partners.jsonl"
  local s <close> = libodoo.Session(H.options())
  local rows = s:search_read("res.partner", nil, {"name", "is_company"}, "id")
  local sink = libodoo.json_sink{path = path, append = true, flush_records = 0}
  H.eq(sink.type, "json", "type")
  H.eq(sink:put_all(rows), #rows, "put_all")
  local st = sink:stats()
  H.eq(st.records, #rows, "records")
  H.eq(st.written, 0, "written")
  sink:flush()
  H.eq(sink:stats().written, #rows, "written after flush")
  sink:close()
  H.eq(sink.closed, true, "closed")
  local i = 0
  for line in io.lines(path) do
    i = i + 1
    H.same(libodoo.decode(line), rows[i])
  end
  H.eq(i, #rows, "lines")
  H.raises("InvalidArgument", sink.put, sink, {after = "close"})
  H.rmdir(dir)
end

function T.sink_is_aborted_when_the_scope_raises()
  local dir = H.tmpdir()
  local path = dir .. "/never.json"
  local ok = pcall(function()
    local sink <close> = libodoo.json_sink{path = path, format = "array"}
    sink:put({id = 1})
    error("boom")
  end)
  assert(not ok)
  assert(not H.exists(path), "aborted")
  H.rmdir(dir)
end

function T.unclosed_sink_is_aborted_on_garbage_collection()
  local dir = H.tmpdir()
  local path = dir .. "/dropped.json"
  do
    local sink = libodoo.json_sink{path = path}
    sink:put({id = 1})
  end
  collectgarbage()
  collectgarbage()
  local p = io.popen("env -u LD_PRELOAD ls -A '" .. dir .. "'")
  H.eq(p:read("a"), "", "nothing left")
  p:close()
  H.rmdir(dir)
end

function T.sink_arguments_are_checked()
  local dir = H.tmpdir()
  do
    local sink <close> = libodoo.json_sink{path = dir .. "/x.jsonl"}
    H.raises("InvalidArgument", sink.put, sink, {1, 2})
    H.raises("InvalidArgument", sink.put_all, sink, {{id = 1}, 2})
    H.raises("InvalidArgument", sink.put, sink, {id = print})
    assert(tostring(sink):find("libodoo.Sink(json, open)", 1, true), tostring(sink))
  end
  assert(H.exists(dir .. "/x.jsonl"), "closed at the end of the scope")
  H.raises("InvalidArgument", libodoo.json_sink, {path = dir .. "/y.json", bogus = true})
  H.raises("InvalidArgument", libodoo.json_sink, {path = dir .. "/y.json", format = "xml"})
  H.raises("InvalidArgument", libodoo.json_sink, {})
  local ok, e = pcall(libodoo.json_sink, {path = dir .. "/no/such/dir.json"})
  assert(not ok and getmetatable(e) == libodoo.Error and #e.message > 0, tostring(e))
  H.rmdir(dir)
end

function T.dynamodb_sink_options_are_checked()
  H.raises("InvalidArgument", aws.dynamodb_sink, {table = "orders", mode = "sometimes",
                                                  region = "eu-west-1"})
  H.raises("InvalidArgument", aws.dynamodb_sink, {table = "orders", bogus = 1,
                                                  region = "eu-west-1"})
  H.raises("InvalidArgument", aws.dynamodb_sink, {table = "orders", access_key_id = "AKID",
                                                  region = "eu-west-1"})
end

function T.aws_module_has_the_aws_names()
  H.eq(require "libodoo.aws", aws, "one table")
  H.eq(type(aws.dynamodb_sink), "function", "dynamodb_sink")
  assert(aws.DynamoDB, "DynamoDB")
  H.eq(aws.AWS_DEFAULT_MAX_RETRIES, 3, "AWS_DEFAULT_MAX_RETRIES")
  assert(aws.DYNAMODB_BATCH ~= aws.DYNAMODB_CONDITIONAL, "DYNAMODB_*")
  for _, name in ipairs{"DynamoDB", "dynamodb_sink", "AWS_DEFAULT_MAX_RETRIES", "DYNAMODB_BATCH"} do
    H.eq(rawget(libodoo, name), nil, "libodoo." .. name .. " is not in the module table")
  end
  assert(rawget(libodoo, "json_sink") and rawget(libodoo, "Session"), "the core names stay")
end

function T.old_aws_names_still_work()
  -- deprecated aliases for one release: the same values, with a lua_warning()
  for _, name in ipairs{"DynamoDB", "dynamodb_sink", "AWS_DEFAULT_MAX_RETRIES", "DYNAMODB_BATCH"} do
    assert(rawequal(libodoo[name], aws[name]), "libodoo." .. name)
  end
  H.raises("InvalidArgument", libodoo.dynamodb_sink, {table = "orders", mode = "sometimes",
                                                      region = "eu-west-1"})
  H.eq(libodoo.no_such_name, nil, "other names")
end

return T
