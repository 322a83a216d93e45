# SPDX-License-Identifier: MIT
"""Error answers: JSON-RPC error envelopes (HTTP 200) and JSON-2 error bodies (HTTP status),
with the exception names, messages and fake tracebacks of the version being emulated."""

from .exceptions import (AccessDenied, HTTPException, OdooException, SessionExpired, exception_message,
                         exception_name)
from .wire import Response


def traceback_text(flavor, name, message):
    """data.debug: a two-frame fake traceback ending with the exception line."""
    exception = name.removeprefix('builtins.')
    return f'Traceback (most recent call last):\n{flavor.traceback_frame()}{exception}: {message}\n'


def rpc_error(flavor, req_id, exc):
    """A JSON-RPC error envelope (always HTTP 200)."""
    name, message = exception_name(exc), exception_message(exc)
    if isinstance(exc, SessionExpired):
        code, title = 100, 'Odoo Session Expired'
    elif isinstance(exc, HTTPException):
        code, title = exc.code, f'{exc.code}: {exc.title}'
    else:
        code, title = flavor.server_error_code, 'Odoo Server Error'
    arguments = [] if isinstance(exc, HTTPException) else list(exc.args)
    if isinstance(exc, AccessDenied) and flavor.v19:
        debug = f'{name}: {message}\n'
    else:
        debug = traceback_text(flavor, name, message)
    data = flavor.error_data(name, message, arguments, debug)
    return Response.json_body({'jsonrpc': '2.0', 'id': req_id,
                               'error': {'code': code, 'message': title, 'data': data}})


def json2_error(flavor, exc):
    """A JSON-2 error: HTTP status + {name, message, arguments, context, debug}."""
    name = exception_name(exc)
    if isinstance(exc, HTTPException):
        status, message, arguments = exc.code, exc.description, [exc.description, exc.code]
        debug_message = str(exc)
    else:
        status = exc.json2_status if isinstance(exc, OdooException) else 500
        message = exception_message(exc)
        arguments, debug_message = list(exc.args), message
    extra = [('WWW-Authenticate', 'Bearer ')] if status == 401 else []
    body = {'name': name, 'message': message, 'arguments': arguments, 'context': {},
            'debug': traceback_text(flavor, name, debug_message)}
    return Response.json_body(body, status=status, extra_headers=extra)
