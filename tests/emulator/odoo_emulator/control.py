# SPDX-License-Identifier: MIT
"""The control API under /__emulator/ (faults, stats, reset_stats) and the statistics it reports."""

import collections
import json
import threading

from .faults import note_call
from .wire import Response


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
        note_call(key)              # for the per-method faults (slow_call, hold_call)

    def snapshot(self, faults_pending):
        with self._lock:
            return {'requests': self.requests, 'logins': self.logins,
                    'sessions_expired': self.sessions_expired, 'calls': dict(sorted(self.calls.items())),
                    'faults_pending': faults_pending}


def control(app, req):
    """Answer a request under /__emulator/ (never counted, never faulted)."""
    name = req.path[len('/__emulator/'):]
    try:
        if name == 'faults' and req.method == 'POST':
            spec = json.loads(req.body or b'{}')
            if not isinstance(spec, dict):
                raise ValueError('the body must be a JSON object')
            if app.faults.configure(spec):
                app.sessions.drop_all()
            return Response.json_body({'ok': True})
        if name == 'stats' and req.method == 'GET':
            return Response.json_body(app.stats.snapshot(app.faults.pending()))
        if name == 'reset_stats' and req.method == 'POST':
            app.stats.reset()
            return Response.json_body({'ok': True})
    except ValueError as exc:
        return Response.json_body({'ok': False, 'error': str(exc)}, status=400)
    return Response.json_body({'ok': False, 'error': f'no control endpoint {req.method} {req.path}'},
                              status=404)
