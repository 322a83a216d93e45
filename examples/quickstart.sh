#!/usr/bin/env bash
# README's first command: install what is needed, build libodoo, start the
# bundled Odoo emulator with a few thousand orders, and fetch the newest sale
# orders through odoo-call. Stops the server it started.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup-debian.sh
cmake -S . -B build -DPython3_EXECUTABLE=/usr/bin/python3 -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)" > /dev/null
echo "built: $(ls build/src/libodoo.so.* | head -n1), build/examples/odoo-call"

mkdir -p out
cat > out/.job.sh <<'JOB'
set -euo pipefail
echo "Odoo emulator at $ODOO_URL (database $ODOO_DB, user $ODOO_USER)"
echo "== orders in the database:"
build/examples/odoo-call sale.order search_count '[[]]'
echo "== the 5 newest orders (id, name, customer, total, state, date):"
build/examples/odoo-call --pretty sale.order search_read '[[]]' \
  '{"fields":["name","partner_id","amount_total","state","date_order"],"limit":5,"order":"id desc"}'
build/examples/odoo-call sale.order search_read '[[]]' \
  '{"fields":["id","name","partner_id","amount_total","state","date_order"],"limit":100,"order":"id desc"}' \
  > out/orders.json
echo "== wrote the newest 100 orders to out/orders.json"
JOB
/usr/bin/python3 tests/emulator/run_with_emulator.py --orders 3000 -- bash out/.job.sh
rm -f out/.job.sh
