"""Nominations in a browser: the unit nominates a member (a second nomination of the same person is refused with
the field named), the list filters by group, the county approves from the review page and refuses another."""

import pytest

from gonghui.aid import schemes
from gonghui.aid.models import Nomination, NominationGroup, NominationState, Quota
from gonghui.aid.testing_drives import give_down, make_scheme, member
from gonghui.browser import log_in
from gonghui.core.access import actor_for
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nominate_filter_and_review(page):
    cast = build_cast()
    scheme = make_scheme(cast, places=10)
    give_down(cast, scheme, township=5, grassroots=3)
    person = member(cast, "王芳")
    other = schemes.nomination_create(actor=actor_for(cast.grassroots_officer), scheme=scheme,
                                      org=cast.grassroots_a, person=member(cast, "李强"),
                                      group=NominationGroup.FRONTLINE)
    log_in(page, "grassroots_a", PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(page.base + f"/aid/schemes/{scheme.pk}/")
    page.click("#scheme-nominate")
    page.select_option("#aid-form select[name=org]", str(cast.grassroots_a.pk))
    page.fill("#aid-form input[name=id_number]", other.person.id_number)
    page.select_option("#aid-form select[name=group]", NominationGroup.MODEL_WORKER)
    page.click("#aid-form button[type=submit]")
    assert page.locator("#field-id_number .invalid-feedback").count() == 1
    page.fill("#aid-form input[name=id_number]", person.id_number)
    page.click("#aid-form button[type=submit]")
    page.wait_for_selector("#nomination-state[data-state=nominated]")
    mine = Nomination.objects.get(person=person)
    assert page.locator("#nomination-approve").count() == 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + "/aid/nominations/")
    page.select_option("select[name=group]", NominationGroup.MODEL_WORKER)
    page.locator("select[name=group]").evaluate("el => el.form.submit()")
    page.wait_for_url("**group=model_worker**")
    assert page.locator(f"a[href='/aid/nominations/{mine.pk}/']").count() == 1
    assert page.locator(f"a[href='/aid/nominations/{other.pk}/']").count() == 0
    assert "王*" in page.content() and "王芳" not in page.content()
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/aid/nominations/review/")
    page.click(f"#review-approve-{mine.pk}")
    page.wait_for_selector(f"#review:not(:has(#review-approve-{mine.pk}))")
    page.fill(f"#review-reason-{other.pk}", "名额调整")
    page.click(f"#review-refuse-{other.pk}")
    page.wait_for_selector(f"#review:not(:has(#review-refuse-{other.pk}))")
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.state == NominationState.APPROVED and mine.decided_by_id == cast.officer_a.pk
    assert other.state == NominationState.REFUSED
    assert Quota.objects.get(scheme=scheme, org=cast.grassroots_a).nominated == 1
