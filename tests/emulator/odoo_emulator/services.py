# SPDX-License-Identifier: MIT
"""The /jsonrpc services of odoo/service (common, db, object), dispatched like Odoo's
dispatch_rpc.  The service functions carry Odoo's names and signatures, so that bad
parameters give the same TypeError text ("exp_login() missing 1 required ...")."""

from .exceptions import AccessDenied, OperationalError, UserError


def rename_function(fn, qualname):
    """Give a closure the __qualname__ Python puts in TypeError messages, so that a
    bad call produces the same text as Odoo's module-level function would."""
    fn.__qualname__ = qualname
    return fn


class JsonRpcServices:
    """The services of one emulated server (app: the OdooEmulator answering them)."""

    def __init__(self, app):
        self.app = app
        self.services = self._build(app)

    def _build(self, app):
        flavor = app.flavor
        check_db = self.check_db
        execute_cr = self.execute_cr

        def exp_version():
            return flavor.version_result()

        def exp_about(extended=False):
            info = 'See http://openerp.com'
            return [info, flavor.serie] if extended else info

        def exp_login(db, login, password):
            return exp_authenticate(db, login, password, None)

        def exp_authenticate(db, login, password, user_agent_env):
            check_db(db)
            try:
                return app.check_password(login, password, api_key_ok=True)
            except AccessDenied:
                return False

        def exp_list(document=False):
            return [app.db]

        def exp_server_version():
            return flavor.serie

        def exp_db_exist(db_name):
            return db_name == app.db

        def execute_kw(db, uid, obj, method, args, kw=None):
            return execute_cr(uid, obj, method, args, kw or {})

        def execute(db, uid, obj, method, *args, **kw):
            return execute_cr(uid, obj, method, args, kw)

        def table(*functions):
            return {fn.__name__.removeprefix('exp_'): rename_function(fn, fn.__name__) for fn in functions}
        return {
            'common': table(exp_version, exp_about, exp_login, exp_authenticate),
            'db': table(exp_list, exp_server_version, exp_db_exist),
            'object': table(execute_kw, execute),
        }

    def check_db(self, db):
        if db != self.app.db:
            raise OperationalError(f'connection to server at "127.0.0.1", port 5432 failed: '
                                   f'FATAL:  database "{db}" does not exist\n')

    def dispatch(self, service, method, params):
        methods = self.services[service]                    # KeyError: unknown service
        if service == 'object':
            db, uid, password = params[0], int(params[1]), params[2]
            self.check_db(db)
            self.app.check_uid_password(uid, password)
            if method not in methods:
                raise NameError(f'Method not available {method}')
            return methods[method](db, uid, *params[3:])
        if method not in methods:
            raise Exception(f'Method not found: {method}')
        return methods[method](*params)

    def execute_cr(self, uid, obj, method, args, kw):
        if obj not in self.app.registry.models:
            raise UserError(f"Object {obj} doesn't exist")
        return self.app.execute(uid, obj, method, args, kw)
