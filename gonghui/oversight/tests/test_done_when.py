"""Issue 13's "Done when", end to end through the services: a problem drafted by a unit goes through the four review
stages with one return, gets two measures — one closed with evidence by a second person, one going red and rising to
the parent's supervision list — appears in a dispatch round and on the 蜗牛榜, and is 销号; a fund alert and a public
tip each become a problem; the figures match a hand count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.core.figures import Period, get
from gonghui.core.supervision import supervision_list
from gonghui.funds import alerts
from gonghui.funds.models import Alert
from gonghui.funds.rules import scan
from gonghui.funds.testing import expense
from gonghui.oversight import dispatch, ledger, problems, tips
from gonghui.oversight.models import Decision, MeasureState, ProblemState, Stage
from gonghui.oversight.snail import snail_board
from gonghui.oversight.tasks_ledger import ledger_tick
from gonghui.oversight.testing_ledger import attach_evidence
from gonghui.oversight.testing_problems import departments, file_problem, finalize, second_reviewer, to_joint

pytestmark = pytest.mark.django_db


def test_a_problem_from_draft_to_closed_and_two_others_from_funds_and_the_mailbox(cast, monkeypatch):
    clock = monday_2_march_2026(monkeypatch)
    office, org_dept, _rights = departments(cast.county_a)
    group = [(cast.officer_a, office), (second_reviewer(cast.county_a), org_dept)]
    unit, county = actor_for(cast.grassroots_officer), actor_for(cast.officer_a)

    # 查摆 → 初审 → 复审 (returned once) → 查摆 again → … → 定稿.
    p = file_problem(cast.grassroots_officer, cast.grassroots_a, title="职工之家长期闲置")
    p = to_joint(p, unit_user=cast.grassroots_officer, reviewers=group)
    problems.problem_joint_review(actor_for(group[1][0]), problem=p, decision=Decision.RETURN, opinion="请补充整改思路")
    p.refresh_from_db()
    assert (p.stage, p.returns) == (Stage.DRAFT, 1)
    with pytest.raises(ValidationError):  # not final: no measure yet
        ledger.measure_add(county, problem=p, steps="开放", indicator="每周开放", expected="用起来",
                           due_on=datetime.date(2026, 3, 20), owner=cast.grassroots_officer, leader="张明")
    p = finalize(to_joint(p, unit_user=cast.grassroots_officer, reviewers=group), reviewers=group,
                 on=datetime.date(2026, 3, 2))
    assert (p.stage, p.rounds, p.returns) == (Stage.FINAL, 2, 1)

    # Two measures; a dispatch round; one measure reported, closed with evidence by a second person.
    done = ledger.measure_add(county, problem=p, steps="制定开放制度", indicator="每周开放不少于3天",
                              expected="职工之家正常使用", due_on=datetime.date(2026, 3, 20),
                              owner=cast.grassroots_officer, leader="张明")
    late = ledger.measure_add(county, problem=p, steps="添置活动器材", indicator="器材到位率100%",
                              expected="满足职工活动需要", due_on=datetime.date(2026, 3, 4),
                              owner=cast.grassroots_officer, leader="张明")
    rnd = dispatch.round_open(county, title="第10周调度", due_on=datetime.date(2026, 3, 6))
    ledger.progress_add(unit, measure=done, text="制度已印发", percent=100)
    assert [r.measure_id for r in dispatch.round_reports(county, rnd=rnd, reported=True)] == [done.pk]
    assert [r.measure_id for r in dispatch.round_reports(county, rnd=rnd, reported=False)] == [late.pk]
    with pytest.raises(ValidationError):  # no evidence yet
        ledger.closure_request(unit, measure=done)
    attach_evidence(cast.grassroots_officer, done)
    ledger.closure_request(unit, measure=done)
    with pytest.raises((ValidationError, Http404)):  # the owner does not close their own measure
        ledger.closure_close(unit, measure=done)
    ledger.closure_close(county, measure=done)
    done.refresh_from_db()
    assert done.state == MeasureState.CLOSED

    # The other goes red and rises to the parent's (the township's) supervision list, once.
    clock.set(2026, 3, 9)
    ledger_tick(now=clock.now)
    late.refresh_from_db()
    assert late.color == "red"
    items = list(supervision_list(county, kind="measure"))
    assert [(i.object_id, i.told_org) for i in items] == [(late.pk, cast.township_a)]
    assert not supervision_list(actor_for(cast.officer_b), kind="measure").exists()  # another county sees nothing
    ledger_tick(now=clock.now)
    assert supervision_list(county, kind="measure").count() == 1

    # On the 蜗牛榜 of the county for March: the union and its officer, by overdue working days.
    board = snail_board(county, org=cast.county_a, start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 9))
    assert board["units"][0]["name"] == cast.grassroots_a.name and board["units"][0]["overdue_days"] > 0
    assert board["owners"][0]["id"] == cast.grassroots_officer.pk

    # Rectified late, closed: the problem is 销号 and the supervision item resolved.
    attach_evidence(cast.grassroots_officer, late)
    ledger.progress_add(unit, measure=late, text="器材已到位", percent=100)
    ledger.closure_request(unit, measure=late)
    ledger.closure_close(county, measure=late)
    p.refresh_from_db()
    assert p.state == ProblemState.CLOSED and p.closed_at is not None
    assert supervision_list(county, kind="measure", resolved=True).count() == 1

    # A confirmed fund alert and a public tip each become a problem, linked back.
    expense(cast.grassroots_officer, cast.grassroots_a, "600", summary="购物卡")
    scan(actor=county, org=cast.grassroots_a, year=2026)
    alert = Alert.objects.filter(org_path=cast.grassroots_a.path).first()
    alerts.alert_confirm(actor=county, alert=alert, reason="购物卡违反八不准")
    from_alert = alerts.alert_file_problem(actor=county, alert=alert)
    tip, _check = tips.tip_submit(org=cast.county_a, subject="公款吃喝", body="某单位工会3月5日中午在饭店聚餐")
    from_tip = tips.tip_to_problem(county, tip=tip)
    assert (from_alert.source.key, from_alert.link_kind, from_alert.link_id) == ("monitoring", "funds.alert", alert.pk)
    assert (from_tip.source.key, from_tip.link_kind, from_tip.link_id) == ("tip", "oversight.tip", tip.pk)

    # The figures of the county for March, counted by hand above.
    march = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), "2026-03")
    values = {k: get(f"oversight.{k}").compute(cast.county_a, march)
              for k in ("problems", "returned", "measures", "owners", "closed", "dispatches", "tips")}
    year = Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "2026")
    assert values["problems"] == 3 and get("oversight.returned").compute(cast.county_a, year) == 1
    assert (values["measures"], values["owners"], values["closed"], values["dispatches"]) == (2, 1, 2, 1)
    assert get("oversight.problems").compute(cast.county_b, march) == 0
