"""A worker opens the start page on a phone and finds each service; staff find their login."""

import pytest

from gonghui.browser import log_in
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                  device_scale_factor=3)
    pg = context.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()


def _fits(pg):
    assert pg.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], f"{pg.url} scrolls sideways"


def test_the_start_page_on_a_phone(phone):
    build_cast()
    phone.goto(phone.base + "/")
    _fits(phone)
    assert phone.locator("h1").inner_text() == "职工服务"
    # Every service is a tap target at least 44px high, stacked one above the other on a narrow screen.
    boxes = [phone.locator(f"#start-services a:nth-child({i})").bounding_box() for i in range(1, 8)]
    assert all(b["height"] >= 44 for b in boxes)
    assert all(b["x"] == boxes[0]["x"] for b in boxes)
    phone.click("#start-request")
    phone.wait_for_url("**/requests/new/")
    _fits(phone)
    # The notice's "track it" is a link to the tracking page, and the header leads back to the start.
    phone.click("#request-notice a[href='/requests/track/']")
    phone.wait_for_url("**/requests/track/")
    phone.click("#public-home")
    phone.wait_for_url(phone.base + "/")
    phone.click("#start-join")
    phone.wait_for_url("**/join/")
    phone.go_back()
    phone.click("#start-staff-login")
    phone.wait_for_url("**/login/")


def test_signed_in_staff_open_the_address_and_land_on_their_workbench(page):
    build_cast()
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/")
    assert page.url.endswith("/overview/")
