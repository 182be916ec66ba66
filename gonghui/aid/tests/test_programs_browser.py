"""The grants in a browser: a grassroots officer applies on a phone for a member (a refusal keeps the input), the
county approves it from the inbox, the grant shows approved; an applicant never gets to approve their own."""

import pytest

from gonghui.aid import programs
from gonghui.aid.models import Grant, GrantState, ProgramKind
from gonghui.aid.testing_programs import make_program, member
from gonghui.browser import log_in
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_on_a_phone_and_second_person_approves_from_the_inbox(page, monkeypatch):
    monday_2_march_2026(monkeypatch)
    cast = build_cast()
    program = make_program(cast, kind=ProgramKind.BEREAVEMENT)
    person = member(cast)
    log_in(page, "grassroots_a", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # on a phone
    page.goto(page.base + "/aid/grants/apply/")
    page.select_option("#aid-form select[name=program]", str(program.pk))
    page.select_option("#aid-form select[name=org]", str(cast.grassroots_a.pk))
    page.fill("#aid-form input[name=id_number]", person.id_number)
    page.select_option("#aid-form select[name=relationship]", "其他")
    page.fill("#aid-form input[name=bank_account]", "6222021234567890123")
    page.click("#aid-form button[type=submit]")
    assert page.locator("#field-relationship .invalid-feedback").count() == 1
    assert page.locator("#aid-form input[name=id_number]").input_value() == person.id_number
    assert Grant.objects.count() == 0
    page.select_option("#aid-form select[name=relationship]", "父")
    page.click("#aid-form button[type=submit]")
    page.wait_for_selector("#grant-state[data-state=applied]")
    grant = Grant.objects.get()
    assert grant.applied_by_id == cast.grassroots_officer.pk
    assert page.locator("#grant-approve").count() == 0  # the applicant has no approve button
    assert "李强" not in page.content()
    page.click("form[action='/logout/'] button")

    own = programs.grant_apply(actor=actor_for(cast.officer_a), program=program, person=member(cast, "王芳"),
                               org=cast.grassroots_a, facts={"relationship": "母"})
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/aid/grants/inbox/")
    assert page.locator(f"#inbox-approve-{own.pk}").count() == 0  # not their own application
    page.click(f"#inbox-approve-{grant.pk}")
    page.wait_for_selector(f"#inbox:not(:has(#inbox-approve-{grant.pk}))")
    page.goto(page.base + f"/aid/grants/{grant.pk}/")
    page.wait_for_selector("#grant-state[data-state=approved]")
    page.goto(page.base + f"/aid/grants/{own.pk}/")
    assert page.locator("#grant-approve").count() == 0
    grant.refresh_from_db()
    own.refresh_from_db()
    assert grant.state == GrantState.APPROVED and grant.decided_by_id == cast.officer_a.pk
    assert own.state == GrantState.APPLIED
