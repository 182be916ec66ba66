"""A worker on a phone: files a request, tracks it, sees the missing papers, rates the reply."""

import pytest
from django.core.cache import cache

from gonghui.casework import services
from gonghui.casework.models import Case, State
from gonghui.casework.testing import log_case
from gonghui.core.access import actor_for
from gonghui.testing import build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _policy_table():
    """A transactional test starts from an emptied database: put the default time limits back."""
    from gonghui.casework.policies import policy_seed_defaults

    policy_seed_defaults()

PHONE_VIEWPORT = {"width": 390, "height": 844}
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")


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


def assert_fits_the_screen(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{pg.url} scrolls sideways ({width}px wide)"


def track(pg, code: str, last4: str) -> None:
    pg.goto(pg.base + "/requests/track/?forget=1")
    pg.fill("#id_code", code)
    pg.fill("#id_last4", last4)
    pg.click("#track-form button[type=submit]")
    pg.wait_for_load_state()
    assert_fits_the_screen(pg)


def test_a_web_request_filed_from_a_phone(phone):
    cast = build_cast()
    phone.goto(phone.base + "/requests/new/")
    assert_fits_the_screen(phone)
    phone.select_option("#id_org", "CA")
    phone.select_option("#id_topic", "wages")
    phone.fill("#id_subject", "工地欠薪两个月")
    phone.fill("#id_description", "东湖建筑公司拖欠我们班组两个月工资，请工会帮助协调。")
    phone.fill("#id_worker_name", "刘强")
    phone.fill("#id_phone", "13912345678")
    phone.click("#request-form button[type=submit]")  # without the consent: refused, values kept
    phone.wait_for_selector("#field-consent .invalid-feedback")
    assert Case.objects.count() == 0 and phone.input_value("#id_worker_name") == "刘强"
    assert_fits_the_screen(phone)
    phone.check("#id_consent")
    phone.click("#request-form button[type=submit]")
    phone.wait_for_selector("#request-code")
    assert_fits_the_screen(phone)
    code = phone.locator("#request-code").inner_text().strip()
    case = Case.objects.get()
    assert (case.code, case.channel, case.holder_org) == (code, "mobile", cast.county_a)
    assert "13912345678" not in phone.url
    track(phone, code, "0000")
    assert phone.locator("#track-not-found").count() == 1
    track(phone, code, "5678")
    assert phone.locator("#request-status").get_attribute("data-status") == "received"
    assert phone.locator("#request-timeline li[data-action=received]").count() == 1


def test_the_worker_sees_the_missing_papers_and_rates_the_reply(phone):
    cast = build_cast()
    case = log_case(cast.officer_a, phone="13912345678")
    officer = actor_for(cast.officer_a)
    services.case_pause(actor=officer, case=case, missing=["工资条", "劳动合同"])
    track(phone, case.code, "5678")
    assert phone.locator("#request-status").get_attribute("data-status") == "papers"
    assert phone.locator("#request-missing li").all_inner_texts() == ["工资条", "劳动合同"]
    services.case_resume(actor=officer, case=case)
    services.case_reply(actor=officer, case=case, reply="企业已承诺本月底前补发工资。")
    phone.goto(phone.base + "/requests/track/")  # remembered in this browser
    assert "企业已承诺本月底前补发工资。" in phone.locator("#request-reply").inner_text()
    phone.click("#rate-form button[type=submit]")  # no choice made: refused
    phone.wait_for_selector("#rate-form .invalid-feedback")
    phone.click("label[for=id_satisfaction_1]")  # 基本满意
    phone.fill("#id_comment", "谢谢工会")
    phone.click("#rate-form button[type=submit]")
    phone.wait_for_selector("#request-rated")
    assert_fits_the_screen(phone)
    case.refresh_from_db()
    assert (case.state, case.satisfaction, case.rated_via, case.rating_comment) == (
        State.FOLLOWED_UP, "basic", "worker", "谢谢工会")
    assert phone.locator("#rate-form").count() == 0
