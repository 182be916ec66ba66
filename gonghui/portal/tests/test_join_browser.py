import pytest
from django.core.cache import cache

from gonghui.browser import log_in
from gonghui.core.identity import id_check_char
from gonghui.members.models import JoinApplication, Membership
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page (iPhone 12-14 class viewport, touch, zh-CN)."""
    cache.clear()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=3)
    pg = context.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()


def assert_fits_the_screen(pg):
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_VIEWPORT["width"], f"{pg.url} scrolls sideways ({width}px wide)"


def check_status(pg, code: str, last4: str) -> str:
    pg.goto(pg.base + "/join/status/")
    assert_fits_the_screen(pg)
    pg.fill("#id_code", code)
    pg.fill("#id_last4", last4)
    pg.click("#status-form button[type=submit]")
    pg.wait_for_load_state()
    assert_fits_the_screen(pg)
    return pg.locator("#application-status [data-status]").get_attribute("data-status")


def test_a_worker_applies_on_a_phone_and_the_union_approves(phone, page):
    build_cast()
    first17 = "33010219950612002"
    id_number = first17 + id_check_char(first17)

    # The worker finds the union by name.
    phone.goto(phone.base + "/join/")
    assert_fits_the_screen(phone)
    phone.fill("#id_q", "机械")
    phone.click("#union-search button[type=submit]")
    phone.click("#union-results a:text('东湖机械厂工会')")
    phone.wait_for_selector("#join-form")
    assert phone.url.endswith("/join/GA/")
    assert_fits_the_screen(phone)

    # Without the separate consent the application does not go through.
    phone.fill("#id_name", "陈静")
    phone.fill("#id_id_number", id_number)
    phone.fill("#id_phone", "13611112222")
    phone.fill("#id_job_title", "质检员")
    phone.check("#id_is_migrant_worker")
    phone.check("#id_agree_join")
    phone.click("#join-form button[type=submit]")
    phone.wait_for_selector("#field-consent_sensitive .invalid-feedback")
    assert JoinApplication.objects.count() == 0
    assert_fits_the_screen(phone)
    # The typed values are kept; the worker ticks the consent and submits again.
    assert phone.input_value("#id_name") == "陈静"
    phone.check("#id_consent_sensitive")
    phone.click("#join-form button[type=submit]")
    phone.wait_for_selector("#application-code")
    assert "/join/done/" in phone.url and id_number not in phone.url
    assert_fits_the_screen(phone)
    code = phone.locator("#application-code").inner_text().strip()
    assert JoinApplication.objects.get().code == code

    # Status: wrong digits tell nothing, the right ones show it pending.
    phone.goto(phone.base + "/join/status/")
    phone.fill("#id_code", code)
    phone.fill("#id_last4", "0000")
    phone.click("#status-form button[type=submit]")
    phone.wait_for_selector("#status-not-found")
    assert phone.locator("#application-status").count() == 0
    assert check_status(phone, code.lower(), "2222") == "pending"

    # The union officer approves in the back office.
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/members/applications/")
    assert "/join/GA/" in page.locator("#join-link-url").inner_text()
    page.click(f"a:text('{code}')")
    page.wait_for_selector("#application-record")
    assert page.locator("#application-id").inner_text() == id_number[:3] + "*" * 11 + id_number[-4:]
    assert page.locator("#application-phone").inner_text() == "136****2222"
    page.click("#approve-form button[type=submit]")
    page.wait_for_selector("#membership-link")
    assert page.locator("#application-status").get_attribute("data-status") == "approved"
    m = Membership.objects.select_related("person").get()
    assert (m.source, m.union.code, m.person.name, m.is_migrant_worker) == ("online", "GA", "陈静", True)

    # The worker sees the decision.
    assert check_status(phone, code, "2222") == "approved"


def test_a_rejection_reason_reaches_the_worker_on_a_phone(phone, page):
    build_cast()
    first17 = "33010219870203004"
    phone.goto(phone.base + "/join/GA-B/")
    phone.fill("#id_name", "刘洋")
    phone.fill("#id_id_number", first17 + id_check_char(first17))
    phone.fill("#id_phone", "13733334444")
    phone.check("#id_agree_join")
    phone.check("#id_consent_sensitive")
    phone.click("#join-form button[type=submit]")
    code = phone.locator("#application-code").inner_text().strip()

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/members/applications/{code}/")
    page.fill("#id_reason", "请先与车间签订劳动合同")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#reject-form button[type=submit]")
    page.wait_for_selector("#application-status[data-status='rejected']")

    assert check_status(phone, code, "4444") == "rejected"
    assert phone.locator("#reject-reason").inner_text() == "请先与车间签订劳动合同"
