# SPDX-License-Identifier: MIT
"""Timestamps as Odoo and PostgreSQL write them: 'YYYY-MM-DD HH:MM:SS[.ffffff]' UTC strings."""

import time


DATE_FORMAT = '%Y-%m-%d'
DATETIME_FORMAT = '%Y-%m-%d %H:%M:%S'


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
