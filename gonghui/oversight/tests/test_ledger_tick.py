"""The ledger tick: colors (red overdue, yellow without a report in an open round, blue due soon), reminders and
escalation once, resolution when closed; the weekly snail list publication; the snail board counted by hand."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.supervision.models import SupervisionItem
from gonghui.oversight import dispatch, ledger
from gonghui.oversight.models import EventKind, Measure, MeasureEvent, SnailPublication
from gonghui.oversight.snail import snail_board
from gonghui.oversight.tasks_ledger import ledger_tick
from gonghui.oversight.testing_ledger import attach_evidence, final_problem

pytestmark = pytest.mark.django_db


def _add(cast, org, owner, due_on, indicator, by=None):
    return ledger.measure_add(actor_for(by or cast.officer_a), problem=final_problem(org), steps="措施",
                              indicator=indicator, expected="效果", due_on=due_on, owner=owner, leader="张明")


def test_colors_reminders_and_escalation_once(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    late = _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 4), "甲")
    soon = _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 12), "乙")
    idle = _add(cast, cast.county_a, cast.officer_a, datetime.date(2026, 4, 30), "丙")
    clock.set(2026, 3, 9)  # Monday: 甲 is overdue, 乙 is due within 3 working days
    dispatch.round_open(actor_for(cast.officer_a), title="第11周调度", due_on=datetime.date(2026, 3, 13))
    counts = ledger_tick(now=clock.now)
    colors = dict(Measure.objects.values_list("indicator", "color"))
    assert colors == {"甲": "red", "乙": "yellow", "丙": "yellow"}  # the round's reports are owed by all
    assert counts["escalations"] == 1 and counts["reminders"] == 2  # 甲 overdue, 乙 before its deadline
    item = SupervisionItem.objects.get(kind="measure")
    assert (item.object_id, item.told_org) == (late.pk, cast.township_a)
    ledger.progress_add(actor_for(cast.grassroots_officer), measure=soon, text="已推进", percent=50)
    ledger.progress_add(actor_for(cast.officer_a), measure=idle, text="已推进", percent=20)
    again = ledger_tick(now=clock.now)
    assert (again["reminders"], again["escalations"]) == (0, 0)
    assert dict(Measure.objects.values_list("indicator", "color")) == {"甲": "red", "乙": "blue", "丙": ""}
    assert Measure.objects.get(pk=late.pk).urgency == 0
    attach_evidence(cast.grassroots_officer, late)
    ledger.closure_request(actor_for(cast.grassroots_officer), measure=late)
    ledger.closure_close(actor_for(cast.officer_a), measure=late)
    item.refresh_from_db()
    assert item.resolved_at is not None
    assert MeasureEvent.objects.filter(measure=late, kind=EventKind.ESCALATED).count() == 1
    assert MeasureEvent.objects.filter(measure=late, kind=EventKind.REMINDED).count() == 1
    assert SnailPublication.objects.filter(org=cast.county_a).count() == 1  # the week's list, once
    ledger_tick(now=clock.now)
    assert SnailPublication.objects.filter(org=cast.county_a).count() == 1


def test_snail_board_counted_by_hand(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    a = _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 3), "甲")  # Tuesday
    _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 5), "乙")  # Thursday
    _add(cast, cast.county_a, cast.officer_a, datetime.date(2026, 3, 20), "丙")  # not late in the period
    dispatch.round_open(actor_for(cast.officer_a), title="第10周调度", due_on=datetime.date(2026, 3, 6))
    clock.set(2026, 3, 11)  # Wednesday
    # 甲: late Wed 4 .. Wed 11 = 6 working days; 乙: Fri 6 .. Wed 11 = 4; period up to 10 March cuts both by one day
    attach_evidence(cast.grassroots_officer, a)
    board = snail_board(actor_for(cast.officer_a), org=cast.county_a, start=datetime.date(2026, 3, 1),
                        end=datetime.date(2026, 3, 10))
    units = {r["name"]: (r["overdue_days"], r["missed"], r["measures"]) for r in board["units"]}
    assert units == {"东湖机械厂工会": (5 + 3, 2, 2), "东湖区总工会": (0, 1, 0)}
    owners = [r["name"] for r in board["owners"]]
    assert owners == ["厂工会主席", "区总干部甲"]
    with pytest.raises(Http404):  # another county
        snail_board(actor_for(cast.officer_b), org=cast.county_a, start=datetime.date(2026, 3, 1),
                    end=datetime.date(2026, 3, 10))


def test_figures_counted_by_hand(cast, monkeypatch):
    from gonghui.core.figures import Period, get

    clock = monday_2_march_2026(monkeypatch)
    a = _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 4), "甲")
    _add(cast, cast.grassroots_a, cast.grassroots_officer, datetime.date(2026, 3, 5), "乙")
    _add(cast, cast.county_a, cast.officer_a, datetime.date(2026, 4, 5), "丙")
    _add(cast, cast.county_b, cast.officer_b, datetime.date(2026, 3, 3), "丁", by=cast.officer_b)  # another county
    dispatch.round_open(actor_for(cast.officer_a), title="第10周调度", due_on=datetime.date(2026, 3, 6))
    attach_evidence(cast.grassroots_officer, a)
    ledger.closure_request(actor_for(cast.grassroots_officer), measure=a)
    ledger.closure_close(actor_for(cast.officer_a), measure=a)
    clock.set(2026, 3, 10)
    march = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), "2026-03")
    values = {k: get(f"oversight.{k}").compute(cast.county_a, march)
              for k in ("measures", "owners", "closed", "closing_rate", "overdue", "dispatches")}
    assert values == {"measures": 3, "owners": 2, "closed": 1, "closing_rate": Decimal("33.3"), "overdue": 1,
                      "dispatches": 1}
    assert get("oversight.measures").compute(cast.city, march) == 4
    assert get("oversight.overdue").compute(cast.city, march) == 2  # 乙 and 丁


def test_snail_sql_path_equals_the_calendar_walk(cast, monkeypatch):
    """PostgreSQL adds up the overdue working days in one aggregate; it must give what the per-group calendar walk
    gives, over periods crossing the May Day holiday and its make-up working day, with measures closed before,
    inside and after each period."""
    from django.db import connection

    from gonghui.oversight import snail

    if connection.vendor != "postgresql":
        pytest.skip("the aggregate path is PostgreSQL's")
    clock = monday_2_march_2026(monkeypatch)
    made = []
    for i, due in enumerate([datetime.date(2026, 3, 3), datetime.date(2026, 3, 20), datetime.date(2026, 4, 3),
                             datetime.date(2026, 4, 28), datetime.date(2026, 4, 30), datetime.date(2026, 5, 6),
                             datetime.date(2026, 5, 20)]):
        owner, org = ((cast.grassroots_officer, cast.grassroots_a) if i % 2 else (cast.officer_a, cast.county_a))
        made.append(_add(cast, org, owner, due, f"措施{i}"))
    for measure, day in ((made[0], (2026, 3, 25)), (made[2], (2026, 4, 20)), (made[3], (2026, 5, 8))):
        clock.set(*day)
        measure.refresh_from_db()
        attach_evidence(measure.owner, measure)
        ledger.closure_request(actor_for(measure.owner), measure=measure)
        ledger.closure_close(actor_for(cast.city_staff), measure=measure)
    clock.set(2026, 6, 10)
    for start, stop in ((datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
                        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 10)),
                        (datetime.date(2026, 4, 25), datetime.date(2026, 5, 12)),
                        (datetime.date(2026, 5, 9), datetime.date(2026, 5, 9))):
        for org in (cast.city, cast.county_a, cast.grassroots_a):
            walked = sorted(snail._late_python(org, start, stop))
            assert sorted(snail._late_sql(org, start, stop)) == walked, (org.name, start, stop)
    # By hand, 1 April to 10 June: every measure but the first (closed on 25 March, before the period) was late.
    april_june = snail._late_python(cast.city, datetime.date(2026, 4, 1), datetime.date(2026, 6, 10))
    assert sum(n for kind, *_k, n in april_june if kind == "unit") == 6
