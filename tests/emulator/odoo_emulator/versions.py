# SPDX-License-Identifier: MIT
"""What differs between the emulated Odoo 16, 17, 18 and 19 servers (the Flavor a process serves).

Per-version behaviour that is data sits next to its data: fields carry the versions they exist
in (fields.Field(versions=...)), the session_info payloads are in session_info.py and the
access-error group lists in access.py.  What is decided by the version number is here."""

VERSIONS = (16, 17, 18, 19)


class Flavor:
    """What differs between the Odoo 16, 17, 18 and 19 servers being emulated.  The wire
    protocol of 16 and 17 is that of 18 (the captures are of 18 and 19); what differs is
    the database: fields (Field.versions) and the datetime domain semantics.  19 also
    differs on the wire: error codes and key order, JSON-2, cookies, header order."""

    def __init__(self, major):
        if major not in VERSIONS:
            raise ValueError('only Odoo 16, 17, 18 and 19 are emulated')
        self.major = major
        self.serie = f'{major}.0'
        self.version_info = [major, 0, 0, 'final', 0, '']
        self.src_root = '/opt/odoo/odoo-19.0-core' if major >= 19 else f'/opt/odoo/odoo-{major}.0-src'
        self.default_db = 'acme19' if major >= 19 else 'acme'
        self.limited_uid = 7 if major >= 19 else 8

    @property
    def v19(self):
        return self.major >= 19

    @property
    def whole_second_datetimes(self):
        """Odoo 19 compares a datetime domain value to whole seconds (domains.py
        _optimize_type_datetime); 16-18 hand the value to PostgreSQL, which compares it
        with the stored microseconds."""
        return self.major >= 19

    @property
    def call_kw_checks_model_first(self):
        """Odoo 18's _call_kw_readonly looks the model up before the session check (unknown
        model: NotFound, id null); 16 and 17 look it up in the handler (KeyError)."""
        return self.major >= 18

    @property
    def server_error_code(self):
        """JSON-RPC error.code of a server error: 200 up to 18, 0 on 19 (odoo/http.py:
        'code': 0, "we don't care of this code")."""
        return 0 if self.v19 else 200

    def error_data(self, name, message, arguments, debug):
        """JSON-RPC error.data, in the key order of the version's captures."""
        if self.v19:
            return {'name': name, 'message': message, 'arguments': arguments, 'context': {}, 'debug': debug}
        return {'name': name, 'debug': debug, 'message': message, 'arguments': arguments, 'context': {}}

    def traceback_frame(self):
        """The odoo/http.py frame of the fake tracebacks in error.data.debug."""
        src = self.src_root
        if self.v19:
            return (f'  File "{src}/odoo/http.py", line 2273, in _serve_db\n'
                    '    return service_model.retrying(serve_func, env=self.env)\n')
        return (f'  File "{src}/odoo/http.py", line 1954, in _transactioning\n'
                '    return service_model.retrying(func, env=self.env)\n')

    @property
    def login_cookies(self):
        """Odoo 19 sends the new session_id cookie twice on a login, 16-18 once."""
        return 2 if self.v19 else 1

    def version_result(self):
        return {'server_version': self.serie, 'server_version_info': list(self.version_info),
                'server_serie': self.serie, 'protocol_version': 1}
