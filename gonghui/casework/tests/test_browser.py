"""The back office in a browser: the front desk, dispatch and return, missing papers, red and escalated."""

import datetime

import pytest
from django.utils import timezone

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.core.models import Role, SupervisionItem
from gonghui.core.workdays import workdays_between
from gonghui.testing import PASSWORD, _user, build_cast

from .. import services
from ..models import Case, CasePause, State
from ..tasks import casework_tick
from ..testing import log_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _policy_table():
    """A transactional test starts from an emptied database: put the default time limits back."""
    from gonghui.casework.policies import policy_seed_defaults

    policy_seed_defaults()


def open_case(page, case):
    page.goto(page.base + f"/cases/{case.code}/")
    page.wait_for_selector("#case-record")


def test_a_visit_logged_at_the_front_desk(page):
    cast = build_cast()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/cases/new/")
    page.click("label[for=id_channel_0]")  # 来访
    page.fill("#id_people", "6")
    page.fill("#id_worker_name", "赵建国")
    page.fill("#id_phone", "13600001111")
    page.select_option("#id_category", "solution")
    page.select_option("#id_topic", "wages")
    page.fill("#id_subject", "六名工人反映欠薪")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#case-record")
    case = Case.objects.get()
    assert page.locator("#case-code").inner_text() == case.code
    assert (case.channel, case.people, case.is_collective, case.owner) == ("visit", 6, True, cast.officer_a)
    assert "136****1111" in page.content() and "13600001111" not in page.content()
    assert page.locator("#case-timeline li[data-action=received]").count() == 1
    # The inbox lists it on the "to accept" tab with its count.
    page.goto(page.base + "/cases/?tab=accept")
    assert page.locator(f"#case-list tr[data-case='{case.code}']").count() == 1
    assert page.locator("#case-tabs a[data-tab=accept] .badge").inner_text() == "1"


def test_a_case_dispatched_to_a_township_and_returned(page):
    cast = build_cast()
    _user("township_a", "街道干部", Role.FEDERATION_STAFF, cast.township_a)
    case = log_case(cast.officer_a)
    log_in(page, "officer_a", PASSWORD)
    open_case(page, case)
    page.fill("#action-dispatch input[name=to_q]", "CA1")  # the union picker takes an exact code as typed
    page.fill("#action-dispatch textarea[name=note]", "请街道核实")
    page.click("#action-dispatch button[type=submit]")
    page.wait_for_selector("#case-state[data-state=dispatched]")
    assert page.locator("#action-accept").count() == 0
    page.click("form[action='/logout/'] button")

    log_in(page, "township_a", PASSWORD)
    page.goto(page.base + "/cases/?tab=accept")
    page.click(f"#case-list tr[data-case='{case.code}'] a")
    page.wait_for_selector("#action-return")
    page.once("dialog", lambda d: d.accept())
    page.click("#action-return button[type=submit]")  # without a reason: refused, nothing changes
    page.wait_for_selector("#action-return .invalid-feedback")
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED
    page.fill("#action-return textarea[name=reason]", "该企业不在本街道辖区")
    page.once("dialog", lambda d: d.accept())
    page.click("#action-return button[type=submit]")
    page.wait_for_load_state()
    case.refresh_from_db()
    assert (case.state, case.holder_org, case.owner) == (State.RETURNED, cast.county_a, cast.officer_a)
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    open_case(page, case)
    assert page.locator("#case-state").get_attribute("data-state") == "returned"
    assert "该企业不在本街道辖区" in page.locator("#case-timeline li[data-action=returned]").inner_text()


def test_a_case_paused_for_missing_papers_and_resumed(page):
    cast = build_cast()
    case = log_case(cast.officer_a, topic="legal_person")
    log_in(page, "officer_a", PASSWORD)
    open_case(page, case)
    page.click("#action-pause summary")
    page.fill("#action-pause textarea[name=missing]", "工会成立大会决议\n法定代表人身份证复印件")
    page.click("#action-pause button[type=submit]")
    page.wait_for_selector("#action-resume")
    assert page.locator("[data-paused='1']").count() >= 1
    assert "法定代表人身份证复印件" in page.content()
    # The papers arrive a week later.
    started = timezone.localdate() - datetime.timedelta(days=7)
    paused = workdays_between(started, timezone.localdate())
    CasePause.objects.filter(case=case).update(started_on=started)
    page.click("#action-resume button[type=submit]")
    page.wait_for_selector("#action-pause")
    case.refresh_from_db()
    assert case.paused_since is None and case.paused_days == paused > 0
    assert page.locator("#case-due").get_attribute("data-due") == case.due_on.isoformat()
    assert page.locator("#case-timeline li[data-action=resumed]").count() == 1


def test_a_case_going_red_and_escalating(page):
    cast = build_cast()
    case = log_case(cast.officer_a, topic="union_founding", received_on=timezone.localdate() - datetime.timedelta(20))
    services.case_accept(actor=actor_for(cast.officer_a), case=case)
    casework_tick()
    assert SupervisionItem.objects.filter(kind="case", object_id=case.pk, told_org=cast.city).exists()

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/cases/?tab=overdue")
    row = page.locator(f"#case-list tr[data-case='{case.code}']")
    assert row.locator("[data-color=red]").count() == 1
    page.click("form[action='/logout/'] button")

    log_in(page, "city_staff", PASSWORD)
    page.goto(page.base + "/cases/supervision/")  # the old address: the shared list
    row = page.locator(f"#supervision-list tr[data-kind=case][data-object='{case.pk}']")
    row.locator("input[name=note]").fill("已电话督办，要求三日内答复")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert SupervisionItem.objects.get(kind="case").handled_note == "已电话督办，要求三日内答复"
    page.goto(page.base + "/supervision/?show=handled")
    assert "已电话督办" in page.locator("#supervision-list").inner_text()
    open_case(page, case)
    assert page.locator("#case-alerts li[data-alert=escalation]").count() == 1
