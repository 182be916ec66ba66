import datetime

import pytest

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.core.identity import id_check_char
from gonghui.members import cards, transfers
from gonghui.members.models import CardStatus, MembershipStatus, ServiceCard, Transfer, TransferStatus
from gonghui.members.services import member_add
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST17 = "33010219880808123"
ID_NUMBER = FIRST17 + id_check_char(FIRST17)
PHONE = "13700001234"


def _member(cast):
    return member_add(actor=actor_for(cast.officer_a), union=cast.grassroots_a,
                      person={"id_number": ID_NUMBER, "name": "赵六", "phone": PHONE},
                      joined_on=datetime.date(2019, 9, 1))


def test_destination_accepts_from_the_inbox(page):
    cast = build_cast()
    m = _member(cast)
    t = transfers.transfer_request_by_origin(actor=actor_for(cast.officer_a), membership=m, to_code="GB")
    log_in(page, "officer_b", PASSWORD)
    page.goto(page.base + "/members/transfers/")
    assert page.locator("#transfer-tabs a.active").get_attribute("data-tab") == "incoming"
    page.click(f"#transfer-list a:text('{t.code}')")
    page.wait_for_selector("#transfer-record")
    assert page.locator("#transfer-from").inner_text() == "东湖机械厂工会"
    assert ID_NUMBER not in page.content() and PHONE not in page.content()
    page.click("#transfer-accept button[type=submit]")
    page.wait_for_selector("#transfer-record[data-status='completed']")
    assert page.locator("#transfer-actions").count() == 0
    t.refresh_from_db()
    assert t.status == TransferStatus.COMPLETED and t.to_membership.union.code == "GB"
    m.refresh_from_db()
    assert m.status == MembershipStatus.TRANSFERRED_OUT
    page.click("#transfer-record a:text('赵六')")
    page.wait_for_selector("#membership-history")
    assert "东湖机械厂工会" not in page.locator("#membership-history").inner_text()
    page.goto(page.base + "/members/transfers/?tab=closed")
    assert t.code in page.locator("#transfer-list").inner_text()


def test_member_activates_a_card_on_a_phone(browser, live_server):
    cast = build_cast()
    _member(cast)
    card = cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a).cards.get()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(live_server.url + "/member/card/")
        fits = "document.documentElement.scrollWidth <= window.innerWidth"
        assert page.evaluate(fits)
        assert page.locator("#id_number").get_attribute("inputmode") == "numeric"
        # A wrong phone: one message for the whole form, the card stays as it was.
        page.fill("#id_number", card.number)
        page.fill("#id_id_number", ID_NUMBER)
        page.fill("#id_phone", "13700009999")
        page.check("#id_consent")
        page.click("#member-card-form button[type=submit]")
        page.wait_for_selector("#member-card-form .alert-danger")
        assert ServiceCard.objects.get(pk=card.pk).status == CardStatus.ISSUED
        page.fill("#id_phone", PHONE)
        page.click("#member-card-form button[type=submit]")
        page.wait_for_selector("#member-done")
        assert page.locator("#done-code").inner_text() == card.number
        assert page.evaluate(fits)
        button_width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
        assert button_width <= 390
    finally:
        context.close()
    card.refresh_from_db()
    assert card.status == CardStatus.ACTIVE and card.activated_via == "member"
    assert not Transfer.objects.exists()
