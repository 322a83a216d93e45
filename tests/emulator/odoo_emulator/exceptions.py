# SPDX-License-Identifier: MIT
"""Exceptions named like the Odoo / werkzeug / psycopg2 classes they stand for, and how
Odoo names and words them in error answers."""

import http


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
