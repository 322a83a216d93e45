# SPDX-License-Identifier: MIT
"""HTTP requests and responses as Odoo's werkzeug server reads and writes them."""

import http
import json
import urllib.parse


JSON_MIMETYPES = ('application/json', 'application/json-rpc')
JSON_CONTENT_TYPE = 'application/json; charset=utf-8'
HTML_CONTENT_TYPE = 'text/html; charset=utf-8'


class Request:
    def __init__(self, method, target, headers, body):
        self.method = method
        parsed = urllib.parse.urlsplit(target)
        self.path = parsed.path or '/'
        self.query = parsed.query
        self.headers = headers               # email.message.Message: case-insensitive
        self.body = body
        mimetype = (headers.get('Content-Type') or '').split(';')[0].strip().lower()
        self.is_json = mimetype in JSON_MIMETYPES
        self.session_id = None
        for cookie in (headers.get('Cookie') or '').split(';'):
            key, _eq, value = cookie.strip().partition('=')
            if key == 'session_id' and self.session_id is None:
                self.session_id = value

    def json(self):
        return json.loads(self.body)


class Response:
    """One answer: status, headers, body.  `json_body` answers get Odoo's JSON
    serialization.  Header order follows the captures of each version."""

    def __init__(self, status, body=b'', content_type=None, reason=None, location=None,
                 cookies=(), extra_headers=()):
        self.status = status
        self.reason = reason or http.HTTPStatus(status).phrase.upper()
        self.body = body.encode('utf-8') if isinstance(body, str) else body
        self.content_type = content_type
        self.location = location
        self.cookies = list(cookies)
        self.extra_headers = list(extra_headers)
        self.cut_connection = False

    @classmethod
    def json_body(cls, obj, status=200, **kw):
        return cls(status, json.dumps(obj, ensure_ascii=False, default=str), JSON_CONTENT_TYPE, **kw)

    @property
    def is_json(self):
        return (self.content_type or '').startswith('application/json')

    def headers(self, flavor):
        length = ('Content-Length', str(len(self.body)))
        ctype = [('Content-Type', self.content_type)] if self.content_type else []
        cookies = [('Set-Cookie', c) for c in self.cookies]
        location = [('Location', self.location)] if self.location else []
        if self.is_json and self.status == 200 and not flavor.v19:
            return [length] + ctype + cookies + self.extra_headers
        if flavor.v19 and self.is_json:
            return ctype + cookies + [length] + self.extra_headers
        return ctype + [length] + location + self.extra_headers + cookies
