"""送温暖 in a browser: a grassroots officer makes the grants of its unit from the hardship archive (confirmation
with the households in scope, then the counts), sets the bank account of one; the county approves all (a second
person, confirmation with the sum) and makes the payment batch, which takes the grant with an account."""

import pytest

from gonghui.aid.models import Grant, GrantState, PaymentBatch
from gonghui.aid.testing_archive import standard
from gonghui.aid.testing_warmth import filed, warmth_program
from gonghui.browser import log_in
from gonghui.casework.testing import monday_2_march_2026
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_archive_then_approve_all_then_batch(page, monkeypatch):
    monday_2_march_2026(monkeypatch)
    cast = build_cast()
    standard(cast.city, 2026, "1000.00")
    filed(cast, "张三丰")
    filed(cast, "王五", income="3000")
    filed(cast, "赵六", registry=False)
    program = warmth_program(cast)

    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + f"/aid/programs/{program.pk}/")
    assert page.locator("#approve-all").count() == 0  # not a reviewer
    page.click("#from-archive")
    assert "3" in page.inner_text("#fa-count")
    page.click("#fa-confirm")
    page.wait_for_selector("#from-archive-result")
    assert page.inner_text("#fa-created") == "2" and page.inner_text("#fa-no-person") == "1"
    assert "赵*" in page.inner_text("#fa-missing") and "赵六" not in page.content()
    grant = Grant.objects.get(program=program, amount=1000)
    page.goto(page.base + f"/aid/grants/{grant.pk}/")
    page.fill("#account-form input[name=bank_account]", "6222 0212 3456 7890")
    page.click("#account-save")
    page.wait_for_selector("#grant-account:not(:has(.text-danger))")
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/aid/programs/{program.pk}/")
    page.click("#approve-all")
    assert page.inner_text("#aa-count") == "2" and page.inner_text("#aa-total") == "1500.00"
    page.click("#aa-confirm")
    page.wait_for_selector("#program-approved")
    assert "1500.00" in page.inner_text("#program-approved")
    page.click("#batch-new")
    page.wait_for_url("**/aid/batches/*/")
    batch = PaymentBatch.objects.get()
    assert (batch.count, batch.total) == (1, 1000)
    assert Grant.objects.filter(program=program, state=GrantState.APPROVED, batch__isnull=True).count() == 1
