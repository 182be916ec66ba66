"""Voting on a phone: the slip's QR opens the voting page with the code after '#', the ballot comes up, an
incomplete ballot is refused with the choices kept, the cast ballot gives a receipt, and once the result is
published the voter finds their ballot by it. The officer's poll page shows the tally with its charts."""

import pytest

from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

from .. import polls
from ..models import Ballot, Poll
from ..testing import make_poll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vote_on_a_phone_from_the_qr_and_find_the_ballot(page):
    cast = build_cast()
    actor = actor_for(cast.officer_a)
    poll = make_poll(cast, size=2, subjects=["王明，工会主席"])
    code = polls.codes_print(actor=actor, poll=poll, count=2)[0]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + "/vote/#" + code)
    page.wait_for_selector("#ballot-form")
    assert "#" not in page.url  # the code left the address bar
    for ci in range(4):  # the fifth is left out
        page.click(f"label[for=a1_{ci}_1]")
    page.click("#ballot-cast")
    page.wait_for_selector("#ballot-error")
    assert page.locator("#a1_0_1").is_checked()  # the choices are kept
    page.click("label[for=a1_4_2]")
    page.click("#ballot-cast")
    receipt = page.locator("#vote-receipt").inner_text().strip()
    assert len(receipt.replace("-", "")) == 12
    assert Ballot.objects.filter(poll=poll).count() == 1

    page.goto(page.base + "/vote/")
    page.fill("#id_code", code)
    page.click("#vote-code-go")
    assert "已使用" in page.locator("#field-code .invalid-feedback").inner_text()

    polls.poll_close(actor=actor, poll=poll)
    polls.poll_publish(actor=actor, poll=Poll.objects.get(pk=poll.pk))
    page.goto(page.base + f"/vote/results/{poll.public_token}/")
    page.fill("#find-ballot input[name=tracking]", receipt.lower())
    page.click("#find-go")
    page.wait_for_selector("#found-ballot")
    assert "优秀、优秀、优秀、优秀、称职" in page.locator("#found-ballot").inner_text()
    assert page.locator("#ballot-list tbody tr").count() == 1

    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/democracy/polls/{poll.pk}/")
    page.wait_for_selector("[data-chart='tally-chart-1'][data-drawn='1']")
    assert page.locator("#poll-state").get_attribute("data-state") == "published"
    assert page.locator("#public-url").count() == 1
