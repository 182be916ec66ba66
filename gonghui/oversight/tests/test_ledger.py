"""The ledger's services: measures, progress, closure by a second person with evidence, the problem's 销号, reopening,
dispatch rounds; permissions and bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import ANONYMOUS, actor_for
from gonghui.core.models import AuditEvent
from gonghui.oversight import dispatch, ledger
from gonghui.oversight.models import EventKind, Measure, MeasureEvent, Stage
from gonghui.oversight.selectors_ledger import ledger_page
from gonghui.oversight.testing_ledger import attach_evidence, final_problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    return monday_2_march_2026(monkeypatch)


def add(cast, problem, *, owner=None, by=None, **kw):
    values = {"steps": "制定职工之家使用管理制度，每周开放", "indicator": "每周开放不少于5天",
              "expected": "阵地常态化使用", "due_on": datetime.date(2026, 3, 31),
              "owner": owner or cast.grassroots_officer, "leader": "张明"}
    values.update(kw)
    return ledger.measure_add(actor_for(by or cast.officer_a), problem=problem, **values)


def test_a_measure_goes_from_added_to_closed_and_closes_its_problem(cast, clock):
    problem = final_problem(cast.grassroots_a)
    m = add(cast, problem)
    m2 = add(cast, problem, due_on=None, due_days=5)
    assert m2.due_on == datetime.date(2026, 3, 9)  # 5 working days after Monday 2 March
    owner = actor_for(cast.grassroots_officer)
    ledger.progress_add(owner, measure=m, text="制度已印发", percent=60)
    m.refresh_from_db()
    assert (m.percent, m.last_progress_at is not None) == (60, True)
    attach_evidence(cast.grassroots_officer, m)
    m.refresh_from_db()
    assert m.evidence_count == 1
    ledger.closure_request(owner, measure=m, note="请审核")
    ledger.closure_close(actor_for(cast.officer_a), measure=m, note="佐证齐全")
    m.refresh_from_db()
    problem.refresh_from_db()
    assert (m.state, m.closed_by, problem.state) == ("closed", cast.officer_a, "open")  # m2 still open
    attach_evidence(cast.grassroots_officer, m2)
    ledger.closure_request(actor_for(cast.officer_a), measure=m2)  # the unit may ask too
    ledger.closure_close(actor_for(cast.city_staff), measure=m2)
    problem.refresh_from_db()
    assert problem.state == "closed" and problem.closed_at is not None
    ledger.measure_reopen(actor_for(cast.officer_a), measure=m2, reason="复查发现反弹")
    problem.refresh_from_db()
    m2.refresh_from_db()
    assert (problem.state, problem.closed_at, m2.state) == ("open", None, "open")
    kinds = list(MeasureEvent.objects.filter(measure=m).order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [EventKind.ADDED, EventKind.PROGRESS, EventKind.EVIDENCE, EventKind.REQUESTED, EventKind.CLOSED]
    actions = set(AuditEvent.objects.filter(object_type="oversight.measure").values_list("action", flat=True))
    assert {"oversight.measure_add", "oversight.progress_add", "oversight.closure_request", "oversight.closure_close",
            "oversight.measure_reopen"} <= actions


def test_closure_is_refused_to_the_owner_without_evidence_and_may_be_rejected(cast, clock):
    m = add(cast, final_problem(cast.county_a), owner=cast.officer_a)
    officer = actor_for(cast.officer_a)
    with pytest.raises(ValidationError):
        ledger.closure_request(officer, measure=m)
    attach_evidence(cast.officer_a, m)
    ledger.closure_request(officer, measure=m)
    with pytest.raises(ValidationError):
        ledger.closure_close(officer, measure=m)  # the owner himself
    with pytest.raises(ValidationError):
        ledger.closure_reject(actor_for(cast.city_staff), measure=m, reason="")
    ledger.closure_reject(actor_for(cast.city_staff), measure=m, reason="佐证不足")
    m.refresh_from_db()
    assert m.closure_requested_at is None and m.state == "open"
    with pytest.raises(ValidationError):
        ledger.closure_close(actor_for(cast.city_staff), measure=m)  # no request pending
    assert MeasureEvent.objects.filter(measure=m, kind=EventKind.REJECTED, text="佐证不足").exists()


def test_closing_without_evidence_is_refused(cast, clock):
    m = add(cast, final_problem(cast.grassroots_a))
    Measure.objects.filter(pk=m.pk).update(closure_requested_at=clock.now)  # a request whose files were lost
    m.refresh_from_db()
    with pytest.raises(ValidationError):
        ledger.closure_close(actor_for(cast.city_staff), measure=m)


def test_bad_input_is_refused(cast, clock):
    problem = final_problem(cast.grassroots_a)
    with pytest.raises(ValidationError) as exc:
        add(cast, problem, due_on=datetime.date(2026, 2, 27))
    assert "due_on" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        add(cast, problem, steps="", indicator=" ", owner=cast.officer_b)  # owner of another county
    assert {"steps", "indicator", "owner"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError):
        add(cast, problem, due_on=None, due_days=None)
    draft = final_problem(cast.grassroots_a)
    draft.stage = Stage.FIRST
    draft.save()
    with pytest.raises(ValidationError):
        add(cast, draft)
    m = add(cast, problem)
    owner = actor_for(cast.grassroots_officer)
    for percent in (101, -1, "abc"):
        with pytest.raises(ValidationError) as exc:
            ledger.progress_add(owner, measure=m, text="进展", percent=percent)
        assert "percent" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        ledger.progress_add(actor_for(cast.officer_a), measure=m, text="代报", percent=10)  # not the owner


def test_permissions_other_county_grassroots_anonymous(cast, clock):
    m = add(cast, final_problem(cast.grassroots_a))
    problem_b = final_problem(cast.grassroots_b)
    with pytest.raises(Http404):
        ledger.measure_get(actor_for(cast.officer_b), pk=m.pk)
    with pytest.raises(Http404):
        add(cast, problem_b)  # officer_a outside county B
    with pytest.raises(Http404):
        ledger.closure_request(actor_for(cast.officer_b), measure=m)
    with pytest.raises(PermissionDenied):
        ledger.measure_get(ANONYMOUS, pk=m.pk)
    with pytest.raises(PermissionDenied):
        add(cast, m.problem, by=cast.auditor_a)  # may view, not write
    assert [r.pk for r in ledger_page(actor_for(cast.officer_b))] == []
    assert [r.pk for r in ledger_page(actor_for(cast.grassroots_officer))] == [m.pk]
    # a grassroots union sees its own measures but not a county's neighbours
    m_county = add(cast, final_problem(cast.county_a), owner=cast.officer_a)
    with pytest.raises(Http404):
        ledger.measure_get(actor_for(cast.grassroots_officer), pk=m_county.pk)


def test_ledger_order_and_filters(cast, clock):
    p = final_problem(cast.grassroots_a)
    late = add(cast, p, due_on=datetime.date(2026, 3, 20))
    soon = add(cast, p, due_on=datetime.date(2026, 3, 3))
    far = add(cast, p, due_on=datetime.date(2026, 3, 10))
    Measure.objects.filter(pk=late.pk).update(color="red", urgency=0)
    officer = actor_for(cast.officer_a)
    assert [m.pk for m in ledger_page(officer)] == [late.pk, soon.pk, far.pk]
    assert [m.pk for m in ledger_page(officer, filters={"color": "blue"})] == [soon.pk]
    assert [m.pk for m in ledger_page(officer, filters={"unit": "CB"})] == []
    assert len(ledger_page(officer, filters={"unit": "GA", "owner": str(cast.grassroots_officer.pk)})) == 3
    assert ledger_page(officer, filters={"overdue": "1"}) == []
    assert len(ledger_page(officer, limit=2)) == 2


def test_a_dispatch_round_expects_a_report_from_every_owner(cast, clock):
    p = final_problem(cast.grassroots_a)
    m1 = add(cast, p)
    m2 = add(cast, final_problem(cast.county_a), owner=cast.officer_a)
    add(cast, final_problem(cast.county_b), owner=cast.officer_b, by=cast.officer_b)
    rnd = dispatch.round_open(actor_for(cast.officer_a), title="第10周调度", due_on=datetime.date(2026, 3, 6))
    assert rnd.expected == 2
    ledger.progress_add(actor_for(cast.grassroots_officer), measure=m1, text="已完成制度起草", percent=30)
    rnd.refresh_from_db()
    assert rnd.reported == 1
    missing = list(dispatch.round_reports(actor_for(cast.officer_a), rnd=rnd, reported=False))
    assert [r.measure_id for r in missing] == [m2.pk]
    assert dispatch.round_remind(actor_for(cast.officer_a), rnd=rnd) == 1
    with pytest.raises(ValidationError):
        dispatch.round_remind(actor_for(cast.officer_a), rnd=rnd)  # once
    with pytest.raises(Http404):
        dispatch.round_get(actor_for(cast.officer_b), pk=rnd.pk)
    with pytest.raises(ValidationError):
        dispatch.round_open(actor_for(cast.grassroots_officer), title="x", due_on=datetime.date(2026, 3, 6))
    with pytest.raises(ValidationError):
        dispatch.round_open(actor_for(cast.officer_a), title="", due_on=datetime.date(2026, 2, 6))
    meeting = dispatch.meeting_add(actor_for(cast.officer_a), held_on=datetime.date(2026, 3, 4), title="难点问题协调会",
                                   attendees="张明、李华", decisions="由区总牵头", problems=[p.pk])
    assert list(meeting.problems.all()) == [p]
    with pytest.raises(ValidationError):
        dispatch.meeting_add(actor_for(cast.officer_b), held_on=datetime.date(2026, 3, 4), title="越权",
                             attendees="王", decisions="无", problems=[p.pk])
