# SPDX-License-Identifier: MIT
"""The emulated Odoo server: routing, the fault injector in front of it, sessions and
authentication, the JSON-RPC and JSON-2 routes and the HTTP pages."""

import re
import time
import urllib.parse

from . import envelopes
from .access import install_access_rules
from .control import Stats, control
from .controllers import JSON_ROUTES, RPC, SUFFIXED_ROUTES, DataSet, RpcContext, call_endpoint
from .dispatch import call_json2, call_kw, check_method_name
from .exceptions import AccessDenied, AccessError, BadRequest, NotFound, SessionExpired, Unauthorized
from .faults import GARBAGE_BODY, FaultInjector, proxy_error_page
from .orm import Env
from .pages import (JSON2_NO_DB_PAGE, JSON2_UNSUPPORTED_MEDIA_PAGE, odoo_404_page, werkzeug_error_page,
                    werkzeug_escape, werkzeug_redirect_page)
from .services import JsonRpcServices
from .session_info import session_info
from .sessions import SessionStore, cids_clear_cookie, frontend_lang_cookie, session_cookie
from .wire import HTML_CONTENT_TYPE, JSON_CONTENT_TYPE, Response

_UNPARSED = object()


class OdooEmulator:
    """Routes requests, runs the fault injector and keeps sessions and statistics."""

    def __init__(self, flavor, registry, api_keys, base_url, expire_every=0):
        self.flavor = flavor
        self.registry = registry
        self.db = registry.db
        self.base_url = base_url
        self.api_keys = dict(api_keys)              # key -> uid
        self.sessions = SessionStore()
        self.stats = Stats()
        self.faults = FaultInjector(expire_every)
        registry.on_call = self.stats.count_call
        registry.dropped_writes = self.faults.dropped_writes
        install_access_rules(registry)
        self.services = JsonRpcServices(self)

    # --- entry point ---------------------------------------------------------------

    def handle(self, req):
        if req.path.startswith('/__emulator/'):
            return control(self, req)
        self.stats.bump('requests')
        plan = self.faults.for_request()
        if plan.delay_ms:
            time.sleep(plan.delay_ms / 1000.0)
        if plan.replace:
            response = self.fault_response(plan.replace, req)
        else:
            response = self.route(req)
            if response.is_json and not plan.skipped and self.faults.take_truncate():
                response.body = response.body[:len(response.body) // 2]
        response.cut_connection = plan.close_mid_body
        return response

    def fault_response(self, replace, req):
        if replace[0] == 'status':
            reason, page = proxy_error_page(replace[1])
            return Response(replace[1], page, 'text/html', reason=reason)
        if replace[0] == 'html404':
            return self.not_found_page(req)
        return Response(200, GARBAGE_BODY, JSON_CONTENT_TYPE)

    def route(self, req):
        path = req.path
        if path in JSON_ROUTES:
            return self.serve_json(req, path, path, {})
        for base in SUFFIXED_ROUTES:
            if path.startswith(base + '/') and len(path) > len(base) + 1:
                return self.serve_json(req, base, base + '/<path:path>', {'path': path[len(base) + 1:]})
        if path == '/web/session/logout':
            return self.logout(req)
        if path == '/web/version' and self.flavor.v19:
            return self.web_version(req)
        if self.flavor.v19 and (path == '/json/2' or path.startswith('/json/2/')):
            return self.serve_json2(req)
        if not self.flavor.v19 and path.startswith('/json/'):
            return self.login_redirect(req)
        return self.not_found_page(req)

    # --- error serialization ---------------------------------------------------------

    def rpc_error(self, req_id, exc):
        """A JSON-RPC error envelope (always HTTP 200)."""
        if isinstance(exc, SessionExpired):
            self.stats.bump('sessions_expired')
        return envelopes.rpc_error(self.flavor, req_id, exc)

    def json2_error(self, exc):
        """A JSON-2 error: HTTP status + {name, message, arguments, context, debug}."""
        return envelopes.json2_error(self.flavor, exc)

    def werkzeug_page(self, code, description_html):
        return Response(code, werkzeug_error_page(code, description_html), HTML_CONTENT_TYPE)

    # --- JSON-RPC routes ---------------------------------------------------------------

    def serve_json(self, req, route, pattern, route_args):
        controller_cls, method_name, auth = JSON_ROUTES[route]
        if not req.is_json:
            return self.werkzeug_page(400, werkzeug_escape(
                f"Request inferred type is compatible with ['http'] but '{pattern}' is type='json'."))
        session = self.sessions.get(req.session_id)
        rpc = RpcContext(req, session)
        data = _UNPARSED
        if route == '/web/dataset/call_kw' and self.flavor.call_kw_checks_model_first:
            # 18's _call_kw_readonly; 16 and 17 look the model up in the handler
            # (KeyError, with the request's id, after the session check)
            try:
                data = self.call_kw_precheck(req)
            except Exception as exc:                       # raised before dispatch: id null
                return self.rpc_error(None, exc)
        if auth == 'user':
            if session is None or not session.authenticated:
                return self.rpc_error(None, SessionExpired())
            if controller_cls is DataSet and self.faults.should_expire():
                self.sessions.drop(session.sid)
                return self.rpc_error(None, SessionExpired())
        if data is _UNPARSED:
            try:
                data = req.json()
            except ValueError:
                return Response(400, 'Invalid JSON data', HTML_CONTENT_TYPE)
        if not isinstance(data, dict):
            return Response(400, 'Invalid JSON-RPC data', HTML_CONTENT_TYPE)
        req_id = data.get('id')
        try:
            params = dict(data.get('params', {}), **route_args)
            result = call_endpoint(getattr(controller_cls(self, rpc), method_name), params)
        except Exception as exc:
            return self.rpc_error(req_id, exc)
        body = {'jsonrpc': '2.0', 'id': req_id}
        if result is not None:
            body['result'] = result
        cookies = rpc.cookies
        if auth == 'none' and controller_cls is not RPC and not cookies and session is None:
            cookies.append(session_cookie(self.sessions.new().sid))     # new anonymous session
        elif auth == 'user' and rpc.session is session and not session.traced:
            # first successful call of a fresh login: Odoo records the device and saves
            # the session, which re-sends its cookie (captures 98, v19/142)
            session.traced = True
            if not cookies:
                cookies.append(session_cookie(session.sid))
        return Response.json_body(body, cookies=cookies)

    def call_kw_precheck(self, req):
        """web.controllers.dataset._call_kw_readonly, run before authentication."""
        data = req.json()
        params = data['params']
        try:
            known = params['model'] in self.registry.models
        except KeyError as exc:
            raise NotFound() from exc
        if not known:
            raise NotFound()
        params['method']
        return data

    # --- sessions and authentication -----------------------------------------------------

    def user_by_login(self, login):
        users = self.registry.tables['res.users']
        with self.registry.lock:
            for rid, row in users.index.items():
                if users.cols['login'][row] == login and users.cols['active'][row]:
                    return rid
        return None

    def check_password(self, login, password, api_key_ok=False):
        secrets_by_login = {'admin': getattr(self, 'admin_password', 'admin'),
                            'limited': 'limited'}
        uid = self.user_by_login(login) if isinstance(login, str) else None
        if uid is not None and isinstance(password, str) and password:
            if password == secrets_by_login.get(login):
                return uid
            if api_key_ok and self.api_keys.get(password) == uid:
                return uid
        raise AccessDenied()

    def check_uid_password(self, uid, password):
        users = self.registry.tables['res.users']
        with self.registry.lock:
            row = users.index.get(uid)
            login = users.cols['login'][row] if row is not None and users.cols['active'][row] else None
        if login is None:
            raise AccessDenied()
        self.check_password(login, password, api_key_ok=True)

    def authenticate(self, rpc, db, login, password):
        if db != self.db:
            raise AccessError('Database not found.')
        uid = self.check_password(login, password)          # API keys are refused here
        old = rpc.session
        traced = bool(old and old.authenticated and old.traced)
        if old:
            self.sessions.drop(old.sid)                     # rotation: the old id dies
        rpc.session = self.sessions.new(uid, login, db, traced)
        rpc.cookies += [session_cookie(rpc.session.sid)] * self.flavor.login_cookies
        self.stats.bump('logins')
        return self.session_info(rpc.session)

    def session_info(self, session):
        """The admin session_info of the captures, adapted to the session's user."""
        with self.registry.lock:
            return session_info(self.registry, self.base_url, session)

    def execute(self, uid, model, method, args, kwargs):
        """Run one ORM call in a transaction (rolled back if it raises)."""
        with self.registry.transaction():
            env = Env(self.registry, uid, {'lang': 'en_US', 'tz': 'Europe/Brussels', 'uid': uid})
            check_method_name(env, model, method)
            return call_kw(env, model, method, args, kwargs)

    # --- http routes ---------------------------------------------------------------------

    def logout(self, req):
        session = self.sessions.get(req.session_id)
        if session:
            self.sessions.drop(session.sid)
        fresh = self.sessions.new()
        redirect = urllib.parse.parse_qs(req.query).get('redirect', ['/odoo'])[0]
        cookies = [frontend_lang_cookie(), cids_clear_cookie(), session_cookie(fresh.sid)]
        return Response(303, werkzeug_redirect_page(redirect), HTML_CONTENT_TYPE,
                        location=redirect, cookies=cookies)

    def web_version(self, req):
        cookies = [] if self.sessions.get(req.session_id) else [session_cookie(self.sessions.new().sid)]
        return Response.json_body({'version_info': list(self.flavor.version_info),
                                   'version': self.flavor.serie}, cookies=cookies)

    def login_redirect(self, req):
        """Odoo 18 '/json/<path:subpath>' (auth=user, type=http) without a session."""
        target = '/web/login?redirect=' + urllib.parse.quote(f'{req.path}?{req.query}', safe='')
        return Response(303, werkzeug_redirect_page(target), HTML_CONTENT_TYPE, location=target)

    def not_found_page(self, req):
        session = self.sessions.get(req.session_id) or self.sessions.new()
        cookies = [frontend_lang_cookie(), session_cookie(session.sid)] * 2
        return Response(404, odoo_404_page(), 'text/html;charset=utf-8', cookies=cookies)

    # --- JSON-2 (Odoo 19) ----------------------------------------------------------------

    def serve_json2(self, req):
        database = req.headers.get('X-Odoo-Database')
        if database is not None and database != self.db:
            return Response(404, JSON2_NO_DB_PAGE, HTML_CONTENT_TYPE)
        match = re.fullmatch(r'/json/2/([^/]+)/([^/]+)', req.path)
        if not match or req.method != 'POST':
            return self.json2_error(NotFound('Did you mean POST /json/2/<model>/<method>?'))
        if not req.is_json:
            return Response(415, JSON2_UNSUPPORTED_MEDIA_PAGE, HTML_CONTENT_TYPE)
        scheme, _space, key = (req.headers.get('Authorization') or '').strip().partition(' ')
        key = key.strip()
        if scheme.lower() != 'bearer' or not key:
            return self.json2_error(Unauthorized(
                'User not authenticated, use an API Key with a Bearer Authorization header.'))
        uid = self.api_keys.get(key)
        if uid is None:
            return self.json2_error(Unauthorized('Invalid apikey'))
        try:
            params = req.json()
        except ValueError as exc:
            return self.json2_error(BadRequest(f'could not parse the body as json: {exc}'))
        model, method = match.groups()
        try:
            with self.registry.transaction():
                result = call_json2(Env(self.registry, uid), model, method, params)
        except Exception as exc:
            return self.json2_error(exc)
        return Response.json_body(result)
