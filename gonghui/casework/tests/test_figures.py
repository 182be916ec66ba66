import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from gonghui.core import figures as registry
from gonghui.core.access import actor_for
from gonghui.core.figures import Period

from .. import intake, services
from ..testing import intake_data, log_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def march(cast, clock):
    """County A's March 2026, built by hand (and one case of February, one of county B)."""
    officer = actor_for(cast.officer_a)
    c1 = log_case(cast.officer_a, people=3)
    c2 = log_case(cast.officer_a, people=6, topic="contract", phone="13700000002")
    c3 = log_case(cast.officer_a, channel="phone", topic="social_insurance", phone="13700000003")
    c4 = log_case(cast.officer_a, channel="letter", topic="safety", phone="13700000004")
    c5 = intake.case_file_public(org=cast.county_a, data=intake_data(topic="assistance", phone="13700000005"),
                                 consent_version=intake.REQUEST_NOTICE_VERSION, ip=None, mobile=True).case
    log_case(cast.officer_a, category="complaint", topic="other", phone="13700000006",
             received_on=datetime.date(2026, 2, 20))
    log_case(cast.officer_b, people=4, phone="13700000007")
    services.case_dispatch(actor=officer, case=c4, to=cast.township_a)

    clock.set(2026, 3, 3)
    log_case(cast.officer_a, people=2, subject="再次来访")  # linked to c1
    services.case_pause(actor=officer, case=c5, missing=["困难情况证明"])
    clock.set(2026, 3, 4)
    services.case_reply(actor=officer, case=c1, reply="已协调企业支付")
    services.case_follow_up(actor=officer, case=c1, satisfaction="satisfied")
    clock.set(2026, 3, 5)
    services.case_reply(actor=officer, case=c3, reply="已告知社保补缴办法")
    intake.case_rate(case=c3, satisfaction="dissatisfied")
    clock.set(2026, 3, 6)
    services.case_close(actor=officer, case=c1)
    clock.set(2026, 3, 11)
    services.case_reply(actor=officer, case=c2, reply="已指导签订书面劳动合同")  # due 9 March: late
    services.case_follow_up(actor=officer, case=c2, satisfaction="basic")
    clock.set(2026, 3, 13)
    services.case_close(actor=officer, case=c2)
    clock.set(2026, 3, 16)
    return cast


def values(org, key="2026-03", actor=None) -> dict:
    with translation.override("en"):
        out = registry.compute(org, Period.parse(key), actor=actor or actor_for(org_user(org)))
    return {fv.key: fv.value for fv in out if fv.key.startswith("casework.")}


def org_user(org):
    from gonghui.core.models import Grant

    return Grant.objects.filter(org=org, role="federation_staff").first().user


def test_the_figures_match_a_hand_count(march):
    v = values(march.county_a)
    assert v["casework.received"] == 5  # c1-c5; the February case and county B's are not counted
    assert (v["casework.visits"], v["casework.visit_people"], v["casework.collective_visits"]) == (3, 11, 1)
    assert (v["casework.letters"], v["casework.calls"], v["casework.online"]) == (1, 1, 1)
    assert v["casework.closed"] == 2
    assert v["casework.closing_rate"] == Decimal("40.0")  # 2 / 5
    assert v["casework.on_time_rate"] == Decimal("50.0")  # c1 on time, c2 late
    assert v["casework.satisfaction_rate"] == Decimal("66.7")  # satisfied, basically satisfied / 3 rated
    assert v["casework.avg_days"] == Decimal("6.5")  # c1: 4 working days, c2: 9
    assert v["casework.overdue_open"] == 2  # c4 (due 9 March) and February's; c5 waits for papers
    assert v["casework.by_channel"] == [("Visit", 3), ("Letter", 1), ("Phone call", 1), ("Mobile", 1)]
    assert sorted(n for _label, n in v["casework.by_topic"]) == [1, 1, 1, 1, 1]
    assert v["casework.trend"] == [("2026-03", 5)]
    assert v["casework.by_unit"] == [("东湖区总工会", 4), ("城关街道总工会", 1)]


def test_a_quarter_and_the_city(march):
    v = values(march.county_a, "2026Q1")
    assert v["casework.received"] == 6
    assert v["casework.trend"] == [("2026-01", 0), ("2026-02", 1), ("2026-03", 5)]
    city = values(march.city, "2026-03")
    assert city["casework.received"] == 6 and city["casework.visit_people"] == 15
    assert city["casework.by_unit"] == [("东湖区总工会", 5), ("西山县总工会", 1)]
    township = values(march.township_a, "2026-03", actor=actor_for(march.officer_a))
    assert (township["casework.received"], township["casework.visits"]) == (1, 0)


def test_rates_without_a_denominator_are_empty(cast, clock):
    v = values(cast.county_b)
    assert v["casework.received"] == 0
    assert v["casework.closing_rate"] is None and v["casework.avg_days"] is None
    assert v["casework.by_channel"] == [] and v["casework.trend"] == [("2026-03", 0)]


def test_auditors_see_the_figures(march):
    v = values(march.county_a, actor=actor_for(march.auditor_a))
    assert v["casework.received"] == 5


def test_grid_officer_reports_are_counted_on_both_paths(cast, clock):
    log_case(cast.officer_a, channel="grid", topic="safety", phone="13700000011")
    log_case(cast.officer_a, channel="grid", topic="wages", phone="13700000012")
    log_case(cast.officer_a, channel="phone", topic="safety", phone="13700000013")
    log_case(cast.officer_b, channel="grid", topic="safety", phone="13700000014")
    assert values(cast.county_a)["casework.grid"] == 2  # the month: the pre-aggregated rows
    assert values(cast.county_a, "2026-03-01~2026-03-20")["casework.grid"] == 2  # any range: counted
    assert values(cast.city)["casework.grid"] == 3
    assert values(cast.county_a, "2026-02")["casework.grid"] == 0


def test_problems_solved_counts_closures_marked_solved(march, monkeypatch):
    from gonghui.casework import figures as casework_figures
    from gonghui.casework.models import Case

    # In the hand-built March both closures (c1, c2) were closed with the default: solved.
    assert values(march.county_a)["casework.problems_solved"] == 2
    # One more closed as answered and explained only: counted as closed, not as solved.
    c3 = Case.objects.get(phone_bidx__isnull=False, topic="social_insurance", org_path__startswith=march.county_a.path)
    officer = actor_for(march.officer_a)
    services.case_follow_up(actor=officer, case=c3, satisfaction="dissatisfied")
    services.case_close(actor=officer, case=c3, solved=False)
    v = values(march.county_a)
    assert (v["casework.closed"], v["casework.problems_solved"]) == (3, 2)
    with monkeypatch.context() as m:  # the same from the cases themselves
        m.setattr(casework_figures, "whole_months", lambda p: None)
        assert values(march.county_a)["casework.problems_solved"] == 2
    assert values(march.county_b)["casework.problems_solved"] == 0
