"""A drive in a browser: a grassroots officer records the unit's donations on a phone (a reused receipt is refused
with the input kept), the drive page shows the totals; the county closes the drive and the entry button goes."""

import pytest

from gonghui.aid import drives
from gonghui.aid.models import DriveUnit
from gonghui.aid.testing_drives import make_drive
from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_unit_entry_on_a_phone_and_the_totals(page):
    cast = build_cast()
    drive = make_drive(cast)
    drives.unit_record(actor=actor_for(cast.officer_a), drive=drive, org=cast.township_a, donors=10, amount="1000",
                       receipt_no="R-1")
    log_in(page, "grassroots_a", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(page.base + f"/aid/drives/{drive.pk}/")
    page.click("#drive-unit-entry")
    page.select_option("#aid-form select[name=org]", str(cast.grassroots_a.pk))
    page.fill("#aid-form input[name=donors]", "45")
    page.fill("#aid-form input[name=amount]", "2250.50")
    page.fill("#aid-form input[name=receipt_no]", "R-1")
    page.click("#aid-form button[type=submit]")
    assert page.locator("#field-receipt_no .invalid-feedback").count() == 1
    assert page.locator("#aid-form input[name=donors]").input_value() == "45"
    assert not DriveUnit.objects.filter(org=cast.grassroots_a).exists()
    page.fill("#aid-form input[name=receipt_no]", "R-2")
    page.click("#aid-form button[type=submit]")
    page.wait_for_selector("#drive-total")
    assert page.locator("#drive-total").inner_text() == "3250.50"
    assert page.locator("#drive-donors").inner_text() == "55"
    assert page.locator("#drive-unit-table tr[data-unit=GA]").count() == 1
    assert page.locator("#drive-close").count() == 0  # the unit is not the organiser
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/aid/drives/{drive.pk}/")
    page.click("#drive-close")
    page.wait_for_selector("#drive-state[data-state=closed]")
    assert page.locator("#drive-unit-entry").count() == 0
