"""The dashboard's charts: a series with nothing in it says 暂无数据 instead of drawing an empty axis."""

import pytest

from gonghui.browser import log_in
from gonghui.testing import PASSWORD, build_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_empty_charts_say_no_data_and_the_others_draw(page):
    build_cast()  # unions but no requests: the request charts have nothing to show
    log_in(page, "officer_a", PASSWORD)
    page.goto(page.base + "/overview/")
    page.wait_for_selector("[data-chart][data-drawn='1']")
    # The monthly trend has twelve months of zeros (emptied by charts.js); by channel has no rows at all
    # (emptied on the server).
    for key in ("casework-trend", "casework-by_channel", "casework-by_topic"):
        box = page.locator(f"[data-chart-empty='{key}']")
        assert box.inner_text() == "暂无数据", key
        assert box.is_visible()
    assert page.locator("[data-chart='casework-trend']").count() == 0
    assert page.locator("[data-chart-empty] + .gh-chart-table:visible").count() == 0
    # A chart with data still draws, with the units' names on the axis.
    assert page.locator("[data-chart='orgs-by_level'] canvas").count() == 1
    # Figure labels stay on one line in their cards.
    heights = page.eval_on_selector_all(".gh-figure-label", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and max(heights) < 30
