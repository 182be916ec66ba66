import pytest

from gonghui.browser import log_in
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBERS = {"/members/", "/members/applications/", "/members/transfers/", "/members/cards/"}
CASES = {"/cases/", "/supervision/"}
FUNDS = {"/funds/alerts/", "/funds/allocations/", "/funds/audits/", "/funds/audits/overdue/", "/funds/books/",
         "/funds/budgets/", "/funds/decisions/", "/funds/dues/", "/funds/final/", "/funds/large-expenses/",
         "/funds/returns/", "/funds/returns/supervision/", "/funds/suppliers/"}
FUNDS_SETTINGS = {"/funds/charts/import/", "/funds/rules/caps/", "/funds/rules/custom/", "/funds/rules/settings/",
                  "/funds/shares/"}
OVERSIGHT = {"/oversight/dispatch/", "/oversight/inspections/", "/oversight/inspections/items/", "/oversight/ledger/",
             "/oversight/meetings/", "/oversight/problems/", "/oversight/snail/", "/oversight/targets/",
             "/oversight/tasks/", "/oversight/tips/", "/oversight/visits/"}
OVERSIGHT_WRITE = {"/oversight/departments/", "/oversight/problems/import/", "/oversight/problems/new/"}
AID = {"/aid/archive/", "/aid/archive/standards/", "/aid/programs/", "/aid/grants/", "/aid/visits/", "/aid/mutual/",
       "/aid/mutual/claims/", "/aid/drives/", "/aid/schemes/", "/aid/nominations/"}
AID_WRITE = {"/aid/archive/new/", "/aid/grants/apply/", "/aid/mutual/claims/new/"}
AID_REVIEW = {"/aid/archive/review/", "/aid/grants/inbox/", "/aid/mutual/claims/review/", "/aid/nominations/review/"}
DEMOCRACY = {"/democracy/polls/", "/democracy/criteria/", "/democracy/surveys/"}
DEMOCRACY_WRITE = {"/democracy/polls/new/", "/democracy/surveys/new/"}
DEMOCRACY |= {"/democracy/congresses/", "/democracy/proposals/", "/democracy/disclosures/"}  # workers' congresses
MENU = {
    "officer_a": {"/overview/", "/orgs/tree/", "/orgs/", "/orgs/import/", "/calendar/", "/members/import/", *MEMBERS,
                  *CASES, "/cases/new/", "/privacy/requests/", "/approvals/", *FUNDS, "/funds/journal/import/",
                  *FUNDS_SETTINGS, *OVERSIGHT, *OVERSIGHT_WRITE, "/oversight/settings/categories/",
                  "/oversight/settings/sources/", *AID, *AID_WRITE, *AID_REVIEW, *DEMOCRACY, *DEMOCRACY_WRITE},
    "grassroots_a": {"/overview/", "/orgs/tree/", "/orgs/", "/calendar/", "/members/import/", *MEMBERS, *CASES,
                     "/cases/new/", "/privacy/requests/", "/approvals/", *FUNDS, "/funds/journal/import/",
                     *OVERSIGHT, *OVERSIGHT_WRITE, *AID, *AID_WRITE, *DEMOCRACY, *DEMOCRACY_WRITE},
    "auditor_a": {"/overview/", "/orgs/tree/", "/orgs/", "/calendar/", "/audit/", *MEMBERS, *CASES, *FUNDS,
                  *OVERSIGHT, *AID, *DEMOCRACY},
    "sysadmin": {"/orgs/tree/", "/orgs/", "/calendar/", "/users/", "/cases/policies/", "/supervision/thresholds/"},
    "secadmin": {"/security/"},
    "auditadmin": {"/audit/"},
}
LANDING = {"officer_a": "/overview/", "grassroots_a": "/overview/", "auditor_a": "/overview/",
           "sysadmin": "/users/", "secadmin": "/security/", "auditadmin": "/audit/"}


@pytest.mark.parametrize("username", sorted(MENU))
def test_each_role_sees_its_menu_and_landing_page(page, username):
    build_cast()
    log_in(page, username, PASSWORD)
    assert page.url.endswith(LANDING[username])
    links = set(page.eval_on_selector_all("#menu a", "els => els.map(e => e.getAttribute('href'))"))
    assert links == MENU[username]
    assert page.locator("html").get_attribute("lang") == "zh-Hans"


def test_dashboard_draws_figures_and_charts(page):
    build_cast()
    log_in(page, "officer_a", PASSWORD)
    assert page.locator("[data-figure='orgs.grassroots'] .value").inner_text().startswith("1")
    page.wait_for_selector("[data-chart][data-drawn='1']")
    assert page.locator("[data-chart] canvas").count() >= 1
    page.select_option("#period", index=1)
    page.wait_for_url("**period=*")


def test_create_a_union_from_the_tree_and_reveal_a_phone(page):
    build_cast()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/orgs/tree/")
    page.click("#tree-children a:text('城关街道总工会')")
    assert "东湖机械厂工会" in page.locator("#tree-children").inner_text()
    page.goto(page.base + "/orgs/CA1/new/")
    page.fill("#id_name", "东湖纺织厂工会")
    page.select_option("#id_level", "grassroots")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_contact_phone", "13800001111")
    page.fill("#id_region_code", "12")
    page.click("form.gh-form button[type=submit]")
    # Bad input: the message sits next to the field, nothing is written.
    assert page.locator("#field-region_code .invalid-feedback").count() == 1
    page.fill("#id_region_code", "339902")
    page.click("form.gh-form button[type=submit]")
    page.wait_for_selector("#org-record")
    assert page.locator("#contact-phone").inner_text() == "138****1111"
    page.fill("#reveal-form input[name=reason]", "联系换届事宜")
    page.click("#reveal-form button")
    page.wait_for_selector("#contact-phone .gh-revealed")
    assert page.locator("#contact-phone").inner_text() == "13800001111"


def test_switching_the_current_unit(page):
    cast = build_cast()
    from gonghui.core.models import Grant

    Grant.objects.create(user=cast.officer_b, role="auditor", org=cast.city)
    log_in(page, "officer_b", PASSWORD)
    assert "西山县总工会" in page.locator("#org-switcher").inner_text()
    label = "临江市总工会 · " + page.locator("#switch-grant option").nth(1).inner_text().split(" · ")[1]
    with page.expect_navigation():  # the switch posts the form; wait for its answer before going on
        page.select_option("#switch-grant", label=label)
    assert page.locator("#switch-grant option:checked").inner_text().startswith("临江市总工会")
    page.goto(page.base + "/orgs/GA/")
    assert "东湖机械厂工会" in page.content()
