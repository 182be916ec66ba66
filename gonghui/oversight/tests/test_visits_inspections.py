"""Inspections: a round over units, 工作提示 and 督导反馈单 issued to units, answered by them; an overdue item rises
to the parent's supervision list once (inspections_tick) and leaves it when answered; refusals and bad input."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core import notify
from gonghui.core.access import actor_for
from gonghui.core.supervision.models import SupervisionItem
from gonghui.oversight import inspections
from gonghui.oversight.models import ItemState
from gonghui.oversight.tasks_visits import inspections_tick
from gonghui.oversight.testing_visits import open_round

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 4, 1)


@pytest.fixture
def rnd(cast):
    return open_round(cast.officer_a, "CA1\nGA")


def _issue(cast, rnd, unit, due=datetime.date(2026, 4, 10), kind="feedback"):
    return inspections.item_issue(actor_for(cast.officer_a), round=rnd, kind=kind, unit=unit,
                                  title="问题整改不到位", content="请于期限内报送整改情况", due_on=due, issued_on=TODAY)


def test_round_items_answer_and_escalation(cast, rnd, settings, django_capture_on_commit_callbacks):
    assert list(rnd.units.order_by("path")) == [cast.township_a, cast.grassroots_a]
    item = _issue(cast, rnd, cast.grassroots_a)
    prompt = _issue(cast, rnd, cast.township_a, kind="prompt", due=datetime.date(2026, 5, 30))
    assert (item.number, prompt.number) == (f"FK{rnd.pk}-001", f"TS{rnd.pk}-001")
    assert inspections.item_color(item, datetime.date(2026, 4, 9)) == "blue"
    assert inspections.item_color(item, datetime.date(2026, 4, 11)) == "red"
    # Due in two working days: the unit is reminded once (one text to its contact phone), not again the next day.
    settings.GONGHUI_NOTIFY_BACKEND = "gonghui.core.notify.LocmemBackend"
    notify.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert inspections_tick(now=datetime.datetime(2026, 4, 8, 1, tzinfo=datetime.UTC)) == {
            "raised": 0, "resolved": 0, "reminders": 1}
        assert inspections_tick(now=datetime.datetime(2026, 4, 9, 1, tzinfo=datetime.UTC))["reminders"] == 0
    assert [(m.to_phone, m.context["blue"], m.context["red"]) for m in notify.outbox] == [("13812345678", "1", "0")]
    # Overdue: it rises once to the parent of the unit holding it (the township), and the unit is told once.
    now = datetime.datetime(2026, 4, 13, 9, tzinfo=datetime.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert inspections_tick(now=now) == {"raised": 1, "resolved": 0, "reminders": 1}
        assert inspections_tick(now=now) == {"raised": 0, "resolved": 0, "reminders": 0}
    assert [(m.context["blue"], m.context["red"]) for m in notify.outbox] == [("1", "0"), ("0", "1")]
    notify.outbox.clear()
    sup = SupervisionItem.objects.get(kind="inspection", object_id=item.pk)
    assert (sup.told_org_id, sup.holder_org_id) == (cast.township_a.pk, cast.grassroots_a.pk)
    # The unit answers: the item leaves the list.
    inspections.item_answer(actor_for(cast.grassroots_officer), item=item, answer="已制定整改方案并落实")
    item.refresh_from_db()
    assert item.state == ItemState.ANSWERED
    sup.refresh_from_db()
    assert sup.resolved_at is not None
    with pytest.raises(ValidationError):
        inspections.item_answer(actor_for(cast.grassroots_officer), item=item, answer="再答")


def test_refusals_and_bad_input(cast, rnd):
    item = _issue(cast, rnd, cast.grassroots_a)
    officer_b = actor_for(cast.officer_b)
    with pytest.raises((PermissionDenied, Http404)):
        inspections.item_answer(officer_b, item=item, answer="越权")
    with pytest.raises(ValidationError):  # a unit of another county is not in the round
        _issue(cast, rnd, cast.grassroots_b)
    with pytest.raises((PermissionDenied, Http404)):  # the other county cannot issue in this round
        inspections.item_issue(officer_b, round=rnd, kind="prompt", unit=cast.grassroots_a, title="x",
                               content="y", due_on=TODAY)
    with pytest.raises(ValidationError):  # not a unit of the round
        inspections.item_issue(actor_for(cast.officer_a), round=rnd, kind="prompt", unit=cast.county_a,
                               title="x", content="y", due_on=TODAY)
    with pytest.raises(ValidationError):  # due before issued
        _issue(cast, rnd, cast.grassroots_a, due=datetime.date(2026, 3, 1))
    with pytest.raises(ValidationError):
        inspections.item_issue(actor_for(cast.officer_a), round=rnd, kind="memo", unit=cast.grassroots_a,
                               title="x", content="y", due_on=TODAY)
    with pytest.raises(ValidationError):  # a unit of another county
        open_round(cast.officer_a, "GB")
    with pytest.raises(ValidationError):  # the inspecting unit itself
        open_round(cast.officer_a, "CA")
    with pytest.raises(ValidationError):
        open_round(cast.officer_a, "GA", ended_on=datetime.date(2026, 1, 1))


def test_pages(cast, login, client, rnd):
    item = _issue(cast, rnd, cast.grassroots_a)
    office = login(cast.officer_a)
    assert rnd.title in office.get("/oversight/inspections/").content.decode()
    page = office.get(f"/oversight/inspections/{rnd.pk}/").content.decode()
    assert item.number in page and "督导反馈单" in page
    resp = office.post(f"/oversight/inspections/{rnd.pk}/issue/", {"kind": "prompt", "unit": "GA", "title": "",
                                                                  "content": "<script>x</script>",
                                                                  "due_on": "2026-04-20"})
    assert resp.status_code == 422 and "&lt;script&gt;" in resp.content.decode()
    resp = office.post(f"/oversight/inspections/{rnd.pk}/issue/", {"kind": "prompt", "unit": "GA", "title": "提示",
                                                                  "content": "落实", "due_on": "2099-04-20"})
    assert resp.status_code == 302
    # The unit sees its items, not the round page of the county; answers on the item's page.
    gro = login(cast.grassroots_officer)
    assert item.number in gro.get("/oversight/inspections/items/").content.decode()
    assert gro.get(f"/oversight/inspections/{rnd.pk}/").status_code == 404
    assert gro.post(f"/oversight/inspections/items/{item.pk}/answer/", {"answer": ""}).status_code == 422
    assert gro.post(f"/oversight/inspections/items/{item.pk}/answer/", {"answer": "已整改"}).status_code == 302
    assert "已整改" in gro.get(f"/oversight/inspections/items/{item.pk}/").content.decode()
    other = login(cast.officer_b)
    assert other.get(f"/oversight/inspections/items/{item.pk}/").status_code == 404
    assert other.get(f"/oversight/inspections/{rnd.pk}/").status_code == 404
    client.logout()
    assert client.get("/oversight/inspections/").status_code == 302
