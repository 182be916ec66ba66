"""The union picker and the organization tree in a real browser."""

import pytest

from gonghui.browser import log_in
from gonghui.members.tests.factories import add_member
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pick_a_union_with_the_keyboard_and_filter_the_member_list(page):
    cast = build_cast()
    add_member(cast.grassroots_officer, cast.grassroots_a, name="赵一")
    add_member(cast.grassroots_officer, cast.branch_a, name="钱二")
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/members/")
    page.locator("#id_union").press_sequentially("车间分")
    page.wait_for_selector("#id_union_list .gh-picker-option[data-code='GA-B']")
    page.keyboard.press("ArrowDown")
    assert page.locator("#id_union").get_attribute("aria-activedescendant") == "id_union_list-0"
    page.keyboard.press("Enter")  # picks; does not submit
    assert page.locator("#id_union").input_value() == "一车间分会（GA-B）"
    assert page.locator("input[type=hidden][name=union]").input_value() == "GA-B"
    assert page.locator("#id_union_list .gh-picker-option").count() == 0  # closed
    page.keyboard.press("Enter")  # now submits the filter
    page.wait_for_url("**union=GA-B**")
    table = page.locator("table.gh-list").inner_text()
    assert "钱二" in table and "赵一" not in table
    # A part of a name that was never chosen is an error next to the field, not an error page.
    page.fill("#id_union", "城关")
    page.keyboard.press("Escape")
    page.click(".gh-filters button[type=submit]")
    page.wait_for_selector(".gh-filters .invalid-feedback")
    assert "未找到该单位" in page.locator(".gh-filters").inner_text()


def test_browse_the_tree_inside_the_picker(page):
    build_cast()
    log_in(page, "grassroots_a", PASSWORD)
    page.goto(page.base + "/members/import/")
    page.click(".gh-picker-browse")
    page.wait_for_selector("#id_union_list .gh-picker-option[data-code='GA']")
    page.click("#id_union_list .gh-picker-option[data-code='GA-B']")
    assert page.locator("input[type=hidden][name=union]").input_value() == "GA-B"


def test_the_tree_expands_in_place(page):
    build_cast()
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/orgs/tree/")
    url = page.url
    node = page.locator(".gh-tree-node[data-code='CA1']")
    node.locator(".gh-tree-toggle").first.click()
    page.wait_for_selector(".gh-tree-node[data-code='CA1'] .gh-tree-node[data-code='GA']")
    page.locator(".gh-tree-node[data-code='GA'] .gh-tree-toggle").first.click()
    page.wait_for_selector(".gh-tree-node[data-code='GA'] .gh-tree-node[data-code='GA-B']")
    assert page.url == url  # no reload per level
    assert node.locator(".gh-tree-toggle").first.get_attribute("aria-expanded") == "true"
    node.locator(".gh-tree-toggle").first.click()  # folds again, without asking the server
    assert not page.locator(".gh-tree-node[data-code='GA']").is_visible()
    node.locator(".gh-tree-toggle").first.click()
    assert page.locator(".gh-tree-node[data-code='GA']").is_visible()
