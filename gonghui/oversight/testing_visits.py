"""Building visits and inspections in tests and the demo."""

import datetime

from gonghui.core.access import actor_for
from gonghui.core.identity import uscc_check_char

from . import inspections, visits


def uscc(body17: str = "91330102MA2B3C4D5") -> str:
    """A unified social credit code with its right check character."""
    return body17 + uscc_check_char(body17)


def record_visit(user, *, org=None, units=None, on=datetime.date(2026, 3, 10), **kw):
    actor = actor_for(user)
    defaults = {"title": "“面对面、心贴心、实打实服务职工在基层”走访", "started_on": on, "leader": user,
                "units": units if units is not None else f"新华科技有限公司 {uscc()}", "forums": 1,
                "forum_people": 12, "interviews": 3, "questionnaires": 40, "solved": 1,
                "solved_text": "现场答复职工关于带薪年休假的咨询", "findings": ["职工食堂收费未公开"]}
    defaults.update(kw)
    return visits.visit_create(actor, org=org, **defaults)


def open_round(user, units, *, on=datetime.date(2026, 4, 1), **kw):
    defaults = {"title": "2026年第一轮作风建设督导", "started_on": on, "ended_on": on + datetime.timedelta(days=5),
                "leader": user, "units": units, "methods": "列席会议、调阅资料、随机访谈职工"}
    defaults.update(kw)
    return inspections.round_create(actor_for(user), **defaults)
