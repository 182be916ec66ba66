"""In a browser: the office records a visit (one bad credit code refused, input kept) and puts a problem found on
the problem list; a worker sends a tip from a phone, anonymously, reads the codes once, looks the answer up (a wrong
check first) after the office answered it."""

import pytest
from django.core.cache import cache

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.oversight import tips
from gonghui.oversight.models import FieldVisit, Problem, Tip
from gonghui.oversight.testing_visits import uscc
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_VIEWPORT = {"width": 390, "height": 844}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")


def test_the_office_records_a_visit(page):
    cast = build_cast()
    code = uscc()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/oversight/visits/")
    page.click("text=登记走访")
    page.wait_for_selector("#visit-form")
    page.fill("#id_title", "走访东湖工业园")
    page.fill("#id_started_on", "2026-05-06")
    page.fill("#id_units", f"GA\n新华科技有限公司 {code[:-1]}0")
    page.fill("#id_forums", "2")
    page.fill("#id_forum_people", "25")
    page.fill("#id_interviews", "4")
    page.fill("#id_questionnaires", "60")
    page.fill("#id_findings", "女职工休息室未建")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#field-units .invalid-feedback")
    assert "第2行" in page.locator("#field-units").inner_text()
    assert page.input_value("#id_title") == "走访东湖工业园"
    page.fill("#id_units", f"GA\n新华科技有限公司 {code}")
    page.click("#visit-form button[type=submit]")
    page.wait_for_selector("#visit-units")
    assert "未建会" in page.locator("#visit-units").inner_text()
    assert page.locator("#visit-forum-people").inner_text() == "25"
    page.select_option("#visit-findings select", "GA")
    page.click("#visit-findings button[type=submit]")
    page.wait_for_selector("#visit-findings li[data-fate=problem] a")
    p = Problem.objects.get(link_kind="oversight.visit")
    assert p.org == cast.grassroots_a and p.number in page.locator("#visit-findings").inner_text()
    assert FieldVisit.objects.get().units.count() == 2


@pytest.fixture
def phone(browser, live_server):
    cache.clear()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=3, user_agent=IPHONE)
    pg = context.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()


def _fits(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{pg.url} scrolls sideways ({width}px wide)"


def test_a_tip_from_a_phone_and_its_answer(phone):
    cast = build_cast()
    phone.goto(phone.base + "/tips/new/")
    _fits(phone)
    phone.select_option("#id_org", "CA")
    phone.fill("#id_subject", "某干部工作日午间饮酒")
    phone.fill("#id_body", "3月5日中午，在某饭店。")
    phone.fill("#id_contact_name", "刘强")
    phone.click("#tip-form button[type=submit]")  # a contact without its consent: refused, input kept
    phone.wait_for_selector("#field-consent .invalid-feedback")
    _fits(phone)
    assert phone.input_value("#id_subject") == "某干部工作日午间饮酒"
    phone.fill("#id_contact_name", "")  # anonymous after all
    phone.click("#tip-form button[type=submit]")
    phone.wait_for_selector("#tip-check")
    _fits(phone)
    code, check = phone.inner_text("#tip-code"), phone.inner_text("#tip-check")
    tip = Tip.objects.get()
    assert tip.code == code and tip.contact_name == ""
    tips.tip_answer(actor_for(cast.officer_a), tip=tip, answer="经核查属实，已责令整改。")
    phone.goto(phone.base + "/tips/track/")
    phone.fill("#id_code", code)
    phone.fill("#id_check", str((int(check) + 1) % 1000000).zfill(6))
    phone.click("#tip-track-form button[type=submit]")
    phone.wait_for_selector("#track-not-found")
    phone.fill("#id_check", check)
    phone.click("#tip-track-form button[type=submit]")
    phone.wait_for_selector("#tip-answer")
    _fits(phone)
    assert "已责令整改" in phone.inner_text("#tip-answer")
