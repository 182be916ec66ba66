"""The problem list and a problem's page in a browser: the unit submits, the first review passes, the joint group
is named and a reviewer returns it with an opinion; the cadre stays masked until revealed with a reason."""

import pytest

from gonghui.browser import log_in
from gonghui.oversight.models import Problem, Stage
from gonghui.oversight.testing_problems import departments, file_problem, second_reviewer
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_list_page_and_a_review_round_with_a_return(page):
    cast = build_cast()
    office, org_dept, _ = departments(cast.county_a)
    reviewer = second_reviewer(cast.county_a)
    p = file_problem(cast.grassroots_officer, cast.grassroots_a, concerns="cadre", cadre_name="李建国")
    other = file_problem(cast.officer_b, cast.grassroots_b, title="县乙的问题")
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/oversight/problems/")
    page.wait_for_selector("#problem-list")
    assert page.locator(f"#problem-list tr[data-problem='{p.pk}']").count() == 1
    assert other.title not in page.content()
    page.click(f"#problem-list tr[data-problem='{p.pk}'] a")
    page.wait_for_selector("#problem-stage[data-stage=draft]")
    assert "李**" in page.locator("#reveal-cadre_name").inner_text() and "李建国" not in page.content()
    page.fill("#reveal-form-cadre_name input[name=reason]", "核实当事人")
    page.click("#reveal-form-cadre_name button")
    page.wait_for_selector("#reveal-cadre_name .gh-revealed")
    assert page.locator("#reveal-cadre_name").inner_text() == "李建国"
    page.click("#action-submit button[type=submit]")
    page.wait_for_selector("#problem-stage[data-stage=first]")
    page.check("#action-first input[value=pass]")
    page.click("#action-first button[type=submit]")
    page.wait_for_selector("#problem-stage[data-stage=joint]")
    # The county names the group and sends the problem back.
    page.context.clear_cookies()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + f"/oversight/problems/{p.pk}/")
    page.select_option("#action-group select[name=user_1]", str(cast.officer_a.pk))
    page.select_option("#action-group select[name=department_1]", str(office.pk))
    page.select_option("#action-group select[name=user_2]", str(reviewer.pk))
    page.select_option("#action-group select[name=department_2]", str(org_dept.pk))
    page.click("#action-group button[type=submit]")
    page.wait_for_selector("#joint-members li >> nth=1")
    assert page.locator("#joint-progress").inner_text() == "0/2"
    page.check("#action-joint input[value=return]")
    page.click("#action-joint button[type=submit]")  # no opinion: refused, kept on the page
    page.wait_for_selector("#action-joint .invalid-feedback")
    page.fill("#action-joint textarea", "问题事实不清，请补充")
    page.click("#action-joint button[type=submit]")
    page.wait_for_selector("#problem-stage[data-stage=draft]")
    assert "退回修改" in page.locator("#problem-stage").inner_text()
    assert page.locator("#problem-timeline li[data-decision=return]").count() == 1
    assert page.locator("#problem-returns").inner_text() == "1"
    p.refresh_from_db()
    assert (p.stage, p.returns, p.rounds) == (Stage.DRAFT, 1, 1)
    page.goto(page.base + "/oversight/problems/?stage=draft")
    assert "退回修改" in page.locator(f"#problem-list tr[data-problem='{p.pk}'] .review-state").inner_text()
    assert Problem.objects.count() == 2
