"""Building cases in tests (and for the scope walk): a front-desk intake with sensible defaults; a hand-set clock."""

import datetime
import zoneinfo

from django.utils import timezone

from gonghui.core.access import actor_for

from . import intake

PHONE = "13712345678"


def intake_data(**overrides) -> dict:
    data = {"channel": "visit", "people": 1, "category": "solution", "topic": "wages", "complexity": "general",
            "subject": "欠薪三个月", "description": "工地拖欠三个月工资，要求协调支付。", "worker_name": "陈秀兰",
            "phone": PHONE, "workplace": "东湖建筑公司", "source_note": "", "note": "", "received_on": None}
    data.update(overrides)
    return data


def log_case(user, **overrides):
    """A case logged at the front desk of the user's unit; returns the case."""
    return intake.case_log(actor=actor_for(user), data=intake_data(**overrides)).case


SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Clock:
    """A hand-set clock for the services (``django.utils.timezone.now``), in Asia/Shanghai wall time. Moving it
    more than the idle timeout ends a test client's session: log in again after."""

    def __init__(self, monkeypatch, start: datetime.datetime):
        self.now = start
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, year, month, day, hour=10, minute=0) -> datetime.datetime:
        self.now = datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
        return self.now

    def advance(self, **delta) -> datetime.datetime:
        self.now = self.now + datetime.timedelta(**delta)
        return self.now

    @property
    def today(self) -> datetime.date:
        return self.now.astimezone(SHANGHAI).date()


def monday_2_march_2026(monkeypatch) -> Clock:
    """A published year (its holiday arrangement is in the calendar), far from the holidays."""
    return Clock(monkeypatch, datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI))
