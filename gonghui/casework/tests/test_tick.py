import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gonghui.core import supervision
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, SupervisionItem

from .. import deadlines, services
from ..models import Case, CaseAlert, CaseEvent, Color
from ..tasks import casework_tick, casework_tick_task
from ..testing import log_case

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(month, day, hour=9):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def color(case) -> str:
    return Case.objects.get(pk=case.pk).color


def alerts(case) -> list[tuple[str, str]]:
    """The reminders to the handling unit, then the escalations to the parent's supervision list."""
    return list(CaseAlert.objects.filter(case=case).order_by("pk").values_list("kind", "org__code")) + [
        ("escalation", code) for code in SupervisionItem.objects.filter(kind="case", object_id=case.pk)
        .order_by("pk").values_list("told_org__code", flat=True)]


def test_colors_follow_the_rules(cast, clock):
    kw = {"state": "accepted", "paused": False, "due_on": datetime.date(2026, 3, 9), "limit_days": 5,
          "progress_on": datetime.date(2026, 3, 2)}
    assert deadlines.color_for(**kw, today=datetime.date(2026, 3, 3)) == Color.NONE
    assert deadlines.color_for(**kw, today=datetime.date(2026, 3, 5)) == Color.YELLOW  # 3 days without progress
    assert deadlines.color_for(**{**kw, "progress_on": datetime.date(2026, 3, 5)},
                               today=datetime.date(2026, 3, 5)) == Color.BLUE  # due in 2 working days
    assert deadlines.color_for(**kw, today=datetime.date(2026, 3, 10)) == Color.RED
    assert deadlines.color_for(**{**kw, "paused": True}, today=datetime.date(2026, 3, 10)) == Color.NONE
    assert deadlines.color_for(**{**kw, "state": "replied"}, today=datetime.date(2026, 3, 10)) == Color.NONE
    # A dispatched case not accepted within its share of the time (1 working day of 5) has stalled.
    assert deadlines.color_for(**{**kw, "state": "dispatched"}, today=datetime.date(2026, 3, 3)) == Color.YELLOW


def test_a_case_going_red_and_escalating(cast, clock, outbox, django_capture_on_commit_callbacks):
    cast.city.contact_phone = "13900001111"
    cast.city.save(update_fields=["contact_phone"])
    cast.county_a.contact_phone = "13900002222"
    cast.county_a.save(update_fields=["contact_phone"])
    case = log_case(cast.officer_a)  # Monday 2 March, due Monday 9 March
    officer = actor_for(cast.officer_a)
    services.case_accept(actor=officer, case=case)

    assert casework_tick(now=at(3, 3))["recolored"] == 0
    assert color(case) == Color.NONE and alerts(case) == []

    with django_capture_on_commit_callbacks(execute=True):
        result = casework_tick(now=at(3, 5))
    assert (result["yellow"], result["reminders"], result["escalations"]) == (1, 1, 0)
    assert color(case) == Color.YELLOW and alerts(case) == [("yellow", "CA")]
    assert CaseAlert.objects.get(case=case).user == cast.officer_a
    assert [m.to_phone for m in outbox] == ["13900002222"]

    clock.set(2026, 3, 5, 11)
    services.case_progress(actor=officer, case=case, note="约谈企业负责人")
    assert color(case) == Color.BLUE  # progress clears the yellow at once; the due date is two working days away

    with django_capture_on_commit_callbacks(execute=True):
        result = casework_tick(now=at(3, 10))
    assert (result["red"], result["reminders"], result["escalations"]) == (1, 1, 1)
    assert color(case) == Color.RED
    assert alerts(case) == [("yellow", "CA"), ("red", "CA"), ("escalation", "CITY")]
    assert sorted((m.template, m.to_phone) for m in outbox[1:]) == [("case.escalated", "13900001111"),
                                                                    ("case.reminder", "13900002222")]
    escalated = next(m for m in outbox if m.template == "case.escalated")
    assert (escalated.context["org"], escalated.context["n"]) == ("临江市总工会", "1")

    # Running it again (or twice in a row) sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        again = casework_tick(now=at(3, 10, 9))
        third = casework_tick(now=at(3, 11))
    assert again["reminders"] == again["escalations"] == third["reminders"] == third["escalations"] == 0
    assert CaseAlert.objects.filter(case=case).count() == 2 and SupervisionItem.objects.count() == 1
    assert len(outbox) == 3

    # The parent's supervision list has it; the county's own list does not (it is the one supervised).
    city = actor_for(cast.city_staff)
    assert [i.object_id for i in supervision.supervision_list(city)] == [case.pk]
    assert list(supervision.supervision_list(officer)) == []
    assert list(supervision.supervision_list(actor_for(cast.officer_b))) == []
    escalation = SupervisionItem.objects.get()
    assert (escalation.title, escalation.url) == (f"{case.code}　{case.subject}", f"/cases/{case.code}/")
    supervision.item_handle(city, item=escalation, note="已电话督办，要求三日内答复")
    escalation.refresh_from_db()
    assert escalation.handled_by == cast.city_staff and escalation.handled_at is not None
    # The note is on the case's timeline and in its audit trail too.
    assert CaseEvent.objects.filter(case=case, action="supervised", note="已电话督办，要求三日内答复").exists()
    assert AuditEvent.objects.filter(action="case.supervise", object_id=case.code).exists()
    with pytest.raises(Http404):
        supervision.item_handle(officer, item=escalation, note="x")
    with pytest.raises(PermissionDenied):
        supervision.item_handle(actor_for(cast.auditor_a), item=escalation, note="督办")
    assert AuditEvent.objects.filter(action="case.tick").count() == 5


def test_a_reply_takes_the_case_off_the_board(cast, clock):
    case = log_case(cast.officer_a, topic="union_founding")
    casework_tick(now=at(3, 6))
    assert color(case) == Color.RED
    clock.set(2026, 3, 6)
    services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已答复")
    assert color(case) == Color.NONE
    assert SupervisionItem.objects.get().resolved_at is None
    assert casework_tick(now=at(3, 9))["checked"] == 0
    # No longer red: off the "to supervise" tab of the parent's list.
    assert SupervisionItem.objects.get().resolved_at is not None
    assert not supervision.supervision_list(actor_for(cast.city_staff), handled=False, resolved=False).exists()


def test_the_case_thresholds_are_settings(cast, clock):
    """The "case" kind's thresholds (system administrator): blue earlier, and the reminder before the deadline
    earlier still (once)."""
    case = log_case(cast.officer_a)  # Monday 2 March, due Monday 9 March
    services.case_accept(actor=actor_for(cast.officer_a), case=case)
    casework_tick(now=at(3, 3))
    assert color(case) == Color.NONE and alerts(case) == []
    supervision.settings_update(actor_for(cast.system_admin), kind="case", blue_within=3, remind_before=4)
    casework_tick(now=at(3, 3, 10))  # 4 working days left: reminded, not yet blue
    assert color(case) == Color.NONE and alerts(case) == [("blue", "CA")]
    services.case_progress(actor=actor_for(cast.officer_a), case=case, note="约谈")
    casework_tick(now=at(3, 4))  # 3 left: blue, no second reminder
    assert color(case) == Color.BLUE and alerts(case) == [("blue", "CA")]


def test_a_paused_case_does_not_go_red(cast, clock):
    case = log_case(cast.officer_a, topic="union_founding")
    services.case_pause(actor=actor_for(cast.officer_a), case=case, missing=["职工名册"])
    casework_tick(now=at(3, 20))
    assert color(case) == Color.NONE and CaseAlert.objects.count() == 0


def test_a_moved_due_date_reminds_again(cast, clock):
    case = log_case(cast.officer_a, topic="union_founding")  # due Thursday 5 March
    officer = actor_for(cast.officer_a)
    services.case_accept(actor=officer, case=case)
    casework_tick(now=at(3, 3))
    assert alerts(case) == [("blue", "CA")]
    clock.set(2026, 3, 4)
    services.case_pause(actor=officer, case=case, missing=["职工名册"])
    clock.set(2026, 3, 6)
    services.case_resume(actor=officer, case=case)  # two working days paused: due Monday 9 March
    casework_tick(now=at(3, 6, 11))
    assert alerts(case) == [("blue", "CA"), ("blue", "CA")]
    assert list(CaseAlert.objects.filter(case=case).values_list("key", flat=True)) == ["due:2026-03-05",
                                                                                       "due:2026-03-09"]


def test_a_root_unit_supervises_itself(cast, clock):
    case = log_case(cast.city_staff, topic="union_founding")
    casework_tick(now=at(3, 9))
    assert alerts(case) == [("red", "CITY"), ("escalation", "CITY")]


def test_the_task_runs_the_sweep(cast, clock):
    log_case(cast.officer_a, topic="union_founding")
    result = casework_tick_task.call()
    assert result["checked"] == 1


def test_a_unit_gets_one_message_per_sweep(cast, clock, outbox, django_capture_on_commit_callbacks):
    cast.county_a.contact_phone = "13900002222"
    cast.county_a.save(update_fields=["contact_phone"])
    for i in range(3):
        log_case(cast.officer_a, topic="union_founding", phone=f"1370000000{i}")
    log_case(cast.officer_a, topic="wages", phone="13700000009")
    with django_capture_on_commit_callbacks(execute=True):
        casework_tick(now=at(3, 4))  # none taken on for two working days: all four stalled
    assert [(m.template, m.context["n"], m.context["yellow"]) for m in outbox] == [("case.reminder", "4", "4")]
    assert "4" in outbox[0].text and "东湖区总工会" in outbox[0].text


def test_the_sweep_counts_the_overdue_cases_for_the_figures(cast, clock):
    from gonghui.core.figures import Period

    from ..figures import overdue_open
    from ..models import OpenStat

    case = log_case(cast.officer_a, topic="union_founding")  # due Thursday 5 March
    log_case(cast.officer_a, phone="13700000009")  # due Monday 9 March
    clock.set(2026, 3, 6)
    year = Period.parse("2026")
    assert overdue_open(cast.county_a, year) == 1  # no sweep yet: counted from the cases
    casework_tick()
    assert OpenStat.objects.filter(org_path=cast.county_a.path).values_list("running", "red", "yellow").get() == (
        2, 1, 1)
    assert OpenStat.objects.get(org_path=cast.city.path).red == 1
    assert (overdue_open(cast.county_a, year), overdue_open(cast.county_b, year)) == (1, 0)
    services.case_reply(actor=actor_for(cast.officer_a), case=case, reply="已答复")
    assert overdue_open(cast.county_a, year) == 1  # as of the sweep, until the next one
    clock.advance(hours=2)  # the sweep is too old to trust: counted again
    assert overdue_open(cast.county_a, year) == 0


def test_a_large_sweep_writes_its_alerts_in_one_go(cast, clock, monkeypatch):
    """Above a chunk of alerts PostgreSQL takes them by COPY (here with a chunk of one)."""
    from .. import tasks

    monkeypatch.setattr(tasks, "CHUNK", 1)
    cases = [log_case(cast.officer_a, topic="union_founding", phone=f"1370000000{i}") for i in range(3)]
    result = casework_tick(now=at(3, 9))
    assert (result["reminders"], result["escalations"]) == (3, 3)
    rows = set(CaseAlert.objects.values_list("case_id", "kind", "key", "org__code", "user_id", "due_on"))
    due = datetime.date(2026, 3, 5)
    assert rows == {(c.pk, "red", "due:2026-03-05", "CA", cast.officer_a.pk, due) for c in cases}
    items = set(SupervisionItem.objects.values_list("object_id", "key", "told_org__code", "holder_path", "due_on"))
    assert items == {(c.pk, "due:2026-03-05", "CITY", cast.county_a.path, due) for c in cases}
    again = casework_tick(now=at(3, 9, 10))
    assert again["reminders"] == again["escalations"] == 0


def test_the_tick_command_runs_the_sweep_once(cast, clock):
    from io import StringIO

    from django.core.management import call_command

    case = log_case(cast.officer_a)
    services.case_accept(actor=actor_for(cast.officer_a), case=case)
    clock.set(2026, 3, 10)  # a working day after the due date: the case is overdue
    out = StringIO()
    call_command("tick", stdout=out)
    assert out.getvalue().startswith("casework_tick: ")
    assert color(case) == Color.RED
    assert alerts(case) == [("red", "CA"), ("escalation", "CITY")]
    call_command("tick", stdout=StringIO())
    assert alerts(case) == [("red", "CA"), ("escalation", "CITY")]  # a second run sends nothing twice
