"""The demo's clock: the seed plays a year of union work forward through the real services, so every time they
stamp (audit events, case timelines, deadlines, decisions) reads as it would have, a year of history in order.

Inside ``played_clock`` Django's ``timezone.now`` (and with it ``localdate``, ``auto_now`` and every model field
whose default is ``timezone.now``) answers the clock's time; outside it, the real time. Only the seed uses it.
"""

import datetime
from contextlib import contextmanager

from django.apps import apps
from django.utils import timezone


class Clock:
    def __init__(self, at: datetime.datetime):
        self.at = at

    def __call__(self) -> datetime.datetime:
        return self.at

    def set(self, at: datetime.datetime) -> None:
        # Time only moves forward: the audit trail and the timelines stay in order.
        if at > self.at:
            self.at = at


def _fields_defaulting_to(fn):
    return [f for model in apps.get_models() for f in model._meta.concrete_fields if f.default is fn]


def _set_default(field, fn) -> None:
    field.default = fn
    field.__dict__.pop("_get_default", None)  # a cached_property holding the old default


@contextmanager
def played_clock(start: datetime.datetime):
    real = timezone.now
    clock = Clock(start)
    fields = _fields_defaulting_to(real)
    timezone.now = clock
    for f in fields:
        _set_default(f, clock)
    try:
        yield clock
    finally:
        timezone.now = real
        for f in fields:
            _set_default(f, real)
