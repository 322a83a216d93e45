# SPDX-License-Identifier: MIT
"""The HTTP server: one request per connection, answered with 'Connection: close' like Odoo's
werkzeug server."""

import socket
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .pages import werkzeug_error_page
from .wire import HTML_CONTENT_TYPE, Request, Response


class RequestHandler(BaseHTTPRequestHandler):
    """One request per connection, answered with 'Connection: close' like Odoo's
    werkzeug server, then the socket is closed."""

    protocol_version = 'HTTP/1.1'
    server_version = 'Werkzeug/2.2.2'
    sys_version = 'Python/3.11.2'

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = do_GET

    def _read_body(self):
        if 'chunked' in (self.headers.get('Transfer-Encoding') or '').lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b';')[0].strip() or b'0', 16)
                if size == 0:
                    while self.rfile.readline() not in (b'\r\n', b'\n', b''):
                        pass
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length > 0 else b''

    def _serve(self):
        self.close_connection = True
        app = self.server.app
        try:
            body = self._read_body()
        except (ValueError, OSError):
            return
        request = Request(self.command, self.path, self.headers, body)
        try:
            response = app.handle(request)
        except Exception:                                    # a bug: keep serving
            traceback.print_exc(file=sys.stderr)
            response = Response(500, werkzeug_error_page(500, 'The server encountered an internal error '
                                                         'and was unable to complete your request.'),
                                HTML_CONTENT_TYPE)
        self._send(response, app.flavor)

    def _send(self, response, flavor):
        lines = [f'HTTP/1.1 {response.status} {response.reason}',
                 f'Server: {self.version_string()}', f'Date: {self.date_time_string()}']
        lines += [f'{name}: {value}' for name, value in response.headers(flavor)]
        lines.append('Connection: close')
        head = ('\r\n'.join(lines) + '\r\n\r\n').encode('latin-1', 'replace')
        body = b'' if self.command == 'HEAD' else response.body
        if response.cut_connection:
            body = body[:len(body) // 2]
        try:
            self.wfile.write(head + body)
            self.wfile.flush()
            if response.cut_connection:
                self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        if self.server.verbose:
            sys.stderr.write(f'{self.address_string()} "{self.command} {self.path}" {response.status} '
                             f'{len(response.body)}\n')

    def log_message(self, format, *args):     # noqa: A002 - BaseHTTPRequestHandler's signature
        if self.server.verbose:
            super().log_message(format, *args)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, app=None, verbose=False):
        super().__init__(address, RequestHandler)
        self.app = app
        self.verbose = verbose
