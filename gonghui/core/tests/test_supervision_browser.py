"""The shared supervision list in a browser: a red request and a red item of another kind on one list, filtered
by kind, one supervised with a note; the thresholds screen refuses a bad value and keeps the input."""

import datetime

import pytest
from django.utils import timezone

from gonghui.browser import log_in
from gonghui.casework.tasks import casework_tick
from gonghui.casework.testing import log_case
from gonghui.core import supervision
from gonghui.core.models import SupervisionItem
from gonghui.core.supervision import registry
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def measure_kind():
    registry.register_kind("probe", label="整改措施", perm="oversight.view", write_perm="oversight.write",
                           settings_perm="case.policy", blue_within=3, remind_before=3,
                           url_name="orgs:dashboard_home")
    yield "probe"
    registry._KINDS.pop("probe", None)


def test_one_list_for_every_kind(page, measure_kind):
    from gonghui.casework.policies import policy_seed_defaults

    policy_seed_defaults()
    cast = build_cast()
    case = log_case(cast.officer_a, topic="union_founding", received_on=timezone.localdate() - datetime.timedelta(20))
    casework_tick()
    supervision.raise_item(kind="probe", object_id=41, key="due:2026-03-06", title="食堂账目整改（措施一）",
                           holder_org=cast.county_b, due_on=datetime.date(2026, 3, 6), url="/dashboard/")

    log_in(page, "city_staff", PASSWORD)
    page.click("#menu >> text=督办清单")
    page.wait_for_selector("#supervision-list")
    rows = page.locator("#supervision-list tbody tr")
    assert rows.count() == 2
    text = page.locator("#supervision-list").inner_text()
    assert case.code in text and "食堂账目整改（措施一）" in text and "西山县总工会" in text
    page.click("#supervision-kinds >> text=整改措施")
    page.wait_for_selector("#supervision-list")
    assert page.locator("#supervision-list tbody tr").count() == 1
    row = page.locator("#supervision-list tr[data-kind=probe]")
    row.locator("button[type=submit]").click()  # no note: refused, the page says why
    page.wait_for_selector("#supervision-list .invalid-feedback")
    assert "此项为必填项" in page.locator("#supervision-list").inner_text()
    assert page.locator("#supervision-list tbody tr").count() == 1  # still the list it was written on
    row = page.locator("#supervision-list tr[data-kind=probe]")
    row.locator("input[name=note]").fill("已发督办函")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".alert-success")
    assert SupervisionItem.objects.get(kind="probe").handled_note == "已发督办函"
    page.click("#supervision-tabs >> text=已督办")
    page.wait_for_selector("#supervision-list")
    assert "已发督办函" in page.locator("#supervision-list").inner_text()

    # County A's officer: the list of its subtree has neither (both were told to the city).
    page.click("form[action='/logout/'] button")
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/supervision/?show=handled")
    assert page.locator("#supervision-list tbody tr[data-item]").count() == 0


def test_the_thresholds_screen(page, measure_kind):
    build_cast()
    log_in(page, "sysadmin", PASSWORD)
    page.goto(page.base + "/supervision/thresholds/")
    page.fill("input[name=blue-probe]", "99")
    page.click("#threshold-table button[type=submit]")
    page.wait_for_selector("#threshold-table .invalid-feedback")
    assert page.input_value("input[name=blue-probe]") == "99"
    assert supervision.thresholds("probe") == (3, 3)
    page.fill("input[name=blue-probe]", "5")
    page.fill("input[name=remind-case]", "3")
    page.click("#threshold-table button[type=submit]")
    page.wait_for_selector(".alert-success")
    assert (supervision.thresholds("probe"), supervision.thresholds("case")) == ((5, 3), (2, 3))
