"""The ledger in a browser: the owner reports progress and asks for closure, the county's officer sees the measure
on the ledger and closes it (销号); the problem is closed."""

import datetime

import pytest

from gonghui.browser import log_in
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for
from gonghui.oversight import ledger
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_reports_and_a_second_person_closes(page, monkeypatch):
    from gonghui.oversight.testing_ledger import attach_evidence, final_problem

    monday_2_march_2026(monkeypatch)
    cast = build_cast()
    problem = final_problem(cast.grassroots_a, "职工书屋长期闭馆")
    m = ledger.measure_add(actor_for(cast.officer_a), problem=problem, steps="恢复职工书屋开放",
                           indicator="每周开放5天", expected="职工书屋正常使用", due_on=datetime.date(2026, 3, 4),
                           owner=cast.grassroots_officer, leader="张明")
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + f"/oversight/measures/{m.pk}/")
    assert page.locator("#close-form").count() == 0
    page.fill("#progress-form textarea[name=text]", "书屋已恢复开放")
    page.fill("#progress-form input[name=percent]", "120")
    page.click("#progress-form button[type=submit]")
    assert page.locator("#progress-form .invalid-feedback").count() == 1
    assert page.locator("#progress-form textarea[name=text]").input_value() == "书屋已恢复开放"
    page.fill("#progress-form input[name=percent]", "90")
    page.click("#progress-form button[type=submit]")
    page.wait_for_selector("#measure-timeline li[data-event=progress]")
    attach_evidence(cast.grassroots_officer, m)
    page.reload()
    page.click("#request-form button[type=submit]")
    page.wait_for_selector("[data-requested]")
    page.click("form[action='/logout/'] button")

    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/oversight/ledger/")
    row = page.locator(f"#ledger-list tr[data-measure='{m.pk}']")
    assert row.locator("[data-color=blue]").count() == 1 and row.locator("[data-requested]").count() == 1
    row.locator("a").first.click()
    page.fill("#close-form textarea", "佐证齐全，同意销号")
    page.click("#close-form button[type=submit]")
    page.wait_for_selector("#measure-timeline li[data-event=closed]")
    assert page.locator("#measure-card[data-state=closed]").count() == 1
    problem.refresh_from_db()
    assert problem.state == "closed"
