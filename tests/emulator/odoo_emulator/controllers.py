# SPDX-License-Identifier: MIT
"""JSON-RPC controllers, named and shaped like Odoo's so that bad parameters give the same
TypeError text ("Session.authenticate() missing 1 required positional argument"), and the
routes that reach them."""

import inspect

from .sessions import cids_clear_cookie, session_cookie


class RpcContext:
    """Per-request state shared by the route and its controller."""

    def __init__(self, request, session):
        self.request = request
        self.session = session
        self.cookies = []


class Controller:
    def __init__(self, app, rpc):
        self.app = app
        self.rpc = rpc


class WebClient(Controller):
    def version_info(self):
        return self.app.flavor.version_result()


class Database(Controller):
    def list(self):
        return [self.app.db]


class Session(Controller):
    def authenticate(self, db, login, password, base_location=None):
        return self.app.authenticate(self.rpc, db, login, password)

    def get_session_info(self):
        session = self.rpc.session
        session.traced = True                               # request.session.touch()
        self.rpc.cookies.append(session_cookie(session.sid))
        return self.app.session_info(session)

    def check(self):
        return None

    def destroy(self):
        self.app.sessions.drop(self.rpc.session.sid)
        self.rpc.session = self.app.sessions.new()
        self.rpc.cookies += [cids_clear_cookie(), session_cookie(self.rpc.session.sid)]


class DataSet(Controller):
    def call_kw(self, model, method, args, kwargs, path=None):
        return self.app.execute(self.rpc.session.uid, model, method, args, kwargs)

    def call_button(self, model, method, args, kwargs, path=None):
        action = self.app.execute(self.rpc.session.uid, model, method, args, kwargs)
        if isinstance(action, dict) and action.get('type'):
            return action
        return False


class RPC(Controller):
    def jsonrpc(self, service, method, args):
        return self.app.services.dispatch(service, method, args)


# path -> (controller, method, auth)
JSON_ROUTES = {
    '/web/webclient/version_info': (WebClient, 'version_info', 'none'),
    '/web/database/list': (Database, 'list', 'none'),
    '/web/session/authenticate': (Session, 'authenticate', 'none'),
    '/web/session/get_session_info': (Session, 'get_session_info', 'user'),
    '/web/session/check': (Session, 'check', 'user'),
    '/web/session/destroy': (Session, 'destroy', 'user'),
    '/web/dataset/call_kw': (DataSet, 'call_kw', 'user'),
    '/web/dataset/call_button': (DataSet, 'call_button', 'user'),
    '/jsonrpc': (RPC, 'jsonrpc', 'none'),
}
SUFFIXED_ROUTES = ('/web/dataset/call_kw', '/web/dataset/call_button')   # /<path:path> cosmetic


def call_endpoint(endpoint, params):
    """Odoo's route_wrapper: drop params the endpoint does not accept, then call."""
    parameters = inspect.signature(endpoint).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        params = {k: v for k, v in params.items() if k in parameters}
    return endpoint(**params)
