"""Issue 10 §5 in a browser: county B's officer types a county A member's ID number on the new-transfer page and
sees only that an active member was found and the request sent; her name appears once the origin releases."""

import datetime

import pytest

from gonghui.browser import log_in, pick_union
from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.members import transfers
from gonghui.members.models import Transfer
from gonghui.members.services import member_add
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST17 = "33010219880808145"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)


def test_destination_types_an_id_number_and_learns_no_one(page):
    cast = build_cast()
    member_add(actor=actor_for(cast.officer_a), union=cast.grassroots_a, joined_on=datetime.date(2019, 9, 1),
               person={"id_number": ID_NUMBER, "name": "林小红", "phone": "13700004321"})
    log_in(page, "officer_b", PASSWORD)
    page.goto(page.base + "/members/transfers/new/")
    pick_union(page, "id_union", "GB")
    page.fill("#id_id_number", ID_NUMBER)
    page.click("#transfer-form button[type=submit]")
    page.wait_for_selector("#transfer-person-withheld")
    body = page.content()
    assert "林小红" not in body and ID_NUMBER[-4:] not in body and "东湖机械厂工会" not in body
    page.goto(page.base + "/members/transfers/")
    assert "林小红" not in page.locator("#transfer-list").inner_text()

    t = Transfer.objects.get()
    transfers.transfer_release(actor=actor_for(cast.grassroots_officer), transfer=t)
    page.goto(page.base + f"/members/transfers/{t.code}/")
    assert page.locator("#transfer-person").inner_text() == "林小红"
