import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent
from gonghui.core.workdays import add_workdays

from .. import intake, selectors, services
from ..models import Action, CasePause, Color, State
from ..testing import PHONE, log_case

pytestmark = pytest.mark.django_db


def actions(case) -> list[str]:
    return list(case.events.order_by("at", "pk").values_list("action", flat=True))


# A case dispatched to a township and returned

def test_a_case_dispatched_to_a_township_and_returned(cast, clock, township_officer):
    case = log_case(cast.officer_a)
    county, township = actor_for(cast.officer_a), actor_for(township_officer)
    case = services.case_dispatch(actor=county, case=case, to=cast.township_a, note="请街道核实",
                                  department="权益保障部")
    assert (case.state, case.holder_org, case.dispatcher_org) == (State.DISPATCHED, cast.township_a, cast.county_a)
    assert case.org_path == cast.township_a.path and case.department == "权益保障部"
    assert case.owner == cast.officer_a  # not handed over until accepted
    assert selectors.case_get(actor=township, code=case.code).pk == case.pk
    # The township returns it, saying why; it is back with the county, still the first responder's.
    clock.advance(hours=2)
    case = services.case_return(actor=township, case=case, reason="不属于本街道辖区")
    assert (case.state, case.holder_org, case.org_path) == (State.RETURNED, cast.county_a, cast.county_a.path)
    assert case.owner == cast.officer_a and case.department == ""
    with pytest.raises(Http404):  # the township no longer sees it
        selectors.case_get(actor=township, code=case.code)
    assert actions(case) == [Action.RECEIVED, Action.DISPATCHED, Action.RETURNED]
    returned = case.events.get(action=Action.RETURNED)
    assert (returned.note, returned.org, returned.actor, returned.from_state) == (
        "不属于本街道辖区", cast.county_a, township_officer, State.DISPATCHED)
    assert list(AuditEvent.objects.filter(object_id=case.code).order_by("seq").values_list("action", flat=True)) == [
        "case.receive", "case.dispatch", "case.return"]
    assert "不属于" not in str(AuditEvent.objects.get(action="case.return").details)
    # The county dispatches it again, the township accepts: the hand-over is on record.
    case = services.case_dispatch(actor=county, case=case, to=cast.township_a)
    case = services.case_accept(actor=township, case=case)
    assert (case.state, case.owner) == (State.ACCEPTED, township_officer)
    assert actions(case)[-2:] == [Action.HANDED_OVER, Action.ACCEPTED]


def test_dispatch_goes_down_the_tree_only(cast, clock, township_officer):
    case = log_case(cast.officer_a)
    county = actor_for(cast.officer_a)
    with translation.override("en"):
        for target in (cast.county_a, cast.city):
            with pytest.raises(ValidationError) as exc:
                services.case_dispatch(actor=county, case=case, to=target)
            assert "Dispatch to a unit under 东湖区总工会." in exc.value.message_dict["to"]
    with pytest.raises(ValidationError):
        services.case_dispatch(actor=county, case=case, to=cast.grassroots_b)  # county B is not below
    case = services.case_dispatch(actor=county, case=case, to=cast.township_a)
    with pytest.raises(ValidationError):  # the receiver decides first
        services.case_dispatch(actor=county, case=case, to=cast.grassroots_a)


def test_only_the_receiving_unit_accepts_or_returns(cast, clock, township_officer):
    case = log_case(cast.officer_a)
    case = services.case_dispatch(actor=actor_for(cast.officer_a), case=case, to=cast.township_a)
    for user in (cast.officer_a, cast.city_staff):  # above it: they cover it, but it is not theirs to accept
        with pytest.raises(PermissionDenied):
            services.case_accept(actor=actor_for(user), case=case)
        with pytest.raises(PermissionDenied):
            services.case_return(actor=actor_for(user), case=case, reason="不属实")
    for user in (cast.officer_b, cast.grassroots_officer):  # outside it, or below it: they do not see it
        with pytest.raises(Http404):
            services.case_accept(actor=actor_for(user), case=case)
    with pytest.raises(PermissionDenied):
        services.case_return(actor=actor_for(cast.auditor_a), case=case, reason="不属实")
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.case_return(actor=actor_for(township_officer), case=case, reason=" ")
    assert exc.value.message_dict["reason"] == ["Say why the case is returned."]


def test_a_township_dispatches_further_down(cast, clock, township_officer):
    case = log_case(cast.officer_a)
    case = services.case_dispatch(actor=actor_for(cast.officer_a), case=case, to=cast.township_a)
    case = services.case_accept(actor=actor_for(township_officer), case=case)
    case = services.case_dispatch(actor=actor_for(township_officer), case=case, to=cast.grassroots_a)
    case = services.case_accept(actor=actor_for(cast.grassroots_officer), case=case)
    assert (case.holder_org, case.owner) == (cast.grassroots_a, cast.grassroots_officer)


# A case paused for missing papers and resumed

def test_a_case_paused_for_missing_papers_and_resumed(cast, clock, outbox, django_capture_on_commit_callbacks):
    case = log_case(cast.officer_a, topic="legal_person")  # the same day, with complete papers
    assert case.due_on == datetime.date(2026, 3, 2)
    actor = actor_for(cast.officer_a)
    case = services.case_accept(actor=actor, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_pause(actor=actor, case=case,
                                   missing="工会成立大会决议\n 法定代表人身份证复印件 \n\n经费来源证明")
    pause = CasePause.objects.get(case=case)
    assert pause.missing == ["工会成立大会决议", "法定代表人身份证复印件", "经费来源证明"]
    assert case.paused_since == clock.today and case.color == Color.NONE
    # The worker is told everything missing at once.
    assert [m.template for m in outbox] == ["case.papers"] and outbox[0].to_phone == PHONE
    assert all(item in outbox[0].text for item in pause.missing)
    with pytest.raises(ValidationError):
        services.case_pause(actor=actor, case=case, missing="another")
    # The papers arrive on Thursday: three working days paused, the due date moves to Thursday.
    clock.set(2026, 3, 5, 15, 0)
    case = services.case_resume(actor=actor, case=case)
    pause.refresh_from_db()
    assert (pause.resumed_on, pause.workdays, pause.provisional) == (datetime.date(2026, 3, 5), 3, False)
    assert (case.paused_since, case.paused_days, case.due_on) == (None, 3, datetime.date(2026, 3, 5))
    assert actions(case)[-2:] == [Action.PAUSED, Action.RESUMED]
    assert "2026-03-05" in case.events.get(action=Action.RESUMED).note
    with pytest.raises(ValidationError):
        services.case_resume(actor=actor, case=case)


def test_pausing_over_a_holiday_moves_the_due_date_by_working_days_only(cast, clock):
    clock.set(2026, 9, 28)  # Monday before the National Day holiday
    case = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    assert case.due_on == add_workdays(datetime.date(2026, 9, 28), 5)
    services.case_pause(actor=actor, case=case, missing=["劳动合同"])
    clock.set(2026, 10, 12)
    case = services.case_resume(actor=actor, case=case)
    paused = CasePause.objects.get(case=case).workdays
    assert paused == 6  # 29, 30 Sep; 8, 9, 10 (a Saturday made a working day), 12 Oct
    assert case.due_on == add_workdays(datetime.date(2026, 9, 28), 5 + paused)


def test_missing_papers_must_be_listed(cast, clock):
    case = log_case(cast.officer_a)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.case_pause(actor=actor_for(cast.officer_a), case=case, missing=" \n ；")
    assert "List every missing paper" in exc.value.message_dict["missing"][0]
    with pytest.raises(ValidationError):
        services.case_pause(actor=actor_for(cast.officer_a), case=case, missing=["x" * 101])
    with pytest.raises(PermissionDenied):
        services.case_pause(actor=actor_for(cast.auditor_a), case=case, missing=["劳动合同"])
    with pytest.raises(Http404):
        services.case_pause(actor=actor_for(cast.officer_b), case=case, missing=["劳动合同"])


# Reply, follow-up, closing, reopening

def test_reply_follow_up_and_close(cast, clock, outbox, django_capture_on_commit_callbacks):
    case = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    case = services.case_accept(actor=actor, case=case)
    clock.advance(days=1)
    case = services.case_progress(actor=actor, case=case, note="已联系企业核实")
    assert case.state == State.IN_PROGRESS
    with pytest.raises(ValidationError):
        services.case_close(actor=actor, case=case)
    clock.advance(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_reply(actor=actor, case=case, reply="企业已承诺本月底前补发工资。")
    assert (case.state, case.replied_on_time) == (State.REPLIED, True)
    assert [m.template for m in outbox] == ["case.replied"]
    with pytest.raises(ValidationError):  # follow up before closing
        services.case_close(actor=actor, case=case)
    case = services.case_follow_up(actor=actor, case=case, satisfaction="basic", note="电话回访")
    assert (case.state, case.satisfaction, case.rated_via) == (State.FOLLOWED_UP, "basic", "staff")
    clock.set(2026, 3, 9)
    case = services.case_close(actor=actor, case=case)
    assert (case.state, case.closed_on, case.days_to_close) == (State.CLOSED, datetime.date(2026, 3, 9), 5)
    assert actions(case) == [Action.RECEIVED, Action.ACCEPTED, Action.PROGRESS, Action.REPLIED, Action.FOLLOWED_UP,
                             Action.CLOSED]


def test_a_late_reply_is_not_on_time(cast, clock):
    case = log_case(cast.officer_a, topic="union_founding")
    clock.set(2026, 3, 6)  # due Thursday 5 March
    case = services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已指导企业筹建工会。")
    assert case.replied_on_time is False and case.owner == cast.officer_a


def test_a_dispatched_case_is_accepted_before_it_is_answered(cast, clock, township_officer):
    case = log_case(cast.officer_a)
    case = services.case_dispatch(actor=actor_for(cast.officer_a), case=case, to=cast.township_a)
    with pytest.raises(ValidationError):
        services.case_reply(actor=actor_for(township_officer), case=case, reply="已处理完毕")


def test_reopen_starts_a_new_time_limit(cast, clock):
    case = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    case = services.case_reply(actor=actor, case=case, reply="已答复")
    case = services.case_follow_up(actor=actor, case=case, satisfaction="dissatisfied")
    case = services.case_close(actor=actor, case=case)
    clock.set(2026, 3, 16)
    case = services.case_reopen(actor=actor, case=case, reason="职工对答复不满意，重新办理")
    assert (case.state, case.reopened_count, case.clock_start) == (State.REOPENED, 1, datetime.date(2026, 3, 16))
    assert case.due_on == add_workdays(datetime.date(2026, 3, 16), 5)
    assert (case.reply, case.replied_at, case.satisfaction, case.closed_at) == ("", None, "", None)
    case = services.case_accept(actor=actor, case=case)
    case = services.case_progress(actor=actor, case=case, note="再次协调")
    assert case.state == State.IN_PROGRESS


def test_a_closed_case_is_not_reopened_when_another_is_open(cast, clock):
    case = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    case = services.case_reply(actor=actor, case=case, reply="已答复")
    case = services.case_follow_up(actor=actor, case=case, note="联系不上")
    case = services.case_close(actor=actor, case=case)
    log_case(cast.officer_a)  # the worker comes again: a new case
    with pytest.raises(ValidationError):
        services.case_reopen(actor=actor, case=case, reason="重新办理")


# A worker rating the reply

def test_a_worker_rates_the_reply_once(cast, clock):
    case = log_case(cast.officer_a)
    with pytest.raises(ValidationError):  # nothing to rate yet
        intake.case_rate(case=case, satisfaction="satisfied")
    case = services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已答复")
    with pytest.raises(ValidationError) as exc:
        intake.case_rate(case=case, satisfaction="great")
    assert "satisfaction" in exc.value.message_dict
    case = intake.case_rate(case=case, satisfaction="satisfied", comment="  谢谢  工会 ")
    assert (case.state, case.satisfaction, case.rated_via, case.rating_comment) == (
        State.FOLLOWED_UP, "satisfied", "worker", "谢谢 工会")
    assert actions(case)[-1] == Action.RATED
    assert AuditEvent.objects.get(action="case.rate").actor_name == "public"
    with pytest.raises(ValidationError):
        intake.case_rate(case=case, satisfaction="dissatisfied")
    # Staff follow-up keeps the worker's own rating.
    case = services.case_follow_up(actor=actor_for(cast.officer_a), case=case, satisfaction="dissatisfied",
                                   note="电话回访")
    assert (case.satisfaction, case.rated_via) == ("satisfied", "worker")


# Co-handling, reclassifying

def test_co_handlers_see_the_case_and_give_their_opinion(cast, clock):
    case = log_case(cast.officer_a)
    actor = actor_for(cast.officer_a)
    row = services.cohandler_add(actor=actor, case=case, org=cast.grassroots_a, task="提供考勤记录")
    assert row.org_path == cast.grassroots_a.path
    with pytest.raises(ValidationError):
        services.cohandler_add(actor=actor, case=case, org=cast.grassroots_a, task="again")
    with pytest.raises(ValidationError):
        services.cohandler_add(actor=actor, case=case, org=cast.county_a, task="lead")
    with pytest.raises(ValidationError):
        services.cohandler_add(actor=actor, case=case, org=cast.grassroots_b, task="outside")
    helper = actor_for(cast.grassroots_officer)
    seen = selectors.case_get(actor=helper, code=case.code)
    assert seen.pk == case.pk and not selectors.case_fully_visible(actor=helper, case=seen)
    with pytest.raises(Http404):  # it may give its opinion, not handle the case
        services.case_reply(actor=helper, case=case, reply="已答复")
    services.cohandler_report(actor=helper, case=case, report="考勤记录已提供")
    row.refresh_from_db()
    assert row.report == "考勤记录已提供" and row.reported_at is not None
    with pytest.raises(Http404):
        services.cohandler_report(actor=actor_for(cast.officer_b), case=case, report="x")


def test_reclassifying_follows_the_policy_table(cast, clock):
    case = log_case(cast.officer_a)
    case = services.case_reclassify(actor=actor_for(cast.officer_a), case=case, category="solution", topic="wages",
                                    complexity="difficult")
    assert (case.limit_days, case.due_on) == (15, add_workdays(clock.today, 15))
    case = services.case_accept(actor=actor_for(cast.officer_a), case=case, complexity="complex")
    assert case.limit_days == 30
