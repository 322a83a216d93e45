#!/usr/bin/python3
"""Odoo 16 / 17 / 18 / 19 server emulator for the libodoo test-suite.

The emulator answers the HTTP / JSON-RPC / JSON-2 dialect of a real Odoo server in the
exact shapes recorded in tests/wire (Odoo 18.0) and tests/wire/v19 (Odoo 19.0), checked
against real 16.0-19.0 servers by tests/real-odoo/test_differential.py: status
lines, Content-Type spellings, session cookies and their rotation, JSON-RPC envelopes
serialized like Odoo (json.dumps(..., ensure_ascii=False)), error objects, HTML pages.
Behind the protocol sits a small deterministic in-memory ORM (sale orders, partners,
products, pickings, ...) with Odoo's domain language, ordering, value encoding and the
usual errors, plus a fault injector driven from a control API under /__emulator/.

Standard library only.  Run it with Debian's /usr/bin/python3 (3.11):

    /usr/bin/python3 tests/emulator/odoo_emulator.py --port 0 [--version 16|17|18|19] [--orders N]

It prints "LISTENING <port>" on stdout once it serves.  See tests/emulator/README.md.
"""

import argparse
import bisect
import calendar
import collections
import contextlib
import datetime as dt
import email.utils
import gc
import heapq
import http
import inspect
import json
import math
import os
import random
import re
import secrets
import signal
import socket
import sys
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


# =============================================================================
# Captured texts (tests/wire)
# =============================================================================

# First 2000 characters of Odoo 18's 404 page, verbatim from capture 91 (the rest of
# the page is not in the capture; see odoo_404_page() for how it is completed).
ODOO_404_HEAD = (
    '<!DOCTYPE html>\n'
    '<html>\n'
    '    <head>\n'
    '        <meta charset="utf-8"/>\n'
    '        <meta http-equiv="X-UA-Compatible" content="IE=edge"/>\n'
    '        <meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
    '        <title>Odoo</title>\n'
    '        <link type="image/x-icon" rel="shortcut icon" href="/web/static/img/favicon.ico"/>\n'
    '        <link rel="preload" href="/web/static/src/libs/fontawesome/fonts/fontawesome-webfont.woff2?v=4.7.0" as="font" crossorigin=""/>\n'
    '        <link type="text/css" rel="stylesheet" href="/web/assets/4d0f053/web.assets_frontend.min.css"/>\n'
    '        <script id="web.layout.odooscript" type="text/javascript">\n'
    '            var odoo = {\n'
    '                csrf_token: "8e4f3cc5d0bedc0ae97c2c493227d76a652d6a75o1826890147",\n'
    '                debug: "",\n'
    '            };\n'
    '        </script>\n'
    '        <script type="text/javascript">\n'
    '            odoo.__session_info__ = {"is_admin": false, "is_system": false, "is_public": true, "is_website_user": false, "uid": null, "is_frontend": true, "profile_session": null, "profile_collectors": null, "profile_params": null, "show_effect": true, "currencies": {"1": {"symbol": "$", "position": "before", "digits": [69, 2]}}, "bundle_params": {"lang": "en_US"}, "test_mode": false, "websocket_worker_version": "18.0-2", "translationURL": "/website/translations", "cache_hashes": {"translations": "da6df2b31e076cf8e6768e526a74de4b8ff94c34"}};\n'
    '            if (!/(^|;\\s)tz=/.test(document.cookie)) {\n'
    '                const userTZ = Intl.DateTimeFormat().resolvedOptions().timeZone;\n'
    '                document.cookie = `tz=${userTZ}; path=/`;\n'
    '            }\n'
    '        </script>\n'
    '        <script type="text/javascript" defer="defer" src="/web/assets/3b72286/web.assets_frontend_minimal.min.js" onerror="__odooAssetError=1"></script>\n'
    '        <script type="text/javascript" defer="defer" data-src="/web/assets/5a7763e/web.assets_frontend_lazy.min.js" onerror="__odooAssetError=1"></script>\n'
    '        \n'
    '    </head>\n'
    '    <body>\n'
    '        <div id="wrapwrap" class="  ">\n'
    '       '
)
ODOO_404_CSRF = "8e4f3cc5d0bedc0ae97c2c493227d76a652d6a75o1826890147"
ODOO_404_LENGTH = 6285  # Content-Length of the real page (captures 91-93)

# Admin session_info returned by /web/session/authenticate (capture 10-session-authenticate-ok).
SESSION_INFO_18 = (
    '{"uid": 2, "is_system": true, "is_admin": true, "is_public": false, "is_internal_user": true, '
    '"user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}, "db": "acme", '
    '"user_settings": {"id": 1, "user_id": {"id": 2}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"mute_until_dt": false, "volumes": [["ADD", []]]}, "server_version": "18.0", '
    '"server_version_info": [18, 0, 0, "final", 0, ""], "support_url": "https://www.odoo.com/buy", '
    '"name": "Mitchell Admin", "username": "admin", "partner_write_date": "2026-11-22 13:22:13", '
    '"partner_display_name": "YourCompany, Mitchell Admin", "partner_id": 3, '
    '"web.base.url": "http://127.0.0.1:8069", "active_ids_limit": 20000, "profile_session": null, '
    '"profile_collectors": null, "profile_params": null, "max_file_upload_size": 134217728, '
    '"home_action_id": false, '
    '"cache_hashes": {"translations": "a61ba7e430612ddc8d637d3dad4501cf6291bb8c", '
    '"load_menus": "849b5a385b6b305233be5919659c3f9e5c7232a2933ed898e7377e91ac9d390b"}, '
    '"currencies": {"1": {"symbol": "$", "position": "before", "digits": [69, 2]}}, '
    '"bundle_params": {"lang": "en_US"}, "test_mode": false, '
    '"view_info": {"list": {"display_name": "List", "icon": "oi oi-view-list", '
    '"multi_record": true}, "form": {"display_name": "Form", "icon": "fa fa-address-card", '
    '"multi_record": false}, "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", '
    '"multi_record": true}, "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", '
    '"multi_record": true}, "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", '
    '"multi_record": true}, "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", '
    '"multi_record": true}, "search": {"display_name": "Search", "icon": "oi oi-search", '
    '"multi_record": true}, "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", '
    '"multi_record": true}}, "user_companies": {"current_company": 1, '
    '"allowed_companies": {"2": {"id": 2, "name": "My Company (Chicago)", "sequence": 10, '
    '"child_ids": [], "parent_id": false}, "1": {"id": 1, "name": "My Company (San Francisco)", '
    '"sequence": 0, "child_ids": [], "parent_id": false}}, "disallowed_ancestor_companies": {}}, '
    '"show_effect": true, "display_switch_company_menu": true, "max_time_between_keys_in_ms": 150, '
    '"websocket_worker_version": "18.0-2", "tour_enabled": false, "current_tour": null, '
    '"storeData": {"Store": {"action_discuss_id": 126, "channel_types_with_seen_infos": ["chat", '
    '"group"], "hasGifPickerFeature": false, "hasLinkPreviewFeature": true, '
    '"hasMessageTranslationFeature": false, "internalUserGroupId": 1, "mt_comment_id": 1, '
    '"odoobot": {"id": 2, "type": "partner"}, "self": {"id": 3, "type": "partner"}, '
    '"settings": {"id": 1, "user_id": {"id": 2}, "is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"mute_until_dt": false, "volumes": [["ADD", []]]}}, "res.partner": [{"active": false, '
    '"email": "odoobot@example.com", "id": 2, "im_status": "bot", "isInternalUser": true, '
    '"is_company": false, "name": "OdooBot", "userId": 1, "write_date": "2026-11-22 13:22:13"}, '
    '{"active": true, "id": 3, "isAdmin": true, "isInternalUser": true, "name": "Mitchell Admin", '
    '"notification_preference": "email", "userId": 2, "write_date": "2026-11-22 13:22:13"}]}, '
    '"odoobot_initialized": false, "iap_company_enrich": true, '
    '"can_insert_in_spreadsheet": false}'
)

# Admin session_info returned by /web/session/authenticate (capture v19/140-session-authenticate-ok).
SESSION_INFO_19 = (
    '{"uid": 2, "is_system": true, "is_admin": true, "is_public": false, "is_internal_user": true, '
    '"user_context": {"lang": "en_US", "tz": "Europe/Brussels", "uid": 2}, "db": "acme19", '
    '"registry_hash": "871f8036a39995afb1af72d0427373b07536d41dba3bbdac3900d83adad35793", '
    '"user_settings": {"id": 1, "embedded_actions_config_ids": {}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"user_id": {"id": 2}, "volumes": [["ADD", []]]}, "server_version": "19.0", '
    '"server_version_info": [19, 0, 0, "final", 0, ""], "support_url": "https://www.odoo.com/buy", '
    '"name": "Mitchell Admin", "username": "admin", "quick_login": true, '
    '"partner_write_date": "2026-11-23 20:28:49", "partner_display_name": "YourCompany, '
    'Mitchell Admin", "partner_id": 3, "web.base.url": "http://127.0.0.1:8070", '
    '"active_ids_limit": 20000, "profile_session": null, "profile_collectors": null, '
    '"profile_params": null, "max_file_upload_size": 134217728, "home_action_id": false, '
    '"currencies": {"1": {"name": "USD", "symbol": "$", "position": "before", "digits": [69, 2]}}, '
    '"bundle_params": {"lang": "en_US"}, "test_mode": false, '
    '"view_info": {"list": {"display_name": "List", "icon": "oi oi-view-list", '
    '"multi_record": true}, "form": {"display_name": "Form", "icon": "fa fa-address-card", '
    '"multi_record": false}, "graph": {"display_name": "Graph", "icon": "fa fa-area-chart", '
    '"multi_record": true}, "pivot": {"display_name": "Pivot", "icon": "oi oi-view-pivot", '
    '"multi_record": true}, "calendar": {"display_name": "Calendar", "icon": "fa fa-calendar", '
    '"multi_record": true}, "kanban": {"display_name": "Kanban", "icon": "oi oi-view-kanban", '
    '"multi_record": true}, "search": {"display_name": "Search", "icon": "oi oi-search", '
    '"multi_record": true}, "activity": {"display_name": "Activity", "icon": "fa fa-clock-o", '
    '"multi_record": true}}, "groups": {"base.group_allow_export": true}, '
    '"user_companies": {"current_company": 1, "allowed_companies": {"3": {"id": 3, '
    '"name": "My Company (Chicago)", "sequence": 10, "child_ids": [], "parent_id": false, '
    '"currency_id": 1}, "2": {"id": 2, "name": "My US Company", "sequence": 10, "child_ids": [], '
    '"parent_id": false, "currency_id": 1}, "1": {"id": 1, "name": "My Company (San Francisco)", '
    '"sequence": 0, "child_ids": [], "parent_id": false, "currency_id": 1}}, '
    '"disallowed_ancestor_companies": {}}, "show_effect": true, '
    '"max_time_between_keys_in_ms": 150, "websocket_worker_version": "19.0-2", '
    '"tour_enabled": false, "current_tour": null, '
    '"storeData": {"Store": {"action_discuss_id": 125, "channel_types_with_seen_infos": ["chat", '
    '"group"], "hasCannedResponses": true, "hasGifPickerFeature": false, '
    '"hasLinkPreviewFeature": true, "hasMessageTranslationFeature": false, '
    '"internalUserGroupId": 1, "mt_comment": 1, "mt_note": 2, "odoobot": 2, "self_partner": 3, '
    '"settings": {"id": 1, "embedded_actions_config_ids": {}, '
    '"is_discuss_sidebar_category_channel_open": true, '
    '"is_discuss_sidebar_category_chat_open": true, "push_to_talk_key": false, '
    '"use_push_to_talk": false, "voice_active_duration": 200, "channel_notifications": false, '
    '"user_id": {"id": 2}, "volumes": [["ADD", []]]}}, "res.partner": [{"active": false, '
    '"avatar_128_access_token": "9f4a2562eb1100020f7aed85bdbf3eed0af97d0a77d34ce57fb89d09f19cdde4o0x6b2f2f51", '
    '"email": "odoobot@example.com", "id": 2, "im_status": "bot", '
    '"im_status_access_token": "999b7a9e2f265cf0a434cd76cbdbcc6c5576e0a7f0a642820c75165cf2dc385ao0x6b2ea475", '
    '"is_company": false, "main_user_id": 1, "name": "OdooBot", '
    '"write_date": "2026-11-23 20:28:49"}, {"active": true, '
    '"avatar_128_access_token": "fb61521665a328e4b750991d4ad05b6ad8f4f451d4e5bcae6d09a74bd75422c5o0x6b2f3078", '
    '"id": 3, "im_status": "offline", '
    '"im_status_access_token": "8616fdafe017c7730a3ceda0205121e1c303ce962578e5891445d457c4744ba9o0x6b2ea589", '
    '"main_user_id": 2, "name": "Mitchell Admin", "write_date": "2026-11-23 20:28:49"}], '
    '"res.users": [{"id": 1, "share": false}, {"id": 2, "is_admin": true, '
    '"notification_type": "email", "share": false, "signature": ["markup", '
    '"<div>Mitchell Admin</div>"]}]}, "iap_company_enrich": true, '
    '"can_insert_in_spreadsheet": false}'
)


# =============================================================================
# Small helpers
# =============================================================================

DATE_FORMAT = '%Y-%m-%d'
DATETIME_FORMAT = '%Y-%m-%d %H:%M:%S'
COOKIE_MAX_AGE = 604800            # sessions.max_inactivity_seconds (7 days)
COOKIE_EXPIRES_IN = 365 * 86400    # Odoo's fixed 1-year Expires attribute


def utc_now():
    """The current UTC second in Odoo's datetime format."""
    return time.strftime(DATETIME_FORMAT, time.gmtime())


def stamp_us(seconds, micro):
    """A stored timestamp: 'YYYY-MM-DD HH:MM:SS' with '.ffffff' when micro is not 0.
    Such strings compare like the timestamps they stand for (a shorter one is a whole
    second, smaller than the same second with microseconds)."""
    return f'{seconds}.{micro:06d}' if micro else seconds


def utc_now_us():
    """The transaction's timestamp as PostgreSQL stores `now() at time zone 'UTC'` in
    create_date / write_date: with microseconds."""
    now = time.time()
    whole = int(now)
    return stamp_us(time.strftime(DATETIME_FORMAT, time.gmtime(whole)), int((now - whole) * 1e6))


def normalize_datetime(value):
    """A datetime domain value as stored: '.ffffff' padded to 6 digits, dropped when 0."""
    if len(value) <= 19 or value[19] != '.':
        return value
    digits = (value[20:26] + '000000')[:6]
    return stamp_us(value[:19], int(digits) if digits.isdigit() else 0)


def http_date(timestamp):
    """'Mon, 22 Nov 2027 13:29:02 GMT'."""
    return email.utils.formatdate(timestamp, usegmt=True)


def werkzeug_escape(text):
    """markupsafe.escape, as used by werkzeug's HTML error and redirect pages."""
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&#34;').replace("'", '&#39;'))


def werkzeug_error_page(code, description_html):
    """The small HTML page werkzeug renders for an HTTPException."""
    title = http.HTTPStatus(code).phrase
    return ('<!doctype html>\n<html lang=en>\n'
            f'<title>{code} {title}</title>\n<h1>{title}</h1>\n'
            f'<p>{description_html}</p>\n')


def werkzeug_redirect_page(location):
    """werkzeug.utils.redirect's body (captures 64, 67, 99)."""
    esc = werkzeug_escape(location)
    return ('<!doctype html>\n<html lang=en>\n<title>Redirecting...</title>\n'
            '<h1>Redirecting...</h1>\n'
            '<p>You should be redirected automatically to the target URL: '
            f'<a href="{esc}">{esc}</a>. If not, click the link.\n')


def rename_function(fn, qualname):
    """Give a closure the __qualname__ Python puts in TypeError messages, so that a
    bad call produces the same text as Odoo's module-level function would."""
    fn.__qualname__ = qualname
    return fn


# =============================================================================
# Version profiles
# =============================================================================

VERSIONS = (16, 17, 18, 19)


class Flavor:
    """What differs between the Odoo 16, 17, 18 and 19 servers being emulated.  The wire
    protocol of 16 and 17 is that of 18 (the captures are of 18 and 19); what differs is
    the database: fields (Field.versions) and the datetime domain semantics."""

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

    def version_result(self):
        return {'server_version': self.serie, 'server_version_info': list(self.version_info),
                'server_serie': self.serie, 'protocol_version': 1}


# =============================================================================
# Exceptions (named like the Odoo / werkzeug / psycopg2 classes they stand for)
# =============================================================================

class OdooException(Exception):
    """Base of odoo.exceptions.*: carries a user-facing message."""
    odoo_name = 'odoo.exceptions.UserError'
    json2_status = 422

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class UserError(OdooException):
    odoo_name = 'odoo.exceptions.UserError'


class ValidationError(UserError):
    odoo_name = 'odoo.exceptions.ValidationError'


class AccessError(UserError):
    odoo_name = 'odoo.exceptions.AccessError'
    json2_status = 403


class MissingError(UserError):
    odoo_name = 'odoo.exceptions.MissingError'
    json2_status = 404


class AccessDenied(OdooException):
    odoo_name = 'odoo.exceptions.AccessDenied'
    json2_status = 401

    def __init__(self, message='Access Denied'):
        super().__init__(message)


class SessionExpired(OdooException):
    odoo_name = 'odoo.http.SessionExpiredException'
    json2_status = 401

    def __init__(self, message='Session expired'):
        super().__init__(message)


class OperationalError(Exception):
    """psycopg2.OperationalError (unknown database on /jsonrpc, capture 81)."""
    odoo_name = 'psycopg2.OperationalError'


class HTTPException(Exception):
    """A werkzeug.exceptions.HTTPException."""
    code = 500
    default_description = ''

    def __init__(self, description=None):
        # werkzeug exceptions keep no args: Odoo 18 serializes them with arguments []
        super().__init__()
        self.description = description or self.default_description

    @property
    def odoo_name(self):
        return f'werkzeug.exceptions.{type(self).__name__}'

    @property
    def title(self):
        return http.HTTPStatus(self.code).phrase

    def __str__(self):
        return f'{self.code} {self.title}: {self.description}'


class BadRequest(HTTPException):
    code = 400


class Unauthorized(HTTPException):
    code = 401


class NotFound(HTTPException):
    code = 404
    default_description = ('The requested URL was not found on the server. If you entered '
                           'the URL manually please check your spelling and try again.')


class UnprocessableEntity(HTTPException):
    code = 422


def exception_name(exc):
    """'odoo.exceptions.UserError', 'builtins.ValueError', 'json.decoder.JSONDecodeError'."""
    name = getattr(exc, 'odoo_name', None)
    if name:
        return name
    cls = type(exc)
    return f'{cls.__module__}.{cls.__qualname__}'


def exception_message(exc):
    """Odoo's exception_to_unicode: the first argument, not str(exc) (KeyError!)."""
    if isinstance(exc, OdooException):
        return exc.message
    if isinstance(exc, HTTPException):
        return str(exc)
    if exc.args:
        return str(exc.args[0])
    return str(exc)


# =============================================================================
# ORM: fields
# =============================================================================

MAGIC_FIELDS = ('create_uid', 'create_date', 'write_uid', 'write_date')


class Field:
    """A typed model field.  Internal values: None for SQL NULL, str for char-like,
    date and datetime values (Odoo's string formats compare correctly), int ids for
    many2one, tuples of ids for many2many.  One2many values are never stored."""

    type = None
    column = True          # has a storage column in the table
    relational = False
    empty = None           # value of a fresh column cell
    aggregator = None

    def __init__(self, string=None, *, required=False, readonly=False, help=None,
                 default=None, compute=None, depends=(), computed_stored=False, versions=None):
        self.string = string
        self.versions = frozenset(versions) if versions else None   # None: every version
        self.required = required
        self.readonly = readonly or bool(compute) or computed_stored
        self.help = help
        self.default = default
        self.compute = compute            # name of a model method: rows -> getter
        self.computed_stored = computed_stored
        self.depends = list(depends)
        self.name = None
        self.model_name = None
        if compute:
            self.column = False

    def setup(self, name, model_cls):
        self.name = name
        self.model_name = model_cls._name
        if self.string is None:
            self.string = name.replace('_', ' ').title()

    @property
    def store(self):
        return self.column and not self.compute

    @property
    def writable(self):
        """Values given for this field in create/write are applied (others ignored)."""
        return not self.compute and not self.computed_stored and \
            self.name not in MAGIC_FIELDS and self.name != 'id'

    # --- conversions --------------------------------------------------------------

    def convert(self, value, model):
        """API value (from create/write) -> internal value; raises like Odoo."""
        if value is None or value is False:
            return None
        return value

    def to_json(self, value):
        """Internal value -> value sent to the client (read / search_read)."""
        return False if value is None else value

    # --- fields_get ------------------------------------------------------------------

    def describe(self):
        desc = {
            'change_default': False, 'company_dependent': False,
            'default_export_compatible': False, 'depends': list(self.depends),
            'exportable': True, 'groupable': self.store, 'manual': False, 'name': self.name,
            'readonly': self.readonly, 'required': self.required, 'searchable': True,
            'sortable': self.store, 'store': self.store or self.computed_stored,
            'string': self.string, 'type': self.type,
        }
        if self.help:
            desc['help'] = self.help
        if self.aggregator:
            desc['aggregator'] = self.aggregator
        self._describe_extra(desc)
        return dict(sorted(desc.items()))

    def _describe_extra(self, desc):
        pass


class Id(Field):
    type = 'integer'

    def __init__(self):
        super().__init__('ID', readonly=True)


class Integer(Field):
    type = 'integer'
    empty = 0
    aggregator = 'sum'

    def convert(self, value, model):
        return int(value or 0)

    def to_json(self, value):
        return value or 0


class Float(Field):
    type = 'float'
    empty = 0.0
    aggregator = 'sum'

    def convert(self, value, model):
        return float(value or 0.0)

    def to_json(self, value):
        return float(value or 0.0)


class Monetary(Float):
    type = 'monetary'

    def _describe_extra(self, desc):
        desc['currency_field'] = 'currency_id'


class Boolean(Field):
    type = 'boolean'
    empty = False

    def convert(self, value, model):
        return bool(value)

    def to_json(self, value):
        return bool(value)


class Char(Field):
    type = 'char'

    def convert(self, value, model):
        # Odoo stores empty strings as NULL, so '' reads back as false
        if value is None or value is False or value == '':
            return None
        return value if isinstance(value, str) else str(value)


class Text(Char):
    type = 'text'


class Html(Char):
    type = 'html'


class Selection(Field):
    type = 'selection'

    def __init__(self, selection, string=None, **kw):
        super().__init__(string, **kw)
        self.selection = list(selection)
        self.keys = {key for key, _label in self.selection}

    def convert(self, value, model):
        if value is None or value is False:
            return None
        if not isinstance(value, str) or value not in self.keys:
            raise ValueError(f'Wrong value for {self.model_name}.{self.name}: {value!r}')
        return value

    def _describe_extra(self, desc):
        desc['selection'] = [list(pair) for pair in self.selection]


class Date(Field):
    type = 'date'

    def convert(self, value, model):
        if value is None or value is False or value == '':
            return None
        value = value[:10]
        time.strptime(value, DATE_FORMAT)            # ValueError like Odoo's strptime
        return value


class Datetime(Field):
    type = 'datetime'

    def to_json(self, value):
        return False if value is None else value[:19]

    def convert(self, value, model):
        if value is None or value is False or value == '':
            return None
        value = value[:19]
        if len(value) == 10:
            value += ' 00:00:00'
        time.strptime(value, DATETIME_FORMAT)
        return value


class Many2one(Field):
    type = 'many2one'
    relational = True

    def __init__(self, comodel, string=None, *, ondelete='set null', **kw):
        super().__init__(string, **kw)
        self.comodel = comodel
        self.ondelete = ondelete

    def convert(self, value, model):
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, (list, tuple)) and value:          # [id, name] pairs
            value = value[0]
        elif isinstance(value, dict):                            # {"id": .., ...}
            value = value.get('id')
        # anything that is not an id ends up NULL, like capture 35 shows (the NOT NULL
        # check of a required field then reports it)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, context={}, domain=[])


class One2many(Field):
    type = 'one2many'
    relational = True
    column = False

    def __init__(self, comodel, inverse, string=None, **kw):
        super().__init__(string, **kw)
        self.comodel = comodel
        self.inverse = inverse

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, relation_field=self.inverse, context={}, domain=[])


class Many2many(Field):
    type = 'many2many'
    relational = True
    empty = ()

    def __init__(self, comodel, string=None, **kw):
        super().__init__(string, **kw)
        self.comodel = comodel

    def _describe_extra(self, desc):
        desc.update(relation=self.comodel, context={}, domain=[])


X2MANY = ('one2many', 'many2many')


# =============================================================================
# ORM: storage
# =============================================================================

class Table:
    """Column storage of one model.  Live ids are kept sorted (ids only grow), with a
    parallel list of row numbers; rows of deleted records stay in the columns so an
    undo can bring them back.  Reverse indexes of many2one columns (target id -> set of
    ids) are built on first use and then maintained."""

    def __init__(self, model_cls, registry):
        self.model = model_cls
        self.registry = registry
        self.ids = []
        self.rows = []
        self.index = {}
        self.fields = {n: f for n, f in model_cls._fields.items() if f.column}
        self.cols = {n: [] for n in self.fields}
        self.nrows = 0
        self.next_id = 1
        self._rev = {}

    def __len__(self):
        return len(self.ids)

    def insert(self, values, rid=None):
        rid = self.next_id if rid is None else rid
        if rid < self.next_id:
            raise ValueError('ids must be inserted in increasing order')
        row = self.nrows
        self.nrows += 1
        for name, col in self.cols.items():
            col.append(values.get(name, self.fields[name].empty))
        self.cols['id'][row] = rid
        self.ids.append(rid)
        self.rows.append(row)
        self.index[rid] = row
        self.next_id = rid + 1
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.setdefault(target, set()).add(rid)
        self.registry.journal(('insert', self, rid))
        return rid

    def bulk_load(self, ids, columns):
        """Append many records at once (seeding); ids ascending and above next_id."""
        count = len(ids)
        for name, col in self.cols.items():
            values = columns.get(name)
            if values is None:
                col.extend([self.fields[name].empty] * count)
            else:
                col.extend(values)
        self.cols['id'][self.nrows:] = ids
        start = self.nrows
        self.rows.extend(range(start, start + count))
        self.ids.extend(ids)
        self.index.update(zip(ids, range(start, start + count)))
        self.nrows += count
        if ids:
            self.next_id = ids[-1] + 1
        self._rev.clear()

    def delete(self, rid, journal=True):
        row = self.index.pop(rid)
        pos = bisect.bisect_left(self.ids, rid)
        del self.ids[pos]
        del self.rows[pos]
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.get(target, set()).discard(rid)
        if journal:
            self.registry.journal(('delete', self, rid, row))

    def _restore(self, rid, row):
        pos = bisect.bisect_left(self.ids, rid)
        self.ids.insert(pos, rid)
        self.rows.insert(pos, row)
        self.index[rid] = row
        for fname, rev in self._rev.items():
            target = self.cols[fname][row]
            if target is not None:
                rev.setdefault(target, set()).add(rid)

    def set(self, row, fname, value):
        col = self.cols[fname]
        old = col[row]
        if old is value or (old == value and type(old) is type(value)):
            return
        col[row] = value
        self._reindex(row, fname, old, value)
        self.registry.journal(('set', self, row, fname, old))

    def _reindex(self, row, fname, old, new):
        rev = self._rev.get(fname)
        if rev is not None:
            rid = self.cols['id'][row]
            if old is not None:
                rev.get(old, set()).discard(rid)
            if new is not None:
                rev.setdefault(new, set()).add(rid)

    def rev(self, fname):
        """Reverse index of a many2one column: target id -> set of live ids."""
        rev = self._rev.get(fname)
        if rev is None:
            rev = {}
            col, ids_col = self.cols[fname], self.cols['id']
            for row in self.rows:
                target = col[row]
                if target is not None:
                    bucket = rev.get(target)
                    if bucket is None:
                        rev[target] = bucket = set()
                    bucket.add(ids_col[row])
            self._rev[fname] = rev
        return rev

    def undo(self, entry):
        kind = entry[0]
        if kind == 'insert':
            self.delete(entry[2], journal=False)
        elif kind == 'delete':
            self._restore(entry[2], entry[3])
        elif kind == 'set':
            _kind, _table, row, fname, old = entry
            new = self.cols[fname][row]
            self.cols[fname][row] = old
            self._reindex(row, fname, new, old)


# =============================================================================
# ORM: domains
# =============================================================================

TERM_OPERATORS = frozenset([
    '=', '!=', '<=', '<', '>', '>=', '=?', '=like', '=ilike', 'like', 'not like',
    'ilike', 'not ilike', 'in', 'not in', 'child_of', 'parent_of', 'any', 'not any'])
NEGATIVE_OPERATORS = frozenset(['!=', 'not like', 'not ilike', 'not in', 'not any'])
LIKE_OPERATORS = frozenset(['=like', '=ilike', 'like', 'not like', 'ilike', 'not ilike'])


def like_regex(pattern, case_insensitive):
    """SQL LIKE pattern -> compiled regex (% and _ wildcards, backslash escapes)."""
    out, i = [], 0
    while i < len(pattern):
        char = pattern[i]
        if char == '\\' and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append('.*' if char == '%' else '.' if char == '_' else re.escape(char))
        i += 1
    return re.compile(''.join(out) + r'\Z', re.S | (re.I if case_insensitive else 0))


def _always(_row):
    return True


def _never(_row):
    return False


class Domain:
    """An Odoo domain (prefix notation, implicit '&') compiled for one model into a
    predicate over table rows.  Also exposes the top-level conjunction so searches can
    narrow their candidates with id ranges and many2one reverse indexes."""

    def __init__(self, model, domain):
        self.model = model
        self.table = model._table
        if domain is None or domain is False:
            domain = []
        if not isinstance(domain, (list, tuple)):
            raise ValueError(f'Invalid domain: {domain!r}')
        self.tree = self._parse(list(domain))
        if 'active' in model._fields and model.env.context.get('active_test', True) \
                and not self._mentions(domain, 'active'):
            active = self._leaf(['active', '=', True])
            self.tree = ('and', [active, self.tree])
        self.predicate = self._compile(self.tree)

    @staticmethod
    def _mentions(domain, fname):
        return any(isinstance(item, (list, tuple)) and len(item) == 3 and isinstance(item[0], str)
                   and item[0].split('.')[0] == fname for item in domain)

    # --- parsing -----------------------------------------------------------------------

    def _parse(self, items):
        pos = 0

        def parse_one():
            nonlocal pos
            if pos >= len(items):
                raise ValueError(f'Invalid domain: {items!r}')
            item = items[pos]
            pos += 1
            if isinstance(item, str):
                if item in ('&', '|'):
                    left = parse_one()
                    right = parse_one()
                    return ('and' if item == '&' else 'or', [left, right])
                if item == '!':
                    return ('not', parse_one())
            elif isinstance(item, (list, tuple)) and len(item) == 3:
                return self._leaf(item)
            raise ValueError(f'Invalid leaf {item!r}')

        nodes = []
        while pos < len(items):
            nodes.append(parse_one())
        if not nodes:
            return ('const', True)
        return nodes[0] if len(nodes) == 1 else ('and', nodes)

    def _compile(self, node):
        kind = node[0]
        if kind == 'leaf':
            return node[1]
        if kind == 'const':
            return _always if node[1] else _never
        if kind == 'not':
            inner = self._compile(node[1])
            return lambda r: not inner(r)
        preds = [self._compile(child) for child in node[1]]
        if kind == 'and':
            if len(preds) == 2:
                a, b = preds
                return lambda r: a(r) and b(r)
            return lambda r: all(p(r) for p in preds)
        if len(preds) == 2:
            a, b = preds
            return lambda r: a(r) or b(r)
        return lambda r: any(p(r) for p in preds)

    def conjuncts(self):
        """Leaves that must all hold (nested top-level '&'), as (fname, operator, value)."""
        stack = [self.tree]
        while stack:
            node = stack.pop()
            if node[0] == 'and':
                stack.extend(node[1])
            elif node[0] == 'leaf' and node[2] is not None:
                yield node[2]

    # --- leaves --------------------------------------------------------------------------

    def _invalid_field(self, fname, item):
        where = 'condition' if self.model.env.flavor.v19 else 'leaf'
        return ValueError(f'Invalid field {self.model._name}.{fname} in {where} {tuple(item)!r}')

    def _leaf(self, item):
        """Compile one (path, operator, value) term -> ('leaf', predicate, hint)."""
        path, operator, value = item
        if (path, operator, value) == (1, '=', 1) and not isinstance(path, bool):
            return ('const', True)
        if (path, operator, value) == (0, '=', 1) and not isinstance(path, bool):
            return ('const', False)
        if not isinstance(operator, str) or operator.lower() not in TERM_OPERATORS | {'<>'}:
            raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
        operator = operator.lower()
        if operator == '<>':
            operator = '!='
        if not isinstance(path, str):
            raise ValueError(f'Invalid leaf {tuple(item)!r}')
        fname, _dot, rest = path.partition('.')
        field = self.model._fields.get(fname)
        if field is None or (rest and not field.relational):
            raise self._invalid_field(fname, item)
        if operator == '=?':
            if value is None or value is False:
                return ('const', True)
            operator = '='
        hint = (fname, operator, value) if not rest else None
        if rest:
            predicate = self._path_leaf(field, rest, operator, value)
        elif operator in ('any', 'not any'):
            if not field.relational:
                raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
            sub = self.model.env[field.comodel]._search_id_set(value)
            predicate = self._membership(field, sub, negate=operator == 'not any')
        elif operator in ('child_of', 'parent_of'):
            predicate = self._hierarchy_leaf(field, operator, value, item)
        elif field.relational:
            predicate = self._relational_leaf(field, operator, value)
        else:
            predicate = self._scalar_leaf(field, operator, value)
        return ('leaf', predicate, hint)

    def _path_leaf(self, field, rest, operator, value):
        comodel = self.model.env[field.comodel]
        sub = comodel._search_id_set([(rest, operator, value)])
        return self._membership(field, sub)

    def _membership(self, field, id_set, negate=False):
        """Record matches when its relational value hits id_set."""
        if field.type == 'many2one':
            get = self.model._getter(field.name)
            if negate:
                return lambda r: get(r) not in id_set
            return lambda r: get(r) in id_set
        ids_of = self.model._x2many_getter(field.name)
        if negate:
            return lambda r: not any(i in id_set for i in ids_of(r))
        return lambda r: any(i in id_set for i in ids_of(r))

    def _hierarchy_leaf(self, field, operator, value, item):
        comodel_name = self.model._name if field.name == 'id' else getattr(field, 'comodel', None)
        comodel = self.model.env[comodel_name] if comodel_name else None
        if comodel is None or not comodel._parent_name:
            raise ValueError(f'Invalid operator {operator!r} in domain term {tuple(item)!r}')
        roots = value if isinstance(value, (list, tuple)) else [value]
        if operator == 'child_of':
            targets = comodel._descendants([v for v in roots if isinstance(v, int)])
        else:
            targets = comodel._ancestors([v for v in roots if isinstance(v, int)])
        if field.name == 'id':
            ids_col = self.table.cols['id']
            return lambda r: ids_col[r] in targets
        return self._membership(field, targets)

    def _names_matching(self, comodel_name, operator, value):
        """Ids of comodel records whose display_name matches (name search)."""
        comodel = self.model.env[comodel_name]
        return comodel._search_id_set([('display_name', operator, value)])

    def _relational_leaf(self, field, operator, value):
        get = self.model._getter(field.name) if field.type == 'many2one' else None
        negate = operator in NEGATIVE_OPERATORS
        positive = {'!=': '=', 'not in': 'in', 'not like': 'like', 'not ilike': 'ilike'}.get(operator, operator)
        if positive in LIKE_OPERATORS:
            pattern = '' if value is False or value is None else value
            return self._membership(field, self._names_matching(field.comodel, positive, pattern), negate)
        if positive in ('=', 'in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            ids = {v for v in values if isinstance(v, int) and not isinstance(v, bool)}
            names = [v for v in values if isinstance(v, str)]
            for name in names:
                ids |= self._names_matching(field.comodel, '=', name)
            want_empty = any(v is False or v is None for v in values)
            if field.type == 'many2one':
                if negate:
                    return lambda r: not ((v := get(r)) in ids or (want_empty and v is None))
                return lambda r: (v := get(r)) in ids or (want_empty and v is None)
            ids_of = self.model._x2many_getter(field.name)

            def hit(r):
                current = ids_of(r)
                return (want_empty and not current) or any(i in ids for i in current)
            return (lambda r: not hit(r)) if negate else hit
        if field.type == 'many2one':           # <, <=, >, >= compare the stored id
            return self._compare(get, operator, value)
        raise ValueError(f'Invalid operator {operator!r} for field {field.name!r}')

    def _coerce(self, field, operator, value):
        if field.type == 'datetime' and isinstance(value, str) and len(value) == 10:
            return value + (' 23:59:59' if operator in ('>', '<=') else ' 00:00:00')
        if field.type in ('integer', 'float', 'monetary') and isinstance(value, str):
            return float(value)
        if field.type in ('char', 'text', 'html', 'selection', 'date', 'datetime') \
                and isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return value

    @staticmethod
    def _compare(get, operator, value):
        if value is None or value is False:
            return _never
        if operator == '<':
            return lambda r: (v := get(r)) is not None and v < value
        if operator == '<=':
            return lambda r: (v := get(r)) is not None and v <= value
        if operator == '>':
            return lambda r: (v := get(r)) is not None and v > value
        return lambda r: (v := get(r)) is not None and v >= value

    DATETIME_OPERATORS = frozenset(('=', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in'))

    def _datetime_operands(self, field, operator, value, get):
        """Stored datetimes keep microseconds (create_date / write_date).  Odoo 16-18
        compare the domain value with the stored one as is: `= shown second` finds
        nothing and `> shown second` finds that second again.  Odoo 19 compares whole
        seconds (`>` S is `>=` S+1, `<=` S is `<` S+1, `=`/`in` S is [S, S+1)), which
        is comparing the stored value truncated to the second."""
        whole = self.model.env.flavor.whole_second_datetimes

        def one(v, op):
            v = self._coerce(field, op, v)
            if isinstance(v, str):
                v = normalize_datetime(v)
                if whole:
                    v = v[:19]
            return v
        if operator in ('in', 'not in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            value = [one(v, '=') for v in values]
        else:
            value = one(value, operator)
        if whole:
            get = (lambda r, get=get: None if (v := get(r)) is None else v[:19])
        return get, value

    def _scalar_leaf(self, field, operator, value):
        get = self.model._getter(field.name)
        if field.type == 'datetime' and operator in self.DATETIME_OPERATORS:
            get, value = self._datetime_operands(field, operator, value, get)
        boolean = field.type == 'boolean'
        if operator in ('=', '!='):
            negate = operator == '!='
            if value is None or value is False:
                if boolean:
                    return (lambda r: bool(get(r))) if negate else (lambda r: not get(r))
                return (lambda r: get(r) is not None) if negate else (lambda r: get(r) is None)
            value = self._coerce(field, operator, value)
            if negate:
                return lambda r: get(r) != value
            return lambda r: get(r) == value
        if operator in ('<', '<=', '>', '>='):
            return self._compare(get, operator, self._coerce(field, operator, value))
        if operator in ('in', 'not in'):
            values = value if isinstance(value, (list, tuple)) else [value]
            want_empty = any(v is False or v is None for v in values) and not boolean
            wanted = {self._coerce(field, '=', v) for v in values
                      if not (v is None or (v is False and not boolean))}
            if operator == 'in':
                return lambda r: (v := get(r)) in wanted or (want_empty and v is None)
            return lambda r: not ((v := get(r)) in wanted or (want_empty and v is None))
        if operator in LIKE_OPERATORS:
            pattern = '' if value is None or value is False else str(value)
            if operator in ('like', 'not like', 'ilike', 'not ilike'):
                pattern = f'%{pattern}%'
            rx = like_regex(pattern, 'ilike' in operator).match
            if operator.startswith('not'):
                return lambda r: (v := get(r)) is None or not rx(str(v))
            return lambda r: (v := get(r)) is not None and rx(str(v)) is not None
        raise ValueError(f'Invalid operator {operator!r} for field {field.name!r}')


# =============================================================================
# ORM: environment, registry, base model
# =============================================================================

MODEL_CLASSES = {}


def api_model(fn):
    """@api.model: called on the empty recordset, args are the method's own."""
    fn._api = 'model'
    return fn


def api_model_create(fn):
    """@api.model_create_multi: create(dict) answers an id, create([dict]) a list."""
    fn._api = 'model_create'
    return fn


def api_multi(fn):
    """A recordset method: over call_kw args[0] holds the ids."""
    fn._api = 'multi'
    return fn


class Env:
    """uid + context + registry, like odoo.api.Environment."""

    def __init__(self, registry, uid, context=None, now=None):
        self.registry = registry
        self.flavor = registry.flavor
        self.uid = uid
        self.context = dict(context or {})
        # one timestamp per transaction (Odoo's cr.now()), with microseconds: it goes
        # to create_date / write_date.  Business values (defaults, date_order on
        # confirmation) get Datetime.now(), whole seconds: now_s.
        self.now = now or utc_now_us()

    @property
    def now_s(self):
        return self.now[:19]

    def __getitem__(self, model_name):
        return self.registry.models[model_name](self, ())

    def with_context(self, context):
        return Env(self.registry, self.uid, {**self.context, **context}, self.now)

    def check_companies(self):
        allowed = self.context.get('allowed_company_ids')
        if allowed is None:
            return
        users = self.registry.tables['res.users']
        row = users.index.get(self.uid)
        user_companies = set(users.cols['company_ids'][row]) if row is not None else set()
        if not isinstance(allowed, (list, tuple)) or \
                any(not isinstance(c, int) or c not in user_companies for c in allowed):
            raise AccessError('Access to unauthorized or invalid companies.')


ACCESS_VERBS = {'read': 'access', 'write': 'modify', 'create': 'create', 'unlink': 'delete'}


def access_error_message(model_cls, operation, groups):
    listed = ''.join(f'\t- {group}\n' for group in groups)
    return (f"You are not allowed to {ACCESS_VERBS[operation]} '{model_cls._description}' "
            f"({model_cls._name}) records.\n\n"
            f"This operation is allowed for the following groups:\n{listed}\n"
            "Contact your administrator to request access if necessary.")


class Registry:
    """All tables of the database plus the transaction journal (one global lock)."""

    def __init__(self, flavor, db):
        self.flavor = flavor
        self.db = db
        self.lock = threading.RLock()
        self.models = dict(MODEL_CLASSES)
        for cls in self.models.values():
            cls._setup_version(flavor.major)
        self.tables = {name: Table(cls, self) for name, cls in self.models.items()}
        self.sequences = collections.defaultdict(lambda: 1)
        self.references = collections.defaultdict(list)     # comodel -> [(model, field, ondelete)]
        for name, cls in self.models.items():
            for field in cls._fields.values():
                if field.type == 'many2one' and field.column:
                    self.references[field.comodel].append((name, field.name, field.ondelete))
        self.denied = {}          # uid -> {model: {operation: [groups]}}
        self.on_call = None       # callback(model.method) for the statistics
        self.dropped_writes = frozenset   # () -> {"model.field"} whose writes are ignored
        self._journal = None

    def journal(self, entry):
        if self._journal is not None:
            self._journal.append(entry)

    @contextlib.contextmanager
    def transaction(self):
        """Everything done inside is undone if an exception escapes (like a rolled back
        PostgreSQL transaction; sequences are not rolled back, as in PostgreSQL)."""
        with self.lock:
            if self._journal is not None:
                yield
                return
            self._journal = []
            try:
                yield
            except BaseException:
                for entry in reversed(self._journal):
                    entry[1].undo(entry)
                raise
            finally:
                self._journal = None

    def next_sequence(self, code):
        number = self.sequences[code]
        self.sequences[code] = number + 1
        return number

    def notify_call(self, model_name, method_name):
        if self.on_call:
            self.on_call(f'{model_name}.{method_name}')

    def access_error(self, uid, model_cls, operation):
        groups = self.denied.get(uid, {}).get(model_cls._name, {}).get(operation)
        if groups is None:
            return None
        return access_error_message(model_cls, operation, groups)


def downgrade(value):
    """Recordsets travel as lists of ids."""
    if isinstance(value, BaseModel):
        return value.ids
    return value


class BaseModel:
    """A recordset (model class + env + ids), like Odoo's.  Public methods marked with
    @api_model / @api_multi / @api_model_create are callable over RPC, with the same
    Python signatures as Odoo's so that named arguments and errors match."""

    _name = None
    _description = None
    _order = 'id'
    _rec_name = 'name'
    _parent_name = None
    _fields = {}

    display_name = Char('Display Name', compute='_compute_display_name')
    create_uid = Many2one('res.users', 'Created by', readonly=True)
    create_date = Datetime('Created on', readonly=True)
    write_uid = Many2one('res.users', 'Last Updated by', readonly=True)
    write_date = Datetime('Last Updated on', readonly=True)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not cls._name:
            return
        found = {'id': Id()}       # (the name 'id' itself is the recordset property)
        for klass in reversed(cls.__mro__):
            for name, value in vars(klass).items():
                if isinstance(value, Field):
                    found[name] = value
        trailing = ['display_name', *MAGIC_FIELDS]
        names = ['id'] + [n for n in found if n != 'id' and n not in trailing] + trailing
        fields = {}
        for name in names:
            field = object.__new__(type(found[name]))
            field.__dict__.update(found[name].__dict__)
            field.setup(name, cls)
            fields[name] = field
        cls._fields = cls._all_fields = fields
        MODEL_CLASSES[cls._name] = cls

    @classmethod
    def _setup_version(cls, major):
        """Keep the fields that exist in Odoo `major` (Field.versions).  The process
        serves one version, so the class itself is narrowed."""
        cls._fields = {name: field for name, field in cls._all_fields.items()
                       if field.versions is None or major in field.versions}

    def __init__(self, env, ids=()):
        self.env = env
        self.ids = list(ids)

    def __repr__(self):
        return f'{self._name}{tuple(self.ids)!r}'

    def __iter__(self):
        for rid in self.ids:
            yield type(self)(self.env, [rid])

    def __len__(self):
        return len(self.ids)

    def __bool__(self):
        return bool(self.ids)

    @property
    def id(self):
        return self.ids[0] if self.ids else False

    @property
    def _table(self):
        return self.env.registry.tables[self._name]

    def browse(self, ids=()):
        if ids is None or ids is False:
            ids = []
        elif isinstance(ids, int) and not isinstance(ids, bool):
            ids = [ids]
        elif not isinstance(ids, (list, tuple)):
            raise ValueError(f'Invalid ids {ids!r} for model {self._name!r}')
        return type(self)(self.env, ids)

    def with_context(self, context=None, **kw):
        return type(self)(self.env.with_context({**(context or {}), **kw}), self.ids)

    def _check_access(self, operation):
        message = self.env.registry.access_error(self.env.uid, type(self), operation)
        if message:
            raise AccessError(message)

    def _value(self, rid, fname):
        """Internal value of a stored field of one record."""
        return self._table.cols[fname][self._table.index[rid]]

    # --- getters used by reads, domains and ordering -------------------------------

    def _getter(self, fname):
        field = self._fields[fname]
        if field.column:
            return self._table.cols[fname].__getitem__
        if field.compute:
            return getattr(self, field.compute)()
        return self._x2many_getter(fname)

    def _x2many_getter(self, fname):
        field = self._fields[fname]
        if field.type == 'many2many':
            col = self._table.cols[fname]
            return lambda r: col[r] or ()
        rev = self.env[field.comodel]._table.rev(field.inverse)
        ids_col = self._table.cols['id']
        return lambda r: rev.get(ids_col[r], ())

    def _compute_display_name(self):
        col = self._table.cols.get(self._rec_name)
        if col is None:
            ids_col, name = self._table.cols['id'], self._name
            return lambda r: f'{name},{ids_col[r]}'
        return lambda r: col[r] or ''

    def _name_getter(self):
        """id -> display_name, memoized for the duration of one read."""
        compute = self._compute_display_name()
        index = self._table.index
        cache = {}

        def name_of(rid):
            name = cache.get(rid)
            if name is None:
                row = index.get(rid)
                name = cache[rid] = compute(row) if row is not None else ''
            return name
        return name_of

    def _o2m_sorted(self, fname):
        field = self._fields[fname]
        comodel = self.env[field.comodel]
        ctable = comodel._table
        rev = ctable.rev(field.inverse)
        ids_col, cindex, cids = self._table.cols['id'], ctable.index, ctable.cols['id']
        spec = [s for s in comodel._order_spec(None) if s[0] != field.inverse]

        def children(r):
            kids = rev.get(ids_col[r])
            if not kids:
                return []
            if len(kids) == 1:
                return list(kids)
            return [cids[x] for x in comodel._sort_rows([cindex[i] for i in kids], spec)]
        return children

    def _json_reader(self, fname, load='_classic_read'):
        """row -> the value read()/search_read() send for the field."""
        field = self._fields[fname]
        if field.type == 'many2one':
            get = self._getter(fname)
            if load != '_classic_read':
                return lambda r: False if (v := get(r)) is None else v
            name_of = self.env[field.comodel]._name_getter()
            return lambda r: False if (v := get(r)) is None else [v, name_of(v)]
        if field.type == 'one2many':
            return self._o2m_sorted(fname)
        if field.type == 'many2many':
            get = self._getter(fname)
            return lambda r: list(get(r))
        get = self._getter(fname)
        if isinstance(field, Datetime):     # stored microseconds are not shown
            return lambda r: False if (v := get(r)) is None else v[:19]
        if isinstance(field, (Char, Selection, Date)):
            return lambda r: False if (v := get(r)) is None else v
        to_json = field.to_json
        return lambda r: to_json(get(r))

    def _read_rows(self, rows, fnames, load='_classic_read'):
        readers = [(fname, self._json_reader(fname, load)) for fname in fnames]
        ids_col = self._table.cols['id']
        result = []
        for r in rows:
            record = {'id': ids_col[r]}
            for fname, reader in readers:
                record[fname] = reader(r)
            result.append(record)
        return result

    def _check_field_names(self, fields):
        if not fields:
            return [name for name in self._fields if name != 'id']
        if isinstance(fields, str):
            fields = [fields]
        names = []
        for fname in fields:
            if fname not in self._fields:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            if fname != 'id' and fname not in names:
                names.append(fname)
        return names

    # --- searching ----------------------------------------------------------------------

    def _order_spec(self, order):
        """'name desc, id' -> [(fname, descending, nulls)]."""
        order = order or self._order
        if not isinstance(order, str):
            raise ValueError(f'Invalid "order" specified ({order!r}). A valid "order" specification '
                             'is a comma-separated list of valid field names (optionally followed '
                             'by asc/desc for the direction)')
        spec = []
        for part in order.split(','):
            words = part.split()
            if not words:
                continue
            fname, rest = words[0], [w.lower() for w in words[1:]]
            direction, nulls = 'asc', None
            if rest and rest[0] in ('asc', 'desc'):
                direction = rest.pop(0)
            if len(rest) == 2 and rest[0] == 'nulls' and rest[1] in ('first', 'last'):
                nulls, rest = rest[1], []
            if rest:
                raise ValueError(f'Invalid "order" specified ({order}). A valid "order" specification '
                                 'is a comma-separated list of valid field names (optionally followed '
                                 'by asc/desc for the direction)')
            field = self._fields.get(fname)
            if field is None or field.type in X2MANY:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            spec.append((fname, direction == 'desc', nulls))
        return spec

    def _sort_key(self, fname, rows, none_high):
        field = self._fields[fname]
        if field.type == 'many2one':
            get = self._getter(fname)
            rank = self.env[field.comodel]._rank({get(r) for r in rows} - {None})
            base = lambda r: rank.get(get(r))     # noqa: E731
        else:
            base = self._getter(fname)
        if fname == 'id' or field.type in ('integer', 'float', 'monetary', 'boolean'):
            return base
        if none_high:
            return lambda r: ((v := base(r)) is None, v)
        return lambda r: ((v := base(r)) is not None, v)

    def _sort_rows(self, rows, spec, top=None):
        """Sort rows like ORDER BY (NULLS LAST ascending, FIRST descending by default).
        With `top`, only the first `top` rows of that order are needed."""
        rows = list(rows)
        if len(rows) < 2 or not spec:
            return rows
        groups = []             # consecutive keys sharing a direction become one tuple key
        for fname, desc, nulls in spec:
            none_high = nulls != 'last' if desc else nulls != 'first'
            key = self._sort_key(fname, rows, none_high)
            if groups and groups[-1][1] == desc:
                groups[-1][0].append(key)
            else:
                groups.append(([key], desc))
        keyed = []
        for keys, desc in groups:
            if len(keys) == 1:
                keyed.append((keys[0], desc))
            else:
                keyed.append((lambda r, keys=keys: tuple(k(r) for k in keys), desc))
        if top is not None and len(keyed) == 1 and top * 4 < len(rows):
            # partial sort; equivalent to sorted(...)[:top], ties included
            key, desc = keyed[0]
            return (heapq.nlargest if desc else heapq.nsmallest)(top, rows, key=key)
        for key, desc in reversed(keyed):        # stable sorts, least significant first
            rows.sort(key=key, reverse=desc)
        return rows

    def _rank(self, ids):
        """Position of the given ids in this model's default order (ORDER BY many2one)."""
        index = self._table.index
        rows = self._sort_rows([index[i] for i in ids if i in index], self._order_spec(None))
        ids_col = self._table.cols['id']
        return {ids_col[r]: n for n, r in enumerate(rows)}

    def _candidate_rows(self, domain):
        """Rows (id order) that may match: narrowed by id ranges / id lists and by
        many2one equalities of the top-level conjunction."""
        table = self._table
        lo, hi = 0, len(table.ids)
        id_set = None
        for fname, operator, value in domain.conjuncts():
            if isinstance(value, bool):
                continue
            if fname == 'id':
                if operator in ('>', '>=', '<', '<=') and isinstance(value, (int, float)):
                    if operator == '>':
                        lo = max(lo, bisect.bisect_right(table.ids, value))
                    elif operator == '>=':
                        lo = max(lo, bisect.bisect_left(table.ids, value))
                    elif operator == '<':
                        hi = min(hi, bisect.bisect_left(table.ids, value))
                    else:
                        hi = min(hi, bisect.bisect_right(table.ids, value))
                    continue
                wanted = self._int_values(operator, value)
                if wanted is None:
                    continue
                found = set(wanted)
            else:
                field = self._fields[fname]
                wanted = self._int_values(operator, value)
                if field.type != 'many2one' or not field.column or wanted is None:
                    continue
                rev = table.rev(fname)
                found = set()
                for target in wanted:
                    found.update(rev.get(target, ()))
            id_set = found if id_set is None else id_set & found
        if id_set is None:
            return table.rows[lo:hi]
        if lo >= hi:
            return []
        low_id, high_id = table.ids[lo], table.ids[hi - 1]
        index = table.index
        return [index[i] for i in sorted(id_set) if low_id <= i <= high_id and i in index]

    @staticmethod
    def _int_values(operator, value):
        if operator == '=' and isinstance(value, int):
            return [value]
        if operator == 'in' and isinstance(value, (list, tuple)) and \
                all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return list(value)
        return None

    def _search_rows(self, domain, offset=0, limit=None, order=None, count=False):
        dom = Domain(self, domain)
        predicate = dom.predicate
        candidates = self._candidate_rows(dom)
        limit = int(limit) if limit else None
        if count:
            if predicate is _always:
                found = len(candidates)
            else:
                found = sum(1 for r in candidates if predicate(r))
            return min(found, limit) if limit else found
        offset = int(offset or 0)
        spec = self._order_spec(order)
        if len(spec) == 1 and spec[0][0] == 'id':
            # id order: walk the (already sorted) candidates and stop early
            sequence = reversed(candidates) if spec[0][1] else candidates
            if limit is None:
                return [r for r in sequence if predicate(r)][offset:]
            wanted, found = offset + limit, []
            for r in sequence:
                if predicate(r):
                    found.append(r)
                    if len(found) >= wanted:
                        break
            return found[offset:]
        matched = list(candidates) if predicate is _always else [r for r in candidates if predicate(r)]
        matched = self._sort_rows(matched, spec, top=offset + limit if limit else None)
        return matched[offset:offset + limit] if limit else matched[offset:]

    def _search_id_set(self, domain):
        ids_col = self._table.cols['id']
        return {ids_col[r] for r in self._search_rows(domain, order='id')}

    def _descendants(self, roots):
        rev, index = self._table.rev(self._parent_name), self._table.index
        found, todo = set(), [r for r in roots if r in index]
        while todo:
            rid = todo.pop()
            if rid not in found:
                found.add(rid)
                todo.extend(rev.get(rid, ()))
        return found

    def _ancestors(self, roots):
        index, parent_col = self._table.index, self._table.cols[self._parent_name]
        found = set()
        for rid in roots:
            while rid is not None and rid in index and rid not in found:
                found.add(rid)
                rid = parent_col[index[rid]]
        return found

    # --- writing -------------------------------------------------------------------------

    def _check_vals(self, vals):
        if not isinstance(vals, dict):
            raise ValueError(f'Invalid values {vals!r} for model {self._name!r}')
        for fname in vals:
            if fname not in self._fields:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')

    def _not_null_error(self, field):
        if self.env.flavor.v19:
            return ValidationError(
                f"The operation cannot be completed: Missing required value for the field "
                f"'{field.string}' ({field.name}).\nModel: '{self._description}' ({self._name})\n"
                "- create/update: a mandatory field is not set\n"
                "- delete: another model requires the record being deleted, you can archive it instead\n")
        return ValidationError(
            "The operation cannot be completed:\n"
            "- Create/update: a mandatory field is not set.\n"
            "- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n"
            f"Model: {self._description} ({self._name})\nField: {field.string} ({field.name})\n")

    @staticmethod
    def _foreign_key_error(model_cls, fname):
        return ValidationError(
            "The operation cannot be completed: another model requires the record being deleted. "
            "If possible, archive it instead.\n\n"
            f"Model: {model_cls._description} ({model_cls._name})\n"
            f"Constraint: {model_cls._name.replace('.', '_')}_{fname}_fkey\n")

    def _convert_vals(self, vals):
        """Split API values into converted stored values and x2many commands."""
        stored, x2many = {}, []
        for fname, value in vals.items():
            field = self._fields[fname]
            if not field.writable:
                continue
            if field.type in X2MANY:
                x2many.append((field, value))
            else:
                stored[fname] = field.convert(value, self)
        return stored, x2many

    def _check_stored(self, stored, creating):
        fields = self._fields
        for fname, field in fields.items():
            if field.required and field.column and (creating or fname in stored) \
                    and stored.get(fname) is None:
                raise self._not_null_error(field)
        for fname, value in stored.items():
            field = fields[fname]
            if field.type == 'many2one' and value is not None and \
                    value not in self.env.registry.tables[field.comodel].index:
                raise self._foreign_key_error(type(self), fname)

    def _default_values(self, vals):
        """Defaults for the fields missing from vals (API values)."""
        defaults = {}
        for fname, field in self._fields.items():
            if fname not in vals and field.default is not None:
                defaults[fname] = field.default(self) if callable(field.default) else field.default
        return defaults

    def _create_one(self, vals):
        self._check_vals(vals)
        stored, x2many = self._convert_vals({**self._default_values(vals), **vals})
        uid, now = self.env.uid, self.env.now
        stored.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
        self._check_stored(stored, creating=True)
        rid = self._table.insert(stored)
        record = self.browse([rid])
        for field, commands in x2many:
            record._apply_x2many(field, commands)
        return rid

    def _apply_x2many(self, field, commands):
        """Odoo's x2many commands (0 create, 1 update, 2 delete, 3 unlink, 4 link,
        5 clear, 6 set) applied to the single record self; a list of ids means 6."""
        if not isinstance(commands, (list, tuple)):
            raise ValueError(f'Wrong value for {self._name}.{field.name}: {commands!r}')
        if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
            commands = [(6, 0, list(commands))]
        comodel = self.env[field.comodel]
        rid = self.ids[0]
        if field.type == 'one2many':
            inverse = field.inverse
            current = lambda: sorted(comodel._table.rev(inverse).get(rid, ()))    # noqa: E731
        else:
            row = self._table.index[rid]
            col = self._table.cols[field.name]
            linked = list(col[row] or ())
        for command in commands:
            if not isinstance(command, (list, tuple)) or not command or command[0] not in range(7):
                raise ValueError(f'Wrong value for {self._name}.{field.name}: {command!r}')
            code = command[0]
            arg = command[1] if len(command) > 1 else None
            vals = command[2] if len(command) > 2 else None
            if field.type == 'one2many':
                if code == 0:
                    comodel.create([{**(vals or {}), inverse: rid}])
                elif code == 1:
                    comodel.browse([arg]).write(vals or {})
                elif code == 2:
                    comodel.browse([arg]).unlink()
                elif code == 3:
                    self._o2m_detach(field, comodel, [arg])
                elif code == 4:
                    comodel.browse([arg]).write({inverse: rid})
                elif code == 5:
                    self._o2m_detach(field, comodel, current())
                else:
                    keep = list(vals or [])
                    self._o2m_detach(field, comodel, [i for i in current() if i not in keep])
                    if keep:
                        comodel.browse(keep).write({inverse: rid})
            else:
                if code == 0:
                    linked.append(comodel.create([vals or {}]).ids[0])
                elif code == 1:
                    comodel.browse([arg]).write(vals or {})
                elif code == 2:
                    comodel.browse([arg]).unlink()
                    linked = [i for i in linked if i != arg]
                elif code == 3:
                    linked = [i for i in linked if i != arg]
                elif code == 4:
                    if arg not in linked:
                        linked.append(arg)
                elif code == 5:
                    linked = []
                else:
                    linked = list(dict.fromkeys(vals or []))
        if field.type == 'many2many':
            comodel_index = comodel._table.index
            for target in linked:
                if not isinstance(target, int) or target not in comodel_index:
                    raise self._foreign_key_error(type(self), field.name)
            self._table.set(row, field.name, tuple(linked))

    def _o2m_detach(self, field, comodel, ids):
        if not ids:
            return
        inverse = comodel._fields[field.inverse]
        if inverse.ondelete == 'cascade':
            comodel.browse(ids).unlink()
        else:
            comodel.browse(ids).write({field.inverse: False})

    def _missing_error(self, missing):
        return MissingError('Record does not exist or has been deleted.\n'
                            f'(Record: {self._name}{tuple(missing)!r}, User: {self.env.uid})')

    def _ensure_exist(self):
        index = self._table.index
        missing = [rid for rid in self.ids if rid not in index]
        if missing:
            raise self._missing_error(missing)

    def _unlink_rows(self):
        """Delete the records and apply ON DELETE of every many2one pointing at them."""
        ids = list(dict.fromkeys(self.ids))
        registry = self.env.registry
        for model_name, fname, ondelete in registry.references[self._name]:
            comodel = self.env[model_name]
            rev = comodel._table.rev(fname)
            referencing = set()
            for rid in ids:
                referencing.update(rev.get(rid, ()))
            if model_name == self._name:
                referencing.difference_update(ids)
            if not referencing:
                continue
            if ondelete == 'cascade':
                comodel.browse(sorted(referencing))._unlink_rows()
            elif ondelete == 'restrict' or comodel._fields[fname].required:
                raise self._foreign_key_error(type(comodel), fname)
            else:
                ctable = comodel._table
                for rid in referencing:
                    ctable.set(ctable.index[rid], fname, None)
        table = self._table
        for rid in ids:
            if rid in table.index:
                table.delete(rid)

    # --- business hooks (overridden by models) ----------------------------------------

    def _post_create(self):
        pass

    def _pre_write(self, vals):
        pass

    def _post_write(self, vals):
        pass

    def _pre_unlink(self):
        pass

    # --- public ORM API ----------------------------------------------------------------

    @api_model
    def search(self, domain, offset=0, limit=None, order=None):
        self._check_access('read')
        ids_col = self._table.cols['id']
        return self.browse([ids_col[r] for r in self._search_rows(domain, offset, limit, order)])

    @api_model
    def search_count(self, domain, limit=None):
        self._check_access('read')
        return self._search_rows(domain, limit=limit, count=True)

    @api_model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **read_kwargs):
        self._check_access('read')
        fnames = self._check_field_names(fields)
        rows = self._search_rows(domain or [], offset, limit, order)
        return self._read_rows(rows, fnames, **read_kwargs)

    @api_multi
    def read(self, fields=None, load='_classic_read'):
        self._check_access('read')
        fnames = self._check_field_names(fields)
        index = self._table.index
        rows = [index[rid] for rid in self.ids if isinstance(rid, int) and rid in index]
        return self._read_rows(rows, fnames, load)

    @api_model_create
    def create(self, vals_list):
        if isinstance(vals_list, dict):
            vals_list = [vals_list]
        self._check_access('create')
        records = self.browse([self._create_one(vals) for vals in vals_list])
        records._post_create()
        return records

    @api_multi
    def write(self, vals):
        self._check_access('write')
        self._ensure_exist()
        self._check_vals(vals)
        dropped = self.env.registry.dropped_writes()
        if dropped:        # control API: accepted, then silently not applied
            vals = {f: v for f, v in vals.items() if f'{self._name}.{f}' not in dropped}
        if not vals or not self.ids:
            return True
        self._pre_write(vals)
        stored, x2many = self._convert_vals(vals)
        self._check_stored(stored, creating=False)
        stored.update(write_uid=self.env.uid, write_date=self.env.now)
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            for fname, value in stored.items():
                table.set(row, fname, value)
        for field, commands in x2many:
            for record in self:
                record._apply_x2many(field, commands)
        self._post_write(vals)
        return True

    @api_multi
    def unlink(self):
        if not self.ids:
            return True
        self._check_access('unlink')
        self._ensure_exist()
        self._pre_unlink()
        self._unlink_rows()
        return True

    @api_multi
    def exists(self):
        index = self._table.index
        return self.browse([rid for rid in self.ids if rid in index])

    @api_model
    def fields_get(self, allfields=None, attributes=None):
        result = {}
        for fname, field in self._fields.items():
            if allfields and fname not in allfields:
                continue
            description = field.describe()
            if attributes:
                description = {k: v for k, v in description.items() if k in attributes}
            result[fname] = description
        return result

    @api_model
    def name_search(self, name='', domain=None, operator='ilike', limit=100, args=None):
        self._check_access('read')
        domain = list(domain or args or [])
        if name:
            domain = domain + [('display_name', operator, name)]
        rows = self._search_rows(domain, limit=limit)
        name_of = self._name_getter()
        ids_col = self._table.cols['id']
        return [[ids_col[r], name_of(ids_col[r])] for r in rows]

    @api_model
    def name_create(self, name):
        record = self.create({self._rec_name: name})
        return [record.id, record._name_getter()(record.id)]

    @api_model
    def default_get(self, fields_list):
        defaults = self._default_values({})
        return {f: v for f, v in defaults.items() if f in fields_list}

    @api_model
    def check_access_rights(self, operation, raise_exception=True):
        message = self.env.registry.access_error(self.env.uid, type(self), operation)
        if message and raise_exception:
            raise AccessError(message)
        return not message

    @api_multi
    def web_read(self, specification):
        self._check_access('read')
        index = self._table.index
        rows = [index[rid] for rid in self.ids if rid in index]
        return self._web_read_rows(rows, specification)

    def _web_read_rows(self, rows, specification):
        readers = []
        for fname, sub in specification.items():
            field = self._fields.get(fname)
            if field is None:
                raise ValueError(f'Invalid field {fname!r} on model {self._name!r}')
            sub_fields = (sub or {}).get('fields')
            if field.type == 'many2one':
                get = self._getter(fname)
                if sub_fields:
                    comodel = self.env[field.comodel]
                    cindex = comodel._table.index

                    def reader(r, get=get, comodel=comodel, cindex=cindex, sub_fields=sub_fields):
                        target = get(r)
                        if target is None:
                            return False
                        return comodel._web_read_rows([cindex[target]], sub_fields)[0]
                else:
                    def reader(r, get=get):
                        target = get(r)
                        return False if target is None else target
            elif field.type in X2MANY and sub_fields:
                ids_reader = self._json_reader(fname)
                comodel = self.env[field.comodel]

                def reader(r, ids_reader=ids_reader, comodel=comodel, sub_fields=sub_fields):
                    cindex = comodel._table.index
                    return comodel._web_read_rows([cindex[i] for i in ids_reader(r)], sub_fields)
            else:
                reader = self._json_reader(fname)
            readers.append((fname, reader))
        ids_col = self._table.cols['id']
        result = []
        for r in rows:
            record = {'id': ids_col[r]}
            for fname, reader in readers:
                record[fname] = reader(r)
            result.append(record)
        return result

    @api_model
    def web_search_read(self, domain, specification, offset=0, limit=None, order=None, count_limit=None):
        self._check_access('read')
        rows = self._search_rows(domain, offset, limit, order)
        records = self._web_read_rows(rows, specification)
        if limit and len(records) == limit:
            length = self._search_rows(domain, limit=count_limit, count=True)
        else:
            length = len(records) + int(offset or 0)
        return {'length': length, 'records': records}

    @api_model
    def read_group(self, domain, fields, groupby, offset=0, limit=None, orderby=False, lazy=True):
        self._check_access('read')
        return ReadGroup(self, domain, fields, groupby, offset, limit, orderby, lazy).run()


def normalize_domain(domain):
    """Odoo's expression.normalize_domain: make the implicit '&' operators explicit."""
    result, expected = [], 1
    for token in domain:
        if expected == 0:
            result[0:0] = ['&']
            expected = 1
        if token in ('&', '|'):
            expected += 1
        elif token != '!':
            expected -= 1
        result.append(list(token) if isinstance(token, tuple) else token)
    return result


def and_domains(domains):
    parts = [normalize_domain(d) for d in domains if d]
    if not parts:
        return []
    return ['&'] * (len(parts) - 1) + [token for part in parts for token in part]


class ReadGroup:
    """read_group(domain, fields, groupby, offset, limit, orderby, lazy)."""

    GRANULARITIES = ('day', 'week', 'month', 'quarter', 'year')
    SPEC = re.compile(r'(\w+)(?::(\w+)(?:\((\w+)\))?)?')

    def __init__(self, model, domain, fields, groupby, offset, limit, orderby, lazy):
        self.model = model
        self.domain = list(domain or [])
        if isinstance(groupby, str):
            groupby = [groupby]
        groupby = list(groupby or [])
        self.lazy = bool(lazy) and bool(groupby)
        self.rest = groupby[1:] if self.lazy else []
        self.groupby = [self._parse_groupby(g) for g in (groupby[:1] if self.lazy else groupby)]
        self.aggregates = self._parse_aggregates(fields or [])
        self.offset, self.limit, self.orderby = int(offset or 0), limit, orderby

    def _invalid(self, fname):
        return ValueError(f'Invalid field {fname!r} on model {self.model._name!r}')

    def _parse_groupby(self, spec):
        fname, _colon, granularity = str(spec).partition(':')
        field = self.model._fields.get(fname)
        if field is None or not field.column:
            raise self._invalid(fname)
        if field.type in ('date', 'datetime'):
            granularity = granularity or 'month'
            if granularity not in self.GRANULARITIES:
                raise ValueError(f'Invalid granularity {granularity!r} for {spec!r}')
        else:
            granularity = None
        return spec, fname, field, granularity

    def _parse_aggregates(self, fields):
        grouped = {fname for _spec, fname, _field, _gran in self.groupby}
        aggregates = []
        for spec in fields:
            match = self.SPEC.fullmatch(str(spec))
            if not match:
                raise ValueError(f'Invalid aggregate {spec!r}')
            name, func, source = match.groups()
            fname = source or name
            if fname == '__count':
                continue
            field = self.model._fields.get(fname)
            if field is None:
                raise self._invalid(fname)
            func = func or field.aggregator
            if not func or fname in grouped or fname == 'id' or not field.column:
                continue
            aggregates.append((name, fname, field, func))
        return aggregates

    @staticmethod
    def _period(value, granularity, with_time):
        """(label, start, end) of the period holding a date/datetime string."""
        year, month, day = int(value[0:4]), int(value[5:7]), int(value[8:10])
        date = dt.date(year, month, day)
        if granularity == 'day':
            start, end, label = date, date + dt.timedelta(days=1), date.strftime('%d %b %Y')
        elif granularity == 'week':
            start = date - dt.timedelta(days=date.weekday())
            iso = start.isocalendar()
            end, label = start + dt.timedelta(days=7), f'W{iso[1]} {iso[0]}'
        elif granularity == 'month':
            start = date.replace(day=1)
            end = (start + dt.timedelta(days=32)).replace(day=1)
            label = f'{calendar.month_name[month]} {year}'
        elif granularity == 'quarter':
            quarter = (month - 1) // 3 + 1
            start = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
            label = f'Q{quarter} {year}'
        else:
            start, end, label = dt.date(year, 1, 1), dt.date(year + 1, 1, 1), str(year)
        fmt = (lambda d: d.strftime(DATE_FORMAT) + ' 00:00:00') if with_time else \
            (lambda d: d.strftime(DATE_FORMAT))
        return label, fmt(start), fmt(end)

    def _aggregate(self, func, field, values):
        present = [v for v in values if v is not None]
        if func == 'count':
            return len(present)
        if func == 'count_distinct':
            return len(set(present))
        if func == 'array_agg':
            return present
        if func == 'bool_and':
            return all(present)
        if func == 'bool_or':
            return any(present)
        if not present:
            return False
        if func == 'sum':
            total = math.fsum(present)
            return round(total, 2 if field.type == 'monetary' else 6) if field.type != 'integer' else int(total)
        if func == 'avg':
            return math.fsum(present) / len(present)
        if func in ('min', 'max'):
            value = min(present) if func == 'min' else max(present)
            return value[:19] if field.type == 'datetime' else value
        raise ValueError(f'Invalid aggregate function {func!r}')

    def run(self):
        model = self.model
        rows = model._search_rows(self.domain, order='id')
        buckets = collections.OrderedDict()
        getters = [model._getter(fname) for _spec, fname, _field, _gran in self.groupby]
        for r in rows:
            key = []
            for (spec, fname, field, granularity), get in zip(self.groupby, getters):
                value = get(r)
                if granularity and value is not None:
                    value = self._period(value, granularity, field.type == 'datetime')
                key.append(value)
            buckets.setdefault(tuple(key), []).append(r)
        groups = [self._group(key, members) for key, members in buckets.items()]
        groups = self._sort(groups)
        groups = groups[self.offset:]
        return [g for g, _keys in (groups[:self.limit] if self.limit else groups)]

    def _group(self, key, members):
        model = self.model
        result, leaves, sort_keys = {}, [], []
        for (spec, fname, field, granularity), value in zip(self.groupby, key):
            if value is None:
                result[spec] = False
                leaves.append([fname, '=', False])
                sort_keys.append(None)
            elif granularity:
                label, start, end = value
                result[spec] = label
                leaves += ['&', [fname, '>=', start], [fname, '<', end]]
                sort_keys.append(start)
            elif field.type == 'many2one':
                result[spec] = [value, model.env[field.comodel]._name_getter()(value)]
                leaves.append([fname, '=', value])
                sort_keys.append(('m2o', field.comodel, value))
            else:
                result[spec] = value
                leaves.append([fname, '=', value])
                sort_keys.append(value)
        result[self._count_key()] = len(members)
        for name, fname, field, func in self.aggregates:
            get = model._getter(fname)
            result[name] = self._aggregate(func, field, [get(r) for r in members])
        group_domain = normalize_domain(leaves) if len(leaves) > 1 else leaves
        result['__domain'] = and_domains([group_domain, self.domain])
        if self.lazy and self.rest:
            result['__context'] = {'group_by': self.rest}
        return result, sort_keys

    def _count_key(self):
        return f'{self.groupby[0][1]}_count' if self.lazy else '__count'

    def _sort(self, groups):
        """Order the groups by `orderby` (groupby fields, aggregates, __count), then by
        the groupby values in their natural order (many2one: the comodel's _order)."""
        model = self.model
        targets = collections.defaultdict(set)
        for _group, keys in groups:
            for k in keys:
                if isinstance(k, tuple) and k and k[0] == 'm2o':
                    targets[k[1]].add(k[2])
        ranks = {comodel: model.env[comodel]._rank(ids) for comodel, ids in targets.items()}

        def natural(k):
            if isinstance(k, tuple) and k and k[0] == 'm2o':
                k = ranks[k[1]].get(k[2])
            return (k is None, k)

        position = {}
        for n, (spec, fname, _field, _granularity) in enumerate(self.groupby):
            position[spec] = position[fname] = n
        position['__count'] = self._count_key()
        keys = []
        for part in str(self.orderby or '').split(','):
            words = part.split()
            if words:
                keys.append((position.get(words[0], words[0]), len(words) > 1 and words[1].lower() == 'desc'))
        used = {key for key, _desc in keys}
        keys += [(n, False) for n in range(len(self.groupby)) if n not in used]
        result = list(groups)
        for key, desc in reversed(keys):                 # stable sorts, least significant first
            if isinstance(key, int):
                result.sort(key=lambda g, key=key: natural(g[1][key]), reverse=desc)
            else:
                result.sort(key=lambda g, key=key: (g[0].get(key) in (None, False), g[0].get(key)),
                            reverse=desc)
        return result


# =============================================================================
# Models
# =============================================================================

def line_uom_field(model):
    """sale.order.line's unit: product_uom up to 18, product_uom_id on 19."""
    return 'product_uom_id' if 'product_uom_id' in model._fields else 'product_uom'


def _default_now(model):
    return model.env.now_s


def _default_uid(model):
    return model.env.uid


class ResCurrency(BaseModel):
    _name = 'res.currency'
    _description = 'Currency'
    _order = 'active desc, name'

    name = Char('Currency', required=True)
    symbol = Char('Symbol', required=True)
    rounding = Float('Rounding Factor', default=0.01)
    position = Selection([('after', 'After Amount'), ('before', 'Before Amount')],
                         'Symbol Position', default='after')
    active = Boolean('Active', default=True)


class ResCompany(BaseModel):
    _name = 'res.company'
    _description = 'Companies'
    _order = 'sequence, name'

    name = Char('Company Name', required=True)
    partner_id = Many2one('res.partner', 'Partner', ondelete='restrict')
    currency_id = Many2one('res.currency', 'Currency', default=1)
    sequence = Integer('Sequence', default=10)
    email = Char('Email')
    phone = Char('Phone')


class UomUom(BaseModel):
    _name = 'uom.uom'
    _description = 'Product Unit of Measure'

    name = Char('Unit of Measure', required=True)
    rounding = Float('Rounding Precision', default=0.01)
    active = Boolean('Active', default=True)


class ProductCategory(BaseModel):
    _name = 'product.category'
    _description = 'Product Category'
    _order = 'display_name'
    _parent_name = 'parent_id'

    name = Char('Name', required=True)
    parent_id = Many2one('product.category', 'Parent Category', ondelete='cascade')

    def _compute_display_name(self):
        table = self._table
        name_col, parent_col, index = table.cols['name'], table.cols['parent_id'], table.index

        def compute(r):
            parts, seen = [], set()
            while r is not None and r not in seen:
                seen.add(r)
                parts.append(name_col[r] or '')
                parent = parent_col[r]
                r = index.get(parent) if parent is not None else None
            return ' / '.join(reversed(parts))
        return compute


class AccountTax(BaseModel):
    _name = 'account.tax'
    _description = 'Tax'
    _order = 'sequence, id'

    name = Char('Tax Name', required=True)
    amount = Float('Amount')
    type_tax_use = Selection([('sale', 'Sales'), ('purchase', 'Purchases'), ('none', 'None')],
                             'Tax Type', default='sale')
    sequence = Integer('Sequence', default=1)
    active = Boolean('Active', default=True)


class ResPartner(BaseModel):
    _name = 'res.partner'
    _description = 'Contact'
    _order = 'display_name, id desc'      # Odoo: complete_name ASC, id DESC
    _parent_name = 'parent_id'

    name = Char('Name')
    email = Char('Email')
    phone = Char('Phone')
    is_company = Boolean('Is a Company', default=False)
    parent_id = Many2one('res.partner', 'Related Company')
    child_ids = One2many('res.partner', 'parent_id', 'Contact')
    type = Selection([('contact', 'Contact'), ('invoice', 'Invoice Address'),
                      ('delivery', 'Delivery Address'), ('other', 'Other Address')],
                     'Address Type', default='contact')
    ref = Char('Reference')
    vat = Char('Tax ID')
    street = Char('Street')
    city = Char('City')
    zip = Char('Zip')
    lang = Char('Language', default='en_US')
    tz = Char('Timezone')
    comment = Html('Notes')
    customer_rank = Integer('Customer Rank')
    supplier_rank = Integer('Supplier Rank')
    company_id = Many2one('res.company', 'Company')
    user_id = Many2one('res.users', 'Salesperson')
    active = Boolean('Active', default=True)
    sale_order_ids = One2many('sale.order', 'partner_id', 'Sales Order')

    def _compute_display_name(self):
        table = self._table
        name_col, parent_col, company_col, index = (
            table.cols['name'], table.cols['parent_id'], table.cols['is_company'], table.index)

        def compute(r):
            name = name_col[r] or ''
            parent = parent_col[r]
            if parent is not None and not company_col[r] and parent in index:
                parent_name = name_col[index[parent]] or ''
                return f'{parent_name}, {name}' if name else parent_name
            return name
        return compute

    def _post_create(self):
        self._check_name()

    def _post_write(self, vals):
        self._check_name()

    def _check_name(self):
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['type'][row] == 'contact' and table.cols['name'][row] is None:
                raise ValidationError('Contacts require a name')

    def _pre_write(self, vals):
        parent = vals.get('parent_id')
        if isinstance(parent, int) and not isinstance(parent, bool):
            ancestors = self._ancestors([parent])
            if any(rid in ancestors for rid in self.ids):
                raise ValidationError('You cannot create recursive Partner hierarchies.')


class ResUsers(BaseModel):
    _name = 'res.users'
    _description = 'User'
    _order = 'name, login'

    name = Char('Name', required=True)
    login = Char('Login', required=True)
    email = Char('Email')
    partner_id = Many2one('res.partner', 'Related Partner', ondelete='restrict')
    company_id = Many2one('res.company', 'Company', default=1)
    company_ids = Many2many('res.company', 'Companies')
    share = Boolean('Share User', default=False)
    lang = Char('Language', default='en_US')
    tz = Char('Timezone', default='Europe/Brussels')
    active = Boolean('Active', default=True)

    @api_model
    def context_get(self):
        """The current user's context: {lang, tz, uid}."""
        row = self._table.index.get(self.env.uid)
        lang = self._table.cols['lang'][row] if row is not None else None
        tz = self._table.cols['tz'][row] if row is not None else None
        return {'lang': lang or 'en_US', 'tz': tz or False, 'uid': self.env.uid}


PRODUCT_TYPES = [('consu', 'Goods'), ('service', 'Service'), ('combo', 'Combo')]
# fields a variant shares with its template (Odoo's _inherits, here copied once on create)
PRODUCT_SHARED_FIELDS = ('name', 'default_code', 'barcode', 'type', 'list_price', 'standard_price',
                         'categ_id', 'uom_id', 'sale_ok', 'description_sale', 'weight', 'taxes_id',
                         'active')


class ProductTemplate(BaseModel):
    _name = 'product.template'
    _description = 'Product'
    _order = 'name, id'

    name = Char('Name', required=True)
    default_code = Char('Internal Reference')
    barcode = Char('Barcode')
    type = Selection(PRODUCT_TYPES, 'Product Type', default='consu')
    list_price = Float('Sales Price', default=1.0)
    standard_price = Float('Cost')
    categ_id = Many2one('product.category', 'Product Category', default=1)
    uom_id = Many2one('uom.uom', 'Unit', default=1)
    sale_ok = Boolean('Can be Sold', default=True)
    description_sale = Text('Sales Description')
    weight = Float('Weight')
    taxes_id = Many2many('account.tax', 'Sales Taxes')
    active = Boolean('Active', default=True)
    product_variant_ids = One2many('product.product', 'product_tmpl_id', 'Products')


class ProductProduct(BaseModel):
    _name = 'product.product'
    _description = 'Product Variant'
    _order = 'default_code, name, id'

    name = Char('Name', required=True)
    default_code = Char('Internal Reference')
    barcode = Char('Barcode')
    type = Selection(PRODUCT_TYPES, 'Product Type', default='consu')
    list_price = Float('Sales Price', default=1.0)
    standard_price = Float('Cost')
    categ_id = Many2one('product.category', 'Product Category', default=1)
    uom_id = Many2one('uom.uom', 'Unit', default=1)
    sale_ok = Boolean('Can be Sold', default=True)
    description_sale = Text('Sales Description')
    active = Boolean('Active', default=True)
    product_tmpl_id = Many2one('product.template', 'Product Template', ondelete='cascade')
    weight = Float('Weight')
    taxes_id = Many2many('account.tax', 'Sales Taxes')

    def _post_create(self):
        """A variant created without a template gets one with its values, like Odoo's
        _inherits creates the parent record."""
        table = self._table
        templates = self.env['product.template']
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['product_tmpl_id'][row] is None:
                vals = {}
                for fname in PRODUCT_SHARED_FIELDS:
                    value = table.cols[fname][row]
                    vals[fname] = list(value) if isinstance(value, tuple) else \
                        (False if value is None else value)
                table.set(row, 'product_tmpl_id', templates.create([vals]).ids[0])

    def _compute_display_name(self):
        table = self._table
        name_col, code_col = table.cols['name'], table.cols['default_code']

        def compute(r):
            code = code_col[r]
            return f'[{code}] {name_col[r] or ""}' if code else (name_col[r] or '')
        return compute


SALE_STATES = [('draft', 'Quotation'), ('sent', 'Quotation Sent'), ('sale', 'Sales Order'),
               ('cancel', 'Cancelled')]


class SaleOrder(BaseModel):
    _name = 'sale.order'
    _description = 'Sales Order'
    _order = 'date_order desc, id desc'

    name = Char('Order Reference', required=True, default='New')
    partner_id = Many2one('res.partner', 'Customer', required=True, ondelete='restrict')
    state = Selection(SALE_STATES, 'Status', readonly=True, default='draft')
    date_order = Datetime('Order Date', required=True, default=_default_now,
                          help='Creation date of draft/sent orders,\nConfirmation date of confirmed orders.')
    note = Html('Terms and conditions')
    order_line = One2many('sale.order.line', 'order_id', 'Order Lines')
    amount_untaxed = Monetary('Untaxed Amount', computed_stored=True, depends=['order_line.price_subtotal'])
    amount_tax = Monetary('Taxes', computed_stored=True, depends=['order_line.price_total'])
    amount_total = Monetary('Total', computed_stored=True, depends=['order_line.price_total'])
    client_order_ref = Char('Customer Reference')
    origin = Char('Source Document')
    user_id = Many2one('res.users', 'Salesperson', default=_default_uid)
    company_id = Many2one('res.company', 'Company', required=True, default=1)
    currency_id = Many2one('res.currency', 'Currency', default=1)
    validity_date = Date('Expiration')
    commitment_date = Datetime('Delivery Date')
    invoice_status = Selection([('upselling', 'Upselling Opportunity'), ('invoiced', 'Fully Invoiced'),
                                ('to invoice', 'To Invoice'), ('no', 'Nothing to Invoice')],
                               'Invoice Status', computed_stored=True, default='no')
    picking_ids = One2many('stock.picking', 'sale_id', 'Transfers')

    def _post_create(self):
        table = self._table
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['name'][row] in (None, 'New', '/'):
                number = self.env.registry.next_sequence('sale.order')
                table.set(row, 'name', f'S{number:05d}')
        self._recompute_amounts()

    def _pre_unlink(self):
        states = self._table.cols['state']
        index = self._table.index
        if any(states[index[rid]] not in ('draft', 'cancel') for rid in self.ids):
            raise UserError('You can not delete a sent quotation or a confirmed sales order. '
                            'You must first cancel it.')

    def _recompute_amounts(self):
        table = self._table
        lines = self.env['sale.order.line']._table
        rev, subtotal, total = lines.rev('order_id'), lines.cols['price_subtotal'], lines.cols['price_total']
        for rid in self.ids:
            row = table.index.get(rid)
            if row is None:
                continue
            kids = [lines.index[i] for i in rev.get(rid, ())]
            untaxed = round(math.fsum(subtotal[k] for k in kids), 2)
            amount_total = round(math.fsum(total[k] for k in kids), 2)
            table.set(row, 'amount_untaxed', untaxed)
            table.set(row, 'amount_tax', round(amount_total - untaxed, 2))
            table.set(row, 'amount_total', amount_total)

    def _names(self):
        return ', '.join(self._value(rid, 'name') or '' for rid in self.ids)

    @api_multi
    def action_confirm(self):
        self._check_access('write')
        self._ensure_exist()
        bad = self.browse([rid for rid in self.ids if self._value(rid, 'state') not in ('draft', 'sent')])
        if bad:
            raise UserError('The following orders are not in a state requiring confirmation: '
                            f'{bad._names()}')
        self.write({'state': 'sale', 'date_order': self.env.now_s})
        table = self._table
        for rid in self.ids:
            table.set(table.index[rid], 'invoice_status', 'to invoice')
        self._create_pickings()
        return True

    def _create_pickings(self):
        lines = self.env['sale.order.line']
        products = self.env['product.product']
        pickings = self.env['stock.picking']
        for order in self:
            rid = order.ids[0]
            line_ids = sorted(lines._table.rev('order_id').get(rid, ()))
            moves = []
            for line_id in line_ids:
                product = lines._value(line_id, 'product_id')
                if product is None or products._value(product, 'type') != 'consu':
                    continue
                moves.append((0, 0, {'product_id': product,
                                     'product_uom_qty': lines._value(line_id, 'product_uom_qty'),
                                     'product_uom': lines._value(line_id, line_uom_field(lines)),
                                     'origin': order._value(rid, 'name')}))
            if moves:
                picking = pickings.create({
                    'origin': order._value(rid, 'name'), 'partner_id': order._value(rid, 'partner_id'),
                    'sale_id': rid, 'picking_type_id': 2, 'move_ids': moves})
                picking.action_confirm()
                picking.action_assign()

    @api_multi
    def action_cancel(self):
        self._check_access('write')
        self._ensure_exist()
        self.write({'state': 'cancel'})
        pickings = self.env['stock.picking']
        for rid in self.ids:
            open_pickings = [p for p in pickings._table.rev('sale_id').get(rid, ())
                             if pickings._value(p, 'state') not in ('done', 'cancel')]
            if open_pickings:
                pickings.browse(sorted(open_pickings)).action_cancel()
        return True

    @api_multi
    def action_draft(self):
        self._check_access('write')
        self._ensure_exist()
        self.browse([rid for rid in self.ids if self._value(rid, 'state') in ('cancel', 'sent')]) \
            .write({'state': 'draft'})
        return True

    @api_multi
    def action_quotation_sent(self):
        self._check_access('write')
        self._ensure_exist()
        if any(self._value(rid, 'state') != 'draft' for rid in self.ids):
            raise UserError('Only draft orders can be marked as sent directly.')
        self.write({'state': 'sent'})
        return True

    @api_multi
    def action_view_invoice(self):
        self._check_access('read')
        self._ensure_exist()
        rid = self.ids[0]
        partner = self._value(rid, 'partner_id')
        return {'type': 'ir.actions.act_window_close',
                'context': {'default_move_type': 'out_invoice', 'default_partner_id': partner,
                            'default_partner_shipping_id': partner,
                            'default_invoice_payment_term_id': False,
                            'default_invoice_origin': self._value(rid, 'name')}}

    def _compute_amounts(self):
        """Private: exists so that calling it gives the 'Private methods' error."""
        self._recompute_amounts()


class SaleOrderLine(BaseModel):
    _name = 'sale.order.line'
    _description = 'Sales Order Line'
    _order = 'order_id, sequence, id'

    order_id = Many2one('sale.order', 'Order Reference', required=True, ondelete='cascade')
    sequence = Integer('Sequence', default=10)
    product_id = Many2one('product.product', 'Product', ondelete='restrict')
    name = Text('Description', required=True)
    product_uom_qty = Float('Quantity', default=1.0)
    product_uom = Many2one('uom.uom', 'Unit of Measure', versions=(16, 17, 18))
    product_uom_id = Many2one('uom.uom', 'Unit', versions=(19,))          # 19's name
    price_unit = Float('Unit Price')
    discount = Float('Discount (%)')
    tax_id = Many2many('account.tax', 'Taxes', versions=(16, 17, 18))
    tax_ids = Many2many('account.tax', 'Taxes', versions=(19,))           # 19's name
    price_subtotal = Monetary('Subtotal', computed_stored=True)
    price_tax = Float('Total Tax', computed_stored=True)
    price_total = Monetary('Total', computed_stored=True)
    state = Selection(SALE_STATES, 'Order Status', compute='_compute_order_related_state')
    currency_id = Many2one('res.currency', 'Currency', compute='_compute_order_related_currency')
    company_id = Many2one('res.company', 'Company', compute='_compute_order_related_company')

    def _related(self, fname):
        orders = self.env['sale.order']._table
        order_col, index, target = self._table.cols['order_id'], orders.index, orders.cols[fname]
        return lambda r: target[index[o]] if (o := order_col[r]) in index else None

    def _compute_order_related_state(self):
        return self._related('state')

    def _compute_order_related_currency(self):
        return self._related('currency_id')

    def _compute_order_related_company(self):
        return self._related('company_id')

    def _default_values(self, vals):
        defaults = super()._default_values(vals)
        product = vals.get('product_id')
        products = self.env['product.product']
        if isinstance(product, int) and product in products._table.index:
            if 'name' not in vals:
                defaults['name'] = products._name_getter()(product)
            if 'price_unit' not in vals:
                defaults['price_unit'] = products._value(product, 'list_price')
            uom = line_uom_field(self)
            if uom not in vals:
                defaults[uom] = products._value(product, 'uom_id')
        return defaults

    def _order_ids(self):
        table = self._table
        return sorted({table.cols['order_id'][table.index[rid]] for rid in self.ids
                       if rid in table.index} - {None})

    def _recompute_lines(self):
        table = self._table
        cols = table.cols
        for rid in self.ids:
            row = table.index[rid]
            subtotal = round(cols['product_uom_qty'][row] * cols['price_unit'][row]
                             * (1 - (cols['discount'][row] or 0.0) / 100.0), 2)
            table.set(row, 'price_subtotal', subtotal)
            table.set(row, 'price_tax', 0.0)
            table.set(row, 'price_total', subtotal)

    def _post_create(self):
        self._recompute_lines()
        self.env['sale.order'].browse(self._order_ids())._recompute_amounts()

    def _pre_write(self, vals):
        self._previous_orders = self._order_ids()

    def _post_write(self, vals):
        self._recompute_lines()
        orders = set(self._order_ids()) | set(getattr(self, '_previous_orders', ()))
        self.env['sale.order'].browse(sorted(orders))._recompute_amounts()

    @api_multi
    def unlink(self):
        orders = self._order_ids()
        result = super().unlink()
        self.env['sale.order'].browse(orders)._recompute_amounts()
        return result


class StockPickingType(BaseModel):
    _name = 'stock.picking.type'
    _description = 'Picking Type'
    _order = 'sequence, id'

    name = Char('Operation Type', required=True)
    code = Selection([('incoming', 'Receipt'), ('outgoing', 'Delivery'), ('internal', 'Internal Transfer')],
                     'Type of Operation', required=True, default='outgoing')
    sequence_code = Char('Sequence Prefix')
    sequence = Integer('Sequence', default=1)

    def _compute_display_name(self):
        name_col = self._table.cols['name']
        return lambda r: f'WH: {name_col[r] or ""}'


PICKING_STATES = [('draft', 'Draft'), ('waiting', 'Waiting Another Operation'), ('confirmed', 'Waiting'),
                  ('assigned', 'Ready'), ('done', 'Done'), ('cancel', 'Cancelled')]
MOVE_STATES = [('draft', 'New'), ('waiting', 'Waiting Another Move'), ('confirmed', 'Waiting Availability'),
               ('partially_available', 'Partially Available'), ('assigned', 'Available'),
               ('done', 'Done'), ('cancel', 'Cancelled')]


class StockPicking(BaseModel):
    _name = 'stock.picking'
    _description = 'Transfer'
    _order = 'scheduled_date asc, id desc'

    name = Char('Reference', default='/')
    origin = Char('Source Document')
    state = Selection(PICKING_STATES, 'Status', readonly=True, default='draft')
    partner_id = Many2one('res.partner', 'Contact')
    scheduled_date = Datetime('Scheduled Date', required=True, default=_default_now)
    date_done = Datetime('Date of Transfer')
    picking_type_id = Many2one('stock.picking.type', 'Operation Type', required=True, default=2)
    move_ids = One2many('stock.move', 'picking_id', 'Stock Moves')
    sale_id = Many2one('sale.order', 'Sales Order')
    company_id = Many2one('res.company', 'Company', default=1)

    def _post_create(self):
        table = self._table
        types = self.env['stock.picking.type']
        for rid in self.ids:
            row = table.index[rid]
            if table.cols['name'][row] in (None, '/'):
                code = types._value(table.cols['picking_type_id'][row], 'sequence_code') or 'OUT'
                number = self.env.registry.next_sequence(f'stock.picking.{code}')
                table.set(row, 'name', f'WH/{code}/{number:05d}')

    def _moves(self):
        moves = self.env['stock.move']
        rev = moves._table.rev('picking_id')
        return moves.browse(sorted(i for rid in self.ids for i in rev.get(rid, ())))

    def _set_state(self, state, only_from, move_state=None, **extra):
        pickings = self.browse([rid for rid in self.ids if self._value(rid, 'state') in only_from])
        if pickings:
            pickings.write({'state': state, **extra})
            moves = pickings._moves()
            if moves:
                values = {'state': move_state or state}
                # 17+: `quantity` is reserved on assign; 16: `quantity_done` is set on validate
                qty_field = 'quantity_done' if 'quantity_done' in moves._fields else 'quantity'
                if state == 'done' or (state == 'assigned' and qty_field == 'quantity'):
                    for move in moves:
                        mid = move.ids[0]
                        move.write({**values, qty_field: move._value(mid, 'product_uom_qty')})
                else:
                    moves.write(values)
        return True

    @api_multi
    def action_confirm(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('confirmed', ('draft',))

    @api_multi
    def action_assign(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('assigned', ('confirmed', 'waiting'))

    @api_multi
    def button_validate(self):
        self._check_access('write')
        self._ensure_exist()
        if any(self._value(rid, 'state') in ('draft', 'cancel') for rid in self.ids):
            raise UserError('You cannot validate a transfer if no quantities are reserved nor done.')
        return self._set_state('done', ('waiting', 'confirmed', 'assigned'), date_done=self.env.now_s)

    @api_multi
    def action_cancel(self):
        self._check_access('write')
        self._ensure_exist()
        return self._set_state('cancel', ('draft', 'waiting', 'confirmed', 'assigned'))

    @api_model
    def get_pickings_summary(self, states=None):
        """Not Odoo's: a custom module's @api.model method, like the update_salla(picking_id)
        of the Odoo 18 integration suite, for testing calls of custom methods by name.
        Answers {"total": N, "by_state": {state: count}} over the pickings in `states`
        (every state when None); an unknown state is the ValueError of a selection."""
        self._check_access('read')
        domain = []
        if states is not None:
            if not isinstance(states, list):
                raise ValueError(f'Invalid states {states!r}: a list of states is expected')
            for state in states:
                self._fields['state'].convert(state, self)
            domain = [('state', 'in', states)]
        col = self._table.cols['state']
        counts = collections.Counter(col[row] for row in self._search_rows(domain))
        return {'total': sum(counts.values()),
                'by_state': {key: counts[key] for key, _label in PICKING_STATES if counts[key]}}


class StockMove(BaseModel):
    _name = 'stock.move'
    _description = 'Stock Move'
    _order = 'sequence, id'

    name = Char('Description', required=True, versions=(16, 17, 18))     # gone in 19
    sequence = Integer('Sequence', default=10)
    picking_id = Many2one('stock.picking', 'Transfer', ondelete='cascade')
    product_id = Many2one('product.product', 'Product', required=True, ondelete='restrict')
    product_uom_qty = Float('Demand', default=1.0)
    quantity = Float('Quantity', versions=(17, 18, 19))
    quantity_done = Float('Quantity Done', versions=(16,))     # 16's name of `quantity`
    product_uom = Many2one('uom.uom', 'Unit', default=1)
    state = Selection(MOVE_STATES, 'Status', readonly=True, default='draft')
    origin = Char('Source Document')
    date = Datetime('Date Scheduled', required=True, default=_default_now)

    def _default_values(self, vals):
        defaults = super()._default_values(vals)
        product = vals.get('product_id')
        products = self.env['product.product']
        if 'name' in self._fields and 'name' not in vals and isinstance(product, int) \
                and product in products._table.index:
            defaults['name'] = products._name_getter()(product)
        return defaults


# =============================================================================
# Seeding (deterministic: everything comes from random.Random(seed))
# =============================================================================

DEMO_COMPANIES = [      # ids 7.. (Deco Addict 10, Gemini Furniture 11, Ready Mat 12 and
    # Lumber Inc 16 have the ids of the Odoo 18 demo data seen in the captures)
    'Acme Corporation', 'Azure Interior', 'Wood Corner', 'Deco Addict', 'Gemini Furniture', 'Ready Mat',
    'LightsUp', 'Müller GmbH', 'Zoë Café', 'Lumber Inc', 'Ñandú Logística S.A.', '日本商事株式会社',
    'Brasserie Élise', 'Nordic Fjørd AS']
DEMO_CONTACTS = [
    ('Addison Olson', 'Deco Addict'), ('Douglas Fletcher', 'Deco Addict'),
    ('Floyd Steward', 'Deco Addict'), ('Brandon Freeman', 'Azure Interior'),
    ('Lorraine Douglas', 'Lumber Inc'), ('Ron Gibson', 'Wood Corner'), ('Jesse Brown', 'Ready Mat'),
    ('Søren Kierkegaard', 'Nordic Fjørd AS'), ('Amélie Poulain', 'Brasserie Élise'),
    ('Jürgen Weiß', 'Müller GmbH')]
CUSTOMER_COUNT = 50
PRODUCTS = [  # name, type, list price
    ('Office Chair', 'consu', 70.0), ('Desk Lamp', 'consu', 35.5), ('Large Desk', 'consu', 1799.0),
    ('Drawer Black', 'consu', 25.0), ('Cable Management Box', 'consu', 100.0),
    ('Virtual Interior Design', 'service', 30.75), ('Virtual Home Staging', 'service', 38.25),
    ('Customizable Desk', 'consu', 750.0), ('Corner Desk Right Sit', 'consu', 147.0),
    ('Acoustic Bloc Screens', 'consu', 295.0), ('Pedal Bin', 'consu', 47.0),
    ('Three-Seat Sofa', 'consu', 1500.0), ('Storage Box', 'consu', 15.8), ('Large Cabinet', 'consu', 320.0),
    ('Flipover', 'consu', 1950.0), ('Whiteboard Pen', 'consu', 1.2), ('Magnetic Board', 'consu', 1.98),
    ('Monitor Stand', 'consu', 3.19), ('Café Table Ø80', 'consu', 412.5), ('Conference Chair', 'consu', 33.0)]
SEED_EPOCH = calendar.timegm((2026, 1, 1, 0, 0, 0))       # create/write dates of seeded rows
ORDER_EPOCH = calendar.timegm((2025, 1, 1, 0, 0, 0))      # date_order spread over 2025-2026


class _TimestampFormatter:
    """Fast epoch -> 'YYYY-MM-DD HH:MM:SS' (the day part is cached)."""

    def __init__(self):
        self._days = {}

    def __call__(self, ts):
        day, sec = divmod(int(ts), 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime(DATE_FORMAT, time.gmtime(day * 86400))
        hours, rest = divmod(sec, 3600)
        return f'{prefix} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}'


def seed_database(registry, orders, seed, batch=1):
    """Fill the registry: reference data, ~50 customers, 20 products, `orders` sale
    orders (1-4 lines each) and a delivery for every confirmed order."""
    flavor = registry.flavor
    rng = random.Random(seed)
    fmt = _TimestampFormatter()
    tables = registry.tables
    stamp = stamp_us(fmt(SEED_EPOCH - 86400), 250000)     # stored with microseconds

    def insert(model, rid, **values):
        values.setdefault('create_uid', 1)
        values.setdefault('write_uid', 1)
        values.setdefault('create_date', stamp)
        values.setdefault('write_date', stamp)
        for fname, field in tables[model].fields.items():
            if fname not in values and field.default is not None and not callable(field.default):
                values[fname] = field.default
        tables[model].insert(values, rid)

    insert('res.currency', 1, name='USD', symbol='$', position='before')
    insert('res.currency', 2, name='EUR', symbol='€', position='after', active=False)
    for rid, name in enumerate(['Units', 'Dozens', 'kg', 'Hours'], 1):
        insert('uom.uom', rid, name=name)
    insert('product.category', 1, name='All')
    insert('product.category', 2, name='Saleable', parent_id=1)
    insert('product.category', 3, name='Office Furniture', parent_id=2)
    insert('account.tax', 1, name='15%', amount=15.0)
    insert('account.tax', 2, name='21%', amount=21.0)
    insert('stock.picking.type', 1, name='Receipts', code='incoming', sequence_code='IN')
    insert('stock.picking.type', 2, name='Delivery Orders', code='outgoing', sequence_code='OUT')

    # partners: companies of the database, users, then ~50 customers
    insert('res.partner', 1, name='YourCompany', is_company=True, email='info@yourcompany.com')
    insert('res.partner', 2, name='OdooBot', email='odoobot@example.com', active=False)
    insert('res.partner', 3, name='Mitchell Admin', parent_id=1, email='admin@yourcompany.example.com',
           tz='Europe/Brussels')
    insert('res.partner', 4, name='My Company (Chicago)', is_company=True, email='chicago@yourcompany.com')
    insert('res.partner', 5, name='Limited User', email='limited@yourcompany.example.com',
           tz='Europe/Brussels')
    insert('res.partner', 6, name='My US Company', is_company=True, email='us@yourcompany.com')
    customers, by_name, rid = [], {}, 7
    for name in DEMO_COMPANIES:
        slug = re.sub(r'[^a-z0-9]+', '', name.lower()) or f'company{rid}'
        insert('res.partner', rid, name=name, is_company=True, email=f'info@{slug}.example.com',
               phone=f'+1 555-01{rid:02d}', city='San Francisco', ref=f'C{rid:04d}')
        by_name[name] = rid
        customers.append(rid)
        rid += 1
    for name, company in DEMO_CONTACTS:
        first = name.split()[0].lower()
        insert('res.partner', rid, name=name, parent_id=by_name[company],
               email=f'{first}.{rid}@example.com')
        customers.append(rid)
        rid += 1
    while len(customers) < CUSTOMER_COUNT:
        insert('res.partner', rid, name=f'Customer {rid}', email=f'customer{rid}@example.com',
               is_company=rid % 3 == 0, phone=f'+32 2 555 {rid:04d}')
        customers.append(rid)
        rid += 1

    companies = ([(1, 'My Company (San Francisco)', 1), (2, 'My US Company', 6), (3, 'My Company (Chicago)', 4)]
                 if flavor.v19 else [(1, 'My Company (San Francisco)', 1), (2, 'My Company (Chicago)', 4)])
    for cid, name, partner in companies:
        insert('res.company', cid, name=name, partner_id=partner, sequence=0 if cid == 1 else 10)
    all_companies = tuple(cid for cid, _name, _partner in companies)
    insert('res.users', 1, name='OdooBot', login='__system__', partner_id=2, active=False,
           company_ids=all_companies)
    insert('res.users', 2, name='Mitchell Admin', login='admin', partner_id=3,
           email='admin@yourcompany.example.com', company_ids=all_companies)
    insert('res.users', flavor.limited_uid, name='Limited User', login='limited', partner_id=5,
           email='limited@yourcompany.example.com', company_ids=(1,))

    # products
    product_info = []
    for pid, (name, ptype, price) in enumerate(PRODUCTS, 1):
        uom = 4 if ptype == 'service' else 1
        shared = dict(name=name, default_code=f'P-{pid:04d}', type=ptype, list_price=price,
                      standard_price=round(price * 0.6, 2), uom_id=uom,
                      categ_id=2 if ptype == 'service' else 3,
                      barcode=f'20000000{pid:05d}' if pid % 2 == 0 else None,
                      taxes_id=() if ptype == 'service' else (1,), active=pid != len(PRODUCTS))
        insert('product.template', pid, **shared)
        insert('product.product', pid, product_tmpl_id=pid, **shared)
        product_info.append((pid, f'[P-{pid:04d}] {name}', price, uom, ptype == 'consu'))

    _seed_orders(registry, orders, rng, fmt, customers, product_info, max(1, batch))


def _seed_orders(registry, count, rng, fmt, customers, products, batch=1):
    """Orders are created `batch` per transaction: transaction k (from 1) stamps its
    records with SEED_EPOCH + k seconds and some microseconds, as PostgreSQL stores
    `now()`; the API shows the whole second."""
    random_ = rng.random
    o = collections.defaultdict(list)        # sale.order columns
    ln = collections.defaultdict(list)       # sale.order.line columns
    pk = collections.defaultdict(list)       # stock.picking columns
    mv = collections.defaultdict(list)       # stock.move columns
    order_ids, line_ids, picking_ids, move_ids = [], [], [], []
    ranks = collections.Counter()
    span = 730 * 86400
    line_id = picking_id = move_id = 0
    uom_field = line_uom_field(registry.models['sale.order.line'])
    qty_field = 'quantity_done' if 'quantity_done' in registry.tables['stock.move'].fields else 'quantity'
    ncust, nprod = len(customers), len(products)
    for oid in range(1, count + 1):
        partner = customers[int(random_() * ncust)]
        ranks[partner] += 1
        ordered_ts = ORDER_EPOCH + int(random_() * span)
        date_order = fmt(ordered_ts)
        x = random_()
        state = 'draft' if x < 0.60 else 'sale' if x < 0.85 else 'sent' if x < 0.95 else 'cancel'
        if (oid - 1) % batch == 0:
            tx = (oid - 1) // batch + 1
            stamp = stamp_us(fmt(SEED_EPOCH + tx), tx * 7919 % 999999 + 1)
        name = f'S{oid:05d}'
        total = 0.0
        consu_lines = []
        for seq in range(1 + int(random_() * 4)):
            pid, pname, price, uom, consu = products[int(random_() * nprod)]
            qty = float(1 + int(random_() * 10))
            subtotal = round(qty * price, 2)
            total += subtotal
            line_id += 1
            line_ids.append(line_id)
            ln['order_id'].append(oid)
            ln['sequence'].append(10 + seq)
            ln['product_id'].append(pid)
            ln['name'].append(pname)
            ln['product_uom_qty'].append(qty)
            ln[uom_field].append(uom)
            ln['price_unit'].append(price)
            ln['price_subtotal'].append(subtotal)
            ln['price_total'].append(subtotal)
            ln['stamp'].append(stamp)
            if consu:
                consu_lines.append((pid, pname, qty, uom))
        total = round(total, 2)
        tenth = oid % 10
        order_ids.append(oid)
        o['name'].append(name)
        o['partner_id'].append(partner)
        o['state'].append(state)
        o['date_order'].append(date_order)
        o['amount_untaxed'].append(total)
        o['amount_total'].append(total)
        o['client_order_ref'].append(None if tenth == 0 else f'PO-{oid * 7919 % 10000:04d}'
                                     if tenth == 5 else f'PERF-{oid:05d}')
        o['validity_date'].append(fmt(ordered_ts + 30 * 86400)[:10])
        o['invoice_status'].append('to invoice' if state == 'sale' else 'no')
        o['stamp'].append(stamp)
        if state == 'sale' and consu_lines:
            y = random_()
            pstate = 'assigned' if y < 0.70 else 'done' if y < 0.95 else 'confirmed'
            picking_id += 1
            picking_ids.append(picking_id)
            scheduled = ordered_ts + 86400
            pk['name'].append(f'WH/OUT/{picking_id:05d}')
            pk['origin'].append(name)
            pk['state'].append(pstate)
            pk['partner_id'].append(partner)
            pk['scheduled_date'].append(fmt(scheduled))
            pk['date_done'].append(fmt(scheduled + 86400) if pstate == 'done' else None)
            pk['sale_id'].append(oid)
            pk['stamp'].append(stamp)
            for seq, (pid, pname, qty, uom) in enumerate(consu_lines):
                move_id += 1
                move_ids.append(move_id)
                mv['name'].append(pname)
                mv['sequence'].append(10 + seq)
                mv['picking_id'].append(picking_id)
                mv['product_id'].append(pid)
                mv['product_uom_qty'].append(qty)
                mv[qty_field].append(qty if pstate == 'done' or (pstate == 'assigned' and qty_field == 'quantity')
                                     else 0.0)
                mv['product_uom'].append(uom)
                mv['state'].append(pstate)
                mv['origin'].append(name)
                mv['date'].append(fmt(scheduled))
                mv['stamp'].append(stamp)

    def load(model, ids, cols, **constants):
        stamps = cols.pop('stamp', [])
        n = len(ids)
        cols.update(create_date=stamps, write_date=stamps, create_uid=[2] * n, write_uid=[2] * n)
        for fname, value in constants.items():
            cols[fname] = [value] * n
        registry.tables[model].bulk_load(ids, cols)

    n = len(order_ids)
    load('sale.order', order_ids, o, amount_tax=0.0, user_id=2, company_id=1, currency_id=1)
    load('sale.order.line', line_ids, ln, discount=0.0, price_tax=0.0,
         **{'tax_ids' if 'tax_ids' in registry.tables['sale.order.line'].fields else 'tax_id': ()})
    load('stock.picking', picking_ids, pk, picking_type_id=2, company_id=1)
    load('stock.move', move_ids, mv)
    partners = registry.tables['res.partner']
    for partner, rank in ranks.items():
        partners.cols['customer_rank'][partners.index[partner]] = rank
    registry.sequences['sale.order'] = n + 1
    registry.sequences['stock.picking.OUT'] = picking_id + 1


# =============================================================================
# RPC entry points shared by call_kw, /jsonrpc execute_kw and JSON-2
# =============================================================================

def check_method_name(env, model_name, name):
    if not isinstance(name, str) or name.startswith('_'):
        if env.flavor.v19:
            raise AccessError(f"Private methods (such as '{model_name}.{name}') cannot be called remotely.")
        raise AccessError(f'Private methods (such as {name}) cannot be called remotely.')


def get_public_method(model, name):
    method = getattr(type(model), name, None)
    if not callable(method) or not getattr(method, '_api', None):
        if model.env.flavor.v19:
            raise AttributeError(f"The method '{model._name}.{name}' does not exist")
        raise AttributeError(f"The method '{name}' does not exist on the model '{model._name}'")
    return method


def call_kw(env, model_name, name, args, kwargs):
    """odoo.api.call_kw: positional args, args[0] = ids for recordset methods."""
    model = env[model_name]
    method = get_public_method(model, name)
    kwargs = dict(kwargs)
    context = kwargs.pop('context', None)
    if context:
        model = model.with_context(context)
    model.env.check_companies()
    args = list(args)
    if method._api == 'multi':
        ids, args = args[0], args[1:]
        records = model.browse(ids)
    else:
        records = model
    env.registry.notify_call(model_name, name)
    result = method(records, *args, **kwargs)
    if method._api == 'model_create':
        vals = args[0] if args else kwargs.get('vals_list')
        return result.id if isinstance(vals, dict) else result.ids
    return downgrade(result)


def call_json2(env, model_name, name, params):
    """/json/2/<model>/<method>: named arguments only, 'ids' and 'context' apart."""
    if model_name not in env.registry.models:
        raise NotFound(f"the model '{model_name}' does not exist")
    model = env[model_name]
    check_method_name(env, model_name, name)
    try:
        method = get_public_method(model, name)
    except AttributeError as exc:
        raise NotFound(exc.args[0]) from exc
    params = dict(params) if isinstance(params, dict) else {}
    ids = params.pop('ids', None) or []
    context = params.pop('context', None) or {}
    if ids and method._api in ('model', 'model_create'):
        raise UnprocessableEntity(f'cannot call {model_name}.{name} with ids')
    records = model.with_context(context).browse(ids)
    try:
        inspect.signature(method).bind(records, **params)
    except TypeError as exc:
        raise UnprocessableEntity(exc.args[0]) from exc
    records.env.check_companies()
    env.registry.notify_call(model_name, name)
    return downgrade(method(records, **params))


# =============================================================================
# Sessions, statistics, fault injection
# =============================================================================

class HttpSession:
    __slots__ = ('sid', 'uid', 'login', 'db', 'traced', 'last_used')

    def __init__(self, sid, uid=None, login=None, db=None, traced=False):
        self.sid, self.uid, self.login, self.db, self.traced = sid, uid, login, db, traced
        self.last_used = time.time()

    @property
    def authenticated(self):
        return self.uid is not None


class SessionStore:
    """Server-side sessions.  Anonymous sessions (handed out by every anonymous
    answer, like Odoo does) are capped so that cookie-less clients cannot grow the
    store without bound."""

    MAX_ANONYMOUS = 20000

    def __init__(self):
        self._lock = threading.Lock()
        self._sessions = {}
        self._anonymous = collections.OrderedDict()

    def new(self, uid=None, login=None, db=None, traced=False):
        session = HttpSession(secrets.token_urlsafe(63), uid, login, db, traced)
        with self._lock:
            self._sessions[session.sid] = session
            if uid is None:
                self._anonymous[session.sid] = None
                while len(self._anonymous) > self.MAX_ANONYMOUS:
                    old, _none = self._anonymous.popitem(last=False)
                    self._sessions.pop(old, None)
        return session

    def get(self, sid):
        if not sid:
            return None
        with self._lock:
            session = self._sessions.get(sid)
            if session is None:
                return None
            now = time.time()
            if now - session.last_used > COOKIE_MAX_AGE:
                self._drop(sid)
                return None
            session.last_used = now
            return session

    def _drop(self, sid):
        self._sessions.pop(sid, None)
        self._anonymous.pop(sid, None)

    def drop(self, sid):
        with self._lock:
            self._drop(sid)

    def drop_all(self):
        with self._lock:
            self._sessions.clear()
            self._anonymous.clear()


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self):
        with self._lock:
            self.requests = self.logins = self.sessions_expired = 0
            self.calls = collections.Counter()

    def bump(self, name):
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def count_call(self, key):
        with self._lock:
            self.calls[key] += 1

    def snapshot(self, faults_pending):
        with self._lock:
            return {'requests': self.requests, 'logins': self.logins,
                    'sessions_expired': self.sessions_expired, 'calls': dict(sorted(self.calls.items())),
                    'faults_pending': faults_pending}


class RequestFaults:
    """What the fault injector decided for one request."""
    __slots__ = ('delay_ms', 'replace', 'close_mid_body', 'skipped')

    def __init__(self):
        self.delay_ms, self.replace, self.close_mid_body, self.skipped = 0, None, False, False


class FaultInjector:
    """Counted faults, consumed in request arrival order.  For one request the
    replacing faults are tried in this order: status, html404, garbage (one at most);
    delay and close_mid_body combine with anything; truncate applies to the next JSON
    answers that are not themselves replaced.  'skip' lets that many requests pass
    untouched before the counted faults start."""

    COUNTS = ('status_count', 'delay_count', 'truncate_count', 'close_mid_body_count',
              'html404_count', 'garbage_count', 'skip')
    KEYS = frozenset(COUNTS + ('expire_sessions_every', 'expire_all', 'status', 'delay_ms', 'reset',
                               'drop_writes'))

    def __init__(self, expire_every=0):
        self._lock = threading.Lock()
        self.expire_every = 0
        self._clear()
        self.expire_every = int(expire_every or 0)

    def _clear(self):
        self.expire_every = 0
        self.call_counter = 0
        self.status = None
        self.delay_ms = 0
        self.drop_writes = frozenset()
        for name in self.COUNTS:
            setattr(self, name, 0)

    @staticmethod
    def _count(spec, key):
        value = spec[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f'{key} must be a non-negative integer')
        return value

    def configure(self, spec):
        """Apply a /__emulator/faults body.  Returns True when expire_all was asked."""
        unknown = sorted(set(spec) - self.KEYS)
        if unknown:
            raise ValueError(f'unknown fault key(s): {", ".join(unknown)}')
        with self._lock:
            if spec.get('reset'):
                self._clear()
            if 'expire_sessions_every' in spec:
                self.expire_every = self._count(spec, 'expire_sessions_every')
                self.call_counter = 0
            if 'status' in spec:
                status = spec['status']
                if not isinstance(status, int) or not 400 <= status <= 599:
                    raise ValueError('status must be an HTTP error status (400-599)')
                self.status = status
                self.status_count = self._count(spec, 'status_count') if 'status_count' in spec else 1
            elif 'status_count' in spec:
                self.status_count = self._count(spec, 'status_count')
            if 'delay_ms' in spec:
                self.delay_ms = self._count(spec, 'delay_ms')
                self.delay_count = self._count(spec, 'delay_count') if 'delay_count' in spec else 1
            elif 'delay_count' in spec:
                self.delay_count = self._count(spec, 'delay_count')
            for name in ('truncate_count', 'close_mid_body_count', 'html404_count', 'garbage_count', 'skip'):
                if name in spec:
                    setattr(self, name, self._count(spec, name))
            if 'drop_writes' in spec:
                names = spec['drop_writes']
                if not isinstance(names, list) or \
                        not all(isinstance(n, str) and re.fullmatch(r'[a-z0-9_.]+\.[a-z0-9_]+', n) for n in names):
                    raise ValueError('drop_writes must be a list of "model.field" names')
                self.drop_writes = frozenset(names)
        return bool(spec.get('expire_all'))

    def dropped_writes(self):
        """The "model.field" names whose written values are accepted but not applied."""
        return self.drop_writes

    def for_request(self):
        with self._lock:
            plan = RequestFaults()
            if self.skip:
                self.skip -= 1
                plan.skipped = True
                return plan
            if self.delay_count and self.delay_ms:
                self.delay_count -= 1
                plan.delay_ms = self.delay_ms
            if self.status_count and self.status:
                self.status_count -= 1
                plan.replace = ('status', self.status)
            elif self.html404_count:
                self.html404_count -= 1
                plan.replace = ('html404',)
            elif self.garbage_count:
                self.garbage_count -= 1
                plan.replace = ('garbage',)
            if self.close_mid_body_count:
                self.close_mid_body_count -= 1
                plan.close_mid_body = True
            return plan

    def take_truncate(self):
        with self._lock:
            if self.truncate_count:
                self.truncate_count -= 1
                return True
            return False

    def should_expire(self):
        """Count one authenticated call_kw/call_button; True every K-th one."""
        with self._lock:
            if not self.expire_every:
                return False
            self.call_counter += 1
            return self.call_counter % self.expire_every == 0

    def pending(self):
        with self._lock:
            return {'expire_sessions_every': self.expire_every, 'status': self.status,
                    'status_count': self.status_count, 'delay_ms': self.delay_ms,
                    'delay_count': self.delay_count, 'truncate_count': self.truncate_count,
                    'close_mid_body_count': self.close_mid_body_count,
                    'html404_count': self.html404_count, 'garbage_count': self.garbage_count,
                    'skip': self.skip, 'drop_writes': sorted(self.drop_writes)}


PROXY_REASONS = {429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
                 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out'}


def proxy_error_page(status):
    """The page nginx answers when the upstream Odoo fails."""
    reason = PROXY_REASONS.get(status) or http.HTTPStatus(status).phrase
    return reason, (f'<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n'
                    f'<center><h1>{status} {reason}</h1></center>\r\n'
                    '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')


# =============================================================================
# HTTP requests and responses
# =============================================================================

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


# =============================================================================
# Fixed pages
# =============================================================================

# The end of the 404 page is not in the captures (they stop at 2000 characters): this
# tail is a plausible website 404 body, padded so that the page keeps the real length.
_ODOO_404_TAIL_START = '''
            <main>
                <div id="wrap" class="container">
                    <h1 class="mt-5">404: Page not found</h1>
                    <p>The page you were looking for could not be found; it is possible you have
                    typed the address incorrectly, but it has most probably been removed due to the
                    recent website reorganisation.</p>
                    <p><a class="btn btn-primary" href="/">Back to the homepage</a></p>
                </div>
            </main>
'''
_ODOO_404_TAIL_END = '''        </div>
    </body>
</html>'''


def _odoo_404_tail():
    used = len(ODOO_404_HEAD.encode()) + len(_ODOO_404_TAIL_START.encode()) + len(_ODOO_404_TAIL_END.encode())
    return _ODOO_404_TAIL_START + ' ' * (ODOO_404_LENGTH - used) + _ODOO_404_TAIL_END


ODOO_404_TAIL = _odoo_404_tail()


def odoo_404_page():
    """Odoo's 404 page with a fresh csrf token (hmac hex + 'o' + expiry, same length)."""
    token = f'{secrets.token_hex(20)}o{int(time.time()) + COOKIE_EXPIRES_IN}'
    return ODOO_404_HEAD.replace(ODOO_404_CSRF, token) + ODOO_404_TAIL


# Odoo 19 /json/2 with an X-Odoo-Database the server does not serve (capture v19/120).
JSON2_NO_DB_PAGE = (
    '<!DOCTYPE html>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n'
    '<p>No database is selected and the requested URL was not found in the server-wide controllers.</p>\n'
    '<p>Please verify the hostname, <a href=/web/login>login</a> and try again.</p>\n\n'
    '<!-- Alternatively, use the X-Odoo-Database header. -->\n')

# Odoo 19 /json/2 without a JSON Content-Type (capture v19/137).
JSON2_UNSUPPORTED_MEDIA_PAGE = werkzeug_error_page(415, werkzeug_escape(
    "Request inferred type is compatible with ['http'] but "
    "'/json/2/<__model__>/<__method__>' is type='json2'.")
    + '<br><br>Please verify the Content-Type request header and try again.')

GARBAGE_BODY = '{"jsonrpc": "2.0", "id": 1, "res'


# =============================================================================
# Access rules of the 'limited' user (an internal user without Sales rights)
# =============================================================================

SALE_ORDER_READ_GROUPS = {
    18: ['Inventory/User', 'Invoicing/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only',
         'Technical/Show Accounting Features - Readonly', 'Technical/Show Full Accounting Features',
         'User types/Portal'],
    19: ['Accounting/Invoicing', 'Inventory/User', 'Sales/Administrator', 'Sales/User: Own Documents Only',
         'Role / Portal', 'Show Accounting Features - Readonly', 'Show Full Accounting Features'],
}
SALE_ORDER_WRITE_GROUPS = {
    18: ['Invoicing/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only'],
    19: ['Accounting/Invoicing', 'Sales/Administrator', 'Sales/User: Own Documents Only'],
}
SALE_ORDER_CREATE_GROUPS = ['Sales/Administrator', 'Sales/User: Own Documents Only']
COMPANY_WRITE_GROUPS = ['Administration/Access Rights']


# session_info keys of 18 that 16 (and 17) do not send, and the keys they send instead
SESSION_INFO_ONLY_18 = {
    16: ('can_insert_in_spreadsheet', 'current_tour', 'is_internal_user', 'is_public',
         'partner_write_date', 'storeData', 'test_mode', 'tour_enabled', 'user_settings',
         'view_info', 'websocket_worker_version'),
    17: ('can_insert_in_spreadsheet', 'company_id', 'current_tour', 'partner_write_date', 'storeData',
         'test_mode', 'tour_enabled', 'view_info'),
}
SESSION_INFO_BEFORE_18 = {
    16: {'company_id': 1, 'user_id': [2], 'notification_type': 'email', 'tour_disable': True,
         'web_tours': []},
    17: {'user_id': [2], 'notification_type': 'email', 'tour_disable': True, 'web_tours': [],
         'is_quick_edit_mode_enabled': False, 'websocket_worker_version': '17.0-1'},
}


def install_access_rules(registry):
    major = 19 if registry.flavor.major >= 19 else 18     # 16 and 17: 18's lists
    sale = {'read': SALE_ORDER_READ_GROUPS[major], 'write': SALE_ORDER_WRITE_GROUPS[major],
            'create': SALE_ORDER_CREATE_GROUPS, 'unlink': SALE_ORDER_CREATE_GROUPS}
    company = {'write': COMPANY_WRITE_GROUPS, 'create': COMPANY_WRITE_GROUPS, 'unlink': COMPANY_WRITE_GROUPS}
    registry.denied[registry.flavor.limited_uid] = {
        'sale.order': sale, 'sale.order.line': sale, 'res.company': company}


# =============================================================================
# JSON-RPC controllers (named and shaped like Odoo's, so bad params give the same
# TypeError text: "Session.authenticate() missing 1 required positional argument")
# =============================================================================

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
        self.rpc.cookies.append(self.app.session_cookie(session.sid))
        return self.app.session_info(session)

    def check(self):
        return None

    def destroy(self):
        self.app.sessions.drop(self.rpc.session.sid)
        self.rpc.session = self.app.sessions.new()
        self.rpc.cookies += [self.app.cids_clear_cookie(), self.app.session_cookie(self.rpc.session.sid)]


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
        return self.app.dispatch_rpc(service, method, args)


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
_UNPARSED = object()


def call_endpoint(endpoint, params):
    """Odoo's route_wrapper: drop params the endpoint does not accept, then call."""
    parameters = inspect.signature(endpoint).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        params = {k: v for k, v in params.items() if k in parameters}
    return endpoint(**params)


# =============================================================================
# The emulated server
# =============================================================================

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
        self._build_services()

    # --- entry point ---------------------------------------------------------------

    def handle(self, req):
        if req.path.startswith('/__emulator/'):
            return self.control(req)
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

    # --- cookies ---------------------------------------------------------------------

    @staticmethod
    def _expires():
        return http_date(time.time() + COOKIE_EXPIRES_IN)

    def session_cookie(self, sid):
        return f'session_id={sid}; Expires={self._expires()}; Max-Age={COOKIE_MAX_AGE}; HttpOnly; Path=/'

    def cids_clear_cookie(self):
        return f'cids=; Expires={self._expires()}; Max-Age=0; Path=/'

    def frontend_lang_cookie(self):
        return f'frontend_lang=en_US; Expires={self._expires()}; Path=/'

    # --- error serialization ---------------------------------------------------------

    def traceback_text(self, name, message):
        src = self.flavor.src_root
        if self.flavor.v19:
            frame = (f'  File "{src}/odoo/http.py", line 2273, in _serve_db\n'
                     '    return service_model.retrying(serve_func, env=self.env)\n')
        else:
            frame = (f'  File "{src}/odoo/http.py", line 1954, in _transactioning\n'
                     '    return service_model.retrying(func, env=self.env)\n')
        return f'Traceback (most recent call last):\n{frame}{name.removeprefix("builtins.")}: {message}\n'

    def rpc_error(self, req_id, exc):
        """A JSON-RPC error envelope (always HTTP 200)."""
        name, message = exception_name(exc), exception_message(exc)
        if isinstance(exc, SessionExpired):
            code, title = 100, 'Odoo Session Expired'
            self.stats.bump('sessions_expired')
        elif isinstance(exc, HTTPException):
            code, title = exc.code, f'{exc.code}: {exc.title}'
        elif self.flavor.v19:            # odoo/http.py: 'code': 0, "we don't care of this code"
            code, title = 0, 'Odoo Server Error'
        else:
            code, title = 200, 'Odoo Server Error'
        arguments = [] if isinstance(exc, HTTPException) else list(exc.args)
        if isinstance(exc, AccessDenied) and self.flavor.v19:
            debug = f'{name}: {message}\n'
        else:
            debug = self.traceback_text(name, message)
        if self.flavor.v19:
            data = {'name': name, 'message': message, 'arguments': arguments, 'context': {}, 'debug': debug}
        else:
            data = {'name': name, 'debug': debug, 'message': message, 'arguments': arguments, 'context': {}}
        return Response.json_body({'jsonrpc': '2.0', 'id': req_id,
                                   'error': {'code': code, 'message': title, 'data': data}})

    def json2_error(self, exc):
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
                'debug': self.traceback_text(name, debug_message)}
        return Response.json_body(body, status=status, extra_headers=extra)

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
        if route == '/web/dataset/call_kw' and self.flavor.major >= 18:
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
            cookies.append(self.session_cookie(self.sessions.new().sid))     # new anonymous session
        elif auth == 'user' and rpc.session is session and not session.traced:
            # first successful call of a fresh login: Odoo records the device and saves
            # the session, which re-sends its cookie (captures 98, v19/142)
            session.traced = True
            if not cookies:
                cookies.append(self.session_cookie(session.sid))
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
        rpc.cookies += [self.session_cookie(rpc.session.sid)] * (2 if self.flavor.v19 else 1)
        self.stats.bump('logins')
        return self.session_info(rpc.session)

    def session_info(self, session):
        """The admin session_info of the captures, adapted to the session's user."""
        with self.registry.lock:
            return self._session_info(session)

    def _session_info(self, session):
        v19 = self.flavor.v19
        info = json.loads(''.join(SESSION_INFO_19 if v19 else SESSION_INFO_18))
        registry = self.registry
        users, partners = registry.tables['res.users'], registry.tables['res.partner']
        uid = session.uid
        urow = users.index[uid]
        partner_id = users.cols['partner_id'][urow]
        prow = partners.index.get(partner_id)
        env = Env(registry, uid)
        admin = uid == 2
        companies = set(users.cols['company_ids'][urow])
        info.update(uid=uid, is_system=admin, is_admin=admin, db=self.db,
                    name=users.cols['name'][urow], username=users.cols['login'][urow],
                    partner_id=partner_id, partner_display_name=env['res.partner']._name_getter()(partner_id),
                    partner_write_date=partners.cols['write_date'][prow][:19] if prow is not None else False)
        info['user_context']['uid'] = uid
        info['web.base.url'] = self.base_url
        settings = info['user_settings']
        settings.update(id=1 if admin else uid, user_id={'id': uid})
        user_companies = info['user_companies']
        user_companies['allowed_companies'] = {
            k: v for k, v in user_companies['allowed_companies'].items() if int(k) in companies}
        user_companies['current_company'] = users.cols['company_id'][urow]
        store = info['storeData']
        store['Store']['settings'] = dict(settings)
        me = store['res.partner'][1]
        me.update(id=partner_id, name=users.cols['name'][urow])
        if v19:
            store['Store']['self_partner'] = partner_id
            me['main_user_id'] = uid
            store['res.users'][1].update(id=uid, is_admin=admin, signature=[
                'markup', f'<div>{users.cols["name"][urow]}</div>'])
        else:
            store['Store']['self'] = {'id': partner_id, 'type': 'partner'}
            me.update(isAdmin=admin, userId=uid)
            info['display_switch_company_menu'] = len(companies) > 1
        if not admin:
            info.pop('iap_company_enrich', None)
        if self.flavor.major < 18:
            self._session_info_before_18(info, uid, users.cols['company_id'][urow])
        return info

    def _session_info_before_18(self, info, uid, company_id):
        """The session_info keys of 16 and 17 (compared with real servers by
        tests/real-odoo/test_differential.py): no mail store or tours of 18; 16 has no
        user settings and no company hierarchy either."""
        for key in SESSION_INFO_ONLY_18[self.flavor.major]:
            info.pop(key, None)
        settings = info.get('user_settings')
        if settings is not None:          # 17's mail settings
            for key in ('channel_notifications', 'mute_until_dt', 'volumes'):
                settings.pop(key, None)
            settings['volume_settings_ids'] = [['ADD', []]]
        if self.flavor.major == 16:
            companies = info['user_companies']
            companies.pop('disallowed_ancestor_companies', None)
            for company in companies['allowed_companies'].values():
                company.pop('child_ids', None)
                company.pop('parent_id', None)
        for key, value in SESSION_INFO_BEFORE_18[self.flavor.major].items():
            info[key] = value
        if 'company_id' in info:
            info['company_id'] = company_id
        if 'user_id' in info:
            info['user_id'] = [uid]

    def execute(self, uid, model, method, args, kwargs):
        """Run one ORM call in a transaction (rolled back if it raises)."""
        with self.registry.transaction():
            env = Env(self.registry, uid, {'lang': 'en_US', 'tz': 'Europe/Brussels', 'uid': uid})
            check_method_name(env, model, method)
            return call_kw(env, model, method, args, kwargs)

    # --- /jsonrpc services -----------------------------------------------------------------

    def _build_services(self):
        app = self

        def exp_version():
            return app.flavor.version_result()

        def exp_about(extended=False):
            info = 'See http://openerp.com'
            return [info, app.flavor.serie] if extended else info

        def exp_login(db, login, password):
            return exp_authenticate(db, login, password, None)

        def exp_authenticate(db, login, password, user_agent_env):
            app.check_db(db)
            try:
                return app.check_password(login, password, api_key_ok=True)
            except AccessDenied:
                return False

        def exp_list(document=False):
            return [app.db]

        def exp_server_version():
            return app.flavor.serie

        def exp_db_exist(db_name):
            return db_name == app.db

        def execute_kw(db, uid, obj, method, args, kw=None):
            return app.execute_cr(uid, obj, method, args, kw or {})

        def execute(db, uid, obj, method, *args, **kw):
            return app.execute_cr(uid, obj, method, args, kw)

        def table(*functions):
            return {fn.__name__.removeprefix('exp_'): rename_function(fn, fn.__name__) for fn in functions}
        self.services = {
            'common': table(exp_version, exp_about, exp_login, exp_authenticate),
            'db': table(exp_list, exp_server_version, exp_db_exist),
            'object': table(execute_kw, execute),
        }

    def check_db(self, db):
        if db != self.db:
            raise OperationalError(f'connection to server at "127.0.0.1", port 5432 failed: '
                                   f'FATAL:  database "{db}" does not exist\n')

    def dispatch_rpc(self, service, method, params):
        methods = self.services[service]                    # KeyError: unknown service
        if service == 'object':
            db, uid, password = params[0], int(params[1]), params[2]
            self.check_db(db)
            self.check_uid_password(uid, password)
            if method not in methods:
                raise NameError(f'Method not available {method}')
            return methods[method](db, uid, *params[3:])
        if method not in methods:
            raise Exception(f'Method not found: {method}')
        return methods[method](*params)

    def execute_cr(self, uid, obj, method, args, kw):
        if obj not in self.registry.models:
            raise UserError(f"Object {obj} doesn't exist")
        return self.execute(uid, obj, method, args, kw)

    # --- http routes ---------------------------------------------------------------------

    def logout(self, req):
        session = self.sessions.get(req.session_id)
        if session:
            self.sessions.drop(session.sid)
        fresh = self.sessions.new()
        redirect = urllib.parse.parse_qs(req.query).get('redirect', ['/odoo'])[0]
        cookies = [self.frontend_lang_cookie(), self.cids_clear_cookie(), self.session_cookie(fresh.sid)]
        return Response(303, werkzeug_redirect_page(redirect), HTML_CONTENT_TYPE,
                        location=redirect, cookies=cookies)

    def web_version(self, req):
        cookies = [] if self.sessions.get(req.session_id) else [self.session_cookie(self.sessions.new().sid)]
        return Response.json_body({'version_info': list(self.flavor.version_info),
                                   'version': self.flavor.serie}, cookies=cookies)

    def login_redirect(self, req):
        """Odoo 18 '/json/<path:subpath>' (auth=user, type=http) without a session."""
        target = '/web/login?redirect=' + urllib.parse.quote(f'{req.path}?{req.query}', safe='')
        return Response(303, werkzeug_redirect_page(target), HTML_CONTENT_TYPE, location=target)

    def not_found_page(self, req):
        session = self.sessions.get(req.session_id) or self.sessions.new()
        cookies = [self.frontend_lang_cookie(), self.session_cookie(session.sid)] * 2
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

    # --- control API -----------------------------------------------------------------------

    def control(self, req):
        name = req.path[len('/__emulator/'):]
        try:
            if name == 'faults' and req.method == 'POST':
                spec = json.loads(req.body or b'{}')
                if not isinstance(spec, dict):
                    raise ValueError('the body must be a JSON object')
                if self.faults.configure(spec):
                    self.sessions.drop_all()
                return Response.json_body({'ok': True})
            if name == 'stats' and req.method == 'GET':
                return Response.json_body(self.stats.snapshot(self.faults.pending()))
            if name == 'reset_stats' and req.method == 'POST':
                self.stats.reset()
                return Response.json_body({'ok': True})
        except ValueError as exc:
            return Response.json_body({'ok': False, 'error': str(exc)}, status=400)
        return Response.json_body({'ok': False, 'error': f'no control endpoint {req.method} {req.path}'},
                                  status=404)


# =============================================================================
# HTTP server
# =============================================================================

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


def build_registry(version, db=None, orders=250, seed=42, seed_batch=1):
    flavor = Flavor(version)
    registry = Registry(flavor, db or flavor.default_db)
    seed_database(registry, orders, seed, seed_batch)
    # Millions of seeded objects would make every full garbage collection (triggered
    # by allocations while serving) take tens of milliseconds: park them.
    gc.collect()
    gc.freeze()
    return registry


def parse_args(argv):
    parser = argparse.ArgumentParser(description='Odoo 16-19 server emulator for the libodoo tests.')
    parser.add_argument('--port', type=int, default=8069, help='TCP port; 0 picks a free one')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--orders', type=int, default=250, help='sale orders to seed (default 250)')
    parser.add_argument('--expire-sessions-every', type=int, default=0, metavar='K',
                        help='every K-th authenticated call_kw answers "session expired"')
    parser.add_argument('--version', type=int, choices=VERSIONS, default=18, help='Odoo version to emulate')
    parser.add_argument('--api-key', help="an API key of admin (JSON-RPC password, JSON-2 bearer)")
    parser.add_argument('--limited-api-key', help="an API key of the 'limited' user")
    parser.add_argument('--db', help='database name (default acme, or acme19 with --version 19)')
    parser.add_argument('--seed', type=int, default=42, help='seed of the generated data')
    parser.add_argument('--seed-batch', type=int, default=1, metavar='N',
                        help='seed the orders N per transaction: N orders share one write_date '
                             '(default 1)')
    parser.add_argument('--quiet', action='store_true', help='print nothing but the LISTENING line')
    parser.add_argument('--verbose', action='store_true', help='log requests to stderr')
    parser.add_argument('--tls-cert', metavar='PEM', help='serve HTTPS with this certificate chain')
    parser.add_argument('--tls-key', metavar='PEM', help='the private key of --tls-cert')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    stop = threading.Event()                 # installed first: a signal during seeding counts
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    started = time.perf_counter()
    registry = build_registry(args.version, args.db, args.orders, args.seed, args.seed_batch)
    seeded = time.perf_counter() - started
    if stop.is_set():
        return 0
    server = EmulatorServer((args.host, args.port), verbose=args.verbose)
    port = server.server_address[1]
    scheme = 'http'
    if args.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        # the handshake happens in the request's thread, not in the accepting one
        server.socket = ctx.wrap_socket(server.socket, server_side=True,
                                        do_handshake_on_connect=False)
        scheme = 'https'

    api_keys = {}
    if args.api_key:
        api_keys[args.api_key] = 2
    if args.limited_api_key:
        api_keys[args.limited_api_key] = registry.flavor.limited_uid
    server.app = OdooEmulator(registry.flavor, registry, api_keys, f'{scheme}://{args.host}:{port}',
                              args.expire_sessions_every)
    # admin's password: 'admin', or ODOO_EMULATOR_ADMIN_PASSWORD (from the
    # environment, never argv: the secrets tests grep process arguments)
    server.app.admin_password = os.environ.get('ODOO_EMULATOR_ADMIN_PASSWORD') or 'admin'
    thread = threading.Thread(target=server.serve_forever, name='http', daemon=True)
    thread.start()
    print(f'LISTENING {port}', flush=True)
    if not args.quiet:
        print(f'odoo-emulator: Odoo {registry.flavor.serie}, database {registry.db!r}, '
              f'{args.orders} orders seeded in {seeded:.2f}s, http://{args.host}:{port}',
              file=sys.stderr, flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
