"""The returns sweep: colors by working days, one reminder to the payer, one escalation to its parent when red,
nothing sent twice."""

import datetime

import pytest

from gonghui.casework.testing import monday_2_march_2026
from gonghui.core import notify
from gonghui.core.access import actor_for
from gonghui.funds import returns
from gonghui.funds.models import FundReturn, ReturnAlert
from gonghui.funds.tasks_income import returns_tick

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def outbox(settings):
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    yield notify.outbox
    notify.outbox.clear()


@pytest.fixture
def setup(cast, monkeypatch, django_capture_on_commit_callbacks):
    clock = monday_2_march_2026(monkeypatch)
    cast.county_a.contact_phone = "13811112222"
    cast.county_a.save()
    cast.city.contact_phone = "13833334444"
    cast.city.save()
    ret = returns.return_receipt_record(actor=actor_for(cast.officer_a), payer=cast.county_a,
                                        union=cast.grassroots_a, amount="800", receipt_no="JF-1",
                                        receipt_on=datetime.date(2026, 3, 2))
    return clock, ret


def _tick(capture, clock):
    with capture(execute=True):
        return returns_tick(now=clock.now)


def test_colors_reminder_once_and_escalation(cast, setup, outbox, django_capture_on_commit_callbacks):
    clock, ret = setup
    assert ret.due_on == datetime.date(2026, 3, 9)
    clock.set(2026, 3, 4)  # 3 working days left: no color
    assert _tick(django_capture_on_commit_callbacks, clock)["reminders"] == 0
    assert FundReturn.objects.get().color == "" and not outbox

    clock.set(2026, 3, 5)  # Thursday: Friday and Monday left → blue, one reminder to the county
    counts = _tick(django_capture_on_commit_callbacks, clock)
    assert (counts["blue"], counts["reminders"], counts["escalations"]) == (1, 1, 0)
    assert FundReturn.objects.get().color == "blue"
    assert [(m.template, m.to_phone) for m in outbox] == [("funds.return_reminder", "13811112222")]
    assert "东湖区总工会" in outbox[0].text

    assert _tick(django_capture_on_commit_callbacks, clock)["reminders"] == 0  # the same day again: nothing
    assert len(outbox) == 1

    clock.set(2026, 3, 9)  # due today: still blue, nothing new
    _tick(django_capture_on_commit_callbacks, clock)
    assert len(outbox) == 1

    clock.set(2026, 3, 10)  # overdue: red, escalated once to the city; no second reminder
    counts = _tick(django_capture_on_commit_callbacks, clock)
    assert (counts["red"], counts["reminders"], counts["escalations"]) == (1, 0, 1)
    assert FundReturn.objects.get().color == "red"
    assert [(m.template, m.to_phone) for m in outbox[1:]] == [("funds.return_escalated", "13833334444")]
    escalation = ReturnAlert.objects.get(kind="escalation")
    assert (escalation.org, escalation.color) == (cast.city, "red")

    clock.set(2026, 3, 11)
    counts = _tick(django_capture_on_commit_callbacks, clock)
    assert (counts["reminders"], counts["escalations"]) == (0, 0)
    assert len(outbox) == 2 and ReturnAlert.objects.count() == 2


def test_a_return_red_at_first_sight_is_reminded_and_escalated_once(cast, setup, outbox,
                                                                    django_capture_on_commit_callbacks):
    clock, _ret = setup
    clock.set(2026, 3, 16)
    counts = _tick(django_capture_on_commit_callbacks, clock)
    assert (counts["reminders"], counts["escalations"]) == (1, 1)
    assert sorted(m.template for m in outbox) == ["funds.return_escalated", "funds.return_reminder"]
    _tick(django_capture_on_commit_callbacks, clock)
    assert len(outbox) == 2


def test_a_paid_return_loses_its_color_and_is_not_swept(cast, setup, outbox, django_capture_on_commit_callbacks):
    clock, ret = setup
    clock.set(2026, 3, 10)
    _tick(django_capture_on_commit_callbacks, clock)
    returns.return_pay(actor=actor_for(cast.officer_a), fund_return=ret, paid_on=datetime.date(2026, 3, 10))
    ret.refresh_from_db()
    assert (ret.color, ret.late, ret.state) == ("", True, "paid")
    assert _tick(django_capture_on_commit_callbacks, clock)["checked"] == 0
    # The escalation stays on the city's list; the city supervises it.
    alert = ReturnAlert.objects.get(kind="escalation")
    returns.return_supervise(actor=actor_for(cast.city_staff), alert=alert, note="已电话督促东湖区总工会")
    alert.refresh_from_db()
    assert alert.handled_note == "已电话督促东湖区总工会" and alert.handled_by == cast.city_staff
