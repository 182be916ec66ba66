"""Medical mutual aid in a browser: a grassroots officer files on a phone the claim that hits the annual cap (a
refusal first keeps the input), the county approves it from the review queue, the claim shows approved; the filer
never gets an approve button."""

import pytest

from gonghui.aid import mutual
from gonghui.aid.models import ClaimState, MutualClaim
from gonghui.aid.testing_mutual import enrolled, file_claim, make_plan
from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_claim_hits_the_cap_on_a_phone_then_second_person_approves(page):
    cast = build_cast()
    plan = make_plan(cast)
    e = enrolled(cast, plan)
    first = file_claim(cast.grassroots_officer, e, self_paid="9000")  # 4000 of the 5000 cap
    mutual.claim_approve(actor=actor_for(cast.officer_a), claim=first)

    log_in(page, "grassroots_a", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(page.base + "/aid/mutual/claims/new/")
    page.select_option("#claim-form select[name=plan]", str(plan.pk))
    page.fill("#claim-form input[name=id_number]", e.person.id_number)
    page.fill("#claim-form input[name=admitted_on]", "2026-06-10")
    page.fill("#claim-form input[name=discharged_on]", "2026-06-01")
    page.fill("#claim-form input[name=illness]", "腰椎间盘突出")
    page.fill("#claim-form input[name=total_bill]", "9000")
    page.fill("#claim-form input[name=insurance_paid]", "4000")
    page.fill("#claim-form input[name=self_paid]", "5000")
    page.fill("#claim-form input[name=bank_account]", "6222021234567890123")
    page.click("#claim-form button[type=submit]")
    assert page.locator("#field-discharged_on .invalid-feedback").count() == 1
    assert page.locator("#claim-form input[name=illness]").input_value() == "腰椎间盘突出"
    assert MutualClaim.objects.count() == 1
    page.fill("#claim-form input[name=discharged_on]", "2026-06-20")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("#claim-state[data-state=applied]")
    assert page.inner_text("#claim-subsidy").startswith("1000.00")  # (5000 − 1000) × 0.5 = 2000, 1000 left
    assert page.locator("#claim-capped").count() == 1
    assert page.locator("#claim-approve").count() == 0  # the filer cannot approve
    assert "李强" not in page.content()
    page.click("form[action='/logout/'] button")

    claim = MutualClaim.objects.latest("pk")
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/aid/mutual/claims/review/")
    page.click(f"#review-approve-{claim.pk}")
    page.wait_for_selector(f"#review:not(:has(#review-approve-{claim.pk}))")
    page.goto(page.base + f"/aid/mutual/claims/{claim.pk}/")
    page.wait_for_selector("#claim-state[data-state=approved]")
    claim.refresh_from_db()
    assert claim.state == ClaimState.APPROVED and claim.decided_by_id == cast.officer_a.pk and claim.grant_id
    page.goto(page.base + f"/aid/mutual/{plan.pk}/")
    assert page.inner_text("#part-covered") == "1"
