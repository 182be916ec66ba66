"""The shared supervision mechanism: colors at their boundaries, escalation once to the parent, resolution, the list
scoped to the actor's subtree and kinds, the 督办 note and the thresholds (gonghui.core.supervision)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gonghui.core import supervision
from gonghui.core.access import actor_for
from gonghui.core.models import AuditEvent, SupervisionItem
from gonghui.core.supervision import registry

pytestmark = pytest.mark.django_db
MON, TUE, WED, THU, FRI = (datetime.date(2026, 3, d) for d in (2, 3, 4, 5, 6))
NEXT_MON = datetime.date(2026, 3, 9)


@pytest.fixture
def probe():
    """A second kind seen only with oversight.review (federation staff), like an oversight kind."""
    registry.register_kind("probe", label="整改措施", perm="oversight.review", write_perm="oversight.write",
                           settings_perm="oversight.settings", blue_within=3, remind_before=3,
                           url_name="orgs:dashboard_home")
    yield "probe"
    registry._KINDS.pop("probe", None)


def test_colors_at_their_boundaries():
    c = supervision.color_for
    assert c(due_on=FRI, today=MON, stalled=False, blue_within=3) == ""  # 4 working days left
    assert c(due_on=FRI, today=TUE, stalled=False, blue_within=3) == "blue"  # 3 left: within
    assert c(due_on=FRI, today=FRI, stalled=False, blue_within=0) == "blue"  # due today
    assert c(due_on=NEXT_MON, today=FRI, stalled=False, blue_within=0) == ""  # the weekend does not count
    assert c(due_on=NEXT_MON, today=FRI, stalled=False, blue_within=1) == "blue"
    assert c(due_on=FRI, today=MON, stalled=True, blue_within=3) == "yellow"
    assert c(due_on=FRI, today=NEXT_MON, stalled=True, blue_within=3) == "red"  # red wins
    assert c(due_on=FRI, today=datetime.date(2026, 3, 7), stalled=False, blue_within=3) == "red"  # Saturday after
    assert c(due_on=None, today=FRI, stalled=False, blue_within=3) == ""
    r = supervision.reminder_due
    assert (r(due_on=FRI, today=MON, remind_before=3), r(due_on=FRI, today=TUE, remind_before=3),
            r(due_on=FRI, today=NEXT_MON, remind_before=3)) == ("", "before", "overdue")


def test_thresholds_default_then_set(cast, probe):
    assert supervision.thresholds("probe") == (3, 3)
    assert supervision.thresholds("case") == (2, 2)
    staff = actor_for(cast.city_staff)
    assert supervision.settings_update(staff, kind="probe", blue_within="5", remind_before=4) == (5, 4)
    assert supervision.thresholds("probe") == (5, 4)
    event = AuditEvent.objects.filter(action="supervision.settings").get()
    assert event.object_id == "probe" and event.details["before"] == "3/3"
    with pytest.raises(ValidationError) as exc:
        supervision.settings_update(staff, kind="probe", blue_within="x", remind_before=99)
    assert set(exc.value.message_dict) == {"blue_within", "remind_before"}
    assert supervision.thresholds("probe") == (5, 4)
    with pytest.raises(PermissionDenied):  # the case thresholds go with the time-limit policy (system admin)
        supervision.settings_update(staff, kind="case", blue_within=1, remind_before=1)
    with pytest.raises(PermissionDenied):
        supervision.settings_update(actor_for(cast.grassroots_officer), kind="probe",
                                    blue_within=1, remind_before=1)
    with pytest.raises(Http404):
        supervision.settings_update(staff, kind="nope", blue_within=1, remind_before=1)
    supervision.settings_update(actor_for(cast.system_admin), kind="case", blue_within=1, remind_before=0)
    assert supervision.thresholds("case") == (1, 0)


def test_raised_once_to_the_parent_and_resolved(cast, probe):
    item, created = supervision.raise_item(kind="probe", object_id=7, key="due:2026-03-06", title="整改措施一",
                                           holder_org=cast.grassroots_a, due_on=FRI, url="/x/")
    assert created and item.told_org == cast.township_a and item.told_path == cast.township_a.path
    again, created = supervision.raise_item(kind="probe", object_id=7, key="due:2026-03-06", title="又一次",
                                            holder_org=cast.grassroots_a, due_on=FRI, url="/x/")
    assert not created and again.pk == item.pk and SupervisionItem.objects.count() == 1
    root, _ = supervision.raise_item(kind="probe", object_id=8, key="due:2026-03-06", title="市总自己的",
                                     holder_org=cast.city, due_on=FRI, url="")
    assert root.told_org == cast.city  # a root supervises itself
    # A batch: the one raised before is not raised again.
    made = supervision.raise_many(kind="probe", rows=[
        supervision.Raise(7, "due:2026-03-06", cast.grassroots_a.pk, cast.grassroots_a.path, FRI),
        supervision.Raise(9, "due:2026-03-06", cast.county_b.pk, cast.county_b.path, FRI)],
        describe=lambda ids: {i: (f"措施{i}", f"/m/{i}/") for i in ids})
    assert [(i.object_id, i.told_org_id, i.title) for i in made] == [(9, cast.city.pk, "措施9")]
    assert supervision.open_object_ids(kind="probe") == {7, 8, 9}
    assert supervision.resolve_items(kind="probe", object_ids=[7, 9]) == 2
    assert supervision.resolve_items(kind="probe", object_ids=[7]) == 0
    assert supervision.open_object_ids(kind="probe") == {8}
    # A new deadline missed is a new item.
    _, created = supervision.raise_item(kind="probe", object_id=7, key="due:2026-03-20", title="整改措施一",
                                        holder_org=cast.grassroots_a, due_on=FRI, url="/x/")
    assert created
    with pytest.raises(LookupError):
        supervision.raise_item(kind="nope", object_id=1, key="k", title="t", holder_org=cast.city, due_on=FRI, url="")


@pytest.mark.parametrize("bulk_min", [0, 10_000])
def test_raise_many_both_paths_give_the_same_items(cast, probe, monkeypatch, bulk_min):
    """The set-based path (PostgreSQL, from ``BULK_MIN`` rows) and the chunked one: same items, each key once, the
    ones raised before left alone, only the new ones named by ``describe``."""
    from gonghui.core.supervision import services

    monkeypatch.setattr(services, "BULK_MIN", bulk_min)
    supervision.raise_item(kind="probe", object_id=1, key="due:2026-03-06", title="旧的", holder_org=cast.grassroots_a,
                           due_on=FRI, url="/old/")
    asked = []

    def describe(ids):
        asked.append(set(ids))
        return {i: (f"措施{i}", f"/m/{i}/") for i in ids}

    R = supervision.Raise
    made = supervision.raise_many(kind="probe", now=supervision.services.timezone.now(), describe=describe, rows=[
        R(1, "due:2026-03-06", cast.grassroots_a.pk, cast.grassroots_a.path, FRI),  # raised before
        R(1, "due:2026-03-20", cast.grassroots_a.pk, cast.grassroots_a.path, FRI),  # same object, a new deadline
        R(2, "due:2026-03-06", cast.county_b.pk, cast.county_b.path, FRI),
        R(2, "due:2026-03-06", cast.county_b.pk, cast.county_b.path, FRI),  # twice in the batch: once
        R(3, "due:2026-03-06", cast.city.pk, cast.city.path, None, title="自带标题", url="/own/")])
    assert asked == [{1, 2, 3}]
    got = sorted((i.object_id, i.key, i.told_org_id, i.told_path, i.title, i.url, i.due_on) for i in made)
    assert got == [(1, "due:2026-03-20", cast.township_a.pk, cast.township_a.path, "措施1", "/m/1/", FRI),
                   (2, "due:2026-03-06", cast.city.pk, cast.city.path, "措施2", "/m/2/", FRI),
                   (3, "due:2026-03-06", cast.city.pk, cast.city.path, "措施3", "/m/3/", None)]
    assert all(i.pk for i in made)
    stored = sorted(SupervisionItem.objects.filter(kind="probe").values_list("object_id", "key", "title",
                                                                             "handled_note", "resolved_at"))
    assert stored == [(1, "due:2026-03-06", "旧的", "", None), (1, "due:2026-03-20", "措施1", "", None),
                      (2, "due:2026-03-06", "措施2", "", None), (3, "due:2026-03-06", "措施3", "", None)]
    again = supervision.raise_many(kind="probe", describe=describe, rows=[
        R(2, "due:2026-03-06", cast.county_b.pk, cast.county_b.path, FRI)])
    assert again == [] and len(asked) == 1  # nothing new: describe is not asked


def test_the_list_is_scoped_by_subtree_and_kind(cast, probe):
    a, _ = supervision.raise_item(kind="probe", object_id=1, key="k", title="东湖的", holder_org=cast.grassroots_a,
                                  due_on=FRI, url="")
    b, _ = supervision.raise_item(kind="case", object_id=2, key="k", title="西山的", holder_org=cast.grassroots_b,
                                  due_on=FRI, url="")

    def seen(user, **kw):
        return {i.title for i in supervision.supervision_list(actor_for(user), **kw)}

    assert seen(cast.city_staff) == {"东湖的", "西山的"}
    assert seen(cast.city_staff, kind="case") == {"西山的"}
    assert seen(cast.officer_a) == {"东湖的"}  # told to 城关街道, inside county A
    assert seen(cast.officer_b) == {"西山的"}  # county B is told of its own grassroots union only
    assert seen(cast.grassroots_officer) == set()  # the supervised unit does not see its own escalation
    assert seen(cast.auditor_a) == set()  # the auditor sees requests but not this kind; nothing of county A's
    assert seen(cast.system_admin) == set()
    with pytest.raises(Http404):
        supervision.supervision_get(actor_for(cast.officer_b), pk=a.pk)
    with pytest.raises(Http404):
        supervision.supervision_get(actor_for(cast.officer_a), pk="x")
    assert supervision.supervision_get(actor_for(cast.officer_b), pk=b.pk) == b


def test_the_supervision_note(cast, probe):
    item, _ = supervision.raise_item(kind="probe", object_id=1, key="k", title="东湖的", holder_org=cast.grassroots_a,
                                     due_on=FRI, url="")
    officer = actor_for(cast.officer_a)
    with pytest.raises(ValidationError):
        supervision.item_handle(officer, item=item, note="   ")
    with pytest.raises(ValidationError):
        supervision.item_handle(officer, item=item, note="长" * 501)
    with pytest.raises(Http404):
        supervision.item_handle(actor_for(cast.officer_b), item=item, note="督办")
    with pytest.raises(PermissionDenied):
        supervision.item_handle(actor_for(cast.auditor_a), item=item, note="督办")
    supervision.item_handle(officer, item=item, note="  已约谈  责任人 ")
    item.refresh_from_db()
    assert (item.handled_note, item.handled_by) == ("已约谈 责任人", cast.officer_a)
    event = AuditEvent.objects.get(action="supervision.handle")
    assert event.object_id == str(item.pk) and event.details == {"kind": "probe"}
    with pytest.raises(ValidationError):
        supervision.item_handle(officer, item=item, note="再督办")
    assert [i.pk for i in supervision.supervision_list(officer, handled=True)] == [item.pk]
    assert list(supervision.supervision_list(officer, handled=False)) == []


def test_paths_follow_a_moved_subtree(cast, probe):
    from gonghui.orgs.services import org_move

    item, _ = supervision.raise_item(kind="probe", object_id=1, key="k", title="东湖的", holder_org=cast.grassroots_a,
                                     due_on=FRI, url="")
    org_move(actor=actor_for(cast.city_staff), org=cast.township_a, new_parent=cast.county_b)
    item.refresh_from_db()
    cast.township_a.refresh_from_db()
    cast.grassroots_a.refresh_from_db()
    assert (item.told_path, item.holder_path) == (cast.township_a.path, cast.grassroots_a.path)
    assert {i.pk for i in supervision.supervision_list(actor_for(cast.officer_b))} == {item.pk}


# The screens

def test_the_list_page_its_export_and_who_opens_it(cast, probe, login):
    from django.urls import reverse

    supervision.raise_item(kind="probe", object_id=1, key="k", title="东湖的措施", holder_org=cast.grassroots_a,
                           due_on=FRI, url="/x/")
    supervision.raise_item(kind="case", object_id=2, key="k", title="西山的诉求", holder_org=cast.grassroots_b,
                           due_on=FRI, url="")
    url = reverse("supervision:list")
    staff = login(cast.city_staff)
    html = staff.get(url).content.decode()
    assert "东湖的措施" in html and "西山的诉求" in html
    only = staff.get(url, {"kind": "probe"}).content.decode()
    assert "东湖的措施" in only and "西山的诉求" not in only
    assert "西山的诉求" in staff.get(url, {"kind": "bogus", "show": "bogus"}).content.decode()  # ignored: all
    r = staff.get(url, {"kind": "case", "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", object_type="supervision_item").exists()
    # The grassroots officer sees requests but not this kind, and nothing was told to his union.
    assert "东湖的" not in login(cast.grassroots_officer).get(url).content.decode()
    assert "东湖的" not in login(cast.officer_b).get(url).content.decode()
    assert login(cast.system_admin).get(url).status_code == 403
    # A note on an item of another county is a 404; a note by an auditor a 403; a bad id a 404.
    item = SupervisionItem.objects.get(kind="probe")
    handle = reverse("supervision:handle")
    assert login(cast.officer_b).post(handle, {"item": item.pk, "note": "督办"}).status_code == 404
    assert login(cast.auditor_a).post(handle, {"item": item.pk, "note": "督办"}).status_code == 403
    staff = login(cast.city_staff)  # one client: each login() signs it in as someone else
    assert staff.post(handle, {"item": 999999, "note": "督办"}).status_code == 404
    assert staff.post(handle, {"item": "x", "note": "督办"}).status_code == 422
    r = staff.post(handle, {"item": item.pk, "note": "长" * 501, "back": "?kind=probe"})
    assert r.status_code == 422 and "长" * 501 in r.content.decode()  # the input is kept
    assert staff.post(handle, {"item": item.pk, "note": "已发督办函"}).status_code == 302


def test_the_thresholds_page(cast, probe, login):
    from django.urls import reverse

    url = reverse("supervision:thresholds")
    staff = login(cast.city_staff)  # oversight.settings: the probe kind only
    html = staff.get(url).content.decode()
    assert 'name="blue-probe"' in html and 'name="blue-case"' not in html
    r = staff.post(url, {"blue-probe": "-1", "remind-probe": "2"})
    assert r.status_code == 422 and supervision.thresholds("probe") == (3, 3)
    assert staff.post(url, {"blue-probe": "4", "remind-probe": "2"}).status_code == 302
    assert supervision.thresholds("probe") == (4, 2)
    admin = login(cast.system_admin)  # case.policy: the case kind only (the same client, signed in again)
    assert 'name="blue-case"' in admin.get(url).content.decode()
    assert login(cast.grassroots_officer).get(url).status_code == 403
    assert login(cast.auditor_a).get(url).status_code == 403
