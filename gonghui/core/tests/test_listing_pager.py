"""The shared pager: page numbers where the total is cheap, next/previous past a bounded count, page sizes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gonghui.core.pagination import ListPager
from gonghui.orgs.models import Org

pytestmark = pytest.mark.django_db


def _orgs(cast, n):
    for i in range(n):
        Org.objects.add_child(cast.township_a, instance=Org(code=f"P{i:03d}", name=f"第{i:03d}号工会",
                                                            level="grassroots", kind="enterprise"))
    return Org.objects.filter(code__startswith="P").order_by("code")


def test_a_small_list_is_counted_and_numbered(cast):
    qs = _orgs(cast, 23)
    page = ListPager(qs, number="3", per_page=5)
    assert (page.total, page.num_pages, page.number, page.exact) == (23, 5, 3, True)
    assert [o.code for o in page.object_list] == ["P010", "P011", "P012", "P013", "P014"]
    assert page.page_range() == [1, 2, 3, 4, 5] and page.has_previous and page.has_next
    assert ListPager(qs, number="99", per_page=5).number == 5  # past the end: the last page
    assert ListPager(qs, number="abc", per_page=5).number == 1  # bad input: the first
    assert ListPager(qs, number="-4", per_page=5).number == 1
    assert ListPager(qs, number="1", per_page=2).page_range() == [1, 2, 3, None, 12]


def test_a_large_list_is_never_counted_past_the_cap(cast):
    qs = _orgs(cast, 12)
    with CaptureQueriesContext(connection) as ctx:
        page = ListPager(qs, number="2", per_page=4, cap=5)
    counting = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counting) == 1 and "LIMIT 6" in counting[0]  # the count stops at cap + 1 rows
    assert (page.total, page.more_than, page.num_pages, page.exact) == (None, 5, None, False)
    assert page.has_previous and page.has_next and page.page_range() == []
    last = ListPager(qs, number="3", per_page=4, cap=5)
    assert not last.has_next and [o.code for o in last.object_list] == ["P008", "P009", "P010", "P011"]
    assert ListPager(qs, number="1", per_page=4, cap=5, estimate=900).estimate == 900
    # A total given by the caller (pre-aggregated) is used as it is, with no count at all.
    with CaptureQueriesContext(connection) as ctx:
        given = ListPager(qs, number="1", per_page=4, total=12)
    assert given.num_pages == 3 and not any("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)


def test_the_list_screen_offers_page_sizes_numbers_and_a_jump(cast, login):
    _orgs(cast, 160)
    client = login(cast.officer_a)
    html = client.get(reverse("orgs:list"), {"per_page": "20", "page": "2"}).content.decode()
    assert "共 164 条记录" in html  # 160 + the four of county A
    assert 'aria-current="page">2<' in html and ">9<" in html and 'id="gh-jump-page"' in html
    assert 'name="per_page" value="20"' in html  # the jump keeps the page size
    html = client.get(reverse("orgs:list"), {"per_page": "7"}).content.decode()  # not offered: the default 50
    assert 'aria-current="page">1<' in html and ">4<" in html and ">5<" not in html
    assert client.get(reverse("orgs:list"), {"page": "x" * 50}).status_code == 200


@pytest.mark.parametrize("name", ["orgs:list", "members:list", "casework:inbox", "members:cards"])
def test_list_pages_carry_breadcrumbs_from_the_menu(cast, login, name):
    html = login(cast.officer_a).get(reverse(name)).content.decode()
    trail = html[html.index('<ol class="breadcrumb">'):html.index("</ol>")]
    assert trail.count("breadcrumb-item") == 2 and 'aria-current="page"' in trail


def test_past_the_cap_postgresql_s_estimate_is_shown(cast):
    from gonghui.core.pagination import planner_estimate

    qs = _orgs(cast, 12)
    page = ListPager(qs, number="1", per_page=4, cap=5)
    if connection.vendor == "postgresql":
        assert isinstance(planner_estimate(qs), int)  # EXPLAIN's guess (a fresh table's may be anything)
    else:
        assert planner_estimate(qs) is None and page.estimate is None
