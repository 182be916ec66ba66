"""The union page and the member page in a real browser: from the union's figures to its members, to one member's
page with the sections the apps add."""

import datetime
import re

import pytest

from gonghui.browser import log_in
from gonghui.casework.testing import log_case
from gonghui.members.tests.factories import add_member
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_union_to_a_member(page):
    cast = build_cast()
    cast.grassroots_a.employee_count = 2
    cast.grassroots_a.save(update_fields=["employee_count"])
    m = add_member(cast.officer_a, cast.grassroots_a, name="王芳", phone="13712345678", is_migrant_worker=True,
                   joined_on=datetime.date(2022, 1, 10))
    case = log_case(cast.grassroots_officer)
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/orgs/GA/")
    assert page.locator("#union-membership-rate").inner_text() == "50.0%"
    assert "厂工会主席" in page.locator("#section-officers").inner_text()
    assert case.code in page.locator("#section-cases").inner_text()
    page.click("#union-members-link")
    page.wait_for_url(re.compile(r"/members/\?union=GA"))
    assert page.locator("h1").inner_text() == "会员名册"
    page.click("table.gh-list a:text('王芳')")
    page.wait_for_url(re.compile(rf"/members/p/{m.person.uid}/$"))
    assert "农民工：是" in page.locator("#section-categories").inner_text()
    assert case.code in page.locator("#section-requests").inner_text()
    assert "东湖机械厂工会" in page.locator("#section-history").inner_text()
