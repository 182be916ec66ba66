"""The pre-aggregated counts always say what counting the cases says."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gonghui.core import figures as registry
from gonghui.core.access import actor_for
from gonghui.core.figures import Period
from gonghui.orgs import services as org_services
from gonghui.orgs.models import Org

from .. import figures, intake, services, stats
from ..models import Case, CaseEvent, CaseStat, IntakeStat, State
from ..testing import intake_data, log_case

pytestmark = pytest.mark.django_db
PERIODS = ["2026", "2026-03", "2026-04", "2026Q1", "2026H1", "2026-02-15~2026-04-30", "2026-03-03~2026-03-20"]


def all_figures(org, key, actor):
    with translation.override("en"):
        return {fv.key: fv.value for fv in registry.compute(org, Period.parse(key), actor=actor)
                if fv.key.startswith("casework.")}


def same_as_counting(orgs):
    """Every figure from the stats equals the one counted from the cases, for whole-month periods."""
    for org in orgs:
        org.refresh_from_db()
        for key in PERIODS:
            period = Period.parse(key)
            months = figures.whole_months(period)
            if months is None:
                continue
            t, raw = figures.case_totals(org, period), figures.raw_case_totals(org, period)
            assert {k: t[k] for k in ("received", "closed", "closed_on_time", "rated", "satisfied")} == {
                k: raw[k] for k in ("received", "closed", "closed_on_time", "rated", "satisfied")}, (org, key)
            assert (t["avg_days"] is None) == (raw["avg_days"] is None)
            if raw["avg_days"] is not None:
                assert abs(t["avg_days"] - float(raw["avg_days"])) < 1e-9
            assert figures.intake_totals(org, period) == {k: v or 0 for k, v in
                                                          figures.raw_intake_totals(org, period).items()}


def tabs_as_counted(cast, orgs):
    """The inbox's tab counts (from the stats) equal counting the cases of each tab."""
    from django.utils import timezone

    from .. import selectors

    actor = actor_for(cast.city_staff)
    today = timezone.localdate()
    for org in orgs:
        org.refresh_from_db()
        counts = selectors.inbox_counts(actor=actor, org=org, today=today)
        for tab in ("open", "accept", "progress", "followup", "overdue", "closed"):
            assert counts[tab] == selectors.inbox(actor=actor, org=org, tab=tab, today=today).count(), (org, tab)


def rebuilt_equals_incremental():
    before_cases = sorted(CaseStat.objects.exclude(received=0, closed=0, rated=0).values_list(
        "org_path", "month", "topic", "closed_month", "state", "received", "closed", "closed_on_time", "rated",
        "satisfied", "days_sum"))
    before_intakes = sorted(IntakeStat.objects.exclude(intakes=0).values_list(
        "org_path", "month", "channel", "intakes", "people", "collective"))
    stats.rebuild()
    assert sorted(CaseStat.objects.values_list(
        "org_path", "month", "topic", "closed_month", "state", "received", "closed", "closed_on_time", "rated",
        "satisfied", "days_sum")) == before_cases
    assert sorted(IntakeStat.objects.values_list(
        "org_path", "month", "channel", "intakes", "people", "collective")) == before_intakes


def test_a_random_course_of_work_keeps_the_counts_exact(cast, clock, township_officer):
    rng = random.Random(20260302)
    officers = {cast.county_a.pk: cast.officer_a, cast.township_a.pk: township_officer,
                cast.grassroots_a.pk: cast.grassroots_officer, cast.county_b.pk: cast.officer_b,
                cast.city.pk: cast.city_staff}
    topics = ["wages", "contract", "social_insurance", "union_founding", "legal_person"]
    for day in range(45):
        clock.set(2026, 3, 2)
        clock.advance(days=day, hours=rng.randrange(0, 8))
        for _ in range(rng.randrange(1, 4)):
            user = rng.choice([cast.officer_a, cast.officer_b, cast.city_staff, cast.grassroots_officer])
            intake.case_log(actor=actor_for(user), data=intake_data(
                channel=rng.choice(["visit", "phone", "letter", "grid"]), people=rng.choice([1, 2, 6]),
                topic=rng.choice(topics), phone=f"13{rng.randrange(10**8, 10**9)}"[:11]))
        for case in list(Case.objects.exclude(state=State.CLOSED).order_by("pk")):
            actor = actor_for(officers[case.holder_org_id])
            move = rng.random()
            try:
                at_county = case.holder_org_id == cast.county_a.pk
                if case.state in (State.RECEIVED, State.RETURNED) and move < 0.2 and at_county:
                    services.case_dispatch(actor=actor, case=case, to=cast.township_a)
                elif case.state == State.DISPATCHED and move < 0.3:
                    services.case_return(actor=actor, case=case, reason="不属本辖区")
                elif case.state in (State.RECEIVED, State.DISPATCHED, State.RETURNED, State.REOPENED) and move < 0.6:
                    services.case_accept(actor=actor, case=case)
                elif case.state in (State.ACCEPTED, State.IN_PROGRESS, State.RECEIVED) and move < 0.7:
                    services.case_reply(actor=actor, case=case, reply="已答复")
                elif case.state == State.REPLIED and move < 0.5:
                    intake.case_rate(case=case, satisfaction=rng.choice(["satisfied", "basic", "dissatisfied"]))
                elif case.state in (State.REPLIED, State.FOLLOWED_UP) and move < 0.8:
                    services.case_follow_up(actor=actor, case=case, satisfaction=rng.choice(["", "satisfied"]),
                                            note="回访")
                elif case.state == State.FOLLOWED_UP:
                    services.case_close(actor=actor, case=case)
                elif case.state == State.ACCEPTED and move < 0.75:
                    services.case_reclassify(actor=actor, case=case, category="complaint",
                                             topic=rng.choice(topics), complexity="difficult")
            except ValidationError:
                pass
        if day % 9 == 8:
            for case in Case.objects.filter(state=State.CLOSED).order_by("pk")[:2]:
                try:
                    services.case_reopen(actor=actor_for(officers[case.holder_org_id]), case=case, reason="重新办理")
                except ValidationError:
                    pass
    assert Case.objects.filter(state=State.CLOSED).exists() and Case.objects.filter(reopened_count__gt=0).exists()
    done = set(CaseEvent.objects.values_list("action", flat=True))
    assert {"dispatched", "returned", "rated", "reclassified"} <= done
    units = [cast.city, cast.county_a, cast.township_a, cast.grassroots_a, cast.county_b]
    same_as_counting(units)
    tabs_as_counted(cast, units)
    rebuilt_equals_incremental()
    # A subtree moves (the township and its unions go to county B): the counts follow.
    org_services.org_move(actor=actor_for(cast.city_staff), org=Org.objects.get(pk=cast.township_a.pk),
                          new_parent=Org.objects.get(pk=cast.county_b.pk))
    same_as_counting(units)
    rebuilt_equals_incremental()


def test_whole_months():
    assert figures.whole_months(Period.parse("2026")) == (202601, 202612)
    assert figures.whole_months(Period.parse("2026H2")) == (202607, 202612)
    assert figures.whole_months(Period.parse("2026-02")) == (202602, 202602)
    assert figures.whole_months(Period.parse("2026-02-01~2026-02-27")) is None
    assert figures.whole_months(Period.parse("2026-02-02~2026-02-28")) is None


def test_partial_months_count_the_cases(cast, clock):
    log_case(cast.officer_a)
    city = actor_for(cast.city_staff)
    v = all_figures(cast.county_a, "2026-03-02~2026-03-02", city)
    assert v["casework.received"] == 1 and v["casework.visits"] == 1
    assert v["casework.trend"] == [("2026-03", 1)] and v["casework.by_unit"] == [("东湖区总工会", 1)]
    assert all_figures(cast.county_a, "2026-03-03~2026-03-31", city)["casework.received"] == 0
    assert datetime.date(2026, 3, 2) == Case.objects.get().received_on
