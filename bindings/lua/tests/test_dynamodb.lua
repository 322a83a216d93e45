-- SPDX-License-Identifier: MIT
-- The DynamoDB sink and client against DynamoDB Local (run under
-- tests/sinks/run_with_aws.py --dynamodb).
local aws = require "libodoo.aws"
local H = require "helpers"
local T = {}

function T.sink_writes_records_as_items()
  local db = aws.DynamoDB()
  db:create_table("orders", "id")
  H.eq(db:describe_table("orders").TableStatus, "ACTIVE", "status")
  local records = {}
  for i = 1, 120 do
    records[i] = {id = i, name = ("S%05d"):format(i), amount_total = i * 1.5,
                  partner_id = {7, "Zoë Café"}, confirmed = i % 2 == 0}
  end
  do
    local sink <close> = aws.dynamodb_sink{table = "orders"}
    H.eq(sink.type, "dynamodb", "type")
    H.eq(sink:put_all(records), 120, "put_all")
  end
  local items = db:scan("orders")
  table.sort(items, function(a, b) return a.id < b.id end)
  H.same(items, records)
  local raw = db:call("GetItem", {TableName = "orders", Key = {id = {N = "2"}}})
  H.same(raw.Item.amount_total, {N = "3"})
end

function T.errors()
  local db = aws.DynamoDB{}
  local e = H.raises("NotFoundError", aws.dynamodb_sink, {table = "no_such_table"})
  H.eq(e.odoo_class, "ResourceNotFoundException", "odoo_class")
  db:create_table("tbl", "id")
  e = H.raises("ServerError", db.create_table, db, "tbl", "id")
  H.eq(e.odoo_class, "ResourceInUseException", "odoo_class")
end

return T
