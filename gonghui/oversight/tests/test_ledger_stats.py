"""The ledger figures' pre-aggregated rows (``stats_measures``): after each service (add, close, reopen) and a moved
subtree, every ``oversight.*`` ledger figure read from the rows equals the same figure counted from the measures
(``whole_months`` → None), and both equal a hand count; ``rebuild`` gives back the rows the services kept."""

import datetime

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, get
from gonghui.oversight import figures_ledger, ledger, stats_measures
from gonghui.oversight.models import MeasureStat
from gonghui.oversight.testing_ledger import attach_evidence, final_problem

pytestmark = pytest.mark.django_db
KEYS = ("oversight.measures", "oversight.owners", "oversight.closed", "oversight.closing_rate", "oversight.overdue",
        "oversight.closed_by_month")
PERIODS = ("2026", "2026-03", "2026-04", "2026Q1", "2026Q2", "2026-03-02~2026-04-17")


def _values(org, key: str) -> dict:
    return {k: get(k).compute(org, Period.parse(key)) for k in KEYS}


def both(org, key: str, monkeypatch) -> dict:
    """The figures from the rows, after checking they equal the figures counted from the measures."""
    from_rows = _values(org, key)
    with monkeypatch.context() as m:
        m.setattr(figures_ledger, "whole_months", lambda p: None)
        counted = _values(org, key)
    assert from_rows == counted, (org.name, key)
    return from_rows


def check_all(cast, monkeypatch):
    for org in (cast.city, cast.county_a, cast.county_b, cast.township_a, cast.grassroots_a, cast.grassroots_b):
        org.refresh_from_db()
        for key in PERIODS:
            both(org, key, monkeypatch)


def rows():
    return sorted(MeasureStat.objects.filter(n__gt=0).values_list("unit", "owner", "created", "closed", "due", "n"))


def add(cast, problem, by, owner, due_on):
    return ledger.measure_add(actor_for(by), problem=problem, steps="制定制度", indicator="每周开放", expected="常态化",
                              due_on=due_on, owner=owner, leader="张明")


def close(cast, m, by):
    attach_evidence(m.owner, m)
    ledger.closure_request(actor_for(m.owner), measure=m)
    ledger.closure_close(actor_for(by), measure=m)


def test_rows_follow_each_service_and_a_moved_subtree(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    pa, pb = final_problem(cast.grassroots_a), final_problem(cast.county_b)
    a1 = add(cast, pa, cast.officer_a, cast.grassroots_officer, datetime.date(2026, 3, 10))
    a2 = add(cast, final_problem(cast.county_a), cast.officer_a, cast.officer_a, datetime.date(2026, 4, 15))
    b1 = add(cast, pb, cast.officer_b, cast.officer_b, datetime.date(2026, 3, 20))
    check_all(cast, monkeypatch)
    clock.set(2026, 4, 20)  # a1 and b1 overdue; a2 too, from 16 April
    close(cast, a1, cast.officer_a)  # closed in April, after its deadline
    check_all(cast, monkeypatch)
    # By hand, April: 0 set, 1 closed (a1); overdue at 20 April: a2 (due 15 April) and b1 (due 20 March).
    april = both(cast.city, "2026-04", monkeypatch)
    assert (april["oversight.measures"], april["oversight.closed"], april["oversight.overdue"]) == (0, 1, 2)
    march = both(cast.city, "2026-03", monkeypatch)
    # March: 3 set by 3 owners, none closed by its end; overdue at 31 March: a1 (due 10th) and b1 (due 20th).
    assert march == {"oversight.measures": 3, "oversight.owners": 3, "oversight.closed": 0,
                     "oversight.closing_rate": march["oversight.closing_rate"], "oversight.overdue": 2,
                     "oversight.closed_by_month": [("2026-03", 0)]}
    assert both(cast.county_a, "2026-03", monkeypatch)["oversight.overdue"] == 1
    assert both(cast.county_a, "2026-04", monkeypatch)["oversight.overdue"] == 1  # a2; a1 closed
    ledger.measure_reopen(actor_for(cast.officer_a), measure=a1, reason="复查发现反弹")
    check_all(cast, monkeypatch)
    assert both(cast.city, "2026-04", monkeypatch)["oversight.closed"] == 0  # a reopened measure no longer counts
    clock.set(2026, 5, 6)
    a1.refresh_from_db()
    close(cast, a1, cast.city_staff)
    b1.refresh_from_db()
    close(cast, b1, cast.city_staff)
    check_all(cast, monkeypatch)
    assert both(cast.city, "2026Q2", monkeypatch)["oversight.closed"] == 2
    # The closure chart by month, by hand: a1 closed in April was reopened, then a1 and b1 closed in May.
    assert both(cast.city, "2026Q2", monkeypatch)["oversight.closed_by_month"] == [
        ("2026-04", 0), ("2026-05", 2), ("2026-06", 0)]
    assert both(cast.county_b, "2026Q2", monkeypatch)["oversight.closed_by_month"][1] == ("2026-05", 1)
    kept = rows()
    assert stats_measures.rebuild_all() > 0 and rows() == kept
    # A grassroots union moves to the other county: its measures' counts follow it.
    from gonghui.orgs.services import org_move

    org_move(actor=actor_for(cast.city_staff), org=cast.grassroots_a, new_parent=cast.county_b)
    check_all(cast, monkeypatch)
    assert both(cast.county_a, "2026", monkeypatch)["oversight.measures"] == 1  # a2, the county's own
    assert both(cast.county_b, "2026", monkeypatch)["oversight.measures"] == 2
    assert both(cast.city, "2026", monkeypatch)["oversight.measures"] == 3
    moved = rows()
    assert stats_measures.rebuild_all() > 0 and rows() == moved
    del a2


def test_a_period_not_of_whole_months_counts_the_measures(cast, monkeypatch):
    monday_2_march_2026(monkeypatch)
    add(cast, final_problem(cast.grassroots_a), cast.officer_a, cast.grassroots_officer, datetime.date(2026, 3, 10))
    period = Period.parse("2026-03-02~2026-03-15")
    assert figures_ledger.whole_months(period) is None
    assert get("oversight.measures").compute(cast.city, period) == 1
