"""Issue 10 §6 in a browser: the officer sees a request filed online flagged as a possible repeat in the inbox,
opens it and links it to the earlier case."""

import pytest

from gonghui.browser import log_in
from gonghui.testing import PASSWORD, build_cast

from .. import intake
from ..models import Case
from ..testing import intake_data, log_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _policy_table():
    from gonghui.casework.policies import policy_seed_defaults

    policy_seed_defaults()


def test_the_officer_links_a_possible_repeat(page):
    cast = build_cast()
    earlier = log_case(cast.officer_a)
    repeat = intake.case_file_public(org=cast.county_a, data=intake_data(subject="再次反映欠薪"), ip=None,
                                     mobile=True, consent_version=intake.REQUEST_NOTICE_VERSION).case
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/cases/")
    page.locator("[data-repeat='1']").first.wait_for()
    page.goto(page.base + f"/cases/{repeat.code}/")
    assert page.locator("#case-repeat-of").inner_text() == earlier.code
    page.click("#link-repeat-form button[type=submit]")
    page.wait_for_selector("#case-repeat[data-linked='1']")
    assert Case.objects.get(pk=repeat.pk).linked_at is not None
    assert page.locator("#link-repeat-form").count() == 0
