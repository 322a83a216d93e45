# SPDX-License-Identifier: MIT
"""Fault injection: counted faults consumed in request order, and the pages they answer with."""

import http
import re
import threading
import time

# The ORM calls of the request being answered by this thread (set by note_call, which the
# statistics call for every model method dispatched; read after the answer is computed).
_CALLS = threading.local()

CALL_NAME = re.compile(r'[a-z0-9_.]+\.[a-z_][a-z0-9_]*')
HOLD_LIMIT_S = 300      # a held answer goes out after this long even if never released


def note_call(key):
    """Remember that this thread's request called `key` ("model.method")."""
    calls = getattr(_CALLS, 'keys', None)
    if calls is None:
        _CALLS.keys = calls = []
    calls.append(key)


def _take_calls():
    calls = getattr(_CALLS, 'keys', None) or []
    _CALLS.keys = None
    return calls


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
                               'drop_writes', 'slow_call', 'hold_call', 'release'))

    # Per-method faults, applied once the answer of a call_kw / JSON-2 call is computed
    # (outside the registry lock, so other requests go on), before it is sent:
    #   {"slow_call": {"method": "sale.order.search_read", "ms": 200}}
    #       every answer to a call of that method waits ms milliseconds;
    #   {"hold_call": {"method": "sale.order.search_read", "after": 1}}
    #       the first `after` calls of that method are answered, the later ones are held
    #       (the call itself has run) until {"release": true} or a reset; the statistics
    #       show how many answers are held now ("held") and in all ("held_total");
    #   {"release": true} sends the held answers and stops holding.

    def __init__(self, expire_every=0):
        self._lock = threading.Lock()
        self._released = threading.Condition(self._lock)
        self.expire_every = 0
        self.held = self.held_total = 0
        self.hold_generation = 0
        with self._lock:
            self._clear()
        self.expire_every = int(expire_every or 0)

    def _clear(self):
        self.expire_every = 0
        self.call_counter = 0
        self.status = None
        self.delay_ms = 0
        self.drop_writes = frozenset()
        self.slow_method, self.slow_ms = None, 0
        self.held_total = 0
        self._stop_holding()
        for name in self.COUNTS:
            setattr(self, name, 0)

    def _stop_holding(self):
        """(lock held) Release every held answer and hold no more."""
        self.hold_method, self.hold_after = None, 0
        self.hold_generation += 1
        self._released.notify_all()

    @staticmethod
    def _method_spec(spec, key, number):
        value = spec[key]
        if not isinstance(value, dict) or set(value) != {'method', number} \
                or not isinstance(value['method'], str) or not CALL_NAME.fullmatch(value['method']):
            raise ValueError(f'{key} must be {{"method": "model.method", "{number}": N}}')
        n = value[number]
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise ValueError(f'{key}.{number} must be a non-negative integer')
        return value['method'], n

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
            if 'slow_call' in spec:
                self.slow_method, self.slow_ms = self._method_spec(spec, 'slow_call', 'ms')
            if spec.get('release'):
                self._stop_holding()
            if 'hold_call' in spec:
                self.hold_method, self.hold_after = self._method_spec(spec, 'hold_call', 'after')
        return bool(spec.get('expire_all'))

    def after_call(self):
        """Once the answer to this thread's request is computed: wait as the per-method
        faults say (slow_call, hold_call) for the ORM calls it made."""
        calls = _take_calls()
        if not calls:
            return
        with self._lock:
            delay = self.slow_ms if self.slow_ms and self.slow_method in calls else 0
            hold = False
            if self.hold_method and self.hold_method in calls:
                if self.hold_after:
                    self.hold_after -= 1
                else:
                    hold = True
            if hold:
                generation = self.hold_generation
                self.held += 1
                self.held_total += 1
                try:
                    self._released.wait_for(lambda: self.hold_generation != generation,
                                            timeout=HOLD_LIMIT_S)
                finally:
                    self.held -= 1
        if delay:
            time.sleep(delay / 1000.0)

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
        """Called once the JSON answer of a request is computed: the per-method faults
        wait here (after_call), then True when this answer is to be truncated."""
        self.after_call()
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
                    'skip': self.skip, 'drop_writes': sorted(self.drop_writes),
                    'slow_call': {'method': self.slow_method, 'ms': self.slow_ms} if self.slow_ms else None,
                    'hold_call': {'method': self.hold_method, 'after': self.hold_after}
                    if self.hold_method else None,
                    'held': self.held, 'held_total': self.held_total}


PROXY_REASONS = {429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway',
                 503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out'}


def proxy_error_page(status):
    """The page nginx answers when the upstream Odoo fails."""
    reason = PROXY_REASONS.get(status) or http.HTTPStatus(status).phrase
    return reason, (f'<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n'
                    f'<center><h1>{status} {reason}</h1></center>\r\n'
                    '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n')


GARBAGE_BODY = '{"jsonrpc": "2.0", "id": 1, "res'
