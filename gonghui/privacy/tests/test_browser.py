"""On a phone: a worker whose application was rejected sees what is held, asks for deletion; the union officer
decides on their screen; the worker sees the outcome with the same three entries."""

import pytest
from django.core.cache import cache

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.members import applications, services
from gonghui.members.models import JoinApplication
from gonghui.privacy.anonymise import ANON
from gonghui.testing import PASSWORD, build_cast

from .conftest import rid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_VIEWPORT = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    cache.clear()
    context = browser.new_context(viewport=PHONE_VIEWPORT, locale="zh-CN", is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10000)
    pg.base = live_server.url
    yield pg
    context.close()


def _sign_in(pg, id_number, mobile, code):
    pg.goto(pg.base + "/privacy/")
    pg.fill("#id_id_number", id_number)
    pg.fill("#id_phone", mobile)
    pg.fill("#id_code", code)
    pg.check("#id_consent")
    pg.click("#privacy-sign-in button[type=submit]")
    pg.wait_for_load_state()


def test_a_worker_sees_asks_and_gets_the_outcome(phone, page):
    cast = build_cast()
    officer = actor_for(cast.grassroots_officer)
    number, mobile = rid("33010219960606006"), "13944445555"
    person = services.person_clean(id_number=number, name="周杰", phone=mobile, phone_required=True)
    application = applications.application_submit(
        union=cast.grassroots_a, data={**person, "birth_date": None}, consent_version="2026-11", ip=None)
    applications.application_reject(actor=officer, application=application, reason="非本厂职工")

    _sign_in(phone, number, mobile, "WRONGCODE9")
    assert phone.locator("#privacy-sign-in .alert-danger").count() == 1
    _sign_in(phone, number, mobile, application.code)
    phone.wait_for_selector("#privacy-mine")
    assert "周杰" in phone.locator("#privacy-applications").inner_text()
    assert number not in phone.content() and mobile not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_VIEWPORT["width"]
    with phone.expect_download() as download:
        phone.click("#privacy-export-json")
    assert number in open(download.value.path(), encoding="utf-8").read()
    phone.once("dialog", lambda d: d.accept())
    phone.click("#privacy-delete button[type=submit]")
    phone.wait_for_selector("#privacy-requests")
    code = phone.locator("#privacy-requests [data-request]").get_attribute("data-request")

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/privacy/requests/")
    page.click(f"text={code}")
    assert "入会申请" in page.locator("#request-items").inner_text()
    page.check("#decide-form input[value=anonymise]")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("#request-status[data-status=done]")
    assert JoinApplication.objects.get(pk=application.pk).name == ANON

    _sign_in(phone, number, mobile, application.code)
    phone.wait_for_selector("#privacy-nothing")
    assert "已匿名化" in phone.locator(f"[data-request={code}]").inner_text()
