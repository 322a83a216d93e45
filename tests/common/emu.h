// SPDX-License-Identifier: MIT
/* Helpers for the integration tests: the emulator started by
 * tests/emulator/run_with_emulator.py, its control API, and clients. */
#ifndef ODOO_TEST_EMU_H
#define ODOO_TEST_EMU_H

#include <jansson.h>

#include "odoo.h"

/* The emulator's base URL (ODOO_EMULATOR_URL); aborts the test when unset. */
const char *emu_url(void);
/* Options for the emulator's database as login/password (NULL: admin/admin). */
void emu_options(odoo_client_options *o, const char *login, const char *password);
/* A new client (admin/admin unless given); fails the test on error. */
odoo_client *emu_client(const char *login, const char *password);
/* POST a JSON text to /__emulator/faults; fails the test unless accepted. */
void emu_fault(const char *json_text);
/* GET /__emulator/stats: a new reference. */
json_t *emu_stats(void);
/* How many times the emulator executed <model>.<method>. */
long long emu_calls(const char *model_method);
/* Assert that rc is expected, printing the client's error otherwise. */
#define EMU_ASSERT_RC(client, rc, expected)                                             \
    do {                                                                               \
        int rc_ = (rc);                                                                \
        if (rc_ != (expected))                                                         \
            fail_msg("%s:%d: expected %s, got %s: %s", __FILE__, __LINE__,             \
                     odoo_error_name(expected), odoo_error_name(rc_),                  \
                     odoo_error_message(odoo_client_last_error(client)));              \
    } while (0)

#endif
