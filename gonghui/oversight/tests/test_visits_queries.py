"""The visit and inspection lists run a fixed number of queries, whatever the number of rows on the page (the
counts of units, problems found, prompts and feedback forms come in the list's own query)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gonghui.oversight.testing_visits import open_round, record_visit

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_visit_list_is_a_fixed_number_of_queries(cast, login, django_assert_max_num_queries):
    client = login(cast.officer_a)
    record_visit(cast.officer_a, units="GA", findings=["甲", "乙"])
    _queries(client, "/oversight/visits/")  # warm caches (menu, session)
    few = _queries(client, "/oversight/visits/")
    for i in range(6):
        record_visit(cast.officer_a, units="GA", on=datetime.date(2026, 3, 11 + i), findings=["丙"])
    with django_assert_max_num_queries(few):
        body = client.get("/oversight/visits/").content.decode()
    assert body.count("/oversight/visits/") >= 7


def test_the_round_list_is_a_fixed_number_of_queries(cast, login, django_assert_max_num_queries):

    client = login(cast.officer_a)
    open_round(cast.officer_a, "GA")
    _queries(client, "/oversight/inspections/")
    few = _queries(client, "/oversight/inspections/")
    for i in range(6):
        open_round(cast.officer_a, "GA", on=datetime.date(2026, 4, 2 + i), title=f"第{i}轮督导")
    with django_assert_max_num_queries(few):
        body = client.get("/oversight/inspections/").content.decode()
    assert "第5轮督导" in body
