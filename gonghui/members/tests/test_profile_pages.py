"""The complete member page and union page: sections registered by the apps that own them, scoped to the reader."""

import datetime

import pytest

from gonghui.casework.testing import log_case
from gonghui.core import profile
from gonghui.core.access import actor_for
from gonghui.members import cards
from gonghui.members.tests.factories import add_member

PHONE = "13712345678"  # the phone the cases are filed from (casework.testing)


@pytest.fixture
def member(cast):
    m = add_member(cast.officer_a, cast.grassroots_a, name="王芳", phone=PHONE, is_migrant_worker=True,
                   is_dispatched=True, employment_form="dispatched", job_title="焊工",
                   joined_on=datetime.date(2022, 1, 10))
    cards.cards_issue(actor=actor_for(cast.officer_a), union=cast.grassroots_a)
    return m


def test_member_page_gathers_what_the_platform_knows(cast, login, member):
    case = log_case(cast.grassroots_officer)  # filed from the member's phone at their union
    body = login(cast.officer_a).get(f"/members/p/{member.person.uid}/").content.decode()
    for section in ("categories", "cards", "requests", "transfers", "history"):
        assert f'id="section-{section}"' in body, section
    assert "农民工：是" in body and "新就业形态劳动者：否" in body and "劳务派遣工：是" in body
    assert "劳务派遣" in body and "焊工" in body
    assert member.person.memberships.get().cards.get().number in body and "已发放" in body
    assert case.code in body and "欠薪" in body
    # The sections come in their registered order.
    order = [body.index(f'id="section-{k}"') for k in ("categories", "cards", "requests", "transfers", "history")]
    assert order == sorted(order)


def test_requests_of_another_county_stay_hidden(cast, login, member):
    b_case = log_case(cast.officer_b)  # the same phone, filed in county B
    body = login(cast.officer_a).get(f"/members/p/{member.person.uid}/").content.decode()
    assert b_case.code not in body


def test_member_page_refuses_outsiders(cast, login, client, member):
    url = f"/members/p/{member.person.uid}/"
    assert login(cast.officer_b).get(url).status_code == 404
    client.logout()
    resp = client.get(url)
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    assert login(cast.grassroots_officer).get("/members/p/NOSUCHUID/").status_code == 404


def test_union_page_shows_members_rate_officers_branches_cases_figures(cast, login, member):
    cast.grassroots_a.employee_count = 4
    cast.grassroots_a.save(update_fields=["employee_count"])
    case = log_case(cast.grassroots_officer)
    body = login(cast.officer_a).get("/orgs/GA/").content.decode()
    assert 'id="union-members-link">1</a>' in body and 'href="/members/?union=GA&amp;status=active"' in body
    assert 'id="union-membership-rate">25.0%' in body
    assert "厂工会主席" in body and "基层工会干部" in body  # the officer granted on GA
    assert "一车间分会" in body  # the branch below
    assert case.code in body and 'href="/cases/?org=GA&amp;tab=open"' in body
    assert 'data-figure="orgs.grassroots"' in body


def test_union_sections_are_scoped(cast, login, member):
    log_case(cast.grassroots_officer)
    body = login(cast.auditor_a).get("/orgs/GA/").content.decode()  # reads members and cases, changes nothing
    assert 'id="section-members"' in body and 'id="section-cases"' in body
    body = login(cast.system_admin).get("/orgs/GA/").content.decode()  # an administrator: no personal data
    assert 'id="section-officers"' in body and 'href="/users/grassroots_a/"' in body
    for key in ("members", "cases", "figures"):
        assert f'id="section-{key}"' not in body, key
    assert login(cast.officer_b).get("/orgs/GA/").status_code == 404
    assert login(cast.officer_a).get("/orgs/NOPE/").status_code == 404


def test_an_app_adds_a_section_without_touching_the_pages(cast, login, member, monkeypatch):
    monkeypatch.setattr(profile, "_MEMBER", dict(profile._MEMBER))
    profile.register_member_section("grants", "救助记录", 50, lambda *, actor, person, membership: {"n": 0},
                                    "members/sections/cards.html")
    body = login(cast.officer_a).get(f"/members/p/{member.person.uid}/").content.decode()
    assert 'id="section-grants"' in body and "救助记录" in body


def test_member_list_is_named_as_in_the_menu(cast, login, member):
    c = login(cast.officer_a)
    body = c.get("/members/").content.decode()
    assert "<h1 class=\"h4 mb-0 me-auto\">会员名册</h1>" in body
    detail = c.get(f"/members/p/{member.person.uid}/").content.decode()
    assert 'href="/members/">会员名册</a>' in detail
