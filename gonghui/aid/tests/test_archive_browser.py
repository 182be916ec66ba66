"""The archive in a browser: the grassroots officer files a household from the new form (a refusal keeps the
input), the county approves it, the public board shows the masked notice without income."""

import pytest

from gonghui.aid.models import Household
from gonghui.aid.testing_archive import attach_evidence, id_number, standard
from gonghui.browser import log_in
from gonghui.casework.testing import monday_2_march_2026
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_review_and_public_notice(page, monkeypatch):
    monday_2_march_2026(monkeypatch)
    cast = build_cast()
    standard(cast.city, 2026)
    log_in(page, "grassroots_a", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(page.base + "/aid/archive/new/")
    page.fill("#household-form input[name=name]", "冯小兰")
    page.fill("#household-form input[name=id_number]", id_number()[:-1] + "Y")
    page.fill("#household-form input[name=worker_income]", "654.32")
    page.check("#household-form input[name=causes][value=illness]")
    page.click("#household-save")
    assert page.locator("#field-id_number .invalid-feedback").count() == 1
    assert page.locator("#household-form input[name=name]").input_value() == "冯小兰"
    page.fill("#household-form input[name=id_number]", id_number())
    page.click("#household-save")
    page.wait_for_selector("#household-category[data-category=deep]")
    h = Household.objects.get()
    attach_evidence(cast.grassroots_officer, h)
    page.reload()
    page.click("#household-apply")
    page.wait_for_selector("#household-state[data-state=applied]")
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/aid/archive/{h.pk}/review/")
    page.check("#review-form input[name=decision][value=approve]")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#household-state[data-state=notice]")
    page.goto(page.base + "/disclosure/GA/")
    board = page.locator("#board-publications").inner_text()
    assert "冯*兰" in board and "冯小兰" not in board and "654" not in board
