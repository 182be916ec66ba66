"""The archive list's page (``household_page``): on PostgreSQL merged from each unit's newest files, elsewhere one
ordered query; both give the same rows and the same next page as the plain keyset over the subtree, for every
filter, and never a row outside the actor's subtree."""

import pytest

from gonghui.aid import selectors_archive
from gonghui.aid.testing_archive import new_household
from gonghui.casework.testing import monday_2_march_2026
from gonghui.core.access import actor_for


@pytest.fixture
def files(cast, monkeypatch):
    monday_2_march_2026(monkeypatch)
    made = []
    for i in range(4):
        made.append(new_household(cast.grassroots_officer, cast.grassroots_a, name=f"甲{i}号", income="800",
                                  causes=("illness",) if i % 2 else ("job_loss",)))
        made.append(new_household(cast.officer_b, cast.grassroots_b, name=f"乙{i}号", income="3000"))
    return made


def _plain(actor, filters, after, size):
    qs = selectors_archive.household_list(actor=actor, filters=filters)
    return selectors_archive.keyset_page(qs, after=after, size=size)


@pytest.mark.parametrize("filters", [{}, {"category": "deep"}, {"cause": "illness"}, {"state": "draft"},
                                     {"state": "filed"}])
def test_pages_match_the_plain_keyset(cast, files, filters):
    for user in (cast.city_staff, cast.officer_a, cast.officer_b):
        actor = actor_for(user)
        after, seen = None, []
        while True:
            rows, nxt = selectors_archive.household_page(actor=actor, filters=filters, after=after, size=3)
            want_rows, want_next = _plain(actor, filters, after, 3)
            assert [h.pk for h in rows] == [h.pk for h in want_rows] and nxt == want_next
            assert all(h.org_path.startswith(actor.org.path) for h in rows)
            seen += [h.pk for h in rows]
            if nxt is None:
                break
            after = nxt
        assert seen == sorted(seen, reverse=True)
    everything = selectors_archive.household_page(actor=actor_for(cast.city_staff), filters={}, size=50)[0]
    assert len(everything) == 8
    county_a = selectors_archive.household_page(actor=actor_for(cast.officer_a), filters={}, size=50)[0]
    assert {h.org_id for h in county_a} == {cast.grassroots_a.pk}


def test_unit_filter_outside_the_subtree_is_refused(cast, files):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises((PermissionDenied, Http404)):
        selectors_archive.household_page(actor=actor_for(cast.officer_a), filters={"unit": cast.grassroots_b})


def test_the_list_page_and_the_api_read_the_same_few_queries_whatever_the_rows(cast, files, login):
    """The rows carry only ``LIST_FIELDS`` (nothing personal decrypted): the page and the API list read no other
    field of them, so more rows never mean more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gonghui.aid.testing_archive import new_household

    client = login(cast.officer_a)
    client.get("/aid/archive/")  # the session's first page writes it

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: queries(url) for url in ("/aid/archive/", "/api/v1/aid/households")}
    for i in range(4, 9):
        new_household(cast.grassroots_officer, cast.grassroots_a, name=f"丙{i}号")
    assert {url: queries(url) for url in before} == before
    rows = selectors_archive.household_page(actor=actor_for(cast.officer_a), filters={})[0]
    assert len(rows) == 9 and all(not ({"name", "id_number", "per_capita"} & set(h.__dict__)) for h in rows)
