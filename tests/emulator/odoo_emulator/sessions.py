# SPDX-License-Identifier: MIT
"""Server-side HTTP sessions (the session_id cookie's store) and the cookies Odoo sets."""

import collections
import email.utils
import secrets
import threading
import time


COOKIE_MAX_AGE = 604800            # sessions.max_inactivity_seconds (7 days)
COOKIE_EXPIRES_IN = 365 * 86400    # Odoo's fixed 1-year Expires attribute


def http_date(timestamp):
    """'Mon, 22 Nov 2027 13:29:02 GMT'."""
    return email.utils.formatdate(timestamp, usegmt=True)


def _expires():
    return http_date(time.time() + COOKIE_EXPIRES_IN)


def session_cookie(sid):
    return f'session_id={sid}; Expires={_expires()}; Max-Age={COOKIE_MAX_AGE}; HttpOnly; Path=/'


def cids_clear_cookie():
    return f'cids=; Expires={_expires()}; Max-Age=0; Path=/'


def frontend_lang_cookie():
    return f'frontend_lang=en_US; Expires={_expires()}; Path=/'


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
