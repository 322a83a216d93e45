// SPDX-License-Identifier: MIT
/*
 * odoo-call: call one Odoo model method and print the result as JSON.
 *
 *   ODOO_URL=https://acme.odoo.com ODOO_DB=acme ODOO_USER=me@acme.com \
 *   ODOO_PASSWORD=... odoo-call sale.order search_read '[[]]' '{"limit":3}'
 *
 * The connection comes from the environment only, so that no secret ever
 * appears on a command line (visible to every user in `ps`).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <odoo.h>

#include "tool_common.h"

enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1, /* Odoo refused the call (server-side error) */
    EXIT_USAGE = 2,
    EXIT_AUTH = 3,
    EXIT_TRANSPORT = 4 /* network, HTTP, timeout, protocol */
};

static void usage(FILE *f)
{
    fputs("Usage: odoo-call [--pretty] [--timeout SECONDS] [--retry-deadline SECONDS]\n"
          "                 [--max-response-bytes N] [--allow-insecure-http]\n"
          "                 [--transport T] MODEL METHOD [ARGS_JSON [KWARGS_JSON]]\n"
          "\n"
          "Calls METHOD of MODEL on an Odoo server and prints the result as JSON on\n"
          "stdout.\n"
          "\n"
          "  ARGS_JSON     positional arguments, a JSON array (default [])\n"
          "  KWARGS_JSON   keyword arguments, a JSON object (default {})\n"
          "  --pretty      indent the JSON output\n"
          "  --timeout S   whole-call timeout in seconds (default 120)\n"
          "  --retry-deadline S  keep retrying while Odoo is unavailable (connection\n"
          "                refused, HTTP 502/503/504; reads only for the HTTP ones) for\n"
          "                up to S seconds (default 60; 0 = only 3 retries)\n"
          "  --max-response-bytes N  stop an answer larger than N bytes (suffixes k, M,\n"
          "                G: KiB, MiB, GiB; default 256M; 0 = no cap) with ODOO_ETOOBIG\n"
          "  --allow-insecure-http  send the password or API key over plain http:// to\n"
          "                a host that is not loopback (a trusted internal network only;\n"
          "                refused by default: they would cross the network in clear text)\n"
          "  --transport T auto (default), session (/web/session + call_kw, password),\n"
          "                jsonrpc (/jsonrpc execute_kw, password or API key) or\n"
          "                json2 (Odoo 19+ /json/2, API key). auto uses json2 on 19+\n"
          "                and jsonrpc before 19 when ODOO_API_KEY is set, else session.\n"
          "  --help        show this text\n"
          "  --version     show the libodoo version\n"
          "\n"
          "Connection (environment only; secrets never go on the command line):\n"
          "  ODOO_URL        base URL, e.g. https://acme.odoo.com\n"
          "  ODOO_DB         database name\n"
          "  ODOO_USER       login (ODOO_EMAIL is accepted too)\n"
          "  ODOO_PASSWORD   password\n"
          "  ODOO_API_KEY    API key (instead of, or with, the password)\n"
          "  ODOO_CA_FILE    optional PEM file of trusted CAs\n"
          "\n"
          "Example:\n"
          "  odoo-call sale.order search_read '[[]]' \\\n"
          "      '{\"fields\":[\"name\",\"partner_id\"],\"limit\":3,\"order\":\"id desc\"}'\n"
          "\n"
          "Errors go to stderr as one line: odoo-call: <ERROR_NAME> [<Odoo class>]: <message>\n"
          "\n"
          "Exit status:\n"
          "  0  success\n"
          "  1  Odoo refused the call (access, validation, missing record, user error,\n"
          "     unknown model or method, other server exception)\n"
          "  2  usage error (bad arguments, missing environment)\n"
          "  3  authentication failed\n"
          "  4  network, HTTP, timeout or protocol error\n",
          f);
}

static int exit_code_for(int rc)
{
    switch (rc) {
    case ODOO_OK:
        return EXIT_OK;
    case ODOO_EAUTH:
        return EXIT_AUTH;
    case ODOO_EACCESS:
    case ODOO_EVALIDATION:
    case ODOO_EMISSING:
    case ODOO_EUSER:
    case ODOO_ENOTFOUND:
    case ODOO_ESERVER:
        return EXIT_REFUSED;
    case ODOO_EINVAL:
        return EXIT_USAGE;
    default: /* ESESSION, EHTTP, ETIMEOUT, ENETWORK, EPROTOCOL, EINDOUBT, ETOOBIG, ENOMEM, ERROR */
        return EXIT_TRANSPORT;
    }
}

/* One line: the message with its line breaks folded (Odoo's messages can
 * span several lines). */
static void print_error(int rc, const odoo_error *err)
{
    const char *klass = odoo_error_class(err);
    const char *msg = odoo_error_message(err);
    fprintf(stderr, "odoo-call: %s", odoo_error_name(rc));
    if (klass[0])
        fprintf(stderr, " [%s]", klass);
    fputs(": ", stderr);
    if (!msg[0])
        msg = odoo_strerror(rc);
    for (; *msg; msg++)
        fputc(*msg == '\n' || *msg == '\r' ? ' ' : *msg, stderr);
    fputc('\n', stderr);
}

static const char *env2(const char *a, const char *b)
{
    const char *v = getenv(a);
    if ((!v || !*v) && b)
        v = getenv(b);
    return v && *v ? v : NULL;
}

int main(int argc, char **argv)
{
    odoo_client_options opts = ODOO_CLIENT_OPTIONS_INIT;
    odoo_client *client = NULL;
    const char *pos[4] = {NULL, NULL, NULL, NULL};
    json_t *args = NULL, *kwargs = NULL, *res = NULL;
    json_error_t jerr;
    int npos = 0, pretty = 0, i, rc, status;
    char *text;

    /* libodoo never touches signals; a dropped TLS connection must not kill us. */
    signal(SIGPIPE, SIG_IGN);

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--version") == 0) {
            printf("odoo-call (libodoo %s)\n", odoo_version());
            return EXIT_OK;
        } else if (strcmp(a, "--pretty") == 0) {
            pretty = 1;
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            char *end;
            double s = strtod(argv[++i], &end);
            if (*end || s <= 0 || s > 86400) {
                fprintf(stderr, "odoo-call: --timeout wants a number of seconds\n");
                return EXIT_USAGE;
            }
            opts.timeout_ms = (long)(s * 1000.0);
        } else if (strcmp(a, "--retry-deadline") == 0 && i + 1 < argc) {
            char *end;
            double s = strtod(argv[++i], &end);
            if (*end || !(s >= 0 && s <= 86400)) {
                fprintf(stderr, "odoo-call: --retry-deadline wants a number of seconds\n");
                return EXIT_USAGE;
            }
            opts.retry_deadline_ms = (long)(s * 1000.0);
        } else if (strcmp(a, "--max-response-bytes") == 0 && i + 1 < argc) {
            if (tool_parse_bytes(argv[++i], &opts.max_response_bytes) != 0) {
                fprintf(stderr, "odoo-call: --max-response-bytes wants a number of bytes "
                                "(suffix k, M or G allowed)\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--allow-insecure-http") == 0) {
            opts.allow_insecure_http = 1;
        } else if (strcmp(a, "--transport") == 0 && i + 1 < argc) {
            if (odoo_transport_from_name(argv[++i], &opts.transport) != ODOO_OK) {
                fprintf(stderr, "odoo-call: --transport is auto, session, jsonrpc or json2\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--") == 0) {
            for (i++; i < argc && npos < 4; i++)
                pos[npos++] = argv[i];
            if (i < argc)
                npos = 5;
            break;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "odoo-call: unknown option %s (see --help)\n", a);
            return EXIT_USAGE;
        } else if (npos < 4) {
            pos[npos++] = a;
        } else {
            npos = 5;
        }
    }
    if (npos < 2 || npos > 4) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (pos[2]) {
        args = json_loads(pos[2], 0, &jerr);
        if (!json_is_array(args)) {
            fprintf(stderr, "odoo-call: ARGS_JSON must be a JSON array%s%s\n",
                    args ? "" : ": ", args ? "" : jerr.text);
            json_decref(args);
            return EXIT_USAGE;
        }
    }
    if (pos[3]) {
        kwargs = json_loads(pos[3], 0, &jerr);
        if (!json_is_object(kwargs)) {
            fprintf(stderr, "odoo-call: KWARGS_JSON must be a JSON object%s%s\n",
                    kwargs ? "" : ": ", kwargs ? "" : jerr.text);
            json_decref(args);
            json_decref(kwargs);
            return EXIT_USAGE;
        }
    }

    opts.url = env2("ODOO_URL", NULL);
    opts.database = env2("ODOO_DB", NULL);
    opts.login = env2("ODOO_USER", "ODOO_EMAIL");
    opts.password = env2("ODOO_PASSWORD", NULL);
    opts.api_key = env2("ODOO_API_KEY", NULL);
    opts.ca_file = env2("ODOO_CA_FILE", NULL);
    if (!opts.url || (!opts.password && !opts.api_key)
        || (opts.transport != ODOO_TRANSPORT_JSON2 && !opts.api_key
            && (!opts.database || !opts.login))) {
        fprintf(stderr, "odoo-call: set ODOO_URL, ODOO_DB, ODOO_USER (or ODOO_EMAIL) and "
                        "ODOO_PASSWORD (or ODOO_API_KEY) in the environment (see --help)\n");
        json_decref(args);
        json_decref(kwargs);
        return EXIT_USAGE;
    }

    rc = odoo_client_new(&client, &opts);
    if (rc != ODOO_OK) {
        const char *m =
            client ? odoo_error_message(odoo_client_last_error(client)) : odoo_strerror(rc);
        fprintf(stderr, "odoo-call: %s: cannot create the client: %s%s\n", odoo_error_name(rc), m,
                strstr(m, "allow_insecure_http") ? " (the flag --allow-insecure-http)" : "");
        odoo_client_free(client);
        json_decref(args);
        json_decref(kwargs);
        return exit_code_for(rc);
    }

    rc = odoo_call_kw(client, &res, pos[0], pos[1], args, kwargs, NULL);
    json_decref(args);
    json_decref(kwargs);
    if (rc != ODOO_OK) {
        print_error(rc, odoo_client_last_error(client));
        odoo_client_free(client);
        return exit_code_for(rc);
    }

    /* reals in their shortest form ("615.84"), as Odoo sent them */
    text = odoo_json_dumps(res, pretty ? JSON_INDENT(2) : JSON_COMPACT);
    json_decref(res);
    status = EXIT_OK;
    if (!text || puts(text) == EOF || fflush(stdout) != 0) {
        fprintf(stderr, "odoo-call: cannot write the result\n");
        status = EXIT_TRANSPORT;
    }
    odoo_free(text);
    odoo_client_free(client);
    return status;
}
