# SPDX-License-Identifier: MIT
"""Fixed HTML pages: Odoo's 404 page (captures 91-93), werkzeug's error and redirect pages,
the Odoo 19 JSON-2 pages."""

import http
import secrets
import time

from .sessions import COOKIE_EXPIRES_IN


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
