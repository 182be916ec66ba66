"""The proposal inbox and a proposal's page in a browser: the tabs with their counts and colors, the committee's
decline refused without a reason (the choice kept), then accepted, assigned, answered and rated; the timeline tells
each step. The congress page shows the managers' warning."""

import pytest

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

from .. import congress as services
from ..models import Proposal
from ..testing_congress import make_congress, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proposal_inbox_and_page_take_a_proposal_to_a_rated_reply(page):
    cast = build_cast()
    congress = make_congress(cast)
    p = submit(cast, congress)
    submit(cast, congress, title="关于增加夜班餐补的提案")
    log_in(page, "grassroots_a", PASSWORD)

    page.goto(page.base + "/democracy/proposals/")
    assert page.locator("#proposal-tabs [data-tab=submitted] [data-count]").get_attribute("data-count") == "2"
    assert page.locator("#proposal-list tbody tr[data-proposal]").count() == 2
    page.click(f"#proposal-list a:text('{p.number}')")
    page.wait_for_selector("#decision-form")
    assert page.locator("#proposal-state").get_attribute("data-state") == "submitted"
    assert page.locator("#proposal-cosigners").inner_text() == "李娜、王强"

    page.select_option("#id_decision", "decline")
    page.click("#decide")
    page.wait_for_selector("#field-note .invalid-feedback")
    assert page.locator("#id_decision").input_value() == "decline"  # the choice is kept
    page.select_option("#id_decision", "accept")
    page.click("#decide")
    page.wait_for_selector("#assign-form")
    page.fill("#id_department", "设备动力部")
    page.fill("#id_handler", "刘工")
    page.click("#assign")
    page.wait_for_selector("#answer-form")
    assert "设备动力部" in page.locator("#proposal-department").inner_text()
    page.fill("#id_reply", "已更换排风扇8台，增设冷风机4台。")
    page.click("#answer")
    page.wait_for_selector("#rate-form")
    page.select_option("#id_rating", "satisfied")
    page.click("#rate")
    page.wait_for_selector("#proposal-rating")
    assert page.locator("#proposal-state").get_attribute("data-state") == "rated"
    assert page.locator("#proposal-timeline [data-event]").count() == 5
    assert Proposal.objects.get(pk=p.pk).rating == "satisfied"

    page.goto(page.base + "/democracy/proposals/?tab=closed")
    assert page.locator("#proposal-list tbody tr[data-proposal]").count() == 1
    assert page.locator("#proposal-tabs [data-tab=submitted] [data-count]").get_attribute("data-count") == "1"

    services.delegate_add(actor=actor_for(cast.grassroots_officer), congress=congress, name="钱总",
                          election_unit="厂部", manager=True)
    page.goto(page.base + f"/democracy/congresses/{congress.pk}/")
    assert "22.2%" in page.locator("#manager-warning").inner_text()
